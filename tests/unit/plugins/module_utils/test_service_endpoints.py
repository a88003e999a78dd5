"""Each call goes to its own service's endpoint when no endpoint_url is set, as the clouds need.

fakecloud serves every service on one address, so a call sent to the wrong service's endpoint would pass there.
Here the clients run as they do against the real clouds (no endpoint_url: the SDKs' own host names, over HTTPS
through the proxy the environment names), and the proxy (local_server.tunnel_to) carries each request to fakecloud
with its Host header, the name it was signed for. fakecloud refuses a request whose Host names another service's
endpoint (server.service_of_host), as that service would not know the action; the tests below show it does.
"""

from __future__ import annotations

import contextlib
import warnings

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import AlibabaClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import (
    REQUEST_PACKAGE as ECS_PACKAGE,
    ecs_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens import (
    REQUEST_PACKAGE as ENS_PACKAGE,
    ens_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TencentClient, load_sdk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import tunnel_to

ALIBABA = {
    'alicloud_access_key': creds.ALIBABA_ACCESS_KEY_ID,
    'alicloud_secret_key': creds.ALIBABA_ACCESS_KEY_SECRET,
    'validate_certs': False,
    'connect_timeout': 5,
    'read_timeout': 10,
}
TENCENT = {
    'secret_id': creds.TENCENT_SECRET_ID,
    'secret_key': creds.TENCENT_SECRET_KEY,
    'validate_certs': False,
    'connect_timeout': 5,
    'read_timeout': 10,
}


@pytest.fixture
def proxy(fakecloud_clean, tmp_path, monkeypatch):
    """The clouds' host names lead to fakecloud: HTTPS_PROXY is the tunnel, nothing bypasses it."""
    with tunnel_to(fakecloud_clean.url, str(tmp_path)) as (url, hosts):
        for name in ('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'):
            monkeypatch.setenv(name, url)
        for name in ('NO_PROXY', 'no_proxy'):
            monkeypatch.delenv(name, raising=False)
        yield hosts


@contextlib.contextmanager
def no_insecure_warning():
    """Every warning shown, but urllib3's InsecureRequestWarning, which the clients turn off when validate_certs is:
    without that, each request over HTTPS would warn on the module's, the inventory's or the rulebook's stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        yield
    assert [str(warning.message) for warning in caught if warning.category.__name__ == 'InsecureRequestWarning'] == []


def test_tencent_calls_each_service_at_its_own_endpoint(fakecloud_clean, proxy):
    source = fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})['cbs'][
        'snapshots'
    ][0]
    with no_insecure_warning():
        client = TencentClient(dict(TENCENT, role_arn=creds.TENCENT_DR_ROLE_ARN), load_sdk())
        client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})  # as the role: STS first, then CBS
        answer = client.call(
            'tag', 'ap-guangzhou', 'GetResources', {'ResourceList': ['qcs::cvm:ap-guangzhou:uin/:snapshot/' + source]}
        )
    assert 'ResourceTagMappingList' in answer
    # The drill host's look-up (CVM, through CommonClient), at CVM's endpoint.
    assert client.call('cvm', 'ap-guangzhou', 'DescribeInstances', {})['InstanceSet'] == []
    assert [host.split('.', 1)[0] for host in proxy] == ['sts', 'cbs', 'tag', 'cvm'], proxy
    assert all(host.endswith('.tencentcloudapi.com') for host in proxy), proxy


def test_alibaba_calls_each_product_at_its_own_endpoint(fakecloud_clean, proxy):
    fakecloud_clean.admin.configure(alibaba_timestamp_window_seconds=100000)
    with no_insecure_warning():
        ecs = AlibabaClient(
            'ecs',
            dict(ALIBABA, alicloud_assume_role_arn=creds.ALIBABA_DR_ROLE_ARN),
            default_endpoint=ecs_endpoint,
            request_package=ECS_PACKAGE,
        )
        ecs.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
        ens = AlibabaClient('ens', ALIBABA, default_endpoint=lambda node: ens_endpoint(), request_package=ENS_PACKAGE)
        ens.call('DescribeSnapshots', {'EnsRegionId': 'cn-hangzhou-26'}, 'cn-hangzhou-26')
    assert proxy == ['sts.aliyuncs.com', ecs_endpoint('cn-hangzhou'), ens_endpoint()], proxy


def test_fakecloud_refuses_a_call_sent_to_another_services_endpoint(fakecloud_clean, proxy):
    """The two tests above could not fail if fakecloud took any action at any host: it does not."""
    sdk = load_sdk()
    profile = sdk['ClientProfile'](
        httpProfile=sdk['HttpProfile'](endpoint='cbs.tencentcloudapi.com', certification=False), language='en-US'
    )
    tag = sdk['clients']['tag'](
        sdk['Credential'](creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY), 'ap-guangzhou', profile
    )
    with pytest.raises(sdk['TencentCloudSDKException']) as info:
        tag.call_json('GetResources', {})
    assert info.value.get_code() == 'InvalidAction'

    misrouted = AlibabaClient(
        'ecs', ALIBABA, default_endpoint=lambda region: ens_endpoint(), request_package=ECS_PACKAGE
    )  # ECS's call at ENS's endpoint
    with pytest.raises(CloudError) as refused:
        misrouted.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert refused.value.code == 'InvalidAction.NotFound'
    assert proxy == ['cbs.tencentcloudapi.com', ens_endpoint()]
