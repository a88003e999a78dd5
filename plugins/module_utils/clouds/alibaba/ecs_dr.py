# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/alibaba/ecs.py)
with the DR run's calls (dr/capabilities.py DrAdapter: disks and their snapshots, pruning), composed of a part per
further capability: locks (ecs_locks.py), the restore drill and its drill host (ecs_drill.py), snapshot sets
(ecs_sets.py), and a separate DR account (clouds/alibaba/ecs_dr_account.py), whose shares the run's leases hold
(dr/leases/shares.py). How copies are found, and why the DR run lists a region page by page: clouds/alibaba/ecs.py.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.dr_model import Disk
from ...core.errors import CloudError
from ...core.model import COMPLETED, CopyRequest, Snapshot
from ...core.tagging import SOURCE_TAG, numbered_tags, string_tags
from ...dr.capabilities import (
    CompletedSnapshotsAdapter,
    DrAdapter,
    begun_snapshot,
)
from ...dr.leases.shares import ShareLeases, SharesHeldByLeases
from .client import AlibabaClient, numbered
from .disk_answers import snapshots_by_disk, tagged_disks
from .ecs import CLIENT_TOKEN_PREFIX, EcsCopyAdapter
from .ecs_dr_account import EcsDrAccount
from .ecs_drill import DISK_PAGE_SIZE, EcsDrill
from .ecs_locks import EcsLocks
from .ecs_sets import EcsSets
from .ecs_vault import EcsVault
from .validate import TAG_RULES

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms

# UntagResources' TagKey.N: up to 20 (ecs-20140526 UntagResourcesRequest).
UNTAG_KEYS_PER_CALL = 20


class EcsAdapter(EcsCopyAdapter, DrAdapter, CompletedSnapshotsAdapter, SharesHeldByLeases):
    """The DR run on ECS, its capabilities each a part (DrAdapter.locks, vault, drill, sets)."""

    # DescribeSnapshots answers SourceSnapshotId and SourceRegionId (ecs 2014-05-26 model).
    records_copy_source = True
    copy_tag_rules = TAG_RULES
    # TagResources' ResourceId.N: 1 to 50 (ecs-20140526 TagResourcesRequest).
    copies_per_tag_call = 50
    # CreateSnapshot carries a ClientToken too (see create_snapshot).
    create_call_is_idempotent = True
    locks: EcsLocks
    vault: EcsVault
    drill: EcsDrill
    sets: EcsSets

    def __init__(self, client: AlibabaClient, clock: Callable[[], float] = time.time) -> None:
        super().__init__(client)
        # Now, in epoch seconds, for a lock's start (LockSnapshot's retention rule): the host's clock, a test's fake
        # one.
        self.clock = clock
        # {snapshot id: (CreationTime, RetentionDays or None)} as DescribeSnapshots last answered: a lock's retention
        # rule.
        self.retention: dict[str, tuple[str | None, int | None]] = {}
        # With dr_account: the share side (clouds.alibaba.ecs_dr_account); this DR run's shares are SharesHeldByLeases'.
        self.dr: EcsDrAccount | None = None
        self.locks = EcsLocks(self)
        self.vault = EcsVault(self)
        self.drill = EcsDrill(self)
        self.sets = EcsSets(self)

    def start_dr_run(self, terms: LeaseTerms) -> None:
        if self.dr is not None:
            self.shares = ShareLeases(self.dr, account=self.dr.account, terms=terms)

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        super().check_source(request, source)
        if self.dr is not None:
            self.dr.check_source(request, source)

    def _copy_client(self, request: CopyRequest) -> AlibabaClient:
        if self.dr is not None:
            # The DR account copies the source the run shared with it (dr.leases.combined): its call, in the source
            # region (where ECS copies from).
            return self.dr.client
        return self.client

    def snapshots_in(self, region: str) -> list[Snapshot]:
        """Every snapshot of ``region`` (the account's that holds it: the DR account's outside the source region),
        paged."""
        return self._describe(region, {})

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        # Every disk of the region, 500 a page, filtered here: DescribeDisks' tag filter stops at 1,000 disks.
        return tagged_disks(
            self.disk_items(region, {}),
            tag_selector,
            lambda item, tags: Disk(
                item['DiskId'],
                region,
                name=item.get('DiskName') or None,
                size=item.get('Size'),
                tags=tags,
                instance_id=item.get('InstanceId') or None,  # '' when not attached (DescribeDisksResponseBody)
                category=item.get('Category') or None,
                # MultiAttach: Disabled, Enabled or LegacyShared (ecs-20140526 DescribeDisksRequest.MultiAttach).
                multi_attach=item.get('MultiAttach') in ('Enabled', 'LegacyShared'),
            ),
        )

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        return snapshots_by_disk(lambda filters: self._describe(region, filters), disks)

    def disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeDisks item in ``region`` that ``params`` select, all pages."""
        return self.listing(region, 'DescribeDisks', params, ('Disks', 'Disk'), DISK_PAGE_SIZE)

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # One listing of the region, by DescribeSnapshots' Status (accomplished: ecs-20140526
        # DescribeSnapshotsRequest.Status).
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe(region, {'Status': 'accomplished'})
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: Mapping[str, str] | None
    ) -> Snapshot:
        tags = string_tags(tags)
        params = {'RegionId': region, 'DiskId': disk.id, 'SnapshotName': name, 'Description': description}
        params.update(numbered_tags(tags))
        # A resend after a lost answer must not make a second snapshot: the same call, the same token.
        identity = json.dumps(sorted((key, str(value)) for key, value in params.items()))
        params['ClientToken'] = CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]
        answer = self.client.call('CreateSnapshot', params, region)
        return begun_snapshot(
            answer['SnapshotId'],
            region,
            disk,
            cloud_state='progressing',
            progress=0,
            tags=tags,
            name=name,
            description=description,
        )

    def list_copies(self, destination: str) -> list[Snapshot]:
        """Every snapshot in ``destination`` with our source tag, from a listing of the region (see the module
        docstring)."""
        return [snapshot for snapshot in self._describe(destination, {}) if snapshot.tags.get(SOURCE_TAG)]

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('DeleteSnapshot', {'RegionId': region, 'SnapshotId': snapshot_id}, region)

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        self.tag_copies([copy], dict(tags))

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        region = copies[0].region
        params: dict[str, str] = {'RegionId': region, 'ResourceType': 'snapshot'}
        params.update(numbered('ResourceId', [copy.id for copy in copies]))
        params.update(numbered_tags(tags))
        self.client.call('TagResources', params, region)
        for copy in copies:
            copy.tags.update(tags)
        return {}

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # UntagResources: ResourceId.N up to 50 (copies_per_tag_call), TagKey.N up to 20 (ecs-20140526
        # UntagResourcesRequest), as many as a snapshot's tags: one call takes every key a copy may carry.
        region = copies[0].region
        for start in range(0, len(keys), UNTAG_KEYS_PER_CALL):
            params: dict[str, str] = {'RegionId': region, 'ResourceType': 'snapshot'}
            params.update(numbered('ResourceId', [copy.id for copy in copies]))
            params.update(numbered('TagKey', keys[start : start + UNTAG_KEYS_PER_CALL]))
            self.client.call('UntagResources', params, region)
        for copy in copies:
            for key in keys:
                copy.tags.pop(key, None)
        return {}

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        snapshot = super().snapshot(item, region)
        self.retention[item['SnapshotId']] = (item.get('CreationTime'), snapshot.extra.get('retention_days'))
        return snapshot


# Transitional (issue 63): dr/posture.py asks the adapter itself about these capabilities (dr.capabilities).
