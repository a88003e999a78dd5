"""The engine's own rules, on an in-memory cloud behind the Adapter interface.

The adapters have their own tests against the real SDKs; here the cloud is a small model
that keeps copies and can fail, throttle or lose answers, so that the engine's guarantees
(no second copy, check mode without mutations, bounded copies in flight, partial results)
are shown for any adapter.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    ALREADY_EXISTS,
    BUSY,
    INVALID,
    RETRYABLE,
    CloudError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    COMPLETED,
    DELETING,
    FAILED,
    PENDING,
    CopyRequest,
    Snapshot,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    EXISTING,
    NOT_COPIED,
    WOULD_COPY,
    DestinationOutcome,
    EngineConfig,
    pick_copy,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.rounds import CopyRounds, jobs_that_fit
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.sightings import UNSEEN_GRACE_SECONDS
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import copy_diff
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemoryCloud

# How long the copy calls that must meet (ThreadSafeCloud's ``meet``) wait for each other before the test fails: long
# enough for any machine, however busy, to start a thread; short enough that a lost pool fails the test, not hangs it.
MEET_TIMEOUT = 30


class ThreadSafeCloud(MemoryCloud):
    """The in-memory cloud behind a lock; it records how many copy calls were in the air at once.

    With ``meet``, the first ``meet`` copy calls wait for each other at a barrier before they go on: they are all in the
    air at once only if the engine sent them side by side, however fast or busy the machine. A pool that sends them one
    after another leaves the first call waiting alone: the barrier breaks after MEET_TIMEOUT and ``met`` says so (the
    call then goes on, so that the run ends and the test fails on ``met``, never hangs)."""

    def __init__(self, clock, meet=0, **kwargs):
        super().__init__(clock, **kwargs)
        self.lock = threading.RLock()
        self.calls_in_air = 0
        self.peak_calls = 0
        self.barrier = threading.Barrier(meet) if meet > 1 else None
        self.meeting = meet
        # None until the calls met or the barrier broke.
        self.met = None

    def start_copy(self, request, destinations):
        with self.lock:
            self.calls_in_air += 1
            self.peak_calls = max(self.peak_calls, self.calls_in_air)
            meets = self.meeting > 0
            self.meeting -= 1
        try:
            if meets and self.barrier is not None:
                try:
                    self.barrier.wait(MEET_TIMEOUT)
                    with self.lock:
                        self.met = self.met is not False
                except threading.BrokenBarrierError:
                    with self.lock:
                        self.met = False
            with self.lock:
                return super().start_copy(request, destinations)
        finally:
            with self.lock:
                self.calls_in_air -= 1

    def assert_met(self):
        """The first ``meet`` copy calls were in the air together."""
        assert self.met, (
            'the first %d copy calls never were in the air together (waited %d s at a barrier): the engine '
            'sent them one after another' % (self.barrier.parties, MEET_TIMEOUT)
        )
        assert self.peak_calls >= self.barrier.parties

    def find_copies(self, destination, requests):
        with self.lock:
            return super().find_copies(destination, requests)

    def describe(self, region, snapshot_ids):
        with self.lock:
            return super().describe(region, snapshot_ids)


CONFIG_FIELDS = tuple(field.name for field in dataclasses.fields(EngineConfig))

# What a failed copy that the cloud does not keep ends with (engine.outcomes).
GONE_SENTENCE = 'It is no copy: the next run uses it if a read then shows it completed, else makes a new copy'


def engine_for(cloud, clock, **kwargs):
    """An engine on the fake clock; kwargs are EngineConfig's fields and CopyEngine's own keywords. It runs in rounds
    under leases or a cap as the DR run's does (dr.phases.copy gives it CopyRounds)."""
    asked = {name: kwargs.pop(name) for name in CONFIG_FIELDS if name in kwargs}
    asked.setdefault('poll_interval', 1)
    kwargs.setdefault('rounds', CopyRounds)
    return CopyEngine(cloud, EngineConfig(**asked), clock=clock.clock, sleep=clock.sleep, **kwargs)


def requests(count, destinations=('dr-1',)):
    return [CopyRequest('snap-%03d' % index, 'src-1', list(destinations)) for index in range(count)]


def test_copies_then_a_rerun_finds_them():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    first = engine_for(cloud, clock).run(requests(3, ('dr-1', 'dr-2')))
    assert all(
        destination_outcome.action == COPIED
        for outcome in first
        for destination_outcome in outcome.destinations.values()
    )
    unanswered = engine_for(cloud, clock).run(requests(3, ('dr-1', 'dr-2')))
    assert all(
        destination_outcome.action == EXISTING
        for outcome in unanswered
        for destination_outcome in outcome.destinations.values()
    )
    assert len(cloud.copies) == 6
    assert not any(outcome.changed for outcome in unanswered)


def test_check_mode_never_starts_a_copy():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    outcomes = engine_for(cloud, clock, check_mode=True, wait=True).run(requests(4))
    assert cloud.calls.get('start_copy', 0) == 0
    assert all(outcome.destinations['dr-1'].action == WOULD_COPY for outcome in outcomes)
    assert all(outcome.changed for outcome in outcomes)


def test_bounded_copies_in_flight_per_destination():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=5, in_flight_limit=20)
    outcomes = engine_for(cloud, clock, max_in_flight=20, wait=True, timeout=3600).run(requests(65, ('dr-1', 'dr-2')))
    assert not any(outcome.failed for outcome in outcomes)
    assert len(cloud.copies) == 130
    assert cloud.peak_in_flight == {'dr-1': 20, 'dr-2': 20}
    # four waves of at most 20 copies, 5 s each: the floor is 20 s, and the engine keeps close to it
    assert 20 <= clock.now <= 26
    # copies in flight are read in batches, one call per region per round
    assert cloud.calls['describe'] <= 2 * 40


