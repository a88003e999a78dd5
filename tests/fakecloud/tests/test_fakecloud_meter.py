"""The meter (meter.py, GET /_admin/meter): each copy full or incremental by the cloud's stated rule, with the bytes it
moves and what the region's copies still hold; ECS DescribeSnapshots' FullSnapshotSizeInBytes, what the snapshot
holds; POST /_admin/write, a disk's rewrite. Through the real SDKs."""

from __future__ import annotations

import json

from aliyunsdkecs.request.v20140526 import DeleteSnapshotRequest, DescribeSnapshotsRequest
from tencentcloud.cbs.v20170312 import cbs_client, models

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import (
    alibaba_call,
    alibaba_client,
    ecs_copy_request,
    tencent_client,
)

GIB = 2**30


def test_ecs_copies_a_disk_in_full_once_a_region_then_its_rewrites(fc):
    seeded = fc.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'size': 20, 'written_bytes': 3 * GIB, 'snapshots': 1}]}
    )['ecs']
    (disk,), (first,) = seeded['disks'], seeded['snapshots']
    client = alibaba_client()
    request = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    request.set_SnapshotIds(json.dumps([first]))
    (described,) = alibaba_call(fc.endpoint, client, request)['Snapshots']['Snapshot']
    assert described['FullSnapshotSizeInBytes'] == 3 * GIB and described['SourceDiskSize'] == '20'

    alibaba_call(fc.endpoint, client, ecs_copy_request(first, 'cn-shanghai'))
    fc.admin.advance_clock(30)
    assert fc.admin.write('ecs', disk, GIB // 2) == {
        'disk_id': disk,
        'written_bytes': 3 * GIB,
        'rewritten_bytes': GIB // 2,
    }
    (second,) = fc.admin.seed(ecs={'snapshots': [{'region': 'cn-hangzhou', 'disk_id': disk, 'age_seconds': 0}]})['ecs'][
        'snapshots'
    ]
    copy_id = alibaba_call(fc.endpoint, client, ecs_copy_request(second, 'cn-shanghai'))['SnapshotId']
    fc.admin.advance_clock(30)
    # Another region's first copy is full again.
    alibaba_call(fc.endpoint, client, ecs_copy_request(second, 'cn-beijing'))
    assert fc.admin.meter('ecs') == {
        'ecs': {
            'cn-shanghai': {
                'full': 1,
                'incremental': 1,
                'bytes_moved': 3 * GIB + GIB // 2,
                'bytes_stored': 3 * GIB + GIB // 2,
            },
            'cn-beijing': {'full': 1, 'incremental': 0, 'bytes_moved': 3 * GIB, 'bytes_stored': 3 * GIB},
        }
    }
    # A deleted copy's bytes leave the region's storage, not what was moved.
    delete = DeleteSnapshotRequest.DeleteSnapshotRequest()
    delete.set_SnapshotId(copy_id)
    alibaba_call(fc.endpoint, alibaba_client(region='cn-shanghai'), delete)
    assert fc.admin.meter('ecs')['ecs']['cn-shanghai']['bytes_stored'] == 3 * GIB


def test_cbs_copies_every_snapshot_in_full(fc):
    seeded = fc.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'size': 10, 'snapshots': 2}]})['cbs']
    client = tencent_client(cbs_client.CbsClient, fc.endpoint, 'ap-guangzhou')
    for snapshot_id in seeded['snapshots']:
        request = models.CopySnapshotCrossRegionsRequest()
        request.from_json_string(json.dumps({'SnapshotId': snapshot_id, 'DestinationRegions': ['ap-beijing']}))
        client.CopySnapshotCrossRegions(request)
        fc.admin.advance_clock(30)
    assert fc.admin.meter() == {
        'cbs': {'ap-beijing': {'full': 2, 'incremental': 0, 'bytes_moved': 20 * GIB, 'bytes_stored': 20 * GIB}}
    }
    fc.admin.reset(keep_config=True)
    assert fc.admin.meter() == {}
