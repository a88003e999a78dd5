"""The ECS adapter and the engine, driving the real aliyun SDK against fakecloud over HTTP.

Nothing is stubbed: every call is signed by aliyunsdkcore, sent to the emulator, and checked
there. Assertions are on what the emulator holds and counts (/_admin/state, /_admin/calls).
"""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import build_ecs_request, client_token
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import LockSettings
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    FATAL,
    INVALID,
    NOT_FOUND,
    CloudError,
    InputError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import MAX_TOKEN_ROUNDS, CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    EXISTING,
    WOULD_COPY,
    EngineConfig,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import run_copy_module
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.input_rules import accepted

SOURCE_REGION = 'cn-hangzhou'
DR = 'cn-beijing'


@pytest.fixture
def cloud(fakecloud_clean):
    """The emulator, reset, with copies that take a moment (long enough to see them in flight)."""
    fakecloud_clean.admin.configure(timings={'ecs': {'snapshot_seconds': 0.6, 'copy_seconds': 0.6}})
    return fakecloud_clean


def connection(cloud, **overrides):
    conn = {
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'alicloud_security_token': None,
        'endpoint_url': cloud.url,
        'validate_certs': True,
        'connect_timeout': 5,
        'read_timeout': 10,
    }
    conn.update(overrides)
    return conn


def seed_source(cloud, **snapshot):
    created = cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': [snapshot]}]})
    return created['ecs']['snapshots'][0]


def copies_in(cloud, region, source_id):
    snapshots = cloud.admin.state(cloud='ecs', region=region)['ecs'].get(region, {'snapshots': []})['snapshots']
    return [snapshot for snapshot in snapshots if snapshot['source_snapshot_id'] == source_id]


def calls(cloud, action):
    return cloud.admin.calls()['calls'].get('ecs', {}).get(action, {'calls': 0, 'errors': 0, 'mutations': 0})


def engine(cloud, check_mode=False, wait=False, timeout=30, **conn):
    adapter = EcsAdapter.from_connection(connection(cloud, **conn))
    return CopyEngine(
        adapter,
        EngineConfig(check_mode=check_mode, wait=wait, timeout=timeout, poll_interval=0.2),
        backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05),
    )


def request(source_id, destination=DR, **options):
    return CopyRequest(source_id, SOURCE_REGION, [destination], options)


def module_params(cloud, source_id, **params):
    values = dict(
        connection(cloud),
        source_snapshot_id=source_id,
        source_region=SOURCE_REGION,
        destination_region=DR,
        name=None,
        description=None,
        retention_days=None,
        tags=None,
        encrypted=False,
        kms_key_id=None,
        wait=False,
        wait_timeout=30,
        poll_interval=0.2,
        on_mismatch='fail',
    )
    values.update(params)
    return values


def run_module(cloud, source_id, check_mode=False, diff=False, **params):
    with pytest.raises(ModuleExit) as info:
        run_copy_module(
            FakeModule(module_params(cloud, source_id, **params), check_mode, diff), build_ecs_request, EcsAdapter
        )
    return info.value


# ---------------------------------------------------------------------------- copy, rerun
def test_copy_then_rerun_makes_one_copy_with_name_tags_and_retention(cloud):
    source = seed_source(cloud)
    options = {'name': 'dr-copy', 'description': 'DR copy', 'retention_days': 7, 'tags': {'purpose': 'dr', 'n': 1}}
    first = run_module(cloud, source, **options)
    second = run_module(cloud, source, **options)

    assert not first.failed and first.result['changed']
    assert first.result['snapshots'][0]['action'] == COPIED
    assert not second.failed and not second.result['changed']
    assert second.result['snapshots'][0]['action'] == EXISTING
    assert second.result['snapshot_id'] == first.result['snapshot_id'] == first.result['copy_snapshot_id'] != source
    (copy,) = copies_in(cloud, DR, source)
    assert copy['id'] == first.result['snapshot_id']
    assert copy['name'] == 'dr-copy' and copy['description'] == 'DR copy' and copy['retention_days'] == 7
    assert copy['tags'] == {'purpose': 'dr', 'n': '1', SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source)}
    assert calls(cloud, 'CopySnapshot')['mutations'] == 1
    assert second.result['source_snapshot']['state'] == 'accomplished'
    # The task's line says what each run did, with the copy's id and the cloud's word for its state.
    made = first.result['snapshot_id']
    assert first.result['msg'] == 'Alibaba Cloud ECS snapshot %s in %s: %s: copied to %s (%s)' % (
        source,
        SOURCE_REGION,
        DR,
        made,
        first.result['snapshots'][0]['state'],
    ), first.result['msg']
    assert second.result['msg'].endswith(
        ': %s: copy %s already exists (%s)' % (DR, made, second.result['snapshots'][0]['state'])
    ), second.result['msg']


def test_destination_regions_makes_a_copy_in_each_and_a_rerun_finds_them(cloud):
    """As the CBS and ENS modules take them: a list of regions, one copy each; no single snapshot_id then."""
    source = seed_source(cloud)
    first = run_module(cloud, source, destination_region=None, destination_regions=[DR, 'cn-shanghai'])
    again = run_module(cloud, source, destination_region=None, destination_regions=[DR, 'cn-shanghai'])

    assert not first.failed and first.result['changed'], first.result
    assert [entry['region'] for entry in first.result['snapshots']] == [DR, 'cn-shanghai']
    assert 'snapshot_id' not in first.result and 'copy_snapshot_id' not in first.result
    assert not again.result['changed']
    assert len(copies_in(cloud, DR, source)) == len(copies_in(cloud, 'cn-shanghai', source)) == 1
    assert calls(cloud, 'CopySnapshot')['mutations'] == 2


