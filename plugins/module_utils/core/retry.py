# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send a cloud call again after a failure, with jittered exponential backoff, within a deadline (Backoff), and how
the calls of one run are retried (CallRetry, and PhaseRetry for one phase of the run).

Every cloud throttles, and every cloud has transient failures. What an error means (worth a retry or not, and
whether the call may have been carried out) is the caller's knowledge: it classifies each error for
``Backoff.resend``, the one place that decides whether a call is sent again, after which wait and which look-up.
The delay is "full jitter" (a random wait between 0 and the capped exponential step) so that many workers backing
off together spread out instead of hitting the API in waves.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .errors import RETRYABLE, CloudError, is_retryable as retryable_error, safe_to_resend

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    # How a retrying site classifies a failed call's error: RESEND, LOOK_UP, WAIT or GIVE_UP (Backoff.resend).
    Classify = Callable[[Exception], str]
    # Backoff's ``on_retry(error, attempt, delay)``.
    OnRetry = Callable[[Exception, int, float], object]

T = TypeVar('T')

# What may follow a call that failed: each retrying site classifies the call's errors into these (Backoff.resend).
RESEND = 'resend'  # nothing was made, or the call carries an idempotency token: send it again after the backoff's wait
LOOK_UP = (
    'look_up'  # the call may have been carried out: after the wait, look up what it made; send it again only if nothing
)
WAIT = 'wait'  # refused until something else ends, nothing made: send it again after a fixed wait, spending no try
GIVE_UP = 'give_up'  # sending it again cannot help: the error is raised


