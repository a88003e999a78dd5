"""The HTTP front door: routes Alibaba RPC, Tencent API 3.0 and /_admin/ requests, applies faults."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import admin, alibaba_auth, cbs, cvm, ecs, ens, organizations, ram, resourcesharing, sts, tag, tencent_auth
from .actions import Action, check_alibaba_parameters, check_tencent_parameters
from .call import Call
from .errors import CloudError

# Alibaba products are told apart by the Version parameter, Tencent ones by X-TC-Version.
ALIBABA_PRODUCTS = {
    '2014-05-26': ('ecs', ecs.ACTIONS, 'Ecs'),
    '2017-11-10': ('ens', ens.ACTIONS, 'Ens'),
    '2015-04-01': ('alibaba_sts', sts.ALIBABA_ACTIONS, 'Sts'),
    '2020-01-10': ('resourcesharing', resourcesharing.ACTIONS, 'ResourceSharing'),
    '2016-01-20': ('kms', resourcesharing.KMS_ACTIONS, 'Kms'),
    '2020-03-31': ('resourcemanager', organizations.RESOURCE_DIRECTORY_ACTIONS, 'ResourceManager'),
    '2015-05-01': ('ram', ram.ACTIONS, 'Ram'),
}
TENCENT_PRODUCTS = {
    '2017-03-12': ('cbs', cbs.ACTIONS),
    '2018-08-13': ('tag', tag.ACTIONS),
    '2021-03-31': ('organization', organizations.ORGANIZATION_ACTIONS),
}
# Tag and STS share version 2018-08-13, CBS and CVM 2017-03-12: the service the request is signed for (its credential
# scope) tells them apart.
TENCENT_SERVICES = {
    ('sts', '2018-08-13'): ('tencent_sts', sts.TENCENT_ACTIONS),
    ('cvm', '2017-03-12'): ('cvm', cvm.ACTIONS),
}
TENCENT_CLOUDS = ('cbs', 'cvm', 'tag', 'tencent_sts', 'organization')
# The service name each Tencent product signs with (TC3 credential scope).
TENCENT_SIGNING_NAME = {'cbs': 'cbs', 'cvm': 'cvm', 'tag': 'tag', 'tencent_sts': 'sts', 'organization': 'organization'}
# The Tencent services whose calls name a region (X-TC-Region), one of the CBS regions fakecloud knows.
TENCENT_REGIONAL = ('cbs', 'cvm')
# Tencent's SDK only recognises an error answer when Content-Type is exactly this.
TENCENT_CONTENT_TYPE = 'application/json'
# The vendors' API domains. A request whose Host is one of their names went to one service's endpoint: the service
# is the name's first label (cbs.tencentcloudapi.com, cbs.ap-guangzhou.tencentcloudapi.com), before any '-' on
# Alibaba (ecs.cn-hangzhou.aliyuncs.com, ecs-cn-hangzhou.aliyuncs.com, ens.aliyuncs.com, sts.aliyuncs.com): the
# SDKs' endpoint rules. Any other Host (fakecloud's own address, as endpoint_url gives it) serves every service.
ALIBABA_DOMAIN = '.aliyuncs.com'
TENCENT_DOMAIN = '.tencentcloudapi.com'


def service_of_host(host: str | None, domain: str) -> str | None:
    """The service whose endpoint ``host`` (a Host header) names, or None for a host outside ``domain``."""
    name = (host or '').rsplit(':', 1)[0].lower()
    if not name.endswith(domain):
        return None
    return name.split('.', 1)[0].split('-', 1)[0]


class FakeCloudServer(ThreadingHTTPServer):
    """One thread per connection; many clients at once, no thread outlives the server."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address, store, initial_settings: dict | None = None, verbose: bool = False):
        super().__init__(address, Handler)
        self.store = store
        self.initial_settings = initial_settings or {}
        self.verbose = verbose


def _internal(exc: BaseException) -> CloudError:
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return CloudError('InternalError', 'fakecloud: %s' % exc, 500)


