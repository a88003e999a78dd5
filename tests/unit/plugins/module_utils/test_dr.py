"""The DR run (dr_sync) on the in-memory cloud: plan, copy, rerun, fresh snapshots, pruning, report."""

from __future__ import annotations

import datetime
import random

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    FATAL,
    INVALID,
    RETRYABLE,
    CloudError,
    InputError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.inputs import typed_places
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_LEASE_TAG_PREFIX,
    COPY_TAG,
    DISK_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.copies import lease_key, leases_in
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.copy import Copies
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import TOTALS, summary_line
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.run import COPY_WORKERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.settings import DrRegion
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings, in_role_words
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run, new_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import EPOCH, MemoryCloud
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_engine import ThreadSafeCloud

# What a disk without a snapshot to copy is told (each with what to do).
NO_SNAPSHOT = (
    'no completed snapshot to copy: set max_snapshot_age_hours to have a fresh snapshot taken of a disk whose '
    'newest is older than that, or none'
)
SNAPSHOT_BEING_MADE = 'no completed snapshot to copy yet (a fresh one is being made: the next run copies it)'


def params(**overrides):
    base = {
        'provider': 'aws',
        'source_region': 'src-1',
        'dr_regions': ['dr-1', 'dr-2'],
        'tag_selector': {'dr': 'yes'},
        'name_template': None,
        'description_template': 'DR copy of {source_id} ({disk_name})',
        'snapshot_name_template': None,
        'tags': {'team': 'ops'},
        'encrypted': None,
        'kms_key_id': None,
        'retention_days': None,
        'instance_billing_cycle': None,
        'max_snapshot_age_hours': None,
        'prune': False,
        'keep_copies': None,
        'max_copy_age_days': None,
        'max_in_flight': None,
        'wait': False,
        'wait_timeout': 3600,
        'poll_interval': 1,
    }
    base.update(overrides)
    return base


def cloud_with_disks(count=3, clock=None, **kwargs):
    clock = clock or FakeClock()
    clock.now = 30 * 24 * 3600  # a month after EPOCH, so snapshots can be days old
    cloud = MemoryCloud(clock, **kwargs)
    for index in range(count):
        cloud.add_disk('disk-%d' % index, tags={'dr': 'yes'}, snapshot_ages_hours=(50, 2))
    cloud.add_disk('disk-untagged', tags={'dr': 'no'})
    return cloud, clock


def run(cloud, clock, check_mode=False, workers=1, **overrides):
    return memory_dr_run(cloud, clock, params(**overrides), check_mode=check_mode, workers=workers).run()


def test_check_mode_plans_without_mutating():
    cloud, clock = cloud_with_disks()
    report = run(cloud, clock, check_mode=True)
    assert report['changed']
    assert report['totals']['would_copy'] == 6
    assert report['totals']['without_dr_copy'] == 0
    assert not report['failures']
    assert not any(name in cloud.calls for name in ('start_copy', 'create_snapshot', 'delete_snapshot'))
    assert [disk['disk_id'] for disk in report['disks']] == ['disk-0', 'disk-1', 'disk-2']


def test_copies_newest_snapshot_then_rerun_changes_nothing():
    cloud, clock = cloud_with_disks()
    first = run(cloud, clock)
    assert first['totals']['copied'] == 6
    for disk in first['disks']:
        assert disk['source_snapshot']['id'] == disk['disk_id'] + '-snap-1'  # the newest one
    copy_tags = [copy['tags'] for copy in cloud.copies.values()]
    assert all(tags[DISK_TAG].startswith('src-1/disk-') and tags['team'] == 'ops' for tags in copy_tags)
    # The first run looked the copies up once more under its copy leases (dr.leases.copies.CopyLeases), just before copying: one
    # batched look per DR region, as the first.
    assert cloud.calls['find_copies'] == 2 + 2
    second = run(cloud, clock)
    assert not second['changed']
    assert second['totals']['existing'] == 6
    assert len(cloud.copies) == 6
    # batched reads: one disk listing, one snapshot listing, one copy look-up per DR region, and no lease: nothing to copy;
    # the sources come from the snapshot listing and are not read again
    assert cloud.calls['find_disks'] == 2 and cloud.calls['disk_snapshots'] == 2 and cloud.calls['find_copies'] == 4 + 2
    assert 'get_sources' not in cloud.calls


def test_stale_disk_gets_a_fresh_snapshot_which_is_copied_when_waiting():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True)
    disk = report['disks'][0]
    assert disk['fresh_snapshot']['action'] == 'created'
    assert disk['source_snapshot']['id'] == disk['fresh_snapshot']['id']
    assert disk['source_snapshot']['age_hours'] < 0.01
    assert report['totals']['fresh_snapshots'] == 1 and report['totals']['copied'] == 2
    # the rerun finds the fresh snapshot recent enough: no new snapshot, no new copy
    unanswered = run(cloud, clock, max_snapshot_age_hours=1)
    assert not unanswered['changed']
    assert cloud.calls['create_snapshot'] == 1


def test_stale_disk_without_wait_copies_the_newest_completed_now():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    report = run(cloud, clock, max_snapshot_age_hours=1)
    disk = report['disks'][0]
    assert disk['fresh_snapshot']['action'] == 'created'
    assert disk['source_snapshot']['id'] == 'disk-0-snap-1'
    # a second run while it is still being made does not make another
    run(cloud, clock, max_snapshot_age_hours=1)
    assert cloud.calls['create_snapshot'] == 1


