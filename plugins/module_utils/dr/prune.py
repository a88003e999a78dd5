# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which DR copies a run prunes: pure functions of the copies listed, no call.

The safety contract (docs/safety.md): a DR run only ever adds protection.

- Only what a DR run made is a candidate: a copy that carries the DR runs' own marker (DISK_TAG,
  which the copy modules never write) and whose source, where the cloud records one, is the one
  the marker names; where the cloud records none (EBS, CBS), the copy must carry its own id in
  COPY_TAG, which the DR run writes once the cloud has named the copy. A copy made with a copy
  module, or a person's copy of a DR copy with our tags copied along, is never pruned.
- Only completed copies count and only completed copies go, ranked by the recovery point they hold (the source's time,
  dr.points), never by when the copy was made. What dr.points' rule keeps is never deleted: the newest point, the
  standing one (the newest good point no doubt reaches: a copy that differs from its source, is suspect or unmeasured,
  or comes after a suspect or unmeasured one never frees it) and the newest suspect or unmeasured one, whose mark holds
  it until a person takes it off. A copy in flight, a failed one (the user reads why, then deletes it:
  docs/failed-copies.md), one this run uses or has just made, and one already on its way out are never deleted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.model import COMPLETED, DELETING, PENDING
from ..core.tagging import COPY_TAG, DISK_TAG, SET_TAG, SOURCE_TAG
from .groups import copies_complete, copy_sets, sets_holding
from .points import GOOD, Holding, copies_holding, copy_verdict, holding, own_point, point_order

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Container, Iterable, Mapping

    from ..core.model import Snapshot


def made_by_a_dr_run(copy: Snapshot) -> bool:
    """Whether ``copy`` carries the DR runs' marker and the cloud's own record of its source agrees with it; where the
    cloud keeps no such record, whether the copy names itself in COPY_TAG (a copy of it would name another id)."""
    if not copy.tags.get(DISK_TAG) or not copy.tags.get(SOURCE_TAG):
        return False
    if copy.source_id is None:
        return copy.tags.get(COPY_TAG) == copy.id
    region, dummy, snapshot_id = copy.tags[SOURCE_TAG].partition('/')
    return copy.source_id == snapshot_id and (copy.source_region is None or copy.source_region == region)


def dr_copies_by_disk(copies: Iterable[Snapshot], disk_keys: Container[str]) -> dict[str, list[Snapshot]]:
    """{disk key: [copy]} for the copies that DR runs made of the disks in ``disk_keys`` ('<region>/<disk id>', as
    DISK_TAG names them): what pruning may choose from. A copy on its way out is neither kept nor pruned again."""
    groups: dict[str, list[Snapshot]] = {}
    for copy in copies:
        if copy.state != DELETING and made_by_a_dr_run(copy) and copy.tags[DISK_TAG] in disk_keys:
            groups.setdefault(copy.tags[DISK_TAG], []).append(copy)
    return groups


def copies_to_mark(
    copies: Iterable[Snapshot], source_disks: Mapping[str, str], as_a_dr_run_writes: Callable[[Snapshot, str], bool]
) -> list[Snapshot]:
    """The unmarked copies of one region that a DR run made, where the cloud links no copy to its source: what a run
    killed between a copy and its mark leaves, and copies from before the mark existed. Such a copy carries DISK_TAG
    naming the disk whose snapshot its SOURCE_TAG names (``source_disks``, {'<region>/<snapshot id>': disk key}), is
    the only copy of that source in the region (a second one may be a person's copy of it), and
    ``as_a_dr_run_writes(copy, disk_key)``: nothing differs from what a DR run of that disk writes (on AWS the
    description, on CBS the name)."""
    by_source: dict[str, list[Snapshot]] = {}
    for copy in copies:
        if copy.source_id is None and copy.state != DELETING and copy.tags.get(SOURCE_TAG):
            by_source.setdefault(copy.tags[SOURCE_TAG], []).append(copy)
    chosen: list[Snapshot] = []
    for source, group in sorted(by_source.items()):
        disk_key = group[0].tags.get(DISK_TAG)
        if (
            len(group) == 1
            and COPY_TAG not in group[0].tags
            and disk_key
            and source_disks.get(source) == disk_key
            and as_a_dr_run_writes(group[0], disk_key)
        ):
            chosen.append(group[0])
    return chosen


