# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the DR adapter's restore drill part (dr/capabilities.py RestoreDrillAdapter, and DrillHostAdapter): test
volumes made from DR copies, timed and deleted, and attached to an instance of the user's for their checks."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.answers import answer_items
from ...core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE, DrillDisk, DrillHost
from ...core.errors import INVALID, NOT_FOUND, CloudError
from ...core.model import DELETING, FAILED, PENDING, Snapshot
from ...core.tagging import RESTORE_RUN_TAG, tag_dict, tag_list
from ...dr.capabilities import DrillHostAdapter, RestoreDrillAdapter
from .client import listed_items
from .ebs import FILTER_CHUNK

if TYPE_CHECKING:
    from .ebs_api import EbsCalls

# MaxResults per page of DescribeVolumes (5 to 1000: botocore's EC2 model).
VOLUME_PAGE_SIZE = 500
# A volume's State (ec2 2016-11-15, VolumeState); in-use: someone attached the test disk, it was usable.
VOLUME_STATE_MAP: dict[str | None, str] = {
    'creating': PENDING,
    'available': USABLE,
    'in-use': USABLE,
    'deleting': DELETING,
    'deleted': DELETING,
    'error': FAILED,
}
# The volume types CreateVolume makes without provisioned IOPS, and the smallest size of each in GiB
# (EBS user guide, "Amazon EBS volume types"); a volume from a snapshot is at least the snapshot's size.
VOLUME_MINIMUM_GIB = {'gp3': 1, 'gp2': 1, 'standard': 1, 'st1': 125, 'sc1': 125}
# A volume attachment's State (VolumeAttachmentState) as DrillDisk.attachment; detached: the disk is free. busy is a
# detach that waits for the instance to let go of the device (DetachVolume's reference: unmount first, or "the volume
# becoming stuck in the busy state while detaching").
ATTACHMENT_STATE_MAP: dict[str | None, str | None] = {
    'attaching': ATTACHING,
    'attached': ATTACHED,
    'detaching': DETACHING,
    'busy': DETACHING,
    'detached': None,
}
# The device names a drill disk is attached at, the first the instance does not use: /dev/sd[f-p], the names the EC2
# user guide recommends for EBS volumes on paravirtual instances, within HVM's /dev/sd[f-z] ("Device names on Linux
# instances"). The kernel may show /dev/sdf as /dev/xvdf, and an instance may have been given either: a letter taken in
# one form is taken in both.
DRILL_DEVICES = tuple('/dev/sd%s' % letter for letter in 'fghijklmnop')
DEVICE_NAME = re.compile(r'(?:/dev/)?(?:sd|xvd)([a-z]+)[0-9]*')


