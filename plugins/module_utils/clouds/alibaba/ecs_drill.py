# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the DR adapter's restore drill part (dr/capabilities.py RestoreDrillAdapter, and
DrillHostAdapter: DescribeInstances, AttachDisk, DetachDisk)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE, DrillDisk, DrillHost
from ...core.model import PENDING, Snapshot
from ...core.tagging import RESTORE_RUN_TAG, numbered_tags, tag_dict
from ...dr.drill_parts import ListedHostDrill
from .answers import listed
from .ecs import ID_CHUNK

if TYPE_CHECKING:
    from .ecs_api import EcsCalls

# DescribeDisks' MaxResults: 10 to 500 (ecs-20140526 DescribeDisksRequest).
DISK_PAGE_SIZE = 500
# A disk's Status (ecs-20140526 DescribeDisksRequest.Status); attached or being attached, it was usable.
DISK_STATE_MAP: dict[str | None, str] = {
    'Creating': PENDING,
    'ReIniting': PENDING,
    'Available': USABLE,
    'In_use': USABLE,
    'Attaching': USABLE,
    'Detaching': USABLE,
}
# A disk's Status while an instance has it (ecs-20140526 DescribeDisksRequest.Status; the AttachDisk and DetachDisk
# references: Available, Attaching, In_use, Detaching, Available).
ATTACHMENT_MAP = {'Attaching': ATTACHING, 'In_use': ATTACHED, 'Detaching': DETACHING}
# The Status of an instance that runs (ecs-20140526 DescribeInstancesRequest.Status: Pending, Running, Starting,
# Stopping, Stopped).
INSTANCE_RUNNING = 'Running'
# The code of an instance the region does not hold (the ECS AttachDisk and DetachDisk references, 404): not found.
INSTANCE_NOT_FOUND = 'InvalidInstanceId.NotFound'
# The disk categories CreateDisk makes from a snapshot, with their smallest size in GiB (ecs-20140526
# CreateDiskRequest.Size; cloud_essd at performance level PL0). Elastic ephemeral disks take no snapshot.
DISK_MINIMUM_GIB = {
    'cloud_essd': 1,
    'cloud_auto': 1,
    'cloud_essd_entry': 10,
    'cloud_regional_disk_auto': 10,
    'cloud_efficiency': 20,
    'cloud_ssd': 20,
    'cloud': 5,
}


class EcsDrill(ListedHostDrill):
    """The restore drill on ECS: an ESSD at performance level PL0 is the cheapest disk sold in every zone, from 1 GiB."""

    restore_disk_type = 'cloud_essd'
    restore_disk_types = tuple(DISK_MINIMUM_GIB)
    # "You do not need to specify ZoneId for a cloud_regional_disk_auto cloud disk" (ecs-20140526
    # CreateDiskRequest.ZoneId).
    regional_disk_types = ('cloud_regional_disk_auto',)
    create_disk_call_is_idempotent = True  # CreateDisk takes a ClientToken
    attach_call = 'AttachDisk'
    detach_call = 'DetachDisk'
    instance_not_found = INSTANCE_NOT_FOUND
    adapter: EcsCalls

    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        answer = self.adapter.client.call('DescribeZones', {'RegionId': region}, region)
        return sorted(
            zone['ZoneId']
            for zone in listed(answer, 'Zones', 'Zone')
            if disk_type in listed(zone, 'AvailableDiskCategories', 'DiskCategories')
        )

    # pylint: disable-next=too-many-arguments
    def create_test_disk(
        self,
        region: str,
        zone: str | None,
        copy: Snapshot,
        disk_type: str,
        name: str,
        tags: Mapping[str, str],
        token: str,
    ) -> DrillDisk:
        # A disk made from a snapshot is at least the snapshot's size (CreateDiskRequest.Size): asking for the
        # category's smallest gives the smallest disk the copy allows.
        params: dict[str, Any] = {
            'RegionId': region,
            'SnapshotId': copy.id,
            'DiskCategory': disk_type,
            'Size': max(DISK_MINIMUM_GIB[disk_type], copy.size or 0),
            'DiskName': name,
            'Description': 'Restore test of DR copy %s by snapcopy.cloud' % copy.id,
            'ClientToken': token,
        }
        if zone is not None:  # None: a regional disk (zone_needed)
            params['ZoneId'] = zone
        if disk_type == 'cloud_essd':
            params['PerformanceLevel'] = 'PL0'
        params.update(numbered_tags(tags))
        answer = self.adapter.client.call('CreateDisk', params, region)
        return DrillDisk(
            answer['DiskId'],
            region,
            PENDING,
            cloud_state='Creating',
            zone=zone,
            name=name,
            tags=dict(tags),
            snapshot_id=copy.id,
            size=params['Size'],
        )

    def describe_test_disks(self, region: str, disk_ids: Sequence[str]) -> dict[str, DrillDisk]:
        found: dict[str, DrillDisk] = {}
        for start in range(0, len(disk_ids), ID_CHUNK):
            ids = json.dumps(list(disk_ids[start : start + ID_CHUNK]))
            found.update((disk.id, disk) for disk in self._disks(region, {'DiskIds': ids}))
        return found

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        # A tag filter on the key alone: the test disks are a handful, far below the filter's 1,000.
        return self._disks(region, numbered_tags({RESTORE_RUN_TAG: None}))

    def _disks(self, region: str, params: Mapping[str, Any]) -> list[DrillDisk]:
        return [
            DrillDisk(
                item['DiskId'],
                region,
                DISK_STATE_MAP.get(item.get('Status'), PENDING),
                cloud_state=item.get('Status'),
                zone=item.get('ZoneId'),
                name=item.get('DiskName') or None,
                tags=tag_dict(item.get('Tags')),
                created=item.get('CreationTime'),
                snapshot_id=item.get('SourceSnapshotId') or None,
                size=item.get('Size'),
                # InstanceId and Device are '' when the disk is free (DescribeDisksResponseBodyDisksDisk).
                attached_to=item.get('InstanceId') or None,
                attachment=ATTACHMENT_MAP.get(item.get('Status') or ''),
                device=item.get('Device') or None,
            )
            for item in self.adapter.disk_items(region, params)
        ]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        # The region goes with the call (the endpoint's, as the SDK sends it): ECS ignores a DeleteDisk of a disk it
        # does not find there (DeleteDisk reference), so a wrong region would pass without deleting anything.
        self.adapter.client.call('DeleteDisk', {'RegionId': region, 'DiskId': disk_id}, region)

    # ------------------------------------------------------------------ the drill host (restore_test_validate)
    def _instances(self, region: str, instance_id: str) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
        # InstanceIds filters the region's instances: one it does not hold is left out of the answer, not refused.
        answer = self.adapter.client.call(
            'DescribeInstances', {'RegionId': region, 'InstanceIds': json.dumps([instance_id])}, region
        )
        return answer, listed(answer, 'Instances', 'Instance')

    def _host(self, instance: Mapping[str, Any], region: str) -> DrillHost:
        status = str(instance.get('Status') or '')
        return DrillHost(
            instance['InstanceId'],
            region,
            instance.get('ZoneId') or None,
            status == INSTANCE_RUNNING,
            status,
            name=instance.get('InstanceName') or None,
        )

    def _send_attachment(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        # The region goes with the call: it names the account's client (AlibabaAccountRouter) and ECS checks the disk is
        # there.
        self.adapter.client.call(action, {'RegionId': region, 'InstanceId': instance_id, 'DiskId': disk_id}, region)
