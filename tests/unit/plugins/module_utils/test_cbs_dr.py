"""What the DR run (dr_sync) asks of the CBS adapter, and a DrRun end to end on CBS.

The real Tencent SDK talks to fakecloud over HTTP: it checks each TC3 signature, pages with
Offset/Limit, filters by tags and disk ids, moves snapshots and copies through their states
as time passes, and counts the calls of every action, so the tests assert on what was called.
"""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import utc_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    RateLimiter,
    TencentClient,
    load_sdk,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, PENDING, Snapshot, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import COPY_TAG, DISK_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with

SOURCE_REGION = 'ap-guangzhou'
DR_REGIONS = ['ap-beijing', 'ap-shanghai']
MUTATING_ACTIONS = {
    'CreateSnapshot',
    'CopySnapshotCrossRegions',
    'DeleteSnapshots',
    'TagResources',
    'UnTagResources',
    'ModifyResourceTags',
}


def adapter_for(cloud, check_mode=False, per_second=1000):
    """An adapter on the real SDK; a high rate limit keeps the tests quick (the limiter has its own tests)."""
    connection = {
        'secret_id': creds.TENCENT_SECRET_ID,
        'secret_key': creds.TENCENT_SECRET_KEY,
        'endpoint_url': cloud.url,
        'validate_certs': True,
        'read_timeout': 10,
    }
    return CbsAdapter(
        TencentClient(connection, load_sdk(), limiter=RateLimiter(per_second=per_second)), check_mode=check_mode
    )


@pytest.fixture
def cloud(fakecloud_clean):
    """A reset emulator with quick snapshots and copies."""
    fakecloud_clean.admin.configure(timings={'cbs': {'snapshot_seconds': 0.5, 'copy_seconds': 1.0}})
    return fakecloud_clean


def calls(cloud, action, service='cbs'):
    return cloud.admin.calls()['calls'].get(service, {}).get(action, {}).get('calls', 0)


def forget_calls(cloud):
    cloud.admin.calls(reset=True)


def mutating_calls(cloud):
    """Every call of an action that can change something, whether or not it did."""
    counted = cloud.admin.calls()
    attempted = sum(
        counts['calls']
        for actions in counted['calls'].values()
        for action, counts in actions.items()
        if action in MUTATING_ACTIONS
    )
    return attempted + counted['total_mutations']


def snapshots_in(cloud, region):
    return cloud.admin.state(cloud='cbs', region=region)['cbs'].get(region, {}).get('snapshots', [])


def mark_as_dr_copies(cloud, region, copy_ids):
    """Mark seeded copies as the DR run marks the copies it makes (their own id in COPY_TAG, by TagResources)."""
    adapter = adapter_for(cloud)
    for copy_id in copy_ids:
        adapter.tag_copy(Snapshot(copy_id, region, COMPLETED), {COPY_TAG: copy_id})


def seed_disks(cloud, count, tags, snapshots=2, **fields):
    spec = [
        dict({'region': SOURCE_REGION, 'size': 20, 'tags': dict(tags), 'snapshots': snapshots}, **fields)
        for dummy in range(count)
    ]
    return cloud.admin.seed(cbs={'disks': spec})['cbs']


# ---------------------------------------------------------------------- the adapter's DR methods
def test_sample_snapshot_id_is_a_well_formed_cbs_id(cloud):
    adapter = adapter_for(cloud)
    assert adapter.sample_snapshot_id.startswith('snap-') and len(adapter.sample_snapshot_id) == 13
    assert adapter.max_copies_in_flight is None


def test_find_disks_filters_by_tags_on_the_server_and_pages(cloud):
    cloud.admin.seed(
        cbs={
            'disks': [
                {
                    'region': SOURCE_REGION,
                    'name': 'db-%03d' % number,
                    'size': 10 + number,
                    'tags': {'dr': 'yes' if number % 2 else 'no', 'team': 'db'},
                }
                for number in range(230)
            ]
        }
    )
    cloud.admin.seed(cbs={'disks': [{'region': 'ap-beijing', 'tags': {'dr': 'yes'}}]})  # another region
    adapter = adapter_for(cloud)
    forget_calls(cloud)
    tagged = adapter.find_disks(SOURCE_REGION, {'dr': 'yes'})
    assert len(tagged) == 115 and len({disk.id for disk in tagged}) == 115
    assert calls(cloud, 'DescribeDisks') == 2  # 115 disks: two pages of 100
    assert all(disk.region == SOURCE_REGION and disk.tags == {'dr': 'yes', 'team': 'db'} for disk in tagged)
    first = min(tagged, key=lambda disk: disk.name)
    assert (first.name, first.size) == ('db-001', 11)
    # None matches any value of the key (tag-key); every pair must match
    assert len(adapter.find_disks(SOURCE_REGION, {'dr': None, 'team': 'db'})) == 230
    assert len(adapter.find_disks(SOURCE_REGION, {'dr': 'no', 'team': 'db'})) == 115
    assert adapter.find_disks(SOURCE_REGION, {'dr': 'maybe'}) == []
    assert adapter.find_disks(SOURCE_REGION, {'dr': 'yes', 'team': 'web'}) == []


