"""Tencent Cloud CBS 2017-03-12: disks, snapshots, CopySnapshotCrossRegions."""
from __future__ import annotations

from . import tc_params as p
from .actions import action
from .errors import CloudError, tc_invalid
from .resources import make_snapshot, tc_time
from .state import DONE, RUNNING

CLOUD = 'cbs'
_USAGE = {'data': 'DATA_DISK', 'system': 'SYSTEM_DISK'}
# The filters each action documents (tencentcloud-sdk-python-cbs, the docstrings of
# DescribeSnapshotsRequest.Filters and DescribeDisksRequest.Filters); any other is InvalidFilter.
# DescribeSnapshots has no tag filter; DescribeDisks has tag-key, tag-value and tag:<key>.
_SNAPSHOT_FILTERS = ('snapshot-id', 'snapshot-name', 'snapshot-state', 'disk-usage', 'project-id', 'disk-id',
                     'encrypt', 'snapshot-type')
_DISK_FILTERS = ('disk-usage', 'disk-charge-type', 'portable', 'project-id', 'disk-id', 'disk-name', 'disk-type',
                 'disk-state', 'instance-id', 'zone', 'tag-key', 'tag-value', 'tag:*')
# Share of a copy's time spent COPYING_FROM_REMOTE; the rest is CHECKING_COPIED.
_COPY_SPLIT = 80


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


def render_snapshot(store, snap: dict, now: float, copying: dict) -> dict:
    state, percent = snapshot_state(store, snap, now)
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
        'CopyingToRegions': sorted(copying.get(snap['id'], ())),
        'Placement': {'Zone': snap['zone'], 'ProjectId': 0},
        'Tags': _tags_out(snap['tags']),
        'IsPermanent': True,
        # "empty when the snapshot is kept for ever"; no null (the model marks no null here).
        'DeadlineTime': '',
        'SnapshotType': 'PRIVATE_SNAPSHOT',
        'ShareReference': 0,
        'ImageCount': 0,
        'Images': [],
        'IsLocked': False,
        'TimeStartShare': '',
        'LatestModifyTime': tc_time(snap['created']),
    }


def render_disk(disk: dict, snapshot_count: int) -> dict:
    return {
        'DiskId': disk['id'],
        'DiskName': disk['name'],
        'DiskSize': disk['size'],
        'DiskUsage': _USAGE.get(disk['type'], 'DATA_DISK'),
        'DiskType': disk['category'],
        'DiskState': 'ATTACHED' if disk['instance_id'] else 'UNATTACHED',
        'Attached': bool(disk['instance_id']),
        'InstanceId': disk['instance_id'],
        'Encrypt': disk['encrypted'],
        'KmsKeyId': disk['kms_key_id'] or '',
        'Portable': disk['type'] == 'data',
        'DiskChargeType': 'POSTPAID_BY_HOUR',
        'Placement': {'Zone': disk['zone'], 'ProjectId': 0},
        'Tags': _tags_out(disk['tags']),
        'SnapshotCount': snapshot_count,
        'CreateTime': tc_time(disk['created']),
    }


