"""The CBS adapter and the engine, driving the real Tencent SDK against fakecloud over HTTP.

fakecloud checks each request's TC3 signature, moves copies through COPYING_FROM_REMOTE and
CHECKING_COPIED to NORMAL as time passes, answers per region in CopySnapshotCrossRegions,
injects faults and counts calls, so each test can assert on what was called.
"""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import build_cbs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TencentClient, load_sdk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    ALREADY_EXISTS,
    FATAL,
    NOT_FOUND,
    CloudError,
    CopyNotTaggedError,
    InputError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    COMPLETED,
    DELETING,
    FAILED,
    PENDING,
    CopyRequest,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_RUN_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    EXISTING,
    NOT_COPIED,
    WOULD_COPY,
    EngineConfig,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds

SOURCE_REGION = 'ap-guangzhou'


def make_client(cloud, secret_key=creds.TENCENT_SECRET_KEY, **extra):
    connection = {
        'secret_id': creds.TENCENT_SECRET_ID,
        'secret_key': secret_key,
        'endpoint_url': cloud.url,
        'validate_certs': True,
        'read_timeout': 10,
    }
    connection.update(extra)
    return TencentClient(connection, load_sdk())


def make_engine(adapter, wait=False, timeout=30, check_mode=False):
    backoff = Backoff(is_retryable, base_delay=0.01, max_delay=0.05)
    return CopyEngine(
        adapter, EngineConfig(check_mode=check_mode, wait=wait, timeout=timeout, poll_interval=0.1), backoff=backoff
    )


def run(
    cloud,
    source_id,
    destinations,
    wait=False,
    timeout=30,
    check_mode=False,
    secret_key=creds.TENCENT_SECRET_KEY,
    **options,
):
    adapter = CbsAdapter(make_client(cloud, secret_key=secret_key), check_mode=check_mode)
    engine = make_engine(adapter, wait=wait, timeout=timeout, check_mode=check_mode)
    outcome = engine.run([CopyRequest(source_id, SOURCE_REGION, destinations, options)])[0]
    return outcome, engine


@pytest.fixture
def cloud(fakecloud_clean):
    """A reset emulator with quick snapshots and copies."""
    fakecloud_clean.admin.configure(timings={'cbs': {'snapshot_seconds': 0.5, 'copy_seconds': 1.0}})
    return fakecloud_clean


@pytest.fixture
def source_id(cloud):
    created = cloud.admin.seed(cbs={'disks': [{'region': SOURCE_REGION, 'size': 50, 'snapshots': 1}]})
    return created['cbs']['snapshots'][0]


def seed_copy(cloud, source_id, region='ap-beijing', **fields):
    """A snapshot in ``region`` recorded as copied from the source (of the source's disk, unless told)."""
    source = next(snap for snap in snapshots_in(cloud, SOURCE_REGION) if snap['id'] == source_id)
    spec = {
        'region': region,
        'source_snapshot_id': source_id,
        'source_region': SOURCE_REGION,
        'disk_id': source['disk_id'],
    }
    spec.update(fields)
    return cloud.admin.seed(cbs={'snapshots': [spec]})['cbs']['snapshots'][0]


def snapshots_in(cloud, region):
    return cloud.admin.state(cloud='cbs', region=region)['cbs'].get(region, {}).get('snapshots', [])


def copies_of(cloud, region, source_id):
    return [snap for snap in snapshots_in(cloud, region) if snap['source_snapshot_id'] == source_id]


def mutations(cloud):
    return cloud.admin.calls()['log']


def copy_calls(cloud):
    return [entry for entry in mutations(cloud) if entry['action'] == 'CopySnapshotCrossRegions']


