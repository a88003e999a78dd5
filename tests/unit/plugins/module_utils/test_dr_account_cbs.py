"""Copies in a separate DR account on Tencent Cloud CBS, through the real SDK against fakecloud: the source account
stages a copy in the DR region and shares it, the DR account makes a bridge disk of it and its own snapshot of that
disk, and the bridge, the share and the staged copy are gone once the DR account's copy is complete."""

from __future__ import annotations

import datetime
import time

import pytest
from tencentcloud.cbs.v20170312 import cbs_client
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr_bridge import ASK_GRACE_SECONDS
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr_release import ShareRelease
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_LEASE_TAG_PREFIX,
    COPY_TAG,
    SHARE_TAG,
    SOURCE_TAG,
    STAGED_FROM_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import connect_dr_account
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.run import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import TENCENT, calls

SOURCE, DR_REGION = 'ap-guangzhou', 'ap-shanghai'
SOURCE_UIN, DR_UIN = credentials.TENCENT_UIN, credentials.TENCENT_DR_UIN
DR_ROLE = {'role_arn': credentials.TENCENT_DR_ROLE_ARN}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(
        timings={'cbs': {'snapshot_seconds': 0.3, 'copy_seconds': 0.3, 'disk_seconds': 0.3}}
    )
    return fakecloud_clean


def dr_run(cloud, check_mode=False, **options):
    settings = run_settings(**options)
    retry = CallRetry(default_backoff())
    return DrRun(
        dr_adapter(cloud, settings.dr_account, check_mode, retry), settings, check_mode=check_mode, retry=retry
    ).run()


def run_settings(**options):
    return dr_settings(
        dict(
            {
                'provider': 'cbs',
                'source_region': SOURCE,
                'dr_regions': [DR_REGION],
                'tag_selector': {'vault': 'yes'},
                'prune': False,
                'wait': True,
                'wait_timeout': 120,
                'poll_interval': 0.3,
                'dr_account': DR_ROLE,
            },
            **options,
        )
    )


def dr_adapter(cloud, dr_account, check_mode=False, retry=None):
    connection = dict(TENCENT, endpoint_url=cloud.url)
    adapter = CbsAdapter.from_connection(connection, check_mode=check_mode, retry=retry or CallRetry(default_backoff()))
    connect_dr_account(adapter, connection, dr_account, SOURCE, DR_REGION)
    # The time of an ask for a bridge disk is the cloud's (advance_clock moves it).
    offset = cloud.admin.request('GET', 'clock')['now'] - time.time()
    adapter.dr.bridge.now = lambda: datetime.datetime.fromtimestamp(time.time() + offset, datetime.timezone.utc)
    return adapter


def seed(cloud, disks=1):
    return cloud.admin.seed(
        cbs={'disks': [{'region': SOURCE, 'size': 20, 'tags': {'vault': 'yes'}, 'snapshots': 1}] * disks}
    )['cbs']


def region_state(cloud, region=DR_REGION):
    state = cloud.admin.state(cloud='cbs', region=region)['cbs'].get(region, {})
    return state.get('snapshots', []), state.get('disks', [])


def person(cloud, account=SOURCE_UIN, region=DR_REGION):
    """A person's CBS client, of the disks' account or (through the DR role, as a person of the DR account would) the DR
    account's: the SDK as is."""
    if account == SOURCE_UIN:
        return tencent_client(cbs_client.CbsClient, cloud.endpoint, region)
    sts = CommonClient(
        'sts',
        '2018-08-13',
        Credential(credentials.TENCENT_SECRET_ID, credentials.TENCENT_SECRET_KEY),
        SOURCE,
        ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=cloud.endpoint)),
    )
    keys = sts.call_json('AssumeRole', {'RoleArn': credentials.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'person'})[
        'Response'
    ]['Credentials']
    return tencent_client(
        cbs_client.CbsClient,
        cloud.endpoint,
        region,
        secret_id=keys['TmpSecretId'],
        secret_key=keys['TmpSecretKey'],
        token=keys['Token'],
    )


def staged_copies_done_in_a_later_run(cloud):
    """Runs without wait up to staged copies that are complete for the next run and were in flight through this one
    however slow the machine: a copy complete within the run would get its bridge disk there (with 0.3 s, a busy
    machine's run takes that step too)."""
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 100}})
    dr_run(cloud, wait=False)
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 0.3}})
    cloud.admin.advance_clock(101)


