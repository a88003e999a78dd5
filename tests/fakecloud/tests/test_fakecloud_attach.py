"""Instances, attaching and detaching disks, and what a disk holds (ECS, ENS, CBS with CVM's DescribeInstances), through
the V1 SDKs the collection uses: the moves take fakecloud's time, an attach that completes writes the device file with
the disk's content, a detach removes it, and content goes disk -> snapshot -> copy -> disk."""

from __future__ import annotations

import base64
import importlib
import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from tencentcloud.cbs.v20170312 import cbs_client
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client, tencent_client
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminError

REQUESTS = {'ecs': 'aliyunsdkecs.request.v20140526', 'ens': 'aliyunsdkens.request.v20171110'}
# cloud: (region, DR region, zone, another zone)
PLACES = {
    'ecs': ('cn-hangzhou', 'cn-shanghai', 'cn-hangzhou-a', 'cn-hangzhou-b'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc', 'cn-hangzhou-26', 'cn-beijing-cmcc'),
    'cbs': ('ap-guangzhou', 'ap-shanghai', 'ap-guangzhou-1', 'ap-guangzhou-2'),
}
DATA = b'snapcopy drill \x00\x01\x02 bytes'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode('ascii')


def alibaba(fc, product: str, action: str, **params) -> dict:
    request = getattr(importlib.import_module('%s.%sRequest' % (REQUESTS[product], action)), action + 'Request')()
    for key, value in params.items():
        request.add_query_param(key, value)
    return alibaba_call(fc.endpoint, alibaba_client(auto_retry=False), request)


def alibaba_code(fc, product: str, action: str, **params) -> str:
    with pytest.raises(ServerException) as info:
        alibaba(fc, product, action, **params)
    return info.value.get_error_code()


def tencent(fc, action: str, region: str = 'ap-guangzhou', service: str = 'cbs', **params) -> dict:
    if service == 'cvm':
        profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint))
        client = CommonClient(
            'cvm', '2017-03-12', Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY), region, profile
        )
    else:
        client = tencent_client(cbs_client.CbsClient, fc.endpoint, region)
    return client.call_json(action, params)['Response']


def tencent_code(fc, action: str, **params) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        tencent(fc, action, **params)
    return info.value.get_code()


def attach(fc, cloud: str, disk_id: str, instance_id: str) -> None:
    if cloud == 'cbs':
        tencent(fc, 'AttachDisks', DiskIds=[disk_id], InstanceId=instance_id)
    else:
        alibaba(fc, cloud, 'AttachDisk', DiskId=disk_id, InstanceId=instance_id)


def detach(fc, cloud: str, disk_id: str, instance_id: str) -> None:
    if cloud == 'cbs':
        tencent(fc, 'DetachDisks', DiskIds=[disk_id], InstanceId=instance_id)
    else:
        alibaba(fc, cloud, 'DetachDisk', DiskId=disk_id, InstanceId=instance_id)


def state_of(fc, cloud: str, disk_id: str) -> str:
    """The disk's status or state, as its cloud's DescribeDisks answers it."""
    if cloud == 'cbs':
        (disk,) = tencent(fc, 'DescribeDisks', DiskIds=[disk_id])['DiskSet']
        return disk['DiskState']
    params = {'RegionId': PLACES['ecs'][0], 'DiskIds': json.dumps([disk_id])} if cloud == 'ecs' else {'DiskId': disk_id}
    (disk,) = alibaba(fc, cloud, 'DescribeDisks', **params)['Disks']['Disk' if cloud == 'ecs' else 'Disks']
    return disk['Status']


def admin_disk(fc, cloud: str, disk_id: str) -> dict:
    regions = fc.admin.state(cloud)[cloud]
    return next(disk for region in regions.values() for disk in region['disks'] if disk['id'] == disk_id)


def admin_snapshot(fc, cloud: str, snapshot_id: str) -> dict:
    regions = fc.admin.state(cloud)[cloud]
    return next(snap for region in regions.values() for snap in region['snapshots'] if snap['id'] == snapshot_id)


WORDS = {
    'ecs': ('Available', 'Attaching', 'In_use', 'Detaching'),
    'ens': ('Available', 'Attaching', 'In-use', 'Detaching'),
    'cbs': ('UNATTACHED', 'ATTACHING', 'ATTACHED', 'DETACHING'),
}


