# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's leases on source snapshots: tags that say which run needs a snapshot, until when, for which DR regions.

Two runs may work on one source snapshot at once: two runs of one scope (a schedule overlapping a manual run), or two
scopes whose selectors both match a disk. No cloud offers a lock on a snapshot that two runs could both try to take, but
each lets a run add a tag and read the tags back. A run's lease is one tag of its own (a prefix, then its run id), so
two runs never overwrite each other's lease, and the value says until when the run may be under way and its DR regions.
A share lease (SHARE_LEASE_TAG_PREFIX) keeps a run from taking back a share another run still copies with (dr.shares); a
run's release tag (RELEASE_TAG_PREFIX) is one too. A copy lease (COPY_LEASE_TAG_PREFIX, CopyLeases below) keeps two runs
from copying one snapshot into one region at once; it names its region in its key and its time in its value. A lease
whose time has passed is taken for over: a killed run's stops counting then.
"""

from __future__ import annotations

import datetime
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import BUSY, INVALID, NOT_FOUND, RETRYABLE, CloudError, is_permission_refusal, is_tag_limit
from ..core.grouping import group_by
from ..core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ..core.tagging import COPY_LEASE_TAG_PREFIX
from ..engine.capabilities import id_batches
from ..engine.leases import CopyLease, Leases

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence


# The time in a lease, as the restore drill's RESTORE_UNTIL_TAG writes it.
STAMP_FORMAT = '%Y%m%dT%H%M%SZ'


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
        until = self.until.strftime(STAMP_FORMAT) if self.until is not None else ''
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

    def copy_leases(self, calls: SourceTagCalls) -> CopyLeases:
        """This run's copy leases on the snapshots that ``calls`` tag."""
        return CopyLeases(calls, run_id=self.run_id, wall_clock=self.wall_clock, seconds=self.seconds, warn=self.warn)


def leases_under(tags: Mapping[str, str], prefix: str) -> dict[str, Lease]:
    """{run id: Lease} of the leases under ``prefix`` among a snapshot's ``tags``."""
    leases = {}
    for key, value in tags.items():
        if not key.startswith(prefix):
            continue
        stamp, dummy, regions = (value or '').partition(' ')
        run_id = key[len(prefix) :]
        leases[run_id] = Lease(run_id, parse_stamp(stamp), tuple(region for region in regions.split(',') if region))
    return leases


def parse_stamp(stamp: str) -> datetime.datetime | None:
    """The time a lease names (STAMP_FORMAT, UTC), or None when it names none that can be read (taken for over)."""
    try:
        return datetime.datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def lease_for(run_id: str, until: datetime.datetime, regions: Iterable[str]) -> Lease:
    """This run's lease: its DR regions sorted, its time to the second."""
    return Lease(run_id, until.replace(microsecond=0), tuple(sorted(set(regions))))


class SourceTagCalls(ABC):
    """The calls on the tags of source snapshots of one region, each a batch of snapshots."""

    #: How many snapshots one tag call takes (the adapter's batch): tag_each and untag_each send no bigger batches, so
    #: that a call the cloud refuses for one of its snapshots costs that batch alone.
    sources_per_tag_call = 1000

    @abstractmethod
    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        """Add ``tags`` to each of the snapshots."""

    @abstractmethod
    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """{snapshot id: its tags as they are now}; a snapshot gone is left out (reads)."""

    @abstractmethod
    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        """Remove the tags ``keys`` from each of the snapshots, whatever their values (one not there is no error)."""


def tag_each(
    calls: SourceTagCalls, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]
) -> dict[str, CloudError]:
    """Add ``tags`` to each of the snapshots, a batch a call (SourceTagCalls.sources_per_tag_call); {snapshot id: why
    not} for those the cloud refused on their own (each_alone): the others are tagged. An error of the whole call is
    raised."""
    return each_alone(
        lambda batch: calls.tag_sources(source_region, batch, tags), snapshot_ids, calls.sources_per_tag_call
    )


def untag_each(
    calls: SourceTagCalls, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]
) -> dict[str, CloudError]:
    """Remove the tags ``keys`` from each of the snapshots, as tag_each; a snapshot gone is no failure (its tags went
    with it)."""
    refused = each_alone(
        lambda batch: calls.untag_sources(source_region, batch, keys), snapshot_ids, calls.sources_per_tag_call
    )
    return {snapshot_id: error for snapshot_id, error in refused.items() if error.kind != NOT_FOUND}


