"""Alibaba Cloud ENS 2017-11-10 (edge nodes): disks, snapshots, many-node CopySnapshot, tags."""

from __future__ import annotations

from . import alibaba_rules as rules, meter, rpc_params as p
from .actions import action
from .errors import CloudError
from .resources import iso_z, make_disk, make_snapshot, match_tags
from .state import ATTACHED, ATTACHING, DETACHING, DONE, FAILED, RUNNING, attachment, disk_phase

CLOUD = 'ens'
STATUS_WORDS = {RUNNING: 'creating', DONE: 'available', FAILED: 'error'}
_DISK_TYPE_CODE = {'system': '1', 'data': '2'}
# DescribeDisksRequest.Status.
_DISK_STATUSES = (
    'In-use',
    'Available',
    'Attaching',
    'Detaching',
    'Creating',
    'ReIniting',
    'Deleting',
    'Deleted',
    'Expiring',
)
# CreateDisk's categories: the CreateDisk reference lists cloud_efficiency and cloud_ssd (the model's list is
# empty); local disks come with instances. Sizes (GiB): unverifiable, none documented; 20 to 32768 as ECS's.
_DISK_CATEGORIES = ('cloud_efficiency', 'cloud_ssd')
_DISK_SIZE = (20, 32768)


def _invalid(name: str) -> CloudError:
    """ENS's generic "Invalid%s" error."""
    return CloudError('Invalid%s' % name, 'The specified parameter %s is invalid.' % name)


def _node(call, name: str = 'EnsRegionId', required: bool = False) -> str | None:
    node = p.text(call.params, name, required=required)
    if node is not None and not call.store.known_region(CLOUD, node):
        raise _invalid(name)
    return node


def _nodes_filter(call) -> set:
    """The nodes asked for (EnsRegionId and/or EnsRegionIds); empty means all nodes."""
    nodes = set(p.json_list(call.params, 'EnsRegionIds') or [])
    single = _node(call)
    if single:
        nodes.add(single)
    return nodes


def _ids(params: dict, name: str) -> list | None:
    """ENS takes one id or a JSON array of ids in the same parameter."""
    value = p.text(params, name)
    if value is None:
        return None
    return p.json_list(params, name) if value.lstrip().startswith('[') else [value]


def _disk_tags_out(tags: dict) -> dict:
    """DescribeDisks' tags: ``Tags: {Tags: [{Key, Value}]}`` (ens-20171110 DescribeDisksResponseBodyDisksDisksTags)."""
    return {'Tags': [{'Key': k, 'Value': v} for k, v in tags.items()]}


def status_word(store, snap: dict, now: float) -> str:
    """creating, available, deleting or error (DescribeSnapshotsResponseBodySnapshotsSnapshot.Status)."""
    if snap.get('deleting'):
        return 'deleting'
    return STATUS_WORDS[store.phase(snap, now)[0]]


def render_snapshot(store, snap: dict, now: float) -> dict:
    # No tags: ENS snapshots have none (the model of DescribeSnapshots has no Tags field).
    return {
        'SnapshotId': snap['id'],
        'SnapshotName': snap['name'],
        'Description': snap['description'],
        'Status': status_word(store, snap, now),
        'CreationTime': iso_z(snap['created']),
        'Size': str(int(snap['disk_size']) * 1024),
        'SourceDiskId': snap['disk_id'],
        'SourceDiskType': _DISK_TYPE_CODE.get(snap['disk_type'], '2'),
        'SourceDiskCategory': snap['disk_category'],
        'EnsRegionId': snap['region'],
        'SourceSnapshotId': snap['source_snapshot_id'],
        'SourceEnsRegionId': snap['source_region'],
    }


# A disk's Status while an instance has it (DescribeDisksRequest.Status: In-use, Attaching, Detaching).
_ATTACHMENT_STATUS = {ATTACHING: 'Attaching', ATTACHED: 'In-use', DETACHING: 'Detaching'}


def disk_status(disk: dict, now: float) -> str:
    """Creating while the disk is being made, then Available, or Attaching, In-use, Detaching while an instance has it
    (DescribeDisksRequest.Status)."""
    if disk_phase(disk, now) == RUNNING:
        return 'Creating'
    return _ATTACHMENT_STATUS.get(attachment(disk, now), 'Available')


