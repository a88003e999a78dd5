"""The ENS adapter and the engine, driving the real aliyun SDK against fakecloud over HTTP.

ENS copies to many nodes in one call, with no idempotency token: these tests check that each
node gets exactly one copy whatever goes wrong, asserting on the emulator's state and calls.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens import build_ens_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError, is_retryable
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    EXISTING,
    NOT_COPIED,
    WOULD_COPY,
    EngineConfig,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import run_copy_module
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.input_rules import accepted

SOURCE_NODE = 'cn-hangzhou-26'
NODE_A = 'cn-beijing-cmcc'
NODE_B = 'cn-suzhou-telecom'
NODES = [NODE_A, NODE_B]


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={'ens': {'snapshot_seconds': 0.6, 'copy_seconds': 0.6}})
    return fakecloud_clean


def connection(cloud, **overrides):
    conn = {
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'alicloud_security_token': None,
        'endpoint_url': cloud.url,
        'validate_certs': True,
        'connect_timeout': 5,
        'read_timeout': 10,
    }
    conn.update(overrides)
    return conn


def seed_source(cloud, **snapshot):
    created = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': [snapshot]}]})
    return created['ens']['snapshots'][0]


def copies_of(cloud, source_id):
    """{node: [copy, ...]} of the source, from the emulator's state."""
    found = {}
    for node, resources in cloud.admin.state(cloud='ens')['ens'].items():
        for snapshot in resources['snapshots']:
            if snapshot['source_snapshot_id'] == source_id:
                found.setdefault(node, []).append(snapshot)
    return found


def copy_calls(cloud):
    """The DestinationRegionIds of every CopySnapshot that changed something, in order."""
    return [
        json.loads(entry['params']['DestinationRegionIds'])
        for entry in cloud.admin.calls()['log']
        if entry['cloud'] == 'ens' and entry['action'] == 'CopySnapshot'
    ]


def calls(cloud, action):
    return cloud.admin.calls()['calls'].get('ens', {}).get(action, {'calls': 0, 'errors': 0, 'mutations': 0})


def engine(cloud, wait=False, timeout=30):
    adapter = EnsAdapter.from_connection(connection(cloud))
    return CopyEngine(
        adapter,
        EngineConfig(wait=wait, timeout=timeout, poll_interval=0.2),
        backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05),
    )


def request(source_id, nodes=None, **options):
    return CopyRequest(source_id, SOURCE_NODE, list(nodes or NODES), options)


def module_params(cloud, source_id, **params):
    values = dict(
        connection(cloud),
        source_snapshot_id=source_id,
        source_region=SOURCE_NODE,
        destination_regions=list(NODES),
        name=None,
        description=None,
        instance_billing_cycle=None,
        wait=False,
        wait_timeout=30,
        poll_interval=0.2,
    )
    values.update(params)
    return values


def run_module(cloud, source_id, check_mode=False, diff=False, **params):
    with pytest.raises(ModuleExit) as info:
        run_copy_module(
            FakeModule(module_params(cloud, source_id, **params), check_mode, diff), build_ens_request, EnsAdapter
        )
    return info.value


def by_node(result):
    return {entry['region']: entry for entry in result['snapshots']}


# ---------------------------------------------------------------------------- copy, rerun
def test_one_call_copies_to_every_node_and_a_rerun_changes_nothing(cloud):
    source = seed_source(cloud)
    first = run_module(cloud, source, name='edge-copy', description='DR copy')
    second = run_module(cloud, source, name='edge-copy', description='DR copy')

    assert not first.failed and first.result['changed']
    assert [entry['action'] for entry in first.result['snapshots']] == [COPIED, COPIED]
    assert (
        'snapshot_id' not in first.result and 'copy_snapshot_id' not in first.result
    )  # several destinations: see snapshots
    assert not second.failed and not second.result['changed']
    assert [entry['action'] for entry in second.result['snapshots']] == [EXISTING, EXISTING]
    copies = copies_of(cloud, source)
    assert {node: [copy['id'] for copy in found] for node, found in copies.items()} == {
        node: [entry['snapshot_id']] for node, entry in by_node(first.result).items()
    }
    assert all(
        found[0]['name'] == 'edge-copy'
        and found[0]['description'] == 'DR copy [snapcopy source=%s/%s]' % (SOURCE_NODE, source)
        for found in copies.values()
    )
    assert all(entry['tags'] == {SOURCE_TAG: '%s/%s' % (SOURCE_NODE, source)} for entry in second.result['snapshots'])
    assert copy_calls(cloud) == [NODES]
    assert first.result['snapshots'][0]['progress'] is None


