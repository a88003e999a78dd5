"""The restore drill's calls on ECS and ENS (zones, CreateDisk, DeleteDisk, ModifySnapshotAttribute) through
the V1 SDKs the collection uses (aliyunsdkcore with aliyunsdkecs / aliyunsdkens request classes)."""

from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526 import (
    CreateDiskRequest,
    DeleteDiskRequest,
    DescribeDisksRequest,
    DescribeZonesRequest,
)
from aliyunsdkens.request.v20171110 import (
    CreateDiskRequest as EnsCreateDiskRequest,
    DeleteDiskRequest as EnsDeleteDiskRequest,
    DescribeDisksRequest as EnsDescribeDisksRequest,
    DescribeSnapshotsRequest as EnsDescribeSnapshotsRequest,
    ModifySnapshotAttributeRequest,
)

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminError

REGION, OTHER_REGION = 'cn-hangzhou', 'cn-beijing'
ZONE = REGION + '-a'
NODE = 'cn-hangzhou-26'


def call(fc, request, client=None):
    return alibaba_call(fc.endpoint, client or alibaba_client(REGION, auto_retry=False), request)


def code_of(fc, request, client=None) -> str:
    with pytest.raises(ServerException) as info:
        call(fc, request, client)
    return info.value.get_error_code()


def build(request_class, **params):
    """A V1 request with its setters called (``Tags`` for Tag.N)."""
    request = request_class()
    for name, value in params.items():
        getattr(request, 'set_' + name)(value)
    return request


def create_disk(**params):
    return build(CreateDiskRequest.CreateDiskRequest, **dict({'ZoneId': ZONE, 'DiskCategory': 'cloud_essd'}, **params))


def ecs_disks(fc, client=None, **params) -> list:
    return call(fc, build(DescribeDisksRequest.DescribeDisksRequest, **params), client)['Disks']['Disk']


def seed_snapshot(fc, cloud='ecs', region=REGION, **disk) -> str:
    created = fc.admin.seed({cloud: {'disks': [dict({'region': region, 'snapshots': 1}, **disk)]}})[cloud]
    return created['snapshots'][0]


def state_disks(fc, cloud='ecs', region=REGION) -> list:
    return fc.admin.state(cloud, region)[cloud].get(region, {}).get('disks', [])


def assume_dr_role(fc):
    """An STS client of the DR account (acs:ram::ALIBABA_DR_ACCOUNT_ID:role/snapcopy-dr)."""
    request = CommonRequest(product='Sts', version='2015-04-01', action_name='AssumeRole')
    request.add_query_param('RoleArn', creds.ALIBABA_DR_ROLE_ARN)
    request.add_query_param('RoleSessionName', 'restore-drill')
    request.set_accept_format('JSON')
    answer = call(fc, request)['Credentials']
    return alibaba_client(
        REGION,
        access_key_id=answer['AccessKeyId'],
        secret=answer['AccessKeySecret'],
        security_token=answer['SecurityToken'],
        auto_retry=False,
    )


# ---------------------------------------------------------------------------------------------- ECS
def test_zones_follow_the_naming_rule_and_config(fc):
    zones = call(fc, build(DescribeZonesRequest.DescribeZonesRequest))['Zones']['Zone']
    assert [zone['ZoneId'] for zone in zones] == ['cn-hangzhou-a', 'cn-hangzhou-b']
    assert zones[0]['AvailableResourceCreation']['ResourceTypes'] == ['Instance', 'Disk']
    assert 'cloud_essd' in zones[0]['AvailableDiskCategories']['DiskCategories']
    # A region whose name ends in a digit gets the letter without a dash, as ECS names them.
    singapore = call(fc, build(DescribeZonesRequest.DescribeZonesRequest), alibaba_client('ap-southeast-1'))
    assert [zone['ZoneId'] for zone in singapore['Zones']['Zone']] == ['ap-southeast-1a', 'ap-southeast-1b']
    fc.admin.configure(
        zones={'ecs': {REGION: ['cn-hangzhou-h', {'id': 'cn-hangzhou-i', 'disk_categories': ['cloud_auto']}]}}
    )
    zones = call(fc, build(DescribeZonesRequest.DescribeZonesRequest))['Zones']['Zone']
    assert [
        (zone['ZoneId'], zone['AvailableDiskCategories']['DiskCategories'] == ['cloud_auto']) for zone in zones
    ] == [('cn-hangzhou-h', False), ('cn-hangzhou-i', True)]