def test_multi_destination_partial_failure_then_rerun_copies_only_the_failed_one():
    clock = FakeClock()
    cloud = MemoryCloud(clock, multi_destination=True)
    cloud.per_destination['dr-2'] = CloudError(
        'CopySnapshot', 'InsufficientSnapshotQuota', 'quota spent', kind=INVALID, region='dr-2'
    )
    first = engine_for(cloud, clock).run(requests(1, ('dr-1', 'dr-2')))[0]
    assert first.failed
    assert first.destinations['dr-1'].action == COPIED
    assert first.destinations['dr-2'].action == NOT_COPIED
    assert 'InsufficientSnapshotQuota' in first.failures()[0]
    del cloud.per_destination['dr-2']
    second = engine_for(cloud, clock).run(requests(1, ('dr-1', 'dr-2')))[0]
    assert not second.failed
    assert (second.destinations['dr-1'].action, second.destinations['dr-2'].action) == (EXISTING, COPIED)
    assert len(cloud.copies) == 2


def test_lost_answer_is_looked_up_instead_of_copied_again():
    clock = FakeClock()
    cloud = MemoryCloud(clock, multi_destination=True)
    cloud.lose_next_answer = True
    outcome = engine_for(cloud, clock).run(requests(1, ('dr-1', 'dr-2')))[0]
    assert not outcome.failed
    assert len(cloud.copies) == 2
    assert cloud.calls['start_copy'] == 1
    assert {destination_outcome.action for destination_outcome in outcome.destinations.values()} == {COPIED}


def test_already_exists_is_adopted_not_failed():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.add_copy('copy-x', 'dr-1', {'snapcopy:source': 'src-1/snap-000'}, clock.now)
    cloud.copy_errors.append(
        CloudError('CopySnapshot', 'ResourceInUse.CopySnapshotConflict', 'in flight', kind=ALREADY_EXISTS)
    )
    engine = engine_for(cloud, clock)
    # find_copies misses it at first (as a copy not yet visible would be), then the conflict
    # sends the engine to look again, and it adopts what it finds.
    original_find = cloud.find_copies
    misses = [True]

    def find_once_blind(destination, reqs):
        if misses:
            misses.pop()
            cloud.calls['find_copies'] = cloud.calls.get('find_copies', 0) + 1
            return {}
        return original_find(destination, reqs)

    cloud.find_copies = find_once_blind
    outcome = engine.run(requests(1))[0]
    assert outcome.destinations['dr-1'].action == EXISTING
    assert outcome.destinations['dr-1'].snapshot.id == 'copy-x'
    assert len(cloud.copies) == 1


def test_non_retryable_error_is_not_retried():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'InvalidParameter', 'bad', kind=INVALID))
    outcome = engine_for(cloud, clock).run(requests(1))[0]
    assert outcome.failed
    assert cloud.calls['start_copy'] == 1
    assert clock.now == 0


@pytest.mark.parametrize('timeout', [3, 30])
def test_wait_reports_done_or_timeout_with_ids(timeout):
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=10)
    outcome = engine_for(cloud, clock, wait=True, timeout=timeout).run(requests(1))[0]
    destination_outcome = outcome.destinations['dr-1']
    assert destination_outcome.snapshot.id == 'copy-0'
    assert outcome.failed == (timeout < 10)
    assert destination_outcome.timed_out == (timeout < 10)


def test_a_pool_of_workers_copies_every_request_once():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock, meet=8)
    outcomes = engine_for(cloud, clock, workers=8).run(requests(30, ('dr-1', 'dr-2')))
    assert all(
        destination_outcome.action == COPIED
        for outcome in outcomes
        for destination_outcome in outcome.destinations.values()
    )
    assert cloud.calls['start_copy'] == 60 and len(cloud.copies) == 60
    # All eight workers were in the air at once, and never more.
    cloud.assert_met()
    assert cloud.peak_calls == 8
    assert {copy['tags']['snapcopy:source'] for copy in cloud.copies.values()} == {
        'src-1/snap-%03d' % index for index in range(30)
    }


def test_a_pool_of_workers_keeps_the_bound_on_copies_in_flight():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock, copy_seconds=5, in_flight_limit=20)
    outcomes = engine_for(cloud, clock, max_in_flight=20, wait=True, timeout=3600, workers=8).run(
        requests(65, ('dr-1', 'dr-2'))
    )
    assert not any(outcome.failed for outcome in outcomes)
    assert len(cloud.copies) == 130 and cloud.calls['start_copy'] == 130
    assert cloud.peak_in_flight == {'dr-1': 20, 'dr-2': 20}
    assert 20 <= clock.now <= 26


def test_a_pool_of_workers_looks_up_a_lost_answer_instead_of_copying_again():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock, multi_destination=True)
    cloud.lose_next_answer = True
    outcomes = engine_for(cloud, clock, workers=4).run(requests(6, ('dr-1', 'dr-2')))
    assert not any(outcome.failed for outcome in outcomes)
    assert len(cloud.copies) == 12 and cloud.calls['start_copy'] == 6


def test_a_pool_of_workers_fails_only_the_destination_whose_look_up_fails():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'Unavailable', 'no answer', kind=RETRYABLE, uncertain=True))
    original_find = cloud.find_copies
    looks = []

    def look_up_fails_after_the_first(destination, reqs):
        looks.append(destination)
        if len(looks) > 1:  # the first look-up plans the run; the next, after the lost answer, fails for good
            raise CloudError('DescribeSnapshots', 'AuthFailure', 'credentials revoked', kind=INVALID)
        return original_find(destination, reqs)

    cloud.find_copies = look_up_fails_after_the_first
    outcomes = engine_for(cloud, clock, workers=4).run(requests(40))
    failed = [outcome for outcome in outcomes if outcome.failed]
    assert len(failed) == 1
    assert 'credentials revoked' in failed[0].failures()[0]
    assert failed[0].destinations['dr-1'].action == NOT_COPIED
    # every other request got its copy; the one whose answer was lost was not sent again
    # without the look-up that failed
    assert sum(1 for outcome in outcomes if outcome.destinations['dr-1'].action == COPIED) == 39
    assert cloud.calls['start_copy'] == 40


