"""The oldest SDK releases: one list (each Provider record's sdk_minimums, clouds.registry.SDK_MINIMUMS), said the same
everywhere, warned about below it.

make units-oldest runs the unit tests on exactly these releases (tests/requirements-oldest.txt).
"""

from __future__ import annotations

import os
import re

import aliyunsdkcore
import botocore
import pytest
import tencentcloud
import yaml

from ansible_collections.snapcopy.cloud.plugins.doc_fragments.tencentcloud import ModuleDocFragment as TencentFragment
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import AlibabaClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens import (
    REQUEST_PACKAGE as ENS_PACKAGE,
    ens_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import SnapcopyError
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import SDK_MINIMUMS as MINIMUM_VERSIONS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.sdk_versions import version_key, version_warnings
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import new_adapter
from ansible_collections.snapcopy.cloud.plugins.modules import ebs_snapshot_copy, ecs_snapshot_copy, ens_snapshot_copy
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ALIBABA = {'alicloud_access_key': 'LTAIexample', 'alicloud_secret_key': 'example'}


def floors(lines):
    """{package: version} of 'package >= version' or 'package==version' lines."""
    found = {}
    for line in lines:
        match = re.match(r'^\s*([A-Za-z0-9_.-]+)\s*(?:>=|==)\s*([0-9][0-9A-Za-z.]*)\s*$', line.split('#')[0])
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def file_floors(*path):
    with open(os.path.join(ROOT, *path), encoding='utf-8') as handle:
        return floors(handle.read().splitlines())


def documented_floors():
    found = {}
    for documentation in (
        ebs_snapshot_copy.DOCUMENTATION,
        ecs_snapshot_copy.DOCUMENTATION,
        ens_snapshot_copy.DOCUMENTATION,
        TencentFragment.DOCUMENTATION,
    ):
        found.update(floors(yaml.safe_load(documentation).get('requirements', [])))
    return found


@pytest.mark.parametrize(
    'where, declared',
    [
        ('the modules\' requirements', documented_floors),
        ('meta/ee-requirements.txt', lambda: file_floors('meta', 'ee-requirements.txt')),
        ('tests/requirements-oldest.txt', lambda: file_floors('tests', 'requirements-oldest.txt')),
    ],
)
def test_every_place_names_the_same_oldest_releases(where, declared):
    found = declared()
    assert {package: found.get(package) for package in MINIMUM_VERSIONS} == MINIMUM_VERSIONS, where


def test_the_pinned_releases_are_not_older_than_the_oldest():
    pinned = file_floors('tests', 'unit', 'requirements.txt')
    assert all(version_key(pinned[package]) >= version_key(minimum) for package, minimum in MINIMUM_VERSIONS.items())


@pytest.mark.parametrize(
    'text, key', [('1.34.0', (1, 34, 0)), ('3.0.1113', (3, 0, 1113)), ('2.16.0rc1', (2, 16, 0)), ('4', (4,))]
)
def test_version_key(text, key):
    assert version_key(text) == key


def test_only_releases_below_the_minimum_are_warned_about():
    assert (
        version_warnings(
            {'botocore': '1.34.0', 'aliyun-python-sdk-ens': '3.0.23', 'aliyun-python-sdk-core': None}, MINIMUM_VERSIONS
        )
        == []
    )
    (warning,) = version_warnings({'botocore': '1.33.13', 'aliyun-python-sdk-ens': '3.0.14'}, MINIMUM_VERSIONS)
    assert warning.startswith('botocore 1.33.13 is older than 1.34.0')


@pytest.mark.parametrize(
    'adapter_class, connection, sdk_module, package',
    [
        (EbsAdapter, {'access_key': 'AKIAEXAMPLE', 'secret_key': 'example'}, botocore, 'botocore'),
        (EcsAdapter, ALIBABA, aliyunsdkcore, 'aliyun-python-sdk-core'),
        (
            CbsAdapter,
            {'secret_id': 'AKIDexample', 'secret_key': 'example'},
            tencentcloud,
            'tencentcloud-sdk-python-common',
        ),
    ],
)
def test_a_module_on_an_older_sdk_warns_naming_the_package(adapter_class, connection, sdk_module, package, monkeypatch):
    module = FakeModule(dict(connection), check_mode=False)
    new_adapter(module, adapter_class, module.params, None)
    assert module.warnings == []
    monkeypatch.setattr(sdk_module, '__version__', '0.9.0')
    new_adapter(module, adapter_class, module.params, None)
    assert len(module.warnings) == 1 and module.warnings[0].startswith(
        '%s 0.9.0 is older than %s' % (package, MINIMUM_VERSIONS[package])
    )


def test_a_product_sdk_without_an_action_fails_naming_the_release_that_has_it():
    client = AlibabaClient(
        'ens',
        dict(ALIBABA, endpoint_url='http://127.0.0.1:9'),
        default_endpoint=ens_endpoint,
        request_package=ENS_PACKAGE,
    )
    with pytest.raises(SnapcopyError) as missing:
        client.call('DescribeSnapshotsOfTheFuture', {}, 'cn-hangzhou-26')
    assert str(missing.value) == (
        'aliyun-python-sdk-ens has no request class for DescribeSnapshotsOfTheFuture: '
        'upgrade it to %s or later' % MINIMUM_VERSIONS['aliyun-python-sdk-ens']
    )


def test_the_installed_aws_client_reports_no_warning():
    assert AwsClient({}, botocore_module=botocore).sdk_warnings == []
