"""Tencent Cloud CBS 2017-03-12: disks, snapshots, CopySnapshotCrossRegions, disk quotas, CreateDisks, and snapshots
shared with other accounts (ModifySnapshotsSharePermission, DescribeSnapshotSharePermission).

Sharing, as the SDK's ModifySnapshotsSharePermission docstring and the API reference say: a snapshot is shared with
at most 50 accounts, in its own region, data disk snapshots only; an account it is shared with makes disks from it
(CreateDisks) and sees it in DescribeSnapshots as SnapshotType SHARED_SNAPSHOT (the ``snapshot-type`` filter), but
cannot copy, rename or delete it. The owner cannot delete a shared snapshot before the share is cancelled
(UnsupportedOperation.SnapHasShared, errorcodes.py: "the snapshot is shared: cancel the share first").
Unverifiable, and chosen as the harder case for a client: a plain DescribeSnapshots lists the snapshots shared with
the caller beside its own; another account's tags on a shared snapshot are not shown to the receiver."""

from __future__ import annotations

import copy
import json

from . import meter, tc_params as p
from .actions import action
from .errors import CloudError, tc_invalid, tc_missing
from .resources import make_disk, make_snapshot, tc_time
from .state import ATTACHED, ATTACHING, DETACHING, DONE, FREE, RUNNING, attachment, disk_phase
from .tag import check_tag

CLOUD = 'cbs'
_USAGE = {'data': 'DATA_DISK', 'system': 'SYSTEM_DISK'}
# The filters each action documents (tencentcloud-sdk-python-cbs, the docstrings of
# DescribeSnapshotsRequest.Filters and DescribeDisksRequest.Filters); any other is InvalidFilter.
# DescribeSnapshots has no tag filter; DescribeDisks has tag-key, tag-value and tag:<key>.
_SNAPSHOT_FILTERS = (
    'snapshot-id',
    'snapshot-name',
    'snapshot-state',
    'disk-usage',
    'project-id',
    'disk-id',
    'encrypt',
    'snapshot-type',
)
_DISK_FILTERS = (
    'disk-usage',
    'disk-charge-type',
    'portable',
    'project-id',
    'disk-id',
    'disk-name',
    'disk-type',
    'disk-state',
    'instance-id',
    'zone',
    'tag-key',
    'tag-value',
    'tag:*',
)
# Share of a copy's time spent COPYING_FROM_REMOTE; the rest is CHECKING_COPIED.
_COPY_SPLIT = 80
# Sizes (GiB) of the disk types: (smallest, largest, step), as DescribeDiskConfigQuota answers them (DiskConfig
# MinDiskSize, MaxDiskSize, StepSize). CreateDisksRequest.DiskSize points to the product docs for them:
# unverifiable here, CBS's product pages give 10/20 to 32000.
# DescribeDiskConfigQuota's DiskTypes filter: CLOUD_BASIC, CLOUD_PREMIUM, CLOUD_SSD, CLOUD_HSSD (CBS-M
# DescribeDiskConfigQuotaRequest.DiskTypes), not CLOUD_BSSD nor CLOUD_TSSD, which its rows (DiskConfig.DiskType) carry.
QUOTA_FILTER_TYPES = ('CLOUD_BASIC', 'CLOUD_PREMIUM', 'CLOUD_SSD', 'CLOUD_HSSD')
DISK_SIZES = {
    'CLOUD_BASIC': (10, 32000, 10),
    'CLOUD_PREMIUM': (10, 32000, 10),
    'CLOUD_BSSD': (20, 32000, 10),
    'CLOUD_SSD': (20, 32000, 10),
    'CLOUD_HSSD': (20, 32000, 10),
    'CLOUD_TSSD': (20, 32000, 10),
}
# DiskCount: "the number a request can create is limited" (CreateDisksRequest.DiskCount); the limit: unverifiable.
_MAX_DISK_COUNT = 50
# At most 100 disks a request (cbs_client.CbsClient.TerminateDisks).
_MAX_TERMINATE = 100
_DEFAULT_DISK_NAME = '未命名'  # "unnamed", the name of a disk given none (CreateDisksRequest.DiskName)
# A disk TerminateDisks returned: DiskState TORECYCLE, "待回收", to be recycled (cbs 2017-03-12 Disk.DiskState, the
# DescribeDisks disk-state filter), and TerminateDisks of it again answers ResourceUnavailable.RepeatRefund
# ("云硬盘已退还", the disk has been returned: errorcodes.py). How long a returned pay-as-you-go disk stays listed so:
# unverifiable (CBS's pages tell of a recycle bin for expired and prepaid disks, not of this);
# timings.cbs.recycle_seconds, by default none (gone at once, as fakecloud always had it); the DR account's tests set
# it, a state machine draws it.
TORECYCLE = 'TORECYCLE'
REPEAT_REFUND = 'ResourceUnavailable.RepeatRefund'


def snapshot_state(store, snap: dict, now: float) -> tuple:
    """(SnapshotState, Percent): NORMAL, CREATING, COPYING_FROM_REMOTE, CHECKING_COPIED or TORECYCLE."""
    status, percent = store.phase(snap, now)
    if snap.get('deleting'):
        return 'TORECYCLE', 100
    if status == DONE:
        return 'NORMAL', 100
    if snap['is_copy']:
        return ('COPYING_FROM_REMOTE' if percent < _COPY_SPLIT else 'CHECKING_COPIED'), percent
    return 'CREATING', percent


def _copying_to(store, now: float) -> dict:
    """Source snapshot id -> regions it is being copied to right now."""
    found: dict = {}
    for snap in store.snapshots[CLOUD].values():
        if snap['source_snapshot_id'] and store.phase(snap, now)[0] == RUNNING:
            found.setdefault(snap['source_snapshot_id'], set()).add(snap['region'])
    return found


def _tags_out(tags: dict) -> list:
    return [{'Key': k, 'Value': v} for k, v in tags.items()]


def _shared_in(snap: dict, viewer: str | None) -> bool:
    """Whether ``snap`` is another account's, shared with the caller ``viewer``."""
    return viewer is not None and snap.get('account') not in (None, viewer)