# ---------------------------------------------------------------------- copying
def test_copies_to_two_regions_in_one_call_names_and_tags_them_and_waits(cloud, source_id):
    outcome, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], wait=True, tags={'purpose': 'dr'})
    assert not outcome.failed and outcome.changed
    tag = '%s/%s' % (SOURCE_REGION, source_id)
    for region in ('ap-beijing', 'ap-shanghai'):
        destination_outcome = outcome.destinations[region]
        assert destination_outcome.action == COPIED
        copy_made = destination_outcome.snapshot
        assert (copy_made.state, copy_made.cloud_state, copy_made.progress) == (COMPLETED, 'NORMAL', 100)
        assert destination_outcome.snapshot.tags == {'purpose': 'dr', SOURCE_TAG: tag}
        (copy,) = copies_of(cloud, region, source_id)
        assert copy['id'] == destination_outcome.snapshot.id
        assert copy['name'] == 'snapcopy-ap-guangzhou-%s' % source_id
        assert copy['tags'] == {'purpose': 'dr', SOURCE_TAG: tag}
    (call,) = copy_calls(cloud)
    assert call['region'] == SOURCE_REGION
    assert call['params']['DestinationRegions'] == ['ap-beijing', 'ap-shanghai']
    assert outcome.source.as_source_result()['size'] == 50


def test_rerun_finds_the_copies_and_makes_no_call_that_changes_anything(cloud, source_id):
    first, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], tags={'purpose': 'dr'})
    cloud.admin.calls(reset=True)
    second, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], tags={'purpose': 'dr'})
    assert not second.changed and not second.failed
    for region in ('ap-beijing', 'ap-shanghai'):
        assert second.destinations[region].action == EXISTING
        assert second.destinations[region].snapshot.id == first.destinations[region].snapshot.id
    assert cloud.admin.calls()['total_mutations'] == 0


def test_a_given_name_is_used_and_found_again(cloud, source_id):
    first, dummy = run(cloud, source_id, ['ap-beijing'], name='db-dr-copy')
    assert copies_of(cloud, 'ap-beijing', source_id)[0]['name'] == 'db-dr-copy'
    second, dummy = run(cloud, source_id, ['ap-beijing'], name='db-dr-copy')
    assert second.destinations['ap-beijing'].action == EXISTING
    assert second.destinations['ap-beijing'].snapshot.id == first.destinations['ap-beijing'].snapshot.id


def test_only_the_missing_region_is_copied(cloud, source_id):
    run(cloud, source_id, ['ap-beijing'])
    outcome, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'])
    assert outcome.destinations['ap-beijing'].action == EXISTING
    assert outcome.destinations['ap-shanghai'].action == COPIED
    assert [call['params']['DestinationRegions'] for call in copy_calls(cloud)] == [['ap-beijing'], ['ap-shanghai']]


def test_snapshots_that_are_not_copies_of_this_source_are_not_taken_for_one(cloud, source_id):
    other = cloud.admin.seed(cbs={'disks': [{'region': SOURCE_REGION, 'snapshots': 1}]})['cbs']['snapshots'][0]
    name = 'snapcopy-ap-guangzhou-%s' % source_id
    cloud.admin.seed(
        cbs={
            'snapshots': [
                # Our name, but made in the region, not copied into it.
                {'region': 'ap-beijing', 'name': name},
                # Copied, our name, but the source tag of another snapshot.
                {
                    'region': 'ap-beijing',
                    'name': name,
                    'source_snapshot_id': other,
                    'source_region': SOURCE_REGION,
                    'tags': {SOURCE_TAG: '%s/%s' % (SOURCE_REGION, other)},
                },
            ]
        }
    )
    outcome, dummy = run(cloud, source_id, ['ap-beijing'])
    assert outcome.destinations['ap-beijing'].action == COPIED


def test_a_copy_found_without_its_tags_is_tagged_on_the_rerun(cloud, source_id):
    name = 'snapcopy-ap-guangzhou-%s' % source_id
    seed_copy(cloud, source_id, name=name)
    outcome, dummy = run(cloud, source_id, ['ap-beijing'], tags={'team': 'storage'})
    destination_outcome = outcome.destinations['ap-beijing']
    assert destination_outcome.action == EXISTING and not outcome.changed
    (copy,) = copies_of(cloud, 'ap-beijing', source_id)
    assert copy['tags'] == {'team': 'storage', SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source_id)}
    assert destination_outcome.snapshot.tags == copy['tags']


