"""Alibaba Cloud ECS 2014-05-26: regions, zones, disks, snapshots, CopySnapshot, tags."""

from __future__ import annotations

import fnmatch

from . import alibaba_rules as rules, meter, resourcesharing, rpc_params as p
from .actions import action
from .errors import CloudError, invalid
from .faults import server_error
from .resources import iso_z, make_disk, make_snapshot, match_tags
from .state import ATTACHED, ATTACHING, DETACHING, DONE, FAILED, RUNNING, attachment, disk_phase

CLOUD = 'ecs'
STATUS_WORDS = {RUNNING: 'progressing', DONE: 'accomplished', FAILED: 'failed'}
_RESOURCE_TYPES = ('snapshot', 'disk')
# CreateDiskRequest.DiskCategory's values and the sizes (GiB) CreateDiskRequest.Size gives each; an ESSD's
# range depends on its PerformanceLevel (default PL1, CreateDiskRequest.PerformanceLevel).
DISK_SIZES = {
    'cloud': (5, 2000),
    'cloud_efficiency': (20, 32768),
    'cloud_ssd': (20, 32768),
    'cloud_auto': (1, 65536),
    'cloud_essd_entry': (10, 32768),
    'cloud_regional_disk_auto': (10, 65536),
    'elastic_ephemeral_disk_standard': (64, 8192),
    'elastic_ephemeral_disk_premium': (64, 8192),
}
ESSD_SIZES = {'PL0': (1, 65536), 'PL1': (20, 65536), 'PL2': (461, 65536), 'PL3': (1261, 65536)}
DISK_CATEGORIES = (
    'cloud',
    'cloud_efficiency',
    'cloud_ssd',
    'cloud_essd',
    'cloud_auto',
    'cloud_essd_entry',
    'cloud_regional_disk_auto',
    'elastic_ephemeral_disk_standard',
    'elastic_ephemeral_disk_premium',
)
# Disks that span a region's zones (ECS-M CreateDiskRequest.DiskCategory, .ZoneId).
REGIONAL_CATEGORIES = ('cloud_regional_disk_auto',)
# "Snapshots created on or before July 15, 2013 cannot be used to create cloud disks" (CreateDiskRequest.SnapshotId).
_OLDEST_USABLE_SNAPSHOT = 1373932800.0  # 2013-07-16T00:00:00Z
# DescribeDisksRequest.Status, besides All.
_DISK_STATUSES = ('In_use', 'Available', 'Attaching', 'Detaching', 'Creating', 'ReIniting')
# DescribeSnapshots' and DescribeDisks' Tag.N: "the number of resources returned cannot exceed 1,000;
# beyond, use ListTagResources" (ecs-20140526 DescribeSnapshotsRequest, DescribeDisksRequest). No error
# code is documented: fakecloud answers the first 1,000 only, the reading that hurts a client most.
TAG_FILTER_CAP = 1000


def _region(call) -> str:
    region = p.text(call.params, 'RegionId', required=True)
    if not call.store.known_region(CLOUD, region):
        raise CloudError('InvalidRegionId.NotFound', 'The specified RegionId does not exist.', 404)
    return region


def _tags_out(tags: dict) -> dict:
    return {'Tag': [{'TagKey': k, 'TagValue': v} for k, v in tags.items()]}


def render_snapshot(store, snap: dict, now: float) -> dict:
    status, percent = store.phase(snap, now)
    remain = 0 if status != RUNNING else max(0, int(snap['created'] + snap['duration'] - now))
    return {
        'SnapshotId': snap['id'],
        'SnapshotName': snap['name'],
        'Description': snap['description'],
        'Status': STATUS_WORDS[status],
        'Progress': '%d%%' % percent,
        'RemainTime': remain,
        'Available': status == DONE,
        'SourceDiskId': snap['disk_id'],
        'SourceDiskSize': str(snap['disk_size']),
        # ecs-20140526 DescribeSnapshotsResponseBodySnapshotsSnapshot.FullSnapshotSizeInBytes (int; the model gives it no
        # words): what the snapshot holds, as EC2's field of the name (meter.py).
        'FullSnapshotSizeInBytes': meter.written(snap),
        'SourceDiskType': snap['disk_type'],
        'SourceStorageType': 'disk',
        'Category': snap['category'],
        'InstantAccess': snap['category'] == 'flash',
        'Encrypted': snap['encrypted'],
        'KMSKeyId': snap['kms_key_id'],
        'CreationTime': iso_z(snap['created']),
        'LastModifiedTime': iso_z(snap['created']),
        'RetentionDays': snap['retention_days'] or 0,
        'SourceSnapshotId': snap['source_snapshot_id'],
        'SourceRegionId': snap['source_region'],
        'SnapshotType': 'user',
        'Usage': 'none',
        'ProductCode': '',
        'ResourceGroupId': '',
        'RegionId': snap['region'],
        'Tags': _tags_out(snap['tags']),
    }


# A disk's Status while it is attached, or being attached or detached (DescribeDisksRequest.Status; the AttachDisk and
# DetachDisk references: Available -> Attaching -> In_use, In_use -> Detaching -> Available, each asynchronous).
_ATTACHMENT_STATUS = {ATTACHING: 'Attaching', ATTACHED: 'In_use', DETACHING: 'Detaching'}


def disk_status(disk: dict, now: float) -> str:
    """Creating while the disk is being made (DescribeDisksRequest.Status), then Available, or Attaching, In_use,
    Detaching while an instance has it."""
    if disk_phase(disk, now) == RUNNING:
        return 'Creating'
    return _ATTACHMENT_STATUS.get(attachment(disk, now), 'Available')


def render_disk(disk: dict, now: float) -> dict:
    return {
        'DiskId': disk['id'],
        'DiskName': disk['name'],
        'Description': disk['description'],
        'RegionId': disk['region'],
        'ZoneId': disk['zone'],
        'Category': disk['category'],
        'Size': disk['size'],
        'Type': disk['type'],
        'Status': disk_status(disk, now),
        'InstanceId': disk['instance_id'] if attachment(disk, now) else '',
        # The device name once attached, '' before (ECS-D AttachDisk, Device: /dev/xvdb to /dev/xvdz, given by the
        # system; when ECS answers it during Attaching is unverifiable: not before the disk is In_use here).
        'Device': disk['device'] if attachment(disk, now) in (ATTACHED, DETACHING) else '',
        'Encrypted': disk['encrypted'],
        'KMSKeyId': disk['kms_key_id'],
        'Portable': disk['type'] == 'data',
        'SourceSnapshotId': disk['source_snapshot_id'],
        'PerformanceLevel': disk['performance_level'],
        'MultiAttach': disk['multi_attach'],
        'DiskChargeType': 'PostPaid',
        'DeleteAutoSnapshot': False,
        'EnableAutomatedSnapshotPolicy': False,
        'CreationTime': iso_z(disk['created']),
        'Tags': _tags_out(disk['tags']),
    }


def _newest_first(records) -> list:
    return sorted(records, key=lambda r: (-r['created'], r['id']))


def describe_regions(call) -> dict:
    return {
        'Regions': {
            'Region': [
                {'RegionId': r, 'LocalName': r, 'RegionEndpoint': 'ecs.%s.aliyuncs.com' % r, 'Status': 'available'}
                for r in call.store.regions(CLOUD)
            ]
        }
    }


