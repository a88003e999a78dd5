"""Issue 37 (f): the report files say what happened in this run, or that the run failed before it could know.

dr_sync's action writes "run <id> started, not finished" before the module starts (what a killed run leaves), the
failure when the run ends without a report, and the report when it has one; the last finished report is kept beside
them as .previous. Nothing of an earlier run is ever shown as this run's."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    WITHIN_RPO,
    DiskProtection,
    RegionProtection,
    ScopeProtection,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils import _run_reports
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import (
    COLOURS,
    dr_report_html,
    fleet_report_html,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import (
    REPORTED,
    action_running,
    reports_in,
)

GREEN = COLOURS[WITHIN_RPO]
NAME = 'aws-us-east-1'
TASK = {
    'provider': 'aws',
    'source_region': 'us-east-1',
    'dr_regions': ['us-west-2', {'region': 'eu-west-1'}],
    'report_name': NAME,
}
# The report of an earlier run, which claimed locks and shares.
EARLIER = dict(
    REPORTED,
    generated_at='2026-11-21T10:00:00Z',
    run_id='20261121T100000Z-0a0b0c',
    failures=[],
    dr_account={
        'account': '222233334444',
        'released': ['snap-0earlier'],
        'would_release': [],
        'held': [],
        'release_failed': [],
    },
    totals=dict(REPORTED['totals'], locked=3),
)
# A cloud error that ends the run before its report, as errors_end_the_task fails the module.
REFUSED = {
    'failed': True,
    'msg': 'DescribeLockedSnapshots failed: UnauthorizedOperation: You are not authorized '
    '(region us-west-2) [request id 4a5b-77]',
    'error': {
        'action': 'DescribeLockedSnapshots',
        'code': 'UnauthorizedOperation',
        'message': 'You are not authorized',
        'request_id': '4a5b-77',
    },
    'module_stderr': 'Traceback: secret_key=wJalrXUtnFEMI',
    'invocation': {'module_args': {'secret_key': 'wJalrXUtnFEMI'}},
}


def files(folder, previous=False):
    suffix = '.previous' if previous else ''
    kinds = (('json', 'json'), ('markdown', 'md'), ('html', 'html'))
    return {kind: os.path.join(str(folder), 'dr-report-%s%s.%s' % (NAME, suffix, ext)) for kind, ext in kinds}


def read(folder, previous=False):
    paths = files(folder, previous)
    with open(paths['json'], encoding='utf-8') as stream:
        data = json.load(stream)
    with open(paths['markdown'], encoding='utf-8') as stream:
        markdown = stream.read()
    with open(paths['html'], encoding='utf-8') as stream:
        html = stream.read()
    return data, markdown, html


def earlier_run(folder):
    """The report files of an earlier run that finished, as the action wrote them."""
    action_running(EARLIER, report_dir=str(folder), **TASK).run(task_vars={})
    assert read(folder)[0]['run_state'] == 'finished'


def claims_nothing(data, markdown, html):
    """No copy, lock, share or posture as current, and nothing drawn green."""
    assert not {'totals', 'disks', 'posture', 'dr_account', 'restore'} & set(data)
    assert data['failed'] is True
    assert 'snap-0earlier' not in markdown + html and '| locked |' not in markdown
    assert GREEN not in html and 'class="bar"' not in html and 'status-ok' not in html


def test_while_the_module_runs_the_files_say_this_run_started_and_has_not_finished(tmp_path):
    """What a killed run (SIGKILL of ansible-playbook, a lost controller) leaves: this run's marker, not the last run's
    claims; the last finished report kept beside it."""
    earlier_run(tmp_path)
    seen = {}

    def module(module_args):
        seen['args'] = module_args
        seen['files'] = read(tmp_path)
        seen['previous'] = read(tmp_path, previous=True)
        return dict(REPORTED, run_id=module_args['run_id'])

    action_running(module, report_dir=str(tmp_path), **TASK).run(task_vars={})
    data, markdown, html = seen['files']
    run_id = seen['args']['run_id']
    assert re.match(r'\d{8}T\d{6}Z-[0-9a-f]{6}\Z', run_id)
    assert data['run_state'] == 'started' and data['run_id'] == run_id and data['started_at'] == data['generated_at']
    assert (data['provider'], data['source_region'], data['dr_regions'], data['scope']) == (
        'aws',
        'us-east-1',
        ['us-west-2', 'eu-west-1'],
        NAME,
    )
    assert 'run %s started at %s and has not finished' % (run_id, data['started_at']) in data['msg']
    assert '**Not finished.** Run %s' % run_id in markdown and 'data-run-state="started"' in html
    claims_nothing(data, markdown, html)
    # The earlier report, named as the past.
    assert seen['previous'][0]['run_id'] == EARLIER['run_id'] and seen['previous'][0]['totals']['locked'] == 3
    assert data['previous_report']['run_id'] == EARLIER['run_id'] and data['previous_report']['files'] == files(
        tmp_path, previous=True
    )
    assert 'dr-report-%s.previous.html' % NAME in html
    # The run ended with its report: the files say what it did, under the same id.
    data = read(tmp_path)[0]
    assert (data['run_state'], data['run_id'], data['failed']) == ('finished', run_id, False)


def test_a_run_that_ends_without_a_report_leaves_files_that_say_it_failed_before_it_could_know(tmp_path):
    """Issue 37 4: a refused read ended the run after copies; the old report stayed, still claiming the old locks."""
    earlier_run(tmp_path)
    action = action_running(REFUSED, report_dir=str(tmp_path), **TASK)
    result = action.run(task_vars={})
    assert result['failed'] and result['report_files'] == files(tmp_path)
    data, markdown, html = read(tmp_path)
    assert data['run_state'] == 'failed_before_report' and data['run_id'] == action.sent[0]['run_id']
    assert data['error'] == {
        'msg': REFUSED['msg'],
        'action': 'DescribeLockedSnapshots',
        'code': 'UnauthorizedOperation',
        'message': 'You are not authorized',
        'request_id': '4a5b-77',
    }
    assert data['started_at'] <= data['ended_at'] and 'failed before it could know what it did' in data['msg']
    assert (
        '**Failed before it could know what it did.**' in markdown
        and '| DescribeLockedSnapshots | UnauthorizedOperation |' in markdown
    )
    assert 'data-run-state="failed_before_report"' in html and 'class="status-failed"' in html and '4a5b-77' in html
    claims_nothing(data, markdown, html)
    # No secret, and not the module's output: only the message and the cloud's error.
    assert 'wJalrXUtnFEMI' not in json.dumps(data) + markdown + html
    # The earlier report is history, whole.
    assert (
        read(tmp_path, previous=True)[0]['run_id'] == EARLIER['run_id']
        and data['previous_report']['generated_at'] == EARLIER['generated_at']
    )


def test_bad_input_of_a_scope_with_no_report_leaves_no_file_named_after_it(tmp_path):
    """Issue 47: a typo (source_region '') left dr-report-aws-.html behind, a page of a scope that does not exist."""
    task = dict(TASK)
    task.update(source_region='', report_name=None)
    result = action_running(
        {'failed': True, 'msg': 'source_region: must not be empty'}, report_dir=str(tmp_path), **task
    ).run(task_vars={})
    assert result['failed'] and 'report_files' not in result
    assert reports_in(tmp_path) == []


def test_input_the_module_refuses_of_a_scope_with_a_report_leaves_its_files_byte_for_byte(tmp_path):
    """Issue 62: a typo (a DR region cn_beijing) rewrote the scope's page as a failed run's."""
    earlier_run(tmp_path)
    before = {path: open(path, 'rb').read() for path in sorted(map(str, tmp_path.rglob('*'))) if os.path.isfile(path)}
    result = action_running(
        {'failed': True, 'msg': 'dr_regions: expected a region id, got cn_beijing', 'input_refused': True},
        report_dir=str(tmp_path),
        **TASK,
    ).run(task_vars={})
    assert result['failed'] and 'report_files' not in result
    after = {path: open(path, 'rb').read() for path in sorted(map(str, tmp_path.rglob('*'))) if os.path.isfile(path)}
    assert after == before


def test_a_run_that_ends_without_a_cloud_error_keeps_the_last_account_and_says_it_is_stale(tmp_path):
    """An end the module did not say was refused input (a module crash without a cloud error) of a scope with a report:
    its files say it failed, with the last account known."""
    earlier_run(tmp_path)
    action_running({'failed': True, 'msg': 'tag_selector: must not be empty'}, report_dir=str(tmp_path), **TASK).run(
        task_vars={}
    )
    data, markdown, html = read(tmp_path)
    assert data['run_state'] == 'failed_before_report' and data['error']['code'] is None
    assert (
        'Error: tag_selector: must not be empty' in markdown and data['previous_report']['run_id'] == EARLIER['run_id']
    )
    # The last account known, stale, never current: not protected, and nothing drawn green.
    known = data['protection']
    assert (
        known['stale']
        and 'tag_selector: must not be empty' in known['stale']
        and known['read_at'] == EARLIER['generated_at']
    )
    assert known['status'] != 'protected' and [disk['disk_id'] for disk in known['disks']] == ['vol-1']
    assert 'STALE: run %s failed before it could know' % data['run_id'] in markdown
    assert '**Stale: at risk**' in markdown and 'id="last-known"' in html and 'data-status="at risk"' in html
    claims_nothing(data, markdown, html)


class TaskTimeout(BaseException):
    """As ansible-core's TaskTimeoutError (a BaseException) ends an action at the task's timeout."""


@pytest.mark.parametrize(
    'error',
    [
        TaskTimeout('The command action failed to execute in the expected time frame (60)'),
        KeyboardInterrupt(),
        RuntimeError('a bug in the action'),
    ],
)
def test_a_timeout_an_interrupt_or_a_crash_leaves_files_that_say_the_run_failed(tmp_path, error):
    earlier_run(tmp_path)

    def module(module_args):
        raise error

    with pytest.raises(type(error)):
        action_running(module, report_dir=str(tmp_path), **TASK).run(task_vars={})
    data, markdown, html = read(tmp_path)
    assert data['run_state'] == 'failed_before_report' and type(error).__name__ in data['error']['msg']
    claims_nothing(data, markdown, html)
    assert read(tmp_path, previous=True)[0]['run_id'] == EARLIER['run_id']


def test_a_marker_left_by_a_kill_is_replaced_and_the_earlier_report_stays_history(tmp_path, monkeypatch):
    """A SIGKILL runs no handler: the files keep the marker. The next run replaces it, keeps the last finished report."""
    earlier_run(tmp_path)
    # The kill: the marker is written, then nothing more (fail never runs).
    monkeypatch.setattr(_run_reports.RunReportFiles, 'fail', lambda self, error, ended_at: False)
    with pytest.raises(SystemExit):
        action_running(
            lambda module_args: (never for never in ()).throw(SystemExit(-9)), report_dir=str(tmp_path), **TASK
        ).run(task_vars={})
    left = read(tmp_path)[0]
    assert left['run_state'] == 'started'
    monkeypatch.undo()
    action = action_running(
        lambda module_args: dict(REPORTED, run_id=module_args['run_id']), report_dir=str(tmp_path), **TASK
    )
    action.run(task_vars={})
    assert read(tmp_path)[0]['run_state'] == 'finished' and read(tmp_path)[0]['run_id'] == action.sent[0]['run_id']
    assert read(tmp_path, previous=True)[0]['run_id'] == EARLIER['run_id']


def test_a_folder_that_cannot_be_written_does_not_stop_the_run_and_fails_it_at_the_end(tmp_path):
    folder = tmp_path / 'reports'
    folder.mkdir()
    (folder / ('dr-report-%s.json' % NAME)).mkdir()  # a folder where the file should go: every write fails
    action = action_running(REPORTED, report_dir=str(folder), **TASK)
    result = action.run(task_vars={})
    assert action.sent and result['failed'] and 'could not write the report' in result['msg']


def test_a_finished_report_of_a_release_before_run_state_is_kept_as_history(tmp_path):
    old = dict(REPORTED, generated_at='2026-11-20T10:00:00Z')
    with open(files(tmp_path)['json'], 'w', encoding='utf-8') as stream:
        json.dump(old, stream)  # no run_state, no run_id
    action_running(REFUSED, report_dir=str(tmp_path), **TASK).run(task_vars={})
    assert read(tmp_path)[0]['previous_report']['generated_at'] == '2026-11-20T10:00:00Z'
    assert not os.path.exists(files(tmp_path, previous=True)['markdown'])  # it had no Markdown: none of another run's


def test_the_page_of_a_finished_run_is_unchanged_by_run_state():
    assert dr_report_html(dict(REPORTED, run_state='finished', run_id='20261122T100000Z-abcdef')).startswith(
        '<!DOCTYPE html>'
    )


def fleet_page_of(scope):
    return fleet_report_html(fleet_report([scope], '2026-11-22T10:00:00Z'))


def test_on_the_fleet_page_a_scope_that_failed_before_its_report_links_its_failed_page_and_draws_nothing_green(
    tmp_path,
):
    result = action_running(REFUSED, report_dir=str(tmp_path), **TASK).run(task_vars={})
    # As playbooks/dr_fleet.yml gathers a scope whose role failed: its error, the failed result's report files.
    page = fleet_page_of(
        {
            'scope': NAME,
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': [],
            'totals': {},
            'error': result['msg'],
            'posture': None,
            'report_files': result['report_files'],
        }
    )
    assert (
        'class="status-not-known" data-key="status">not known (run failed)' in page
        and 'href="dr-report-%s.html"' % NAME in page
    )
    assert GREEN not in page.split('<section id="scopes">')[1].split('<table>')[1]  # the table, past the legend


def test_on_the_fleet_page_a_scope_whose_selector_matched_nothing_is_no_green_bar():
    """Issue 38 1: a failed scope with no disk had a full-width green bar (data-standing within_rpo) in its row."""
    posture = {
        'rpo_hours': None,
        'regions': {
            'us-west-2': {
                'within_rpo': 0,
                'over_rpo': 0,
                'in_flight': 0,
                'planned': 0,
                'no_copy': 0,
                'oldest_recovery_point_hours': None,
            }
        },
    }
    page = fleet_page_of(
        {
            'scope': NAME,
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': ['us-west-2'],
            'totals': dict(REPORTED['totals'], disks=0),
            'failure_count': 1,
            'failures': ['tag_selector dr=yes matches no disk in us-east-1'],
            'posture': posture,
            'protection': ScopeProtection(
                provider='aws', source_region='us-east-1', dr_regions=('us-west-2',), failures=1
            ).as_data(),
        }
    )
    row = page.split('<section id="scopes">')[1].split('<table class="fleet">')[1].split('</table>')[0]  # the table
    assert 'data-standing="run_failed"' in row and GREEN not in row and 'within_rpo' not in row


# ------------------------------------------------------------------------------------------ issue 47: the scope's account
def model(*disks, limited_to=None, read_at='2026-11-21T10:00:00Z'):
    """A run's protection model over us-west-2: each of ``disks`` a (disk id, standing)."""
    return ScopeProtection(
        provider='aws',
        source_region='us-east-1',
        dr_regions=('us-west-2',),
        rpo_hours=24,
        read_at=read_at,
        limited_to=limited_to,
        disks=tuple(
            DiskProtection(
                disk_id=disk_id,
                read_at=read_at,
                regions=(
                    RegionProtection(
                        region='us-west-2',
                        standing=standing,
                        recovery_point_age_hours=2.0 if standing == 'within_rpo' else None,
                    ),
                ),
            )
            for disk_id, standing in disks
        ),
    )


