# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan's figures as the surfaces show them: the scope's page, Markdown and text, the fleet's report and page, and
the AWX stats. One model, the report's ``plan`` (dr_sync's, dr/plan.py computes it); here it is only read, split by DR
region and added up, never computed again.

A sum is never a silent zero: a line whose price nobody publishes, or a copy whose size is not known (dr/plan.py's cost
leaves it out), makes the sum it belongs to partial, and every surface then says "at least" and names what is left out;
a partial sum of nothing is "not known", never $0. A fleet's sum is partial too where a scope has no plan (its run ended
before it planned, or its cloud has none)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

GIB = 2**30
MONTH, ONCE = 'month', 'once'
# The plan's figures the fleet adds up and the stats carry (plan_totals' keys).
SUMMED = ('monthly', 'once', 'full', 'incremental', 'bytes', 'unsized', 'preflight')
# The lines of no one DR region (EBS direct API reads of verification) are shown in a row of their own.
EVERY_REGION = 'every DR region'


def line_region(line: Mapping[str, Any]) -> str | None:
    """The DR region a cost line is of (dr/plan.py names it in each line); None for a line of every region."""
    return str(line['region']) if line.get('region') else None


def _sums(lines: Iterable[Mapping[str, Any]], unsized: int) -> dict[str, Any]:
    """monthly and once (the priced lines' USD), whether each is whole, and what is left out of them: each line with no
    price, and the copies of unknown size (which no line holds)."""
    sums = {MONTH: 0.0, ONCE: 0.0}
    whole = {MONTH: not unsized, ONCE: not unsized}
    unpriced = []
    for line in lines:
        per = str(line.get('per')) if line.get('per') in sums else MONTH
        if line.get('usd') is None:
            whole[per] = False
            unpriced.append(str(line.get('what')))
        else:
            sums[per] += float(line['usd'])
    if unsized:
        unpriced.append('%d %s of unknown size' % (unsized, 'copy' if unsized == 1 else 'copies'))
    return {
        'monthly': round(sums[MONTH], 2),
        'monthly_complete': whole[MONTH],
        'once': round(sums[ONCE], 2),
        'once_complete': whole[ONCE],
        'complete': whole[MONTH] and whole[ONCE],
        'unpriced': unpriced,
    }


