# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode's dry run of the copies: each copy a check run would make is put to the cloud's dry run
(DrAdapter.dry_run_copies: on EBS a CopySnapshot with DryRun, once a source region, DR region and key), so that a
permission the run lacks is found before a real run finds it. A destination the cloud refuses is not copied, as it
would not be, and its PreflightError is the plan's preflight (dr.phases.plan). A real run sends none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.outcomes import NOT_COPIED, WOULD_COPY

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...engine.outcomes import RequestOutcome
    from .context import CountedRetry, PhaseContext


def dry_run_copies(ctx: PhaseContext, calls: CountedRetry, outcomes: Sequence[RequestOutcome]) -> None:
    """In check mode, the cloud's dry run of every destination of ``outcomes`` that would get a copy (through ``calls``,
    the copy phase's count); a refused one is NOT_COPIED with its PreflightError."""
    if not ctx.check_mode:
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
