"""Every copy module takes destination_region (one place) and destination_regions (a list) alike: the rule of
core.inputs.task_destinations, and the two clouds whose modules took the other form only (EBS, against moto's server;
CBS, against fakecloud). ECS and ENS: test_ecs.py and test_ens.py."""

from __future__ import annotations

import botocore.session
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import (
    REGION_VARIABLES as AWS_REGION_VARIABLES,
    build_ebs_request,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import build_cbs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TENCENT_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.inputs import task_destinations
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    DESTINATION_ARGUMENT_SPEC,
    EXISTING_COPY_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
    copy_module_spec,
    run_copy_module,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit


# ---------------------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    'one, several, wanted',
    [
        ('us-west-2', None, ['us-west-2']),
        (None, ['us-west-2', 'eu-west-1'], ['us-west-2', 'eu-west-1']),
        (None, ['us-west-2'], ['us-west-2']),
        (None, ['us-west-2', ' eu-west-1'], ['us-west-2', 'eu-west-1']),  # "us-west-2, eu-west-1" after Ansible's split
        (None, ['[us-west-2', ' eu-west-1]'], ['us-west-2', 'eu-west-1']),
        ('', [], []),
    ],
)
def test_one_place_or_a_list_give_the_same_destinations(one, several, wanted):
    assert task_destinations({'destination_region': one, 'destination_regions': several}) == wanted


def test_both_at_once_is_refused_naming_both():
    with pytest.raises(InputError) as error:
        task_destinations({'destination_region': 'us-west-2', 'destination_regions': ['eu-west-1']})
    assert error.value.option == 'destination_regions' and 'destination_region' in error.value.message


def test_a_place_twice_is_refused_naming_it():
    with pytest.raises(InputError) as error:
        task_destinations({'destination_regions': ['eu-west-1', 'us-west-2', 'eu-west-1']})
    assert error.value.option == 'destination_regions' and 'eu-west-1 more than once' in error.value.message


def test_the_environment_names_the_region_only_when_the_task_names_none(monkeypatch):
    monkeypatch.delenv('AWS_REGION', raising=False)
    monkeypatch.setenv('AWS_DEFAULT_REGION', 'ap-south-1')
    monkeypatch.setenv('EC2_REGION', 'ca-central-1')
    assert task_destinations({}, AWS_REGION_VARIABLES) == ['ap-south-1']
    # A list in the task is not joined by the environment's region (AWS_REGION is often the source region).
    assert task_destinations({'destination_regions': ['eu-west-1']}, AWS_REGION_VARIABLES) == ['eu-west-1']
    assert task_destinations({'destination_region': 'eu-west-1'}, AWS_REGION_VARIABLES) == ['eu-west-1']
    assert task_destinations({}) == []


def test_a_module_adds_to_a_destination_option_without_losing_its_type():
    spec = copy_module_spec({'destination_region': {'aliases': ['region']}, 'name': {}}, TENCENT_CONNECTION_SPEC)
    assert spec['destination_region'] == {'aliases': ['region']}
    assert spec['destination_regions'] == DESTINATION_ARGUMENT_SPEC['destination_regions']
    assert 'name' in spec


# ---------------------------------------------------------------------------- EBS: a list of regions
def module_defaults(*specs):
    return {option: rule.get('default') for spec in specs for option, rule in spec.items()}


def ebs_params(moto_url, source_id, **params):
    values = dict(
        module_defaults(AWS_CONNECTION_SPEC, WAIT_ARGUMENT_SPEC, EXISTING_COPY_ARGUMENT_SPEC),
        access_key='AKIASNAPCOPYUNIT0001',
        secret_key='snapcopy-unit-secret-0001',
        endpoint_url=moto_url,
        source_snapshot_id=source_id,
        source_region='us-east-1',
        description=None,
        tags=None,
        encrypted=False,
        kms_key_id=None,
        completion_duration_minutes=None,
        destination_outpost_arn=None,
        destination_availability_zone=None,
        poll_interval=0.2,
    )
    values.update(params)
    return values


