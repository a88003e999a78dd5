"""What a posture read says of CBS's staged copies and bridge disks on their way into the DR account (dr.left_behind):
which are in flight for a disk in a region, and which are left over for the next DR run to remove; pure functions over
the records the CBS DR account's reads make (clouds/tencent/cbs_dr_account.py), driven here without any cloud. These
tests import neither an SDK nor ansible-core."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.left_behind import staged_in_flight, staging_leftovers


def staged(region, record_id, disk, state=COMPLETED, dr_copy_complete=False):
    return {
        'region': region,
        'kind': 'staged_copy',
        'id': record_id,
        'state': state,
        'disk': disk,
        'dr_copy_complete': dr_copy_complete,
    }


def bridge(region, record_id, staged_copy_exists, dr_copy_complete=False):
    return {
        'region': region,
        'kind': 'bridge_disk',
        'id': record_id,
        'state': 'ATTACHED',
        'staged_from': 'snap-staged',
        'staged_copy_exists': staged_copy_exists,
        'dr_copy_complete': dr_copy_complete,
    }


def test_a_staged_copy_is_in_flight_in_its_own_region_only_until_its_dr_copy_completes_or_it_fails():
    """Found by make mutation: a staged copy of another DR region counted in flight in this one, and no test noticed."""
    records = [
        staged('ap-shanghai', 'snap-here', 'ap-guangzhou/disk-1', state=PENDING),
        staged('ap-nanjing', 'snap-there', 'ap-guangzhou/disk-1', state=PENDING),
        staged('ap-shanghai', 'snap-done', 'ap-guangzhou/disk-2', dr_copy_complete=True),
        staged('ap-shanghai', 'snap-failed', 'ap-guangzhou/disk-3', state=FAILED),
        bridge('ap-shanghai', 'disk-bridge', staged_copy_exists=True),
    ]
    found = staged_in_flight(records, 'ap-shanghai')
    assert {disk: [record['id'] for record in held] for disk, held in found.items()} == {
        'ap-guangzhou/disk-1': ['snap-here']
    }
    assert staged_in_flight(None, 'ap-shanghai') == {}


def test_what_is_left_over_once_its_dr_copy_completed_or_a_bridge_disks_staged_copy_is_gone():
    """A staged copy is left over once the DR account's copy of it completed; a bridge disk too, or once its staged copy
    is gone (nothing more can be copied from it). Found by make mutation: either of the bridge disk's two conditions
    turned around passed every test."""
    records = [
        staged('ap-shanghai', 'snap-on-its-way', 'd'),
        staged('ap-shanghai', 'snap-copied', 'd', dr_copy_complete=True),
        bridge('ap-shanghai', 'disk-copying', staged_copy_exists=True),
        bridge('ap-shanghai', 'disk-orphan', staged_copy_exists=False),
        bridge('ap-shanghai', 'disk-copied', staged_copy_exists=True, dr_copy_complete=True),
    ]
    leftovers = staging_leftovers(records)
    assert {record['id']: record['leftover'] for record in leftovers} == {
        'snap-on-its-way': False,
        'snap-copied': True,
        'disk-copying': False,
        'disk-orphan': True,
        'disk-copied': True,
    }
    assert [dict(record, leftover=None) for record in leftovers] == [dict(record, leftover=None) for record in records]
    assert staging_leftovers(None) == []
