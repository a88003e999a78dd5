"""Each cloud's DR adapter says which instance a disk is attached to (Disk.instance_id: what a consistency group of
``instance`` is made of, issue 49), through its real SDK against moto's server (AWS) and fakecloud (ECS, ENS, CBS): the
instance the cloud names, and None for a disk attached to none."""

from __future__ import annotations

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import fakecloud_adapter
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import KEYS

# A region no other test of moto's server (one a test module) uses.
AWS_REGION = 'ap-southeast-4'
SOURCE = {'ecs': 'cn-hangzhou', 'ens': 'cn-hangzhou-26', 'cbs': 'ap-guangzhou'}
SELECTOR = {'group': 'db'}


def test_aws_names_the_instance_a_volume_is_attached_to(moto_url):
    ec2 = ec2_with(moto_url, KEYS, AWS_REGION)
    zone = AWS_REGION + 'a'
    (instance,) = ec2.run_instances(
        ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': zone}
    )['Instances']
    tags = [{'ResourceType': 'volume', 'Tags': [{'Key': 'group', 'Value': 'db'}]}]
    attached = ec2.create_volume(Size=2, AvailabilityZone=zone, TagSpecifications=tags)['VolumeId']
    alone = ec2.create_volume(Size=2, AvailabilityZone=zone, TagSpecifications=tags)['VolumeId']
    ec2.attach_volume(VolumeId=attached, InstanceId=instance['InstanceId'], Device='/dev/sdf')
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
    found = {disk.id: disk.instance_id for disk in adapter.find_disks(AWS_REGION, SELECTOR)}
    assert found == {attached: instance['InstanceId'], alone: None}


@pytest.mark.parametrize('provider', ['ecs', 'ens', 'cbs'])
def test_alibaba_and_tencent_name_the_instance_a_disk_is_attached_to(fakecloud_clean, provider):
    region = SOURCE[provider]
    seeded = fakecloud_clean.admin.seed(
        **{
            provider: {
                'disks': [
                    {'region': region, 'tags': dict(SELECTOR), 'instance_id': 'ins-db0001'},
                    {'region': region, 'tags': dict(SELECTOR)},
                ]
            }
        }
    )[provider]['disks']
    found = {
        disk.id: disk.instance_id for disk in fakecloud_adapter(fakecloud_clean, provider).find_disks(region, SELECTOR)
    }
    assert found == {seeded[0]: 'ins-db0001', seeded[1]: None}
