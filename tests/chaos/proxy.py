"""A small HTTP proxy on 127.0.0.1 for the chaos suite: it forwards every request to one backend.

Two uses:

* in front of moto's server, it injects the faults that EC2 throws and moto does not: throttling
  (``RequestLimitExceeded``, HTTP 503, as EC2 answers it), server errors (``InternalError`` 500,
  ``Unavailable`` 503), an answer lost after a mutating call was carried out (the request is
  forwarded, moto's answer is read, and the connection is closed without a word), and answers
  slower than the client's timeout (held back before they are forwarded, so the change lands
  after the client gave up). It also keeps a ledger of what each CopySnapshot that moto carried
  out was asked to copy, which is how the suite counts copies per source without trusting the
  tags the collection writes;
* with a TLS context, it is an HTTPS endpoint with a self-signed certificate in front of an
  emulator (the TLS test).

Every chance decision comes from one seeded ``random.Random``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers that belong to one hop, not to the request.
HOP_HEADERS = {
    'connection',
    'keep-alive',
    'proxy-connection',
    'transfer-encoding',
    'te',
    'trailer',
    'upgrade',
    'content-length',
}
# EC2 actions that change something: an answer to one of these may be lost after it was carried out.
AWS_MUTATING = {
    'CopySnapshot',
    'CreateSnapshot',
    'DeleteSnapshot',
    'CreateTags',
    'DeleteTags',
    'CreateVolume',
    'DeleteVolume',
    'ModifySnapshotAttribute',
}
# The region is the third field of the SigV4 credential scope: KEY/DATE/REGION/ec2/aws4_request.
SCOPE = re.compile(r'Credential=[^/]+/\d{8}/([a-z0-9-]+)/')
EC2_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
    '</Error></Errors><RequestID>%s</RequestID></Response>'
)
# What EC2 answers when it throttles or fails on its side.
THROTTLE = ('RequestLimitExceeded', 'Request limit exceeded.', 503)
SERVER_ERRORS = (
    ('InternalError', 'An internal error has occurred.', 500),
    ('Unavailable', 'The server is overloaded and can\'t handle the request.', 503),
)


class AwsFaults:
    """The fault settings and the ledger of the proxy in front of moto. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rng = random.Random(0)
        self.settings = {}
        self.calls = {}
        self.copies = {}
        # Every call in the order it arrived: what the proxy did with it and when (seconds since the ledger was reset), so
        # that a duplicate the suite counts can be traced to the calls that made it.
        self.timeline = []
        self.started = time.monotonic()
        # The mutating calls that moto is to carry out and has not answered yet, by their place in the order of arrival,
        # and the condition a look-up waits on (see hold_reads).
        self.arrivals = 0
        self.under_way = set()
        self.landed = threading.Condition(self.lock)
        self.configure({})

    def configure(self, settings):
        """Replace the settings: seed, throttle_rate, error_rate, lost_answer_rate, slow_rate, slow_seconds."""
        with self.lock:
            self.settings = {
                'throttle_rate': 0.0,
                'error_rate': 0.0,
                'lost_answer_rate': 0.0,
                'slow_rate': 0.0,
                'slow_seconds': 0.0,
            }
            unknown = set(settings) - set(self.settings) - {'seed'}
            if unknown:
                raise ValueError('unknown fault settings %s' % sorted(unknown))
            self.settings.update({key: float(value) for key, value in settings.items() if key != 'seed'})
            self.rng = random.Random(settings.get('seed', 0))

    def reset_ledger(self):
        with self.lock:
            self.calls, self.copies, self.timeline = {}, {}, []
            self.started = time.monotonic()

    def arrived(self, action, region, params, delay, error, lose):
        """A call's entry in the timeline, which ``landed`` completes."""
        entry = {
            'n': None,
            'at': round(time.monotonic() - self.started, 3),
            'action': action,
            'region': region,
            'fault': 'slow' if delay else error[0] if error else 'lost' if lose else None,
        }
        if action == 'CopySnapshot':
            entry['source'] = params.get('SourceSnapshotId')
        elif action in ('DescribeSnapshots', 'CreateTags', 'DeleteTags'):
            entry['ids'] = sorted(
                value for key, value in params.items() if re.match(r'(ResourceId|SnapshotId|Filter\.\d+\.Value)\.', key)
            )[:5]
        with self.lock:
            entry['n'] = self.arrivals
            self.arrivals += 1
            if action in AWS_MUTATING and error is None:
                self.under_way.add(entry['n'])
            self.timeline.append(entry)
        return entry

    def answered(self, entry, status, body=b''):
        entry['done'] = round(time.monotonic() - self.started, 3)
        entry['status'] = status
        match = re.search(rb'<snapshotId>([^<]+)</snapshotId>', body or b'')
        if entry['action'] == 'CopySnapshot' and match:
            entry['copy'] = match.group(1).decode()

    def _chance(self, key):
        rate = self.settings[key]
        return rate > 0 and self.rng.random() < rate

    def decide(self, action):
        """What happens to one call: (delay in seconds, an error to answer or None, whether to lose the answer)."""
        with self.lock:
            delay = self.settings['slow_seconds'] if self._chance('slow_rate') else 0.0
            error = None
            if self._chance('throttle_rate'):
                error = THROTTLE
            elif self._chance('error_rate'):
                error = self.rng.choice(SERVER_ERRORS)
            lose = error is None and action in AWS_MUTATING and self._chance('lost_answer_rate')
            return delay, error, lose

    def carried_out(self, entry):
        """Moto answered the mutating call of ``entry`` (or the proxy refused it): the look-ups behind it may go on."""
        with self.lock:
            self.under_way.discard(entry['n'])
            self.landed.notify_all()

    def hold_reads(self, entry, timeout=120):
        """A DescribeSnapshots (``entry``) waits until every mutating call that reached the proxy before it has been
        carried out. The engine looks a copy up only after waiting twice the client's timeout (core.errors.SETTLE_TIMEOUTS),
        on the premise that a call the cloud will carry out has landed by then; a slow answer is held 3.5 s against a
        2 s timeout, and on a loaded machine moto itself may carry a call out seconds late: such a call could land after
        the look-up all the same, and the leg counted a duplicate at random (CI, 2026-11-26: a CopySnapshot made twice
        under a load of 14). So the proxy keeps that premise itself, whatever the machine's speed: what the suite then
        shows is that the engine looks up before it resends. A copy later than the premise allows can be made twice;
        docs/reliability.md says so."""
        with self.landed:
            self.landed.wait_for(lambda: not any(number < entry['n'] for number in self.under_way), timeout=timeout)

    def count(self, action, outcome):
        with self.lock:
            entry = self.calls.setdefault(action, {})
            entry[outcome] = entry.get(outcome, 0) + 1

    def record_copy(self, region, params, status, body):
        """Remember what a CopySnapshot that moto carried out copied: {copy id: (region, source region, source id)}."""
        match = re.search(rb'<snapshotId>([^<]+)</snapshotId>', body or b'')
        if status == 200 and match:
            with self.lock:
                self.copies[match.group(1).decode()] = (
                    region,
                    params.get('SourceRegion'),
                    params.get('SourceSnapshotId'),
                )

    def report(self):
        with self.lock:
            return {
                'calls': json.loads(json.dumps(self.calls)),
                'copies': dict(self.copies),
                'timeline': list(self.timeline),
                'mutations': sum(
                    entry.get('done', 0) + entry.get('lost', 0)
                    for action, entry in self.calls.items()
                    if action in AWS_MUTATING
                ),
            }