def test_retention_days_0_keeps_the_copy_until_it_is_deleted_as_the_role_documents(cloud):
    """0 is what the role's dr_copy_retention_days defaults to: the copy is never released (no RetentionDays sent), and
    a rerun with 0, or without the option, finds that copy and changes nothing."""
    source = seed_source(cloud)
    first = run_module(cloud, source, retention_days=0)
    again = run_module(cloud, source, retention_days=0)
    unset = run_module(cloud, source)

    assert not first.failed and first.result['changed'], first.result
    assert not again.result['changed'] and not unset.result['changed']
    (copy,) = copies_in(cloud, DR, source)
    assert copy['retention_days'] is None
    assert calls(cloud, 'CopySnapshot')['mutations'] == 1


@pytest.mark.parametrize(
    'first, second, differing',
    [
        ({}, {'encrypted': True}, {'encrypted': {'asked': True, 'found': False}}),
        (
            {'encrypted': True, 'kms_key_id': 'key-a'},
            {'encrypted': True, 'kms_key_id': 'key-b'},
            {'kms_key_id': {'asked': 'key-b', 'found': 'key-a'}},
        ),
        (
            {'tags': {'team': 'db'}},
            {'tags': {'team': 'web'}},
            {'tags': {'asked': {'team': 'web'}, 'found': {'team': 'db'}}},
        ),
        ({'name': 'dr-a'}, {'name': 'dr-b'}, {'name': {'asked': 'dr-b', 'found': 'dr-a'}}),
        ({'retention_days': 7}, {'retention_days': 30}, {'retention_days': {'asked': 30, 'found': 7}}),
    ],
)
def test_a_copy_that_differs_from_the_request_is_never_used_silently(cloud, first, second, differing):
    """What ECS lets us read back off a copy (DescribeSnapshots: Encrypted, KMSKeyId, Tags, SnapshotName,
    RetentionDays) is compared with what the task asks."""
    source = seed_source(cloud)
    made = run_module(cloud, source, **first)
    old_id = made.result['snapshot_id']
    failed = run_module(cloud, source, **second)
    entry = failed.result['snapshots'][0]
    assert failed.failed and entry['action'] == 'not_copied' and entry['error']['code'] == 'ExistingCopyDiffers'
    assert entry['mismatch'] == {'snapshot_id': old_id, 'differences': differing}
    assert 'on_mismatch: new_copy' in failed.result['msg']
    used = run_module(cloud, source, on_mismatch='warn', **second)
    assert not used.failed and not used.result['changed'] and used.result['snapshot_id'] == old_id
    assert len(used.warnings) == 1 and old_id in used.warnings[0]
    assert calls(cloud, 'CopySnapshot')['mutations'] == 1
    replaced = run_module(cloud, source, on_mismatch='new_copy', **second)
    assert not replaced.failed and replaced.result['changed'] and replaced.result['snapshot_id'] != old_id
    assert replaced.result['snapshots'][0]['mismatch']['snapshot_id'] == old_id
    assert {copy['id'] for copy in copies_in(cloud, DR, source)} == {old_id, replaced.result['snapshot_id']}
    unanswered = run_module(cloud, source, **second)
    assert (
        not unanswered.failed
        and not unanswered.result['changed']
        and unanswered.result['snapshot_id'] == replaced.result['snapshot_id']
    )


def test_copy_is_sent_in_the_source_region_with_a_deterministic_client_token(cloud):
    source = seed_source(cloud)
    run_module(cloud, source, tags={'purpose': 'dr'})
    (logged,) = [entry for entry in cloud.admin.calls()['log'] if entry['action'] == 'CopySnapshot']
    params = logged['params']
    assert params['RegionId'] == SOURCE_REGION and params['DestinationRegionId'] == DR
    assert params['SnapshotId'] == source
    tags = {params['Tag.%d.Key' % n]: params['Tag.%d.Value' % n] for n in (1, 2)}
    assert tags == {'purpose': 'dr', SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source)}


def test_client_token_is_deterministic_short_and_depends_on_the_options():
    base = request('s-abc', tags={'a': '1'}, name='x1')
    token = client_token(base, DR)
    assert token == client_token(request('s-abc', tags={'a': 1}, name='x1'), DR)
    assert len(token) <= 64 and token.isascii()
    assert token != client_token(base, 'cn-shanghai')
    assert token != client_token(request('s-abc', tags={'a': '2'}, name='x1'), DR)
    assert token != client_token(request('s-abc', tags={'a': '1'}, name='x2'), DR)
    assert token != client_token(request('s-abd', tags={'a': '1'}, name='x1'), DR)


def test_check_mode_makes_no_mutating_call_and_reports_the_plan(cloud):
    source = seed_source(cloud)
    cloud.admin.calls(reset=True)
    plan = run_module(cloud, source, check_mode=True, diff=True)
    report = cloud.admin.calls()
    assert report['total_mutations'] == 0
    assert set(report['calls']['ecs']) == {'DescribeSnapshots'}
    assert plan.result['changed'] and plan.result['snapshot_id'] is None
    assert plan.result['snapshots'][0]['action'] == WOULD_COPY
    assert plan.result['diff']['after']['copies'] == {DR: '(new copy)'}
    assert copies_in(cloud, DR, source) == []


