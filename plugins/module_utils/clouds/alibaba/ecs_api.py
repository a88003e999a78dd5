# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ECS DR adapter's parts (ecs_locks, ecs_drill, ecs_sets, ecs_vault) call on the adapter
(clouds/alibaba/ecs_dr.py EcsAdapter), which imports them: they know it only as EcsCalls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...dr.capabilities import ShareHolder
from .ecs_dr_account import EcsDrAccount, SnapshotReads

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from ...core.model import Snapshot
    from .client import AlibabaClient


class EcsCalls(ShareHolder, SnapshotReads, Protocol):
    """The adapter's client (the two accounts' router once it has a DR account), its cloud's name and clock, what it read
    of each snapshot's retention, its DR account's share side (None without one), and the calls the parts share with
    it; the run's shares (ShareHolder) are the adapter's."""

    client: AlibabaClient
    cloud: str
    clock: Callable[[], float]
    retention: dict[str, tuple[str | None, int | None]]
    dr: EcsDrAccount | None

    def describe_ids(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """As EcsCopyAdapter.describe_ids does."""

    def listing(
        self, region: str, action: str, params: Mapping[str, Any], items: tuple[str, str], size: int, **fixed: Any
    ) -> Iterator[dict[str, Any]]:
        """As EcsCopyAdapter.listing does."""

    def disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """As EcsAdapter.disk_items does."""

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        """As EcsAdapter.tag_copy does."""
