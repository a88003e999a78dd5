"""A consistency group's recovery point on ECS, from what fakecloud's ECS holds, read through the real SDK: the ECS
adapter says which snapshot group each snapshot was made in (DescribeSnapshotGroups), and dr/groups.py's rule picks the
point. A newer group with a member that failed is torn, and the older whole group stays the point; snapshots made one
by one are in no set. And the adapter's own sets (create_snapshot_set): one CreateSnapshotGroup of one instance's disks,
with a ClientToken that makes a resend after a lost answer no second group."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, PENDING
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.groups import TORN, group_point
from ansible_collections.snapcopy.cloud.tests.fakecloud.tests.test_conformance import alibaba_send
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)

REGION, INSTANCE = 'cn-hangzhou', 'i-db01'


def seed_instance(cloud, instance=INSTANCE):
    """Three ESSDs attached to ``instance``, the first its system disk: their ids."""
    specs = [{'region': REGION, 'instance_id': instance, 'size': 40} for dummy in range(3)]
    specs[0]['type'] = 'system'
    return cloud.admin.seed(ecs={'disks': specs})['ecs']['disks']


def attached(disk_ids, instance=INSTANCE):
    return [Disk(disk_id, REGION, instance_id=instance) for disk_id in disk_ids]


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
    disks = attached(disk_ids)
    snapshots = adapter.disk_snapshots(REGION, disks)
    fakecloud_clean.admin.calls(reset=True)
    sets = adapter.sets.read_sets(REGION, disks, snapshots).sets
    assert fakecloud_calls(fakecloud_clean) == {'DescribeSnapshotGroups': 1}  # one instance, one page
    assert sorted(set(sets.values())) == sorted([whole, torn])
    found = group_point('db', disk_ids, snapshots, lambda snapshot: sets.get(snapshot.id))
    assert found.point is not None and found.point.set_id == whole
    assert sorted(found.point.members) == sorted(disk_ids)
    assert [(snapshot_set.set_id, state) for snapshot_set, state in found.newer] == [(torn, TORN)]


def test_a_set_made_is_found_again_with_all_its_members_and_a_lone_snapshot_in_none(fakecloud_clean):
    disk_ids = seed_instance(fakecloud_clean)
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    disks = attached(disk_ids[1:])  # the data disks, not the system disk
    fakecloud_clean.admin.calls(reset=True)
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, 'db-set', 'the data disks', {'app': 'db'})
    assert fakecloud_calls(fakecloud_clean) == {'CreateSnapshotGroup': 1, 'DescribeSnapshotGroups': 1}
    assert sorted(snapshot.volume_id for snapshot in made) == sorted(disk_ids[1:])
    assert {snapshot.state for snapshot in made} <= {PENDING, COMPLETED}
    fakecloud_clean.admin.advance_clock(11)
    alone = adapter.create_snapshot(REGION, disks[0], 'alone', None, {})
    fakecloud_clean.admin.advance_clock(11)
    snapshots = adapter.disk_snapshots(REGION, disks)
    sets = adapter.sets.read_sets(REGION, disks, snapshots).sets
    assert sets == {snapshot.id: set_id for snapshot in made}
    assert alone.id not in sets
    # One member given: its snapshot is still of the group, which names it (a group with one member left is torn).
    first = next(snapshot for snapshot in made if snapshot.volume_id == disks[0].id)
    assert adapter.sets.read_sets(REGION, disks[:1], snapshots).sets == {first.id: set_id}


def test_a_resend_after_a_lost_answer_makes_no_second_group(fakecloud_clean):
    disk_ids = seed_instance(fakecloud_clean)
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    disks = attached(disk_ids)
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ecs', 'action': 'CreateSnapshotGroup', 'lost_answer_rate': 1.0, 'count': 1}]}
    )
    with pytest.raises(CloudError) as lost:
        adapter.sets.create_snapshot_set(REGION, disks, 'db-set', 'all disks', {})
    assert lost.value.uncertain
    set_id, made = adapter.sets.create_snapshot_set(REGION, disks, 'db-set', 'all disks', {})
    assert len(made) == 3
    groups = alibaba_send(
        fakecloud_clean.endpoint, 'ecs', 'DescribeSnapshotGroups', {'RegionId': REGION, 'InstanceId': INSTANCE}
    )[0]['SnapshotGroups']['SnapshotGroup']
    assert [group['SnapshotGroupId'] for group in groups] == [set_id]


def test_disks_of_two_instances_are_refused_and_disks_of_none_read_nothing(fakecloud_clean):
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    fakecloud_clean.admin.calls(reset=True)
    for disks in (
        attached(['d-1']) + attached(['d-2'], 'i-db02'),
        attached(['d-1']) + [Disk('d-2', REGION)],
    ):
        with pytest.raises(InputError, match='one instance'):
            adapter.sets.create_snapshot_set(REGION, disks, None, 'set', {})
    assert adapter.sets.read_sets(REGION, [Disk('d-1', REGION)], {'d-1': []}).sets == {}
    assert fakecloud_calls(fakecloud_clean) == {}


def test_a_cloud_error_comes_back_with_its_code_message_and_request_id(fakecloud_clean):
    (disk_id,) = fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': REGION, 'instance_id': INSTANCE, 'category': 'cloud_efficiency'}]}
    )['ecs']['disks']
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    with pytest.raises(CloudError) as caught:
        adapter.sets.create_snapshot_set(REGION, attached([disk_id]), None, 'set', {})
    error = caught.value
    assert (error.action, error.code) == ('CreateSnapshotGroup', 'InvalidDiskCategory.NotSupported')
    assert 'cloud_efficiency' in error.message and error.request_id


def test_the_groups_of_many_instances_are_one_listing_of_the_region(fakecloud_clean):
    """Four instances and more: one paged listing of the region's snapshot groups (a call a hundred groups), not one an
    instance; another instance's groups in it are left out."""
    adapter = fakecloud_adapter(fakecloud_clean, 'ecs')
    made, disks = {}, []
    for number in range(6):
        instance = 'i-many%02d' % number
        ids = seed_instance(fakecloud_clean, instance)
        members = attached(ids[1:], instance)
        set_id, snapshots = adapter.sets.create_snapshot_set(REGION, members, None, 'set', {})
        if number:  # the first instance is not the scope's
            disks.extend(members)
            made.update((snapshot.id, set_id) for snapshot in snapshots)
    fakecloud_clean.admin.advance_clock(11)
    snapshots = adapter.disk_snapshots(REGION, disks)
    fakecloud_clean.admin.calls(reset=True)
    assert adapter.sets.read_sets(REGION, disks, snapshots).sets == made
    assert fakecloud_calls(fakecloud_clean) == {'DescribeSnapshotGroups': 1}
