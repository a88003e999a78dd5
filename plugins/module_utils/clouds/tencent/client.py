# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud API 3.0: connection options, a rate-limited client, and error classification.

The SDK (tencentcloud-sdk-python-common, -cbs, -tag) signs and sends; everything after the
HTTP answer is checked here, because the SDK's own checks fall short in two ways:

* its error check only looks at answers whose Content-Type is exactly ``application/json``
  (or ``text/plain``): an error answer sent as ``application/json; charset=utf-8`` would be
  taken for a success. We read the status, parse the body ourselves, and look for
  ``Response.Error`` in every answer;
* its ``StandardRetryer`` re-raises a stale error after a successful retry, so it is never
  used. Retries come from the engine's backoff, which knows that a copy call must not be
  resent blindly; this module only says which errors are worth a retry.

Tencent allows 20 requests per second per action. A token bucket per action keeps this
process's own calls under that, so a burst of reads (the bulk engine polling hundreds of
copies) does not throttle itself.
"""

from __future__ import annotations

import collections
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ...core.assume_role import NameRule, RoleRules, TemporaryCredentials, default_session_name
from ...core.cloud_clock import tell_date
from ...core.errors import (
    ALREADY_EXISTS,
    FATAL,
    INVALID,
    NOT_FOUND,
    RETRYABLE,
    CloudError,
    InputError,
    note_read_timeout,
)
from ...core.network import connection_reason, connection_spec, connection_timeouts, quiet_insecure_warnings
from ...core.retry import CallRetry
from ...core.sdk_versions import version_warnings

# The names and variables of the Tencent Cloud Terraform provider's assume_role block.
TENCENT_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'role_arn': {'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_ARN'])},
    'role_session_name': {'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME'])},
    'external_id': {'no_log': True, 'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID'])},
}

# The patterns end in \Z, not $: $ also matches before a final newline, and the value with its newline would reach STS.
# Tencent: qcs::cam::uin/<uin>:roleName/<name> or :role/<role id>, service roles with a
# tencentcloudServiceRole(Name) part; RoleSessionName 2-128 of [\w+=,.@-], ExternalId 2-128 of
# [\w+=,.@:/-] (sts 2018-08-13 AssumeRoleRequest, tencentcloud-sdk-python-sts models).
TENCENT_ROLE_RULES = RoleRules(
    arn_option='role_arn',
    session_option='role_session_name',
    arn_pattern=r'^qcs::cam::uin/(?P<account>\d+):(roleName|role)/([\w+=,.@-]+/)?[\w+=,.@-]{1,128}\Z',
    arn_example='qcs::cam::uin/100012345678:roleName/dr-copy',
    session=NameRule('+=,.@', 2, 128),
    external_id_option='external_id',
    external_id=NameRule('+=,.@:/', 2, 128),
)

# The oldest SDK releases the collection works with (core.sdk_versions; make units-oldest runs the unit tests on them):
# 3.0.1113 is the first with ClientProfile's request_client (3.0.1100 cannot be installed: its common package was never
# published).
TENCENT_SDK_MINIMUMS = {
    'tencentcloud-sdk-python-common': '3.0.1113',
    'tencentcloud-sdk-python-cbs': '3.0.1113',
    'tencentcloud-sdk-python-tag': '3.0.1113',
}

# The names the Tencent CLI and Terraform provider use, with their environment variables.
TENCENT_CREDENTIALS_SPEC: dict[str, dict[str, Any]] = {
    'secret_id': {'no_log': False, 'fallback': (env_fallback, ['TENCENTCLOUD_SECRET_ID'])},
    'secret_key': {'no_log': True, 'fallback': (env_fallback, ['TENCENTCLOUD_SECRET_KEY'])},
    'security_token': {'no_log': True, 'fallback': (env_fallback, ['TENCENTCLOUD_SECURITY_TOKEN'])},
}
TENCENT_CONNECTION_SPEC = connection_spec(TENCENT_CREDENTIALS_SPEC, assume_role=TENCENT_ASSUME_ROLE_SPEC)

SDK_PACKAGES = 'tencentcloud-sdk-python-common, tencentcloud-sdk-python-cbs and tencentcloud-sdk-python-tag'
DOCUMENTED_RATE_LIMIT = 20
REQUEST_CLIENT = 'snapcopy.cloud'
# STS 2018-08-13 AssumeRole; the SDK's own provider asks from ap-guangzhou too (any region answers).
STS_VERSION = '2018-08-13'
STS_REGION = 'ap-guangzhou'
# How long each assumed-role session is asked for (STS: at most 43200 s, 7200 s by default).
SESSION_SECONDS = 7200
# The services called through -common's CommonClient, with their API versions: the collection carries no SDK package of
# theirs (STS for assume-role; CVM for the restore drill's drill host, DescribeInstances).
CVM_VERSION = '2017-03-12'
# Organization (the dr_scopes inventory's list of an organisation's members).
ORGANIZATION_VERSION = '2021-03-31'
COMMON_SERVICES = {'sts': STS_VERSION, 'cvm': CVM_VERSION, 'organization': ORGANIZATION_VERSION}

RETRYABLE_PREFIXES = ('RequestLimitExceeded', 'InternalError', 'ResourceBusy')
# The disk's or the region's state for now, which ends by itself: the CBS SDK's errorcodes.py says of each "请稍后重试"
# (try again later), or "暂时不可使用" (not usable for now), or that too many snapshots are being made across the cloud.
# CreateSnapshot answers them while a snapshot policy is snapshotting the disk (tencentcloud-sdk-go, cbs CreateSnapshot's
# codes): the call made nothing, and asked again it makes the snapshot.
RETRY_LATER_CODES = {
    'InvalidDisk.Busy',
    'InvalidDisk.SnapshotCreating',
    'ResourceInUse.DiskMigrating',
    'ResourceInUse.DiskRollbacking',
    'ResourceInsufficient.UpgradeServiceBusy',
    'ResourceUnavailable.DiskBackupCreating',
    'ResourceUnavailable.SnapshotCreating',
    'ResourceUnavailable.TooManyCreatingSnapshot',
}
NOT_FOUND_CODES = {
    'InvalidSnapshotId.NotFound',
    'InvalidSnapshot.NotFound',
    'ResourceNotFound',
    'ResourceNotFound.SnapshotNotExists',
    'InvalidDisk.NotFound',
    'InvalidDiskId.NotFound',
}
INVALID_PREFIXES = (
    'InvalidParameter',
    'MissingParameter',
    'UnknownParameter',
    'InvalidFilter',
    'UnsupportedOperation',
    'InvalidSnapshot.NotSupported',
    'InvalidSnapshotId.Malformed',
    'UnsupportedRegion',
    'InvalidAction',
    'NoSuchVersion',
    'UnsupportedProtocol',
)

# What a user can do about the errors that are not transient. The cloud's own message is kept;
# this is added after it.
HINTS = {
    'AuthFailure.SecretIdNotFound': 'Tencent Cloud does not know this secret_id: check secret_id '
    '(or TENCENTCLOUD_SECRET_ID) and that the key is enabled in CAM',
    'AuthFailure.SignatureFailure': 'the secret_key does not belong to this secret_id: check secret_key '
    '(or TENCENTCLOUD_SECRET_KEY)',
    'AuthFailure.SignatureExpire': 'the request time is off by more than 5 minutes: set this host\'s clock right (NTP)',
    'AuthFailure.TokenFailure': 'the security_token is invalid or has expired: temporary credentials need secret_id, '
    'secret_key and security_token from the same STS answer, before it expires',
    'AuthFailure.InvalidSecretId': 'the secret_id is malformed: check secret_id (or TENCENTCLOUD_SECRET_ID)',
    # The role assumed is the connection's, or with dr_account the DR account's: the words name both.
    'ResourceNotFound.RoleNotFound': 'the role to assume does not exist: check role_arn, or dr_account.role_arn for the '
    'DR account',
    'UnauthorizedOperation': 'the CAM policy of this key does not allow this action, or this key may not assume the '
    'role (role_arn, or dr_account.role_arn for the DR account: the role\'s trust policy, and the external id it asks '
    'for, external_id or dr_account.external_id): grant it (sts:AssumeRole, cbs:DescribeSnapshots, '
    'cbs:CopySnapshotCrossRegions, tag:TagResources)',
    'AuthFailure.MFAFailure': 'this key requires MFA: use temporary credentials obtained with MFA',
    'AuthFailure.UnauthorizedOperation': 'the CAM policy of this key does not allow this action: grant it '
    '(cbs:DescribeSnapshots, cbs:CopySnapshotCrossRegions, tag:TagResources)',
    'InsufficientSnapshotQuota': 'the snapshot quota of this region is used up: delete snapshots there that are no '
    'longer needed, or ask Tencent Cloud for a larger quota, then run again '
    '(only the regions still missing a copy are copied)',
    'UnsupportedOperation.SnapshotNotSupportCopy': 'Tencent Cloud does not copy this snapshot across regions; '
    'retrying will not help: check the snapshot in the console '
    '(its type, encryption or sharing)',
    'InvalidAccount.InsufficientBalance': 'the account balance is not enough to pay for the copy: top up the '
    'account, then run again',
    'InvalidSnapshot.NotSupported': 'the snapshot is not in a state that allows this (it must be NORMAL)',
    'UnsupportedRegion': 'the region is not a Tencent Cloud region that offers CBS snapshots, or the endpoint does '
    'not serve it',
}


def load_sdk() -> dict[str, Any]:
    """The SDK's modules, imported only when a Tencent module runs; ImportError when it is missing."""
    # pylint: disable=import-outside-toplevel
    import tencentcloud
    from tencentcloud.cbs.v20170312.cbs_client import CbsClient
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tag.v20180813.tag_client import TagClient

    return {
        # What the SDK itself reports as its version (its packages each write tencentcloud/__init__.py).
        'versions': {'tencentcloud-sdk-python-common': getattr(tencentcloud, '__version__', None)},
        'Credential': Credential,
        'TencentCloudSDKException': TencentCloudSDKException,
        'ClientProfile': ClientProfile,
        'HttpProfile': HttpProfile,
        'clients': {'cbs': CbsClient, 'tag': TagClient},
        'CommonClient': CommonClient,
    }


