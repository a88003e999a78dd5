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
    from .outcomes import EngineConfig, Job, RequestOutcome
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