def result_of(protection, **changes):
    """dr_sync's result for ``protection``: its totals, posture and disks the model's, as the module returns them."""
    return dict(
        REPORTED,
        protection=protection.as_data(),
        posture=protection.posture(),
        generated_at=protection.read_at,
        failures=[],
        totals=dict(REPORTED['totals'], disks=len(protection.disks), without_dr_copy=protection.without_dr_copy),
        disks=[
            dict(REPORTED['disks'][0], disk_id=disk.disk_id, missing_regions=disk.missing_regions, problems=[])
            for disk in protection.disks
        ],
        **changes,
    )


def test_a_run_limited_to_one_disk_merges_into_the_scopes_account_and_never_turns_it_green(tmp_path):
    """Issue 47: a run limited to disk B (an event's) overwrote the page of a scope whose disk A had no copy with "1 disk;
    0 without a DR copy"."""
    scheduled = model(('vol-a', 'no_copy'), ('vol-b', 'within_rpo'))
    action_running(result_of(scheduled), report_dir=str(tmp_path), **TASK).run(task_vars={})
    event = model(('vol-b', 'within_rpo'), limited_to=('vol-b',), read_at='2026-11-22T10:00:00Z')
    result = action_running(result_of(event), report_dir=str(tmp_path), **TASK).run(task_vars={})
    data, dummy, html = read(tmp_path)
    merged = data['protection']
    assert [(disk['disk_id'], disk['read_at']) for disk in merged['disks']] == [
        ('vol-a', '2026-11-21T10:00:00Z'),
        ('vol-b', '2026-11-22T10:00:00Z'),
    ]
    assert merged['status'] == 'at risk' and merged['limited_to'] == ['vol-b'] and merged['complete']
    assert (
        data['totals']['disks'] == 2
        and data['totals']['without_dr_copy'] == 1
        and data['posture']['regions']['us-west-2']['no_copy'] == 1
    )
    assert result['msg'].startswith('AT RISK: 2 disks; 1 disk without a DR copy; the newest run read 1 disk only')
    assert (
        'id="limited"' in html and 'data-status="at risk"' in html and 'data-key="read_at">2026-11-21T10:00:00Z' in html
    )
    assert 'status-protected' not in html.split('</style>')[1].split('<section id="chart">')[0]


