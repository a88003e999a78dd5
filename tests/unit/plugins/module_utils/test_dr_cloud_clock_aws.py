"""Every age and deadline of a DR run on the cloud's clock (issue 60, items 5 and 8), through real botocore against
moto's server: the run reads the cloud's time off every answer's Date header (core.cloud_clock) and judges the copies'
ages against max_copy_age_days, the newest snapshot's against max_snapshot_age_hours and the RPO by it. The controller's
clock (the run's ``now``) is days off the cloud's; moto's Date is this machine's clock, moved by the suites' ebs_vault
CLOCK where a test moves the cloud on."""

from __future__ import annotations

import datetime

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.fresh import FRESH_TAG
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import backends

KEYS = {'access_key': 'AKIASNAPCOPYCLOCK001', 'secret_key': 'snapcopy-clock-secret'}
ACCOUNT = '123456789012'  # moto's default account: the keys name no other
DAY = datetime.timedelta(days=1)
# moto keeps one state per process: regions no other test uses, which the oldest botocore knows (moto serves only those).
SOURCE, DR_REGION = 'cn-north-1', 'cn-northwest-1'


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture
def cloud_clock():
    """The suites' moto server's clock (ebs_vault.CLOCK): its answers' Date headers, moved on by a test, put back after."""
    ebs_vault.CLOCK['offset'] = 0.0
    yield ebs_vault.CLOCK
    ebs_vault.CLOCK['offset'] = 0.0


def tagged_disk(url, region, tag_value):
    ec2 = ec2_with(url, KEYS, region)
    return ec2.create_volume(
        Size=1,
        AvailabilityZone=region + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'clock', 'Value': tag_value}]}],
    )['VolumeId']


def snapshot_of(url, region, volume, age):
    """A completed snapshot of ``volume`` made ``age`` ago by this machine's clock (moto's, with no CLOCK offset)."""
    snapshot_id = ec2_with(url, KEYS, region).create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    aged(region, snapshot_id, age)
    return snapshot_id


def aged(region, snapshot_id, age):
    """moto's StartTime of ``snapshot_id`` set ``age`` back (moto's times are naive UTC)."""
    backends(ACCOUNT, region).snapshots[snapshot_id].start_time = (utc_now() - age).replace(tzinfo=None)


def run(url, source, dr_region, tag_value, now, **options):
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))
    return dr_run_with(
        adapter, scope('aws', source, [dr_region], {'clock': tag_value}, **options), now=now, clock=FakeClock()
    )


def copies(report):
    return [copy for disk in report['disks'] for copy in disk['copies']]


def three_copies_one_to_three_days_old(url, source, dr_region, tag_value):
    """A disk with a DR copy of each of its three snapshots, made 3, 2 and 1 day ago by the cloud's clock: the ids,
    oldest first."""
    volume = tagged_disk(url, source, tag_value)
    made = []
    for days in (3, 2, 1):
        snapshot_of(url, source, volume, days * DAY + datetime.timedelta(hours=1))
        (copy,) = copies(run(url, source, dr_region, tag_value, utc_now()))
        assert copy['action'] == 'copied', copy
        aged(dr_region, copy['snapshot_id'], days * DAY)
        made.append(copy['snapshot_id'])
    return made


def test_a_controller_ten_days_ahead_prunes_no_copy_younger_than_max_copy_age_days_by_the_clouds_clock(
    moto_url, cloud_clock
):
    """Item 5: copies 1-3 days old by the cloud are 11-13 days old by a controller 10 days ahead; under
    max_copy_age_days 7 none goes. Ten days on by the cloud's clock, with the controller right, the two older go."""
    source, dr_region = SOURCE, DR_REGION
    made = three_copies_one_to_three_days_old(moto_url, source, dr_region, 'ahead')
    ahead = run(moto_url, source, dr_region, 'ahead', utc_now() + 10 * DAY, prune=True, max_copy_age_days=7)
    (disk,) = ahead['disks']
    assert disk['pruned'] == [] and ahead['totals']['pruned'] == 0, disk['pruned']
    assert sorted(kept['snapshot_id'] for kept in disk['kept']) == sorted(made)
    # The controller's clock is named once, with how far it is off and that ages are the cloud's.
    (skew,) = [warning for warning in ahead['run_warnings'] if "controller's clock" in warning]
    assert skew.startswith("this controller's clock is 10 days 0 h 0 min ahead of the cloud's"), skew

    cloud_clock['offset'] = (10 * DAY).total_seconds()
    later = run(moto_url, source, dr_region, 'ahead', utc_now() + 10 * DAY, prune=True, max_copy_age_days=7)
    (disk,) = later['disks']
    assert sorted(pruned['snapshot_id'] for pruned in disk['pruned']) == sorted(made[:2])
    assert not [warning for warning in later['run_warnings'] if "controller's clock" in warning]


def test_a_controller_two_days_behind_takes_a_fresh_snapshot_of_a_disk_30_hours_old_and_reports_it_over_the_rpo(
    moto_url, cloud_clock
):
    """Item 8: the disk's newest snapshot is 30 hours old by the cloud, 6 hours in the future by a controller two days
    behind; under max_snapshot_age_hours (the RPO) 24 the run takes a fresh snapshot, and its report stands the copy of
    the 30-hour-old snapshot over the RPO."""
    source, dr_region = SOURCE, DR_REGION
    volume = tagged_disk(moto_url, source, 'behind')
    old = snapshot_of(moto_url, source, volume, datetime.timedelta(hours=30))
    # The fresh snapshot stays in flight (as EBS's take minutes): the run copies the 30-hour-old one meanwhile.
    ebs_vault.HELD_VOLUMES.add((ACCOUNT, source, volume))
    try:
        report = run(moto_url, source, dr_region, 'behind', utc_now() - 2 * DAY, wait=False, max_snapshot_age_hours=24)
    finally:
        ebs_vault.HELD_VOLUMES.discard((ACCOUNT, source, volume))
    (disk,) = report['disks']
    assert disk['source_snapshot']['id'] == old and 29.9 <= disk['source_snapshot']['age_hours'] <= 30.1, disk
    assert disk['fresh_snapshot']['action'] == 'created' and report['totals']['fresh_snapshots'] == 1, disk
    (copy,) = disk['copies']
    assert copy['standing'] == 'over_rpo' and 29.9 <= copy['recovery_point_age_hours'] <= 30.1, copy
    assert report['protection']['status'] == 'at risk'
    fresh = [
        snapshot
        for snapshot in ec2_with(moto_url, KEYS, source).describe_snapshots(
            Filters=[{'Name': 'volume-id', 'Values': [volume]}]
        )['Snapshots']
        if snapshot['SnapshotId'] != old
    ]
    assert [snapshot['SnapshotId'] for snapshot in fresh] == [disk['fresh_snapshot']['id']]
    # It carries the run's stamp, by which a run whose answer was lost finds it rather than making another.
    assert FRESH_TAG in {tag['Key'] for tag in fresh[0].get('Tags', [])}, fresh[0]
    (skew,) = [warning for warning in report['run_warnings'] if "controller's clock" in warning]
    assert skew.startswith("this controller's clock is 2 days 0 h 0 min behind the cloud's"), skew
