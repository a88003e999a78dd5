# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run's phases, in order (PHASES): one entry a phase, from which DrRun runs them, RunState.calls names what each
cost and the progress line names what the run is doing. A phase is a function of a module of its own here that takes
the PhaseContext and what it needs of the phases before it, and answers a frozen PhaseResult; its entry says how it is
given that from the RunState (docs/architecture.md, "Adding a phase")."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .context import PhaseResult
from .copy import Copies, copy_sources
from .copy_tags import carry_copy_tags
from .drill import restore_drill
from .fresh import FreshSnapshots, take_fresh_snapshots
from .locks import lock_copies, locks_before_waiting
from .marks import mark_made_copies
from .plan import plan_copies
from .prune import prune_copies
from .read import Listing, Reading, list_dr_copies, read_disks
from .shares import release_shares
from .verify import Verification, verify_copies

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ...core.model import Snapshot
    from ...engine.outcomes import RequestOutcome
    from ..leases.lease import LeaseTerms
    from .context import DiskPlan, PhaseContext

R = TypeVar('R', bound=PhaseResult)


class RunState:
    """One run as its phases go: what the run gives every phase (its id, its lease terms, each phase's PhaseContext) and
    each phase's result, by the phase's name, in the order they ran. What a later phase takes of an earlier one's result
    is read here, typed (``of``, and the properties for what several phases take)."""

    def __init__(self, *, run_id: str, terms: LeaseTerms | None, contexts: Mapping[str, PhaseContext]) -> None:
        self.run_id = run_id
        self.terms = terms
        self.contexts = contexts
        self.results: dict[str, PhaseResult] = {}

    def of(self, kind: type[R]) -> R:
        """The result of the phase that answers a ``kind``; a phase runs after those it reads (PHASES' order)."""
        for result in self.results.values():
            if isinstance(result, kind):
                return result
        raise LookupError('no phase has answered a %s yet: see PHASES\' order' % kind.__name__)

    def calls(self) -> dict[str, dict[str, int]]:
        """{phase: {adapter method: calls}}: what each phase cost, in the order they ran."""
        return {name: dict(result.calls) for name, result in self.results.items()}

    @property
    def plans(self) -> tuple[DiskPlan, ...]:
        return self.of(Reading).plans

    @property
    def source_disks(self) -> Mapping[str, str]:
        return self.of(Reading).source_disks

    @property
    def sources(self) -> dict[str, Snapshot | None]:
        """{disk key: the snapshot its copies are of}: the fresh one where the run took one."""
        return self.of(FreshSnapshots).sources()

    @property
    def source_times(self) -> dict[str, str | None]:
        """A copy's recovery point: when its source was taken (the snapshots read, and the fresh ones this run took)."""
        times = dict(self.of(Reading).source_times)
        region = self.contexts['read'].settings.source_region
        times.update(
            ('%s/%s' % (region, source.id), source.created) for source in self.sources.values() if source is not None
        )
        return times

    @property
    def outcomes(self) -> Mapping[str, tuple[RequestOutcome, ...]]:
        return self.of(Copies).outcomes

    @property
    def listed(self) -> Mapping[str, Sequence[Snapshot]]:
        """Each DR region's copies as listed after the copies, found copies marked: what the locks, verification, the
        drill and pruning see."""
        return self.of(Listing).marked


@dataclass(frozen=True)
class Phase:
    """One phase of the run: its ``name`` (its key in RunState.calls and the report's counts), the ``label`` the progress
    line shows while it works ('' where it shows none), how it ``runs`` on the RunState, and whether its warnings join
    the run's as it ends (``noted``; the copies' come first in the report and the drill's last: dr.phases.report)."""

    name: str
    runs: Callable[[PhaseContext, RunState], PhaseResult]
    label: str = ''
    noted: bool = True


# pylint: disable=unnecessary-lambda  # each entry says what its phase takes of the run
PHASES = (
    Phase('read', lambda ctx, run: read_disks(ctx), label='reading disks and snapshots'),
    Phase('fresh', lambda ctx, run: take_fresh_snapshots(ctx, run.plans), label='taking fresh snapshots'),
    Phase(
        'copy',
        lambda ctx, run: copy_sources(
            ctx,
            run.plans,
            sources=run.sources,
            set_ids=run.of(FreshSnapshots).set_ids(),
            terms=run.terms,
            # The locks' pass before the wait is the locks phase's, with its label and counts.
            lock_before_waiting=locks_before_waiting(run.contexts['locks'], run.plans),
            source_times=run.source_times,
            source_disks=run.source_disks,
        ),
        label='copying',
        noted=False,
    ),
    Phase('marks', lambda ctx, run: mark_made_copies(ctx, run.plans, run.outcomes)),
    # The one listing of the DR regions after the copies, and the one marking of found copies, for every phase after.
    Phase('listing', lambda ctx, run: list_dr_copies(ctx, run.plans, run.source_disks)),
    # Before the locks: a lock keeps a copy's tags as they are on neither cloud.
    Phase('copy_tags', lambda ctx, run: carry_copy_tags(ctx, run.plans, run.outcomes, run.of(Listing).copies)),
    Phase(
        'locks',
        lambda ctx, run: lock_copies(
            ctx, run.plans, outcomes=run.outcomes, listed=run.listed, before=run.of(Copies).locked_before_waiting
        ),
        label='locking copies',
    ),
    Phase('shares', lambda ctx, run: release_shares(ctx)),
    Phase(
        'verify',
        lambda ctx, run: verify_copies(
            ctx,
            run.plans,
            outcomes=run.outcomes,
            listed=run.listed,
            source_times=run.source_times,
            sources=run.sources,
            source_disks=run.source_disks,
        ),
    ),
    Phase(
        'drill',
        lambda ctx, run: restore_drill(
            ctx, run.plans, outcomes=run.outcomes, listed=run.listed, source_disks=run.source_disks, run_id=run.run_id
        ),
        label='restore test',
        noted=False,
    ),
    Phase(
        'prune',
        lambda ctx, run: prune_copies(
            ctx, run.plans, outcomes=run.outcomes, listed=run.listed, source_times=run.source_times
        ),
        label='pruning',
    ),
    # What the copies cost and take (dr.plan): no call, from what the copy phase read and verification counted.
    Phase(
        'plan',
        lambda ctx, run: plan_copies(
            ctx,
            run.plans,
            run.of(Copies),
            changed=run.of(Verification).changed,
            verify_reads=run.of(Verification).reads,
            verify_bytes=run.of(Verification).bytes_read,
        ),
    ),
)
# pylint: enable=unnecessary-lambda


def phase_contexts(ctx: PhaseContext, phases: Sequence[Phase]) -> dict[str, PhaseContext]:
    """{phase name: the run's PhaseContext with the phase's progress label}."""
    return {phase.name: dataclasses.replace(ctx, label=phase.label) for phase in phases}
