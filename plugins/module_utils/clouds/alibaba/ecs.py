# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the adapter for the copy engine.

How copies are found: CopySnapshot puts the tag ``snapcopy:source = <source region>/<source id>``
on every copy it makes (Tag.N, so it is there from the first moment), and ECS keeps
SourceSnapshotId and SourceRegionId on a copy (DescribeSnapshots cannot filter on those). A copy
of this source is a snapshot with our tag that the link confirms.

The copies of one source are looked up with DescribeSnapshots' tag filter (key and value: a
handful of snapshots). Many sources at once, and the DR run's listing of every copy, read the
destination's snapshots page by page instead and take the tags from the answers: a tag filter
returns at most 1,000 resources (ecs-20140526 DescribeSnapshotsRequest.Tag, DescribeDisksRequest.Tag),
so past that it would miss copies. The DR run finds its disks the same way, 500 a page.

CopySnapshot is sent in the source region with a ClientToken derived from the source, the
destination and the copy options: a resend after a lost answer, within the run or in a rerun,
gets ECS's first answer back instead of a second copy. ECS requires a name and a description
for the copy (CopySnapshotRequest: DestinationSnapshotName, DestinationSnapshotDescription);
without the options, both say where the copy comes from. ECS refuses a destination equal to the
source region (InvalidOperation.NotSupportCopyInSameRegion): refused here before any call.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import INVALID, CloudError, InputError
from ...core.inputs import task_destinations
from ...core.model import COMPLETED, COMPLIANCE, FAILED, PENDING, USABLE, CopyRequest, Disk, DrillDisk, LockSettings, Snapshot, SnapshotLock
from ...core.paging import token_pages
from ...core.tagging import RESTORE_RUN_TAG, SOURCE_TAG, numbered_tags, string_tags, tag_dict
from ...dr.capabilities import DrAccountAdapter, DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter
from ...dr.lock import retention_refusal
from ...dr.shares import ClaimedShares, SourceShares
from .answers import links_to, listed, tagged_disks
from .client import AlibabaAccountRouter, AlibabaClient
from .validate import (
    ECS_SNAPSHOT_ID,
    TAG_RULES,
    validate_description,
    validate_name,
    validate_region,
    validate_retention_days,
    validate_snapshot_id,
)

if TYPE_CHECKING:

    from ...core.retry import CallRetry
    from ...dr.claims import RunLease
    from .ecs_dr_account import EcsDrAccount

STATE_MAP: dict[str | None, str] = {'progressing': PENDING, 'accomplished': COMPLETED, 'failed': FAILED}
REQUEST_PACKAGE = 'aliyunsdkecs.request.v20140526'
# DescribeSnapshots takes up to 100 ids per call (ID_CHUNK), and MaxResults up to 100 (SNAPSHOT_PAGE_SIZE).
ID_CHUNK = 100
SNAPSHOT_PAGE_SIZE = 100
# DescribeDisks' MaxResults: 10 to 500 (ecs-20140526 DescribeDisksRequest).
DISK_PAGE_SIZE = 500
CLIENT_TOKEN_PREFIX = 'snapcopy-'
# CopySnapshot's request parameters that start_copy sends, and no others (None values are not sent; Tag: the repeat list
# Tag.N.Key / Tag.N.Value). test_copy_call_parameters.py (tests/unit/plugins/module_utils) holds them to the vendor's model
# (ecs-20140526 CopySnapshotRequest).
COPY_CALL_PARAMETERS = ('RegionId', 'SnapshotId', 'DestinationRegionId', 'DestinationSnapshotName', 'DestinationSnapshotDescription',
                        'RetentionDays', 'Encrypted', 'KMSKeyId', 'ClientToken', 'Tag')
# A disk's Status (ecs-20140526 DescribeDisksRequest.Status); attached or being attached, it was usable.
DISK_STATE_MAP: dict[str | None, str] = {'Creating': PENDING, 'ReIniting': PENDING, 'Available': USABLE, 'In_use': USABLE, 'Attaching': USABLE,
                                         'Detaching': USABLE}
