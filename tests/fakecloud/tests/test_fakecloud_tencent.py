"""CBS 2017-03-12 and Tag 2018-08-13 through the real tencentcloud SDK."""

from __future__ import annotations

import json

import pytest
from tencentcloud.cbs.v20170312 import cbs_client, models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tag.v20180813 import models as tag_models, tag_client

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client

REGION, DR1, DR2 = 'ap-guangzhou', 'ap-beijing', 'ap-tokyo'


def cbs(fc, region=REGION, **kwargs):
    return tencent_client(cbs_client.CbsClient, fc.endpoint, region, **kwargs)


def tags(fc):
    return tencent_client(tag_client.TagClient, fc.endpoint, None)


def build(model, **params):
    req = model()
    req.from_json_string(json.dumps(params))
    return req


def code_of(func, req) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        func(req)
    return info.value.get_code()


def seed(fc, snapshots=1, **disk) -> tuple:
    created = fc.admin.seed(cbs={'disks': [dict({'region': REGION, 'snapshots': snapshots}, **disk)]})['cbs']
    return created['disks'][0], created['snapshots']


def snaps(fc, region=REGION, **params) -> dict:
    answer = cbs(fc, region).DescribeSnapshots(build(models.DescribeSnapshotsRequest, **params))
    return json.loads(answer.to_json_string())


def test_describe_disks_filters_and_paging(fc):
    fc.admin.seed(
        cbs={
            'disks': [
                {'region': REGION, 'tags': {'dr': 'yes'} if i < 120 else {}, 'zone': 'ap-guangzhou-3'}
                for i in range(150)
            ]
        }
    )
    client = cbs(fc)
    seen = []
    for offset in (0, 100):
        answer = client.DescribeDisks(
            build(
                models.DescribeDisksRequest, Offset=offset, Limit=100, Filters=[{'Name': 'tag:dr', 'Values': ['yes']}]
            )
        )
        assert answer.TotalCount == 120
        seen += [d.DiskId for d in answer.DiskSet]
    assert len(set(seen)) == 120
    answer = client.DescribeDisks(
        build(
            models.DescribeDisksRequest,
            Filters=[
                {'Name': 'zone', 'Values': ['ap-guangzhou-3']},
                {'Name': 'disk-usage', 'Values': ['DATA_DISK']},
                {'Name': 'tag-key', 'Values': ['dr']},
            ],
        )
    )
    assert answer.TotalCount == 120 and len(answer.DiskSet) == 20
    assert answer.DiskSet[0].Tags[0].Key == 'dr' and answer.DiskSet[0].Placement.Zone == 'ap-guangzhou-3'
    assert code_of(client.DescribeDisks, build(models.DescribeDisksRequest, Limit=101)) == 'InvalidParameterValue'
    assert (
        code_of(client.DescribeDisks, build(models.DescribeDisksRequest, Filters=[{'Name': 'colour', 'Values': ['x']}]))
        == 'InvalidFilter'
    )


def test_describe_snapshots_filters_order_and_paging(fc):
    disk_id, created = seed(fc, snapshots=130)
    ids = []
    for offset in (0, 100):
        page = snaps(fc, Offset=offset, Limit=100, Order='ASC', OrderField='CREATE_TIME')
        assert page['TotalCount'] == 130
        ids += [s['SnapshotId'] for s in page['SnapshotSet']]
    assert ids == created  # seeded oldest first
    newest = snaps(fc, Limit=1)['SnapshotSet'][0]
    assert newest['SnapshotId'] == created[-1] and newest['SnapshotState'] == 'NORMAL' and newest['Percent'] == 100
    assert newest['DiskId'] == disk_id and newest['CopyFromRemote'] is False and newest['CopyingToRegions'] == []
    for key in ('SnapshotName', 'DiskSize', 'DiskUsage', 'CreateTime', 'Encrypt', 'Placement', 'Tags'):
        assert key in newest
    assert snaps(fc, SnapshotIds=created[:3])['TotalCount'] == 3
    assert (
        snaps(
            fc,
            Filters=[
                {'Name': 'snapshot-id', 'Values': created[:2]},
                {'Name': 'disk-id', 'Values': [disk_id]},
                {'Name': 'snapshot-state', 'Values': ['NORMAL']},
            ],
        )['TotalCount']
        == 2
    )
    assert (
        code_of(
            cbs(fc).DescribeSnapshots,
            build(
                models.DescribeSnapshotsRequest,
                SnapshotIds=created[:1],
                Filters=[{'Name': 'disk-id', 'Values': [disk_id]}],
            ),
        )
        == 'InvalidParameter'
    )