def test_disk_snapshots_asks_for_ten_disks_a_call_and_pages(cloud):
    created = seed_disks(cloud, 25, {'dr': 'yes'}, snapshots=12)
    seed_disks(cloud, 1, {'dr': 'no'}, snapshots=3)  # not asked for
    adapter = adapter_for(cloud)
    disks = [Disk(disk_id, SOURCE_REGION) for disk_id in created['disks']]
    forget_calls(cloud)
    found = adapter.disk_snapshots(SOURCE_REGION, disks)
    assert set(found) == set(created['disks'])
    assert sum(len(snapshots) for snapshots in found.values()) == 300
    for disk_id, snapshots in found.items():
        assert len(snapshots) == 12
        assert all(snapshot.volume_id == disk_id and snapshot.state == COMPLETED for snapshot in snapshots)
        assert all(snapshot.created.endswith('Z') and parse_time(snapshot.created) for snapshot in snapshots)
    # disk-id takes 10 values a call: 10 + 10 + 5 disks, 120 + 120 + 60 snapshots, pages of 100
    assert calls(cloud, 'DescribeSnapshots') == 2 + 2 + 1
    assert adapter.disk_snapshots(SOURCE_REGION, []) == {}


def test_disk_snapshots_lists_the_region_only_when_that_costs_fewer_calls(cloud):
    many = seed_disks(cloud, 50, {'dr': 'yes'}, snapshots=25)  # 1,250 snapshots: 13 pages, more than 5 disk-id calls
    adapter = adapter_for(cloud)
    forget_calls(cloud)
    found = adapter.disk_snapshots(SOURCE_REGION, [Disk(disk_id, SOURCE_REGION) for disk_id in many['disks']])
    assert sum(len(snapshots) for snapshots in found.values()) == 1250
    # one look at the region's size, then 5 disk-id calls of 250 snapshots, 3 pages each
    assert calls(cloud, 'DescribeSnapshots') == 1 + 5 * 3


def test_created_is_iso_8601_utc_converted_from_beijing_time(cloud):
    created = cloud.admin.seed(
        cbs={'disks': [{'region': SOURCE_REGION, 'snapshots': [{'created': '2026-03-01T02:30:00Z'}]}]}
    )['cbs']
    raw = snapshots_in(cloud, SOURCE_REGION)[0]
    adapter = adapter_for(cloud)
    (snapshot,) = adapter.disk_snapshots(SOURCE_REGION, [Disk(created['disks'][0], SOURCE_REGION)])[created['disks'][0]]
    assert snapshot.created == '2026-03-01T02:30:00Z'
    assert adapter.describe(SOURCE_REGION, [raw['id']])[raw['id']].created == '2026-03-01T02:30:00Z'
    assert parse_time(snapshot.created) == datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    'cbs_time, expected',
    [
        ('2024-05-01 08:00:00', '2024-05-01T00:00:00Z'),
        ('2024-01-01 03:15:00', '2023-12-31T19:15:00Z'),  # before 08:00 in Beijing is the day before in UTC
        ('2024-03-01 07:59:59', '2024-02-29T23:59:59Z'),
        ('2024-05-01T08:00:00+08:00', '2024-05-01T00:00:00Z'),
        ('2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z'),
        (None, None),
        ('', None),
        ('not a time', None),
    ],
)
def test_utc_time_reads_cbs_times(cbs_time, expected):
    assert utc_time(cbs_time) == expected


