"""ECS snapshot-consistent groups (CreateSnapshotGroup, DescribeSnapshotGroups, DeleteSnapshotGroup) through the real
aliyun SDK (aliyunsdkecs + aliyunsdkcore), and the torn_groups fault that leaves one member behind."""

from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526 import (
    CreateSnapshotGroupRequest,
    DeleteSnapshotGroupRequest,
    DeleteSnapshotRequest,
    DescribeSnapshotGroupsRequest,
    DescribeSnapshotsRequest,
    LockSnapshotRequest,
)

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client

REGION = 'cn-hangzhou'
INSTANCE = 'i-db01'


def call(fc, request):
    return alibaba_call(fc.endpoint, alibaba_client(REGION), request)


def code_of(fc, request) -> str:
    with pytest.raises(ServerException) as info:
        call(fc, request)
    return info.value.get_error_code()


def seed_instance(fc, disks: int = 3, **extra) -> list:
    """``disks`` ESSDs attached to INSTANCE (the first a system disk), one snapshot-less data disk elsewhere: the ids of
    the instance's disks."""
    specs = [dict({'region': REGION, 'instance_id': INSTANCE, 'size': 40}, **extra) for dummy in range(disks)]
    specs[0]['type'] = 'system'
    created = fc.admin.seed(ecs={'disks': [*specs, {'region': REGION, 'instance_id': 'i-other'}]})['ecs']['disks']
    return created[:disks]


def create_group(fc, instance_id=INSTANCE, **params) -> str:
    req = CreateSnapshotGroupRequest.CreateSnapshotGroupRequest()
    if instance_id:
        req.set_InstanceId(instance_id)
    for key, value in params.items():
        getattr(req, 'set_' + key)(value)
    return call(fc, req)['SnapshotGroupId']


def groups(fc, **params) -> list:
    req = DescribeSnapshotGroupsRequest.DescribeSnapshotGroupsRequest()
    for key, value in params.items():
        getattr(req, 'set_' + key)(value)
    return call(fc, req)['SnapshotGroups']['SnapshotGroup']


def group(fc, group_id: str) -> dict:
    (found,) = groups(fc, SnapshotGroupIds=[group_id])
    return found


def snapshots(fc, ids: list) -> dict:
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    req.set_SnapshotIds(json.dumps(ids))
    return {snap['SnapshotId']: snap for snap in call(fc, req)['Snapshots']['Snapshot']}


def member_ids(found: dict) -> list:
    return [snap['SnapshotId'] for snap in found['Snapshots']['Snapshot']]


def test_a_group_snapshots_the_instances_disks_at_one_moment_and_follows_its_members(fc):
    disks = seed_instance(fc)
    group_id = create_group(fc, Name='db-set', Description='data and log', Tags=[{'Key': 'app', 'Value': 'db'}])
    found = group(fc, group_id)
    assert group_id.startswith('ssg-') and found['InstanceId'] == INSTANCE
    assert (found['Name'], found['Description'], found['Status']) == ('db-set', 'data and log', 'progressing')
    assert found['Tags']['Tag'] == [{'Key': 'app', 'Value': 'db'}]
    assert sorted(snap['SourceDiskId'] for snap in found['Snapshots']['Snapshot']) == sorted(disks)
    assert {snap['SourceDiskType'] for snap in found['Snapshots']['Snapshot']} == {'system', 'data'}
    members = snapshots(fc, member_ids(found))
    # One moment: every member has the group's creation time; nothing in DescribeSnapshots names the group.
    assert {snap['CreationTime'] for snap in members.values()} == {found['CreationTime']}
    assert {snap['Status'] for snap in members.values()} == {'progressing'}
    assert not any('SnapshotGroup' in key for snap in members.values() for key in snap)
    fc.admin.advance_clock(11)
    found = group(fc, group_id)
    assert found['Status'] == 'accomplished'
    assert {(snap['Available'], snap['Progress']) for snap in found['Snapshots']['Snapshot']} == {(True, '100%')}
    assert [g['SnapshotGroupId'] for g in groups(fc, Statuss=['accomplished'], InstanceId=INSTANCE)] == [group_id]
    assert groups(fc, Statuss=['progressing']) == []


def test_exclude_disk_ids_and_disk_ids_choose_the_members(fc):
    disks = seed_instance(fc)
    without_system = group(fc, create_group(fc, ExcludeDiskIds=[disks[0]]))
    assert sorted(snap['SourceDiskId'] for snap in without_system['Snapshots']['Snapshot']) == sorted(disks[1:])
    chosen = group(fc, create_group(fc, DiskIds=[disks[2]]))
    assert [snap['SourceDiskId'] for snap in chosen['Snapshots']['Snapshot']] == [disks[2]]
    # DiskId.N without InstanceId: the disks named, of one zone.
    bare = group(fc, create_group(fc, instance_id=None, DiskIds=disks[1:]))
    assert sorted(snap['SourceDiskId'] for snap in bare['Snapshots']['Snapshot']) == sorted(disks[1:])