def test_create_snapshot_states(fc):
    # Four minutes a snapshot (within the five minutes signatures allow the clocks apart): a busy machine's pause
    # between two calls moves its percent by a few at most.
    fc.admin.configure(timings={'cbs': {'snapshot_seconds': 240}})
    disk_id, dummy = seed(fc, snapshots=0)
    client = cbs(fc)
    new_id = client.CreateSnapshot(
        build(models.CreateSnapshotRequest, DiskId=disk_id, SnapshotName='manual', Tags=[{'Key': 'k', 'Value': 'v'}])
    ).SnapshotId
    snap = snaps(fc, SnapshotIds=[new_id])['SnapshotSet'][0]
    assert snap['SnapshotState'] == 'CREATING' and snap['Percent'] < 25 and snap['Tags'] == [{'Key': 'k', 'Value': 'v'}]
    fc.admin.advance_clock(241)
    assert snaps(fc, SnapshotIds=[new_id])['SnapshotSet'][0]['SnapshotState'] == 'NORMAL'
    assert (
        code_of(client.CreateSnapshot, build(models.CreateSnapshotRequest, DiskId='disk-nope'))
        == 'InvalidDiskId.NotFound'
    )  # tencentcloud-sdk-go cbs errors.go, CreateSnapshot's codes


def test_copy_cross_regions_lifecycle_and_conflict(fc):
    dummy, (source,) = seed(fc)
    client = cbs(fc)
    req = build(models.CopySnapshotCrossRegionsRequest, SnapshotId=source, DestinationRegions=[DR1, DR2])
    results = client.CopySnapshotCrossRegions(req).SnapshotCopyResultSet
    assert [(r.DestinationRegion, r.Code, r.Message) for r in results] == [(DR1, 'Success', ''), (DR2, 'Success', '')]
    copy_id = results[0].SnapshotId
    source_view = snaps(fc, SnapshotIds=[source])['SnapshotSet'][0]
    assert source_view['CopyingToRegions'] == sorted([DR1, DR2])
    copy = snaps(fc, DR1, SnapshotIds=[copy_id])['SnapshotSet'][0]
    assert copy['SnapshotState'] == 'COPYING_FROM_REMOTE' and copy['CopyFromRemote'] is True
    assert copy['SnapshotName'] == 'Copied %s from %s' % (source, REGION)
    assert code_of(client.CopySnapshotCrossRegions, req) == 'ResourceInUse.CopySnapshotConflict'
    fc.admin.advance_clock(17)
    copy = snaps(fc, DR1, SnapshotIds=[copy_id])['SnapshotSet'][0]
    assert copy['SnapshotState'] == 'CHECKING_COPIED' and 80 <= copy['Percent'] < 100
    fc.admin.advance_clock(4)
    copy = snaps(fc, DR1, SnapshotIds=[copy_id])['SnapshotSet'][0]
    assert copy['SnapshotState'] == 'NORMAL' and copy['Percent'] == 100
    assert snaps(fc, SnapshotIds=[source])['SnapshotSet'][0]['CopyingToRegions'] == []
    named = client.CopySnapshotCrossRegions(
        build(
            models.CopySnapshotCrossRegionsRequest, SnapshotId=source, DestinationRegions=[DR1], SnapshotName='dr-copy'
        )
    )
    assert named.SnapshotCopyResultSet[0].Code == 'Success'
    assert (
        code_of(
            client.CopySnapshotCrossRegions,
            build(models.CopySnapshotCrossRegionsRequest, SnapshotId='snap-missing', DestinationRegions=[DR1]),
        )
        == 'InvalidSnapshotId.NotFound'
    )


