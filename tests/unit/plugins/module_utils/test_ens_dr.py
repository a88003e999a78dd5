"""How ENS copies are known as ours without tags, and a DR run on ENS end to end.

ENS snapshots carry no tags (its tag API takes instances only; DescribeSnapshots answers none),
so the copy call writes a marker at the end of each copy's description, and a copy is ours when
that marker names the source that ENS's own link (SourceSnapshotId, SourceEnsRegionId) names.
These tests drive the real aliyun SDK against fakecloud over HTTP and assert on the emulator's
state and its count of calls per action.
"""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError, is_retryable
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    DISK_TAG,
    RESTORE_TESTED_TAG,
    SOURCE_TAG,
    description_marker,
    marked_description,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import COPIED, EXISTING, EngineConfig
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with

SOURCE_NODE = 'cn-hangzhou-26'
NODE_A = 'cn-beijing-cmcc'
NODE_B = 'cn-suzhou-telecom'
NODES = [NODE_A, NODE_B]
MUTATING_ACTIONS = {'CreateSnapshot', 'CopySnapshot', 'DeleteSnapshot', 'TagResources', 'UntagResources'}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={'ens': {'snapshot_seconds': 0.5, 'copy_seconds': 0.5}})
    return fakecloud_clean


def adapter_for(cloud):
    return EnsAdapter.from_connection(
        {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'alicloud_security_token': None,
            'endpoint_url': cloud.url,
            'validate_certs': True,
            'connect_timeout': 5,
            'read_timeout': 10,
        }
    )


def engine(adapter, check_mode=False):
    return CopyEngine(
        adapter,
        EngineConfig(check_mode=check_mode, timeout=30, poll_interval=0.2),
        backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05),
    )


def calls(cloud, action):
    return cloud.admin.calls()['calls'].get('ens', {}).get(action, {}).get('calls', 0)


def mutating_calls(cloud):
    """Every call of an action that can change something, whether or not it did."""
    counted = cloud.admin.calls()
    return sum(
        counts['calls'] for action, counts in counted['calls'].get('ens', {}).items() if action in MUTATING_ACTIONS
    )


def snapshots_in(cloud, node):
    return cloud.admin.state(cloud='ens', region=node)['ens'].get(node, {}).get('snapshots', [])


def descriptions_of(cloud, node):
    return {snapshot['id']: snapshot['description'] for snapshot in snapshots_in(cloud, node)}


def seed_source(cloud):
    return cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 1}]})['ens']['snapshots'][0]


def request(source_id, nodes=None, **options):
    return CopyRequest(source_id, SOURCE_NODE, list(nodes or NODES), options)


def source_tag(source_id):
    return '%s/%s' % (SOURCE_NODE, source_id)


def marker(source_id, disk=None):
    tags = {SOURCE_TAG: source_tag(source_id)}
    if disk:
        tags[DISK_TAG] = disk
    return description_marker(tags)


# ---------------------------------------------------------------------- the marker, written by the copy call
def test_the_copy_call_writes_the_marker_and_nothing_is_tagged(cloud):
    source = seed_source(cloud)
    made = adapter_for(cloud).start_copy(request(source, tags={DISK_TAG: 'cn-hangzhou-26/d-1', 'team': 7}), NODES)
    wanted = {SOURCE_TAG: source_tag(source), DISK_TAG: 'cn-hangzhou-26/d-1'}
    assert all(made[node].tags == wanted for node in NODES)
    expected = '[snapcopy source=%s disk=cn-hangzhou-26/d-1]' % source_tag(source)
    assert all(descriptions_of(cloud, node)[made[node].id] == expected for node in NODES)
    assert cloud.admin.calls()['mutating']['ens'] == {'CopySnapshot': 1}
    assert calls(cloud, 'TagResources') == 0