def render_snapshot(store, snap: dict, now: float, copying: dict, viewer: str | None = None) -> dict:
    state, percent = snapshot_state(store, snap, now)
    shared_in = _shared_in(snap, viewer)
    shares = snap.get('shared_with') or {}
    return {
        'SnapshotId': snap['id'],
        'SnapshotName': snap['name'],
        'SnapshotState': state,
        'Percent': percent,
        'DiskId': snap['disk_id'],
        'DiskSize': snap['disk_size'],
        'DiskUsage': _USAGE.get(snap['disk_type'], 'DATA_DISK'),
        'CreateTime': tc_time(snap['created']),
        'Encrypt': snap['encrypted'],
        'CopyFromRemote': snap['is_copy'],
        'CopyingToRegions': [] if shared_in else sorted(copying.get(snap['id'], ())),
        'Placement': {'Zone': snap['zone'], 'ProjectId': 0},
        'Tags': [] if shared_in else _tags_out(snap['tags']),
        'IsPermanent': True,
        # "empty when the snapshot is kept for ever"; no null (the model marks no null here).
        'DeadlineTime': '',
        'SnapshotType': 'SHARED_SNAPSHOT' if shared_in else 'PRIVATE_SNAPSHOT',
        # "the number of shares the snapshot has now"
        'ShareReference': 0 if shared_in else len(shares),
        'ImageCount': 0,
        'Images': [],
        'IsLocked': False,
        'TimeStartShare': tc_time(min(shares.values())) if shares and not shared_in else '',
        'LatestModifyTime': tc_time(snap['created']),
    }


def recycling(disk: dict) -> bool:
    """Whether ``disk`` was returned (TerminateDisks) and is still listed, TORECYCLE."""
    return disk.get('terminated') is not None


# DiskState while an instance has the disk (CBS-M Disk.DiskState: ATTACHING, ATTACHED, DETACHING; AttachDisks and
# DetachDisks are asynchronous, "ATTACHING" becomes "ATTACHED", "ATTACHED" becomes "UNATTACHED": CBS-C).
_ATTACHMENT_STATE = {FREE: 'UNATTACHED', ATTACHING: 'ATTACHING', ATTACHED: 'ATTACHED', DETACHING: 'DETACHING'}


def disk_state(disk: dict, now: float) -> str:
    """DiskState of a listed disk: TORECYCLE once returned, else UNATTACHED, ATTACHING, ATTACHED or DETACHING."""
    if recycling(disk):
        return TORECYCLE
    return _ATTACHMENT_STATE[attachment(disk, now)]


def drop_recycled(store, now: float) -> None:
    """Returned disks whose time in TORECYCLE (timings.cbs.recycle_seconds) is over are gone: no longer listed, and
    TerminateDisks finds nothing."""
    linger = float(store.config['timings'][CLOUD].get('recycle_seconds', 0))
    gone = [did for did, disk in store.disks[CLOUD].items() if recycling(disk) and now >= disk['terminated'] + linger]
    for did in gone:
        del store.disks[CLOUD][did]


def render_disk(disk: dict, snapshot_count: int, now: float) -> dict:
    moving = attachment(disk, now)
    return {
        'DiskId': disk['id'],
        'DiskName': disk['name'],
        'DiskSize': disk['size'],
        'DiskUsage': _USAGE.get(disk['type'], 'DATA_DISK'),
        'DiskType': disk['category'],
        'DiskState': disk_state(disk, now),
        # Attached "whether the disk is attached to an instance" (CBS-M Disk.Attached), and the instance: while it is
        # being attached or detached too (unverifiable which CBS answers then: Attached true from ATTACHED until
        # UNATTACHED here, InstanceId from ATTACHING on). No device name: CBS-M Disk has none.
        'Attached': moving in (ATTACHED, DETACHING),
        'InstanceId': disk['instance_id'] if moving != FREE else '',
        'Encrypt': disk['encrypted'],
        'KmsKeyId': disk['kms_key_id'] or '',
        'Portable': disk['type'] == 'data',
        'DiskChargeType': 'POSTPAID_BY_HOUR',
        'Placement': {'Zone': disk['zone'], 'ProjectId': 0},
        'Tags': _tags_out(disk['tags']),
        'SnapshotCount': snapshot_count,
        'CreateTime': tc_time(disk['created']),
    }


def _snapshot_match(store, snap: dict, name: str, values: list, now: float, viewer: str | None = None) -> bool:
    field = {
        'snapshot-id': lambda: snap['id'],
        'snapshot-name': lambda: snap['name'],
        'snapshot-state': lambda: snapshot_state(store, snap, now)[0],
        'disk-id': lambda: snap['disk_id'],
        'disk-usage': lambda: _USAGE.get(snap['disk_type'], 'DATA_DISK'),
        'project-id': lambda: '0',
        'encrypt': lambda: 'TRUE' if snap['encrypted'] else 'FALSE',
        'snapshot-type': lambda: 'SHARED_SNAPSHOT' if _shared_in(snap, viewer) else 'PRIVATE_SNAPSHOT',
    }[name]()
    if name == 'encrypt':
        return field in [v.upper() for v in values]
    return field in values


def describe_snapshots(call) -> dict:
    store, now = call.store, call.now
    store.drop_failed(CLOUD, now)
    ids = p.str_list(call.params, 'SnapshotIds')
    flt = p.filters(call.params, _SNAPSHOT_FILTERS)
    if ids is not None and flt:
        raise CloudError('InvalidParameter', 'SnapshotIds and Filters cannot be specified at the same time.', 200)
    viewer = getattr(store, 'account', None)
    visible = list(store.snapshots[CLOUD].values()) + (list(store.shared_snapshots(CLOUD).values()) if viewer else [])
    found = [
        s
        for s in visible
        if s['region'] == call.region
        and (ids is None or s['id'] in ids)
        and all(_snapshot_match(store, s, name, values, now, viewer) for name, values in flt)
    ]
    copying = _copying_to(store, now)
    chunk = p.page(call.params, found)
    return {'TotalCount': len(found), 'SnapshotSet': [render_snapshot(store, s, now, copying, viewer) for s in chunk]}


def _disk_match(disk: dict, name: str, values: list, now: float) -> bool:
    tag_answer = p.tag_filter_ok(disk['tags'], name, values)
    if tag_answer is not None:
        return tag_answer
    field = {
        'disk-id': disk['id'],
        'disk-name': disk['name'],
        'disk-usage': _USAGE.get(disk['type'], 'DATA_DISK'),
        'disk-state': disk_state(disk, now),
        'disk-type': disk['category'],
        'zone': disk['zone'],
        'portable': 'TRUE' if disk['type'] == 'data' else 'FALSE',
        'project-id': '0',
        'instance-id': disk['instance_id'],
        'disk-charge-type': 'POSTPAID_BY_HOUR',
    }[name]
    return field in [v.upper() for v in values] if name == 'portable' else field in values


def listed(disk: dict, now: float) -> bool:
    """Whether DescribeDisks shows a disk: not while it is being made. CreateDisks is asynchronous, the disk
    is made once DescribeDisks finds it UNATTACHED or ATTACHED (cbs_client.CbsClient.CreateDisks)."""
    return disk_phase(disk, now) == DONE