# The disk categories CreateDisk makes from a snapshot, with their smallest size in GiB (ecs-20140526
# CreateDiskRequest.Size; cloud_essd at performance level PL0). Elastic ephemeral disks take no snapshot.
DISK_MINIMUM_GIB = {'cloud_essd': 1, 'cloud_auto': 1, 'cloud_essd_entry': 10, 'cloud_regional_disk_auto': 10,
                    'cloud_efficiency': 20, 'cloud_ssd': 20, 'cloud': 5}
# Up to this many disks, their snapshots are read disk by disk; beyond, the region is listed once.
PER_DISK_READS = 10
# The regions whose ECS endpoint is not ecs.<region>.aliyuncs.com (alibabacloud-ecs20140526
# Client._endpoint_map, its "regional" rule otherwise; a unit test holds them together).
ENDPOINT_EXCEPTIONS = {
    'ecs-cn-hangzhou.aliyuncs.com': (
        'cn-beijing-nu16-b01', 'cn-fujian', 'cn-haidian-cm12-c01', 'cn-hangzhou', 'cn-hangzhou-bj-b01',
        'cn-hangzhou-internal-prod-1', 'cn-hangzhou-internal-test-1', 'cn-hangzhou-internal-test-2',
        'cn-hangzhou-internal-test-3', 'cn-hangzhou-test-306', 'cn-shanghai-et15-b01', 'cn-shanghai-et2-b01',
        'cn-shanghai-finance-1', 'cn-shanghai-internal-test-1', 'cn-shenzhen-finance-1', 'cn-shenzhen-st4-d01',
        'cn-shenzhen-su18-b01', 'cn-zhangbei-na61-b01'),
    'ecs.aliyuncs.com': (
        'ap-northeast-2-pop', 'cn-beijing-finance-pop', 'cn-beijing-gov-1', 'cn-hangzhou-finance', 'cn-hongkong-finance-pop',
        'cn-north-2-gov-1', 'cn-shanghai-inner', 'cn-shenzhen-inner', 'cn-wuhan', 'cn-yushanfang', 'cn-zhangbei', 'rus-west-1-pop'),
    'ecs.cn-qingdao-nebula.aliyuncs.com': ('cn-edge-1', 'cn-huhehaote-nebula-1', 'cn-zhengzhou-nebula-1'),
    'ecs.cn-zhangjiakou.aliyuncs.com': ('cn-zhangjiakou-na62-a01',),
    'ecs.cn-shenzhen-cloudstone.aliyuncs.com': ('eu-west-1-oxs',),
}


def ecs_endpoint(region: str | None) -> str:
    """ECS's endpoint for a region, as the vendor's V2 SDK chooses it: ENDPOINT_EXCEPTIONS, else ecs.<region>.aliyuncs.com.
    Not the installed V1 SDK's map, which older releases fill differently (4.24.0 sends Singapore to ecs-cn-hangzhou)."""
    for endpoint, regions in ENDPOINT_EXCEPTIONS.items():
        if region in regions:
            return endpoint
    return 'ecs.%s.aliyuncs.com' % region


def build_ecs_request(params: Mapping[str, Any]) -> CopyRequest:
    """The CopyRequest for ecs_snapshot_copy's options (validated by the adapter)."""
    options = {
        'name': params.get('name'),
        'description': params.get('description'),
        # 0 keeps the copy until it is deleted, as leaving the option out does (and as the role's 0 does):
        # CopySnapshot takes 1 to 65536, and without RetentionDays the copy is never released.
        'retention_days': params.get('retention_days') or None,
        'tags': params.get('tags') or {},
        'encrypted': bool(params.get('encrypted')),
        'kms_key_id': params.get('kms_key_id'),
    }
    return CopyRequest(params['source_snapshot_id'], params['source_region'], task_destinations(params), options)


