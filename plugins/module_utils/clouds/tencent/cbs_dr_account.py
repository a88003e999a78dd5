# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS copies made and owned by a separate DR account (dr_sync's ``dr_account``, docs/vault.md).

CBS shares a snapshot with another account only to be made into a disk, in the snapshot's own region, and a shared
snapshot cannot be copied (ModifySnapshotsSharePermission's reference; the SDK's errorcodes.py:
UnsupportedOperation.SnapshotNotSupportCopy). So a DR copy reaches the DR account in four steps, each found again by
its tags after a killed run:

1. the source account copies the source snapshot into the DR region, as without dr_account: the *staged copy*, with
   the copy's tags (CopySnapshotCrossRegions);
2. once it is complete, the source account marks it (SHARE_TAG, the DR account's id) and shares it with the DR account;
3. the DR account makes a *bridge disk* of it (CreateDisks, pay-as-you-go, tagged STAGED_FROM_TAG, with a ClientToken
   drawn from the staged copy's id and the time of the ask, which the staged copy carries: bridge_token, ASKED_TAG);
4. once the disk is made, the DR account snapshots it (CreateSnapshot with the copy's tags and STAGED_FROM_TAG): that
   snapshot is the DR copy, the DR account's own.

Once the DR copy is complete, a run (this one with ``wait``, else the next) terminates the bridge disk, cancels the
share and deletes the staged copy (find_shares, release_share): a staged copy is deleted only when it carries the run's
mark and the DR account holds a complete copy made from it. A bridge disk whose staged copy a person deleted is
terminated too, once no DR copy is being made from it; one a person terminated is made again (a new ask). The copy
engine sees one copy per destination: the staged copy, in flight until the DR copy exists, then the DR copy (describe
answers the one for the other), so ``wait`` waits for the whole way.

This file finds the copies and settles the staged ones; the parts: cbs_dr_reads (what the steps read), cbs_dr_bridge
(steps 2 to 4: the share, the bridge disk, the DR copy), cbs_dr_release (after the DR copy, and the orphans).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ...core.model import COMPLETED, DELETING, FAILED, PENDING, Snapshot
from ...core.tagging import COPY_TAG, DISK_TAG, SHARE_TAG, SOURCE_TAG, tag_dict
from .cbs_dr_bridge import STAGED, BridgePath
from .cbs_dr_reads import CbsDrReads
from .cbs_dr_release import ShareRelease

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...core.model import CopyRequest
    from .cbs_api import CbsCalls
    from .client import TencentClient


class CbsDrAccount:
    """The DR account side of a CbsAdapter: its client, the staged copies it has seen and what it made of them."""

    def __init__(self, adapter: CbsCalls, *, client: TencentClient, source_region: str, account: str) -> None:
        self.adapter = adapter
        self.source = adapter.staging_client
        self.client = client
        self.source_region = source_region
        self.account = account
        # The staged copies this run found or made (their names and tags are the DR copies').
        self.staging: set[str] = set()
        # The staged copies found complete, whose next step a run takes (check mode: would take).
        self.ready: set[str] = set()
        # What settle read of a region where it found nothing to do (find_shares reads no more).
        self._settled: dict[str, tuple[list[Snapshot], dict[str | None, Snapshot]]] = {}
        self._lock = threading.Lock()
        self.reads = CbsDrReads(adapter, client=client)
        # The way of a staged copy into the DR account (its bridge disk, its DR copy), and what it made.
        self.bridge = BridgePath(adapter, self.reads, account=account, staging=self.staging)
        self.shares = ShareRelease(adapter, self.reads, account=account, settled=self._settled)

    def steps(self) -> tuple[list[str], list[str]]:
        """(made, would make): see DrAccountAdapter.dr_account_steps."""
        return list(self.bridge.made), sorted(self.ready) if self.adapter.check_mode else []

    # ------------------------------------------------------------------ finding copies
    def find_copies(self, destination: str, requests: Sequence[CopyRequest]) -> dict[str, list[Snapshot]]:
        """The DR account's copies of these sources in ``destination``; for a source it has none of, the source
        account's staged copy (in flight until the DR account has made its own)."""
        by_tag = {request.source_tag: request for request in requests}
        found: dict[str, list[Snapshot]] = {}
        for item in self.reads.dr_copies(destination):
            tag = tag_dict(item.get('Tags')).get(SOURCE_TAG) or ''
            if tag in by_tag:
                found.setdefault(tag, []).append(self.adapter.snapshot(item, destination))
        missing = [request for request in requests if request.source_tag not in found]
        if missing:
            for tag, copies in self.adapter.find_copies_with(self.source, destination, missing).items():
                # A copy whose COPY_TAG names another snapshot is a person's copy of one of ours: never staged (shared,
                # deleted).
                ours = [copy for copy in copies if copy.tags.get(COPY_TAG) in (None, copy.id)]
                if ours:
                    found[tag] = [self._as_staged(copy) for copy in ours]
        return found

    def staged(self, copy: Snapshot) -> None:
        """``copy`` (made by the source account in a DR region) is staged for the DR account."""
        with self._lock:
            self.staging.add(copy.id)

    def _as_staged(self, copy: Snapshot) -> Snapshot:
        """A staged copy as the engine sees it: in flight while the DR account has no copy of it."""
        if copy.id:
            self.staged(copy)
        if copy.state == COMPLETED:
            with self._lock:
                self.ready.add(copy.id)
            copy.state, copy.cloud_state = PENDING, STAGED
            copy.message = 'copied into %s by the source account; the DR account %s makes its own copy of it next' % (
                copy.region,
                self.account,
            )
        return copy

    # ------------------------------------------------------------------ the way into the DR account
    def describe(self, region: str, snapshot_ids: list[str], advance: bool = True) -> dict[str, Snapshot]:
        """describe for the engine: the DR account's copies as they are, and for each staged copy the step it has
        reached, taken one step further (outside check mode; not with ``advance`` false, a read that changes nothing):
        the staged copy in flight, or the DR account's copy once made."""
        staged = [snapshot_id for snapshot_id in snapshot_ids if snapshot_id in self.staging]
        found = self.adapter.describe_with(
            self.client, region, [snapshot_id for snapshot_id in snapshot_ids if snapshot_id not in self.staging]
        )
        if staged:
            copies = self.adapter.describe_with(self.source, region, staged)
            for snapshot_id, copy in copies.items():
                found[snapshot_id] = self._as_staged(copy)
            if advance and not self.adapter.check_mode:
                found.update(self.bridge.advance(region, list(copies.values())))
        return found

    def settle(self, dr_regions: Sequence[str]) -> int:
        """Take every complete staged copy in ``dr_regions`` that the DR account has no complete copy of one step
        further, those of older source snapshots too (a killed run's, whose source is no longer a disk's newest); in
        check mode only count them (``would_make``). Answer how many are still on their way."""
        pending = 0
        for region in dr_regions:
            finals = self.reads.finals(region)
            staged = self.reads.staged_copies(region)
            waiting = []
            for copy in staged:
                final = finals.get(copy.id)
                if final is not None and final.state == COMPLETED:
                    continue
                pending += 1
                if final is None and copy.state == COMPLETED:
                    waiting.append(self._as_staged(copy))
            if waiting and not self.adapter.check_mode:
                # A staged copy the DR account cannot take (its failure, with the cloud's words) is not waited for.
                pending -= sum(1 for copy in self.bridge.advance(region, waiting).values() if copy.state == FAILED)
                self._settled.pop(region, None)
            else:
                self._settled[region] = (staged, finals)
        return pending

    def staging_read(self, dr_regions: Sequence[str]) -> list[dict[str, Any]]:
        """The staged copies and bridge disks in ``dr_regions`` as they are now, each with its DR copy (reads only: see
        DrAccountAdapter.dr_account_staging)."""
        records: list[dict[str, Any]] = []
        for region in dr_regions:
            finals = self.reads.finals(region)
            staged = sorted(self.reads.staged_copies(region), key=lambda copy: copy.id)
            for copy in staged:
                final = finals.get(copy.id)
                records.append(
                    {
                        'region': region,
                        'kind': 'staged_copy',
                        'id': copy.id,
                        'state': copy.state,
                        'cloud_state': copy.cloud_state,
                        'created': copy.created,
                        'disk': copy.tags.get(DISK_TAG),
                        'source': copy.tags.get(SOURCE_TAG),
                        'shared': copy.tags.get(SHARE_TAG) == self.account,
                        'dr_copy_id': final.id if final is not None else None,
                        'dr_copy_complete': final is not None and final.state == COMPLETED,
                    }
                )
            for staged_id, disks in sorted(self.reads.bridge_disks(region).items()):
                final = finals.get(staged_id)
                for disk in sorted(disks, key=lambda disk: disk.id):
                    if disk.state == DELETING:
                        continue  # returned: gone
                    records.append(
                        {
                            'region': region,
                            'kind': 'bridge_disk',
                            'id': disk.id,
                            'state': disk.state,
                            'cloud_state': disk.cloud_state,
                            'created': disk.created,
                            'staged_from': staged_id,
                            'staged_copy_exists': staged_id in {copy.id for copy in staged},
                            'dr_copy_id': final.id if final is not None else None,
                            'dr_copy_complete': final is not None and final.state == COMPLETED,
                        }
                    )
        return records

    # -------------------------------------------------------- after the DR copy: the bridge, the share, the staged copy
    def find_shares(self, dr_regions: Sequence[str]) -> tuple[list[str], list[str]]:
        """(to release, held): see ShareRelease.find_shares."""
        return self.shares.find_shares(dr_regions)

    def release_share(self, key: str) -> None:
        """See ShareRelease.release_share."""
        self.shares.release_share(key)
