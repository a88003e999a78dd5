"""ENS copies carry our tags, and a DR run on ENS end to end.

ENS's CopySnapshot takes no tags, so the adapter tags the copies it makes with TagResources
and reads tags with ListTagResources (DescribeSnapshots answers none on the real cloud).
These tests drive the real aliyun SDK against fakecloud over HTTP and assert on the
emulator's state and its count of calls per action. fakecloud's DescribeSnapshots adds the
tags to its answer; the adapters here drop them, as the real answer has none, so every tag the
adapter knows comes from ListTagResources.
"""
from __future__ import annotations

import pytest

from fakecloud import credentials

from ansible_collections.snapcopy.cloud.plugins.module_utils._alibaba import listed
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import CopyNotTaggedError
from ansible_collections.snapcopy.cloud.plugins.module_utils._backoff import Backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils._engine import COPIED, EXISTING, CopyEngine, DestinationOutcome
from ansible_collections.snapcopy.cloud.plugins.module_utils._ens import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import InputError, is_retryable
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import DISK_TAG, SOURCE_TAG, CopyRequest

SOURCE_NODE = 'cn-hangzhou-26'
NODE_A = 'cn-beijing-cmcc'
NODE_B = 'cn-suzhou-telecom'
NODES = [NODE_A, NODE_B]
MUTATING_ACTIONS = {'CreateSnapshot', 'CopySnapshot', 'DeleteSnapshot', 'TagResources', 'UntagResources'}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={'ens': {'snapshot_seconds': 0.5, 'copy_seconds': 0.5}})
    return fakecloud_clean


class WithoutDescribedTags:
    """The client, with DescribeSnapshots answering no tags, as the real ENS does."""

    def __init__(self, client):
        self.client = client
        self.connection = client.connection

    def call(self, action, params, region=None):
        answer = self.client.call(action, params, region)
        if action == 'DescribeSnapshots':
            for item in listed(answer, 'Snapshots', 'Snapshot'):
                item.pop('Tags', None)
        return answer


def adapter_for(cloud, check_mode=False):
    adapter = EnsAdapter.from_connection({
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID, 'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'alicloud_security_token': None, 'endpoint_url': cloud.url, 'validate_certs': True,
        'connect_timeout': 5, 'read_timeout': 10}, check_mode=check_mode)
    adapter.client = WithoutDescribedTags(adapter.client)
    return adapter


def engine(adapter, check_mode=False):
    return CopyEngine(adapter, check_mode=check_mode, timeout=30, poll_interval=0.2,
                      backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05))


def calls(cloud, action):
    return cloud.admin.calls()['calls'].get('ens', {}).get(action, {}).get('calls', 0)


def mutating_calls(cloud):
    """Every call of an action that can change something, whether or not it did."""
    counted = cloud.admin.calls()
    return sum(counts['calls'] for action, counts in counted['calls'].get('ens', {}).items() if action in MUTATING_ACTIONS)


def snapshots_in(cloud, node):
    return cloud.admin.state(cloud='ens', region=node)['ens'].get(node, {}).get('snapshots', [])


def tags_of(cloud, node):
    return {snapshot['id']: snapshot['tags'] for snapshot in snapshots_in(cloud, node)}


def seed_source(cloud):
    return cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 1}]})['ens']['snapshots'][0]


def request(source_id, nodes=None, **options):
    return CopyRequest(source_id, SOURCE_NODE, list(nodes or NODES), options)


def source_tag(source_id):
    return '%s/%s' % (SOURCE_NODE, source_id)


# ---------------------------------------------------------------------- tagging the copies made
def test_the_copies_of_one_call_are_tagged_in_one_call(cloud):
    source = seed_source(cloud)
    made = adapter_for(cloud).start_copy(request(source, tags={DISK_TAG: 'cn-hangzhou-26/d-1', 'team': 7}), NODES)
    wanted = {SOURCE_TAG: source_tag(source), DISK_TAG: 'cn-hangzhou-26/d-1', 'team': '7'}
    assert all(made[node].tags == wanted for node in NODES)
    assert all(tags_of(cloud, node)[made[node].id] == wanted for node in NODES)
    assert calls(cloud, 'CopySnapshot') == 1 and calls(cloud, 'TagResources') == 1


