# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/alibaba/ecs.py)
with the DR run's capabilities (dr/capabilities.py): disks and their snapshots, pruning, the restore drill and its drill
host (DescribeInstances, AttachDisk, DetachDisk), locks, and a separate DR account (clouds/alibaba/ecs_dr_account.py),
whose shares the run's leases hold (dr/leases/shares.py). How copies are found, and why the DR run lists a region page by page:
clouds/alibaba/ecs.py.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import NOT_FOUND, RETRYABLE, CloudError, InputError
from ...core.model import (
    ATTACHED,
    ATTACHING,
    COMPLETED,
    COMPLIANCE,
    DETACHING,
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
from ...core.tagging import RESTORE_RUN_TAG, SOURCE_TAG, numbered_tags, string_tags, tag_dict
from ...dr.capabilities import (
    CompletedSnapshotsAdapter,
    DrAccountAdapter,
    DrAdapter,
    DrillHostAdapter,
    RestoreDrillAdapter,
    SnapshotLockAdapter,
    SnapshotSetAdapter,
)
from ...dr.leases.shares import ShareLeases, SharesHeldByLeases
from ...dr.locks import retention_refusal
from .answers import listed, snapshots_by_disk, tagged_disks
from .client import AlibabaAccountRouter, AlibabaClient, numbered
from .ecs import (
    CLIENT_TOKEN_PREFIX,
    ID_CHUNK,
    REQUEST_PACKAGE,
    SNAPSHOT_PAGE_SIZE,
    STATE_MAP,
    EcsCopyAdapter,
    ecs_endpoint,
)
from .ecs_dr_account import EcsDrAccount
from .validate import TAG_RULES

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms

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


def ecs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as DescribeLockedSnapshots and LockSnapshot answer it (LockStatus compliance-cooloff, compliance or
    expired)."""
    return SnapshotLock(
        item.get('LockMode') or COMPLIANCE,
        item.get('LockStatus') != 'expired',
        expires=item.get('LockExpiredTime') or None,
        cool_off_ends=item.get('CoolOffPeriodExpiredTime') or None,
        cloud_status=item.get('LockStatus'),
    )


# UntagResources' TagKey.N: up to 20 (ecs-20140526 UntagResourcesRequest).
UNTAG_KEYS_PER_CALL = 20
# DescribeSnapshotGroups' MaxResults: 1 to 100 (ecs-20140526 DescribeSnapshotGroupsRequest).
GROUP_PAGE_SIZE = 100
# Up to this many instances, a listing of each one's snapshot groups; beyond, one listing of the region's groups.
GROUP_LISTINGS_BY_INSTANCE = 3
# What one CreateSnapshotGroup takes: the API reference's 16 disks and 32 TiB, of the ESSD family (EcsAdapter.max_set_disks
# quotes the sources).
GROUP_MAX_DISKS = 16
GROUP_MAX_GIB = 32 * 1024
GROUP_CATEGORIES = ('cloud_essd', 'cloud_auto', 'cloud_essd_entry')


# pylint: disable-next=too-many-public-methods,too-many-ancestors  # one per call of four capabilities, on the copy adapter
class EcsAdapter(
    EcsCopyAdapter,
    SharesHeldByLeases,
    DrAdapter,
    RestoreDrillAdapter,
    SnapshotLockAdapter,
    DrAccountAdapter,  # pylint: disable=too-many-ancestors
    CompletedSnapshotsAdapter,
    SnapshotSetAdapter,
    DrillHostAdapter,
):
    # DescribeSnapshots answers SourceSnapshotId and SourceRegionId (ecs 2014-05-26 model).
    records_copy_source = True
    copy_tag_rules = TAG_RULES
    # TagResources' ResourceId.N: 1 to 50 (ecs-20140526 TagResourcesRequest).
    copies_per_tag_call = 50
    # CreateSnapshot carries a ClientToken too (see create_snapshot).
    create_call_is_idempotent = True
    # The restore drill: an ESSD at performance level PL0 is the cheapest disk sold in every zone, from 1 GiB.
    restore_disk_type = 'cloud_essd'
    restore_disk_types = tuple(DISK_MINIMUM_GIB)
    # "You do not need to specify ZoneId for a cloud_regional_disk_auto cloud disk" (ecs-20140526
    # CreateDiskRequest.ZoneId).
    regional_disk_types = ('cloud_regional_disk_auto',)
    create_disk_call_is_idempotent = True  # CreateDisk takes a ClientToken
    # LockSnapshot (ecs-20140526 LockSnapshotRequest): compliance only, CoolOffPeriod 0-72 h and LockDuration 1-36,500
    # days, both required; a ClientToken. DescribeLockedSnapshots pages by MaxResults (1-100) and NextToken. A snapshot
    # in progress can be locked, its lock's duration counting once it is accomplished (LockSnapshotResponseBody
    # .LockedSnapshotInfo.LockDurationStartTime).
    lock_modes = (COMPLIANCE,)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    # The cool-off is "included in the total lock duration" (the guide "Lock a snapshot"): at most duration_days * 24 h.
    cool_off_within_duration = True
    lock_call_is_idempotent = True
    ids_per_lock_describe = ID_CHUNK
    # CreateSnapshotGroup's limits, the stricter of two sources. The SDK's model (ecs-20140526
    # CreateSnapshotGroupRequest.DiskId): "A single snapshot-consistent group can contain up to 128 disks with a total
    # capacity of up to 256 TiB". The API reference (CreateSnapshotGroup, help.aliyun.com/document_detail/210939.html):
    # "单个快照一致性组最多包括 16 块云盘(包括系统盘和数据盘), 且总容量不超过 32 TiB" (16 disks, 32 TiB at most), "目前快照
    # 一致性组只支持 ESSD 系列云盘(ESSD、ESSD AutoPL、ESSD Entry)" (the ESSD family only) and "开启多重挂载特性的云盘不支持
    # 创建快照一致性组" (no disk with multi-attach enabled). The user guide ("Create a snapshot-consistent group") allows
    # 128 disks and 256 TiB in some regions and regional ESSDs among themselves: the stricter rules hold everywhere.
    # With InstanceId, only disks attached to it ("Setting multiple cross-instance disk IDs is no longer supported").
    max_set_disks = GROUP_MAX_DISKS

    def members_refusal(self, disks: Sequence[Disk]) -> str | None:
        """The API reference's rules for CreateSnapshotGroup's disks (see max_set_disks), naming the disks."""
        # A disk read without its category (a caller that built it by id) is left to the cloud's own refusal.
        other = [
            '%s (%s)' % (disk.id, disk.category)
            for disk in disks
            if disk.category is not None and disk.category not in GROUP_CATEGORIES
        ]
        if other:
            return (
                'ECS makes a snapshot-consistent group of ESSD, ESSD AutoPL and ESSD Entry disks only (%s), not of %s'
                % (
                    ', '.join(GROUP_CATEGORIES),
                    ', '.join(other),
                )
            )
        shared = [disk.id for disk in disks if disk.multi_attach]
        if shared:
            return 'ECS makes no snapshot-consistent group of a disk with multi-attach enabled: %s' % ', '.join(shared)
        total = sum(disk.size or 0 for disk in disks)
        if total > GROUP_MAX_GIB:
            return 'ECS makes a snapshot-consistent group of %d GiB (32 TiB) at most; these disks hold %d GiB: %s' % (
                GROUP_MAX_GIB,
                total,
                ', '.join('%s %s GiB' % (disk.id, disk.size) for disk in disks),
            )
        return None

    def __init__(self, client: AlibabaClient, clock: Callable[[], float] = time.time) -> None:
        super().__init__(client)
        # Now, in epoch seconds, for a lock's start (LockSnapshot's retention rule): the host's clock, a test's fake
        # one.
        self.clock = clock
        # {snapshot id: (CreationTime, RetentionDays or None)} as DescribeSnapshots last answered: a lock's retention
        # rule.
        self._retention: dict[str, tuple[str | None, int | None]] = {}
        # LockSnapshot's tokens are this run's own (lock_snapshot says why).
        self._lock_token_seed = uuid.uuid4().hex
        # With dr_account: the share side (clouds.alibaba.ecs_dr_account); this DR run's shares are SharesHeldByLeases'.
        self.dr: EcsDrAccount | None = None

    # ------------------------------------------------ a separate DR account (dr_account, clouds.alibaba.ecs_dr_account)
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # dr_account's options under the names an Alibaba connection takes them (ALIBABA_ASSUME_ROLE_SPEC).
        dr_connection = dict(
            connection,
            alicloud_assume_role_arn=connection.get('role_arn'),
            alicloud_assume_role_session_name=connection.get('role_session_name'),
            alicloud_assume_role_external_id=connection.get('external_id'),
        )
        for key in ('role_arn', 'role_session_name', 'external_id'):
            dr_connection.pop(key, None)
        source = self.client
        dr_client = AlibabaClient(
            'ecs',
            dr_connection,
            default_endpoint=ecs_endpoint,
            request_package=REQUEST_PACKAGE,
            sdk=source.sdk,
            retry=source.retry,
        )
        self.dr = EcsDrAccount(self, source=source, client=dr_client, source_region=source_region, account=account)
        # The same calls, each sent to the account that holds the region's snapshots (AlibabaAccountRouter).
        self.client = AlibabaAccountRouter(source, dr_client, source_region)  # type: ignore[assignment]  # the same calls

    def start_dr_run(self, terms: LeaseTerms) -> None:
        if self.dr is not None:
            self.shares = ShareLeases(self.dr, account=self.dr.account, terms=terms)

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        super().check_source(request, source)
        if self.dr is not None:
            self.dr.check_source(request, source)

    def _copy_client(self, request: CopyRequest) -> AlibabaClient:
        if self.dr is not None:
            # The DR account copies the source the run shared with it (dr.leases.combined): its call, in the source
            # region (where ECS copies from).
            return self.dr.client
        return self.client

    def snapshots_in(self, region: str) -> list[Snapshot]:
        """Every snapshot of ``region`` (the account's that holds it: the DR account's outside the source region),
        paged."""
        return self._describe(region, {})

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        # Every disk of the region, 500 a page, filtered here: DescribeDisks' tag filter stops at 1,000 disks.
        return tagged_disks(
            self._disk_items(region, {}),
            tag_selector,
            lambda item, tags: Disk(
                item['DiskId'],
                region,
                name=item.get('DiskName') or None,
                size=item.get('Size'),
                tags=tags,
                instance_id=item.get('InstanceId') or None,  # '' when not attached (DescribeDisksResponseBody)
                category=item.get('Category') or None,
                # MultiAttach: Disabled, Enabled or LegacyShared (ecs-20140526 DescribeDisksRequest.MultiAttach).
                multi_attach=item.get('MultiAttach') in ('Enabled', 'LegacyShared'),
            ),
        )

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        return snapshots_by_disk(lambda filters: self._describe(region, filters), disks)

    # ------------------------------------------------------------------ consistency groups (issue 49, dr/groups.py)
    def snapshot_sets(
        self, region: str, disks: list[Disk], snapshots: Mapping[str, Sequence[Snapshot]]
    ) -> dict[str, str]:
        """ECS names a snapshot's group in DescribeSnapshotGroups alone (its Snapshots.Snapshot[].SnapshotId), not in
        DescribeSnapshots. For the disks of a few instances, one paged listing an instance (InstanceId); for more, one
        paged listing of the region's groups (MaxResults 1 to 100, DescribeSnapshotGroupsRequest), which costs a call a
        hundred groups where the listings by instance cost a call an instance; none for disks attached to none."""
        given = {snapshot.id for disk in disks for snapshot in snapshots.get(disk.id, ())}
        instances = sorted({disk.instance_id for disk in disks if disk.instance_id})
        selections = (
            [{'InstanceId': instance_id} for instance_id in instances]
            if len(instances) <= GROUP_LISTINGS_BY_INSTANCE
            else [{}]
        )
        sets: dict[str, str] = {}
        for selection in selections:
            for group in self._groups(region, selection):
                members = [str(member['SnapshotId']) for member in listed(group, 'Snapshots', 'Snapshot')]
                # A group's own id names it: a group with one of the given snapshots left (a member failed or deleted)
                # is still a set, a torn one.
                sets.update((member, str(group['SnapshotGroupId'])) for member in members if member in given)
        return sets

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        # Bad input fails before the call, naming the disks (the read phase refuses such a group first).
        refusal = self.members_refusal(disks)
        if len(disks) > GROUP_MAX_DISKS:
            refusal = 'ECS makes a snapshot-consistent group of %d disks at most, got %d' % (
                GROUP_MAX_DISKS,
                len(disks),
            )
        if refusal:
            raise InputError('consistency_groups', refusal)
        params: dict[str, Any] = {'RegionId': region, 'InstanceId': self.set_instance(disks)}
        params.update(numbered('DiskId', sorted(disk.id for disk in disks)))
        if name:
            params['Name'] = name
        if description:
            params['Description'] = description
        params.update(numbered_tags(string_tags(tags)))
        # A resend after a lost answer must not make a second group: the same call, the same token (as create_snapshot).
        identity = json.dumps(sorted((key, str(value)) for key, value in params.items()))
        params['ClientToken'] = CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]
        group_id = str(self.client.call('CreateSnapshotGroup', params, region)['SnapshotGroupId'])
        # The group's members, read back (DescribeSnapshotGroupsResponseBodySnapshotGroupsSnapshotGroupSnapshotsSnapshot:
        # SnapshotId, SourceDiskId, Progress, Tags).
        groups = list(self._groups(region, {'SnapshotGroupId.1': group_id}))
        if len(groups) != 1:
            raise CloudError(
                'DescribeSnapshotGroups',
                'InvalidSnapshotGroupId.NotFound',
                'the snapshot group %s that CreateSnapshotGroup made is not listed' % group_id,
                kind=RETRYABLE,
                region=region,
            )
        return group_id, [
            self._group_member(region, groups[0], member) for member in listed(groups[0], 'Snapshots', 'Snapshot')
        ]

    def _groups(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeSnapshotGroups item in ``region`` that ``params`` select, all pages."""
        return self._listing(
            region, 'DescribeSnapshotGroups', params, ('SnapshotGroups', 'SnapshotGroup'), GROUP_PAGE_SIZE
        )

    @staticmethod
    def _group_member(region: str, group: Mapping[str, Any], member: Mapping[str, Any]) -> Snapshot:
        """A member of a group as DescribeSnapshotGroups answers it: done at 100%; before, as its group's Status says
        (a member of a failed group that is not done failed)."""
        progress = str(member.get('Progress') or '').rstrip('%')
        # A snapshot's own words (DescribeSnapshots' Status), which DescribeSnapshotGroups gives its group alone.
        word = 'accomplished' if progress == '100' else 'failed' if group.get('Status') == 'failed' else 'progressing'
        return Snapshot(
            str(member['SnapshotId']),
            region,
            STATE_MAP[word],
            cloud_state=word,
            progress=int(progress) if progress.isdigit() else None,
            tags=tag_dict(member.get('Tags')),
            volume_id=member.get('SourceDiskId') or None,
            created=group.get('CreationTime'),
        )

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # One listing of the region, by DescribeSnapshots' Status (accomplished: ecs-20140526
        # DescribeSnapshotsRequest.Status).
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe(region, {'Status': 'accomplished'})
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: Mapping[str, str] | None
    ) -> Snapshot:
        tags = string_tags(tags)
        params = {'RegionId': region, 'DiskId': disk.id, 'SnapshotName': name, 'Description': description}
        params.update(numbered_tags(tags))
        # A resend after a lost answer must not make a second snapshot: the same call, the same token.
        identity = json.dumps(sorted((key, str(value)) for key, value in params.items()))
        params['ClientToken'] = CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]
        answer = self.client.call('CreateSnapshot', params, region)
        return Snapshot(
            answer['SnapshotId'],
            region,
            PENDING,
            cloud_state='progressing',
            progress=0,
            tags=tags,
            volume_id=disk.id,
            name=name,
            description=description,
            size=disk.size,
            created=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        )

    def list_copies(self, destination: str) -> list[Snapshot]:
        """Every snapshot in ``destination`` with our source tag, from a listing of the region (see the module
        docstring)."""
        return [snapshot for snapshot in self._describe(destination, {}) if snapshot.tags.get(SOURCE_TAG)]

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('DeleteSnapshot', {'RegionId': region, 'SnapshotId': snapshot_id}, region)

    # ------------------------------------------------------------------ for the restore drill
    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        answer = self.client.call('DescribeZones', {'RegionId': region}, region)
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
        answer = self.client.call('CreateDisk', params, region)
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

    def _disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeDisks item in ``region`` that ``params`` select, all pages."""
        return self._listing(region, 'DescribeDisks', params, ('Disks', 'Disk'), DISK_PAGE_SIZE)

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
            for item in self._disk_items(region, params)
        ]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        # The region goes with the call (the endpoint's, as the SDK sends it): ECS ignores a DeleteDisk of a disk it
        # does not find there (DeleteDisk reference), so a wrong region would pass without deleting anything.
        self.client.call('DeleteDisk', {'RegionId': region, 'DiskId': disk_id}, region)

    # ------------------------------------------------------------------ the drill host (restore_test_validate)
    def drill_host(self, region: str, instance_id: str) -> DrillHost:
        # InstanceIds filters the region's instances: one it does not hold is left out of the answer, not refused.
        answer = self.client.call(
            'DescribeInstances', {'RegionId': region, 'InstanceIds': json.dumps([instance_id])}, region
        )
        found = [item for item in listed(answer, 'Instances', 'Instance') if item.get('InstanceId') == instance_id]
        if not found:
            raise CloudError(
                'DescribeInstances',
                INSTANCE_NOT_FOUND,
                'no instance %s in %s' % (instance_id, region),
                request_id=answer.get('RequestId'),
                kind=NOT_FOUND,
                region=region,
            )
        status = str(found[0].get('Status') or '')
        return DrillHost(
            instance_id,
            region,
            found[0].get('ZoneId') or None,
            status == INSTANCE_RUNNING,
            status,
            name=found[0].get('InstanceName') or None,
        )

    def attach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment_call('AttachDisk', region, disk_id, instance_id)

    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment_call('DetachDisk', region, disk_id, instance_id)

    def _attachment_call(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        # The region goes with the call: it names the account's client (AlibabaAccountRouter) and ECS checks the disk is
        # there. A missing instance is not found, as drill_host says it.
        try:
            self.client.call(action, {'RegionId': region, 'InstanceId': instance_id, 'DiskId': disk_id}, region)
        except CloudError as error:
            if error.code == INSTANCE_NOT_FOUND:
                error.kind = NOT_FOUND
            raise

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        self.tag_copies([copy], dict(tags))

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        region = copies[0].region
        params: dict[str, str] = {'RegionId': region, 'ResourceType': 'snapshot'}
        params.update(numbered('ResourceId', [copy.id for copy in copies]))
        params.update(numbered_tags(tags))
        self.client.call('TagResources', params, region)
        for copy in copies:
            copy.tags.update(tags)
        return {}

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # UntagResources: ResourceId.N up to 50 (copies_per_tag_call), TagKey.N up to 20 (ecs-20140526
        # UntagResourcesRequest), as many as a snapshot's tags: one call takes every key a copy may carry.
        region = copies[0].region
        for start in range(0, len(keys), UNTAG_KEYS_PER_CALL):
            params: dict[str, str] = {'RegionId': region, 'ResourceType': 'snapshot'}
            params.update(numbered('ResourceId', [copy.id for copy in copies]))
            params.update(numbered('TagKey', keys[start : start + UNTAG_KEYS_PER_CALL]))
            self.client.call('UntagResources', params, region)
        for copy in copies:
            for key in keys:
                copy.tags.pop(key, None)
        return {}

    # ------------------------------------------------------------------ locks
    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        params = {'RegionId': region}
        params.update(numbered('SnapshotIds', snapshot_ids))
        items = token_pages(
            lambda page: self.client.call('DescribeLockedSnapshots', page, region),
            params,
            lambda answer: answer.get('LockedSnapshotsInfo') or [],
            SNAPSHOT_PAGE_SIZE,
            action='DescribeLockedSnapshots',
            region=region,
        )
        return {item['SnapshotId']: ecs_lock(item) for item in items}

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        # A lock must expire on or before the copy's retention ends ("Lock a snapshot"): a copy that is released sooner
        # is refused here, with when and why, rather than by the cloud with a code of its own. On a copy in flight the
        # lock starts once it is accomplished, later than now: what is checked here is the earliest it could start.
        if snapshot_id not in self._retention:
            self.describe_ids(region, [snapshot_id])
        created, retention_days = self._retention.get(snapshot_id, (None, None))
        refusal = retention_refusal(lock, snapshot_id, region, created, retention_days, self.clock())
        if refusal is not None:
            raise refusal
        # The token is drawn from the lock, the copy and this run: a resend after a lost answer, within the run, gets
        # ECS's first answer and sets no second lock; a later run (which reads the locks before it locks) sends a new
        # one. Were it the same in every run, a lock set again once the last expired would be answered as the first,
        # changing nothing ("no effect on server state", How to ensure idempotence; ECS documents no time after which a
        # token is new).
        identity = json.dumps(
            [region, snapshot_id, lock.mode, lock.duration_days, lock.cool_off_hours, self._lock_token_seed]
        )
        answer = self.client.call(
            'LockSnapshot',
            {
                'RegionId': region,
                'SnapshotId': snapshot_id,
                'LockMode': lock.mode,
                'LockDuration': lock.duration_days,
                'CoolOffPeriod': lock.cool_off_hours,
                'ClientToken': CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48],
            },
            region,
        )
        # What it answered; the run reports what the cloud holds, read back (dr.run._lock).
        return ecs_lock(dict(answer.get('LockedSnapshotInfo') or {}, SnapshotId=snapshot_id))

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        snapshot = super().snapshot(item, region)
        self._retention[item['SnapshotId']] = (item.get('CreationTime'), snapshot.extra.get('retention_days'))
        return snapshot
