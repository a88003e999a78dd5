"""Which copies pruning selects (dr.prune): pure functions, driven here without any cloud."""

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
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    CHURN_TAG,
    COPY_TAG,
    DIFFERS_TAG,
    DISK_TAG,
    POINT_TAG,
    SOURCE_TAG,
    SUSPECT_TAG,
    UNMEASURED,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.points import (
    DIFFERING,
    IN_FLIGHT,
    SUSPECT,
    MarksHeld,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.prune import (
    PruneRule,
    copies_by_disk,
    dr_copies_by_disk,
    prune_selection,
)

NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.timezone.utc)


def copy(copy_id, days_old, state=COMPLETED, **tags):
    created = (NOW - datetime.timedelta(days=days_old)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return Snapshot(copy_id, 'dr-1', state, created=created, tags=tags)


def ids(copies):
    return [snapshot.id for snapshot in copies]


def test_keep_copies_keeps_the_newest_and_deletes_the_rest_newest_first():
    copies = [copy('d3', 3), copy('d9', 9), copy('d1', 1), copy('d6', 6)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=2))
    assert ids(keep) == ['d1', 'd3'] and ids(delete) == ['d6', 'd9']


def test_by_age_everything_older_goes_but_never_the_newest():
    delete, keep = prune_selection([copy('d3', 3), copy('d9', 9)], PruneRule(NOW, max_age_days=1))
    assert ids(keep) == ['d3'] and ids(delete) == ['d9']


def test_copies_in_use_or_in_flight_are_kept_whatever_their_age():
    copies = [copy('d1', 1), copy('used', 30), copy('flying', 40, state=PENDING), copy('old', 50)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=1, max_age_days=2, in_use={'used'}))
    assert ids(delete) == ['old'] and ids(keep) == ['d1', 'used', 'flying']


def test_a_copy_still_to_come_makes_the_newest_listed_count_as_second():
    copies = [copy('d1', 1), copy('d2', 2)]
    assert ids(prune_selection(copies, PruneRule(NOW, keep_copies=1))[0]) == ['d2']
    assert ids(prune_selection(copies, PruneRule(NOW, keep_copies=1), completed_to_come=True)[0]) == ['d1', 'd2']


def test_the_last_completed_copy_stays_while_its_replacement_is_in_flight_or_failed():
    """Issue 24: keep_copies 1 deleted the last good copy while the new one was at 0 %, or once it had failed."""
    for replacement in (PENDING, FAILED):
        copies = [copy('new', 0, state=replacement), copy('good', 1), copy('older', 2)]
        delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=1, max_age_days=0.5))
        assert ids(delete) == ['older'] and ids(keep) == ['new', 'good'], replacement


def test_failed_copies_neither_count_nor_go():
    copies = [copy('failed-new', 0, state=FAILED), copy('good', 1), copy('failed-old', 9, state=FAILED), copy('old', 5)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=2))
    assert ids(delete) == [] and ids(keep) == ['failed-new', 'good', 'old', 'failed-old']


STATES = st.sampled_from([COMPLETED, COMPLETED, PENDING, FAILED])


@given(
    st.lists(st.tuples(st.integers(0, 400), STATES), min_size=1, max_size=12),
    st.one_of(st.none(), st.integers(1, 5)),
    st.one_of(st.none(), st.integers(1, 100)),
    st.booleans(),
    st.sets(st.integers(0, 11)),
)
def test_property_only_completed_copies_go_and_never_the_newest_completed(
    ages, keep_copies, max_age_days, to_come, used
):
    copies = [copy('c%d' % number, days, state) for number, (days, state) in enumerate(ages)]
    in_use = {'c%d' % number for number in used}
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies, max_age_days, in_use), completed_to_come=to_come)
    completed = [snapshot for snapshot in copies if snapshot.state == COMPLETED]
    assert sorted(ids(delete) + ids(keep)) == sorted(ids(copies))
    assert all(snapshot.state == COMPLETED and snapshot.id not in in_use for snapshot in delete)
    if completed and not to_come:
        assert max(completed, key=lambda snapshot: snapshot.age_order()) not in delete
    if keep_copies and not max_age_days:  # with both, a copy goes when either says so
        assert len([snapshot for snapshot in keep if snapshot.state == COMPLETED]) >= min(
            keep_copies - to_come, len(completed)
        )


# The marks a run leaves on a copy (dr.points): none, differs, suspect, unmeasured, and a copy found to differ that a
# rewrite also put in doubt (verification and the churn alarm each leave theirs).
MARKS = st.sampled_from(
    [None, None, DIFFERS_TAG, SUSPECT_TAG, CHURN_TAG, (DIFFERS_TAG, SUSPECT_TAG), (DIFFERS_TAG, CHURN_TAG)]
)


