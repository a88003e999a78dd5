# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's report as plain text, for the job's output (dr_sync's show_report, which the dr_copy role sets): what a
person reads in a terminal or in AWX's job output, where Markdown would show its syntax and a registered result its
JSON quoting. Rendered on the controller from the data the module returned.

The text: a title, the summary line (each count in its unit), the failures, the disks (those with a problem first, then
those at risk; at most MAX_DISK_ROWS; the report files hold all) with one aligned column per DR region, the restore tests,
and the report files.

The fleet's summary (playbooks/dr_fleet.yml's last words, the dr_fleet_summary action) is text too, for the same reason:
one line per scope, worst first, then the fleet's totals, the failed scopes' errors and the report files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    ACTION_WORDS,
    AT_RISK,
    NO_COPY,
    NOTHING_TO_PROTECT,
    STANDING_WORDS,
    WORST_FIRST,
    RegionProtection,
    counted,
    of_report,
    point_rows,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import (
    disk_label,
    dr_account_line,
    lock_summary,
    lock_words,
    summary_line,
    verified_points_line,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import DISK_COUNTS, STATUS_TOTALS
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plain_words import plain
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import (
    copies_words,
    cost_words,
    gib,
    plan_totals,
    time_words,
    usd,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import hours

MAX_DISK_ROWS = 20
MAX_FAILURES = 20
MAX_CELL = 72
# A fleet's scopes listed in the text, worst first (the report's order): the report files hold them all.
MAX_SCOPE_ROWS = 100


def one_line(value: object, width: int = MAX_CELL) -> str:
    """``value`` on one line of at most ``width`` characters (a longer one ends in '...'); None is '-'."""
    text = ' '.join(str('-' if value is None else value).split()) or '-'
    return text if len(text) <= width else text[: width - 3] + '...'


def copy_cell(disk: Mapping[str, Any], cell: RegionProtection) -> str:
    """How a disk stands in a DR region (``cell``, the model's RegionProtection): the copy it stands by, what the run did
    with it, its standing and the age of its data (when its source snapshot was taken, not when the copy was made)."""
    shown = cell.copy_id or next(iter(cell.in_flight + cell.differing + cell.failed), None)
    copy = next(
        (copy for copy in disk['copies'] if copy['region'] == cell.region and copy.get('snapshot_id') == shown), None
    )
    own = next((copy for copy in disk['copies'] if copy['region'] == cell.region and copy.get('completed')), None)
    if copy is None and own is not None and disk.get('consistency_group'):
        # The disk's own copy is complete, but not every member's of its set: the group has no point there.
        return one_line(
            '%s %s: %s, as its group (a member\'s copy of the set is not there)'
            % (
                own['snapshot_id'],
                ACTION_WORDS.get(own['action'], own['action']),
                STANDING_WORDS[cell.standing].upper(),
            ),
            MAX_CELL + 48,
        )
    # A copy that stands for nothing says why: the cloud failed it, or it differs from what was asked and is not used.
    how = (
        'failed'
        if shown in cell.failed
        else 'differs, not used'
        if cell.standing == NO_COPY and shown in cell.differing
        else None
    )
    if shown and copy:
        what = '%s %s: ' % (shown, how or ACTION_WORDS.get(copy['action'], copy['action']))
    elif shown and cell.doubt:
        # The newest copy is in doubt: the disk stands by an older copy, which is not among the run's own.
        what = '%s last known good: ' % shown
    else:
        what = ''
    age = '' if cell.recovery_point_age_hours is None else ', data %s h old' % cell.recovery_point_age_hours
    word = STANDING_WORDS[cell.standing].upper() if cell.standing == NO_COPY else STANDING_WORDS[cell.standing]
    doubt = '; newest copy %s %s' % (cell.doubt_copy_id, cell.doubt) if cell.doubt else ''
    lock = ', %s' % lock_words(copy['lock']) if copy and copy.get('lock') else ''
    return one_line(what + word + age + doubt + lock, MAX_CELL + 48 if lock or doubt else MAX_CELL)


def columns(rows: list[list[str]]) -> list[str]:
    """``rows`` (lists of text, the first the heading) as lines with each column as wide as its widest cell."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return ['  ' + '  '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def dr_report_text(report: dict[str, Any], report_files: Mapping[str, str] | None = None) -> str:
    """The plain text of a DR run's ``report`` (dr_sync's result); ``report_files`` are the paths written, if any."""
    lines = [
        'DR copies of %s %s -> %s%s, %s'
        % (
            report['provider'],
            report['source_region'],
            ', '.join(report['dr_regions']),
            ' (account %s)' % report['account'] if report.get('account') else '',
            report['generated_at'],
        )
    ]
    protection = of_report(report)
    lines.append('  ' + summary_line(report['totals'], report.get('restore'), report['check_mode'], protection))
    lines.extend('  ' + line for line in (dr_account_line(report), lock_summary(report)) if line)
    failures = report.get('failures') or []
    if failures:
        lines.append('  Failures (%d):' % len(failures))
        lines.extend('    - %s' % ' '.join(plain(failure).split()) for failure in failures[:MAX_FAILURES])
        if len(failures) > MAX_FAILURES:
            lines.append('    ... and %d more in the report' % (len(failures) - MAX_FAILURES))
    models = {model.disk_id: model for model in protection.disks}
    # Worst first, so that no disk that needs a person is past the last row: a problem or a region without a copy, then
    # at risk by the model (in flight, over the RPO, in doubt), then the rest.
    disks = sorted(
        report['disks'],
        key=lambda disk: (
            not (disk['problems'] or disk['missing_regions']),
            protection.disk_status(models[disk['disk_id']]) != AT_RISK,
        ),
    )
    if disks:
        rows = [['disk', *report['dr_regions']]]
        for disk in disks[:MAX_DISK_ROWS]:
            rows.append(
                [
                    one_line(
                        disk_label(disk['disk_id'], disk.get('disk_name'))
                        + (' [group %s]' % disk['consistency_group']['name'] if disk.get('consistency_group') else '')
                    ),
                    *(copy_cell(disk, models[disk['disk_id']].region(region)) for region in report['dr_regions']),
                ]
            )
        lines.extend(columns(rows))
        if len(disks) > MAX_DISK_ROWS:
            lines.append('  ... and %d more disks in the report' % (len(disks) - MAX_DISK_ROWS))
    line = verified_points_line(report, protection)
    if line:
        lines.append('  ' + line)
        lines.extend(
            '    - %s in %s: newest copy %s is %s; last known good copy %s'
            % (
                point['disk_id'],
                point['region'],
                point['doubt_copy_id'] or '-',
                point['doubt'],
                point['last_known_good'] or 'none',
            )
            for point in point_rows(protection)
            if point['doubt']
        )
    heading = protection.coverage_heading()
    if heading:
        lines.append('  ' + heading + (':' if protection.uncovered else ''))
        uncovered = protection.uncovered_near_misses_first()
        lines.extend('    - %s' % one_line(disk.describe()) for disk in uncovered[:MAX_DISK_ROWS])
        if len(uncovered) > MAX_DISK_ROWS:
            lines.append('    ... and %d more in the report' % (len(uncovered) - MAX_DISK_ROWS))
    lines.extend(restore_lines(report.get('restore')))
    lines.extend(plan_lines(report))
    if report_files:
        lines.append(
            '  Report files: %s'
            % ', '.join(report_files[kind] for kind in ('json', 'markdown', 'html') if kind in report_files)
        )
    return '\n'.join(line.rstrip() for line in lines)


def plan_lines(report: Mapping[str, Any]) -> list[str]:
    """The plan's lines (dr_sync's plan, as _plan_figures reads it): its cost, copies and time, then each copy the
    preflight found the cloud would refuse, with what to do."""
    plan = report.get('plan')
    totals = plan_totals(plan)
    if not plan or totals is None:
        return []
    lines = [
        '  %s: %s; copies: %s; time: %s'
        % (
            'Plan' if report['check_mode'] else 'Copied',
            cost_words(totals),
            copies_words(totals),
            time_words(totals),
        )
    ]
    preflight = plan.get('preflight') or []
    if preflight:
        lines.append('  Preflight (%s the cloud would refuse):' % counted(len(preflight), 'copy', 'copies'))
        lines.extend(
            '    - %s in %s: %s%s'
            % (
                problem['disk_id'],
                problem['region'],
                one_line(plain(problem['problem']), MAX_CELL * 2),
                ' Fix: %s' % one_line(plain(problem['fix']), MAX_CELL * 2) if problem.get('fix') else '',
            )
            for problem in preflight[:MAX_FAILURES]
        )
        if len(preflight) > MAX_FAILURES:
            lines.append('    ... and %d more in the report' % (len(preflight) - MAX_FAILURES))
    return lines


def restore_lines(restore: Mapping[str, Any] | None) -> list[str]:
    """The restore drill's lines of the text: each test, and the user's checks on the held disks."""
    lines: list[str] = []
    if restore:
        for test in restore.get('tests') or []:
            if test.get('result') == 'would_test':
                lines.append(
                    '  Restore test in %s: would make a disk from %s (check mode: none made)'
                    % (test.get('region'), test.get('copy_id'))
                )
                continue
            lines.append(
                '  Restore test in %s: %s from %s, %s%s'
                % (
                    test.get('region'),
                    plain(test.get('result')),
                    test.get('copy_id'),
                    'usable after %s s' % test['seconds_to_usable']
                    if test.get('seconds_to_usable') is not None
                    else 'not usable',
                    ', test disk %s %s' % (test.get('test_disk_id'), (test.get('test_disk') or {}).get('action') or '')
                    if test.get('test_disk_id')
                    else '',
                )
            )
    checks = (restore or {}).get('validation')
    if checks:
        lines.append(
            '  Checks on %s: %s%s'
            % (
                checks.get('instance_id'),
                'not run yet: the disks are held for them' if checks['state'] == 'pending' else checks['state'],
                ' at %r: %s' % (checks.get('failed_task'), checks.get('message'))
                if checks['state'] == 'failed'
                else '',
            )
        )
    return lines


def fleet_report_text(report: Mapping[str, Any], report_files: Mapping[str, str] | None = None) -> str:
    """The plain text of the fleet ``report`` (the dr_fleet_report filter's): a title, one aligned line per scope (its
    status, name, disks, the oldest recovery point of each DR region, what is at risk or went wrong), the fleet's totals,
    the failed scopes' errors; ``report_files``, the fleet report's paths, last."""
    plan = report['check_mode']
    lines = [
        'DR fleet %s, %s, %s (%s)%s'
        % (
            'plan' if plan else 'report',
            report['generated_at'],
            'scopes matching --limit %s' % report['limit'] if report.get('limit') else 'every scope of dr_scopes',
            counted(report['totals']['scopes'], 'scope'),
            ': check mode, nothing was changed' if plan else '',
        )
    ]
    scopes = report['scopes']
    if scopes:
        rows = [['status', 'scope', 'disks', 'oldest recovery point', 'at risk']]
        rows.extend(
            [
                scope['status'].upper() + (', run failed' if scope['run'] == 'failed' else ''),
                scope['scope'],
                str(scope['disks']),
                one_line(oldest_points(scope)),
                one_line('; '.join(at_risk_words(scope)) or '-'),
            ]
            for scope in scopes[:MAX_SCOPE_ROWS]
        )
        lines.extend(columns(rows))
        if len(scopes) > MAX_SCOPE_ROWS:
            lines.append('  ... and %d more scopes in the report' % (len(scopes) - MAX_SCOPE_ROWS))
    lines.extend('  ' + line for line in fleet_totals_lines(report['totals']))
    if report.get('plan'):
        total = report['plan']
        lines.append(
            '  %s: %s each month, %s once; %s, %s; %s'
            % (
                'Plans' if plan else 'Copied',
                usd(total['monthly'], total['monthly_complete']),
                usd(total['once'], total['once_complete']),
                counted(total['full'], 'full copy', 'full copies'),
                gib(total['bytes']),
                counted(total['preflight'], 'preflight problem'),
            )
        )
        if total['unpriced']:
            lines.append(
                '  Not priced, so the sums are the least they cost: %s'
                % one_line('; '.join(total['unpriced']), MAX_CELL * 2)
            )
    failed = [scope for scope in scopes if scope['run'] == 'failed']
    if failed:
        lines.append('  Failed scopes (%d):' % len(failed))
        for scope in failed[:MAX_FAILURES]:
            # The error that ended the scope, else its run's first problem (the report lists them all).
            first = scope['error'] or next(iter(scope['failures']), None) or 'failed'
            more = len(scope['failures']) - 1 if not scope['error'] and scope['failures'] else 0
            lines.append(
                '    - %s: %s%s'
                % (scope['scope'], one_line(plain(first), MAX_CELL * 2), ' (and %d more)' % more if more else '')
            )
        if len(failed) > MAX_FAILURES:
            lines.append('    ... and %d more in the report' % (len(failed) - MAX_FAILURES))
    if report_files:
        lines.append('Fleet report files: %s' % files_words(report_files))
    return '\n'.join(line.rstrip() for line in lines)


def files_words(report_files: Mapping[str, str]) -> str:
    """The fleet report's files ({'json': path, 'markdown': path, 'html': path}) in a few words: one stem and its
    extensions when they share it, as docs/fleet.md shows them."""
    paths = [report_files[kind] for kind in ('json', 'markdown', 'html') if report_files.get(kind)]
    stems = {path.rsplit('.', 1)[0] for path in paths}
    if len(stems) == 1 and len(paths) > 1:
        return '%s.{%s}' % (stems.pop(), ','.join(path.rsplit('.', 1)[1] for path in paths))
    return ', '.join(paths)


def oldest_points(scope: Mapping[str, Any]) -> str:
    """Each DR region of a scope with the oldest recovery point of the copies its disks stand by ('-': none), and the
    scope's RPO; nothing for a failed scope, whose regions are not known."""
    if scope['run'] == 'failed':
        return 'not known'
    regions = ((scope.get('posture') or {}).get('regions')) or {}
    # A region without a completed copy has no recovery point: none, or no disk for a scope with nothing to protect.
    empty = 'no disk' if scope['status'] == NOTHING_TO_PROTECT else 'none'
    words = ', '.join(
        '%s %s' % (region, empty if age is None else hours(age))
        for region, age in (
            (region, (regions.get(region) or {}).get('oldest_recovery_point_hours')) for region in scope['dr_regions']
        )
    )
    return words + (' (RPO %s)' % hours(scope['rpo_hours']) if scope.get('rpo_hours') else '')


