"""The adapters read answers built from the vendors' own models, not from fakecloud's code.

Every field an adapter reads is put into an answer built with the vendor's generated model classes
(Alibaba's V2 SDK models, alibabacloud-ecs20140526 and -ens20171110; the Tencent SDK's models) and
serialised by them. fakecloud hands that answer back as is (its canned-answer fault, after checking
the request's signature and parameters), so the real SDK carries it over HTTP to the adapter, and
each test asserts what the adapter made of it. Nested list wrappers and tag field names differ per
action (ECS ``Tags.Tag[]`` of TagKey/TagValue, ENS DescribeDisks ``Tags.Tags[]`` of Key/Value, CBS
``Tags[]`` of Key/Value); each is fed here as its model writes it.
"""

from __future__ import annotations

import alibabacloud_ecs20140526.models as ECS
import alibabacloud_ens20171110.models as ENS
import pytest
from tencentcloud.cbs.v20170312 import models as CBS
from tencentcloud.tag.v20180813 import models as TAG

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TencentClient, load_sdk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import (
    ATTACHED,
    ATTACHING,
    DETACHING,
    USABLE,
    Disk,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    COMPLETED,
    DELETING,
    FAILED,
    PENDING,
    CopyRequest,
    Snapshot,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, RESTORE_RUN_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds


def alibaba_connection(cloud):
    return {
        'alicloud_access_key': creds.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': creds.ALIBABA_ACCESS_KEY_SECRET,
        'alicloud_security_token': None,
        'endpoint_url': cloud.url,
        'validate_certs': True,
        'connect_timeout': 5,
        'read_timeout': 10,
    }


def cbs_adapter(cloud):
    return CbsAdapter(
        TencentClient(
            {
                'secret_id': creds.TENCENT_SECRET_ID,
                'secret_key': creds.TENCENT_SECRET_KEY,
                'endpoint_url': cloud.url,
                'validate_certs': True,
                'read_timeout': 10,
            },
            load_sdk(),
        )
    )


def answer_with(cloud, cloud_name, action, answer):
    """Every call of ``action`` gets ``answer`` (a dict the vendor's model wrote)."""
    answers = [entry for entry in cloud.admin.faults().get('answers', []) if entry['action'] != action]
    cloud.admin.faults(answers=answers + [{'cloud': cloud_name, 'action': action, 'answer': answer}], merge=True)


def tencent(model, **fields):
    """A Tencent model object with ``fields`` set, as the SDK serialises it (set fields only)."""
    obj = model()
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def tencent_answer(model, **fields):
    return tencent(model, **fields)._serialize()  # pylint: disable=protected-access  # the SDK's own serialiser


# ---------------------------------------------------------------------- ECS
def ecs_snapshot(**fields):
    base = {
        'snapshot_id': 's-copy0001',
        'region_id': 'cn-beijing',
        'status': 'progressing',
        'progress': '42%',
        'encrypted': True,
        'kmskey_id': 'key-1',
        'retention_days': 7,
        'category': 'standard',
        'source_disk_id': 'd-disk0001',
        'source_disk_size': '40',
        'creation_time': '2026-11-01T10:00:00Z',
        'snapshot_name': 'dr-copy',
        'description': 'nightly',
        'source_snapshot_id': 's-src0001',
        'source_region_id': 'cn-hangzhou',
        'tags': ECS.DescribeSnapshotsResponseBodySnapshotsSnapshotTags(
            tag=[
                ECS.DescribeSnapshotsResponseBodySnapshotsSnapshotTagsTag(
                    tag_key=SOURCE_TAG, tag_value='cn-hangzhou/s-src0001'
                ),
                ECS.DescribeSnapshotsResponseBodySnapshotsSnapshotTagsTag(
                    tag_key=DISK_TAG, tag_value='cn-hangzhou/d-disk0001'
                ),
            ]
        ),
    }
    base.update(fields)
    return ECS.DescribeSnapshotsResponseBodySnapshotsSnapshot(**base)


def ecs_snapshots(*snapshots):
    return ECS.DescribeSnapshotsResponseBody(
        snapshots=ECS.DescribeSnapshotsResponseBodySnapshots(snapshot=list(snapshots)),
        next_token='',
        total_count=len(snapshots),
        request_id='R-1',
    ).to_map()


def test_ecs_reads_every_field_of_a_snapshot(fakecloud_clean):
    answer_with(fakecloud_clean, 'ecs', 'DescribeSnapshots', ecs_snapshots(ecs_snapshot()))
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    snapshot = adapter.describe('cn-beijing', ['s-copy0001'])['s-copy0001']
    assert (snapshot.id, snapshot.region, snapshot.state, snapshot.cloud_state, snapshot.progress) == (
        's-copy0001',
        'cn-beijing',
        PENDING,
        'progressing',
        42,
    )
    assert snapshot.encrypted is True and snapshot.extra == {'kms_key_id': 'key-1', 'retention_days': 7}
    assert snapshot.tags == {SOURCE_TAG: 'cn-hangzhou/s-src0001', DISK_TAG: 'cn-hangzhou/d-disk0001'}
    assert (snapshot.size, snapshot.volume_id, snapshot.created) == (40, 'd-disk0001', '2026-11-01T10:00:00Z')
    assert (snapshot.name, snapshot.description) == ('dr-copy', 'nightly')
    assert (snapshot.source_id, snapshot.source_region) == ('s-src0001', 'cn-hangzhou')
    request = CopyRequest('s-src0001', 'cn-hangzhou', ['cn-beijing'])
    assert [copy.id for copy in adapter.find_copies('cn-beijing', [request])[request.source_tag]] == ['s-copy0001']
    assert [copy.id for copy in adapter.list_copies('cn-beijing')] == ['s-copy0001']


@pytest.mark.parametrize('status, state', [('accomplished', COMPLETED), ('failed', FAILED), ('progressing', PENDING)])
def test_ecs_maps_every_documented_status(fakecloud_clean, status, state):
    answer_with(fakecloud_clean, 'ecs', 'DescribeSnapshots', ecs_snapshots(ecs_snapshot(status=status)))
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    assert adapter.describe('cn-beijing', ['s-copy0001'])['s-copy0001'].state == state


def test_ecs_reads_disks_and_the_copy_and_create_answers(fakecloud_clean):
    disks = ECS.DescribeDisksResponseBody(
        disks=ECS.DescribeDisksResponseBodyDisks(
            disk=[
                ECS.DescribeDisksResponseBodyDisksDisk(
                    disk_id='d-disk0001',
                    disk_name='db',
                    size=100,
                    tags=ECS.DescribeDisksResponseBodyDisksDiskTags(
                        tag=[ECS.DescribeDisksResponseBodyDisksDiskTagsTag(tag_key='dr', tag_value='yes')]
                    ),
                ),
                ECS.DescribeDisksResponseBodyDisksDisk(disk_id='d-disk0002', size=20),
            ]
        ),
        next_token='',
        total_count=2,
    ).to_map()
    answer_with(fakecloud_clean, 'ecs', 'DescribeDisks', disks)
    answer_with(
        fakecloud_clean,
        'ecs',
        'CopySnapshot',
        ECS.CopySnapshotResponseBody(snapshot_id='s-new0001', request_id='R').to_map(),
    )
    answer_with(
        fakecloud_clean, 'ecs', 'CreateSnapshot', ECS.CreateSnapshotResponseBody(snapshot_id='s-new0002').to_map()
    )
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    (disk,) = adapter.find_disks('cn-hangzhou', {'dr': 'yes'})
    assert (disk.id, disk.name, disk.size, disk.tags) == ('d-disk0001', 'db', 100, {'dr': 'yes'})
    made = adapter.start_copy(CopyRequest('s-src0001', 'cn-hangzhou', ['cn-beijing']), ['cn-beijing'])['cn-beijing']
    assert made.id == 's-new0001' and made.state == PENDING
    assert adapter.create_snapshot('cn-hangzhou', disk, 'fresh', 'fresh one', {}).id == 's-new0002'


# ---------------------------------------------------------------------- ENS
def ens_snapshot(**fields):
    base = {
        'snapshot_id': 'sp-copy0001',
        'ens_region_id': 'cn-beijing-cmcc',
        'status': 'creating',
        'size': '40960',
        'source_disk_id': 'd-edge0001',
        'creation_time': '2026-11-01T10:00:00Z',
        'snapshot_name': 'edge-copy',
        'description': 'nightly [snapcopy source=cn-hangzhou-26/sp-src0001 disk=cn-hangzhou-26/d-edge0001]',
        'source_snapshot_id': 'sp-src0001',
        'source_ens_region_id': 'cn-hangzhou-26',
    }
    base.update(fields)
    return ENS.DescribeSnapshotsResponseBodySnapshots(**base)


def ens_snapshots(*snapshots):
    return ENS.DescribeSnapshotsResponseBody(
        snapshots=list(snapshots), page_number=1, page_size=100, total_count=len(snapshots)
    ).to_map()


def test_ens_reads_every_field_of_a_snapshot_and_its_marker(fakecloud_clean):
    answer_with(fakecloud_clean, 'ens', 'DescribeSnapshots', ens_snapshots(ens_snapshot()))
    adapter = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    snapshot = adapter.describe('cn-beijing-cmcc', ['sp-copy0001'])['sp-copy0001']
    assert (snapshot.id, snapshot.region, snapshot.state, snapshot.progress) == (
        'sp-copy0001',
        'cn-beijing-cmcc',
        PENDING,
        None,
    )
    assert (snapshot.size, snapshot.volume_id, snapshot.created) == (40, 'd-edge0001', '2026-11-01T10:00:00Z')
    assert (snapshot.name, snapshot.description) == ('edge-copy', 'nightly')
    assert snapshot.tags == {SOURCE_TAG: 'cn-hangzhou-26/sp-src0001', DISK_TAG: 'cn-hangzhou-26/d-edge0001'}
    assert (snapshot.source_id, snapshot.source_region) == ('sp-src0001', 'cn-hangzhou-26')
    assert [copy.id for copy in adapter.list_copies('cn-beijing-cmcc')] == ['sp-copy0001']


@pytest.mark.parametrize(
    'status, state', [('creating', PENDING), ('available', COMPLETED), ('deleting', DELETING), ('error', FAILED)]
)
def test_ens_maps_every_documented_status(fakecloud_clean, status, state):
    """DescribeSnapshotsResponseBodySnapshots.Status: creating, available, deleting, error."""
    answer_with(fakecloud_clean, 'ens', 'DescribeSnapshots', ens_snapshots(ens_snapshot(status=status)))
    adapter = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    assert adapter.describe('cn-beijing-cmcc', ['sp-copy0001'])['sp-copy0001'].state == state


def test_ens_reads_disk_tags_as_tags_tags_of_key_and_value(fakecloud_clean):
    """DescribeDisksResponseBodyDisksDisksTags(Tags) of Key/Value: 0.1.0 read Tags.Tag of TagKey/TagValue
    and found no tagged disk at all."""
    disks = ENS.DescribeDisksResponseBody(
        disks=ENS.DescribeDisksResponseBodyDisks(
            disks=[
                ENS.DescribeDisksResponseBodyDisksDisks(
                    disk_id='d-edge0001',
                    disk_name='edge-db',
                    ens_region_id='cn-hangzhou-26',
                    size=20480,
                    tags=ENS.DescribeDisksResponseBodyDisksDisksTags(
                        tags=[
                            ENS.DescribeDisksResponseBodyDisksDisksTagsTags(key='dr', value='yes'),
                            ENS.DescribeDisksResponseBodyDisksDisksTagsTags(key='team', value='db'),
                        ]
                    ),
                ),
                ENS.DescribeDisksResponseBodyDisksDisks(
                    disk_id='d-edge0002', ens_region_id='cn-hangzhou-26', size=20480
                ),
            ]
        ),
        page_number=1,
        page_size=50,
        total_count=2,
        code=0,
    ).to_map()
    answer_with(fakecloud_clean, 'ens', 'DescribeDisks', disks)
    (disk,) = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean)).find_disks(
        'cn-hangzhou-26', {'dr': 'yes'}
    )
    assert (disk.id, disk.name, disk.region, disk.size, disk.tags) == (
        'd-edge0001',
        'edge-db',
        'cn-hangzhou-26',
        20,
        {'dr': 'yes', 'team': 'db'},
    )


