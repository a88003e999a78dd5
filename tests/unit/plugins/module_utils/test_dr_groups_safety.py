"""The set invariant of consistency groups (issue 49, docs/consistency.md), searched by Hypothesis for a sequence of the
world's moves that breaks it.

The world is the in-memory cloud with snapshot sets: an instance's two disks (a group) and a disk on its own; sets of the
group's snapshots whose members complete, stay pending, fail or are missing, in any order; people who delete source
snapshots and DR copies; DR runs with and without wait, fresh sets (whose members may fail or hang), pruning by count
and by age, copies that fail or hang, answers lost in transit, runs killed between any two of their calls.

After every move:
1. every DR point that a surface calls protected (the run's report, and a read of the clouds by dr_posture_info: the
   one model of protection) is a complete set of one group snapshot: each member's copy there is one the cloud holds,
   completed, of that member's snapshot of one set;
2. no run ever copied a member of a set that was not complete when it read it (a torn set's surviving member, or a set
   still in flight);
3. a group that held a complete set in a DR region holds one there still, unless a person deleted a copy of it
   (pruning deletes sets whole, never the last complete one);
4. no run deletes a copy of the newest complete set a region holds (issue 60): the newest by when its source snapshots
   were taken, which the world remembers after a person deletes them, never by when the copies were made (a run that
   copies an older set again after a person deleted a member's source of the newest must not take it for the newest).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING, parse_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    CHURN_TAG,
    DIFFERS_TAG,
    DISK_TAG,
    SET_TAG,
    SOURCE_TAG,
    SUSPECT_TAG,
    UNMEASURED,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import OVER_RPO, WITHIN_RPO
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemorySetCloud, RunKilled
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import params

MEMBERS = ('data', 'log')
DR_REGIONS = ('dr-1', 'dr-2')
EXAMPLES = int(os.environ.get('SNAPCOPY_SAFETY_EXAMPLES', '300'))
MEMBER_STATE = st.sampled_from([COMPLETED, COMPLETED, PENDING, FAILED, 'missing'])


class GroupWorld(RuleBasedStateMachine):
    """A group of two disks on one instance, a disk on its own, two DR regions, and what may happen to them."""

    @initialize(drops_failed=st.booleans())
    def start(self, drops_failed):
        """``drops_failed``: a copy that fails leaves the destination, the run sees it vanish (CBS); else the cloud keeps
        it as failed."""
        self.clock = FakeClock(30 * 86400)
        self.cloud = MemorySetCloud(self.clock, copy_seconds=10)
        self.cloud.drops_failed_copies = drops_failed
        for disk in MEMBERS:
            self.cloud.add_instance_disk(disk, 'i-db')
        self.cloud.add_instance_disk('web', 'i-web')
        self.cloud.add_set('s0', 40, MEMBERS)
        self.cloud.add_set('w0', 40, ['web'])
        self.sets = 1
        self.complete_where = set()  # DR regions where the group held a complete set at some point
        self.person_deleted = set()  # DR copies a person deleted
        self.source_times = {}  # when each source snapshot a person deleted was taken

    # ------------------------------------------------------------------ the world's moves
    @rule(states=st.tuples(MEMBER_STATE, MEMBER_STATE), age_hours=st.sampled_from([0, 1, 30]))
    def the_cloud_makes_a_set(self, states, age_hours):
        set_id = 's%d' % self.sets
        self.sets += 1
        members = [disk for disk, state in zip(MEMBERS, states) if state != 'missing']
        self.cloud.add_set(set_id, age_hours, members, states=dict(zip(MEMBERS, states)))

    @precondition(lambda self: self.pending_members())
    @rule(data=st.data(), outcome=st.sampled_from([COMPLETED, FAILED]))
    def a_member_still_being_made_ends(self, data, outcome):
        snapshot_id = data.draw(st.sampled_from(self.pending_members()))
        self.cloud.snapshots[snapshot_id]['state'] = outcome

    @precondition(lambda self: self.source_members())
    @rule(data=st.data())
    def a_person_deletes_a_source_snapshot(self, data):
        snapshot_id = data.draw(st.sampled_from(self.source_members()))
        self.source_times[snapshot_id] = self.cloud.snapshots[snapshot_id]['created']
        del self.cloud.snapshots[snapshot_id]

    @precondition(lambda self: self.copied_sources())
    @rule(data=st.data())
    def a_person_deletes_a_source_the_newest_copies_hold(self, data):
        """Of the newest set that has DR copies, a member's source snapshot (issue 60, 3): the next run finds an older set
        complete, and must not take it for the newest point."""
        snapshot_id = data.draw(st.sampled_from(self.copied_sources()))
        self.source_times[snapshot_id] = self.cloud.snapshots[snapshot_id]['created']
        del self.cloud.snapshots[snapshot_id]

    def copied_sources(self):
        """The member snapshots of the newest set with a DR copy that are still in the source region."""
        sets = {}
        for copy in self.cloud.copies.values():
            source = copy['tags'].get(SOURCE_TAG, '/').partition('/')[2]
            record = self.cloud.snapshots.get(source)
            if record is not None and record.get('set') and record['disk'] in MEMBERS:
                sets.setdefault(record['set'], set()).add(source)
        if not sets:
            return []
        newest = max(sets, key=lambda set_id: max(self.cloud.snapshots[source]['created'] for source in sets[set_id]))
        return sorted(sets[newest])

    @precondition(lambda self: self.completed_copies())
    @rule(data=st.data())
    def a_person_deletes_a_dr_copy(self, data):
        copy_id = data.draw(st.sampled_from(self.completed_copies()))
        if self.cloud.a_person_deletes(copy_id):
            self.person_deleted.add(copy_id)

    @precondition(lambda self: self.completed_copies())
    @rule(data=st.data(), mark=st.sampled_from([(SUSPECT_TAG, 'yes'), (CHURN_TAG, UNMEASURED), (DIFFERS_TAG, 'yes')]))
    def a_copy_is_marked_in_doubt(self, data, mark):
        """A verdict on one member's DR copy (the churn alarm's suspect or unmeasured, a verification that differs):
        its set is then in doubt as a whole, and no surface may stand the group on copies of two sets."""
        copy_id = data.draw(st.sampled_from(self.completed_copies()))
        self.cloud.copies[copy_id]['tags'][mark[0]] = mark[1]

    @rule(seconds=st.sampled_from([5, 3600, 86400, 4 * 86400]))
    def time_passes(self, seconds):
        self.clock.now += seconds

    # pylint: disable-next=too-many-arguments
    @rule(
        wait=st.booleans(),
        keep_copies=st.sampled_from([None, 1, 2]),
        max_age_days=st.sampled_from([None, 1, 3]),
        rpo=st.sampled_from([None, 24]),
        fresh_outcomes=st.fixed_dictionaries({}, optional={'data': st.sampled_from([FAILED, PENDING])}),
        failing=st.integers(0, 2),
        hanging=st.integers(0, 1),
        lost_answer=st.booleans(),
        killed_after=st.one_of(st.none(), st.none(), st.none(), st.integers(0, 30)),
    )
    def dr_run(self, wait, keep_copies, max_age_days, rpo, fresh_outcomes, failing, hanging, lost_answer, killed_after):
        read_sets = self.complete_sets_in_source()
        self.cloud.set_outcomes = [fresh_outcomes]
        self.cloud.fail_next_copies, self.cloud.hang_next_copies = failing, hanging
        self.cloud.lose_next_answer = lost_answer
        self.cloud.kill_after_calls = killed_after
        before = set(self.cloud.copies)
        newest_sets = self.newest_complete_sets()
        self.copies_before = {
            copy_id: dict(copy, tags=dict(copy['tags'])) for copy_id, copy in self.cloud.copies.items()
        }
        options = params(
            dr_regions=list(DR_REGIONS),
            tag_selector={'dr': 'yes'},
            wait=wait,
            wait_timeout=120,
            prune=bool(keep_copies or max_age_days),
            keep_copies=keep_copies,
            max_copy_age_days=max_age_days,
            max_snapshot_age_hours=rpo,
            consistency_groups='instance',
        )
        run = memory_dr_run(self.cloud, self.clock, options)
        report = None
        try:
            report = run.run()
        except RunKilled:
            pass
        finally:
            self.cloud.kill_after_calls = None
            self.cloud.fail_next_copies = self.cloud.hang_next_copies = 0
            self.cloud.lose_next_answer = False
            self.cloud.set_outcomes = []
        # 4. each region holds a complete set at least as new as the newest it held before the run (no person deleted
        # anything between these lines): the run made a newer one, or the newest is there still, whole.
        after = self.newest_complete_sets()
        for region, (set_id, copies) in sorted(newest_sets.items()):
            now = after.get(region)
            assert now is not None and self.set_point(now[1]) >= self.set_point(copies, gone_too=True), (
                'a run deleted %s of %s, the newest complete set in %s, for %s'
                % (sorted(copies - set(self.cloud.copies)), set_id, region, now and now[0])
            )
        made = sorted(set(self.cloud.copies) - before)
        # 2. a set's member copied only when the set was complete: as the run read it, or a fresh set it waited for.
        for copy_id in made:
            copy = self.cloud.copies[copy_id]
            if copy['tags'][DISK_TAG].partition('/')[2] not in MEMBERS:
                continue
            source = copy['tags'][SOURCE_TAG].partition('/')[2]
            set_id = self.cloud.snapshots[source]['set']
            assert copy['tags'].get(SET_TAG) == set_id, (copy_id, copy['tags'])
            assert set_id in read_sets or set_id.startswith('set-fresh-'), 'copied %s of set %s, not complete' % (
                source,
                set_id,
            )
            if set_id.startswith('set-fresh-'):
                assert all(
                    self.cloud.snapshots.get('%s-%s' % (disk, set_id), {}).get('state') == COMPLETED for disk in MEMBERS
                ), 'copied a member of the fresh set %s before every member completed' % set_id
        self.last_report = report
        if report is not None:
            self.holds_complete_sets(report['protection'], 'the run\'s report')

    # ------------------------------------------------------------------ what the world holds
    def now(self):
        return parse_time(self.cloud.when(self.clock.now))

    def pending_members(self):
        return sorted(
            snapshot_id
            for snapshot_id, record in self.cloud.snapshots.items()
            if record.get('set') and record.get('stays') and record['state'] == PENDING
        )

    def source_members(self):
        return sorted(snapshot_id for snapshot_id, record in self.cloud.snapshots.items() if record['disk'] in MEMBERS)

    def completed_copies(self):
        return sorted(copy_id for copy_id in self.cloud.copies if self.is_completed(copy_id))

    def is_completed(self, copy_id):
        return self.cloud._copy_snapshot(copy_id).state == COMPLETED  # pylint: disable=protected-access

    def complete_sets_in_source(self):
        members = {}
        for record in self.cloud.snapshots.values():
            if record.get('set') and record['disk'] in MEMBERS and record['state'] == COMPLETED:
                members.setdefault(record['set'], set()).add(record['disk'])
        return {set_id for set_id, disks in members.items() if disks == set(MEMBERS)}

    def set_of_copy(self, copy_id):
        """The set of the source snapshot a DR copy is of (its SET_TAG once the source is gone)."""
        copy = self.cloud.copies[copy_id]
        source = copy['tags'][SOURCE_TAG].partition('/')[2]
        record = self.cloud.snapshots.get(source)
        return record['set'] if record is not None else copy['tags'].get(SET_TAG)

    def set_point(self, copy_ids, gone_too=False):
        """When a set's sources were taken (the newest member's), as the world knows it (``gone_too``: of copies the
        run may have deleted, as they were before it)."""
        times = []
        for copy_id in copy_ids:
            copy = self.cloud.copies.get(copy_id) or (self.copies_before.get(copy_id) if gone_too else None)
            source = copy['tags'][SOURCE_TAG].partition('/')[2]
            record = self.cloud.snapshots.get(source)
            times.append(record['created'] if record is not None else self.source_times[source])
        return max(times)

    def newest_complete_sets(self):
        """{region: (set id, its member copies)} of the newest set complete in each DR region, by its sources' time."""
        newest = {}
        for region in DR_REGIONS:
            sets = {}
            for copy_id, copy in self.cloud.copies.items():
                disk = copy['tags'].get(DISK_TAG, '/').partition('/')[2]
                if (
                    copy['region'] == region
                    and disk in MEMBERS
                    and self.is_completed(copy_id)
                    and copy['tags'].get(SET_TAG)
                ):
                    sets.setdefault(copy['tags'][SET_TAG], {})[disk] = copy_id
            complete = [
                (self.set_point(copies.values()), set_id, copies)
                for set_id, copies in sets.items()
                if set(copies) == set(MEMBERS)
            ]
            if complete:
                dummy, set_id, copies = max(complete)
                newest[region] = (set_id, set(copies.values()))
        return newest

    def holds_complete_sets(self, protection, surface):
        """1. Every usable standing of a member in a region is its copy of one set whose every member's copy the cloud
        holds completed."""
        by_disk = {disk['disk_id']: disk for disk in protection['disks']}
        for region in DR_REGIONS:
            cells = {
                disk: next(cell for cell in by_disk[disk]['regions'] if cell['region'] == region) for disk in MEMBERS
            }
            usable = [disk for disk, cell in cells.items() if cell['standing'] in (WITHIN_RPO, OVER_RPO)]
            if not usable:
                continue
            assert sorted(usable) == sorted(MEMBERS), '%s counts %s alone in %s' % (surface, usable, region)
            copies = [cells[disk]['copy_id'] for disk in MEMBERS]
            assert all(copy_id in self.cloud.copies and self.is_completed(copy_id) for copy_id in copies), (
                '%s counts copies the cloud does not hold completed in %s: %s' % (surface, region, copies)
            )
            sets = {self.set_of_copy(copy_id) for copy_id in copies}
            assert len(sets) == 1 and None not in sets, '%s counts copies of sets %s as one point in %s' % (
                surface,
                sets,
                region,
            )
            disks = {self.cloud.copies[copy_id]['tags'][DISK_TAG].partition('/')[2] for copy_id in copies}
            assert disks == set(MEMBERS), (surface, region, copies)

    # ------------------------------------------------------------------ the invariants
    @invariant()
    def a_read_of_the_clouds_counts_only_complete_sets(self):
        settings_ = dr_settings(
            params(dr_regions=list(DR_REGIONS), tag_selector={'dr': 'yes'}, consistency_groups='instance')
        )
        read = PostureRead(self.cloud, settings_, now=self.now()).read()
        self.holds_complete_sets(read['protection'], 'dr_posture_info')

    @invariant()
    def a_group_keeps_a_complete_set_where_it_had_one(self):
        held = set()
        for region in DR_REGIONS:
            members = {}
            for copy_id, copy in self.cloud.copies.items():
                disk = copy['tags'].get(DISK_TAG, '/').partition('/')[2]
                if copy['region'] == region and disk in MEMBERS and self.is_completed(copy_id):
                    members.setdefault(self.set_of_copy(copy_id), set()).add(disk)
            if any(disks == set(MEMBERS) for set_id, disks in members.items() if set_id):
                held.add(region)
        lost = self.complete_where - held
        assert not lost or self.person_deleted, 'the group lost its last complete set in %s' % sorted(lost)
        if self.person_deleted:
            self.complete_where, self.person_deleted = held, set()
        else:
            self.complete_where |= held