@pytest.mark.parametrize('cloud', sorted(PLACES))
def test_an_attach_writes_the_device_file_and_a_detach_removes_it(fc, tmp_path, cloud):
    region, dummy, zone, dummy = PLACES[cloud]
    fc.admin.configure(device_dir=str(tmp_path), timings={cloud: {'attach_seconds': 30, 'detach_seconds': 40}})
    seeded = fc.admin.seed(
        {
            cloud: {
                'instances': [{'region': region, 'zone': zone, 'name': 'host'}],
                'disks': [{'region': region, 'zone': zone, 'data': b64(DATA)}, {'region': region, 'zone': zone}],
            }
        }
    )[cloud]
    (host,), (disk, blank) = seeded['instances'], seeded['disks']
    free, attaching, attached, detaching = WORDS[cloud]
    device = tmp_path / disk
    attach(fc, cloud, disk, host)
    assert state_of(fc, cloud, disk) == attaching and not device.exists()
    fc.admin.advance_clock(29)
    assert state_of(fc, cloud, disk) == attaching and not device.exists()
    # The clock's move carries the attach out: the file is there when the admin call answers, before any read.
    fc.admin.advance_clock(2)
    assert device.read_bytes() == DATA
    assert state_of(fc, cloud, disk) == attached
    assert admin_disk(fc, cloud, disk)['attachment'] == 'attached'
    # A disk with no content gives an empty file.
    attach(fc, cloud, blank, host)
    fc.admin.advance_clock(31)
    assert (tmp_path / blank).read_bytes() == b''
    detach(fc, cloud, disk, host)
    assert state_of(fc, cloud, disk) == detaching and device.exists()
    fc.admin.advance_clock(41)
    assert state_of(fc, cloud, disk) == free and not device.exists()
    assert admin_disk(fc, cloud, disk)['instance_id'] == ''
    # A reset takes the files fakecloud wrote away with the disks.
    fc.admin.reset()
    assert not (tmp_path / blank).exists()


@pytest.mark.parametrize('cloud', sorted(PLACES))
def test_an_attach_takes_its_time_without_a_device_dir(fc, cloud):
    """The default: two seconds each way on fakecloud's clock, and no files."""
    region, dummy, zone, dummy = PLACES[cloud]
    seeded = fc.admin.seed(
        {cloud: {'instances': [{'region': region, 'zone': zone}], 'disks': [{'region': region, 'zone': zone}]}}
    )[cloud]
    (host,), (disk,) = seeded['instances'], seeded['disks']
    attach(fc, cloud, disk, host)
    fc.admin.advance_clock(2.5)
    assert state_of(fc, cloud, disk) == WORDS[cloud][2]
    assert fc.admin.config()['device_dir'] is None


def test_the_disks_of_another_zone_or_node_are_refused(fc):
    for cloud, code in (
        ('ecs', 'ResourcesNotInSameZone'),
        ('ens', 'ResourcesNotInSameZone'),
        ('cbs', 'ResourceUnavailable.ZoneNotMatch'),
    ):
        region, dummy, zone, other_zone = PLACES[cloud]
        seeded = fc.admin.seed(
            {
                cloud: {
                    'instances': [{'region': other_zone if cloud == 'ens' else region, 'zone': other_zone}],
                    'disks': [{'region': region, 'zone': zone}],
                }
            }
        )[cloud]
        (host,), (disk,) = seeded['instances'], seeded['disks']
        if cloud == 'cbs':
            assert tencent_code(fc, 'AttachDisks', DiskIds=[disk], InstanceId=host) == code
        else:
            assert alibaba_code(fc, cloud, 'AttachDisk', DiskId=disk, InstanceId=host) == code


def test_content_goes_from_disk_to_snapshot_to_copy_to_disk_and_a_corrupted_copy_differs(fc):
    region, dr_region, dummy, dummy = PLACES['ecs']
    seeded = fc.admin.seed(ecs={'disks': [{'region': region, 'data': b64(DATA), 'snapshots': 1}]})['ecs']
    (snapshot,) = seeded['snapshots']
    assert admin_snapshot(fc, 'ecs', snapshot)['data'] == b64(DATA)
    made = alibaba(fc, 'ecs', 'CreateSnapshot', DiskId=seeded['disks'][0])['SnapshotId']
    fc.admin.advance_clock(11)
    assert admin_snapshot(fc, 'ecs', made)['data'] == b64(DATA)
    copy = alibaba(
        fc,
        'ecs',
        'CopySnapshot',
        RegionId=region,
        SnapshotId=made,
        DestinationRegionId=dr_region,
        DestinationSnapshotName='copy',
        DestinationSnapshotDescription='a copy',
    )['SnapshotId']
    assert admin_snapshot(fc, 'ecs', copy)['data'] == b64(DATA)
    fc.admin.advance_clock(21)
    corrupted = fc.admin.request('POST', 'corrupt', {'cloud': 'ecs', 'snapshot_id': copy, 'offset': 2, 'length': 3})
    flipped = bytearray(DATA)
    for index in (2, 3, 4):
        flipped[index] ^= 0xFF
    assert corrupted['data'] == b64(bytes(flipped)) == admin_snapshot(fc, 'ecs', copy)['data']
    disk = alibaba(
        fc,
        'ecs',
        'CreateDisk',
        RegionId=dr_region,
        ZoneId=dr_region + '-a',
        SnapshotId=copy,
        DiskCategory='cloud_essd',
    )['DiskId']
    assert admin_disk(fc, 'ecs', disk)['data'] == b64(bytes(flipped))
    assert admin_snapshot(fc, 'ecs', made)['data'] == b64(DATA), 'the source is untouched'


