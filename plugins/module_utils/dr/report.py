# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's report: the data dr_sync returns (totals, one record per disk, failures). The same as a Markdown
document for people (report_markdown, the dr_copy role's report file) is rendered on the controller, by dr_sync's
action (plugins/plugin_utils/_report_markdown.py): nothing of it is built on the managed host."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from ..core.cloud_clock import iso_utc
from ..core.model import COMPLETED, PENDING
from ..core.tagging import SET_TAG
from ..engine.outcomes import COPIED, EXISTING, NEWER_HELD, NOT_COPIED, WOULD_COPY
from .coverage import model_fields
from .locks import EXPIRED, IN_FORCE, LOCK_FAILED, LOCKED, WHEN_COMPLETED, WOULD_LOCK
from .points import hours_since
from .protection import (
    BLOCK_READING_PROVIDERS,
    ScopeProtection,
    counted,
    disk_of_run,
    doubts_words,
    points_line,
    run_copy_standing,
)

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Mapping, Sequence

    from ..core.dr_model import Disk
    from ..core.model import Snapshot
    from ..engine.outcomes import RequestOutcome
    from .coverage import Coverage
    from .locks import LockRecord
    from .protection import DiskProtection
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
    'not_covered',
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
    'protection',
    'verify',
    # What the run would copy, cost and take (check mode), or copied (dr.plan): its pages and the fleet read it here.
    'plan',
)


class PruneRecord(TypedDict, total=False):
    """A DR copy pruning deleted (or not: ``action``) or kept, as the report lists it: where it is, when it was made,
    and for a copy pruning chose, its age, what became of it and why (``reason``, ``error``; ``lock``: the lock in force
    that kept it)."""

    region: str
    snapshot_id: str
    created: str | None
    age_hours: float
    action: str
    reason: str
    error: dict[str, Any]
    lock: dict[str, Any]


@dataclass(frozen=True)
class DiskFacts:  # pylint: disable=too-many-instance-attributes  # one field a phase's result
    """One disk as the phases of a run left it, put together for its report: its source snapshot (the fresh one once it
    completed), the fresh snapshot and what was done about it (None; 'existing', 'would_create', 'created' or 'failed'),
    the copies' outcomes, their locks ({(region, copy id): dr.locks.lock_record}) and those of its older copies, what
    pruning deleted and kept, and the problems the phases found, in the order they found them."""

    disk: Disk
    source: Snapshot | None = None
    fresh: Snapshot | None = None
    fresh_action: str | None = None
    outcomes: tuple[RequestOutcome, ...] = ()
    locks: Mapping[tuple[str, str], LockRecord] = field(default_factory=dict)
    other_locks: tuple[LockRecord, ...] = ()
    pruned: tuple[PruneRecord, ...] = ()
    kept: tuple[PruneRecord, ...] = ()
    problems: tuple[str, ...] = ()
    #: The disk's consistency group (phases.report.group_record; None: on its own).
    group: Mapping[str, Any] | None = None
    #: The run's verification of each copy ({(region, copy id): record}, phases.verify; none without verify).
    verification: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: The churn alarm's record of each copy (keyed alike; none without churn_alarm).
    churn: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: The disk's verified and last known good points in each DR region ({region: points}; none unless the run read
    #: the DR copies).
    points: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: The copy tags of each copy ({(region, copy id): record}, phases.copy_tags; none without copy_tags), and the
    #: records of the disk's older copies the run tagged or would tag.
    copy_tags: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    other_copy_tags: tuple[dict[str, Any], ...] = ()


# The total each copy action counts in.
# A newer point held instead (NEWER_HELD) was there already: nothing made.
ACTION_TOTALS = {
    COPIED: 'copied',
    EXISTING: 'existing',
    NEWER_HELD: 'existing',
    WOULD_COPY: 'would_copy',
    NOT_COPIED: 'not_copied',
}


def disk_label(disk_id: str, name: str | None) -> str:
    """A disk as a person finds it in the console: its id, and its name when it has one."""
    return '%s (%s)' % (disk_id, name) if name else disk_id


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