def describe_zones(call) -> dict:
    """Zones.Zone[] (ecs-20140526 DescribeZonesResponseBodyZonesZone): the region's zones, each offering its
    disk categories and the creation of instances and disks (AvailableResourceCreation.ResourceTypes values as
    the DescribeZones reference's example answer gives them)."""
    region = _region(call)
    return {
        'Zones': {
            'Zone': [
                {
                    'ZoneId': zone['id'],
                    'LocalName': '%s Zone %s' % (region, zone['id'][len(region) :].lstrip('-').upper()),
                    'ZoneType': 'AvailabilityZone',
                    'AvailableDiskCategories': {'DiskCategories': zone['disk_categories']},
                    'AvailableResourceCreation': {'ResourceTypes': ['Instance', 'Disk']},
                }
                for zone in call.store.zones(CLOUD, region)
            ]
        }
    }


def describe_disks(call) -> dict:
    region = _region(call)
    prm = call.params
    call.store.drop_failed_disks(CLOUD, call.now)
    ids = p.json_list(prm, 'DiskIds')
    tags = p.tag_filters(prm)
    wanted = {'zone': p.text(prm, 'ZoneId'), 'name': p.text(prm, 'DiskName'), 'instance_id': p.text(prm, 'InstanceId')}
    category = p.text(prm, 'Category', default='all')
    disk_type = p.text(prm, 'DiskType', default='all')
    encrypted = p.boolean(prm, 'Encrypted')
    wanted['source_snapshot_id'] = p.text(prm, 'SnapshotId')
    status = p.text(prm, 'Status', default='All')
    if status not in (*_DISK_STATUSES, 'All'):
        raise CloudError('InvalidStatus.ValueNotSupported', 'The specified parameter "Status" is not valid.')
    found = []
    for disk in call.store.disks[CLOUD].values():
        if disk['region'] != region or (ids is not None and disk['id'] not in ids):
            continue
        if status != 'All' and disk_status(disk, call.now) != status:
            continue
        if any(value is not None and disk[key] != value for key, value in wanted.items()):
            continue
        if (category != 'all' and disk['category'] != category) or (disk_type != 'all' and disk['type'] != disk_type):
            continue
        if (encrypted and not disk['encrypted']) or not match_tags(disk['tags'], tags):
            continue
        found.append(disk)
    found = _newest_first(found)
    if tags:
        found = found[:TAG_FILTER_CAP]
    # MaxResults: 10 to 500 (DescribeDisksRequest); PageSize at most 100.
    chunk, extra = p.page(prm, found, max_results=(10, 500))
    extra['Disks'] = {'Disk': [render_disk(d, call.now) for d in chunk]}
    return extra


def describe_snapshots(call) -> dict:
    region = _region(call)
    prm = call.params
    ids = p.json_list(prm, 'SnapshotIds')
    tags = p.tag_filters(prm)
    status = p.text(prm, 'Status', default='all')
    if status not in ('all', 'progressing', 'accomplished', 'failed'):
        raise CloudError('InvalidStatus.ValueNotSupported', 'The specified parameter "Status" is not valid.')
    category = p.text(prm, 'Category', default='all')
    disk_id = p.text(prm, 'DiskId')
    name = p.text(prm, 'SnapshotName')
    encrypted = p.boolean(prm, 'Encrypted')
    source_type = (p.text(prm, 'SourceDiskType') or '').lower()
    found = []
    for snap in call.store.snapshots[CLOUD].values():
        if snap['region'] != region or (ids is not None and snap['id'] not in ids):
            continue
        if (disk_id and snap['disk_id'] != disk_id) or (name and snap['name'] != name):
            continue
        if (category != 'all' and snap['category'] != category) or (source_type and snap['disk_type'] != source_type):
            continue
        if (encrypted and not snap['encrypted']) or not match_tags(snap['tags'], tags):
            continue
        if status != 'all' and STATUS_WORDS[call.store.phase(snap, call.now)[0]] != status:
            continue
        found.append(snap)
    found = _newest_first(found)
    if tags:
        found = found[:TAG_FILTER_CAP]
    chunk, extra = p.page(prm, found)
    extra['Snapshots'] = {'Snapshot': [render_snapshot(call.store, s, call.now) for s in chunk]}
    return extra


def _check_retention(prm: dict):
    try:
        return p.integer(prm, 'RetentionDays', None, 1, 65536)
    except CloudError:
        raise CloudError(
            'InvalidRetentionDays', 'The specified parameter "RetentionDays" is not valid; valid values are 1 to 65536.'
        ) from None


@rules.idempotent
def create_snapshot(call) -> dict:
    prm = call.params
    disk_id = p.text(prm, 'DiskId', required=True)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None or (prm.get('RegionId') and disk['region'] != prm['RegionId']):
        raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 404)
    name = p.text(prm, 'SnapshotName')
    rules.check_name(name)
    if name and name.lower().startswith('auto'):
        raise CloudError('InvalidSnapshotName.Malformed', 'Specified snapshot name is not valid.')
    rules.check_description(p.text(prm, 'Description'))
    retention = _check_retention(prm)
    tags = rules.parse_tags(prm)
    category = (p.text(prm, 'Category') or 'standard').lower()
    if category not in ('standard', 'flash'):
        raise CloudError('InvalidParameter.Category', 'The specified parameter "Category" is not valid.')
    snap = make_snapshot(
        call.store,
        CLOUD,
        disk['region'],
        call.now,
        disk,
        name=name or '',
        description=p.text(prm, 'Description') or '',
        category=category,
        tags=tags,
        retention_days=retention,
        duration=call.store.timing(CLOUD, 'snapshot_seconds'),
    )
    call.store.add_snapshot(CLOUD, snap)
    call.changed(disk['region'])
    return {'SnapshotId': snap['id']}


@rules.idempotent
def copy_snapshot(call) -> dict:
    prm = call.params
    region = _region(call)
    snapshot_id = p.text(prm, 'SnapshotId', required=True)
    destination = p.text(prm, 'DestinationRegionId', required=True)
    if not call.store.known_region(CLOUD, destination):
        raise CloudError('InvalidRegionId.NotFound', 'The specified DestinationRegionId does not exist.', 404)
    # Both are required (ecs-20140526 CopySnapshotRequest: "This parameter is required.").
    name = p.text(prm, 'DestinationSnapshotName', required=True)
    description = p.text(prm, 'DestinationSnapshotDescription', required=True)
    rules.check_name(name)
    rules.check_description(description)
    retention = _check_retention(prm)
    # "The tag value ... cannot start with aliyun or acs:" (CopySnapshotRequest.Tag.Value).
    tags = rules.parse_tags(prm, value_reserved=('acs:', 'aliyun'))
    encrypted = p.boolean(prm, 'Encrypted')
    if destination == region:
        # ECS error codes: a copy within one region is refused (unverifiable: the HTTP status).
        raise CloudError(
            'InvalidOperation.NotSupportCopyInSameRegion',
            'Copying a snapshot within the same region is not supported.',
            400,
        )
    source = call.store.snapshots[CLOUD].get(snapshot_id) or _shared_with_caller(call, snapshot_id)
    if source is None or source['region'] != region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot is not exists.', 403)
    if source.get('account') != call.account and source['encrypted'] and not p.text(prm, 'KMSKeyId'):
        # "When you copy a shared encrypted snapshot [...], you must specify a different encryption key" (the ECS guide
        # "Share a snapshot"); the code is unverifiable.
        raise CloudError(
            'InvalidParameter.KMSKeyId',
            'A shared encrypted snapshot is copied with a key of your own: specify Encrypted and KMSKeyId.',
            400,
        )
    # Encrypted snapshots can be copied ("copies a standard or encrypted snapshot"); local ones cannot
    # (unverifiable: this error code).
    if source['category'] == 'flash':
        raise CloudError('OperationDenied.LocalSnapshot', 'Local snapshots cannot be copied.', 403)
    if call.store.phase(source, call.now)[0] != DONE:
        raise CloudError('InvalidSnapshotId.NotReady', 'The specified snapshot has not completed yet.', 403)
    if _unfinished_copy_of_disk(call, source, destination):
        # ECS error codes. Unverifiable: the scope. ECS copies a disk's snapshots to a region
        # incrementally, so fakecloud refuses while a copy of the same disk to the same region runs.
        raise CloudError(
            'InvalidOperation.DiskHasUnfinishedSnapshotCopy',
            'The operation is not supported while the disk has an unfinished snapshot copy task.',
            403,
        )
    if call.store.faults.region_broken(CLOUD, destination):
        raise server_error(CLOUD, 'ServiceUnavailable')
    copy = make_snapshot(
        call.store,
        CLOUD,
        destination,
        call.now,
        None,
        name=name,
        description=description,
        disk_id=source['disk_id'],
        disk_size=source['disk_size'],
        disk_category=source['disk_category'],
        disk_type=source['disk_type'],
        encrypted=encrypted or source['encrypted'],
        kms_key_id=p.text(prm, 'KMSKeyId') or (source['kms_key_id'] if source['encrypted'] else ''),
        tags=tags,
        retention_days=retention,
        source_snapshot_id=source['id'],
        source_region=region,
        is_copy=True,
        duration=call.store.timing(CLOUD, 'copy_seconds'),
        will_fail=call.store.faults.copy_fails(CLOUD, destination),
        data=source.get('data'),
        **meter.carried(source),
    )
    call.store.add_snapshot(CLOUD, copy)
    meter.record_copy(call.store, CLOUD, copy)
    call.changed(destination)
    return {'SnapshotId': copy['id']}


