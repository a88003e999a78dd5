# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fresh snapshots: a disk whose newest completed snapshot is older than max_snapshot_age_hours (the RPO) gets a new
one, never two (create_once), waited for with wait; once completed, it is what the disk's copies are made of."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import CloudError
from ...core.model import COMPLETED, FAILED, PENDING, parse_time
from ...core.polling import DONE, STILL_GOING, poll
from ...core.progress import FRESH_SNAPSHOTS
from ...core.retry import create_once
from ...engine.copy_calls import MAX_ATTEMPTS
from .copy_requests import render

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Disk, Snapshot
    from ...core.retry import PhaseRetry
    from .context import DiskPlan, PhaseContext

FRESH_TAG = 'snapcopy:fresh'


@dataclass(frozen=True)
class FreshSnapshot:
    """One disk after the phase: what was done (None; 'existing' (one being made is used), 'would_create', 'created' or
    'failed'), the fresh snapshot as last read, the snapshot its copies are made of (``source``: the fresh one once
    completed, else the plan's), and the disk's problems."""

    action: str | None = None
    snapshot: Snapshot | None = None
    source: Snapshot | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreshSnapshots:
    """The phase's result: one FreshSnapshot per disk key, and the calls it cost."""

    by_disk: Mapping[str, FreshSnapshot]
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def sources(self) -> dict[str, Snapshot | None]:
        """{disk key: the snapshot to copy}."""
        return {key: disk.source for key, disk in self.by_disk.items()}


def take_fresh_snapshots(ctx: PhaseContext, plans: Sequence[DiskPlan]) -> FreshSnapshots:
    """Take a fresh snapshot of each disk whose plan says 'create', and wait for those being made if asked."""
    calls = ctx.counted()
    actions = {plan.key: plan.fresh_action for plan in plans}
    fresh = {plan.key: plan.fresh for plan in plans}
    problems: dict[str, list[str]] = {plan.key: [] for plan in plans}
    for plan in plans:
        if plan.fresh_action != 'create':
            continue
        if ctx.check_mode:
            actions[plan.key] = 'would_create'
            continue
        if ctx.progress.phase != FRESH_SNAPSHOTS:
            ctx.progress.enter(FRESH_SNAPSHOTS)
        disk = plan.disk
        fields = {
            'disk_id': disk.id,
            'disk_name': disk.name or disk.id,
            'source_id': '',
            'source_region': disk.region,
            'date': ctx.now.strftime('%Y-%m-%d'),
        }
        name = render(ctx.settings.fresh.name_template, fields, 'snapshot_name_template')
        try:
            fresh[plan.key] = _create_fresh_snapshot(ctx, calls, disk, name)
            actions[plan.key] = 'created'
        except CloudError as error:
            actions[plan.key] = 'failed'
            problems[plan.key].append('fresh snapshot: %s' % error)
    _wait(ctx, calls, fresh)
    by_disk: dict[str, FreshSnapshot] = {}
    for plan in plans:
        snapshot, source = fresh[plan.key], plan.source
        if snapshot is not None and snapshot.state == COMPLETED:
            source = snapshot
        elif snapshot is not None and snapshot.state == FAILED:
            problems[plan.key].append(
                'fresh snapshot %s failed: %s' % (snapshot.id, snapshot.message or snapshot.cloud_state)
            )
        by_disk[plan.key] = FreshSnapshot(actions[plan.key], snapshot, source, tuple(problems[plan.key]))
    return FreshSnapshots(by_disk=by_disk, calls=calls.cost.counts())


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


def _create_fresh_snapshot(ctx: PhaseContext, calls: PhaseRetry, disk: Disk, name: str | None) -> Snapshot:
    """Start a snapshot of ``disk``, never two. CreateSnapshot has no idempotency token on most clouds: after an answer
    lost in transit the disk's snapshots are looked up, and the call is sent again only when the look-up shows it was
    not carried out (as the engine does for copies)."""
    stamp = ctx.now.strftime('%Y-%m-%dT%H:%M:%SZ')

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
