"""The EBS direct APIs throttle (issue 61, 5): RequestThrottledException (reasons ACCOUNT_THROTTLED,
RESOURCE_LEVEL_THROTTLE), ServiceQuotaExceededException and ConcurrentLimitExceededException are retried with the run's
backoff (botocore's ebs model: "You should always retry ... RequestThrottledException"), through botocore's ebs client
against moto's server and the suites' EBS direct layer, whose fault plan sends them. One throttle costs one more call and
one backoff wait on the fake clock; a throttle that never ends leaves the copy not verified and its rewrite unmeasured,
each said, never a traceback. Calls are counted, never timed."""

from __future__ import annotations

import datetime

import botocore
import botocore.exceptions
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import RETRYABLE
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import CHURN_TAG, UNMEASURED, VERIFIED_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_calls import MAX_ATTEMPTS
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import backends
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import (
    KEYS,
    disks_with_snapshots,
)

ACCOUNT = '123456789012'  # moto's default account: the keys name no other


@pytest.fixture
def faults():
    yield ebs_direct
    ebs_direct.FAULTS.clear()


def aged(region, snapshot_id, hours):
    snapshot = backends(ACCOUNT, region).snapshots[snapshot_id]
    snapshot.start_time = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(
        hours=hours
    )


def a_disk_with_a_second_snapshot(moto_url, source, dr_region, tag_value):
    """A disk with a DR copy of its first snapshot in ``dr_region`` and a newer snapshot after 40 blocks were written:
    (volume id, first copy id). The next run copies, verifies and measures the newer one."""
    ((volume, first),) = list(disks_with_snapshots(moto_url, source, count=1, tag_value=tag_value).items())
    aged(source, first, 30)
    report, dummy = run(moto_url, source, dr_region, tag_value)
    ((first_copy, dummy),) = list(copies(report).items())
    aged(dr_region, first_copy, 29)
    ebs_direct.write_blocks(volume, range(40))
    aged(source, ec2_with(moto_url, KEYS, source).create_snapshot(VolumeId=volume)['SnapshotId'], 20)
    return volume, first_copy


def run(moto_url, source, dr_region, tag_value, **options):
    """(report, the fake clock) of a DR run with verify 4 and the churn alarm over the disks tagged verify=tag_value."""
    clock = FakeClock()
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
    report = dr_run_with(
        adapter,
        scope('aws', source, [dr_region], {'verify': tag_value}, verify=4, churn_alarm=50, **options),
        clock=clock,
    )
    return report, clock


def copies(report):
    return {copy['snapshot_id']: copy for disk in report['disks'] for copy in disk['copies']}


def test_one_throttle_of_each_read_costs_one_more_call_not_the_verdict(moto_url, faults):
    source, dr_region = 'eu-west-1', 'eu-central-2'
    dummy, first_copy = a_disk_with_a_second_snapshot(moto_url, source, dr_region, 'throttled-once')
    faults.fault('ListSnapshotBlocks', 'RequestThrottledException', 'ACCOUNT_THROTTLED')
    faults.fault('GetSnapshotBlock', 'RequestThrottledException', 'RESOURCE_LEVEL_THROTTLE')
    faults.fault('ListChangedBlocks', 'ServiceQuotaExceededException', 'DEPENDENCY_SERVICE_QUOTA_EXCEEDED')
    ebs_direct.EBS_CALLS.clear()
    report, clock = run(moto_url, source, dr_region, 'throttled-once')
    ((copy_id, copy),) = [item for item in copies(report).items() if item[0] != first_copy]
    assert copy['verification']['action'] == 'verified', copy['verification']
    assert copy['churn']['action'] == 'measured' and copy['churn']['compared_with'] == first_copy
    assert report['failures'] == [] and not [w for w in report['run_warnings'] if 'measured' in w]
    # Each throttled call sent once more: two lists and eight blocks read, one list of changes, three more.
    assert ebs_direct.EBS_CALLS == {'ListSnapshotBlocks': 3, 'GetSnapshotBlock': 9, 'ListChangedBlocks': 2}
    assert report['api_retries'] >= 3 and len(clock.sleeps) >= 3
    held = {
        found.id: found
        for found in EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore)).list_copies(
            dr_region
        )
    }
    assert held[copy_id].tags.get(VERIFIED_TAG) and held[copy_id].tags.get(CHURN_TAG) != UNMEASURED


def test_a_throttle_that_never_ends_leaves_the_copy_not_verified_and_unmeasured_and_says_so(moto_url, faults):
    source, dr_region = 'eu-west-2', 'eu-south-2'
    volume, first_copy = a_disk_with_a_second_snapshot(moto_url, source, dr_region, 'throttled-always')
    faults.fault('GetSnapshotBlock', 'RequestThrottledException', 'ACCOUNT_THROTTLED', count=None)
    faults.fault('ListChangedBlocks', 'RequestThrottledException', 'RESOURCE_LEVEL_THROTTLE', count=None)
    ebs_direct.EBS_CALLS.clear()
    report, dummy = run(moto_url, source, dr_region, 'throttled-always')
    ((copy_id, copy),) = [item for item in copies(report).items() if item[0] != first_copy]
    assert copy['verification']['action'] == 'not_verified'
    assert copy['verification']['error']['code'] == 'RequestThrottledException'
    assert 'ACCOUNT_THROTTLED' in copy['verification']['error']['message']
    assert copy['churn']['action'] == 'not_measured'
    assert any(copy_id in failure and 'RequestThrottledException' in failure for failure in report['failures'])
    assert any(copy_id in warning and 'could not be measured' in warning for warning in report['run_warnings'])
    # Sent as often as the run tries, no more: every call of the verdict counted.
    assert ebs_direct.EBS_CALLS['ListChangedBlocks'] == MAX_ATTEMPTS
    assert ebs_direct.EBS_CALLS['GetSnapshotBlock'] % MAX_ATTEMPTS == 0
    held = {
        found.id: found
        for found in EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore)).list_copies(
            dr_region
        )
    }
    assert held[copy_id].tags[CHURN_TAG] == UNMEASURED and not held[copy_id].tags.get(VERIFIED_TAG)
    # The disk stands by the copy before, whose rewrite is known.
    (cell,) = report['protection']['disks'][0]['regions']
    assert (cell['doubt'], cell['copy_id']) == ('unmeasured', first_copy)


@pytest.mark.parametrize(
    ('code', 'status', 'reason'),
    [
        ('RequestThrottledException', 400, 'ACCOUNT_THROTTLED'),
        ('RequestThrottledException', 400, 'RESOURCE_LEVEL_THROTTLE'),
        ('ConcurrentLimitExceededException', 400, None),
        ('ServiceQuotaExceededException', 402, 'DEPENDENCY_SERVICE_QUOTA_EXCEEDED'),
    ],
)
def test_the_ebs_direct_throttles_are_retryable_and_name_their_reason(code, status, reason):
    """ConcurrentLimitExceededException is in the model for StartSnapshot only, which the layer does not answer: its
    kind is checked on the error botocore raises for such an answer."""
    response = {
        'Error': {'Code': code, 'Message': 'slow down'},
        'ResponseMetadata': {'HTTPStatusCode': status, 'RequestId': 'r-1'},
    }
    if reason:
        response['Reason'] = reason
    error = AwsClient({}, botocore_module=botocore).cloud_error(
        'GetSnapshotBlock', 'eu-west-1', botocore.exceptions.ClientError(response, 'GetSnapshotBlock')
    )
    assert (error.kind, error.code, error.request_id) == (RETRYABLE, code, 'r-1')
    assert (reason or 'slow down') in error.message