def not_crash_consistent_line(report: Mapping[str, Any]) -> str | None:
    """A sentence naming the groups whose sets the cloud does not call crash-consistent (a CBS group of type NORMAL,
    which its model calls no consistent snapshot), so that no page says more of them than the cloud does; None: none."""
    names = sorted(
        {
            disk['consistency_group']['name']
            for disk in report.get('disks') or []
            if (disk.get('consistency_group') or {}).get('crash_consistent') is False
        }
    )
    if not names:
        return None
    return (
        'The cloud does not call the sets of %s crash-consistent (a Tencent CBS snapshot group of type NORMAL is "not a '
        'consistent snapshot" by its API model): they are copied, kept and pruned whole, but their disks\' data may be '
        'of different instants' % ', '.join(names)
    )


def look_alike_lines(report: Mapping[str, Any]) -> list[str]:
    """A sentence for each group's snapshots that look like a set and are in none (EBS: one start time and one
    description, no evidence that one request made them), saying why and how to mark a set, once a group: what the run's
    and the posture read's records hold (consistency_group.look_alikes)."""
    return group_look_alike_lines(disk.get('consistency_group') for disk in report.get('disks') or [])


def group_look_alike_lines(groups: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """look_alike_lines of the disks' ``groups`` records (consistency_group; None for a disk on its own), once each."""
    lines: dict[str, None] = {}
    for group in filter(None, groups):
        for found in group.get('look_alikes') or []:
            lines['consistency group %s: %s' % (group['name'], found['why'])] = None
    return list(lines)


def verify_setting(settings: DrSettings) -> str:
    """The run's ``verify`` as the report keeps it: 'off', 'full', or the blocks sampled of each copy."""
    if settings.verify.full:
        return 'full'
    return str(settings.verify.sample) if settings.verify.sample else 'off'


def verified_points_line(report: dict[str, Any], scope: ScopeProtection) -> str | None:
    """The scope's verified recovery points in a sentence (points_line), and, where the cloud can verify and this run
    did not, that verification is off and how to turn it on: "0 of 18" alone reads as 18 copies that failed a check."""
    line = points_line(scope)
    if line is None or report.get('verify') != 'off' or scope.provider not in BLOCK_READING_PROVIDERS:
        return line
    verified = sum(1 for cell in scope.cells() if cell.verified_copy_id)
    off = (
        'verification is off in this run: no copy\'s blocks were read beside its source\'s. Turn it on with verify: 64 '
        '(the dr_copy role: dr_copy_verify: 64) to read 64 blocks of each new copy, or full for every block'
    )
    if not verified:
        return 'Verified recovery points: %s%s' % (off, doubts_words(scope.cells()))
    return '%s (by earlier runs; %s)' % (line, off)


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


def summary_line(
    totals: dict[str, Any],
    restore: dict[str, Any] | None,
    check_mode: bool,
    protection: ScopeProtection | None = None,
    *,
    status: bool = True,
) -> str:
    """The run in one line, each count with its unit: disks, copies, snapshots and restore tests are not added up. In check
    mode what the run would do is said so ("would be"), never as done. With the scope's ``protection`` (the model, whose
    numbers the totals carry) the line starts with it: its status (unless ``status`` is False: a page shows it beside the
    line), disks, those without a DR copy, a limited run, a stale account."""
    copies = 'copies: %d made, %d already there' % (totals['copied'], totals['existing']) + (
        ', %d would be made' % totals['would_copy'] if check_mode or totals['would_copy'] else ''
    )
    if protection is None:
        parts = [
            counted(totals['disks'], 'disk'),
            copies,
            '%s without a DR copy' % counted(totals['without_dr_copy'], 'disk'),
        ]
    else:
        parts = [protection.status_line() if status else protection.summary(), copies]
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
    coverage: Coverage | None = None,
) -> dict[str, Any]:
    """The report of a run over ``entries`` (one DiskFacts a disk), without api_retries and run_warnings,
    which the run adds. Problems found here (a disk without a source snapshot) join the disks'.
    ``restore`` is the restore drill's section (None without one); ``run_problems`` are the failures of the
    run as a whole (a selector that matches no disk) and of its drill. The scope's protection is the model
    (dr.protection) of the copies read back; the totals of disks and disks without a DR copy, and the posture, are its.
    ``coverage`` is what the run's read found of the region's other disks (None: not read)."""
    totals = dict.fromkeys(TOTALS, 0)
    dr_regions = settings.region_names
    rpo = settings.fresh.max_age_hours
    generated_at = iso_utc(now)
    disks: list[dict[str, Any]] = []
    models = []
    failures: list[str] = []
    # {a consistency group's problem: the disks it holds}
    group_disks: dict[str, list[str]] = {}
    for entry in entries:
        record, model = disk_record(entry, dr_regions, now, check_mode, waits=bool(settings.wait.wait), rpo=rpo)
        for copy in record['copies']:
            if copy['action'] in ACTION_TOTALS:
                totals[ACTION_TOTALS[copy['action']]] += 1
            if copy.get('lock') and copy['lock']['action'] in (LOCKED, WOULD_LOCK):
                totals['locked'] += 1
        totals['locked'] += sum(1 for record in entry.other_locks if record['action'] in (LOCKED, WOULD_LOCK))
        totals['fresh_snapshots'] += 1 if entry.fresh_action in ('created', 'would_create') else 0
        totals['pruned'] += sum(1 for pruned in entry.pruned if pruned['action'] in ('deleted', 'would_delete'))
        totals['kept'] += len(entry.kept)
        disks.append(record)
        models.append(model)
        for problem in record['problems']:
            label = disk_label(entry.disk.id, entry.disk.name)
            if entry.group is not None and problem.startswith(GROUP_PROBLEM):
                # The group's problem, the same for each of its disks: said once, naming them all.
                if problem not in group_disks:
                    group_disks[problem] = []
                    failures.append(problem)
                group_disks[problem].append(label)
            else:
                failures.append('disk %s: %s' % (label, problem))
    failures = [
        '%s %s: %s' % ('disks' if len(group_disks[text]) > 1 else 'disk', ', '.join(group_disks[text]), text)
        if text in group_disks
        else text
        for text in failures
    ]
    failures.extend(run_problems)
    protection = ScopeProtection(
        provider=settings.provider,
        source_region=settings.source_region,
        dr_regions=tuple(dr_regions),
        rpo_hours=rpo,
        read_at=generated_at,
        check_mode=check_mode,
        # The disks the run read: those of disk_ids that the selector matched, with the rest of their groups.
        limited_to=tuple(sorted(entry.disk.id for entry in entries)) if settings.disk_ids is not None else None,
        failures=len(failures),
        disks=tuple(models),
        points_read=any(entry.points for entry in entries),
        allow_no_disks=settings.allow_no_disks,
        **model_fields(coverage),
    )
    totals.update(protection.totals())
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
        'generated_at': generated_at,
        'totals': totals,
        'posture': protection.posture(),
        'protection': protection.as_data(),
        'disks': disks,
        'restore': restore,
        'failures': failures,
        # Whether this run read its copies' blocks (dr.verify): the pages say so when it did not.
        'verify': verify_setting(settings),
    }
    report['locks'] = lock_counts(report)
    return report