def at_risk_words(scope: Mapping[str, Any]) -> list[str]:
    """What a scope's line says is at risk or wrong, each count in its unit: none for a scope at peace."""
    words: list[str] = []
    if scope['without_dr_copy']:
        words.append('%s without a DR copy' % counted(scope['without_dr_copy'], 'disk'))
    if scope.get('over_rpo'):
        words.append('%s older than the RPO' % counted(scope['over_rpo'], 'disk copy', 'disk copies'))
    if scope.get('in_flight'):
        words.append('%d in flight' % scope['in_flight'])
    if scope.get('suspect'):
        words.append('%s in doubt' % counted(len(scope['suspect']), 'copy', 'copies'))
    if scope.get('restore_failed'):
        words.append('%s failed' % counted(scope['restore_failed'], 'restore test'))
    if scope.get('not_covered_by_any'):
        words.append('%s of %s not covered' % (counted(scope['not_covered_by_any'], 'disk'), scope['source_region']))
    if scope['run'] == 'failed':
        words.append(
            'failed with %s' % counted(scope['failure_count'], 'problem') if scope['failure_count'] else 'failed'
        )
    return words


def fleet_totals_lines(totals: Mapping[str, Any]) -> list[str]:
    """The fleet's totals: its scopes by status, worst first, and those that failed; its disks by status, those without a
    DR copy, and those no scope covers (when a scope read its region)."""
    statuses = ', '.join(
        '%d %s' % (totals[STATUS_TOTALS[status]], status) for status in WORST_FIRST if totals[STATUS_TOTALS[status]]
    )
    disks = ', '.join(
        '%d %s' % (totals[name], status)
        for status, name in DISK_COUNTS.items()
        if totals.get(name) and name != 'not_covered'
    )
    scopes = ['Scopes: %d%s' % (totals['scopes'], ' (%s)' % statuses if statuses else '')]
    if totals['failed_scopes']:
        scopes.append('%d failed' % totals['failed_scopes'])
    if totals.get('accounts_without_scope'):
        scopes.append('%s of the organisations without one' % counted(totals['accounts_without_scope'], 'account'))
    words = ['Disks: %d%s' % (totals['disks'], ' (%s)' % disks if disks else '')]
    words.append('%s without a DR copy' % counted(totals['without_dr_copy'], 'disk'))
    if totals.get('not_covered') is not None:
        words.append('%s that no scope covers' % counted(totals['not_covered'], 'disk'))
    return ['; '.join(scopes), '; '.join(words)]
