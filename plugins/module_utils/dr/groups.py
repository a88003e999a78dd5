# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consistency groups (issue 49): disks whose snapshots a cloud makes at one moment and that are restored together (the
data and log disks of a database), so protected only as a set.

A *set* is the snapshots that one request made together: on ECS and CBS a snapshot group (its id), on EBS the
snapshots of one CreateSnapshots call where evidence says so (a set tag, a DLM policy of instances: clouds/aws/ebs_dr.py;
a shared StartTime alone is none). The cloud's adapter says which set a snapshot is of (``set_of``); this file holds the
rules, once for every cloud:

- a group's recovery point is its newest *complete* set: one snapshot of the set for each member disk, each completed;
- a newer set is no recovery point: *in flight* while a member is still pending, *torn* when a member failed, is
  missing (a disk attached since, a snapshot deleted) or the set holds two snapshots of one disk. It is shown as what
  it is, and the previous complete set stays the group's point: a set is never made of members of different moments;
- a set counts in a DR region only when every member's copy there is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.model import COMPLETED, FAILED, PENDING
from ..core.tagging import SET_TAG
from .capabilities import set_part
from .points import (
    FAILED_COPY,
    SPREADING,
    SUSPECT,
    Holding,
    holding,
    hours_since,
    own_point,
    point_order,
    region_points,
    worst_verdict,
)
from .settings import GROUP_BY_INSTANCE, GROUP_BY_TAG

if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Any

    from ..core.dr_model import Disk
    from ..core.model import Snapshot
    from .capabilities import DrAdapter, LookAlikeSet, SnapshotSetAdapter
    from .settings import GroupSettings

#: A set's state: COMPLETED (a recovery point), IN_FLIGHT (a member still being made), TORN (never one).
IN_FLIGHT, TORN = 'in_flight', 'torn'


@dataclass(frozen=True)
class Group:
    """A consistency group: its ``key`` (the instance's id, or the tag's value: what GROUP_TAG holds on its copies), its
    name as people read it, and its disks, in the order of their ids."""

    key: str
    name: str
    disks: tuple[Disk, ...]

    @property
    def disk_ids(self) -> tuple[str, ...]:
        return tuple(disk.id for disk in self.disks)

    @property
    def instances(self) -> list[str]:
        """The instances its disks are attached to."""
        return sorted({disk.instance_id for disk in self.disks if disk.instance_id})


def sets_of(adapter: DrAdapter, settings: GroupSettings) -> SnapshotSetAdapter | None:
    """The adapter's snapshot sets part when ``settings`` group disks (None without groups); an InputError
    naming consistency_groups, before any call, where the cloud makes no sets."""
    if settings.by is None:
        return None
    sets = set_part(adapter)
    if sets is None:
        raise InputError(
            'consistency_groups',
            '%s has no API that snapshots disks together (no snapshot group, no multi-disk snapshot), so no set of '
            'its disks is made at one moment: leave this option unset' % adapter.cloud,
        )
    return sets


def consistency_groups(disks: Iterable[Disk], settings: GroupSettings) -> list[Group]:
    """The groups of two or more of ``disks`` as ``settings`` forms them, by name; a disk of no instance (or without the
    tag key) and a disk alone in its group are in none: each stands on its own, as without groups."""
    members: dict[str, list[Disk]] = {}
    for disk in disks:
        key = (
            disk.instance_id
            if settings.by == GROUP_BY_INSTANCE
            else disk.tags.get(settings.tag_key or '')
            if settings.by == GROUP_BY_TAG
            else None
        )
        if key:
            members.setdefault(key, []).append(disk)
    return [
        Group(
            key,
            key if settings.by == GROUP_BY_INSTANCE else '%s=%s' % (settings.tag_key, key),
            tuple(sorted(group, key=lambda disk: disk.id)),
        )
        for key, group in sorted(members.items())
        if len(group) > 1
    ]


@dataclass(frozen=True)
class SnapshotSet:
    """The snapshots of one set, by the member disk each is of (``doubled``: disks of which the set holds more than one
    snapshot, which no cloud's set does: such a set is torn)."""

    set_id: str
    members: Mapping[str, Snapshot]
    doubled: frozenset[str] = frozenset()

    def state(self, disks: Sequence[str]) -> str:
        """COMPLETED, IN_FLIGHT or TORN, for a group of ``disks``."""
        snapshots = [self.members.get(disk) for disk in disks]
        if self.doubled or any(snapshot is None or snapshot.state == FAILED for snapshot in snapshots):
            return TORN
        if any(snapshot is not None and snapshot.state == PENDING for snapshot in snapshots):
            return IN_FLIGHT
        return (
            COMPLETED if all(snapshot is not None and snapshot.state == COMPLETED for snapshot in snapshots) else TORN
        )

    def age_hours(self, now: datetime.datetime) -> float:
        """The set's age: its oldest member's."""
        return max(snapshot.age_hours(now) for snapshot in self.members.values())

    def order(self) -> tuple[datetime.datetime, str]:
        """Sorts sets oldest first: by their newest member's time, then by id."""
        return max(snapshot.age_order() for snapshot in self.members.values())[0], self.set_id


