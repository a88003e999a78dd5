# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fresh snapshots: a disk whose newest completed snapshot is older than max_snapshot_age_hours (the RPO) gets a new
one, never two (create_once), waited for with wait; once completed, it is what the disk's copies are made of."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ...core.cloud_clock import iso_utc
from ...core.errors import CloudError
from ...core.model import COMPLETED, FAILED, PENDING, parse_time
from ...core.polling import DONE, STILL_GOING, poll
from ...core.retry import create_once
from ...engine.copy_calls import MAX_ATTEMPTS
from .context import PhaseResult
from .copy_requests import render

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.dr_model import Disk
    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ..capabilities import SnapshotSetAdapter
    from ..groups import Group
    from .context import DiskPlan, PhaseContext

FRESH_TAG = 'snapcopy:fresh'


@dataclass(frozen=True)
class FreshSnapshot:
    """One disk after the phase: what was done (None; 'existing' (one being made is used), 'would_create', 'created' or
    'failed'), the fresh snapshot as last read, and the snapshot its copies are made of (``source``: the fresh one once
    completed, else the plan's)."""

    action: str | None = None
    snapshot: Snapshot | None = None
    source: Snapshot | None = None
    #: For a disk of a consistency group: the set its ``source`` is of.
    set_id: str | None = None


@dataclass(frozen=True)
class FreshSnapshots(PhaseResult):
    """The phase's result: one FreshSnapshot per disk key."""

    by_disk: Mapping[str, FreshSnapshot] = dataclasses.field(default_factory=dict)

    def sources(self) -> dict[str, Snapshot | None]:
        """{disk key: the snapshot to copy}."""
        return {key: disk.source for key, disk in self.by_disk.items()}

    def set_ids(self) -> dict[str, str | None]:
        """{disk key: the set its snapshot to copy is of} (None for a disk on its own)."""
        return {key: disk.set_id for key, disk in self.by_disk.items()}


def take_fresh_snapshots(ctx: PhaseContext, plans: Sequence[DiskPlan]) -> FreshSnapshots:
    """Take a fresh snapshot of each disk whose plan says 'create', and wait for those being made if asked."""
    calls = ctx.counted()
    actions: dict[str, str | None] = {plan.key: plan.fresh_action for plan in plans}
    fresh = {plan.key: plan.fresh for plan in plans}
    problems: dict[str, list[str]] = {plan.key: [] for plan in plans}
    fresh_sets = {plan.key: plan.fresh_set_id for plan in plans}
    for group, members in _to_make(plans):
        keys = [plan.key for plan in members]
        if ctx.check_mode:
            actions.update(dict.fromkeys(keys, 'would_create'))
            continue
        if ctx.progress.phase != ctx.label:
            ctx.enter()
        try:
            made_set, snapshots = (
                _create_fresh_set(ctx, calls, members)
                if group is not None
                else (None, [_create_fresh_snapshot(ctx, calls, members[0].disk)])
            )
        except CloudError as error:
            what = 'fresh set of consistency group %s' % group.name if group is not None else 'fresh snapshot'
            for key in keys:
                actions[key] = 'failed'
                problems[key].append('%s: %s' % (what, error))
            continue
        by_id = {snapshot.volume_id: snapshot for snapshot in snapshots}
        for plan in members:
            fresh[plan.key] = by_id.get(plan.disk.id) if group is not None else snapshots[0]
            fresh_sets[plan.key] = made_set
            actions[plan.key] = 'created'
    _wait(ctx, calls, fresh)
    incomplete = _incomplete_sets(plans, fresh)
    by_disk: dict[str, FreshSnapshot] = {}
    for plan in plans:
        snapshot, source = fresh[plan.key], plan.source
        set_id: str | None = plan.set_id
        whole = plan.group is None or plan.group.key not in incomplete
        if snapshot is not None and snapshot.state == COMPLETED and whole:
            source, set_id = snapshot, fresh_sets[plan.key]
        elif snapshot is not None and snapshot.state == FAILED:
            problems[plan.key].append(
                'fresh snapshot %s failed: %s' % (snapshot.id, snapshot.message or snapshot.cloud_state)
            )
        by_disk[plan.key] = FreshSnapshot(actions[plan.key], snapshot, source, set_id)
    return FreshSnapshots(
        by_disk=by_disk,
        problems={key: tuple(found) for key, found in problems.items() if found},
        calls=calls.cost.counts(),
    )


