"""One source's failure costs its disk alone (issue 60, items 10 and 11), on Tencent Cloud CBS through the real Tencent
SDK against fakecloud: a source snapshot deleted between the run's listing and its lease (AttachResourcesTag, all or
none, fails with ResourceNotFound naming it), or one carrying 50 tags (the Tag service's limit a resource,
LimitExceeded.ResourceAttachedTags, naming none), fails its own disk; every other disk is leased and copied in the same
run, and no lease tag of the run is left on any source. The Tag service's calls are counted by fakecloud and held to
the bisection's bound."""

from __future__ import annotations

import math

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import RESOURCE_IDS_PER_CALL
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import COPY_LEASE_TAG_PREFIX
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import copied_and_failed, dr_run_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_cbs_dr import (
    DR_REGIONS,
    SOURCE_REGION,
    adapter_for,
    calls,
    cloud,
    params,
    seed_disks,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_cbs_source_tags import held_tags

__all__ = ['cloud']  # the fixture, for pytest
TAG_LIMIT = 50  # the Tag service's (cloud.tencent.com/document/product/597/33355): fakecloud's tag.py enforces it


def sources_of(cloud, count):
    """``count`` tagged disks with one snapshot each: the snapshots' ids, sorted as the run batches them."""
    return sorted(seed_disks(cloud, count, {'dr': 'yes'}, snapshots=1)['snapshots'])


def at_its_tag_limit(cloud, snapshot_id):
    adapter_for(cloud).tag_sources(
        SOURCE_REGION, [snapshot_id], {'team-tag-%02d' % number: 'x' for number in range(TAG_LIMIT)}
    )


def run(cloud, adapter=None):
    return dr_run_with(adapter or adapter_for(cloud), params(wait=False))


def leases_left(cloud, snapshot_ids):
    return sorted(
        snapshot_id
        for snapshot_id, tags in held_tags(cloud, snapshot_ids).items()
        if any(key.startswith(COPY_LEASE_TAG_PREFIX) for key in tags)
    )


def lease_calls(cloud):
    """The Tag service's calls that write a lease, a key a call (AttachResourcesTag)."""
    return calls(cloud, 'AttachResourcesTag', service='tag')


def bisection_bound(batches, bad_batch_size):
    """A call a key and batch, and for the batch with the bad source a bisection: 1 + 2 log2(n) parts, each a call a key
    (the bad source's parts stop at their first key)."""
    keys = len(DR_REGIONS)
    return keys * (batches - 1 + 1 + 2 * math.ceil(math.log2(bad_batch_size)))


def test_a_source_at_its_tag_limit_fails_its_own_disk_and_the_nine_others_are_copied(cloud):
    sources = sources_of(cloud, 10)
    full = sources[4]
    at_its_tag_limit(cloud, full)
    cloud.admin.calls(reset=True)
    report = run(cloud)
    copied, failed = copied_and_failed(report)
    assert copied == set(sources) - {full}, report['failures']
    assert list(failed) == [full] and failed[full]['code'] == 'LimitExceeded.ResourceAttachedTags'
    assert full in failed[full]['message'] and 'Remove a tag' in failed[full]['message'], failed[full]['message']
    assert not leases_left(cloud, sources), 'the run left no lease of its own'
    assert len(held_tags(cloud, [full])[full]) == TAG_LIMIT
    assert lease_calls(cloud) <= bisection_bound(1, 10), cloud.admin.calls()['calls']['tag']


def test_a_source_deleted_between_the_listing_and_the_lease_fails_its_own_disk(cloud):
    sources = sources_of(cloud, 10)
    gone = sources[7]

    class DeletedOnTheWay(CbsAdapter):
        """A person deletes one source snapshot once the run has listed it, before the run's lease."""

        def tag_sources(self, source_region, snapshot_ids, tags):
            if held_tags(cloud, [gone]):
                self.staging_client.call('cbs', SOURCE_REGION, 'DeleteSnapshots', {'SnapshotIds': [gone]})
            super().tag_sources(source_region, snapshot_ids, tags)

    cloud.admin.calls(reset=True)
    report = run(cloud, DeletedOnTheWay(adapter_for(cloud).client))
    copied, failed = copied_and_failed(report)
    assert copied == set(sources) - {gone}, report['failures']
    assert list(failed) == [gone] and failed[gone]['code'] == 'ResourceNotFound'
    assert 'deleted since this run listed it' in failed[gone]['message'], failed[gone]['message']
    assert not leases_left(cloud, sources)
    # The Tag service names the resource it does not find: the batch is sent again without it, no bisection (the first
    # key's call refused, then a call a key).
    assert lease_calls(cloud) == 1 + len(DR_REGIONS), cloud.admin.calls()['calls']['tag']


def test_205_sources_with_the_bad_one_in_the_second_batch_copy_204_and_leave_no_lease(cloud):
    sources = sources_of(cloud, 205)
    full = sources[RESOURCE_IDS_PER_CALL + 2]
    at_its_tag_limit(cloud, full)
    cloud.admin.calls(reset=True)
    report = run(cloud)
    copied, failed = copied_and_failed(report)
    assert len(copied) == 204 and full not in copied, report['failures']
    assert list(failed) == [full] and failed[full]['code'] == 'LimitExceeded.ResourceAttachedTags'
    assert not leases_left(cloud, sources), 'no lease tag left on any source'
    batches = math.ceil(205 / RESOURCE_IDS_PER_CALL)
    assert lease_calls(cloud) <= bisection_bound(batches, RESOURCE_IDS_PER_CALL), cloud.admin.calls()['calls']['tag']
