"""TC3-HMAC-SHA256 checks and injected faults as the tencentcloud SDK sees them."""

from __future__ import annotations

import time

import pytest
from tencentcloud.cbs.v20170312 import cbs_client, models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tag.v20180813 import models as tag_models, tag_client

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client

REGION, DR = 'ap-guangzhou', 'ap-beijing'


def cbs(fc, **kwargs):
    return tencent_client(cbs_client.CbsClient, fc.endpoint, REGION, **kwargs)


def error_of(func, req) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as info:
        func(req)
    return info.value


def copy_request(source: str):
    req = models.CopySnapshotCrossRegionsRequest()
    req.SnapshotId = source
    req.DestinationRegions = [DR]
    return req


def seed_source(fc) -> str:
    return fc.admin.seed(cbs={'disks': [{'region': REGION, 'snapshots': 1}]})['cbs']['snapshots'][0]


def test_wrong_key_unknown_id_and_expired_signature(fc):
    bad_key = cbs(fc, secret_key='not-the-key')
    assert error_of(bad_key.DescribeDisks, models.DescribeDisksRequest()).get_code() == 'AuthFailure.SignatureFailure'
    bad_tag = tencent_client(tag_client.TagClient, fc.endpoint, None, secret_key='not-the-key')
    assert error_of(bad_tag.GetResources, tag_models.GetResourcesRequest()).get_code() == 'AuthFailure.SignatureFailure'
    unknown = cbs(fc, secret_id='AKIDnobody')
    assert error_of(unknown.DescribeDisks, models.DescribeDisksRequest()).get_code() == 'AuthFailure.SecretIdNotFound'
    fc.admin.advance_clock(301)
    assert error_of(cbs(fc).DescribeDisks, models.DescribeDisksRequest()).get_code() == 'AuthFailure.SignatureExpire'


def test_temporary_credentials_need_the_token(fc):
    good = cbs(
        fc,
        secret_id=creds.TENCENT_TMP_SECRET_ID,
        secret_key=creds.TENCENT_TMP_SECRET_KEY,
        token=creds.TENCENT_TMP_TOKEN,
    )
    assert good.DescribeDisks(models.DescribeDisksRequest()).TotalCount == 0
    no_token = cbs(fc, secret_id=creds.TENCENT_TMP_SECRET_ID, secret_key=creds.TENCENT_TMP_SECRET_KEY)
    assert error_of(no_token.DescribeDisks, models.DescribeDisksRequest()).get_code() == 'AuthFailure.TokenFailure'


def test_unknown_region(fc):
    client = tencent_client(cbs_client.CbsClient, fc.endpoint, 'xx-nowhere')
    assert error_of(client.DescribeDisks, models.DescribeDisksRequest()).get_code() == 'UnsupportedRegion'


@pytest.mark.parametrize(
    'rule, code',
    [
        ({'throttle_rate': 1.0}, 'RequestLimitExceeded'),
        ({'error_rate': 1.0}, 'InternalError'),
        ({'error_rate': 1.0, 'error_code': 'ResourceBusy'}, 'ResourceBusy'),
    ],
)
def test_injected_errors(fc, rule, code):
    source = seed_source(fc)
    fc.admin.faults(rules=[dict(rule, cloud='cbs', action='CopySnapshotCrossRegions')])
    err = error_of(cbs(fc).CopySnapshotCrossRegions, copy_request(source))
    assert err.get_code() == code and err.get_request_id()
    assert fc.admin.calls()['total_mutations'] == 0


def test_twenty_requests_per_second_per_action(fc):
    fc.admin.faults(tencent_rate_limit=True)
    client = cbs(fc)
    codes = []
    started = time.monotonic()
    for dummy in range(30):
        try:
            client.DescribeDisks(models.DescribeDisksRequest())
            codes.append('ok')
        except TencentCloudSDKException as err:
            codes.append(err.get_code())
    if time.monotonic() - started < 1.0:
        assert codes.count('ok') == 20 and codes.count('RequestLimitExceeded') == 10
    # Another action has its own budget.
    client.DescribeSnapshots(models.DescribeSnapshotsRequest())


def test_lost_answer_shows_as_network_error_but_copy_exists(fc):
    source = seed_source(fc)
    fc.admin.faults(rules=[{'cloud': 'cbs', 'action': 'CopySnapshotCrossRegions', 'lost_answer_rate': 1.0}])
    err = error_of(cbs(fc).CopySnapshotCrossRegions, copy_request(source))
    assert err.get_code() == 'ClientNetworkError'
    made = fc.admin.state('cbs', DR)['cbs'][DR]['snapshots']
    assert len(made) == 1 and made[0]['source_snapshot_id'] == source and made[0]['status'] == 'COPYING_FROM_REMOTE'
    assert fc.admin.calls()['log'][-1]['answer_lost'] is True
    # What a careful retry sees: the copy in flight, so a second copy is refused.
    fc.admin.faults({})
    assert (
        error_of(cbs(fc).CopySnapshotCrossRegions, copy_request(source)).get_code()
        == 'ResourceInUse.CopySnapshotConflict'
    )


def test_latency_applies_to_tag_service(fc):
    fc.admin.faults(rules=[{'cloud': 'tag', 'action': '*', 'latency_ms': 250}])
    started = time.monotonic()
    tencent_client(tag_client.TagClient, fc.endpoint, None).GetResources(tag_models.GetResourcesRequest())
    assert time.monotonic() - started >= 0.25