def test_a_copy_in_the_recycle_bin_is_no_copy(cloud, source_id):
    """SnapshotState TORECYCLE (DescribeSnapshotsRequest.Filters, snapshot-state): on its way out, so a new
    copy is made and the old one is neither adopted nor listed for pruning."""
    name = 'snapcopy-ap-guangzhou-%s' % source_id
    binned = seed_copy(
        cloud, source_id, name=name, status='TORECYCLE', tags={SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source_id)}
    )
    outcome, dummy = run(cloud, source_id, ['ap-beijing'])
    destination_outcome = outcome.destinations['ap-beijing']
    assert destination_outcome.action == COPIED and destination_outcome.snapshot.id != binned and not outcome.failed
    adapter = CbsAdapter(make_client(cloud))
    listed = {copy.id: copy.state for copy in adapter.list_copies('ap-beijing')}
    assert listed[binned] == DELETING and listed[destination_outcome.snapshot.id] == PENDING


def test_a_batch_read_refused_for_one_id_gone_reads_the_others_one_by_one(cloud):
    """DescribeSnapshots may refuse a whole batch for one id gone for good (InvalidSnapshotId.NotFound, the SDK's
    errorcodes.py): the ids are then read one by one, so that the snapshots that are there are not taken for gone (a
    copy made again, a source called deleted)."""
    created = cloud.admin.seed(cbs={'disks': [{'region': SOURCE_REGION, 'size': 50, 'snapshots': 2}]})
    present = created['cbs']['snapshots']
    gone = 'snap-gone0001'
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'cbs',
                'action': 'DescribeSnapshots',
                'error_rate': 1.0,
                'error_code': 'InvalidSnapshotId.NotFound',
                'count': 1,
            }
        ]
    )
    found = CbsAdapter(make_client(cloud)).describe(SOURCE_REGION, [*present, gone])
    assert sorted(found) == sorted(present), found
    assert cloud.admin.calls()['calls']['cbs']['DescribeSnapshots']['calls'] == 1 + 3  # the batch, then each id


def test_a_returned_disk_is_gone_for_the_restore_drill(cloud):
    """A disk TerminateDisks returned is listed TORECYCLE a while (cbs Disk.DiskState): no test disk left to delete; and
    returning it again (ResourceUnavailable.RepeatRefund) is NOT_FOUND, which the drill reports as already deleted."""
    cloud.admin.configure(timings={'cbs': {'recycle_seconds': 3600}})
    (disk,) = cloud.admin.seed(cbs={'disks': [{'region': 'ap-shanghai', 'tags': {RESTORE_RUN_TAG: 'a-run'}}]})['cbs'][
        'disks'
    ]
    adapter = CbsAdapter(make_client(cloud))
    assert [found.id for found in adapter.drill.find_test_disks('ap-shanghai')] == [disk]
    adapter.drill.delete_test_disk('ap-shanghai', disk)
    assert adapter.drill.find_test_disks('ap-shanghai') == []
    with pytest.raises(CloudError) as info:
        adapter.drill.delete_test_disk('ap-shanghai', disk)
    assert (info.value.code, info.value.kind) == ('ResourceUnavailable.RepeatRefund', NOT_FOUND)


def test_copies_are_found_with_documented_filters_only(cloud, source_id):
    """DescribeSnapshots takes no tag filter (the emulator answers InvalidFilter, as the API documents
    none): a few sources are looked up by name, many and the DR run's listing by reading the region."""
    ours = run(cloud, source_id, ['ap-beijing'])[0].destinations['ap-beijing'].snapshot.id
    renamed = seed_copy(
        cloud, source_id, name='renamed by hand', tags={SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source_id)}
    )
    cloud.admin.calls(reset=True)
    adapter = CbsAdapter(make_client(cloud))
    request = CopyRequest(source_id, SOURCE_REGION, ['ap-beijing'])
    assert [copy.id for copy in adapter.find_copies('ap-beijing', [request])[request.source_tag]] == [ours]
    assert {copy.id for copy in adapter.list_copies('ap-beijing')} == {ours, renamed}
    counted = cloud.admin.calls()['calls']['cbs']['DescribeSnapshots']
    assert counted['errors'] == 0 and counted['calls'] == 2