def test_ens_reads_the_copy_and_create_answers(fakecloud_clean):
    copied = ENS.CopySnapshotResponseBody(
        allocation_id=[
            ENS.CopySnapshotResponseBodyAllocationId(ens_region_id='cn-beijing-cmcc', instance_id=['sp-copy0001'])
        ],
        un_allocation_id=[ENS.CopySnapshotResponseBodyUnAllocationId(ens_region_id='cn-suzhou-telecom')],
        biz_status_code='PartSuccess',
        request_id='R-2',
    ).to_map()
    answer_with(fakecloud_clean, 'ens', 'CopySnapshot', copied)
    answer_with(
        fakecloud_clean,
        'ens',
        'CreateSnapshot',
        ENS.CreateSnapshotResponseBody(snap_shot_id=['sp-new0001'], order_id='208000000001').to_map(),
    )
    adapter = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    nodes = ['cn-beijing-cmcc', 'cn-suzhou-telecom']
    results = adapter.start_copy(CopyRequest('sp-src0001', 'cn-hangzhou-26', nodes), nodes)
    assert results['cn-beijing-cmcc'].id == 'sp-copy0001'
    assert isinstance(results['cn-suzhou-telecom'], CloudError) and results['cn-suzhou-telecom'].code == 'PartSuccess'
    assert results['cn-suzhou-telecom'].request_id == 'R-2'
    made = adapter.create_snapshot('cn-hangzhou-26', Disk('d-edge0001', 'cn-hangzhou-26'), 'fresh', 'fresh one', {})
    assert made.id == 'sp-new0001' and made.state == PENDING


