"""dr_posture_info: a DR scope's posture read from the clouds, through the real SDKs against moto's server (AWS) and fakecloud
(ECS, ENS, CBS). A DR run makes the state first; the read finds what the cloud holds (copies within and over the RPO, in
flight, none; locks; a share a killed run left; a leftover test disk; CBS's staged copies), sends no mutating call, and
stands each disk where dr_sync's report, run in check mode on the same state, stands it."""

from __future__ import annotations

import datetime
import os

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    RESTORE_RUN_TAG,
    RESTORE_SCOPE_TAG,
    RESTORE_UNTIL_TAG,
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import connect_dr_account
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import TEST_DISK_PREFIX
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import READ_SECONDS, PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import NO_COPY, PLANNED
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import MAX_ATTEMPTS, default_backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock, retry_on
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    DR_ACCOUNT,
    DR_ROLE,
    KEYS,
    backends,
    client,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import CLOUDS

RPO = 24
LATER = datetime.timedelta(hours=30)
# Regions of AWS that no other test uses: moto keeps its state per process, and a read lists whole regions.
AWS_SOURCE, AWS_DR = 'sa-east-1', 'eu-north-1'


def standings(result):
    """{(disk id, region): standing} of a posture read or a dr_sync report."""
    return {(disk['disk_id'], copy['region']): copy['standing'] for disk in result['disks'] for copy in disk['copies']}


def as_read(report):
    """A dr_sync report's standings as a read states them: a copy a check run plans is no copy in the cloud."""
    return {key: NO_COPY if word == PLANNED else word for key, word in standings(report).items()}


# ---------------------------------------------------------------------------------------------------------------- AWS
def aws_options(**options):
    return scope(
        'aws',
        AWS_SOURCE,
        [AWS_DR],
        {'posture': 'aws'},
        **dict({'dr_account': DR_ROLE, 'max_snapshot_age_hours': RPO}, **options),
    )


def aws_adapter(url, retry=None):
    connection = dict(KEYS, endpoint_url=url)
    adapter = EbsAdapter(AwsClient(connection, botocore_module=botocore, retry=retry))
    settings = dr_settings(aws_options())
    connect_dr_account(adapter, connection, settings.dr_account, AWS_SOURCE, AWS_DR)
    return adapter


def aws_read(url, now=None, clock=None, **options):
    """The read; with ``clock`` (a FakeClock), its client and the read retry as the module's do, waiting on it."""
    retry = None if clock is None else retry_on(clock)
    return PostureRead(aws_adapter(url, retry), dr_settings(aws_options(**options)), now=now, retry=retry).read()


def aws_check_run(url, now):
    connection = dict(KEYS, endpoint_url=url)
    return dr_run_with(
        EbsAdapter(AwsClient(connection, botocore_module=botocore)),
        aws_options(),
        connection=connection,
        check_mode=True,
        now=now,
        clock=FakeClock(),
    )


def moto_state():
    """What moto holds in the scope's regions, both accounts: snapshots (state, tags, permissions) and volumes (tags)."""
    state = {}
    for account in ('123456789012', DR_ACCOUNT):
        for region in (AWS_SOURCE, AWS_DR):
            backend = backends(account, region)
            state[(account, region, 'snapshots')] = sorted(
                (
                    snapshot.id,
                    snapshot.status,
                    sorted(snapshot.create_volume_permission_userids),
                    sorted(
                        (tag['key'], tag['value'])
                        for tag in backend.describe_tags(filters={'resource-id': [snapshot.id]})
                    ),
                )
                for snapshot in backend.snapshots.values()
            )
            state[(account, region, 'volumes')] = sorted(
                (
                    volume.id,
                    sorted(
                        (tag['key'], tag['value'])
                        for tag in backend.describe_tags(filters={'resource-id': [volume.id]})
                    ),
                )
                for volume in backend.volumes.values()
            )
    return state