def marked(copy_id, days_old, state, mark, point_days=None):
    """A copy made ``days_old`` ago holding the data of ``point_days`` ago (POINT_TAG; its own age when None)."""
    tags = {}
    for each in mark if isinstance(mark, tuple) else (mark,):
        if each == CHURN_TAG:
            tags[CHURN_TAG] = UNMEASURED
        elif each is not None:
            tags[each] = 'why'
    if point_days is not None:
        tags[POINT_TAG] = (NOW - datetime.timedelta(days=point_days)).strftime('%Y-%m-%dT%H:%M:%SZ')
    return copy(copy_id, days_old, state, **tags)


def expected_keepers(copies):
    """What the rule of docs/safety.md keeps, worked out here on its own: the newest point, the newest good point no
    suspect or unmeasured point older than it reaches (the standing one), and the newest suspect or unmeasured point."""

    def point(snapshot):
        # Copies of one point: the one made last first (the times are all of one format: as text, in order).
        return (snapshot.tags.get(POINT_TAG) or snapshot.created, snapshot.created, snapshot.id)

    completed = sorted((c for c in copies if c.state == COMPLETED), key=point, reverse=True)
    if not completed:
        return set()
    spreading = [c for c in completed if SUSPECT_TAG in c.tags or c.tags.get(CHURN_TAG) == UNMEASURED]
    anchor = spreading[0] if spreading else None
    older = completed[completed.index(anchor) + 1 :] if anchor is not None else completed
    standing = next(
        (c for c in older if not ({DIFFERS_TAG, SUSPECT_TAG} & set(c.tags)) and CHURN_TAG not in c.tags), None
    )
    return {c.id for c in (completed[0], standing, anchor) if c is not None}


@given(
    st.lists(
        st.tuples(st.integers(0, 400), STATES, MARKS, st.one_of(st.none(), st.integers(0, 400))),
        min_size=1,
        max_size=12,
    ),
    st.one_of(st.none(), st.integers(1, 5)),
    st.one_of(st.none(), st.integers(1, 100)),
)
def test_property_the_newest_point_the_standing_good_one_and_the_doubt_that_holds_it_never_go(
    ages, keep_copies, max_age_days
):
    """Issue 60: whatever the counts, ages, marks and recovery points, pruning never deletes the newest point, the newest
    good point that no suspect or unmeasured point reaches, or the newest suspect or unmeasured one; it orders by the
    recovery point, never by when a copy was made; and what it keeps beyond those is bounded by keep_copies."""
    copies = [
        marked('c%d' % number, days, state, mark, point_days)
        for number, (days, state, mark, point_days) in enumerate(ages)
    ]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies, max_age_days))
    keepers = expected_keepers(copies)
    assert not keepers & set(ids(delete)), 'pruning deleted what the rule keeps: %s' % sorted(
        keepers & set(ids(delete))
    )
    if keep_copies is not None:
        assert len([c for c in keep if c.state == COMPLETED]) <= keep_copies + len(keepers)


def test_a_copy_that_differs_never_frees_the_verified_copy_before_it():
    """Issue 60, 1: the newest copy differs from its source; keep_copies 1 kept it and deleted the verified one."""
    copies = [copy('corrupt', 0, **{DIFFERS_TAG: 'blocks whose data differ: [3]'}), copy('verified', 1)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=1))
    assert ids(delete) == [] and ids(keep) == ['corrupt', 'verified']


def test_a_copy_that_differs_and_is_suspect_still_holds_the_good_copy_before_it():
    """A copy verification found to differ, and the churn alarm found suspect: its suspicion still puts the newer copy in
    doubt, so pruning keeps it (the doubt that holds the good one) and the good copy before it, under keep_copies 1.
    Read as differing alone, the newer copy stood as good and both older copies went (the safety machine's search)."""
    copies = [
        copy('newer', 0),
        copy('both', 1, **{DIFFERS_TAG: 'blocks whose data differ: [3]', SUSPECT_TAG: 'rewrote 90%'}),
        copy('good', 2),
    ]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=1))
    assert ids(delete) == [] and ids(keep) == ['newer', 'both', 'good']


def test_in_check_mode_a_copy_to_come_after_a_suspect_one_still_holds_the_good_copy_before_it():
    """The plan prunes what the real run would once its copy completed: that copy, unmarked, is newer than the suspect
    one, so the suspicion puts it in doubt, and the good copy before the suspect one stays, with the suspect one. Found
    by make mutation: with the rule's keepers dropped where a copy is to come, keep_copies 1 planned to delete both."""
    copies = [copy('suspect', 1, **{SUSPECT_TAG: 'rewrote 90%'}), copy('good', 2), copy('older', 3)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=1), completed_to_come=True)
    assert ids(delete) == ['older'] and ids(keep) == ['suspect', 'good']


