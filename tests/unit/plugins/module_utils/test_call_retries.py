"""Each API call that is safe to resend is retried on its own (the run's CallRetry), found by the chaos suite.

Under 30 % throttling the DR run failed: the engine retried whole adapter methods, and a paged
listing or a batched read of N calls went through whole only 0.7**N of the time (CBS reads the
snapshots of 300 disks in 30 calls). Now the one call that failed is sent again, a read that
still fails after its tries is final (not retried again around it), and calls that change
something (a copy, a new snapshot) are never resent by this retry: the engine keeps its look-ups.
"""

from __future__ import annotations

import time

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    RETRYABLE,
    CloudError,
    is_retryable,
    note_read_timeout,
    safe_to_resend,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_calls import MAX_ATTEMPTS
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import COPIED, EngineConfig
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_aws import SOURCE, StubbedAws, snapshot
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import params

REGION = 'cn-hangzhou'


def quick_retry():
    """A run's CallRetry with quick backoff, a minute to go."""
    return CallRetry(
        Backoff(is_retryable, base_delay=0.001, max_delay=0.002, max_attempts=MAX_ATTEMPTS),
        deadline=time.monotonic() + 60,
    )


def ecs_adapter(cloud, retry):
    return EcsAdapter.from_connection(
        {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'endpoint_url': cloud.url,
        },
        retry=retry,
    )


def ecs_calls(cloud, action):
    return cloud.admin.calls()['calls']['ecs'][action]


@pytest.mark.parametrize(
    'action, safe',
    [
        ('DescribeSnapshots', True),
        ('ListTagResources', True),
        ('GetResources', True),
        ('TagResources', True),
        ('CopySnapshot', False),
        ('CopySnapshotCrossRegions', False),
        ('CreateSnapshot', False),
        ('DeleteSnapshot', False),
    ],
)
def test_only_reads_and_tagging_are_safe_to_resend(action, safe):
    assert safe_to_resend(action) == safe


def test_a_batched_read_resends_the_call_that_failed_not_the_batch(fakecloud_clean):
    ids = fakecloud_clean.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': 350}]})['ecs']['snapshots']
    # Seed 2 lets the first two batches through and throttles the third twice.
    fakecloud_clean.admin.faults(
        {'seed': 2, 'rules': [{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'throttle_rate': 0.5}]}
    )
    retry = quick_retry()
    adapter = ecs_adapter(fakecloud_clean, retry)
    found = adapter.describe(REGION, ids)
    assert sorted(found) == sorted(ids)
    counts = ecs_calls(fakecloud_clean, 'DescribeSnapshots')
    # 4 batches of 100 ids; each throttled call cost one more call, nothing more.
    assert counts == {'calls': 4 + 2, 'errors': 2, 'mutations': 0}
    assert retry.retries == 2


def test_a_read_that_keeps_failing_is_tried_max_attempts_times_in_all(fakecloud_clean):
    ids = fakecloud_clean.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': 1}]})['ecs']['snapshots']
    fakecloud_clean.admin.faults({'rules': [{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'throttle_rate': 1.0}]})
    retry = quick_retry()
    adapter = ecs_adapter(fakecloud_clean, retry)
    engine = CopyEngine(adapter, EngineConfig(timeout=60), retry=retry)
    with pytest.raises(CloudError) as info:
        engine.call(adapter.describe, REGION, ids)
    assert info.value.exhausted and info.value.code == 'Throttling.User'
    # Not MAX_ATTEMPTS tries of the method times MAX_ATTEMPTS tries of the call.
    assert ecs_calls(fakecloud_clean, 'DescribeSnapshots')['calls'] == MAX_ATTEMPTS


def test_a_copy_call_is_never_resent_by_the_call_retry(fakecloud_clean):
    source = fakecloud_clean.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': 1}]})['ecs']['snapshots'][0]
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ecs', 'action': 'CopySnapshot', 'throttle_rate': 1.0, 'count': 1}]}
    )
    adapter = ecs_adapter(fakecloud_clean, quick_retry())
    with pytest.raises(CloudError) as info:
        adapter.start_copy(CopyRequest(source, REGION, ['cn-beijing']), ['cn-beijing'])
    assert not info.value.exhausted
    assert ecs_calls(fakecloud_clean, 'CopySnapshot') == {'calls': 1, 'errors': 1, 'mutations': 0}


def test_tencent_reads_are_resent_on_their_own(fakecloud_clean):
    seeded = fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 150}]})['cbs'][
        'snapshots'
    ]
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'cbs', 'action': 'DescribeSnapshots', 'throttle_rate': 1.0, 'count': 2}]}
    )
    retry = quick_retry()
    adapter = CbsAdapter.from_connection(
        {
            'secret_id': credentials.TENCENT_SECRET_ID,
            'secret_key': credentials.TENCENT_SECRET_KEY,
            'endpoint_url': fakecloud_clean.url,
        },
        retry=retry,
    )
    assert adapter.client.retry is retry
    assert sorted(adapter.describe('ap-guangzhou', seeded)) == sorted(seeded)
    counts = fakecloud_clean.admin.calls()['calls']['cbs']['DescribeSnapshots']
    assert counts == {'calls': 2 + 2, 'errors': 2, 'mutations': 0}
    assert retry.retries == 2


def test_aws_reads_are_resent_on_their_own():
    retry = quick_retry()
    with StubbedAws(retry) as aws:
        stubber = aws.stubbers['us-east-1']
        stubber.add_client_error('describe_snapshots', service_error_code='RequestLimitExceeded', http_status_code=503)
        stubber.add_response('describe_snapshots', {'Snapshots': [snapshot(SOURCE)]})
        found = aws.adapter.describe('us-east-1', [SOURCE])
        aws.assert_all_used()
    assert list(found) == [SOURCE]
    assert retry.retries == 1


