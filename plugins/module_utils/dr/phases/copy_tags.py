# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The copy tags (dr_sync's ``copy_tags``, dr.copy_tags' rules) on the DR copies found: each DR copy of a disk, as the
run's listing after the copies shows it, gets the copy tags it lacks or carries with another value than the disk's, in
one tagging call per such copy; a copy that carries them as the disk does costs no call. The copies this run made got
them in their copy call: the listing reads them back. Check mode says what it would set and calls nothing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import CloudError
from ...core.model import FAILED
from ...core.tagging import SOURCE_TAG
from ...engine.outcomes import COPIED, WOULD_COPY
from ..copy_tags import (
    COPIED_WITH,
    TAG_FAILED,
    TAGGED,
    UNCHANGED,
    WOULD_COPY_WITH,
    WOULD_TAG,
    copy_tag_record,
    disk_copy_tags,
    fitting,
    later_marks,
    no_tags_reason,
)
from ..prune import dr_copies_by_disk
from .context import destination_outcomes

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ...core.tagging import TagRules
    from ...engine.outcomes import RequestOutcome
    from .context import DiskPlan, PhaseContext

# {(region, copy id): the copy's record}; a copy this run would make (check mode) is keyed by its source's id.
Records = dict[tuple[str, str], dict[str, Any]]


@dataclass(frozen=True)
class CopyTags:
    """The phase's result: per disk, the record of each copy of this run (``records``) and of its older copies the run
    tagged or would tag (``others``, each with its region and id); whether it set anything, its warnings and calls."""

    records: Mapping[str, Records] = dataclasses.field(default_factory=dict)
    others: Mapping[str, tuple[dict[str, Any], ...]] = dataclasses.field(default_factory=dict)
    changed: bool = False
    warnings: tuple[str, ...] = ()
    calls: Mapping[str, int] = dataclasses.field(default_factory=dict)


def carry_copy_tags(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    listed: Mapping[str, Sequence[Snapshot]],
) -> CopyTags:
    """Bring the copy tags of every DR copy of the run's disks in ``listed`` up to date with their disks' tags."""
    named = ctx.settings.copy.copy_tags
    if not named:
        return CopyTags()
    rules = ctx.adapter.copy_tag_rules
    if rules is None:
        return _not_kept(ctx, plans, outcomes)
    calls = ctx.counted()
    marks = later_marks(ctx.adapter, ctx.settings.dr_account is not None)
    by_disk = dr_copies_by_disk((copy for copies in listed.values() for copy in copies), {plan.key for plan in plans})
    records: dict[str, Records] = {}
    others: dict[str, list[dict[str, Any]]] = {}
    # {(region, the tags to set): [(copy, its record)]}: the copies that need the same tags, tagged together.
    pending: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[Snapshot, dict[str, Any]]]] = {}
    for plan in plans:
        wanted, absent = disk_copy_tags(named, plan.disk.tags)
        current = {
            (outcome.destination, outcome.snapshot.id): outcome.action
            for dummy, outcome in destination_outcomes([plan], outcomes)
            if outcome.snapshot is not None and outcome.snapshot.id
        }
        disk_records = records.setdefault(plan.key, {})
        # A failed copy is no DR copy: nothing to bill, and a cloud may refuse to tag it.
        for copy in (copy for copy in by_disk.get(plan.key, ()) if copy.state != FAILED):
            key = (copy.region, copy.id)
            differing = {tag: value for tag, value in wanted.items() if copy.tags.get(tag) != value}
            fit, left_out = fitting(differing, copy.tags, rules, marks)
            record = copy_tag_record(UNCHANGED, {}, dict(absent, **left_out))
            if fit:
                record['action'] = WOULD_TAG if ctx.check_mode else TAGGED
                record['set'] = dict(sorted(fit.items()))
                if not ctx.check_mode:
                    pending.setdefault((copy.region, tuple(sorted(fit.items()))), []).append((copy, record))
            elif current.get(key) == COPIED:
                # Set in its copy call: what the listing read back.
                record['action'] = COPIED_WITH
                record['set'] = {tag: value for tag, value in sorted(wanted.items()) if copy.tags.get(tag) == value}
            if key in current:
                disk_records[key] = record
            elif fit:
                # The same dict the tagging call updates.
                record.update(region=copy.region, snapshot_id=copy.id)
                others.setdefault(plan.key, []).append(record)
        _planned(ctx, plan, outcomes, wanted, absent, disk_records)
    ctx.each(_tag_calls(ctx, calls, pending))
    every = [
        (region, copy_id, record)
        for disk_records in records.values()
        for (region, copy_id), record in disk_records.items()
    ] + [(record['region'], record['snapshot_id'], record) for items in others.values() for record in items]
    warnings = [
        'the copy tags of %s in %s were not set: %s' % (copy_id, region, record['not_set'])
        for region, copy_id, record in every
        if record['action'] == TAG_FAILED
    ]
    changed = any(record['action'] in (TAGGED, WOULD_TAG) for dummy, dummy_id, record in every)
    return CopyTags(
        records=records,
        others={key: tuple(items) for key, items in others.items()},
        changed=changed,
        warnings=tuple(warnings),
        calls=calls.cost.counts(),
    )