def _shared_with_caller(call, snapshot_id: str) -> dict | None:
    """Another account's snapshot shared with the caller through Resource Sharing, its invitation accepted: the caller
    may copy it across regions (the ECS guide "Share a snapshot"; resourcesharing.py)."""
    snap = call.store.any_snapshot(CLOUD, snapshot_id)
    if (
        snap is None
        or snap.get('account') == call.account
        or not resourcesharing.shared_with(call.store, snap, call.account, call.now)
    ):
        return None
    return snap


def _unfinished_copy_of_disk(call, source: dict, destination: str) -> bool:
    """Whether a copy of a snapshot of the source's disk, into ``destination``, is still running."""
    if not source['disk_id']:
        return False
    return any(
        snap['is_copy']
        and snap['region'] == destination
        and snap['disk_id'] == source['disk_id']
        and snap['source_region'] == source['region']
        and call.store.phase(snap, call.now)[0] == RUNNING
        for snap in call.store.snapshots[CLOUD].values()
    )


def _snapshot_in(call, snapshot_id: str, region: str | None) -> dict:
    """The snapshot ``snapshot_id`` in ``region`` (None: in any), or the not-found error of the calls that name one."""
    snap = call.store.snapshots[CLOUD].get(snapshot_id)
    if snap is None or (region and snap['region'] != region):
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.', 404)
    return snap


def delete_snapshot(call) -> dict:
    """Deletes a snapshot, unless a disk of the account was made from it and Force is not true: "If the snapshot
    has been used to create disks and Force is not specified or is set to false, the snapshot cannot be deleted
    directly" (ECS-D DeleteSnapshot; its error table: 403 SnapshotCreatedDisk). Unverifiable: whether a disk
    released since still counts; here only disks that still exist do."""
    snapshot_id = p.text(call.params, 'SnapshotId', required=True)
    force = p.boolean(call.params, 'Force') or False
    snap = _snapshot_in(call, snapshot_id, call.params.get('RegionId'))
    if lock_status(snap, call.now) in (LOCK_COOLOFF, LOCK_ACTIVE):
        # "During the snapshot lock period, no user can delete it", the cool-off included (LockSnapshot). The code is
        # unverifiable (DeleteSnapshot's error table names none for a lock): the collection reads the lock first
        # (DescribeLockedSnapshots) and sends no delete for a locked copy, so nothing may rest on this answer.
        raise CloudError('InvalidOperation.SnapshotLocked', 'The snapshot is locked and cannot be deleted.', 403)
    if resourcesharing.associated_shares(call.store, snap):
        # "A shared snapshot cannot be deleted before it is unshared" (the ECS guide "Share a snapshot"); the code is
        # unverifiable.
        raise CloudError(
            'OperationDenied.SnapshotShared', 'The snapshot is shared with other accounts: unshare it first.', 403
        )
    if not force and any(disk.get('source_snapshot_id') == snapshot_id for disk in call.store.disks[CLOUD].values()):
        raise CloudError('SnapshotCreatedDisk', 'The snapshot has been used to create disk(s).', 403)
    del call.store.snapshots[CLOUD][snapshot_id]
    call.changed(snap['region'])
    return {}


# --------------------------------------------------------------- snapshot locks (LockSnapshot, DescribeLockedSnapshots)
# ecs-20140526 LockSnapshotRequest and DescribeLockedSnapshotsResponseBodyLockedSnapshotsInfo: the only mode is
# compliance; CoolOffPeriod 0-72 h and LockDuration 1-36,500 days are required; a lock put on a snapshot still in
# progress counts its duration from when the snapshot is accomplished; LockStatus is compliance-cooloff, compliance or
# expired (the guide "Lock a snapshot" names the third). UnlockSnapshot is not emulated: the collection never unlocks.
LOCK_MODES = ('compliance',)
LOCK_COOLOFF, LOCK_ACTIVE, LOCK_EXPIRED = 'compliance-cooloff', 'compliance', 'expired'
LOCK_STATUSES = (LOCK_COOLOFF, LOCK_ACTIVE, LOCK_EXPIRED)


def lock_times(snap: dict) -> dict:
    """The epochs of a locked snapshot's lock: when it began, its cool-off ends, its duration starts and it expires."""
    lock = snap['lock']
    duration_start = max(lock['locked_at'], snap['created'] + snap['duration'])
    return {
        'locked': lock['locked_at'],
        'cool_off_ends': lock['locked_at'] + lock['cool_off_hours'] * 3600,
        'duration_start': duration_start,
        'expires': duration_start + lock['duration_days'] * 86400,
    }


def lock_status(snap: dict, now: float) -> str | None:
    """The LockStatus of ``snap`` at ``now`` (None: never locked)."""
    if not snap.get('lock'):
        return None
    times = lock_times(snap)
    if now >= times['expires']:
        return LOCK_EXPIRED
    return LOCK_COOLOFF if now < times['cool_off_ends'] else LOCK_ACTIVE


def render_lock(snap: dict, now: float) -> dict:
    """A lock as LockSnapshot and DescribeLockedSnapshots answer it. On a snapshot still in progress its duration has
    not begun ("the lock duration is calculated only after the snapshot enters the accomplished state",
    LockSnapshotResponseBody.LockedSnapshotInfo.LockDurationStartTime): no start or expiry is answered until then, as
    the cloud cannot know them (whether ECS answers them empty or leaves them out is unverifiable: left out here). The
    cool-off counts from the lock itself (LockSnapshotRequest.CoolOffPeriod)."""
    lock, times = snap['lock'], lock_times(snap)
    answer = {
        'SnapshotId': snap['id'],
        'LockMode': lock['mode'],
        'LockStatus': lock_status(snap, now),
        'CoolOffPeriod': lock['cool_off_hours'],
        'LockDuration': lock['duration_days'],
        'LockCreationTime': iso_z(times['locked']),
        'CoolOffPeriodExpiredTime': iso_z(times['cool_off_ends']),
    }
    if now >= snap['created'] + snap['duration']:
        answer.update(LockDurationStartTime=iso_z(times['duration_start']), LockExpiredTime=iso_z(times['expires']))
    return answer


