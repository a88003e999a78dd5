"""EBS snapshot locks through real botocore against moto's server with the suites' lock layer (ebs_locks.py, held to
botocore's EC2 model): the DR run locks each copy once, the rerun changes nothing, pruning keeps a locked copy, and the
layer refuses what EC2 refuses."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_ebs_restore import (
    adapter,
    ec2,
    tagged_disk,
)


def lock_client(url, region, validate=True):
    """An EC2 client on the collection's trimmed model, which has the lock calls on any botocore (the oldest's own model
    has none); ``validate=False`` lets through what botocore would refuse itself, to ask the layer."""
    client = adapter(url).client.ec2(region)
    client.meta.config.parameter_validation = validate
    return client


def dr_run(url, tag_value, clock, **options):
    return dr_run_with(
        adapter(url), scope('aws', 'us-east-1', ['eu-west-1'], {'drill': tag_value}, **options), clock=clock
    )


def test_an_aws_dr_run_locks_each_copy_once_and_the_rerun_changes_nothing(moto_url):
    tagged_disk(moto_url, 'aws-lock')
    clock = FakeClock()
    lock = {'mode': 'compliance', 'duration_days': 3, 'cool_off_hours': 2}
    report = dr_run(moto_url, 'aws-lock', clock, lock=lock)
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert (
        copy['lock']['action'] == 'locked'
        and copy['lock']['status'] == 'compliance-cooloff'
        and copy['lock']['mode'] == 'compliance'
    )
    (info,) = lock_client(moto_url, 'eu-west-1').describe_locked_snapshots(SnapshotIds=[copy['snapshot_id']])[
        'Snapshots'
    ]
    assert info['LockState'] == 'compliance-cooloff' and info['LockDuration'] == 3 and info['CoolOffPeriod'] == 2
    assert copy['lock']['expires'] == info['LockExpiresOn'].isoformat()
    again = dr_run(moto_url, 'aws-lock', clock, lock=lock)
    assert not again['changed'] and [copy['lock']['action'] for disk in again['disks'] for copy in disk['copies']] == [
        'in_force'
    ]


def test_aws_pruning_keeps_a_locked_copy_and_sends_it_no_delete(moto_url):
    disk_id = tagged_disk(moto_url, 'aws-lock-prune')
    clock = FakeClock()
    first = dr_run(moto_url, 'aws-lock-prune', clock, lock={'mode': 'governance', 'duration_days': 1})
    (old_copy,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    time.sleep(1.1)  # moto's StartTime counts whole seconds: the later snapshot must be the newer one
    ec2(moto_url, 'us-east-1').create_snapshot(VolumeId=disk_id, Description='nightly, later')
    clock.now += 3600
    report = dr_run(moto_url, 'aws-lock-prune', clock, prune=True, keep_copies=1)
    (disk,) = report['disks']
    # The layer refuses a delete of a locked snapshot: had one been sent, it would be a failure of the run.
    assert disk['pruned'] == [] and not report['failures']
    (kept,) = [kept for kept in disk['kept'] if kept.get('reason') == 'locked']
    assert kept['snapshot_id'] == old_copy and kept['lock']['mode'] == 'governance'
    assert old_copy in {
        item['SnapshotId'] for item in ec2(moto_url, 'eu-west-1').describe_snapshots(OwnerIds=['self'])['Snapshots']
    }


@pytest.mark.parametrize(
    'arguments, code',
    [
        (
            {'LockMode': 'governance', 'LockDuration': 1, 'ExpirationDate': '2030-01-01T00:00:00Z'},
            'InvalidParameterCombination',
        ),
        ({'LockMode': 'governance'}, 'InvalidParameterCombination'),
        ({'LockMode': 'governance', 'LockDuration': 1, 'CoolOffPeriod': 1}, 'InvalidParameterCombination'),
        ({'LockMode': 'compliance', 'LockDuration': 36501}, 'InvalidParameterValue'),
    ],
)
def test_the_lock_layer_refuses_what_the_ec2_model_and_guide_refuse(moto_url, arguments, code):
    disk_id = tagged_disk(moto_url, 'aws-lock-refusals')
    (snapshot,) = ec2(moto_url, 'us-east-1').describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': [disk_id]}])[
        'Snapshots'
    ][-1:]
    client = lock_client(moto_url, 'us-east-1', validate=False)
    with pytest.raises(ClientError) as raised:
        client.lock_snapshot(SnapshotId=snapshot['SnapshotId'], **arguments)
    assert raised.value.response['Error']['Code'] == code


def test_a_locked_snapshot_cannot_be_deleted_until_its_lock_is_gone(moto_url):
    disk_id = tagged_disk(moto_url, 'aws-lock-delete')
    east = lock_client(moto_url, 'us-east-1')
    snapshot_id = east.describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': [disk_id]}])['Snapshots'][-1][
        'SnapshotId'
    ]
    assert (
        east.lock_snapshot(SnapshotId=snapshot_id, LockMode='governance', LockDuration=1)['LockState'] == 'governance'
    )
    with pytest.raises(ClientError) as raised:
        east.delete_snapshot(SnapshotId=snapshot_id)
    assert raised.value.response['Error']['Code'] == 'SnapshotLocked'
    with pytest.raises(ClientError) as raised:
        east.lock_snapshot(SnapshotId='snap-00000000000000000', LockMode='governance', LockDuration=1)
    assert raised.value.response['Error']['Code'] == 'InvalidSnapshot.NotFound'


@pytest.fixture
def denied():
    """The (account, action) pairs the emulator answers as a policy that lacks them (UnauthorizedOperation)."""
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import DENIED  # pylint: disable=import-outside-toplevel

    yield DENIED
    DENIED.clear()


def test_aws_pruning_without_the_lock_read_permission_deletes_and_keeps_a_copy_the_cloud_keeps_locked(moto_url, denied):
    """A policy written before locks (no ec2:DescribeLockedSnapshots) and a run that prunes without lock: the run does
    not fail; the unlocked older copy goes, the locked one (which EC2 refuses to delete) is kept, and a warning says
    why."""
    disk_id = tagged_disk(moto_url, 'aws-lock-unread')
    clock = FakeClock()
    first = dr_run(moto_url, 'aws-lock-unread', clock, lock={'mode': 'governance', 'duration_days': 1})
    (locked,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    copies = [locked]
    for number in (1, 2):
        time.sleep(1.1)  # moto's StartTime counts whole seconds: the later snapshot must be the newer one
        ec2(moto_url, 'us-east-1').create_snapshot(VolumeId=disk_id, Description='nightly %d' % number)
        clock.now += 3600
        if number == 2:
            denied.add(('123456789012', 'DescribeLockedSnapshots'))
        report = dr_run(moto_url, 'aws-lock-unread', clock, prune=number == 2, keep_copies=1)
        copies += [copy['snapshot_id'] for disk in report['disks'] for copy in disk['copies']]
    (disk,) = report['disks']
    assert not report['failures'], report['failures']
    assert {(pruned['snapshot_id'], pruned['action']) for pruned in disk['pruned']} == {
        (copies[1], 'deleted'),
        (locked, 'kept_refused'),
    }
    assert any(
        'could not read the locks' in warning and 'UnauthorizedOperation' in warning
        for warning in report['run_warnings']
    )
    left = {
        item['SnapshotId'] for item in ec2(moto_url, 'eu-west-1').describe_snapshots(OwnerIds=['self'])['Snapshots']
    }
    assert locked in left and copies[2] in left and copies[1] not in left


ACCOUNT = '123456789012'  # moto's account of the suites' keys


@pytest.fixture
def vault():
    """The suites' EBS layer over moto (ebs_vault.py), with HELD_COPIES (copies left pending until a test completes
    them) and HOLLOW (a lock answered and not kept) emptied after the test."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault

    yield ebs_vault
    ebs_vault.HELD_COPIES.clear()
    ebs_vault.HOLLOW.clear()