def test_the_marker_follows_the_users_description_and_both_must_fit(cloud):
    source = seed_source(cloud)
    made = adapter_for(cloud).start_copy(request(source, [NODE_A], description='nightly DR copy'), [NODE_A])[NODE_A]
    assert descriptions_of(cloud, NODE_A)[made.id] == 'nightly DR copy ' + marker(source)
    (listed,) = adapter_for(cloud).list_copies(NODE_A)
    assert listed.description == 'nightly DR copy' and listed.tags == {SOURCE_TAG: source_tag(source)}
    room = 256 - len(marker('sp-abc123')) - 1
    EnsAdapter(client=None).validate(request('sp-abc123', description='x' * room))
    with pytest.raises(InputError) as info:
        EnsAdapter(client=None).validate(request('sp-abc123', description='x' * (room + 1)))
    assert info.value.option == 'description' and 'at most %d characters' % room in info.value.message


def test_a_mark_that_fills_the_description_to_ens_limit_is_written_and_one_more_character_is_refused(cloud):
    """ENS keeps a copy's marks in its description, up to 256 characters (ModifySnapshotAttributeRequest; fakecloud
    refuses more). A drill's mark that fills it exactly is written; one that would pass it fails before any call, with
    the copy and the limit named, and the description stays as it was."""
    mark = {RESTORE_TESTED_TAG: '2026-11-28T00:00:00Z'}
    source = seed_source(cloud)
    with_mark = len(marked_description('', dict({SOURCE_TAG: source_tag(source)}, **mark)))
    adapter = adapter_for(cloud)
    for node, length in ((NODE_A, 256 - 1 - with_mark), (NODE_B, 256 - with_mark)):
        adapter.start_copy(request(source, [node], description='x' * length), [node])
    (fits,) = adapter.list_copies(NODE_A)
    (too_long,) = adapter.list_copies(NODE_B)
    adapter.tag_copy(fits, mark)
    assert len(descriptions_of(cloud, NODE_A)[fits.id]) == 256
    (listed,) = adapter.list_copies(NODE_A)
    assert listed.tags[RESTORE_TESTED_TAG] == mark[RESTORE_TESTED_TAG]
    before, sent = descriptions_of(cloud, NODE_B), calls(cloud, 'ModifySnapshotAttribute')
    with pytest.raises(CloudError) as info:
        adapter.tag_copy(too_long, mark)
    assert info.value.code == 'DescriptionTooLong' and too_long.id in info.value.message and '256' in info.value.message
    assert descriptions_of(cloud, NODE_B) == before and calls(cloud, 'ModifySnapshotAttribute') == sent


@pytest.mark.parametrize('made', [None, [], [''], '', [None]])
def test_a_create_snapshot_answer_that_names_no_snapshot_is_an_error_with_the_request_id(cloud, made):
    """ENS answers a new snapshot's id in a list, SnapShotId (ens-20171110 CreateSnapshotResponseBody). An answer that
    names none (here a canned one) is the cloud's error, never a snapshot without an id: the run says to look on the
    node before trying again, with the answer's request id."""
    answer = {'RequestId': 'canned-1'} if made is None else {'RequestId': 'canned-1', 'SnapShotId': made}
    cloud.admin.faults({'answers': [{'cloud': 'ens', 'action': 'CreateSnapshot', 'answer': answer}]})
    with pytest.raises(CloudError) as info:
        adapter_for(cloud).create_snapshot(SOURCE_NODE, Disk('d-1', SOURCE_NODE), 'nightly', None, None)
    assert (info.value.code, info.value.request_id) == ('InvalidResponse', 'canned-1')
    assert 'look for it on node %s' % SOURCE_NODE in info.value.message


def test_our_source_tag_is_ours_to_set():
    with pytest.raises(InputError, match='tags'):
        EnsAdapter(client=None).validate(request('sp-abc123', tags={SOURCE_TAG: 'x'}))
    EnsAdapter(client=None).validate(request('sp-abc123', tags={DISK_TAG: 'cn-hangzhou-26/d-1'}))
    with pytest.raises(InputError, match='instance_billing_cycle'):
        EnsAdapter(client=None).validate(request('sp-abc123', instance_billing_cycle='Week'))


