"""The restore drill on Alibaba Cloud ECS and ENS and on Tencent Cloud CBS, through the real SDKs against fakecloud:
the disk calls each cloud's model documents, a test disk that fails, a lost answer, check mode, and leftovers."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    DISK_TAG,
    RESTORE_RUN_TAG,
    RESTORE_SCOPE_TAG,
    RESTORE_TESTED_TAG,
    RESTORE_UNTIL_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import TEST_DISK_PREFIX, scope_key
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, retry_on

ALIBABA = {
    'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
    'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
    'alicloud_security_token': None,
    'validate_certs': True,
    'connect_timeout': 5,
    'read_timeout': 10,
}
TENCENT = {
    'secret_id': credentials.TENCENT_SECRET_ID,
    'secret_key': credentials.TENCENT_SECRET_KEY,
    'security_token': None,
    'validate_certs': True,
    'connect_timeout': 5,
    'read_timeout': 10,
}
# provider: (adapter, connection, source region, DR region, the disk-making actions)
CLOUDS = {
    'ecs': (EcsAdapter, ALIBABA, 'cn-hangzhou', 'cn-shanghai', ('CreateDisk', 'DeleteDisk', 'TagResources')),
    'ens': (
        EnsAdapter,
        ALIBABA,
        'cn-hangzhou-26',
        'cn-beijing-cmcc',
        ('CreateDisk', 'DeleteDisk', 'ModifySnapshotAttribute'),
    ),
    'cbs': (CbsAdapter, TENCENT, 'ap-guangzhou', 'ap-shanghai', ('CreateDisks', 'TerminateDisks', 'TagResources')),
}
FAST = {'snapshot_seconds': 0.3, 'copy_seconds': 0.3, 'disk_seconds': 0.5}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={name: dict(FAST) for name in ('ecs', 'ens', 'cbs')})
    return fakecloud_clean


def dr_run(cloud, provider, check_mode=False, clock=None, **options):
    adapter_class, connection, source, dr_region, dummy = CLOUDS[provider]
    # The run's time and waits are its backoff's: on ``clock`` when one is given.
    retry = retry_on(clock)
    adapter = adapter_class.from_connection(
        dict(connection, endpoint_url=cloud.url), check_mode=check_mode, retry=retry
    )
    return dr_run_with(
        adapter,
        scope(
            provider,
            source,
            [dr_region],
            {'drill': 'yes'},
            **dict(
                {'wait_timeout': 120, 'poll_interval': 0.3, 'restore_test': True, 'restore_test_timeout': 60}, **options
            ),
        ),
        check_mode=check_mode,
        retry=retry,
        clock=clock,
    )


def seed(cloud, provider, disks=1):
    dummy, dummy, source, dummy, dummy = CLOUDS[provider]
    created = cloud.admin.seed(
        **{provider: {'disks': [{'region': source, 'size': 20, 'tags': {'drill': 'yes'}, 'snapshots': 1}] * disks}}
    )
    return created[provider]['disks']


def disks_in(cloud, provider, region):
    return cloud.admin.state(cloud=provider, region=region)[provider].get(region, {}).get('disks', [])


def drill_disks(cloud, provider, region):
    return [disk for disk in disks_in(cloud, provider, region) if RESTORE_RUN_TAG in (disk.get('tags') or {})]


def calls(cloud, provider, action):
    service = 'tag' if provider == 'cbs' and action == 'TagResources' else provider
    return cloud.admin.calls()['calls'].get(service, {}).get(action, {}).get('calls', 0)


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_drill_restores_the_copy_times_it_deletes_the_disk_and_marks_the_copy(cloud, provider):
    seed(cloud, provider)
    dr_region = CLOUDS[provider][3]
    report = dr_run(cloud, provider)
    (test,) = report['restore']['tests']
    assert test['result'] == 'passed', report['failures']
    assert test['seconds_to_usable'] >= 0.5 and test['test_disk']['action'] == 'deleted'
    assert not report['failures']
    assert drill_disks(cloud, provider, dr_region) == []
    create, delete, mark = CLOUDS[provider][4]
    assert (
        calls(cloud, provider, create) == 1
        and calls(cloud, provider, delete) == 1
        and calls(cloud, provider, mark) >= 1
    )
    copies = cloud.admin.state(cloud=provider, region=dr_region)[provider][dr_region]['snapshots']
    (tested,) = [snapshot for snapshot in copies if snapshot['id'] == test['copy_id']]
    if provider == 'ens':
        assert 'tested=' in tested['description'] and tested['description'].endswith(']')
    else:
        assert RESTORE_TESTED_TAG in tested['tags']
    if provider != 'ens':
        assert test['zone'] is not None and test['zone'] == report['restore']['regions'][0]['zone']
    # The mark makes the next drill find the copy tested: a rerun restores again, and nothing is copied twice.
    unanswered = dr_run(cloud, provider)
    assert unanswered['totals']['existing'] == 1 and unanswered['restore']['totals']['passed'] == 1
    assert calls(cloud, provider, create) == 2


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_disk_that_fails_to_be_made_fails_the_test_and_leaves_nothing(cloud, provider):
    seed(cloud, provider)
    dr_region = CLOUDS[provider][3]
    dr_run(cloud, provider, restore_test=False)
    cloud.admin.faults({'failing_disks': {provider: {'regions': [dr_region]}}})
    # CBS lists a disk only once it is made: one that fails is never seen, and its test times out. The run's time is a
    # fake clock that moves fakecloud's as far as the run sleeps: no real 10 s waited out, and however slow the machine,
    # the disk fails (ECS, ENS) well before the drill's time is up.
    report = dr_run(cloud, provider, clock=CloudMovingClock(cloud), restore_test_timeout=10)
    (test,) = report['restore']['tests']
    assert test['result'] == ('timed_out' if provider == 'cbs' else 'failed')
    assert report['failures'] and 'restore test in %s' % dr_region in report['failures'][0]
    assert drill_disks(cloud, provider, dr_region) == []


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_check_mode_plans_the_drill_and_sends_no_mutating_call(cloud, provider):
    seed(cloud, provider)
    dr_run(cloud, provider, restore_test=False)
    before = cloud.admin.calls()['total_mutations']
    made_before = [calls(cloud, provider, action) for action in CLOUDS[provider][4]]
    report = dr_run(cloud, provider, check_mode=True)
    assert [test['result'] for test in report['restore']['tests']] == ['would_test']
    assert cloud.admin.calls()['total_mutations'] == before
    # Not even sent: the disk calls and the mark are counted whether or not they changed anything.
    assert [calls(cloud, provider, action) for action in CLOUDS[provider][4]] == made_before


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_leftovers_of_a_killed_drill_are_deleted_and_other_disks_kept(cloud, provider):
    seed(cloud, provider)
    dr_region = CLOUDS[provider][3]
    dr_run(cloud, provider, restore_test=False)
    scope = scope_key(CLOUDS[provider][2], {'drill': 'yes'})
    zone = {'ecs': 'cn-shanghai-a', 'ens': None, 'cbs': 'ap-shanghai-1'}[provider]
    # A killed run's disk: the time its run was over by has passed (20261101T020000Z).
    marks = {
        RESTORE_RUN_TAG: '20261101T000000Z-000001',
        RESTORE_SCOPE_TAG: scope,
        RESTORE_UNTIL_TAG: '20261101T020000Z',
    }
    # Made ten minutes ago: another scope's test disk that young, without an until, may be in the middle of its drill.
    left = [
        {
            'region': dr_region,
            'zone': zone,
            'size': 20,
            'name': TEST_DISK_PREFIX + '20261101T000000Z-000001',
            'tags': marks,
        },
        {'region': dr_region, 'zone': zone, 'size': 20, 'name': 'db-restored-by-hand', 'tags': marks},
        {
            'region': dr_region,
            'zone': zone,
            'size': 20,
            'name': TEST_DISK_PREFIX + 'theirs',
            'tags': {RESTORE_RUN_TAG: 'theirs', RESTORE_SCOPE_TAG: 'another-scope'},
        },
    ]
    left = [dict(disk, age_seconds=600) for disk in left]
    seeded = cloud.admin.seed(
        **{provider: {'disks': [{key: value for key, value in disk.items() if value is not None} for disk in left]}}
    )
    leftover, by_hand, theirs = seeded[provider]['disks']
    report = dr_run(cloud, provider)
    assert [(record['test_disk_id'], record['action']) for record in report['restore']['leftovers']] == [
        (leftover, 'deleted')
    ]
    remaining = {disk['id'] for disk in disks_in(cloud, provider, dr_region)}
    assert leftover not in remaining and {by_hand, theirs} <= remaining
    assert report['restore']['totals']['passed'] == 1 and report['changed']


def test_a_lost_answer_of_ens_createdisk_is_looked_up_and_not_sent_again(cloud):
    seed(cloud, 'ens')
    dr_run(cloud, 'ens', restore_test=False)
    cloud.admin.faults({'rules': [{'cloud': 'ens', 'action': 'CreateDisk', 'lost_answer_rate': 1.0, 'count': 1}]})
    report = dr_run(cloud, 'ens')
    assert report['restore']['totals']['passed'] == 1
    assert calls(cloud, 'ens', 'CreateDisk') == 1  # ENS's CreateDisk has no token: found by its tags, not resent
    assert drill_disks(cloud, 'ens', 'cn-beijing-cmcc') == []


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_lost_answer_of_a_call_with_a_token_is_resent_with_it_and_makes_one_disk(cloud, provider):
    seed(cloud, provider)
    dr_run(cloud, provider, restore_test=False)
    create = CLOUDS[provider][4][0]
    cloud.admin.faults({'rules': [{'cloud': provider, 'action': create, 'lost_answer_rate': 1.0, 'count': 1}]})
    report = dr_run(cloud, provider)
    assert report['restore']['totals']['passed'] == 1
    # A second disk would have been found by the run's tag at the end and deleted too.
    assert calls(cloud, provider, CLOUDS[provider][4][1]) == 1
    assert drill_disks(cloud, provider, CLOUDS[provider][3]) == []


def test_a_zone_the_cloud_does_not_offer_is_refused_with_the_option_named(cloud):
    seed(cloud, 'ecs')
    report = dr_run(cloud, 'ecs', restore_test_zones={'cn-shanghai': 'cn-shanghai-z'})
    assert report['restore']['tests'] == []
    assert any(
        'restore_test_zones: cn-shanghai offers no zone cn-shanghai-z' in failure for failure in report['failures']
    )


def test_a_cbs_copy_of_a_system_disk_is_passed_over_with_the_reason(cloud):
    cloud.admin.seed(
        cbs={
            'disks': [
                {'region': 'ap-guangzhou', 'size': 50, 'type': 'system', 'tags': {'drill': 'yes'}, 'snapshots': 1}
            ]
        }
    )
    report = dr_run(cloud, 'cbs')
    assert report['restore']['tests'] == []
    assert any('copy of a system disk: restore it through an image' in failure for failure in report['failures'])
    assert calls(cloud, 'cbs', 'CreateDisks') == 0


def test_a_cbs_drill_on_cloud_bssd_asks_the_quota_unfiltered_and_makes_that_type(cloud):
    """DescribeDiskConfigQuota's DiskTypes filter has no CLOUD_BSSD (cbs 2017-03-12 model), though CreateDisks makes it
    and the answer's rows carry it: the drill reads the rows unfiltered and picks the type's zone and smallest size
    (20 GiB for CLOUD_BSSD, more than the 10 GiB disk the copy is of)."""
    cloud.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'size': 10, 'tags': {'drill': 'yes'}, 'snapshots': 1}]})
    report = dr_run(cloud, 'cbs', restore_test_disk_type='CLOUD_BSSD')
    (test,) = report['restore']['tests']
    assert test['result'] == 'passed', report['failures']
    assert (test['disk_type'], test['zone']) == ('CLOUD_BSSD', 'ap-shanghai-1')
    assert calls(cloud, 'cbs', 'DescribeDiskConfigQuota') >= 1 and calls(cloud, 'cbs', 'CreateDisks') == 1


def test_an_ecs_drill_on_a_regional_disk_names_no_zone(cloud):
    """ "You do not need to specify ZoneId for a cloud_regional_disk_auto cloud disk" (ecs-20140526 CreateDiskRequest):
    the drill asks for no zone, sends none, and a zone given for such a disk is refused before any call."""
    seed(cloud, 'ecs')
    report = dr_run(cloud, 'ecs', restore_test_disk_type='cloud_regional_disk_auto')
    (test,) = report['restore']['tests']
    assert test['result'] == 'passed', report['failures']
    assert test['zone'] is None and report['restore']['regions'][0]['zone'] is None
    assert calls(cloud, 'ecs', 'DescribeZones') == 0 and calls(cloud, 'ecs', 'CreateDisk') == 1
    with pytest.raises(InputError) as info:
        dr_run(
            cloud,
            'ecs',
            restore_test_disk_type='cloud_regional_disk_auto',
            restore_test_zones={'cn-shanghai': 'cn-shanghai-a'},
        )
    assert info.value.option == 'restore_test_zones' and 'spans the zones' in info.value.message


def test_pruning_never_forces_the_deletion_of_an_ecs_copy_a_disk_was_made_from(cloud):
    """ECS DeleteSnapshot refuses a snapshot a disk was made from unless Force is true (SnapshotCreatedDisk, the ECS
    DeleteSnapshot reference): a person who restored from an old DR copy keeps it, the run says why and does not fail,
    and once the disk is gone the next run prunes the copy."""
    (disk,) = seed(cloud, 'ecs')
    dr_run(cloud, 'ecs', restore_test=False)
    old_source = 's-old0000000000000001'
    (old_copy,) = cloud.admin.seed(
        ecs={
            'snapshots': [
                {
                    'region': 'cn-shanghai',
                    'source_snapshot_id': old_source,
                    'source_region': 'cn-hangzhou',
                    'is_copy': True,
                    'age_seconds': 9 * 86400,
                    'tags': {SOURCE_TAG: 'cn-hangzhou/' + old_source, DISK_TAG: 'cn-hangzhou/' + disk},
                }
            ]
        }
    )['ecs']['snapshots']
    (restored,) = cloud.admin.seed(
        ecs={'disks': [{'region': 'cn-shanghai', 'source_snapshot_id': old_copy, 'size': 20}]}
    )['ecs']['disks']

    report = dr_run(cloud, 'ecs', restore_test=False, prune=True, keep_copies=1)
    (record,) = report['disks'][0]['pruned']
    assert (record['snapshot_id'], record['action']) == (old_copy, 'kept_in_use') and 'SnapshotCreatedDisk' in record[
        'reason'
    ]
    assert not report['failures'] and report['totals']['pruned'] == 0
    assert any(old_copy in warning and 'SnapshotCreatedDisk' in warning for warning in report['run_warnings'])
    assert old_copy in {
        snapshot['id']
        for snapshot in cloud.admin.state(cloud='ecs', region='cn-shanghai')['ecs']['cn-shanghai']['snapshots']
    }

    EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url)).drill.delete_test_disk(
        'cn-shanghai', restored
    )  # the person's DeleteDisk
    report = dr_run(cloud, 'ecs', restore_test=False, prune=True, keep_copies=1)
    assert [(record['snapshot_id'], record['action']) for record in report['disks'][0]['pruned']] == [
        (old_copy, 'deleted')
    ]
