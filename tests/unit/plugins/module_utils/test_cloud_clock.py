"""The cloud's clock (core.cloud_clock): read off the Date header of every answer, through the real SDKs over HTTP, so
that two runs on controllers whose clocks differ judge each other's leases alike (issue 46, point 3)."""

from __future__ import annotations

import datetime

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import AlibabaClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import REQUEST_PACKAGE, ecs_endpoint
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TencentClient, load_sdk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import CloudClock, http_date
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import KEYS

UTC = datetime.timezone.utc
NOON = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    'text, expected',
    [
        ('Wed, 25 Nov 2026 12:00:00 GMT', NOON),  # RFC 9110's preferred form
        ('Wednesday, 25-Nov-26 12:00:00 GMT', NOON),  # RFC 850's, which a recipient must still read
        ('Wed Nov 25 12:00:00 2026', NOON),  # asctime's
        ('Wed, 25 Nov 2026 13:00:00 +0100', NOON),
    ],
)
def test_http_dates_are_read_in_every_form_a_server_may_send(text, expected):
    assert http_date(text) == expected


@pytest.mark.parametrize('text', [None, '', 'yesterday', 'Wed, 99 Nov 2026 12:00:00 GMT'])
def test_what_is_no_date_is_none(text):
    assert http_date(text) is None


def test_the_clouds_time_is_the_run_clock_moved_by_the_largest_offset_seen():
    local = [NOON]
    clock = CloudClock(lambda: local[0])
    assert clock.now() == NOON and clock.offset is None  # nothing told yet: the run's own clock
    clock.observe('Wed, 25 Nov 2026 12:04:00 GMT')  # the cloud is 4 minutes ahead
    local[0] = NOON + datetime.timedelta(seconds=30)
    clock.observe('Wed, 25 Nov 2026 12:04:29 GMT')  # cut to the second, and late by its trip: a smaller offset
    clock.observe('no date')
    assert clock.offset == 240
    assert clock.now() == NOON + datetime.timedelta(minutes=4, seconds=30)


def test_the_runs_start_by_the_clouds_clock_is_the_controllers_until_an_answer_then_pinned():
    """What a run names from its start (a copy's {date}) and judges ages by reads the same in every phase."""
    local = [NOON]
    clock = CloudClock(lambda: local[0])
    at_start = clock.pinned(NOON)
    assert at_start() == NOON  # no answer yet: the controller's
    clock.observe('Sun, 15 Nov 2026 12:00:00 GMT')  # the controller is ten days ahead
    assert at_start() == NOON - datetime.timedelta(days=10)
    clock.observe('Sun, 15 Nov 2026 12:00:01 GMT')  # a closer offset moves the clock, not the start
    assert clock.offset == -10 * 86400 + 1 and at_start() == NOON - datetime.timedelta(days=10)
    assert clock.at(NOON) == NOON - datetime.timedelta(days=10, seconds=-1)


@pytest.mark.parametrize(
    'date, words',
    [
        (
            'Wed, 25 Nov 2026 12:04:00 GMT',
            None,
        ),  # four minutes: a clock kept by NTP may drift so far, and SigV4 takes it
        ('Fri, 27 Nov 2026 12:00:00 GMT', "this controller's clock is 2 days 0 h 0 min behind the cloud's"),
        ('Sun, 15 Nov 2026 11:53:00 GMT', "this controller's clock is 10 days 0 h 7 min ahead of the cloud's"),
        ('Wed, 25 Nov 2026 11:54:00 GMT', "this controller's clock is 6 min ahead of the cloud's"),
    ],
)
def test_a_controller_minutes_off_the_clouds_clock_is_warned_of_once(date, words):
    warnings = []
    clock = CloudClock(lambda: NOON, warnings.append)
    for dummy in range(3):
        clock.observe(date)
    if words is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert warning.startswith(words) and 'judged by the cloud' in warning, warning


def test_a_clock_is_told_only_while_in_its_block_and_by_a_client_with_observers():
    clock = CloudClock(lambda: NOON)
    client = type('Client', (), {})()
    client.date_observers = []
    with clock.told_by(client):
        assert client.date_observers == [clock.observe]
    assert client.date_observers == []
    with clock.told_by(object()):  # a client that tells no dates: nothing to join
        pass


def told(client_call, observers):
    dates = []
    observers.append(dates.append)
    client_call()
    return dates


def test_each_aws_answer_tells_its_date(moto_url):
    client = AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore)
    dates = told(
        lambda: client.call('us-east-1', 'DescribeSnapshots', OwnerIds=['self'], MaxResults=5), client.date_observers
    )
    assert len(dates) == 1 and abs((http_date(dates[0]) - datetime.datetime.now(UTC)).total_seconds()) < 300


def test_each_alibaba_answer_tells_its_date(fakecloud_clean):
    connection = {
        'alicloud_access_key': creds.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': creds.ALIBABA_ACCESS_KEY_SECRET,
        'endpoint_url': fakecloud_clean.url,
        'validate_certs': True,
    }
    client = AlibabaClient('ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE)
    dates = told(
        lambda: client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou', 'MaxResults': 10}, 'cn-hangzhou'),
        client.date_observers,
    )
    assert len(dates) == 1 and http_date(dates[0]) is not None


def test_each_tencent_answer_tells_its_date(fakecloud_clean):
    connection = {
        'secret_id': creds.TENCENT_SECRET_ID,
        'secret_key': creds.TENCENT_SECRET_KEY,
        'endpoint_url': fakecloud_clean.url,
        'validate_certs': True,
    }
    client = TencentClient(connection, load_sdk())
    dates = told(lambda: client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {'Limit': 10}), client.date_observers)
    assert len(dates) == 1 and http_date(dates[0]) is not None
