# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run: for every tagged disk, a copy of its newest snapshot in each DR region.

One run serves one provider, one source region and its DR regions, for any number of disks,
with the same engine and adapters as the single-copy modules. Every read is batched and
paged by the adapter; copies go through CopyEngine (safe retries, bounded copies in flight,
batched waiting); pruning deletes only copies this collection made, never a disk's newest.
"""

from __future__ import annotations

import datetime
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..core.cloud_clock import CloudClock
from ..core.errors import CloudError
from ..core.model import COMPLETED, FAILED, PENDING, CopyRequest, Disk, Snapshot, copy_mismatches
from ..core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ..core.progress import LOCKING, PRUNING, READING, RESTORE_TEST, Progress
from ..core.retry import create_once
from ..core.tagging import COPY_TAG, DISK_TAG, SOURCE_TAG
from ..engine.copy_engine import COPIED, GONE, MAX_ATTEMPTS, WOULD_COPY, run_retry
from .claims import RunLease, lease_seconds
from .entry import DiskEntry
from .lock import IN_FORCE, LOCK_FAILED, LOCKED, WHEN_COMPLETED, WOULD_LOCK, check_lock, held_lock, lock_record, read_locks
from .phases.context import COPY_WORKERS, DiskPlan, PhaseContext
from .phases.copy import Copies, copy_sources
from .phases.copy_requests import check_templates, copy_requests, validate_sample
from .phases.drill import Drill, restore_drill
from .phases.fresh import take_fresh_snapshots
from .phases.prune import Pruning, prune_copies
from .phases.release import release_shares
from .phases.report import run_report
from .prune import copies_to_mark, dr_copies_by_disk
from .report import DiskFacts
from .restore import check_restore_settings, run_id

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..core.model import LockSettings, SnapshotLock
    from ..core.retry import CallRetry
    from ..engine.copy_engine import RequestOutcome
    from .capabilities import DrAccountAdapter, DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter
    from .settings import DrSettings

T = TypeVar('T')


def format_selector(selector: Mapping[str, str | None]) -> str:
    """A tag selector as a person reads it: {dr: yes, tier: any value}."""
    return '{%s}' % ', '.join('%s: %s' % (key, 'any value' if value is None else value) for key, value in sorted(selector.items()))


class DrRun:
    """Plans and carries out one DR run. ``settings`` are dr_sync's options, validated by the module."""

    # pylint: disable-next=too-many-arguments
    def __init__(self, adapter: DrAdapter, settings: DrSettings, *, check_mode: bool = False, now: datetime.datetime | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep, workers: int = COPY_WORKERS,
                 retry: CallRetry | None = None, progress: Progress | None = None) -> None:
        """``retry`` is the run's CallRetry (see run_retry), which the copy engine and the drill share, each phase with
        its own deadline (CallRetry.until). ``progress`` is told of each phase and of the copies (live progress)."""
        self.adapter = adapter
        self.progress = progress or Progress(None)
        self.workers = workers
        self.settings = settings
        self.check_mode = check_mode
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        # This run's id: on its claims of shares (dr.shares) and its test disks (dr.restore).
        self.run_id = run_id(self.now)
        self.clock = clock
        self.sleep = sleep
        self.started_at = clock()
        self.deadline: float = self.started_at + settings.wait.timeout
        # The cloud's time, as its answers' Date headers give it: what the run's claims are written and judged by, so that
        # two controllers whose clocks differ agree on them. The client tells it each answer's Date during run().
        self.cloud_clock = CloudClock(self.wall_clock)
        # The run's calls are retried until its deadline; the copies and the drill have deadlines of their own.
        self.retry = run_retry(adapter, retry, sleep=sleep, clock=clock).until(self.deadline)
        # The copy phase's result, once the run has copied.
        self.copies: Copies | None = None
        # What every phase is given.
        self.context = PhaseContext(adapter, settings, check_mode, self.now, self.retry, self.deadline, clock, sleep, self.progress, workers)
        # Failures of the run as a whole, not of one disk.
        self.scope_problems: list[str] = []
        # What the run wants the user to know that fails nothing (a copy it could not mark as its own, say).
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self) -> None:
        """Check templates, regions and copy options with the adapter's rules, before any call."""
        check_templates(self.settings)
        lock = self.settings.lock
        if lock is not None:
            check_lock(lock, self.adapter, self.settings.copy.options)
        if self.settings.restore.enabled:
            # The DR adapter is the drill's too: each cloud's is a DrAdapter and a RestoreDrillAdapter (cast).
            check_restore_settings(self.settings, cast('RestoreDrillAdapter', self.adapter))
        validate_sample(self.adapter, self.settings, self.now)

    def _requests_for(self, source_id: str, disk: Mapping[str, str | None]) -> list[CopyRequest]:
        return copy_requests(self.settings, self.now, source_id, cast('str', disk['id']), disk.get('name'))

    # ------------------------------------------------------------------ the run
    def run(self) -> dict[str, Any]:
        observers = getattr(getattr(self.adapter, 'client', None), 'date_observers', None)
        if not isinstance(observers, list):
            return self._run()
        observers.append(self.cloud_clock.observe)
        try:
            return self._run()
        finally:
            observers.remove(self.cloud_clock.observe)

    def _run(self) -> dict[str, Any]:
        self.validate()
        settings = self.settings
        region = settings.source_region
        if settings.dr_account is not None:
            # connect_dr_account let the run start only on such a cloud
            cast('DrAccountAdapter', self.adapter).start_dr_run(self._run_lease())
        self.progress.enter(READING)
        disks = self._named_disks(sorted(self._call(self.adapter.find_disks, region, settings.tag_selector), key=lambda disk: disk.id))
        snapshots = self._call(self.adapter.disk_snapshots, region, disks) if disks else {}
        entries = [self._plan_source(disk, snapshots.get(disk.id, [])) for disk in disks]
        if not disks and not settings.allow_no_disks:
            # A typo in a tag protects nothing: a green run would hide it.
            named = ' of disk_ids' if settings.disk_ids else ''
            self.scope_problems.append(
                'tag_selector %s matches no disk%s in %s: check its keys and values (tags are case-sensitive); where a scope '
                'without disks is expected, set allow_no_disks' % (format_selector(settings.tag_selector), named, region))
        plans = [DiskPlan(entry.disk, entry.source, entry.fresh, entry.fresh_action) for entry in entries]
        fresh = take_fresh_snapshots(self.context, plans)
        for entry in entries:
            made = fresh.by_disk[entry.key]
            entry.fresh, entry.fresh_action, entry.source = made.snapshot, made.action, made.source
            entry.problems.extend(made.problems)

        def lock_before_waiting(outcomes: Mapping[str, tuple[RequestOutcome, ...]]) -> None:
            for entry in entries:
                entry.outcomes = list(outcomes.get(entry.key, ()))
            self._lock_copies(entries, {}, {})
        early_lock = settings.lock is not None and not self.check_mode and cast('SnapshotLockAdapter', self.adapter).locks_pending
        self.copies = copy_sources(self.context, plans, fresh.sources(), lease=self._run_lease(),
                                   before_waiting=lock_before_waiting if early_lock else None)
        for entry in entries:
            entry.outcomes = list(self.copies.outcomes.get(entry.key, ()))
            entry.problems.extend(self.copies.problems.get(entry.key, ()))
        return self._after_copies(entries, snapshots)

    def _named_disks(self, disks: list[Disk]) -> list[Disk]:
        """Of the disks the selector matches, those ``disk_ids`` names (all of them when it names none): everything after
        (copies, locks, the drill, pruning) then sees those disks only. A named disk the selector does not match is not
        looked after (the selector says what the scope is); the run warns of it, and fails as for no disk when none is left."""
        wanted = self.settings.disk_ids
        if wanted is None:
            return disks
        named = [disk for disk in disks if disk.id in wanted]
        missing = sorted(set(wanted) - {disk.id for disk in named})
        if missing:
            self.warnings.append('disk_ids names %s, which tag_selector %s does not match in %s: not looked after'
                                 % (', '.join(missing), format_selector(self.settings.tag_selector), self.settings.source_region))
        return named

    def _after_copies(self, entries: list[DiskEntry], snapshots: Mapping[str, list[Snapshot]]) -> dict[str, Any]:
        """What follows the copies: marks, locks, shares, the drill, pruning; then the report."""
        settings = self.settings
        region = settings.source_region
        self._mark_copies(entries)
        source_disks = {'%s/%s' % (region, snapshot.id): '%s/%s' % (region, disk_id)
                        for disk_id, disk_snapshots in snapshots.items() for snapshot in disk_snapshots}
        # The copies of each DR region as they are now, for the locks, the restore drill and pruning (a drill never deletes a copy).
        listed: dict[str, list[Snapshot]] = {}
        if settings.restore.enabled or settings.lock is not None or settings.prune.deletes:
            listed = {region_name: self._call(self.adapter.list_copies, region_name) for region_name in settings.region_names}
        self._lock_copies(entries, listed, source_disks)
        plans = [DiskPlan(entry.disk, entry.source, entry.fresh, entry.fresh_action) for entry in entries]
        outcomes = {entry.key: tuple(entry.outcomes) for entry in entries}
        shares = release_shares(self.context)
        drill = Drill()
        if settings.restore.enabled:
            self.progress.enter(RESTORE_TEST)
            drill = restore_drill(self.context, plans, outcomes, listed, source_disks, run_id=self.run_id)
        pruning = Pruning()
        if settings.prune.enabled:
            self.progress.enter(PRUNING)
            pruning = prune_copies(self.context, plans, outcomes, listed, source_disks)
        disks = [DiskFacts(entry.disk, entry.source, entry.fresh, entry.fresh_action, tuple(entry.outcomes), entry.locks,
                           tuple(entry.other_locks), pruning.pruned.get(entry.key, ()), pruning.kept.get(entry.key, ()),
                           tuple(entry.problems) + pruning.problems.get(entry.key, ())) for entry in entries]
        self.warnings.extend(pruning.warnings)
        engine_warnings = list(self.copies.warnings) if self.copies is not None else []
        return run_report(self.context, disks, drill=drill, shares=shares, problems=self.scope_problems + list(shares.problems),
                          warnings=engine_warnings + self.warnings, retries=self.retry.retries, wall_now=self.wall_clock())

    def _call(self, method: Callable[..., T], *args: Any) -> T:
        return self.retry.call(method, *args)

    def _plan_source(self, disk: Disk, snapshots: list[Snapshot]) -> DiskEntry:
        entry = DiskEntry(disk, snapshots)
        max_age = self.settings.fresh.max_age_hours
        if max_age and (entry.source is None or entry.source.age_hours(self.now) > max_age):
            pending = sorted((snapshot for snapshot in snapshots if snapshot.state == PENDING), key=lambda snapshot: snapshot.age_order())
            if pending:
                # A snapshot is already being made (by an earlier run or someone else): use it, make no other.
                entry.fresh, entry.fresh_action = pending[-1], 'existing'
            else:
                entry.fresh_action = 'create'
        return entry

    def _run_lease(self) -> RunLease:
        """This run's claims as leases (dr.claims), timed by the cloud's clock; many calls go out on the run's workers."""
        return RunLease(self.run_id, tuple(sorted(self.settings.region_names)),
                        self._lease_seconds(), self.cloud_clock.now, self.warnings.append, self._each)

    def _lease_seconds(self) -> float:
        """How long a claim of this run holds (dr.claims.lease_seconds), from its client's timeouts."""
        client = getattr(self.adapter, 'client', None)
        return lease_seconds(getattr(client, 'connect_timeout', CONNECT_TIMEOUT), getattr(client, 'read_timeout', READ_TIMEOUT))

    def wall_clock(self) -> datetime.datetime:
        """The time now, as the run's start and its clock say (a test's fake clock moves it too)."""
        return self.now + datetime.timedelta(seconds=self.clock() - self.started_at)

    # ------------------------------------------------------------------ the mark of a DR copy (COPY_TAG)
    def _mark_copies(self, entries: list[DiskEntry]) -> None:
        """Where the cloud records no copy's source, each copy this run made carries its own id (COPY_TAG): the one mark
        of a DR copy that a person's copy of it, made with our tags, cannot carry. The adapters write it as they make
        the copy (EBS: CreateTags from the worker; CBS: in its TagResources); this marks what they left unmarked (a
        copy adopted after a lost answer, a failed tagging call). Unmarked, no run prunes a copy until a pruning run
        finds it as what a DR run made (_mark_found_copies)."""
        if self.check_mode or self.adapter.records_copy_source:
            return
        for entry in entries:
            for outcome in entry.outcomes:
                for destination_outcome in outcome.destinations.values():
                    copy = destination_outcome.snapshot
                    # A copy no read showed is not there to mark.
                    if (destination_outcome.action == COPIED and copy is not None and copy.id and copy.cloud_state not in GONE
                            and copy.tags.get(COPY_TAG) != copy.id):
                        self._mark(copy, entry.disk.id)

    def _mark_found_copies(self, entries: list[DiskEntry], listed: Mapping[str, list[Snapshot]], source_disks: Mapping[str, str]) -> None:
        """Before pruning, mark the unmarked copies in ``listed`` that a DR run made (dr.prune.copies_to_mark); the
        plan of check mode counts them as marked."""
        if self.adapter.records_copy_source:
            return
        by_disk = {entry.key: entry for entry in entries}

        def as_a_dr_run_writes(copy: Snapshot, disk_key: str) -> bool:
            return disk_key in by_disk and self._as_a_dr_run_writes(copy, by_disk[disk_key])
        for region_copies in listed.values():
            for copy in copies_to_mark(region_copies, source_disks, as_a_dr_run_writes):
                if self.check_mode:
                    copy.tags[COPY_TAG] = copy.id
                else:
                    self._mark(copy, by_disk[copy.tags[DISK_TAG]].disk.id)

    def _as_a_dr_run_writes(self, copy: Snapshot, entry: DiskEntry) -> bool:
        """Whether nothing on ``copy`` differs from what a DR run of ``entry``'s disk writes on a copy of its source."""
        source_id = copy.tags[SOURCE_TAG].partition('/')[2]
        # Each DR region is in exactly one request (the listed copies are all in DR regions).
        (request,) = [request for request in self._requests_for(source_id, {'id': entry.disk.id, 'name': entry.disk.name})
                      if copy.region in request.destinations]
        return not copy_mismatches(request, copy, self.adapter.readable_options)

    def _mark(self, copy: Snapshot, disk_id: str) -> None:
        try:
            self._call(self.adapter.tag_copy, copy, {COPY_TAG: copy.id})
        except CloudError as error:
            # The copy protects the disk all the same; unmarked, no run prunes it.
            self.warnings.append('copy %s of disk %s in %s could not be marked as a DR run\'s (%s): it is not pruned until a '
                                 'later run marks it' % (copy.id, disk_id, copy.region, error))

    # ------------------------------------------------------------------ locks (lock)
    def _lock_copies(self, entries: list[DiskEntry], listed: Mapping[str, list[Snapshot]], source_disks: Mapping[str, str]) -> None:
        """Lock each copy this run uses that carries no lock in force, and each other DR copy of its disks in ``listed``
        that was never locked (a killed run's, which no run used since: dr.lock's rules): completed copies, and those in
        flight where the cloud locks a snapshot being made (locks_pending); elsewhere a copy in flight is locked by the run
        that finds it complete. One look-up of the locks per DR region first; record on each entry what was done."""
        lock = self.settings.lock
        if lock is None:
            return
        # A copy a killed run made before marking it is a DR run's copy all the same (EBS, CBS): marked first, as pruning does.
        self._mark_found_copies(entries, listed, source_disks)
        used = self._copies_to_lock(entries)
        by_disk = {entry.key: entry for entry in entries}
        lockable = self._lockable_states()
        others: dict[str, list[tuple[DiskEntry, Snapshot]]] = {}
        for region, copies in listed.items():
            seen = {copy.id for dummy, copy in used.get(region, [])} | {copy_id for entry in entries for (where, copy_id) in entry.locks if where == region}
            for disk_key, group in dr_copies_by_disk(copies, by_disk).items():
                others.setdefault(region, []).extend((by_disk[disk_key], copy) for copy in group if copy.state in lockable and copy.id not in seen)
        if used or any(others.values()):
            self.progress.enter(LOCKING)
        for region in sorted(set(used) | set(others)):
            found = self._region_locks(region, used.get(region, []), [copy.id for dummy, copy in others.get(region, [])])
            if found is None:
                continue
            to_lock = self._used_to_lock(region, used.get(region, []), found)
            # An older copy whose lock has expired is left to pruning; one never locked is locked now.
            to_lock += [(entry, copy, False) for entry, copy in others.get(region, []) if copy.id not in found]
            answers = self._each([functools.partial(self._lock, region, copy, entry, lock) if not self.check_mode
                                  else functools.partial(lock_record, WOULD_LOCK) for entry, copy, dummy in to_lock])
            for (entry, copy, uses), record in zip(to_lock, self._read_back_locks(region, to_lock, answers)):
                if uses:
                    entry.locks[(region, copy.id)] = record
                else:
                    entry.other_locks.append(dict(record, region=region, snapshot_id=copy.id))

    @staticmethod
    def _used_to_lock(region: str, used: list[tuple[DiskEntry, Snapshot]], found: Mapping[str, SnapshotLock]) -> list[tuple[DiskEntry, Snapshot, bool]]:
        """Of the run's copies ``used`` in ``region``, those to lock now, as (entry, copy, True); a copy whose lock is in
        force is recorded as it is now, locked by this run before it waited (LOCKED) or before this run (IN_FORCE)."""
        to_lock: list[tuple[DiskEntry, Snapshot, bool]] = []
        for entry, copy in used:
            before = (entry.locks.get((region, copy.id)) or {}).get('action')
            if before == LOCK_FAILED:
                continue  # this run's lock of it before the wait failed, named: not sent again
            current = found.get(copy.id)
            if current is not None and current.in_force:
                entry.locks[(region, copy.id)] = lock_record(LOCKED if before == LOCKED else IN_FORCE, current)
            else:
                to_lock.append((entry, copy, True))
        return to_lock

    def _region_locks(self, region: str, used: list[tuple[DiskEntry, Snapshot]], other_ids: list[str]) -> dict[str, SnapshotLock] | None:
        """The locks of ``used`` (the run's copies in ``region``) and of ``other_ids``; None when the cloud refused the read.
        Unread, no copy is known locked, and none is locked blind (it might be a person's lock, changed): each copy of the
        run in the region fails its disk, named; the run goes on to release its shares and report."""
        try:
            return read_locks(self.adapter, self._call, region, [copy.id for dummy, copy in used] + other_ids)
        except CloudError as error:
            for entry, copy in used:
                if (entry.locks.get((region, copy.id)) or {}).get('action') == LOCK_FAILED:
                    continue  # named already, before the wait
                entry.locks[(region, copy.id)] = lock_record(LOCK_FAILED, error=error.as_result())
                entry.problems.append('locking copy %s in %s: its lock could not be read: %s' % (copy.id, region, error))
            return None

    def _each(self, calls: list[Callable[[], T]]) -> list[T]:
        """The answers of ``calls``, made side by side on the run's workers (one call after another with a single worker):
        a lock or a share's release is a call per copy, which at a few tens of milliseconds each adds up over hundreds."""
        if self.workers <= 1 or len(calls) <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix='snapcopy-dr') as pool:
            return list(pool.map(lambda call: call(), calls))

    def _lockable_states(self) -> tuple[str, ...]:
        """The states of a copy that the cloud locks: completed, and in flight where it takes a lock on a snapshot being
        made (its duration then counts from completion: the EC2 reference's LockedSnapshotsInfo.LockDurationStartTime,
        ECS's LockSnapshot answer's). Anyone who holds the account can delete an unlocked copy in flight."""
        return (COMPLETED, PENDING) if cast('SnapshotLockAdapter', self.adapter).locks_pending else (COMPLETED,)

    def _copies_to_lock(self, entries: list[DiskEntry]) -> dict[str, list[tuple[DiskEntry, Snapshot]]]:
        """{DR region: [(entry, copy)]}: the copies this run made or adopted that the cloud has named and can lock now
        (_lockable_states). A copy in flight on a cloud that locks only completed snapshots is recorded as the run that
        finds it complete will lock it; a copy only planned (check mode), as the real run would."""
        lockable = self._lockable_states()
        to_lock: dict[str, list[tuple[DiskEntry, Snapshot]]] = {}
        for entry in entries:
            for outcome in entry.outcomes:
                for destination, destination_outcome in outcome.destinations.items():
                    copy = destination_outcome.snapshot
                    if destination_outcome.action == WOULD_COPY:
                        # The real run locks the copy it would make as soon as it is named, or once it has waited for it.
                        entry.locks[(destination, '')] = lock_record(WOULD_LOCK if self.settings.wait.wait or PENDING in lockable else WHEN_COMPLETED)
                    elif copy is not None and copy.id and copy.state in lockable:  # a copy that timed out too: a rerun adopts it
                        to_lock.setdefault(destination, []).append((entry, copy))
                    elif copy is not None and copy.id and copy.state == FAILED:
                        # Locked in flight, then failed: the clouds cancel a failed snapshot's lock; no lock to report.
                        entry.locks.pop((destination, copy.id), None)
                    elif copy is not None and copy.id and not destination_outcome.failed and copy.state == PENDING:
                        entry.locks[(destination, copy.id)] = lock_record(WHEN_COMPLETED)
        return to_lock

    def _lock(self, region: str, copy: Snapshot, entry: DiskEntry, lock: LockSettings) -> dict[str, Any] | None:
        """Lock one copy, once: after an answer lost in transit the lock is read back before the call is sent again. None
        once the call is answered: the lock is read back with the region's others (_read_back_locks)."""
        adapter = cast('SnapshotLockAdapter', self.adapter)  # check_lock let the run start with a lock only on such a cloud

        def made() -> SnapshotLock | None:
            current = self._call(adapter.describe_locks, region, [copy.id]).get(copy.id)
            return current if current is not None and current.in_force else None
        try:
            create_once(lambda: adapter.lock_snapshot(region, copy.id, lock), made, adapter.lock_call_is_idempotent, self.retry, self.deadline,
                        MAX_ATTEMPTS)
            return None
        except CloudError as error:
            entry.problems.append('locking copy %s in %s: %s' % (copy.id, region, error))
            return lock_record(LOCK_FAILED, error=error.as_result())

    def _read_back_locks(self, region: str, to_lock: list[tuple[DiskEntry, Snapshot, bool]],
                         records: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
        """The records of ``to_lock``: for each copy whose lock call was answered (its record None), the lock the cloud holds,
        read back for them all in as few calls as it allows: the report calls locked what the cloud holds in force, not
        what a lock call answered (dr.lock.held_lock), on every cloud."""
        answered = [copy.id for (dummy, copy, dummy_uses), record in zip(to_lock, records) if record is None]
        held: dict[str, SnapshotLock] = {}
        unread: CloudError | None = None
        try:
            held = read_locks(self.adapter, self._call, region, answered) if answered else {}
        except CloudError as error:
            unread = error
        done: list[dict[str, Any]] = []
        for (entry, copy, dummy), answer in zip(to_lock, records):
            if answer is not None:
                done.append(answer)
                continue
            try:
                if unread is not None:
                    raise unread
                done.append(lock_record(LOCKED, held_lock(copy.id, region, held.get(copy.id))))
            except CloudError as error:
                entry.problems.append('locking copy %s in %s: %s' % (copy.id, region, error))
                done.append(lock_record(LOCK_FAILED, error=error.as_result()))
        return done