def test_a_fresh_ecs_snapshot_slower_than_the_read_timeout_is_asked_for_again_with_its_client_token(fakecloud_clean):
    """CreateSnapshot carries a ClientToken on ECS: resending it after a timeout gets the same snapshot back,
    even when the cloud carries out the first call after the look-up would have come."""
    disk = fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': REGION, 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': 3 * 86400}]}]}
    )['ecs']['disks'][0]
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ecs', 'action': 'CreateSnapshot', 'latency_ms': 1500, 'latency_rate': 1.0, 'count': 1}]}
    )
    adapter = EcsAdapter.from_connection(
        {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'endpoint_url': fakecloud_clean.url,
            'read_timeout': 1,
        }
    )
    options = params(
        provider='ecs',
        source_region=REGION,
        dr_regions=['cn-beijing'],
        tags=None,
        description_template=None,
        max_snapshot_age_hours=1,
    )
    report = dr_run_with(adapter, options, sleep=lambda seconds: None)
    assert report['disks'][0]['fresh_snapshot']['action'] == 'created'
    assert not report['failures']
    fakecloud_clean.admin.wait_until_quiet()  # the slow call has landed: a second snapshot of it would show now
    snapshots = fakecloud_clean.admin.state(cloud='ecs', region=REGION)['ecs'][REGION]['snapshots']
    assert len([snapshot for snapshot in snapshots if snapshot['disk_id'] == disk]) == 2


# A copy call slower than the client's timeout: the cloud carries it out after the client gave up.
@pytest.mark.parametrize(
    'message',
    [
        # aliyun and Tencent SDKs (requests)
        "HTTPConnectionPool(host='127.0.0.1', port=1): Read timed out. (read timeout=2)",
        'Read timeout on endpoint URL: "https://ec2.us-west-2.amazonaws.com/"',  # botocore
    ],
)
def test_a_read_timeout_is_marked_with_the_time_the_cloud_may_still_take(message):
    error = note_read_timeout(CloudError('CopySnapshot', 'NetworkError', message, kind=RETRYABLE, uncertain=True), 7)
    assert error.settle_seconds == 14  # twice the client's timeout


def test_a_closed_connection_needs_no_settling():
    error = note_read_timeout(
        CloudError('CopySnapshot', 'NetworkError', 'Connection aborted.', kind=RETRYABLE, uncertain=True), 7
    )
    assert error.settle_seconds == 0


def test_an_ens_copy_slower_than_the_read_timeout_is_looked_up_once_it_landed_not_made_twice(fakecloud_clean):
    """ENS's CopySnapshot has no token: after the timeout the engine waits as long again, then looks up."""
    source = fakecloud_clean.admin.seed(ens={'disks': [{'region': 'cn-hangzhou-26', 'snapshots': 1}]})['ens'][
        'snapshots'
    ][0]
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ens', 'action': 'CopySnapshot', 'latency_ms': 1600, 'latency_rate': 1.0, 'count': 1}]}
    )
    adapter = EnsAdapter.from_connection(
        {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'endpoint_url': fakecloud_clean.url,
            'read_timeout': 1,
        }
    )
    engine = CopyEngine(
        adapter, EngineConfig(timeout=60), backoff=Backoff(is_retryable, base_delay=0.001, max_delay=0.002)
    )
    nodes = ['cn-beijing-cmcc', 'cn-suzhou-telecom']
    outcome = engine.run([CopyRequest(source, 'cn-hangzhou-26', nodes)])[0]
    assert not outcome.failed
    assert [destination_outcome.action for destination_outcome in outcome.destinations.values()] == [COPIED, COPIED]
    fakecloud_clean.admin.wait_until_quiet()  # whatever the slow call was going to do is done by now
    copies = [
        snapshot
        for resources in fakecloud_clean.admin.state(cloud='ens')['ens'].values()
        for snapshot in resources['snapshots']
        if snapshot['source_snapshot_id'] == source
    ]
    assert sorted(snapshot['id'] for snapshot in copies) == sorted(
        destination_outcome.snapshot.id for destination_outcome in outcome.destinations.values()
    )
    assert fakecloud_clean.admin.calls()['calls']['ens']['CopySnapshot']['mutations'] == 1


def test_a_fresh_ens_snapshot_slower_than_the_read_timeout_is_found_once_it_landed(fakecloud_clean):
    """ENS's CreateSnapshot has no token: the DR run waits as long again as it waited, then looks the snapshot up."""
    disk = fakecloud_clean.admin.seed(
        ens={'disks': [{'region': 'cn-hangzhou-26', 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': 3 * 86400}]}]}
    )['ens']['disks'][0]
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ens', 'action': 'CreateSnapshot', 'latency_ms': 1600, 'latency_rate': 1.0, 'count': 1}]}
    )
    adapter = EnsAdapter.from_connection(
        {
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'endpoint_url': fakecloud_clean.url,
            'read_timeout': 1,
        }
    )
    options = params(
        provider='ens',
        source_region='cn-hangzhou-26',
        dr_regions=['cn-beijing-cmcc'],
        tags=None,
        description_template=None,
        max_snapshot_age_hours=1,
    )
    report = dr_run_with(adapter, options)
    assert report['disks'][0]['fresh_snapshot']['action'] == 'created'
    assert not report['failures']
    fakecloud_clean.admin.wait_until_quiet()  # the slow call has landed
    snapshots = fakecloud_clean.admin.state(cloud='ens', region='cn-hangzhou-26')['ens']['cn-hangzhou-26']['snapshots']
    assert len([snapshot for snapshot in snapshots if snapshot['disk_id'] == disk]) == 2
