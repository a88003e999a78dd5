# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's report: the data dr_sync returns (totals, one record per disk, failures). The same as a Markdown
document for people (report_markdown, the dr_copy role's report file) is rendered on the controller, by dr_sync's
action (plugins/plugin_utils/_report_markdown.py): nothing of it is built on the managed host."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.model import COMPLETED, FAILED
from ..engine.outcomes import COPIED, EXISTING, NOT_COPIED, WOULD_COPY
from .lock import EXPIRED, IN_FORCE, LOCK_FAILED, LOCKED, WHEN_COMPLETED, WOULD_LOCK

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping, Sequence

    from ..core.model import Disk, Snapshot
    from ..engine.outcomes import RequestOutcome
    from .settings import DrSettings

TOTALS = (
    'disks',
    'copied',
    'existing',
    'would_copy',
    'not_copied',
    'fresh_snapshots',
    'pruned',
    'kept',
    'without_dr_copy',
    'locked',
)
# What a report file holds: the run's own data as dr_sync returns it. Never the whole task result, whose
# warnings, deprecations and invocation the core adds (as objects from ansible-core 2.19 on, not JSON).
REPORT_KEYS = (
    'msg',
    'changed',
    'failed',
    'check_mode',
    'provider',
    'account',
    'source_region',
    'dr_regions',
    'generated_at',
    'duration_seconds',
    'totals',
    'posture',
    'locks',
    'disks',
    'restore',
    'failures',
    'run_warnings',
    'api_retries',
    'dr_account',
    'run_id',
)
# How a DR region stands for a disk (a copy's ``standing``, the report's ``posture``), best first: a completed copy whose
# recovery point (when its source snapshot was taken) is within the RPO (max_snapshot_age_hours; any, without one), or
# older; a copy still in flight, or only planned (check mode); no copy.
WITHIN_RPO, OVER_RPO, IN_FLIGHT, PLANNED, NO_COPY = 'within_rpo', 'over_rpo', 'in_flight', 'planned', 'no_copy'
STANDINGS = (WITHIN_RPO, OVER_RPO, IN_FLIGHT, PLANNED, NO_COPY)


@dataclass(frozen=True)
class DiskFacts:  # pylint: disable=too-many-instance-attributes  # one field a phase's result
    """One disk as the phases of a run left it, put together for its report: its source snapshot (the fresh one once it
    completed), the fresh snapshot and what was done about it (None; 'existing', 'would_create', 'created' or 'failed'),
    the copies' outcomes, their locks ({(region, copy id): dr.lock.lock_record}) and those of its older copies, what
    pruning deleted and kept, and the problems the phases found, in the order they found them."""

    disk: Disk
    source: Snapshot | None = None
    fresh: Snapshot | None = None
    fresh_action: str | None = None
    outcomes: tuple[RequestOutcome, ...] = ()
    locks: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    other_locks: tuple[dict[str, Any], ...] = ()
    pruned: tuple[dict[str, Any], ...] = ()
    kept: tuple[dict[str, Any], ...] = ()
    problems: tuple[str, ...] = ()


# The total each copy action counts in.
ACTION_TOTALS = {COPIED: 'copied', EXISTING: 'existing', WOULD_COPY: 'would_copy', NOT_COPIED: 'not_copied'}


def disk_label(disk_id: str, name: str | None) -> str:
    """A disk as a person finds it in the console: its id, and its name when it has one."""
    return '%s (%s)' % (disk_id, name) if name else disk_id


def counted(number: int, unit: str, plural: str | None = None) -> str:
    """``number`` with its unit: 1 disk, 2 disks."""
    return '%d %s' % (number, unit if number == 1 else plural or unit + 's')


def lock_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each DR copy's lock in a DR run's ``report`` (those the run locked or found, and the older copies pruning kept for
    their lock), as the pages and the text show them: disk, region, copy, mode, status, expires, and what the run did."""
    rows = []
    for disk in report['disks']:
        for copy in disk['copies']:
            if copy.get('lock'):
                rows.append(
                    dict(copy['lock'], disk_id=disk['disk_id'], region=copy['region'], snapshot_id=copy['snapshot_id'])
                )
        for record in disk.get('other_locks') or []:  # an older copy of the disk, locked as the copies of this run
            rows.append(dict(record, disk_id=disk['disk_id']))
        for record in disk.get('kept') or []:
            if record.get('reason') == 'locked':
                rows.append(
                    dict(
                        record['lock'],
                        action='kept by pruning: locked',
                        disk_id=disk['disk_id'],
                        region=record['region'],
                        snapshot_id=record['snapshot_id'],
                    )
                )
    return rows


def lock_words(lock: dict[str, Any]) -> str:
    """One copy's lock (a lock_rows row or a copy's ``lock``) in a few words: what the run did and until when it holds."""
    action = lock.get('action')
    until = ' until %s' % lock['expires'] if lock.get('expires') else ''
    if action in (LOCKED, IN_FORCE) and lock.get('in_force'):
        return '%s %s%s' % ('locked' if action == LOCKED else 'lock in force', lock.get('mode') or '', until)
    words = {
        WOULD_LOCK: 'would be locked',
        WHEN_COMPLETED: 'to be locked once complete',
        EXPIRED: 'lock expired, not locked',
        LOCK_FAILED: 'LOCK FAILED, not locked',
    }
    return words.get(action, '%s%s' % (action, until)) if action else 'not locked'


# What a run did about a copy's lock, as lock_counts counts it.
LOCK_ACTION_COUNTS = (
    (WOULD_LOCK, 'would_lock'),
    (WHEN_COMPLETED, 'when_completed'),
    (EXPIRED, 'expired'),
    (LOCK_FAILED, 'lock_failed'),
)


def lock_counts(report: dict[str, Any]) -> dict[str, Any] | None:
    """The run's locks counted (None for a run without any): the DR copies locked against deletion now (``in_force``, of
    them ``by_this_run``) and when the first of those locks ends, and the copies whose lock would be set (check mode), is
    to be set once complete, expired during the run or failed. The report's ``locks``; the fleet's pages show it."""
    rows = lock_rows(report)
    if not rows:
        return None
    in_force = [
        row
        for row in rows
        if row.get('in_force') and row.get('action') in (LOCKED, IN_FORCE, 'kept by pruning: locked')
    ]
    counts: dict[str, Any] = {
        'in_force': len(in_force),
        'by_this_run': sum(1 for row in in_force if row.get('action') == LOCKED),
        'first_lock_ends': min((row['expires'] for row in in_force if row.get('expires')), default=None),
    }
    counts.update((key, sum(1 for row in rows if row.get('action') == action)) for action, key in LOCK_ACTION_COUNTS)
    return counts


def lock_summary(report: dict[str, Any]) -> str | None:
    """The run's locks in one line (None for a run without them): how many DR copies are locked and until when at the
    earliest, how many would be (check mode), and those not locked."""
    counts = report.get('locks') or lock_counts(report)
    if not counts:
        return None
    parts = []
    if counts['in_force']:
        parts.append(
            '%s locked against deletion%s (%d by this run)'
            % (
                counted(counts['in_force'], 'DR copy', 'DR copies'),
                ', the first lock ends %s' % counts['first_lock_ends'] if counts['first_lock_ends'] else '',
                counts['by_this_run'],
            )
        )
    words = {
        'would_lock': 'would be locked',
        'when_completed': 'to be locked once complete',
        'expired': 'whose lock expired',
        'lock_failed': 'NOT LOCKED: the lock failed',
    }
    parts.extend(
        '%s %s' % (counted(counts[key], 'DR copy', 'DR copies'), words[key])
        for dummy, key in LOCK_ACTION_COUNTS
        if counts[key]
    )
    return 'Locks: ' + '; '.join(parts) if parts else None


def dr_account_line(report: dict[str, Any]) -> str | None:
    """Where the DR copies are, for the pages and the text: the DR account and what the run did with its shares; None when
    the copies are in the disks' own account."""
    vault = report.get('dr_account')
    if not vault:
        return None
    would = report.get('check_mode')
    released = vault.get('would_release' if would else 'released') or []
    held = vault.get('held') or []
    return 'DR copies in account %s%s; source shares %s: %d%s' % (
        vault.get('account') or '?',
        ' (the disks\' account: %s)' % report['account'] if report.get('account') else '',
        'that would be released' if would else 'released',
        len(released),
        ', %d held for a copy in flight' % len(held) if held else '',
    )