def test_a_limited_run_with_no_account_of_the_scope_says_the_others_are_not_known(tmp_path):
    event = model(('vol-b', 'within_rpo'), limited_to=('vol-b',))
    action_running(result_of(event), report_dir=str(tmp_path), **TASK).run(task_vars={})
    data = read(tmp_path)[0]
    assert data['protection']['status'] == 'not known' and not data['protection']['complete']


def test_a_check_run_writes_a_plan_never_the_scopes_page(tmp_path):
    """Issue 47: a check run replaced the page an auditor opens."""
    earlier_run(tmp_path)
    before = read(tmp_path)
    action = action_running(result_of(model(('vol-1', 'planned')), check_mode=True), report_dir=str(tmp_path), **TASK)
    action._task.check_mode = True  # pylint: disable=protected-access
    result = action.run(task_vars={})
    assert read(tmp_path) == before
    assert os.path.basename(result['report_files']['html']) == 'dr-plan-%s.html' % NAME
    assert 'dr-plan-%s.json' % NAME in reports_in(tmp_path) and not os.path.exists(
        files(tmp_path, previous=True)['json']
    )


# ------------------------------------------------------------------------------------------ the files of a run, in detail
def test_input_the_module_refuses_of_a_scope_with_no_report_leaves_no_file(tmp_path):
    """The module's own refusal (no cloud error) of a scope that had no file: the marker the run wrote is removed, as
    when the action refuses the input itself; a scope with a report keeps its account instead (the test above)."""
    result = action_running(
        {'failed': True, 'msg': 'tag_selector: must not be empty'}, report_dir=str(tmp_path), **TASK
    ).run(task_vars={})
    assert result['failed'] and 'report_files' not in result
    assert reports_in(tmp_path) == []