def test_check_mode_after_the_copy_reports_no_change(cloud):
    source = seed_source(cloud)
    first = run_module(cloud, source)
    plan = run_module(cloud, source, check_mode=True, diff=True)
    assert not plan.result['changed']
    assert plan.result['snapshot_id'] == first.result['snapshot_id']
    assert plan.result['diff']['before'] == plan.result['diff']['after']


# ---------------------------------------------------------------------------- wait, failure, timeout
def test_wait_until_accomplished(cloud):
    source = seed_source(cloud)
    result = run_module(cloud, source, wait=True).result
    assert result['snapshots'][0]['state'] == 'accomplished'
    assert result['snapshots'][0]['progress'] == 100


def test_a_failing_copy_fails_the_task_and_is_not_replaced_on_rerun(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'failing_copies': {'ecs': {'regions': [DR]}}})
    failed = run_module(cloud, source, wait=True)
    assert failed.failed
    assert failed.result['snapshots'][0]['state'] == 'failed'
    assert 'delete it, then run again' in failed.result['msg']
    rerun = run_module(cloud, source)
    assert rerun.failed and rerun.result['snapshots'][0]['action'] == EXISTING
    assert len(copies_in(cloud, DR, source)) == 1


def test_timeout_fails_and_returns_the_copy_id_which_a_rerun_adopts(cloud):
    cloud.admin.configure(timings={'ecs': {'copy_seconds': 60}})
    source = seed_source(cloud)
    timed_out = run_module(cloud, source, wait=True, wait_timeout=1)
    assert timed_out.failed
    copy_id = timed_out.result['snapshot_id']
    assert copy_id and timed_out.result['snapshots'][0]['state'] == 'progressing'
    assert 'a rerun adopts it' in timed_out.result['msg']
    rerun = run_module(cloud, source)
    assert not rerun.failed and not rerun.result['changed'] and rerun.result['snapshot_id'] == copy_id
    assert len(copies_in(cloud, DR, source)) == 1


# ---------------------------------------------------------------------------- the source
def test_missing_source_gives_the_not_found_code(cloud):
    failed = run_module(cloud, 's-doesnotexist000000')
    assert failed.failed
    assert failed.result['error']['code'] == 'InvalidSnapshotId.NotFound'
    assert 's-doesnotexist000000' in failed.result['msg'] and SOURCE_REGION in failed.result['msg']
    assert calls(cloud, 'CopySnapshot')['calls'] == 0


def test_missing_source_error_is_not_found_kind(cloud):
    adapter = EcsAdapter.from_connection(connection(cloud))
    with pytest.raises(CloudError) as info:
        adapter.get_sources(SOURCE_REGION, ['s-doesnotexist000000'])
    assert info.value.kind == NOT_FOUND


def test_local_sources_are_refused_before_copying(cloud):
    source = seed_source(cloud, category='flash')
    failed = run_module(cloud, source)
    assert failed.failed and 'Local snapshots cannot be copied' in failed.result['msg']
    assert calls(cloud, 'CopySnapshot')['calls'] == 0


def test_an_encrypted_source_is_copied(cloud):
    """CopySnapshot "copies a standard or encrypted snapshot" (ecs-20140526); the copy stays encrypted."""
    created = cloud.admin.seed(
        ecs={'disks': [{'region': SOURCE_REGION, 'encrypted': True, 'kms_key_id': 'key-1', 'snapshots': 1}]}
    )
    source = created['ecs']['snapshots'][0]
    done = run_module(cloud, source)
    assert not done.failed and done.result['changed'] and done.result['snapshots'][0]['encrypted'] is True
    assert [copy['encrypted'] for copy in copies_in(cloud, DR, source)] == [True]


def test_ecs_gets_the_name_and_description_it_requires(cloud):
    """DestinationSnapshotName and DestinationSnapshotDescription are required (ecs-20140526 CopySnapshotRequest):
    without the options, both say where the copy comes from, and a rerun is idempotent."""
    source = seed_source(cloud)
    first = run_module(cloud, source)
    (copy,) = copies_in(cloud, DR, source)
    assert copy['name'] == 'snapcopy-%s' % source
    assert copy['description'] == 'Copy of %s from %s, by snapcopy.cloud' % (source, SOURCE_REGION)
    assert not first.failed and first.result['snapshots'][0]['name'] == copy['name']
    unanswered = run_module(cloud, source)
    assert not unanswered.result['changed'] and len(copies_in(cloud, DR, source)) == 1


def test_the_source_region_is_no_destination(cloud):
    """ECS refuses it (InvalidOperation.NotSupportCopyInSameRegion): refused before any call."""
    source = seed_source(cloud)
    failed = run_module(cloud, source, destination_region=SOURCE_REGION)
    assert failed.failed and failed.result['msg'].startswith('destination_region: cannot be the source region')
    assert cloud.admin.calls()['total_calls'] == 0


