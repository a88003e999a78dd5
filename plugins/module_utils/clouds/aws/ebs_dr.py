# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/aws/ebs.py) with the DR
run's capabilities (dr/capabilities.py): disks and their snapshots, pruning, the restore drill, locks, and a separate DR
account whose copies are made from source snapshots shared with it (createVolumePermission), held by the run's leases
(dr/leases/shares.py).

A DR copy is found as any copy is (the ``snapcopy:source`` tag); it also carries ``snapcopy:disk`` and, from the worker
that made it, its own id in ``snapcopy:copy`` (the copy adapter's start_copy), which pruning takes for proof that a DR
run made it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import FATAL, INVALID, NOT_FOUND, CloudError, InputError
from ...core.model import (
    ATTACHED,
    ATTACHING,
    COMPLETED,
    COMPLIANCE,
    DELETING,
    DETACHING,
    FAILED,
    GOVERNANCE,
    PENDING,
    USABLE,
    CopyRequest,
    Disk,
    DrillDisk,
    DrillHost,
    LockSettings,
    Snapshot,
    SnapshotLock,
)
from ...core.paging import token_pages
from ...core.tagging import (
    RESTORE_RUN_TAG,
    SET_TAG,
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
    SOURCE_TAG,
    tag_dict,
    tag_filters,
    tag_list,
)
from ...dr.capabilities import (
    BlockReadAdapter,
    CompletedSnapshotsAdapter,
    DrAccountAdapter,
    DrAdapter,
    DrillHostAdapter,
    LookAlikeSet,
    RestoreDrillAdapter,
    SetReading,
    SnapshotLockAdapter,
    SnapshotSetAdapter,
)
from ...dr.leases.shares import OneSourceShareCalls, ShareLeases, SharesHeldByLeases
from ...dr.verify import BLOCK_BYTES, BLOCKS_PER_PAGE
from .client import AccountRouter, AwsClient
from .ebs import FILTER_CHUNK, TAG_RULES, EbsCopyAdapter, snapshot_tag_specification

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms

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
# CreateSnapshots' ExcludeDataVolumeIds: "up to 40 volume IDs per request" (ec2 2016-11-15 InstanceSpecification).
MAX_EXCLUDED_VOLUMES = 40
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


# The tag DLM puts on the snapshots its policies make, naming the policy (DLM user guide, "Tag snapshots and AMIs":
# aws:dlm:lifecycle-policy-id), and PolicyDetails.ResourceTypes' value for multi-volume snapshots (dlm 2018-01-12).
DLM_POLICY_TAG = 'aws:dlm:lifecycle-policy-id'
DLM_INSTANCE = 'INSTANCE'
#: How a set of EBS snapshots is marked so that the run counts it (issue 61): every surface that calls snapshots no set
#: says so.
HOW_TO_MARK_A_SET = (
    'A set counts when made by CreateSnapshots with the run\'s set tag (snapcopy:set: max_snapshot_age_hours has the '
    'run make one), by a DLM policy whose resource type is INSTANCE, or by your own tooling with a tag whose key '
    'consistency_set_tag names and whose value the snapshots of one set share and no other has (TagSpecifications on '
    'CreateSnapshots)'
)


# One public method per call of its capabilities, one abstract class per capability (engine/capabilities.py,
# dr/capabilities.py), each small.
class EbsAdapter(  # pylint: disable=too-many-public-methods,too-many-ancestors
    EbsCopyAdapter,
    SharesHeldByLeases,
    DrAdapter,
    RestoreDrillAdapter,
    SnapshotLockAdapter,
    DrAccountAdapter,
    OneSourceShareCalls,
    CompletedSnapshotsAdapter,
    SnapshotSetAdapter,
    BlockReadAdapter,
    DrillHostAdapter,
):
    # EBS refuses a 21st copy in flight to one region (ResourceLimitExceeded).
    max_copies_in_flight = 20
    copy_tag_rules = TAG_RULES
    # CreateTags takes many resources (the leases' batches too).
    copies_per_tag_call = FILTER_CHUNK
    # The restore drill: gp3 costs least per GiB of the SSD types and is sold in every region.
    restore_disk_type = 'gp3'
    restore_disk_types = tuple(VOLUME_MINIMUM_GIB)
    # CreateVolume takes a ClientToken.
    create_disk_call_is_idempotent = True
    # LockSnapshot (EC2 model): governance or compliance, LockDuration 1-36,500 days; CoolOffPeriod 1-72 h, compliance
    # only (0 here: not sent). No ClientToken: after a lost answer the run reads the lock back first.
    # DescribeLockedSnapshots' MaxResults is 5-1,000. A pending snapshot can be locked, its lock's duration starting
    # once it is completed (LockedSnapshotsInfo.LockDurationStartTime; the EBS guide's "Lock a snapshot": "pending or
    # completed state").
    lock_modes = (GOVERNANCE, COMPLIANCE)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    ids_per_lock_describe = FILTER_CHUNK

    def __init__(self, client: AwsClient) -> None:
        super().__init__(client)
        # With dr_account: the DR account's id, and each source's KMS key checked once (None: shareable, else why not).
        self.dr_account: str | None = None
        self._key_refusals: dict[str, str | None] = {}
        # The device each drill disk was given, by (region, instance): a DescribeInstances right after an AttachVolume
        # may not show it yet (EC2's eventual consistency), and the next disk must not be given it again.
        self._devices_given: dict[tuple[str, str], dict[str, str]] = {}
        self._devices_lock = threading.Lock()
        # Whether each DLM policy read targets instances, by (region, policy id): read once.
        self._dlm_policies: dict[tuple[str, str], bool] = {}
        self._dlm_lock = threading.Lock()

    # ------------------------------------------------------------------ a separate DR account (dr_account)
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # The same calls, each sent to the account that holds the region's snapshots (AccountRouter).
        self.client = cast(
            'AwsClient',
            AccountRouter(
                self.client,
                AwsClient(connection, botocore_module=self.client.botocore, retry=self.client.retry),
                source_region,
            ),
        )
        self.dr_account = account

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """With dr_account, an encrypted source must be encrypted with a customer managed key: the AWS managed key
        (aws/ebs) cannot be shared with another account ("Share a snapshot", EBS user guide). Read once per key
        (KMS DescribeKey); whether the key's policy lets the DR account use it shows when the DR account copies."""
        if self.dr_account is None or not source.encrypted:
            return
        key = cast('str | None', source.extra.get('kms_key_id'))
        if key not in self._key_refusals:
            manager = (
                self.client.call_service('kms', source.region, 'DescribeKey', KeyId=key)['KeyMetadata'].get(
                    'KeyManager'
                )
                if key
                else 'AWS'
            )
            self._key_refusals[cast('str', key)] = (
                None
                if manager == 'CUSTOMER'
                else (
                    'source snapshot %s is encrypted with the AWS managed key %s (alias aws/ebs), which cannot be shared with another '
                    'account: the DR account %s cannot copy it. Encrypt the disk with a customer managed key whose policy lets the DR '
                    'account use it (docs/vault.md)' % (source.id, key or 'of EBS', self.dr_account)
                )
            )
        refusal = self._key_refusals[cast('str', key)]
        if refusal:
            raise CloudError('CopySnapshot', 'AwsManagedKeyNotShareable', refusal, kind=INVALID, region=source.region)

    def start_dr_run(self, terms: LeaseTerms) -> None:
        self.shares = ShareLeases(self, account=cast('str', self.dr_account), terms=terms)

    # The calls of a share (dr.leases.shares.OneSourceShareCalls), in the source account but for copies_in_flight (AccountRouter).
    def is_shared(self, source_region: str, snapshot_id: str) -> bool:
        answer = self.client.call(
            source_region, 'DescribeSnapshotAttribute', SnapshotId=snapshot_id, Attribute='createVolumePermission'
        )
        return self.dr_account in {permission.get('UserId') for permission in answer.get('CreateVolumePermissions', [])}

    def share(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'add')

    def unshare(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'remove')

    def _modify_share(self, source_region: str, snapshot_id: str, operation: str) -> None:
        self.client.call(
            source_region,
            'ModifySnapshotAttribute',
            SnapshotId=snapshot_id,
            Attribute='createVolumePermission',
            OperationType=operation,
            UserIds=[self.dr_account],
        )

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        region = copies[0].region
        self.client.call(region, 'CreateTags', Resources=[copy.id for copy in copies], Tags=tag_list(tags))
        for copy in copies:
            copy.tags.update(tags)
        return {}

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # DeleteTags: up to 1,000 resources and 1,000 tags a call (EC2 2016-11-15 DeleteTagsRequest); a key without a
        # value goes whatever its value, and one a copy does not carry is no error.
        region = copies[0].region
        self.client.call(
            region, 'DeleteTags', Resources=[copy.id for copy in copies], Tags=[{'Key': key} for key in keys]
        )
        for copy in copies:
            for key in keys:
                copy.tags.pop(key, None)
        return {}

    # Tags of source snapshots (dr.leases.source_tags.SourceTagCalls: copy and share leases), a batch a call.
    sources_per_tag_call = FILTER_CHUNK

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(
                source_region,
                'CreateTags',
                Resources=list(snapshot_ids[start : start + FILTER_CHUNK]),
                Tags=tag_list(dict(tags)),
            )

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        found = self._describe_by_filter(source_region, 'snapshot-id', snapshot_ids, owned=True)
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(
                source_region,
                'DeleteTags',
                Resources=list(snapshot_ids[start : start + FILTER_CHUNK]),
                Tags=[{'Key': key} for key in keys],
            )

    def leased_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        # EC2's filter values take wildcards ("*" matches any characters: EC2 user guide, "Filter resources"). One value
        # a listing: moto 5.2, which the tests run against, takes several values of a tag-key filter as a set, not
        # any-of.
        found: dict[str, Snapshot] = {}
        for key in (SHARE_TAG, SHARE_LEASE_TAG_PREFIX + '*'):
            found.update(self._describe_by_filter(source_region, 'tag-key', [key], owned=True))
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        in_flight: set[str] = set()
        for region in regions:
            copies = self._describe_by_filter(
                region,
                'tag:' + SOURCE_TAG,
                ['%s/%s' % (source_region, snapshot_id) for snapshot_id in snapshot_ids],
                owned=True,
            )
            in_flight |= {copy.tags[SOURCE_TAG].partition('/')[2] for copy in copies.values() if copy.state == PENDING}
        return in_flight

    # ------------------------------------------------------------------ for the DR run
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        disks = []
        for item in self._volume_items(region, {'Filters': tag_filters(tag_selector)}):
            tags = tag_dict(item.get('Tags'))
            attached = [attachment.get('InstanceId') for attachment in item.get('Attachments') or []]
            disks.append(
                Disk(
                    item['VolumeId'],
                    region,
                    name=tags.get('Name'),
                    size=item.get('Size'),
                    tags=tags,
                    instance_id=next((instance for instance in attached if instance), None),
                )
            )
        return disks

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        found: dict[str, list[Snapshot]] = {}
        for snapshot in self._describe_by_filter(
            region, 'volume-id', sorted(disk.id for disk in disks), owned=True
        ).values():
            found.setdefault(cast(str, snapshot.volume_id), []).append(snapshot)
        return found

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # The account's completed snapshots of the region, 1,000 a page (DescribeSnapshots' status filter): the
        # volume-id filter would take a call per 200 disks.
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe_by_filter(region, 'status', ['completed'], owned=True).values()
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: Mapping[str, str] | None
    ) -> Snapshot:
        tags = dict(tags or {})
        if name:
            tags['Name'] = name
        arguments: dict[str, Any] = {'VolumeId': disk.id, 'Description': description or ''}
        if tags:
            arguments['TagSpecifications'] = snapshot_tag_specification(tags)
        return self.snapshot(self.client.call(region, 'CreateSnapshot', **arguments), region)

    def list_copies(self, destination: str) -> list[Snapshot]:
        return list(self._describe_by_filter(destination, 'tag-key', [SOURCE_TAG], owned=True).values())

    # ------------------------------------------------------------------ consistency groups (issue 49, dr/groups.py)
    # A set is the snapshots of one CreateSnapshots call. EC2 names no set: their StartTime is "the same for all
    # snapshots initiated by the same request" (ec2 2016-11-15 SnapshotInfo.StartTime), but the reverse does not hold:
    # EBS dates snapshots to the second, so snapshots taken one by one in one second with one description (our parallel
    # fresh snapshots, a DLM volume policy's) look the same (issue 61). A set counts only with evidence that one request
    # made it: our SET_TAG, given by TagSpecifications on CreateSnapshots from the snapshots' first moment; a DLM policy
    # that targets instances (GetLifecyclePolicy, PolicyDetails.ResourceTypes INSTANCE: "use INSTANCE to create
    # multi-volume snapshots from the volumes for an instance", dlm 2018-01-12) named by the snapshots'
    # aws:dlm:lifecycle-policy-id, with one StartTime and one instance; or the user's consistency_set_tag, a key whose
    # value the snapshots of one set share and no other has.
    # ------------------------------------------------------------------ blocks (issue 50, dr/verify.py)
    # ------------------------------------------------------------------ blocks (issue 50, dr/verify.py)
    def snapshot_blocks(self, region: str, snapshot_id: str) -> dict[int, str]:
        """ListSnapshotBlocks of the EBS direct APIs (ebs 2019-11-02), 10,000 blocks a page."""
        blocks = token_pages(
            lambda page: self.client.call_service('ebs', region, 'ListSnapshotBlocks', **page),
            {'SnapshotId': snapshot_id},
            lambda answer: answer.get('Blocks') or [],
            BLOCKS_PER_PAGE,
            action='ListSnapshotBlocks',
            region=region,
        )
        return {int(block['BlockIndex']): str(block['BlockToken']) for block in blocks}

    def block_checksum(self, region: str, snapshot_id: str, index: int, token: str) -> str:
        """GetSnapshotBlock: the block's data hashed here, and held to the x-amz-Checksum EBS sent (SHA256, base64:
        GetSnapshotBlockResponse.Checksum)."""
        answer = self.client.call_service(
            'ebs', region, 'GetSnapshotBlock', SnapshotId=snapshot_id, BlockIndex=index, BlockToken=token
        )
        data = answer['BlockData'].read()
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode('ascii')
        if answer.get('Checksum') and answer['Checksum'] != checksum:
            raise CloudError(
                'GetSnapshotBlock',
                'ChecksumMismatch',
                'block %d of %s: the data read does not match the checksum EBS sent with it' % (index, snapshot_id),
                kind=FATAL,
                region=region,
            )
        return checksum

    def changed_blocks(self, region: str, first_id: str, second_id: str) -> tuple[int, int]:
        """ListChangedBlocks of the EBS direct APIs, 10,000 blocks a page; the disk's blocks from VolumeSize (GiB) and
        BlockSize, which every page carries."""
        sizes: list[int] = []

        def changed(answer: dict[str, Any]) -> list[dict[str, Any]]:
            sizes.append(int(answer.get('VolumeSize') or 0) * (1 << 30) // int(answer.get('BlockSize') or BLOCK_BYTES))
            return answer.get('ChangedBlocks') or []

        count = sum(
            1
            for dummy in token_pages(
                lambda page: self.client.call_service('ebs', region, 'ListChangedBlocks', **page),
                {'FirstSnapshotId': first_id, 'SecondSnapshotId': second_id},
                changed,
                BLOCKS_PER_PAGE,
                action='ListChangedBlocks',
                region=region,
            )
        )
        return count, max(sizes, default=0)

    def snapshot_sets(
        self, region: str, disks: list[Disk], snapshots: Mapping[str, Sequence[Snapshot]]
    ) -> dict[str, str]:
        return dict(self.read_sets(region, disks, snapshots).sets)

    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        # The tags and start times are in what disk_snapshots read; a DLM policy is read once a run and region.
        sets: dict[str, str] = {}
        unproven: dict[tuple[str, str, str], list[str]] = {}
        for disk in disks:
            for snapshot in snapshots.get(disk.id, ()):
                set_id = self._evidence_set(region, disk, snapshot, set_tag)
                if set_id is not None:
                    sets[snapshot.id] = set_id
                elif snapshot.created and disk.instance_id:
                    key = (disk.instance_id, snapshot.created, snapshot.description or '')
                    unproven.setdefault(key, []).append(snapshot.id)
        return SetReading(
            sets=sets,
            look_alikes=tuple(
                LookAlikeSet(tuple(sorted(ids)), look_alike_why(ids, created))
                for (dummy, created, dummy_description), ids in sorted(unproven.items())
                if len(ids) > 1
            ),
        )

    def _evidence_set(self, region: str, disk: Disk, snapshot: Snapshot, set_tag: str | None) -> str | None:
        """The set ``snapshot`` is of by the evidence it carries (None: none)."""
        if snapshot.tags.get(SET_TAG):
            return own_set_id(region, snapshot.tags[SET_TAG])
        if set_tag and snapshot.tags.get(set_tag):
            digest = hashlib.sha256(('%s\0%s' % (set_tag, snapshot.tags[set_tag])).encode('utf-8')).hexdigest()[:16]
            return '%s/tag/%s' % (region, digest)
        policy_id = snapshot.tags.get(DLM_POLICY_TAG)
        if policy_id and snapshot.created and disk.instance_id and self._dlm_targets_instances(region, policy_id):
            return '%s/dlm/%s/%s/%s' % (region, policy_id, disk.instance_id, snapshot.created)
        return None

    def _dlm_targets_instances(self, region: str, policy_id: str) -> bool:
        """Whether the DLM policy ``policy_id`` snapshots instances (PolicyDetails.ResourceTypes holds INSTANCE:
        multi-volume snapshots, one CreateSnapshots a run of it); one read a policy. A policy gone (deleted since:
        ResourceNotFoundException) is no evidence."""
        key = (region, policy_id)
        with self._dlm_lock:
            known = self._dlm_policies.get(key)
        if known is not None:
            return known
        try:
            answer = self.client.call_service('dlm', region, 'GetLifecyclePolicy', PolicyId=policy_id)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            answer = {}
        details = (answer.get('Policy') or {}).get('PolicyDetails') or {}
        targets = DLM_INSTANCE in (details.get('ResourceTypes') or [])
        with self._dlm_lock:
            self._dlm_policies[key] = targets
        return targets

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        instance_id = cast(str, self.set_instance(disks))
        # CreateSnapshots snapshots every volume attached to the instance but those it is told to leave out: the
        # instance's other volumes are read (DescribeVolumes), and the root volume among them (DescribeInstanceAttribute
        # rootDeviceName) only when there are others, for it is left out by ExcludeBootVolume alone ("If you specify
        # the ID of the root volume, the request fails", InstanceSpecification.ExcludeDataVolumeIds).
        devices = {
            cast(str, item['VolumeId']): attachment.get('Device')
            for item in self._volume_items(
                region, {'Filters': [{'Name': 'attachment.instance-id', 'Values': [instance_id]}]}
            )
            for attachment in item.get('Attachments') or []
            if attachment.get('InstanceId') == instance_id
        }
        wanted = {disk.id for disk in disks}
        if not wanted <= set(devices):
            raise InputError(
                'disks',
                'the volumes %s are not attached to the instance %s (any more): CreateSnapshots snapshots the volumes '
                'attached to one instance' % (', '.join(sorted(wanted - set(devices))), instance_id),
            )
        others = sorted(set(devices) - wanted)
        specification: dict[str, Any] = {'InstanceId': instance_id}
        if others:
            answer = self.client.call(
                region, 'DescribeInstanceAttribute', InstanceId=instance_id, Attribute='rootDeviceName'
            )
            root = (answer.get('RootDeviceName') or {}).get('Value')
            data = [volume for volume in others if devices[volume] != root]
            if len(data) < len(others):
                specification['ExcludeBootVolume'] = True
            if len(data) > MAX_EXCLUDED_VOLUMES:
                raise InputError(
                    'disks',
                    'the instance %s has %d other data volumes attached; CreateSnapshots leaves out at most %d'
                    % (instance_id, len(data), MAX_EXCLUDED_VOLUMES),
                )
            if data:
                specification['ExcludeDataVolumeIds'] = data
        # The set's tag from its first moment (TagSpecifications): the evidence that one request made these snapshots.
        mark = 'snapcopy-%s' % uuid.uuid4().hex[:16]
        tags = dict(tags or {}, **{SET_TAG: mark})
        if name:
            tags['Name'] = name
        arguments: dict[str, Any] = {
            'InstanceSpecification': specification,
            'Description': description or '',
            'TagSpecifications': snapshot_tag_specification(tags),
        }
        answer = self.client.call(region, 'CreateSnapshots', **arguments)
        made = [self.snapshot(item, region) for item in answer.get('Snapshots') or []]
        if not made or not made[0].created:
            raise CloudError(
                'CreateSnapshots',
                'InvalidResponse',
                'the answer names no snapshot with its start time',
                kind=FATAL,
                region=region,
            )
        return own_set_id(region, mark), made

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call(region, 'DeleteSnapshot', SnapshotId=snapshot_id)

    # ------------------------------------------------------------------ for the restore drill
    def restore_zones(self, region: str, disk_type: str) -> list[str]:  # pylint: disable=unused-argument  # every zone makes every type
        # Availability zones only: Local Zones and Wavelength Zones are opted into and sell fewer volume types.
        answer = self.client.call(region, 'DescribeAvailabilityZones')
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
        return self.test_disk(self.client.call(region, 'CreateVolume', **arguments), region)

    def describe_test_disks(self, region: str, disk_ids: Iterable[str]) -> dict[str, DrillDisk]:
        # By filter, not VolumeIds: an id that is not (yet, or any more) there is left out instead of failing the call.
        return {disk.id: disk for disk in self._volumes(region, 'volume-id', sorted(disk_ids))}

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        return self._volumes(region, 'tag-key', [RESTORE_RUN_TAG])

    def _volumes(self, region: str, name: str, values: Sequence[str]) -> list[DrillDisk]:
        volumes: list[DrillDisk] = []
        for start in range(0, len(values), FILTER_CHUNK):
            arguments: dict[str, Any] = {
                'Filters': [{'Name': name, 'Values': list(values[start : start + FILTER_CHUNK])}]
            }
            volumes.extend(self.test_disk(item, region) for item in self._volume_items(region, arguments))
        return volumes

    def _volume_items(self, region: str, arguments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeVolumes item in ``region`` for ``arguments``, all pages."""
        return token_pages(
            lambda page: self.client.call(region, 'DescribeVolumes', **page),
            arguments,
            lambda answer: answer.get('Volumes', []),
            VOLUME_PAGE_SIZE,
            action='DescribeVolumes',
            region=region,
        )

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.client.call(region, 'DeleteVolume', VolumeId=disk_id)

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
            self.client.call(region, 'AttachVolume', VolumeId=disk_id, InstanceId=instance_id, Device=device)
        except CloudError as error:
            if not error.uncertain:  # refused: the device is not the disk's
                self._forget_device(region, disk_id, instance_id)
            raise

    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        try:
            self.client.call(region, 'DetachVolume', VolumeId=disk_id, InstanceId=instance_id)
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
        answer = self.client.call(region, 'DescribeInstances', InstanceIds=[instance_id])
        for reservation in answer.get('Reservations') or []:
            for instance in reservation.get('Instances') or []:
                if instance.get('InstanceId') == instance_id:
                    return cast('dict[str, Any]', instance)
        raise CloudError(
            'DescribeInstances',
            'InvalidInstanceID.NotFound',
            "The instance ID '%s' does not exist" % instance_id,
            kind=NOT_FOUND,
            region=region,
        )

    # ------------------------------------------------------------------ locks
    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        # By ids, without MaxResults (DescribeSnapshots refuses the two together; the lock call's reference is silent),
        # following a NextToken should EC2 page all the same.
        locks: dict[str, SnapshotLock] = {}
        arguments: dict[str, Any] = {'SnapshotIds': list(snapshot_ids)}
        while True:
            answer = self.client.call(region, 'DescribeLockedSnapshots', **arguments)
            locks.update((item['SnapshotId'], ebs_lock(item)) for item in answer.get('Snapshots', []))
            if not answer.get('NextToken') or answer['NextToken'] == arguments.get('NextToken'):
                return locks
            arguments['NextToken'] = answer['NextToken']

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        arguments: dict[str, Any] = {
            'SnapshotId': snapshot_id,
            'LockMode': lock.mode,
            'LockDuration': lock.duration_days,
        }
        if lock.cool_off_hours:
            arguments['CoolOffPeriod'] = lock.cool_off_hours
        return ebs_lock(self.client.call(region, 'LockSnapshot', **arguments))

    @staticmethod
    def test_disk(item: Mapping[str, Any], region: str) -> DrillDisk:
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


def own_set_id(region: str, mark: str) -> str:
    """The id of the set the collection made (CreateSnapshots with SET_TAG ``mark`` on every snapshot)."""
    return '%s/%s' % (region, mark)


def look_alike_why(snapshot_ids: Sequence[str], created: str) -> str:
    """Why snapshots of one instance sharing a start time and a description are no set, and how to mark one."""
    return (
        'snapshots %s share a start time (%s) and a description, but nothing says one request made them: EBS dates '
        'snapshots to the second, and snapshots taken one by one look the same, so they are no set. %s'
        % (', '.join(sorted(snapshot_ids)), created, HOW_TO_MARK_A_SET)
    )


def device_letters(name: str) -> str:
    """The drive letters of a device name: f of /dev/sdf, /dev/xvdf, xvdf and /dev/sdf1 (DRILL_DEVICES); the name itself
    when it has none."""
    match = DEVICE_NAME.fullmatch(name)
    return match.group(1) if match else name


def iso_time(value: Any) -> str | None:
    """A time botocore parsed (a datetime) as ISO 8601 text; text and None as they are."""
    return str(value.isoformat()) if hasattr(value, 'isoformat') else None if value is None else str(value)


def ebs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as LockSnapshot and DescribeLockedSnapshots answer it (LockState governance, compliance,
    compliance-cooloff or expired); the mode of a compliance lock in its cool-off is compliance, and an expired lock's
    is not told."""
    state = item.get('LockState')
    mode = GOVERNANCE if state == GOVERNANCE else COMPLIANCE if state in (COMPLIANCE, 'compliance-cooloff') else None
    return SnapshotLock(
        mode,
        state != 'expired',
        expires=iso_time(item.get('LockExpiresOn')),
        cool_off_ends=iso_time(item.get('CoolOffPeriodExpiresOn')),
        cloud_status=state,
    )
