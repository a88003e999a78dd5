"""Issue 62: pages that never raise a false alarm nor lose what they knew, run as a newcomer runs them
(ansible-playbook on the role and on snapcopy.cloud.dr_fleet, the real SDK against fakecloud).

- A scope of no disk that dr_copy_allow_no_disks expects has nothing to protect: neutral, never "no copy" (the fleet's
  no copy column said 0 beside red "no copy (no disk)" marks). A check run with every copy in place speaks in the
  plan's words ("would be protected"), where it said "not known".
- ``--check`` of the fleet writes its plan as dr-fleet-plan.*, never over dr-fleet-report.* nor a scope's report: those
  stay byte for byte.
- A run stopped by a typo before it read its scope (a DR region cn_beijing, an empty source region, a source region the
  cloud does not know) leaves the scope's files byte for byte, and no file named after the typo.
- The fleet's summary at the end of the job is plain lines at the default verbosity, one per scope and the totals, not a
  JSON list of Markdown table rows; the posture-only run (dr_posture_info) takes dr_copy_allow_no_disks as a run does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess

import yaml

from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_role_arguments import (
    ALIBABA,
    COLLECTIONS_ROOT,
    ansible_bin,
    fatal_lines,
    play,
    playbook,
    role_task,
)

SOURCE, EMPTY_SOURCE, DR = 'cn-hangzhou', 'cn-shanghai', 'cn-beijing'


def digests(folder):
    """{file name: sha256} of every file under ``folder`` (the history folders too)."""
    found = {}
    for root, dummy, names in os.walk(str(folder)):
        for name in names:
            path = os.path.join(root, name)
            with open(path, 'rb') as stream:
                found[os.path.relpath(path, str(folder))] = hashlib.sha256(stream.read()).hexdigest()
    return found


def fleet(tmp_path, url, check=False, *extra):
    """ansible-playbook snapcopy.cloud.dr_fleet over two ECS scopes, one with a tagged disk, one with none (allowed):
    (exit code, output)."""
    inventory = {
        'all': {
            'children': {
                'dr_scopes': {
                    'vars': {
                        'dr_copy_provider': 'ecs',
                        'dr_copy_dr_regions': [DR],
                        'dr_copy_tag_selector': {'backup': 'dr'},
                        'dr_copy_allow_no_disks': True,
                        'dr_copy_wait': True,
                        'dr_copy_poll_interval': 0.2,
                        'dr_copy_connection_defaults': dict(ALIBABA, endpoint_url=url),
                        'dr_copy_report_dir': str(tmp_path / 'reports'),
                    },
                    'hosts': {
                        'ecs-shop': {'dr_copy_source_region': SOURCE},
                        'ecs-empty': {'dr_copy_source_region': EMPTY_SOURCE},
                    },
                }
            }
        }
    }
    (tmp_path / 'fleet.yml').write_text(yaml.safe_dump(inventory))
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
    )
    done = subprocess.run(
        [ansible_bin('ansible-playbook'), 'snapcopy.cloud.dr_fleet', '-i', 'fleet.yml', '--forks', '2']
        + (['--check'] if check else [])
        + list(extra),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def summary(output):
    """The fleet's summary as the job printed it: the lines between its task's banner and the task's ok line."""
    task = output[output.index('TASK [Write the fleet report and show it]') :]
    lines = task.splitlines()[1:]
    return '\n'.join(lines[: next(index for index, line in enumerate(lines) if line.startswith('ok: ['))]).strip()


def assert_plain_lines(text, *scope_lines):
    """Each of ``scope_lines`` (patterns of a scope's line) matches one line of ``text`` and names its scope once in it;
    no JSON quoting, no list, no Markdown table."""
    assert not re.search(r'["|{}\[\]]', text.replace('.{json,md,html}', '')), text
    for pattern in scope_lines:
        assert len([line for line in text.splitlines() if re.match(pattern, line)]) == 1, (pattern, text)
    # The one line that may name a scope again says which of its plan's lines has no price.
    lines = [line for line in text.splitlines() if not line.strip().startswith('Not priced')]
    for scope in ('ecs-shop', 'ecs-empty'):
        assert '\n'.join(lines).count(scope) == 1, (scope, text)


def read_json(path):
    with open(str(path), encoding='utf-8') as stream:
        return json.load(stream)


