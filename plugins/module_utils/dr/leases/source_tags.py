# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tag calls a run's leases are written with: on source snapshots of one region, a batch of snapshots a call, a
snapshot the cloud refuses on its own set aside (each_alone) so that it costs its own copies alone."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from ...core.errors import BUSY, INVALID, NOT_FOUND, RETRYABLE, CloudError, is_permission_refusal, is_tag_limit
from ...engine.capabilities import id_batches

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence


class SourceTagCalls(ABC):
    """The calls on the tags of source snapshots of one region, each a batch of snapshots."""

    #: How many snapshots one tag call takes (the adapter's batch): tag_each and untag_each send no bigger batches, so
    #: that a call the cloud refuses for one of its snapshots costs that batch alone.
    sources_per_tag_call = 1000

    @abstractmethod
    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        """Add ``tags`` to each of the snapshots."""

    @abstractmethod
    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """{snapshot id: its tags as they are now}; a snapshot gone is left out (reads)."""

    @abstractmethod
    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        """Remove the tags ``keys`` from each of the snapshots, whatever their values (one not there is no error)."""


def tag_each(
    calls: SourceTagCalls, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]
) -> dict[str, CloudError]:
    """Add ``tags`` to each of the snapshots, a batch a call (SourceTagCalls.sources_per_tag_call); {snapshot id: why
    not} for those the cloud refused on their own (each_alone): the others are tagged. An error of the whole call is
    raised."""
    return each_alone(
        lambda batch: calls.tag_sources(source_region, batch, tags), snapshot_ids, calls.sources_per_tag_call
    )


def untag_each(
    calls: SourceTagCalls, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]
) -> dict[str, CloudError]:
    """Remove the tags ``keys`` from each of the snapshots, as tag_each; a snapshot gone is no failure (its tags went
    with it)."""
    refused = each_alone(
        lambda batch: calls.untag_sources(source_region, batch, keys), snapshot_ids, calls.sources_per_tag_call
    )
    return {snapshot_id: error for snapshot_id, error in refused.items() if error.kind != NOT_FOUND}


def each_alone(
    call: Callable[[list[str]], object], snapshot_ids: Sequence[str], per_call: int
) -> dict[str, CloudError]:
    """``call`` on each batch of ``per_call`` of ``snapshot_ids``; {snapshot id: why not} for the snapshots the cloud
    refused on their own, the rest of their batch sent again without them.

    A batched tag call fails whole for one of its snapshots: one gone since it was listed (EC2 InvalidSnapshot.NotFound,
    whose message may be empty; Tencent's AttachResourcesTag ResourceNotFound), one at its cloud's tag limit
    (is_tag_limit: EC2 and Tencent name none), one a per-resource answer refused (Tencent's TagResources, whose error
    names each). Where the
    error names snapshots of the batch, those are refused and the rest is sent again; where it names none, the batch is
    split in two and each half sent (bisection): b bad snapshots in a batch of n cost at most 1 + 2 b log2(n) calls, not
    one a snapshot. Any other error (a throttle still refused after the caller's retries, a refused permission, a bad
    request) is the whole call's: raised, for the caller to retry or fail the lot (its retries send the batches again:
    setting a tag twice is setting it once)."""
    refused: dict[str, CloudError] = {}
    for batch in id_batches(snapshot_ids, per_call):
        parts = [batch]
        while parts:
            part = parts.pop()
            try:
                call(part)
            except CloudError as error:
                named = [snapshot_id for snapshot_id in part if _names(error, snapshot_id)]
                if not _of_one_source(error, bool(named)):
                    raise
                if named or len(part) == 1:
                    refused.update((snapshot_id, source_refusal(snapshot_id, error)) for snapshot_id in named or part)
                    rest = [snapshot_id for snapshot_id in part if snapshot_id not in refused]
                    if rest:
                        parts.append(rest)
                else:
                    half = len(part) // 2
                    parts.extend([part[half:], part[:half]])
    return refused


def _names(error: CloudError, snapshot_id: str) -> bool:
    """Whether the cloud's message names ``snapshot_id`` (not as a part of a longer id)."""
    return re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(snapshot_id), error.message) is not None


def _of_one_source(error: CloudError, names_one: bool) -> bool:
    """Whether ``error`` of a batched tag call belongs to snapshots of the batch rather than to the call: a snapshot not
    found, a tag limit, or a refusal that names snapshots (not a throttle, a busy cloud or a refused permission)."""
    if error.kind in (RETRYABLE, BUSY) or is_permission_refusal(error):
        return False
    return error.kind == NOT_FOUND or is_tag_limit(error) or names_one


def source_refusal(snapshot_id: str, error: CloudError) -> CloudError:
    """Why the run cannot tag source snapshot ``snapshot_id`` (its disk alone is not copied now), with the cloud's code,
    message and request id, and what to do."""
    if error.kind == NOT_FOUND:
        why = (
            'source snapshot %s was deleted since this run listed it (%s: %s): not copied; the next run copies the '
            "disk's newest snapshot" % (snapshot_id, error.code, error.message)
        )
    elif is_tag_limit(error):
        why = (
            'source snapshot %s carries as many tags as the cloud allows (%s: %s): this run cannot write its lease on it '
            'and does not copy it without one (two runs could copy it twice). Remove a tag from it (a run writes one a '
            'DR region, and two with dr_account), and the next run copies it' % (snapshot_id, error.code, error.message)
        )
    else:
        why = 'source snapshot %s: %s' % (snapshot_id, error.message)
    return CloudError(
        error.action,
        error.code,
        why,
        request_id=error.request_id,
        kind=NOT_FOUND if error.kind == NOT_FOUND else INVALID,
        region=error.region,
    )


def named_few(names: Sequence[str], most: int = 5) -> str:
    """``names`` for a message: the first ``most``, and how many more."""
    shown = ', '.join(names[:most])
    return shown if len(names) <= most else '%s and %d more' % (shown, len(names) - most)


def by_same_values(values_of: Mapping[str, Iterable[str]]) -> dict[tuple[str, ...], list[str]]:
    """{values: the keys of ``values_of`` with exactly those, sorted}, keys with none left out: what one tag call
    serves, as it gives the same tags to each of its snapshots (the sources held for the same regions; the sources that
    lose the same tag keys)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for key, values in values_of.items():
        if values:
            grouped.setdefault(tuple(sorted(set(values))), []).append(key)
    return {values: sorted(keys) for values, keys in grouped.items()}
