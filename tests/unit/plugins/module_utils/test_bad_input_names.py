"""Bad input that the chaos suite's corpus (tests/chaos/corpus.py) found slipping through or misnamed.

* a client timeout of 0 became the default (60 s) instead of an error;
* dr_sync's errors named the single-copy modules' options (name, description, destination_region)
  instead of the ones its user set (name_template, description_template, dr_regions).
"""
from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._alibaba import AlibabaClient
from ansible_collections.snapcopy.cloud.plugins.module_utils._aws import AwsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils._ecs import REQUEST_PACKAGE, EcsAdapter, ecs_endpoint
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils._tencent import TencentClient, load_sdk
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import params

ALIBABA = {'alicloud_access_key': 'LTAIexample', 'alicloud_secret_key': 'example-secret', 'endpoint_url': 'http://127.0.0.1:9'}


@pytest.mark.parametrize('option', ['connect_timeout', 'read_timeout'])
def test_an_alibaba_timeout_of_zero_is_refused(option):
    with pytest.raises(InputError) as info:
        AlibabaClient('ecs', dict(ALIBABA, **{option: 0}), ecs_endpoint, REQUEST_PACKAGE)
    assert info.value.option == option


def test_alibaba_timeouts_left_unset_take_the_defaults():
    AlibabaClient('ecs', dict(ALIBABA, connect_timeout=None, read_timeout=None), ecs_endpoint, REQUEST_PACKAGE)


def test_a_tencent_request_timeout_of_zero_is_refused():
    with pytest.raises(InputError) as info:
        TencentClient({'secret_id': 'AKIDexample', 'secret_key': 'example', 'request_timeout': 0}, load_sdk())
    assert info.value.option == 'request_timeout'
    TencentClient({'secret_id': 'AKIDexample', 'secret_key': 'example', 'request_timeout': None}, load_sdk())


def dr_run(adapter, **overrides):
    return DrRun(adapter, dr_settings(params(**overrides)))


@pytest.mark.parametrize('overrides, option', [
    ({'name_template': '1-{disk_id}'}, 'name_template'),
    ({'name_template': 'x'}, 'name_template'),
    ({'description_template': 'http://{disk_id}'}, 'description_template'),
    ({'dr_regions': ['cn_beijing']}, 'dr_regions'),
    ({'retention_days': 70000}, 'retention_days'),
])
def test_dr_sync_names_its_own_options_for_what_the_ecs_adapter_refuses(overrides, option):
    adapter = EcsAdapter.from_connection(ALIBABA)
    settings = dict({'provider': 'ecs', 'source_region': 'cn-hangzhou', 'dr_regions': ['cn-beijing'], 'tags': None}, **overrides)
    with pytest.raises(InputError) as info:
        dr_run(adapter, **settings).validate()
    assert info.value.option == option
    assert str(info.value).startswith(option + ': ')


def test_dr_sync_names_dr_regions_for_a_malformed_aws_region():
    with pytest.raises(InputError) as info:
        dr_run(AwsAdapter({}), source_region='us-east-1', dr_regions=['us-west-2, west']).validate()
    assert info.value.option == 'dr_regions'
    # Commas and spaces separate regions (what a person types in a survey): the wrong one is named.
    assert "got 'west'" in str(info.value)