def render_disk(disk: dict, now: float) -> dict:
    return {
        'DiskId': disk['id'],
        'DiskName': disk['name'],
        'Description': disk['description'],
        'EnsRegionId': disk['region'],
        'Size': int(disk['size']) * 1024,
        'Category': disk['category'],
        'Type': disk['type'],
        'Status': disk_status(disk, now),
        'SnapshotId': disk['source_snapshot_id'],
        # No device name: ENS-M DescribeDisksResponseBodyDisksDisks has no such field.
        'InstanceId': disk['instance_id'] if attachment(disk, now) else '',
        'Encrypted': disk['encrypted'],
        'EncryptedKeyId': disk['kms_key_id'],
        'Portable': disk['type'] == 'data',
        'DiskChargeType': 'postpay',
        'CreationTime': iso_z(disk['created']),
        'Tags': _disk_tags_out(disk['tags']),
    }


def _newest_first(records) -> list:
    return sorted(records, key=lambda r: (-r['created'], r['id']))


def _pages(params: dict, items: list, max_size: int = 100, total_counts_pages: bool = False) -> tuple:
    """PageNumber/PageSize. ``max_size``: DescribeDisks documents 50; DescribeSnapshots documents none
    (unverifiable: 100 is allowed, as many as its SnapshotId takes). ``total_counts_pages``: TotalCount
    is the number of pages, as ENS-M documents it for DescribeDisks ("The total number of pages for a
    paged query"); DescribeSnapshots' is the number of snapshots."""
    try:
        number = p.integer(params, 'PageNumber', 1, 1)
        size = p.integer(params, 'PageSize', 10, 1, max_size)
    except CloudError as error:
        raise _invalid('PageNumber' if 'PageNumber' in error.message else 'PageSize') from None
    start = (number - 1) * size
    total = -(-len(items) // size) if total_counts_pages else len(items)
    return items[start : start + size], {'PageNumber': number, 'PageSize': size, 'TotalCount': total}


def describe_ens_regions(call) -> dict:
    # EnsRegions.EnsRegions[] (ens-20171110 DescribeEnsRegionsResponseBody).
    return {
        'EnsRegions': {
            'EnsRegions': [{'EnsRegionId': node, 'Name': node, 'EnName': node} for node in call.store.regions(CLOUD)]
        }
    }


def describe_disks(call) -> dict:
    prm = call.params
    call.store.drop_failed_disks(CLOUD, call.now)
    nodes = _nodes_filter(call)
    ids = p.json_list(prm, 'DiskIds')
    single = p.text(prm, 'DiskId')
    name, category, disk_type = p.text(prm, 'DiskName'), p.text(prm, 'Category'), p.text(prm, 'Type')
    snapshot_id, status = p.text(prm, 'SnapshotId'), p.text(prm, 'Status')
    if status is not None and status not in _DISK_STATUSES:
        raise _invalid('Status')
    found = [
        d
        for d in call.store.disks[CLOUD].values()
        if (not nodes or d['region'] in nodes)
        and (ids is None or d['id'] in ids)
        and (not single or d['id'] == single)
        and (not name or d['name'] == name)
        and (not category or d['category'] == category)
        and (not disk_type or d['type'] == disk_type)
        and (not snapshot_id or d['source_snapshot_id'] == snapshot_id)
        and (not status or disk_status(d, call.now) == status)
    ]
    chunk, extra = _pages(prm, _newest_first(found), max_size=50, total_counts_pages=True)
    extra['Disks'] = {'Disks': [render_disk(d, call.now) for d in chunk]}
    return extra


def describe_snapshots(call) -> dict:
    prm = call.params
    nodes = _nodes_filter(call)
    ids = _ids(prm, 'SnapshotId')
    disk_id, name = p.text(prm, 'DiskId'), p.text(prm, 'SnapshotName')
    found = [
        s
        for s in call.store.snapshots[CLOUD].values()
        if (not nodes or s['region'] in nodes)
        and (ids is None or s['id'] in ids)
        and (not disk_id or s['disk_id'] == disk_id)
        and (not name or s['name'] == name)
    ]
    chunk, extra = _pages(prm, _newest_first(found))
    extra['Snapshots'] = [render_snapshot(call.store, s, call.now) for s in chunk]
    return extra


def create_snapshot(call) -> dict:
    node = _node(call, required=True)
    disk_id = p.text(call.params, 'DiskId', required=True)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None or disk['region'] != node:
        raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 400)
    name, description = p.text(call.params, 'SnapshotName'), p.text(call.params, 'Description')
    rules.check_name(name, 'InvalidSnapshotName', 'The specified parameter SnapshotName is invalid.', ens=True)
    rules.check_description(description, 'InvalidDescription', 'The specified parameter Description is invalid.')
    snap = make_snapshot(
        call.store,
        CLOUD,
        node,
        call.now,
        disk,
        name=name or '',
        description=description or '',
        duration=call.store.timing(CLOUD, 'snapshot_seconds'),
    )
    call.store.add_snapshot(CLOUD, snap)
    call.changed(node)
    # The id comes as a list, SnapShotId, with an order id (ens-20171110 CreateSnapshotResponseBody).
    return {'SnapShotId': [snap['id']], 'OrderId': str(call.store.new_number())}


