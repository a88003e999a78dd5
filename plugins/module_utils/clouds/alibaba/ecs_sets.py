# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the DR adapter's snapshot sets part (dr/capabilities.py SnapshotSetAdapter; consistency groups,
issue 49, dr/groups.py): snapshot-consistent groups (CreateSnapshotGroup, DescribeSnapshotGroups)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.dr_model import Disk
from ...core.errors import RETRYABLE, CloudError, InputError
from ...core.model import Snapshot
from ...core.tagging import numbered_tags, string_tags, tag_dict
from ...dr.capabilities import SetReading, SnapshotSetAdapter
from .answers import listed
from .client import numbered
from .ecs import CLIENT_TOKEN_PREFIX, STATE_MAP

if TYPE_CHECKING:
    from .ecs_api import EcsCalls

# DescribeSnapshotGroups' MaxResults: 1 to 100 (ecs-20140526 DescribeSnapshotGroupsRequest).
GROUP_PAGE_SIZE = 100
# Up to this many instances, a listing of each one's snapshot groups; beyond, one listing of the region's groups.
GROUP_LISTINGS_BY_INSTANCE = 3
# What one CreateSnapshotGroup takes: the API reference's 16 disks and 32 TiB, of the ESSD family (EcsSets.max_set_disks
# quotes the sources).
GROUP_MAX_DISKS = 16
GROUP_MAX_GIB = 32 * 1024
GROUP_CATEGORIES = ('cloud_essd', 'cloud_auto', 'cloud_essd_entry')


