# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the parts of a copy run (sources, copy calls, rounds, reads) use of the run they are part of: the engine, as
they see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..core.model import CopyRequest, Snapshot
    from ..core.retry import PhaseRetry
    from .capabilities import CopyAdapter
    from .leases import Leases
    from .outcomes import DestinationOutcome, EngineConfig, Job, RequestOutcome
    from .sightings import Sightings

T = TypeVar('T')


class EngineRun(Protocol):
    """One run of the copy engine (engine.copy_engine.CopyEngine)."""

    adapter: CopyAdapter
    config: EngineConfig
    leases: Leases | None
    sightings: Sightings
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    deadline: float
    calls: PhaseRetry

    def call(self, method: Callable[..., T], *args: Any) -> T:
        """``method(*args)``, retried as the run retries its calls, until its deadline."""

    def publish_progress(self, force: bool = False) -> None:
        """Tell the run's live progress of its copies, when due (or ``force``)."""

    def find_copies(self, destination: str, requests: list[CopyRequest]) -> dict[str, list[Snapshot]]:
        """The copies of ``requests``' sources found in ``destination``, completed outside check mode."""

    def take_found_copy(
        self, outcome: RequestOutcome, destination: str, candidates: Sequence[Snapshot], action: str
    ) -> bool:
        """Record at ``destination`` the copy found among ``candidates`` as the request asks (or as on_mismatch lets);
        whether the destination is settled."""

    def look_for_copies(self, jobs: list[Job]) -> list[Job]:
        """Look for copies of ``jobs``' sources in their destinations; the jobs with the destinations still to copy
        to."""

    def run_jobs(self, jobs: list[Job]) -> list[Job]:
        """Send the copy calls of ``jobs``; the jobs deferred because their leases ran short."""


class RoundsRun(Protocol):
    """One run of copy calls in rounds (engine.rounds.CopyRounds, made for its jobs)."""

    def run(self) -> None:
        """Send the jobs' copy calls in rounds, under the run's leases and in-flight cap."""


class Rounds(Protocol):
    """engine.rounds.CopyRounds as CopyEngine makes it. The DR run gives it to the engine (dr.phases.copy) rather than
    the engine importing it: Ansible's packer follows every import, and a copy module, whose run takes no leases and no
    cap, would carry it for nothing (issue 63; tests/unit/test_copy_payload.py)."""

    def __call__(self, engine: EngineRun, *, jobs: list[Job], in_flight: list[DestinationOutcome]) -> RoundsRun:
        """The rounds of ``jobs``, counting ``in_flight`` against the cap."""