@rules.idempotent
def lock_snapshot(call) -> dict:
    """Locks a snapshot, or sets its lock again. "If you reconfigure a locked snapshot during the cooling-off period
    [...] all lock parameters will be reset"; once it is over, "you can only extend the lock duration", with
    CoolOffPeriod 0 (LockSnapshot's description and LockSnapshotRequest.CoolOffPeriod). The code of that refusal is
    UnlockSnapshot's documented one for the same state (403 InvalidOperation.CoolOffPeriodExpired); LockSnapshot's
    own is unverifiable."""
    prm = call.params
    region = p.text(prm, 'RegionId', required=True)
    snap = _snapshot_in(call, p.text(prm, 'SnapshotId', required=True), region)
    mode = p.text(prm, 'LockMode', required=True)
    if mode not in LOCK_MODES:
        raise invalid('LockMode', 'Valid values: %s.' % ', '.join(LOCK_MODES))
    p.text(prm, 'LockDuration', required=True)
    p.text(prm, 'CoolOffPeriod', required=True)
    duration = p.integer(prm, 'LockDuration', None, 1, 36500)
    cool_off = p.integer(prm, 'CoolOffPeriod', None, 0, 72)
    # The cool-off is "an optional buffer (0 to 72 hours) before the lock becomes active, included in the total lock
    # duration" (the guide "Lock a snapshot", Cooling-off period): no longer than the lock. The code is unverifiable
    # (LockSnapshot's error table names none for it); the collection refuses such a lock before any call.
    if cool_off > duration * 24:
        raise CloudError(
            'InvalidParameter.CoolOffPeriod',
            'The cool-off period is included in the lock duration and cannot exceed it.',
            400,
        )
    status = lock_status(snap, call.now)
    if status == LOCK_ACTIVE and (cool_off != 0 or duration < snap['lock']['duration_days']):
        raise CloudError(
            'InvalidOperation.CoolOffPeriodExpired',
            'The snapshot is locked in compliance mode, and the cool-off '
            'period has expired. The current operation is not supported.',
            403,
        )
    # A lock in force keeps its start; any other is set anew.
    locked_at = snap['lock']['locked_at'] if status == LOCK_ACTIVE else call.now
    _check_retention_outlasts(snap, locked_at, duration)
    snap['lock'] = {'mode': mode, 'cool_off_hours': cool_off, 'duration_days': duration, 'locked_at': locked_at}
    call.changed(snap['region'])
    return {'LockedSnapshotInfo': render_lock(snap, call.now)}


def _check_retention_outlasts(snap: dict, locked_at: float, duration: int) -> None:
    """ "The lock must expire on or before the snapshot retention period" (the guide "Lock a snapshot", Lock duration).
    The retention counts from the snapshot's creation (ModifySnapshotAttributeRequest.RetentionDays), the lock from its
    start (lock_times: on a snapshot in progress, its completion, as fakecloud knows it). The code is unverifiable
    (LockSnapshot's error table names none for it): the collection checks the rule before it locks, so nothing may rest
    on this answer."""
    if not snap['retention_days']:
        return
    expires = lock_times(dict(snap, lock={'locked_at': locked_at, 'cool_off_hours': 0, 'duration_days': duration}))[
        'expires'
    ]
    if expires > snap['created'] + snap['retention_days'] * 86400:
        raise CloudError(
            'InvalidParameter.LockDuration',
            'The lock must expire on or before the snapshot retention period ends.',
            400,
        )


def describe_locked_snapshots(call) -> dict:
    """The locks of a region's snapshots (every lock set, expired ones too), filtered by SnapshotIds and LockStatus,
    paged by MaxResults/NextToken (DescribeLockedSnapshotsRequest; SnapshotIds is a repeat list, SnapshotIds.N)."""
    prm = call.params
    region = p.text(prm, 'RegionId', required=True)
    wanted = p.repeat_list(prm, 'SnapshotIds') or None
    status = p.text(prm, 'LockStatus')
    if status is not None and status not in LOCK_STATUSES:
        raise invalid('LockStatus', 'Valid values: %s.' % ', '.join(LOCK_STATUSES))
    locked = [
        snap
        for snap in call.store.snapshots[CLOUD].values()
        if snap['region'] == region
        and snap.get('lock')
        and (wanted is None or snap['id'] in wanted)
        and (status is None or lock_status(snap, call.now) == status)
    ]
    chunk, extra = p.page(prm, sorted(locked, key=lambda snap: snap['id']))
    return {'LockedSnapshotsInfo': [render_lock(snap, call.now) for snap in chunk], 'NextToken': extra['NextToken']}


# ---------------------------------------------- snapshot-consistent groups (CreateSnapshotGroup, DescribeSnapshotGroups,
# DeleteSnapshotGroup). ecs-20140526 CreateSnapshotGroupRequest: the disks of one instance (InstanceId, less
# ExcludeDiskId.N), or DiskId.N (with InstanceId only disks attached to it; without, disks of one zone); DiskId.N and
# ExcludeDiskId.N not together; N 1 to 128, "up to 128 disks with a total capacity of up to 256 TiB". The API reference
# (CreateSnapshotGroup, help.aliyun.com/document_detail/210939.html) is stricter: "单个快照一致性组最多包括 16 块云盘
# （包括系统盘和数据盘），且总容量不超过 32 TiB" (16 disks and 32 TiB at most) and "开启多重挂载特性的云盘不支持创建快照
# 一致性组" (no disk with multi-attach enabled); the user guide allows 128 and 256 TiB in some regions only. fakecloud
# holds every region to the stricter rules (issue 61), as a client must. Every member is snapshotted at one moment (one
# CreationTime) and completes on fakecloud's clock like any snapshot (timings.ecs.snapshot_seconds); the group's Status
# follows its members: progressing, accomplished or failed (DescribeSnapshotGroupsRequest.Status, its documented
# values). Nothing in a snapshot of DescribeSnapshots names its group (DescribeSnapshotsResponseBodySnapshotsSnapshot has
# no such field): a group's members are read from DescribeSnapshotGroups.
GROUP_STATUSES = ('progressing', 'accomplished', 'failed')
# The model's: DiskId.N, N 1 to 128, and its 256 TiB (test_conformance.py holds them to it).
MAX_GROUP_DISKS = 128
MAX_GROUP_GIB = 256 * 1024
# The API reference's, which fakecloud enforces.
GROUP_DISK_LIMIT = 16
GROUP_GIB_LIMIT = 32 * 1024
# "only for Enterprise SSDs (ESSDs), ESSD AutoPL disks, and ESSD Entry disks" (ECS-D CreateSnapshotGroup; the model
# names no category). The codes of these refusals are unverifiable: the SDK's model lists no error code (the V2 model
# packages carry none), and the API reference's error table names none for them. InvalidDiskCategory.NotSupported is
# CreateDisk's for a category a zone does not offer; the others are InvalidParameter.DiskId, as for a disk of another
# instance, with a message naming the disk.
GROUP_CATEGORIES = ('cloud_essd', 'cloud_auto', 'cloud_essd_entry')