def test_a_disk_from_a_snapshot_is_creating_then_available_then_deleted(fc):
    source = seed_snapshot(fc, size=40, encrypted=True, kms_key_id='key-src')
    disk_id = call(
        fc,
        create_disk(
            SnapshotId=source,
            Size=20,
            DiskName='restore-drill',
            Description='drill disk',
            Tags=[{'Key': 'snapcopy:drill', 'Value': 'run-1'}],
        ),
    )['DiskId']
    (disk,) = ecs_disks(fc, DiskIds=json.dumps([disk_id]))
    # Size 20 is below the snapshot's 40 GiB: the disk takes the snapshot's size (CreateDiskRequest.Size).
    assert (disk['Status'], disk['Size'], disk['SourceSnapshotId'], disk['ZoneId']) == ('Creating', 40, source, ZONE)
    assert (disk['Encrypted'], disk['KMSKeyId'], disk['PerformanceLevel']) == (True, 'key-src', 'PL1')
    assert disk['Tags']['Tag'] == [{'TagKey': 'snapcopy:drill', 'TagValue': 'run-1'}]
    assert [d['DiskId'] for d in ecs_disks(fc, Tags=[{'Key': 'snapcopy:drill'}])] == [disk_id]
    assert code_of(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id)) == 'IncorrectDiskStatus'
    fc.admin.advance_clock(10)
    assert [d['Status'] for d in ecs_disks(fc, DiskIds=json.dumps([disk_id]))] == ['Available']
    assert [d['DiskId'] for d in ecs_disks(fc, SnapshotId=source, Status='Available')] == [disk_id]
    call(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id))
    assert ecs_disks(fc, DiskIds=json.dumps([disk_id])) == [] and disk_id not in {d['id'] for d in state_disks(fc)}
    # Deleting it again is ignored ("If the specified DiskId parameter does not exist, the request is ignored").
    call(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id))
    counts = fc.admin.calls()['calls']['ecs']
    assert (
        counts['CreateDisk']['mutations'],
        counts['DeleteDisk']['calls'],
        counts['DeleteDisk']['errors'],
        counts['DeleteDisk']['mutations'],
    ) == (1, 3, 1, 1)


def test_an_attached_disk_is_not_deleted(fc):
    disk_id = fc.admin.seed(ecs={'disks': [{'region': REGION, 'instance_id': 'i-attached'}]})['ecs']['disks'][0]
    assert code_of(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id)) == 'IncorrectDiskStatus'
    assert [d['id'] for d in state_disks(fc)] == [disk_id]


@pytest.mark.parametrize(
    'params, code',
    [
        ({'ZoneId': 'cn-hangzhou-z'}, 'InvalidZoneId.NotFound'),
        ({'DiskCategory': 'cloud_fast'}, 'InvalidDiskCategory.ValueNotSupported'),
        ({'DiskCategory': 'cloud'}, 'InvalidDiskCategory.NotSupported'),  # the model's default, not offered by the zone
        ({'DiskCategory': 'cloud_efficiency', 'Size': 10, 'SnapshotId': None}, 'InvalidDiskSize.NotSupported'),
        ({'PerformanceLevel': 'PL2', 'Size': 100, 'SnapshotId': None}, 'InvalidDiskSize.NotSupported'),  # PL2 from 461
        ({'DiskCategory': 'cloud_ssd', 'PerformanceLevel': 'PL1'}, 'InvalidPerformanceLevel.Malformed'),
        ({'DiskName': '1-starts-with-a-digit'}, 'InvalidDiskName.Malformed'),
        ({'Description': 'http://x'}, 'InvalidDescription.Malformed'),
        ({'KMSKeyId': 'key-1'}, 'InvalidParameter.EncryptedIllegal'),
        ({'SnapshotId': None}, 'MissingParameter'),
        ({'SnapshotId': 's-none'}, 'InvalidSnapshotId.NotFound'),
    ],
)
def test_create_disk_is_checked_as_ecs_does(fc, params, code):
    source = seed_snapshot(fc)
    request = create_disk(
        **{key: value for key, value in dict({'SnapshotId': source}, **params).items() if value is not None}
    )
    assert code_of(fc, request) == code
    assert len(state_disks(fc)) == 1  # the seeded one
    assert fc.admin.calls()['calls']['ecs']['CreateDisk'] == {'calls': 1, 'errors': 1, 'mutations': 0}