def describe_disks(call) -> dict:
    store = call.store
    store.drop_failed_disks(CLOUD, call.now)
    drop_recycled(store, call.now)
    ids = p.str_list(call.params, 'DiskIds')
    flt = p.filters(call.params, _DISK_FILTERS)
    if ids is not None and flt:
        # DiskIds and Filters "cannot be given together" (DescribeDisksRequest.DiskIds); the code: unverifiable,
        # as DescribeSnapshots'.
        raise CloudError('InvalidParameter', 'DiskIds and Filters cannot be specified at the same time.', 200)
    found = [
        d
        for d in store.disks[CLOUD].values()
        if d['region'] == call.region
        and listed(d, call.now)
        and (ids is None or d['id'] in ids)
        and all(_disk_match(d, name, values, call.now) for name, values in flt)
    ]
    chunk = p.page(call.params, found)
    counts: dict = {}
    wanted = {d['id'] for d in chunk}
    for snap in store.snapshots[CLOUD].values():
        if snap['disk_id'] in wanted and not snap['is_copy']:
            counts[snap['disk_id']] = counts.get(snap['disk_id'], 0) + 1
    return {'TotalCount': len(found), 'DiskSet': [render_disk(d, counts.get(d['id'], 0), call.now) for d in chunk]}


def _tags_in(params: dict) -> dict:
    tags = {}
    for item in params.get('Tags') or []:
        if not isinstance(item, dict) or not item.get('Key'):
            raise tc_invalid('Tags')
        tags[item['Key']] = str(item.get('Value', ''))
        # The Tag service's rules hold for tags given to CBS too: they are the same tags (tag.check_tag).
        check_tag(item['Key'], tags[item['Key']])
    return tags


def _zones_of(call) -> list:
    return call.store.zones(CLOUD, call.region)


def describe_disk_config_quota(call) -> dict:
    """DiskConfigSet[] of DiskConfig: per zone and disk type, whether it is sold and its sizes. fakecloud
    makes data disks, pay-as-you-go: other rows answer Available false. CPU, Memory and DedicatedClusterId
    (instance fitting, dedicated clusters) are not emulated, so not accepted."""
    prm = call.params
    inquiry = p.text(prm, 'InquiryType', required=True)
    if inquiry not in ('INQUIRY_CBS_CONFIG', 'INQUIRY_CVM_CONFIG'):
        raise tc_invalid('InquiryType')
    families = p.str_list(prm, 'InstanceFamilies') or []
    if inquiry == 'INQUIRY_CVM_CONFIG' and not families:
        raise tc_missing('InstanceFamilies')
    charge = p.text(prm, 'DiskChargeType', default='POSTPAID_BY_HOUR')
    if charge not in ('PREPAID', 'POSTPAID_BY_HOUR'):
        raise tc_invalid('DiskChargeType')
    usage = p.text(prm, 'DiskUsage', default='DATA_DISK')
    if usage not in ('SYSTEM_DISK', 'DATA_DISK'):
        raise tc_invalid('DiskUsage')
    types = p.str_list(prm, 'DiskTypes')
    if types is not None and not set(types) <= set(QUOTA_FILTER_TYPES):
        raise tc_invalid('DiskTypes')
    zones = _zones_of(call)
    wanted = p.str_list(prm, 'Zones')
    if wanted is not None:
        unknown = set(wanted) - {zone['id'] for zone in zones}
        if unknown:
            raise tc_invalid('Zones', 'Unknown zone `%s`.' % sorted(unknown)[0])
        zones = [zone for zone in zones if zone['id'] in wanted]
    broken = call.store.faults.region_broken(CLOUD, call.region)
    rows = []
    for zone in zones:
        for disk_type in zone['disk_categories']:
            if types is not None and disk_type not in types:
                continue
            low, high, step = DISK_SIZES[disk_type]
            row = {
                'Available': (not broken and charge == 'POSTPAID_BY_HOUR' and usage == 'DATA_DISK'),
                'Zone': zone['id'],
                'DiskType': disk_type,
                'DiskUsage': usage,
                'DiskChargeType': charge,
                'MinDiskSize': low,
                'MaxDiskSize': high,
                'StepSize': step,
            }
            rows.extend([dict(row, InstanceFamily=family) for family in families] if families else [row])
    return {'DiskConfigSet': rows}


def _fingerprint(params: dict) -> str:
    return json.dumps({k: v for k, v in params.items() if k != 'ClientToken'}, sort_keys=True)


def _replay(call, token: str | None):
    """The answer of an earlier CreateDisks with this ClientToken (CreateDisksRequest.ClientToken, for idempotence).
    The same token with other parameters: InvalidParameterValue (unverifiable: no code is documented). How long CBS
    keeps a token, and whether it replays one whose disks are gone: unverifiable; fakecloud replays it for ever, naming
    the disks it made even once they are returned and gone (the harder case for a client)."""
    if token is None:
        return None
    if len(token) > 64 or not token.isascii():
        raise tc_invalid('ClientToken', 'At most 64 ASCII characters.')
    seen = call.store.recall_token((CLOUD, call.account, call.action, token))
    if seen is None:
        return None
    if seen[0] != _fingerprint(call.params):
        raise tc_invalid('ClientToken', 'The token was used by a different request.')
    return copy.deepcopy(seen[1])


def _disk_tags(params: dict) -> dict:
    tags = _tags_in(params)
    if len(tags) > 50:
        raise tc_invalid('Tags', 'At most 50 tags.')
    return tags


