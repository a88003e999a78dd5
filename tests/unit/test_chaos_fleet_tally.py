"""The chaos suite's fleet count (tests/chaos/fleet.py, ``tally``): what it calls a duplicate, a missing
copy, a stray copy and a second fresh snapshot, on snapshot lists made up here, so that each check of
make chaos's fleet part is seen to fail when the clouds hold what it looks for."""

from __future__ import annotations

import importlib.util
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHAOS = os.path.join(ROOT, 'tests', 'chaos')


@pytest.fixture(scope='module', name='fleet')
def fleet_module():
    sys.path.insert(0, CHAOS)
    try:
        spec = importlib.util.spec_from_file_location('snapcopy_chaos_fleet', os.path.join(CHAOS, 'fleet.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(CHAOS)


def snapshot(snapshot_id, disk, created, account='111', region='src', source=None, done=True, provider='ecs'):
    return {
        'provider': provider,
        'account': account,
        'region': region,
        'id': snapshot_id,
        'disk': disk,
        'source': source,
        'done': done,
        'created': created,
    }


def scope(fleet, name='a', account='111', dr_regions=('dr1', 'dr2'), disks=('d1', 'd2')):
    made = fleet.Scope(name, 'ecs', account, 'src', list(dr_regions), None)
    made.disks = list(disks)
    made.seeded = {'s-%s-old' % disk for disk in disks} | {'s-%s-new' % disk for disk in disks}
    return made


def sources(disks=('d1', 'd2'), account='111'):
    """Two seeded snapshots per disk, the -new one newer."""
    return [
        item
        for disk in disks
        for item in (
            snapshot('s-%s-old' % disk, disk, '2024-01-01T00:00:00Z', account),
            snapshot('s-%s-new' % disk, disk, '2024-01-02T00:00:00Z', account),
        )
    ]


def copies_of_newest(disks=('d1', 'd2'), regions=('dr1', 'dr2'), account='111'):
    return [
        snapshot('c-%s-%s' % (disk, region), disk, '2024-01-03T00:00:00Z', account, region, source='s-%s-new' % disk)
        for disk in disks
        for region in regions
    ]


def test_one_copy_of_each_newest_snapshot_per_dr_region_is_neither_duplicate_nor_missing(fleet):
    figures, stray = fleet.tally([scope(fleet)], sources() + copies_of_newest())
    assert figures['a'] == {
        'disks': 2,
        'copies': 4,
        'duplicates': 0,
        'missing': 0,
        'fresh_snapshots': 0,
        'fresh_duplicates': 0,
        'stale_disks': 0,
        'over_kept': 0,
    }
    assert stray == []


def test_a_second_copy_of_a_snapshot_in_a_region_is_a_duplicate(fleet):
    second = snapshot('c-again', 'd1', '2024-01-03T00:00:00Z', region='dr2', source='s-d1-new')
    figures, dummy = fleet.tally([scope(fleet)], sources() + copies_of_newest() + [second])
    assert (figures['a']['duplicates'], figures['a']['missing'], figures['a']['copies']) == (1, 0, 5)


def test_a_copy_of_an_older_snapshot_only_leaves_the_newest_missing(fleet):
    copies = [item for item in copies_of_newest() if item['id'] != 'c-d2-dr1']
    copies.append(snapshot('c-old', 'd2', '2024-01-03T00:00:00Z', region='dr1', source='s-d2-old'))
    figures, stray = fleet.tally([scope(fleet)], sources() + copies)
    assert (figures['a']['missing'], figures['a']['duplicates'], stray) == (1, 0, [])


def test_a_newest_snapshot_still_in_flight_is_not_the_newest(fleet):
    in_flight = snapshot('s-d1-newer', 'd1', '2024-01-04T00:00:00Z', done=False)
    figures, dummy = fleet.tally([scope(fleet)], [*sources(), in_flight, *copies_of_newest()])
    assert figures['a']['missing'] == 0
    assert figures['a']['fresh_snapshots'] == 1  # not seeded: the run made it


def test_a_copy_in_another_account_or_region_is_stray_and_does_not_count(fleet):
    copies = [item for item in copies_of_newest() if item['id'] != 'c-d1-dr1']
    wrong_account = snapshot(
        'c-elsewhere', 'd1', '2024-01-03T00:00:00Z', account='222', region='dr1', source='s-d1-new'
    )
    wrong_region = snapshot('c-dr3', 'd1', '2024-01-03T00:00:00Z', region='dr3', source='s-d1-new')
    figures, stray = fleet.tally([scope(fleet)], sources() + copies + [wrong_account, wrong_region])
    assert figures['a']['missing'] == 1
    assert len(stray) == 2 and 'c-elsewhere' in stray[0] + stray[1] and 'c-dr3' in stray[0] + stray[1]


def test_a_copy_of_a_disk_no_scope_looks_after_is_stray(fleet):
    untagged = [
        snapshot('s-web', 'web', '2024-01-01T00:00:00Z'),
        snapshot('c-web', 'web', '2024-01-03T00:00:00Z', region='dr1', source='s-web'),
    ]
    figures, stray = fleet.tally([scope(fleet)], sources() + copies_of_newest() + untagged)
    assert figures['a']['copies'] == 4
    assert stray == ['ecs 111/dr1/c-web (source s-web)']


def test_scopes_sharing_a_dr_region_count_only_their_own_copies(fleet):
    first = scope(fleet, 'a', dr_regions=('dr1',), disks=('d1',))
    second = scope(fleet, 'b', dr_regions=('dr1',), disks=('d2',))
    # Both copies of d1's snapshot land in the shared region: a duplicate of a's, nothing of b's.
    copies = [
        snapshot('c1', 'd1', '2024-01-03T00:00:00Z', region='dr1', source='s-d1-new'),
        snapshot('c2', 'd1', '2024-01-03T00:00:00Z', region='dr1', source='s-d1-new'),
    ]
    figures, stray = fleet.tally([first, second], sources() + copies)
    assert (figures['a']['duplicates'], figures['a']['missing'], figures['a']['copies']) == (1, 0, 2)
    assert (figures['b']['duplicates'], figures['b']['missing'], figures['b']['copies']) == (0, 1, 0)
    assert stray == []


def test_the_same_disk_id_in_another_account_belongs_to_no_scope(fleet):
    other = [
        snapshot('s-x', 'd1', '2024-01-05T00:00:00Z', account='222'),
        snapshot('c-x', 'd1', '2024-01-06T00:00:00Z', account='222', region='dr1', source='s-x'),
    ]
    figures, stray = fleet.tally([scope(fleet)], sources() + copies_of_newest() + other)
    assert (figures['a']['missing'], figures['a']['fresh_snapshots']) == (0, 0)
    assert len(stray) == 1


def test_copies_of_a_disk_in_a_region_beyond_keep_copies_are_over_kept(fleet):
    older = [snapshot('s-d1-older-%d' % number, 'd1', '2023-12-0%dT00:00:00Z' % (1 + number)) for number in range(2)]
    made = scope(fleet)
    made.seeded |= {item['id'] for item in older}
    copies = copies_of_newest() + [
        snapshot('c-older-%d' % number, 'd1', '2024-01-03T00:00:00Z', region='dr1', source='s-d1-older-%d' % number)
        for number in range(2)
    ]
    figures, dummy = fleet.tally([made], sources() + older + copies, keep_copies=2)
    assert (figures['a']['over_kept'], figures['a']['duplicates'], figures['a']['missing']) == (1, 0, 0)
    assert fleet.tally([made], sources() + older + copies, keep_copies=3)[0]['a']['over_kept'] == 0


def test_two_fresh_snapshots_of_one_disk_are_a_fresh_duplicate(fleet):
    fresh = [snapshot('s-d1-fresh-%d' % number, 'd1', '2024-01-0%dT00:00:00Z' % (3 + number)) for number in range(2)]
    copies = [item for item in copies_of_newest() if item['disk'] != 'd1']
    copies += [
        snapshot('c-d1-%s' % region, 'd1', '2024-01-06T00:00:00Z', region=region, source='s-d1-fresh-1')
        for region in ('dr1', 'dr2')
    ]
    figures, dummy = fleet.tally([scope(fleet)], sources() + fresh + copies)
    assert (figures['a']['fresh_snapshots'], figures['a']['fresh_duplicates'], figures['a']['missing']) == (2, 1, 0)


def test_the_fleets_of_chaos_and_chaos_short_have_every_cloud_several_accounts_and_shared_dr_regions(fleet):
    with open(os.path.join(ROOT, 'Makefile'), encoding='utf-8') as stream:
        short_size = int(re.search(r'chaos/run\.py [^\n]*--fleet-scopes (\d+)', stream.read()).group(1))
    every_cloud = {'aws', 'ecs', 'ens', 'cbs'}
    for size in (short_size, len(fleet.SCOPES)):
        scopes = fleet.fleet_scopes(size, every_cloud)
        assert {item.provider for item in scopes} == every_cloud
        assert len({(fleet.VENDOR[item.provider], item.account) for item in scopes}) >= 4
        targets = [(item.provider, item.account, region) for item in scopes for region in item.dr_regions]
        assert len(targets) > len(set(targets)), 'no DR region shared within an account'
    full = fleet.fleet_scopes(len(fleet.SCOPES), every_cloud)
    assert len(full) == 30 and len({item.name for item in full}) == 30
    for provider in every_cloud:
        assert len({item.account for item in full if item.provider == provider}) >= 2
    # Two scopes of one account and one source region, told apart by their tag selector.
    places = [(item.provider, item.account, item.source_region) for item in full]
    assert len(places) > len(set(places))
