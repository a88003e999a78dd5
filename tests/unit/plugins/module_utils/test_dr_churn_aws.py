"""The churn alarm on AWS (issue 50, dr/verify.py): ListChangedBlocks (botocore's ebs client against moto's server and
the suites' EBS direct layer, ebs_direct.py) between a new copy's source and the source of the disk's copy before it. A
rewrite of most of the disk marks the new copy suspect and keeps the last known good copy from pruning, however many
copies come after; normal churn does not; a person who takes the mark off lets pruning go on."""

from __future__ import annotations

import datetime

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    CHURN_TAG,
    DISK_TAG,
    SUSPECT_TAG,
    UNMEASURED,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import churn_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import backends
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import (
    KEYS,
    SELECTOR,
    disks_with_snapshots,
    run,
)

ACCOUNT = '123456789012'  # moto's default account: the keys name no other
BLOCKS = 2048  # of a 1 GiB volume


def aged(region, snapshot_id, hours):
    """moto's start times are whole seconds, and a test's runs come in one: each snapshot and copy is set ``hours``
    back, so that the copies have the order of the runs that made them."""
    snapshot = backends(ACCOUNT, region).snapshots[snapshot_id]
    snapshot.start_time = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(
        hours=hours
    )


def churn(report):
    return {copy['snapshot_id']: copy['churn'] for disk in report['disks'] for copy in disk['copies']}


def test_a_rewrite_of_the_disk_marks_its_copy_suspect_and_the_last_good_copy_outlives_pruning(moto_url):
    source, dr_region = 'eu-north-1', 'eu-south-1'
    volume, first_source = next(iter(disks_with_snapshots(moto_url, source, count=1).items()))
    ec2 = ec2_with(moto_url, KEYS, source)
    options = {'churn_alarm': 50, 'prune': True, 'keep_copies': 1}
    made = []  # each run's copy, oldest first

    def snapshot_and_run(hours, write=None, **more):
        if write is not None:
            write()
            snapshot = ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
            aged(source, snapshot, hours + 1)
        adapter, report = run(moto_url, source, dr_region, **dict(options, **more))
        (copy_id,) = churn(report)
        if not made or made[-1] != copy_id:
            aged(dr_region, copy_id, hours)
            made.append(copy_id)
        return adapter, report, churn(report)[copy_id]

    aged(source, first_source, 41)
    dummy, dummy, record = snapshot_and_run(40)
    assert record == {'action': 'first_copy'}

    # Normal churn: 40 of the disk's 2,048 blocks rewritten.
    adapter, report, record = snapshot_and_run(30, write=lambda: ebs_direct.write_blocks(volume, range(40)))
    assert record['action'] == 'measured' and record['share'] == round(40 / BLOCKS, 4) and not record['suspect']
    assert record['compared_with'] == made[0] and record['usual'] is None
    assert own_copies(adapter, dr_region, volume)[made[1]].tags[CHURN_TAG] == '%.4f' % (40 / BLOCKS)
    assert not report['run_warnings'] or all('suspect' not in warning for warning in report['run_warnings'])
    # keep_copies 1, nothing suspect: the first copy went.
    assert set(own_copies(adapter, dr_region, volume)) == {made[1]}

    # Ransomware rewrites the whole disk: one ListChangedBlocks measures it.
    ebs_direct.EBS_CALLS.clear()
    adapter, report, record = snapshot_and_run(20, write=lambda: ebs_direct.write_range(volume))
    assert record['action'] == 'measured' and record['share'] == 1.0 and record['suspect']
    assert record['usual'] == round(40 / BLOCKS, 4)
    assert ebs_direct.EBS_CALLS.get('ListChangedBlocks') == 1
    held = own_copies(adapter, dr_region, volume)
    assert 'rewrote 100.0% of the disk' in held[made[2]].tags[SUSPECT_TAG]
    assert any(made[2] in warning and 'suspect' in warning for warning in report['run_warnings'])
    # keep_copies 1 would have deleted the copy from before the rewrite: it is the last known good one.
    assert set(held) == {made[1], made[2]}
    (cell,) = report['protection']['disks'][0]['regions']
    assert (cell['suspect'], cell['last_known_good']) == (True, made[1])
    assert report['protection']['points_read'] is True
    assert report['posture']['regions'][dr_region]['suspect'] == 1

    # The rewritten disk's next snapshot churns as usual again: its copy is no proof the data are sound, so the mark
    # stands and both the suspect copy and the last known good one stay.
    adapter, report, record = snapshot_and_run(10, write=lambda: ebs_direct.write_blocks(volume, range(100, 140)))
    assert record['action'] == 'measured' and not record['suspect'] and record['compared_with'] == made[2]
    assert set(own_copies(adapter, dr_region, volume)) == {made[1], made[2], made[3]}
    (cell,) = report['protection']['disks'][0]['regions']
    # The disk stands by the last known good copy (dr.points): the newest copy is of a disk rewritten before it.
    assert (cell['doubt'], cell['doubt_copy_id'], cell['last_known_good'], cell['copy_id']) == (
        'suspect',
        made[2],
        made[1],
        made[1],
    )
    assert report['protection']['status'] == 'at risk'
    # The console's row names the copy the disk stands by and the one in doubt, not only the standing's words.
    (row,) = [line for line in dr_report_text(report).splitlines() if line.lstrip().startswith(volume)]
    assert '%s last known good: within the RPO' % made[1] in row and 'newest copy %s suspect' % made[2] in row

    # A person finds the rewrite sound and takes the mark off: pruning goes on, and the copy is not measured again.
    ec2_with(moto_url, KEYS, dr_region).delete_tags(Resources=[made[2]], Tags=[{'Key': SUSPECT_TAG}])
    ebs_direct.EBS_CALLS.clear()
    adapter, report, record = snapshot_and_run(10)
    assert record['action'] == 'measured_before' and 'ListChangedBlocks' not in ebs_direct.EBS_CALLS
    assert set(own_copies(adapter, dr_region, volume)) == {made[3]}
    (cell,) = report['protection']['disks'][0]['regions']
    assert (cell['suspect'], cell['last_known_good']) == (False, None)


