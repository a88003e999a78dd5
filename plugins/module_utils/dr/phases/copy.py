# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The copies: one CopyEngine run for every disk and DR region (safe retries, bounded copies in flight, batched
waiting), under the run's copy leases where two runs at once could both copy."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import CloudError, InputError
from ...core.model import COMPLETED, Snapshot
from ...core.tagging import DISK_TAG, GROUP_TAG, SET_TAG
from ...engine.copy_engine import CopyEngine
from ...engine.outcomes import EXISTING, MISMATCH_FAIL, NEWER_HELD, NOT_COPIED, WOULD_COPY, EngineConfig
from ...engine.rounds import CopyRounds
from ..capabilities import DrAdapter
from ..leases.combined import combined_leases
from ..leases.copies import CopyLeases
from ..leases.shares import SharesHeldByLeases
from ..leases.source_tags import SourceTagCalls
from ..points import MarksHeld, copies_holding, later_point, point_reader, point_stamp
from ..prune import copies_by_disk
from .context import PhaseResult
from .copy_requests import copy_requests, dr_input_error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ...core.model import CopyRequest
    from ...engine.leases import Leases
    from ...engine.outcomes import RequestOutcome
    from ..groups import Group
    from ..leases.lease import LeaseTerms
    from .context import CallCount, CountedRetry, DiskPlan, PhaseContext
    from .locks import Locks

    # The locks' pass before the wait: given each disk's outcomes once every copy is asked for, it locks the copies named.
    LockBeforeWaiting = Callable[[Mapping[str, tuple[RequestOutcome, ...]]], Locks]


@dataclass(frozen=True)
class Copies(PhaseResult):
    """The phase's result: each disk's copy outcomes (the engine's, one per request), the engine's config; its warnings
    are the engine's, its calls the copy leases' too."""

    outcomes: Mapping[str, tuple[RequestOutcome, ...]] = dataclasses.field(default_factory=dict)
    config: EngineConfig | None = None
    #: {(disk key, DR region): the disk's newest copy there before this run's, or None}, of the copies the run made or
    #: would make, as NewerPoints listed the regions (the plan's full copies: dr.plan); a region whose listing the cloud
    #: refused is in ``unlisted``.
    earlier: Mapping[tuple[str, str], Snapshot | None] = dataclasses.field(default_factory=dict)
    unlisted: frozenset[tuple[str, str]] = frozenset()
    #: The locks' pass before the wait (dr.phases.locks.locks_before_waiting), None without: the locks phase goes on
    #: from it, and counts its calls as its own.
    locked_before_waiting: Locks | None = None


class CountedSourceTags(SourceTagCalls):
    """The adapter's tags on source snapshots (what copy leases are written with), each call counted in the copy
    phase."""

    def __init__(self, calls: SourceTagCalls, cost: CallCount) -> None:
        self.calls = calls
        self.cost = cost
        self.sources_per_tag_call = calls.sources_per_tag_call

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        self.cost.add('tag_sources')
        self.calls.tag_sources(source_region, snapshot_ids, tags)

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        self.cost.add('sources_tags')
        return self.calls.sources_tags(source_region, snapshot_ids)

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        self.cost.add('untag_sources')
        self.calls.untag_sources(source_region, snapshot_ids, keys)


