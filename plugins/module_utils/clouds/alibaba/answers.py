# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading Alibaba Cloud's answers, as the ECS and ENS adapters share it: the lists inside RPC
answers, and which snapshots are copies of a source (the cloud's own link first, then our tag). The client that fetches
the answers is in clouds/alibaba/client.py; the DR run's reads of tagged disks are in clouds/alibaba/disk_answers.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...core.model import CopyRequest, Snapshot


def listed(answer: Mapping[str, Any], outer: str, inner: str) -> Any:
    """Items of an RPC answer list, which comes as {outer: {inner: [...]}} or {outer: [...]}."""
    value = answer.get(outer) or []
    if isinstance(value, dict):
        value = value.get(inner) or []
    return value


def links_to(snapshot: Snapshot, request: CopyRequest) -> bool:
    """Whether ``snapshot`` is a copy of the request's source.

    The cloud's own link (SourceSnapshotId and the source region) decides when the copy has one:
    our tag can be written by anyone, and a tag naming a source that the link contradicts is not
    believed. Without a link, the tag decides (Snapshot.is_copy_of).
    """
    if snapshot.source_id is not None:
        return snapshot.source_id == request.source_id and snapshot.source_region in (None, request.source_region)
    return snapshot.is_copy_of(request.source_region, request.source_id)
