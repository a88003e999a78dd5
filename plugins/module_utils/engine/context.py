# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the parts of a copy run (sources, rounds, reads) use of the run they are part of: the engine, as they see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from .capabilities import CopyAdapter
    from .leases import Leases
    from .outcomes import EngineConfig, Job
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
    deadline: float | None

    def call(self, method: Callable[..., T], *args: Any) -> T:
        """``method(*args)``, retried as the run retries its calls, until its deadline."""

    def publish_progress(self, force: bool = False) -> None:
        """Tell the run's live progress of its copies, when due (or ``force``)."""

    def look_for_copies(self, jobs: list[Job]) -> list[Job]:
        """Look for copies of ``jobs``' sources in their destinations; the jobs with the destinations still to copy to."""

    def run_jobs(self, jobs: list[Job]) -> list[Job]:
        """Send the copy calls of ``jobs``; the jobs deferred because their leases ran short."""
