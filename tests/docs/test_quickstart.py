"""The quickstart's "Your own playbook on the emulators", followed as a reader follows it: make emulators' command
keeps the emulators up and writes their vars file, the page's playbook runs against them with the page's command,
and the emulators stop when that command is stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS, REPO, ansible_bin, clean_environment
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
    (command,) = [
        line for line in re.findall(r'```sh\n(.*?)```', text, re.DOTALL)[1].splitlines() if 'ansible-playbook' in line
    ]
    assert command == 'ANSIBLE_COLLECTIONS_PATH=build/collections ansible-playbook my-dr.yml -e @build/emulators.json'
    (tmp_path / 'my-dr.yml').write_text(playbook, encoding='utf-8')
    config = str(tmp_path / 'emulators.json')

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
        # One run: it proves the page's playbook and command on emulators that stay up. That a rerun copies nothing more,
        # the README's test and the integration targets prove.
        run = run_playbook(tmp_path, config, clean_environment(tmp_path))
    finally:
        os.killpg(up.pid, signal.SIGINT)  # Ctrl-C, as the page says: to the whole process group
        stopped = up.wait(timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r'localhost\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0', run.stdout), run.stdout[
        -2000:
    ]
    assert stopped == 0, up.stdout.read()
    # with_emulators.py waits for the emulators it stops before it ends: nothing may answer once it has.
    assert not reachable(emulators['fakecloud_url']), 'fakecloud still answers after make emulators was stopped'


def run_playbook(folder, config, env):
    return subprocess.run(
        [ansible_bin('ansible-playbook'), 'my-dr.yml', '-e', '@' + config],
        cwd=str(folder),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def reachable(url):
    try:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + '/_admin/calls', timeout=2).close()
    except OSError:
        return False
    return True