def held_copy(url, vault, tag_value, region):
    """A copy in ``region`` of a new disk's snapshot, left pending by the layer."""
    disk_id = tagged_disk(url, tag_value)
    (source,) = ec2(url, 'us-east-1').describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': [disk_id]}])[
        'Snapshots'
    ]
    vault.HELD_COPIES.add((ACCOUNT, region))
    copy_id = ec2(url, region).copy_snapshot(SourceSnapshotId=source['SnapshotId'], SourceRegion='us-east-1')[
        'SnapshotId'
    ]
    assert ec2(url, region).describe_snapshots(SnapshotIds=[copy_id])['Snapshots'][0]['State'] == 'pending'
    return copy_id


def test_the_lock_layer_locks_a_pending_snapshot_from_its_completion_and_keeps_it_from_deletion(moto_url, vault):
    """The EBS guide ("Lock a snapshot", "Snapshot lock considerations"): a pending snapshot can be locked; its lock's
    duration starts once it is completed (LockedSnapshotsInfo.LockDurationStartTime), it cannot be deleted while
    pending, and the lock of one whose creation fails is cancelled. Only a pending or completed snapshot can be
    locked."""
    region = 'ap-southeast-2'
    west = lock_client(moto_url, region)
    copy_id = held_copy(moto_url, vault, 'aws-lock-pending', region)
    answer = west.lock_snapshot(SnapshotId=copy_id, LockMode='governance', LockDuration=2)
    assert answer['LockState'] == 'governance' and answer['LockCreatedOn'] and answer['LockDuration'] == 2
    assert 'LockExpiresOn' not in answer and 'LockDurationStartTime' not in answer
    (info,) = west.describe_locked_snapshots(SnapshotIds=[copy_id])['Snapshots']
    assert info['LockState'] == 'governance' and 'LockExpiresOn' not in info
    with pytest.raises(ClientError) as raised:
        ec2(moto_url, region).delete_snapshot(SnapshotId=copy_id)
    assert raised.value.response['Error']['Code'] == 'SnapshotLocked'

    completed = time.time() + 3600
    vault.complete_snapshot(ACCOUNT, region, copy_id, now=completed)
    (info,) = west.describe_locked_snapshots(SnapshotIds=[copy_id])['Snapshots']
    assert info['LockDurationStartTime'].timestamp() == pytest.approx(completed, abs=1)
    assert info['LockExpiresOn'].timestamp() == pytest.approx(completed + 2 * 86400, abs=1)

    failing = held_copy(moto_url, vault, 'aws-lock-pending-fails', region)
    west.lock_snapshot(SnapshotId=failing, LockMode='compliance', LockDuration=2, CoolOffPeriod=1)
    vault.fail_snapshot(ACCOUNT, region, failing)
    assert not west.describe_locked_snapshots(SnapshotIds=[failing])['Snapshots']
    with pytest.raises(ClientError) as raised:
        west.lock_snapshot(SnapshotId=failing, LockMode='governance', LockDuration=1)
    assert raised.value.response['Error']['Code'] == 'IncorrectState'


