# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""People's words for what a run or a cloud says in its own: the engine's actions, a run's states, each cloud's snapshot
states. The page, the Markdown and the console pass text that came from a run or a cloud through ``plain``."""

from __future__ import annotations

import re
from typing import overload

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    NO_COPY,
    OVER_RPO,
    STANDING_WORDS,
    WITHIN_RPO,
)

# The machine's words (the report's keys, the engine's copy actions, a run's state, the lock's and the drill's actions)
# and each cloud's own state names, as people read them: the pages print text that came from a run or a cloud (its
# failures, errors, the drill's results), the Markdown and the console print such text through ``plain``, so that none
# of these reaches a person.
MACHINE_WORDS = {
    'would_copy': 'would be made',
    'not_copied': 'not made',
    'failed_before_report': 'failed before it could know what it did',
    'within_rpo': STANDING_WORDS[WITHIN_RPO],
    'over_rpo': STANDING_WORDS[OVER_RPO],
    'in_flight': 'in flight',
    'no_copy': STANDING_WORDS[NO_COPY],
    'run_failed': 'run failed (not known)',
    'would_lock': 'would be locked',
    'when_completed': 'to be locked once complete',
    'lock_failed': 'lock failed',
    'in_force': 'in force',
    'timed_out': 'timed out',
    'would_test': 'planned (check mode)',
    'already_deleted': 'already deleted',
    'would_delete': 'would be deleted',
    'delete_failed': 'delete failed',
    'left_until': 'left until its time',
    'kept_in_use': 'kept: in use',
    'kept_refused': 'kept: the cloud refused to delete it',
    # Where a plan's copy sizes come from (dr/plan.py's bytes_from).
    'full_snapshot_size': "the cloud's size of the snapshot",
    'changed_blocks': 'the blocks changed since the copy before',
    'disk_size': "the disk's size, an upper bound",
}
# Each cloud's snapshot states that are not plain words or mislead (ECS, CBS, AWS's recycle bin; the others say pending,
# completed, error, available, creating, deleting), as "the copy is still <state>" reads (test_report_html.py holds this
# to the adapters' state maps).
CLOUD_STATE_WORDS = {
    'progressing': 'being made',
    'accomplished': 'complete',
    'NORMAL': 'complete',
    'ROLLBACKING': 'being rolled back',
    'CREATING': 'being made',
    'COPYING_FROM_REMOTE': 'being copied',
    'CHECKING_COPIED': 'being checked',
    'TORECYCLE': 'in the recycle bin',
    'recoverable': 'in the recycle bin',
    'recovering': 'being restored from the recycle bin',
}
# The engine's sentences of a failed copy ("is in state failed: <the cloud's reason>") and of one still in flight at the
# timeout ("is still progressing (40%)"), whatever the cloud's word for the state.
IN_STATE = re.compile(r'\bis in state [\w-]+')
STILL = re.compile(r'\bis still [\w-]+ \(')
RAW_WORDS = re.compile(r'\b(%s)\b' % '|'.join(sorted(dict(MACHINE_WORDS, **CLOUD_STATE_WORDS), key=len, reverse=True)))


@overload
def plain(text: None) -> None:
    """None stays None (no text to put in people's words)."""


@overload
def plain(text: str) -> str:
    """Text stays text."""


def plain(text: str | None) -> str | None:
    """Text from a run or a cloud with the machine's words and the clouds' state names in people's words."""
    if text is None:
        return text
    text = STILL.sub('is still being made (', IN_STATE.sub('failed', str(text)))
    return RAW_WORDS.sub(lambda found: MACHINE_WORDS.get(found.group(1)) or CLOUD_STATE_WORDS[found.group(1)], text)
