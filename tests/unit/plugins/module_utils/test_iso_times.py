"""The ISO 8601 "…Z" times a run writes for people and programs (core.cloud_clock.iso_utc): a report's generated_at, a
lock's release, an event's time, a fresh snapshot's tag, a verify mark, a recovery point. One writer, which about ten
places wrote by hand before (issue 63, point 5)."""

from __future__ import annotations

import datetime
import pathlib

from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import ISO_FORMAT, iso_utc
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import parse_time

UTC = datetime.timezone.utc
PLUGINS = pathlib.Path(__file__).resolve().parents[4] / 'plugins'
MOMENTS = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2999, 12, 31))
# The zones a time may come in: the clouds answer in UTC, CBS in China Standard Time.
ZONES = st.sampled_from(
    [UTC, datetime.timezone(datetime.timedelta(hours=8)), datetime.timezone(-datetime.timedelta(hours=5))]
)


@given(MOMENTS)
def test_an_iso_time_reads_back_as_the_time_it_wrote_to_the_second(moment):
    """Aware in UTC (the run's clocks) and naive (taken for UTC, as some SDKs' answers come) alike."""
    for given_moment in (moment.replace(tzinfo=UTC), moment):
        assert parse_time(iso_utc(given_moment)) == moment.replace(tzinfo=UTC, microsecond=0)


@given(MOMENTS)
def test_a_utc_or_naive_time_is_written_as_the_callers_wrote_it_by_hand(moment):
    """What each caller wrote before (moment.strftime with the format), to the byte: the reports' tests hold it."""
    for given_moment in (moment.replace(tzinfo=UTC), moment):
        assert iso_utc(given_moment) == given_moment.strftime('%Y-%m-%dT%H:%M:%SZ')


@given(MOMENTS, ZONES)
def test_an_aware_time_in_another_zone_is_written_in_utc(moment, zone):
    """The "Z" says UTC: a CBS time in China Standard Time is moved to UTC, not written with its own hour."""
    aware = moment.replace(tzinfo=zone)
    assert parse_time(iso_utc(aware)) == aware.replace(microsecond=0)


@given(MOMENTS)
def test_a_fraction_is_kept_only_where_asked_and_there_is_one(moment):
    """A recovery point keeps the cloud's precision (EBS dates to the millisecond); other times are to the second."""
    aware = moment.replace(tzinfo=UTC)
    assert parse_time(iso_utc(aware, fraction=True)) == aware
    assert ('.' in iso_utc(aware, fraction=True)) is bool(moment.microsecond)
    assert '.' not in iso_utc(aware)


def test_the_iso_format_has_one_home():
    """Only core/cloud_clock.py writes the format: ten hand-written copies drifted apart once (one converted to UTC,
    the others did not)."""
    homes = sorted(
        str(path.relative_to(PLUGINS))
        for path in PLUGINS.rglob('*.py')
        if ISO_FORMAT[:-1] in path.read_text(encoding='utf-8')
    )
    assert homes == ['module_utils/core/cloud_clock.py']