# pylint: disable-next=too-many-locals
def copy_sources(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    sources: Mapping[str, Snapshot | None],
    set_ids: Mapping[str, str | None] | None = None,
    terms: LeaseTerms | None = None,
    lock_before_waiting: LockBeforeWaiting | None = None,
    source_times: Mapping[str, str | None] | None = None,
    source_disks: Mapping[str, str] | None = None,
) -> Copies:
    """Copy each disk's snapshot to copy (``sources``, by disk key) into every DR region, under the run's leases on its
    sources (run_leases: copy leases on the run's ``terms``, shares with the DR account); ``lock_before_waiting`` locks
    the copies once they are all asked for, with wait (the engine's before_waiting hook: BeforeWaiting). A region whose standing point of a disk
    is newer than the snapshot to copy gets no copy (NewerPoints: ``source_times`` and ``source_disks`` are the read's,
    with the fresh snapshots)."""
    calls = ctx.counted()
    set_ids = set_ids or {}
    requests: list[CopyRequest] = []
    owners: list[str] = []
    known: dict[tuple[str, str], Snapshot] = {}
    problems: dict[str, tuple[str, ...]] = {}
    by_key = {plan.key: plan for plan in plans}
    for plan in plans:
        source = sources.get(plan.key)
        if source is None:
            continue
        disk = plan.disk
        # The run has just listed the disks' snapshots: the engine need not read the sources again.
        known[(ctx.settings.source_region, source.id)] = source
        try:
            disk_requests = copy_requests(
                ctx.settings,
                ctx.now,
                source.id,
                disk.id,
                disk.name,
                set_tags(plan, set_ids.get(plan.key)),
                disk.tags,
                ctx.adapter,
                point=point_stamp(source.created),
            )
            for request in disk_requests:
                ctx.adapter.validate(request)
        except InputError as error:
            # One disk's data (a name that makes a template too long, say) fails that disk, named, not the scope.
            error = dr_input_error(error)
            problems[plan.key] = (
                'not copied: %s %s, with this disk\'s name %r' % (error.option, error.message, disk.name),
            )
            continue
        requests.extend(disk_requests)
        owners.extend(plan.key for dummy in disk_requests)
    settings = ctx.settings
    config = EngineConfig(
        check_mode=ctx.check_mode,
        wait=settings.wait.wait,
        timeout=max(1, ctx.deadline - ctx.clock()),
        poll_interval=settings.wait.poll_interval,
        max_poll_interval=60,
        max_in_flight=settings.copy.max_in_flight or ctx.adapter.max_copies_in_flight,
        workers=ctx.workers,
        on_mismatch=settings.copy.on_mismatch or MISMATCH_FAIL,
    )
    leases = run_leases(ctx, terms, calls.cost)
    newer = NewerPoints(
        ctx,
        calls,
        plans={id(request): plan for request, plan in zip(requests, (by_key[key] for key in owners))},
        source_times=source_times or {},
        source_disks=source_disks or {},
    )

    def by_disk(outcomes: Sequence[RequestOutcome]) -> dict[str, tuple[RequestOutcome, ...]]:
        grouped: dict[str, list[RequestOutcome]] = {}
        for owner, outcome in zip(owners, outcomes):
            grouped.setdefault(owner, []).append(outcome)
        return {key: tuple(group) for key, group in grouped.items()}

    before_waiting = BeforeWaiting(ctx, lock_before_waiting, by_disk) if lock_before_waiting is not None else None
    engine = CopyEngine(
        ctx.adapter,
        config,
        clock=ctx.clock,
        sleep=ctx.sleep,
        retry=calls,
        progress=ctx.progress,
        leases=leases,
        newer_held=newer,
        before_waiting=before_waiting,
        rounds=CopyRounds,
    )
    ctx.enter()
    try:
        # The engine's calls have its deadline, the run's but for a second at least.
        outcomes = engine.run(requests, known) if requests else []
    except InputError as error:
        raise dr_input_error(error) from None
    newer.stand_members(outcomes)
    dry_run_copies(ctx, calls, outcomes)
    return Copies(
        outcomes=by_disk(outcomes),
        problems=problems,
        config=config,
        locked_before_waiting=before_waiting.locked if before_waiting is not None else None,
        earlier=newer.earlier,
        unlisted=frozenset(newer.unlisted),
        warnings=tuple(engine.warnings + newer.warnings),
        calls=calls.cost.counts(),
    )


def dry_run_copies(ctx: PhaseContext, calls: CountedRetry, outcomes: Sequence[RequestOutcome]) -> None:
    """Check mode's dry run of the copies: each destination of ``outcomes`` that would get a copy is put to the cloud's
    dry run (DrAdapter.dry_run_copies: on EBS a CopySnapshot with DryRun, once a source region, DR region and key),
    through ``calls`` (the phase's count), so that a permission the run lacks is found before a real run finds it. A
    refused one is NOT_COPIED, as it would be, with its PreflightError: the plan's preflight (dr.phases.plan). A real
    run sends none."""
    # A cloud without a dry run (DrAdapter's no-call default) is not asked: no call counted for it.
    if not ctx.check_mode or type(ctx.adapter).dry_run_copies is DrAdapter.dry_run_copies:
        return
    planned = [
        (outcome, region)
        for outcome in outcomes
        for region, destination in outcome.destinations.items()
        if destination.action == WOULD_COPY
    ]
    if not planned:
        return
    answers = calls.call(
        ctx.adapter.dry_run_copies, [(outcome.request, outcome.source, region) for outcome, region in planned]
    )
    for (outcome, region), refusal in zip(planned, answers):
        if refusal is not None:
            destination = outcome.destinations[region]
            destination.action, destination.error = NOT_COPIED, refusal


class BeforeWaiting:
    """The engine's before_waiting hook (CopyEngine): once every copy is asked for, and before the wait, the locks' pass
    (``lock``) is given each disk's outcomes and locks the copies named, for anyone who holds the account could delete
    one while the run waits. What it did (``locked``) goes into the copy phase's result, as NewerPoints' warnings do."""

    def __init__(
        self,
        ctx: PhaseContext,
        lock: LockBeforeWaiting,
        by_disk: Callable[[Sequence[RequestOutcome]], Mapping[str, tuple[RequestOutcome, ...]]],
    ) -> None:
        self.ctx = ctx
        self.lock = lock
        self.by_disk = by_disk
        self.locked: Locks | None = None

    def __call__(self, outcomes: list[RequestOutcome]) -> None:
        self.locked = self.lock(self.by_disk(outcomes))
        self.ctx.enter()  # back to the copies: the engine waits for them next


