"""The plain-text report a DR run prints in the job's output (dr_sync's show_report, the dr_copy role's default)."""

from __future__ import annotations

import copy
import dataclasses
import re
from types import SimpleNamespace

from ansible_collections.snapcopy.cloud.plugins.action import dr_fleet_summary as dr_fleet_summary_action
from ansible_collections.snapcopy.cloud.plugins.action import dr_sync as dr_sync_action
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.coverage import UncoveredDisk
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import (
    MAX_DISK_ROWS,
    MAX_SCOPE_ROWS,
    dr_report_text,
    fleet_report_text,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import action_running
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_fleet_report import scope as fleet_scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_markdown import (
    LOCK_IN_FORCE,
    dr_report,
    protection,
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


# ---------------------------------------------------------------------------------------------- the limits a person sees
def cells_of(row):
    """A disk row's cells: the label, then one per DR region (columns are two spaces apart; a cell never holds two)."""
    return re.split(r' {2,}', row.strip())


def one_disk(disk_id='vol-1', name=None, **copy_fields):
    """dr_report with one disk, copied to us-west-2 only (eu-west-1 holds no copy of it)."""
    report = dr_report(restore=None, failures=[])
    record = copy.deepcopy(report['disks'][0])
    record.update(disk_id=disk_id, disk_name=name, missing_regions=['eu-west-1'])
    record['copies'] = [dict(record['copies'][1], **dict({'region': 'us-west-2', 'mismatch': None}, **copy_fields))]
    report['disks'] = [record]
    return report


def row_of(text, disk_id):
    (row,) = [line for line in text.splitlines() if line.startswith('  ' + disk_id)]
    return row


def test_a_disks_label_is_cut_at_72_characters_and_one_that_fits_is_whole():
    # 'vol-1 (' + name + ')' is 72 characters: it fits; one character more and it ends in '...' at 72.
    fits = 'n' * (72 - len('vol-1 ()'))
    assert cells_of(row_of(dr_report_text(one_disk(name=fits)), 'vol-1'))[0] == 'vol-1 (%s)' % fits
    label = cells_of(row_of(dr_report_text(one_disk(name=fits + 'x')), 'vol-1'))[0]
    assert label == ('vol-1 (%s' % fits)[:69] + '...' and len(label) == 72


def test_a_long_cell_is_cut_at_72_characters_and_one_with_a_lock_at_120():
    """A lock's words (mode, until when) are what an auditor reads in the cell: it gets 120 characters, the rest 72."""
    snapshot_id = 'snap-' + '0' * 70
    plain_cell = cells_of(row_of(dr_report_text(one_disk(snapshot_id=snapshot_id)), 'vol-1'))[1]
    assert plain_cell == (snapshot_id + ' already there: within the RPO')[:69] + '...'
    lock = dict(LOCK_IN_FORCE, action='locked')
    short = cells_of(row_of(dr_report_text(one_disk(snapshot_id='snap-e1', lock=lock)), 'vol-1'))[1]
    # Longer than 72, and whole: the lock's end date is there.
    assert len(short) > 72 and short.endswith('locked compliance until 2026-11-29T10:00:00Z')
    long = cells_of(row_of(dr_report_text(one_disk(snapshot_id=snapshot_id, lock=lock)), 'vol-1'))[1]
    whole = snapshot_id + ' already there: within the RPO, data 2.0 h old, locked compliance until 2026-11-29T10:00:00Z'
    assert long == whole[:117] + '...'


def test_the_failures_list_shows_the_first_20_and_says_how_many_more():
    many = ['disk vol-%d: no completed snapshot to copy' % number for number in range(25)]
    lines = dr_report_text(dr_report(failures=many)).splitlines()
    assert '  Failures (25):' in lines
    assert [line for line in lines if line.startswith('    - disk vol-')] == [
        '    - ' + failure for failure in many[:20]
    ]
    assert '    ... and 5 more in the report' in lines
    # Twenty are all shown, and nothing says "more".
    lines = dr_report_text(dr_report(failures=many[:20])).splitlines()
    assert sum(1 for line in lines if line.startswith('    - disk vol-')) == 20
    assert not any('more in the report' in line for line in lines)


def test_the_console_shows_20_disks_and_counts_the_others():
    report = dr_report(restore=None)
    template = report['disks'][0]
    for count, shown, more in ((21, 20, ['  ... and 1 more disks in the report']), (20, 20, [])):
        report['disks'] = [dict(copy.deepcopy(template), disk_id='vol-%03d' % n, disk_name=None) for n in range(count)]
        lines = dr_report_text(report).splitlines()
        assert sum(1 for line in lines if line.startswith('  vol-')) == shown
        assert [line for line in lines if 'more disks' in line] == more


def test_a_disk_with_a_problem_or_a_region_without_a_copy_comes_before_the_healthy_ones():
    report = dr_report(restore=None, failures=[])
    healthy, missing = report['disks']
    problem_only = dict(copy.deepcopy(healthy), disk_id='vol-p', problems=['a copy is late'])
    missing_only = dict(copy.deepcopy(missing), disk_id='vol-m', problems=[])
    report['disks'] = [healthy, problem_only, missing_only]
    rows = [line.split()[0] for line in dr_report_text(report).splitlines() if line.startswith('  vol-')]
    assert rows == ['vol-p', 'vol-m', 'vol-1']


def test_a_disk_at_risk_is_shown_before_the_protected_ones_however_many_there_are():
    """A disk in doubt (its newest copy suspect), in flight or over the RPO has no problem and no region without a copy,
    and is at risk: past MAX_DISK_ROWS protected disks, its row must still be shown."""
    report = dr_report(restore=None, failures=[])
    template = copy.deepcopy(report['disks'][0])
    template['copies'] = [dict(template['copies'][1], region=region, mismatch=None) for region in report['dr_regions']]
    report['disks'] = [
        dict(copy.deepcopy(template), disk_id='vol-%03d' % number, disk_name=None)
        for number in range(MAX_DISK_ROWS + 3)
    ]
    report['disks'][-2]['copies'][0].update(state='pending', standing='in_flight', recovery_point_age_hours=None)
    model = of_report(report)
    in_doubt = model.disks[-1]
    suspect = dataclasses.replace(
        in_doubt.regions[1], suspect=True, doubt='suspect', doubt_copy_id='snap-e1', last_known_good='snap-e0'
    )
    disks = (*model.disks[:-1], dataclasses.replace(in_doubt, regions=(in_doubt.regions[0], suspect)))
    report['protection'] = dataclasses.replace(model, disks=disks).as_data()
    rows = [line.split()[0] for line in dr_report_text(report).splitlines() if line.startswith('  vol-')]
    assert rows[:2] == ['vol-021', 'vol-022'] and len(rows) == MAX_DISK_ROWS
    assert 'newest copy snap-e1 suspect' in row_of(dr_report_text(report), 'vol-022')


def test_a_copy_that_differs_and_is_not_used_says_so_and_stands_for_no_copy():
    differing = {
        'snapshot_id': 'snap-d',
        'state': 'completed',
        'action': 'existing',
        'standing': 'no_copy',
        'recovery_point_age_hours': None,
        'mismatch': {'snapshot_id': 'snap-d', 'differences': {'encrypted': [True, False]}},
    }
    cell = cells_of(row_of(dr_report_text(one_disk(**differing)), 'vol-1'))[1]
    assert cell == 'snap-d differs, not used: NO COPY'


def with_uncovered(report, *disks):
    """``report`` whose model read the source region: ``disks`` (UncoveredDisk) are not covered by its selector."""
    report['protection'] = dataclasses.replace(of_report(report), uncovered=tuple(disks)).as_data()
    return report


def test_the_disks_not_covered_are_listed_near_misses_first():
    report = with_uncovered(
        dr_report(restore=None),
        UncoveredDisk('vol-u1'),
        UncoveredDisk('vol-u2', 'db2', ('Backup=DR',)),
    )
    lines = dr_report_text(report).splitlines()
    start = lines.index('  Not covered in us-east-1: 2 disks that the selector does not take:')
    assert lines[start + 1 : start + 3] == ['    - vol-u2 (db2): near miss, carries Backup=DR', '    - vol-u1']
    # A region read with every disk covered says so, with nothing to list (no colon).
    lines = dr_report_text(with_uncovered(dr_report(restore=None))).splitlines()
    assert lines[-1] == '  Not covered in us-east-1: 0 disks that the selector does not take'
    # Not read (coverage off): not a word.
    assert 'Not covered' not in dr_report_text(dr_report())


def test_the_disks_not_covered_are_listed_up_to_20():
    disks = [UncoveredDisk('vol-u%02d' % number) for number in range(21)]
    lines = dr_report_text(with_uncovered(dr_report(restore=None), *disks)).splitlines()
    assert [line for line in lines if line.startswith('    - vol-u')] == ['    - vol-u%02d' % n for n in range(20)]
    assert lines[-1] == '    ... and 1 more in the report'
    lines = dr_report_text(with_uncovered(dr_report(restore=None), *disks[:20])).splitlines()
    assert lines[-1] == '    - vol-u19'


def test_a_region_with_a_failed_copy_and_an_older_one_names_what_the_run_did_with_the_one_it_stands_by():
    report = one_disk()
    failed = dict(report['disks'][0]['copies'][0], snapshot_id='snap-new', state='failed', action='copied')
    failed.update(standing='no_copy', recovery_point_age_hours=None)
    report['disks'][0]['copies'].insert(0, failed)
    # The copy found (already there) stands for the region; the failed one made by this run does not.
    assert (
        cells_of(row_of(dr_report_text(report), 'vol-1'))[1] == 'snap-e1 already there: within the RPO, data 2.0 h old'
    )


def test_a_copy_the_run_could_not_make_names_no_copy():
    refused = {'snapshot_id': None, 'state': None, 'action': 'not_copied', 'standing': 'no_copy'}
    refused.update(recovery_point_age_hours=None, error={'code': 'InvalidParameter', 'message': 'no'})
    # No copy id to name (never "None"): the cell says only that the region holds no copy.
    assert cells_of(row_of(dr_report_text(one_disk(**refused)), 'vol-1'))[1] == 'NO COPY'


def test_a_check_run_that_would_make_no_copy_says_so():
    """A plan says what it would make, none included: '0 would be made' is the answer a person running --check wants."""
    totals = dict(dr_report()['totals'], copied=0, existing=2, would_copy=0, pruned=0)
    line = dr_report_text(dr_report(check_mode=True, totals=totals, restore=None)).splitlines()[1]
    assert line.endswith('copies: 0 made, 2 already there, 0 would be made')


# ---------------------------------------------------------------------------------------------------------------- the fleet
def fleet_of_every_status():
    """A fleet report with a scope of each status, one whose run failed with a problem and one ended by an error."""
    return fleet_report(
        [
            fleet_scope('a-fine'),
            fleet_scope('b-plan', protection=protection(check_mode=True)),
            fleet_scope('c-missing', protection=protection(disks=1, standing='no_copy', hours=None)),
            fleet_scope('d-old', protection=protection(disks=1, standing='over_rpo', hours=30.0)),
            fleet_scope('e-empty', protection=dict(protection(disks=0), allow_no_disks=True)),
            fleet_scope('f-problems', failure_count=2, failures=['disk-1: copy failed', 'disk-2: no snapshot']),
            fleet_scope('z-failed', error='AuthFailure: bad key'),
        ],
        '2026-11-22T10:00:00Z',
    )


def test_the_fleet_text_is_one_aligned_line_per_scope_worst_first_then_the_totals_and_the_files():
    text = fleet_report_text(
        fleet_of_every_status(),
        {'json': '/r/dr-fleet-report.json', 'markdown': '/r/dr-fleet-report.md', 'html': '/r/dr-fleet-report.html'},
    )
    lines = text.splitlines()
    assert lines[0] == 'DR fleet report, 2026-11-22T10:00:00Z, every scope of dr_scopes (7 scopes)'
    assert [line.split()[0] for line in lines[2:9]] == ['NOT', 'NOT', 'AT', 'AT', 'WOULD', 'PROTECTED', 'NOTHING']
    rows = {re.split(r' {2,}', line.strip())[1]: line for line in lines[2:9]}
    assert re.match(
        r'^  AT RISK +c-missing +1 +ap-shanghai none \(RPO 24 h\) +1 disk without a DR copy$', rows['c-missing']
    )
    assert re.match(
        r'^  AT RISK +d-old +1 +ap-shanghai 30 h \(RPO 24 h\) +1 disk copy older than the RPO$', rows['d-old']
    )
    assert re.match(r'^  WOULD BE PROTECTED +b-plan +2 +ap-shanghai 2 h \(RPO 24 h\) +-$', rows['b-plan'])
    assert re.match(r'^  NOTHING TO PROTECT +e-empty +0 +ap-shanghai no disk \(RPO 24 h\) +-$', rows['e-empty'])
    assert re.match(r'^  NOT KNOWN, run failed +f-problems +2 +not known +failed with 2 problems$', lines[2])
    # Aligned: every scope's name starts in the same column as the heading's.
    assert len({line.index(name) for name, line in rows.items()} | {lines[1].index('scope')}) == 1
    assert lines[9:] == [
        '  Scopes: 7 (2 at risk, 2 not known, 1 would be protected, 1 protected, 1 nothing to protect); 2 failed',
        '  Disks: 10 (2 protected, 2 at risk, 4 not known, 2 would be protected); 1 disk without a DR copy',
        '  Failed scopes (2):',
        '    - f-problems: disk-1: copy failed (and 1 more)',
        '    - z-failed: AuthFailure: bad key',
        'Fleet report files: /r/dr-fleet-report.{json,md,html}',
    ]
    for name in ('a-fine', 'b-plan', 'c-missing', 'd-old', 'e-empty'):
        assert text.count(name) == 1, name


def test_the_fleets_plan_says_so_and_a_long_fleet_lists_the_worst_100():
    report = fleet_report(
        [fleet_scope('scope-%03d' % number) for number in range(MAX_SCOPE_ROWS + 5)]
        + [fleet_scope('zz-missing', protection=protection(disks=1, standing='no_copy', hours=None))],
        '2026-11-22T10:00:00Z',
        limit='scope-*:zz-*',
        check_mode=True,
    )
    lines = fleet_report_text(report).splitlines()
    assert lines[0] == (
        'DR fleet plan, 2026-11-22T10:00:00Z, scopes matching --limit scope-*:zz-* (106 scopes): check mode, nothing '
        'was changed'
    )
    # The scope at risk first, though its name sorts last; the rest are in the report files.
    assert ' zz-missing ' in lines[2] and len(lines) == 2 + MAX_SCOPE_ROWS + 3
    assert lines[-3] == '  ... and 6 more scopes in the report'


def test_the_fleet_summary_action_prints_the_text_and_returns_the_totals(monkeypatch):
    shown = []
    monkeypatch.setattr(dr_fleet_summary_action.display, 'display', lambda text, **kwargs: shown.append(text))
    report = fleet_of_every_status()
    task = SimpleNamespace(
        args={'report': report},
        async_val=0,
        check_mode=False,
        action='snapcopy.cloud.dr_fleet_summary',
        module_defaults=[],
    )
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir=None))
    action = dr_fleet_summary_action.ActionModule(
        task, connection, play_context=None, loader=None, templar=None, shared_loader_obj=None
    )
    result = action.run(task_vars={})
    assert shown == [fleet_report_text(report)]
    assert not result.get('failed') and result['changed'] is False
    assert result['msg'].startswith('Scopes: 7 (2 at risk, 2 not known') and '; Disks: 10 (' in result['msg']
