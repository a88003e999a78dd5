# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: disks made from copies (CreateDisks, DescribeDisks, TerminateDisks), for the restore drill's test
disks (dr.restore) and the DR account's bridge disks (cbs_dr_bridge), and the drill host the test disks are attached to
(CVM's DescribeInstances through -common's CommonClient; CBS's AttachDisks, DetachDisks). The DR run's adapter's
restore drill part (cbs_dr.CbsAdapter.drill)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ...core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE, DrillDisk, DrillHost
from ...core.errors import NOT_FOUND, CloudError
from ...core.model import DELETING, PENDING, Snapshot
from ...core.tagging import RESTORE_RUN_TAG, tag_dict, tag_list
from ...dr.drill_parts import ListedHostDrill, no_disk_named
from .cbs import FILTER_VALUES, MAX_NAME, utc_time

if TYPE_CHECKING:
    from .client import TencentClient

# A disk's DiskState (cbs 2017-03-12 Disk.DiskState). CBS has no state for a disk being made: CreateDisks'
# disk is made once DescribeDisks lists it UNATTACHED or ATTACHED (the SDK's CreateDisks docstring).
DISK_STATE_MAP: dict[str | None, str] = {
    'UNATTACHED': USABLE,
    'ATTACHED': USABLE,
    'ATTACHING': USABLE,
    'DETACHING': USABLE,
    'EXPANDING': USABLE,
    'ROLLBACKING': PENDING,
    'DUMPING': PENDING,
    'TORECYCLE': DELETING,
}
# DiskState while an instance has the disk (cbs 2017-03-12 Disk.DiskState; AttachDisks: ATTACHING then ATTACHED,
# DetachDisks: ATTACHED then UNATTACHED, by way of DETACHING).
ATTACHMENT_MAP = {'ATTACHING': ATTACHING, 'ATTACHED': ATTACHED, 'DETACHING': DETACHING}
# The InstanceState of an instance that runs (cvm 2017-03-12 InstanceStatus.InstanceState: PENDING, RUNNING, STOPPED...).
INSTANCE_RUNNING = 'RUNNING'
# The code of an instance the region does not hold (cbs errorcodes.py; among AttachDisks' and DetachDisks' codes).
INSTANCE_NOT_FOUND = 'InvalidInstanceId.NotFound'
# TerminateDisks' answer for a disk returned already (cbs errorcodes.py ResourceUnavailable.RepeatRefund, "the disk has
# been returned"; it may still be listed, TORECYCLE): gone, as a disk not found.
RETURNED = 'ResourceUnavailable.RepeatRefund'
# The disk types CreateDisks makes on their own (cbs 2017-03-12 CreateDisksRequest.DiskType: CLOUD_TSSD only with an
# instance).
DISK_TYPES = ('CLOUD_PREMIUM', 'CLOUD_BSSD', 'CLOUD_SSD', 'CLOUD_HSSD')
# The types DescribeDiskConfigQuota's DiskTypes filter takes (cbs 2017-03-12 DescribeDiskConfigQuotaRequest.DiskTypes:
# no CLOUD_BSSD, though its answer's DiskConfig.DiskType has it): for another type the answer is read unfiltered.
QUOTA_FILTER_TYPES = ('CLOUD_BASIC', 'CLOUD_PREMIUM', 'CLOUD_SSD', 'CLOUD_HSSD')


class CbsPartCalls(Protocol):
    """The CBS adapter's calls that each of its parts makes, the drill (CbsDiskCalls) and the DR account
    (cbs_api.CbsCalls) alike."""

    client: TencentClient

    def list_pages(
        self,
        region: str,
        action: str,
        set_name: str,
        id_name: str,
        filters: Sequence[Mapping[str, Any]],
        first: dict[str, Any] | None = None,
        client: TencentClient | None = None,
    ) -> dict[str, dict[str, Any]]:
        """As CbsCopyAdapter.list_pages does."""

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """As CbsAdapter.tag_copy does."""


class CbsDiskCalls(CbsPartCalls, Protocol):
    """What the drill part calls on the CBS adapter (clouds/tencent/cbs_dr.py CbsAdapter), which imports this file."""

    cloud: str
    #: Each snapshot's DiskUsage as last read.
    disk_usage: dict[str, str | None]


class CbsDrill(ListedHostDrill):
    """The disks made from copies: the restore drill's (RestoreDrillAdapter), with its drill host (DrillHostAdapter), and
    the DR account's bridge disks (cbs_dr_bridge)."""

    # The restore drill: the premium cloud disk is the cheapest type CreateDisks sells on its own.
    restore_disk_type = 'CLOUD_PREMIUM'
    restore_disk_types = DISK_TYPES
    create_disk_call_is_idempotent = True  # CreateDisks takes a ClientToken
    attach_call = 'AttachDisks'
    detach_call = 'DetachDisks'
    instance_not_found = INSTANCE_NOT_FOUND
    adapter: CbsDiskCalls

    def __init__(self, adapter: CbsDiskCalls) -> None:
        super().__init__(adapter)
        # The smallest disk of each (region, type) that DescribeDiskConfigQuota gave, in GiB.
        self._minimum_size: dict[tuple[str, str], int] = {}

    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        params: dict[str, Any] = {
            'InquiryType': 'INQUIRY_CBS_CONFIG',
            'DiskChargeType': 'POSTPAID_BY_HOUR',
            'DiskUsage': 'DATA_DISK',
        }
        if disk_type in QUOTA_FILTER_TYPES:
            params['DiskTypes'] = [disk_type]
        answer = self.adapter.client.call('cbs', region, 'DescribeDiskConfigQuota', params)
        configs = [
            config
            for config in answer.get('DiskConfigSet') or []
            if config.get('Available') and config.get('DiskType') == disk_type
        ]
        sizes = [config['MinDiskSize'] for config in configs if isinstance(config.get('MinDiskSize'), int)]
        if sizes:
            self._minimum_size[(region, disk_type)] = min(sizes)
        return sorted({config['Zone'] for config in configs if config.get('Zone')})

    def restore_refusal(self, copy: Snapshot) -> str | None:
        if self.adapter.disk_usage.get(copy.id) == 'SYSTEM_DISK':
            return (
                'CreateDisks makes disks from copies of data disks only, and %s is a copy of a system disk: '
                'restore it through an image' % copy.id
            )
        return None

    # pylint: disable-next=too-many-arguments
    def create_test_disk(
        self, region: str, zone: str | None, copy: Snapshot, disk_type: str, name: str, tags: dict[str, str], token: str
    ) -> DrillDisk:
        params: dict[str, Any] = {
            'Placement': {'Zone': zone},
            'DiskChargeType': 'POSTPAID_BY_HOUR',
            'DiskType': disk_type,
            'SnapshotId': copy.id,
            'DiskName': name[:MAX_NAME],
            'DiskCount': 1,
            'Tags': tag_list(tags),
            'ClientToken': token,
        }
        # Without DiskSize the disk has the snapshot's size, the smallest it can have, unless the type's is larger.
        minimum = self._minimum_size.get((region, disk_type))
        if minimum is not None and (copy.size is None or copy.size < minimum):
            params['DiskSize'] = max(minimum, copy.size or 0)
        answer = self.adapter.client.call('cbs', region, 'CreateDisks', params)
        made = answer.get('DiskIdSet') or []
        if not made:
            raise no_disk_named(answer, action='CreateDisks', field='DiskIdSet', made=made, region=region)
        # Not listed until it is made (DISK_STATE_MAP): pending until then.
        return DrillDisk(
            made[0],
            region,
            PENDING,
            cloud_state='(not listed yet)',
            zone=zone,
            name=params['DiskName'],
            tags=dict(tags),
            snapshot_id=copy.id,
            size=params.get('DiskSize') or copy.size,
        )

    def describe_test_disks(self, region: str, disk_ids: Sequence[str]) -> dict[str, DrillDisk]:
        found: dict[str, DrillDisk] = {}
        # By filter, not DiskIds: an id not (yet) listed is left out rather than refused.
        for start in range(0, len(disk_ids), FILTER_VALUES):
            items = self.adapter.list_pages(
                region,
                'DescribeDisks',
                'DiskSet',
                'DiskId',
                [{'Name': 'disk-id', 'Values': list(disk_ids[start : start + FILTER_VALUES])}],
            )
            found.update((disk_id, cbs_disk(item, region)) for disk_id, item in items.items())
        return found

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        items = self.adapter.list_pages(
            region, 'DescribeDisks', 'DiskSet', 'DiskId', [{'Name': 'tag-key', 'Values': [RESTORE_RUN_TAG]}]
        )
        # A returned disk (TORECYCLE) is gone: deleting it again would only be refused (RETURNED).
        return [disk for disk in (cbs_disk(item, region) for item in items.values()) if disk.state != DELETING]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.terminate_disk(region, disk_id)

    def terminate_disk(self, region: str, disk_id: str, client: TencentClient | None = None) -> None:
        """Return one disk (one a call: TerminateDisks answers all or none); one returned already is NOT_FOUND."""
        try:
            (client or self.adapter.client).call('cbs', region, 'TerminateDisks', {'DiskIds': [disk_id]})
        except CloudError as error:
            if error.code == RETURNED:
                error.kind = NOT_FOUND
            raise

    # ------------------------------------------------------------------ the drill host (restore_test_validate)
    def _instances(self, region: str, instance_id: str) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
        # CVM's DescribeInstances by InstanceIds: an id the region does not hold is left out of the answer.
        answer = self.adapter.client.call('cvm', region, 'DescribeInstances', {'InstanceIds': [instance_id]})
        return answer, answer.get('InstanceSet') or []

    def _host(self, instance: Mapping[str, Any], region: str) -> DrillHost:
        state = str(instance.get('InstanceState') or '')
        return DrillHost(
            instance['InstanceId'],
            region,
            (instance.get('Placement') or {}).get('Zone'),
            state == INSTANCE_RUNNING,
            state,
            name=instance.get('InstanceName') or None,
        )

    def _send_attachment(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        # InstanceId on a detach too: CBS checks it is the instance the disk is attached to
        # (DetachDisksRequest.InstanceId).
        self.adapter.client.call('cbs', region, action, {'DiskIds': [disk_id], 'InstanceId': instance_id})


def cbs_disk(item: Mapping[str, Any], region: str) -> DrillDisk:
    """A DescribeDisks item as a DrillDisk."""
    state = item.get('DiskState')
    return DrillDisk(
        item['DiskId'],
        region,
        DISK_STATE_MAP.get(state, PENDING),
        cloud_state=state,
        zone=(item.get('Placement') or {}).get('Zone'),
        name=item.get('DiskName') or None,
        tags=tag_dict(item.get('Tags')),
        created=utc_time(item.get('CreateTime')),
        size=item.get('DiskSize'),
        # No device name: CBS's Disk has none (cbs 2017-03-12 Disk).
        attached_to=item.get('InstanceId') or None,
        attachment=ATTACHMENT_MAP.get(state or ''),
    )
