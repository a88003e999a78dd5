"""The shared Alibaba layer: error classification, endpoints, proxies, credentials, input rules."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from alibabacloud_ecs20140526.client import Client as EcsV2Client
from alibabacloud_tea_openapi.models import Config as OpenApiConfig
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import client as alibaba, validate as rules
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import (
    ALIBABA_CONNECTION_SPEC,
    AlibabaClient,
    clean_network_message,
    client_error,
    is_loopback,
    load_sdk,
    parse_endpoint_url,
    proxies_for,
    server_error,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import (
    ENDPOINT_EXCEPTIONS,
    REQUEST_PACKAGE as ECS_PACKAGE,
    ecs_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens import ens_endpoint
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    FATAL,
    INVALID,
    NOT_FOUND,
    RETRYABLE,
    CloudError,
    InputError,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import new_adapter
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.input_rules import accepted


def client(cloud=None, **overrides):
    conn = {
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'endpoint_url': cloud.url if cloud else None,
        'validate_certs': True,
        'connect_timeout': 5,
        'read_timeout': 5,
    }
    conn.update(overrides)
    return AlibabaClient('ecs', conn, default_endpoint=ecs_endpoint, request_package=ECS_PACKAGE)


# ---------------------------------------------------------------------------- connection options
def test_connection_options_use_alibaba_alicloud_names_and_variables():
    spec = ALIBABA_CONNECTION_SPEC
    assert spec['alicloud_access_key']['aliases'] == ['access_key_id', 'access_key']
    assert spec['alicloud_secret_key']['no_log'] and spec['alicloud_security_token']['no_log']
    assert spec['alicloud_access_key']['fallback'][1] == [
        'ALICLOUD_ACCESS_KEY',
        'ALICLOUD_ACCESS_KEY_ID',
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
    ]
    assert 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' in spec['alicloud_secret_key']['fallback'][1]
    assert spec['alicloud_security_token']['fallback'][1] == ['ALICLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_SECURITY_TOKEN']


def test_missing_credentials_are_an_input_error():
    with pytest.raises(InputError) as info:
        client(alicloud_secret_key=None)
    assert info.value.option == 'alicloud_access_key'
    assert 'ALICLOUD_SECRET_KEY' in str(info.value)


@pytest.mark.parametrize(
    'url, expected',
    [
        ('http://127.0.0.1:8080', ('http', '127.0.0.1:8080')),
        ('https://ecs.private.example.com', ('https', 'ecs.private.example.com')),
        ('https://ecs.example.com:8443/', ('https', 'ecs.example.com:8443')),
    ],
)
def test_endpoint_url_forms(url, expected):
    assert parse_endpoint_url(url) == expected


@pytest.mark.parametrize(
    'url',
    [
        'ecs.aliyuncs.com',
        'ftp://host',
        'http://host/path',
        'http://host:notaport',
        'https://user:pw@host',
        'http://host?x=1',
        'http://',
    ],
)
def test_bad_endpoint_urls_are_refused(url):
    with pytest.raises(InputError) as info:
        parse_endpoint_url(url)
    assert info.value.option == 'endpoint_url'


def test_default_endpoints_are_the_vendor_models():
    """ECS's endpoints as the V2 SDK picks them (its Client._endpoint_map, the regional rule otherwise),
    whatever release of the V1 SDK is installed."""
    vendor = EcsV2Client(
        OpenApiConfig(access_key_id='LTAIexample', access_key_secret='example', region_id='cn-hangzhou')
    )
    exceptions = vendor._endpoint_map  # pylint: disable=protected-access
    assert {region: ecs_endpoint(region) for region in exceptions} == exceptions
    assert sorted(region for regions in ENDPOINT_EXCEPTIONS.values() for region in regions) == sorted(exceptions)
    assert ecs_endpoint('cn-hangzhou') == 'ecs-cn-hangzhou.aliyuncs.com'
    assert ecs_endpoint('cn-beijing') == 'ecs.cn-beijing.aliyuncs.com'
    made = client()
    assert made.scheme == 'https' and made.endpoint('ap-southeast-1') == 'ecs.ap-southeast-1.aliyuncs.com'


def test_ens_endpoint_is_the_sites_not_the_nodes():
    """One ENS endpoint per site, picked by alicloud_region as the vendor's V2 SDK picks it
    (alibabacloud-ens20171110 Client._endpoint_map): the China site's regions share ens.aliyuncs.com."""
    assert ens_endpoint(None) == ens_endpoint('cn-hangzhou') == ens_endpoint('cn-zhangjiakou') == 'ens.aliyuncs.com'
    assert ens_endpoint('ap-southeast-1') == 'ens.ap-southeast-1.aliyuncs.com'
    connection = {'alicloud_access_key': 'LTAIexample', 'alicloud_secret_key': 'secret', 'endpoint_url': None}
    international = EnsAdapter.from_connection(dict(connection, alicloud_region='ap-southeast-1'), sdk={})
    assert international.client.endpoint('cn-beijing-cmcc') == 'ens.ap-southeast-1.aliyuncs.com'
    assert EnsAdapter.from_connection(connection, sdk={}).client.endpoint('my-node-1') == 'ens.aliyuncs.com'
    with pytest.raises(InputError) as info:
        EnsAdapter.from_connection(dict(connection, alicloud_region='ens.aliyuncs.com'), sdk={})
    assert info.value.option == 'alicloud_region'


