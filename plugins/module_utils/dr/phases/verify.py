# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification as a phase of the run (dr.verify's rules): each completed DR copy of the run not verified before is read
block by block beside its source, before the drill and pruning; a copy verified is marked (VERIFIED_TAG), one that
differs is no DR copy and fails its disk. Check mode reads the sources' block lists only, and plans the calls.

With the churn alarm, each copy of the run not measured before gets the share of its disk rewritten since the disk's copy
before it (CHURN_TAG), and the mark SUSPECT_TAG when that share sets the alarm off; the listing's copies take the marks the
cloud took, so that pruning keeps the last known good copy. Then, from the listing, each disk's verified and last known
good points in each region (dr.verify.region_points), for the model."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.errors import NOT_FOUND, CloudError
from ...core.model import COMPLETED
from ...core.tagging import CHURN_TAG, DISK_TAG, SOURCE_TAG, SUSPECT_TAG, VERIFIED_TAG
from ...engine.outcomes import NOT_COPIED, WOULD_COPY
from ..prune import made_by_a_dr_run
from ..verify import (
    checksum_mismatches,
    churn_share,
    differing_blocks,
    is_suspect,
    mark_covers,
    region_points,
    sample_blocks,
    stated_differences,
    suspect_why,
    usual_share,
    verify_cost,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import CopyRequest, Snapshot
    from ...core.retry import PhaseRetry
    from ...engine.outcomes import RequestOutcome
    from ..capabilities import BlockReadAdapter
    from .context import DiskPlan, PhaseContext

# What verification did about a copy: verified (its blocks agree with its source's), differs, not verified (a read
# failed: why), verified before (its mark), would verify (check mode), in flight (a later run verifies it).
VERIFIED, DIFFERS, NOT_VERIFIED = 'verified', 'differs', 'not_verified'
VERIFIED_BEFORE, WOULD_VERIFY, NOT_YET = 'verified_before', 'would_verify', 'in_flight'
# On a cloud that reads no block: what the cloud states of the copy agrees with its source (dr.verify), or would be
# checked (check mode). Never a verified copy: no data were read.
STATED, WOULD_CHECK = 'stated', 'would_check'
# What the churn alarm did about a copy: measured (its share), measured before (its mark), would measure (check mode),
# first (the disk's first copy in the region: nothing to compare), not measured (a read failed or a source is gone: why).
MEASURED, MEASURED_BEFORE, WOULD_MEASURE, FIRST_COPY, NOT_MEASURED = (
    'measured',
    'measured_before',
    'would_measure',
    'first_copy',
    'not_measured',
)


@dataclass(frozen=True)
class Verification:
    """The phase's result: a record per copy ({(region, copy id): record}; a copy a check run plans by its source's id),
    the churn alarm's per copy (keyed alike), each disk's points in each region ({disk key: {region: points}}, none
    without a listing), the problems of each disk, the warnings, and the calls."""

    records: Mapping[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    churn: Mapping[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    points: Mapping[str, Mapping[str, Mapping[str, Any]]] = dataclasses.field(default_factory=dict)
    problems: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)


def verify_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    source_times: Mapping[str, str | None],
    sources: Mapping[str, Snapshot | None],
) -> Verification:
    """With verify, verify each of the run's copies in ``outcomes`` (``listed``: each DR region's copies as listed after
    the copies, with their marks); with churn_alarm, measure them; then each disk's points from ``listed``
    (``source_times``: when each source snapshot read was taken)."""
    reader = ctx.blocks
    calls = ctx.counted()
    records: dict[tuple[str, str], dict[str, Any]] = {}
    problems: dict[str, list[str]] = {}
    churn: dict[tuple[str, str], dict[str, Any]] = {}
    warnings: list[str] = []
    # DrRun.validate lets churn_alarm start only on a cloud that reads blocks; verify reads what the others state.
    if ctx.settings.verify.enabled and reader is not None:
        _verify_blocks(ctx, calls, reader, plans, outcomes, listed, records, problems)
    elif ctx.settings.verify.enabled:
        _check_stated(ctx, plans, outcomes, sources, records, problems)
    if ctx.settings.churn.enabled and reader is not None:
        churn = _measure_churn(ctx, calls, reader, plans, outcomes, listed, warnings)
    return Verification(
        records=records,
        churn=churn,
        points=_points(plans, listed, source_times),
        problems={key: tuple(found) for key, found in problems.items()},
        warnings=tuple(warnings),
        calls=calls.cost.counts(),
    )


# pylint: disable-next=too-many-arguments
def _verify_blocks(
    ctx: PhaseContext,
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    plans: Sequence[DiskPlan],
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    records: dict[tuple[str, str], dict[str, Any]],
    problems: dict[str, list[str]],
) -> None:
    """Verify each of the run's copies into ``records`` and ``problems``."""
    marks = {(region, copy.id): copy.tags.get(VERIFIED_TAG) for region, copies in listed.items() for copy in copies}
    sources: dict[tuple[str, str], dict[int, str]] = {}
    for plan in plans:
        for outcome in outcomes.get(plan.key, ()):
            request = outcome.request
            for destination in outcome.destinations.values():
                copy = destination.snapshot
                if destination.action == NOT_COPIED or (copy is None and destination.action != WOULD_COPY):
                    continue
                # A copy by its id; one a check run plans (no id yet) by its source, which is the disk's own.
                key = (destination.destination, copy.id if copy is not None else request.source_id)
                source = (request.source_region, request.source_id)
                try:
                    if source not in sources:
                        sources[source] = calls.call(reader.snapshot_blocks, *source)
                    record = _record(ctx, calls, reader, copy, source, sources[source], marks.get(key))
                except CloudError as error:
                    record = {'action': NOT_VERIFIED, 'error': error.as_result()}
                    problems.setdefault(plan.key, []).append('verifying the copy in %s: %s' % (key[0], error))
                if record['action'] == DIFFERS:
                    problems.setdefault(plan.key, []).append(
                        'DR copy %s in %s differs from its source %s: %s'
                        % (key[1], key[0], request.source_id, record['why'])
                    )
                    if marks.get(key):
                        _unmark(ctx, calls, copy, listed, record)
                if record['action'] == VERIFIED and copy is not None:  # the cloud holds the mark now: so do the points
                    _listed_mark(listed, copy, record['mark'])
                records[key] = record


# pylint: disable-next=too-many-arguments
def _record(
    ctx: PhaseContext,
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    copy: Snapshot | None,
    source: tuple[str, str],
    source_blocks: Mapping[int, str],
    mark: str | None,
) -> dict[str, Any]:
    """What verification does about one copy (None: a check run's plan): plans it, takes its ``mark`` where the mark
    proves as much as the run asks, waits for it, or reads it."""
    if ctx.check_mode or copy is None:
        return _planned(ctx, source_blocks)
    if mark and mark_covers(mark, ctx.settings.verify):
        return {'action': VERIFIED_BEFORE, 'mark': mark}
    if copy.state != COMPLETED:
        return {'action': NOT_YET}
    return _verify(ctx, calls, reader, copy, source, source_blocks)


def _unmark(
    ctx: PhaseContext,
    calls: PhaseRetry,
    copy: Snapshot | None,
    listed: Mapping[str, Sequence[Snapshot]],
    record: dict[str, Any],
) -> None:
    """A copy marked verified by a smaller sample that now differs: its mark emptied (no copy is a verified point
    that a read found different), here and in the listing that the points are read from."""
    if copy is None:
        return
    try:
        calls.call(ctx.adapter.tag_copy, copy, {VERIFIED_TAG: ''})
    except CloudError as error:
        record['unmark_error'] = error.as_result()
        return
    _listed_mark(listed, copy, '')
    record['unmarked'] = True


def _listed_mark(listed: Mapping[str, Sequence[Snapshot]], copy: Snapshot, mark: str) -> None:
    """The listing's copy with the VERIFIED_TAG the cloud took: the points are read from the listing."""
    for found in listed.get(copy.region, ()):
        if found.id == copy.id:
            found.tags[VERIFIED_TAG] = mark


def _planned(ctx: PhaseContext, source_blocks: Mapping[int, str]) -> dict[str, Any]:
    """A check run's plan of one copy's verification: what it would read and cost, from its source's block list."""
    cost = verify_cost(ctx.settings.verify, len(source_blocks))
    return dict({'action': WOULD_VERIFY, 'blocks': len(source_blocks)}, **cost.as_result())


# pylint: disable-next=too-many-arguments
def _verify(
    ctx: PhaseContext,
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    copy: Snapshot,
    source: tuple[str, str],
    source_blocks: Mapping[int, str],
) -> dict[str, Any]:
    """Read one copy beside its source: the same blocks listed, the sample's checksums equal; a verified copy marked."""
    settings = ctx.settings.verify
    copy_blocks = calls.call(reader.snapshot_blocks, copy.region, copy.id)
    cost = verify_cost(settings, len(source_blocks))
    record: dict[str, Any] = dict({'blocks': len(source_blocks)}, **cost.as_result())
    listed_apart = differing_blocks(source_blocks, copy_blocks)
    if listed_apart:
        return dict(record, action=DIFFERS, why='blocks listed by one side only: %s' % listed_apart, get_calls=0)
    sample = sample_blocks(source_blocks, settings, copy.id)
    # A block is a request of its own (tens of milliseconds on EBS): both sides' blocks are read on the run's workers.
    sums = ctx.each(
        [functools.partial(calls.call, reader.block_checksum, *source, index, source_blocks[index]) for index in sample]
        + [
            functools.partial(calls.call, reader.block_checksum, copy.region, copy.id, index, copy_blocks[index])
            for index in sample
        ]
    )
    source_sums = dict(zip(sample, sums[: len(sample)]))
    copy_sums = dict(zip(sample, sums[len(sample) :]))
    mismatches = checksum_mismatches(source_sums, copy_sums)
    if mismatches:
        return dict(record, action=DIFFERS, why='blocks whose data differ: %s' % mismatches[:10], sampled=len(sample))
    mark = '%s sample=%s' % (ctx.now.strftime('%Y-%m-%dT%H:%M:%SZ'), 'full' if settings.full else len(sample))
    calls.call(ctx.adapter.tag_copy, copy, {VERIFIED_TAG: mark})
    return dict(record, action=VERIFIED, sampled=len(sample), mark=mark)


def _disk_copies(listed: Mapping[str, Sequence[Snapshot]]) -> dict[tuple[str, str], list[Snapshot]]:
    """{(region, disk key): the DR copies a DR run made of the disk there}, from the listing."""
    by_disk: dict[tuple[str, str], list[Snapshot]] = {}
    for region, copies in listed.items():
        for copy in copies:
            if made_by_a_dr_run(copy):
                by_disk.setdefault((region, copy.tags[DISK_TAG]), []).append(copy)
    return by_disk


# pylint: disable-next=too-many-arguments,too-many-locals
def _measure_churn(
    ctx: PhaseContext,
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    plans: Sequence[DiskPlan],
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    warnings: list[str],
) -> dict[tuple[str, str], dict[str, Any]]:
    """The churn alarm over the run's copies: {(region, copy id, or the source's id for a planned copy): record}; each
    measured copy marked, and the listing's copy with it."""
    by_disk = _disk_copies(listed)
    # Between two sources, one measure serves every DR region.
    measured: dict[tuple[str, str, str], tuple[int, int]] = {}
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for plan in plans:
        for outcome in outcomes.get(plan.key, ()):
            request = outcome.request
            for destination in outcome.destinations.values():
                copy = destination.snapshot
                if destination.action == NOT_COPIED or (copy is None and destination.action != WOULD_COPY):
                    continue
                region = destination.destination
                key = (region, copy.id if copy is not None else request.source_id)
                own = {found.id: found for found in by_disk.get((region, plan.key), ())}
                listed_copy = own.get(copy.id) if copy is not None else None
                if listed_copy is not None and listed_copy.tags.get(CHURN_TAG):
                    records[key] = {
                        'action': MEASURED_BEFORE,
                        'share': listed_copy.tags[CHURN_TAG],
                        'suspect': bool(listed_copy.tags.get(SUSPECT_TAG)),
                    }
                    continue
                others = [found for found in own.values() if copy is None or found.id != copy.id]
                before = _copy_before(others, copy, request.source_id)
                if before is None:
                    records[key] = {'action': FIRST_COPY}
                    continue
                try:
                    changed, blocks = _changed(calls, reader, measured, request.source_region, before, copy, request)
                except CloudError as error:
                    records[key] = {'action': NOT_MEASURED, 'compared_with': before.id, 'error': error.as_result()}
                    continue
                share, usual = churn_share(changed, blocks), usual_share(others)
                suspect = is_suspect(share, usual, ctx.settings.churn)
                record = {'share': share, 'usual': usual, 'suspect': suspect, 'compared_with': before.id}
                if ctx.check_mode or copy is None:
                    records[key] = dict(record, action=WOULD_MEASURE)
                    continue
                marks = {CHURN_TAG: '%.4f' % share}
                if suspect:
                    marks[SUSPECT_TAG] = suspect_why(share, usual)
                try:
                    calls.call(ctx.adapter.tag_copy, copy, marks)
                except CloudError as error:
                    records[key] = dict(record, action=NOT_MEASURED, error=error.as_result())
                    continue
                if listed_copy is not None:  # the cloud holds the marks now: pruning sees them
                    listed_copy.tags.update(marks)
                records[key] = dict(record, action=MEASURED)
                if suspect:
                    warnings.append(
                        'DR copy %s of %s in %s is suspect: its source %s; the last known good copy is kept until '
                        'the tag %s is taken off the copies found sound'
                        % (copy.id, plan.disk.id, region, suspect_why(share, usual), SUSPECT_TAG)
                    )
    return records


def _copy_before(others: Sequence[Snapshot], copy: Snapshot | None, source_id: str) -> Snapshot | None:
    """The disk's completed copy before ``copy`` (None: planned), of another source: what the new one is measured
    against."""
    earlier = [
        found
        for found in others
        if found.state == COMPLETED
        and found.tags.get(SOURCE_TAG, '').partition('/')[2] != source_id
        and (copy is None or found.age_order() < copy.age_order())
    ]
    return max(earlier, key=lambda found: found.age_order(), default=None)


# pylint: disable-next=too-many-arguments
def _changed(
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    measured: dict[tuple[str, str, str], tuple[int, int]],
    source_region: str,
    before: Snapshot,
    copy: Snapshot | None,
    request: CopyRequest,
) -> tuple[int, int]:
    """(changed blocks, the disk's blocks) between the source of ``before`` and the new source; the two sources being
    in the source region. The older source gone, between the two copies, once the new copy completed."""
    before_region, dummy, before_source = before.tags.get(SOURCE_TAG, '').partition('/')
    pair = (before_region or source_region, before_source, request.source_id)
    if pair not in measured:
        try:
            measured[pair] = calls.call(reader.changed_blocks, *pair)
        except CloudError as error:
            if error.kind != NOT_FOUND or copy is None or copy.state != COMPLETED:
                raise
            return calls.call(reader.changed_blocks, copy.region, before.id, copy.id)
    return measured[pair]


def _points(
    plans: Sequence[DiskPlan], listed: Mapping[str, Sequence[Snapshot]], source_times: Mapping[str, str | None]
) -> dict[str, dict[str, Mapping[str, Any]]]:
    """{disk key: {region: dr.verify.region_points}} of each disk, from the listing (none without one)."""
    if not listed:
        return {}
    by_disk = _disk_copies(listed)

    def recovery_point(copy: Snapshot) -> str | None:
        return source_times.get(copy.tags.get(SOURCE_TAG, ''))

    return {
        plan.key: {region: region_points(by_disk.get((region, plan.key), ()), recovery_point) for region in listed}
        for plan in plans
    }


# pylint: disable-next=too-many-arguments
def _check_stated(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    sources: Mapping[str, Snapshot | None],
    records: dict[tuple[str, str], dict[str, Any]],
    problems: dict[str, list[str]],
) -> None:
    """Where no block can be read: each completed copy of the run held to what the cloud states of its source (no
    call: the copies and sources as the run read them)."""
    for plan in plans:
        for outcome in outcomes.get(plan.key, ()):
            request = outcome.request
            for destination in outcome.destinations.values():
                copy = destination.snapshot
                if destination.action == NOT_COPIED or (copy is None and destination.action != WOULD_COPY):
                    continue
                key = (destination.destination, copy.id if copy is not None else request.source_id)
                if ctx.check_mode or copy is None:
                    records[key] = {'action': WOULD_CHECK}
                    continue
                if copy.state != COMPLETED:
                    records[key] = {'action': NOT_YET}
                    continue
                differences = stated_differences(copy, sources.get(plan.key), request.source_id)
                if differences:
                    why = '; '.join(differences)
                    records[key] = {'action': DIFFERS, 'why': why}
                    problems.setdefault(plan.key, []).append(
                        'DR copy %s in %s differs from its source %s: %s' % (copy.id, key[0], request.source_id, why)
                    )
                    continue
                records[key] = {'action': STATED, 'why': 'no block read on this cloud: the restore drill is the proof'}