# ---------------------------------------------------------------------- rate limiting
class SlidingWindow:
    """At most ``limit`` calls in any ``window`` seconds. Thread-safe.

    A short run (an ad hoc module run makes a handful of calls) goes at once; a long one is
    held to the limit in every window, not only on average. A caller that has to wait reserves
    its slot before sleeping, so concurrent callers queue up in order.
    """

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError('a sliding window needs limit >= 1 and window > 0')
        self.limit = int(limit)
        self.window = float(window)
        self.clock = clock
        self.sleep = sleep
        self.slots: collections.deque[float] = (
            collections.deque()
        )  # the times of the last ``limit`` calls, reserved in order
        self.lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next slot; return how long to wait before using it (0 when it is free now)."""
        with self.lock:
            now = self.clock()
            slot = now if len(self.slots) < self.limit else max(now, self.slots[0] + self.window)
            self.slots.append(slot)
            if len(self.slots) > self.limit:
                self.slots.popleft()
            return slot - now

    def acquire(self) -> float:
        delay = self.reserve()
        if delay > 0:
            self.sleep(delay)
        return delay


class RateLimiter:
    """One sliding window per key (service and action), keeping calls within ``per_second``.

    It allows one call fewer than the limit in a window a tenth longer than a second: the
    cloud counts arrivals, and up to 100 ms of network jitter between two bursts still cannot
    put ``per_second`` of them into one of its seconds.
    """

    WINDOW_SECONDS = 1.1

    def __init__(
        self,
        per_second: int = DOCUMENTED_RATE_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = max(1, int(per_second) - 1)
        self.clock = clock
        self.sleep = sleep
        self.windows: dict[tuple[str, str], SlidingWindow] = {}
        self.lock = threading.Lock()

    def window(self, key: tuple[str, str]) -> SlidingWindow:
        with self.lock:
            if key not in self.windows:
                self.windows[key] = SlidingWindow(self.limit, self.WINDOW_SECONDS, clock=self.clock, sleep=self.sleep)
            return self.windows[key]

    def acquire(self, key: tuple[str, str]) -> float:
        return self.window(key).acquire()


# ---------------------------------------------------------------------- the client
def parse_endpoint(endpoint_url: str | None) -> tuple[str, str] | None:
    """``(scheme, host[:port])`` of endpoint_url, or None for Tencent's own endpoints."""
    if not endpoint_url:
        return None
    text = endpoint_url if '://' in endpoint_url else 'https://' + endpoint_url
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InputError(
            'endpoint_url',
            'expected a URL like https://cbs.tencentcloudapi.com or http://127.0.0.1:8080, got %r' % endpoint_url,
        ) from None
    if parts.scheme not in ('http', 'https') or not parts.hostname or parts.path not in ('', '/') or parts.query:
        raise InputError(
            'endpoint_url',
            'expected a URL like https://cbs.tencentcloudapi.com or http://127.0.0.1:8080 '
            '(scheme, host and port only), got %r' % endpoint_url,
        )
    return parts.scheme, parts.hostname + (':%d' % port if port else '')


