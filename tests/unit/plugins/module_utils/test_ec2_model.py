"""The trimmed EC2 models (clouds.aws.ec2_model, and ec2_copy_model for ebs_snapshot_copy) against the installed
botocore's own.

The AWS adapter's clients load EC2's service model from clouds.aws.ec2_model instead of botocore's 4 MB file, the copy
adapter's (ebs_snapshot_copy) from ec2_copy_model. These tests fail when a copy falls behind botocore, when an adapter
calls an operation its model lacks, or when a request made on it would differ by one byte from the same request on
botocore's model.
"""

from __future__ import annotations

import datetime
import glob
import os
import re

import botocore.auth
import botocore.exceptions
import botocore.session
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import ec2_copy_model as _ec2_copy_model
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import ec2_model as _ec2_model
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import EbsCopyAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.tests.utils import trim_ec2_model

# The files that call EC2: the adapter's copy calls, the DR run's, and the dr_scopes inventory's (DescribeRegions).
# The AWS adapter and its parts (ebs_*.py: locks, sets, the drill, the DR account...), and the organisation reader.
ADAPTER_SOURCES = sorted(
    glob.glob(os.path.join(os.path.dirname(_ec2_model.__file__), 'ebs*.py'))
    + [os.path.join(os.path.dirname(_ec2_model.__file__), 'organization.py')]
)
# The copy adapter's file alone: what ebs_snapshot_copy calls.
COPY_ADAPTER_SOURCE = os.path.join(os.path.dirname(_ec2_model.__file__), 'ebs.py')
CONNECTION = {'access_key': 'AKIATEST', 'secret_key': 'secret', 'endpoint_url': 'https://ec2.example.test'}

# One request per operation, with every kind of member the adapter sends (lists, structures, tags).
REQUESTS = {
    'CopySnapshot': {
        'SourceSnapshotId': 'snap-0123456789abcdef0',
        'SourceRegion': 'us-east-1',
        'Description': 'DR copy',
        'Encrypted': True,
        'KmsKeyId': 'alias/dr',
        'CompletionDurationMinutes': 60,
        'TagSpecifications': [
            {'ResourceType': 'snapshot', 'Tags': [{'Key': 'snapcopy:source', 'Value': 'us-east-1/snap-1'}]}
        ],
    },
    'CreateSnapshot': {
        'VolumeId': 'vol-0123456789abcdef0',
        'Description': 'fresh',
        'TagSpecifications': [{'ResourceType': 'snapshot', 'Tags': [{'Key': 'snapcopy:disk', 'Value': 'vol-1'}]}],
    },
    'CreateSnapshots': {
        'InstanceSpecification': {
            'InstanceId': 'i-0123456789abcdef0',
            'ExcludeBootVolume': True,
            'ExcludeDataVolumeIds': ['vol-0123456789abcdef1'],
        },
        'Description': 'set',
        'TagSpecifications': [{'ResourceType': 'snapshot', 'Tags': [{'Key': 'snapcopy:group', 'Value': 'db'}]}],
    },
    'DescribeInstanceAttribute': {'InstanceId': 'i-0123456789abcdef0', 'Attribute': 'rootDeviceName'},
    'DeleteSnapshot': {'SnapshotId': 'snap-0123456789abcdef0'},
    'DescribeSnapshots': {
        'OwnerIds': ['self'],
        'MaxResults': 1000,
        'NextToken': 'page-2',
        'Filters': [{'Name': 'tag:snapcopy:source', 'Values': ['us-east-1/snap-1', 'us-east-1/snap-2']}],
    },
    'DescribeVolumes': {'Filters': [{'Name': 'tag:backup', 'Values': ['dr']}], 'MaxResults': 500},
    'DescribeAvailabilityZones': {},
    'DescribeRegions': {},
    'CreateVolume': {
        'AvailabilityZone': 'us-west-2a',
        'SnapshotId': 'snap-0123456789abcdef0',
        'VolumeType': 'gp3',
        'Size': 1,
        'ClientToken': 'snapcopy-0123',
        'TagSpecifications': [
            {
                'ResourceType': 'volume',
                'Tags': [
                    {'Key': 'Name', 'Value': 'snapcopy-restore-test-20261122T181400Z-3f9a1c'},
                    {'Key': 'snapcopy:restore-test', 'Value': '20261122T181400Z-3f9a1c'},
                ],
            }
        ],
    },
    'DeleteVolume': {'VolumeId': 'vol-0123456789abcdef0'},
    'CreateTags': {
        'Resources': ['snap-0123456789abcdef0'],
        'Tags': [{'Key': 'snapcopy:restore-tested', 'Value': '20261122T181400Z'}],
    },
    'LockSnapshot': {
        'SnapshotId': 'snap-0123456789abcdef0',
        'LockMode': 'compliance',
        'LockDuration': 14,
        'CoolOffPeriod': 24,
    },
    'ModifySnapshotAttribute': {
        'SnapshotId': 'snap-0123456789abcdef0',
        'Attribute': 'createVolumePermission',
        'OperationType': 'add',
        'UserIds': ['222233334444'],
    },
    'DescribeSnapshotAttribute': {'SnapshotId': 'snap-0123456789abcdef0', 'Attribute': 'createVolumePermission'},
    'DeleteTags': {'Resources': ['snap-0123456789abcdef0'], 'Tags': [{'Key': 'snapcopy:shared-with'}]},
    'DescribeLockedSnapshots': {
        'SnapshotIds': ['snap-0123456789abcdef0', 'snap-0123456789abcdef1'],
        'NextToken': 'page-2',
    },
    'DescribeInstances': {'InstanceIds': ['i-0123456789abcdef0']},
    'AttachVolume': {'VolumeId': 'vol-0123456789abcdef0', 'InstanceId': 'i-0123456789abcdef0', 'Device': '/dev/sdf'},
    'DetachVolume': {'VolumeId': 'vol-0123456789abcdef0', 'InstanceId': 'i-0123456789abcdef0'},
}


