# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan before paying (dr_sync's ``plan``): the copies a run makes or would make, whether each is full or
incremental and how many bytes it moves and adds, what that costs each month and once, how long the first copies take,
and the problems found before any copy. A check run plans; a real run reports the same figures as done, so that a plan
can be held against what happened.

Everything here is arithmetic on facts the run read (the copies' sizes as the clouds state them, whether a copy of the
disk already stands in the region) and on a cloud's price book (``PriceBook``: dated prices, each citing its page).
A figure never rests on a guess that looks like a fact: a size the cloud does not state is the disk's size, said to be
an upper bound; a price nobody publishes is a line that says so, never a zero.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Union

    # A copy's completion duration in minutes (EBS time-based copies): one for every DR region, or one per region (a
    # region not named, or None: at the cloud's own pace), or None.
    CompletionMinutes = Union[int, Mapping[str, Union[int, None]], None]

GIB = 2**30
# Where a copy's bytes come from, best first: the blocks the run measured as changed since the snapshot the copy before
# it was made of (an incremental copy), the cloud's own figure of what the snapshot holds (a full copy; an upper bound of
# an incremental one), or the disk's size (an upper bound: a snapshot never holds more than its disk).
FULL_SNAPSHOT_SIZE, CHANGED_BLOCKS, DISK_SIZE = 'full_snapshot_size', 'changed_blocks', 'disk_size'
# Why a copy is full (plan.copies' why_full).
FIRST_COPY = 'the first copy of the disk to the region'
KEY_CHANGED = 'a change of KMS key or of encryption from the copy before it'
EARLIER_ARCHIVED = 'the copy before it is archived'
UNLISTED = 'the region\'s copies could not be listed: planned full'
MONTH, ONCE = 'month', 'once'


@dataclass(frozen=True)
class CopyFacts:  # pylint: disable=too-many-instance-attributes  # one fact a field, each read by the run
    """What the run knows of one copy it makes or would make (one disk, or set member, and one DR region).

    ``disk_bytes``: the disk's size; ``full_bytes``: the cloud's figure of what the snapshot holds (EBS and ECS
    FullSnapshotSizeInBytes), None where it gives none; ``changed_bytes``: the blocks that changed since the snapshot
    the copy before it in the region was made of, where the run measured them (the churn alarm); ``earlier_copy``: a
    copy of the disk already stands in the region (the lineage the cloud copies incrementally against), None where the
    region's listing was refused; ``key_changed``: the copy is encrypted with another key than the copy before it, or
    one is encrypted and the other not (EBS copies such a copy in full); ``earlier_archived``: the copy before it is in
    the cloud's archive tier (EBS then copies in full)."""

    disk_id: str
    region: str
    snapshot_id: str
    disk_bytes: int | None = None
    full_bytes: int | None = None
    changed_bytes: int | None = None
    earlier_copy: bool | None = False
    key_changed: bool = False
    earlier_archived: bool = False


