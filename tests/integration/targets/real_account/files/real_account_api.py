"""How the real-account helper talks to the clouds, through the SDKs the collection uses.

Every client has one method, ``call(action, region, params)``, which sends one API action with
its wire parameters and answers the decoded JSON (the content of ``Response`` for Tencent). Every
call is logged on stderr first, with anything that looks like a secret masked. The dry-run
client logs the same lines and answers with placeholders shaped like the clouds' answers,
without importing any SDK or touching the network.

The SDKs are imported only when a real client is made: a dry run needs none of them.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import time

from real_account_config import RUN_PREFIX, RUN_TAG, ConfigError, alicloud_region, from_environment, role, role_of

# An external id is no_log in the modules (it is what keeps a role from being assumed by anyone who knows its ARN).
SECRET_WORDS = ('secret', 'token', 'password', 'externalid', 'external_id')
MASK = '****'
# ENS has one API endpoint per site, chosen as the vendor's V2 SDK chooses it (alibabacloud-ens20171110
# Client._endpoint_map): these China-site regions, or none, use ens.aliyuncs.com; others ens.<region>.aliyuncs.com.
ENS_CHINA_SITE_REGIONS = (
    'cn-beijing',
    'cn-chengdu',
    'cn-hangzhou',
    'cn-heyuan',
    'cn-shanghai',
    'cn-wulanchabu',
    'cn-zhangjiakou',
)
ALIBABA_PACKAGES = {'ecs': 'aliyunsdkecs.request.v20140526', 'ens': 'aliyunsdkens.request.v20171110'}
# Where each cloud's STS AssumeRole goes, as the collection sends it (clouds.alibaba.client.STS_ENDPOINT,
# clouds.tencent.client.STS_REGION): Alibaba's one public host (sts-2015-04-01), Tencent's sts 2018-08-13 in a region of
# the caller's choice.
STS = {'ecs': 'sts.aliyuncs.com', 'ens': 'sts.aliyuncs.com', 'cbs': 'ap-guangzhou'}
# A role session of an hour, within both STS's limits (AssumeRoleRequest DurationSeconds: Alibaba 900 s to the role's
# maximum, 3600 s by default; Tencent up to 43200 s); assumed again this long before it ends, since a helper command
# may wait longer than that.
ROLE_SECONDS = 3600
ROLE_MARGIN = 300


class ApiError(Exception):
    """A call the cloud refused (or that did not get through), with the cloud's code and message."""

    def __init__(self, cloud, action, region, code, message, request_id=None):
        super().__init__(
            '%s %s in %s failed: %s: %s%s'
            % (cloud, action, region, code, message, ' (request id %s)' % request_id if request_id else '')
        )
        self.code = code
        self.message = message
        self.request_id = request_id