@dataclass(frozen=True)
class GroupPoint:
    """A group's disks, its recovery point (the newest complete set; None when it has none) and the sets newer than
    the point, each with its state (IN_FLIGHT or TORN), newest last."""

    name: str
    disks: tuple[str, ...]
    point: SnapshotSet | None
    newer: tuple[tuple[SnapshotSet, str], ...] = ()
    #: Snapshots of its disks that look like a set and are in none (dr.capabilities.LookAlikeSet).
    look_alikes: tuple[LookAlikeSet, ...] = ()
    #: {set id: why the cloud does not call it crash-consistent} of its sets (a CBS group of type NORMAL).
    not_crash_consistent: Mapping[str, str] = field(default_factory=dict)
    #: Why the cloud can make no set of its disks (too many, the wrong kind; None: it can), said once for the group.
    refusal: str | None = None

    def crash_consistent(self, set_id: str | None) -> bool | None:
        """Whether the cloud calls the set ``set_id`` crash-consistent (None for no set)."""
        return None if set_id is None else set_id not in self.not_crash_consistent


def snapshot_sets(
    disks: Sequence[str], snapshots_of: Mapping[str, Sequence[Snapshot]], set_of: Callable[[Snapshot], str | None]
) -> list[SnapshotSet]:
    """The sets that the snapshots of ``disks`` belong to, oldest first; a snapshot of no set (``set_of`` None: one made
    on its own) is in none."""
    members: dict[str, dict[str, Snapshot]] = {}
    doubled: dict[str, set[str]] = {}
    for disk in disks:
        for snapshot in snapshots_of.get(disk, ()):
            set_id = set_of(snapshot)
            if set_id is None:
                continue
            if disk in members.setdefault(set_id, {}):
                doubled.setdefault(set_id, set()).add(disk)
            members[set_id][disk] = snapshot
    sets = [SnapshotSet(set_id, snapshots, frozenset(doubled.get(set_id, ()))) for set_id, snapshots in members.items()]
    return sorted(sets, key=SnapshotSet.order)


def group_look_alikes(
    look_alikes: Iterable[LookAlikeSet], group: Group, snapshots: Mapping[str, Sequence[Snapshot]]
) -> tuple[LookAlikeSet, ...]:
    """Those of ``look_alikes`` (SetReading's: snapshots that look like a set and are in none) that hold a snapshot of
    ``group``'s disks."""
    mine = {snapshot.id for disk in group.disk_ids for snapshot in snapshots.get(disk, ())}
    return tuple(found for found in look_alikes if mine.intersection(found.snapshot_ids))


def group_point(
    name: str,
    disks: Sequence[str],
    snapshots_of: Mapping[str, Sequence[Snapshot]],
    set_of: Callable[[Snapshot], str | None],
) -> GroupPoint:
    """The group ``name`` of ``disks``: its newest complete set, and the sets newer than it (in flight or torn)."""
    members = tuple(sorted(set(disks)))
    point: SnapshotSet | None = None
    newer: list[tuple[SnapshotSet, str]] = []
    for snapshot_set in snapshot_sets(members, snapshots_of, set_of):
        state = snapshot_set.state(members)
        if state == COMPLETED:
            point, newer = snapshot_set, []
        else:
            newer.append((snapshot_set, state))
    return GroupPoint(name, members, point, tuple(newer))


def dr_point_complete(snapshot_set: SnapshotSet, copies: Mapping[str, Snapshot]) -> bool:
    """Whether every member of ``snapshot_set`` has a completed copy in a DR region (``copies``: that region's copies,
    by the id of their source snapshot)."""
    found = [copies.get(snapshot.id) for snapshot in snapshot_set.members.values()]
    return bool(found) and all(copy is not None and copy.state == COMPLETED for copy in found)


