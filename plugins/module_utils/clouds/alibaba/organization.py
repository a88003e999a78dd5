# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud Resource Directory (ResourceManager 2020-03-31): the member accounts of the caller's directory, for
the dr_scopes inventory.

The calls are the management account's: GetResourceDirectory, then ListAccounts, 100 a page (the most its PageSize
takes), with IncludeTags: each row carries the account's tags and its ResourceDirectoryPath (the folders above it), so
one listing serves. Folder names only when a rule names a unit: ListFoldersForParent down the tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.organization import ACTIVE, UNKNOWN, MemberAccount, OrganizationRead, Unit
from ...core.paging import numbered_pages

if TYPE_CHECKING:
    from .client import AlibabaClient

SOURCE = 'alibaba-resource-directory'
# ListAccountsRequest.PageSize and ListFoldersForParentRequest.PageSize: "Valid values: 1 to 100".
PAGE = 100
# GetAccountResponseBodyAccount.Status: every word the model has names a member that exists (made, invited, or a
# resource account being made a cloud account, which keeps its resources). None is suspended or closed; a word the
# model does not have (a later state) is said, and the account left out.
MEMBER_STATUSES = frozenset(
    (
        'CreateSuccess',
        'InviteSuccess',
        'PromoteVerifying',
        'PromoteFailed',
        'PromoteExpired',
        'PromoteCancelled',
        'PromoteSuccess',
    )
)


def _pages(
    client: AlibabaClient, read: OrganizationRead, action: str, path: tuple[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every row of a PageNumber/PageSize listing; ``path`` is where its rows are (('Accounts', 'Account'))."""

    def call(page: dict[str, Any]) -> dict[str, Any]:
        read.count(action)
        return client.call_service('resourcemanager', action, page)

    def rows_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
        return (answer.get(path[0]) or {}).get(path[1]) or []

    return list(numbered_pages(call, params, rows_of, PAGE, total_field='TotalCount'))


def _walk_folders(client: AlibabaClient, read: OrganizationRead, root: str) -> None:
    read.units[root] = Unit(root, 'Root', None)
    pending = [root]
    while pending:
        parent = pending.pop()
        for folder in _pages(client, read, 'ListFoldersForParent', ('Folders', 'Folder'), ParentFolderId=parent):
            read.units[folder['FolderId']] = Unit(folder['FolderId'], folder.get('FolderName') or '', parent)
            pending.append(folder['FolderId'])


def _units(read: OrganizationRead, row: dict[str, Any]) -> tuple[str, ...]:
    """The folders above the account, its own first: from its ResourceDirectoryPath (directory/root/folders/account),
    else from its FolderId and the folders walked."""
    path = [part for part in str(row.get('ResourceDirectoryPath') or '').split('/') if part]
    if len(path) >= 3:
        return tuple(reversed(path[1:-1]))
    return read.ancestors(row.get('FolderId'))


def read_organization(client: AlibabaClient, *, with_units: bool, with_tags: bool) -> OrganizationRead:
    """The resource directory of ``client``'s account: every member, with its folders and tags (one listing gives both;
    the folders' names are walked only ``with_units``)."""
    read = OrganizationRead(SOURCE, '')
    read.count('GetResourceDirectory')
    directory = client.call_service('resourcemanager', 'GetResourceDirectory', {}).get('ResourceDirectory') or {}
    read.management_account = str(directory.get('MasterAccountId') or '')
    if with_units and directory.get('RootFolderId'):
        _walk_folders(client, read, directory['RootFolderId'])
    for row in _pages(client, read, 'ListAccounts', ('Accounts', 'Account'), IncludeTags='true'):
        status = row.get('Status') or UNKNOWN
        read.accounts.append(
            MemberAccount(
                account=str(row['AccountId']),
                name=row.get('DisplayName') or str(row['AccountId']),
                state=ACTIVE if status in MEMBER_STATUSES else status,
                units=_units(read, row) if with_units else (),
                tags={tag['Key']: tag.get('Value', '') for tag in (row.get('Tags') or {}).get('Tag') or []}
                if with_tags
                else None,
                why='ListAccounts answers no Status for it' if status == UNKNOWN else None,
            )
        )
    read.require_states('ListAccounts', 'AccountStatusMissing', 'a Status')
    return read
