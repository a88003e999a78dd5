"""The fleet report: failed scopes first, totals that add up, a row for a scope that never reported."""

from __future__ import annotations

import re

from ansible_collections.snapcopy.cloud.plugins.filter.dr_fleet import dr_fleet_history_html
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    DiskProtection,
    RegionProtection,
    ScopeProtection,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import fleet_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_markdown import protection

GENERATED = '2026-11-22T10:00:00Z'


def scope(name, **fields):
    record = {
        'scope': name,
        'provider': 'cbs',
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


def test_failed_scopes_come_first_then_by_name():
    report = fleet_report(
        [
            scope('b-ok'),
            scope('z-failed', error='AuthFailure: bad key'),
            scope('a-ok'),
            scope('c-problems', failure_count=1, failures=['disk-1: copy failed']),
        ],
        GENERATED,
    )
    assert [row['scope'] for row in report['scopes']] == ['c-problems', 'z-failed', 'a-ok', 'b-ok']
    assert report['failed_scopes'] == ['c-problems', 'z-failed']
    assert [row['run'] for row in report['scopes']] == ['failed', 'failed', 'finished', 'finished']
    # A scope whose run failed is never protected, whatever its copies.
    assert [row['status'] for row in report['scopes']] == ['not known', 'not known', 'protected', 'protected']
    assert report['scopes_covered'] == ['a-ok', 'b-ok', 'c-problems', 'z-failed']


def test_scopes_at_risk_come_before_those_not_known_and_protected():
    report = fleet_report(
        [
            scope('a-fine'),
            scope('b-plan', protection=protection(check_mode=True)),
            scope('c-missing', protection=protection(standing='no_copy', hours=None)),
        ],
        GENERATED,
    )
    assert [(row['scope'], row['status']) for row in report['scopes']] == [
        ('c-missing', 'at risk'),
        ('b-plan', 'would be protected'),
        ('a-fine', 'protected'),
    ]
    totals = report['totals']
    assert (totals['protected_scopes'], totals['at_risk_scopes'], totals['would_be_protected_scopes']) == (1, 1, 1)
    assert (totals['no_copy'], totals['without_dr_copy'], totals['missing_copies']) == (2, 2, 2)


def test_totals_add_up_the_scopes():
    report = fleet_report(
        [
            scope('a', protection=protection(disks=1, standing='no_copy', hours=None)),
            scope('b', totals={'disks': 5, 'copied': 0, 'existing': 5}, protection=protection(disks=5)),
        ],
        GENERATED,
    )
    totals = report['totals']
    assert totals['scopes'] == 2 and totals['failed_scopes'] == 0
    # The disks and copies missing are the scopes' models'; copies made and found are what the runs did.
    assert (totals['disks'], totals['copied'], totals['existing'], totals['missing_copies'], totals['pruned']) == (
        6,
        2,
        5,
        1,
        1,
    )


def test_a_scope_that_never_reported_is_failed():
    """A scope whose role ended without a report (and without an error kept) is never counted as passed."""
    row = fleet_report([{'scope': 'lost'}], GENERATED)['scopes'][0]
    assert row['run'] == 'failed' and row['status'] == 'not known'
    assert row['error'] == 'the scope ended before its DR run reported'
    assert row['disks'] == 0 and row['provider'] is None


def test_numbers_given_as_text_are_read_as_numbers():
    """Facts templated by an older ansible-core may come as text: '0' failures is not a failure."""
    row = fleet_report(
        [scope('a', failure_count='0', duration_seconds='3.5', totals={'disks': '4', 'copied': '4'})], GENERATED
    )['scopes'][0]
    assert row['status'] == 'protected' and row['run'] == 'finished'
    assert (row['disks'], row['copied'], row['duration_seconds']) == (2, 4, 3.5)


def test_the_report_says_what_a_slice_covered_and_check_mode():
    report = fleet_report([scope('a')], GENERATED, limit='aws_*', check_mode=True)
    assert report['limit'] == 'aws_*' and report['check_mode'] is True
    assert 'scopes matching --limit aws_*' in fleet_report_markdown(report)
    assert 'Check mode: nothing was changed.' in fleet_report_markdown(report)


def test_markdown_has_a_row_per_scope_and_each_failure():
    report = fleet_report(
        [
            scope('ok-one', account='100012345678'),
            scope('bad-one', error='no-dr: missing required arguments: dr_copy_dr_regions'),
            scope('problems', failure_count=2, failures=['disk-1: copy failed', 'disk-2: no snapshot']),
        ],
        GENERATED,
    )
    markdown = fleet_report_markdown(report)
    lines = markdown.splitlines()
    rows = [line for line in lines if line.startswith('| ') and (' | finished |' in line or ' | failed |' in line)]
    assert [line.split(' | ')[0] for line in rows] == ['| bad-one', '| problems', '| ok-one']
    assert (
        '| ok-one | protected | finished | cbs | 100012345678 | - | ap-guangzhou | 2 | 0 | - | 2 | 0 | 0 | 0 | 0 | 1.5 |'
        in lines
    )
    assert '- **bad-one**: no-dr: missing required arguments: dr_copy_dr_regions' in lines
    assert '- **problems**: 2 problem(s)' in lines and '  - disk-2: no snapshot' in lines
    assert 'Generated 2026-11-22T10:00:00Z over every scope of dr_scopes (3).' in lines


def test_restore_tests_are_counted_per_scope_and_listed_with_the_clouds_error():
    passed = {
        'region': 'ap-shanghai',
        'disk_id': 'disk-1',
        'copy_id': 'snap-1',
        'test_disk_id': 'disk-t1',
        'seconds_to_usable': 12.5,
        'result': 'passed',
        'error': None,
    }
    failed = dict(
        passed,
        disk_id='disk-2',
        copy_id='snap-2',
        test_disk_id=None,
        seconds_to_usable=None,
        result='failed',
        error={'code': 'InvalidZone.NotFound', 'message': 'no zone'},
    )
    report = fleet_report(
        [
            scope('a', restore_tests=[passed, failed]),
            scope('b', restore_tests=[dict(passed, result='timed_out')]),
            scope('c', restore_tests=[dict(passed, result='would_test', test_disk_id=None)]),
            scope('d'),
        ],
        GENERATED,
    )
    rows = {row['scope']: row for row in report['scopes']}
    assert (
        rows['a']['restore_passed'],
        rows['a']['restore_failed'],
        rows['b']['restore_failed'],
        rows['c']['restore_planned'],
    ) == (1, 1, 1, 1)
    assert rows['d']['restore_tests'] == [] and rows['d']['restore_passed'] == 0
    assert (
        report['totals']['restore_passed'],
        report['totals']['restore_failed'],
        report['totals']['restore_planned'],
    ) == (1, 2, 1)
    lines = fleet_report_markdown(report).splitlines()
    assert '## Restore tests' in lines
    assert '| a | ap-shanghai | disk-1 | snap-1 | disk-t1 | 12.5 | passed | - |' in lines
    assert '| a | ap-shanghai | disk-2 | snap-2 | - | - | failed | InvalidZone.NotFound |' in lines


def test_without_restore_tests_the_markdown_has_no_restore_section():
    assert '## Restore tests' not in fleet_report_markdown(fleet_report([scope('a')], GENERATED))


def test_the_fleet_history_page_lists_the_newest_kept_reports_first():
    reports = [fleet_report([scope('ok-one')], '2026-11-2%dT10:00:00Z' % day) for day in (3, 5, 4)]
    reports[1]['totals']['failed_scopes'] = 1
    page = dr_fleet_history_html(reports, 'dr-fleet-report', keep=2)
    rows = re.findall(r'<tr data-run="([^"]+)">.*?data-key="state">([^<]+)<', page, re.S)
    assert rows == [('20261125T100000Z', 'finished with failed scopes'), ('20261124T100000Z', 'finished')]
    assert 'href="history/dr-fleet-report/20261125T100000Z.html"' in page and 'href="dr-fleet-report.html"' in page


def covering(disk_ids, uncovered, **fields):
    """A scope's protection with disks of these ids, and these disks of its region not covered (None: not read)."""
    data = protection(disks=len(disk_ids), **fields)
    data['disks'] = [dict(disk, disk_id=disk_id) for disk, disk_id in zip(data['disks'], disk_ids)]
    data['uncovered'] = (
        None if uncovered is None else [{'disk_id': disk_id, 'name': None, 'near_miss': []} for disk_id in uncovered]
    )
    return data


def test_a_disk_one_scope_leaves_and_another_takes_is_covered_and_each_account_counts_its_own():
    report = fleet_report(
        [
            scope('a', account='1', protection=covering(['d1', 'd2'], ['d3', 'd4', 'd5'])),
            scope('b', account='1', protection=covering(['d3'], ['d1', 'd2', 'd4', 'd5'])),
            scope('c', account='1', protection=covering(['d5'], None)),  # coverage off: its disk is still taken
            scope('d', account='2', protection=covering(['d9'], None)),
        ],
        GENERATED,
    )
    rows = {row['scope']: row for row in report['scopes']}
    # Each scope's own view: the disks of the region its selector leaves.
    assert (rows['a']['not_covered'], rows['b']['not_covered'], rows['c']['uncovered']) == (3, 4, None)
    one, two = report['accounts']
    # No scope of account 1 takes d4; account 2 never read its region.
    assert (one['account'], one['scopes'], one['protected_disks'], one['not_covered']) == ('1', 3, 4, 1)
    assert (two['account'], two['not_covered']) == ('2', None)
    assert report['totals']['not_covered'] == 1 and report['totals']['protected_disks'] == 5
    # A failed run's disks are not known, never protected.
    failed = fleet_report([scope('a', account='1', error='boom', protection=covering(['d1'], []))], GENERATED)
    (account,) = failed['accounts']
    assert (account['protected_disks'], account['not_known_disks'], account['not_covered']) == (0, 1, 0)


def test_an_error_that_repeats_the_first_20_failures_is_not_said_again():
    """The fleet keeps a scope's first 20 failures; the role's error lists those: it says nothing more."""
    failures = ['disk-%d: copy failed' % number for number in range(21)]
    error = 'DR run failed: ' + '; '.join(failures[:20])
    row = fleet_report([scope('a', failures=failures, failure_count=21, error=error)], GENERATED)['scopes'][0]
    assert row['error'] is None and row['run'] == 'failed' and row['failure_count'] == 21
    # An error that says something else is kept.
    row = fleet_report([scope('a', failures=failures[:1], error='AuthFailure')], GENERATED)['scopes'][0]
    assert row['error'] == 'AuthFailure'


def test_a_scope_with_a_runs_totals_but_no_protection_model_is_not_known_and_failed():
    """A report without the model (a release before it, a run cut short) says what the run did, not how the scope
    stands: never a finished run."""
    row = fleet_report([scope('old', protection=None)], GENERATED)['scopes'][0]
    assert (row['run'], row['status'], row['disks']) == ('failed', 'not known', 0)
    assert row['error'] == 'the scope ended before its DR run reported'


def test_accounts_are_listed_by_provider_then_account():
    report = fleet_report([scope('a', provider='aws', account='2'), scope('b', provider='cbs', account='1')], GENERATED)
    assert [(account['provider'], account['account']) for account in report['accounts']] == [('aws', '2'), ('cbs', '1')]


def test_the_fleet_page_names_a_scopes_locks_and_a_failed_scope_has_no_near_miss():
    locks = {'in_force': 3, 'first_lock_ends': '2026-11-28T10:00:00Z'}
    report = fleet_report([scope('locked', locks=locks), {'scope': 'lost'}], GENERATED)
    rows = {row['scope']: row for row in report['scopes']}
    assert rows['locked']['locks'] == locks and rows['lost']['near_misses'] == 0
    page = fleet_report_html(report)
    assert (
        'the disks\' account; <span class="locks">3 locked, the first to '
        '<span class="id" title="2026-11-28T10:00:00Z">2026-11-28</span></span></td>'
    ) in page
    lost = page.split('<tr data-scope="lost">')[1].split('</tr>')[0]
    assert '<td class="number" data-key="not_covered">-</td>' in lost


def organization(provider='cbs', management='100012345678'):
    """A record of the dr_scopes inventory: 4 accounts, two with scopes (one of which this report holds), two without."""
    return {
        'organization': 'tencent',
        'source': 'tencent-organization',
        'provider': provider,
        'management_account': management,
        'regions': ['ap-guangzhou'],
        'accounts': [
            {'account': '200000000001', 'name': 'a', 'state': 'active', 'scopes': ['cbs-1'], 'left_out': None},
            {'account': '200000000002', 'name': 'b', 'state': 'active', 'scopes': ['cbs-2'], 'left_out': None},
            {
                'account': '200000000003',
                'name': 'sandbox',
                'state': 'active',
                'scopes': [],
                'left_out': 'excluded: in unit dev',
            },
            {
                'account': '200000000004',
                'name': 'old',
                'state': 'CLOSED',
                'scopes': [],
                'left_out': 'the organisation says it is CLOSED',
            },
        ],
        'calls': {'DescribeOrganizationMembers': 1},
    }


def test_the_accounts_of_the_organisation_without_a_scope_are_on_every_surface_with_why():
    report = fleet_report(
        [scope('cbs-1', account='200000000001')], '2026-11-26T10:00:00Z', organizations=[organization()]
    )
    (record,) = report['organizations']
    assert (record['accounts'], record['with_scopes'], record['not_in_report']) == (4, 2, ['200000000002'])
    assert [row['account'] for row in record['without_scope']] == ['200000000003', '200000000004']
    assert report['totals']['accounts_without_scope'] == 2
    markdown = fleet_report_markdown(report)
    assert '| 200000000004 | old | the organisation says it is CLOSED |' in markdown
    assert '1 of those have no scope in this report' in markdown and '200000000002' in markdown
    html = fleet_report_html(report)
    assert re.search(r'id="accounts-without-scope"\s+data-count="2"', html)
    assert html.count('<tr data-account="2000000000') == 2 and 'excluded: in unit dev' in html
    # Without an organisation read, nobody knows which accounts lack a scope: no count, no section.
    plain = fleet_report([scope('cbs-1')], '2026-11-26T10:00:00Z')
    assert plain['organizations'] is None and plain['totals']['accounts_without_scope'] is None
    assert 'accounts-without-scope' not in fleet_report_html(
        plain
    ) and 'without a DR scope' not in fleet_report_markdown(plain)


def test_the_fleet_markdown_lists_each_scopes_consistency_groups_as_the_page_does():
    """The fleet's Markdown has the page's consistency groups section: each group of each scope, its status and, per DR
    region, the set that stands there; and the snapshots that only look like a set, with why."""
    grouped = ScopeProtection(
        provider='aws',
        source_region='us-east-1',
        dr_regions=('us-west-2',),
        rpo_hours=24,
        read_at='2026-11-22T09:00:00Z',
        disks=tuple(
            DiskProtection(
                disk_id=disk_id,
                group='i-db',
                regions=(
                    RegionProtection(
                        region='us-west-2', standing='within_rpo', recovery_point_age_hours=3.0, set_id='set-7'
                    ),
                ),
            )
            for disk_id in ('vol-1', 'vol-2')
        ),
    ).as_data()
    look_alike = {'name': 'i-db', 'disks': ['vol-1', 'vol-2'], 'look_alikes': [{'snapshots': ['s'], 'why': 'no set'}]}
    report = fleet_report(
        [scope('db', protection=grouped, look_alike_groups=[look_alike]), scope('plain-one')], GENERATED
    )
    lines = fleet_report_markdown(report).splitlines()
    assert '## Consistency groups' in lines
    assert '| db | i-db | vol-1, vol-2 | protected | us-west-2 | set-7 | within the RPO | 3.0 |' in lines, lines
    assert 'db: consistency group i-db: no set.' in lines
    assert not [line for line in lines if line.startswith('| plain-one | ') and 'set' in line]
    page = fleet_report_html(report)
    assert 'data-group="i-db"' in page and 'set set-7' in page
    # A fleet with no group has no such section.
    assert '## Consistency groups' not in fleet_report_markdown(fleet_report([scope('plain-one')], GENERATED))