def test_only_the_nodes_still_missing_a_copy_are_copied_to(cloud):
    source = seed_source(cloud)
    run_module(cloud, source, destination_regions=[NODE_A])
    both = run_module(cloud, source)
    assert [entry['action'] for entry in both.result['snapshots']] == [EXISTING, COPIED]
    assert copy_calls(cloud) == [[NODE_A], [NODE_B]]


def test_instance_billing_cycle_is_passed_on(cloud):
    source = seed_source(cloud)
    run_module(cloud, source, destination_regions=[NODE_A], instance_billing_cycle='Month')
    (entry,) = [entry for entry in cloud.admin.calls()['log'] if entry['action'] == 'CopySnapshot']
    assert entry['params']['InstanceBillingCycle'] == 'Month'


def test_check_mode_makes_no_mutating_call(cloud):
    source = seed_source(cloud)
    run_module(cloud, source, destination_regions=[NODE_A])
    cloud.admin.calls(reset=True)
    plan = run_module(cloud, source, check_mode=True, diff=True)
    report = cloud.admin.calls()
    assert report['total_mutations'] == 0 and set(report['calls']['ens']) == {'DescribeSnapshots'}
    assert [entry['action'] for entry in plan.result['snapshots']] == [EXISTING, WOULD_COPY]
    assert plan.result['diff']['after']['copies'][NODE_B] == '(new copy)'
    assert plan.result['diff']['before']['copies'][NODE_B] is None
    assert list(copies_of(cloud, source)) == [NODE_A]


# ---------------------------------------------------------------------------- partial success
def test_partial_success_fails_naming_the_node_and_a_rerun_copies_only_there(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'broken_regions': {'ens': [NODE_B]}})
    partial = run_module(cloud, source)
    assert partial.failed
    nodes = by_node(partial.result)
    assert nodes[NODE_A]['action'] == COPIED and nodes[NODE_A]['snapshot_id']
    assert nodes[NODE_B]['action'] == NOT_COPIED and nodes[NODE_B]['snapshot_id'] is None
    assert nodes[NODE_B]['error']['code'] == 'PartSuccess'
    assert NODE_B in partial.result['msg'] and 'UnAllocationId' in partial.result['msg']
    assert NODE_A not in partial.result['msg'].split('failed: ', 1)[1]
    assert partial.result['changed']

    cloud.admin.faults({})
    rerun = run_module(cloud, source)
    assert not rerun.failed
    assert [entry['action'] for entry in rerun.result['snapshots']] == [EXISTING, COPIED]
    assert by_node(rerun.result)[NODE_A]['snapshot_id'] == nodes[NODE_A]['snapshot_id']
    assert copy_calls(cloud) == [NODES, [NODE_B]]
    assert {node: len(found) for node, found in copies_of(cloud, source).items()} == {NODE_A: 1, NODE_B: 1}


def test_every_node_refused_fails_every_node_with_the_clouds_error(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'broken_regions': {'ens': NODES}})
    failed = run_module(cloud, source)
    assert failed.failed
    assert [entry['error']['code'] for entry in failed.result['snapshots']] == ['ens.interface.error'] * 2
    assert calls(cloud, 'CopySnapshot')['calls'] == 1
    assert copies_of(cloud, source) == {}