def test_a_cloud_error_that_cannot_be_written_down_is_said_in_the_result(tmp_path):
    """A run that ended without a report and whose failure files cannot be written names no report file, and its
    message says why there is none."""
    (tmp_path / ('dr-report-%s.json' % NAME)).mkdir()  # a folder where the file should go: every write fails
    result = action_running(REFUSED, report_dir=str(tmp_path), **TASK).run(task_vars={})
    assert result['failed'] and 'report_files' not in result
    assert result['msg'].startswith(REFUSED['msg'] + '; and could not write the report to %s' % tmp_path)


def test_the_report_folder_is_made_with_the_mode_the_umask_gives_before_the_module_runs(tmp_path):
    folder = tmp_path / 'new' / 'reports'
    seen = {}

    def module(module_args):
        seen['files'] = read(folder)  # the marker, there while the module runs
        return dict(REPORTED, run_id=module_args['run_id'])

    old = os.umask(0o027)
    try:
        action_running(module, report_dir=str(folder), **TASK).run(task_vars={})
    finally:
        os.umask(old)
    assert seen['files'][0]['run_state'] == 'started'
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o750


def test_a_report_folder_removed_during_the_run_is_made_again_for_the_failure(tmp_path):
    """A folder cleaned while the run was under way (a temporary folder's cleaner): the files that say the run failed
    are still written, in a folder with the umask's mode."""
    folder = tmp_path / 'reports'

    def module(module_args):
        shutil.rmtree(folder)
        return REFUSED

    old = os.umask(0o022)
    try:
        result = action_running(module, report_dir=str(folder), **TASK).run(task_vars={})
    finally:
        os.umask(old)
    assert result['report_files'] == files(folder) and read(folder)[0]['run_state'] == 'failed_before_report'
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755


