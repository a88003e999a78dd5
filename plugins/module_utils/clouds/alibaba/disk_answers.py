# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run's reads of Alibaba Cloud's disks, as the ECS and ENS adapters share them: the disks that carry a tag
selector's tags, and their snapshots. Apart from clouds/alibaba/answers.py, which the copy modules carry, so that their
payload does not carry the DR run's disks (core/dr_model.py; issue 63).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...core.tagging import matches_selector, tag_dict

if TYPE_CHECKING:
    from ...core.dr_model import Disk
    from ...core.model import Snapshot


def tagged_disks(
    items: Iterable[dict[str, Any]],
    tag_selector: Mapping[str, str | None],
    make_disk: Callable[[dict[str, Any], dict[str, str]], Disk],
) -> list[Disk]:
    """``make_disk(item, tags)`` for the DescribeDisks ``items`` that carry the selector's tags."""
    disks: list[Disk] = []
    for item in items:
        tags = tag_dict(item.get('Tags'))
        if matches_selector(tags, tag_selector):
            disks.append(make_disk(item, tags))
    return disks


# Up to this many disks, their snapshots are read disk by disk (DiskId); beyond, the region (ENS: the node) is listed
# once.
PER_DISK_READS = 10


def snapshots_by_disk(
    describe: Callable[[dict[str, str]], list[Snapshot]], disks: Iterable[Disk]
) -> dict[str, list[Snapshot]]:
    """{disk id: its snapshots} for ``disks``, from ``describe(filters)``, a paged DescribeSnapshots of one region."""
    wanted = {disk.id for disk in disks}
    if len(wanted) <= PER_DISK_READS:
        snapshots = [snapshot for disk_id in sorted(wanted) for snapshot in describe({'DiskId': disk_id})]
    else:
        # Many disks: one paged listing of the region beats one listing per disk.
        snapshots = describe({})
    found: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        if snapshot.volume_id in wanted:
            found.setdefault(snapshot.volume_id, []).append(snapshot)
    return found
