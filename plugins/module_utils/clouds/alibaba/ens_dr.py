# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ENS (edge nodes): the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter
(clouds/alibaba/ens.py, which says how copies are found and told from other people's by their description's marker) with
the DR run's capabilities (dr/capabilities.py): a node's disks and their snapshots, pruning and the restore drill with its
drill host (DescribeInstances, AttachDisk, DetachDisk; an instance and its disks are on one node, which is all the zone
ENS has). No dr_account (clouds/registry.py says why ENS refuses it) and no locks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ...core.errors import INVALID, NOT_FOUND, RETRYABLE, CloudError
from ...core.model import (
    ATTACHED,
    ATTACHING,
    COMPLETED,
    DELETING,
    DETACHING,
    PENDING,
    USABLE,
    Disk,
    DrillDisk,
    DrillHost,
    Snapshot,
)
from ...core.paging import numbered_pages
from ...core.tagging import RESTORE_RUN_TAG, SOURCE_TAG, marked_description, numbered_tags, tag_dict
from ...dr.capabilities import CompletedSnapshotsAdapter, DrAdapter, DrillHostAdapter, RestoreDrillAdapter
from .answers import listed, snapshots_by_disk, tagged_disks
from .ens import MAX_DESCRIPTION, EnsCopyAdapter, size_gib

# DescribeDisks' PageSize: "Maximum value: 50" (ens-20171110 DescribeDisksRequest).
DISK_PAGE_SIZE = 50
# A disk's Status (ens-20171110 DescribeDisksRequest.Status); attached, or being attached or detached, it was usable.
DISK_STATE_MAP: dict[str | None, str] = {
    'Creating': PENDING,
    'ReIniting': PENDING,
    'Available': USABLE,
    'In-use': USABLE,
    'In_use': USABLE,
    'Attaching': USABLE,
    'Detaching': USABLE,
    'Expiring': USABLE,
    'Deleting': DELETING,
    'Deleted': DELETING,
}
# A disk's Status while an instance has it (ens-20171110 DescribeDisksRequest.Status: In-use, Attaching, Detaching).
ATTACHMENT_MAP = {'Attaching': ATTACHING, 'In-use': ATTACHED, 'In_use': ATTACHED, 'Detaching': DETACHING}
# The Status of an instance that runs (ens-20171110 DescribeInstancesRequest.Status: Running, Stopped, Expired).
INSTANCE_RUNNING = 'Running'
# The code of an instance ENS does not hold (unverifiable: ENS documents none; ECS's).
INSTANCE_NOT_FOUND = 'InvalidInstanceId.NotFound'
# The cloud disk categories ENS's CreateDisk makes (ens-20171110 DescribeDisksRequest.Category: the local ones
# come with an instance), and the smallest size asked for: 20 GiB (ENS CreateDisk reference; unverifiable in the model).
DISK_MINIMUM_GIB = {'cloud_efficiency': 20, 'cloud_ssd': 20}


