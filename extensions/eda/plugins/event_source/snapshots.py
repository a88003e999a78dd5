# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""snapcopy.cloud.snapshots: an ansible-rulebook event source, one event for each completed snapshot of a tagged disk.

A front door, as a module is: the arguments and the loop are in
plugins/module_utils/events/ (source.py; docs/events.md says how to use it).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

DOCUMENTATION = r"""
---
short_description: One event for each completed snapshot of a tagged disk.
description:
  - An ansible-rulebook event source of the snapcopy.cloud collection. It puts one event on the queue for each snapshot
    that completes of a disk carrying the tags of O(tag_selector), in one region of one cloud. The event is a dict with
    one key, C(snapcopy), whose value holds C(provider), C(region), C(disk_id), C(snapshot_id) and C(completed_at).
  - It polls every O(poll_interval) seconds, on every cloud, reading the region's tagged disks and its completed snapshots
    in two paged listings whatever the number of disks. On AWS it can read instead an SQS queue (O(queue_url)) that an
    EventBridge rule fills with "EBS Snapshot Notification" and "EBS Multi-Volume Snapshots Completion Status" events.
  - At least once. With O(state_file), a restart misses no snapshot that completed while it was down, and repeats only
    what it gave in the last O(replay_seconds). A throttled or failing cloud call is retried with the collection's backoff, and a poll that still fails is
    tried again later; it never ends the source. Copies are made once however often an event comes (the copy engine's look-up).
  - Secrets are never in events or logs. See C(docs/events.md) and the rulebook C(snapcopy.cloud.dr_on_snapshot).
  - The connection options are each cloud's, named as its copy module names them (M(snapcopy.cloud.ebs_snapshot_copy) and
    the others), with the same environment variables. On AWS C(access_key), C(secret_key), C(session_token), C(profile),
    C(endpoint_url), C(role_arn) and the other assume-role options; on Alibaba Cloud C(alicloud_access_key),
    C(alicloud_secret_key) and the rest; on Tencent Cloud C(secret_id), C(secret_key) and the rest. An option given an
    empty string is not set.
options:
  provider:
    description:
      - The cloud, as M(snapcopy.cloud.dr_sync) names it (one of the choices of its O(provider)). Any other is refused
        before any call.
    type: str
    required: true
  region:
    description: The region (ENS, the node) of the disks.
    type: str
    required: true
  tag_selector:
    description: The tags a disk must carry, all of them (a null value matches any value); a dict, or JSON text of one.
    type: dict
    required: true
  poll_interval:
    description: Seconds between two polls (with O(queue_url), the longest wait for an SQS message, at most 20).
    type: float
    default: 60
  state_file:
    description:
      - Where the source keeps the snapshots it has given (JSON, written atomically, before the events are put on the
        queue). Without it, a restart starts afresh.
      - Without an earlier state, the snapshots completed at the first poll and made more than O(replay_seconds) before
        are taken as given, unless O(include_existing); those made since are given.
    type: path
  include_existing:
    description: At a start without state, give an event for every completed snapshot of the tagged disks too.
    type: bool
    default: false
  queue_url:
    description:
      - AWS only. The SQS queue that EventBridge's rule for "EBS Snapshot Notification" and "EBS Multi-Volume Snapshots
        Completion Status" events sends to (docs/events.md has the rule).
      - A message that is not such an event is deleted with a warning saying what it held.
    type: str
  replay_seconds:
    description:
      - At a start with a state file, the snapshots given in this many seconds before are given again, since a rulebook
        that was killed may have lost them (it keeps events in memory). A repeat makes no second copy. V(0) for none.
      - At a start without an earlier state, the completed snapshots made in this many seconds before are given (one
        that completed while the source was down); older ones are taken as given.
    type: float
    default: 900
"""

EXAMPLES = r"""
- snapcopy.cloud.snapshots:
    provider: ecs
    region: cn-hangzhou
    tag_selector: {backup: dr}
    poll_interval: 30
    state_file: /var/lib/eda/snapshots-ecs-cn-hangzhou.json
"""


def _find_collections_root(start: str) -> str | None:
    """The folder that holds ``ansible_collections`` above ``start`` (this file as ansible-rulebook found it: installed
    by ansible-galaxy, or linked into a collections path), or None."""
    folder = os.path.dirname(os.path.abspath(start))
    while True:
        parent = os.path.dirname(folder)
        if os.path.basename(folder) == 'ansible_collections':
            return parent
        if parent == folder:
            return None
        folder = parent


def _importable() -> None:
    """ansible-rulebook runs this file by its path, not as a package: make ``ansible_collections`` importable from the
    collections folder this file is in, unless the collection can be imported already."""
    root = _find_collections_root(__file__)
    if root is not None and root not in sys.path:
        sys.path.insert(0, root)


_importable()

# pylint: disable-next=wrong-import-position
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.source import run_source


async def main(queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
    """Put one event on ``queue`` for each completed snapshot of a tagged disk, for ever."""
    await run_source(queue, args)