class SentRequest(Exception):
    """Raised from botocore's before-send event, carrying the request that would have been sent."""

    def __init__(self, request):
        super().__init__('captured')
        self.request = request


def capture(**kwargs):
    raise SentRequest(kwargs['request'])


def sent(client, operation, arguments):
    client.meta.events.register('before-send', capture)
    method = getattr(client, botocore.xform_name(operation))
    with pytest.raises(SentRequest) as caught:
        method(**arguments)
    return caught.value.request


def botocore_client():
    """A client on botocore's full EC2 model, as the adapter made them before the trimmed one."""
    session = botocore.session.Session()
    session.set_credentials('AKIATEST', 'secret')
    return session.create_client('ec2', region_name='us-west-2', endpoint_url=CONNECTION['endpoint_url'])


@pytest.mark.pinned_sdk
def test_the_trimmed_model_is_what_the_installed_botocore_gives():
    """After a botocore upgrade that changes these operations, run make ec2-model. The models are compared
    parsed: a release that changes nothing of them (only botocore's version) passes."""
    assert _ec2_model.load_model() == trim_ec2_model.installed_model()[0]
    full = trim_ec2_model.installed_model()[1]
    assert _ec2_copy_model.load_model() == trim_ec2_model.trimmed_model(full, trim_ec2_model.COPY_OPERATIONS)
    assert trim_ec2_model.main(['--check']) == 0


def test_the_comparison_is_of_the_model_not_of_the_text(monkeypatch, tmp_path):
    model, full, full_bytes, dummy = trim_ec2_model.installed_model()
    target, copy_target = tmp_path / 'ec2_model.py', tmp_path / 'ec2_copy_model.py'
    monkeypatch.setattr(trim_ec2_model, 'TARGET', str(target))
    monkeypatch.setattr(trim_ec2_model, 'COPY_TARGET', str(copy_target))
    target.write_text(trim_ec2_model.render(model, '0.0.1', full, full_bytes), encoding='utf-8')
    copy_model = trim_ec2_model.trimmed_model(full, trim_ec2_model.COPY_OPERATIONS)
    copy_target.write_text(trim_ec2_model.render(copy_model, '0.0.1', full, full_bytes), encoding='utf-8')
    assert trim_ec2_model.main(['--check']) == 0  # another botocore version, the same model
    model['operations']['CopySnapshot']['http']['method'] = 'PUT'
    target.write_text(trim_ec2_model.render(model, '0.0.1', full, full_bytes), encoding='utf-8')
    assert trim_ec2_model.main(['--check']) == 1