def test_a_fleet_check_run_writes_its_plan_beside_the_reports_and_an_empty_allowed_scope_is_neutral(
    fakecloud_clean, tmp_path
):
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': SOURCE, 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    reports = tmp_path / 'reports'
    code, output = fleet(tmp_path, fakecloud_clean.url)
    assert code == 0, output[-4000:]
    report = read_json(reports / 'dr-fleet-report.json')
    rows = {row['scope']: row for row in report['scopes']}
    # The empty scope: nothing to protect, last, no copy counted, no red mark; the fleet's totals not lowered.
    assert [row['scope'] for row in report['scopes']] == ['ecs-shop', 'ecs-empty']
    assert (rows['ecs-shop']['status'], rows['ecs-empty']['status']) == ('protected', 'nothing to protect')
    assert rows['ecs-empty']['no_copy'] == rows['ecs-empty']['missing_copies'] == 0
    assert report['totals']['no_copy'] == 0 and report['totals']['at_risk_scopes'] == 0
    assert report['totals']['not_known_scopes'] == 0 and report['totals']['nothing_to_protect_scopes'] == 1
    page = (reports / 'dr-fleet-report.html').read_text()
    empty_row = page.split('<tr data-scope="ecs-empty">')[1].split('</tr>')[0]
    assert 'status-neutral' in empty_row and 'data-standing="no_disk"' in empty_row
    assert 'no copy' not in empty_row and 'status-at-risk' not in empty_row
    assert '| ecs-empty | nothing to protect |' in (reports / 'dr-fleet-report.md').read_text()
    scope_page = (reports / 'dr-report-ecs-empty.html').read_text().split('</style>')[1]
    assert 'data-status="nothing to protect"' in scope_page and 'status-at-risk' not in scope_page
    assert 'NOTHING TO PROTECT: 0 disks' in output
    shown = summary(output)
    assert shown.startswith('DR fleet report, '), shown
    assert_plain_lines(
        shown,
        r'^  PROTECTED +ecs-shop +1 +cn-beijing [0-9.]+ h +-$',
        r'^  NOTHING TO PROTECT +ecs-empty +0 +cn-beijing no disk +-$',
    )
    assert (
        '  Scopes: 2 (1 protected, 1 nothing to protect)\n  Disks: 1 (1 protected); 0 disks without a DR copy' in shown
    )
    assert shown.endswith('Fleet report files: %s/dr-fleet-report.{json,md,html}' % reports)

    before = digests(reports)
    code, output = fleet(tmp_path, fakecloud_clean.url, check=True)
    assert code == 0, output[-4000:]
    after = digests(reports)
    # Every file there before is there, byte for byte: the fleet's report, its history, each scope's.
    assert {name: after.get(name) for name in before} == before
    plan = read_json(reports / 'dr-fleet-plan.json')
    assert plan['check_mode'] and {row['scope']: row['status'] for row in plan['scopes']} == {
        'ecs-shop': 'would be protected',
        'ecs-empty': 'nothing to protect',
    }
    assert os.path.exists(str(reports / 'dr-fleet-plan.html')) and os.path.exists(str(reports / 'dr-fleet-plan.md'))
    shown = summary(output)
    assert shown.startswith('DR fleet plan, ') and 'check mode, nothing was changed' in shown.splitlines()[0], shown
    assert_plain_lines(
        shown,
        r'^  WOULD BE PROTECTED +ecs-shop +1 +cn-beijing [0-9.]+ h +-$',
        r'^  NOTHING TO PROTECT +ecs-empty +0 +cn-beijing no disk +-$',
    )
    assert shown.endswith('Fleet report files: %s/dr-fleet-plan.{json,md,html}' % reports)
    # The plan in its own words, never "NOT KNOWN".
    assert 'Check mode: WOULD BE PROTECTED: 1 disk' in output and 'NOT KNOWN' not in output
    shop_plan = read_json(reports / 'dr-plan-ecs-shop.json')
    assert shop_plan['protection']['status'] == 'would be protected'
    assert 'data-status="would be protected"' in (reports / 'dr-plan-ecs-shop.html').read_text()