class Backoff:
    """How long to wait before a call is sent again: ``delay``; whether it is, and after which look-up: ``resend``.

    ``deadline`` is an absolute time on ``clock`` (time.monotonic by default): a wait that would end after it is not
    taken, and the last error is raised instead.
    """

    def __init__(
        self,
        is_retryable: Callable[[Exception], bool],
        *,
        base_delay: float = 1.0,
        max_delay: float = 20.0,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if base_delay <= 0 or max_delay < base_delay:
            raise ValueError('backoff needs 0 < base_delay <= max_delay')
        self.is_retryable = is_retryable
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.clock = clock
        self.rng = rng

    def delay(self, retry_number: int) -> float:
        """The wait before retry number ``retry_number`` (0 for the first retry)."""
        step: float  # declared: mypy types 2 ** n as Any
        step = min(self.max_delay, self.base_delay * (2 ** min(retry_number, 30)))
        return self.rng() * step

    def call(self, operation: Callable[[], T], deadline: float, on_retry: OnRetry | None = None) -> T:
        """Run ``operation()``; retry it while its errors are retryable and time allows.

        ``on_retry(error, attempt, delay)`` is called before each wait, for logging or for
        counting. Returns what ``operation`` returns; raises its last error otherwise.
        """
        return self.resend(operation, self.resend_if_retryable, deadline, on_retry=on_retry)

    def resend_if_retryable(self, error: Exception) -> str:
        """The classification of ``call``: an error ``is_retryable`` calls retryable is sent again as it is."""
        return RESEND if self.is_retryable(error) else GIVE_UP

    # pylint: disable-next=too-many-arguments
    def resend(
        self,
        operation: Callable[[], T],
        classify: Classify,
        deadline: float,
        look_up: Callable[[Exception], T | None] | None = None,
        idempotent: bool = False,
        look_up_at_once: bool = False,
        max_attempts: int | None = None,
        busy_wait: float | None = None,
        on_retry: OnRetry | None = None,
    ) -> T:
        """Send ``operation()``, and send it again after each failure that ``classify(error)`` allows; return what it
        returns.

        ``classify`` gives RESEND, LOOK_UP, WAIT or GIVE_UP. RESEND and LOOK_UP spend a try (at most ``max_attempts``,
        the backoff's by default) and wait the backoff's delay first; LOOK_UP then calls ``look_up(error)`` right before
        the call is sent again, and what it returns, unless None (nothing made), is the result. Without an idempotency
        token (``idempotent`` false) a call that timed out may still be carried out: the wait before its look-up lasts
        its ``settle_seconds`` at least. With ``look_up_at_once`` (what the call made is its result: a create) the
        look-up comes instead as soon as the call can have landed, before the backoff's wait and even when no try is
        left. WAIT waits ``busy_wait`` seconds and spends no try. No wait passes ``deadline``. When the call may not be
        sent again, its last error is raised. ``on_retry(error, attempt, delay)`` is called before each wait.
        """
        limit = self.max_attempts if max_attempts is None else max_attempts
        ask = look_up if look_up is not None else _no_look_up
        due: Exception | None
        tries, due = 1, None  # due: the error whose look-up comes before the next send
        while True:
            # look_up is given wherever classify can say LOOK_UP, the one verdict that sets ``due`` or asks for a
            # look-up.
            found = None if due is None else ask(due)
            if found is not None:
                return found
            try:
                return operation()
            except Exception as error:  # pylint: disable=broad-exception-caught
                # Broad on purpose: ``classify`` decides, and what it gives up on is raised unchanged below.
                verdict = classify(error)
                if verdict == LOOK_UP and look_up_at_once:
                    verdict, found = self._look_up_landed(error, ask, idempotent, deadline)
                    if found is not None:
                        return found
                wait = self._wait_before_resend(verdict, error, tries, limit, idempotent, busy_wait)
                if wait is None or self.clock() + wait > deadline:
                    raise
                if on_retry is not None:
                    on_retry(error, tries - 1, wait)
                self.sleep(wait)
                if verdict != WAIT:
                    tries, due = tries + 1, error if verdict == LOOK_UP else None

    # pylint: disable-next=too-many-arguments
    def _wait_before_resend(
        self, verdict: str, error: Exception, tries: int, limit: int | None, idempotent: bool, busy_wait: float | None
    ) -> float | None:
        """The seconds to wait before the call is sent again after ``tries`` tries, or None when it may not be."""
        if verdict == WAIT:
            return busy_wait
        if verdict not in (RESEND, LOOK_UP) or (limit is not None and tries >= limit):
            return None
        wait = self.delay(tries - 1)
        if verdict == LOOK_UP:
            # Let a call that timed out land before the look-up: one landing after it would be made twice.
            wait = max(wait, _settle_seconds(error, idempotent))
        return wait

    def _look_up_landed(
        self, error: Exception, look_up: Callable[[Exception], T | None], idempotent: bool, deadline: float
    ) -> tuple[str, T | None]:
        """(what may follow, what the failed call made) once it can have landed: (RESEND, None) when it made nothing,
        (GIVE_UP, None) when it could not land before the deadline."""
        settle = _settle_seconds(error, idempotent)
        if settle:
            if self.clock() + settle > deadline:
                return GIVE_UP, None
            self.sleep(settle)
        return RESEND, look_up(error)


def _no_look_up(error: Exception) -> None:
    """Where no look-up was given, a LOOK_UP verdict has none to ask: the error stands."""
    raise error


def _settle_seconds(error: Exception, idempotent: bool) -> float:
    """How long the call that failed with ``error`` may still be carried out (after a read timeout). With an idempotency
    token that does not matter: a resend gets what the first call made."""
    return 0 if idempotent else float(getattr(error, 'settle_seconds', 0))


# The deadline of the phase (PhaseRetry) whose call this thread is making. The cloud's client sends through the run's
# CallRetry, which no call hands a deadline: the sends made within a phase's call are retried until the phase's.
_phase_call = threading.local()


@contextlib.contextmanager
def _within(deadline: float) -> Iterator[None]:
    """This thread's sends are retried until ``deadline`` in the block; then until the enclosing phase call's, if
    any."""
    outer = getattr(_phase_call, 'deadline', None)
    _phase_call.deadline = deadline
    try:
        yield
    finally:
        _phase_call.deadline = outer


class CallRetry:
    """How the API calls of one run are retried: one object, made by whoever runs the module and
    handed to the cloud's client, the copy engine and the DR run alike.

    ``send(action, send)`` sends one API call. A call that does no more when sent twice (a read,
    tagging: errors.safe_to_resend) is retried on its own: a paged listing of many calls then gets
    through under throttling, where retrying it whole would almost never. Any other call (a copy,
    a new snapshot) is sent once; its caller knows what to look up before sending it again.
    ``until(deadline)`` gives the PhaseRetry through which the engine and the DR run call whole adapter
    methods. Retries back off with ``backoff`` until the deadline (``deadline``, or within a phase's
    call the phase's) and count in ``retries``, the run's count; without a backoff, a call is sent once.
    """

    def __init__(self, backoff: Backoff | None = None, deadline: float | None = None) -> None:
        self.backoff = backoff
        self.deadline = float('inf') if deadline is None else deadline
        self.retries = 0
        self._lock = threading.Lock()

    def count(self, *_retry: object) -> None:
        """Count one retry (takes Backoff's ``on_retry`` arguments: error, attempt, delay)."""
        with self._lock:
            self.retries += 1

    def until(self, deadline: float) -> PhaseRetry:
        """The calls of one phase of the run (the copies, the drill, the rest), retried until ``deadline``."""
        return PhaseRetry(self, deadline)

    def _deadline(self) -> float:
        phase_deadline: float | None = getattr(_phase_call, 'deadline', None)
        return self.deadline if phase_deadline is None else phase_deadline

    def send(self, action: str, send: Callable[[], T]) -> T:
        if self.backoff is None or not safe_to_resend(action):
            return send()
        try:
            return self.backoff.call(send, self._deadline(), on_retry=self.count)
        except CloudError as error:
            # Retried to the end here: whoever retries a whole method around it must not retry it again.
            error.exhausted = error.kind == RETRYABLE
            raise


class PhaseRetry:
    """The run's CallRetry (``shared``, which has a backoff) for one phase of the run, up to the phase's ``deadline``.

    Its calls are retried until then, and so are the sends the cloud's client makes within them (in the same thread);
    their retries count in the shared CallRetry, the run's count. Made by ``CallRetry.until``.
    """

    def __init__(self, shared: CallRetry, deadline: float) -> None:
        self.shared = shared
        self.deadline = deadline

    @property
    def backoff(self) -> Backoff:
        # The shared CallRetry of a run has its backoff (run_retry gives it one before any phase).
        if self.shared.backoff is None:
            raise RuntimeError('a phase retries with the run\'s backoff, which run_retry gives it')  # a bug of ours
        return self.shared.backoff

    @property
    def retries(self) -> int:
        return self.shared.retries

    def count(self, *retry: object) -> None:
        self.shared.count(*retry)

    def until(self, deadline: float) -> PhaseRetry:
        return self.shared.until(deadline)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` (an adapter method), retried whole as long as its errors are retryable."""
        return self.resend(lambda: function(*args), self.backoff.resend_if_retryable)

    def resend(
        self, operation: Callable[[], T], classify: Classify, deadline: float | None = None, **options: Any
    ) -> T:
        """Backoff.resend within this phase: until ``deadline`` (by default the phase's), each retry counted in the
        run's."""
        with _within(self.deadline):
            # T as ``operation`` gives it (``options`` are Any, look_up's among them).
            return cast(
                'T',
                self.backoff.resend(
                    operation, classify, self.deadline if deadline is None else deadline, on_retry=self.count, **options
                ),
            )


def create_verdict(idempotent: bool) -> Classify:
    """How a creating call (a fresh snapshot, a test disk) is classified for Backoff.resend: without an idempotency
    token a call whose answer may have been lost (an ``uncertain`` error) is looked up before it is sent again, never
    resent blindly; with one, the resend itself is safe."""

    def verdict(error: Exception) -> str:
        if getattr(error, 'uncertain', False) and not idempotent:
            return LOOK_UP
        return RESEND if retryable_error(error) else GIVE_UP

    return verdict


def create_once(
    create: Callable[[], T],
    find_made: Callable[[], T | None],
    idempotent: bool,
    retry: PhaseRetry,
    deadline: float,
    max_attempts: int | None,
) -> T:
    """Send the creating call ``create()`` so that it makes one thing at most; return what it made.

    ``find_made()`` looks for what a call whose answer was lost may have made (None: nothing), as soon as it can have
    landed; the call is sent again only when it finds nothing. Tries back off through ``retry`` (the phase's
    PhaseRetry, which counts them) up to ``max_attempts`` and ``deadline``.
    """
    return retry.resend(
        create,
        create_verdict(idempotent),
        deadline,
        look_up=lambda error: find_made(),
        idempotent=idempotent,
        look_up_at_once=True,
        max_attempts=max_attempts,
    )
