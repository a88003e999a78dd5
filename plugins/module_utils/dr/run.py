# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run: for every tagged disk, a copy of its newest snapshot in each DR region.

One run serves one provider, one source region and its DR regions, for any number of disks,
with the same engine and adapters as the single-copy modules. Every read is batched and
paged by the adapter; copies go through CopyEngine (safe retries, bounded copies in flight,
batched waiting); pruning deletes only copies this collection made, never a disk's newest.
DrRun runs the phases of dr/phases/ in their order (dr.phases.sequence.PHASES), each a unit of its own with a frozen
result (dr.phases.context.PhaseResult).
"""

from __future__ import annotations

import datetime
import time
from typing import TYPE_CHECKING, Any

from ..core.cloud_clock import CloudClock
from ..core.errors import InputError
from ..core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ..core.progress import Progress
from ..engine.copy_engine import run_retry
from .copy_tags import check_copy_tags, check_tag_room
from .drill import check_restore_settings, run_id
from .groups import sets_of
from .leases.lease import LeaseTerms, lease_seconds
from .locks import check_lock
from .phases.context import COPY_WORKERS, PhaseContext
from .phases.copy_requests import check_templates, validate_sample
from .phases.report import run_report
from .phases.sequence import PHASES, RunState, phase_contexts

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.retry import CallRetry
    from .capabilities import DrAdapter
    from .settings import DrSettings


class DrRun:
    """Plans and carries out one DR run. ``settings`` are dr_sync's options, validated by the module."""

    # pylint: disable-next=too-many-arguments
    def __init__(
        self,
        adapter: DrAdapter,
        settings: DrSettings,
        *,
        check_mode: bool = False,
        now: datetime.datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        workers: int = COPY_WORKERS,
        retry: CallRetry | None = None,
        progress: Progress | None = None,
    ) -> None:
        """``retry`` is the run's CallRetry (see run_retry), which the copy engine and the drill share, each phase with
        its own deadline (CallRetry.until). ``clock`` and ``sleep`` make its backoff when it has none; the run's time,
        deadlines and waits are then its backoff's. ``progress`` is told of each phase and of the copies (live
        progress)."""
        self.adapter = adapter
        self.settings = settings
        self.check_mode = check_mode
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        # This run's id: on its leases of shares (dr.leases.shares) and its test disks (dr.drill).
        self.run_id = run_id(self.now)
        # The run's calls are retried until its deadline; the copies and the drill have deadlines of their own. The
        # run's one clock is its backoff's: a deadline or a wait on another would end the run's retries early, or never.
        self.retry = run_retry(adapter, retry, sleep=sleep, clock=clock).until(float('inf'))
        backoff = self.retry.backoff
        if (clock, sleep) != (time.monotonic, time.sleep) and (backoff.clock, backoff.sleep) != (clock, sleep):
            # A bug of the caller's (a test's): a fake clock for the run and a backoff on another.
            raise ValueError('a run given a retry with a backoff times itself by it: give the clock to the backoff')
        self.clock = clock = backoff.clock
        self.started_at = clock()
        self.deadline: float = self.started_at + settings.wait.timeout
        self.retry.deadline = self.deadline
        # What the run wants the user to know that fails nothing, as it comes: the phases' warnings and its leases'.
        self.warnings: list[str] = []
        # The cloud's time, as its answers' Date headers give it: what the run's leases, and every age and deadline it
        # judges, are timed by, so that two controllers whose clocks differ agree on them, and a controller days off
        # neither prunes young copies nor takes an old snapshot for fresh. The client tells it each answer's Date during
        # run(); a controller minutes off is told once (the run's warnings).
        self.cloud_clock = CloudClock(self.wall_clock, self.warnings.append)
        self.context = PhaseContext(
            adapter=adapter,
            settings=settings,
            check_mode=check_mode,
            controller_start=self.now,
            retry=self.retry,
            deadline=self.deadline,
            clock=clock,
            sleep=backoff.sleep,
            progress=progress or Progress(None),
            workers=workers,
            cloud_start=self.cloud_clock.pinned(self.now),
        )
        # The results of the phases of the last run (what each cost: RunState.calls).
        self.phases: RunState | None = None

    def validate(self) -> None:
        """Check templates, regions and copy options with the adapter's rules, before any call."""
        check_templates(self.settings)
        check_copy_tags(self.settings, self.adapter)
        check_tag_room(self.settings, self.adapter)
        if self.settings.churn.enabled and self.context.blocks is None:
            raise InputError(
                'churn_alarm',
                '%s has no API that compares two snapshots\' blocks, so no rewrite can be measured: leave this option '
                'unset' % self.adapter.cloud,
            )
        if self.settings.verify.enabled and not self.settings.wait.wait and not self.check_mode:
            raise InputError(
                'verify', 'needs wait, so that it reads the copies this run makes once they have completed'
            )
        sets_of(self.adapter, self.settings.groups)
        if self.settings.lock is not None:
            check_lock(self.settings.lock, self.adapter, self.settings.copy.options)
        if self.settings.restore.enabled:
            if self.context.drill is None:
                raise InputError(
                    'restore_test', '%s cannot make a disk from a DR copy: leave this option unset' % self.adapter.cloud
                )
            check_restore_settings(self.settings, self.context.drill)
        validate_sample(self.adapter, self.settings, self.now)

    def run(self) -> dict[str, Any]:
        with self.cloud_clock.told_by(self.adapter.client):
            return self._run()

    def _run(self) -> dict[str, Any]:
        """The phases, in PHASES' order: each takes what the ones before it found, and the report puts them together."""
        self.validate()
        ctx = self.context
        terms = self._lease_terms()
        if self.settings.dr_account is not None and ctx.vault is not None:  # connect_dr_account let it start only so
            ctx.vault.start_dr_run(terms)
        run = self.phases = RunState(run_id=self.run_id, terms=terms, contexts=phase_contexts(ctx, PHASES))
        for phase in PHASES:
            result = run.results[phase.name] = phase.runs(run.contexts[phase.name], run)
            if phase.noted:
                # The run's warnings, in the order they came: the phases' as each ends, its leases' as they come.
                self.warnings.extend(result.warnings)
        return run_report(ctx, run, warnings=self.warnings, retries=self.retry.retries, wall_now=self.cloud_clock.now())

    def _lease_terms(self) -> LeaseTerms:
        """The terms of this run's leases (dr.leases), timed by the cloud's clock; many calls go out on the run's
        workers."""
        # The in-memory cloud has no client: the default timeouts.
        client = self.adapter.client
        seconds = lease_seconds(
            getattr(client, 'connect_timeout', CONNECT_TIMEOUT), getattr(client, 'read_timeout', READ_TIMEOUT)
        )
        return LeaseTerms(
            self.run_id,
            tuple(sorted(self.settings.region_names)),
            seconds,
            self.cloud_clock.now,
            self.warnings.append,
            self.context.each,
        )

    def wall_clock(self) -> datetime.datetime:
        """The time now, as the run's start and its clock say (a test's fake clock moves it too)."""
        return self.now + datetime.timedelta(seconds=self.clock() - self.started_at)
