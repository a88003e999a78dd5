# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud's clock, as the Date header of its answers gives it.

Two runs judge each other's leases (dr.leases) by the time each lease names: judged by each controller's own clock, a
controller a few minutes ahead takes another run's live lease for lapsed. The clouds accept signed requests from a
controller minutes off (AWS: up to 5 minutes, Signature Version 4's RequestTimeTooSkewed; Alibaba and Tencent: minutes
too), so no controller can be trusted to agree with another. Every answer carries the cloud's own time (HTTP's Date
header, RFC 9110 section 6.6.1): leases are written and judged by it.
"""

from __future__ import annotations

import datetime
import email.utils
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def http_date(text: str | None) -> datetime.datetime | None:
    """The time of an HTTP Date header ('Wed, 25 Nov 2026 12:00:00 GMT'), in UTC; None when there is none to read."""
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # '-0000' ("no zone information"): a Date header is GMT by definition
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc)


def tell_date(observers: list[Callable[[str | None], None]], date: str | None) -> None:
    """Give an answer's Date header to the clients' ``date_observers`` (each run's CloudClock.observe)."""
    for observe in list(observers):
        observe(date)


class CloudClock:
    """The cloud's time: the run's clock (``local``) moved by how far the cloud's answers say it is off. Until an answer
    has told, the run's own clock. Answers may come from several threads."""

    def __init__(self, local: Callable[[], datetime.datetime]) -> None:
        self.local = local
        self._offset: float | None = None
        self._lock = threading.Lock()

    def observe(self, date: str | None) -> None:
        """Take in an answer's Date header (read as it arrives)."""
        when = http_date(date)
        if when is None:
            return
        offset = (when - self.local()).total_seconds()
        with self._lock:
            # A Date header is cut to the second and was written before the answer travelled: each makes an offset read
            # from it too small, never too large. The largest seen is the closest.
            if self._offset is None or offset > self._offset:
                self._offset = offset

    @property
    def offset(self) -> float | None:
        """How many seconds the cloud's clock is ahead of the run's (None: no answer has told yet)."""
        return self._offset

    def now(self) -> datetime.datetime:
        return self.local() + datetime.timedelta(seconds=self._offset or 0.0)