def up_to_the_bridge_disk(cloud):
    """Runs without wait up to a listed bridge disk of the staged copy, its DR copy not begun: (staged copy id, disk
    id). The staged copy and the bridge disk take a minute of the cloud's time, which only the test moves on: however
    slow the machine, each run takes exactly one step (with 0.3 s, a run slower than that would take the next too). The
    signed calls' window is widened with the clock's moves (the tests after this move it further)."""
    cloud.admin.configure(
        timings={'cbs': {'copy_seconds': 60, 'disk_seconds': 60}}, tencent_timestamp_window_seconds=10**6
    )
    dr_run(cloud, wait=False)  # the staged copy, in flight
    cloud.admin.advance_clock(61)
    dr_run(cloud, wait=False)  # shared, the bridge disk asked for
    cloud.admin.advance_clock(61)
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 0.3, 'disk_seconds': 0.3}})
    snapshots, disks = region_state(cloud)
    ((staged, disk),) = [
        (snapshot['id'], disk['id'])
        for snapshot in snapshots
        for disk in disks
        if disk['tags'].get(STAGED_FROM_TAG) == snapshot['id']
    ]
    return staged, disk


def live(disks):
    return [disk['id'] for disk in disks if disk['status'] != 'TORECYCLE']


def test_the_dr_account_owns_the_copy_and_nothing_is_left_behind(cloud):
    seeded = seed(cloud, disks=2)
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    copies = [copy for disk in report['disks'] for copy in disk['copies']]
    assert [copy['action'] for copy in copies] == ['copied', 'copied']
    snapshots, disks = region_state(cloud)
    by_id = {snapshot['id']: snapshot for snapshot in snapshots}
    for copy in copies:
        owned = by_id[copy['snapshot_id']]
        assert owned['account'] == DR_UIN, 'the DR account owns the copy'
        assert owned['tags'][SOURCE_TAG].startswith(SOURCE + '/') and owned['tags'][COPY_TAG] == copy['snapshot_id']
        assert owned['tags'][STAGED_FROM_TAG]
    # No staged copy, share or bridge disk is left: the DR region holds the DR account's copies only.
    assert sorted(by_id) == sorted(copy['snapshot_id'] for copy in copies)
    assert disks == []
    assert report['dr_account']['account'] == DR_UIN and len(report['dr_account']['released']) == 2
    assert report['dr_account']['held'] == []
    assert sorted(snapshot['tags'][SOURCE_TAG] for snapshot in snapshots) == sorted(
        '%s/%s' % (SOURCE, source) for source in seeded['snapshots']
    )

    again = dr_run(cloud)
    assert not again['changed'] and again['totals']['existing'] == 2 and not again['failures']
    assert calls(cloud, 'cbs', 'CopySnapshotCrossRegions') == 2
    assert calls(cloud, 'cbs', 'CreateDisks') == 2 and calls(cloud, 'cbs', 'CreateSnapshot') == 2
    assert calls(cloud, 'tencent_sts', 'GetCallerIdentity') == 4  # each run asks once who each account is


def test_without_wait_each_run_takes_the_copy_a_step_further_and_none_copies_twice(cloud):
    seed(cloud)
    steps = []
    for dummy in range(8):
        cloud.admin.advance_clock(1.0)
        report = dr_run(cloud, wait=False)
        assert not report['failures'], report['failures']
        (copy,) = report['disks'][0]['copies']
        snapshots, disks = region_state(cloud)
        steps.append(
            (
                report['changed'],
                copy['action'],
                copy['state'],
                sorted(snapshot['account'] for snapshot in snapshots),
                len(disks),
                report['dr_account']['released'] != [],
            )
        )
        if not report['changed']:
            break
    source, dr = SOURCE_UIN, DR_UIN
    assert steps == [
        (True, 'copied', 'COPYING_FROM_REMOTE', [source], 0, False),  # the staged copy, in flight
        (
            True,
            'existing',
            'STAGED_FOR_DR_ACCOUNT',
            [source],
            1,
            False,
        ),  # shared, and the DR account's bridge disk made
        (True, 'existing', 'STAGED_FOR_DR_ACCOUNT', [source, dr], 1, False),  # the DR account's snapshot of it started
        (True, 'existing', 'NORMAL', [dr], 0, True),  # complete: bridge, share and staged copy removed
        (False, 'existing', 'NORMAL', [dr], 0, False),
    ]
    snapshots, disks = region_state(cloud)
    assert [snapshot['account'] for snapshot in snapshots] == [DR_UIN] and disks == []
    assert calls(cloud, 'cbs', 'CopySnapshotCrossRegions') == 1 and calls(cloud, 'cbs', 'CreateDisks') == 1
    assert calls(cloud, 'cbs', 'CreateSnapshot') == 1