def copy_snapshot(call) -> dict:
    store, prm = call.store, call.params
    snapshot_id = p.text(prm, 'SnapshotId', required=True)
    if not p.text(prm, 'DestinationRegionIds'):
        raise CloudError(
            'MissingParameter',
            'The input parameter "DestinationRegionIds" that is mandatory for processing this request is not supplied.',
        )
    try:
        nodes = p.json_list(prm, 'DestinationRegionIds') or []
    except CloudError:
        raise _invalid('DestinationRegionIds') from None
    if not nodes or len(set(nodes)) != len(nodes) or not all(store.known_region(CLOUD, n) for n in nodes):
        raise _invalid('DestinationRegionIds')
    name, description = p.text(prm, 'DestinationSnapshotName'), p.text(prm, 'DestinationSnapshotDescription')
    rules.check_name(
        name, 'InvalidDestinationSnapshotName', 'The specified parameter DestinationSnapshotName is invalid.', ens=True
    )
    rules.check_description(
        description,
        'InvalidDestinationSnapshotDescription',
        'The specified parameter DestinationSnapshotDescription is invalid.',
    )
    source = store.snapshots[CLOUD].get(snapshot_id)
    if source is None:
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.', 400)
    if store.phase(source, call.now)[0] != DONE:
        raise CloudError(
            'IncorrectSnapshotStatus', 'The current status of the snapshot does not support this operation.', 400
        )
    allocated, unallocated = [], []
    for node in nodes:
        if store.faults.region_broken(CLOUD, node):
            unallocated.append({'EnsRegionId': node})
            continue
        copy = make_snapshot(
            store,
            CLOUD,
            node,
            call.now,
            None,
            name=name or '',
            description=description or '',
            disk_id=source['disk_id'],
            disk_size=source['disk_size'],
            disk_category=source['disk_category'],
            disk_type=source['disk_type'],
            source_snapshot_id=source['id'],
            source_region=source['region'],
            is_copy=True,
            duration=store.timing(CLOUD, 'copy_seconds'),
            will_fail=store.faults.copy_fails(CLOUD, node),
            data=source.get('data'),
            **meter.carried(source),
        )
        store.add_snapshot(CLOUD, copy)
        meter.record_copy(store, CLOUD, copy)
        allocated.append({'EnsRegionId': node, 'InstanceId': [copy['id']]})
    if not allocated:
        raise CloudError(
            'ens.interface.error',
            'Failed to call API. The snapshot could not be copied to any of '
            'the destination nodes: %s.' % ', '.join(nodes),
            400,
        )
    call.changed(source['region'])
    return {
        'AllocationId': allocated,
        'UnAllocationId': unallocated,
        'BizStatusCode': 'PartSuccess' if unallocated else 'AllSuccess',
    }


def delete_snapshot(call) -> dict:
    snapshot_id = p.text(call.params, 'SnapshotId', required=True)
    snap = call.store.snapshots[CLOUD].pop(snapshot_id, None)
    if snap is None:
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.', 400)
    call.changed(snap['region'])
    return {}


def modify_snapshot_attribute(call) -> dict:
    """A snapshot's name and description, checked as ens-20171110 ModifySnapshotAttributeRequest says; a
    request with neither changes nothing (the model requires only SnapshotId)."""
    prm = call.params
    snapshot_id = p.text(prm, 'SnapshotId', required=True)
    name, description = p.text(prm, 'SnapshotName'), p.text(prm, 'Description')
    rules.check_name(name, 'InvalidSnapshotName', 'The specified parameter SnapshotName is invalid.', ens=True)
    if name is not None and name.lower().startswith('auto'):
        # "The name cannot start with auto because snapshots whose names start with auto are recognized as automatic
        # snapshots."
        raise _invalid('SnapshotName')
    rules.check_description(description, 'InvalidDescription', 'The specified parameter Description is invalid.')
    snap = call.store.snapshots[CLOUD].get(snapshot_id)
    if snap is None:
        raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.', 400)
    if name is not None:
        snap['name'] = name
    if description is not None:
        snap['description'] = description
    call.changed(snap['region'])
    return {}


