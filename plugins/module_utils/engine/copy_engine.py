# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The copy engine: plan, check, copy with safe retries, wait, and report, for every cloud.

It works on a list of CopyRequests through an Adapter (see core/model.py) and knows nothing of
any cloud's API. What it guarantees, for all clouds alike:

* a copy that already exists in a destination (done or in flight) is reported, not made again;
* in check mode nothing that mutates is called, and the plan says what a real run would do;
* throttling and transient errors are retried with jittered backoff within the deadline, and
  a copy call is never repeated blindly: after an answer that may have been lost, or when the
  API has no idempotency token, the destination is looked up again before the next call;
* while waiting, every copy in flight is polled in one batched read per region per round;
* a timeout still reports the ids of the copies in flight, so a rerun adopts them;
* a copy counts once a read shows it, never because a copy call answered its id (_confirm_copies).

With ``workers`` above 1 (the DR run), the copy calls of different requests and destinations
are sent from a bounded pool of threads: each call still has its own retries and look-ups, and
no two calls ever concern the same request and destination, so the rules above hold as they are.

Two runs at once are another matter: each looks before it copies, and both may find nothing. With ``leases`` (the DR
run's, dr.leases), the copy calls go out in rounds under the run's leases on their sources (engine.rounds); a
destination another run holds is asked again a poll interval on, and looked up again once leased, so that a copy the
other run made is used.

The engine's parts: outcomes (what it reports), sources (reading and checking the sources), copy_calls (a copy call and
its safe resends), rounds (copy calls under leases and in-flight caps), reads (a copy is what a read shows; the wait).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.errors import is_retryable
from ..core.grouping import group_by
from ..core.model import PENDING, Snapshot, copy_mismatches
from ..core.polling import DONE, STILL_GOING, TIMEOUT
from ..core.progress import WAITING
from ..core.retry import Backoff, CallRetry
from .copy_calls import MAX_ATTEMPTS, copy_group
from .outcomes import (
    EXISTING,
    MISMATCH_FAIL,
    MISMATCH_WARN,
    NEWER_HELD,
    NOT_COPIED,
    WOULD_COPY,
    EngineConfig,
    RequestOutcome,
    copy_progress,
    differing_copy,
    differing_copy_refusal,
    pick_copy,
)
from .reads import poll_on, refresh, wait_for_copies
from .sightings import GONE, Sightings, mark_gone, token_spent_warning
from .sources import load_sources

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..core.model import CopyRequest
    from ..core.progress import Progress
    from ..core.retry import PhaseRetry
    from .capabilities import CopyAdapter
    from .context import Rounds
    from .leases import Leases
    from .outcomes import DestinationOutcome, Job, NewerHeld

    # The hook told of the outcomes once every copy is asked for, before the wait (CopyEngine's before_waiting).
    BeforeWaiting = Callable[[list[RequestOutcome]], None]

T = TypeVar('T')

# How many times a copy call whose answer named a copy no read shows is sent again with a new token (the adapter's
# token_spent): each is a copy a person or a retention period deleted since its token was drawn.
MAX_TOKEN_ROUNDS = 3


