# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the tags of source snapshots (dr.leases.source_tags.SourceTagCalls), which hold a DR run's leases: the CBS
adapter is its own SourceTagCalls (the copy phase takes its copy leases through the adapter).

A run's leases are on the source snapshots, the disks' account's: its client (staging_client) for every call, not the
adapter's client, which with dr_account routes by region and would take a change of that routing along. A lease is one
tag key (a run and DR region) with one value on many sources: AttachResourcesTag and DetachResourcesTag take one key and
50 resources of one region a call (tag 2018-08-13 AttachResourcesTagRequest, DetachResourcesTagRequest: "ResourceIds.N
... up to 50"), where TagResources and UnTagResources take 9; and their rate limits are their own, not the copies'
TagResources marks'.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from ...core.errors import NOT_FOUND, CloudError, is_permission_refusal
from ...core.model import Snapshot
from ...core.tagging import tag_list
from ...dr.leases.source_tags import SourceTagCalls
from ...engine.capabilities import id_batches
from .cbs import (
    RESOURCE_IDS_PER_CALL,
    SNAPSHOT_RESOURCE_PREFIX,
    SNAPSHOT_SERVICE_TYPE,
    TAG_RESOURCES_PER_CALL,
    snapshot_resource_name,
)
from .client import TencentClient, cloud_error


class CbsSourceTags(SourceTagCalls):
    """AttachResourcesTag and DetachResourcesTag, 50 sources a call, or TagResources and UnTagResources, 9 a call,
    where the caller's policy refuses the first two."""

    staging_client: TencentClient
    # AttachResourcesTag or DetachResourcesTag, once the caller's policy refused it: sent no more this run (_by_key).
    _refused_tag_actions: set[str]

    @abstractmethod
    def describe_with(self, client: TencentClient, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        """The copy adapter's (clouds/tencent/cbs.py)."""

    sources_per_tag_call = RESOURCE_IDS_PER_CALL

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for key, value in sorted(tags.items()):
            left = [
                snapshot_id
                for batch in id_batches(snapshot_ids, RESOURCE_IDS_PER_CALL)
                if not self._by_key('AttachResourcesTag', source_region, batch, TagKey=key, TagValue=value)
                for snapshot_id in batch
            ]
            if left:
                self._tag_sources_call(
                    'TagResources', source_region, left, {'Tags': tag_list({key: value}, 'TagKey', 'TagValue')}
                )

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        # DescribeSnapshots answers each snapshot's tags (cbs 2017-03-12 Snapshot.Tags) and leaves an id it does not
        # know out (describe_ids_with): 100 ids a call, no Tag service read.
        found = self.describe_with(self.staging_client, source_region, snapshot_ids)
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        # A key not on a snapshot is no failure (unverifiable: not documented either way; fakecloud takes it so).
        # DetachResourcesTag changes all of its sources or none: one that is gone fails the call (its answer names no
        # failed resource), and the batch is sent again as UnTagResources, whose answer names each failure, so that a
        # snapshot gone is no failure (its tags went with it).
        for key in sorted(set(keys)):
            left = [
                snapshot_id
                for batch in id_batches(snapshot_ids, RESOURCE_IDS_PER_CALL)
                if not self._detached(source_region, batch, key)
                for snapshot_id in batch
            ]
            if left:
                self._tag_sources_call('UnTagResources', source_region, left, {'TagKeys': [key]}, gone_is_done=True)

    def _detached(self, source_region: str, snapshot_ids: Sequence[str], key: str) -> bool:
        try:
            return self._by_key('DetachResourcesTag', source_region, snapshot_ids, TagKey=key)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            return False

    def _by_key(self, action: str, source_region: str, snapshot_ids: Sequence[str], **params: str) -> bool:
        """Send ``action`` (AttachResourcesTag or DetachResourcesTag) for the snapshots; False where the caller's policy
        does not allow it, and from then on without a call: the caller then sends TagResources or UnTagResources, 9
        snapshots a call, as the release before this one did, so that a policy written for it keeps the leases."""
        if action in self._refused_tag_actions:
            return False
        try:
            self.staging_client.call(
                'tag', None, action, dict(self._resources_of(source_region, snapshot_ids), **params)
            )
        except CloudError as error:
            if not is_permission_refusal(error):
                raise
            self._refused_tag_actions.add(action)
            return False
        return True

    @staticmethod
    def _resources_of(source_region: str, snapshot_ids: Sequence[str]) -> dict[str, Any]:
        """The parameters that name snapshots of ``source_region`` to AttachResourcesTag and DetachResourcesTag: the
        parts of their six-segment names (snapshot_resource_name)."""
        return {
            'ServiceType': SNAPSHOT_SERVICE_TYPE,
            'ResourcePrefix': SNAPSHOT_RESOURCE_PREFIX,
            'ResourceRegion': source_region,
            'ResourceIds': list(snapshot_ids),
        }

    def _tag_sources_call(
        self,
        action: str,
        source_region: str,
        snapshot_ids: Sequence[str],
        params: Mapping[str, Any],
        *,
        gone_is_done: bool = False,
    ) -> None:
        """Send the Tag service's ``action`` with ``params`` for the snapshots, 9 a call, in the disks' account. A
        snapshot's failure comes in a normal answer (FailedResources, tag 2018-08-13 TagResourcesResponse and
        UnTagResourcesResponse): the others' batches are still sent, then the first failure is raised, naming every
        snapshot that failed; with ``gone_is_done``, a snapshot gone (not found) is no failure: its tags are gone with
        it."""
        failed: list[str] = []
        first: CloudError | None = None
        for batch in id_batches(snapshot_ids, TAG_RESOURCES_PER_CALL):
            names = {snapshot_resource_name(source_region, snapshot_id): snapshot_id for snapshot_id in batch}
            answer = self.staging_client.call('tag', None, action, dict(params, ResourceList=list(names)))
            for row in answer.get('FailedResources') or []:
                snapshot_id = names.get(row.get('Resource'), str(row.get('Resource')))
                error = cloud_error(
                    action, source_region, row.get('Code') or 'Unknown', row.get('Message'), answer.get('RequestId')
                )
                if gone_is_done and error.kind == NOT_FOUND:
                    continue
                failed.append(snapshot_id)
                first = first or error
        if first is not None:
            raise CloudError(
                action,
                first.code,
                '%s (source snapshots: %s)' % (first.message, ', '.join(failed)),
                request_id=first.request_id,
                kind=first.kind,
                region=source_region,
            )
