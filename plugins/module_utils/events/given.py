# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the event source has given: the state file (GivenSnapshots), the events it gives, and what it gives again after
a restart (replay_at_start)."""

from __future__ import annotations

import datetime
import json
import logging
import os
import tempfile
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..core.model import parse_time

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .settings import SourceSettings

LOG = logging.getLogger('snapcopy.cloud.snapshots')

STATE_VERSION = 1
# How long a given snapshot that a listing no longer shows (deleted, or its disk untagged) stays in the state file: a
# listing that missed it for a while (a disk untagged and tagged again) does not give it again within that time.
FORGET_AFTER = datetime.timedelta(days=7)


class GivenSnapshots:
    """The snapshots already put on the queue, kept in the state file (None: in memory only).

    The file is JSON: the provider and region it is for, per snapshot id when it was given (``given``: the replay window
    counts from it) and, where the event said otherwise, its ``completed_at`` (a replay repeats the event as first
    given). Files written before ``completed_at`` was kept read as though each snapshot completed when it was given. It
    is written to a temporary file beside it and renamed over it, so that a kill leaves the old file or the new one,
    never half of one.
    """

    def __init__(self, path: str | None, provider: str, region: str) -> None:
        self.path = path
        self.provider = provider
        self.region = region
        self.given: dict[str, str] = {}
        self.completed: dict[str, str] = {}
        self.existed = False
        if path is not None and os.path.exists(path):
            self.existed = True
            self._load(path)

    def _load(self, path: str) -> None:
        try:
            with open(path, encoding='utf-8') as stream:
                data = json.load(stream)
        except (OSError, ValueError) as error:
            raise InputError('state_file', 'cannot be read (%s): move it away to start afresh' % error) from None
        if (
            not isinstance(data, dict)
            or data.get('version') != STATE_VERSION
            or not isinstance(data.get('given'), dict)
        ):
            raise InputError('state_file', '%s is not a state file of snapcopy.cloud.snapshots' % path)
        if (data.get('provider'), data.get('region')) != (self.provider, self.region):
            raise InputError(
                'state_file',
                '%s is the state of provider %s, region %s: give each source a file of its own'
                % (path, data.get('provider'), data.get('region')),
            )
        self.given = {str(key): str(value) for key, value in data['given'].items()}
        completed = data.get('completed_at')
        self.completed = (
            {str(key): str(value) for key, value in completed.items() if key in self.given}
            if isinstance(completed, dict)
            else {}
        )

    def __contains__(self, snapshot_id: object) -> bool:
        return snapshot_id in self.given

    def add(self, snapshot_ids: Iterable[str], when: str, completed_at: str | None = None) -> None:
        """Name ``snapshot_ids`` as given at ``when``, their events saying ``completed_at`` (default: ``when``)."""
        for snapshot_id in snapshot_ids:
            if snapshot_id not in self.given:
                self.given[snapshot_id] = when
                if completed_at is not None and completed_at != when:
                    self.completed[snapshot_id] = completed_at

    def completed_at(self, snapshot_id: str) -> str | None:
        """The completed_at of the event given for ``snapshot_id`` (None: not given)."""
        return self.completed.get(snapshot_id) or self.given.get(snapshot_id)

    def snapshot(self) -> tuple[dict[str, str], dict[str, str]]:
        """What is given now, to restore (``restore``) when a change cannot be written."""
        return dict(self.given), dict(self.completed)

    def restore(self, state: tuple[dict[str, str], dict[str, str]]) -> None:
        self.given, self.completed = dict(state[0]), dict(state[1])

    def given_since(self, cut: datetime.datetime) -> set[str]:
        """The snapshots given at ``cut`` or later."""
        return {key for key, value in self.given.items() if (parse_time(value) or cut) >= cut}

    def forget_unlisted(self, snapshot_ids: Iterable[str], now: datetime.datetime) -> None:
        """Forget the snapshots given more than FORGET_AFTER ago that a complete listing no longer shows (deleted, or of
        a disk no longer tagged): the file does not grow for ever. One that shows again later is given again: at least
        once."""
        listed = set(snapshot_ids)
        cut = now - FORGET_AFTER
        self.given = {
            key: value for key, value in self.given.items() if key in listed or (parse_time(value) or now) > cut
        }
        self.completed = {key: value for key, value in self.completed.items() if key in self.given}

    def save(self) -> None:
        if self.path is None:
            return
        folder = os.path.dirname(self.path)
        data = {
            'version': STATE_VERSION,
            'provider': self.provider,
            'region': self.region,
            'given': dict(sorted(self.given.items())),
            'completed_at': dict(sorted(self.completed.items())),
        }
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(self.path), dir=folder)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                json.dump(data, stream, indent=0)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


# ------------------------------------------------------------------ the events
def snapshot_event(provider: str, region: str, disk_id: str, snapshot_id: str, completed_at: str) -> dict[str, Any]:
    """One event, as the rulebook reads it: ``event.snapcopy``."""
    return {
        'snapcopy': {
            'provider': provider,
            'region': region,
            'disk_id': disk_id,
            'snapshot_id': snapshot_id,
            'completed_at': completed_at,
        }
    }


def replay_at_start(given: GivenSnapshots, settings: SourceSettings, now: datetime.datetime | None = None) -> set[str]:
    """The snapshots an earlier life of the source gave in the last ``replay_seconds`` before ``now``: given again at
    the start. (Without an earlier state there is nothing to give again: SnapshotPoller.baseline_events reads the cloud
    instead.)"""
    if not given.existed or not settings.replay_seconds:
        return set()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    replay = given.given_since(now - datetime.timedelta(seconds=settings.replay_seconds))
    if replay:
        LOG.info(
            '%s %s: %d snapshot(s) given in the last %g s before this start are given again (replay_seconds): the '
            'rulebook may have lost them',
            settings.provider,
            settings.region,
            len(replay),
            settings.replay_seconds,
        )
    return replay


def record_given(given: GivenSnapshots, events: list[dict[str, Any]], when: str) -> None:
    """Name the events' snapshots in the state file as given at ``when``, each with its completed_at (a replay after a
    restart repeats the same event). If the file cannot be written, they are taken out again: the next poll gives
    them."""
    before = given.snapshot()
    for event in events:
        given.add((event['snapcopy']['snapshot_id'],), when, event['snapcopy']['completed_at'])
    try:
        given.save()
    except BaseException:
        given.restore(before)
        raise