def _tag_calls(
    ctx: PhaseContext,
    calls: PhaseRetry,
    pending: Mapping[tuple[str, tuple[tuple[str, str], ...]], Sequence[tuple[Snapshot, dict[str, Any]]]],
) -> list[Callable[[], None]]:
    """The tagging calls, for the run's workers: the copies of a region that need the same tags, as many a call as the
    cloud's takes (a team renamed reaches every copy of its disks in a few calls). A refusal fails the copy tags of the
    copies it names, never a copy."""
    size = max(1, ctx.adapter.copies_per_tag_call)

    def tagging(batch: Sequence[tuple[Snapshot, dict[str, Any]]], tags: dict[str, str]) -> Callable[[], None]:
        def tag() -> None:
            try:
                failures = calls.call(ctx.adapter.tag_copies, [copy for copy, dummy in batch], tags)
            except CloudError as error:
                failures = {copy.id: error for copy, dummy in batch}
            for copy, record in batch:
                if copy.id in failures:
                    record['action'] = TAG_FAILED
                    record['set'] = {}
                    reason = str(failures[copy.id])
                    record['not_set'] = dict(sorted(dict(record['not_set'], **dict.fromkeys(tags, reason)).items()))

        return tag

    return [
        tagging(batch[start : start + size], dict(fit))
        for (dummy, fit), batch in sorted(pending.items(), key=lambda item: item[0])
        for start in range(0, len(batch), size)
    ]


def _planned(
    ctx: PhaseContext,
    plan: DiskPlan,
    outcomes: Mapping[str, Sequence[RequestOutcome]],
    wanted: Mapping[str, str],
    absent: Mapping[str, str],
    disk_records: Records,
) -> None:
    """The records of the copies the listing does not show: a copy a check run would make gets what its copy call would
    carry; a copy of this run the listing missed, what the engine read back of it."""
    rules = ctx.adapter.copy_tag_rules
    for dummy, outcome in destination_outcomes([plan], outcomes):
        snapshot = outcome.snapshot
        if outcome.action == WOULD_COPY:
            # As copy_requests fitted them into the copy call: beside the call's other tags.
            others = {
                tag: value
                for tag, value in outcome_request_tags(outcomes, plan.key, outcome.destination).items()
                if tag not in wanted
            }
            fit, left_out = fitting(
                wanted,
                dict(others, **{SOURCE_TAG: ''}),
                cast('TagRules', rules),
                later_marks(ctx.adapter, ctx.settings.dr_account is not None),
            )
            disk_records[(outcome.destination, plan_source_id(outcomes, plan.key))] = copy_tag_record(
                WOULD_COPY_WITH, fit, dict(absent, **left_out)
            )
        elif snapshot is not None and snapshot.id and (outcome.destination, snapshot.id) not in disk_records:
            carried = {tag: value for tag, value in wanted.items() if snapshot.tags.get(tag) == value}
            action = COPIED_WITH if outcome.action == COPIED else UNCHANGED
            disk_records[(outcome.destination, snapshot.id)] = copy_tag_record(action, carried, absent)


def outcome_request_tags(
    outcomes: Mapping[str, Sequence[RequestOutcome]], disk_key: str, destination: str
) -> dict[str, str]:
    """The tags of the copy call of ``disk_key`` to ``destination``."""
    for outcome in outcomes.get(disk_key, ()):
        if destination in outcome.destinations:
            return {str(key): str(value) for key, value in (outcome.request.options.get('tags') or {}).items()}
    return {}


def plan_source_id(outcomes: Mapping[str, Sequence[RequestOutcome]], disk_key: str) -> str:
    """The source snapshot of a disk's copy requests (every request of a disk copies the same source)."""
    requests = outcomes.get(disk_key, ())
    return requests[0].request.source_id if requests else ''


def _not_kept(
    ctx: PhaseContext, plans: Sequence[DiskPlan], outcomes: Mapping[str, Sequence[RequestOutcome]]
) -> CopyTags:
    """Where the cloud keeps no tags on snapshots (ENS): the copies are made all the same, each saying why it carries
    none of the copy tags, and the run warns once."""
    reason = no_tags_reason(ctx.adapter)
    records: dict[str, Records] = {}
    for plan, outcome in destination_outcomes(plans, outcomes):
        if outcome.action is None:
            continue
        copy_id = outcome.snapshot.id if outcome.snapshot is not None and outcome.snapshot.id else None
        records.setdefault(plan.key, {})[(outcome.destination, copy_id or plan_source_id(outcomes, plan.key))] = (
            copy_tag_record(UNCHANGED, {}, dict.fromkeys(ctx.settings.copy.copy_tags, reason))
        )
    return CopyTags(
        records=records,
        warnings=('copy_tags: %s, so no copy carries the disk\'s tags' % reason,),
    )