def create_disks(call) -> dict:
    """DiskCount pay-as-you-go data disks in a zone, blank or from a snapshot of the region. They are listed
    by DescribeDisks (UNATTACHED) only once timings.cbs.disk_seconds have passed."""
    store, prm = call.store, call.params
    token = p.text(prm, 'ClientToken')
    earlier = _replay(call, token)
    if earlier is not None:
        return earlier
    placement = prm.get('Placement')
    if not isinstance(placement, dict) or not placement.get('Zone'):
        raise tc_missing('Placement.Zone')
    if placement.get('ProjectId', 0) not in (0, '0'):
        raise CloudError(
            'InvalidParameter.ProjectIdNotExist', 'The project `%s` does not exist.' % placement['ProjectId'], 200
        )
    charge = p.text(prm, 'DiskChargeType', required=True)
    if charge == 'PREPAID':
        # A PREPAID disk needs DiskChargePrepaid (CreateDisksRequest.DiskChargePrepaid), a parameter fakecloud
        # does not take: subscriptions are not emulated.
        raise tc_missing('DiskChargePrepaid')
    if charge != 'POSTPAID_BY_HOUR':
        raise tc_invalid('DiskChargeType')
    disk_type = p.text(prm, 'DiskType', required=True)
    if disk_type not in DISK_SIZES:
        raise tc_invalid('DiskType')
    name = p.text(prm, 'DiskName', default=_DEFAULT_DISK_NAME)
    if len(name.encode('utf-8')) > 60:
        raise tc_invalid('DiskName', 'At most 60 bytes.')  # "最大长度不能超60个字节"
    count = p.integer(prm, 'DiskCount', 1, 1)
    if count > _MAX_DISK_COUNT:
        raise CloudError('InvalidParameterValue.LimitExceeded', 'At most %d disks a request.' % _MAX_DISK_COUNT, 200)
    encrypt, kms_key_id = p.text(prm, 'Encrypt'), p.text(prm, 'KmsKeyId')
    if encrypt not in (None, 'ENCRYPT'):
        raise tc_invalid('Encrypt')  # "always ENCRYPT" (CreateDisksRequest.Encrypt)
    if kms_key_id and encrypt is None:
        raise tc_missing('Encrypt')  # with KmsKeyId, "Encrypt must not be empty" (CreateDisksRequest.KmsKeyId)
    tags = _disk_tags(prm)
    zone = store.zone(CLOUD, call.region, placement['Zone'])
    if zone is None:
        # The code for a zone not in the region: unverifiable; InvalidParameterValue is among CreateDisks' codes.
        raise tc_invalid('Placement.Zone', 'The zone `%s` is not a zone of %s.' % (placement['Zone'], call.region))
    if disk_type not in zone['disk_categories']:
        raise CloudError(
            'InvalidParameter.DiskConfigNotSupported',
            'The disk type `%s` is not sold in %s.' % (disk_type, zone['id']),
            200,
        )
    source = _disk_source(call, p.text(prm, 'SnapshotId'))
    size = prm.get('DiskSize')
    if size is None and source is None:
        raise tc_missing('DiskSize')
    size = p.integer(prm, 'DiskSize', 0, 1) if size is not None else int(source['disk_size'])
    if source is not None and size < int(source['disk_size']):
        # With SnapshotId and DiskSize, the disk must be at least the snapshot's size (CreateDisksRequest.DiskSize).
        raise CloudError(
            'InvalidParameter.DiskSizeNotMatch', 'The disk size is smaller than the snapshot `%s`.' % source['id'], 200
        )
    low, high, step = DISK_SIZES[disk_type]
    if not low <= size <= high or (prm.get('DiskSize') is not None and size % step):
        raise tc_invalid('DiskSize', '%s takes %d to %d GiB in steps of %d.' % (disk_type, low, high, step))
    if store.faults.region_broken(CLOUD, call.region):
        raise CloudError('ResourceInsufficient', 'Insufficient resources in %s.' % zone['id'], 200)
    encrypted = encrypt is not None or bool(source and source['encrypted'])
    ids = []
    for dummy in range(count):
        disk = make_disk(
            store,
            CLOUD,
            call.region,
            call.now,
            zone=zone['id'],
            name=name,
            size=size,
            category=disk_type,
            encrypted=encrypted,
            kms_key_id=kms_key_id or (source['kms_key_id'] if source and source['encrypted'] else ''),
            tags=tags,
            source_snapshot_id=source['id'] if source else '',
            duration=store.timing(CLOUD, 'disk_seconds'),
            will_fail=store.faults.disk_fails(CLOUD, call.region),
            data=source.get('data') if source else None,
        )
        store.add_disk(CLOUD, disk)
        ids.append(disk['id'])
    call.changed(call.region)
    answer = {'DiskIdSet': ids}
    if token is not None:
        store.remember_token((CLOUD, call.account, call.action, token), _fingerprint(prm), answer)
    return answer


def _disk_source(call, snapshot_id: str | None) -> dict | None:
    """The snapshot a disk is made from: of the region and the caller, NORMAL, a data disk's."""
    if snapshot_id is None:
        return None
    call.store.drop_failed(CLOUD, call.now)
    source = call.store.snapshots[CLOUD].get(snapshot_id)
    if source is None and getattr(call.store, 'account', None):
        # A snapshot another account shared with the caller: made into a disk in its own region (the share's purpose).
        source = call.store.shared_snapshots(CLOUD).get(snapshot_id)
    if source is None or source['region'] != call.region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
    if snapshot_state(call.store, source, call.now)[0] != 'NORMAL':
        # The code: unverifiable (errors.go, "the operation is not supported for the snapshot").
        raise CloudError('InvalidSnapshot.NotSupported', 'The snapshot `%s` is not in NORMAL state.' % snapshot_id, 200)
    if source['disk_type'] == 'system':
        # A data disk's snapshot only (CreateDisksRequest.SnapshotId); the code: errors.go, unverifiable that
        # CreateDisks answers it.
        raise CloudError(
            'InvalidParameter.ShouldConvertSnapshotToImage',
            'The snapshot `%s` is of a system disk: convert it into an image first.' % snapshot_id,
            200,
        )
    return source


def terminate_disks(call) -> dict:
    """Returns pay-as-you-go disks, which are TORECYCLE for timings.cbs.recycle_seconds, then gone; all or none of the
    request's: if one cannot be returned, the request answers its error code (cbs_client.CbsClient.TerminateDisks)."""
    store = call.store
    store.drop_failed_disks(CLOUD, call.now)
    drop_recycled(store, call.now)
    ids = p.str_list(call.params, 'DiskIds', required=True, limit=_MAX_TERMINATE)
    # DeleteSnapshot=1 deletes the disks' non-permanent snapshots; fakecloud's are all permanent (IsPermanent).
    p.integer(call.params, 'DeleteSnapshot', 0, 0, 1)
    disks = []
    for disk_id in ids:
        disk = store.disks[CLOUD].get(disk_id)
        if disk is None or disk['region'] != call.region:
            # errors.go InvalidDiskId.NotFound; unverifiable that TerminateDisks answers it (not among its codes).
            raise CloudError('InvalidDiskId.NotFound', 'The disk `%s` is not found.' % disk_id, 200)
        if recycling(disk):
            # errorcodes.py ResourceUnavailable.RepeatRefund ("the disk has been returned"); Disk.ReturnFailCode 1 says
            # the same of a prepaid disk. Unverifiable that TerminateDisks answers it for a pay-as-you-go one.
            raise CloudError(REPEAT_REFUND, 'The disk `%s` has been returned.' % disk_id, 200)
        if disk_phase(disk, call.now) == RUNNING:
            raise CloudError('ResourceBusy', 'The disk `%s` is being created. Try again later.' % disk_id, 200)
        if disk['instance_id']:
            # An attached disk (or one being attached or detached) is not returned. The code: ResourceUnavailable.Attached
            # of errors.go ("云硬盘已挂载至其他云服务器上", the disk is attached to a server), which client.go lists for
            # AttachDisks; its TerminateDisks list names no code for an attached disk: unverifiable which one it answers.
            raise CloudError(
                'ResourceUnavailable.Attached', 'The disk `%s` is attached to %s.' % (disk_id, disk['instance_id']), 200
            )
        disks.append(disk)
    for disk in disks:
        disk['terminated'] = call.now
    drop_recycled(store, call.now)
    call.changed(call.region)
    return {}