def test_a_destination_that_keeps_failing_is_reported_after_ten_tries_not_at_the_deadline():
    clock = FakeClock()
    cloud = MemoryCloud(clock, multi_destination=True)
    cloud.per_destination['dr-2'] = CloudError(
        'CopySnapshot', 'InternalError.ComponentError', 'region broken', kind=RETRYABLE, region='dr-2'
    )
    outcome = engine_for(cloud, clock, timeout=3600).run(requests(1, ('dr-1', 'dr-2')))[0]
    assert outcome.destinations['dr-1'].action == COPIED
    assert outcome.destinations['dr-2'].action == NOT_COPIED
    assert 'InternalError.ComponentError' in outcome.failures()[0]
    assert cloud.calls['start_copy'] == 10
    assert clock.now < 300


def test_sources_the_caller_has_read_are_not_read_again():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    reqs = requests(3)
    known = {('src-1', 'snap-000'): cloud.get_sources('src-1', ['snap-000'])['snap-000']}
    cloud.calls.clear()
    original = cloud.get_sources
    asked = []

    def get_sources(region, ids):
        asked.append(list(ids))
        return original(region, ids)

    cloud.get_sources = get_sources
    outcomes = engine_for(cloud, clock).run(reqs, known)
    assert asked == [['snap-001', 'snap-002']]
    assert outcomes[0].source is known[('src-1', 'snap-000')]
    assert all(outcome.destinations['dr-1'].action == COPIED for outcome in outcomes)


# ---------------------------------------------------------------------- a copy found that differs from the request
def encrypted_request(destinations=('dr-1',), **options):
    return CopyRequest('snap-000', 'src-1', list(destinations), dict({'encrypted': True}, **options))


def cloud_with_unencrypted_copy(clock):
    cloud = MemoryCloud(clock)
    cloud.add_copy('old-copy', 'dr-1', {SOURCE_TAG: 'src-1/snap-000', 'team': 'db'}, started=-100, encrypted=False)
    return cloud


def test_a_copy_that_differs_fails_the_destination_by_default_and_copies_nothing():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    (outcome,) = engine_for(cloud, clock).run([encrypted_request()])
    destination_outcome = outcome.destinations['dr-1']
    assert outcome.failed and not outcome.changed and destination_outcome.action == NOT_COPIED
    assert (
        destination_outcome.error.code == 'ExistingCopyDiffers'
        and 'encrypted (asked True, found False)' in destination_outcome.error.message
    )
    assert destination_outcome.mismatch == {
        'snapshot_id': 'old-copy',
        'differences': {'encrypted': {'asked': True, 'found': False}},
    }
    assert (
        destination_outcome.as_result()['mismatch'] == destination_outcome.mismatch
        and destination_outcome.as_result()['snapshot_id'] == 'old-copy'
    )
    assert 'start_copy' not in cloud.calls


def test_a_differing_copy_still_in_flight_is_not_waited_for_and_the_diff_shows_nothing_copied():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=600)
    cloud.add_copy('old-copy', 'dr-1', {SOURCE_TAG: 'src-1/snap-000'}, started=0, encrypted=False)  # in flight
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=300).run([encrypted_request()])
    destination_outcome = outcome.destinations['dr-1']
    assert (
        destination_outcome.action == NOT_COPIED
        and destination_outcome.error.code == 'ExistingCopyDiffers'
        and not destination_outcome.timed_out
    )
    assert 'describe' not in cloud.calls and clock.sleeps == []
    assert copy_diff(outcome) == {
        'before': {'source': 'src-1/snap-000', 'copies': {'dr-1': 'old-copy'}},
        'after': {'source': 'src-1/snap-000', 'copies': {'dr-1': 'old-copy'}},
    }


def test_a_copy_that_differs_is_used_with_a_warning_when_asked():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    engine = engine_for(cloud, clock, on_mismatch='warn')
    (outcome,) = engine.run([encrypted_request(tags={'team': 'web'})])
    destination_outcome = outcome.destinations['dr-1']
    assert (
        not outcome.failed and destination_outcome.action == EXISTING and destination_outcome.snapshot.id == 'old-copy'
    )
    assert set(destination_outcome.mismatch['differences']) == {'encrypted', 'tags'}
    assert destination_outcome.mismatch['differences']['tags'] == {'asked': {'team': 'web'}, 'found': {'team': 'db'}}
    (warning,) = engine.warnings
    assert 'old-copy' in warning and 'encrypted' in warning and 'on_mismatch: warn' in warning


def test_a_copy_that_differs_is_replaced_by_a_new_one_when_asked_and_the_rerun_uses_the_new_one():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    (plan,) = engine_for(cloud, clock, on_mismatch='new_copy', check_mode=True).run([encrypted_request()])
    assert (
        plan.destinations['dr-1'].action == WOULD_COPY
        and plan.destinations['dr-1'].mismatch['snapshot_id'] == 'old-copy'
    )
    (outcome,) = engine_for(cloud, clock, on_mismatch='new_copy').run([encrypted_request()])
    destination_outcome = outcome.destinations['dr-1']
    assert (
        destination_outcome.action == COPIED
        and destination_outcome.snapshot.id != 'old-copy'
        and destination_outcome.mismatch['snapshot_id'] == 'old-copy'
    )
    assert set(cloud.copies) == {'old-copy', destination_outcome.snapshot.id}
    # The matching copy is preferred to the one that differs, under any on_mismatch.
    (unanswered,) = engine_for(cloud, clock).run([encrypted_request()])
    assert (
        unanswered.destinations['dr-1'].action == EXISTING
        and unanswered.destinations['dr-1'].snapshot.id == destination_outcome.snapshot.id
    )
    assert unanswered.destinations['dr-1'].mismatch is None and not unanswered.failed