def test_the_posture_only_fleet_reads_an_empty_allowed_scope_as_nothing_to_protect(fakecloud_clean, tmp_path):
    """-e dr_fleet_posture_only=true reads each scope with dr_posture_info, which takes dr_copy_allow_no_disks as the
    role does: the empty scope has nothing to protect (it was "not known"), and the summary says so in plain lines."""
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': SOURCE, 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    fakecloud_clean.admin.calls(reset=True)
    code, output = fleet(tmp_path, fakecloud_clean.url, False, '-e', 'dr_fleet_posture_only=true')
    assert code == 0, output[-4000:]
    assert fakecloud_clean.admin.calls()['total_mutations'] == 0
    report = read_json(tmp_path / 'reports' / 'dr-fleet-report.json')
    assert {row['scope']: (row['status'], row['run']) for row in report['scopes']} == {
        'ecs-shop': ('at risk', 'finished'),
        'ecs-empty': ('nothing to protect', 'finished'),
    }
    assert report['totals']['not_known_scopes'] == 0
    shown = summary(output)
    assert_plain_lines(
        shown,
        r'^  AT RISK +ecs-shop +1 +cn-beijing none +1 disk without a DR copy$',
        r'^  NOTHING TO PROTECT +ecs-empty +0 +cn-beijing no disk +-$',
    )
    assert '  Scopes: 2 (1 at risk, 1 nothing to protect)' in shown and 'not known' not in shown


def test_a_run_stopped_by_a_typo_leaves_the_scopes_files_as_they_were_and_none_named_after_it(
    fakecloud_clean, tmp_path
):
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': SOURCE, 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    reports = tmp_path / 'reports'
    good = {
        'dr_copy_provider': 'ecs',
        'dr_copy_source_region': SOURCE,
        'dr_copy_dr_regions': [DR],
        'dr_copy_tag_selector': {'backup': 'dr'},
        'dr_copy_connection': dict(ALIBABA, endpoint_url=fakecloud_clean.url),
        'dr_copy_report_dir': str(reports),
        'dr_copy_wait': True,
        'dr_copy_poll_interval': 0.2,
    }
    typos = [
        ('a DR region with an underscore', {'dr_copy_dr_regions': ['cn_beijing']}, 'dr_copy_dr_regions'),
        ('an empty source region', {'dr_copy_source_region': ''}, 'dr_copy_source_region'),
        ('a misspelt source region', {'dr_copy_source_region': 'cn-hangzou'}, 'dr_copy_source_region'),
    ]
    # The first run, the typos and the run after in one ansible-playbook (each its own task and module run, as in a
    # run of its own: three starts cost about 4 CPU s more); between them a controller-side copy of the reports' folder
    # (a lookup, no module run) keeps the files as each step left them, for the digests below.
    tasks = [
        role_task('the first run', good),
        kept_as(reports, tmp_path / 'after-the-first-run'),
        *(role_task(name, dict(good, **typo), rescued=True) for name, typo, dummy in typos),
        kept_as(reports, tmp_path / 'after-the-typos'),
        role_task('the run after', good),
    ]
    code, output = playbook(tmp_path, play(tasks), {})
    assert code == 0, output[-3000:]
    before = digests(tmp_path / 'after-the-first-run')
    assert 'dr-report-ecs-%s.html' % SOURCE in before
    fatal = fatal_lines(output)
    assert len(fatal) == len(typos), output[-4000:]
    for line, (dummy, dummy, variable) in zip(fatal, typos):
        assert variable in line, line
    assert 'cn-hangzou' in fatal[2] and 'InvalidRegionId.NotFound' in fatal[2]
    # The scope's page, report, history and previous report are as the first run wrote them, and nothing else is there.
    assert digests(tmp_path / 'after-the-typos') == before
    # The run after the typo still finds the last finished report, and replaces it as a run does.
    assert read_json(reports / ('dr-report-ecs-%s.previous.json' % SOURCE))['run_state'] == 'finished'
    assert digests(reports) != before


def kept_as(folder, copy):
    """A task that copies ``folder`` to ``copy`` on the controller (a pipe lookup in a debug task: no module run)."""
    command = 'cp -a %s %s' % (shlex.quote(str(folder)), shlex.quote(str(copy)))
    return {
        'name': 'Keep %s' % copy.name,
        'ansible.builtin.debug': {'msg': "{{ lookup('ansible.builtin.pipe', %s) }}" % json.dumps(command)},
    }