def test_check_mode_says_a_copy_would_be_suspect_and_marks_nothing(moto_url):
    source, dr_region = 'ap-south-2', 'ap-southeast-3'
    volume, first_source = next(iter(disks_with_snapshots(moto_url, source, count=1).items()))
    aged(source, first_source, 30)
    dummy, first = run(moto_url, source, dr_region, churn_alarm=50)
    (copy_id,) = churn(first)
    aged(dr_region, copy_id, 29)
    ebs_direct.write_range(volume)
    ec2_with(moto_url, KEYS, source).create_snapshot(VolumeId=volume, Description='nightly')
    adapter, report = run(moto_url, source, dr_region, check_mode=True, churn_alarm=50)
    (record,) = churn(report).values()
    assert record == {
        'action': 'would_measure',
        'share': 1.0,
        'usual': None,
        'suspect': True,
        'compared_with': copy_id,
    }
    assert set(own_copies(adapter, dr_region, volume)) == {copy_id}
    assert CHURN_TAG not in own_copies(adapter, dr_region, volume)[copy_id].tags


def test_with_the_older_source_gone_two_incremental_copies_are_compared_and_a_full_one_is_not(moto_url):
    """Issue 61, 6: ListChangedBlocks between two copies works only when both are incremental copies; a disk's first
    copy in a region is a full copy. A fallback that cannot measure says so: the copy is unmeasured, with a warning that
    says why, and the disk stands by the copy before it."""
    source, dr_region = 'me-south-1', 'me-central-1'
    volume, first_source = next(iter(disks_with_snapshots(moto_url, source, count=1).items()))
    aged(source, first_source, 30)
    dummy, first = run(moto_url, source, dr_region, churn_alarm=50)
    (first_copy,) = churn(first)
    aged(dr_region, first_copy, 29)
    ec2 = ec2_with(moto_url, KEYS, source)
    ec2.delete_snapshot(SnapshotId=first_source)
    ebs_direct.write_blocks(volume, range(200))
    second_source = ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
    aged(source, second_source, 20)
    adapter, report = run(moto_url, source, dr_region, churn_alarm=50)
    ((second_copy, record),) = [item for item in churn(report).items() if item[0] != first_copy]
    # The first copy is a full copy: the two copies are of two lineages.
    assert record['action'] == 'not_measured' and record['compared_with'] == first_copy
    assert record['error']['code'] == 'ValidationException' and 'incremental copies' in record['why']
    assert any(
        second_copy in warning and 'could not be measured' in warning and 'incremental copies' in warning
        for warning in report['run_warnings']
    )
    assert own_copies(adapter, dr_region, volume)[second_copy].tags[CHURN_TAG] == UNMEASURED
    (cell,) = report['protection']['disks'][0]['regions']
    assert (cell['doubt'], cell['copy_id']) == ('unmeasured', first_copy)
    # The next copy is incremental, as the second: with the second's source gone, the two copies compare.
    aged(dr_region, second_copy, 19)
    ec2.delete_snapshot(SnapshotId=second_source)
    ebs_direct.write_blocks(volume, range(300, 330))
    aged(source, ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'], 10)
    dummy, report = run(moto_url, source, dr_region, churn_alarm=50)
    ((dummy, record),) = [item for item in churn(report).items() if item[0] not in (first_copy, second_copy)]
    assert record['action'] == 'measured' and record['share'] == round(30 / BLOCKS, 4)
    assert record['compared_with'] == second_copy


def test_with_two_dr_regions_each_new_copy_is_compared_with_the_copy_of_the_point_before_in_its_own_region(moto_url):
    """With the older source gone, the alarm compares two copies, which must be in one region: of the copies of the point
    before, the one in the new copy's region, though another region's was made later. Found by make mutation: the
    newest copy of that point, whatever its region, passed every test."""
    source, first_dr, second_dr = 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4'
    # Disks of a tag value of its own: other tests use these regions.
    volume, first_source = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='two-regions').items()))
    aged(source, first_source, 30)

    def two_region_run():
        adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
        options = scope('aws', source, [first_dr, second_dr], {'verify': 'two-regions'}, churn_alarm=50)
        return dr_run_with(adapter, options, connection=dict(KEYS, endpoint_url=moto_url), clock=FakeClock())

    first = two_region_run()
    made = {copy['region']: copy['snapshot_id'] for disk in first['disks'] for copy in disk['copies']}
    assert sorted(made) == [first_dr, second_dr]
    # The second region's copy of the first point is the older of the two.
    aged(first_dr, made[first_dr], 28)
    aged(second_dr, made[second_dr], 29)
    ec2 = ec2_with(moto_url, KEYS, source)
    ec2.delete_snapshot(SnapshotId=first_source)
    ebs_direct.write_blocks(volume, range(50))
    aged(source, ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'], 20)
    second = two_region_run()
    compared = {
        copy['region']: copy['churn'].get('compared_with')
        for disk in second['disks']
        for copy in disk['copies']
        if copy['snapshot_id'] not in made.values()
    }
    assert compared == made


@pytest.mark.parametrize(
    ('value', 'percent'),
    [(None, None), ('', None), ('off', None), (0, None), (50, 50.0), ('80%', 80.0), ('12.5', 12.5)],
)
def test_churn_alarm_takes_what_people_type(value, percent):
    assert churn_settings(value).percent == percent


@pytest.mark.parametrize('value', ['some', -1, 101, '0.5', 'all'])
def test_churn_alarm_refuses_the_rest(value):
    with pytest.raises(InputError, match=r'is the percent of a disk rewritten .* \(1 to 100\), or off, got'):
        churn_settings(value)


def test_a_cloud_without_block_reads_refuses_the_churn_alarm_before_any_call(fakecloud_clean):
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
        fakecloud_adapter,
        fakecloud_calls,
    )

    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError, match='no API that compares two snapshots') as refused:
        dr_run_with(
            fakecloud_adapter(fakecloud_clean, 'cbs'),
            scope('cbs', 'ap-guangzhou', ['ap-shanghai'], SELECTOR, churn_alarm=50),
            clock=FakeClock(),
        )
    assert refused.value.option == 'churn_alarm' and fakecloud_calls(fakecloud_clean) == {}


