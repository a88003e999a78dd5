"""One source's failure costs its disk alone (issue 60, items 10 and 11), on AWS through real botocore against moto's
server: a source snapshot deleted between the run's listing and its lease, or one carrying 50 tags (EC2's limit, which
moto's CreateTags enforces all or none, naming no resource, as EC2 does), fails its own disk; every other disk is leased
and copied in the same run, and no lease tag of the run is left on any source. The lease batches' CreateTags calls are
counted (moto's server counts them) and held to the bisection's bound."""

from __future__ import annotations

import math

import botocore

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import FILTER_CHUNK
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import COPY_LEASE_TAG_PREFIX
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import (
    copied_and_failed,
    dr_run_with,
    scope,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    KEYS,
    SOURCE_ACCOUNT,
    backends,
    client,
    copies_of,
)

# A source and a DR region few other tests use; each test selects disks of its own tag value.
SOURCE, DR = 'me-central-1', 'il-central-1'
EC2_TAG_LIMIT = 50  # "Maximum number of tags per resource: 50" (EC2 user guide, "Tag restrictions")


def disks_with_snapshots(count, tag_value):
    """``count`` disks tagged for the scope, each with one snapshot (made in moto's backend directly: fast): the
    snapshots' ids, sorted as the run batches them."""
    ec2 = backends(SOURCE_ACCOUNT, SOURCE)
    snapshots = []
    for dummy in range(count):
        volume = ec2.create_volume(size=2, zone_name=SOURCE + 'a')
        ec2.create_tags([volume.id], {'one-disk': tag_value})
        snapshots.append(ec2.create_snapshot(volume.id, 'nightly').id)
    return sorted(snapshots)


def at_its_tag_limit(snapshot_id):
    backends(SOURCE_ACCOUNT, SOURCE).create_tags(
        [snapshot_id], {'team-tag-%02d' % number: 'x' for number in range(EC2_TAG_LIMIT)}
    )


def run(url, tag_value, adapter_class=EbsAdapter):
    """A run of the scope of ``tag_value`` into the DR region, without waiting."""
    adapter = adapter_class(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))
    return dr_run_with(adapter, scope('aws', SOURCE, [DR], {'one-disk': tag_value}, wait=False), clock=FakeClock())


def leases_left(snapshot_ids):
    tags = backends(SOURCE_ACCOUNT, SOURCE).tags
    return sorted(
        snapshot_id
        for snapshot_id in snapshot_ids
        if any(key.startswith(COPY_LEASE_TAG_PREFIX) for key in tags.get(snapshot_id, {}))
    )


def test_a_source_at_ec2s_tag_limit_fails_its_own_disk_and_the_nine_others_are_copied(moto_url, moto_calls):
    sources = disks_with_snapshots(10, 'limit-of-ten')
    full = sources[4]
    at_its_tag_limit(full)
    moto_calls.clear()
    report = run(moto_url, 'limit-of-ten')
    copied, failed = copied_and_failed(report)
    assert copied == set(sources) - {full}, report['failures']
    assert list(failed) == [full] and failed[full]['code'] == 'TagLimitExceeded'
    assert full in failed[full]['message'] and 'Remove a tag' in failed[full]['message'], failed[full]['message']
    assert not copies_of(SOURCE_ACCOUNT, DR, full)
    assert not leases_left(sources), 'the run left no lease of its own'
    # 9 marks (a CreateTags a copy), and the lease batch: 1 call, then a bisection of 10 for 1 bad source.
    lease_calls = moto_calls['CreateTags'] - len(copied)
    assert lease_calls <= 1 + 2 * math.ceil(math.log2(10)), moto_calls


def test_a_source_deleted_between_the_listing_and_the_lease_fails_its_own_disk(moto_url, moto_calls):
    sources = disks_with_snapshots(10, 'deleted-of-ten')
    gone = sources[7]

    class DeletedOnTheWay(EbsAdapter):
        """A person deletes one source snapshot once the run has listed it, before the run's lease."""

        def tag_sources(self, source_region, snapshot_ids, tags):
            if gone in backends(SOURCE_ACCOUNT, SOURCE).snapshots:
                client(moto_url, 'ec2', SOURCE).delete_snapshot(SnapshotId=gone)
            super().tag_sources(source_region, snapshot_ids, tags)

    moto_calls.clear()
    report = run(moto_url, 'deleted-of-ten', DeletedOnTheWay)
    copied, failed = copied_and_failed(report)
    assert copied == set(sources) - {gone}, report['failures']
    assert list(failed) == [gone] and failed[gone]['code'] == 'InvalidSnapshot.NotFound'
    assert 'deleted since this run listed it' in failed[gone]['message'], failed[gone]['message']
    assert not leases_left(sources)
    # moto answers InvalidSnapshot.NotFound with no message ("AWS returns empty message for this", its note), naming no
    # snapshot: the batch is bisected.
    assert moto_calls['CreateTags'] - len(copied) <= 1 + 2 * math.ceil(math.log2(10)), moto_calls


def test_205_sources_with_the_bad_one_in_the_second_batch_copy_204_and_leave_no_lease(moto_url, moto_calls):
    """Issue 60, item 11: the lease batch of the first 200 sources was written, the second refused for one source; the
    200 kept the run's lease after it ended, and no disk was copied."""
    sources = disks_with_snapshots(205, 'second-batch')
    full = sources[FILTER_CHUNK + 2]
    at_its_tag_limit(full)
    moto_calls.clear()
    report = run(moto_url, 'second-batch')
    copied, failed = copied_and_failed(report)
    assert len(copied) == 204 and full not in copied, report['failures']
    assert list(failed) == [full] and failed[full]['code'] == 'TagLimitExceeded'
    assert not leases_left(sources), 'no lease tag left on any source'
    # The first batch's call, the second's, and its bisection: 5 sources, 1 bad.
    lease_calls = moto_calls['CreateTags'] - len(copied)
    assert lease_calls <= 2 + 2 * math.ceil(math.log2(205 - FILTER_CHUNK)), moto_calls
