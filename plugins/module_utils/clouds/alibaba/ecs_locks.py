# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the DR adapter's lock part (dr/capabilities.py SnapshotLockAdapter): LockSnapshot and
DescribeLockedSnapshots."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.answers import answer_items
from ...core.dr_model import COMPLIANCE, LockSettings, SnapshotLock
from ...core.paging import token_pages
from ...dr.capabilities import SnapshotLockAdapter
from ...dr.locks import retention_refusal
from .client import numbered
from .ecs import CLIENT_TOKEN_PREFIX, ID_CHUNK, SNAPSHOT_PAGE_SIZE

if TYPE_CHECKING:
    from .ecs_api import EcsCalls


class EcsLocks(SnapshotLockAdapter):
    """LockSnapshot (ecs-20140526 LockSnapshotRequest): compliance only, CoolOffPeriod 0-72 h and LockDuration 1-36,500
    days, both required; a ClientToken. DescribeLockedSnapshots pages by MaxResults (1-100) and NextToken. A snapshot in
    progress can be locked, its lock's duration counting once it is accomplished (LockSnapshotResponseBody
    .LockedSnapshotInfo.LockDurationStartTime)."""

    lock_modes = (COMPLIANCE,)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    # The cool-off is "included in the total lock duration" (the guide "Lock a snapshot"): at most duration_days * 24 h.
    cool_off_within_duration = True
    lock_call_is_idempotent = True
    ids_per_lock_describe = ID_CHUNK

    def __init__(self, adapter: EcsCalls) -> None:
        self.adapter = adapter
        # LockSnapshot's tokens are this run's own (lock_snapshot says why).
        self._lock_token_seed = uuid.uuid4().hex

    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        params = {'RegionId': region}
        params.update(numbered('SnapshotIds', snapshot_ids))
        items = token_pages(
            lambda page: self.adapter.client.call('DescribeLockedSnapshots', page, region),
            params,
            lambda answer: answer_items(answer, 'LockedSnapshotsInfo'),
            SNAPSHOT_PAGE_SIZE,
            action='DescribeLockedSnapshots',
            region=region,
        )
        return {item['SnapshotId']: ecs_lock(item) for item in items}

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        # A lock must expire on or before the copy's retention ends ("Lock a snapshot"): a copy that is released sooner
        # is refused here, with when and why, rather than by the cloud with a code of its own. On a copy in flight the
        # lock starts once it is accomplished, later than now: what is checked here is the earliest it could start.
        if snapshot_id not in self.adapter.retention:
            self.adapter.describe_ids(region, [snapshot_id])
        created, retention_days = self.adapter.retention.get(snapshot_id, (None, None))
        refusal = retention_refusal(lock, snapshot_id, region, created, retention_days, self.adapter.clock())
        if refusal is not None:
            raise refusal
        # The token is drawn from the lock, the copy and this run: a resend after a lost answer, within the run, gets
        # ECS's first answer and sets no second lock; a later run (which reads the locks before it locks) sends a new
        # one. Were it the same in every run, a lock set again once the last expired would be answered as the first,
        # changing nothing ("no effect on server state", How to ensure idempotence; ECS documents no time after which a
        # token is new).
        identity = json.dumps(
            [region, snapshot_id, lock.mode, lock.duration_days, lock.cool_off_hours, self._lock_token_seed]
        )
        answer = self.adapter.client.call(
            'LockSnapshot',
            {
                'RegionId': region,
                'SnapshotId': snapshot_id,
                'LockMode': lock.mode,
                'LockDuration': lock.duration_days,
                'CoolOffPeriod': lock.cool_off_hours,
                'ClientToken': CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48],
            },
            region,
        )
        # What it answered; the run reports what the cloud holds, read back (dr.run._lock).
        return ecs_lock(dict(answer.get('LockedSnapshotInfo') or {}, SnapshotId=snapshot_id))


def ecs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as DescribeLockedSnapshots and LockSnapshot answer it (LockStatus compliance-cooloff, compliance or
    expired)."""
    return SnapshotLock(
        item.get('LockMode') or COMPLIANCE,
        item.get('LockStatus') != 'expired',
        expires=item.get('LockExpiredTime') or None,
        cool_off_ends=item.get('CoolOffPeriodExpiredTime') or None,
        cloud_status=item.get('LockStatus'),
    )
