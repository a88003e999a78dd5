"""How the DR run reads the snapshots of Alibaba Cloud's disks (clouds/alibaba/disk_answers.py, ECS and ENS alike):
up to ten disks (PER_DISK_READS), one DescribeSnapshots listing a disk (DiskId); past ten, one listing of the region,
whatever the number of disks. Which listings a count of disks takes is a cost in calls, held here to the listing; what
each listing sends and how it pages is held against fakecloud (test_call_budgets.py)."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.disk_answers import snapshots_by_disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, Snapshot


def region_of(count):
    """``count`` disks, each with two snapshots, and a disk no one asked about with one."""
    disks = [Disk('d-%02d' % number, 'cn-hangzhou') for number in range(count)]
    snapshots = [
        Snapshot('s-%s-%d' % (disk_id, number), 'cn-hangzhou', COMPLETED, volume_id=disk_id)
        for disk_id in [disk.id for disk in disks] + ['d-other']
        for number in range(1 if disk_id == 'd-other' else 2)
    ]
    return disks, snapshots


@pytest.mark.parametrize(
    'count, listings',
    [
        (1, [{'DiskId': 'd-00'}]),
        # Ten listings of one disk cost ten calls; past ten, one listing of the region (a page of 100 snapshots on ECS,
        # 50 on ENS) costs no more while the region holds fewer snapshots than ten pages.
        (10, [{'DiskId': 'd-%02d' % number} for number in range(10)]),
        (11, [{}]),
        (60, [{}]),
    ],
)
def test_a_few_disks_are_read_one_listing_a_disk_and_more_in_one_listing_of_the_region(count, listings):
    disks, snapshots = region_of(count)
    asked = []

    def describe(filters):
        asked.append(filters)
        return [snapshot for snapshot in snapshots if filters.get('DiskId') in (None, snapshot.volume_id)]

    found = snapshots_by_disk(describe, disks)
    assert asked == listings
    assert {disk_id: [snapshot.id for snapshot in listed] for disk_id, listed in found.items()} == {
        disk.id: ['s-%s-0' % disk.id, 's-%s-1' % disk.id] for disk in disks
    }
