# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud Organization (2021-03-31): the members of the caller's organisation, for the dr_scopes inventory.

The calls are the manager's: DescribeOrganization, then DescribeOrganizationMembers, 50 a page (the most its Limit
takes; Offset a multiple of Limit): each member carries its tags (OrgMember.Tags) and its node. The nodes, with their
parents, only when a rule names a unit: DescribeOrganizationNodes, one listing of them all.

OrgMember has no state of a suspended or closed member. It has PermissionStatus, which says whether the member has
confirmed the permissions the organisation holds over it (tencentcloud-sdk-python organization 2021-03-31 models,
OrgMember.PermissionStatus: "成员权限状态 已确认：Confirmed ，待确认：UnConfirmed", the member's permission state:
confirmed, or waiting to be confirmed): a member is active when it is Confirmed, and one that is not gets no scope, with
the reason in the organisation's record. BindStatus ("安全信息绑定状态  未绑定：Unbound，待激活：Valid，绑定成功：Success，
绑定失败：Failed", whether the member's security information is bound) says nothing of what the organisation may do in
the member: it decides nothing here.
"""  # noqa: RUF002  # the model's own words, quoted

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.organization import ACTIVE, UNKNOWN, MemberAccount, OrganizationRead, Unit
from ...core.paging import offset_pages

if TYPE_CHECKING:
    from .client import TencentClient

SOURCE = 'tencent-organization'
# Organization is one endpoint; its calls name no region (the SDK's examples leave it empty).
REGION = ''
# DescribeOrganizationMembersRequest.Limit and DescribeOrganizationNodesRequest.Limit: 1 to 50.
PAGE = 50
# OrgMember.PermissionStatus: "已确认：Confirmed", the one word of a member whose permissions hold.  # noqa: RUF003
CONFIRMED = 'Confirmed'


def _pages(client: TencentClient, read: OrganizationRead, action: str, **params: Any) -> list[dict[str, Any]]:
    def call(page: dict[str, Any]) -> dict[str, Any]:
        read.count(action)
        return client.call('organization', REGION, action, page)

    return list(offset_pages(call, params, lambda answer: answer.get('Items') or [], PAGE, total_field='Total'))


def member_state(member: dict[str, Any]) -> tuple[str, str | None]:
    """(ACTIVE, None) for a Confirmed member, else (its PermissionStatus or UNKNOWN, why it gets no scope)."""
    status = member.get('PermissionStatus')
    if status == CONFIRMED:
        return ACTIVE, None
    if not status:
        # The API reference's OrgMember once said of its fields "This field may return null"; the SDK's model no more.
        return UNKNOWN, 'DescribeOrganizationMembers answers no PermissionStatus for it (Confirmed or UnConfirmed)'
    return str(status), (
        'its PermissionStatus is %s: the member has not confirmed the permissions the organisation holds over it '
        '(BindStatus %s)' % (status, member.get('BindStatus') or 'not answered')
    )


def read_organization(client: TencentClient, *, with_units: bool, with_tags: bool) -> OrganizationRead:
    """The organisation of ``client``'s account: every member, with its nodes (``with_units``), tags and state
    (``member_state``)."""
    read = OrganizationRead(SOURCE, '')
    read.count('DescribeOrganization')
    organization = client.call('organization', REGION, 'DescribeOrganization', {'Lang': 'en'})
    read.management_account = str(organization.get('HostUin') or '')
    if with_units:
        for node in _pages(client, read, 'DescribeOrganizationNodes'):
            parent = node.get('ParentNodeId')
            read.units[str(node['NodeId'])] = Unit(
                str(node['NodeId']), node.get('Name') or '', str(parent) if parent else None
            )
    for member in _pages(client, read, 'DescribeOrganizationMembers', Lang='en'):
        state, why = member_state(member)
        read.accounts.append(
            MemberAccount(
                account=str(member['MemberUin']),
                name=member.get('Name') or str(member['MemberUin']),
                state=state,
                why=why,
                units=read.ancestors(str(member['NodeId'])) if with_units and member.get('NodeId') else (),
                tags={tag['TagKey']: tag.get('TagValue', '') for tag in member.get('Tags') or []}
                if with_tags
                else None,
            )
        )
    read.require_states('DescribeOrganizationMembers', 'PermissionStatusMissing', 'a PermissionStatus')
    return read
