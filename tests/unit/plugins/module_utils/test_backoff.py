from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._backoff import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import RETRYABLE, CloudError, is_retryable
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock


class Throttled(Exception):
    pass


class Invalid(Exception):
    pass


def failing_then(result, errors):
    calls = []

    def operation():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return operation, calls


def make_backoff(clock, **kwargs):
    kwargs.setdefault('rng', lambda: 1.0)
    return Backoff(lambda error: isinstance(error, Throttled), sleep=clock.sleep, clock=clock.clock, **kwargs)


def test_retries_retryable_errors_until_success():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('ok', [Throttled(), Throttled(), Throttled()])
    assert make_backoff(clock, base_delay=1, max_delay=10).call(operation, deadline=clock.now + 100) == 'ok'
    assert len(calls) == 4
    assert clock.sleeps == [1, 2, 4]


def test_never_retries_a_non_retryable_error():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('ok', [Invalid('bad name')])
    with pytest.raises(Invalid):
        make_backoff(clock).call(operation, deadline=clock.now + 100)
    assert len(calls) == 1
    assert not clock.sleeps


def test_gives_up_rather_than_pass_the_deadline():
    clock = FakeClock(1000.0)
    start = clock.now
    operation, calls = failing_then('ok', [Throttled() for dummy in range(50)])
    with pytest.raises(Throttled):
        make_backoff(clock, base_delay=1, max_delay=8).call(operation, deadline=start + 20)
    assert clock.now <= start + 20
    # 1 + 2 + 4 + 8 = 15 s of waits fit in 20 s; the next 8 s would not.
    assert clock.sleeps == [1, 2, 4, 8]
    assert len(calls) == 5


def test_delay_is_capped_and_jittered():
    clock = FakeClock(1000.0)
    draws = iter([0.5, 0.25, 0.0, 1.0, 1.0])
    backoff = Backoff(lambda error: True, base_delay=2, max_delay=5, rng=lambda: next(draws),
                      sleep=clock.sleep, clock=clock.clock)
    assert [backoff.delay(n) for n in range(5)] == [1.0, 1.0, 0.0, 5, 5]


def test_max_attempts_limits_calls_and_on_retry_sees_each_error():
    clock = FakeClock(1000.0)
    seen = []
    operation, calls = failing_then('ok', [Throttled('a'), Throttled('b'), Throttled('c')])
    with pytest.raises(Throttled, match='b'):
        make_backoff(clock, max_attempts=2).call(
            operation, deadline=clock.now + 100, on_retry=lambda error, attempt, wait: seen.append((str(error), attempt)))
    assert len(calls) == 2
    assert seen == [('a', 0)]


def test_rejects_nonsense_delays():
    with pytest.raises(ValueError):
        Backoff(lambda error: True, base_delay=0)
    with pytest.raises(ValueError):
        Backoff(lambda error: True, base_delay=5, max_delay=1)


def test_by_default_the_step_is_one_second_doubling_up_to_twenty():
    """The DR run's fresh snapshots back off with these defaults."""
    backoff = Backoff(lambda error: True, rng=lambda: 1.0)
    assert [backoff.delay(number) for number in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert backoff.delay(1000) == 20.0


def test_a_wait_that_ends_right_at_the_deadline_is_still_taken():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('ok', [Throttled() for dummy in range(4)])
    assert make_backoff(clock, base_delay=1, max_delay=8).call(operation, deadline=clock.now + 15) == 'ok'
    assert clock.sleeps == [1, 2, 4, 8] and len(calls) == 5 and clock.now == 1015


def test_a_fixed_delay_is_a_base_delay_equal_to_the_cap():
    backoff = Backoff(lambda error: True, base_delay=5, max_delay=5, rng=lambda: 1.0)
    assert [backoff.delay(number) for number in range(3)] == [5, 5, 5]


def test_a_call_retry_without_a_deadline_retries_a_read_until_its_tries_are_spent():
    clock = FakeClock(1000.0)
    backoff = Backoff(is_retryable, base_delay=1, max_delay=2, max_attempts=3, rng=lambda: 1.0, sleep=clock.sleep, clock=clock.clock)
    retry = CallRetry(backoff)
    operation, calls = failing_then('ok', [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE) for dummy in range(2)])
    assert retry.send('DescribeSnapshots', operation) == 'ok'
    assert len(calls) == 3 and clock.sleeps == [1, 2] and retry.retries == 2