# ---------------------------------------------------------------------------- safe retries
def test_lost_answer_is_found_by_a_look_up_not_copied_again(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'rules': [{'cloud': 'ens', 'action': 'CopySnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    outcome = engine(cloud).run([request(source)])[0]
    assert not outcome.failed
    assert [outcome.destinations[node].action for node in NODES] == [COPIED, COPIED]
    assert calls(cloud, 'CopySnapshot') == {'calls': 1, 'errors': 0, 'mutations': 1}
    copies = copies_of(cloud, source)
    assert {node: [copy['id'] for copy in found] for node, found in copies.items()} == {
        node: [outcome.destinations[node].snapshot.id] for node in NODES
    }


def test_throttling_bursts_are_retried_with_a_look_up_before_each_copy_call(cloud):
    source = seed_source(cloud)
    cloud.admin.faults(
        {
            'rules': [
                {'cloud': 'ens', 'action': 'CopySnapshot', 'throttle_rate': 1.0, 'count': 2},
                {'cloud': 'ens', 'action': 'DescribeSnapshots', 'throttle_rate': 0.5, 'count': 3},
                {'cloud': 'ens', 'action': 'CopySnapshot', 'error_rate': 1.0, 'count': 1},
            ]
        }
    )
    run = engine(cloud)
    outcome = run.run([request(source)])[0]
    assert not outcome.failed
    assert calls(cloud, 'CopySnapshot') == {'calls': 4, 'errors': 3, 'mutations': 1}
    assert run.retries >= 3
    assert {node: len(found) for node, found in copies_of(cloud, source).items()} == {NODE_A: 1, NODE_B: 1}


# ---------------------------------------------------------------------------- wait, failure, timeout
def test_wait_until_available(cloud):
    source = seed_source(cloud)
    result = run_module(cloud, source, wait=True).result
    assert [entry['state'] for entry in result['snapshots']] == ['available', 'available']


def test_a_copy_ending_in_error_fails_the_task(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'failing_copies': {'ens': {'regions': [NODE_B]}}})
    failed = run_module(cloud, source, wait=True)
    assert failed.failed
    nodes = by_node(failed.result)
    assert nodes[NODE_A]['state'] == 'available' and nodes[NODE_B]['state'] == 'error'
    assert NODE_B in failed.result['msg'] and 'delete it, then run again' in failed.result['msg']


def test_timeout_returns_the_ids_in_flight_and_a_rerun_adopts_them(cloud):
    cloud.admin.configure(timings={'ens': {'copy_seconds': 60}})
    source = seed_source(cloud)
    timed_out = run_module(cloud, source, wait=True, wait_timeout=1)
    assert timed_out.failed
    ids = {entry['region']: entry['snapshot_id'] for entry in timed_out.result['snapshots']}
    assert all(ids.values())
    rerun = run_module(cloud, source)
    assert not rerun.failed and not rerun.result['changed']
    assert {entry['region']: entry['snapshot_id'] for entry in rerun.result['snapshots']} == ids


# ---------------------------------------------------------------------------- source, credentials
def test_missing_source_gives_the_not_found_code(cloud):
    failed = run_module(cloud, 'sp-doesnotexist0000000000')
    assert failed.failed and failed.result['error']['code'] == 'InvalidSnapshotId.NotFound'
    assert SOURCE_NODE in failed.result['msg']
    assert calls(cloud, 'CopySnapshot')['calls'] == 0


def test_source_on_another_node_is_not_found(cloud):
    created = cloud.admin.seed(ens={'disks': [{'region': NODE_A, 'snapshots': 1}]})
    failed = run_module(cloud, created['ens']['snapshots'][0])
    assert failed.failed and failed.result['error']['code'] == 'InvalidSnapshotId.NotFound'


def test_source_still_being_made_fails_clearly_or_is_waited_for(cloud):
    source = seed_source(cloud, status='creating')
    failed = run_module(cloud, source)
    assert failed.failed and 'set wait: true' in failed.result['msg']
    done = run_module(cloud, source, wait=True)
    assert not done.failed


def test_wrong_secret_is_a_clear_fatal_error(cloud):
    source = seed_source(cloud)
    failed = run_module(cloud, source, alicloud_secret_key='not-the-secret')
    assert failed.failed and failed.result['error']['code'] == 'InvalidAccessKeySecret'
    assert 'alicloud_secret_key' in failed.result['msg']
    assert 'not-the-secret' not in repr(failed.result)
    assert failed.result['api_retries'] == 0


def test_sts_credentials(cloud):
    source = seed_source(cloud)
    done = run_module(
        cloud,
        source,
        alicloud_access_key=credentials.ALIBABA_STS_ACCESS_KEY_ID,
        alicloud_secret_key=credentials.ALIBABA_STS_ACCESS_KEY_SECRET,
        alicloud_security_token=credentials.ALIBABA_STS_SECURITY_TOKEN,
    )
    assert not done.failed and done.result['changed']


# ---------------------------------------------------------------------------- finding copies
def test_find_copies_pages_through_a_busy_node(cloud):
    source = seed_source(cloud)
    cloud.admin.seed(
        ens={
            'snapshots': [
                {'region': NODE_A, 'source_snapshot_id': 'sp-other%03d' % n, 'source_region': SOURCE_NODE}
                for n in range(230)
            ]
        }
    )
    adapter = EnsAdapter.from_connection(connection(cloud))
    made = adapter.start_copy(request(source, [NODE_A]), [NODE_A])[NODE_A]
    cloud.admin.calls(reset=True)
    found = adapter.find_copies(NODE_A, [request(source, [NODE_A])])
    assert [snapshot.id for snapshot in found['%s/%s' % (SOURCE_NODE, source)]] == [made.id]
    assert calls(cloud, 'DescribeSnapshots')['calls'] == 3  # 231 snapshots, 100 a page


def test_copy_of_the_same_id_on_another_source_node_is_not_ours(cloud):
    source = seed_source(cloud)
    cloud.admin.seed(ens={'snapshots': [{'region': NODE_A, 'source_snapshot_id': source, 'source_region': NODE_B}]})
    outcome = engine(cloud).run([request(source, [NODE_A])])[0]
    assert outcome.destinations[NODE_A].action == COPIED


def test_destination_region_names_one_node_as_the_ebs_and_ecs_modules_name_a_region(cloud):
    source = seed_source(cloud)
    made = run_module(cloud, source, destination_regions=None, destination_region=NODE_A)
    again = run_module(cloud, source, destination_regions=None, destination_region=NODE_A)

    assert not made.failed and made.result['changed'], made.result
    assert [entry['region'] for entry in made.result['snapshots']] == [NODE_A]
    assert made.result['snapshot_id'] is not None and made.result['snapshot_id'] == again.result['snapshot_id']
    assert not again.result['changed']


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    'params, option',
    [
        ({'source_snapshot_id': 's-abc123'}, 'source_snapshot_id'),
        ({'source_region': 'Hangzhou 26'}, 'source_region'),
        ({'destination_regions': []}, 'destination_regions'),
        ({'destination_regions': [NODE_A, NODE_A]}, 'destination_regions'),
        ({'destination_regions': ['not a node']}, 'destination_regions'),
        ({'destination_regions': ['cn-node-%d' % n for n in range(101)]}, 'destination_regions'),
        ({'name': 'edge.copy'}, 'name'),
        ({'name': 'e'}, 'name'),
        ({'name': '1edge'}, 'name'),
        ({'name': 'https://x'}, 'name'),
        ({'description': 'x'}, 'description'),
        ({'description': 'http://x.example'}, 'description'),
    ],
)
def test_bad_input_fails_before_any_call_naming_the_option(cloud, params, option):
    failed = run_module(cloud, params.pop('source_snapshot_id', 'sp-abc123'), **params)
    assert failed.failed
    assert failed.result['msg'].startswith(option), failed.result['msg']
    assert cloud.admin.calls()['total_calls'] == 0


def test_validation_accepts_what_ens_accepts():
    assert accepted(
        EnsAdapter(client=None).validate,
        build_ens_request(
            {
                'source_snapshot_id': 'sp-bp1c0doj0taqyzzlexample',
                'source_region': 'cn-hangzhou-26',
                'destination_regions': ['cn-hangzhou-26', 'cn-wuhan-telecom'],
                'name': '边缘:copy_1-a',
                'description': 'ok',
            }
        ),
    )


# ---------------------------------------------------------------------------- what the DR run (dr_sync) uses
def test_find_disks_filters_by_tags_across_pages(cloud):
    cloud.admin.seed(
        ens={
            'disks': [{'region': SOURCE_NODE, 'size': 20, 'tags': {'dr': 'yes' if n % 2 else 'no'}} for n in range(130)]
        }
    )
    cloud.admin.seed(ens={'disks': [{'region': NODE_A, 'tags': {'dr': 'yes'}}]})
    adapter = EnsAdapter.from_connection(connection(cloud))
    cloud.admin.calls(reset=True)
    tagged = adapter.find_disks(SOURCE_NODE, {'dr': 'yes'})
    assert len(tagged) == 65 and all(disk.region == SOURCE_NODE and disk.size == 20 for disk in tagged)
    assert all(disk.tags == {'dr': 'yes'} for disk in tagged)
    # 50 disks a page, DescribeDisks' documented maximum
    assert cloud.admin.calls()['calls']['ens']['DescribeDisks']['calls'] == 3
    assert len(adapter.find_disks(SOURCE_NODE, {'dr': None})) == 130


@pytest.mark.parametrize('disk_count', [2, 11])
def test_disk_snapshots_per_disk_or_by_one_listing(cloud, disk_count):
    created = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 2} for dummy in range(disk_count)]})
    cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE, 'snapshots': 1}]})
    adapter = EnsAdapter.from_connection(connection(cloud))
    wanted = [disk for disk in adapter.find_disks(SOURCE_NODE, {}) if disk.id in created['ens']['disks']]
    found = adapter.disk_snapshots(SOURCE_NODE, wanted)
    assert set(found) == set(created['ens']['disks'])
    assert all(
        len(snapshots) == 2 and all(s.volume_id == disk_id and s.created for s in snapshots)
        for disk_id, snapshots in found.items()
    )


