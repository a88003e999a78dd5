# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the copy engine reports: one DestinationOutcome per destination of a request, gathered in its RequestOutcome,
and what a run is asked to do (EngineConfig)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import INVALID, CloudError
from ..core.model import COMPLETED, DELETING, FAILED, PENDING, Snapshot

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Optional  # an alias is evaluated: `X | None` is 3.10+

    from ..core.model import CopyRequest

    # One copy call to make: a request's outcome and the destinations the call serves.
    Job = tuple['RequestOutcome', list[str]]
    # The DR run's look at what each destination holds, given the (request, destination) pairs left to copy: for each,
    # the newer point's copy that stands there and that point, or None (copy as asked).
    NewerHeld = Callable[[Sequence[tuple[CopyRequest, str]]], Sequence[Optional[tuple[Snapshot, Optional[str]]]]]

# What to do with a copy found that differs from what was asked (the on_mismatch option).
MISMATCH_FAIL = 'fail'  # fail that destination, saying what differs; nothing is copied
MISMATCH_WARN = 'warn'  # use the copy found, with a warning that says what differs
MISMATCH_NEW_COPY = 'new_copy'  # make a copy as asked; the one found stays (for pruning or deletion)
MISMATCH_CHOICES = (MISMATCH_FAIL, MISMATCH_WARN, MISMATCH_NEW_COPY)

# What happened at one destination.
EXISTING = 'existing'  # a copy was already there (done or in flight): nothing made
COPIED = 'copied'  # this run made the copy
WOULD_COPY = 'would_copy'  # check mode: a real run would make a copy here
NOT_COPIED = 'not_copied'  # the copy could not be made, or an earlier copy failed
# The DR run: the destination holds a good copy of a newer recovery point of the disk (its source since deleted), so a
# copy of this older one would add nothing but cost (dr.points); the snapshot is that newer copy.
NEWER_HELD = 'newer_held'


@dataclass(eq=False)  # one destination of one request: two are never the same, whatever they hold
class DestinationOutcome:
    """The result at one destination of one request."""

    destination: str
    action: str | None = None
    snapshot: Snapshot | None = None
    error: Exception | None = None
    timed_out: bool = False
    # The copy failed without the cloud keeping it (it vanished, never showed, or is being deleted): the next run finds
    # no failed copy to stop at, so it copies again, and there is nothing to delete.
    gone: bool = False
    # A copy found that differs from what was asked: {'snapshot_id', 'differences'} (see copy_mismatches).
    mismatch: dict[str, Any] | None = None
    # With NEWER_HELD: the recovery point (when its source was taken) of the newer copy that stands here.
    recovery_point: str | None = None

    @property
    def copy(self) -> Snapshot:
        """The copy this destination holds, where it must hold one (in flight, timed out, read back): a bug of ours to
        ask before."""
        if self.snapshot is None:
            raise RuntimeError('no copy at %s yet' % self.destination)
        return self.snapshot

    @property
    def changed(self) -> bool:
        return self.action in (COPIED, WOULD_COPY)

    @property
    def failed(self) -> bool:
        if self.action == NOT_COPIED or self.timed_out:
            return True
        return self.snapshot is not None and self.snapshot.state == FAILED

    @property
    def of_source(self) -> bool:
        """Whether this destination holds a copy of the request's own source (made, found, or in check mode planned):
        not a failure, and not a newer point's copy that stands in for it."""
        if self.action in (NOT_COPIED, NEWER_HELD):
            return False
        return self.snapshot is not None or self.action == WOULD_COPY

    def failure(self) -> str | None:
        """A sentence saying why this destination failed, or None."""
        if self.error is not None:
            return '%s: %s' % (self.destination, self.error)
        if self.snapshot is not None and self.snapshot.state == FAILED:
            earlier = 'an earlier copy' if self.action == EXISTING else 'the copy'
            reason = self.snapshot.message or 'no reason given by the cloud'
            if self.gone:
                then = 'It is no copy: the next run uses it if a read then shows it completed, else makes a new copy'
            else:
                then = 'It is not replaced automatically: delete it, then run again to make a new copy'
            return '%s: %s %s is in state %s: %s. %s' % (
                self.destination,
                earlier,
                self.snapshot.id,
                self.snapshot.cloud_state,
                reason,
                then,
            )
        if self.timed_out:
            snapshot = self.copy  # what timed out is a copy in flight
            return '%s: copy %s is still %s (%s%%) at the timeout; a rerun adopts it instead of copying again' % (
                self.destination,
                snapshot.id,
                snapshot.cloud_state,
                snapshot.progress if snapshot.progress is not None else '?',
            )
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
        if self.action == NEWER_HELD:
            result['recovery_point'] = self.recovery_point
        if self.error is not None:
            result['error'] = (
                self.error.as_result() if isinstance(self.error, CloudError) else {'message': str(self.error)}
            )
        return result