def _group_disks(call, region: str) -> tuple:
    """(instance id, [disks]) a CreateSnapshotGroup call names. An instance is the InstanceId its disks carry (seeded
    with ``instance_id``, or given by AttachDisk), so one no disk of the region carries is not found."""
    prm = call.params
    instance_id = p.text(prm, 'InstanceId')
    wanted, excluded = p.repeat_list(prm, 'DiskId'), p.repeat_list(prm, 'ExcludeDiskId')
    if wanted and excluded:
        # "This parameter and ExcludeDiskId.N cannot be set at the same time" (CreateSnapshotGroupRequest.DiskId); the
        # code is unverifiable.
        raise CloudError('InvalidParameter.Conflict', 'DiskId.N and ExcludeDiskId.N cannot be set together.')
    if len(wanted) > MAX_GROUP_DISKS or len(excluded) > MAX_GROUP_DISKS:
        raise invalid('DiskId' if wanted else 'ExcludeDiskId', 'Valid values of N: 1 to %d.' % MAX_GROUP_DISKS)
    if instance_id is None and not wanted:
        # The model requires neither, but a group of no disk cannot be made (unverifiable code).
        raise CloudError('MissingParameter', 'Either InstanceId or DiskId.N must be given.')
    table = call.store.disks[CLOUD]
    call.store.drop_failed_disks(CLOUD, call.now)
    attached = [disk for disk in table.values() if disk['region'] == region and disk['instance_id'] == instance_id]
    if instance_id is not None and not attached:
        raise CloudError('InvalidInstanceId.NotFound', 'The specified instance does not exist.', 404)
    for disk_id in wanted + excluded:
        disk = table.get(disk_id)
        if disk is None or disk['region'] != region:
            raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 404)
        if instance_id is not None and disk['instance_id'] != instance_id:
            # "If you set InstanceId, you can set this parameter only to the IDs of disks attached to the specified
            # instance" (CreateSnapshotGroupRequest.DiskId); the code is unverifiable.
            raise CloudError(
                'InvalidParameter.DiskId', 'The disk %s is not attached to the instance %s.' % (disk_id, instance_id)
            )
    if wanted:
        disks = [table[disk_id] for disk_id in dict.fromkeys(wanted)]
    else:
        disks = sorted((disk for disk in attached if disk['id'] not in excluded), key=lambda disk: disk['id'])
    if not disks:
        raise invalid('ExcludeDiskId', 'No disk of the instance is left to snapshot.')
    if len({disk['zone'] for disk in disks}) > 1:
        # "multiple disk IDs across instances in the same zone" (CreateSnapshotGroupRequest.DiskId); unverifiable code.
        raise CloudError('InvalidParameter.DiskId', 'The disks of a snapshot-consistent group must be in one zone.')
    return instance_id, disks


@rules.idempotent
def create_snapshot_group(call) -> dict:
    """A snapshot-consistent group of the disks an instance has attached (or of DiskId.N), every member snapshotted
    now; a member may be left pending or failing by the torn_groups fault."""
    prm = call.params
    region = _region(call)
    # Name: 2 to 128 characters, a letter first, then letters, digits, '.', '_', '-', ':', not http(s)://;
    # Description: 2 to 256, not http(s):// (CreateSnapshotGroupRequest). The codes are unverifiable.
    name, description = p.text(prm, 'Name'), p.text(prm, 'Description')
    rules.check_name(name, 'InvalidName.Malformed', 'The specified snapshot-consistent group name is not valid.')
    rules.check_description(description)
    tags = rules.parse_tags(prm)
    instance_id, disks = _group_disks(call, region)
    for disk in disks:
        if disk_status(disk, call.now) not in ('In_use', 'Available'):
            # "must be in the In Use (In_use) or Unattached (Available) state" (ECS-D); the code is DeleteDisk's.
            raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 403)
        if disk['category'] not in GROUP_CATEGORIES:
            raise CloudError(
                'InvalidDiskCategory.NotSupported',
                'A snapshot-consistent group takes ESSD, ESSD AutoPL and ESSD Entry disks only, not %s (%s).'
                % (disk['category'], disk['id']),
                403,
            )
        if disk['multi_attach'] != 'Disabled':
            raise CloudError(
                'InvalidParameter.DiskId',
                'The disk %s has multi-attach enabled: a snapshot-consistent group cannot take it.' % disk['id'],
            )
    if len(disks) > GROUP_DISK_LIMIT:
        raise CloudError(
            'InvalidParameter.DiskId',
            'A snapshot-consistent group holds at most %d disks, got %d.' % (GROUP_DISK_LIMIT, len(disks)),
        )
    if sum(int(disk['size']) for disk in disks) > GROUP_GIB_LIMIT:
        raise CloudError('InvalidParameter.DiskId', 'A snapshot-consistent group holds at most 32 TiB of disks.')
    torn = call.store.faults.torn_member(CLOUD, len(disks))
    seconds = call.store.timing(CLOUD, 'snapshot_seconds')
    group_id = call.store.new_id(CLOUD, 'ssg-', 20)
    members = []
    for index, disk in enumerate(disks):
        late = torn is not None and torn[0] == index
        snap = make_snapshot(
            call.store,
            CLOUD,
            region,
            call.now,
            disk,
            duration=seconds + (torn[2] if late and torn[1] == 'pending' else 0.0),
            will_fail=late and torn[1] == 'failed',
            group_id=group_id,
        )
        call.store.add_snapshot(CLOUD, snap)
        members.append(snap['id'])
    call.store.snapshot_groups[CLOUD][group_id] = {
        'id': group_id,
        'region': region,
        'name': name or '',
        'description': description or '',
        'instance_id': instance_id or (disks[0]['instance_id'] if len({d['instance_id'] for d in disks}) == 1 else ''),
        'created': call.now,
        'members': members,
        'tags': tags,
    }
    call.changed(region)
    return {'SnapshotGroupId': group_id}


def _group_tags(tags: dict) -> dict:
    # A group's tags, and its snapshots', are Key/Value here (DescribeSnapshotGroupsResponseBodySnapshotGroupsSnapshotGroup
    # TagsTag), where DescribeSnapshots' are TagKey/TagValue.
    return {'Tag': [{'Key': key, 'Value': value} for key, value in tags.items()]}


def render_group(store, group: dict, now: float) -> dict:
    """DescribeSnapshotGroupsResponseBodySnapshotGroupsSnapshotGroup. ProgressStatus is left out: the model documents
    nothing of it (unverifiable)."""
    phase = store.group_phase(CLOUD, group, now)[0]
    return {
        'SnapshotGroupId': group['id'],
        'Name': group['name'],
        'Description': group['description'],
        'InstanceId': group['instance_id'],
        'CreationTime': iso_z(group['created']),
        'Status': STATUS_WORDS[phase],
        'ResourceGroupId': '',
        'Tags': _group_tags(group['tags']),
        'Snapshots': {
            'Snapshot': [
                {
                    'SnapshotId': snap['id'],
                    'SourceDiskId': snap['disk_id'],
                    'SourceDiskType': snap['disk_type'],
                    'Progress': '%d%%' % store.phase(snap, now)[1],
                    'Available': store.phase(snap, now)[0] == DONE,
                    'InstantAccess': False,
                    'InstantAccessRetentionDays': 0,
                    'Tags': _group_tags(snap['tags']),
                }
                for snap in store.group_members(CLOUD, group)
            ]
        },
    }


