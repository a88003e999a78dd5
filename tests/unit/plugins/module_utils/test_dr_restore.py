"""The restore drill (dr.drill) on the in-memory cloud: a disk made from each tested DR copy, timed and deleted;
leftovers of earlier drills, and only those, deleted; rotation over runs; check mode; lost answers; bad input."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import DrillDisk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import FATAL, CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, PENDING, Snapshot, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    DIFFERS_TAG,
    POINT_TAG,
    RESTORE_COPY_TAG,
    RESTORE_RUN_TAG,
    RESTORE_SCOPE_TAG,
    RESTORE_TESTED_TAG,
    RESTORE_UNTIL_TAG,
    SET_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import (
    OTHERS_LEFTOVER_HOURS,
    TEST_DISK_PREFIX,
    check_restore_settings,
    is_leftover,
    pick_disks,
    run_id,
    scope_key,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import EPOCH
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import cloud_with_disks, params, run

MUTATING = ('create_test_disk', 'delete_test_disk', 'tag_copy', 'start_copy', 'create_snapshot', 'delete_snapshot')
NOW = datetime.datetime(2026, 11, 22, 18, 14, tzinfo=datetime.timezone.utc)
SCOPE = scope_key('src-1', {'dr': 'yes'})


def drill(cloud, clock, **overrides):
    """A DR run with the drill, after the copies were made and completed."""
    overrides.setdefault('restore_test', True)
    overrides.setdefault('wait', True)
    return run(cloud, clock, **overrides)


def copied_cloud(count=3, **kwargs):
    """Disks whose DR copies exist and have completed."""
    cloud, clock = cloud_with_disks(count=count, **kwargs)
    run(cloud, clock, wait=True)
    return cloud, clock


EARLIER_RUN = '20261101T000000Z-000001'


def add_leftover(cloud, clock, disk_id, region, seconds_ago, over=True):
    """A test disk that an earlier drill of this scope left, made ``seconds_ago``: its run is ``over`` (killed, its
    until tag passed), or may still be under way (its until tag a minute ahead)."""
    until = (EPOCH + datetime.timedelta(seconds=clock.now + (-1 if over else 60))).strftime('%Y%m%dT%H%M%SZ')
    cloud.add_test_disk(
        disk_id,
        region,
        TEST_DISK_PREFIX + EARLIER_RUN,
        {RESTORE_RUN_TAG: EARLIER_RUN, RESTORE_SCOPE_TAG: SCOPE, RESTORE_UNTIL_TAG: until},
        clock.now - seconds_ago,
    )


def copy(copy_id, created_seconds, state=COMPLETED, tested=None):
    tags = {RESTORE_TESTED_TAG: tested} if tested else {}
    return Snapshot(
        copy_id, 'dr-1', state, created=(NOW + datetime.timedelta(seconds=created_seconds)).isoformat(), tags=tags
    )


# ---------------------------------------------------------------------------------------------- pure functions
def test_disks_never_tested_come_first_then_the_least_recently_tested_each_with_its_newest_completed_copy():
    copies = {
        'src-1/a': [copy('a-old', 0, tested='20261101T000000Z'), copy('a-new', 10)],
        'src-1/b': [copy('b-1', 0)],
        'src-1/c': [copy('c-1', 0, tested='20261020T000000Z'), copy('c-2', 20, state=PENDING)],
        'src-1/d': [copy('d-1', 0, state=PENDING)],  # nothing completed: not a candidate
    }
    assert [(key, chosen.id) for key, chosen in pick_disks(copies, 10)] == [
        ('src-1/b', 'b-1'),
        ('src-1/c', 'c-1'),
        ('src-1/a', 'a-new'),
    ]
    assert [key for key, dummy in pick_disks(copies, 2)] == ['src-1/b', 'src-1/c']
    assert pick_disks({'src-1/d': copies['src-1/d']}, 1) == []


def test_a_disk_is_tested_with_its_newest_recovery_point_and_never_with_a_copy_that_differs():
    """Issue 60: the drill took a disk's copy made last, which after a person deleted a source can hold an older point
    than a copy made before it (POINT_TAG: its source's time), and one that a run found to differ from its source,
    which is never read again."""
    older_point = copy('e-older-point', 20)
    older_point.tags[POINT_TAG] = (NOW - datetime.timedelta(days=3)).strftime('%Y-%m-%dT%H:%M:%SZ')
    newer_point = copy('e-newer-point', 0)
    newer_point.tags[POINT_TAG] = (NOW - datetime.timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    differs = copy('f-differs', 10)
    differs.tags[DIFFERS_TAG] = 'blocks whose data differ: [3]'
    copies = {'src-1/e': [older_point, newer_point], 'src-1/f': [copy('f-good', 0), differs]}
    assert [(key, chosen.id) for key, chosen in pick_disks(copies, 10)] == [
        ('src-1/e', 'e-newer-point'),
        ('src-1/f', 'f-good'),
    ]
    # A group's set with a member that differs is no set to restore: the one before it is.
    group = {
        'src-1/g': [copy('g-s1', 0), copy('g-s2', 10)],
        'src-1/h': [copy('h-s1', 0), copy('h-s2', 10)],
    }
    for key, copies_of_member in group.items():
        for member_copy in copies_of_member:
            member_copy.tags[SET_TAG] = member_copy.id[2:]
    group['src-1/h'][1].tags[DIFFERS_TAG] = 'size differs'
    assert [chosen.id for dummy, chosen in pick_disks(group, 1, [list(group)])] == ['g-s1', 'h-s1']


def test_a_test_disk_of_another_run_is_a_leftover_once_its_run_is_over_whatever_its_scope():
    """Issue 24: two runs of one scope at once deleted each other's test disks as leftovers."""

    def disk(tags, name=TEST_DISK_PREFIX + 'x', hours_old=1):
        return DrillDisk(
            'd',
            'dr-1',
            COMPLETED,
            name=name,
            tags=tags,
            created=(NOW - datetime.timedelta(hours=hours_old)).isoformat(),
        )

    def stamp(minutes):
        return (NOW + datetime.timedelta(minutes=minutes)).strftime('%Y%m%dT%H%M%SZ')

    mine, other_scope = {RESTORE_SCOPE_TAG: SCOPE}, {RESTORE_SCOPE_TAG: 'another'}
    # A run of this scope still under way (its disks say until when): left alone; once that time has passed: a leftover.
    assert not is_leftover(disk(dict(mine, **{RESTORE_RUN_TAG: 'parallel', RESTORE_UNTIL_TAG: stamp(1)})), 'now', NOW)
    assert is_leftover(disk(dict(mine, **{RESTORE_RUN_TAG: 'killed', RESTORE_UNTIL_TAG: stamp(-1)})), 'now', NOW)
    assert is_leftover(disk(dict(other_scope, **{RESTORE_RUN_TAG: 'theirs', RESTORE_UNTIL_TAG: stamp(-1)})), 'now', NOW)
    assert not is_leftover(
        disk(dict(mine, **{RESTORE_RUN_TAG: 'now', RESTORE_UNTIL_TAG: stamp(-1)})), 'now', NOW
    )  # this run's own
    # A disk of an older release (no until): a leftover once a day old, whatever its scope.
    assert not is_leftover(disk(dict(mine, **{RESTORE_RUN_TAG: 'earlier'})), 'now', NOW)
    assert not is_leftover(disk(dict(other_scope, **{RESTORE_RUN_TAG: 'theirs'})), 'now', NOW)  # a scope mid-test
    assert is_leftover(
        disk(dict(other_scope, **{RESTORE_RUN_TAG: 'theirs'}), hours_old=OTHERS_LEFTOVER_HOURS + 1), 'now', NOW
    )
    # Without both marks, never.
    assert not is_leftover(
        disk(dict(mine, **{RESTORE_RUN_TAG: 'earlier', RESTORE_UNTIL_TAG: stamp(-9)}), name='db-restored'), 'now', NOW
    )
    assert not is_leftover(disk(mine), 'now', NOW)
    assert not is_leftover(disk({RESTORE_RUN_TAG: 'x'}, name=None, hours_old=1000), 'now', NOW)
    # An until that cannot be read: not taken for past.
    assert not is_leftover(
        disk(dict(mine, **{RESTORE_RUN_TAG: 'x', RESTORE_UNTIL_TAG: 'soon'}), hours_old=1000), 'now', NOW
    )
    # No creation time: the run id's own time tells the age.
    old = DrillDisk(
        'd', 'dr-1', COMPLETED, name=TEST_DISK_PREFIX + 'x', tags={RESTORE_RUN_TAG: '20261001T000000Z-abcdef'}
    )
    assert is_leftover(old, 'now', NOW)
    # A time that cannot be read is not taken for old, and does not fail the run.
    odd = DrillDisk(
        'd', 'dr-1', COMPLETED, name=TEST_DISK_PREFIX + 'x', tags={RESTORE_RUN_TAG: 'theirs'}, created='yesterday'
    )
    assert not is_leftover(odd, 'now', NOW)


def test_run_ids_and_scope_keys():
    assert run_id(NOW, rng=lambda: 0.5) == '20261122T181400Z-7fffff'
    assert scope_key('src-1', {'dr': 'yes'}) == scope_key('src-1', {'dr': 'yes'}) != scope_key('src-2', {'dr': 'yes'})
    assert scope_key('src-1', {'dr': 'yes'}) != scope_key('src-1', {'dr': None})
    assert len(SCOPE) == 12


@pytest.mark.parametrize(
    'overrides, option',
    [
        ({'restore_test_count': 0}, 'restore_test_count'),
        ({'restore_test_count': 51}, 'restore_test_count'),
        ({'restore_test_timeout': 9}, 'restore_test_timeout'),
        ({'restore_test_timeout': 6 * 3600 + 1}, 'restore_test_timeout'),
        ({'restore_test_disk_type': 'floppy'}, 'restore_test_disk_type'),
        ({'restore_test_zones': {'dr-9': 'dr-9a'}}, 'restore_test_zones'),
        ({'restore_test_zones': {'dr-1': ''}}, 'restore_test_zones'),
        # Issue 24: without wait (the AWX survey's default), the drill failed after the copies instead of being refused.
        ({'wait': False}, 'restore_test'),
    ],
)
def test_bad_restore_options_are_refused_before_any_call(overrides, option):
    cloud, clock = cloud_with_disks()
    with pytest.raises(InputError) as caught:
        run(cloud, clock, restore_test=True, **dict({'wait': True}, **overrides))
    assert caught.value.option == option
    assert not cloud.calls


def test_zones_are_refused_where_test_disks_are_made_on_the_node():
    cloud, dummy = cloud_with_disks()
    cloud.restore_needs_zone = False
    with pytest.raises(InputError, match='on the DR region itself: give no zones'):
        check_restore_settings(
            dr_settings(params(restore_test=True, wait=True, restore_test_zones={'dr-1': 'z'})), cloud
        )


# ---------------------------------------------------------------------------------------------- the drill
def test_a_drill_makes_a_disk_from_the_newest_copy_times_it_deletes_it_and_marks_the_copy():
    cloud, clock = copied_cloud(count=2)
    report = drill(cloud, clock)
    restore = report['restore']
    assert restore['totals'] == {'passed': 2, 'failed': 0, 'timed_out': 0, 'would_test': 0, 'leftovers_deleted': 0}
    assert not report['failures'] and not report['changed']  # nothing stays behind
    assert [(test['region'], test['disk_id'], test['result']) for test in restore['tests']] == [
        ('dr-1', 'disk-0', 'passed'),
        ('dr-2', 'disk-0', 'passed'),
    ]
    for test in restore['tests']:
        assert test['zone'] == test['region'] + 'a'  # the first zone by name
        assert test['test_disk'] == {'id': test['test_disk_id'], 'action': 'deleted'}
        # Usable 5 s after it was asked for, seen at the poll's resolution: reads at 0, 1, 2.5, 4.75 and 8.1 s.
        assert test['seconds_to_usable'] == 8.1
    assert cloud.test_disks == {} and len(cloud.deleted_disks) == 2
    tested = [copy_id for copy_id, record in cloud.copies.items() if RESTORE_TESTED_TAG in record['tags']]
    assert sorted(tested) == sorted(test['copy_id'] for test in restore['tests'])
    assert cloud.calls['create_test_disk'] == 2


def test_test_disks_carry_both_marks_and_the_copy_they_are_made_from():
    cloud, clock = copied_cloud(count=1)
    cloud.disk_seconds = 10**6  # still being made when the timeout comes, so it can be looked at
    report = drill(cloud, clock, restore_test_timeout=60)
    restore = report['restore']
    (record,) = [record for record in cloud.test_disks.values() if record['region'] == 'dr-1']
    assert record['name'] == TEST_DISK_PREFIX + restore['run_id']
    # Until when the run is over: its start, plus its wait_timeout (3600 s), restore_test_timeout and twice the grace.
    until = (parse_time(report['generated_at']) + datetime.timedelta(seconds=3600 + 60 + 600)).strftime(
        '%Y%m%dT%H%M%SZ'
    )
    assert record['tags'] == {
        RESTORE_RUN_TAG: restore['run_id'],
        RESTORE_SCOPE_TAG: SCOPE,
        RESTORE_COPY_TAG: restore['tests'][0]['copy_id'],
        RESTORE_UNTIL_TAG: until,
    }
    assert record['type'] == 'standard' and record['token'].startswith('snapcopy-')


def test_rotation_tests_every_disk_once_in_as_many_runs_as_disks():
    cloud, clock = copied_cloud(count=3)
    tested = []
    for dummy in range(3):
        clock.now += 3600
        report = drill(cloud, clock)
        tested.append([test['disk_id'] for test in report['restore']['tests'] if test['region'] == 'dr-1'])
    assert sorted(disk for group in tested for disk in group) == ['disk-0', 'disk-1', 'disk-2']
    clock.now += 3600
    assert [test['disk_id'] for test in drill(cloud, clock)['restore']['tests'] if test['region'] == 'dr-1'] == [
        tested[0][0]
    ]


def test_a_count_tests_that_many_disks_per_region():
    cloud, clock = copied_cloud(count=3)
    report = drill(cloud, clock, restore_test_count=2)
    assert sorted((test['region'], test['disk_id']) for test in report['restore']['tests']) == [
        ('dr-1', 'disk-0'),
        ('dr-1', 'disk-1'),
        ('dr-2', 'disk-0'),
        ('dr-2', 'disk-1'),
    ]


def test_a_disk_that_fails_fails_the_run_with_the_clouds_state_and_is_deleted():
    cloud, clock = copied_cloud(count=1)
    cloud.failing_disks = 1
    report = drill(cloud, clock)
    failed = [test for test in report['restore']['tests'] if test['result'] == 'failed']
    assert len(failed) == 1 and failed[0]['test_disk']['action'] == 'deleted'
    assert 'is in state broken: no room' in failed[0]['error']['message']
    assert any(
        'restore test in %s of disk disk-0' % failed[0]['region'] in failure and 'failed' in failure
        for failure in report['failures']
    )
    assert cloud.test_disks == {}


def test_a_refused_create_fails_that_test_with_the_clouds_code():
    cloud, clock = copied_cloud(count=1)
    cloud.create_disk_errors = [
        CloudError('CreateDisk', 'Zone.NotOnSale', 'sold out', request_id='req-1', kind=FATAL, region='dr-1')
    ]
    report = drill(cloud, clock)
    first = report['restore']['tests'][0]
    assert first['result'] == 'failed' and first['test_disk_id'] is None
    assert first['error'] == {
        'action': 'CreateDisk',
        'code': 'Zone.NotOnSale',
        'message': 'sold out',
        'request_id': 'req-1',
    }
    assert any('Zone.NotOnSale' in failure for failure in report['failures'])


def test_a_timeout_still_deletes_the_disk_once_the_cloud_has_made_it():
    cloud, clock = copied_cloud(count=1)
    cloud.disk_seconds = 100
    report = drill(cloud, clock, restore_test_timeout=60)
    tests = report['restore']['tests']
    assert {test['result'] for test in tests} == {'timed_out'}
    assert all(test['test_disk']['action'] == 'deleted' for test in tests)
    assert cloud.test_disks == {}
    assert any('timed out' in failure and 'restore_test_timeout (60 s)' in failure for failure in report['failures'])


def test_a_disk_the_cloud_will_not_delete_in_time_is_reported_and_the_next_run_deletes_it():
    cloud, clock = copied_cloud(count=1)
    cloud.disk_seconds = 10**5  # still being made after the timeout and the grace
    report = drill(cloud, clock, restore_test_timeout=60)
    left = [test for test in report['restore']['tests'] if test['test_disk']['action'] == 'delete_failed']
    assert len(left) == 2 and len(cloud.test_disks) == 2
    assert any('could not be deleted (the next run deletes it)' in failure for failure in report['failures'])
    cloud.disk_seconds = 5
    # An hour and a second on: the run judges by the cloud's clock, which its answers' Date headers tell in whole seconds.
    clock.now += 3601
    after = drill(cloud, clock)
    assert sorted(record['test_disk_id'] for record in after['restore']['leftovers']) == sorted(
        test['test_disk_id'] for test in left
    )
    assert after['restore']['totals']['leftovers_deleted'] == 2 and after['changed']
    assert cloud.test_disks == {}


def test_leftovers_of_earlier_drills_are_deleted_first_and_nothing_else():
    cloud, clock = copied_cloud(count=1)
    add_leftover(cloud, clock, 'mine-earlier', 'dr-1', 600)
    add_leftover(cloud, clock, 'mine-parallel', 'dr-1', 600, over=False)  # a run of this scope at the same time
    cloud.add_test_disk(
        'theirs-now',
        'dr-1',
        TEST_DISK_PREFIX + 'x',
        {RESTORE_RUN_TAG: 'x', RESTORE_SCOPE_TAG: 'other'},
        clock.now - 600,
    )
    cloud.add_test_disk(
        'theirs-old',
        'dr-1',
        TEST_DISK_PREFIX + 'y',
        {RESTORE_RUN_TAG: 'y', RESTORE_SCOPE_TAG: 'other'},
        clock.now - (OTHERS_LEFTOVER_HOURS + 1) * 3600,
    )
    cloud.add_test_disk(
        'named-only', 'dr-1', TEST_DISK_PREFIX + 'z', {'snapcopy:restore-test-like': 'z'}, clock.now - 10**6
    )
    cloud.add_test_disk(
        'tagged-only',
        'dr-1',
        'db-restored',
        {RESTORE_RUN_TAG: EARLIER_RUN, RESTORE_SCOPE_TAG: SCOPE},
        clock.now - 10**6,
    )
    report = drill(cloud, clock)
    leftovers = report['restore']['leftovers']
    assert [(record['test_disk_id'], record['action'], record['run']) for record in leftovers] == [
        ('mine-earlier', 'deleted', EARLIER_RUN),
        ('theirs-old', 'deleted', 'y'),
        ('mine-parallel', 'left_until', EARLIER_RUN),
    ]
    assert report['restore']['totals']['leftovers_deleted'] == 2
    assert sorted(cloud.test_disks) == ['mine-parallel', 'named-only', 'tagged-only', 'theirs-now']
    assert report['changed']  # deleting leftovers is a change
    assert '| dr-1 | mine-earlier | %s | deleted |' % EARLIER_RUN in dr_report_markdown(report)


def test_check_mode_plans_the_drill_and_the_leftovers_without_any_mutating_call():
    cloud, clock = copied_cloud(count=2)
    add_leftover(cloud, clock, 'mine-earlier', 'dr-2', 600)
    cloud.calls.clear()
    report = drill(cloud, clock, check_mode=True)
    restore = report['restore']
    assert [(test['region'], test['disk_id'], test['result'], test['zone']) for test in restore['tests']] == [
        ('dr-1', 'disk-0', 'would_test', 'dr-1a'),
        ('dr-2', 'disk-0', 'would_test', 'dr-2a'),
    ]
    assert [(record['test_disk_id'], record['action']) for record in restore['leftovers']] == [
        ('mine-earlier', 'would_delete')
    ]
    assert restore['totals']['would_test'] == 2 and not report['failures']
    assert not any(name in cloud.calls for name in MUTATING)
    assert 'mine-earlier' in cloud.test_disks


def test_check_mode_before_the_first_copies_plans_to_test_them_once_made():
    cloud, clock = cloud_with_disks(count=1)
    report = drill(cloud, clock, check_mode=True)
    assert not report['failures']
    assert [region['plan'] for region in report['restore']['regions']] == [
        'would test the copies this run makes, once they have completed'
    ] * 2
    assert 'would test the copies this run makes' in dr_report_markdown(report)


def test_a_region_without_a_completed_copy_is_a_failure_that_says_how_to_get_one():
    cloud, clock = cloud_with_disks(count=1)
    cloud.hang_next_copies = 2  # the copies of this run are still in flight when the wait ends
    report = drill(cloud, clock, wait_timeout=60)
    assert report['restore']['tests'] == []
    assert any(
        'no completed DR copy in dr-1 to restore from' in failure and 'wait' in failure
        for failure in report['failures']
    )
    assert 'create_test_disk' not in cloud.calls


def test_copies_the_cloud_cannot_make_into_a_disk_are_passed_over():
    cloud, clock = copied_cloud(count=2)
    disk0_copies = [
        copy_id for copy_id, record in cloud.copies.items() if record['tags']['snapcopy:disk'] == 'src-1/disk-0'
    ]
    cloud.refused = {copy_id: 'a copy of a system disk' for copy_id in disk0_copies}
    report = drill(cloud, clock)
    assert {test['disk_id'] for test in report['restore']['tests']} == {'disk-1'}
    cloud.refused = {copy_id: 'a copy of a system disk' for copy_id in cloud.copies}
    clock.now += 3600
    report = drill(cloud, clock)
    assert any('can be made into a disk: a copy of a system disk' in failure for failure in report['failures'])


def test_the_zone_asked_for_is_used_and_one_the_cloud_does_not_offer_fails_that_region():
    cloud, clock = copied_cloud(count=1)
    report = drill(cloud, clock, restore_test_zones={'dr-1': 'dr-1b', 'dr-2': 'dr-2z'})
    tests = {test['region']: test for test in report['restore']['tests']}
    assert tests['dr-1']['zone'] == 'dr-1b' and tests['dr-1']['result'] == 'passed'
    assert 'dr-2' not in tests
    assert any('restore_test_zones: dr-2 offers no zone dr-2z' in failure for failure in report['failures'])


def test_a_lost_create_answer_adopts_the_disk_made_and_makes_no_second():
    cloud, clock = copied_cloud(count=1)
    cloud.lose_next_disk_answer = True
    report = drill(cloud, clock)
    assert report['restore']['totals']['passed'] == 2
    assert cloud.calls['create_test_disk'] == 2  # one per region: the lost answer was looked up, not resent
    assert cloud.test_disks == {}


def test_with_an_idempotency_token_a_lost_create_answer_is_resent_with_the_same_token():
    cloud, clock = copied_cloud(count=1)
    cloud.create_disk_call_is_idempotent = True
    tokens = []
    original = cloud.create_test_disk

    def create(*args):
        tokens.append(args[-1])
        if len(tokens) == 1:
            raise CloudError('CreateDisk', 'ServiceUnavailable', 'try again', kind='retryable', uncertain=True)
        return original(*args)

    cloud.create_test_disk = create
    report = drill(cloud, clock)
    assert report['restore']['totals']['passed'] == 2
    assert tokens[0] == tokens[1] and len(tokens) == 3


def test_a_disk_a_lost_answer_made_twice_is_deleted_too():
    cloud, clock = copied_cloud(count=1)
    # The first call was carried out but its answer lost, and the look-up failed to see it: a second call makes another.
    cloud.lose_next_disk_answer = True
    original = cloud.find_test_disks
    hidden = {'once': True}

    def find(region):
        found = original(region)
        if hidden['once'] and found:
            hidden['once'] = False
            return []
        return found

    cloud.find_test_disks = find
    report = drill(cloud, clock)
    assert cloud.test_disks == {}
    assert any('made by a call whose answer was lost' in warning for warning in report['run_warnings'])


def test_an_error_in_the_middle_of_the_drill_still_deletes_the_disks_made():
    cloud, clock = copied_cloud(count=1)
    original = cloud.describe_test_disks
    failing = {'once': True}

    def describe(region, disk_ids):
        if failing['once']:
            failing['once'] = False
            raise CloudError('DescribeDisks', 'Forbidden.RAM', 'not allowed', kind=FATAL)
        return original(region, disk_ids)

    cloud.describe_test_disks = describe
    with pytest.raises(CloudError, match='Forbidden.RAM'):
        drill(cloud, clock)
    assert cloud.test_disks == {} and len(cloud.deleted_disks) == 2


def test_the_markdown_report_has_a_restore_section():
    cloud, clock = copied_cloud(count=1)
    report = drill(cloud, clock)
    text = dr_report_markdown(report)
    assert '## Restore test' in text and '2 passed, 0 failed, 0 timed out.' in text
    test = report['restore']['tests'][0]
    assert (
        '| dr-1 | dr-1a | disk-0 | %s | %s | %s | passed | deleted |'
        % (test['copy_id'], test['test_disk_id'], test['seconds_to_usable'])
        in text
    )


def test_without_restore_test_there_is_no_drill():
    cloud, clock = copied_cloud(count=1)
    report = run(cloud, clock)
    assert report['restore'] is None
    assert not any(name.endswith('test_disks') or name == 'restore_zones' for name in cloud.calls)


def test_a_leftover_still_being_made_is_waited_for_then_deleted():
    cloud, clock = copied_cloud(count=1)
    add_leftover(cloud, clock, 'killed-mid-drill', 'dr-1', 2)  # made 2 s ago, usable 3 s from now
    report = drill(cloud, clock)
    assert [
        (record['test_disk_id'], record['action'], record['state']) for record in report['restore']['leftovers']
    ] == [('killed-mid-drill', 'deleted', 'making')]
    assert cloud.test_disks == {}


def test_without_any_tagged_disk_the_drill_has_nothing_to_test_and_does_not_fail():
    cloud, clock = cloud_with_disks(count=0)
    report = drill(cloud, clock, allow_no_disks=True)
    assert not report['failures'] and report['restore']['tests'] == []
    assert [region['plan'] for region in report['restore']['regions']] == ['no disk to test'] * 2


# ---------------------------------------------------------------------------------------------- limits, to the second
def test_another_scopes_test_disk_is_a_leftover_only_once_more_than_a_day_old():
    def theirs(seconds_old):
        return DrillDisk(
            'd',
            'dr-1',
            COMPLETED,
            name=TEST_DISK_PREFIX + 'x',
            tags={RESTORE_RUN_TAG: 'theirs', RESTORE_SCOPE_TAG: 'another'},
            created=(NOW - datetime.timedelta(seconds=seconds_old)).isoformat(),
        )

    assert not is_leftover(theirs(24 * 3600), 'now', NOW)  # a drill of another scope may still be at it
    assert is_leftover(theirs(24 * 3600 + 10), 'now', NOW)


@pytest.mark.parametrize(
    'overrides',
    [
        {'restore_test_count': 1},
        {'restore_test_count': 50},
        {'restore_test_timeout': 10},
        {'restore_test_timeout': 6 * 3600},
    ],
)
def test_the_bounds_of_the_count_and_the_timeout_are_accepted(overrides):
    cloud, dummy = cloud_with_disks()
    check_restore_settings(dr_settings(params(restore_test=True, wait=True, **overrides)), cloud)


def test_a_slow_disk_is_read_at_most_every_30_seconds():
    cloud, clock = copied_cloud(count=1)
    cloud.disk_seconds = 400
    clock.sleeps.clear()
    report = drill(cloud, clock, restore_test_timeout=3600)
    assert report['restore']['totals']['passed'] == 2
    assert max(clock.sleeps) == 30


@pytest.mark.parametrize('usable_after, action', [(359.5, 'deleted'), (360.5, 'delete_failed')])
def test_a_disk_still_being_made_at_the_timeout_is_waited_for_five_minutes_more_then_left_to_the_next_run(
    usable_after, action
):
    cloud, clock = copied_cloud(count=1)
    cloud.disk_seconds = usable_after  # the disks are asked for at the drill's start; the timeout is 60 s
    report = drill(cloud, clock, restore_test_timeout=60, dr_regions=['dr-1'])
    assert [(test['result'], test['test_disk']['action']) for test in report['restore']['tests']] == [
        ('timed_out', action)
    ]


def test_a_call_throttled_near_the_end_of_a_short_drill_is_still_retried():
    cloud, clock = copied_cloud(count=1)
    original = cloud.find_test_disks
    throttled = []

    def find(region):
        if not throttled:
            throttled.append(region)
            raise CloudError('DescribeDisks', 'Throttling', 'slow down', kind='retryable')
        return original(region)

    cloud.find_test_disks = find
    report = drill(cloud, clock, restore_test_timeout=60)
    assert throttled and report['restore']['totals']['passed'] == 2 and not report['failures']


def test_a_zone_the_cloud_does_not_offer_is_refused_with_the_zones_it_offers():
    cloud, clock = copied_cloud(count=1)
    report = drill(cloud, clock, restore_test_zones={'dr-1': 'dr-1z'}, dr_regions=['dr-1'])
    assert any(
        'offers no zone dr-1z for disks of type %s (it offers dr-1a, dr-1b)' % cloud.restore_disk_type in failure
        for failure in report['failures']
    ), report['failures']


def test_check_mode_does_not_wait_for_a_leftover_still_being_made():
    cloud, clock = copied_cloud(count=1)
    add_leftover(cloud, clock, 'killed-mid-drill', 'dr-1', 2)
    cloud.calls.clear()
    clock.sleeps.clear()
    report = drill(cloud, clock, check_mode=True)
    assert [record['action'] for record in report['restore']['leftovers']] == ['would_delete']
    assert clock.sleeps == [] and 'describe_test_disks' not in cloud.calls


def test_a_lost_create_answer_adopts_the_disk_made_from_its_own_copy_not_another_tests():
    cloud, clock = copied_cloud(count=2)
    original = cloud.create_test_disk
    created = []

    def create(*args):
        created.append(args)
        if len(created) == 2:  # the second test of dr-1: its answer is lost
            cloud.lose_next_disk_answer = True
        return original(*args)

    cloud.create_test_disk = create
    report = drill(cloud, clock, restore_test_count=2, dr_regions=['dr-1'])
    tests = report['restore']['tests']
    assert [test['result'] for test in tests] == ['passed', 'passed'] and len(created) == 2
    assert len({test['test_disk_id'] for test in tests}) == 2
    assert cloud.test_disks == {}


def test_the_markdown_plan_of_a_region_names_its_zone():
    cloud, clock = cloud_with_disks(count=1)
    report = drill(cloud, clock, check_mode=True)
    assert (
        '| dr-1 | dr-1a | - | - | - | - | would test the copies this run makes, once they have completed | - |'
        in dr_report_markdown(report)
    )


# ------------------------------------------------------------------------------------------ what cannot be done is said
def test_a_copy_that_cannot_be_marked_as_tested_is_a_warning_not_a_failure():
    cloud, clock = copied_cloud(count=1)

    def refuse(copy, tags):
        raise CloudError('TagResources', 'Forbidden', 'no tagging here', kind=FATAL)

    cloud.tag_copy = refuse
    report = drill(cloud, clock, dr_regions=['dr-1'])
    assert report['restore']['totals']['passed'] == 1 and not report['failures']
    assert any(
        'passed, but it could not be marked as tested' in warning and 'no tagging here' in warning
        for warning in report['run_warnings']
    ), report['run_warnings']


def test_a_failed_listing_before_the_disks_are_deleted_is_a_warning_and_the_known_disks_still_go():
    cloud, clock = copied_cloud(count=1)
    original = cloud.find_test_disks
    listings = []

    def find(region):
        listings.append(region)
        if len(listings) == 2:  # the first lists leftovers; the second, before deleting, fails
            raise CloudError('DescribeDisks', 'Forbidden', 'no listing now', kind=FATAL)
        return original(region)

    cloud.find_test_disks = find
    report = drill(cloud, clock, dr_regions=['dr-1'])
    assert report['restore']['totals']['passed'] == 1 and cloud.test_disks == {}
    assert any(
        'could not list the test disks of dr-1 to delete them' in warning and 'no listing now' in warning
        for warning in report['run_warnings']
    ), report['run_warnings']


def test_a_leftover_that_cannot_be_deleted_is_a_failure_of_the_run():
    cloud, clock = copied_cloud(count=1)
    add_leftover(cloud, clock, 'stuck', 'dr-1', 600)
    original = cloud.delete_test_disk

    def delete(region, disk_id):
        if disk_id == 'stuck':
            raise CloudError('DeleteDisk', 'Forbidden', 'locked by policy', kind=FATAL)
        return original(region, disk_id)

    cloud.delete_test_disk = delete
    report = drill(cloud, clock, dr_regions=['dr-1'])
    assert [(record['test_disk_id'], record['action']) for record in report['restore']['leftovers']] == [
        ('stuck', 'delete_failed')
    ]
    assert any(
        'leftover restore test disk stuck in dr-1 could not be deleted: locked by policy' in failure
        for failure in report['failures']
    ), report['failures']


def test_a_copy_the_run_refused_as_differing_is_not_what_the_drill_proves():
    """Issue 24: the drill restored the copy that the run itself had just refused (on_mismatch: fail)."""
    cloud, clock = copied_cloud(count=1)
    report = drill(cloud, clock, encrypted=True)  # the copies found are not encrypted: refused, not used
    assert report['totals']['not_copied'] == 2
    assert report['restore']['tests'] == [] and 'create_test_disk' not in cloud.calls
    assert any('no completed DR copy in dr-1' in failure for failure in report['failures'])
