"""The restore drill's calls on CBS (DescribeDiskConfigQuota, CreateDisks, DescribeDisks, TerminateDisks)
through tencentcloud.cbs.v20170312.cbs_client.CbsClient."""

from __future__ import annotations

import json

import pytest
from tencentcloud.cbs.v20170312 import cbs_client, models
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client

REGION, ZONE = 'ap-guangzhou', 'ap-guangzhou-1'


def cbs(fc, **kwargs):
    return tencent_client(cbs_client.CbsClient, fc.endpoint, REGION, **kwargs)


def build(model, **params):
    request = model()
    request.from_json_string(json.dumps(params))
    return request


def answer(method, model, **params) -> dict:
    return json.loads(method(build(model, **params)).to_json_string())


def code_of(method, model, **params) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        method(build(model, **params))
    return info.value.get_code()


def create(client, **params) -> list:
    params = dict(
        {'Placement': {'Zone': ZONE}, 'DiskChargeType': 'POSTPAID_BY_HOUR', 'DiskType': 'CLOUD_PREMIUM'}, **params
    )
    return answer(client.CreateDisks, models.CreateDisksRequest, **params)['DiskIdSet']


def disks(client, **params) -> list:
    return answer(client.DescribeDisks, models.DescribeDisksRequest, **params)['DiskSet']


def seed_snapshot(fc, **disk) -> str:
    return fc.admin.seed(cbs={'disks': [dict({'region': REGION, 'snapshots': 1}, **disk)]})['cbs']['snapshots'][0]


def state_disks(fc) -> list:
    return fc.admin.state('cbs', REGION)['cbs'].get(REGION, {}).get('disks', [])


def test_disk_config_quota_lists_the_regions_zones(fc):
    client = cbs(fc)
    rows = answer(
        client.DescribeDiskConfigQuota, models.DescribeDiskConfigQuotaRequest, InquiryType='INQUIRY_CBS_CONFIG'
    )['DiskConfigSet']
    assert {row['Zone'] for row in rows} == {'ap-guangzhou-1', 'ap-guangzhou-2'}
    premium = next(row for row in rows if (row['Zone'], row['DiskType']) == (ZONE, 'CLOUD_PREMIUM'))
    assert premium == {
        'Available': True,
        'Zone': ZONE,
        'DiskType': 'CLOUD_PREMIUM',
        'DiskUsage': 'DATA_DISK',
        'DiskChargeType': 'POSTPAID_BY_HOUR',
        'MinDiskSize': 10,
        'MaxDiskSize': 32000,
        'StepSize': 10,
        'InstanceFamily': None,
        'DeviceClass': None,
        'ExtraPerformanceRange': None,
        'Price': None,
    }
    fc.admin.configure(
        zones={'cbs': {REGION: ['ap-guangzhou-3', {'id': 'ap-guangzhou-6', 'disk_categories': ['CLOUD_SSD']}]}}
    )
    rows = answer(
        client.DescribeDiskConfigQuota,
        models.DescribeDiskConfigQuotaRequest,
        InquiryType='INQUIRY_CBS_CONFIG',
        Zones=['ap-guangzhou-6'],
    )['DiskConfigSet']
    assert [(row['Zone'], row['DiskType']) for row in rows] == [('ap-guangzhou-6', 'CLOUD_SSD')]
    # fakecloud sells no subscription disks; a broken region sells none.
    prepaid = answer(
        client.DescribeDiskConfigQuota,
        models.DescribeDiskConfigQuotaRequest,
        InquiryType='INQUIRY_CBS_CONFIG',
        DiskChargeType='PREPAID',
    )['DiskConfigSet']
    assert prepaid and not any(row['Available'] for row in prepaid)
    fc.admin.faults(broken_regions={'cbs': [REGION]})
    rows = answer(
        client.DescribeDiskConfigQuota, models.DescribeDiskConfigQuotaRequest, InquiryType='INQUIRY_CBS_CONFIG'
    )['DiskConfigSet']
    assert rows and not any(row['Available'] for row in rows)


