"""CBS snapshot groups (CreateSnapshotGroup, DescribeSnapshotGroups, DeleteSnapshotGroup) through the real
tencentcloud SDK, and the torn_groups fault that leaves one member behind."""

from __future__ import annotations

import json

from tencentcloud.cbs.v20170312 import cbs_client, errorcodes, models

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client
from ansible_collections.snapcopy.cloud.tests.fakecloud.tests.test_fakecloud_tencent import build, code_of
from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import tencent

REGION = 'ap-guangzhou'
INSTANCE = 'ins-db01'


def cbs(fc):
    return tencent_client(cbs_client.CbsClient, fc.endpoint, REGION)


def seed_instance(fc, disks: int = 3) -> list:
    """``disks`` disks attached to INSTANCE (the first a system disk), and one of another instance (the last id)."""
    specs = [{'region': REGION, 'instance_id': INSTANCE} for dummy in range(disks)]
    specs[0]['type'] = 'system'
    specs.append({'region': REGION, 'instance_id': 'ins-other'})
    return fc.admin.seed(cbs={'disks': specs})['cbs']['disks']


def create_group(fc, disk_ids: list, **params) -> str:
    return (
        cbs(fc)
        .CreateSnapshotGroup(build(models.CreateSnapshotGroupRequest, DiskIds=disk_ids, **params))
        .SnapshotGroupId
    )


def groups(fc, **params) -> list:
    answer = cbs(fc).DescribeSnapshotGroups(build(models.DescribeSnapshotGroupsRequest, **params))
    return json.loads(answer.to_json_string())['SnapshotGroupSet']


def group(fc, group_id: str) -> dict:
    (found,) = groups(fc, Filters=[{'Name': 'snapshot-group-id', 'Values': [group_id]}])
    return found


def snapshots(fc, ids: list) -> dict:
    answer = cbs(fc).DescribeSnapshots(build(models.DescribeSnapshotsRequest, SnapshotIds=ids))
    return {snap['SnapshotId']: snap for snap in json.loads(answer.to_json_string())['SnapshotSet']}


def test_a_group_snapshots_the_disks_of_one_instance_at_one_moment(fc):
    disks = seed_instance(fc)
    group_id = create_group(fc, disks[:3], SnapshotGroupName='db-set', Tags=[{'Key': 'app', 'Value': 'db'}])
    found = group(fc, group_id)
    assert group_id.startswith('csnap-')
    assert (found['SnapshotGroupName'], found['SnapshotGroupState'], found['SnapshotGroupType']) == (
        'db-set',
        'CREATING',
        'NORMAL',
    )
    assert found['ContainRootSnapshot'] is True and found['DeadlineTime'] is None and found['IsPermanent'] is True
    members = snapshots(fc, found['SnapshotIdSet'])
    # The members inherit the group's name with their index (CreateSnapshotGroupRequest.SnapshotGroupName).
    assert [members[sid]['SnapshotName'] for sid in found['SnapshotIdSet']] == ['db-set_0', 'db-set_1', 'db-set_2']
    assert [members[sid]['DiskId'] for sid in found['SnapshotIdSet']] == disks[:3]
    assert {snap['CreateTime'] for snap in members.values()} == {found['CreateTime']}
    assert {snap['SnapshotState'] for snap in members.values()} == {'CREATING'}
    fc.admin.advance_clock(11)
    found = group(fc, group_id)
    assert (found['SnapshotGroupState'], found['Percent']) == ('NORMAL', 100)
    assert {snap['SnapshotState'] for snap in snapshots(fc, found['SnapshotIdSet']).values()} == {'NORMAL'}
    by_member = groups(fc, Filters=[{'Name': 'snapshot-id', 'Values': [found['SnapshotIdSet'][2]]}])
    assert [g['SnapshotGroupId'] for g in by_member] == [group_id]


def test_disks_of_two_instances_or_of_none_make_no_group(fc):
    disks = seed_instance(fc)
    loose = fc.admin.seed(cbs={'disks': [{'region': REGION}]})['cbs']['disks'][0]
    client = cbs(fc)
    two = build(models.CreateSnapshotGroupRequest, DiskIds=[disks[1], disks[3]])
    assert code_of(client.CreateSnapshotGroup, two) == 'UnsupportedOperation.SnapshotGroupDiskAttachMultiInstance'
    none = build(models.CreateSnapshotGroupRequest, DiskIds=[disks[1], loose])
    assert code_of(client.CreateSnapshotGroup, none) == 'InvalidDisk.NotSupported'
    assert code_of(client.CreateSnapshotGroup, build(models.CreateSnapshotGroupRequest)) == 'MissingParameter'
    assert groups(fc) == []
    assert fc.admin.state('cbs')['cbs'][REGION]['snapshots'] == [], 'a refused group makes no snapshot'