# ---------------------------------------------------------------------- CBS (and the Tag service)
def cbs_snapshot(**fields):
    base = {
        'SnapshotId': 'snap-copy0001',
        'SnapshotState': 'COPYING_FROM_REMOTE',
        'Percent': 42,
        'Encrypt': False,
        'DiskSize': 40,
        'DiskId': 'disk-src00001',
        'CreateTime': '2026-11-01 18:00:00',
        'SnapshotName': 'snapcopy-x',
        'CopyFromRemote': True,
        'CopyingToRegions': [],
        'Tags': [
            tencent(CBS.Tag, Key=SOURCE_TAG, Value='ap-guangzhou/snap-src00001'),
            tencent(CBS.Tag, Key=DISK_TAG, Value='ap-guangzhou/disk-src00001'),
        ],
    }
    base.update(fields)
    return tencent(CBS.Snapshot, **base)


def cbs_snapshots(*snapshots):
    return tencent_answer(CBS.DescribeSnapshotsResponse, TotalCount=len(snapshots), SnapshotSet=list(snapshots))


def test_cbs_reads_every_field_of_a_snapshot(fakecloud_clean):
    answer_with(fakecloud_clean, 'cbs', 'DescribeSnapshots', cbs_snapshots(cbs_snapshot()))
    adapter = cbs_adapter(fakecloud_clean)
    snapshot = adapter.describe('ap-shanghai', ['snap-copy0001'])['snap-copy0001']
    assert (snapshot.id, snapshot.state, snapshot.cloud_state, snapshot.progress) == (
        'snap-copy0001',
        PENDING,
        'COPYING_FROM_REMOTE',
        42,
    )
    assert (snapshot.encrypted, snapshot.size, snapshot.volume_id) == (False, 40, 'disk-src00001')
    assert snapshot.created == '2026-11-01T10:00:00Z'  # Beijing time in the answer, UTC here
    assert snapshot.tags == {SOURCE_TAG: 'ap-guangzhou/snap-src00001', DISK_TAG: 'ap-guangzhou/disk-src00001'}
    assert [copy.id for copy in adapter.list_copies('ap-shanghai')] == ['snap-copy0001']


