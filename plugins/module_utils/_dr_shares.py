# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A source snapshot shared with the DR account (dr_account, docs/vault.md), held by claims that runs leave on it.

Where the DR account copies a snapshot the disks' account shares with it (AWS), two runs may need one share at once: two
runs of one scope (a schedule overlapping a manual run), or two scopes whose disks have snapshots in one region. Each run
that needs the share writes a claim of its own on the source before it shares (CLAIM_TAG_PREFIX + its run id: the time by
which it is over and its DR regions), and a run removes the share only once no claim of a run that may still be under way
remains and no copy of the snapshot is in flight in any region a claim names. So:

- a run never removes a share another run is copying with, whichever scope that run is of: the other's claim is there
  before its share and its copy (written first), and stays while its copies are in flight, past the end of its run;
- a share a person made carries no claim and no mark (SHARE_TAG), and a run that finds one writes neither: it stays;
- a killed run's claim is taken for over once the time it names has passed, and goes with the share when no copy the
  killed run started is still in flight in the regions it names;
- a run that removes the share reads the claims again after removing it: one written meanwhile (a run that found the
  share and took it as there) gets the share back at once. Such a run's copy call may still fall in between and be
  refused: the copy fails, named, in that run's report, and the next run copies.

The calls are the cloud's (ShareCalls); the rules are written once here.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._tagging import CLAIM_TAG_PREFIX, SHARE_TAG

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# The time in a claim, as the restore drill's RESTORE_UNTIL_TAG writes it.
STAMP_FORMAT = '%Y%m%dT%H%M%SZ'


@dataclass(frozen=True)
class ShareClaim:
    """A run's claim on a source snapshot's share: until when that run may be under way (None: unreadable, taken for
    over), and the DR regions its copies of the snapshot go to."""

    run_id: str
    until: datetime.datetime | None
    regions: tuple[str, ...]

    def live(self, now: datetime.datetime) -> bool:
        return self.until is not None and now < self.until

    def tag(self) -> tuple[str, str]:
        """The claim as the tag that carries it: '<until> <region>,<region>'."""
        until = self.until.strftime(STAMP_FORMAT) if self.until is not None else ''
        return CLAIM_TAG_PREFIX + self.run_id, '%s %s' % (until, ','.join(self.regions))


def claims_in(tags: Mapping[str, str]) -> dict[str, ShareClaim]:
    """{run id: ShareClaim} of the claims among a snapshot's ``tags``."""
    claims = {}
    for key, value in tags.items():
        if not key.startswith(CLAIM_TAG_PREFIX):
            continue
        stamp, dummy, regions = (value or '').partition(' ')
        try:
            until: datetime.datetime | None = datetime.datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            until = None
        run_id = key[len(CLAIM_TAG_PREFIX):]
        claims[run_id] = ShareClaim(run_id, until, tuple(region for region in regions.split(',') if region))
    return claims


class ShareCalls(ABC):
    """What a cloud's adapter sends for a share of a source snapshot with the DR account: the permission and the tags of
    the snapshot in the source region (the disks' account), and the DR account's copies of it in flight."""

    @abstractmethod
    def is_shared(self, source_region: str, snapshot_id: str) -> bool:
        """Whether the DR account may copy the snapshot now (a read)."""

    @abstractmethod
    def share(self, source_region: str, snapshot_id: str) -> None:
        """Let the DR account copy the snapshot."""

    @abstractmethod
    def unshare(self, source_region: str, snapshot_id: str) -> None:
        """Take that permission back (one not there is no error)."""

    @abstractmethod
    def source_tags(self, source_region: str, snapshot_id: str) -> dict[str, str]:
        """The snapshot's tags as they are now (a read; {} for a snapshot that is gone)."""

    @abstractmethod
    def tag_source(self, source_region: str, snapshot_id: str, tags: Mapping[str, str]) -> None:
        """Add ``tags`` to the snapshot."""

    @abstractmethod
    def untag_source(self, source_region: str, snapshot_id: str, keys: Sequence[str]) -> None:
        """Remove the tags ``keys`` from the snapshot, whatever their values."""

    @abstractmethod
    def claimed_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        """{snapshot id: tags} of the snapshots of the source region that carry a claim or SHARE_TAG (a read)."""

    @abstractmethod
    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        """Those of ``snapshot_ids`` with a copy of the DR account's in flight in any of ``regions`` (reads)."""