def test_the_snapshot_must_be_accomplished_and_of_the_region(fc):
    running = fc.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': [{'status': 'progressing'}]}]})['ecs'][
        'snapshots'
    ][0]
    assert code_of(fc, create_disk(SnapshotId=running)) == 'InvalidSnapshotId.NotReady'
    elsewhere = seed_snapshot(fc, region=OTHER_REGION)
    assert code_of(fc, create_disk(SnapshotId=elsewhere)) == 'InvalidSnapshotId.NotFound'
    old = fc.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': [{'created': '2013-07-01T00:00:00Z'}]}]})
    assert code_of(fc, create_disk(SnapshotId=old['ecs']['snapshots'][0])) == 'InvalidSnapshot.TooOld'


def test_client_token_replays_after_a_lost_answer(fc):
    source = seed_snapshot(fc)
    fc.admin.faults(rules=[{'cloud': 'ecs', 'action': 'CreateDisk', 'lost_answer_rate': 1.0, 'count': 1}])
    with pytest.raises(ClientException) as info:
        call(fc, create_disk(SnapshotId=source, ClientToken='drill-1'))
    assert info.value.get_error_code() == 'SDK.HttpError'
    (made,) = [d for d in state_disks(fc) if d['source_snapshot_id'] == source]
    assert fc.admin.calls()['log'][-1]['answer_lost'] is True
    # The retry with the same token gets the disk the lost answer would have named, and no second one.
    assert call(fc, create_disk(SnapshotId=source, ClientToken='drill-1'))['DiskId'] == made['id']
    assert len([d for d in state_disks(fc) if d['source_snapshot_id'] == source]) == 1
    assert (
        code_of(fc, create_disk(SnapshotId=source, ClientToken='drill-1', DiskName='other'))
        == 'IdempotentParameterMismatch'
    )


def test_throttled_and_failing_calls_make_no_disk(fc):
    source = seed_snapshot(fc)
    fc.admin.faults(rules=[{'cloud': 'ecs', 'action': 'CreateDisk', 'throttle_rate': 1.0, 'count': 1}])
    assert code_of(fc, create_disk(SnapshotId=source)) == 'Throttling.User'
    fc.admin.faults(rules=[{'cloud': 'ecs', 'action': 'DeleteDisk', 'error_rate': 1.0, 'count': 1}])
    assert code_of(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId='d-any')) == 'ServiceUnavailable'
    fc.admin.faults(broken_regions={'ecs': [REGION]})
    assert code_of(fc, create_disk(SnapshotId=source)) == 'Zone.NotOnSale'
    assert [d for d in state_disks(fc) if d['source_snapshot_id']] == []


def test_a_failing_disk_is_creating_then_gone(fc):
    source = seed_snapshot(fc)
    fc.admin.faults(failing_disks={'ecs': {'regions': [REGION]}})
    disk_id = call(fc, create_disk(SnapshotId=source))['DiskId']
    assert [d['Status'] for d in ecs_disks(fc, DiskIds=json.dumps([disk_id]))] == ['Creating']
    assert [(d['status'], d['phase']) for d in state_disks(fc) if d['id'] == disk_id] == [('Creating', 'running')]
    fc.admin.advance_clock(10)
    assert ecs_disks(fc, DiskIds=json.dumps([disk_id])) == []
    assert disk_id not in {d['id'] for d in state_disks(fc)}