def plan_totals(plan: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The plan's figures in short (None: no plan): what it costs each month and once, whether each sum is whole and what
    it leaves out (``unpriced``), its full and incremental copies, the bytes they move and add, its preflight problems,
    and its time. What the scope's surfaces headline, the fleet adds up and the stats carry."""
    if not plan:
        return None
    copies = plan.get('copies') or []
    cost = plan.get('cost') or {}
    time = plan.get('time') or {}
    unsized = sum(1 for copy in copies if copy.get('bytes') is None)
    totals = _sums(cost.get('lines') or [], unsized)
    totals.update(
        full=int(plan.get('full') or 0),
        incremental=int(plan.get('incremental') or 0),
        bytes=int(plan.get('bytes') or 0),
        unsized=unsized,
        preflight=len(plan.get('preflight') or []),
        hours=time.get('hours'),
        why=time.get('why'),
        prices_as_of=cost.get('prices_as_of'),
    )
    return totals


def region_rows(plan: Mapping[str, Any], dr_regions: Sequence[str]) -> list[dict[str, Any]]:
    """Per DR region of the plan: its full and incremental copies, with their bytes and where the sizes come from, and
    what they cost each month and once (plan_totals' sums of its lines); a last row, EVERY_REGION, for the lines of no
    one region."""
    copies = plan.get('copies') or []
    lines = (plan.get('cost') or {}).get('lines') or []
    regions = list(dr_regions) + sorted({copy['region'] for copy in copies} - set(dr_regions))
    rows = []
    for region in regions:
        own = [copy for copy in copies if copy['region'] == region]
        row = _sums(
            (line for line in lines if line_region(line) == region),
            sum(1 for copy in own if copy.get('bytes') is None),
        )
        row.update(
            region=region,
            full=sum(1 for copy in own if copy.get('full')),
            incremental=sum(1 for copy in own if not copy.get('full')),
            full_bytes=sum(copy.get('bytes') or 0 for copy in own if copy.get('full')),
            incremental_bytes=sum(copy.get('bytes') or 0 for copy in own if not copy.get('full')),
            bytes_from=sorted({copy['bytes_from'] for copy in own if copy.get('bytes_from')}),
            why_full=_counted_reasons(copy.get('why_full') for copy in own if copy.get('full')),
        )
        rows.append(row)
    shared = [line for line in lines if line_region(line) is None]
    if shared:
        row = _sums(shared, 0)
        row.update(
            region=EVERY_REGION,
            full=0,
            incremental=0,
            full_bytes=0,
            incremental_bytes=0,
            bytes_from=[],
            why_full=[],
            shared=True,
        )
        rows.append(row)
    return rows


def _counted_reasons(reasons: Iterable[str | None]) -> list[tuple[str, int]]:
    """[(why a copy is full, how many)], the most first."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason or 'full'] = counts.get(reason or 'full', 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def why_full_words(row: Mapping[str, Any]) -> str:
    """Why a region's copies are full, with how many for each reason ('10: the first copy of the disk to the region');
    '-' for none."""
    return '; '.join('%d: %s' % (count, reason) for reason, count in row['why_full']) or '-'


def usd(amount: float | None, complete: bool) -> str:
    """A sum in dollars as people read it: '$12.30'; 'at least $12.30' where it is partial; 'not known' where it is
    partial and nothing in it is priced (never '$0.00')."""
    if amount is None or (not complete and not amount):
        return 'not known'
    return '%s$%s' % ('' if complete else 'at least ', f'{amount:,.2f}')


def gib(count: int | None) -> str:
    """Bytes as GiB, to a tenth ('1,000.0 GiB'); '-' for none."""
    return '-' if count is None else f'{count / GIB:,.1f} GiB'


def time_words(totals: Mapping[str, Any]) -> str:
    """The plan's time: its hours and the limit that sets it, or that it is not known and why."""
    why = totals.get('why') or ''
    if totals.get('hours') is None:
        return 'not known' + (': %s' % why if why else '')
    return '%g h' % totals['hours'] + (' (%s)' % why if why else '')


def copies_words(totals: Mapping[str, Any]) -> str:
    """The plan's copies in a few words: how many full and incremental, and their bytes (at least, where a copy's size
    is not known)."""
    unsized = int(totals.get('unsized') or 0)
    return '%d full, %d incremental, %s%s' % (
        totals['full'],
        totals['incremental'],
        'at least ' if unsized else '',
        gib(totals['bytes']) + (' (%d of unknown size)' % unsized if unsized else ''),
    )


def cost_words(totals: Mapping[str, Any]) -> str:
    """The plan's cost in one line: each month and once, each said partial where it is, and what is not priced."""
    words = '%s each month, %s once' % (
        usd(totals['monthly'], totals['monthly_complete']),
        usd(totals['once'], totals['once_complete']),
    )
    if totals['unpriced']:
        words += ' (not priced: %s)' % '; '.join(totals['unpriced'])
    return words


def summed(named: Iterable[tuple[str, Mapping[str, Any] | None]]) -> dict[str, Any] | None:
    """The sums of plan_totals (``named``: (a name, its plan_totals or None)): monthly, once, copies, bytes and
    preflight problems added up; a sum is partial where any it adds is, or where a name has no plan, and ``unpriced``
    names each part left out as '<name>: <what>'. None when no name has a plan."""
    named = list(named)
    if not any(totals for dummy, totals in named):
        return None
    sums: dict[str, Any] = dict.fromkeys(SUMMED, 0)
    sums.update(monthly_complete=True, once_complete=True, unpriced=[], planned=0, without_plan=[])
    for name, totals in named:
        if not totals:
            sums['monthly_complete'] = sums['once_complete'] = False
            sums['without_plan'].append(name)
            sums['unpriced'].append('%s: no plan' % name)
            continue
        sums['planned'] += 1
        for key in SUMMED:
            sums[key] += totals[key]
        sums['monthly_complete'] = sums['monthly_complete'] and totals['monthly_complete']
        sums['once_complete'] = sums['once_complete'] and totals['once_complete']
        sums['unpriced'].extend('%s: %s' % (name, what) for what in totals['unpriced'])
    sums['monthly'], sums['once'] = round(sums['monthly'], 2), round(sums['once'], 2)
    sums['complete'] = sums['monthly_complete'] and sums['once_complete']
    return sums


def stats_totals(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The plan's totals as the AWX stats carry them (the role's dr_copy_runs.<name>.plan, the fleet's dr_fleet.plan):
    monthly and once, each null where it is partial and nothing in it is priced (the pages' "not known": never a 0 a
    workflow could take for free), whether each is whole and both are (``complete``), full copies and preflight
    problems. ``value``: a scope's plan (dr_sync's ``plan``, with its ``cost``) or a fleet's sums (the fleet report's
    ``plan``); None without one."""
    totals = plan_totals(value) if value and 'cost' in value else value
    if not totals:
        return None
    stats = {key: totals[key] for key in ('complete', 'monthly_complete', 'once_complete', 'full', 'preflight')}
    for key in ('monthly', 'once'):
        stats[key] = None if not totals[key + '_complete'] and not totals[key] else totals[key]
    return stats
