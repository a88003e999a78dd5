"""Tag rules, the stricter of each pair of vendor sources (issue 61), checked before any call, through the real SDKs
against moto's server (EC2) and fakecloud (CBS, ECS):

- EC2 keys of 1 to 127 characters (botocore's Tag model; the user guide says 128), values of up to 256 (both);
- Tencent Cloud reserves the keys starting with qcloud, tencent, project (the Tag SDK's error codes) and qcs:, 项目 (the
  Tag service's use limits), and a value has 1 to 255 characters;
- a DR run's ``tags`` and the collection's own tags fit in the cloud's tags a snapshot (EC2 and CBS 50, ECS 20), counted
  before any call: the error names the tags over the limit and how many the collection needs."""

from __future__ import annotations

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import TAG_RULES as EC2_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import TAG_RULES as CBS_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DIFFERS_TAG, RESTORE_TESTED_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)

SELECTOR = {'dr': 'yes'}


def test_ec2_keys_are_127_characters_at_most_as_botocores_model_says():
    """botocore's EC2 model, Tag.Key: "a maximum of 127 Unicode characters" (the user guide: 128); Tag.Value: "a
    maximum of 256"."""
    model = botocore.session.get_session().get_service_model('ec2').shape_for('Tag').members
    assert '127 Unicode characters' in model['Key'].documentation
    assert '256 Unicode characters' in model['Value'].documentation
    EC2_RULES.validate({'k' * 127: 'v' * 256})
    with pytest.raises(InputError, match='tag keys are 1 to 127 characters'):
        EC2_RULES.validate({'k' * 128: 'v'})
    with pytest.raises(InputError, match='values are at most 256 characters'):
        EC2_RULES.validate({'k': 'v' * 257})


@pytest.mark.parametrize('key', ['qcs:team', 'QCS:team', '项目组', 'qcloud-x', 'Tencent', 'project:x'])
def test_cbs_refuses_the_reserved_keys_of_both_sources_before_any_call(fakecloud_clean, key):
    adapter = fakecloud_adapter(fakecloud_clean, 'cbs')
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError, match='reserved by Tencent Cloud') as refused:
        adapter.validate(CopyRequest('snap-abcdefgh', 'ap-guangzhou', ['ap-shanghai'], {'tags': {key: 'v'}}))
    assert refused.value.option == 'tags' and fakecloud_calls(fakecloud_clean) == {}


@pytest.mark.parametrize('value', ['', None])
def test_cbs_refuses_an_empty_value_before_any_call(fakecloud_clean, value):
    """The Tag service's use limits: "标签值必须最少为1" (a value of at least 1 character); TagValueEmpty otherwise."""
    adapter = fakecloud_adapter(fakecloud_clean, 'cbs')
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError, match='values are 1 to 255 characters on Tencent Cloud, got 0'):
        adapter.validate(CopyRequest('snap-abcdefgh', 'ap-guangzhou', ['ap-shanghai'], {'tags': {'team': value}}))
    assert fakecloud_calls(fakecloud_clean) == {}
    CBS_RULES.validate({'team': 'v' * 255, 'my-project': 'x'})


def test_cbs_copy_tags_keys_are_still_checked_as_keys_alone(fakecloud_clean):
    """copy_tags names keys (the values are the disks'): an empty value is no reason to refuse one."""
    fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    report = dr_run_with(
        fakecloud_adapter(fakecloud_clean, 'cbs'),
        scope('cbs', 'ap-guangzhou', ['ap-shanghai'], SELECTOR, copy_tags=['team'], wait=False),
        clock=FakeClock(),
    )
    assert not report['failures'], report['failures']
    with pytest.raises(InputError, match='reserved by Tencent Cloud'):
        dr_run_with(
            fakecloud_adapter(fakecloud_clean, 'cbs'),
            scope('cbs', 'ap-guangzhou', ['ap-shanghai'], SELECTOR, copy_tags=['qcs:team']),
            clock=FakeClock(),
        )


