# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A source snapshot shared with the DR account (dr_account, docs/vault.md), held by claims that runs leave on it.

Where the DR account copies a snapshot the disks' account shares with it (AWS, ECS), two runs may need one share at once:
two runs of one scope (a schedule overlapping a manual run), or two scopes whose disks have snapshots in one region. Each
run that needs the share writes a claim of its own on the source before it shares and before each copy call
(SHARE_CLAIM_TAG_PREFIX + its run id: its DR regions, and until when the claim holds: a lease, dr.claims.RunLease), and
a run removes the share only once no live claim of another run remains and no copy of the snapshot is in flight in any
region a claim names, live or lapsed. So:

- a run never removes a share another run is copying with, whichever scope that run is of: the other's claim is there
  before its share and its copy call (written first, and again before a later call once half its time is gone), and
  once the copy is in flight the claim's regions, which stay on the source until the share goes, say where to look;
- a share a person made carries no claim and no mark (SHARE_TAG), and a run that finds one writes neither: it stays;
- a killed run's claim is taken for over once the time it names has passed (minutes, not the run's whole time), and
  goes with the share when no copy the killed run started is still in flight in the regions it names;
- a run that removes the share first writes its release tag (RELEASE_TAG_PREFIX + its run id), then reads the claims; a
  run that claims the share reads the tags again once its claim is written, and copies only when no release tag of a run
  that may still be under way is there, after reading the permission again (and sharing, if a release took it). Of the
  two, the one that reads second sees the other's tag: a share is never taken back under a copy that starts, nor left
  taken back under one that waits.

The calls are the cloud's (ShareCalls); the rules are written once here.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from ..core.errors import BUSY, CloudError
from ..core.tagging import RELEASE_TAG_PREFIX, SHARE_CLAIM_TAG_PREFIX, SHARE_TAG
from .claims import SourceTagCalls, claims_in

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping, Sequence

    from .claims import RunClaim, RunLease


class ShareCalls(SourceTagCalls):
    """What a cloud's adapter sends for a share of a source snapshot with the DR account: the permission and the tags of
    the snapshot in the source region (the disks' account, SourceTagCalls), and the DR account's copies of it in flight."""

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
    def claimed_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        """{snapshot id: tags} of the snapshots of the source region that carry a claim or SHARE_TAG (a read)."""

    @abstractmethod
    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        """Those of ``snapshot_ids`` with a copy of the DR account's in flight in any of ``regions`` (reads)."""