# ------------------------------------------------------------- attachments (AttachDisks, DetachDisks). CBS-M
# AttachDisksRequest (InstanceId, DiskIds: "at most 10 disks a call"), DetachDisksRequest (DiskIds, at most 10;
# InstanceId, checked against the instance the disk is attached to); CBS-C: both asynchronous, all or none ("if one of
# the disks cannot be attached, nothing is done, and a specific error code is answered"), ATTACHING then ATTACHED,
# ATTACHED then UNATTACHED. The instances are CVM's, seeded (/_admin/seed cbs.instances; cvm.py answers them).
_MAX_ATTACH = 10
# Which instance states take a disk: unverifiable (the models say none); RUNNING and STOPPED, as ECS's.
_ATTACHABLE = ('RUNNING', 'STOPPED')


def _attach_disks(call, required_instance: bool) -> tuple:
    """(the disks, the instance) an AttachDisks or DetachDisks names, each disk of the region and listed."""
    store = call.store
    store.drop_failed_disks(CLOUD, call.now)
    drop_recycled(store, call.now)
    ids = p.str_list(call.params, 'DiskIds', required=True)
    if len(ids) > _MAX_ATTACH:
        # InvalidParameterValue.LimitExceeded: among both actions' codes (CBS-E); unverifiable that it answers this.
        raise CloudError('InvalidParameterValue.LimitExceeded', 'At most %d disks a call.' % _MAX_ATTACH, 200)
    instance_id = p.text(call.params, 'InstanceId', required=required_instance)
    disks = []
    for disk_id in dict.fromkeys(ids):
        disk = store.disks[CLOUD].get(disk_id)
        if disk is None or disk['region'] != call.region or not listed(disk, call.now) or recycling(disk):
            raise CloudError('InvalidDiskId.NotFound', 'The disk `%s` is not found.' % disk_id, 200)
        disks.append(disk)
    instance = None
    if instance_id is not None:
        instance = store.instances[CLOUD].get(instance_id)
        if instance is None or instance['region'] != call.region:
            raise CloudError('InvalidInstanceId.NotFound', 'The instance `%s` is not found.' % instance_id, 200)
    return disks, instance


def attach_disks(call) -> dict:
    """Begins attaching UNATTACHED disks of the instance's zone to it: ATTACHING for timings.cbs.attach_seconds, then
    ATTACHED. The codes, each among AttachDisks' in client.go (CBS-E): an unknown disk InvalidDiskId.NotFound, an unknown
    instance InvalidInstanceId.NotFound, a disk an instance has (or is being given, or loses) ResourceUnavailable.Attached,
    another zone ResourceUnavailable.ZoneNotMatch ("云硬盘与实例不在同一可用区"), an instance neither RUNNING nor STOPPED
    InvalidInstance.NotSupported (unverifiable which code each case gets)."""
    disks, instance = _attach_disks(call, required_instance=True)
    if instance['state'] not in _ATTACHABLE:
        raise CloudError(
            'InvalidInstance.NotSupported', 'The instance `%s` is %s.' % (instance['id'], instance['state']), 200
        )
    for disk in disks:
        if disk['instance_id']:
            raise CloudError(
                'ResourceUnavailable.Attached',
                'The disk `%s` is attached to %s.' % (disk['id'], disk['instance_id']),
                200,
            )
        if disk['zone'] != instance['zone']:
            raise CloudError(
                'ResourceUnavailable.ZoneNotMatch',
                'The disk `%s` is in %s, the instance in %s.' % (disk['id'], disk['zone'], instance['zone']),
                200,
            )
    for disk in disks:
        call.store.start_attachment(CLOUD, disk, instance['id'], call.now)
    call.changed(call.region)
    return {}


def detach_disks(call) -> dict:
    """Begins detaching ATTACHED disks: DETACHING for timings.cbs.detach_seconds, then UNATTACHED. A disk not ATTACHED
    (UNATTACHED, ATTACHING, DETACHING): ResourceUnavailable.NotSupported (CBS-E; what CBS answered a detach of a disk
    still detaching, "is detaching, please retry later", TencentCloud/kubernetes-csi-tencentcloud issue 145); an
    InstanceId other than the disk's: InvalidParameterValue (unverifiable code; DetachDisksRequest.InstanceId says it is
    checked)."""
    disks, instance = _attach_disks(call, required_instance=False)
    for disk in disks:
        if attachment(disk, call.now) != ATTACHED:
            raise CloudError(
                'ResourceUnavailable.NotSupported', 'The disk `%s` is not attached to an instance.' % disk['id'], 200
            )
        if instance is not None and disk['instance_id'] != instance['id']:
            raise tc_invalid('InstanceId', 'The disk `%s` is attached to %s.' % (disk['id'], disk['instance_id']))
    for disk in disks:
        call.store.start_detachment(CLOUD, disk, call.now)
    call.changed(call.region)
    return {}


def create_snapshot(call) -> dict:
    store = call.store
    disk_id = p.text(call.params, 'DiskId', required=True)
    drop_recycled(store, call.now)
    disk = store.disks[CLOUD].get(disk_id)
    if disk is None or disk['region'] != call.region:
        # InvalidDiskId.NotFound: "The DiskId entered does not exist" (tencentcloud-sdk-go cbs v20170312
        # errors.go; CreateSnapshot's documented codes).
        raise CloudError('InvalidDiskId.NotFound', 'The disk `%s` is not found.' % disk_id, 200)
    if recycling(disk):
        # errorcodes.py UnsupportedOperation.StateError ("the resource's state does not allow the operation");
        # unverifiable that CreateSnapshot answers it for a returned disk.
        raise CloudError('UnsupportedOperation.StateError', 'The disk `%s` has been returned.' % disk_id, 200)
    name = p.text(call.params, 'SnapshotName', default='')
    if len(name) > 60:
        raise tc_invalid('SnapshotName', 'At most 60 characters.')
    snap = make_snapshot(
        store,
        CLOUD,
        disk['region'],
        call.now,
        disk,
        name=name,
        tags=_tags_in(call.params),
        duration=store.timing(CLOUD, 'snapshot_seconds'),
    )
    store.add_snapshot(CLOUD, snap)
    call.changed(disk['region'])
    return {'SnapshotId': snap['id']}