def runs_of(moto_url, source, volume, tag_value):
    """A disk's history: each call writes (or not), snapshots the disk a step later, runs the DR run into ``regions``
    over the disks tagged verify=``tag_value`` (moto keeps one state per process: other tests' disks may share the
    regions) and answers the report and the run's copies by region."""
    ec2 = ec2_with(moto_url, KEYS, source)
    hours = [100]

    def step(regions, write=None, **options):
        hours[0] -= 10
        if write is not None:
            write()
            aged(source, ec2.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'], hours[0] + 1)
        adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
        report = dr_run_with(
            adapter,
            scope('aws', source, regions, {'verify': tag_value}, churn_alarm=50, **options),
            connection=dict(KEYS, endpoint_url=moto_url),
            clock=FakeClock(),
        )
        made = {copy['region']: copy for disk in report['disks'] for copy in disk['copies']}
        for region, copy in made.items():
            if copy['action'] == 'copied':
                aged(region, copy['snapshot_id'], hours[0])
        return adapter, report, made

    return step


def cell(report, region):
    return next(cell for cell in report['protection']['disks'][0]['regions'] if cell['region'] == region)


def test_a_rewrite_that_could_not_be_measured_is_in_doubt_warned_of_and_measured_again(moto_url):
    """Issue 60, 2: ListChangedBlocks failed in the run that copied a rewritten disk; the copy was not_measured with no
    warning, the run said protected, keep_copies 1 deleted the last known good copy, and the next run called the
    rewritten copy first_copy, so the alarm never fired."""
    source, dr_region = 'ap-south-1', 'ap-northeast-2'
    volume, first = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='unmeasured').items()))
    aged(source, first, 101)
    step = runs_of(moto_url, source, volume, 'unmeasured')
    options = {'prune': True, 'keep_copies': 1}
    dummy, dummy, made = step([dr_region], **options)
    good = made[dr_region]['snapshot_id']
    ebs_direct.DENIED.add((ACCOUNT, 'ListChangedBlocks'))
    try:
        adapter, report, made = step([dr_region], write=lambda: ebs_direct.write_range(volume), **options)
    finally:
        ebs_direct.DENIED.discard((ACCOUNT, 'ListChangedBlocks'))
    rewritten = made[dr_region]['snapshot_id']
    assert made[dr_region]['churn']['action'] == 'not_measured'
    assert own_copies(adapter, dr_region, volume)[rewritten].tags[CHURN_TAG] == UNMEASURED
    assert set(own_copies(adapter, dr_region, volume)) == {good, rewritten}, 'the last known good copy was pruned'
    assert any(rewritten in warning and 'could not be measured' in warning for warning in report['run_warnings'])
    assert (cell(report, dr_region)['doubt'], cell(report, dr_region)['copy_id']) == ('unmeasured', good)
    assert report['protection']['status'] == 'at risk'
    # The next run measures it: the rewrite of the whole disk sets the alarm off, and the good copy stays.
    adapter, report, made = step([dr_region], **options)
    assert made[dr_region]['churn']['action'] == 'measured' and made[dr_region]['churn']['suspect']
    assert made[dr_region]['churn']['compared_with'] == good
    assert set(own_copies(adapter, dr_region, volume)) == {good, rewritten}
    assert (cell(report, dr_region)['doubt'], cell(report, dr_region)['copy_id']) == ('suspect', good)


