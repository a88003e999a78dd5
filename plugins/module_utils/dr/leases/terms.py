# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The terms of a run's leases: who holds them, for which DR regions, for how long, by which clock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .copy_leases import CopyLeases
from .lease import Lease, lease_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from .source_tags import SourceTagCalls


@dataclass(frozen=True)
class LeaseTerms:
    """The terms of a run's leases: its id and DR regions, how long each lease it writes holds, its clock (the cloud's
    time now, core.cloud_clock: every run judges every lease by one clock), and where it says what it could not lease
    (the run's warnings). A lease written now holds ``seconds`` from now: a run writes it again while it still needs it,
    and a killed run's lapses within that time."""

    run_id: str
    regions: tuple[str, ...]
    seconds: float
    wall_clock: Callable[[], datetime.datetime]
    warn: Callable[[str], None]
    # How the run makes many calls side by side (a share's permission is a call a snapshot): one after another by
    # default.
    each: Callable[[list[Callable[[], Any]]], list[Any]] = field(default=lambda calls: [call() for call in calls])

    def lease_now(self) -> Lease:
        """The lease to write now."""
        return lease_for(self.run_id, self.wall_clock() + datetime.timedelta(seconds=self.seconds), self.regions)

    def now(self) -> datetime.datetime:
        return self.wall_clock()

    def copy_leases(self, calls: SourceTagCalls) -> CopyLeases:
        """This run's copy leases on the snapshots that ``calls`` tag."""
        return CopyLeases(calls, run_id=self.run_id, wall_clock=self.wall_clock, seconds=self.seconds, warn=self.warn)
