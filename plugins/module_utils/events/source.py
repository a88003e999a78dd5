# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source snapcopy.cloud.snapshots (extensions/eda/plugins/event_source/snapshots.py): one event for each
completed snapshot of a disk that a tag selector matches, for ansible-rulebook.

Two ways to learn of a snapshot. Polling, on every cloud (poller.py): each poll reads the region's disks that carry
the selector's tags (DrAdapter.find_disks) and the region's completed snapshots
(CompletedSnapshotsAdapter.completed_snapshots), two paged listings whatever the number of disks. Push, where the cloud's
record names a snapshot queue (AWS, sqs.py): EventBridge's "EBS Snapshot Notification" routed to an SQS queue; each
message's snapshot is read back from EC2 (its disk and state) before it is believed.

The state file names every snapshot given, and is written (atomically) before its events are put on the queue: the
rulebook never holds an event that the file does not name, so a restart with ``replay_seconds: 0`` repeats none,
whenever the kill came. An event on the queue is in memory, as the rulebook's own are: a kill loses both alike, and a
restart gives again what it gave in the last ``replay_seconds`` (a start without an earlier state: what was made in that
time). An SQS message is deleted only once its event is on the queue. As a poll lists every completed snapshot and not
those of a time window, a restart with the same file misses none that completed while it was down. The copy engine makes
one copy of a snapshot however often the DR run is asked for it.

The arguments are settings.py's, the state file given.py's. Nothing in events/ imports Ansible's AnsibleModule:
ansible-rulebook runs this in its own process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import CloudError
from ..core.retry import Backoff, CallRetry
from ..engine.copy_engine import default_backoff
from .given import GivenSnapshots, record_given
from .poller import SnapshotPoller
from .settings import new_adapter, now_text, source_settings
from .sqs import SqsReader

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..dr.capabilities import DrAdapter

LOG = logging.getLogger('snapcopy.cloud.snapshots')


async def put_all(queue: asyncio.Queue[Any], events: list[dict[str, Any]]) -> None:
    for event in events:
        await queue.put(event)


async def run_source(
    queue: asyncio.Queue[Any],
    args: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    adapter: DrAdapter | None = None,
    polls: int | None = None,
    backoff: Backoff | None = None,
    clock: Callable[[], str] | None = None,
) -> None:
    """The event source: check the arguments, then poll (or read SQS) for ever, putting one event per completed snapshot
    on ``queue``. A failing cloud call (retried with the collection's backoff first) is logged with the cloud's code,
    message and request id, and the next poll comes as usual: it never ends the source. ``polls`` (tests) stops it after
    that many rounds; ``adapter``, ``backoff`` and ``clock`` (the time now, as now_text writes it) replace those the
    arguments make (tests)."""
    settings = source_settings(args, environ)
    given = GivenSnapshots(settings.state_file, settings.provider, settings.region)
    backoff = backoff or default_backoff()
    adapter = adapter or new_adapter(settings, CallRetry(backoff))
    clock = clock or now_text
    reader: SqsReader | None = None
    poller: SnapshotPoller | None = None
    if settings.queue_url:
        reader = SqsReader(settings, adapter, given=given, clock=clock)
    else:
        poller = SnapshotPoller(settings, adapter, given=given, clock=clock)
    LOG.info(
        'snapcopy.cloud.snapshots: %s %s, tag selector %s, %s',
        settings.provider,
        settings.region,
        json.dumps(dict(settings.tag_selector), sort_keys=True),
        'SQS queue %s' % settings.queue_url if reader else 'polling every %g s' % settings.poll_interval,
    )
    failures = 0
    rounds = 0
    while polls is None or rounds < polls:
        rounds += 1
        wait = settings.poll_interval
        try:
            if reader is not None:
                events, messages = await asyncio.to_thread(reader.receive)
                wait = 0  # ReceiveMessage waited already
            else:
                events, messages = await asyncio.to_thread(cast(SnapshotPoller, poller).poll), []
            # The state file first, then the queue: once the rulebook can see an event, the file names it, and a restart
            # with replay_seconds 0 cannot repeat it however late the kill comes. A kill between the two loses the
            # events as one a moment later would have (ansible-rulebook keeps them in memory): replay_seconds gives them
            # again.
            replayed = {event['snapcopy']['snapshot_id'] for event in events} & set(given.given)
            try:
                await asyncio.to_thread(record_given, given, events, clock())
            except OSError:
                # Not written (a full disk): the new ones are not given (record_given took them out), the replays are
                # due again.
                for source in (reader, poller):
                    if source is not None:
                        source.replay |= replayed
                raise
            await put_all(queue, events)
            if reader is not None:
                await asyncio.to_thread(reader.delete, messages)
            if events:
                LOG.info(
                    '%s %s: %d snapshot(s) completed: %s',
                    settings.provider,
                    settings.region,
                    len(events),
                    ', '.join(event['snapcopy']['snapshot_id'] for event in events[:20]),
                )
            failures = 0
        except (CloudError, OSError) as error:
            # OSError: the state file could not be written (a full disk): its events were not given, the next poll gives
            # them.
            failures += 1
            # The call was retried already; a poll that still fails is tried again after the backoff's delay, at least a
            # poll interval.
            wait = max(settings.poll_interval, backoff.delay(failures - 1))
            LOG.warning('%s %s: %s; trying again in %.1f s', settings.provider, settings.region, error, wait)
        if polls is None or rounds < polls:
            await asyncio.sleep(wait)
