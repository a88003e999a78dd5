"""Alibaba RPC authentication: signature, unknown keys, nonce replay, timestamp window, STS."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.utils import parameter_helper
from aliyunsdkecs.request.v20140526 import DescribeDisksRequest, DescribeRegionsRequest
from aliyunsdkens.request.v20171110 import DescribeEnsRegionsRequest

from ansible_collections.snapcopy.cloud.tests.fakecloud import alibaba_auth, credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client


def error_of(fc, request, client) -> ServerException:
    with pytest.raises(ServerException) as info:
        alibaba_call(fc.endpoint, client, request)
    return info.value


@pytest.mark.parametrize(
    'request_class',
    [DescribeRegionsRequest.DescribeRegionsRequest, DescribeEnsRegionsRequest.DescribeEnsRegionsRequest],
)
def test_wrong_secret_is_refused(fc, request_class):
    err = error_of(fc, request_class(), alibaba_client(secret='not-the-secret', auto_retry=False))
    # The cloud answers SignatureDoesNotMatch with its string to sign; the SDK sees that the strings
    # agree (so only the secret differs) and reports InvalidAccessKeySecret, as against the real cloud.
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidAccessKeySecret', 400)


def _raw_rpc(fc, params: dict, secret: str, method: str = 'GET') -> tuple:
    params = dict(
        params,
        Format='JSON',
        AccessKeyId=creds.ALIBABA_ACCESS_KEY_ID,
        SignatureMethod='HMAC-SHA1',
        SignatureVersion='1.0',
        SignatureNonce=parameter_helper.get_uuid(),
        Timestamp=parameter_helper.get_iso_8061_date(),
    )
    params['Signature'] = alibaba_auth.sign(method, params, secret)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request('%s/?%s' % (fc.url, urllib.parse.urlencode(params)), method=method)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_raw_signature_mismatch_envelope(fc):
    """The error envelope itself, seen without the SDK's renaming."""
    status, body = _raw_rpc(
        fc, {'Action': 'DescribeRegions', 'Version': '2014-05-26', 'RegionId': 'cn-hangzhou'}, 'wrong-secret'
    )
    assert status == 400 and body['Code'] == 'SignatureDoesNotMatch'
    assert set(body) == {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}
    assert body['Message'].split('server string to sign is:')[1].startswith('GET&%2F&AccessKeyId%3D')
    status, body = _raw_rpc(
        fc,
        {'Action': 'DescribeRegions', 'Version': '2014-05-26', 'RegionId': 'cn-hangzhou'},
        creds.ALIBABA_ACCESS_KEY_SECRET,
    )
    assert status == 200 and body['Regions']['Region']


def test_unknown_access_key(fc):
    err = error_of(fc, DescribeDisksRequest.DescribeDisksRequest(), alibaba_client(access_key_id='LTAInobody'))
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidAccessKeyId.NotFound', 404)


def test_replayed_nonce_is_refused(fc, monkeypatch):
    monkeypatch.setattr(parameter_helper, 'get_uuid', lambda: 'fixed-nonce-0001')
    client = alibaba_client(auto_retry=False)
    alibaba_call(fc.endpoint, client, DescribeRegionsRequest.DescribeRegionsRequest())
    err = error_of(fc, DescribeRegionsRequest.DescribeRegionsRequest(), client)
    assert (err.get_error_code(), err.get_http_status()) == ('SignatureNonceUsed', 400)


def test_expired_timestamp_is_refused(fc):
    fc.admin.advance_clock(16 * 60)
    err = error_of(fc, DescribeRegionsRequest.DescribeRegionsRequest(), alibaba_client(auto_retry=False))
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidTimeStamp.Expired', 400)
    fc.admin.advance_clock(-16 * 60 + 14 * 60)  # inside the 15 minute window again
    alibaba_call(fc.endpoint, alibaba_client(), DescribeRegionsRequest.DescribeRegionsRequest())


def test_sts_keys_need_their_security_token(fc):
    good = alibaba_client(
        access_key_id=creds.ALIBABA_STS_ACCESS_KEY_ID,
        secret=creds.ALIBABA_STS_ACCESS_KEY_SECRET,
        security_token=creds.ALIBABA_STS_SECURITY_TOKEN,
    )
    assert alibaba_call(fc.endpoint, good, DescribeRegionsRequest.DescribeRegionsRequest())['Regions']
    no_token = alibaba_client(access_key_id=creds.ALIBABA_STS_ACCESS_KEY_ID, secret=creds.ALIBABA_STS_ACCESS_KEY_SECRET)
    assert (
        error_of(fc, DescribeRegionsRequest.DescribeRegionsRequest(), no_token).get_error_code()
        == 'MissingSecurityToken'
    )
    wrong = alibaba_client(
        access_key_id=creds.ALIBABA_STS_ACCESS_KEY_ID,
        secret=creds.ALIBABA_STS_ACCESS_KEY_SECRET,
        security_token='stale-token',
    )
    assert (
        error_of(fc, DescribeRegionsRequest.DescribeRegionsRequest(), wrong).get_error_code()
        == 'InvalidSecurityToken.MismatchWithAccessKey'
    )


def test_credentials_can_be_replaced(fc):
    fc.admin.configure(credentials={'alibaba': [{'access_key_id': 'LTAIother', 'access_key_secret': 's3cret'}]})
    alibaba_call(
        fc.endpoint,
        alibaba_client(access_key_id='LTAIother', secret='s3cret'),
        DescribeRegionsRequest.DescribeRegionsRequest(),
    )
    err = error_of(fc, DescribeRegionsRequest.DescribeRegionsRequest(), alibaba_client())
    assert err.get_error_code() == 'InvalidAccessKeyId.NotFound'
