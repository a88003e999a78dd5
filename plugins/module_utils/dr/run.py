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
import time
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..core.cloud_clock import CloudClock
from ..core.model import PENDING, CopyRequest, Disk, Snapshot
from ..core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ..core.progress import PRUNING, READING, RESTORE_TEST, Progress
from ..engine.copy_engine import run_retry
from .claims import RunLease, lease_seconds
from .entry import DiskEntry
from .lock import check_lock
from .phases.context import COPY_WORKERS, DiskPlan, PhaseContext
from .phases.copy import Copies, copy_sources
from .phases.copy_requests import check_templates, copy_requests, validate_sample
from .phases.drill import Drill, restore_drill
from .phases.fresh import take_fresh_snapshots
from .phases.locks import LocksBeforeWaiting, lock_copies
from .phases.marks import mark_made_copies
from .phases.prune import Pruning, prune_copies
from .phases.release import release_shares
from .phases.report import run_report
from .report import DiskFacts
from .restore import check_restore_settings, run_id

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..core.retry import CallRetry
    from .capabilities import DrAccountAdapter, DrAdapter, RestoreDrillAdapter
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
        # The copy phase's result, once the run has copied, and the lock pass before its wait.
        self.copies: Copies | None = None
        self.early: LocksBeforeWaiting | None = None
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

        self.early = LocksBeforeWaiting(self.context, plans)
        self.copies = copy_sources(self.context, plans, fresh.sources(), lease=self._run_lease(),
                                   before_waiting=self.early.lock if self.early.wanted else None)
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
        plans = [DiskPlan(entry.disk, entry.source, entry.fresh, entry.fresh_action) for entry in entries]
        outcomes = {entry.key: tuple(entry.outcomes) for entry in entries}
        self.warnings.extend(mark_made_copies(self.context, plans, outcomes).warnings)
        source_disks = {'%s/%s' % (region, snapshot.id): '%s/%s' % (region, disk_id)
                        for disk_id, disk_snapshots in snapshots.items() for snapshot in disk_snapshots}
        # The copies of each DR region as they are now, for the locks, the restore drill and pruning (a drill never deletes a copy).
        listed: Mapping[str, Sequence[Snapshot]] = {}
        if settings.restore.enabled or settings.lock is not None or settings.prune.deletes:
            listed = {region_name: self._call(self.adapter.list_copies, region_name) for region_name in settings.region_names}
        locks = lock_copies(self.context, plans, outcomes, listed, source_disks, before=self.early.result if self.early else None)
        self.warnings.extend(locks.warnings)
        listed = locks.listed
        for entry in entries:
            entry.locks = dict(locks.locks.get(entry.key, {}))
            entry.other_locks = list(locks.other_locks.get(entry.key, ()))
            entry.problems.extend(locks.problems.get(entry.key, ()))
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
                        self._lease_seconds(), self.cloud_clock.now, self.warnings.append, self.context.each)

    def _lease_seconds(self) -> float:
        """How long a claim of this run holds (dr.claims.lease_seconds), from its client's timeouts."""
        client = getattr(self.adapter, 'client', None)
        return lease_seconds(getattr(client, 'connect_timeout', CONNECT_TIMEOUT), getattr(client, 'read_timeout', READ_TIMEOUT))

    def wall_clock(self) -> datetime.datetime:
        """The time now, as the run's start and its clock say (a test's fake clock moves it too)."""
        return self.now + datetime.timedelta(seconds=self.clock() - self.started_at)