def test_tag_resources_takes_fifty_copies_a_call(cloud):
    nodes = ['cn-edge-%02d' % number for number in range(60)]
    cloud.admin.seed(ens={'regions': nodes})
    source = seed_source(cloud)
    made = adapter_for(cloud).start_copy(request(source, nodes), nodes)
    assert sorted(made) == sorted(nodes)
    assert calls(cloud, 'TagResources') == 2
    assert all(tags_of(cloud, node)[made[node].id] == {SOURCE_TAG: source_tag(source)} for node in nodes)


def test_a_passing_tagging_failure_is_finished_by_the_look_up_never_by_a_second_copy(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'rules': [{'cloud': 'ens', 'action': 'TagResources', 'error_rate': 1.0, 'count': 1}]})
    # check_mode not given (as dr_sync builds it today): the copies this adapter made are still tagged
    adapter = adapter_for(cloud, check_mode=None)
    outcome = engine(adapter).run([request(source)])[0]
    assert not outcome.failed
    assert [outcome.destinations[node].action for node in NODES] == [COPIED, COPIED]
    # the refused TagResources changed nothing; the engine then looks each node up, which tags its copy
    assert cloud.admin.calls()['mutating']['ens'] == {'CopySnapshot': 1, 'TagResources': 2}
    assert calls(cloud, 'TagResources') == 3
    for node in NODES:
        assert tags_of(cloud, node) == {outcome.destinations[node].snapshot.id: {SOURCE_TAG: source_tag(source)}}


def test_a_lasting_tagging_failure_keeps_the_copy_id_and_a_rerun_tags_the_copy(cloud):
    source = seed_source(cloud)
    adapter = adapter_for(cloud)
    # A key the tag API refuses (the engine's validation would stop it; here it stands for any refusal).
    made = adapter.start_copy(request(source, [NODE_A], tags={'acs:reserved': 'x'}), [NODE_A])[NODE_A]
    assert isinstance(made, CopyNotTaggedError) and made.kind != 'retryable'
    (copy_id,) = [snapshot['id'] for snapshot in snapshots_in(cloud, NODE_A)]
    assert made.as_result()['snapshot_id'] == copy_id and copy_id in str(made)
    place = DestinationOutcome(NODE_A)
    place.error = made
    assert place.as_result()['error']['snapshot_id'] == copy_id

    rerun = engine(adapter_for(cloud)).run([request(source, [NODE_A])])[0]
    assert rerun.destinations[NODE_A].action == EXISTING and rerun.destinations[NODE_A].snapshot.id == copy_id
    assert tags_of(cloud, NODE_A)[copy_id] == {SOURCE_TAG: source_tag(source)}
    assert calls(cloud, 'CopySnapshot') == 1


def test_our_source_tag_is_ours_to_set():
    with pytest.raises(InputError, match='tags'):
        EnsAdapter(client=None).validate(request('sp-abc123', tags={SOURCE_TAG: 'x'}))
    EnsAdapter(client=None).validate(request('sp-abc123', tags={DISK_TAG: 'cn-hangzhou-26/d-1'}))


# ---------------------------------------------------------------------- finding copies
def test_an_untagged_copy_of_the_source_is_adopted_and_tagged_outside_check_mode_only(cloud):
    source = seed_source(cloud)
    (foreign,) = cloud.admin.seed(ens={'snapshots': [{'region': NODE_A, 'source_snapshot_id': source,
                                                      'source_region': SOURCE_NODE}]})['ens']['snapshots']
    wanted = request(source, [NODE_A], tags={DISK_TAG: 'cn-hangzhou-26/d-1'})
    for check_mode in (True, None):  # None: the caller did not say, so nothing is written
        found = adapter_for(cloud, check_mode=check_mode).find_copies(NODE_A, [wanted])
        assert [copy.id for copy in found[source_tag(source)]] == [foreign] and found[source_tag(source)][0].tags == {}
    assert mutating_calls(cloud) == 0

    found = adapter_for(cloud).find_copies(NODE_A, [wanted])
    wanted_tags = {SOURCE_TAG: source_tag(source), DISK_TAG: 'cn-hangzhou-26/d-1'}
    assert found[source_tag(source)][0].tags == wanted_tags and tags_of(cloud, NODE_A)[foreign] == wanted_tags
    cloud.admin.calls(reset=True)
    adapter_for(cloud).find_copies(NODE_A, [wanted])
    assert mutating_calls(cloud) == 0  # tagged once, then left alone


