# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The polling way of the event source, on every cloud: each poll reads the region's disks that carry the selector's
tags (DrAdapter.find_disks) and the region's completed snapshots (CompletedSnapshotsAdapter.completed_snapshots), two
paged listings whatever the number of disks."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import InputError
from ..core.model import parse_time
from ..dr.capabilities import CompletedSnapshotsAdapter
from .given import replay_at_start, snapshot_event
from .settings import now_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.dr_model import Disk
    from ..core.model import Snapshot
    from ..dr.capabilities import DrAdapter
    from .given import GivenSnapshots
    from .settings import SourceSettings

LOG = logging.getLogger('snapcopy.cloud.snapshots')


class SnapshotPoller:
    """One poll of a region: the completed snapshots of its tagged disks not given yet, as events. Blocking (the SDKs
    are): the source runs it in a thread."""

    def __init__(
        self,
        settings: SourceSettings,
        adapter: DrAdapter,
        *,
        given: GivenSnapshots,
        clock: Callable[[], str] = now_text,
    ) -> None:
        if not isinstance(adapter, CompletedSnapshotsAdapter):
            raise InputError('provider', '%s cannot list completed snapshots' % settings.provider)
        self.settings = settings
        self.adapter = adapter
        self.given = given
        self.clock = clock
        # Without a state file from an earlier run, what has completed already is taken as given (the schedule's
        # business), unless include_existing, or it was made in the last replay_seconds (baseline_events).
        self.baseline = not given.existed and not settings.include_existing
        # What an earlier life of the source gave lately, given again at the first poll (DEFAULT_REPLAY_SECONDS).
        self.replay = replay_at_start(given, settings, parse_time(clock()))

    def read(self) -> list[Snapshot]:
        """The completed snapshots of the tagged disks, as the cloud lists them now (two paged listings)."""
        disks: list[Disk] = self.adapter.find_disks(self.settings.region, dict(self.settings.tag_selector))
        if not disks:
            return []
        return cast('CompletedSnapshotsAdapter', self.adapter).completed_snapshots(self.settings.region, disks)

    def poll(self) -> list[dict[str, Any]]:
        """The events of the snapshots completed since the last poll (not yet given); the given ones a complete listing
        no longer shows are forgotten."""
        snapshots = sorted(self.read(), key=lambda snapshot: snapshot.age_order())
        when = self.clock()
        self.given.forget_unlisted(
            (snapshot.id for snapshot in snapshots), parse_time(when) or datetime.datetime.now(datetime.timezone.utc)
        )
        if self.baseline:
            events = self.baseline_events(snapshots, when)
            self.baseline = False  # once the state is written: a poll that could not write it takes the baseline again
            return events
        replay, self.replay = self.replay, set()
        return [
            snapshot_event(
                self.settings.provider,
                self.settings.region,
                cast(str, snapshot.volume_id),
                snapshot.id,
                self.given.completed_at(snapshot.id) or when,
            )
            for snapshot in snapshots
            if snapshot.id not in self.given or snapshot.id in replay
        ]

    def baseline_events(self, snapshots: list[Snapshot], when: str) -> list[dict[str, Any]]:
        """The first poll without an earlier state: the snapshots made in the last ``replay_seconds`` are given (they
        may have completed while the source was down, and no state file says what it gave), the older ones are taken as
        given. The cloud lists when a snapshot was made, not when it completed: a window counts from the making."""
        cut = (parse_time(when) or datetime.datetime.now(datetime.timezone.utc)) - datetime.timedelta(
            seconds=self.settings.replay_seconds
        )
        # A snapshot whose making time the cloud does not say is given: a repeat costs a run that finds its copy, a loss
        # a copy.
        recent = [
            snapshot
            for snapshot in snapshots
            if self.settings.replay_seconds and (parse_time(snapshot.created) or cut) >= cut
        ]
        recent_ids = {snapshot.id for snapshot in recent}
        self.given.add((snapshot.id for snapshot in snapshots if snapshot.id not in recent_ids), when)
        self.given.save()
        LOG.info(
            '%s %s: no earlier state; of the %d completed snapshot(s) of tagged disks found at start, %d made in the last '
            '%g s (replay_seconds) are given, the others taken as given (include_existing: false); snapshots completing from '
            'now on are reported',
            self.settings.provider,
            self.settings.region,
            len(snapshots),
            len(recent),
            self.settings.replay_seconds,
        )
        return [
            snapshot_event(
                self.settings.provider, self.settings.region, cast(str, snapshot.volume_id), snapshot.id, when
            )
            for snapshot in recent
        ]
