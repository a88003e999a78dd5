# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's progress while it works, for dr_sync's action to show as live progress lines.

The action (on the controller) names a file in PROGRESS_FILE_VARIABLE before it starts the module on a local
connection; the module rewrites that file, at once (a temporary file, then a rename), with the run's phase and its
copies per DR region; the action reads it between its waits. Without the variable (another connection, an async
task, the copy modules) Progress does nothing. Progress never fails a run: a file it cannot write is left alone.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable

PROGRESS_FILE_VARIABLE = 'SNAPCOPY_PROGRESS_FILE'
# dr_sync's progress_interval: seconds between two progress lines.
DEFAULT_PROGRESS_INTERVAL = 5
MIN_PROGRESS_INTERVAL = 1
MAX_PROGRESS_INTERVAL = 3600

# What the progress line names while the copy engine waits for its copies. A DR run's phases name themselves
# (dr.phases.sequence.PHASES).
WAITING = 'waiting for copies'

# Copies change many times a second while a run starts them (each copy call's answer): the file is rewritten at most
# this often then; a new phase and each poll of the copies are written at once.
MIN_WRITE_INTERVAL = 1.0


class Progress:
    """The run's phase and copies, written to ``path`` (None: nothing is written)."""

    def __init__(self, path: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.clock = clock
        self.phase: str | None = None
        self.copies: dict[str, Any] = {}
        self._written_at: float | None = None
        # The copy engine starts copies from several threads; each may publish.
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> Progress:
        return cls(os.environ.get(PROGRESS_FILE_VARIABLE) or None)

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.publish(force=True)

    def due(self, force: bool = False) -> bool:
        """Whether an update would be written now: the caller counts its copies only then (a run of thousands of copies
        would count them all after each copy call)."""
        return self.path is not None and (
            force or self._written_at is None or self.clock() - self._written_at >= MIN_WRITE_INTERVAL
        )

    def update_copies(self, copies: dict[str, Any], force: bool = False) -> None:
        """``copies``: {'regions': {region: counts}, 'slowest': the copy in flight least far along, or None}."""
        self.copies = copies
        self.publish(force)

    def publish(self, force: bool = False) -> None:
        if self.path is None:
            return
        with self._lock:
            now = self.clock()
            if not force and self._written_at is not None and now - self._written_at < MIN_WRITE_INTERVAL:
                return
            self._written_at = now
            self._write(dict(self.copies, phase=self.phase))

    def _write(self, state: dict[str, Any]) -> None:
        temporary = '%s.%d.tmp' % (self.path, os.getpid())
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, 'w', encoding='utf-8') as stream:
                json.dump(state, stream)
            os.replace(temporary, cast('str', self.path))
        except OSError:
            # Progress is for people watching; the run goes on without it.
            self.path = None