def test_find_copies_reads_tags_in_batches(cloud):
    sources = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 1} for dummy in range(60)]})['ens']['snapshots']
    cloud.admin.seed(ens={'snapshots': [{'region': NODE_A, 'source_snapshot_id': source, 'source_region': SOURCE_NODE,
                                         'tags': {SOURCE_TAG: source_tag(source)}} for source in sources]})
    cloud.admin.calls(reset=True)
    found = adapter_for(cloud).find_copies(NODE_A, [request(source, [NODE_A]) for source in sources])
    assert len(found) == 60 and all(copies[0].tags == {SOURCE_TAG: tag} for tag, copies in found.items())
    assert calls(cloud, 'ListTagResources') == 2 and mutating_calls(cloud) == 0


# ---------------------------------------------------------------------- list_copies: what pruning may touch
def test_list_copies_returns_only_copies_that_carry_our_source_tag(cloud):
    source = seed_source(cloud)
    adapter = adapter_for(cloud)
    ours = adapter.start_copy(request(source, [NODE_A]), [NODE_A])[NODE_A]
    foreign = cloud.admin.seed(ens={'snapshots': [
        {'region': NODE_A, 'source_snapshot_id': 'sp-byhand01', 'source_region': SOURCE_NODE},  # someone else's copy
        {'region': NODE_A, 'source_snapshot_id': 'sp-byhand02', 'source_region': SOURCE_NODE,  # a tag its link contradicts
         'tags': {SOURCE_TAG: source_tag('sp-other03')}},
        {'region': NODE_A, 'source_snapshot_id': 'sp-byhand04', 'source_region': NODE_B,  # copied from another node
         'tags': {SOURCE_TAG: source_tag('sp-byhand04')}},
        {'region': NODE_A, 'tags': {SOURCE_TAG: source_tag(source)}},  # no copy at all
    ]})['ens']['snapshots']
    assert len(foreign) == 4
    listed = adapter.list_copies(NODE_A)
    assert [copy.id for copy in listed] == [ours.id]
    assert listed[0].tags == {SOURCE_TAG: source_tag(source)} and listed[0].created


def test_list_copies_pages_through_the_tags_of_many_copies(cloud):
    cloud.admin.seed(ens={'snapshots': [{'region': NODE_A, 'source_snapshot_id': 'sp-src%04d' % number, 'source_region': SOURCE_NODE,
                                         'tags': {SOURCE_TAG: source_tag('sp-src%04d' % number), DISK_TAG: 'x/d-%d' % number}}
                                        for number in range(120)]})
    cloud.admin.calls(reset=True)
    copies = adapter_for(cloud, check_mode=None).list_copies(NODE_A)
    assert len(copies) == 120 and all(copy.tags[DISK_TAG] for copy in copies)
    # 50 ids a call; each copy has two tags and the emulator answers 50 rows a page: 2 + 2 + 1 pages
    assert calls(cloud, 'ListTagResources') == 5 and calls(cloud, 'DescribeSnapshots') == 2


# ---------------------------------------------------------------------- a DR run on ENS
def params(**overrides):
    base = {
        'provider': 'ens', 'source_region': SOURCE_NODE, 'dr_regions': list(NODES), 'tag_selector': {'dr': 'yes'},
        'name_template': 'dr-{disk_id}', 'description_template': None, 'snapshot_name_template': 'fresh-{disk_id}',
        'tags': None, 'encrypted': None, 'kms_key_id': None, 'retention_days': None, 'instance_billing_cycle': None,
        'max_snapshot_age_hours': None, 'prune': False, 'keep_copies': None, 'max_copy_age_days': None, 'max_in_flight': None,
        'wait': True, 'wait_timeout': 60, 'poll_interval': 0.1,
    }
    base.update(overrides)
    return base