def test_the_markers_json_starts_with_the_runs_id_and_start(tmp_path):
    """A person opening the file sees which run it is first: the run's record in its order, indented as the finished
    report is (4 spaces)."""
    seen = {}

    def module(module_args):
        with open(files(tmp_path)['json'], encoding='utf-8') as stream:
            seen['lines'] = stream.read().splitlines()
        return dict(REPORTED, run_id=module_args['run_id'])

    action = action_running(module, report_dir=str(tmp_path), **TASK)
    action.run(task_vars={})
    assert seen['lines'][:2] == ['{', '    "run_id": "%s",' % action.sent[0]['run_id']]
    assert seen['lines'][2].startswith('    "started_at": "')


def test_a_previous_file_of_an_older_run_is_removed_when_the_last_report_has_none_of_its_kind(tmp_path):
    """The kept report is one run's: a previous Markdown of an older run never stays beside a previous JSON that has
    no Markdown."""
    previous = files(tmp_path, previous=True)
    with open(previous['markdown'], 'w', encoding='utf-8') as stream:
        stream.write('# the report of a run before the last\n')
    with open(files(tmp_path)['json'], 'w', encoding='utf-8') as stream:
        json.dump(dict(REPORTED, generated_at='2026-11-20T10:00:00Z'), stream)  # a finished report, JSON only
    action_running(REFUSED, report_dir=str(tmp_path), **TASK).run(task_vars={})
    assert not os.path.exists(previous['markdown'])
    data = read(tmp_path)[0]
    assert data['previous_report']['files'] == {'json': previous['json']}


def test_a_json_file_that_is_no_report_is_not_kept_as_the_previous_one(tmp_path):
    """Only a finished report is history: a JSON object without run_state and totals (another tool's file, a report cut
    short) is no run's account."""
    with open(files(tmp_path)['json'], 'w', encoding='utf-8') as stream:
        json.dump({'generated_at': '2026-11-20T10:00:00Z'}, stream)
    action_running(REFUSED, report_dir=str(tmp_path), **TASK).run(task_vars={})
    data = read(tmp_path)[0]
    assert data['previous_report'] is None and not os.path.exists(files(tmp_path, previous=True)['json'])