def summary_line(totals: dict[str, Any], restore: dict[str, Any] | None, check_mode: bool) -> str:
    """The run in one line, each count with its unit: disks, copies, snapshots and restore tests are not added up. In check
    mode what the run would do is said so ("would be"), never as done."""
    parts = [
        counted(totals['disks'], 'disk'),
        'copies: %d made, %d already there' % (totals['copied'], totals['existing'])
        + (', %d would be made' % totals['would_copy'] if check_mode or totals['would_copy'] else ''),
        '%s without a DR copy' % counted(totals['without_dr_copy'], 'disk'),
    ]
    would = 'would be ' if check_mode else ''
    if totals['fresh_snapshots']:
        parts.append('%s %staken' % (counted(totals['fresh_snapshots'], 'fresh snapshot'), would))
    if totals.get('locked'):
        parts.append('%s %slocked' % (counted(totals['locked'], 'copy', 'copies'), would))
    if totals['pruned']:
        parts.append('%s %spruned' % (counted(totals['pruned'], 'old copy', 'old copies'), would))
    if restore:
        drill = restore['totals']
        parts.append(
            'restore tests: %d passed, %d failed, %d timed out%s'
            % (
                drill['passed'],
                drill['failed'],
                drill['timed_out'],
                ', %d planned' % drill['would_test'] if drill['would_test'] else '',
            )
        )
    return ('Check mode: ' if check_mode else '') + '; '.join(parts)