def describe_snapshot_groups(call) -> dict:
    """A region's groups, filtered by InstanceId, Name, SnapshotGroupId.N (1 to 10), Status.N (1 to 3 of progressing,
    accomplished, failed) and Tag.N; MaxResults (default 10, at most 100) with NextToken, newest first
    (DescribeSnapshotGroupsRequest). A group whose members were all deleted one by one is still listed, empty
    (unverifiable)."""
    prm = call.params
    region = _region(call)
    ids = p.repeat_list(prm, 'SnapshotGroupId')
    statuses = p.repeat_list(prm, 'Status')
    if len(ids) > 10:
        raise invalid('SnapshotGroupId', 'Valid values of N: 1 to 10.')
    if len(statuses) > 3 or any(status not in GROUP_STATUSES for status in statuses):
        raise invalid('Status', 'Valid values: %s.' % ', '.join(GROUP_STATUSES))
    size = p.integer(prm, 'MaxResults', 10, 1, 100)
    start = p.decode_token(prm['NextToken']) if prm.get('NextToken') else 0
    instance_id, name, tags = p.text(prm, 'InstanceId'), p.text(prm, 'Name'), p.tag_filters(prm)
    found = [
        group
        for group in call.store.snapshot_groups[CLOUD].values()
        if group['region'] == region
        and (not ids or group['id'] in ids)
        and (instance_id is None or group['instance_id'] == instance_id)
        and (name is None or group['name'] == name)
        and match_tags(group['tags'], tags)
        and (not statuses or STATUS_WORDS[call.store.group_phase(CLOUD, group, call.now)[0]] in statuses)
    ]
    chunk = _newest_first(found)[start : start + size]
    return {
        'NextToken': p.encode_token(start + size) if start + size < len(found) else '',
        'SnapshotGroups': {'SnapshotGroup': [render_group(call.store, group, call.now) for group in chunk]},
    }


def delete_snapshot_group(call) -> dict:
    """Deletes a group and its snapshots. A member that cannot be deleted (locked: LockSnapshot) is kept and named in
    OperationProgressSet with OperationStatus Failed; the others are Success (DeleteSnapshotGroupResponseBody; the
    reference keeps a member a custom image was made from, which fakecloud has none of; the words Success/Failed and
    the ErrorCode are unverifiable). An unknown group: InvalidSnapshotGroupId.NotFound (404, unverifiable code)."""
    region = p.text(call.params, 'RegionId', required=True)
    group_id = p.text(call.params, 'SnapshotGroupId', required=True)
    group = call.store.snapshot_groups[CLOUD].get(group_id)
    if group is None or group['region'] != region:
        raise CloudError(
            'InvalidSnapshotGroupId.NotFound', 'The specified snapshot-consistent group does not exist.', 404
        )
    progress = []
    for snap in call.store.group_members(CLOUD, group):
        item = {'RelatedItemSet': {'RelatedItem': [{'Name': 'SnapshotId', 'Value': snap['id']}]}}
        if lock_status(snap, call.now) in (LOCK_COOLOFF, LOCK_ACTIVE):
            item.update(
                OperationStatus='Failed',
                ErrorCode='InvalidOperation.SnapshotLocked',
                ErrorMsg='The snapshot is locked and cannot be deleted.',
            )
        else:
            del call.store.snapshots[CLOUD][snap['id']]
            item['OperationStatus'] = 'Success'
        progress.append(item)
    del call.store.snapshot_groups[CLOUD][group_id]
    call.changed(region)
    return {'OperationProgressSet': {'OperationProgress': progress}}


def _disk_size_range(category: str, level: str | None) -> tuple:
    if category == 'cloud_essd':
        return ESSD_SIZES[level or 'PL1']
    return DISK_SIZES[category]


def _source_snapshot(call, region: str, snapshot_id: str | None) -> dict | None:
    """The snapshot a disk is to be made from: in the region, the caller's, accomplished, not too old."""
    if not snapshot_id:
        return None
    source = _snapshot_in(call, snapshot_id, region)
    if call.store.phase(source, call.now)[0] != DONE:
        raise CloudError('InvalidSnapshotId.NotReady', 'The specified snapshot has not completed yet.', 403)
    if source['created'] < _OLDEST_USABLE_SNAPSHOT:
        raise CloudError(
            'InvalidSnapshot.TooOld',
            'This operation is forbidden because the specified snapshot is created before 2013-07-15.',
            403,
        )
    return source


@rules.idempotent
def create_disk(call) -> dict:
    """A pay-as-you-go data disk in a zone, blank or from a snapshot; Creating for timings.ecs.disk_seconds."""
    prm = call.params
    region = _region(call)
    # The model's default category is the basic disk, `cloud`.
    category = p.text(prm, 'DiskCategory', default='cloud')
    if category not in DISK_CATEGORIES:
        raise CloudError(
            'InvalidDiskCategory.ValueNotSupported', 'The specified parameter "DiskCategory" is not valid.'
        )
    # InstanceId (a subscription disk attached at once) is not emulated, so ZoneId is required, except for a regional
    # disk: "You do not need to specify ZoneId for a cloud_regional_disk_auto cloud disk" (ECS-M
    # CreateDiskRequest.ZoneId). Unverifiable: which regions sell regional disks (all, here) and what a ZoneId given
    # with one does (a zone's categories never list it here, so it is refused as a category the zone does not offer).
    if category in REGIONAL_CATEGORIES and p.text(prm, 'ZoneId') is None:
        zone = {'id': '', 'disk_categories': list(REGIONAL_CATEGORIES)}
    else:
        zone = call.store.zone(CLOUD, region, p.text(prm, 'ZoneId', required=True))
    if zone is None:
        raise CloudError('InvalidZoneId.NotFound', 'The specified zone does not exist.', 404)
    level = p.text(prm, 'PerformanceLevel')
    if level is not None and (category != 'cloud_essd' or level not in ESSD_SIZES):
        raise CloudError(
            'InvalidPerformanceLevel.Malformed', 'The specified parameter "PerformanceLevel" is not valid.'
        )
    rules.check_name(p.text(prm, 'DiskName'), 'InvalidDiskName.Malformed', 'The specified disk name is wrongly formed.')
    rules.check_description(
        p.text(prm, 'Description'), 'InvalidDescription.Malformed', 'The specified description is wrongly formed.'
    )
    tags = rules.parse_tags(prm)
    encrypted, kms_key_id = p.boolean(prm, 'Encrypted'), p.text(prm, 'KMSKeyId')
    if kms_key_id and not encrypted:
        raise CloudError(
            'InvalidParameter.EncryptedIllegal',
            'The specified parameter Encrypted must be true when kmsKeyId is not empty.',
        )
    size = p.integer(prm, 'Size')
    if size is None and not p.text(prm, 'SnapshotId'):
        raise CloudError('MissingParameter', 'The input parameter either "SnapshotId" or "Size" should be specified.')
    source = _source_snapshot(call, region, p.text(prm, 'SnapshotId'))
    if source is not None and category.startswith('elastic_ephemeral'):
        raise CloudError('InvalidParameter.Conflict', 'An elastic ephemeral disk cannot be made from a snapshot.')
    if category not in zone['disk_categories']:
        raise CloudError('InvalidDiskCategory.NotSupported', 'The specified disk category is not supported.', 403)
    # A snapshot larger than Size gives a disk of the snapshot's size (CreateDiskRequest.Size).
    final_size = max(size or 0, int(source['disk_size']) if source else 0)
    low, high = _disk_size_range(category, level)
    if not low <= final_size <= high:
        raise CloudError('InvalidDiskSize.NotSupported', 'The specified parameter size is not valid.')
    if call.store.faults.region_broken(CLOUD, region):
        raise CloudError('Zone.NotOnSale', 'The specified zone is not available for purchase.')
    if source is not None and source['encrypted']:
        # A disk from an encrypted snapshot is encrypted, by default with the snapshot's key
        # (CreateDiskRequest.KMSKeyId).
        encrypted, kms_key_id = True, kms_key_id or source['kms_key_id']
    disk = make_disk(
        call.store,
        CLOUD,
        region,
        call.now,
        zone=zone['id'],
        name=p.text(prm, 'DiskName') or '',
        description=p.text(prm, 'Description') or '',
        size=final_size,
        category=category,
        performance_level=(level or 'PL1') if category == 'cloud_essd' else '',
        encrypted=encrypted,
        kms_key_id=kms_key_id or '',
        tags=tags,
        source_snapshot_id=source['id'] if source else '',
        duration=call.store.timing(CLOUD, 'disk_seconds'),
        will_fail=call.store.faults.disk_fails(CLOUD, region),
        data=source.get('data') if source else None,
    )
    call.store.add_disk(CLOUD, disk)
    call.changed(region)
    return {'DiskId': disk['id']}


