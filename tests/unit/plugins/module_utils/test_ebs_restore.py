"""The restore drill on AWS through real botocore: moto's server (in this process, real HTTP on loopback) for the
calls and their effect, botocore's Stubber for the volume states moto never shows (creating for a while, error)."""

from __future__ import annotations

import datetime
import time

import botocore
import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_drill import volume_disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import USABLE
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import FAILED, PENDING, CopyRequest, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_TAG,
    DISK_TAG,
    RESTORE_RUN_TAG,
    RESTORE_TESTED_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import TEST_DISK_PREFIX
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock

KEYS = {'access_key': 'AKIASNAPCOPYRESTORE1', 'secret_key': 'snapcopy-restore-secret'}


def ec2(url, region):
    session = botocore.session.Session()
    session.set_credentials(KEYS['access_key'], KEYS['secret_key'])
    return session.create_client('ec2', region_name=region, endpoint_url=url)


def adapter(url):
    return EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))


def tagged_disk(url, tag_value):
    source = ec2(url, 'us-east-1')
    volume = source.create_volume(
        Size=3,
        AvailabilityZone='us-east-1a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'drill', 'Value': tag_value}]}],
    )
    source.create_snapshot(VolumeId=volume['VolumeId'], Description='nightly')
    return volume['VolumeId']


def test_a_test_volume_is_made_from_the_copy_found_by_its_tag_and_deleted(moto_url):
    aws = adapter(moto_url)
    west = ec2(moto_url, 'us-west-2')
    volume = west.create_volume(Size=2, AvailabilityZone='us-west-2a')
    copy_id = west.create_snapshot(VolumeId=volume['VolumeId'])['SnapshotId']
    copy = Snapshot(copy_id, 'us-west-2', 'completed', size=2)
    zones = aws.drill.restore_zones('us-west-2', 'gp3')
    assert zones == sorted(zones) and zones[0] == 'us-west-2a'
    tags = {RESTORE_RUN_TAG: 'run-1', 'snapcopy:restore-scope': 'scope', 'snapcopy:restore-copy': copy_id}
    made = aws.drill.create_test_disk(
        'us-west-2', zones[0], copy, 'gp3', TEST_DISK_PREFIX + 'run-1', tags, 'snapcopy-token-1'
    )
    seen = west.describe_volumes(VolumeIds=[made.id])['Volumes'][0]
    assert (seen['SnapshotId'], seen['VolumeType'], seen['AvailabilityZone'], seen['Size']) == (
        copy_id,
        'gp3',
        'us-west-2a',
        2,
    )
    assert {tag['Key']: tag['Value'] for tag in seen['Tags']} == dict(tags, Name=TEST_DISK_PREFIX + 'run-1')
    # (moto does not keep CreateVolume's ClientToken, which EC2 does: the Stubber test below shows it is sent.)
    assert [disk.id for disk in aws.drill.find_test_disks('us-west-2')] == [made.id]
    described = aws.drill.describe_test_disks('us-west-2', [made.id, 'vol-0123456789abcdef0'])
    assert list(described) == [made.id] and described[made.id].state == USABLE
    assert described[made.id].name == TEST_DISK_PREFIX + 'run-1' and described[made.id].snapshot_id == copy_id
    aws.tag_copy(copy, {RESTORE_TESTED_TAG: '20261122T181400Z'})
    marked = west.describe_snapshots(SnapshotIds=[copy_id])['Snapshots'][0]
    assert {tag['Key']: tag['Value'] for tag in marked['Tags']}[RESTORE_TESTED_TAG] == '20261122T181400Z'
    aws.drill.delete_test_disk('us-west-2', made.id)
    assert aws.drill.find_test_disks('us-west-2') == []
    with pytest.raises(CloudError) as caught:
        aws.drill.delete_test_disk('us-west-2', made.id)
    assert caught.value.kind == NOT_FOUND and caught.value.code == 'InvalidVolume.NotFound'


