"""The turn of a scope on the controller (plugin_utils/_scope_turn.py), timed by a test clock: no test waits in real
time."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._scope_turn import (
    TURNS_DIR_VARIABLE,
    ScopeBusy,
    ScopeTurn,
    scope_identity,
    turn_path,
    turns_dir,
)
from ansible_collections.snapcopy.cloud.tests.unit.conftest import SCOPE_TURNS_DIR_VARIABLE


class Clock:
    """Time that passes only when the turn sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_second_holder_waits_up_to_its_timeout_then_names_the_first(tmp_path):
    path = str(tmp_path / 'locks' / 'scope.lock')
    first = ScopeTurn(path, {'run_id': 'one', 'pid': 1, 'since': 'then'})
    assert first.acquire(0) == 0.0 and first.waited_for is None
    clock, seen = Clock(), []
    second = ScopeTurn(path, {'run_id': 'two'}, clock=clock, sleep=clock.sleep, step=30, on_wait=seen.append)
    with pytest.raises(ScopeBusy) as busy:
        second.acquire(100)
    assert busy.value.waited == 100 and busy.value.holder == {'run_id': 'one', 'pid': 1, 'since': 'then'}
    assert clock.slept == [30, 30, 30, 10] and seen == [busy.value.holder]  # said once
    first.release()
    assert second.acquire(100) == 0.0 and second.waited_for is None  # free now, at once
    # The folder is the user's alone, the file too; its text says who holds it.
    assert stat.S_IMODE(os.stat(tmp_path / 'locks').st_mode) == 0o700 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Path(path).read_text(encoding='utf-8') == '{"run_id": "two"}'
    second.release()
    assert Path(path).read_text(encoding='utf-8') == ''


def open_files():
    return set(os.listdir('/proc/self/fd'))


def test_a_turn_let_go_or_given_up_on_leaves_no_file_open(tmp_path):
    """The action runs in the playbook's process, once a scope: a file left open by each turn would pile up over a
    fleet's scopes, until the process may open no more."""
    path = str(tmp_path / 'scope.lock')
    before = open_files()
    first = ScopeTurn(path, {'run_id': 'one'})
    first.acquire(0)
    clock = Clock()
    with pytest.raises(ScopeBusy):
        ScopeTurn(path, {'run_id': 'two'}, clock=clock, sleep=clock.sleep, step=30).acquire(60)
    first.release()
    assert open_files() == before


def test_a_holder_that_ends_while_another_waits_lets_it_in_and_it_says_how_long_it_waited(tmp_path):
    path = str(tmp_path / 'scope.lock')
    first = ScopeTurn(path, {'run_id': 'one'})
    first.acquire(0)
    clock = Clock()

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.now >= 1045:
            first.release()  # the first run ends 45 s into the wait

    second = ScopeTurn(path, {'run_id': 'two'}, clock=clock, sleep=sleep, step=15)
    assert second.acquire(600) == 45 and second.waited_for == {'run_id': 'one'}
    second.release()


def test_the_scope_is_the_provider_the_account_as_the_task_names_it_and_the_source_region():
    key = {'alicloud_access_key': 'LTAIkey1'}
    assert scope_identity('ens', key, environ={}) == ['', 'LTAIkey1']
    # An alias, or the environment variable, is the same key; a role names the account before a key does.
    assert scope_identity('ens', {'access_key': 'LTAIkey1'}, environ={}) == scope_identity(
        'ens', {}, environ={'ALICLOUD_ACCESS_KEY': 'LTAIkey1'}
    )
    assert scope_identity('ecs', dict(key, assume_role_arn='acs:ram::1234:role/dr'), environ={}) == [
        '',
        'acs:ram::1234:role/dr',
    ]
    assert scope_identity('aws', {'profile': 'prod', 'endpoint_url': 'http://127.0.0.1:5000'}, environ={}) == [
        'http://127.0.0.1:5000',
        'prod',
    ]
    assert scope_identity('cbs', {}, environ={}) == ['', '']  # none named: one scope per provider and region
    paths = {
        turn_path(provider, region, scope_identity(provider, key, environ={}), '/l')
        for provider in ('ens', 'ecs')
        for region in ('cn-hangzhou-26', 'cn-shanghai-5')
    }
    paths.add(
        turn_path('ens', 'cn-hangzhou-26', scope_identity('ens', {'alicloud_access_key': 'LTAIkey2'}, environ={}), '/l')
    )
    assert len(paths) == 5 and not any('LTAIkey' in path for path in paths)
    assert turn_path('ens', 'cn-hangzhou-26', ['', 'LTAIkey1'], '/l').startswith('/l/dr-scope-ens-cn-hangzhou-26-')


def test_the_folder_is_the_users_own_unless_set(monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    assert turns_dir({}) == str(tmp_path / '.ansible' / 'snapcopy' / 'locks')
    assert turns_dir({TURNS_DIR_VARIABLE: '/run/snapcopy'}) == '/run/snapcopy'
    # The unit tests' own folder (tests/unit/conftest.py) is set through this very variable.
    assert TURNS_DIR_VARIABLE == SCOPE_TURNS_DIR_VARIABLE


def test_the_files_keep_the_names_of_earlier_releases():
    """A run of the last release and a run of this one, of one scope on one controller, take one file's flock: its
    folder, its variable and its name are the ones earlier releases used, though the code now says "turn"."""
    assert TURNS_DIR_VARIABLE == 'SNAPCOPY_LOCK_DIR'
    assert turns_dir({}).endswith('/.ansible/snapcopy/locks')
    assert turn_path('ens', 'cn-hangzhou-26', ['', 'LTAIkey1'], '/l') == (
        '/l/dr-scope-ens-cn-hangzhou-26-fdcd1748bd519e28.lock'
    )
