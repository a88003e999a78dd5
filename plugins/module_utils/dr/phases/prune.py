# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pruning (the safety contract, docs/safety.md): of each disk's DR copies that a DR run made, those dr.prune's choice
lets go are deleted, but never one whose lock is in force; a copy the cloud keeps is kept, never forced."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import IN_USE, NOT_FOUND, CloudError, is_permission_refusal
from ...engine.outcomes import WOULD_COPY
from ..drill import ALREADY_DELETED, DELETE_FAILED, DELETED, KEPT_IN_USE, KEPT_REFUSED, WOULD_DELETE
from ..locks import KEPT_LOCKED, read_locks
from ..points import MarksHeld, point_reader
from ..prune import PruneRule, copies_by_disk, dr_copies_by_disk, prune_selection, prune_set_selection
from .context import PhaseResult, destination_outcomes, frozen_by_disk

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.dr_model import SnapshotLock
    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ...engine.outcomes import RequestOutcome
    from ..report import PruneRecord
    from .context import DiskPlan, PhaseContext


@dataclass(frozen=True)
class Pruning(PhaseResult):
    """What pruning did, per disk key: the copies deleted (or not) and kept, as the report lists them, and the problems
    of each disk; the run's warnings; and the calls it cost."""

    pruned: Mapping[str, tuple[PruneRecord, ...]] = dataclasses.field(default_factory=dict)
    kept: Mapping[str, tuple[PruneRecord, ...]] = dataclasses.field(default_factory=dict)


# pylint: disable-next=too-many-locals
def prune_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    source_times: Mapping[str, str | None],
) -> Pruning:
    """With prune, prune the DR copies of ``plans``' disks in ``listed`` (each DR region's copies as the run listed
    them, found copies marked: dr.phases.read.list_dr_copies): keep_copies and max_copy_age_days as dr.prune chooses,
    never a copy this run reports (``outcomes``), the copies ranked by their recovery points (``source_times``: when
    each source read was taken; dr.points)."""
    if not ctx.settings.prune.enabled:
        return Pruning()
    ctx.enter()
    keep = ctx.settings.prune.keep_copies
    max_age_days = ctx.settings.prune.max_copy_age_days
    if not keep and not max_age_days:
        return Pruning()
    calls = ctx.counted()
    point_of = point_reader(source_times)
    warnings: list[str] = []
    pruned: dict[str, list[PruneRecord]] = {}
    kept: dict[str, list[PruneRecord]] = {}
    problems: dict[str, list[str]] = {}
    by_disk = {plan.key: plan for plan in plans}
    ours = destination_outcomes(plans, outcomes)
    in_use = {
        destination_outcome.snapshot.id
        for dummy, destination_outcome in ours
        if destination_outcome.snapshot is not None
    }
    # A person's copy of a DR copy holds that copy's verdict, in whichever DR region each is (dr.points.MarksHeld).
    marks = MarksHeld(copy for copies in listed.values() for copy in copies)
    rule = PruneRule(
        ctx.now,
        keep_copies=keep,
        max_age_days=max_age_days,
        in_use=in_use,
        point_of=point_of,
        verdict_of=marks.verdict,
    )
    for destination in ctx.settings.region_names:
        # In check mode, a copy the real run would make counts once it would have completed: when the run waits.
        to_come = {
            plan.key
            for plan, destination_outcome in ours
            if destination_outcome.destination == destination and destination_outcome.action == WOULD_COPY
        }
        choices: list[tuple[str, list[Snapshot], list[Snapshot]]] = []
        found = dr_copies_by_disk(listed[destination], by_disk)
        # The disk's other copies there that carry its tags (a person's copy of a DR copy): their marks count.
        made = {copy.id for copies in found.values() for copy in copies}
        others = {
            key: [copy for copy in copies if copy.id not in made]
            for key, copies in copies_by_disk(listed[destination], by_disk, {}).items()
        }
        for disk_key, copies in found.items():
            if by_disk[disk_key].group is None:
                completed_to_come = bool(ctx.settings.wait.wait) and disk_key in to_come
                choices.append(
                    (
                        disk_key,
                        *prune_selection(
                            copies, rule, completed_to_come=completed_to_come, others=others.get(disk_key, ())
                        ),
                    )
                )
        # A consistency group's copies go as sets (dr.groups): never a member of the last complete set alone.
        for members in _groups_of(plans):
            completed_to_come = bool(ctx.settings.wait.wait) and any(key in to_come for key in members)
            sets = prune_set_selection(
                {key: found.get(key, []) for key in members}, rule, completed_to_come=completed_to_come
            )
            choices.extend((key, *sets[key]) for key in members if key in found)
        # No delete is sent for a copy whose lock is in force, whoever locked it: the locks are read first. Where the
        # read is refused (a policy without the lock permission), the deletes go out, and the cloud keeps a locked copy.
        unread: CloudError | None = None
        locks: dict[str, SnapshotLock]
        try:
            locks = read_locks(
                ctx.adapter,
                calls.call,
                destination,
                [copy.id for dummy, delete, dummy_keep in choices for copy in delete],
            )
        except CloudError as error:
            locks, unread = {}, error
            warnings.append(
                'could not read the locks of the DR copies in %s that pruning chose (%s): their deletes were sent, '
                'and a copy whose delete the cloud refused is kept' % (destination, error)
            )
        for disk_key, delete, keep_these in choices:
            for copy in delete:
                lock = locks.get(copy.id)
                if lock is not None and lock.in_force:
                    kept.setdefault(disk_key, []).append(
                        {
                            'region': destination,
                            'snapshot_id': copy.id,
                            'created': copy.created,
                            'reason': KEPT_LOCKED,
                            'lock': lock.as_result(),
                        }
                    )
                    continue
                record, warning, problem = _delete(ctx, calls, destination, copy, lock_unread=unread is not None)
                pruned.setdefault(disk_key, []).append(record)
                warnings.extend(warning)
                problems.setdefault(disk_key, []).extend(problem)
            kept.setdefault(disk_key, []).extend(
                {'region': destination, 'snapshot_id': copy.id, 'created': copy.created} for copy in keep_these
            )
    return Pruning(
        pruned=frozen_by_disk(pruned),
        kept=frozen_by_disk(kept),
        problems=frozen_by_disk(problems),
        warnings=tuple(warnings),
        calls=calls.cost.counts(),
    )


