"""The vendor-model oracle (fakecloud.vendor) itself: each check catches its error and passes good input."""

from __future__ import annotations

import copy
import warnings

import pytest

from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, check, tencent

# --- the shared checker ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('value', 'hint', 'ok'),
    [
        ('x', str, True),
        (1, str, False),
        (1, int, True),
        (True, int, False),
        ('1', int, False),
        (True, bool, True),
        ('true', bool, False),
        (1, bool, False),
        (1.5, float, True),
        (2, float, True),
        (False, float, False),
        (['a'], list[str], True),
        ('a', list[str], False),
        ([1], list[str], False),
        (None, str, False),
    ],
)
def test_check_json_types(value, hint, ok):
    problems = check(value, hint, lambda dummy: None)
    assert (problems == []) is ok, problems


# --- Alibaba: answers -----------------------------------------------------------------------------


def _ens_disks_answer():
    """An ENS DescribeDisks answer built with the vendor's own model classes."""

    def part(suffix, **values):
        return alibaba.model('ens', 'DescribeDisksResponseBody' + suffix)(**values)

    disk = part(
        'DisksDisks',
        disk_id='d-5abc',
        disk_name='data',
        ens_region_id='cn-beijing-cmcc',
        size=20,
        status='Available',
        category='cloud_ssd',
        type='data',
        portable=True,
        creation_time='2024-01-02T03:04:05Z',
        tags=part('DisksDisksTags', tags=[part('DisksDisksTagsTags', key='team', value='blue')]),
    )
    return alibaba.response_model('ens', 'DescribeDisks')(
        code=0, request_id='r-1', page_number=1, page_size=10, total_count=1, disks=part('Disks', disks=[disk])
    ).to_map()


def test_ens_describe_disks_model_built_answer_passes():
    answer = _ens_disks_answer()
    assert answer['Disks']['Disks'][0]['Tags'] == {'Tags': [{'Key': 'team', 'Value': 'blue'}]}
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == []


def test_ens_describe_disks_ecs_style_tags_fail():
    answer = _ens_disks_answer()
    answer['Disks']['Disks'][0]['Tags'] = {'Tag': [{'TagKey': 'team', 'TagValue': 'blue'}]}
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == [
        'Disks.Disks[0].Tags.Tag: not in DescribeDisksResponseBodyDisksDisksTags'
    ]
    answer['Disks']['Disks'][0]['Tags'] = {'Tags': [{'TagKey': 'team', 'Value': 'blue'}]}
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == [
        'Disks.Disks[0].Tags.Tags[0].TagKey: not in DescribeDisksResponseBodyDisksDisksTagsTags'
    ]


def test_ens_describe_disks_wrong_types_and_unknown_keys_fail():
    answer = _ens_disks_answer()
    answer['Disks']['Disks'][0]['Size'] = '20'
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == [
        "Disks.Disks[0].Size: str '20' where the model says int"
    ]
    answer = _ens_disks_answer()
    answer['Extra'] = 1
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == ['Extra: not in DescribeDisksResponseBody']
    answer = _ens_disks_answer()
    answer['Disks'] = answer['Disks']['Disks']  # the list without its wrapper
    assert alibaba.check_answer('ens', 'DescribeDisks', answer) == [
        'Disks: list where the model says DescribeDisksResponseBodyDisks'
    ]


def test_ens_create_snapshot_answer_names_snapshot_id_as_a_list():
    assert alibaba.check_answer('ens', 'CreateSnapshot', {'RequestId': 'r-1', 'SnapShotId': ['s-1']}) == []
    problems = alibaba.check_answer('ens', 'CreateSnapshot', {'RequestId': 'r-1', 'SnapshotId': 's-1'})
    assert problems == ['SnapshotId: not in CreateSnapshotResponseBody']
    problems = alibaba.check_answer('ens', 'CreateSnapshot', {'RequestId': 'r-1', 'SnapShotId': 's-1'})
    assert problems == ['SnapShotId: str where the model says list of str']