# ---------------------------------------------------------------------- finding copies
def test_a_copy_of_the_source_without_the_marker_is_found_and_not_copied_again(cloud):
    """Made by hand, or by 0.1.0 (which tried to tag snapshots): found by ENS's link, never written to."""
    source = seed_source(cloud)
    (foreign,) = cloud.admin.seed(
        ens={
            'snapshots': [
                {
                    'region': NODE_A,
                    'source_snapshot_id': source,
                    'source_region': SOURCE_NODE,
                    'tags': {SOURCE_TAG: source_tag(source)},
                }
            ]
        }
    )['ens']['snapshots']
    outcome = engine(adapter_for(cloud)).run([request(source, [NODE_A])])[0]
    assert outcome.destinations[NODE_A].action == EXISTING and outcome.destinations[NODE_A].snapshot.id == foreign
    assert mutating_calls(cloud) == 0
    assert adapter_for(cloud).list_copies(NODE_A) == []  # not provably ours: never pruned


def test_a_copy_being_deleted_is_no_copy(cloud):
    """ENS Status "deleting": the copy is on its way out, so a new one is made."""
    source = seed_source(cloud)
    (going,) = cloud.admin.seed(
        ens={
            'snapshots': [
                {
                    'region': NODE_A,
                    'source_snapshot_id': source,
                    'source_region': SOURCE_NODE,
                    'description': marker(source),
                    'status': 'deleting',
                }
            ]
        }
    )['ens']['snapshots']
    outcome = engine(adapter_for(cloud)).run([request(source, [NODE_A])])[0]
    destination_outcome = outcome.destinations[NODE_A]
    assert destination_outcome.action == COPIED and destination_outcome.snapshot.id != going and not outcome.failed
    assert calls(cloud, 'CopySnapshot') == 1


def test_find_copies_reads_each_node_once_for_many_sources(cloud):
    sources = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 1} for dummy in range(60)]})['ens'][
        'snapshots'
    ]
    cloud.admin.seed(
        ens={
            'snapshots': [
                {
                    'region': NODE_A,
                    'source_snapshot_id': source,
                    'source_region': SOURCE_NODE,
                    'description': marker(source),
                }
                for source in sources
            ]
        }
    )
    cloud.admin.calls(reset=True)
    found = adapter_for(cloud).find_copies(NODE_A, [request(source, [NODE_A]) for source in sources])
    assert len(found) == 60 and all(copies[0].tags == {SOURCE_TAG: tag} for tag, copies in found.items())
    assert calls(cloud, 'DescribeSnapshots') == 1 and mutating_calls(cloud) == 0


# ---------------------------------------------------------------------- list_copies: what pruning may touch
def test_list_copies_returns_only_copies_whose_marker_agrees_with_the_link(cloud):
    source = seed_source(cloud)
    adapter = adapter_for(cloud)
    ours = adapter.start_copy(request(source, [NODE_A]), [NODE_A])[NODE_A]
    foreign = cloud.admin.seed(
        ens={
            'snapshots': [
                {
                    'region': NODE_A,
                    'source_snapshot_id': 'sp-byhand01',
                    'source_region': SOURCE_NODE,
                },  # someone else's copy
                {
                    'region': NODE_A,
                    'source_snapshot_id': 'sp-byhand02',
                    'source_region': SOURCE_NODE,  # a marker its link contradicts
                    'description': marker('sp-other03'),
                },
                {
                    'region': NODE_A,
                    'source_snapshot_id': 'sp-byhand04',
                    'source_region': NODE_B,  # copied from another node
                    'description': marker('sp-byhand04'),
                },
                {'region': NODE_A, 'description': marker(source)},  # no copy at all
                {
                    'region': NODE_A,
                    'source_snapshot_id': 'sp-byhand05',
                    'source_region': SOURCE_NODE,  # the marker not at the end
                    'description': marker('sp-byhand05') + ' edited by hand',
                },
            ]
        }
    )['ens']['snapshots']
    assert len(foreign) == 5
    listed = adapter.list_copies(NODE_A)
    assert [copy.id for copy in listed] == [ours.id]
    assert listed[0].tags == {SOURCE_TAG: source_tag(source)} and listed[0].created