def test_the_engine_and_the_client_retry_through_one_call_retry():
    """Without a retry of its own, the engine takes the one the adapter's client sends its calls
    through, and gives it a backoff if it had none (one made without still retries)."""
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.client = type('Client', (), {'retry': CallRetry()})()
    engine = engine_for(cloud, clock)
    assert engine.retry is cloud.client.retry and engine.retry.backoff is not None
    bare = MemoryCloud(clock)
    bare.copy_errors = [CloudError('CopySnapshot', 'Throttling', 'slow down', kind=RETRYABLE)]
    (outcome,) = engine_for(bare, clock, retry=CallRetry()).run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED and bare.calls['start_copy'] == 2


def test_only_what_is_asked_is_compared():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    # Not asking for encryption is no contradiction of any copy; extra tags on the copy are fine.
    (outcome,) = engine_for(cloud, clock).run([CopyRequest('snap-000', 'src-1', ['dr-1'], {'tags': {'team': 'db'}})])
    assert outcome.destinations['dr-1'].action == EXISTING and outcome.destinations['dr-1'].mismatch is None
    # Options the request does not compare (the DR run's dated names) are left alone.
    request = CopyRequest('snap-000', 'src-1', ['dr-1'], {'tags': {'team': 'web'}}, not_compared=['tags'])
    (outcome,) = engine_for(cloud, clock).run([request])
    assert outcome.destinations['dr-1'].action == EXISTING


def test_on_mismatch_takes_only_its_choices():
    with pytest.raises(ValueError):
        EngineConfig(on_mismatch='ignore')


# ---------------------------------------------------------------- what the mutation run (make mutation) showed unpinned
@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize(
    'state, code', [(FAILED, 'SourceFailed'), (DELETING, 'SourceDeleting'), (PENDING, 'SourceNotReady')]
)
def test_a_source_that_cannot_be_copied_is_refused_in_check_mode_as_in_a_real_run(state, code, check_mode):
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.snapshots['snap-000'] = {'disk': 'disk-0', 'region': 'src-1', 'created': 0, 'state': state}
    (outcome,) = engine_for(cloud, clock, check_mode=check_mode).run(requests(1))
    assert outcome.failed and not outcome.changed and outcome.error.code == code
    assert outcome.failures() == [str(outcome.error)] and 'snap-000' in str(outcome.error)
    if state == FAILED:
        assert 'is in state failed (no reason given)' in str(outcome.error)
    assert outcome.destinations['dr-1'].action is None
    assert 'find_copies' not in cloud.calls and 'start_copy' not in cloud.calls


def test_check_mode_with_wait_plans_a_copy_of_a_source_still_being_made():
    """A real run with wait would wait for the source, then copy it: the plan says so, without waiting."""
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.snapshots['snap-000'] = {'disk': 'disk-0', 'region': 'src-1', 'created': 0, 'state': PENDING}
    (outcome,) = engine_for(cloud, clock, check_mode=True, wait=True).run(requests(1))
    assert outcome.error is None and outcome.destinations['dr-1'].action == WOULD_COPY
    assert clock.sleeps == [] and 'describe' not in cloud.calls


def test_a_source_still_being_made_is_waited_for_then_copied():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=10)
    cloud.snapshots['snap-000'] = {'disk': 'disk-0', 'region': 'src-1', 'created': 0, 'state': PENDING}
    (outcome,) = engine_for(cloud, clock, wait=True, poll_interval=4).run(requests(1))
    assert outcome.error is None and outcome.destinations['dr-1'].action == COPIED
    assert outcome.source.state == COMPLETED
    assert clock.sleeps[:3] == [4, 4, 4]  # the source, then the copy, 10 s each


def read_timeout(settle_seconds):
    """A copy call that timed out: the cloud may still carry it out for ``settle_seconds``."""
    error = CloudError('CopySnapshot', 'ReadTimeout', 'read timed out', kind=RETRYABLE, uncertain=True)
    error.settle_seconds = settle_seconds
    return error


def test_a_copy_call_that_timed_out_is_looked_up_after_it_settled_then_sent_again():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors.append(read_timeout(30))  # the cloud then did not make it
    engine = engine_for(cloud, clock, timeout=600)
    (outcome,) = engine.run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED and len(cloud.copies) == 1
    assert clock.sleeps == [30]  # the settling wait, longer than the backoff's first step
    assert cloud.calls['find_copies'] == 2 and cloud.calls['start_copy'] == 2 and engine.retries == 1


@pytest.mark.parametrize('timeout, copied', [(29, False), (30, True)])
def test_near_the_deadline_a_copy_call_that_timed_out_is_given_up_not_sent_again_at_once(timeout, copied):
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors.append(read_timeout(30))
    (outcome,) = engine_for(cloud, clock, timeout=timeout).run(requests(1))
    destination_outcome = outcome.destinations['dr-1']
    if copied:
        assert destination_outcome.action == COPIED and clock.sleeps == [30] and cloud.calls['start_copy'] == 2
    else:
        assert (
            destination_outcome.action == NOT_COPIED
            and destination_outcome.error.code == 'ReadTimeout'
            and outcome.failed
        )
        assert clock.sleeps == [] and cloud.calls['start_copy'] == 1 and cloud.calls['find_copies'] == 1