@pytest.mark.parametrize(
    'state, neutral',
    [
        ('NORMAL', COMPLETED),
        ('CREATING', PENDING),
        ('ROLLBACKING', COMPLETED),
        ('COPYING_FROM_REMOTE', PENDING),
        ('CHECKING_COPIED', PENDING),
        ('TORECYCLE', DELETING),
    ],
)
def test_cbs_maps_every_documented_state(fakecloud_clean, state, neutral):
    """The snapshot-state values of DescribeSnapshotsRequest.Filters."""
    answer_with(fakecloud_clean, 'cbs', 'DescribeSnapshots', cbs_snapshots(cbs_snapshot(SnapshotState=state)))
    assert cbs_adapter(fakecloud_clean).describe('ap-shanghai', ['snap-copy0001'])['snap-copy0001'].state == neutral


def test_cbs_reads_disks_the_copy_answer_and_tagging_failures(fakecloud_clean):
    disks = tencent_answer(
        CBS.DescribeDisksResponse,
        TotalCount=1,
        DiskSet=[
            tencent(
                CBS.Disk,
                DiskId='disk-src00001',
                DiskName='db',
                DiskSize=50,
                Tags=[tencent(CBS.Tag, Key='dr', Value='yes')],
            )
        ],
    )
    answer_with(fakecloud_clean, 'cbs', 'DescribeDisks', disks)
    copied = tencent_answer(
        CBS.CopySnapshotCrossRegionsResponse,
        SnapshotCopyResultSet=[
            tencent(
                CBS.SnapshotCopyResult,
                SnapshotId='snap-copy0001',
                DestinationRegion='ap-shanghai',
                Code='Success',
                Message='',
            ),
            tencent(
                CBS.SnapshotCopyResult,
                SnapshotId='',
                DestinationRegion='ap-beijing',
                Code='InsufficientSnapshotQuota',
                Message='quota used up',
            ),
        ],
    )
    answer_with(fakecloud_clean, 'cbs', 'CopySnapshotCrossRegions', copied)
    answer_with(fakecloud_clean, 'tag', 'TagResources', tencent_answer(TAG.TagResourcesResponse, FailedResources=[]))
    adapter = cbs_adapter(fakecloud_clean)
    (disk,) = adapter.find_disks('ap-guangzhou', {'dr': 'yes'})
    assert (disk.id, disk.name, disk.size, disk.tags) == ('disk-src00001', 'db', 50, {'dr': 'yes'})
    regions = ['ap-shanghai', 'ap-beijing']
    results = adapter.start_copy(CopyRequest('snap-src00001', 'ap-guangzhou', regions), regions)
    assert (
        results['ap-shanghai'].id == 'snap-copy0001'
        and results['ap-shanghai'].tags[SOURCE_TAG] == 'ap-guangzhou/snap-src00001'
    )
    assert isinstance(results['ap-beijing'], CloudError) and results['ap-beijing'].code == 'InsufficientSnapshotQuota'

    failed = tencent_answer(
        TAG.TagResourcesResponse,
        FailedResources=[
            tencent(
                TAG.FailedResource,
                Resource='qcs::cvm:ap-shanghai:uin/:snapshot/snap-copy0002',
                Code='ResourceNotFound',
                Message='gone',
            )
        ],
    )
    answer_with(fakecloud_clean, 'tag', 'TagResources', failed)
    answer_with(
        fakecloud_clean,
        'cbs',
        'CopySnapshotCrossRegions',
        tencent_answer(
            CBS.CopySnapshotCrossRegionsResponse,
            SnapshotCopyResultSet=[
                tencent(
                    CBS.SnapshotCopyResult,
                    SnapshotId='snap-copy0002',
                    DestinationRegion='ap-shanghai',
                    Code='Success',
                    Message='',
                )
            ],
        ),
    )
    result = adapter.start_copy(CopyRequest('snap-src00002', 'ap-guangzhou', ['ap-shanghai']), ['ap-shanghai'])[
        'ap-shanghai'
    ]
    assert isinstance(result, CloudError) and result.code == 'ResourceNotFound'