def test_created_disks_are_unlisted_until_made_then_unattached_then_terminated(fc):
    source = seed_snapshot(fc, size=40)
    client = cbs(fc)
    made = create(
        client,
        SnapshotId=source,
        DiskCount=2,
        DiskName='restore-drill',
        Tags=[{'Key': 'snapcopy-drill', 'Value': 'run-1'}],
    )
    assert len(made) == 2 and all(disk_id.startswith('disk-') for disk_id in made)
    # Asynchronous: not listed by DescribeDisks while being made, not even by id (cbs_client CreateDisks).
    assert disks(client, DiskIds=made) == []
    assert {(d['id'], d['listed'], d['status']) for d in state_disks(fc) if d['id'] in made} == {
        (disk_id, False, '') for disk_id in made
    }
    assert code_of(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=made[:1]) == 'ResourceBusy'
    fc.admin.advance_clock(10)
    listed = disks(client, DiskIds=made)
    assert {d['DiskId'] for d in listed} == set(made)
    first = listed[0]
    # No size given: the snapshot's; the Disk model has no field naming the source snapshot.
    assert (first['DiskState'], first['DiskSize'], first['Placement']['Zone'], first['DiskName']) == (
        'UNATTACHED',
        40,
        ZONE,
        'restore-drill',
    )
    assert first['Tags'] == [{'Key': 'snapcopy-drill', 'Value': 'run-1'}] and first['CreateTime']
    for flt in (
        {'Name': 'tag:snapcopy-drill', 'Values': ['run-1']},
        {'Name': 'tag-key', 'Values': ['snapcopy-drill']},
        {'Name': 'disk-name', 'Values': ['restore-drill']},
    ):
        assert {d['DiskId'] for d in disks(client, Filters=[flt])} == set(made), flt
    assert set(made) < {
        d['DiskId'] for d in disks(client, Filters=[{'Name': 'zone', 'Values': [ZONE]}])
    }  # and the seeded disk
    assert {d['source_snapshot_id'] for d in state_disks(fc) if d['id'] in made} == {source}
    answer(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=made, DeleteSnapshot=1)
    assert disks(client, DiskIds=made) == [] and not {d['id'] for d in state_disks(fc)} & set(made)
    assert code_of(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=made[:1]) == 'InvalidDiskId.NotFound'
    counts = fc.admin.calls()['calls']['cbs']
    assert (counts['CreateDisks']['mutations'], counts['TerminateDisks']['mutations']) == (1, 1)


def test_describe_disks_takes_ids_or_filters_not_both(fc):
    disk_id = fc.admin.seed(cbs={'disks': [{'region': REGION}]})['cbs']['disks'][0]
    client = cbs(fc)
    assert (
        code_of(
            client.DescribeDisks,
            models.DescribeDisksRequest,
            DiskIds=[disk_id],
            Filters=[{'Name': 'disk-id', 'Values': [disk_id]}],
        )
        == 'InvalidParameter'
    )
    assert code_of(client.DescribeDisks, models.DescribeDisksRequest, Limit=101) == 'InvalidParameterValue'
    assert [
        d['DiskId'] for d in disks(client, Filters=[{'Name': 'disk-id', 'Values': [disk_id]}], Offset=0, Limit=100)
    ] == [disk_id]


@pytest.mark.parametrize(
    'params, code',
    [
        ({'Placement': {'Zone': 'ap-guangzhou-9'}}, 'InvalidParameterValue'),
        ({'Placement': {'Zone': ZONE, 'ProjectId': 7}}, 'InvalidParameter.ProjectIdNotExist'),
        ({'DiskType': 'CLOUD_TSSD'}, 'InvalidParameter.DiskConfigNotSupported'),  # not sold on its own
        ({'DiskSize': 30}, 'InvalidParameter.DiskSizeNotMatch'),  # below the snapshot's 40
        ({'DiskSize': 45}, 'InvalidParameterValue'),  # not a step of 10
        ({'DiskChargeType': 'PREPAID'}, 'MissingParameter'),  # DiskChargePrepaid, not emulated
        ({'SnapshotId': 'snap-none'}, 'InvalidSnapshotId.NotFound'),
        ({'KmsKeyId': 'kms-1'}, 'MissingParameter'),  # Encrypt must come with it
        ({'Encrypt': 'YES'}, 'InvalidParameterValue'),
        ({'DiskName': '名' * 21}, 'InvalidParameterValue'),  # 63 bytes > 60
        ({'DiskCount': 51}, 'InvalidParameterValue.LimitExceeded'),
        ({'Placement': {'Zone': ZONE, 'CageId': 'cage-1'}}, 'UnknownParameter'),
    ],
)
def test_create_disks_is_checked(fc, params, code):
    source = seed_snapshot(fc, size=40)
    params = dict(
        {
            'Placement': {'Zone': ZONE},
            'DiskChargeType': 'POSTPAID_BY_HOUR',
            'DiskType': 'CLOUD_PREMIUM',
            'SnapshotId': source,
        },
        **params,
    )
    assert code_of(cbs(fc).CreateDisks, models.CreateDisksRequest, **params) == code
    assert len(state_disks(fc)) == 1  # the seeded one


def test_the_snapshot_must_be_normal_and_a_data_disks(fc):
    client = cbs(fc)
    running = fc.admin.seed(cbs={'disks': [{'region': REGION, 'snapshots': [{'status': 'creating'}]}]})['cbs'][
        'snapshots'
    ][0]
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=running,
        )
        == 'InvalidSnapshot.NotSupported'
    )
    system = seed_snapshot(fc, type='system')
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=system,
        )
        == 'InvalidParameter.ShouldConvertSnapshotToImage'
    )
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
        )
        == 'MissingParameter'
    )  # neither DiskSize nor SnapshotId


