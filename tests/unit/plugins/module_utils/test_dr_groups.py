"""Consistency groups in the DR run (issue 49, dr.groups): a group's disks are copied from one set of snapshots the cloud
made together, counted as a set, and a fresh set is made through the cloud's group API, never per disk."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import INVALID, CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import FAILED, PENDING, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    DISK_TAG,
    GROUP_TAG,
    SET_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    OVER_RPO,
    PROTECTED,
    STANDINGS,
    WITHIN_RPO,
    DiskProtection,
    RegionProtection,
    ScopeProtection,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import consistency_groups, dr_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemoryCloud, MemorySetCloud

DR_REGIONS = ['dr-1', 'dr-2']


def database(**kwargs):
    """An instance i-db with its data and log disks (a group), and a disk of another instance on its own."""
    clock = FakeClock(30 * 24 * 3600)
    cloud = MemorySetCloud(clock, **kwargs)
    cloud.add_instance_disk('data', 'i-db')
    cloud.add_instance_disk('log', 'i-db')
    cloud.add_instance_disk('web', 'i-web')
    cloud.add_set('s1', 30, ['data', 'log'])
    cloud.add_set('solo', 3, ['web'])
    return cloud, clock


def run(cloud, clock, check_mode=False, **options):
    return memory_dr_run(
        cloud, clock, scope('aws', 'src-1', DR_REGIONS, {'dr': 'yes'}, **options), check_mode=check_mode
    ).run()


def by_disk(report):
    return {disk['disk_id']: disk for disk in report['disks']}


def copied_sources(cloud):
    """{disk id: [the source snapshots of its copies]}, as the cloud holds them."""
    sources = {disk_id: set() for disk_id in cloud.disks}
    for copy in cloud.copies.values():
        sources[copy['tags'][DISK_TAG].partition('/')[2]].add(copy['tags'][SOURCE_TAG].partition('/')[2])
    return {disk_id: sorted(found) for disk_id, found in sources.items()}


def test_a_torn_newer_set_is_no_recovery_point_the_last_complete_set_is_copied_whole():
    cloud, clock = database()
    # A newer set whose log member failed: its data member alone completed.
    cloud.add_set('s2', 2, ['data', 'log'], states={'log': FAILED})
    # Without groups (the default, as before), each disk's newest completed snapshot: data from s2, log from s1, and
    # every page calls the database protected. Restored, the two disks are of moments 28 hours apart.
    apart = run(cloud, clock)
    assert copied_sources(cloud)['data'] == ['data-s2'] and copied_sources(cloud)['log'] == ['log-s1']
    assert apart['protection']['status'] == PROTECTED

    cloud, clock = database()
    cloud.add_set('s2', 2, ['data', 'log'], states={'log': FAILED})
    report = run(cloud, clock, consistency_groups='instance')
    assert copied_sources(cloud) == {'data': ['data-s1'], 'log': ['log-s1'], 'web': ['web-solo']}
    group = by_disk(report)['data']['consistency_group']
    assert group['name'] == 'i-db' and group['disks'] == ['data', 'log'] and group['set_id'] == 's1'
    assert group['newer_sets'] == [{'set_id': 's2', 'state': 'torn', 'snapshots': ['data-s2', 'log-s2']}]
    assert by_disk(report)['web']['consistency_group'] is None
    # The copies name their group and set: a later run, a person and dr_posture_info find the whole set.
    for copy_id, copy in cloud.copies.items():
        if copy['tags'].get('snapcopy:disk', '').endswith(('/data', '/log')):
            assert copy['tags'][GROUP_TAG] == 'i-db' and copy['tags'][SET_TAG] == 's1', copy_id
        else:
            assert GROUP_TAG not in copy['tags'] and SET_TAG not in copy['tags']
    assert report['protection']['status'] == PROTECTED
    assert not report['failures']


def test_a_set_still_being_made_is_shown_in_flight_and_the_previous_set_is_copied():
    cloud, clock = database()
    cloud.add_set('s2', 1, ['data', 'log'], states={'log': PENDING})
    report = run(cloud, clock, consistency_groups='instance')
    assert copied_sources(cloud)['data'] == ['data-s1'] and copied_sources(cloud)['log'] == ['log-s1']
    assert by_disk(report)['log']['consistency_group']['newer_sets'][0]['state'] == 'in_flight'


def test_a_group_with_no_complete_set_gets_no_copy_and_is_at_risk():
    cloud, clock = database()
    cloud.snapshots = {key: record for key, record in cloud.snapshots.items() if record.get('set') != 's1'}
    cloud.add_set('s2', 2, ['data'])  # the log member is missing: no set of them both
    cloud.add_set('s3', 1, ['data', 'log'], states={'data': FAILED})
    report = run(cloud, clock, consistency_groups='instance')
    assert copied_sources(cloud)['data'] == [] and copied_sources(cloud)['log'] == []
    assert report['protection']['status'] == 'at risk'
    assert any(
        'consistency group i-db has no complete set: its newest set s3 is torn' in failure
        for failure in report['failures']
    )


def test_a_member_copy_that_fails_in_a_region_leaves_the_whole_group_without_a_point_there():
    cloud, clock = database()
    start_copy = cloud.start_copy

    def refuse_log_in_dr_2(request, destinations):
        results = start_copy(
            request, [region for region in destinations if not (request.source_id == 'log-s1' and region == 'dr-2')]
        )
        if request.source_id == 'log-s1' and 'dr-2' in destinations:
            results['dr-2'] = CloudError('CopySnapshot', 'QuotaExceeded', 'no room', kind=INVALID, region='dr-2')
        return results

    cloud.start_copy = refuse_log_in_dr_2
    report = run(cloud, clock, consistency_groups='instance')
    cells = {
        (disk['disk_id'], region['region']): region
        for disk in report['protection']['disks']
        for region in disk['regions']
    }
    # data's own copy in dr-2 completed, but without log's it restores half a database: no recovery point there.
    assert cells[('data', 'dr-2')]['standing'] == 'no_copy' and cells[('data', 'dr-2')]['copy_id'] is None
    assert cells[('data', 'dr-1')]['standing'] == WITHIN_RPO and cells[('data', 'dr-1')]['set_id'] == 's1'
    assert report['protection']['status'] == 'at risk'
    assert report['totals']['without_dr_copy'] == 2


def test_a_stale_group_gets_one_fresh_set_through_the_group_api_and_copies_it_once_whole():
    cloud, clock = database()
    report = run(cloud, clock, consistency_groups='instance', max_snapshot_age_hours=24)
    assert cloud.calls.get('create_snapshot_set') == 1
    # web's snapshot is 3 hours old: nothing fresh for it; no disk of the group got a snapshot of its own.
    assert 'create_snapshot' not in cloud.calls
    assert copied_sources(cloud)['data'] == ['data-set-fresh-1'] and copied_sources(cloud)['log'] == ['log-set-fresh-1']
    assert by_disk(report)['data']['consistency_group']['set_id'] == 'set-fresh-1'
    assert report['protection']['status'] == PROTECTED


def test_a_fresh_set_with_a_failed_member_is_not_copied_the_previous_set_is():
    cloud, clock = database()
    cloud.set_outcomes = [{'log': FAILED}]
    report = run(cloud, clock, consistency_groups='instance', max_snapshot_age_hours=24)
    assert copied_sources(cloud)['data'] == ['data-s1'] and copied_sources(cloud)['log'] == ['log-s1']
    # s1 is 30 hours old, over the RPO of 24: the group is at risk, and says why.
    assert report['protection']['status'] == 'at risk'
    assert any('fresh snapshot log-set-fresh-1 failed' in failure for failure in report['failures'])


def test_a_check_run_plans_one_fresh_set_and_calls_nothing_that_changes():
    cloud, clock = database()
    report = run(cloud, clock, check_mode=True, consistency_groups='instance', max_snapshot_age_hours=24)
    assert 'create_snapshot_set' not in cloud.calls and 'start_copy' not in cloud.calls
    assert by_disk(report)['data']['fresh_snapshot']['action'] == 'would_create'
    assert report['protection']['status'] != PROTECTED


def test_a_rerun_copies_nothing_again():
    cloud, clock = database()
    run(cloud, clock, consistency_groups='instance')
    copies = len(cloud.copies)
    again = run(cloud, clock, consistency_groups='instance')
    assert len(cloud.copies) == copies and again['totals']['copied'] == 0 and not again['changed']
    assert again['protection']['status'] == PROTECTED


def test_tag_groups_across_instances_are_refused_where_a_set_holds_one_instance():
    cloud, clock = database()
    cloud.disks['web'].tags['app'] = 'shop'
    cloud.disks['data'].tags['app'] = 'shop'
    report = run(cloud, clock, consistency_groups='tag:app')
    assert any(
        'consistency group app=shop holds disks of 2 instances (i-db, i-web): memory makes a set of one instance\'s '
        'disks only' in failure
        for failure in report['failures']
    )
    assert copied_sources(cloud)['data'] == [] and copied_sources(cloud)['web'] == []
    # log has no app tag: on its own, copied as before.
    assert copied_sources(cloud)['log'] == ['log-s1']


def test_a_cloud_without_sets_refuses_groups_before_any_call():
    clock = FakeClock(30 * 24 * 3600)
    cloud = MemoryCloud(clock)
    cloud.add_disk('disk-1', tags={'dr': 'yes'})
    with pytest.raises(InputError, match='memory has no API that snapshots disks together') as raised:
        run(cloud, clock, consistency_groups='instance')
    assert raised.value.option == 'consistency_groups'
    assert cloud.calls == {}


@pytest.mark.parametrize(
    'value, by, key',
    [
        (None, None, None),
        ('', None, None),
        ('none', None, None),
        ('instance', 'instance', None),
        ('tag:app', 'tag', 'app'),
        (' tag: app tier ', 'tag', 'app tier'),
    ],
)
def test_consistency_groups_takes_what_people_type(value, by, key):
    settings = consistency_groups(value)
    assert (settings.by, settings.tag_key) == (by, key)


@pytest.mark.parametrize('value', ['tag:', 'tag', 'instances', 'Instance', 'label:app', 3])
def test_consistency_groups_refuses_the_rest_naming_the_forms(value):
    with pytest.raises(InputError, match='is instance .* tag:<key> .* or none, got'):
        consistency_groups(value)


# ---------------------------------------------------------------------- the model's rule, on any cells
CELLS = st.builds(
    lambda standing, set_id: (standing, set_id),
    st.sampled_from(STANDINGS),
    st.sampled_from(['s1', 's2', None]),
)


@given(
    cells=st.lists(st.lists(CELLS, min_size=2, max_size=2), min_size=1, max_size=4),
    groups=st.lists(st.sampled_from(['g1', 'g2', None]), min_size=4, max_size=4),
)
def test_no_surface_counts_a_member_without_its_whole_set(cells, groups):
    """Whatever cells a report or a read gives the model, a disk of a group stands within or over the RPO in a region
    only when every member of its group does there with a copy of one set."""
    disks = tuple(
        DiskProtection(
            disk_id='d%d' % index,
            group=groups[index],
            regions=tuple(
                RegionProtection(region=region, standing=standing, set_id=set_id, copy_id='c' if set_id else None)
                for region, (standing, set_id) in zip(DR_REGIONS, row)
            ),
        )
        for index, row in enumerate(cells)
    )
    scope_model = ScopeProtection(provider='aws', source_region='src-1', dr_regions=tuple(DR_REGIONS), disks=disks)
    for model in (scope_model, ScopeProtection.from_data(scope_model.as_data())):
        for disk in model.disks:
            if disk.group is None:
                continue
            members = [other for other in model.disks if other.group == disk.group]
            for region in DR_REGIONS:
                if disk.region(region).standing in (WITHIN_RPO, OVER_RPO):
                    assert {member.region(region).set_id for member in members} == {disk.region(region).set_id}
                    assert disk.region(region).set_id is not None
                    assert all(member.region(region).standing in (WITHIN_RPO, OVER_RPO) for member in members)


def refuse_copies_of(cloud, source_id, region):
    """The cloud refuses the copies of ``source_id`` into ``region`` (no room there)."""
    start_copy = cloud.start_copy

    def refusing(request, destinations):
        refused = request.source_id == source_id and region in destinations
        results = start_copy(request, [where for where in destinations if not (refused and where == region)])
        if refused:
            results[region] = CloudError('CopySnapshot', 'QuotaExceeded', 'no room', kind=INVALID, region=region)
        return results

    cloud.start_copy = refusing


def sets_held(cloud, region):
    """{set id: the disks with a copy of it} in ``region``, as the cloud holds them (by the sources' sets)."""
    held = {}
    for copy in cloud.copies.values():
        if copy['region'] == region and copy['tags'][DISK_TAG].endswith(('/data', '/log')):
            source = copy['tags'][SOURCE_TAG].partition('/')[2]
            held.setdefault(source.partition('-')[2], set()).add(source.partition('-')[0])
    return held


@pytest.mark.parametrize('grouped', [False, True])
def test_pruning_keeps_the_last_complete_set_while_its_replacement_is_partial(grouped):
    options = {'prune': True, 'keep_copies': 1}
    if grouped:
        options['consistency_groups'] = 'instance'
    cloud, clock = database()
    run(cloud, clock, **options)
    clock.now += 3600
    cloud.add_set('s2', 0, ['data', 'log'])
    start_copy = cloud.start_copy
    refuse_copies_of(cloud, 'log-s2', 'dr-2')
    run(cloud, clock, **options)
    assert sets_held(cloud, 'dr-1') == {'s2': {'data', 'log'}}
    if grouped:
        # dr-2: s2's data copy alone is no recovery point; s1 stays whole beside it.
        assert sets_held(cloud, 'dr-2') == {'s1': {'data', 'log'}, 's2': {'data'}}
        # Once s2 is whole there, s1 goes, whole.
        cloud.start_copy = start_copy
        clock.now += 3600
        run(cloud, clock, **options)
        assert sets_held(cloud, 'dr-2') == {'s2': {'data', 'log'}}
    else:
        # Per disk, data's newest copy is s2's and its s1 copy goes: dr-2 holds data and log of different moments.
        assert sets_held(cloud, 'dr-2') == {'s1': {'log'}, 's2': {'data'}}


def test_a_run_limited_to_one_member_looks_after_its_whole_group():
    cloud, clock = database()
    report = run(cloud, clock, consistency_groups='instance', disk_ids=['log'])
    assert sorted(by_disk(report)) == ['data', 'log']
    assert copied_sources(cloud) == {'data': ['data-s1'], 'log': ['log-s1'], 'web': []}
    assert any('the run looks after the whole group, with data' in warning for warning in report['run_warnings'])
    assert list(report['protection']['limited_to']) == ['data', 'log']


def test_the_markdown_report_shows_each_group_its_set_and_its_newer_sets():
    cloud, clock = database()
    cloud.add_set('s2', 2, ['data', 'log'], states={'log': FAILED})
    refuse_copies_of(cloud, 'log-s1', 'dr-2')
    markdown = dr_report_markdown(run(cloud, clock, consistency_groups='instance'))
    section = markdown.split('## Consistency groups', 1)[1].split('\n## ', 1)[0]
    assert '| i-db | data, log | dr-1 | s1 | within the RPO | 30.0 | s2 torn |' in section
    # data's copy completed in dr-2, log's was refused: the group has no copy there.
    assert '| i-db | data, log | dr-2 | - | no copy | - | s2 torn |' in section
    assert 'web' not in section


def posture(cloud, clock, **options):
    settings = dr_settings(scope('aws', 'src-1', DR_REGIONS, {'dr': 'yes'}, **options))
    return PostureRead(cloud, settings, now=parse_time(cloud.when(clock.now))).read()


def cells_of(model):
    return {(disk['disk_id'], region['region']): region for disk in model['disks'] for region in disk['regions']}


def test_a_read_of_the_clouds_counts_the_group_as_the_run_does():
    cloud, clock = database()
    refuse_copies_of(cloud, 'log-s1', 'dr-2')
    report = run(cloud, clock, consistency_groups='instance')
    read = posture(cloud, clock, consistency_groups='instance')
    ran, found = cells_of(report['protection']), cells_of(read['protection'])
    for key in ran:
        assert (ran[key]['standing'], ran[key]['set_id']) == (found[key]['standing'], found[key]['set_id']), key
    assert found[('data', 'dr-2')]['standing'] == 'no_copy' and found[('data', 'dr-1')]['set_id'] == 's1'
    assert read['protection']['status'] == report['protection']['status'] == 'at risk'
    assert read['disks'][0]['consistency_group'] == {'name': 'i-db', 'disks': ['data', 'log'], 'look_alikes': []}


def test_a_read_counts_no_copies_of_different_moments_as_a_group():
    cloud, clock = database()
    cloud.add_set('s2', 2, ['data', 'log'], states={'log': FAILED})
    run(cloud, clock)  # without groups: data from s2, log from s1
    assert posture(cloud, clock)['protection']['status'] == PROTECTED
    read = posture(cloud, clock, consistency_groups='instance')
    assert read['protection']['status'] == 'at risk'
    assert {cell['standing'] for key, cell in cells_of(read['protection']).items() if key[0] != 'web'} == {'no_copy'}


def test_a_read_refuses_groups_where_the_cloud_makes_no_sets():
    clock = FakeClock(30 * 24 * 3600)
    cloud = MemoryCloud(clock)
    cloud.add_disk('disk-1', tags={'dr': 'yes'})
    with pytest.raises(InputError, match='memory has no API that snapshots disks together'):
        posture(cloud, clock, consistency_groups='instance')


def test_the_drill_restores_a_groups_whole_set_and_counts_it_as_one():
    cloud, clock = database()
    report = run(cloud, clock, consistency_groups='instance', restore_test=True, restore_test_count=1, wait=True)
    restore = report['restore']
    for region in DR_REGIONS:
        tests = [test for test in restore['tests'] if test['region'] == region]
        # The group comes first (data's key sorts before web's), and counts as one of restore_test_count: its members.
        assert sorted(test['disk_id'] for test in tests) == ['data', 'log']
        assert {test['set_id'] for test in tests} == {'s1'} and {test['consistency_group'] for test in tests} == {
            'i-db'
        }
        assert len({test['zone'] for test in tests}) == 1
    sets = restore['sets']
    assert [(record['region'], record['group'], record['result']) for record in sets] == [
        ('dr-1', 'i-db', 'passed'),
        ('dr-2', 'i-db', 'passed'),
    ]
    assert all(
        record['seconds_to_usable']
        == max(test['seconds_to_usable'] for test in restore['tests'] if test['region'] == record['region'])
        for record in sets
    )
    # Its cleanup deletes every disk it made: four, one a member a region.
    assert not cloud.test_disks and len(cloud.deleted_disks) == 4
    # The next drill takes the disk that was not tested.
    clock.now += 3600
    again = run(cloud, clock, consistency_groups='instance', restore_test=True, restore_test_count=1, wait=True)
    assert {test['disk_id'] for test in again['restore']['tests']} == {'web'}


def test_a_set_whose_member_fails_to_restore_fails_the_drill_as_a_set():
    cloud, clock = database()
    cloud.failing_disks = 1
    report = run(cloud, clock, consistency_groups='instance', restore_test=True, restore_test_count=1, wait=True)
    failed = [record for record in report['restore']['sets'] if record['result'] != 'passed']
    assert failed and failed[0]['seconds_to_usable'] is None
    assert any('the set did not restore whole' in failure for failure in report['failures'])


def test_the_posture_page_shows_each_group_as_the_model_counts_it():
    cloud, clock = database()
    refuse_copies_of(cloud, 'log-s1', 'dr-2')
    # The action adds the account on the controller.
    page = dr_report_html(dict(run(cloud, clock, consistency_groups='instance'), account=None))
    section = page.split('<section id="groups">', 1)[1].split('</section>', 1)[0]
    row = section.split('<tr data-group="i-db">', 1)[1].split('</tr>', 1)[0]
    assert '<td data-key="disks">data, log</td>' in row
    assert 'data-region="dr-1" data-set="s1" class=""' in row and 'within the RPO (set s1)' in row
    assert 'data-region="dr-2" data-set="" class="bad"' in row and 'no copy' in row
    assert 'data-group="web"' not in section


def test_the_fleet_page_lists_each_scopes_groups_a_partial_set_at_risk():
    cloud, clock = database()
    refuse_copies_of(cloud, 'log-s1', 'dr-2')
    report = run(cloud, clock, consistency_groups='instance')
    scope_facts = {
        'scope': 'db-eu',
        'provider': 'aws',
        'source_region': 'src-1',
        'dr_regions': DR_REGIONS,
        'totals': report['totals'],
        'failures': report['failures'],
        'protection': report['protection'],
    }
    fleet = fleet_report([scope_facts], '2026-11-26T00:00:00Z')
    (group,) = fleet['scopes'][0]['groups']
    assert group['name'] == 'i-db' and group['disks'] == ['data', 'log'] and group['status'] == 'at risk'
    assert [(cell['region'], cell['standing'], cell['set_id']) for cell in group['regions']] == [
        ('dr-1', WITHIN_RPO, 's1'),
        ('dr-2', 'no_copy', None),
    ]
    page = fleet_report_html(fleet)
    row = page.split('<tr data-scope="db-eu" data-group="i-db">', 1)[1].split('</tr>', 1)[0]
    assert '>at risk<' in row and 'dr-1: within the RPO, set s1' in row and 'dr-2: no copy' in row


def test_locks_and_the_dr_account_take_every_member_of_the_set():
    cloud, clock = database()
    cloud.use_dr_account({}, 'src-1', '222233334444')
    report = run(
        cloud,
        clock,
        consistency_groups='instance',
        wait=True,
        lock={'mode': 'compliance', 'duration_days': 3},
        dr_account={'role_arn': 'arn:aws:iam::222233334444:role/dr'},
    )
    members = [disk for disk in report['disks'] if disk['consistency_group']]
    copies = [copy for disk in members for copy in disk['copies']]
    assert len(copies) == 4 and {copy['set_id'] for copy in copies} == {'s1'}
    assert {copy['lock']['action'] for copy in copies} == {'locked'}
    assert all(cloud._lock(copy['snapshot_id']).in_force for copy in copies)  # pylint: disable=protected-access
    assert report['protection']['status'] == PROTECTED
    # Every share of the set's sources was taken back once its copies completed.
    assert not cloud.granted


def test_the_jobs_output_names_each_disks_group_and_why_a_complete_copy_does_not_count():
    cloud, clock = database()
    refuse_copies_of(cloud, 'log-s1', 'dr-2')
    text = dr_report_text(dict(run(cloud, clock, consistency_groups='instance'), account=None))
    (data_line,) = [line for line in text.splitlines() if line.strip().startswith('data')]
    assert '[group i-db]' in data_line and 'within the RPO' in data_line
    assert "NO COPY, as its group (a member's copy of the set is not there)" in data_line
    (web_line,) = [line for line in text.splitlines() if line.strip().startswith('web')]
    assert '[group' not in web_line


def test_a_deleted_source_of_the_newest_set_never_costs_the_group_that_set():
    """Issue 60, 3: a person deleted one member's source of set s2 after s2 was copied; the next run copied the older
    set s1 again, pruned s2 (the newest complete point) as if s1's new copies were newer, and reported the group at s1.
    The sets are ordered by when their sources were taken (POINT_TAG on each copy), never by when the copies were
    made."""
    options = {'prune': True, 'keep_copies': 1, 'consistency_groups': 'instance'}
    cloud, clock = database()
    clock.now += 3600
    cloud.add_set('s2', 0, ['data', 'log'])
    run(cloud, clock, **options)
    assert sets_held(cloud, 'dr-1') == {'s2': {'data', 'log'}}
    clock.now += 3600
    del cloud.snapshots['log-s2']  # a person's cleanup of the source region
    report = run(cloud, clock, **options)
    for region in DR_REGIONS:
        held = sets_held(cloud, region)
        assert held.get('s2') == {'data', 'log'}, 'the newest complete set went in %s: %s' % (region, held)
        # Nor is the older set copied again where the newer one stands: the next run would prune it again (issue 60).
        assert set(held) == {'s2'}, 'an older set was copied where a newer one stands in %s: %s' % (region, held)
    assert not report['failures'], report['failures']
    assert report['totals']['copied'] == 0
    assert {copy['action'] for disk in report['disks'] for copy in disk['copies'] if disk['consistency_group']} == {
        'newer_held'
    }


def test_a_group_is_held_back_from_an_older_set_whole_or_not_at_all():
    """Where only some members stand on a newer point in a region (a person deleted the other's DR copy), the older set
    is copied to every member there: holding one member back would leave half an older set, and no complete one."""
    options = {'prune': True, 'keep_copies': 1, 'consistency_groups': 'instance'}
    cloud, clock = database()
    clock.now += 3600
    cloud.add_set('s2', 0, ['data', 'log'])
    run(cloud, clock, **options)
    (data_copy,) = [
        copy_id
        for copy_id, copy in cloud.copies.items()
        if copy['region'] == 'dr-1' and copy['tags'][SOURCE_TAG].endswith('/data-s2')
    ]
    assert cloud.a_person_deletes(data_copy)
    del cloud.snapshots['log-s2']  # and a person's cleanup of the source region
    clock.now += 3600
    report = run(cloud, clock, **options)
    assert sets_held(cloud, 'dr-1').get('s1') == {'data', 'log'}, sets_held(cloud, 'dr-1')
    actions = {
        (copy['region'], disk['disk_id']): copy['action']
        for disk in report['disks']
        for copy in disk['copies']
        if disk['consistency_group']
    }
    assert {actions[('dr-1', 'data')], actions[('dr-1', 'log')]} == {'copied'}
    assert all(actions[(region, disk)] == 'newer_held' for region in DR_REGIONS[1:] for disk in ('data', 'log'))