def test_ecs_tags_and_the_collections_own_fit_in_20_counted_before_any_call(fakecloud_clean):
    """ECS: 20 tags a snapshot; a DR copy carries SOURCE_TAG, DISK_TAG, POINT_TAG and keeps room for verify's verdict
    and the drill's mark: 15 of the run's tags fit, 16 are refused naming the one over the limit."""
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    tags = {'t%02d' % number: 'v' for number in range(16)}
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError) as refused:
        dr_run_with(adapter, scope('ecs', 'cn-hangzhou', ['cn-shanghai'], SELECTOR, tags=tags), clock=FakeClock())
    assert refused.value.option == 'tags'
    message = str(refused.value)
    assert 'Alibaba Cloud allows 20 tags on a snapshot and this collection needs 5 of them for its own' in message
    assert DIFFERS_TAG in message and RESTORE_TESTED_TAG in message and message.endswith('over the limit: t15')
    assert fakecloud_calls(fakecloud_clean) == {}
    del tags['t15']
    report = dr_run_with(
        adapter, scope('ecs', 'cn-hangzhou', ['cn-shanghai'], SELECTOR, tags=tags, wait=False), clock=FakeClock()
    )
    assert not report['failures'], report['failures']


def test_ebs_tags_and_the_collections_own_fit_in_50_before_any_call_on_moto(moto_url, moto_calls):
    """EC2 (moto's server, which refuses a 51st tag with TagLimitExceeded, as EC2 does): 47 of the run's tags beside the
    copy call's 3 own would fill the copy, and the mark each DR copy gets next (COPY_TAG) would be refused. Counted
    before any call: the run is refused, naming the tags over the limit, and moto is asked nothing."""
    source, dr_region = 'eu-north-1', 'eu-south-1'
    keys = {'access_key': 'AKIASNAPCOPYTAGRULES1', 'secret_key': 'snapcopy-tag-rules-secret'}
    client = ec2_with(moto_url, keys, source)
    volume = client.create_volume(
        Size=1,
        AvailabilityZone=source + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'dr', 'Value': 'yes'}]}],
    )['VolumeId']
    client.create_snapshot(VolumeId=volume)
    adapter = EbsAdapter(AwsClient(dict(keys, endpoint_url=moto_url), botocore_module=botocore))
    tags = {'t%02d' % number: 'v' for number in range(47)}
    moto_calls.clear()
    with pytest.raises(InputError) as refused:
        dr_run_with(
            adapter,
            scope('aws', source, [dr_region], SELECTOR, tags=tags),
            connection=dict(keys, endpoint_url=moto_url),
            clock=FakeClock(),
        )
    message = str(refused.value)
    assert refused.value.option == 'tags' and 'EBS allows 50 tags on a snapshot' in message
    assert 'over the limit: t' in message and not moto_calls


def test_cbs_tags_and_the_collections_own_fit_in_50_counted_before_any_call(fakecloud_clean):
    """CBS (fakecloud, whose Tag service refuses a 51st tag on a resource as the Tag service's use limits say: "1个资源最多
    可以绑定50个标签"): the run's ``tags`` and the collection's own tags on a DR copy fit in 50, counted before any call.
    One tag too many is refused naming it and asks the cloud nothing; one fewer is copied."""
    source, dr_region = 'ap-guangzhou', 'ap-shanghai'
    fakecloud_clean.admin.seed(cbs={'disks': [{'region': source, 'tags': {'dr': 'cbs-room'}, 'snapshots': 1}]})
    adapter = fakecloud_adapter(fakecloud_clean, 'cbs')
    selector = {'dr': 'cbs-room'}
    tags = {'t%02d' % number: 'v' for number in range(50)}
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError) as refused:
        dr_run_with(adapter, scope('cbs', source, [dr_region], selector, tags=tags), clock=FakeClock())
    message = str(refused.value)
    assert refused.value.option == 'tags' and 'Tencent Cloud allows 50 tags on a snapshot' in message
    assert fakecloud_calls(fakecloud_clean) == {}
    own = int(message.split('this collection needs ')[1].split(' ')[0])
    assert own >= 4 and DIFFERS_TAG in message  # SOURCE_TAG, DISK_TAG, POINT_TAG and verify's verdict at least
    room = 50 - own
    fitting = {key: tags[key] for key in sorted(tags)[:room]}
    with pytest.raises(InputError, match='1 too many: .* over the limit: %s$' % sorted(tags)[room]):
        dr_run_with(
            adapter,
            scope('cbs', source, [dr_region], selector, tags=dict(fitting, **{sorted(tags)[room]: 'v'})),
            clock=FakeClock(),
        )
    assert fakecloud_calls(fakecloud_clean) == {}
    report = dr_run_with(
        adapter, scope('cbs', source, [dr_region], selector, tags=fitting, wait=False), clock=FakeClock()
    )
    assert not report['failures'], report['failures']
    assert report['totals']['copied'] == 1