def delete_disk(call) -> dict:
    """Releases an Available disk. "If the specified DiskId parameter does not exist, the request is ignored"
    (the DeleteDisk reference), and so is a disk of another region or account."""
    disk_id = p.text(call.params, 'DiskId', required=True)
    call.store.drop_failed_disks(CLOUD, call.now)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None or (call.params.get('RegionId') and disk['region'] != call.params['RegionId']):
        return {}
    if disk['type'] == 'system':
        raise CloudError(
            'DiskTypeViolation', 'The specified disk is a system disk and cannot support the operation.', 403
        )
    if disk_status(disk, call.now) != 'Available':
        raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 403)
    del call.store.disks[CLOUD][disk_id]
    call.changed(disk['region'])
    return {}


# ---------------------------------------------------------------- instances and attachments (DescribeInstances,
# AttachDisk, DetachDisk). Instances are seeded only (/_admin/seed ecs.instances): fakecloud neither creates, starts nor
# stops one. ECS-M DescribeInstancesRequest.Status gives their states: Pending, Running, Starting, Stopping, Stopped.
INSTANCE_STATUSES = ('Pending', 'Running', 'Starting', 'Stopping', 'Stopped')
# "The ECS instance must be in the Running (Running) or Stopped (Stopped) state" to take a data disk (ECS-D AttachDisk).
_ATTACHABLE = ('Running', 'Stopped')
# Device names: "/dev/xvdb to /dev/xvdz", given by the system when Device is empty (ECS-D AttachDisk, its Device
# parameter in the older reference; the model marks Device deprecated, so fakecloud takes none and gives the first free).
_DEVICES = tuple('/dev/xvd' + letter for letter in 'bcdefghijklmnopqrstuvwxyz')


def render_instance(instance: dict) -> dict:
    """ECS-M DescribeInstancesResponseBodyInstancesInstance: what the drill reads (ZoneId, Status) and a few fields
    around it; what fakecloud does not emulate is left out, as the model allows."""
    return {
        'InstanceId': instance['id'],
        'InstanceName': instance['name'],
        'RegionId': instance['region'],
        'ZoneId': instance['zone'],
        'Status': instance['state'],
        'InstanceChargeType': 'PostPaid',
        'CreationTime': iso_z(instance['created']),
    }


def describe_instances(call) -> dict:
    """A region's instances, by InstanceIds (a JSON array of up to 100 ids), ZoneId, Status and InstanceName ("*" a
    wildcard), paged by MaxResults (at most 100, "a value less than 10" gives 10) and NextToken (ECS-M
    DescribeInstancesRequest). An id the region does not hold is left out, not refused (the filter's reading)."""
    region = _region(call)
    prm = call.params
    ids = p.json_list(prm, 'InstanceIds')
    zone, status, name = p.text(prm, 'ZoneId'), p.text(prm, 'Status'), p.text(prm, 'InstanceName')
    if status is not None and status not in INSTANCE_STATUSES:
        raise CloudError('InvalidStatus.ValueNotSupported', 'The specified parameter "Status" is not valid.')
    found = [
        instance
        for instance in call.store.instances[CLOUD].values()
        if instance['region'] == region
        and (ids is None or instance['id'] in ids)
        and (zone is None or instance['zone'] == zone)
        and (status is None or instance['state'] == status)
        and (name is None or fnmatch.fnmatchcase(instance['name'], name))
    ]
    size = min(100, max(10, p.integer(prm, 'MaxResults', 10, 1) or 10))
    start = p.decode_token(prm['NextToken']) if prm.get('NextToken') else 0
    chunk = _newest_first(found)[start : start + size]
    return {
        'NextToken': p.encode_token(start + size) if start + size < len(found) else '',
        'TotalCount': len(found),
        'Instances': {'Instance': [render_instance(instance) for instance in chunk]},
    }


def _disk_and_instance(call) -> tuple:
    """The disk and instance an AttachDisk or DetachDisk names, in the call's region: InvalidDiskId.NotFound and
    InvalidInstanceId.NotFound (404) otherwise (ECS-D AttachDisk, DetachDisk)."""
    prm = call.params
    disk_id = p.text(prm, 'DiskId', required=True)
    instance_id = p.text(prm, 'InstanceId', required=True)
    call.store.drop_failed_disks(CLOUD, call.now)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None or (prm.get('RegionId') and disk['region'] != prm['RegionId']):
        raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 404)
    instance = call.store.instances[CLOUD].get(instance_id)
    if instance is None or instance['region'] != disk['region']:
        raise CloudError('InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.', 404)
    return disk, instance


def attach_disk(call) -> dict:
    """Begins attaching an Available data disk to a Running or Stopped instance of its zone: Attaching for
    timings.ecs.attach_seconds, then In_use with a Device (ECS-D AttachDisk, its usage notes and error codes:
    IncorrectInstanceStatus 400; IncorrectDiskStatus, ResourcesNotInSameZone, InstanceDiskLimitExceeded 403). A
    regional disk (no zone) attaches in any zone of its region."""
    disk, instance = _disk_and_instance(call)
    if instance['state'] not in _ATTACHABLE:
        raise CloudError(
            'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.', 400
        )
    if disk_status(disk, call.now) != 'Available':
        raise CloudError(
            'IncorrectDiskStatus',
            'The current status of the disk does not support this operation. The expected disk status is Available.',
            403,
        )
    if disk['zone'] and disk['zone'] != instance['zone']:
        raise CloudError('ResourcesNotInSameZone', 'The specified instance and disk are not in the same zone.', 403)
    used = {other['device'] for other in call.store.disks[CLOUD].values() if other['instance_id'] == instance['id']}
    device = next((name for name in _DEVICES if name not in used), None)
    if device is None:
        raise CloudError(
            'InstanceDiskLimitExceeded', 'The amount of the disk on instance in question reach its limits.', 403
        )
    call.store.start_attachment(CLOUD, disk, instance['id'], call.now, device)
    call.changed(disk['region'])
    return {}


def detach_disk(call) -> dict:
    """Begins detaching an In_use disk from its instance: Detaching for timings.ecs.detach_seconds, then Available
    ("DetachDisk is asynchronous", ECS-D DetachDisk). Another instance's disk: DependencyViolation; a disk not In_use
    (Available, Attaching, Detaching): IncorrectDiskStatus (403, ECS-D DetachDisk's error codes)."""
    disk, instance = _disk_and_instance(call)
    if disk['instance_id'] != instance['id']:
        raise CloudError(
            'DependencyViolation', 'The specified disk has not been attached on the specified instance.', 403
        )
    if disk_status(disk, call.now) != 'In_use':
        raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 403)
    call.store.start_detachment(CLOUD, disk, call.now)
    call.changed(disk['region'])
    return {}


# "Before you add tags to a resource, Alibaba Cloud checks the number of existing tags of the resource. If the maximum
# number of tags is reached, an error message is returned" (the ECS API reference, TagResources); the maximum is 20 tags
# a resource and the error OperationDenied.QuotaExceed, "The quota of tags on resource is beyond permitted range.", HTTP
# 400 (its error codes; AddTags' reference says the same of its own 20). InvalidTagCount is the other limit, more than
# 20 Tag.N in one request (alibaba_rules.parse_tags), which also keeps CreateSnapshot, CopySnapshot and CreateDisk
# within 20 tags.
MAX_TAGS_A_RESOURCE = 20


