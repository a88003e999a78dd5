# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the DR adapter's snapshot sets part (dr/capabilities.py SnapshotSetAdapter; consistency groups,
issue 49, dr/groups.py): snapshot groups (CreateSnapshotGroup, DescribeSnapshotGroups).

Nothing in a snapshot names its group (cbs 2017-03-12 Snapshot): a group's members are its SnapshotIdSet (SnapshotGroup),
read with DescribeSnapshotGroups' snapshot-id filter ("按快照组内的快照ID过滤", Filters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.dr_model import Disk
from ...core.errors import FATAL, CloudError
from ...core.model import Snapshot
from ...core.tagging import tag_list
from ...dr.capabilities import SetReading, SnapshotSetAdapter
from ...engine.capabilities import id_batches
from .cbs import MAX_NAME, PAGE_SIZE
from .client import HINTS

if TYPE_CHECKING:
    from .cbs_api import CbsCalls

# DescribeSnapshotGroups' snapshot-id filter: the model sets no limit on a Filter's Values ("一个或者多个过滤值", cbs
# 2017-03-12 Filter; unverifiable whether the API has one), so a page's worth a call keeps a request bounded.
SNAPSHOT_IDS_PER_GROUP_FILTER = PAGE_SIZE


class CbsSets(SnapshotSetAdapter):
    """A set is a snapshot group of one instance's disks."""

    # CreateSnapshotGroup's DiskIds "必须选择挂载在同一实例上的盘列表" (disks attached to one instance: cbs 2017-03-12
    # CreateSnapshotGroupRequest; UnsupportedOperation.SnapshotGroupDiskAttachMultiInstance otherwise, errorcodes.py);
    # the model gives no most disks a group holds (max_set_disks None).
    sets_span_instances = False

    def __init__(self, adapter: CbsCalls) -> None:
        self.adapter = adapter

    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        del set_tag  # CBS names its sets
        given = sorted({snapshot.id for disk in disks for snapshot in snapshots.get(disk.id, ())})
        sets: dict[str, str] = {}
        not_consistent: dict[str, str] = {}
        for batch in id_batches(given, SNAPSHOT_IDS_PER_GROUP_FILTER):
            for group in self._snapshot_groups(region, 'snapshot-id', batch).values():
                # A group whose failed member vanished (CBS keeps the group, NORMAL, with the others) is still a set: a
                # torn one.
                sets.update(
                    (member, group['SnapshotGroupId']) for member in group.get('SnapshotIdSet') or [] if member in given
                )
                why = group_consistency(group.get('SnapshotGroupType'))
                if why:
                    not_consistent[group['SnapshotGroupId']] = why
        return SetReading(sets=sets, not_crash_consistent=not_consistent)

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        # No description on CBS; no token either: CreateSnapshotGroup is sent once (a lost answer is the caller's to
        # look up). The group's tags are bound to the group ("快照组需要绑定的标签列表", CreateSnapshotGroupRequest.Tags).
        self.set_instance(disks)
        params: dict[str, Any] = {'DiskIds': sorted(disk.id for disk in disks)}
        if name:
            # Each member is named after the group with _0, _1, ... (CreateSnapshotGroupRequest.SnapshotGroupName).
            params['SnapshotGroupName'] = name[: MAX_NAME - len('_%d' % len(disks))]
        if tags:
            params['Tags'] = tag_list(tags)
        try:
            group_id = self.adapter.client.call('cbs', region, 'CreateSnapshotGroup', params)['SnapshotGroupId']
        except CloudError as error:
            raise beta_refusal(error) from None
        groups = list(self._snapshot_groups(region, 'snapshot-group-id', [group_id]).values())
        members = groups[0].get('SnapshotIdSet') or [] if groups else []
        found = self.adapter.describe_with(self.adapter.client, region, members)
        return group_id, [found[member] for member in members if member in found]

    def _snapshot_groups(self, region: str, name: str, values: Sequence[str]) -> dict[str, dict[str, Any]]:
        """{group id: SnapshotGroup} for DescribeSnapshotGroups' filter ``name`` of ``values``, all pages (Limit at
        most 100, DescribeSnapshotGroupsRequest)."""
        return self.adapter.list_pages(
            region,
            'DescribeSnapshotGroups',
            'SnapshotGroupSet',
            'SnapshotGroupId',
            [{'Name': name, 'Values': list(values)}],
        )


# SnapshotGroup.SnapshotGroupType (tencentcloud-sdk-python cbs v20170312 models.py): "快照组类型。NORMAL: 普通快照组，非一致性快照"  # noqa: RUF003
# (the group's type; NORMAL: an ordinary snapshot group, not a consistent snapshot), its one documented value. The CBS
# user guide ("Creating Snapshot Group") says a group's snapshots keep "the write-order consistency and crash consistency"
# of the disks. Of the two, the stricter: a group is called crash-consistent only when its type says so, and no type
# the model documents does (issue 61).
CONSISTENT_GROUP_TYPES: frozenset[str] = frozenset()
GROUP_TYPE_WORDS = {'NORMAL': '普通快照组，非一致性快照 (an ordinary snapshot group, not a consistent snapshot)'}  # noqa: RUF001
# CreateSnapshotGroup's refusal to an account outside the beta. The user guide: "The snapshot group feature is currently
# in a limited beta testing phase. You can contact your account manager or submit a ticket to apply for access." The
# refusal's code is documented nowhere: the SDK's errorcodes.py lists UnauthorizedOperation ("未授权操作", an operation
# not authorised) and UnsupportedOperation ("操作不支持", not supported) without a sub-code, which are taken for it (an
# UnauthorizedOperation.<reason>, such as AuthFailure or MFAExpired, says its own reason).
BETA_REFUSALS = ('UnauthorizedOperation', 'UnsupportedOperation')


def group_consistency(group_type: str | None) -> str | None:
    """Why CBS does not call a group of SnapshotGroupType ``group_type`` crash-consistent (None: it does)."""
    if group_type in CONSISTENT_GROUP_TYPES:
        return None
    words = GROUP_TYPE_WORDS.get(group_type or '')
    return (
        'CBS gives the snapshot group the type %s%s, and no type its API model documents is a consistent snapshot'
        % (
            group_type or '(none)',
            ', "%s"' % words if words else '',
        )
    )


def beta_refusal(error: CloudError) -> CloudError:
    """``error`` of CreateSnapshotGroup, said for what it is when it may be the beta's refusal: the client's general
    hint (a CAM policy for copies) gives way to the two causes of this call's refusal."""
    if error.code not in BETA_REFUSALS:
        return error
    hint = HINTS.get(error.code)
    cloud_words = error.message
    if hint and cloud_words.endswith(hint[1:]):
        cloud_words = cloud_words[: -len(hint)].rstrip('. ')
    return CloudError(
        error.action,
        error.code,
        '%s. CBS snapshot groups are a limited beta that an account is admitted to on request (CBS user guide, '
        '"Creating Snapshot Group": contact your account manager or submit a ticket): until this account is, leave '
        'consistency_groups unset for Tencent. If it is, the key lacks cbs:CreateSnapshotGroup in its CAM policy: '
        'grant it' % cloud_words.rstrip('.'),
        request_id=error.request_id,
        kind=FATAL,
        region=error.region,
    )