def test_a_system_disk_is_refused_naming_why_before_any_copy(cloud):
    seeded = cloud.admin.seed(
        cbs={'disks': [{'region': SOURCE, 'type': 'system', 'tags': {'vault': 'yes'}, 'snapshots': 1}]}
    )['cbs']
    report = dr_run(cloud)
    (failure,) = report['failures']
    assert 'SystemDiskNotShareable' in failure and seeded['snapshots'][0] in failure and DR_UIN in failure
    assert calls(cloud, 'cbs', 'CopySnapshotCrossRegions') == 0


def test_check_mode_plans_each_step_and_sends_nothing(cloud):
    seed(cloud)
    planned = dr_run(cloud, check_mode=True)
    assert planned['changed'] and planned['totals']['would_copy'] == 1
    assert cloud.admin.calls()['total_mutations'] == 0
    # The plan counts the bridge disk and the staged copy the copy makes on its way, which no page of the table prices:
    # a line that says so, and a plan that is not complete whatever prices are given.
    (staging,) = [line for line in planned['plan']['cost']['lines'] if line['what'].startswith('bridge disk')]
    assert (staging['quantity'], staging['unit'], staging['usd']) == (1, 'copy', None) and staging['note']
    assert not planned['plan']['cost']['complete'] and staging['what'] in planned['plan']['cost']['unpriced']
    staged_copies_done_in_a_later_run(cloud)
    before = cloud.admin.calls()['total_mutations']
    planned = dr_run(cloud, check_mode=True)
    (staged,) = planned['dr_account']['would_make']
    assert planned['changed'] and planned['disks'][0]['copies'][0]['snapshot_id'] == staged
    assert cloud.admin.calls()['total_mutations'] == before


def test_a_persons_share_and_a_persons_copy_of_ours_are_left_alone(cloud):
    seeded = seed(cloud)
    source_tag = '%s/%s' % (SOURCE, seeded['snapshots'][0])
    # In the DR region, in the disks' account: a person's copy of one of our copies (our tags, another copy's mark), and
    # a snapshot a person shared with the DR account themselves (no mark).
    persons = cloud.admin.seed(
        cbs={
            'snapshots': [
                {
                    'region': DR_REGION,
                    'source_snapshot_id': seeded['snapshots'][0],
                    'source_region': SOURCE,
                    'tags': {
                        SOURCE_TAG: source_tag,
                        COPY_TAG: 'snap-others00',
                        'snapcopy:disk': '%s/%s' % (SOURCE, seeded['disks'][0]),
                    },
                },
                {'region': DR_REGION, 'shared_with': [DR_UIN]},
            ]
        }
    )['cbs']['snapshots']
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    (copy,) = report['disks'][0]['copies']
    assert copy['action'] == 'copied' and copy['snapshot_id'] not in persons
    snapshots, dummy = region_state(cloud)
    left = {snapshot['id']: snapshot for snapshot in snapshots}
    assert set(persons) <= set(left), 'a person\'s snapshots are never deleted'
    assert left[persons[1]]['shared_with'] and SHARE_TAG not in left[persons[0]]['tags']
    assert not left[persons[0]].get('shared_with')
    assert report['dr_account']['released'] and persons[1] not in ' '.join(report['dr_account']['released'])


def test_pruning_acts_on_the_dr_accounts_copies(cloud):
    seeded = seed(cloud)
    first = dr_run(cloud)['disks'][0]['copies'][0]['snapshot_id']
    cloud.admin.seed(cbs={'snapshots': [{'region': SOURCE, 'disk_id': seeded['disks'][0], 'age_seconds': 0}]})
    report = dr_run(cloud, prune=True, keep_copies=1)
    assert not report['failures'], report['failures']
    (second,) = [copy['snapshot_id'] for copy in report['disks'][0]['copies']]
    assert [(record['snapshot_id'], record['action']) for record in report['disks'][0]['pruned']] == [
        (first, 'deleted')
    ]
    snapshots, disks = region_state(cloud)
    assert [(snapshot['id'], snapshot['account']) for snapshot in snapshots] == [(second, DR_UIN)] and disks == []