def copy_snapshot_cross_regions(call) -> dict:
    store, now, source_region = call.store, call.now, call.region
    snapshot_id = p.text(call.params, 'SnapshotId', required=True)
    destinations = p.str_list(call.params, 'DestinationRegions', required=True)
    name = p.text(call.params, 'SnapshotName')
    if len(set(destinations)) != len(destinations):
        raise tc_invalid('DestinationRegions', 'Duplicate regions.')
    for region in destinations:
        if not store.known_region(CLOUD, region):
            raise tc_invalid('DestinationRegions', 'Unknown region `%s`.' % region)
        if region == source_region:
            raise tc_invalid('DestinationRegions', 'The destination region cannot be the source region.')
    store.drop_failed(CLOUD, now)
    source = store.snapshots[CLOUD].get(snapshot_id)
    if source is None and snapshot_id in (store.shared_snapshots(CLOUD) if getattr(store, 'account', None) else {}):
        # A shared snapshot makes disks only (ModifySnapshotsSharePermission); the code: errorcodes.py, unverifiable
        # that CopySnapshotCrossRegions answers it for a shared one.
        raise CloudError(
            'UnsupportedOperation.SnapshotNotSupportCopy',
            'The snapshot `%s` is shared with you: it cannot be copied to another region.' % snapshot_id,
            200,
        )
    if source is None or source['region'] != source_region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
    if snapshot_state(store, source, now)[0] != 'NORMAL':
        raise CloudError('InvalidSnapshot.NotSupported', 'The snapshot `%s` is not in NORMAL state.' % snapshot_id, 200)
    busy = _copying_to(store, now).get(snapshot_id, set()) & set(destinations)
    if busy:
        raise CloudError(
            'ResourceInUse.CopySnapshotConflict',
            'The snapshot `%s` is being copied to %s.' % (snapshot_id, ', '.join(sorted(busy))),
            200,
        )
    quota = int(store.config['quotas']['cbs']['snapshots_per_region'])
    results = []
    for region in destinations:
        result = {'SnapshotId': '', 'DestinationRegion': region, 'Code': 'Success', 'Message': ''}
        if store.faults.region_broken(CLOUD, region):
            result.update(Code='InternalError.ComponentError', Message='Dependent component request failed.')
        elif sum(1 for s in store.snapshots[CLOUD].values() if s['region'] == region) >= quota:
            result.update(Code='InsufficientSnapshotQuota', Message='Insufficient snapshot quota.')
        else:
            copy = make_snapshot(
                store,
                CLOUD,
                region,
                now,
                None,
                name=name or 'Copied %s from %s' % (snapshot_id, source_region),
                disk_id=source['disk_id'],
                disk_size=source['disk_size'],
                disk_type=source['disk_type'],
                encrypted=source['encrypted'],
                source_snapshot_id=snapshot_id,
                source_region=source_region,
                is_copy=True,
                duration=store.timing(CLOUD, 'copy_seconds'),
                will_fail=store.faults.copy_fails(CLOUD, region),
                data=source.get('data'),
                **meter.carried(source),
            )
            store.add_snapshot(CLOUD, copy)
            meter.record_copy(store, CLOUD, copy)
            result['SnapshotId'] = copy['id']
            call.changed(source_region)
        results.append(result)
    return {'SnapshotCopyResultSet': results}


def delete_snapshots(call) -> dict:
    store = call.store
    ids = p.str_list(call.params, 'SnapshotIds', required=True)
    for snapshot_id in ids:
        snap = store.snapshots[CLOUD].get(snapshot_id)
        if snap is None or snap['region'] != call.region:
            # A snapshot shared with the caller is not the caller's to delete: not found, as any other account's.
            raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
        if snap.get('shared_with'):
            # errorcodes.py UnsupportedOperation.SnapHasShared; unverifiable that DeleteSnapshots answers it (its page
            # lists no codes of its own).
            raise CloudError(
                'UnsupportedOperation.SnapHasShared',
                'The snapshot `%s` is shared with %s: cancel the share '
                'first.' % (snapshot_id, ', '.join(sorted(snap['shared_with']))),
                200,
            )
    for snapshot_id in ids:
        del store.snapshots[CLOUD][snapshot_id]
    call.changed(call.region)
    return {}


# ------------------------------------------------- snapshot groups (CreateSnapshotGroup, DescribeSnapshotGroups,
# DeleteSnapshotGroup). tencentcloud-sdk-python-cbs: CreateSnapshotGroupRequest takes DiskIds ("must be disks attached
# to one instance"), SnapshotGroupName ("the group's snapshots inherit it: testSnapshotGroup_0, testSnapshotGroup_1")
# and Tags; the CbsClient docstring: all or some of the disks attached to one instance. Every member is snapshotted at
# one moment and completes on fakecloud's clock (timings.cbs.snapshot_seconds). SnapshotGroup.SnapshotGroupState is
# NORMAL, CREATING or ROLLBACKING (ApplySnapshotGroup, not emulated); SnapshotGroupType's one documented value is NORMAL,
# "普通快照组" then "非一致性快照" (an ordinary group; not a consistent snapshot). A member that fails disappears, as any CBS
# snapshot that fails (no failed state): the group then lists fewer snapshots than it had disks, and is NORMAL once the
# others are (unverifiable, and the harder case for a client, which must count the members itself). Nothing in a
# Snapshot of DescribeSnapshots names its group (CBS-M Snapshot).
GROUP_STATES = ('NORMAL', 'CREATING', 'ROLLBACKING')
_GROUP_FILTERS = ('snapshot-group-id', 'snapshot-group-state', 'snapshot-group-name', 'snapshot-id')