def each_alone(
    call: Callable[[list[str]], object], snapshot_ids: Sequence[str], per_call: int
) -> dict[str, CloudError]:
    """``call`` on each batch of ``per_call`` of ``snapshot_ids``; {snapshot id: why not} for the snapshots the cloud
    refused on their own, the rest of their batch sent again without them.

    A batched tag call fails whole for one of its snapshots: one gone since it was listed (EC2 InvalidSnapshot.NotFound,
    whose message may be empty; Tencent's AttachResourcesTag ResourceNotFound), one at its cloud's tag limit
    (is_tag_limit: EC2 and Tencent name none), one a per-resource answer refused (Tencent's TagResources, whose error
    names each). Where the
    error names snapshots of the batch, those are refused and the rest is sent again; where it names none, the batch is
    split in two and each half sent (bisection): b bad snapshots in a batch of n cost at most 1 + 2 b log2(n) calls, not
    one a snapshot. Any other error (a throttle still refused after the caller's retries, a refused permission, a bad
    request) is the whole call's: raised, for the caller to retry or fail the lot (its retries send the batches again:
    setting a tag twice is setting it once)."""
    refused: dict[str, CloudError] = {}
    for batch in id_batches(snapshot_ids, per_call):
        parts = [batch]
        while parts:
            part = parts.pop()
            try:
                call(part)
            except CloudError as error:
                named = [snapshot_id for snapshot_id in part if _names(error, snapshot_id)]
                if not _of_one_source(error, bool(named)):
                    raise
                if named or len(part) == 1:
                    refused.update((snapshot_id, source_refusal(snapshot_id, error)) for snapshot_id in named or part)
                    rest = [snapshot_id for snapshot_id in part if snapshot_id not in refused]
                    if rest:
                        parts.append(rest)
                else:
                    half = len(part) // 2
                    parts.extend([part[half:], part[:half]])
    return refused


def _names(error: CloudError, snapshot_id: str) -> bool:
    """Whether the cloud's message names ``snapshot_id`` (not as a part of a longer id)."""
    return re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(snapshot_id), error.message) is not None


def _of_one_source(error: CloudError, names_one: bool) -> bool:
    """Whether ``error`` of a batched tag call belongs to snapshots of the batch rather than to the call: a snapshot not
    found, a tag limit, or a refusal that names snapshots (not a throttle, a busy cloud or a refused permission)."""
    if error.kind in (RETRYABLE, BUSY) or is_permission_refusal(error):
        return False
    return error.kind == NOT_FOUND or is_tag_limit(error) or names_one


def source_refusal(snapshot_id: str, error: CloudError) -> CloudError:
    """Why the run cannot tag source snapshot ``snapshot_id`` (its disk alone is not copied now), with the cloud's code,
    message and request id, and what to do."""
    if error.kind == NOT_FOUND:
        why = (
            'source snapshot %s was deleted since this run listed it (%s: %s): not copied; the next run copies the '
            "disk's newest snapshot" % (snapshot_id, error.code, error.message)
        )
    elif is_tag_limit(error):
        why = (
            'source snapshot %s carries as many tags as the cloud allows (%s: %s): this run cannot write its lease on it '
            'and does not copy it without one (two runs could copy it twice). Remove a tag from it (a run writes one a '
            'DR region, and two with dr_account), and the next run copies it' % (snapshot_id, error.code, error.message)
        )
    else:
        why = 'source snapshot %s: %s' % (snapshot_id, error.message)
    return CloudError(
        error.action,
        error.code,
        why,
        request_id=error.request_id,
        kind=NOT_FOUND if error.kind == NOT_FOUND else INVALID,
        region=error.region,
    )


# A lease outlives the copy call it guards: a call sent may be carried out up to its connect and read timeouts after it
# was sent (and the engine lets a timed-out call settle for two such spans before it looks); a lease lasts two of them
# and a margin, and is written again before a call when less than half of it is left.
LEASE_TIMEOUTS = 2
LEASE_MARGIN_SECONDS = 30


def lease_seconds(connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT) -> float:
    """How long a copy lease lasts, for calls with these timeouts."""
    return LEASE_TIMEOUTS * (connect_timeout + read_timeout) + LEASE_MARGIN_SECONDS


def lease_key(run_id: str, region: str) -> str:
    """The tag of a run's copy lease for one DR region: one a region, so that the run's calls to two regions hold and
    let go of the same source each on its own."""
    return '%s%s/%s' % (COPY_LEASE_TAG_PREFIX, run_id, region)