def copy_sets(
    copies: Mapping[str, Iterable[Snapshot]], point_of: Callable[[Snapshot], str | None] | None = None
) -> list[tuple[str, list[tuple[str, Snapshot]]]]:
    """The sets of a group's DR copies in one region (``copies``: by member, every member's key), newest first by their
    newest member's recovery point (``point_of``, dr.points; POINT_TAG by default): (the set's id, [(member, copy)]),
    from the SET_TAG each copy carries. Copies without one are in none."""
    sets: dict[str, list[tuple[str, Snapshot]]] = {}
    for key, found in copies.items():
        for copy in found:
            if copy.tags.get(SET_TAG):
                sets.setdefault(copy.tags[SET_TAG], []).append((key, copy))

    def order(copy: Snapshot) -> tuple[datetime.datetime, datetime.datetime, str]:
        return point_order(copy, (point_of or own_point)(copy))

    return sorted(sets.items(), key=lambda item: max(order(copy) for dummy, copy in item[1]), reverse=True)


def copies_complete(members: Iterable[str], set_copies: Iterable[tuple[str, Snapshot]]) -> bool:
    """Whether a set's copies (``set_copies``, (member, copy)) hold a completed copy of every one of ``members``."""
    return {key for key, copy in set_copies if copy.state == COMPLETED} >= set(members)


def newest_complete_set(
    copies: Mapping[str, Iterable[Snapshot]], point_of: Callable[[Snapshot], str | None] | None = None
) -> str | None:
    """The id of the newest set (by recovery point, ``point_of``) of a group's copies in a region with a completed copy
    of every member (``copies``, by member, every member's key), None when none is complete: the group's recovery point
    there."""
    return next((set_id for set_id, found in copy_sets(copies, point_of) if copies_complete(copies, found)), None)


def sets_holding(
    ordered: Sequence[tuple[str, list[tuple[str, Snapshot]]]],
    members: Iterable[str],
    verdict_of: Callable[[Snapshot], str],
) -> Holding[int]:
    """dr.points' rule over a group's sets in one region (``ordered``: copy_sets', newest first), as indexes into it: a
    complete set is a point, judged by its worst completed copy; an incomplete one is no point (it never stands), but a
    suspect or unmeasured copy of it reaches every newer set all the same, and its mark is kept (the anchor): the disk
    was rewritten at that moment, whatever became of the other members' copies. Pruning (dr.prune.prune_set_selection)
    and every surface (set_points) read sets by this one rule."""
    keys = list(members)

    def verdict(index: int) -> str:
        found = ordered[index][1]
        worst = worst_verdict(verdict_of(copy) for dummy, copy in found if copy.state == COMPLETED)
        return worst if copies_complete(keys, found) or worst in SPREADING else FAILED_COPY

    return holding(list(range(len(ordered))), verdict)


def set_points(
    copies: Mapping[str, Sequence[Snapshot]],
    point_of: Callable[[Snapshot], str | None],
    now: datetime.datetime,
    verdict_of: Callable[[Snapshot], str],
) -> dict[str, dict[str, Any]]:
    """{member: dr.points.region_points' record} of a group's members in one DR region (``copies``: by member, every
    member's key), judged by sets as pruning judges them (dr.prune.prune_set_selection): a complete set's verdict is its
    worst copy's, the newest good complete set that no doubt reaches stands, and each member's last known good copy is
    its copy of that set (``last_known_good_set``). A doubt on one member's copy is its set's, so that no member stands on
    a set the others left. Where no set is complete there, each member's own record: the group stands nowhere anyway."""
    own = {key: region_points(found, point_of, now, verdict_of) for key, found in copies.items()}
    ordered = copy_sets(copies, point_of)
    if not any(copies_complete(copies, found) for dummy, found in ordered):
        return own
    held = sets_holding(ordered, copies, verdict_of)
    # The standing set is the last known good one only while a doubt holds the newest back.
    standing = held.standing if held.doubt is not None else None

    def member_copy(index: int | None, key: str) -> Snapshot | None:
        if index is None:
            return None
        return next((copy for member, copy in ordered[index][1] if member == key and copy.state == COMPLETED), None)

    records = {}
    for key in copies:
        good = member_copy(standing, key)
        doubt = member_copy(held.doubt, key)
        good_point = point_of(good) if good is not None else None
        records[key] = dict(
            own[key],
            suspect=held.doubt_verdict == SUSPECT,
            doubt=held.doubt_verdict,
            doubt_copy_id=doubt.id if doubt is not None else None,
            last_known_good=good.id if good is not None else None,
            last_known_good_point=good_point,
            last_known_good_age_hours=hours_since(good_point or (good.created if good is not None else None), now),
            last_known_good_set=ordered[standing][0] if standing is not None else None,
        )
    return records
