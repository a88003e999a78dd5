"""The engine's own rules, on an in-memory cloud behind the Adapter interface.

The adapters have their own tests against the real SDKs; here the cloud is a small model
that keeps copies and can fail, throttle or lose answers, so that the engine's guarantees
(no second copy, check mode without mutations, bounded copies in flight, partial results)
are shown for any adapter.
"""
from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._backoff import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils._copy_module import copy_diff
from ansible_collections.snapcopy.cloud.plugins.module_utils._engine import COPIED, EXISTING, NOT_COPIED, WOULD_COPY, CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import ALREADY_EXISTS, INVALID, RETRYABLE, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils._tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemoryCloud


class ThreadSafeCloud(MemoryCloud):
    """The in-memory cloud behind a lock, whose copy call takes a little real time, so that a pool's
    calls overlap; it records how many were in the air at once."""

    def __init__(self, clock, call_seconds=0.002, **kwargs):
        super().__init__(clock, **kwargs)
        self.call_seconds = call_seconds
        self.lock = threading.RLock()
        self.calls_in_air = 0
        self.peak_calls = 0

    def start_copy(self, request, destinations):
        with self.lock:
            self.calls_in_air += 1
            self.peak_calls = max(self.peak_calls, self.calls_in_air)
        try:
            time.sleep(self.call_seconds)  # the round trip, outside the lock
            with self.lock:
                return super().start_copy(request, destinations)
        finally:
            with self.lock:
                self.calls_in_air -= 1

    def find_copies(self, destination, requests):
        with self.lock:
            return super().find_copies(destination, requests)

    def describe(self, region, snapshot_ids):
        with self.lock:
            return super().describe(region, snapshot_ids)


def engine_for(cloud, clock, **kwargs):
    kwargs.setdefault('poll_interval', 1)
    return CopyEngine(cloud, clock=clock.clock, sleep=clock.sleep, **kwargs)


def requests(count, destinations=('dr-1',)):
    return [CopyRequest('snap-%03d' % index, 'src-1', list(destinations)) for index in range(count)]


def test_copies_then_a_rerun_finds_them():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    first = engine_for(cloud, clock).run(requests(3, ('dr-1', 'dr-2')))
    assert all(place.action == COPIED for outcome in first for place in outcome.destinations.values())
    again = engine_for(cloud, clock).run(requests(3, ('dr-1', 'dr-2')))
    assert all(place.action == EXISTING for outcome in again for place in outcome.destinations.values())
    assert len(cloud.copies) == 6
    assert not any(outcome.changed for outcome in again)


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
    cloud.per_destination['dr-2'] = CloudError('CopySnapshot', 'InsufficientSnapshotQuota', 'quota spent', kind=INVALID, region='dr-2')
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
    assert {place.action for place in outcome.destinations.values()} == {COPIED}


def test_already_exists_is_adopted_not_failed():
    clock = FakeClock()
    cloud = MemoryCloud(clock)
    cloud.add_copy('copy-x', 'dr-1', {'snapcopy:source': 'src-1/snap-000'}, clock.now)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'ResourceInUse.CopySnapshotConflict', 'in flight', kind=ALREADY_EXISTS))
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
    place = outcome.destinations['dr-1']
    assert place.snapshot.id == 'copy-0'
    assert outcome.failed == (timeout < 10)
    assert place.timed_out == (timeout < 10)


def test_a_pool_of_workers_copies_every_request_once():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock)
    outcomes = engine_for(cloud, clock, workers=8).run(requests(30, ('dr-1', 'dr-2')))
    assert all(place.action == COPIED for outcome in outcomes for place in outcome.destinations.values())
    assert cloud.calls['start_copy'] == 60 and len(cloud.copies) == 60
    assert 1 < cloud.peak_calls <= 8
    assert {copy['tags']['snapcopy:source'] for copy in cloud.copies.values()} == {'src-1/snap-%03d' % index for index in range(30)}