def copies_by_disk(
    copies: Iterable[Snapshot], disk_keys: Container[str], source_disks: Mapping[str, str]
) -> dict[str, list[Snapshot]]:
    """{disk key: [copy]} for every copy of the disks in ``disk_keys`` that the restore drill may restore (it reads
    copies and deletes none): DR copies by DISK_TAG, copy modules' copies through their source snapshot
    ('<region>/<snapshot id>', from SOURCE_TAG or the cloud's link) and ``source_disks`` ({source: disk key})."""
    groups: dict[str, list[Snapshot]] = {}
    for copy in copies:
        if copy.state == DELETING:
            continue
        source = copy.tags.get(SOURCE_TAG) or '%s/%s' % (copy.source_region, copy.source_id)
        disk_key = copy.tags.get(DISK_TAG) or source_disks.get(source)
        if disk_key is not None and disk_key in disk_keys:
            groups.setdefault(disk_key, []).append(copy)
    return groups


@dataclass(frozen=True)
class PruneRule:
    """What lets an older completed copy go, for prune_selection and prune_set_selection alike: ranked by recovery
    points (``point_of``: a copy's, dr.points), ``keep_copies`` keeps that many of the newest and ``max_age_days`` lets
    those older at ``now`` go. ``in_use`` are ids this run reports as its copies, never deleted. ``verdict_of`` reads a
    copy's marks (dr.points.MarksHeld where a person's copies count too)."""

    now: datetime.datetime
    keep_copies: int | None = None
    max_age_days: float | None = None
    in_use: Collection[str] = ()
    point_of: Callable[[Snapshot], str | None] = own_point
    verdict_of: Callable[[Snapshot], str] = copy_verdict

    def lets_go(self, rank: int, newest: Snapshot) -> bool:
        """Whether the copy (or set) ranked ``rank`` (0: the newest point), whose newest copy is ``newest``, is beyond
        keep_copies or older than max_age_days."""
        too_many = self.keep_copies is not None and 0 < self.keep_copies <= rank
        too_old = bool(self.max_age_days) and newest.age_hours(self.now) > (self.max_age_days or 0) * 24
        return too_many or too_old


def prune_selection(
    copies: Collection[Snapshot],
    rule: PruneRule,
    *,
    completed_to_come: bool = False,
    others: Collection[Snapshot] = (),
) -> tuple[list[Snapshot], list[Snapshot]]:
    """(to delete, to keep): one disk's DR copies in one region, each list newest point first (``rule.point_of``).

    Of the completed copies, ``rule`` lets older ones go; what dr.points' rule keeps is always kept: the newest point,
    the standing one (the newest good point no doubt reaches) and the newest suspect or unmeasured one. With
    ``completed_to_come`` (check mode, where a real run that waits would first make a copy
    of the disk's newest snapshot and see it complete), that copy is ranked first, so that the plan prunes what the real
    run would. Copies that are not completed are kept, and not counted.

    ``others`` are the disk's other copies in the region (a person's copy of a DR copy, with its tags): never deleted
    here, but their marks are read (``rule.verdict_of``: dr.points.MarksHeld) where the report and the look before
    copying read them, so that a point they keep has its DR copies kept too.
    """
    delete: list[Snapshot]
    keep: list[Snapshot]
    delete, keep = [], []
    point_of, verdict_of = rule.point_of, rule.verdict_of
    held = copies_holding(copies, point_of, verdict_of)

    def kept_by(points_rule: Holding[Snapshot]) -> set[int]:
        if not completed_to_come:
            return {id(point) for point in points_rule.kept()}
        # The copy to come is the newest point, unmarked: the rule as the real run would find it once it completed.
        to_come: list[Snapshot | None] = [None, *points_rule.points]
        with_it = holding(to_come, lambda point: GOOD if point is None else verdict_of(point))
        return {id(point) for point in with_it.kept() if point is not None}

    protected = kept_by(held)
    if others:
        # The points the rule keeps over every copy of the disk there keep the DR copies of those points.
        everything = copies_holding([*copies, *others], point_of, verdict_of)
        kept_there = kept_by(everything)
        points = {point_of(point) for point in everything.points if id(point) in kept_there}
        protected |= {id(copy) for copy in held.points if point_of(copy) in points}
    for rank, copy in enumerate(held.points, start=1 if completed_to_come else 0):
        kept = id(copy) in protected or copy.id in rule.in_use
        (delete if rule.lets_go(rank, copy) and not kept else keep).append(copy)
    keep += [copy for copy in copies if copy.state != COMPLETED]
    return delete, sorted(keep, key=lambda copy: point_order(copy, point_of(copy)), reverse=True)


