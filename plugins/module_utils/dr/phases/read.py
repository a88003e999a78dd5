# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads: the tagged disks and their snapshots at the start (read_disks: one DiskPlan a disk), and each DR region's
copies after the copies (list_dr_copies), for the locks, the restore drill and pruning."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import UNKNOWN_REGION_CODES, CloudError, InputError
from ...core.model import COMPLETED, PENDING
from ..capabilities import SetReading
from ..coverage import Coverage, coverage_notes, format_selector
from ..groups import IN_FLIGHT, consistency_groups, group_look_alikes, group_point
from ..scope_read import read_scope
from .context import RUN, DiskPlan, PhaseResult
from .marks import mark_found_copies

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.dr_model import Disk
    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ..capabilities import SnapshotSetAdapter
    from ..groups import Group, GroupPoint
    from .context import PhaseContext


@dataclass(frozen=True)
class Reading(PhaseResult):
    """The disks the run looks after, one DiskPlan each, by disk id; {'<region>/<snapshot id>': disk key} of every
    snapshot read (what tells a copy's source to its disk); the failures of the scope (a selector that matches no disk,
    a disk not covered with coverage fail: the run's problems) and the warnings found (near misses); the coverage."""

    plans: tuple[DiskPlan, ...] = ()
    source_disks: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: The source region's disks that the selector does not take; None when not read (coverage off, a limited run).
    coverage: Coverage | None = None
    #: The consistency groups, each with its recovery point and the sets newer than it (dr.groups).
    groups: tuple[GroupPoint, ...] = ()
    #: {'<region>/<snapshot id>': when it was taken} of every snapshot read: the recovery point of a copy of it.
    source_times: Mapping[str, str | None] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Listing(PhaseResult):
    """Each DR region's copies that this collection made, as listed after the copies (none when no later phase needs
    them); and the same with the found copies marked (``marked``: what the locks, verification, the drill and pruning
    see), its warnings of copies left unmarked."""

    copies: Mapping[str, tuple[Snapshot, ...]] = dataclasses.field(default_factory=dict)
    marked: Mapping[str, Sequence[Snapshot]] = dataclasses.field(default_factory=dict)


def read_disks(ctx: PhaseContext) -> Reading:
    """The disks that the tag selector (and disk_ids) names, in the order of their ids, and their snapshots in one
    batch."""
    ctx.enter()
    calls = ctx.counted()
    settings = ctx.settings
    region = settings.source_region
    warnings: list[str] = []

    def looked_after(taken: list[Disk]) -> list[Disk]:
        named, found = _named_disks(ctx, taken)
        warnings.extend(found)
        return _whole_groups(ctx, taken, named, warnings)

    try:
        scope = read_scope(calls.call, ctx.adapter, settings, looked_after=looked_after)
    except CloudError as error:
        # The run's first read of its scope, refused because the cloud knows no such region: bad input (a typo), which
        # ends the run before it made anything, and leaves no report of a scope that does not exist (issue 62).
        if error.code in UNKNOWN_REGION_CODES:
            raise InputError(
                'source_region',
                'the cloud knows no region %s (%s: %s): check its spelling' % (region, error.code, error.message),
            ) from error
        raise
    disks, snapshots, coverage = scope.disks, scope.snapshots, scope.coverage
    problems: list[str] = []
    groups = _group_points(ctx, calls, disks, snapshots, problems)
    warnings.extend(_set_warnings(groups))
    in_group = {disk.id: (group, point) for group, point in groups for disk in group.disks}
    plans = tuple(
        plan_member(ctx, disk, *in_group[disk.id])
        if disk.id in in_group
        else plan_disk(ctx, disk, snapshots.get(disk.id, []))
        for disk in disks
    )
    if not disks and not settings.allow_no_disks:
        # A typo in a tag protects nothing: a green run would hide it.
        named = ' of disk_ids' if settings.disk_ids else ''
        problems.append(
            'tag_selector %s matches no disk%s in %s: check its keys and values (tags are case-sensitive); where a scope '
            'without disks is expected, set allow_no_disks' % (format_selector(settings.tag_selector), named, region)
        )
    coverage_warnings, coverage_problems = coverage_notes(settings, coverage)
    warnings.extend(coverage_warnings)
    problems.extend(coverage_problems)
    return Reading(
        plans=plans,
        source_disks=scope.source_disks,
        source_times=scope.source_times,
        problems={RUN: tuple(problems)} if problems else {},
        warnings=tuple(warnings),
        calls=calls.cost.counts(),
        coverage=coverage,
        groups=tuple(point for dummy, point in groups),
    )


