"""Consistency groups in DR runs on the clouds' emulators, through the real SDKs (issue 49): on ECS and CBS (fakecloud) a
newer snapshot group with a failed member is torn and the whole one before it is copied, each copy naming its set; on
ECS, CBS and EBS (moto's server) a stale group gets one fresh set through the group API (CreateSnapshotGroup,
CreateSnapshots), never a snapshot a disk."""

from __future__ import annotations

import re

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import PENDING
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import GROUP_TAG, SET_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.fresh import FRESH_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import PROTECTED
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)

SELECTOR = {'dr': 'yes'}
REGIONS = {'ecs': ('cn-hangzhou', 'cn-shanghai'), 'cbs': ('ap-guangzhou', 'ap-shanghai')}
INSTANCES = {'ecs': 'i-db01', 'cbs': 'ins-db000001'}


def seed_database(cloud, provider):
    """An instance with a system disk and two tagged data disks (a group by instance): the data disks, as the adapter
    finds them."""
    source = REGIONS[provider][0]
    specs = [
        {'region': source, 'instance_id': INSTANCES[provider], 'size': 40, 'tags': dict(SELECTOR)} for dummy in range(3)
    ]
    specs[0]['type'] = 'system'
    specs[0]['tags'] = {}
    cloud.admin.seed(**{provider: {'disks': specs}})
    return fakecloud_adapter(cloud, provider).find_disks(source, dict(SELECTOR))


def source_sets(adapter, region, source=None):
    """{source snapshot id: the set its copies name} of every DR copy in ``region`` (of ``source``'s snapshots when
    given: moto keeps one state per process, which other test modules' runs share), and the groups they name."""
    copies = [
        copy for copy in adapter.list_copies(region) if source is None or copy.tags[SOURCE_TAG].startswith(source + '/')
    ]
    return (
        {copy.tags[SOURCE_TAG].partition('/')[2]: copy.tags.get(SET_TAG) for copy in copies},
        {copy.tags.get(GROUP_TAG) for copy in copies},
    )


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_torn_group_is_not_copied_the_whole_one_before_it_is(fakecloud_clean, provider):
    cloud = fakecloud_clean
    source, dr_region = REGIONS[provider]
    cloud.admin.configure(timings={provider: {'snapshot_seconds': 1, 'copy_seconds': 5}})
    disks = seed_database(cloud, provider)
    adapter = fakecloud_adapter(cloud, provider)
    whole, members = adapter.sets.create_snapshot_set(source, disks, 'db-whole', 'whole', {})
    cloud.admin.advance_clock(10)
    cloud.admin.faults(torn_groups={provider: {'outcome': 'failed', 'count': 1}})
    torn, dummy = adapter.sets.create_snapshot_set(source, disks, 'db-torn', 'torn', {})
    cloud.admin.advance_clock(10)
    report = dr_run_with(
        adapter,
        scope(provider, source, [dr_region], SELECTOR, consistency_groups='instance'),
        clock=CloudMovingClock(cloud),
    )
    assert report['protection']['status'] == PROTECTED, report['failures']
    group = report['disks'][0]['consistency_group']
    assert group['set_id'] == whole and [found['set_id'] for found in group['newer_sets']] == [torn]
    assert group['newer_sets'][0]['state'] == 'torn'
    # CBS's groups are of SnapshotGroupType NORMAL, "非一致性快照" by its model: a set, never called crash-consistent.
    assert group['crash_consistent'] is (provider == 'ecs')
    warned = [warning for warning in report['run_warnings'] if 'not called crash-consistent' in warning]
    assert len(warned) == (provider == 'cbs') and all('普通快照组，非一致性快照' in warning for warning in warned)
    # And the pages say no more of them than the cloud does.
    for page in (dr_report_markdown(dict(report, account=None)), dr_report_html(dict(report, account=None))):
        said = 'does not call the sets of %s crash-consistent' % group['name']
        assert (said in page) is (provider == 'cbs')
    sets, groups = source_sets(adapter, dr_region)
    assert sets == {snapshot.id: whole for snapshot in members}
    assert groups == {INSTANCES[provider]}


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_stale_group_gets_one_fresh_group_snapshot_and_no_snapshot_a_disk(fakecloud_clean, provider):
    cloud = fakecloud_clean
    source, dr_region = REGIONS[provider]
    cloud.admin.configure(timings={provider: {'snapshot_seconds': 5, 'copy_seconds': 5}})
    disks = seed_database(cloud, provider)
    adapter = fakecloud_adapter(cloud, provider)
    cloud.admin.calls(reset=True)
    report = dr_run_with(
        adapter,
        scope(provider, source, [dr_region], SELECTOR, consistency_groups='instance', max_snapshot_age_hours=24),
        clock=CloudMovingClock(cloud),
    )
    calls = fakecloud_calls(cloud)
    assert calls.get('CreateSnapshotGroup') == 1 and 'CreateSnapshot' not in calls
    assert report['protection']['status'] == PROTECTED, report['failures']
    made = report['disks'][0]['consistency_group']['set_id']
    sets, dummy = source_sets(adapter, dr_region)
    assert sorted(sets) == sorted(disk['source_snapshot']['id'] for disk in report['disks'])
    assert set(sets.values()) == {made} and len(sets) == len(disks) == 2
    # A rerun finds the set's copies: nothing made again.
    cloud.admin.calls(reset=True)
    again = dr_run_with(
        adapter,
        scope(provider, source, [dr_region], SELECTOR, consistency_groups='instance', max_snapshot_age_hours=24),
        clock=CloudMovingClock(cloud),
    )
    assert again['totals']['copied'] == 0 and again['totals']['fresh_snapshots'] == 0
    assert 'CreateSnapshotGroup' not in fakecloud_calls(cloud)


