# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which DR copies a run prunes: pure functions of the copies listed, no call.

Only what this collection made is ever a candidate (the adapters' list_copies), only copies of
the disks this run looks after, and of those never the newest of a disk in a region, never one
this run uses or has just made, never one in flight, never one already on its way out.
"""

from __future__ import annotations

from ._model import DELETING, PENDING
from ._tagging import DISK_TAG, SOURCE_TAG


def copies_by_disk(copies, disk_keys, source_disks):
    """{disk key: [copy]} for the copies of the disks in ``disk_keys`` ('<region>/<disk id>').

    A copy names its disk with DISK_TAG, or through its source snapshot ('<region>/<snapshot id>',
    from SOURCE_TAG or the cloud's link) and ``source_disks`` ({source: disk key}). A copy on its
    way out is neither kept nor pruned again.
    """
    groups = {}
    for copy in copies:
        if copy.state == DELETING:
            continue
        source = copy.tags.get(SOURCE_TAG) or '%s/%s' % (copy.source_region, copy.source_id)
        disk_key = copy.tags.get(DISK_TAG) or source_disks.get(source)
        if disk_key in disk_keys:
            groups.setdefault(disk_key, []).append(copy)
    return groups


def prune_selection(copies, now, keep_copies=None, max_age_days=None, in_use=(), newer_to_come=False):
    """(to delete, to keep): one disk's copies in one region, each list newest first.

    ``keep_copies`` keeps that many of the newest; ``max_age_days`` lets older ones go. ``in_use``
    are ids this run reports as its copies. With ``newer_to_come`` (check mode, where a real run
    would make a copy first), the newest listed counts as the second newest, so that the plan
    prunes what the real run would.
    """
    delete, keep = [], []
    ordered = sorted(copies, key=lambda copy: copy.age_order(), reverse=True)
    for rank, copy in enumerate(ordered, start=1 if newer_to_come else 0):
        too_many = keep_copies is not None and 0 < keep_copies <= rank
        too_old = bool(max_age_days) and copy.age_hours(now) > max_age_days * 24
        protected = rank == 0 or copy.id in in_use or copy.state == PENDING
        (delete if (too_many or too_old) and not protected else keep).append(copy)
    return delete, keep