def test_disks_belong_to_their_account(fc):
    own_source = seed_snapshot(fc)
    dr_source = fc.admin.seed(
        ecs={'account': creds.ALIBABA_DR_ACCOUNT_ID, 'disks': [{'region': REGION, 'snapshots': 1}]}
    )['ecs']['snapshots'][0]
    dr = assume_dr_role(fc)
    # Another account's snapshot is not found; a disk from the account's own one is the account's.
    assert code_of(fc, create_disk(SnapshotId=own_source), dr) == 'InvalidSnapshotId.NotFound'
    disk_id = call(fc, create_disk(SnapshotId=dr_source), dr)['DiskId']
    assert disk_id not in {d['DiskId'] for d in ecs_disks(fc)}
    assert disk_id in {d['DiskId'] for d in ecs_disks(fc, dr)}
    fc.admin.advance_clock(10)
    call(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id))  # ignored: not this account's disk
    assert {d['id']: d['account'] for d in state_disks(fc) if d['id'] == disk_id} == {
        disk_id: creds.ALIBABA_DR_ACCOUNT_ID
    }
    call(fc, build(DeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id), dr)
    assert disk_id not in {d['id'] for d in state_disks(fc)}


# ---------------------------------------------------------------------------------------------- ENS
def ens_create(source=None, **params):
    request = build(
        EnsCreateDiskRequest.CreateDiskRequest,
        **dict({'EnsRegionId': NODE, 'Category': 'cloud_efficiency', 'InstanceChargeType': 'PostPaid'}, **params),
    )
    if source:
        request.set_SnapshotId(source)
    return request


def ens_disks(fc, **params) -> dict:
    return call(fc, build(EnsDescribeDisksRequest.DescribeDisksRequest, **params))


def test_ens_disk_from_a_snapshot_lifecycle(fc):
    source = seed_snapshot(fc, 'ens', NODE, size=60)
    request = ens_create(source, Size='20', DiskName='restore-drill', Tags=[{'Key': 'drill', 'Value': 'run-1'}])
    # The V1 request class has no setter for InstanceBillingCycle, a parameter of the model: sent as a query parameter.
    request.add_query_param('InstanceBillingCycle', 'Hour')
    answer = call(fc, request)
    (disk_id,) = answer['InstanceIds']
    assert isinstance(answer['OrderId'], str)
    (disk,) = ens_disks(fc, DiskIds=json.dumps([disk_id]))['Disks']['Disks']
    assert (disk['Status'], disk['SnapshotId'], disk['Size'], disk['EnsRegionId']) == (
        'Creating',
        source,
        60 * 1024,
        NODE,
    )
    assert disk['Tags'] == {'Tags': [{'Key': 'drill', 'Value': 'run-1'}]}
    assert code_of(fc, build(EnsDeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id)) == 'IncorrectDiskStatus'
    fc.admin.advance_clock(10)
    assert [d['Status'] for d in ens_disks(fc, DiskId=disk_id)['Disks']['Disks']] == ['Available']
    assert [d['DiskId'] for d in ens_disks(fc, SnapshotId=source, Status='Available')['Disks']['Disks']] == [disk_id]
    # No ClientToken in ENS's model: the same call again makes a second disk.
    again = call(fc, ens_create(source, Size='20'))['InstanceIds']
    assert (
        again != [disk_id] and len([d for d in state_disks(fc, 'ens', NODE) if d['source_snapshot_id'] == source]) == 2
    )
    call(fc, build(EnsDeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id))
    assert ens_disks(fc, DiskId=disk_id)['TotalCount'] == 0
    assert code_of(fc, build(EnsDeleteDiskRequest.DeleteDiskRequest, DiskId=disk_id)) == 'InvalidDiskId.NotFound'


@pytest.mark.parametrize(
    'params, code',
    [
        ({'InstanceChargeType': 'PrePaid'}, 'InvalidInstanceChargeType'),
        ({'Category': 'local_ssd'}, 'InvalidCategory'),
        ({'Size': '10'}, 'InvalidSize'),
        ({'Size': 'big'}, 'InvalidSize'),
        ({'EnsRegionId': 'cn-nowhere-1'}, 'InvalidEnsRegionId'),
    ],
)
def test_ens_create_disk_is_checked(fc, params, code):
    assert code_of(fc, ens_create(**dict({'Size': '40'}, **params))) == code
    assert state_disks(fc, 'ens', NODE) == []


def test_ens_snapshot_must_be_available_and_on_the_node(fc):
    running = fc.admin.seed(ens={'disks': [{'region': NODE, 'snapshots': [{'status': 'creating'}]}]})['ens'][
        'snapshots'
    ][0]
    assert code_of(fc, ens_create(running)) == 'IncorrectSnapshotStatus'
    elsewhere = seed_snapshot(fc, 'ens', 'cn-beijing-cmcc')
    assert code_of(fc, ens_create(elsewhere)) == 'InvalidSnapshotId.NotFound'
    assert code_of(fc, ens_create()) == 'MissingParameter'  # neither Size nor SnapshotId


