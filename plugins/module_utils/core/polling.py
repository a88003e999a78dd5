# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Poll until something is done, has failed, or the deadline passes (the ``wait`` option).

The poller knows nothing of clouds: ``read`` returns the latest observation and
``outcome`` says of an observation whether it is done, failed or still going. It always
hands back what it saw last, so a timeout can still report the ids of copies in flight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar('T')

DONE = 'done'
FAILED = 'failed'
# Not done yet: read again after the interval. (Not model.PENDING, a snapshot's state: this is a verdict on a read.)
STILL_GOING = 'still_going'
# Still going, but something moved (a slot freed and a copy started): read again at once, and the interval starts over.
AGAIN = 'again'
TIMEOUT = 'timeout'


@dataclass
class PollResult:
    """What polling ended with: ``status`` (done, failed or timeout) and the last observation."""

    status: str
    last: object = field(repr=False)  # what was read last: the copies in flight, say, which a repr need not list
    polls: int


def poll(
    read: Callable[[], T],
    outcome: Callable[[T], str],
    deadline: float,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_interval: float | None = None,
) -> PollResult:
    """Call ``read()`` until ``outcome(observation)`` is DONE or FAILED, or ``deadline`` passes.

    ``interval`` is the wait between reads; with ``max_interval`` it grows by half each round
    up to that cap, which keeps long waits cheap in API calls. The last wait is shortened so
    that a final read happens right at the deadline rather than after it. After an observation
    whose outcome is AGAIN, the next read follows at once and the interval starts over.
    """
    if interval <= 0:
        raise ValueError('poll interval must be positive')
    polls = 0
    wait = interval
    while True:
        observation = read()
        polls += 1
        status = outcome(observation)
        if status in (DONE, FAILED):
            return PollResult(status, observation, polls)
        if status == AGAIN:
            wait = interval
            continue
        if status != STILL_GOING:
            raise ValueError('outcome() returned %r; expected done, failed, still_going or again' % (status,))
        remaining = deadline - clock()
        if remaining <= 0:
            return PollResult(TIMEOUT, observation, polls)
        sleep(min(wait, remaining))
        if max_interval is not None:
            wait = min(max_interval, wait * 1.5)
