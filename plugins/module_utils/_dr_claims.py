# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's claims on source snapshots: tags that say which run needs a snapshot, until when, for which DR regions.

Two runs may work on one source snapshot at once: two runs of one scope (a schedule overlapping a manual run), or two
scopes whose selectors both match a disk. No cloud offers a lock on a snapshot that two runs could both try to take, but
each lets a run add a tag and read the tags back. A run's claim is one tag of its own (a prefix, then its run id), so two
runs never overwrite each other's claim, and the value says until when the run may be under way and its DR regions:

- a copy claim (COPY_CLAIM_TAG_PREFIX) keeps two runs from copying one snapshot into one DR region (CopyClaims below);
- a share claim (SHARE_CLAIM_TAG_PREFIX) keeps a run from taking back a share another run still copies with (_dr_shares).

A claim whose time has passed is taken for over: a killed run's stops counting then.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._tagging import COPY_CLAIM_TAG_PREFIX

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# The time in a claim, as the restore drill's RESTORE_UNTIL_TAG writes it.
STAMP_FORMAT = '%Y%m%dT%H%M%SZ'


@dataclass(frozen=True)
class RunClaim:
    """A run's claim on a source snapshot: until when that run may be under way (None: unreadable, taken for over), and
    the DR regions its copies of the snapshot go to."""

    run_id: str
    until: datetime.datetime | None
    regions: tuple[str, ...]

    def live(self, now: datetime.datetime) -> bool:
        return self.until is not None and now < self.until

    def tag(self, prefix: str) -> tuple[str, str]:
        """The claim as the tag that carries it, under ``prefix``: '<until> <region>,<region>'."""
        until = self.until.strftime(STAMP_FORMAT) if self.until is not None else ''
        return prefix + self.run_id, '%s %s' % (until, ','.join(self.regions))


def claims_in(tags: Mapping[str, str], prefix: str) -> dict[str, RunClaim]:
    """{run id: RunClaim} of the claims under ``prefix`` among a snapshot's ``tags``."""
    claims = {}
    for key, value in tags.items():
        if not key.startswith(prefix):
            continue
        stamp, dummy, regions = (value or '').partition(' ')
        try:
            until: datetime.datetime | None = datetime.datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            until = None
        run_id = key[len(prefix):]
        claims[run_id] = RunClaim(run_id, until, tuple(region for region in regions.split(',') if region))
    return claims


def claim_for(run_id: str, until: datetime.datetime, regions: Iterable[str]) -> RunClaim:
    """This run's claim: its DR regions sorted, its time to the second."""
    return RunClaim(run_id, until.replace(microsecond=0), tuple(sorted(set(regions))))


class SourceTagCalls(ABC):
    """The calls on the tags of many source snapshots of one region at once, as a copy claim needs them: each a batch."""

    @abstractmethod
    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        """Add ``tags`` to each of the snapshots."""

    @abstractmethod
    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """{snapshot id: its tags as they are now}; a snapshot gone is left out (reads)."""

    @abstractmethod
    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        """Remove the tags ``keys`` from each of the snapshots, whatever their values (one not there is no error)."""


class CopyClaims:
    """One run's copy claims on the source snapshots of one region.

    take() writes the run's claim on every source it is to copy, then reads the tags back. A source on which it then sees
    a live claim of another run for one of its DR regions is not copied there by this run: it only adopts the copy the
    other run made, if the look-up finds one. Of two runs, at most one copies: the run that reads second sees the claim of
    the first, which was written before the first read; and if both see each other, neither copies (each reports it, and
    the next run copies). A run drops its claims when it ends (drop), after its copies were made and are seen by look-ups.
    """

    def __init__(self, calls: SourceTagCalls, *, run: RunClaim, now: datetime.datetime) -> None:
        self.calls = calls
        self.run = run
        self.now = now
        self._claimed: dict[str, list[str]] = {}  # source region -> the snapshots this run claimed there
        self._over: dict[str, dict[str, set[str]]] = {}  # source region -> {tag of a claim that is over: the snapshots carrying it}

    def take(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, RunClaim]]:
        """Claim ``snapshot_ids``; answer {snapshot id: {DR region: the other run's claim}} for the DR regions of this
        run that another run holds (live, and naming that region). Those regions are the other run's to copy to."""
        ids = sorted(set(snapshot_ids))
        if not ids:
            return {}
        key, value = self.run.tag(COPY_CLAIM_TAG_PREFIX)
        self._claimed.setdefault(source_region, []).extend(ids)
        self.calls.tag_sources(source_region, ids, {key: value})
        held: dict[str, dict[str, RunClaim]] = {}
        for snapshot_id, tags in self.calls.sources_tags(source_region, ids).items():
            for run_id, claim in sorted(claims_in(tags, COPY_CLAIM_TAG_PREFIX).items()):
                if run_id == self.run.run_id:
                    continue
                if not claim.live(self.now):
                    self._over.setdefault(source_region, {}).setdefault(claim.tag(COPY_CLAIM_TAG_PREFIX)[0], set()).add(snapshot_id)
                    continue
                for region in set(claim.regions) & set(self.run.regions):
                    held.setdefault(snapshot_id, {}).setdefault(region, claim)
        return held

    def drop(self) -> None:
        """Remove this run's claims, and the claims of runs that are over found beside them."""
        key = self.run.tag(COPY_CLAIM_TAG_PREFIX)[0]
        for source_region, ids in sorted(self._claimed.items()):
            self.calls.untag_sources(source_region, sorted(set(ids)), [key])
        for source_region, by_key in sorted(self._over.items()):
            for over_key, over_ids in sorted(by_key.items()):
                self.calls.untag_sources(source_region, sorted(over_ids), [over_key])
        self._claimed.clear()
        self._over.clear()


def held_message(claim: RunClaim, snapshot_id: str, region: str) -> str:
    """Why a run did not copy ``snapshot_id`` to ``region``: another run's claim, and what follows."""
    until = claim.until.strftime('%Y-%m-%d %H:%M:%S UTC') if claim.until is not None else '?'
    return ('DR run %s, under way until %s at the latest, is copying source snapshot %s to %s, and no copy of it was '
            'found there yet; this run makes no second copy, and the next run adopts that run\'s copy or, if it made none, '
            'copies' % (claim.run_id, until, snapshot_id, region))