def test_with_an_idempotency_token_a_copy_call_that_timed_out_is_looked_up_without_settling():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_call_is_idempotent = True
    cloud.copy_errors.append(read_timeout(30))
    (outcome,) = engine_for(cloud, clock, timeout=600).run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED
    assert len(clock.sleeps) == 1 and clock.sleeps[0] <= 1  # the backoff's first step, no settling
    assert cloud.calls['find_copies'] == 2 and cloud.calls['start_copy'] == 2
    # A refusal that says nothing was made is sent again without a look-up: the token makes it safe.
    cloud = MemoryCloud(clock)
    cloud.copy_call_is_idempotent = True
    cloud.copy_errors.append(CloudError('CopySnapshot', 'Throttling', 'slow down', kind=RETRYABLE))
    (outcome,) = engine_for(cloud, clock, timeout=600).run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED
    assert cloud.calls['find_copies'] == 1 and cloud.calls['start_copy'] == 2


def test_a_copy_call_that_keeps_raising_a_retryable_error_is_tried_ten_times():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors = [
        CloudError('CopySnapshot', 'Throttling', 'slow down %d' % number, kind=RETRYABLE) for number in range(20)
    ]
    engine = engine_for(cloud, clock, timeout=3600)
    (outcome,) = engine.run(requests(1))
    destination_outcome = outcome.destinations['dr-1']
    assert destination_outcome.action == NOT_COPIED and destination_outcome.error.message == 'slow down 9'
    assert cloud.calls['start_copy'] == 10 and len(clock.sleeps) == 9 and engine.retries == 9
    # without a token, each try is preceded by a look-up
    assert cloud.calls['find_copies'] == 10


def test_a_busy_destination_is_asked_again_every_poll_interval_until_the_deadline():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors = [
        CloudError('CopySnapshot', 'DiskHasUnfinishedSnapshotCopy', 'busy', kind=BUSY) for dummy in range(3)
    ]
    (outcome,) = engine_for(cloud, clock, poll_interval=5, timeout=600).run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED
    assert clock.sleeps == [5, 5, 5] and cloud.calls['start_copy'] == 4
    cloud = MemoryCloud(clock)
    cloud.copy_errors = [
        CloudError('CopySnapshot', 'DiskHasUnfinishedSnapshotCopy', 'busy', kind=BUSY) for dummy in range(30)
    ]
    clock.sleeps.clear()
    (outcome,) = engine_for(cloud, clock, poll_interval=5, timeout=12).run(requests(1))
    assert outcome.destinations['dr-1'].error.code == 'DiskHasUnfinishedSnapshotCopy' and clock.sleeps == [5, 5]


def test_an_error_that_escapes_a_copy_job_cancels_the_jobs_not_yet_started(monkeypatch):
    """The first job fails while the second is in the air, and every other job waits until the pool has been told to
    cancel (no sleep decides who is first): only the jobs under way then end, one per worker; the others never start."""
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock)
    original = cloud.start_copy
    both_in_the_air = threading.Barrier(2)
    cancelled = threading.Event()
    # One deadline for every wait: without the cancel, the jobs go on after it and the test fails on their copies.
    deadline = time.monotonic() + MEET_TIMEOUT

    class RecordingPool(concurrent.futures.ThreadPoolExecutor):
        def shutdown(self, wait=True, *, cancel_futures=False):
            if cancel_futures:
                super().shutdown(wait=False, cancel_futures=True)
                cancelled.set()
            super().shutdown(wait=wait, cancel_futures=cancel_futures)

    monkeypatch.setattr(concurrent.futures, 'ThreadPoolExecutor', RecordingPool)

    def start_copy(request, destinations):
        if request.source_id in ('snap-000', 'snap-001'):
            both_in_the_air.wait(MEET_TIMEOUT)
        if request.source_id == 'snap-000':
            raise RuntimeError('a bug in an adapter')
        cancelled.wait(max(0, deadline - time.monotonic()))
        return original(request, destinations)

    cloud.start_copy = start_copy
    with pytest.raises(RuntimeError, match='a bug in an adapter'):
        engine_for(cloud, clock, workers=2).run(requests(40))
    assert cancelled.is_set(), 'the pool was never told to cancel the jobs not yet started'
    # The jobs under way when the error came ended (the pool waits for them): snap-001, and at most the one job the
    # failed job's worker took next. No other started.
    made = sorted(copy['tags']['snapcopy:source'] for copy in cloud.copies.values())
    assert made in (['src-1/snap-001'], ['src-1/snap-001', 'src-1/snap-002']), made


def test_a_new_copy_has_its_sources_encryption_when_the_copy_call_does_not_say():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    original = cloud.start_copy

    def start_copy(request, destinations):
        results = original(request, destinations)
        for snapshot in results.values():
            # The cloud makes the copy with its source's encryption; its answer says nothing of it (the read back does).
            cloud.copies[snapshot.id]['encrypted'] = known[(request.source_region, request.source_id)].encrypted
            snapshot.encrypted = None
        return results

    cloud.start_copy = start_copy
    known = {
        ('src-1', 'snap-000'): Snapshot('snap-000', 'src-1', COMPLETED, encrypted=True),
        ('src-1', 'snap-001'): Snapshot('snap-001', 'src-1', COMPLETED, encrypted=False),
    }
    outcomes = engine_for(cloud, clock).run(requests(2), known)
    assert [outcome.destinations['dr-1'].as_result()['encrypted'] for outcome in outcomes] == [True, False]
    # A copy that says it is encrypted (asked to be) stays so, whatever its source.
    cloud = MemoryCloud(clock)
    (outcome,) = engine_for(cloud, clock).run(
        [encrypted_request()], {('src-1', 'snap-000'): known[('src-1', 'snap-001')]}
    )
    assert outcome.destinations['dr-1'].as_result()['encrypted'] is True


