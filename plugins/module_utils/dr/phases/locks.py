# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Locks (dr_sync's ``lock``, dr.locks' rules): each copy this run uses that carries no lock in force is locked, and
each other DR copy of its disks that was never locked (a killed run's, which no run used since). Completed copies, and
those in flight where the cloud locks a snapshot being made (locks_pending); elsewhere a copy in flight is locked by the
run that finds it complete. One look-up of the locks per DR region first; what the cloud holds is read back after."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import CloudError
from ...core.model import COMPLETED, FAILED, PENDING
from ...core.retry import create_once
from ...engine.copy_calls import MAX_ATTEMPTS
from ...engine.outcomes import WOULD_COPY
from ..locks import IN_FORCE, LOCK_FAILED, LOCKED, WHEN_COMPLETED, WOULD_LOCK, held_lock, lock_record, read_locks
from ..prune import dr_copies_by_disk
from .context import PhaseResult, frozen_by_disk

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ...core.dr_model import LockSettings, SnapshotLock
    from ...core.model import Snapshot
    from ...engine.outcomes import RequestOutcome
    from ..capabilities import SnapshotLockAdapter
    from ..locks import LockRecord
    from .context import CountedRetry, DiskPlan, PhaseContext

    # (disk key, copy) and (disk key, copy, whether the run uses it): the copies a region's pass works on.
    Owned = tuple[str, Snapshot]
    ToLock = tuple[str, Snapshot, bool]


@dataclass(frozen=True)
class Locks(PhaseResult):
    """What the phase did, per disk key: the lock of each copy the run uses ({(region, copy id): dr.locks.lock_record}),
    and the locks of its older copies (records with ``region`` and ``snapshot_id``); with the pass before the wait, its
    problems and calls too."""

    locks: Mapping[str, Mapping[tuple[str, str], LockRecord]] = dataclasses.field(default_factory=dict)
    other_locks: Mapping[str, tuple[LockRecord, ...]] = dataclasses.field(default_factory=dict)


class _Pass:
    """One lock pass's working records, from the pass before it (the one before the wait) when there was one."""

    def __init__(
        self,
        ctx: PhaseContext,
        *,
        adapter: SnapshotLockAdapter,
        lock: LockSettings,
        calls: CountedRetry,
        before: Locks | None,
    ) -> None:
        self.ctx = ctx
        self.adapter = adapter
        self.lock = lock
        self.calls = calls
        before = before or Locks()
        self.locks: dict[str, dict[tuple[str, str], LockRecord]] = {
            key: dict(records) for key, records in before.locks.items()
        }
        self.other_locks: dict[str, list[LockRecord]] = {
            key: list(records) for key, records in before.other_locks.items()
        }
        self.problems: dict[str, list[str]] = {key: list(problems) for key, problems in before.problems.items()}
        self.calls_before = before.calls

    def records(self, key: str) -> dict[tuple[str, str], LockRecord]:
        return self.locks.setdefault(key, {})

    def fail(self, key: str, problem: str) -> None:
        self.problems.setdefault(key, []).append(problem)

    def result(self) -> Locks:
        calls = dict(self.calls_before)
        for name, count in self.calls.cost.counts().items():
            calls[name] = calls.get(name, 0) + count
        return Locks(
            locks={key: dict(records) for key, records in self.locks.items()},
            other_locks=frozen_by_disk(self.other_locks),
            problems=frozen_by_disk(self.problems),
            calls=dict(sorted(calls.items())),
        )


# pylint: disable-next=too-many-arguments,too-many-locals
def lock_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    before: Locks | None = None,
) -> Locks:
    """Lock the copies of ``outcomes`` and the older DR copies of ``plans``' disks in ``listed`` (as listed, found copies
    marked: dr.phases.read.list_dr_copies); ``before`` is this run's pass before the wait (copies locked as soon as the
    cloud named them), whose records, problems and calls this pass goes on from."""
    lock, adapter = ctx.settings.lock, ctx.locks
    if lock is None or adapter is None:  # check_lock let the run start with a lock only on such a cloud
        return Locks()
    calls = ctx.counted()
    work = _Pass(ctx, adapter=adapter, lock=lock, calls=calls, before=before)
    used = _copies_to_lock(work, plans, outcomes)
    by_disk = {plan.key for plan in plans}
    lockable = _lockable_states(adapter)
    others: dict[str, list[Owned]] = {}
    for region, copies in listed.items():
        seen = {copy.id for dummy, copy in used.get(region, [])} | {
            copy_id for records in work.locks.values() for (where, copy_id) in records if where == region
        }
        for disk_key, group in dr_copies_by_disk(copies, by_disk).items():
            others.setdefault(region, []).extend(
                (disk_key, copy) for copy in group if copy.state in lockable and copy.id not in seen
            )
    if used or any(others.values()):
        ctx.enter()
    for region in sorted(set(used) | set(others)):
        found = _region_locks(work, region, used.get(region, []), [copy.id for dummy, copy in others.get(region, [])])
        if found is None:
            continue
        to_lock = _used_to_lock(work, region, used.get(region, []), found)
        # An older copy whose lock has expired is left to pruning; one never locked is locked now.
        to_lock += [(disk_key, copy, False) for disk_key, copy in others.get(region, []) if copy.id not in found]
        answers = ctx.each(
            [
                functools.partial(_lock, work, region, copy) if not ctx.check_mode else _would_lock
                for dummy, copy, dummy_uses in to_lock
            ]
        )
        for (disk_key, dummy_copy, dummy_uses), (dummy_record, problem) in zip(to_lock, answers):
            if problem is not None:
                work.fail(disk_key, problem)
        for (disk_key, copy, uses), record in zip(
            to_lock, _read_back_locks(work, region, to_lock, [record for record, dummy in answers])
        ):
            if uses:
                work.records(disk_key)[(region, copy.id)] = record
            else:
                work.other_locks.setdefault(disk_key, []).append({**record, 'region': region, 'snapshot_id': copy.id})
    return work.result()