def run_ebs(moto_url, source_id, **params):
    with pytest.raises(ModuleExit) as info:
        run_copy_module(FakeModule(ebs_params(moto_url, source_id, **params)), build_ebs_request, EbsAdapter)
    return info.value


def ec2(moto_url, region):
    session = botocore.session.Session()
    session.set_credentials('AKIASNAPCOPYUNIT0001', 'snapcopy-unit-secret-0001')
    return session.create_client('ec2', region_name=region, endpoint_url=moto_url)


def copies_of(moto_url, region, source_id):
    """The copies of ``source_id`` in ``region``, by the tag the module puts on each (moto answers no
    SourceSnapshotId)."""
    answer = ec2(moto_url, region).describe_snapshots(OwnerIds=['self'])['Snapshots']
    return [item for item in answer if {'Key': SOURCE_TAG, 'Value': 'us-east-1/%s' % source_id} in item.get('Tags', [])]


def test_ebs_copies_to_each_region_of_destination_regions_and_a_rerun_finds_them(moto_url, monkeypatch):
    monkeypatch.setenv('AWS_REGION', 'us-east-1')  # as on a controller in the source region: not a destination
    source_ec2 = ec2(moto_url, 'us-east-1')
    volume = source_ec2.create_volume(Size=1, AvailabilityZone='us-east-1a')['VolumeId']
    source = source_ec2.create_snapshot(VolumeId=volume)['SnapshotId']

    first = run_ebs(moto_url, source, destination_regions=['us-west-2', 'eu-west-1'])
    again = run_ebs(moto_url, source, destination_regions=['us-west-2', 'eu-west-1'])

    assert not first.failed and first.result['changed'], first.result
    assert [entry['region'] for entry in first.result['snapshots']] == ['us-west-2', 'eu-west-1']
    assert 'snapshot_id' not in first.result
    assert not again.failed and not again.result['changed'], again.result
    assert len(copies_of(moto_url, 'us-west-2', source)) == len(copies_of(moto_url, 'eu-west-1', source)) == 1
    assert copies_of(moto_url, 'us-east-1', source) == []


@pytest.mark.parametrize(
    'option, value',
    [
        ('destination_outpost_arn', 'arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0'),
        ('destination_availability_zone', 'us-east-1-bos-1a'),
    ],
)
def test_ebs_refuses_an_outpost_or_local_zone_for_several_regions_before_any_call(moto_url, option, value):
    failed = run_ebs(
        moto_url, 'snap-0123456789abcdef0', destination_regions=['us-east-1', 'us-west-2'], **{option: value}
    )
    assert failed.failed and failed.result['msg'].startswith(option), failed.result['msg']


# ---------------------------------------------------------------------------- CBS: one region
def run_cbs(params):
    with pytest.raises(ModuleExit) as info:
        run_copy_module(FakeModule(params), build_cbs_request, CbsAdapter)
    return info.value


def test_cbs_takes_one_region_as_destination_region(fakecloud_clean):
    cloud = fakecloud_clean
    cloud.admin.configure(timings={'cbs': {'snapshot_seconds': 0.2, 'copy_seconds': 0.2}})
    source = cloud.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'size': 50, 'snapshots': 1}]})['cbs'][
        'snapshots'
    ][0]
    params = dict(
        module_defaults(TENCENT_CONNECTION_SPEC, WAIT_ARGUMENT_SPEC, EXISTING_COPY_ARGUMENT_SPEC),
        secret_id=credentials.TENCENT_SECRET_ID,
        secret_key=credentials.TENCENT_SECRET_KEY,
        endpoint_url=cloud.url,
        source_snapshot_id=source,
        source_region='ap-guangzhou',
        destination_region='ap-beijing',
        name=None,
        tags=None,
        poll_interval=0.2,
    )
    made, again = run_cbs(params), run_cbs(params)

    assert not made.failed and made.result['changed'], made.result
    assert [entry['region'] for entry in made.result['snapshots']] == ['ap-beijing']
    assert made.result['snapshot_id'] is not None and made.result['snapshot_id'] == again.result['snapshot_id']
    assert not again.result['changed']