def _incomplete_sets(plans: Sequence[DiskPlan], fresh: Mapping[str, Snapshot | None]) -> set[str]:
    """The groups (by key) whose fresh set may not be copied yet: not every member's snapshot of it has completed. Until
    it has, their members are copied from the group's last complete set, never some from one moment and some from
    another."""
    completed: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for plan in plans:
        if plan.group is not None:
            sizes[plan.group.key] = len(plan.group.disks)
            snapshot = fresh[plan.key]
            done = snapshot is not None and snapshot.state == COMPLETED
            completed[plan.group.key] = completed.get(plan.group.key, 0) + done
    return {key for key, size in sizes.items() if completed[key] != size}


def _to_make(plans: Sequence[DiskPlan]) -> list[tuple[Group | None, list[DiskPlan]]]:
    """What is to get a fresh snapshot: each disk on its own (None, [its plan]), then each group that is to get a fresh
    set, with its disks' plans in order."""
    groups: dict[str, tuple[Group, list[DiskPlan]]] = {}
    for plan in plans:
        if plan.fresh_action == 'create' and plan.group is not None:
            groups.setdefault(plan.group.key, (plan.group, []))[1].append(plan)
    alone: list[tuple[Group | None, list[DiskPlan]]] = [
        (None, [plan]) for plan in plans if plan.fresh_action == 'create' and plan.group is None
    ]
    return alone + [groups[key] for key in sorted(groups)]


def _name_fields(ctx: PhaseContext, disk: Disk) -> dict[str, str]:
    """The fields of snapshot_name_template for a fresh snapshot of ``disk``."""
    return {
        'disk_id': disk.id,
        'disk_name': disk.name or disk.id,
        'source_id': '',
        'source_region': disk.region,
        'date': ctx.now.strftime('%Y-%m-%d'),
    }


def _create_fresh_set(ctx: PhaseContext, calls: PhaseRetry, members: Sequence[DiskPlan]) -> tuple[str, list[Snapshot]]:
    """Start one set of the group's disks through the cloud's group API (dr.capabilities.SnapshotSetAdapter), never two:
    after an answer lost in transit, the disks' snapshots are looked up for one of this run's stamp on every member."""
    sets = cast('SnapshotSetAdapter', ctx.sets)  # the read phase grouped the disks: the cloud has sets
    disks = [plan.disk for plan in members]
    stamp = iso_utc(ctx.now)
    name = render(ctx.settings.fresh.name_template, _name_fields(ctx, disks[0]), 'snapshot_name_template')

    def create_set() -> tuple[str, list[Snapshot]]:
        return sets.create_snapshot_set(
            ctx.settings.source_region, disks, name, 'Fresh snapshot for DR by snapcopy.cloud', {FRESH_TAG: stamp}
        )

    def made() -> tuple[str, list[Snapshot]] | None:
        # This run's set: of the snapshots that carry its stamp (where the cloud tags a set's members; CBS tags the
        # group alone) or were made since the run began, a set with one of every disk.
        since = ctx.now - datetime.timedelta(minutes=5)
        snapshots = calls.call(ctx.adapter.disk_snapshots, ctx.settings.source_region, disks)
        recent = {
            disk_id: [
                snapshot
                for snapshot in found
                if snapshot.tags.get(FRESH_TAG) == stamp
                or (FRESH_TAG not in snapshot.tags and (parse_time(snapshot.created) or ctx.now) >= since)
            ]
            for disk_id, found in snapshots.items()
        }
        set_ids = calls.call(
            functools.partial(sets.read_sets, set_tag=ctx.settings.groups.set_tag),
            ctx.settings.source_region,
            disks,
            recent,
        ).sets
        members: dict[str, list[Snapshot]] = {}
        for found in recent.values():
            for snapshot in found:
                if set_ids.get(snapshot.id):
                    members.setdefault(set_ids[snapshot.id], []).append(snapshot)
        whole = [
            (set_id, found)
            for set_id, found in members.items()
            if sorted(snapshot.volume_id or '' for snapshot in found) == sorted(disk.id for disk in disks)
        ]
        return max(whole, key=lambda item: max(snapshot.age_order() for snapshot in item[1])) if whole else None

    # The group APIs carry no token on EBS and CBS: a lost answer is looked up before the call goes again.
    return create_once(create_set, made, ctx.adapter.create_call_is_idempotent, calls, ctx.deadline, MAX_ATTEMPTS)


