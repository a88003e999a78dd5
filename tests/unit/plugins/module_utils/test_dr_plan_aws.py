"""Issue 64: dr_sync's plan on AWS, through botocore against moto's server: check mode plans the copies a run would
make, each full or incremental by EBS's rules, with its bytes, cost and time; the real run reports the same plan as done;
the next day's copy of the same disk is incremental; the prices option sets a region's prices; a plan costs no call."""

from __future__ import annotations

import datetime

import botocore

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import EbsCopyAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import (
    CHANGED_BLOCKS,
    EARLIER_ARCHIVED,
    FIRST_COPY,
    FULL_SNAPSHOT_SIZE,
    GIB,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import BLOCK_BYTES
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import EngineConfig
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import backends
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import (
    ACCOUNT,
    KEYS,
    disks_with_snapshots,
    planned_reads,
    run,
    verifications,
)

SOURCE, DR_REGION = 'ca-central-1', 'sa-east-1'
SELECTOR = {'verify': 'plan'}


def aged(region, snapshot_id, hours):
    """moto's start times are whole seconds: each source is set back so the run's newest is the one meant."""
    backends(ACCOUNT, region).snapshots[snapshot_id].start_time = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None
    ) - datetime.timedelta(hours=hours)


def test_check_mode_plans_the_first_copies_full_the_run_does_so_and_the_next_copy_is_incremental(moto_url):
    made = disks_with_snapshots(moto_url, SOURCE, count=2, tag_value='plan')
    for snapshot in made.values():
        aged(SOURCE, snapshot, 30)
    dummy, planned = run(moto_url, SOURCE, DR_REGION, check_mode=True, selector=SELECTOR)
    plan = planned['plan']
    assert sorted(copy['snapshot_id'] for copy in plan['copies']) == sorted(made.values())
    # Each source's FullSnapshotSizeInBytes, as the suites' EBS layer answers it (its written blocks).
    sizes = {snapshot: ebs_direct.full_snapshot_bytes(snapshot, ACCOUNT, SOURCE) for snapshot in made.values()}
    assert all(
        (copy['full'], copy['why_full'], copy['bytes'], copy['bytes_from'], copy['region'])
        == (True, FIRST_COPY, sizes[copy['snapshot_id']], FULL_SNAPSHOT_SIZE, DR_REGION)
        for copy in plan['copies']
    ), plan['copies']
    assert (plan['full'], plan['incremental'], plan['bytes']) == (2, 0, sum(sizes.values()))
    gib = sum(sizes.values()) / GIB
    assert (plan['cost']['monthly'], plan['cost']['once']) == (round(gib * 0.05, 2), round(gib * 0.02, 2))
    assert plan['cost']['complete']
    assert plan['cost']['prices_as_of'] == prices.AS_OF and plan['cost']['currency'] == 'USD'
    assert plan['time']['hours'] is None and 'promises no copy rate' in plan['time']['why']

    adapter, done = run(moto_url, SOURCE, DR_REGION, selector=SELECTOR)
    assert done['totals']['copied'] == 2
    assert [dict(copy, snapshot_id=None) for copy in done['plan']['copies']] == [
        dict(copy, snapshot_id=None) for copy in plan['copies']
    ]
    assert done['plan']['cost'] == plan['cost']

    # The next day: a new snapshot of each disk; a copy of each stands in the region, so EBS copies incrementally.
    client = adapter.client.ec2(SOURCE)
    for volume in made:
        client.create_snapshot(VolumeId=volume, Description='nightly')
    again = run(moto_url, SOURCE, DR_REGION, check_mode=True, selector=SELECTOR)[1]['plan']
    assert len(again['copies']) == 2 and not any(copy['full'] for copy in again['copies']), again['copies']
    # No churn alarm measured the changes: the snapshot's full size, an upper bound of the incremental copy.
    assert all(copy['why_full'] is None and copy['bytes_from'] == FULL_SNAPSHOT_SIZE for copy in again['copies'])
    # A run with nothing to copy plans nothing and costs nothing.
    run(moto_url, SOURCE, DR_REGION, selector=SELECTOR)
    nothing = run(moto_url, SOURCE, DR_REGION, check_mode=True, selector=SELECTOR)[1]['plan']
    assert nothing['copies'] == [] and nothing['cost']['monthly'] == nothing['cost']['once'] == 0
    assert nothing['time'] == {'hours': 0.0, 'why': 'no copy to make'}


