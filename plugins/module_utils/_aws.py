# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: connection options, the EC2 client, and the adapter for the copy engine.

How copies are found: EBS keeps no link from a copy to its source, so every copy carries
the tag ``snapcopy:source = <source region>/<source snapshot id>`` (set by CopySnapshot's
TagSpecifications, so it is there from the first moment), and the adapter looks for that
tag among the account's own snapshots in the destination. CopySnapshot has no ClientToken:
the engine looks the destination up again before any retry of it.
"""

from __future__ import annotations

import os
import re
import threading

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ._ec2_model import API_VERSION as EC2_API_VERSION, load_model as load_ec2_model
from ._errors import FATAL, INVALID, NOT_FOUND, RETRYABLE, CloudError, InputError, note_read_timeout, safe_to_resend
from ._model import COMPLETED, FAILED, PENDING, SOURCE_TAG, Adapter, CopyRequest, Disk, Snapshot, send_once, string_tags

# The names and environment variables amazon.aws uses, so playbooks and AWX credentials carry over.
AWS_CONNECTION_SPEC = {
    'access_key': {'aliases': ['aws_access_key_id', 'aws_access_key', 'ec2_access_key'], 'no_log': False,
                   'fallback': (env_fallback, ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY', 'EC2_ACCESS_KEY'])},
    'secret_key': {'aliases': ['aws_secret_access_key', 'aws_secret_key', 'ec2_secret_key'], 'no_log': True,
                   'fallback': (env_fallback, ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY', 'EC2_SECRET_KEY'])},
    'session_token': {'aliases': ['aws_session_token', 'security_token', 'aws_security_token', 'access_token'], 'no_log': True,
                      'fallback': (env_fallback, ['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'EC2_SECURITY_TOKEN'])},
    'profile': {'aliases': ['aws_profile'], 'fallback': (env_fallback, ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'])},
    'endpoint_url': {'aliases': ['aws_endpoint_url', 'ec2_url'], 'fallback': (env_fallback, ['AWS_URL', 'EC2_URL'])},
    'validate_certs': {'type': 'bool', 'default': True},
    'aws_ca_bundle': {'type': 'path', 'fallback': (env_fallback, ['AWS_CA_BUNDLE'])},
    'connect_timeout': {'type': 'int', 'default': 10},
    'read_timeout': {'type': 'int', 'default': 60},
}

SNAPSHOT_ID = re.compile(r'^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$')
REGION = re.compile(r'^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$')
OUTPOST_ARN = re.compile(r'^arn:aws[a-z-]*:outposts:([a-z0-9-]+):\d{12}:outpost/op-[0-9a-f]{17}$')
STATE_MAP = {'pending': PENDING, 'completed': COMPLETED, 'error': FAILED}
THROTTLING = {'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ResourceLimitExceeded',
              'InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout',
              'RequestTimeoutException', 'PriorRequestNotComplete', 'SnapshotCreationPerVolumeRateExceeded'}
NOT_FOUND_CODES = {'InvalidSnapshot.NotFound', 'InvalidSnapshotID.NotFound', 'InvalidVolume.NotFound'}
INVALID_CODES = {'InvalidParameterValue', 'InvalidParameter', 'InvalidParameterCombination', 'MissingParameter',
                 'InvalidSnapshot.Malformed', 'IncorrectState', 'InvalidSnapshot.InUse', 'InvalidKMSKey.NotFound',
                 'KMSKeyNotAccessible', 'InvalidOutpostArn', 'ValidationError', 'InvalidRequest'}
# Filter values per DescribeSnapshots call: EC2 accepts up to 200 values per filter.
FILTER_CHUNK = 200
MAX_TAGS = 50
USER_AGENT = 'snapcopy.cloud/0.1.0'


def build_ebs_request(params):
    """The CopyRequest for ebs_snapshot_copy's options (validated later by the adapter)."""
    options = {
        'description': params.get('description'),
        'tags': string_tags(params.get('tags')),
        'encrypted': params.get('encrypted'),
        'kms_key_id': params.get('kms_key_id'),
        'completion_duration_minutes': params.get('completion_duration_minutes'),
        'destination_outpost_arn': params.get('destination_outpost_arn'),
    }
    if not params.get('destination_region'):
        raise InputError('destination_region', 'is required (alias region, or the AWS_REGION / AWS_DEFAULT_REGION variable)')
    return CopyRequest(params['source_snapshot_id'], params['source_region'], [params['destination_region']], options)


