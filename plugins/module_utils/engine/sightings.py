# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which copies of a run the cloud's reads have shown: a copy counts once a read shows it, and one that no read shows
(or no longer shows) has failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.model import FAILED, Snapshot
from .outcomes import COPIED

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.model import CopyRequest
    from .outcomes import DestinationOutcome

# How long a copy this run made may stay invisible to reads (eventual consistency) before it counts as gone: Tencent
# Cloud keeps no failed copy, it drops it (tencentcloud-sdk-python-cbs models: Snapshot.SnapshotState documents no
# failed state), so a copy that failed early is never seen at all; ECS answers a ClientToken it has seen with its first
# answer, the id of a copy that may have been deleted since (ECS "How to ensure idempotence": the same result, no
# change).
UNSEEN_GRACE_SECONDS = 120


# Why a copy that the reads do not show has failed.
GONE = {
    'vanished': 'the copy disappeared from the destination while being copied',
    'never seen': 'the copy the copy call named never appeared in the destination in %d s: the cloud dropped it (Tencent '
    'Cloud keeps no failed copy), or answered with an earlier copy deleted since' % UNSEEN_GRACE_SECONDS,
    'not seen': 'no read showed the copy the copy call named before the timeout: it is not counted as made',
}


def mark_gone(destination_outcome: DestinationOutcome, how: str) -> None:
    """Fail the copy of ``destination_outcome`` that the reads do not show (``how``: a key of GONE): a failed copy
    stands for it, which the cloud does not keep."""
    destination_outcome.snapshot = Snapshot(
        destination_outcome.copy.id,
        destination_outcome.destination,
        FAILED,
        cloud_state=how,
        message=GONE[how],
    )
    destination_outcome.gone = True


class Sightings:
    """Which copies the reads have shown. A fresh copy missing from a read is no failure for a while (eventual
    consistency); one shown and then missing has vanished, and one missed for UNSEEN_GRACE_SECONDS without ever
    being shown was dropped (Tencent Cloud keeps no failed copy: one that failed early is never seen at all)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seen: set[int] = set()
        self.missed_since: dict[int, float] = {}

    def unconfirmed(self, destination_outcome: DestinationOutcome) -> bool:
        """Whether ``destination_outcome`` holds a copy this run made that no read has shown, nor taken for gone."""
        snapshot = destination_outcome.snapshot
        return (
            destination_outcome.action == COPIED
            and snapshot is not None
            and snapshot.cloud_state not in GONE
            and not self.shown(destination_outcome)
        )

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


def token_spent_warning(request: CopyRequest, destination: str, copy_id: str) -> str:
    """What the run warns of when the copy call of ``request`` was answered with ``copy_id``, which ``destination``
    holds no more, and the call is sent again with a new token (CopyAdapter.token_spent)."""
    return (
        'the copy call for %s/%s to %s was answered with copy %s, which %s holds no more (deleted since its token was '
        'first used): copied again with a new token'
        % (request.source_region, request.source_id, destination, copy_id, destination)
    )