def test_an_unmeasured_copy_is_measured_again_by_a_run_that_copies_a_newer_source(moto_url):
    """A review found one refused ListChangedBlocks held a disk in doubt for ever: later runs copy and measure newer
    sources, never the unmeasured copy's, so the disk stood at risk on an ever older copy. Each run now measures the
    disk's unmeasured copies again: a small rewrite clears the doubt, and the newest copy stands."""
    source, dr_region = 'ap-south-1', 'eu-south-1'
    volume, first = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='remeasured').items()))
    aged(source, first, 101)
    step = runs_of(moto_url, source, volume, 'remeasured')
    step([dr_region])
    ebs_direct.DENIED.add((ACCOUNT, 'ListChangedBlocks'))
    try:
        adapter, report, made = step([dr_region], write=lambda: ebs_direct.write_blocks(volume, range(10, 12)))
    finally:
        ebs_direct.DENIED.discard((ACCOUNT, 'ListChangedBlocks'))
    unmeasured = made[dr_region]['snapshot_id']
    assert own_copies(adapter, dr_region, volume)[unmeasured].tags[CHURN_TAG] == UNMEASURED
    assert report['protection']['status'] == 'at risk'
    # A newer snapshot, a small write: its copy is measured, and so is the unmeasured copy, again.
    adapter, report, made = step([dr_region], write=lambda: ebs_direct.write_blocks(volume, range(20, 22)))
    assert made[dr_region]['churn']['action'] == 'measured' and not made[dr_region]['churn']['suspect']
    assert own_copies(adapter, dr_region, volume)[unmeasured].tags[CHURN_TAG] not in (None, UNMEASURED)
    assert (
        cell(report, dr_region)['doubt'] is None
        and cell(report, dr_region)['copy_id'] == made[dr_region]['snapshot_id']
    )
    assert report['protection']['status'] == 'protected', report['run_warnings']