def copy_name(request: CopyRequest) -> str:
    """The copy's name: the ``name`` option, or one that says what it is a copy of (ECS requires one)."""
    return request.options.get('name') or 'snapcopy-%s' % request.source_id


def copy_description(request: CopyRequest) -> str:
    """The copy's description: the ``description`` option, or where the copy comes from (ECS requires one)."""
    return request.options.get('description') or 'Copy of %s from %s, by snapcopy.cloud' % (request.source_id, request.source_region)


def client_token(request: CopyRequest, destination: str) -> str:
    """The same request to the same destination always gets the same token (64 ASCII characters at most)."""
    options = request.options
    identity = [request.source_region, request.source_id, destination, options.get('name'),
                options.get('description'), options.get('retention_days'), sorted(string_tags(options.get('tags')).items()),
                bool(options.get('encrypted')), options.get('kms_key_id')]
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode('utf-8')).hexdigest()
    return CLIENT_TOKEN_PREFIX + digest[:48]


def ecs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as DescribeLockedSnapshots and LockSnapshot answer it (LockStatus compliance-cooloff, compliance or expired)."""
    return SnapshotLock(item.get('LockMode') or COMPLIANCE, item.get('LockStatus') != 'expired', expires=item.get('LockExpiredTime') or None,
                        cool_off_ends=item.get('CoolOffPeriodExpiredTime') or None, cloud_status=item.get('LockStatus'))


# pylint: disable-next=too-many-public-methods  # one per call of four capabilities
class EcsAdapter(ClaimedShares, DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter, DrAccountAdapter):
    cloud = 'Alibaba Cloud ECS'
    multi_destination = False
    copy_call_is_idempotent = True
    # DescribeSnapshots answers SourceSnapshotId and SourceRegionId (ecs 2014-05-26 model).
    records_copy_source = True
    # CreateSnapshot carries a ClientToken too (see create_snapshot).
    create_call_is_idempotent = True
    done_state = 'accomplished'
    sample_snapshot_id = 's-bp67acfmxazb4p0example'
    readable_options = ('encrypted', 'kms_key_id', 'tags', 'name', 'description', 'retention_days')  # an ECS copy answers all but where it is kept
    ids_per_describe = ID_CHUNK
    # The restore drill: an ESSD at performance level PL0 is the cheapest disk sold in every zone, from 1 GiB.
    restore_disk_type = 'cloud_essd'
    restore_disk_types = tuple(DISK_MINIMUM_GIB)
    # "You do not need to specify ZoneId for a cloud_regional_disk_auto cloud disk" (ecs-20140526 CreateDiskRequest.ZoneId).
    regional_disk_types = ('cloud_regional_disk_auto',)
    create_disk_call_is_idempotent = True  # CreateDisk takes a ClientToken
    # LockSnapshot (ecs-20140526 LockSnapshotRequest): compliance only, CoolOffPeriod 0-72 h and LockDuration 1-36,500
    # days, both required; a ClientToken. DescribeLockedSnapshots pages by MaxResults (1-100) and NextToken. A snapshot in
    # progress can be locked, its lock's duration counting once it is accomplished (LockSnapshotResponseBody
    # .LockedSnapshotInfo.LockDurationStartTime).
    lock_modes = (COMPLIANCE,)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    lock_call_is_idempotent = True
    ids_per_lock_describe = ID_CHUNK

    sdk_packages = 'aliyun-python-sdk-core and aliyun-python-sdk-ecs'
    client: AlibabaClient

    def __init__(self, client: AlibabaClient, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        # Now, in epoch seconds, for a lock's start (LockSnapshot's retention rule): the host's clock, a test's fake one.
        self.clock = clock
        self._categories: dict[str, str | None] = {}
        # {snapshot id: (CreationTime, RetentionDays or None)} as DescribeSnapshots last answered: a lock's retention rule.
        self._retention: dict[str, tuple[str | None, int | None]] = {}
        # LockSnapshot's tokens are this run's own (lock_snapshot says why).
        self._lock_token_seed = uuid.uuid4().hex
        # With dr_account: the share side (clouds.alibaba.ecs_dr_account); this DR run's shares are ClaimedShares'.
        self.dr: EcsDrAccount | None = None

    @classmethod
    def from_connection(cls, connection: Mapping[str, Any], *, check_mode: bool = False,  # pylint: disable=unused-argument
                        retry: CallRetry | None = None, sdk: dict[str, Any] | None = None) -> EcsAdapter:
        return cls(AlibabaClient('ecs', connection, ecs_endpoint, REQUEST_PACKAGE, sdk, retry))

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request: CopyRequest) -> None:
        options = request.options
        validate_snapshot_id(request.source_id, ECS_SNAPSHOT_ID, 's-bp67acfmxazb4p0example')
        validate_region(request.source_region, 'source_region')
        if not request.destinations:
            raise InputError('destination_region', 'is required')
        # The engine sends one CopySnapshot per destination; the DR run may group several.
        for destination in request.destinations:
            validate_region(destination, 'destination_region')
            if destination == request.source_region:
                raise InputError('destination_region', 'cannot be the source region %s: ECS copies a snapshot to another region '
                                 'only (it answers InvalidOperation.NotSupportCopyInSameRegion)' % destination)
        validate_name(options.get('name'))
        validate_description(options.get('description'))
        validate_retention_days(options.get('retention_days'))
        TAG_RULES.validate(options.get('tags'))
        if options.get('kms_key_id') and not options.get('encrypted'):
            raise InputError('kms_key_id', 'is only used for an encrypted copy: set encrypted: true as well')

    # ------------------------------------------------------------------ reads
    def _describe(self, region: str, params: Mapping[str, Any]) -> list[Snapshot]:
        def call(page_params: dict[str, Any]) -> dict[str, Any]:
            return self.client.call('DescribeSnapshots', dict(page_params, RegionId=region, Status='all'), region)
        items = token_pages(call, params, lambda answer: listed(answer, 'Snapshots', 'Snapshot'), SNAPSHOT_PAGE_SIZE,
                            action='DescribeSnapshots', region=region)
        return [self.snapshot(item, region) for item in items]

    def describe_ids(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        # ECS answers an unknown id with an empty list, not an error (the base get_sources says it).
        return {snapshot.id: snapshot for snapshot in self._describe(region, {'SnapshotIds': json.dumps(snapshot_ids)})}

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        # Encrypted snapshots can be copied ("copies a standard or encrypted snapshot": CopySnapshot); local ones cannot.
        if self._categories.get(source.id) == 'flash':
            raise CloudError('CopySnapshot', 'OperationDenied.LocalSnapshot', 'Local snapshots cannot be copied: '
                             'source snapshot %s is a local snapshot (Category flash; checked before copying)' % source.id,
                             kind=INVALID, region=source.region)
        if self.dr is not None:
            self.dr.check_source(request, source)

    def snapshots_in(self, region: str) -> list[Snapshot]:
        """Every snapshot of ``region`` (the account's that holds it: the DR account's outside the source region), paged."""
        return self._describe(region, {})

    def find_copies(self, destination: str, requests: Iterable[CopyRequest]) -> dict[str, list[Snapshot]]:
        wanted: dict[str | None, CopyRequest] = {request.source_tag: request for request in requests}
        if len(wanted) == 1:
            (tag,) = wanted
            snapshots = self._describe(destination, numbered_tags({SOURCE_TAG: tag}))
        else:
            # Many sources: one listing of the destination instead of one look-up per source.
            snapshots = self._describe(destination, {})
        found: dict[str, list[Snapshot]] = {}
        for snapshot in snapshots:
            request = wanted.get(snapshot.tags.get(SOURCE_TAG))
            if request is not None and links_to(snapshot, request):
                found.setdefault(request.source_tag, []).append(snapshot)
        return found

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        (destination,) = destinations
        options = request.options
        tags = request.copy_tags()
        values: dict[str, Any] = {
            'SnapshotId': request.source_id,
            'DestinationRegionId': destination,
            'DestinationSnapshotName': copy_name(request),
            'DestinationSnapshotDescription': copy_description(request),
            'RetentionDays': options.get('retention_days'),
            'KMSKeyId': options.get('kms_key_id'),
            'ClientToken': client_token(request, destination),
            'RegionId': request.source_region,
            'Encrypted': True if options.get('encrypted') else None,  # None: not sent
            'Tag': numbered_tags(tags),
        }
        params: dict[str, Any] = {}
        for name in COPY_CALL_PARAMETERS:
            params.update(values[name] if name == 'Tag' else {name: values[name]})
        client = self.client
        if self.dr is not None:
            # The DR account copies the shared source: its call, in the source region (where ECS copies from).
            self._source_shares().hold(request.source_region, request.source_id)
            client = self.dr.client
        answer = client.call('CopySnapshot', params, request.source_region)
        return {destination: Snapshot(
            answer['SnapshotId'], destination, PENDING, cloud_state='progressing', progress=0,
            encrypted=True if options.get('encrypted') else None, tags=tags, name=values['DestinationSnapshotName'],
            description=values['DestinationSnapshotDescription'], source_id=request.source_id,
            source_region=request.source_region)}

    # ------------------------------------------------------------------ a separate DR account (dr_account, clouds.alibaba.ecs_dr_account)
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # pylint: disable-next=import-outside-toplevel  # the module imports this one
        from .ecs_dr_account import EcsDrAccount
        # dr_account's options under the names an Alibaba connection takes them (ALIBABA_ASSUME_ROLE_SPEC).
        dr_connection = dict(connection, alicloud_assume_role_arn=connection.get('role_arn'),
                             alicloud_assume_role_session_name=connection.get('role_session_name'),
                             alicloud_assume_role_external_id=connection.get('external_id'))
        for key in ('role_arn', 'role_session_name', 'external_id'):
            dr_connection.pop(key, None)
        source = self.client
        dr_client = AlibabaClient('ecs', dr_connection, ecs_endpoint, REQUEST_PACKAGE, source.sdk, source.retry)
        self.dr = EcsDrAccount(self, source, dr_client, source_region, account)
        # The same calls, each sent to the account that holds the region's snapshots (AlibabaAccountRouter).
        self.client = AlibabaAccountRouter(source, dr_client, source_region)  # type: ignore[assignment]  # the same calls

    def start_dr_run(self, lease: RunLease) -> None:
        if self.dr is not None:
            self.shares = SourceShares(self.dr, account=self.dr.account, lease=lease)

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        # Every disk of the region, 500 a page, filtered here: DescribeDisks' tag filter stops at 1,000 disks.
        return tagged_disks(self._disk_items(region, {}), tag_selector, lambda item, tags: Disk(
            item['DiskId'], region, name=item.get('DiskName') or None, size=item.get('Size'), tags=tags))

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        wanted = {disk.id for disk in disks}
        found: dict[str, list[Snapshot]] = {}
        if len(wanted) <= PER_DISK_READS:
            snapshots = [snapshot for disk_id in sorted(wanted) for snapshot in self._describe(region, {'DiskId': disk_id})]
        else:
            # Many disks: one paged listing of the region beats one listing per disk.
            snapshots = self._describe(region, {})
        for snapshot in snapshots:
            if snapshot.volume_id in wanted:
                found.setdefault(snapshot.volume_id, []).append(snapshot)
        return found

    def create_snapshot(self, region: str, disk: Disk, name: str | None, description: str | None,
                        tags: Mapping[str, str] | None) -> Snapshot:
        tags = string_tags(tags)
        params = {'RegionId': region, 'DiskId': disk.id, 'SnapshotName': name, 'Description': description}
        params.update(numbered_tags(tags))
        # A resend after a lost answer must not make a second snapshot: the same call, the same token.
        identity = json.dumps(sorted((key, str(value)) for key, value in params.items()))
        params['ClientToken'] = CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]
        answer = self.client.call('CreateSnapshot', params, region)
        return Snapshot(answer['SnapshotId'], region, PENDING, cloud_state='progressing', progress=0, tags=tags,
                        volume_id=disk.id, name=name, description=description, size=disk.size,
                        created=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))

    def list_copies(self, destination: str) -> list[Snapshot]:
        """Every snapshot in ``destination`` with our source tag, from a listing of the region (see the module docstring)."""
        return [snapshot for snapshot in self._describe(destination, {}) if snapshot.tags.get(SOURCE_TAG)]

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('DeleteSnapshot', {'RegionId': region, 'SnapshotId': snapshot_id}, region)

    # ------------------------------------------------------------------ for the restore drill
    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        answer = self.client.call('DescribeZones', {'RegionId': region}, region)
        return sorted(zone['ZoneId'] for zone in listed(answer, 'Zones', 'Zone')
                      if disk_type in listed(zone, 'AvailableDiskCategories', 'DiskCategories'))

    # pylint: disable-next=too-many-arguments
    def create_test_disk(self, region: str, zone: str | None, copy: Snapshot, disk_type: str, name: str, tags: Mapping[str, str],
                         token: str) -> DrillDisk:
        # A disk made from a snapshot is at least the snapshot's size (CreateDiskRequest.Size): asking for the
        # category's smallest gives the smallest disk the copy allows.
        params: dict[str, Any] = {'RegionId': region, 'SnapshotId': copy.id, 'DiskCategory': disk_type,
                                  'Size': max(DISK_MINIMUM_GIB[disk_type], copy.size or 0), 'DiskName': name,
                                  'Description': 'Restore test of DR copy %s by snapcopy.cloud' % copy.id, 'ClientToken': token}
        if zone is not None:  # None: a regional disk (zone_needed)
            params['ZoneId'] = zone
        if disk_type == 'cloud_essd':
            params['PerformanceLevel'] = 'PL0'
        params.update(numbered_tags(tags))
        answer = self.client.call('CreateDisk', params, region)
        return DrillDisk(answer['DiskId'], region, PENDING, cloud_state='Creating', zone=zone, name=name, tags=dict(tags),
                         snapshot_id=copy.id, size=params['Size'])

    def describe_test_disks(self, region: str, disk_ids: Sequence[str]) -> dict[str, DrillDisk]:
        found: dict[str, DrillDisk] = {}
        for start in range(0, len(disk_ids), ID_CHUNK):
            ids = json.dumps(list(disk_ids[start:start + ID_CHUNK]))
            found.update((disk.id, disk) for disk in self._disks(region, {'DiskIds': ids}))
        return found

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        # A tag filter on the key alone: the test disks are a handful, far below the filter's 1,000.
        return self._disks(region, numbered_tags({RESTORE_RUN_TAG: None}))

    def _disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeDisks item in ``region`` that ``params`` select, all pages."""
        return token_pages(lambda page: self.client.call('DescribeDisks', dict(page, RegionId=region), region), params,
                           lambda answer: listed(answer, 'Disks', 'Disk'), DISK_PAGE_SIZE, action='DescribeDisks', region=region)

    def _disks(self, region: str, params: Mapping[str, Any]) -> list[DrillDisk]:
        return [DrillDisk(item['DiskId'], region, DISK_STATE_MAP.get(item.get('Status'), PENDING), cloud_state=item.get('Status'),
                          zone=item.get('ZoneId'), name=item.get('DiskName') or None, tags=tag_dict(item.get('Tags')),
                          created=item.get('CreationTime'), snapshot_id=item.get('SourceSnapshotId') or None, size=item.get('Size'))
                for item in self._disk_items(region, params)]

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        # The region goes with the call (the endpoint's, as the SDK sends it): ECS ignores a DeleteDisk of a disk it
        # does not find there (DeleteDisk reference), so a wrong region would pass without deleting anything.
        self.client.call('DeleteDisk', {'RegionId': region, 'DiskId': disk_id}, region)

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        params: dict[str, str] = {'RegionId': copy.region, 'ResourceType': 'snapshot', 'ResourceId.1': copy.id}
        params.update(numbered_tags(tags))
        self.client.call('TagResources', params, copy.region)
        copy.tags.update(tags)

    # ------------------------------------------------------------------ locks
    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        params = {'RegionId': region}
        params.update(('SnapshotIds.%d' % number, snapshot_id) for number, snapshot_id in enumerate(snapshot_ids, start=1))
        items = token_pages(lambda page: self.client.call('DescribeLockedSnapshots', page, region), params,
                            lambda answer: answer.get('LockedSnapshotsInfo') or [], SNAPSHOT_PAGE_SIZE, action='DescribeLockedSnapshots',
                            region=region)
        return {item['SnapshotId']: ecs_lock(item) for item in items}

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        # A lock must expire on or before the copy's retention ends ("Lock a snapshot"): a copy that is released sooner is
        # refused here, with when and why, rather than by the cloud with a code of its own. On a copy in flight the lock starts
        # once it is accomplished, later than now: what is checked here is the earliest it could start.
        if snapshot_id not in self._retention:
            self.describe_ids(region, [snapshot_id])
        created, retention_days = self._retention.get(snapshot_id, (None, None))
        refusal = retention_refusal(lock, snapshot_id, region, created, retention_days, self.clock())
        if refusal is not None:
            raise refusal
        # The token is drawn from the lock, the copy and this run: a resend after a lost answer, within the run, gets ECS's
        # first answer and sets no second lock; a later run (which reads the locks before it locks) sends a new one. Were it
        # the same in every run, a lock set again once the last expired would be answered as the first, changing nothing
        # ("no effect on server state", How to ensure idempotence; ECS documents no time after which a token is new).
        identity = json.dumps([region, snapshot_id, lock.mode, lock.duration_days, lock.cool_off_hours, self._lock_token_seed])
        answer = self.client.call('LockSnapshot', {
            'RegionId': region, 'SnapshotId': snapshot_id, 'LockMode': lock.mode, 'LockDuration': lock.duration_days,
            'CoolOffPeriod': lock.cool_off_hours,
            'ClientToken': CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]}, region)
        # What it answered; the run reports what the cloud holds, read back (dr.run._lock).
        return ecs_lock(dict(answer.get('LockedSnapshotInfo') or {}, SnapshotId=snapshot_id))

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        self._categories[item['SnapshotId']] = item.get('Category')
        progress = str(item.get('Progress') or '').rstrip('%')
        extra: dict[str, Any] = {}
        if item.get('KMSKeyId'):
            extra['kms_key_id'] = item['KMSKeyId']
        if item.get('RetentionDays'):
            extra['retention_days'] = int(item['RetentionDays'])
        self._retention[item['SnapshotId']] = (item.get('CreationTime'), extra.get('retention_days'))
        size: Any = item.get('SourceDiskSize')
        return Snapshot(
            item['SnapshotId'], item.get('RegionId') or region, STATE_MAP.get(item.get('Status'), PENDING),
            cloud_state=item.get('Status'), progress=int(progress) if progress.isdigit() else None,
            encrypted=item.get('Encrypted'), tags=tag_dict(item.get('Tags')),
            size=int(size) if str(size or '').isdigit() else None, volume_id=item.get('SourceDiskId') or None,
            created=item.get('CreationTime'), name=item.get('SnapshotName') or None,
            description=item.get('Description') or None, source_id=item.get('SourceSnapshotId') or None,
            source_region=item.get('SourceRegionId') or None, extra=extra)