class SourceShares:
    """The shares of one DR run with its DR account: held before each copy (hold), found and released once no copy needs
    them (find, release). ``run`` is this run's claim (its id, the time by which it is over, its DR regions)."""

    def __init__(self, calls: ShareCalls, *, account: str, run: ShareClaim, now: datetime.datetime) -> None:
        self.calls = calls
        self.account = account
        self.run = run
        self.now = now
        self._held: set[str] = set()  # the sources this run holds: one claim each, whatever its DR regions

    def hold(self, source_region: str, snapshot_id: str) -> None:
        """Make sure the DR account may copy ``snapshot_id``, claimed for this run; a person's share is left as it is.
        The permission is read before the tags: a run writes its claim before it shares, so a share seen here whose
        claim is not seen is a person's."""
        if snapshot_id in self._held:
            return
        shared = self.calls.is_shared(source_region, snapshot_id)
        tags = self.calls.source_tags(source_region, snapshot_id)
        if shared and tags.get(SHARE_TAG) != self.account and not claims_in(tags):
            self._held.add(snapshot_id)  # a person's share: nothing of ours to write or, later, to remove
            return
        key, value = self.run.tag()
        self.calls.tag_source(source_region, snapshot_id, {SHARE_TAG: self.account, key: value})
        if not shared:
            self.calls.share(source_region, snapshot_id)
        self._held.add(snapshot_id)

    def find(self, source_region: str) -> tuple[list[str], list[str]]:
        """(to release, held): the sources a DR run claimed or marked, those with no copy in flight in any region a claim
        on them names (or this run's) first, then the others. Reads only."""
        # A mark of another DR account's is that account's business (one DR account a source region is the rule).
        claimed = {snapshot_id: tags for snapshot_id, tags in self.calls.claimed_sources(source_region).items()
                   if tags.get(SHARE_TAG, self.account) == self.account}
        regions = set(self.run.regions)
        for tags in claimed.values():
            for claim in claims_in(tags).values():
                regions.update(claim.regions)
        in_flight = self.calls.copies_in_flight(source_region, sorted(regions), sorted(claimed)) if claimed else set()
        return sorted(set(claimed) - in_flight), sorted(set(claimed) & in_flight)

    def release(self, source_region: str, snapshot_id: str) -> bool:
        """Remove this run's claim and the claims of runs that are over (find saw none of their copies in flight), then
        the share and its mark unless a claim of a run that may still be under way remains. True when the share is gone;
        False when another run holds it (that run, or the first after it, removes it)."""
        claims = claims_in(self.calls.source_tags(source_region, snapshot_id))
        done = sorted(CLAIM_TAG_PREFIX + run_id for run_id, claim in claims.items() if run_id == self.run.run_id or not claim.live(self.now))
        if self._others_live(claims):
            if done:
                self.calls.untag_source(source_region, snapshot_id, done)
            return False
        self.calls.unshare(source_region, snapshot_id)
        # A run that claimed the share after the read above found it there and shared nothing: it gets it back.
        if self._others_live(claims_in(self.calls.source_tags(source_region, snapshot_id))):
            self.calls.share(source_region, snapshot_id)
            if done:
                self.calls.untag_source(source_region, snapshot_id, done)
            return False
        self.calls.untag_source(source_region, snapshot_id, [*done, SHARE_TAG])
        return True

    def _others_live(self, claims: Mapping[str, ShareClaim]) -> bool:
        return any(run_id != self.run.run_id and claim.live(self.now) for run_id, claim in claims.items())


def claim_for(run_id: str, until: datetime.datetime, regions: Iterable[str]) -> ShareClaim:
    """This run's claim: its DR regions sorted, its time to the second."""
    return ShareClaim(run_id, until.replace(microsecond=0), tuple(sorted(set(regions))))