ECS_SNAPSHOTS = {
    'RequestId': 'r-1',
    'TotalCount': 1,
    'PageNumber': 1,
    'PageSize': 10,
    'NextToken': '',
    'Snapshots': {
        'Snapshot': [
            {
                'SnapshotId': 's-bp1',
                'SnapshotName': 'nightly',
                'Description': '',
                'Status': 'accomplished',
                'Progress': '100%',
                'SourceDiskId': 'd-bp1',
                'SourceDiskSize': '40',
                'SourceDiskType': 'data',
                'CreationTime': '2024-01-02T03:04Z',
                'Encrypted': False,
                'Available': True,
                'RetentionDays': 30,
                'RegionId': 'cn-hangzhou',
                'Tags': {'Tag': [{'TagKey': 'team', 'TagValue': 'blue'}]},
            }
        ]
    },
}


def test_ecs_describe_snapshots_realistic_answer_passes():
    assert alibaba.check_answer('ecs', 'DescribeSnapshots', ECS_SNAPSHOTS) == []


def test_ecs_describe_snapshots_bool_as_text_fails():
    answer = copy.deepcopy(ECS_SNAPSHOTS)
    answer['Snapshots']['Snapshot'][0]['Encrypted'] = 'true'
    answer['Snapshots']['Snapshot'][0]['RetentionDays'] = True
    assert alibaba.check_answer('ecs', 'DescribeSnapshots', answer) == [
        "Snapshots.Snapshot[0].Encrypted: str 'true' where the model says bool",
        'Snapshots.Snapshot[0].RetentionDays: bool True where the model says int',
    ]


def test_alibaba_request_id_is_allowed_only_at_the_top():
    answer = copy.deepcopy(ECS_SNAPSHOTS)
    answer['Snapshots']['Snapshot'][0]['RequestId'] = 'r-1'
    assert alibaba.check_answer('ecs', 'DescribeSnapshots', answer) == [
        'Snapshots.Snapshot[0].RequestId: not in DescribeSnapshotsResponseBodySnapshotsSnapshot'
    ]


# --- Alibaba: requests ----------------------------------------------------------------------------


def test_wire_parameters_come_from_the_sdk():
    ecs_copy = alibaba.wire_parameters('ecs', 'CopySnapshot')
    assert {
        'DestinationSnapshotName',
        'ClientToken',
        'Tag.N.Key',
        'Tag.N.Value',
        'KMSKeyId',
        'RegionId',
        'DestinationRegionId',
        'SnapshotId',
    } <= ecs_copy
    assert 'KmsKeyId' not in ecs_copy
    ens_copy = alibaba.wire_parameters('ens', 'CopySnapshot')
    assert 'DestinationRegionIds' in ens_copy  # sent as one JSON string
    assert 'DestinationRegionIds.N' not in ens_copy
    assert {'SnapshotId', 'PageSize', 'EnsRegionId'} <= alibaba.wire_parameters('ens', 'DescribeSnapshots')
    ecs_list = alibaba.wire_parameters('ecs', 'ListTagResources')
    assert {'ResourceId.N', 'ResourceType', 'Tag.N.Key', 'TagFilter.N.TagValues.N'} <= ecs_list
    assert 'ResourceId' not in ecs_list


def test_required_parameters():
    assert {
        'DestinationSnapshotName',
        'DestinationSnapshotDescription',
        'DestinationRegionId',
        'RegionId',
        'SnapshotId',
    } == alibaba.required_parameters('ecs', 'CopySnapshot')
    assert alibaba.required_parameters('ens', 'CopySnapshot') == {'DestinationRegionIds', 'SnapshotId'}
    assert alibaba.required_parameters('ecs', 'TagResources') == {
        'RegionId',
        'ResourceId.N',
        'ResourceType',
        'Tag.N.Key',
        'Tag.N.Value',
    }
    assert 'Tag.N.Key' not in alibaba.required_parameters('ecs', 'ListTagResources')  # Tag itself is optional
    assert alibaba.required_parameters('ens', 'DescribeSnapshots') == set()