def _groups_of(plans: Sequence[DiskPlan]) -> list[list[str]]:
    """The disk keys of each consistency group of ``plans``."""
    groups: dict[str, list[str]] = {}
    for plan in plans:
        if plan.group is not None:
            groups.setdefault(plan.group.key, []).append(plan.key)
    return [groups[key] for key in sorted(groups)]


def _delete(
    ctx: PhaseContext, calls: PhaseRetry, destination: str, copy: Snapshot, lock_unread: bool
) -> tuple[PruneRecord, list[str], list[str]]:
    """Delete one copy pruning chose: (its record, a warning, a problem of its disk). ``lock_unread``: its lock could
    not be read, so a refusal other than of the permission is taken for the cloud keeping a locked copy."""
    record: PruneRecord = {
        'region': destination,
        'snapshot_id': copy.id,
        'created': copy.created,
        'age_hours': round(copy.age_hours(ctx.now), 1),
        'action': WOULD_DELETE if ctx.check_mode else DELETED,
    }
    if ctx.check_mode:
        return record, [], []
    try:
        calls.call(ctx.adapter.delete_snapshot, destination, copy.id)
    except CloudError as error:
        if error.kind == NOT_FOUND:  # gone already (another run, a person): no failure, not our deletion
            record['action'] = ALREADY_DELETED
        elif error.kind == IN_USE or (lock_unread and not is_permission_refusal(error)):
            # A disk was made from it, or (lock unread) the cloud keeps it, most likely for a lock: kept, never forced,
            # and no failure of the run.
            record['action'] = KEPT_IN_USE if error.kind == IN_USE else KEPT_REFUSED
            record['reason'] = str(error)
            return record, ['kept %s in %s, which pruning chose: %s' % (copy.id, destination, error)], []
        else:
            record['action'] = DELETE_FAILED
            record['error'] = error.as_result()
            return record, [], ['pruning %s in %s: %s' % (copy.id, destination, error)]
    return record, [], []
