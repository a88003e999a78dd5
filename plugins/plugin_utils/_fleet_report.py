# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report of playbooks/dr_fleet.yml: one row per scope (an inventory host of dr_scopes),
failed scopes first, and the fleet's totals. Runs on the controller, once per run (the filters
in plugins/filter/dr_fleet.py); _report_markdown.py renders it for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    AT_RISK,
    IN_FLIGHT,
    NO_COPY,
    NOT_COVERED,
    NOT_KNOWN,
    NOTHING_TO_PROTECT,
    OVER_RPO,
    PROTECTED,
    WORST_FIRST,
    WOULD_BE_PROTECTED,
    ScopeProtection,
    group_records,
    point_rows,
    points_line,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import group_look_alike_lines
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import plan_totals, summed

# The counts of a scope that the fleet report adds up: what its run did (dr_sync's totals), and its protection (the model's).
RUN_COUNTS = ('copied', 'existing', 'would_copy', 'pruned')
COUNTS = ('disks', 'copied', 'existing', 'would_copy', 'missing_copies', 'without_dr_copy', 'pruned')
# What a scope's protection counts over its disks and DR regions, and the fleet adds up.
POSTURE_COUNTS = (OVER_RPO, NO_COPY, IN_FLIGHT)
# The restore drill's counts of a scope (dr_sync's restore tests): passed, failed (or timed out), planned in check mode.
RESTORE_COUNTS = {
    'restore_passed': ('passed',),
    'restore_failed': ('failed', 'timed_out'),
    'restore_planned': ('would_test',),
}
# The fleet's scopes by status, as its totals name them.
STATUS_TOTALS = {
    PROTECTED: 'protected_scopes',
    AT_RISK: 'at_risk_scopes',
    NOT_KNOWN: 'not_known_scopes',
    WOULD_BE_PROTECTED: 'would_be_protected_scopes',
    NOTHING_TO_PROTECT: 'nothing_to_protect_scopes',
}
# What a scope whose run failed cannot claim: the rest of its run is not known.
CLAIMS = (PROTECTED, WOULD_BE_PROTECTED, NOTHING_TO_PROTECT)
# The disks of a scope (and of an account, of the fleet) by status, and those of its source region that it does not cover.
DISK_COUNTS = {
    PROTECTED: 'protected_disks',
    AT_RISK: 'at_risk_disks',
    NOT_KNOWN: 'not_known_disks',
    WOULD_BE_PROTECTED: 'would_be_protected_disks',
    NOT_COVERED: 'not_covered',
}


def restates(error: str, failures: list[str]) -> bool:
    """Whether a scope's ``error`` is its run's failures said again (the role fails with them once it wrote its report):
    the failures are listed once, under the scope."""
    return bool(failures) and all(failure in error for failure in failures[:20])


def scope_row(scope: Mapping[str, Any]) -> dict[str, Any]:
    """One scope of the report from the facts dr_fleet.yml gathered on its host. Its status and its numbers of disks,
    copies and regions are its protection model's (dr.protection): a scope without one (its run ended before it knew)
    is not known, never protected."""
    totals = scope.get('totals') or {}
    failures = list(scope.get('failures') or [])
    error = scope.get('error') or None
    if error and restates(error, failures):
        error = None
    # Numbers may come as text from the play's facts.
    failure_count = int(scope.get('failure_count') or len(failures))
    protection = ScopeProtection.from_data(scope['protection']) if scope.get('protection') else None
    ran = bool(totals) and protection is not None
    counts = protection.counts() if protection is not None else {}
    run = 'failed' if error or failure_count or not ran else 'finished'
    status = protection.status if protection is not None else NOT_KNOWN
    row = {
        'scope': scope['scope'],
        # A scope whose run failed is never drawn as protected: what it did not get to is not known.
        'status': NOT_KNOWN if run == 'failed' and status in CLAIMS else status,
        # The run's own end: failed (an error, a problem, no report) or finished; what failed is listed once.
        'run': run,
        'provider': scope.get('provider'),
        'account': scope.get('account'),
        'dr_account': scope.get('dr_account') or None,
        'source_region': scope.get('source_region'),
        'dr_regions': list(protection.dr_regions) if protection is not None else list(scope.get('dr_regions') or []),
        'duration_seconds': _number(scope.get('duration_seconds')),
        'failure_count': failure_count,
        'failures': failures,
        'error': error if error or ran else 'the scope ended before its DR run reported',
        'report_files': scope.get('report_files'),
        'disks': len(protection.disks) if protection is not None else 0,
        'without_dr_copy': protection.without_dr_copy if protection is not None else 0,
        'missing_copies': counts.get(NO_COPY, 0),
    }
    row.update((count, int(totals.get(count) or 0)) for count in RUN_COUNTS)
    row['posture'] = protection.posture() if protection is not None else None
    row['locks'] = scope.get('locks') or None
    row['rpo_hours'] = protection.rpo_hours if protection is not None else None
    row.update((count, counts.get(count, 0)) for count in POSTURE_COUNTS)
    row.update(disk_counts(protection, run))
    # The disks not covered, by the last read of the scope's whole region (None: never read, coverage off).
    row['uncovered'] = (
        [
            {'disk_id': disk.disk_id, 'name': disk.name, 'near_miss': list(disk.near_miss)}
            for disk in protection.uncovered
        ]
        if protection is not None and protection.uncovered is not None
        else None
    )
    row['near_misses'] = protection.near_misses if protection is not None else 0
    # Of those, the disks that no scope of the fleet covers (fleet_not_covered sets them; None: not read).
    row['not_covered_by_any'] = None
    row['near_misses_by_any'] = 0
    row['disk_ids'] = [disk.disk_id for disk in protection.disks] if protection is not None else []
    # The scope's consistency groups, each standing as one (the model's rule): a partial set is at risk.
    row['groups'] = group_records(protection) if protection is not None else []
    # Snapshots of a group that look like a set and are in none (EBS), with why and how to mark one (issue 61).
    row['look_alikes'] = group_look_alike_lines(scope.get('look_alike_groups') or [])
    # The recovery points beside the newest (dr.verify): the line, and the disks whose copy stands suspect.
    row['points_line'] = points_line(protection) if protection is not None else None
    # Every copy in doubt (dr.points: differing, suspect, unmeasured), under the key the pages have read since issue 50.
    row['suspect'] = [point for point in point_rows(protection) if point['doubt']] if protection is not None else []
    tests = list(scope.get('restore_tests') or [])
    row['restore_tests'] = tests
    row.update(
        (count, sum(1 for test in tests if test.get('result') in results)) for count, results in RESTORE_COUNTS.items()
    )
    # The scope's plan in short (its report's, _plan_figures): None where its run ended before it planned.
    row['plan'] = plan_totals(scope.get('plan'))
    return row


