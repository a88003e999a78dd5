"""What the real-account test makes in each cloud, and how it finds and removes it again.

Per cloud: ``setup(run_id)`` makes the smallest disk the cloud allows, labelled with the run id,
and one snapshot of it, and waits until the snapshot is complete; ``resources()`` lists the disks
and snapshots in the source and DR region that carry the run tag or a run-id name (candidates: the
caller keeps only those of the run it means, see real_account_config.of_run); ``delete()`` removes
one. ECS and ENS also have ``probe(run_id, disk_id, copy_id)``: a rule of the vendor's model that the
collection relies on, asked of the live API, answering the finding (a dict, its text in 'finding').
Every parameter and state below is taken from the vendor's generated API model named next to
the call: botocore's ec2 model, alibabacloud_ecs20140526 / alibabacloud_ens20171110 models, and
tencentcloud.cbs.v20170312.models.
"""

from __future__ import annotations

import json
import math
import time

from real_account_api import ApiError
from real_account_config import RUN_TAG, Resource

# The largest test disk we will ever make, whatever a cloud answers when asked for its minimum.
MAX_TEST_DISK_GIB = 50
POLL_SECONDS = 10


class SetupError(Exception):
    """Something the cloud did (or did not do) that ends the setup."""


def wait_for(client, what, read, key, done, failed=(), timeout=3600):
    """Poll ``read()`` until the item it gives has ``key`` in ``done``, and return that item; a state in
    ``failed``, or the timeout, ends the run. A dry run reads once: its placeholders are done at once."""
    deadline = time.monotonic() + timeout
    while True:
        item = read()
        state = item.get(key)
        if client.dry_run or state in done:
            return item
        if state in failed:
            raise SetupError('%s ended in state %s' % (what, state))
        if time.monotonic() > deadline:
            raise SetupError('%s is still %s after %d s' % (what, state or 'not listed', timeout))
        time.sleep(POLL_SECONDS)


def wait_gone(client, what, read, timeout=3600):
    """Poll ``read()`` until it gives no item (a describe by id that lists it no more). A dry run reads once."""
    deadline = time.monotonic() + timeout
    while read() and not client.dry_run:
        if time.monotonic() > deadline:
            raise SetupError('%s is still listed %d s after its deletion' % (what, timeout))
        time.sleep(POLL_SECONDS)


def listed(answer, outer, inner):
    """Items of an Alibaba answer list, which comes as {outer: {inner: [...]}} or {outer: [...]}."""
    value = answer.get(outer) or []
    return (value.get(inner) or []) if isinstance(value, dict) else value


def tag_values(tags):
    """The values of the run tag in an answer's tags, in any of the clouds' shapes."""
    if isinstance(tags, dict):  # Alibaba: {'Tag': [...]} (ECS) or {'Tags': [...]} (ENS DescribeDisks)
        tags = tags.get('Tag') or tags.get('Tags') or []
    return tuple(
        tag.get('Value', tag.get('TagValue')) for tag in tags or () if tag.get('Key', tag.get('TagKey')) == RUN_TAG
    )


class Cloud:
    """What every cloud has: its settings, its client, and how long to wait."""

    def __init__(self, settings, client, timeout):
        self.settings = settings
        self.client = client
        self.timeout = timeout
        self.source = settings.source_region
        self.dr = settings.dr_region

    def call(self, action, region, params):
        return self.client.call(action, region, params)

    def wait(self, what, read, key, done, failed=()):
        return wait_for(self.client, what, read, key, done, failed, self.timeout)


