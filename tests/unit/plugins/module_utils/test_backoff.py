from __future__ import annotations

import threading

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    BUSY,
    INVALID,
    RETRYABLE,
    CloudError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import (
    GIVE_UP,
    LOOK_UP,
    RESEND,
    WAIT,
    Backoff,
    CallRetry,
    create_once,
    create_verdict,
)
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
    backoff = Backoff(
        lambda error: True, base_delay=2, max_delay=5, rng=lambda: next(draws), sleep=clock.sleep, clock=clock.clock
    )
    assert [backoff.delay(n) for n in range(5)] == [1.0, 1.0, 0.0, 5, 5]


def test_max_attempts_limits_calls_and_on_retry_sees_each_error():
    clock = FakeClock(1000.0)
    seen = []
    operation, calls = failing_then('ok', [Throttled('a'), Throttled('b'), Throttled('c')])
    with pytest.raises(Throttled, match='b'):
        make_backoff(clock, max_attempts=2).call(
            operation,
            deadline=clock.now + 100,
            on_retry=lambda error, attempt, wait: seen.append((str(error), attempt)),
        )
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
    backoff = Backoff(
        is_retryable, base_delay=1, max_delay=2, max_attempts=3, rng=lambda: 1.0, sleep=clock.sleep, clock=clock.clock
    )
    retry = CallRetry(backoff)
    operation, calls = failing_then(
        'ok', [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE) for dummy in range(2)]
    )
    assert retry.send('DescribeSnapshots', operation) == 'ok'
    assert len(calls) == 3 and clock.sleeps == [1, 2] and retry.retries == 2


# ------------------------------------------------------ resend: the one place that decides whether a call is sent again
def lost(settle_seconds=0):
    """An answer lost on the way: the call may have been carried out (after a read timeout, for ``settle_seconds``
    more)."""
    error = CloudError('CreateSnapshot', 'ReadTimeout', 'read timed out', kind=RETRYABLE, uncertain=True)
    error.settle_seconds = settle_seconds
    return error


def throttled():
    return CloudError('CreateSnapshot', 'Throttling', 'slow down', kind=RETRYABLE)


def busy():
    return CloudError('CopySnapshot', 'DiskHasUnfinishedSnapshotCopy', 'busy', kind=BUSY)


def resend_backoff(clock, **kwargs):
    kwargs.setdefault('rng', lambda: 1.0)
    return Backoff(is_retryable, base_delay=1, max_delay=8, sleep=clock.sleep, clock=clock.clock, **kwargs)


def looker(clock, finds=()):
    """A look-up that finds ``finds`` in turn (then nothing), recording the time and the error of each look."""
    looks, finds = [], list(finds)

    def look_up(error):
        looks.append((clock.now, error))
        return finds.pop(0) if finds else None

    return look_up, looks


def classify_by_kind(error):
    if error.kind == BUSY:
        return WAIT
    if error.uncertain:
        return LOOK_UP
    return RESEND if error.kind == RETRYABLE else GIVE_UP


def test_a_look_up_comes_after_the_wait_right_before_the_resend_and_what_it_finds_is_the_result():
    clock = FakeClock(1000.0)
    first_loss, second_loss = lost(), lost()
    operation, calls = failing_then('sent', [first_loss, second_loss])
    look_up, looks = looker(clock, [None, 'found'])
    retried = []
    result = resend_backoff(clock).resend(
        operation,
        classify_by_kind,
        clock.now + 100,
        look_up=look_up,
        on_retry=lambda error, attempt, delay: retried.append((error, attempt, delay)),
    )
    assert result == 'found' and len(calls) == 2
    assert looks == [(1001.0, first_loss), (1003.0, second_loss)] and clock.sleeps == [1, 2]
    assert retried == [(first_loss, 0, 1), (second_loss, 1, 2)]


def test_a_refusal_that_made_nothing_is_sent_again_without_a_look_up():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [throttled(), throttled()])
    look_up, looks = looker(clock)
    assert resend_backoff(clock).resend(operation, classify_by_kind, clock.now + 100, look_up=look_up) == 'sent'
    assert len(calls) == 3 and looks == [] and clock.sleeps == [1, 2]


def test_a_resend_after_a_look_up_needs_no_look_up_of_its_own():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [lost(), throttled()])
    look_up, looks = looker(clock)
    assert resend_backoff(clock).resend(operation, classify_by_kind, clock.now + 100, look_up=look_up) == 'sent'
    assert len(calls) == 3 and len(looks) == 1


@pytest.mark.parametrize('idempotent, sleeps', [(False, [30]), (True, [1])])
def test_without_a_token_a_call_that_timed_out_is_given_its_settle_time_before_the_look_up(idempotent, sleeps):
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [lost(settle_seconds=30)])
    look_up, looks = looker(clock)
    assert (
        resend_backoff(clock).resend(
            operation, classify_by_kind, clock.now + 100, look_up=look_up, idempotent=idempotent
        )
        == 'sent'
    )
    assert clock.sleeps == sleeps and len(looks) == 1 and len(calls) == 2


