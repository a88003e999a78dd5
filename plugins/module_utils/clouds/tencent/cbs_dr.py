# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/tencent/cbs.py,
which says how copies are found again) with the DR run's capabilities (dr/capabilities.py): disks and their snapshots,
pruning, the restore drill, a separate DR account (clouds/tencent/cbs_dr_account.py) and the run's leases, as tags on
the source snapshots (dr.leases.source_tags.SourceTagCalls).

Disks are found with DescribeDisks' tag filters (documented for DescribeDisks), their snapshots with DescribeSnapshots'
``disk-id`` filter (10 disks a call, the API's limit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import FATAL, INVALID, NOT_FOUND, CloudError, is_permission_refusal
from ...core.model import COMPLETED, PENDING, CopyRequest, Disk, Snapshot
from ...core.paging import offset_page
from ...core.tagging import SHARE_TAG, SOURCE_TAG, STAGED_FROM_TAG, tag_dict, tag_filters, tag_list
from ...dr.capabilities import (
    CompletedSnapshotsAdapter,
    DrAccountAdapter,
    DrAdapter,
    SetReading,
    SnapshotSetAdapter,
)
from ...dr.leases.copies import CopyLeases
from ...dr.leases.source_tags import SourceTagCalls
from ...engine.capabilities import id_batches
from .cbs import (
    MAX_NAME,
    PAGE_SIZE,
    RESOURCE_IDS_PER_CALL,
    SNAPSHOT_RESOURCE_PREFIX,
    SNAPSHOT_SERVICE_TYPE,
    TAG_RESOURCES_PER_CALL,
    TAG_RULES,
    TAGS_PER_CALL,
    snapshot_resource_name,
    utc_now,
)
from .cbs_api import DISK_IDS_PER_FILTER, SHARED_SNAPSHOT
from .cbs_disks import CbsDiskAdapter
from .cbs_dr_account import CbsDrAccount
from .cbs_dr_bridge import ASKED_TAG
from .client import HINTS, TencentAccountRouter, TencentClient, cloud_error

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms

# From this many disk-id calls on, a look at the region's size may show that listing it is cheaper.
LISTING_PROBE_CHUNKS = 5
# DescribeSnapshotGroups' snapshot-id filter: the model sets no limit on a Filter's Values ("一个或者多个过滤值", cbs
# 2017-03-12 Filter; unverifiable whether the API has one), so a page's worth a call keeps a request bounded.
SNAPSHOT_IDS_PER_GROUP_FILTER = PAGE_SIZE
# A name cbs.default_copy_name made (region names and snapshot ids are far shorter than MAX_NAME).
DEFAULT_NAME = re.compile(r'^snapcopy-(?P<region>[a-z]{2,}(?:-[a-z0-9]+)+)-(?P<source_id>snap-[0-9a-z]{8})$')


# pylint: disable-next=too-many-public-methods,too-many-ancestors  # five capabilities
class CbsAdapter(
    CbsDiskAdapter,
    DrAdapter,
    DrAccountAdapter,
    SourceTagCalls,
    CompletedSnapshotsAdapter,
    SnapshotSetAdapter,
):
    # CreateSnapshotGroup's DiskIds "必须选择挂载在同一实例上的盘列表" (disks attached to one instance: cbs 2017-03-12
    # CreateSnapshotGroupRequest; UnsupportedOperation.SnapshotGroupDiskAttachMultiInstance otherwise, errorcodes.py);
    # the model gives no most disks a group holds (max_set_disks None).
    sets_span_instances = False
    copy_tag_rules = TAG_RULES
    dr_account_copy_marks = (SHARE_TAG, ASKED_TAG, STAGED_FROM_TAG)
    # The Tag service's TagResources: 9 resources a call (clouds.tencent.cbs).
    copies_per_tag_call = TAG_RESOURCES_PER_CALL

    def __init__(self, client: TencentClient, check_mode: bool = False) -> None:
        super().__init__(client, check_mode)
        # With dr_account: what makes each staged copy the DR account's (clouds.tencent.cbs_dr_account).
        self.dr: CbsDrAccount | None = None
        # AttachResourcesTag or DetachResourcesTag, once the caller's policy refused it: sent no more this run (_by_key).
        self._refused_tag_actions: set[str] = set()

    # ------------------------------------------------ a separate DR account (dr_account, clouds.tencent.cbs_dr_account)
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        dr_client = TencentClient(connection, self.client.sdk, retry=self.client.retry)
        self.dr = CbsDrAccount(self, client=dr_client, source_region=source_region, account=account)
        self.client = cast('TencentClient', TencentAccountRouter(self.staging_client, dr_client, source_region))

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """With dr_account, the source must be a data disk's snapshot: CBS shares no other with another account
        (ModifySnapshotsSharePermission), so its staged copy could not reach the DR account."""
        if self.dr is not None and self._disk_usage.get(source.id) == 'SYSTEM_DISK':
            raise CloudError(
                'ModifySnapshotsSharePermission',
                'SystemDiskNotShareable',
                'source snapshot %s is of a system disk, '
                'which CBS does not share with another account: the DR account %s cannot make a copy of it '
                '(docs/vault.md)' % (source.id, self.dr.account),
                kind=INVALID,
                region=source.region,
            )

    def client_for(self, region: str | None) -> TencentClient:
        """The client of the account that holds the DR copies of ``region`` (the source's, or the DR account's)."""
        return self.client.client_for(region) if isinstance(self.client, TencentAccountRouter) else self.client

    def start_dr_run(self, terms: LeaseTerms) -> None:
        # The DR account's snapshot of a bridge disk is a copy made outside the engine's copy call: leased on the staged
        # copy.
        if self.dr is not None:
            self.dr.bridge.leases = CopyLeases(self, terms=terms)

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:
        return cast('CbsDrAccount', self.dr).find_shares(dr_regions)

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        cast('CbsDrAccount', self.dr).release_share(snapshot_id)
        return True

    def dr_account_steps(self) -> tuple[list[str], list[str]]:
        return cast('CbsDrAccount', self.dr).steps()

    def dr_account_staging(self, dr_regions: list[str]) -> list[dict[str, Any]]:
        return cast('CbsDrAccount', self.dr).staging_read(dr_regions)

    def settle_dr_account(self, dr_regions: list[str]) -> int:
        return cast('CbsDrAccount', self.dr).settle(dr_regions)

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

    # -------------------------------------------------------------- tags of source snapshots (dr.leases.source_tags.SourceTagCalls)
    # A run's leases are on the source snapshots, the disks' account's: its client (staging_client) for every call, not
    # the adapter's client, which with dr_account routes by region and would take a change of that routing along.
    # A lease is one tag key (a run and DR region) with one value on many sources: AttachResourcesTag and
    # DetachResourcesTag take one key and 50 resources of one region a call (tag 2018-08-13 AttachResourcesTagRequest,
    # DetachResourcesTagRequest: "ResourceIds.N ... up to 50"), where TagResources and UnTagResources take 9; and their
    # rate limits are their own, not the copies' TagResources marks'.
    sources_per_tag_call = RESOURCE_IDS_PER_CALL

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for key, value in sorted(tags.items()):
            left = [
                snapshot_id
                for batch in id_batches(snapshot_ids, RESOURCE_IDS_PER_CALL)
                if not self._by_key('AttachResourcesTag', source_region, batch, TagKey=key, TagValue=value)
                for snapshot_id in batch
            ]
            if left:
                self._tag_sources_call(
                    'TagResources', source_region, left, {'Tags': tag_list({key: value}, 'TagKey', 'TagValue')}
                )

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        # DescribeSnapshots answers each snapshot's tags (cbs 2017-03-12 Snapshot.Tags) and leaves an id it does not
        # know out (describe_ids_with): 100 ids a call, no Tag service read.
        found = self.describe_with(self.staging_client, source_region, snapshot_ids)
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        # A key not on a snapshot is no failure (unverifiable: not documented either way; fakecloud takes it so).
        # DetachResourcesTag changes all of its sources or none: one that is gone fails the call (its answer names no
        # failed resource), and the batch is sent again as UnTagResources, whose answer names each failure, so that a
        # snapshot gone is no failure (its tags went with it).
        for key in sorted(set(keys)):
            left = [
                snapshot_id
                for batch in id_batches(snapshot_ids, RESOURCE_IDS_PER_CALL)
                if not self._detached(source_region, batch, key)
                for snapshot_id in batch
            ]
            if left:
                self._tag_sources_call('UnTagResources', source_region, left, {'TagKeys': [key]}, gone_is_done=True)

    def _detached(self, source_region: str, snapshot_ids: Sequence[str], key: str) -> bool:
        try:
            return self._by_key('DetachResourcesTag', source_region, snapshot_ids, TagKey=key)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            return False

    def _by_key(self, action: str, source_region: str, snapshot_ids: Sequence[str], **params: str) -> bool:
        """Send ``action`` (AttachResourcesTag or DetachResourcesTag) for the snapshots; False where the caller's policy
        does not allow it, and from then on without a call: the caller then sends TagResources or UnTagResources, 9
        snapshots a call, as the release before this one did, so that a policy written for it keeps the leases."""
        if action in self._refused_tag_actions:
            return False
        try:
            self.staging_client.call(
                'tag', None, action, dict(self._resources_of(source_region, snapshot_ids), **params)
            )
        except CloudError as error:
            if not is_permission_refusal(error):
                raise
            self._refused_tag_actions.add(action)
            return False
        return True

    @staticmethod
    def _resources_of(source_region: str, snapshot_ids: Sequence[str]) -> dict[str, Any]:
        """The parameters that name snapshots of ``source_region`` to AttachResourcesTag and DetachResourcesTag: the
        parts of their six-segment names (snapshot_resource_name)."""
        return {
            'ServiceType': SNAPSHOT_SERVICE_TYPE,
            'ResourcePrefix': SNAPSHOT_RESOURCE_PREFIX,
            'ResourceRegion': source_region,
            'ResourceIds': list(snapshot_ids),
        }

    def _tag_sources_call(
        self,
        action: str,
        source_region: str,
        snapshot_ids: Sequence[str],
        params: Mapping[str, Any],
        *,
        gone_is_done: bool = False,
    ) -> None:
        """Send the Tag service's ``action`` with ``params`` for the snapshots, 9 a call, in the disks' account. A
        snapshot's failure comes in a normal answer (FailedResources, tag 2018-08-13 TagResourcesResponse and
        UnTagResourcesResponse): the others' batches are still sent, then the first failure is raised, naming every
        snapshot that failed; with ``gone_is_done``, a snapshot gone (not found) is no failure: its tags are gone with
        it."""
        failed: list[str] = []
        first: CloudError | None = None
        for batch in id_batches(snapshot_ids, TAG_RESOURCES_PER_CALL):
            names = {snapshot_resource_name(source_region, snapshot_id): snapshot_id for snapshot_id in batch}
            answer = self.staging_client.call('tag', None, action, dict(params, ResourceList=list(names)))
            for row in answer.get('FailedResources') or []:
                snapshot_id = names.get(row.get('Resource'), str(row.get('Resource')))
                error = cloud_error(
                    action, source_region, row.get('Code') or 'Unknown', row.get('Message'), answer.get('RequestId')
                )
                if gone_is_done and error.kind == NOT_FOUND:
                    continue
                failed.append(snapshot_id)
                first = first or error
        if first is not None:
            raise CloudError(
                action,
                first.code,
                '%s (source snapshots: %s)' % (first.message, ', '.join(failed)),
                request_id=first.request_id,
                kind=first.kind,
                region=source_region,
            )

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
            found.setdefault(cast(str, item.get('DiskId')), []).append(self.snapshot(item, region))
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
        return Snapshot(
            answer['SnapshotId'],
            region,
            PENDING,
            cloud_state='CREATING',
            progress=0,
            tags=dict(tags or {}),
            size=disk.size,
            volume_id=disk.id,
            created=utc_now(),
            name=params.get('SnapshotName'),
        )

    # ------------------------------------------------------------------ consistency groups (issue 49, dr/groups.py)
    # Nothing in a snapshot names its group (cbs 2017-03-12 Snapshot): a group's members are its SnapshotIdSet
    # (SnapshotGroup), read with DescribeSnapshotGroups' snapshot-id filter ("按快照组内的快照ID过滤", Filters).
    def snapshot_sets(
        self, region: str, disks: list[Disk], snapshots: Mapping[str, Sequence[Snapshot]]
    ) -> dict[str, str]:
        return dict(self.read_sets(region, disks, snapshots).sets)

    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        del set_tag  # CBS names its sets
        given = sorted({snapshot.id for disk in disks for snapshot in snapshots.get(disk.id, ())})
        sets: dict[str, str] = {}
        not_consistent: dict[str, str] = {}
        for batch in id_batches(given, SNAPSHOT_IDS_PER_GROUP_FILTER):
            for group in self._snapshot_groups(region, 'snapshot-id', batch).values():
                # A group whose failed member vanished (CBS keeps the group, NORMAL, with the others) is still a set: a
                # torn one.
                sets.update(
                    (member, group['SnapshotGroupId']) for member in group.get('SnapshotIdSet') or [] if member in given
                )
                why = group_consistency(group.get('SnapshotGroupType'))
                if why:
                    not_consistent[group['SnapshotGroupId']] = why
        return SetReading(sets=sets, not_crash_consistent=not_consistent)

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        # No description on CBS; no token either: CreateSnapshotGroup is sent once (a lost answer is the caller's to
        # look up). The group's tags are bound to the group ("快照组需要绑定的标签列表", CreateSnapshotGroupRequest.Tags).
        self.set_instance(disks)
        params: dict[str, Any] = {'DiskIds': sorted(disk.id for disk in disks)}
        if name:
            # Each member is named after the group with _0, _1, ... (CreateSnapshotGroupRequest.SnapshotGroupName).
            params['SnapshotGroupName'] = name[: MAX_NAME - len('_%d' % len(disks))]
        if tags:
            params['Tags'] = tag_list(tags)
        try:
            group_id = self.client.call('cbs', region, 'CreateSnapshotGroup', params)['SnapshotGroupId']
        except CloudError as error:
            raise beta_refusal(error) from None
        groups = list(self._snapshot_groups(region, 'snapshot-group-id', [group_id]).values())
        members = groups[0].get('SnapshotIdSet') or [] if groups else []
        found = self.describe_with(self.client, region, members)
        return group_id, [found[member] for member in members if member in found]

    def _snapshot_groups(self, region: str, name: str, values: Sequence[str]) -> dict[str, dict[str, Any]]:
        """{group id: SnapshotGroup} for DescribeSnapshotGroups' filter ``name`` of ``values``, all pages (Limit at
        most 100, DescribeSnapshotGroupsRequest)."""
        return self.list_pages(
            region,
            'DescribeSnapshotGroups',
            'SnapshotGroupSet',
            'SnapshotGroupId',
            [{'Name': name, 'Values': list(values)}],
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


# SnapshotGroup.SnapshotGroupType (tencentcloud-sdk-python cbs v20170312 models.py): "快照组类型。NORMAL: 普通快照组，非一致性快照"  # noqa: RUF003
# (the group's type; NORMAL: an ordinary snapshot group, not a consistent snapshot), its one documented value. The CBS
# user guide ("Creating Snapshot Group") says a group's snapshots keep "the write-order consistency and crash consistency"
# of the disks. Of the two, the stricter: a group is called crash-consistent only when its type says so, and no type
# the model documents does (issue 61).
CONSISTENT_GROUP_TYPES: frozenset[str] = frozenset()
GROUP_TYPE_WORDS = {'NORMAL': '普通快照组，非一致性快照 (an ordinary snapshot group, not a consistent snapshot)'}  # noqa: RUF001
# CreateSnapshotGroup's refusal to an account outside the beta. The user guide: "The snapshot group feature is currently
# in a limited beta testing phase. You can contact your account manager or submit a ticket to apply for access." The
# refusal's code is documented nowhere: the SDK's errorcodes.py lists UnauthorizedOperation ("未授权操作", an operation
# not authorised) and UnsupportedOperation ("操作不支持", not supported) without a sub-code, which are taken for it (an
# UnauthorizedOperation.<reason>, such as AuthFailure or MFAExpired, says its own reason).
BETA_REFUSALS = ('UnauthorizedOperation', 'UnsupportedOperation')


def group_consistency(group_type: str | None) -> str | None:
    """Why CBS does not call a group of SnapshotGroupType ``group_type`` crash-consistent (None: it does)."""
    if group_type in CONSISTENT_GROUP_TYPES:
        return None
    words = GROUP_TYPE_WORDS.get(group_type or '')
    return (
        'CBS gives the snapshot group the type %s%s, and no type its API model documents is a consistent snapshot'
        % (
            group_type or '(none)',
            ', "%s"' % words if words else '',
        )
    )


def beta_refusal(error: CloudError) -> CloudError:
    """``error`` of CreateSnapshotGroup, said for what it is when it may be the beta's refusal: the client's general
    hint (a CAM policy for copies) gives way to the two causes of this call's refusal."""
    if error.code not in BETA_REFUSALS:
        return error
    hint = HINTS.get(error.code)
    cloud_words = error.message
    if hint and cloud_words.endswith(hint[1:]):
        cloud_words = cloud_words[: -len(hint)].rstrip('. ')
    return CloudError(
        error.action,
        error.code,
        '%s. CBS snapshot groups are a limited beta that an account is admitted to on request (CBS user guide, '
        '"Creating Snapshot Group": contact your account manager or submit a ticket): until this account is, leave '
        'consistency_groups unset for Tencent. If it is, the key lacks cbs:CreateSnapshotGroup in its CAM policy: '
        'grant it' % cloud_words.rstrip('.'),
        request_id=error.request_id,
        kind=FATAL,
        region=error.region,
    )
