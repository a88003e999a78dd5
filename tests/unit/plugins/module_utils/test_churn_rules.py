"""The churn alarm's arithmetic (dr.verify): a disk's usual rewrite, when a rewrite is suspect, and the words of its
mark; pure functions, driven here without any cloud. These tests import neither an SDK nor ansible-core."""

from __future__ import annotations

import datetime

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import CHURN_TAG, SOURCE_TAG, UNMEASURED
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.settings import ChurnSettings
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import (
    USUAL_OF,
    is_suspect,
    suspect_why,
    usual_share,
)

NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.timezone.utc)


def measured(day, share, source=None):
    """A DR copy made ``day`` days ago whose source rewrote ``share`` of the disk (CHURN_TAG's text as written)."""
    created = (NOW - datetime.timedelta(days=day)).strftime('%Y-%m-%dT%H:%M:%SZ')
    tags = {CHURN_TAG: share, SOURCE_TAG: 'eu-west-1/%s' % (source or 'snap-%02d' % day)}
    return Snapshot('copy-%02d' % day, 'dr-1', COMPLETED, created=created, tags=tags)


def test_the_usual_share_is_the_median_of_the_last_ten_sources_measured():
    """Ten, then eleven, days of one disk's rewrites, newest first: the median of the newest ten, never of the first one
    alone nor of more than ten. Found by make mutation: the median of one, or of eleven, passed every test."""
    assert USUAL_OF == 10
    ten = [measured(day, '%.4f' % (0.01 * (day + 1))) for day in range(10)]  # 1 % yesterday ... 10 % ten days ago
    assert usual_share(ten) == 0.055
    eleventh = measured(10, '0.9000')  # the oldest: beyond the ten, it moves nothing
    assert usual_share([*ten, eleventh]) == 0.055
    assert usual_share(ten[:3]) == 0.02


def test_a_source_counts_once_and_text_that_is_no_share_is_skipped():
    """A source copied to two DR regions is one rewrite; an unmeasured mark, or a person's edit, is no share."""
    copies = [
        measured(0, '0.1000', source='snap-a'),
        measured(1, '0.1000', source='snap-a'),
        measured(2, UNMEASURED),
        measured(3, 'about half'),
        measured(4, '0.3000'),
    ]
    assert usual_share(copies) == 0.2
    assert usual_share([measured(0, UNMEASURED)]) is None


def test_a_rewrite_of_exactly_the_alarms_percent_and_twice_the_usual_share_is_suspect():
    """The alarm goes off at "at least" the percent (dr_sync's churn_alarm) and at least twice the usual share."""
    alarm = ChurnSettings(percent=25)  # 0.25 * 100 is 25 exactly, as 0.2 * 100 is not 20
    assert is_suspect(0.25, 0.125, alarm) and is_suspect(0.25, None, alarm)
    assert not is_suspect(0.2499, None, alarm)
    assert not is_suspect(0.25, 0.1251, alarm)
    assert not is_suspect(1.0, None, ChurnSettings())


def test_a_suspect_mark_says_the_share_rewritten_and_the_usual_one_in_percent():
    assert suspect_why(0.5, 0.1) == 'rewrote 50.0% of the disk (usual 10.0%)'
    assert suspect_why(0.25, None) == 'rewrote 25.0% of the disk (usual not known yet)'
