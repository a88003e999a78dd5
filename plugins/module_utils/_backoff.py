# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry a cloud call with jittered exponential backoff, within a deadline (Backoff), and how the
calls of one run are retried (CallRetry).

Every cloud throttles, and every cloud has transient failures. Which errors are worth a
retry is the adapter's knowledge (it passes ``is_retryable``); how long to wait and when to
give up is written once here. The delay is "full jitter" (a random wait between 0 and the
capped exponential step) so that many workers backing off together spread out instead of
hitting the API in waves.
"""

from __future__ import annotations

import random
import threading
import time

from ._errors import RETRYABLE, CloudError, is_retryable as retryable_error, safe_to_resend


class Backoff:
    """Call ``operation`` until it succeeds, a non-retryable error occurs, or time runs out.

    ``deadline`` is an absolute time on ``clock`` (time.monotonic by default): a retry whose
    wait would end after it is not attempted, and the last error is raised instead.
    """

    def __init__(self, is_retryable, base_delay=1.0, max_delay=20.0, max_attempts=None,
                 sleep=time.sleep, clock=time.monotonic, rng=random.random):
        if base_delay <= 0 or max_delay < base_delay:
            raise ValueError('backoff needs 0 < base_delay <= max_delay')
        self.is_retryable = is_retryable
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.clock = clock
        self.rng = rng

    def delay(self, retry_number):
        """The wait before retry number ``retry_number`` (0 for the first retry)."""
        step = min(self.max_delay, self.base_delay * (2 ** min(retry_number, 30)))
        return self.rng() * step

    def call(self, operation, deadline, on_retry=None):
        """Run ``operation()``; retry it while its errors are retryable and time allows.

        ``on_retry(error, attempt, delay)`` is called before each wait, for logging or for
        counting. Returns what ``operation`` returns; raises its last error otherwise.
        """
        attempt = 0
        while True:
            try:
                return operation()
            except Exception as error:  # pylint: disable=broad-exception-caught
                # Broad on purpose: the adapter's classifier decides, anything it does not
                # call retryable is raised unchanged below.
                if not self.is_retryable(error):
                    raise
                if self.max_attempts is not None and attempt + 1 >= self.max_attempts:
                    raise
                wait = self.delay(attempt)
                if self.clock() + wait > deadline:
                    raise
                if on_retry is not None:
                    on_retry(error, attempt, wait)
                self.sleep(wait)
                attempt += 1


class CallRetry:
    """How the API calls of one run are retried: one object, made by whoever runs the module and
    handed to the cloud's client, the copy engine and the DR run alike.

    ``send(action, send)`` sends one API call. A call that does no more when sent twice (a read,
    tagging: errors.safe_to_resend) is retried on its own: a paged listing of many calls then gets
    through under throttling, where retrying it whole would almost never. Any other call (a copy,
    a new snapshot) is sent once; its caller knows what to look up before sending it again.
    ``call(function, *args)`` retries a whole adapter method. Both back off with ``backoff`` until
    ``deadline`` and count their retries in ``retries``; without a backoff, everything is sent once.
    """

    def __init__(self, backoff=None, deadline=None):
        self.backoff = backoff
        self.deadline = float('inf') if deadline is None else deadline
        self.retries = 0
        self._lock = threading.Lock()

    def count(self, *_retry):
        """Count one retry (takes Backoff's ``on_retry`` arguments: error, attempt, delay)."""
        with self._lock:
            self.retries += 1

    def send(self, action, send):
        if self.backoff is None or not safe_to_resend(action):
            return send()
        try:
            return self.backoff.call(send, self.deadline, on_retry=self.count)
        except CloudError as error:
            # Retried to the end here: whoever retries a whole method around it must not retry it again.
            error.exhausted = error.kind == RETRYABLE
            raise

    def call(self, function, *args):
        if self.backoff is None:
            return function(*args)
        return self.backoff.call(lambda: function(*args), self.deadline, on_retry=self.count)


# pylint: disable-next=too-many-arguments
def create_once(create, find_made, idempotent, retry, deadline, max_attempts, sleep=time.sleep, clock=time.monotonic):
    """Send the creating call ``create()`` so that it makes one thing at most; return what it made.

    Without an idempotency token (``idempotent`` false) a call whose answer may have been lost (an
    ``uncertain`` error) is not resent blindly: ``find_made()`` looks for what it may have made first
    (None: nothing), and the call is sent again only when the look-up shows nothing. A call that timed
    out may still be carried out: the look-up waits ``settle_seconds`` for it to land. With a token the
    resend itself is safe. Retries back off up to ``max_attempts`` tries and the ``deadline``; the
    look-ups' retries count in ``retry`` (the run's CallRetry).
    """
    no_blind_retry = Backoff(lambda error: retryable_error(error) and (idempotent or not error.uncertain),
                             max_attempts=max_attempts, sleep=sleep, clock=clock)
    look_ups = 0
    while True:
        try:
            return no_blind_retry.call(create, deadline)
        except CloudError as error:
            if not error.uncertain:
                raise
            if error.settle_seconds:
                if clock() + error.settle_seconds > deadline:
                    raise
                sleep(error.settle_seconds)
            made = find_made()
            if made is not None:
                return made
            # Not carried out (a slow answer refused after all): sending it again makes no second one.
            wait = no_blind_retry.delay(look_ups)
            look_ups += 1
            if look_ups >= max_attempts or clock() + wait > deadline:
                raise
            retry.count()
            sleep(wait)
