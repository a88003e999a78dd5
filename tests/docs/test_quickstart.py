"""The quickstart's "Your own playbook on the emulators", followed as a reader follows it: make emulators' command
keeps the emulators up and writes their vars file; in a clone's folder, the page's commands as printed (the venv's
activation, the collection's path, then the page's playbook with --check, run, and run again), each held to the recap
its comment promises; and the emulators stop when that command is stopped (issue 47: under --check the playbook failed,
and its rerun changed what the page said it would not)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

from ansible_collections.snapcopy.cloud.tests.docs.helpers import (
    COLLECTIONS,
    DOCS,
    REPO,
    block_commands,
    clean_environment,
    recap_changed,
    shell,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminClient

SECTION = '### Your own playbook on the emulators'


def section():
    with open(os.path.join(DOCS, 'quickstart.md'), encoding='utf-8') as handle:
        text = handle.read()
    start = text.index(SECTION)
    end = text.find('\n## ', start)
    return text[start : end if end > 0 else len(text)]


def emulators_command(config):
    """What make emulators runs (the Makefile's recipe, with its variables filled in)."""
    with open(os.path.join(REPO, 'Makefile'), encoding='utf-8') as handle:
        makefile = handle.read()
    recipe = makefile[makefile.index('\nemulators:') :]
    recipe = recipe[: recipe.index('\n\n')]
    assert 'tests/utils/with_emulators.py --config $(BUILD)/emulators.json' in recipe
    assert 'tests/utils/emulators_up.py' in recipe and '$(BUILD)/emulators.json' in recipe
    return [
        sys.executable,
        os.path.join(REPO, 'tests', 'utils', 'with_emulators.py'),
        '--config',
        config,
        '--',
        sys.executable,
        os.path.join(REPO, 'tests', 'utils', 'emulators_up.py'),
        config,
    ]


def test_the_quickstarts_own_playbook_runs_on_the_emulators_make_emulators_keeps_up(tmp_path):
    text = section()
    assert 'make emulators' in text
    (playbook,) = re.findall(r'```yaml\n(.*?)```', text, re.DOTALL)
    (block,) = [body for body in re.findall(r'```sh\n(.*?)```', text, re.DOTALL) if 'my-dr.yml' in body]
    commands = list(block_commands('docs/quickstart.md', block))
    assert [command.text for command in commands] == [
        '. .venv/bin/activate',
        'export ANSIBLE_COLLECTIONS_PATH=$PWD/build/collections',
        'ansible-playbook my-dr.yml -e @build/emulators.json --check',
        'ansible-playbook my-dr.yml -e @build/emulators.json',
        'ansible-playbook my-dr.yml -e @build/emulators.json',
    ]
    # A clone's folder, as the reader's shell has it: the page's playbook, and build/ with the collection and
    # emulators.json.
    (tmp_path / 'my-dr.yml').write_text(playbook, encoding='utf-8')
    (tmp_path / 'build').mkdir()
    os.symlink(COLLECTIONS, str(tmp_path / 'build' / 'collections'))
    config = str(tmp_path / 'build' / 'emulators.json')

    up = subprocess.Popen(
        emulators_command(config),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        first = up.stdout.readline()
        assert first.startswith('emulators up:'), first
        with open(config, encoding='utf-8') as stream:
            emulators = json.load(stream)
        table = text.split('| variable | what |')[1].split('\n\n')[0]
        documented = {
            name
            for row in table.splitlines()
            if row.startswith('| `')
            for name in re.findall(r'`([a-z_]+)`', row.split('|')[1])
        }
        assert documented == set(emulators), 'the page lists other variables than build/emulators.json holds'
        # The page's copy waits for fakecloud's default 4 s, where the test only needs the copy done: 0.3 s here.
        AdminClient(emulators['fakecloud_url']).configure(
            timings={'ecs': {'snapshot_seconds': 0.3, 'copy_seconds': 0.3}}
        )
        # The venv that runs these tests is the clone's .venv, which make emulators made.
        outputs = shell(
            commands,
            tmp_path,
            clean_environment(tmp_path),
            {
                '. .venv/bin/activate': '. %s'
                % os.path.join(os.path.dirname(os.path.dirname(sys.executable)), 'bin', 'activate')
            },
        )
    finally:
        os.killpg(up.pid, signal.SIGINT)  # Ctrl-C, as the page says: to the whole process group
        stopped = up.wait(timeout=120)
    for command, output in zip(commands[2:], outputs):
        assert recap_changed(output) == int(re.match(r'changed=(\d+): ', command.claim).group(1)), (
            command,
            output[-3000:],
        )
    assert stopped == 0, up.stdout.read()
    # with_emulators.py waits for the emulators it stops before it ends: nothing may answer once it has.
    assert not reachable(emulators['fakecloud_url']), 'fakecloud still answers after make emulators was stopped'
    # Nor may their dead addresses stay behind for the next playbook: the vars file and the shell's go with them.
    assert not os.path.exists(config) and not os.path.exists(os.path.splitext(config)[0] + '.env')


def reachable(url):
    try:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + '/_admin/calls', timeout=2).close()
    except OSError:
        return False
    return True