def aws_disk(url, tag_value='aws'):
    east = client(url, 'ec2', AWS_SOURCE)
    disk = east.create_volume(
        Size=1,
        AvailabilityZone=AWS_SOURCE + 'a',
        TagSpecifications=[
            {
                'ResourceType': 'volume',
                'Tags': [{'Key': 'posture', 'Value': tag_value}, {'Key': 'Name', 'Value': 'db-' + tag_value}],
            }
        ],
    )['VolumeId']
    return disk, east.create_snapshot(VolumeId=disk, Description='nightly')['SnapshotId']


def test_aws_the_read_finds_what_the_cloud_holds_changes_nothing_and_stands_each_disk_as_dr_sync(moto_url):
    """AWS with a DR account and locks: two disks copied and locked, one without a copy, a share a killed run left and a
    drill's leftover test disk; within the RPO now, over it 30 hours on; a refused lock read is unknown, never locked; a
    throttled read of the shares is a problem of the read."""
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import (  # pylint: disable=import-outside-toplevel
        DENIED,
        THROTTLED,
    )

    disks = [aws_disk(moto_url)[0] for dummy in range(2)]
    connection = dict(KEYS, endpoint_url=moto_url)
    run = dr_run_with(
        EbsAdapter(AwsClient(connection, botocore_module=botocore)),
        aws_options(lock={'mode': 'governance', 'duration_days': 1}),
        connection=connection,
        clock=FakeClock(),
    )
    assert run['totals']['copied'] == 2 and run['totals']['locked'] == 2 and not run['failures'], run['failures']
    # A disk tagged after the run: no copy yet.
    bare = aws_disk(moto_url)[0]
    # What a run killed between its share and its copy leaves on another snapshot of the region: the mark, a lapsed lease, the share.
    east = client(moto_url, 'ec2', AWS_SOURCE)
    other = east.create_volume(Size=1, AvailabilityZone=AWS_SOURCE + 'a')['VolumeId']
    left = east.create_snapshot(VolumeId=other)['SnapshotId']
    east.create_tags(
        Resources=[left],
        Tags=[
            {'Key': SHARE_TAG, 'Value': DR_ACCOUNT},
            {'Key': SHARE_LEASE_TAG_PREFIX + '20200101T000000Z-abcdef', 'Value': '20200101T000300Z ' + AWS_DR},
        ],
    )
    east.modify_snapshot_attribute(
        SnapshotId=left, Attribute='createVolumePermission', OperationType='add', UserIds=[DR_ACCOUNT]
    )
    # A test disk a killed drill left in the DR region, in the DR account, past its time.
    aws_adapter(moto_url).client.call(
        AWS_DR,
        'CreateVolume',
        AvailabilityZone=AWS_DR + 'a',
        Size=1,
        TagSpecifications=[
            {
                'ResourceType': 'volume',
                'Tags': [
                    {'Key': 'Name', 'Value': TEST_DISK_PREFIX + 'left'},
                    {'Key': RESTORE_RUN_TAG, 'Value': '20200101T000000Z-abcdef'},
                    {'Key': RESTORE_SCOPE_TAG, 'Value': 'abc'},
                    {'Key': RESTORE_UNTIL_TAG, 'Value': '20200101T010000Z'},
                ],
            }
        ],
    )

    before = moto_state()
    now = datetime.datetime.now(datetime.timezone.utc)
    read = aws_read(moto_url, now=now)
    assert moto_state() == before, 'the read changed what the cloud holds'
    assert read['changed'] is False and read['account'] == DR_ACCOUNT and read['dr_account'] == DR_ACCOUNT
    assert standings(read) == {
        (disks[0], AWS_DR): 'within_rpo',
        (disks[1], AWS_DR): 'within_rpo',
        (bare, AWS_DR): 'no_copy',
    }
    assert read['posture']['regions'][AWS_DR]['within_rpo'] == 2 and read['posture']['regions'][AWS_DR]['no_copy'] == 1
    assert standings(read) == as_read(aws_check_run(moto_url, now))
    copied = {
        copy['disk_id']: copy
        for copy in [dict(disk_copy, disk_id=disk['disk_id']) for disk in run['disks'] for disk_copy in disk['copies']]
    }
    for disk in read['disks']:
        (region,) = disk['copies']
        assert region['account'] == DR_ACCOUNT
        if disk['disk_id'] == bare:
            assert region['copy'] is None and region['lock'] is None and region['in_flight'] == []
            continue
        assert region['copy']['id'] == copied[disk['disk_id']]['snapshot_id']
        assert region['copy']['source_snapshot_id'] == disk['newest_snapshot']['id']
        assert region['copy']['recovery_point'] and region['recovery_point_age_hours'] is not None
        lock = region['lock']
        assert (
            lock['mode'] == 'governance'
            and lock['in_force'] is True
            and lock['expires'] == copied[disk['disk_id']]['lock']['expires']
        )
    (share,) = read['leftovers']['shares']
    assert (
        share['snapshot_id'] == left
        and share['leftover']
        and share['needed_by'] is None
        and not share['leases'][0]['live']
    )
    (test_disk,) = read['leftovers']['test_disks']
    assert (
        test_disk['region'] == AWS_DR and test_disk['run'] == '20200101T000000Z-abcdef' and not test_disk['this_scope']
    )
    assert (
        read['standing']['locked'] == 2
        and read['standing']['leftovers'] == 2
        and read['standing']['worst'] == 'no_copy'
    )
    assert read['problems'] == []

    # A controller 30 hours ahead of the cloud ages nothing: the read judges by the cloud's clock, and says so once.
    ahead = PostureRead(aws_adapter(moto_url), dr_settings(aws_options()), now=now + LATER)
    assert standings(ahead.read()) == standings(read)
    (skew,) = [warning for warning in ahead.warnings if "controller's clock" in warning]
    assert skew.startswith("this controller's clock is 1 day 6 h 0 min ahead of the cloud's"), skew
    # 30 hours on by the cloud's clock, the copies' recovery points are older than the RPO: as dr_sync's report says at
    # that time, on a controller whose clock is right and on one two days behind.
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import CLOCK  # pylint: disable=import-outside-toplevel

    CLOCK['offset'] = LATER.total_seconds()
    try:
        later = aws_read(moto_url, now=now + LATER)
        behind = aws_read(moto_url, now=now + LATER - datetime.timedelta(days=2))
        check_run = aws_check_run(moto_url, now + LATER - datetime.timedelta(days=2))
    finally:
        CLOCK['offset'] = 0.0
    assert standings(later) == {
        (disks[0], AWS_DR): 'over_rpo',
        (disks[1], AWS_DR): 'over_rpo',
        (bare, AWS_DR): 'no_copy',
    }
    assert standings(behind) == standings(later) == as_read(check_run)
    assert later['posture']['regions'][AWS_DR]['oldest_recovery_point_hours'] >= 30

    # The DR account's policy lacks ec2:DescribeLockedSnapshots: the locks are unknown, named with EC2's words, never locked.
    DENIED.add((DR_ACCOUNT, 'DescribeLockedSnapshots'))
    try:
        refused = aws_read(moto_url, now=now)
    finally:
        DENIED.clear()
    (problem,) = refused['problems']
    assert (
        problem['region'] == AWS_DR
        and problem['error']['code'] == 'UnauthorizedOperation'
        and 'request_id' in problem['error']
    )
    locks = [copy['lock'] for disk in refused['disks'] for copy in disk['copies'] if copy['copy'] is not None]
    assert len(locks) == 2 and all(lock['status'] == 'unknown' and lock['in_force'] is None for lock in locks)
    assert refused['standing']['locked'] == 0 and refused['standing']['locks_unknown'] == 2
    assert standings(refused) == standings(read)

    # EC2 throttles the read of the sources shared with the DR account past every retry: the read says which read
    # failed in which region with EC2's words, in its problems and its line, and the rest of the read stands.
    THROTTLED.append(('DescribeSnapshots', {'Filter.1.Name': 'tag-key', 'Filter.1.Value.1': SHARE_TAG}))
    # The fake clock stands far from the machine's: a deadline the read set on another clock than its backoff's would
    # leave it no retry.
    clock = FakeClock(start=1e9)
    try:
        throttled = aws_read(moto_url, now=now, clock=clock)
    finally:
        THROTTLED.clear()
    # It was retried, backing off, until the backoff's tries were spent, all well within the read's time.
    assert len(clock.sleeps) == MAX_ATTEMPTS - 1 and clock.now < 1e9 + READ_SECONDS, clock.sleeps
    (problem,) = throttled['problems']
    assert (
        problem['region'] == AWS_SOURCE
        and problem['error']['code'] == 'RequestLimitExceeded'
        and 'request_id' in problem['error']
        and DR_ACCOUNT in problem['message']
        and 'shared with the DR account' in problem['message']
    ), problem
    assert throttled['leftovers']['shares'] == [] and len(throttled['leftovers']['test_disks']) == 1
    assert throttled['standing']['problems'] == 1 and '1 problem: ' in throttled['msg'], throttled['msg']
    assert standings(throttled) == standings(read)
    assert moto_state() == before