@pytest.mark.parametrize(
    'case, code',
    [
        ('both lists', 'InvalidParameter.Conflict'),
        ('a disk of another instance', 'InvalidParameter.DiskId'),
        ('an unknown instance', 'InvalidInstanceId.NotFound'),
        ('an unknown disk', 'InvalidDiskId.NotFound'),
        ('nothing named', 'MissingParameter'),
        ('a name starting with a digit', 'InvalidName.Malformed'),
        ('not an ESSD', 'InvalidDiskCategory.NotSupported'),
        ('two zones', 'InvalidParameter.DiskId'),
    ],
)
def test_what_cannot_make_a_group(fc, case, code):
    disks = seed_instance(fc)
    other = fc.admin.seed(
        ecs={
            'disks': [
                {'region': REGION, 'instance_id': 'i-old', 'category': 'cloud_efficiency'},
                {'region': REGION, 'instance_id': 'i-far', 'zone': REGION + '-b'},
            ]
        }
    )['ecs']['disks']
    req = CreateSnapshotGroupRequest.CreateSnapshotGroupRequest()
    if case == 'both lists':
        req.set_InstanceId(INSTANCE)
        req.set_DiskIds(disks[:1])
        req.set_ExcludeDiskIds(disks[1:2])
    elif case == 'a disk of another instance':
        req.set_InstanceId(INSTANCE)
        req.set_DiskIds([disks[0], other[1]])
    elif case == 'an unknown instance':
        req.set_InstanceId('i-nowhere')
    elif case == 'an unknown disk':
        req.set_DiskIds(['d-nowhere'])
    elif case == 'a name starting with a digit':
        req.set_InstanceId(INSTANCE)
        req.set_Name('1st-set')
    elif case == 'not an ESSD':
        req.set_InstanceId('i-old')
    elif case == 'two zones':
        req.set_DiskIds([disks[0], other[1]])
    assert code_of(fc, req) == code
    assert groups(fc) == []
    assert fc.admin.state('ecs')['ecs'][REGION]['snapshots'] == [], 'a refused group makes no snapshot'


@pytest.mark.parametrize(
    'case, extra',
    [
        ('17 disks', {}),
        ('more than 32 TiB', {'size': 16 * 1024 + 1}),  # beside 2 disks of 8 TiB
        ('a disk with multi-attach enabled', {'multi_attach': 'Enabled'}),
        ('an ESSD Entry disk among ESSDs', {'category': 'cloud_essd_entry'}),
    ],
)
def test_the_api_references_limits_hold_16_disks_32_tib_no_multi_attach(fc, case, extra):
    """The API reference (CreateSnapshotGroup, help.aliyun.com/document_detail/210939.html), stricter than the model's
    128 disks and 256 TiB: "最多包括 16 块云盘…总容量不超过 32 TiB", "开启多重挂载特性的云盘不支持创建快照一致性组". 16
    disks, and 32 TiB, are taken; one more is refused, naming nothing made. The ESSD family, Entry included, is taken."""
    if case == '17 disks':
        disks = seed_instance(fc, disks=17)
        assert code_of(fc, _group_request(disks)) == 'InvalidParameter.DiskId'
        assert groups(fc) == []
        create_group(fc, DiskIds=disks[1:])  # 16: taken
        return
    disks = seed_instance(fc, disks=2, size=8 * 1024)
    odd = fc.admin.seed(ecs={'disks': [dict({'region': REGION, 'instance_id': INSTANCE, 'size': 1}, **extra)]})
    (odd_id,) = odd['ecs']['disks']
    request = _group_request([*disks, odd_id])
    if case == 'an ESSD Entry disk among ESSDs':
        assert call(fc, request)['SnapshotGroupId'].startswith('ssg-')
        return
    with pytest.raises(ServerException) as info:
        call(fc, request)
    assert info.value.get_error_code() == 'InvalidParameter.DiskId'
    if case == 'a disk with multi-attach enabled':
        assert odd_id in info.value.get_error_msg()
    assert groups(fc) == []
    assert fc.admin.state('ecs')['ecs'][REGION]['snapshots'] == [], 'a refused group makes no snapshot'
    # Without the odd disk, the group is made.
    create_group(fc, DiskIds=disks)


def _group_request(disk_ids: list):
    req = CreateSnapshotGroupRequest.CreateSnapshotGroupRequest()
    req.set_InstanceId(INSTANCE)
    req.set_DiskIds(disk_ids)
    return req


