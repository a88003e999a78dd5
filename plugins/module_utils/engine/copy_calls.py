# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A copy call and its safe resends: one call per job (outcome, destinations), sent again as ``copy_verdict`` allows
(Backoff.resend), never blindly. After an answer that may have been lost, or when the cloud's copy call has no
idempotency token, the destinations are looked up again before any second call, and a copy found there is adopted, not
made again."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..core.errors import ALREADY_EXISTS, BUSY, RETRYABLE, CloudError
from ..core.model import Snapshot
from ..core.retry import GIVE_UP, LOOK_UP, RESEND, WAIT
from .leases import LeaseRunningShort, leases_of
from .outcomes import COPIED, EXISTING, fail_destination, fail_destinations

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .context import EngineRun
    from .outcomes import Job, RequestOutcome

# Tries of one call before its error is reported, deadline or not: a region that keeps
# failing must not hold a whole run until its timeout.
MAX_ATTEMPTS = 10


def copy_group(engine: EngineRun, outcome: RequestOutcome, destinations: list[str]) -> Job | None:
    """Copy to ``destinations`` in one call, sent again as ``copy_verdict`` allows (Backoff.resend). Never makes a
    second copy: a look-up before a resend adopts the copies it finds, as made by this run (COPIED) when the lost
    answer may have been their own. With leases, each send goes under a fresh lease of this run's: when the lease has
    run short (retries took long), the job is returned with the destinations still to copy to, to be held again."""
    remaining = list(destinations)

    def copy() -> None:
        if engine.leases is not None and not engine.leases.fresh(leases_of((outcome, remaining))):
            raise LeaseRunningShort()
        unanswered = record_copies(outcome, remaining, engine.adapter.start_copy(outcome.request, remaining))
        engine.publish_progress()
        if unanswered:
            # Looked up once the call can have landed.
            raise DestinationsLeft(unanswered)

    def look_up(
        error: CloudError | DestinationsLeft,
    ) -> RequestOutcome | None:  # LOOK_UP is for these only (copy_verdict)
        nonlocal remaining
        if isinstance(error, DestinationsLeft):
            remaining = list(error.unanswered)
        remaining = adopt_found_copies(engine, outcome, remaining, COPIED if error.uncertain else EXISTING)
        return None if remaining else outcome  # every destination settled: nothing to send

    try:
        # With leases, a destination refused as busy (a share another run is taking back) is asked again after a poll
        # interval and a random part of one, so that two runs that wait on each other do not meet again in step.
        busy_wait = (
            engine.config.poll_interval * (1 + random.random())
            if engine.leases is not None
            else engine.config.poll_interval
        )  # nosec B311
        engine.calls.resend(
            copy,
            lambda error: copy_verdict(engine, error),
            look_up=look_up,
            idempotent=engine.adapter.copy_call_is_idempotent,
            max_attempts=MAX_ATTEMPTS,
            busy_wait=busy_wait,
        )
    except LeaseRunningShort:
        return (outcome, remaining)
    except DestinationsLeft as left:
        for destination, last_error in left.unanswered.items():
            fail_destination(
                outcome,
                destination,
                last_error
                or CloudError(
                    'CopySnapshot', 'NoAnswer', 'the cloud gave no result for this destination', region=destination
                ),
            )
    except CloudError as error:
        # The copy call's last error, or a look-up that failed after its own retries: these destinations fail with
        # it, and the other requests of the run go on (and get reported).
        fail_destinations(outcome, remaining, error)
    return None


def copy_verdict(engine: EngineRun, error: Exception) -> str:
    """What may follow a copy call that failed (see Backoff.resend). Without an idempotency token, after an answer that
    may have been lost, or when the cloud says a copy exists, the destinations are looked up before any resend."""
    if isinstance(error, DestinationsLeft):
        return LOOK_UP
    if not isinstance(error, CloudError) or error.kind not in (RETRYABLE, ALREADY_EXISTS, BUSY):
        return GIVE_UP
    if error.kind == BUSY:
        # Refused until something else ends (nothing was made): asked again each poll interval, up to the deadline.
        return WAIT
    if error.kind == ALREADY_EXISTS or error.uncertain or not engine.adapter.copy_call_is_idempotent:
        return LOOK_UP
    return RESEND


def record_copies(
    outcome: RequestOutcome, destinations: list[str], results: Mapping[str, Snapshot | CloudError]
) -> dict[str, CloudError | None]:
    """Record the copies a copy call started; fail the destinations it refused for good.
    Returns {destination: its retryable error, or None when the cloud said nothing of it} to try again."""
    unanswered: dict[str, CloudError | None] = {}
    for destination in destinations:
        result = results.get(destination)
        if isinstance(result, Snapshot):
            if result.encrypted is None and outcome.source is not None:
                # A copy keeps its source's encryption (unless asked to encrypt).
                result.encrypted = outcome.source.encrypted
            destination_outcome = outcome.destinations[destination]
            destination_outcome.action, destination_outcome.snapshot = COPIED, result
        elif result is None or result.kind in (RETRYABLE, ALREADY_EXISTS):
            unanswered[destination] = result
        else:
            fail_destination(outcome, destination, result)
    return unanswered


def adopt_found_copies(engine: EngineRun, outcome: RequestOutcome, destinations: list[str], action: str) -> list[str]:
    """Look each destination up again; record copies found there. Returns those still missing."""
    still_missing: list[str] = []
    for destination in destinations:
        found = engine.find_copies(destination, [outcome.request])
        if not engine.take_found_copy(outcome, destination, found.get(outcome.request.source_tag, ()), action):
            still_missing.append(destination)
    return still_missing


class DestinationsLeft(Exception):
    """A copy call answered for some destinations only: ``again`` (its one argument) is {destination: its retryable
    error, or None when the answer said nothing of it}. These are looked up, then copied to again (copy_group)."""

    def __init__(self, unanswered: dict[str, CloudError | None]) -> None:
        super().__init__(unanswered)
        self.unanswered = unanswered

    @property
    def uncertain(self) -> bool:
        # A destination the answer left out, or whose copy's answer was lost, may have a copy this call made.
        return any(last_error is None or last_error.uncertain for last_error in self.unanswered.values())