def test_a_copy_of_the_disk_still_running_is_waited_for_not_failed(cloud):
    """InvalidOperation.DiskHasUnfinishedSnapshotCopy: the copy call is asked again every poll interval until it
    goes through; nothing is copied twice."""
    cloud.admin.configure(timings={'ecs': {'copy_seconds': 1.0}})
    disk = cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': 2}]})['ecs']
    older, newer = disk['snapshots']
    assert not run_module(cloud, older).failed
    done = run_module(cloud, newer, wait=True)
    assert not done.failed and done.result['snapshots'][0]['action'] == COPIED
    assert done.result['api_retries'] >= 1
    counted = calls(cloud, 'CopySnapshot')
    assert counted['mutations'] == 2 and counted['errors'] == counted['calls'] - 2 >= 1
    assert len(copies_in(cloud, DR, newer)) == 1


def test_a_copy_of_the_disk_running_past_the_deadline_fails_with_what_to_do(cloud):
    cloud.admin.configure(timings={'ecs': {'copy_seconds': 60}})
    disk = cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': 2}]})['ecs']
    older, newer = disk['snapshots']
    run_module(cloud, older)
    failed = run_module(cloud, newer, wait_timeout=1)
    assert failed.failed and 'InvalidOperation.DiskHasUnfinishedSnapshotCopy' in failed.result['msg']
    assert 'run again once that copy has finished' in failed.result['msg']
    assert copies_in(cloud, DR, newer) == []


def test_source_still_in_progress_fails_clearly_or_is_waited_for(cloud):
    # In progress for 10 minutes of fakecloud's clock: the first run finds it so however slow the machine (it had 5 s of
    # real time). Then the clock moves on to a second before it is done (within the 15 minutes a signature's time may
    # differ from the cloud's), which the second run waits for.
    source = seed_source(cloud, status='progressing', seconds=600)
    failed = run_module(cloud, source)
    assert failed.failed and 'set wait: true' in failed.result['msg']
    assert calls(cloud, 'CopySnapshot')['calls'] == 0
    cloud.admin.advance_clock(599)
    done = run_module(cloud, source, wait=True)
    assert not done.failed and done.result['snapshots'][0]['action'] == COPIED


# ---------------------------------------------------------------------------- safe retries
def test_throttling_bursts_are_retried(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'seed': 1, 'rules': [{'cloud': 'ecs', 'action': '*', 'throttle_rate': 1.0, 'count': 4}]})
    run = engine(cloud)
    outcome = run.run([request(source)])[0]
    assert not outcome.failed
    assert run.retries == 4
    assert len(copies_in(cloud, DR, source)) == 1
    errors = sum(counts['errors'] for counts in cloud.admin.calls()['calls']['ecs'].values())
    assert errors == 4


def test_throttled_copy_call_is_retried_without_a_second_copy(cloud):
    source = seed_source(cloud)
    cloud.admin.faults(
        {
            'rules': [
                {'cloud': 'ecs', 'action': 'CopySnapshot', 'throttle_rate': 1.0, 'count': 2},
                {'cloud': 'ecs', 'action': 'CopySnapshot', 'error_rate': 1.0, 'count': 1},
            ]
        }
    )
    outcome = engine(cloud).run([request(source)])[0]
    assert not outcome.failed
    assert calls(cloud, 'CopySnapshot') == {'calls': 4, 'errors': 3, 'mutations': 1}
    assert len(copies_in(cloud, DR, source)) == 1


