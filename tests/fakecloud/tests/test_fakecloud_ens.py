"""ENS 2017-11-10 through the real aliyun SDK (aliyunsdkens)."""

from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkens.request.v20171110 import (
    CopySnapshotRequest,
    CreateSnapshotRequest,
    DeleteSnapshotRequest,
    DescribeDisksRequest,
    DescribeEnsRegionsRequest,
    DescribeSnapshotsRequest,
    ListTagResourcesRequest,
    TagResourcesRequest,
    UntagResourcesRequest,
)

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client

NODE, DR1, DR2 = 'cn-hangzhou-26', 'cn-beijing-cmcc', 'cn-suzhou-telecom'


def call(fc, request):
    return alibaba_call(fc.endpoint, alibaba_client('cn-hangzhou'), request)


def error_of(fc, request) -> ServerException:
    with pytest.raises(ServerException) as info:
        call(fc, request)
    return info.value


def seed(fc, snapshots=1) -> tuple:
    created = fc.admin.seed(ens={'disks': [{'region': NODE, 'snapshots': snapshots, 'name': 'edge-disk'}]})['ens']
    return created['disks'][0], created['snapshots']


def snapshots(fc, **params) -> dict:
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    for key, value in params.items():
        getattr(req, 'set_' + key)(value)
    return call(fc, req)


def copy(fc, source, nodes, **params):
    req = CopySnapshotRequest.CopySnapshotRequest()
    req.set_SnapshotId(source)
    req.set_DestinationRegionIds(nodes)
    for key, value in params.items():
        getattr(req, 'set_' + key)(value)
    return req


def test_regions_and_disks(fc):
    disk_id, dummy = seed(fc)
    nodes = call(fc, DescribeEnsRegionsRequest.DescribeEnsRegionsRequest())['EnsRegions']['EnsRegions']
    assert NODE in {n['EnsRegionId'] for n in nodes}
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_EnsRegionId(NODE)
    answer = call(fc, req)
    assert answer['TotalCount'] == 1 and answer['Disks']['Disks'][0]['DiskId'] == disk_id
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_DiskIds(json.dumps(['d-other']))
    assert call(fc, req)['TotalCount'] == 0


def test_disk_tags_come_as_tags_tags_of_key_and_value_and_pages_hold_fifty(fc):
    """ens-20171110 DescribeDisksResponseBodyDisksDisksTags(Tags) of Key/Value; PageSize "Maximum value: 50";
    TotalCount "The total number of pages for a paged query" (DescribeDisksResponseBody)."""
    fc.admin.seed(ens={'disks': [{'region': NODE, 'tags': {'dr': 'yes'}} for dummy in range(60)]})
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_EnsRegionId(NODE)
    req.set_PageSize(50)
    answer = call(fc, req)
    assert answer['TotalCount'] == 2 and len(answer['Disks']['Disks']) == 50
    assert answer['Disks']['Disks'][0]['Tags'] == {'Tags': [{'Key': 'dr', 'Value': 'yes'}]}
    req.set_PageSize(51)
    assert error_of(fc, req).get_error_code() == 'InvalidPageSize'


def test_create_describe_page_and_delete(fc):
    disk_id, seeded = seed(fc, snapshots=25)
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_EnsRegionId(NODE)
    req.set_DiskId(disk_id)
    req.set_SnapshotName('edge-snap')
    made = call(fc, req)
    # The new id comes as a list, SnapShotId, beside an OrderId (ens-20171110 CreateSnapshotResponseBody).
    assert isinstance(made['SnapShotId'], list) and isinstance(made['OrderId'], str) and 'SnapshotId' not in made
    new_id = made['SnapShotId'][0]
    assert new_id.startswith('sp-')
    first = snapshots(fc, SnapshotId=new_id)['Snapshots'][0]
    assert first['Status'] == 'creating' and 'Progress' not in first and first['EnsRegionId'] == NODE
    assert 'Tags' not in first  # ENS snapshots have no tags
    fc.admin.advance_clock(11)
    assert snapshots(fc, SnapshotId=json.dumps([new_id]))['Snapshots'][0]['Status'] == 'available'
    ids = []
    for number in (1, 2, 3):
        page = snapshots(fc, EnsRegionId=NODE, PageNumber=number, PageSize=10)
        assert page['TotalCount'] == 26
        ids += [s['SnapshotId'] for s in page['Snapshots']]
    assert sorted(ids) == sorted([*seeded, new_id])
    assert snapshots(fc, DiskId=disk_id, SnapshotName='edge-snap')['TotalCount'] == 1
    req = DeleteSnapshotRequest.DeleteSnapshotRequest()
    req.set_SnapshotId(new_id)
    call(fc, req)
    assert error_of(fc, req).get_error_code() == 'InvalidSnapshotId.NotFound'