def _wait(ctx: PhaseContext, calls: PhaseRetry, fresh: dict[str, Snapshot | None]) -> None:
    """With wait, read the fresh snapshots being made until none is (or the run's deadline), each round in one call;
    ``fresh`` is kept as last read."""
    waiting = {key: snapshot for key, snapshot in fresh.items() if snapshot is not None and snapshot.state == PENDING}
    if not waiting or not ctx.settings.wait.wait or ctx.check_mode:
        return

    def read() -> dict[str, Snapshot]:
        latest = calls.call(
            ctx.adapter.describe, ctx.settings.source_region, sorted(snapshot.id for snapshot in waiting.values())
        )
        for key, snapshot in waiting.items():
            waiting[key] = latest.get(snapshot.id, snapshot)
        return waiting

    poll(
        read,
        lambda group: STILL_GOING if any(snapshot.state == PENDING for snapshot in group.values()) else DONE,
        ctx.deadline,
        ctx.settings.wait.poll_interval,
        sleep=ctx.sleep,
        clock=ctx.clock,
        max_interval=60,
    )
    fresh.update(waiting)


def _create_fresh_snapshot(ctx: PhaseContext, calls: PhaseRetry, disk: Disk) -> Snapshot:
    """Start a snapshot of ``disk``, never two. CreateSnapshot has no idempotency token on most clouds: after an answer
    lost in transit the disk's snapshots are looked up, and the call is sent again only when the look-up shows it was
    not carried out (as the engine does for copies)."""
    stamp = iso_utc(ctx.now)
    name = render(ctx.settings.fresh.name_template, _name_fields(ctx, disk), 'snapshot_name_template')

    def create_snapshot() -> Snapshot:
        return ctx.adapter.create_snapshot(
            disk.region, disk, name, 'Fresh snapshot for DR by snapcopy.cloud', {FRESH_TAG: stamp}
        )

    return create_once(
        create_snapshot,
        lambda: _fresh_snapshot_made(ctx, calls, disk, stamp),
        ctx.adapter.create_call_is_idempotent,
        calls,
        ctx.deadline,
        MAX_ATTEMPTS,
    )


def _fresh_snapshot_made(ctx: PhaseContext, calls: PhaseRetry, disk: Disk, stamp: str) -> Snapshot | None:
    """The fresh snapshot this run asked for, if the cloud made it (None otherwise). Ours carries this run's stamp;
    where the cloud keeps no tags on snapshots, it is the one made since the run began."""
    snapshots = calls.call(ctx.adapter.disk_snapshots, disk.region, [disk]).get(disk.id, [])
    made = [snapshot for snapshot in snapshots if snapshot.tags.get(FRESH_TAG) == stamp] or [
        snapshot
        for snapshot in snapshots
        if (parse_time(snapshot.created) or ctx.now) >= ctx.now - datetime.timedelta(minutes=5)
        and snapshot.state != FAILED
    ]
    return max(made, key=lambda snapshot: snapshot.age_order()) if made else None