def test_lost_answer_after_the_copy_was_made_adopts_it(cloud):
    source = seed_source(cloud)
    cloud.admin.faults({'rules': [{'cloud': 'ecs', 'action': 'CopySnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    outcome = engine(cloud).run([request(source)])[0]
    destination_outcome = outcome.destinations[DR]
    assert not outcome.failed and destination_outcome.action == COPIED
    (copy,) = copies_in(cloud, DR, source)
    assert destination_outcome.snapshot.id == copy['id']
    report = cloud.admin.calls()
    assert [entry['answer_lost'] for entry in report['log'] if entry['action'] == 'CopySnapshot'] == [True]


def test_resent_copy_call_with_the_same_client_token_makes_no_second_copy(cloud):
    """The ClientToken path itself: the answer is lost, the very same call is sent again."""
    source = seed_source(cloud)
    adapter = EcsAdapter.from_connection(connection(cloud))
    cloud.admin.faults({'rules': [{'cloud': 'ecs', 'action': 'CopySnapshot', 'lost_answer_rate': 1.0, 'count': 1}]})
    with pytest.raises(CloudError) as info:
        adapter.start_copy(request(source), [DR])
    assert info.value.uncertain and is_retryable(info.value)
    answer = adapter.start_copy(request(source), [DR])
    (copy,) = copies_in(cloud, DR, source)
    assert answer[DR].id == copy['id']
    assert calls(cloud, 'CopySnapshot') == {'calls': 2, 'errors': 0, 'mutations': 1}


@pytest.mark.parametrize('wait', [False, True])
def test_a_deleted_copy_is_made_again_not_answered_by_its_spent_client_token(cloud, wait):
    """ECS answers a ClientToken it has seen with its first answer, the id of a copy deleted since (fakecloud keeps
    tokens as long as its store: alibaba_rules.replay). The copy is read back; the one no read shows spends the token,
    and the call goes again with the next one: a new copy, reported as made only once a read shows it (issue 46, point
    1)."""
    # Copies complete at once: the test's clock is a fake one, which fakecloud does not follow.
    cloud.admin.configure(timings={'ecs': {'snapshot_seconds': 0, 'copy_seconds': 0}})
    source = seed_source(cloud)
    adapter = EcsAdapter.from_connection(connection(cloud))
    (first,) = engine(cloud, wait=True).run([request(source)])
    deleted = first.destinations[DR].snapshot.id
    adapter.delete_snapshot(DR, deleted)  # a person, or the copy's retention_days
    assert copies_in(cloud, DR, source) == []
    clock = FakeClock()  # the grace for a copy not shown yet passes on this clock; fakecloud's copies run on its own
    rerun = CopyEngine(
        EcsAdapter.from_connection(connection(cloud)),
        EngineConfig(wait=wait, timeout=600, poll_interval=5),
        backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05),
        clock=clock.clock,
        sleep=clock.sleep,
    )
    (outcome,) = rerun.run([request(source)])
    (copy,) = copies_in(cloud, DR, source)
    destination_outcome = outcome.destinations[DR]
    assert (
        copy['id'] != deleted and destination_outcome.snapshot.id == copy['id'] and destination_outcome.action == COPIED
    )
    assert not outcome.failed
    assert any('copied again with a new token' in warning and deleted in warning for warning in rerun.warnings)
    assert calls(cloud, 'CopySnapshot')['mutations'] == 2  # the first copy and the new one: the replay changed nothing
    # A rerun finds the new copy: its token is not spent, nothing is sent.
    (again,) = engine(cloud).run([request(source)])
    assert again.destinations[DR].action == EXISTING and again.destinations[DR].snapshot.id == copy['id']


def engine_on_a_fake_clock(adapter):
    """A copy engine that does not wait (an hour's timeout) and backs off briefly, on a fake clock: the grace for a
    copy no read shows yet passes at once."""
    clock = FakeClock()
    return CopyEngine(
        adapter,
        EngineConfig(wait=False, timeout=3600, poll_interval=5),
        clock=clock.clock,
        sleep=clock.sleep,
        backoff=Backoff(is_retryable, base_delay=0.01, max_delay=0.05),
    )


def test_a_copy_the_cloud_never_shows_is_not_reported_as_made(cloud):
    """Without a token to draw again (the answer named a copy no read shows, twice), the destination fails, never
    counted as a copy in flight."""
    source = seed_source(cloud)
    adapter = EcsAdapter.from_connection(connection(cloud))
    original = adapter.start_copy

    def start_copy(copy_request, destinations):
        answer = original(copy_request, destinations)
        adapter.delete_snapshot(DR, answer[DR].id)  # gone before any read, whatever token made it
        return answer

    adapter.start_copy = start_copy
    (outcome,) = engine_on_a_fake_clock(adapter).run([request(source)])
    destination_outcome = outcome.destinations[DR]
    assert outcome.failed and destination_outcome.snapshot.state == 'failed'
    assert 'never appeared' in destination_outcome.failure()
    assert calls(cloud, 'CopySnapshot')['calls'] == 1 + MAX_TOKEN_ROUNDS


def test_a_new_token_answered_with_the_copy_its_spent_one_named_fails_the_destination_at_once(cloud):
    """A copy no read shows spends its token, and the call goes again with the next (above); when the next token is
    answered with the very same copy, the copy is gone for another reason than a replay: the destination fails then,
    after two calls, rather than drawing token after token for an answer that does not change."""
    source = seed_source(cloud)
    ghost = {'SnapshotId': 's-neverappears1', 'RequestId': 'canned-ghost'}
    cloud.admin.faults({'answers': [{'cloud': 'ecs', 'action': 'CopySnapshot', 'answer': ghost}]})
    (outcome,) = engine_on_a_fake_clock(EcsAdapter.from_connection(connection(cloud))).run([request(source)])
    destination_outcome = outcome.destinations[DR]
    assert outcome.failed and 'never appeared' in destination_outcome.failure(), destination_outcome.failure()
    assert calls(cloud, 'CopySnapshot')['calls'] == 2 < 1 + MAX_TOKEN_ROUNDS
    assert copies_in(cloud, DR, source) == []


# ---------------------------------------------------------------------------- credentials and network
def test_wrong_secret_is_a_clear_fatal_error(cloud):
    source = seed_source(cloud)
    failed = run_module(cloud, source, alicloud_secret_key='not-the-secret')
    assert failed.failed
    assert failed.result['error']['code'] == 'InvalidAccessKeySecret'
    assert 'alicloud_secret_key' in failed.result['msg']
    assert failed.result['error']['request_id']
    assert 'not-the-secret' not in repr(failed.result)


def test_unknown_access_key_is_a_clear_fatal_error(cloud):
    adapter = EcsAdapter.from_connection(connection(cloud, alicloud_access_key='LTAInobodyknowsthis'))
    with pytest.raises(CloudError) as info:
        adapter.get_sources(SOURCE_REGION, ['s-abc'])
    assert info.value.code == 'InvalidAccessKeyId.NotFound' and info.value.kind == FATAL
    assert 'alicloud_access_key' in str(info.value)


def test_sts_credentials_with_their_token(cloud):
    source = seed_source(cloud)
    sts = {
        'alicloud_access_key': credentials.ALIBABA_STS_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_STS_ACCESS_KEY_SECRET,
    }
    done = run_module(cloud, source, alicloud_security_token=credentials.ALIBABA_STS_SECURITY_TOKEN, **sts)
    assert not done.failed and done.result['changed']
    missing = run_module(cloud, source, **sts)
    assert missing.failed and missing.result['error']['code'] == 'MissingSecurityToken'
    assert 'alicloud_security_token' in missing.result['msg']
    wrong = run_module(cloud, source, alicloud_security_token='some-other-token', **sts)
    assert wrong.failed and wrong.result['error']['code'].startswith('InvalidSecurityToken')
    assert 'some-other-token' not in repr(wrong.result)


def test_missing_credentials_fail_before_any_call(cloud):
    failed = run_module(cloud, 's-abc', alicloud_access_key=None)
    assert failed.failed and 'alicloud_access_key' in failed.result['msg']
    assert cloud.admin.calls()['total_calls'] == 0


def test_refused_connection_fails_at_once(cloud):
    failed = run_module(cloud, 's-abc', endpoint_url='http://127.0.0.1:9')
    assert failed.failed
    assert failed.result['error']['code'] == 'EndpointConnectionError'
    assert failed.result['api_retries'] == 0
    assert 'Signature' not in failed.result['msg']


def test_loopback_endpoint_is_reached_directly_despite_a_proxy(cloud, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')
    monkeypatch.setenv('http_proxy', 'http://127.0.0.1:9')
    source = seed_source(cloud)
    assert not run_module(cloud, source).failed


# ---------------------------------------------------------------------------- finding copies
def test_find_copies_confirms_candidates_by_their_source_link(cloud):
    source = seed_source(cloud)
    tag = '%s/%s' % (SOURCE_REGION, source)
    cloud.admin.seed(
        ecs={
            'snapshots': [
                # Carries our tag, but ECS says it was copied from something else: not ours.
                {
                    'region': DR,
                    'tags': {SOURCE_TAG: tag},
                    'source_snapshot_id': 's-other',
                    'source_region': SOURCE_REGION,
                },
                # Copied from the source in another region of that name: not ours either.
                {'region': DR, 'tags': {SOURCE_TAG: tag}, 'source_snapshot_id': source, 'source_region': 'cn-shanghai'},
            ]
        }
    )
    outcome = engine(cloud).run([request(source)])[0]
    assert outcome.destinations[DR].action == COPIED
    assert calls(cloud, 'CopySnapshot')['mutations'] == 1


def test_find_copies_for_many_sources_pages_through_one_listing(cloud):
    sources = [seed_source(cloud) for dummy in range(3)]
    cloud.admin.seed(
        ecs={
            'snapshots': [
                {
                    'region': DR,
                    'tags': {SOURCE_TAG: '%s/s-filler%03d' % (SOURCE_REGION, n)},
                    'source_snapshot_id': 's-filler%03d' % n,
                    'source_region': SOURCE_REGION,
                }
                for n in range(150)
            ]
        }
    )
    adapter = EcsAdapter.from_connection(connection(cloud))
    first = adapter.start_copy(request(sources[0]), [DR])[DR]
    found = adapter.find_copies(DR, [request(source) for source in sources])
    assert [snapshot.id for snapshot in found['%s/%s' % (SOURCE_REGION, sources[0])]] == [first.id]
    assert set(found) == {'%s/%s' % (SOURCE_REGION, sources[0])}
    assert calls(cloud, 'DescribeSnapshots')['calls'] == 2  # 151 tagged snapshots, 100 a page


def test_bulk_engine_run_copies_each_source_once(cloud):
    sources = [seed_source(cloud) for dummy in range(3)]
    run = engine(cloud)
    run.run([request(sources[0])])
    outcomes = run.run([request(source) for source in sources])
    assert [outcome.destinations[DR].action for outcome in outcomes] == [EXISTING, COPIED, COPIED]
    assert calls(cloud, 'CopySnapshot')['mutations'] == 3


def test_the_copies_made_are_read_back_in_batches_of_what_one_describe_takes(cloud):
    """The read back costs one DescribeSnapshots per 100 copies a region (SnapshotIds takes 100), not one per copy."""
    created = cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': 1} for dummy in range(150)]})
    sources = created['ecs']['snapshots']
    before = calls(cloud, 'DescribeSnapshots')['calls']
    outcomes = engine(cloud).run([request(source) for source in sources])
    assert all(outcome.destinations[DR].action == COPIED for outcome in outcomes)
    # The sources (2 batches of ids), the destination's one listing (no copies yet), then the copies read back (2
    # batches).
    assert calls(cloud, 'DescribeSnapshots')['calls'] - before == 2 + 1 + 2
    assert calls(cloud, 'CopySnapshot')['calls'] == 150


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    'params, option',
    [
        ({'source_snapshot_id': 'snap-0123'}, 'source_snapshot_id'),
        ({'source_region': 'Hangzhou'}, 'source_region'),
        ({'destination_region': ''}, 'destination_region'),
        ({'name': 'a'}, 'name'),
        ({'name': 'x' * 129}, 'name'),
        ({'name': '1abc'}, 'name'),
        ({'name': 'http://abc'}, 'name'),
        ({'name': 'abc def'}, 'name'),
        ({'description': 'd'}, 'description'),
        ({'description': 'd' * 257}, 'description'),
        ({'description': 'https://example.com'}, 'description'),
        ({'retention_days': -1}, 'retention_days'),
        ({'retention_days': 65537}, 'retention_days'),
        ({'tags': {'': 'x'}}, 'tags'),
        ({'tags': {'k' * 129: 'x'}}, 'tags'),
        ({'tags': {'acs:x': 'x'}}, 'tags'),
        ({'tags': {'aliyunx': 'x'}}, 'tags'),
        ({'tags': {'a http://b': 'x'}}, 'tags'),
        ({'tags': {'k': 'v' * 129}}, 'tags'),
        ({'tags': {'k': 'see https://x'}}, 'tags'),
        ({'tags': {'k': 'acs:v'}}, 'tags'),
        ({'tags': {1: 'a', '1': 'b'}}, 'tags'),
        ({'tags': {SOURCE_TAG: 'x'}}, 'tags'),
        ({'tags': {'k%d' % n: 'v' for n in range(20)}}, 'tags'),
        ({'kms_key_id': 'key-1'}, 'kms_key_id'),
        ({'wait_timeout': 0}, 'wait_timeout'),
    ],
)
def test_bad_input_fails_before_any_call_naming_the_option(cloud, params, option):
    failed = run_module(cloud, params.pop('source_snapshot_id', 's-abc123'), **params)
    assert failed.failed
    assert failed.result['msg'].startswith(option), failed.result['msg']
    assert cloud.admin.calls()['total_calls'] == 0


def test_validation_accepts_what_ecs_accepts():
    adapter = EcsAdapter(client=None)
    assert accepted(
        adapter.validate,
        build_ecs_request(
            {
                'source_snapshot_id': 's-bp67acfmxazb4p0example',
                'source_region': 'cn-hangzhou',
                'destination_region': 'cn-shanghai',
                'name': 'Db:copy_1.2-x',
                'description': 'ok',
                'retention_days': 65536,
                'tags': {'Env': 'a', 'env': ''},
                'encrypted': True,
                'kms_key_id': 'key',
            }
        ),
    )
    assert accepted(
        adapter.validate,
        build_ecs_request(
            {
                'source_snapshot_id': 's-abc',
                'source_region': 'ap-southeast-1',
                'destination_region': 'us-east-1',
                'name': '数据库备份',
            }
        ),
    )


def test_invalid_answers_from_the_cloud_are_not_retried(cloud):
    source = seed_source(cloud)
    adapter = EcsAdapter.from_connection(connection(cloud))
    bad = request(source, destination='cn-nowhere')
    with pytest.raises(CloudError) as info:
        adapter.start_copy(bad, ['cn-nowhere'])
    assert info.value.code == 'InvalidRegionId.NotFound' and info.value.kind in (INVALID, FATAL, NOT_FOUND)
    with pytest.raises(InputError):
        adapter.validate(request(source, destination='Nowhere'))


# ---------------------------------------------------------------------------- what the DR run (dr_sync) uses
def test_find_disks_by_tags_pages_through_the_region(cloud):
    cloud.admin.seed(
        ecs={
            'disks': [
                {
                    'region': SOURCE_REGION,
                    'name': 'disk-%03d' % n,
                    'tags': {'dr': 'yes' if n % 2 else 'no', 'team': 'db'},
                }
                for n in range(230)
            ]
        }
    )
    adapter = EcsAdapter.from_connection(connection(cloud))
    tagged = adapter.find_disks(SOURCE_REGION, {'dr': 'yes'})
    assert len(tagged) == 115 and all(disk.tags['dr'] == 'yes' and disk.region == SOURCE_REGION for disk in tagged)
    assert len(adapter.find_disks(SOURCE_REGION, {'dr': None, 'team': 'db'})) == 230
    assert adapter.find_disks(SOURCE_REGION, {'dr': 'maybe'}) == []


def test_past_a_thousand_copies_and_disks_nothing_is_missed(cloud):
    """DescribeSnapshots' and DescribeDisks' tag filters return at most 1,000 resources (ecs-20140526;
    the emulator answers the first 1,000 only): at 1,500 tagged disks and 1,500 copies in the DR region
    every disk is found, every copy is found (none is made again) and every copy is listed for pruning."""
    created = cloud.admin.seed(
        ecs={'disks': [{'region': SOURCE_REGION, 'tags': {'dr': 'yes'}, 'snapshots': 1} for dummy in range(1500)]}
    )['ecs']
    sources = created['snapshots']
    cloud.admin.seed(
        ecs={
            'snapshots': [
                {
                    'region': DR,
                    'source_snapshot_id': source,
                    'source_region': SOURCE_REGION,
                    'disk_id': disk,
                    'tags': {SOURCE_TAG: '%s/%s' % (SOURCE_REGION, source), DISK_TAG: '%s/%s' % (SOURCE_REGION, disk)},
                }
                for disk, source in zip(created['disks'], sources)
            ]
        }
    )
    adapter = EcsAdapter.from_connection(connection(cloud))
    assert len(adapter.find_disks(SOURCE_REGION, {'dr': 'yes'})) == 1500
    requests = [request(source) for source in sources]
    assert len(adapter.find_copies(DR, requests)) == 1500
    assert len(adapter.list_copies(DR)) == 1500
    cloud.admin.calls(reset=True)
    outcomes = engine(cloud).run(requests)
    assert all(outcome.destinations[DR].action == EXISTING for outcome in outcomes)
    assert calls(cloud, 'CopySnapshot')['calls'] == 0
    # One listing of the DR region for every source: 15 pages of 100, not a look-up per source.
    assert calls(cloud, 'DescribeSnapshots')['calls'] <= 15 + 15


@pytest.mark.parametrize('disk_count', [3, 12])
def test_disk_snapshots_per_disk_or_by_one_listing(cloud, disk_count):
    created = cloud.admin.seed(
        ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': 2} for dummy in range(disk_count)]}
    )
    cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'snapshots': 1}]})  # not asked for
    adapter = EcsAdapter.from_connection(connection(cloud))
    disks = adapter.find_disks(SOURCE_REGION, {})
    wanted = [disk for disk in disks if disk.id in created['ecs']['disks']]
    found = adapter.disk_snapshots(SOURCE_REGION, wanted)
    assert set(found) == set(created['ecs']['disks'])
    assert all(
        len(snapshots) == 2 and all(s.volume_id == disk_id and s.created for s in snapshots)
        for disk_id, snapshots in found.items()
    )