def _would_lock() -> tuple[LockRecord | None, str | None]:
    return lock_record(WOULD_LOCK), None


def _lock(work: _Pass, region: str, copy: Snapshot) -> tuple[LockRecord | None, str | None]:
    """Lock one copy, once: after an answer lost in transit the lock is read back before the call is sent again. (None,
    None) once the call is answered: the lock is read back with the region's others (_read_back_locks); else the
    lock_failed record and the problem of its disk."""
    adapter = work.adapter

    def made() -> SnapshotLock | None:
        current = work.calls.call(adapter.describe_locks, region, [copy.id]).get(copy.id)
        return current if current is not None and current.in_force else None

    try:
        create_once(
            functools.partial(adapter.lock_snapshot, region, copy.id, work.lock),
            made,
            adapter.lock_call_is_idempotent,
            work.calls,
            work.ctx.deadline,
            MAX_ATTEMPTS,
        )
        return None, None
    except CloudError as error:
        return lock_record(LOCK_FAILED, error=error.as_result()), 'locking copy %s in %s: %s' % (copy.id, region, error)


def _read_back_locks(
    work: _Pass, region: str, to_lock: list[ToLock], records: list[LockRecord | None]
) -> list[LockRecord]:
    """The records of ``to_lock``: for each copy whose lock call was answered (its record None), the lock the cloud
    holds, read back for them all in as few calls as it allows: the report calls locked what the cloud holds in force,
    not what a lock call answered (dr.locks.held_lock), on every cloud."""
    answered = [copy.id for (dummy, copy, dummy_uses), record in zip(to_lock, records) if record is None]
    held: dict[str, SnapshotLock] = {}
    unread: CloudError | None = None
    try:
        held = read_locks(work.ctx.adapter, work.calls.call, region, answered) if answered else {}
    except CloudError as error:
        unread = error
    done: list[LockRecord] = []
    for (disk_key, copy, dummy), answer in zip(to_lock, records):
        if answer is not None:
            done.append(answer)
            continue
        try:
            if unread is not None:
                raise unread
            done.append(lock_record(LOCKED, held_lock(copy.id, region, held.get(copy.id))))
        except CloudError as error:
            work.fail(disk_key, 'locking copy %s in %s: %s' % (copy.id, region, error))
            done.append(lock_record(LOCK_FAILED, error=error.as_result()))
    return done


def _used_to_lock(work: _Pass, region: str, used: list[Owned], found: Mapping[str, SnapshotLock]) -> list[ToLock]:
    """Of the run's copies ``used`` in ``region``, those to lock now, as (disk key, copy, True); a copy whose lock is in
    force is recorded as it is now, locked by this run before it waited (LOCKED) or before this run (IN_FORCE)."""
    to_lock: list[ToLock] = []
    for disk_key, copy in used:
        before = (work.records(disk_key).get((region, copy.id)) or {}).get('action')
        if before == LOCK_FAILED:
            continue  # this run's lock of it before the wait failed, named: not sent again
        current = found.get(copy.id)
        if current is not None and current.in_force:
            work.records(disk_key)[(region, copy.id)] = lock_record(LOCKED if before == LOCKED else IN_FORCE, current)
        else:
            to_lock.append((disk_key, copy, True))
    return to_lock