def masked(value, key=''):
    """``value`` with the values of secret-looking keys replaced by ****."""
    if isinstance(value, dict):
        return {name: masked(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [masked(item, key) for item in value]
    return MASK if any(word in key.lower() for word in SECRET_WORDS) else value


def mask_key_id(key_id):
    """An access key id shown as its last four characters (as the clouds' consoles do)."""
    return MASK + key_id[-4:] if len(key_id) > 8 else MASK


class CallLog:
    """Prints each call on stderr, one line: would call|call, cloud, region, action, parameters as JSON."""

    def __init__(self, dry_run, stream=None):
        self.dry_run = dry_run
        self.stream = stream or sys.stderr

    def call(self, cloud, action, region, params):
        verb = 'would call' if self.dry_run else 'call'
        print(
            '%s %s %s %s %s' % (verb, cloud, region, action, json.dumps(masked(params), sort_keys=True)),
            file=self.stream,
            flush=True,
        )


def role_params(assumed, session_name):
    """STS AssumeRole's parameters for a Role, as the modules send them: RoleSessionName the config's, else ours (the
    modules' default is snapcopy-<time>), and ExternalId only when given (sts AssumeRoleRequest, both clouds)."""
    params = {
        'RoleArn': assumed.arn,
        'RoleSessionName': assumed.session_name or session_name,
        'DurationSeconds': ROLE_SECONDS,
    }
    if assumed.external_id:
        params['ExternalId'] = assumed.external_id
    return params


# ------------------------------------------------------------------ real clients
class AwsClient:
    """boto3's EC2 client, one per region; credentials as the modules take them, else boto3's chain."""

    dry_run = False

    def __init__(self, settings, log):
        import boto3  # pylint: disable=import-outside-toplevel
        import botocore.exceptions  # pylint: disable=import-outside-toplevel
        from botocore import xform_name  # pylint: disable=import-outside-toplevel

        credentials = settings.credentials or {}
        try:
            self.session = boto3.Session(
                aws_access_key_id=credentials.get('access_key'),
                aws_secret_access_key=credentials.get('secret_key'),
                aws_session_token=credentials.get('session_token'),
                profile_name=credentials.get('profile'),
            )
        except botocore.exceptions.ProfileNotFound as error:
            raise ConfigError('clouds.aws.credentials.profile', str(error)) from None
        self.errors = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
        self.method_name = xform_name  # CreateVolume -> create_volume, botocore's own mapping
        self.log = log
        self.clients = {}

    def call(self, action, region, params):
        self.log.call('aws', action, region, params)
        if region not in self.clients:
            self.clients[region] = self.session.client('ec2', region_name=region)
        client = self.clients[region]
        try:
            answer = getattr(client, self.method_name(action))(**params)
        except self.errors as error:
            code = getattr(error, 'response', {}).get('Error', {}).get('Code', type(error).__name__)
            raise ApiError('aws', action, region, code, error) from None
        answer.pop('ResponseMetadata', None)
        return answer


class AlibabaClient:
    """aliyun-python-sdk-core with the product's request classes (aliyun-python-sdk-ecs or -ens)."""

    dry_run = False

    def __init__(self, product, settings, log, session_name):
        from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException  # pylint: disable=import-outside-toplevel
        from aliyunsdkcore.auth.credentials import AccessKeyCredential, StsTokenCredential  # pylint: disable=import-outside-toplevel
        from aliyunsdkcore.client import AcsClient  # pylint: disable=import-outside-toplevel
        from aliyunsdkcore.request import CommonRequest  # pylint: disable=import-outside-toplevel

        credentials = from_environment(product, settings)
        if credentials.get('alicloud_security_token'):
            credential = StsTokenCredential(
                credentials['alicloud_access_key'],
                credentials['alicloud_secret_key'],
                credentials['alicloud_security_token'],
            )
        else:
            credential = AccessKeyCredential(credentials['alicloud_access_key'], credentials['alicloud_secret_key'])
        self.product = product
        self.api_region = alicloud_region(settings) if product == 'ens' else None
        self.sdk = {'AcsClient': AcsClient, 'StsTokenCredential': StsTokenCredential, 'CommonRequest': CommonRequest}
        self.own_client = AcsClient(region_id='cn-hangzhou', credential=credential)
        # With a role, every call but AssumeRole is made with the role's keys, assumed before the first one.
        self.role = role(product, credentials)
        self.session_name = session_name
        self.client = None if self.role else self.own_client
        self.role_ends = 0.0
        self.errors = (ClientException, ServerException)
        self.log = log

    def endpoint(self, region):
        if self.product == 'ens':
            if not self.api_region or self.api_region in ENS_CHINA_SITE_REGIONS:
                return 'ens.aliyuncs.com'
            return 'ens.%s.aliyuncs.com' % self.api_region
        # ECS: the SDK's own map where it has the region, else ecs.<region>.aliyuncs.com (as the collection does).
        from aliyunsdkecs.endpoint import endpoint_data  # pylint: disable=import-outside-toplevel

        return endpoint_data.getEndpointMap().get(region) or 'ecs.%s.aliyuncs.com' % region

    def call(self, action, region, params):
        if self.role and time.monotonic() >= self.role_ends:
            self._assume_role()
        self.log.call(self.product, action, region, params)
        module = importlib.import_module('%s.%sRequest' % (ALIBABA_PACKAGES[self.product], action))
        return self._send(
            self.client, getattr(module, action + 'Request')(), action, region, params, self.endpoint(region)
        )

    def _assume_role(self):
        """sts AssumeRole (alibabacloud_sts20150401 AssumeRoleRequest) with the config's own keys, as the modules call
        it."""
        params = role_params(self.role, self.session_name)
        self.log.call(self.product, 'AssumeRole', STS[self.product], params)
        request = self.sdk['CommonRequest'](product='Sts', version='2015-04-01', action_name='AssumeRole')
        request.set_method('POST')
        answer = self._send(self.own_client, request, 'AssumeRole', STS[self.product], params, STS[self.product])
        keys = answer['Credentials']
        credential = self.sdk['StsTokenCredential'](keys['AccessKeyId'], keys['AccessKeySecret'], keys['SecurityToken'])
        self.client = self.sdk['AcsClient'](region_id='cn-hangzhou', credential=credential)
        self.role_ends = time.monotonic() + ROLE_SECONDS - ROLE_MARGIN

    def _send(self, client, request, action, region, params, host):
        for name, value in params.items():
            request.add_query_param(name, _wire_text(value))
        request.set_endpoint(host)
        request.set_protocol_type('https')
        request.set_accept_format('JSON')
        try:
            return json.loads(client.do_action_with_exception(request))
        except self.errors as error:
            request_id = error.get_request_id() if hasattr(error, 'get_request_id') else None
            raise ApiError(
                self.product, action, region, error.get_error_code(), error.get_error_msg(), request_id
            ) from None


def _wire_text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


class TencentClient:
    """tencentcloud-sdk-python-cbs's client, one per region, called with the action's JSON parameters."""

    dry_run = False

    def __init__(self, settings, log, session_name):
        from tencentcloud.cbs.v20170312.cbs_client import CbsClient  # pylint: disable=import-outside-toplevel
        from tencentcloud.common.common_client import CommonClient  # pylint: disable=import-outside-toplevel
        from tencentcloud.common.credential import Credential  # pylint: disable=import-outside-toplevel
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException  # pylint: disable=import-outside-toplevel

        credentials = from_environment('cbs', settings)
        self.own_credential = Credential(
            credentials['secret_id'], credentials['secret_key'], credentials.get('security_token')
        )
        # With a role, every call but AssumeRole is made with the role's keys, assumed before the first one.
        self.role = role('cbs', credentials)
        self.session_name = session_name
        self.credential = None if self.role else self.own_credential
        self.role_ends = 0.0
        self.sdk = {'CbsClient': CbsClient, 'CommonClient': CommonClient, 'Credential': Credential}
        self.errors = TencentCloudSDKException
        self.log = log
        self.clients = {}

    def call(self, action, region, params):
        if self.role and time.monotonic() >= self.role_ends:
            self._assume_role()
        self.log.call('cbs', action, region, params)
        if region not in self.clients:
            self.clients[region] = self.sdk['CbsClient'](self.credential, region)
        return self._send(self.clients[region], action, region, params)

    def _assume_role(self):
        """sts AssumeRole (tencentcloud.sts.v20180813 AssumeRoleRequest) with the config's own keys, as the modules call
        it."""
        params = role_params(self.role, self.session_name)
        self.log.call('cbs', 'AssumeRole', STS['cbs'], params)
        answer = self._send(
            self.sdk['CommonClient']('sts', '2018-08-13', self.own_credential, STS['cbs']),
            'AssumeRole',
            STS['cbs'],
            params,
        )
        keys = answer['Credentials']
        self.credential = self.sdk['Credential'](keys['TmpSecretId'], keys['TmpSecretKey'], keys['Token'])
        self.clients = {}
        self.role_ends = time.monotonic() + ROLE_SECONDS - ROLE_MARGIN

    def _send(self, client, action, region, params):
        try:
            return client.call_json(action, params)['Response']
        except self.errors as error:
            raise ApiError(
                'cbs', action, region, error.get_code(), error.get_message(), error.get_request_id()
            ) from None


class SdkMissing(Exception):
    """This Python lacks a cloud's SDK."""


def make_client(settings, log, dry_run, run_id=None):
    """The client for one cloud: a real one, or a dry-run one whose listings show ``run_id``'s resources. A role of
    the config is assumed in the session named by the config, else by the run id (the helper's own, without one)."""
    session_name = run_id or RUN_PREFIX + '-helper'
    if dry_run:
        return DryRunClient(settings.name, log, run_id, role_of(settings), session_name)
    try:
        if settings.name == 'aws':
            return AwsClient(settings, log)
        if settings.name == 'cbs':
            return TencentClient(settings, log, session_name)
        return AlibabaClient(settings.name, settings, log, session_name)
    except ImportError as error:
        raise SdkMissing(
            '%s: %s lacks the SDK (%s): run with the Python that has the collection\'s SDKs, such as the one of '
            'make venv (. .venv/bin/activate)' % (settings.name, sys.executable, error)
        ) from None


# ------------------------------------------------------------------ the dry run
class DryRunClient:
    """Logs each call and answers with placeholders: created things are done at once, and listings hold
    the resources a run ``run_id`` leaves (none without a run id), so a dry cleanup shows its deletes.
    Answer shapes follow the vendors' answer models (the unit test checks the Alibaba and Tencent ones).
    The placeholder for ``action`` is the method ``_<cloud>_<action in snake case>``, reading the call
    from ``self.region`` and ``self.params``; actions without one answer ``{'RequestId': 'dry-run'}``."""

    dry_run = True

    def __init__(self, cloud, log, run_id=None, assumed=None, session_name=None):
        self.cloud = cloud
        self.log = log
        self.run_id = run_id
        self.role = assumed  # a real client assumes it before its first call: so does this one, on paper
        self.session_name = session_name
        self.region = self.params = None

    def call(self, action, region, params):
        if self.role is not None:
            assumed, self.role = self.role, None
            self.call('AssumeRole', STS[self.cloud], role_params(assumed, self.session_name))
        self.log.call(self.cloud, action, region, params)
        self.region, self.params = region, params
        placeholder = getattr(self, '_%s_%s' % (self.cloud, re.sub(r'(?<!^)(?=[A-Z])', '_', action).lower()), None)
        return placeholder() if placeholder else {'RequestId': 'dry-run'}

    def _listed(self, item):
        return [item] if self.run_id else []

    def _first_id(self, key):
        """The first id a describe-by-id call asked for (a list, or an Alibaba JSON array)."""
        ids = self.params[key]
        return (
            json.loads(ids) if isinstance(ids, str) and ids.startswith('[') else ids if isinstance(ids, list) else [ids]
        )[0]

    # AWS (botocore's ec2 model: CreateVolume, Volume, Snapshot)
    def _aws_create_volume(self):
        return {'VolumeId': 'vol-dryrun', 'State': 'creating', 'Size': self.params['Size']}

    def _aws_describe_volumes(self):
        if 'VolumeIds' in self.params:
            return {'Volumes': [{'VolumeId': self._first_id('VolumeIds'), 'State': 'available'}]}
        return {
            'Volumes': self._listed(
                {'VolumeId': 'vol-dryrun', 'State': 'available', 'Tags': [{'Key': RUN_TAG, 'Value': self.run_id}]}
            )
        }

    def _aws_create_snapshot(self):
        return {'SnapshotId': 'snap-dryrun', 'State': 'pending'}

    def _aws_describe_snapshots(self):
        if 'SnapshotIds' in self.params:
            return {'Snapshots': [{'SnapshotId': self._first_id('SnapshotIds'), 'State': 'completed'}]}
        return {
            'Snapshots': self._listed(
                {
                    'SnapshotId': 'snap-dryrun-%s' % self.region,
                    'State': 'completed',
                    'Tags': [{'Key': RUN_TAG, 'Value': self.run_id}],
                }
            )
        }

    # STS AssumeRole (alibabacloud_sts20150401 / tencentcloud.sts.v20180813 AssumeRoleResponse)
    def _alibaba_assume_role(self):
        return {
            'Credentials': {
                'AccessKeyId': 'STS.dryrun',
                'AccessKeySecret': 'dry-run',
                'SecurityToken': 'dry-run',
                'Expiration': '2100-01-01T00:00:00Z',
            },
            'AssumedRoleUser': {
                'Arn': self.params['RoleArn'],
                'AssumedRoleId': 'dry-run:%s' % self.params['RoleSessionName'],
            },
            'RequestId': 'dry-run',
        }

    _ecs_assume_role = _ens_assume_role = _alibaba_assume_role

    def _cbs_assume_role(self):
        return {
            'Credentials': {'TmpSecretId': 'dry-run', 'TmpSecretKey': 'dry-run', 'Token': 'dry-run'},
            'ExpiredTime': 4102444800,
            'Expiration': '2100-01-01T00:00:00Z',
            'RequestId': 'dry-run',
        }

    # ECS (alibabacloud_ecs20140526 <Action>ResponseBody)
    def _ecs_describe_instances(self):
        instance_id = self._first_id('InstanceIds')
        return {
            'Instances': {
                'Instance': [{'InstanceId': instance_id, 'Status': 'Running', 'ZoneId': '<zone of %s>' % instance_id}]
            },
            'TotalCount': 1,
            'RequestId': 'dry-run',
        }

    def _ecs_describe_zones(self):
        return {
            'Zones': {
                'Zone': [
                    {
                        'ZoneId': '<a zone of %s>' % self.region,
                        'AvailableDiskCategories': {'DiskCategories': ['cloud_essd']},
                        'AvailableResourceCreation': {'ResourceTypes': ['Disk']},
                    }
                ]
            },
            'RequestId': 'dry-run',
        }

    def _ecs_create_disk(self):
        return {
            'DiskId': 'd-dryrun' if 'SnapshotId' not in self.params else 'd-dryrun-from-copy',
            'RequestId': 'dry-run',
        }

    def _ecs_describe_disks(self):
        if 'DiskIds' in self.params:
            disks = [{'DiskId': self._first_id('DiskIds'), 'Status': 'Available'}]
        else:
            # The run's disks in each region listed: the source disk, and in the DR region one made from the copy.
            disks = self._listed(
                {
                    'DiskId': 'd-dryrun-%s' % self.region,
                    'Status': 'Available',
                    'Tags': {'Tag': [{'TagKey': RUN_TAG, 'TagValue': self.run_id}]},
                }
            )
        return {'Disks': {'Disk': disks}, 'NextToken': '', 'RequestId': 'dry-run'}

    def _ecs_create_snapshot(self):
        return {'SnapshotId': 's-dryrun', 'RequestId': 'dry-run'}

    def _ecs_describe_snapshots(self):
        if 'SnapshotIds' in self.params:
            snapshots = [{'SnapshotId': self._first_id('SnapshotIds'), 'Status': 'accomplished'}]
        else:
            snapshots = self._listed(
                {
                    'SnapshotId': 's-dryrun-%s' % self.region,
                    'Status': 'accomplished',
                    'Tags': {'Tag': [{'TagKey': RUN_TAG, 'TagValue': self.run_id}]},
                }
            )
        return {'Snapshots': {'Snapshot': snapshots}, 'NextToken': '', 'RequestId': 'dry-run'}

    # ENS (alibabacloud_ens20171110 <Action>ResponseBody)
    def _ens_create_disk(self):
        return {'InstanceIds': ['d-dryrun'], 'OrderId': 'dry-run', 'RequestId': 'dry-run'}

    def _ens_describe_disks(self):
        if 'DiskId' in self.params:
            disks = [{'DiskId': self.params['DiskId'], 'EnsRegionId': self.region, 'Status': 'Available'}]
        else:
            disks = self._listed(
                {
                    'DiskId': 'd-dryrun',
                    'EnsRegionId': self.region,
                    'Status': 'Available',
                    'DiskName': '%s-disk' % self.run_id,
                    'Tags': {'Tags': [{'Key': RUN_TAG, 'Value': self.run_id}]},
                }
            )
        return {
            'Disks': {'Disks': disks},
            'TotalCount': len(disks),
            'PageNumber': self.params.get('PageNumber', 1),
            'PageSize': self.params.get('PageSize', 10),
            'RequestId': 'dry-run',
        }

    def _ens_create_snapshot(self):
        return {'SnapShotId': ['sp-dryrun'], 'OrderId': 'dry-run', 'RequestId': 'dry-run'}

    def _ens_describe_snapshots(self):
        if 'SnapshotId' in self.params:
            snapshots = [
                {'SnapshotId': self._first_id('SnapshotId'), 'EnsRegionId': self.region, 'Status': 'available'}
            ]
        else:
            snapshots = self._listed(
                {
                    'SnapshotId': 'sp-dryrun-%s' % self.region,
                    'EnsRegionId': self.region,
                    'Status': 'available',
                    'SnapshotName': '%s-copy' % self.run_id,
                }
            )
        return {
            'Snapshots': snapshots,
            'TotalCount': len(snapshots),
            'PageNumber': 1,
            'PageSize': 100,
            'RequestId': 'dry-run',
        }

    # CBS (tencentcloud.cbs.v20170312.models <Action>Response)
    def _cbs_describe_disk_config_quota(self):
        # The placeholder minimum is Tencent's documented one for CLOUD_PREMIUM; a real run asks the cloud.
        return {
            'DiskConfigSet': [
                {
                    'Zone': self.params['Zones'][0],
                    'DiskType': 'CLOUD_PREMIUM',
                    'DiskChargeType': 'POSTPAID_BY_HOUR',
                    'DiskUsage': 'DATA_DISK',
                    'Available': True,
                    'MinDiskSize': 10,
                    'MaxDiskSize': 32000,
                    'StepSize': 10,
                }
            ],
            'RequestId': 'dry-run',
        }

    def _cbs_create_disks(self):
        return {'DiskIdSet': ['disk-dryrun'], 'RequestId': 'dry-run'}

    def _cbs_describe_disks(self):
        if 'DiskIds' in self.params:
            disks = [{'DiskId': self._first_id('DiskIds'), 'DiskState': 'UNATTACHED', 'SnapshotAbility': True}]
        else:
            disks = self._listed(
                {
                    'DiskId': 'disk-dryrun',
                    'DiskState': 'UNATTACHED',
                    'SnapshotAbility': True,
                    'Tags': [{'Key': RUN_TAG, 'Value': self.run_id}],
                }
            )
        return {'DiskSet': disks, 'TotalCount': len(disks), 'RequestId': 'dry-run'}

    def _cbs_create_snapshot(self):
        return {'SnapshotId': 'snap-dryrun', 'RequestId': 'dry-run'}

    def _cbs_describe_snapshots(self):
        if 'SnapshotIds' in self.params:
            snapshots = [{'SnapshotId': self._first_id('SnapshotIds'), 'SnapshotState': 'NORMAL'}]
        else:
            snapshots = self._listed(
                {
                    'SnapshotId': 'snap-dryrun-%s' % self.region,
                    'SnapshotState': 'NORMAL',
                    'Tags': [{'Key': RUN_TAG, 'Value': self.run_id}],
                }
            )
        return {'SnapshotSet': snapshots, 'TotalCount': len(snapshots), 'RequestId': 'dry-run'}
