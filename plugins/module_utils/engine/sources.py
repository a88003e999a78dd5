# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sources of a run's requests: read (one batched read per region, unless the caller has just read them), waited for
while pending (with wait), and checked: a source that is missing, being deleted, failed or not ready fails its request
before any copy call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import CloudError
from ..core.grouping import group_by
from ..core.model import DELETING, FAILED, PENDING
from ..core.polling import DONE, STILL_GOING, poll

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..core.model import Snapshot
    from .context import EngineRun
    from .outcomes import RequestOutcome


def load_sources(engine: EngineRun, outcomes: list[RequestOutcome], known: Mapping[tuple[str, str], Snapshot]) -> None:
    """Give each of ``outcomes`` its source (from ``known``, else read), wait for those pending (with wait), and fail
    those that cannot be copied. A failed read of one source fails its request; of several, the run."""
    by_region = group_by(outcomes, lambda outcome: outcome.request.source_region)
    for region, group in by_region.items():
        for outcome in group:
            outcome.source = known.get((region, outcome.request.source_id))
        unknown = [outcome for outcome in group if outcome.source is None]
        ids = sorted({outcome.request.source_id for outcome in unknown})
        if not ids:
            continue
        try:
            sources = engine.call(engine.adapter.get_sources, region, ids)
        except CloudError as error:
            if len(ids) > 1:
                raise
            for outcome in unknown:
                outcome.error = error
            continue
        for outcome in unknown:
            outcome.source = sources.get(outcome.request.source_id)
    pending = [outcome for outcome in outcomes if outcome.source is not None and outcome.source.state == PENDING]
    if pending and engine.config.wait and not engine.config.check_mode:
        wait_for_sources(engine, pending)
    for outcome in outcomes:
        if outcome.error is None:
            outcome.error = source_problem(engine, outcome)


def source_problem(engine: EngineRun, outcome: RequestOutcome) -> CloudError | None:
    """Why ``outcome``'s source cannot be copied (the adapter has its own checks too), or None."""
    request, source = outcome.request, outcome.source
    if source is None:
        return CloudError(
            'Describe',
            'NotFound',
            'source snapshot %s was not found in %s' % (request.source_id, request.source_region),
        )
    if source.state == DELETING:
        return CloudError(
            'Describe',
            'SourceDeleting',
            'source snapshot %s is being deleted (state %s) and cannot be copied' % (source.id, source.cloud_state),
        )
    if source.state == FAILED:
        return CloudError(
            'Describe',
            'SourceFailed',
            'source snapshot %s is in state %s (%s) and cannot be copied'
            % (source.id, source.cloud_state, source.message or 'no reason given'),
        )
    if source.state == PENDING and not (engine.config.check_mode and engine.config.wait):
        return CloudError(
            'Describe',
            'SourceNotReady',
            'source snapshot %s is still %s (%s%%); copy it once it is complete, or set wait: true to wait for it'
            % (source.id, source.cloud_state, source.progress if source.progress is not None else '?'),
        )
    try:
        engine.adapter.check_source(request, source)
    except CloudError as error:
        return error
    return None


def wait_for_sources(engine: EngineRun, outcomes: list[RequestOutcome]) -> None:
    # Each of ``outcomes`` has its source (a pending one), and the run has set the deadline.
    def read() -> list[RequestOutcome]:
        for region, group in group_by(outcomes, lambda outcome: outcome.request.source_region).items():
            seen = engine.call(engine.adapter.describe, region, sorted({outcome.read_source.id for outcome in group}))
            for outcome in group:
                outcome.source = seen.get(outcome.read_source.id, outcome.source)
        return outcomes

    poll(
        read,
        lambda group: STILL_GOING if any(outcome.read_source.state == PENDING for outcome in group) else DONE,
        engine.deadline,
        engine.config.poll_interval,
        sleep=engine.sleep,
        clock=engine.clock,
        max_interval=engine.config.max_poll_interval,
    )
