"""Locked DR copies through the real SDKs against fakecloud: ECS locks each copy once (LockSnapshot, read back with
DescribeLockedSnapshots), pruning sends no DeleteSnapshot for a locked copy, and CBS and ENS refuse ``lock`` before any
call. On the oldest ECS SDK (units-oldest), which has no request class for either lock action, the same calls go through
the core's CommonRequest (clouds.alibaba.client.LATER_ACTIONS), signed and checked by fakecloud alike."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import LockSettings
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import RoleWordsError
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import (
    ALIBABA,
    calls,
    dr_run,
    seed,
)

COMPLIANCE_WEEK = {'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 1}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(
        timings={name: {'snapshot_seconds': 0.3, 'copy_seconds': 0.3} for name in ('ecs', 'ens', 'cbs')}
    )
    return fakecloud_clean


def test_an_ecs_dr_run_locks_each_copy_once_and_the_rerun_sends_no_lock(cloud):
    seed(cloud, 'ecs', disks=3)
    report = dr_run(cloud, 'ecs', restore_test=False, lock=COMPLIANCE_WEEK)
    assert report['totals']['copied'] == 3 and report['totals']['locked'] == 3 and not report['failures']
    assert calls(cloud, 'ecs', 'LockSnapshot') == 3
    # One DescribeLockedSnapshots for the region's copies before locking (as soon as named, before the wait), not one
    # per copy; then the locks set, read back in one; then one read of the region after the wait.
    assert calls(cloud, 'ecs', 'DescribeLockedSnapshots') == 1 + 1 + 1
    copy_ids = [copy['snapshot_id'] for disk in report['disks'] for copy in disk['copies']]
    locks = EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url)).locks.describe_locks(
        'cn-shanghai', copy_ids
    )
    assert sorted(locks) == sorted(copy_ids)
    for disk in report['disks']:
        (copy,) = disk['copies']
        lock = copy['lock']
        assert (
            lock['action'] == 'locked'
            and lock['mode'] == 'compliance'
            and lock['status'] == 'compliance-cooloff'
            and lock['in_force']
        )
        assert lock['expires'] == locks[copy['snapshot_id']].expires and lock['cool_off_ends']

    again = dr_run(cloud, 'ecs', restore_test=False, lock=COMPLIANCE_WEEK)
    assert not again['changed'] and again['totals']['locked'] == 0
    assert {copy['lock']['action'] for disk in again['disks'] for copy in disk['copies']} == {'in_force'}
    assert calls(cloud, 'ecs', 'LockSnapshot') == 3


def test_ecs_pruning_reads_the_locks_and_sends_no_delete_for_a_locked_copy(cloud):
    (disk,) = seed(cloud, 'ecs')
    dr_run(cloud, 'ecs', restore_test=False)
    old = []
    for index in range(2):
        source = 's-old000000000000000%d' % index
        old += cloud.admin.seed(
            ecs={
                'snapshots': [
                    {
                        'region': 'cn-shanghai',
                        'source_snapshot_id': source,
                        'source_region': 'cn-hangzhou',
                        'is_copy': True,
                        'age_seconds': (9 - index) * 86400,
                        'tags': {SOURCE_TAG: 'cn-hangzhou/' + source, DISK_TAG: 'cn-hangzhou/' + disk},
                    }
                ]
            }
        )['ecs']['snapshots']
    # A person locks the oldest copy; the run itself sets no lock.
    EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url)).locks.lock_snapshot(
        'cn-shanghai', old[0], LockSettings('compliance', 30, 0)
    )

    report = dr_run(cloud, 'ecs', restore_test=False, prune=True, keep_copies=1)
    (record,) = report['disks'][0]['pruned']
    assert (record['snapshot_id'], record['action']) == (old[1], 'deleted')
    (kept,) = [kept for kept in report['disks'][0]['kept'] if kept.get('reason') == 'locked']
    assert kept['snapshot_id'] == old[0] and kept['lock']['status'] == 'compliance' and kept['lock']['expires']
    # One DeleteSnapshot, the unlocked copy's, and no refusal: none was sent for the locked one.
    deletes = cloud.admin.calls()['calls']['ecs']['DeleteSnapshot']
    assert deletes['calls'] == 1 and deletes['errors'] == 0
    assert not report['failures']


@pytest.mark.parametrize('provider, cloud_name', [('cbs', 'Tencent Cloud CBS'), ('ens', 'Alibaba Cloud ENS')])
def test_a_cloud_without_snapshot_locks_refuses_lock_before_any_call(cloud, provider, cloud_name):
    seed(cloud, provider)
    before = cloud.admin.calls()['calls']
    with pytest.raises(InputError) as raised:
        dr_run(cloud, provider, restore_test=False, lock=COMPLIANCE_WEEK)
    assert raised.value.option == 'lock'
    assert raised.value.message.startswith('%s has no API that locks a snapshot against deletion' % cloud_name)
    assert cloud.admin.calls()['calls'] == before
    # The role's user set dr_copy_lock, and is told so.
    as_the_role_says = str(RoleWordsError(raised.value))
    assert as_the_role_says.startswith('dr_copy_lock: ') and 'leave this option unset' in as_the_role_says


def ecs_locks(cloud, region, copy_ids):
    return EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url)).locks.describe_locks(region, copy_ids)


def lock_calls(cloud):
    return cloud.admin.calls()['calls']['ecs']['LockSnapshot']


def test_an_expired_ecs_lock_is_set_again_with_a_new_token_and_read_back_in_force(cloud):
    """ECS answers a ClientToken it has seen with its first answer and changes nothing: a lock set again once the last
    has expired must carry a new token, or the copy stays unlocked while the run says it locked it."""
    cloud.admin.configure(alibaba_timestamp_window_seconds=4 * 86400)
    seed(cloud, 'ecs')
    day = {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 0}
    first = dr_run(cloud, 'ecs', restore_test=False, lock=day)
    ((copy_id, lock),) = [(copy['snapshot_id'], copy['lock']) for disk in first['disks'] for copy in disk['copies']]
    assert lock['action'] == 'locked'
    cloud.admin.advance_clock(2 * 86400)
    assert not ecs_locks(cloud, 'cn-shanghai', [copy_id])[copy_id].in_force

    again = dr_run(cloud, 'ecs', restore_test=False, lock=day)
    ((record,),) = [[copy['lock'] for copy in disk['copies']] for disk in again['disks']]
    assert record['action'] == 'locked' and record['in_force'] and not again['failures']
    held = ecs_locks(cloud, 'cn-shanghai', [copy_id])[copy_id]
    assert held.in_force and held.cloud_status == 'compliance' and record['expires'] == held.expires
    assert lock_calls(cloud) == {'calls': 2, 'errors': 0, 'mutations': 2}


def test_an_ecs_lock_answered_but_not_held_is_a_lock_failed_saying_what_the_cloud_holds(cloud):
    """The report says locked only for a lock read back in force: here LockSnapshot answers as the model says and sets
    nothing (a canned answer)."""
    seed(cloud, 'ecs')
    answer = {
        'RequestId': 'canned-1',
        'LockedSnapshotInfo': {'SnapshotId': 's-canned', 'LockMode': 'compliance', 'LockStatus': 'compliance'},
    }
    cloud.admin.faults({'answers': [{'cloud': 'ecs', 'action': 'LockSnapshot', 'answer': answer}]})
    report = dr_run(cloud, 'ecs', restore_test=False, lock=COMPLIANCE_WEEK)
    ((copy,),) = [disk['copies'] for disk in report['disks']]
    lock = copy['lock']
    assert lock['action'] == 'lock_failed' and not lock['in_force'] and lock['error']['code'] == 'NotLockedWhenReadBack'
    assert 'holds no lock when read back' in lock['error']['message'] and report['totals']['locked'] == 0
    (failure,) = report['failures']
    assert copy['snapshot_id'] in failure and 'NotLockedWhenReadBack' in failure
    assert not ecs_locks(cloud, 'cn-shanghai', [copy['snapshot_id']])


def test_a_lost_ecs_lock_answer_is_resent_with_the_same_token_and_sets_one_lock(cloud):
    seed(cloud, 'ecs')
    cloud.admin.faults({'rules': [{'cloud': 'ecs', 'action': 'LockSnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    report = dr_run(cloud, 'ecs', restore_test=False, lock=COMPLIANCE_WEEK)
    assert [copy['lock']['action'] for disk in report['disks'] for copy in disk['copies']] == ['locked']
    # The resend was answered from the first call (a replay): one lock set, its cool-off not started again.
    assert lock_calls(cloud) == {'calls': 2, 'errors': 0, 'mutations': 1}
    assert [entry['answer_lost'] for entry in cloud.admin.calls()['log'] if entry['action'] == 'LockSnapshot'] == [True]


def test_a_lock_that_would_outlast_an_ecs_copys_retention_is_refused_up_front_and_per_copy(cloud):
    """A lock must expire on or before the copy's retention ends (ECS's guide "Lock a snapshot"): a lock as long as the
    retention is refused before any call, and a copy found whose retention ends before the lock would is not locked."""
    (disk,) = seed(cloud, 'ecs')
    before = cloud.admin.calls()['calls']
    for days in (10, 11):
        with pytest.raises(InputError) as raised:
            dr_run(
                cloud, 'ecs', restore_test=False, retention_days=10, lock={'mode': 'compliance', 'duration_days': days}
            )
        assert raised.value.option == 'lock' and 'not shorter than retention_days 10' in raised.value.message
    assert cloud.admin.calls()['calls'] == before

    # An older DR copy of the disk, never locked (a killed run's), made nine days ago and kept for ten.
    source = 's-old0000000000000000'
    (old,) = cloud.admin.seed(
        ecs={
            'snapshots': [
                {
                    'region': 'cn-shanghai',
                    'source_snapshot_id': source,
                    'source_region': 'cn-hangzhou',
                    'is_copy': True,
                    'retention_days': 10,
                    'age_seconds': 9 * 86400,
                    'tags': {SOURCE_TAG: 'cn-hangzhou/' + source, DISK_TAG: 'cn-hangzhou/' + disk},
                }
            ]
        }
    )['ecs']['snapshots']
    report = dr_run(
        cloud, 'ecs', restore_test=False, retention_days=10, lock={'mode': 'compliance', 'duration_days': 3}
    )
    (entry,) = report['disks']
    assert [copy['lock']['action'] for copy in entry['copies']] == ['locked']
    (other,) = entry['other_locks']
    assert (other['snapshot_id'], other['action'], other['error']['code']) == (
        old,
        'lock_failed',
        'LockOutlastsRetention',
    )
    assert (
        'retention of 10 days ends' in other['error']['message']
        and 'lock it for at most 0' not in other['error']['message']
    )
    assert 'its retention ends in less than a day' in other['error']['message']
    (failure,) = report['failures']
    assert old in failure and 'LockOutlastsRetention' in failure
    # One LockSnapshot, the new copy's: none was sent for the old one, which the cloud would refuse.
    assert lock_calls(cloud) == {'calls': 1, 'errors': 0, 'mutations': 1}
    assert old not in ecs_locks(cloud, 'cn-shanghai', [old])


def test_an_ecs_run_without_wait_locks_each_copy_in_flight_and_nobody_can_delete_it(cloud):
    """Issue 37, point 7: without wait, the copy is locked in the same run while still in progress (ECS takes it: the
    lock's duration counts once the copy is accomplished, LockSnapshotResponseBody's LockDurationStartTime), read back,
    and reported locked; a person who holds the account cannot delete it before it completes."""
    cloud.admin.configure(
        timings={'ecs': {'snapshot_seconds': 0.3, 'copy_seconds': 600}}, alibaba_timestamp_window_seconds=3600
    )
    seed(cloud, 'ecs')
    report = dr_run(cloud, 'ecs', restore_test=False, wait=False, lock=COMPLIANCE_WEEK)
    ((copy,),) = [disk['copies'] for disk in report['disks']]
    assert copy['state'] == 'progressing' and not report['failures']
    lock = copy['lock']
    assert (
        lock['action'] == 'locked'
        and lock['in_force']
        and lock['status'] == 'compliance-cooloff'
        and lock['expires'] is None
    )
    assert report['totals']['locked'] == 1
    # One read of the region's locks before locking, one read-back after.
    assert lock_calls(cloud)['mutations'] == 1 and calls(cloud, 'ecs', 'DescribeLockedSnapshots') == 2
    adapter = EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url))
    with pytest.raises(CloudError) as raised:
        adapter.delete_snapshot('cn-shanghai', copy['snapshot_id'])
    assert raised.value.code == 'InvalidOperation.SnapshotLocked'

    cloud.admin.advance_clock(601)
    again = dr_run(cloud, 'ecs', restore_test=False, wait=False, lock=COMPLIANCE_WEEK)
    ((record,),) = [[copy['lock'] for copy in disk['copies']] for disk in again['disks']]
    held = ecs_locks(cloud, 'cn-shanghai', [copy['snapshot_id']])[copy['snapshot_id']]
    assert (
        record['action'] == 'in_force' and record['expires'] == held.expires and held.expires and not again['changed']
    )
    assert lock_calls(cloud)['mutations'] == 1


def test_an_ecs_lock_whose_cool_off_outlasts_it_is_refused_before_any_call(cloud):
    """Issue 46 (9): ECS counts the cool-off in the lock's duration ("Lock a snapshot"); a 1-day lock with 48 h of
    cool-off passed the ranges, and LockSnapshot refused it for each copy."""
    seed(cloud, 'ecs')
    before = cloud.admin.calls()['calls']
    for lock in (
        {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 48},
        {'mode': 'compliance', 'duration_days': 2, 'cool_off_hours': 72},
    ):
        with pytest.raises(InputError) as raised:
            dr_run(cloud, 'ecs', restore_test=False, lock=lock)
        assert (
            raised.value.option == 'lock'
            and 'the cool-off period is part of the lock\'s duration and cannot exceed it' in raised.value.message
        )
    assert raised.value.message.startswith(
        'cool_off_hours 72 is longer than the lock of 2 days (48 hours): on Alibaba Cloud ECS'
    )
    assert 'lock for at least 3 days, or shorten the cool-off' in raised.value.message
    assert str(RoleWordsError(raised.value)).startswith('dr_copy_lock: ')
    assert cloud.admin.calls()['calls'] == before
    # A cool-off as long as the lock is the cloud's to take: every copy locked.
    report = dr_run(
        cloud, 'ecs', restore_test=False, lock={'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 24}
    )
    assert report['totals']['locked'] == 1 and not report['failures']
