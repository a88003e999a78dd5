"""Drill hosts on AWS (dr.capabilities.DrillHostAdapter): the EBS adapter's drill_host, attach_test_disk and
detach_test_disk through real botocore against moto's server (in this process, real HTTP on loopback) with the suites'
layers: AttachVolume's refusals (ebs_vault.py) and the device directory, where an attached volume's data shows as a file
(ebs_direct.py, SNAPCOPY_DEVICE_DIR)."""

from __future__ import annotations

import functools
import os

import botocore
import botocore.session
import pytest
from botocore.exceptions import ClientError

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_drill import (
    ATTACHMENT_STATE_MAP,
    DRILL_DEVICES,
    EbsDrill,
    volume_disk,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import INVALID, NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_RUN_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import DrillHostAdapter
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct

KEYS = {'access_key': 'AKIASNAPCOPYDRILLHST', 'secret_key': 'snapcopy-drill-host-secret'}
BLOCK_SIZE = 524288  # the EBS direct APIs' block: GetSnapshotBlockRequest.BlockIndex, "units of 512 KiB"
GIB = 1024**3
ZERO_BLOCK = bytes(BLOCK_SIZE)
# Regions few other tests use; moto keeps one state per process, so these tests look at their own resources only. The
# drill's disks and hosts are in DR.
SOURCE, DR = 'eu-south-2', 'me-central-1'
HOSTS, REFUSALS = 'ap-southeast-3', 'ap-northeast-2'


@functools.cache
def session():
    """One session for the tests' own clients: it decodes botocore's EC2 model (4 MB) once, not for each client."""
    made = botocore.session.Session()
    made.set_credentials(KEYS['access_key'], KEYS['secret_key'])
    return made


@functools.cache
def client(url, service, region):
    return session().create_client(service, region_name=region, endpoint_url=url)


def adapter(url):
    return EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))


