# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A copy is what a read shows: the batched reads of a run's copies (one call per region), the wait for those in flight,
and which copies the reads have shown (engine.sightings): a copy that no read shows, or no longer shows, has failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ..core.grouping import group_by
from ..core.model import DELETING, FAILED, PENDING
from ..core.polling import DONE, STILL_GOING, TIMEOUT, PollResult, poll
from .outcomes import NOT_COPIED
from .sightings import mark_gone

if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import EngineRun
    from .outcomes import DestinationOutcome, RequestOutcome


T = TypeVar('T')


def poll_on(engine: EngineRun, read: Callable[[], T], outcome: Callable[[T], str]) -> PollResult:
    """poll() of ``read`` until ``outcome`` says done, on the engine's deadline, poll intervals, clock and sleep."""
    return poll(
        read,
        outcome,
        engine.deadline,
        engine.config.poll_interval,
        sleep=engine.sleep,
        clock=engine.clock,
        max_interval=engine.config.max_poll_interval,
    )


def wait_for_copies(engine: EngineRun, outcomes: list[RequestOutcome]) -> None:
    # A copy in flight that is not used (it differs from what was asked) is not waited for.
    places = [
        destination_outcome
        for outcome in outcomes
        if outcome.error is None
        for destination_outcome in outcome.destinations.values()
        if destination_outcome.snapshot is not None
        and destination_outcome.snapshot.state == PENDING
        and destination_outcome.action != NOT_COPIED
    ]
    if not places:
        return

    # Each of ``places`` has its snapshot (one in flight, then its latest), and the run has set the deadline.
    def read() -> list[DestinationOutcome]:
        refresh(
            engine,
            [destination_outcome for destination_outcome in places if destination_outcome.copy.state == PENDING],
        )
        return places

    def still_going(group: list[DestinationOutcome]) -> str:
        return STILL_GOING if any(outcome.copy.state == PENDING for outcome in group) else DONE

    result = poll_on(engine, read, still_going)
    if result.status == TIMEOUT:
        for destination_outcome in places:
            if destination_outcome.copy.state == PENDING:
                destination_outcome.timed_out = True


def refresh(engine: EngineRun, places: list[DestinationOutcome], read_back: bool = False) -> None:
    """Read the latest state of these copies, one batched call per region (the adapter's read_back, a read that changes
    nothing, with ``read_back``); a copy the reads no longer show, or never showed (the run's Sightings), has failed.
    Each of ``places`` has its snapshot (one in flight)."""
    read = engine.adapter.read_back if read_back else engine.adapter.describe
    for region, group in group_by(places, lambda destination_outcome: destination_outcome.destination).items():
        latest = engine.call(read, region, sorted({destination_outcome.copy.id for destination_outcome in group}))
        for destination_outcome in group:
            snapshot = latest.get(destination_outcome.copy.id)
            if snapshot is not None and snapshot.state == DELETING:
                # Someone is deleting the copy while it is made: it will not become a DR copy.
                snapshot.state = FAILED
                snapshot.message = snapshot.message or 'the copy is being deleted (state %s)' % snapshot.cloud_state
                destination_outcome.gone = True
            if snapshot is not None:
                destination_outcome.snapshot = snapshot
                engine.sightings.saw(destination_outcome)
                continue
            gone = engine.sightings.gone(destination_outcome)
            if gone is not None:
                mark_gone(destination_outcome, gone)
    engine.publish_progress(force=True)