def trimmed_ec2_loader(loaders):
    """botocore's data loader, except that EC2's service model is the trimmed copy in ``_ec2_model``.

    That saves decoding botocore's whole EC2 model in every process (see ``_ec2_model``).
    ``loaders`` is ``botocore.loaders``, imported by the caller only when a client is made.
    """
    class TrimmedEc2Loader(loaders.Loader):
        def load_service_model(self, service_name, type_name, api_version=None):
            if service_name == 'ec2' and api_version in (None, EC2_API_VERSION):
                if type_name == 'service-2':
                    return load_ec2_model()
                if type_name == 'endpoint-rule-set-1':
                    # The file botocore would load, without its first listing every service's directory.
                    return self.load_data(os.path.join('ec2', EC2_API_VERSION, type_name))
            return super().load_service_model(service_name, type_name, api_version)

    return TrimmedEc2Loader()


class AwsAdapter(Adapter):
    cloud = 'AWS EBS'
    multi_destination = False
    copy_call_is_idempotent = False
    sample_snapshot_id = 'snap-0123456789abcdef0'
    readable_options = ('encrypted', 'kms_key_id', 'tags', 'description')
    # EBS refuses a 21st copy in flight to one region (ResourceLimitExceeded).
    max_copies_in_flight = 20
    #: Retries one call that is safe to resend; the engine sets its own (install_call_retry).
    call_retry = staticmethod(send_once)

    def __init__(self, connection, botocore_module=None):
        self.connection = connection
        self._botocore = botocore_module
        self._session = None
        self._clients = {}
        # The DR run calls from several threads; botocore's sessions may not make clients concurrently.
        self._clients_lock = threading.Lock()

    # ------------------------------------------------------------------ client
    @classmethod
    def from_module(cls, module):
        return cls.from_connection(module, {name: module.params.get(name) for name in AWS_CONNECTION_SPEC})

    @classmethod
    def from_connection(cls, module, connection):
        # botocore alone: boto3 adds nothing a client needs, and importing it costs a module run
        # tens of milliseconds (s3transfer, its resource layer).
        try:
            import botocore  # pylint: disable=import-outside-toplevel
            import botocore.config  # pylint: disable=import-outside-toplevel,unused-import
            import botocore.exceptions  # pylint: disable=import-outside-toplevel,unused-import
            import botocore.loaders  # pylint: disable=import-outside-toplevel,unused-import
            import botocore.session  # pylint: disable=import-outside-toplevel,unused-import
        except ImportError:
            module.fail_json(msg=missing_required_lib('botocore (or boto3, which brings it)'))
        for option in ('connect_timeout', 'read_timeout'):
            if connection.get(option) is not None and connection[option] < 1:
                raise InputError(option, 'must be at least 1 second, got %s' % connection[option])
        return cls(connection, botocore)

    def client(self, region):
        """The EC2 client for ``region``, made once. botocore's own retries are off: the engine
        retries, and it knows that CopySnapshot must not be resent blindly."""
        with self._clients_lock:
            if region not in self._clients:
                try:
                    self._clients[region] = self._new_client(region)
                except self._botocore.exceptions.ProfileNotFound as error:
                    raise InputError('profile', str(error)) from None
            return self._clients[region]

    def _new_client(self, region):
        conn = self.connection
        if self._session is None:
            # What boto3's Session does with these arguments, in botocore's terms.
            session = self._botocore.session.Session(profile=conn.get('profile') or None)
            if conn.get('access_key') or conn.get('secret_key') or conn.get('session_token'):
                session.set_credentials(conn.get('access_key'), conn.get('secret_key'), conn.get('session_token'))
            if not session.get_config_variable('data_path'):
                # With AWS_DATA_PATH set, the user brings models of their own: botocore's loader finds them.
                session.register_component('data_loader', trimmed_ec2_loader(self._botocore.loaders))
            self._session = session
        config = self._botocore.config.Config(
            retries={'total_max_attempts': 1, 'mode': 'standard'},
            user_agent_extra=USER_AGENT, connect_timeout=self._timeout('connect_timeout'),
            read_timeout=self._timeout('read_timeout'))
        verify = conn.get('aws_ca_bundle') or conn.get('validate_certs', True)
        return self._session.create_client('ec2', region_name=region, endpoint_url=conn.get('endpoint_url') or None,
                                           verify=verify, config=config)

    def _timeout(self, option):
        return self.connection.get(option) or AWS_CONNECTION_SPEC[option]['default']

    def _call(self, region, action, **kwargs):
        method = getattr(self.client(region), _snake(action))

        def send():
            try:
                return method(**kwargs)
            except Exception as error:  # pylint: disable=broad-exception-caught
                raise note_read_timeout(self.cloud_error(action, region, error), self._timeout('read_timeout')) from None
        return self.call_retry(send) if safe_to_resend(action) else send()

    def cloud_error(self, action, region, error):
        """Turn a boto3/botocore exception into a CloudError that says what kind it is."""
        exceptions = self._botocore.exceptions
        if isinstance(error, exceptions.ClientError):
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
            return CloudError(action, code, details.get('Message') or '(the cloud gave no message)', request_id, kind, region=region)
        if isinstance(error, (exceptions.NoCredentialsError, exceptions.PartialCredentialsError)):
            return CloudError(action, 'NoCredentials', 'no AWS credentials found: set access_key and secret_key '
                              '(or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or a profile', kind=FATAL, region=region)
        if isinstance(error, exceptions.ParamValidationError):
            return CloudError(action, 'ParamValidationError', str(error), kind=INVALID, region=region)
        if isinstance(error, exceptions.SSLError):
            return CloudError(action, 'SSLError', str(error), kind=FATAL, region=region)
        if isinstance(error, exceptions.EndpointConnectionError) and not isinstance(error, exceptions.ConnectTimeoutError):
            # Nothing answered at all (refused, no route, DNS): a setup problem, reported at once.
            return CloudError(action, 'EndpointConnectionError', str(error), kind=FATAL, region=region)
        if isinstance(error, (exceptions.ConnectionClosedError, exceptions.ReadTimeoutError)):
            # The request went out and no answer came back: it may have been carried out.
            return CloudError(action, type(error).__name__, str(error), kind=RETRYABLE, uncertain=True, region=region)
        if isinstance(error, (exceptions.ConnectTimeoutError, exceptions.HTTPClientError)):
            return CloudError(action, type(error).__name__, str(error), kind=RETRYABLE, uncertain=True, region=region)
        if isinstance(error, exceptions.BotoCoreError):
            return CloudError(action, type(error).__name__, str(error), kind=FATAL, region=region)
        raise error

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request):
        options = request.options
        if not SNAPSHOT_ID.match(request.source_id or ''):
            raise InputError('source_snapshot_id', 'expected an EBS snapshot id like snap-0123456789abcdef0, got %r' % (request.source_id,))
        # The engine sends one CopySnapshot per destination; the DR run may group several in one request.
        for option, region in [('source_region', request.source_region)] + [('destination_region', region) for region in request.destinations]:
            if not REGION.match(region or ''):
                raise InputError(option, 'expected an AWS region name like us-east-1, got %r' % (region,))
        if options.get('kms_key_id') and not options.get('encrypted'):
            raise InputError('kms_key_id', 'is only used for an encrypted copy: set encrypted: true as well')
        minutes = options.get('completion_duration_minutes')
        if minutes is not None and not (15 <= minutes <= 2880 and minutes % 15 == 0):
            raise InputError('completion_duration_minutes', 'must be a multiple of 15 from 15 to 2880, got %d' % minutes)
        outpost = options.get('destination_outpost_arn')
        if outpost:
            match = OUTPOST_ARN.match(outpost)
            if not match:
                raise InputError('destination_outpost_arn', 'expected arn:aws:outposts:REGION:ACCOUNT:outpost/op-..., got %r' % outpost)
            if not match.group(1) == request.source_region == request.destinations[0]:
                raise InputError('destination_outpost_arn', 'a copy to an Outpost stays in the Outpost\'s region (%s): '
                                 'source_region and destination_region must both be %s' % (match.group(1), match.group(1)))
            if minutes is not None:
                raise InputError('completion_duration_minutes', 'cannot be used for a copy to an Outpost')
        description = options.get('description')
        if description is not None and len(description) > 255:
            raise InputError('description', 'is at most 255 characters, got %d' % len(description))
        validate_aws_tags(options.get('tags') or {})

    # ------------------------------------------------------------------ reads
    def get_sources(self, region, snapshot_ids):
        if len(snapshot_ids) == 1:
            # By id, so that a missing snapshot gives AWS's own InvalidSnapshot.NotFound.
            answer = self._call(region, 'DescribeSnapshots', SnapshotIds=list(snapshot_ids))
            return {item['SnapshotId']: self.snapshot(item, region) for item in answer.get('Snapshots', [])}
        return self._describe_by_filter(region, 'snapshot-id', snapshot_ids, owned=False)

    def describe(self, region, snapshot_ids):
        return self._describe_by_filter(region, 'snapshot-id', snapshot_ids, owned=True)

    def find_copies(self, destination, requests):
        found = {}
        values = sorted({request.source_tag for request in requests})
        for snapshot in self._describe_by_filter(destination, 'tag:' + SOURCE_TAG, values, owned=True).values():
            found.setdefault(snapshot.tags.get(SOURCE_TAG), []).append(snapshot)
        return found

    def _describe_by_filter(self, region, name, values, owned):
        snapshots = {}
        for start in range(0, len(values), FILTER_CHUNK):
            arguments = {'Filters': [{'Name': name, 'Values': list(values[start:start + FILTER_CHUNK])}], 'MaxResults': 1000}
            if owned:
                arguments['OwnerIds'] = ['self']
            while True:
                answer = self._call(region, 'DescribeSnapshots', **arguments)
                for item in answer.get('Snapshots', []):
                    snapshots[item['SnapshotId']] = self.snapshot(item, region)
                if not answer.get('NextToken'):
                    break
                arguments['NextToken'] = answer['NextToken']
        return snapshots

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request, destinations):
        (destination,) = destinations
        options = request.options
        tags = request.copy_tags()
        arguments = {
            'SourceRegion': request.source_region,
            'SourceSnapshotId': request.source_id,
            'TagSpecifications': [{'ResourceType': 'snapshot', 'Tags': [{'Key': k, 'Value': v} for k, v in sorted(tags.items())]}],
        }
        for option, parameter in (('description', 'Description'), ('kms_key_id', 'KmsKeyId'),
                                  ('completion_duration_minutes', 'CompletionDurationMinutes'),
                                  ('destination_outpost_arn', 'DestinationOutpostArn')):
            if options.get(option) is not None:
                arguments[parameter] = options[option]
        if options.get('encrypted'):
            arguments['Encrypted'] = True
        answer = self._call(destination, 'CopySnapshot', **arguments)
        copy_tags = _tag_dict(answer.get('Tags')) or tags
        return {destination: Snapshot(answer['SnapshotId'], destination, PENDING, cloud_state='pending', progress=0,
                                      encrypted=True if options.get('encrypted') else None, tags=copy_tags,
                                      description=options.get('description'))}

    # ------------------------------------------------------------------ for the DR run
    def find_disks(self, region, tag_selector):
        filters = [{'Name': 'tag:%s' % key, 'Values': [str(value)]} if value is not None else {'Name': 'tag-key', 'Values': [key]}
                   for key, value in sorted(tag_selector.items())]
        arguments = {'Filters': filters, 'MaxResults': 500}
        disks = []
        while True:
            answer = self._call(region, 'DescribeVolumes', **arguments)
            for item in answer.get('Volumes', []):
                tags = _tag_dict(item.get('Tags'))
                disks.append(Disk(item['VolumeId'], region, name=tags.get('Name'), size=item.get('Size'), tags=tags))
            if not answer.get('NextToken'):
                return disks
            arguments['NextToken'] = answer['NextToken']

    def disk_snapshots(self, region, disks):
        found = {}
        for snapshot in self._describe_by_filter(region, 'volume-id', sorted(disk.id for disk in disks), owned=True).values():
            found.setdefault(snapshot.volume_id, []).append(snapshot)
        return found

    def create_snapshot(self, region, disk, name, description, tags):
        tags = dict(tags or {})
        if name:
            tags['Name'] = name
        arguments = {'VolumeId': disk.id, 'Description': description or ''}
        if tags:
            arguments['TagSpecifications'] = [{'ResourceType': 'snapshot', 'Tags': [{'Key': k, 'Value': v} for k, v in sorted(tags.items())]}]
        return self.snapshot(self._call(region, 'CreateSnapshot', **arguments), region)

    def list_copies(self, destination):
        return list(self._describe_by_filter(destination, 'tag-key', [SOURCE_TAG], owned=True).values())

    def delete_snapshot(self, region, snapshot_id):
        try:
            self._call(region, 'DeleteSnapshot', SnapshotId=snapshot_id)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise

    @staticmethod
    def snapshot(item, region):
        progress = item.get('Progress') or ''
        return Snapshot(
            item['SnapshotId'], region, STATE_MAP.get(item.get('State'), PENDING), cloud_state=item.get('State'),
            progress=int(progress.rstrip('%')) if progress.rstrip('%').isdigit() else None,
            message=item.get('StateMessage'), encrypted=item.get('Encrypted'), tags=_tag_dict(item.get('Tags')),
            size=item.get('VolumeSize'), volume_id=item.get('VolumeId'), description=item.get('Description'),
            created=item['StartTime'].isoformat() if hasattr(item.get('StartTime'), 'isoformat') else item.get('StartTime'),
            extra={'kms_key_id': item['KmsKeyId']} if item.get('KmsKeyId') else None,
        )


def validate_aws_tags(tags):
    if len(tags) > MAX_TAGS - 1:
        raise InputError('tags', 'at most %d tags (one of the %d that EBS allows is %s), got %d' % (MAX_TAGS - 1, MAX_TAGS, SOURCE_TAG, len(tags)))
    for raw_key, value in tags.items():
        key = str(raw_key)
        if not key or len(key) > 128:
            raise InputError('tags', 'tag keys are 1 to 128 characters, got %r' % key)
        if key.lower().startswith('aws:'):
            raise InputError('tags', 'tag key %r: keys starting with aws: are reserved by AWS' % key)
        if key == SOURCE_TAG:
            raise InputError('tags', 'tag key %s is set by this collection to name the source; do not set it' % SOURCE_TAG)
        if value is not None and len(str(value)) > 256:
            raise InputError('tags', 'tag %r: values are at most 256 characters' % key)


def _tag_dict(tags):
    return {tag['Key']: tag.get('Value', '') for tag in tags or []}


def _snake(action):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', action).lower()