def test_an_unmeasured_copy_is_kept_in_doubt_as_a_suspect_one():
    """Issue 60, 2: a rewrite that could not be measured deleted the last known good copy under keep_copies 1."""
    copies = [copy('unmeasured', 0, **{CHURN_TAG: UNMEASURED}), copy('clean', 1, **{CHURN_TAG: '0.0100'})]
    assert ids(prune_selection(copies, PruneRule(NOW, keep_copies=1))[0]) == []


def test_copies_are_ranked_by_the_point_they_hold_not_by_when_they_were_made():
    """Issue 60, 4: a person deleted the newest point's source; the next run copied the older snapshot, and keep_copies
    1 pruned the newer point's copy, ranked by when the copies were made."""
    newer_point = marked('newer-point', 1, COMPLETED, None, point_days=1)
    older_point_made_now = marked('older-point', 0, COMPLETED, None, point_days=3)
    delete, keep = prune_selection([older_point_made_now, newer_point], PruneRule(NOW, keep_copies=1))
    assert ids(delete) == ['older-point'] and ids(keep) == ['newer-point']


def test_suspect_copies_kept_are_bounded():
    """Issue 60, 9: a disk rewriting everything every day kept every suspect copy: 30 held under keep_copies 2."""
    copies = [copy('day-%02d' % day, day, **{SUSPECT_TAG: 'rewrote 100%'}) for day in range(29)] + [copy('good', 30)]
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=2))
    assert ids(keep) == ['day-00', 'day-01', 'good'] and len(delete) == 27


def test_copies_are_grouped_by_their_disk_and_others_disks_are_left_alone():
    copies = [
        copy('tagged', 1, **{DISK_TAG: 'src/disk-a'}),
        copy('by-source', 2, **{SOURCE_TAG: 'src/snap-1'}),
        copy('other-disk', 3, **{DISK_TAG: 'src/disk-z'}),
        copy('going', 4, state=DELETING, **{DISK_TAG: 'src/disk-a'}),
        copy('foreign', 5, owner='someone else'),
    ]
    groups = copies_by_disk(copies, {'src/disk-a', 'src/disk-b'}, {'src/snap-1': 'src/disk-b'})
    assert {key: ids(group) for key, group in groups.items()} == {'src/disk-a': ['tagged'], 'src/disk-b': ['by-source']}


def hours_old(copy_id, hours):
    return copy(copy_id, hours / 24.0)


def test_max_copy_age_days_counts_whole_days_of_24_hours():
    """A limit that pruned an hour per day early or late would pass every other test."""
    copies = [hours_old('new', 1), hours_old('h23', 23.5), hours_old('h24', 24), hours_old('h25', 24.5)]
    delete, keep = prune_selection(copies, PruneRule(NOW, max_age_days=1))
    assert ids(delete) == ['h25'] and ids(keep) == ['new', 'h23', 'h24']
    delete, keep = prune_selection(copies + [hours_old('d2', 48.5)], PruneRule(NOW, max_age_days=2))
    assert ids(delete) == ['d2']


def test_keep_copies_of_zero_sets_no_count_and_a_copy_to_come_counts_once():
    copies = [copy('d1', 1), copy('d2', 2), copy('d3', 3)]
    assert prune_selection(copies, PruneRule(NOW, keep_copies=0)) == ([], copies)
    delete, keep = prune_selection(copies, PruneRule(NOW, keep_copies=2), completed_to_come=True)
    assert ids(delete) == ['d2', 'd3'] and ids(keep) == ['d1']


def test_a_copy_linked_to_its_source_by_the_cloud_is_grouped_by_that_source():
    linked = Snapshot('linked', 'dr-1', COMPLETED, source_region='src', source_id='snap-2')
    unknown = Snapshot('unknown', 'dr-1', COMPLETED, source_region='src', source_id='snap-9')
    groups = copies_by_disk([linked, unknown], {'src/disk-b'}, {'src/snap-2': 'src/disk-b'})
    assert {key: ids(group) for key, group in groups.items()} == {'src/disk-b': ['linked']}


def dr_copy(copy_id, source, disk, **fields):
    """A copy as a DR run makes it: our source tag and the DR runs' marker, the disk; where the cloud links no source
    (no source_id), its own id in COPY_TAG."""
    tags = {SOURCE_TAG: source, DISK_TAG: disk}
    if fields.get('source_id') is None:
        tags[COPY_TAG] = copy_id
    return Snapshot(copy_id, 'dr-1', COMPLETED, tags=tags, **fields)