def dr_report(
    entries: Sequence[DiskFacts],
    settings: DrSettings,
    now: datetime.datetime,
    check_mode: bool,
    restore: dict[str, Any] | None = None,
    run_problems: Iterable[str] = (),
) -> dict[str, Any]:
    """The report of a run over ``entries`` (one DiskFacts a disk), without api_retries and run_warnings,
    which the run adds. Problems found here (a disk without a source snapshot) join the disks'.
    ``restore`` is the restore drill's section (None without one); ``run_problems`` are the failures of the
    run as a whole (a selector that matches no disk) and of its drill."""
    totals = dict.fromkeys(TOTALS, 0)
    totals['disks'] = len(entries)
    dr_regions = settings.region_names
    rpo = settings.fresh.max_age_hours
    disks: list[dict[str, Any]] = []
    failures: list[str] = []
    for entry in entries:
        record = disk_record(entry, set(dr_regions), now, check_mode, waits=bool(settings.wait.wait), rpo=rpo)
        for copy in record['copies']:
            if copy['action'] in ACTION_TOTALS:
                totals[ACTION_TOTALS[copy['action']]] += 1
            if copy.get('lock') and copy['lock']['action'] in (LOCKED, WOULD_LOCK):
                totals['locked'] += 1
        totals['locked'] += sum(1 for record in entry.other_locks if record['action'] in (LOCKED, WOULD_LOCK))
        totals['without_dr_copy'] += 1 if record['missing_regions'] else 0
        totals['fresh_snapshots'] += 1 if entry.fresh_action in ('created', 'would_create') else 0
        totals['pruned'] += sum(1 for pruned in entry.pruned if pruned['action'] in ('deleted', 'would_delete'))
        totals['kept'] += len(entry.kept)
        disks.append(record)
        failures.extend(
            'disk %s: %s' % (disk_label(entry.disk.id, entry.disk.name), problem) for problem in record['problems']
        )
    failures.extend(run_problems)
    # A drill leaves nothing behind: only deleting the leftovers of earlier drills is a change.
    leftovers_deleted = restore['totals']['leftovers_deleted'] if restore else 0
    report = {
        'changed': bool(
            totals['copied']
            or totals['would_copy']
            or totals['fresh_snapshots']
            or totals['pruned']
            or totals['locked']
            or leftovers_deleted
        ),
        'check_mode': check_mode,
        'provider': settings.provider,
        'source_region': settings.source_region,
        'dr_regions': dr_regions,
        'generated_at': now.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'totals': totals,
        'posture': posture(disks, dr_regions, rpo),
        'disks': disks,
        'restore': restore,
        'failures': failures,
    }
    report['locks'] = lock_counts(report)
    return report


def posture(disks: list[dict[str, Any]], dr_regions: list[str], rpo: float | None) -> dict[str, Any]:
    """The run's DR posture: per DR region, how many disks stand how (STANDINGS), and the oldest recovery point of
    its completed copies, in hours (None without one)."""
    regions: dict[str, dict[str, Any]] = {}
    for region in dr_regions:
        counts: dict[str, Any] = dict.fromkeys(STANDINGS, 0)
        ages = []
        for disk in disks:
            copy = region_copy(disk, region)
            counts[copy['standing'] if copy else NO_COPY] += 1
            if copy and copy['recovery_point_age_hours'] is not None:
                ages.append(copy['recovery_point_age_hours'])
        counts['oldest_recovery_point_hours'] = max(ages, default=None)
        regions[region] = counts
    return {'rpo_hours': rpo, 'regions': regions}


def region_copy(disk: dict[str, Any], region: str) -> dict[str, Any] | None:
    """The copy of a disk's record (its ``copies``) that stands best in ``region``, or None when it has none there."""
    copies = [copy for copy in disk['copies'] if copy['region'] == region]
    return min(copies, key=lambda copy: STANDINGS.index(copy['standing']), default=None)