class SourceShares:
    """The shares of one DR run with its DR account: held before each copy (hold), found and released once no copy needs
    them (find, release). ``lease`` is this run's (its id, its DR regions, how long a claim holds, the time now)."""

    def __init__(self, calls: ShareCalls, *, account: str, lease: RunLease) -> None:
        self.calls = calls
        self.account = account
        self.lease = lease
        self._held: dict[str, datetime.datetime] = {}  # the sources this run holds: when it last wrote its claim on each
        self._persons: set[str] = set()  # sources a person shared: nothing of ours to write or, later, to remove

    def hold(self, source_region: str, snapshot_id: str) -> None:
        """Make sure the DR account may copy ``snapshot_id``, claimed for this run; a person's share is left as it is.
        The permission is read before the tags: a run writes its claim before it shares, so a share seen here whose
        claim is not seen is a person's. Then, the claim written, the tags are read again: while another run is releasing
        the share (its release tag), this run waits (BUSY: the engine asks again each poll interval); once none is, the
        permission is read again, and shared if a release took it meanwhile. Called before each copy call: a claim written
        less than half its time ago holds still, and nothing is sent."""
        written = self._held.get(snapshot_id)
        if snapshot_id in self._persons or (written is not None and (self.lease.now() - written).total_seconds() < self.lease.seconds / 2):
            return
        shared = self.calls.is_shared(source_region, snapshot_id)
        tags = self._tags(source_region, snapshot_id)
        # A person's share, unless a run took its own back (share, then mark) between the two reads: read once more.
        if written is None and shared and tags.get(SHARE_TAG) != self.account and not claims_in(tags, SHARE_CLAIM_TAG_PREFIX) \
                and self.calls.is_shared(source_region, snapshot_id):
            self._persons.add(snapshot_id)
            return
        written_at = self.lease.now()
        key, value = self.lease.claim().tag(SHARE_CLAIM_TAG_PREFIX)
        self.calls.tag_sources(source_region, [snapshot_id], {SHARE_TAG: self.account, key: value})
        releasing = self._others_live(claims_in(self._tags(source_region, snapshot_id), RELEASE_TAG_PREFIX))
        if releasing:
            raise CloudError('CopySnapshot', 'ShareBeingReleased', 'another DR run is taking back the DR account\'s share of source '
                             'snapshot %s; this run copies it once that run is done' % snapshot_id, kind=BUSY, region=source_region)
        if not self.calls.is_shared(source_region, snapshot_id):
            self.calls.share(source_region, snapshot_id)
        self._held[snapshot_id] = written_at

    def find(self, source_region: str) -> tuple[list[str], list[str]]:
        """(to release, held): the sources a DR run claimed or marked, those with no copy in flight in any region a claim
        on them names (or this run's) first, then the others. Reads only."""
        claimed, in_flight = self.holdings(source_region)
        return sorted(set(claimed) - in_flight), sorted(set(claimed) & in_flight)

    def holdings(self, source_region: str) -> tuple[dict[str, dict[str, str]], set[str]]:
        """({snapshot id: tags}, in flight): the sources a DR run claimed or marked for this DR account, and those of them
        with a copy in flight in any region a claim on them names (or this run's). Reads only (find, and dr.posture)."""
        # A mark of another DR account's is that account's business (one DR account a source region is the rule).
        claimed = {snapshot_id: tags for snapshot_id, tags in self.calls.claimed_sources(source_region).items()
                   if tags.get(SHARE_TAG, self.account) == self.account}
        regions = set(self.lease.regions)
        for tags in claimed.values():
            for claim in claims_in(tags, SHARE_CLAIM_TAG_PREFIX).values():
                regions.update(claim.regions)
        in_flight = self.calls.copies_in_flight(source_region, sorted(regions), sorted(claimed)) if claimed else set()
        return claimed, in_flight

    def release(self, source_region: str, snapshot_id: str) -> bool:
        """Remove this run's claim and the claims of runs that are over (find saw none of their copies in flight), then
        the share and its mark unless a claim of a run that may still be under way remains. True when the share is gone;
        False when another run holds it (that run, or the first after it, removes it).

        The run first writes its release tag, then reads the claims: a run that claims the share after that read sees the
        release tag and waits for it to go before it copies (hold), so no copy starts on a share being taken back.

        A run that finds another run's live claim takes its own claim off and reads again before it leaves the share to
        that run: two runs releasing at once could each see the other's claim before it went, and both would leave a share
        that no copy needs. Each takes its claim off before its last read, so the run that reads last sees the other's
        claim gone, and releases."""
        release_key, release_value = self.lease.claim().tag(RELEASE_TAG_PREFIX)
        self.calls.tag_sources(source_region, [snapshot_id], {release_key: release_value})
        tags = self._tags(source_region, snapshot_id)
        claims = claims_in(tags, SHARE_CLAIM_TAG_PREFIX)
        now, run_id = self.lease.now(), self.lease.run_id
        done_claims = sorted(SHARE_CLAIM_TAG_PREFIX + other for other, claim in claims.items() if other == run_id or not claim.live(now))
        # This run's release tag stays until the share is gone or left: a run that claims meanwhile waits for it (hold).
        done_releases = sorted(RELEASE_TAG_PREFIX + other for other, claim in claims_in(tags, RELEASE_TAG_PREFIX).items()
                               if other == run_id or not claim.live(now))
        if self._others_live(claims):
            self.calls.untag_sources(source_region, [snapshot_id], done_claims)
            if self._others_live(claims_in(self._tags(source_region, snapshot_id), SHARE_CLAIM_TAG_PREFIX)):
                self.calls.untag_sources(source_region, [snapshot_id], done_releases)
                return False
            done_claims = []
        self.calls.unshare(source_region, snapshot_id)
        self.calls.untag_sources(source_region, [snapshot_id], [*done_claims, *done_releases, SHARE_TAG])
        self._held.pop(snapshot_id, None)
        return True

    def _tags(self, source_region: str, snapshot_id: str) -> dict[str, str]:
        """The snapshot's tags as they are now ({} for one that is gone)."""
        return self.calls.sources_tags(source_region, [snapshot_id]).get(snapshot_id, {})

    def _others_live(self, claims: Mapping[str, RunClaim]) -> bool:
        now = self.lease.now()
        return any(run_id != self.lease.run_id and claim.live(now) for run_id, claim in claims.items())


class ClaimedShares:
    """What a DR account adapter whose shares are held by claims (AWS, ECS) answers the DR run: its run's SourceShares,
    made by its start_dr_run, and the shares found and released through them (DrAccountAdapter's find_shares and
    release_share). Listed before DrAccountAdapter among the adapter's bases, so that these methods are the ones used."""

    shares: SourceShares | None = None  # with dr_account, this DR run's shares (start_dr_run)

    def _source_shares(self) -> SourceShares:
        if self.shares is None:
            raise RuntimeError('a DR run with dr_account starts with start_dr_run')  # a bug of ours, not the user's
        return self.shares

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:  # pylint: disable=unused-argument
        return self._source_shares().find(source_region)

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        return self._source_shares().release(source_region, snapshot_id)
