"""The drill's disks held for the user's checks (dr_sync's restore_test_host, dr/drill_host.py) on AWS, through botocore
against moto's server and the suites' layers (the device directory shows an attached volume's data as a file): the
disks are made in the host's zone, attached, and left; dr_drill_finish's cleanup detaches and deletes them; a run killed
during the checks leaves them attached, and the first run after their time detaches and deletes them; a test disk a
person attached to another instance is never detached; a host that does not run fails the drill before any disk."""

from __future__ import annotations

import datetime
import os

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_drill import EbsDrill
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import parse_stamp
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import ATTACHED
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_HOST_TAG, RESTORE_UNTIL_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import DrillCleanup
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct, ebs_vault
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock, retry_on
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_drill_host_aws import (
    BLOCK_SIZE,
    client,
    file_blocks,
    instance,
    snapshot_data,
)

KEYS = {'access_key': 'AKIASNAPCOPYDRILLHST', 'secret_key': 'snapcopy-drill-host-secret'}
SELECTOR = {'checks': 'yes'}


@pytest.fixture
def devices(tmp_path, monkeypatch):
    folder = tmp_path / 'devices'
    monkeypatch.setenv(ebs_direct.DEVICE_DIR_VARIABLE, str(folder))
    return folder


def adapter(url):
    return EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))


def tagged_disk(url, region, written):
    """A tagged 1 GiB volume in ``region`` with data in the blocks ``written``, and its completed snapshot."""
    ec2 = client(url, 'ec2', region)
    volume = ec2.create_volume(
        Size=1,
        AvailabilityZone=region + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'checks', 'Value': 'yes'}]}],
    )['VolumeId']
    ebs_direct.write_blocks(volume, written)
    return volume, ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']


def run(url, source, dr_region, now=None, **options):
    options = dict({'restore_test': True, 'restore_test_timeout': 60}, **options)
    return dr_run_with(
        adapter(url),
        scope('aws', source, [dr_region], SELECTOR, **options),
        connection=dict(KEYS, endpoint_url=url),
        clock=FakeClock(),
        **({'now': now} if now is not None else {}),
    )


def volumes(url, region):
    return {volume['VolumeId']: volume for volume in client(url, 'ec2', region).describe_volumes()['Volumes']}


def finish(url, run_id, region, warnings):
    """dr_drill_finish's cleanup of the drill ``run_id`` in ``region``: its records; its warnings go to ``warnings``."""
    clock = FakeClock()
    return DrillCleanup(
        adapter(url).drill,
        retry_on(clock).until(clock.clock() + 600),
        run=run_id,
        now=datetime.datetime.now(datetime.timezone.utc),
        check_mode=False,
        warnings=warnings,
    ).delete_run(region)


def test_the_drills_disk_is_made_in_the_hosts_zone_attached_and_left_for_the_checks(moto_url, devices):
    source, dr_region = 'eu-west-2', 'eu-west-3'
    volume, snapshot = tagged_disk(moto_url, source, [3, 700])
    host = instance(moto_url, dr_region, dr_region + 'c')
    report = run(moto_url, source, dr_region, restore_test_host={'instance_id': host})
    assert not report['failures'], report['failures']
    restore = report['restore']
    (held,) = restore['held']
    assert held['result'] == 'passed' and held['held'] is True and held['zone'] == dr_region + 'c'
    assert held['attached_to'] == host and held['device'].startswith('/dev/sd')
    assert restore['validation'] == {'state': 'pending', 'instance_id': host}
    # The disk is there, attached, tagged with the one instance it may be detached from, and its data are the source's.
    disk = volumes(moto_url, dr_region)[held['test_disk_id']]
    assert disk['Attachments'][0]['InstanceId'] == host and disk['Attachments'][0]['State'] == 'attached'
    assert {tag['Key']: tag['Value'] for tag in disk['Tags']}[RESTORE_HOST_TAG] == host
    expected = snapshot_data(moto_url, source, snapshot)
    assert file_blocks(os.path.join(devices, held['test_disk_id'])) == expected
    assert len(expected) >= 2 and all(len(data) == BLOCK_SIZE for data in expected.values())

    # dr_drill_finish's cleanup: detached, then deleted; the device file goes with the attachment.
    warnings = []
    (record,) = finish(moto_url, restore['run_id'], dr_region, warnings)
    assert record == {
        'region': dr_region,
        'test_disk_id': held['test_disk_id'],
        'copy_id': held['copy_id'],
        'action': 'deleted',
    }
    assert held['test_disk_id'] not in volumes(moto_url, dr_region) and not warnings
    assert not os.path.exists(os.path.join(devices, held['test_disk_id']))
    del volume