def test_a_killed_runs_staged_copy_of_an_older_snapshot_still_reaches_the_dr_account(cloud):
    """A run stopped after its copy call leaves a staged copy; the disk gets a newer snapshot before the next run, which
    copies that one and also takes the older staged copy into the DR account, then cleans up both ways."""
    seeded = seed(cloud)
    # The killed run's staged copy stays in flight through its run however slow the machine (CBS's copy time is the
    # emulator's clock's, which moves with real time too); the clock is moved past it before the next run.
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 100}})
    dr_run(cloud, wait=False)
    cloud.admin.configure(timings={'cbs': {'copy_seconds': 0.3}})
    cloud.admin.seed(cbs={'snapshots': [{'region': SOURCE, 'disk_id': seeded['disks'][0], 'age_seconds': 0}]})
    cloud.admin.advance_clock(101)
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    snapshots, disks = region_state(cloud)
    assert sorted(snapshot['account'] for snapshot in snapshots) == [DR_UIN, DR_UIN] and disks == []
    assert len({snapshot['tags'][SOURCE_TAG] for snapshot in snapshots}) == 2
    assert len(report['dr_account']['released']) == 2 and len(report['dr_account']['made']) == 4


def test_a_bridge_disk_the_dr_region_refuses_fails_its_disk_with_the_clouds_words_and_nothing_else(cloud):
    seed(cloud, disks=2)
    staged_copies_done_in_a_later_run(cloud)
    cloud.admin.faults(broken_regions={'cbs': [DR_REGION]})  # the DR region sells no disk now (DescribeDiskConfigQuota)
    report = dr_run(cloud, wait_timeout=60)
    assert len(report['failures']) == 2
    assert all('NoZone' in failure and DR_UIN in failure for failure in report['failures']), report['failures']
    assert report['dr_account']['held'] == [] and report['dr_account']['made'] == []
    cloud.admin.faults(broken_regions={'cbs': []})
    again = dr_run(cloud)
    assert not again['failures'] and again['changed']
    snapshots, disks = region_state(cloud)
    assert sorted(snapshot['account'] for snapshot in snapshots) == [DR_UIN, DR_UIN] and disks == []


def test_a_bridge_disk_whose_staged_copy_a_person_deleted_is_terminated_and_reported(cloud):
    """Its staged copy gone and no DR copy made from it, a bridge disk has no purpose left: the next run terminates it
    and names it (released); a person's disks in the DR account stay, our tag on one of them or not."""
    seed(cloud)
    staged, bridge = up_to_the_bridge_disk(cloud)
    persons = cloud.admin.seed(
        cbs={
            'account': DR_UIN,
            'disks': [
                {'region': DR_REGION, 'tags': {'team': 'db'}},
                {'region': DR_REGION, 'name': 'a copy of ours', 'tags': {STAGED_FROM_TAG: staged}},
            ],
        }
    )['cbs']['disks']
    source = person(cloud)
    source.call_json(
        'ModifySnapshotsSharePermission', {'SnapshotIds': [staged], 'AccountIds': [DR_UIN], 'Permission': 'CANCEL'}
    )
    source.call_json('DeleteSnapshots', {'SnapshotIds': [staged]})
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    assert '%s/%s' % (DR_REGION, staged) in report['dr_account']['released']
    snapshots, disks = region_state(cloud)
    assert sorted(live(disks)) == sorted(persons), 'the bridge disk is terminated, a person\'s disks stay'
    (copy,) = report['disks'][0]['copies']
    assert [snapshot['id'] for snapshot in snapshots] == [copy['snapshot_id']], (
        'the source staged again, and its DR copy made'
    )
    again = dr_run(cloud)
    assert again['dr_account']['released'] == [] and not again['changed'], 'released once'


def test_a_staged_copy_that_a_listing_skipped_is_not_taken_for_gone(cloud):
    """A listing of the region may skip a staged copy while others are made. Its bridge disk then looks orphaned: the
    release reads the staged copy exactly before it calls it gone, and a staged copy still there is never released
    (its bridge disk terminated, its share cancelled, the copy deleted)."""
    seed(cloud)
    staged, bridge = up_to_the_bridge_disk(cloud)
    before = region_state(cloud)
    adapter = dr_adapter(cloud, run_settings().dr_account)
    # What a listing that skipped it would have read: no staged copy, no DR copy, in the DR region.
    release = ShareRelease(adapter, adapter.dr.reads, account=DR_UIN, settled={DR_REGION: ([], {})})
    assert release.find_shares([DR_REGION]) == ([], [])
    assert region_state(cloud) == before and bridge in live(before[1])
    assert staged in [snapshot['id'] for snapshot in before[0]]