def dr_run(cloud, check_mode=False, **overrides):
    return DrRun(adapter_for(cloud, check_mode=check_mode), dr_settings(params(**overrides)), check_mode=check_mode).run()


@pytest.fixture
def estate(cloud):
    """12 tagged disks with two snapshots each (the newest an hour old), and 3 untagged ones."""
    tagged = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'yes'}, 'snapshots': 2}
                                             for dummy in range(12)]})['ens']
    untagged = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'tags': {'dr': 'no'}, 'snapshots': 1}
                                               for dummy in range(3)]})['ens']
    return {'tagged': tagged, 'untagged': untagged}


def copies_in(cloud, node):
    return [snapshot for snapshot in snapshots_in(cloud, node) if snapshot['source_snapshot_id']]


def test_dr_run_plans_copies_tags_them_and_reruns_without_change(cloud, estate):
    cloud.admin.calls(reset=True)
    plan = dr_run(cloud, check_mode=True)
    assert mutating_calls(cloud) == 0
    assert plan['totals']['would_copy'] == 24 and plan['totals']['disks'] == 12 and not plan['failures']

    report = dr_run(cloud)
    assert report['totals']['copied'] == 24 and not report['failures']
    assert all(copy['state'] == 'available' for disk in report['disks'] for copy in disk['copies'])
    # read again while waiting, the copies keep the tags set on them
    assert all(copy['tags'][SOURCE_TAG] == source_tag(disk['source_snapshot']['id'])
               for disk in report['disks'] for copy in disk['copies'])
    # one CopySnapshot and one TagResources per disk serve both nodes
    assert cloud.admin.calls()['mutating']['ens'] == {'CopySnapshot': 12, 'TagResources': 12}
    disk_tags = {'%s/%s' % (SOURCE_NODE, disk_id) for disk_id in estate['tagged']['disks']}
    for node in NODES:
        copies = copies_in(cloud, node)
        assert len(copies) == 12 and {copy['tags'][DISK_TAG] for copy in copies} == disk_tags
        assert all(copy['tags'][SOURCE_TAG] == source_tag(copy['source_snapshot_id']) for copy in copies)

    cloud.admin.calls(reset=True)
    again = dr_run(cloud)
    assert not again['changed'] and again['totals']['existing'] == 24 and mutating_calls(cloud) == 0


def test_dr_run_prunes_its_own_copies_only(cloud, estate):
    dr_run(cloud, dr_regions=[NODE_A])
    disk_id = estate['tagged']['disks'][0]
    disk_tag = '%s/%s' % (SOURCE_NODE, disk_id)
    old = [{'region': NODE_A, 'source_snapshot_id': 'sp-old%05d' % days, 'source_region': SOURCE_NODE, 'disk_id': disk_id,
            'age_seconds': days * 86400, 'tags': {SOURCE_TAG: source_tag('sp-old%05d' % days), DISK_TAG: disk_tag}}
           for days in (3, 6, 9)]
    foreign = [
        # a copy of the same disk made by hand: no tag
        {'region': NODE_A, 'source_snapshot_id': estate['tagged']['snapshots'][0], 'source_region': SOURCE_NODE,
         'disk_id': disk_id, 'age_seconds': 20 * 86400},
        # a copy that names the disk, but whose source tag its link contradicts
        {'region': NODE_A, 'source_snapshot_id': 'sp-byhand01', 'source_region': SOURCE_NODE, 'disk_id': disk_id,
         'age_seconds': 20 * 86400, 'tags': {SOURCE_TAG: source_tag('sp-someother'), DISK_TAG: disk_tag}},
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
    assert all(SOURCE_TAG in copy['tags'] for copy in copies_in(cloud, NODE_A))