def test_a_busy_refusal_waits_its_own_time_spends_no_try_and_keeps_a_look_up_due():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [lost(), busy(), busy(), busy()])
    look_up, looks = looker(clock)
    backoff = resend_backoff(clock, max_attempts=2)
    assert backoff.resend(operation, classify_by_kind, clock.now + 100, look_up=look_up, busy_wait=5) == 'sent'
    # Two tries spent (the lost one and the last), three busy waits between; each send after the loss is looked up
    # first.
    assert clock.sleeps == [1, 5, 5, 5] and len(calls) == 5 and len(looks) == 4


def test_a_busy_refusal_is_asked_again_until_the_deadline():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [busy() for dummy in range(10)])
    with pytest.raises(CloudError, match='busy'):
        resend_backoff(clock).resend(operation, classify_by_kind, clock.now + 12, busy_wait=5)
    assert clock.sleeps == [5, 5] and len(calls) == 3


def test_max_attempts_given_to_resend_overrides_the_backoffs():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [throttled() for dummy in range(5)])
    with pytest.raises(CloudError):
        resend_backoff(clock, max_attempts=10).resend(operation, classify_by_kind, clock.now + 100, max_attempts=3)
    assert len(calls) == 3 and clock.sleeps == [1, 2]


def test_what_it_gives_up_on_is_raised_at_once_unchanged():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [Invalid('bad name')])
    look_up, looks = looker(clock, ['found'])
    with pytest.raises(Invalid, match='bad name'):
        resend_backoff(clock).resend(
            operation, lambda error: GIVE_UP, clock.now + 100, look_up=look_up, look_up_at_once=True
        )
    assert len(calls) == 1 and looks == [] and clock.sleeps == []


def test_at_once_a_lost_answer_is_looked_up_before_the_wait_and_after_the_last_try_too():
    clock = FakeClock(1000.0)
    first, second, third = lost(), lost(), lost()
    operation, calls = failing_then('sent', [first, second, third])
    look_up, looks = looker(clock, [None, None, 'made by the last try'])
    retried = []
    assert (
        resend_backoff(clock, max_attempts=3).resend(
            operation,
            classify_by_kind,
            clock.now + 100,
            look_up=look_up,
            look_up_at_once=True,
            on_retry=lambda *retry: retried.append(retry),
        )
        == 'made by the last try'
    )
    assert looks == [(1000.0, first), (1001.0, second), (1003.0, third)] and clock.sleeps == [1, 2] and len(calls) == 3
    assert retried == [(first, 0, 1), (second, 1, 2)]


def test_at_once_a_look_up_that_finds_nothing_is_followed_by_the_backoffs_wait_and_no_second_look_up():
    clock = FakeClock(1000.0)
    operation, calls = failing_then('sent', [lost(settle_seconds=30)])
    look_up, looks = looker(clock)
    assert (
        resend_backoff(clock).resend(
            operation, classify_by_kind, clock.now + 100, look_up=look_up, look_up_at_once=True
        )
        == 'sent'
    )
    assert clock.sleeps == [30, 1] and [when for when, dummy in looks] == [1030.0] and len(calls) == 2


def test_at_once_the_look_up_waits_for_a_timed_out_call_to_land_when_the_deadline_allows_and_never_past_it():
    for seconds_left, sleeps, looked in [(30, [30], True), (29.5, [], False)]:
        clock = FakeClock(1000.0)
        operation, dummy = failing_then('sent', [lost(settle_seconds=30)])
        look_up, looks = looker(clock, ['made'])
        backoff = resend_backoff(clock)
        if looked:
            assert (
                backoff.resend(
                    operation, classify_by_kind, clock.now + seconds_left, look_up=look_up, look_up_at_once=True
                )
                == 'made'
            )
        else:
            with pytest.raises(CloudError):
                backoff.resend(
                    operation, classify_by_kind, clock.now + seconds_left, look_up=look_up, look_up_at_once=True
                )
        assert clock.sleeps == sleeps and len(looks) == int(looked)


def test_at_once_a_call_with_a_token_is_looked_up_without_waiting_for_it_to_land():
    clock = FakeClock(1000.0)
    operation, dummy = failing_then('sent', [lost(settle_seconds=30)])
    look_up, looks = looker(clock, ['made'])
    assert (
        resend_backoff(clock).resend(
            operation, classify_by_kind, clock.now + 5, look_up=look_up, idempotent=True, look_up_at_once=True
        )
        == 'made'
    )
    assert clock.sleeps == [] and len(looks) == 1


def test_at_once_a_lost_answer_is_looked_up_even_past_the_deadline_when_nothing_is_to_settle():
    clock = FakeClock(1000.0)
    operation, dummy = failing_then('sent', [lost()])
    look_up, looks = looker(clock, ['made'])
    assert (
        resend_backoff(clock).resend(operation, classify_by_kind, clock.now - 1, look_up=look_up, look_up_at_once=True)
        == 'made'
    )
    assert clock.sleeps == [] and len(looks) == 1