def test_create_snapshot_names_and_tags_it_in_one_call(cloud):
    created = seed_disks(cloud, 1, {'dr': 'yes'}, snapshots=0)
    adapter = adapter_for(cloud)
    (disk,) = adapter.find_disks(SOURCE_REGION, {'dr': 'yes'})
    forget_calls(cloud)
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    fresh = adapter.create_snapshot(
        SOURCE_REGION, disk, 'dr-fresh-' + disk.id, 'CBS has no description', {'snapcopy:fresh': 'now'}
    )
    assert fresh.state == PENDING and fresh.volume_id == created['disks'][0] and fresh.name == 'dr-fresh-' + disk.id
    assert before <= parse_time(fresh.created) <= datetime.datetime.now(datetime.timezone.utc)
    assert cloud.admin.calls()['mutating'] == {'cbs': {'CreateSnapshot': 1}}  # the tags came with it: no TagResources
    (stored,) = snapshots_in(cloud, SOURCE_REGION)
    assert (stored['id'], stored['name'], stored['tags']) == (
        fresh.id,
        'dr-fresh-' + disk.id,
        {'snapcopy:fresh': 'now'},
    )
    cloud.admin.advance_clock(1)
    assert adapter.describe(SOURCE_REGION, [fresh.id])[fresh.id].state == COMPLETED


