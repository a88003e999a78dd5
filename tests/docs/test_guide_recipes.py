"""The guides' recipes on the emulators, followed as a newcomer follows them (issue 62): each guide a newcomer reads ends
with a section "On the emulators" that makes the guide's feature happen on make emulators' moto and fakecloud. Its
files (each YAML block whose first line names its file) are saved in a clone's folder, its commands run as printed, one
after another in one shell (the venv's activation, the collection's path, build/emulators.env), each ansible-playbook
held to the recap its comment promises; then the report the runs wrote is held to what the guide says it shows.

The emulators are make emulators' own (its command, as test_quickstart.py runs it), up once for the module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from ansible_collections.snapcopy.cloud.tests.docs.helpers import (
    COLLECTIONS,
    REPO,
    block_commands,
    clean_environment,
    shell,
)
from ansible_collections.snapcopy.cloud.tests.docs.test_quickstart import emulators_command
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminClient

SECTION = '## On the emulators'
FENCE = re.compile(r'^( *)```(\w*)\n(.*?)^\1```', re.S | re.M)
FILE_NAME = re.compile(r'# ([\w.-]+\.ya?ml)\n')
GUIDES = ('docs/verify.md', 'docs/restore.md', 'docs/consistency.md', 'docs/fleet.md')
# A recap's line: each host's counts (a fleet's scopes are its hosts).
RECAP_LINE = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def section(page):
    with open(os.path.join(REPO, page), encoding='utf-8') as stream:
        text = stream.read()
    start = text.index('\n' + SECTION + '\n')
    end = text.find('\n## ', start + 1)
    return text[start : end if end > 0 else len(text)]


def recipe(page):
    """({file name: its text}, [the commands]) of the page's section on the emulators, in the page's order."""
    files, commands = {}, []
    for indent, language, body in FENCE.findall(section(page)):
        body = '\n'.join(line[len(indent) :] for line in body.splitlines()) + '\n'
        named = FILE_NAME.match(body)
        if language == 'yaml' and named:
            files[named.group(1)] = body
        elif language == 'sh':
            commands.extend(block_commands(page, body))
    return files, commands


@pytest.fixture(scope='module')
def emulators(tmp_path_factory):
    """make emulators' command, up for the module: (its build folder, its vars)."""
    build = tmp_path_factory.mktemp('clone') / 'build'
    build.mkdir()
    config = str(build / 'emulators.json')
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
        assert first.startswith('emulators up:'), first + up.stdout.read()
        # Its next lines say where it wrote the vars file and the environment (once written).
        line = ''
        while not line.startswith('The same as environment variables'):
            line = up.stdout.readline()
            assert line, up.stdout.read()
        with open(config, encoding='utf-8') as stream:
            yield build, json.load(stream)
    finally:
        os.killpg(up.pid, signal.SIGINT)
        up.wait(timeout=120)


def follow(page, clone, emulators):  # pylint: disable=redefined-outer-name
    """The page's recipe in the folder ``clone`` (a clone's, with build/ as make emulators leaves it): its files saved,
    its commands run; the output of each command that is not set-up, by its text."""
    build, dummy = emulators
    (clone / 'build').mkdir()
    os.symlink(COLLECTIONS, str(clone / 'build' / 'collections'))
    for name in ('emulators.json', 'emulators.env'):
        shutil.copy(str(build / name), str(clone / 'build' / name))
    files, commands = recipe(page)
    assert files and commands, page
    for name, text in files.items():
        (clone / name).write_text(text, encoding='utf-8')
    # make emulators is up already (the fixture): the page's other commands, as printed.
    commands = [command for command in commands if command.text != 'make emulators']
    venv = os.path.dirname(os.path.dirname(sys.executable))
    outputs = shell(commands, clone, clean_environment(clone), {'. .venv/bin/activate': '. %s/bin/activate' % venv})
    runs = [command for command in commands if not command.text.startswith(('export ', '. '))]
    for command, output in zip(runs, outputs):
        promised = re.match(r'changed=(\d+)', command.claim)
        if promised:
            assert recap_changed_in_all(output) == int(promised.group(1)), (page, command.text, output[-4000:])
    return dict(zip([command.text for command in runs], outputs))


def recap_changed_in_all(output):
    """The recap's changed, over all its hosts (localhost alone for a playbook, the scopes for a fleet), each of which
    neither unreachable nor failed."""
    hosts = RECAP_LINE.findall(output)
    assert hosts and all(unreachable == failed == '0' for dummy, dummy, unreachable, failed in hosts), hosts
    return sum(int(changed) for dummy, changed, dummy, dummy in hosts)


def report(clone, name):
    with open(str(clone / 'dr-reports' / (name + '.json')), encoding='utf-8') as stream:
        return json.load(stream)


def test_every_guide_has_a_recipe_the_tests_follow():
    """Each guide of GUIDES has its section, with files and an ansible-playbook, and a test here that follows it."""
    for page in GUIDES:
        files, commands = recipe(page)
        assert files and any(command.text.startswith('ansible-playbook ') for command in commands), page
        assert callable(globals().get('test_%s_recipe' % os.path.basename(page)[: -len('.md')])), page