def test_create_snapshot_is_safe_to_resend(cloud):
    created = cloud.admin.seed(ecs={'disks': [{'region': SOURCE_REGION, 'size': 20}]})
    adapter = EcsAdapter.from_connection(connection(cloud))
    (disk,) = adapter.find_disks(SOURCE_REGION, {})
    first = adapter.create_snapshot(SOURCE_REGION, disk, 'dr-fresh', 'Fresh snapshot', {'snapcopy:fresh': 'now'})
    unanswered = adapter.create_snapshot(SOURCE_REGION, disk, 'dr-fresh', 'Fresh snapshot', {'snapcopy:fresh': 'now'})
    assert first.id == unanswered.id and first.volume_id == created['ecs']['disks'][0] and first.created
    snapshots = cloud.admin.state(cloud='ecs', region=SOURCE_REGION)['ecs'][SOURCE_REGION]['snapshots']
    assert [(s['id'], s['name'], s['tags']) for s in snapshots] == [(first.id, 'dr-fresh', {'snapcopy:fresh': 'now'})]


def test_list_copies_and_delete(cloud):
    source = seed_source(cloud)
    adapter = EcsAdapter.from_connection(connection(cloud))
    copy = adapter.start_copy(request(source), [DR])[DR]
    cloud.admin.seed(
        ecs={'snapshots': [{'region': DR, 'source_snapshot_id': 's-byhand', 'source_region': SOURCE_REGION}]}
    )
    listed_copies = adapter.list_copies(DR)
    assert [(s.id, s.source_id, s.source_region) for s in listed_copies] == [(copy.id, source, SOURCE_REGION)]
    assert listed_copies[0].created
    adapter.delete_snapshot(DR, copy.id)
    with pytest.raises(CloudError) as gone:  # the cloud's own not-found, for the DR run to read as deleted
        adapter.delete_snapshot(DR, copy.id)
    assert gone.value.kind == NOT_FOUND
    assert adapter.list_copies(DR) == []