def test_pruning_keeps_the_newest_and_never_touches_foreign_snapshots():
    cloud, clock = cloud_with_disks(count=1)
    for day in (9, 6, 3):
        cloud.add_copy(
            'old-%d' % day,
            'dr-1',
            {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0'},
            clock.now - day * 86400,
        )
    cloud.add_copy('foreign', 'dr-1', {'owner': 'someone else'}, clock.now - 20 * 86400)
    cloud.add_copy(
        'other-disk', 'dr-1', {SOURCE_TAG: 'src-1/x', DISK_TAG: 'src-1/disk-untagged'}, clock.now - 20 * 86400
    )
    # Without wait, the copy this run makes is still in flight when it prunes: it does not count yet.
    plan = run(cloud, clock, check_mode=True, prune=True, keep_copies=2, dr_regions=['dr-1'])
    assert {record['snapshot_id'] for record in plan['disks'][0]['pruned']} == {'old-9'}
    assert not cloud.deleted
    report = run(cloud, clock, prune=True, keep_copies=2, dr_regions=['dr-1'])
    assert sorted(cloud.deleted) == ['old-9']
    assert 'foreign' in cloud.copies and 'other-disk' in cloud.copies
    assert report['totals']['pruned'] == 1
    # by age: every completed copy older than 1 day goes, but never the newest completed one (the new copy is in flight)
    run(cloud, clock, prune=True, max_copy_age_days=1, dr_regions=['dr-1'])
    assert sorted(cloud.deleted) == ['old-6', 'old-9'] and 'old-3' in cloud.copies
    # once the new copy has completed, it is the one kept
    clock.now += 60
    run(cloud, clock, prune=True, max_copy_age_days=1, dr_regions=['dr-1'])
    assert sorted(cloud.deleted) == ['old-3', 'old-6', 'old-9']


def test_a_copy_deleted_by_someone_else_while_pruning_is_no_failure_and_not_counted_as_ours():
    """Two runs (or a person) may prune the same copy: the cloud's not-found on delete is no failure, and only the run
    that deleted it counts it (issue 24: two runs at once both counted the same deletions)."""
    cloud, clock = cloud_with_disks(count=1)
    for day in (9, 6):
        cloud.add_copy(
            'old-%d' % day,
            'dr-1',
            {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0'},
            clock.now - day * 86400,
        )
    listed = cloud.list_copies

    def list_then_lose_one(destination):
        copies = listed(destination)
        if cloud.calls['list_copies'] > 1:  # pruning's listing, after the copy phase's look
            cloud.copies.pop('old-9', None)  # gone between the listing and the delete
        return copies

    cloud.list_copies = list_then_lose_one
    report = run(cloud, clock, prune=True, keep_copies=1, dr_regions=['dr-1'], wait=True)
    assert cloud.calls['delete_snapshot'] == 2 and cloud.deleted == ['old-6']
    actions = {record['snapshot_id']: record['action'] for record in report['disks'][0]['pruned']}
    assert actions == {'old-6': 'deleted', 'old-9': 'already_deleted'} and report['totals']['pruned'] == 1
    assert not report['failures'] and not report['disks'][0]['problems']


def test_disk_without_a_snapshot_is_a_failure_in_the_report():
    cloud, clock = cloud_with_disks(count=1)
    cloud.add_disk('disk-empty', tags={'dr': 'yes'}, snapshot_ages_hours=())
    report = run(cloud, clock)
    assert report['totals']['without_dr_copy'] == 1
    assert any('disk-empty' in failure and 'no completed snapshot' in failure for failure in report['failures'])
    markdown = dr_report_markdown(report)
    assert '## Failures' in markdown and '| disk-0 |' in markdown


def test_bad_settings_are_refused_before_any_call():
    cloud, clock = cloud_with_disks(count=1)
    for overrides, option in (
        ({'description_template': 'copy of {volume}'}, 'description_template'),
        ({'dr_regions': []}, 'dr_regions'),
        ({'dr_regions': ['dr-1', 'dr-1']}, 'dr_regions'),
        ({'dr_regions': [{'region': 'dr-1', 'colour': 'red'}]}, 'dr_regions'),
        ({'tag_selector': {}}, 'tag_selector'),
        ({'retention_days': 7}, 'retention_days'),
        ({'prune': True}, 'prune'),
        ({'keep_copies': 0, 'prune': True}, 'keep_copies'),
    ):
        with pytest.raises(InputError) as error:
            run(cloud, clock, **overrides)
        assert error.value.option == option
    assert not cloud.calls


def test_the_summary_counts_each_thing_in_its_own_unit():
    """Disks, copies, snapshots and restore tests are not added up: each count says what it counts, 1 disk and 2 disks."""
    totals = dict.fromkeys(TOTALS, 0)
    totals.update(disks=1, existing=2, without_dr_copy=1, fresh_snapshots=1, pruned=1)
    assert summary_line(totals, None, check_mode=False) == (
        '1 disk; copies: 0 made, 2 already there; 1 disk without a DR copy; 1 fresh snapshot taken; 1 old copy pruned'
    )
    totals.update(disks=3, copied=0, would_copy=4, without_dr_copy=0, fresh_snapshots=1, pruned=2, locked=2)
    drill = {'totals': {'passed': 0, 'failed': 0, 'timed_out': 0, 'would_test': 1}}
    # A plan says "would" of everything it would do, and claims nothing as done.
    assert summary_line(totals, drill, check_mode=True) == (
        'Check mode: 3 disks; copies: 0 made, 2 already there, 4 would be made; 0 disks without a DR copy; 1 fresh snapshot would be '
        'taken; 2 copies would be locked; 2 old copies would be pruned; restore tests: 0 passed, 0 failed, 0 timed out, 1 planned'
    )


def test_a_disk_without_a_snapshot_is_named_and_told_what_to_do_in_the_roles_words():
    cloud, clock = cloud_with_disks(count=0)
    cloud.add_disk('disk-bare', tags={'dr': 'yes'}, snapshot_ages_hours=())
    report = run(cloud, clock)
    (failure,) = report['failures']
    assert failure.startswith('disk disk-bare (name-disk-bare): no completed snapshot to copy')
    assert 'set dr_copy_max_snapshot_age_hours' in in_role_words(failure)


@pytest.mark.parametrize('unset', [0, '', False, None])
def test_an_option_given_as_unset_is_not_given(unset):
    """The role passes its documented defaults (0 days, '' key, false) and a survey gives ''; none is an option given,
    so none is refused for a provider that lacks the option, and none reaches the copies."""
    settings = dr_settings(
        params(retention_days=unset, kms_key_id=unset, instance_billing_cycle=unset, encrypted=unset)
    )
    assert settings.copy.options == {}


def test_retention_days_0_on_ecs_sends_nothing_and_7_is_kept():
    assert 'retention_days' not in dr_settings(params(provider='ecs', retention_days=0)).copy.options
    assert dr_settings(params(provider='ecs', retention_days=7)).copy.options['retention_days'] == 7


@pytest.mark.parametrize(
    'typed',
    [
        ['ap-shanghai', 'ap-singapore'],
        'ap-shanghai,ap-singapore',
        'ap-shanghai, ap-singapore',
        'ap-shanghai ap-singapore',
        'ap-shanghai\nap-singapore',
        '["ap-shanghai", "ap-singapore"]',
        '[ap-shanghai, ap-singapore]',
        # as Ansible hands over a survey's text after splitting it on commas
        ['ap-shanghai', ' ap-singapore'],
        ['["ap-shanghai"', ' "ap-singapore"]'],
    ],
)
def test_dr_regions_take_what_a_person_types(typed):
    assert typed_places(typed) == ['ap-shanghai', 'ap-singapore']
    assert [region.region for region in dr_settings(params(dr_regions=typed)).dr_regions] == [
        'ap-shanghai',
        'ap-singapore',
    ]


def test_dr_regions_keep_dicts_and_refuse_what_is_wrong():
    assert typed_places([{'region': 'dr-1', 'encrypted': True}, 'dr-2 dr-3']) == [
        {'region': 'dr-1', 'encrypted': True},
        'dr-2',
        'dr-3',
    ]
    for typed in ('', ' , ', []):
        with pytest.raises(InputError) as error:
            dr_settings(params(dr_regions=typed))
        assert error.value.option == 'dr_regions'
    with pytest.raises(InputError) as error:
        dr_settings(params(dr_regions="dr-1, dr-1"))
    assert 'listed twice' in error.value.message


def test_parse_time_reads_every_cloud_s_format():
    expected = EPOCH.replace(hour=8)
    for text in (
        '2026-11-01T08:00:00Z',
        '2026-11-01T08:00:00+00:00',
        '2026-11-01T16:00:00+08:00',
        '2026-11-01 08:00:00',
    ):
        assert parse_time(text) == expected
    assert parse_time(None) is None


def test_fresh_snapshot_whose_answer_was_lost_is_looked_up_not_made_twice():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    original = cloud.create_snapshot

    def create_then_lose_the_answer(region, disk, name, description, tags):
        original(region, disk, name, description, tags)
        raise CloudError('CreateSnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)

    cloud.create_snapshot = create_then_lose_the_answer
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True)
    disk = report['disks'][0]
    assert disk['fresh_snapshot']['action'] == 'created'
    assert cloud.calls['create_snapshot'] == 1
    assert len([name for name in cloud.snapshots if name.startswith('disk-0-')]) == 3  # two seeded, one fresh
    assert disk['source_snapshot']['id'] == disk['fresh_snapshot']['id']


def test_fresh_snapshot_not_made_after_a_lost_answer_is_asked_for_again_once_the_look_up_shows_it():
    """A slow answer that the cloud then refused (chaos: slow, then throttled): nothing was made, so
    the call is sent again, and the disk gets its fresh snapshot and its copies in the same run."""
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    original = cloud.create_snapshot
    lost = []

    def lose_the_first_answer_without_making_it(region, disk, name, description, tags):
        if not lost:
            lost.append(disk.id)
            raise CloudError('CreateSnapshot', 'NetworkError', 'read timed out', kind=RETRYABLE, uncertain=True)
        return original(region, disk, name, description, tags)

    cloud.create_snapshot = lose_the_first_answer_without_making_it
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True)
    disk = report['disks'][0]
    assert report['failures'] == [] and disk['fresh_snapshot']['action'] == 'created'
    assert cloud.calls['create_snapshot'] == 1 and lost == ['disk-0']  # the one that was refused, then one made
    assert len([name for name in cloud.snapshots if name.startswith('disk-0-')]) == 3  # two seeded, one fresh
    assert (
        disk['source_snapshot']['id'] == disk['fresh_snapshot']['id'] and report['totals']['copied'] == 2
    )  # both DR regions


def test_copy_calls_from_the_pool_copy_each_disk_once_and_a_rerun_changes_nothing():
    clock = FakeClock()
    clock.now = 30 * 24 * 3600
    # The pool's workers all meet at a barrier in their first copy calls: side by side whatever the machine's speed.
    cloud = ThreadSafeCloud(clock, meet=COPY_WORKERS)
    for index in range(40):
        cloud.add_disk('disk-%d' % index, tags={'dr': 'yes'}, snapshot_ages_hours=(50, 2))
    first = run(cloud, clock, workers=COPY_WORKERS)
    assert first['totals']['copied'] == 80 and not first['failures']
    assert cloud.calls['start_copy'] == 80 and len(cloud.copies) == 80
    cloud.assert_met()
    assert cloud.peak_calls == COPY_WORKERS
    second = run(cloud, clock, workers=COPY_WORKERS)
    assert not second['changed'] and second['totals']['existing'] == 80
    assert len(cloud.copies) == 80


# ---------------------------------------------------------------------- DR copies that differ from the settings
def test_dr_copies_made_before_encryption_was_asked_are_reported_then_replaced_when_told():
    cloud, clock = cloud_with_disks(count=2)
    first = run(cloud, clock, dr_regions=['dr-1'])
    assert first['totals']['copied'] == 2
    failed = run(cloud, clock, dr_regions=['dr-1'], encrypted=True)
    assert failed['totals']['not_copied'] == 2 and failed['totals']['without_dr_copy'] == 2
    assert all('ExistingCopyDiffers' in failure and 'encrypted' in failure for failure in failed['failures'])
    copy = failed['disks'][0]['copies'][0]
    assert copy['mismatch']['differences'] == {'encrypted': {'asked': True, 'found': False}}
    assert '(%s differs: encrypted)' % copy['mismatch']['snapshot_id'] in dr_report_markdown(failed)
    warned = run(cloud, clock, dr_regions=['dr-1'], encrypted=True, on_mismatch='warn')
    assert not warned['failures'] and warned['totals']['existing'] == 2 and len(warned['run_warnings']) == 2
    replaced = run(cloud, clock, dr_regions=['dr-1'], encrypted=True, on_mismatch='new_copy')
    assert replaced['totals']['copied'] == 2 and not replaced['failures']
    unanswered = run(cloud, clock, dr_regions=['dr-1'], encrypted=True)
    assert unanswered['totals']['existing'] == 2 and not unanswered['failures'] and not unanswered['run_warnings']


def test_a_dated_name_template_does_not_make_yesterdays_copy_differ():
    cloud, clock = cloud_with_disks(count=1)
    cloud.readable_options = ('name', 'tags')
    run(
        cloud,
        clock,
        provider='ecs',
        dr_regions=['dr-1'],
        name_template='dr-{disk_id}-{date}',
        description_template=None,
    )
    clock.now += 86400
    unanswered = run(
        cloud,
        clock,
        provider='ecs',
        dr_regions=['dr-1'],
        name_template='dr-{disk_id}-{date}',
        description_template=None,
    )
    assert unanswered['totals']['existing'] == 1 and not unanswered['failures']
    # A name template without the date is held to: another name is a difference.
    renamed = run(
        cloud, clock, provider='ecs', dr_regions=['dr-1'], name_template='dr-{disk_id}', description_template=None
    )
    assert renamed['totals']['not_copied'] == 1 and 'name (asked dr-disk-0' in renamed['failures'][0]


def test_the_run_keeps_its_own_deadline_after_the_copies():
    """The engine's deadline is at least a second away; pruning and deletes after it keep the run's own."""
    cloud, clock = cloud_with_disks(count=1)
    dr_run = memory_dr_run(cloud, clock, params(wait_timeout=1))
    clock.now += 0.9  # most of the run's time goes before the copies
    dr_run.run()
    assert dr_run.retry.deadline == dr_run.deadline
    assert dr_run.phases.of(Copies).config.timeout == 1  # the copies get a second at least


# ---------------------------------------------------------------------- what the mutation run (make mutation) showed unpinned
def add_old_copies(cloud, clock, days=(9, 6, 3), region='dr-1'):
    for day in days:
        cloud.add_copy(
            'old-%d' % day,
            region,
            {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0'},
            clock.now - day * 86400,
        )


def test_pruning_keeps_the_newest_copy_when_this_runs_copy_to_the_region_failed():
    """The case that matters most: with today's copy failed, the newest old copy is the region's only DR copy."""
    cloud, clock = cloud_with_disks(count=1)
    add_old_copies(cloud, clock)
    cloud.per_destination['dr-1'] = CloudError('CopySnapshot', 'QuotaExceeded', 'no room', kind=INVALID, region='dr-1')
    report = run(cloud, clock, prune=True, max_copy_age_days=1, dr_regions=['dr-1'])
    assert report['totals']['not_copied'] == 1 and report['totals']['pruned'] == 2
    assert sorted(cloud.deleted) == ['old-6', 'old-9'] and 'old-3' in cloud.copies
    assert [record['snapshot_id'] for record in report['disks'][0]['kept']] == ['old-3']


def test_the_plan_prunes_the_newest_old_copy_only_where_a_copy_would_be_made():
    cloud, clock = cloud_with_disks(count=1)
    add_old_copies(cloud, clock, region='dr-1')
    add_old_copies(cloud, clock, days=(8, 4), region='dr-2')
    cloud.add_copy('today', 'dr-2', {SOURCE_TAG: 'src-1/disk-0-snap-1', DISK_TAG: 'src-1/disk-0'}, clock.now - 3600)
    plan = run(cloud, clock, check_mode=True, prune=True, max_copy_age_days=1, wait=True)
    pruned = {(record['region'], record['snapshot_id']) for record in plan['disks'][0]['pruned']}
    # dr-1 would get a copy, which becomes its newest once the run has waited for it; dr-2 has today's already
    assert pruned == {('dr-1', 'old-3'), ('dr-1', 'old-6'), ('dr-1', 'old-9'), ('dr-2', 'old-4'), ('dr-2', 'old-8')}
    assert all(record['action'] == 'would_delete' for record in plan['disks'][0]['pruned']) and not cloud.deleted
    # A run that does not wait prunes while its copy is in flight: old-3 stays dr-1's last completed copy.
    plan = run(cloud, clock, check_mode=True, prune=True, max_copy_age_days=1)
    pruned = {(record['region'], record['snapshot_id']) for record in plan['disks'][0]['pruned']}
    assert pruned == {('dr-1', 'old-6'), ('dr-1', 'old-9'), ('dr-2', 'old-4'), ('dr-2', 'old-8')}


@pytest.mark.parametrize('max_in_flight, cloud_limit, peak', [(5, None, 5), (None, 7, 7), (3, 7, 3)])
def test_the_dr_run_keeps_copies_in_flight_to_the_users_bound_else_the_clouds(max_in_flight, cloud_limit, peak):
    cloud, clock = cloud_with_disks(count=12, copy_seconds=5)
    cloud.max_copies_in_flight = cloud_limit
    report = run(cloud, clock, dr_regions=['dr-1'], wait=True, max_in_flight=max_in_flight)
    assert report['totals']['copied'] == 12 and not report['failures']
    assert cloud.peak_in_flight == {'dr-1': peak}


def test_the_report_says_which_regions_lack_a_copy_what_was_kept_and_how_many_calls_were_retried():
    cloud, clock = cloud_with_disks(count=1)
    add_old_copies(cloud, clock, days=(3,))
    cloud.per_destination['dr-2'] = CloudError('CopySnapshot', 'QuotaExceeded', 'no room', kind=INVALID, region='dr-2')
    original = cloud.find_disks
    throttled = []

    def find_disks(region, tag_selector):
        if not throttled:
            throttled.append(region)
            raise CloudError('DescribeDisks', 'Throttling', 'slow down', kind=RETRYABLE)
        return original(region, tag_selector)

    cloud.find_disks = find_disks
    report = run(cloud, clock, prune=True, keep_copies=2)
    assert report['api_retries'] == 1 and throttled == ['src-1']
    assert report['totals'] == {
        'disks': 1,
        'copied': 1,
        'existing': 0,
        'would_copy': 0,
        'not_copied': 1,
        'fresh_snapshots': 0,
        'pruned': 0,
        'kept': 2,
        'without_dr_copy': 1,
        # disk-untagged (dr: no), which the selector does not take
        'not_covered': 1,
        'locked': 0,
    }
    disk = report['disks'][0]
    assert disk['missing_regions'] == ['dr-2']
    assert [(record['region'], record['snapshot_id']) for record in disk['kept']] == [
        ('dr-1', 'copy-1'),
        ('dr-1', 'old-3'),
    ]
    assert [(copy['region'], copy['action'], copy['changed']) for copy in disk['copies']] == [
        ('dr-1', 'copied', True),
        ('dr-2', 'not_copied', False),
    ]
    assert report['failures'] == [
        'disk disk-0 (name-disk-0): dr-2: CopySnapshot failed: QuotaExceeded: no room (region dr-2)'
    ]
    assert report['changed'] and not report['check_mode'] and report['run_warnings'] == []
    markdown = dr_report_markdown(report)
    assert '| disk-0 | name-disk-0 | disk-0-snap-1 | 2.0 | dr-1 | copy-1 | pending | made | - |' in markdown
    assert '| disk-0 | name-disk-0 | disk-0-snap-1 | 2.0 | dr-2 | - | - | not made | - |' in markdown
    assert (
        '- disk disk-0 (name-disk-0): dr-2: CopySnapshot failed: QuotaExceeded' in markdown
        and '## Pruned' not in markdown
    )


def test_the_markdown_report_lists_what_was_pruned_with_its_age():
    cloud, clock = cloud_with_disks(count=1)
    add_old_copies(cloud, clock, days=(9, 3))
    cloud.copies['old-9']['started'] -= 144  # 216.04 hours old
    report = run(cloud, clock, prune=True, keep_copies=2, dr_regions=['dr-1'], wait=True)
    assert report['totals']['pruned'] == 1 and report['totals']['kept'] == 2
    (pruned,) = report['disks'][0]['pruned']
    assert pruned['snapshot_id'] == 'old-9' and pruned['age_hours'] == 216.0 and pruned['action'] == 'deleted'
    markdown = dr_report_markdown(report)
    assert (
        '## Pruned\n\n| disk | DR region | copy | age (h) | action |\n|---|---|---|---|---|\n| disk-0 | dr-1 | old-9 | 216.0 | deleted |'
        in markdown
    )
    assert markdown.startswith('# DR copy report: aws src-1 -> dr-1\n\nGenerated 2026-12-01T00:00:00Z.\n')


def test_a_fresh_snapshot_that_fails_is_a_failure_of_its_disk_and_the_older_one_is_copied():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    original = cloud.create_snapshot

    def create_a_snapshot_that_then_fails(region, disk, name, description, tags):
        snapshot = original(region, disk, name, description, tags)
        cloud.snapshots[snapshot.id]['state'] = FAILED
        return snapshot

    cloud.create_snapshot = create_a_snapshot_that_then_fails
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True)
    disk = report['disks'][0]
    assert disk['fresh_snapshot'] == {'action': 'created', 'id': 'disk-0-snap-3', 'state': FAILED}
    assert report['failures'] == ['disk disk-0 (name-disk-0): fresh snapshot disk-0-snap-3 failed: %s' % FAILED]
    assert disk['source_snapshot']['id'] == 'disk-0-snap-1' and report['totals']['copied'] == 2


@pytest.mark.parametrize('snapshot_tags', [True, False])
def test_after_a_lost_create_answer_the_run_adopts_the_snapshot_it_made_not_another(snapshot_tags):
    """Adopting an older snapshot instead would copy stale data and miss the RPO without a word."""
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5, snapshot_tags=snapshot_tags)
    # someone's snapshot of the disk two minutes ago, which failed
    cloud.snapshots['disk-0-broken'] = {
        'disk': 'disk-0',
        'region': 'src-1',
        'created': clock.now - 120,
        'state': FAILED,
    }
    original = cloud.create_snapshot

    def create_then_lose_the_answer(region, disk, name, description, tags):
        original(region, disk, name, description, tags)
        raise CloudError('CreateSnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)

    cloud.create_snapshot = create_then_lose_the_answer
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True)
    disk = report['disks'][0]
    assert disk['fresh_snapshot'] == {'action': 'created', 'id': 'disk-0-snap-4', 'state': COMPLETED}
    assert disk['source_snapshot']['id'] == 'disk-0-snap-4' and report['failures'] == []
    assert cloud.calls['create_snapshot'] == 1