def standing(
    copy: dict[str, Any], failed: bool, source_age_hours: float | None, rpo: float | None
) -> tuple[str, float | None]:
    """(standing, recovery point age in hours) of one copy of the report (DestinationOutcome.as_result, with its
    ``completed``; ``failed`` the outcome's): a completed copy's recovery point is its source snapshot's age."""
    if copy['action'] == WOULD_COPY:
        return PLANNED, None
    if copy['action'] == NOT_COPIED or copy.get('error') or not copy['snapshot_id']:
        return NO_COPY, None
    return copy_standing(bool(copy['completed']), bool(copy['state']) and not failed, source_age_hours, rpo)


def copy_standing(
    completed: bool, in_flight: bool, recovery_point_age_hours: float | None, rpo: float | None
) -> tuple[str, float | None]:
    """(standing, recovery point age in hours) of a disk's DR copy in a DR region, from what the cloud holds: the rules of
    STANDINGS, written once for a run's report (standing) and for a read of the clouds (dr.posture). A completed copy stands
    by its recovery point (when its source snapshot was taken) against ``rpo``, and within it without one; a copy not
    completed is in flight while the cloud is still making it (``in_flight``), else there is no copy. A completed copy whose
    recovery point is unknown (None: its source snapshot is gone) is not shown to be within the RPO: over it, when there
    is one."""
    if not completed:
        return (IN_FLIGHT if in_flight else NO_COPY), None
    if rpo and (recovery_point_age_hours is None or recovery_point_age_hours > rpo):
        return OVER_RPO, recovery_point_age_hours
    return WITHIN_RPO, recovery_point_age_hours


def disk_record(
    entry: DiskFacts,
    dr_regions: set[str],
    now: datetime.datetime,
    check_mode: bool,
    waits: bool = False,
    rpo: float | None = None,
) -> dict[str, Any]:
    """One disk of the report: its source and fresh snapshots, its copies, the DR regions it still lacks.

    In check mode, a disk that would first get a fresh snapshot is planned as the real run would go: one that
    ``waits`` copies that snapshot once it has completed; one that does not has nothing to copy yet.
    """
    copies: list[dict[str, Any]] = []
    problems = list(entry.problems)
    # What the copies were made of: the run's source snapshot (the fresh one once it completed).
    source_age = round(entry.source.age_hours(now), 1) if entry.source is not None else None
    for outcome in entry.outcomes:
        for destination_outcome in outcome.destinations.values():
            copy = destination_outcome.as_result()
            snapshot = destination_outcome.snapshot
            copy['age_hours'] = round(snapshot.age_hours(now), 1) if snapshot is not None else None
            copy['completed'] = snapshot is not None and snapshot.state == COMPLETED
            # A copy the wait gave up on is still in flight in the cloud (a rerun adopts it); one the cloud failed is no copy.
            copy_failed = snapshot is not None and snapshot.state == FAILED
            copy['standing'], copy['recovery_point_age_hours'] = standing(copy, copy_failed, source_age, rpo)
            # With lock: what the run did about this copy's lock, and the lock (None without lock).
            copy['lock'] = entry.locks.get((destination_outcome.destination, copy['snapshot_id'] or ''))
            copies.append(copy)
        problems.extend(outcome.failures())
    fresh_to_copy = check_mode and waits and entry.fresh_action == 'would_create'
    if entry.source is None and not problems and not fresh_to_copy:
        being_made = entry.fresh is not None or entry.fresh_action == 'would_create'
        if being_made:
            problems.append('no completed snapshot to copy yet (a fresh one is being made: the next run copies it)')
        else:
            problems.append(
                'no completed snapshot to copy: set max_snapshot_age_hours to have a fresh snapshot taken '
                'of a disk whose newest is older than that, or none'
            )
    # A region is covered by what its standing says, the rule the region table shows: a copy completed or in flight there
    # (in check mode, one planned). A failed copy, one that differs and was not used, or a refused one covers nothing.
    covered = {copy['region'] for copy in copies if copy['standing'] != NO_COPY}
    if fresh_to_copy:
        covered = set(dr_regions)
    source, fresh = entry.source, entry.fresh
    return {
        'disk_id': entry.disk.id,
        'disk_name': entry.disk.name,
        'source_snapshot': None
        if source is None
        else {'id': source.id, 'state': source.cloud_state, 'created': source.created, 'age_hours': source_age},
        'fresh_snapshot': None
        if entry.fresh_action is None
        else {
            'action': entry.fresh_action,
            'id': fresh.id if fresh is not None else None,
            'state': fresh.cloud_state if fresh is not None else None,
        },
        'copies': copies,
        'missing_regions': sorted(dr_regions - covered),
        'pruned': list(entry.pruned),
        'kept': list(entry.kept),
        'other_locks': list(entry.other_locks),
        'problems': problems,
    }
