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

from ...core.cloud_clock import iso_utc
from ...core.errors import NOT_FOUND, CloudError
from ...core.model import COMPLETED, CopyRequest
from ...core.tagging import CHURN_TAG, DIFFERS_TAG, DISK_TAG, SOURCE_TAG, SUSPECT_TAG, UNMEASURED, VERIFIED_TAG
from ..groups import set_points
from ..points import MarksHeld, point_order, point_reader, region_points
from ..prune import copies_by_disk, made_by_a_dr_run
from ..verify import (
    ZERO_BLOCK_CHECKSUM,
    VerifyCost,
    checksum_mismatches,
    churn_share,
    is_suspect,
    list_pages,
    listed_on_both,
    mark_covers,
    one_sided_blocks,
    sample_blocks,
    stated_differences,
    suspect_why,
    usual_share,
    verify_cost,
)
from .context import PhaseResult

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from ...core.model import Snapshot
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
class Verification(PhaseResult):
    """The phase's result: a record per copy ({(region, copy id): record}; a copy a check run plans by its source's id),
    the churn alarm's per copy (keyed alike), each disk's points in each region ({disk key: {region: points}}, none
    without a listing), the problems of each disk, the warnings, and the calls."""

    records: Mapping[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    churn: Mapping[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    points: Mapping[str, Mapping[str, Mapping[str, Any]]] = dataclasses.field(default_factory=dict)
    #: {(disk key, DR region): (the id of the copy the new one was measured against, the blocks changed since its
    #: source)}, of each copy the churn alarm measured this run: the plan's bytes of an incremental copy (dr.plan).
    changed: Mapping[tuple[str, str], tuple[str, int]] = dataclasses.field(default_factory=dict)

    @property
    def reads(self) -> int:
        """The EBS direct API calls of the records: those verification made, and in check mode those it would make (each
        counted by dr.verify's one model of them, VerifyCost): what the plan prices."""
        return sum(record.get('list_calls', 0) + record.get('get_calls', 0) for record in self.records.values())

    @property
    def bytes_read(self) -> int:
        """The bytes of the blocks those calls return (VerifyCost.bytes_read): what the plan prices as data transfer."""
        return sum(record.get('bytes_read', 0) for record in self.records.values())


def verify_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    source_times: Mapping[str, str | None],
    sources: Mapping[str, Snapshot | None],
    source_disks: Mapping[str, str] | None = None,
) -> Verification:
    """With verify, verify each of the run's copies in ``outcomes`` (``listed``: each DR region's copies as listed after
    the copies, with their marks); with churn_alarm, measure them; then each disk's points from ``listed``
    (``source_times``: when each source snapshot read was taken)."""
    reader = ctx.blocks
    calls = ctx.counted()
    records: dict[tuple[str, str], dict[str, Any]] = {}
    problems: dict[str, list[str]] = {}
    churn: dict[tuple[str, str], dict[str, Any]] = {}
    changed: dict[tuple[str, str], tuple[str, int]] = {}
    warnings: list[str] = []
    # DrRun.validate lets churn_alarm start only on a cloud that reads blocks; verify reads what the others state.
    if ctx.settings.verify.enabled and reader is not None:
        _verify_blocks(ctx, calls, reader, plans, outcomes, listed, records, problems)
    elif ctx.settings.verify.enabled:
        _check_stated(
            ctx, calls, plans, outcomes=outcomes, sources=sources, listed=listed, records=records, problems=problems
        )
    if ctx.settings.churn.enabled and reader is not None:
        churn = _measure_churn(
            ctx,
            calls,
            reader,
            plans,
            outcomes=outcomes,
            listed=listed,
            source_times=source_times,
            warnings=warnings,
            changed=changed,
        )
    return Verification(
        records=records,
        churn=churn,
        changed=changed,
        points=_points(ctx, plans, listed, source_times, warnings, source_disks or {}),
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
    marks = _tag_values(listed, VERIFIED_TAG)
    verdicts = _tag_values(listed, DIFFERS_TAG)
    sources: dict[tuple[str, str], dict[int, str]] = {}
    for plan, request, copy, key in _run_copies(plans, outcomes):
        source = (request.source_region, request.source_id)
        found = verdicts.get(key)
        record: dict[str, Any]
        if found and not ctx.check_mode:
            # An earlier run's verdict stands until a person acts: the copy is not read again.
            record = {'action': DIFFERS, 'why': found, 'found_before': True}
            problems.setdefault(plan.key, []).append(_differs_problem(key, request.source_id, record['why']))
            records[key] = record
            continue
        try:
            if source not in sources:
                sources[source] = calls.call(reader.snapshot_blocks, *source)
            record = _record(ctx, calls, reader, copy, source, sources[source], marks.get(key))
        except CloudError as error:
            record = {'action': NOT_VERIFIED, 'error': error.as_result()}
            problems.setdefault(plan.key, []).append(
                'DR copy %s in %s is not verified: %s (the next run reads it again)' % (key[1], key[0], error)
            )
        if record['action'] == DIFFERS:
            problems.setdefault(plan.key, []).append(_differs_problem(key, request.source_id, record['why']))
            _mark_differs(ctx, calls, copy, listed, record, unmark=bool(marks.get(key)))
        if record['action'] == VERIFIED and copy is not None:  # the cloud holds the mark now: so do the points
            _listed_mark(listed, copy, record['mark'])
        records[key] = record


def _run_copies(
    plans: Sequence[DiskPlan], outcomes: Mapping[str, Sequence[RequestOutcome]]
) -> Iterator[tuple[DiskPlan, CopyRequest, Snapshot | None, tuple[str, str]]]:
    """Each copy of its disk's own source that the run made, found or plans (None: a check run's plan): with its plan,
    its request and its key in the records, (region, the copy's id), or for one a check run plans (no id yet), its
    source's id, which is the disk's own."""
    for plan in plans:
        for outcome in outcomes.get(plan.key, ()):
            for destination in outcome.destinations.values():
                if destination.of_source:
                    copy = destination.snapshot
                    request = outcome.request
                    yield (
                        plan,
                        request,
                        copy,
                        (destination.destination, copy.id if copy is not None else request.source_id),
                    )


def _tag_values(listed: Mapping[str, Sequence[Snapshot]], tag: str) -> dict[tuple[str, str], str | None]:
    """{(region, copy id): the value of ``tag`` on the copy} of every copy listed."""
    return {(region, copy.id): copy.tags.get(tag) for region, copies in listed.items() for copy in copies}


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


def _differs_problem(key: tuple[str, str], source_id: str, why: str) -> str:
    return (
        'DR copy %s in %s differs from its source %s: %s (the last known good copy is kept; delete this copy to have the next run copy the source again)'
        % (
            key[1],
            key[0],
            source_id,
            why,
        )
    )


# pylint: disable-next=too-many-arguments
def _mark_differs(
    ctx: PhaseContext,
    calls: PhaseRetry,
    copy: Snapshot | None,
    listed: Mapping[str, Sequence[Snapshot]],
    record: dict[str, Any],
    *,
    unmark: bool = False,
) -> None:
    """A copy found to differ from its source carries the verdict (DIFFERS_TAG), so that later runs and
    dr_posture_info read it (dr.points); a verified mark a smaller sample had set is emptied in the same call (no copy
    is a verified point that a read found different). Here and in the listing that pruning and the points read."""
    if copy is None:
        return
    marks = {DIFFERS_TAG: record['why'][:DIFFERS_MARK_LENGTH]}
    if unmark:
        marks[VERIFIED_TAG] = ''
    try:
        calls.call(ctx.adapter.tag_copy, copy, marks)
    except CloudError as error:
        record['mark_error'] = error.as_result()
        return
    for found in listed.get(copy.region, ()):
        if found.id == copy.id:
            found.tags.update(marks)
    record['marked'] = True
    if unmark:
        record['unmarked'] = True


# The verdict's text on the copy: within every cloud's tag value limit (EC2 256 characters, ECS 128, CBS 255).
DIFFERS_MARK_LENGTH = 120


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
    """Read one copy beside its source: the sample of the blocks both list, whose checksums must be equal, and every
    block one side lists alone, which must hold zeros (dr.verify.ZERO_BLOCK_CHECKSUM); a verified copy marked."""
    settings = ctx.settings.verify
    copy_blocks = calls.call(reader.snapshot_blocks, copy.region, copy.id)
    sample = sample_blocks(listed_on_both(source_blocks, copy_blocks), settings, copy.id)
    alone = one_sided_blocks(source_blocks, copy_blocks)
    sides = {'source': (source, source_blocks), 'copy': ((copy.region, copy.id), copy_blocks)}
    cost = VerifyCost(
        list_calls=list_pages(len(source_blocks)) + list_pages(len(copy_blocks)),
        source_gets=len(sample) + sum(1 for dummy, side in alone if side == 'source'),
        copy_gets=len(sample) + sum(1 for dummy, side in alone if side == 'copy'),
    )
    record: dict[str, Any] = dict({'blocks': len(source_blocks), 'one_sided': len(alone)}, **cost.as_result())
    # A block is a request of its own (tens of milliseconds on EBS): both sides' blocks are read on the run's workers.
    sums = ctx.each(
        [functools.partial(calls.call, reader.block_checksum, *source, index, source_blocks[index]) for index in sample]
        + [
            functools.partial(calls.call, reader.block_checksum, copy.region, copy.id, index, copy_blocks[index])
            for index in sample
        ]
        + [
            functools.partial(calls.call, reader.block_checksum, *sides[side][0], index, sides[side][1][index])
            for index, side in alone
        ]
    )
    source_sums = dict(zip(sample, sums[: len(sample)]))
    copy_sums = dict(zip(sample, sums[len(sample) : 2 * len(sample)]))
    not_zeros = [index for (index, dummy), found in zip(alone, sums[2 * len(sample) :]) if found != ZERO_BLOCK_CHECKSUM]
    if not_zeros:
        return dict(
            record,
            action=DIFFERS,
            why='blocks listed by one side only that do not hold zeros: %s' % not_zeros[:10],
            sampled=len(sample),
        )
    mismatches = checksum_mismatches(source_sums, copy_sums)
    if mismatches:
        return dict(record, action=DIFFERS, why='blocks whose data differ: %s' % mismatches[:10], sampled=len(sample))
    mark = '%s sample=%s' % (iso_utc(ctx.now), 'full' if settings.full else len(sample))
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


# pylint: disable-next=too-many-arguments,too-many-locals,too-many-branches,too-many-statements
def _measure_churn(
    ctx: PhaseContext,
    calls: PhaseRetry,
    reader: BlockReadAdapter,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
    source_times: Mapping[str, str | None],
    warnings: list[str],
    changed: dict[tuple[str, str], tuple[str, int]],
) -> dict[tuple[str, str], dict[str, Any]]:
    """The churn alarm over the run's copies: {(region, copy id, or the source's id for a planned copy): record}; each
    measured copy marked, and the listing's copy with it; the blocks each measure found changed into ``changed``
    (Verification.changed).

    The measure is between two source snapshots of the disk, so it is the disk's, not a region's: the copy before is the
    disk's copy of the newest earlier point in any DR region, the usual share is the disk's over all its regions (one
    share a source), and a copy of a source already measured for another region takes that copy's marks (no read). A
    copy that could not be measured is marked UNMEASURED (in doubt as a suspect one is, dr.points), and every later run
    measures it again, against the copy before it (_unmeasured_copies), until a measure stands: one refused read must not
    hold the disk in doubt for ever once newer sources are copied."""
    history: dict[str, list[Snapshot]] = {}
    for (dummy, disk_key), copies in sorted(_disk_copies(listed).items()):
        history.setdefault(disk_key, []).extend(copies)
    point_of = point_reader(source_times)
    # Between two sources, one measure serves every DR region.
    measured: dict[tuple[str, str, str], tuple[int, int]] = {}
    records: dict[tuple[str, str], dict[str, Any]] = {}
    owned = {plan.key: {found.id: found for found in history.get(plan.key, ())} for plan in plans}
    run_copies = list(_run_copies(plans, outcomes))
    again = list(_unmeasured_copies(plans, owned, {item[3] for item in run_copies}))
    measured_again = {item[3] for item in again}
    for plan, request, copy, key in run_copies + again:
        own, region = owned[plan.key], key[0]
        listed_copy = own.get(copy.id) if copy is not None else None
        share_mark = listed_copy.tags.get(CHURN_TAG) if listed_copy is not None else None
        if listed_copy is not None and share_mark and share_mark != UNMEASURED:
            records[key] = {
                'action': MEASURED_BEFORE,
                'share': share_mark,
                'suspect': bool(listed_copy.tags.get(SUSPECT_TAG)),
            }
            continue
        others = [found for found in own.values() if copy is None or found.id != copy.id]
        before = _copy_before(others, copy, request, point_of, region)
        if before is None:
            records[key] = {'action': FIRST_COPY}
            continue
        sibling = _measured_sibling(others, request.source_tag)
        usual = usual_share([found for found in others if found.tags.get(SOURCE_TAG) != request.source_tag])
        if sibling is not None:
            share = float(sibling.tags[CHURN_TAG])
            suspect = bool(sibling.tags.get(SUSPECT_TAG))
        else:
            try:
                count, blocks = _changed(calls, reader, measured, request.source_region, before, copy, request)
            except CloudError as error:
                records[key] = {'action': NOT_MEASURED, 'compared_with': before.id, 'error': error.as_result()}
                if isinstance(error, CopiesNotCompared):
                    records[key]['why'] = error.why
                _mark_unmeasured(ctx, calls, copy, listed_copy, records[key], warnings=warnings, disk=plan.disk.id)
                continue
            share = churn_share(count, blocks)
            suspect = is_suspect(share, usual, ctx.settings.churn)
            if key not in measured_again:
                changed[(plan.key, region)] = (before.id, count)  # the plan's bytes: of the run's own copies only
        record = {'share': share, 'usual': usual, 'suspect': suspect, 'compared_with': before.id}
        if sibling is not None:
            record['measured_for'] = sibling.id
        if ctx.check_mode or copy is None:
            records[key] = dict(record, action=WOULD_MEASURE)
            continue
        marks = {CHURN_TAG: '%.4f' % share}
        if suspect:
            marks[SUSPECT_TAG] = sibling.tags[SUSPECT_TAG] if sibling is not None else suspect_why(share, usual)
        try:
            calls.call(ctx.adapter.tag_copy, copy, marks)
        except CloudError as error:
            records[key] = dict(record, action=NOT_MEASURED, error=error.as_result())
            continue
        if listed_copy is not None:  # the cloud holds the marks now: pruning sees them
            listed_copy.tags.update(marks)
        records[key] = dict(record, action=MEASURED)
    return records


def _unmeasured_copies(
    plans: Sequence[DiskPlan], owned: Mapping[str, Mapping[str, Snapshot]], taken: set[tuple[str, str]]
) -> Iterator[tuple[DiskPlan, CopyRequest, Snapshot, tuple[str, str]]]:
    """Each completed copy of a disk of the run still marked UNMEASURED that the run's own copies are not (``taken``:
    their keys), as _run_copies gives a copy: with a request of its source, to be measured again."""
    for plan in plans:
        for copy in owned.get(plan.key, {}).values():
            region, dummy, source_id = (copy.tags.get(SOURCE_TAG) or '').partition('/')
            if (
                copy.state == COMPLETED
                and copy.tags.get(CHURN_TAG) == UNMEASURED
                and (copy.region, copy.id) not in taken
                and region
                and source_id
            ):
                yield plan, CopyRequest(source_id, region, [copy.region]), copy, (copy.region, copy.id)


def _measured_sibling(others: Sequence[Snapshot], source_tag: str) -> Snapshot | None:
    """The disk's copy of the same source in another region that carries a measured share: its marks serve."""
    for found in others:
        mark = found.tags.get(CHURN_TAG)
        if found.tags.get(SOURCE_TAG) != source_tag or not mark or mark == UNMEASURED:
            continue
        try:
            float(mark)
        except ValueError:  # a person's edit: not a share
            continue
        return found
    return None


# pylint: disable-next=too-many-arguments
def _mark_unmeasured(
    ctx: PhaseContext,
    calls: PhaseRetry,
    copy: Snapshot | None,
    listed_copy: Snapshot | None,
    record: dict[str, Any],
    *,
    warnings: list[str],
    disk: str,
) -> None:
    """A copy whose rewrite could not be measured is in doubt (dr.points): it carries CHURN_TAG UNMEASURED, so that
    pruning keeps the last known good copy beside it and every surface says so, until a later run measures it."""
    if ctx.check_mode or copy is None:
        return
    warnings.append(
        'DR copy %s of %s in %s: its rewrite could not be measured (%s); it stands in doubt, and the last known good '
        'copy is kept until a run measures it'
        % (copy.id, disk, copy.region, record.get('why') or record['error'].get('code') or 'error')
    )
    if listed_copy is not None and listed_copy.tags.get(CHURN_TAG) == UNMEASURED:
        return
    try:
        calls.call(ctx.adapter.tag_copy, copy, {CHURN_TAG: UNMEASURED})
    except CloudError as error:
        record['mark_error'] = error.as_result()
        return
    if listed_copy is not None:
        listed_copy.tags[CHURN_TAG] = UNMEASURED


def _copy_before(
    others: Sequence[Snapshot],
    copy: Snapshot | None,
    request: CopyRequest,
    point_of: Callable[[Snapshot], str | None],
    region: str,
) -> Snapshot | None:
    """The disk's completed copy, in any DR region, of the newest point before the new copy's (``copy``; None:
    planned) and of another source: what the new one is measured against. Of the copies of that point, the one in
    ``region`` where there is one (the two copies can then be compared should the older source be gone)."""
    mine = point_order(copy, point_of(copy)) if copy is not None else None
    earlier = [
        found
        for found in others
        if found.state == COMPLETED
        and found.tags.get(SOURCE_TAG) != request.source_tag
        and (mine is None or point_order(found, point_of(found)) < mine)
    ]
    if not earlier:
        return None
    newest = max(earlier, key=lambda found: point_order(found, point_of(found)))
    moment = point_order(newest, point_of(newest))[0]
    same_point = [found for found in earlier if point_order(found, point_of(found))[0] == moment]
    return next((found for found in same_point if found.region == region), newest)


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
    in the source region. The older source gone, between the two copies, once the new copy completed (in one region).

    Two copies compare only when both are incremental copies: ListChangedBlocks answers "blocks that are different
    between two Amazon Elastic Block Store snapshots of the same volume/snapshot lineage" (ebs 2019-11-02), and a copy is
    of its source's lineage only when incremental ("The resulting EBS Snapshot will be incremental if there is already
    a prior copy of the EBS Snapshot encrypted under the same custom CMK in the destination account/region", AWS, 2018);
    a disk's first copy in a region, or one under another key, is a full copy. Which a copy is, no EC2 answer says: the
    call tells (ValidationException UNRELATED_SNAPSHOTS, the model's reason), and a fallback that cannot measure raises
    CopiesNotCompared, which says why: the copy is unmeasured, with a warning (dr.points)."""
    before_region, dummy, before_source = before.tags.get(SOURCE_TAG, '').partition('/')
    pair = (before_region or source_region, before_source, request.source_id)
    if pair not in measured:
        try:
            measured[pair] = calls.call(reader.changed_blocks, *pair)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            gone = 'the source of %s is gone' % before.id
            if copy is None or copy.state != COMPLETED or before.region != copy.region:
                raise CopiesNotCompared(error, '%s, and no completed copy beside it to compare with' % gone) from None
            try:
                return calls.call(reader.changed_blocks, copy.region, before.id, copy.id)
            except CloudError as fallback:
                raise CopiesNotCompared(
                    fallback,
                    '%s, and ListChangedBlocks compares two copies only when both are incremental copies of one '
                    'lineage (%s: %s)' % (gone, fallback.code, fallback.message),
                ) from None
    return measured[pair]


class CopiesNotCompared(CloudError):
    """The churn alarm's fallback could not measure between two copies: ``why``, in words, beside the cloud's error."""

    def __init__(self, error: CloudError, why: str) -> None:
        super().__init__(
            error.action, error.code, error.message, request_id=error.request_id, kind=error.kind, region=error.region
        )
        self.why = why


def _points(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    listed: Mapping[str, Sequence[Snapshot]],
    source_times: Mapping[str, str | None],
    warnings: list[str],
    source_disks: Mapping[str, str],
) -> dict[str, dict[str, dict[str, Any]]]:
    """{disk key: {region: dr.points.region_points}} of each disk, from the listing (none without one); a warning for
    each disk and region whose newest point is in doubt, every run while it stands. Every copy of the disk counts, as
    dr_posture_info counts it (dr.prune.copies_by_disk): a DR copy whose mark a run has not written yet, and a copy
    module's copy of its snapshot, hold its data as well."""
    if not listed:
        return {}
    keys = {plan.key for plan in plans}
    by_region = {region: copies_by_disk(copies, keys, source_disks) for region, copies in listed.items()}
    point_of = point_reader(source_times)
    # A person's copy of a DR copy holds that copy's data, in whichever DR region it was made from.
    verdict_of = MarksHeld(copy for copies in listed.values() for copy in copies).verdict
    # A disk on its own is judged by its copies; a group's members by its sets, together (dr.groups.set_points).
    points: dict[str, dict[str, dict[str, Any]]] = {
        plan.key: {
            region: region_points(by_region[region].get(plan.key, ()), point_of, ctx.now, verdict_of)
            for region in listed
        }
        for plan in plans
        if plan.group is None
    }
    groups = {plan.group.key: plan.group for plan in plans if plan.group is not None}
    for group in groups.values():
        members = ['%s/%s' % (disk.region, disk.id) for disk in group.disks]
        for region in listed:
            held = set_points({key: by_region[region].get(key, ()) for key in members}, point_of, ctx.now, verdict_of)
            for key, record in held.items():
                if key in keys:
                    points.setdefault(key, {})[region] = record
    for plan in plans:
        for region, held in sorted(points[plan.key].items()):
            if held['doubt']:
                warnings.append(
                    'DR copy %s of %s in %s is in doubt (%s): %s'
                    % (
                        held['doubt_copy_id'],
                        plan.disk.id,
                        region,
                        held['doubt'],
                        'the last known good copy %s (data from %s) is kept and stands for the disk'
                        % (held['last_known_good'], held['last_known_good_point'] or 'a time not known')
                        if held['last_known_good']
                        else 'no good copy is left there to keep',
                    )
                )
    return points


# pylint: disable-next=too-many-arguments
def _check_stated(
    ctx: PhaseContext,
    calls: PhaseRetry,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    sources: Mapping[str, Snapshot | None],
    listed: Mapping[str, Sequence[Snapshot]],
    records: dict[tuple[str, str], dict[str, Any]],
    problems: dict[str, list[str]],
) -> None:
    """Where no block can be read: each completed copy of the run held to what the cloud states of its source (no
    read: the copies and sources as the run read them); one that differs carries the verdict (a call), as on AWS."""
    verdicts = _tag_values(listed, DIFFERS_TAG)
    for plan, request, copy, key in _run_copies(plans, outcomes):
        if ctx.check_mode or copy is None:
            records[key] = {'action': WOULD_CHECK}
            continue
        found = verdicts.get(key)
        if found:
            records[key] = {'action': DIFFERS, 'why': found, 'found_before': True}
            problems.setdefault(plan.key, []).append(_differs_problem(key, request.source_id, found))
            continue
        if copy.state != COMPLETED:
            records[key] = {'action': NOT_YET}
            continue
        differences = stated_differences(copy, sources.get(plan.key), request.source_id)
        if differences:
            record = {'action': DIFFERS, 'why': '; '.join(differences)}
            problems.setdefault(plan.key, []).append(_differs_problem(key, request.source_id, record['why']))
            _mark_differs(ctx, calls, copy, listed, record)
            records[key] = record
            continue
        records[key] = {'action': STATED, 'why': 'no block read on this cloud: the restore drill is the proof'}