def create_snapshot_group(call) -> dict:
    store, now = call.store, call.now
    admitted = store.config['snapshot_group_beta']['cbs']
    if admitted is not None and (call.account or store.config['accounts']['tencent']) not in admitted:
        # The beta's gate. The CBS guide ("Creating Snapshot Group"): "The snapshot group feature is currently in a
        # limited beta testing phase. You can contact your account manager or submit a ticket to apply for access."
        # Its code is documented nowhere (unverifiable): UnauthorizedOperation, "未授权操作" (an operation not
        # authorised) in CBS-E and the SDK's errorcodes.py, the code a feature an account lacks is refused with.
        raise CloudError('UnauthorizedOperation', 'The snapshot group feature is not enabled for this account.', 200)
    disk_ids = p.str_list(call.params, 'DiskIds', required=True)
    drop_recycled(store, now)
    disks = []
    for disk_id in dict.fromkeys(disk_ids):
        disk = store.disks[CLOUD].get(disk_id)
        if disk is None or disk['region'] != call.region or not listed(disk, now):
            raise CloudError('InvalidDiskId.NotFound', 'The disk `%s` is not found.' % disk_id, 200)
        if recycling(disk):
            raise CloudError('UnsupportedOperation.StateError', 'The disk `%s` has been returned.' % disk_id, 200)
        if not disk['instance_id']:
            # "The CBS volume is attached to the CVM instance and is in the In-Use state" (the CBS guide "Creating
            # Snapshot Group"); InvalidDisk.NotSupported, "the disk does not support this operation" (errorcodes.py;
            # unverifiable that it is this call's answer).
            raise CloudError('InvalidDisk.NotSupported', 'The disk `%s` is not attached to an instance.' % disk_id, 200)
        disks.append(disk)
    if len({disk['instance_id'] for disk in disks}) > 1:
        # errorcodes.py: "the disks of a snapshot group are attached to several instances".
        raise CloudError(
            'UnsupportedOperation.SnapshotGroupDiskAttachMultiInstance',
            'The disks of a snapshot group must be attached to one instance.',
            200,
        )
    name = p.text(call.params, 'SnapshotGroupName', default='')
    if len(name) > 60:
        # As CreateSnapshot's SnapshotName (unverifiable): the members' names are the group's plus _N.
        raise tc_invalid('SnapshotGroupName', 'At most 60 characters.')
    tags = _tags_in(call.params)
    torn = store.faults.torn_member(CLOUD, len(disks))
    seconds = store.timing(CLOUD, 'snapshot_seconds')
    group_id = _new_group_id(store)
    members = []
    for index, disk in enumerate(disks):
        late = torn is not None and torn[0] == index
        snap = make_snapshot(
            store,
            CLOUD,
            disk['region'],
            now,
            disk,
            name='%s_%d' % (name, index) if name else '',
            duration=seconds + (torn[2] if late and torn[1] == 'pending' else 0.0),
            will_fail=late and torn[1] == 'failed',
            group_id=group_id,
        )
        store.add_snapshot(CLOUD, snap)
        members.append(snap['id'])
    store.snapshot_groups[CLOUD][group_id] = {
        'id': group_id,
        'region': call.region,
        'name': name,
        'instance_id': disks[0]['instance_id'],
        'created': now,
        'members': members,
        'tags': tags,
    }
    call.changed(call.region)
    return {'SnapshotGroupId': group_id}


def _new_group_id(store) -> str:
    # csnap-oavcw09g: the id of the CBS reference's example answer (CreateSnapshotGroup).
    while True:
        candidate = store.new_id(CLOUD, 'csnap-', 8)
        if candidate not in store.snapshot_groups[CLOUD]:
            return candidate


def group_state(store, group: dict, now: float) -> tuple:
    """(SnapshotGroupState, Percent): CREATING while a member is being made, else NORMAL; the least advanced member's
    percent (unverifiable how the group's progress adds up)."""
    phase, percent = store.group_phase(CLOUD, group, now)
    return ('CREATING' if phase == RUNNING else 'NORMAL'), percent


def render_group(store, group: dict, now: float) -> dict:
    """CBS-M SnapshotGroup. DeadlineTime and AutoSnapshotPolicyId are null ("may return null"): a group kept for ever,
    made by hand."""
    state, percent = group_state(store, group, now)
    members = store.group_members(CLOUD, group)
    return {
        'SnapshotGroupId': group['id'],
        'SnapshotGroupType': 'NORMAL',
        'ContainRootSnapshot': any(snap['disk_type'] == 'system' for snap in members),
        'SnapshotIdSet': [snap['id'] for snap in members],
        'SnapshotGroupState': state,
        'Percent': percent,
        'CreateTime': tc_time(group['created']),
        'ModifyTime': tc_time(group['created']),
        'Images': [],
        'SnapshotGroupName': group['name'],
        'ImageCount': 0,
        'IsPermanent': True,
        'DeadlineTime': None,
        'AutoSnapshotPolicyId': None,
    }


def describe_snapshot_groups(call) -> dict:
    """The region's groups, filtered by snapshot-group-id, snapshot-group-state, snapshot-group-name and snapshot-id
    (a member's id); Offset, Limit (default 20, at most 100), newest first (DescribeSnapshotGroupsRequest)."""
    store, now = call.store, call.now
    store.drop_failed(CLOUD, now)
    flt = p.filters(call.params, _GROUP_FILTERS)

    def matches(group: dict, name: str, values: list) -> bool:
        if name == 'snapshot-id':
            return any(sid in values for sid in group['members'] if sid in store.snapshots[CLOUD])
        field = {
            'snapshot-group-id': group['id'],
            'snapshot-group-state': group_state(store, group, now)[0],
            'snapshot-group-name': group['name'],
        }[name]
        return field in values

    found = [
        group
        for group in store.snapshot_groups[CLOUD].values()
        if group['region'] == call.region and all(matches(group, name, values) for name, values in flt)
    ]
    chunk = p.page(call.params, found)
    return {'TotalCount': len(found), 'SnapshotGroupSet': [render_group(store, group, now) for group in chunk]}


def delete_snapshot_group(call) -> dict:
    """Deletes a group and every snapshot in it ("默认会删除快照组内的所有快照", the CbsClient docstring), all or none:
    a shared member (UnsupportedOperation.SnapHasShared, as DeleteSnapshots) keeps the whole group. SnapshotGroupId and
    SnapshotGroupIds are merged, at least one (DeleteSnapshotGroupRequest), and "one call deletes one group" (the
    CbsClient docstring): more is InvalidParameterValue (unverifiable). DeleteBindImages: fakecloud makes no image, so
    nothing to delete. An unknown group: ResourceNotFound.NotFound (errorcodes.py; unverifiable that it is this call's)."""
    store = call.store
    ids = list(
        dict.fromkeys([p.text(call.params, 'SnapshotGroupId')] + (p.str_list(call.params, 'SnapshotGroupIds') or []))
    )
    ids = [group_id for group_id in ids if group_id]
    if not ids:
        raise tc_missing('SnapshotGroupId')
    if len(ids) > 1:
        raise tc_invalid('SnapshotGroupIds', 'One snapshot group a call.')
    delete_images = call.params.get('DeleteBindImages', False)
    if not isinstance(delete_images, bool):
        raise tc_invalid('DeleteBindImages')
    group = store.snapshot_groups[CLOUD].get(ids[0])
    if group is None or group['region'] != call.region:
        raise CloudError('ResourceNotFound.NotFound', 'The snapshot group `%s` is not found.' % ids[0], 200)
    members = store.group_members(CLOUD, group)
    shared = [snap['id'] for snap in members if snap.get('shared_with')]
    if shared:
        raise CloudError(
            'UnsupportedOperation.SnapHasShared',
            'The snapshot `%s` of the group is shared: cancel the share first.' % shared[0],
            200,
        )
    for snap in members:
        del store.snapshots[CLOUD][snap['id']]
    del store.snapshot_groups[CLOUD][group['id']]
    call.changed(call.region)
    return {}