def test_ens_failing_disk_and_broken_node(fc):
    source = seed_snapshot(fc, 'ens', NODE)
    fc.admin.faults(failing_disks={'ens': {'regions': [NODE]}})
    (disk_id,) = call(fc, ens_create(source))['InstanceIds']
    assert [d['Status'] for d in ens_disks(fc, DiskId=disk_id)['Disks']['Disks']] == ['Creating']
    fc.admin.advance_clock(10)
    assert ens_disks(fc, DiskId=disk_id)['TotalCount'] == 0
    fc.admin.faults(broken_regions={'ens': [NODE]})
    assert code_of(fc, ens_create(source)) == 'ens.interface.error'
    assert [d['id'] for d in state_disks(fc, 'ens', NODE) if d['source_snapshot_id']] == []


def test_ens_snapshot_name_and_description_are_modified_by_the_models_rules(fc):
    snapshot_id = seed_snapshot(fc, 'ens', NODE)
    call(
        fc,
        build(
            ModifySnapshotAttributeRequest.ModifySnapshotAttributeRequest,
            SnapshotId=snapshot_id,
            SnapshotName='边缘:copy_1-b',
            Description='snapcopy:source=sp-x',
        ),
    )
    listed = call(fc, build(EnsDescribeSnapshotsRequest.DescribeSnapshotsRequest, SnapshotId=snapshot_id))['Snapshots']
    assert [(s['SnapshotName'], s['Description']) for s in listed] == [('边缘:copy_1-b', 'snapcopy:source=sp-x')]
    for params, code in (
        ({'SnapshotName': 'has.period'}, 'InvalidSnapshotName'),
        ({'SnapshotName': 'auto-named'}, 'InvalidSnapshotName'),
        ({'Description': 'x'}, 'InvalidDescription'),
        ({'Description': 'https://x'}, 'InvalidDescription'),
    ):
        request = build(ModifySnapshotAttributeRequest.ModifySnapshotAttributeRequest, SnapshotId=snapshot_id, **params)
        assert code_of(fc, request) == code
    request = build(
        ModifySnapshotAttributeRequest.ModifySnapshotAttributeRequest, SnapshotId='sp-none', Description='ok'
    )
    assert code_of(fc, request) == 'InvalidSnapshotId.NotFound'
    log = [entry for entry in fc.admin.calls()['log'] if entry['action'] == 'ModifySnapshotAttribute']
    assert [entry['params']['Description'] for entry in log] == ['snapcopy:source=sp-x']


def test_admin_state_shows_disks_for_counting_leftovers(fc):
    """What tests and the chaos suite read to count the disks a drill left behind."""
    source = seed_snapshot(fc)
    seeded = fc.admin.seed(
        ecs={
            'disks': [
                {
                    'region': REGION,
                    'zone': 'cn-hangzhou-k',
                    'status': 'creating',
                    'source_snapshot_id': source,
                    'tags': {'drill': 'x'},
                }
            ]
        }
    )['ecs']['disks'][0]
    (view,) = [d for d in state_disks(fc) if d['id'] == seeded]
    assert {
        key: view[key] for key in ('zone', 'status', 'phase', 'listed', 'source_snapshot_id', 'tags', 'account')
    } == {
        'zone': 'cn-hangzhou-k',
        'status': 'Creating',
        'phase': 'running',
        'listed': True,
        'source_snapshot_id': source,
        'tags': {'drill': 'x'},
        'account': creds.ALIBABA_ACCOUNT_ID,
    }
    # A seeded zone becomes one of the region's zones.
    zones = call(fc, build(DescribeZonesRequest.DescribeZonesRequest))['Zones']['Zone']
    assert 'cn-hangzhou-k' in [zone['ZoneId'] for zone in zones]
    fc.admin.advance_clock(10)
    assert [d['status'] for d in state_disks(fc) if d['id'] == seeded] == ['Available']
    with pytest.raises(AdminError):
        fc.admin.seed(ecs={'disks': [{'region': REGION, 'status': 'failed'}]})
