# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One DR run of a scope at a time on a controller (docs/vault.md, "One run of a scope at a time"): the scope's turn.
dr_sync's action takes it, an flock on a file of the scope (provider, the account or credential where the task names
one, source region), while its module runs. ENS has neither a copy token nor tags on snapshots for a lease, so two runs
of an ENS scope at once can copy one snapshot twice; the other clouds' tokens and leases hold without it, but a scope
has one set of report files, so every cloud takes it. Between controllers (AWX jobs in their own pods) it holds nothing: there a job template
without concurrent jobs does (docs/awx.md).

An flock goes with the process that holds it: a killed run leaves no turn held behind, only the file. The word "lock" is
the cloud's snapshot lock's alone (dr.locks); the files keep the names of earlier releases (SNAPCOPY_LOCK_DIR,
~/.ansible/snapcopy/locks, dr-scope-*.lock), so that a run of an earlier release and a run of this one on one
controller still wait for each other.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import file_name_part

# Overrides the folder of the turns' files (tests; a controller whose home cannot be written).
TURNS_DIR_VARIABLE = 'SNAPCOPY_LOCK_DIR'
# What names the account a run acts in, best first: an assumed role names it; else the key; else an AWS profile.
IDENTITY_OPTIONS = (
    ('role_arn', 'alicloud_assume_role_arn'),
    ('access_key', 'alicloud_access_key', 'secret_id'),
    ('profile',),
)
# Seconds between two tries of a turn another run holds.
STEP = 1.0


class ScopeBusy(Exception):
    """Another run held the scope for all of ``waited`` seconds; ``holder`` is what it wrote in the file (may be {})."""

    def __init__(self, holder: dict[str, Any], waited: float) -> None:
        super().__init__('scope held by another run')
        self.holder, self.waited = holder, waited


def turns_dir(environ: Mapping[str, str] | None = None) -> str:
    """The folder of the turns' files: per user (~/.ansible/snapcopy/locks), so that no other user can hold or remove
    one."""
    environ = os.environ if environ is None else environ
    return environ.get(TURNS_DIR_VARIABLE) or os.path.join(os.path.expanduser('~'), '.ansible', 'snapcopy', 'locks')


def _option(arguments: Mapping[str, Any], provider: str, name: str, environ: Mapping[str, str]) -> str | None:
    """The task's ``name`` (or one of its aliases), else its environment variable, as the module would read it; None."""
    spec = PROVIDERS[provider].connection_spec.get(name)
    if spec is None:
        return None
    for key in (name, *spec.get('aliases', ())):
        if arguments.get(key) not in (None, ''):
            return str(arguments[key])
    for variable in (spec.get('fallback') or (None, ()))[1]:
        if environ.get(variable):
            return environ[variable]
    return None


def scope_identity(provider: str, arguments: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> list[str]:
    """What tells the account of a run apart, as far as the task says it (no secret: a key id, not its secret): the
    endpoint, and the first of the role, the key id, the profile that is set. Two runs that reach one account by
    different credentials are two scopes here; a scope that names none is one per provider and region."""
    environ = os.environ if environ is None else environ
    if provider not in PROVIDERS:
        return ['', '']  # the module refuses it; the turn of a scope it never runs does no harm
    account = ''
    for names in IDENTITY_OPTIONS:
        account = next(
            (value for value in (_option(arguments, provider, name, environ) for name in names) if value), ''
        )
        if account:
            break
    return [_option(arguments, provider, 'endpoint_url', environ) or '', account]


def turn_path(provider: str, source_region: str, identity: list[str], folder: str) -> str:
    """The scope's file: readable words first, then a digest of the whole key (the identity is not written out)."""
    digest = hashlib.sha256(json.dumps([provider, source_region, identity]).encode('utf-8')).hexdigest()[:16]
    words = file_name_part('%s-%s' % (provider, source_region))[:80]
    return os.path.join(folder, 'dr-scope-%s-%s.lock' % (words, digest))


class ScopeTurn:
    """The flock of one scope's file. ``clock`` and ``sleep`` time the wait (a test's own); ``on_wait(holder)`` is
    called once, when a try finds the scope held by a run that has said who it is. After acquire, ``waited_for`` is that
    run ({} when it held the scope too briefly to say), or None when the scope was free."""

    def __init__(
        self,
        path: str,
        holder: Mapping[str, Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        step: float = STEP,
        on_wait: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.path, self.holder = path, holder
        self.clock, self.sleep, self.step, self.on_wait = clock, sleep, step, on_wait
        self.handle: int | None = None
        self.waited_for: dict[str, Any] | None = None

    def acquire(self, timeout: float) -> float:
        """Take the turn; answers the seconds waited for it. ScopeBusy once ``timeout`` seconds passed with it held."""
        folder = os.path.dirname(self.path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        started = self.clock()
        self.waited_for = None
        try:
            while not self._try(handle):
                waited = self.clock() - started
                # A holder writes who it is just after it takes the turn: until then the file is empty.
                holder = self._holder(handle)
                if holder and not self.waited_for and self.on_wait is not None:
                    self.on_wait(holder)
                self.waited_for = holder or self.waited_for or {}
                if waited >= timeout:
                    raise ScopeBusy(self.waited_for, waited)
                self.sleep(max(0.0, min(self.step, timeout - waited)))
        except BaseException:
            os.close(handle)
            raise
        os.ftruncate(handle, 0)
        os.pwrite(handle, json.dumps(self.holder, sort_keys=True).encode('utf-8'), 0)
        self.handle = handle
        return 0.0 if self.waited_for is None else self.clock() - started

    @staticmethod
    def _try(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        return True

    @staticmethod
    def _holder(handle: int) -> dict[str, Any]:
        try:
            holder: dict[str, Any] = json.loads(os.pread(handle, 4096, 0).decode('utf-8') or '{}')
            return holder
        except ValueError:
            return {}

    def release(self) -> None:
        """Let the next run in. The file stays: removing it would let a waiter hold the turn on a file no one else
        opens."""
        if self.handle is not None:
            os.ftruncate(self.handle, 0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None
