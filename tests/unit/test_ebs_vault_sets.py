"""The suites' EBS layer over moto (ebs_vault.py) makes multi-volume snapshots and snapshots in flight as EC2 does, where
moto 5.2.5 does not: CreateSnapshots' one StartTime, CopyTagsFromSource and ExcludeDataVolumeIds; a snapshot held
pending (one member of a set: a torn set), or pending for a while by the cloud's clock; CopySnapshot and CreateVolume
refuse a snapshot that is not completed (IncorrectState); a copy's VolumeId is vol-ffffffff unless switched off."""

from __future__ import annotations

import os

import pytest
from botocore.exceptions import ClientError

from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with

ACCOUNT = '123456789012'  # moto's account of these keys
KEYS = {'access_key': 'AKIASNAPCOPYSETS0001', 'secret_key': 'snapcopy-sets-secret'}


def ec2(url, region):
    return ec2_with(url, KEYS, region)


@pytest.fixture
def vault():
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault

    switched_on = ebs_vault.FIDELITY['copy_volume_id']
    yield ebs_vault
    ebs_vault.HELD_VOLUMES.clear()
    ebs_vault.TIMINGS['snapshot_seconds'] = 0.0
    ebs_vault.FIDELITY['copy_volume_id'] = switched_on
    ebs_vault.CLOCK['offset'] = 0.0


def instance_with_volumes(url, region) -> tuple:
    """(instance id, root volume id, data volume id, log volume id): an instance with two tagged data volumes."""
    client = ec2(url, region)
    zone = region + 'a'
    (instance,) = client.run_instances(
        ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': zone}
    )['Instances']
    volumes = []
    for device, role in (('/dev/sdf', 'data'), ('/dev/sdg', 'log')):
        volume = client.create_volume(
            Size=2,
            AvailabilityZone=zone,
            TagSpecifications=[
                {'ResourceType': 'volume', 'Tags': [{'Key': 'app', 'Value': 'db'}, {'Key': 'role', 'Value': role}]}
            ],
        )['VolumeId']
        client.attach_volume(VolumeId=volume, InstanceId=instance['InstanceId'], Device=device)
        volumes.append(volume)
    (described,) = client.describe_instances(InstanceIds=[instance['InstanceId']])['Reservations'][0]['Instances']
    root = next(
        m['Ebs']['VolumeId'] for m in described['BlockDeviceMappings'] if m['DeviceName'] == described['RootDeviceName']
    )
    return instance['InstanceId'], root, volumes[0], volumes[1]


def tags_of(snapshot) -> dict:
    return {tag['Key']: tag['Value'] for tag in snapshot.get('Tags', [])}


def test_create_snapshots_makes_one_set_with_one_start_time_and_the_volumes_tags(moto_url, vault):
    region = 'me-south-1'
    client = ec2(moto_url, region)
    instance, root, data, log = instance_with_volumes(moto_url, region)
    answer = client.create_snapshots(
        InstanceSpecification={'InstanceId': instance, 'ExcludeDataVolumeIds': [log]},
        CopyTagsFromSource='volume',
        Description='db set',
        TagSpecifications=[{'ResourceType': 'snapshot', 'Tags': [{'Key': 'set', 'Value': 's1'}]}],
    )['Snapshots']
    assert sorted(snap['VolumeId'] for snap in answer) == sorted([root, data]), 'the log volume is excluded'
    # "This is the same for all snapshots initiated by the same request" (SnapshotInfo.StartTime).
    assert len({snap['StartTime'] for snap in answer}) == 1
    described = client.describe_snapshots(SnapshotIds=[snap['SnapshotId'] for snap in answer])['Snapshots']
    assert len({snap['StartTime'] for snap in described}) == 1
    assert {snap['Description'] for snap in described} == {'db set'}
    by_volume = {snap['VolumeId']: tags_of(snap) for snap in described}
    assert by_volume == {root: {'set': 's1'}, data: {'app': 'db', 'role': 'data', 'set': 's1'}}
    # Without CopyTagsFromSource, only the request's tags; ExcludeBootVolume leaves the root volume out.
    plain = client.create_snapshots(InstanceSpecification={'InstanceId': instance, 'ExcludeBootVolume': True})[
        'Snapshots'
    ]
    assert sorted(snap['VolumeId'] for snap in plain) == sorted([data, log])
    assert [tags_of(snap) for snap in plain] == [{}, {}]
    assert len({snap['StartTime'] for snap in plain}) == 1


@pytest.mark.parametrize(
    'spec, code',
    [
        ({'ExcludeDataVolumeIds': ['ROOT']}, 'InvalidParameterValue'),
        ({'InstanceId': 'i-0123456789abcdef0'}, 'InvalidInstanceID.NotFound'),
    ],
)
def test_what_create_snapshots_refuses(moto_url, vault, spec, code):
    region = 'af-south-1'
    instance, root, dummy, dummy_log = instance_with_volumes(moto_url, region)
    spec = dict({'InstanceId': instance}, **spec)
    spec['ExcludeDataVolumeIds'] = [root if v == 'ROOT' else v for v in spec.get('ExcludeDataVolumeIds', [])]
    before = len(ec2(moto_url, region).describe_snapshots(OwnerIds=['self'])['Snapshots'])
    with pytest.raises(ClientError) as raised:
        ec2(moto_url, region).create_snapshots(InstanceSpecification=spec)
    assert raised.value.response['Error']['Code'] == code
    assert len(ec2(moto_url, region).describe_snapshots(OwnerIds=['self'])['Snapshots']) == before