class Aws(Cloud):
    name = 'aws'

    def setup(self, run_id):
        tags = [{'Key': RUN_TAG, 'Value': run_id}]
        # ec2 CreateVolume: "gp3: 1 - 65,536 GiB" (CreateVolumeRequest Size); TagSpecifications with ResourceType
        # volume.
        volume = self.call(
            'CreateVolume',
            self.source,
            {
                'AvailabilityZone': self.settings.zone,
                'Size': 1,
                'VolumeType': 'gp3',
                'TagSpecifications': [
                    {'ResourceType': 'volume', 'Tags': [*tags, {'Key': 'Name', 'Value': run_id + '-disk'}]}
                ],
            },
        )
        volume_id = volume['VolumeId']
        # ec2 DescribeVolumes: VolumeState creating | available | in-use | deleting | deleted | error.
        self.wait(
            'volume %s' % volume_id,
            lambda: self._volume(volume_id),
            'State',
            ('available',),
            ('error', 'deleting', 'deleted'),
        )
        # ec2 CreateSnapshot: Description, TagSpecifications with ResourceType snapshot.
        snapshot = self.call(
            'CreateSnapshot',
            self.source,
            {
                'VolumeId': volume_id,
                'Description': '%s source snapshot' % run_id,
                'TagSpecifications': [
                    {'ResourceType': 'snapshot', 'Tags': [*tags, {'Key': 'Name', 'Value': run_id + '-snapshot'}]}
                ],
            },
        )
        snapshot_id = snapshot['SnapshotId']
        # ec2 DescribeSnapshots: SnapshotState pending | completed | error | recoverable | recovering.
        self.wait('snapshot %s' % snapshot_id, lambda: self._snapshot(snapshot_id), 'State', ('completed',), ('error',))
        return {'disk_id': volume_id, 'snapshot_id': snapshot_id}

    # EC2 is eventually consistent: right after a create, a describe by id may answer NotFound. Not yet there, then.
    def _volume(self, volume_id):
        try:
            return self.call('DescribeVolumes', self.source, {'VolumeIds': [volume_id]})['Volumes'][0]
        except ApiError as error:
            if error.code != 'InvalidVolume.NotFound':
                raise
            return {}

    def _snapshot(self, snapshot_id):
        try:
            return self._snapshots(self.source, {'SnapshotIds': [snapshot_id]})[0]
        except ApiError as error:
            if error.code != 'InvalidSnapshot.NotFound':
                raise
            return {}

    def _snapshots(self, region, params):
        return list(self._pages('DescribeSnapshots', region, params, 'Snapshots'))

    def _pages(self, action, region, params, key):
        """Every item of an ec2 listing, following NextToken."""
        params = dict(params)
        while True:
            answer = self.call(action, region, params)
            yield from answer.get(key) or []
            if not answer.get('NextToken'):
                return
            params['NextToken'] = answer['NextToken']

    def resources(self):
        run_tagged = [{'Name': 'tag-key', 'Values': [RUN_TAG]}]
        found = []
        # ec2 DescribeVolumes / DescribeSnapshots filter tag-key; OwnerIds self: only this account's snapshots.
        for volume in self._pages('DescribeVolumes', self.source, {'Filters': run_tagged}, 'Volumes'):
            found.append(self._resource('disk', volume['VolumeId'], self.source, volume, volume.get('State')))
        for region in (self.dr, self.source):
            for snapshot in self._snapshots(region, {'OwnerIds': ['self'], 'Filters': run_tagged}):
                found.append(
                    self._resource('snapshot', snapshot['SnapshotId'], region, snapshot, snapshot.get('State'))
                )
        return found

    @staticmethod
    def _resource(kind, resource_id, region, item, state):
        names = tuple(tag.get('Value') for tag in item.get('Tags') or () if tag.get('Key') == 'Name')
        labels = tag_values(item.get('Tags')) + names + (item.get('Description'),)
        return _resource('aws', kind, resource_id, region, labels, state)

    def delete(self, resource):
        if resource.kind == 'snapshot':
            self.call('DeleteSnapshot', resource.region, {'SnapshotId': resource.id})  # ec2 DeleteSnapshot
        else:
            self.call('DeleteVolume', resource.region, {'VolumeId': resource.id})  # ec2 DeleteVolume


