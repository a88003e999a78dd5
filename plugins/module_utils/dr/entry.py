# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One disk of a DR run: what the run read, did and found for it (the run fills it in; the report and the drill read it)."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field as dataclass_field
from typing import TYPE_CHECKING, Any

from ..core.model import COMPLETED

if TYPE_CHECKING:
    from ..core.model import Disk, Snapshot
    from ..engine.copy_engine import RequestOutcome


@dataclass(eq=False)  # one disk of the run: two entries are never the same, whatever they hold
class DiskEntry:
    """One disk in a DR run: the snapshot copied, a fresh one if the newest was too old, the copies'
    outcomes, what pruning deleted and kept, and the problems to report. Made from the disk and its
    snapshots (``snapshots``), of which the newest completed one is the source."""

    disk: Disk
    snapshots: InitVar[list[Snapshot]]
    source: Snapshot | None = dataclass_field(init=False, default=None)
    fresh: Snapshot | None = dataclass_field(init=False, default=None)
    # None; 'existing' (one being made is used), 'create', 'would_create', 'created' or 'failed'.
    fresh_action: str | None = dataclass_field(init=False, default=None)
    outcomes: list[RequestOutcome] = dataclass_field(init=False, default_factory=list)
    pruned: list[dict[str, Any]] = dataclass_field(init=False, default_factory=list)
    kept: list[dict[str, Any]] = dataclass_field(init=False, default_factory=list)
    problems: list[str] = dataclass_field(init=False, default_factory=list)
    # {(region, copy id): lock record (dr.lock.lock_record)} of the copies this run uses, with ``lock``.
    locks: dict[tuple[str, str], dict[str, Any]] = dataclass_field(init=False, default_factory=dict)
    # With ``lock``: the older DR copies of the disk that no run had locked (a killed run's), locked by this one.
    other_locks: list[dict[str, Any]] = dataclass_field(init=False, default_factory=list)

    def __post_init__(self, snapshots: list[Snapshot]) -> None:
        completed = sorted((snapshot for snapshot in snapshots if snapshot.state == COMPLETED), key=lambda snapshot: snapshot.age_order())
        self.source = completed[-1] if completed else None

    @property
    def key(self) -> str:
        """'<region>/<disk id>', as DISK_TAG names the disk of a copy."""
        return '%s/%s' % (self.disk.region, self.disk.id)
