# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the DR adapter's lock part (dr/capabilities.py SnapshotLockAdapter): LockSnapshot and
DescribeLockedSnapshots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.answers import answer_items
from ...core.dr_model import COMPLIANCE, GOVERNANCE, LockSettings, SnapshotLock
from ...dr.capabilities import SnapshotLockAdapter
from .ebs import FILTER_CHUNK

if TYPE_CHECKING:
    from .ebs_api import EbsCalls


class EbsLocks(SnapshotLockAdapter):
    """LockSnapshot (EC2 model): governance or compliance, LockDuration 1-36,500 days; CoolOffPeriod 1-72 h, compliance
    only (0 here: not sent). No ClientToken: after a lost answer the run reads the lock back first.
    DescribeLockedSnapshots' MaxResults is 5-1,000. A pending snapshot can be locked, its lock's duration starting once
    it is completed (LockedSnapshotsInfo.LockDurationStartTime; the EBS guide's "Lock a snapshot": "pending or completed
    state")."""

    lock_modes = (GOVERNANCE, COMPLIANCE)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    ids_per_lock_describe = FILTER_CHUNK

    def __init__(self, adapter: EbsCalls) -> None:
        self.adapter = adapter

    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        # By ids, without MaxResults (DescribeSnapshots refuses the two together; the lock call's reference is silent),
        # following a NextToken should EC2 page all the same.
        locks: dict[str, SnapshotLock] = {}
        arguments: dict[str, Any] = {'SnapshotIds': list(snapshot_ids)}
        while True:
            answer = self.adapter.client.call(region, 'DescribeLockedSnapshots', **arguments)
            locks.update((item['SnapshotId'], ebs_lock(item)) for item in answer_items(answer, 'Snapshots'))
            if not answer.get('NextToken') or answer['NextToken'] == arguments.get('NextToken'):
                return locks
            arguments['NextToken'] = answer['NextToken']

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        arguments: dict[str, Any] = {
            'SnapshotId': snapshot_id,
            'LockMode': lock.mode,
            'LockDuration': lock.duration_days,
        }
        if lock.cool_off_hours:
            arguments['CoolOffPeriod'] = lock.cool_off_hours
        return ebs_lock(self.adapter.client.call(region, 'LockSnapshot', **arguments))


def iso_time(value: Any) -> str | None:
    """A time botocore parsed (a datetime) as ISO 8601 text; text and None as they are."""
    return str(value.isoformat()) if hasattr(value, 'isoformat') else None if value is None else str(value)


def ebs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as LockSnapshot and DescribeLockedSnapshots answer it (LockState governance, compliance,
    compliance-cooloff or expired); the mode of a compliance lock in its cool-off is compliance, and an expired lock's
    is not told."""
    state = item.get('LockState')
    mode = GOVERNANCE if state == GOVERNANCE else COMPLIANCE if state in (COMPLIANCE, 'compliance-cooloff') else None
    return SnapshotLock(
        mode,
        state != 'expired',
        expires=iso_time(item.get('LockExpiresOn')),
        cool_off_ends=iso_time(item.get('CoolOffPeriodExpiresOn')),
        cloud_status=state,
    )