# ---------------------------------------------------------------------- check mode
def test_check_mode_plans_without_any_mutating_call(cloud, source_id):
    name = 'snapcopy-ap-guangzhou-%s' % source_id
    # An untagged copy in ap-beijing: a real run would tag it, check mode must not.
    seed_copy(cloud, source_id, name=name)
    outcome, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], check_mode=True, wait=True, tags={'a': 'b'})
    assert outcome.destinations['ap-beijing'].action == EXISTING
    assert outcome.destinations['ap-shanghai'].action == WOULD_COPY
    report = cloud.admin.calls()
    assert report['total_mutations'] == 0
    assert set(report['calls']) == {'cbs'} and set(report['calls']['cbs']) == {'DescribeSnapshots'}


def test_check_mode_reports_a_copy_under_way_it_cannot_identify(cloud, source_id):
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 30}})
    seed_copy(cloud, source_id, name='someone else', status='running', disk_id='disk-elsewhere')
    outcome, dummy = run(cloud, source_id, ['ap-beijing'], check_mode=True)
    destination_outcome = outcome.destinations['ap-beijing']
    assert (
        destination_outcome.action == EXISTING
        and destination_outcome.snapshot.id is None
        and destination_outcome.snapshot.state == PENDING
    )
    assert 'CopyingToRegions' in destination_outcome.snapshot.message
    assert cloud.admin.calls()['total_mutations'] == 0


# ---------------------------------------------------------------------- copies under way
def test_a_copy_under_way_started_elsewhere_is_reported_not_failed(cloud, source_id):
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 30}})
    from tencentcloud.cbs.v20170312.cbs_client import CbsClient  # pylint: disable=import-outside-toplevel

    from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client  # pylint: disable=import-outside-toplevel

    manual = tencent_client(CbsClient, cloud.endpoint, region=SOURCE_REGION).call_json(
        'CopySnapshotCrossRegions',
        {'SnapshotId': source_id, 'DestinationRegions': ['ap-beijing'], 'SnapshotName': 'by hand'},
    )
    manual_id = manual['Response']['SnapshotCopyResultSet'][0]['SnapshotId']
    cloud.admin.calls(reset=True)
    outcome, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'])
    assert not outcome.failed
    beijing = outcome.destinations['ap-beijing']
    assert (beijing.action, beijing.snapshot.id, beijing.snapshot.cloud_state) == (
        EXISTING,
        manual_id,
        'COPYING_FROM_REMOTE',
    )
    assert outcome.destinations['ap-shanghai'].action == COPIED
    assert [call['params']['DestinationRegions'] for call in copy_calls(cloud)] == [['ap-shanghai']]
    # The adopted copy now carries the source tag: once NORMAL, it is still found.
    assert copies_of(cloud, 'ap-beijing', source_id)[0]['tags'][SOURCE_TAG] == '%s/%s' % (SOURCE_REGION, source_id)


def test_conflict_on_one_region_still_copies_to_the_others(cloud, source_id):
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 30}})
    # A copy under way that no rule can tie to this source (another name, another disk).
    seed_copy(cloud, source_id, name='someone else', status='running', disk_id='disk-elsewhere')
    adapter = CbsAdapter(make_client(cloud))
    request = CopyRequest(source_id, SOURCE_REGION, ['ap-beijing', 'ap-shanghai'])
    adapter.get_sources(SOURCE_REGION, [source_id])
    results = adapter.start_copy(request, ['ap-beijing', 'ap-shanghai'])
    assert isinstance(results['ap-beijing'], CloudError) and results['ap-beijing'].kind == ALREADY_EXISTS
    assert results['ap-shanghai'].state == PENDING
    assert [call['params']['DestinationRegions'] for call in copy_calls(cloud)] == [['ap-shanghai']]