def _snapshot_match(store, snap: dict, name: str, values: list, now: float) -> bool:
    field = {
        'snapshot-id': lambda: snap['id'],
        'snapshot-name': lambda: snap['name'],
        'snapshot-state': lambda: snapshot_state(store, snap, now)[0],
        'disk-id': lambda: snap['disk_id'],
        'disk-usage': lambda: _USAGE.get(snap['disk_type'], 'DATA_DISK'),
        'project-id': lambda: '0',
        'encrypt': lambda: 'TRUE' if snap['encrypted'] else 'FALSE',
        'snapshot-type': lambda: 'PRIVATE_SNAPSHOT',
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
    found = [s for s in store.snapshots[CLOUD].values()
             if s['region'] == call.region and (ids is None or s['id'] in ids)
             and all(_snapshot_match(store, s, name, values, now) for name, values in flt)]
    copying = _copying_to(store, now)
    chunk = p.page(call.params, found)
    return {'TotalCount': len(found), 'SnapshotSet': [render_snapshot(store, s, now, copying) for s in chunk]}


def _disk_match(disk: dict, name: str, values: list) -> bool:
    tag_answer = p.tag_filter_ok(disk['tags'], name, values)
    if tag_answer is not None:
        return tag_answer
    field = {
        'disk-id': disk['id'], 'disk-name': disk['name'], 'disk-usage': _USAGE.get(disk['type'], 'DATA_DISK'),
        'disk-state': 'ATTACHED' if disk['instance_id'] else 'UNATTACHED', 'disk-type': disk['category'],
        'zone': disk['zone'], 'portable': 'TRUE' if disk['type'] == 'data' else 'FALSE', 'project-id': '0',
        'instance-id': disk['instance_id'], 'disk-charge-type': 'POSTPAID_BY_HOUR',
    }[name]
    return field in [v.upper() for v in values] if name == 'portable' else field in values


def describe_disks(call) -> dict:
    store = call.store
    ids = p.str_list(call.params, 'DiskIds')
    flt = p.filters(call.params, _DISK_FILTERS)
    found = [d for d in store.disks[CLOUD].values()
             if d['region'] == call.region and (ids is None or d['id'] in ids)
             and all(_disk_match(d, name, values) for name, values in flt)]
    chunk = p.page(call.params, found)
    counts: dict = {}
    wanted = {d['id'] for d in chunk}
    for snap in store.snapshots[CLOUD].values():
        if snap['disk_id'] in wanted and not snap['is_copy']:
            counts[snap['disk_id']] = counts.get(snap['disk_id'], 0) + 1
    return {'TotalCount': len(found), 'DiskSet': [render_disk(d, counts.get(d['id'], 0)) for d in chunk]}


def _tags_in(params: dict) -> dict:
    tags = {}
    for item in params.get('Tags') or []:
        if not isinstance(item, dict) or not item.get('Key'):
            raise tc_invalid('Tags')
        tags[item['Key']] = str(item.get('Value', ''))
    return tags


def create_snapshot(call) -> dict:
    store = call.store
    disk_id = p.text(call.params, 'DiskId', required=True)
    disk = store.disks[CLOUD].get(disk_id)
    if disk is None or disk['region'] != call.region:
        raise CloudError('InvalidDisk.NotFound', 'The disk `%s` is not found.' % disk_id, 200)
    name = p.text(call.params, 'SnapshotName', default='')
    if len(name) > 60:
        raise tc_invalid('SnapshotName', 'At most 60 characters.')
    snap = make_snapshot(store, CLOUD, disk['region'], call.now, disk, name=name, tags=_tags_in(call.params),
                         duration=store.timing(CLOUD, 'snapshot_seconds'))
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
    if source is None or source['region'] != source_region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
    if snapshot_state(store, source, now)[0] != 'NORMAL':
        raise CloudError('InvalidSnapshot.NotSupported', 'The snapshot `%s` is not in NORMAL state.' % snapshot_id,
                         200)
    busy = _copying_to(store, now).get(snapshot_id, set()) & set(destinations)
    if busy:
        raise CloudError('ResourceInUse.CopySnapshotConflict', 'The snapshot `%s` is being copied to %s.'
                         % (snapshot_id, ', '.join(sorted(busy))), 200)
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
                store, CLOUD, region, now, None, name=name or 'Copied %s from %s' % (snapshot_id, source_region),
                disk_id=source['disk_id'], disk_size=source['disk_size'], disk_type=source['disk_type'],
                encrypted=source['encrypted'], source_snapshot_id=snapshot_id, source_region=source_region,
                is_copy=True, duration=store.timing(CLOUD, 'copy_seconds'),
                will_fail=store.faults.copy_fails(CLOUD, region))
            store.add_snapshot(CLOUD, copy)
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
            raise CloudError('InvalidSnapshotId.NotFound', 'The snapshot `%s` is not found.' % snapshot_id, 200)
    for snapshot_id in ids:
        del store.snapshots[CLOUD][snapshot_id]
    call.changed(call.region)
    return {}


# Each action: its handler, whether it can change state, and the parameters it accepts (the fields
# of the SDK's request model, cbs 2017-03-12; checked by tests/fakecloud/tests/test_conformance.py).
_LISTING = ('Filters', 'Filters.Name', 'Filters.Values', 'Offset', 'Limit', 'Order', 'OrderField')
ACTIONS = {
    'DescribeDisks': action(describe_disks, False, 'DiskIds', *_LISTING),
    'DescribeSnapshots': action(describe_snapshots, False, 'SnapshotIds', *_LISTING),
    'CreateSnapshot': action(create_snapshot, True, 'DiskId', 'SnapshotName', 'Tags', 'Tags.Key', 'Tags.Value'),
    'CopySnapshotCrossRegions': action(copy_snapshot_cross_regions, True, 'SnapshotId', 'DestinationRegions', 'SnapshotName'),
    'DeleteSnapshots': action(delete_snapshots, True, 'SnapshotIds'),
}