def test_client_token_replays_after_a_lost_answer(fc):
    source = seed_snapshot(fc)
    client = cbs(fc)
    fc.admin.faults(rules=[{'cloud': 'cbs', 'action': 'CreateDisks', 'lost_answer_rate': 1.0, 'count': 1}])
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=source,
            ClientToken='drill-1',
        )
        == 'ClientNetworkError'
    )
    (made,) = [d['id'] for d in state_disks(fc) if d['source_snapshot_id'] == source]
    assert create(client, SnapshotId=source, ClientToken='drill-1') == [made]
    assert len([d for d in state_disks(fc) if d['source_snapshot_id'] == source]) == 1
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_SSD',
            SnapshotId=source,
            ClientToken='drill-1',
        )
        == 'InvalidParameterValue'
    )


def test_rate_limits_and_injected_errors_apply(fc):
    source = seed_snapshot(fc)
    client = cbs(fc)
    fc.admin.faults(tencent_rate_limit=2)
    create(client, SnapshotId=source)
    create(client, SnapshotId=source)
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=source,
        )
        == 'RequestLimitExceeded'
    )
    fc.admin.faults(
        rules=[{'cloud': 'cbs', 'action': 'TerminateDisks', 'error_rate': 1.0, 'error_code': 'ResourceBusy'}]
    )
    fc.admin.advance_clock(10)
    ids = [d['id'] for d in state_disks(fc) if d['source_snapshot_id'] == source]
    assert code_of(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=ids) == 'ResourceBusy'
    assert len(disks(client, DiskIds=ids)) == 2


def test_failing_disks_never_appear_and_a_broken_region_has_no_stock(fc):
    source = seed_snapshot(fc)
    client = cbs(fc)
    fc.admin.faults(failing_disks={'cbs': {'regions': [REGION]}})
    (disk_id,) = create(client, SnapshotId=source)
    assert [d['phase'] for d in state_disks(fc) if d['id'] == disk_id] == ['running']
    fc.admin.advance_clock(10)
    assert disks(client, DiskIds=[disk_id]) == [] and disk_id not in {d['id'] for d in state_disks(fc)}
    fc.admin.faults(broken_regions={'cbs': [REGION]})
    assert (
        code_of(
            client.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=source,
        )
        == 'ResourceInsufficient'
    )


def test_terminate_disks_refuses_the_whole_batch(fc):
    free, attached = fc.admin.seed(cbs={'disks': [{'region': REGION}, {'region': REGION, 'instance_id': 'ins-1'}]})[
        'cbs'
    ]['disks']
    client = cbs(fc)
    assert (
        code_of(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=[free, attached])
        == 'ResourceUnavailable.Attached'
    )
    assert code_of(client.TerminateDisks, models.TerminateDisksRequest, DiskIds=[free] * 101) == 'InvalidParameterValue'
    assert {d['id'] for d in state_disks(fc)} == {free, attached}


def test_disks_belong_to_their_account(fc):
    own_source = seed_snapshot(fc)
    dr_source = fc.admin.seed(cbs={'account': creds.TENCENT_DR_UIN, 'disks': [{'region': REGION, 'snapshots': 1}]})[
        'cbs'
    ]['snapshots'][0]
    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint))
    sts = CommonClient(
        'sts', '2018-08-13', Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY), REGION, profile
    )
    temporary = sts.call_json('AssumeRole', {'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'restore-drill'})[
        'Response'
    ]['Credentials']
    dr = cbs(fc, secret_id=temporary['TmpSecretId'], secret_key=temporary['TmpSecretKey'], token=temporary['Token'])
    assert (
        code_of(
            dr.CreateDisks,
            models.CreateDisksRequest,
            Placement={'Zone': ZONE},
            DiskChargeType='POSTPAID_BY_HOUR',
            DiskType='CLOUD_PREMIUM',
            SnapshotId=own_source,
        )
        == 'InvalidSnapshotId.NotFound'
    )
    (disk_id,) = create(dr, SnapshotId=dr_source)
    fc.admin.advance_clock(10)
    assert disks(cbs(fc), DiskIds=[disk_id]) == [] and [d['DiskId'] for d in disks(dr, DiskIds=[disk_id])] == [disk_id]
    assert code_of(cbs(fc).TerminateDisks, models.TerminateDisksRequest, DiskIds=[disk_id]) == 'InvalidDiskId.NotFound'
    answer(dr.TerminateDisks, models.TerminateDisksRequest, DiskIds=[disk_id])
    assert disk_id not in {d['id'] for d in state_disks(fc)}
