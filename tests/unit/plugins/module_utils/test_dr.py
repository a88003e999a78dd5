"""The DR run (dr_sync) on the in-memory cloud: plan, copy, rerun, fresh snapshots, pruning, report."""
from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._dr import COPY_WORKERS, DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_module import dr_region_entries, dr_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_report import markdown_report
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import RETRYABLE, CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils._tagging import DISK_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import EPOCH, MemoryCloud
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_engine import ThreadSafeCloud


def params(**overrides):
    base = {
        'provider': 'aws', 'source_region': 'src-1', 'dr_regions': ['dr-1', 'dr-2'], 'tag_selector': {'dr': 'yes'},
        'name_template': None, 'description_template': 'DR copy of {source_id} ({disk_name})', 'snapshot_name_template': None,
        'tags': {'team': 'ops'}, 'encrypted': None, 'kms_key_id': None, 'retention_days': None, 'instance_billing_cycle': None,
        'max_snapshot_age_hours': None, 'prune': False, 'keep_copies': None, 'max_copy_age_days': None, 'max_in_flight': None,
        'wait': False, 'wait_timeout': 3600, 'poll_interval': 1,
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
    # One copy call at a time by default: the fake clock and the in-memory cloud are not thread-safe.
    settings = dr_settings(params(**overrides))
    now = parse_time(cloud.when(clock.now))
    return DrRun(cloud, settings, check_mode=check_mode, now=now, clock=clock.clock, sleep=clock.sleep, workers=workers).run()


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
    second = run(cloud, clock)
    assert not second['changed']
    assert second['totals']['existing'] == 6
    assert len(cloud.copies) == 6
    # batched reads: one disk listing, one snapshot listing, one copy look-up per DR region;
    # the sources come from the snapshot listing and are not read again
    assert cloud.calls['find_disks'] == 2 and cloud.calls['disk_snapshots'] == 2 and cloud.calls['find_copies'] == 4
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
    again = run(cloud, clock, max_snapshot_age_hours=1)
    assert not again['changed']
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
        cloud.add_copy('old-%d' % day, 'dr-1', {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0'}, clock.now - day * 86400)
    cloud.add_copy('foreign', 'dr-1', {'owner': 'someone else'}, clock.now - 20 * 86400)
    cloud.add_copy('other-disk', 'dr-1', {SOURCE_TAG: 'src-1/x', DISK_TAG: 'src-1/disk-untagged'}, clock.now - 20 * 86400)
    plan = run(cloud, clock, check_mode=True, prune=True, keep_copies=2, dr_regions=['dr-1'])
    assert {record['snapshot_id'] for record in plan['disks'][0]['pruned']} == {'old-6', 'old-9'}
    assert not cloud.deleted
    report = run(cloud, clock, prune=True, keep_copies=2, dr_regions=['dr-1'])
    assert sorted(cloud.deleted) == ['old-6', 'old-9']
    assert 'foreign' in cloud.copies and 'other-disk' in cloud.copies
    assert report['totals']['pruned'] == 2
    # by age: everything older than 1 day goes, but never the newest copy of the disk
    run(cloud, clock, prune=True, max_copy_age_days=1, dr_regions=['dr-1'])
    assert sorted(cloud.deleted) == ['old-3', 'old-6', 'old-9']


def test_a_copy_deleted_by_someone_else_while_pruning_counts_as_pruned():
    """Two runs (or a person) may prune the same copy: the cloud's not-found on delete is no failure."""
    cloud, clock = cloud_with_disks(count=1)
    for day in (9, 6):
        cloud.add_copy('old-%d' % day, 'dr-1', {SOURCE_TAG: 'src-1/disk-0-snap-0', DISK_TAG: 'src-1/disk-0'}, clock.now - day * 86400)
    listed = cloud.list_copies

    def list_then_lose_one(destination):
        copies = listed(destination)
        cloud.copies.pop('old-9', None)  # gone between the listing and the delete
        return copies

    cloud.list_copies = list_then_lose_one
    report = run(cloud, clock, prune=True, keep_copies=1, dr_regions=['dr-1'])
    assert cloud.calls['delete_snapshot'] == 2 and cloud.deleted == ['old-6']
    assert sorted(record['snapshot_id'] for record in report['disks'][0]['pruned']) == ['old-6', 'old-9']
    assert all(record['action'] == 'deleted' for record in report['disks'][0]['pruned'])
    assert not report['failures'] and not report['disks'][0]['problems']


def test_disk_without_a_snapshot_is_a_failure_in_the_report():
    cloud, clock = cloud_with_disks(count=1)
    cloud.add_disk('disk-empty', tags={'dr': 'yes'}, snapshot_ages_hours=())
    report = run(cloud, clock)
    assert report['totals']['without_dr_copy'] == 1
    assert any('disk-empty' in failure and 'no completed snapshot' in failure for failure in report['failures'])
    markdown = markdown_report(report)
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


@pytest.mark.parametrize('typed', [
    ['ap-shanghai', 'ap-singapore'],
    'ap-shanghai,ap-singapore', 'ap-shanghai, ap-singapore', 'ap-shanghai ap-singapore', 'ap-shanghai\nap-singapore',
    '["ap-shanghai", "ap-singapore"]', '[ap-shanghai, ap-singapore]',
    # as Ansible hands over a survey's text after splitting it on commas
    ['ap-shanghai', ' ap-singapore'], ['["ap-shanghai"', ' "ap-singapore"]'],
])
def test_dr_regions_take_what_a_person_types(typed):
    assert dr_region_entries(typed) == ['ap-shanghai', 'ap-singapore']
    assert [region['region'] for region in dr_settings(params(dr_regions=typed))['dr_regions']] == [
        'ap-shanghai', 'ap-singapore']


def test_dr_regions_keep_dicts_and_refuse_what_is_wrong():
    assert dr_region_entries([{'region': 'dr-1', 'encrypted': True}, 'dr-2 dr-3']) == [
        {'region': 'dr-1', 'encrypted': True}, 'dr-2', 'dr-3']
    for typed in ('', ' , ', []):
        with pytest.raises(InputError) as error:
            dr_settings(params(dr_regions=typed))
        assert error.value.option == 'dr_regions'
    with pytest.raises(InputError) as error:
        dr_settings(params(dr_regions="dr-1, dr-1"))
    assert 'listed twice' in error.value.message


def test_parse_time_reads_every_cloud_s_format():
    expected = EPOCH.replace(hour=8)
    for text in ('2026-11-01T08:00:00Z', '2026-11-01T08:00:00+00:00', '2026-11-01T16:00:00+08:00', '2026-11-01 08:00:00'):
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
    assert disk['source_snapshot']['id'] == disk['fresh_snapshot']['id'] and report['totals']['copied'] == 2  # both DR regions


def test_copy_calls_from_the_pool_copy_each_disk_once_and_a_rerun_changes_nothing():
    clock = FakeClock()
    clock.now = 30 * 24 * 3600
    cloud = ThreadSafeCloud(clock, call_seconds=0.002)
    for index in range(40):
        cloud.add_disk('disk-%d' % index, tags={'dr': 'yes'}, snapshot_ages_hours=(50, 2))
    first = run(cloud, clock, workers=COPY_WORKERS)
    assert first['totals']['copied'] == 80 and not first['failures']
    assert cloud.calls['start_copy'] == 80 and len(cloud.copies) == 80
    assert 1 < cloud.peak_calls <= COPY_WORKERS
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
    assert '(%s differs: encrypted)' % copy['mismatch']['snapshot_id'] in markdown_report(failed)
    warned = run(cloud, clock, dr_regions=['dr-1'], encrypted=True, on_mismatch='warn')
    assert not warned['failures'] and warned['totals']['existing'] == 2 and len(warned['warnings']) == 2
    replaced = run(cloud, clock, dr_regions=['dr-1'], encrypted=True, on_mismatch='new_copy')
    assert replaced['totals']['copied'] == 2 and not replaced['failures']
    again = run(cloud, clock, dr_regions=['dr-1'], encrypted=True)
    assert again['totals']['existing'] == 2 and not again['failures'] and not again['warnings']


def test_a_dated_name_template_does_not_make_yesterdays_copy_differ():
    cloud, clock = cloud_with_disks(count=1)
    cloud.readable_options = ('name', 'tags')
    run(cloud, clock, provider='ecs', dr_regions=['dr-1'], name_template='dr-{disk_id}-{date}', description_template=None)
    clock.now += 86400
    again = run(cloud, clock, provider='ecs', dr_regions=['dr-1'], name_template='dr-{disk_id}-{date}', description_template=None)
    assert again['totals']['existing'] == 1 and not again['failures']
    # A name template without the date is held to: another name is a difference.
    renamed = run(cloud, clock, provider='ecs', dr_regions=['dr-1'], name_template='dr-{disk_id}', description_template=None)
    assert renamed['totals']['not_copied'] == 1 and 'name (asked dr-disk-0' in renamed['failures'][0]


def test_the_run_keeps_its_own_deadline_after_the_copies():
    """The engine's deadline is at least a second away; pruning and deletes after it keep the run's own."""
    cloud, clock = cloud_with_disks(count=1)
    settings = dr_settings(params(wait_timeout=1))
    dr_run = DrRun(cloud, settings, now=parse_time(cloud.when(clock.now)), clock=clock.clock, sleep=clock.sleep, workers=1)
    clock.now += 0.9  # most of the run's time goes before the copies
    dr_run.run()
    assert dr_run.retry.deadline == dr_run.deadline
