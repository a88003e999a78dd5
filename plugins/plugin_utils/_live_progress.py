# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_sync's live progress, on the controller: the module runs in a thread of the action while the action prints, every
``interval`` seconds, a line made of the progress file the module keeps (module_utils/core/progress.py).

A fleet (fleet_progress) prints one line for all its scopes instead of one per scope. Each scope's worker keeps a file
on a board (a folder of the controller's temporary folder, one per ansible-playbook process: the workers are its
children) saying whether it runs, is done or failed, with its progress; the worker that holds the board's lock prints
the fleet's line, and hands the lock on when its scope ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.progress import PROGRESS_FILE_VARIABLE
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import write_file

RUNNING, OK, FAILED = 'running', 'ok', 'failed'
# At most this many DR regions in a line; the rest are counted.
MAX_REGIONS = 3


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process of that number
        return True
    return True


def ours(folder: str) -> bool:
    """Whether ``folder`` is a folder of this user, not a link: in the shared temporary folder, one that another user
    made (or a link to elsewhere) is neither written in nor cleared."""
    status = os.lstat(folder)
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid()


def read_json(path: str) -> Any:
    """The JSON in ``path``, or None while there is none yet (or it is being replaced)."""
    try:
        with open(path, encoding='utf-8') as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def copies_text(state: Mapping[str, Any] | None) -> str:
    """The copies of a run's progress ``state``: per DR region, then the slowest copy in flight."""
    parts: list[str] = []
    regions = sorted((state or {}).get('regions', {}).items())
    for region, counts in regions[:MAX_REGIONS]:
        words = ['%s %d of %d done' % (region, counts['done'], counts['copies'])]
        if counts['already_there']:
            words[0] += ' (%d already there)' % counts['already_there']
        labels = (('in_flight', 'in flight'), ('failed', 'failed'), ('not_started', 'not started'))
        words.extend('%d %s' % (counts[key], label) for key, label in labels if counts[key])
        parts.append(', '.join(words))
    if len(regions) > MAX_REGIONS:
        parts.append('%d more DR regions' % (len(regions) - MAX_REGIONS))
    slowest = (state or {}).get('slowest')
    if slowest:
        parts.append('slowest %s in %s at %d%%' % (slowest['snapshot_id'], slowest['region'], slowest['progress']))
    return ' - '.join(parts)


def run_line(state: Mapping[str, Any] | None, elapsed: float) -> str:
    """What one run is doing, from its progress ``state`` (None before the module has written any)."""
    phase = (state or {}).get('phase') or 'starting'
    copies = copies_text(state)
    return '%d s, %s%s' % (elapsed, phase, ' - ' + copies if copies else '')


def progress_line(scope: str, title: str, state: Mapping[str, Any] | None, elapsed: float) -> str:
    return 'progress [%s] %s, %s' % (scope, title, run_line(state, elapsed))


def fleet_line(records: Mapping[str, dict[str, Any]], scopes: list[str], now: float) -> str:
    """One line for the fleet: how many of ``scopes`` are done, failed, running and not started, by the board's
    ``records`` ({scope: record}); and the running scope with the most copies still to do."""
    counts = dict.fromkeys((OK, FAILED, RUNNING), 0)
    running: list[tuple[int, str, dict[str, Any]]] = []
    for scope in scopes:
        record = records.get(scope)
        if record is None:
            continue
        counts[record['state']] = counts.get(record['state'], 0) + 1
        if record['state'] == RUNNING:
            to_do = sum(
                region['copies'] - region['done']
                for region in ((record.get('progress') or {}).get('regions') or {}).values()
            )
            running.append((to_do, scope, record))
    waiting = len(scopes) - sum(counts.values())
    line = 'fleet progress - %d of %d scopes done, %d failed, %d running, %d not started' % (
        counts[OK],
        len(scopes),
        counts[FAILED],
        counts[RUNNING],
        waiting,
    )
    if running:
        dummy, scope, record = max(running, key=lambda item: item[0])  # the first of those with the most to do
        line += '; furthest behind %s (%s), %s' % (
            scope,
            record['title'],
            run_line(record.get('progress'), now - record['started']),
        )
    return line


