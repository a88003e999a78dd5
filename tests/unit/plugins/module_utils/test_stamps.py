"""The times a run writes in its tags (core.cloud_clock's stamp and parse_stamp): a lease's until, the drill's
restore-until and restore-tested, a run id's start. One format and one parser, which the leases and the drill share
(issue 63, point 3)."""

from __future__ import annotations

import datetime
import pathlib

from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import STAMP_FORMAT, parse_stamp, stamp
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import USABLE, DrillDisk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_RUN_TAG, RESTORE_UNTIL_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import (
    LEFT_UNTIL,
    LEFTOVER,
    TEST_DISK_PREFIX,
    leftover_state,
    run_id,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.lease import Lease, leases_under

UTC = datetime.timezone.utc
MODULE_UTILS = pathlib.Path(__file__).resolve().parents[4] / 'plugins' / 'module_utils'
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@given(st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2999, 12, 31)))
def test_a_stamp_reads_back_as_the_time_it_wrote_to_the_second(moment):
    moment = moment.replace(tzinfo=UTC)
    assert parse_stamp(stamp(moment)) == moment.replace(microsecond=0)


def test_what_is_no_stamp_is_none():
    """A lease whose time cannot be read is taken for over; a test disk's restore-until, for not passed yet."""
    for text in (None, '', 'soon', '2026-11-25T12:00:00Z', '20261125T120000Z-3f9a1c'):
        assert parse_stamp(text) is None, text


def test_the_stamp_format_and_its_parser_have_one_home():
    """Only core/cloud_clock.py writes the format or parses a time with strptime: a second home drifts (two did, in
    dr/leases.py and dr/restore.py, each with a parser of its own)."""
    homes = sorted(
        str(path.relative_to(MODULE_UTILS))
        for path in MODULE_UTILS.rglob('*.py')
        if STAMP_FORMAT in path.read_text(encoding='utf-8')
        or ('strptime(' in path.read_text(encoding='utf-8') and path.parent.name != 'alibaba')
    )
    assert homes == ['core/cloud_clock.py']


def test_a_lease_and_the_drills_restore_until_read_one_stamp_alike():
    """The time a lease says, and the time a test disk's restore-until says, written the same: the lease is live and
    the disk left alone until that second, both over after it."""
    until = NOW + datetime.timedelta(minutes=5)
    key, value = Lease('20261125T115900Z-0abcde', until, ('eu-west-1',)).tag('snapcopy:share-claim:')
    lease = leases_under({key: value}, 'snapcopy:share-claim:')['20261125T115900Z-0abcde']
    disk = DrillDisk(
        'vol-1',
        'eu-west-1',
        USABLE,
        name=TEST_DISK_PREFIX + 'x',
        tags={RESTORE_RUN_TAG: run_id(NOW, lambda: 0.5), RESTORE_UNTIL_TAG: stamp(until)},
    )
    for moment, live in ((until - datetime.timedelta(seconds=1), True), (until + datetime.timedelta(seconds=1), False)):
        assert lease.live(moment) is live
        assert leftover_state(disk, 'another-run', moment) == (LEFT_UNTIL if live else LEFTOVER)


def test_a_drills_run_id_starts_with_the_stamp_of_its_start():
    """A test disk of an older release without restore-until is judged by its run id's start (dr.drill)."""
    started = run_id(NOW, lambda: 0.25)
    assert parse_stamp(started.partition('-')[0]) == NOW