def test_create_list_and_delete(cloud):
    created = cloud.admin.seed(ens={'disks': [{'region': SOURCE_NODE}]})
    adapter = EnsAdapter.from_connection(connection(cloud))
    (disk,) = adapter.find_disks(SOURCE_NODE, {})
    fresh = adapter.create_snapshot(SOURCE_NODE, disk, 'dr-fresh', 'Fresh snapshot', {'snapcopy:fresh': 'now'})
    assert fresh.volume_id == created['ens']['disks'][0] and fresh.state == 'pending'
    cloud.admin.advance_clock(5)
    copy = adapter.start_copy(request(fresh.id, [NODE_A]), [NODE_A])[NODE_A]
    assert [s.id for s in adapter.list_copies(NODE_A)] == [copy.id]
    assert adapter.list_copies(SOURCE_NODE) == []  # the source is no copy
    adapter.delete_snapshot(NODE_A, copy.id)
    with pytest.raises(CloudError) as gone:  # the cloud's own not-found, for the DR run to read as deleted
        adapter.delete_snapshot(NODE_A, copy.id)
    assert gone.value.kind == NOT_FOUND
    assert adapter.list_copies(NODE_A) == []


@pytest.mark.parametrize(
    'first, second, option',
    [
        ({'name': 'edge-a'}, {'name': 'edge-b'}, 'name'),
        # The description is read without the marker that ends it.
        ({'description': 'nightly copy'}, {'description': 'weekly copy'}, 'description'),
    ],
)
def test_a_copy_that_differs_from_the_request_is_never_used_silently(cloud, first, second, option):
    source = seed_source(cloud)
    made = run_module(cloud, source, destination_regions=[NODE_A], **first)
    old_id = made.result['snapshot_id']
    failed = run_module(cloud, source, destination_regions=[NODE_A], **second)
    entry = failed.result['snapshots'][0]
    assert failed.failed and entry['error']['code'] == 'ExistingCopyDiffers'
    assert entry['mismatch'] == {
        'snapshot_id': old_id,
        'differences': {option: {'asked': second[option], 'found': first[option]}},
    }
    used = run_module(cloud, source, destination_regions=[NODE_A], on_mismatch='warn', **second)
    assert not used.failed and used.result['snapshot_id'] == old_id and len(used.warnings) == 1
    replaced = run_module(cloud, source, destination_regions=[NODE_A], on_mismatch='new_copy', **second)
    assert replaced.result['changed'] and replaced.result['snapshot_id'] != old_id
    assert copy_calls(cloud) == [[NODE_A], [NODE_A]]
