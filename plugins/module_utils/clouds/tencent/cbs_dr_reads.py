# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the DR account's steps read of CBS (cbs_dr_account): the DR account's copies, the source account's staged
copies, and the DR account's bridge disks, in a DR region. Reads only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.tagging import COPY_TAG, DISK_TAG, SOURCE_TAG, STAGED_FROM_TAG, tag_dict
from .cbs_api import DISK_IDS_PER_FILTER, SHARED_SNAPSHOT
from .cbs_disks import cbs_disk

if TYPE_CHECKING:
    from ...core.dr_model import DrillDisk
    from ...core.model import Snapshot
    from .cbs_api import CbsCalls
    from .client import TencentClient


def bridge_name(staged_id: str) -> str:
    return 'snapcopy-bridge-%s' % staged_id


class CbsDrReads:
    """The reads of a CbsDrAccount, in both accounts: ``client`` is the DR account's, the adapter's staging_client the
    source account's."""

    def __init__(self, adapter: CbsCalls, *, client: TencentClient) -> None:
        self.adapter = adapter
        self.source = adapter.staging_client
        self.client = client

    def dr_copies(self, region: str) -> list[dict[str, Any]]:
        """The DR account's own snapshots in ``region`` that carry our source tag (not those shared with it)."""
        items = self.adapter.list_snapshots(region, [], self.client)
        return [
            item
            for item in items.values()
            if item.get('SnapshotType') != SHARED_SNAPSHOT and SOURCE_TAG in tag_dict(item.get('Tags'))
        ]

    def bridge_disks(self, region: str) -> dict[str, list[DrillDisk]]:
        """{staged copy id: the DR account's bridge disks of it} in ``region``, returned ones (TORECYCLE) too (a
        listing: see release_share)."""
        return self._bridges(region, [{'Name': 'tag-key', 'Values': [STAGED_FROM_TAG]}])

    def bridges_of(self, region: str, staged_id: str) -> list[DrillDisk]:
        """The bridge disks of ``staged_id``, exactly (DescribeDisks' tag:<key> filter): a listing of many may skip one
        as disks are made."""
        return self._bridges(region, [{'Name': 'tag:' + STAGED_FROM_TAG, 'Values': [staged_id]}]).get(staged_id, [])

    def _bridges(self, region: str, filters: list[dict[str, Any]]) -> dict[str, list[DrillDisk]]:
        items = self.adapter.list_pages(region, 'DescribeDisks', 'DiskSet', 'DiskId', filters, client=self.client)
        disks: dict[str, list[DrillDisk]] = {}
        for item in items.values():
            disk = cbs_disk(item, region)
            staged_id = disk.tags.get(STAGED_FROM_TAG) or ''
            # Our tag and our name: a person's disk, whatever else it carries, is never taken for a bridge (nor
            # terminated).
            if disk.name == bridge_name(staged_id):
                disks.setdefault(staged_id, []).append(disk)
        return disks

    def made_from(self, region: str, staged_id: str, disk_ids: set[str]) -> Snapshot | None:
        """The DR copy made from one of these bridge disks of ``staged_id``, read exactly (DescribeSnapshots' disk-id
        filter)."""
        bridges = sorted(disk_ids)[:DISK_IDS_PER_FILTER]
        items = self.adapter.list_snapshots(region, [{'Name': 'disk-id', 'Values': bridges}], self.client)
        made = [item for item in items.values() if tag_dict(item.get('Tags')).get(STAGED_FROM_TAG) == staged_id]
        return self.adapter.snapshot(made[0], region) if made else None

    def finals(self, region: str) -> dict[str | None, Snapshot]:
        """{staged copy id: the DR account's copy made from it} in ``region``."""
        return {
            tag_dict(item.get('Tags')).get(STAGED_FROM_TAG): self.adapter.snapshot(item, region)
            for item in self.dr_copies(region)
        }

    def staged_copies(self, region: str) -> list[Snapshot]:
        """The source account's copies in ``region`` that a DR run staged: ours (a DR run's tags, and no COPY_TAG naming
        another snapshot), not a snapshot shared with it."""
        copies = []
        for item in self.adapter.list_snapshots(region, [], self.source).values():
            tags = tag_dict(item.get('Tags'))
            if (
                item.get('SnapshotType') != SHARED_SNAPSHOT
                and SOURCE_TAG in tags
                and DISK_TAG in tags
                and tags.get(COPY_TAG) in (None, item['SnapshotId'])
            ):
                copies.append(self.adapter.snapshot(item, region))
        return copies