def test_a_copy_being_deleted_while_waited_for_fails_and_one_that_vanishes_after_it_was_seen_too():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=100)
    original = cloud.describe
    rounds = []

    def describe(region, snapshot_ids):
        rounds.append(1)
        found = original(region, snapshot_ids)
        if len(rounds) == 2:
            found['copy-0'].state = DELETING
            found['copy-0'].cloud_state = 'deleting'
            found.pop('copy-1')
        return found

    cloud.describe = describe
    outcomes = engine_for(cloud, clock, wait=True, timeout=600).run(requests(2))
    deleting, vanished = (outcome.destinations['dr-1'] for outcome in outcomes)
    assert deleting.snapshot.state == FAILED and 'being deleted (state deleting)' in deleting.failure()
    assert vanished.snapshot.state == FAILED and vanished.snapshot.cloud_state == 'vanished'
    assert 'disappeared' in vanished.failure() and all(outcome.failed for outcome in outcomes)
    # Neither is kept by the cloud as a failed copy that would stop the next run: nothing to delete, the next run copies.
    for gone in (deleting, vanished):
        assert gone.failure().endswith(GONE_SENTENCE) and 'delete it' not in gone.failure()


def test_a_copy_not_yet_visible_to_reads_is_not_taken_for_vanished():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=10)
    original = cloud.describe
    rounds = []

    def describe(region, snapshot_ids):
        rounds.append(1)
        return {} if len(rounds) == 1 else original(region, snapshot_ids)

    cloud.describe = describe
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=600).run(requests(1))
    assert not outcome.failed and outcome.destinations['dr-1'].snapshot.state == COMPLETED and len(rounds) >= 2


def test_a_copy_the_cloud_dropped_before_any_read_showed_it_fails_after_the_grace_not_at_the_deadline():
    """The chaos suite's safety part: on CBS a copy that fails is dropped, not kept as failed; one that failed before
    the first read was waited for until the run's whole wait_timeout (30 minutes there)."""
    clock = FakeClock(start=5000.0)
    cloud = MemoryCloud(clock, copy_seconds=10)
    original = cloud.describe

    def describe(region, snapshot_ids):
        found = original(region, snapshot_ids)
        found.pop('copy-0', None)
        return found

    cloud.describe = describe
    started = clock.now
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=1800).run(requests(1))
    destination_outcome = outcome.destinations['dr-1']
    assert (
        outcome.failed
        and destination_outcome.snapshot.cloud_state == 'never seen'
        and 'never appeared' in destination_outcome.failure()
        and destination_outcome.failure().endswith(GONE_SENTENCE)
    )
    # Read every second from the copy on: the first read at the end of the grace gives it up.
    assert clock.now - started == UNSEEN_GRACE_SECONDS


def test_the_copy_made_again_after_a_spent_token_is_judged_on_its_own_when_it_fails():
    """A token the cloud answers with a copy deleted since (ECS): that copy never shows, the token is spent and the copy
    made again. When the new copy fails and the cloud keeps it, its failure is the kept copy's (delete it), not the
    dropped one's."""
    clock = FakeClock(start=5000.0)
    cloud = MemoryCloud(clock, copy_seconds=10)
    cloud.copy_tokens = True
    (first,) = engine_for(cloud, clock, wait=True, timeout=1800).run(requests(1))
    assert cloud.a_person_deletes(first.destinations['dr-1'].snapshot.id)
    cloud.fail_next_copies = 1
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=1800).run(requests(1))
    destination_outcome = outcome.destinations['dr-1']
    assert destination_outcome.snapshot.id != first.destinations['dr-1'].snapshot.id
    assert destination_outcome.snapshot.state == FAILED and destination_outcome.snapshot.id in cloud.copies
    assert 'delete it, then run again' in destination_outcome.failure()


def test_a_copy_hidden_from_reads_for_less_than_the_grace_is_waited_for():
    clock = FakeClock(start=5000.0)
    cloud = MemoryCloud(clock, copy_seconds=10)
    original = cloud.describe
    started = clock.now

    def describe(region, snapshot_ids):
        found = original(region, snapshot_ids)
        if clock.now - started < UNSEEN_GRACE_SECONDS - 1:
            found.pop('copy-0', None)
        return found

    cloud.describe = describe
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=1800).run(requests(1))
    assert not outcome.failed and outcome.destinations['dr-1'].snapshot.state == COMPLETED


