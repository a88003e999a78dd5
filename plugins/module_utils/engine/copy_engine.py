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

Two runs at once are another matter: each looks before it copies, and both may find nothing. A ``guard`` (CopyGuard: the
DR run's copy leases, dr.claims) holds the sources of a round of copy calls, all in one batched take, before they are sent,
and lets go of them once they are done; a destination another run holds is asked again a poll interval on, and looked up
again once held, so that a copy the other run made is used.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..core.errors import ALREADY_EXISTS, BUSY, INVALID, RETRYABLE, CloudError, is_retryable
from ..core.model import COMPLETED, DELETING, FAILED, PENDING, Snapshot, copy_mismatches
from ..core.polling import AGAIN, DONE, STILL_GOING, TIMEOUT, poll
from ..core.progress import WAITING
from ..core.retry import GIVE_UP, LOOK_UP, RESEND, WAIT, Backoff, CallRetry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ..core.model import CopyRequest
    from ..core.progress import Progress
    from ..core.retry import PhaseRetry
    from .capabilities import CopyAdapter

    # One copy call to make: a request's outcome and the destinations the call serves.
    Job = tuple['RequestOutcome', list[str]]

T = TypeVar('T')
K = TypeVar('K')

# What to do with a copy found that differs from what was asked (the on_mismatch option).
MISMATCH_FAIL = 'fail'          # fail that destination, saying what differs; nothing is copied
MISMATCH_WARN = 'warn'          # use the copy found, with a warning that says what differs
MISMATCH_NEW_COPY = 'new_copy'  # make a copy as asked; the one found stays (for pruning or deletion)
MISMATCH_CHOICES = (MISMATCH_FAIL, MISMATCH_WARN, MISMATCH_NEW_COPY)

# What happened at one destination.
EXISTING = 'existing'        # a copy was already there (done or in flight): nothing made
COPIED = 'copied'            # this run made the copy
WOULD_COPY = 'would_copy'    # check mode: a real run would make a copy here
NOT_COPIED = 'not_copied'    # the copy could not be made, or an earlier copy failed

# Tries of one call before its error is reported, deadline or not: a region that keeps
# failing must not hold a whole run until its timeout.
MAX_ATTEMPTS = 10
# How long a copy this run made may stay invisible to reads (eventual consistency) before it counts as gone: Tencent
# Cloud keeps no failed copy, it drops it (tencentcloud-sdk-python-cbs models: Snapshot.SnapshotState documents no failed
# state), so a copy that failed early is never seen at all; ECS answers a ClientToken it has seen with its first answer,
# the id of a copy that may have been deleted since (ECS "How to ensure idempotence": the same result, no change).
UNSEEN_GRACE_SECONDS = 120
# How many times a copy call whose answer named a copy no read shows is sent again with a new token (the adapter's
# token_spent): each is a copy a person or a retention period deleted since its token was drawn.
MAX_TOKEN_ROUNDS = 3


@dataclass(eq=False)  # one destination of one request: two are never the same, whatever they hold
class DestinationOutcome:
    """The result at one destination of one request."""

    destination: str
    action: str | None = None
    snapshot: Snapshot | None = None
    error: Exception | None = None
    timed_out: bool = False
    # A copy found that differs from what was asked: {'snapshot_id', 'differences'} (see copy_mismatches).
    mismatch: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return self.action in (COPIED, WOULD_COPY)

    @property
    def failed(self) -> bool:
        if self.action == NOT_COPIED or self.timed_out:
            return True
        return self.snapshot is not None and self.snapshot.state == FAILED

    def failure(self) -> str | None:
        """A sentence saying why this destination failed, or None."""
        if self.error is not None:
            return '%s: %s' % (self.destination, self.error)
        if self.snapshot is not None and self.snapshot.state == FAILED:
            earlier = 'an earlier copy' if self.action == EXISTING else 'the copy'
            reason = self.snapshot.message or 'no reason given by the cloud'
            return ('%s: %s %s is in state %s: %s. It is not replaced automatically: delete it, '
                    'then run again to make a new copy'
                    % (self.destination, earlier, self.snapshot.id, self.snapshot.cloud_state, reason))
        if self.timed_out:
            snapshot = cast('Snapshot', self.snapshot)  # what timed out is a copy in flight
            return '%s: copy %s is still %s (%s%%) at the timeout; a rerun adopts it instead of copying again' % (
                self.destination, snapshot.id, snapshot.cloud_state,
                snapshot.progress if snapshot.progress is not None else '?')
        return None

    def as_result(self) -> dict[str, Any]:
        if self.snapshot is not None:
            result = self.snapshot.as_copy_result()
        else:
            result = {'region': self.destination, 'snapshot_id': None, 'state': None, 'progress': None}
        result['region'] = self.destination
        result['action'] = self.action
        result['changed'] = self.changed
        if self.mismatch is not None:
            result['mismatch'] = self.mismatch
        if self.error is not None:
            result['error'] = self.error.as_result() if isinstance(self.error, CloudError) else {'message': str(self.error)}
        return result


@dataclass(frozen=True, order=True)
class Hold:
    """A source snapshot held for its copy into one destination: what a CopyGuard takes and lets go of."""

    source_region: str
    source_id: str
    destination: str


class CopyGuard(ABC):
    """What keeps two runs from copying one source to one destination at the same time (the DR run's copy leases,
    dr.claims). Batched: the engine takes the holds of every copy call of a round at once, in as few calls as the cloud
    allows, and lets go of them together."""

    @abstractmethod
    def take(self, holds: Sequence[Hold]) -> dict[Hold, CloudError]:
        """Hold ``holds`` for this run; answer {hold: why not} for those it does not hold (empty: it holds them all): a BUSY
        error while another run holds one (the engine asks again a poll interval on), another error when a call for it
        failed (that destination fails with it)."""

    @abstractmethod
    def fresh(self, holds: Iterable[Hold]) -> bool:
        """Whether this run holds each of ``holds`` with enough of its time left to send a copy call under it (no call)."""

    @abstractmethod
    def release(self, holds: Sequence[Hold]) -> None:
        """Let go of ``holds``, held or not: their copy calls were answered, or given up."""


def holds_of(job: Job) -> list[Hold]:
    """The holds a copy call of ``job`` is sent under: its source, for each of its destinations."""
    request = job[0].request
    return [Hold(request.source_region, request.source_id, destination) for destination in job[1]]


class RequestOutcome:
    """The result of one CopyRequest: its source and one DestinationOutcome per destination."""

    def __init__(self, request: CopyRequest) -> None:
        self.request = request
        self.source: Snapshot | None = None
        self.error: CloudError | None = None
        self.destinations = {destination: DestinationOutcome(destination) for destination in request.destinations}

    @property
    def changed(self) -> bool:
        return any(outcome.changed for outcome in self.destinations.values())

    @property
    def failed(self) -> bool:
        return self.error is not None or any(outcome.failed for outcome in self.destinations.values())

    def failures(self) -> list[str]:
        if self.error is not None:
            return [str(self.error)]
        return [text for text in (outcome.failure() for outcome in self.destinations.values()) if text]


@dataclass(frozen=True)
class EngineConfig:
    """What a run of the engine is asked to do; the copy module and the DR run each build one from their options."""

    check_mode: bool = False
    # Wait for the copies to complete, polling every poll_interval seconds (growing to max_poll_interval), until the
    # run is timeout seconds old.
    wait: bool = False
    timeout: float = 600
    poll_interval: float = 15
    max_poll_interval: float | None = None
    # At most this many copies in flight per destination (AWS refuses a 21st); None: no cap.
    max_in_flight: int | None = None
    # Copy calls in the air at once: N copies then cost about N / workers round trips.
    workers: int = 1
    on_mismatch: str = MISMATCH_FAIL

    def __post_init__(self) -> None:
        if self.on_mismatch not in MISMATCH_CHOICES:
            raise ValueError('on_mismatch must be one of %s' % ', '.join(MISMATCH_CHOICES))
        if self.workers < 1:
            object.__setattr__(self, 'workers', 1)


class CopyEngine:
    """Runs CopyRequests through one adapter. See the module docstring for what it guarantees."""

    def __init__(self, adapter: CopyAdapter, config: EngineConfig | None = None, *, backoff: Backoff | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 retry: CallRetry | PhaseRetry | None = None, progress: Progress | None = None, guard: CopyGuard | None = None) -> None:
        """``config`` is what the run asks for (EngineConfig's defaults when None); the rest is what it runs with.
        ``retry`` is the run's CallRetry (see run_retry); ``backoff`` is used only when it has none. ``progress``
        is told of the copies as they start and end (a DR run's live progress). ``guard`` is taken around each copy call
        (see the module docstring)."""
        self.adapter = adapter
        self.config = config = config or EngineConfig()
        self.guard = guard
        self.progress = progress
        self.outcomes: list[RequestOutcome] = []
        # What the run warns of (a copy used although it differs from what was asked).
        self.warnings: list[str] = []
        self.clock = clock
        self.sleep = sleep
        self.retry = run_retry(adapter, retry, backoff, sleep=sleep, clock=clock)
        self.deadline: float | None = None
        # The calls of a run are retried until its deadline (see run); before a run, until the CallRetry's own.
        self.calls = self.retry.until(self.retry.deadline)
        # Which copies of the run the cloud's reads have shown (a run's copies count only once shown).
        self.sightings = Sightings(clock)

    @property
    def retries(self) -> int:
        """How many calls were sent again, by the engine and through the run's CallRetry."""
        return self.retry.retries

    # ------------------------------------------------------------------ entry point
    def run(self, requests: list[CopyRequest], sources: Mapping[tuple[str, str], Snapshot] | None = None,
            before_waiting: Callable[[list[RequestOutcome]], None] | None = None) -> list[RequestOutcome]:
        """Validate every request (no API call), then plan, copy and wait. Returns RequestOutcomes.

        ``sources`` ({(region, snapshot id): Snapshot}) are source snapshots the caller has just
        read itself (the DR run lists them anyway): they are not read again. ``before_waiting`` is called
        with the outcomes once every copy is asked for, before the wait (the DR run locks the copies named).
        """
        for request in requests:
            self.adapter.validate(request)
        self.deadline = self.clock() + self.config.timeout
        self.calls = self.retry.until(self.deadline)
        outcomes = self.outcomes = [RequestOutcome(request) for request in requests]
        self.sightings = Sightings(self.clock)
        self._load_sources(outcomes, sources or {})
        self._find_existing_copies([outcome for outcome in outcomes if outcome.error is None])
        self._publish_progress(force=True)
        self._copy_all([outcome for outcome in outcomes if outcome.error is None])
        if not self.config.check_mode:
            self._confirm_copies(outcomes)
        self._publish_progress(force=True)
        if self.config.wait and not self.config.check_mode:
            if before_waiting is not None:
                before_waiting(outcomes)
            if self.progress is not None:
                self.progress.enter(WAITING)
            self._wait_for_copies(outcomes)
        return outcomes

    def _publish_progress(self, force: bool = False) -> None:
        if self.progress is not None and self.progress.due(force):
            self.progress.update_copies(copy_progress(self.outcomes), force)

    # ------------------------------------------------------------------ calls with retries
    def _call(self, method: Callable[..., T], *args: Any) -> T:
        return self.calls.call(method, *args)

    # ------------------------------------------------------------------ sources
    def _load_sources(self, outcomes: list[RequestOutcome], known: Mapping[tuple[str, str], Snapshot]) -> None:
        by_region = group_by(outcomes, lambda outcome: outcome.request.source_region)
        for region, group in by_region.items():
            for outcome in group:
                outcome.source = known.get((region, outcome.request.source_id))
            unknown = [outcome for outcome in group if outcome.source is None]
            ids = sorted({outcome.request.source_id for outcome in unknown})
            if not ids:
                continue
            try:
                sources = self._call(self.adapter.get_sources, region, ids)
            except CloudError as error:
                if len(ids) > 1:
                    raise
                for outcome in unknown:
                    outcome.error = error
                continue
            for outcome in unknown:
                outcome.source = sources.get(outcome.request.source_id)
        pending = [outcome for outcome in outcomes if outcome.source is not None and outcome.source.state == PENDING]
        if pending and self.config.wait and not self.config.check_mode:
            self._wait_for_sources(pending)
        for outcome in outcomes:
            if outcome.error is None:
                outcome.error = self._source_problem(outcome)

    def _source_problem(self, outcome: RequestOutcome) -> CloudError | None:
        request, source = outcome.request, outcome.source
        if source is None:
            return CloudError('Describe', 'NotFound', 'source snapshot %s was not found in %s' % (request.source_id, request.source_region))
        if source.state == DELETING:
            return CloudError('Describe', 'SourceDeleting', 'source snapshot %s is being deleted (state %s) and cannot be copied'
                              % (source.id, source.cloud_state))
        if source.state == FAILED:
            return CloudError('Describe', 'SourceFailed', 'source snapshot %s is in state %s (%s) and cannot be copied'
                              % (source.id, source.cloud_state, source.message or 'no reason given'))
        if source.state == PENDING and not (self.config.check_mode and self.config.wait):
            return CloudError('Describe', 'SourceNotReady',
                              'source snapshot %s is still %s (%s%%); copy it once it is complete, or set wait: true to wait for it'
                              % (source.id, source.cloud_state, source.progress if source.progress is not None else '?'))
        try:
            self.adapter.check_source(request, source)
        except CloudError as error:
            return error
        return None

    def _wait_for_sources(self, outcomes: list[RequestOutcome]) -> None:
        # Each of ``outcomes`` has its source (a pending one), and the run has set the deadline.
        def read() -> list[RequestOutcome]:
            for region, group in group_by(outcomes, lambda outcome: outcome.request.source_region).items():
                seen = self._call(self.adapter.describe, region, sorted({cast('Snapshot', outcome.source).id for outcome in group}))
                for outcome in group:
                    outcome.source = seen.get(cast('Snapshot', outcome.source).id, outcome.source)
            return outcomes

        poll(read, lambda group: STILL_GOING if any(cast('Snapshot', outcome.source).state == PENDING for outcome in group) else DONE,
             cast('float', self.deadline), self.config.poll_interval, sleep=self.sleep, clock=self.clock, max_interval=self.config.max_poll_interval)

    # ------------------------------------------------------------------ existing copies
    def _find_existing_copies(self, outcomes: list[RequestOutcome]) -> None:
        self._look_for_copies([(outcome, list(outcome.request.destinations)) for outcome in outcomes])

    def _look_for_copies(self, jobs: list[Job]) -> list[Job]:
        """Look for copies of ``jobs``' sources in their destinations, one batched look per destination; record those
        found (EXISTING). Returns the jobs with the destinations still to copy to."""
        pairs = [(outcome, destination) for outcome, destinations in jobs for destination in destinations]
        for destination, group in group_by(pairs, lambda pair: pair[1]).items():
            found = self._find_copies(destination, [outcome.request for outcome, dummy in group])
            for outcome, dummy in group:
                self._take_found_copy(outcome, destination, found.get(outcome.request.source_tag, ()), EXISTING)
        left = [(outcome, [destination for destination in destinations if outcome.destinations[destination].action is None]) for outcome, destinations in jobs]
        return [job for job in left if job[1]]

    def _find_copies(self, destination: str, requests: list[CopyRequest]) -> dict[str, list[Snapshot]]:
        """The copies of these requests' sources found in ``destination``, completed outside check mode."""
        found = self._call(self.adapter.find_copies, destination, requests)
        if not self.config.check_mode:
            self._call(self.adapter.complete_copies, destination, requests, found)
        return found

    def _take_found_copy(self, outcome: RequestOutcome, destination: str, candidates: Sequence[Snapshot], action: str) -> bool:
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
        text = 'the copy %s found in %s differs from what was asked: %s' % (other.id, destination, describe_differences(
            differences[other.id]))
        if self.config.on_mismatch == MISMATCH_WARN:
            destination_outcome.action, destination_outcome.snapshot = action, other
            self.warnings.append('%s of %s/%s; it is used as it is (on_mismatch: warn)' % (
                text, request.source_region, request.source_id))
            return True
        if self.config.on_mismatch == MISMATCH_FAIL:
            destination_outcome.action, destination_outcome.snapshot = NOT_COPIED, other
            destination_outcome.error = CloudError('CopySnapshot', 'ExistingCopyDiffers', '%s. It is not used: set on_mismatch: new_copy to '
                                                   'make a copy as asked (the one found stays, for pruning or deletion), or on_mismatch: '
                                                   'warn to use it as it is' % text, kind=INVALID, region=destination)
            return True
        return False

    # ------------------------------------------------------------------ copying
    def _copy_all(self, outcomes: list[RequestOutcome]) -> None:
        """Start every missing copy: one call per destination group, in request order."""
        jobs: list[Job] = []
        for outcome in outcomes:
            missing = [destination for destination, destination_outcome in outcome.destinations.items() if destination_outcome.action is None]
            if self.config.check_mode:
                for destination in missing:
                    outcome.destinations[destination].action = WOULD_COPY
            elif missing:
                groups = [missing] if self.adapter.multi_destination else [[destination] for destination in missing]
                jobs.extend((outcome, destinations) for destinations in groups)
        self._copy_jobs(jobs, outcomes)

    def _copy_jobs(self, jobs: list[Job], outcomes: list[RequestOutcome]) -> None:
        """Run ``jobs``: at once, or, with a guard or ``max_in_flight``, in rounds (_copy_in_rounds)."""
        if self.guard is None and self.config.max_in_flight is None:
            self._run_jobs(jobs)
            return
        in_flight = [destination_outcome for outcome in outcomes for destination_outcome in outcome.destinations.values()
                     if destination_outcome.snapshot is not None and destination_outcome.snapshot.state == PENDING]
        self._copy_in_rounds(jobs, in_flight)

    def _copy_in_rounds(self, jobs: list[Job], in_flight: list[DestinationOutcome]) -> None:
        """Run ``jobs`` in rounds. With a guard, a round first holds the sources of the jobs it does not hold yet, or no
        longer long enough: one batched take (CopyGuard), then one look per destination for copies another run made and
        let go of before this run's hold (_look_for_copies). With ``max_in_flight``, a round starts the jobs whose destinations
        have a free slot (copies in flight are read in one batched call per region). A job another run holds, or that
        finds no slot, waits for a later round, a poll interval on; a round that started jobs is followed at once. What
        this run holds is let go of once its jobs are done: at the next take, or at the end."""
        limit = self.config.max_in_flight
        pending = list(jobs)
        held_elsewhere: dict[Hold, CloudError] = {}
        taken: set[Hold] = set()
        waited = False

        def one_round() -> bool:
            nonlocal pending, in_flight, waited
            if waited and limit is not None:
                self._refresh(in_flight)
                in_flight = [destination_outcome for destination_outcome in in_flight if cast('Snapshot', destination_outcome.snapshot).state == PENDING]
            ready = pending
            if self.guard is not None:
                pending, ready = self._hold_sources(pending, taken, held_elsewhere)
            chosen = ready if limit is None else jobs_that_fit(ready, in_flight, limit)
            deferred = self._run_jobs(chosen)
            started = {id(job) for job in chosen}
            pending = [job for job in pending if id(job) not in started] + deferred
            in_flight.extend(destination_outcome for outcome, destinations in chosen for destination in destinations
                             for destination_outcome in [outcome.destinations[destination]]
                             if destination_outcome.snapshot is not None and destination_outcome.snapshot.state == PENDING)
            sent = len(chosen) > len(deferred)
            if pending and not sent and held_elsewhere:
                # Two runs that saw each other's holds both let go: a random part of a poll interval keeps them out of step.
                self.sleep(min(random.random() * self.config.poll_interval, max(0.0, cast('float', self.deadline) - self.clock())))  # nosec B311
            waited = not sent
            return sent

        try:
            # A slot taken by a job whose copy then fails is free again in the next round, which follows at once (AGAIN).
            result = poll(one_round, lambda sent: DONE if not pending else AGAIN if sent else STILL_GOING, cast('float', self.deadline),
                          self.config.poll_interval, sleep=self.sleep, clock=self.clock, max_interval=self.config.max_poll_interval)
        finally:
            if self.guard is not None and taken:
                self.guard.release(sorted(taken))
        if result.status == TIMEOUT:
            for outcome, destinations in pending:
                for hold in holds_of((outcome, destinations)):
                    _fail(outcome, hold.destination, self._not_started(hold, held_elsewhere.get(hold)))

    def _not_started(self, hold: Hold, held_elsewhere: CloudError | None) -> CloudError:
        """Why a copy was not started by the timeout: another run's hold (``held_elsewhere``), no free slot, or a hold
        this run could not keep."""
        if held_elsewhere is not None:
            return held_elsewhere
        if self.config.max_in_flight is not None:
            return CloudError('CopySnapshot', 'NoFreeSlot', 'not started: %d copies were still in flight to %s at the timeout'
                              % (self.config.max_in_flight, hold.destination), region=hold.destination)
        return CloudError('CopySnapshot', 'NotHeld', 'not started: this run could not hold source snapshot %s long enough to copy '
                          'it to %s before the timeout' % (hold.source_id, hold.destination), kind=BUSY, region=hold.destination)

    def _hold_sources(self, pending: list[Job], taken: set[Hold], held_elsewhere: dict[Hold, CloudError]) -> tuple[list[Job], list[Job]]:
        """(pending, ready): the jobs still to run, and those of them this run holds fresh (CopyGuard.fresh). The jobs it
        does not are held in one batched take; a job's destinations another run holds are split off to wait, and those
        whose hold failed fail with its error. Holds of jobs done since the last take are let go of first, in one batch."""
        guard = cast('CopyGuard', self.guard)
        stale = [job for job in pending if not guard.fresh(holds_of(job))]
        if stale:
            done = taken - {hold for job in pending for hold in holds_of(job)}
            if done:
                guard.release(sorted(done))
                taken -= done
            asked = sorted({hold for job in stale for hold in holds_of(job)})
            try:
                # Sent again while the cloud throttles it (the run's retries, to its deadline), as a copy call is.
                refused = self._call(guard.take, asked)
            except CloudError as error:
                # Still refused after those: these copies fail with its error (BUSY: they wait a round), the others go on.
                refused = dict.fromkeys(asked, error)
            held_elsewhere.clear()
            held_elsewhere.update((hold, error) for hold, error in refused.items() if error.kind == BUSY)
            taken.update(hold for hold in asked if hold not in refused)
            stale_ids = {id(job) for job in stale}
            kept, won = [job for job in pending if id(job) not in stale_ids], []
            for outcome, destinations in stale:
                holds = holds_of((outcome, destinations))
                free = [hold.destination for hold in holds if hold not in refused]
                held = [hold.destination for hold in holds if hold in held_elsewhere]
                for hold in holds:
                    if hold in refused and hold not in held_elsewhere:
                        _fail(outcome, hold.destination, refused[hold])  # a call for this source failed: not copied now
                if held:
                    kept.append((outcome, held))
                if free:
                    won.append((outcome, free))
            # Another run may have made its copy and let go since this run looked: look again, now that no run can.
            pending = kept + self._look_for_copies(won)
        return pending, [job for job in pending if guard.fresh(holds_of(job))]

    def _run_jobs(self, jobs: list[Job]) -> list[Job]:
        """Run ``_copy_group`` for each (outcome, destinations) job, up to ``workers`` at a time. Returns the jobs that
        were not sent because this run's hold on their source ran short (sent in a later round, held again).

        The first error that escapes a job (a look-up that failed for good) stops the jobs not yet
        started and is raised, as it would be one job after another.
        """
        if self.config.workers == 1 or len(jobs) < 2:
            deferred = [self._copy_group(outcome, destinations) for outcome, destinations in jobs]
            return [job for job in deferred if job is not None]
        from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel  # the DR run only
        with ThreadPoolExecutor(max_workers=min(self.config.workers, len(jobs))) as pool:
            try:
                deferred = [future.result() for future in [pool.submit(self._copy_group, outcome, destinations) for outcome, destinations in jobs]]
            except BaseException:
                pool.shutdown(cancel_futures=True)  # waits for the jobs under way, as the with block would
                raise
        return [job for job in deferred if job is not None]

    def _copy_group(self, outcome: RequestOutcome, destinations: list[str]) -> Job | None:
        """Copy to ``destinations`` in one call, sent again as ``_copy_verdict`` allows (Backoff.resend). Never makes a
        second copy: a look-up before a resend adopts the copies it finds, as made by this run (COPIED) when the lost
        answer may have been their own. With a guard, each send goes under a fresh hold of this run's: when the hold has
        run short (retries took long), the job is returned with the destinations still to copy to, to be held again."""
        remaining = list(destinations)

        def copy() -> None:
            if self.guard is not None and not self.guard.fresh(holds_of((outcome, remaining))):
                raise HoldRunningShort()
            unanswered = self._record_copies(outcome, remaining, self.adapter.start_copy(outcome.request, remaining))
            self._publish_progress()
            if unanswered:
                # Looked up once the call can have landed.
                raise DestinationsLeft(unanswered)

        def look_up(error: CloudError | DestinationsLeft) -> RequestOutcome | None:  # LOOK_UP is for these only (_copy_verdict)
            nonlocal remaining
            if isinstance(error, DestinationsLeft):
                remaining = list(error.unanswered)
            remaining = self._adopt_found_copies(outcome, remaining, COPIED if error.uncertain else EXISTING)
            return None if remaining else outcome  # every destination settled: nothing to send

        try:
            # With a guard, a destination refused as busy (a share another run is taking back) is asked again after a poll
            # interval and a random part of one, so that two runs that wait on each other do not meet again in step.
            busy_wait = self.config.poll_interval * (1 + random.random()) if self.guard is not None else self.config.poll_interval  # nosec B311
            self.calls.resend(copy, self._copy_verdict, look_up=look_up, idempotent=self.adapter.copy_call_is_idempotent,
                              max_attempts=MAX_ATTEMPTS, busy_wait=busy_wait)
        except HoldRunningShort:
            return (outcome, remaining)
        except DestinationsLeft as left:
            for destination, last_error in left.unanswered.items():
                _fail(outcome, destination, last_error or CloudError(
                    'CopySnapshot', 'NoAnswer', 'the cloud gave no result for this destination', region=destination))
        except CloudError as error:
            # The copy call's last error, or a look-up that failed after its own retries: these destinations fail with
            # it, and the other requests of the run go on (and get reported).
            _fail_all(outcome, remaining, error)
        return None

    def _copy_verdict(self, error: Exception) -> str:
        """What may follow a copy call that failed (see Backoff.resend). Without an idempotency token, after an answer that
        may have been lost, or when the cloud says a copy exists, the destinations are looked up before any resend."""
        if isinstance(error, DestinationsLeft):
            return LOOK_UP
        if not isinstance(error, CloudError) or error.kind not in (RETRYABLE, ALREADY_EXISTS, BUSY):
            return GIVE_UP
        if error.kind == BUSY:
            # Refused until something else ends (nothing was made): asked again each poll interval, up to the deadline.
            return WAIT
        if error.kind == ALREADY_EXISTS or error.uncertain or not self.adapter.copy_call_is_idempotent:
            return LOOK_UP
        return RESEND

    @staticmethod
    def _record_copies(outcome: RequestOutcome, destinations: list[str], results: Mapping[str, Snapshot | CloudError]) -> dict[str, CloudError | None]:
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
                _fail(outcome, destination, result)
        return unanswered

    def _adopt_found_copies(self, outcome: RequestOutcome, destinations: list[str], action: str) -> list[str]:
        """Look each destination up again; record copies found there. Returns those still missing."""
        still_missing: list[str] = []
        for destination in destinations:
            found = self._find_copies(destination, [outcome.request])
            if not self._take_found_copy(outcome, destination, found.get(outcome.request.source_tag, ()), action):
                still_missing.append(destination)
        return still_missing

    # ------------------------------------------------------------------ a copy is what a read shows
    def _confirm_copies(self, outcomes: list[RequestOutcome]) -> None:
        """Read back each copy this run made: a copy call's answer is no proof. One batched read per region, again each
        poll interval for a copy not shown yet, until UNSEEN_GRACE_SECONDS have passed (Sightings); a copy no read showed
        by then was not made (_refresh fails it). Where the copy call carries a token that the cloud answers with the
        first copy made under it, deleted since or not (ECS), the adapter draws a new token (token_spent) and the call is
        sent once more, at most MAX_TOKEN_ROUNDS times: a deleted DR copy is made again, never reported as made."""
        owners = {id(destination_outcome): outcome for outcome in outcomes for destination_outcome in outcome.destinations.values()}
        rounds = 0
        while True:
            unconfirmed = [destination_outcome for outcome in outcomes if outcome.error is None
                           for destination_outcome in outcome.destinations.values() if self._unconfirmed(destination_outcome)]
            if not unconfirmed:
                return

            def read(group: list[DestinationOutcome] = unconfirmed) -> list[DestinationOutcome]:
                self._refresh([destination_outcome for destination_outcome in group if self._unconfirmed(destination_outcome)], read_back=True)
                return group
            result = poll(read, lambda group: STILL_GOING if any(map(self._unconfirmed, group)) else DONE, cast('float', self.deadline),
                          self.config.poll_interval, sleep=self.sleep, clock=self.clock, max_interval=self.config.max_poll_interval)
            if result.status == TIMEOUT:
                for destination_outcome in unconfirmed:
                    if self._unconfirmed(destination_outcome):
                        destination_outcome.snapshot = _gone(destination_outcome, 'not seen')
            again: list[Job] = []
            for destination_outcome in unconfirmed:
                snapshot = cast('Snapshot', destination_outcome.snapshot)
                outcome = owners[id(destination_outcome)]
                destination = destination_outcome.destination
                if snapshot.cloud_state in GONE and rounds < MAX_TOKEN_ROUNDS and self.adapter.token_spent(outcome.request, destination, snapshot.id):
                    self.warnings.append('the copy call for %s/%s to %s was answered with copy %s, which %s holds no more (deleted '
                                         'since its token was first used): copied again with a new token'
                                         % (outcome.request.source_region, outcome.request.source_id, destination, snapshot.id, destination))
                    destination_outcome.action = destination_outcome.snapshot = None
                    self.sightings.forget(destination_outcome)
                    again.append((outcome, [destination]))
            if not again:
                return
            rounds += 1
            self._copy_jobs(again, outcomes)

    def _unconfirmed(self, destination_outcome: DestinationOutcome) -> bool:
        """Whether ``destination_outcome`` holds a copy this run made that no read has shown, nor taken for gone."""
        snapshot = destination_outcome.snapshot
        return (destination_outcome.action == COPIED and snapshot is not None and snapshot.cloud_state not in GONE
                and not self.sightings.shown(destination_outcome))

    # ------------------------------------------------------------------ waiting
    def _wait_for_copies(self, outcomes: list[RequestOutcome]) -> None:
        # A copy in flight that is not used (it differs from what was asked) is not waited for.
        places = [destination_outcome for outcome in outcomes if outcome.error is None for destination_outcome in outcome.destinations.values()
                  if destination_outcome.snapshot is not None and destination_outcome.snapshot.state == PENDING and destination_outcome.action != NOT_COPIED]
        if not places:
            return

        # Each of ``places`` has its snapshot (one in flight, then its latest), and the run has set the deadline.
        def read() -> list[DestinationOutcome]:
            self._refresh([destination_outcome for destination_outcome in places if cast('Snapshot', destination_outcome.snapshot).state == PENDING])
            return places

        def still_going(group: list[DestinationOutcome]) -> str:
            return STILL_GOING if any(cast('Snapshot', outcome.snapshot).state == PENDING for outcome in group) else DONE
        result = poll(read, still_going, cast('float', self.deadline), self.config.poll_interval, sleep=self.sleep, clock=self.clock,
                      max_interval=self.config.max_poll_interval)
        if result.status == TIMEOUT:
            for destination_outcome in places:
                if cast('Snapshot', destination_outcome.snapshot).state == PENDING:
                    destination_outcome.timed_out = True

    def _refresh(self, places: list[DestinationOutcome], read_back: bool = False) -> None:
        """Read the latest state of these copies, one batched call per region (the adapter's read_back, a read that changes
        nothing, with ``read_back``); a copy the reads no longer show, or never showed (the run's Sightings), has failed.
        Each of ``places`` has its snapshot (one in flight)."""
        read = self.adapter.read_back if read_back else self.adapter.describe
        for region, group in group_by(places, lambda destination_outcome: destination_outcome.destination).items():
            latest = self._call(read, region, sorted({cast('Snapshot', destination_outcome.snapshot).id for destination_outcome in group}))
            for destination_outcome in group:
                snapshot = latest.get(cast('Snapshot', destination_outcome.snapshot).id)
                if snapshot is not None and snapshot.state == DELETING:
                    # Someone is deleting the copy while it is made: it will not become a DR copy.
                    snapshot.state = FAILED
                    snapshot.message = snapshot.message or 'the copy is being deleted (state %s)' % snapshot.cloud_state
                if snapshot is not None:
                    destination_outcome.snapshot = snapshot
                    self.sightings.saw(destination_outcome)
                    continue
                gone = self.sightings.gone(destination_outcome)
                if gone is not None:
                    destination_outcome.snapshot = _gone(destination_outcome, gone)
        self._publish_progress(force=True)


class HoldRunningShort(Exception):
    """This run's hold on a job's source has too little time left to send a copy call under it (CopyEngine._copy_group)."""


class DestinationsLeft(Exception):
    """A copy call answered for some destinations only: ``again`` (its one argument) is {destination: its retryable
    error, or None when the answer said nothing of it}. These are looked up, then copied to again (CopyEngine._copy_group)."""

    @property
    def unanswered(self) -> dict[str, CloudError | None]:
        return cast('dict[str, CloudError | None]', self.args[0])

    @property
    def uncertain(self) -> bool:
        # A destination the answer left out, or whose copy's answer was lost, may have a copy this call made.
        return any(last_error is None or last_error.uncertain for last_error in self.unanswered.values())


# Why a copy that the reads do not show has failed.
GONE = {'vanished': 'the copy disappeared from the destination while being copied',
        'never seen': 'the copy the copy call named never appeared in the destination in %d s: the cloud dropped it (Tencent '
                      'Cloud keeps no failed copy), or answered with an earlier copy deleted since' % UNSEEN_GRACE_SECONDS,
        'not seen': 'no read showed the copy the copy call named before the timeout: it is not counted as made'}


def _gone(destination_outcome: DestinationOutcome, how: str) -> Snapshot:
    """The failed copy that stands for one of ``destination_outcome`` that the reads do not show (``how``: a key of GONE)."""
    return Snapshot(cast('Snapshot', destination_outcome.snapshot).id, destination_outcome.destination, FAILED, cloud_state=how, message=GONE[how])


class Sightings:
    """Which copies the reads have shown. A fresh copy missing from a read is no failure for a while (eventual
    consistency); one shown and then missing has vanished, and one missed for UNSEEN_GRACE_SECONDS without ever
    being shown was dropped (Tencent Cloud keeps no failed copy: one that failed early is never seen at all)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seen: set[int] = set()
        self.missed_since: dict[int, float] = {}

    def saw(self, destination_outcome: DestinationOutcome) -> None:
        self.seen.add(id(destination_outcome))
        self.missed_since.pop(id(destination_outcome), None)

    def forget(self, destination_outcome: DestinationOutcome) -> None:
        """Start over for ``destination_outcome``, which is about to name another copy."""
        self.seen.discard(id(destination_outcome))
        self.missed_since.pop(id(destination_outcome), None)

    def shown(self, destination_outcome: DestinationOutcome) -> bool:
        """Whether a read has shown ``destination_outcome``'s copy."""
        return id(destination_outcome) in self.seen

    def gone(self, destination_outcome: DestinationOutcome) -> str | None:
        """None while ``place`` may still show up; else how it went ('vanished' or 'never seen')."""
        if id(destination_outcome) in self.seen:
            return 'vanished'
        first_missed = self.missed_since.setdefault(id(destination_outcome), self.clock())
        return 'never seen' if self.clock() - first_missed >= UNSEEN_GRACE_SECONDS else None


def default_backoff(sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> Backoff:
    """How a run backs off by default: 1 s, doubling up to 20 s, jittered, at most MAX_ATTEMPTS tries."""
    return Backoff(is_retryable, base_delay=1.0, max_delay=20.0, max_attempts=MAX_ATTEMPTS, sleep=sleep, clock=clock)


def run_retry(adapter: CopyAdapter, retry: CallRetry | PhaseRetry | None = None, backoff: Backoff | None = None,
              sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> CallRetry | PhaseRetry:
    """The run's CallRetry: ``retry`` when given, else the one the adapter's client sends its calls
    through, so that the client, the engine and the DR run retry alike and count together. One without
    a backoff gets ``backoff``, or the default."""
    if retry is None:
        retry = getattr(adapter.client, 'retry', None) or CallRetry()
    if retry.backoff is None:
        retry.backoff = backoff or default_backoff(sleep=sleep, clock=clock)
    return retry


def describe_differences(differences: Mapping[str, Mapping[str, Any]]) -> str:
    """"encrypted (asked True, found False); tags (asked {...}, found {...})" for a user to read."""
    return '; '.join('%s (asked %s, found %s)' % (option, values['asked'], values['found'])
                     for option, values in sorted(differences.items()))


def copy_progress(outcomes: Iterable[RequestOutcome]) -> dict[str, Any]:
    """The copies of a run so far, for its live progress: per destination, how many it has to have ('copies'), how many
    are done (complete, made now or found), found already there, in flight, failed, and not started; and the copy in
    flight least far along (of those whose progress the cloud gives)."""
    regions: dict[str, dict[str, int]] = {}
    in_flight: list[tuple[int, str, str]] = []  # (percent, region, copy id)
    for outcome in outcomes:
        for destination_outcome in list(outcome.destinations.values()):
            counts = regions.setdefault(destination_outcome.destination, dict.fromkeys(
                ('copies', 'done', 'already_there', 'in_flight', 'failed', 'not_started'), 0))
            counts['copies'] += 1
            snapshot = destination_outcome.snapshot
            if destination_outcome.failed or outcome.error is not None:
                counts['failed'] += 1
            elif destination_outcome.action in (None, WOULD_COPY) or snapshot is None:
                counts['not_started'] += 1
            elif snapshot.state == PENDING:
                counts['in_flight'] += 1
                # The adapters give a whole percent; a cloud that gives none (ENS) has no slowest copy to name.
                if isinstance(snapshot.progress, int):
                    in_flight.append((snapshot.progress, destination_outcome.destination, snapshot.id))
            else:
                counts['done'] += 1
                if destination_outcome.action == EXISTING:
                    counts['already_there'] += 1
    slowest = min(in_flight, default=None)
    return {'regions': regions, 'slowest': None if slowest is None else dict(zip(('progress', 'region', 'snapshot_id'), slowest))}


def pick_copy(candidates: Iterable[Snapshot]) -> Snapshot | None:
    """The copy to report among several of one source: a completed one, else one in flight, else a failed one.

    A copy on its way out (DELETING) is no copy: with nothing else there, a new one is made.
    """
    rank = {COMPLETED: 0, PENDING: 1, FAILED: 2}
    ordered = sorted((snapshot for snapshot in candidates if snapshot.state != DELETING),
                     key=lambda snapshot: (rank.get(snapshot.state, 3), snapshot.id or ''))
    return ordered[0] if ordered else None


def _fail(outcome: RequestOutcome, destination: str, error: Exception) -> None:
    destination_outcome = outcome.destinations[destination]
    destination_outcome.action, destination_outcome.error = NOT_COPIED, error


def _fail_all(outcome: RequestOutcome, destinations: Iterable[str], error: Exception) -> None:
    for destination in destinations:
        _fail(outcome, destination, error)


def jobs_that_fit(jobs: Iterable[Job], in_flight: Iterable[DestinationOutcome], limit: int) -> list[Job]:
    """The (outcome, destinations) jobs that may start now, in order: each of a job's destinations has
    fewer than ``limit`` copies in flight, counting ``in_flight`` (places) and the jobs chosen before it."""
    busy: dict[str, int] = {}
    for destination_outcome in in_flight:
        busy[destination_outcome.destination] = busy.get(destination_outcome.destination, 0) + 1
    chosen: list[Job] = []
    for job in jobs:
        if all(busy.get(destination, 0) < limit for destination in job[1]):
            chosen.append(job)
            for destination in job[1]:
                busy[destination] = busy.get(destination, 0) + 1
    return chosen


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """{key: the items with that key, in their order}, the keys in the order first met."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