GroupWorld.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestTheSetInvariant = pytest.mark.timeout(600)(GroupWorld.TestCase)


class Drawn:
    """What ``data.draw`` answers in a replayed step: the value the search drew."""

    def __init__(self, value):
        self.value = value

    def draw(self, strategy):  # pylint: disable=unused-argument
        return self.value


def test_a_member_with_a_copy_of_the_older_set_stands_with_the_members_held_on_the_newer():
    """The sequence the search found: a fresh set copied to dr-1, then a person deletes one member's copy of the older
    set there and another member's source snapshot of the fresh set. The next run's source is the older set; the member
    whose copy of it is gone is held back on the newer set, which dr-1 holds whole; the member whose copy of the older
    set is still there must stand on the newer set too, never half of each."""
    world = GroupWorld()
    world.start(drops_failed=False)
    run = dict(fresh_outcomes={}, failing=0, hanging=0, keep_copies=None, killed_after=None, lost_answer=False)
    world.dr_run(rpo=None, wait=False, max_age_days=None, **run)
    world.dr_run(rpo=24, wait=True, max_age_days=None, **run)
    world.a_person_deletes_a_dr_copy(data=Drawn('copy-0'))
    world.a_person_deletes_a_source_snapshot(data=Drawn('data-set-fresh-1'))
    copies_before = set(world.cloud.copies)
    world.dr_run(rpo=None, wait=False, max_age_days=None, **run)  # its invariants are checked in the step
    world.a_group_keeps_a_complete_set_where_it_had_one()
    # Nothing copied into dr-1, and both members stand there, on the newer set.
    assert not [
        copy for copy in set(world.cloud.copies) - copies_before if world.cloud.copies[copy]['region'] == 'dr-1'
    ]
    cells = {
        disk['disk_id']: next(cell for cell in disk['regions'] if cell['region'] == 'dr-1')
        for disk in world.last_report['protection']['disks']
        if disk['disk_id'] in MEMBERS
    }
    assert {(cell['standing'], cell['set_id']) for cell in cells.values()} == {(WITHIN_RPO, 'set-fresh-1')}, cells