def test_a_request_for_several_regions_is_copied_one_call_per_region(cloud):
    """The DR run groups DR regions that share options into one request; ECS copies them one by one."""
    source = seed_source(cloud)
    outcome = engine(cloud).run(
        [CopyRequest(source, SOURCE_REGION, [DR, 'cn-shanghai'], {'tags': {'snapcopy:disk': 'x'}})]
    )[0]
    assert [destination_outcome.action for destination_outcome in outcome.destinations.values()] == [COPIED, COPIED]
    assert calls(cloud, 'CopySnapshot')['mutations'] == 2
    with pytest.raises(InputError):
        EcsAdapter(client=None).validate(CopyRequest(source, SOURCE_REGION, [DR, 'Bad Region']))


def test_lock_tokens_are_the_runs_own_and_a_lock_is_what_is_read_back(cloud):
    """Within one run (one adapter) a lock sent again is ECS's replay; another run's lock of the same copy is a new
    request, so a lock set again after the last expired is set, not answered from the past."""
    source = seed_source(cloud)
    lock = LockSettings('compliance', 7, 1)
    first_run = EcsAdapter.from_connection(connection(cloud))
    held = first_run.locks.lock_snapshot(SOURCE_REGION, source, lock)
    assert held.in_force and held.cloud_status == 'compliance-cooloff' and held.expires
    assert first_run.locks.lock_snapshot(SOURCE_REGION, source, lock) == held
    assert calls(cloud, 'LockSnapshot') == {'calls': 2, 'errors': 0, 'mutations': 1}
    # In its cool-off a lock set again starts anew (LockSnapshot's description): the next run's token is a new request.
    EcsAdapter.from_connection(connection(cloud)).locks.lock_snapshot(SOURCE_REGION, source, lock)
    assert calls(cloud, 'LockSnapshot') == {'calls': 3, 'errors': 0, 'mutations': 2}


def test_a_lock_past_the_copys_retention_is_refused_before_the_call_by_the_adapters_clock(cloud):
    source = seed_source(cloud, retention_days=10, age_seconds=60)
    adapter = EcsAdapter.from_connection(connection(cloud))
    now = adapter.clock()
    adapter.clock = lambda: (
        now + 8 * 86400
    )  # eight days after the snapshot was made: two days of retention left, less a minute
    with pytest.raises(CloudError) as refused:
        adapter.locks.lock_snapshot(SOURCE_REGION, source, LockSettings('compliance', 3, 0))
    assert refused.value.code == 'LockOutlastsRetention' and refused.value.kind == INVALID
    assert refused.value.message.endswith('Extend its retention, or lock it for at most 1 day')
    assert calls(cloud, 'LockSnapshot')['calls'] == 0
    assert adapter.locks.lock_snapshot(SOURCE_REGION, source, LockSettings('compliance', 1, 0)).in_force