def test_an_aws_run_without_wait_locks_each_copy_in_flight_and_nobody_can_delete_it(moto_url, vault):
    """Issue 37, point 7: without wait, the copy the run makes is locked in the same run, while in flight, read back,
    and reported locked; a person who holds the account cannot delete it; its lock's duration counts from its
    completion."""
    region = 'ap-northeast-1'
    tagged_disk(moto_url, 'aws-lock-in-flight')
    vault.HELD_COPIES.add((ACCOUNT, region))
    clock = FakeClock()
    lock = {'mode': 'compliance', 'duration_days': 3, 'cool_off_hours': 1}
    report = dr_run(moto_url, 'aws-lock-in-flight', clock, dr_regions=[region], wait=False, lock=lock)
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['state'] == 'pending' and not report['failures']
    assert (
        copy['lock']['action'] == 'locked'
        and copy['lock']['status'] == 'compliance-cooloff'
        and copy['lock']['expires'] is None
    )
    assert report['totals']['locked'] == 1
    (info,) = lock_client(moto_url, region).describe_locked_snapshots(SnapshotIds=[copy['snapshot_id']])['Snapshots']
    assert info['LockState'] == 'compliance-cooloff' and info['LockDuration'] == 3
    with pytest.raises(ClientError) as raised:
        ec2(moto_url, region).delete_snapshot(SnapshotId=copy['snapshot_id'])
    assert raised.value.response['Error']['Code'] == 'SnapshotLocked'

    vault.complete_snapshot(ACCOUNT, region, copy['snapshot_id'])
    again = dr_run(moto_url, 'aws-lock-in-flight', clock, dr_regions=[region], wait=False, lock=lock)
    ((record,),) = [[copy['lock'] for copy in disk['copies']] for disk in again['disks']]
    assert record['action'] == 'in_force' and record['expires'] and not again['changed']


def test_an_aws_lock_answered_but_not_held_when_read_back_is_a_lock_failed(moto_url, vault):
    """LockSnapshot's answer is not proof (a pending copy's lock is cancelled if the copy fails): the run reads each
    lock back, and a copy whose lock is not there is lock_failed, NotLockedWhenReadBack, a failure of its disk."""
    tagged_disk(moto_url, 'aws-lock-hollow')
    vault.HOLLOW.add((ACCOUNT, 'LockSnapshot'))
    report = dr_run(
        moto_url,
        'aws-lock-hollow',
        FakeClock(),
        dr_regions=['ca-central-1'],
        lock={'mode': 'governance', 'duration_days': 1},
    )
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['lock']['action'] == 'lock_failed' and copy['lock']['error']['code'] == 'NotLockedWhenReadBack'
    assert 'holds no lock when read back' in copy['lock']['error']['message'] and report['totals']['locked'] == 0
    (failure,) = report['failures']
    assert copy['snapshot_id'] in failure and 'NotLockedWhenReadBack' in failure
    assert not lock_client(moto_url, 'ca-central-1').describe_locked_snapshots(SnapshotIds=[copy['snapshot_id']])[
        'Snapshots'
    ]