def test_a_pool_of_workers_keeps_the_bound_on_copies_in_flight():
    clock = FakeClock()
    cloud = ThreadSafeCloud(clock, copy_seconds=5, in_flight_limit=20)
    outcomes = engine_for(cloud, clock, max_in_flight=20, wait=True, timeout=3600, workers=8).run(requests(65, ('dr-1', 'dr-2')))
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
    cloud.per_destination['dr-2'] = CloudError('CopySnapshot', 'InternalError.ComponentError', 'region broken', kind=RETRYABLE, region='dr-2')
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
    place = outcome.destinations['dr-1']
    assert outcome.failed and not outcome.changed and place.action == NOT_COPIED
    assert place.error.code == 'ExistingCopyDiffers' and 'encrypted (asked True, found False)' in place.error.message
    assert place.mismatch == {'snapshot_id': 'old-copy', 'differences': {'encrypted': {'asked': True, 'found': False}}}
    assert place.as_result()['mismatch'] == place.mismatch and place.as_result()['snapshot_id'] == 'old-copy'
    assert 'start_copy' not in cloud.calls


def test_a_differing_copy_still_in_flight_is_not_waited_for_and_the_diff_shows_nothing_copied():
    clock = FakeClock()
    cloud = MemoryCloud(clock, copy_seconds=600)
    cloud.add_copy('old-copy', 'dr-1', {SOURCE_TAG: 'src-1/snap-000'}, started=0, encrypted=False)  # in flight
    (outcome,) = engine_for(cloud, clock, wait=True, timeout=300).run([encrypted_request()])
    place = outcome.destinations['dr-1']
    assert place.action == NOT_COPIED and place.error.code == 'ExistingCopyDiffers' and not place.timed_out
    assert 'describe' not in cloud.calls and clock.sleeps == []
    assert copy_diff(outcome) == {'before': {'source': 'src-1/snap-000', 'copies': {'dr-1': 'old-copy'}},
                                  'after': {'source': 'src-1/snap-000', 'copies': {'dr-1': 'old-copy'}}}


def test_a_copy_that_differs_is_used_with_a_warning_when_asked():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    engine = engine_for(cloud, clock, on_mismatch='warn')
    (outcome,) = engine.run([encrypted_request(tags={'team': 'web'})])
    place = outcome.destinations['dr-1']
    assert not outcome.failed and place.action == EXISTING and place.snapshot.id == 'old-copy'
    assert set(place.mismatch['differences']) == {'encrypted', 'tags'}
    assert place.mismatch['differences']['tags'] == {'asked': {'team': 'web'}, 'found': {'team': 'db'}}
    (warning,) = engine.warnings
    assert 'old-copy' in warning and 'encrypted' in warning and 'on_mismatch: warn' in warning


def test_a_copy_that_differs_is_replaced_by_a_new_one_when_asked_and_the_rerun_uses_the_new_one():
    clock = FakeClock()
    cloud = cloud_with_unencrypted_copy(clock)
    (plan,) = engine_for(cloud, clock, on_mismatch='new_copy', check_mode=True).run([encrypted_request()])
    assert plan.destinations['dr-1'].action == WOULD_COPY and plan.destinations['dr-1'].mismatch['snapshot_id'] == 'old-copy'
    (outcome,) = engine_for(cloud, clock, on_mismatch='new_copy').run([encrypted_request()])
    place = outcome.destinations['dr-1']
    assert place.action == COPIED and place.snapshot.id != 'old-copy' and place.mismatch['snapshot_id'] == 'old-copy'
    assert set(cloud.copies) == {'old-copy', place.snapshot.id}
    # The matching copy is preferred to the one that differs, under any on_mismatch.
    (again,) = engine_for(cloud, clock).run([encrypted_request()])
    assert again.destinations['dr-1'].action == EXISTING and again.destinations['dr-1'].snapshot.id == place.snapshot.id
    assert again.destinations['dr-1'].mismatch is None and not again.failed


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
        CopyEngine(MemoryCloud(FakeClock()), on_mismatch='ignore')