class FleetBoard:
    """The fleet's board: one file per scope, and a lock for the one that prints."""

    def __init__(self, scope: str, *, scopes: Iterable[str], title: str, folder: str | None = None) -> None:
        self.scope = scope
        self.scopes = list(scopes)
        self.title = title
        self.folder = folder or os.path.join(
            tempfile.gettempdir(), 'snapcopy-fleet-%d' % os.getuid(), str(os.getppid())
        )
        self.started = time.time()
        self._lock: int | None = None

    def _path(self, scope: str) -> str:
        return os.path.join(
            self.folder,
            '%s.json' % ''.join(character if character.isalnum() or character in '._-' else '_' for character in scope),
        )

    def sweep(self) -> None:
        """Clear the boards of ansible-playbook processes that are gone (a fleet run killed before its end)."""
        parent = os.path.dirname(self.folder)
        with contextlib.suppress(OSError):
            if not ours(parent):
                return
            for name in os.listdir(parent):
                if name.isdigit() and os.path.join(parent, name) != self.folder and not process_alive(int(name)):
                    shutil.rmtree(os.path.join(parent, name), ignore_errors=True)

    def write(self, state: str, progress: Mapping[str, Any] | None = None) -> None:
        record = {
            'scope': self.scope,
            'state': state,
            'title': self.title,
            'started': self.started,
            'progress': progress,
        }
        try:
            for folder in (os.path.dirname(self.folder), self.folder):
                os.makedirs(folder, mode=0o700, exist_ok=True)
                if not ours(folder):
                    return
            write_file(self._path(self.scope), json.dumps(record), 0o600)
        except OSError:
            pass

    def records(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for scope in self.scopes:
            record = read_json(self._path(scope))
            if record is not None and record.get('scope') == scope:
                found[scope] = record
        return found

    def may_print(self) -> bool:
        """Whether this scope prints the fleet's line: it holds the board's lock (taken when free)."""
        if self._lock is not None:
            return True
        import fcntl  # pylint: disable=import-outside-toplevel  # a controller is POSIX; only fleets lock

        try:
            descriptor = os.open(os.path.join(self.folder, '.printer'), os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return False
        self._lock = descriptor  # held until close(), or the worker's end
        return True

    def close(self, state: str) -> None:
        """The scope's end: its record says how it ended; the lock is handed on; the last scope clears the board."""
        self.write(state)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        records = self.records()
        if all(records.get(scope, {}).get('state') in (OK, FAILED) for scope in self.scopes):
            shutil.rmtree(self.folder, ignore_errors=True)


class LiveProgress:
    """Runs ``call`` (the module) in a thread and prints a progress line every ``interval`` seconds until it ends."""

    def __init__(
        self,
        display: Any,
        scope: str,
        *,
        title: str,
        interval: float,
        show_own: bool = True,
        board: FleetBoard | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.display = display
        self.scope = scope
        self.title = title
        self.interval = interval
        self.show_own = show_own
        self.board = board
        self.clock = clock

    def run(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        handle, path = tempfile.mkstemp(prefix='snapcopy-progress-', suffix='.json')
        os.close(handle)
        earlier = os.environ.get(PROGRESS_FILE_VARIABLE)
        os.environ[PROGRESS_FILE_VARIABLE] = path  # the module's process (a local connection) inherits it
        ended: dict[str, Any] = {}

        def work() -> None:
            try:
                ended['result'] = call()
            except BaseException as error:  # pylint: disable=broad-exception-caught  # raised again in the action's thread
                ended['error'] = error

        started = self.clock()
        thread = threading.Thread(target=work, name='snapcopy dr_sync module', daemon=True)
        try:
            if self.board is not None:
                self.board.sweep()
                self.board.write(RUNNING)
            thread.start()
            while thread.is_alive():
                thread.join(self.interval)
                if thread.is_alive():
                    self._tick(read_json(path), self.clock() - started)
        finally:
            # After an interrupt the thread is not waited for: the module's process got the signal too.
            if earlier is None:
                os.environ.pop(PROGRESS_FILE_VARIABLE, None)
            else:
                os.environ[PROGRESS_FILE_VARIABLE] = earlier
            with contextlib.suppress(OSError):
                os.unlink(path)
            if self.board is not None:
                # A run with failures counts as failed, also when the role fails it only after its report.
                result = ended.get('result') or {}
                self.board.close(
                    OK if 'result' in ended and not result.get('failed') and not result.get('failures') else FAILED
                )
        if 'error' in ended:
            raise ended['error']
        finished: dict[str, Any] = ended['result']
        return finished

    def _tick(self, state: Mapping[str, Any] | None, elapsed: float) -> None:
        if self.show_own:
            self.display.display(progress_line(self.scope, self.title, state, elapsed))
        if self.board is not None:
            self.board.write(RUNNING, state)
            if self.board.may_print():
                self.display.display(fleet_line(self.board.records(), self.board.scopes, time.time()))
