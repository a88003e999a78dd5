# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report phase: the phases' results put together per disk (dr.report.DiskFacts), then the report as data
(dr.report) with what the run as a whole adds: its retries, the DR account, its warnings."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ...core.model import parse_time
from ..locks import EXPIRED, IN_FORCE, LOCKED
from ..report import DiskFacts, dr_report
from .context import RUN
from .copy import Copies
from .copy_tags import CopyTags
from .drill import Drill
from .fresh import FreshSnapshots
from .locks import Locks
from .plan import Planning
from .prune import Pruning
from .read import Reading
from .shares import Releasing
from .verify import Verification

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping, Sequence

    from ..groups import GroupPoint
    from ..locks import LockRecord
    from .context import DiskPlan, PhaseContext
    from .sequence import RunState


def disk_facts(run: RunState) -> list[DiskFacts]:
    """Each disk as the phases left it; its problems in the order the phases found them."""
    fresh_snapshots = run.of(FreshSnapshots)
    copies, locks, verification, pruning = run.of(Copies), run.of(Locks), run.of(Verification), run.of(Pruning)
    copy_tags, groups = run.of(CopyTags), run.of(Reading).groups
    facts = []
    for plan in run.plans:
        key = plan.key
        fresh = fresh_snapshots.by_disk[key]
        problems = tuple(problem for result in run.results.values() for problem in result.problems.get(key, ()))
        facts.append(
            DiskFacts(
                plan.disk,
                group=group_record(plan, fresh.set_id, groups),
                source=fresh.source,
                fresh=fresh.snapshot,
                fresh_action=fresh.action,
                outcomes=copies.outcomes.get(key, ()),
                locks=locks.locks.get(key, {}),
                verification=verification.records,
                churn=verification.churn,
                points=verification.points.get(key, {}),
                other_locks=locks.other_locks.get(key, ()),
                pruned=pruning.pruned.get(key, ()),
                kept=pruning.kept.get(key, ()),
                problems=problems,
                copy_tags=copy_tags.records.get(key, {}),
                other_copy_tags=copy_tags.others.get(key, ()),
            )
        )
    return facts


def group_record(plan: DiskPlan, set_id: str | None, groups: Sequence[GroupPoint]) -> dict[str, Any] | None:
    """The consistency group of a disk as its report shows it (None for a disk on its own): its name, disks, the set its
    copies are of (and whether the cloud calls it crash-consistent), the sets newer than the group's recovery point (in
    flight or torn), newest last, and the snapshots that look like a set without evidence."""
    if plan.group is None:
        return None
    point = next((point for point in groups if point.name == plan.group.name), None)
    return {
        'name': plan.group.name,
        'disks': list(plan.group.disk_ids),
        'set_id': set_id,
        'newer_sets': []
        if point is None
        else [
            {
                'set_id': snapshot_set.set_id,
                'state': state,
                'snapshots': sorted(s.id for s in snapshot_set.members.values()),
            }
            for snapshot_set, state in point.newer
        ],
        # Whether the cloud calls the set its copies are of crash-consistent (a CBS group of type NORMAL: no).
        'crash_consistent': None if point is None else point.crash_consistent(set_id),
        # Snapshots of its disks that look like a set and are in none, and why (issue 61).
        'look_alikes': []
        if point is None
        else [{'snapshots': list(found.snapshot_ids), 'why': found.why} for found in point.look_alikes],
        # Why no set of it can be made (said once, in the run's failures); None: one can.
        'refusal': None if point is None else point.refusal,
    }


def run_report(
    ctx: PhaseContext, run: RunState, *, warnings: Sequence[str], retries: int, wall_now: datetime.datetime
) -> dict[str, Any]:
    """The run's report. ``warnings`` are the run's as they came (the phases' and its leases'), between the engine's and
    the drill's; ``wall_now`` the time now by the cloud's clock, by which a lock read in force may have expired."""
    disks, lapsed = lapsed_locks(disk_facts(run), wall_now)
    drill, shares = run.of(Drill), run.of(Releasing)
    report = dr_report(
        disks,
        ctx.settings,
        ctx.now,
        ctx.check_mode,
        drill.section,
        [problem for result in run.results.values() for problem in result.problems.get(RUN, ())],
        coverage=run.of(Reading).coverage,
    )
    report['api_retries'] = retries
    report['dr_account'] = shares.section
    report['changed'] = report['changed'] or shares.changed or run.of(CopyTags).changed
    report['run_warnings'] = list(run.of(Copies).warnings) + list(warnings) + lapsed + list(drill.warnings)
    report['plan'] = run.of(Planning).section
    return report


def lapsed_locks(disks: Sequence[DiskFacts], now: datetime.datetime) -> tuple[list[DiskFacts], list[str]]:
    """``disks`` with each lock read in force whose expiry has passed by ``now`` (the run waited, pruned, drilled after
    it read it) in force no more: the report says so (EXPIRED) and warns, instead of calling the copy locked. The next
    run with ``lock`` locks it again (dr.locks' rules)."""
    warnings: list[str] = []

    def as_now(region: str | None, copy_id: str | None, record: LockRecord) -> LockRecord:
        expires = parse_time(record.get('expires'))
        if (
            record.get('in_force')
            and record.get('action') in (LOCKED, IN_FORCE)
            and expires is not None
            and expires <= now
        ):
            warnings.append(
                'the lock of %s in %s expired at %s, while this run went on: the copy is not locked '
                'now; the next run with lock locks it again' % (copy_id, region, record['expires'])
            )
            return {**record, 'action': EXPIRED, 'in_force': False}
        return record

    def current(locks: Mapping[tuple[str, str], LockRecord]) -> dict[tuple[str, str], LockRecord]:
        return {key: as_now(key[0], key[1], record) for key, record in locks.items()}

    return [
        dataclasses.replace(
            disk,
            locks=current(disk.locks),
            other_locks=tuple(
                as_now(record.get('region'), record.get('snapshot_id'), record) for record in disk.other_locks
            ),
        )
        for disk in disks
    ], warnings
