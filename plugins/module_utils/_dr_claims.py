# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's claims on source snapshots: tags that say which run needs a snapshot, until when, for which DR regions.

Two runs may work on one source snapshot at once: two runs of one scope (a schedule overlapping a manual run), or two
scopes whose selectors both match a disk. No cloud offers a lock on a snapshot that two runs could both try to take, but
each lets a run add a tag and read the tags back. A run's claim is one tag of its own (a prefix, then its run id), so two
runs never overwrite each other's claim, and the value says until when the run may be under way and its DR regions. A
share claim (SHARE_CLAIM_TAG_PREFIX) keeps a run from taking back a share another run still copies with (_dr_shares); a
run's release tag (RELEASE_TAG_PREFIX) is one too. A claim whose time has passed is taken for over: a killed run's stops
counting then.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    """The calls on the tags of source snapshots of one region, each a batch of snapshots."""

    @abstractmethod
    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        """Add ``tags`` to each of the snapshots."""

    @abstractmethod
    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """{snapshot id: its tags as they are now}; a snapshot gone is left out (reads)."""

    @abstractmethod
    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        """Remove the tags ``keys`` from each of the snapshots, whatever their values (one not there is no error)."""
