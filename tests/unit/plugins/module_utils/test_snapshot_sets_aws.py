"""The EBS adapter's snapshot sets (issue 49, dr/capabilities.py SnapshotSetAdapter), through botocore against moto's
server and the suites' EBS layer (ebs_vault.py, which makes CreateSnapshots as EC2 does): a set is one CreateSnapshots
call of the disks of one instance, the others of the instance left out (the root volume by ExcludeBootVolume, the data
volumes by ExcludeDataVolumeIds), found again by the set tag its snapshots carry from their first moment (issue 61)."""

from __future__ import annotations

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SET_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with

ACCOUNT = '123456789012'  # moto's account of these keys
KEYS = {'access_key': 'AKIASNAPCOPYSETS0002', 'secret_key': 'snapcopy-sets-secret'}
# A region no other test of moto's server uses (moto keeps its state per process), which the oldest botocore knows; each
# test here reads only the volumes and snapshots of an instance of its own.
REGION = 'ap-south-1'


def adapter_of(url):
    return EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))


def instance_with_volumes(url, region, roles=('data', 'log')):
    """(instance id, root volume id, {role: volume id}): an instance with tagged data volumes attached."""
    client = ec2_with(url, KEYS, region)
    zone = region + 'a'
    (instance,) = client.run_instances(
        ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': zone}
    )['Instances']
    volumes = {}
    for number, role in enumerate(roles):
        volume = client.create_volume(
            Size=2,
            AvailabilityZone=zone,
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'role', 'Value': role}]}],
        )['VolumeId']
        client.attach_volume(VolumeId=volume, InstanceId=instance['InstanceId'], Device='/dev/sd%s' % 'fghij'[number])
        volumes[role] = volume
    (described,) = client.describe_instances(InstanceIds=[instance['InstanceId']])['Reservations'][0]['Instances']
    root = next(
        m['Ebs']['VolumeId'] for m in described['BlockDeviceMappings'] if m['DeviceName'] == described['RootDeviceName']
    )
    return instance['InstanceId'], root, volumes


def disks_of(adapter, region, volume_ids):
    """The Disks of ``volume_ids`` as the adapter reads them (with their instance)."""
    found = {disk.id: disk for disk in adapter.find_disks(region, {})}
    return [found[volume_id] for volume_id in volume_ids]


@pytest.fixture
def vault():
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault

    yield ebs_vault
    ebs_vault.DENIED.clear()


def test_a_set_of_data_volumes_is_one_call_and_found_again_by_its_set_tag(moto_url, moto_calls):
    instance, root, volumes = instance_with_volumes(moto_url, REGION)
    adapter = adapter_of(moto_url)
    disks = disks_of(adapter, REGION, [volumes['data'], volumes['log']])
    moto_calls.clear()
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, 'db-set', 'a set of db', {'app': 'db'})
    # The instance's volumes, its root volume among the others (left out by ExcludeBootVolume), then the one call.
    assert moto_calls == {'DescribeVolumes': 1, 'DescribeInstanceAttribute': 1, 'CreateSnapshots': 1}
    assert sorted(snapshot.volume_id for snapshot in made) == sorted([volumes['data'], volumes['log']])
    # The set's tag from the snapshots' first moment (TagSpecifications): the evidence that one call made them.
    (mark,) = {snapshot.tags.get(SET_TAG) for snapshot in made}
    assert mark and all(snapshot.tags == {'app': 'db', 'Name': 'db-set', SET_TAG: mark} for snapshot in made)
    assert {snapshot.description for snapshot in made} == {'a set of db'}
    assert set_id == REGION + '/' + made[0].tags[SET_TAG]
    # A snapshot of one member made on its own, after the set: in no set.
    alone = adapter.create_snapshot(REGION, disks[0], 'alone', 'alone', {})
    snapshots = adapter.disk_snapshots(REGION, disks)
    assert sum(len(found) for found in snapshots.values()) == 3
    moto_calls.clear()
    sets = adapter.sets.read_sets(REGION, disks, snapshots).sets
    assert moto_calls == {}  # the start times are in what disk_snapshots read
    assert sets == {snapshot.id: set_id for snapshot in made}
    assert alone.id not in sets and root not in {snapshot.volume_id for snapshot in made}
    assert instance