def _whole_groups(ctx: PhaseContext, taken: Sequence[Disk], named: list[Disk], warnings: list[str]) -> list[Disk]:
    """``named`` (the disks of disk_ids), with the other disks of each consistency group one of them is of: a group is
    copied, counted and pruned whole, never a member alone."""
    settings = ctx.settings
    if settings.groups.by is None or settings.disk_ids is None or ctx.sets is None:
        return named
    ids = {disk.id for disk in named}
    added = [
        disk
        for group in consistency_groups(taken, settings.groups)
        if ids.intersection(group.disk_ids)
        for disk in group.disks
        if disk.id not in ids
    ]
    if added:
        warnings.append(
            'disk_ids names some disks of a consistency group: the run looks after the whole group, with %s'
            % ', '.join(sorted(disk.id for disk in added))
        )
    return sorted(named + added, key=lambda disk: disk.id)


def _group_points(
    ctx: PhaseContext,
    calls: PhaseRetry,
    disks: Sequence[Disk],
    snapshots: Mapping[str, Sequence[Snapshot]],
    problems: list[str],
) -> list[tuple[Group, GroupPoint]]:
    """The consistency groups of ``disks`` with their recovery points, from which snapshots the cloud made as sets (one
    read where the cloud names sets apart from snapshots); a group whose disks no set of the cloud can hold is a
    problem of the run (its disks get no copy: never a set of different moments)."""
    settings = ctx.settings
    sets = ctx.sets
    if settings.groups.by is None or sets is None:
        return []
    groups = consistency_groups(disks, settings.groups)
    members = [disk for group in groups for disk in group.disks]
    reading = (
        calls.call(
            functools.partial(sets.read_sets, set_tag=settings.groups.set_tag),
            settings.source_region,
            members,
            snapshots,
        )
        if members
        else SetReading()
    )
    set_ids = reading.sets
    points = []
    for group in groups:
        point = group_point(group.name, group.disk_ids, snapshots, lambda snapshot: set_ids.get(snapshot.id))
        point = dataclasses.replace(
            point,
            look_alikes=group_look_alikes(reading.look_alikes, group, snapshots),
            not_crash_consistent={
                set_id: why for set_id, why in reading.not_crash_consistent.items() if set_id in set(set_ids.values())
            },
        )
        refusal = _set_refusal(sets, ctx.adapter.cloud, group)
        if refusal:
            problems.append(refusal)
            point = dataclasses.replace(point, refusal=refusal)
        points.append((group, point))
    return points


def _set_warnings(groups: Sequence[tuple[Group, GroupPoint]]) -> list[str]:
    """What the run says of each group's sets beyond their states: snapshots that look like a set and are in none (with
    how to mark one), and a recovery point the cloud does not call crash-consistent."""
    warnings: list[str] = []
    for group, point in groups:
        warnings.extend('consistency group %s: %s' % (group.name, found.why) for found in point.look_alikes)
        if point.point is not None and point.point.set_id in point.not_crash_consistent:
            warnings.append(
                'consistency group %s: its set %s is copied, kept and pruned whole, but is not called crash-consistent: '
                '%s' % (group.name, point.point.set_id, point.not_crash_consistent[point.point.set_id])
            )
    return warnings


def _set_refusal(sets: SnapshotSetAdapter, cloud: str, group: Group) -> str | None:
    """Why ``cloud`` can make no set of ``group``'s disks (None: it can)."""
    if not sets.sets_span_instances and len(group.instances) > 1:
        return 'consistency group %s holds disks of %d instances (%s): %s makes a set of one instance\'s disks only' % (
            group.name,
            len(group.instances),
            ', '.join(group.instances),
            cloud,
        )
    if sets.max_set_disks is not None and len(group.disks) > sets.max_set_disks:
        return 'consistency group %s holds %d disks: a set of %s holds %d at most' % (
            group.name,
            len(group.disks),
            cloud,
            sets.max_set_disks,
        )
    refusal = sets.members_refusal(group.disks)
    if refusal:
        return 'consistency group %s: %s' % (group.name, refusal)
    return None


