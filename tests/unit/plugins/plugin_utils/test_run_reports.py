"""The files of a DR run that has no report (plugin_utils/_run_reports.py): what they say, page by page, before any
action; tests/unit/plugins/action/test_dr_sync_run_state.py holds the action to writing them at the right time."""

from __future__ import annotations

import re

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    DiskProtection,
    RegionProtection,
    ScopeProtection,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._run_reports import (
    SUFFIXES,
    RunReportFiles,
    error_record,
    failed_report,
    run_record,
    started_report,
    state_html,
    state_markdown,
)


def run():
    """A run's record (made in a test, not at import: a fault in run_record fails the tests rather than their module)."""
    return run_record(
        '20261122T100000Z-abcdef', '2026-11-22T10:00:00Z', 'aws-us-east-1', 'aws', 'us-east-1', 'us-west-2', False
    )


KNOWN = ScopeProtection(
    provider='aws',
    source_region='us-east-1',
    dr_regions=('us-west-2',),
    rpo_hours=24,
    read_at='2026-11-21T10:00:00Z',
    disks=(DiskProtection(disk_id='vol-1', regions=(RegionProtection(region='us-west-2', standing='no_copy'),)),),
)


def failed(msg='UnauthorizedOperation: You are not authorized', known=None, **error):
    """The report of run(), failed with ``msg`` and the cloud's ``error`` (action, code, message, request_id)."""
    return failed_report(run(), None, '2026-11-22T10:05:00Z', error_record({'msg': msg, 'error': error}), known)


def title(page):
    return re.search(r'<title>([^<]*)</title>', page).group(1)


def test_the_dr_regions_given_as_one_text_are_named_one_by_one():
    assert run_record('r', 't', 's', 'aws', 'us-east-1', 'us-west-2, eu-west-1,', False)['dr_regions'] == [
        'us-west-2',
        'eu-west-1',
    ]


def test_a_crash_message_is_kept_to_2000_characters_and_the_stale_reason_to_200():
    """A module's crash can be pages long: the report keeps its start, and the stale account names the first 200."""
    message = 'x' * 200 + 'y' * 2000
    assert error_record({'msg': message})['msg'] == message[:2000]
    stale = failed(message, known=KNOWN)['protection']['stale']
    assert '(%s)' % ('x' * 200) in stale and 'y' not in stale


def test_the_page_of_a_run_not_finished_is_amber_and_of_a_failed_run_red():
    started = state_html(started_report(run(), None))
    assert title(started) == 'DR posture: aws us-east-1 \u2192 us-west-2: run not finished'
    assert '.state { border: 2px solid #f9a825; background: #fff8e1;' in started
    page = state_html(failed())
    assert title(page) == 'DR posture: aws us-east-1 \u2192 us-west-2: run failed'
    assert '.state { border: 2px solid #c62828; background: #fdecea;' in page


def test_the_page_of_a_run_that_knew_no_scope_says_so_with_dashes():
    nothing = dict(run_record('r', 't', 's', None, None, None, False), run_state='failed_before_report')
    nothing.update(ended_at='t', error=error_record({}), previous_report=None)
    assert title(state_html(nothing)) == 'DR posture: - - \u2192 -: run failed'
    assert state_markdown(nothing).startswith('# DR copy report: - - -> -\n')


def test_text_from_the_cloud_is_escaped_once_on_the_page_and_in_markdown():
    report = failed('AccessDenied: <b>no</b> & more', code='AccessDenied', message='<b>no</b> | & more')
    page = state_html(report)
    assert '<p id="error">AccessDenied: &lt;b&gt;no&lt;/b&gt; &amp; more</p>' in page and '<b>' not in page
    markdown = state_markdown(report)
    assert 'Error: AccessDenied: &lt;b&gt;no&lt;/b&gt; &amp; more' in markdown.splitlines()
    assert '| - | AccessDenied | &lt;b&gt;no&lt;/b&gt; \\| &amp; more | - |' in markdown.splitlines()


def test_the_markdown_of_a_failed_run_is_its_lines_and_no_blank_ones_more():
    lines = state_markdown(failed(code='UnauthorizedOperation', action='DescribeLockedSnapshots')).splitlines()
    assert lines == [
        '# DR copy report: aws us-east-1 -> us-west-2',
        '',
        '**Failed before it could know what it did.** Run 20261122T100000Z-abcdef of aws-us-east-1 started at '
        '2026-11-22T10:00:00Z and ended',
        'at 2026-11-22T10:05:00Z without a report.',
        '',
        'Error: UnauthorizedOperation: You are not authorized',
        '',
        '| action | code | message | request id |',
        '|---|---|---|---|',
        '| DescribeLockedSnapshots | UnauthorizedOperation | - | - |',
        '',
        'Nothing here says what the cloud holds: no copy, lock or share is listed as current.',
    ]


def test_once_the_runs_report_is_written_a_late_failure_leaves_it_and_answers_that_the_files_stand(tmp_path):
    """An error after the report was written (the history, the console) never turns the report into a failure's files;
    the action names the files it answers for."""
    paths = {kind: str(tmp_path / ('dr-report-x.%s' % suffix)) for kind, suffix in SUFFIXES.items()}
    files = RunReportFiles(paths, run(), 0o644)
    for path in paths.values():
        with open(path, 'w', encoding='utf-8') as stream:
            stream.write('the run\'s report\n')
    files.finished = True
    assert files.fail(error_record({'msg': 'KeyboardInterrupt'}), '2026-11-22T10:05:00Z') is True
    for path in paths.values():
        with open(path, encoding='utf-8') as stream:
            assert stream.read() == 'the run\'s report\n'