def test_the_prices_option_prices_a_region_and_the_plan_says_whose_prices_they_are(moto_url):
    made = disks_with_snapshots(moto_url, SOURCE, count=1, tag_value='plan-prices')
    aged(SOURCE, next(iter(made.values())), 30)
    given = {'storage': 100.0, 'regions': {DR_REGION: {'transfer': 500.0}}}
    plan = run(moto_url, SOURCE, DR_REGION, check_mode=True, selector={'verify': 'plan-prices'}, prices=given)[1][
        'plan'
    ]
    lines = {line['what'].split(' in ')[0].split(' to ')[0]: line for line in plan['cost']['lines']}
    assert lines['standard snapshot storage']['unit_price'] == 100.0
    assert lines['data transfer between regions']['unit_price'] == 500.0
    assert {line['source'] for line in plan['cost']['lines']} == {'the prices option'}
    gib = plan['bytes'] / GIB
    assert (plan['cost']['monthly'], plan['cost']['once']) == (round(gib * 100, 2), round(gib * 500, 2))


def test_a_regions_own_key_is_the_key_its_next_copy_is_planned_against(moto_url):
    """A DR region's own kms_key_id is the key its copies are made with (over the run's): the next day's copy there is
    held to that key, so it is incremental, not full for a change of key that never happened."""
    source, dr_region = 'ca-central-1', 'eu-north-1'
    run_key = 'arn:aws:kms:%s:%s:key/11111111-2222-3333-4444-555555555555' % (dr_region, ACCOUNT)
    region_key = 'arn:aws:kms:%s:%s:key/66666666-7777-8888-9999-000000000000' % (dr_region, ACCOUNT)
    made = disks_with_snapshots(moto_url, source, count=1, tag_value='plan-region-key')
    for snapshot in made.values():
        aged(source, snapshot, 30)
    options = {
        'selector': {'verify': 'plan-region-key'},
        'encrypted': True,
        'kms_key_id': run_key,
        'dr_regions': [{'region': dr_region, 'kms_key_id': region_key}],
    }
    adapter, first = run(moto_url, source, dr_region, **options)
    assert first['totals']['copied'] == 1 and first['plan']['copies'][0]['why_full'] == FIRST_COPY, first['failures']
    copies = [
        copy
        for copy in adapter.client.ec2(dr_region).describe_snapshots(OwnerIds=['self'])['Snapshots']
        if any(tag['Key'] == 'snapcopy:disk' and tag['Value'].endswith(tuple(made)) for tag in copy.get('Tags', []))
    ]
    assert [copy.get('KmsKeyId') for copy in copies] == [region_key], copies
    for volume in made:
        adapter.client.ec2(source).create_snapshot(VolumeId=volume, Description='nightly')
    again = run(moto_url, source, dr_region, check_mode=True, **options)[1]['plan']
    assert [(copy['full'], copy['why_full']) for copy in again['copies']] == [(False, None)], again['copies']


def test_the_copy_after_an_archived_copy_is_planned_full(moto_url):
    """EBS copies incrementally only if "The most recent snapshot copy has not been archived" (EBS user guide, Copy an
    Amazon EBS snapshot): once a person archives the newest DR copy (ModifySnapshotTier), the next copy is full."""
    source, dr_region = 'ca-central-1', 'ap-northeast-3'
    options = {'selector': {'verify': 'plan-archived'}}
    made = disks_with_snapshots(moto_url, source, count=1, tag_value='plan-archived')
    for snapshot in made.values():
        aged(source, snapshot, 30)
    adapter, first = run(moto_url, source, dr_region, **options)
    assert first['totals']['copied'] == 1, first['failures']
    copy_id = first['disks'][0]['copies'][0]['snapshot_id']
    for volume in made:
        adapter.client.ec2(source).create_snapshot(VolumeId=volume, Description='nightly')
    unarchived = run(moto_url, source, dr_region, check_mode=True, **options)[1]['plan']['copies']
    assert [(copy['full'], copy['why_full']) for copy in unarchived] == [(False, None)], unarchived
    ec2_with(moto_url, KEYS, dr_region).modify_snapshot_tier(SnapshotId=copy_id, StorageTier='archive')
    dummy, planned = run(moto_url, source, dr_region, check_mode=True, **options)
    (copy,) = planned['plan']['copies']
    assert (copy['full'], copy['why_full'], copy['bytes_from']) == (True, EARLIER_ARCHIVED, FULL_SNAPSHOT_SIZE), copy


