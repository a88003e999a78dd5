"""Verified recovery points on AWS (issue 50, dr/verify.py): the DR run reads each new copy's blocks beside its
source's through the EBS direct APIs (botocore's ebs client against moto's server and the suites' EBS direct layer,
ebs_direct.py), marks a verified copy, and catches a copy whose data differ; check mode plans the calls and bytes from
the sources' block lists, and reads no block."""

from __future__ import annotations

import datetime

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_TAG,
    DIFFERS_TAG,
    DISK_TAG,
    POINT_TAG,
    VERIFIED_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report, points_line
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import (
    BLOCK_BYTES,
    sample_blocks,
    stated_differences,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings, verify_settings
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import backends

KEYS = {'access_key': 'AKIASNAPCOPYVERIFY01', 'secret_key': 'snapcopy-verify-secret'}
ACCOUNT = '123456789012'  # moto's default account: the keys name no other
SELECTOR = {'verify': 'yes'}
DIFFERS_SELECTOR, DELETED_SOURCE_SELECTOR = {'verify': 'differs'}, {'verify': 'deleted-source'}


def disks_with_snapshots(url, region, count=2, tag_value='yes'):
    """``count`` 1 GiB volumes tagged verify=``tag_value`` with a completed snapshot each: {volume id: snapshot id}.
    moto keeps one state per process: a test whose regions another test may use selects disks of a value its own."""
    client = ec2_with(url, KEYS, region)
    made = {}
    for dummy in range(count):
        volume = client.create_volume(
            Size=1,
            AvailabilityZone=region + 'a',
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'verify', 'Value': tag_value}]}],
        )['VolumeId']
        made[volume] = client.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    return made


def run(url, source, dr_region, check_mode=False, selector=None, **options):
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))
    report = dr_run_with(
        adapter,
        scope('aws', source, [dr_region], selector or SELECTOR, **options),
        connection=dict(KEYS, endpoint_url=url),
        clock=FakeClock(),
        check_mode=check_mode,
    )
    return adapter, report


def verifications(report):
    return {copy['snapshot_id']: copy['verification'] for disk in report['disks'] for copy in disk['copies']}


def planned_reads(report):
    """The EBS direct API calls the plan prices: its line of them, in thousands; 0 without that line."""
    lines = [line for line in report['plan']['cost']['lines'] if line['what'] == prices.API_READS.what]
    return round(sum(line['quantity'] for line in lines) * 1000)


def planned_read_gib(report):
    """The GiB of the blocks verification reads, as the plan prices their data transfer (at most, from outside AWS: its
    $0.09); 0 without that line."""
    lines = [line for line in report['plan']['cost']['lines'] if line['what'] == prices.READ_TRANSFER.what]
    assert all(line['region'] is None and line['unit_price'] == 0.09 for line in lines), lines
    return sum(line['quantity'] for line in lines)


def test_a_run_with_verify_reads_each_copy_beside_its_source_and_marks_it(moto_url):
    source, dr_region = 'us-west-1', 'ca-central-1'
    made = disks_with_snapshots(moto_url, source)
    ebs_direct.EBS_CALLS.clear()
    adapter, report = run(moto_url, source, dr_region, verify=8)
    assert report['protection']['status'] == 'protected', report['failures']
    records = verifications(report)
    assert len(records) == 2 and {record['action'] for record in records.values()} == {'verified'}
    for record in records.values():
        # Both sides listed (one page each), eight blocks read on each: what the plan says it costs.
        assert (record['list_calls'], record['get_calls'], record['sampled']) == (2, 16, 8)
        assert record['bytes_read'] == 16 * BLOCK_BYTES and record['mark'].endswith('sample=8')
    assert ebs_direct.EBS_CALLS == {'ListSnapshotBlocks': 4, 'GetSnapshotBlock': 32}
    # The plan prices the calls made, as the records count them.
    assert planned_reads(report) == 36 and planned_read_gib(report) == round(32 * BLOCK_BYTES / 2**30, 3)
    copies = {copy.id: copy for copy in adapter.list_copies(dr_region)}
    assert {copies[copy_id].tags.get(VERIFIED_TAG) for copy_id in records} == {
        record['mark'] for record in records.values()
    }
    assert sorted(made.values()) == sorted(disk['source_snapshot']['id'] for disk in report['disks'])
    # A rerun reads no block again: the marks say the copies were verified.
    ebs_direct.EBS_CALLS.clear()
    dummy, again = run(moto_url, source, dr_region, verify=8)
    assert {record['action'] for record in verifications(again).values()} == {'verified_before'}
    assert 'GetSnapshotBlock' not in ebs_direct.EBS_CALLS


