# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's share leases: a source snapshot shared with the DR account (dr_account, docs/vault.md), held by the leases
that runs leave on it (SHARE_LEASE_TAG_PREFIX), and taken back under a release lease (RELEASE_TAG_PREFIX).

Where the DR account copies a snapshot the disks' account shares with it (AWS, ECS), two runs may need one share at
once: two runs of one scope (a schedule overlapping a manual run), or two scopes whose disks have snapshots in one
region. Each run that needs the share writes a lease of its own on the source before it shares and before each copy call
(SHARE_LEASE_TAG_PREFIX + its run id: its DR regions, and until when the lease holds, LeaseTerms), and a run
removes the share only once no live lease of another run remains and no copy of the snapshot is in flight in any region
a lease names, live or lapsed. So:

- a run never removes a share another run is copying with, whichever scope that run is of: the other's lease is there
  before its share and its copy call (written first, and again before a later call once half its time is gone), and
  once the copy is in flight the lease's regions, which stay on the source until the share goes, say where to look;
- a share a person made carries no lease and no mark (SHARE_TAG), and a run that finds one writes neither: it stays;
- a killed run's lease is taken for over once the time it names has passed (minutes, not the run's whole time), and
  goes with the share when no copy the killed run started is still in flight in the regions it names;
- a run that removes the share first writes its release tag (RELEASE_TAG_PREFIX + its run id), then reads the leases; a
  run that leases the share reads the tags again once its lease is written, and copies only when no release tag of a run
  that may still be under way is there, after reading the permission again (and sharing, if a release took it). Of the
  two, the one that reads second sees the other's tag: a share is never taken back under a copy that starts, nor left
  taken back under one that waits.

