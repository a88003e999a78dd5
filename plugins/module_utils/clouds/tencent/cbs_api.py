# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the CBS DR adapter (clouds.tencent.cbs_dr) and its DR account (clouds.tencent.cbs_dr_account) both know of CBS:
the API's limits they share, and the calls of the adapter that the DR account makes (CbsCalls). The adapter holds its DR
account and imports it; the DR account knows the adapter only as CbsCalls, so neither reaches into the other's file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .cbs_disks import CbsPartCalls

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.dr_model import Disk
    from ...core.model import CopyRequest, Snapshot
    from .cbs_disks import CbsDrill
    from .client import TencentClient

# Snapshot.SnapshotType of a snapshot another account shared with the caller (DescribeSnapshotsRequest.Filters,
# snapshot-type).
SHARED_SNAPSHOT = 'SHARED_SNAPSHOT'
# DescribeSnapshots' disk-id filter takes at most 10 values (API reference, DescribeSnapshots).
DISK_IDS_PER_FILTER = 10


class CbsCalls(CbsPartCalls, Protocol):
    """The CBS adapter's calls that its DR account makes (each documented where CbsAdapter writes it)."""

    check_mode: bool
    staging_client: TencentClient
    #: The disks made from copies (the restore drill's part), which the DR account's bridge disks are made with too.
    drill: CbsDrill

    def list_snapshots(
        self, region: str, filters: Sequence[Mapping[str, Any]], client: TencentClient | None = None
    ) -> dict[str, dict[str, Any]]:
        """As CbsAdapter.list_snapshots does."""

    def describe_with(self, client: TencentClient, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        """As CbsAdapter.describe_with does."""

    def find_copies_with(
        self, client: TencentClient, destination: str, requests: Sequence[CopyRequest]
    ) -> dict[str, list[Snapshot]]:
        """As CbsAdapter.find_copies_with does."""

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        """As CbsAdapter.snapshot does."""

    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: dict[str, str] | None
    ) -> Snapshot:
        """As CbsAdapter.create_snapshot does."""

    def tag_staged(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """As CbsAdapter.tag_staged does."""