# How a problem of a consistency group as a whole begins (no_set_problem): a disk's, said once for all its disks.
GROUP_PROBLEM = 'consistency group '


def no_set_problem(group: Mapping[str, Any], being_made: bool) -> str:
    """Why a disk of a consistency group has nothing to copy: its group has no complete set (``being_made``: a fresh
    set of it is being made)."""
    if group.get('refusal'):
        # The run's failures say why once for the group; no fresh set would help.
        return (
            'consistency group %s can have no set made on this cloud (see the run\'s failures): no copy'
            % (group['name'])
        )
    if being_made:
        return (
            'consistency group %s has no complete set to copy yet (a fresh set is being made: the next run copies it)'
            % (group['name'])
        )
    newer = group.get('newer_sets') or []
    seen = (
        ': its newest set %s is %s' % (newer[-1]['set_id'], newer[-1]['state'].replace('_', ' '))
        if newer
        else ' of its disks'
    )
    # Snapshots that look like a set without evidence: the problem says why they are none, and how to mark a set.
    look_alikes = ''.join('; %s' % found['why'] for found in group.get('look_alikes') or [])
    return (
        'consistency group %s has no complete set%s; its disks get no copy until a set of them all completes (set '
        'max_snapshot_age_hours to have one made)%s' % (group['name'], seen, look_alikes)
    )


