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

    def backoff(self):
        """A run's default backoff, waiting on this clock."""
        from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff

        return default_backoff(sleep=self.sleep, clock=self.clock)


def retry_on(clock=None):
    """A run's CallRetry with the default backoff: on ``clock`` (a FakeClock) when given, which a DR run then takes for
    its own (DrRun refuses a clock of its own that differs), else on the machine's."""
    from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
    from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff

    return CallRetry(clock.backoff() if clock is not None else default_backoff())


class CloudMovingClock(FakeClock):
    """The run's clock and sleeps, fake; each sleep moves fakecloud's clock on as far: no test waits for real time, and
    what the cloud does in its time (a copy done, a disk failed) comes at the same point of the run however busy the
    machine. Signatures are of the real clock: a test that moves the cloud's on by minutes widens the cloud's window."""

    def __init__(self, cloud, start=1000.0):
        super().__init__(start)
        self.cloud = cloud

    def sleep(self, seconds):
        super().sleep(seconds)
        self.cloud.admin.advance_clock(seconds)