def test_fields_map_wire_names_to_types():
    ecs_copy = alibaba.fields('ecs', 'CopySnapshotRequest')
    assert ecs_copy['KMSKeyId'] is str
    assert ecs_copy['Encrypted'] is bool
    assert alibaba.fields('ens', 'DescribeDisksRequest')['PageSize'] is str  # sic: ENS types PageSize as text


# --- Alibaba: docs --------------------------------------------------------------------------------


def test_documented_maximum():
    assert alibaba.documented_maximum('ens', 'DescribeDisksRequest', 'PageSize') == 50
    assert alibaba.documented_maximum('ens', 'DescribeDisksResponseBody', 'PageSize') == 50
    assert alibaba.documented_maximum('ecs', 'DescribeSnapshotsRequest', 'MaxResults') == 100
    assert alibaba.documented_maximum('ecs', 'DescribeDisksRequest', 'MaxResults') == 500
    assert alibaba.documented_maximum('ecs', 'TagResourcesRequest', 'ResourceId') == 50
    assert alibaba.documented_maximum('ens', 'DescribeSnapshotsRequest', 'PageSize') is None


def test_documented_values_and_docs():
    assert alibaba.documented_values('ens', 'DescribeSnapshotsResponseBodySnapshots', 'Status') == [
        'creating',
        'available',
        'deleting',
        'error',
    ]
    assert alibaba.documented_values('ecs', 'DescribeSnapshotsRequest', 'Status') == [
        'progressing',
        'accomplished',
        'failed',
        'all',
    ]
    assert alibaba.documented_values('ens', 'CopySnapshotResponseBody', 'BizStatusCode') == [
        'PartSuccess',
        'AllSuccess',
    ]
    assert 'This parameter is required.' in alibaba.field_doc('ecs', 'CopySnapshotRequest', 'DestinationSnapshotName')
    assert alibaba.field_doc('ecs', 'CopySnapshotRequest', 'OwnerId') == ''


# --- Tencent --------------------------------------------------------------------------------------

CBS_SNAPSHOTS = {
    'TotalCount': 1,
    'RequestId': 'r-1',
    'SnapshotSet': [
        {
            'SnapshotId': 'snap-abc',
            'SnapshotName': 'nightly',
            'SnapshotState': 'NORMAL',
            'Percent': 100,
            'DiskId': 'disk-abc',
            'DiskSize': 50,
            'DiskUsage': 'DATA_DISK',
            'Encrypt': False,
            'IsPermanent': True,
            'CopyFromRemote': False,
            'CopyingToRegions': [],
            'CreateTime': '2024-01-02 03:04:05',
            'Placement': {'Zone': 'ap-guangzhou-3', 'ProjectId': 0, 'CdcId': None},
            'Tags': [{'Key': 'team', 'Value': 'blue'}],
            'Images': [],
            'ImageCount': 0,
        }
    ],
}


def test_cbs_describe_snapshots_answer_passes():
    assert tencent.check_response('cbs', 'DescribeSnapshots', CBS_SNAPSHOTS) == []


def test_cbs_describe_snapshots_unknown_field_fails_as_the_sdk_warns():
    answer = copy.deepcopy(CBS_SNAPSHOTS)
    answer['SnapshotSet'][0]['SnapshotStatus'] = 'NORMAL'
    answer['SnapshotSet'][0]['Tags'] = [{'TagKey': 'team', 'TagValue': 'blue'}]  # Tag-service names
    assert tencent.check_response('cbs', 'DescribeSnapshots', answer) == [
        'SnapshotSet[0].Tags[0].TagKey: not in Tag',
        'SnapshotSet[0].Tags[0].TagValue: not in Tag',
        'SnapshotSet[0].SnapshotStatus: not in Snapshot',
    ]
    with pytest.warns(UserWarning, match='fileds are useless'):
        tencent.response_model('cbs', 'DescribeSnapshots')()._deserialize(answer)  # pylint: disable=protected-access
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        tencent.response_model('cbs', 'DescribeSnapshots')()._deserialize(CBS_SNAPSHOTS)  # pylint: disable=protected-access


