# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading Alibaba Cloud's answers, as the ECS and ENS adapters share it: the lists inside RPC
answers, the disks that carry a tag selector's tags, and which snapshots are copies of a source
(the cloud's own link first, then our tag). The client that fetches the answers is in clouds/alibaba/client.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ...core.tagging import matches_selector, tag_dict

if TYPE_CHECKING:
    from ...core.model import CopyRequest, Disk, Snapshot


def listed(answer: Mapping[str, Any], outer: str, inner: str) -> Any:
    """Items of an RPC answer list, which comes as {outer: {inner: [...]}} or {outer: [...]}."""
    value = answer.get(outer) or []
    if isinstance(value, dict):
        value = value.get(inner) or []
    return value


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


def links_to(snapshot: Snapshot, request: CopyRequest) -> bool:
    """Whether ``snapshot`` is a copy of the request's source.

    The cloud's own link (SourceSnapshotId and the source region) decides when the copy has one:
    our tag can be written by anyone, and a tag naming a source that the link contradicts is not
    believed. Without a link, the tag decides (Snapshot.is_copy_of).
    """
    if snapshot.source_id is not None:
        return snapshot.source_id == request.source_id and snapshot.source_region in (None, request.source_region)
    return snapshot.is_copy_of(request.source_region, request.source_id)
