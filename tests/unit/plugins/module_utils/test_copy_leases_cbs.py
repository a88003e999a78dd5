"""Copy leases on Tencent Cloud CBS (dr.leases.copies.CopyLeases), through the real Tencent SDK against fakecloud: a DR run
copies no snapshot into a region for which another run's live lease is on the source, copies to the other region in the
same call (CopySnapshotCrossRegions takes many), takes a lapsed lease off, and leaves none of its own."""

from __future__ import annotations

import datetime

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import STAMP_FORMAT
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.copies import lease_key, leases_in
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_cbs_dr import (
    DR_REGIONS,
    SOURCE_REGION,
    adapter_for,
    cloud,
    dr_run,
    seed_disks,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_cbs_source_tags import held_tags

__all__ = ['cloud']  # the fixture, for pytest
OTHER_RUN = '20261125T115900Z-0abcde'


def source_of(cloud):
    seeded = seed_disks(cloud, 1, {'dr': 'yes'})
    return seeded['snapshots'][-1]


def lease(region, until):
    return {lease_key(OTHER_RUN, region): until.strftime(STAMP_FORMAT)}


def plant(cloud, snapshot_id, tags):
    """Other runs' leases on the source, written as a run writes them (the Tag service's TagResources)."""
    adapter_for(cloud).tag_sources(SOURCE_REGION, [snapshot_id], tags)


def test_a_live_lease_holds_its_region_only_and_a_lapsed_one_is_taken_off(cloud):
    source = source_of(cloud)
    now = datetime.datetime.now(datetime.timezone.utc)
    tags = dict(lease(DR_REGIONS[0], now + datetime.timedelta(hours=1)))
    tags[lease_key('20261125T110000Z-0fffff', DR_REGIONS[1])] = (now - datetime.timedelta(minutes=1)).strftime(
        STAMP_FORMAT
    )
    plant(cloud, source, tags)
    report = dr_run(cloud, wait=False, wait_timeout=2)
    copies = {copy['region']: copy for disk in report['disks'] for copy in disk['copies']}
    assert copies[DR_REGIONS[1]]['action'] == 'copied', report['failures']
    assert (
        copies[DR_REGIONS[0]]['action'] == 'not_copied'
        and copies[DR_REGIONS[0]]['error']['code'] == 'CopyHeldByAnotherRun'
    )
    assert OTHER_RUN in copies[DR_REGIONS[0]]['error']['message']
    left = leases_in(held_tags(cloud, [source])[source])
    assert [(region, held.run_id) for dummy, region, held in left] == [(DR_REGIONS[0], OTHER_RUN)], (
        'the lapsed lease and its own are off'
    )
