"""Issue 64, how to hold it: dr_sync's plan on AWS against what the emulator metered for the same run (the suites' EBS
layer over moto's server, ebs_direct.py: each CopySnapshot full or incremental by EBS's rules, with the bytes it moves).
Check mode plans the first copies full, at the sources' FullSnapshotSizeInBytes; the real run's copies are metered so,
within 10 %; the next day's copies are incremental, at the blocks the churn alarm measured as changed, and metered so."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import (
    CHANGED_BLOCKS,
    FIRST_COPY,
    FULL_SNAPSHOT_SIZE,
    GIB,
)
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_plan_aws import aged
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import (
    ACCOUNT,
    KEYS,
    disks_with_snapshots,
    run,
)

SOURCE, DR_REGION = 'eu-west-3', 'ap-northeast-3'
TAG = 'plan-meter'
OPTIONS = {'selector': {'verify': TAG}, 'churn_alarm': 90}


def metered(before, after):
    """What the run between two readings of the meter did in the DR region: (full, incremental, bytes moved)."""
    was = before.get(DR_REGION, {})
    now = after.get(DR_REGION, {})
    return tuple(now.get(key, 0) - was.get(key, 0) for key in ('full', 'incremental', 'bytes_moved'))


def within(planned, measured):
    return abs(planned - measured) <= 0.1 * measured


def test_the_plans_bytes_and_full_copies_are_what_the_emulator_metered_on_the_first_and_the_next_day(moto_url):
    made = disks_with_snapshots(moto_url, SOURCE, count=2, tag_value=TAG)
    for snapshot in made.values():
        aged(SOURCE, snapshot, 30)
    plan = run(moto_url, SOURCE, DR_REGION, check_mode=True, **OPTIONS)[1]['plan']
    # The first copy of each volume to the region is full, of what its snapshot holds: its written blocks, far less
    # than its 1 GiB (the upper bound the plan took before the cloud's figure).
    assert all(
        (copy['full'], copy['why_full'], copy['bytes_from']) == (True, FIRST_COPY, FULL_SNAPSHOT_SIZE)
        for copy in plan['copies']
    ), plan['copies']
    assert all(0 < copy['bytes'] < GIB / 4 for copy in plan['copies'])
    assert plan['time']['hours'] is None and 'promises no copy rate' in plan['time']['why']

    before = ebs_direct.meter(ACCOUNT)
    done = run(moto_url, SOURCE, DR_REGION, **OPTIONS)[1]
    assert done['totals']['copied'] == 2, done['failures']
    full, incremental, moved = metered(before, ebs_direct.meter(ACCOUNT))
    assert (plan['full'], plan['incremental']) == (full, incremental) == (2, 0)
    assert within(plan['bytes'], moved), (plan['bytes'], moved)
    assert done['plan']['bytes'] == plan['bytes']
    for copy_id in (copy['snapshot_id'] for disk in done['disks'] for copy in disk['copies']):
        aged(DR_REGION, copy_id, 29)

    # The next day: each volume rewrites some of its blocks and is snapshotted again; its copy is incremental, of the
    # blocks the churn alarm measures as changed since the source of the copy before it.
    ec2 = ec2_with(moto_url, KEYS, SOURCE)
    for number, volume in enumerate(sorted(made)):
        # A few blocks each: far fewer than its snapshot holds, which the plan would take without the measure.
        ebs_direct.write_blocks(volume, range(100 * number, 100 * number + 4 + 6 * number))
        aged(SOURCE, ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'], 20)
    plan = run(moto_url, SOURCE, DR_REGION, check_mode=True, **OPTIONS)[1]['plan']
    assert [(copy['full'], copy['bytes_from']) for copy in plan['copies']] == [(False, CHANGED_BLOCKS)] * 2
    assert sorted(copy['bytes'] for copy in plan['copies']) == [4 * 512 * 1024, 10 * 512 * 1024]

    before = ebs_direct.meter(ACCOUNT)
    done = run(moto_url, SOURCE, DR_REGION, **OPTIONS)[1]
    assert done['totals']['copied'] == 2, done['failures']
    full, incremental, moved = metered(before, ebs_direct.meter(ACCOUNT))
    assert (plan['full'], plan['incremental']) == (full, incremental) == (0, 2)
    assert within(plan['bytes'], moved), (plan['bytes'], moved)
    assert done['plan']['bytes'] == plan['bytes']