# At most 50 accounts a snapshot is shared with (ModifySnapshotsSharePermission's API reference).
MAX_SHARES = 50


def modify_snapshots_share_permission(call) -> dict:
    """SHARE or CANCEL the caller's snapshots with ``AccountIds``; all or none of the request's. The codes for a
    snapshot that cannot be shared (a system disk's, one not NORMAL) and for too many accounts: unverifiable (none is
    documented for this action); fakecloud answers InvalidSnapshot.NotSupported ("the operation is not supported for the
    snapshot", errorcodes.py) and InvalidParameterValue.LimitExceeded."""
    store = call.store
    ids = p.str_list(call.params, 'SnapshotIds', required=True)
    accounts = p.str_list(call.params, 'AccountIds', required=True)
    permission = p.text(call.params, 'Permission', required=True)
    if permission not in ('SHARE', 'CANCEL'):
        raise tc_invalid('Permission', 'SHARE or CANCEL.')
    if any(not account.isdigit() for account in accounts):
        raise tc_invalid('AccountIds', 'Account ids are digits.')
    store.drop_failed(CLOUD, call.now)
    snaps = []
    for snapshot_id in ids:
        snap = store.snapshots[CLOUD].get(snapshot_id)
        if snap is None or snap['region'] != call.region:
            raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
        if permission == 'SHARE':
            if snap['disk_type'] == 'system':
                raise CloudError(
                    'InvalidSnapshot.NotSupported',
                    'Only data disk snapshots can be shared; `%s` is of a system disk.' % snapshot_id,
                    200,
                )
            if snapshot_state(store, snap, call.now)[0] != 'NORMAL':
                raise CloudError(
                    'InvalidSnapshot.NotSupported', 'The snapshot `%s` is not in NORMAL state.' % snapshot_id, 200
                )
            if getattr(store, 'account', None) in accounts:
                raise tc_invalid('AccountIds', 'A snapshot is not shared with its own account.')
            if len(set(snap.get('shared_with') or {}) | set(accounts)) > MAX_SHARES:
                raise CloudError(
                    'InvalidParameterValue.LimitExceeded',
                    'The snapshot `%s` would be shared with more than %d accounts.' % (snapshot_id, MAX_SHARES),
                    200,
                )
        snaps.append(snap)
    for snap in snaps:
        shares = snap.setdefault('shared_with', {})
        for account in accounts:
            if permission == 'SHARE':
                shares.setdefault(account, call.now)
            else:
                shares.pop(account, None)  # cancelling a share that is not there: nothing to do (unverifiable)
    call.changed(call.region)
    return {}


def describe_snapshot_share_permission(call) -> dict:
    """SharePermissionSet[] of SharePermission (AccountId, CreatedTime) of one of the caller's snapshots."""
    snapshot_id = p.text(call.params, 'SnapshotId', required=True)
    snap = call.store.snapshots[CLOUD].get(snapshot_id)
    if snap is None or snap['region'] != call.region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
    shares = snap.get('shared_with') or {}
    return {
        'SharePermissionSet': [
            {'AccountId': account, 'CreatedTime': tc_time(shares[account])} for account in sorted(shares)
        ]
    }


# Each action: its handler, whether it can change state, and the parameters it accepts (the fields
# of the SDK's request model, cbs 2017-03-12; checked by tests/fakecloud/tests/test_conformance.py).
_LISTING = ('Filters', 'Filters.Name', 'Filters.Values', 'Offset', 'Limit', 'Order', 'OrderField')
ACTIONS = {
    'DescribeDisks': action(describe_disks, False, 'DiskIds', *_LISTING),
    'DescribeDiskConfigQuota': action(
        describe_disk_config_quota,
        False,
        'InquiryType',
        'DiskChargeType',
        'DiskTypes',
        'DiskUsage',
        'Zones',
        'InstanceFamilies',
    ),
    'CreateDisks': action(
        create_disks,
        True,
        'Placement',
        'Placement.Zone',
        'Placement.ProjectId',
        'DiskChargeType',
        'DiskType',
        'DiskSize',
        'SnapshotId',
        'DiskName',
        'DiskCount',
        'Tags',
        'Tags.Key',
        'Tags.Value',
        'ClientToken',
        'Encrypt',
        'KmsKeyId',
    ),
    'TerminateDisks': action(terminate_disks, True, 'DiskIds', 'DeleteSnapshot'),
    'AttachDisks': action(attach_disks, True, 'DiskIds', 'InstanceId'),
    'DetachDisks': action(detach_disks, True, 'DiskIds', 'InstanceId'),
    'DescribeSnapshots': action(describe_snapshots, False, 'SnapshotIds', *_LISTING),
    'CreateSnapshot': action(create_snapshot, True, 'DiskId', 'SnapshotName', 'Tags', 'Tags.Key', 'Tags.Value'),
    'CopySnapshotCrossRegions': action(
        copy_snapshot_cross_regions, True, 'SnapshotId', 'DestinationRegions', 'SnapshotName'
    ),
    'DeleteSnapshots': action(delete_snapshots, True, 'SnapshotIds'),
    'CreateSnapshotGroup': action(
        create_snapshot_group, True, 'DiskIds', 'SnapshotGroupName', 'Tags', 'Tags.Key', 'Tags.Value'
    ),
    'DescribeSnapshotGroups': action(
        describe_snapshot_groups, False, 'Filters', 'Filters.Name', 'Filters.Values', 'Offset', 'Limit'
    ),
    'DeleteSnapshotGroup': action(
        delete_snapshot_group, True, 'SnapshotGroupId', 'SnapshotGroupIds', 'DeleteBindImages'
    ),
    'ModifySnapshotsSharePermission': action(
        modify_snapshots_share_permission, True, 'SnapshotIds', 'AccountIds', 'Permission'
    ),
    'DescribeSnapshotSharePermission': action(describe_snapshot_share_permission, False, 'SnapshotId'),
}
