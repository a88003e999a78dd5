"""Issue 46 (5): one DR run of a scope at a time on a controller. ENS has no copy token and no tags for a lease: the
event-driven run of a disk and the scheduled run of its scope, at once, made two copies. dr_sync's action holds the
scope's turn (plugin_utils/_scope_turn.py) while its module runs; the second run waits, and says so.

The runs are threads of one process, as forks of ansible-playbook would be processes: an flock is per open file, so two
opens in one process exclude each other as two processes do. They meet at barriers, not after sleeps."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import dr_account_argument
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC, run_dr_module
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._scope_turn import (
    ScopeTurn,
    scope_identity,
    turn_path,
    turns_dir,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import (
    REPORTED,
    action_running,
    reports_in,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit

SOURCE_NODE = 'cn-hangzhou-26'
DR_NODE = 'cn-beijing-cmcc'
# A barrier that is never met fails the test (BrokenBarrierError) instead of holding the suite; a met one never waits
# this.
MEETING = 60


def ens_task(cloud, **extra):
    task = {
        'provider': 'ens',
        'source_region': SOURCE_NODE,
        'dr_regions': [DR_NODE],
        'tag_selector': {'dr': 'yes'},
        'endpoint_url': cloud.url,
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'wait': False,
        'wait_timeout': 600,
    }
    task.update(extra)
    return task


def run_module(module_args):
    """dr_sync's module with these arguments, against the emulator: the report it returns."""
    params = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    params.update(module_args)
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(FakeModule(params))
    return ended.value.result


def copies_in(cloud, node):
    snapshots = cloud.admin.state(cloud='ens', region=node)['ens'].get(node, {}).get('snapshots', [])
    return [snapshot for snapshot in snapshots if snapshot['source_snapshot_id']]


