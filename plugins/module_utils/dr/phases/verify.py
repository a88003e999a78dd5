# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification as a phase of the run (dr.verify's rules): each completed DR copy of the run not verified before is read
block by block beside its source, before the drill and pruning; a copy verified is marked (VERIFIED_TAG), one that
differs is no DR copy and fails its disk. Check mode reads the sources' block lists only, and plans the calls."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.errors import CloudError
from ...core.model import COMPLETED
from ...core.tagging import VERIFIED_TAG
from ...engine.outcomes import NOT_COPIED, WOULD_COPY
from ..verify import checksum_mismatches, differing_blocks, sample_blocks, verify_cost

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ...engine.outcomes import RequestOutcome
    from ..capabilities import BlockReadAdapter
    from .context import DiskPlan, PhaseContext

# What verification did about a copy: verified (its blocks agree with its source's), differs, not verified (a read
# failed: why), verified before (its mark), would verify (check mode), in flight (a later run verifies it).
VERIFIED, DIFFERS, NOT_VERIFIED = 'verified', 'differs', 'not_verified'
VERIFIED_BEFORE, WOULD_VERIFY, NOT_YET = 'verified_before', 'would_verify', 'in_flight'


@dataclass(frozen=True)
class Verification:
    """The phase's result: a record per copy ({(region, copy id): record}; a copy a check run plans by its source's id),
    the problems of each disk, and the calls."""

    records: Mapping[tuple[str, str], dict[str, Any]] = dataclasses.field(default_factory=dict)
    problems: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)


def verify_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    *,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
) -> Verification:
    """With verify, verify each of the run's copies in ``outcomes`` (``listed``: each DR region's copies as listed after
    the copies, with their marks)."""
    reader = ctx.blocks
    if not ctx.settings.verify.enabled or reader is None:  # DrRun.validate lets verify start only on such a cloud
        return Verification()
    calls = ctx.counted()
    marks = {(region, copy.id): copy.tags.get(VERIFIED_TAG) for region, copies in listed.items() for copy in copies}
    sources: dict[tuple[str, str], dict[int, str]] = {}
    records: dict[tuple[str, str], dict[str, Any]] = {}
    problems: dict[str, list[str]] = {}
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
                    if ctx.check_mode or copy is None:
                        record = _planned(ctx, sources[source])
                    elif marks.get(key):
                        record = {'action': VERIFIED_BEFORE, 'mark': marks[key]}
                    elif copy.state != COMPLETED:
                        record = {'action': NOT_YET}
                    else:
                        record = _verify(ctx, calls, reader, copy, source, sources[source])
                except CloudError as error:
                    record = {'action': NOT_VERIFIED, 'error': error.as_result()}
                    problems.setdefault(plan.key, []).append('verifying the copy in %s: %s' % (key[0], error))
                if record['action'] == DIFFERS:
                    problems.setdefault(plan.key, []).append(
                        'DR copy %s in %s differs from its source %s: %s'
                        % (key[1], key[0], request.source_id, record['why'])
                    )
                records[key] = record
    return Verification(
        records=records,
        problems={key: tuple(found) for key, found in problems.items()},
        calls=calls.cost.counts(),
    )


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
    source_sums = {index: calls.call(reader.block_checksum, *source, index, source_blocks[index]) for index in sample}
    copy_sums = {
        index: calls.call(reader.block_checksum, copy.region, copy.id, index, copy_blocks[index]) for index in sample
    }
    mismatches = checksum_mismatches(source_sums, copy_sums)
    if mismatches:
        return dict(record, action=DIFFERS, why='blocks whose data differ: %s' % mismatches[:10], sampled=len(sample))
    mark = '%s sample=%s' % (ctx.now.strftime('%Y-%m-%dT%H:%M:%SZ'), 'full' if settings.full else len(sample))
    calls.call(ctx.adapter.tag_copy, copy, {VERIFIED_TAG: mark})
    return dict(record, action=VERIFIED, sampled=len(sample), mark=mark)
