"""The Tencent Tag service's key and value rules (issue 61) through the real tencentcloud SDK: the reserved prefixes of
both sources (the SDK's error codes: qcloud, tencent, project; the Tag service's use limits: qcs:, project, 项目) and a
value of at least 1 character, each refused with a code the Tag SDK's errorcodes.py lists."""

from __future__ import annotations

import json

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tag.v20180813 import errorcodes, models, tag_client

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client

REGION = 'ap-guangzhou'
LISTED = {value for name, value in vars(errorcodes).items() if name.isupper()}


def _tag_resources(fc, resource: str, key: str, value: str):
    req = models.TagResourcesRequest()
    req.from_json_string(json.dumps({'ResourceList': [resource], 'Tags': [{'TagKey': key, 'TagValue': value}]}))
    return tencent_client(tag_client.TagClient, fc.endpoint, None).TagResources(req)


def _snapshot(fc) -> str:
    (snapshot_id,) = fc.admin.seed(cbs={'snapshots': [{'region': REGION}]})['cbs']['snapshots']
    return 'qcs::cvm:%s:uin/:snapshot/%s' % (REGION, snapshot_id)


@pytest.mark.parametrize(
    'key, value, code',
    [
        ('qcloud-team', 'x', 'InvalidParameterValue.ReservedTagKey'),
        ('Tencent:x', 'x', 'InvalidParameterValue.ReservedTagKey'),
        ('project', 'x', 'InvalidParameterValue.ReservedTagKey'),
        ('qcs:team', 'x', 'InvalidParameterValue.ReservedTagKey'),
        ('项目组', 'x', 'InvalidParameterValue.ReservedTagKey'),
        ('team', '', 'InvalidParameterValue.TagValueEmpty'),
        ('team', 'v' * 256, 'InvalidParameterValue.TagValueLengthExceeded'),
    ],
)
def test_a_reserved_key_or_an_empty_value_is_refused(fc, key, value, code):
    resource = _snapshot(fc)
    with pytest.raises(TencentCloudSDKException) as refused:
        _tag_resources(fc, resource, key, value)
    assert refused.value.get_code() == code and code in LISTED
    state = fc.admin.state(cloud='cbs', region=REGION)['cbs'][REGION]['snapshots']
    assert [snapshot['tags'] for snapshot in state] == [{}]


def test_a_value_of_1_to_255_characters_and_a_key_that_only_looks_alike_are_taken(fc):
    resource = _snapshot(fc)
    _tag_resources(fc, resource, 'team', 'v' * 255)
    _tag_resources(fc, resource, 'my-project', 'x')  # reserved only at the start
    state = fc.admin.state(cloud='cbs', region=REGION)['cbs'][REGION]['snapshots']
    assert state[0]['tags'] == {'team': 'v' * 255, 'my-project': 'x'}
