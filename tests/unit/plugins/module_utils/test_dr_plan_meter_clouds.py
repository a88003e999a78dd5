"""Issue 64, how to hold it: dr_sync's plan on Alibaba Cloud ECS and ENS and Tencent Cloud CBS against what fakecloud
metered for the same run (fakecloud/meter.py: each copy full or incremental by the cloud's stated rule, with the bytes it
moves). Check mode plans; the real run does it; the plan's full and incremental copies are those metered, and its bytes
within 10 % of the metered ones where the cloud states what a snapshot holds (ECS FullSnapshotSizeInBytes) or the disk is
full (ENS and CBS state only the disk's size). The next day's copies: incremental on ECS and ENS, whose changes no API
of theirs states, so the plan's bytes are an upper bound; full again on CBS."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import (
    DISK_SIZE,
    FIRST_COPY,
    FULL_SNAPSHOT_SIZE,
    GIB,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import fakecloud_adapter

SELECTOR = {'plan': 'meter'}
REGIONS = {
    'ecs': ('cn-hangzhou', 'cn-shanghai'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc'),
    'cbs': ('ap-guangzhou', 'ap-shanghai'),
}
# What each disk holds of its 20 GiB: ECS states it (FullSnapshotSizeInBytes); ENS and CBS state only the disk's size,
# so their disks are seeded full, where that size is what a full copy moves.
WRITTEN = {'ecs': [3 * GIB, 5 * GIB], 'ens': [None, None], 'cbs': [None, None]}
# Where the plan's bytes come from on each cloud, and its time (no cloud of these states a copy's rate).
BYTES_FROM = {'ecs': FULL_SNAPSHOT_SIZE, 'ens': DISK_SIZE, 'cbs': DISK_SIZE}
NO_RATE = {'ecs': 'Alibaba Cloud states no copy rate', 'ens': 'Alibaba Cloud states no copy rate'}
NO_RATE['cbs'] = 'Tencent Cloud states no copy rate'


def run(cloud, provider, adapter, check_mode=False):
    source, dr_region = REGIONS[provider]
    return dr_run_with(
        adapter, scope(provider, source, [dr_region], SELECTOR), clock=CloudMovingClock(cloud), check_mode=check_mode
    )


def metered(cloud, provider, before):
    """(full, incremental, bytes moved) of the copies into the DR region since the meter read ``before``."""
    now = cloud.admin.meter(provider).get(provider, {}).get(REGIONS[provider][1], {})
    was = before.get(provider, {}).get(REGIONS[provider][1], {})
    return tuple(now.get(key, 0) - was.get(key, 0) for key in ('full', 'incremental', 'bytes_moved'))


def within(planned, measured):
    return abs(planned - measured) <= 0.1 * measured


@pytest.mark.parametrize('provider', ['ecs', 'ens', 'cbs'])
def test_the_plan_is_what_the_emulator_metered_on_the_first_and_the_next_day(fakecloud_clean, provider):
    cloud = fakecloud_clean
    source = REGIONS[provider][0]
    cloud.admin.configure(timings={provider: {'snapshot_seconds': 0, 'copy_seconds': 0, 'disk_seconds': 0}})
    disks = [
        dict(
            {'region': source, 'size': 20, 'tags': SELECTOR, 'snapshots': [{'age_seconds': 86400}]},
            **({'written_bytes': held} if held else {}),
        )
        for held in WRITTEN[provider]
    ]
    seeded = cloud.admin.seed(**{provider: {'disks': disks}})[provider]
    adapter = fakecloud_adapter(cloud, provider)

    plan = run(cloud, provider, adapter, check_mode=True)['plan']
    assert [(copy['full'], copy['why_full'], copy['bytes_from']) for copy in plan['copies']] == [
        (True, FIRST_COPY, BYTES_FROM[provider])
    ] * 2, plan['copies']
    assert plan['time'] == {'hours': None, 'why': 'the cloud promises no copy rate (%s)' % NO_RATE[provider]}

    before = cloud.admin.meter(provider)
    done = run(cloud, provider, adapter)
    assert done['totals']['copied'] == 2, done['failures']
    full, incremental, moved = metered(cloud, provider, before)
    assert (plan['full'], plan['incremental']) == (full, incremental) == (2, 0)
    assert within(plan['bytes'], moved), (plan['bytes'], moved)
    assert done['plan']['bytes'] == plan['bytes'] and done['plan']['time'] == plan['time']

    # The next day: each disk rewrites 1 GiB and is snapshotted again.
    for disk_id in seeded['disks']:
        cloud.admin.write(provider, disk_id, GIB)
    cloud.admin.seed(
        **{
            provider: {
                'snapshots': [{'region': source, 'disk_id': disk_id, 'age_seconds': 0} for disk_id in seeded['disks']]
            }
        }
    )
    plan = run(cloud, provider, adapter, check_mode=True)['plan']
    before = cloud.admin.meter(provider)
    done = run(cloud, provider, adapter)
    assert done['totals']['copied'] == 2, done['failures']
    full, incremental, moved = metered(cloud, provider, before)
    assert (plan['full'], plan['incremental']) == (full, incremental)
    if provider == 'cbs':
        # Tencent Cloud says nothing of incremental cross-region copies: full, planned and metered alike.
        assert (full, incremental) == (2, 0) and within(plan['bytes'], moved), (plan['bytes'], moved)
    else:
        # The first copy stands in the region: incremental. No API states the changes: the plan's bytes are the
        # snapshot's (ECS) or the disk's (ENS), an upper bound of what the copies moved.
        assert (full, incremental) == (0, 2)
        assert moved == 2 * GIB and plan['bytes'] >= moved, (plan['bytes'], moved)
        assert {copy['bytes_from'] for copy in plan['copies']} == {BYTES_FROM[provider]}
