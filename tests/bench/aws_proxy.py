"""A small HTTP proxy in front of moto's server that gives EBS copies the two traits moto lacks.

* A copy takes ``copy_seconds``: DescribeSnapshots answers show a new copy as ``pending`` (with a
  progress that grows) until then; moto itself completes copies at once.
* At most ``max_in_flight`` copies are in flight per account and region: CopySnapshot answers
  ``ResourceLimitExceeded`` to one more, as EBS does. The account of a call is that of its keys:
  the proxy reads it from the answers of STS AssumeRole that pass through it (a fleet's scopes
  reach their accounts by role); any other keys count as one account of their own.

Every call waits ``latency_ms`` before it is passed on, and is counted per region and action (the form's Action, or
X-Amz-Target's of a JSON API as Organizations; a CopySnapshot with DryRun as ``CopySnapshot (DryRun)``) (GET
/_bench/calls; POST /_bench/reset forgets the counts and the copies in flight). Everything else goes to moto unchanged.
Used by tests/bench/bench.py; listens on 127.0.0.1 only.

Usage: python tests/bench/aws_proxy.py MOTO_URL [--latency-ms 20] [--copy-seconds 5] [--max-in-flight 20]
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import itertools
import json
import re
import sys
import threading
import time
import urllib.parse
from xml.etree import ElementTree

EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15'
# The key and the region: the first and third fields of the SigV4 credential scope, KEY/DATE/REGION/ec2/aws4_request.
SCOPE = re.compile(r'Credential=([^/]+)/\d{8}/([a-z0-9-]+)/')
# What an AssumeRole answer says: the temporary key and the role's account.
ASSUMED_KEY = re.compile(rb'<AccessKeyId>([^<]+)</AccessKeyId>')
ASSUMED_ACCOUNT = re.compile(rb'<Arn>arn:aws[a-z-]*:sts::(\d{12}):assumed-role/')
OWN_ACCOUNT = '(own keys)'
LIMIT_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>ResourceLimitExceeded</Code>'
    '<Message>You have reached the maximum number of concurrent snapshot copies (%d) in %s.</Message>'
    '</Error></Errors><RequestID>bench-proxy-%d</RequestID></Response>'
)

ElementTree.register_namespace('', EC2_NS)


class CopyTracker:
    """Copies started through the proxy, per region, and the call counts."""

    def __init__(self, copy_seconds, max_in_flight):
        self.copy_seconds = copy_seconds
        self.max_in_flight = max_in_flight
        self.lock = threading.Lock()
        self.started = {}  # snapshot id -> start time
        self.regions = {}  # (account, region) -> {snapshot id or reservation: start time}
        self.accounts = {}  # temporary key -> account, from AssumeRole answers
        self.calls = {}  # region -> action -> {'calls': n, 'errors': n}
        self.refused = 0
        self.tokens = itertools.count()

    def reset(self):
        with self.lock:
            self.started, self.regions, self.calls, self.refused, self.accounts = {}, {}, {}, 0, {}

    def learn_account(self, answer):
        """Remember whose key an AssumeRole answer hands out."""
        key, account = ASSUMED_KEY.search(answer), ASSUMED_ACCOUNT.search(answer)
        if key and account:
            with self.lock:
                self.accounts[key.group(1).decode()] = account.group(1).decode()

    def account_of(self, key):
        with self.lock:
            return self.accounts.get(key, OWN_ACCOUNT)

    def count(self, region, action, error=False):
        with self.lock:
            entry = self.calls.setdefault(region, {}).setdefault(action, {'calls': 0, 'errors': 0})
            entry['calls'] += 1
            entry['errors'] += int(error)

    def reserve(self, destination_outcome):
        """A slot for a new copy in ``place`` (account, region): a token, or None when ``max_in_flight`` are under
        way."""
        now = time.monotonic()
        with self.lock:
            slots = self.regions.setdefault(destination_outcome, {})
            for key in [key for key, start in slots.items() if now - start >= self.copy_seconds]:
                del slots[key]
            if len(slots) >= self.max_in_flight:
                self.refused += 1
                return None
            token = 'reservation-%d' % next(self.tokens)
            slots[token] = now
            return token

    def settle(self, destination_outcome, token, snapshot_id):
        """Turn a reservation into the copy moto made (or free it when moto made none)."""
        with self.lock:
            start = self.regions.get(destination_outcome, {}).pop(token, None)
            if snapshot_id and start is not None:
                self.regions[destination_outcome][snapshot_id] = start
                self.started[snapshot_id] = start

    def pending_progress(self, snapshot_id):
        """The progress (0-99) of a copy still in flight, or None when it is done or not ours."""
        start = self.started.get(snapshot_id)
        if start is None:
            return None
        elapsed = time.monotonic() - start
        return None if elapsed >= self.copy_seconds else int(100 * elapsed / self.copy_seconds)


def rewrite_describe(body, tracker):
    """DescribeSnapshots' XML with our copies still in flight shown as pending."""
    if not tracker.started:
        return body
    root = ElementTree.fromstring(body)
    changed = False
    for item in root.iterfind('{%s}snapshotSet/{%s}item' % (EC2_NS, EC2_NS)):
        progress = tracker.pending_progress(item.findtext('{%s}snapshotId' % EC2_NS))
        if progress is not None:
            item.find('{%s}status' % EC2_NS).text = 'pending'
            item.find('{%s}progress' % EC2_NS).text = '%d%%' % progress
            changed = True
    return ElementTree.tostring(root, encoding='utf-8', xml_declaration=True) if changed else body


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin  # signature set by http.server
        pass

    def do_GET(self):  # pylint: disable=invalid-name  # name set by http.server
        if self.path.startswith('/_bench/calls'):
            tracker = self.server.tracker
            with tracker.lock:
                body = json.dumps({'calls': tracker.calls, 'refused_copies': tracker.refused}).encode()
            return self._answer(200, body, 'application/json')
        return self._forward(b'')

    def do_POST(self):  # pylint: disable=invalid-name  # name set by http.server
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self.path.startswith('/_bench/reset'):
            self.server.tracker.reset()
            return self._answer(200, b'{}', 'application/json')
        return self._forward(body)

    def _answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, body):
        tracker = self.server.tracker
        form = urllib.parse.parse_qs(body.decode('utf-8', 'replace')) if body else {}
        # Query APIs (EC2, STS) name the action in the form; JSON ones (Organizations) in X-Amz-Target, Service.Action.
        target = (self.headers.get('X-Amz-Target') or '').rpartition('.')[2]
        action = (form.get('Action') or [target or '(other)'])[0]
        if action == 'CopySnapshot' and (form.get('DryRun') or [''])[0] == 'true':
            # A dry run copies nothing (dr_sync's check mode, the plan's preflight): counted apart, no slot taken.
            action = 'CopySnapshot (DryRun)'
        match = SCOPE.search(self.headers.get('Authorization') or '')
        key, region = match.groups() if match else ('(none)', '(none)')
        destination_outcome = (tracker.account_of(key), region)
        time.sleep(self.server.latency)
        token = None
        if action == 'CopySnapshot':
            token = tracker.reserve(destination_outcome)
            if token is None:
                tracker.count(region, action, error=True)
                return self._answer(
                    400, (LIMIT_ERROR % (tracker.max_in_flight, region, time.monotonic_ns())).encode(), 'text/xml'
                )
        status, headers, answer = self._ask_moto(body)
        snapshot_id = None
        if token is not None:
            if status == 200:
                snapshot_id = ElementTree.fromstring(answer).findtext('{%s}snapshotId' % EC2_NS)
            tracker.settle(destination_outcome, token, snapshot_id)
        if action == 'DescribeSnapshots' and status == 200:
            answer = rewrite_describe(answer, tracker)
        elif action == 'AssumeRole' and status == 200:
            tracker.learn_account(answer)
        tracker.count(region, action, error=status >= 400)
        return self._answer(status, answer, headers.get('Content-Type') or 'text/xml')

    def _ask_moto(self, body):
        connection = http.client.HTTPConnection(self.server.moto_host, self.server.moto_port, timeout=120)
        try:
            headers = {
                name: value for name, value in self.headers.items() if name.lower() not in ('host', 'content-length')
            }
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


class ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, moto_url, latency_ms, copy_seconds, max_in_flight):
        super().__init__(('127.0.0.1', 0), ProxyHandler)
        parts = urllib.parse.urlsplit(moto_url)
        self.moto_host, self.moto_port = parts.hostname, parts.port
        self.latency = latency_ms / 1000.0
        self.tracker = CopyTracker(copy_seconds, max_in_flight)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('moto_url')
    parser.add_argument('--latency-ms', type=float, default=20)
    parser.add_argument('--copy-seconds', type=float, default=5)
    parser.add_argument('--max-in-flight', type=int, default=20)
    args = parser.parse_args(argv)
    server = ProxyServer(args.moto_url, args.latency_ms, args.copy_seconds, args.max_in_flight)
    print('AWS_PROXY_READY http://127.0.0.1:%d' % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main(sys.argv[1:])
