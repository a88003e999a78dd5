# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's copy leases (COPY_LEASE_TAG_PREFIX): they keep two runs from copying one source snapshot into one DR region
at once. A copy lease names its DR region in its key and its time in its value."""

from __future__ import annotations

import datetime
import threading
from typing import TYPE_CHECKING

from ...core.cloud_clock import parse_stamp, stamp
from ...core.errors import BUSY, NOT_FOUND, CloudError, is_permission_refusal
from ...core.grouping import group_by
from ...core.tagging import COPY_LEASE_TAG_PREFIX
from ...engine.leases import CopyLease, Leases
from .lease import Lease
from .source_tags import by_same_values, named_few, tag_each, untag_each

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from .lease import LeaseTerms
    from .source_tags import SourceTagCalls


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

    def __init__(self, calls: SourceTagCalls, *, terms: LeaseTerms) -> None:
        self.calls = calls
        self.terms = terms
        # The terms' own, named as the rules below read them.
        self.run_id = terms.run_id
        self.wall_clock = terms.wall_clock
        self.seconds = terms.seconds
        self.warn = terms.warn
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
        until = stamp(written + datetime.timedelta(seconds=self.seconds))
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


def _regions_by_source(leases: Iterable[CopyLease]) -> dict[str, set[str]]:
    """{source snapshot id: the DR regions it is held for} of ``leases`` (of one source region)."""
    regions: dict[str, set[str]] = {}
    for lease in leases:
        regions.setdefault(lease.source_id, set()).add(lease.destination)
    return regions


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