def test_cbs_describe_snapshots_wrong_types_fail():
    answer = copy.deepcopy(CBS_SNAPSHOTS)
    answer['SnapshotSet'][0]['Percent'] = '100'
    answer['SnapshotSet'][0]['Placement'] = 'ap-guangzhou-3'
    answer['SnapshotSet'][0]['DiskId'] = None  # no "may return null" note on DiskId
    assert set(tencent.check_response('cbs', 'DescribeSnapshots', answer)) == {
        'SnapshotSet[0].Placement: str where the model says Placement',
        "SnapshotSet[0].Percent: str '100' where the model says int",
        'SnapshotSet[0].DiskId: null where the model says str',
    }
    assert tencent.check_response('cbs', 'DescribeSnapshots', {'SnapshotSet': {}}) == [
        'SnapshotSet: dict where the model says list of Snapshot'
    ]


def test_cbs_null_allowed_where_documented():
    assert tencent.check_response('cbs', 'CreateSnapshot', {'SnapshotId': None, 'RequestId': 'r-1'}) == []


def test_tencent_request_fields():
    assert tencent.request_fields('cbs', 'DescribeSnapshots') == {
        'SnapshotIds',
        'Filters',
        'Filters.Name',
        'Filters.Values',
        'Limit',
        'Offset',
        'Order',
        'OrderField',
    }
    assert {'DiskId', 'SnapshotName', 'Tags.Key', 'Tags.Value'} <= tencent.request_fields('cbs', 'CreateSnapshot')
    assert {'TagFilters.TagKey', 'TagFilters.TagValue', 'MaxResults'} <= tencent.request_fields('tag', 'GetResources')
    assert {'Tags.TagKey', 'Tags.TagValue', 'ResourceList'} <= tencent.request_fields('tag', 'TagResources')


def test_tencent_documented_filters():
    assert tencent.documented_filters('cbs', 'DescribeSnapshots') == [
        'snapshot-id',
        'snapshot-name',
        'snapshot-state',
        'disk-usage',
        'project-id',
        'disk-id',
        'encrypt',
        'snapshot-type',
    ]
    disk_filters = tencent.documented_filters('cbs', 'DescribeDisks')
    assert {'tag-key', 'tag-value', 'tag:tag-key', 'disk-id', 'disk-state', 'zone'} <= set(disk_filters)


def test_tencent_documented_values_and_maximum():
    states = ['NORMAL', 'CREATING', 'ROLLBACKING', 'COPYING_FROM_REMOTE', 'CHECKING_COPIED', 'TORECYCLE']
    assert tencent.documented_values('cbs', 'DescribeSnapshotsRequest', 'Filters', 'snapshot-state') == states
    assert 'SYSTEM_DISK' in tencent.documented_values('cbs', 'DescribeSnapshotsRequest', 'Filters')
    assert tencent.documented_values('cbs', 'Snapshot', 'SnapshotState') == states
    assert tencent.documented_values('cbs', 'Disk', 'DeleteWithInstance') == ['true', 'false']
    assert 'tag' not in tencent.documented_values('cbs', 'DescribeDisksRequest', 'Filters')
    assert tencent.documented_maximum('cbs', 'DescribeSnapshotsRequest', 'Limit') == 100
    assert tencent.documented_maximum('cbs', 'DescribeSnapshotsRequest', 'Filters', 'disk-id') == 10
    assert tencent.documented_maximum('cbs', 'DescribeSnapshotsRequest', 'Filters', 'snapshot-id') is None
    assert tencent.documented_maximum('tag', 'GetResourcesRequest', 'MaxResults') == 200
    assert tencent.documented_maximum('cbs', 'DescribeSnapshotsRequest', 'Offset') is None
