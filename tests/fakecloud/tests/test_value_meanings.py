"""The meaning of every value the adapters compute with (a size's unit, what a count counts, a page's limit), read
from the vendors' models, not from our pages.

A shape check passes a size in MiB read as GiB, or a count of pages read as a count of disks. So each value the
adapters compute with is listed here with the words of the vendor's model it relies on, and the test finds those
words in the model's own documentation of the field. Where the model does not say it, the entry names no words, and
fakecloud's README must list it among the meanings no model states (what we chose, and why).
The limits the adapters send are checked against the documented ones too.
"""

from __future__ import annotations

import inspect
import os
import re

import alibabacloud_ecs20140526.models as ECS
import alibabacloud_ens20171110.models as ENS
import botocore.session
import pytest
from tencentcloud.cbs.v20170312 import models as CBS

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import (
    ecs as _ecs,
    ecs_drill as _ecs_drill,
    ens_drill as _ens_drill,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import ebs_drill as _ebs_drill
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import cbs as _cbs, cbs_disks as _cbs_disks

README = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'README.md')
EC2 = botocore.session.get_session().get_service_model('ec2')

# (what an adapter relies on, the model's class or botocore shape, the field, the model's words, or a tuple of the words
# of its releases (the Tencent SDK's older models write GB where newer ones write GiB); None: the model does not say it)
MEANINGS = [
    ('ECS CreateDisk Size in GiB', ECS.CreateDiskRequest, 'size', 'Unit: GiB'),
    ('ECS CopySnapshot RetentionDays in days', ECS.CopySnapshotRequest, 'retention_days', 'Unit: days'),
    ('ECS DescribeSnapshots MaxResults at most 100', ECS.DescribeSnapshotsRequest, 'max_results', 'Maximum value: 100'),
    ('ECS DescribeDisks MaxResults from 10 to 500', ECS.DescribeDisksRequest, 'max_results', 'Valid values: 10 to 500'),
    (
        'ECS snapshot SourceDiskSize in GiB',
        ECS.DescribeSnapshotsResponseBodySnapshotsSnapshot,
        'source_disk_size',
        None,
    ),
    (
        'ECS snapshot Progress as a percentage with a % sign',
        ECS.DescribeSnapshotsResponseBodySnapshotsSnapshot,
        'progress',
        None,
    ),
    ('ECS disk Size in GiB', ECS.DescribeDisksResponseBodyDisksDisk, 'size', None),
    ('ENS snapshot Size in MiB', ENS.DescribeSnapshotsResponseBodySnapshots, 'size', 'Unit: MiB'),
    ('ENS disk Size in MiB', ENS.DescribeDisksResponseBodyDisksDisks, 'size', None),
    ('ENS CreateDisk Size in GiB', ENS.CreateDiskRequest, 'size', 'Unit: GiB'),
    ('ENS DescribeDisks PageSize at most 50', ENS.DescribeDisksRequest, 'page_size', 'Maximum value: **50**'),
    (
        'ENS DescribeDisks TotalCount counts pages',
        ENS.DescribeDisksResponseBody,
        'total_count',
        'The total number of pages',
    ),
    (
        'ENS DescribeSnapshots TotalCount counts snapshots',
        ENS.DescribeSnapshotsResponseBody,
        'total_count',
        'The total number of snapshots',
    ),
    ('CBS snapshot DiskSize in GiB', CBS.Snapshot, 'DiskSize', ('单位GiB', '单位GB')),
    ('CBS snapshot Percent as a percentage', CBS.Snapshot, 'Percent', '百分比'),
    ('CBS snapshot CreateTime in Beijing time', CBS.Snapshot, 'CreateTime', None),
    ('CBS disk DiskSize in GiB', CBS.Disk, 'DiskSize', ('单位GiB', '单位GB')),
    ('CBS DiskConfig MinDiskSize in GiB', CBS.DiskConfig, 'MinDiskSize', ('单位GiB', '单位GB')),
    ('CBS CreateDisks DiskSize in GiB', CBS.CreateDisksRequest, 'DiskSize', ('单位为GiB', '单位为GB')),
    ('CBS DescribeSnapshots Limit at most 100', CBS.DescribeSnapshotsRequest, 'Limit', '最大值为100'),
    ('CBS DescribeSnapshots TotalCount counts snapshots', CBS.DescribeSnapshotsResponse, 'TotalCount', '快照的数量'),
    ('EC2 snapshot VolumeSize in GiB', EC2.shape_for('Snapshot'), 'VolumeSize', 'in GiB'),
    ('EC2 snapshot Progress as a percentage', EC2.shape_for('Snapshot'), 'Progress', 'as a percentage'),
    ('EC2 volume Size in GiB', EC2.shape_for('Volume'), 'Size', 'in GiBs'),
]


