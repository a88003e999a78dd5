"""The engine's own rules, on an in-memory cloud behind the Adapter interface.

The adapters have their own tests against the real SDKs; here the cloud is a small model
that keeps copies and can fail, throttle or lose answers, so that the engine's guarantees
(no second copy, check mode without mutations, bounded copies in flight, partial results)
are shown for any adapter.
"""
from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._engine import COPIED, EXISTING, NOT_COPIED, WOULD_COPY, CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import ALREADY_EXISTS, INVALID, RETRYABLE, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import COMPLETED, PENDING, SOURCE_TAG, Adapter, CopyRequest, Snapshot


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class MemoryCloud(Adapter):
    """Copies finish ``copy_seconds`` after they start; every call is counted."""

    cloud = 'memory'

    def __init__(self, clock, multi_destination=False, copy_seconds=10, in_flight_limit=None):
        self.clock = clock
        self.multi_destination = multi_destination
        self.copy_seconds = copy_seconds
        self.in_flight_limit = in_flight_limit
        self.copies = {}   # id -> (region, source_tag, started)
        self.calls = {'get_sources': 0, 'find_copies': 0, 'start_copy': 0, 'describe': 0}
        self.copy_errors = []      # errors raised by the next start_copy calls
        self.per_destination = {}  # destination -> CloudError returned for it
        self.lose_next_answer = False
        self.peak_in_flight = {}

    def _snapshot(self, snapshot_id):
        region, tag, started = self.copies[snapshot_id]
        done = self.clock.now - started >= self.copy_seconds
        return Snapshot(snapshot_id, region, COMPLETED if done else PENDING, tags={SOURCE_TAG: tag}, progress=100 if done else 50)

    def in_flight(self, region):
        return sum(1 for copy_id, (where, dummy, dummy2) in self.copies.items()
                   if where == region and self._snapshot(copy_id).state == PENDING)

    def get_sources(self, region, snapshot_ids):
        self.calls['get_sources'] += 1
        return {snapshot_id: Snapshot(snapshot_id, region, COMPLETED, progress=100) for snapshot_id in snapshot_ids}

    def find_copies(self, destination, requests):
        self.calls['find_copies'] += 1
        wanted = {request.source_tag for request in requests}
        found = {}
        for copy_id, (region, tag, dummy) in self.copies.items():
            if region == destination and tag in wanted:
                found.setdefault(tag, []).append(self._snapshot(copy_id))
        return found

    def start_copy(self, request, destinations):
        self.calls['start_copy'] += 1
        if self.copy_errors:
            raise self.copy_errors.pop(0)
        results = {}
        for destination in destinations:
            if destination in self.per_destination:
                results[destination] = self.per_destination[destination]
                continue
            if self.in_flight_limit is not None and self.in_flight(destination) >= self.in_flight_limit:
                raise CloudError('CopySnapshot', 'ResourceLimitExceeded', 'too many copies in flight', kind=RETRYABLE)
            copy_id = 'copy-%d' % len(self.copies)
            self.copies[copy_id] = (destination, request.source_tag, self.clock.now)
            self.peak_in_flight[destination] = max(self.peak_in_flight.get(destination, 0), self.in_flight(destination))
            results[destination] = self._snapshot(copy_id)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise CloudError('CopySnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)
        return results

    def describe(self, region, snapshot_ids):
        self.calls['describe'] += 1
        return {snapshot_id: self._snapshot(snapshot_id) for snapshot_id in snapshot_ids if snapshot_id in self.copies}


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
    assert cloud.calls['start_copy'] == 0
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
    cloud.copies['copy-x'] = ('dr-1', 'src-1/snap-000', clock.now)
    cloud.copy_errors.append(CloudError('CopySnapshot', 'ResourceInUse.CopySnapshotConflict', 'in flight', kind=ALREADY_EXISTS))
    engine = engine_for(cloud, clock)
    # find_copies misses it at first (as a copy not yet visible would be), then the conflict
    # sends the engine to look again, and it adopts what it finds.
    original_find = cloud.find_copies
    misses = [True]

    def find_once_blind(destination, reqs):
        if misses:
            misses.pop()
            cloud.calls['find_copies'] += 1
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