def disk_counts(protection: ScopeProtection | None, run: str) -> dict[str, int]:
    """{DISK_COUNTS name: disks}: the model's disks by status, and those not covered. A disk of a scope whose run failed
    is not known rather than protected, as the scope is."""
    counts = protection.disk_counts() if protection is not None else dict.fromkeys(DISK_COUNTS, 0)
    if run == 'failed':
        counts[NOT_KNOWN] += counts[PROTECTED] + counts[WOULD_BE_PROTECTED]
        counts[PROTECTED] = counts[WOULD_BE_PROTECTED] = 0
    return {name: counts[key] for key, name in DISK_COUNTS.items()}


def not_covered_by_any(rows: list[dict[str, Any]]) -> set[str] | None:
    """The disk ids of a source region (rows of one provider, account and region) that no scope takes: those every scope
    that read the region leaves out, but those a scope that did not read it looks after. None when no scope read it."""
    read = [row for row in rows if row['uncovered'] is not None]
    if not read:
        return None
    left = set.intersection(*({disk['disk_id'] for disk in row['uncovered']} for row in read))
    return left - {disk_id for row in rows if row['uncovered'] is None for disk_id in row['disk_ids']}


def fleet_not_covered(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The disks that no scope of the fleet covers (not_covered_by_any of each source region), near misses first, each
    with the scopes that read its region and leave it; None when no scope read its region. The fleet's headline, its
    page and its Markdown list and count these, and each scope's "not covered" is how many of them are in its region: a
    disk one scope leaves and another takes is covered, and never listed."""
    regions: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        regions.setdefault((row['provider'], row['account'], row['source_region']), []).append(row)
    listed: list[dict[str, Any]] = []
    read = False
    for (provider, account, source_region), region_rows in regions.items():
        left = not_covered_by_any(region_rows)
        if left is None:
            continue
        read = True
        found: dict[str, dict[str, Any]] = {}
        for row in region_rows:
            for disk in row['uncovered'] or []:
                if disk['disk_id'] not in left:
                    continue
                entry = found.setdefault(
                    disk['disk_id'],
                    {
                        'provider': provider,
                        'account': account,
                        'source_region': source_region,
                        'disk_id': disk['disk_id'],
                        'name': disk.get('name'),
                        'near_miss': [],
                        'scopes': [],
                    },
                )
                entry['near_miss'] = sorted(set(entry['near_miss']) | set(disk.get('near_miss') or []))
                entry['scopes'].append(row['scope'])
        listed.extend(found.values())
        for row in region_rows:
            if row['uncovered'] is not None:
                row['not_covered_by_any'] = len(found)
                row['near_misses_by_any'] = sum(1 for entry in found.values() if entry['near_miss'])
    if not read:
        return None
    return sorted(
        listed,
        key=lambda entry: (
            not entry['near_miss'],
            str(entry['provider']),
            str(entry['account']),
            str(entry['source_region']),
            entry['disk_id'],
        ),
    )


def by_account(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per provider and account (the disks' account; None where a scope did not say): its scopes, its disks by status,
    and the disks of its source regions that no scope covers (None when no scope read them): where a person sees which
    accounts hold what DR does not."""
    regions: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        regions.setdefault((row['provider'], row['account'], row['source_region']), []).append(row)
    accounts: dict[tuple[Any, Any], dict[str, Any]] = {}
    for key, region_rows in regions.items():
        provider, account_id = key[:2]
        account = accounts.setdefault(
            (provider, account_id),
            dict({'provider': provider, 'account': account_id, 'scopes': 0}, **dict.fromkeys(DISK_COUNTS.values(), 0)),
        )
        account['scopes'] += len(region_rows)
        for name in DISK_COUNTS.values():
            if name != 'not_covered':
                account[name] += sum(row[name] for row in region_rows)
        left = not_covered_by_any(region_rows)
        account.setdefault('coverage_read', False)
        if left is not None:
            account['not_covered'] += len(left)
            account['coverage_read'] = True
    for (provider, account_id), account in accounts.items():
        if not account.pop('coverage_read'):
            account['not_covered'] = None
        # The account's plans added up (None: none of its scopes planned).
        account['plan'] = summed(
            (row['scope'], row['plan']) for row in rows if (row['provider'], row['account']) == (provider, account_id)
        )
    return [accounts[key] for key in sorted(accounts, key=lambda key: (str(key[0]), str(key[1])))]


def organization_records(
    organizations: list[dict[str, Any]] | None, rows: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """Each organisation the inventory read (the dr_scopes inventory's records): its accounts, those with scopes, those
    without one and why (suspended, closed, left out by a rule), and those whose scopes this report does not hold (a
    --limit, or scopes that never reported). None when no inventory read an organisation: then no one knows."""
    if organizations is None:
        return None
    reported = {(str(row['provider']), str(row['account'])) for row in rows}
    records = []
    for organization in sorted(organizations, key=lambda record: (record['provider'], record['management_account'])):
        accounts = organization.get('accounts') or []
        provider = organization['provider']
        records.append(
            {
                'organization': organization.get('organization'),
                'provider': provider,
                'management_account': organization['management_account'],
                'accounts': len(accounts),
                'with_scopes': sum(1 for account in accounts if account['scopes']),
                'without_scope': [
                    {'account': account['account'], 'name': account['name'], 'why': account['left_out']}
                    for account in accounts
                    if account['left_out']
                ],
                'not_in_report': [
                    account['account']
                    for account in accounts
                    if account['scopes'] and (provider, str(account['account'])) not in reported
                ],
            }
        )
    return records


def _number(value: Any) -> float | None:
    return None if value in (None, '', 'None') else float(value)


def fleet_report(
    scopes: Iterable[Mapping[str, Any]],
    generated_at: str,
    limit: int | None = None,
    check_mode: bool = False,
    organizations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report over ``scopes`` (the per-host facts, in any order): scopes whose run failed first, then those at risk,
    not known, protected, each by name. ``organizations``: the records of the organisations the inventory read (the
    dr_scopes inventory's), whose accounts without a scope the report lists."""
    rows = sorted(
        (scope_row(scope) for scope in scopes),
        key=lambda row: (
            row['run'] != 'failed',
            WORST_FIRST.index(row['status']) if row['run'] != 'failed' else 0,
            row['scope'],
        ),
    )
    failed = [row['scope'] for row in rows if row['run'] == 'failed']
    totals: dict[str, int | None] = {'scopes': len(rows), 'failed_scopes': len(failed)}
    totals.update((name, sum(1 for row in rows if row['status'] == status)) for status, name in STATUS_TOTALS.items())
    totals.update(
        (count, sum(row[count] or 0 for row in rows))
        for count in (*COUNTS, *POSTURE_COUNTS, *RESTORE_COUNTS, *DISK_COUNTS.values())
    )
    accounts = by_account(rows)
    # Not the scopes' own counts added up: a disk that one scope leaves and another takes is covered.
    not_covered = fleet_not_covered(rows)
    totals['not_covered'] = None if not_covered is None else len(not_covered)
    organization_rows = organization_records(organizations, rows)
    totals['accounts_without_scope'] = (
        None if organization_rows is None else sum(len(record['without_scope']) for record in organization_rows)
    )
    return {
        'generated_at': generated_at,
        'check_mode': bool(check_mode),
        # What this run covered: with --limit (or an AWX job slice), a subset of the fleet.
        'limit': limit,
        'scopes_covered': sorted(row['scope'] for row in rows),
        'failed_scopes': failed,
        'totals': totals,
        'accounts': accounts,
        'organizations': organization_rows,
        'scopes': rows,
        # The disks no scope covers, near misses first (None: no scope read its region).
        'not_covered_disks': not_covered,
        # The scopes' plans added up (_plan_figures.summed; None: no scope planned).
        'plan': summed((row['scope'], row['plan']) for row in rows),
    }
