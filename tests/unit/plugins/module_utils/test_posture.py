"""The DR posture of a run's report (module_utils/dr/report.py): how each disk stands in each DR region against the RPO
(max_snapshot_age_hours), which the posture page draws. A completed copy's recovery point is its source snapshot's age."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    IN_FLIGHT,
    NO_COPY,
    OVER_RPO,
    PLANNED,
    STANDINGS,
    WITHIN_RPO,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemoryCloud
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import run


def standings(report):
    """{(disk, region): (standing, recovery point hours)} from the copies of the report."""
    return {
        (disk['disk_id'], copy['region']): (copy['standing'], copy['recovery_point_age_hours'])
        for disk in report['disks']
        for copy in disk['copies']
    }


def cloud_at_a_month():
    clock = FakeClock()
    clock.now = 30 * 24 * 3600
    return MemoryCloud(clock), clock


def test_each_standing_is_counted_per_region_with_the_oldest_recovery_point():
    cloud, clock = cloud_at_a_month()
    cloud.add_disk('recent', tags={'dr': 'yes'}, snapshot_ages_hours=(2,))
    cloud.add_disk('stale', tags={'dr': 'yes'}, snapshot_ages_hours=(30,))
    # Without an RPO, every completed copy is within it.
    first = run(cloud, clock, wait=True)
    assert set(standings(first).values()) == {(WITHIN_RPO, 2.0), (WITHIN_RPO, 30.0)}
    assert first['posture'] == {
        'rpo_hours': None,
        'regions': {
            region: {
                WITHIN_RPO: 2,
                OVER_RPO: 0,
                IN_FLIGHT: 0,
                PLANNED: 0,
                NO_COPY: 0,
                'oldest_recovery_point_hours': 30.0,
            }
            for region in ('dr-1', 'dr-2')
        },
    }

    # With an RPO of a day: the stale disk's copies are older than it (its fresh snapshot is not waited for), a new disk's
    # copies are in flight, and a disk without a snapshot has no copy.
    cloud.add_disk('new', tags={'dr': 'yes'}, snapshot_ages_hours=(1,))
    cloud.add_disk('empty', tags={'dr': 'yes'}, snapshot_ages_hours=())
    second = run(cloud, clock, wait=False, max_snapshot_age_hours=24)
    by_copy = standings(second)
    assert by_copy[('recent', 'dr-1')] == (WITHIN_RPO, 2.0)
    assert by_copy[('stale', 'dr-1')] == (OVER_RPO, 30.0)
    assert by_copy[('new', 'dr-2')] == (IN_FLIGHT, None)
    assert not [copy for disk in second['disks'] if disk['disk_id'] == 'empty' for copy in disk['copies']]
    assert second['posture']['rpo_hours'] == 24
    assert second['posture']['regions']['dr-2'] == {
        WITHIN_RPO: 1,
        OVER_RPO: 1,
        IN_FLIGHT: 1,
        PLANNED: 0,
        NO_COPY: 1,
        'oldest_recovery_point_hours': 30.0,
    }


def test_check_mode_plans_and_a_failed_copy_is_no_copy():
    cloud, clock = cloud_at_a_month()
    cloud.add_disk('disk-0', tags={'dr': 'yes'})
    plan = run(cloud, clock, check_mode=True)
    assert set(standings(plan).values()) == {(PLANNED, None)}
    cloud.fail_next_copies = 1
    report = run(cloud, clock, wait=True)
    assert sorted(standing for standing, dummy in standings(report).values()) == [NO_COPY, WITHIN_RPO]
    assert sum(counts[NO_COPY] for counts in report['posture']['regions'].values()) == 1


def test_the_counts_of_a_region_add_up_to_its_disks():
    cloud, clock = cloud_at_a_month()
    for index in range(5):
        cloud.add_disk('disk-%d' % index, tags={'dr': 'yes'}, snapshot_ages_hours=(index * 10 + 1,))
    report = run(cloud, clock, wait=True, max_snapshot_age_hours=25)
    for counts in report['posture']['regions'].values():
        assert sum(counts[standing] for standing in STANDINGS) == report['totals']['disks']
