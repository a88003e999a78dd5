"""The DR run's safety contract (docs/safety.md), searched by hypothesis for a sequence of the world's moves that breaks
it.

The world is the in-memory cloud: disks that get new snapshots as time passes; DR runs with and without wait, pruning
by count and by age, with and without a restore drill; copies that fail or hang in the cloud; answers lost in transit;
runs killed between any two of their calls (a killed run's test disk may belong to a run still under way: no other run
can tell); people who copy a DR copy with its tags, and archive copies made with a copy module.

After every move:
1. every disk that ever had a completed copy in a DR region still has one there;
2. nothing that a DR run did not make was ever deleted;
3. no test disk was deleted by a run that did not make it before the time its run could still be under way;
4. no delete was sent for a copy whose lock was in force, whoever locked it (a run with ``lock``, or a person), unless
   the cloud refused the run its lock reads (a policy without them: the deletes go out and the cloud keeps a locked
   copy); a run locks only what the cloud can lock (the in-memory cloud asserts it: completed copies, and copies in
   flight where the cloud takes a lock on a snapshot being made, as EBS and ECS do); every copy a report calls locked is
   locked when read back (invariant (c), "report-locked-is-locked": the cloud may answer a lock it does not hold); where
   the cloud locks copies in flight, a run with ``lock`` that ends leaves no copy it made or adopted in flight unlocked
   (issue 37, point 7), and no person can delete a copy in flight that a report called locked;
5. with a DR account, a run that ends (not killed) leaves no share of a source snapshot that no copy in flight needs,
   killed runs before it or not, and no lease on a source names a time more than one lease ahead (invariant (a): a
   killed run's lease holds a share for minutes, not for the whole time its run could have taken); no share is removed
   while a copy of its snapshot is in flight in any DR region, of this scope or another's (a second scope, other disks
   and another DR region, runs too); and a share a person made is never removed;
6. never two DR copies of one source snapshot in one DR region (invariant (b)), whatever runs overlap: two runs, of one
   scope or of two whose selectors match one disk, or a run an event limited to one disk (disk_ids) beside its scope's,
   are interleaved call by call (two_runs_at_once), either of them killed at any call, on controllers whose clocks are
   minutes off the cloud's (leases are timed by the cloud's); the in-memory cloud's copy call has no idempotency token
   (as EBS's and CBS's), and the copy leases (dr.leases.copies.CopyLeases) are what holds it, or it has one that the cloud
   answers with the copy first made under it, deleted since or not (ECS's ClientToken), and no lease is taken;
7. no copy lease is left on a source snapshot but a killed run's (it lapses at the time it names), even where the
   cloud refuses a lease's tag call whole after earlier batches of the take were written (issue 60, item 11);
8. (d) a copy a report counts (completed, or in flight) is one the cloud holds, and a region it counts covered has one:
   a person deletes DR copies between runs, a copy call's answer (a replayed token's) is no proof, and the cloud may
   keep no failed copy (CBS: one that fails leaves the destination while the run waits for it, and the run sees it
   vanish);
9. the newest good point is never lost (issue 60, the rule of docs/safety.md, worked out here on its own): no run deletes
   a disk's newest point in a region (ordered by the source's time, POINT_TAG, never by the copy's), nor the newest good
   point that no suspect or unmeasured point older than it reaches, nor the newest suspect or unmeasured point, whatever
   their ages and the copies after them: between runs, verification and the churn alarm leave any verdict on any
   completed DR copy (differs, suspect, unmeasured), people take marks off, and people delete source snapshots whose
   copies are made (the next run copies an older one);
10. no surface calls a copy in doubt protected: a report whose status is protected stands no disk on a copy that differs,
   is suspect or unmeasured and, where it read the copies' marks, holds no disk whose copies there carry a suspect or
   unmeasured mark or whose newest point differs;
11. no run copies an older point into a region whose standing good point is newer (a person deleted the newer point's
   source after its copy): it would cost a copy, and pruning would take it again on the next run.

ENS keeps no tags and its copy call no token: no lease can hold two ENS runs apart, and the in-memory cloud does not
play it; one controller's runs of a scope wait for each other (dr_sync's scope lock: tests/unit/plugins/action/
test_dr_sync_scope_turn.py), and AWX runs one job of a template at a time (docs/awx.md).

make test runs a few thousand moves; make chaos runs many more (SNAPCOPY_SAFETY_EXAMPLES).
"""

from __future__ import annotations