class Ecs(Cloud):
    name = 'ecs'
    # DescribeSnapshotsRequest MaxResults: "Maximum value: 100" (DescribeDisks allows 500).
    PAGE_SIZE = 100
    # The probe's disk, made from the DR copy: the category and size of the run's own disk (see setup).
    PROBE_DISK = {'DiskCategory': 'cloud_essd', 'PerformanceLevel': 'PL0', 'Size': 1}

    def setup(self, run_id):
        zone = self._instance_zone()
        tag = {'Tag.1.Key': RUN_TAG, 'Tag.1.Value': run_id}
        # ecs CreateDisk (CreateDiskRequest): DiskCategory cloud_essd with PerformanceLevel PL0 takes Size 1 to 65,536
        # GiB; ZoneId is required without InstanceId; pay-as-you-go.
        disk_id = self.call(
            'CreateDisk',
            self.source,
            dict(
                tag,
                RegionId=self.source,
                ZoneId=zone,
                DiskCategory='cloud_essd',
                PerformanceLevel='PL0',
                Size=1,
                DiskName=run_id + '-disk',
                Description='%s test disk' % run_id,
            ),
        )['DiskId']
        # ecs DescribeDisks Status: In_use, Available, Attaching, Detaching, Creating, ReIniting (DescribeDisksRequest).
        self._wait_disk(disk_id, 'Available')
        # CreateSnapshotRequest DiskId: "An available cloud disk must have been previously attached to an ECS instance."
        # So the disk is attached to the config's instance (ecs AttachDiskRequest), snapshotted, and detached again.
        self.call('AttachDisk', self.source, {'InstanceId': self.settings.instance_id, 'DiskId': disk_id})
        self._wait_disk(disk_id, 'In_use')
        # ecs CreateSnapshot (CreateSnapshotRequest): SnapshotName, Description, Tag.N; a standard snapshot by default.
        snapshot_id = self.call(
            'CreateSnapshot',
            self.source,
            dict(tag, DiskId=disk_id, SnapshotName=run_id + '-snapshot', Description='%s source snapshot' % run_id),
        )['SnapshotId']
        # ecs DescribeSnapshots Status: progressing, accomplished, failed (DescribeSnapshotsRequest).
        self.wait(
            'snapshot %s' % snapshot_id, lambda: self._snapshot(snapshot_id), 'Status', ('accomplished',), ('failed',)
        )
        self._detach(disk_id, self.settings.instance_id)
        return {'disk_id': disk_id, 'snapshot_id': snapshot_id}

    def _instance_zone(self):
        """The zone of the config's instance, which must be Running or Stopped to take a disk (AttachDisk)."""
        instance_id = self.settings.instance_id
        # ecs DescribeInstances: InstanceIds is a JSON array; Status Pending, Running, Starting, Stopping, Stopped.
        answer = self.call(
            'DescribeInstances', self.source, {'RegionId': self.source, 'InstanceIds': json.dumps([instance_id])}
        )
        instances = listed(answer, 'Instances', 'Instance')
        if not instances:
            raise SetupError('clouds.ecs.instance_id: there is no instance %s in %s' % (instance_id, self.source))
        if instances[0].get('Status') not in ('Running', 'Stopped'):
            raise SetupError(
                'clouds.ecs.instance_id: instance %s is %s; it must be Running or Stopped to take the test disk'
                % (instance_id, instances[0].get('Status'))
            )
        return instances[0]['ZoneId']

    def _disk(self, disk_id, region=None):
        region = region or self.source
        answer = self.call('DescribeDisks', region, {'RegionId': region, 'DiskIds': json.dumps([disk_id])})
        return (listed(answer, 'Disks', 'Disk') or [{}])[0]

    def _wait_disk(self, disk_id, status, region=None):
        self.wait('disk %s' % disk_id, lambda: self._disk(disk_id, region), 'Status', (status,))

    def _detach(self, disk_id, instance_id):
        # ecs DetachDisk (DetachDiskRequest): InstanceId and DiskId are required.
        self.call('DetachDisk', self.source, {'InstanceId': instance_id, 'DiskId': disk_id})
        self._wait_disk(disk_id, 'Available')

    def _snapshot(self, snapshot_id, region=None):
        region = region or self.source
        answer = self.call('DescribeSnapshots', region, {'RegionId': region, 'SnapshotIds': json.dumps([snapshot_id])})
        return (listed(answer, 'Snapshots', 'Snapshot') or [{}])[0]

    def probe(self, run_id, disk_id, copy_id):  # pylint: disable=unused-argument
        """A copy a disk was made from, deleted without Force. The ECS DeleteSnapshot reference: "If the snapshot has
        been used to create disks and Force is not specified or is set to false, the snapshot cannot be deleted
        directly" (403 SnapshotCreatedDisk). The collection's pruning never sends Force and keeps such a copy
        (kept_in_use), so a restored disk can still be re-initialized from it. A disk is made from the run's DR copy,
        the copy is deleted without Force, and the disk is deleted again; the answer is the finding. Only a deleted copy
        fails the check."""
        dr = self.dr
        zone = self.settings.dr_zone or self._disk_zone(dr)
        # ecs CreateDisk (CreateDiskRequest) from a snapshot: SnapshotId; Size 1 is below the snapshot's size or equal
        # to it, so the disk takes the snapshot's; labelled as the run's own disk (Tag.N, DiskName, Description).
        made = self.call(
            'CreateDisk',
            dr,
            dict(
                {'Tag.1.Key': RUN_TAG, 'Tag.1.Value': run_id},
                RegionId=dr,
                ZoneId=zone,
                SnapshotId=copy_id,
                DiskName=run_id + '-from-copy',
                Description='%s disk made from the DR copy' % run_id,
                **self.PROBE_DISK,
            ),
        )['DiskId']
        try:
            self._wait_disk(made, 'Available', dr)
            # ecs DeleteSnapshot (DeleteSnapshotRequest) with SnapshotId alone: Force "Default value: false", as the
            # collection sends it.
            try:
                answer = self.call('DeleteSnapshot', dr, {'SnapshotId': copy_id})
                said = {'code': None, 'message': 'accepted: no error', 'request_id': answer.get('RequestId')}
            except ApiError as error:
                said = {'code': error.code, 'message': error.message, 'request_id': error.request_id}
            still_there = bool(self._snapshot(copy_id, dr).get('SnapshotId'))
        finally:
            # ecs DeleteDiskRequest: an Available disk. Gone before the run's cleanup deletes the copy, which ECS
            # refuses while a disk made from it exists; a run that dies before this leaves the disk to the cleanup
            # (resources(), DR disks first).
            self.call('DeleteDisk', dr, {'DiskId': made})
            wait_gone(self.client, 'disk %s' % made, lambda: self._disk(made, dr).get('DiskId'), self.timeout)
        rule = 'DeleteSnapshot without Force of a snapshot a disk was made from: 403 SnapshotCreatedDisk (ECS DeleteSnapshot reference)'
        finding = {
            'cloud': 'ecs',
            'rule': rule,
            'snapshot_id': copy_id,
            'disk_id': made,
            'zone': zone,
            'answer': said,
            'snapshot_deleted': not still_there,
        }
        if self.client.dry_run:
            finding.update(answer=None, snapshot_deleted=None, finding='dry run: DeleteSnapshot not asked')
            return finding
        if said['code'] is None or not still_there:
            finding['finding'] = (
                'ECS %s copy %s on DeleteSnapshot without Force, though disk %s was made from it (answer: %s, request id %s)'
                % (
                    'deleted' if not still_there else 'accepted the deletion of',
                    copy_id,
                    made,
                    said['code'] or 'no error',
                    said['request_id'],
                )
            )
            finding['failure'] = (
                '%s. The collection assumes ECS refuses this (SnapshotCreatedDisk), so its pruning never sends Force and '
                'keeps such a copy: if ECS deletes it, pruning deletes copies that disks were made from'
                % finding['finding']
            )
        elif said['code'] == 'SnapshotCreatedDisk':
            finding['finding'] = (
                'ECS refused DeleteSnapshot of %s without Force, disk %s made from it: %s: %s (request id %s), as the '
                'reference says' % (copy_id, made, said['code'], said['message'], said['request_id'])
            )
        else:
            finding['finding'] = (
                'ECS refused DeleteSnapshot of %s without Force, disk %s made from it, but not with SnapshotCreatedDisk: '
                '%s: %s (request id %s); the collection keeps a copy only on SnapshotCreatedDisk or SnapshotCreatedImage'
                % (copy_id, made, said['code'], said['message'], said['request_id'])
            )
        return finding

    def _disk_zone(self, region):
        """The first zone of ``region`` that lists cloud_essd among its AvailableDiskCategories (ecs DescribeZones,
        pay-as-you-go)."""
        answer = self.call('DescribeZones', region, {'RegionId': region, 'InstanceChargeType': 'PostPaid'})
        for zone in listed(answer, 'Zones', 'Zone'):
            if self.PROBE_DISK['DiskCategory'] in listed(zone, 'AvailableDiskCategories', 'DiskCategories'):
                return zone['ZoneId']
        raise SetupError(
            'no zone of %s offers %s disks (DescribeZones): set clouds.ecs.dr_zone'
            % (region, self.PROBE_DISK['DiskCategory'])
        )

    def _pages(self, action, region, params, outer, inner):
        """Every item of an ECS listing, by MaxResults and NextToken."""
        params = dict(params, RegionId=region, MaxResults=self.PAGE_SIZE)
        while True:
            answer = self.call(action, region, params)
            yield from listed(answer, outer, inner)
            if not answer.get('NextToken'):
                return
            params['NextToken'] = answer['NextToken']

    def resources(self):
        # DescribeDisks / DescribeSnapshots Tag.N.Key: the resources that carry the run tag, whatever its value. Disks
        # in the DR region too: the probe makes one there from the copy.
        run_tagged = {'Tag.1.Key': RUN_TAG}
        found = []
        for region in (self.dr, self.source):
            found.extend(
                _resource(
                    'ecs',
                    'disk',
                    disk['DiskId'],
                    region,
                    _alibaba_labels(disk, 'DiskName'),
                    disk.get('Status'),
                    attached_to=disk.get('InstanceId') or None,
                )
                for disk in self._pages('DescribeDisks', region, run_tagged, 'Disks', 'Disk')
            )
        for region in (self.dr, self.source):
            found.extend(
                _resource(
                    'ecs',
                    'snapshot',
                    snapshot['SnapshotId'],
                    region,
                    _alibaba_labels(snapshot, 'SnapshotName'),
                    snapshot.get('Status'),
                )
                for snapshot in self._pages('DescribeSnapshots', region, run_tagged, 'Snapshots', 'Snapshot')
            )
        return found

    def delete(self, resource):
        if resource.kind == 'snapshot':
            self.call('DeleteSnapshot', resource.region, {'SnapshotId': resource.id})  # ecs DeleteSnapshotRequest
            return
        if resource.state == 'In_use' and resource.attached_to:
            self._detach(resource.id, resource.attached_to)
        self.call('DeleteDisk', resource.region, {'DiskId': resource.id})  # ecs DeleteDiskRequest: an Available disk