def test_a_copy_whose_block_differs_is_caught_no_copy_and_a_failure(moto_url):
    source, dr_region = 'ap-northeast-3', 'sa-east-1'
    disks_with_snapshots(moto_url, source, count=1)
    adapter, first = run(moto_url, source, dr_region)
    (copy_id,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    (source_id,) = [disk['source_snapshot']['id'] for disk in first['disks']]
    blocks = adapter.blocks.snapshot_blocks(source, source_id)
    ebs_direct.corrupt_block(copy_id, sorted(blocks)[-1])
    # Every block read: the corrupted one among them.
    dummy, report = run(moto_url, source, dr_region, verify='full')
    record = verifications(report)[copy_id]
    assert record['action'] == 'differs' and str(sorted(blocks)[-1]) in record['why']
    assert record['sampled'] == len(blocks) and report['protection']['status'] == 'at risk'
    assert report['totals']['without_dr_copy'] == 1
    # The failure names the copy, then its region, then its source (make mutation: the copy and the region swapped, and
    # the record's `marked` left false, passed every test).
    said = 'DR copy %s in %s differs from its source %s: ' % (copy_id, dr_region, source_id)
    assert any(said in failure for failure in report['failures']), report['failures']
    copy = next(copy for copy in adapter.list_copies(dr_region) if copy.id == copy_id)
    assert VERIFIED_TAG not in copy.tags
    assert record['marked'] is True and copy.tags.get(DIFFERS_TAG)


def test_check_mode_plans_the_calls_and_bytes_and_reads_no_block(moto_url, moto_calls):
    """Each disk's plan is its own source's (two disks, whose sources hold different blocks: no copy id yet tells the
    plans apart, the source does)."""
    source, dr_region = 'eu-west-3', 'eu-central-1'
    made = disks_with_snapshots(moto_url, source, count=2)
    reader = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
    blocks = {snapshot: len(reader.blocks.snapshot_blocks(source, snapshot)) for snapshot in made.values()}
    if len(set(blocks.values())) == 1:
        # The emulator's own writes may hold as many blocks in both (79 and 79 once): the second disk gets more, and
        # the run copies its newer snapshot.
        volume = sorted(made)[1]
        ebs_direct.write_blocks(volume, range(2000, 2008))
        snapshot = ec2_with(moto_url, KEYS, source).create_snapshot(VolumeId=volume, Description='nightly')[
            'SnapshotId'
        ]
        backends(ACCOUNT, source).snapshots[snapshot].start_time += datetime.timedelta(seconds=1)
        made[volume] = snapshot
        blocks = {snapshot: len(reader.blocks.snapshot_blocks(source, snapshot)) for snapshot in made.values()}
    assert len(set(blocks.values())) == 2, 'the emulator wrote as many blocks in both: the test tells nothing apart'
    moto_calls.clear()
    ebs_direct.EBS_CALLS.clear()
    dummy, report = run(moto_url, source, dr_region, check_mode=True, verify=4)
    for disk in report['disks']:
        (copy,) = disk['copies']
        assert copy['verification'] == {
            'action': 'would_verify',
            'blocks': blocks[disk['source_snapshot']['id']],
            'list_calls': 2,
            'get_calls': 8,
            'bytes_read': 8 * BLOCK_BYTES,
            'usd': round(2 * 0.0006 / 1000 + 8 * 0.003 / 1000, 6),
            # Issue 61, 7: the blocks read from outside their region are billed data transfer, per GB.
            'transfer_usd': {
                'in_source_region': round(4 * BLOCK_BYTES / 2**30 * 0.02, 6),
                'in_dr_region': round(4 * BLOCK_BYTES / 2**30 * 0.02, 6),
                'outside_aws': round(8 * BLOCK_BYTES / 2**30 * 0.09, 6),
            },
        }
    # The plan prices what the records plan: both sides listed and four blocks read on each, for each copy, and the
    # data transfer of the blocks read, at its most (from outside AWS).
    assert planned_reads(report) == 2 * (2 + 8)
    assert planned_read_gib(report) == round(2 * 8 * BLOCK_BYTES / 2**30, 3)
    # No copy: the one CopySnapshot is the plan's preflight's, with DryRun (issue 64), for both disks.
    assert ebs_direct.EBS_CALLS == {'ListSnapshotBlocks': 2} and moto_calls['CopySnapshot'] == 1


@pytest.mark.parametrize(
    'value, sample, full',
    [
        (None, None, False),
        ('', None, False),
        ('off', None, False),
        (0, None, False),
        ('16', 16, False),
        (64, 64, False),
        ('full', None, True),
        ('FULL', None, True),
    ],
)
def test_verify_takes_what_people_type(value, sample, full):
    settings = verify_settings(value)
    assert (settings.sample, settings.full) == (sample, full)


@pytest.mark.parametrize('value', ['some', -1, 10001, '1.5', 'all'])
def test_verify_refuses_the_rest_naming_the_forms(value):
    with pytest.raises(InputError, match=r'is a number of blocks to read .* full .* or off, got'):
        verify_settings(value)


def test_a_cloud_without_block_reads_holds_each_copy_to_what_it_states_and_reads_nothing_more(fakecloud_clean):
    """ECS, ENS and CBS have no API that reads a snapshot's blocks (their models): verify holds each completed copy to
    what the cloud states of it (size, encryption, the source it links), with no call of its own, and never calls it
    verified."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
        fakecloud_adapter,
        fakecloud_calls,
    )

    fakecloud_clean.admin.seed(
        {'ecs': {'disks': [{'region': 'cn-hangzhou', 'size': 20, 'tags': SELECTOR, 'snapshots': 1}]}}
    )
    options = scope('ecs', 'cn-hangzhou', ['cn-shanghai'], SELECTOR, wait_timeout=60, poll_interval=1)
    dr_run_with(fakecloud_adapter(fakecloud_clean, 'ecs'), options, clock=CloudMovingClock(fakecloud_clean))
    fakecloud_clean.admin.calls(reset=True)
    plain = dr_run_with(fakecloud_adapter(fakecloud_clean, 'ecs'), options, clock=CloudMovingClock(fakecloud_clean))
    plain_calls = fakecloud_calls(fakecloud_clean)
    fakecloud_clean.admin.calls(reset=True)
    report = dr_run_with(
        fakecloud_adapter(fakecloud_clean, 'ecs'), dict(options, verify=16), clock=CloudMovingClock(fakecloud_clean)
    )
    assert {record['action'] for record in verifications(report).values()} == {'stated'}
    assert report['failures'] == [] and plain['failures'] == []
    # One listing of the DR region (where the points are read) is all verify adds: the check itself calls nothing.
    verify_calls = fakecloud_calls(fakecloud_clean)
    assert verify_calls == dict(plain_calls, DescribeSnapshots=plain_calls['DescribeSnapshots'] + 1)
    assert 'Verified recovery points: none on ecs' in (points_line(of_report(report)) or '')


def test_a_copy_whose_stated_facts_differ_from_its_source_is_named():
    source = Snapshot('s-1', 'src', COMPLETED, size=40, encrypted=True)
    copy = Snapshot('s-2', 'dr', COMPLETED, size=20, encrypted=False, source_id='s-9')
    assert stated_differences(copy, source, 's-1') == [
        "its size is 20 GiB, its source's 40 GiB",
        'it is not encrypted, and its source is',
        'the cloud links it to the snapshot s-9, not to s-1',
    ]
    assert (
        stated_differences(Snapshot('s-3', 'dr', COMPLETED, size=40, encrypted=True, source_id='s-1'), source, 's-1')
        == []
    )


def test_verify_needs_wait_to_read_the_copies_it_makes(moto_url):
    with pytest.raises(InputError, match='needs wait'):
        run(moto_url, 'us-west-1', 'ca-central-1', verify=8, wait=False)


def test_a_run_that_asks_more_reads_a_copy_again_and_a_difference_takes_its_mark_off(moto_url):
    """A sample of 8 of a copy whose one block is corrupted can miss it (the copy is marked verified, sample=8); a run
    with full reads the copy again, as the mark proves less than it asks, finds the block, and empties the mark, so that
    no surface shows the copy as a verified point."""
    source, dr_region = 'eu-south-2', 'il-central-1'
    disks_with_snapshots(moto_url, source, count=1)
    adapter, first = run(moto_url, source, dr_region)
    (copy_id,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    (source_id,) = [disk['source_snapshot']['id'] for disk in first['disks']]
    blocks = sorted(adapter.blocks.snapshot_blocks(source, source_id))
    sampled = set(sample_blocks(blocks, verify_settings(8), copy_id))
    missed = next(index for index in blocks if index not in sampled)
    ebs_direct.corrupt_block(copy_id, missed)
    dummy, small = run(moto_url, source, dr_region, verify=8, prune=True, keep_copies=5)
    assert verifications(small)[copy_id]['action'] == 'verified'
    assert small['protection']['disks'][0]['regions'][0]['verified_copy_id'] == copy_id
    # The same sample again proves nothing more: no block read.
    ebs_direct.EBS_CALLS.clear()
    dummy, again = run(moto_url, source, dr_region, verify=4)
    assert (
        verifications(again)[copy_id]['action'] == 'verified_before' and 'GetSnapshotBlock' not in ebs_direct.EBS_CALLS
    )
    dummy, full = run(moto_url, source, dr_region, verify='full', prune=True, keep_copies=5)
    record = verifications(full)[copy_id]
    assert record['action'] == 'differs' and str(missed) in record['why'] and record['unmarked'] is True
    copy = next(copy for copy in adapter.list_copies(dr_region) if copy.id == copy_id)
    assert copy.tags.get(VERIFIED_TAG) == ''
    assert full['protection']['disks'][0]['regions'][0]['verified_copy_id'] is None
    assert full['protection']['status'] == 'at risk'


def test_a_copy_found_to_differ_keeps_the_verified_copy_before_it_and_every_later_read_says_so(moto_url):
    """Issue 60, 1 and 6: a run with verify full found its newest DR copy differs and, with keep_copies 1, deleted the
    older verified copy in the same run, leaving only the corrupt one; and the verdict was nowhere a later read finds
    it, so dr_posture_info said protected."""
    source, dr_region = 'eu-north-1', 'eu-west-3'
    ((volume, first_source),) = list(disks_with_snapshots(moto_url, source, count=1, tag_value='differs').items())
    # moto dates snapshots to the second: the first an hour back, so that the two points are apart however fast the run.
    backends(ACCOUNT, source).snapshots[first_source].start_time -= datetime.timedelta(hours=1)
    adapter, first = run(moto_url, source, dr_region, selector=DIFFERS_SELECTOR, verify=8)
    (verified,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    new_source = ec2_with(moto_url, KEYS, source).create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    dummy, second = run(moto_url, source, dr_region, selector=DIFFERS_SELECTOR, verify=8, prune=True, keep_copies=5)
    (newest,) = [copy['snapshot_id'] for disk in second['disks'] for copy in disk['copies']]
    blocks = sorted(adapter.blocks.snapshot_blocks(source, new_source))
    sampled = set(sample_blocks(blocks, verify_settings(8), newest))
    ebs_direct.corrupt_block(newest, next(index for index in blocks if index not in sampled))
    # The verified copy's own mark cut short (a killed run, a tagging call refused): it holds the disk's data all the
    # same, and the rule counts it (seen on a loaded machine, where run 1's mark had not been written).
    ec2_with(moto_url, KEYS, dr_region).delete_tags(Resources=[verified], Tags=[{'Key': COPY_TAG}])

    dummy, report = run(
        moto_url, source, dr_region, selector=DIFFERS_SELECTOR, verify='full', prune=True, keep_copies=1
    )
    assert verifications(report)[newest]['action'] == 'differs'
    held = own_copies(adapter, dr_region, volume)
    assert set(held) == {verified, newest}, 'the verified copy before the differing one was pruned'
    assert held[newest].tags.get(DIFFERS_TAG) and not held[newest].tags.get(VERIFIED_TAG)
    (cell,) = report['protection']['disks'][0]['regions']
    assert (cell['doubt'], cell['copy_id'], report['protection']['status']) == ('differing', verified, 'at risk')

    # A later read, without verify, finds the verdict on the copy: never protected.
    read = PostureRead(
        EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore)),
        dr_settings(scope('aws', source, [dr_region], DIFFERS_SELECTOR)),
    ).read()
    (cell,) = read['protection']['disks'][0]['regions']
    assert (cell['doubt'], cell['doubt_copy_id'], cell['copy_id']) == ('differing', newest, verified)
    assert read['standing']['status'] == 'at risk'
    # And the next run reads no block of it again, and copies nothing: the person decides.
    ebs_direct.EBS_CALLS.clear()
    dummy, again = run(moto_url, source, dr_region, selector=DIFFERS_SELECTOR, verify='full', prune=True, keep_copies=1)
    assert verifications(again)[newest] == dict(verifications(again)[newest], action='differs', found_before=True)
    assert 'GetSnapshotBlock' not in ebs_direct.EBS_CALLS and again['totals']['copied'] == 0
    assert set(own_copies(adapter, dr_region, volume)) == {verified, newest}


def test_a_deleted_source_never_costs_the_newer_points_copy(moto_url):
    """Issue 60, 4: a person deleted the source of the newest (verified) copy; the next run copied the older snapshot,
    and keep_copies 1 pruned the newer point's copy, ranked by when the copies were made. Each copy carries its
    recovery point (POINT_TAG), which outlives its source."""
    source, dr_region = 'us-east-1', 'us-west-1'
    (volume,) = list(disks_with_snapshots(moto_url, source, count=1, tag_value='deleted-source'))
    ec2 = ec2_with(moto_url, KEYS, source)
    (older,) = [
        snapshot['SnapshotId']
        for snapshot in ec2.describe_snapshots(OwnerIds=['self'])['Snapshots']
        if snapshot['VolumeId'] == volume
    ]
    backends(ACCOUNT, source).snapshots[older].start_time -= datetime.timedelta(hours=5)
    newer = ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    adapter, first = run(
        moto_url, source, dr_region, selector=DELETED_SOURCE_SELECTOR, verify=8, prune=True, keep_copies=1
    )
    (newer_copy,) = [copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']]
    assert copy_of(adapter, dr_region, newer_copy).tags[POINT_TAG]
    ec2.delete_snapshot(SnapshotId=newer)
    dummy, second = run(
        moto_url, source, dr_region, selector=DELETED_SOURCE_SELECTOR, verify=8, prune=True, keep_copies=1
    )
    assert [disk['source_snapshot']['id'] for disk in second['disks']] == [older]
    held = set(own_copies(adapter, dr_region, volume))
    assert newer_copy in held, 'the newer point was pruned for a copy of an older one'
    assert not second['failures'], second['failures']
    # And no copy of the older point is made where the newer one stands: it would add cost and nothing else, and the
    # next run would prune it again (issue 60). The run stands by the newer point, and says why it copied nothing.
    assert held == {newer_copy} and second['totals']['copied'] == 0
    ((copy,),) = [disk['copies'] for disk in second['disks']]
    assert (copy['action'], copy['snapshot_id']) == ('newer_held', newer_copy)
    assert copy['recovery_point'] == copy_of(adapter, dr_region, newer_copy).tags[POINT_TAG]
    assert copy['standing'] == 'within_rpo' and second['protection']['status'] == 'protected'
    assert any('already holds a newer recovery point' in warning for warning in second['run_warnings'])
    # Check mode plans the same: no copy.
    dummy, plan = run(
        moto_url,
        source,
        dr_region,
        selector=DELETED_SOURCE_SELECTOR,
        check_mode=True,
        verify=8,
        prune=True,
        keep_copies=1,
    )
    assert plan['totals']['would_copy'] == 0 and [
        copy['action'] for disk in plan['disks'] for copy in disk['copies']
    ] == ['newer_held']


def copy_of(adapter, region, copy_id):
    return next(copy for copy in adapter.list_copies(region) if copy.id == copy_id)


def own_copies(adapter, region, volume):
    """{id: copy} of the DR copies of ``volume`` in ``region`` (other tests' copies may share the region)."""
    return {copy.id: copy for copy in adapter.list_copies(region) if copy.tags.get(DISK_TAG, '').endswith('/' + volume)}


def test_a_run_that_prunes_with_verification_off_says_it_is_off_and_how_to_turn_it_on(moto_url):
    """Issue 62: a run that reads its copies' points (here: to prune) with verify off printed "Verified recovery points:
    0 of 2 disks and DR regions", as if two copies had failed a check. Every surface says that verification is off and
    how to turn it on."""
    # pylint: disable=import-outside-toplevel  # the renderers import ansible-core, which the SDK-only run lacks
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text

    source, dr_region = 'eu-north-1', 'eu-south-1'
    disks_with_snapshots(moto_url, source, tag_value='off')
    dummy, report = run(moto_url, source, dr_region, selector={'verify': 'off'}, prune=True, keep_copies=5)
    assert report['verify'] == 'off' and report['protection']['points_read'], report['failures']
    # What the module adds to the run's report.
    report = dict(report, account=ACCOUNT, dr_account=None, run_warnings=[], api_retries=0, duration_seconds=1.0)
    for surface in (dr_report_html(report), dr_report_markdown(report), dr_report_text(report)):
        assert 'Verified recovery points: verification is off in this run' in surface
        assert 'dr_copy_verify: 64' in surface and '0 of 2' not in surface
    # With verify on, the count is the proof it is.
    dummy, verified = run(moto_url, source, dr_region, selector={'verify': 'off'}, prune=True, keep_copies=5, verify=8)
    assert verified['verify'] == '8'
    assert 'Verified recovery points: 2 of 2 disks and DR regions' in dr_report_markdown(verified)
