# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every phase of a DR run is given (PhaseContext), what a phase is about (DiskPlan), what every phase answers
(PhaseResult), and how a phase counts the calls it costs (CallCount, CountedRetry)."""

from __future__ import annotations

import dataclasses
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ...core.retry import CallRetry, PhaseRetry
from ...engine.leases import Leases
from ..capabilities import (
    BlockReadAdapter,
    DrAccountAdapter,
    RestoreDrillAdapter,
    SnapshotLockAdapter,
    SnapshotSetAdapter,
    block_part,
    drill_part,
    lock_part,
    set_part,
    vault_part,
)

if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Mapping, Sequence

    from ...core.dr_model import Disk
    from ...core.model import Snapshot
    from ...core.progress import Progress
    from ...core.retry import Classify
    from ...engine.outcomes import DestinationOutcome, RequestOutcome
    from ..capabilities import DrAdapter
    from ..groups import Group
    from ..settings import DrSettings

T = TypeVar('T')

# Copy calls in the air at once. One after another, 1,000 copies at 20 ms a round trip cost 20 s
# before the first can finish; a few threads bring that near what the clouds' limits allow.
COPY_WORKERS = 16


@dataclass(frozen=True)
class DiskPlan:
    """One disk of the run as read: its newest completed snapshot (``source``), and what the fresh-snapshot phase is to
    do: ``fresh_action`` None, 'existing' (``fresh`` is one being made, used) or 'create'. A disk of a consistency group
    (``group``, dr.groups) has its group's recovery point for source: its member of the set ``set_id``, and a fresh
    snapshot only as a member of a fresh set (``fresh_set_id``: the set being made that ``fresh`` is of)."""

    disk: Disk
    source: Snapshot | None = None
    fresh: Snapshot | None = None
    fresh_action: str | None = None
    group: Group | None = None
    set_id: str | None = None
    fresh_set_id: str | None = None

    @property
    def key(self) -> str:
        """'<region>/<disk id>', as DISK_TAG names the disk of a copy."""
        return '%s/%s' % (self.disk.region, self.disk.id)


# The key of PhaseResult.problems for a problem of the run as a whole (its scope, the DR account, the drill), not of
# one disk.
RUN = ''


@dataclass(frozen=True)
class PhaseResult:
    """What every phase answers, beside what it found: its problems ({disk key: problems}, the run's own under RUN), its
    warnings, each in the order found, and the calls it cost ({adapter method: calls}, CallCount). A phase's result is
    frozen, and no other phase writes into it."""

    problems: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)


class CallCount:
    """The calls one phase sent, by the adapter method called (or the engine's step that calls it: ``copy`` sends
    start_copy), each try counted: a retry costs a call too. A count is of adapter calls, each one request on most
    clouds and more where the adapter pages or batches. Phases call from worker threads: counted under a lock."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


def call_name(operation: Callable[..., Any]) -> str:
    """The adapter method an operation calls: its own name, or a partial's function's."""
    function = operation.func if isinstance(operation, functools.partial) else operation
    return str(getattr(function, '__name__', 'call'))


class CountedRetry(PhaseRetry):
    """A phase's PhaseRetry that counts each call it sends in ``cost``; the phases it hands on (until) count there
    too."""

    def __init__(self, shared: CallRetry, deadline: float, cost: CallCount) -> None:
        super().__init__(shared, deadline)
        self.cost = cost

    def until(self, deadline: float) -> CountedRetry:
        return CountedRetry(self.shared, deadline, self.cost)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        return self.resend(functools.partial(function, *args), self.backoff.resend_if_retryable)

    def resend(
        self, operation: Callable[[], T], classify: Classify, deadline: float | None = None, **options: Any
    ) -> T:
        name = call_name(operation)
        # A take of the run's leases sends no call of its own: its tag calls are counted where they are sent
        # (phases.copy).
        guarded = isinstance(getattr(getattr(operation, 'func', None), '__self__', None), Leases)

        def counted() -> T:
            if not guarded:
                self.cost.add(name)
            return operation()

        return super().resend(counted, classify, deadline, **options)


@dataclass(frozen=True)
class PhaseContext:  # pylint: disable=too-many-instance-attributes  # what the run is, one field a fact
    """The run as every phase sees it: the adapter and its optional capabilities (None where the cloud has none), the
    settings, check mode, the run's start (``controller_start`` by the controller's clock; ``now`` by the cloud's),
    clock and deadline, its retry, workers and live progress. ``cloud_start`` gives the run's start by the cloud's clock
    (core.cloud_clock.CloudClock.pinned; None: the controller's is taken as the cloud's). ``label`` is what the progress
    line shows while the phase works (dr.run.PHASES gives each phase its own)."""

    adapter: DrAdapter
    settings: DrSettings
    check_mode: bool
    controller_start: datetime.datetime
    retry: PhaseRetry
    deadline: float
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    progress: Progress
    workers: int = 1
    cloud_start: Callable[[], datetime.datetime] | None = None
    label: str = ''

    def enter(self) -> None:
        """Show this phase on the progress line (a phase that finds nothing to do shows nothing)."""
        self.progress.enter(self.label)

    @property
    def now(self) -> datetime.datetime:
        """The run's start by the cloud's clock, once the cloud has answered (the controller's before): what every age
        and deadline of the run is judged by (fresh snapshots, the RPO, max_copy_age_days, the drill's restore-until),
        and what the run names from its start. The cloud wrote the times those ages count from; a controller's clock
        may be days off."""
        return self.cloud_start() if self.cloud_start is not None else self.controller_start

    @property
    def locks(self) -> SnapshotLockAdapter | None:
        """The adapter's part that locks snapshots, where the cloud has one."""
        return lock_part(self.adapter)

    @property
    def vault(self) -> DrAccountAdapter | None:
        """The adapter's part for a separate DR account, where the cloud has one."""
        return vault_part(self.adapter)

    @property
    def sets(self) -> SnapshotSetAdapter | None:
        """The adapter's part for snapshot sets (consistency groups), where the cloud has one."""
        return set_part(self.adapter)

    @property
    def blocks(self) -> BlockReadAdapter | None:
        """The adapter's part that reads snapshots' blocks (verify), where the cloud has one."""
        return block_part(self.adapter)

    @property
    def drill(self) -> RestoreDrillAdapter | None:
        """The adapter's part for the restore drill, where the cloud has one."""
        return drill_part(self.adapter)

    def counted(self) -> CountedRetry:
        """A retry for one phase: the run's, until the run's deadline, with a count of its own."""
        return CountedRetry(self.retry.shared, self.retry.deadline, CallCount())

    def each(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """The answers of ``calls``, made side by side on the run's workers (one call after another with a single
        worker): a lock or a share's release is a call per copy, which at a few tens of milliseconds each adds up over
        hundreds."""
        if self.workers <= 1 or len(calls) <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix='snapcopy-dr') as pool:
            return list(pool.map(lambda call: call(), calls))


def frozen_by_disk(values: Mapping[str, Sequence[T]]) -> dict[str, tuple[T, ...]]:
    """{disk key: tuple}: a phase's working lists, frozen for its result."""
    return {key: tuple(items) for key, items in values.items()}


def destination_outcomes(
    plans: Sequence[DiskPlan], outcomes: Mapping[str, Sequence[RequestOutcome]]
) -> list[tuple[DiskPlan, DestinationOutcome]]:
    """(plan, destination outcome) for each DR region of each copy request of each disk, in the disks' order."""
    return [
        (plan, destination_outcome)
        for plan in plans
        for outcome in outcomes.get(plan.key, ())
        for destination_outcome in outcome.destinations.values()
    ]