def create_disk(call) -> dict:
    """A pay-as-you-go disk on a node, blank or from a snapshot of that node; Creating for
    timings.ens.disk_seconds. No ClientToken in the model: a repeated call makes a second disk."""
    store, prm = call.store, call.params
    node = _node(call, required=True)
    if p.text(prm, 'InstanceChargeType', required=True) != 'PostPaid':
        # "Currently, only PostPaid (pay-as-you-go) is supported." (CreateDiskRequest.InstanceChargeType)
        raise _invalid('InstanceChargeType')
    if p.text(prm, 'InstanceBillingCycle') not in (None, 'Hour', 'Day', 'Month'):
        raise _invalid('InstanceBillingCycle')
    category = p.text(prm, 'Category', required=True)
    if category not in _DISK_CATEGORIES:
        raise _invalid('Category')
    try:
        size = p.integer(prm, 'Size')  # a string in the model, GiB
    except CloudError:
        raise _invalid('Size') from None
    name = p.text(prm, 'DiskName')
    if name is not None and len(name) > 128:
        raise _invalid('DiskName')  # the model states no rule; 128 as ENS's other names (unverifiable)
    tags = rules.parse_tags(prm)
    encrypted, kms_key_id = p.boolean(prm, 'Encrypted'), p.text(prm, 'KMSKeyId')
    snapshot_id = p.text(prm, 'SnapshotId')
    if size is None and snapshot_id is None:
        raise CloudError(
            'MissingParameter',
            'The input parameter "Size" that is mandatory for processing this request is not supplied.',
        )
    source = None
    if snapshot_id is not None:
        source = store.snapshots[CLOUD].get(snapshot_id)
        if source is None or source['region'] != node:
            raise CloudError('InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.', 400)
        if status_word(store, source, call.now) != 'available':
            raise CloudError(
                'IncorrectSnapshotStatus', 'The current status of the snapshot does not support this operation.', 400
            )
    # A larger snapshot gives a disk of the snapshot's size (the CreateDisk reference, SnapshotId and Size).
    final_size = max(size or 0, int(source['disk_size']) if source else 0)
    if not _DISK_SIZE[0] <= final_size <= _DISK_SIZE[1]:
        raise _invalid('Size')
    if store.faults.region_broken(CLOUD, node):
        raise CloudError('ens.interface.error', 'Failed to call API. No stock for the disk on node %s.' % node, 400)
    if source is not None and source['encrypted']:
        encrypted, kms_key_id = True, kms_key_id or source['kms_key_id']
    disk = make_disk(
        store,
        CLOUD,
        node,
        call.now,
        name=name or '',
        size=final_size,
        category=category,
        encrypted=encrypted,
        kms_key_id=kms_key_id or '',
        tags=tags,
        source_snapshot_id=source['id'] if source else '',
        duration=store.timing(CLOUD, 'disk_seconds'),
        will_fail=store.faults.disk_fails(CLOUD, node),
        data=source.get('data') if source else None,
    )
    store.add_disk(CLOUD, disk)
    call.changed(node)
    # InstanceIds: a list of strings, the new disk's id (ens-20171110 CreateDiskResponseBody).
    return {'InstanceIds': [disk['id']], 'OrderId': str(store.new_number())}


def delete_disk(call) -> dict:
    """Releases a disk, which "must be in the Available state" (the DeleteDisk reference)."""
    disk_id = p.text(call.params, 'DiskId', required=True)
    call.store.drop_failed_disks(CLOUD, call.now)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None:
        raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 400)
    if disk_status(disk, call.now) != 'Available':
        raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 400)
    del call.store.disks[CLOUD][disk_id]
    call.changed(disk['region'])
    return {}


# ---------------------------------------------------------------- instances and attachments (DescribeInstances,
# AttachDisk, DetachDisk). Instances are seeded only (/_admin/seed ens.instances), each on its node (the instance's
# EnsRegionId is its zone: "The cloud disk and the instance must belong to the same node", ENS-M AttachDiskRequest.DiskId).
# States: Running, Stopped, Expired (ENS-M DescribeInstancesRequest.Status).
INSTANCE_STATUSES = ('Running', 'Stopped', 'Expired')
# Which states take a disk: unverifiable (ENS documents none); as ECS, Running and Stopped.
_ATTACHABLE = ('Running', 'Stopped')


