# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud's clock, as the Date header of its answers gives it.

Two runs judge each other's leases (dr.leases) by the time each lease names: judged by each controller's own clock, a
controller a few minutes ahead takes another run's live lease for lapsed. The clouds accept signed requests from a
controller minutes off (AWS: up to 5 minutes, Signature Version 4's RequestTimeTooSkewed; Alibaba and Tencent: minutes
too), so no controller can be trusted to agree with another. Every answer carries the cloud's own time (HTTP's Date
header, RFC 9110 section 6.6.1): leases are written and judged by it.

The times a run writes in its tags (a lease's "until", the drill's restore-until and restore-tested, a run id's start)
are stamps: STAMP_FORMAT, in UTC to the second, written by stamp and read by parse_stamp, here alone. The times a run
writes for people and programs to read (a report's generated_at, a lock's release, an event's time, a fresh snapshot's
tag) are ISO 8601 in UTC with a "Z": ISO_FORMAT, written by iso_utc, here alone (read by core.model.parse_time).
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# How far the controller's clock may be off the cloud's before a run says so: past the five minutes AWS's Signature
# Version 4 allows (RequestTimeTooSkewed), more than the ordinary drift of a clock kept by NTP.
SKEW_WARNING_SECONDS = 300

# A time in a tag: "20261122T181400Z" (UTC, to the second). Short, so that a lease's value keeps room for its regions,
# and free of ':' and ' ', which some clouds' tag values refuse or a lease's value uses to part its fields.
STAMP_FORMAT = '%Y%m%dT%H%M%SZ'


# A time as the reports, the events and the marks write it: "2026-11-22T18:14:00Z" (ISO 8601, UTC, to the second).
ISO_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
# The same to the microsecond, for a time the cloud dated finer than the second (EBS to the millisecond).
ISO_FRACTION_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'


def iso_utc(moment: datetime.datetime, *, fraction: bool = False) -> str:
    """``moment`` as ISO_FORMAT: an aware time in UTC, a naive one taken for UTC as it stands (the clouds' answers and
    the run's clocks give UTC). With ``fraction``, a time with microseconds keeps them (ISO_FRACTION_FORMAT)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime(ISO_FRACTION_FORMAT if fraction and moment.microsecond else ISO_FORMAT)


def stamp(moment: datetime.datetime) -> str:
    """``moment`` (aware, UTC) as a tag writes it: STAMP_FORMAT."""
    return moment.strftime(STAMP_FORMAT)


def parse_stamp(text: str | None) -> datetime.datetime | None:
    """The time of a stamp (STAMP_FORMAT, UTC), or None where ``text`` is none that can be read: a lease that says no
    time is taken for over, a test disk's restore-until for not yet passed."""
    try:
        return datetime.datetime.strptime(text or '', STAMP_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


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
    has told, the run's own clock. Answers may come from several threads. ``warn`` is told once, the first time the
    offset is more than SKEW_WARNING_SECONDS either way."""

    def __init__(self, local: Callable[[], datetime.datetime], warn: Callable[[str], None] | None = None) -> None:
        self.local = local
        self.warn = warn
        self._offset: float | None = None
        self._warned = False
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
            best = self._offset
            skewed = not self._warned and abs(best) > SKEW_WARNING_SECONDS
            self._warned = self._warned or skewed
        if skewed and self.warn is not None:
            self.warn(skew_warning(best))

    @property
    def offset(self) -> float | None:
        """How many seconds the cloud's clock is ahead of the run's (None: no answer has told yet)."""
        return self._offset

    def now(self) -> datetime.datetime:
        return self.at(self.local())

    def at(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment``, a time by the run's clock, by the cloud's."""
        return moment + datetime.timedelta(seconds=self._offset or 0.0)

    @contextlib.contextmanager
    def told_by(self, client: object) -> Iterator[None]:
        """While in the block, each answer ``client`` has (its ``date_observers``; a client without them tells
        nothing) tells this clock its Date."""
        observers = getattr(client, 'date_observers', None)
        if not isinstance(observers, list):
            yield
            return
        observers.append(self.observe)
        try:
            yield
        finally:
            observers.remove(self.observe)

    def pinned(self, moment: datetime.datetime) -> Callable[[], datetime.datetime]:
        """``moment`` (the run's start, by its clock) by the cloud's, as a function: the run's own until an answer has
        told, then the same at every call. What a run names from its start (a copy's {date}, a fresh snapshot's stamp)
        reads the same in every phase, though later answers may move the offset by a second."""
        pinned: list[datetime.datetime] = []

        def at_start() -> datetime.datetime:
            if pinned:
                return pinned[0]
            with self._lock:
                if self._offset is None:
                    return moment
                if not pinned:
                    pinned.append(moment + datetime.timedelta(seconds=self._offset))
                return pinned[0]

        return at_start


def skew_warning(offset: float) -> str:
    """The run's warning that the controller's clock is ``offset`` seconds behind the cloud's (ahead: negative)."""
    return (
        "this controller's clock is %s %s the cloud's (read off its answers' Date headers): every age and deadline of "
        "the run (the RPO, max_snapshot_age_hours, max_copy_age_days, the restore drill's restore-until, leases) is "
        "judged by the cloud's clock; set the controller's clock right (NTP) for its own times to agree"
        % (_duration(abs(offset)), 'behind' if offset > 0 else 'ahead of')
    )


def _duration(seconds: float) -> str:
    """``seconds`` as a person reads it: '10 days 0 h 5 min', '4 h 2 min', '7 min'."""
    minutes = round(seconds / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return '%d day%s %d h %d min' % (days, '' if days == 1 else 's', hours, minutes)
    return '%d h %d min' % (hours, minutes) if hours else '%d min' % minutes
