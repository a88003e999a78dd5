# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS: connection options, the EC2 client (botocore, on a trimmed EC2 model), and error classification.

The adapters for EBS are in clouds/aws/ebs.py (copies) and ebs_dr.py (the DR run). botocore's own retries are off:
the run's CallRetry retries the calls that are safe to resend, and the engine knows that CopySnapshot must not be resent
blindly.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ansible.module_utils.basic import env_fallback

from ...core.answers import answer_items, answer_object
from ...core.assume_role import NameRule, RoleRules, default_session_name
from ...core.cloud_clock import tell_date
from ...core.errors import FATAL, INVALID, NOT_FOUND, RETRYABLE, CloudError, InputError, note_read_timeout
from ...core.network import connection_spec, connection_timeouts
from ...core.paging import token_pages
from ...core.retry import CallRetry
from ...core.sdk_versions import missing_feature, version_warnings

if TYPE_CHECKING:
    import datetime
    from types import ModuleType

# amazon.aws's names (sts_assume_role). No environment variables: AWS_ROLE_ARN belongs to
# botocore's web identity provider (EKS sets it for the pod's own role).
AWS_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'role_arn': {},
    'role_session_name': {},
    'external_id': {'no_log': True},
}

# The patterns end in \Z, not $: $ also matches before a final newline, and the value with its newline would reach STS.
# AWS: IAM ARNs in any partition (aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, ... as botocore's
# partitions.json lists them; a test holds the pattern to it), role names with an optional path; STS
# AssumeRole's RoleSessionName 2-64 of [\w+=,.@-], ExternalId 2-1224 of [\w+=,.@:/-] (AWS STS API
# reference, AssumeRole; IAM identifiers).
AWS_ROLE_RULES = RoleRules(
    arn_option='role_arn',
    session_option='role_session_name',
    arn_pattern=r'^arn:aws(-[a-z]+)*:iam::(?P<account>\d{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}\Z',
    arn_example='arn:aws:iam::123456789012:role/dr-copy',
    session=NameRule('+=,.@', 2, 64),
    external_id_option='external_id',
    external_id=NameRule('+=,.@:/', 2, 1224),
)

# The oldest botocore the collection works with (core.sdk_versions; make units-oldest runs the unit tests on it).
AWS_SDK_MINIMUMS = {'botocore': '1.34.0'}

# The first botocore release whose own EC2 model has each request parameter that the minimum's lacks, per operation
# (boto/botocore: git log -S on botocore/data/ec2/2016-11-15/service-2.json, and CHANGELOG.rst: 1.35.70 "Time-based Copy
# for EBS Snapshots", 1.40.20 "copying Amazon EBS snapshot and AMIs to and from Local Zones"). The EC2 clients load a
# trimmed model (clouds.aws.ec2_model, or ec2_copy_model for a copy module), which has them on any botocore: botocore's
# own model counts only with AWS_DATA_PATH set.
BOTOCORE_PARAMETER_RELEASES = {
    'CopySnapshot': {'CompletionDurationMinutes': '1.35.70', 'DestinationAvailabilityZone': '1.40.20'},
}