def leases_in(tags: Mapping[str, str]) -> list[tuple[str, str, Lease]]:
    """(tag key, DR region, the lease for that region) of each copy lease among a snapshot's ``tags``."""
    leases = []
    for key, value in tags.items():
        if key.startswith(COPY_LEASE_TAG_PREFIX):
            run_id, dummy, region = key[len(COPY_LEASE_TAG_PREFIX) :].rpartition('/')
            leases.append((key, region, Lease(run_id, parse_stamp(value), (region,))))
    return leases


class CopyLeases(Leases):
    """One run's copy leases: before its copy calls, a tag of the run's own on each source snapshot, written and read
    back in batches (as many snapshots a call as the cloud takes).

    Two runs at once (a schedule overlapping a manual run, two scopes whose selectors meet) each look for a copy before
    they make one, and both may find none. Before a round of copy calls a run writes its lease for each DR region of
    each call (lease_key: until when), then reads the sources' tags. A region of a source for which another run's lease
    is live: the run takes its own off at once and waits (the engine asks again a poll interval and a random part of one
    on). For the others it looks for a copy once more, copies, and takes its leases off once the calls are done. Of two
    runs, the one that reads second sees the first's lease, written before the first read, so at most one copies; if
    both see each other, both let go and ask again later. A run that found no lease looks again before it copies: a run
    that copied and let go before this one wrote its lease made a copy that this look finds. A copy call is sent only
    while more than half of its lease is left (fresh); the engine writes the lease again before a later call. A killed
    run's lease lapses at the time it names, minutes away: a run waits at most that long for it. Leases that lapsed are
    taken off by the next run that reads them.
    """

    def __init__(
        self,
        calls: SourceTagCalls,
        *,
        run_id: str,
        wall_clock: Callable[[], datetime.datetime],
        seconds: float,
        warn: Callable[[str], None],
    ) -> None:
        self.calls = calls
        self.run_id = run_id
        self.wall_clock = wall_clock
        self.seconds = seconds
        self.warn = warn
        self.disabled = False  # the cloud refused the tag calls: the run copies without leases, saying so
        self._lock = threading.Lock()  # copies and bridge disks of a run take leases from several threads
        self._written: dict[CopyLease, datetime.datetime] = {}  # the leases this run holds: when it wrote each

    def take(self, leases: Sequence[CopyLease]) -> dict[CopyLease, CloudError]:
        if self.disabled or not leases:
            return {}
        refused: dict[CopyLease, CloudError] = {}
        try:
            for region, group in sorted(group_by(leases, lambda lease: lease.source_region).items()):
                refused.update(self._take_in(region, group))
        except CloudError as error:
            if not is_permission_refusal(error):
                raise
            self._disable(error)
            return {}
        return refused

    def _take_in(self, source_region: str, leases: Sequence[CopyLease]) -> dict[CopyLease, CloudError]:
        """take, for sources of one region: a tag call per set of DR regions and per batch of snapshots (a call gives
        each of its snapshots the same tags), then one read of the tags of them all. A source the cloud refuses its
        tags (gone, at its tag limit: tag_each) is refused for each of its regions, with the cloud's error: only its
        copies wait for a later run, and the tags of the run's that a cloud tagging a key a call may have set on it go
        again."""
        regions_of = _regions_by_source(leases)
        written = self.wall_clock()
        until = (written + datetime.timedelta(seconds=self.seconds)).strftime(STAMP_FORMAT)
        refused: dict[CopyLease, CloudError] = {}
        for leased_regions, leased_ids in sorted(by_same_values(regions_of).items()):
            keys = {lease_key(self.run_id, region): until for region in leased_regions}
            for snapshot_id, error in tag_each(self.calls, source_region, leased_ids, keys).items():
                refused.update((CopyLease(source_region, snapshot_id, region), error) for region in leased_regions)
        cannot = {lease.source_id for lease in refused}
        tags = self.calls.sources_tags(source_region, sorted(set(regions_of) - cannot))
        now = self.wall_clock()
        lapsed: dict[str, set[str]] = {}
        for snapshot_id, regions in sorted(regions_of.items()):
            if snapshot_id in cannot:
                continue
            others = sorted(
                (key, region, other)
                for key, region, other in leases_in(tags.get(snapshot_id, {}))
                if other.run_id != self.run_id
            )
            for key, region, other in others:  # of two runs leasing one region, the first named
                if not other.live(now):
                    lapsed.setdefault(key, set()).add(snapshot_id)
                elif region in regions:
                    refused.setdefault(
                        CopyLease(source_region, snapshot_id, region), held_error(other, snapshot_id, region)
                    )
        # A key goes only from the sources where it lapsed: one call for the keys that lapsed on the same sources.
        for lapsed_ids, lapsed_keys in sorted(by_same_values(lapsed).items()):
            untag_each(self.calls, source_region, list(lapsed_ids), lapsed_keys)
        # This run's leases off the sources another run holds, and off those the cloud refused (but gone ones).
        let_go = [lease for lease, error in refused.items() if error.kind != NOT_FOUND]
        self._warn_left(source_region, self._untag(source_region, sorted(let_go)))
        with self._lock:
            for lease in leases:
                if lease in refused:
                    self._written.pop(lease, None)
                else:
                    self._written[lease] = written
        return refused

    def fresh(self, leases: Iterable[CopyLease]) -> bool:
        if self.disabled:
            return True
        now = self.wall_clock()
        with self._lock:
            return all(
                lease in self._written and (now - self._written[lease]).total_seconds() < self.seconds / 2
                for lease in leases
            )

    def release(self, leases: Sequence[CopyLease]) -> None:
        if self.disabled or not leases:
            return
        with self._lock:
            for lease in leases:
                self._written.pop(lease, None)
        for region, group in sorted(group_by(leases, lambda lease: lease.source_region).items()):
            try:
                left = self._untag(region, group)
            except CloudError as error:
                left = dict.fromkeys({lease.source_id for lease in group}, error)
            self._warn_left(region, left)

    def _untag(self, source_region: str, leases: Sequence[CopyLease]) -> dict[str, CloudError]:
        """Take this run's leases of ``leases`` off, in as few calls as the keys allow: {snapshot id: why not} for the
        sources the cloud refused on their own (a source gone is no failure: untag_each)."""
        left: dict[str, CloudError] = {}
        for regions, snapshot_ids in sorted(by_same_values(_regions_by_source(leases)).items()):
            left.update(
                untag_each(
                    self.calls, source_region, snapshot_ids, [lease_key(self.run_id, region) for region in regions]
                )
            )
        return left

    def _warn_left(self, source_region: str, left: Mapping[str, CloudError]) -> None:
        """Say which of this run's leases stay on sources because the cloud refused to take them off."""
        if not left:
            return
        # A lease lapses at the time it names; until then another run waits for these copies instead of making them.
        self.warn(
            'could not take this run\'s copy leases off source snapshots %s in %s (%s): another run copies them no '
            'sooner than the leases lapse, within %d s'
            % (named_few(sorted(left)), source_region, next(iter(left.values())), self.seconds)
        )

    def _disable(self, error: CloudError) -> None:
        with self._lock:
            if self.disabled:
                return
            self.disabled = True
        self.warn(
            'could not write a copy lease on the source snapshots (%s): this run copies without them, and a run of this '
            'scope or another at the same time may copy a snapshot this run copies too (grant the tag permissions of '
            'docs/real-account.md)' % error
        )


