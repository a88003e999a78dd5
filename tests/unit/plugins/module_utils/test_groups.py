"""The rules of consistency groups (dr/groups.py), searched by Hypothesis: whatever sets the cloud holds (members
completed, pending, failed or missing, in any order of time, with snapshots of no set beside them), a group's recovery
point is a complete set of one request, never newer than a set that is not, and every set newer than it is shown as in
flight or torn. These tests import neither an SDK nor ansible-core."""

from __future__ import annotations

import datetime

from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    COMPLETED,
    DELETING,
    FAILED,
    PENDING,
    Snapshot,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import POINT_TAG, SET_TAG, SUSPECT_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.groups import (
    IN_FLIGHT,
    TORN,
    SnapshotSet,
    dr_point_complete,
    group_point,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.prune import PruneRule, prune_set_selection

REGION = 'eu-west-1'
START = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
MISSING = 'missing'
# A member of a set: its snapshot's state, or MISSING (the set has no snapshot of that disk).
MEMBER = st.sampled_from([COMPLETED, COMPLETED, COMPLETED, PENDING, FAILED, MISSING])


def snapshot(snapshot_id, state, hour, set_id=None):
    created = (START + datetime.timedelta(hours=hour)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return Snapshot(snapshot_id, REGION, state, created=created, extra={'set': set_id} if set_id else {})


def set_of(item):
    return item.extra.get('set')


@st.composite
def holdings(draw):
    """(disks, {disk: snapshots}, {set id: (hour, {disk: state})}): a group of 1 to 4 disks, up to 6 sets at distinct
    hours, each member's state drawn, and snapshots made on their own (no set) beside them."""
    disks = ['vol-%d' % number for number in range(draw(st.integers(1, 4)))]
    hours = draw(st.lists(st.integers(0, 100), max_size=6, unique=True))
    sets = {}
    snapshots = {disk: [] for disk in disks}
    for number, hour in enumerate(hours):
        set_id = 'set-%d' % number
        states = {disk: draw(MEMBER) for disk in disks}
        if set(states.values()) == {MISSING}:
            continue  # a request that left no snapshot made no set the cloud shows
        sets[set_id] = (hour, states)
        for disk, state in states.items():
            if state != MISSING:
                snapshots[disk].append(snapshot('snap-%s-%s' % (number, disk), state, hour, set_id))
    for disk in disks:
        for hour in draw(st.lists(st.integers(0, 100), max_size=2)):
            snapshots[disk].append(snapshot('snap-alone-%s-%d' % (disk, hour), COMPLETED, hour))
    return disks, snapshots, sets


def complete(states):
    return all(state == COMPLETED for state in states.values())


@given(holdings())
def test_the_point_is_the_newest_complete_set_and_every_newer_set_is_shown_for_what_it_is(held):
    disks, snapshots, sets = held
    found = group_point('db', disks, snapshots, set_of)
    complete_hours = [hour for hour, states in sets.values() if complete(states)]
    if not complete_hours:
        assert found.point is None
        newer_ids = set(sets)
    else:
        newest = max(complete_hours)
        assert found.point is not None
        hour, states = sets[found.point.set_id]
        assert hour == newest and complete(states)
        # One snapshot of the set for each member, each completed: never members of different moments.
        assert sorted(found.point.members) == sorted(disks)
        assert {set_of(item) for item in found.point.members.values()} == {found.point.set_id}
        assert all(item.state == COMPLETED for item in found.point.members.values())
        newer_ids = {set_id for set_id, (hour, states) in sets.items() if hour > newest}
    # Every set newer than the point, oldest first, and none of them complete.
    assert [snapshot_set.set_id for snapshot_set, dummy in found.newer] == sorted(
        newer_ids, key=lambda set_id: sets[set_id][0]
    )
    for snapshot_set, state in found.newer:
        states = sets[snapshot_set.set_id][1].values()
        torn = FAILED in states or MISSING in states
        assert state == (TORN if torn else IN_FLIGHT), (states, state)


@given(holdings(), st.integers(101, 200), st.sampled_from([PENDING, FAILED, MISSING]))
def test_a_newer_set_that_is_not_complete_never_moves_the_point(held, hour, broken):
    disks, snapshots, dummy = held
    before = group_point('db', disks, snapshots, set_of).point
    # A newer request: every member completed but the first, which is pending, failed or missing.
    for disk in disks:
        state = broken if disk == disks[0] else COMPLETED
        if state != MISSING:
            snapshots[disk].append(snapshot('snap-new-%s' % disk, state, hour, 'set-new'))
    after = group_point('db', disks, snapshots, set_of)
    assert (after.point and after.point.set_id) == (before and before.set_id)
    if len(disks) > 1 or broken != MISSING:  # a request that left no snapshot made no set
        assert after.newer[-1][0].set_id == 'set-new' and after.newer[-1][1] == (
            IN_FLIGHT if broken == PENDING else TORN
        )


def test_a_set_with_two_snapshots_of_one_disk_is_torn():
    snapshots = {
        'vol-0': [snapshot('a', COMPLETED, 1, 'set-1'), snapshot('b', COMPLETED, 1, 'set-1')],
        'vol-1': [snapshot('c', COMPLETED, 1, 'set-1')],
    }
    found = group_point('db', ['vol-0', 'vol-1'], snapshots, set_of)
    assert found.point is None and [state for dummy, state in found.newer] == [TORN]


@given(holdings(), st.data())
def test_a_dr_point_counts_only_when_every_members_copy_is_complete(held, data):
    disks, snapshots, dummy = held
    point = group_point('db', disks, snapshots, set_of).point
    if point is None:
        return
    copies = {}
    for item in point.members.values():
        state = data.draw(st.sampled_from([COMPLETED, PENDING, FAILED, MISSING]))
        if state != MISSING:
            copies[item.id] = snapshot('copy-' + item.id, state, 0)
    every = all(item.id in copies and copies[item.id].state == COMPLETED for item in point.members.values())
    assert dr_point_complete(point, copies) == every


# ---------------------------------------------------------------------- pruning as sets (dr.prune.prune_set_selection)
COPY_MEMBER = st.sampled_from([COMPLETED, COMPLETED, COMPLETED, PENDING, FAILED, MISSING])


@st.composite
def dr_region_copies(draw):
    """({disk key: [copy]}, in use): a group's copies in one DR region, up to 6 sets of copies made at distinct hours
    with each member's copy completed, in flight, failed or missing, and copies without a set beside them."""
    members = ['src/vol-%d' % number for number in range(draw(st.integers(2, 3)))]
    copies = {key: [] for key in members}
    hours = draw(st.lists(st.integers(0, 2000), min_size=0, max_size=6, unique=True))
    for number, hour in enumerate(hours):
        for key in members:
            state = draw(COPY_MEMBER)
            if state != MISSING:
                copies[key].append(
                    Snapshot(
                        'copy-%d-%s' % (number, key[-1]),
                        REGION,
                        state,
                        created=(START + datetime.timedelta(hours=hour)).strftime('%Y-%m-%dT%H:%M:%SZ'),
                        tags={SET_TAG: 'set-%d' % number},
                    )
                )
    for key in members:
        for hour in draw(st.lists(st.integers(0, 2000), max_size=2)):
            copies[key].append(
                Snapshot(
                    'old-%d-%s' % (hour, key[-1]),
                    REGION,
                    COMPLETED,
                    created=(START + datetime.timedelta(hours=hour)).strftime('%Y-%m-%dT%H:%M:%SZ'),
                )
            )
    every = [copy.id for found in copies.values() for copy in found]
    in_use = draw(st.sets(st.sampled_from(every))) if every else set()
    # The churn alarm's marks, on any copies.
    for copy_id in draw(st.sets(st.sampled_from(every))) if every else set():
        next(copy for found in copies.values() for copy in found if copy.id == copy_id).tags[SUSPECT_TAG] = 'rewrote'
    return copies, in_use


def complete_sets(copies):
    """{set id: newest copy's time} of the sets with a completed copy of every member."""
    members = set(copies)
    holders = {}
    for key, found in copies.items():
        for copy in found:
            if copy.tags.get(SET_TAG) and copy.state == COMPLETED:
                holders.setdefault(copy.tags[SET_TAG], set()).add(key)
    return {set_id for set_id, keys in holders.items() if keys == members}


def set_copy(set_id, key, hour, state=COMPLETED, **tags):
    """A member's copy of set ``set_id`` made at ``hour``."""
    created = (START + datetime.timedelta(hours=hour)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return Snapshot('%s-%s' % (set_id, key[-1]), REGION, state, created=created, tags=dict(tags, **{SET_TAG: set_id}))


def deleted_ids(chosen):
    return sorted(copy.id for delete, dummy in chosen.values() for copy in delete)


@given(
    holding=dr_region_copies(),
    keep=st.one_of(st.none(), st.integers(1, 3)),
    max_age_days=st.one_of(st.none(), st.integers(1, 60)),
    to_come=st.booleans(),
)
def test_pruning_as_sets_never_leaves_a_group_without_its_newest_complete_set(holding, keep, max_age_days, to_come):
    copies, in_use = holding
    now = START + datetime.timedelta(hours=2100)
    chosen = prune_set_selection(copies, PruneRule(now, keep, max_age_days, in_use), completed_to_come=to_come)
    deleted = {copy.id for delete, dummy in chosen.values() for copy in delete}
    every = {copy.id: copy for found in copies.values() for copy in found}
    # Each copy is chosen once: deleted or kept.
    for key, (delete, keep_these) in chosen.items():
        assert sorted(copy.id for copy in delete + keep_these) == sorted(copy.id for copy in copies[key])
    # Only completed copies go, never one in use.
    assert all(every[copy_id].state == COMPLETED and copy_id not in in_use for copy_id in deleted)
    before = complete_sets(copies)
    after = complete_sets({key: [copy for copy in found if copy.id not in deleted] for key, found in copies.items()})
    if not before:
        assert not deleted, 'nothing goes while the group has no complete set'
        return

    # The newest complete set stays whole (the copies' own times order the sets).
    def newest(set_id):
        return max(copy.age_order() for copy in every.values() if copy.tags.get(SET_TAG) == set_id)

    assert max(before, key=newest) in after
    # A set goes whole or not at all: of each set, all its completed copies are deleted, or none.
    for set_id in {copy.tags.get(SET_TAG) for copy in every.values()} - {None}:
        completed = {copy.id for copy in every.values() if copy.tags.get(SET_TAG) == set_id and copy.state == COMPLETED}
        assert completed <= deleted or not completed & deleted, set_id
    # Each disk keeps a completed copy (it had one in the newest complete set).
    for key, (dummy, keep_these) in chosen.items():
        assert any(copy.state == COMPLETED for copy in keep_these), key

    # The rule of dr.points over the complete sets (issue 60): the newest complete set with a suspect copy stays (its
    # mark holds the good one), and so does the newest complete set without one older than it (the group's standing
    # point); suspect sets beyond those go by keep_copies and age, as the others do.
    def suspect(set_id):
        return any(SUSPECT_TAG in c.tags for c in every.values() if c.tags.get(SET_TAG) == set_id)

    ordered = sorted(before, key=newest, reverse=True)
    anchor = next((set_id for set_id in ordered if suspect(set_id)), None)
    older = ordered[ordered.index(anchor) + 1 :] if anchor is not None else ordered
    standing = next((set_id for set_id in older if not suspect(set_id)), None)
    assert anchor is None or anchor in after, 'the newest suspect set went: its mark no longer holds the good one'
    assert standing is None or standing in after, 'the last known good set went'


def test_sets_are_ranked_by_the_point_they_hold_not_by_when_their_copies_were_made():
    """Issue 60, 3: a person deleted a member's source of the newest set s2 after its copies were made; a run copied the
    older set s1 again (here: later than s2's copies), and keep_copies 1 pruned s2, the sets ranked by when their copies
    were made. Each copy's POINT_TAG (its source's time) ranks the sets."""

    def member_copy(set_id, key, made_hour, point_hour):
        point = (START + datetime.timedelta(hours=point_hour)).strftime('%Y-%m-%dT%H:%M:%SZ')
        return set_copy(set_id, key, made_hour, **{POINT_TAG: point})

    members = ['src/vol-1', 'src/vol-2']
    copies = {
        key: [member_copy('s2', key, made_hour=10, point_hour=9), member_copy('s1', key, made_hour=12, point_hour=1)]
        for key in members
    }
    chosen = prune_set_selection(copies, PruneRule(START + datetime.timedelta(hours=13), keep_copies=1))
    assert {key: sorted(copy.id for copy in delete) for key, (delete, dummy) in chosen.items()} == {
        'src/vol-1': ['s1-1'],
        'src/vol-2': ['s1-2'],
    }, 'the newest complete set went for an older one copied after it'


def test_a_sets_verdict_is_its_completed_members_worst():
    """A complete set with one suspect member's copy is suspect, and holds the good set before it under keep_copies 1;
    the mark on a member's failed copy (no data) puts no set in doubt. Found by make mutation: the sets' verdicts read
    from the copies that were not completed passed every test of make units."""
    members = ['src/vol-1', 'src/vol-2']
    rule = PruneRule(START + datetime.timedelta(hours=40), keep_copies=1)
    suspect_newest = {
        'src/vol-1': [set_copy('s2', 'src/vol-1', 20, **{SUSPECT_TAG: 'rewrote'}), set_copy('s1', 'src/vol-1', 10)],
        'src/vol-2': [set_copy('s2', 'src/vol-2', 20), set_copy('s1', 'src/vol-2', 10)],
    }
    assert deleted_ids(prune_set_selection(suspect_newest, rule)) == [], 'the good set before a suspect one went'
    failed_mark = {key: [set_copy('s2', key, 20), set_copy('s1', key, 10)] for key in members}
    failed_mark['src/vol-1'].append(
        Snapshot(
            's2-failed',
            REGION,
            FAILED,
            created=failed_mark['src/vol-1'][0].created,
            tags={SET_TAG: 's2', SUSPECT_TAG: 'x'},
        )
    )
    assert deleted_ids(prune_set_selection(failed_mark, rule)) == ['s1-1', 's1-2']


def test_in_check_mode_a_set_to_come_counts_as_the_newest_of_keep_copies():
    """keep_copies 3 with a set to come (check mode, a run that waits): that set, the newest complete one and the next
    stay, and the oldest goes; without one to come, all three stay. Found by make mutation: counting the set to come as
    two passed every test of make units."""
    members = ['src/vol-1', 'src/vol-2']
    copies = {
        key: [set_copy(set_id, key, hour) for set_id, hour in (('s3', 30), ('s2', 20), ('s1', 10))] for key in members
    }
    rule = PruneRule(START + datetime.timedelta(hours=40), keep_copies=3)
    assert deleted_ids(prune_set_selection(copies, rule, completed_to_come=True)) == ['s1-1', 's1-2']
    assert deleted_ids(prune_set_selection(copies, rule)) == []


def test_a_set_whose_member_is_being_deleted_is_torn():
    """Only a set whose every member's snapshot completed is complete: one being deleted (neither in flight nor failed)
    tears it. Found by make mutation: a set complete once no member was missing, failed or in flight passed every test."""
    disks = ['vol-1', 'vol-2']
    members = {'vol-1': snapshot('snap-1', COMPLETED, 1, 'set-0'), 'vol-2': snapshot('snap-2', DELETING, 1, 'set-0')}
    assert SnapshotSet('set-0', members).state(disks) == TORN
    members['vol-2'] = snapshot('snap-2', COMPLETED, 1, 'set-0')
    assert SnapshotSet('set-0', members).state(disks) == COMPLETED