def test_an_archived_snapshot_is_no_source_and_its_copy_is_refused_before_the_call(moto_url):
    """An archived EBS snapshot "must be restored before it can be used" (EC2 API, Snapshot.StorageTier): the DR run takes
    the disk's newest snapshot in the standard tier for its source, and the copy engine refuses an archived one before
    any copy call, saying what to do."""
    source, dr_region = 'ca-central-1', 'eu-central-2'
    volume, older = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='archived-source').items()))
    aged(source, older, 30)
    ec2 = ec2_with(moto_url, KEYS, source)
    newest = ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    aged(source, newest, 2)
    ec2.modify_snapshot_tier(SnapshotId=newest, StorageTier='archive')
    dummy, report = run(moto_url, source, dr_region, selector={'verify': 'archived-source'})
    (disk,) = report['disks']
    assert disk['source_snapshot']['id'] == older and report['totals']['copied'] == 1, report['failures']

    def copy(snapshot_id):
        adapter = EbsCopyAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
        clock = FakeClock()
        config = EngineConfig(wait=False, timeout=60, poll_interval=1)
        (outcome,) = CopyEngine(adapter, config, clock=clock.clock, sleep=clock.sleep).run(
            [CopyRequest(snapshot_id, source, [dr_region])]
        )
        return outcome.destinations[dr_region]

    refused = copy(newest)
    assert (refused.action, refused.error.code) == ('not_copied', 'SourceArchived')
    assert 'RestoreSnapshotTier' in refused.error.message
    assert not ec2_with(moto_url, KEYS, dr_region).describe_snapshots(
        Filters=[{'Name': 'tag:snapcopy:source', 'Values': ['%s/%s' % (source, newest)]}], OwnerIds=['self']
    )['Snapshots']
    # A copy made before its source was archived is found as ever, not refused.
    third = ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    assert copy(third).action == 'copied'
    ec2.modify_snapshot_tier(SnapshotId=third, StorageTier='archive')
    again = copy(third)
    assert (again.action, again.error) == ('existing', None)


def test_the_plan_prices_the_reads_verification_makes_of_an_incremental_copy_not_the_blocks_it_moves(moto_url):
    """An incremental copy moves the blocks changed since the copy before it, but verification lists both snapshots
    whole and reads its sample of all their blocks: the plan prices those calls as the records count them, in check mode
    and in the run that makes them (it priced the blocks moved: 2 reads of 2 blocks a side, not 8). A copy of a snapshot
    with no change moves and stores nothing."""
    source, dr_region = 'ap-southeast-2', 'eu-west-2'
    options = {'selector': {'verify': 'plan-reads'}, 'verify': 8, 'churn_alarm': 50}
    volume, first = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='plan-reads').items()))
    aged(source, first, 30)
    adapter, day_one = run(moto_url, source, dr_region, **options)
    (copy_id,) = verifications(day_one)
    aged(dr_region, copy_id, 29)
    ebs_direct.write_blocks(volume, range(2000, 2002))
    second = adapter.client.ec2(source).create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']

    dummy, planned = run(moto_url, source, dr_region, check_mode=True, **options)
    (copy,) = planned['plan']['copies']
    assert (copy['full'], copy['bytes'], copy['bytes_from']) == (False, 2 * BLOCK_BYTES, CHANGED_BLOCKS), copy
    (record,) = verifications(planned).values()
    assert record['action'] == 'would_verify' and (record['list_calls'], record['get_calls']) == (2, 16), record
    assert planned_reads(planned) == 18

    ebs_direct.EBS_CALLS.clear()
    dummy, done = run(moto_url, source, dr_region, **options)
    (record,) = verifications(done).values()
    assert record['action'] == 'verified', record
    assert (
        planned_reads(done)
        == ebs_direct.EBS_CALLS['ListSnapshotBlocks'] + ebs_direct.EBS_CALLS['GetSnapshotBlock']
        == 18
    )

    # The next snapshot holds no change: its incremental copy moves and stores nothing, and the plan says so.
    aged(source, second, 20)
    (second_copy,) = verifications(done)
    aged(dr_region, second_copy, 19)
    adapter.client.ec2(source).create_snapshot(VolumeId=volume, Description='nightly')
    dummy, unchanged = run(moto_url, source, dr_region, check_mode=True, **options)
    (copy,) = unchanged['plan']['copies']
    assert (copy['full'], copy['bytes'], copy['bytes_from']) == (False, 0, CHANGED_BLOCKS), copy
    assert unchanged['plan']['bytes'] == 0 and unchanged['plan']['cost']['monthly'] == 0, unchanged['plan']