# ---------------------------------------------------------------------- the restore drill's disk calls
def drill_copy(copy_id, region, size=40):
    return Snapshot(copy_id, region, COMPLETED, size=size)


def test_ecs_reads_the_drills_create_describe_and_delete_answers(fakecloud_clean):
    """CreateDiskResponseBody (DiskId), DescribeDisksResponseBodyDisksDisk (Status, ZoneId, SourceSnapshotId, Size in
    GiB, CreationTime, Tags.Tag of TagKey/TagValue) and DeleteDiskResponseBody (a request id alone)."""
    answer_with(
        fakecloud_clean,
        'ecs',
        'CreateDisk',
        ECS.CreateDiskResponseBody(disk_id='d-test0001', request_id='R-1').to_map(),
    )
    answer_with(
        fakecloud_clean,
        'ecs',
        'DescribeDisks',
        ECS.DescribeDisksResponseBody(
            disks=ECS.DescribeDisksResponseBodyDisks(
                disk=[
                    ECS.DescribeDisksResponseBodyDisksDisk(
                        disk_id='d-test0001',
                        disk_name='snapcopy-restore-test',
                        status='Creating',
                        zone_id='cn-shanghai-b',
                        size=40,
                        source_snapshot_id='s-copy0001',
                        creation_time='2026-11-01T10:00:00Z',
                        tags=ECS.DescribeDisksResponseBodyDisksDiskTags(
                            tag=[
                                ECS.DescribeDisksResponseBodyDisksDiskTagsTag(
                                    tag_key=RESTORE_RUN_TAG, tag_value='run-1'
                                )
                            ]
                        ),
                    )
                ]
            ),
            next_token='',
            total_count=1,
        ).to_map(),
    )
    answer_with(fakecloud_clean, 'ecs', 'DeleteDisk', ECS.DeleteDiskResponseBody(request_id='R-3').to_map())
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    made = adapter.drill.create_test_disk(
        'cn-shanghai',
        'cn-shanghai-b',
        drill_copy('s-copy0001', 'cn-shanghai'),
        'cloud_essd',
        'snapcopy-restore-test',
        {RESTORE_RUN_TAG: 'run-1'},
        'token-1',
    )
    assert (made.id, made.state, made.zone) == ('d-test0001', PENDING, 'cn-shanghai-b')
    (found,) = adapter.drill.find_test_disks('cn-shanghai')
    assert (found.id, found.state, found.cloud_state, found.zone, found.snapshot_id, found.size) == (
        'd-test0001',
        PENDING,
        'Creating',
        'cn-shanghai-b',
        's-copy0001',
        40,
    )
    assert (found.name, found.created, found.tags) == (
        'snapcopy-restore-test',
        '2026-11-01T10:00:00Z',
        {RESTORE_RUN_TAG: 'run-1'},
    )
    assert adapter.drill.describe_test_disks('cn-shanghai', ['d-test0001'])['d-test0001'].cloud_state == 'Creating'
    adapter.drill.delete_test_disk('cn-shanghai', 'd-test0001')