def _region_locks(work: _Pass, region: str, used: list[Owned], other_ids: list[str]) -> dict[str, SnapshotLock] | None:
    """The locks of ``used`` (the run's copies in ``region``) and of ``other_ids``; None when the cloud refused the
    read. Unread, no copy is known locked, and none is locked blind (it might be a person's lock, changed): each copy of
    the run in the region fails its disk, named; the run goes on to release its shares and report."""
    try:
        return read_locks(work.ctx.adapter, work.calls.call, region, [copy.id for dummy, copy in used] + other_ids)
    except CloudError as error:
        for disk_key, copy in used:
            if (work.records(disk_key).get((region, copy.id)) or {}).get('action') == LOCK_FAILED:
                continue  # named already, before the wait
            work.records(disk_key)[(region, copy.id)] = lock_record(LOCK_FAILED, error=error.as_result())
            work.fail(disk_key, 'locking copy %s in %s: its lock could not be read: %s' % (copy.id, region, error))
        return None


def _lockable_states(adapter: SnapshotLockAdapter) -> tuple[str, ...]:
    """The states of a copy that the cloud locks: completed, and in flight where it takes a lock on a snapshot being
    made (its duration then counts from completion: the EC2 reference's LockedSnapshotsInfo.LockDurationStartTime, ECS's
    LockSnapshot answer's). Anyone who holds the account can delete an unlocked copy in flight."""
    return (COMPLETED, PENDING) if adapter.locks_pending else (COMPLETED,)


def _copies_to_lock(
    work: _Pass, plans: Sequence[DiskPlan], outcomes: Mapping[str, Sequence[RequestOutcome]]
) -> dict[str, list[Owned]]:
    """{DR region: [(disk key, copy)]}: the copies this run made or adopted that the cloud has named and can lock now
    (_lockable_states). A copy in flight on a cloud that locks only completed snapshots is recorded as the run that
    finds it complete will lock it; a copy only planned (check mode), as the real run would."""
    lockable = _lockable_states(work.adapter)
    to_lock: dict[str, list[Owned]] = {}
    for plan in plans:
        records = work.records(plan.key)
        for outcome in outcomes.get(plan.key, ()):
            for destination, destination_outcome in outcome.destinations.items():
                copy = destination_outcome.snapshot
                if destination_outcome.action == WOULD_COPY:
                    # The real run locks the copy it would make as soon as it is named, or once it has waited for it.
                    records[(destination, '')] = lock_record(
                        WOULD_LOCK if work.ctx.settings.wait.wait or PENDING in lockable else WHEN_COMPLETED
                    )
                elif (
                    copy is not None and copy.id and copy.state in lockable
                ):  # a copy that timed out too: a rerun adopts it
                    to_lock.setdefault(destination, []).append((plan.key, copy))
                elif copy is not None and copy.id and copy.state == FAILED:
                    # Locked in flight, then failed: the clouds cancel a failed snapshot's lock; no lock to report.
                    records.pop((destination, copy.id), None)
                elif copy is not None and copy.id and not destination_outcome.failed and copy.state == PENDING:
                    records[(destination, copy.id)] = lock_record(WHEN_COMPLETED)
    return to_lock


def locks_before_waiting(
    ctx: PhaseContext, plans: Sequence[DiskPlan]
) -> Callable[[Mapping[str, Sequence[RequestOutcome]]], Locks] | None:
    """The lock pass before the wait, where the cloud locks a copy in flight (locks_pending) and the run waits: the
    copies are locked once named, not after the wait, for anyone who holds the account could delete one in the meantime.
    The copy phase gives it to its engine (dr.phases.copy.BeforeWaiting); the pass after the wait then finds them locked
    and keeps the record. None where there is no such pass."""
    if ctx.settings.lock is None or ctx.check_mode or ctx.locks is None or not ctx.locks.locks_pending:
        return None

    def lock_named(outcomes: Mapping[str, Sequence[RequestOutcome]]) -> Locks:
        return lock_copies(ctx, plans, outcomes=outcomes, listed={})

    return lock_named