def test_a_stale_group_on_ebs_gets_one_create_snapshots_call(moto_url, moto_calls):
    source, dr_region = 'ca-central-1', 'sa-east-1'
    keys = {'access_key': 'AKIASNAPCOPYGROUPS01', 'secret_key': 'snapcopy-groups-secret'}
    client = ec2_with(moto_url, keys, source)
    zone = source + 'a'
    (instance,) = client.run_instances(
        ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': zone}
    )['Instances']
    for device in ('/dev/sdf', '/dev/sdg'):
        volume = client.create_volume(
            Size=2,
            AvailabilityZone=zone,
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'dr', 'Value': 'yes'}]}],
        )['VolumeId']
        client.attach_volume(VolumeId=volume, InstanceId=instance['InstanceId'], Device=device)
    adapter = EbsAdapter(AwsClient(dict(keys, endpoint_url=moto_url), botocore_module=botocore))
    moto_calls.clear()
    report = dr_run_with(
        adapter,
        scope('aws', source, [dr_region], SELECTOR, consistency_groups='instance', max_snapshot_age_hours=24),
        connection=dict(keys, endpoint_url=moto_url),
        clock=FakeClock(),
    )
    assert moto_calls.get('CreateSnapshots') == 1 and 'CreateSnapshot' not in moto_calls
    assert report['protection']['status'] == PROTECTED, report['failures']
    sets, groups = source_sets(adapter, dr_region, source)
    made = report['disks'][0]['consistency_group']['set_id']
    assert len(sets) == 2 and set(sets.values()) == {made} and groups == {instance['InstanceId']}


def test_an_ecs_group_is_read_back_as_asked_and_its_members_with_their_progress(fakecloud_clean):
    """What the DR run asks of CreateSnapshotGroup (its name, its description, the run's stamp, which ECS puts on the
    group and not on its members: CreateSnapshotGroupRequest.Tag) is what DescribeSnapshotGroups reads back; a member
    still being made is read with its progress, which a copy that cannot wait for it names (engine.sources)."""
    cloud = fakecloud_clean
    source = REGIONS['ecs'][0]
    cloud.admin.configure(timings={'ecs': {'snapshot_seconds': 100}})
    disks = seed_database(cloud, 'ecs')
    sets = fakecloud_adapter(cloud, 'ecs').sets
    stamp = {FRESH_TAG: '2026-11-29T01:00:00Z'}
    group_id, members = sets.create_snapshot_set(source, disks, 'db-set', 'Fresh snapshot for DR', stamp)
    assert sorted(member.volume_id for member in members) == sorted(disk.id for disk in disks)
    assert {(member.state, member.progress) for member in members} == {(PENDING, 0)}, members
    answer = sets.adapter.client.call(
        'DescribeSnapshotGroups', {'RegionId': source, 'SnapshotGroupId.1': group_id}, source
    )
    (group,) = answer['SnapshotGroups']['SnapshotGroup']
    assert (group['Name'], group['Description']) == ('db-set', 'Fresh snapshot for DR'), group
    assert {tag['Key']: tag['Value'] for tag in group['Tags']['Tag']} == stamp, group['Tags']


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_lost_answer_to_the_group_call_makes_no_second_set(fakecloud_clean, provider):
    """ECS's CreateSnapshotGroup carries a token; CBS's carries none, and tags the group, not its members: the run looks
    up the set its lost call made (one snapshot of every disk, made since the run began) before it sends again."""
    cloud = fakecloud_clean
    source, dr_region = REGIONS[provider]
    cloud.admin.configure(timings={provider: {'snapshot_seconds': 5, 'copy_seconds': 5}})
    disks = seed_database(cloud, provider)
    adapter = fakecloud_adapter(cloud, provider)
    cloud.admin.faults(
        {'rules': [{'cloud': provider, 'action': 'CreateSnapshotGroup', 'lost_answer_rate': 1.0, 'count': 1}]}
    )
    report = dr_run_with(
        adapter,
        scope(provider, source, [dr_region], SELECTOR, consistency_groups='instance', max_snapshot_age_hours=24),
        clock=CloudMovingClock(cloud),
    )
    assert report['protection']['status'] == PROTECTED, report['failures']
    snapshots = adapter.disk_snapshots(source, disks)
    assert sorted(len(found) for found in snapshots.values()) == [1, 1]  # one set: a snapshot of each disk
    made = report['disks'][0]['consistency_group']['set_id']
    assert set(adapter.sets.read_sets(source, disks, snapshots).sets.values()) == {made}


