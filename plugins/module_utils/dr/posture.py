# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR scope's posture read from the clouds (dr_posture_info): reads only, never a report file or anything of past runs.

For one scope (provider, source region, DR regions, tag selector, DR account) it reads what a DR run would read: the disks
and their snapshots in the source region, the copies of each DR region (the DR account's with ``dr_account``), their locks,
and what runs leave behind - source snapshots still shared with the DR account (dr.leases.shares), restore-drill test
disks past their time (dr.drill), and on CBS the staged copies and bridge disks on their way into the DR account. Each
disk stands in each DR region by the rules of the run's report (dr.protection.copy_standing: one function for both), and
the read is the scope's protection model (dr.protection), which every number of the result renders.

Which copy a disk stands by: of its copies in the DR region that are complete or in flight, the newest by its recovery
point (its source snapshot's time, else the copy's own), as a DR run stands by the copy of the disk's newest snapshot. A
copy that failed or is on its way out is not counted. A completed copy whose source snapshot is gone from the source
region has no known recovery point (null, never guessed), and with an RPO it is not shown to be within it.

A read the cloud refuses of what is only around the copies (a lock, the shares, test disks, staged copies) is a
``problem`` (with the cloud's code, message and request id) and leaves that part unknown: a copy whose lock could not be
read is never called locked. Refused reads of the disks, snapshots and copies end the read (the module's error).
"""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING, Any, cast

from ..core.cloud_clock import CloudClock, iso_utc
from ..core.errors import CloudError
from ..core.model import COMPLETED, PENDING, parse_time
from ..core.tagging import SET_TAG
from ..engine.copy_engine import run_retry
from .capabilities import lock_part
from .coverage import Coverage, coverage_notes, model_fields
from .groups import consistency_groups, group_look_alikes, newest_complete_set, set_points, sets_of
from .left_behind import LeftBehind, staged_in_flight, staging_leftovers
from .locks import read_locks
from .points import SPREADING, MarksHeld, copies_holding, own_point, point_reader, region_points, source_of
from .protection import (
    IN_FLIGHT,
    NO_COPY,
    OVER_RPO,
    STANDINGS,
    WITHIN_RPO,
    DiskProtection,
    RegionProtection,
    ScopeProtection,
    copy_standing,
    counted,
)
from .prune import copies_by_disk
from .scope_read import read_scope

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ..core.dr_model import Disk, SnapshotLock
    from ..core.model import Snapshot
    from ..core.retry import CallRetry, PhaseRetry
    from .capabilities import DrAdapter
    from .groups import Group
    from .settings import DrSettings

# How long the reads of one posture may be retried, in seconds.
READ_SECONDS = 600
# A lock that could not be read: its status, and never in force.
UNKNOWN = 'unknown'
NO_LOCK = {'mode': None, 'status': None, 'in_force': False, 'expires': None, 'cool_off_ends': None}
# The standings a read can find (a read plans nothing), best first.
READ_STANDINGS = tuple(word for word in STANDINGS if word in (WITHIN_RPO, OVER_RPO, IN_FLIGHT, NO_COPY))


def _hours(created: str | None, now: datetime.datetime) -> float | None:
    """The age in hours, to a tenth (as the report rounds it), of a time the cloud wrote; None when it wrote none."""
    try:
        moment = parse_time(created)
    except (TypeError, ValueError):
        return None
    return None if moment is None else round((now - moment).total_seconds() / 3600, 1)


class PostureRead:
    """One read of a scope's posture. ``adapter`` is the scope's DR adapter (with ``dr_account``, connected to the DR
    account: dr.account.connect_dr_account); ``account`` is the account that owns the copies when it is known without a
    call (the DR account's, or the role's the run assumes), else it is asked of STS (GetCallerIdentity, a read)."""

    # pylint: disable-next=too-many-arguments
    def __init__(
        self,
        adapter: DrAdapter,
        settings: DrSettings,
        *,
        account: str | None = None,
        now: datetime.datetime | None = None,
        retry: CallRetry | PhaseRetry | None = None,
    ) -> None:
        self.adapter = adapter
        self.settings = settings
        # ``now`` is the controller's (or a test's); the read judges every age and lease by the cloud's clock, as a run
        # does (core.cloud_clock), and says once when the controller's is minutes off it.
        self.controller_start = now or datetime.datetime.now(datetime.timezone.utc)
        self.retry = run_retry(adapter, retry).until(float('inf'))
        # The read's one clock is its backoff's: a deadline on another would end the read early, or never.
        clock = self.retry.backoff.clock
        self.retry.deadline = clock() + READ_SECONDS
        self.account = settings.dr_account['account'] if settings.dr_account is not None else account
        self.problems: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.point_of: Callable[[Snapshot], str | None] = own_point
        started = clock()
        self.cloud_clock = CloudClock(
            lambda: self.controller_start + datetime.timedelta(seconds=clock() - started), self.warnings.append
        )
        self._cloud_start = self.cloud_clock.pinned(self.controller_start)
        self.left_behind = LeftBehind(adapter, settings, now=lambda: self.now, call=self._call, problem=self._problem)

    @property
    def now(self) -> datetime.datetime:
        """The read's start by the cloud's clock (the controller's until the cloud has answered): what the ages of the
        snapshots and copies, the RPO, the leases and the test disks' restore-until are judged by."""
        return self._cloud_start()

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        return self.retry.call(method, *args)

    def _problem(self, region: str | None, what: str, error: CloudError) -> None:
        self.problems.append(problem_record(region, what, error))

    # ------------------------------------------------------------------ the read
    def read(self) -> dict[str, Any]:
        with self.cloud_clock.told_by(self.adapter.client):
            return self._read()

    def _read(self) -> dict[str, Any]:
        settings = self.settings
        source_region = settings.source_region
        regions = settings.region_names
        rpo = settings.fresh.max_age_hours
        # The run's read of the scope: its disks and their snapshots.
        scope = read_scope(self._call, self.adapter, settings)
        disks, snapshots, coverage = list(scope.disks), scope.snapshots, scope.coverage
        # The source snapshots as the source region lists them now: a copy's recovery point is its source's time.
        sources = scope.sources
        # A copy's recovery point (dr.points), read once for every disk and region.
        self.point_of = point_reader(scope.source_times)
        source_disks = scope.source_disks
        keys = {'%s/%s' % (source_region, disk.id): disk for disk in disks}
        account = self._copies_account()
        staging = self.left_behind.staging(regions)
        # A disk of a consistency group stands by its group's newest set complete in the region (dr.groups).
        group_of = {'%s/%s' % (source_region, disk.id): group for group in self._groups(disks) for disk in group.disks}
        look_alikes = look_alike_records(self, set(group_of.values()), snapshots)
        records = [
            self._disk_record(disk, list(snapshots.get(disk.id, ())), group_of.get('%s/%s' % (source_region, disk.id)))
            for disk in disks
        ]
        for record in records:
            if record['consistency_group'] is not None:
                record['consistency_group']['look_alikes'] = look_alikes.get(record['consistency_group']['name'], [])
        by_key = {'%s/%s' % (source_region, record['disk_id']): record for record in records}
        listings = {region: self._call(self.adapter.list_copies, region) for region in regions}
        # A person's copy of a DR copy holds that copy's verdict, in whichever DR region each is (dr.points.MarksHeld).
        marks = MarksHeld(copy for copies in listings.values() for copy in copies)
        for region, listed in listings.items():
            groups = copies_by_disk(listed, keys, source_disks)
            staged = staged_in_flight(staging, region)
            held = group_standings(
                groups, set(group_of.values()), source_region, self.point_of, self.now, marks.verdict
            )
            region_records = {
                key: self._region_record(
                    region,
                    account,
                    groups.get(key, []),
                    staged.get(key, []),
                    sources,
                    rpo,
                    group_set=(held[group_of[key].key][0],) if key in group_of else None,
                    marks=marks,
                    group_points=held[group_of[key].key][1][key] if key in group_of else None,
                )
                for key in keys
            }
            read_record_locks(self.adapter, self._call, self._problem, region, region_records)
            for key, region_record in region_records.items():
                by_key[key]['copies'].append(region_record)
        leftovers = {
            'shares': self.left_behind.shares(),
            'test_disks': self.left_behind.test_disks(regions),
            'dr_account_staging': staging_leftovers(staging),
        }
        protection = self._protection(records, account, coverage)
        result = {
            'changed': False,
            'provider': settings.provider,
            'source_region': source_region,
            'dr_regions': regions,
            'account': account,
            'dr_account': settings.dr_account['account'] if settings.dr_account is not None else None,
            'generated_at': iso_utc(self.now),
            'rpo_hours': rpo,
            'disks': records,
            'posture': protection.posture(),
            'protection': protection.as_data(),
            'leftovers': leftovers,
            'problems': self.problems,
        }
        # Near misses are warned of, as a run warns of them (coverage fail is a run's: a read reports, never fails).
        self.warnings += coverage_notes(settings, coverage)[0]
        result['standing'] = scope_standing(result)
        result['msg'] = posture_line(result)
        return result

    def _protection(
        self, records: list[dict[str, Any]], account: str | None, coverage: Coverage | None
    ) -> ScopeProtection:
        """The read as the scope's protection model, with the ``coverage`` read; a refused read around the copies is a
        failure of the read."""
        settings = self.settings
        read_at = iso_utc(self.now)
        disks = tuple(
            DiskProtection(
                disk_id=record['disk_id'],
                name=record['disk_name'],
                read_at=read_at,
                regions=tuple(
                    RegionProtection(
                        region=copy['region'],
                        standing=copy['standing'],
                        copy_id=(copy['copy'] or {}).get('id'),
                        recovery_point=(copy['copy'] or {}).get('recovery_point'),
                        recovery_point_age_hours=copy['recovery_point_age_hours'],
                        in_flight=tuple(flight['id'] for flight in copy['in_flight']),
                        locked=None
                        if not copy.get('lock') or copy['lock'].get('in_force') is None
                        else bool(copy['lock']['in_force']),
                        account=copy['account'],
                        set_id=copy['set_id'],
                        **copy['points'],
                    )
                    for copy in record['copies']
                ),
                group=(record['consistency_group'] or {}).get('name'),
            )
            for record in records
        )
        return ScopeProtection(
            provider=settings.provider,
            source_region=settings.source_region,
            dr_regions=tuple(settings.region_names),
            rpo_hours=settings.fresh.max_age_hours,
            read_at=read_at,
            account=account,
            failures=len(self.problems),
            disks=disks,
            points_read=True,
            # A scope of no disk that the user expects (allow_no_disks) has nothing to protect, as a run's report says.
            allow_no_disks=settings.allow_no_disks,
            **model_fields(coverage),
        )

    def _copies_account(self) -> str | None:
        """The account that owns the DR copies: the DR account's, the assumed role's, else the caller's (STS)."""
        if self.account is not None:
            return self.account
        caller = getattr(self.adapter.client, 'caller_account', None)
        if caller is None:
            return None
        try:
            return cast('str', self._call(caller, self.settings.source_region))
        except CloudError as error:
            self._problem(
                self.settings.source_region, 'reading the account of the credentials (STS GetCallerIdentity)', error
            )
            return None

    def _groups(self, disks: list[Disk]) -> list[Group]:
        """The consistency groups of ``disks`` (none without consistency_groups); refused, as a run refuses it, where the
        cloud makes no sets."""
        if sets_of(self.adapter, self.settings.groups) is None:
            return []
        return consistency_groups(disks, self.settings.groups)

    def _disk_record(self, disk: Disk, snapshots: list[Snapshot], group: Group | None = None) -> dict[str, Any]:
        completed = sorted(
            (snapshot for snapshot in snapshots if snapshot.state == COMPLETED),
            key=lambda snapshot: snapshot.age_order(),
        )
        newest = completed[-1] if completed else None
        return {
            'disk_id': disk.id,
            'disk_name': disk.name,
            'newest_snapshot': None
            if newest is None
            else {'id': newest.id, 'created': newest.created, 'age_hours': _hours(newest.created, self.now)},
            'copies': [],
            'consistency_group': None if group is None else {'name': group.name, 'disks': list(group.disk_ids)},
        }

    # ------------------------------------------------------------------ one disk in one DR region
    # pylint: disable-next=too-many-arguments
    def _region_record(
        self,
        region: str,
        account: str | None,
        copies: list[Snapshot],
        staged: list[dict[str, Any]],
        sources: Mapping[str, Snapshot],
        rpo: float | None,
        group_set: tuple[str | None] | None = None,
        *,
        marks: MarksHeld,
        group_points: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """How one disk stands in ``region``: its newest completed DR copy, its copies in flight, the standing. A disk of
        a consistency group (``group_set``: (its group's newest set complete in the region, None for none)) stands only
        by its copy of that set, and its points are its group's (``group_points``: dr.groups.set_points' record)."""
        verdict_of = marks.verdict
        # What stands there is dr.points' rule: the newest good point no doubt reaches; with none, a suspect or
        # unmeasured copy stands in doubt (a differing one is no copy). The model says the doubt (RegionProtection).
        held = copies_holding(
            (
                copy
                for copy in copies
                if copy.state == COMPLETED and (group_set is None or copy.tags.get(SET_TAG) == group_set[0])
            ),
            self.point_of,
            verdict_of,
        )
        stands = held.standing or (held.newest if held.doubt_verdict in SPREADING else None)
        completed = [self._copy_record(stands)] if stands is not None else []
        in_flight = [self._copy_record(copy) for copy in copies if copy.state == PENDING]
        in_flight += [
            {
                'id': record['id'],
                'created': record['created'],
                'state': record['cloud_state'],
                'source_snapshot_id': (record.get('source') or '').partition('/')[2] or None,
                'recovery_point': _source_time(record.get('source'), sources),
                'staged_for_dr_account': True,
            }
            for record in staged
        ]
        newest = max(completed, key=_order, default=None)
        leading = max(completed + in_flight, key=_order, default=None)
        if leading is None:
            word, hours = copy_standing(False, False, None, rpo)
        elif leading in in_flight:
            word, hours = copy_standing(False, True, None, rpo)
        else:
            word, hours = copy_standing(True, False, leading['recovery_point_age_hours'], rpo)
        return {
            'region': region,
            'account': account,
            'standing': word,
            'recovery_point_age_hours': hours,
            'copy': newest,
            'in_flight': sorted(in_flight, key=_order, reverse=True),
            'lock': None,
            'set_id': group_set[0] if group_set is not None and newest is not None else None,
            # The newest verified copy, and the last known good one while a copy stands suspect (dr.verify).
            'points': group_points
            if group_points is not None
            else region_points(copies, self.point_of, self.now, verdict_of),
        }

    def _copy_record(self, copy: Snapshot) -> dict[str, Any]:
        dummy, source_id = source_of(copy)
        point = self.point_of(copy)
        return {
            'id': copy.id,
            'created': copy.created,
            'state': copy.cloud_state,
            'age_hours': _hours(copy.created, self.now),
            'source_snapshot_id': source_id,
            'recovery_point': point,
            'recovery_point_age_hours': _hours(point, self.now) if point else None,
        }


def group_standings(
    copies: Mapping[str, Sequence[Snapshot]],
    groups: Iterable[Group],
    source_region: str,
    point_of: Callable[[Snapshot], str | None],
    now: datetime.datetime,
    verdict_of: Callable[[Snapshot], str],
) -> dict[str, tuple[str | None, dict[str, dict[str, Any]]]]:
    """{group key: (its newest set complete in one DR region, each member's points there judged by sets together:
    dr.groups.set_points)} of ``groups`` (``copies``: the region's copies by disk key)."""
    standings = {}
    for group in groups:
        members = {
            '%s/%s' % (source_region, disk.id): copies.get('%s/%s' % (source_region, disk.id), [])
            for disk in group.disks
        }
        standings[group.key] = (
            newest_complete_set(members, point_of),
            set_points(members, point_of, now, verdict_of),
        )
    return standings


def problem_record(region: str | None, what: str, error: CloudError) -> dict[str, Any]:
    """A refused read as the posture's ``problems`` list it: where, what was read, the cloud's error, in words."""
    return {'region': region, 'what': what, 'error': error.as_result(), 'message': '%s: %s' % (what, error)}


def look_alike_records(
    read: PostureRead, groups: set[Group], snapshots: Mapping[str, Sequence[Snapshot]]
) -> dict[str, list[Any]]:
    """{group name: [{snapshots, why}]} of the group's source snapshots that look like a set and are in none, where the
    cloud's sets are told from evidence (EBS), read as a run reads them (dr.phases.read), each said in ``read``'s
    warnings. A read refused (a DLM policy: dlm:GetLifecyclePolicy) is a problem of ``read``."""
    sets = sets_of(read.adapter, read.settings.groups)
    members = [disk for group in groups for disk in group.disks]
    if sets is None or not sets.sets_from_evidence or not members:
        return {}
    region, set_tag = read.settings.source_region, read.settings.groups.set_tag
    try:
        reading = read.retry.call(functools.partial(sets.read_sets, set_tag=set_tag), region, members, snapshots)
    except CloudError as error:
        read.problems.append(problem_record(region, 'reading which snapshots are sets (consistency_groups)', error))
        return {}
    found = {group.name: group_look_alikes(reading.look_alikes, group, snapshots) for group in groups}
    read.warnings.extend('consistency group %s: %s' % (name, one.why) for name in sorted(found) for one in found[name])
    return {
        name: [{'snapshots': list(one.snapshot_ids), 'why': one.why} for one in ones] for name, ones in found.items()
    }


def _order(copy: dict[str, Any]) -> tuple[datetime.datetime, str]:
    """A copy's place among a disk's copies in a region: by its recovery point, else when it was made."""
    moment = None
    for text in (copy.get('recovery_point'), copy.get('created')):
        try:
            moment = parse_time(text)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            break
    return moment or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc), copy['id']


def _lock(locks: Mapping[str, SnapshotLock], snapshot_id: str) -> dict[str, Any]:
    lock = locks.get(snapshot_id)
    return lock.as_result() if lock is not None else dict(NO_LOCK)


def scope_standing(result: Mapping[str, Any]) -> dict[str, Any]:
    """The scope in counts, of its protection model: its disks, over every disk and DR region how many stand how (and
    ``worst``, the worst of them: no_copy for a scope without disks), its status, locks in force and unknown, leftovers
    and problems."""
    protection = ScopeProtection.from_data(result['protection'])
    counts = {word: number for word, number in protection.counts().items() if word in READ_STANDINGS}
    unknown = sum(
        1 for disk in result['disks'] for copy in disk['copies'] if (copy.get('lock') or {}).get('status') == UNKNOWN
    )
    worst = max((word for word, number in counts.items() if number), key=STANDINGS.index, default=NO_COPY)
    leftovers = result['leftovers']
    return dict(
        counts,
        worst=worst,
        status=protection.status,
        disks=len(protection.disks),
        without_dr_copy=protection.without_dr_copy,
        not_covered=protection.not_covered if protection.uncovered is not None else None,
        near_misses=protection.near_misses,
        locked=protection.locked,
        locks_unknown=unknown,
        leftovers=sum(1 for section in leftovers.values() for record in section if record.get('leftover', True)),
        problems=len(result['problems']),
    )


def posture_line(result: Mapping[str, Any]) -> str:
    """The read in one line, each count with its unit."""
    standing = result['standing']
    parts = [
        '%s %s -> %s: %s, %s'
        % (
            result['provider'],
            result['source_region'],
            ', '.join(result['dr_regions']),
            standing['status'].upper(),
            counted(standing['disks'], 'disk'),
        ),
        '%s without a DR copy' % counted(standing['without_dr_copy'], 'disk'),
        'disk copies by DR region: %d within the RPO, %d older than the RPO, %d in flight, %d without a copy'
        % (standing[WITHIN_RPO], standing[OVER_RPO], standing[IN_FLIGHT], standing[NO_COPY]),
    ]
    if standing['not_covered']:
        parts.append(ScopeProtection.from_data(result['protection']).coverage_words())
    if standing['locked'] or standing['locks_unknown']:
        parts.append(
            '%s locked%s'
            % (
                counted(standing['locked'], 'copy', 'copies'),
                ', %d whose lock could not be read' % standing['locks_unknown'] if standing['locks_unknown'] else '',
            )
        )
    if standing['leftovers']:
        parts.append('%s left behind by DR runs' % counted(standing['leftovers'], 'thing'))
    if standing['problems']:
        parts.append(
            '%s: %s'
            % (
                counted(standing['problems'], 'problem'),
                '; '.join(problem['message'] for problem in result['problems'][:5]),
            )
        )
    return 'DR posture of ' + '; '.join(parts)


def _source_time(key: str | None, sources: Mapping[str, Snapshot]) -> str | None:
    """When the source snapshot ``key`` ('<region>/<id>') was taken, as the source region lists it; None (unknown)
    when it lists it no more."""
    source = sources.get(key or '')
    return source.created if source is not None else None


def read_record_locks(
    adapter: DrAdapter,
    call: Callable[..., Any],
    problem: Callable[[str | None, str, CloudError], None],
    region: str,
    records: Mapping[str, dict[str, Any]],
) -> None:
    """The lock of each disk's newest completed copy and of its copies in flight in ``region``, in as few reads as the
    cloud allows; where the cloud has no locks, None; where it refused the read, unknown (a problem), never locked."""
    locking = lock_part(adapter)
    if locking is None or not locking.lock_modes:
        return
    owners = [
        copy for record in records.values() for copy in [record['copy'], *record['in_flight']] if copy is not None
    ]
    ids = sorted({copy['id'] for copy in owners if not copy.get('staged_for_dr_account')})
    try:
        locks: dict[str, SnapshotLock] = read_locks(adapter, call, region, ids) if ids else {}
    except CloudError as error:
        problem(region, 'reading the locks of the DR copies in %s' % region, error)
        unknown = dict(NO_LOCK, status=UNKNOWN, in_force=None, error=error.as_result())
        for record in records.values():
            record['lock'] = dict(unknown) if record['copy'] is not None else None
            for copy in record['in_flight']:
                copy['lock'] = dict(unknown)
        return
    for record in records.values():
        record['lock'] = _lock(locks, record['copy']['id']) if record['copy'] is not None else None
        for copy in record['in_flight']:
            copy['lock'] = _lock(locks, copy['id'])