class NewerPoints:
    """The rule that a run never copies an older recovery point into a region that holds a newer good one (dr.points):
    where a disk's newer source snapshot was deleted after its copy, the region's standing copy outranks the snapshot
    the run would copy now. Asked by the engine once, about the destinations left to copy to (so a run with nothing to
    copy reads nothing more): one listing of each such region. A consistency group's members in a region are held back
    together or not at all: never half a set of an older point."""

    def __init__(
        self,
        ctx: PhaseContext,
        calls: CountedRetry,
        *,
        plans: Mapping[int, DiskPlan],
        source_times: Mapping[str, str | None],
        source_disks: Mapping[str, str],
    ) -> None:
        self.ctx = ctx
        self.calls = calls
        self.plans = plans
        self.point_of = point_reader(source_times)
        self.source_times = source_times
        self.source_disks = source_disks
        self.warnings: list[str] = []
        self.earlier: dict[tuple[str, str], Snapshot | None] = {}
        self.unlisted: set[tuple[str, str]] = set()
        #: Each region's completed copies of sets, by (disk key, set id), from its listing read once (none where the
        #: cloud refused it): a group's members are looked up there, not in the listing again for each member.
        self.set_copies: dict[str, dict[tuple[str, str], Snapshot]] = {}
        #: {(group, region): (set, its point)} where a group's members are held back on a newer set complete there.
        self.held_sets: dict[tuple[str, str], tuple[str, str | None]] = {}

    def __call__(self, pairs: Sequence[tuple[CopyRequest, str]]) -> list[tuple[Snapshot, str | None] | None]:
        listed = {region: self._listed(region) for region in sorted({destination for dummy, destination in pairs})}
        self.set_copies.update((region, set_copies(copies or ())) for region, copies in listed.items())
        # Each region's listing read once for the disks asked about there, not once for each disk.
        asked: dict[str, set[str]] = {}
        for request, destination in pairs:
            if id(request) in self.plans:
                asked.setdefault(destination, set()).add(self.plans[id(request)].key)
        by_disk = {
            region: copies_by_disk(copies or (), asked.get(region, set()), self.source_disks)
            for region, copies in listed.items()
        }
        # A person's copy of a DR copy holds that copy's verdict, in whichever of the regions listed here each is.
        verdict_of = MarksHeld(copy for copies in listed.values() for copy in copies or ()).verdict
        held: list[tuple[Snapshot, str | None] | None] = []
        for request, destination in pairs:
            plan = self.plans.get(id(request))
            region_copies = listed[destination]
            if plan is not None and region_copies is None:
                self.unlisted.add((plan.key, destination))
            if plan is None or region_copies is None:
                held.append(None)
                continue
            copies = by_disk[destination].get(plan.key, [])
            self.earlier[(plan.key, destination)] = max(copies, key=Snapshot.age_order, default=None)
            standing = copies_holding(copies, self.point_of, verdict_of).standing
            point = self.point_of(standing) if standing is not None else None
            source_point = self._source_point(request)
            held.append((standing, point) if standing is not None and later_point(point, source_point) else None)
        self._whole_sets(pairs, held)
        for (request, destination), newer in zip(pairs, held):
            if newer is not None:
                self.warnings.append(
                    'disk %s: %s already holds a newer recovery point (copy %s, of %s) than its snapshot %s (%s): not '
                    'copied, as an older point adds nothing there; a newer source snapshot was deleted after its copy'
                    % (
                        self.plans[id(request)].disk.id,
                        destination,
                        newer[0].id,
                        newer[1],
                        request.source_id,
                        self._source_point(request),
                    )
                )
        return held

    def _source_point(self, request: CopyRequest) -> str | None:
        """When the snapshot ``request`` copies was taken, as the read (or the fresh-snapshot phase) found it."""
        return self.source_times.get('%s/%s' % (request.source_region, request.source_id))

    def _listed(self, region: str) -> list[Snapshot] | None:
        """The copies in ``region``; None (copy as asked: a copy too many costs, one missed loses) where the cloud
        refused the read, with a warning."""
        try:
            return self.calls.call(self.ctx.adapter.list_copies, region)
        except CloudError as error:
            self.warnings.append(
                '%s: the copies there could not be listed before copying (%s): copied as asked, whether or not a newer '
                'point stands there' % (region, error)
            )
            return None

    def _whole_sets(
        self, pairs: Sequence[tuple[CopyRequest, str]], held: list[tuple[Snapshot, str | None] | None]
    ) -> None:
        """Copy a group's members in a region as asked unless every one of them there is held back, on copies of one
        set that the region holds completed for every member of the group (those the run does not copy there too):
        never a point of half a set."""
        members: dict[tuple[str, str], list[int]] = {}
        groups: dict[tuple[str, str], Group] = {}
        for index, (request, destination) in enumerate(pairs):
            group = self.plans[id(request)].group if id(request) in self.plans else None
            if group is not None:
                members.setdefault((group.name, destination), []).append(index)
                groups[(group.name, destination)] = group
        for (name, destination), indexes in members.items():
            found = [held[index] for index in indexes]
            sets = {newer[0].tags.get(SET_TAG) for newer in found if newer is not None}
            set_id = next(iter(sets)) if len(sets) == 1 else None
            whole = (
                None not in found
                and set_id is not None
                and self._set_complete(groups[(name, destination)], destination, set_id)
            )
            if not whole:
                for index in indexes:
                    held[index] = None
                continue
            newer = found[0]
            if newer is not None:
                self.held_sets[(name, destination)] = (newer[0].tags[SET_TAG], newer[1])

    def _member_copy(self, disk_key: str, region: str, set_id: str) -> Snapshot | None:
        """The disk's completed copy of the set in ``region``, as listed; None where there is none."""
        return self.set_copies.get(region, {}).get((disk_key, set_id))

    def _set_complete(self, group: Group, region: str, set_id: str) -> bool:
        source_region = self.ctx.settings.source_region
        return all(
            self._member_copy('%s/%s' % (source_region, disk.id), region, set_id) is not None for disk in group.disks
        )

    def stand_members(self, outcomes: Sequence[RequestOutcome]) -> None:
        """A group's members whose copies of an older set the region holds (found, so not asked about) stand with the
        members held back, by their copies of the newer set: a group's point in a region is one set."""
        for outcome in outcomes:
            plan = self.plans.get(id(outcome.request))
            if plan is None or plan.group is None:
                continue
            for region, destination in outcome.destinations.items():
                held = self.held_sets.get((plan.group.name, region))
                if held is None or destination.action != EXISTING:
                    continue
                if destination.snapshot is not None and destination.snapshot.tags.get(SET_TAG) == held[0]:
                    continue
                copy = self._member_copy(plan.key, region, held[0])
                if copy is None:
                    continue
                destination.action, destination.snapshot, destination.recovery_point = NEWER_HELD, copy, held[1]
                self.warnings.append(
                    'disk %s: %s holds its group\'s newer set %s (copy %s, of %s): the group stands by that set there, '
                    'not by the copy of %s it also holds'
                    % (plan.disk.id, region, held[0], copy.id, held[1], outcome.request.source_id)
                )


