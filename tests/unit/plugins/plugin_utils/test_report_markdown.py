"""The Markdown reports rendered on the controller: the DR run's and the fleet's, their shapes, and one escaping of
every cell, so that text from a cloud or an inventory (a disk's name, an error) stays in its own cell."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.coverage import UncoveredDisk
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    DiskProtection,
    RegionProtection,
    ScopeProtection,
    of_report,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import (
    dr_report_markdown,
    escape_cell,
    fleet_report_markdown,
)

# A disk's name as a person may type it in a console: a table's cell break, a new line, a backslash before a |.
AWKWARD = 'web | db\nprimary C:\\|x <b>'


def dr_report(**changes):
    """A DR run's report as dr_sync returns it: a disk copied to two regions (one copy differing from what was asked),
    one pruned copy, a disk with nothing to copy yet, a restore drill, and a failure."""
    report = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': ['us-west-2', 'eu-west-1'],
        'generated_at': '2026-11-22T10:00:00Z',
        'check_mode': False,
        'account': '100012345678',
        'duration_seconds': 4.2,
        'totals': {
            'disks': 2,
            'copied': 1,
            'existing': 1,
            'would_copy': 0,
            'not_copied': 0,
            'fresh_snapshots': 0,
            'pruned': 1,
            'kept': 1,
            'without_dr_copy': 1,
        },
        'disks': [
            {
                'disk_id': 'vol-1',
                'disk_name': 'db',
                'fresh_snapshot': None,
                'missing_regions': [],
                'problems': [],
                'source_snapshot': {
                    'id': 'snap-1',
                    'state': 'completed',
                    'created': '2026-11-22T08:00:00Z',
                    'age_hours': 2.0,
                },
                'copies': [
                    {
                        'region': 'us-west-2',
                        'snapshot_id': 'snap-w1',
                        'state': 'pending',
                        'action': 'copied',
                        'age_hours': 0.0,
                        'standing': 'in_flight',
                        'recovery_point_age_hours': None,
                    },
                    {
                        'region': 'eu-west-1',
                        'snapshot_id': 'snap-e1',
                        'state': 'completed',
                        'action': 'existing',
                        'age_hours': 26.5,
                        'standing': 'within_rpo',
                        'recovery_point_age_hours': 2.0,
                        'mismatch': {
                            'snapshot_id': 'snap-e1',
                            'differences': {'kms_key_id': ['a', 'b'], 'encrypted': [True, False]},
                        },
                    },
                ],
                'pruned': [{'region': 'us-west-2', 'snapshot_id': 'snap-old', 'age_hours': 216.0, 'action': 'deleted'}],
                'kept': [{'region': 'us-west-2', 'snapshot_id': 'snap-w0'}],
            },
            {
                'disk_id': 'vol-2',
                'disk_name': None,
                'source_snapshot': None,
                'fresh_snapshot': None,
                'copies': [],
                'missing_regions': ['eu-west-1', 'us-west-2'],
                'pruned': [],
                'kept': [],
                'problems': ['no completed snapshot to copy'],
            },
        ],
        'restore': {
            'run_id': '20261122T100000Z-abc123',
            'disk_type': 'gp3',
            'count_per_region': 1,
            'totals': {'passed': 1, 'failed': 0, 'timed_out': 0, 'would_test': 0, 'leftovers_deleted': 0},
            'tests': [
                {
                    'region': 'us-west-2',
                    'zone': 'us-west-2a',
                    'disk_id': 'vol-1',
                    'copy_id': 'snap-w0',
                    'test_disk_id': 'vol-t1',
                    'seconds_to_usable': 8.1,
                    'result': 'passed',
                    'test_disk': {'action': 'deleted', 'id': 'vol-t1'},
                    'error': None,
                }
            ],
            'regions': [
                {'region': 'us-west-2', 'zone': 'us-west-2a', 'plan': None},
                {'region': 'eu-west-1', 'zone': 'eu-west-1a', 'plan': 'no completed DR copy to test'},
            ],
            'leftovers': [
                {
                    'region': 'us-west-2',
                    'test_disk_id': 'vol-t0',
                    'run': '20261121T100000Z-def456',
                    'action': 'left_until',
                    'until': '20261122T110000Z',
                }
            ],
        },
        'failures': ['vol-2: no completed snapshot to copy'],
        'run_warnings': [],
        'api_retries': 0,
        'msg': '2 disks: 1 copied',
        'changed': True,
    }
    report.update(changes)
    return report


def protection(disks=2, standing='within_rpo', hours=2.0, region='ap-shanghai', **fields):
    """A scope's protection model as dr_sync's report carries it: ``disks`` disks standing so in one DR region."""
    return ScopeProtection(
        provider='cbs',
        source_region='ap-guangzhou',
        dr_regions=(region,),
        rpo_hours=24,
        read_at='2026-11-22T09:00:00Z',
        disks=tuple(
            DiskProtection(
                disk_id='disk-%d' % number,
                regions=(RegionProtection(region=region, standing=standing, recovery_point_age_hours=hours),),
            )
            for number in range(disks)
        ),
        **fields,
    ).as_data()


def scope(name, **fields):
    record = {
        'scope': name,
        'provider': 'cbs',
        'account': '200012345678',
        'source_region': 'ap-guangzhou',
        'dr_regions': ['ap-shanghai'],
        'totals': {'disks': 2, 'copied': 2, 'existing': 0, 'would_copy': 0, 'without_dr_copy': 0, 'pruned': 1},
        'missing_copies': 0,
        'failure_count': 0,
        'failures': [],
        'error': None,
        'duration_seconds': 1.5,
        'protection': protection(),
    }
    record.update(fields)
    return record


def cells(line):
    """The cells of a Markdown table row as a CommonMark renderer reads it: a backslash escapes the character after it
    (a backslash too), and a | that is not escaped ends a cell."""
    assert line.startswith('| ') and line.endswith(' |'), line
    found, cell, escaped = [], '', False
    for character in line[1:]:
        if character == '|' and not escaped:
            found.append(cell.strip())
            cell = ''
            continue
        cell += character
        escaped = character == '\\' and not escaped
    return found


def tables(markdown):
    """Each table of a Markdown document: its lines that start with |, head first."""
    found, table = [], []
    for line in markdown.splitlines() + ['']:
        if line.startswith('|'):
            table.append(line)
        elif table:
            found.append(table)
            table = []
    return found


def assert_every_row_has_the_cells_of_its_head(markdown):
    for table in tables(markdown):
        width = len(cells(table[0]))
        assert table[1] == '|' + '---|' * width
        for line in table[2:]:
            assert len(cells(line)) == width, line


def row_of(markdown, first_cell):
    (line,) = [line for line in markdown.splitlines() if line.startswith('| %s |' % first_cell)]
    return cells(line)


@pytest.mark.parametrize(
    'value, shown',
    [
        (None, '-'),
        ('', '-'),
        (' \n ', '-'),
        (0, '0'),
        (2.0, '2.0'),
        ('snap-0123', 'snap-0123'),
        ('a|b', 'a\\|b'),
        ('two\nlines\r\n\tand a tab', 'two lines and a tab'),
        ('C:\\backups', 'C:\\\\backups'),
        # The backslash of the text stays a backslash: the | after it is still escaped, not the end of the cell.
        ('a\\|b', 'a\\\\\\|b'),
        ('<script>alert(1)</script> & more', '&lt;script&gt;alert(1)&lt;/script&gt; &amp; more'),
    ],
)
def test_a_cell_shows_the_text_on_one_line_and_nothing_more(value, shown):
    assert escape_cell(value) == shown


def test_the_dr_report_is_the_documented_shape():
    """What the integration targets and the role read: the header, the totals, a row per disk and DR region
    (| region | snap- ...), pruning, the restore drill, the failures."""
    assert (
        dr_report_markdown(dr_report())
        == '''\
# DR copy report: aws us-east-1 -> us-west-2, eu-west-1

Generated 2026-11-22T10:00:00Z.

**at risk**: 2 disks; 1 disk without a DR copy; 1 in flight

| disks | copied | existing | would copy | not copied | fresh snapshots | pruned | kept | without dr copy | not covered |
|---|---|---|---|---|---|---|---|---|---|
| 2 | 1 | 1 | 0 | 0 | 0 | 1 | 1 | 1 | 0 |

| disk | name | source snapshot | age (h) | DR region | DR copy | state | action | data age (h) |
|---|---|---|---|---|---|---|---|---|
| vol-1 | db | snap-1 | 2.0 | us-west-2 | snap-w1 | pending | made | - |
| vol-1 | db | snap-1 | 2.0 | eu-west-1 | snap-e1 | completed | already there (snap-e1 differs: encrypted, kms_key_id) | 2.0 |
| vol-2 | - | - | - | us-west-2 | - | - | none | - |
| vol-2 | - | - | - | eu-west-1 | - | - | none | - |

## Pruned

| disk | DR region | copy | age (h) | action |
|---|---|---|---|---|
| vol-1 | us-west-2 | snap-old | 216.0 | deleted |

## Restore test

Run 20261122T100000Z-abc123: a disk of type gp3 made from the newest completed DR copy of 1 disk(s) per DR region, timed, \
and deleted. 1 passed, 0 failed, 0 timed out.

| DR region | zone | disk | DR copy | test disk | seconds to usable | result | test disk afterwards |
|---|---|---|---|---|---|---|---|
| us-west-2 | us-west-2a | vol-1 | snap-w0 | vol-t1 | 8.1 | passed | deleted |
| eu-west-1 | eu-west-1a | - | - | - | - | no completed DR copy to test | - |

Leftovers of earlier drills:

| DR region | test disk | run | action |
|---|---|---|---|
| us-west-2 | vol-t0 | 20261121T100000Z-def456 | left until 20261122T110000Z (its run may still be under way) |

## Failures

- vol-2: no completed snapshot to copy
'''
    )


def test_a_report_read_back_from_its_json_file_shows_its_totals_in_the_runs_order():
    """The JSON file's keys are sorted (Ansible's to_nice_json): a report read back from it (dr_drill_finish's, which
    writes the pages again) shows its totals as the run did, not in alphabetical order."""
    report = dr_report()
    read_back = json.loads(json.dumps(report, sort_keys=True))
    assert list(read_back['totals']) == sorted(report['totals']) != list(report['totals'])
    assert dr_report_markdown(read_back) == dr_report_markdown(report)


def test_sections_without_content_are_left_out_and_check_mode_is_said():
    quiet = dr_report(check_mode=True, restore=None, failures=[], disks=[dict(dr_report()['disks'][0], pruned=[])])
    markdown = dr_report_markdown(quiet)
    assert 'Generated 2026-11-22T10:00:00Z (check mode: nothing was changed).' in markdown.splitlines()
    assert not {'## Pruned', '## Restore test', '## Failures'} & set(markdown.splitlines())
    assert markdown.endswith(
        '| vol-1 | db | snap-1 | 2.0 | eu-west-1 | snap-e1 | completed | already there (snap-e1 differs: encrypted, '
        'kms_key_id) | 2.0 |\n'
    )


def test_a_disk_name_and_an_error_with_a_pipe_and_a_new_line_stay_in_their_cells_of_the_dr_report():
    """A | or a new line in a disk's name used to be the only cell breaks handled: a backslash before a | turned the
    escape into a backslash, and the | into the end of the cell (one cell more in the row)."""
    report = dr_report(failures=['vol-1: ' + AWKWARD])
    report['disks'][0]['disk_name'] = AWKWARD
    report['disks'][0]['copies'][0]['state'] = AWKWARD
    report['restore']['regions'][1]['plan'] = AWKWARD
    markdown = dr_report_markdown(report)
    assert_every_row_has_the_cells_of_its_head(markdown)
    rows = [cells(line) for line in markdown.splitlines() if line.startswith('| vol-1 | web')]
    assert len(rows) == 2 and all(row[1] == escape_cell(AWKWARD) for row in rows)
    assert rows[0][6] == escape_cell(AWKWARD)
    assert row_of(markdown, 'eu-west-1 | eu-west-1a')[6] == escape_cell(AWKWARD)
    assert '- vol-1: %s' % escape_cell(AWKWARD) in markdown.splitlines()
    assert '<b>' not in markdown


def test_the_fleet_report_escapes_its_cells_the_same_way():
    restore_test = {
        'region': 'ap-shanghai',
        'disk_id': 'disk-1',
        'copy_id': 'snap-1',
        'test_disk_id': None,
        'seconds_to_usable': None,
        'result': 'failed',
        'error': {'code': AWKWARD, 'message': 'no zone'},
    }
    report = fleet_report(
        [
            scope('ok', account=AWKWARD, restore_tests=[restore_test]),
            scope('bad', error=AWKWARD, failure_count=1, failures=[AWKWARD]),
        ],
        '2026-11-22T10:00:00Z',
    )
    markdown = fleet_report_markdown(report)
    assert_every_row_has_the_cells_of_its_head(markdown)
    assert row_of(markdown, 'ok | protected')[4] == escape_cell(AWKWARD)
    assert row_of(markdown, 'ok | ap-shanghai')[7] == escape_cell(AWKWARD)
    lines = markdown.splitlines()
    # The error that only says the failures again is not printed twice.
    assert '- **bad**: 1 problem(s)' in lines and lines.count('  - %s' % escape_cell(AWKWARD)) == 1


def test_the_fleet_report_is_the_documented_shape():
    report = fleet_report(
        [
            scope('a-ok', dr_account='300012345678'),
            scope('z-bad', error='AuthFailure: bad key', totals={}, protection=None),
        ],
        '2026-11-22T10:00:00Z',
        limit='a*,z*',
    )
    assert (
        fleet_report_markdown(report)
        == '''\
# DR fleet report

Generated 2026-11-22T10:00:00Z over scopes matching --limit a*,z* (2).

| scopes | failed scopes | protected scopes | at risk scopes | not known scopes | would be protected scopes \
| nothing to protect scopes | disks | copied | existing | would copy | missing copies \
| without dr copy | pruned | over rpo | no copy | in flight | restore passed | restore failed | restore planned | protected disks \
| at risk disks | not known disks | would be protected disks | not covered | accounts without scope |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 2 | 1 | 1 | 0 | 1 | 0 | 0 | 2 | 2 | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 2 | 0 | 0 | 0 | - | - |

| scope | status | run | provider | account | DR account | source region | disks | without a DR copy | not covered | copied | existing \
| would copy | missing copies | failures | seconds |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| z-bad | not known | failed | cbs | 200012345678 | - | ap-guangzhou | 0 | 0 | - | 0 | 0 | 0 | 0 | 1 | 1.5 |
| a-ok | protected | finished | cbs | 200012345678 | 300012345678 | ap-guangzhou | 2 | 0 | - | 2 | 0 | 0 | 0 | 0 | 1.5 |

## Accounts

Disks by status in each account's scopes, and the disks of their source regions that no scope's selector takes.

| provider | account | scopes | protected | at risk | not known | not covered |
|---|---|---|---|---|---|---|
| cbs | 200012345678 | 2 | 2 | 0 | 0 | - |

## Failed scopes

- **z-bad**: AuthFailure: bad key
'''
    )


# A copy's lock as a run reads it back: compliance mode, in force.
LOCK_IN_FORCE = {
    'mode': 'compliance',
    'status': 'compliance',
    'in_force': True,
    'expires': '2026-11-29T10:00:00Z',
    'cool_off_ends': None,
}


def vault_report(check_mode=False):
    """dr_report's run in a DR account, each copy locked (or, in check mode, to be locked), and an older copy of the disk
    locked with them."""
    report = dr_report(check_mode=check_mode, restore=None, failures=[])
    would = {'mode': None, 'status': None, 'in_force': False, 'expires': None, 'cool_off_ends': None}
    for copy in report['disks'][0]['copies']:
        copy['lock'] = dict(would, action='would_lock') if check_mode else dict(LOCK_IN_FORCE, action='locked')
    older = dict(
        LOCK_IN_FORCE, action='in_force', region='us-west-2', snapshot_id='snap-w0', expires='2026-11-28T10:00:00Z'
    )
    report['disks'][0]['other_locks'] = [] if check_mode else [older]
    report['totals'] = dict(report['totals'], locked=2)
    report['dr_account'] = {
        'account': '222233334444',
        'released': [] if check_mode else ['snap-1'],
        'would_release': ['snap-1'] if check_mode else [],
        'held': [],
        'release_failed': [],
        'made': [],
        'would_make': [],
    }
    return report


def test_a_vault_runs_report_names_the_dr_account_and_every_lock():
    markdown = dr_report_markdown(vault_report())
    lines = markdown.splitlines()
    assert "DR copies in account 222233334444 (the disks' account: 100012345678); source shares released: 1" in lines
    assert (
        'Locks: 3 DR copies locked against deletion, the first lock ends 2026-11-28T10:00:00Z (2 by this run)' in lines
    )
    from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import lock_counts  # pylint: disable=import-outside-toplevel

    assert lock_counts(vault_report()) == {
        'in_force': 3,
        'by_this_run': 2,
        'first_lock_ends': '2026-11-28T10:00:00Z',
        'would_lock': 0,
        'when_completed': 0,
        'expired': 0,
        'lock_failed': 0,
    }
    assert lock_counts(vault_report(check_mode=True))['would_lock'] == 2 and lock_counts(dr_report()) is None
    locks = [line for line in lines if line.startswith('| vol-1 |') and 'compliance' in line]
    assert len(locks) == 3 and any('| snap-w0 |' in line and '| in force |' in line for line in locks)


def test_a_check_runs_report_heads_what_it_would_do_as_would_and_claims_no_lock():
    markdown = dr_report_markdown(vault_report(check_mode=True))
    head = next(line for line in markdown.splitlines() if line.startswith('| disks |'))
    assert (
        'locked' not in cells(head)
        and 'pruned' not in cells(head)
        and {'would lock', 'would prune'} <= set(cells(head))
    )
    assert 'Locks: 2 DR copies would be locked' in markdown.splitlines()
    assert 'that would be released: 1' in markdown and 'locked against deletion' not in markdown


def test_the_disks_not_covered_are_a_table_near_misses_first():
    """A near miss (tagged but for case or spaces) is almost always meant to be covered: it heads the list."""
    report = dr_report()
    uncovered = (UncoveredDisk('vol-u1'), UncoveredDisk('vol-u2', 'db2', ('Backup=DR', 'Tier=gold')))
    report['protection'] = dataclasses.replace(of_report(report), uncovered=uncovered).as_data()
    section = dr_report_markdown(report).split('## Not covered\n', 1)[1].split('\n## ', 1)[0]
    assert section.strip().splitlines() == [
        'Not covered in us-east-1: 2 disks that the selector does not take.',
        '',
        '| disk | name | near miss |',
        '|---|---|---|',
        '| vol-u2 | db2 | Backup=DR, Tier=gold |',
        '| vol-u1 | - | - |',
    ]
