"""A consistency group's recovery point on ECS, from what fakecloud's ECS holds, read through the real SDK: the ECS
adapter says which snapshot group each snapshot was made in (DescribeSnapshotGroups), and dr/groups.py's rule picks the
point. A newer group with a member that failed is torn, and the older whole group stays the point; snapshots made one
by one are in no set."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.groups import TORN, group_point
from ansible_collections.snapcopy.cloud.tests.fakecloud.tests.test_conformance import alibaba_send
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import fakecloud_adapter

REGION, INSTANCE = 'cn-hangzhou', 'i-db01'


def seed_instance(cloud):
    """Three ESSDs attached to INSTANCE, the first its system disk: their ids."""
    specs = [{'region': REGION, 'instance_id': INSTANCE, 'size': 40} for dummy in range(3)]
    specs[0]['type'] = 'system'
    return cloud.admin.seed(ecs={'disks': specs})['ecs']['disks']


def create_group(cloud):
    """A snapshot group of INSTANCE's disks (CreateSnapshotGroup, signed and sent as the SDKs do): its id."""
    answer, code = alibaba_send(
        cloud.endpoint, 'ecs', 'CreateSnapshotGroup', {'RegionId': REGION, 'InstanceId': INSTANCE}
    )
    assert code is None, code
    return answer['SnapshotGroupId']


def test_a_torn_group_is_no_recovery_point_and_the_whole_one_before_it_stays(fakecloud_clean):
    disk_ids = seed_instance(fakecloud_clean)
    whole = create_group(fakecloud_clean)
    fakecloud_clean.admin.advance_clock(11)
    fakecloud_clean.admin.faults(torn_groups={'ecs': {'outcome': 'failed'}})
    torn = create_group(fakecloud_clean)
    fakecloud_clean.admin.advance_clock(11)
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    # A snapshot of one member made on its own, after both groups: in no set, so no part of the group's point.
    adapter.create_snapshot(REGION, Disk(disk_ids[1], REGION), 'alone', None, {})
    fakecloud_clean.admin.advance_clock(11)
    snapshots = adapter.disk_snapshots(REGION, [Disk(disk_id, REGION) for disk_id in disk_ids])
    sets = adapter.snapshot_sets(REGION, [INSTANCE])
    assert sorted(set(sets.values())) == sorted([whole, torn])
    found = group_point('db', disk_ids, snapshots, lambda snapshot: sets.get(snapshot.id))
    assert found.point is not None and found.point.set_id == whole
    assert sorted(found.point.members) == sorted(disk_ids)
    assert [(snapshot_set.set_id, state) for snapshot_set, state in found.newer] == [(torn, TORN)]
