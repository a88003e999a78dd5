# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options for waiting until copies are done, shared by every copy module."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until every copy is done before the task ends.
      - A copy that fails while waiting fails the task with the cloud's message.
      - If the source snapshot itself is still being made, wait for it first instead of failing.
    type: bool
    default: false
  wait_timeout:
    description:
      - How long the task may take in all, in seconds, including retries of throttled calls.
      - When it runs out while waiting, the task fails and still returns the ids of the copies in flight;
        a rerun finds them and does not copy again.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two reads of the copies' state while waiting. The interval grows by half
        each round up to 60 seconds (or O(poll_interval) when that is larger), to keep long waits cheap in API calls.
    type: float
    default: 15
'''
