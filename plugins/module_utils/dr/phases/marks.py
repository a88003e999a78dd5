# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mark of a DR copy (COPY_TAG: the copy's own id), where the cloud records no copy's source (EBS, CBS): the one
mark that a person's copy of a DR copy, made with our tags, cannot carry. Unmarked, no run prunes a copy."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.errors import CloudError
from ...core.model import copy_mismatches
from ...core.tagging import COPY_TAG, DISK_TAG, SOURCE_TAG
from ...engine.outcomes import COPIED
from ...engine.sightings import GONE
from ..prune import copies_to_mark
from .context import PhaseResult, destination_outcomes
from .copy_requests import copy_requests

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ...engine.outcomes import RequestOutcome
    from .context import DiskPlan, PhaseContext


@dataclass(frozen=True)
class MadeMarks(PhaseResult):
    """The marks phase: its warnings are of copies this run made and could not mark."""


def mark_made_copies(
    ctx: PhaseContext, plans: Sequence[DiskPlan], outcomes: Mapping[str, Sequence[RequestOutcome]]
) -> MadeMarks:
    """Mark each copy this run made that is unmarked. The adapters write the mark as they make the copy (EBS: CreateTags
    from the worker; CBS: in its TagResources); this marks what they left unmarked (a copy adopted after a lost answer,
    a failed tagging call). A copy left unmarked is marked by a later pruning run that finds it (mark_found_copies)."""
    calls = ctx.counted()
    warnings: list[str] = []
    if not ctx.check_mode and not ctx.adapter.records_copy_source:
        for plan, destination_outcome in destination_outcomes(plans, outcomes):
            copy = destination_outcome.snapshot
            # A copy no read showed is not there to mark.
            if (
                destination_outcome.action == COPIED
                and copy is not None
                and copy.id
                and copy.cloud_state not in GONE
                and copy.tags.get(COPY_TAG) != copy.id
            ):
                warnings.extend(_mark(ctx, calls, copy, plan.disk.id))
    return MadeMarks(warnings=tuple(warnings), calls=calls.cost.counts())


def mark_found_copies(
    ctx: PhaseContext,
    calls: PhaseRetry,
    plans: Sequence[DiskPlan],
    listed: Mapping[str, Sequence[Snapshot]],
    source_disks: Mapping[str, str],
) -> tuple[dict[str, Sequence[Snapshot]], list[str]]:
    """Mark the unmarked copies in ``listed`` that a DR run made (dr.prune.copies_to_mark), through the calling phase's
    ``calls``: the DR copies of each region as listed, those a check run would mark counted as marked, and the warnings
    of copies left unmarked."""
    if ctx.adapter.records_copy_source:
        return dict(listed), []
    by_disk = {plan.key: plan for plan in plans}

    def as_a_dr_run_writes(copy: Snapshot, disk_key: str) -> bool:
        return disk_key in by_disk and _as_a_dr_run_writes(ctx, copy, by_disk[disk_key])

    marked: dict[str, Sequence[Snapshot]] = dict(listed)
    warnings: list[str] = []
    for region, region_copies in listed.items():
        chosen = copies_to_mark(region_copies, source_disks, as_a_dr_run_writes)
        if ctx.check_mode:
            ids = {copy.id for copy in chosen}
            marked[region] = [
                dataclasses.replace(copy, tags={**copy.tags, COPY_TAG: copy.id}) if copy.id in ids else copy
                for copy in region_copies
            ]
        else:
            for copy in chosen:
                warnings.extend(_mark(ctx, calls, copy, by_disk[copy.tags[DISK_TAG]].disk.id))
    return marked, warnings


def _as_a_dr_run_writes(ctx: PhaseContext, copy: Snapshot, plan: DiskPlan) -> bool:
    """Whether nothing on ``copy`` differs from what a DR run of ``plan``'s disk writes on a copy of its source."""
    source_id = copy.tags[SOURCE_TAG].partition('/')[2]
    # Each DR region is in exactly one request (the listed copies are all in DR regions).
    (request,) = [
        request
        for request in copy_requests(ctx.settings, ctx.now, source_id, plan.disk.id, plan.disk.name)
        if copy.region in request.destinations
    ]
    return not copy_mismatches(request, copy, ctx.adapter.readable_options)


def _mark(ctx: PhaseContext, calls: PhaseRetry, copy: Snapshot, disk_id: str) -> list[str]:
    """Mark one copy: no warning, or the one to give when the cloud refuses."""
    try:
        calls.call(ctx.adapter.tag_copy, copy, {COPY_TAG: copy.id})
    except CloudError as error:
        # The copy protects the disk all the same; unmarked, no run prunes it.
        return [
            'copy %s of disk %s in %s could not be marked as a DR run\'s (%s): it is not pruned until a later run marks it'
            % (copy.id, disk_id, copy.region, error)
        ]
    return []
