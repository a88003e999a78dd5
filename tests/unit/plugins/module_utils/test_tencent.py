"""The Tencent client layer: answers, errors, network failures and the rate limit, over real HTTP.

The SDK signs and sends for real, to fakecloud or, for answers fakecloud never gives (an
error with another Content-Type, a gateway's HTML, a dropped connection), to a small local
HTTP server of the test's own.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import socket
import threading
import time

import pytest
from tencentcloud.cbs.v20170312 import errorcodes as cbs_errorcodes

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import cbs as _cbs, client as _tencent
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    RateLimiter,
    SlidingWindow,
    TencentClient,
    classify,
    load_sdk,
    parse_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    ALREADY_EXISTS,
    FATAL,
    INVALID,
    NOT_FOUND,
    RETRYABLE,
    CloudError,
    InputError,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import new_adapter
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import QuietHandler, serving


def connection(url, **extra):
    values = {
        'secret_id': creds.TENCENT_SECRET_ID,
        'secret_key': creds.TENCENT_SECRET_KEY,
        'security_token': None,
        'endpoint_url': url,
        'validate_certs': True,
        'read_timeout': 5,
    }
    values.update(extra)
    return values


def client_for(url, **extra):
    return TencentClient(connection(url, **extra), load_sdk())


# ---------------------------------------------------------------------- rate limiter (fake clock)
def test_sliding_window_lets_a_short_run_go_at_once_then_holds_the_limit():
    clock = FakeClock(100.0)
    window = SlidingWindow(limit=3, clock=clock.clock, sleep=clock.sleep)
    assert [window.acquire() for dummy in range(3)] == [0.0, 0.0, 0.0]
    assert window.acquire() == pytest.approx(1.0)  # the 4th waits until the 1st is a second old
    assert [window.acquire() for dummy in range(2)] == [0.0, 0.0]  # slots freed in that second
    clock.now += 5  # idle: a full window again
    assert [window.acquire() for dummy in range(3)] == [0.0, 0.0, 0.0]


def test_rate_limiter_never_lets_more_than_the_limit_into_any_second():
    clock = FakeClock(100.0)
    limiter = RateLimiter(per_second=20, clock=clock.clock, sleep=clock.sleep)
    times = []
    for dummy in range(200):
        limiter.acquire(('cbs', 'DescribeSnapshots'))
        times.append(clock.now)
    worst = max(sum(1 for t in times if start <= t <= start + 1.0) for start in times)
    assert worst <= 20
    assert times[-1] - times[0] < 200 / 20 * 1.2  # and not much slower than the limit


def test_rate_limiter_keeps_one_bucket_per_action():
    clock = FakeClock(100.0)
    limiter = RateLimiter(per_second=20, clock=clock.clock, sleep=clock.sleep)
    for dummy in range(19):
        limiter.acquire(('cbs', 'DescribeSnapshots'))
    assert limiter.acquire(('cbs', 'CopySnapshotCrossRegions')) == 0.0
    assert limiter.acquire(('cbs', 'DescribeSnapshots')) > 0


def test_sliding_window_is_thread_safe():
    clock_lock = threading.Lock()
    state = {'now': 0.0}

    def clock():
        with clock_lock:
            return state['now']

    granted = []
    window = SlidingWindow(limit=100, clock=clock, sleep=lambda seconds: None)

    def worker():
        for dummy in range(50):
            granted.append(window.reserve())

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 400 reservations at one instant: 100 a second, each second's 100 later than the one before.
    assert sorted(granted) == pytest.approx([float(n // 100) for n in range(400)])


def test_calls_stay_under_fakeclouds_real_rate_limit(fakecloud_clean):
    fakecloud_clean.admin.faults(tencent_rate_limit=True)
    client = client_for(fakecloud_clean.url)
    started = time.monotonic()
    for dummy in range(45):
        client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {'Limit': 1})
    elapsed = time.monotonic() - started
    counts = fakecloud_clean.admin.calls()['calls']['cbs']['DescribeSnapshots']
    assert counts == {'calls': 45, 'errors': 0, 'mutations': 0}
    assert elapsed >= 1.0


# ---------------------------------------------------------------------- answers and cloud errors
def test_a_good_call_answers_the_response(fakecloud_clean):
    response = client_for(fakecloud_clean.url).call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert response['TotalCount'] == 0 and response['RequestId']


@pytest.mark.parametrize(
    'settings, code, hint',
    [
        ({'secret_key': 'wrong-secret'}, 'AuthFailure.SignatureFailure', 'secret_key'),
        ({'secret_id': 'AKIDunknown'}, 'AuthFailure.SecretIdNotFound', 'secret_id'),
        (
            {
                'secret_id': creds.TENCENT_TMP_SECRET_ID,
                'secret_key': creds.TENCENT_TMP_SECRET_KEY,
                'security_token': 'stale',
            },
            'AuthFailure.TokenFailure',
            'security_token',
        ),
    ],
)
def test_auth_failures_are_fatal_with_a_message_a_user_can_act_on(fakecloud_clean, settings, code, hint):
    with pytest.raises(CloudError) as caught:
        client_for(fakecloud_clean.url, **settings).call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    error = caught.value
    assert (error.code, error.kind, error.action, error.region) == (code, FATAL, 'DescribeSnapshots', 'ap-guangzhou')
    assert hint in error.message and error.request_id
    assert '[request id %s]' % error.request_id in str(error)


def test_temporary_credentials_work(fakecloud_clean):
    client = client_for(
        fakecloud_clean.url,
        secret_id=creds.TENCENT_TMP_SECRET_ID,
        secret_key=creds.TENCENT_TMP_SECRET_KEY,
        security_token=creds.TENCENT_TMP_TOKEN,
    )
    assert client.call('tag', None, 'GetResources', {})['ResourceTagMappingList'] == []


def test_throttling_and_server_errors_are_retryable(fakecloud_clean):
    fakecloud_clean.admin.faults(
        rules=[
            {'cloud': 'cbs', 'throttle_rate': 1.0, 'count': 1},
            {'cloud': 'cbs', 'error_rate': 1.0, 'error_code': 'ResourceBusy', 'count': 1},
        ]
    )
    client = client_for(fakecloud_clean.url)
    for code in ('RequestLimitExceeded', 'ResourceBusy'):
        with pytest.raises(CloudError) as caught:
            client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
        assert (caught.value.code, caught.value.kind, caught.value.uncertain) == (code, RETRYABLE, False)


@pytest.mark.parametrize(
    'code, kind',
    [
        ('RequestLimitExceeded', RETRYABLE),
        ('RequestLimitExceeded.UinLimitExceeded', RETRYABLE),
        ('InternalError', RETRYABLE),
        ('InternalError.ComponentError', RETRYABLE),
        ('ResourceBusy', RETRYABLE),
        ('ResourceInUse.CopySnapshotConflict', ALREADY_EXISTS),
        ('InvalidSnapshotId.NotFound', NOT_FOUND),
        ('InvalidParameterValue', INVALID),
        ('InvalidParameter.Whatever', INVALID),
        ('MissingParameter', INVALID),
        ('UnsupportedOperation.SnapshotNotSupportCopy', INVALID),
        ('AuthFailure.SignatureExpire', FATAL),
        ('InsufficientSnapshotQuota', FATAL),
        ('InvalidAccount.InsufficientBalance', FATAL),
        ('UnauthorizedOperation', FATAL),
    ],
)
def test_classification(code, kind):
    assert classify(code) == kind


def test_every_cbs_code_the_sdk_says_to_try_again_later_is_retried():
    """The CBS SDK's errorcodes.py says of some codes "请稍后重试" (try again later) or "暂时不可使用" (not usable for
    now): CreateSnapshot answers them while a snapshot policy is snapshotting the disk, and failing the disk then misses
    a recovery point that a retry makes. The vendor's words, not a list of ours, say which."""
    text = pathlib.Path(cbs_errorcodes.__file__).read_text(encoding='utf-8')
    later = re.findall(r'#[^\n]*(?:请稍后重试|暂时不可使用)[^\n]*\n\w+ = \'([^\']+)\'', text)
    assert 'InvalidDisk.SnapshotCreating' in later and len(later) >= 6, later
    assert {code: classify(code) for code in later} == dict.fromkeys(later, RETRYABLE)


