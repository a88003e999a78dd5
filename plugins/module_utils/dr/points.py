# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rule of what a DR region holds for a disk, or for a consistency group's sets (docs/safety.md): which recovery
point stands there, which copies pruning must keep, and what every surface may claim. Pruning (dr.prune), the run's
report and its model (dr.protection), dr_posture_info (dr.posture) and the churn alarm (phases.verify) read it here.

- A recovery point is the source snapshot a copy holds, dated when the source was taken as its cloud dates it: the
  POINT_TAG the DR run writes on each copy in its copy call, else the source's time as the source region lists it now,
  else (a copy made before the tag, whose source a person deleted) when the copy was made, the best the cloud still
  says. Points are ordered by that time, never by the copy's: a copy made today of an older snapshot is the older point.
- Each completed copy has one verdict, from the marks runs write on it: differing (DIFFERS_TAG: its blocks, or what its
  cloud states, are not its source's), suspect (SUSPECT_TAG: its source rewrote far more of the disk than usual),
  unmeasured (CHURN_TAG UNMEASURED: the alarm could not measure it), else good. A copy still being made is in flight, one
  the cloud failed is failed.
- A copy made from another copy (a person's copy of a DR copy: COPY_TAG names the other, or the cloud links it to the
  other) holds that copy's data, so that copy's verdict too, however its own tags read: a mark a run writes on the DR
  copy after the person copied it holds for both (``MarksHeld``).
- A suspect or unmeasured point puts every newer point in doubt too, until a person takes its mark off: the disk may have
  been rewritten before them, and a measure against a rewritten disk proves nothing. A differing copy is in doubt alone.
- What a region holds for certain is its newest good point that no doubt reaches (``standing``). Every surface stands a
  disk there by it; one in doubt is shown, never counted as protection.
- Pruning keeps the newest point whatever its verdict (the newest data there is), the standing point whatever its age
  and however many copies came after it, and the newest suspect or unmeasured point (its mark is what holds the standing
  one; a person takes it off to let go). Every other completed copy counts towards keep_copies by its point and goes by
  max_copy_age_days: suspect copies kept are bounded, as the others are.
- A run copies no older point into a region whose standing point is newer (its source was deleted since): the copy
  would add cost and nothing else, and pruning would take it again on the next run (phases.copy, NEWER_HELD).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..core.cloud_clock import iso_utc
from ..core.model import COMPLETED, EPOCH, FAILED, PENDING, parse_time
from ..core.tagging import (
    CHURN_TAG,
    COPY_TAG,
    DIFFERS_TAG,
    POINT_TAG,
    SOURCE_TAG,
    SUSPECT_TAG,
    UNMEASURED,
    VERIFIED_TAG,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ..core.model import Snapshot

P = TypeVar('P')

# A copy's verdict (its one standing, read back from the marks on it).
GOOD, DIFFERING, SUSPECT, UNMEASURED_POINT, IN_FLIGHT, FAILED_COPY = (
    'good',
    'differing',
    'suspect',
    'unmeasured',
    'in_flight',
    'failed',
)
#: The verdicts of a completed copy that is no proof of its disk's data, worst first.
DOUBTS = (DIFFERING, SUSPECT, UNMEASURED_POINT)
#: The doubts that reach every newer point of the disk (the disk's data, not one copy, may be wrong).
SPREADING = (SUSPECT, UNMEASURED_POINT)


def copy_verdict(copy: Snapshot) -> str:
    """One copy's verdict, from its state and the marks runs wrote on it."""
    if copy.state == PENDING:
        return IN_FLIGHT
    if copy.state == FAILED:
        return FAILED_COPY
    return marks_verdict(copy.tags)


def marks_verdict(tags: Mapping[str, str]) -> str:
    """A completed copy's verdict from the marks runs wrote on it (its tags): a report's copy record carries them too.
    A spreading doubt before a lone one, as for a set (worst_verdict): a copy that differs and is also suspect or
    unmeasured still puts the points after it in doubt, and its mark still holds the last good one."""
    if tags.get(SUSPECT_TAG):
        return SUSPECT
    if tags.get(CHURN_TAG) == UNMEASURED:
        return UNMEASURED_POINT
    if tags.get(DIFFERS_TAG):
        return DIFFERING
    return GOOD


class MarksHeld:
    """The verdicts of the copies in a listing, where a copy made from another copy listed there holds that copy's data:
    its verdict is the worst of its own marks and those of each copy it was made from, followed while the listing has
    them. Whatever its own tags say (copied along before the DR copy was found to differ, or not copied), a person's
    copy of a DR copy is no better proof than the DR copy."""

    def __init__(self, listed: Iterable[Snapshot] = ()) -> None:
        self.by_id = {copy.id: copy for copy in listed}

    def _chain(self, copy: Snapshot) -> list[Snapshot]:
        chain, current = [copy], self._origin(copy)
        while current is not None and current not in chain:
            chain.append(current)
            current = self._origin(current)
        return chain

    def _origin(self, copy: Snapshot) -> Snapshot | None:
        named = copy.tags.get(COPY_TAG)
        origin = named if named and named != copy.id else copy.source_id
        return self.by_id.get(origin) if origin else None

    def verdict(self, copy: Snapshot) -> str:
        """copy_verdict, with the marks of the copies ``copy`` was made from."""
        own = copy_verdict(copy)
        if own in (IN_FLIGHT, FAILED_COPY):
            return own
        return worst_verdict(marks_verdict(held.tags) for held in self._chain(copy))

    def differs(self, copy: Snapshot) -> bool:
        """Whether ``copy``'s data are found to differ from its source's (its own mark, or a copy's it was made from)."""
        return any(held.tags.get(DIFFERS_TAG) for held in self._chain(copy))


def worst_verdict(verdicts: Iterable[str]) -> str:
    """The verdict of a set of copies: its worst member's (a spreading doubt before a lone one)."""
    found = set(verdicts)
    return next((verdict for verdict in (SUSPECT, UNMEASURED_POINT, DIFFERING) if verdict in found), GOOD)


def point_stamp(created: str | datetime.datetime | None) -> str | None:
    """POINT_TAG's value for a source the cloud dated ``created``: in UTC, to the cloud's precision (None when not
    dated)."""
    try:
        moment = parse_time(created)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    # To the cloud's own precision (a fraction of a second kept where an answer gives one): two snapshots of a disk may
    # share a second.
    return iso_utc(moment, fraction=True)


def recovery_point(copy: Snapshot, source_times: Mapping[str, str | None]) -> str | None:
    """When the data of ``copy`` were taken: its POINT_TAG, else its source's time as listed (``source_times``, by
    '<region>/<snapshot id>'); None when neither says (a copy from before the tag whose source is gone)."""
    return copy.tags.get(POINT_TAG) or source_times.get(source_key(copy) or '')


def point_reader(source_times: Mapping[str, str | None]) -> Callable[[Snapshot], str | None]:
    """recovery_point over ``source_times``, as pruning, the churn alarm and a read of the posture take it."""
    return functools.partial(recovery_point, source_times=source_times)


def own_point(copy: Snapshot) -> str | None:
    """A copy's recovery point as the copy itself records it (POINT_TAG): what orders copies where no source's time is
    known."""
    return copy.tags.get(POINT_TAG)


def source_of(copy: Snapshot) -> tuple[str | None, str | None]:
    """(region, id) of ``copy``'s source snapshot: the cloud's link where it keeps one, else our SOURCE_TAG."""
    region, dummy, snapshot_id = (copy.tags.get(SOURCE_TAG) or '').partition('/')
    return copy.source_region or region or None, copy.source_id or snapshot_id or None


def source_key(copy: Snapshot) -> str | None:
    """'<region>/<snapshot id>' of ``copy``'s source (None when nothing names it)."""
    region, snapshot_id = source_of(copy)
    return '%s/%s' % (region, snapshot_id) if region and snapshot_id else None


def point_order(copy: Snapshot, point: str | None) -> tuple[datetime.datetime, datetime.datetime, str]:
    """Sorts copies oldest point first: by the recovery point ``point`` (when it is known, else when the copy was made),
    then, for copies of one point, by when each was made, then by id."""
    made = _moment(copy.created)
    return _moment(point) or made or EPOCH, made or EPOCH, copy.id


def later_point(point: str | None, than: str | None) -> bool:
    """Whether recovery point ``point`` is known to be newer than ``than`` (both known, both as the cloud dates them)."""
    mine, other = _moment(point), _moment(than)
    return mine is not None and other is not None and mine > other


def _moment(text: str | None) -> datetime.datetime | None:
    try:
        return parse_time(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Holding(Generic[P]):
    """What one DR region holds for a disk (or a group), from its completed points newest first (``points``): the newest
    point; the one that stands (the newest good point no doubt reaches, None when none does); the point whose doubt holds
    the standing one back (None when the newest point stands) and its verdict; and the newest spreading doubt, whose mark
    keeps the standing point."""

    points: tuple[P, ...]
    newest: P | None
    standing: P | None
    doubt: P | None
    doubt_verdict: str | None
    anchor: P | None

    def kept(self) -> list[P]:
        """The points pruning keeps whatever keep_copies and max_copy_age_days say."""
        return [point for point in (self.newest, self.standing, self.anchor) if point is not None]


def holding(points: Sequence[P], verdict_of: Callable[[P], str]) -> Holding[P]:
    """The rule over one region's completed ``points`` of a disk or group, newest point first."""
    verdicts = [verdict_of(point) for point in points]
    spread = next((index for index, verdict in enumerate(verdicts) if verdict in SPREADING), None)
    standing = next(
        (index for index, verdict in enumerate(verdicts) if verdict == GOOD and (spread is None or index > spread)),
        None,
    )
    newest = points[0] if points else None
    doubt: int | None = None
    if points and standing != 0:
        # The newest point's own doubt, else (a clean copy of a disk rewritten before it) the spreading one's.
        doubt = 0 if verdicts[0] in DOUBTS else spread
    return Holding(
        points=tuple(points),
        newest=newest,
        standing=points[standing] if standing is not None else None,
        doubt=points[doubt] if doubt is not None else None,
        doubt_verdict=verdicts[doubt] if doubt is not None else None,
        anchor=points[spread] if spread is not None else None,
    )


def copies_holding(
    copies: Iterable[Snapshot],
    point_of: Callable[[Snapshot], str | None],
    verdict_of: Callable[[Snapshot], str] = copy_verdict,
) -> Holding[Snapshot]:
    """The rule over one disk's copies in one region (any states): its completed ones by their recovery points, each
    judged by ``verdict_of`` (MarksHeld.verdict where the region's listing is at hand)."""
    completed = sorted(
        (copy for copy in copies if copy.state == COMPLETED),
        key=lambda copy: point_order(copy, point_of(copy)),
        reverse=True,
    )
    return holding(completed, verdict_of)


def hours_since(moment: str | None, now: datetime.datetime) -> float | None:
    """Hours from ``moment`` (a time a cloud wrote) to ``now``, to a tenth; None when not known."""
    try:
        when = parse_time(moment)
    except (TypeError, ValueError):
        return None
    return None if when is None else round(max(0.0, (now - when).total_seconds() / 3600), 1)


def region_points(
    copies: Iterable[Snapshot],
    point_of: Callable[[Snapshot], str | None],
    now: datetime.datetime,
    verdict_of: Callable[[Snapshot], str] = copy_verdict,
) -> dict[str, Any]:
    """What one disk's DR copies in one region (as listed, with their marks) hold, in the model's words
    (dr.protection.RegionProtection): the newest verified good copy and its recovery point; the doubt that holds the
    newest point back (its verdict and copy: differing, suspect, unmeasured) and then the last known good copy (the
    standing one), its point and that point's age."""
    held = copies_holding(copies, point_of, verdict_of)
    verified = next((copy for copy in held.points if copy.tags.get(VERIFIED_TAG) and verdict_of(copy) == GOOD), None)
    in_doubt = held.doubt is not None
    good = held.standing if in_doubt else None
    good_point = point_of(good) if good is not None else None
    return {
        'verified_copy_id': verified.id if verified is not None else None,
        'verified_point': point_of(verified) if verified is not None else None,
        'suspect': held.doubt_verdict == SUSPECT,
        'doubt': held.doubt_verdict,
        'doubt_copy_id': held.doubt.id if held.doubt is not None else None,
        'last_known_good': good.id if good is not None else None,
        'last_known_good_point': good_point,
        'last_known_good_age_hours': hours_since(good_point or (good.created if good is not None else None), now),
    }