# ---------------------------------------------------------------------------------------------------------------- fakecloud
@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(
        timings={
            name: {'snapshot_seconds': 0.2, 'copy_seconds': 0.3, 'disk_seconds': 0.2} for name in ('ecs', 'ens', 'cbs')
        }
    )
    return fakecloud_clean


def fake_options(provider, **options):
    dummy, dummy, source, dr_region, dummy = CLOUDS[provider]
    defaults = {'wait_timeout': 120, 'poll_interval': 0.2, 'max_snapshot_age_hours': RPO}
    return scope(provider, source, [dr_region], {'drill': 'yes'}, **dict(defaults, **options))


def fake_adapter(cloud, provider, check_mode=False, retry=None):
    adapter_class, connection, dummy, dummy, dummy = CLOUDS[provider]
    return adapter_class.from_connection(dict(connection, endpoint_url=cloud.url), check_mode=check_mode, retry=retry)


def fake_run(cloud, provider, check_mode=False, now=None, **options):
    retry = CallRetry(default_backoff())
    return dr_run_with(
        fake_adapter(cloud, provider, check_mode, retry),
        fake_options(provider, **options),
        check_mode=check_mode,
        retry=retry,
        now=now,
    )


def fake_read(cloud, provider, now=None, check_mode=True, **options):
    retry = CallRetry(default_backoff())
    return PostureRead(
        fake_adapter(cloud, provider, check_mode, retry),
        dr_settings(fake_options(provider, **options)),
        now=now,
        retry=retry,
    ).read()