class Ens(Cloud):
    name = 'ens'
    # DescribeDisksRequest PageSize: "Maximum value: 50"; DescribeSnapshots documents none.
    DISK_PAGE_SIZE = 50
    SNAPSHOT_PAGE_SIZE = 100
    # The probe's pages: 2 disks, so that a count of pages and one of disks differ from 2 disks on (with pages of 1
    # they are the same number); at most 60 pages, so a node of many disks costs seconds, not minutes.
    PROBE_PAGE_SIZE = 2
    PROBE_PAGES = 60

    def setup(self, run_id):
        node = self.source
        # ens CreateDisk (CreateDiskRequest): Category, EnsRegionId and InstanceChargeType (only PostPaid) are required;
        # Size in GiB; Tag.N. 20 GiB of cloud_efficiency, the smallest data disk ENS documents (CreateInstanceRequest
        # DataDisk: "at least 20 GiB"); the answer's InstanceIds hold the new disk's id.
        answer = self.call(
            'CreateDisk',
            node,
            {
                'EnsRegionId': node,
                'Category': 'cloud_efficiency',
                'Size': '20',
                'InstanceChargeType': 'PostPaid',
                'DiskName': run_id + '-disk',
                'Tag.1.Key': RUN_TAG,
                'Tag.1.Value': run_id,
            },
        )
        disk_id = answer['InstanceIds'][0]
        # ens DescribeDisks Status: In-use, Available, Attaching, Detaching, Creating, ReIniting, Deleting, ...
        # (DescribeDisksRequest).
        self.wait('disk %s' % disk_id, lambda: self._disk(disk_id), 'Status', ('Available',))
        # ens CreateSnapshot (CreateSnapshotRequest): EnsRegionId and DiskId required; the id comes back as a list,
        # SnapShotId.
        answer = self.call(
            'CreateSnapshot',
            node,
            {
                'EnsRegionId': node,
                'DiskId': disk_id,
                'SnapshotName': run_id + '-snapshot',
                'Description': '%s source snapshot' % run_id,
            },
        )
        snapshot_id = answer['SnapShotId'][0]
        # ens DescribeSnapshots Status: creating, available, deleting, error (DescribeSnapshotsResponseBody).
        self.wait(
            'snapshot %s' % snapshot_id,
            lambda: self._snapshot(snapshot_id),
            'Status',
            ('available',),
            ('error', 'deleting'),
        )
        return {'disk_id': disk_id, 'snapshot_id': snapshot_id}

    def _disk(self, disk_id):
        answer = self.call('DescribeDisks', self.source, {'EnsRegionId': self.source, 'DiskId': disk_id})
        return (listed(answer, 'Disks', 'Disks') or [{}])[0]

    def _snapshot(self, snapshot_id):
        answer = self.call('DescribeSnapshots', self.source, {'EnsRegionId': self.source, 'SnapshotId': snapshot_id})
        return (listed(answer, 'Snapshots', 'Snapshot') or [{}])[0]

    def _pages(self, action, node, page_size, outer, inner):
        """Every item of an ENS listing of one node, by PageNumber and PageSize until a page comes back short, as the
        collection reads them (core.paging.numbered_pages): TotalCount is documented as pages for DescribeDisks and as
        snapshots for DescribeSnapshots (ens-20171110 models), so it cannot tell where a listing ends."""
        number = 1
        while True:
            answer = self.call(action, node, {'EnsRegionId': node, 'PageNumber': number, 'PageSize': page_size})
            items = listed(answer, outer, inner)
            yield from items
            if len(items) < int(answer.get('PageSize') or page_size):
                return
            number += 1

    def probe(self, run_id, disk_id, copy_id):  # pylint: disable=unused-argument
        """What the live DescribeDisks' TotalCount counts. The ens-20171110 model (DescribeDisksResponseBody
        TotalCount): "The total number of pages for a paged query" (DescribeSnapshots': the number of snapshots). The
        collection no longer relies on it; this tells whoever runs the test whether the model is right. Every page of
        the source node is read until a short page (at most PROBE_PAGES) and TotalCount compared with the disks and
        pages found."""
        node, size = self.source, self.PROBE_PAGE_SIZE
        disks, total, pages, capped = [], None, 0, False
        while True:
            answer = self.call('DescribeDisks', node, {'EnsRegionId': node, 'PageNumber': pages + 1, 'PageSize': size})
            pages += 1
            items = listed(answer, 'Disks', 'Disks')
            disks.extend(item.get('DiskId') for item in items)
            if total is None:
                total, size = answer.get('TotalCount'), int(answer.get('PageSize') or size)
            if len(items) < size:
                break
            if pages == self.PROBE_PAGES:
                capped = True
                break
        finding = {
            'cloud': 'ens',
            'rule': 'DescribeDisks TotalCount: "The total number of pages for a paged query" (ens-20171110 model)',
            'node': node,
            'page_size': size,
            'pages_read': pages,
            'capped': capped,
            'total_count': total,
            'disks': len(disks),
            'run_disk_found': disk_id in disks,
        }
        if self.client.dry_run:
            finding.update(
                total_count=None,
                disks=None,
                run_disk_found=None,
                counts=None,
                finding='dry run: DescribeDisks not asked',
            )
            return finding
        counts = self._what_total_counts(total, len(disks), size, capped)
        finding['counts'] = counts
        finding['finding'] = (
            'ENS DescribeDisks on %s: TotalCount = %s for %s%d disks (pages of %d, %s): it counts %s; the run\'s disk %s %s'
            % (
                node,
                total,
                'at least ' if capped else '',
                len(disks),
                size,
                'read up to %d pages, the cap' % pages if capped else 'read until a short page',
                counts,
                disk_id,
                'was among them' if disk_id in disks else 'was NOT among them',
            )
        )
        return finding

    @staticmethod
    def _what_total_counts(total, count, size, capped):
        if not isinstance(total, int) or isinstance(total, bool):
            return 'cannot tell (no TotalCount in the answer)'
        if capped:
            # At least ``count`` disks: a smaller total cannot count them.
            return 'pages' if total < count else 'cannot tell (more disks than the pages read hold)'
        pages = math.ceil(count / size)
        if count == pages:
            return 'cannot tell (%s disk on the node)' % ('one' if count == 1 else 'no')
        if total == count:
            return 'disks'
        if total == pages:
            return 'pages'
        return 'neither (%d disks in %d pages)' % (count, pages)

    def resources(self):
        # ENS listings have no tag filter, and ENS snapshots have no tags: every disk and snapshot of the
        # nodes is a candidate, told apart by its run tag (disks), name and description.
        found = [
            _resource('ens', 'disk', disk['DiskId'], self.source, _alibaba_labels(disk, 'DiskName'), disk.get('Status'))
            for disk in self._pages('DescribeDisks', self.source, self.DISK_PAGE_SIZE, 'Disks', 'Disks')
        ]
        for node in (self.dr, self.source):
            found.extend(
                _resource(
                    'ens',
                    'snapshot',
                    snapshot['SnapshotId'],
                    node,
                    _alibaba_labels(snapshot, 'SnapshotName'),
                    snapshot.get('Status'),
                )
                for snapshot in self._pages('DescribeSnapshots', node, self.SNAPSHOT_PAGE_SIZE, 'Snapshots', 'Snapshot')
            )
        return found

    def delete(self, resource):
        if resource.kind == 'snapshot':
            self.call('DeleteSnapshot', resource.region, {'SnapshotId': resource.id})  # ens DeleteSnapshotRequest
        else:
            self.call('DeleteDisk', resource.region, {'DiskId': resource.id})  # ens DeleteDiskRequest