# ---------------------------------------------------------------------- partial failure, then rerun
def test_quota_in_one_region_fails_that_region_only_and_the_rerun_copies_only_there(cloud, source_id):
    cloud.admin.seed(cbs={'snapshots': [{'region': 'ap-shanghai'}, {'region': 'ap-shanghai'}]})
    cloud.admin.configure(quotas={'cbs': {'snapshots_per_region': 2}})
    first, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'])
    assert first.failed
    assert first.destinations['ap-beijing'].action == COPIED
    shanghai = first.destinations['ap-shanghai']
    assert shanghai.action == NOT_COPIED and shanghai.error.code == 'InsufficientSnapshotQuota'
    assert shanghai.error.request_id and 'delete snapshots' in shanghai.error.message
    assert 'ap-shanghai' in ' '.join(first.failures())
    cloud.admin.configure(quotas={'cbs': {'snapshots_per_region': 100}})
    second, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'])
    assert not second.failed
    assert second.destinations['ap-beijing'].action == EXISTING
    assert second.destinations['ap-shanghai'].action == COPIED
    assert [call['params']['DestinationRegions'] for call in copy_calls(cloud)] == [
        ['ap-beijing', 'ap-shanghai'],
        ['ap-shanghai'],
    ]
    assert len(copies_of(cloud, 'ap-beijing', source_id)) == 1


def test_a_broken_region_is_retried_then_reported_and_the_rerun_copies_only_there(cloud, source_id):
    cloud.admin.faults(broken_regions={'cbs': ['ap-tokyo']})
    first, dummy = run(cloud, source_id, ['ap-beijing', 'ap-tokyo'], timeout=1)
    assert first.failed
    assert first.destinations['ap-beijing'].action == COPIED
    assert first.destinations['ap-tokyo'].error.code == 'InternalError.ComponentError'
    calls = copy_calls(cloud)
    assert calls[0]['params']['DestinationRegions'] == ['ap-beijing', 'ap-tokyo']
    assert all(call['params']['DestinationRegions'] == ['ap-tokyo'] for call in calls[1:])
    cloud.admin.faults({})
    cloud.admin.calls(reset=True)
    second, dummy = run(cloud, source_id, ['ap-beijing', 'ap-tokyo'])
    assert not second.failed and second.destinations['ap-tokyo'].action == COPIED
    assert [call['params']['DestinationRegions'] for call in copy_calls(cloud)] == [['ap-tokyo']]
    assert len(copies_of(cloud, 'ap-beijing', source_id)) == 1


# ---------------------------------------------------------------------- errors and retries
def test_a_wrong_secret_is_a_clear_auth_error(cloud, source_id):
    outcome, dummy = run(cloud, source_id, ['ap-beijing'], secret_key='not-the-secret')
    error = outcome.error
    assert isinstance(error, CloudError) and error.kind == FATAL
    assert error.code == 'AuthFailure.SignatureFailure'
    assert 'secret_key' in error.message and error.request_id
    assert 'Traceback' not in str(error)
    assert cloud.admin.calls()['total_mutations'] == 0


def test_a_missing_source_is_reported_with_a_cloud_code(cloud):
    outcome, dummy = run(cloud, 'snap-00000000', ['ap-beijing'])
    assert outcome.error.code == 'InvalidSnapshotId.NotFound' and outcome.error.kind == NOT_FOUND
    assert 'snap-00000000' in str(outcome.error)