def test_two_runs_of_one_ens_scope_at_once_make_one_copy_and_the_second_says_it_waited(fakecloud_clean, tmp_path):
    """The scheduled run and an event's run (disk_ids) of one ENS scope, started together on one controller."""
    cloud = fakecloud_clean
    disk = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'yes'}, 'snapshots': 1}]})['ens'][
        'disks'
    ][0]
    start = threading.Barrier(2, timeout=MEETING)
    # Met by the module of the run that holds the scope and the other run finding it held: the second can only look for
    # a copy once the first has made its own. Without the turn, by both modules: both look before either copies.
    inside = threading.Barrier(2, timeout=MEETING)
    results, errors = {}, []

    def one_run(name, task):
        action = action_running(lambda module_args: run_own_module(action, module_args), **task)
        action.met = False
        action.scope_turn_step = 0.01  # how often the waiting run tries again: any value passes, this one soon
        found_held = action._scope_held

        def scope_held(holder):
            action.met = True
            inside.wait()
            found_held(holder)

        action._scope_held = scope_held
        try:
            start.wait()
            results[name] = action.run(task_vars={})
        except BaseException as error:  # pylint: disable=broad-exception-caught  # the test thread's failure, for the test
            errors.append(error)
            inside.abort()

    def run_own_module(action, module_args):
        if not action.met:
            action.met = True
            inside.wait()
        return run_module(dict(module_args))

    runs = [
        threading.Thread(target=one_run, args=('schedule', ens_task(cloud, report_dir=str(tmp_path / 'schedule')))),
        threading.Thread(
            target=one_run, args=('event', ens_task(cloud, disk_ids=[disk], report_dir=str(tmp_path / 'event')))
        ),
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert not errors, errors
    assert len(copies_in(cloud, DR_NODE)) == 1
    first, second = sorted(results.values(), key=lambda result: result['scope_turn']['waited'])
    assert not first.get('failed') and not second.get('failed'), (first.get('msg'), second.get('msg'))
    assert first['scope_turn'] == {'waited': False, 'waited_seconds': 0.0, 'waited_for': None}
    assert first['totals']['copied'] == 1 and second['totals']['copied'] == 0 and second['totals']['existing'] == 1
    # The second says it waited, how long, and for which run (its run id, as the first run's report files name it).
    assert second['scope_turn']['waited'] is True and second['scope_turn']['waited_seconds'] >= 0
    assert second['scope_turn']['waited_for']['run_id'] == first['run_id']
    # Under the name of earlier releases too, for one release: a play that reads scope_lock still reads it.
    assert first['scope_lock'] == first['scope_turn'] and second['scope_lock'] == second['scope_turn']


def held_by_another_run(arguments, run_id='20261126T010000Z-aaaaaa'):
    """The scope of ``arguments`` held as another run holds it; the turn, to release."""
    provider = arguments['provider']
    other = ScopeTurn(
        turn_path(provider, arguments['source_region'], scope_identity(provider, arguments), turns_dir()),
        {'pid': 4242, 'since': '2026-11-26T01:00:00Z', 'run_id': run_id},
    )
    other.acquire(0)
    return other


def test_a_run_that_finds_its_scope_held_past_its_wait_timeout_does_nothing_and_names_the_other_run(tmp_path):
    task = {
        'provider': 'ens',
        'source_region': SOURCE_NODE,
        'dr_regions': [DR_NODE],
        'wait_timeout': 0,
        'report_dir': str(tmp_path),
    }
    other = held_by_another_run(task)
    try:
        action = action_running(REPORTED, **task)
        result = action.run(task_vars={})
    finally:
        other.release()
    assert result['failed'] and action.sent == []  # the module never ran
    assert result['msg'].startswith(
        'another DR run of ens cn-hangzhou-26 held it on this controller (run 20261126T010000Z-aaaaaa, '
        'process 4242, since 2026-11-26T01:00:00Z) for all of this run\'s wait_timeout of 0 s'
    )
    assert (
        result['scope_turn']['waited'] is True
        and result['scope_turn']['waited_for']['run_id'] == '20261126T010000Z-aaaaaa'
    )
    # The report files are the other run's: none written.
    assert reports_in(tmp_path) == []
    # The role's words.
    other = held_by_another_run(task)
    try:
        result = action_running(REPORTED, option_names='role', **task).run(task_vars={})
    finally:
        other.release()
    assert 'for all of this run\'s dr_copy_wait_timeout of 0 s' in result['msg']


def test_a_check_run_takes_no_turn_and_another_scope_is_not_held(tmp_path):
    task = {'provider': 'ens', 'source_region': SOURCE_NODE, 'dr_regions': [DR_NODE], 'wait_timeout': 0}
    other = held_by_another_run(task)
    try:
        checking = action_running(REPORTED, **task)
        checking._task.check_mode = True
        assert not checking.run(task_vars={}).get('failed') and len(checking.sent) == 1
        # Another source node, another account: other scopes.
        for scope in (dict(task, source_region='cn-shanghai-5'), dict(task, alicloud_access_key='LTAIanotheraccount')):
            result = action_running(REPORTED, **scope).run(task_vars={})
            assert not result.get('failed') and result['scope_turn']['waited'] is False
    finally:
        other.release()


SECRET = 'ext-id-never-shown-46'


@pytest.mark.parametrize(
    'given',
    [
        ['role_arn=arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id=' + SECRET],  # a survey's multiple choice
        [{'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id': SECRET}],
        SECRET,  # text that is no dict
        42,
    ],
)
def test_a_dr_account_that_is_no_dict_is_refused_before_the_module_without_its_value(given, tmp_path):
    """Issue 46 (9): the module, given another type, echoes it (its invocation, shown at -vvv); no_log holds only for a
    dict."""
    task = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': ['us-west-2'],
        'dr_account': given,
        'report_dir': str(tmp_path),
    }
    for names, variable in (('module', 'dr_account'), ('role', 'dr_copy_dr_account')):
        action = action_running(REPORTED, option_names=names, **task)
        result = action.run(task_vars={})
        assert result['failed'] and action.sent == []
        assert result['msg'].startswith(
            variable + ' is a dict of role_arn, role_session_name and external_id, or the text form of one'
        )
        assert SECRET not in repr(result) and 'invocation' not in result
    # Its files say the run failed, as after any bad input; without the value either.
    assert all(SECRET not in (tmp_path / name).read_text() for name in reports_in(tmp_path))


def test_the_text_form_of_dr_account_reaches_the_module_as_a_dict():
    text = 'role_arn=arn:aws:iam::222233334444:role/snapcopy-dr external_id=' + SECRET
    assert dr_account_argument({'dr_account': text}) == (
        {'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id': SECRET},
        None,
    )
    action = action_running(REPORTED, provider='aws', source_region='us-east-1', dr_account=text)
    action.run(task_vars={})
    assert action.sent[0]['dr_account'] == {
        'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr',
        'external_id': SECRET,
    }
    for empty in ('', '  ', None, {}):
        assert dr_account_argument({'dr_account': empty}) == (empty, None)