def test_a_torn_group_has_one_member_pending_for_longer(fc):
    disks = seed_instance(fc)
    fc.admin.faults(torn_groups={'cbs': {'member': 0, 'seconds': 200}})
    found = group(fc, create_group(fc, disks[:3]))
    fc.admin.advance_clock(11)
    found = group(fc, found['SnapshotGroupId'])
    assert found['SnapshotGroupState'] == 'CREATING' and found['Percent'] < 100
    states = snapshots(fc, found['SnapshotIdSet'])
    assert [states[sid]['SnapshotState'] for sid in found['SnapshotIdSet']] == ['CREATING', 'NORMAL', 'NORMAL']
    fc.admin.advance_clock(200)
    assert group(fc, found['SnapshotGroupId'])['SnapshotGroupState'] == 'NORMAL'


def test_a_failed_member_vanishes_and_leaves_a_normal_group_of_fewer_snapshots(fc):
    """CBS has no failed state: the group of three disks answers NORMAL with two snapshots, a torn set that only a
    client counting the members against the disks can see."""
    disks = seed_instance(fc)
    fc.admin.faults(torn_groups={'cbs': {'member': 1, 'outcome': 'failed'}})
    made = group(fc, create_group(fc, disks[:3]))
    fc.admin.advance_clock(11)
    found = group(fc, made['SnapshotGroupId'])
    assert found['SnapshotGroupState'] == 'NORMAL'
    assert found['SnapshotIdSet'] == [made['SnapshotIdSet'][0], made['SnapshotIdSet'][2]]
    assert sorted(snap['DiskId'] for snap in snapshots(fc, made['SnapshotIdSet']).values()) == sorted(
        [disks[0], disks[2]]
    )


def test_deleting_a_group_deletes_its_snapshots(fc):
    disks = seed_instance(fc)
    keep = create_group(fc, disks[:2])
    gone = create_group(fc, disks[1:3])
    fc.admin.advance_clock(11)
    members = group(fc, gone)['SnapshotIdSet']
    cbs(fc).DeleteSnapshotGroup(build(models.DeleteSnapshotGroupRequest, SnapshotGroupId=gone))
    assert [g['SnapshotGroupId'] for g in groups(fc)] == [keep]
    assert snapshots(fc, members) == {}
    req = build(models.DeleteSnapshotGroupRequest, SnapshotGroupIds=[keep, gone])
    assert code_of(cbs(fc).DeleteSnapshotGroup, req) == 'InvalidParameterValue', 'one group a call'
    req = build(models.DeleteSnapshotGroupRequest, SnapshotGroupId=gone)
    assert code_of(cbs(fc).DeleteSnapshotGroup, req) == 'ResourceNotFound.NotFound'


def test_a_group_with_a_shared_member_is_not_deleted(fc):
    disks = seed_instance(fc)
    group_id = create_group(fc, disks[1:3])
    fc.admin.advance_clock(11)
    members = group(fc, group_id)['SnapshotIdSet']
    share = build(
        models.ModifySnapshotsSharePermissionRequest,
        SnapshotIds=[members[0]],
        AccountIds=['100099999999'],
        Permission='SHARE',
    )
    cbs(fc).ModifySnapshotsSharePermission(share)
    req = build(models.DeleteSnapshotGroupRequest, SnapshotGroupId=group_id)
    assert code_of(cbs(fc).DeleteSnapshotGroup, req) == 'UnsupportedOperation.SnapHasShared'
    assert sorted(snapshots(fc, members)) == sorted(members) and group(fc, group_id)['SnapshotIdSet'] == members


def test_every_group_is_of_type_normal_which_the_model_calls_not_consistent(fc):
    """CBS-M SnapshotGroup.SnapshotGroupType: "快照组类型。NORMAL: 普通快照组，非一致性快照" (NORMAL: an ordinary group, not a
    consistent snapshot), its one documented value (issue 61: the collection never calls such a group crash-consistent)."""
    doc = tencent.field_doc('cbs', 'SnapshotGroup', 'SnapshotGroupType')
    assert 'NORMAL: 普通快照组，非一致性快照' in doc
    ids = seed_instance(fc)
    group_id = create_group(fc, ids[1:3])
    assert group(fc, group_id)['SnapshotGroupType'] == 'NORMAL'


def test_an_account_outside_the_beta_is_refused_a_group(fc):
    """The CBS guide ("Creating Snapshot Group"): "The snapshot group feature is currently in a limited beta testing
    phase. You can contact your account manager or submit a ticket to apply for access." The refusal's code is not
    documented: UnauthorizedOperation (CBS-E, errorcodes.py: "未授权操作"), unverifiable."""
    ids = seed_instance(fc)
    fc.admin.configure(snapshot_group_beta={'cbs': ['100000000001']})
    try:
        request = build(models.CreateSnapshotGroupRequest, DiskIds=ids[1:3])
        assert code_of(cbs(fc).CreateSnapshotGroup, request) == errorcodes.UNAUTHORIZEDOPERATION
        assert groups(fc) == []
    finally:
        fc.admin.configure(snapshot_group_beta={'cbs': None})
    assert create_group(fc, ids[1:3]).startswith('csnap-')