class EnsAdapter(EnsCopyAdapter, DrAdapter, RestoreDrillAdapter, CompletedSnapshotsAdapter, DrillHostAdapter):
    # DescribeSnapshots answers SourceSnapshotId and SourceEnsRegionId (ens 2017-11-10 model).
    records_copy_source = True
    # The restore drill: the ultra disk is ENS's cheapest cloud disk; it is made on the node, no zone.
    restore_disk_type = 'cloud_efficiency'
    restore_disk_types = tuple(DISK_MINIMUM_GIB)
    restore_needs_zone = False
    create_disk_call_is_idempotent = False  # ENS's CreateDisk takes no ClientToken

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        # ENS's DescribeDisks has no tag filter: the node's disks are filtered here.
        return tagged_disks(
            self._disk_items(region, {}),
            tag_selector,
            lambda item, tags: Disk(
                item['DiskId'],
                item.get('EnsRegionId') or region,
                name=item.get('DiskName') or None,
                size=size_gib(item.get('Size')),
                tags=tags,
                instance_id=item.get('InstanceId') or None,
            ),
        )

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        return snapshots_by_disk(lambda filters: self._describe(region, filters), disks)

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # One paged listing of the node; the state is read here.
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe(region, {})
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self,
        region: str,
        disk: Disk,
        name: str | None,
        description: str | None,  # pylint: disable=unused-argument
        tags: Mapping[str, str] | None,
    ) -> Snapshot:
        # ENS's CreateSnapshot takes no tags; the DR run recognises its snapshots without them.
        answer = self.client.call(
            'CreateSnapshot',
            {'EnsRegionId': region, 'DiskId': disk.id, 'SnapshotName': name, 'Description': description},
            region,
        )
        # The new id comes as a list, SnapShotId (ens-20171110 CreateSnapshotResponseBody).
        made = answer.get('SnapShotId')
        snapshot_id = made[0] if isinstance(made, list) and made else made
        if not snapshot_id or not isinstance(snapshot_id, str):
            raise CloudError(
                'CreateSnapshot',
                'InvalidResponse',
                'the answer names no snapshot (SnapShotId is %r); the '
                'snapshot may have been made: look for it on node %s before trying again' % (made, region),
                request_id=answer.get('RequestId'),
                kind=INVALID,
                region=region,
            )
        return Snapshot(
            snapshot_id,
            region,
            PENDING,
            cloud_state='creating',
            volume_id=disk.id,
            name=name,
            description=description,
            size=disk.size,
            created=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        )

    def list_copies(self, destination: str) -> list[Snapshot]:
        """The copies on the node whose marker names the source that ENS's link names: a copy someone else
        made, without our marker, is never returned, so never pruned."""
        return [
            snapshot
            for snapshot in self._describe(destination, {})
            if snapshot.source_id is not None and _marker_agrees_with_link(snapshot)
        ]

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('DeleteSnapshot', {'SnapshotId': snapshot_id}, region)

    # ------------------------------------------------------------------ for the restore drill
    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        # A test disk is made on the node itself (restore_needs_zone): there is no zone to choose.
        return []

    # pylint: disable-next=too-many-arguments
    def create_test_disk(
        self,
        region: str,
        zone: str | None,
        copy: Snapshot,
        disk_type: str,  # pylint: disable=unused-argument
        name: str,
        tags: Mapping[str, str],
        token: str,
    ) -> DrillDisk:
        # Size is text in GiB (ens-20171110 CreateDiskRequest): the copy's size, or the category's smallest.
        size = max(DISK_MINIMUM_GIB[disk_type], copy.size or 0)
        params = {
            'EnsRegionId': region,
            'Category': disk_type,
            'Size': str(size),
            'SnapshotId': copy.id,
            'InstanceChargeType': 'PostPaid',
            'DiskName': name,
        }
        params.update(numbered_tags(tags))
        answer = self.client.call('CreateDisk', params, region)
        made = answer.get('InstanceIds')
        disk_id = made[0] if isinstance(made, list) and made else made
        if not disk_id or not isinstance(disk_id, str):
            # The disk may have been made: the drill looks for it by its tags before asking again.
            raise CloudError(
                'CreateDisk',
                'InvalidResponse',
                'the answer names no disk (InstanceIds is %r)' % (made,),
                request_id=answer.get('RequestId'),
                kind=RETRYABLE,
                uncertain=True,
                region=region,
            )
        return DrillDisk(
            disk_id, region, PENDING, cloud_state='Creating', name=name, tags=dict(tags), snapshot_id=copy.id, size=size
        )

    def describe_test_disks(self, region: str, disk_ids: Sequence[str]) -> dict[str, DrillDisk]:
        found: dict[str, DrillDisk] = {}
        for start in range(0, len(disk_ids), DISK_PAGE_SIZE):
            found.update(
                (disk.id, disk)
                for disk in self._disks(region, {'DiskIds': json.dumps(list(disk_ids[start : start + DISK_PAGE_SIZE]))})
            )
        return found

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        # DescribeDisks has no tag filter: the node's disks are read and filtered here.
        return [disk for disk in self._disks(region, {}) if disk.tags.get(RESTORE_RUN_TAG)]

    def _disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeDisks item on the node that ``params`` select, all pages."""
        return numbered_pages(
            lambda page: self.client.call('DescribeDisks', dict(page, EnsRegionId=region), region),
            params,
            lambda answer: listed(answer, 'Disks', 'Disks'),
            DISK_PAGE_SIZE,
        )

    def _disks(self, region: str, params: Mapping[str, Any]) -> list[DrillDisk]:
        return [
            DrillDisk(
                item['DiskId'],
                item.get('EnsRegionId') or region,
                DISK_STATE_MAP.get(item.get('Status'), PENDING),
                cloud_state=item.get('Status'),
                name=item.get('DiskName') or None,
                tags=tag_dict(item.get('Tags')),
                created=item.get('CreationTime'),
                snapshot_id=item.get('SnapshotId') or None,
                size=size_gib(item.get('Size')),
                # No device name: ENS's DescribeDisks has none (ens-20171110 DescribeDisksResponseBodyDisksDisks).
                attached_to=item.get('InstanceId') or None,
                attachment=ATTACHMENT_MAP.get(item.get('Status') or ''),
            )
            for item in self._disk_items(region, params)
        ]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.client.call('DeleteDisk', {'DiskId': disk_id}, region)

    # ------------------------------------------------------------------ the drill host (restore_test_validate)
    def drill_host(self, region: str, instance_id: str) -> DrillHost:
        # The node filters too: an instance on another node is not this node's host. An id ENS does not hold is left
        # out of the answer. No zone: the node is the zone (test disks are made on the node, restore_needs_zone).
        answer = self.client.call(
            'DescribeInstances', {'EnsRegionId': region, 'InstanceIds': json.dumps([instance_id])}, region
        )
        found = [item for item in listed(answer, 'Instances', 'Instance') if item.get('InstanceId') == instance_id]
        if not found:
            raise CloudError(
                'DescribeInstances',
                INSTANCE_NOT_FOUND,
                'no instance %s on node %s' % (instance_id, region),
                request_id=answer.get('RequestId'),
                kind=NOT_FOUND,
                region=region,
            )
        status = str(found[0].get('Status') or '')
        return DrillHost(
            instance_id,
            found[0].get('EnsRegionId') or region,
            None,
            status == INSTANCE_RUNNING,
            status,
            name=found[0].get('InstanceName') or None,
        )

    def attach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment_call('AttachDisk', region, disk_id, instance_id)

    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment_call('DetachDisk', region, disk_id, instance_id)

    def _attachment_call(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        try:
            self.client.call(action, {'InstanceId': instance_id, 'DiskId': disk_id}, region)
        except CloudError as error:
            if error.code == INSTANCE_NOT_FOUND:  # as drill_host says a missing instance
                error.kind = NOT_FOUND
            raise

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        # ENS snapshots carry no tags: the marks go into the description's marker, beside the copy's source.
        description = marked_description(copy.description, dict(copy.tags, **tags))
        if len(description) > MAX_DESCRIPTION:
            raise CloudError(
                'ModifySnapshotAttribute',
                'DescriptionTooLong',
                'the description of %s has no room for the mark '
                '(ENS allows %d characters)' % (copy.id, MAX_DESCRIPTION),
                kind=INVALID,
                region=copy.region,
            )
        self.client.call('ModifySnapshotAttribute', {'SnapshotId': copy.id, 'Description': description}, copy.region)

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # ENS keeps no tags on snapshots (its tag API takes instances only; copy_tag_rules is None): no copy tag is ever
        # on an ENS copy, so the DR run never asks, and there is nothing to take off and no call.
        return {}


def _marker_agrees_with_link(snapshot: Snapshot) -> bool:
    """True when the snapshot's marker names the source that ENS's own link names."""
    region, dummy, source_id = (snapshot.tags.get(SOURCE_TAG) or '').rpartition('/')
    return bool(region) and source_id == snapshot.source_id and snapshot.source_region in (None, region)
