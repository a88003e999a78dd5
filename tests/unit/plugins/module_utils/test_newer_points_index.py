"""The copy phase's look-up of a group member's copy of a set (dr.phases.copy.NewerPoints): each region's listing is
indexed once (set_copies), where it was scanned again for each member (issue 63, point 5). The index answers what the
scan answered: the first completed copy listed of that disk of that set, none where there is none."""

from __future__ import annotations

from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import DISK_TAG, SET_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.copy import set_copies

DISKS = ('src-1/vol-a', 'src-1/vol-b')
SETS = ('set-1', 'set-2')


def scanned(copies, disk_key, set_id):
    """What the look-up answered before the index: a scan of the listing."""
    return next(
        (
            copy
            for copy in copies
            if copy.tags.get(DISK_TAG) == disk_key and copy.tags.get(SET_TAG) == set_id and copy.state == COMPLETED
        ),
        None,
    )


@st.composite
def listings(draw):
    copies = []
    for number in range(draw(st.integers(0, 12))):
        tags = {}
        disk_key = draw(st.sampled_from((None, *DISKS)))
        set_id = draw(st.sampled_from((None, *SETS)))
        if disk_key is not None:
            tags[DISK_TAG] = disk_key
        if set_id is not None:
            tags[SET_TAG] = set_id
        copies.append(
            Snapshot('snap-%d' % number, 'dr-1', draw(st.sampled_from((COMPLETED, PENDING, FAILED))), tags=tags)
        )
    return copies


@given(listings())
def test_the_index_answers_what_a_scan_of_the_listing_answered(copies):
    index = set_copies(copies)
    for disk_key in DISKS:
        for set_id in SETS:
            assert index.get((disk_key, set_id)) is scanned(copies, disk_key, set_id)
    # Nothing else: a copy without a disk or a set, or not completed, is no member's copy of a set.
    assert set(index) <= {(disk_key, set_id) for disk_key in DISKS for set_id in SETS}