def called_operations(paths):
    called = set()
    for path in paths:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        called |= set(re.findall(r"client\.call\(\s*[^,]+,\s*'([A-Za-z]+)'", text))
        # And the pages of listed_items(client, region, 'Action', ...), but another service's (EBS direct's).
        called |= {
            action
            for action, rest in re.findall(r"listed_items\(\s*[^,]+,\s*[^,]+,\s*'([A-Za-z]+)'([^)]*)\)", text)
            if 'service=' not in rest
        }
    assert called  # the pattern still finds the calls
    return called


def test_every_operation_the_adapter_calls_is_in_the_trimmed_model():
    assert called_operations(ADAPTER_SOURCES) == set(_ec2_model.OPERATIONS)
    assert set(REQUESTS) == set(_ec2_model.OPERATIONS)


def test_every_operation_the_copy_adapter_calls_is_in_the_copy_model():
    assert called_operations([COPY_ADAPTER_SOURCE]) == set(_ec2_copy_model.OPERATIONS)
    assert set(_ec2_copy_model.OPERATIONS) == set(trim_ec2_model.COPY_OPERATIONS) < set(_ec2_model.OPERATIONS)


def test_the_adapter_clients_use_the_trimmed_model():
    client = AwsClient(CONNECTION, botocore_module=botocore).ec2('us-west-2')
    assert sorted(client.meta.service_model.operation_names) == sorted(_ec2_model.OPERATIONS)
    assert client.meta.service_model.api_version == _ec2_model.API_VERSION


@pytest.mark.parametrize(
    'adapter_class, model', [(EbsCopyAdapter, _ec2_copy_model), (EbsAdapter, _ec2_model)], ids=['copy', 'dr']
)
def test_each_adapter_s_clients_use_its_model(adapter_class, model):
    """ebs_snapshot_copy's clients know the copy's three operations; the DR run's (its DR account's too) all twenty."""
    adapter = adapter_class.from_connection(CONNECTION)
    assert sorted(adapter.client.ec2('us-west-2').meta.service_model.operation_names) == sorted(model.OPERATIONS)
    if adapter_class is EbsAdapter:
        adapter.vault.use_dr_account(dict(CONNECTION, access_key='AKIADR'), 'us-east-1', '222233334444')
        dr_client = adapter.client.ec2('us-west-2')
        assert sorted(dr_client.meta.service_model.operation_names) == sorted(model.OPERATIONS)


def test_with_aws_data_path_set_botocore_loads_its_own_models(monkeypatch, tmp_path):
    monkeypatch.setenv('AWS_DATA_PATH', str(tmp_path))
    client = AwsClient(CONNECTION, botocore_module=botocore).ec2('us-west-2')
    assert len(client.meta.service_model.operation_names) > 100


@pytest.mark.pinned_sdk
@pytest.mark.parametrize(
    'operation, model',
    [pytest.param(operation, None, id=operation) for operation in sorted(REQUESTS)]
    + [pytest.param(operation, _ec2_copy_model, id='copy-' + operation) for operation in _ec2_copy_model.OPERATIONS],
)
def test_requests_are_byte_for_byte_those_of_botocores_model(operation, model, monkeypatch):
    # Both signatures must be made at the same instant to compare.
    monkeypatch.setattr(botocore.auth, 'get_current_datetime', lambda: datetime.datetime(2026, 11, 21, 8, 0, 0))
    client = AwsClient(CONNECTION, botocore_module=botocore, ec2_model=model).ec2('us-west-2')
    trimmed = sent(client, operation, REQUESTS[operation])
    full = sent(botocore_client(), operation, REQUESTS[operation])
    assert trimmed.url == full.url
    assert trimmed.body == full.body
    assert trimmed.headers.get('Authorization') == full.headers.get('Authorization')
    body = trimmed.body.decode() if isinstance(trimmed.body, bytes) else trimmed.body
    assert 'Action=%s&' % operation in body


def test_invalid_arguments_are_refused_by_the_trimmed_model_as_by_botocores():
    with pytest.raises(botocore.exceptions.ParamValidationError):
        sent(
            AwsClient(CONNECTION, botocore_module=botocore).ec2('us-west-2'),
            'CopySnapshot',
            {'SourceRegion': 'us-east-1'},
        )