@pytest.mark.parametrize(
    'code, words',
    [
        ('InsufficientSnapshotQuota', 'quota'),
        ('UnsupportedOperation.SnapshotNotSupportCopy', 'retrying will not help'),
        ('InvalidAccount.InsufficientBalance', 'top up'),
        ('AuthFailure.UnauthorizedOperation', 'CAM policy'),
        ('AuthFailure.SomethingNew', 'check secret_id'),
        ('InvalidAccount.Frozen', 'console'),
    ],
)
def test_errors_a_user_must_act_on_say_what_to_do(code, words):
    error = _tencent.cloud_error('CopySnapshotCrossRegions', 'ap-beijing', code, 'Cloud message.', 'req-1')
    assert error.message.startswith('Cloud message. ') and words.lower() in error.message.lower()
    assert error.as_result() == {
        'action': 'CopySnapshotCrossRegions',
        'code': code,
        'message': error.message,
        'request_id': 'req-1',
    }


# ---------------------------------------------------------------------- answers fakecloud never gives
class ScriptedServer:
    """A local HTTP server answering every request with (status, content type, body), or dropping it."""

    def __init__(self, status=200, content_type='application/json', body=b'', drop=False):
        answer = (status, content_type, body, drop)
        self.requests = 0
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):  # pylint: disable=invalid-name  # name set by http.server
                self.rfile.read(int(self.headers.get('Content-Length') or 0))
                outer.requests += 1
                if answer[3]:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.answer(*answer[:3])

        self.handler = Handler
        self.url = None
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        self.url = self._stack.enter_context(serving(self.handler))
        return self

    def __exit__(self, *exc):
        self._stack.close()