def run_action(store, cloud: str, action: str, entry: Action, params: dict, region, authenticate) -> tuple:
    """Authenticate, check the parameters' names, apply faults, run the handler and count the call.
    Answers (answer, lose_answer)."""
    with store.lock:
        store.calls_in_progress += 1
    try:
        return _run_action(store, cloud, action, entry, params, region, authenticate)
    finally:
        with store.lock:
            store.calls_in_progress -= 1


def _run_action(store, cloud: str, action: str, entry: Action, params: dict, region, authenticate) -> tuple:
    handler = entry.handler
    try:
        with store.lock:
            account = authenticate()
            (check_tencent_parameters if cloud in TENCENT_CLOUDS else check_alibaba_parameters)(params, entry)
            delay = store.faults.latency(cloud, action)
        if delay:
            time.sleep(delay)  # outside the lock: a slow answer must not stall other clients
        with store.lock:
            store.faults.check_limits(cloud, action, account=account)
            injected = store.faults.injected_error(cloud, action, params)
            if injected is not None:
                raise injected
            canned = store.faults.canned_answer(cloud, action)
            if canned is not None:
                store.record_call(cloud, action, True, False, region)
                return canned, False
            now = store.now()
            store.settle(now)
            call = Call(store, cloud, action, params, region, now, account)
            try:
                answer = handler(call)
            except CloudError:
                raise
            except Exception as exc:  # pylint: disable=broad-except  # a handler bug must still answer
                raise _internal(exc) from exc
            lost = call.mutated and store.faults.lose_answer(cloud, action)
            store.record_call(cloud, action, True, call.mutated, call.log_region, params, lost, answer)
            return answer, lost
    except CloudError:
        with store.lock:
            store.record_call(cloud, action, False, False, region)
        raise


def _unflatten(pairs: list) -> dict:
    """Tencent GET parameters (``Filters.0.Values.1=x``) back into nested lists and dicts."""
    root: dict = {}
    for key, value in pairs:
        parts = key.split('.')
        node = root
        for part, nxt in zip(parts, [*parts[1:], None]):
            if nxt is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})

    def _lists(node):
        if isinstance(node, dict):
            node = {k: _lists(v) for k, v in node.items()}
            if node and all(k.isdigit() for k in node):
                return [node[k] for k in sorted(node, key=int)]
        return node

    return _lists(root)