def test_a_fresh_snapshot_call_that_keeps_failing_is_tried_ten_times_then_reported():
    cloud, clock = cloud_with_disks(count=1)
    tries = []

    def create_throttled(region, disk, name, description, tags):
        tries.append(disk.id)
        raise CloudError('CreateSnapshot', 'Throttling', 'slow down', kind=RETRYABLE)

    cloud.create_snapshot = create_throttled
    report = run(cloud, clock, max_snapshot_age_hours=1)
    assert len(tries) == 10
    assert report['disks'][0]['fresh_snapshot']['action'] == 'failed'
    assert report['failures'] == [
        'disk disk-0 (name-disk-0): fresh snapshot: CreateSnapshot failed: Throttling: slow down'
    ]
    assert report['totals']['copied'] == 2  # the newest completed snapshot is still copied


@pytest.mark.parametrize('settle, timeout, made', [(30, 3600, 1), (30, 30, 1), (30, 29, 0)])
def test_a_fresh_snapshot_call_that_timed_out_settles_before_the_look_up_or_gives_up_near_the_deadline(
    settle, timeout, made
):
    cloud, clock = cloud_with_disks(count=1, copy_seconds=5)
    original = cloud.create_snapshot

    def create_slowly(region, disk, name, description, tags):
        original(region, disk, name, description, tags)
        error = CloudError('CreateSnapshot', 'ReadTimeout', 'read timed out', kind=RETRYABLE, uncertain=True)
        error.settle_seconds = settle
        raise error

    cloud.create_snapshot = create_slowly
    report = run(cloud, clock, max_snapshot_age_hours=1, wait_timeout=timeout)
    fresh = report['disks'][0]['fresh_snapshot']
    assert cloud.calls['create_snapshot'] == 1
    if made:
        assert fresh['action'] == 'created' and fresh['id'] == 'disk-0-snap-3' and clock.sleeps[0] == settle
    else:
        assert fresh['action'] == 'failed' and 'ReadTimeout' in report['failures'][0] and clock.sleeps == []