def test_throttling_bursts_are_retried(cloud, source_id):
    cloud.admin.faults(
        rules=[
            {'cloud': 'cbs', 'action': 'DescribeSnapshots', 'throttle_rate': 1.0, 'count': 3},
            {'cloud': 'cbs', 'action': 'CopySnapshotCrossRegions', 'throttle_rate': 1.0, 'count': 2},
            {'cloud': 'tag', 'action': 'TagResources', 'error_rate': 1.0, 'error_code': 'ResourceBusy', 'count': 1},
        ]
    )
    outcome, engine = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], wait=True)
    assert not outcome.failed
    assert engine.retries >= 6
    assert {destination_outcome.action for destination_outcome in outcome.destinations.values()} == {COPIED}
    assert len(copy_calls(cloud)) == 1
    for region in ('ap-beijing', 'ap-shanghai'):
        (copy,) = copies_of(cloud, region, source_id)
        assert copy['tags'][SOURCE_TAG] == '%s/%s' % (SOURCE_REGION, source_id)


def test_a_lost_answer_after_the_copy_is_followed_by_a_look_up_not_a_second_copy(cloud, source_id):
    cloud.admin.faults(
        rules=[{'cloud': 'cbs', 'action': 'CopySnapshotCrossRegions', 'lost_answer_rate': 1.0, 'count': 1}]
    )
    outcome, engine = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'])
    assert not outcome.failed and outcome.changed and engine.retries >= 1
    (call,) = copy_calls(cloud)
    assert call['answer_lost']
    for region in ('ap-beijing', 'ap-shanghai'):
        destination_outcome = outcome.destinations[region]
        (copy,) = copies_of(cloud, region, source_id)
        assert destination_outcome.action == COPIED and destination_outcome.snapshot.id == copy['id']
        # The copy call's answer was lost before tagging: the look-up tagged the copies.
        assert copy['tags'][SOURCE_TAG] == '%s/%s' % (SOURCE_REGION, source_id)


def test_a_tag_failure_keeps_the_copy_id_and_the_rerun_finishes_tagging(cloud, source_id):
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'tag',
                'action': 'TagResources',
                'error_rate': 1.0,
                'error_code': 'ResourceUnavailable',
                'count': 1,
            }
        ]
    )
    first, dummy = run(cloud, source_id, ['ap-beijing'], tags={'purpose': 'dr'})
    destination_outcome = first.destinations['ap-beijing']
    (copy,) = copies_of(cloud, 'ap-beijing', source_id)
    assert first.failed
    assert isinstance(destination_outcome.error, CopyNotTaggedError)
    assert destination_outcome.error.as_result()['snapshot_id'] == copy['id'] and copy['id'] in str(
        destination_outcome.error
    )
    assert copy['tags'] == {}
    second, dummy = run(cloud, source_id, ['ap-beijing'], tags={'purpose': 'dr'})
    assert not second.failed and second.destinations['ap-beijing'].snapshot.id == copy['id']
    (copy,) = copies_of(cloud, 'ap-beijing', source_id)
    assert copy['tags'] == {'purpose': 'dr', SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source_id)}
    assert len(copy_calls(cloud)) == 1


# ---------------------------------------------------------------------- waiting
def test_a_copy_that_fails_while_waiting_is_reported(cloud, source_id):
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 2.0}})
    cloud.admin.faults(failing_copies={'cbs': {'regions': ['ap-beijing']}})
    outcome, dummy = run(cloud, source_id, ['ap-beijing', 'ap-shanghai'], wait=True)
    assert outcome.failed
    beijing = outcome.destinations['ap-beijing']
    assert beijing.snapshot.state == FAILED and beijing.snapshot.cloud_state == 'vanished'
    assert outcome.destinations['ap-shanghai'].snapshot.cloud_state == 'NORMAL'
    assert 'ap-beijing' in ' '.join(outcome.failures())


def test_a_timeout_still_returns_the_copies_in_flight(cloud, source_id):
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 60}})
    outcome, dummy = run(cloud, source_id, ['ap-beijing'], wait=True, timeout=1)
    destination_outcome = outcome.destinations['ap-beijing']
    assert outcome.failed and destination_outcome.timed_out
    assert destination_outcome.snapshot.id == copies_of(cloud, 'ap-beijing', source_id)[0]['id']
    assert destination_outcome.snapshot.cloud_state in ('COPYING_FROM_REMOTE', 'CHECKING_COPIED')
    assert 'rerun adopts it' in ' '.join(outcome.failures())
    rerun, dummy = run(cloud, source_id, ['ap-beijing'])
    assert rerun.destinations['ap-beijing'].action == EXISTING
    assert rerun.destinations['ap-beijing'].snapshot.id == destination_outcome.snapshot.id


