# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The copy tags (dr_sync's ``copy_tags``, dr.copy_tags' rules) on the DR copies found: each DR copy of a disk, as the
run's listing after the copies shows it, gets the copy tags it lacks or carries with another value than the disk's, and
loses those a run set on it earlier (its record, COPY_TAGS_TAG) that are copy tags no more; the copies of a region that
need the same change share a call. A copy that carries them as the disk does costs no call. The copies this run made got
them in their copy call: the listing reads them back. Check mode says what it would set and take off, and calls
nothing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import CloudError
from ...core.model import FAILED
from ...core.tagging import COPY_TAGS_TAG, SOURCE_TAG
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
    record_keys,
    record_value,
    recorded_keys,
    stale_keys,
)
from ..prune import dr_copies_by_disk
from .context import PhaseResult, destination_outcomes

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from ...core.model import Snapshot
    from ...core.retry import PhaseRetry
    from ...core.tagging import TagRules
    from ...engine.outcomes import RequestOutcome
    from .context import DiskPlan, PhaseContext

# {(region, copy id): the copy's record}; a copy this run would make (check mode) is keyed by its source's id.
Records = dict[tuple[str, str], dict[str, Any]]


@dataclass(frozen=True)
class CopyTags(PhaseResult):
    """The phase's result: per disk, the record of each copy of this run (``records``) and of its older copies the run
    tagged or would tag (``others``, each with its region and id); whether it set anything, its warnings and calls."""

    records: Mapping[str, Records] = dataclasses.field(default_factory=dict)
    others: Mapping[str, tuple[dict[str, Any], ...]] = dataclasses.field(default_factory=dict)
    changed: bool = False


@dataclass
class _Retag:
    """One DR copy's change: the copy tags to set (``fit``), the keys to take off (``stale``), and what decides its
    record: the keys recorded on it, the disk's copy tags (``wanted``), the run's fixed tags' keys (``kept``)."""

    copy: Snapshot
    record: dict[str, Any]
    fit: dict[str, str]
    stale: tuple[str, ...]
    recorded: set[str]
    wanted: Mapping[str, str]
    kept: Collection[str]

    def record_after(self, limit: int, untagged: Collection[str] = ()) -> tuple[str, tuple[str, ...]]:
        """(the record the copy should carry once the copy tags are set and ``untagged`` taken off, as record_value
        writes it; the keys it has no room for)."""
        after = {key: value for key, value in self.copy.tags.items() if key not in untagged}
        after.update(self.fit)
        return record_value(record_keys(self.recorded, self.wanted, after, self.kept), limit)

    def untag_keys(self, limit: int) -> tuple[str, ...]:
        """The keys to take off: the stale ones, and the record itself once it would list none."""
        drop_record = COPY_TAGS_TAG in self.copy.tags and not self.record_after(limit, self.stale)[0]
        return self.stale + ((COPY_TAGS_TAG,) if drop_record else ())

    def tags_to_set(self, limit: int) -> dict[str, str]:
        """The copy tags to set and, where it changes, the record. Asked after the untagging, which takes the keys off
        the copy's tags: a key it failed to take off stays recorded, for the next run."""
        value = self.record_after(limit)[0]
        if value and value != self.copy.tags.get(COPY_TAGS_TAG):
            return dict(self.fit, **{COPY_TAGS_TAG: value})
        return dict(self.fit)


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
    kept = frozenset(ctx.settings.copy.tags or {})
    by_disk = dr_copies_by_disk((copy for copies in listed.values() for copy in copies), {plan.key for plan in plans})
    records: dict[str, Records] = {}
    others: dict[str, list[dict[str, Any]]] = {}
    retags: list[_Retag] = []
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
            recorded = recorded_keys(copy.tags.get(COPY_TAGS_TAG))
            stale = stale_keys(recorded, wanted, copy.tags, kept)
            record = copy_tag_record(UNCHANGED, {}, dict(absent, **left_out))
            if fit or stale:
                record['action'] = WOULD_TAG if ctx.check_mode else TAGGED
                record['set'] = dict(sorted(fit.items()))
                record['removed'] = list(stale)
            elif current.get(key) == COPIED:
                # Set in its copy call: what the listing read back.
                record['action'] = COPIED_WITH
                record['set'] = {tag: value for tag, value in sorted(wanted.items()) if copy.tags.get(tag) == value}
            retags.append(_Retag(copy, record, fit, stale, recorded, wanted, kept))
            if key in current:
                disk_records[key] = record
            elif fit or stale:
                # The same dict the tagging calls update.
                record.update(region=copy.region, snapshot_id=copy.id)
                others.setdefault(plan.key, []).append(record)
        _planned(ctx, plan, outcomes, wanted, absent, disk_records)
    limit = rules.value_length
    # What changes (check mode: would change), the records of the copy tags on the copies included: a copy found from
    # before the records gets its own once.
    changing = [retag for retag in retags if retag.untag_keys(limit) or retag.tags_to_set(limit)]
    warnings: list[str] = []
    if not ctx.check_mode:
        # The keys go first, the record after: a key that could not be taken off stays recorded for the next run.
        ctx.each(_untag_calls(ctx, calls, changing, warnings))
        ctx.each(_tag_calls(ctx, calls, changing, warnings))
    unrecorded = sorted({key for retag in retags for key in retag.record_after(limit)[1]})
    if unrecorded:
        warnings.append(
            'copy_tags: the record of the keys a run set on a copy (%s) holds %d characters on %s: %s are set but '
            'not recorded, and no later run takes them off a copy'
            % (COPY_TAGS_TAG, limit, rules.cloud, ', '.join(unrecorded))
        )
    return CopyTags(
        records=records,
        others={key: tuple(items) for key, items in others.items()},
        changed=any(retag.record['action'] != TAG_FAILED for retag in changing),
        warnings=tuple(sorted(set(warnings))),
        calls=calls.cost.counts(),
    )