class RequestOutcome:
    """The result of one CopyRequest: its source and one DestinationOutcome per destination."""

    def __init__(self, request: CopyRequest) -> None:
        self.request = request
        self.source: Snapshot | None = None
        self.error: CloudError | None = None
        self.destinations = {destination: DestinationOutcome(destination) for destination in request.destinations}

    @property
    def read_source(self) -> Snapshot:
        """The source as read, where it must have been (its copies are planned): a bug of ours to ask before."""
        if self.source is None:
            raise RuntimeError('the source %s was not read' % self.request.source_id)
        return self.source

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


def differing_copy(copy_id: str, destination: str, differences: Mapping[str, Mapping[str, Any]]) -> str:
    """The words for the copy ``copy_id`` found in ``destination`` that differs from what was asked."""
    return 'the copy %s found in %s differs from what was asked: %s' % (
        copy_id,
        destination,
        describe_differences(differences),
    )


def differing_copy_refusal(text: str, destination: str) -> CloudError:
    """The failure of a destination whose copy found differs (``text``, differing_copy) with on_mismatch: fail."""
    return CloudError(
        'CopySnapshot',
        'ExistingCopyDiffers',
        '%s. It is not used: set on_mismatch: new_copy to make a copy as asked (the one found stays, for pruning or '
        'deletion), or on_mismatch: warn to use it as it is' % text,
        kind=INVALID,
        region=destination,
    )


def describe_differences(differences: Mapping[str, Mapping[str, Any]]) -> str:
    """ "encrypted (asked True, found False); tags (asked {...}, found {...})" for a user to read."""
    return '; '.join(
        '%s (asked %s, found %s)' % (option, values['asked'], values['found'])
        for option, values in sorted(differences.items())
    )


def copy_progress(outcomes: Iterable[RequestOutcome]) -> dict[str, Any]:
    """The copies of a run so far, for its live progress: per destination, how many it has to have ('copies'), how many
    are done (complete, made now or found), found already there, in flight, failed, and not started; and the copy in
    flight least far along (of those whose progress the cloud gives)."""
    regions: dict[str, dict[str, int]] = {}
    in_flight: list[tuple[int, str, str]] = []  # (percent, region, copy id)
    for outcome in outcomes:
        for destination_outcome in list(outcome.destinations.values()):
            counts = regions.setdefault(
                destination_outcome.destination,
                dict.fromkeys(('copies', 'done', 'already_there', 'in_flight', 'failed', 'not_started'), 0),
            )
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
    return {
        'regions': regions,
        'slowest': None if slowest is None else dict(zip(('progress', 'region', 'snapshot_id'), slowest)),
    }


def pick_copy(candidates: Iterable[Snapshot]) -> Snapshot | None:
    """The copy to report among several of one source: a completed one, else one in flight, else a failed one.

    A copy on its way out (DELETING) is no copy: with nothing else there, a new one is made.
    """
    rank = {COMPLETED: 0, PENDING: 1, FAILED: 2}
    ordered = sorted(
        (snapshot for snapshot in candidates if snapshot.state != DELETING),
        key=lambda snapshot: (rank.get(snapshot.state, 3), snapshot.id or ''),
    )
    return ordered[0] if ordered else None


def fail_destination(outcome: RequestOutcome, destination: str, error: Exception) -> None:
    destination_outcome = outcome.destinations[destination]
    destination_outcome.action, destination_outcome.error = NOT_COPIED, error


def fail_destinations(outcome: RequestOutcome, destinations: Iterable[str], error: Exception) -> None:
    for destination in destinations:
        fail_destination(outcome, destination, error)