def test_list_copies_reads_many_copies_in_pages_and_nothing_else(cloud):
    cloud.admin.seed(
        ens={
            'snapshots': [
                {
                    'region': NODE_A,
                    'source_snapshot_id': 'sp-src%04d' % number,
                    'source_region': SOURCE_NODE,
                    'description': marker('sp-src%04d' % number, 'x/d-%d' % number),
                }
                for number in range(120)
            ]
        }
    )
    cloud.admin.calls(reset=True)
    copies = adapter_for(cloud).list_copies(NODE_A)
    assert len(copies) == 120 and all(copy.tags[DISK_TAG] for copy in copies)
    assert calls(cloud, 'DescribeSnapshots') == 2 and calls(cloud, 'ListTagResources') == 0


# ---------------------------------------------------------------------- a DR run on ENS
def params(**overrides):
    base = {
        'provider': 'ens',
        'source_region': SOURCE_NODE,
        'dr_regions': list(NODES),
        'tag_selector': {'dr': 'yes'},
        'name_template': 'dr-{disk_id}',
        'description_template': None,
        'snapshot_name_template': 'fresh-{disk_id}',
        'tags': None,
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
    return dr_run_with(adapter_for(cloud), params(**overrides), check_mode=check_mode)


@pytest.fixture
def estate(cloud):
    """12 tagged disks with two snapshots each (the newest an hour old), and 3 untagged ones."""
    tagged = cloud.admin.seed(
        ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'yes'}, 'snapshots': 2} for dummy in range(12)]}
    )['ens']
    untagged = cloud.admin.seed(
        ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'no'}, 'snapshots': 1} for dummy in range(3)]}
    )['ens']
    return {'tagged': tagged, 'untagged': untagged}


def copies_in(cloud, node):
    return [snapshot for snapshot in snapshots_in(cloud, node) if snapshot['source_snapshot_id']]


def test_dr_run_plans_copies_marks_them_and_reruns_without_change(cloud, estate):
    cloud.admin.calls(reset=True)
    plan = dr_run(cloud, check_mode=True)
    assert mutating_calls(cloud) == 0
    assert plan['totals']['would_copy'] == 24 and plan['totals']['disks'] == 12 and not plan['failures']

    report = dr_run(cloud)
    assert report['totals']['copied'] == 24 and not report['failures']
    assert all(copy['state'] == 'available' for disk in report['disks'] for copy in disk['copies'])
    # read again while waiting, the copies show what their marker says
    assert all(
        copy['tags'][SOURCE_TAG] == source_tag(disk['source_snapshot']['id'])
        for disk in report['disks']
        for copy in disk['copies']
    )
    # one CopySnapshot per disk serves both nodes, and nothing else is written
    assert cloud.admin.calls()['mutating']['ens'] == {'CopySnapshot': 12}
    for node in NODES:
        copies = copies_in(cloud, node)
        assert len(copies) == 12
        assert {copy['description'] for copy in copies} == {
            marker(source, '%s/%s' % (SOURCE_NODE, disk_id))
            for disk_id, source in zip(estate['tagged']['disks'], estate['tagged']['snapshots'][1::2])
        }

    cloud.admin.calls(reset=True)
    unanswered = dr_run(cloud)
    assert not unanswered['changed'] and unanswered['totals']['existing'] == 24 and mutating_calls(cloud) == 0