class CopyEngine:
    """Runs CopyRequests through one adapter. See the module docstring for what it guarantees."""

    def __init__(
        self,
        adapter: CopyAdapter,
        config: EngineConfig | None = None,
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        retry: CallRetry | PhaseRetry | None = None,
        progress: Progress | None = None,
        leases: Leases | None = None,
        newer_held: NewerHeld | None = None,
        before_waiting: BeforeWaiting | None = None,
        rounds: Rounds | None = None,
    ) -> None:
        """``config`` is what the run asks for (EngineConfig's defaults when None); the rest is what it runs with.
        ``retry`` is the run's CallRetry (see run_retry); ``backoff`` is used only when it has none. ``progress`` is
        told of the copies as they start and end (a DR run's live progress). ``leases`` are taken around each copy call
        (see the module docstring). ``newer_held`` (the DR run's) settles the destinations that hold a newer point of
        the disk before any copy is asked for (NEWER_HELD). ``before_waiting`` (the DR run's) is given the outcomes once
        every copy is asked for, before the wait (the DR run locks the copies named then). ``rounds`` (the DR run's:
        engine.rounds.CopyRounds) sends the copy calls under ``leases`` or the config's in-flight cap, and is needed
        with either (see engine.context.Rounds)."""
        self.rounds = rounds
        self.adapter = adapter
        self.newer_held = newer_held
        self.before_waiting = before_waiting
        self.config = config = config or EngineConfig()
        self.leases = leases
        self.progress = progress
        self.outcomes: list[RequestOutcome] = []
        # What the run warns of (a copy used although it differs from what was asked).
        self.warnings: list[str] = []
        self.clock = clock
        self.sleep = sleep
        self.retry = run_retry(adapter, retry, backoff, sleep=sleep, clock=clock)
        # The calls of a run are retried until its deadline (see run); before a run, until the CallRetry's own.
        self.deadline: float = self.retry.deadline
        self.calls = self.retry.until(self.deadline)
        # Which copies of the run the cloud's reads have shown (a run's copies count only once shown).
        self.sightings = Sightings(clock)

    @property
    def retries(self) -> int:
        """How many calls were sent again, by the engine and through the run's CallRetry."""
        return self.retry.retries

    # ------------------------------------------------------------------ entry point
    def run(
        self,
        requests: list[CopyRequest],
        sources: Mapping[tuple[str, str], Snapshot] | None = None,
    ) -> list[RequestOutcome]:
        """Validate every request (no API call), then plan, copy and wait. Returns RequestOutcomes.

        ``sources`` ({(region, snapshot id): Snapshot}) are source snapshots the caller has just
        read itself (the DR run lists them anyway): they are not read again.
        """
        for request in requests:
            self.adapter.validate(request)
        self.deadline = self.clock() + self.config.timeout
        self.calls = self.retry.until(self.deadline)
        outcomes = self.outcomes = [RequestOutcome(request) for request in requests]
        self.sightings = Sightings(self.clock)
        load_sources(self, outcomes, sources or {})
        self._find_existing_copies([outcome for outcome in outcomes if outcome.error is None])
        self.publish_progress(force=True)
        self._copy_all([outcome for outcome in outcomes if outcome.error is None])
        if not self.config.check_mode:
            self._confirm_copies(outcomes)
        self.publish_progress(force=True)
        if self.config.wait and not self.config.check_mode:
            if self.before_waiting is not None:
                self.before_waiting(outcomes)
            if self.progress is not None:
                self.progress.enter(WAITING)
            wait_for_copies(self, outcomes)
        return outcomes

    def publish_progress(self, force: bool = False) -> None:
        if self.progress is not None and self.progress.due(force):
            self.progress.update_copies(copy_progress(self.outcomes), force)

    # ------------------------------------------------------------------ calls with retries
    def call(self, method: Callable[..., T], *args: Any) -> T:
        return self.calls.call(method, *args)

    # ------------------------------------------------------------------ existing copies
    def _find_existing_copies(self, outcomes: list[RequestOutcome]) -> None:
        self.look_for_copies([(outcome, list(outcome.request.destinations)) for outcome in outcomes])

    def look_for_copies(self, jobs: list[Job]) -> list[Job]:
        """Look for copies of ``jobs``' sources in their destinations, one batched look per destination; record those
        found (EXISTING). Returns the jobs with the destinations still to copy to."""
        pairs = [(outcome, destination) for outcome, destinations in jobs for destination in destinations]
        for destination, group in group_by(pairs, lambda pair: pair[1]).items():
            found = self.find_copies(destination, [outcome.request for outcome, dummy in group])
            for outcome, dummy in group:
                self.take_found_copy(outcome, destination, found.get(outcome.request.source_tag, ()), EXISTING)
        left = [
            (outcome, [destination for destination in destinations if outcome.destinations[destination].action is None])
            for outcome, destinations in jobs
        ]
        return [job for job in left if job[1]]

    def find_copies(self, destination: str, requests: list[CopyRequest]) -> dict[str, list[Snapshot]]:
        """The copies of these requests' sources found in ``destination``, completed outside check mode."""
        found = self.call(self.adapter.find_copies, destination, requests)
        if not self.config.check_mode:
            self.call(self.adapter.complete_copies, destination, requests, found)
        return found

    def take_found_copy(
        self, outcome: RequestOutcome, destination: str, candidates: Sequence[Snapshot], action: str
    ) -> bool:
        """Record at ``destination`` the copy found among ``candidates`` that is as the request asks.

        When there is none but one that differs, on_mismatch decides: fail the destination, use
        that copy with a warning, or (new_copy) leave the destination to be copied to. Returns
        whether the destination is settled (nothing is to be copied there).
        """
        request, destination_outcome = outcome.request, outcome.destinations[destination]
        differences = {copy.id: copy_mismatches(request, copy, self.adapter.readable_options) for copy in candidates}
        best = pick_copy([copy for copy in candidates if not differences[copy.id]])
        if best is not None:
            destination_outcome.action, destination_outcome.snapshot, destination_outcome.mismatch = action, best, None
            self.sightings.saw(destination_outcome)  # a read found it
            return True
        other = pick_copy(candidates)
        if other is None:
            return False
        self.sightings.saw(destination_outcome)
        destination_outcome.mismatch = {'snapshot_id': other.id, 'differences': differences[other.id]}
        text = differing_copy(other.id, destination, differences[other.id])
        if self.config.on_mismatch == MISMATCH_WARN:
            destination_outcome.action, destination_outcome.snapshot = action, other
            self.warnings.append(
                '%s of %s/%s; it is used as it is (on_mismatch: warn)'
                % (text, request.source_region, request.source_id)
            )
            return True
        if self.config.on_mismatch == MISMATCH_FAIL:
            destination_outcome.action, destination_outcome.snapshot = NOT_COPIED, other
            destination_outcome.error = differing_copy_refusal(text, destination)
            return True
        return False

    # ------------------------------------------------------------------ copying
    def _copy_all(self, outcomes: list[RequestOutcome]) -> None:
        """Start every missing copy: one call per destination group, in request order."""
        self._settle_newer_held(outcomes)
        jobs: list[Job] = []
        for outcome in outcomes:
            missing = [
                destination
                for destination, destination_outcome in outcome.destinations.items()
                if destination_outcome.action is None
            ]
            if self.config.check_mode:
                for destination in missing:
                    outcome.destinations[destination].action = WOULD_COPY
            elif missing:
                groups = [missing] if self.adapter.multi_destination else [[destination] for destination in missing]
                jobs.extend((outcome, destinations) for destinations in groups)
        self._copy_jobs(jobs, outcomes)

    def _settle_newer_held(self, outcomes: list[RequestOutcome]) -> None:
        """Ask ``newer_held`` once about every destination still to copy to, in check mode too (a read): those that hold
        a newer point of the disk get no copy of an older one."""
        if self.newer_held is None:
            return
        left = [
            (outcome, destination)
            for outcome in outcomes
            for destination, destination_outcome in outcome.destinations.items()
            if destination_outcome.action is None
        ]
        if not left:
            return
        held = self.newer_held([(outcome.request, destination) for outcome, destination in left])
        for (outcome, destination), newer in zip(left, held):
            if newer is not None:
                destination_outcome = outcome.destinations[destination]
                destination_outcome.action = NEWER_HELD
                destination_outcome.snapshot, destination_outcome.recovery_point = newer

    def _copy_jobs(self, jobs: list[Job], outcomes: list[RequestOutcome]) -> None:
        """Run ``jobs``: at once, or, with leases or ``max_in_flight``, in rounds (engine.rounds)."""
        if self.leases is None and self.config.max_in_flight is None:
            self.run_jobs(jobs)
            return
        in_flight = [
            destination_outcome
            for outcome in outcomes
            for destination_outcome in outcome.destinations.values()
            if destination_outcome.snapshot is not None and destination_outcome.snapshot.state == PENDING
        ]
        if self.rounds is None:  # a caller's mistake: the DR run gives them, and a copy module's run never gets here
            raise ValueError('CopyEngine runs under leases or an in-flight cap in rounds: give it rounds (CopyRounds)')
        self.rounds(self, jobs=jobs, in_flight=in_flight).run()

    def run_jobs(self, jobs: list[Job]) -> list[Job]:
        """Run ``copy_group`` (engine.copy_calls) for each (outcome, destinations) job, up to ``workers`` at a time.
        Returns the jobs that were not sent because this run's lease on their source ran short (sent in a later round,
        leased again).

        The first error that escapes a job (a look-up that failed for good) stops the jobs not yet
        started and is raised, as it would be one job after another.
        """
        if self.config.workers == 1 or len(jobs) < 2:
            deferred = [copy_group(self, outcome, destinations) for outcome, destinations in jobs]
            return [job for job in deferred if job is not None]
        from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel  # the DR run only

        with ThreadPoolExecutor(max_workers=min(self.config.workers, len(jobs))) as pool:
            try:
                deferred = [
                    future.result()
                    for future in [
                        pool.submit(copy_group, self, outcome, destinations) for outcome, destinations in jobs
                    ]
                ]
            except BaseException:
                pool.shutdown(cancel_futures=True)  # waits for the jobs under way, as the with block would
                raise
        return [job for job in deferred if job is not None]

    # ------------------------------------------------------------------ a copy is what a read shows
    def _confirm_copies(self, outcomes: list[RequestOutcome]) -> None:
        """Read back each copy this run made: a copy call's answer is no proof. One batched read per region, again each
        poll interval for a copy not shown yet, until UNSEEN_GRACE_SECONDS have passed (Sightings); a copy no read
        showed by then was not made (_refresh fails it). Where the copy call carries a token that the cloud answers with
        the first copy made under it, deleted since or not (ECS), the adapter draws a new token (token_spent) and the
        call is sent once more, at most MAX_TOKEN_ROUNDS times: a deleted DR copy is made again, never reported as
        made."""
        owners = {
            id(destination_outcome): outcome
            for outcome in outcomes
            for destination_outcome in outcome.destinations.values()
        }
        rounds = 0
        while True:
            unconfirmed = [
                destination_outcome
                for outcome in outcomes
                if outcome.error is None
                for destination_outcome in outcome.destinations.values()
                if self.sightings.unconfirmed(destination_outcome)
            ]
            if not unconfirmed:
                return

            def read(group: list[DestinationOutcome] = unconfirmed) -> list[DestinationOutcome]:
                refresh(
                    self,
                    [
                        destination_outcome
                        for destination_outcome in group
                        if self.sightings.unconfirmed(destination_outcome)
                    ],
                    read_back=True,
                )
                return group

            result = poll_on(
                self, read, lambda group: STILL_GOING if any(map(self.sightings.unconfirmed, group)) else DONE
            )
            if result.status == TIMEOUT:
                for destination_outcome in unconfirmed:
                    if self.sightings.unconfirmed(destination_outcome):
                        mark_gone(destination_outcome, 'not seen')
            again: list[Job] = []
            for destination_outcome in unconfirmed:
                snapshot = destination_outcome.copy
                outcome = owners[id(destination_outcome)]
                destination = destination_outcome.destination
                if (
                    snapshot.cloud_state in GONE
                    and rounds < MAX_TOKEN_ROUNDS
                    and self.adapter.token_spent(outcome.request, destination, snapshot.id)
                ):
                    self.warnings.append(token_spent_warning(outcome.request, destination, snapshot.id))
                    destination_outcome.action = destination_outcome.snapshot = None
                    destination_outcome.gone = False
                    self.sightings.forget(destination_outcome)
                    again.append((outcome, [destination]))
            if not again:
                return
            rounds += 1
            self._copy_jobs(again, outcomes)


def default_backoff(
    sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic
) -> Backoff:
    """How a run backs off by default: 1 s, doubling up to 20 s, jittered, at most MAX_ATTEMPTS tries."""
    return Backoff(is_retryable, base_delay=1.0, max_delay=20.0, max_attempts=MAX_ATTEMPTS, sleep=sleep, clock=clock)


def run_retry(
    adapter: CopyAdapter,
    retry: CallRetry | PhaseRetry | None = None,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> CallRetry | PhaseRetry:
    """The run's CallRetry: ``retry`` when given, else the one the adapter's client sends its calls
    through, so that the client, the engine and the DR run retry alike and count together. One without
    a backoff gets ``backoff``, or the default."""
    if retry is None:
        retry = getattr(adapter.client, 'retry', None) or CallRetry()
    if retry.backoff is None:
        retry.backoff = backoff or default_backoff(sleep=sleep, clock=clock)
    return retry
