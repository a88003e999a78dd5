# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads: the tagged disks and their snapshots at the start (read_disks: one DiskPlan a disk), and each DR region's
copies after the copies (list_dr_copies), for the locks, the restore drill and pruning."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.model import COMPLETED, PENDING
from ...core.progress import READING
from ..coverage import Coverage, coverage_notes, format_selector, scope_disks
from .context import DiskPlan

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Disk, Snapshot
    from .context import PhaseContext


@dataclass(frozen=True)
class Reading:
    """The disks the run looks after, one DiskPlan each, by disk id; {'<region>/<snapshot id>': disk key} of every
    snapshot read (what tells a copy's source to its disk); the failures of the scope (a selector that matches no disk,
    a disk not covered with coverage fail) and the warnings found (near misses); the calls it cost; the coverage."""

    plans: tuple[DiskPlan, ...] = ()
    source_disks: Mapping[str, str] = dataclasses.field(default_factory=dict)
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)
    #: The source region's disks that the selector does not take; None when not read (coverage off, a limited run).
    coverage: Coverage | None = None


@dataclass(frozen=True)
class Listing:
    """Each DR region's copies that this collection made, as listed after the copies (none when no later phase needs
    them), and the calls it cost."""

    copies: Mapping[str, tuple[Snapshot, ...]] = dataclasses.field(default_factory=dict)
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)


def read_disks(ctx: PhaseContext) -> Reading:
    """The disks that the tag selector (and disk_ids) names, in the order of their ids, and their snapshots in one
    batch."""
    ctx.progress.enter(READING)
    calls = ctx.counted()
    settings = ctx.settings
    region = settings.source_region
    taken, coverage = scope_disks(lambda where, selector: calls.call(ctx.adapter.find_disks, where, selector), settings)
    disks, warnings = _named_disks(ctx, taken)
    snapshots = calls.call(ctx.adapter.disk_snapshots, region, disks) if disks else {}
    plans = tuple(plan_disk(ctx, disk, snapshots.get(disk.id, [])) for disk in disks)
    problems: list[str] = []
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
    source_disks = {
        '%s/%s' % (region, snapshot.id): '%s/%s' % (region, disk_id)
        for disk_id, disk_snapshots in snapshots.items()
        for snapshot in disk_snapshots
    }
    return Reading(
        plans=plans,
        source_disks=source_disks,
        problems=tuple(problems),
        warnings=tuple(warnings),
        calls=calls.cost.counts(),
        coverage=coverage,
    )


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
    """A disk's plan: its newest completed snapshot is its source; when that is older than max_snapshot_age_hours (or
    there is none), a fresh one is to be made, or the one already being made used."""
    completed = sorted(
        (snapshot for snapshot in snapshots if snapshot.state == COMPLETED), key=lambda snapshot: snapshot.age_order()
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


def list_dr_copies(ctx: PhaseContext) -> Listing:
    """The copies of each DR region as they are now, where the locks, the restore drill or pruning need them (a drill
    never deletes a copy)."""
    settings = ctx.settings
    if not (settings.restore.enabled or settings.lock is not None or settings.prune.deletes):
        return Listing()
    calls = ctx.counted()
    copies = {region: tuple(calls.call(ctx.adapter.list_copies, region)) for region in settings.region_names}
    return Listing(copies, calls.cost.counts())
