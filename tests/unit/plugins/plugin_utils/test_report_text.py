"""The plain-text report a DR run prints in the job's output (dr_sync's show_report, the dr_copy role's default)."""

from __future__ import annotations

import copy

from ansible_collections.snapcopy.cloud.plugins.action import dr_sync as dr_sync_action
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import MAX_DISK_ROWS, dr_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import action_running
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_markdown import (
    dr_report,
    vault_report,
)

FILES = {'json': '/reports/dr-report-aws-us-east-1.json', 'markdown': '/reports/dr-report-aws-us-east-1.md'}


def test_the_text_reads_as_a_person_reads_it_failures_first_with_units_and_aligned_columns():
    lines = dr_report_text(dr_report(failures=['disk vol-2: no completed snapshot to copy']), FILES).splitlines()
    assert lines[0] == 'DR copies of aws us-east-1 -> us-west-2, eu-west-1 (account 100012345678), 2026-11-22T10:00:00Z'
    assert lines[1] == (
        '  AT RISK: 2 disks; 1 disk without a DR copy; 1 in flight; copies: 1 made, 1 already there; 1 old copy pruned; '
        'restore tests: 1 passed, 0 failed, 0 timed out'
    )
    assert lines[2:4] == ['  Failures (1):', '    - disk vol-2: no completed snapshot to copy']
    head, missing, copied = lines[4:7]
    # The disk without a copy comes first; each DR region is a column, its cells starting where its heading does.
    assert head.split() == ['disk', 'us-west-2', 'eu-west-1']
    assert missing.split()[:3] == ['vol-2', 'NO', 'COPY'] and copied.startswith('  vol-1 (db)')
    column = head.index('eu-west-1')
    # The age of its data (when its source snapshot was taken), never the copy's own.
    assert copied[column:].startswith('snap-e1 already there: within the RPO, data 2.0 h old')
    assert lines[7] == '  Restore test in us-west-2: passed from snap-w0, usable after 8.1 s, test disk vol-t1 deleted'
    assert lines[-1] == '  Report files: /reports/dr-report-aws-us-east-1.json, /reports/dr-report-aws-us-east-1.md'
    assert not any('|' in line or line.startswith('#') for line in lines)  # no Markdown


def test_a_long_run_shows_the_first_disks_and_says_how_many_more_the_report_holds():
    report = dr_report(restore=None)
    template = report['disks'][0]
    report['disks'] = [
        dict(copy.deepcopy(template), disk_id='vol-%03d' % number, disk_name=None)
        for number in range(MAX_DISK_ROWS + 5)
    ]
    lines = dr_report_text(report).splitlines()
    assert sum(1 for line in lines if line.startswith('  vol-')) == MAX_DISK_ROWS
    assert lines[-1] == '  ... and 5 more disks in the report'


def test_check_mode_says_so_and_names_what_would_be_made():
    totals = dict(dr_report()['totals'], copied=0, existing=0, would_copy=2, pruned=0)
    text = dr_report_text(dr_report(check_mode=True, totals=totals, restore=None))
    assert text.splitlines()[1] == (
        '  Check mode: AT RISK: 2 disks; 1 disk without a DR copy; 1 in flight; '
        'copies: 0 made, 0 already there, 2 would be made'
    )


def test_the_action_prints_the_text_when_show_report_is_set_as_yaml_or_a_survey_gives_it(monkeypatch):
    shown = []
    monkeypatch.setattr(dr_sync_action.display, 'display', lambda text, *args, **kwargs: shown.append(text))
    for value, printed in (('yes', True), (True, True), ('false', False), (None, False)):
        shown.clear()
        arguments = {} if value is None else {'show_report': value}
        result = action_running(dr_report(), **arguments).run(task_vars={})
        assert bool(shown) == printed, value
        if printed:
            assert shown == [dr_report_text(result)]


def test_a_vault_runs_text_names_the_dr_account_and_each_copys_lock():
    lines = dr_report_text(vault_report()).splitlines()
    assert (
        lines[2] == "  DR copies in account 222233334444 (the disks' account: 100012345678); source shares released: 1"
    )
    assert (
        lines[3]
        == '  Locks: 3 DR copies locked against deletion, the first lock ends 2026-11-28T10:00:00Z (2 by this run)'
    )
    copied = next(line for line in lines if line.startswith('  vol-1'))
    assert 'locked compliance until 2026-11-29T10:00:00Z' in copied


def test_a_check_runs_text_plans_the_locks_and_the_drill_and_claims_neither():
    report = vault_report(check_mode=True)
    report['restore'] = dict(
        dr_report()['restore'],
        tests=[
            dict(
                dr_report()['restore']['tests'][0],
                result='would_test',
                test_disk_id=None,
                seconds_to_usable=None,
                test_disk=None,
            )
        ],
    )
    text = dr_report_text(report)
    assert 'Locks: 2 DR copies would be locked' in text.splitlines()[3]
    assert '  Restore test in us-west-2: would make a disk from snap-w0 (check mode: none made)' in text.splitlines()
    assert 'not usable' not in text and 'locked compliance' not in text
