"""Locked DR copies (dr_sync's ``lock``) on the in-memory cloud: which copies a run locks and when, reruns, check mode,
lost answers, refusals before any call, and pruning that reads the locks first and sends no delete for a locked copy."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import LockSettings
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import INVALID, CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.locks import DAY, lock_settings, retention_refusal
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import summary_line
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import RoleWordsError, dr_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import cloud_with_disks, params, run

GOVERNANCE_WEEK = {'mode': 'governance', 'duration_days': 7}


def copy_locks(report):
    return {(copy['region'], copy['snapshot_id']): copy['lock'] for disk in report['disks'] for copy in disk['copies']}


def test_a_waiting_run_locks_each_copy_once_named_before_it_waits_and_the_rerun_changes_nothing():
    cloud, clock = cloud_with_disks(count=2)
    states_when_locked = []
    lock_snapshot = cloud.lock_snapshot

    def lock_and_note(region, snapshot_id, lock):
        states_when_locked.append(cloud.describe(region, [snapshot_id])[snapshot_id].state)
        return lock_snapshot(region, snapshot_id, lock)

    cloud.lock_snapshot = lock_and_note
    first = run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK)
    assert first['changed'] and first['totals']['copied'] == 4 and first['totals']['locked'] == 4
    assert cloud.calls['lock_snapshot'] == 4
    # One read of the locks per DR region before locking, not one per copy; the locks set read back in one read per
    # region; one read per region after the wait.
    assert cloud.calls['describe_locks'] == 2 + 2 + 2
    # Locked as soon as named, before the wait: none could be deleted while the run waited.
    assert states_when_locked == ['pending'] * 4
    for (dummy, copy_id), lock in copy_locks(first).items():
        assert lock['action'] == 'locked' and lock['mode'] == 'governance' and lock['in_force']
        # Read again after the wait: the week counts from the copy's completion.
        assert lock['expires'] == cloud.when(cloud.copies[copy_id]['started'] + cloud.copy_seconds + 7 * 86400)
    assert sorted(cloud.locks) == sorted(cloud.copies)
    assert '4 copies locked' in summary_line(first['totals'], None, False)
    second = run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK)
    assert not second['changed'] and second['totals']['locked'] == 0
    assert cloud.calls['lock_snapshot'] == 4
    assert {lock['action'] for lock in copy_locks(second).values()} == {'in_force'}


def test_without_wait_each_copy_is_locked_in_flight_by_the_run_that_made_it_and_read_back():
    """A cloud that locks a snapshot being made (EBS, ECS): the run locks each copy as soon as the cloud names it, so
    that nobody who holds the account can delete it before a later run; the lock's duration counts from the copy's
    completion."""
    cloud, clock = cloud_with_disks(count=1)
    first = run(cloud, clock, lock=GOVERNANCE_WEEK)
    assert first['totals']['copied'] == 2 and first['totals']['locked'] == 2 and not first['failures']
    assert cloud.calls['lock_snapshot'] == 2 and cloud.calls['describe_locks'] == 2 + 2
    for (region, copy_id), lock in copy_locks(first).items():
        assert lock['action'] == 'locked' and lock['in_force'] and lock['mode'] == 'governance'
        assert lock['expires'] is None  # its duration has not begun: the copy is still in flight
        assert cloud.copies[copy_id]['region'] == region and not cloud.a_person_deletes(copy_id)
    clock.now += 60
    second = run(cloud, clock, lock=GOVERNANCE_WEEK)
    assert not second['changed'] and cloud.calls['lock_snapshot'] == 2
    for (region, copy_id), lock in copy_locks(second).items():
        # Seven days from completion, not from the lock.
        assert lock['action'] == 'in_force' and lock['expires'] == cloud.when(
            cloud.copies[copy_id]['started'] + cloud.copy_seconds + 7 * 86400
        )


def test_a_lock_answered_but_not_held_when_read_back_is_a_lock_failed():
    """The report calls locked only a lock read back in force, on every cloud: a lock call answered as set, and not held
    (ECS's replayed token, EBS's lock of a pending copy cancelled as the copy fails), fails its disk, naming the
    copy."""
    cloud, clock = cloud_with_disks(count=1)
    cloud.hollow_locks = 1
    report = run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK, dr_regions=['dr-1'])
    ((copy_id, lock),) = [(copy_id, lock) for (dummy, copy_id), lock in copy_locks(report).items()]
    assert lock['action'] == 'lock_failed' and not lock['in_force'] and lock['error']['code'] == 'NotLockedWhenReadBack'
    assert 'holds no lock when read back' in lock['error']['message'] and report['totals']['locked'] == 0
    (failure,) = report['failures']
    assert copy_id in failure and 'NotLockedWhenReadBack' in failure
    assert copy_id not in cloud.locks
    # The next run finds it unlocked, and locks it.
    assert [
        lock['action']
        for lock in copy_locks(run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK, dr_regions=['dr-1'])).values()
    ] == ['locked']


def test_locks_whose_read_back_the_cloud_refuses_are_lock_failed_not_locked():
    """The locks set are read back in one read per region: when the cloud refuses that read, no copy it answered is
    called locked (a lock unread is no lock in the report), and each fails its disk, naming the refusal."""
    cloud, clock = cloud_with_disks(count=2)
    describe_locks = cloud.describe_locks
    reads = []

    def refuse_the_read_back(region, snapshot_ids):
        reads.append(list(snapshot_ids))
        if len(reads) == 2:  # the first read is the one before the locks
            raise CloudError(
                'DescribeLockedSnapshots',
                'UnauthorizedOperation',
                'You are not authorized to perform this operation.',
                request_id='req-9',
                kind=INVALID,
                region=region,
            )
        return describe_locks(region, snapshot_ids)

    cloud.describe_locks = refuse_the_read_back
    report = run(cloud, clock, lock=GOVERNANCE_WEEK, dr_regions=['dr-1'])
    locks = copy_locks(report)
    assert len(locks) == 2 and cloud.calls['lock_snapshot'] == 2
    assert {lock['action'] for lock in locks.values()} == {'lock_failed'} and report['totals']['locked'] == 0
    assert all(lock['error']['code'] == 'UnauthorizedOperation' for lock in locks.values())
    assert len(report['failures']) == 2 and all('UnauthorizedOperation' in failure for failure in report['failures'])
    assert len(reads[1]) == 2, 'both locks read back in one read'


def test_a_copy_in_flight_is_locked_by_the_run_that_finds_it_complete_where_the_cloud_locks_only_completed_copies():
    cloud, clock = cloud_with_disks(count=1)
    cloud.locks_pending = False
    first = run(cloud, clock, lock=GOVERNANCE_WEEK)
    assert {lock['action'] for lock in copy_locks(first).values()} == {'when_completed'}
    assert 'lock_snapshot' not in cloud.calls and first['totals']['locked'] == 0
    clock.now += 60
    second = run(cloud, clock, lock=GOVERNANCE_WEEK)
    assert second['totals']['existing'] == 2 and second['totals']['locked'] == 2
    # Locking is a change of the run: the copies were found, not made.
    assert second['changed']
    assert not run(cloud, clock, lock=GOVERNANCE_WEEK)['changed']


def test_an_expired_lock_is_set_again_and_a_lock_in_force_is_never_changed():
    cloud, clock = cloud_with_disks(count=1)
    run(cloud, clock, wait=True, lock={'mode': 'compliance', 'duration_days': 1})
    clock.now += 2 * 86400
    report = run(cloud, clock, wait=True, lock={'mode': 'compliance', 'duration_days': 3, 'cool_off_hours': 2})
    assert report['totals']['locked'] == 2 and cloud.calls['lock_snapshot'] == 4
    # A person's longer governance lock is left as it is, and reported as it is.
    person_locked = next(iter(cloud.copies))
    cloud.add_lock(person_locked, 'governance', days=90)
    report = run(cloud, clock, wait=True, lock={'mode': 'compliance', 'duration_days': 3})
    assert cloud.calls['lock_snapshot'] == 4
    lock = copy_locks(report)[(cloud.copies[person_locked]['region'], person_locked)]
    assert lock['action'] == 'in_force' and lock['mode'] == 'governance'


@pytest.mark.parametrize(
    'wait, locks_pending, action',
    [
        (True, True, 'would_lock'),
        (False, True, 'would_lock'),
        (True, False, 'would_lock'),
        (False, False, 'when_completed'),
    ],
)
def test_check_mode_plans_the_locks_as_the_real_run_goes_and_sends_none(wait, locks_pending, action):
    cloud, clock = cloud_with_disks(count=1)
    cloud.locks_pending = locks_pending
    plan = run(cloud, clock, check_mode=True, wait=wait, lock=GOVERNANCE_WEEK)
    assert {lock['action'] for lock in copy_locks(plan).values()} == {action}
    assert 'lock_snapshot' not in cloud.calls
    real = run(cloud, clock, wait=wait, lock=GOVERNANCE_WEEK)
    assert {lock['action'] for lock in copy_locks(real).values()} == {
        'locked' if action == 'would_lock' else 'when_completed'
    }
    # Later, the copies complete: a run that waited, or locked them in flight, locked them; else the plan says it would
    # lock them, and locks nothing.
    clock.now += 60
    plan = run(cloud, clock, check_mode=True, lock=GOVERNANCE_WEEK)
    locked = action == 'would_lock'
    assert plan['changed'] is not locked and plan['totals']['locked'] == (0 if locked else 2)
    assert ('2 copies would be locked' in summary_line(plan['totals'], None, True)) is not locked
    assert cloud.calls.get('lock_snapshot', 0) == (2 if locked else 0)


def test_a_lock_whose_answer_was_lost_is_read_back_not_sent_again():
    cloud, clock = cloud_with_disks(count=1)
    cloud.lose_next_lock_answer = True
    report = run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK, dr_regions=['dr-1'])
    assert cloud.calls['lock_snapshot'] == 1
    assert [lock['action'] for lock in copy_locks(report).values()] == ['locked']
    assert not report['failures']


def test_a_lock_the_cloud_refuses_fails_its_disk_with_the_clouds_words_and_the_copy_stays():
    cloud, clock = cloud_with_disks(count=1)
    cloud.lock_errors.append(
        CloudError('LockSnapshot', 'UnauthorizedOperation', 'not allowed', kind=INVALID, region='dr-1')
    )
    report = run(cloud, clock, wait=True, lock=GOVERNANCE_WEEK, dr_regions=['dr-1'])
    (lock,) = copy_locks(report).values()
    assert lock['action'] == 'lock_failed' and lock['error']['code'] == 'UnauthorizedOperation'
    assert (
        len(report['failures']) == 1
        and 'locking copy' in report['failures'][0]
        and 'UnauthorizedOperation' in report['failures'][0]
    )
    assert len(cloud.copies) == 1 and not cloud.deleted
    assert report['totals']['locked'] == 0


@pytest.mark.parametrize(
    'lock, words',
    [
        ({'mode': 'compliance'}, 'needs duration_days'),
        ({'duration_days': 7}, 'needs mode'),
        (
            {'mode': 'legal-hold', 'duration_days': 7},
            "mode 'legal-hold' is not a lock of memory, which has governance, compliance",
        ),
        ({'mode': 'compliance', 'duration_days': 0}, 'duration_days must be from 1 to 36500 days'),
        ({'mode': 'compliance', 'duration_days': 36501}, 'duration_days must be from 1 to 36500 days'),
        ({'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 73}, 'cool_off_hours must be from 0 to 72 hours'),
        (
            {'mode': 'governance', 'duration_days': 7, 'cool_off_hours': 1},
            'a governance lock of memory has no cool-off period',
        ),
    ],
)
def test_a_lock_the_cloud_cannot_set_is_refused_before_any_call(lock, words):
    cloud, clock = cloud_with_disks(count=1)
    with pytest.raises(InputError) as raised:
        run(cloud, clock, lock=lock)
    assert raised.value.option == 'lock' and words in raised.value.message
    assert not cloud.calls


@pytest.mark.parametrize(
    'lock, words',
    [
        ({'mode': 'compliance', 'duration_days': True}, 'duration_days is a number of days, got the boolean true'),
        ({'mode': 'compliance', 'duration_days': False}, 'duration_days is a number of days, got the boolean false'),
        (
            {'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': True},
            'cool_off_hours is a number of hours, got the boolean true',
        ),
        ({'mode': 'compliance', 'duration_days': 'yes'}, "duration_days is a whole number of days, got 'yes'"),
        ({'mode': 'compliance', 'duration_days': '7.5'}, "duration_days is a whole number of days, got '7.5'"),
    ],
)
def test_a_yaml_boolean_or_text_for_a_number_of_days_is_refused_before_any_call(lock, words):
    """An unquoted yes or true in YAML is a boolean, which the argument spec's int lets through as 1: it would lock for
    a day."""
    cloud, clock = cloud_with_disks(count=1)
    with pytest.raises(InputError) as raised:
        run(cloud, clock, lock=lock)
    assert raised.value.option == 'lock' and words in raised.value.message
    assert not cloud.calls


def test_a_number_of_days_given_as_text_is_taken_as_awx_surveys_give_it():
    assert lock_settings({'mode': 'compliance', 'duration_days': '14', 'cool_off_hours': '2'}) == LockSettings(
        'compliance', 14, 2
    )
    assert lock_settings({'mode': 'compliance', 'duration_days': 14, 'cool_off_hours': ''}) == LockSettings(
        'compliance', 14, 0
    )


def test_a_cloud_without_locks_refuses_lock_naming_itself_and_an_empty_lock_is_no_lock():
    cloud, clock = cloud_with_disks(count=1)
    cloud.lock_modes = ()
    with pytest.raises(InputError) as raised:
        run(cloud, clock, lock=GOVERNANCE_WEEK)
    assert 'memory has no API that locks a snapshot against deletion' in raised.value.message
    assert not cloud.calls
    # The refusal points at what the user set: dr_sync's lock, or the role's dr_copy_lock, never a bare "lock" for the
    # role's.
    assert str(raised.value).startswith('lock: ') and 'leave this option unset' in str(raised.value)
    as_the_role_says = str(RoleWordsError(raised.value))
    assert as_the_role_says.startswith('dr_copy_lock: ') and ' lock unset' not in as_the_role_says
    # What the role passes when dr_copy_lock is left at its default, and what a survey's empty answers give.
    for unset in (
        None,
        {},
        {'mode': None, 'duration_days': None, 'cool_off_hours': None},
        {'mode': '', 'duration_days': ''},
    ):
        assert lock_settings(unset) is None
    assert not run(cloud, clock, lock={})['failures']


@pytest.mark.parametrize('days', [30, 31])
def test_a_lock_as_long_as_the_copies_retention_or_longer_is_refused(days):
    """The lock counts from the copy's completion or later, the retention from its creation: a lock as long as the
    retention would outlast it too."""
    cloud, clock = cloud_with_disks(count=1)
    settings = dr_settings(
        params(provider='ecs', retention_days=30, lock={'mode': 'compliance', 'duration_days': days})
    )
    assert settings.lock == LockSettings('compliance', days, 0)
    with pytest.raises(InputError) as raised:
        run(cloud, clock, lock={'mode': 'compliance', 'duration_days': days}, provider='ecs', retention_days=30)
    assert 'duration_days %d is not shorter than retention_days 30' % days in raised.value.message
    as_the_role_says = RoleWordsError(raised.value)
    assert as_the_role_says.option == 'dr_copy_lock'
    assert 'duration_days %d is not shorter than dr_copy_retention_days 30' % days in as_the_role_says.message
    assert not cloud.calls
    assert not run(cloud, clock, lock={'mode': 'compliance', 'duration_days': 29}, provider='ecs', retention_days=30)[
        'failures'
    ]


def locked_old_copies(cloud, clock, lock_days):
    """Three old DR copies of disk-0 in dr-1 (9, 6 and 3 days old), each locked as ``lock_days`` says (None: no
    lock)."""
    for index, (age, days) in enumerate(zip((9, 6, 3), lock_days)):
        copy_id = 'old-%d' % index
        cloud.add_copy(
            copy_id,
            'dr-1',
            {DISK_TAG: 'src-1/disk-0', SOURCE_TAG: 'src-1/old-source-%d' % index},
            clock.now - age * 86400,
        )
        if days is not None:
            cloud.add_lock(copy_id, 'compliance', days=days)


@pytest.mark.parametrize('check_mode', [False, True])
def test_pruning_reads_the_locks_first_and_sends_no_delete_for_a_locked_copy(check_mode):
    cloud, clock = cloud_with_disks(count=1)
    # old-0 locked for a day more, old-1's lock has expired, old-2 never locked.
    locked_old_copies(cloud, clock, (1, -1, None))
    locked_until = cloud.when(clock.now + 86400)
    report = run(cloud, clock, check_mode=check_mode, wait=True, prune=True, keep_copies=1, dr_regions=['dr-1'])
    (disk,) = [disk for disk in report['disks'] if disk['disk_id'] == 'disk-0']
    assert sorted(pruned['snapshot_id'] for pruned in disk['pruned']) == ['old-1', 'old-2']
    (kept_locked,) = [kept for kept in disk['kept'] if kept.get('reason') == 'locked']
    assert kept_locked['snapshot_id'] == 'old-0' and kept_locked['lock']['mode'] == 'compliance'
    assert kept_locked['lock']['expires'] == locked_until
    assert not cloud.refused_locked_deletes
    assert sorted(cloud.deleted) == ([] if check_mode else ['old-1', 'old-2'])
    # One read of the locks for the region's candidates, not one per copy.
    assert cloud.calls['describe_locks'] == 1
    if not check_mode:
        clock.now += 2 * 86400
        later = run(cloud, clock, wait=True, prune=True, keep_copies=1, dr_regions=['dr-1'])
        assert 'old-0' in [pruned['snapshot_id'] for disk in later['disks'] for pruned in disk['pruned']]


def test_pruning_on_a_cloud_without_locks_reads_none():
    cloud, clock = cloud_with_disks(count=1)
    cloud.lock_modes = ()
    locked_old_copies(cloud, clock, (None, None, None))
    run(cloud, clock, wait=True, prune=True, keep_copies=1, dr_regions=['dr-1'])
    assert 'describe_locks' not in cloud.calls and len(cloud.deleted) == 3


def test_the_markdown_report_lists_each_copys_lock_and_the_copies_pruning_kept_for_theirs():
    cloud, clock = cloud_with_disks(count=1)
    locked_old_copies(cloud, clock, (1, None, None))
    report = run(cloud, clock, wait=True, prune=True, keep_copies=1, dr_regions=['dr-1'], lock=GOVERNANCE_WEEK)
    markdown = dr_report_markdown(report)
    assert '## Locks' in markdown
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies'] if disk['disk_id'] == 'disk-0']
    assert (
        '| disk-0 | dr-1 | %s | governance | governance | %s | locked |'
        % (copy['snapshot_id'], copy['lock']['expires'])
        in markdown
    )
    assert '| old-0 | compliance | compliance |' in markdown and 'kept by pruning: locked' in markdown
    assert '## Locks' not in dr_report_markdown(run(cloud, clock, dr_regions=['dr-1']))


def test_an_older_copy_no_run_locked_is_locked_and_kept_and_one_whose_lock_expired_is_pruned():
    """A killed run's copy of a snapshot that is no longer the newest was never locked: the next run with lock locks it
    (so no DR copy stays unlocked), and pruning keeps it; a copy whose lock has run out is not locked again."""
    cloud, clock = cloud_with_disks(count=1)
    locked_old_copies(cloud, clock, (None, -1, None))  # old-0 and old-2 never locked, old-1's lock expired
    report = run(cloud, clock, wait=True, prune=True, keep_copies=1, dr_regions=['dr-1'], lock=GOVERNANCE_WEEK)
    (disk,) = [disk for disk in report['disks'] if disk['disk_id'] == 'disk-0']
    assert sorted(record['snapshot_id'] for record in disk['other_locks']) == ['old-0', 'old-2']
    assert {record['action'] for record in disk['other_locks']} == {'locked'}
    assert [pruned['snapshot_id'] for pruned in disk['pruned']] == ['old-1']
    assert sorted(kept['snapshot_id'] for kept in disk['kept'] if kept.get('reason') == 'locked') == ['old-0', 'old-2']
    assert report['totals']['locked'] == 3 and not cloud.refused_locked_deletes
    # Check mode plans the same and locks nothing.
    cloud, clock = cloud_with_disks(count=1)
    locked_old_copies(cloud, clock, (None, -1, None))
    plan = run(cloud, clock, check_mode=True, wait=True, dr_regions=['dr-1'], lock=GOVERNANCE_WEEK)
    (disk,) = [disk for disk in plan['disks'] if disk['disk_id'] == 'disk-0']
    assert (
        sorted(record['snapshot_id'] for record in disk['other_locks']) == ['old-0', 'old-2']
        and 'lock_snapshot' not in cloud.calls
    )


def test_a_lock_that_lapses_while_the_run_goes_on_is_reported_expired_not_locked():
    """A lock read in force a few seconds before it ends, then a drill that takes longer: the report, written after the
    drill, must not call the copy locked (issue 37, (c)). It says expired, and the run warns; the next run locks it
    again."""
    cloud, clock = cloud_with_disks(count=1)
    first = run(cloud, clock, wait=True, lock={'mode': 'governance', 'duration_days': 1})
    assert first['totals']['locked'] == 2
    ends = min(cloud.locks[copy_id]['until'] for copy_id in cloud.copies)
    clock.now = ends - 5  # five seconds of the locks left when the next run reads them
    report = run(
        cloud,
        clock,
        wait=True,
        lock={'mode': 'governance', 'duration_days': 1},
        restore_test=True,
        restore_test_count=1,
        restore_test_timeout=600,
    )
    assert clock.now > ends, 'the drill went on past the locks\' end'
    locks = copy_locks(report)
    assert {lock['action'] for lock in locks.values()} == {'expired'} and not any(
        lock['in_force'] for lock in locks.values()
    )
    assert sum('expired at' in warning and 'not locked now' in warning for warning in report['run_warnings']) == 2
    again = run(cloud, clock, wait=True, lock={'mode': 'governance', 'duration_days': 1})
    assert again['totals']['locked'] == 2 and {lock['action'] for lock in copy_locks(again).values()} == {'locked'}


@pytest.mark.parametrize(
    'lock',
    [
        {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 0},
        {'mode': 'compliance', 'duration_days': 36500, 'cool_off_hours': 72},
        {'mode': 'governance', 'duration_days': 1},
    ],
    ids=['the shortest lock, no cool-off', 'the longest lock and cool-off', 'a one-day governance lock'],
)
def test_a_lock_at_the_ends_of_the_clouds_ranges_is_taken(lock):
    cloud, clock = cloud_with_disks(count=1)
    report = run(cloud, clock, lock=lock)
    assert not report['failures'] and report['totals']['locked'] == len(report['dr_regions']) >= 1


def test_a_lock_that_expires_the_second_the_copys_retention_ends_fits():
    """ "On or before": a lock may expire at the very second the retention releases the copy, and not one second
    later."""
    lock = LockSettings('compliance', 7, 0)
    created = '2026-11-25T00:00:00Z'
    now = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc).timestamp() + 3 * DAY
    assert retention_refusal(lock, 'snap-1', 'cn-shanghai', created, 10, now) is None
    refused = retention_refusal(lock, 'snap-1', 'cn-shanghai', created, 10, now + 1)
    assert refused is not None and refused.code == 'LockOutlastsRetention'