@pytest.mark.parametrize(
    'status, state',
    [
        ('Creating', PENDING),
        ('ReIniting', PENDING),
        ('Available', USABLE),
        ('In_use', USABLE),
        ('Attaching', USABLE),
        ('Detaching', USABLE),
    ],
)
def test_ecs_maps_every_documented_disk_status(fakecloud_clean, status, state):
    """DescribeDisksRequest.Status: In_use, Available, Attaching, Detaching, Creating, ReIniting (ecs-20140526)."""
    answer_with(
        fakecloud_clean,
        'ecs',
        'DescribeDisks',
        ECS.DescribeDisksResponseBody(
            disks=ECS.DescribeDisksResponseBodyDisks(
                disk=[ECS.DescribeDisksResponseBodyDisksDisk(disk_id='d-test0001', status=status)]
            ),
            next_token='',
        ).to_map(),
    )
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    assert adapter.drill.describe_test_disks('cn-shanghai', ['d-test0001'])['d-test0001'].state == state


def test_ens_reads_the_drills_create_describe_and_delete_answers(fakecloud_clean):
    """CreateDiskResponseBody (InstanceIds, a list), DescribeDisksResponseBodyDisksDisks (Status, SnapshotId, Size in
    MiB, CreationTime, EnsRegionId) and DeleteDiskResponseBody (Code 0)."""
    answer_with(
        fakecloud_clean,
        'ens',
        'CreateDisk',
        ENS.CreateDiskResponseBody(instance_ids=['d-edgetest1'], order_id='2080').to_map(),
    )
    answer_with(
        fakecloud_clean,
        'ens',
        'DescribeDisks',
        ENS.DescribeDisksResponseBody(
            disks=ENS.DescribeDisksResponseBodyDisks(
                disks=[
                    ENS.DescribeDisksResponseBodyDisksDisks(
                        disk_id='d-edgetest1',
                        disk_name='snapcopy-restore-test',
                        status='Available',
                        ens_region_id='cn-beijing-cmcc',
                        size=40960,
                        snapshot_id='sp-copy0001',
                        creation_time='2026-11-01T10:00:00Z',
                        tags=ENS.DescribeDisksResponseBodyDisksDisksTags(
                            tags=[ENS.DescribeDisksResponseBodyDisksDisksTagsTags(key=RESTORE_RUN_TAG, value='run-1')]
                        ),
                    )
                ]
            ),
            page_number=1,
            page_size=50,
            total_count=1,
            code=0,
        ).to_map(),
    )
    answer_with(fakecloud_clean, 'ens', 'DeleteDisk', ENS.DeleteDiskResponseBody(code=0, request_id='R-3').to_map())
    adapter = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    made = adapter.drill.create_test_disk(
        'cn-beijing-cmcc',
        None,
        drill_copy('sp-copy0001', 'cn-beijing-cmcc'),
        adapter.drill.restore_disk_type,
        'snapcopy-restore-test',
        {RESTORE_RUN_TAG: 'run-1'},
        'token-1',
    )
    assert (made.id, made.state, made.size) == ('d-edgetest1', PENDING, 40)
    (found,) = adapter.drill.find_test_disks('cn-beijing-cmcc')
    assert (found.id, found.state, found.region, found.snapshot_id, found.size, found.created) == (
        'd-edgetest1',
        USABLE,
        'cn-beijing-cmcc',
        'sp-copy0001',
        40,
        '2026-11-01T10:00:00Z',
    )
    adapter.drill.delete_test_disk('cn-beijing-cmcc', 'd-edgetest1')