def disk_record(
    entry: DiskFacts,
    dr_regions: Sequence[str],
    now: datetime.datetime,
    check_mode: bool,
    waits: bool = False,
    rpo: float | None = None,
) -> tuple[dict[str, Any], DiskProtection]:
    """One disk of the report (its source and fresh snapshots, its copies, the DR regions it still lacks) and of the model.

    In check mode, a disk that would first get a fresh snapshot is planned as the real run would go: one that
    ``waits`` copies that snapshot once it has completed; one that does not has nothing to copy yet.
    """
    copies: list[dict[str, Any]] = []
    problems = list(entry.problems)
    # What the copies were made of: the run's source snapshot (the fresh one once it completed). Its time is the copies'
    # recovery point: a copy made a minute ago of a snapshot taken 30 hours ago holds data 30 hours old.
    source_age = round(entry.source.age_hours(now), 1) if entry.source is not None else None
    for outcome in entry.outcomes:
        for destination_outcome in outcome.destinations.values():
            copy = destination_outcome.as_result()
            snapshot = destination_outcome.snapshot
            copy['age_hours'] = round(snapshot.age_hours(now), 1) if snapshot is not None else None
            copy['completed'] = snapshot is not None and snapshot.state == COMPLETED
            # A copy whose blocks were read and differ from its source's is none (dr.verify).
            key = (destination_outcome.destination, copy['snapshot_id'] or outcome.request.source_id)
            copy['verification'] = entry.verification.get(key)
            copy['churn'] = entry.churn.get(key)
            copy['copy_tags'] = entry.copy_tags.get(key)
            # A newer point's copy that stands in for the source's (NEWER_HELD) stands by its own point.
            held_point = destination_outcome.recovery_point if destination_outcome.action == NEWER_HELD else None
            point_age = hours_since(held_point, now) if held_point else source_age
            copy['standing'], copy['recovery_point_age_hours'] = run_copy_standing(
                copy, point_age, rpo, in_flight=snapshot is not None and snapshot.state == PENDING
            )
            copy['recovery_point'] = held_point or (
                entry.source.created
                if entry.source is not None and copy['recovery_point_age_hours'] is not None
                else None
            )
            # A newer set's copy held in its stead names its own set.
            copy['set_id'] = (
                (
                    snapshot.tags.get(SET_TAG)
                    if destination_outcome.action == NEWER_HELD and snapshot is not None
                    else entry.group['set_id']
                )
                if entry.group is not None
                else None
            )
            # With lock: what the run did about this copy's lock, and the lock (None without lock).
            copy['lock'] = entry.locks.get((destination_outcome.destination, copy['snapshot_id'] or ''))
            copies.append(copy)
        problems.extend(outcome.failures())
    fresh_to_copy = check_mode and waits and entry.fresh_action == 'would_create'
    if entry.source is None and not problems and not fresh_to_copy and entry.group is not None:
        problems.append(no_set_problem(entry.group, entry.fresh is not None or entry.fresh_action == 'would_create'))
    elif entry.source is None and not problems and not fresh_to_copy:
        being_made = entry.fresh is not None or entry.fresh_action == 'would_create'
        if being_made:
            problems.append('no completed snapshot to copy yet (a fresh one is being made: the next run copies it)')
        else:
            problems.append(
                'no completed snapshot to copy: set max_snapshot_age_hours to have a fresh snapshot taken '
                'of a disk whose newest is older than that, or none'
            )
    source, fresh = entry.source, entry.fresh
    record = {
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
        'missing_regions': [],  # the model's, below
        'pruned': list(entry.pruned),
        'kept': list(entry.kept),
        'other_locks': list(entry.other_locks),
        'other_copy_tags': list(entry.other_copy_tags),
        'problems': problems,
        'consistency_group': dict(entry.group) if entry.group is not None else None,
        'points': {region: dict(points) for region, points in entry.points.items()},
    }
    # The DR regions it lacks are the model's (a failed copy, one that differs and was not used, a refused one cover nothing).
    model = disk_of_run(record, dr_regions, iso_utc(now), planned=fresh_to_copy)
    record['missing_regions'] = model.missing_regions
    return record, model
