"""Alibaba Cloud ECS 2014-05-26: regions, disks, snapshots, CopySnapshot, tags."""
from __future__ import annotations

from . import alibaba_rules as rules, rpc_params as p
from .actions import action
from .errors import CloudError
from .faults import server_error
from .resources import iso_z, make_snapshot, match_tags
from .state import DONE, FAILED, RUNNING

CLOUD = 'ecs'
STATUS_WORDS = {RUNNING: 'progressing', DONE: 'accomplished', FAILED: 'failed'}
_RESOURCE_TYPES = ('snapshot', 'disk')
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


def render_disk(disk: dict) -> dict:
    return {
        'DiskId': disk['id'],
        'DiskName': disk['name'],
        'Description': disk['description'],
        'RegionId': disk['region'],
        'ZoneId': disk['zone'],
        'Category': disk['category'],
        'Size': disk['size'],
        'Type': disk['type'],
        'Status': 'In_use' if disk['instance_id'] else 'Available',
        'InstanceId': disk['instance_id'],
        'Encrypted': disk['encrypted'],
        'KMSKeyId': disk['kms_key_id'],
        'Portable': disk['type'] == 'data',
        'DeleteAutoSnapshot': False,
        'EnableAutomatedSnapshotPolicy': False,
        'CreationTime': iso_z(disk['created']),
        'Tags': _tags_out(disk['tags']),
    }


def _newest_first(records) -> list:
    return sorted(records, key=lambda r: (-r['created'], r['id']))


def describe_regions(call) -> dict:
    return {'Regions': {'Region': [
        {'RegionId': r, 'LocalName': r, 'RegionEndpoint': 'ecs.%s.aliyuncs.com' % r, 'Status': 'available'}
        for r in call.store.regions(CLOUD)]}}


def describe_disks(call) -> dict:
    region = _region(call)
    prm = call.params
    ids = p.json_list(prm, 'DiskIds')
    tags = p.tag_filters(prm)
    wanted = {'zone': p.text(prm, 'ZoneId'), 'name': p.text(prm, 'DiskName'), 'instance_id': p.text(prm, 'InstanceId')}
    category = p.text(prm, 'Category', default='all')
    disk_type = p.text(prm, 'DiskType', default='all')
    encrypted = p.boolean(prm, 'Encrypted')
    found = []
    for disk in call.store.disks[CLOUD].values():
        if disk['region'] != region or (ids is not None and disk['id'] not in ids):
            continue
        if any(value is not None and disk[key] != value for key, value in wanted.items()):
            continue
        if category != 'all' and disk['category'] != category or disk_type != 'all' and disk['type'] != disk_type:
            continue
        if (encrypted and not disk['encrypted']) or not match_tags(disk['tags'], tags):
            continue
        found.append(disk)
    found = _newest_first(found)
    if tags:
        found = found[:TAG_FILTER_CAP]
    # MaxResults: 10 to 500 (DescribeDisksRequest); PageSize at most 100.
    chunk, extra = p.page(prm, found, max_results=(10, 500))
    extra['Disks'] = {'Disk': [render_disk(d) for d in chunk]}
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
        if disk_id and snap['disk_id'] != disk_id or name and snap['name'] != name:
            continue
        if category != 'all' and snap['category'] != category or source_type and snap['disk_type'] != source_type:
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
        raise CloudError('InvalidRetentionDays', 'The specified parameter "RetentionDays" is not valid; '
                                                 'valid values are 1 to 65536.') from None


def create_snapshot(call) -> dict:
    prm = call.params
    token = p.text(prm, 'ClientToken')
    earlier = rules.replay(call, token)
    if earlier is not None:
        return earlier
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
    snap = make_snapshot(call.store, CLOUD, disk['region'], call.now, disk, name=name or '',
                         description=p.text(prm, 'Description') or '', category=category, tags=tags,
                         retention_days=retention, duration=call.store.timing(CLOUD, 'snapshot_seconds'))
    call.store.add_snapshot(CLOUD, snap)
    call.changed(disk['region'])
    answer = {'SnapshotId': snap['id']}
    rules.remember(call, token, answer)
    return answer