def test_a_run_killed_during_the_checks_leaves_disks_the_first_run_after_their_time_removes(moto_url, devices):
    source, dr_region = 'eu-central-2', 'eu-north-1'
    tagged_disk(moto_url, source, [1])
    host = instance(moto_url, dr_region, dr_region + 'a')
    # The checks never end: dr_drill_finish never runs (the controller was killed).
    # Its controller's clock is ten days behind the cloud's: the disk's time is written by the cloud's (issue 60).
    real_now = datetime.datetime.now(datetime.timezone.utc)
    first = run(
        moto_url,
        source,
        dr_region,
        now=real_now - datetime.timedelta(days=10),
        restore_test_host={'instance_id': host, 'validate_timeout': 600},
    )
    (held,) = first['restore']['held']
    disk = volumes(moto_url, dr_region)[held['test_disk_id']]
    until = parse_stamp(next(tag['Value'] for tag in disk['Tags'] if tag['Key'] == RESTORE_UNTIL_TAG))
    started = parse_time(first['generated_at'])
    assert abs((started - real_now).total_seconds()) < 60, first['generated_at']
    # Its time counts the checks' 600 s: a run before it leaves the disk where it is.
    assert 600 <= (until - started).total_seconds() < 3 * 3600
    # The runs after it are judged by the cloud's clock (moved to 30 s before the disk's time, then 30 s after), on
    # controllers a day off the other way.
    try:
        ebs_vault.CLOCK['offset'] = (until - datetime.timedelta(seconds=30) - real_now).total_seconds()
        soon = run(moto_url, source, dr_region, now=until + datetime.timedelta(days=1))
        assert [(record['test_disk_id'], record['action']) for record in soon['restore']['leftovers']] == [
            (held['test_disk_id'], 'left_until')
        ]
        assert volumes(moto_url, dr_region)[held['test_disk_id']]['Attachments'][0]['State'] == ATTACHED
        ebs_vault.CLOCK['offset'] = (until + datetime.timedelta(seconds=30) - real_now).total_seconds()
        later = run(moto_url, source, dr_region, now=until - datetime.timedelta(days=1))
    finally:
        ebs_vault.CLOCK['offset'] = 0.0
    left = {record['test_disk_id']: record['action'] for record in later['restore']['leftovers']}
    assert left[held['test_disk_id']] == 'deleted', later['restore']['leftovers']
    assert held['test_disk_id'] not in volumes(moto_url, dr_region)
    assert not os.path.exists(os.path.join(devices, held['test_disk_id']))


def test_a_test_disk_a_person_attached_to_another_instance_is_never_detached(moto_url, devices):
    source, dr_region = 'ap-east-1', 'ap-south-1'
    tagged_disk(moto_url, source, [2])
    first = run(
        moto_url, source, dr_region, restore_test_host={'instance_id': instance(moto_url, dr_region, dr_region + 'a')}
    )
    (held,) = first['restore']['held']
    ec2 = client(moto_url, 'ec2', dr_region)
    ec2.detach_volume(VolumeId=held['test_disk_id'], InstanceId=held['attached_to'])
    # A person reads the disk on an instance of theirs.
    theirs = instance(moto_url, dr_region, dr_region + 'a')
    ec2.attach_volume(VolumeId=held['test_disk_id'], InstanceId=theirs, Device='/dev/sdz')
    warnings = []
    (record,) = finish(moto_url, first['restore']['run_id'], dr_region, warnings)
    assert record['action'] == 'delete_failed'
    assert volumes(moto_url, dr_region)[held['test_disk_id']]['Attachments'][0]['InstanceId'] == theirs
    assert any(theirs in warning and 'not by the drill' in warning for warning in warnings)