def test_verify_recipe(emulators, tmp_path):  # pylint: disable=redefined-outer-name
    """verify.md: a verified copy, then a suspect one (the whole disk rewritten), standing by the verified one."""
    follow('docs/verify.md', tmp_path, emulators)
    data = report(tmp_path, 'dr-report-aws-eu-west-1')
    (disk,) = data['protection']['disks']
    (region,) = disk['regions']
    assert data['protection']['status'] == 'at risk', data['protection']
    assert region['suspect'] and region['doubt'] == 'suspect', region
    # The verified first copy is the last known good one, the disk's recovery point; the suspect one is the second.
    assert region['verified_copy_id'] == region['last_known_good'] == region['copy_id'] != region['doubt_copy_id']
    assert any('in doubt (suspect)' in warning for warning in data['run_warnings']), data['run_warnings']
    page = (tmp_path / 'dr-reports' / 'dr-report-aws-eu-west-1.html').read_text(encoding='utf-8')
    assert region['doubt_copy_id'] in page and region['verified_copy_id'] in page


def test_restore_recipe(emulators, tmp_path):  # pylint: disable=redefined-outer-name
    """restore.md: a drill whose own checks pass, on a disk attached to the seeded instance, then deleted."""
    follow('docs/restore.md', tmp_path, emulators)
    restore = report(tmp_path, 'dr-report-ecs-cn-qingdao')['restore']
    assert restore['validation']['state'] == 'passed' and restore['totals']['passed'] == 1, restore
    (test,) = restore['tests']
    assert test['validation'] == 'passed' and test['attached_to'] == 'i-drilldemo0000000001', test
    assert test['test_disk']['action'] == 'deleted' and test['seconds_to_validated'] is not None, test
    # The drill's test disks are gone from the emulator: nothing left behind.
    state = AdminClient(emulators[1]['fakecloud_url']).state(cloud='ecs', region='cn-beijing')['ecs']
    assert not [disk for region in state.values() for disk in region['disks']], state


def test_consistency_recipe(emulators, tmp_path):  # pylint: disable=redefined-outer-name
    """consistency.md: the instance's two disks copied as one set, counted as one group."""
    follow('docs/consistency.md', tmp_path, emulators)
    data = report(tmp_path, 'dr-report-ecs-cn-shenzhen')
    groups = [disk['consistency_group'] for disk in data['disks']]
    assert len(groups) == 2 and groups[0] == groups[1], groups
    assert groups[0]['name'] == 'i-groupdemo00000000001' and groups[0]['set_id'].startswith('ssg-'), groups
    assert data['protection']['status'] == 'protected', data['protection']
    page = (tmp_path / 'dr-reports' / 'dr-report-ecs-cn-shenzhen.html').read_text(encoding='utf-8')
    assert 'i-groupdemo00000000001' in page and groups[0]['set_id'] in page


def test_fleet_recipe(emulators, tmp_path):  # pylint: disable=redefined-outer-name
    """fleet.md: the dr_scopes walk-through over an AWS organisation (moto) and an Alibaba Cloud resource directory
    (fakecloud): the scopes, the posture read (the management account's scope of no disk has nothing to protect, as
    dr_copy_allow_no_disks expects: issue 62), then the run; the accounts without a scope and the near miss listed."""
    outputs = follow('docs/fleet.md', tmp_path, emulators)
    (shop,) = re.findall(r"'shop': '(\d{12})'", next(text for command, text in outputs.items() if 'boto3' in command))
    scopes = {
        'aws-123456789012-us-east-2': 'nothing to protect',
        'aws-%s-us-east-2' % shop: 'protected',
        'ecs-2345678901234567-cn-hangzhou': 'protected',
    }
    (graph,) = [text for command, text in outputs.items() if command.endswith('--graph')]
    assert all(scope in graph for scope in scopes), graph
    # The posture read (the fleet's first report, kept in its history), then the run's report.
    history = tmp_path / 'dr-reports' / 'history' / 'dr-fleet-report'
    posture, run = [
        json.loads((history / name).read_text(encoding='utf-8'))
        for name in sorted(os.listdir(str(history)))
        if name.endswith('.json')
    ]
    assert {row['scope']: row['status'] for row in posture['scopes']} == dict(
        scopes, **{scope: 'at risk' for scope, status in scopes.items() if status == 'protected'}
    ), posture['scopes']
    assert posture['totals']['no_copy'] == 2 and posture['totals']['nothing_to_protect_scopes'] == 1, posture['totals']
    assert run == report(tmp_path, 'dr-fleet-report')
    assert {row['scope']: row['status'] for row in run['scopes']} == scopes, run['scopes']
    totals = run['totals']
    assert totals['copied'] == 2 and totals['no_copy'] == 0 and totals['failed_scopes'] == 0, totals
    assert totals['accounts_without_scope'] == 2 and totals['not_covered'] == 1, totals
    without = {
        organization['provider']: [(row['name'], row['why']) for row in organization['without_scope']]
        for organization in run['organizations']
    }
    assert without == {
        'aws': [('lab', 'excluded: in unit Sandbox')],
        'ecs': [('management@example.com', 'in none of the units included (prod)')],
    }, without
    (near,) = run['not_covered_disks']
    assert near['account'] == shop and near['name'] == 'shop-Backup' and near['near_miss'] == ['Backup=dr'], near
    page = (tmp_path / 'dr-reports' / 'dr-fleet-report.html').read_text(encoding='utf-8')
    assert 'excluded: in unit Sandbox' in page and near['disk_id'] in page and 'nothing to protect' in page
