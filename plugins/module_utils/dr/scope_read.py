# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read of a DR scope's source region: the disks its selector takes and their snapshots, in one batch. The DR run's
read step (dr.phases.read.read_disks) and dr_posture_info's (dr.posture.PostureRead) both read through it, so that
both see a scope, and tell a copy's source to its disk and its time, alike."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .coverage import scope_disks

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..core.dr_model import Disk
    from ..core.model import Snapshot
    from .capabilities import DrAdapter
    from .coverage import Coverage
    from .settings import DrSettings


@dataclass(frozen=True)
class ScopeRead:
    """The disks read (``taken``: all that the selector takes; ``disks``: those the reader looks after, by id), the
    coverage of the region's others (None when not read: dr.coverage.scope_disks), and each disk's snapshots by disk
    id."""

    region: str
    taken: tuple[Disk, ...] = ()
    disks: tuple[Disk, ...] = ()
    coverage: Coverage | None = None
    snapshots: Mapping[str, Sequence[Snapshot]] = dataclasses.field(default_factory=dict)

    @property
    def sources(self) -> dict[str, Snapshot]:
        """{'<region>/<snapshot id>': snapshot} of every snapshot read: what a copy's SOURCE_TAG names."""
        return {
            '%s/%s' % (self.region, snapshot.id): snapshot
            for disk_snapshots in self.snapshots.values()
            for snapshot in disk_snapshots
        }

    @property
    def source_disks(self) -> dict[str, str]:
        """{'<region>/<snapshot id>': disk key} of every snapshot read: what tells a copy's source to its disk."""
        return {
            '%s/%s' % (self.region, snapshot.id): '%s/%s' % (self.region, disk_id)
            for disk_id, disk_snapshots in self.snapshots.items()
            for snapshot in disk_snapshots
        }

    @property
    def source_times(self) -> dict[str, str | None]:
        """{'<region>/<snapshot id>': when it was taken}: the recovery point of a copy of it (dr.points)."""
        return {key: snapshot.created for key, snapshot in self.sources.items()}


def read_scope(
    call: Callable[..., Any],
    adapter: DrAdapter,
    settings: DrSettings,
    *,
    looked_after: Callable[[list[Disk]], list[Disk]] | None = None,
) -> ScopeRead:
    """The scope's disks (dr.coverage.scope_disks), of which ``looked_after`` (all of them without) chooses those whose
    snapshots are read, in one batch; each call through ``call`` (the reader's retries, and its count)."""
    region = settings.source_region
    taken, coverage = scope_disks(lambda where, selector: call(adapter.find_disks, where, selector), settings)
    disks = looked_after(taken) if looked_after is not None else taken
    snapshots = call(adapter.disk_snapshots, region, disks) if disks else {}
    return ScopeRead(region, tuple(taken), tuple(disks), coverage, snapshots)