def _batches(
    ctx: PhaseContext, changes: Sequence[tuple[_Retag, tuple[Any, ...]]]
) -> list[tuple[tuple[Any, ...], list[_Retag]]]:
    """The copies of a region that need the same change (``changes``: (copy, the change)), as many a batch as the
    cloud's call takes: a team renamed reaches every copy of its disks in a few calls."""
    size = max(1, ctx.adapter.copies_per_tag_call)
    groups: dict[tuple[str, tuple[Any, ...]], list[_Retag]] = {}
    for retag, change in changes:
        groups.setdefault((retag.copy.region, change), []).append(retag)
    return [
        (change, batch[start : start + size])
        for (dummy, change), batch in sorted(groups.items(), key=lambda item: item[0])
        for start in range(0, len(batch), size)
    ]


def _failed(retag: _Retag, reason: str, warnings: list[str]) -> None:
    retag.record['action'] = TAG_FAILED
    warnings.append(
        'the copy tags of %s in %s were not brought up to date: %s' % (retag.copy.id, retag.copy.region, reason)
    )


def _untag_calls(
    ctx: PhaseContext, calls: PhaseRetry, changing: Sequence[_Retag], warnings: list[str]
) -> list[Callable[[], None]]:
    """The untagging calls, for the run's workers. A refusal fails the copy tags of the copies it names, never a copy:
    the keys stay on them and in their records."""
    limit = cast('TagRules', ctx.adapter.copy_tag_rules).value_length

    def untagging(batch: Sequence[_Retag], keys: tuple[str, ...]) -> Callable[[], None]:
        def untag() -> None:
            try:
                failures = calls.call(ctx.adapter.untag_copies, [retag.copy for retag in batch], list(keys))
            except CloudError as error:
                failures = {retag.copy.id: error for retag in batch}
            for retag in batch:
                if retag.copy.id in failures:
                    reason = str(failures[retag.copy.id])
                    retag.record['removed'] = []
                    retag.record['not_removed'] = dict.fromkeys(retag.stale, reason)
                    _failed(retag, reason, warnings)

        return untag

    changes = [(retag, retag.untag_keys(limit)) for retag in changing if retag.untag_keys(limit)]
    return [untagging(batch, cast('tuple[str, ...]', keys)) for keys, batch in _batches(ctx, changes)]


def _tag_calls(
    ctx: PhaseContext, calls: PhaseRetry, changing: Sequence[_Retag], warnings: list[str]
) -> list[Callable[[], None]]:
    """The tagging calls, for the run's workers, each with the records of the copies it tags. A refusal fails the copy
    tags of the copies it names, never a copy."""
    limit = cast('TagRules', ctx.adapter.copy_tag_rules).value_length

    def tagging(batch: Sequence[_Retag], tags: dict[str, str]) -> Callable[[], None]:
        def tag() -> None:
            try:
                failures = calls.call(ctx.adapter.tag_copies, [retag.copy for retag in batch], tags)
            except CloudError as error:
                failures = {retag.copy.id: error for retag in batch}
            for retag in batch:
                if retag.copy.id in failures:
                    reason = str(failures[retag.copy.id])
                    retag.record['set'] = {}
                    retag.record['not_set'] = dict(
                        sorted(dict(retag.record['not_set'], **dict.fromkeys(retag.fit, reason)).items())
                    )
                    _failed(retag, reason, warnings)

        return tag

    changes = []
    for retag in changing:
        tags = retag.tags_to_set(limit)
        if tags:
            changes.append((retag, tuple(sorted(tags.items()))))
    return [tagging(batch, dict(cast('tuple[tuple[str, str], ...]', tags))) for tags, batch in _batches(ctx, changes)]


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