def test_a_refused_detach_keeps_the_disk_says_why_and_the_next_cleanup_ends_it(moto_url, devices):
    """The policy lacks ec2:DetachVolume: dr_drill_finish cannot detach the drill's disk from its host. The disk stays
    attached and is not deleted, the record says the deletion failed, and a warning names the disk, the host and EC2's
    code. With the permission back, the next cleanup detaches and deletes it."""
    source, dr_region = 'ca-central-1', 'af-south-1'
    tagged_disk(moto_url, source, [5])
    host = instance(moto_url, dr_region, dr_region + 'a')
    first = run(moto_url, source, dr_region, restore_test_host={'instance_id': host})
    (held,) = first['restore']['held']

    warnings = []
    ebs_vault.DENIED.add(('123456789012', 'DetachVolume'))
    try:
        (record,) = finish(moto_url, first['restore']['run_id'], dr_region, warnings)
    finally:
        ebs_vault.DENIED.clear()
    assert record['action'] == 'delete_failed'
    assert volumes(moto_url, dr_region)[held['test_disk_id']]['Attachments'][0]['InstanceId'] == host
    (warning,) = warnings
    assert warning.startswith('could not detach test disk %s from %s: ' % (held['test_disk_id'], host)), warning
    assert 'UnauthorizedOperation' in warning
    (record,) = finish(moto_url, first['restore']['run_id'], dr_region, warnings)
    assert record['action'] == 'deleted' and held['test_disk_id'] not in volumes(moto_url, dr_region)


def test_a_host_that_does_not_run_fails_the_drill_of_its_region_before_any_disk(moto_url, devices):
    source, dr_region = 'us-east-2', 'ap-northeast-1'
    tagged_disk(moto_url, source, [2])
    host = instance(moto_url, dr_region, dr_region + 'a')
    client(moto_url, 'ec2', dr_region).stop_instances(InstanceIds=[host])
    before = set(volumes(moto_url, dr_region))
    report = run(moto_url, source, dr_region, restore_test_host={'instance_id': host})
    assert any('restore_test_host' in failure and 'stopped' in failure for failure in report['failures'])
    assert not report['restore']['tests'] and set(volumes(moto_url, dr_region)) - before == set()


@pytest.mark.parametrize(
    ('host', 'message'),
    [
        ({'instance_id': ' '}, 'needs instance_id'),
        ({'instance_id': 'i-1', 'region': 'us-east-2'}, 'needs region, the DR region of instance i-1'),
        ({'instance_id': 'i-1', 'validate_timeout': 5}, 'restore_test_host.validate_timeout: must be from 10'),
    ],
)
def test_restore_test_host_refuses_what_cannot_work_before_any_call(moto_url, host, message):
    with pytest.raises(InputError, match=message):
        run(moto_url, 'us-west-1', 'us-west-2', restore_test_host=host)


def test_a_host_without_a_drill_is_refused_rather_than_ignored(moto_url):
    with pytest.raises(InputError, match='set restore_test too'):
        run(moto_url, 'us-west-1', 'us-west-2', restore_test=False, restore_test_host={'instance_id': 'i-1'})


def test_a_zone_named_for_the_hosts_region_is_refused():
    with pytest.raises(InputError, match='give no zone for us-west-2'):
        settings = dr_settings(
            scope(
                'aws',
                'us-west-1',
                ['us-west-2'],
                SELECTOR,
                restore_test=True,
                restore_test_zones={'us-west-2': 'us-west-2b'},
                restore_test_host={'instance_id': 'i-1'},
            )
        )
        # pylint: disable-next=import-outside-toplevel
        from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import check_restore_settings

        check_restore_settings(settings, EbsDrill(EbsAdapter.__new__(EbsAdapter)))