def test_a_bridge_disk_whose_dr_copy_is_being_made_stays_until_that_is_complete(cloud):
    seed(cloud)
    staged, bridge = up_to_the_bridge_disk(cloud)
    # Most of the 5 minutes a signed call's time may be off (further, the emulator refuses the calls, as Tencent does):
    # the DR copy is still being made while two runs take up to that long on a busy machine (30 s was not always
    # enough).
    cloud.admin.configure(timings={'cbs': {'snapshot_seconds': 280}})
    dr_run(cloud, wait=False)  # the DR copy begun
    source = person(cloud)
    source.call_json(
        'ModifySnapshotsSharePermission', {'SnapshotIds': [staged], 'AccountIds': [DR_UIN], 'Permission': 'CANCEL'}
    )
    source.call_json('DeleteSnapshots', {'SnapshotIds': [staged]})
    early = dr_run(cloud, wait=False)
    assert early['dr_account']['held'] == ['%s/%s' % (DR_REGION, staged)] and early['dr_account']['released'] == []
    assert live(region_state(cloud)[1]) == [bridge]
    cloud.admin.advance_clock(280)
    done = dr_run(cloud, wait=False)
    assert done['dr_account']['released'] == ['%s/%s' % (DR_REGION, staged)] and live(region_state(cloud)[1]) == []


def test_two_runs_at_one_bridge_disk_make_one_dr_copy(cloud):
    """CreateSnapshot takes no ClientToken: two runs that both find the bridge disk made and no DR copy of it would both
    snapshot it. Here a second run takes the step while the first is between its last look and its CreateSnapshot."""
    seed(cloud)
    staged, dummy = up_to_the_bridge_disk(cloud)
    settings = run_settings(wait=False)
    retry = CallRetry(default_backoff())
    first = dr_adapter(cloud, settings.dr_account, retry=retry)
    make_final = first.dr.bridge._make_final
    second = []

    def second_run_meanwhile(region, disk, staged_copy):
        second.append(dr_run(cloud, wait=False))
        return make_final(region, disk, staged_copy)

    first.dr.bridge._make_final = second_run_meanwhile
    report = DrRun(first, settings, retry=retry).run()
    assert len(second) == 1 and not second[0]['failures'] and not report['failures'], (second, report['failures'])
    assert second[0]['disks'][0]['copies'][0]['state'] == 'STAGED_FOR_DR_ACCOUNT', (
        'the second run waits for the first\'s copy'
    )
    finals = [snapshot['id'] for snapshot in region_state(cloud)[0] if snapshot['tags'].get(STAGED_FROM_TAG) == staged]
    assert len(finals) == 1 and calls(cloud, 'cbs', 'CreateSnapshot') == 1
    cloud.admin.advance_clock(1.0)
    done = dr_run(cloud, wait=False)
    snapshots, disks = region_state(cloud)
    assert [snapshot['id'] for snapshot in snapshots] == finals and live(disks) == [] and not done['failures']
    assert not [key for snapshot in snapshots for key in snapshot['tags'] if key.startswith(COPY_LEASE_TAG_PREFIX)], (
        'no lease left'
    )


@pytest.mark.parametrize('recycle_seconds', [3600, 0], ids=['listed TORECYCLE', 'gone at once'])
def test_a_bridge_disk_a_person_terminated_is_made_again_and_the_share_ends(cloud, recycle_seconds):
    """The next run neither names the dead disk as made nor waits for it: a new ask (a new ClientToken: the old one
    names the dead disk) makes another; the DR copy is made, the staged copy's share cancelled and the copy deleted. A
    disk CBS still lists (TORECYCLE) is known dead at once; one it lists no more, once ASK_GRACE_SECONDS have passed
    since the ask."""
    cloud.admin.configure(timings={'cbs': {'recycle_seconds': recycle_seconds}}, tencent_timestamp_window_seconds=10**6)
    seed(cloud)
    staged, dead = up_to_the_bridge_disk(cloud)
    person(cloud, DR_UIN).call_json('TerminateDisks', {'DiskIds': [dead]})
    if not recycle_seconds:
        cloud.admin.advance_clock(ASK_GRACE_SECONDS)
    report = dr_run(cloud, wait_timeout=30)
    assert not report['failures'], report['failures']
    made = report['dr_account']['made']
    assert dead not in made and len(made) == 2, made  # the new bridge disk and the DR copy
    assert report['dr_account']['released'] == ['%s/%s' % (DR_REGION, staged)]
    snapshots, disks = region_state(cloud)
    assert [(snapshot['account'], bool(snapshot['shared_with'])) for snapshot in snapshots] == [(DR_UIN, False)]
    assert live(disks) == [] and [disk['id'] for disk in disks] == ([dead, made[0]] if recycle_seconds else [])
    # Within ASK_GRACE_SECONDS of the ask, CreateDisks is asked again with its token first, to learn which disk it
    # names.
    assert calls(cloud, 'cbs', 'CreateDisks') == (3 if recycle_seconds else 2)
    assert calls(cloud, 'cbs', 'TerminateDisks') == 2, (
        'the person\'s, and the run\'s of the new disk: none terminated twice'
    )


