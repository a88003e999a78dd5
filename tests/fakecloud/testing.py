"""Running the emulator from tests: ``FakeCloudProcess`` (a subprocess) and ``AdminClient``."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

READY_PREFIX = 'FAKECLOUD_READY '
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AdminError(RuntimeError):
    """An /_admin/ request that the emulator refused."""


class AdminClient:
    """Small urllib client for the /_admin/ endpoints (no proxies: always talks to 127.0.0.1)."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip('/')
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(self, method: str, name: str, payload: dict | None = None, query: str = '') -> dict:
        data = json.dumps(payload).encode('utf-8') if payload is not None else None
        req = urllib.request.Request(
            '%s/_admin/%s%s' % (self.url, name, '?' + query if query else ''),
            data=data,
            method=method,
            headers={'Content-Type': 'application/json'},
        )
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode('utf-8'))
        except urllib.error.HTTPError as err:
            raise AdminError('%s /_admin/%s: %s %s' % (method, name, err.code, err.read().decode('utf-8'))) from err

    def health(self) -> dict:
        return self.request('GET', 'health')

    def seed(self, payload: dict | None = None, **clouds) -> dict:
        """Add resources: ``seed({'ecs': {'disks': [...]}})`` or ``seed(ecs={...})``; answers created ids."""
        return self.request('POST', 'seed', dict(payload or {}, **clouds))['created']

    def state(self, cloud: str | None = None, region: str | None = None) -> dict:
        query = '&'.join('%s=%s' % (k, v) for k, v in (('cloud', cloud), ('region', region)) if v)
        return self.request('GET', 'state', query=query)

    def calls(self, reset: bool = False) -> dict:
        return self.request('POST', 'calls', {'reset': True}) if reset else self.request('GET', 'calls')

    def wait_until_quiet(self, timeout: float = 30) -> None:
        """Return once no cloud call is being carried out (a slow one has landed), or fail after ``timeout`` seconds: a
        test waits for the emulator, not for a while that a busy machine may outlast."""
        deadline = time.monotonic() + timeout
        while self.calls()['in_progress']:
            if time.monotonic() > deadline:
                raise AdminError('fakecloud still carries out a call after %s s' % timeout)
            time.sleep(0.02)

    def reset(self, keep_config: bool = False) -> dict:
        return self.request('POST', 'reset', {'keep_config': keep_config})

    def configure(self, settings: dict | None = None, **kwargs) -> dict:
        return self.request('POST', 'config', dict(settings or {}, **kwargs))['config']

    def config(self) -> dict:
        return self.request('GET', 'config')['config']

    def faults(self, settings: dict | None = None, merge: bool = False, **kwargs) -> dict:
        """Replace the fault settings (or merge them key by key with ``merge=True``); ``faults({})`` clears
        them all and ``faults()`` just answers the current ones."""
        if settings is None and not kwargs:
            return self.request('GET', 'faults')['faults']
        body = dict(settings or {}, **kwargs)
        if merge:
            body['merge'] = True
        return self.request('POST', 'faults', body)['faults']

    def advance_clock(self, seconds: float) -> dict:
        return self.request('POST', 'clock', {'advance': seconds})

    def freeze_clock(self, frozen: bool = True) -> dict:
        """Stop (or restart) the emulator's clock; while stopped only ``advance_clock`` moves it."""
        return self.request('POST', 'clock', {'freeze': frozen})

    def meter(self, cloud: str | None = None) -> dict:
        """What the copies moved and stored (meter.py): {cloud: {region: {full, incremental, bytes_moved,
        bytes_stored}}}, of ``cloud`` only when named."""
        return self.request('GET', 'meter', query='cloud=%s' % cloud if cloud else '')['meter']

    def write(self, cloud: str, disk_id: str, rewritten: int, written: int | None = None) -> dict:
        """The disk rewrites ``rewritten`` bytes of its data (its next snapshots hold them); with ``written``, it holds
        that much data from now on."""
        payload = {'cloud': cloud, 'disk_id': disk_id, 'bytes': rewritten}
        if written is not None:
            payload['written_bytes'] = written
        return self.request('POST', 'write', payload)


class FakeCloudProcess:
    """The emulator in a subprocess on an ephemeral port, for the length of a ``with`` block.

    >>> with FakeCloudProcess() as cloud:
    ...     cloud.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]})

    ``startup_timeout`` is a hang guard: the emulator is ready in about a second alone, and a busy two-core machine
    makes that many times longer; the wait ends as soon as it is ready, or as soon as it exits.
    """

    def __init__(
        self,
        config_path: str | None = None,
        startup_timeout: float = 300.0,
        stop_timeout: float = 5.0,
        python: str | None = None,
        extra_args: list | None = None,
    ):
        self.config_path = config_path
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.python = python or sys.executable
        self.extra_args = list(extra_args or [])
        self.process: subprocess.Popen | None = None
        self.url = ''
        self.port = 0
        self.host = '127.0.0.1'
        self.admin: AdminClient | None = None

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``, the form both SDKs take as an endpoint."""
        return '%s:%d' % (self.host, self.port)

    def start(self) -> FakeCloudProcess:
        # ansible-test units runs each test in a forked process that ends without the session's teardown:
        # the emulator then ends with the process that started it instead of outliving the run.
        cmd = [self.python, '-m', 'fakecloud', '--port', '0', '--exit-with-parent', *self.extra_args]
        if self.config_path:
            cmd += ['--config', self.config_path]
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [_PACKAGE_PARENT, env.get('PYTHONPATH')]))
        env['PYTHONUNBUFFERED'] = '1'
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)  # pylint: disable=consider-using-with
        lines: queue.Queue = queue.Queue()
        # Read stdout in a thread so a silent or hung child cannot block us past the timeout.
        threading.Thread(target=self._pump, args=(self.process.stdout, lines), daemon=True).start()
        try:
            while True:
                line = lines.get(timeout=self.startup_timeout)
                if line is None:
                    raise RuntimeError('fakecloud exited before it was ready (exit code %s)' % self.process.wait())
                if line.startswith(READY_PREFIX):
                    break
        except queue.Empty:
            self.stop()
            raise RuntimeError('fakecloud did not start within %.0f s' % self.startup_timeout) from None
        except BaseException:
            self.stop()
            raise
        self.url = line[len(READY_PREFIX) :].strip()
        self.host, port = self.url.rsplit('/', 1)[-1].rsplit(':', 1)
        self.port = int(port)
        self.admin = AdminClient(self.url)
        return self

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    def stop(self) -> None:
        """Terminate exactly our child; kill it if it does not go within ``stop_timeout``."""
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=self.stop_timeout)
        if proc.stdout:
            proc.stdout.close()

    def __enter__(self) -> FakeCloudProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
