"""The CBS adapter's snapshot sets (issue 49, dr/capabilities.py SnapshotSetAdapter), through the Tencent SDK against
fakecloud: a set is one CreateSnapshotGroup of disks attached to one instance, its members read back; a snapshot's set
is found with DescribeSnapshotGroups' snapshot-id filter, a batch of snapshots a call, never a call a snapshot."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)

REGION, INSTANCE = 'ap-guangzhou', 'ins-db000001'


def seed_instance(cloud, instance=INSTANCE, count=3):
    """``count`` disks attached to ``instance``, the first its system disk: their Disks."""
    specs = [{'region': REGION, 'instance_id': instance, 'size': 50} for dummy in range(count)]
    specs[0]['type'] = 'system'
    ids = cloud.admin.seed(cbs={'disks': specs})['cbs']['disks']
    return [Disk(disk_id, REGION, instance_id=instance) for disk_id in ids]


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={'cbs': {'snapshot_seconds': 0.5}})
    return fakecloud_clean


def test_a_set_made_is_found_again_with_all_its_members_and_a_lone_snapshot_in_none(cloud):
    disks = seed_instance(cloud)[1:]  # the data disks
    adapter = fakecloud_adapter(cloud, 'cbs')
    cloud.admin.calls(reset=True)
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, 'db-set', 'no description on CBS', {'app': 'db'})
    assert fakecloud_calls(cloud) == {'CreateSnapshotGroup': 1, 'DescribeSnapshotGroups': 1, 'DescribeSnapshots': 1}
    assert sorted(snapshot.volume_id for snapshot in made) == sorted(disk.id for disk in disks)
    assert sorted(snapshot.name for snapshot in made) == ['db-set_0', 'db-set_1']
    alone = adapter.create_snapshot(REGION, disks[0], 'alone', '', {})
    cloud.admin.advance_clock(1)
    snapshots = adapter.disk_snapshots(REGION, disks)
    assert {snapshot.state for found in snapshots.values() for snapshot in found} == {COMPLETED}
    cloud.admin.calls(reset=True)
    sets = adapter.sets.read_sets(REGION, disks, snapshots).sets
    assert fakecloud_calls(cloud) == {'DescribeSnapshotGroups': 1}
    assert sets == {snapshot.id: set_id for snapshot in made}
    assert alone.id not in sets
    # One member given: its snapshot is still of the group, which names it (a group with one member left is torn).
    cloud.admin.calls(reset=True)
    assert adapter.sets.read_sets(REGION, disks[:1], {disks[0].id: [made[0]]}).sets == {made[0].id: set_id}
    assert fakecloud_calls(cloud) == {'DescribeSnapshotGroups': 1}
    # No snapshot given: no call.
    cloud.admin.calls(reset=True)
    assert adapter.sets.read_sets(REGION, disks[:1], {}).sets == {}
    assert fakecloud_calls(cloud) == {}


def test_many_snapshots_are_a_call_a_hundred(cloud):
    disks = seed_instance(cloud, count=2)
    adapter = fakecloud_adapter(cloud, 'cbs')
    for dummy in range(60):
        adapter.sets.create_snapshot_set(REGION, disks, None, '', {})
    snapshots = adapter.disk_snapshots(REGION, disks)
    cloud.admin.calls(reset=True)
    sets = adapter.sets.read_sets(REGION, disks, snapshots).sets
    assert len(sets) == 120 and len(set(sets.values())) == 60
    assert fakecloud_calls(cloud) == {'DescribeSnapshotGroups': 2}


def test_disks_of_two_instances_are_refused_before_any_call(cloud):
    adapter = fakecloud_adapter(cloud, 'cbs')
    cloud.admin.calls(reset=True)
    for disks in (
        [Disk('disk-00000001', REGION, instance_id=INSTANCE), Disk('disk-00000002', REGION, instance_id='ins-2')],
        [Disk('disk-00000001', REGION, instance_id=INSTANCE), Disk('disk-00000002', REGION)],
    ):
        with pytest.raises(InputError, match='one instance'):
            adapter.sets.create_snapshot_set(REGION, disks, None, '', {})
    assert fakecloud_calls(cloud) == {}


def test_a_cloud_error_comes_back_with_its_code_message_and_request_id(cloud):
    # The disks' instances as read before one was moved: the cloud refuses the group.
    first = seed_instance(cloud)[1]
    other = seed_instance(cloud, instance='ins-db000002')[1]
    adapter = fakecloud_adapter(cloud, 'cbs')
    with pytest.raises(CloudError) as caught:
        adapter.sets.create_snapshot_set(REGION, [first, Disk(other.id, REGION, instance_id=INSTANCE)], None, '', {})
    error = caught.value
    assert (error.action, error.code) == (
        'CreateSnapshotGroup',
        'UnsupportedOperation.SnapshotGroupDiskAttachMultiInstance',
    )
    assert error.message and error.request_id


def test_a_group_is_a_set_but_never_called_crash_consistent(cloud):
    """CBS-M SnapshotGroup.SnapshotGroupType NORMAL: "普通快照组，非一致性快照" (not a consistent snapshot); the CBS guide
    promises crash consistency. The stricter of the two: a set, not called crash-consistent (issue 61)."""
    disks = seed_instance(cloud)[1:]
    adapter = fakecloud_adapter(cloud, 'cbs')
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, 'db-set', '', {})
    reading = adapter.sets.read_sets(REGION, disks, {snapshot.volume_id: [snapshot] for snapshot in made})
    assert reading.sets == {snapshot.id: set_id for snapshot in made}
    assert '普通快照组，非一致性快照' in reading.not_crash_consistent[set_id]


def test_the_beta_gate_refusal_says_what_it_is_and_what_to_do(cloud):
    disks = seed_instance(cloud)[1:]
    adapter = fakecloud_adapter(cloud, 'cbs')
    cloud.admin.configure(snapshot_group_beta={'cbs': ['100000000001']})
    with pytest.raises(CloudError) as refused:
        adapter.sets.create_snapshot_set(REGION, disks, 'db-set', '', {})
    error = refused.value
    assert (error.action, error.code, error.region) == ('CreateSnapshotGroup', 'UnauthorizedOperation', REGION)
    assert error.request_id and 'limited beta' in error.message and 'consistency_groups' in error.message
    assert 'account manager' in error.message and 'cbs:CreateSnapshotGroup' in error.message
    assert 'cbs:CopySnapshotCrossRegions' not in error.message  # the client's hint for copies gives way


def test_the_other_code_the_beta_gate_may_answer_is_said_the_same_way(cloud):
    """Which code the gate answers is documented nowhere: UnsupportedOperation, which has no hint of the client's, is
    told like UnauthorizedOperation, with CBS's words kept."""
    disks = seed_instance(cloud)[1:]
    adapter = fakecloud_adapter(cloud, 'cbs')
    cloud.admin.faults(
        rules=[
            {'cloud': 'cbs', 'action': 'CreateSnapshotGroup', 'error_rate': 1.0, 'error_code': 'UnsupportedOperation'}
        ]
    )
    try:
        with pytest.raises(CloudError) as refused:
            adapter.sets.create_snapshot_set(REGION, disks, 'db-set', '', {})
    finally:
        cloud.admin.faults(rules=[])
    error = refused.value
    assert (error.action, error.code, error.region) == ('CreateSnapshotGroup', 'UnsupportedOperation', REGION)
    assert error.request_id and 'limited beta' in error.message and 'cbs:CreateSnapshotGroup' in error.message