@pytest.mark.parametrize('idempotent', [False, True])
def test_a_creating_call_is_looked_up_after_a_lost_answer_unless_it_has_a_token(idempotent):
    verdict = create_verdict(idempotent)
    assert verdict(lost()) == (RESEND if idempotent else LOOK_UP)
    assert verdict(throttled()) == RESEND
    assert verdict(CloudError('CreateSnapshot', 'InvalidParameter', 'bad', kind=INVALID)) == GIVE_UP
    assert verdict(RuntimeError('a bug')) == GIVE_UP
    lost_and_refused = CloudError('CreateSnapshot', 'Forbidden', 'no', kind=INVALID, uncertain=True)
    assert verdict(lost_and_refused) == (GIVE_UP if idempotent else LOOK_UP)


def test_create_once_returns_what_the_last_lost_call_made():
    clock = FakeClock(1000.0)
    retry = CallRetry(resend_backoff(clock)).until(clock.now + 100)
    operation, calls = failing_then('sent', [lost(), lost(), lost()])
    made = iter([None, None, 'made'])
    assert create_once(operation, lambda: next(made), False, retry, clock.now + 100, 3) == 'made'
    assert len(calls) == 3 and clock.sleeps == [1, 2] and retry.retries == 2


def test_a_bug_in_a_creating_call_is_raised_unchanged_without_a_look_up():
    clock = FakeClock(1000.0)
    retry = CallRetry(resend_backoff(clock)).until(clock.now + 100)
    operation, dummy = failing_then('sent', [RuntimeError('a bug')])
    looks = []
    with pytest.raises(RuntimeError, match='a bug'):
        create_once(operation, lambda: looks.append(1), False, retry, clock.now + 100, 3)
    assert looks == []


# ---------------------------------------------------------------- the deadline of each phase of a run (CallRetry.until)
def client_read(retry, errors):
    """A client's read through the run's CallRetry (as the clients send every call), failing with ``errors`` first."""
    operation, calls = failing_then('read', errors)
    return lambda: retry.send('DescribeSnapshots', operation), calls


def test_the_sends_of_the_client_within_a_phases_call_are_retried_until_the_phases_deadline():
    clock = FakeClock(1000.0)
    shared = CallRetry(resend_backoff(clock), deadline=2000.0)
    phase = shared.until(1010.0)
    read, calls = client_read(shared, [throttled() for dummy in range(10)])
    with pytest.raises(CloudError) as info:
        phase.call(read)
    # 1 + 2 + 4 s of waits fit in the phase's 10 s; the next 8 s would not. The read gave up for good: the phase's
    # call around it does not send it again.
    assert clock.sleeps == [1, 2, 4] and len(calls) == 4 and info.value.exhausted
    assert shared.retries == phase.retries == 3 and shared.deadline == 2000.0


def test_outside_a_phases_call_the_client_keeps_the_deadline_of_its_call_retry():
    clock = FakeClock(1000.0)
    shared = CallRetry(resend_backoff(clock, max_attempts=10), deadline=clock.now + 1000)
    shared.until(clock.now + 10).call(lambda: None)
    read, calls = client_read(shared, [throttled() for dummy in range(5)])
    assert read() == 'read' and len(calls) == 6 and sum(clock.sleeps) == 1 + 2 + 4 + 8 + 8


def test_a_phase_within_a_phase_has_its_own_deadline_and_the_outer_one_comes_back():
    clock = FakeClock(1000.0)
    shared = CallRetry(resend_backoff(clock))
    outer, inner = shared.until(clock.now + 100), shared.until(clock.now + 2)

    def outer_call():
        inner_read, dummy = client_read(shared, [throttled(), throttled()])
        with pytest.raises(CloudError):
            inner.call(inner_read)  # 1 s fits in the inner phase's 2 s, 1 + 2 s do not
        read, calls = client_read(shared, [throttled(), throttled()])
        return read(), len(calls)

    assert outer.call(outer_call) == ('read', 3) and clock.sleeps == [1, 1, 2]


def test_a_phase_made_from_a_phase_is_a_phase_of_the_run_and_counts_there():
    clock = FakeClock(1000.0)
    shared = CallRetry(resend_backoff(clock))
    phase = shared.until(clock.now + 100).until(clock.now + 50)
    assert phase.shared is shared and phase.deadline == clock.now + 50 and phase.backoff is shared.backoff
    operation, dummy = failing_then('ok', [throttled()])
    assert phase.call(operation) == 'ok' and shared.retries == 1
    phase.count()
    assert shared.retries == phase.retries == 2


def test_each_thread_sends_within_its_own_phases_call():
    clock = FakeClock(1000.0)
    shared = CallRetry(resend_backoff(clock), deadline=clock.now + 1000)
    seen = {}
    ready, go = threading.Event(), threading.Event()

    def in_phase():
        ready.set()
        go.wait(5)
        seen['phase'] = shared._deadline()  # pylint: disable=protected-access

    def other_thread():
        ready.wait(5)
        seen['other'] = shared._deadline()  # pylint: disable=protected-access
        go.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    shared.until(clock.now + 10).call(in_phase)
    thread.join(5)
    assert seen == {'phase': clock.now + 10, 'other': clock.now + 1000}