def error_body(code, message='Something failed.', request_id='req-42'):
    return json.dumps({'Response': {'Error': {'Code': code, 'Message': message}, 'RequestId': request_id}}).encode()


@pytest.mark.parametrize('content_type', ['application/json; charset=utf-8', 'text/html', ''])
def test_an_error_answer_is_an_error_whatever_its_content_type(content_type):
    # The SDK's own check only fires for exactly application/json: this one is ours.
    with ScriptedServer(content_type=content_type, body=error_body('InvalidSnapshotId.NotFound')) as server:
        with pytest.raises(CloudError) as caught:
            client_for(server.url).call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert (caught.value.code, caught.value.kind, caught.value.request_id) == (
        'InvalidSnapshotId.NotFound',
        NOT_FOUND,
        'req-42',
    )


def test_a_gateway_error_page_is_retryable_and_uncertain():
    with ScriptedServer(status=502, content_type='text/html', body=b'<html><body>Bad Gateway</body></html>') as server:
        with pytest.raises(CloudError) as caught:
            client_for(server.url).call('cbs', 'ap-guangzhou', 'CopySnapshotCrossRegions', {})
    error = caught.value
    assert (error.code, error.kind, error.uncertain) == ('HTTP502', RETRYABLE, True)
    assert 'Bad Gateway' in error.message


def test_something_that_is_not_tencent_cloud_is_a_fatal_error_naming_endpoint_url():
    with ScriptedServer(status=404, content_type='text/html', body=b'<h1>Not Found</h1>') as server:
        with pytest.raises(CloudError) as caught:
            client_for(server.url).call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert (caught.value.code, caught.value.kind) == ('InvalidResponse', FATAL)
    assert 'endpoint_url' in caught.value.message