# The names and environment variables amazon.aws uses, so playbooks and AWX credentials carry over.
AWS_CREDENTIALS_SPEC: dict[str, dict[str, Any]] = {
    'access_key': {
        'aliases': ['aws_access_key_id', 'aws_access_key', 'ec2_access_key'],
        'no_log': False,
        'fallback': (env_fallback, ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY', 'EC2_ACCESS_KEY']),
    },
    'secret_key': {
        'aliases': ['aws_secret_access_key', 'aws_secret_key', 'ec2_secret_key'],
        'no_log': True,
        'fallback': (env_fallback, ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY', 'EC2_SECRET_KEY']),
    },
    'session_token': {
        'aliases': ['aws_session_token', 'security_token', 'aws_security_token', 'access_token'],
        'no_log': True,
        'fallback': (env_fallback, ['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'EC2_SECURITY_TOKEN']),
    },
    'profile': {'aliases': ['aws_profile'], 'fallback': (env_fallback, ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'])},
}
AWS_CONNECTION_SPEC = connection_spec(
    AWS_CREDENTIALS_SPEC,
    assume_role=AWS_ASSUME_ROLE_SPEC,
    endpoint_url={'aliases': ['aws_endpoint_url', 'ec2_url'], 'fallback': (env_fallback, ['AWS_URL', 'EC2_URL'])},
    certificates={'aws_ca_bundle': {'type': 'path', 'fallback': (env_fallback, ['AWS_CA_BUNDLE'])}},
)

THROTTLING = {
    'RequestLimitExceeded',
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',  # Organizations' (the dr_scopes inventory)
    'ResourceLimitExceeded',
    'InternalError',
    'InternalFailure',
    'ServiceUnavailable',
    'Unavailable',
    'RequestTimeout',
    'RequestTimeoutException',
    'PriorRequestNotComplete',
    'SnapshotCreationPerVolumeRateExceeded',
    # The EBS direct APIs' (botocore ebs 2019-11-02). Each read operation's model says "You should always retry requests
    # that receive server (5xx) error responses, and ThrottlingException and RequestThrottledException client error
    # responses", and botocore's own retry rules (data/_retry.json, __default__: request_throttled_exception) retry
    # RequestThrottledException (HTTP 400; reasons ACCOUNT_THROTTLED, DEPENDENCY_REQUEST_THROTTLED,
    # RESOURCE_LEVEL_THROTTLE). ConcurrentLimitExceededException ("You have reached the limit for concurrent API
    # requests", 400) and ServiceQuotaExceededException (402, reason DEPENDENCY_SERVICE_QUOTA_EXCEEDED) pass with load
    # too: retried within the run's attempts and deadline, after which the verdict is the rule's (not verified,
    # unmeasured), never a failed run.
    'RequestThrottledException',
    'ConcurrentLimitExceededException',
    'ServiceQuotaExceededException',
}
# InvalidAttachment.NotFound: DetachVolume of a volume not attached (any more) to the instance.
# ResourceNotFoundException: the EBS direct APIs' snapshot not found (ebs 2019-11-02, reason SNAPSHOT_NOT_FOUND).
NOT_FOUND_CODES = {
    'InvalidSnapshot.NotFound',
    'InvalidSnapshotID.NotFound',
    'InvalidVolume.NotFound',
    'InvalidInstanceID.NotFound',
    'InvalidAttachment.NotFound',
    'ResourceNotFoundException',
}
INVALID_CODES = {
    'InvalidParameterValue',
    'InvalidParameter',
    'InvalidParameterCombination',
    'MissingParameter',
    'InvalidSnapshot.Malformed',
    'IncorrectState',
    'InvalidSnapshot.InUse',
    'InvalidKMSKey.NotFound',
    'KMSKeyNotAccessible',
    'InvalidOutpostArn',
    'ValidationError',
    'InvalidRequest',
    'InvalidZone.NotFound',
    'InvalidVolume.ZoneMismatch',
    'VolumeInUse',
    'UnsupportedOperation',
    'InvalidInstanceID.Malformed',
    'IncorrectInstanceState',
}
USER_AGENT = 'snapcopy.cloud/0.1.0'


def trimmed_ec2_loader(loaders: Any, ec2_model: ModuleType) -> Any:
    """botocore's data loader, except that EC2's service model is the trimmed copy in ``ec2_model`` (clouds.aws.ec2_model
    or ec2_copy_model).

    That saves decoding botocore's whole EC2 model in every process (see ``clouds.aws.ec2_model``).
    ``loaders`` is ``botocore.loaders``, imported by the caller only when a client is made.
    """

    class TrimmedEc2Loader(loaders.Loader):  # type: ignore[misc]  # botocore is untyped
        def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
            if service_name == 'ec2' and api_version in (None, ec2_model.API_VERSION):
                if type_name == 'service-2':
                    return ec2_model.load_model()
                if type_name == 'endpoint-rule-set-1':
                    # The file botocore would load, without its first listing every service's directory.
                    return self.load_data(os.path.join('ec2', ec2_model.API_VERSION, type_name))
            return super().load_service_model(service_name, type_name, api_version)

    return TrimmedEc2Loader()


def default_ec2_model() -> ModuleType:
    """clouds.aws.ec2_model, the twenty operations of the AWS adapter, imported by name when a client is made without a
    model of its own. By name, as Ansible's module packer follows only import statements: an import here would put its
    84 KB into the payload of ebs_snapshot_copy, which calls three operations (ec2_copy_model). The DR run's adapter
    (clouds/aws/ebs_dr.py) imports it, so the modules that run it carry it."""
    return importlib.import_module(__name__.rsplit('.', 1)[0] + '.ec2_model')


class AwsClient:
    """EC2 clients per region for one connection, and ``call`` that turns every botocore error into
    a CloudError that says what kind it is."""

    def __init__(
        self,
        connection: Mapping[str, Any],
        *,
        botocore_module: Any = None,
        retry: CallRetry | None = None,
        clock: Callable[[], datetime.datetime] | None = None,
        ec2_model: ModuleType | None = None,
    ) -> None:
        """``botocore_module`` is botocore, imported by the caller (see load_botocore); ``retry`` (a
        CallRetry) is the run's (by default each call is sent once); ``clock`` (a botocore time fetcher,
        answering an aware datetime) tells when assumed-role keys expire; ``ec2_model`` is the trimmed EC2 model the
        clients load (the adapter's, clouds.aws.ec2_model, when None)."""
        self.retry = retry if retry is not None else CallRetry()
        self.ec2_model = ec2_model
        self.connection = connection
        self.role_arn = AWS_ROLE_RULES.check(connection)
        self._clock = clock
        self.connect_timeout, self.read_timeout = connection_timeouts(connection)
        self._botocore = botocore_module
        self.sdk_warnings = version_warnings(
            {'botocore': getattr(botocore_module, '__version__', None)}, AWS_SDK_MINIMUMS
        )
        self._base: Any = None
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        # The DR run calls from several threads; botocore's sessions may not make clients concurrently.
        self._clients_lock = threading.Lock()
        # Told each answer's Date header: the runs' clocks of the cloud's time (core.cloud_clock).
        self.date_observers: list[Callable[[str | None], None]] = []

    @property
    def botocore(self) -> Any:
        """The botocore module this client was made with (a second account's client is made with it too)."""
        return self._botocore

    @classmethod
    def from_connection(
        cls, connection: Mapping[str, Any], retry: CallRetry | None = None, *, ec2_model: ModuleType | None = None
    ) -> AwsClient:
        """A client for ``connection`` (options checked, no call yet); ImportError when botocore is missing."""
        return cls(connection, botocore_module=load_botocore(), retry=retry, ec2_model=ec2_model)

    def ec2(self, region: str, service: str = 'ec2') -> Any:
        """The EC2 client (or ``service``'s: KMS for the DR account's key checks) for ``region``, made once. botocore's
        own retries are off: the run's CallRetry resends what is safe to resend, and the engine knows that CopySnapshot
        must not be resent blindly."""
        with self._clients_lock:
            if (service, region) not in self._clients:
                try:
                    self._clients[(service, region)] = self._new_client(region, service)
                except self._botocore.exceptions.ProfileNotFound as error:
                    raise InputError('profile', str(error)) from None
            return self._clients[(service, region)]

    def _base_session(self) -> Any:
        """The connection's botocore session (its credentials, its data loader), made once and no call made."""
        if self._base is None:
            conn = self.connection
            # What boto3's Session does with these arguments, in botocore's terms.
            session = self._botocore.session.Session(profile=conn.get('profile') or None)
            if conn.get('access_key') or conn.get('secret_key') or conn.get('session_token'):
                session.set_credentials(conn.get('access_key'), conn.get('secret_key'), conn.get('session_token'))
            try:
                data_path = session.get_config_variable('data_path')
            except self._botocore.exceptions.ProfileNotFound as error:
                raise InputError('profile', str(error)) from None
            if not data_path:
                # With AWS_DATA_PATH set, the user brings models of their own: botocore's loader finds them.
                session.register_component(
                    'data_loader', trimmed_ec2_loader(self._botocore.loaders, self.ec2_model or default_ec2_model())
                )
            self._base = session
        return self._base

    def data_loader(self) -> Any:
        """botocore's data loader of this connection's clients: what it reads (endpoints.json: 1 MB of JSON) is read
        once a process, whether the region check or a client reads it first."""
        return self._base_session().get_component('data_loader')

    def _new_client(self, region: str, service: str = 'ec2') -> Any:
        if self._session is None:
            session = self._base_session()
            self._session = self._role_session(session, region) if self.role_arn else session
        return self._session.create_client(service, **self._client_options(region))

    def _client_options(self, region: str) -> dict[str, Any]:
        conn = self.connection
        config = self._botocore.config.Config(
            retries={'total_max_attempts': 1, 'mode': 'standard'},
            user_agent_extra=USER_AGENT,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
        verify = conn.get('aws_ca_bundle') or conn.get('validate_certs', True)
        return {
            'region_name': region,
            'endpoint_url': conn.get('endpoint_url') or None,
            'verify': verify,
            'config': config,
        }

    def _role_session(self, source: Any, region: str) -> Any:
        """A session whose credentials are the role's, from botocore's own assume-role fetcher and
        refreshable credentials: STS AssumeRole with ``source``'s credentials, again before they expire.

        STS is asked at endpoint_url when that is set (moto and other emulators serve STS there too)."""
        credentials_module = self._botocore.credentials
        conn = self.connection
        source_credentials = source.get_credentials()
        if source_credentials is None:
            raise CloudError(
                'AssumeRole',
                'NoCredentials',
                'no AWS credentials to assume role_arn with: set access_key '
                'and secret_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or a profile',
                kind=FATAL,
            )
        extra = {'RoleSessionName': conn.get('role_session_name') or default_session_name()}
        if conn.get('external_id'):
            extra['ExternalId'] = conn['external_id']
        fetcher = credentials_module.AssumeRoleCredentialFetcher(
            functools.partial(source.create_client, **self._client_options(region)),
            source_credentials,
            self.role_arn,
            extra_args=extra,
        )
        refreshing = {'refresh_using': fetcher.fetch_credentials, 'method': 'assume-role'}
        if self._clock is not None:
            refreshing['time_fetcher'] = self._clock
        role_credentials = credentials_module.DeferredRefreshableCredentials(**refreshing)

        class RoleCredentialProvider:
            """What a botocore session asks for its credentials (the 'credential_provider' component)."""

            @staticmethod
            def load_credentials() -> Any:
                return role_credentials

        session = self._botocore.session.Session()
        session.register_component('data_loader', source.get_component('data_loader'))
        session.register_component('credential_provider', RoleCredentialProvider())
        return session

    def require_parameters(self, region: str, action: str, parameters: Mapping[str, str]) -> None:
        """InputError unless the EC2 model of ``region``'s client has every request parameter of ``action`` in
        ``parameters`` ({option: parameter}); makes the client, no call. The trimmed models (clouds.aws.ec2_model and
        ec2_copy_model) have them all; botocore's own, loaded with AWS_DATA_PATH set, has those of its release
        (BOTOCORE_PARAMETER_RELEASES)."""
        members = self.ec2(region).meta.service_model.operation_model(action).input_shape.members
        for option, parameter in parameters.items():
            if parameter not in members:
                version = getattr(self._botocore, '__version__', '')
                raise InputError(
                    option,
                    missing_feature(
                        ('botocore %s' % version).strip(),
                        '%s parameter %s in the EC2 model it loaded (with AWS_DATA_PATH set, '
                        'botocore\'s models are used)' % (action, parameter),
                        BOTOCORE_PARAMETER_RELEASES.get(action, {}).get(parameter),
                    ),
                )

    def call(self, region: str, action: str, **kwargs: Any) -> dict[str, Any]:
        return self.call_service('ec2', region, action, **kwargs)

    def caller_account(self, region: str) -> str:
        """The account this client's credentials act in, as STS says (GetCallerIdentity, in ``region``: no permission
        needed, and with a role, its AssumeRole first): one read."""
        account = self.call_service('sts', region, 'GetCallerIdentity').get('Account')
        if not isinstance(account, str):
            raise CloudError(
                'GetCallerIdentity', 'InvalidResponse', 'the answer names no account', kind=FATAL, region=region
            )
        return account

    def call_service(self, service: str, region: str, action: str, **kwargs: Any) -> dict[str, Any]:
        """``action`` of ``service`` (ec2, kms) in ``region``, through the run's CallRetry, every error a CloudError."""
        method = getattr(self.ec2(region, service), _snake(action))

        def send() -> dict[str, Any]:
            try:
                answer = method(**kwargs)
            except Exception as error:  # pylint: disable=broad-exception-caught
                raise note_read_timeout(self.cloud_error(action, region, error), self.read_timeout) from None
            tell_date(
                self.date_observers, ((answer.get('ResponseMetadata') or {}).get('HTTPHeaders') or {}).get('date')
            )
            # EC2's look-ups decide whether to copy again (answer_of_aws); KMS's key check decides nothing of the kind.
            return answer_of_aws(action, region, answer) if service == 'ec2' else answer_object(answer)

        return self.retry.send(action, send)

    def cloud_error(self, action: str, region: str, error: Exception) -> CloudError:
        """Turn a boto3/botocore exception into a CloudError that says what kind it is."""
        exceptions = self._botocore.exceptions
        if isinstance(error, exceptions.ClientError):
            # The role's credentials are fetched when a call needs them: a refusal then is STS's.
            action = 'AssumeRole' if getattr(error, 'operation_name', None) == 'AssumeRole' else action
            response = getattr(error, 'response', {}) or {}
            details = response.get('Error', {})
            code = details.get('Code', 'Unknown')
            status = response.get('ResponseMetadata', {}).get('HTTPStatusCode') or 0
            request_id = response.get('ResponseMetadata', {}).get('RequestId')
            if code in THROTTLING or status >= 500:
                kind = RETRYABLE
            elif code in NOT_FOUND_CODES:
                kind = NOT_FOUND
            elif code in INVALID_CODES:
                kind = INVALID
            else:
                kind = FATAL
            message = details.get('Message') or '(the cloud gave no message)'
            # The EBS direct APIs' errors carry a Reason (rest-json: a member of the answer, beside Error).
            if isinstance(response.get('Reason'), str):
                message = '%s (reason %s)' % (message, response['Reason'])
            return CloudError(
                action,
                code,
                message,
                request_id=request_id,
                kind=kind,
                region=region,
            )
        return self._sdk_error(action, region, error)

    def _sdk_error(self, action: str, region: str, error: Exception) -> CloudError:
        """An exception that is not the cloud's answer (credentials, parameters, the network, a page that is not XML) as
        a CloudError; anything else is raised as it is (a bug of ours)."""
        exceptions = self._botocore.exceptions
        if isinstance(error, (exceptions.NoCredentialsError, exceptions.PartialCredentialsError)):
            return CloudError(
                action,
                'NoCredentials',
                'no AWS credentials found: set access_key and secret_key '
                '(or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or a profile',
                kind=FATAL,
                region=region,
            )
        if isinstance(error, exceptions.ParamValidationError):
            return CloudError(action, 'ParamValidationError', str(error), kind=INVALID, region=region)
        if isinstance(error, exceptions.SSLError):
            return CloudError(action, 'SSLError', str(error), kind=FATAL, region=region)
        if isinstance(error, exceptions.EndpointConnectionError) and not isinstance(
            error, exceptions.ConnectTimeoutError
        ):
            # Nothing answered at all (refused, no route, DNS): a setup problem, reported at once.
            return CloudError(
                action,
                'EndpointConnectionError',
                '%s. Check endpoint_url and the network' % str(error).rstrip('.'),
                kind=FATAL,
                region=region,
            )
        if isinstance(error, (exceptions.ConnectionClosedError, exceptions.ReadTimeoutError)):
            # The request went out and no answer came back: it may have been carried out.
            return CloudError.maybe_done(action, type(error).__name__, str(error), region=region)
        if isinstance(error, (exceptions.ConnectTimeoutError, exceptions.HTTPClientError)):
            return CloudError.maybe_done(action, type(error).__name__, str(error), region=region)
        if isinstance(error, exceptions.BotoCoreError):
            return CloudError(action, type(error).__name__, str(error), kind=FATAL, region=region)
        if isinstance(error, self._botocore.parsers.ResponseParserError):
            # An answer that is not XML at all (a server's or a proxy's error page, "<!doctype html>"): not AWS's words,
            # and the call may have been carried out. botocore says so ("Further retries may succeed"), not
            # BotoCoreError.
            return CloudError.maybe_done(
                action,
                'ResponseParserError',
                str(error)[:MAX_FOREIGN_PAGE],
                region=region,
            )
        raise error


# How much of a page that is not AWS's answer a message keeps: its first line says what it is; the rest is markup.
MAX_FOREIGN_PAGE = 300


# pylint: disable-next=too-many-arguments
def listed_items(
    client: AwsClient,
    region: str,
    action: str,
    params: Mapping[str, Any],
    *,
    key: str,
    page_size: int,
    service: str = 'ec2',
) -> Iterator[dict[str, Any]]:
    """Every item under ``key`` in the pages of ``service``'s ``action`` in ``region`` for ``params`` (MaxResults and
    NextToken, core.paging.token_pages), each page a call through ``client``."""
    # EC2's through client.call, its one door for EC2 calls (what a caller that wraps it counts), as before.
    send = client.call if service == 'ec2' else functools.partial(client.call_service, service)
    return token_pages(
        lambda page: send(region, action, **page),
        params,
        lambda answer: answer_items(answer, key),
        page_size,
        action=action,
        region=region,
    )


def answer_of_aws(action: str, region: str, answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` when AWS gave it. botocore reads any page as an empty answer: a proxy's or a captive portal's
    HTML with status 200 becomes "no snapshots", and a look-up before a copy would then copy again. EC2 answers
    in XML (its query protocol); an answer whose content type says otherwise is no answer, and may hide a call
    that was carried out."""
    metadata = answer.get('ResponseMetadata') or {}
    content_type = (metadata.get('HTTPHeaders') or {}).get('content-type')
    if content_type and 'xml' not in content_type.lower():
        raise CloudError.maybe_done(
            action,
            'NotAnAwsAnswer',
            'the endpoint answered HTTP %s with %s, not an EC2 answer (a proxy, or a '
            'wrong endpoint_url?)' % (metadata.get('HTTPStatusCode', '?'), content_type),
            region=region,
        )
    return answer


def load_botocore() -> Any:
    """botocore and the submodules a client needs; ImportError when it is missing.

    botocore alone: boto3 adds nothing a client needs, and importing it costs a module run tens of
    milliseconds (s3transfer, its resource layer)."""
    # pylint: disable=import-outside-toplevel,unused-import
    import botocore
    import botocore.config
    import botocore.credentials
    import botocore.exceptions
    import botocore.loaders
    import botocore.parsers
    import botocore.session

    return botocore


class AccountRouter:
    """Two accounts' clients as one AwsClient (dr_sync's dr_account): a call in the source region goes to the source
    account's client, any other (the DR regions: never the source region) to the DR account's."""

    def __init__(self, source: AwsClient, dr_account: AwsClient, source_region: str) -> None:
        self.source, self.dr_account, self.source_region = source, dr_account, source_region
        dr_account.date_observers = source.date_observers  # one cloud, one clock

    def client_for(self, region: str) -> AwsClient:
        return self.source if region == self.source_region else self.dr_account

    def call(self, region: str, action: str, **kwargs: Any) -> dict[str, Any]:
        return self.client_for(region).call(region, action, **kwargs)

    def call_service(self, service: str, region: str, action: str, **kwargs: Any) -> dict[str, Any]:
        return self.client_for(region).call_service(service, region, action, **kwargs)

    def caller_account(self, region: str) -> str:
        return self.client_for(region).caller_account(region)

    def ec2(self, region: str, service: str = 'ec2') -> Any:
        return self.client_for(region).ec2(region, service)

    def require_parameters(self, region: str, action: str, parameters: Mapping[str, str]) -> None:
        self.client_for(region).require_parameters(region, action, parameters)

    def __getattr__(self, name: str) -> Any:
        # The rest (retry, sdk_warnings, botocore, the connection) is the source client's.
        return getattr(self.source, name)


def _snake(action: str) -> str:
    return re.sub(r'(?<!^)(?=[A-Z])', '_', action).lower()