The calls are the cloud's (ShareCalls); the rules are written once here.
"""

from __future__ import annotations

import functools
from abc import abstractmethod
from typing import TYPE_CHECKING

from ...core.errors import BUSY, NOT_FOUND, CloudError
from ...core.tagging import RELEASE_TAG_PREFIX, SHARE_LEASE_TAG_PREFIX, SHARE_TAG
from ...engine.capabilities import id_batches
from .lease import leases_under
from .source_tags import SourceTagCalls, by_same_values, tag_each, untag_each

if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from .lease import Lease, LeaseTerms


class ShareCalls(SourceTagCalls):
    """What a cloud's adapter sends for a share of a source snapshot with the DR account: the permission and the tags of
    the snapshot in the source region (the disks' account, SourceTagCalls), and the DR account's copies of it in
    flight. The permission is read and set for a batch of at most ``sources_per_call`` sources a call."""

    #: How many sources one share call takes: EC2's ModifySnapshotAttribute one, Alibaba's AssociateResourceShare five.
    sources_per_call = 1

    @abstractmethod
    def shared_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> set[str]:
        """Those of ``snapshot_ids`` the DR account may copy now (reads)."""

    @abstractmethod
    def share_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        """Let the DR account copy each of ``snapshot_ids``: {snapshot id: why not} for those refused."""

    @abstractmethod
    def unshare_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        """Take that permission back from each (one not there is no error): {snapshot id: why not} for those whose call
        failed."""

    @abstractmethod
    def leased_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        """{snapshot id: tags} of the snapshots of the source region that carry a lease or SHARE_TAG (a read)."""

    @abstractmethod
    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        """Those of ``snapshot_ids`` with a copy of the DR account's in flight in any of ``regions`` (reads)."""

    def tag_room_refusal(  # pylint: disable=unused-argument  # a hook
        self,
        source_region: str,
        snapshot_id: str,
        tags: Mapping[str, str],
        keys: Sequence[str],
    ) -> CloudError | None:
        """Why the tags ``keys`` a run writes on a shared source would not fit beside its ``tags`` (a cloud that caps a
        resource's tags: ECS), before anything is leased or shared; None where they fit (most clouds cap none we
        reach)."""
        return None


class OneSourceShareCalls(ShareCalls):
    """ShareCalls of a cloud whose share calls take one source (EC2's DescribeSnapshotAttribute and
    ModifySnapshotAttribute): the batches are sent a source a call."""

    @abstractmethod
    def is_shared(self, source_region: str, snapshot_id: str) -> bool:
        """Whether the DR account may copy the snapshot now (a read)."""

    @abstractmethod
    def share(self, source_region: str, snapshot_id: str) -> None:
        """Let the DR account copy the snapshot."""

    @abstractmethod
    def unshare(self, source_region: str, snapshot_id: str) -> None:
        """Take that permission back (one not there is no error)."""

    def shared_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> set[str]:
        return {snapshot_id for snapshot_id in snapshot_ids if self.is_shared(source_region, snapshot_id)}

    def share_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        return _each_refusal(functools.partial(self.share, source_region), snapshot_ids)

    def unshare_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        return _each_refusal(functools.partial(self.unshare, source_region), snapshot_ids)


def _each_refusal(call: Callable[[str], object], snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
    refused = {}
    for snapshot_id in snapshot_ids:
        try:
            call(snapshot_id)
        except CloudError as error:
            refused[snapshot_id] = error
    return refused


class ShareLeases:
    """The shares of one DR run with its DR account: held before the copy calls (take, a batch of sources at once),
    found and released once no copy needs them (find, release). ``lease`` is this run's (its id, its DR regions, how
    long a lease holds, the time now, and how it makes many calls side by side)."""

    def __init__(self, calls: ShareCalls, *, account: str, terms: LeaseTerms) -> None:
        self.calls = calls
        self.account = account
        self.terms = terms
        self._held: dict[
            str, datetime.datetime
        ] = {}  # the sources this run holds: when it last wrote its lease on each
        self._persons: set[str] = set()  # sources a person shared: nothing of ours to write or, later, to remove

    def fresh(self, snapshot_ids: Iterable[str]) -> bool:
        """Whether this run holds each of ``snapshot_ids`` (or leaves it, a person's share) with more than half of its
        lease left: a copy call may go out under it (no call)."""
        now = self.terms.now()
        return all(
            snapshot_id in self._persons
            or (snapshot_id in self._held and (now - self._held[snapshot_id]).total_seconds() < self.terms.seconds / 2)
            for snapshot_id in snapshot_ids
        )

    def take(self, source_region: str, snapshot_id: str) -> None:
        """take_many for one source: its refusal raised."""
        refused = self.take_many(source_region, [snapshot_id])
        if snapshot_id in refused:
            raise refused[snapshot_id]

    def take_many(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        """Make sure the DR account may copy each of ``snapshot_ids``, leased for this run; a person's share is left as
        it is. Answers {snapshot id: why not now} for those this run does not hold: BUSY while another run is releasing
        the share (the engine asks again a poll interval on), or the error of the call that failed for that source.

        For a source this run has not held yet, the permission is read before the tags: a run writes its lease before it
        shares, so a share seen here whose lease is not seen is a person's. Then, the leases written (one tag call for
        the batch), the tags are read again (one read): while another run is releasing a share (its release tag), this
        run waits; once none is, the permission is read again, and shared if a release took it meanwhile. A lease
        written less than half its time ago holds still: nothing is sent for it. The permission is read and set as many
        sources a call as the cloud's share calls take (ShareCalls.sources_per_call), side by side (the lease's
        ``each``)."""
        need = sorted({snapshot_id for snapshot_id in snapshot_ids if not self.fresh([snapshot_id])})
        if not need:
            return {}
        refused: dict[str, CloudError] = {}
        first = [snapshot_id for snapshot_id in need if snapshot_id not in self._held]
        if first:
            shared = self._shared(source_region, first, refused)
            tags = self.calls.sources_tags(source_region, first)
            unmarked = [
                snapshot_id
                for snapshot_id in first
                if snapshot_id in shared and not self._ours(tags.get(snapshot_id, {}))
            ]
            # A person's share, unless a run took its own back (share, then mark) between the two reads: read once more.
            self._persons.update(self._shared(source_region, unmarked, refused))
            for snapshot_id in first:
                room = self.calls.tag_room_refusal(
                    source_region, snapshot_id, tags.get(snapshot_id, {}), share_tag_keys(self.terms)
                )
                if room is not None and snapshot_id not in self._persons:
                    refused[snapshot_id] = room
        leasing = [
            snapshot_id for snapshot_id in need if snapshot_id not in self._persons and snapshot_id not in refused
        ]
        if not leasing:
            return refused
        written_at = self.terms.now()
        key, value = self.terms.lease_now().tag(SHARE_LEASE_TAG_PREFIX)
        # A source the cloud refuses its tags (gone, at its tag limit) is refused alone; the others are leased.
        cannot = tag_each(self.calls, source_region, leasing, {SHARE_TAG: self.account, key: value})
        refused.update(cannot)
        leasing = [snapshot_id for snapshot_id in leasing if snapshot_id not in cannot]
        if not leasing:
            return refused
        tags = self.calls.sources_tags(source_region, leasing)
        for snapshot_id in leasing:
            if self._others_live(leases_under(tags.get(snapshot_id, {}), RELEASE_TAG_PREFIX)):
                refused[snapshot_id] = CloudError(
                    'CopySnapshot',
                    'ShareBeingReleased',
                    'another DR run is taking back the DR '
                    'account\'s share of source snapshot %s; this run copies it once that run is done' % snapshot_id,
                    kind=BUSY,
                    region=source_region,
                )
        ready = [snapshot_id for snapshot_id in leasing if snapshot_id not in refused]
        shared = self._shared(source_region, ready, refused)
        refused.update(
            self._call_batches(
                self.calls.share_batch,
                source_region,
                [snapshot_id for snapshot_id in ready if snapshot_id not in shared and snapshot_id not in refused],
            )
        )
        for snapshot_id in ready:
            if snapshot_id not in refused:
                self._held[snapshot_id] = written_at
        return refused

    def _batches(self, snapshot_ids: Sequence[str]) -> list[list[str]]:
        return list(id_batches(snapshot_ids, self.calls.sources_per_call))

    def _shared(self, source_region: str, snapshot_ids: Sequence[str], refused: dict[str, CloudError]) -> set[str]:
        """Those of ``snapshot_ids`` the DR account may copy now, read a batch a call, side by side; a read that failed
        refuses the sources of its batch."""
        batches = self._batches(snapshot_ids)
        answers = self.terms.each([functools.partial(self._shared_batch, source_region, batch) for batch in batches])
        shared: set[str] = set()
        for batch, answer in zip(batches, answers):
            if isinstance(answer, CloudError):
                refused.update(dict.fromkeys(batch, answer))
            else:
                shared.update(answer)
        return shared

    def _shared_batch(self, source_region: str, snapshot_ids: list[str]) -> set[str] | CloudError:
        try:
            return self.calls.shared_batch(source_region, snapshot_ids)
        except CloudError as error:
            return error

    def _call_batches(
        self,
        call: Callable[[str, Sequence[str]], dict[str, CloudError]],
        source_region: str,
        snapshot_ids: Sequence[str],
    ) -> dict[str, CloudError]:
        """``call`` (share_batch or unshare_batch) on ``snapshot_ids``, a batch a call, side by side: {snapshot id: why
        not}; a call that failed whole refuses the sources of its batch."""
        batches = self._batches(snapshot_ids)
        answers = self.terms.each([functools.partial(_batch_refusals, call, source_region, batch) for batch in batches])
        refused: dict[str, CloudError] = {}
        for answer in answers:
            refused.update(answer)
        return refused

    def _ours(self, tags: Mapping[str, str]) -> bool:
        """Whether ``tags`` say a DR run of this DR account shared the snapshot (its mark, or a lease)."""
        return tags.get(SHARE_TAG) == self.account or bool(leases_under(tags, SHARE_LEASE_TAG_PREFIX))

    def find(self, source_region: str) -> tuple[list[str], list[str]]:
        """(to release, held): the sources a DR run leased or marked, those with no copy in flight in any region a lease
        on them names (or this run's) first, then the others. Reads only."""
        leased, in_flight = self.holdings(source_region)
        return sorted(set(leased) - in_flight), sorted(set(leased) & in_flight)

    def holdings(self, source_region: str) -> tuple[dict[str, dict[str, str]], set[str]]:
        """({snapshot id: tags}, in flight): the sources a DR run leased or marked for this DR account, and those of
        them with a copy in flight in any region a lease on them names (or this run's). Reads only (find, and
        dr.posture)."""
        # A mark of another DR account's is that account's business (one DR account a source region is the rule).
        leased = {
            snapshot_id: tags
            for snapshot_id, tags in self.calls.leased_sources(source_region).items()
            if tags.get(SHARE_TAG, self.account) == self.account
        }
        regions = set(self.terms.regions)
        for tags in leased.values():
            for lease in leases_under(tags, SHARE_LEASE_TAG_PREFIX).values():
                regions.update(lease.regions)
        in_flight = self.calls.copies_in_flight(source_region, sorted(regions), sorted(leased)) if leased else set()
        return leased, in_flight

    def release(self, source_region: str, snapshot_id: str) -> bool:
        """release_many for one source: its answer, its error raised."""
        answer = self.release_many(source_region, [snapshot_id])[snapshot_id]
        if isinstance(answer, CloudError):
            raise answer
        return answer

    def release_many(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, bool | CloudError]:
        """For each of ``snapshot_ids``: remove this run's lease and the leases of runs that are over (find saw none of
        their copies in flight), then the share and its mark unless a lease of a run that may still be under way
        remains. True when the share is gone; False when another run holds it (that run, or the first after it, removes
        it); the error of a call that failed for that source.

        The run first writes its release tag (one call for the batch), then reads the leases (one read): a run that
        leases the share after that read sees the release tag and waits for it to go before it copies (take), so no copy
        starts on a share being taken back.

        A run that finds another run's live lease takes its own lease off and reads again before it leaves the share to
        that run: two runs releasing at once could each see the other's lease before it went, and both would leave a
        share that no copy needs. Each takes its lease off before its last read, so the run that reads last sees the
        other's lease gone, and releases. The permission goes as many sources a call as the cloud takes (side by side); the
        tags, in as few calls as the keys allow."""
        ids = sorted(set(snapshot_ids))
        if not ids:
            return {}
        release_key, release_value = self.terms.lease_now().tag(RELEASE_TAG_PREFIX)
        # A source the cloud refuses its release tag (at its tag limit) answers that error alone; one gone took its
        # share and tags with it.
        answers: dict[str, bool | CloudError] = {}
        for snapshot_id, error in tag_each(self.calls, source_region, ids, {release_key: release_value}).items():
            answers[snapshot_id] = True if error.kind == NOT_FOUND else error
            self._held.pop(snapshot_id, None)
        ids = [snapshot_id for snapshot_id in ids if snapshot_id not in answers]
        if not ids:
            return answers
        tags = self.calls.sources_tags(source_region, ids)
        now, run_id = self.terms.now(), self.terms.run_id
        done_leases: dict[str, list[str]] = {}
        done_releases: dict[str, list[str]] = {}
        contested = []
        for snapshot_id in ids:
            source_tags = tags.get(snapshot_id, {})
            leases = leases_under(source_tags, SHARE_LEASE_TAG_PREFIX)
            done_leases[snapshot_id] = sorted(
                SHARE_LEASE_TAG_PREFIX + other
                for other, lease in leases.items()
                if other == run_id or not lease.live(now)
            )
            # This run's release tag stays until the share is gone or left: a run that leases meanwhile waits for it
            # (take).
            done_releases[snapshot_id] = sorted(
                RELEASE_TAG_PREFIX + other
                for other, lease in leases_under(source_tags, RELEASE_TAG_PREFIX).items()
                if other == run_id or not lease.live(now)
            )
            if self._others_live(leases):
                contested.append(snapshot_id)
        if contested:
            self._untag_each(source_region, {snapshot_id: done_leases[snapshot_id] for snapshot_id in contested})
            again = self.calls.sources_tags(source_region, contested)
            left = [
                snapshot_id
                for snapshot_id in contested
                if self._others_live(leases_under(again.get(snapshot_id, {}), SHARE_LEASE_TAG_PREFIX))
            ]
            self._untag_each(source_region, {snapshot_id: done_releases[snapshot_id] for snapshot_id in left})
            answers.update(dict.fromkeys(left, False))
            for snapshot_id in contested:
                done_leases[snapshot_id] = []
        going = [snapshot_id for snapshot_id in ids if snapshot_id not in answers]
        answers.update(self._call_batches(self.calls.unshare_batch, source_region, going))
        gone = [snapshot_id for snapshot_id in going if snapshot_id not in answers]
        self._untag_each(
            source_region,
            {snapshot_id: [*done_leases[snapshot_id], *done_releases[snapshot_id], SHARE_TAG] for snapshot_id in gone},
        )
        for snapshot_id in gone:
            answers[snapshot_id] = True
            self._held.pop(snapshot_id, None)
        return answers

    def _untag_each(self, source_region: str, keys_of: Mapping[str, Sequence[str]]) -> None:
        """Take ``keys_of[snapshot id]`` off each source: one call for the sources that lose the same keys (a source
        gone is no failure: untag_each); a source the cloud refused raises its error, once the others are done."""
        left: dict[str, CloudError] = {}
        for keys, group in sorted(by_same_values(keys_of).items()):
            left.update(untag_each(self.calls, source_region, group, list(keys)))
        if left:
            raise next(iter(left.values()))

    def _others_live(self, leases: Mapping[str, Lease]) -> bool:
        now = self.terms.now()
        return any(run_id != self.terms.run_id and lease.live(now) for run_id, lease in leases.items())


def _batch_refusals(
    call: Callable[[str, Sequence[str]], dict[str, CloudError]], source_region: str, snapshot_ids: list[str]
) -> dict[str, CloudError]:
    try:
        return call(source_region, snapshot_ids)
    except CloudError as error:
        return dict.fromkeys(snapshot_ids, error)


def share_tag_keys(terms: LeaseTerms) -> list[str]:
    """The tags a run writes on a source it shares: the mark, its lease, its release tag."""
    return [SHARE_TAG, SHARE_LEASE_TAG_PREFIX + terms.run_id, RELEASE_TAG_PREFIX + terms.run_id]


class SharesHeldByLeases:
    """What a DR account adapter whose shares are held by leases (AWS, ECS) answers the DR run: its run's ShareLeases,
    made by its start_dr_run, and the shares found and released through them (DrAccountAdapter's find_shares,
    release_share and release_shares). Listed before DrAccountAdapter among the adapter's bases, so that these methods
    are the ones used."""

    shares: ShareLeases | None = None  # with dr_account, this DR run's shares (start_dr_run)

    def _source_shares(self) -> ShareLeases:
        if self.shares is None:
            raise RuntimeError('a DR run with dr_account starts with start_dr_run')  # a bug of ours, not the user's
        return self.shares

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:  # pylint: disable=unused-argument
        return self._source_shares().find(source_region)

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        return self._source_shares().release(source_region, snapshot_id)

    def release_shares(self, source_region: str, snapshot_ids: list[str]) -> dict[str, bool | CloudError]:
        return self._source_shares().release_many(source_region, snapshot_ids)