def render_instance(instance: dict) -> dict:
    """ENS-M DescribeInstancesResponseBodyInstancesInstance: what the drill reads (EnsRegionId, Status) and a few fields
    around it; what fakecloud does not emulate is left out, as the model allows."""
    return {
        'InstanceId': instance['id'],
        'InstanceName': instance['name'],
        'EnsRegionId': instance['region'],
        'Status': instance['state'],
        'CreationTime': iso_z(instance['created']),
    }


def describe_instances(call) -> dict:
    """The instances of the account, by EnsRegionId, InstanceId, InstanceIds (a JSON array of up to 100 ids) and Status,
    paged by PageNumber and PageSize ("Maximum value: 100", ENS-M DescribeInstancesRequest). An id fakecloud does not
    hold is left out, not refused (unverifiable)."""
    prm = call.params
    node = _node(call)
    ids = p.json_list(prm, 'InstanceIds')
    single, status = p.text(prm, 'InstanceId'), p.text(prm, 'Status')
    if status is not None and status not in INSTANCE_STATUSES:
        raise _invalid('Status')
    found = [
        instance
        for instance in call.store.instances[CLOUD].values()
        if (not node or instance['region'] == node)
        and (ids is None or instance['id'] in ids)
        and (not single or instance['id'] == single)
        and (not status or instance['state'] == status)
    ]
    chunk, extra = _pages(prm, _newest_first(found))
    extra['Instances'] = {'Instance': [render_instance(instance) for instance in chunk]}
    return extra


def _disk_and_instance(call) -> tuple:
    """The disk and instance an AttachDisk or DetachDisk names: InvalidDiskId.NotFound and InvalidInstanceId.NotFound
    otherwise (unverifiable codes, as DeleteDisk's)."""
    disk_id = p.text(call.params, 'DiskId', required=True)
    instance_id = p.text(call.params, 'InstanceId', required=True)
    call.store.drop_failed_disks(CLOUD, call.now)
    disk = call.store.disks[CLOUD].get(disk_id)
    if disk is None:
        raise CloudError('InvalidDiskId.NotFound', 'The specified disk does not exist.', 400)
    instance = call.store.instances[CLOUD].get(instance_id)
    if instance is None:
        raise CloudError('InvalidInstanceId.NotFound', 'The specified instance does not exist.', 400)
    return disk, instance


def attach_disk(call) -> dict:
    """Begins attaching an Available disk to a Running or Stopped instance of its node: Attaching for
    timings.ens.attach_seconds, then In-use. ENS documents no error codes for it (unverifiable): an instance in another
    state IncorrectInstanceStatus, a disk not Available IncorrectDiskStatus (DeleteDisk's), another node
    ResourcesNotInSameZone, all ECS's codes for the same refusals."""
    disk, instance = _disk_and_instance(call)
    if instance['state'] not in _ATTACHABLE:
        raise CloudError(
            'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.', 400
        )
    if disk_status(disk, call.now) != 'Available':
        raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 400)
    if disk['region'] != instance['region']:
        raise CloudError('ResourcesNotInSameZone', 'The disk and the instance must belong to the same node.', 400)
    call.store.start_attachment(CLOUD, disk, instance['id'], call.now)
    call.changed(disk['region'])
    return {}


def detach_disk(call) -> dict:
    """Begins detaching an In-use disk from its instance: Detaching for timings.ens.detach_seconds, then Available.
    Another instance's disk: DependencyViolation; a disk not In-use: IncorrectDiskStatus (ECS's codes, unverifiable
    for ENS)."""
    disk, instance = _disk_and_instance(call)
    if disk['instance_id'] != instance['id']:
        raise CloudError(
            'DependencyViolation', 'The specified disk has not been attached on the specified instance.', 400
        )
    if disk_status(disk, call.now) != 'In-use':
        raise CloudError('IncorrectDiskStatus', 'The current disk status does not support this operation.', 400)
    call.store.start_detachment(CLOUD, disk, call.now)
    call.changed(disk['region'])
    return {}


def _tag_table(call) -> tuple:
    """ENS tags instances only: ResourceType "Set the value to instance" (ens-20171110 TagResourcesRequest,
    ListTagResourcesRequest, UntagResourcesRequest). Tagging instances is not emulated (seeded ones neither), so the
    table is empty."""
    resource_type = p.text(call.params, 'ResourceType', required=True)
    if resource_type != 'instance':
        raise _invalid('ResourceType')
    return resource_type, {}, p.repeat_list(call.params, 'ResourceId')


