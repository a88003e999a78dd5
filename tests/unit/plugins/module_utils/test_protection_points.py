"""The recovery points beside the newest in the model (dr.protection.point_rows, points_line): the verified copy, a
suspect one and the last known good one where the copies were read with their marks; nothing claimed where they were
not; and on a cloud that reads no block, the drill named as the proof. These tests import neither an SDK nor
ansible-core."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    DiskProtection,
    RegionProtection,
    ScopeProtection,
    point_rows,
    points_line,
)


def scope(provider, points_read, **cell):
    region = RegionProtection(region='dr-1', standing='within_rpo', copy_id='snap-new', **cell)
    disk = DiskProtection(disk_id='vol-1', regions=(region,))
    return ScopeProtection(
        provider=provider, source_region='src', dr_regions=('dr-1',), disks=(disk,), points_read=points_read
    )


def test_a_verified_and_a_suspect_point_are_shown_with_the_last_known_good_copy():
    read = scope(
        'aws',
        True,
        verified_copy_id='snap-old',
        verified_point='2026-11-20T00:00:00Z',
        suspect=True,
        doubt='suspect',
        doubt_copy_id='snap-new',
        last_known_good='snap-old',
        last_known_good_point='2026-11-20T00:00:00Z',
        last_known_good_age_hours=60.0,
    )
    (row,) = point_rows(read)
    # The disk stands by the last known good copy (dr.points), never by the suspect one, and is at risk.
    assert (row['copy_id'], row['verified_copy_id'], row['doubt'], row['doubt_copy_id'], row['last_known_good']) == (
        'snap-old',
        'snap-old',
        'suspect',
        'snap-new',
        'snap-old',
    )
    assert read.status == 'at risk' and read.disks[0].regions[0].recovery_point_age_hours == 60.0
    assert points_line(read) == (
        'Verified recovery points: 1 of 1 disk and DR region; 1 disk and DR region whose newest copy stands suspect (a '
        'rewrite of most of the disk), the last known good copy kept'
    )
    # The same data round trip through a report's JSON.
    assert point_rows(ScopeProtection.from_data(read.as_data())) == [row]


def test_no_copy_in_doubt_is_counted_as_protection():
    """Issue 60, 6: every doubt holds the disk at risk; a differing copy without a good one before it is no copy."""
    for doubt in ('differing', 'suspect', 'unmeasured'):
        read = scope('aws', True, doubt=doubt, doubt_copy_id='snap-new')
        assert read.status == 'at risk', doubt
        cell = read.disks[0].regions[0]
        assert (cell.standing == 'no_copy') is (doubt == 'differing'), doubt


def test_nothing_is_claimed_where_the_copies_were_not_read():
    unread = scope('aws', False, verified_copy_id='snap-old')
    assert point_rows(unread) == [] and points_line(unread) is None
    assert 'verified' not in unread.posture()['regions']['dr-1']


def test_a_cloud_that_reads_no_block_names_the_drill_as_the_proof():
    line = points_line(scope('cbs', True))
    assert line.startswith('Verified recovery points: none on cbs') and 'restore drill' in line