def prune_set_selection(
    copies: Mapping[str, Collection[Snapshot]], rule: PruneRule, *, completed_to_come: bool = False
) -> dict[str, tuple[list[Snapshot], list[Snapshot]]]:
    """{disk key: (to delete, to keep)} for the DR copies of one consistency group's disks in one region (``copies``,
    by disk key: every member's key, an empty list for a member without copies), pruned as sets (dr.groups): the rules
    of prune_selection (``rule``), where a set counts as one copy, its recovery point its members' newest and its
    verdict its worst member's (dr.points).

    A set is the copies that carry one SET_TAG; it is complete when every member has a completed copy of it. The newest
    complete set is always kept, and so is every set newer than it (in flight, failed or partial: its replacement), and
    what dr.points' rule keeps of the complete sets (the standing set, the newest suspect or unmeasured one); of the
    older complete sets, the rule's keep_copies and max_age_days (by the set's newest copy) let go, all members' copies
    together. An older partial set (a member's copy failed or deleted) is deleted whole once a newer complete set
    exists. A set with a copy in flight, or one this run uses (the rule's in_use), is kept whole. Copies without SET_TAG
    (made before the disks were grouped) are pruned per disk by prune_selection, and only once the group has a complete
    set. Copies that are not completed are kept, as prune_selection keeps them.
    """
    members = sorted(copies)
    ordered = copy_sets(copies, rule.point_of)
    untagged = {key: [copy for copy in copies[key] if not copy.tags.get(SET_TAG)] for key in members}

    def held(set_copies: list[tuple[str, Snapshot]]) -> bool:
        return any(copy.state == PENDING or copy.id in rule.in_use for dummy, copy in set_copies)

    def newest_copy(set_copies: list[tuple[str, Snapshot]]) -> Snapshot:
        return max((copy for dummy, copy in set_copies), key=lambda copy: copy.age_order())

    complete = [index for index, (dummy, found) in enumerate(ordered) if copies_complete(members, found)]
    newest_complete = complete[0] if complete else None
    # dr.points' rule over the sets, as every surface reads them: a suspect or unmeasured copy of a torn set reaches the
    # newer sets and is kept, with the standing set its mark holds.
    protected = set(sets_holding(ordered, members, rule.verdict_of).kept())
    delete: dict[str, list[Snapshot]] = {key: [] for key in members}
    rank = 1 if completed_to_come else 0
    for index, (dummy, found) in enumerate(ordered):
        if newest_complete is None or index <= newest_complete or index in protected or held(found):
            continue
        if copies_complete(members, found):
            rank += 1
            if not rule.lets_go(rank, newest_copy(found)):
                continue
        for key, copy in found:
            if copy.state == COMPLETED:
                delete[key].append(copy)
    chosen: dict[str, tuple[list[Snapshot], list[Snapshot]]] = {}
    for key in members:
        gone = {copy.id for copy in delete[key]}
        own_delete, own_keep = (
            prune_selection(untagged[key], rule) if newest_complete is not None else ([], list(untagged[key]))
        )
        tagged_keep = [
            copy for dummy, found in ordered for member, copy in found if member == key and copy.id not in gone
        ]

        def order(copy: Snapshot) -> tuple[datetime.datetime, datetime.datetime, str]:
            return point_order(copy, rule.point_of(copy))

        chosen[key] = (
            sorted(delete[key] + own_delete, key=order, reverse=True),
            sorted(tagged_keep + own_keep, key=order, reverse=True),
        )
    return chosen