def test_a_snapshot_being_made_is_used_not_another_and_the_rerun_copies_it_once_done():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=600)
    cloud.snapshots['disk-0-older-pending'] = {
        'disk': 'disk-0',
        'region': 'src-1',
        'created': clock.now - 200,
        'state': PENDING,
    }
    cloud.snapshots['disk-0-pending'] = {
        'disk': 'disk-0',
        'region': 'src-1',
        'created': clock.now - 100,
        'state': PENDING,
    }
    report = run(cloud, clock, max_snapshot_age_hours=1)
    disk = report['disks'][0]
    assert disk['fresh_snapshot'] == {'action': 'existing', 'id': 'disk-0-pending', 'state': PENDING}
    assert 'create_snapshot' not in cloud.calls and report['totals']['fresh_snapshots'] == 0


def test_ages_in_the_report_are_hours_to_one_decimal():
    cloud, clock = cloud_with_disks(count=0)
    cloud.add_disk('disk-0', tags={'dr': 'yes'}, snapshot_ages_hours=(2.04,))
    cloud.add_copy(
        'found',
        'dr-1',
        {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0', 'team': 'ops'},
        clock.now - 3 * 86400 - 144,
    )
    report = run(cloud, clock, dr_regions=['dr-1'])
    disk = report['disks'][0]
    assert disk['source_snapshot']['age_hours'] == 2.0 and disk['copies'][0]['age_hours'] == 72.0
    assert disk['copies'][0]['action'] == 'existing'


def test_a_disk_without_a_completed_snapshot_says_whether_a_fresh_one_is_on_its_way():
    cloud, clock = cloud_with_disks(count=0)
    cloud.add_disk('disk-new', tags={'dr': 'yes'}, snapshot_ages_hours=())
    cloud.snapshots['disk-new-pending'] = {
        'disk': 'disk-new',
        'region': 'src-1',
        'created': clock.now,
        'state': PENDING,
    }
    cloud.add_disk('disk-none', tags={'dr': 'yes'}, snapshot_ages_hours=())
    report = run(cloud, clock)
    assert report['failures'] == [
        'disk disk-new (name-disk-new): %s' % NO_SNAPSHOT,
        'disk disk-none (name-disk-none): %s' % NO_SNAPSHOT,
    ]
    waiting = run(cloud, clock, max_snapshot_age_hours=1)
    assert waiting['failures'][0] == 'disk disk-new (name-disk-new): %s' % SNAPSHOT_BEING_MADE


def test_options_set_for_one_dr_region_apply_there_and_unset_ones_do_not_clear_the_others():
    cloud, clock = cloud_with_disks(count=1)
    report = run(
        cloud,
        clock,
        encrypted=True,
        dr_regions=[{'region': 'dr-1', 'encrypted': None}, {'region': 'dr-2', 'encrypted': False}],
    )
    assert report['totals']['copied'] == 2
    assert {copy['region']: copy['encrypted'] for copy in cloud.copies.values()} == {'dr-1': True, 'dr-2': False}


@pytest.mark.parametrize('disk_name, expected', [('db', 'fresh-db'), (None, 'fresh-disk-0')])
def test_a_fresh_snapshot_is_named_from_its_template_with_the_disk_id_where_the_disk_has_no_name(disk_name, expected):
    cloud, clock = cloud_with_disks(count=1)
    cloud.disks['disk-0'].name = disk_name
    names = []
    original = cloud.create_snapshot

    def create_snapshot(region, disk, name, description, tags):
        names.append(name)
        return original(region, disk, name, description, tags)

    cloud.create_snapshot = create_snapshot
    run(cloud, clock, max_snapshot_age_hours=1, snapshot_name_template='fresh-{disk_name}')
    assert names == [expected]


def test_waiting_for_a_fresh_snapshot_polls_less_often_up_to_once_a_minute():
    cloud, clock = cloud_with_disks(count=1, copy_seconds=300)
    start = clock.now
    report = run(cloud, clock, max_snapshot_age_hours=1, wait=True, poll_interval=30, dr_regions=['dr-1'])
    assert report['disks'][0]['fresh_snapshot']['state'] == COMPLETED and report['totals']['copied'] == 1
    assert clock.sleeps[:6] == [30, 45.0, 60, 60, 60, 60] and max(clock.sleeps) == 60
    assert clock.now - start < 700


def cloud_losing_every_create_snapshot_answer():
    """One disk whose CreateSnapshot calls are never answered, and the times they were made (``tries``)."""
    random.seed(19)  # the backoff's jitter
    cloud, clock = cloud_with_disks(count=1)
    tries = []

    def lose_every_answer(region, disk, name, description, tags):
        tries.append(clock.now)
        raise CloudError('CreateSnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)

    cloud.create_snapshot = lose_every_answer
    return cloud, clock, tries


def test_a_fresh_snapshot_never_made_after_lost_answers_is_given_up_at_the_deadline_and_counted_as_retries():
    cloud, clock, tries = cloud_losing_every_create_snapshot_answer()
    start = clock.now
    report = run(cloud, clock, max_snapshot_age_hours=1, wait_timeout=5)
    assert report['disks'][0]['fresh_snapshot']['action'] == 'failed'
    assert 1 < len(tries) < 10 and clock.now - start <= 5
    assert report['api_retries'] == len(tries) - 1 and cloud.calls['disk_snapshots'] == 1 + len(tries)


def test_a_snapshot_exactly_as_old_as_the_rpo_is_still_recent_enough():
    cloud, clock = cloud_with_disks(count=0)
    cloud.add_disk('disk-at-rpo', tags={'dr': 'yes'}, snapshot_ages_hours=(1,))
    cloud.add_disk('disk-past-rpo', tags={'dr': 'yes'}, snapshot_ages_hours=(1.01,))
    report = run(cloud, clock, check_mode=True, max_snapshot_age_hours=1)
    assert [disk['fresh_snapshot'] and disk['fresh_snapshot']['action'] for disk in report['disks']] == [
        None,
        'would_create',
    ]


def test_a_template_that_cannot_be_filled_is_refused_before_any_call():
    cloud, clock = cloud_with_disks(count=1)
    with pytest.raises(InputError) as error:
        run(cloud, clock, description_template='copy of {disk_id!z}')
    assert error.value.option == 'description_template' and 'cannot fill the template' in error.value.message
    assert not cloud.calls


def test_copies_are_named_after_the_disk_or_its_id_when_it_has_no_name():
    cloud, clock = cloud_with_disks(count=2)
    cloud.disks['disk-1'].name = None
    run(cloud, clock, provider='ecs', dr_regions=['dr-1'], name_template='{disk_name}-dr', description_template=None)
    assert sorted(copy['name'] for copy in cloud.copies.values()) == ['disk-1-dr', 'name-disk-0-dr']


def test_a_fresh_snapshot_never_made_after_lost_answers_is_asked_for_ten_times_at_most():
    cloud, clock, tries = cloud_losing_every_create_snapshot_answer()
    report = run(cloud, clock, max_snapshot_age_hours=1, dr_regions=['dr-1'])
    assert report['disks'][0]['fresh_snapshot']['action'] == 'failed'
    assert len(tries) == 10 and len(clock.sleeps) == 9 and report['api_retries'] == 9
    assert tries == sorted(set(tries))  # a wait before each new try


def test_a_snapshot_the_cloud_dates_up_to_five_minutes_early_is_still_taken_for_the_one_this_run_made():
    """Without tags on snapshots (ENS), the look-up after a lost answer goes by time; the cloud's clock may lag."""
    cloud, clock = cloud_with_disks(count=1, snapshot_tags=False)
    original = cloud.create_snapshot

    def create_dated_early_then_lose_the_answer(region, disk, name, description, tags):
        snapshot = original(region, disk, name, description, tags)
        cloud.snapshots[snapshot.id]['created'] = clock.now - 300
        raise CloudError('CreateSnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)

    cloud.create_snapshot = create_dated_early_then_lose_the_answer
    report = run(cloud, clock, max_snapshot_age_hours=1, dr_regions=['dr-1'])
    assert report['disks'][0]['fresh_snapshot']['action'] == 'created' and cloud.calls['create_snapshot'] == 1


def test_a_copy_that_cannot_be_deleted_is_reported_as_a_failure_and_not_counted_as_pruned():
    cloud, clock = cloud_with_disks(count=1)
    add_old_copies(cloud, clock, days=(9, 6))
    original = cloud.delete_snapshot

    def delete_snapshot(region, snapshot_id):
        if snapshot_id == 'old-9':
            raise CloudError(
                'DeleteSnapshot', 'OperationDenied', 'the snapshot is in use', request_id='r-1', kind=INVALID
            )
        return original(region, snapshot_id)

    cloud.delete_snapshot = delete_snapshot
    report = run(cloud, clock, prune=True, keep_copies=1, dr_regions=['dr-1'], wait=True)
    records = {record['snapshot_id']: record for record in report['disks'][0]['pruned']}
    assert records['old-6']['action'] == 'deleted' and records['old-9']['action'] == 'delete_failed'
    assert records['old-9']['error'] == {
        'action': 'DeleteSnapshot',
        'code': 'OperationDenied',
        'message': 'the snapshot is in use',
        'request_id': 'r-1',
    }
    assert report['totals']['pruned'] == 1 and 'old-9' in cloud.copies
    assert report['failures'] == [
        'disk disk-0 (name-disk-0): pruning old-9 in dr-1: DeleteSnapshot failed: OperationDenied: the snapshot is in use '
        '[request id r-1]'
    ]


@pytest.mark.parametrize('check_mode', [True, False])
@pytest.mark.parametrize('template', ['fresh-{volume}', 'fresh-{disk_id!z}'])
def test_a_fresh_snapshot_name_template_that_cannot_be_filled_is_refused_before_any_call(template, check_mode):
    """It used to be filled only once a disk needed a fresh snapshot: after the reads, and never in check mode."""
    cloud, clock = cloud_with_disks(count=1)
    with pytest.raises(InputError) as error:
        run(cloud, clock, check_mode=check_mode, max_snapshot_age_hours=1, snapshot_name_template=template)
    assert error.value.option == 'snapshot_name_template'
    assert not cloud.calls


def test_keep_copies_without_prune_reads_no_list_of_copies():
    """keep_copies set in a play without prune (a group variable, say) lists nothing: only prune and the drill need the copies."""
    cloud, clock = cloud_with_disks()
    report = run(cloud, clock, prune=False, keep_copies=2, max_copy_age_days=3)
    assert report['totals']['copied'] == 6
    # Only the copy phase's one look at each region it copies to (no older point where a newer one stands): no listing
    # for pruning.
    assert cloud.calls['list_copies'] == len(report['dr_regions'])


def test_a_copy_modules_copy_serves_the_dr_run_as_it_is_and_stays_the_persons():
    """Issue 24: after the quickstart's own copy of a disk's newest snapshot, the DR run failed with ExistingCopyDiffers
    about its own marker tag, which the user never asked for; and an archive copy made with a copy module was pruned."""
    cloud, clock = cloud_with_disks(count=1)
    cloud.add_copy('archive', 'dr-1', {SOURCE_TAG: 'src-1/disk-0-snap-0', 'purpose': 'archive'}, clock.now - 20 * 86400)
    cloud.add_copy('by-module', 'dr-1', {SOURCE_TAG: 'src-1/disk-0-snap-1', 'team': 'ops'}, clock.now - 3600)
    report = run(cloud, clock, dr_regions=['dr-1'], prune=True, keep_copies=1, max_copy_age_days=1, wait=True)
    assert not report['failures'] and report['totals']['existing'] == 1 and report['totals']['copied'] == 0
    assert report['disks'][0]['copies'][0]['snapshot_id'] == 'by-module'
    # Newer snapshots come, the DR run copies them and prunes its own copies: never the module's.
    for hour in range(1, 4):
        clock.now += 3600 * 30
        cloud.snapshots['disk-0-snap-new-%d' % hour] = {
            'disk': 'disk-0',
            'region': 'src-1',
            'created': clock.now,
            'state': 'completed',
        }
        report = run(cloud, clock, dr_regions=['dr-1'], prune=True, keep_copies=1, max_copy_age_days=1, wait=True)
        assert not report['failures'] and report['totals']['copied'] == 1
    assert 'archive' in cloud.copies and 'by-module' in cloud.copies
    assert len(cloud.deleted) == 2 and not {'archive', 'by-module'} & set(cloud.deleted)


def test_a_selector_that_matches_no_disk_fails_the_run_naming_it_unless_allowed():
    """Issue 24: a typo in the tag selector found 0 disks and the job was green."""
    cloud, clock = cloud_with_disks(count=2)
    for check_mode in (True, False):
        report = run(cloud, clock, check_mode=check_mode, tag_selector={'DR': 'yes'})
        assert report['totals']['disks'] == 0 and len(report['failures']) == 1
        assert (
            report['failures'][0].startswith('tag_selector {DR: yes} matches no disk in src-1')
            and 'allow_no_disks' in report['failures'][0]
        )
    assert not run(cloud, clock, tag_selector={'DR': None}, allow_no_disks=True)['failures']
    assert 'start_copy' not in cloud.calls


@pytest.mark.parametrize('typed, hint', [(True, 'dr: "yes"'), (False, 'dr: "no"'), (1.1, 'dr: "1.1"')])
def test_selector_values_that_yaml_typed_are_refused_with_how_to_quote_them(typed, hint):
    """Issue 24: YAML's unquoted yes became True and matched no disk, silently."""
    with pytest.raises(InputError) as caught:
        dr_settings(params(tag_selector={'dr': typed}))
    assert caught.value.option == 'tag_selector' and hint in caught.value.message


def test_selector_keys_and_whole_numbers_are_text_as_written():
    assert dr_settings(params(tag_selector={'dr': 'yes', 'tier': 1, 'any': None})).tag_selector == {
        'dr': 'yes',
        'tier': '1',
        'any': None,
    }


@pytest.mark.parametrize('provider', ['aws', 'ecs', 'cbs'])
def test_the_source_region_is_no_dr_region_on_any_cloud(provider):
    """Issue 24: AWS accepted its source region as a DR region (a copy there shares the source's every failure)."""
    with pytest.raises(InputError) as caught:
        dr_settings(params(provider=provider, tags=None, description_template=None, dr_regions=['dr-1', 'src-1']))
    assert caught.value.option == 'dr_regions' and 'source region src-1' in caught.value.message


def test_one_disks_bad_data_fails_that_disk_named_and_the_rest_of_the_scope_goes_on():
    """Issue 24: a disk whose name made the description too long failed the whole run before any call, naming no disk."""
    cloud, clock = cloud_with_disks(count=2)
    cloud.max_description = 60
    cloud.disks['disk-1'].name = 'x' * 80
    report = run(cloud, clock, description_template='DR copy of {disk_name}')
    by_disk = {disk['disk_id']: disk for disk in report['disks']}
    assert by_disk['disk-0']['missing_regions'] == [] and by_disk['disk-1']['missing_regions'] == ['dr-1', 'dr-2']
    assert report['failures'] == [
        "disk disk-1 (%s): not copied: description_template is at most 60 characters, got 91, with this "
        "disk's name '%s'" % ('x' * 80, 'x' * 80)
    ]
    assert report['totals']['copied'] == 2


def test_check_mode_plans_a_fresh_snapshot_of_a_disk_without_one_as_the_real_run_goes():
    """Issue 24: check mode failed where the real run first takes a fresh snapshot (a disk with none), and then copies it."""
    cloud, clock = cloud_with_disks(count=0, copy_seconds=5)
    cloud.add_disk('bare', tags={'dr': 'yes'}, snapshot_ages_hours=())
    plan = run(cloud, clock, check_mode=True, max_snapshot_age_hours=24, wait=True)
    assert not plan['failures'] and plan['totals']['fresh_snapshots'] == 1 and plan['totals']['without_dr_copy'] == 0
    real = run(cloud, clock, max_snapshot_age_hours=24, wait=True)
    assert not real['failures'] and real['totals']['copied'] == 2
    # Without wait, the real run has nothing completed to copy in this run, and the plan says so too.
    cloud.add_disk('bare-2', tags={'dr': 'yes'}, snapshot_ages_hours=())
    plan = run(cloud, clock, check_mode=True, max_snapshot_age_hours=24)
    assert plan['failures'] == ['disk bare-2 (name-bare-2): %s' % SNAPSHOT_BEING_MADE]


def test_per_region_keys_are_typed_as_their_options():
    """Issue 24: encrypted: "false" in a DR region's dict was a non-empty string, so true."""
    regions = dr_settings(
        params(dr_regions=[{'region': 'dr-1', 'encrypted': 'false'}, {'region': 'dr-2', 'encrypted': 'yes'}])
    ).dr_regions
    assert regions == (DrRegion('dr-1', encrypted=False), DrRegion('dr-2', encrypted=True))
    for bad in ({'region': 'dr-1', 'encrypted': 'maybe'}, {'region': 'dr-1', 'kms_key_id': 12}, {'region': 7}):
        with pytest.raises(InputError) as caught:
            dr_settings(params(dr_regions=[bad]))
        assert caught.value.option == 'dr_regions'


def test_text_from_the_cloud_is_escaped_where_the_markdown_report_shows_it():
    """Issue 24: a disk's name with |, a new line or raw HTML broke the Markdown report's table (or ran in a viewer)."""
    cloud, clock = cloud_with_disks(count=1)
    cloud.disks['disk-0'].name = 'db | primary\n<script>alert(1)</script>'
    markdown = dr_report_markdown(run(cloud, clock, dr_regions=['dr-1']))
    (row,) = [line for line in markdown.splitlines() if line.startswith('| disk-0 |')]
    assert row.replace('\\|', '').count('|') == 10  # nine cells
    assert 'db \\| primary &lt;script&gt;alert(1)&lt;/script&gt;' in row and '<script>' not in markdown


# ---------------------------------------------------------------------- the mark of a DR copy where no source is linked
def test_a_dr_run_marks_each_copy_it_makes_with_its_own_id_where_the_cloud_links_no_source():
    cloud, clock = cloud_with_disks(count=2)
    plan = run(cloud, clock, check_mode=True)
    assert plan['totals']['would_copy'] == 4 and cloud.calls.get('tag_copy', 0) == 0
    report = run(cloud, clock)
    assert report['totals']['copied'] == 4 and cloud.calls['tag_copy'] == 4
    assert all(copy['tags'][COPY_TAG] == copy_id for copy_id, copy in cloud.copies.items())
    # The next run finds the copies, marked: nothing to mark again.
    run(cloud, clock)
    assert cloud.calls['tag_copy'] == 4


def test_a_cloud_that_links_each_copy_to_its_source_needs_no_mark():
    cloud, clock = cloud_with_disks(count=2)
    cloud.records_copy_source = True
    assert run(cloud, clock)['totals']['copied'] == 4
    assert cloud.calls.get('tag_copy', 0) == 0 and not any(COPY_TAG in copy['tags'] for copy in cloud.copies.values())


def newer_snapshot(cloud, clock, disk='disk-0'):
    """A newer completed snapshot of ``disk``, an hour later."""
    cloud.snapshots['%s-snap-9' % disk] = {
        'disk': disk,
        'region': 'src-1',
        'created': clock.now + 60,
        'state': COMPLETED,
    }
    clock.now += 3600


def test_a_copy_the_run_could_not_mark_protects_its_disk_and_a_later_pruning_run_marks_it_first():
    """A failed mark (or a run killed between its copy and its mark) leaves a DR copy unmarked: it is kept, said, and
    the next run that prunes marks it, since it is all a DR run of its disk writes and the only copy of its source."""
    cloud, clock = cloud_with_disks(count=1)

    def refuse(copy, tags):
        raise CloudError(
            'CreateTags', 'UnauthorizedOperation', 'not allowed to tag %s with %s' % (copy.id, sorted(tags))
        )

    cloud.tag_copy = refuse
    report = run(cloud, clock, dr_regions=['dr-1'], wait=True, prune=True, keep_copies=1)
    assert report['totals']['copied'] == 1 and not report['failures']
    [unmarked] = list(cloud.copies)
    assert COPY_TAG not in cloud.copies[unmarked]['tags']
    assert any(unmarked in text and 'not pruned until a later run marks it' in text for text in report['run_warnings'])
    del cloud.tag_copy
    newer_snapshot(cloud, clock)
    plan = run(cloud, clock, check_mode=True, dr_regions=['dr-1'], wait=True, prune=True, keep_copies=1)
    assert [record['snapshot_id'] for record in plan['disks'][0]['pruned']] == [unmarked]
    assert COPY_TAG not in cloud.copies[unmarked]['tags'] and cloud.calls.get('tag_copy', 0) == 0
    report = run(cloud, clock, dr_regions=['dr-1'], wait=True, prune=True, keep_copies=1)
    assert report['totals']['copied'] == 1 and [record['snapshot_id'] for record in report['disks'][0]['pruned']] == [
        unmarked
    ]


@pytest.mark.parametrize('second', ['a person\'s copy of it', 'none, but it differs'])
def test_an_unmarked_copy_with_a_second_copy_of_its_source_or_unlike_a_dr_run_s_is_never_marked(second):
    """A person's copy of an unmarked DR copy, with every tag, cannot be told from it: neither is marked nor pruned. A
    copy with our marker whose tags differ from what the run writes is not the run's either."""
    cloud, clock = cloud_with_disks(count=1)
    dr_tags = {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0', 'team': 'ops'}
    if second == 'a person\'s copy of it':
        cloud.add_copy('unmarked', 'dr-1', dr_tags, clock.now - 86400, marked=False)
        cloud.add_copy('persons', 'dr-1', dr_tags, clock.now - 3600, marked=False)
    else:
        cloud.add_copy('unmarked', 'dr-1', dict(dr_tags, team='someone else'), clock.now - 86400, marked=False)
    newer_snapshot(cloud, clock)
    report = run(cloud, clock, dr_regions=['dr-1'], wait=True, prune=True, keep_copies=1)
    assert report['totals']['copied'] == 1 and report['totals']['pruned'] == 0 and 'unmarked' in cloud.copies
    assert not any(
        COPY_TAG in cloud.copies[copy_id]['tags'] for copy_id in ('unmarked', 'persons') if copy_id in cloud.copies
    )


def test_the_runs_call_retry_keeps_its_own_deadline_and_counts_the_retries_of_every_phase():
    cloud, clock = cloud_with_disks(count=1)
    shared = CallRetry(Backoff(is_retryable, max_attempts=10, rng=lambda: 1.0, sleep=clock.sleep, clock=clock.clock))
    errors = [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE)]
    list_snapshots = cloud.disk_snapshots

    def disk_snapshots_throttled_once(*args):  # a call of the run's own phase
        if errors:
            raise errors.pop()
        return list_snapshots(*args)

    cloud.disk_snapshots = disk_snapshots_throttled_once
    cloud.copy_errors.append(CloudError('CopySnapshot', 'Throttling', 'slow down', kind=RETRYABLE))  # the copies' phase
    dr_run = memory_dr_run(cloud, clock, params(dr_regions=['dr-1']), retry=shared)
    report = dr_run.run()
    assert report['totals']['copied'] == 1 and report['api_retries'] == shared.retries == 2
    assert shared.deadline == float('inf') and dr_run.retry.shared is shared


def test_a_run_given_a_backoff_keeps_its_time_deadline_and_waits_on_the_backoffs_clock():
    """dr_sync gives the run and its backoff one clock (time.monotonic). A caller that gives the run a retry with a
    backoff of its own, and no clock, gets the run's deadline, its waits for copies and its time on that backoff's clock:
    a deadline on another clock would leave the run no retry, or retries past its end. The fake clock stands a month
    from the machine's."""
    cloud, clock = cloud_with_disks(count=1)
    shared = CallRetry(Backoff(is_retryable, max_attempts=10, rng=lambda: 1.0, sleep=clock.sleep, clock=clock.clock))
    errors = [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE) for dummy in range(3)]
    list_snapshots = cloud.disk_snapshots

    def disk_snapshots_throttled(*args):
        if errors:
            raise errors.pop()
        return list_snapshots(*args)

    cloud.disk_snapshots = disk_snapshots_throttled
    started = clock.now
    options = params(dr_regions=['dr-1'], wait=True, wait_timeout=600, poll_interval=5)
    dr_run = new_dr_run(cloud, options, retry=shared, now=parse_time(cloud.when(clock.now)), workers=1)
    assert dr_run.deadline == dr_run.retry.deadline == started + 600
    report = dr_run.run()
    (copy,) = report['disks'][0]['copies']
    assert report['api_retries'] == 3 and copy['action'] == 'copied' and copy['state'] == COMPLETED, report
    # The three backoffs, then the copy's 10 s waited out in polls from 5 s up: every wait on the fake clock.
    assert clock.sleeps[:3] == [1.0, 2.0, 4.0] and sum(clock.sleeps[3:]) >= 10, clock.sleeps
    assert clock.now - started == sum(clock.sleeps)
    assert dr_run.wall_clock() == dr_run.now + datetime.timedelta(seconds=clock.now - started)


def test_a_run_given_a_clock_and_a_backoff_on_another_is_refused_before_any_call():
    """Two clocks for one run (a test's fake one and a backoff on the machine's, say) would time its deadline by one and
    its waits by the other: refused when the run is made."""
    cloud, clock = cloud_with_disks(count=1)
    other = FakeClock(start=clock.now)
    shared = CallRetry(Backoff(is_retryable, max_attempts=10, rng=lambda: 1.0, sleep=other.sleep, clock=other.clock))
    with pytest.raises(ValueError, match='give the clock to the backoff'):
        memory_dr_run(cloud, clock, params(dr_regions=['dr-1']), retry=shared)
    assert cloud.calls == {}, cloud.calls


def test_a_throttled_lease_is_taken_again_and_one_refused_fails_its_copies_not_the_run():
    """The leases of a round are taken outside any copy call: a throttled tag call is sent again (the run's retries, as a
    copy call's), and one the cloud refuses for good fails the copies it would have held, named, while the run ends with its
    report. Seen in make chaos-short: a throttled UnTagResources ended a CBS scope's whole run."""
    cloud, clock = cloud_with_disks(count=2)
    untag = cloud.untag_sources
    errors = [
        CloudError(
            'UnTagResources',
            'RequestLimitExceeded',
            'The number of requests exceeds the frequency limit',
            kind=RETRYABLE,
        )
    ]

    def throttled_once(source_region, snapshot_ids, keys):
        if errors and any(key.startswith(COPY_LEASE_TAG_PREFIX) for key in keys):
            raise errors.pop()
        return untag(source_region, snapshot_ids, keys)

    cloud.untag_sources = throttled_once
    stale = {lease_key('20261125T100000Z-0aaaaa', 'dr-1'): '20261125T100500Z'}  # a killed run's lapsed lease: taken off
    cloud.tag_sources('src-1', ['disk-0-snap-1'], stale)
    report = run(cloud, clock)
    assert not errors and report['totals']['copied'] == 4 and not report['failures'], report['failures']

    cloud, clock = cloud_with_disks(count=2)

    def refuse(*dummy_args):
        raise CloudError(
            'TagResources', 'InvalidParameter', 'a tag value the cloud refuses', request_id='req-7', kind=INVALID
        )

    cloud.tag_sources = refuse
    report = run(cloud, clock)
    assert report['totals']['copied'] == 0 and len(report['failures']) == 4, report['failures']  # 2 disks, 2 DR regions
    assert all('InvalidParameter' in failure for failure in report['failures'])


def test_a_lease_batch_refused_whole_leaves_none_of_the_batches_written_before_it():
    """Issue 60, 11: the leases of a round go out a batch a call; the cloud took the first batch and refused the second
    whole (an error of the call, naming no source: not one source's, so every copy of the round fails with it). The
    first batch's leases were left on their sources after the run, holding other runs off them until they lapsed."""
    cloud, clock = cloud_with_disks(count=3)  # three sources: two batches of the in-memory cloud's two
    tag = cloud.tag_sources
    last = sorted(snapshot_id for snapshot_id in cloud.snapshots if snapshot_id.endswith('-snap-1'))[-1]

    def second_batch_refused(source_region, snapshot_ids, tags):
        if last in snapshot_ids and any(key.startswith(COPY_LEASE_TAG_PREFIX) for key in tags):
            raise CloudError(
                'CreateTags', 'InvalidParameterValue', 'a value the cloud refuses', request_id='req-11', kind=INVALID
            )
        return tag(source_region, snapshot_ids, tags)

    cloud.tag_sources = second_batch_refused
    report = run(cloud, clock)
    assert report['totals']['copied'] == 0 and len(report['failures']) == 6, report['failures']
    left = {
        snapshot_id: sorted(key for key in snapshot.get('tags', {}) if key.startswith(COPY_LEASE_TAG_PREFIX))
        for snapshot_id, snapshot in cloud.snapshots.items()
    }
    assert cloud.calls['tag_sources'] == 1, 'the first batch was written, the second refused'
    assert not any(left.values()), 'leases the run wrote outlive it: %s' % left


def test_a_copy_lease_the_cloud_will_not_take_off_is_named_and_the_copies_stand():
    """Taking a copy lease off fails (a policy without the untag permission): the copies are made all the same, and the
    run's warnings say which source keeps a lease and for how long another run then waits (it lapses by itself)."""
    cloud, clock = cloud_with_disks(count=1)
    untag = cloud.untag_sources

    def refuse_lease_removal(source_region, snapshot_ids, keys):
        if any(key.startswith(COPY_LEASE_TAG_PREFIX) for key in keys):
            raise CloudError(
                'DeleteTags', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', kind=FATAL
            )
        return untag(source_region, snapshot_ids, keys)

    cloud.untag_sources = refuse_lease_removal
    report = run(cloud, clock)
    assert report['totals']['copied'] == 2 and not report['failures']
    leases = [
        warning
        for warning in report['run_warnings']
        if 'copy leases off source snapshots disk-0-snap-1 in src-1' in warning
    ]
    assert len(leases) == 1 and all(
        'UnauthorizedOperation' in warning and 'within 170 s' in warning for warning in leases
    ), report['run_warnings']
    # The leases stay on the source, one a region, to lapse at the time they name.
    assert sorted(region for dummy, region, dummy_lease in leases_in(cloud.snapshots['disk-0-snap-1']['tags'])) == [
        'dr-1',
        'dr-2',
    ]


# ---------------------------------------------------------------------- what counts as a DR copy (issue 46, point 2)
@pytest.mark.parametrize('wait', [True, False])
def test_a_copy_that_failed_in_the_cloud_leaves_its_disk_without_a_dr_copy_in_every_total(wait):
    cloud, clock = cloud_with_disks(count=2)
    cloud.fail_next_copies = 1  # the first copy (disk-0 to dr-1) fails once it has run
    report = run(cloud, clock, wait=wait)
    if not wait:  # the run that finds it failed
        clock.now += 60
        report = run(cloud, clock)
    disk = next(disk for disk in report['disks'] if disk['disk_id'] == 'disk-0')
    failed_copy = next(copy for copy in disk['copies'] if copy['region'] == 'dr-1')
    assert failed_copy['standing'] == 'no_copy'
    # The summary, the disk's regions and the posture say what the region table says.
    assert disk['missing_regions'] == ['dr-1']
    assert report['totals']['without_dr_copy'] == 1
    assert report['posture']['regions']['dr-1']['no_copy'] == 1
    assert '1 disk without a DR copy' in summary_line(report['totals'], None, False)


def test_a_copy_still_in_flight_at_the_timeout_is_in_flight_not_missing():
    cloud, clock = cloud_with_disks(count=1)
    cloud.hang_next_copies = 1
    report = run(cloud, clock, wait=True, wait_timeout=60, dr_regions=['dr-1'])
    (disk,) = report['disks']
    (copy,) = disk['copies']
    assert copy['standing'] == 'in_flight' and disk['missing_regions'] == []
    assert report['failures'] and 'at the timeout' in report['failures'][0]


def test_a_region_whose_copies_cannot_be_listed_before_copying_is_copied_to_as_asked():
    """The copy phase's look for a newer point is a read a policy may refuse: the run copies as asked (a copy too many
    costs, a copy missed loses data) and says so, failing nothing."""
    cloud, clock = cloud_with_disks(count=1)
    listed = cloud.list_copies

    def refused(destination):
        if destination == 'dr-1':
            raise CloudError('DescribeSnapshots', 'UnauthorizedOperation', 'not allowed', kind=FATAL)
        return listed(destination)

    cloud.list_copies = refused
    report = run(cloud, clock, dr_regions=['dr-1', 'dr-2'])
    assert not report['failures'] and report['totals']['copied'] == 2
    assert any('dr-1: the copies there could not be listed before copying' in line for line in report['run_warnings'])