@dataclass(frozen=True)
class PlannedCopy:
    """One record of plan.copies."""

    disk_id: str
    region: str
    snapshot_id: str
    bytes: int | None
    bytes_from: str | None
    full: bool
    why_full: str | None

    def as_result(self) -> dict[str, Any]:
        """Every field, as plan.copies lists it."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CopyRules:
    """A cloud's rules for which copies are full: every cloud copies the first copy of a disk to a region in full; EBS
    also a copy whose key or encryption differs from the copy before it (``key_change_is_full``), and one whose copy
    before it is archived (``archived_earlier_is_full``); a cloud that does not say its copies are incremental plans each
    one full, for the reason ``always_full`` gives."""

    key_change_is_full: bool = False
    archived_earlier_is_full: bool = False
    always_full: str | None = None


def planned_copy(facts: CopyFacts, rules: CopyRules) -> PlannedCopy:
    """The copy ``facts`` describe, full or incremental by the cloud's ``rules``, with the bytes it moves and adds: the
    measured changes of an incremental copy; else the cloud's figure of what the snapshot holds (a full copy's bytes,
    an upper bound of an incremental one's); else the disk's size (an upper bound)."""
    why_full = None
    if facts.earlier_copy is None:
        why_full = UNLISTED
    elif not facts.earlier_copy:
        why_full = FIRST_COPY
    elif rules.key_change_is_full and facts.key_changed:
        why_full = KEY_CHANGED
    elif rules.archived_earlier_is_full and facts.earlier_archived:
        why_full = EARLIER_ARCHIVED
    elif rules.always_full:
        why_full = rules.always_full
    full = why_full is not None
    if not full and facts.changed_bytes is not None:
        size, source = facts.changed_bytes, CHANGED_BLOCKS
    elif facts.full_bytes is not None:
        # A full copy moves what the snapshot holds; an incremental one whose changes were not measured never more.
        size, source = facts.full_bytes, FULL_SNAPSHOT_SIZE
    elif facts.disk_bytes is not None:
        size, source = facts.disk_bytes, DISK_SIZE
    else:
        size, source = None, None
    return PlannedCopy(facts.disk_id, facts.region, facts.snapshot_id, size, source, full, why_full)


@dataclass(frozen=True)
class Price:
    """One price of a cloud's price book: ``usd`` per ``unit`` (None: nobody publishes it yet, ``note`` says so),
    charged each month or once (``per``), as of ``as_of`` (YYYY-MM-DD), from the page ``source``."""

    what: str
    unit: str
    usd: float | None
    per: str
    as_of: str
    source: str
    note: str | None = None


@dataclass(frozen=True)
class PriceBook:
    """A cloud's prices for one region class: ``storage`` (a copy's bytes kept in the DR region, per GiB-month),
    ``transfer`` (the bytes a copy moves between regions, per GiB, once), and where the cloud has them ``api_reads``
    (EBS direct API reads of verification, per 1,000 requests), ``read_transfer`` (the data transfer of the blocks
    those reads return, per GiB), ``timed_copy`` (EBS time-based copies, per GiB, by completion duration in minutes:
    the tier at or above the duration asked) and ``staging`` (what a copy to a DR account makes on its way, per copy:
    CBS's bridge disk and staged copy)."""

    storage: Price
    transfer: Price
    api_reads: Price | None = None
    read_transfer: Price | None = None
    timed_copy: Mapping[int, Price] = field(default_factory=dict)
    staging: Price | None = None


@dataclass(frozen=True)
class CostLine:
    what: str
    quantity: float
    unit: str
    unit_price: float | None
    per: str
    source: str
    as_of: str
    note: str | None = None
    # The DR region the line is of; None for a line of every region (verification's EBS direct API reads).
    region: str | None = None

    @property
    def usd(self) -> float | None:
        return None if self.unit_price is None else round(self.quantity * self.unit_price, 2)

    def as_result(self) -> dict[str, Any]:
        return {
            'what': self.what,
            'quantity': round(self.quantity, 3),
            'unit': self.unit,
            'unit_price': self.unit_price,
            'usd': self.usd,
            'per': self.per,
            'source': self.source,
            'as_of': self.as_of,
            'note': self.note,
            'region': self.region,
        }


def _line(price: Price, quantity: float, what: str | None = None, region: str | None = None) -> CostLine:
    return CostLine(
        what=what or price.what,
        quantity=quantity,
        unit=price.unit,
        unit_price=price.usd,
        per=price.per,
        source=price.source,
        as_of=price.as_of,
        note=price.note,
        region=region,
    )


def cost_lines(
    copies: Sequence[PlannedCopy],
    books: Mapping[str, PriceBook],
    *,
    api_reads: int = 0,
    read_bytes: int = 0,
    completion_minutes: CompletionMinutes = None,
    staged: bool = False,
) -> list[CostLine]:
    """The cost lines of ``copies`` by the price book of each one's DR region (``books``: region -> PriceBook): per
    region, the storage the copies add each month and the bytes they move once; the EBS direct API reads of
    verification (``api_reads`` requests) and the data transfer of the ``read_bytes`` they return, priced by the first
    region's book; the time-based copy fee where
    ``completion_minutes`` is set (for every region, or per region: region_minutes); with ``staged`` (copies to a DR
    account), what each copy makes on its way there, where the cloud's book has it. A copy whose bytes are not known
    adds nothing here but that: plan.copies names it."""
    lines: list[CostLine] = []
    by_region: dict[str, float] = {}
    counts: dict[str, int] = {}
    for copy in copies:
        by_region[copy.region] = by_region.get(copy.region, 0.0) + (copy.bytes or 0) / GIB
        counts[copy.region] = counts.get(copy.region, 0) + 1
    for region, gib in sorted(by_region.items()):
        book = books[region]
        lines.append(_line(book.storage, gib, '%s in %s' % (book.storage.what, region), region))
        lines.append(_line(book.transfer, gib, '%s to %s' % (book.transfer.what, region), region))
        minutes = region_minutes(completion_minutes, region)
        if minutes:
            tier = timed_copy_tier(book, minutes)
            if tier is not None:
                lines.append(_line(tier, gib, '%s to %s' % (tier.what, region), region))
        if staged and book.staging is not None:
            lines.append(_line(book.staging, counts[region], '%s to %s' % (book.staging.what, region), region))
    if api_reads and books:
        book = books[sorted(books)[0]]
        if book.api_reads is not None:
            lines.append(_line(book.api_reads, api_reads / 1000.0))
        if read_bytes and book.read_transfer is not None:
            lines.append(_line(book.read_transfer, read_bytes / GIB))
    return lines


def region_minutes(completion_minutes: CompletionMinutes, region: str) -> int | None:
    """The completion duration the copies to ``region`` are asked for: ``completion_minutes`` itself (every region's),
    or its entry for the region (a DR region may set its own); None: a copy at the cloud's own pace."""
    if completion_minutes is None or isinstance(completion_minutes, int):
        return completion_minutes
    return completion_minutes.get(region)


def timed_copy_tier(book: PriceBook, minutes: int) -> Price | None:
    """The time-based copy price for a copy asked to complete within ``minutes``: the tier of the shortest duration at or
    above it (a shorter promise costs more); None where the cloud has none."""
    tiers = sorted(tier for tier in book.timed_copy if tier >= minutes)
    return book.timed_copy[tiers[0]] if tiers else None


def cost(lines: Iterable[CostLine], *, unsized: int = 0) -> dict[str, Any]:
    """plan.cost: ``monthly`` and ``once``, the sums of their lines' dollars; a line whose price nobody publishes counts
    in neither and is named in ``unpriced``; ``unsized`` copies (whose bytes are not known) are in no line and are counted
    in ``unsized``. Either way the sums are then lower bounds, and ``complete`` is false."""
    lines = list(lines)
    sums = {MONTH: 0.0, ONCE: 0.0}
    unpriced = []
    for line in lines:
        if line.usd is None:
            unpriced.append(line.what)
            continue
        sums[line.per] += line.usd
    dates = sorted({line.as_of for line in lines})
    return {
        'currency': 'USD',
        'monthly': round(sums[MONTH], 2),
        'once': round(sums[ONCE], 2),
        'complete': not unpriced and not unsized,
        'unpriced': unpriced,
        'unsized': unsized,
        'prices_as_of': dates[0] if dates else None,
        'source': sorted({line.source for line in lines}),
        'lines': [line.as_result() for line in lines],
    }


@dataclass(frozen=True)
class CopyLimits:
    """A cloud's limits on copies to one DR region, each from its page (``source``): ``in_flight`` copies at once (EBS:
    20 per destination), None where the cloud states no such limit; ``gib_per_hour`` one copy moves, None where the
    cloud promises no rate; for time-based copies (EBS), the most one copy and all copies between two regions may move
    (``timed_copy_gib_per_hour``, ``timed_pair_gib_per_hour``), None where the cloud has none."""

    source: str
    in_flight: int | None = None
    gib_per_hour: float | None = None
    timed_copy_gib_per_hour: float | None = None
    timed_pair_gib_per_hour: float | None = None


def _waves(count: int, in_flight: int) -> int:
    return max(1, math.ceil(count / in_flight))


def copy_time(
    copies: Sequence[PlannedCopy],
    limits: CopyLimits,
    *,
    completion_minutes: CompletionMinutes = None,
    max_in_flight: int | None = None,
) -> dict[str, Any]:
    """plan.time: the hours until the last copy completes, and ``why``, the limit that sets it. Copies go to a region in
    waves of ``limits.in_flight`` at once, or fewer where the run's ``max_in_flight`` says so. With
    ``completion_minutes`` (for every region, or per region: region_minutes) where the cloud has time-based copies, each
    wave completes within that duration, unless the throughput quotas make it longer; the regions then copy one after
    another, since a snapshot's second time-based copy starts its duration only when the first completes. Otherwise, by
    ``limits.gib_per_hour`` a copy, largest first in waves, the regions side by side. Not known (None) where the cloud
    promises no rate for a region's copies or a copy's bytes are not known."""
    if not copies:
        return {'hours': 0.0, 'why': 'no copy to make'}
    if any(copy.bytes is None for copy in copies):
        return {'hours': None, 'why': 'the size of a copy is not known'}
    regions = sorted({copy.region for copy in copies})
    timed: dict[str, int] = {}
    for region in regions:
        minutes = region_minutes(completion_minutes, region)
        if minutes and limits.timed_pair_gib_per_hour is not None:
            timed[region] = minutes
    if limits.gib_per_hour is None and len(timed) < len(regions):
        return {
            'hours': None,
            'why': 'the cloud promises no copy rate (%s)%s'
            % (
                limits.source,
                '' if limits.timed_pair_gib_per_hour is None else '; a time-based copy would give one',
            ),
        }
    if limits.in_flight is None:
        # A copy's rate, but no limit of copies at once: how the copies share the time is not stated.
        return {'hours': None, 'why': 'the cloud states no limit of copies at once (%s)' % limits.source}
    in_flight = min(limits.in_flight, max_in_flight or limits.in_flight)
    by_region = {region: _region_time(copies, region, limits, in_flight, timed.get(region)) for region in regions}
    if len(timed) > 1:
        # "If you initiate two time-based copy operations for the same snapshot or AMI, the second copy operation's
        # completion duration starts only after the first copy operation completes" (EBS user guide, Time-based copies,
        # Considerations): every disk's snapshot goes to each of these regions, so they take their times in turn.
        hours = sum(by_region[region][0] for region in timed)
        why = '%s, one region after another: a snapshot\'s second time-based copy starts when its first completes' % (
            '; '.join(by_region[region][1] for region in timed)
        )
        longest = max([(hours, why)] + [by_region[region] for region in regions if region not in timed])
    else:
        longest = max(by_region.values())
    return {'hours': round(longest[0], 2), 'why': '%s (%s)' % (longest[1], limits.source)}


def _region_time(
    copies: Sequence[PlannedCopy], region: str, limits: CopyLimits, in_flight: int, minutes: int | None
) -> tuple[float, str]:
    """The hours the copies to ``region`` take, and the limit that sets them: in time-based copies of ``minutes``, or
    at the cloud's rate of a copy."""
    sizes = sorted(((copy.bytes or 0) / GIB for copy in copies if copy.region == region), reverse=True)
    waves = _waves(len(sizes), in_flight)
    at_once = '%s: %d cop%s, %d at once: %d wave%s' % (
        region,
        len(sizes),
        'y' if len(sizes) == 1 else 'ies',
        in_flight,
        waves,
        '' if waves == 1 else 's',
    )
    if minutes:
        candidates = [
            (waves * minutes / 60.0, '%s, each within %d minutes' % (at_once, minutes)),
            (
                sum(sizes) / (limits.timed_pair_gib_per_hour or 1.0),
                '%s: the throughput quota of the region pair, %g GiB an hour'
                % (region, limits.timed_pair_gib_per_hour or 0),
            ),
            (
                sizes[0] / (limits.timed_copy_gib_per_hour or math.inf),
                '%s: the largest copy at the quota of one copy, %g GiB an hour'
                % (region, limits.timed_copy_gib_per_hour or 0),
            ),
        ]
        return max(candidates)
    # Largest first, each wave as long as its largest copy: an upper bound of the best order's time.
    hours = sum(sizes[index] for index in range(0, len(sizes), in_flight)) / (limits.gib_per_hour or 1.0)
    return hours, '%s, %g GiB an hour a copy' % (at_once, limits.gib_per_hour or 0)


@dataclass(frozen=True)
class PlanFacts:
    """What a cloud's plan is made of (its clouds/<vendor>/prices.py, named by its Provider record): which copies are
    full, its limits on copies, and its prices."""

    rules: CopyRules
    limits: CopyLimits
    book: PriceBook


# The prices dr_sync's ``prices`` option sets (role: dr_copy_prices), USD: per GiB-month kept, per GiB moved.
PRICE_KEYS = ('storage', 'transfer')
GIVEN = 'the prices option'


def given_prices(value: Mapping[str, Any] | None, dr_regions: Sequence[str]) -> dict[str, dict[str, float]]:
    """``prices`` as {DR region: {price key: USD}}: its top-level keys for every DR region, ``regions``' own for one.
    InputError, before any call, for a key it does not know, a region that is not a DR region of the run, or a price
    that is not a number of 0 or more (text, as an AWX survey sends it, is read)."""
    if not value:
        return {}
    unknown = sorted(set(value) - set(PRICE_KEYS) - {'regions'})
    if unknown:
        raise InputError('prices', 'takes %s and regions, not %s' % (', '.join(PRICE_KEYS), ', '.join(unknown)))
    regions = value.get('regions') or {}
    if not isinstance(regions, dict):
        raise InputError('prices.regions', 'is a mapping of DR regions to their prices')
    strangers = sorted(set(regions) - set(dr_regions))
    if strangers:
        raise InputError('prices.regions', 'names %s, not a DR region of the run' % ', '.join(strangers))
    result = {}
    for region in dr_regions:
        own = regions.get(region) or {}
        if not isinstance(own, dict) or set(own) - set(PRICE_KEYS):
            raise InputError('prices.regions.%s' % region, 'takes %s' % ' and '.join(PRICE_KEYS))
        merged = {key: value[key] for key in PRICE_KEYS if value.get(key) is not None}
        merged.update((key, own[key]) for key in PRICE_KEYS if own.get(key) is not None)
        result[region] = {key: _price_number('prices.%s' % key, number) for key, number in merged.items()}
    return {region: prices for region, prices in result.items() if prices}


def _price_number(option: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(option, 'is a price in USD, a number like 0.05, got %r' % (value,)) from None
    if not math.isfinite(number) or number < 0:
        raise InputError(option, 'is a price in USD of 0 or more, got %r' % (value,))
    return number


def priced_book(book: PriceBook, given: Mapping[str, float] | None) -> PriceBook:
    """``book`` with the prices ``given`` (given_prices' of one region) in place of its own, each named as the
    option's."""
    if not given:
        return book

    def replaced(price: Price, key: str) -> Price:
        if key not in given:
            return price
        return dataclasses.replace(price, usd=given[key], source=GIVEN, note=None)

    return dataclasses.replace(
        book, storage=replaced(book.storage, 'storage'), transfer=replaced(book.transfer, 'transfer')
    )