def _tag_targets(call) -> tuple:
    resource_type = p.text(call.params, 'ResourceType', required=True).lower()
    if resource_type not in _RESOURCE_TYPES:
        raise CloudError('InvalidResourceType.NotFound', 'The specified ResourceType is not supported.')
    table = call.store.snapshots[CLOUD] if resource_type == 'snapshot' else call.store.disks[CLOUD]
    ids = p.repeat_list(call.params, 'ResourceId')
    # ResourceId.N: "Valid values of N: 1 to 50" (ecs-20140526 ListTagResourcesRequest, TagResourcesRequest).
    if len(ids) > 50:
        raise CloudError('InvalidResourceId.Malformed', 'At most 50 ResourceId.N can be given.')
    return resource_type, table, ids


def _existing(table: dict, ids: list, region: str) -> list:
    records = [table.get(rid) for rid in ids]
    if not ids or any(r is None or r['region'] != region for r in records):
        raise CloudError('InvalidResourceId.NotFound', 'The specified ResourceIds are not found in our records.', 404)
    return records


def tag_resources(call) -> dict:
    region = _region(call)
    dummy, table, ids = _tag_targets(call)
    tags = rules.parse_tags(call.params)
    if not tags:
        raise CloudError(
            'MissingParameter',
            'The input parameter "Tag" that is mandatory for processing this request is not supplied.',
        )
    records = _existing(table, ids, region)
    if any(len(set(record['tags']) | set(tags)) > MAX_TAGS_A_RESOURCE for record in records):
        raise CloudError('OperationDenied.QuotaExceed', 'The quota of tags on resource is beyond permitted range.')
    for record in records:
        record['tags'].update(tags)
    call.changed(region)
    return {}


# UntagResources' TagKey.N: "You can specify up to 20 tag keys" (ecs-20140526 UntagResourcesRequest). The code of a call
# with more: unverifiable, the one of Tag.N over its limit (alibaba_rules.parse_tags).
MAX_UNTAG_KEYS = 20


def untag_resources(call) -> dict:
    region = _region(call)
    dummy, table, ids = _tag_targets(call)
    keys = p.repeat_list(call.params, 'TagKey')
    if len(keys) > MAX_UNTAG_KEYS:
        raise CloudError('InvalidTagCount', 'The number of tag keys exceeds %d.' % MAX_UNTAG_KEYS)
    remove_all = p.boolean(call.params, 'All')
    for record in _existing(table, ids, region):
        for key in list(record['tags']):
            if remove_all or key in keys:
                del record['tags'][key]
    call.changed(region)
    return {}


def list_tag_resources(call) -> dict:
    region = _region(call)
    resource_type, table, ids = _tag_targets(call)
    tags = p.tag_filters(call.params)
    rows = []
    for record in table.values():
        if record['region'] != region or (ids and record['id'] not in ids) or not match_tags(record['tags'], tags):
            continue
        rows.extend(
            {'ResourceId': record['id'], 'ResourceType': resource_type, 'TagKey': k, 'TagValue': v}
            for k, v in record['tags'].items()
        )
    start = p.decode_token(call.params['NextToken']) if call.params.get('NextToken') else 0
    chunk = rows[start : start + 50]
    token = p.encode_token(start + 50) if start + 50 < len(rows) else ''
    return {'NextToken': token, 'TagResources': {'TagResource': chunk}}


# Each action: its handler, whether it can change state, and the parameters it accepts (the names
# of the vendor's request model, ecs-20140526; checked by tests/fakecloud/tests/test_conformance.py).
_TAGS = ('Tag.N.Key', 'Tag.N.Value')
_PAGING = ('MaxResults', 'NextToken', 'PageNumber', 'PageSize')
ACTIONS = {
    'DescribeRegions': action(describe_regions, False),
    'DescribeZones': action(describe_zones, False, 'RegionId'),
    'DescribeDisks': action(
        describe_disks,
        False,
        'RegionId',
        'DiskIds',
        'ZoneId',
        'DiskName',
        'Category',
        'DiskType',
        'InstanceId',
        'Encrypted',
        'SnapshotId',
        'Status',
        *_TAGS,
        *_PAGING,
    ),
    'CreateDisk': action(
        create_disk,
        True,
        'RegionId',
        'ZoneId',
        'SnapshotId',
        'DiskCategory',
        'PerformanceLevel',
        'Size',
        'DiskName',
        'Description',
        'Encrypted',
        'KMSKeyId',
        'ClientToken',
        *_TAGS,
    ),
    'DeleteDisk': action(delete_disk, True, 'DiskId'),
    'DescribeInstances': action(
        describe_instances,
        False,
        'RegionId',
        'InstanceIds',
        'ZoneId',
        'Status',
        'InstanceName',
        'MaxResults',
        'NextToken',
    ),
    'AttachDisk': action(attach_disk, True, 'InstanceId', 'DiskId'),
    'DetachDisk': action(detach_disk, True, 'InstanceId', 'DiskId'),
    'DescribeSnapshots': action(
        describe_snapshots,
        False,
        'RegionId',
        'SnapshotIds',
        'DiskId',
        'Status',
        'SnapshotName',
        'Category',
        'Encrypted',
        'SourceDiskType',
        *_TAGS,
        *_PAGING,
    ),
    'CreateSnapshot': action(
        create_snapshot,
        True,
        'DiskId',
        'SnapshotName',
        'Description',
        'RetentionDays',
        'Category',
        'ClientToken',
        *_TAGS,
    ),
    'CopySnapshot': action(
        copy_snapshot,
        True,
        'RegionId',
        'SnapshotId',
        'DestinationRegionId',
        'DestinationSnapshotName',
        'DestinationSnapshotDescription',
        'RetentionDays',
        'Encrypted',
        'KMSKeyId',
        'ClientToken',
        *_TAGS,
    ),
    'DeleteSnapshot': action(delete_snapshot, True, 'SnapshotId', 'Force'),
    'LockSnapshot': action(
        lock_snapshot, True, 'RegionId', 'SnapshotId', 'LockMode', 'LockDuration', 'CoolOffPeriod', 'ClientToken'
    ),
    'DescribeLockedSnapshots': action(
        describe_locked_snapshots, False, 'RegionId', 'SnapshotIds.N', 'LockStatus', 'MaxResults', 'NextToken'
    ),
    'CreateSnapshotGroup': action(
        create_snapshot_group,
        True,
        'RegionId',
        'InstanceId',
        'DiskId.N',
        'ExcludeDiskId.N',
        'Name',
        'Description',
        'ClientToken',
        *_TAGS,
    ),
    'DescribeSnapshotGroups': action(
        describe_snapshot_groups,
        False,
        'RegionId',
        'InstanceId',
        'Name',
        'SnapshotGroupId.N',
        'Status.N',
        'MaxResults',
        'NextToken',
        *_TAGS,
    ),
    'DeleteSnapshotGroup': action(delete_snapshot_group, True, 'RegionId', 'SnapshotGroupId'),
    'TagResources': action(tag_resources, True, 'RegionId', 'ResourceType', 'ResourceId.N', *_TAGS),
    'UntagResources': action(untag_resources, True, 'RegionId', 'ResourceType', 'ResourceId.N', 'TagKey.N', 'All'),
    'ListTagResources': action(
        list_tag_resources, False, 'RegionId', 'ResourceType', 'ResourceId.N', 'NextToken', *_TAGS
    ),
}