def test_a_dr_run_with_a_drill_on_aws_leaves_no_volume_behind(moto_url):
    disk_id = tagged_disk(moto_url, 'aws-drill')
    options = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': ['eu-west-1'],
        'tag_selector': {'drill': 'aws-drill'},
        'prune': False,
        'wait': True,
        'wait_timeout': 600,
        'poll_interval': 1,
        'restore_test': True,
    }
    clock = FakeClock()
    report = dr_run_with(adapter(moto_url), options, clock=clock)
    (test,) = report['restore']['tests']
    assert test['result'] == 'passed' and test['disk_id'] == disk_id and test['zone'] == 'eu-west-1a'
    assert test['test_disk']['action'] == 'deleted' and not report['failures']
    volumes = ec2(moto_url, 'eu-west-1').describe_volumes(Filters=[{'Name': 'tag-key', 'Values': [RESTORE_RUN_TAG]}])[
        'Volumes'
    ]
    assert volumes == []
    copy = ec2(moto_url, 'eu-west-1').describe_snapshots(SnapshotIds=[test['copy_id']])['Snapshots'][0]
    assert RESTORE_TESTED_TAG in {tag['Key'] for tag in copy['Tags']}


def test_on_aws_a_dr_copy_names_itself_and_a_persons_copy_of_it_with_every_tag_is_never_pruned(moto_url):
    """Issue 24: EC2 links no copy to its source. A person's copy of a DR copy, made with the DR copy's tags, was
    taken for a DR copy of the disk and pruned. The DR run now writes each copy's own id on it (snapcopy:copy)."""
    disk_id = tagged_disk(moto_url, 'aws-mark')
    options = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': ['eu-west-1'],
        'tag_selector': {'drill': 'aws-mark'},
        'prune': True,
        'keep_copies': 1,
        'wait': True,
        'wait_timeout': 600,
        'poll_interval': 1,
    }
    clock = FakeClock()
    report = dr_run_with(adapter(moto_url), options, clock=clock)
    (copy_id,) = [entry['snapshot_id'] for disk in report['disks'] for entry in disk['copies']]
    west = ec2(moto_url, 'eu-west-1')
    tags = {tag['Key']: tag['Value'] for tag in west.describe_snapshots(SnapshotIds=[copy_id])['Snapshots'][0]['Tags']}
    assert tags[COPY_TAG] == copy_id and tags[DISK_TAG] == 'us-east-1/' + disk_id
    persons = west.copy_snapshot(
        SourceRegion='eu-west-1',
        SourceSnapshotId=copy_id,
        Description='my own copy',
        TagSpecifications=[
            {'ResourceType': 'snapshot', 'Tags': [{'Key': key, 'Value': value} for key, value in tags.items()]}
        ],
    )['SnapshotId']
    # A newer snapshot of the disk: its copy replaces the DR copy, and pruning (keep_copies 1) deletes the DR copy only.
    time.sleep(1.1)  # moto's StartTime counts whole seconds: the later snapshot must be the newer one
    ec2(moto_url, 'us-east-1').create_snapshot(VolumeId=disk_id, Description='nightly, later')
    clock.now += 3600
    report = dr_run_with(adapter(moto_url), options, clock=clock)
    assert [entry['snapshot_id'] for disk in report['disks'] for entry in disk['pruned']] == [copy_id]
    remaining = {item['SnapshotId'] for item in west.describe_snapshots(OwnerIds=['self'])['Snapshots']}
    assert persons in remaining and copy_id not in remaining


@pytest.mark.parametrize('mark_answer', ['ok', 'refused'])
def test_a_dr_copy_is_marked_from_the_worker_that_made_it_and_a_refused_mark_does_not_fail_the_copy(mark_answer):
    """A DR run's copy names itself (snapcopy:copy) with a CreateTags right after CopySnapshot. The copy is made
    whatever that call answers: a failure there must not turn into a failed copy, which the engine would copy again."""
    aws = EbsAdapter(AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore))
    client = aws.client.ec2('eu-west-1')
    request = CopyRequest(
        'snap-0123456789abcdef0', 'us-east-1', ['eu-west-1'], {'tags': {DISK_TAG: 'us-east-1/vol-0123456789abcdef0'}}
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            'copy_snapshot',
            {'SnapshotId': 'snap-0fedcba9876543210'},
            {'SourceRegion': 'us-east-1', 'SourceSnapshotId': 'snap-0123456789abcdef0', 'TagSpecifications': ANY},
        )
        mark = {'Resources': ['snap-0fedcba9876543210'], 'Tags': [{'Key': COPY_TAG, 'Value': 'snap-0fedcba9876543210'}]}
        if mark_answer == 'ok':
            stubber.add_response('create_tags', {}, mark)
        else:
            stubber.add_client_error('create_tags', 'UnauthorizedOperation', 'not allowed', expected_params=mark)
        (copy,) = aws.start_copy(request, ['eu-west-1']).values()
        stubber.assert_no_pending_responses()
    assert copy.id == 'snap-0fedcba9876543210'
    assert (copy.tags.get(COPY_TAG) == copy.id) is (mark_answer == 'ok')