class Handler(BaseHTTPRequestHandler):
    """Parses one request and answers in the envelope of the cloud it addressed."""

    server: FakeCloudServer
    protocol_version = 'HTTP/1.1'
    server_version = 'fakecloud/1.0'
    # Headers and body go out in separate writes; without TCP_NODELAY each answer waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True

    def date_time_string(self, timestamp=None):
        """The Date header of every answer: the emulator's clock (store.now, which /_admin/clock moves), as a cloud's
        answers carry its own time (RFC 9110 section 6.6.1: an origin server with a clock sends Date). The DR run times
        its leases by it (plugins/module_utils/core/cloud_clock.py)."""
        return super().date_time_string(self.server.store.now() if timestamp is None else timestamp)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin  # signature set by http.server
        if self.server.verbose:
            sys.stderr.write('fakecloud: ' + (format % args) + '\n')

    def do_GET(self):  # pylint: disable=invalid-name  # name set by http.server
        self._dispatch()

    def do_POST(self):  # pylint: disable=invalid-name  # name set by http.server
        self._dispatch()

    def do_DELETE(self):  # pylint: disable=invalid-name  # name set by http.server
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        split = urllib.parse.urlsplit(self.path)
        if split.path.startswith('/_admin/'):
            status, payload = admin.handle(self.server, self.command, split.path, split.query, body)
            self._send(status, json.dumps(payload).encode('utf-8'), 'application/json')
        elif self.headers.get('X-TC-Action'):
            self._tencent(split, body)
        else:
            self._alibaba(split, body)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        """The "answer lost" fault: the change is made, the client hears nothing but a closed socket."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- Alibaba RPC ------------------------------------------------------------------------------
    def _alibaba(self, split, body: bytes) -> None:
        store = self.server.store
        params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        if body and 'application/x-www-form-urlencoded' in (self.headers.get('Content-Type') or ''):
            params.update(urllib.parse.parse_qsl(body.decode('utf-8'), keep_blank_values=True))
        request_id = str(uuid.uuid4()).upper()
        cloud, actions, product = ALIBABA_PRODUCTS.get(params.get('Version', ''), ('ecs', {}, 'Ecs'))
        host_id = '%s.aliyuncs.com' % product.lower()
        try:
            if params.get('Version') not in ALIBABA_PRODUCTS:
                raise CloudError('InvalidVersion', 'Specified parameter Version is not valid.', 400)
            action = params.get('Action', '')
            served = service_of_host(self.headers.get('Host'), ALIBABA_DOMAIN)
            # Another product's endpoint knows no such api (unverifiable: the code; the gateway's for an unknown api).
            if action not in actions or served not in (None, product.lower()):
                raise CloudError(
                    'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', 404
                )
            region = params.get('RegionId') or params.get('EnsRegionId')
            answer, lost = run_action(
                store,
                cloud,
                action,
                actions[action],
                params,
                region,
                lambda: alibaba_auth.verify(store, self.command, params),
            )
        except CloudError as err:
            payload = {
                'RequestId': request_id,
                'HostId': host_id,
                'Code': err.code,
                'Message': err.message,
                'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s'
                % (err.code, product, request_id),
            }
            self._send(err.status, json.dumps(payload).encode('utf-8'), 'application/json;charset=utf-8')
            return
        if lost:
            self._drop()
            return
        answer = dict({'RequestId': request_id}, **answer)  # a canned answer may bring its own
        self._send(200, json.dumps(answer).encode('utf-8'), 'application/json;charset=utf-8')

    # -- Tencent API 3.0 --------------------------------------------------------------------------
    def _tencent(self, split, body: bytes) -> None:
        store = self.server.store
        request_id = str(uuid.uuid4())
        action = self.headers.get('X-TC-Action', '')
        region = self.headers.get('X-TC-Region') or None
        try:
            version = self.headers.get('X-TC-Version', '')
            scope = re.search(r'Credential=[^/]*/[^/]*/([\w-]+)/', self.headers.get('Authorization') or '')
            product = TENCENT_SERVICES.get((scope.group(1) if scope else '', version)) or TENCENT_PRODUCTS.get(version)
            if product is None:
                raise CloudError('NoSuchVersion', 'The requested version does not exist or is not supported.', 200)
            cloud, actions = product
            served = service_of_host(self.headers.get('Host'), TENCENT_DOMAIN)
            # Another service's endpoint has no such action (InvalidAction, API 3.0's common code; unverifiable that
            # it is the one answered rather than a signature failure).
            if action not in actions or served not in (None, TENCENT_SIGNING_NAME[cloud]):
                raise CloudError('InvalidAction', 'The requested action `%s` does not exist.' % action, 200)
            if self.command == 'GET':
                params = _unflatten(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
            else:
                try:
                    params = json.loads(body.decode('utf-8') or '{}')
                except ValueError:
                    raise CloudError('InvalidParameter', 'The request body is not valid JSON.', 200) from None
                if not isinstance(params, dict):
                    raise CloudError('InvalidParameter', 'The request body must be a JSON object.', 200)
            headers = {k.lower(): v for k, v in self.headers.items()}

            def authenticate():
                account = tencent_auth.verify(
                    store, TENCENT_SIGNING_NAME[cloud], self.command, split.path or '/', split.query, headers, body
                )
                if cloud in TENCENT_REGIONAL:
                    if not region:
                        raise CloudError(
                            'MissingParameter', 'The request is missing a required parameter `Region`.', 200
                        )
                    if not store.known_region('cbs', region):
                        raise CloudError('UnsupportedRegion', 'The region `%s` is not supported.' % region, 200)
                return account

            answer, lost = run_action(store, cloud, action, actions[action], params, region, authenticate)
        except CloudError as err:
            payload = {'Response': {'Error': {'Code': err.code, 'Message': err.message}, 'RequestId': request_id}}
            self._send(200, json.dumps(payload).encode('utf-8'), TENCENT_CONTENT_TYPE)
            return
        if lost:
            self._drop()
            return
        payload = {'Response': dict({'RequestId': request_id}, **answer)}  # a canned answer may bring its own
        self._send(200, json.dumps(payload).encode('utf-8'), TENCENT_CONTENT_TYPE)
