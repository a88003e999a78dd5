# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Coverage: which disks of the source region a scope's tag selector does not take. A disk nobody covers has no DR copy
and no run ever says so; a disk tagged ``Backup=DR`` where the selector says ``backup: dr`` is the likeliest of them (tags
are case-sensitive on every cloud). The run lists the region's disks once, takes those the selector matches, and counts
the others here: not covered, near misses named, exempt ones (``coverage_exempt``) apart, the collection's own disks
(restore tests, CBS bridge disks) left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.tagging import matches_selector
from .settings import COVERAGE_FAIL, COVERAGE_OFF

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from ..core.dr_model import Disk
    from .settings import DrSettings

# The collection's own disks carry a tag of this prefix or a name of the other (dr.drill's test disks, CBS's bridge
# disks): they are no one's data.
OWN_TAG_PREFIX = 'snapcopy:'
OWN_NAME_PREFIX = 'snapcopy-'
# How many disk ids a message names before it says "and N more".
NAMED_IN_MESSAGE = 10


@dataclass(frozen=True)
class UncoveredDisk:
    """A disk of the source region that the selector does not take; ``near_miss``: its tags that equal the selector's
    but for case or spaces (KEY=VALUE), empty when it is simply untagged for DR."""

    disk_id: str
    name: str | None = None
    near_miss: tuple[str, ...] = ()

    def describe(self) -> str:
        """The disk as a person reads it in a list of disks not covered: id, name, near miss."""
        label = '%s (%s)' % (self.disk_id, self.name) if self.name else self.disk_id
        return label + (': near miss, carries %s' % ', '.join(self.near_miss) if self.near_miss else '')


def loose(text: str) -> str:
    """A tag key or value as a near miss compares it: without case and spaces."""
    return ''.join(text.split()).casefold()


def near_miss(tags: Mapping[str, str], selector: Mapping[str, str | None]) -> tuple[str, ...]:
    """The tags (KEY=VALUE) by which ``tags`` would match ``selector`` if case and spaces did not count; () when some
    key of the selector has no such tag, or when the tags match it as they are."""
    found: list[str] = []
    for key, value in sorted(selector.items()):
        exact = key in tags and (value is None or tags[key] == value)
        if exact:
            continue
        loosely = sorted(
            '%s=%s' % (tag_key, tag_value)
            for tag_key, tag_value in tags.items()
            if loose(tag_key) == loose(key) and (value is None or loose(tag_value) == loose(value))
        )
        if not loosely:
            return ()
        found.extend(loosely)
    return tuple(found)


def own_disk(disk: Disk) -> bool:
    """Whether the collection made this disk (a restore test's, a bridge disk): not a disk to cover."""
    return any(key.startswith(OWN_TAG_PREFIX) for key in disk.tags or {}) or (disk.name or '').startswith(
        OWN_NAME_PREFIX
    )


@dataclass(frozen=True)
class Coverage:
    """What a run found in the source region beside the disks it looks after: the disks not covered (each with its near
    miss), and how many are exempt."""

    uncovered: tuple[UncoveredDisk, ...] = ()
    exempt: int = 0

    @property
    def near_misses(self) -> tuple[UncoveredDisk, ...]:
        return tuple(disk for disk in self.uncovered if disk.near_miss)


def model_fields(coverage: Coverage | None) -> dict[str, Any]:
    """A coverage as dr.protection.ScopeProtection's fields (uncovered None: not read)."""
    if coverage is None:
        return {'uncovered': None, 'exempt': 0}
    return {'uncovered': coverage.uncovered, 'exempt': coverage.exempt}


def split_by_selector(
    disks: Iterable[Disk], selector: Mapping[str, str | None], exempt: Mapping[str, str | None] | None
) -> tuple[list[Disk], Coverage]:
    """Of every disk of a region, those ``selector`` takes, and the coverage of the others (by disk id)."""
    taken: list[Disk] = []
    uncovered: list[UncoveredDisk] = []
    exempted = 0
    for disk in sorted(disks, key=lambda disk: disk.id):
        tags = disk.tags or {}
        if matches_selector(tags, selector):
            taken.append(disk)
        elif own_disk(disk):
            continue
        elif exempt and matches_selector(tags, exempt):
            exempted += 1
        else:
            uncovered.append(UncoveredDisk(disk.id, disk.name, near_miss(tags, selector)))
    return taken, Coverage(tuple(uncovered), exempted)


def named(disk_ids: Iterable[str]) -> str:
    """Disk ids for a message, at most NAMED_IN_MESSAGE of them."""
    ids = list(disk_ids)
    shown = ', '.join(ids[:NAMED_IN_MESSAGE])
    return shown + (' and %d more' % (len(ids) - NAMED_IN_MESSAGE) if len(ids) > NAMED_IN_MESSAGE else '')


def scope_disks(
    find_disks: Callable[[str, Mapping[str, str | None]], list[Disk]], settings: DrSettings
) -> tuple[list[Disk], Coverage | None]:
    """(the disks the scope's selector takes, by id; the coverage of the others), read by ``find_disks`` (the adapter's,
    through the caller's retries). With coverage, the region's every disk in one listing, split here; without (off, or a
    run limited to some disks, which pays for no region-wide listing), the selector's disks alone and None."""
    region, selector = settings.source_region, settings.tag_selector
    if settings.coverage.mode == COVERAGE_OFF or settings.disk_ids is not None:
        return sorted(find_disks(region, selector), key=lambda disk: disk.id), None
    return split_by_selector(find_disks(region, {}), selector, settings.coverage.exempt)


def format_selector(selector: Mapping[str, str | None]) -> str:
    """A tag selector as a person reads it: {dr: yes, tier: any value}."""
    return '{%s}' % ', '.join(
        '%s: %s' % (key, 'any value' if value is None else value) for key, value in sorted(selector.items())
    )


def coverage_notes(settings: DrSettings, coverage: Coverage | None) -> tuple[list[str], list[str]]:
    """(warnings, problems) of a coverage: a warning for each near miss (almost always meant to be covered); with
    coverage fail, a problem naming the disks not covered."""
    if coverage is None:
        return [], []
    region, selector = settings.source_region, format_selector(settings.tag_selector)
    warnings = [
        'disk %s in %s carries %s, which tag_selector %s does not match (tags are case-sensitive): not looked after'
        % (disk.disk_id, region, ', '.join(disk.near_miss), selector)
        for disk in coverage.near_misses
    ]
    problems = []
    if coverage.uncovered and settings.coverage.mode == COVERAGE_FAIL:
        problems.append(
            '%d disks in %s are not covered by tag_selector %s: %s; tag them, or leave them out by choice with '
            'coverage_exempt'
            % (len(coverage.uncovered), region, selector, named(d.disk_id for d in coverage.uncovered))
        )
    return warnings, problems