def test_where_the_cloud_links_no_source_only_a_copy_that_names_itself_is_a_dr_copy():
    """Issue 24, AWS and CBS: nothing links a copy to what it was copied from, so a person's copy of a DR copy with
    every tag copied along (our mark included) looked like the DR copy and was pruned. The mark names the copy's own
    id: the person's copy names the DR copy's. A DR copy whose marking never happened (a run killed between its copy
    and its mark, or made before the mark existed) is kept too."""
    ours = dr_copy('ours', 'src/snap-1', 'src/disk-a')
    persons = Snapshot('persons', 'dr-1', COMPLETED, tags=dict(ours.tags))
    unmarked = Snapshot('unmarked', 'dr-1', COMPLETED, tags={SOURCE_TAG: 'src/snap-1', DISK_TAG: 'src/disk-a'})
    groups = dr_copies_by_disk([ours, persons, unmarked], {'src/disk-a'})
    assert {key: ids(group) for key, group in groups.items()} == {'src/disk-a': ['ours']}


def test_pruning_chooses_only_from_what_a_dr_run_made():
    """Issue 24: an archive copy made with a copy module, and a person's copy of a DR copy with our tags copied
    along (the cloud's link names the DR copy, not the disk's snapshot), were pruned."""
    copies = [
        dr_copy('ours', 'src/snap-1', 'src/disk-a'),
        dr_copy('ours-linked', 'src/snap-2', 'src/disk-a', source_region='src', source_id='snap-2'),
        Snapshot('archive', 'dr-1', COMPLETED, tags={SOURCE_TAG: 'src/snap-1', 'purpose': 'archive'}),
        dr_copy('persons', 'src/snap-1', 'src/disk-a', source_region='dr-1', source_id='ours'),
        dr_copy('persons-same-id', 'src/snap-1', 'src/disk-a', source_region='dr-1', source_id='snap-1'),
        dr_copy('other-disk', 'src/snap-7', 'src/disk-z'),
        Snapshot('no-source-tag', 'dr-1', COMPLETED, tags={DISK_TAG: 'src/disk-a'}),
    ]
    groups = dr_copies_by_disk(copies, {'src/disk-a'})
    assert {key: ids(group) for key, group in groups.items()} == {'src/disk-a': ['ours', 'ours-linked']}


def test_a_persons_copy_holds_the_marks_of_the_dr_copy_it_was_made_from():
    """Issue 60: a person's copy of a DR copy (COPY_TAG names the DR copy; on ECS and ENS the cloud links it) holds that
    copy's data, so a mark a run writes on the DR copy afterwards holds for it too, in whichever region each is. A copy
    of a copy of a copy is followed; a loop of names ends."""
    dr_copy = copy('dr-copy', 2, **{COPY_TAG: 'dr-copy', DIFFERS_TAG: 'blocks whose data differ: [3]'})
    persons = Snapshot('persons', 'dr-2', COMPLETED, tags={COPY_TAG: 'dr-copy'})
    linked = Snapshot('linked', 'dr-1', COMPLETED, source_id='persons', source_region='dr-2')
    looped = Snapshot('loop-a', 'dr-1', COMPLETED, tags={COPY_TAG: 'loop-b'})
    loop_b = Snapshot('loop-b', 'dr-1', COMPLETED, tags={COPY_TAG: 'loop-a', SUSPECT_TAG: 'rewrote 90%'})
    marks = MarksHeld([dr_copy, persons, linked, looped, loop_b])
    assert [marks.verdict(each) for each in (dr_copy, persons, linked)] == [DIFFERING] * 3
    assert marks.differs(linked) and not MarksHeld([persons, linked]).differs(linked)
    assert marks.verdict(looped) == SUSPECT and not marks.differs(looped)
    assert marks.verdict(Snapshot('in-flight', 'dr-1', PENDING, tags={COPY_TAG: 'dr-copy'})) == IN_FLIGHT


def test_a_persons_suspect_copy_keeps_the_dr_copy_of_its_point():
    """Issue 60 (the safety machine's search): a person's copy of a suspect DR copy, beside the DR copy of the same
    point in its region. The look before copying and the report read its mark, so the DR copy of that point is where
    the region's good point stands; pruning read the DR copies alone and deleted it under keep_copies 1, and the next
    run then copied an older point into the region."""
    newer = marked('newer', 0, COMPLETED, None, point_days=0)
    same_point = marked('dr-copy', 1, COMPLETED, None, point_days=1)
    persons = marked('persons', 1, COMPLETED, SUSPECT_TAG, point_days=1)
    marks = MarksHeld([newer, same_point, persons])
    delete, keep = prune_selection(
        [newer, same_point], PruneRule(NOW, keep_copies=1, verdict_of=marks.verdict), others=[persons]
    )
    assert ids(delete) == [] and ids(keep) == ['newer', 'dr-copy']
    # Without the person's copy, keep_copies 1 lets the older point go, as before.
    assert ids(prune_selection([newer, same_point], PruneRule(NOW, keep_copies=1))[0]) == ['dr-copy']
