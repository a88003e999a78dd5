"""A block listed on one side only is compared with zeros (issue 61, 8): nothing in the vendor's texts says a copy lists
exactly its source's written blocks, so such a block is read on the side that lists it and must hold zeros, as the other
side reads there; it is no difference for being absent. Through botocore's ebs client against moto's server and the
suites' EBS direct layer (ebs_direct.py, zero_block and corrupt_block)."""

from __future__ import annotations

import base64
import hashlib

import botocore
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DIFFERS_TAG, VERIFIED_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import (
    BLOCK_BYTES,
    ZERO_BLOCK_CHECKSUM,
    listed_on_both,
    one_sided_blocks,
)
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import (
    KEYS,
    disks_with_snapshots,
)


def run(moto_url, source, dr_region, tag_value, **options):
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
    report = dr_run_with(
        adapter, scope('aws', source, [dr_region], {'verify': tag_value}, **options), clock=FakeClock()
    )
    return adapter, {copy['snapshot_id']: copy for disk in report['disks'] for copy in disk['copies']}, report


def copied(moto_url, source, dr_region, tag_value):
    """(adapter, source snapshot id, its DR copy's id, two block indexes the source does not list) of a disk copied by a
    run without verify."""
    ((dummy, source_id),) = list(disks_with_snapshots(moto_url, source, count=1, tag_value=tag_value).items())
    adapter, made, dummy = run(moto_url, source, dr_region, tag_value)
    (copy_id,) = made
    listed = adapter.blocks.snapshot_blocks(source, source_id)
    unwritten = [index for index in range(2048) if index not in listed][:2]
    return adapter, source_id, copy_id, unwritten


def test_a_block_of_zeros_listed_on_one_side_only_is_no_difference(moto_url):
    source, dr_region = 'ap-southeast-1', 'ap-southeast-2'
    adapter, source_id, copy_id, (on_copy, on_source) = copied(moto_url, source, dr_region, 'zeros-one-side')
    ebs_direct.zero_block(copy_id, on_copy)  # the copy lists a block of zeros its source does not
    ebs_direct.zero_block(source_id, on_source)  # and the source one the copy does not
    ebs_direct.EBS_CALLS.clear()
    dummy, made, report = run(moto_url, source, dr_region, 'zeros-one-side', verify=4)
    record = made[copy_id]['verification']
    assert record['action'] == 'verified', record
    # The sample read on both sides, and each one-sided block once, on its side.
    assert (record['sampled'], record['one_sided'], record['get_calls']) == (4, 2, 10)
    assert record['bytes_read'] == 10 * BLOCK_BYTES
    assert ebs_direct.EBS_CALLS['GetSnapshotBlock'] == 10
    assert report['failures'] == []
    copy = next(found for found in adapter.list_copies(dr_region) if found.id == copy_id)
    assert copy.tags.get(VERIFIED_TAG) and not copy.tags.get(DIFFERS_TAG)


def test_a_block_of_data_listed_on_one_side_only_is_a_difference(moto_url):
    source, dr_region = 'ap-southeast-3', 'ap-east-1'
    adapter, dummy, copy_id, (on_copy, dummy_index) = copied(moto_url, source, dr_region, 'data-one-side')
    ebs_direct.corrupt_block(copy_id, on_copy)  # the copy lists a block of data its source does not
    dummy, made, report = run(moto_url, source, dr_region, 'data-one-side', verify=4)
    record = made[copy_id]['verification']
    assert record['action'] == 'differs' and record['one_sided'] == 1
    assert record['why'] == 'blocks listed by one side only that do not hold zeros: [%d]' % on_copy
    assert any(copy_id in failure and 'differs from its source' in failure for failure in report['failures'])
    copy = next(found for found in adapter.list_copies(dr_region) if found.id == copy_id)
    assert copy.tags.get(DIFFERS_TAG)


@given(st.sets(st.integers(0, 64)), st.sets(st.integers(0, 64)))
def test_every_listed_block_is_read_on_both_sides_or_held_to_zeros_on_its_own(source, copy):
    """The blocks both sides list (the sample's) and those one side lists alone (each compared with zeros) are every
    block either side lists, each once, and a one-sided block is named with the side that lists it."""
    both, alone = listed_on_both(source, copy), one_sided_blocks(source, copy)
    assert sorted(both + [index for index, dummy in alone]) == sorted(source | copy)
    assert all((index in source) == (side == 'source') and (index in copy) == (side == 'copy') for index, side in alone)


def test_the_zeros_checksum_is_of_a_block_of_zeros():
    assert ZERO_BLOCK_CHECKSUM == base64.b64encode(hashlib.sha256(b'\0' * 524288).digest()).decode()
