"""A copy call answered with a copy that no read ever shows, on the clouds whose copy call carries no idempotency token
that the cloud answers with its first copy (EBS, ENS, CBS: CopyAdapter.token_spent's default). The destination fails,
saying the copy never appeared, after one copy call: sending it again would make a copy for each one the cloud answered
but lost. ECS draws the next token instead (test_ecs.py).

ENS and CBS get the answer built with the vendors' own models (Alibaba's V2 SDK models, the Tencent SDK's), through the
real SDKs and fakecloud's canned answers; EBS's copy is made on moto's server and deleted before any read."""

from __future__ import annotations

import alibabacloud_ens20171110.models as ENS
from tencentcloud.cbs.v20170312 import models as CBS
from tencentcloud.tag.v20180813 import models as TAG

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import FAILED, CopyRequest
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_destinations import ec2
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_ecs import engine_on_a_fake_clock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_vendor_answers import (
    alibaba_connection,
    answer_with,
    tencent,
    tencent_answer,
)


def run_once(adapter, source_id, source_region, destination):
    """The outcome at ``destination`` of one engine run that does not wait, on a fake clock (test_ecs.py's)."""
    (outcome,) = engine_on_a_fake_clock(adapter).run([CopyRequest(source_id, source_region, [destination], {})])
    return outcome.destinations[destination]


def counted(adapter, after=None):
    """``adapter`` with its copy calls counted (and each answer passed to ``after``)."""
    sent = []
    start_copy = adapter.start_copy

    def counting(request, destinations):
        sent.append(list(destinations))
        answer = start_copy(request, destinations)
        if after is not None:
            after(answer)
        return answer

    adapter.start_copy = counting
    return sent


def test_ens_a_copy_no_read_shows_fails_its_node_after_one_call(fakecloud_clean):
    cloud = fakecloud_clean
    source = cloud.admin.seed(ens={'disks': [{'region': 'cn-hangzhou-26', 'snapshots': 1}]})['ens']['snapshots'][0]
    ghost = ENS.CopySnapshotResponseBody(
        allocation_id=[ENS.CopySnapshotResponseBodyAllocationId(ens_region_id='cn-beijing-cmcc', instance_id=['sp-x'])],
        biz_status_code='Success',
        request_id='canned-ghost',
    ).to_map()
    answer_with(cloud, 'ens', 'CopySnapshot', ghost)
    adapter = EnsAdapter.from_connection(alibaba_connection(cloud))
    sent = counted(adapter)
    destination = run_once(adapter, source, 'cn-hangzhou-26', 'cn-beijing-cmcc')
    assert destination.snapshot.state == FAILED and 'never appeared' in destination.failure(), destination.failure()
    assert sent == [['cn-beijing-cmcc']]


def test_cbs_a_copy_no_read_shows_fails_its_region_after_one_call(fakecloud_clean):
    cloud = fakecloud_clean
    source = cloud.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'size': 50, 'snapshots': 1}]})['cbs'][
        'snapshots'
    ][0]
    result = tencent(CBS.SnapshotCopyResult, SnapshotId='snap-ghost001', Code='Success', DestinationRegion='ap-beijing')
    answer_with(
        cloud,
        'cbs',
        'CopySnapshotCrossRegions',
        tencent_answer(CBS.CopySnapshotCrossRegionsResponse, SnapshotCopyResultSet=[result]),
    )
    # The Tag service takes the copy's marks (it would not find the copy: the destination would fail there, with its
    # code, before any read).
    answer_with(cloud, 'tag', 'TagResources', tencent_answer(TAG.TagResourcesResponse, FailedResources=[]))
    adapter = CbsAdapter.from_connection(
        {
            'secret_id': credentials.TENCENT_SECRET_ID,
            'secret_key': credentials.TENCENT_SECRET_KEY,
            'endpoint_url': cloud.url,
        }
    )
    sent = counted(adapter)
    destination = run_once(adapter, source, 'ap-guangzhou', 'ap-beijing')
    assert destination.snapshot.state == FAILED and 'never appeared' in destination.failure(), destination.failure()
    assert sent == [['ap-beijing']]


def test_ebs_a_copy_deleted_before_any_read_fails_its_region_after_one_call(moto_url):
    source_ec2 = ec2(moto_url, 'us-east-1')
    volume = source_ec2.create_volume(Size=1, AvailabilityZone='us-east-1a')['VolumeId']
    source = source_ec2.create_snapshot(VolumeId=volume)['SnapshotId']
    adapter = EbsAdapter.from_connection(
        {'access_key': 'AKIASNAPCOPYUNIT0001', 'secret_key': 'snapcopy-unit-secret-0001', 'endpoint_url': moto_url}
    )

    def delete(answer):
        adapter.delete_snapshot('us-west-2', answer['us-west-2'].id)  # a person, before any read

    sent = counted(adapter, after=delete)
    destination = run_once(adapter, source, 'us-east-1', 'us-west-2')
    assert destination.snapshot.state == FAILED and 'never appeared' in destination.failure(), destination.failure()
    assert sent == [['us-west-2']]
