# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ENS (edge nodes): the DR adapter's restore drill part (dr/capabilities.py RestoreDrillAdapter, and
DrillHostAdapter: DescribeInstances, AttachDisk, DetachDisk; an instance and its disks are on one node, which is all the
zone ENS has)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ...core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE, DrillDisk, DrillHost
from ...core.model import DELETING, PENDING, Snapshot
from ...core.tagging import RESTORE_RUN_TAG, numbered_tags, tag_dict
from ...dr.drill_parts import ListedHostDrill, no_disk_named
from .answers import listed
from .ens import size_gib

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .client import AlibabaClient

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


class EnsCalls(Protocol):
    """What the drill part calls on the ENS adapter (clouds/alibaba/ens_dr.py EnsAdapter), which imports this file."""

    client: AlibabaClient
    cloud: str
    region_word: str

    def disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """As EnsAdapter.disk_items does."""

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        """As EnsAdapter.tag_copy does."""


class EnsDrill(ListedHostDrill):
    """The restore drill on ENS: the ultra disk is ENS's cheapest cloud disk; it is made on the node, no zone."""

    restore_disk_type = 'cloud_efficiency'
    restore_disk_types = tuple(DISK_MINIMUM_GIB)
    restore_needs_zone = False
    create_disk_call_is_idempotent = False  # ENS's CreateDisk takes no ClientToken
    attach_call = 'AttachDisk'
    detach_call = 'DetachDisk'
    instance_not_found = INSTANCE_NOT_FOUND
    no_host = 'no instance %s on node %s'
    adapter: EnsCalls

    def __init__(self, adapter: EnsCalls) -> None:
        super().__init__(adapter)
        self.region_word = adapter.region_word

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
        answer = self.adapter.client.call('CreateDisk', params, region)
        made = answer.get('InstanceIds')
        disk_id = made[0] if isinstance(made, list) and made else made
        if not disk_id or not isinstance(disk_id, str):
            raise no_disk_named(answer, action='CreateDisk', field='InstanceIds', made=made, region=region)
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
            for item in self.adapter.disk_items(region, params)
        ]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.adapter.client.call('DeleteDisk', {'DiskId': disk_id}, region)

    # ------------------------------------------------------------------ the drill host (restore_test_validate)
    def _instances(self, region: str, instance_id: str) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
        # The node filters too: an instance on another node is not this node's host. An id ENS does not hold is left
        # out of the answer.
        answer = self.adapter.client.call(
            'DescribeInstances', {'EnsRegionId': region, 'InstanceIds': json.dumps([instance_id])}, region
        )
        return answer, listed(answer, 'Instances', 'Instance')

    def _host(self, instance: Mapping[str, Any], region: str) -> DrillHost:
        # No zone: the node is the zone (test disks are made on the node, restore_needs_zone).
        status = str(instance.get('Status') or '')
        return DrillHost(
            instance['InstanceId'],
            instance.get('EnsRegionId') or region,
            None,
            status == INSTANCE_RUNNING,
            status,
            name=instance.get('InstanceName') or None,
        )

    def _send_attachment(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        self.adapter.client.call(action, {'InstanceId': instance_id, 'DiskId': disk_id}, region)
