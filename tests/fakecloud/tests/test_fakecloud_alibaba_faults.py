"""Injected faults as the aliyun SDK sees them: the cloud's own error codes and statuses."""

from __future__ import annotations

import json
import time

import pytest
from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkecs.request.v20140526 import DescribeSnapshotsRequest

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client, ecs_copy_request
from ansible_collections.snapcopy.cloud.tests.fakecloud.errors import CloudError
from ansible_collections.snapcopy.cloud.tests.fakecloud.faults import FaultPlan

REGION, DR = 'cn-hangzhou', 'cn-beijing'


def seed_source(fc) -> str:
    return fc.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': 1}]})['ecs']['snapshots'][0]


def copy_request(source: str, token: str | None = None):
    return ecs_copy_request(source, DR, ClientToken=token)


def server_error(fc, request, client=None) -> ServerException:
    with pytest.raises(ServerException) as info:
        alibaba_call(fc.endpoint, client or alibaba_client(auto_retry=False), request)
    return info.value


@pytest.mark.parametrize(
    'rule, expected',
    [
        ({'throttle_rate': 1.0}, ('Throttling.User', 400)),
        ({'throttle_rate': 1.0, 'throttle_code': 'Throttling'}, ('Throttling', 400)),
        ({'error_rate': 1.0}, ('ServiceUnavailable', 503)),
        ({'error_rate': 1.0, 'error_code': 'InternalError'}, ('InternalError', 500)),
    ],
)
def test_throttling_and_server_errors(fc, rule, expected):
    source = seed_source(fc)
    fc.admin.faults(rules=[dict(rule, cloud='ecs', action='Copy*')])
    err = server_error(fc, copy_request(source))
    assert (err.get_error_code(), err.get_http_status()) == expected
    assert fc.admin.calls()['total_mutations'] == 0
    # Other actions are untouched by a rule for Copy*.
    alibaba_call(fc.endpoint, alibaba_client(), DescribeSnapshotsRequest.DescribeSnapshotsRequest())


def test_a_rule_with_params_fails_only_the_calls_that_send_them():
    """A rule's ``params`` narrows it to one kind of a call (of an action's several filters, one), and ``count`` counts
    only the calls it fails."""
    plan = FaultPlan(
        {
            'rules': [
                {
                    'cloud': 'resourcesharing',
                    'action': 'ListResourceShareAssociations',
                    'params': {'AssociationType': 'Target'},
                    'error_rate': 1.0,
                    'error_code': 'Forbidden.RAM',
                    'count': 1,
                }
            ]
        }
    )
    call = ('resourcesharing', 'ListResourceShareAssociations')
    assert plan.injected_error(*call, {'AssociationType': 'Resource', 'ResourceId': 's-1'}) is None
    assert plan.injected_error(*call) is None
    assert plan.injected_error(*call, {'AssociationType': 'Target'}).code == 'Forbidden.RAM'
    assert plan.injected_error(*call, {'AssociationType': 'Target'}) is None, 'its count spent'


def test_sdk_retries_throttling_on_describe(fc):
    seed_source(fc)
    fc.admin.faults(
        rules=[
            {
                'cloud': 'ecs',
                'action': 'DescribeSnapshots',
                'throttle_rate': 1.0,
                'throttle_code': 'Throttling',
                'count': 1,
            }
        ]
    )
    answer = alibaba_call(fc.endpoint, alibaba_client(), DescribeSnapshotsRequest.DescribeSnapshotsRequest())
    assert answer['TotalCount'] == 1
    counts = fc.admin.calls()['calls']['ecs']['DescribeSnapshots']
    assert counts['calls'] == 2 and counts['errors'] == 1


def test_latency(fc):
    fc.admin.faults(rules=[{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'latency_ms': 300}])
    started = time.monotonic()
    alibaba_call(fc.endpoint, alibaba_client(), DescribeSnapshotsRequest.DescribeSnapshotsRequest())
    assert time.monotonic() - started >= 0.3


def test_latency_rate_slows_down_only_that_fraction_of_the_calls():
    plan = FaultPlan({'seed': 7, 'rules': [{'cloud': 'ecs', 'action': '*', 'latency_ms': 500, 'latency_rate': 0.25}]})
    delays = [plan.latency('ecs', 'DescribeSnapshots') for dummy in range(2000)]
    assert set(delays) == {0.0, 0.5}
    assert 400 < delays.count(0.5) < 600
    # Without latency_rate, every matching call waits.
    assert FaultPlan({'rules': [{'cloud': 'ecs', 'latency_ms': 500}]}).latency('ecs', 'CopySnapshot') == 0.5


