# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ENS (edge nodes): the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter
(clouds/alibaba/ens.py, which says how copies are found and told from other people's by their description's marker) with
the DR run's calls (dr/capabilities.py DrAdapter): a node's disks and their snapshots, pruning, and a part for the
restore drill with its drill host (ens_drill.py). No dr_account (clouds/registry.py says why ENS refuses it) and no
locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ...core.dr_model import Disk
from ...core.errors import INVALID, CloudError
from ...core.model import COMPLETED, Snapshot
from ...core.paging import numbered_pages
from ...core.tagging import SOURCE_TAG, marked_description
from ...dr.capabilities import CompletedSnapshotsAdapter, DrAdapter, begun_snapshot
from .answers import listed
from .client import AlibabaClient
from .disk_answers import snapshots_by_disk, tagged_disks
from .ens import MAX_DESCRIPTION, EnsCopyAdapter, size_gib
from .ens_drill import DISK_PAGE_SIZE, EnsDrill


class EnsAdapter(EnsCopyAdapter, DrAdapter, CompletedSnapshotsAdapter):
    """The DR run on ENS, its restore drill a part (DrAdapter.drill)."""

    # DescribeSnapshots answers SourceSnapshotId and SourceEnsRegionId (ens 2017-11-10 model).
    records_copy_source = True
    drill: EnsDrill

    def __init__(self, client: AlibabaClient) -> None:
        super().__init__(client)
        self.drill = EnsDrill(self)

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        # ENS's DescribeDisks has no tag filter: the node's disks are filtered here.
        return tagged_disks(
            self.disk_items(region, {}),
            tag_selector,
            lambda item, tags: Disk(
                item['DiskId'],
                region,  # the node asked: DescribeDisks answers that node's disks only
                name=item.get('DiskName') or None,
                size=size_gib(item.get('Size')),
                tags=tags,
                instance_id=item.get('InstanceId') or None,
            ),
        )

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        return snapshots_by_disk(lambda filters: self._describe(region, filters), disks)

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # One paged listing of the node; the state is read here.
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe(region, {})
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self,
        region: str,
        disk: Disk,
        name: str | None,
        description: str | None,  # pylint: disable=unused-argument
        tags: Mapping[str, str] | None,
    ) -> Snapshot:
        # ENS's CreateSnapshot takes no tags; the DR run recognises its snapshots without them.
        answer = self.client.call(
            'CreateSnapshot',
            {'EnsRegionId': region, 'DiskId': disk.id, 'SnapshotName': name, 'Description': description},
            region,
        )
        # The new id comes as a list, SnapShotId (ens-20171110 CreateSnapshotResponseBody).
        made = answer.get('SnapShotId')
        snapshot_id = made[0] if isinstance(made, list) and made else made
        if not snapshot_id or not isinstance(snapshot_id, str):
            raise CloudError(
                'CreateSnapshot',
                'InvalidResponse',
                'the answer names no snapshot (SnapShotId is %r); the '
                'snapshot may have been made: look for it on node %s before trying again' % (made, region),
                request_id=answer.get('RequestId'),
                kind=INVALID,
                region=region,
            )
        return begun_snapshot(snapshot_id, region, disk, cloud_state='creating', name=name, description=description)

    def list_copies(self, destination: str) -> list[Snapshot]:
        """The copies on the node whose marker names the source that ENS's link names: a copy someone else
        made, without our marker, is never returned, so never pruned."""
        return [
            snapshot
            for snapshot in self._describe(destination, {})
            if snapshot.source_id is not None and _marker_agrees_with_link(snapshot)
        ]

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call('DeleteSnapshot', {'SnapshotId': snapshot_id}, region)

    def disk_items(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeDisks item on the node that ``params`` select, all pages."""
        return numbered_pages(
            lambda page: self.client.call('DescribeDisks', dict(page, EnsRegionId=region), region),
            params,
            lambda answer: listed(answer, 'Disks', 'Disks'),
            DISK_PAGE_SIZE,
        )

    def tag_copy(self, copy: Snapshot, tags: Mapping[str, str]) -> None:
        # ENS snapshots carry no tags: the marks go into the description's marker, beside the copy's source.
        description = marked_description(copy.description, dict(copy.tags, **tags))
        if len(description) > MAX_DESCRIPTION:
            raise CloudError(
                'ModifySnapshotAttribute',
                'DescriptionTooLong',
                'the description of %s has no room for the mark '
                '(ENS allows %d characters)' % (copy.id, MAX_DESCRIPTION),
                kind=INVALID,
                region=copy.region,
            )
        self.client.call('ModifySnapshotAttribute', {'SnapshotId': copy.id, 'Description': description}, copy.region)

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # ENS keeps no tags on snapshots (its tag API takes instances only; copy_tag_rules is None): no copy tag is ever
        # on an ENS copy, so the DR run never asks, and there is nothing to take off and no call.
        return {}


def _marker_agrees_with_link(snapshot: Snapshot) -> bool:
    """True when the snapshot's marker names the source that ENS's own link names."""
    region, dummy, source_id = (snapshot.tags.get(SOURCE_TAG) or '').rpartition('/')
    return bool(region) and source_id == snapshot.source_id and snapshot.source_region in (None, region)


# Transitional (issue 63): dr/posture.py asks the adapter itself about the restore drill (dr.capabilities).
