# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one model of a scope's protection: per disk and DR region, the newest usable recovery point the run read back from
the clouds, its age against the RPO, the copies in flight, failed and differing, the lock, the account. Every surface
(the console, the JSON totals and posture, Markdown, the pages, dr_posture_info, the fleet, the AWX stats) renders this
model and counts nothing of its own; docs/posture.md's glossary defines its words.

Built from the copies a run read back (dr.report's disk records) or a read of the clouds (dr.posture), never from what a
run asked for: a create's answer is no copy until a read shows it. Kept in a report as data (``as_data``) and read back
on the controller (``from_data``), where a run limited to some disks is merged into the scope's last account
(``merged_into``) and a run that failed before it knew marks the last account stale (``stale``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.tagging import DIFFERS_TAG
from .coverage import UncoveredDisk
from .points import DOUBTS, marks_verdict

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# How a disk stands in a DR region, best first (a copy's ``standing``): a completed copy whose recovery point (when its
# source snapshot was taken) is within the RPO (any, without one), or older; a copy still in flight; one only planned
# (check mode); no copy (none, one the cloud failed, one that differs and was not used, one refused).
WITHIN_RPO, OVER_RPO, IN_FLIGHT, PLANNED, NO_COPY = 'within_rpo', 'over_rpo', 'in_flight', 'planned', 'no_copy'
STANDINGS = (WITHIN_RPO, OVER_RPO, IN_FLIGHT, PLANNED, NO_COPY)
# What a status says: protection, never run mechanics. Only a completed copy within the RPO, read back in a run that
# finished with the whole scope known, is protected.
PROTECTED, AT_RISK, NOT_KNOWN = 'protected', 'at risk', 'not known'
# Neutral, never an alarm: a scope allowed to have no disk (allow_no_disks) that has none; and a check run's plan that
# finds every copy in place, in the plan's words (a plan claims nothing as done, so never "protected").
NOTHING_TO_PROTECT, WOULD_BE_PROTECTED = 'nothing to protect', 'would be protected'
STATUSES = (PROTECTED, AT_RISK, NOT_KNOWN, NOTHING_TO_PROTECT, WOULD_BE_PROTECTED)
#: The statuses worst first: how a fleet sorts its scopes, and a group takes its worst member's. Nothing to protect
#: last: a neutral scope never stands before one a person must look at.
WORST_FIRST = (AT_RISK, NOT_KNOWN, WOULD_BE_PROTECTED, PROTECTED, NOTHING_TO_PROTECT)
# A disk of the source region that no scope's selector takes (dr.coverage): counted beside the statuses of the disks a
# scope looks after, never as one of them.
NOT_COVERED = 'not covered'
# Each standing as people read it (docs/posture.md's glossary): the console, Markdown and the pages say these words.
STANDING_WORDS = {
    WITHIN_RPO: 'within the RPO',
    OVER_RPO: 'older than the RPO',
    IN_FLIGHT: 'copy in flight',
    PLANNED: 'copy planned (check mode)',
    NO_COPY: 'no copy',
}
# A copy action the engine reports for a copy that could not be made, and for a plan (engine.outcomes' words; the
# model takes them as text so that it imports nothing above core).
NOT_COPIED, WOULD_COPY = 'not_copied', 'would_copy'
# What a run did about a copy (the engine's actions), as people read it.
ACTION_WORDS = {
    'copied': 'made',
    'existing': 'already there',
    'newer_held': 'a newer point already there',
    WOULD_COPY: 'would be made',
    NOT_COPIED: 'not made',
}


def keyword_only(cls: type) -> type:
    """A dataclass whose constructor takes keywords only (``kw_only`` is Python 3.10+; module_utils run on 3.9)."""
    init = vars(cls)['__init__']

    def __init__(self: Any, **fields: Any) -> None:
        init(self, **fields)

    __init__.__doc__ = init.__doc__
    cls.__init__ = __init__  # type: ignore[misc]
    return cls


def copy_standing(
    completed: bool, in_flight: bool, recovery_point_age_hours: float | None, rpo: float | None
) -> tuple[str, float | None]:
    """(standing, recovery point age in hours) of a copy from what the cloud holds. A completed copy stands by its
    recovery point against ``rpo`` (within it without one); one not completed is in flight while the cloud is making it,
    else no copy. A completed copy whose recovery point is unknown (its source snapshot is gone) is never shown within
    an RPO."""
    if not completed:
        return (IN_FLIGHT if in_flight else NO_COPY), None
    if rpo and (recovery_point_age_hours is None or recovery_point_age_hours > rpo):
        return OVER_RPO, recovery_point_age_hours
    return WITHIN_RPO, recovery_point_age_hours


def not_copied(copy: Mapping[str, Any]) -> bool:
    """Whether a run's copy record is no copy at all: the engine could not make it, it carries an error (refused,
    differs and was not used), no read named it, or its blocks were read and differ from its source's (dr.verify), in
    this run or an earlier one."""
    return (
        copy['action'] == NOT_COPIED
        or bool(copy.get('error'))
        or not copy.get('snapshot_id')
        or (copy.get('verification') or {}).get('action') == 'differs'
        # An earlier run's verdict, written on the copy (dr.points): whether or not this run verifies.
        or bool((copy.get('tags') or {}).get(DIFFERS_TAG))
    )


def run_copy_standing(
    copy: Mapping[str, Any], source_age_hours: float | None, rpo: float | None, *, in_flight: bool
) -> tuple[str, float | None]:
    """(standing, recovery point age) of one copy of a run's report (DestinationOutcome.as_result with ``completed``): a
    plan is planned, a copy not made is none, else the copy stands by its source snapshot's age. ``in_flight``: the
    engine's word that the cloud is still making it. The cloud's own word (``state``) does not decide: a copy that
    failed is in many words ("error", "failed"), and one the cloud dropped or is deleting in words of the run's
    ("vanished", "never seen") or of the cloud's ("deleting", "TORECYCLE")."""
    if copy['action'] == WOULD_COPY:
        return PLANNED, None
    if not_copied(copy):
        return NO_COPY, None
    return copy_standing(bool(copy.get('completed')), in_flight, source_age_hours, rpo)


@keyword_only
@dataclass(frozen=True)
class RegionProtection:  # pylint: disable=too-many-instance-attributes  # the model's facts of one disk in one region
    """One disk in one DR region: its standing, the copy that stands there (the newest usable recovery point), when that
    copy's data was taken and how old it is, the copies in flight, failed and differing, whether it is locked (None:
    not known or no lock asked for), and the account that holds it."""

    region: str
    standing: str
    copy_id: str | None = None
    recovery_point: str | None = None
    recovery_point_age_hours: float | None = None
    in_flight: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()
    locked: bool | None = None
    account: str | None = None
    #: For a disk of a consistency group: the set that the copy standing here is of (dr.groups).
    set_id: str | None = None
    #: The newest completed copy here whose blocks were read beside its source's (dr.verify), and when its source was
    #: taken; None when none is, or the copies were not read (ScopeProtection.points_read).
    verified_copy_id: str | None = None
    verified_point: str | None = None
    #: The newest completed copy here is marked suspect by the churn alarm; then the newest one not marked (the last
    #: known good copy, which pruning keeps) and when its source was taken.
    suspect: bool = False
    last_known_good: str | None = None
    last_known_good_point: str | None = None
    #: What holds the newest point back (dr.points): its copy's verdict (differing, suspect or unmeasured) and the copy;
    #: then the disk stands by the last known good copy, and is at risk whatever its age. None: the newest point stands.
    doubt: str | None = None
    doubt_copy_id: str | None = None
    last_known_good_age_hours: float | None = None
    #: For a disk of a consistency group: the set the last known good copy is of (dr.groups.set_points), which the
    #: group's members stand on together.
    last_known_good_set: str | None = None

    @property
    def covered(self) -> bool:
        """A copy completed or in flight there (in check mode, one planned): the rule of "without a DR copy"."""
        return self.standing != NO_COPY


@keyword_only
@dataclass(frozen=True)
class DiskProtection:
    """One disk, when it was read, how it stands in each DR region, and the consistency group it is of (None: on its
    own), through which alone it stands."""

    disk_id: str
    name: str | None = None
    read_at: str | None = None
    regions: tuple[RegionProtection, ...] = ()
    group: str | None = None

    def region(self, name: str) -> RegionProtection:
        return next(
            (region for region in self.regions if region.region == name),
            RegionProtection(region=name, standing=NO_COPY),
        )

    @property
    def missing_regions(self) -> list[str]:
        return sorted(region.region for region in self.regions if not region.covered)


@keyword_only
@dataclass(frozen=True)
class ScopeProtection:  # pylint: disable=too-many-instance-attributes  # one field a fact of the scope
    """A scope's protection: its disks as last read (each with when), the RPO, and what makes the account less than a
    whole, current one: a check run (``check_mode``: copies planned, nothing made), a run limited to some disks
    (``limited_to``: the disks the newest run read; ``complete`` is False until a run read them all), the run's
    ``failures``, and ``stale`` (why the newest run could not know, and since when the account is the last one known).
    ``uncovered``: the source region's disks that the selector does not take (dr.coverage; None: not read, coverage off),
    and ``exempt``, how many the scope leaves out by choice (coverage_exempt). ``allow_no_disks``: the run was told that a
    scope without disks is expected, so one of none has nothing to protect (not a typo's empty selector)."""

    provider: str | None
    source_region: str | None
    dr_regions: tuple[str, ...]
    rpo_hours: float | None = None
    read_at: str | None = None
    account: str | None = None
    check_mode: bool = False
    limited_to: tuple[str, ...] | None = None
    complete: bool = True
    failures: int = 0
    stale: str | None = None
    disks: tuple[DiskProtection, ...] = ()
    uncovered: tuple[UncoveredDisk, ...] | None = None
    exempt: int = 0
    #: The DR copies were read with their marks: the verified and last known good points are known (dr.verify).
    points_read: bool = False
    allow_no_disks: bool = False

    def __post_init__(self) -> None:
        # However the model was built (a run, a read, a report read back, merged), a disk stands by what dr.points' rule
        # lets stand, and a disk of a group by its group.
        disks = tuple(held_back(disk, self.rpo_hours) for disk in self.disks)
        object.__setattr__(self, 'disks', standing_by_groups(disks, self.dr_regions))

    # ------------------------------------------------------------------ counts
    def cells(self) -> list[RegionProtection]:
        """Every disk in every DR region."""
        return [disk.region(region) for disk in self.disks for region in self.dr_regions]

    def counts(self) -> dict[str, int]:
        """{standing: how many disks and DR regions stand so}."""
        counts = dict.fromkeys(STANDINGS, 0)
        for cell in self.cells():
            counts[cell.standing] += 1
        return counts

    def posture(self) -> dict[str, Any]:
        """Per DR region, how many disks stand how, and the oldest recovery point of its completed copies (hours)."""
        regions: dict[str, dict[str, Any]] = {}
        for region in self.dr_regions:
            cells = [disk.region(region) for disk in self.disks]
            counts: dict[str, Any] = dict.fromkeys(STANDINGS, 0)
            for cell in cells:
                counts[cell.standing] += 1
            counts['oldest_recovery_point_hours'] = max(
                (cell.recovery_point_age_hours for cell in cells if cell.recovery_point_age_hours is not None),
                default=None,
            )
            if self.points_read:  # else not known: the copies' marks were not read
                counts['verified'] = sum(1 for cell in cells if cell.verified_copy_id)
                counts['suspect'] = sum(1 for cell in cells if cell.suspect)
                counts['in_doubt'] = sum(1 for cell in cells if cell.doubt)
            regions[region] = counts
        return {'rpo_hours': self.rpo_hours, 'regions': regions}

    @property
    def without_dr_copy(self) -> int:
        """Disks with a DR region that holds no copy of them (a failed or differing one is none)."""
        return sum(1 for disk in self.disks if disk.missing_regions)

    def totals(self) -> dict[str, int]:
        """The scope's counts that a report's totals carry: they are the model's, never a run's own."""
        return {'disks': len(self.disks), 'without_dr_copy': self.without_dr_copy, 'not_covered': self.not_covered}

    @property
    def not_covered(self) -> int:
        """Disks of the source region that the selector does not take (0 when coverage was not read)."""
        return len(self.uncovered or ())

    @property
    def near_misses(self) -> int:
        """Of the disks not covered, those whose tags equal the selector's but for case or spaces."""
        return sum(1 for disk in self.uncovered or () if disk.near_miss)

    def disk_status(self, disk: DiskProtection) -> str:
        """One disk's status by the scope's rule: at risk when a DR region holds no copy of it within the RPO; not known
        when the scope's account is stale; would be protected in a plan; else protected."""
        if any(disk.region(region).standing != WITHIN_RPO or disk.region(region).doubt for region in self.dr_regions):
            return AT_RISK
        if self.stale:
            return NOT_KNOWN
        return WOULD_BE_PROTECTED if self.check_mode else PROTECTED

    def disk_counts(self) -> dict[str, int]:
        """How many disks are protected, at risk, not known, and how many of the source region are not covered."""
        counts = dict.fromkeys(STATUSES, 0)
        for disk in self.disks:
            counts[self.disk_status(disk)] += 1
        counts[NOT_COVERED] = self.not_covered
        return counts

    @property
    def locked(self) -> int:
        return sum(1 for cell in self.cells() if cell.locked)

    @property
    def status(self) -> str:
        """One of STATUSES: at risk as soon as one disk and region is not within the RPO, or the run failed somewhere;
        not known when the account is stale, a part of the scope, or of no disk without allow_no_disks; nothing to protect
        for a whole, current account of no disk that allow_no_disks expects; in a plan (check mode) with nothing at risk,
        would be protected; else protected."""
        if any(cell.standing != WITHIN_RPO or cell.doubt for cell in self.cells()) or self.failures:
            return AT_RISK
        if self.stale or not self.complete:
            return NOT_KNOWN
        if not self.disks:
            return NOTHING_TO_PROTECT if self.allow_no_disks else NOT_KNOWN
        return WOULD_BE_PROTECTED if self.check_mode else PROTECTED

    def summary(self) -> str:
        """The protection in a few words, each count with its unit (the summary lines start with it)."""
        counts = self.counts()
        words = [counted(len(self.disks), 'disk'), '%s without a DR copy' % counted(self.without_dr_copy, 'disk')]
        if counts[OVER_RPO]:
            words.append('%s older than the RPO' % counted(counts[OVER_RPO], 'disk copy', 'disk copies'))
        if counts[IN_FLIGHT]:
            words.append('%d in flight' % counts[IN_FLIGHT])
        if self.uncovered:
            words.append(self.coverage_words())
        if self.limited_to is not None:
            others = '' if self.complete else ', no run read the others yet'
            words.append('the newest run read %s only%s' % (counted(len(self.limited_to), 'disk'), others))
        if self.stale:
            words.append('STALE: %s' % self.stale)
        return '; '.join(words)

    def coverage_words(self) -> str:
        """The disks not covered in a few words, as the summary lines say them."""
        near = ' (%s)' % counted(self.near_misses, 'near miss', 'near misses') if self.near_misses else ''
        return '%s of %s not covered%s' % (counted(self.not_covered, 'disk'), self.source_region, near)

    def uncovered_near_misses_first(self) -> list[UncoveredDisk]:
        """The disks not covered as the lists show them: near misses first, almost always meant to be covered."""
        return sorted(self.uncovered or (), key=lambda disk: not disk.near_miss)

    def coverage_heading(self) -> str | None:
        """The line above the list of disks not covered (None when coverage was not read)."""
        if self.uncovered is None:
            return None
        exempt = ', %s left out by choice' % counted(self.exempt, 'disk') if self.exempt else ''
        return 'Not covered in %s: %s that the selector does not take%s' % (
            self.source_region,
            counted(self.not_covered, 'disk'),
            exempt,
        )

    def status_line(self) -> str:
        """The status in capitals, then the summary: what the job's output and the summary lines start with."""
        return '%s: %s' % (self.status.upper(), self.summary())

    # ------------------------------------------------------------------ the scope's account over runs
    def merged_into(self, older: ScopeProtection | None) -> ScopeProtection:
        """This account of a run limited to some disks, put into the scope's ``older`` account: the disks this run read
        replace theirs, the others stay as last read (with when). Without an older account, the scope is not known whole."""
        if self.limited_to is None:
            return self
        if older is None:
            return dataclasses.replace(self, complete=False)
        read = {disk.disk_id for disk in self.disks}
        disks = [disk for disk in older.disks if disk.disk_id not in read] + list(self.disks)
        return dataclasses.replace(
            self,
            disks=tuple(sorted(disks, key=lambda disk: disk.disk_id)),
            # A limited run reads no coverage: the scope's last read of it stands.
            uncovered=older.uncovered if self.uncovered is None else self.uncovered,
            exempt=older.exempt if self.uncovered is None else self.exempt,
            complete=older.complete,
            dr_regions=tuple(dict.fromkeys(older.dr_regions + self.dr_regions)),
            points_read=self.points_read and older.points_read,
        )

    def as_stale(self, why: str) -> ScopeProtection:
        return dataclasses.replace(self, stale=why)

    # ------------------------------------------------------------------ as data
    def as_data(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data['status'] = self.status
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ScopeProtection:
        fields = {field.name for field in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in fields}
        values['dr_regions'] = tuple(values.get('dr_regions') or ())
        if values.get('limited_to') is not None:
            values['limited_to'] = tuple(values['limited_to'])
        values['disks'] = tuple(
            DiskProtection(
                disk_id=disk['disk_id'],
                name=disk.get('name'),
                read_at=disk.get('read_at'),
                regions=tuple(_region(region) for region in disk.get('regions') or ()),
                group=disk.get('group'),
            )
            for disk in values.get('disks') or ()
        )
        if values.get('uncovered') is not None:
            values['uncovered'] = tuple(
                UncoveredDisk(disk['disk_id'], disk.get('name'), tuple(disk.get('near_miss') or ()))
                for disk in values['uncovered']
            )
        return cls(**values)


def scope_groups(scope: ScopeProtection) -> dict[str, list[DiskProtection]]:
    """{consistency group: its disks}, for the disks of ``scope`` that are of one (dr.groups); each region's cell is the
    group's, the same for every member."""
    groups: dict[str, list[DiskProtection]] = {}
    for disk in scope.disks:
        if disk.group is not None:
            groups.setdefault(disk.group, []).append(disk)
    return dict(sorted(groups.items()))


# The clouds whose DR copies can be read block by block beside their sources (dr.verify): EBS's direct APIs. ECS, ENS and
# CBS have no such API in their models.
BLOCK_READING_PROVIDERS = ('aws',)


def point_rows(scope: ScopeProtection) -> list[dict[str, Any]]:
    """The recovery points beside the newest (dr.verify), one row per disk and DR region that holds a verified copy or a
    suspect one: the newest copy and its point, the newest verified copy and its point, whether one stands suspect and
    the last known good copy. None unless the scope's copies were read with their marks."""
    if not scope.points_read:
        return []
    return [
        {
            'disk_id': disk.disk_id,
            'name': disk.name,
            'region': region,
            'copy_id': cell.copy_id,
            'recovery_point': cell.recovery_point,
            'verified_copy_id': cell.verified_copy_id,
            'verified_point': cell.verified_point,
            'suspect': cell.suspect,
            'doubt': cell.doubt,
            'doubt_copy_id': cell.doubt_copy_id,
            'last_known_good': cell.last_known_good,
            'last_known_good_point': cell.last_known_good_point,
        }
        for disk in scope.disks
        for region in scope.dr_regions
        for cell in (disk.region(region),)
        if cell.verified_copy_id or cell.suspect or cell.doubt
    ]


def points_line(scope: ScopeProtection) -> str | None:
    """The scope's verified and suspect recovery points in a sentence; None unless its copies were read with their
    marks."""
    if not scope.points_read:
        return None
    cells = scope.cells()
    if scope.provider not in BLOCK_READING_PROVIDERS:
        return (
            'Verified recovery points: none on %s, which has no API that reads a snapshot\'s blocks; the restore drill '
            '(with your own checks) is the proof that its copies hold the data' % scope.provider
        )
    verified = sum(1 for cell in cells if cell.verified_copy_id)
    line = 'Verified recovery points: %d of %s' % (
        verified,
        counted(len(cells), 'disk and DR region', 'disks and DR regions'),
    )
    return line + doubts_words(cells)


# Each doubt as people read it: why the newest copy is no proof (dr.points).
DOUBT_WORDS = {
    'differing': 'differs from its source',
    'suspect': 'stands suspect (a rewrite of most of the disk)',
    'unmeasured': 'is unmeasured (the churn alarm could not read its rewrite)',
}


def doubts_words(cells: Sequence[RegionProtection]) -> str:
    """'; 2 disks and DR regions whose newest copy stands suspect ..., the last known good copy kept' for each doubt
    among ``cells``: the same words on every surface."""
    words = ''
    for doubt, said in DOUBT_WORDS.items():
        number = sum(1 for cell in cells if cell.doubt == doubt)
        if number:
            words += '; %s whose newest copy %s, the last known good copy kept' % (
                counted(number, 'disk and DR region', 'disks and DR regions'),
                said,
            )
    return words


def group_records(scope: ScopeProtection) -> list[dict[str, Any]]:
    """Each consistency group of ``scope`` as the fleet lists it: its name, disks, status (its worst member's by the
    scope's rule: a doubt on one member's copy is the group's) and, per DR region, its standing, the set that stands
    there and the set's recovery point age (the same for each member: standing_by_groups)."""
    return [
        {
            'name': name,
            'disks': [disk.disk_id for disk in members],
            'status': min((scope.disk_status(disk) for disk in members), key=WORST_FIRST.index),
            'regions': [
                {
                    'region': region,
                    'standing': members[0].region(region).standing,
                    'set_id': members[0].region(region).set_id,
                    'recovery_point_age_hours': members[0].region(region).recovery_point_age_hours,
                }
                for region in scope.dr_regions
            ],
        }
        for name, members in scope_groups(scope).items()
    ]


def held_back(disk: DiskProtection, rpo: float | None) -> DiskProtection:
    """``disk`` with each DR region where its newest point is in doubt (dr.points: differing, suspect, unmeasured)
    standing by its last known good copy, at that copy's recovery point; with none, a differing copy is no copy and a
    suspect or unmeasured one stands as it is, in doubt. Either way the disk is at risk (ScopeProtection.disk_status)."""
    regions = []
    for cell in disk.regions:
        if cell.doubt is None or cell.standing not in (WITHIN_RPO, OVER_RPO, NO_COPY):
            regions.append(cell)
        elif cell.last_known_good is not None:
            standing, age = copy_standing(True, False, cell.last_known_good_age_hours, rpo)
            regions.append(
                dataclasses.replace(
                    cell,
                    standing=standing,
                    copy_id=cell.last_known_good,
                    recovery_point=cell.last_known_good_point,
                    recovery_point_age_hours=age,
                    # A member stands on its copy of the set the last known good copy is of: None (no set told) never
                    # passes for the set of the copy in doubt (standing_by_groups).
                    set_id=cell.last_known_good_set if disk.group is not None else cell.set_id,
                )
            )
        elif cell.doubt == 'differing':
            regions.append(
                dataclasses.replace(
                    cell, standing=NO_COPY, copy_id=None, recovery_point=None, recovery_point_age_hours=None
                )
            )
        else:
            regions.append(cell)
    return dataclasses.replace(disk, regions=tuple(regions))


def standing_by_groups(disks: tuple[DiskProtection, ...], dr_regions: Sequence[str]) -> tuple[DiskProtection, ...]:
    """``disks`` with each disk of a consistency group standing in each DR region as its group does (dr.groups): a
    recovery point there only when every member's copy is usable there and of one set, at the oldest of their recovery
    points; else no member has one (in flight, planned or none, the worst of the members'), whatever copy of another
    moment a member holds on its own. A copy of a set that holds some members only restores torn data."""
    members: dict[str, list[DiskProtection]] = {}
    for disk in disks:
        if disk.group is not None:
            members.setdefault(disk.group, []).append(disk)
    if not members:
        return disks
    cells: dict[tuple[str, str], RegionProtection] = {}
    for group in members.values():
        for region in dr_regions:
            own = [disk.region(region) for disk in group]
            usable = all(cell.standing in (WITHIN_RPO, OVER_RPO) for cell in own)
            one_set = len({cell.set_id for cell in own}) == 1 and own[0].set_id is not None
            if usable and one_set:
                ages = [cell.recovery_point_age_hours for cell in own]
                age = None if None in ages else max(age for age in ages if age is not None)
                standing = max((cell.standing for cell in own), key=STANDINGS.index)
                for disk, cell in zip(group, own):
                    cells[(disk.disk_id, region)] = dataclasses.replace(
                        cell, standing=standing, recovery_point_age_hours=age
                    )
                continue
            worst = max(
                (cell.standing for cell in own if cell.standing not in (WITHIN_RPO, OVER_RPO)),
                default=NO_COPY,
                key=STANDINGS.index,
            )
            for disk, cell in zip(group, own):
                cells[(disk.disk_id, region)] = dataclasses.replace(
                    cell,
                    standing=worst,
                    copy_id=None,
                    recovery_point=None,
                    recovery_point_age_hours=None,
                    set_id=None,
                )
    return tuple(
        disk
        if disk.group is None
        else dataclasses.replace(
            disk,
            regions=tuple(cells.get((disk.disk_id, region.region), region) for region in disk.regions)
            + tuple(
                cells[(disk.disk_id, region)]
                for region in dr_regions
                if (disk.disk_id, region) in cells and region not in {cell.region for cell in disk.regions}
            ),
        )
        for disk in disks
    )


def _region(data: Mapping[str, Any]) -> RegionProtection:
    fields = {field.name for field in dataclasses.fields(RegionProtection)}
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in data.items() if key in fields
    }
    return RegionProtection(**values)


def counted(number: int, unit: str, plural: str | None = None) -> str:
    """``number`` with its unit: 1 disk, 2 disks."""
    return '%d %s' % (number, unit if number == 1 else plural or unit + 's')


def region_of_run(region: str, copies: Sequence[Mapping[str, Any]], *, planned: bool) -> RegionProtection:
    """How a disk stands in ``region`` from a run's copy records there (each with its ``standing``): by its best copy; a
    check run that would first take a fresh snapshot and copy it plans the region (``planned``)."""
    # A copy record without a standing (a report of a release before it) is never shown as protection.
    copies = [
        dict(
            copy,
            standing=copy.get('standing') or NO_COPY,
            recovery_point_age_hours=copy.get('recovery_point_age_hours'),
        )
        for copy in copies
    ]
    best = min(copies, key=lambda copy: STANDINGS.index(copy['standing']), default=None)
    if best is None:
        return RegionProtection(region=region, standing=PLANNED if planned else NO_COPY)
    standing = best['standing']
    usable = standing in (WITHIN_RPO, OVER_RPO)
    lock = best.get('lock') or {}
    # The marks on the copy that stands (an earlier run's verdict: dr.points), whether or not this run read the others.
    verdict = marks_verdict(best.get('tags') or {})
    return RegionProtection(
        doubt=verdict if usable and verdict in DOUBTS else None,
        doubt_copy_id=best['snapshot_id'] if usable and verdict in DOUBTS else None,
        region=region,
        standing=standing,
        copy_id=best['snapshot_id'] if usable else None,
        recovery_point=best.get('recovery_point') if usable else None,
        recovery_point_age_hours=best['recovery_point_age_hours'],
        in_flight=tuple(copy['snapshot_id'] for copy in copies if copy['standing'] == IN_FLIGHT),
        failed=tuple(
            copy['snapshot_id']
            for copy in copies
            if copy['standing'] == NO_COPY and copy.get('snapshot_id') and not copy.get('mismatch')
        ),
        differing=tuple(copy['mismatch'].get('snapshot_id') or '' for copy in copies if copy.get('mismatch')),
        locked=bool(lock.get('in_force')) if lock else None,
        set_id=best.get('set_id') if usable else None,
    )


def disk_of_run(
    record: Mapping[str, Any], dr_regions: Iterable[str], read_at: str | None, planned: bool = False
) -> DiskProtection:
    """A disk of a run's report (dr.report.disk_record's copies, and its points where the run read the copies) in the
    model."""
    points = record.get('points') or {}
    return DiskProtection(
        disk_id=record['disk_id'],
        name=record.get('disk_name'),
        read_at=read_at,
        regions=tuple(
            dataclasses.replace(
                region_of_run(region, [copy for copy in record['copies'] if copy['region'] == region], planned=planned),
                **(points.get(region) or {}),
            )
            for region in dr_regions
        ),
        group=(record.get('consistency_group') or {}).get('name'),
    )


def of_report(report: Mapping[str, Any]) -> ScopeProtection:
    """The model of a report: the one it carries, else (a report of a release before the model, a test's) built from its
    disk records by the same rules."""
    if report.get('protection'):
        return ScopeProtection.from_data(report['protection'])
    regions = list(report.get('dr_regions') or ())
    disks = tuple(
        disk_of_run(
            disk,
            regions,
            report.get('generated_at'),
            planned=not disk['copies'] and not disk.get('missing_regions') and bool(report.get('check_mode')),
        )
        for disk in report.get('disks') or ()
    )
    return ScopeProtection(
        provider=report.get('provider'),
        source_region=report.get('source_region'),
        dr_regions=tuple(regions),
        rpo_hours=(report.get('posture') or {}).get('rpo_hours'),
        read_at=report.get('generated_at'),
        account=report.get('account'),
        check_mode=bool(report.get('check_mode')),
        failures=len(report.get('failures') or ()),
        disks=disks,
    )