def test_cbs_reads_the_drills_create_describe_and_terminate_answers(fakecloud_clean):
    """CreateDisksResponse (DiskIdSet), Disk (DiskState, Placement.Zone, DiskSize in GiB, CreateTime in Beijing time,
    Tags) and TerminateDisksResponse (a request id alone)."""
    answer_with(
        fakecloud_clean, 'cbs', 'CreateDisks', tencent_answer(CBS.CreateDisksResponse, DiskIdSet=['disk-test0001'])
    )
    answer_with(
        fakecloud_clean,
        'cbs',
        'DescribeDisks',
        tencent_answer(
            CBS.DescribeDisksResponse,
            TotalCount=1,
            DiskSet=[
                tencent(
                    CBS.Disk,
                    DiskId='disk-test0001',
                    DiskName='snapcopy-restore-test',
                    DiskState='UNATTACHED',
                    DiskSize=50,
                    Placement=tencent(CBS.Placement, Zone='ap-shanghai-2'),
                    CreateTime='2026-11-01 18:00:00',
                    Tags=[tencent(CBS.Tag, Key=RESTORE_RUN_TAG, Value='run-1')],
                )
            ],
        ),
    )
    answer_with(fakecloud_clean, 'cbs', 'TerminateDisks', tencent_answer(CBS.TerminateDisksResponse))
    adapter = cbs_adapter(fakecloud_clean)
    made = adapter.drill.create_test_disk(
        'ap-shanghai',
        'ap-shanghai-2',
        drill_copy('snap-copy0001', 'ap-shanghai', size=50),
        'CLOUD_PREMIUM',
        'snapcopy-restore-test',
        {RESTORE_RUN_TAG: 'run-1'},
        'token-1',
    )
    assert (made.id, made.state, made.zone) == ('disk-test0001', PENDING, 'ap-shanghai-2')
    (found,) = adapter.drill.find_test_disks('ap-shanghai')
    assert (found.id, found.state, found.cloud_state, found.zone, found.size) == (
        'disk-test0001',
        USABLE,
        'UNATTACHED',
        'ap-shanghai-2',
        50,
    )
    assert found.created == '2026-11-01T10:00:00Z' and found.tags == {RESTORE_RUN_TAG: 'run-1'}
    adapter.drill.delete_test_disk('ap-shanghai', 'disk-test0001')


@pytest.mark.parametrize(
    'state, neutral',
    [
        ('UNATTACHED', USABLE),
        ('ATTACHING', USABLE),
        ('ATTACHED', USABLE),
        ('DETACHING', USABLE),
        ('EXPANDING', USABLE),
        ('ROLLBACKING', PENDING),
        ('DUMPING', PENDING),
        ('TORECYCLE', DELETING),
    ],
)
def test_cbs_maps_every_documented_disk_state(fakecloud_clean, state, neutral):
    """Disk.DiskState (cbs 2017-03-12): UNATTACHED, ATTACHING, ATTACHED, DETACHING, EXPANDING, ROLLBACKING, TORECYCLE,
    DUMPING."""
    answer_with(
        fakecloud_clean,
        'cbs',
        'DescribeDisks',
        tencent_answer(
            CBS.DescribeDisksResponse,
            TotalCount=1,
            DiskSet=[tencent(CBS.Disk, DiskId='disk-test0001', DiskState=state)],
        ),
    )
    assert (
        cbs_adapter(fakecloud_clean).drill.describe_test_disks('ap-shanghai', ['disk-test0001'])['disk-test0001'].state
        == neutral
    )


# ---------------------------------------------------------------------- the drill host (DrillHostAdapter)
def test_ecs_reads_a_drill_host_and_an_attached_disk(fakecloud_clean):
    """DescribeInstancesResponseBodyInstancesInstance (InstanceId, InstanceName, ZoneId, Status) and an In_use disk's
    InstanceId and Device (DescribeDisksResponseBodyDisksDisk); an answer without the instance is not found."""
    answer_with(
        fakecloud_clean,
        'ecs',
        'DescribeInstances',
        ECS.DescribeInstancesResponseBody(
            instances=ECS.DescribeInstancesResponseBodyInstances(
                instance=[
                    ECS.DescribeInstancesResponseBodyInstancesInstance(
                        instance_id='i-host0001',
                        instance_name='drill-host',
                        region_id='cn-shanghai',
                        zone_id='cn-shanghai-b',
                        status='Stopped',
                    )
                ]
            ),
            next_token='',
            total_count=1,
            request_id='R-1',
        ).to_map(),
    )
    answer_with(
        fakecloud_clean,
        'ecs',
        'DescribeDisks',
        ECS.DescribeDisksResponseBody(
            disks=ECS.DescribeDisksResponseBodyDisks(
                disk=[
                    ECS.DescribeDisksResponseBodyDisksDisk(
                        disk_id='d-test0001', status='In_use', instance_id='i-host0001', device='/dev/xvdc'
                    )
                ]
            ),
            next_token='',
        ).to_map(),
    )
    adapter = EcsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    host = adapter.drill.drill_host('cn-shanghai', 'i-host0001')
    assert (host.id, host.zone, host.running, host.cloud_state, host.name) == (
        'i-host0001',
        'cn-shanghai-b',
        False,
        'Stopped',
        'drill-host',
    )
    disk = adapter.drill.describe_test_disks('cn-shanghai', ['d-test0001'])['d-test0001']
    assert (disk.attached_to, disk.attachment, disk.device, disk.state) == ('i-host0001', ATTACHED, '/dev/xvdc', USABLE)
    with pytest.raises(CloudError) as info:
        adapter.drill.drill_host('cn-shanghai', 'i-other0001')
    assert info.value.kind == NOT_FOUND


