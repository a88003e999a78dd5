# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud: connection options, one RPC client for ECS and ENS, and error classification.

Both products speak the same RPC protocol through aliyun-python-sdk-core; what differs is the
endpoint and the request classes (aliyunsdkecs, aliyunsdkens). The SDKs are imported only
when a client is made, so the modules load (and report a missing library) without them.

The core SDK is used with its own retry switched off: it would resend calls blindly, and a
resent CopySnapshot can make a second copy. The run's CallRetry resends what is safe to resend,
and the engine knows when a look-up must come first.
"""

from __future__ import annotations

import calendar
import importlib
import ipaddress
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ansible.module_utils.basic import env_fallback

from ...core.answers import answer_object
from ...core.assume_role import NameRule, RoleRules, TemporaryCredentials, default_session_name
from ...core.cloud_clock import ISO_FORMAT, tell_date
from ...core.errors import (
    BUSY,
    FATAL,
    IN_USE,
    INVALID,
    NOT_FOUND,
    RETRYABLE,
    CloudError,
    InputError,
    SnapcopyError,
    note_read_timeout,
)
from ...core.network import connection_reason, connection_spec, connection_timeouts, quiet_insecure_warnings
from ...core.retry import CallRetry
from ...core.sdk_versions import missing_feature, version_warnings

# alibaba.alicloud's names, aliases and variables, and those of Alibaba's own credential chain.
ALIBABA_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'alicloud_assume_role_arn': {
        'aliases': ['assume_role_arn'],
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_ARN', 'ALIBABA_CLOUD_ROLE_ARN']),
    },
    'alicloud_assume_role_session_name': {
        'aliases': ['assume_role_session_name'],
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_SESSION_NAME', 'ALIBABA_CLOUD_ROLE_SESSION_NAME']),
    },
    # Named as its two siblings; the variable is ours (alibaba.alicloud has no external id).
    'alicloud_assume_role_external_id': {
        'aliases': ['assume_role_external_id'],
        'no_log': True,
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_EXTERNAL_ID']),
    },
}

# The patterns end in \Z, not $: $ also matches before a final newline, and the value with its newline would reach STS.
# Alibaba: acs:ram::<account uid>:role/<role name>, role names 1-64 of letters, digits, '.' and '-';
# RoleSessionName 2-64 of letters, digits, '.', '@', '-' and '_'; ExternalId 2-1,224 of [\w+=,.@:/-]
# (alibabacloud-sts20150401 AssumeRoleRequest; RAM CreateRole).
ALIBABA_ROLE_RULES = RoleRules(
    arn_option='alicloud_assume_role_arn',
    session_option='alicloud_assume_role_session_name',
    arn_pattern=r'^acs:ram::(?P<account>\d+):role/[A-Za-z0-9.-]{1,64}\Z',
    arn_example='acs:ram::1234567890123456:role/dr-copy',
    session=NameRule('.@', 2, 64),
    external_id_option='alicloud_assume_role_external_id',
    external_id=NameRule('+=,.@:/', 2, 1224),
)

# The oldest SDK releases the collection works with (core.sdk_versions; make units-oldest runs the unit tests on them),
# each the first with what the modules use: aliyun-python-sdk-core 2.15.0 the connect_timeout of AcsClient;
# aliyun-python-sdk-ens 3.0.14 the snapshot actions (DescribeSnapshots, CopySnapshot, CreateSnapshot, DeleteSnapshot).
ALIBABA_SDK_MINIMUMS = {
    'aliyun-python-sdk-core': '2.15.0',
    'aliyun-python-sdk-ecs': '4.24.0',
    'aliyun-python-sdk-ens': '3.0.14',
}

# The names and environment variables of alibaba.alicloud, plus the ALIBABA_CLOUD_* variables
# of Alibaba's own credential chain, so playbooks and AWX credentials carry over.
ALIBABA_CREDENTIALS_SPEC: dict[str, dict[str, Any]] = {
    'alicloud_access_key': {
        'aliases': ['access_key_id', 'access_key'],
        'no_log': False,
        'fallback': (env_fallback, ['ALICLOUD_ACCESS_KEY', 'ALICLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_ID']),
    },
    'alicloud_secret_key': {
        'aliases': ['secret_access_key', 'secret_key'],
        'no_log': True,
        'fallback': (
            env_fallback,
            ['ALICLOUD_SECRET_KEY', 'ALICLOUD_SECRET_ACCESS_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
        ),
    },
    'alicloud_security_token': {
        'aliases': ['security_token'],
        'no_log': True,
        'fallback': (env_fallback, ['ALICLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_SECURITY_TOKEN']),
    },
}
ALIBABA_CONNECTION_SPEC = connection_spec(ALIBABA_CREDENTIALS_SPEC, assume_role=ALIBABA_ASSUME_ROLE_SPEC)

# ENS has one API endpoint per site, not one per node: alicloud_region picks it (see clouds.alibaba.ens.ens_endpoint).
ENS_CONNECTION_SPEC = dict(
    ALIBABA_CONNECTION_SPEC,
    alicloud_region={
        'no_log': False,
        'fallback': (env_fallback, ['ALICLOUD_REGION', 'ALICLOUD_REGION_ID', 'ALIBABA_CLOUD_REGION_ID']),
    },
)

USER_AGENT = 'snapcopy.cloud/0.1.0'

# STS 2015-04-01, reached at endpoint_url when that is set, like ECS and ENS.
STS_ENDPOINT = 'sts.aliyuncs.com'
STS_VERSION = '2015-04-01'
# The other products a run may call besides its own (dr_account on ECS, clouds.alibaba.ecs_dr_account): (product, API
# version, the endpoint of a region). Resource Sharing and KMS are regional ("regional" endpoint rules of the vendor's
# V2 clients, alibabacloud-resourcesharing20200110 and alibabacloud-kms20160120); STS has one endpoint.
SERVICES: dict[str, tuple[str, str, Callable[[str | None], str]]] = {
    'sts': ('Sts', STS_VERSION, lambda region: STS_ENDPOINT),
    'resourcesharing': ('ResourceSharing', '2020-01-10', lambda region: 'resourcesharing.%s.aliyuncs.com' % region),
    'kms': ('Kms', '2016-01-20', lambda region: 'kms.%s.aliyuncs.com' % region),
    # Resource Directory (the dr_scopes inventory): one endpoint for the whole directory.
    'resourcemanager': ('ResourceManager', '2020-03-31', lambda region: 'resourcemanager.aliyuncs.com'),
    # RAM (whether the disks' account has the role ECS shares encrypted snapshots with): one endpoint, as the V2
    # client alibabacloud-ram20150501 has it (ram.aliyuncs.com for every region).
    'ram': ('Ram', '2015-05-01', lambda region: 'ram.aliyuncs.com'),
}
# How long each assumed-role session is asked for (STS: 900 s to the role's maximum, 3600 s by default).
SESSION_SECONDS = 3600

# Errors worth another try: the cloud says so (throttling, a temporary failure, a ClientToken
# request still being processed), or any 5xx.
RETRYABLE_CODES = {
    'ServiceUnavailable',
    'InternalError',
    'UnknownError',
    'InternalError.Dispatch',
    'LastTokenProcessing',
    'IdempotenceProcessing',
    'OperationConflict',
    'SignatureNonceUsed',
    'Throttling',
    'Throttling.User',
    'Throttling.Api',
    'ServiceBusy',
    'RequestTimeout',
    # "The specified snapshot is being created" (ECS error codes, 403): the source completes by itself, and the copy's
    # ClientToken makes the call safe to send again.
    'InvalidSnapshotId.NotReady',
}
NOT_FOUND_CODES = {
    'InvalidSnapshotId.NotFound',
    'InvalidSnapshot.NotFound',
    'InvalidSnapshotId.NotExist',
    'InvalidDiskId.NotFound',
}
# DeleteSnapshot of a snapshot a disk or a custom image was made from, without Force (403, the ECS DeleteSnapshot
# reference's error codes): the disk could no longer be re-initialized from it, so it is never forced.
IN_USE_CODES = {'SnapshotCreatedDisk', 'SnapshotCreatedImage'}
# Refused until something else ends by itself, with what to tell the user if it does not end in time.
# ECS CopySnapshot: a copy of the same disk is still running (ECS error codes; ECS copies a disk's
# snapshots to a region incrementally, one after the other).
BUSY_HINTS = {
    'InvalidOperation.DiskHasUnfinishedSnapshotCopy': 'a copy of another snapshot of this disk is still running; '
    'it was asked again every poll_interval until wait_timeout: run '
    'again once that copy has finished',
}
# Credentials and account: nothing a retry can fix; each with what the user can do about it.
AUTH_HINTS = {
    'InvalidAccessKeyId.NotFound': 'the access key id is unknown: check alicloud_access_key '
    '(or ALICLOUD_ACCESS_KEY / ALIBABA_CLOUD_ACCESS_KEY_ID)',
    'InvalidAccessKeyId.Inactive': 'the access key is disabled: enable it in the RAM console or use another one',
    'InvalidAccessKeySecret': 'the access key secret is wrong: check alicloud_secret_key '
    '(or ALICLOUD_SECRET_KEY / ALIBABA_CLOUD_ACCESS_KEY_SECRET)',
    'SignatureDoesNotMatch': 'the request signature was refused: check alicloud_secret_key '
    '(or ALICLOUD_SECRET_KEY / ALIBABA_CLOUD_ACCESS_KEY_SECRET)',
    'IncompleteSignature': 'the request signature was refused: check alicloud_secret_key',
    'MissingSecurityToken': 'STS credentials need their security token: set alicloud_security_token '
    '(or ALICLOUD_SECURITY_TOKEN / ALIBABA_CLOUD_SECURITY_TOKEN)',
    'InvalidSecurityToken.Expired': 'the STS security token has expired: get new temporary credentials',
    'InvalidSecurityToken.Malformed': 'check alicloud_security_token',
    'InvalidSecurityToken.MismatchWithAccessKey': 'the security token does not belong to this access key: '
    'check alicloud_access_key and alicloud_security_token',
    # The role assumed is the connection's, or with dr_account the DR account's: the words name both.
    'EntityNotExist.Role': 'the role to assume does not exist: check alicloud_assume_role_arn, or dr_account.role_arn '
    'for the DR account',
    'NoPermission': 'the RAM user or role lacks a permission this module needs (see the module notes), or may not '
    'assume the role (alicloud_assume_role_arn, or dr_account.role_arn for the DR account: the role\'s trust policy, '
    'and the external id it asks for, alicloud_assume_role_external_id or dr_account.external_id)',
    'InvalidTimeStamp.Expired': 'the request time is too far from the cloud\'s: check this host\'s clock',
    'Forbidden.RAM': 'the RAM user or role lacks a permission this module needs (see the module notes)',
    'Forbidden': 'the RAM user or role lacks a permission this module needs (see the module notes)',
}
AUTH_PREFIXES = (
    'InvalidAccessKey',
    'InvalidSecurityToken',
    'Forbidden',
    'InvalidAccountStatus',
    'InvalidUser.',
    'NoPermission',
    'EntityNotExist',
)
INVALID_PREFIXES = (
    'Invalid',
    'Missing',
    'Duplicate',
    'IdempotentParameterMismatch',
    'OperationDenied',
    'IncorrectSnapshotStatus',
    'IncorrectDiskStatus',
    'QuotaExceed',
    'ens.interface.error',
)

# What the network layer says (the core SDK hands it on as text only, in SDK.HttpError).
_NOTHING_SENT = (
    'Connection refused',
    'NewConnectionError',
    'Name or service not known',
    'Failed to resolve',
    'nodename nor servname',
    'No route to host',
    'Network is unreachable',
    'getaddrinfo failed',
    'Temporary failure in name resolution',
)
_SSL_TROUBLE = ('SSLError', 'CERTIFICATE_VERIFY_FAILED', 'certificate verify failed', 'SSL:')


# The actions that a product package's minimum release has no request class for, with (product, API version, the first
# release that has one), per request package. pip download of each release: aliyun-python-sdk-ecs 4.24.82 has neither
# lock class, 4.24.83 both, made as RpcRequest('Ecs', '2014-05-26', action, 'ecs') with POST.
LATER_ACTIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    'aliyunsdkecs.request.v20140526': {
        'LockSnapshot': ('Ecs', '2014-05-26', '4.24.83'),
        'DescribeLockedSnapshots': ('Ecs', '2014-05-26', '4.24.83'),
    },
}


def numbered(name: str, values: Iterable[str]) -> dict[str, str]:
    """A repeated parameter as an RPC call sends it: ``name``.1, ``name``.2, ..."""
    return {'%s.%d' % (name, number): value for number, value in enumerate(values, start=1)}


def parse_endpoint_url(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) out of ``endpoint_url``; InputError when it is not http(s)://host[:port]."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    well_formed = parts.scheme in ('http', 'https') and parts.hostname and port != -1
    nothing_more = parts.path in ('', '/') and not (parts.query or parts.fragment or parts.username)
    if not (well_formed and nothing_more):
        raise InputError(
            'endpoint_url', 'expected http://HOST[:PORT] or https://HOST[:PORT] with no path, got %r' % (url,)
        )
    return parts.scheme, parts.netloc


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1), with or without a port."""
    name = urllib.parse.urlsplit('//' + host).hostname or ''
    if name == 'localhost' or name.endswith('.localhost'):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def proxies_for(host: str) -> dict[str, str | None] | None:
    """The ``proxy`` argument for the core SDK's client.

    The core SDK reads HTTP_PROXY/HTTPS_PROXY itself when given no proxies, and ignores NO_PROXY,
    so a loopback endpoint (a local emulator, a tunnel) would be sent through the proxy. For such
    hosts, and for those NO_PROXY names, we hand it a mapping that says "no proxy" for both schemes
    (a non-empty dict, so the SDK does not fall back to the environment). Otherwise None: the SDK
    then uses the environment's proxies, as users behind a proxy expect.
    """
    name = urllib.parse.urlsplit('//' + host).hostname or host
    if is_loopback(host) or urllib.request.proxy_bypass_environment(name):  # type: ignore[attr-defined]  # not in typeshed
        return {'http': None, 'https': None}
    return None