def test_a_corrupted_snapshot_with_no_content_still_differs(fc):
    (snapshot,) = fc.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})['cbs']['snapshots']
    assert admin_snapshot(fc, 'cbs', snapshot)['data'] is None
    fc.admin.request('POST', 'corrupt', {'cloud': 'cbs', 'snapshot_id': snapshot})
    assert admin_snapshot(fc, 'cbs', snapshot)['data'] == b64(b'\xff')
    with pytest.raises(AdminError, match='no cbs snapshot'):
        fc.admin.request('POST', 'corrupt', {'cloud': 'cbs', 'snapshot_id': 'snap-none'})


def test_seeded_copies_and_disks_take_their_sources_content(fc):
    (snapshot,) = fc.admin.seed(ens={'disks': [{'region': 'cn-hangzhou-26', 'data': b64(DATA), 'snapshots': 1}]})[
        'ens'
    ]['snapshots']
    copy = fc.admin.seed(
        ens={'snapshots': [{'region': 'cn-beijing-cmcc', 'source_snapshot_id': snapshot, 'source_region': 'x'}]}
    )['ens']['snapshots'][0]
    disk = fc.admin.seed(ens={'disks': [{'region': 'cn-beijing-cmcc', 'source_snapshot_id': copy}]})['ens']['disks'][0]
    assert admin_snapshot(fc, 'ens', copy)['data'] == admin_disk(fc, 'ens', disk)['data'] == b64(DATA)
    with pytest.raises(AdminError, match='base64'):
        fc.admin.seed(ens={'disks': [{'region': 'cn-hangzhou-26', 'data': 'not base64!'}]})


def test_instances_are_seeded_once_and_shown_in_the_state(fc):
    spec = {'region': 'cn-hangzhou', 'id': 'i-seeded', 'name': 'web', 'state': 'stopped'}
    assert fc.admin.seed(ecs={'instances': [spec]})['ecs']['instances'] == ['i-seeded']
    assert fc.admin.seed(ecs={'instances': [dict(spec, state='running')]})['ecs']['instances'] == ['i-seeded']
    (instance,) = fc.admin.state('ecs', 'cn-hangzhou')['ecs']['cn-hangzhou']['instances']
    assert (instance['id'], instance['zone'], instance['state'], instance['name']) == (
        'i-seeded',
        'cn-hangzhou-a',
        'Stopped',
        'web',
    )
    (node_instance,) = fc.admin.seed(ens={'instances': [{'region': 'cn-hangzhou-26'}]})['ens']['instances']
    assert fc.admin.state('ens')['ens']['cn-hangzhou-26']['instances'][0]['zone'] == 'cn-hangzhou-26'
    assert node_instance.startswith('i-')
    (cvm_instance,) = fc.admin.seed(cbs={'instances': [{'region': 'ap-guangzhou', 'state': 'RUNNING'}]})['cbs'][
        'instances'
    ]
    assert cvm_instance.startswith('ins-') and len(cvm_instance) == 12
    with pytest.raises(AdminError, match='instance state'):
        fc.admin.seed(ecs={'instances': [{'region': 'cn-hangzhou', 'state': 'Exploded'}]})


def test_cvm_is_told_from_cbs_by_the_service_it_signs_for(fc):
    (host,) = fc.admin.seed(cbs={'instances': [{'region': 'ap-guangzhou'}]})['cbs']['instances']
    (found,) = tencent(fc, 'DescribeInstances', service='cvm', InstanceIds=[host])['InstanceSet']
    assert (found['InstanceId'], found['InstanceState'], found['Placement']['Zone']) == (
        host,
        'RUNNING',
        'ap-guangzhou-1',
    )
    # CBS has no DescribeInstances, CVM no DescribeDisks: the version they share does not mix them up.
    assert tencent_code(fc, 'DescribeInstances', InstanceIds=[host]) == 'InvalidAction'
    with pytest.raises(TencentCloudSDKException) as info:
        tencent(fc, 'DescribeDisks', service='cvm')
    assert info.value.get_code() == 'InvalidAction'
    with pytest.raises(TencentCloudSDKException) as info:
        tencent(fc, 'DescribeInstances', region='xx-nowhere', service='cvm')
    assert info.value.get_code() == 'UnsupportedRegion'
    # Counted as CVM's: the answer and the refused region (the actions neither service has are refused before).
    assert fc.admin.calls()['calls']['cvm']['DescribeInstances'] == {'calls': 2, 'errors': 1, 'mutations': 0}