class TencentClient:
    """Calls Tencent Cloud API 3.0 actions through the SDK, one rate-limited attempt at a time.

    ``call`` answers the ``Response`` object of a successful call, or raises CloudError with the
    cloud's code, message and request id and the kind of error it is. It retries only through
    ``retry`` (a CallRetry, the run's), and only calls safe to resend.
    """

    def __init__(
        self,
        connection: Mapping[str, Any],
        sdk: dict[str, Any],
        *,
        limiter: RateLimiter | None = None,
        retry: CallRetry | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``clock`` tells when assumed-role keys expire (tests move it)."""
        self.retry = retry if retry is not None else CallRetry()
        self.connection = connection
        self.sdk = sdk
        self.sdk_warnings = version_warnings((sdk or {}).get('versions', {}), TENCENT_SDK_MINIMUMS)
        self.limiter = limiter or RateLimiter()
        self.endpoint = parse_endpoint(connection.get('endpoint_url'))
        # Told each answer's Date header: the runs' clocks of the cloud's time (core.cloud_clock).
        self.date_observers: list[Callable[[str | None], None]] = []
        self.connect_timeout, self.read_timeout = connection_timeouts(connection)
        self._credential: Any = None  # the SDK's Credential
        self._clients: dict[tuple[str, str | None, str | None], Any] = {}  # the SDK's clients
        self.role_arn = TENCENT_ROLE_RULES.check(connection)
        self.role = (
            TemporaryCredentials(self._assume_role, session_seconds=SESSION_SECONDS, clock=clock or time.time)
            if self.role_arn
            else None
        )

    def credential(self) -> Any:
        if self._credential is None:
            conn = self.connection
            if not conn.get('secret_id') or not conn.get('secret_key'):
                raise InputError(
                    'secret_id',
                    'Tencent Cloud credentials are needed: set secret_id and secret_key '
                    '(or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY), and security_token '
                    '(TENCENTCLOUD_SECURITY_TOKEN) for temporary credentials',
                )
            for option in ('secret_id', 'secret_key'):
                if conn[option].strip() != conn[option]:
                    raise InputError(option, 'must not begin or end with spaces')
            self._credential = self.sdk['Credential'](
                conn['secret_id'], conn['secret_key'], conn.get('security_token') or None
            )
        return self._credential

    def client(self, service: str, region: str | None, own_keys: bool = False) -> Any:
        """The SDK client of ``service`` in ``region``, signing with the assumed role's current keys, or with
        the connection's own (``own_keys``, and without a role): one client per set of keys, so that a
        refresh never mixes old and new keys in one request."""
        if self.role is None or own_keys:
            key: tuple[str, str | None, str | None] = (service, region, None)
            make_credential = self.credential
        else:
            key_id, secret, token = self.role.get()
            key = (service, region, key_id)

            def make_credential() -> Any:
                return self.sdk['Credential'](key_id, secret, token)

        if key not in self._clients:
            conn = self.connection
            # The SDK hands reqTimeout to requests as its timeout, which takes (connect, read).
            profile_arguments: dict[str, Any] = {'reqTimeout': (self.connect_timeout, self.read_timeout)}
            if self.endpoint is not None:
                profile_arguments.update(protocol=self.endpoint[0], endpoint=self.endpoint[1])
            if not conn.get('validate_certs', True):
                # The SDK hands this to requests as ``verify``: False turns verification off.
                profile_arguments['certification'] = False
                quiet_insecure_warnings()
            http_profile = self.sdk['HttpProfile'](**profile_arguments)
            # language en-US: the messages users see are in English; no retryer (see the module docstring).
            profile = self.sdk['ClientProfile'](
                httpProfile=http_profile, language='en-US', request_client=REQUEST_CLIENT
            )
            if service in COMMON_SERVICES:
                self._clients[key] = self.sdk['CommonClient'](
                    service, COMMON_SERVICES[service], make_credential(), region, profile
                )
            else:
                self._clients[key] = self.sdk['clients'][service](make_credential(), region, profile)
        return self._clients[key]

    def _assume_role(self) -> tuple[str, str, str, int]:
        """STS AssumeRole with the connection's own keys: (secret id, secret key, token, expiry in epoch seconds)."""
        params: dict[str, Any] = {
            'RoleArn': self.role_arn,
            'DurationSeconds': SESSION_SECONDS,
            'RoleSessionName': self.connection.get('role_session_name') or default_session_name(),
        }
        if self.connection.get('external_id'):
            params['ExternalId'] = self.connection['external_id']
        answer = self.call('sts', STS_REGION, 'AssumeRole', params, own_keys=True)
        try:
            credentials = answer['Credentials']
            return (
                credentials['TmpSecretId'],
                credentials['TmpSecretKey'],
                credentials['Token'],
                int(answer['ExpiredTime']),
            )
        except (KeyError, TypeError, ValueError):
            raise CloudError(
                'AssumeRole', 'InvalidResponse', 'the answer is not an STS AssumeRole answer', kind=FATAL
            ) from None

    def caller_account(self, region: str | None = None) -> str:  # pylint: disable=unused-argument  # as AwsClient's; STS answers in any region
        """The account (its uin) this client's credentials act in, as STS says (sts 2018-08-13 GetCallerIdentity's
        AccountId, "the root account UIN of the current caller"; with a role, its AssumeRole first): one read."""
        account = self.call('sts', STS_REGION, 'GetCallerIdentity', {}).get('AccountId')
        if not isinstance(account, str):
            raise CloudError(
                'GetCallerIdentity', 'InvalidResponse', 'the answer names no account', kind=FATAL, region=STS_REGION
            )
        return account

    def call(
        self, service: str, region: str | None, action: str, params: dict[str, Any], own_keys: bool = False
    ) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            client = self.client(service, region, own_keys)
            self.limiter.acquire((service, action))
            try:
                # _call signs and sends and hands back the HTTP answer unchecked: the checks are ours.
                answer = client._call(action, params)  # pylint: disable=protected-access
            except self.sdk['TencentCloudSDKException'] as error:
                raise note_read_timeout(network_error(action, region, error), self.read_timeout) from None
            tell_date(self.date_observers, answer.headers.get('Date'))
            return read_answer(action, region, answer)

        return self.retry.send(action, send)


class TencentAccountRouter:
    """Two accounts' clients as one TencentClient (dr_sync's dr_account on CBS): a call in the source region, or to a
    service without regions (the Tag service), goes to the source account's client, any other (the DR regions) to the DR
    account's. What the source account does in a DR region (its staged copies) names its client itself (``source``)."""

    def __init__(self, source: TencentClient, dr_account: TencentClient, source_region: str) -> None:
        self.source, self.dr_account, self.source_region = source, dr_account, source_region
        dr_account.date_observers = source.date_observers  # one cloud, one clock

    def client_for(self, region: str | None) -> TencentClient:
        return self.source if region in (None, self.source_region) else self.dr_account

    def call(
        self, service: str, region: str | None, action: str, params: dict[str, Any], own_keys: bool = False
    ) -> dict[str, Any]:
        return self.client_for(region).call(service, region, action, params, own_keys)

    def caller_account(self, region: str | None = None) -> str:
        # STS has no regions of its own: the account is the one that holds ``region``'s copies.
        return self.client_for(region).caller_account(region)

    def __getattr__(self, name: str) -> Any:
        # The rest (retry, sdk, sdk_warnings, the connection) is the source client's.
        return getattr(self.source, name)


def read_answer(action: str, region: str | None, answer: Any) -> dict[str, Any]:
    """The ``Response`` of an HTTP answer, or the CloudError it stands for."""
    status = answer.status_code
    content_type = answer.headers.get('Content-Type', '')
    try:
        body = answer.content
    except Exception as error:  # pylint: disable=broad-exception-caught
        # Reading a streamed body can fail half way (connection reset): the call may have been done.
        raise CloudError.maybe_done(
            action,
            'ClientNetworkError',
            'the answer was cut off: %s' % error,
            region=region,
        ) from None
    try:
        document = json.loads(body.decode('utf-8'))
    except ValueError:
        document = None
    response = document.get('Response') if isinstance(document, dict) else None
    if isinstance(response, dict) and isinstance(response.get('Error'), dict):
        details = response['Error']
        raise cloud_error(
            action, region, details.get('Code') or 'Unknown', details.get('Message') or '', response.get('RequestId')
        )
    if status >= 500 or status == 429:
        raise CloudError.maybe_done(
            action,
            'HTTP%d' % status,
            'the endpoint answered HTTP %d (%s): %s' % (status, content_type or 'no content type', _excerpt(body)),
            region=region,
        )
    if status != 200 or not isinstance(response, dict):
        raise CloudError(
            action,
            'InvalidResponse',
            'the endpoint answered HTTP %d (%s) with something that is not a '
            'Tencent Cloud API answer: %s. Is endpoint_url right?'
            % (status, content_type or 'no content type', _excerpt(body)),
            kind=FATAL,
            region=region,
        )
    return response


def cloud_error(
    action: str, region: str | None, code: str, message: str | None, request_id: str | None = None
) -> CloudError:
    """A CloudError for a code the cloud answered with: its kind, and a hint where one helps."""
    hint = HINTS.get(code)
    if hint is None and code.startswith('AuthFailure'):
        hint = 'check secret_id, secret_key and security_token (or the TENCENTCLOUD_* variables)'
    if hint is None and code.startswith('InvalidAccount'):
        hint = 'the account cannot do this now: check its status and balance in the Tencent Cloud console'
    text = (message or '(the cloud gave no message)').rstrip('.')
    if hint:
        text = '%s. %s%s' % (text, hint[0].upper(), hint[1:])
    return CloudError(action, code, text, request_id=request_id, kind=classify(code), region=region)


def classify(code: str) -> str:
    if code.startswith(RETRYABLE_PREFIXES) or code in RETRY_LATER_CODES:
        return RETRYABLE
    if code == 'ResourceInUse.CopySnapshotConflict':
        return ALREADY_EXISTS
    if code in NOT_FOUND_CODES:
        return NOT_FOUND
    if code.startswith(INVALID_PREFIXES):
        return INVALID
    return FATAL


def network_error(action: str, region: str | None, error: Exception) -> CloudError:
    """Classify an exception the SDK raised before any answer: it wraps requests' exceptions."""
    code = getattr(error, 'code', None) or type(error).__name__
    message = getattr(error, 'message', None) or str(error)
    if code != 'ClientNetworkError':
        # Raised by the SDK itself before sending (bad parameters, credentials): nothing went out.
        return CloudError(action, code, str(message), kind=INVALID, region=region)
    names = _exception_names(error)
    if 'SSLError' in names or 'SSLCertVerificationError' in names:
        return CloudError(
            action,
            'SSLError',
            'TLS failed: %s. If the endpoint has a self-signed certificate, '
            'set validate_certs: false (for tests only)' % message,
            kind=FATAL,
            region=region,
        )
    if 'NewConnectionError' in names or 'ConnectionRefusedError' in names or 'NameResolutionError' in names:
        # Nothing answered at all: a wrong endpoint or no network. Retrying for minutes would not help.
        return CloudError(
            action,
            'ConnectionFailed',
            'could not connect to the Tencent Cloud endpoint: %s. Check '
            'endpoint_url and the network (proxies come from HTTPS_PROXY/HTTP_PROXY)' % connection_reason(message),
            kind=FATAL,
            region=region,
        )
    if 'ConnectTimeoutError' in names or 'ConnectTimeout' in names:
        # The request never left: safe to resend.
        return CloudError(action, 'ConnectTimeout', str(message), kind=RETRYABLE, region=region)
    # Sent, and no (complete) answer came back: the call may have been carried out.
    return CloudError.maybe_done(
        action,
        'ClientNetworkError',
        'no answer from the endpoint: %s' % message,
        region=region,
    )


def _exception_names(error: BaseException) -> set[str]:
    """The class names of an exception and of everything it wraps (requests -> urllib3 -> socket)."""
    names: set[str]
    seen: set[int]
    queue: list[BaseException]
    names, seen, queue = set(), set(), [error]
    while queue:
        current = queue.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        names.update(cls.__name__ for cls in type(current).__mro__)
        # urllib3's ``reason`` may be text (an SSLError's is): only exceptions are followed.
        wrapped = [
            current.__context__,
            current.__cause__,
            getattr(current, 'reason', None),
            *getattr(current, 'args', ()),
        ]
        queue.extend(item for item in wrapped if isinstance(item, BaseException))
    return names


def _excerpt(body: bytes | str, limit: int = 200) -> str:
    text = body.decode('utf-8', 'replace') if isinstance(body, bytes) else str(body)
    text = ' '.join(text.split())
    return text[:limit] + ('...' if len(text) > limit else '') if text else '(empty)'