def test_a_new_dr_region_inherits_the_disks_churn(moto_url):
    """Issue 60, 7: a rewritten disk got a new DR region; the old region's copy was suspect, the new region's first copy
    was shown as a good point. The measure is between source snapshots: the new region's copy takes the old one's."""
    source, old_region, new_region = 'eu-west-2', 'eu-central-1', 'us-east-2'
    volume, first = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='new-region').items()))
    aged(source, first, 101)
    step = runs_of(moto_url, source, volume, 'new-region')
    step([old_region])
    dummy, dummy, made = step([old_region], write=lambda: ebs_direct.write_range(volume))
    assert made[old_region]['churn']['suspect']
    ebs_direct.EBS_CALLS.clear()
    dummy, report, made = step([old_region, new_region])
    record = made[new_region]['churn']
    assert (
        record['action'] == 'measured'
        and record['suspect']
        and record['measured_for'] == made[old_region]['snapshot_id']
    )
    assert 'ListChangedBlocks' not in ebs_direct.EBS_CALLS, 'one measure serves every DR region'
    assert cell(report, new_region)['doubt'] == 'suspect' and report['protection']['status'] == 'at risk'


def test_a_disk_that_always_rewrites_learns_its_rhythm_and_its_copies_stay_bounded(moto_url):
    """Issue 60, 9: a disk rewriting 100 % every day under keep_copies 2 held 30 copies after 30 days, 29 suspect,
    29 warnings: the usual share left suspect copies out, so it never formed."""
    source, dr_region = 'ca-central-1', 'us-west-2'
    volume, first = next(iter(disks_with_snapshots(moto_url, source, count=1, tag_value='rhythm').items()))
    aged(source, first, 101)
    step = runs_of(moto_url, source, volume, 'rhythm')
    step([dr_region], prune=True, keep_copies=2)
    suspect = []
    for dummy in range(6):
        adapter, report, made = step(
            [dr_region], write=lambda: ebs_direct.write_range(volume), prune=True, keep_copies=2
        )
        suspect.append(made[dr_region]['churn']['suspect'])
    # The first full rewrite is suspect (nothing usual known yet); after it, the disk's own rhythm is usual.
    assert suspect == [True, False, False, False, False, False]
    # Kept: the keep_copies newest, the suspect copy (its mark holds the good one) and the last known good one.
    assert len(own_copies(adapter, dr_region, volume)) <= 2 + 2
    doubts = [warning for warning in report['run_warnings'] if 'in doubt' in warning]
    assert len(doubts) == 1, doubts


def own_copies(adapter, region, volume):
    """{id: copy} of the DR copies of ``volume`` in ``region``."""
    return {copy.id: copy for copy in adapter.list_copies(region) if copy.tags.get(DISK_TAG, '').endswith('/' + volume)}