def test_copy_to_many_nodes(fc):
    dummy, (source,) = seed(fc)
    answer = call(
        fc,
        copy(
            fc, source, [DR1, DR2], DestinationSnapshotName='edge-copy', DestinationSnapshotDescription='copied by test'
        ),
    )
    assert answer['BizStatusCode'] == 'AllSuccess' and answer['UnAllocationId'] == []
    made = {a['EnsRegionId']: a['InstanceId'][0] for a in answer['AllocationId']}
    assert set(made) == {DR1, DR2}
    snap = snapshots(fc, SnapshotId=made[DR1])['Snapshots'][0]
    assert snap['Status'] == 'creating' and snap['SourceSnapshotId'] == source and snap['SourceEnsRegionId'] == NODE
    assert snap['SnapshotName'] == 'edge-copy' and snap['EnsRegionId'] == DR1
    fc.admin.advance_clock(21)
    assert snapshots(fc, SnapshotId=made[DR2])['Snapshots'][0]['Status'] == 'available'


def test_copy_partial_success_all_failed_and_failing_copy(fc):
    dummy, (source,) = seed(fc)
    fc.admin.faults(broken_regions={'ens': [DR2]}, failing_copies={'ens': {'regions': [DR1]}})
    answer = call(fc, copy(fc, source, [DR1, DR2]))
    assert answer['BizStatusCode'] == 'PartSuccess' and answer['UnAllocationId'] == [{'EnsRegionId': DR2}]
    copy_id = answer['AllocationId'][0]['InstanceId'][0]
    fc.admin.advance_clock(21)
    assert snapshots(fc, SnapshotId=copy_id)['Snapshots'][0]['Status'] == 'error'
    err = error_of(fc, copy(fc, source, [DR2]))
    assert (err.get_error_code(), err.get_http_status()) == ('ens.interface.error', 400)


@pytest.mark.parametrize(
    'nodes, params, code',
    [
        (['nowhere-1'], {}, 'InvalidDestinationRegionIds'),
        ([DR1], {'DestinationSnapshotName': '9lives'}, 'InvalidDestinationSnapshotName'),
        # ENS names take no '.' (ens-20171110 CopySnapshotRequest.DestinationSnapshotName), unlike ECS's.
        ([DR1], {'DestinationSnapshotName': 'edge.copy'}, 'InvalidDestinationSnapshotName'),
        ([DR1], {'DestinationSnapshotDescription': 'http://x'}, 'InvalidDestinationSnapshotDescription'),
    ],
)
def test_copy_input_rules(fc, nodes, params, code):
    dummy, (source,) = seed(fc)
    assert error_of(fc, copy(fc, source, nodes, **params)).get_error_code() == code


def test_copy_of_unfinished_snapshot_is_refused(fc):
    created = fc.admin.seed(ens={'snapshots': [{'region': NODE, 'status': 'creating'}]})['ens']['snapshots']
    assert error_of(fc, copy(fc, created[0], [DR1])).get_error_code() == 'IncorrectSnapshotStatus'


def test_a_snapshot_being_deleted_reads_deleting(fc):
    """Status "deleting" (ens-20171110 DescribeSnapshotsResponseBodySnapshotsSnapshot)."""
    created = fc.admin.seed(ens={'snapshots': [{'region': NODE, 'status': 'deleting'}]})['ens']['snapshots']
    assert snapshots(fc, SnapshotId=created[0])['Snapshots'][0]['Status'] == 'deleting'


def test_tags_are_for_instances_only(fc):
    """ResourceType: "Set the value to instance" (ens-20171110 TagResourcesRequest, ListTagResourcesRequest)."""
    disk_id, (snapshot_id,) = seed(fc)
    for resource_type, resource_id in (('snapshot', snapshot_id), ('disk', disk_id)):
        req = TagResourcesRequest.TagResourcesRequest()
        req.set_ResourceType(resource_type)
        req.set_ResourceIds([resource_id])
        req.set_Tags([{'Key': 'dr', 'Value': 'on'}])
        assert error_of(fc, req).get_error_code() == 'InvalidResourceType'
    req = ListTagResourcesRequest.ListTagResourcesRequest()
    req.set_ResourceType('snapshot')
    req.set_ResourceIds([snapshot_id])
    assert error_of(fc, req).get_error_code() == 'InvalidResourceType'
    req.set_ResourceType('instance')
    assert call(fc, req)['TagResources'] == []
    req = UntagResourcesRequest.UntagResourcesRequest()
    req.set_ResourceType('instance')
    req.set_ResourceIds(['i-none'])
    req.set_TagKeys(['x'])
    assert error_of(fc, req).get_error_code() == 'InvalidResourceId.NotFound'
    assert fc.admin.calls()['total_mutations'] == 0
