"""TLS defects that the chaos suite's TLS test (tests/chaos/test_tls.py) found.

* Alibaba: an ``https://`` endpoint_url went out as plain HTTP. The core SDK tells HTTPS from
  HTTP by identity (``protocol is HTTPS``), and the scheme that urlsplit gives is an equal string,
  not the SDK's own object; so no TLS, and no certificate check either.
* Tencent: a certificate that failed verification crashed the error classification (an
  ``ssl.SSLError`` carries its ``reason`` as text), so the task ended in a traceback instead of
  ``SSLError`` with what to do.
"""

from __future__ import annotations

import ssl

import pytest
from aliyunsdkcore.http import protocol_type
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import AlibabaClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import REQUEST_PACKAGE, ecs_endpoint
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    TencentClient,
    load_sdk,
    network_error,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import FATAL, CloudError
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds


class RecordingSdkClient:
    """Stands in for the SDK's AcsClient: keeps the request it is asked to send."""

    def __init__(self):
        self.requests = []

    def do_action_with_exception(self, request):
        self.requests.append(request)
        return b'{}'


@pytest.mark.parametrize(
    'url, expected', [('https://127.0.0.1:8443', protocol_type.HTTPS), ('http://127.0.0.1:8080', protocol_type.HTTP)]
)
def test_an_alibaba_endpoint_url_keeps_its_scheme_as_the_sdk_understands_it(url, expected):
    client = AlibabaClient(
        'ecs',
        {'alicloud_access_key': 'LTAIexample', 'alicloud_secret_key': 'secret', 'endpoint_url': url},
        default_endpoint=ecs_endpoint,
        request_package=REQUEST_PACKAGE,
    )
    sdk_client = RecordingSdkClient()
    client._clients[(client.endpoint('cn-hangzhou'), None)] = sdk_client  # pylint: disable=protected-access
    client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert sdk_client.requests[0].get_protocol_type() is expected


def test_the_default_alibaba_endpoints_are_https():
    client = AlibabaClient(
        'ecs',
        {'alicloud_access_key': 'LTAIexample', 'alicloud_secret_key': 'secret'},
        default_endpoint=ecs_endpoint,
        request_package=REQUEST_PACKAGE,
    )
    sdk_client = RecordingSdkClient()
    client._clients[(client.endpoint('cn-hangzhou'), None)] = sdk_client  # pylint: disable=protected-access
    client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert sdk_client.requests[0].get_protocol_type() is protocol_type.HTTPS


def sdk_error_caused_by(cause):
    """The SDK's ClientNetworkError, raised from ``cause`` as the SDK raises it from requests' errors."""
    try:
        try:
            raise cause
        except ssl.SSLError as error:
            raise TencentCloudSDKException('ClientNetworkError', 'certificate verify failed') from error
    except TencentCloudSDKException as wrapped:
        return wrapped


def test_a_tencent_certificate_failure_is_an_ssl_error_not_a_crash():
    verification = ssl.SSLCertVerificationError(
        1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate'
    )
    verification.reason = 'CERTIFICATE_VERIFY_FAILED'  # as the ssl module sets it: text
    error = network_error('DescribeSnapshots', 'ap-guangzhou', sdk_error_caused_by(verification))
    assert error.code == 'SSLError' and error.kind == FATAL
    assert 'validate_certs' in error.message


def test_a_tencent_endpoint_that_speaks_no_tls_is_an_ssl_error_at_once(fakecloud_clean):
    """An https:// endpoint_url where plain HTTP answers (a private endpoint's scheme mistyped): the TLS handshake fails
    with no certificate in question (WRONG_VERSION_NUMBER, no SSLCertVerificationError). Nothing was sent: the task
    fails with SSLError and what to check, rather than retrying a call that may have been carried out."""
    client = TencentClient(
        {
            'secret_id': creds.TENCENT_SECRET_ID,
            'secret_key': creds.TENCENT_SECRET_KEY,
            'endpoint_url': 'https://' + fakecloud_clean.endpoint,
        },
        load_sdk(),
    )
    with pytest.raises(CloudError) as info:
        client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert info.value.code == 'SSLError' and info.value.kind == FATAL, info.value
    assert fakecloud_clean.admin.calls()['total_calls'] == 0


def test_an_exception_chain_that_loops_is_walked_once():
    """requests and urllib3 wrap errors in errors; one that names an earlier one again (a context set by hand, a
    reason pointing back) must not keep the classification walking."""
    first, second = OSError('first'), ConnectionResetError('second')
    first.__context__, second.__context__ = second, first
    wrapped = TencentCloudSDKException('ClientNetworkError', 'no answer')
    wrapped.__cause__ = first
    error = network_error('DescribeSnapshots', 'ap-guangzhou', wrapped)
    assert error.code == 'ClientNetworkError' and error.uncertain
