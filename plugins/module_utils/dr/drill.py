# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore drill: proof that the DR copies restore, and how long a restore takes.

In each DR region the drill makes a disk from the newest completed DR copy of a few disks, waits
until the disk is usable, records the seconds it took, and deletes it. Nothing it makes is meant
to outlive the run:

* every test disk carries two marks, a name that starts with TEST_DISK_PREFIX and the tag
  RESTORE_RUN_TAG (the run's id), plus RESTORE_SCOPE_TAG (which DR scope made it). A disk without
  both marks is never deleted;
* the disks of this run are deleted whether their test passed, failed or timed out; those the
  cloud will not delete yet (still being made) are reported, and the next run deletes them;
* before testing, a run deletes the leftovers of earlier drills (a killed run leaves its disks):
  a test disk of another run once the time its RESTORE_UNTIL_TAG names has passed (its run, which
  wrote it from its own timeouts, is over by then, killed or not), and a disk without that tag
  (made by an older release) once it is older than OTHERS_LEFTOVER_HOURS (no drill lasts that
  long). So two runs of one scope at once (a schedule overlapping a manual run), and the scopes
  of a fleet sharing a DR region, never delete each other's disks mid-test.

Rotation: a passed test marks the copy it restored (RESTORE_TESTED_TAG, the time of the test), and
each run tests first the disks whose copies carry the oldest mark, or none. So every disk is tested
within ceil(disks / count) runs, however often the runs come. A drill that makes and deletes a disk
changes nothing that stays: it does not make the task changed; deleting leftovers does.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import random
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..core.cloud_clock import parse_stamp, stamp
from ..core.dr_model import USABLE
from ..core.errors import INVALID, NOT_FOUND, CloudError, InputError
from ..core.model import COMPLETED, FAILED, PENDING, parse_time
from ..core.polling import DONE, STILL_GOING, poll
from ..core.retry import create_once
from ..core.tagging import (
    RESTORE_COPY_TAG,
    RESTORE_HOST_TAG,
    RESTORE_RUN_TAG,
    RESTORE_SCOPE_TAG,
    RESTORE_TESTED_TAG,
    RESTORE_UNTIL_TAG,
    SET_TAG,
)
from .capabilities import DrillHostAdapter
from .drill_host import attach_for_checks, detach_ours, drill_hosts, host_for_drill
from .groups import newest_complete_set
from .points import DIFFERING, MarksHeld, copy_verdict, own_point, point_order
from .prune import copies_by_disk

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from ..core.dr_model import DrillDisk, DrillHost
    from ..core.model import Snapshot
    from ..core.retry import PhaseRetry
    from .capabilities import RestoreDrillAdapter
    from .settings import DrSettings

T = TypeVar('T')

TEST_DISK_PREFIX = 'snapcopy-restore-test-'
# A test disk of another scope is a leftover once it is this old: restore_test_timeout is at most MAX_TIMEOUT.
OTHERS_LEFTOVER_HOURS = 24
MIN_TIMEOUT = 10
MAX_TIMEOUT = 6 * 3600
MAX_COUNT = 50
# A disk made from a snapshot is usable within minutes; reading its state every few seconds times it closely.
FIRST_POLL_SECONDS = 1
MAX_POLL_SECONDS = 30
# How long a test disk that is still being made at the end is waited for, so that it can be deleted.
DELETE_GRACE_SECONDS = 300

# What happened to one test.
PASSED = 'passed'
FAILED_TEST = 'failed'
TIMED_OUT = 'timed_out'
WOULD_TEST = 'would_test'
# What happened to one test disk, or one leftover.
DELETED = 'deleted'
# Gone before our delete (another run, a person): no failure, and not counted as this run's deletion.
ALREADY_DELETED = 'already_deleted'
# Another run's test disk whose run may not be over: left alone until the time it carries (RESTORE_UNTIL_TAG).
LEFT_UNTIL = 'left_until'
# Another run's test disk whose run is over: this run deletes it.
LEFTOVER = 'leftover'
WOULD_DELETE = 'would_delete'
DELETE_FAILED = 'delete_failed'
# A copy the cloud keeps because a disk or an image was made from it (a person's restore, say): never forced.
KEPT_IN_USE = 'kept_in_use'
# A copy pruning chose whose lock it could not read (the lock read refused), and whose delete the cloud refused: most
# likely a lock, which the cloud keeps; not a failure.
KEPT_REFUSED = 'kept_refused'


def run_id(now: datetime.datetime, rng: Callable[[], float] = random.random) -> str:
    """This drill's id: its start time and a random part, e.g. 20261122T181400Z-3f9a1c."""
    return '%s-%06x' % (stamp(now), int(rng() * 0xFFFFFF))


def scope_key(source_region: str, tag_selector: Mapping[str, Any]) -> str:
    """Names the DR scope (source region and tag selector) on its test disks, in 12 hex digits."""
    identity = json.dumps(
        [source_region, sorted((str(key), value) for key, value in tag_selector.items())], default=str
    )
    return hashlib.sha256(identity.encode('utf-8')).hexdigest()[:12]


def test_disk_tags(run: str, scope: str, copy_id: str, until: str) -> dict[str, str]:
    return {RESTORE_RUN_TAG: run, RESTORE_SCOPE_TAG: scope, RESTORE_COPY_TAG: copy_id, RESTORE_UNTIL_TAG: until}


def run_over_at(now: datetime.datetime, settings: DrSettings) -> datetime.datetime:
    """The time by which a run that began at ``now`` is over: its copies' wait_timeout, then its drill, the user's checks
    on its held disks (restore_test_host), then the grace its test disks get to be deleted."""
    checks = settings.restore.host.validate_timeout if settings.restore.host is not None else 0
    return now + datetime.timedelta(
        seconds=settings.wait.timeout + settings.restore.timeout + checks + 2 * DELETE_GRACE_SECONDS
    )


def run_over_by(now: datetime.datetime, settings: DrSettings) -> str:
    """run_over_at as the RESTORE_UNTIL_TAG of the run's test disks writes it."""
    return stamp(run_over_at(now, settings))


def is_test_disk(disk: DrillDisk) -> bool:
    """Whether ``disk`` carries both marks of a test disk: the name and the run tag."""
    return (disk.name or '').startswith(TEST_DISK_PREFIX) and bool(disk.tags.get(RESTORE_RUN_TAG))


def leftover_state(disk: DrillDisk, run: str, now: datetime.datetime) -> str | None:
    """What a test disk found in a DR region is to the run ``run`` (see the module docstring): LEFTOVER once the run
    that made it is over, LEFT_UNTIL while the RESTORE_UNTIL_TAG it carries says that run may still be under way,
    None otherwise (no test disk, this run's own, or one of an older release too young to be a leftover)."""
    if not is_test_disk(disk) or disk.tags.get(RESTORE_RUN_TAG) == run:
        return None
    if disk.tags.get(RESTORE_UNTIL_TAG):
        until = parse_stamp(disk.tags[RESTORE_UNTIL_TAG])
        return LEFTOVER if until is not None and now > until else LEFT_UNTIL
    created = _time_or_none(disk.created) or parse_stamp((disk.tags.get(RESTORE_RUN_TAG) or '').partition('-')[0])
    return LEFTOVER if created is not None and (now - created).total_seconds() > OTHERS_LEFTOVER_HOURS * 3600 else None


def is_leftover(disk: DrillDisk, run: str, now: datetime.datetime) -> bool:
    """Whether a test disk found in a DR region is left over from an earlier drill, for this run to delete."""
    return leftover_state(disk, run, now) == LEFTOVER


def leftover_record(region: str, disk: DrillDisk) -> dict[str, Any]:
    """A test disk of another run, as the report lists it among the leftovers."""
    return {
        'region': region,
        'test_disk_id': disk.id,
        'run': disk.tags.get(RESTORE_RUN_TAG),
        'state': disk.cloud_state,
        'created': disk.created,
    }


def _time_or_none(text: str | None) -> datetime.datetime | None:
    # A time the cloud writes in a form of its own is no reason to fail a run: the disk is then not known to be old.
    try:
        return parse_time(text)
    except (TypeError, ValueError):
        return None


def pick_disks(
    copies_of_disks: Mapping[str, list[Snapshot]], count: int, groups: Sequence[Sequence[str]] = ()
) -> list[tuple[str, Snapshot]]:
    """The disks to test in one region: [(disk key, copy)], of at most ``count`` disks or consistency groups.

    ``copies_of_disks`` is {disk key: [copy]} (any state); ``groups`` the disk keys of each consistency group. A disk on
    its own is a candidate with its completed copy of the newest recovery point (dr.points: by its source's time, never
    by when the copy was made); a group (dr.groups), with its members' copies of its newest set complete in the region,
    all of them restored together (the set's point is what the application restores from). A copy found to differ from
    its source (DIFFERS_TAG) is never read again (docs/safety.md), so never tested. Those whose copies carry the oldest
    RESTORE_TESTED_TAG (or none) come first, then by disk key, so that over successive runs every disk and group gets
    its turn.
    """
    grouped = {key for members in groups for key in members}
    usable = {
        key: [copy for copy in copies if copy_verdict(copy) != DIFFERING] for key, copies in copies_of_disks.items()
    }
    candidates: list[tuple[str, str, list[tuple[str, Snapshot]]]] = []
    for disk_key, copies in usable.items():
        completed = [copy for copy in copies if copy.state == COMPLETED]
        if completed and disk_key not in grouped:
            last_tested = max((copy.tags.get(RESTORE_TESTED_TAG) or '' for copy in copies), default='')
            newest = max(completed, key=lambda copy: point_order(copy, own_point(copy)))
            candidates.append((last_tested, disk_key, [(disk_key, newest)]))
    for members in groups:
        held = {key: usable.get(key, []) for key in members}
        point = newest_complete_set(held)
        if point is None:
            continue
        chosen = [
            (key, next(copy for copy in held[key] if copy.state == COMPLETED and copy.tags.get(SET_TAG) == point))
            for key in sorted(members)
        ]
        last_tested = max((copy.tags.get(RESTORE_TESTED_TAG) or '' for dummy, copy in chosen), default='')
        candidates.append((last_tested, chosen[0][0], chosen))
    return [pair for dummy, dummy_key, pairs in sorted(candidates, key=lambda item: item[:2])[:count] for pair in pairs]


def check_restore_settings(settings: DrSettings, adapter: RestoreDrillAdapter) -> None:
    """restore_test's options, checked before any call (InputError naming the option)."""
    if not settings.wait.wait:
        # Without it, the drill would restore an older copy, or find none on a first run and fail after the copies.
        raise InputError(
            'restore_test',
            'needs wait (dr_copy_wait in the role), so that it restores the copies this run '
            'makes once they have completed',
        )
    count = settings.restore.count
    if count is None or not 1 <= count <= MAX_COUNT:
        raise InputError(
            'restore_test_count', 'must be from 1 to %d (disks tested per DR region), got %s' % (MAX_COUNT, count)
        )
    timeout = settings.restore.timeout
    if timeout is None or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise InputError(
            'restore_test_timeout', 'must be from %d to %d seconds, got %s' % (MIN_TIMEOUT, MAX_TIMEOUT, timeout)
        )
    disk_type = settings.restore.disk_type
    if disk_type and disk_type not in adapter.restore_disk_types:
        raise InputError(
            'restore_test_disk_type',
            '%s makes disks of the types %s, got %r'
            % (adapter.cloud, ', '.join(adapter.restore_disk_types), disk_type),
        )
    zones = settings.restore.zones
    if zones and not adapter.restore_needs_zone:
        raise InputError(
            'restore_test_zones',
            '%s makes a test disk on the DR %s itself: give no zones' % (adapter.cloud, adapter.region_word),
        )
    if zones and not adapter.zone_needed(disk_type or adapter.restore_disk_type):
        raise InputError('restore_test_zones', 'a %s disk spans the zones of its region: give no zones' % disk_type)
    _check_host(settings, adapter)
    regions = settings.region_names
    for region, zone in zones.items():
        if region not in regions:
            raise InputError(
                'restore_test_zones', '%r is not one of the DR regions (%s)' % (region, ', '.join(regions))
            )
        if not isinstance(zone, str) or not zone:
            raise InputError('restore_test_zones', 'the zone of %s must be a zone name, got %r' % (region, zone))


def _check_host(settings: DrSettings, adapter: RestoreDrillAdapter) -> None:
    """restore_test_host's options, against the cloud and restore_test_zones."""
    zones = settings.restore.zones
    host = settings.restore.host
    if host is not None:
        if not isinstance(adapter, DrillHostAdapter):
            raise InputError(
                'restore_test_host',
                '%s cannot attach a test disk to an instance: leave this option unset' % adapter.cloud,
            )
        if host.region in zones:
            raise InputError(
                'restore_test_zones',
                'the test disks of %s are made in the zone of restore_test_host %s: give no zone for %s'
                % (host.region, host.instance_id, host.region),
            )
        if not MIN_TIMEOUT <= host.validate_timeout <= MAX_TIMEOUT:
            raise InputError(
                'restore_test_host.validate_timeout',
                'must be from %d to %d seconds, got %s' % (MIN_TIMEOUT, MAX_TIMEOUT, host.validate_timeout),
            )


class RegionDrill:
    """The drill in one DR region: its zone, its leftovers, and its tests."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.zone: str | None = None
        self.plan: str | None = None
        self.tests: list[DrillTest] = []
        self.leftovers: list[dict[str, Any]] = []
        self.problem: CloudError | None = None
        #: The user's instance the region's test disks are attached to (restore_test_host; None: not this region).
        self.host: DrillHost | None = None


class DrillTest:
    """One test of the drill: a disk's copy made into a test disk (a DrillDisk), timed, and deleted. The drill's words,
    one a thing: RestoreDrill (a run's drill), RegionDrill (its part in one DR region), DrillTest, DrillDisk; the option
    that asks for it keeps its users' name, restore_test."""

    def __init__(self, region: str, disk_key: str, copy: Snapshot, group: str | None = None) -> None:
        self.region = region
        self.disk_key = disk_key
        self.copy = copy
        #: The consistency group whose set this test restores with its other members (None: a disk on its own).
        self.group = group
        self.result: str | None = None
        self.disk: DrillDisk | None = None
        self.started: float | None = None
        self.seconds: float | None = None
        # The cloud's error, or what the drill saw (a disk that failed, vanished or timed out).
        self.error: CloudError | str | None = None
        self.deletion: dict[str, Any] | None = None
        #: Attached to the user's instance and left for the user's checks (restore_test_host; dr.drill_host).
        self.held = False
        self.seconds_to_attached: float | None = None

    @property
    def made(self) -> DrillDisk:
        """The test's disk, once the create call named it: a bug of ours to ask before."""
        if self.disk is None:
            raise RuntimeError('the test of %s has no disk yet' % self.disk_key)
        return self.disk

    def fail(self, why: CloudError | str) -> None:
        self.result, self.error = FAILED_TEST, why

    def as_result(self, zone: str | None, disk_type: str | None) -> dict[str, Any]:
        return {
            'region': self.region,
            'disk_id': self.disk_key.partition('/')[2],
            'copy_id': self.copy.id,
            'copy_created': self.copy.created,
            'zone': zone,
            'disk_type': disk_type,
            'test_disk_id': self.disk.id if self.disk is not None else None,
            'result': self.result,
            'seconds_to_usable': None if self.seconds is None else round(self.seconds, 1),
            'test_disk': self.deletion,
            'consistency_group': self.group,
            'set_id': self.copy.tags.get(SET_TAG) if self.group is not None else None,
            'held': self.held,
            'attached_to': self.disk.attached_to if self.disk is not None and self.held else None,
            'device': self.disk.device if self.disk is not None and self.held else None,
            'seconds_to_attached': None if self.seconds_to_attached is None else round(self.seconds_to_attached, 1),
            'error': self.error.as_result()
            if isinstance(self.error, CloudError)
            else ({'message': self.error} if self.error else None),
        }


class RestoreDrill:
    """Runs the drill of one DR run (see the module docstring). ``settings`` are dr_sync's."""

    # pylint: disable-next=too-many-arguments
    def __init__(
        self,
        adapter: RestoreDrillAdapter,
        settings: DrSettings,
        *,
        retry: PhaseRetry,
        check_mode: bool,
        now: datetime.datetime,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        max_attempts: int,
        rng: Callable[[], float] = random.random,
        run: str | None = None,
    ) -> None:
        """``run`` is the DR run's id (run_id), which its test disks carry."""
        self.adapter = adapter
        self.settings = settings
        # The DR run's PhaseRetry; the drill's calls have the drill's deadline (``calls``, set by ``run``).
        self.retry = retry
        self.calls = retry
        self.check_mode = check_mode
        self.now = now
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.run_id = run or run_id(now, rng)
        self.scope = scope_key(settings.source_region, settings.tag_selector)
        self.until = run_over_by(now, settings)
        self.disk_type: str | None = settings.restore.disk_type or adapter.restore_disk_type
        self.deadline = float('inf')  # the drill's end, set when it runs
        self.regions: list[RegionDrill] = []
        self.warnings: list[str] = []

    def _call(self, method: Callable[..., T], *args: Any) -> T:
        return self.calls.call(method, *args)

    # pylint: disable-next=too-many-arguments
    def run(
        self,
        disk_keys: Collection[str],
        copies_by_region: Mapping[str, Sequence[Snapshot]],
        source_disks: Mapping[str, str],
        copies_to_come: Collection[str] = (),
        differing: Collection[str] = (),
        groups: Mapping[str, Sequence[str]] | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        """Test in every DR region the disks of ``disk_keys`` ('<region>/<disk id>'); ``copies_by_region`` is {region:
        [copy]} as listed after the copies were made. ``copies_to_come`` are the regions where check mode plans copies
        that a real run would wait for; ``differing`` the ids of copies this run refused as differing from what it asks
        (on_mismatch: fail), which are no DR copies to prove; ``groups`` the disk keys of each consistency group by its
        name, whose members are restored together from one set."""
        self.deadline = self.clock() + self.settings.restore.timeout
        # The drill's calls are retried until its own end, whatever time the copies took; deleting may come after.
        self.calls = self.retry.until(self.deadline + DELETE_GRACE_SECONDS)
        cleanup = DrillCleanup(
            self.adapter,
            self.calls,
            run=self.run_id,
            now=self.now,
            check_mode=self.check_mode,
            warnings=self.warnings,
        )
        by_disk = set(disk_keys)
        # A person's copy of a DR copy found to differ holds the same data, in whichever DR region each is: never tested.
        marks = MarksHeld(copy for copies in copies_by_region.values() for copy in copies)
        for region in self.settings.region_names:
            drill = RegionDrill(region)
            self.regions.append(drill)
            copies = copies_by_disk(copies_by_region.get(region, []), by_disk, source_disks)
            # A run limited to named disks (disk_ids) clears only the leftovers made from those disks' copies.
            made_from = {copy.id for group in copies.values() for copy in group} if self.settings.disk_ids else None
            try:
                self._place(drill)
                cleanup.clear_leftovers(drill, made_from)
            except CloudError as error:
                drill.problem = error
                continue
            testable = {
                key: [
                    copy
                    for copy in group
                    if self.adapter.restore_refusal(copy) is None
                    and copy.id not in differing
                    and not marks.differs(copy)
                ]
                for key, group in copies.items()
            }
            picked = pick_disks(testable, self.settings.restore.count, list((groups or {}).values()))
            if not picked and not by_disk:
                # No disk carries the selector's tags: nothing to prove, as the DR run has nothing to copy.
                drill.plan = 'no disk to test'
            elif not picked and region in copies_to_come:
                drill.plan = 'would test the copies this run makes, once they have completed'
            elif not picked:
                drill.problem = self._nothing_to_test(region, copies)
            group_of = {key: name for name, members in (groups or {}).items() for key in members}
            drill.tests = [DrillTest(region, disk_key, copy, group_of.get(disk_key)) for disk_key, copy in picked]
        tests = [test for drill in self.regions for test in drill.tests]
        if self.check_mode:
            for test in tests:
                test.result = WOULD_TEST
            return self.report()
        try:
            for drill in self.regions:
                for test in drill.tests:
                    self._start(drill, test)
            self._wait([test for test in tests if test.disk is not None and test.result is None])
            for drill in self.regions:
                if drill.host is not None:
                    attach_for_checks(
                        self.adapter,
                        self.calls,
                        drill.host,
                        [test for test in drill.tests if test.result == PASSED],
                        deadline=self.deadline,
                        clock=self.clock,
                        sleep=self.sleep,
                    )
        finally:
            # Whatever happened above, this run's disks go, but those held for the user's checks (dr_drill_finish).
            cleanup.delete_own_disks(
                [test for test in tests if not test.held],
                keep={test.made.id for test in tests if test.held},
            )
        self._mark_tested([test for test in tests if test.result == PASSED])
        return self.report()

    # ------------------------------------------------------------------ zones
    def _place(self, drill: RegionDrill) -> None:
        """Where the region's test disks are made: the zone of the user's instance that takes them (restore_test_host,
        read: it must run), else the drill's zone."""
        host = self.settings.restore.host
        if host is not None and host.region == drill.region:
            drill.host = host_for_drill(drill_hosts(self.adapter), self.calls, host)
        drill.zone = drill.host.zone if drill.host is not None and drill.host.zone else self._zone(drill.region)

    def _zone(self, region: str) -> str | None:
        if not self.adapter.zone_needed(self.disk_type):
            return None
        zones = self._call(self.adapter.restore_zones, region, self.disk_type)
        asked: str | None = self.settings.restore.zones.get(region)
        if asked:
            if asked not in zones:
                raise CloudError(
                    'DescribeZones',
                    'InvalidZone',
                    'restore_test_zones: %s offers no zone %s for disks of type %s '
                    '(it offers %s)' % (region, asked, self.disk_type, ', '.join(zones) or 'none'),
                    kind=INVALID,
                    region=region,
                )
            return asked
        if not zones:
            raise CloudError(
                'DescribeZones',
                'NoZone',
                'no zone of %s makes disks of type %s now: name another type in '
                'restore_test_disk_type' % (region, self.disk_type),
                kind=INVALID,
                region=region,
            )
        return zones[0]

    def _nothing_to_test(self, region: str, copies: Mapping[str, list[Snapshot]]) -> CloudError:
        refused = [self.adapter.restore_refusal(copy) for group in copies.values() for copy in group]
        reason = next((text for text in refused if text), None)
        if reason:
            text = 'no DR copy in %s can be made into a disk: %s' % (region, reason)
        else:
            text = (
                'no completed DR copy in %s to restore from: wait for the copies (dr_copy_wait / wait) or run again '
                'once they have completed' % region
            )
        return CloudError('RestoreTest', 'NoCompletedCopy', text, kind=NOT_FOUND, region=region)

    # ------------------------------------------------------------------ tests
    def _start(self, drill: RegionDrill, test: DrillTest) -> None:
        tags = test_disk_tags(self.run_id, self.scope, test.copy.id, self.until)
        if drill.host is not None:
            tags[RESTORE_HOST_TAG] = drill.host.id
        name = TEST_DISK_PREFIX + self.run_id
        token = 'snapcopy-%s' % hashlib.sha256(('%s %s' % (self.run_id, test.copy.id)).encode('utf-8')).hexdigest()[:48]
        test.started = self.clock()
        # Within run (the deadline set); every drill adapter names its restore_disk_type, the default disk type.
        try:
            test.disk = create_once(
                functools.partial(
                    self.adapter.create_test_disk,
                    drill.region,
                    drill.zone,
                    test.copy,
                    self.disk_type or '',
                    name,
                    tags,
                    token,
                ),
                lambda: self._made_from(drill.region, test.copy),
                self.adapter.create_disk_call_is_idempotent,
                self.calls,
                self.deadline,
                self.max_attempts,
            )
        except CloudError as error:
            test.result, test.error = FAILED_TEST, error

    def _made_from(self, region: str, copy: Snapshot) -> DrillDisk | None:
        """The test disk this run made from ``copy``, if the cloud made it (after a lost answer)."""
        made = [
            disk
            for disk in self._call(self.adapter.find_test_disks, region)
            if disk.tags.get(RESTORE_RUN_TAG) == self.run_id and disk.tags.get(RESTORE_COPY_TAG) == copy.id
        ]
        return min(made, key=lambda disk: disk.id) if made else None

    def _wait(self, tests: list[DrillTest]) -> None:
        # Each of ``tests`` has its disk (_observe keeps it), and the run has set the deadline.
        if not tests:
            return
        seen: set[str] = set()

        def read() -> list[DrillTest]:
            waiting = [test for test in tests if test.result is None]
            for region in sorted({test.region for test in waiting}):
                mine = [test for test in waiting if test.region == region]
                latest = self._call(self.adapter.describe_test_disks, region, sorted(test.made.id for test in mine))
                for test in mine:
                    self._observe(test, latest.get(test.made.id), seen)
            return tests

        poll(
            read,
            lambda group: STILL_GOING if any(test.result is None for test in group) else DONE,
            self.deadline,
            FIRST_POLL_SECONDS,
            sleep=self.sleep,
            clock=self.clock,
            max_interval=MAX_POLL_SECONDS,
        )
        for test in tests:
            if test.result is None:
                test.result = TIMED_OUT
                test.error = 'test disk %s was still %s after restore_test_timeout (%s s)' % (
                    test.made.id,
                    test.made.cloud_state,
                    self.settings.restore.timeout,
                )

    def _observe(self, test: DrillTest, disk: DrillDisk | None, seen: set[str]) -> None:
        # ``test`` has its disk, and the time it was started.
        if disk is None:
            # Some clouds list a new disk only once it is made; one that was listed and is gone has failed.
            if test.made.id in seen:
                test.result, test.error = (
                    FAILED_TEST,
                    'test disk %s disappeared while it was being made' % test.made.id,
                )
            return
        seen.add(disk.id)
        test.disk = disk
        if disk.state == USABLE:
            test.result, test.seconds = PASSED, self.clock() - cast('float', test.started)
        elif disk.state == FAILED:
            test.result = FAILED_TEST
            test.error = 'test disk %s is in state %s: %s' % (
                disk.id,
                disk.cloud_state,
                disk.message or 'no reason given by the cloud',
            )
        elif disk.state != PENDING:
            test.result, test.error = (
                FAILED_TEST,
                'test disk %s is in state %s while being made' % (disk.id, disk.cloud_state),
            )

    def _mark_tested(self, tests: list[DrillTest]) -> None:
        tested = stamp(self.now)
        for test in tests:
            try:
                # The drill's adapter is the DR run's, a DrAdapter too: it tags copies.
                self._call(self.adapter.tag_copy, test.copy, {RESTORE_TESTED_TAG: tested})
            except CloudError as error:
                self.warnings.append(
                    'the restore test of copy %s passed, but it could not be marked as tested (the next '
                    'drills may test its disk again before the others): %s' % (test.copy.id, error)
                )

    # ------------------------------------------------------------------ report
    def report(self) -> tuple[dict[str, Any], list[str]]:
        """The report's restore section, and the problems to list among the run's failures (drill_report)."""
        return drill_report(self)


class DrillCleanup:
    """The drill's deleting: the leftovers of earlier drills, and this run's own test disks whatever their tests did.
    Only disks with both marks of a test disk are deleted (see the module docstring)."""

    # pylint: disable-next=too-many-arguments
    def __init__(
        self,
        adapter: RestoreDrillAdapter,
        calls: PhaseRetry,
        *,
        run: str,
        now: datetime.datetime,
        check_mode: bool,
        warnings: list[str],
    ) -> None:
        """``calls``: the drill's, until its deadline and DELETE_GRACE_SECONDS, whose backoff's clock times the waits
        for disks too; ``run``: the drill's run id (run_id); ``warnings``: the drill's list, which this adds to."""
        self.adapter = adapter
        self.calls = calls
        self.run_id = run
        self.now = now
        self.check_mode = check_mode
        self.clock = calls.backoff.clock
        self.sleep = calls.backoff.sleep
        self.warnings = warnings

    def clear_leftovers(self, drill: RegionDrill, made_from: Collection[str] | None = None) -> None:
        """Delete the test disks of runs that are over; ``made_from``: only those made from these copies (None: any)."""
        found = sorted(self.calls.call(self.adapter.find_test_disks, drill.region), key=lambda disk: disk.id)
        if made_from is not None:
            found = [disk for disk in found if disk.tags.get(RESTORE_COPY_TAG) in made_from]
        states = {disk.id: leftover_state(disk, self.run_id, self.now) for disk in found}
        leftovers = [disk for disk in found if states[disk.id] == LEFTOVER]
        attached: set[str] = set()
        if leftovers and not self.check_mode:
            # A killed run's disk may still be being made: clouds refuse to delete those.
            self._settle(drill.region, [disk.id for disk in leftovers if disk.state == PENDING])
            # A run killed during the user's checks left its disks attached to the drill host.
            attached = self._detach(drill.region, leftovers)
        leftovers = [disk for disk in leftovers if disk.id not in attached]
        for disk in leftovers:
            drill.leftovers.append(dict(leftover_record(drill.region, disk), **self._delete(drill.region, disk.id)))
        # Another run's disks whose run may still be under way (at the same time as this one, or killed: no one can
        # tell) are left alone until the time they carry, and reported, so that a person knows why they are there.
        drill.leftovers += [
            dict(leftover_record(drill.region, disk), action=LEFT_UNTIL, until=disk.tags[RESTORE_UNTIL_TAG])
            for disk in found
            if states[disk.id] == LEFT_UNTIL
        ]

    def delete_own_disks(self, tests: list[DrillTest], keep: Collection[str] = ()) -> None:
        """Delete every disk this run made: those its tests know, and any other with this run's tag (a
        disk made by a call whose answer was lost), but those of ``keep`` (held for the user's checks). One still being
        made is waited for a while first; one attached by the drill is detached first."""
        for region in sorted({test.region for test in tests}):
            known = {test.disk.id: test for test in tests if test.region == region and test.disk is not None}
            try:
                found = self.calls.call(self.adapter.find_test_disks, region)
            except CloudError as error:
                found = []
                self.warnings.append('could not list the test disks of %s to delete them: %s' % (region, error))
            extra = sorted(
                disk.id
                for disk in found
                if is_test_disk(disk)
                and disk.tags.get(RESTORE_RUN_TAG) == self.run_id
                and disk.id not in known
                and disk.id not in keep
            )
            self._settle(region, sorted(known) + extra)
            attached = self._detach(region, [disk for disk in found if disk.id in known or disk.id in extra])
            for disk_id in sorted(known) + extra:
                if disk_id in attached:
                    if disk_id in known:
                        known[disk_id].deletion = {
                            'action': DELETE_FAILED,
                            'error': {'message': 'attached to another instance'},
                            'id': disk_id,
                        }
                    continue
                outcome = self._delete(region, disk_id)
                if disk_id in known:
                    known[disk_id].deletion = dict(outcome, id=disk_id)
                else:
                    self.warnings.append(
                        'test disk %s of this run (made by a call whose answer was lost) was %s'
                        % (disk_id, outcome['action'].replace('_', ' '))
                    )

    def _detach(self, region: str, disks: list[DrillDisk]) -> set[str]:
        """Detach those of ``disks`` that the drill attached (dr.drill_host.detach_ours): the ids still attached."""
        if self.check_mode:
            return set()
        return detach_ours(
            self.adapter,
            self.calls,
            region,
            disks,
            deadline=self.clock() + DELETE_GRACE_SECONDS,
            clock=self.clock,
            sleep=self.sleep,
            warnings=self.warnings,
        )

    def delete_run(self, region: str) -> list[dict[str, Any]]:
        """Detach and delete every test disk of this run in ``region`` (dr_drill_finish, once the user's checks on the
        held disks are over): one record each."""
        found = [
            disk
            for disk in self.calls.call(self.adapter.find_test_disks, region)
            if is_test_disk(disk) and disk.tags.get(RESTORE_RUN_TAG) == self.run_id
        ]
        found.sort(key=lambda disk: disk.id)
        if not self.check_mode:
            self._settle(region, [disk.id for disk in found if disk.state == PENDING])
        attached = self._detach(region, found)
        records = []
        for disk in found:
            record = {'region': region, 'test_disk_id': disk.id, 'copy_id': disk.tags.get(RESTORE_COPY_TAG)}
            if disk.id in attached:
                records.append(dict(record, action=DELETE_FAILED, error={'message': 'still attached'}))
                continue
            records.append(dict(record, **self._delete(region, disk.id)))
        return records

    def _settle(self, region: str, disk_ids: list[str]) -> None:
        """Wait (a while at most) until none of these disks is still being made: clouds refuse to delete those."""
        if not disk_ids:
            return
        deadline = self.clock() + DELETE_GRACE_SECONDS

        def read() -> dict[str, DrillDisk]:
            try:
                return self.calls.call(self.adapter.describe_test_disks, region, disk_ids)
            except CloudError:
                return {}

        poll(
            read,
            lambda latest: STILL_GOING if any(disk.state == PENDING for disk in latest.values()) else DONE,
            deadline,
            FIRST_POLL_SECONDS,
            sleep=self.sleep,
            clock=self.clock,
            max_interval=MAX_POLL_SECONDS,
        )

    def _delete(self, region: str, disk_id: str) -> dict[str, Any]:
        if self.check_mode:
            return {'action': WOULD_DELETE}
        try:
            self.calls.call(self.adapter.delete_test_disk, region, disk_id)
        except CloudError as error:
            if error.kind == NOT_FOUND:  # gone already is as good as deleted, but not our doing
                return {'action': ALREADY_DELETED}
            return {'action': DELETE_FAILED, 'error': error.as_result()}
        return {'action': DELETED}


def drill_report(restore_drill: RestoreDrill) -> tuple[dict[str, Any], list[str]]:
    """The report's restore section of ``restore_drill``, and the problems to list among the run's failures."""
    tests: list[dict[str, Any]]
    leftovers: list[dict[str, Any]]
    problems: list[str]
    tests, leftovers, problems = [], [], []
    for drill in restore_drill.regions:
        for test in drill.tests:
            record = test.as_result(drill.zone, restore_drill.disk_type)
            tests.append(record)
            if test.result in (FAILED_TEST, TIMED_OUT):
                problems.append(
                    'restore test in %s of disk %s from copy %s %s: %s'
                    % (test.region, record['disk_id'], test.copy.id, test.result.replace('_', ' '), test.error)
                )
            if test.deletion is not None and test.deletion['action'] == DELETE_FAILED:
                problems.append(
                    'restore test disk %s in %s could not be deleted (the next run deletes it): %s'
                    % (test.made.id, test.region, test.deletion['error']['message'])
                )  # deleted: it has its disk
        for record in drill.leftovers:
            leftovers.append(record)
            if record['action'] == DELETE_FAILED:
                problems.append(
                    'leftover restore test disk %s in %s could not be deleted: %s'
                    % (record['test_disk_id'], drill.region, record['error']['message'])
                )
        if drill.problem is not None:
            problems.append('restore test in %s: %s' % (drill.region, drill.problem))
    totals = {
        name: sum(1 for test in tests if test['result'] == name)
        for name in (PASSED, FAILED_TEST, TIMED_OUT, WOULD_TEST)
    }
    totals['leftovers_deleted'] = sum(1 for record in leftovers if record['action'] in (DELETED, WOULD_DELETE))
    sets = set_results(tests)
    problems.extend(
        'restore test in %s of consistency group %s (set %s): %s'
        % (record['region'], record['group'], record['set_id'], 'a member did not pass: the set did not restore whole')
        for record in sets
        if record['result'] != PASSED and record['result'] != WOULD_TEST
    )
    return {
        'run_id': restore_drill.run_id,
        'scope': restore_drill.scope,
        'disk_type': restore_drill.disk_type,
        'count_per_region': restore_drill.settings.restore.count,
        'regions': [
            {
                'region': drill.region,
                'zone': drill.zone,
                'plan': drill.plan,
                'problem': None if drill.problem is None else drill.problem.as_result(),
            }
            for drill in restore_drill.regions
        ],
        'totals': totals,
        'tests': tests,
        'sets': sets,
        # The disks left attached for the user's checks (restore_test_host), and what is to come of them.
        'held': [test for test in tests if test['held']],
        'validation': None
        if not any(test['held'] for test in tests)
        else {'state': 'pending', 'instance_id': next(t['attached_to'] for t in tests if t['held'])},
        'leftovers': leftovers,
        'warnings': list(restore_drill.warnings),
    }, problems


def set_results(tests: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each consistency group's set restored in a region, from its members' tests: passed only when every member
    passed; its time to usable is its slowest member's (the application starts when its last disk is there)."""
    members: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for test in tests:
        if test.get('consistency_group'):
            members.setdefault((test['region'], test['consistency_group']), []).append(test)
    records = []
    for (region, group), found in sorted(members.items()):
        results = {test['result'] for test in found}
        result = next((word for word in (FAILED_TEST, TIMED_OUT, WOULD_TEST) if word in results), PASSED)
        seconds = [test['seconds_to_usable'] for test in found]
        records.append(
            {
                'region': region,
                'group': group,
                'set_id': found[0]['set_id'],
                'disks': [test['disk_id'] for test in found],
                'result': result,
                'seconds_to_usable': None if result != PASSED or None in seconds else max(seconds),
            }
        )
    return records
