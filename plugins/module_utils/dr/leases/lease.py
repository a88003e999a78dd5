# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lease: one run's tag on a source snapshot that says until when that run may be under way, and for which DR regions;
and the terms a run writes its leases on (LeaseTerms).

Two runs may work on one source snapshot at once: two runs of one scope (a schedule overlapping a manual run), or two
scopes whose selectors both match a disk. No cloud offers a lock on a snapshot that two runs could both try to take, but
each lets a run add a tag and read the tags back. A run's lease is one tag of its own (a prefix, then its run id), so
two runs never overwrite each other's lease, and the value says until when the run may be under way and its DR regions.
The prefix says the lease's kind (core.tagging): a copy lease (copies), a share lease or a release tag
(shares). A lease whose time has passed is taken for over: a killed run's stops counting then.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.cloud_clock import parse_stamp, stamp
from ...core.network import CONNECT_TIMEOUT, READ_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping


@dataclass(frozen=True)
class Lease:
    """A run's lease on a source snapshot: until when that run may be under way (None: unreadable, taken for over), and
    the DR regions its copies of the snapshot go to."""

    run_id: str
    until: datetime.datetime | None
    regions: tuple[str, ...]

    def live(self, now: datetime.datetime) -> bool:
        return self.until is not None and now < self.until

    def tag(self, prefix: str) -> tuple[str, str]:
        """The lease as the tag that carries it, under ``prefix``: '<until> <region>,<region>'."""
        until = stamp(self.until) if self.until is not None else ''
        return prefix + self.run_id, '%s %s' % (until, ','.join(self.regions))


@dataclass(frozen=True)
class LeaseTerms:
    """The terms of a run's leases: its id and DR regions, how long each lease it writes holds, its clock (the cloud's
    time now, core.cloud_clock: every run judges every lease by one clock), and where it says what it could not lease
    (the run's warnings). A lease written now holds ``seconds`` from now: a run writes it again while it still needs it,
    and a killed run's lapses within that time."""

    run_id: str
    regions: tuple[str, ...]
    seconds: float
    wall_clock: Callable[[], datetime.datetime]
    warn: Callable[[str], None]
    # How the run makes many calls side by side (a share's permission is a call a snapshot): one after another by
    # default.
    each: Callable[[list[Callable[[], Any]]], list[Any]] = field(default=lambda calls: [call() for call in calls])

    def lease_now(self) -> Lease:
        """The lease to write now."""
        return lease_for(self.run_id, self.wall_clock() + datetime.timedelta(seconds=self.seconds), self.regions)

    def now(self) -> datetime.datetime:
        return self.wall_clock()


def leases_under(tags: Mapping[str, str], prefix: str) -> dict[str, Lease]:
    """{run id: Lease} of the leases under ``prefix`` among a snapshot's ``tags``."""
    leases = {}
    for key, value in tags.items():
        if not key.startswith(prefix):
            continue
        until, dummy, regions = (value or "").partition(" ")
        run_id = key[len(prefix) :]
        leases[run_id] = Lease(run_id, parse_stamp(until), tuple(region for region in regions.split(',') if region))
    return leases


def lease_for(run_id: str, until: datetime.datetime, regions: Iterable[str]) -> Lease:
    """This run's lease: its DR regions sorted, its time to the second."""
    return Lease(run_id, until.replace(microsecond=0), tuple(sorted(set(regions))))


# A lease outlives the copy call it guards: a call sent may be carried out up to its connect and read timeouts after it
# was sent (and the engine lets a timed-out call settle for two such spans before it looks); a lease lasts two of them
# and a margin, and is written again before a call when less than half of it is left.
LEASE_TIMEOUTS = 2
LEASE_MARGIN_SECONDS = 30


def lease_seconds(connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT) -> float:
    """How long a copy lease lasts, for calls with these timeouts."""
    return LEASE_TIMEOUTS * (connect_timeout + read_timeout) + LEASE_MARGIN_SECONDS