def test_a_set_with_the_root_volume_leaves_the_other_data_volume_out_by_its_id(moto_url, moto_calls):
    dummy, root, volumes = instance_with_volumes(moto_url, REGION)
    adapter = adapter_of(moto_url)
    disks = disks_of(adapter, REGION, [root, volumes['data']])
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, None, 'root and data', {})
    assert sorted(snapshot.volume_id for snapshot in made) == sorted([root, volumes['data']])
    snapshots = adapter.disk_snapshots(REGION, disks)
    assert adapter.sets.read_sets(REGION, disks, snapshots).sets == {snapshot.id: set_id for snapshot in made}
    # Every volume of the instance: nothing to leave out, no look for the root volume.
    every = disks_of(adapter, REGION, [root, volumes['data'], volumes['log']])
    moto_calls.clear()
    dummy, made = adapter.sets.create_snapshot_set(REGION, every, None, 'all', {})
    assert moto_calls == {'DescribeVolumes': 1, 'CreateSnapshots': 1}
    assert len(made) == 3


def test_disks_of_two_instances_or_of_none_are_refused_before_any_call(moto_url, moto_calls):
    adapter = adapter_of(moto_url)
    moto_calls.clear()
    for disks in (
        [Disk('vol-1', REGION, instance_id='i-1'), Disk('vol-2', REGION, instance_id='i-2')],
        [Disk('vol-1', REGION, instance_id='i-1'), Disk('vol-2', REGION)],
        [],
    ):
        with pytest.raises(InputError, match='one instance'):
            adapter.sets.create_snapshot_set(REGION, disks, None, 'set', {})
    assert moto_calls == {}


def test_a_disk_no_longer_attached_is_refused_before_the_set_is_made(moto_url, moto_calls):
    instance, dummy, volumes = instance_with_volumes(moto_url, REGION)
    adapter = adapter_of(moto_url)
    disks = disks_of(adapter, REGION, [volumes['data']]) + [Disk('vol-0000000000000dead', REGION, instance_id=instance)]
    moto_calls.clear()
    with pytest.raises(InputError, match='vol-0000000000000dead'):
        adapter.sets.create_snapshot_set(REGION, disks, None, 'set', {})
    assert 'CreateSnapshots' not in moto_calls


def test_a_cloud_error_is_a_cloud_error_with_code_message_and_request_id(moto_url, vault):
    dummy, root, volumes = instance_with_volumes(moto_url, REGION)
    adapter = adapter_of(moto_url)
    disks = disks_of(adapter, REGION, [root, volumes['data'], volumes['log']])
    vault.DENIED.add((ACCOUNT, 'CreateSnapshots'))
    with pytest.raises(CloudError) as caught:
        adapter.sets.create_snapshot_set(REGION, disks, None, 'set', {})
    error = caught.value
    assert (error.action, error.code, error.region) == ('CreateSnapshots', 'UnauthorizedOperation', REGION)
    assert error.message == 'You are not authorized to perform this operation.' and error.request_id


def test_one_member_of_a_set_given_is_still_of_its_set_by_its_tag(moto_url):
    # Until issue 61 a set was two or more snapshots sharing a start time, so one member alone was in none; the set tag
    # names its set whatever else is read (a group of two then finds it torn).
    dummy, dummy, volumes = instance_with_volumes(moto_url, REGION)
    adapter = adapter_of(moto_url)
    disks = disks_of(adapter, REGION, [volumes['data'], volumes['log']])
    set_id, dummy = adapter.sets.create_snapshot_set(REGION, disks, None, 'set', {})
    snapshots = adapter.disk_snapshots(REGION, disks[:1])
    assert adapter.sets.read_sets(REGION, disks[:1], snapshots).sets == {snapshots[disks[0].id][0].id: set_id}