class AlibabaClient:
    """One product's RPC client (ECS or ENS): builds requests, sends them, turns errors into CloudErrors."""

    def __init__(
        self,
        product: str,
        connection: Mapping[str, Any],
        *,
        default_endpoint: Callable[[str | None], str],
        request_package: str,
        sdk: dict[str, Any] | None = None,
        retry: CallRetry | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``default_endpoint(region)`` gives the product's endpoint when ``endpoint_url`` is not set;
        ``request_package`` is where the product SDK's request classes live; ``retry`` (a CallRetry) is
        the run's (by default each call is sent once); ``clock`` tells when assumed-role keys expire."""
        self.retry = retry if retry is not None else CallRetry()
        # The SDK first: without it nothing else can be fixed by the user in one go.
        self.sdk = sdk or load_sdk(request_package)
        self.sdk_warnings = version_warnings(self.sdk.get('versions', {}), ALIBABA_SDK_MINIMUMS)
        self.product = product
        self.connection = connection
        # Told each answer's Date header: the runs' clocks of the cloud's time (core.cloud_clock).
        self.date_observers: list[Callable[[str | None], None]] = []
        self.default_endpoint = default_endpoint
        self.request_package = request_package
        self.fixed_endpoint: str | None
        self.scheme, self.fixed_endpoint = ('https', None)
        if connection.get('endpoint_url'):
            self.scheme, self.fixed_endpoint = parse_endpoint_url(connection['endpoint_url'])
        if not connection.get('alicloud_access_key') or not connection.get('alicloud_secret_key'):
            raise InputError(
                'alicloud_access_key',
                'no Alibaba Cloud credentials: set alicloud_access_key and '
                'alicloud_secret_key, or the ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY '
                '(or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET) variables',
            )
        self.role_arn = ALIBABA_ROLE_RULES.check(connection)
        self.connect_timeout, self.read_timeout = connection_timeouts(connection)
        self._clients: dict[tuple[str, str | None], Any] = {}
        self.role: TemporaryCredentials | None = None
        if self.role_arn:
            self.role = TemporaryCredentials(
                self._assume_role, session_seconds=SESSION_SECONDS, clock=clock or time.time
            )

    def endpoint(self, region: str | None) -> str:
        return self.fixed_endpoint or self.default_endpoint(region)

    def _connection_credential(self) -> Any:
        conn = self.connection
        if conn.get('alicloud_security_token'):
            return self.sdk['StsTokenCredential'](
                conn['alicloud_access_key'], conn['alicloud_secret_key'], conn['alicloud_security_token']
            )
        return self.sdk['AccessKeyCredential'](conn['alicloud_access_key'], conn['alicloud_secret_key'])

    def _client(self, host: str, own_keys: bool = False) -> Any:
        """The SDK client for one endpoint host (proxies are per client in the core SDK), signing with the
        assumed role's current keys, or with the connection's own (``own_keys``, and without a role).

        The core SDK fixes a client's credential when it is made: a client is made per set of keys,
        and each call takes one set whole, so a refresh never mixes the old and new keys."""
        if self.role is None or own_keys:
            key: tuple[str, str | None] = (host, None)
            make_credential = self._connection_credential
        else:
            key_id, secret, token = self.role.get()
            key = (host, key_id)

            def make_credential() -> Any:
                return self.sdk['StsTokenCredential'](key_id, secret, token)

        if key not in self._clients:
            conn = self.connection
            credential = make_credential()
            client = self.sdk['AcsClient'](
                region_id='cn-hangzhou',
                credential=credential,
                auto_retry=False,  # the run's CallRetry retries; the SDK's would resend CopySnapshot blindly
                connect_timeout=self.connect_timeout,
                timeout=self.read_timeout,
                verify=None if conn.get('validate_certs', True) else False,
                proxy=proxies_for(host),
            )
            client.append_user_agent('snapcopy', USER_AGENT.split('/', 1)[1])
            if not conn.get('validate_certs', True):
                quiet_insecure_warnings('aliyunsdkcore.vendored.requests.packages.urllib3')
            self._clients[key] = client
        return self._clients[key]

    def _assume_role(self) -> tuple[str, str, str, int]:
        """STS AssumeRole with the connection's own keys: (key id, secret, token, expiry in epoch seconds)."""
        request = self.sdk['CommonRequest'](product='Sts', version=STS_VERSION, action_name='AssumeRole')
        request.set_method('POST')
        host = self.fixed_endpoint or STS_ENDPOINT
        request.set_endpoint(host)
        request.set_protocol_type(self.sdk['protocols'][self.scheme])
        request.set_accept_format('JSON')
        request.add_query_param('RoleArn', self.role_arn)
        request.add_query_param(
            'RoleSessionName', self.connection.get('alicloud_assume_role_session_name') or default_session_name()
        )
        request.add_query_param('DurationSeconds', str(SESSION_SECONDS))
        if self.connection.get('alicloud_assume_role_external_id'):
            request.add_query_param('ExternalId', self.connection['alicloud_assume_role_external_id'])

        def send() -> Any:
            try:
                return self._do_action(self._client(host, own_keys=True), request)
            except Exception as error:  # pylint: disable=broad-exception-caught
                raise note_read_timeout(self.classify('AssumeRole', error), self.read_timeout) from None

        body = self.retry.send('AssumeRole', send)
        try:
            credentials = json.loads(body)['Credentials']
            expires = calendar.timegm(time.strptime(credentials['Expiration'], ISO_FORMAT))
            return credentials['AccessKeyId'], credentials['AccessKeySecret'], credentials['SecurityToken'], expires
        except (ValueError, KeyError, TypeError):
            raise CloudError(
                'AssumeRole', 'InvalidResponse', 'the answer from %s is not an STS AssumeRole answer' % host, kind=FATAL
            ) from None

    def new_request(self, action: str) -> Any:
        try:
            module = importlib.import_module('%s.%sRequest' % (self.request_package, action))
        except ImportError:
            if action not in LATER_ACTIONS.get(self.request_package, {}):
                distribution = product_distribution(self.request_package)
                raise SnapcopyError(
                    missing_feature(
                        distribution, 'request class for %s' % action, ALIBABA_SDK_MINIMUMS.get(distribution)
                    )
                ) from None
            # An action newer than the package's minimum: the same RPC request its generated class makes (a POST of
            # query parameters to the product's version), through the core's CommonRequest, which every release of the
            # core has.
            product, version, dummy = LATER_ACTIONS[self.request_package][action]
            request = self.sdk['CommonRequest'](product=product, version=version, action_name=action)
            request.set_method('POST')
            return request
        return getattr(module, '%sRequest' % action)()

    def call(self, action: str, params: Mapping[str, Any], region: str | None = None) -> dict[str, Any]:
        """Send ``action`` with ``params`` (API parameter names) for ``region``; answer the decoded JSON."""
        return self._send(self.new_request(action), action, params, self.endpoint(region), region)

    def call_service(
        self, service: str, action: str, params: Mapping[str, Any], region: str | None = None
    ) -> dict[str, Any]:
        """``call`` for another product of SERVICES (no request classes of its own here: the core's CommonRequest, which
        makes the same signed RPC request), at endpoint_url when that is set."""
        product, version, endpoint = SERVICES[service]
        request = self.sdk['CommonRequest'](product=product, version=version, action_name=action)
        request.set_method('POST')
        return self._send(request, action, params, self.fixed_endpoint or endpoint(region), region)

    def caller_account(self, region: str | None = None) -> str:
        """The account (its UID) this client's credentials act in, as STS says (GetCallerIdentity's AccountId; with a
        role, its AssumeRole first): one read."""
        account = self.call_service('sts', 'GetCallerIdentity', {}, region).get('AccountId')
        if not isinstance(account, str) or not account:
            raise CloudError(
                'GetCallerIdentity', 'InvalidResponse', 'the answer names no account', kind=FATAL, region=region
            )
        return account

    def _send(
        self, request: Any, action: str, params: Mapping[str, Any], host: str, region: str | None
    ) -> dict[str, Any]:
        for name, value in params.items():
            if value is not None:
                request.add_query_param(name, _text(value))
        request.set_endpoint(host)
        request.set_protocol_type(self.sdk['protocols'][self.scheme])
        request.set_accept_format('JSON')

        def send() -> Any:
            try:
                return self._do_action(self._client(host), request)
            except Exception as error:  # pylint: disable=broad-exception-caught
                # Broad on purpose: every SDK and network failure becomes a CloudError with a kind;
                # anything classify() does not know is re-raised unchanged.
                raise note_read_timeout(self.classify(action, error, region), self.read_timeout) from None

        body = self.retry.send(action, send)
        try:
            return answer_object(json.loads(body))
        except ValueError:
            raise CloudError.maybe_done(
                action,
                'InvalidResponse',
                'the answer from %s is not JSON: %.200r' % (host, body),
                region=region,
            ) from None

    def _do_action(self, client: Any, request: Any) -> Any:
        """AcsClient.do_action_with_exception, but for the answer's headers, whose Date is the cloud's time: the SDK's
        own steps (aliyunsdkcore 2.15.0 and newer, client.AcsClient), with the headers read on the way."""
        do_action = getattr(client, '_implementation_of_do_action', None)
        if do_action is None:  # an SDK without it: the answer without its date (the run's own clock serves)
            return client.do_action_with_exception(request)
        request.set_accept_format('JSON')
        dummy_status, headers, body, exception = do_action(request)
        if exception:
            raise exception
        tell_date(self.date_observers, (headers or {}).get('Date'))  # requests' headers: any case finds it
        return body

    def classify(self, action: str, error: Exception, region: str | None = None) -> CloudError:
        """A CloudError for an SDK exception: code, message, request id, and what kind it is."""
        if isinstance(error, self.sdk['ServerException']):
            return server_error(
                action,
                error.get_error_code(),
                error.get_error_msg(),
                error.get_http_status(),
                error.get_request_id(),
                region,
            )
        if isinstance(error, self.sdk['ClientException']):
            return client_error(action, error.get_error_code(), error.get_error_msg(), self.endpoint(region), region)
        raise error


class AlibabaAccountRouter:
    """Two accounts' clients as one AlibabaClient (dr_sync's dr_account on ECS): a call in the source region goes to the
    source account's client, any other (the DR regions) to the DR account's. What the DR account does in the source
    region (its CopySnapshot of a shared snapshot, its answer to the share's invitation) names its client itself."""

    def __init__(self, source: AlibabaClient, dr_account: AlibabaClient, source_region: str) -> None:
        self.source, self.dr_account, self.source_region = source, dr_account, source_region
        dr_account.date_observers = source.date_observers  # one cloud, one clock

    def client_for(self, region: str | None) -> AlibabaClient:
        return self.source if region in (None, self.source_region) else self.dr_account

    def call(self, action: str, params: Mapping[str, Any], region: str | None = None) -> dict[str, Any]:
        return self.client_for(region).call(action, params, region)

    def call_service(
        self, service: str, action: str, params: Mapping[str, Any], region: str | None = None
    ) -> dict[str, Any]:
        return self.client_for(region).call_service(service, action, params, region)

    def caller_account(self, region: str | None = None) -> str:
        # STS has no regions of its own: the account is the one that holds ``region``'s copies.
        return self.client_for(region).caller_account(region)

    def __getattr__(self, name: str) -> Any:
        # The rest (retry, sdk, sdk_warnings, the connection) is the source client's.
        return getattr(self.source, name)


def server_error(
    action: str,
    code: str | None,
    message: str | None,
    status: int | None,
    request_id: str | None,
    region: str | None = None,
) -> CloudError:
    """Classify an error answer of the cloud."""
    code = code or 'Unknown'
    # SignatureDoesNotMatch ends with the cloud's string to sign, which holds every parameter,
    # an STS security token among them: never pass it on.
    message = message or '(the cloud gave no message)'
    if 'string to sign is:' in message:
        message = message.split('string to sign is:')[0].rstrip(' .:') + '.'
    status = status or 0
    if code in BUSY_HINTS:
        kind = BUSY
        message = '%s (%s)' % (message.rstrip('.'), BUSY_HINTS[code])
    elif code in RETRYABLE_CODES or code.startswith(('Throttling', 'ServiceUnavailable')) or status >= 500:
        kind = RETRYABLE
    elif code in NOT_FOUND_CODES:
        kind = NOT_FOUND
    elif code in IN_USE_CODES:
        kind = IN_USE
    elif code in AUTH_HINTS or code.startswith(AUTH_PREFIXES):
        kind = FATAL
        hint = AUTH_HINTS.get(code)
        if hint is None and code.startswith('InvalidSecurityToken'):
            hint = 'check alicloud_security_token; temporary STS credentials expire'
        if hint:
            message = '%s (%s)' % (message, hint)
    elif code.startswith(INVALID_PREFIXES) or code.endswith('.Malformed'):
        kind = INVALID
    else:
        kind = FATAL
    return CloudError(action, code, message, request_id=request_id, kind=kind, region=region)


def client_error(
    action: str, code: str | None, message: object, endpoint: str, region: str | None = None
) -> CloudError:
    """Classify an error the SDK raised on this side (network, TLS, bad request)."""
    message = clean_network_message(str(message or ''))
    if code == 'SDK.HttpError':
        if any(text in message for text in _SSL_TROUBLE):
            return CloudError(
                action,
                'SSLError',
                'TLS with %s failed: %s. Check endpoint_url, or set validate_certs: '
                'false for a test endpoint with a self-signed certificate' % (endpoint, message),
                kind=FATAL,
                region=region,
            )
        if any(text in message for text in _NOTHING_SENT):
            # Nothing answered at all: a setup problem, reported at once rather than retried for minutes.
            return CloudError(
                action,
                'EndpointConnectionError',
                'could not connect to %s: %s. Check endpoint_url and the network'
                % (endpoint, connection_reason(message)),
                kind=FATAL,
                region=region,
            )
        if 'ConnectTimeout' in message or 'connect timeout' in message.lower():
            return CloudError(
                action,
                'ConnectTimeout',
                'connecting to %s timed out: %s' % (endpoint, message),
                kind=RETRYABLE,
                region=region,
            )
        # The request went out and no answer came back (reset, closed, read timeout): it may
        # have been carried out.
        return CloudError.maybe_done(
            action,
            'NetworkError',
            'no answer from %s: %s' % (endpoint, message),
            region=region,
        )
    return CloudError(action, code or 'SDK.ClientError', message, kind=FATAL, region=region)


def clean_network_message(message: str) -> str:
    """The network layer's text without the request's query string (it carries the signature and,
    with STS credentials, the security token) and without object reprs."""
    message = re.sub(r'/\?\S*', '/', message)
    return re.sub(r'<[^<>]* object at 0x[0-9a-fA-F]+>: ', '', message)


def load_sdk(request_package: str) -> dict[str, Any]:
    """Import the core SDK and the product package (ImportError when absent); answer the classes we use."""
    # pylint: disable=import-outside-toplevel
    import aliyunsdkcore
    from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
    from aliyunsdkcore.auth.credentials import AccessKeyCredential, StsTokenCredential
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.http import protocol_type
    from aliyunsdkcore.request import CommonRequest

    product = importlib.import_module(request_package.split('.', 1)[0])
    importlib.import_module(request_package)
    # The core SDK logs every error answer at ERROR level, to its 'aliyunsdkcore' logger, which it gives a handler of its
    # own that drops them (aliyunsdkcore/__init__.py, 2.15.0 and later): nothing reaches the module's stderr.
    return {
        'AcsClient': AcsClient,
        'AccessKeyCredential': AccessKeyCredential,
        'StsTokenCredential': StsTokenCredential,
        'ClientException': ClientException,
        'ServerException': ServerException,
        'CommonRequest': CommonRequest,
        # The SDK tells HTTPS by identity (``protocol is HTTPS``): an equal string from urlsplit
        # would quietly send plain HTTP. Hand it its own constants.
        'protocols': {'http': protocol_type.HTTP, 'https': protocol_type.HTTPS},
        'versions': {
            'aliyun-python-sdk-core': getattr(aliyunsdkcore, '__version__', None),
            product_distribution(request_package): getattr(product, '__version__', None),
        },
    }


def product_distribution(request_package: str) -> str:
    """The PyPI name of a product SDK: aliyunsdkecs.request.v20140526 -> aliyun-python-sdk-ecs."""
    return 'aliyun-python-sdk-' + request_package.split('.', 1)[0][len('aliyunsdk') :]


def _text(value: object) -> str:
    """A query parameter as call sends it: booleans as the RPC APIs spell them (true, false), not Python's True."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)