def members_in_dr_1(world):
    """(surface, its protection, {member: its cell in dr-1}) of the world's last run and of a read of the clouds now."""
    settings_ = dr_settings(
        params(dr_regions=list(DR_REGIONS), tag_selector={'dr': 'yes'}, consistency_groups='instance')
    )
    read = PostureRead(world.cloud, settings_, now=world.now()).read()
    return [
        (
            surface,
            protection,
            {
                disk['disk_id']: next(cell for cell in disk['regions'] if cell['region'] == 'dr-1')
                for disk in protection['disks']
                if disk['disk_id'] in MEMBERS
            },
        )
        for surface, protection in (('the run', world.last_report['protection']), ('the read', read['protection']))
    ]


@pytest.mark.parametrize('mark', [(SUSPECT_TAG, 'yes'), (CHURN_TAG, UNMEASURED), (DIFFERS_TAG, 'yes')])
def test_a_doubt_on_one_members_copy_holds_the_whole_group_on_its_last_good_set(mark):
    """A newer set s1 copied whole, then one member's copy of it marked in doubt: both members stand on the older set s0
    in doubt, on every surface, never one on each set (the read counted s0 and s1 as one point) nor neither (a differing
    copy left no copy, while s0 was there whole). The group is at risk."""
    world = GroupWorld()
    world.start(drops_failed=False)
    run = dict(fresh_outcomes={}, failing=0, hanging=0, keep_copies=None, killed_after=None, lost_answer=False)
    world.dr_run(rpo=None, wait=True, max_age_days=None, **run)
    world.time_passes(seconds=3600)
    world.the_cloud_makes_a_set(states=(COMPLETED, COMPLETED), age_hours=0)
    world.dr_run(rpo=None, wait=True, max_age_days=None, **run)
    set_id, copies = world.newest_complete_sets()['dr-1']
    assert set_id == 's1'
    world.a_copy_is_marked_in_doubt(data=Drawn(sorted(copies)[0]), mark=mark)
    world.a_read_of_the_clouds_counts_only_complete_sets()
    # A run that prunes lists the copies with their marks (a run that lists none judges its own copies by theirs).
    pruning = {key: value for key, value in run.items() if key != 'keep_copies'}
    world.dr_run(rpo=None, wait=True, max_age_days=None, keep_copies=5, **pruning)  # its invariants are checked
    for surface, protection, cells in members_in_dr_1(world):
        assert {cell['set_id'] for cell in cells.values()} == {'s0'}, (surface, cells)
        assert all(cell['standing'] in (WITHIN_RPO, OVER_RPO) and cell['doubt'] for cell in cells.values()), surface
        assert protection['status'] == 'at risk', surface