def test_a_held_volume_leaves_one_member_of_the_set_pending_and_nothing_uses_it(moto_url, vault):
    region = 'eu-south-1'
    client = ec2(moto_url, region)
    instance, root, data, log = instance_with_volumes(moto_url, region)
    vault.HELD_VOLUMES.add((ACCOUNT, region, log))
    answer = client.create_snapshots(InstanceSpecification={'InstanceId': instance})['Snapshots']
    members = {snap['VolumeId']: snap['SnapshotId'] for snap in answer}
    assert {snap['VolumeId']: (snap['State'], snap['Progress']) for snap in answer} == {
        root: ('completed', '100%'),
        data: ('completed', '100%'),
        log: ('pending', '0%'),
    }
    described = client.describe_snapshots(SnapshotIds=[members[log]])['Snapshots'][0]
    assert (described['State'], described['Progress']) == ('pending', '0%')
    for call in (
        lambda: ec2(moto_url, 'eu-west-3').copy_snapshot(SourceSnapshotId=members[log], SourceRegion=region),
        lambda: client.create_volume(SnapshotId=members[log], AvailabilityZone=region + 'a'),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response['Error']['Code'] == 'IncorrectState'
        assert members[log] in raised.value.response['Error']['Message']
    # A completed member is copied and restored as before.
    ec2(moto_url, 'eu-west-3').copy_snapshot(SourceSnapshotId=members[data], SourceRegion=region)
    client.create_volume(SnapshotId=members[data], AvailabilityZone=region + 'a')
    # CreateSnapshot of a held volume too, and fail_snapshot ends it in error.
    single = client.create_snapshot(VolumeId=log)
    assert (single['State'], single['Progress']) == ('pending', '0%')
    vault.fail_snapshot(ACCOUNT, region, single['SnapshotId'])
    assert client.describe_snapshots(SnapshotIds=[single['SnapshotId']])['Snapshots'][0]['State'] == 'error'
    vault.complete_snapshot(ACCOUNT, region, members[log])
    assert client.describe_snapshots(SnapshotIds=[members[log]])['Snapshots'][0]['Progress'] == '100%'
    ec2(moto_url, 'eu-west-3').copy_snapshot(SourceSnapshotId=members[log], SourceRegion=region)


def test_snapshots_take_time_by_the_clouds_clock_when_timed(moto_url, vault):
    region = 'ap-east-1'
    client = ec2(moto_url, region)
    volume = client.create_volume(Size=1, AvailabilityZone=region + 'a')['VolumeId']
    vault.TIMINGS['snapshot_seconds'] = 60
    snapshot = client.create_snapshot(VolumeId=volume)['SnapshotId']
    copy = ec2(moto_url, 'ap-south-2')
    with pytest.raises(ClientError) as raised:
        copy.copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=region)
    assert raised.value.response['Error']['Code'] == 'IncorrectState'
    vault.CLOCK['offset'] += 30
    assert client.describe_snapshots(SnapshotIds=[snapshot])['Snapshots'][0]['State'] == 'pending'
    vault.CLOCK['offset'] += 31
    assert client.describe_snapshots(SnapshotIds=[snapshot])['Snapshots'][0]['State'] == 'completed'
    copy_id = copy.copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=region)['SnapshotId']
    assert copy.describe_snapshots(SnapshotIds=[copy_id])['Snapshots'][0]['State'] == 'pending'
    vault.CLOCK['offset'] += 61
    assert copy.describe_snapshots(SnapshotIds=[copy_id])['Snapshots'][0]['State'] == 'completed'


def test_a_copy_names_vol_ffffffff_unless_switched_off(moto_url, vault):
    """ "Snapshots created by a copy snapshot operation have an arbitrary volume ID" (Snapshot.VolumeId): EBS's
    vol-ffffffff; the source keeps its own volume's."""
    region = 'il-central-1'
    client = ec2(moto_url, region)
    volume = client.create_volume(Size=1, AvailabilityZone=region + 'a')['VolumeId']
    snapshot = client.create_snapshot(VolumeId=volume)['SnapshotId']
    copy = ec2(moto_url, 'eu-central-2')
    copied = copy.copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=region)['SnapshotId']
    vault.FIDELITY['copy_volume_id'] = True
    assert copy.describe_snapshots(SnapshotIds=[copied])['Snapshots'][0]['VolumeId'] == 'vol-ffffffff'
    assert client.describe_snapshots(SnapshotIds=[snapshot])['Snapshots'][0]['VolumeId'] == volume, 'not the source'
    # Other tests' copies may share the region (moto's server is shared): the filter finds this copy, not its source.
    found = copy.describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': ['vol-ffffffff']}])['Snapshots']
    assert copied in [snap['SnapshotId'] for snap in found] and snapshot not in [snap['SnapshotId'] for snap in found]
    vault.FIDELITY['copy_volume_id'] = False
    assert copy.describe_snapshots(SnapshotIds=[copied])['Snapshots'][0]['VolumeId'] == volume, "moto's, switched off"


def test_the_copy_volume_id_is_on_by_default(vault):
    assert vault.FIDELITY['copy_volume_id'] is (os.environ.get('SNAPCOPY_MOTO_COPY_VOLUME_ID', '1') != '0')