def test_a_source_still_being_made_is_waited_for(cloud):
    cloud.admin.configure(timings={'cbs': {'snapshot_seconds': 1.0}})
    disk = cloud.admin.seed(cbs={'disks': [{'region': SOURCE_REGION}]})['cbs']['disks'][0]
    source_id = cloud.admin.seed(cbs={'snapshots': [{'region': SOURCE_REGION, 'disk_id': disk, 'status': 'creating'}]})[
        'cbs'
    ]['snapshots'][0]
    outcome, dummy = run(cloud, source_id, ['ap-beijing'], wait=True)
    assert not outcome.failed and outcome.destinations['ap-beijing'].snapshot.cloud_state == 'NORMAL'


# ---------------------------------------------------------------------- input rules (no call)
@pytest.mark.parametrize(
    'source, source_region, destinations, options, option',
    [
        ('snap-xyz', SOURCE_REGION, ['ap-beijing'], {}, 'source_snapshot_id'),
        ('vol-12345678', SOURCE_REGION, ['ap-beijing'], {}, 'source_snapshot_id'),
        ('snap-12345678', 'Guangzhou', ['ap-beijing'], {}, 'source_region'),
        ('snap-12345678', SOURCE_REGION, [], {}, 'destination_regions'),
        ('snap-12345678', SOURCE_REGION, ['ap beijing'], {}, 'destination_regions'),
        ('snap-12345678', SOURCE_REGION, [SOURCE_REGION], {}, 'destination_regions'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'name': 'n' * 61}, 'name'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'name': ''}, 'name'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'tags': {'qcloud:x': 'y'}}, 'tags'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'tags': {SOURCE_TAG: 'y'}}, 'tags'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'tags': {'k' * 128: 'y'}}, 'tags'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'tags': {'k': 'v' * 256}}, 'tags'),
        ('snap-12345678', SOURCE_REGION, ['ap-beijing'], {'tags': {'k%d' % n: 'v' for n in range(50)}}, 'tags'),
    ],
)
def test_bad_input_names_the_option_before_any_call(source, source_region, destinations, options, option):
    adapter = CbsAdapter(client=None)
    with pytest.raises(InputError) as caught:
        adapter.validate(CopyRequest(source, source_region, destinations, options))
    assert caught.value.option == option


def test_tag_values_from_yaml_go_on_the_copy_as_text():
    request = build_cbs_request(
        {
            'source_snapshot_id': 'snap-12345678',
            'source_region': SOURCE_REGION,
            'destination_regions': ['ap-beijing'],
            'name': None,
            'tags': {'retain': 7, 'on': True},
        }
    )
    assert request.copy_tags() == {'retain': '7', 'on': 'True', SOURCE_TAG: '%s/snap-12345678' % SOURCE_REGION}
    assert request.destinations == ['ap-beijing']


def test_a_copy_whose_tags_differ_is_never_used_silently(cloud, source_id):
    """CBS answers the tags of a snapshot (Snapshot.Tags): those asked for are compared."""
    first, dummy = run(cloud, source_id, ['ap-beijing'], tags={'team': 'db'})
    old_id = first.destinations['ap-beijing'].snapshot.id
    failed, dummy = run(cloud, source_id, ['ap-beijing'], tags={'team': 'web'})
    destination_outcome = failed.destinations['ap-beijing']
    assert (
        failed.failed
        and destination_outcome.error.code == 'ExistingCopyDiffers'
        and destination_outcome.action == NOT_COPIED
    )
    assert destination_outcome.mismatch == {
        'snapshot_id': old_id,
        'differences': {'tags': {'asked': {'team': 'web'}, 'found': {'team': 'db'}}},
    }
    assert len(copy_calls(cloud)) == 1