def test_the_engine_defaults_wait_ten_minutes_and_poll_every_fifteen_seconds():
    engine = CopyEngine(MemoryCloud(FakeClock()))
    config = engine.config
    assert (config.timeout, config.poll_interval, config.max_poll_interval, config.workers) == (600, 15, None, 1)
    assert engine.retry.backoff.max_attempts == 10
    engine.retry.backoff.rng = lambda: 1.0
    assert [engine.retry.backoff.delay(number) for number in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_a_destination_the_answer_left_out_is_retried_after_the_backoffs_own_wait():
    clock = FakeClock()
    cloud = MemoryCloud(clock, multi_destination=True)
    cloud.per_destination['dr-2'] = CloudError('CopySnapshot', 'Throttling', 'slow down', kind=RETRYABLE, region='dr-2')
    backoff = Backoff(is_retryable, base_delay=1, max_delay=4, rng=lambda: 0.25, sleep=clock.sleep, clock=clock.clock)
    (outcome,) = engine_for(cloud, clock, backoff=backoff, timeout=3600).run(requests(1, ('dr-1', 'dr-2')))
    assert outcome.destinations['dr-2'].action == NOT_COPIED
    assert clock.sleeps == [0.25, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize('progress, shown', [(None, '?%'), (40, '40%')])
def test_a_source_still_being_made_says_how_far_it_is(progress, shown):
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    known = {('src-1', 'snap-000'): Snapshot('snap-000', 'src-1', PENDING, cloud_state='pending', progress=progress)}
    (outcome,) = engine_for(cloud, clock).run(requests(1), known)
    assert 'source snapshot snap-000 is still pending (%s)' % shown in str(outcome.error)


def test_new_copy_sends_the_copy_call_again_when_a_look_up_after_a_lost_answer_finds_only_the_copy_that_differs():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'ConnectionReset', 'no answer', kind=RETRYABLE, uncertain=True))
    (outcome,) = engine_for(cloud, clock, on_mismatch='new_copy').run([encrypted_request()])
    destination_outcome = outcome.destinations['dr-1']
    assert (
        destination_outcome.action == COPIED
        and destination_outcome.snapshot.id != 'old-copy'
        and cloud.calls['start_copy'] == 2
    )


def test_a_copy_that_finds_no_free_slot_before_the_deadline_is_not_started_and_says_why():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=100)
    outcomes = engine_for(cloud, clock, max_in_flight=1, timeout=30).run(requests(2))
    assert outcomes[0].destinations['dr-1'].action == COPIED
    late = outcomes[1].destinations['dr-1']
    assert late.action == NOT_COPIED and late.error.code == 'NoFreeSlot' and cloud.calls['start_copy'] == 1
    assert '1 copies were still in flight to dr-1 at the timeout' in late.error.message and clock.now == 30


def test_waiting_for_a_free_slot_backs_off_by_half_each_round_up_to_the_cap():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=20)
    outcomes = engine_for(cloud, clock, max_in_flight=1, poll_interval=2, max_poll_interval=10, timeout=600).run(
        requests(2)
    )
    assert all(outcome.destinations['dr-1'].action == COPIED for outcome in outcomes)
    assert clock.sleeps == [2, 3.0, 4.5, 6.75, 10]


def test_two_copy_jobs_go_out_side_by_side_with_a_pool_of_two():
    """Issue 39: two 50-ms sleeps did not overlap on a busy machine. The two calls now wait for each other at a barrier:
    they meet only when both are in the air at once, whatever the machine's speed."""
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock, meet=2)
    outcomes = engine_for(cloud, clock, workers=2).run(requests(2))
    assert all(outcome.destinations['dr-1'].action == COPIED for outcome in outcomes)
    cloud.assert_met()
    assert cloud.peak_calls == 2


def test_a_copy_whose_answer_left_it_out_is_counted_as_made_by_this_run_when_the_look_up_finds_it():
    clock = FakeClock()
    cloud = MemoryCloud(clock, multi_destination=True)
    original = cloud.start_copy

    def answer_only_for_dr_1(request, destinations):
        results = original(request, destinations)
        return {destination: snapshot for destination, snapshot in results.items() if destination == 'dr-1'}

    cloud.start_copy = answer_only_for_dr_1
    (outcome,) = engine_for(cloud, clock).run(requests(1, ('dr-1', 'dr-2')))
    assert {
        destination: destination_outcome.action for destination, destination_outcome in outcome.destinations.items()
    } == {'dr-1': COPIED, 'dr-2': COPIED}
    assert cloud.calls['start_copy'] == 1 and len(cloud.copies) == 2


def test_the_copy_reported_among_several_is_a_completed_one_else_one_in_flight_else_a_failed_one():
    def snapshot(snapshot_id, state):
        return Snapshot(snapshot_id, 'dr-1', state)

    assert pick_copy([snapshot('a', FAILED), snapshot('b', PENDING), snapshot('c', COMPLETED)]).id == 'c'
    assert pick_copy([snapshot('a', FAILED), snapshot('b', PENDING)]).id == 'b'
    assert pick_copy([snapshot('b', FAILED), snapshot('a', FAILED)]).id == 'a'
    assert pick_copy([snapshot('a', DELETING)]) is None and pick_copy([]) is None


def test_jobs_fit_while_each_of_their_destinations_has_a_free_slot():
    def destination_outcome(destination):
        return DestinationOutcome(destination)

    jobs = [('first', ['dr-1']), ('second', ['dr-1']), ('third', ['dr-2']), ('both', ['dr-1', 'dr-2'])]
    assert jobs_that_fit(jobs, [], 1) == [('first', ['dr-1']), ('third', ['dr-2'])]
    assert jobs_that_fit(jobs, [], 2) == [('first', ['dr-1']), ('second', ['dr-1']), ('third', ['dr-2'])]
    assert jobs_that_fit(jobs, [destination_outcome('dr-1')], 2) == [('first', ['dr-1']), ('third', ['dr-2'])]
    assert jobs_that_fit(jobs, [destination_outcome('dr-2')], 1) == [('first', ['dr-1'])]


def test_a_slot_whose_copy_failed_or_finished_at_once_is_free_again_without_a_wait():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=0)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'InvalidParameter', 'bad', kind=INVALID))
    outcomes = engine_for(cloud, clock, max_in_flight=1, timeout=600).run(requests(3))
    assert [outcome.destinations['dr-1'].action for outcome in outcomes] == [NOT_COPIED, COPIED, COPIED]
    assert clock.sleeps == [] and cloud.calls['start_copy'] == 3


