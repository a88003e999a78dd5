# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry a cloud call with jittered exponential backoff, within a deadline.

Every cloud throttles, and every cloud has transient failures. Which errors are worth a
retry is the adapter's knowledge (it passes ``is_retryable``); how long to wait and when to
give up is written once here. The delay is "full jitter" (a random wait between 0 and the
capped exponential step) so that many workers backing off together spread out instead of
hitting the API in waves.
"""

from __future__ import annotations

import random
import time


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