def seed(cloud, provider, disks=1):
    dummy, dummy, source, dummy, dummy = CLOUDS[provider]
    return cloud.admin.seed(
        **{provider: {'disks': [{'region': source, 'size': 20, 'tags': {'drill': 'yes'}, 'snapshots': 1}] * disks}}
    )[provider]['disks']


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_read_of_each_cloud_stands_each_disk_as_dr_sync_and_sends_no_mutating_call(cloud, provider):
    """Copies within the RPO, then over it, a copy in flight and a disk without one, a leftover test disk; the locks where
    the cloud has them (ECS) and null where it has none (ENS, CBS); no mutating call, in check mode or not."""
    dr_region = CLOUDS[provider][3]
    done = seed(cloud, provider, disks=2)
    lock = {'lock': {'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 1}} if provider == 'ecs' else {}
    run = fake_run(cloud, provider, **lock)
    assert run['totals']['copied'] == 2 and not run['failures'], run['failures']
    # A disk whose copy is still being made (a run that did not wait), and one with no copy at all.
    cloud.admin.configure(timings={provider: {'copy_seconds': 600}})
    (flying,) = seed(cloud, provider)
    fake_run(cloud, provider, wait=False)
    (bare,) = seed(cloud, provider)
    # A test disk a killed drill left in the DR region, past its time.
    cloud.admin.seed(
        **{
            provider: {
                'disks': [
                    {
                        'region': dr_region,
                        'size': 20,
                        'name': TEST_DISK_PREFIX + 'left',
                        'tags': {
                            RESTORE_RUN_TAG: '20200101T000000Z-abcdef',
                            RESTORE_SCOPE_TAG: 'abc',
                            RESTORE_UNTIL_TAG: '20200101T010000Z',
                        },
                    }
                ]
            }
        }
    )

    now = datetime.datetime.now(datetime.timezone.utc)
    cloud.admin.calls(reset=True)
    reads = [fake_read(cloud, provider, now=now, check_mode=check_mode) for check_mode in (True, False)]
    counted = cloud.admin.calls()
    assert counted['total_mutations'] == 0, counted['log']
    read = reads[0]
    assert reads[1]['disks'] == read['disks'] and reads[1]['leftovers'] == read['leftovers']
    assert read['changed'] is False and read['problems'] == []
    wanted = {
        (done[0], dr_region): 'within_rpo',
        (done[1], dr_region): 'within_rpo',
        (flying, dr_region): 'in_flight',
        (bare, dr_region): 'no_copy',
    }
    assert standings(read) == wanted
    counts = read['posture']['regions'][dr_region]
    assert (counts['within_rpo'], counts['in_flight'], counts['no_copy'], counts['planned']) == (2, 1, 1, 0)
    check_run = fake_run(cloud, provider, check_mode=True, now=now)
    assert standings(read) == as_read(check_run)
    assert cloud.admin.calls()['total_mutations'] == 0

    by_disk = {disk['disk_id']: disk['copies'][0] for disk in read['disks']}
    (in_flight,) = by_disk[flying]['in_flight']
    assert by_disk[flying]['copy'] is None and in_flight['id']
    for disk_id in done:
        region = by_disk[disk_id]
        assert region['copy']['recovery_point'] and region['copy']['source_snapshot_id']
        if provider == 'ecs':
            assert region['lock']['mode'] == 'compliance' and region['lock']['in_force'] is True
        else:
            assert region['lock'] is None
    (test_disk,) = read['leftovers']['test_disks']
    assert test_disk['region'] == dr_region and test_disk['run'] == '20200101T000000Z-abcdef'

    # A controller 30 hours ahead of the cloud ages nothing: the read judges by the cloud's clock.
    assert standings(fake_read(cloud, provider, now=now + LATER)) == wanted
    # 30 hours on by the cloud's clock, on a controller two days behind it: over the RPO, as dr_sync's report says (the
    # copy in flight has completed since, of a snapshot as old).
    # The SDKs sign with this machine's clock: the cloud takes signatures as far off as it was moved.
    window = 2 * LATER.total_seconds()
    cloud.admin.configure(alibaba_timestamp_window_seconds=window, tencent_timestamp_window_seconds=window)
    cloud.admin.advance_clock(LATER.total_seconds())
    behind = now + LATER - datetime.timedelta(days=2)
    later = fake_read(cloud, provider, now=behind)
    assert standings(later) == {**wanted, **{(disk_id, dr_region): 'over_rpo' for disk_id in (*done, flying)}}
    assert standings(later) == as_read(fake_run(cloud, provider, check_mode=True, now=behind))
    assert cloud.admin.calls()['total_mutations'] == 0


def test_an_ecs_lock_read_refused_is_unknown_with_the_clouds_words_never_locked(cloud):
    seed(cloud, 'ecs', disks=2)
    fake_run(cloud, 'ecs', lock={'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 1})
    cloud.admin.faults(
        rules=[{'cloud': 'ecs', 'action': 'DescribeLockedSnapshots', 'error_rate': 1.0, 'error_code': 'Forbidden.RAM'}]
    )
    cloud.admin.calls(reset=True)
    read = fake_read(cloud, 'ecs')
    assert cloud.admin.calls()['total_mutations'] == 0
    (problem,) = read['problems']
    assert (
        problem['error']['code'] == 'Forbidden.RAM'
        and problem['error']['request_id']
        and 'DescribeLockedSnapshots' in problem['message']
    )
    locks = [copy['lock'] for disk in read['disks'] for copy in disk['copies']]
    assert len(locks) == 2 and all(lock['status'] == 'unknown' and lock['in_force'] is None for lock in locks)
    assert read['standing']['locked'] == 0 and read['standing']['locks_unknown'] == 2
    assert set(standings(read).values()) == {'within_rpo'}


def test_ens_refuses_dr_account_with_dr_sync_s_words_before_any_call():
    with pytest.raises(Exception) as raised:
        dr_settings(
            dict(fake_options('ens'), dr_account={'role_arn': 'acs:ram::1234567890123456:role/dr'}, prune=False)
        )
    assert raised.value.option == 'dr_account' and raised.value.message.startswith(PROVIDERS['ens'].dr_account.refusal)


# ---------------------------------------------------------------------------------------------------------------- as Ansible runs it
def ecs_module_call(cloud, tmp_path, selector):
    """(the environment, the arguments) of dr_posture_info on the ECS scope ``selector`` picks, as ``ansible -m`` runs it."""
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import clean_environment  # pylint: disable=import-outside-toplevel

    env = clean_environment(
        tmp_path, ALICLOUD_ACCESS_KEY=fake.ALIBABA_ACCESS_KEY_ID, ALICLOUD_SECRET_KEY=fake.ALIBABA_ACCESS_KEY_SECRET
    )
    args = {
        'provider': 'ecs',
        'source_region': 'cn-hangzhou',
        'dr_regions': ['cn-shanghai'],
        'tag_selector': selector,
        'endpoint_url': cloud.url,
    }
    return env, args


def test_the_module_runs_as_ansible_runs_it_read_only_in_check_mode_and_bad_input_fails_before_any_call(
    cloud, tmp_path
):
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import run_module  # pylint: disable=import-outside-toplevel

    done = seed(cloud, 'ecs', disks=2)
    fake_run(cloud, 'ecs')
    env, args = ecs_module_call(cloud, tmp_path, {'drill': 'yes'})
    args.update(max_snapshot_age_hours=RPO, dr_account='')
    cloud.admin.calls(reset=True)
    for check in (True, False):
        result = run_module('dr_posture_info', args, env, check=check)
        assert not result['failed'] and result['changed'] is False, result
        assert standings(result) == {(disk_id, 'cn-shanghai'): 'within_rpo' for disk_id in done}
        assert result['standing']['worst'] == 'within_rpo' and result['msg'].startswith(
            'DR posture of ecs cn-hangzhou -> cn-shanghai: PROTECTED, 2 disks'
        )
    assert cloud.admin.calls()['total_mutations'] == 0
    assert fake.ALIBABA_ACCESS_KEY_SECRET not in str(result)
    cloud.admin.calls(reset=True)
    refused = run_module('dr_posture_info', dict(args, tag_selector={'drill': True}), env)
    assert refused['failed'] and 'tag_selector' in refused['msg'] and 'quote it' in refused['msg']
    ens = run_module(
        'dr_posture_info',
        dict(
            args,
            provider='ens',
            source_region='cn-hangzhou-26',
            dr_regions=['cn-beijing-cmcc'],
            dr_account={'role_arn': 'acs:ram::1234567890123456:role/dr'},
        ),
        env,
    )
    assert ens['failed'] and PROVIDERS['ens'].dr_account.refusal in ens['msg']
    assert cloud.admin.calls()['total_calls'] == 0
    assert os.path.isdir(str(tmp_path))


def test_an_empty_scope_is_not_known_unless_allow_no_disks_expects_it_then_nothing_to_protect(cloud, tmp_path):
    """A selector that matches no disk reads as a typo's would, not known; with allow_no_disks (the fleet's posture-only
    run passes the role's dr_copy_allow_no_disks) the scope has nothing to protect, neutral, as a run's report says."""
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import run_module  # pylint: disable=import-outside-toplevel

    seed(cloud, 'ecs', disks=1)
    env, args = ecs_module_call(cloud, tmp_path, {'drill': 'nowhere'})
    unexpected = run_module('dr_posture_info', args, env)
    assert not unexpected['failed'] and unexpected['standing']['disks'] == 0, unexpected
    assert unexpected['standing']['status'] == unexpected['protection']['status'] == 'not known'
    expected = run_module('dr_posture_info', dict(args, allow_no_disks=True), env)
    assert not expected['failed'] and expected['changed'] is False, expected
    assert expected['standing']['status'] == expected['protection']['status'] == 'nothing to protect'
    assert expected['msg'].startswith('DR posture of ecs cn-hangzhou -> cn-shanghai: NOTHING TO PROTECT, 0 disks')
    assert cloud.admin.calls()['total_mutations'] == 0


def test_the_module_warns_of_each_near_miss_and_each_problem_of_the_read(cloud, tmp_path):
    """What the read learns beside the standings reaches the person as Ansible's warnings: a disk whose tag differs from
    the selector only in case (a near miss), and a read the cloud refuses (the drill's test disks in the DR region)."""
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import run_module  # pylint: disable=import-outside-toplevel

    seed(cloud, 'ecs', disks=1)
    (near,) = cloud.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'size': 20, 'tags': {'drill': 'Yes'}, 'snapshots': 1}]}
    )['ecs']['disks']
    fake_run(cloud, 'ecs')
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'ecs',
                'action': 'DescribeDisks',
                'params': {'RegionId': 'cn-shanghai'},
                'error_rate': 1.0,
                'error_code': 'Forbidden.RAM',
            }
        ]
    )
    env, args = ecs_module_call(cloud, tmp_path, {'drill': 'yes'})
    output = []
    result = run_module('dr_posture_info', args, env, output=output)
    assert not result['failed'] and result['changed'] is False, result
    (problem,) = result['problems']
    assert problem['error']['code'] == 'Forbidden.RAM' and "test disks in cn-shanghai" in problem['message']
    # The minimal callback prints them after the result, as a person sees them (wrapped to the terminal's width).
    warned = ' '.join(output[0][output[0].rindex('\n}') :].split())
    assert '[WARNING]: %s' % ' '.join(problem['message'].split()) in warned, warned
    assert '[WARNING]: disk %s in cn-hangzhou carries drill=Yes,' % near in warned, warned


