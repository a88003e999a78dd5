"""Copy leases on AWS (dr.leases.copies.CopyLeases), through real botocore against moto's server: two DR runs at once never
make two copies of one snapshot in one region. EC2's CopySnapshot has no idempotency token, so a run writes a lease of
its own on the source before each copy call, reads the tags back, and waits while another run's live lease names the
region."""

from __future__ import annotations

import datetime

import botocore

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import STAMP_FORMAT
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.copies import lease_key, leases_in
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    KEYS,
    SOURCE_ACCOUNT,
    client,
    copies_of,
    tagged_disk,
)

# The runs' own clocks: hours off the cloud's, which is what leases are timed by (core.cloud_clock).
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.timezone.utc)


def cloud_now():
    """The cloud's time: moto's Date headers are this machine's clock."""
    return datetime.datetime.now(datetime.timezone.utc)


def plain_run(url, tag_value, clock=None, now=NOW, **options):
    """A run of the scope in the disks' own account (no DR account), copying to eu-west-1 and us-west-2, on a controller
    whose clock says ``now``."""
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))
    return dr_run_with(
        adapter,
        scope('aws', 'us-east-1', ['eu-west-1', 'us-west-2'], {'vault': tag_value}, **dict({'wait': False}, **options)),
        now=now,
        clock=clock or FakeClock(),
    )


def source_tags(url, snapshot_id):
    answer = client(url, 'ec2', 'us-east-1').describe_snapshots(SnapshotIds=[snapshot_id])['Snapshots'][0]
    return {tag['Key']: tag['Value'] for tag in answer.get('Tags', [])}


def lease_of_another_run(url, snapshot_id, region, until):
    client(url, 'ec2', 'us-east-1').create_tags(
        Resources=[snapshot_id],
        Tags=[{'Key': lease_key('20261125T115900Z-0abcde', region), 'Value': until.strftime(STAMP_FORMAT)}],
    )


def the_other_run_copies_on_the_first_wait(url, snapshot_id, tag_value):
    """(clock, made): a run's FakeClock whose first sleep is the time the run whose lease it saw makes its copy and lets
    go of the source; ``made`` gets that run's report."""
    clock = FakeClock()
    made = []

    def sleep(seconds):
        FakeClock.sleep(clock, seconds)
        if not made:
            leases = [{'Key': key} for key in source_tags(url, snapshot_id) if key.startswith('snapcopy:copy-lease:')]
            client(url, 'ec2', 'us-east-1').delete_tags(Resources=[snapshot_id], Tags=leases)
            made.append(plain_run(url, tag_value))

    clock.sleep = sleep
    return clock, made


def test_a_run_waits_while_another_runs_lease_names_a_region_and_uses_the_copy_that_run_made(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'leased')
    lease_of_another_run(moto_url, snapshot_id, 'eu-west-1', cloud_now() + datetime.timedelta(minutes=10))
    clock, made = the_other_run_copies_on_the_first_wait(moto_url, snapshot_id, 'leased')
    report = plain_run(moto_url, 'leased', clock=clock)
    actions = {copy['region']: copy['action'] for disk in report['disks'] for copy in disk['copies']}
    # us-west-2 was free: this run copied there (and the other run, once it ran, found that copy); eu-west-1 was held:
    # the other run copied there, and this run used that copy.
    assert actions == {'eu-west-1': 'existing', 'us-west-2': 'copied'}, report['failures']
    assert {copy['region']: copy['action'] for disk in made[0]['disks'] for copy in disk['copies']} == {
        'eu-west-1': 'copied',
        'us-west-2': 'existing',
    }
    assert (
        len(copies_of(SOURCE_ACCOUNT, 'eu-west-1', snapshot_id)) == 1
        and len(copies_of(SOURCE_ACCOUNT, 'us-west-2', snapshot_id)) == 1
    )
    assert not leases_in(source_tags(moto_url, snapshot_id)), 'both runs took their leases off'