def test_rate_limit_windows_are_per_account():
    plan = FaultPlan({'rate_limits': [{'cloud': 'ecs', 'action': 'CopySnapshot', 'limit': 2, 'per_seconds': 60}]})
    for dummy in range(2):
        plan.check_limits('ecs', 'CopySnapshot', now=100.0, account='1111')
    with pytest.raises(CloudError) as info:
        plan.check_limits('ecs', 'CopySnapshot', now=100.0, account='1111')
    assert info.value.code == 'Throttling.User'
    # Another account has a budget of its own, and the first one's comes back after the window.
    plan.check_limits('ecs', 'CopySnapshot', now=100.0, account='2222')
    plan.check_limits('ecs', 'CopySnapshot', now=160.5, account='1111')


def test_rate_limit(fc):
    # Three disks: a second copy of one disk to one region would wait for the first (DiskHasUnfinishedSnapshotCopy).
    sources = [seed_source(fc) for dummy in range(3)]
    fc.admin.faults(rate_limits=[{'cloud': 'ecs', 'action': 'CopySnapshot', 'limit': 2, 'per_seconds': 60}])
    alibaba_call(fc.endpoint, alibaba_client(), copy_request(sources[0], 'a'))
    alibaba_call(fc.endpoint, alibaba_client(), copy_request(sources[1], 'b'))
    assert server_error(fc, copy_request(sources[2], 'c')).get_error_code() == 'Throttling.User'


def test_lost_answer_after_commit_then_client_token_retry(fc):
    source = seed_source(fc)
    fc.admin.faults(rules=[{'cloud': 'ecs', 'action': 'CopySnapshot', 'lost_answer_rate': 1.0, 'count': 1}])
    with pytest.raises(ClientException) as info:
        alibaba_call(fc.endpoint, alibaba_client(), copy_request(source, 'lost-1'))
    assert info.value.get_error_code() == 'SDK.HttpError'
    made = fc.admin.state('ecs', DR)['ecs'][DR]['snapshots']
    assert len(made) == 1 and made[0]['source_snapshot_id'] == source
    log = fc.admin.calls()['log']
    assert log[-1]['action'] == 'CopySnapshot' and log[-1]['answer_lost'] is True
    assert log[-1]['params']['SnapshotId'] == source and log[-1]['region'] == DR
    # The retry with the same ClientToken gets the copy the lost answer would have named.
    again = alibaba_call(fc.endpoint, alibaba_client(), copy_request(source, 'lost-1'))
    assert again['SnapshotId'] == made[0]['id']
    assert len(fc.admin.state('ecs', DR)['ecs'][DR]['snapshots']) == 1


def test_failing_copy_ends_failed(fc):
    source = seed_source(fc)
    fc.admin.faults(failing_copies={'ecs': {'regions': [DR]}})
    copy_id = alibaba_call(fc.endpoint, alibaba_client(), copy_request(source))['SnapshotId']
    fc.admin.advance_clock(30)
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    req.set_SnapshotIds(json.dumps([copy_id]))
    snap = alibaba_call(fc.endpoint, alibaba_client(DR), req)['Snapshots']['Snapshot'][0]
    assert snap['Status'] == 'failed'


def test_broken_destination_region(fc):
    source = seed_source(fc)
    fc.admin.faults(broken_regions={'ecs': [DR]})
    assert server_error(fc, copy_request(source)).get_error_code() == 'ServiceUnavailable'


def test_faults_are_reproducible_with_a_seed(fc):
    outcomes = []
    for dummy in range(2):
        fc.admin.faults(seed=7, rules=[{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'error_rate': 0.5}])
        run = []
        for dummy in range(12):
            try:
                alibaba_call(
                    fc.endpoint, alibaba_client(auto_retry=False), DescribeSnapshotsRequest.DescribeSnapshotsRequest()
                )
                run.append('ok')
            except ServerException as err:
                run.append(err.get_error_code())
        outcomes.append(run)
    assert outcomes[0] == outcomes[1] and 'ok' in outcomes[0] and 'ServiceUnavailable' in outcomes[0]
