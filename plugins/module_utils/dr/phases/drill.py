# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore drill as a phase of the run (dr.drill.RestoreDrill does the drill): on the listing of each DR region's
copies, before pruning, and never deleting a copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine.copy_calls import MAX_ATTEMPTS
from ...engine.outcomes import NOT_COPIED, WOULD_COPY
from ..drill import RestoreDrill
from .context import RUN, PhaseResult, destination_outcomes

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Snapshot
    from ...engine.outcomes import RequestOutcome
    from .context import DiskPlan, PhaseContext


@dataclass(frozen=True)
class Drill(PhaseResult):
    """What the drill did: the report's restore section (None without restore_test); its failures are the run's."""

    section: dict[str, Any] | None = None


# pylint: disable-next=too-many-arguments
def restore_drill(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    source_disks: Mapping[str, str],
    run_id: str,
) -> Drill:
    """The drill of the run ``run_id`` over ``plans``' disks, on ``listed`` (each DR region's copies after the copies),
    with restore_test."""
    if (
        not ctx.settings.restore.enabled or ctx.drill is None
    ):  # DrRun.validate let it start with a drill only on such a cloud
        return Drill()
    ctx.enter()
    calls = ctx.counted()
    drill = RestoreDrill(
        ctx.drill,
        ctx.settings,
        retry=calls,
        check_mode=ctx.check_mode,
        now=ctx.now,
        clock=ctx.clock,
        sleep=ctx.sleep,
        max_attempts=MAX_ATTEMPTS,
        run=run_id,
    )
    ours = destination_outcomes(plans, outcomes)
    # Check mode cannot see the copies a real run would make and wait for before testing.
    to_come = (
        {
            destination_outcome.destination
            for dummy, destination_outcome in ours
            if destination_outcome.action == WOULD_COPY
        }
        if ctx.settings.wait.wait
        else set()
    )
    # A copy this run refused as differing from what it asks (on_mismatch: fail) is no DR copy to prove.
    differing = {
        destination_outcome.mismatch['snapshot_id']
        for dummy, destination_outcome in ours
        if destination_outcome.action == NOT_COPIED and destination_outcome.mismatch
    }
    groups: dict[str, list[str]] = {}
    for plan in plans:
        if plan.group is not None:
            groups.setdefault(plan.group.name, []).append(plan.key)
    section, problems = drill.run([plan.key for plan in plans], listed, source_disks, to_come, differing, groups)
    return Drill(
        section=section,
        problems={RUN: tuple(problems)} if problems else {},
        warnings=tuple(drill.warnings),
        calls=calls.cost.counts(),
    )
