# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report of playbooks/dr_fleet.yml: one row per scope (an inventory host of dr_scopes),
failed scopes first, and the fleet's totals. Runs on the controller, once per run (the filters
in plugins/filter/dr_fleet.py); _report_markdown.py renders it for people."""

from __future__ import annotations

# The counts of a scope that the fleet report adds up (dr_sync's totals, plus missing_copies).
COUNTS = ('disks', 'copied', 'existing', 'would_copy', 'missing_copies', 'without_dr_copy', 'pruned')
# What a scope's DR posture counts over its DR regions (dr_sync's posture), and the fleet adds up.
POSTURE_COUNTS = ('over_rpo', 'no_copy', 'in_flight')
# The restore drill's counts of a scope (dr_sync's restore tests): passed, failed (or timed out), planned in check mode.
RESTORE_COUNTS = {
    'restore_passed': ('passed',),
    'restore_failed': ('failed', 'timed_out'),
    'restore_planned': ('would_test',),
}


def scope_row(scope):
    """One scope of the report from the facts dr_fleet.yml gathered on its host."""
    totals = scope.get('totals') or {}
    failures = list(scope.get('failures') or [])
    error = scope.get('error') or None
    # Numbers may come as text from the play's facts.
    failure_count = int(scope.get('failure_count') or len(failures))
    ran = bool(totals)
    row = {
        'scope': scope['scope'],
        'status': 'failed' if error or failure_count or not ran else 'ok',
        'provider': scope.get('provider'),
        'account': scope.get('account'),
        'dr_account': scope.get('dr_account') or None,
        'source_region': scope.get('source_region'),
        'dr_regions': list(scope.get('dr_regions') or []),
        'duration_seconds': _number(scope.get('duration_seconds')),
        'failure_count': failure_count,
        'failures': failures,
        'error': error if error or ran else 'the scope ended before its DR run reported',
        'report_files': scope.get('report_files'),
    }
    row.update(
        (count, int(totals.get(count) or 0) if count != 'missing_copies' else int(scope.get('missing_copies') or 0))
        for count in COUNTS
    )
    posture = scope.get('posture') or None
    regions = (posture or {}).get('regions') or {}
    row['posture'] = posture
    row['locks'] = scope.get('locks') or None
    row['rpo_hours'] = _number((posture or {}).get('rpo_hours'))
    row.update((count, sum(int(counts.get(count) or 0) for counts in regions.values())) for count in POSTURE_COUNTS)
    tests = list(scope.get('restore_tests') or [])
    row['restore_tests'] = tests
    row.update(
        (count, sum(1 for test in tests if test.get('result') in results)) for count, results in RESTORE_COUNTS.items()
    )
    return row


def _number(value):
    return None if value in (None, '', 'None') else float(value)


def fleet_report(scopes, generated_at, limit=None, check_mode=False):
    """The report over ``scopes`` (the per-host facts, in any order): failed scopes first, then by name."""
    rows = sorted((scope_row(scope) for scope in scopes), key=lambda row: (row['status'] != 'failed', row['scope']))
    failed = [row['scope'] for row in rows if row['status'] == 'failed']
    totals = {'scopes': len(rows), 'failed_scopes': len(failed)}
    totals.update(
        (count, sum(row[count] or 0 for row in rows)) for count in (*COUNTS, *POSTURE_COUNTS, *RESTORE_COUNTS)
    )
    return {
        'generated_at': generated_at,
        'check_mode': bool(check_mode),
        # What this run covered: with --limit (or an AWX job slice), a subset of the fleet.
        'limit': limit,
        'scopes_covered': sorted(row['scope'] for row in rows),
        'failed_scopes': failed,
        'totals': totals,
        'scopes': rows,
    }