def volume_items(adapter: EbsCalls, region: str, arguments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every DescribeVolumes item in ``region`` for ``arguments``, all pages."""
    return listed_items(adapter.client, region, 'DescribeVolumes', arguments, key='Volumes', page_size=VOLUME_PAGE_SIZE)


class EbsDrill(RestoreDrillAdapter, DrillHostAdapter):
    """The restore drill on EBS: gp3 costs least per GiB of the SSD types and is sold in every region; CreateVolume
    takes a ClientToken."""

    restore_disk_type = 'gp3'
    restore_disk_types = tuple(VOLUME_MINIMUM_GIB)
    create_disk_call_is_idempotent = True

    def __init__(self, adapter: EbsCalls) -> None:
        self.adapter = adapter
        self.cloud = adapter.cloud
        # The device each drill disk was given, by (region, instance): a DescribeInstances right after an AttachVolume
        # may not show it yet (EC2's eventual consistency), and the next disk must not be given it again.
        self._devices_given: dict[tuple[str, str], dict[str, str]] = {}
        self._devices_lock = threading.Lock()

    def restore_zones(self, region: str, disk_type: str) -> list[str]:  # pylint: disable=unused-argument  # every zone makes every type
        # Availability zones only: Local Zones and Wavelength Zones are opted into and sell fewer volume types.
        answer = self.adapter.client.call(region, 'DescribeAvailabilityZones')
        return sorted(
            zone['ZoneName']
            for zone in answer.get('AvailabilityZones', [])
            if zone.get('State', 'available') == 'available'
            and zone.get('ZoneType', 'availability-zone') == 'availability-zone'
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
        arguments: dict[str, Any] = {
            'AvailabilityZone': zone,
            'SnapshotId': copy.id,
            'VolumeType': disk_type,
            'ClientToken': token,
            'TagSpecifications': [{'ResourceType': 'volume', 'Tags': tag_list(dict(tags, Name=name))}],
        }
        # Without Size the volume has the snapshot's size, the smallest it can have, unless the type asks for more.
        minimum = VOLUME_MINIMUM_GIB[disk_type]
        if copy.size is None or copy.size < minimum:
            arguments['Size'] = max(minimum, copy.size or 0)
        return volume_disk(self.adapter.client.call(region, 'CreateVolume', **arguments), region)

    def describe_test_disks(self, region: str, disk_ids: Iterable[str]) -> dict[str, DrillDisk]:
        # By filter, not VolumeIds: an id that is not (yet, or any more) there is left out instead of failing the call.
        return {disk.id: disk for disk in self._volumes(region, 'volume-id', sorted(disk_ids))}

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        return self._volumes(region, 'tag-key', [RESTORE_RUN_TAG])

    def _volumes(self, region: str, name: str, values: Sequence[str]) -> list[DrillDisk]:
        volumes: list[DrillDisk] = []
        for start in range(0, len(values), FILTER_CHUNK):
            arguments = {'Filters': [{'Name': name, 'Values': list(values[start : start + FILTER_CHUNK])}]}
            volumes.extend(volume_disk(item, region) for item in volume_items(self.adapter, region, arguments))
        return volumes

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.adapter.client.call(region, 'DeleteVolume', VolumeId=disk_id)

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        self.adapter.tag_copy(copy, tags)

    # ------------------------------------------------------------------ drill hosts (restore_test_validate)
    def drill_host(self, region: str, instance_id: str) -> DrillHost:
        instance = self._instance(region, instance_id)
        state = str((instance.get('State') or {}).get('Name') or '')
        return DrillHost(
            instance_id,
            region,
            (instance.get('Placement') or {}).get('AvailabilityZone'),
            state == 'running',
            state,
            name=tag_dict(instance.get('Tags')).get('Name'),
        )

    def attach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        # AttachVolume needs a device name, which must be free on the instance (EC2 refuses one in use): the first of
        # DRILL_DEVICES that neither its block device mappings (attaching volumes included) nor this adapter gave
        # another disk name.
        mappings = self._instance(region, instance_id).get('BlockDeviceMappings') or []
        with self._devices_lock:
            given = self._devices_given.setdefault((region, instance_id), {})
            taken = {device_letters(str(mapping.get('DeviceName') or '')) for mapping in mappings}
            taken |= {device_letters(name) for disk, name in given.items() if disk != disk_id}
            device = next((name for name in DRILL_DEVICES if device_letters(name) not in taken), None)
            if device is None:
                raise CloudError(
                    'AttachVolume',
                    'NoFreeDevice',
                    'the instance %s uses every device name from %s to %s: no drill disk can be attached to it'
                    % (instance_id, DRILL_DEVICES[0], DRILL_DEVICES[-1]),
                    kind=INVALID,
                    region=region,
                )
            given[disk_id] = device
        try:
            self.adapter.client.call(region, 'AttachVolume', VolumeId=disk_id, InstanceId=instance_id, Device=device)
        except CloudError as error:
            if not error.uncertain:  # refused: the device is not the disk's
                self._forget_device(region, disk_id, instance_id)
            raise

    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        try:
            self.adapter.client.call(region, 'DetachVolume', VolumeId=disk_id, InstanceId=instance_id)
        except CloudError as error:
            if error.kind == NOT_FOUND:  # not attached (any more): its device is free
                self._forget_device(region, disk_id, instance_id)
            raise
        self._forget_device(region, disk_id, instance_id)

    def _forget_device(self, region: str, disk_id: str, instance_id: str) -> None:
        with self._devices_lock:
            self._devices_given.get((region, instance_id), {}).pop(disk_id, None)

    def _instance(self, region: str, instance_id: str) -> dict[str, Any]:
        """The DescribeInstances item of ``instance_id``; EC2 answers an unknown id InvalidInstanceID.NotFound (kind
        NOT_FOUND), and so does an answer that does not list it."""
        answer = self.adapter.client.call(region, 'DescribeInstances', InstanceIds=[instance_id])
        for reservation in answer_items(answer, 'Reservations'):
            for instance in answer_items(reservation, 'Instances'):
                if instance.get('InstanceId') == instance_id:
                    return instance
        raise CloudError(
            'DescribeInstances',
            'InvalidInstanceID.NotFound',
            "The instance ID '%s' does not exist" % instance_id,
            kind=NOT_FOUND,
            region=region,
        )


def volume_disk(item: Mapping[str, Any], region: str) -> DrillDisk:
    """A DescribeVolumes or CreateVolume item as the drill's disk."""
    tags = tag_dict(item.get('Tags'))
    created: Any = item.get('CreateTime')
    # One attachment at most: a drill disk is never made Multi-Attach (io1/io2 only). A state this code does not
    # know is taken for one on its way (ATTACHING): neither read as attached nor deleted as free.
    attachment: Mapping[str, Any] = next(
        (
            found
            for found in item.get('Attachments') or []
            if found.get('InstanceId') and found.get('State') != 'detached'
        ),
        {},
    )
    return DrillDisk(
        item['VolumeId'],
        region,
        VOLUME_STATE_MAP.get(item.get('State'), PENDING),
        cloud_state=item.get('State'),
        zone=item.get('AvailabilityZone'),
        name=tags.get('Name'),
        tags=tags,
        snapshot_id=item.get('SnapshotId') or None,
        size=item.get('Size'),
        created=created.isoformat() if hasattr(created, 'isoformat') else created,
        attached_to=attachment.get('InstanceId'),
        attachment=ATTACHMENT_STATE_MAP.get(attachment.get('State'), ATTACHING) if attachment else None,
        device=attachment.get('Device'),
    )


def device_letters(name: str) -> str:
    """The drive letters of a device name: f of /dev/sdf, /dev/xvdf, xvdf and /dev/sdf1 (DRILL_DEVICES); the name itself
    when it has none."""
    match = DEVICE_NAME.fullmatch(name)
    return match.group(1) if match else name