class ProxyServer(ThreadingHTTPServer):
    """One thread per connection; forwards to ``backend`` (http://host:port). ``faults`` is an AwsFaults or None."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, backend, faults=None, ssl_context=None):
        super().__init__(('127.0.0.1', 0), ProxyHandler)
        parts = urllib.parse.urlsplit(backend)
        self.backend = (parts.hostname, parts.port)
        self.faults = faults
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)
        self.scheme = 'https' if ssl_context is not None else 'http'
        self.thread = None
        # moto's server is not thread-safe: its DescribeTags (which CopySnapshot runs to answer with the copy's tags)
        # walks every resource's tags while another thread's CreateTags changes them, and answers 500 for a copy it made
        # ("dictionary changed size during iteration"). EC2 has no such fault; the ledger would miss that copy and count
        # it unaccounted, and its disk missing. In front of moto, the proxy lets one request at a time through; the
        # faults it injects (slow answers held back before they are forwarded, lost answers, errors) are its own and
        # stay concurrent.
        self.backend_lock = threading.Lock() if faults is not None else contextlib.nullcontext()

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.server_address[1])

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        # A client that went away (a killed run, a call that timed out) is no fault of the proxy's.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class ProxyHandler(BaseHTTPRequestHandler):
    server: ProxyServer
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin  # signature set by http.server
        pass

    def do_GET(self):  # pylint: disable=invalid-name  # name set by http.server
        self._handle()

    def do_POST(self):  # pylint: disable=invalid-name  # name set by http.server
        self._handle()

    def _handle(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        faults = self.server.faults
        if faults is None or self.path.startswith('/moto-api'):
            self._answer(*self._forward(body))
            return
        params = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace')))
        action = params.get('Action', 'unknown')
        match = SCOPE.search(self.headers.get('Authorization') or '')
        region = match.group(1) if match else 'us-east-1'
        delay, error, lose = faults.decide(action)
        entry = faults.arrived(action, region, params, delay, error, lose)
        if delay:
            time.sleep(delay)
        if action == 'DescribeSnapshots':
            faults.hold_reads(entry)
        if error is not None:
            faults.count(action, 'throttled' if error is THROTTLE else 'server_error')
            code, message, status = error
            faults.answered(entry, status)
            self._answer(
                status,
                [('Content-Type', 'text/xml;charset=UTF-8')],
                (EC2_ERROR % (code, message, 'chaos-%s' % uuid.uuid4())).encode(),
            )
            return
        try:
            status, headers, answer = self._forward(body)
        finally:
            faults.carried_out(entry)
        faults.answered(entry, status, answer)
        if action == 'CopySnapshot':
            faults.record_copy(region, params, status, answer)
        if lose and status == 200:
            faults.count(action, 'lost')
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        faults.count(action, 'done' if status == 200 else 'failed')
        self._answer(status, headers, answer)

    def _forward(self, body):
        connection = http.client.HTTPConnection(*self.server.backend, timeout=120)
        try:
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_HEADERS}
            with self.server.backend_lock:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                # send_response writes its own Server and Date headers.
                return (
                    answer.status,
                    [
                        (name, value)
                        for name, value in answer.getheaders()
                        if name.lower() not in HOP_HEADERS | {'server', 'date'}
                    ],
                    answer.read(),
                )
        finally:
            connection.close()

    def _answer(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
