"""One clock for the unit tests: it moves only when the code under test sleeps."""
from __future__ import annotations


class FakeClock:
    """``clock`` and ``sleep`` for the code under test (Backoff, poll, the engine, the DR run, the
    rate limiter); ``now`` is the time, ``sleeps`` every wait asked for, in order."""

    def __init__(self, start=0.0):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, 'a negative sleep is a bug in the code under test'
        self.sleeps.append(seconds)
        self.now += seconds