def set_copies(copies: Iterable[Snapshot]) -> dict[tuple[str, str], Snapshot]:
    """{(disk key, set id): the first completed copy listed of that disk of that set} of one region's ``copies``."""
    found: dict[tuple[str, str], Snapshot] = {}
    for copy in copies:
        disk_key, set_id = copy.tags.get(DISK_TAG), copy.tags.get(SET_TAG)
        if disk_key is not None and set_id is not None and copy.state == COMPLETED:
            found.setdefault((disk_key, set_id), copy)
    return found


def set_tags(plan: DiskPlan, set_id: str | None) -> dict[str, str]:
    """The tags that name the group and the set of a copy of a disk of a consistency group (none for a disk on its
    own): a later run, a person and dr_posture_info find the whole set by them."""
    if plan.group is None or set_id is None:
        return {}
    return {GROUP_TAG: plan.group.key, SET_TAG: set_id}


def run_leases(ctx: PhaseContext, terms: LeaseTerms | None, cost: CallCount) -> Leases | None:
    """What the run leases on its sources before its copy calls (dr.leases.combined): its copy leases (dr.leases),
    where two runs at once could both copy (the cloud's copy call has no idempotency token: ECS's has, and two runs'
    calls make one copy; and its adapter tags source snapshots: ENS keeps no tags on snapshots, docs/vault.md), their
    calls counted in ``cost``; and with dr_account its shares of the sources with the DR account (dr.leases.shares, whose calls
    the adapter's ShareLeases sends). None in check mode, which copies nothing."""
    if terms is None or ctx.check_mode:
        return None
    copy_leases = None
    if not ctx.adapter.copy_call_is_idempotent and isinstance(ctx.adapter, SourceTagCalls):
        copy_leases = CopyLeases(CountedSourceTags(ctx.adapter, cost), terms=terms)
    shares = (
        ctx.adapter.shares
        if isinstance(ctx.adapter, SharesHeldByLeases) and ctx.settings.dr_account is not None
        else None
    )
    return combined_leases(copy_leases=copy_leases, shares=shares)