def test_a_suspect_copy_of_a_torn_set_holds_the_newer_sets_in_doubt_and_the_good_set_is_kept():
    """A review's sequence: set s1 copied whole, one member's copy of it then gone (the set torn there) and the other's
    marked suspect (the disk was rewritten at s1); then a newer set s2, copied and good. The rewrite reaches s2 all the
    same: the group stands on s0 in doubt, on every surface, and pruning by one set keeps s0 and the suspect copy, whose
    mark holds it. Before, the torn set was no point at all: s2 stood protected, and pruning took s0 and the mark."""
    world = GroupWorld()
    world.start(drops_failed=False)
    run = dict(fresh_outcomes={}, failing=0, hanging=0, killed_after=None, lost_answer=False)
    world.dr_run(rpo=None, wait=True, max_age_days=None, keep_copies=None, **run)
    s0 = world.newest_complete_sets()['dr-1'][1]
    world.time_passes(seconds=3600)
    world.the_cloud_makes_a_set(states=(COMPLETED, COMPLETED), age_hours=0)
    world.dr_run(rpo=None, wait=True, max_age_days=None, keep_copies=None, **run)
    set_id, s1 = world.newest_complete_sets()['dr-1']
    assert set_id == 's1'
    data_copy, log_copy = sorted(s1, key=lambda copy_id: world.cloud.copies[copy_id]['tags'][DISK_TAG])
    assert world.cloud.a_person_deletes(log_copy)
    world.cloud.copies[data_copy]['tags'][SUSPECT_TAG] = 'yes'
    world.time_passes(seconds=3600)
    world.the_cloud_makes_a_set(states=(COMPLETED, COMPLETED), age_hours=0)
    world.dr_run(rpo=None, wait=True, max_age_days=None, keep_copies=1, **run)
    assert s0 | {data_copy} <= set(world.cloud.copies), 'pruning took the last good set or the mark that holds it'
    for surface, protection, cells in members_in_dr_1(world):
        assert {cell['copy_id'] for cell in cells.values()} == s0, (surface, cells)
        assert all(cell['doubt'] == 'suspect' for cell in cells.values()), (surface, cells)
        assert protection['status'] == 'at risk', surface