def named_few(names: Sequence[str], most: int = 5) -> str:
    """``names`` for a message: the first ``most``, and how many more."""
    shown = ', '.join(names[:most])
    return shown if len(names) <= most else '%s and %d more' % (shown, len(names) - most)


def _regions_by_source(leases: Iterable[CopyLease]) -> dict[str, set[str]]:
    """{source snapshot id: the DR regions it is held for} of ``leases`` (of one source region)."""
    regions: dict[str, set[str]] = {}
    for lease in leases:
        regions.setdefault(lease.source_id, set()).add(lease.destination)
    return regions


def by_same_values(values_of: Mapping[str, Iterable[str]]) -> dict[tuple[str, ...], list[str]]:
    """{values: the keys of ``values_of`` with exactly those, sorted}, keys with none left out: what one tag call
    serves, as it gives the same tags to each of its snapshots (the sources held for the same regions; the sources that
    lose the same tag keys)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for key, values in values_of.items():
        if values:
            grouped.setdefault(tuple(sorted(set(values))), []).append(key)
    return {values: sorted(keys) for values, keys in grouped.items()}


def held_error(lease: Lease, snapshot_id: str, region: str) -> CloudError:
    """Why a run does not copy ``snapshot_id`` to ``region`` now: another run's lease (BUSY: it asks again later)."""
    until = lease.until.strftime('%Y-%m-%d %H:%M:%S UTC') if lease.until is not None else '?'
    return CloudError(
        'CopySnapshot',
        'CopyHeldByAnotherRun',
        'DR run %s is copying source snapshot %s to %s (its lease runs until %s): '
        'this run waits for that copy, or for the lease to lapse, instead of making a second one'
        % (lease.run_id, snapshot_id, region, until),
        kind=BUSY,
        region=region,
    )
