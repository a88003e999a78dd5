"""dr_sync's disk_ids on the in-memory cloud: a run limited to named disks copies, prunes and drills those disks only
(the event-driven rulebook's runs); an empty answer means every disk; a repeated run makes no second copy."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, RESTORE_COPY_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import cloud_with_disks, params, run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_restore import add_leftover


@pytest.mark.parametrize('given', [None, [], '', [''], ' ', ', '])
def test_no_disk_ids_in_any_form_a_survey_sends_means_every_disk(given):
    assert dr_settings(params(disk_ids=given)).disk_ids is None


def test_disk_ids_as_typed_are_split_and_kept_once_in_order():
    assert dr_settings(params(disk_ids='disk-2, disk-0 disk-2')).disk_ids == ('disk-2', 'disk-0')
    assert dr_settings(params(disk_ids=['disk-1', ' disk-0'])).disk_ids == ('disk-1', 'disk-0')
    with pytest.raises(InputError) as refused:
        dr_settings(params(disk_ids=[{'id': 'disk-0'}]))
    assert refused.value.option == 'disk_ids'


def test_a_run_limited_to_named_disks_copies_those_only_and_a_second_run_copies_nothing():
    cloud, clock = cloud_with_disks(count=3)
    report = run(cloud, clock, disk_ids=['disk-1'])
    assert [disk['disk_id'] for disk in report['disks']] == ['disk-1']
    assert report['totals']['copied'] == 2 and not report['failures']
    assert {copy['tags'][DISK_TAG] for copy in cloud.copies.values()} == {'src-1/disk-1'}
    # The same event again (at least once), then the schedule's full run: no second copy of disk-1's snapshot.
    assert not run(cloud, clock, disk_ids=['disk-1'])['changed']
    full = run(cloud, clock)
    assert full['totals']['copied'] == 4 and full['totals']['existing'] == 2
    assert len(cloud.copies) == 6


def test_a_named_disk_the_selector_does_not_match_is_left_alone_with_a_warning():
    cloud, clock = cloud_with_disks(count=2)
    report = run(cloud, clock, disk_ids=['disk-0', 'disk-untagged', 'disk-gone'])
    assert [disk['disk_id'] for disk in report['disks']] == ['disk-0']
    assert not report['failures']
    assert any(
        'disk-gone, disk-untagged' in warning and 'not looked after' in warning for warning in report['run_warnings']
    )
    assert not any(copy['tags'][DISK_TAG] == 'src-1/disk-untagged' for copy in cloud.copies.values())


def test_named_disks_that_the_selector_matches_none_of_fail_the_run_unless_allowed():
    cloud, clock = cloud_with_disks(count=1)
    report = run(cloud, clock, disk_ids=['disk-untagged'])
    assert report['failures'] and 'matches no disk of disk_ids' in report['failures'][0]
    assert not cloud.copies
    assert not run(cloud, clock, disk_ids=['disk-untagged'], allow_no_disks=True)['failures']


def test_pruning_limited_to_named_disks_deletes_none_of_the_other_disks_copies():
    cloud, clock = cloud_with_disks(count=2)
    for disk in ('disk-0', 'disk-1'):
        for day in (9, 6, 3):
            cloud.add_copy(
                '%s-old-%d' % (disk, day),
                'dr-1',
                {SOURCE_TAG: 'src-1/%s-snap-0' % disk, DISK_TAG: 'src-1/' + disk},
                clock.now - day * 86400,
            )
    report = run(cloud, clock, prune=True, keep_copies=1, dr_regions=['dr-1'], disk_ids=['disk-0'])
    assert sorted(cloud.deleted) == ['disk-0-old-6', 'disk-0-old-9']
    assert all('disk-1-old-%d' % day in cloud.copies for day in (9, 6, 3))
    assert report['totals']['pruned'] == 2


def test_a_drill_limited_to_named_disks_tests_and_clears_only_what_was_made_from_their_copies():
    cloud, clock = cloud_with_disks(count=2)
    run(cloud, clock, wait=True, dr_regions=['dr-1'])
    copy_of = {copy['tags'][DISK_TAG]: copy_id for copy_id, copy in cloud.copies.items()}
    # Two leftovers of an earlier drill whose run is over: one made from disk-0's copy, one from disk-1's.
    add_leftover(cloud, clock, 'left-0', 'dr-1', 3600)
    add_leftover(cloud, clock, 'left-1', 'dr-1', 3600)
    cloud.test_disks['left-0']['tags'][RESTORE_COPY_TAG] = copy_of['src-1/disk-0']
    cloud.test_disks['left-1']['tags'][RESTORE_COPY_TAG] = copy_of['src-1/disk-1']
    report = run(
        cloud, clock, wait=True, dr_regions=['dr-1'], restore_test=True, restore_test_count=2, disk_ids=['disk-1']
    )
    tested = report['restore']['tests']
    assert [test['disk_id'] for test in tested] == ['disk-1'] and tested[0]['result'] == 'passed'
    leftovers = [record['test_disk_id'] for record in report['restore']['leftovers']]
    assert leftovers == ['left-1']
    assert 'left-0' in cloud.test_disks and 'left-1' not in cloud.test_disks