class Cbs(Cloud):
    name = 'cbs'
    # In order of preference: the cheaper per GiB first (Tencent's price list); both are data disks of
    # CreateDisksRequest DiskType.
    DISK_TYPES = ('CLOUD_PREMIUM', 'CLOUD_BSSD')
    # DescribeDisksRequest / DescribeSnapshotsRequest Limit: "最大值为100".
    PAGE_SIZE = 100

    def setup(self, run_id):
        disk_type, size = self._smallest_disk()
        tags = [{'Key': RUN_TAG, 'Value': run_id}]
        # cbs CreateDisks (CreateDisksRequest): Placement.Zone, DiskChargeType POSTPAID_BY_HOUR, DiskType, DiskSize
        # (GiB), DiskName (at most 60 bytes), Tags; the answer's DiskIdSet holds the new id.
        answer = self.call(
            'CreateDisks',
            self.source,
            {
                'Placement': {'Zone': self.settings.zone},
                'DiskChargeType': 'POSTPAID_BY_HOUR',
                'DiskType': disk_type,
                'DiskSize': size,
                'DiskName': run_id + '-disk',
                'Tags': tags,
            },
        )
        disk_id = answer['DiskIdSet'][0]
        # cbs Disk.DiskState: UNATTACHED once made (CreateDisks is asynchronous).
        disk = self.wait('disk %s' % disk_id, lambda: self._disk(disk_id), 'DiskState', ('UNATTACHED',))
        # cbs CreateSnapshot works only for disks whose Disk.SnapshotAbility is true.
        if not disk.get('SnapshotAbility'):
            raise SetupError(
                'disk %s cannot be snapshotted (Disk.SnapshotAbility is false): try another clouds.cbs.zone' % disk_id
            )
        # cbs CreateSnapshot (CreateSnapshotRequest): DiskId, SnapshotName, Tags.
        snapshot_id = self.call(
            'CreateSnapshot', self.source, {'DiskId': disk_id, 'SnapshotName': run_id + '-snapshot', 'Tags': tags}
        )['SnapshotId']
        # cbs Snapshot.SnapshotState: NORMAL, CREATING, ROLLBACKING, COPYING_FROM_REMOTE, CHECKING_COPIED, TORECYCLE.
        self.wait(
            'snapshot %s' % snapshot_id,
            lambda: self._snapshot(snapshot_id),
            'SnapshotState',
            ('NORMAL',),
            ('TORECYCLE',),
        )
        return {'disk_id': disk_id, 'snapshot_id': snapshot_id}

    def _smallest_disk(self):
        """The first of DISK_TYPES offered for pay-as-you-go data disks in the zone, and its minimum size."""
        zone = self.settings.zone
        # cbs DescribeDiskConfigQuota (DescribeDiskConfigQuotaRequest): INQUIRY_CBS_CONFIG in one zone; the answer's
        # DiskConfig.MinDiskSize is in GiB. DiskTypes is not sent: its documented values leave out CLOUD_BSSD.
        answer = self.call(
            'DescribeDiskConfigQuota',
            self.source,
            {
                'InquiryType': 'INQUIRY_CBS_CONFIG',
                'Zones': [zone],
                'DiskChargeType': 'POSTPAID_BY_HOUR',
                'DiskUsage': 'DATA_DISK',
            },
        )
        offered = {
            config.get('DiskType'): config
            for config in answer.get('DiskConfigSet') or ()
            if config.get('Available') and config.get('Zone') == zone
        }
        for disk_type in self.DISK_TYPES:
            if disk_type in offered:
                size = offered[disk_type].get('MinDiskSize')
                if not isinstance(size, int) or not 0 < size <= MAX_TEST_DISK_GIB:
                    raise SetupError(
                        'CBS gives %r GiB as the smallest %s disk in %s; refusing to make a test disk of that size'
                        % (size, disk_type, zone)
                    )
                return disk_type, size
        raise SetupError(
            'zone %s offers no pay-as-you-go %s data disk (DescribeDiskConfigQuota): choose another clouds.cbs.zone'
            % (zone, ' or '.join(self.DISK_TYPES))
        )

    def _disk(self, disk_id):
        return (self.call('DescribeDisks', self.source, {'DiskIds': [disk_id]}).get('DiskSet') or [{}])[0]

    def _snapshot(self, snapshot_id):
        return (self.call('DescribeSnapshots', self.source, {'SnapshotIds': [snapshot_id]}).get('SnapshotSet') or [{}])[
            0
        ]

    def _pages(self, action, region, params, key):
        """Every item of a CBS listing, by Offset and Limit against TotalCount."""
        offset = 0
        while True:
            answer = self.call(action, region, dict(params, Offset=offset, Limit=self.PAGE_SIZE))
            items = answer.get(key) or []
            yield from items
            offset += len(items)
            if not items or offset >= int(answer.get('TotalCount') or 0):
                return

    def resources(self):
        # DescribeDisks documents a tag-key filter; DescribeSnapshots no tag filter, so every snapshot is a candidate.
        disks = self._pages(
            'DescribeDisks', self.source, {'Filters': [{'Name': 'tag-key', 'Values': [RUN_TAG]}]}, 'DiskSet'
        )
        found = [
            _resource(
                'cbs',
                'disk',
                disk['DiskId'],
                self.source,
                (*tag_values(disk.get('Tags')), disk.get('DiskName')),
                disk.get('DiskState'),
            )
            for disk in disks
        ]
        for region in (self.dr, self.source):
            found.extend(
                _resource(
                    'cbs',
                    'snapshot',
                    snapshot['SnapshotId'],
                    region,
                    (*tag_values(snapshot.get('Tags')), snapshot.get('SnapshotName')),
                    snapshot.get('SnapshotState'),
                )
                for snapshot in self._pages('DescribeSnapshots', region, {}, 'SnapshotSet')
            )
        return found

    def delete(self, resource):
        if resource.kind == 'snapshot':
            self.call('DeleteSnapshots', resource.region, {'SnapshotIds': [resource.id]})  # cbs DeleteSnapshotsRequest
        else:
            self.call('TerminateDisks', resource.region, {'DiskIds': [resource.id]})  # cbs TerminateDisksRequest


CLOUDS = {cloud.name: cloud for cloud in (Aws, Ecs, Ens, Cbs)}
# The clouds with a probe (real_account.py probe).
PROBED = tuple(name for name, cloud in CLOUDS.items() if hasattr(cloud, 'probe'))


def _alibaba_labels(item, name_field):
    return (*tag_values(item.get('Tags')), item.get(name_field), item.get('Description'))


def _resource(cloud, kind, resource_id, region, labels, state, attached_to=None):
    return Resource(
        cloud, kind, resource_id, region, tuple(label for label in labels if label), state or '', attached_to
    )