def instance(url, region, zone, name=None, devices=()):
    """A new instance's id (any image id will do: moto validates none unless MOTO_ENABLE_AMI_VALIDATION is set), with
    an 8 GiB root volume at /dev/sda1 (moto's) and a 1 GiB volume at each of ``devices``."""
    arguments = {
        'ImageId': 'ami-0123456789abcdef0',
        'MinCount': 1,
        'MaxCount': 1,
        'InstanceType': 't3.micro',
        'Placement': {'AvailabilityZone': zone},
    }
    if name:
        arguments['TagSpecifications'] = [{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': name}]}]
    if devices:
        arguments['BlockDeviceMappings'] = [{'DeviceName': device, 'Ebs': {'VolumeSize': 1}} for device in devices]
    return client(url, 'ec2', region).run_instances(**arguments)['Instances'][0]['InstanceId']


def drill_disk(aws, region, zone, snapshot_id, run='run-1'):
    """A test disk made by the adapter from ``snapshot_id`` (1 GiB), as the drill makes one."""
    copy = Snapshot(snapshot_id, region, 'completed', size=1)
    return aws.drill.create_test_disk(
        region, zone, copy, 'gp3', 'snapcopy-restore-test-' + run, {RESTORE_RUN_TAG: run}, 'token-' + snapshot_id
    )


def empty_volume(url, region, zone):
    return client(url, 'ec2', region).create_volume(Size=1, AvailabilityZone=zone)['VolumeId']


def error_code(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response['Error']['Code']


def source_snapshot(url, written):
    """(volume id, snapshot id) in SOURCE: a 1 GiB volume with new data in the blocks ``written``, and its snapshot."""
    ec2 = client(url, 'ec2', SOURCE)
    volume = ec2.create_volume(Size=1, AvailabilityZone=SOURCE + 'a')['VolumeId']
    ebs_direct.write_blocks(volume, written)
    return volume, ec2.create_snapshot(VolumeId=volume)['SnapshotId']


def snapshot_data(url, region, snapshot_id, only=None):
    """{block index: bytes} of the snapshot's blocks (those of ``only`` when given), read through the EBS direct APIs
    (ListSnapshotBlocks, GetSnapshotBlock)."""
    ebs = client(url, 'ebs', region)
    listed = ebs.list_snapshot_blocks(SnapshotId=snapshot_id, MaxResults=10000)
    assert 'NextToken' not in listed
    return {
        block['BlockIndex']: ebs.get_snapshot_block(
            SnapshotId=snapshot_id, BlockIndex=block['BlockIndex'], BlockToken=block['BlockToken']
        )['BlockData'].read()
        for block in listed['Blocks']
        if only is None or block['BlockIndex'] in only
    }


def file_blocks(path):
    """{block index: bytes} of every 512 KiB block of the file that is not all zeros. The holes of the sparse file are
    skipped (SEEK_DATA, SEEK_HOLE); where the file system does not tell them, the whole file is read."""
    found = {}
    with open(path, 'rb') as handle:
        size = os.fstat(handle.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                offset = os.lseek(handle.fileno(), offset, os.SEEK_DATA)
            except OSError:  # ENXIO: nothing but holes after offset
                break
            end = os.lseek(handle.fileno(), offset, os.SEEK_HOLE)
            index = offset // BLOCK_SIZE
            while index * BLOCK_SIZE < end:
                handle.seek(index * BLOCK_SIZE)
                data = handle.read(BLOCK_SIZE)
                if data != ZERO_BLOCK[: len(data)]:
                    found[index] = data
                index += 1
            offset = index * BLOCK_SIZE
    return found


@pytest.fixture
def devices(tmp_path, monkeypatch):
    """The device directory (SNAPCOPY_DEVICE_DIR) of moto's server, which runs in this process, for this test."""
    folder = tmp_path / 'devices'
    monkeypatch.setenv(ebs_direct.DEVICE_DIR_VARIABLE, str(folder))
    return folder


def test_the_ebs_adapter_is_a_drill_host_adapter():
    assert issubclass(EbsDrill, DrillHostAdapter)


def test_every_attachment_state_of_the_ec2_model_has_its_meaning():
    """botocore's VolumeAttachmentState is the list; busy is a detach waiting for the instance (DetachVolume's
    reference), detached a free disk."""
    states = botocore.session.get_session().get_service_model('ec2').shape_for('VolumeAttachmentState').enum
    assert set(ATTACHMENT_STATE_MAP) == set(states)
    assert ATTACHMENT_STATE_MAP['busy'] == DETACHING and ATTACHMENT_STATE_MAP['detached'] is None


@pytest.mark.parametrize(
    'state, attached_to, attachment',
    [
        ('attaching', 'i-0123456789abcdef0', ATTACHING),
        ('attached', 'i-0123456789abcdef0', ATTACHED),
        ('detaching', 'i-0123456789abcdef0', DETACHING),
        ('busy', 'i-0123456789abcdef0', DETACHING),
        ('detached', None, None),
        ('a-state-of-tomorrow', 'i-0123456789abcdef0', ATTACHING),  # neither read as attached nor deleted as free
    ],
)
def test_a_volumes_attachment_as_the_drill_reads_it(state, attached_to, attachment):
    item = {
        'VolumeId': 'vol-0123456789abcdef0',
        'State': 'in-use',
        'Attachments': [
            {
                'VolumeId': 'vol-0123456789abcdef0',
                'InstanceId': 'i-0123456789abcdef0',
                'Device': '/dev/sdf',
                'State': state,
            }
        ],
    }
    disk = volume_disk(item, DR)
    assert (disk.attached_to, disk.attachment) == (attached_to, attachment)
    assert disk.device == ('/dev/sdf' if attached_to else None)
    free = volume_disk({'VolumeId': 'vol-0123456789abcdef0', 'State': 'available', 'Attachments': []}, DR)
    assert (free.attached_to, free.attachment, free.device) == (None, None, None)


def test_a_drill_host_is_its_zone_its_state_and_its_name(moto_url):
    aws = adapter(moto_url)
    running = instance(moto_url, HOSTS, HOSTS + 'b', name='drill host')
    host = aws.drill.drill_host(HOSTS, running)
    assert (host.id, host.region, host.zone, host.running, host.cloud_state, host.name) == (
        running,
        HOSTS,
        HOSTS + 'b',
        True,
        'running',
        'drill host',
    )
    stopped = instance(moto_url, HOSTS, HOSTS + 'c')
    client(moto_url, 'ec2', HOSTS).stop_instances(InstanceIds=[stopped])
    host = aws.drill.drill_host(HOSTS, stopped)
    assert (host.zone, host.running, host.cloud_state, host.name) == (HOSTS + 'c', False, 'stopped', None)


def test_an_instance_the_cloud_does_not_list_is_not_found(moto_url):
    with pytest.raises(CloudError) as caught:
        adapter(moto_url).drill.drill_host(HOSTS, 'i-0123456789abcdef0')
    assert caught.value.kind == NOT_FOUND and caught.value.code == 'InvalidInstanceID.NotFound'
    assert caught.value.action == 'DescribeInstances' and caught.value.region == HOSTS


def test_an_attached_disk_is_described_attached_and_kept_from_deletion_until_detached(moto_url, monkeypatch, tmp_path):
    monkeypatch.delenv(ebs_direct.DEVICE_DIR_VARIABLE, raising=False)
    aws = adapter(moto_url)
    ec2 = client(moto_url, 'ec2', DR)
    host = instance(moto_url, DR, DR + 'b')
    snapshot_id = ec2.create_snapshot(VolumeId=empty_volume(moto_url, DR, DR + 'a'))['SnapshotId']
    disk = drill_disk(aws, DR, DR + 'b', snapshot_id, run='attach-1')
    assert (disk.attached_to, disk.attachment, disk.device) == (None, None, None)
    aws.drill.attach_test_disk(DR, disk.id, host)
    seen = aws.drill.describe_test_disks(DR, [disk.id])[disk.id]
    # moto attaches at once: EC2 answers attaching first (the drill waits for ATTACHED).
    assert (seen.attached_to, seen.attachment, seen.device) == (host, ATTACHED, DRILL_DEVICES[0])
    assert seen.state == USABLE and seen.cloud_state == 'in-use'
    assert next(found for found in aws.drill.find_test_disks(DR) if found.id == disk.id).attached_to == host
    with pytest.raises(CloudError) as caught:
        aws.drill.delete_test_disk(DR, disk.id)
    assert caught.value.code == 'VolumeInUse' and caught.value.kind == INVALID
    assert error_code(lambda: ec2.delete_volume(VolumeId=disk.id)) == 'VolumeInUse'
    assert not list(tmp_path.iterdir())  # no device directory without SNAPCOPY_DEVICE_DIR
    aws.drill.detach_test_disk(DR, disk.id, host)
    seen = aws.drill.describe_test_disks(DR, [disk.id])[disk.id]
    assert (seen.attached_to, seen.attachment, seen.device, seen.cloud_state) == (None, None, None, 'available')
    with pytest.raises(CloudError) as caught:
        aws.drill.detach_test_disk(DR, disk.id, host)
    assert caught.value.code == 'InvalidAttachment.NotFound' and caught.value.kind == NOT_FOUND
    aws.drill.delete_test_disk(DR, disk.id)
    assert aws.drill.describe_test_disks(DR, [disk.id]) == {}


def test_a_disk_is_attached_at_a_device_name_the_instance_does_not_use(moto_url):
    aws = adapter(moto_url)
    # /dev/xvdf is /dev/sdf by another name; /dev/sdh is taken as it is.
    host = instance(moto_url, HOSTS, HOSTS + 'a', devices=('/dev/xvdf', '/dev/sdh'))
    names = []
    for dummy in range(len(DRILL_DEVICES) - 2):
        disk = empty_volume(moto_url, HOSTS, HOSTS + 'a')
        aws.drill.attach_test_disk(HOSTS, disk, host)
        names.append(aws.drill.describe_test_disks(HOSTS, [disk])[disk].device)
    assert names == [name for name in DRILL_DEVICES if name not in ('/dev/sdf', '/dev/sdh')]
    with pytest.raises(CloudError) as caught:
        aws.drill.attach_test_disk(HOSTS, empty_volume(moto_url, HOSTS, HOSTS + 'a'), host)
    assert caught.value.code == 'NoFreeDevice' and caught.value.kind == INVALID and host in caught.value.message


def test_the_server_refuses_attachments_as_ec2_does(moto_url):
    """moto attaches whatever it is told to; ebs_vault.py refuses as EC2 does (its docstring)."""
    ec2 = client(moto_url, 'ec2', REFUSALS)
    host, other = instance(moto_url, REFUSALS, REFUSALS + 'a'), instance(moto_url, REFUSALS, REFUSALS + 'a')
    volume = empty_volume(moto_url, REFUSALS, REFUSALS + 'a')
    ec2.attach_volume(VolumeId=volume, InstanceId=host, Device='/dev/sdf')
    assert error_code(lambda: ec2.attach_volume(VolumeId=volume, InstanceId=other, Device='/dev/sdf')) == 'VolumeInUse'
    assert error_code(lambda: ec2.attach_volume(VolumeId=volume, InstanceId=host, Device='/dev/sdg')) == 'VolumeInUse'
    elsewhere = empty_volume(moto_url, REFUSALS, REFUSALS + 'b')
    assert (
        error_code(lambda: ec2.attach_volume(VolumeId=elsewhere, InstanceId=host, Device='/dev/sdg'))
        == 'InvalidVolume.ZoneMismatch'
    )
    second = empty_volume(moto_url, REFUSALS, REFUSALS + 'a')
    for device in ('/dev/sdf', '/dev/sda1'):  # a drill disk's, the root volume's
        assert (
            error_code(lambda device=device: ec2.attach_volume(VolumeId=second, InstanceId=host, Device=device))
            == 'InvalidParameterValue'
        )
    assert ec2.describe_volumes(VolumeIds=[volume])['Volumes'][0]['Attachments'][0]['InstanceId'] == host
    aws = adapter(moto_url)
    with pytest.raises(CloudError) as caught:
        aws.drill.attach_test_disk(REFUSALS, elsewhere, host)
    assert caught.value.code == 'InvalidVolume.ZoneMismatch' and caught.value.kind == INVALID
    aws.drill.attach_test_disk(REFUSALS, second, host)  # the refused disk's device is free again
    assert aws.drill.describe_test_disks(REFUSALS, [second])[second].device == '/dev/sdg'


def test_an_attached_disk_shows_in_the_device_directory_as_the_source_snapshots_bytes(moto_url, devices):
    aws = adapter(moto_url)
    dummy, source = source_snapshot(moto_url, [3, 700, 2047])
    copy = client(moto_url, 'ec2', DR).copy_snapshot(SourceSnapshotId=source, SourceRegion=SOURCE)['SnapshotId']
    host = instance(moto_url, DR, DR + 'c')
    disk = drill_disk(aws, DR, DR + 'c', copy, run='device-1')
    aws.drill.attach_test_disk(DR, disk.id, host)
    path = devices / disk.id
    assert sorted(os.listdir(devices)) == [disk.id]  # the whole file, no part left
    assert os.path.getsize(path) == 1 * GIB
    expected = snapshot_data(moto_url, SOURCE, source)
    assert {3, 700, 2047} <= set(expected)
    assert file_blocks(path) == expected
    aws.drill.detach_test_disk(DR, disk.id, host)
    assert os.listdir(devices) == []
    aws.drill.delete_test_disk(DR, disk.id)


def test_a_corrupted_block_of_the_copy_shows_in_the_device_file(moto_url, devices):
    aws = adapter(moto_url)
    dummy, source = source_snapshot(moto_url, [10, 11])
    copy = client(moto_url, 'ec2', DR).copy_snapshot(SourceSnapshotId=source, SourceRegion=SOURCE)['SnapshotId']
    ebs_direct.corrupt_block(copy, 11)
    host = instance(moto_url, DR, DR + 'a')
    disk = drill_disk(aws, DR, DR + 'a', copy, run='device-2')
    ebs_direct.corrupt_block(copy, 10)  # after CreateVolume: the volume holds the copy as it was
    aws.drill.attach_test_disk(DR, disk.id, host)
    found, expected = file_blocks(devices / disk.id), snapshot_data(moto_url, SOURCE, source)
    assert set(found) == set(expected) and found[11] != expected[11]
    assert {index for index in found if found[index] != expected[index]} == {11}
    assert found[11] == snapshot_data(moto_url, DR, copy, only={11})[11]
    aws.drill.detach_test_disk(DR, disk.id, host)
    assert not (devices / disk.id).exists()


def test_a_disk_made_from_no_snapshot_is_all_zeros_in_the_device_directory(moto_url, devices):
    aws = adapter(moto_url)
    host = instance(moto_url, DR, DR + 'a')
    volume = empty_volume(moto_url, DR, DR + 'a')
    aws.drill.attach_test_disk(DR, volume, host)
    assert os.path.getsize(devices / volume) == 1 * GIB and file_blocks(devices / volume) == {}
    aws.drill.detach_test_disk(DR, volume, host)
    assert os.listdir(devices) == []
