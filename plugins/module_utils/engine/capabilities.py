# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a cloud implements to copy snapshots (CopyAdapter, what a copy module and the engine need); what it implements
for the DR run is in dr.capabilities.

Abstract base classes, so that an adapter that lacks a method cannot be made (TypeError naming it), where a
method that raised NotImplementedError failed only when a run reached it. A new cloud can ship its copy module
on a CopyAdapter before it has the DR run's methods. Batched on purpose: the bulk module hands the engine
hundreds of requests, and each method serves many of them with as few API calls as the cloud allows.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ..core.errors import NOT_FOUND, CloudError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from typing import Self

    from ..core.model import CopyRequest, Snapshot
    from ..core.retry import CallRetry


def describe_in_batches(
    describe_ids: Callable[[list[str]], dict[str, Snapshot]], snapshot_ids: Iterable[str], size: int
) -> dict[str, Snapshot]:
    """{id: Snapshot} from ``describe_ids`` (one call for at most ``size`` ids), for all of ``snapshot_ids``."""
    found: dict[str, Snapshot] = {}
    for batch in id_batches(snapshot_ids, size):
        found.update(describe_ids(batch))
    return found


def id_batches(snapshot_ids: Iterable[str], size: int) -> Iterator[list[str]]:
    """The distinct ids of ``snapshot_ids`` (empty ones left out), sorted, at most ``size`` a batch: what one describe
    call takes."""
    ids = sorted({snapshot_id for snapshot_id in snapshot_ids if snapshot_id})
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class CopyAdapter(ABC):
    """Copying snapshots between regions: what the copy engine and the copy modules use. The adapter's client sends
    every call through the run's CallRetry."""

    #: The cloud's name in messages ("AWS EBS", "Alibaba Cloud ECS", ...).
    cloud = 'cloud'
    #: True when one copy call serves several destinations (ENS, CBS).
    multi_destination = False
    #: True when the copy call carries an idempotency token, so that resending it after a lost
    #: answer cannot make a second copy. Without one, the engine looks up before each retry.
    copy_call_is_idempotent = False
    #: The state words of this cloud, for the documentation of results.
    done_state = 'completed'
    #: A well-formed snapshot id of this cloud, to check options before any call.
    sample_snapshot_id: str | None = None
    #: The copy options (of core.model.COMPARABLE_OPTIONS) that this cloud's answers let us read back off a
    #: copy, so that a copy found is checked against what was asked (copy_mismatches).
    readable_options: tuple[str, ...] = ()
    #: The SDK's packages, named when they are missing.
    sdk_packages = ''
    #: The cloud's client (clouds.aws.client, clouds.alibaba.client, clouds.tencent.client), which knows the SDK it was
    #: made with.
    client: Any = None
    #: What the cloud calls the place of a snapshot, in messages ("region"; ENS: "node").
    region_word = 'region'
    #: How many snapshot ids one describe call takes (describe_ids).
    ids_per_describe = 100

    @classmethod
    @abstractmethod
    def from_connection(
        cls, connection: dict[str, Any], *, check_mode: bool = False, retry: CallRetry | None = None
    ) -> Self:
        """The adapter for ``connection`` (the module's connection options; no call yet). ``retry`` is the
        run's CallRetry. ImportError when the SDK is missing; InputError for a bad connection option."""

    def sdk_warnings(self) -> list[str]:
        """Warnings about the SDK release the client runs on (older than the collection is tested with)."""
        return list(getattr(self.client, 'sdk_warnings', ()))

    def region_warnings(self, regions: Sequence[tuple[str, str]]) -> list[str]:
        """Warnings of ``regions`` ((option, region) pairs) that the cloud's SDK does not list; InputError for one that
        cannot be a region of the cloud. No API call here. By default none."""
        del regions
        return []

    @abstractmethod
    def validate(self, request: CopyRequest) -> None:
        """Raise InputError for anything the cloud would refuse. No API call here."""

    def get_sources(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """Return {id: Snapshot} for the source snapshots in ``region``.

        For a single id, an unknown snapshot raises a not-found error. By default from ``describe``,
        with the error the cloud's own DescribeSnapshots would give if it did not answer an empty list.
        """
        found = self.describe(region, snapshot_ids)
        if len(snapshot_ids) == 1 and snapshot_ids[0] not in found:
            raise CloudError(
                'DescribeSnapshots',
                'InvalidSnapshotId.NotFound',
                'The specified snapshot %s does not exist in %s %s' % (snapshot_ids[0], self.region_word, region),
                kind=NOT_FOUND,
                region=region,
            )
        return found

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:  # pylint: disable=unused-argument  # a hook most clouds leave empty
        """Raise CloudError/InputError when this source cannot be copied (before copying). Most clouds copy any
        source that exists: nothing to check."""
        return None

    @abstractmethod
    def find_copies(self, destination: str, requests: list[CopyRequest]) -> dict[str, list[Snapshot]]:
        """Return {request.source_tag: [Snapshot, ...]}: copies of each source found in ``destination``."""

    def complete_copies(  # pylint: disable=unused-argument  # a hook, as check_source
        self, destination: str, requests: list[CopyRequest], found: dict[str, list[Snapshot]]
    ) -> None:
        """Finish what the copies ``find_copies`` found need before they serve (CBS: tag a copy whose
        tagging was cut short). The engine calls it outside check mode only: reads do not write. Most clouds' copies
        are whole once made: nothing to finish."""
        return None

    @abstractmethod
    def start_copy(self, request: CopyRequest, destinations: list[str]) -> dict[str, Snapshot | CloudError]:
        """Start copies; return {destination: Snapshot or CloudError}.

        Called with one destination unless ``multi_destination``. An error that concerns
        the whole call is raised, one that concerns one destination is returned for it.
        """

    def token_spent(self, request: CopyRequest, destination: str, copy_id: str) -> bool:  # pylint: disable=unused-argument  # a hook
        """The copy call of ``request`` to ``destination`` was answered with ``copy_id``, which no read shows. Where the
        call carries an idempotency token that the cloud answers with the first copy made under it, deleted since or not
        (ECS), draw the next token for it and answer True: the call is sent again. Without a token (the default) nothing
        can be drawn: False, and the destination fails."""
        return False

    def read_back(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """The copies just made as the cloud holds them, to count each only once a read shows it: ``describe``, where a
        describe changes nothing (a cloud whose describe takes a copy a step further reads without that step)."""
        return self.describe(region, snapshot_ids)

    def describe(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """Return {id: Snapshot} for those ids in ``region``; unknown ids are left out, not raised.

        By default ``describe_ids`` with at most ``ids_per_describe`` ids at a time."""
        return describe_in_batches(functools.partial(self.describe_ids, region), snapshot_ids, self.ids_per_describe)

    @abstractmethod
    def describe_ids(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """Return {id: Snapshot} for these ids (at most ``ids_per_describe``): one call, unknown ids left out."""