def test_a_controller_whose_clock_is_ahead_waits_for_a_lease_live_by_the_clouds_clock(moto_url):
    """Issue 46, point 3: another run's lease with 3 minutes left by the cloud's clock holds a run on a controller 4
    minutes ahead, which by its own clock would take it for lapsed and copy beside that run: it waits, and uses that
    run's copy."""
    dummy, snapshot_id = tagged_disk(moto_url, 'ahead')
    lease_of_another_run(moto_url, snapshot_id, 'eu-west-1', cloud_now() + datetime.timedelta(minutes=3))
    clock, made = the_other_run_copies_on_the_first_wait(moto_url, snapshot_id, 'ahead')
    report = plain_run(moto_url, 'ahead', clock=clock, now=cloud_now() + datetime.timedelta(minutes=4))
    actions = {copy['region']: copy['action'] for disk in report['disks'] for copy in disk['copies']}
    assert actions['eu-west-1'] == 'existing', report['failures']
    assert made, 'it waited for the lease'
    assert len(copies_of(SOURCE_ACCOUNT, 'eu-west-1', snapshot_id)) == 1, 'one copy, the other run\'s'


def test_a_controller_whose_clock_is_behind_takes_off_a_lease_lapsed_by_the_clouds_clock(moto_url):
    """A lease that lapsed a minute ago by the cloud's clock (a killed run's) holds no run on a controller 4 minutes
    behind, which by its own clock would wait three minutes more for it."""
    dummy, snapshot_id = tagged_disk(moto_url, 'behind')
    lease_of_another_run(moto_url, snapshot_id, 'eu-west-1', cloud_now() - datetime.timedelta(minutes=1))
    report = plain_run(moto_url, 'behind', now=cloud_now() - datetime.timedelta(minutes=4))
    actions = {copy['region']: copy['action'] for disk in report['disks'] for copy in disk['copies']}
    assert actions == {'eu-west-1': 'copied', 'us-west-2': 'copied'}, report['failures']
    assert not leases_in(source_tags(moto_url, snapshot_id)), 'the lapsed lease taken off, and this run\'s own'


def test_a_lease_that_lapsed_is_taken_off_and_does_not_hold_the_copy(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'lapsed')
    lease_of_another_run(
        moto_url, snapshot_id, 'eu-west-1', cloud_now() - datetime.timedelta(seconds=1)
    )  # a killed run's, over now
    report = plain_run(moto_url, 'lapsed')
    assert {copy['region']: copy['action'] for disk in report['disks'] for copy in disk['copies']} == {
        'eu-west-1': 'copied',
        'us-west-2': 'copied',
    }
    assert not report['failures'] and not leases_in(source_tags(moto_url, snapshot_id))


def test_a_lease_that_never_lapses_within_the_run_fails_the_destination_naming_the_other_run(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'stuck')
    lease_of_another_run(moto_url, snapshot_id, 'us-west-2', cloud_now() + datetime.timedelta(hours=1))
    report = plain_run(moto_url, 'stuck', wait_timeout=60)
    copies = {copy['region']: copy for disk in report['disks'] for copy in disk['copies']}
    assert copies['eu-west-1']['action'] == 'copied' and copies['us-west-2']['action'] == 'not_copied'
    assert copies['us-west-2']['error']['code'] == 'CopyHeldByAnotherRun'
    assert '20261125T115900Z-0abcde' in copies['us-west-2']['error']['message']
    assert not copies_of(SOURCE_ACCOUNT, 'us-west-2', snapshot_id), 'no copy made where another run holds the lease'
    # Only the other run's lease is left: this run took its own off.
    assert [lease.run_id for dummy, dummy_region, lease in leases_in(source_tags(moto_url, snapshot_id))] == [
        '20261125T115900Z-0abcde'
    ]


def test_a_policy_without_the_tag_permission_copies_without_leases_and_says_so(moto_url):
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import DENIED  # pylint: disable=import-outside-toplevel

    tagged_disk(moto_url, 'untaggable')
    DENIED.add((SOURCE_ACCOUNT, 'CreateTags'))
    try:
        report = plain_run(moto_url, 'untaggable')
    finally:
        DENIED.clear()
    assert {copy['action'] for disk in report['disks'] for copy in disk['copies']} == {'copied'}
    assert any('copy lease' in warning and 'UnauthorizedOperation' in warning for warning in report['run_warnings']), (
        report['run_warnings']
    )