@pytest.mark.parametrize(
    'host, loopback',
    [
        ('127.0.0.1:8080', True),
        ('127.1.2.3', True),
        ('localhost:1', True),
        ('[::1]:8080', True),
        ('ecs.aliyuncs.com', False),
        ('10.0.0.1:80', False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_proxies_never_for_loopback_and_no_proxy_hosts(monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example:3128')
    monkeypatch.setenv('NO_PROXY', 'internal.example')
    assert proxies_for('127.0.0.1:9000') == {'http': None, 'https': None}
    assert proxies_for('ecs.internal.example') == {'http': None, 'https': None}
    assert proxies_for('ecs.cn-beijing.aliyuncs.com') is None  # the SDK then uses HTTPS_PROXY


def test_sdk_retry_is_off_and_timeouts_and_verification_are_passed(fakecloud_clean):
    made = client(fakecloud_clean, connect_timeout=3, read_timeout=7, validate_certs=False)
    sdk_client = made._client(made.endpoint('cn-hangzhou'))  # pylint: disable=protected-access
    assert not sdk_client.is_auto_retry()
    assert sdk_client.get_verify() is False
    assert (sdk_client._connect_timeout, sdk_client._read_timeout) == (3, 7)  # pylint: disable=protected-access


def test_server_error_throttling_is_retried_not_sdk_retried(fakecloud_clean):
    """The core SDK would retry Throttling for Describe calls itself; with its retry off, we see it once."""
    fakecloud_clean.admin.faults(
        {
            'rules': [
                {
                    'cloud': 'ecs',
                    'action': 'DescribeSnapshots',
                    'throttle_rate': 1.0,
                    'throttle_code': 'Throttling',
                    'count': 1,
                }
            ]
        }
    )
    with pytest.raises(CloudError) as info:
        client(fakecloud_clean).call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert info.value.kind == RETRYABLE and info.value.code == 'Throttling' and info.value.request_id
    assert fakecloud_clean.admin.calls()['calls']['ecs']['DescribeSnapshots']['calls'] == 1


def test_unknown_action_version_is_reported_with_its_code(fakecloud_clean):
    answer = client(fakecloud_clean).call('DescribeRegions', {}, 'cn-hangzhou')
    assert 'cn-beijing' in [region['RegionId'] for region in answer['Regions']['Region']]


# ---------------------------------------------------------------------------- error classification
@pytest.mark.parametrize(
    'code, status, kind',
    [
        ('Throttling', 400, RETRYABLE),
        ('Throttling.User', 400, RETRYABLE),
        ('Throttling.Api', 400, RETRYABLE),
        ('ServiceUnavailable', 503, RETRYABLE),
        ('InternalError', 500, RETRYABLE),
        ('SomethingNew', 502, RETRYABLE),
        ('LastTokenProcessing', 400, RETRYABLE),
        ('InvalidSnapshotId.NotFound', 403, NOT_FOUND),
        # "the specified snapshot is being created" (ECS error codes): not bad input, for all its prefix.
        ('InvalidSnapshotId.NotReady', 403, RETRYABLE),
        ('SignatureDoesNotMatch', 400, FATAL),
        ('InvalidAccessKeySecret', 400, FATAL),
        ('InvalidAccessKeyId.NotFound', 404, FATAL),
        ('InvalidAccessKeyId.Inactive', 400, FATAL),
        ('InvalidSecurityToken.Expired', 400, FATAL),
        ('MissingSecurityToken', 400, FATAL),
        ('Forbidden.RAM', 403, FATAL),
        ('InvalidAccountStatus.NotEnoughBalance', 403, FATAL),
        ('InvalidUser.NotInWhiteList', 403, FATAL),
        ('InvalidParameter', 400, INVALID),
        ('MissingParameter', 400, INVALID),
        ('InvalidTagKey.Malformed', 400, INVALID),
        ('Duplicate.TagKey', 400, INVALID),
        ('IdempotentParameterMismatch', 400, INVALID),
        ('InvalidDestinationSnapshotName', 400, INVALID),
        ('ens.interface.error', 400, INVALID),
        ('SomethingElse', 403, FATAL),
    ],
)
def test_server_errors_are_classified(code, status, kind):
    error = server_error('CopySnapshot', code, 'message', status, 'REQ-1', 'cn-hangzhou')
    assert (error.code, error.kind, error.request_id, error.region) == (code, kind, 'REQ-1', 'cn-hangzhou')
    assert not error.uncertain
    assert 'REQ-1' in str(error) and code in str(error)


def test_auth_errors_say_what_to_check():
    assert 'alicloud_secret_key' in server_error('X', 'InvalidAccessKeySecret', 'wrong', 400, None).message
    assert 'alicloud_access_key' in server_error('X', 'InvalidAccessKeyId.NotFound', 'no', 404, None).message
    assert 'alicloud_security_token' in server_error('X', 'InvalidSecurityToken.Malformed', 'bad', 400, None).message
    assert 'clock' in server_error('X', 'InvalidTimeStamp.Expired', 'old', 400, None).message
    # An auth code's own hint stands; a token code without one gets the token's; any other auth code no token hint.
    expired = server_error('X', 'InvalidSecurityToken.Expired', 'old', 400, None).message
    assert 'get new temporary credentials' in expired and 'check alicloud_security_token' not in expired
    assert 'alicloud_security_token' in server_error('X', 'InvalidSecurityToken.Other', 'new', 400, None).message
    assert 'alicloud_security_token' not in server_error('X', 'Forbidden.Other', 'no', 403, None).message


def test_the_string_to_sign_never_reaches_the_user():
    error = server_error(
        'X',
        'SignatureDoesNotMatch',
        'Specified signature is not matched with our calculation. '
        'server string to sign is:POST&%2F&SecurityToken%3Dthe-token',
        400,
        None,
    )
    assert 'the-token' not in str(error) and 'alicloud_secret_key' in str(error)


@pytest.mark.parametrize(
    'message, code, kind, uncertain',
    [
        (
            "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /?A=1&SecurityToken=tok "
            "(Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f00>: Failed to establish a new "
            "connection: [Errno 111] Connection refused'))",
            'EndpointConnectionError',
            FATAL,
            False,
        ),
        (
            "HTTPSConnectionPool(host='ecs.nowhere', port=443): Max retries exceeded (Caused by NameResolutionError("
            "'Failed to resolve 'ecs.nowhere''))",
            'EndpointConnectionError',
            FATAL,
            False,
        ),
        (
            "HTTPConnectionPool(host='h', port=80): Max retries exceeded (Caused by ConnectTimeoutError(...))",
            'ConnectTimeout',
            RETRYABLE,
            False,
        ),
        (
            "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
            'NetworkError',
            RETRYABLE,
            True,
        ),
        ("HTTPConnectionPool(host='h', port=80): Read timed out. (read timeout=10)", 'NetworkError', RETRYABLE, True),
        (
            "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
            'NetworkError',
            RETRYABLE,
            True,
        ),
        (
            "HTTPSConnectionPool(host='h', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError("
            "1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')))",
            'SSLError',
            FATAL,
            False,
        ),
    ],
)
def test_network_errors_are_classified(message, code, kind, uncertain):
    error = client_error('CopySnapshot', 'SDK.HttpError', message, 'h:80', 'cn-hangzhou')
    assert (error.code, error.kind, error.uncertain) == (code, kind, uncertain)
    assert 'SecurityToken' not in str(error) and 'object at 0x' not in str(error)


def test_other_client_errors_are_fatal():
    error = client_error('CopySnapshot', 'SDK.InvalidRequest', 'bad request', 'h', None)
    assert error.kind == FATAL and error.code == 'SDK.InvalidRequest'


def test_network_messages_lose_their_query_strings():
    assert clean_network_message('with url: /?Signature=abc&SecurityToken=t (Caused') == 'with url: / (Caused'


def test_refused_connection_through_the_sdk(fakecloud_clean):  # pylint: disable=unused-argument
    with pytest.raises(CloudError) as info:
        client(endpoint_url='http://127.0.0.1:9').call('DescribeRegions', {}, 'cn-hangzhou')
    assert info.value.code == 'EndpointConnectionError' and info.value.kind == FATAL


def test_the_sdk_loads():
    sdk = load_sdk(ECS_PACKAGE)
    assert set(sdk) >= {'AcsClient', 'ServerException', 'ClientException', 'StsTokenCredential'}


# ---------------------------------------------------------------------------- input rules
@pytest.mark.parametrize('name', ['ab', 'A' * 128, 'db:copy_1.2-x', '数据库', 'Ünïcode-name'])
def test_ecs_names_accepted(name):
    assert accepted(rules.validate_name, name)


@pytest.mark.parametrize(
    'name', ['a', 'A' * 129, '1abc', '_abc', 'http://abc', 'https://abc', 'HTTP://abc', 'ab c', 'ab/c', 'ab@c']
)
def test_ecs_names_refused(name):
    with pytest.raises(InputError) as info:
        rules.validate_name(name)
    assert info.value.option == 'name'


def test_ens_names_have_no_periods():
    rules.validate_ens_name('edge:copy_1-a')
    rules.validate_ens_name('边缘副本')
    with pytest.raises(InputError):
        rules.validate_ens_name('edge.copy')


@pytest.mark.parametrize(
    'description, ok',
    [
        ('ok', True),
        ('d' * 256, True),
        ('see http://x later', True),
        ('d', False),
        ('d' * 257, False),
        ('http://x', False),
        ('https://x', False),
    ],
)
def test_descriptions(description, ok):
    if ok:
        rules.validate_description(description)
    else:
        with pytest.raises(InputError) as info:
            rules.validate_description(description)
        assert info.value.option == 'description'


@pytest.mark.parametrize('days, ok', [(1, True), (65536, True), (0, False), (65537, False), (-1, False), (True, False)])
def test_retention_days(days, ok):
    if ok:
        rules.validate_retention_days(days)
    else:
        with pytest.raises(InputError):
            rules.validate_retention_days(days)


@pytest.mark.parametrize(
    'tags',
    [
        {'': 'v'},
        {'k' * 129: 'v'},
        {'acs:k': 'v'},
        {'aliyunk': 'v'},
        {'a http://b': 'v'},
        {'ahttps://b': 'v'},
        {'k': 'v' * 129},
        {'k': 'acs:v'},
        {'k': 'aliyun-v'},
        {'k': 'x https://y'},
        {1: 'a', '1': 'b'},
        {SOURCE_TAG: 'x'},
        {'k%d' % n: 'v' for n in range(20)},
        ['not', 'a', 'dict'],
    ],
)
def test_tags_refused(tags):
    with pytest.raises(InputError) as info:
        rules.TAG_RULES.validate(tags)
    assert info.value.option == 'tags'


def test_tags_accepted_case_sensitive_keys_and_empty_values():
    assert accepted(
        rules.TAG_RULES.validate, {'Env': 'prod', 'env': '', 'n': 1, 'b': True, 'none': None, 'k' * 128: 'v' * 128}
    )
    assert accepted(rules.TAG_RULES.validate, {'k%d' % n: 'v' for n in range(19)})
    assert not accepted(rules.TAG_RULES.validate, {'k%d' % n: 'v' for n in range(21)}), (
        'the limit the test stays under is there'
    )


# Property tests: the validators accept exactly what the documented rules allow.
NAME_PUNCTUATION = st.sampled_from(list(':_.-'))
NAME_BODY = st.lists(
    st.one_of(st.characters(whitelist_categories=('Lu', 'Ll', 'Lo', 'Nd')), NAME_PUNCTUATION), min_size=1, max_size=127
)


@given(first=st.characters(whitelist_categories=('Lu', 'Ll', 'Lo')), rest=NAME_BODY)
def test_property_names_built_by_the_rules_are_accepted(first, rest):
    name = first + ''.join(rest)
    assert accepted(rules.validate_name, name) == (not name.lower().startswith(('http://', 'https://')))


@given(st.text(max_size=140))
def test_property_name_validator_agrees_with_the_rules(name):
    expected = (
        2 <= len(name) <= 128
        and name[0].isalpha()
        and not name.lower().startswith(('http://', 'https://'))
        and all(char.isalpha() or char.isdecimal() or char in ':_.-' for char in name)
    )
    try:
        rules.validate_name(name)
        accepted = True
    except InputError:
        accepted = False
    assert accepted == expected


@given(st.text(max_size=300))
def test_property_description_validator_agrees_with_the_rules(text):
    expected = 2 <= len(text) <= 256 and not text.lower().startswith(('http://', 'https://'))
    try:
        rules.validate_description(text)
        accepted = True
    except InputError:
        accepted = False
    assert accepted == expected


@given(st.dictionaries(st.text(max_size=130), st.text(max_size=130), max_size=21))
def test_property_tag_validator_agrees_with_the_rules(tags):
    def fine(text, allow_empty):
        return (
            (bool(text) or allow_empty)
            and len(text) <= 128
            and not text.startswith(('acs:', 'aliyun'))
            and 'http://' not in text.lower()
            and 'https://' not in text.lower()
        )

    expected = (
        len(tags) <= 19
        and SOURCE_TAG not in tags
        and all(fine(key, False) and fine(value, True) for key, value in tags.items())
    )
    try:
        rules.TAG_RULES.validate(tags)
        accepted = True
    except InputError:
        accepted = False
    assert accepted == expected


@pytest.mark.parametrize(
    'adapter_class, package', [(EcsAdapter, 'aliyun-python-sdk-ecs'), (EnsAdapter, 'aliyun-python-sdk-ens')]
)
def test_a_missing_sdk_fails_the_module_with_missing_required_lib(monkeypatch, adapter_class, package):
    def no_sdk(request_package):
        raise ImportError('No module named %r' % request_package)

    monkeypatch.setattr(alibaba, 'load_sdk', no_sdk)
    params = {'alicloud_access_key': 'k', 'alicloud_secret_key': 's'}
    with pytest.raises(ModuleExit) as info:
        new_adapter(FakeModule(params), adapter_class, params, None)
    assert info.value.failed and 'aliyun-python-sdk-core and %s' % package in info.value.result['msg']


def test_a_product_sdk_without_the_api_version_the_adapter_calls_is_missing():
    """The product package installed without the request package of the API version we call (ecs 2014-05-26): an
    ImportError when the SDK is loaded, which the module turns into missing_required_lib before any call, not an
    error at the first call."""
    with pytest.raises(ImportError):
        load_sdk('aliyunsdkecs.request.v19990101')


def test_an_error_answer_prints_nothing_on_the_modules_stderr(fakecloud_clean):
    """The core SDK logs every error answer at ERROR level. A module's process configures no logging, so Python would
    print those lines on its stderr (logging's last resort), which Ansible shows beside the task's own message, but for
    the handler the SDK gives its logger. Held in a process of its own, as a module runs (pytest's log capture would
    hide the lines), with the call refused."""
    fakecloud_clean.admin.faults(
        rules=[{'cloud': 'ecs', 'action': 'DescribeSnapshots', 'error_rate': 1.0, 'error_code': 'Forbidden.RAM'}]
    )
    script = textwrap.dedent(
        """
        import sys
        from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import AlibabaClient
        from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import REQUEST_PACKAGE, ecs_endpoint
        from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError
        connection = {'alicloud_access_key': sys.argv[1], 'alicloud_secret_key': sys.argv[2], 'endpoint_url': sys.argv[3]}
        client = AlibabaClient('ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE)
        try:
            client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
        except CloudError as error:
            print(error.code)
        """
    )
    done = subprocess.run(
        [
            sys.executable,
            '-c',
            script,
            credentials.ALIBABA_ACCESS_KEY_ID,
            credentials.ALIBABA_ACCESS_KEY_SECRET,
            fakecloud_clean.url,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, 'Forbidden.RAM', '')


def test_validate_certs_off_keeps_stderr_quiet(capsys):
    made = client(endpoint_url='https://127.0.0.1:9', validate_certs=False)
    made._client(made.endpoint('cn-hangzhou'))  # pylint: disable=protected-access
    assert capsys.readouterr().err == ''