class EcsSets(SnapshotSetAdapter):
    """A set is a snapshot-consistent group of one instance's ESSD disks."""

    # CreateSnapshotGroup's limits, the stricter of two sources. The SDK's model (ecs-20140526
    # CreateSnapshotGroupRequest.DiskId): "A single snapshot-consistent group can contain up to 128 disks with a total
    # capacity of up to 256 TiB". The API reference (CreateSnapshotGroup, help.aliyun.com/document_detail/210939.html):
    # "单个快照一致性组最多包括 16 块云盘(包括系统盘和数据盘), 且总容量不超过 32 TiB" (16 disks, 32 TiB at most), "目前快照
    # 一致性组只支持 ESSD 系列云盘(ESSD、ESSD AutoPL、ESSD Entry)" (the ESSD family only) and "开启多重挂载特性的云盘不支持
    # 创建快照一致性组" (no disk with multi-attach enabled). The user guide ("Create a snapshot-consistent group") allows
    # 128 disks and 256 TiB in some regions and regional ESSDs among themselves: the stricter rules hold everywhere.
    # With InstanceId, only disks attached to it ("Setting multiple cross-instance disk IDs is no longer supported").
    max_set_disks = GROUP_MAX_DISKS

    def members_refusal(self, disks: Sequence[Disk]) -> str | None:
        """The API reference's rules for CreateSnapshotGroup's disks (see max_set_disks), naming the disks."""
        # A disk read without its category (a caller that built it by id) is left to the cloud's own refusal.
        other = [
            '%s (%s)' % (disk.id, disk.category)
            for disk in disks
            if disk.category is not None and disk.category not in GROUP_CATEGORIES
        ]
        if other:
            return (
                'ECS makes a snapshot-consistent group of ESSD, ESSD AutoPL and ESSD Entry disks only (%s), not of %s'
                % (
                    ', '.join(GROUP_CATEGORIES),
                    ', '.join(other),
                )
            )
        shared = [disk.id for disk in disks if disk.multi_attach]
        if shared:
            return 'ECS makes no snapshot-consistent group of a disk with multi-attach enabled: %s' % ', '.join(shared)
        total = sum(disk.size or 0 for disk in disks)
        if total > GROUP_MAX_GIB:
            return 'ECS makes a snapshot-consistent group of %d GiB (32 TiB) at most; these disks hold %d GiB: %s' % (
                GROUP_MAX_GIB,
                total,
                ', '.join('%s %s GiB' % (disk.id, disk.size) for disk in disks),
            )
        return None

    def __init__(self, adapter: EcsCalls) -> None:
        self.adapter = adapter

    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        """ECS names a snapshot's group in DescribeSnapshotGroups alone (its Snapshots.Snapshot[].SnapshotId), not in
        DescribeSnapshots. For the disks of a few instances, one paged listing an instance (InstanceId); for more, one
        paged listing of the region's groups (MaxResults 1 to 100, DescribeSnapshotGroupsRequest), which costs a call a
        hundred groups where the listings by instance cost a call an instance; none for disks attached to none."""
        given = {snapshot.id for disk in disks for snapshot in snapshots.get(disk.id, ())}
        instances = sorted({disk.instance_id for disk in disks if disk.instance_id})
        selections = (
            [{'InstanceId': instance_id} for instance_id in instances]
            if len(instances) <= GROUP_LISTINGS_BY_INSTANCE
            else [{}]
        )
        sets: dict[str, str] = {}
        for selection in selections:
            for group in self._groups(region, selection):
                members = [str(member['SnapshotId']) for member in listed(group, 'Snapshots', 'Snapshot')]
                # A group's own id names it: a group with one of the given snapshots left (a member failed or deleted)
                # is still a set, a torn one.
                sets.update((member, str(group['SnapshotGroupId'])) for member in members if member in given)
        del set_tag  # ECS names its sets: a tag adds no evidence there
        return SetReading(sets=sets)

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        # Bad input fails before the call, naming the disks (the read phase refuses such a group first).
        refusal = self.members_refusal(disks)
        if len(disks) > GROUP_MAX_DISKS:
            refusal = 'ECS makes a snapshot-consistent group of %d disks at most, got %d' % (
                GROUP_MAX_DISKS,
                len(disks),
            )
        if refusal:
            raise InputError('consistency_groups', refusal)
        params: dict[str, Any] = {'RegionId': region, 'InstanceId': self.set_instance(disks)}
        params.update(numbered('DiskId', sorted(disk.id for disk in disks)))
        if name:
            params['Name'] = name
        if description:
            params['Description'] = description
        params.update(numbered_tags(string_tags(tags)))
        # A resend after a lost answer must not make a second group: the same call, the same token (as create_snapshot).
        identity = json.dumps(sorted((key, str(value)) for key, value in params.items()))
        params['ClientToken'] = CLIENT_TOKEN_PREFIX + hashlib.sha256(identity.encode('utf-8')).hexdigest()[:48]
        group_id = str(self.adapter.client.call('CreateSnapshotGroup', params, region)['SnapshotGroupId'])
        # The group's members, read back (DescribeSnapshotGroupsResponseBodySnapshotGroupsSnapshotGroupSnapshotsSnapshot:
        # SnapshotId, SourceDiskId, Progress, Tags).
        groups = list(self._groups(region, {'SnapshotGroupId.1': group_id}))
        if len(groups) != 1:
            raise CloudError(
                'DescribeSnapshotGroups',
                'InvalidSnapshotGroupId.NotFound',
                'the snapshot group %s that CreateSnapshotGroup made is not listed' % group_id,
                kind=RETRYABLE,
                region=region,
            )
        return group_id, [
            self._group_member(region, groups[0], member) for member in listed(groups[0], 'Snapshots', 'Snapshot')
        ]

    def _groups(self, region: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeSnapshotGroups item in ``region`` that ``params`` select, all pages."""
        return self.adapter.listing(
            region, 'DescribeSnapshotGroups', params, ('SnapshotGroups', 'SnapshotGroup'), GROUP_PAGE_SIZE
        )

    @staticmethod
    def _group_member(region: str, group: Mapping[str, Any], member: Mapping[str, Any]) -> Snapshot:
        """A member of a group as DescribeSnapshotGroups answers it: done at 100%; before, as its group's Status says
        (a member of a failed group that is not done failed)."""
        progress = str(member.get('Progress') or '').rstrip('%')
        # A snapshot's own words (DescribeSnapshots' Status), which DescribeSnapshotGroups gives its group alone.
        word = 'accomplished' if progress == '100' else 'failed' if group.get('Status') == 'failed' else 'progressing'
        return Snapshot(
            str(member['SnapshotId']),
            region,
            STATE_MAP[word],
            cloud_state=word,
            progress=int(progress) if progress.isdigit() else None,
            tags=tag_dict(member.get('Tags')),
            volume_id=member.get('SourceDiskId') or None,
            created=group.get('CreationTime'),
        )