def test_dr_run_prunes_its_own_copies_only(cloud, estate):
    dr_run(cloud, dr_regions=[NODE_A])
    disk_id = estate['tagged']['disks'][0]
    disk_tag = '%s/%s' % (SOURCE_NODE, disk_id)
    old = [
        {
            'region': NODE_A,
            'source_snapshot_id': 'sp-old%05d' % days,
            'source_region': SOURCE_NODE,
            'disk_id': disk_id,
            'age_seconds': days * 86400,
            'description': marker('sp-old%05d' % days, disk_tag),
        }
        for days in (3, 6, 9)
    ]
    foreign = [
        # a copy of the same disk made by hand (or by 0.1.0, with tags ENS does not keep): no marker
        {
            'region': NODE_A,
            'source_snapshot_id': estate['tagged']['snapshots'][0],
            'source_region': SOURCE_NODE,
            'disk_id': disk_id,
            'age_seconds': 20 * 86400,
            'tags': {SOURCE_TAG: source_tag(estate['tagged']['snapshots'][0])},
        },
        # a copy that names the disk, but whose marker its link contradicts
        {
            'region': NODE_A,
            'source_snapshot_id': 'sp-byhand01',
            'source_region': SOURCE_NODE,
            'disk_id': disk_id,
            'age_seconds': 20 * 86400,
            'description': marker('sp-someother', disk_tag),
        },
    ]
    ids = cloud.admin.seed(ens={'snapshots': old + foreign})['ens']['snapshots']
    old_ids, foreign_ids = ids[:3], ids[3:]

    cloud.admin.calls(reset=True)
    plan = dr_run(cloud, check_mode=True, dr_regions=[NODE_A], prune=True, keep_copies=2)
    assert mutating_calls(cloud) == 0
    assert {record['snapshot_id'] for disk in plan['disks'] for record in disk['pruned']} == set(old_ids[1:])

    report = dr_run(cloud, dr_regions=[NODE_A], prune=True, keep_copies=2)
    assert report['totals']['pruned'] == 2 and not report['failures']
    remaining = {snapshot['id'] for snapshot in snapshots_in(cloud, NODE_A)}
    assert not remaining & set(old_ids[1:]) and set(foreign_ids) | {old_ids[0]} <= remaining

    report = dr_run(cloud, dr_regions=[NODE_A], prune=True, max_copy_age_days=1)
    assert [record['snapshot_id'] for disk in report['disks'] for record in disk['pruned']] == [old_ids[0]]
    assert set(foreign_ids) <= {snapshot['id'] for snapshot in snapshots_in(cloud, NODE_A)}
    assert calls(cloud, 'DeleteSnapshot') == 3


def test_dr_run_reports_a_node_that_refuses_copies_and_copies_to_the_other(cloud, estate):
    cloud.admin.faults({'broken_regions': {'ens': [NODE_B]}})
    report = dr_run(cloud, wait=False)
    assert report['totals']['without_dr_copy'] == 12 and report['totals']['copied'] == 12
    assert all(disk['missing_regions'] == [NODE_B] for disk in report['disks'])
    assert all('PartSuccess' in failure for failure in report['failures'])
    assert len(copies_in(cloud, NODE_A)) == 12 and not copies_in(cloud, NODE_B)
    assert all(copy['description'].startswith('[snapcopy source=') for copy in copies_in(cloud, NODE_A))


@pytest.mark.parametrize('count', [101, 100])
def test_find_disks_reads_every_page_of_a_node_with_more_disks_than_a_page(cloud, count):
    """ENS DescribeDisks' TotalCount is the number of pages (ens-20171110 model), so a pager that stops at
    page * PageSize >= TotalCount reads 50 disks of a node that has more: every disk must be found, at a page
    boundary (100, two full pages and a short empty one) and beyond it (101)."""
    seeded = cloud.admin.seed(
        ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'yes'}} for dummy in range(count)]}
    )['ens']
    cloud.admin.calls(reset=True)
    found = adapter_for(cloud).find_disks(SOURCE_NODE, {'dr': 'yes'})
    assert sorted(disk.id for disk in found) == sorted(seeded['disks'])
    assert calls(cloud, 'DescribeDisks') == count // 50 + 1