def _records(table: dict, ids: list) -> list:
    records = [table.get(rid) for rid in ids]
    if not ids or None in records:
        raise CloudError('InvalidResourceId.NotFound', 'The specified ResourceIds are not found in our records.')
    return records


def tag_resources(call) -> dict:
    dummy, table, ids = _tag_table(call)
    tags = rules.parse_tags(call.params)
    records = _records(table, ids)
    for record in records:
        record['tags'].update(tags)
    call.changed(records[0]['region'])
    return {}


def untag_resources(call) -> dict:
    dummy, table, ids = _tag_table(call)
    keys = p.repeat_list(call.params, 'TagKey')
    remove_all = p.boolean(call.params, 'All')
    records = _records(table, ids)
    for record in records:
        for key in list(record['tags']):
            if remove_all or key in keys:
                del record['tags'][key]
    call.changed(records[0]['region'])
    return {}


def list_tag_resources(call) -> dict:
    resource_type, table, ids = _tag_table(call)
    tags = p.tag_filters(call.params)
    if not ids and not tags:
        # ens-20171110 ListTagResourcesRequest: ResourceId or Tag must be given.
        raise CloudError('MissingParameter.ResourceIdsOrTags', 'ResourceIds and Tags cannot both be empty.')
    rows = []
    for record in table.values():
        if (ids and record['id'] not in ids) or not match_tags(record['tags'], tags):
            continue
        rows.extend(
            {'ResourceId': record['id'], 'ResourceType': resource_type, 'TagKey': k, 'TagValue': v}
            for k, v in record['tags'].items()
        )
    start = p.decode_token(call.params['NextToken']) if call.params.get('NextToken') else 0
    token = p.encode_token(start + 50) if start + 50 < len(rows) else ''
    # TagResources is a plain list here (ens-20171110 ListTagResourcesResponseBody), unlike ECS's.
    return {'NextToken': token, 'TagResources': rows[start : start + 50]}


# Each action: its handler, whether it can change state, and the parameters it accepts (the names
# of the vendor's request model, ens-20171110; checked by tests/fakecloud/tests/test_conformance.py).
_PAGING = ('PageNumber', 'PageSize')
_TAGS = ('Tag.N.Key', 'Tag.N.Value')
ACTIONS = {
    'DescribeEnsRegions': action(describe_ens_regions, False),
    'DescribeDisks': action(
        describe_disks,
        False,
        'EnsRegionId',
        'EnsRegionIds',
        'DiskIds',
        'DiskId',
        'DiskName',
        'Category',
        'Type',
        'SnapshotId',
        'Status',
        *_PAGING,
    ),
    'CreateDisk': action(
        create_disk,
        True,
        'EnsRegionId',
        'Category',
        'Size',
        'SnapshotId',
        'InstanceChargeType',
        'InstanceBillingCycle',
        'DiskName',
        'Encrypted',
        'KMSKeyId',
        *_TAGS,
    ),
    'DeleteDisk': action(delete_disk, True, 'DiskId'),
    'DescribeInstances': action(
        describe_instances, False, 'EnsRegionId', 'InstanceId', 'InstanceIds', 'Status', *_PAGING
    ),
    'AttachDisk': action(attach_disk, True, 'InstanceId', 'DiskId'),
    'DetachDisk': action(detach_disk, True, 'InstanceId', 'DiskId'),
    'DescribeSnapshots': action(
        describe_snapshots, False, 'EnsRegionId', 'EnsRegionIds', 'SnapshotId', 'DiskId', 'SnapshotName', *_PAGING
    ),
    'CreateSnapshot': action(create_snapshot, True, 'EnsRegionId', 'DiskId', 'SnapshotName', 'Description'),
    'CopySnapshot': action(
        copy_snapshot,
        True,
        'SnapshotId',
        'DestinationRegionIds',
        'DestinationSnapshotName',
        'DestinationSnapshotDescription',
        'InstanceBillingCycle',
    ),
    'DeleteSnapshot': action(delete_snapshot, True, 'SnapshotId'),
    'ModifySnapshotAttribute': action(modify_snapshot_attribute, True, 'SnapshotId', 'SnapshotName', 'Description'),
    'TagResources': action(tag_resources, True, 'ResourceType', 'ResourceId.N', *_TAGS),
    'UntagResources': action(untag_resources, True, 'ResourceType', 'ResourceId.N', 'TagKey.N', 'All'),
    'ListTagResources': action(list_tag_resources, False, 'ResourceType', 'ResourceId.N', 'NextToken', *_TAGS),
}