# ---------------------------------------------------------------------------------------------------------------- CBS's DR account
def test_cbs_with_a_dr_account_reads_the_dr_accounts_copies_and_the_staged_copies_on_their_way(cloud):
    """A copy complete in the DR account stands within the RPO and leaves nothing staged; a run that did not wait leaves a
    staged copy on its way, which the read counts in flight for its disk and lists, not yet as left over."""
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils import test_dr_account_cbs as cbs  # pylint: disable=import-outside-toplevel

    (done,) = cbs.seed(cloud)['disks']
    assert not cbs.dr_run(cloud)['failures']
    (flying,) = cbs.seed(cloud)['disks']
    cbs.dr_run(cloud, wait=False)
    settings = cbs.run_settings(max_snapshot_age_hours=RPO)
    cloud.admin.calls(reset=True)
    read = PostureRead(cbs.dr_adapter(cloud, settings.dr_account, check_mode=True), settings).read()
    assert cloud.admin.calls()['total_mutations'] == 0
    assert read['account'] == cbs.DR_UIN and read['problems'] == []
    assert standings(read) == {(done, cbs.DR_REGION): 'within_rpo', (flying, cbs.DR_REGION): 'in_flight'}
    by_disk = {disk['disk_id']: disk['copies'][0] for disk in read['disks']}
    assert by_disk[done]['lock'] is None and by_disk[done]['copy']['recovery_point']
    (staged,) = [record for record in read['leftovers']['dr_account_staging'] if record['kind'] == 'staged_copy']
    assert (
        staged['disk'] == '%s/%s' % (cbs.SOURCE, flying) and not staged['dr_copy_complete'] and not staged['leftover']
    )
    assert by_disk[flying]['in_flight'][0]['id'] in {staged['id'], staged['dr_copy_id']}
    assert read['leftovers']['shares'] == []