def test_a_bridge_disk_returned_already_is_gone_not_a_failure(cloud):
    """A person returns the bridge disk and the run's look lags behind (DescribeDisks' answer of a moment before: how
    fresh CBS's reads are is unverifiable), so its TerminateDisks answers ResourceUnavailable.RepeatRefund: the disk is
    gone, and the release goes on; the disk, listed TORECYCLE a while, is released by no later run."""
    cloud.admin.configure(timings={'cbs': {'recycle_seconds': 3600}})
    seed(cloud)
    staged, bridge = up_to_the_bridge_disk(cloud)
    dr_run(cloud, wait=False)  # the DR copy begun
    cloud.admin.advance_clock(1.0)  # and complete
    adapter = dr_adapter(cloud, run_settings().dr_account)
    key = '%s/%s' % (DR_REGION, staged)
    assert adapter.vault.find_shares(SOURCE, [DR_REGION]) == ([key], [])
    dr_person = person(cloud, DR_UIN)
    before = dr_person.call_json(
        'DescribeDisks', {'Filters': [{'Name': 'tag:' + STAGED_FROM_TAG, 'Values': [staged]}]}
    )['Response']
    dr_person.call_json('TerminateDisks', {'DiskIds': [bridge]})
    cloud.admin.faults(answers=[{'cloud': 'cbs', 'action': 'DescribeDisks', 'answer': before, 'count': 1}])
    adapter.vault.release_share(SOURCE, key)
    assert cloud.admin.calls()['calls']['cbs']['TerminateDisks'] == {'calls': 2, 'errors': 1, 'mutations': 1}
    snapshots, disks = region_state(cloud)
    assert [snapshot['account'] for snapshot in snapshots] == [DR_UIN] and [disk['status'] for disk in disks] == [
        'TORECYCLE'
    ]
    again = dr_run(cloud)
    assert again['dr_account']['released'] == [] and not again['failures'], 'a returned disk is not released again'


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_dr_account_that_is_the_disks_own_fails_the_run_before_any_change_naming_both_accounts(cloud, check_mode):
    """Issue 37: with plain keys nothing compared the DR role's account with the disks': a role of the disks' own
    account made a green run that protected nothing against that account's loss. STS GetCallerIdentity says whose the
    keys are."""
    own_role = 'qcs::cam::uin/%s:roleName/snapcopy-dr' % SOURCE_UIN
    cloud.admin.configure(
        roles={'tencent': dict(credentials.default_roles()['tencent'], **{own_role: {'trusted': [SOURCE_UIN]}})}
    )
    seed(cloud)
    with pytest.raises(InputError) as raised:
        dr_run(cloud, check_mode=check_mode, dr_account={'role_arn': own_role})
    assert raised.value.option == 'dr_account.role_arn'
    assert raised.value.message.count(SOURCE_UIN) == 2 and "the disks' account %s" % SOURCE_UIN in raised.value.message
    assert cloud.admin.calls()['total_mutations'] == 0 and calls(cloud, 'cbs', 'DescribeDisks') == 0
    assert calls(cloud, 'tencent_sts', 'GetCallerIdentity') == 1  # the disks' account's: the run ends there


def test_a_dr_role_sts_refuses_ends_the_run_before_any_change_with_sts_s_words(cloud):
    seed(cloud)
    with pytest.raises(CloudError) as raised:
        dr_run(cloud, dr_account={'role_arn': credentials.TENCENT_LOCKED_ROLE_ARN})
    assert (raised.value.action, raised.value.code) == (
        'AssumeRole',
        'UnauthorizedOperation',
    ) and raised.value.request_id
    # What to check names the DR account's role too, not only the connection's.
    assert 'dr_account.role_arn' in raised.value.message and 'dr_account.external_id' in raised.value.message
    assert cloud.admin.calls()['total_mutations'] == 0 and calls(cloud, 'cbs', 'DescribeDisks') == 0
