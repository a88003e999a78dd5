# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud Organization (2021-03-31): the members of the caller's organisation, for the dr_scopes inventory.

The calls are the manager's: DescribeOrganization, then DescribeOrganizationMembers, 50 a page (the most its Limit
takes; Offset a multiple of Limit): each member carries its tags (OrgMember.Tags) and its node. The nodes, with their
parents, only when a rule names a unit: DescribeOrganizationNodes, one listing of them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.organization import ACTIVE, MemberAccount, OrganizationRead, Unit

if TYPE_CHECKING:
    from .client import TencentClient

SOURCE = 'tencent-organization'
# Organization is one endpoint; its calls name no region (the SDK's examples leave it empty).
REGION = ''
# DescribeOrganizationMembersRequest.Limit and DescribeOrganizationNodesRequest.Limit: 1 to 50.
PAGE = 50


def _pages(client: TencentClient, read: OrganizationRead, action: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        read.count(action)
        answer = client.call('organization', REGION, action, dict(params, Offset=len(items), Limit=PAGE))
        page = answer.get('Items') or []
        items.extend(page)
        if len(page) < PAGE or len(items) >= int(answer.get('Total') or 0):
            return items


def read_organization(client: TencentClient, *, with_units: bool, with_tags: bool) -> OrganizationRead:
    """The organisation of ``client``'s account: every member, with its nodes (``with_units``) and tags. Organization
    says no member is suspended or closed (OrgMember has no such state): every member listed is active."""
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
        read.accounts.append(
            MemberAccount(
                account=str(member['MemberUin']),
                name=member.get('Name') or str(member['MemberUin']),
                state=ACTIVE,
                units=read.ancestors(str(member['NodeId'])) if with_units and member.get('NodeId') else (),
                tags={tag['TagKey']: tag.get('TagValue', '') for tag in member.get('Tags') or []}
                if with_tags
                else None,
            )
        )
    return read