def test_ens_refuses_groups_before_any_call(fakecloud_clean):
    """ENS's model (ens 2017-11-10) has no call that snapshots disks together: the option is refused, not ignored."""
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(InputError, match='Alibaba Cloud ENS has no API that snapshots disks together') as refused:
        dr_run_with(
            fakecloud_adapter(fakecloud_clean, 'ens'),
            scope('ens', 'cn-hangzhou-telecom', ['cn-beijing-cmcc'], SELECTOR, consistency_groups='instance'),
            clock=FakeClock(),
        )
    assert refused.value.option == 'consistency_groups'
    assert fakecloud_calls(fakecloud_clean) == {}


def test_a_torn_create_snapshots_set_on_ebs_is_not_copied_the_whole_one_before_it_is(moto_url):
    """EBS (moto's server and the suites' EBS layer): a whole CreateSnapshots set, then one whose log member is held
    pending (in flight: the whole set is copied), then fails (torn: still the whole set)."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault

    source, dr_region = 'eu-west-2', 'eu-north-1'
    keys = {'access_key': 'AKIASNAPCOPYGROUPS02', 'secret_key': 'snapcopy-groups-secret'}
    account = '123456789012'  # moto's account of these keys
    client = ec2_with(moto_url, keys, source)
    zone = source + 'a'
    (instance,) = client.run_instances(
        ImageId='ami-12345678', MinCount=1, MaxCount=1, Placement={'AvailabilityZone': zone}
    )['Instances']
    volumes = []
    for device in ('/dev/sdf', '/dev/sdg'):
        volume = client.create_volume(
            Size=2,
            AvailabilityZone=zone,
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'dr', 'Value': 'yes'}]}],
        )['VolumeId']
        client.attach_volume(VolumeId=volume, InstanceId=instance['InstanceId'], Device=device)
        volumes.append(volume)
    specification = {'InstanceId': instance['InstanceId'], 'ExcludeBootVolume': True}

    def marked(value):
        # Each set marked by the user's own tag (consistency_set_tag): a shared StartTime alone is no set (issue 61).
        return [{'ResourceType': 'snapshot', 'Tags': [{'Key': 'backup-set', 'Value': value}]}]

    whole = client.create_snapshots(
        InstanceSpecification=specification, Description='nightly', TagSpecifications=marked('one')
    )['Snapshots']
    # The next set two seconds on by the cloud's clock (the layer's start times are whole seconds, EC2's finer).
    ebs_vault.HELD_VOLUMES.add((account, source, volumes[1]))
    ebs_vault.CLOCK['offset'] += 2
    try:
        torn = client.create_snapshots(
            InstanceSpecification=specification, Description='nightly', TagSpecifications=marked('two')
        )['Snapshots']
    finally:
        ebs_vault.HELD_VOLUMES.discard((account, source, volumes[1]))
        ebs_vault.CLOCK['offset'] -= 2
    held = next(snapshot['SnapshotId'] for snapshot in torn if snapshot['VolumeId'] == volumes[1])
    adapter = EbsAdapter(AwsClient(dict(keys, endpoint_url=moto_url), botocore_module=botocore))
    connection = dict(keys, endpoint_url=moto_url)
    options = scope(
        'aws', source, [dr_region], SELECTOR, consistency_groups='instance', consistency_set_tag='backup-set'
    )
    for outcome in ('in_flight', 'torn'):
        if outcome == 'torn':
            ebs_vault.fail_snapshot(account, source, held)
        report = dr_run_with(adapter, options, connection=connection, clock=FakeClock())
        assert report['protection']['status'] == PROTECTED, report['failures']
        group = report['disks'][0]['consistency_group']
        assert [found['state'] for found in group['newer_sets']] == [outcome]
        assert sorted(disk['source_snapshot']['id'] for disk in report['disks']) == sorted(
            snapshot['SnapshotId'] for snapshot in whole
        )
    sets, dummy = source_sets(adapter, dr_region, source)
    assert sorted(sets) == sorted(snapshot['SnapshotId'] for snapshot in whole) and len(set(sets.values())) == 1


ECS_LIMIT_CASES = {
    # case: (the odd disk's seed, the words of the refusal, whether the refusal names the odd disk)
    'not of the ESSD family': ({'category': 'cloud_efficiency'}, 'ESSD, ESSD AutoPL and ESSD Entry disks only', True),
    'multi-attach enabled': ({'multi_attach': 'Enabled'}, 'multi-attach enabled', True),
    'more than 32 TiB': ({'size': 32 * 1024}, '32768 GiB (32 TiB) at most', True),
    '17 disks': ({}, 'holds 17 disks: a set of Alibaba Cloud ECS holds 16 at most', False),
}


@pytest.mark.parametrize('case', sorted(ECS_LIMIT_CASES))
def test_an_ecs_group_over_the_api_references_limits_is_refused_before_any_call(fakecloud_clean, case):
    """ECS (fakecloud, which refuses such a group as the API reference says): a group of 16 disks at most, 32 TiB, of the
    ESSD family and no multi-attach disk. The run names the group and the disk, calls no CreateSnapshotGroup for it, and
    another instance's group is made and copied as before."""
    cloud = fakecloud_clean
    source, dr_region = REGIONS['ecs']
    odd_seed, words, names_disk = ECS_LIMIT_CASES[case]
    cloud.admin.configure(timings={'ecs': {'snapshot_seconds': 5, 'copy_seconds': 5}})
    count = 16 if case == '17 disks' else 1
    base = {'region': source, 'instance_id': 'i-big01', 'size': 40, 'tags': dict(SELECTOR)}
    specs = [dict(base) for dummy in range(count)] + [dict(base, **odd_seed)]
    specs += [{'region': source, 'instance_id': 'i-app01', 'size': 40, 'tags': dict(SELECTOR)} for dummy in range(2)]
    created = cloud.admin.seed(ecs={'disks': specs})['ecs']['disks']
    odd = created[count]
    adapter = fakecloud_adapter(cloud, 'ecs')
    cloud.admin.calls(reset=True)
    report = dr_run_with(
        adapter,
        scope('ecs', source, [dr_region], SELECTOR, consistency_groups='instance', max_snapshot_age_hours=24),
        clock=CloudMovingClock(cloud),
    )
    refusals = [failure for failure in report['failures'] if failure.startswith('consistency group i-big01')]
    assert refusals and words in refusals[0], report['failures']
    assert not names_disk or odd in refusals[0]
    # Said once for the group, naming its disks: never max_snapshot_age_hours, which cannot help.
    (big_disks,) = [failure for failure in report['failures'] if 'i-big01 can have no set made' in failure]
    assert 'max_snapshot_age_hours' not in big_disks and odd in big_disks
    # One group made: i-app01's, whose two disks are copied; nothing of i-big01's is snapshotted or copied.
    assert fakecloud_calls(cloud).get('CreateSnapshotGroup') == 1
    sets, groups = source_sets(adapter, dr_region)
    assert groups == {'i-app01'} and len(sets) == 2
    # The adapter's own check, before the call, for a caller that skips the read.
    big = [disk for disk in adapter.find_disks(source, dict(SELECTOR)) if disk.instance_id == 'i-big01']
    assert len(big) == count + 1
    cloud.admin.calls(reset=True)
    with pytest.raises(InputError, match=re.escape(words if case != '17 disks' else '16 disks at most')):
        adapter.sets.create_snapshot_set(source, big, None, 'fresh set', {})
    assert 'CreateSnapshotGroup' not in fakecloud_calls(cloud)