def test_ens_reads_a_drill_host_and_an_attaching_disk(fakecloud_clean):
    """DescribeInstancesResponseBodyInstancesInstance (InstanceId, EnsRegionId, Status) and an Attaching disk's
    InstanceId (DescribeDisksResponseBodyDisksDisks: no device field)."""
    answer_with(
        fakecloud_clean,
        'ens',
        'DescribeInstances',
        ENS.DescribeInstancesResponseBody(
            instances=ENS.DescribeInstancesResponseBodyInstances(
                instance=[
                    ENS.DescribeInstancesResponseBodyInstancesInstance(
                        instance_id='i-edgehost1',
                        instance_name='drill-host',
                        ens_region_id='cn-beijing-cmcc',
                        status='Running',
                    )
                ]
            ),
            page_number=1,
            page_size=10,
            total_count=1,
            code=0,
        ).to_map(),
    )
    answer_with(
        fakecloud_clean,
        'ens',
        'DescribeDisks',
        ENS.DescribeDisksResponseBody(
            disks=ENS.DescribeDisksResponseBodyDisks(
                disks=[
                    ENS.DescribeDisksResponseBodyDisksDisks(
                        disk_id='d-edgetest1',
                        status='Attaching',
                        instance_id='i-edgehost1',
                        ens_region_id='cn-beijing-cmcc',
                    )
                ]
            ),
            page_number=1,
            page_size=50,
            total_count=1,
            code=0,
        ).to_map(),
    )
    adapter = EnsAdapter.from_connection(alibaba_connection(fakecloud_clean))
    host = adapter.drill.drill_host('cn-beijing-cmcc', 'i-edgehost1')
    assert (host.region, host.zone, host.running, host.cloud_state) == ('cn-beijing-cmcc', None, True, 'Running')
    disk = adapter.drill.describe_test_disks('cn-beijing-cmcc', ['d-edgetest1'])['d-edgetest1']
    assert (disk.attached_to, disk.attachment, disk.device) == ('i-edgehost1', ATTACHING, None)


def test_cbs_reads_a_cvm_drill_host_and_a_detaching_disk(fakecloud_clean):
    """CVM's Instance (InstanceId, InstanceState, Placement.Zone; tencentcloud-sdk-python-cvm, a test-only package) and
    a DETACHING disk's InstanceId (cbs Disk: no device field)."""
    cvm = pytest.importorskip(
        'tencentcloud.cvm.v20170312.models', reason='the CVM models are tests/unit/requirements.txt\'s'
    )
    answer_with(
        fakecloud_clean,
        'cvm',
        'DescribeInstances',
        tencent_answer(
            cvm.DescribeInstancesResponse,
            TotalCount=1,
            InstanceSet=[
                tencent(
                    cvm.Instance,
                    InstanceId='ins-host0001',
                    InstanceName='drill-host',
                    InstanceState='RUNNING',
                    Placement=tencent(cvm.Placement, Zone='ap-shanghai-2'),
                )
            ],
        ),
    )
    answer_with(
        fakecloud_clean,
        'cbs',
        'DescribeDisks',
        tencent_answer(
            CBS.DescribeDisksResponse,
            TotalCount=1,
            DiskSet=[
                tencent(
                    CBS.Disk, DiskId='disk-test0001', DiskState='DETACHING', Attached=True, InstanceId='ins-host0001'
                )
            ],
        ),
    )
    adapter = cbs_adapter(fakecloud_clean)
    host = adapter.drill.drill_host('ap-shanghai', 'ins-host0001')
    assert (host.zone, host.running, host.cloud_state, host.name) == ('ap-shanghai-2', True, 'RUNNING', 'drill-host')
    disk = adapter.drill.describe_test_disks('ap-shanghai', ['disk-test0001'])['disk-test0001']
    assert (disk.attached_to, disk.attachment, disk.device) == ('ins-host0001', DETACHING, None)