import collections
import datetime
import os

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import INVARIANT_MARKER, RuleBasedStateMachine, initialize, invariant, precondition, rule

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import parse_stamp
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    CHURN_TAG,
    COPY_LEASE_TAG_PREFIX,
    COPY_TAG,
    DIFFERS_TAG,
    DISK_TAG,
    RELEASE_TAG_PREFIX,
    RESTORE_UNTIL_TAG,
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
    SOURCE_TAG,
    SUSPECT_TAG,
    UNMEASURED,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.copies import leases_in
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.lease import lease_seconds
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import (
    EPOCH,
    MemoryCloud,
    RunKilled,
    Turnstile,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import params

DISKS = ('disk-0', 'disk-1')
DR_REGIONS = ('dr-1', 'dr-2')
# A second scope of the same source region: other disks (another tag value), another DR region. Its runs and the first
# scope's share the source region's snapshots' shares (with a DR account) and must leave each other's alone. A third
# selects every disk of both (any value of the tag) into one DR region of the first: its runs and the first's may copy
# one snapshot into one region at once.
SCOPES = {'a': ('yes', DR_REGIONS), 'b': ('b', ('dr-3',)), 'all': (None, ('dr-1',))}
# A run of scope a limited to one disk (disk_ids), as a snapshot's event starts it: it overlaps the scope's scheduled
# run.
EVENT_RUNS = {'a:disk-0': ('a', ['disk-0']), 'all:disk-1': ('all', ['disk-1'])}
DISKS_B = ('disk-b0',)
EXAMPLES = int(os.environ.get('SNAPCOPY_SAFETY_EXAMPLES', '300'))
LEASE_SECONDS = lease_seconds()  # the in-memory cloud has no client: the default timeouts
# The verdicts a run leaves on a copy (dr.points): a person takes any of them off.
DOUBT_MARKS = {SUSPECT_TAG, DIFFERS_TAG, CHURN_TAG}
# Controllers' clocks off the cloud's, in seconds: minutes (a clock NTP keeps, within what the clouds' signatures take),
# and days (a clock set wrong; the emulators answer at any skew). Every age and deadline is the cloud's (issue 60).
SKEWS = (0, 240, -240, 2 * 86400, -2 * 86400, 10 * 86400, -10 * 86400)
# How far a report's ages may be from the cloud's at the run's start: they are rounded to a tenth of an hour.
REPORT_ROUNDING_SECONDS = 180


class DrWorld(RuleBasedStateMachine):
    """One DR scope (two tagged disks, two DR regions) and everything that may happen to it."""

    @initialize(
        links_sources=st.booleans(),
        dr_account=st.booleans(),
        locks_pending=st.booleans(),
        copy_tokens=st.booleans(),
        drops_failed=st.booleans(),
    )
    def start(self, links_sources, dr_account, locks_pending, copy_tokens, drops_failed):  # pylint: disable=too-many-arguments
        """``links_sources``: the cloud records what each copy was copied from (ECS, ENS), or nothing (EBS, CBS);
        ``dr_account``: the copies are made in a DR account, each source shared with it (AWS); ``locks_pending``: the
        cloud locks a copy in flight (EBS, ECS), or only a completed one; ``copy_tokens``: the copy call carries a token
        that the cloud answers with the copy first made under it, deleted since or not (ECS), and no copy lease is
        taken; ``drops_failed``: a copy that fails leaves the destination, the run sees it vanish (CBS)."""
        self.clock = FakeClock()
        self.clock.now = 30 * 86400
        self.cloud = MemoryCloud(self.clock, copy_seconds=10)
        self.cloud.copy_tokens = self.cloud.copy_call_is_idempotent = copy_tokens
        self.cloud.drops_failed_copies = drops_failed
        self.cloud.records_copy_source = self.links_sources = links_sources
        self.cloud.locks_pending = locks_pending
        self.reported_locked = set()  # copies a report called locked (by the run, or in force already)
        for disk in DISKS:
            self.cloud.add_disk(disk, tags={'dr': 'yes'}, snapshot_ages_hours=(30, 2))
        for disk in DISKS_B:
            self.cloud.add_disk(disk, tags={'dr': 'b'}, snapshot_ages_hours=(30, 2))
        self.dr_account = {'role_arn': 'arn:aws:iam::222233334444:role/dr'} if dr_account else None
        if dr_account:
            self.cloud.use_dr_account({}, 'src-1', '222233334444')
        self.dr_made = set()  # copies that a DR run started
        # People's copies of a DR copy not marked yet, on a cloud that links no source: the one case the contract
        # leaves open (docs/safety.md, "What remains"), kept apart so that the search looks at every other.
        self.indistinguishable = set()
        self.ever_restorable = set()  # (disk, region) that had a completed copy at some point
        self.test_disk_tags = {}  # every test disk seen, with its tags
        self.snapshot_number = 0  # numbers the snapshots and copies the world makes
        self.persons_shares = {}  # source snapshot a person shared with the DR account -> releases before it
        self.killed_runs = set()  # the ids of the runs killed: theirs are the only copy leases that may stay
        self.source_times = {}  # when each source snapshot a person deleted was taken: the world remembers it
        self.source_disks = {}  # and its disk

    # ------------------------------------------------------------------ the world's moves
    @rule(disk=st.sampled_from(DISKS + DISKS_B))
    def new_snapshot(self, disk):
        self.snapshot_number += 1
        self.cloud.snapshots['%s-new-%d' % (disk, self.snapshot_number)] = {
            'disk': disk,
            'region': 'src-1',
            'created': self.clock.now,
            'state': COMPLETED,
        }

    @rule(seconds=st.sampled_from([5, 60, 3600, 86400, 4 * 86400]))
    def time_passes(self, seconds):
        self.clock.now += seconds

    # pylint: disable-next=too-many-arguments
    @rule(
        wait=st.booleans(),
        keep_copies=st.sampled_from([None, 1, 2]),
        max_age_days=st.sampled_from([None, 1, 3]),
        drill=st.booleans(),
        failing=st.integers(0, 2),
        hanging=st.integers(0, 1),
        lost_answer=st.booleans(),
        killed_after=st.one_of(st.none(), st.integers(0, 40)),
        lock=st.sampled_from(
            [None, {'mode': 'governance', 'duration_days': 1}, {'mode': 'compliance', 'duration_days': 3}]
        ),
        lost_lock_answer=st.booleans(),
        scope=st.sampled_from(sorted(SCOPES)),
        lock_reads_refused=st.booleans(),
        hollow_locks=st.integers(0, 1),
        skew=st.sampled_from(SKEWS),
        fresh_hours=st.sampled_from([None, 24]),
        tag_call_refused_after=st.one_of(st.none(), st.integers(0, 3)),
    )
    def dr_run(
        self,
        wait,
        keep_copies,
        max_age_days,
        drill,
        failing,
        hanging,
        lost_answer,
        killed_after,
        lock,
        lost_lock_answer,
        scope,
        lock_reads_refused,
        hollow_locks,
        skew,
        fresh_hours,
        tag_call_refused_after,
    ):
        """``hollow_locks``: that many lock calls are answered as set and set nothing (ECS's replayed token, EBS's lock
        of a copy cancelled as it fails); ``skew``: the controller's clock, seconds off the cloud's; ``fresh_hours``:
        max_snapshot_age_hours, the RPO; ``tag_call_refused_after``: the lease tag call after that many is refused
        whole (None: none is)."""
        self.cloud.refuse_tag_call_after = tag_call_refused_after
        self.cloud.lose_next_lock_answer = lost_lock_answer
        self.cloud.lock_reads_refused = lock_reads_refused
        self.cloud.hollow_locks = hollow_locks
        self.cloud.fail_next_copies, self.cloud.hang_next_copies = failing, hanging
        self.cloud.lose_next_answer = lost_answer
        self.cloud.kill_after_calls = killed_after
        before_copies, before_disks = set(self.cloud.copies) | set(self.cloud.deleted), set(self.cloud.test_disks)
        guarded = self.kept_by_the_churn_alarm()
        standing = self.standing_points()
        started, created = self.clock.now, {copy_id: record['started'] for copy_id, record in self.cloud.copies.items()}
        run = self.new_run(scope, wait, keep_copies, max_age_days, drill, lock, skew=skew, fresh_hours=fresh_hours)
        report = None
        try:
            report = run.run()
        except RunKilled:
            self.killed_runs.add(run.run_id)
        finally:
            self.cloud.kill_after_calls = None
            self.cloud.fail_next_copies = self.cloud.hang_next_copies = 0
            self.cloud.lose_next_answer = self.cloud.lose_next_lock_answer = self.cloud.lock_reads_refused = False
            self.cloud.hollow_locks = 0
            self.cloud.refuse_tag_call_after = None
        self.dr_made |= (set(self.cloud.copies) | set(self.cloud.deleted)) - before_copies
        self.no_other_runs_test_disk_deleted_before_its_time(before_disks)
        self.nothing_the_churn_alarm_keeps_deleted(guarded)
        self.no_older_point_copied_where_a_newer_one_stands(standing, before_copies)
        if keep_copies is None and max_age_days:
            self.no_copy_younger_than_max_copy_age_days_by_the_cloud_is_pruned(created, started, max_age_days)
        if report is not None:
            self.check_report(report, lock)
            self.one_source_costs_only_its_disk(report)
            self.check_shares_left([report])
            self.report_claims_only_what_the_cloud_holds(report)
            if fresh_hours:
                self.ages_are_the_clouds(report, started, fresh_hours)

    # pylint: disable-next=too-many-arguments
    @rule(
        order=st.lists(st.sampled_from(['x', 'y']), max_size=60),
        scopes=st.tuples(st.sampled_from(sorted(SCOPES)), st.sampled_from(sorted(SCOPES) + sorted(EVENT_RUNS))),
        waits=st.tuples(st.booleans(), st.booleans()),
        keep_copies=st.sampled_from([None, 1]),
        lock=st.sampled_from([None, {'mode': 'governance', 'duration_days': 1}]),
        killed=st.sampled_from([None, 'x', 'y']),
        killed_after=st.integers(0, 30),
        skews=st.tuples(st.sampled_from(SKEWS), st.sampled_from(SKEWS)),
    )
    def two_runs_at_once(self, order, scopes, waits, keep_copies, lock, killed, killed_after, skews):
        """Two runs, of one scope (a schedule overlapping a manual run) or of two, whose calls interleave as ``order``
        says, on controllers whose clocks are ``skews`` seconds off the cloud's (the clouds take signed calls minutes
        off)."""
        before_copies = set(self.cloud.copies) | set(self.cloud.deleted)
        guarded = self.kept_by_the_churn_alarm()
        runs = {
            name: self.new_run(scope, wait, keep_copies, None, False, lock, skew=skew)
            for name, scope, wait, skew in zip('xy', scopes, waits, skews)
        }
        self.cloud.turnstile = Turnstile(order)
        if killed is not None:
            self.cloud.kill_thread_after = {killed: killed_after}
        try:
            outcomes = self.cloud.turnstile.run({name: run.run for name, run in runs.items()})
        finally:
            self.cloud.turnstile, self.cloud.kill_thread_after = None, {}
        self.dr_made |= (set(self.cloud.copies) | set(self.cloud.deleted)) - before_copies
        self.nothing_the_churn_alarm_keeps_deleted(guarded)
        reports = []
        for name, (report, error) in sorted(outcomes.items()):
            if isinstance(error, RunKilled):
                self.killed_runs.add(runs[name].run_id)
                continue
            if error is not None:
                raise error
            self.check_report(report, runs[name].settings.lock)
            self.one_source_costs_only_its_disk(report)
            reports.append(report)
        if len(reports) == len(runs):
            self.check_shares_left(reports)
            self.no_share_left_that_nothing_needs()

    def no_share_left_that_nothing_needs(self):
        """Once both runs have ended, no share is left that nothing holds: each share of ours left has a copy in flight,
        or a lease that has not lapsed (a run, ended or killed, that left it for a copy it saw in flight: no run can
        tell that another has ended, and the first run after the lease lapses removes the share). Two runs releasing one
        share at once each saw the other's lease and left the share to it, each taking its own lease off: the share
        stayed, held by no lease (bab3b1f)."""
        if not self.dr_account:
            return
        now = parse_time(self.cloud.when(self.clock.now))
        in_flight = {
            self.cloud.copies[copy_id]['tags'].get(SOURCE_TAG, '').partition('/')[2]
            for copy_id in self.cloud.copies
            if self.in_flight(copy_id)
        }
        leased = {
            snapshot_id
            for snapshot_id, record in self.cloud.snapshots.items()
            for key, value in (record.get('tags') or {}).items()
            if key.startswith((SHARE_LEASE_TAG_PREFIX, RELEASE_TAG_PREFIX))
            and (parse_stamp(value.partition(' ')[0]) or now) > now
        }
        left = sorted(self.cloud.granted - set(self.persons_shares) - in_flight - leased)
        assert not left, 'both runs ended, and shares no copy needs were left: %s' % left

    # pylint: disable-next=too-many-arguments
    def new_run(self, scope, wait, keep_copies, max_age_days, drill, lock, skew=0, fresh_hours=None):
        """A run of ``scope`` (or of an event's: EVENT_RUNS) on a controller whose clock is ``skew`` seconds ahead of
        the cloud's; ``fresh_hours``: max_snapshot_age_hours."""
        scope, disk_ids = EVENT_RUNS.get(scope, (scope, None))
        tag_value, dr_regions = SCOPES[scope]
        options = params(
            dr_regions=list(dr_regions),
            tag_selector={'dr': tag_value},
            wait=wait,
            wait_timeout=120,
            disk_ids=disk_ids,
            prune=bool(keep_copies or max_age_days),
            keep_copies=keep_copies,
            max_copy_age_days=max_age_days,
            restore_test=drill and wait,
            restore_test_timeout=60,
            restore_test_count=1,
            lock=lock,
            dr_account=self.dr_account,
            max_snapshot_age_hours=fresh_hours,
        )
        now = parse_time(self.cloud.when(self.clock.now)) + datetime.timedelta(seconds=skew)
        return memory_dr_run(self.cloud, self.clock, options, now=now)

    def check_report(self, report, lock):
        """(c) report-locked-is-locked: what the report calls locked is locked when read back; and where the cloud locks
        copies in flight, a run with ``lock`` leaves none it made or adopted unlocked (issue 37, point 7)."""
        claimed = [
            (copy['snapshot_id'], copy['lock']['action'])
            for disk in report['disks']
            for copy in disk['copies']
            if copy.get('lock') and copy['lock']['action'] in ('locked', 'in_force')
        ]
        expiries = {
            copy['snapshot_id']: copy['lock'].get('expires')
            for disk in report['disks']
            for copy in disk['copies']
            if copy.get('lock')
        }
        # A copy that failed since (another run waited on) lost its lock with it, as the clouds cancel it. A lock the
        # report names with its expiry may have lapsed since the report was written (another run went on after it): it
        # must be the cloud's lock, lasting at least as long as the report says (a later expiry: extended since).
        unlocked = [
            pair
            for pair in claimed
            if not self.is_locked(pair[0])
            and not self.lasts_until(pair[0], expiries.get(pair[0]))
            and not (pair[0] in self.cloud.copies and self.is_failed(pair[0]))
        ]
        assert not unlocked, 'the report calls copies locked that are not: %s' % unlocked
        self.reported_locked |= {snapshot_id for snapshot_id, dummy in claimed}
        if lock is not None and self.cloud.locks_pending:
            # Each copy the run made or adopted that is still in flight is locked (or its lock failed, named), not left
            # for a later run while anyone who holds the account can delete it.
            in_flight = [
                (copy['snapshot_id'], copy['lock']['action'])
                for disk in report['disks']
                for copy in disk['copies']
                if copy.get('snapshot_id') in self.cloud.copies
                and not self.is_completed(copy['snapshot_id'])
                and not self.is_failed(copy['snapshot_id'])
                and (copy.get('lock') or {}).get('action') != 'lock_failed'
            ]
            left = [pair for pair in in_flight if not self.is_locked(pair[0])]
            assert not left, 'a run with lock left copies in flight unlocked: %s' % left

    def report_claims_only_what_the_cloud_holds(self, report):
        """(d) A copy the report counts as a DR copy (completed or in flight: its standing) is one the cloud holds as
        the run ends (one in flight may have failed since it was read), and a disk the report counts as covered in a
        region has such a copy there (issue 46: a copy's id is no proof)."""
        for disk in report['disks']:
            claimed = [
                copy for copy in disk['copies'] if copy['standing'] != 'no_copy' and copy['standing'] != 'planned'
            ]
            absent = [
                copy['snapshot_id']
                for copy in claimed
                if copy['snapshot_id'] not in self.cloud.copies
                or (copy['standing'] != 'in_flight' and not self.is_completed(copy['snapshot_id']))
            ]
            assert not absent, 'the report of %s claims copies the cloud does not hold: %s' % (disk['disk_id'], absent)
            covered = set(report['dr_regions']) - set(disk['missing_regions'])
            assert covered <= {copy['region'] for copy in claimed}, (
                'the report counts %s covered in %s with no copy there' % (disk['disk_id'], sorted(covered))
            )
        self.no_copy_in_doubt_is_called_protected(report)

    def check_shares_left(self, reports):
        """With a DR account, what the runs that ended leave shared is what they held, each for a copy it saw in flight
        (that copy may have completed since), or what the cloud refused them to release (its release tag refused: the
        share stays, said in the run's failures, until the first run after its lease lapses)."""
        if not self.dr_account:
            return
        left = sorted(self.cloud.granted - set(self.persons_shares))
        held = {snapshot_id for report in reports for snapshot_id in report['dr_account']['held']}
        refused = {snapshot_id for report in reports for snapshot_id in report['dr_account']['release_failed']}
        assert set(left) <= held | refused, 'runs ended leaving shares no copy in flight needed: %s (held: %s)' % (
            left,
            sorted(held),
        )
        for report in reports:
            said = ' '.join(str(failure) for failure in report['failures'])
            unsaid = [snapshot_id for snapshot_id in report['dr_account']['release_failed'] if snapshot_id not in said]
            assert not unsaid, 'shares the cloud refused to release, not said in the failures: %s' % unsaid

    @precondition(
        lambda self: any(self.is_completed(copy_id) for copy_id in self.dr_made if copy_id in self.cloud.copies)
    )
    @rule(data=st.data())
    def a_person_copies_a_dr_copy_with_its_tags(self, data):
        """Same region or the other DR region; a cloud that links sources links the copy to the DR copy it was made
        from, and on one that does not, every tag is copied along, the DR copy's mark included (if it has one yet)."""
        candidates = sorted(
            copy_id for copy_id in self.dr_made if copy_id in self.cloud.copies and self.is_completed(copy_id)
        )
        original = data.draw(st.sampled_from(candidates))
        region = data.draw(st.sampled_from(DR_REGIONS))
        record = self.cloud.copies[original]
        self.snapshot_number += 1
        copy_id = 'persons-%d' % self.snapshot_number
        self.cloud.add_copy(
            copy_id,
            region,
            record['tags'],
            self.clock.now,
            source=(record['region'], original) if self.links_sources else None,
            marked=False,
        )
        if not self.links_sources and COPY_TAG not in record['tags']:
            self.indistinguishable.add(copy_id)

    @rule(disk=st.sampled_from(DISKS), region=st.sampled_from(DR_REGIONS))
    def an_archive_copy_made_with_a_copy_module(self, disk, region):
        newest = max(
            (snapshot_id for snapshot_id, record in self.cloud.snapshots.items() if record['disk'] == disk),
            key=lambda snapshot_id: (self.cloud.snapshots[snapshot_id]['created'], snapshot_id),
        )
        self.snapshot_number += 1
        self.cloud.add_copy(
            'archive-%d' % self.snapshot_number,
            region,
            {SOURCE_TAG: 'src-1/' + newest, 'purpose': 'archive'},
            self.clock.now,
            source=('src-1', newest) if self.links_sources else None,
        )

    # Issue 60, item 10: sources no run can lease.
    @rule(disk=st.sampled_from(DISKS + DISKS_B), calls=st.integers(0, 30))
    def a_source_is_deleted_mid_round(self, disk, calls):
        """A person deletes the disk's newest snapshot during the next run, after its next ``calls`` calls: between its
        listing and its lease, or anywhere else."""
        snapshots = [record for record in self.cloud.snapshots.values() if record['disk'] == disk]
        if len(snapshots) > 1:  # the listing then finds the one before
            self.cloud.delete_source_after = (calls, self.newest_source(disk))

    @rule(disk=st.sampled_from(DISKS + DISKS_B))
    def a_source_reaches_its_tag_limit(self, disk):
        """The disk's newest snapshot carries as many tags as the cloud takes: no run can add a lease to it. (Not one
        a run shares with the DR account: its release tag would find no room either, and the share would stay: left for
        a later change, docs/vault.md.)"""
        newest = self.newest_source(disk)
        if newest is not None and newest not in self.cloud.granted:
            self.cloud.tag_limits[newest] = len(self.cloud.snapshots[newest].get('tags') or {})

    def newest_source(self, disk):
        """The disk's newest snapshot, None when a person deleted them all."""
        snapshots = [snapshot_id for snapshot_id, record in self.cloud.snapshots.items() if record['disk'] == disk]
        return max(
            snapshots, key=lambda snapshot_id: (self.cloud.snapshots[snapshot_id]['created'], snapshot_id), default=None
        )

    @precondition(lambda self: any(self.cloud.can_lock(copy_id) for copy_id in self.cloud.copies))
    @rule(data=st.data())
    def a_person_locks_a_copy(self, data):
        """Any copy the cloud takes a lock on, the DR runs' own or not, for a day or a week, in either mode."""
        copy_id = data.draw(
            st.sampled_from(sorted(copy_id for copy_id in self.cloud.copies if self.cloud.can_lock(copy_id)))
        )
        self.cloud.add_lock(
            copy_id, data.draw(st.sampled_from(['governance', 'compliance'])), days=data.draw(st.sampled_from([1, 7]))
        )

    @precondition(lambda self: any(self.in_flight(copy_id) for copy_id in self.dr_made))
    @rule(data=st.data())
    def a_person_deletes_a_copy_in_flight(self, data):
        """Someone who holds the account (ransomware, a careless script) deletes a DR copy still being made: the cloud
        refuses while a lock holds it, and one that a report called locked must be held."""
        copy_id = data.draw(st.sampled_from(sorted(copy_id for copy_id in self.dr_made if self.in_flight(copy_id))))
        deleted = self.cloud.a_person_deletes(copy_id)
        assert not (deleted and copy_id in self.reported_locked), (
            'a person deleted %s, which a report called locked' % copy_id
        )

    @precondition(
        lambda self: any(self.is_completed(copy_id) for copy_id in self.dr_made if copy_id in self.cloud.copies)
    )
    @rule(data=st.data())
    def a_person_deletes_a_dr_copy(self, data):
        """Between runs, someone deletes a completed DR copy (by hand, or its retention period ends): the next run makes
        it again, and no report counts it (on a cloud whose copy call carries a token, the token that made it is spent).
        The deleted copy is no loss by a run's hand: the disk's restorable copies are counted again from what is
        left."""
        copy_id = data.draw(
            st.sampled_from(
                sorted(
                    copy_id for copy_id in self.dr_made if copy_id in self.cloud.copies and self.is_completed(copy_id)
                )
            )
        )
        if self.cloud.a_person_deletes(copy_id):
            self.ever_restorable = {
                (self.disk_of(other), record['region'])
                for other, record in self.cloud.copies.items()
                if self.is_completed(other)
            }

    @precondition(lambda self: any(self.is_completed(copy_id) for copy_id in self.dr_made & set(self.cloud.copies)))
    @rule(data=st.data(), verdict=st.sampled_from([SUSPECT_TAG, DIFFERS_TAG, CHURN_TAG]))
    def a_run_leaves_a_verdict_on_a_copy(self, data, verdict):
        """Any completed DR copy, the newest or an older one, found to differ from its source (verify), suspect or
        unmeasured (the churn alarm): the in-memory cloud reads no blocks, so the move leaves the mark those runs leave,
        which is what pruning and every surface read."""
        copy_id = data.draw(
            st.sampled_from(sorted(c for c in self.dr_made & set(self.cloud.copies) if self.is_completed(c)))
        )
        marks = {SUSPECT_TAG: 'rewrote 100.0% of the disk (usual 1.0%)', DIFFERS_TAG: 'blocks whose data differ: [3]'}
        self.cloud.copies[copy_id]['tags'][verdict] = marks.get(verdict, UNMEASURED)

    @precondition(lambda self: any(set(record['tags']) & DOUBT_MARKS for record in self.cloud.copies.values()))
    @rule(data=st.data())
    def a_person_takes_a_mark_off(self, data):
        """A person who finds the copy sound (or the rewrite legitimate) takes its verdict off."""
        copy_id = data.draw(
            st.sampled_from(sorted(c for c, record in self.cloud.copies.items() if set(record['tags']) & DOUBT_MARKS))
        )
        for key in DOUBT_MARKS:
            self.cloud.copies[copy_id]['tags'].pop(key, None)

    @precondition(
        lambda self: any(
            self.cloud.copies[copy_id]['tags'].get(SOURCE_TAG, '').partition('/')[2] in self.cloud.snapshots
            for copy_id in self.dr_made & set(self.cloud.copies)
        )
    )
    @rule(data=st.data())
    def a_person_deletes_a_source_after_its_copy(self, data):
        """A source snapshot whose DR copy was made goes (a person, the source's own retention), often the disk's newest:
        the next run copies an older snapshot, and must not take the newer point's copy for an older one."""
        sources = sorted(
            {
                self.cloud.copies[copy_id]['tags'].get(SOURCE_TAG, '').partition('/')[2]
                for copy_id in self.dr_made & set(self.cloud.copies)
            }
            & set(self.cloud.snapshots)
        )
        snapshot_id = data.draw(st.sampled_from(sources))
        record = self.cloud.snapshots[snapshot_id]
        if sum(1 for other in self.cloud.snapshots.values() if other['disk'] == record['disk']) == 1:
            return  # the disk's only snapshot: its disk is kept in the world's account by another move's need
        self.source_times[snapshot_id] = record['created']
        self.source_disks[snapshot_id] = record['disk']
        del self.cloud.snapshots[snapshot_id]
        # A deleted snapshot is shared with nobody (a person's share of it goes with it).
        self.cloud.granted.discard(snapshot_id)
        self.persons_shares.pop(snapshot_id, None)

    def point_of(self, copy_id):
        """When the data of a copy were taken, as the world knows it (the test's own account, not the collection's)."""
        source = self.cloud.copies[copy_id]['tags'].get(SOURCE_TAG, '').partition('/')[2]
        record = self.cloud.snapshots.get(source)
        seconds = record['created'] if record else self.source_times.get(source)
        if seconds is None and source in self.cloud.deleted_sources:
            # Deleted mid-round (a_source_is_deleted_mid_round): its time is known all the same, as its copy's point.
            seconds = self.cloud.deleted_sources[source]['created']
        if seconds is None:
            seconds = self.cloud.copies[copy_id]['started']
        return (seconds, copy_id)

    def in_doubt(self, copy_id, spreading_only=False):
        tags = self.cloud.copies[copy_id]['tags']
        spreading = bool(tags.get(SUSPECT_TAG)) or tags.get(CHURN_TAG) == UNMEASURED
        return spreading if spreading_only else spreading or bool(tags.get(DIFFERS_TAG))

    def cells(self):
        """{(disk, region): its completed DR copies, newest point first}."""
        by_cell = collections.defaultdict(list)
        for copy_id in self.dr_made & set(self.cloud.copies):
            if self.is_completed(copy_id):
                by_cell[(self.disk_of(copy_id), self.cloud.copies[copy_id]['region'])].append(copy_id)
        for copies in by_cell.values():
            copies.sort(key=self.point_of, reverse=True)
        return by_cell

    def standing_of(self, copies):
        """(the standing good copy, the newest suspect or unmeasured one) of a cell's copies, newest point first."""
        spreading = [copy_id for copy_id in copies if self.in_doubt(copy_id, spreading_only=True)]
        older = copies[copies.index(spreading[0]) + 1 :] if spreading else copies
        good = next((copy_id for copy_id in older if not self.in_doubt(copy_id)), None)
        return good, spreading[0] if spreading else None

    def standing_points(self):
        """{(disk, region): the point of the good copy that stands there}, as the world knows it."""
        points = {}
        for cell, copies in self.cells().items():
            good, dummy = self.standing_of(copies)
            if good is not None:
                points[cell] = self.point_of(good)[0]
        return points

    def no_older_point_copied_where_a_newer_one_stands(self, standing, before_copies):
        """(11) A run never copies an older point into a region whose standing good point is newer: the copy adds cost
        and nothing else (issue 60)."""
        made = (set(self.cloud.copies) - before_copies) & self.dr_made
        older = [
            copy_id
            for copy_id in sorted(made)
            if self.point_of(copy_id)[0]
            < standing.get((self.disk_of(copy_id), self.cloud.copies[copy_id]['region']), float('-inf'))
        ]
        assert not older, 'a run copied older points into regions that hold newer good ones: %s' % older

    def kept_by_the_churn_alarm(self):
        """(9) What no run may delete now, per disk and region, with why: the newest point ('newest'), the newest good
        point that no suspect or unmeasured point older than it reaches ('good'), and the newest suspect or unmeasured
        point ('anchor'), whose mark holds the good one until a person takes it off."""
        kept = {}
        for cell, copies in self.cells().items():
            good, anchor = self.standing_of(copies)
            for copy_id, role in ((copies[0], 'newest'), (good, 'good'), (anchor, 'anchor')):
                if copy_id is not None:
                    kept[copy_id] = (cell, role, self.point_of(copy_id))
        return kept

    def nothing_the_churn_alarm_keeps_deleted(self, guarded):
        """A copy the rule kept before the run is gone by its hand only where the run made a newer point of its kind:
        a newer point for the newest, a newer good point that stands for the good one; never the doubt that holds it."""
        cells = self.cells()
        wrong = []
        for copy_id, (cell, role, point) in sorted(guarded.items()):
            if copy_id not in self.cloud.deleted:
                continue
            now = cells.get(cell, [])
            good, dummy = self.standing_of(now)
            # Points are compared by their time alone: of two sources the cloud dates alike, either copy holds that
            # point (the copies' ids order them in the world's account only, which the collection cannot know).
            if role == 'newest' and now and self.point_of(now[0])[0] >= point[0]:
                continue
            if role == 'good' and good is not None and self.point_of(good)[0] >= point[0]:
                continue
            wrong.append((copy_id, role))
        assert not wrong, 'a run deleted %s: a newest point, the last known good one or the doubt that holds it' % wrong

    def no_copy_in_doubt_is_called_protected(self, report):
        """(10) A report that says protected stands no disk on a copy in doubt and, where it read the copies' marks,
        holds no disk whose copies in a DR region carry a suspect or unmeasured mark, or whose newest point differs."""
        protection = report['protection']
        if protection['status'] != 'protected':
            return
        for disk in protection['disks']:
            for cell in disk['regions']:
                copy_id = cell.get('copy_id')
                assert not (copy_id in self.cloud.copies and self.in_doubt(copy_id)), (
                    'protected, standing on %s, which is in doubt' % copy_id
                )
                if not protection['points_read']:
                    continue
                own = sorted(
                    (
                        copy_id
                        for copy_id in self.dr_made & set(self.cloud.copies)
                        if self.is_completed(copy_id)
                        and self.disk_of(copy_id) == disk['disk_id']
                        and self.cloud.copies[copy_id]['region'] == cell['region']
                    ),
                    key=self.point_of,
                )
                assert not any(self.in_doubt(copy_id, spreading_only=True) for copy_id in own), (
                    'protected, with a suspect or unmeasured copy of %s in %s' % (disk['disk_id'], cell['region'])
                )
                assert not (own and self.in_doubt(own[-1])), (
                    'protected, with the newest point of %s in %s differing' % (disk['disk_id'], cell['region'])
                )

    @precondition(lambda self: self.dr_account is not None)
    @rule(data=st.data())
    def a_person_shares_a_snapshot_with_the_dr_account(self, data):
        """Any snapshot of the disks, the newest (the one a DR run copies next) as likely as any other."""
        snapshot_id = data.draw(st.sampled_from(sorted(self.cloud.snapshots)))
        if SHARE_TAG in (self.cloud.snapshots[snapshot_id].get('tags') or {}):
            # A run killed between taking its share back and removing its mark left the mark: a share made now cannot be
            # told from the run's own (docs/safety.md, "What remains"). Kept out of the invariant, as such copies are.
            return
        if snapshot_id not in self.cloud.granted:
            self.cloud.granted.add(snapshot_id)
            self.persons_shares[snapshot_id] = len(self.cloud.released)

    def no_copy_younger_than_max_copy_age_days_by_the_cloud_is_pruned(self, created, started, max_age_days):
        """(issue 60, item 5) Pruning by age alone deletes only copies older than max_copy_age_days by the cloud's
        clock at the run's start (``started``; ``created``: each copy's time, read before the run), whatever the
        controller's clock says."""
        young = [
            copy_id
            for copy_id in self.cloud.deleted
            if copy_id in created and started - created[copy_id] <= max_age_days * 86400
        ]
        assert not young, 'pruned copies younger than %s days by the cloud: %s' % (
            max_age_days,
            [(copy_id, round((started - created[copy_id]) / 3600, 1)) for copy_id in young],
        )

    def ages_are_the_clouds(self, report, started, fresh_hours):
        """(issue 60, item 8) A disk whose newest snapshot is older than max_snapshot_age_hours by the cloud's clock
        at the run's start gets a fresh snapshot, and no copy is called within the RPO (max_snapshot_age_hours) whose
        recovery point the cloud's clock puts over it, whatever the controller's clock says."""
        start = EPOCH + datetime.timedelta(seconds=started)

        def age(created):
            return (start - parse_time(created)).total_seconds()

        # The Date header is whole seconds: the run may take the cloud's time for up to a second earlier.
        stale = [
            disk['disk_id']
            for disk in report['disks']
            if disk['fresh_snapshot'] is None
            and (disk['source_snapshot'] is None or age(disk['source_snapshot']['created']) > fresh_hours * 3600 + 2)
        ]
        assert not stale, 'no fresh snapshot of %s, whose newest is older than %s h by the cloud' % (
            stale,
            fresh_hours,
        )
        over = [
            (disk['disk_id'], copy['region'], round(age(copy['recovery_point']) / 3600, 1))
            for disk in report['disks']
            for copy in disk['copies']
            if copy['standing'] == 'within_rpo'
            and age(copy['recovery_point']) > fresh_hours * 3600 + REPORT_ROUNDING_SECONDS
        ]
        assert not over, 'called within the %s h RPO, over it by the cloud: %s' % (fresh_hours, over)

    def one_source_costs_only_its_disk(self, report):
        """Issue 60, item 10: after a run that ended, no disk whose source could be leased carries another source's
        failure (a source deleted mid-round, one at its tag limit): it got its copy, or a reason of its own."""
        unleasable = set(self.cloud.deleted_sources) | set(self.cloud.tag_limits)
        for disk in report['disks']:
            if (disk['source_snapshot'] or {}).get('id') in unleasable:
                continue
            borrowed = [
                problem
                for problem in disk['problems']
                if 'TagLimitExceeded' in problem or any(snapshot_id in problem for snapshot_id in unleasable)
            ]
            assert not borrowed, 'disk %s failed for another source: %s' % (disk['disk_id'], borrowed)

    # ------------------------------------------------------------------ the contract
    def is_completed(self, copy_id):
        return self.cloud._copy_snapshot(copy_id).state == COMPLETED  # pylint: disable=protected-access

    def is_failed(self, copy_id):
        return self.cloud._copy_snapshot(copy_id).state == FAILED  # pylint: disable=protected-access

    def in_flight(self, copy_id):
        return copy_id in self.cloud.copies and self.cloud._copy_snapshot(copy_id).state == PENDING  # pylint: disable=protected-access

    def lasts_until(self, copy_id, expires):
        """Whether the cloud's lock on ``copy_id`` (in force or lapsed) expires at ``expires`` or later."""
        lock = self.cloud._lock(copy_id)  # pylint: disable=protected-access
        return bool(expires and lock is not None and lock.expires and parse_time(lock.expires) >= parse_time(expires))

    def is_locked(self, copy_id):
        """Whether the cloud holds a lock in force on ``copy_id``, as DescribeLockedSnapshots would answer."""
        lock = self.cloud._lock(copy_id)  # pylint: disable=protected-access
        return lock is not None and lock.in_force

    def disk_of(self, copy_id):
        source = self.cloud.copies[copy_id]['tags'].get(SOURCE_TAG, '').partition('/')[2]
        record = self.cloud.snapshots.get(source) or self.cloud.deleted_sources.get(source)
        if record is None and source in self.source_disks:
            return self.source_disks[source]
        return record['disk'] if record else self.cloud.copies[copy_id]['tags'].get(DISK_TAG, '/').partition('/')[2]

    @invariant()
    def every_disk_keeps_a_restorable_copy_where_it_had_one(self):
        now = {
            (self.disk_of(copy_id), record['region'])
            for copy_id, record in self.cloud.copies.items()
            if self.is_completed(copy_id)
        }
        lost = self.ever_restorable - now
        assert not lost, 'no restorable copy left of %s (deleted: %s)' % (sorted(lost), self.cloud.deleted)
        self.ever_restorable |= now

    @invariant()
    def nothing_a_dr_run_did_not_make_is_deleted(self):
        foreign = [copy_id for copy_id in self.cloud.deleted if copy_id not in self.dr_made | self.indistinguishable]
        assert not foreign, 'deleted what no DR run made: %s' % foreign

    @invariant()
    def a_persons_share_is_never_removed(self):
        removed = sorted(
            snapshot_id
            for snapshot_id, since in self.persons_shares.items()
            if snapshot_id in self.cloud.released[since:]
        )
        assert not removed, 'removed the shares a person made: %s' % removed

    @invariant()
    def no_share_is_removed_while_a_copy_of_its_snapshot_is_in_flight(self):
        assert not self.cloud.released_in_flight, (
            'shares removed while their copies were in flight: %s' % self.cloud.released_in_flight
        )

    @invariant()
    def never_two_dr_copies_of_one_snapshot_in_one_region(self):
        counts = collections.Counter(
            (copy['tags'].get(SOURCE_TAG), copy['region'])
            for copy_id, copy in self.cloud.copies.items()
            if copy_id in self.dr_made
        )
        twice = sorted(place for place, count in counts.items() if count > 1)
        assert not twice, 'two DR copies of one snapshot in one region: %s' % twice

    @invariant()
    def no_lease_holds_a_source_for_more_than_a_lease_from_now(self):
        """(a): a run's lease on a share (and its release tag, and its copy lease) names a time at most one lease ahead:
        a killed run's holds a share for minutes, not for the whole time its run could have taken."""
        now = parse_time(self.cloud.when(self.clock.now))
        ahead = sorted(
            (snapshot_id, key)
            for snapshot_id, record in self.cloud.snapshots.items()
            for key, value in (record.get('tags') or {}).items()
            if key.startswith((SHARE_LEASE_TAG_PREFIX, RELEASE_TAG_PREFIX, COPY_LEASE_TAG_PREFIX))
            and (parse_stamp(value.partition(' ')[0]) or now) > now + datetime.timedelta(seconds=LEASE_SECONDS)
        )
        assert not ahead, 'leases that hold a source for more than a lease from now: %s' % ahead

    @invariant()
    def no_copy_lease_is_left_but_a_killed_runs(self):
        left = {
            lease.run_id
            for record in self.cloud.snapshots.values()
            for dummy, dummy_region, lease in leases_in(record.get('tags') or {})
        }
        assert left <= self.killed_runs, 'copy leases of runs that ended: %s' % sorted(left - self.killed_runs)

    @invariant()
    def no_delete_is_sent_for_a_locked_copy(self):
        assert not self.cloud.refused_locked_deletes, (
            'a delete was sent for locked copies %s' % self.cloud.refused_locked_deletes
        )

    def no_other_runs_test_disk_deleted_before_its_time(self, before):
        """Of the test disks there before this run (``before``), those it deleted: only once the time they carry had
        passed."""
        deleted, self.cloud.deleted_disk_times = self.cloud.deleted_disk_times, {}
        for disk_id in sorted(before & set(deleted)):
            until = datetime.datetime.strptime(self.test_disk_tags[disk_id][RESTORE_UNTIL_TAG], '%Y%m%dT%H%M%SZ')
            deleted_at = EPOCH + datetime.timedelta(seconds=deleted[disk_id])
            assert deleted_at > until.replace(tzinfo=datetime.timezone.utc), (
                'test disk %s of a run that may still be under way (until %s) was deleted at %s'
                % (disk_id, until, deleted_at)
            )

    @invariant()
    def remember_the_test_disks(self):
        self.test_disk_tags.update((disk_id, dict(record['tags'])) for disk_id, record in self.cloud.test_disks.items())


DrWorld.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# The search takes tens of seconds; on a busy two-core machine, more than the suite's minute per test (conftest.py).
TestTheSafetyContract = pytest.mark.timeout(600)(DrWorld.TestCase)


# ---------------------------------------------------------------------- sequences the search found, replayed
# Each is the shrunk sequence a search printed, replayed move by move (a fake ``data`` answers each draw in order), so
# that make test holds it whatever its derandomized run draws. The invariants are checked as the machine checks them.
class Draws:
    """What a rule's ``st.data()`` draws, in the order the search printed them."""

    def __init__(self, *values):
        self.values = list(values)

    def draw(self, strategy, label=None):  # pylint: disable=unused-argument
        return self.values.pop(0)


RUN = {
    'wait': True,
    'keep_copies': None,
    'max_age_days': None,
    'drill': False,
    'failing': 0,
    'hanging': 0,
    'lost_answer': False,
    'killed_after': None,
    'lock': None,
    'lost_lock_answer': False,
    'scope': 'a',
    'lock_reads_refused': False,
    'hollow_locks': 0,
    'skew': 0,
    'fresh_hours': None,
    'tag_call_refused_after': None,
}


def step(world, move, *args, **kwargs):
    """One move of the world, then every invariant of the machine, as it checks them after each step."""
    getattr(world, move)(*args, **kwargs)
    for name, value in vars(DrWorld).items():
        if getattr(value, INVARIANT_MARKER, None) is not None:
            getattr(world, name)()


def world_after_a_first_run():
    """EBS or CBS (no source linked), one source of disk-0 at its tag limit, and a first run: copy-0 (dr-1) and copy-1
    (dr-2) of disk-1's newest snapshot, disk-1-snap-1."""
    world = DrWorld()
    world.start(links_sources=False, dr_account=False, locks_pending=False, copy_tokens=False, drops_failed=False)
    step(world, 'a_source_reaches_its_tag_limit', disk='disk-0')
    step(world, 'dr_run', **RUN)
    return world


def test_a_persons_copy_of_a_dr_copy_found_to_differ_differs_too():
    """A person copied DR copy copy-0 in its region (its tags along), a person deleted its source, and verification
    found copy-0 to differ. The next run copied the older source, rightly, and called the disk protected: the person's
    copy, unmarked, stood for the newest point, though it holds copy-0's data (invariant 10)."""
    world = world_after_a_first_run()
    step(world, 'a_person_copies_a_dr_copy_with_its_tags', Draws('copy-0', 'dr-1'))
    step(world, 'a_person_deletes_a_source_after_its_copy', Draws('disk-1-snap-1'))
    step(world, 'new_snapshot', disk='disk-0')
    step(world, 'a_run_leaves_a_verdict_on_a_copy', Draws('copy-0'), verdict=DIFFERS_TAG)
    step(world, 'dr_run', **{**RUN, 'max_age_days': 1})


def test_a_persons_suspect_copy_keeps_the_dr_copy_of_its_point():
    """A person copied the suspect copy-1 into dr-1, beside copy-0 of the same point. Pruning (keep_copies 1) read only
    the DR copies' marks and deleted copy-0; the next run, which reads every copy's, found no good point standing in dr-1
    and copied the older source there while the newer copy-3 stood (invariant 11)."""
    world = world_after_a_first_run()
    step(world, 'a_person_deletes_a_source_after_its_copy', Draws('disk-1-snap-1'))
    step(world, 'a_run_leaves_a_verdict_on_a_copy', Draws('copy-1'), verdict=SUSPECT_TAG)
    step(world, 'a_person_copies_a_dr_copy_with_its_tags', Draws('copy-1', 'dr-1'))
    step(world, 'dr_run', **{**RUN, 'fresh_hours': 24})
    step(world, 'a_source_is_deleted_mid_round', calls=3, disk='disk-1')
    step(
        world,
        'two_runs_at_once',
        keep_copies=1,
        killed=None,
        killed_after=0,
        lock=None,
        order=[],
        scopes=('a', 'a'),
        skews=(0, 0),
        waits=(False, False),
    )
    step(world, 'dr_run', **{**RUN, 'wait': False})
