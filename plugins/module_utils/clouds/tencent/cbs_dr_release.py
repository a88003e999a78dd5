# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""After a DR copy is complete (cbs_dr_account): its bridge disk terminated, the share of its staged copy cancelled, the
staged copy deleted; and the bridge disks whose staged copy is gone (orphans)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ...core.errors import NOT_FOUND, CloudError
from ...core.model import COMPLETED, DELETING
from ...core.tagging import SHARE_TAG

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...core.model import Snapshot
    from .cbs_api import CbsCalls
    from .cbs_dr_reads import CbsDrReads


class ShareRelease:
    """Finds and releases the shares of a CbsDrAccount (the DR account ``account``): DrAccountAdapter's find_shares and
    release_share."""

    def __init__(
        self,
        adapter: CbsCalls,
        reads: CbsDrReads,
        *,
        account: str,
        settled: dict[str, tuple[list[Snapshot], dict[str | None, Snapshot]]],
    ) -> None:
        """``settled``: what CbsDrAccount.settle read of a region where it found nothing to do (find_shares reads no
        more)."""
        self.adapter = adapter
        self.reads = reads
        self.source = adapter.staging_client
        self.client = reads.client
        self.account = account
        self.settled = settled

    def find_shares(self, dr_regions: Sequence[str]) -> tuple[list[str], list[str]]:
        """(to release, held) as '<region>/<staged copy id>': the staged copies a run shared with the DR account
        (SHARE_TAG) whose DR copy is complete, then those whose DR copy is not (reads only)."""
        release: list[str] = []
        held: list[str] = []
        for region in dr_regions:
            settled = self.settled.pop(region, None)
            staged, finals = (
                settled if settled is not None else (self.reads.staged_copies(region), self.reads.finals(region))
            )
            complete = {staged_id for staged_id, final in finals.items() if final.state == COMPLETED}
            for copy in sorted(staged, key=lambda copy: copy.id):
                if copy.tags.get(SHARE_TAG) == self.account:
                    (release if copy.id in complete else held).append('%s/%s' % (region, copy.id))
            orphans, making = self._orphans(region, {copy.id for copy in staged}, complete)
            release.extend('%s/%s' % (region, staged_id) for staged_id in orphans)
            held.extend('%s/%s' % (region, staged_id) for staged_id in making)
        return release, held

    def _orphans(self, region: str, staged: set[str], complete: set[str | None]) -> tuple[list[str], list[str]]:
        """(to release, held): the staged copies, gone, whose bridge disks are not: a run stopped between deleting the
        one and terminating the other, or a person deleted the staged copy. Released once no DR copy is being made from
        them (their DR copy is complete, or there is none: what a bridge disk holds reaches the DR account no more
        without its staged copy's name and tags; the next run stages the source again). A returned disk is gone: never
        released (again)."""
        live = {
            staged_id: disks
            for staged_id, disks in self.reads.bridge_disks(region).items()
            if staged_id not in staged and any(disk.state != DELETING for disk in disks)
        }
        release = sorted(staged_id for staged_id in live if staged_id in complete)
        unsure = sorted(staged_id for staged_id in live if staged_id not in complete)
        held: list[str] = []
        # Exactly: a listing of the region may skip a staged copy (or a DR copy) while others are made.
        present = self.adapter.describe_with(self.source, region, unsure) if unsure else {}
        for staged_id in unsure:
            if staged_id in present:
                continue  # not gone: the next step takes it further
            made = self.reads.made_from(region, staged_id, {disk.id for disk in live[staged_id]})
            if made is None or made.state == COMPLETED:
                release.append(staged_id)
            else:
                held.append(staged_id)  # its DR copy is being made from the disk
        return sorted(release), held

    def release_share(self, key: str) -> None:
        """Terminate the bridge disk of the staged copy ``key`` ('<region>/<id>'), cancel its share, delete it."""
        region, staged_id = key.split('/', 1)
        # One a call (TerminateDisks answers all or none); a disk returned already (TORECYCLE, or RepeatRefund: a person
        # or a run's lost answer) is gone, not a failure.
        for disk in sorted(self.reads.bridges_of(region, staged_id), key=lambda disk: disk.id):
            if disk.state != DELETING:
                self._gone_is_done(functools.partial(self.adapter.drill.terminate_disk, region, disk.id, self.client))
        self._gone_is_done(
            lambda: self.source.call(
                'cbs',
                region,
                'ModifySnapshotsSharePermission',
                {'SnapshotIds': [staged_id], 'AccountIds': [self.account], 'Permission': 'CANCEL'},
            )
        )
        self._gone_is_done(lambda: self.source.call('cbs', region, 'DeleteSnapshots', {'SnapshotIds': [staged_id]}))

    @staticmethod
    def _gone_is_done(call: Any) -> None:
        try:
            call()
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