def test_create_snapshot_after_a_lost_answer_adopts_the_snapshot_the_call_made(cloud):
    seed_disks(cloud, 1, {'dr': 'yes'}, snapshots=1)
    adapter = adapter_for(cloud)
    (disk,) = adapter.find_disks(SOURCE_REGION, {'dr': 'yes'})
    cloud.admin.faults({'rules': [{'cloud': 'cbs', 'action': 'CreateSnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    fresh = adapter.create_snapshot(SOURCE_REGION, disk, 'dr-fresh', None, {'snapcopy:fresh': '2026-03-01T00:00:00Z'})
    made = [snap for snap in snapshots_in(cloud, SOURCE_REGION) if snap['tags']]
    assert [snap['id'] for snap in made] == [fresh.id]
    assert fresh.volume_id == disk.id and fresh.created
    # without tags to know it by, the lost answer is the caller's to retry
    cloud.admin.faults({'rules': [{'cloud': 'cbs', 'action': 'CreateSnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    with pytest.raises(CloudError) as info:
        adapter.create_snapshot(SOURCE_REGION, disk, 'dr-fresh', None, {})
    assert info.value.uncertain


def test_list_copies_pages_through_our_copies_only(cloud):
    region = DR_REGIONS[0]
    ours = [
        {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': 'snap-src%05d' % number,
            'source_region': SOURCE_REGION,
            'tags': {SOURCE_TAG: '%s/snap-src%05d' % (SOURCE_REGION, number), DISK_TAG: '%s/disk-x' % SOURCE_REGION},
            'age_seconds': 3600 * number,
        }
        for number in range(130)
    ]
    not_ours = [
        {'region': region, 'tags': {'owner': 'someone else'}},  # a snapshot of a disk there
        {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': 'snap-byhand1',
            'source_region': SOURCE_REGION,
        },  # copied by hand
        {'region': region, 'tags': {SOURCE_TAG: 'looks like ours'}},  # carries the tag but is no copy
        {
            'region': DR_REGIONS[1],
            'is_copy': True,
            'source_snapshot_id': 'snap-other01',
            'source_region': SOURCE_REGION,
            'tags': {SOURCE_TAG: '%s/snap-other01' % SOURCE_REGION},
        },  # another region
    ]
    ids = cloud.admin.seed(cbs={'snapshots': ours + not_ours})['cbs']['snapshots']
    adapter = adapter_for(cloud)
    forget_calls(cloud)
    copies = adapter.list_copies(region)
    assert calls(cloud, 'DescribeSnapshots') == 2
    assert sorted(copy.id for copy in copies) == sorted(ids[:130])
    assert all(copy.region == region and copy.tags[SOURCE_TAG].startswith(SOURCE_REGION + '/') for copy in copies)
    assert all(copy.created.endswith('Z') for copy in copies)
    oldest = min(copies, key=lambda copy: parse_time(copy.created))
    assert oldest.tags[SOURCE_TAG] == '%s/snap-src00129' % SOURCE_REGION


def test_delete_snapshot_and_an_id_already_gone(cloud):
    ids = cloud.admin.seed(cbs={'snapshots': [{'region': DR_REGIONS[0]}, {'region': DR_REGIONS[0]}]})['cbs'][
        'snapshots'
    ]
    adapter = adapter_for(cloud)
    adapter.delete_snapshot(DR_REGIONS[0], ids[0])
    with pytest.raises(CloudError) as gone:  # the cloud's own not-found, for the DR run to read as deleted
        adapter.delete_snapshot(DR_REGIONS[0], ids[0])
    assert gone.value.kind == NOT_FOUND and gone.value.code == 'InvalidSnapshotId.NotFound'
    assert [snap['id'] for snap in snapshots_in(cloud, DR_REGIONS[0])] == [ids[1]]
    with pytest.raises(CloudError):
        adapter.delete_snapshot('ap-nowhere', ids[1])


# ---------------------------------------------------------------------- a DR run on CBS
def params(**overrides):
    base = {
        'provider': 'cbs',
        'source_region': SOURCE_REGION,
        'dr_regions': list(DR_REGIONS),
        'tag_selector': {'dr': 'yes'},
        'name_template': None,
        'description_template': None,
        'snapshot_name_template': 'dr-fresh-{disk_id}',
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
        'wait': True,
        'wait_timeout': 60,
        'poll_interval': 0.1,
    }
    base.update(overrides)
    return base


def dr_run(cloud, check_mode=False, **overrides):
    return dr_run_with(adapter_for(cloud, check_mode=check_mode), params(**overrides), check_mode=check_mode)


@pytest.fixture
def estate(cloud):
    """30 tagged disks with two snapshots each (the newest an hour old), and 5 untagged ones."""
    tagged = seed_disks(cloud, 30, {'dr': 'yes', 'app': 'shop'})
    untagged = seed_disks(cloud, 5, {'app': 'shop'})
    return {'tagged': tagged, 'untagged': untagged}


def copies_in(cloud, region):
    return [snap for snap in snapshots_in(cloud, region) if snap['source_snapshot_id']]


def test_dr_run_plans_copies_and_reruns_without_change(cloud, estate):
    forget_calls(cloud)
    plan = dr_run(cloud, check_mode=True)
    assert mutating_calls(cloud) == 0
    assert plan['changed'] and plan['totals']['would_copy'] == 60 and plan['totals']['disks'] == 30
    assert not plan['failures'] and not any(copies_in(cloud, region) for region in DR_REGIONS)

    forget_calls(cloud)
    report = dr_run(cloud)
    assert report['changed'] and not report['failures']
    assert report['totals']['copied'] == 60 and report['totals']['without_dr_copy'] == 0
    assert {disk['disk_id'] for disk in report['disks']} == set(estate['tagged']['disks'])
    newest = {
        disk_id: snapshots[-1]
        for disk_id, snapshots in zip(
            estate['tagged']['disks'], [estate['tagged']['snapshots'][index : index + 2] for index in range(0, 60, 2)]
        )
    }
    assert all(disk['source_snapshot']['id'] == newest[disk['disk_id']] for disk in report['disks'])
    assert all(copy['state'] == 'NORMAL' for disk in report['disks'] for copy in disk['copies'])
    # one copy call per disk serves both DR regions; each copy is tagged in one call, its own id (the DR copy's mark,
    # docs/safety.md) among its tags; the copy calls are guarded by the run's copy leases on their sources (a key a DR
    # region), written and taken off 50 sources a call, what AttachResourcesTag and DetachResourcesTag take
    # (dr.leases.copies.CopyLeases)
    assert cloud.admin.calls()['mutating']['cbs']['CopySnapshotCrossRegions'] == 30
    tag_calls = cloud.admin.calls()['mutating']['tag']
    assert tag_calls['TagResources'] == 60 and 'UnTagResources' not in tag_calls
    assert tag_calls['AttachResourcesTag'] == tag_calls['DetachResourcesTag'] == len(DR_REGIONS)
    for region in DR_REGIONS:
        copies = copies_in(cloud, region)
        assert len(copies) == 30 and all(snap['tags'][COPY_TAG] == snap['id'] for snap in copies)
        assert all(snap['tags'][SOURCE_TAG] == '%s/%s' % (SOURCE_REGION, snap['source_snapshot_id']) for snap in copies)
        assert {snap['tags'][DISK_TAG] for snap in copies} == {
            '%s/%s' % (SOURCE_REGION, disk_id) for disk_id in estate['tagged']['disks']
        }
        assert all(snap['tags']['team'] == 'ops' for snap in copies)

    forget_calls(cloud)
    unanswered = dr_run(cloud)
    assert not unanswered['changed'] and unanswered['totals']['existing'] == 60 and unanswered['totals']['copied'] == 0
    assert mutating_calls(cloud) == 0
    assert sum(len(copies_in(cloud, region)) for region in DR_REGIONS) == 60

    forget_calls(cloud)
    replan = dr_run(cloud, check_mode=True)
    assert not replan['changed'] and mutating_calls(cloud) == 0


def test_dr_run_reads_stay_batched(cloud):
    """The reads of a run over 200 tagged disks (and 50 others), counted per action."""
    seed_disks(cloud, 200, {'dr': 'yes'})
    seed_disks(cloud, 50, {'dr': 'no'})
    forget_calls(cloud)
    report = dr_run(cloud, check_mode=True)
    assert report['totals']['would_copy'] == 400 and report['totals']['not_covered'] == 50
    disks, snapshot_reads = calls(cloud, 'DescribeDisks'), calls(cloud, 'DescribeSnapshots')
    # DescribeDisks: the region's 250 disks, 100 a page (coverage). DescribeSnapshots: the source region's 500
    # snapshots listed 100 a call (5, fewer than 20 calls of 10 disk ids; the engine takes the
    # sources from there), and per DR region one listing of the (empty) region instead of name
    # and tag look-ups per source (1), the sources' CopyingToRegions (2), and the copy phase's look at what each region
    # holds before it copies (1: no older point where a newer one stands).
    assert disks == 3
    assert snapshot_reads == 5 + 2 * (1 + 2 + 1)
    assert mutating_calls(cloud) == 0
    # Without coverage, DescribeDisks' tag filter reads the 200 tagged disks alone: pages of 100.
    forget_calls(cloud)
    report = dr_run(cloud, check_mode=True, coverage='off')
    assert calls(cloud, 'DescribeDisks') == 2 and report['protection']['uncovered'] is None


def test_dr_run_prunes_old_copies_of_its_disks_only(cloud, estate):
    dr_run(cloud, dr_regions=[DR_REGIONS[0]])
    region = DR_REGIONS[0]
    disk_id, other_disk = estate['tagged']['disks'][0], estate['untagged']['disks'][0]
    old = [
        {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': 'snap-old%05d' % days,
            'source_region': SOURCE_REGION,
            'disk_id': disk_id,
            'age_seconds': days * 86400,
            'tags': {
                SOURCE_TAG: '%s/snap-old%05d' % (SOURCE_REGION, days),
                DISK_TAG: '%s/%s' % (SOURCE_REGION, disk_id),
            },
        }
        for days in (3, 6, 9)
    ]
    foreign = [
        {'region': region, 'age_seconds': 20 * 86400, 'tags': {'owner': 'someone else'}},
        {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': 'snap-byhand1',
            'source_region': SOURCE_REGION,
            'disk_id': disk_id,
            'age_seconds': 20 * 86400,
        },  # a copy of the same disk, made by hand
        {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': 'snap-untagd1',
            'source_region': SOURCE_REGION,
            'disk_id': other_disk,
            'age_seconds': 20 * 86400,
            'tags': {SOURCE_TAG: '%s/snap-untagd1' % SOURCE_REGION, DISK_TAG: '%s/%s' % (SOURCE_REGION, other_disk)},
        },
    ]
    ids = cloud.admin.seed(cbs={'snapshots': old + foreign})['cbs']['snapshots']
    old_ids, foreign_ids = ids[:3], ids[3:]
    mark_as_dr_copies(cloud, region, old_ids + foreign_ids[2:])

    forget_calls(cloud)
    plan = dr_run(cloud, check_mode=True, dr_regions=[region], prune=True, keep_copies=2)
    assert mutating_calls(cloud) == 0
    pruned = {record['snapshot_id']: record for disk in plan['disks'] for record in disk['pruned']}
    assert set(pruned) == set(old_ids[1:]) and {record['action'] for record in pruned.values()} == {'would_delete'}
    assert 5.9 < pruned[old_ids[1]]['age_hours'] / 24 < 6.1  # the age comes from CreateTime read as Beijing time

    report = dr_run(cloud, dr_regions=[region], prune=True, keep_copies=2)
    assert report['totals']['pruned'] == 2 and report['changed'] and not report['failures']
    remaining = {snap['id'] for snap in snapshots_in(cloud, region)}
    assert not remaining & set(old_ids[1:])
    assert set(foreign_ids) | {old_ids[0]} <= remaining
    assert len(copies_in(cloud, region)) == 30 + 1 + 2  # the run's copies, the newest old one, two foreign copies

    # by age: every copy older than a day goes, never the newest copy of a disk, never a foreign one
    report = dr_run(cloud, dr_regions=[region], prune=True, max_copy_age_days=1)
    assert [record['snapshot_id'] for disk in report['disks'] for record in disk['pruned']] == [old_ids[0]]
    assert set(foreign_ids) <= {snap['id'] for snap in snapshots_in(cloud, region)}
    assert calls(cloud, 'DeleteSnapshots') == 3


def test_dr_run_never_prunes_a_copy_without_the_dr_marker_even_with_our_name(cloud):
    """A run stopped between CopySnapshotCrossRegions and TagResources leaves a copy with our default name and
    no tags. That name is also the copy module's: such a copy may be an archive copy a person made, so it
    carries nothing that only a DR run writes, and pruning leaves it (the safety contract, docs/safety.md;
    pruning once chose such copies by their name). Copies that carry the marker are pruned as before."""
    seeded = cloud.admin.seed(cbs={'disks': [{'region': SOURCE_REGION, 'tags': {'dr': 'yes'}, 'snapshots': 3}]})['cbs']
    disk_id, (oldest, older, dummy_newest) = seeded['disks'][0], seeded['snapshots']
    region = DR_REGIONS[0]
    cut_short = {
        'region': region,
        'is_copy': True,
        'source_snapshot_id': oldest,
        'source_region': SOURCE_REGION,
        'disk_id': disk_id,
        'name': 'snapcopy-%s-%s' % (SOURCE_REGION, oldest),
        'age_seconds': 2 * 86400,
    }
    by_hand = dict(cut_short, name='copied by hand')
    tagged = dict(
        cut_short,
        source_snapshot_id=older,
        name='snapcopy-%s-%s' % (SOURCE_REGION, older),
        age_seconds=86400,
        tags={SOURCE_TAG: '%s/%s' % (SOURCE_REGION, older), DISK_TAG: '%s/%s' % (SOURCE_REGION, disk_id)},
    )
    # An archive copy of the copy module: our source tag, not the DR marker.
    archive = dict(tagged, name='archive', tags={SOURCE_TAG: '%s/%s' % (SOURCE_REGION, older)}, age_seconds=3 * 86400)
    cut_short_id, by_hand_id, tagged_id, archive_id = cloud.admin.seed(
        cbs={'snapshots': [cut_short, by_hand, tagged, archive]}
    )['cbs']['snapshots']
    mark_as_dr_copies(cloud, region, [tagged_id])

    plan = dr_run(cloud, check_mode=True, dr_regions=[region], prune=True, keep_copies=1, wait=True)
    assert {record['snapshot_id'] for disk in plan['disks'] for record in disk['pruned']} == {tagged_id}

    report = dr_run(cloud, dr_regions=[region], prune=True, keep_copies=1, wait=True)
    assert not report['failures'] and report['totals']['copied'] == 1
    assert {record['snapshot_id'] for disk in report['disks'] for record in disk['pruned']} == {tagged_id}
    remaining = {snap['id'] for snap in snapshots_in(cloud, region)}
    assert tagged_id not in remaining and {cut_short_id, by_hand_id, archive_id} <= remaining


def test_dr_run_refreshes_a_stale_disk_and_copies_the_fresh_snapshot(cloud):
    stale = cloud.admin.seed(
        cbs={'disks': [{'region': SOURCE_REGION, 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': 10 * 3600}]}]}
    )['cbs']
    fresh_enough = seed_disks(cloud, 1, {'dr': 'yes'}, snapshots=1)
    # 10 hours old: read as UTC, Beijing time would make it 2 hours old, under the limit
    report = dr_run(cloud, max_snapshot_age_hours=3)
    by_disk = {disk['disk_id']: disk for disk in report['disks']}
    refreshed = by_disk[stale['disks'][0]]
    assert refreshed['fresh_snapshot']['action'] == 'created'
    assert refreshed['source_snapshot']['id'] == refreshed['fresh_snapshot']['id'] != stale['snapshots'][0]
    made_at = parse_time(refreshed['source_snapshot']['created'])
    assert abs((made_at - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60  # not 8 hours off
    assert by_disk[fresh_enough['disks'][0]]['fresh_snapshot'] is None
    assert report['totals']['fresh_snapshots'] == 1 and report['totals']['copied'] == 4
    (made,) = [snap for snap in snapshots_in(cloud, SOURCE_REGION) if snap['id'] == refreshed['fresh_snapshot']['id']]
    assert made['name'] == 'dr-fresh-' + stale['disks'][0] and 'snapcopy:fresh' in made['tags']
    # the rerun finds the fresh snapshot recent enough
    forget_calls(cloud)
    unanswered = dr_run(cloud, max_snapshot_age_hours=3)
    assert not unanswered['changed'] and mutating_calls(cloud) == 0


def test_a_fresh_snapshot_the_disk_is_too_busy_for_now_is_made_on_a_retry(cloud):
    """CreateSnapshot refused once with InvalidDisk.SnapshotCreating ("云硬盘正在创建快照，请稍后重试": a snapshot
    policy's snapshot in the making): the run's retry makes the fresh snapshot and copies it, where it failed the disk."""
    stale = cloud.admin.seed(
        cbs={'disks': [{'region': SOURCE_REGION, 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': 10 * 3600}]}]}
    )['cbs']
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'cbs',
                'action': 'CreateSnapshot',
                'error_rate': 1.0,
                'error_code': 'InvalidDisk.SnapshotCreating',
                'count': 1,
            }
        ]
    )
    report = dr_run(cloud, max_snapshot_age_hours=3)
    (disk,) = [disk for disk in report['disks'] if disk['disk_id'] == stale['disks'][0]]
    assert disk['fresh_snapshot']['action'] == 'created' and not report['failures'], report['failures']
    assert calls(cloud, 'CreateSnapshot') == 2


def test_dr_run_reports_a_broken_dr_region_and_copies_to_the_others(cloud):
    created = seed_disks(cloud, 3, {'dr': 'yes'}, snapshots=1)
    cloud.admin.faults({'broken_regions': {'cbs': [DR_REGIONS[1]]}})
    report = dr_run(cloud, wait=False, wait_timeout=3)
    assert report['totals']['without_dr_copy'] == 3
    assert all(disk['missing_regions'] == [DR_REGIONS[1]] for disk in report['disks'])
    assert len(report['failures']) == 3 and all(
        'InternalError.ComponentError' in failure for failure in report['failures']
    )
    assert {snap['source_snapshot_id'] for snap in copies_in(cloud, DR_REGIONS[0])} == set(created['snapshots'])
    assert not copies_in(cloud, DR_REGIONS[1])


def test_a_copy_the_cloud_dropped_is_no_copy_on_every_surface_and_the_next_run_makes_one(cloud):
    """Tencent Cloud keeps no failed copy: one that fails vanishes from DescribeSnapshots. The run fails its disk there,
    and no surface may count the region covered: not the copy's standing, the disk's missing regions, the totals nor the
    posture (the cloud's word for the copy is the run's own, "vanished", not one of the clouds' failed states). Nothing is
    left to delete: the next run copies again."""
    created = seed_disks(cloud, 1, {'dr': 'yes'}, snapshots=1)
    cloud.admin.faults(failing_copies={'cbs': {'regions': [DR_REGIONS[0]]}})
    report = dr_run(cloud, wait=True)
    (disk,) = report['disks']
    copies = {copy['region']: copy for copy in disk['copies']}
    assert copies[DR_REGIONS[0]]['state'] == 'vanished' and copies[DR_REGIONS[0]]['standing'] == 'no_copy'
    assert copies[DR_REGIONS[1]]['standing'] == 'within_rpo'
    assert disk['missing_regions'] == [DR_REGIONS[0]]
    assert report['totals']['without_dr_copy'] == 1
    (failure,) = report['failures']
    assert 'vanished' in failure and 'the next run' in failure and 'delete it' not in failure
    assert not copies_in(cloud, DR_REGIONS[0])

    cloud.admin.faults({})
    again = dr_run(cloud, wait=True)
    assert not again['failures'] and again['totals']['copied'] == 1 and again['totals']['without_dr_copy'] == 0
    assert [snap['source_snapshot_id'] for snap in copies_in(cloud, DR_REGIONS[0])] == created['snapshots']