def test_a_failed_copy_says_whether_it_was_found_or_made_by_this_run():
    destination_outcome = DestinationOutcome('dr-1')
    destination_outcome.action, destination_outcome.snapshot = (
        EXISTING,
        Snapshot('c1', 'dr-1', FAILED, cloud_state='error', message='disk full'),
    )
    assert destination_outcome.failure() == (
        'dr-1: an earlier copy c1 is in state error: disk full. It is not replaced automatically: '
        'delete it, then run again to make a new copy'
    )
    destination_outcome.action, destination_outcome.snapshot.message = COPIED, None
    assert destination_outcome.failure().startswith(
        'dr-1: the copy c1 is in state error: no reason given by the cloud.'
    )
    waiting = DestinationOutcome('dr-2')
    waiting.action, waiting.timed_out = COPIED, True
    waiting.snapshot = Snapshot('c2', 'dr-2', PENDING, cloud_state='copying')
    assert (
        waiting.failure()
        == 'dr-2: copy c2 is still copying (?%) at the timeout; a rerun adopts it instead of copying again'
    )
    waiting.snapshot.progress = 50
    assert '(50%)' in waiting.failure()


@pytest.mark.parametrize('count', [1, 2])
def test_a_failed_read_of_one_source_fails_that_request_and_of_several_the_run(count):
    clock = FakeClock()
    cloud = MemoryCloud(clock)

    def get_sources(region, ids):
        raise CloudError('DescribeSnapshots', 'AuthFailure', 'no', kind=INVALID)

    cloud.get_sources = get_sources
    if count == 1:
        (outcome,) = engine_for(cloud, clock).run(requests(1))
        assert outcome.error.code == 'AuthFailure' and outcome.failed
    else:
        with pytest.raises(CloudError, match='AuthFailure'):
            engine_for(cloud, clock).run(requests(count))
    assert 'start_copy' not in cloud.calls


@pytest.mark.parametrize('on_mismatch', ['fail', 'warn'])
def test_a_look_up_after_a_lost_answer_that_finds_a_copy_that_differs_settles_the_destination(on_mismatch):
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    original = cloud.find_copies
    looks = []

    def blind_at_first(destination, reqs):
        looks.append(destination)
        return {} if len(looks) == 1 else original(destination, reqs)

    cloud.find_copies = blind_at_first
    cloud.copy_errors.append(CloudError('CopySnapshot', 'ConnectionReset', 'no answer', kind=RETRYABLE, uncertain=True))
    engine = engine_for(cloud, clock, on_mismatch=on_mismatch)
    (outcome,) = engine.run([encrypted_request()])
    destination_outcome = outcome.destinations['dr-1']
    if on_mismatch == 'fail':
        assert destination_outcome.action == NOT_COPIED and destination_outcome.error.code == 'ExistingCopyDiffers'
    else:  # used as it is, with a warning; the lost answer may have been its own
        assert (
            destination_outcome.action == COPIED
            and destination_outcome.snapshot.id == 'old-copy'
            and len(engine.warnings) == 1
        )
    assert cloud.calls['start_copy'] == 1 and set(cloud.copies) == {'old-copy'}
    # The look-up showed the copy: it is not read back again as one no read has shown (sightings).
    assert 'describe' not in cloud.calls


def test_a_refused_copy_call_is_sent_again_after_the_backoffs_own_wait_and_nothing_more():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.copy_errors = [CloudError('CopySnapshot', 'Throttling', 'slow down', kind=RETRYABLE) for dummy in range(3)]
    backoff = Backoff(is_retryable, base_delay=1, max_delay=4, rng=lambda: 0.25, sleep=clock.sleep, clock=clock.clock)
    (outcome,) = engine_for(cloud, clock, backoff=backoff, timeout=3600).run(requests(1))
    assert outcome.destinations['dr-1'].action == COPIED and clock.sleeps == [0.25, 0.5, 1.0]


def test_copies_already_in_flight_take_their_slots_before_new_ones_start():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=10)
    cloud.add_copy('flying', 'dr-1', {SOURCE_TAG: 'src-1/snap-000'}, started=0)
    outcomes = engine_for(cloud, clock, max_in_flight=1, timeout=600).run(requests(2))
    assert [outcome.destinations['dr-1'].action for outcome in outcomes] == [EXISTING, COPIED]
    assert cloud.copies['copy-1']['started'] >= 10  # the new copy waited for the slot


def test_waiting_for_a_free_slot_starts_over_at_the_poll_interval_once_a_slot_freed():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=20)
    outcomes = engine_for(cloud, clock, max_in_flight=1, poll_interval=2, max_poll_interval=10, timeout=600).run(
        requests(3)
    )
    assert all(outcome.destinations['dr-1'].action == COPIED for outcome in outcomes)
    assert clock.sleeps == [2, 3.0, 4.5, 6.75, 10] * 2


def test_the_clients_reads_within_the_engines_calls_are_retried_until_the_engines_deadline_not_the_call_retrys():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    retry = CallRetry(
        Backoff(
            is_retryable,
            base_delay=1,
            max_delay=8,
            max_attempts=10,
            rng=lambda: 1.0,
            sleep=clock.sleep,
            clock=clock.clock,
        )
    )
    cloud.client = type('Client', (), {'retry': retry})()
    original = cloud.find_copies
    throttles = [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE) for dummy in range(10)]

    def find_copies(destination, reqs):
        def read():
            if throttles:
                raise throttles.pop(0)
            return original(destination, reqs)

        return retry.send('DescribeSnapshots', read)  # as the clients send every call

    cloud.find_copies = find_copies
    with pytest.raises(CloudError, match='Throttling'):
        engine_for(cloud, clock, timeout=10).run(requests(1))
    # 1 + 2 + 4 s of waits fit in the engine's 10 s, the next 8 s would not; the run's CallRetry keeps its own deadline.
    assert clock.sleeps == [1, 2, 4] and retry.retries == 3 and retry.deadline == float('inf')
