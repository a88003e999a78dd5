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
import time
import urllib.request

from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS, REPO, ansible_bin, clean_environment

SECTION = '### Your own playbook on the emulators'


def section():
    with open(os.path.join(DOCS, 'quickstart.md'), encoding='utf-8') as handle:
        text = handle.read()
    start = text.index(SECTION)
    end = text.find('\n## ', start)
    return text[start:end if end > 0 else len(text)]


def emulators_command(config):
    """What make emulators runs (the Makefile's recipe, with its variables filled in)."""
    with open(os.path.join(REPO, 'Makefile'), encoding='utf-8') as handle:
        makefile = handle.read()
    recipe = makefile[makefile.index('\nemulators:'):]
    recipe = recipe[:recipe.index('\n\n')]
    assert 'tests/utils/with_emulators.py --config $(BUILD)/emulators.json' in recipe
    assert 'tests/utils/emulators_up.py' in recipe and '$(BUILD)/emulators.json' in recipe
    return [sys.executable, os.path.join(REPO, 'tests', 'utils', 'with_emulators.py'), '--config', config, '--',
            sys.executable, os.path.join(REPO, 'tests', 'utils', 'emulators_up.py'), config]


def test_the_quickstarts_own_playbook_runs_on_the_emulators_make_emulators_keeps_up(tmp_path):
    text = section()
    assert 'make emulators' in text
    (playbook,) = re.findall(r'```yaml\n(.*?)```', text, re.DOTALL)
    (command,) = [line for line in re.findall(r'```sh\n(.*?)```', text, re.DOTALL)[1].splitlines() if 'ansible-playbook' in line]
    assert command == 'ANSIBLE_COLLECTIONS_PATH=build/collections ansible-playbook my-dr.yml -e @build/emulators.json'
    (tmp_path / 'my-dr.yml').write_text(playbook, encoding='utf-8')
    config = str(tmp_path / 'emulators.json')

    up = subprocess.Popen(emulators_command(config), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          start_new_session=True)
    try:
        first = up.stdout.readline()
        assert first.startswith('emulators up:'), first
        with open(config, encoding='utf-8') as stream:
            table = text.split('| variable | what |')[1].split('\n\n')[0]
            documented = {name for row in table.splitlines() if row.startswith('| `')
                          for name in re.findall(r'`([a-z_]+)`', row.split('|')[1])}
            assert documented == set(json.load(stream)), 'the page lists other variables than build/emulators.json holds'
        env = clean_environment(tmp_path)
        first_run, second_run = run_playbook(tmp_path, config, env), run_playbook(tmp_path, config, env)
    finally:
        os.killpg(up.pid, signal.SIGINT)  # Ctrl-C, as the page says: to the whole process group
        stopped = up.wait(timeout=30)
    assert first_run.returncode == 0, first_run.stdout[-3000:] + first_run.stderr[-2000:]
    assert re.search(r'localhost\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0', first_run.stdout), first_run.stdout[-2000:]
    # The second run seeds another disk (so the role copies again), and finds the module's copy made before.
    assert second_run.returncode == 0, second_run.stdout[-3000:]
    assert stopped == 0, up.stdout.read()
    deadline = time.monotonic() + 10
    with open(config, encoding='utf-8') as stream:
        url = json.load(stream)['fakecloud_url']
    while time.monotonic() < deadline and reachable(url):
        time.sleep(0.2)
    assert not reachable(url), 'fakecloud still answers after make emulators was stopped'


def run_playbook(folder, config, env):
    return subprocess.run([ansible_bin('ansible-playbook'), 'my-dr.yml', '-e', '@' + config], cwd=str(folder), env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def reachable(url):
    try:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url + '/_admin/calls', timeout=2).close()
    except OSError:
        return False
    return True