def copy_snapshot(call) -> dict:
    prm = call.params
    token = p.text(prm, 'ClientToken')
    earlier = rules.replay(call, token)
    if earlier is not None:
        return earlier
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
    tags = rules.parse_tags(prm)
    encrypted = p.boolean(prm, 'Encrypted')
    if destination == region:
        # ECS error codes: a copy within one region is refused (unverifiable: the HTTP status).
        raise CloudError('InvalidOperation.NotSupportCopyInSameRegion',
                         'Copying a snapshot within the same region is not supported.', 400)
    source = call.store.snapshots[CLOUD].get(snapshot_id)
    if source is None or source['region'] != region:
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot is not exists.', 403)
    # Encrypted snapshots can be copied ("copies a standard or encrypted snapshot"); local ones cannot
    # (unverifiable: this error code).
    if source['category'] == 'flash':
        raise CloudError('OperationDenied.LocalSnapshot', 'Local snapshots cannot be copied.', 403)
    if call.store.phase(source, call.now)[0] != DONE:
        raise CloudError('InvalidSnapshotId.NotReady', 'The specified snapshot has not completed yet.', 403)
    if _unfinished_copy_of_disk(call, source, destination):
        # ECS error codes. Unverifiable: the scope. ECS copies a disk's snapshots to a region
        # incrementally, so fakecloud refuses while a copy of the same disk to the same region runs.
        raise CloudError('InvalidOperation.DiskHasUnfinishedSnapshotCopy',
                         'The operation is not supported while the disk has an unfinished snapshot copy task.', 403)
    if call.store.faults.region_broken(CLOUD, destination):
        raise server_error(CLOUD, 'ServiceUnavailable')
    copy = make_snapshot(
        call.store, CLOUD, destination, call.now, None, name=name, description=description,
        disk_id=source['disk_id'], disk_size=source['disk_size'], disk_category=source['disk_category'],
        disk_type=source['disk_type'], encrypted=encrypted or source['encrypted'],
        kms_key_id=p.text(prm, 'KMSKeyId') or (source['kms_key_id'] if source['encrypted'] else ''),
        tags=tags, retention_days=retention, source_snapshot_id=source['id'], source_region=region, is_copy=True,
        duration=call.store.timing(CLOUD, 'copy_seconds'), will_fail=call.store.faults.copy_fails(CLOUD, destination))
    call.store.add_snapshot(CLOUD, copy)
    call.changed(destination)
    answer = {'SnapshotId': copy['id']}
    rules.remember(call, token, answer)
    return answer


def _unfinished_copy_of_disk(call, source: dict, destination: str) -> bool:
    """Whether a copy of a snapshot of the source's disk, into ``destination``, is still running."""
    if not source['disk_id']:
        return False
    return any(snap['is_copy'] and snap['region'] == destination and snap['disk_id'] == source['disk_id']
               and snap['source_region'] == source['region'] and call.store.phase(snap, call.now)[0] == RUNNING
               for snap in call.store.snapshots[CLOUD].values())


def delete_snapshot(call) -> dict:
    snapshot_id = p.text(call.params, 'SnapshotId', required=True)
    snap = call.store.snapshots[CLOUD].get(snapshot_id)
    if snap is None or (call.params.get('RegionId') and snap['region'] != call.params['RegionId']):
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.', 404)
    del call.store.snapshots[CLOUD][snapshot_id]
    call.changed(snap['region'])
    return {}


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
        raise CloudError('MissingParameter', 'The input parameter "Tag" that is mandatory for processing this '
                                             'request is not supplied.')
    records = _existing(table, ids, region)
    if any(len(set(record['tags']) | set(tags)) > 20 for record in records):
        raise CloudError('InvalidTagCount', 'A resource can carry at most 20 tags.')
    for record in records:
        record['tags'].update(tags)
    call.changed(region)
    return {}


def untag_resources(call) -> dict:
    region = _region(call)
    dummy, table, ids = _tag_targets(call)
    keys = p.repeat_list(call.params, 'TagKey')
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
        rows.extend({'ResourceId': record['id'], 'ResourceType': resource_type, 'TagKey': k, 'TagValue': v}
                    for k, v in record['tags'].items())
    start = p.decode_token(call.params['NextToken']) if call.params.get('NextToken') else 0
    chunk = rows[start:start + 50]
    token = p.encode_token(start + 50) if start + 50 < len(rows) else ''
    return {'NextToken': token, 'TagResources': {'TagResource': chunk}}


# Each action: its handler, whether it can change state, and the parameters it accepts (the names
# of the vendor's request model, ecs-20140526; checked by tests/fakecloud/tests/test_conformance.py).
_TAGS = ('Tag.N.Key', 'Tag.N.Value')
_PAGING = ('MaxResults', 'NextToken', 'PageNumber', 'PageSize')
ACTIONS = {
    'DescribeRegions': action(describe_regions, False),
    'DescribeDisks': action(describe_disks, False, 'RegionId', 'DiskIds', 'ZoneId', 'DiskName', 'Category', 'DiskType',
                            'InstanceId', 'Encrypted', *_TAGS, *_PAGING),
    'DescribeSnapshots': action(describe_snapshots, False, 'RegionId', 'SnapshotIds', 'DiskId', 'Status', 'SnapshotName',
                                'Category', 'Encrypted', 'SourceDiskType', *_TAGS, *_PAGING),
    'CreateSnapshot': action(create_snapshot, True, 'DiskId', 'SnapshotName', 'Description', 'RetentionDays', 'Category',
                             'ClientToken', *_TAGS),
    'CopySnapshot': action(copy_snapshot, True, 'RegionId', 'SnapshotId', 'DestinationRegionId', 'DestinationSnapshotName',
                           'DestinationSnapshotDescription', 'RetentionDays', 'Encrypted', 'KMSKeyId', 'ClientToken', *_TAGS),
    'DeleteSnapshot': action(delete_snapshot, True, 'SnapshotId'),
    'TagResources': action(tag_resources, True, 'RegionId', 'ResourceType', 'ResourceId.N', *_TAGS),
    'UntagResources': action(untag_resources, True, 'RegionId', 'ResourceType', 'ResourceId.N', 'TagKey.N', 'All'),
    'ListTagResources': action(list_tag_resources, False, 'RegionId', 'ResourceType', 'ResourceId.N', 'NextToken', *_TAGS),
}
