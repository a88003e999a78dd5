# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/tencent/cbs.py,
which says how copies are found again) with the DR run's calls (dr/capabilities.py DrAdapter: disks and their snapshots,
pruning) and the run's leases, as tags on the source snapshots (cbs_source_tags.py), composed of a part per further
capability: the restore drill (cbs_disks.py), snapshot sets (cbs_sets.py) and a separate DR account
(clouds/tencent/cbs_dr_account.py).

Disks are found with DescribeDisks' tag filters (documented for DescribeDisks), their snapshots with DescribeSnapshots'
``disk-id`` filter (10 disks a call, the API's limit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.dr_model import Disk
from ...core.errors import INVALID, NOT_FOUND, CloudError
from ...core.model import COMPLETED, CopyRequest, Snapshot
from ...core.paging import offset_page
from ...core.tagging import SHARE_TAG, SOURCE_TAG, STAGED_FROM_TAG, tag_dict, tag_filters, tag_list
from ...dr.capabilities import (
    CompletedSnapshotsAdapter,
    DrAdapter,
    begun_snapshot,
)
from ...dr.leases.copies import CopyLeases
from .cbs import (
    MAX_NAME,
    PAGE_SIZE,
    TAG_RESOURCES_PER_CALL,
    TAG_RULES,
    TAGS_PER_CALL,
    CbsCopyAdapter,
    snapshot_resource_name,
)
from .cbs_api import DISK_IDS_PER_FILTER, SHARED_SNAPSHOT
from .cbs_disks import CbsDrill
from .cbs_dr_account import CbsDrAccount
from .cbs_dr_bridge import ASKED_TAG
from .cbs_sets import CbsSets
from .cbs_source_tags import CbsSourceTags
from .cbs_vault import CbsVault
from .client import TencentAccountRouter, TencentClient, cloud_error

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms

# From this many disk-id calls on, a look at the region's size may show that listing it is cheaper.
LISTING_PROBE_CHUNKS = 5
# A name cbs.default_copy_name made (region names and snapshot ids are far shorter than MAX_NAME).
DEFAULT_NAME = re.compile(r'^snapcopy-(?P<region>[a-z]{2,}(?:-[a-z0-9]+)+)-(?P<source_id>snap-[0-9a-z]{8})$')


# pylint: disable-next=too-many-ancestors  # four bases; the others are theirs (CbsCopyAdapter's, SourceTagCalls')
class CbsAdapter(CbsCopyAdapter, DrAdapter, CompletedSnapshotsAdapter, CbsSourceTags):
    """The DR run on CBS, its capabilities each a part (DrAdapter.vault, drill, sets)."""

    copy_tag_rules = TAG_RULES
    dr_account_copy_marks = (SHARE_TAG, ASKED_TAG, STAGED_FROM_TAG)
    # The Tag service's TagResources: 9 resources a call (clouds.tencent.cbs).
    copies_per_tag_call = TAG_RESOURCES_PER_CALL
    vault: CbsVault
    drill: CbsDrill
    sets: CbsSets

    def __init__(self, client: TencentClient, check_mode: bool = False) -> None:
        super().__init__(client, check_mode)
        # With dr_account: what makes each staged copy the DR account's (clouds.tencent.cbs_dr_account).
        self.dr: CbsDrAccount | None = None
        self._refused_tag_actions: set[str] = set()
        # Each snapshot's DiskUsage as last read (a system disk's copy cannot be made into a disk, nor shared).
        self.disk_usage: dict[str, str | None] = {}
        self.vault = CbsVault(self)
        self.drill = CbsDrill(self)
        self.sets = CbsSets(self)

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """With dr_account, the source must be a data disk's snapshot: CBS shares no other with another account
        (ModifySnapshotsSharePermission), so its staged copy could not reach the DR account."""
        if self.dr is not None and self.disk_usage.get(source.id) == 'SYSTEM_DISK':
            raise CloudError(
                'ModifySnapshotsSharePermission',
                'SystemDiskNotShareable',
                'source snapshot %s is of a system disk, '
                'which CBS does not share with another account: the DR account %s cannot make a copy of it '
                '(docs/vault.md)' % (source.id, self.dr.account),
                kind=INVALID,
                region=source.region,
            )

    def start_dr_run(self, terms: LeaseTerms) -> None:
        """The DR account's snapshot of a bridge disk is a copy made outside the engine's copy call: leased on the staged
        copy (CbsVault.start_dr_run)."""
        if self.dr is not None:
            self.dr.bridge.leases = CopyLeases(self, terms=terms)

    def client_for(self, region: str | None) -> TencentClient:
        """The client of the account that holds the DR copies of ``region`` (the source's, or the DR account's)."""
        return self.client.client_for(region) if isinstance(self.client, TencentAccountRouter) else self.client

    def describe(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        if self.dr is not None and region != self.dr.source_region:
            return self.dr.describe(region, snapshot_ids)
        return super().describe(region, snapshot_ids)

    def read_back(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        # With dr_account, the staged copies as they are: the wait (describe) is what takes them further.
        if self.dr is not None and region != self.dr.source_region:
            return self.dr.describe(region, snapshot_ids, advance=False)
        return super().describe(region, snapshot_ids)

    def find_copies(self, destination: str, requests: Sequence[CopyRequest]) -> dict[str, list[Snapshot]]:
        if self.dr is not None:
            return self.dr.find_copies(destination, requests)
        return super().find_copies(destination, requests)

    def complete_copies(
        self, destination: str, requests: Sequence[CopyRequest], found: Mapping[str, Sequence[Snapshot]]
    ) -> None:
        """Tag the copies found without our source tag (a run before was cut short while tagging); with dr_account, take
        the staged copies found one step further into the DR account."""
        super().complete_copies(destination, requests, found)
        if self.dr is not None:
            self.dr.bridge.advance(destination, [copy for copies in found.values() for copy in copies])

    def _copies_made(self, made: Sequence[Snapshot]) -> None:
        if self.dr is not None:
            # Each copy is the source account's, staged for the DR account, which makes its own of it (describe).
            for copy in made:
                self.dr.staged(copy)

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, Any]) -> list[Disk]:
        filters = tag_filters(tag_selector)
        return [
            Disk(
                item['DiskId'],
                region,
                name=item.get('DiskName') or None,
                size=item.get('DiskSize'),
                tags=tag_dict(item.get('Tags')),
                instance_id=item.get('InstanceId') or None,  # '' when not attached (cbs 2017-03-12 Disk)
            )
            for item in self.list_pages(region, 'DescribeDisks', 'DiskSet', 'DiskId', filters).values()
        ]

    def disk_snapshots(self, region: str, disks: Sequence[Disk]) -> dict[str, list[Snapshot]]:
        ids = sorted({disk.id for disk in disks})
        found: dict[str, list[Snapshot]] = {}
        for item in self._snapshots_of_disks(region, ids):
            # Kept for find_copies, which tells a copy of these sources from a copy of another disk.
            self._sources[(region, item['SnapshotId'])] = item
            found.setdefault(str(item.get('DiskId')), []).append(self.snapshot(item, region))
        return found

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # One listing of the region, 100 a page, by the snapshot-state filter (cbs 2017-03-12 DescribeSnapshots: NORMAL
        # is a snapshot that can be used); the disk-id filter would take a call per 10 disks.
        wanted = {disk.id for disk in disks}
        items = self.list_snapshots(region, [{'Name': 'snapshot-state', 'Values': ['NORMAL']}])
        snapshots = [self.snapshot(item, region) for item in items.values() if item.get('DiskId') in wanted]
        return [snapshot for snapshot in snapshots if snapshot.state == COMPLETED]

    def _snapshots_of_disks(self, region: str, disk_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The snapshots of these disks, in as few reads as the region allows.

        The disk-id filter takes 10 ids a call; listing the whole region takes 100 snapshots a
        call. For many disks, the first page of the listing tells how many snapshots there are
        (TotalCount), and so which of the two costs fewer calls; for a few, the filter wins anyway.
        """
        chunks = [
            disk_ids[start : start + DISK_IDS_PER_FILTER] for start in range(0, len(disk_ids), DISK_IDS_PER_FILTER)
        ]
        if len(chunks) >= LISTING_PROBE_CHUNKS:
            first = self.client.call('cbs', region, 'DescribeSnapshots', offset_page({}, 0, PAGE_SIZE))
            total = first.get('TotalCount') or 0
            if -(-total // PAGE_SIZE) <= len(chunks):
                wanted = set(disk_ids)
                items = self.list_pages(region, 'DescribeSnapshots', 'SnapshotSet', 'SnapshotId', [], first=first)
                return [item for item in items.values() if item.get('DiskId') in wanted]
        items = {}
        for chunk in chunks:
            items.update(self.list_snapshots(region, [{'Name': 'disk-id', 'Values': chunk}]))
        return list(items.values())

    def create_snapshot(  # pylint: disable=unused-argument
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: dict[str, str] | None
    ) -> Snapshot:
        # CBS snapshots have no description. CreateSnapshot takes the tags itself, so the new
        # snapshot is never seen without them.
        params: dict[str, Any] = {'DiskId': disk.id}
        if name:
            params['SnapshotName'] = name[:MAX_NAME]
        if tags:
            params['Tags'] = tag_list(tags)
        try:
            answer = self.client.call('cbs', region, 'CreateSnapshot', params)
        except CloudError as error:
            # CreateSnapshot has no idempotency token: after a lost answer, adopt the snapshot
            # the call made (found by its tags) rather than let a retry make a second one.
            made: Snapshot | None = None
            if error.uncertain and tags:
                try:
                    made = self._made_by(region, disk, params)
                except CloudError:
                    made = None
            if made is None:
                raise
            return made
        return begun_snapshot(
            answer['SnapshotId'],
            region,
            disk,
            cloud_state='CREATING',
            progress=0,
            tags=tags,
            name=params.get('SnapshotName'),
        )

    def _made_by(self, region: str, disk: Disk, params: Mapping[str, Any]) -> Snapshot | None:
        """The snapshot that the CreateSnapshot call with ``params`` made, if exactly one of the disk's has its name and
        tags."""
        wanted = tag_dict(params['Tags'])
        items = self.list_snapshots(region, [{'Name': 'disk-id', 'Values': [disk.id]}])
        matches = [
            item
            for item in items.values()
            if tag_dict(item.get('Tags')) == wanted
            and item.get('SnapshotName') == params.get('SnapshotName', item.get('SnapshotName'))
        ]
        return self.snapshot(matches[0], region) if len(matches) == 1 else None

    def list_copies(self, destination: str) -> list[Snapshot]:
        """The copies in ``destination`` that this collection made, from a listing of the region (no tag
        filter exists): those with our source tag, and those with our default name and without it, whose
        tagging was cut short (the run stopped between the copy and TagResources). A later run tags
        such a copy only while its source is a disk's newest snapshot; after that, its name is all
        that says which snapshot it copies (without it, pruning would keep the copy for ever)."""
        copies: list[Snapshot] = []
        for item in self.list_snapshots(destination, []).values():
            # With dr_account, the DR account's copies are snapshots of bridge disks (STAGED_FROM_TAG), and it lists the
            # staged copies shared with it, which are not its own.
            if item.get('SnapshotType') == SHARED_SNAPSHOT or not (
                item.get('CopyFromRemote') or (self.dr is not None and STAGED_FROM_TAG in tag_dict(item.get('Tags')))
            ):
                continue
            tagged = tag_dict(item.get('Tags')).get(SOURCE_TAG)
            named = None if tagged else DEFAULT_NAME.match(item.get('SnapshotName') or '')
            if tagged or named:
                copy = self.snapshot(item, destination)
                if named:
                    copy.source_region, copy.source_id = named.group('region'), named.group('source_id')
                copies.append(copy)
        return copies

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('cbs', region, 'DeleteSnapshots', {'SnapshotIds': [snapshot_id]})

    # ------------------------------------------------------------------ tags of DR copies
    def tag_staged(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """Add ``tags`` to a copy the source account staged in a DR region (dr_account)."""
        failures = self._set_tags([copy], tags, self.staging_client)
        if failures:
            raise next(iter(failures.values()))

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        failures = self.tag_copies([copy], tags)
        if failures:
            raise next(iter(failures.values()))

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        # A DR copy is in the account of its region (with dr_account, the DR account's outside the source region).
        return self._set_tags(copies, tags, self.client_for(copies[0].region))

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # UnTagResources: 9 resources (copies_per_tag_call) and 9 keys a call (tag 2018-08-13 UnTagResourcesRequest);
        # a copy's failure comes in a normal answer (FailedResources), and a copy gone is none: its tags went with it.
        # ModifyResourceTags would set and take off tags in one call, but of one resource: more calls from 2 copies on.
        region = copies[0].region
        caller = self.client_for(region)
        names = {snapshot_resource_name(region, copy.id): copy for copy in copies}
        failures: dict[str, CloudError] = {}
        for start in range(0, len(keys), TAGS_PER_CALL):
            pending = [name for name, copy in names.items() if copy.id not in failures]
            if not pending:
                break
            answer = caller.call(
                'tag',
                None,
                'UnTagResources',
                {'ResourceList': pending, 'TagKeys': list(keys[start : start + TAGS_PER_CALL])},
            )
            for row in answer.get('FailedResources') or []:
                copy = names.get(row.get('Resource'))
                error = cloud_error(
                    'UnTagResources', region, row.get('Code') or 'Unknown', row.get('Message'), answer.get('RequestId')
                )
                if copy is not None and error.kind != NOT_FOUND:
                    failures[copy.id] = error
        for copy in copies:
            if copy.id not in failures:
                for key in keys:
                    copy.tags.pop(key, None)
        return failures

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        self.disk_usage[item['SnapshotId']] = item.get('DiskUsage')
        return super().snapshot(item, region)


# Transitional (issue 63): dr/posture.py asks the adapter itself about these capabilities (dr.capabilities).