def test_a_copy_module_s_copy_is_not_marked():
    aws = EbsAdapter(AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore))
    client = aws.client.ec2('eu-west-1')
    with Stubber(client) as stubber:
        stubber.add_response(
            'copy_snapshot',
            {'SnapshotId': 'snap-0fedcba9876543210'},
            {'SourceRegion': 'us-east-1', 'SourceSnapshotId': 'snap-0123456789abcdef0', 'TagSpecifications': ANY},
        )
        (copy,) = aws.start_copy(
            CopyRequest('snap-0123456789abcdef0', 'us-east-1', ['eu-west-1'], {}), ['eu-west-1']
        ).values()
        stubber.assert_no_pending_responses()
    assert COPY_TAG not in copy.tags


def test_a_volume_of_a_type_that_needs_more_than_the_copy_asks_for_that_size():
    aws = EbsAdapter(AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore))
    client = aws.client.ec2('us-west-2')
    with Stubber(client) as stubber:
        answer = {
            'VolumeId': 'vol-0fedcba9876543210',
            'State': 'creating',
            'Size': 125,
            'AvailabilityZone': 'us-west-2a',
            'SnapshotId': 'snap-0123456789abcdef0',
            'CreateTime': datetime.datetime(2026, 11, 22, tzinfo=datetime.timezone.utc),
        }
        stubber.add_response(
            'create_volume',
            answer,
            {
                'AvailabilityZone': 'us-west-2a',
                'SnapshotId': 'snap-0123456789abcdef0',
                'VolumeType': 'sc1',
                'Size': 125,
                'ClientToken': 'token',
                'TagSpecifications': ANY,
            },
        )
        stubber.add_response(
            'create_volume',
            dict(answer, Size=8),
            {
                'AvailabilityZone': 'us-west-2a',
                'SnapshotId': 'snap-0123456789abcdef0',
                'VolumeType': 'gp3',
                'ClientToken': 'token',
                'TagSpecifications': ANY,
            },
        )
        made = aws.drill.create_test_disk(
            'us-west-2',
            'us-west-2a',
            Snapshot('snap-0123456789abcdef0', 'us-west-2', 'completed', size=8),
            'sc1',
            'n',
            {},
            'token',
        )
        assert made.state == PENDING and made.created == '2026-11-22T00:00:00+00:00'
        aws.drill.create_test_disk(
            'us-west-2',
            'us-west-2a',
            Snapshot('snap-0123456789abcdef0', 'us-west-2', 'completed', size=8),
            'gp3',
            'n',
            {},
            'token',
        )
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    'state, expected', [('creating', PENDING), ('available', USABLE), ('in-use', USABLE), ('error', FAILED)]
)
def test_volume_states_map_to_the_drills(state, expected):
    item = {'VolumeId': 'vol-1', 'State': state, 'Tags': [{'Key': 'Name', 'Value': TEST_DISK_PREFIX + 'r'}]}
    disk = volume_disk(item, 'us-west-2')
    assert (disk.state, disk.cloud_state, disk.name) == (expected, state, TEST_DISK_PREFIX + 'r')


def test_zones_that_are_not_available_or_not_availability_zones_are_not_offered():
    aws = EbsAdapter(AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore))
    with Stubber(aws.client.ec2('us-west-2')) as stubber:
        stubber.add_response(
            'describe_availability_zones',
            {
                'AvailabilityZones': [
                    {'ZoneName': 'us-west-2b', 'State': 'available', 'ZoneType': 'availability-zone'},
                    {'ZoneName': 'us-west-2-lax-1a', 'State': 'available', 'ZoneType': 'local-zone'},
                    {'ZoneName': 'us-west-2d', 'State': 'impaired', 'ZoneType': 'availability-zone'},
                    {'ZoneName': 'us-west-2a', 'State': 'available', 'ZoneType': 'availability-zone'},
                ]
            },
            {},
        )
        assert aws.drill.restore_zones('us-west-2', 'gp3') == ['us-west-2a', 'us-west-2b']