def plan_member(ctx: PhaseContext, disk: Disk, group: Group, point: GroupPoint) -> DiskPlan:
    """A disk of a consistency group: its source is its member of the group's recovery point (none without one); when
    that set is older than max_snapshot_age_hours, a fresh set is to be made, or the one being made used."""
    recovery_point = point.point
    source = recovery_point.members.get(disk.id) if recovery_point is not None else None
    set_id = recovery_point.set_id if recovery_point is not None else None
    max_age = ctx.settings.fresh.max_age_hours
    if not max_age or (recovery_point is not None and recovery_point.age_hours(ctx.now) <= max_age):
        return DiskPlan(disk, source, group=group, set_id=set_id)
    if ctx.sets is not None and _set_refusal(ctx.sets, ctx.adapter.cloud, group):
        # No set of this group can be made (the read's problem says why): no call that the cloud would refuse.
        return DiskPlan(disk, source, group=group, set_id=set_id)
    in_flight = [snapshot_set for snapshot_set, state in point.newer if state == IN_FLIGHT]
    if in_flight:
        # A set is already being made (by an earlier run, or the cloud's own schedule): use it, make no other.
        return DiskPlan(
            disk,
            source,
            in_flight[-1].members.get(disk.id),
            'existing',
            group=group,
            set_id=set_id,
            fresh_set_id=in_flight[-1].set_id,
        )
    return DiskPlan(disk, source, None, 'create', group=group, set_id=set_id)


def _named_disks(ctx: PhaseContext, disks: list[Disk]) -> tuple[list[Disk], list[str]]:
    """Of the disks the selector matches, those ``disk_ids`` names (all of them when it names none): everything after
    (copies, locks, the drill, pruning) then sees those disks only. A named disk the selector does not match is not
    looked after (the selector says what the scope is); the run warns of it, and fails as for no disk when none is
    left."""
    wanted = ctx.settings.disk_ids
    if wanted is None:
        return disks, []
    named = [disk for disk in disks if disk.id in wanted]
    missing = sorted(set(wanted) - {disk.id for disk in named})
    if not missing:
        return named, []
    return named, [
        'disk_ids names %s, which tag_selector %s does not match in %s: not looked after'
        % (', '.join(missing), format_selector(ctx.settings.tag_selector), ctx.settings.source_region)
    ]


def plan_disk(ctx: PhaseContext, disk: Disk, snapshots: Sequence[Snapshot]) -> DiskPlan:
    """A disk's plan: its newest completed snapshot is its source, but for one archived, which must be restored before
    it can be used (EBS); when that is older than max_snapshot_age_hours (or there is none), a fresh one is to be made,
    or the one already being made used."""
    completed = sorted(
        (snapshot for snapshot in snapshots if snapshot.state == COMPLETED and not snapshot.archived),
        key=lambda snapshot: snapshot.age_order(),
    )
    source = completed[-1] if completed else None
    max_age = ctx.settings.fresh.max_age_hours
    if not max_age or (source is not None and source.age_hours(ctx.now) <= max_age):
        return DiskPlan(disk, source)
    pending = sorted(
        (snapshot for snapshot in snapshots if snapshot.state == PENDING), key=lambda snapshot: snapshot.age_order()
    )
    if pending:
        # A snapshot is already being made (by an earlier run or someone else): use it, make no other.
        return DiskPlan(disk, source, pending[-1], 'existing')
    return DiskPlan(disk, source, None, 'create')


def list_dr_copies(ctx: PhaseContext, plans: Sequence[DiskPlan], source_disks: Mapping[str, str]) -> Listing:
    """The copies of each DR region as they are now, where the locks, verification, the churn alarm, the restore drill,
    pruning or the copy tags need them (a drill never deletes a copy). Where the locks or pruning take a DR run's copies
    from them, the copies a DR run made and left unmarked are marked, once for both (dr.phases.marks.mark_found_copies:
    a killed run's copy is a DR run's copy all the same on EBS and CBS)."""
    settings = ctx.settings
    if not (
        (settings.copy.copy_tags and ctx.adapter.copy_tag_rules is not None)
        or settings.restore.enabled
        or settings.lock is not None
        or settings.prune.deletes
        or settings.verify.enabled
        or settings.churn.enabled
    ):
        return Listing()
    calls = ctx.counted()
    copies = {region: tuple(calls.call(ctx.adapter.list_copies, region)) for region in settings.region_names}
    if (settings.lock is not None and ctx.locks is not None) or settings.prune.deletes:
        marked, warnings = mark_found_copies(ctx, calls, plans, copies, source_disks)
        return Listing(copies=copies, marked=marked, warnings=tuple(warnings), calls=calls.cost.counts())
    return Listing(copies=copies, marked=copies, calls=calls.cost.counts())