def field_doc(model, field):
    """The vendor's documentation of ``field``: botocore's member documentation, the comment above the attribute in an
    Alibaba V2 model's constructor, or the ``:param _Field:`` text of a Tencent model's docstring."""
    if hasattr(model, 'members'):
        return model.members[field].documentation
    if model.__module__.startswith('tencentcloud'):
        found = re.search(r':param _%s:(.*?)(?::type|$)' % field, model.__init__.__doc__ or '', re.S)
        return found.group(1) if found else ''
    lines = inspect.getsource(model.__init__).splitlines()
    at = next(index for index, line in enumerate(lines) if line.strip() == 'self.%s = %s' % (field, field))
    comments = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith('#'):
            break
        comments.insert(0, line.strip().lstrip('#').strip())
    return ' '.join(comments)


@pytest.mark.parametrize('meaning, model, field, words', MEANINGS, ids=[entry[0] for entry in MEANINGS])
def test_each_meaning_is_the_models_or_listed_as_unverifiable(meaning, model, field, words):
    documented = field_doc(model, field)
    if words is None:
        with open(README, encoding='utf-8') as handle:
            assert meaning in handle.read(), (
                '%s: the model says only %r, so fakecloud/README.md must say what we chose' % (meaning, documented)
            )
    else:
        assert any(said in documented for said in ((words,) if isinstance(words, str) else words)), (
            '%s: the model says %r' % (meaning, documented)
        )


def test_the_limits_the_adapters_send_are_the_documented_ones():
    assert _ecs_drill.DISK_PAGE_SIZE <= 500 and _ecs.ID_CHUNK <= 100
    assert _ens_drill.DISK_PAGE_SIZE <= 50
    assert _cbs.PAGE_SIZE <= 100


# The disk categories each drill makes, against the values the vendor's model lists for the create call's field.
CATEGORIES = [
    ('ECS CreateDisk DiskCategory', ECS.CreateDiskRequest, 'disk_category', tuple(_ecs_drill.DISK_MINIMUM_GIB)),
    # ENS's CreateDisk model lists none ("Valid values:" and nothing); DescribeDisks' Category does, as
    # clouds.alibaba.ens_dr says.
    ('ENS DescribeDisks Category', ENS.DescribeDisksRequest, 'category', tuple(_ens_drill.DISK_MINIMUM_GIB)),
    ('CBS CreateDisks DiskType', CBS.CreateDisksRequest, 'DiskType', _cbs_disks.DISK_TYPES),
    (
        'CBS DescribeDiskConfigQuota DiskTypes',
        CBS.DescribeDiskConfigQuotaRequest,
        'DiskTypes',
        _cbs_disks.QUOTA_FILTER_TYPES,
    ),
]


@pytest.mark.parametrize('what, model, field, categories', CATEGORIES, ids=[entry[0] for entry in CATEGORIES])
def test_each_disk_category_the_adapters_use_is_one_the_model_lists(what, model, field, categories):
    documented = field_doc(model, field)
    assert [category for category in categories if category not in documented] == [], '%s: the model says %r' % (
        what,
        documented,
    )


def test_each_volume_type_the_aws_drill_uses_is_in_the_ec2_model():
    assert set(_ebs_drill.VOLUME_MINIMUM_GIB) <= set(EC2.shape_for('VolumeType').enum)


def least_sizes(text, pattern):
    """{type: the least size} from a model's list of sizes (``pattern`` matches a line's types and its least size)."""
    sizes = {}
    for found in re.finditer(pattern, text.replace(',', '')):
        for name in re.split(r' and |, ', found.group(1)):
            sizes[name.strip()] = int(found.group(2))
    return sizes


def test_the_least_size_each_drill_makes_a_disk_of_is_the_models():
    """A drill makes a test disk of a copy smaller than its type allows at the type's least size: too small, and the
    cloud refuses it; larger, and each drill pays for what it never reads."""
    ecs = least_sizes(field_doc(ECS.CreateDiskRequest, 'size'), r'-\s+(\w+): (\d+) to \d+')
    ecs['cloud_essd'] = ecs.pop('PL0')  # the drill asks for PerformanceLevel PL0
    assert {category: ecs[category] for category in _ecs_drill.DISK_MINIMUM_GIB} == _ecs_drill.DISK_MINIMUM_GIB
    ec2 = least_sizes(
        EC2.operation_model('CreateVolume').input_shape.members['Size'].documentation,
        r'<p>([\w ]+): <code>(\d+) - \d+</code> GiB</p>',
    )
    assert {kind: ec2[kind] for kind in _ebs_drill.VOLUME_MINIMUM_GIB} == _ebs_drill.VOLUME_MINIMUM_GIB