def test_a_torn_group_has_one_member_pending_for_longer(fc):
    seed_instance(fc)
    fc.admin.faults(torn_groups={'ecs': {'member': 1, 'outcome': 'pending', 'seconds': 600, 'count': 1}})
    torn_id = create_group(fc)
    whole_id = create_group(fc)
    fc.admin.advance_clock(11)
    torn = group(fc, torn_id)
    assert torn['Status'] == 'progressing'
    assert [snap['Available'] for snap in torn['Snapshots']['Snapshot']] == [True, False, True]
    states = snapshots(fc, member_ids(torn))
    assert [states[sid]['Status'] for sid in member_ids(torn)] == ['accomplished', 'progressing', 'accomplished']
    assert group(fc, whole_id)['Status'] == 'accomplished', 'count 1: only the first group is torn'
    fc.admin.advance_clock(600)
    assert group(fc, torn_id)['Status'] == 'accomplished'


def test_a_torn_group_with_a_failed_member_is_failed(fc):
    seed_instance(fc)
    fc.admin.faults(torn_groups={'ecs': {'outcome': 'failed'}})
    found = group(fc, create_group(fc))
    fc.admin.advance_clock(11)
    found = group(fc, found['SnapshotGroupId'])
    assert found['Status'] == 'failed'
    states = snapshots(fc, member_ids(found))
    assert [states[sid]['Status'] for sid in member_ids(found)] == ['accomplished', 'accomplished', 'failed']
    assert [g['SnapshotGroupId'] for g in groups(fc, Statuss=['failed'])] == [found['SnapshotGroupId']]


def test_a_bad_torn_groups_fault_is_refused(fc):
    with pytest.raises(Exception, match='400'):
        fc.admin.faults(torn_groups={'ecs': {'outcome': 'late'}})


def test_a_member_deleted_alone_leaves_a_group_of_fewer_snapshots(fc):
    seed_instance(fc)
    found = group(fc, create_group(fc))
    fc.admin.advance_clock(11)
    gone = member_ids(found)[0]
    delete = DeleteSnapshotRequest.DeleteSnapshotRequest()
    delete.set_SnapshotId(gone)
    call(fc, delete)
    left = group(fc, found['SnapshotGroupId'])
    assert member_ids(left) == member_ids(found)[1:] and left['Status'] == 'accomplished'
    req = DeleteSnapshotGroupRequest.DeleteSnapshotGroupRequest()
    req.set_SnapshotGroupId(found['SnapshotGroupId'])
    call(fc, req)
    assert groups(fc) == [] and snapshots(fc, member_ids(found)) == {}


def test_deleting_a_group_deletes_its_snapshots_but_a_locked_one(fc):
    seed_instance(fc)
    found = group(fc, create_group(fc))
    fc.admin.advance_clock(11)
    locked = member_ids(found)[2]
    lock = LockSnapshotRequest.LockSnapshotRequest()
    for key, value in (('SnapshotId', locked), ('LockMode', 'compliance'), ('LockDuration', 7), ('CoolOffPeriod', 0)):
        lock.add_query_param(key, value)
    call(fc, lock)
    req = DeleteSnapshotGroupRequest.DeleteSnapshotGroupRequest()
    req.set_SnapshotGroupId(found['SnapshotGroupId'])
    progress = call(fc, req)['OperationProgressSet']['OperationProgress']
    outcome = {item['RelatedItemSet']['RelatedItem'][0]['Value']: item['OperationStatus'] for item in progress}
    assert outcome == dict.fromkeys(member_ids(found)[:2], 'Success') | {locked: 'Failed'}
    assert list(snapshots(fc, member_ids(found))) == [locked]
    assert groups(fc) == []
    assert code_of(fc, req) == 'InvalidSnapshotGroupId.NotFound'


def test_a_client_token_sent_again_makes_no_second_group(fc):
    seed_instance(fc)
    first = create_group(fc, ClientToken='group-token-1')
    assert create_group(fc, ClientToken='group-token-1') == first
    assert len(groups(fc)) == 1
    assert len(fc.admin.state('ecs')['ecs'][REGION]['snapshots']) == 3
    req = CreateSnapshotGroupRequest.CreateSnapshotGroupRequest()
    req.set_InstanceId(INSTANCE)
    req.set_Name('another')
    req.set_ClientToken('group-token-1')
    assert code_of(fc, req) == 'IdempotentParameterMismatch'


def test_describe_snapshot_groups_pages_newest_first(fc):
    seed_instance(fc, disks=1)
    made = []
    for dummy in range(5):
        made.append(create_group(fc))
        fc.admin.advance_clock(1)
    seen, token = [], None
    while True:
        req = DescribeSnapshotGroupsRequest.DescribeSnapshotGroupsRequest()
        req.set_MaxResults(2)
        if token:
            req.set_NextToken(token)
        answer = call(fc, req)
        seen += [g['SnapshotGroupId'] for g in answer['SnapshotGroups']['SnapshotGroup']]
        token = answer['NextToken']
        if not token:
            break
    assert seen == made[::-1]
    req = DescribeSnapshotGroupsRequest.DescribeSnapshotGroupsRequest()
    req.set_MaxResults(101)
    assert code_of(fc, req) == 'InvalidParameter'