def test_copy_partial_failures_quota_and_vanishing_copy(fc):
    dummy, (source,) = seed(fc)
    fc.admin.seed(cbs={'snapshots': [{'region': DR2}]})
    fc.admin.configure(quotas={'cbs': {'snapshots_per_region': 1}})
    fc.admin.faults(broken_regions={'cbs': ['ap-shanghai']}, failing_copies={'cbs': {'regions': [DR1]}})
    results = cbs(fc).CopySnapshotCrossRegions(
        build(models.CopySnapshotCrossRegionsRequest, SnapshotId=source, DestinationRegions=[DR1, DR2, 'ap-shanghai'])
    )
    codes = {r.DestinationRegion: r.Code for r in results.SnapshotCopyResultSet}
    assert codes == {DR1: 'Success', DR2: 'InsufficientSnapshotQuota', 'ap-shanghai': 'InternalError.ComponentError'}
    fc.admin.advance_clock(21)
    assert snaps(fc, DR1)['TotalCount'] == 0  # the failed copy is gone


def test_delete_snapshots(fc):
    dummy, created = seed(fc, snapshots=3)
    client = cbs(fc)
    client.DeleteSnapshots(build(models.DeleteSnapshotsRequest, SnapshotIds=created[:2]))
    assert snaps(fc)['TotalCount'] == 1
    assert (
        code_of(client.DeleteSnapshots, build(models.DeleteSnapshotsRequest, SnapshotIds=created))
        == 'InvalidSnapshotId.NotFound'
    )
    assert snaps(fc)['TotalCount'] == 1  # nothing deleted by a refused call


def test_tag_service_feeds_cbs(fc):
    disk_id, (snap_id,) = seed(fc)
    uin = creds.TENCENT_UIN
    snap_res = 'qcs::cvm:%s:uin/:snapshot/%s' % (REGION, snap_id)
    disk_res = 'qcs::cvm:%s:uin/%s:volume/%s' % (REGION, uin, disk_id)
    client = tags(fc)
    answer = client.TagResources(
        build(
            tag_models.TagResourcesRequest,
            ResourceList=[snap_res, disk_res, snap_res + 'x'],
            Tags=[{'TagKey': 'dr', 'TagValue': 'on'}],
        )
    )
    assert [f.Resource for f in answer.FailedResources] == [snap_res + 'x']
    client.ModifyResourceTags(
        build(
            tag_models.ModifyResourceTagsRequest,
            Resource=snap_res,
            ReplaceTags=[{'TagKey': 'copy-of', 'TagValue': 'snap-1'}],
        )
    )
    # DescribeSnapshots answers the tags but cannot filter on them (no tag filter is documented).
    view = snaps(fc, Filters=[{'Name': 'snapshot-id', 'Values': [snap_id]}])['SnapshotSet']
    assert {t['Key'] for t in view[0]['Tags']} == {'dr', 'copy-of'}
    with pytest.raises(TencentCloudSDKException) as info:
        snaps(fc, Filters=[{'Name': 'tag:copy-of', 'Values': ['snap-1']}])
    assert info.value.code == 'InvalidFilter'
    disks = (
        cbs(fc)
        .DescribeDisks(build(models.DescribeDisksRequest, Filters=[{'Name': 'tag:dr', 'Values': ['on']}]))
        .DiskSet
    )
    assert [disk.DiskId for disk in disks] == [disk_id]
    client.ModifyResourceTags(
        build(tag_models.ModifyResourceTagsRequest, Resource=snap_res, DeleteTags=[{'TagKey': 'dr'}])
    )
    found = client.GetResources(
        build(tag_models.GetResourcesRequest, TagFilters=[{'TagKey': 'dr', 'TagValue': ['on']}])
    )
    assert [m.Resource for m in found.ResourceTagMappingList] == [
        'qcs::cvm:%s:uin/%s:volume/%s' % (REGION, uin, disk_id)
    ]
    client.UnTagResources(build(tag_models.UnTagResourcesRequest, ResourceList=[disk_res], TagKeys=['dr']))
    disks = cbs(fc).DescribeDisks(build(models.DescribeDisksRequest, DiskIds=[disk_id])).DiskSet
    assert disks[0].Tags == []