def test_a_dropped_connection_after_sending_is_retryable_and_uncertain():
    with ScriptedServer(drop=True) as server:
        with pytest.raises(CloudError) as caught:
            client_for(server.url).call('cbs', 'ap-guangzhou', 'CopySnapshotCrossRegions', {})
        assert server.requests == 1
    assert (caught.value.code, caught.value.kind, caught.value.uncertain) == ('ClientNetworkError', RETRYABLE, True)


def test_a_lost_answer_from_fakecloud_is_uncertain(fakecloud_clean):
    source = fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})['cbs'][
        'snapshots'
    ][0]
    fakecloud_clean.admin.faults(
        rules=[{'cloud': 'cbs', 'action': 'CopySnapshotCrossRegions', 'lost_answer_rate': 1.0}]
    )
    with pytest.raises(CloudError) as caught:
        client_for(fakecloud_clean.url).call(
            'cbs',
            'ap-guangzhou',
            'CopySnapshotCrossRegions',
            {'SnapshotId': source, 'DestinationRegions': ['ap-beijing']},
        )
    assert caught.value.kind == RETRYABLE and caught.value.uncertain
    assert fakecloud_clean.admin.calls()['total_mutations'] == 1


def test_a_refused_connection_is_fatal_at_once_with_a_clear_message():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    with pytest.raises(CloudError) as caught:
        client_for('http://127.0.0.1:%d' % port).call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert (caught.value.code, caught.value.kind) == ('ConnectionFailed', FATAL)
    assert 'endpoint_url' in caught.value.message


# ---------------------------------------------------------------------- options
@pytest.mark.parametrize(
    'url, expected',
    [
        (None, None),
        ('', None),
        ('http://127.0.0.1:8080', ('http', '127.0.0.1:8080')),
        ('https://cbs.internal.example.com', ('https', 'cbs.internal.example.com')),
        ('cbs.tencentcloudapi.com', ('https', 'cbs.tencentcloudapi.com')),
        ('http://127.0.0.1:8080/', ('http', '127.0.0.1:8080')),
    ],
)
def test_endpoint_url_forms(url, expected):
    assert parse_endpoint(url) == expected


@pytest.mark.parametrize('url', ['ftp://host', 'http://host/path', 'http://host:99999', 'http://'])
def test_bad_endpoint_url_is_an_input_error(url):
    with pytest.raises(InputError) as caught:
        parse_endpoint(url)
    assert caught.value.option == 'endpoint_url'


def test_missing_credentials_are_an_input_error_before_any_call():
    client = TencentClient(connection('http://127.0.0.1:9', secret_key=None), load_sdk())
    with pytest.raises(InputError) as caught:
        client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert 'TENCENTCLOUD_SECRET_KEY' in str(caught.value)


def test_validate_certs_false_turns_verification_off_in_the_sdk():
    client = TencentClient(connection('https://127.0.0.1:9', validate_certs=False), load_sdk())
    assert client.client('cbs', 'ap-guangzhou').request.conn.certification is False
    verified = TencentClient(connection('https://127.0.0.1:9'), load_sdk())
    assert verified.client('cbs', 'ap-guangzhou').request.conn.certification  # the SDK's CA bundle


def test_the_sdk_retryer_is_not_used():
    client = TencentClient(connection('http://127.0.0.1:9'), load_sdk())
    # Releases before the retryer have none at all.
    assert getattr(client.client('cbs', 'ap-guangzhou').profile, 'retryer', None) is None


def test_a_missing_sdk_fails_the_module_naming_the_packages(monkeypatch):
    def no_sdk():
        raise ImportError('No module named tencentcloud')

    monkeypatch.setattr(_cbs, 'load_sdk', no_sdk)
    params = dict(connection('http://127.0.0.1:9'), check_mode=False)
    with pytest.raises(ModuleExit) as caught:
        new_adapter(FakeModule(params), CbsAdapter, params, None)
    assert caught.value.failed and 'tencentcloud-sdk-python-cbs' in caught.value.result['msg']
