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
        last_known_good='snap-old',
        last_known_good_point='2026-11-20T00:00:00Z',
    )
    (row,) = point_rows(read)
    assert (row['copy_id'], row['verified_copy_id'], row['suspect'], row['last_known_good']) == (
        'snap-new',
        'snap-old',
        True,
        'snap-old',
    )
    assert points_line(read) == (
        'Verified recovery points: 1 of 1 disk and DR region; 1 disk and DR region whose copy stands suspect (a rewrite '
        'of most of the disk), its last known good copy kept'
    )
    # The same data round trip through a report's JSON.
    assert point_rows(ScopeProtection.from_data(read.as_data())) == [row]


def test_nothing_is_claimed_where_the_copies_were_not_read():
    unread = scope('aws', False, verified_copy_id='snap-old')
    assert point_rows(unread) == [] and points_line(unread) is None
    assert 'verified' not in unread.posture()['regions']['dr-1']


def test_a_cloud_that_reads_no_block_names_the_drill_as_the_proof():
    line = points_line(scope('cbs', True))
    assert line.startswith('Verified recovery points: none on cbs') and 'restore drill' in line