def test_get_resources_pagination(fc):
    fc.admin.seed(cbs={'snapshots': [{'region': REGION, 'tags': {'batch': 'b1'}} for dummy in range(120)]})
    client = tags(fc)
    seen, token = [], ''
    while True:
        page = client.GetResources(
            build(
                tag_models.GetResourcesRequest, MaxResults=50, PaginationToken=token, TagFilters=[{'TagKey': 'batch'}]
            )
        )
        seen += [m.Resource for m in page.ResourceTagMappingList]
        token = page.PaginationToken
        if not token:
            break
    assert len(seen) == len(set(seen)) == 120


def test_get_method_requests(fc):
    disk_id, created = seed(fc, snapshots=2)
    client = tencent_client(cbs_client.CbsClient, fc.endpoint, REGION, method='GET')
    answer = client.DescribeSnapshots(
        build(models.DescribeSnapshotsRequest, Filters=[{'Name': 'disk-id', 'Values': [disk_id]}])
    )
    assert sorted(s.SnapshotId for s in answer.SnapshotSet) == sorted(created)


# -------------------------------------------------------------------------------- snapshots shared with another account
def dr_account_cbs(fc, region=REGION):
    """A CBS client of the DR account (TENCENT_DR_UIN), through its role, as the collection reaches it."""
    from tencentcloud.common.common_client import CommonClient  # pylint: disable=import-outside-toplevel
    from tencentcloud.common.credential import Credential  # pylint: disable=import-outside-toplevel
    from tencentcloud.common.profile.client_profile import ClientProfile  # pylint: disable=import-outside-toplevel
    from tencentcloud.common.profile.http_profile import HttpProfile  # pylint: disable=import-outside-toplevel

    sts = CommonClient(
        'sts',
        '2018-08-13',
        Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY),
        REGION,
        ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint)),
    )
    temporary = sts.call_json('AssumeRole', {'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'share-test'})[
        'Response'
    ]['Credentials']
    return cbs(
        fc, region, secret_id=temporary['TmpSecretId'], secret_key=temporary['TmpSecretKey'], token=temporary['Token']
    )


def share(fc, snapshot_id, permission='SHARE', account=creds.TENCENT_DR_UIN):
    request = build(
        models.ModifySnapshotsSharePermissionRequest,
        SnapshotIds=[snapshot_id],
        AccountIds=[account],
        Permission=permission,
    )
    return cbs(fc).ModifySnapshotsSharePermission(request)


def test_a_shared_snapshot_makes_disks_in_the_other_account_and_nothing_else(fakecloud_clean):
    fc = fakecloud_clean
    dummy, (snapshot_id,) = seed(fc, tags={'dr': 'yes'})
    fc.admin.seed(cbs={'snapshots': [{'region': REGION, 'tags': {'owner': 'source'}, 'disk_id': 'disk-tagged'}]})
    dr = dr_account_cbs(fc)

    def listed():
        return json.loads(dr.DescribeSnapshots(build(models.DescribeSnapshotsRequest)).to_json_string())['SnapshotSet']

    assert listed() == [], 'another account sees nothing of the source account before a share'
    share(fc, snapshot_id)
    (seen,) = listed()
    assert seen['SnapshotId'] == snapshot_id and seen['SnapshotType'] == 'SHARED_SNAPSHOT' and seen['Tags'] == []
    owner_view = snaps(fc, SnapshotIds=[snapshot_id])['SnapshotSet'][0]
    assert (
        owner_view['SnapshotType'] == 'PRIVATE_SNAPSHOT'
        and owner_view['ShareReference'] == 1
        and owner_view['TimeStartShare']
    )
    only_shared = json.loads(
        dr.DescribeSnapshots(
            build(models.DescribeSnapshotsRequest, Filters=[{'Name': 'snapshot-type', 'Values': ['PRIVATE_SNAPSHOT']}])
        ).to_json_string()
    )['SnapshotSet']
    assert only_shared == []
    request = build(models.DescribeSnapshotSharePermissionRequest, SnapshotId=snapshot_id)
    shares = json.loads(cbs(fc).DescribeSnapshotSharePermission(request).to_json_string())
    assert [item['AccountId'] for item in shares['SharePermissionSet']] == [creds.TENCENT_DR_UIN]
    # The DR account makes a disk of it, in its own region only; it cannot copy it, delete it or read its shares.
    made = dr.CreateDisks(
        build(
            models.CreateDisksRequest,
            Placement={'Zone': 'ap-guangzhou-1'},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=snapshot_id,
        )
    )
    assert len(made.DiskIdSet) == 1
    assert (
        code_of(
            dr.CopySnapshotCrossRegions,
            build(models.CopySnapshotCrossRegionsRequest, SnapshotId=snapshot_id, DestinationRegions=[DR1]),
        )
        == 'UnsupportedOperation.SnapshotNotSupportCopy'
    )
    assert (
        code_of(dr.DeleteSnapshots, build(models.DeleteSnapshotsRequest, SnapshotIds=[snapshot_id]))
        == 'InvalidSnapshotId.NotFound'
    )
    assert (
        code_of(
            dr.DescribeSnapshotSharePermission,
            build(models.DescribeSnapshotSharePermissionRequest, SnapshotId=snapshot_id),
        )
        == 'InvalidSnapshotId.NotFound'
    )
    assert (
        code_of(
            dr_account_cbs(fc, DR1).CreateDisks,
            build(
                models.CreateDisksRequest,
                Placement={'Zone': 'ap-beijing-1'},
                DiskChargeType='POSTPAID_BY_HOUR',
                DiskType='CLOUD_PREMIUM',
                SnapshotId=snapshot_id,
            ),
        )
        == 'InvalidSnapshotId.NotFound'
    )
    # The owner cannot delete it while it is shared; once the share is cancelled the DR account has lost it.
    assert (
        code_of(cbs(fc).DeleteSnapshots, build(models.DeleteSnapshotsRequest, SnapshotIds=[snapshot_id]))
        == 'UnsupportedOperation.SnapHasShared'
    )
    share(fc, snapshot_id, 'CANCEL')
    share(fc, snapshot_id, 'CANCEL')  # nothing left to cancel: no error
    assert listed() == []
    cbs(fc).DeleteSnapshots(build(models.DeleteSnapshotsRequest, SnapshotIds=[snapshot_id]))


@pytest.mark.parametrize(
    'case, code',
    [
        ('system disk', 'InvalidSnapshot.NotSupported'),
        ('in flight', 'InvalidSnapshot.NotSupported'),
        ('own account', 'InvalidParameterValue'),
        ('not the owner', 'InvalidSnapshotId.NotFound'),
    ],
)
def test_what_cannot_be_shared(fakecloud_clean, case, code):
    fc = fakecloud_clean
    if case == 'system disk':
        dummy, (snapshot_id,) = seed(fc, type='system')
    elif case == 'in flight':
        snapshot_id = fc.admin.seed(cbs={'snapshots': [{'region': REGION, 'status': 'creating'}]})['cbs']['snapshots'][
            0
        ]
    else:
        dummy, (snapshot_id,) = seed(fc)
    request = build(
        models.ModifySnapshotsSharePermissionRequest,
        SnapshotIds=[snapshot_id],
        Permission='SHARE',
        AccountIds=[creds.TENCENT_UIN if case == 'own account' else creds.TENCENT_DR_UIN],
    )
    client = dr_account_cbs(fc) if case == 'not the owner' else cbs(fc)
    assert code_of(client.ModifySnapshotsSharePermission, request) == code
    assert fc.admin.calls()['total_mutations'] == 0
