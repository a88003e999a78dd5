from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.polling import (
    AGAIN,
    DONE,
    FAILED,
    STILL_GOING,
    TIMEOUT,
    PollResult,
    poll,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock


def reader(states):
    """Return each state in turn, then keep returning the last one."""
    seen = []

    def read():
        seen.append(1)
        return states[min(len(seen), len(states)) - 1]

    return read, seen


def outcome(state):
    return {'completed': DONE, 'error': FAILED}.get(state, STILL_GOING)


def test_polls_until_done():
    clock = FakeClock()
    read, seen = reader(['pending', 'pending', 'completed'])
    result = poll(read, outcome, deadline=100, interval=5, sleep=clock.sleep, clock=clock.clock)
    assert result.status == DONE
    assert result.last == 'completed'
    assert result.polls == 3 == len(seen)
    assert clock.sleeps == [5, 5]


def test_stops_at_failure_with_what_it_saw():
    clock = FakeClock()
    read, dummy = reader(['pending', 'error', 'completed'])
    result = poll(read, outcome, deadline=100, interval=5, sleep=clock.sleep, clock=clock.clock)
    assert (result.status, result.last, result.polls) == (FAILED, 'error', 2)


def test_timeout_returns_the_last_observation_and_never_sleeps_past_the_deadline():
    clock = FakeClock()
    read, seen = reader(['pending'])
    result = poll(read, outcome, deadline=12, interval=5, sleep=clock.sleep, clock=clock.clock)
    assert result.status == TIMEOUT
    assert result.last == 'pending'
    assert clock.now == 12
    assert clock.sleeps == [5, 5, 2]
    assert len(seen) == 4  # a last read right at the deadline


def test_interval_grows_up_to_the_cap():
    clock = FakeClock()
    read, dummy = reader(['pending'] * 6 + ['completed'])
    poll(read, outcome, deadline=1000, interval=2, max_interval=5, sleep=clock.sleep, clock=clock.clock)
    assert clock.sleeps == [2, 3.0, 4.5, 5, 5, 5]


def test_bad_outcome_and_interval_are_errors():
    with pytest.raises(ValueError, match="returned 'maybe'; expected done, failed, still_going or again"):
        poll(lambda: 1, lambda obs: 'maybe', deadline=10, interval=1, sleep=lambda s: None, clock=lambda: 0)
    with pytest.raises(ValueError, match='interval must be positive'):
        poll(lambda: 1, outcome, deadline=10, interval=0)


def test_less_than_a_second_before_the_deadline_there_is_still_a_last_read():
    clock = FakeClock()
    read, seen = reader(['pending', 'pending', 'pending', 'completed'])
    result = poll(read, outcome, deadline=10.5, interval=5, sleep=clock.sleep, clock=clock.clock)
    assert result.status == DONE and clock.sleeps == [5, 5, 0.5] and len(seen) == 4


def test_after_an_observation_that_moved_the_next_read_follows_at_once_and_the_interval_starts_over():
    clock = FakeClock()
    statuses = iter([STILL_GOING, STILL_GOING, AGAIN, AGAIN, STILL_GOING, STILL_GOING, DONE])
    result = poll(
        lambda: next(statuses),
        lambda status: status,
        deadline=1000,
        interval=2,
        max_interval=10,
        sleep=clock.sleep,
        clock=clock.clock,
    )
    assert result.status == DONE and result.polls == 7
    assert clock.sleeps == [2, 3.0, 2, 3.0]


def test_an_observation_that_moved_is_read_again_even_at_the_deadline():
    clock = FakeClock()
    statuses = iter([STILL_GOING, AGAIN, STILL_GOING])
    result = poll(
        lambda: next(statuses), lambda status: status, deadline=5, interval=5, sleep=clock.sleep, clock=clock.clock
    )
    assert (result.status, result.polls, clock.sleeps) == (TIMEOUT, 3, [5])


def test_a_poll_result_shows_its_status_and_polls_not_the_observation():
    assert repr(PollResult(DONE, ['a long list of copies'], 3)) == "PollResult(status='done', polls=3)"
    with pytest.raises(ValueError, match='expected done, failed, still_going or again'):
        poll(lambda: 1, lambda obs: 'maybe', deadline=10, interval=1, sleep=lambda s: None, clock=lambda: 0)
