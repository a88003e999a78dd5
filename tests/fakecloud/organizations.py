"""The member accounts of an organisation: Alibaba Cloud Resource Directory (ResourceManager 2020-03-31, RPC) and
Tencent Cloud Organization (2021-03-31, API 3.0), for an inventory that lists them.

Fields and parameters: ``alibabacloud-resourcemanager20200331`` ``<Action>Request``/``<Action>ResponseBody`` and
``tencentcloud-sdk-python-organization`` ``tencentcloud.organization.v20210331.models`` (checked by
tests/test_conformance.py). The state is seeded only (``/_admin/seed`` ``resource_directory`` / ``organization``, see
``seed_directory`` and ``seed_organization``); nothing here changes it.

Resource Directory, from the model and the API reference (its metadata, ``ResourceManager`` 2020-03-31
``errorCodes``):
- ListAccounts, ListAccountsForParent, ListFoldersForParent: PageNumber (from 1, default 1), PageSize ("Valid values: 1
  to 100. Default value: 10."), TotalCount; Tag.N filters and IncludeTags on the two account lists;
- only the management account may list ("You can use only the management account of a resource directory or a
  delegated administrator account of a trusted service to call this operation", ListAccounts' reference). The one code
  the reference documents for ListAccounts is ``EntityNotExists.ResourceDirectory`` (404, "The resource directory for
  the account is not enabled"); ListAccountsForParent adds ``InvalidParameter.ParentFolderId`` (400) and
  ``EntityNotExists.Folder`` (404);
- GetResourceDirectory answers a member the directory it belongs to (its summary: "成员调用时，返回成员所属的资源目录详情"),
  and an account in none ``ResourceDirectoryNotInUse`` (404);
- a member's Status is one of GetAccountResponseBodyAccount.Status's words (CreateSuccess, PromoteVerifying,
  PromoteFailed, PromoteExpired, PromoteCancelled, PromoteSuccess, InviteSuccess); the model documents no suspended or
  closed member (nor does ListAccounts' reference), so fakecloud has none. Type CloudAccount / ResourceAccount,
  JoinMethod invited / created (the same model).

Unverifiable, chosen here: that a member account (or an account outside the directory) calling the lists gets
``EntityNotExists.ResourceDirectory`` (the only code ListAccounts documents; no page says what a member gets); that
ListFoldersForParent's codes are ListAccountsForParent's; the code of a PageSize or PageNumber out of range
(``InvalidParameter``); that several Tag.N filters must all match, a Tag.N.Key alone matching any value; that
QueryKeyword is a case-insensitive substring of the display name (or of the account id, for accounts); that an empty
ParentFolderId of ListAccountsForParent means the Root folder (ListFoldersForParent documents it); the order of the
lists (join time, then id); that the management account is listed as a member of the Root folder (Type CloudAccount,
JoinMethod invited, Status InviteSuccess) unless the seed lists it; the id shapes (``rd-`` and 6 characters, ``r-`` and
4, ``fd-`` and 10: the reference's examples).

Tencent Organization, from the model and tencentcloud-sdk-go ``organization/v20210331/client.go`` (the codes each
action "may return"):
- DescribeOrganizationMembers: Offset ("a multiple of limit", default 0), Limit ("1~50, default 10"), Total; Tags ("at
  most 10"), SearchKey ("member name or member ID"), NodeId, NodeName, Lang; codes InvalidParameter,
  ResourceNotFound.OrganizationNodeNotExist, ResourceNotFound.OrganizationNotExist;
- DescribeOrganizationNodes: Offset (a multiple of limit), Limit ("at most 50"), Tags (at most 10), Total; codes
  InvalidParameter, ResourceNotFound.OrganizationNotExist;
- DescribeOrganization: any member; IsManager says whether the caller is the organisation's manager.
- a member's PermissionStatus (Confirmed / UnConfirmed), BindStatus (Unbound, Valid, Success, Failed), MemberType
  (Invite / Create) and IsAllowQuit (Allow / Denied) are OrgMember's documented words. OrgMember has no state of a
  suspended or closed member.

Unverifiable, chosen here: that a member that is not the manager gets ``InvalidParameter.OrganizationMemberNotManager``
from the two lists (errorcodes.py: "该成员不是企业管理员", "this member is not the organisation's manager"; client.go lists
it for neither action); an account in no organisation ``ResourceNotFound.OrganizationNotExist`` (listed for all three);
an Offset that is not a multiple of Limit, a Limit out of range, more than 10 Tags: ``InvalidParameter``;
DescribeOrganizationNodes' default Limit (10, as the members'); that the Root node is listed with ParentNodeId 0; that
NodeId filters the node's own members (not its sub-nodes'); that SearchKey is a case-insensitive substring of the name or
of the uin; the order (creation time, then uin or node id); that the manager is listed as a member of the Root node
unless the seed lists it; OrgType (1) and OrgPolicyType (``Financial``, the one value the model names).
"""

from __future__ import annotations

import calendar
import time

from . import rpc_params as p
from .actions import action
from .errors import CloudError
from .resources import iso_z, match_tags, tc_time

# ---------------------------------------------------------------------- Resource Directory (Alibaba)
# GetAccountResponseBodyAccount.Status, .Type, .JoinMethod (alibabacloud-resourcemanager20200331).
ACCOUNT_STATUSES = (
    'CreateSuccess',
    'PromoteVerifying',
    'PromoteFailed',
    'PromoteExpired',
    'PromoteCancelled',
    'PromoteSuccess',
    'InviteSuccess',
)
ACCOUNT_TYPES = ('CloudAccount', 'ResourceAccount')
JOIN_METHODS = ('invited', 'created')
RD_MAX_PAGE_SIZE = 100  # ListAccountsRequest.PageSize: "Valid values: 1 to 100. Default value: 10."
RD_DEFAULT_PAGE_SIZE = 10
NOT_ENABLED = (
    'EntityNotExists.ResourceDirectory',
    'The resource directory for the account is not enabled. '
    'We recommend that you first enable the resource directory for the account.',
    404,
)


def _parse_time(value, now: float) -> float:
    if value in (None, ''):
        return now
    return float(calendar.timegm(time.strptime(str(value).rstrip('Z')[:19], '%Y-%m-%dT%H:%M:%S')))


def _directory(call, members_too: bool = False) -> dict:
    """The resource directory the caller manages (or, ``members_too``, belongs to)."""
    rd = call.store.resource_directory
    if rd is not None and (call.account == rd['management'] or (members_too and call.account in rd['accounts'])):
        return rd
    if members_too:
        raise CloudError(
            'ResourceDirectoryNotInUse',
            'The specified account is not an Alibaba Cloud account or a member account of the resource directory.',
            404,
        )
    raise CloudError(*NOT_ENABLED)


def _folder(rd: dict, folder_id: str | None) -> dict:
    """A folder of ``rd`` by id; empty: the Root folder."""
    if not folder_id:
        return rd['folders'][rd['root']]
    if not (folder_id.startswith('r-') or folder_id.startswith('fd-')):
        raise CloudError('InvalidParameter.ParentFolderId', 'The ParentFolderId is invalid.')
    if folder_id not in rd['folders']:
        raise CloudError('EntityNotExists.Folder', 'The resource directory folder does not exist.', 404)
    return rd['folders'][folder_id]


def _folder_path(rd: dict, folder_id: str) -> list:
    path = []
    while folder_id:
        path.append(folder_id)
        folder_id = rd['folders'][folder_id]['parent']
    return [rd['id'], *reversed(path)]


def _render_account(rd: dict, account: dict, tags: bool, path: bool) -> dict:
    row = {
        'AccountId': account['id'],
        'DisplayName': account['name'],
        'FolderId': account['folder'],
        'JoinMethod': account['join_method'],
        'JoinTime': iso_z(account['joined']),
        'ModifyTime': iso_z(account['modified']),
        'ResourceDirectoryId': rd['id'],
        'Status': account['status'],
        'Type': account['type'],
    }
    if path:  # ListAccountsResponseBodyAccountsAccount has it, ListAccountsForParent's does not
        row['ResourceDirectoryPath'] = '/'.join([*_folder_path(rd, account['folder']), account['id']])
    if tags:
        row['Tags'] = {'Tag': [{'Key': key, 'Value': value} for key, value in account['tags'].items()]}
    return row


def _matches_keyword(keyword: str | None, *texts: str) -> bool:
    return not keyword or any(keyword.lower() in text.lower() for text in texts)


def _page(prm: dict, rows: list) -> tuple:
    """PageNumber/PageSize paging (the models' ranges); answers (rows of the page, the paging fields)."""
    chunk, extra = p.page(prm, rows, default_size=RD_DEFAULT_PAGE_SIZE, max_size=RD_MAX_PAGE_SIZE)
    return chunk, {'PageNumber': extra['PageNumber'], 'PageSize': extra['PageSize'], 'TotalCount': extra['TotalCount']}


def _accounts(call, rd: dict, folder: str | None, keyword: str | None, path: bool) -> dict:
    prm = call.params
    wanted = p.tag_filters(prm)
    rows = [
        account
        for account in sorted(rd['accounts'].values(), key=lambda account: (account['joined'], account['id']))
        if (folder is None or account['folder'] == folder)
        and match_tags(account['tags'], wanted)
        and _matches_keyword(keyword, account['name'], account['id'])
    ]
    include_tags = p.boolean(prm, 'IncludeTags')
    chunk, extra = _page(prm, rows)
    return dict(extra, Accounts={'Account': [_render_account(rd, row, include_tags, path) for row in chunk]})


def list_accounts(call) -> dict:
    return _accounts(call, _directory(call), None, None, path=True)


def list_accounts_for_parent(call) -> dict:
    rd = _directory(call)
    folder = _folder(rd, p.text(call.params, 'ParentFolderId'))
    return _accounts(call, rd, folder['id'], p.text(call.params, 'QueryKeyword'), path=False)


def list_folders_for_parent(call) -> dict:
    rd = _directory(call)
    parent = _folder(rd, p.text(call.params, 'ParentFolderId'))
    keyword = p.text(call.params, 'QueryKeyword')
    rows = [
        folder
        for folder in sorted(rd['folders'].values(), key=lambda folder: (folder['created'], folder['id']))
        if folder['parent'] == parent['id'] and _matches_keyword(keyword, folder['name'])
    ]
    chunk, extra = _page(call.params, rows)
    folders = [
        {'FolderId': folder['id'], 'FolderName': folder['name'], 'CreateTime': iso_z(folder['created'])}
        for folder in chunk
    ]
    return dict(extra, Folders={'Folder': folders})


def get_resource_directory(call) -> dict:
    rd = _directory(call, members_too=True)
    return {
        'ResourceDirectory': {
            'ControlPolicyStatus': 'Disabled',
            'CreateTime': iso_z(rd['created']),
            'IdentityInformation': '',
            'MasterAccountId': rd['management'],
            'MasterAccountName': rd['management_name'],
            'MemberDeletionStatus': 'Disabled',
            'ResourceDirectoryId': rd['id'],
            'RootFolderId': rd['root'],
        }
    }


def _one_of(value, allowed: tuple, what: str):
    if value not in allowed:
        raise ValueError('%s %r is not one of %s' % (what, value, ', '.join(map(str, allowed))))
    return value


def _reference(table: dict, ref, root, what: str):
    """A folder or node by id or name (``ref``); None or empty: the root."""
    if ref in (None, ''):
        return root
    if ref in table or str(ref) in table:
        return ref if ref in table else str(ref)
    if isinstance(ref, str) and ref.isdigit() and int(ref) in table:
        return int(ref)
    named = [key for key, record in table.items() if record['name'] == ref]
    if len(named) != 1:
        raise ValueError('%s %r: %s' % (what, ref, 'no such one' if not named else 'several have that name'))
    return named[0]


def _generated(spec: dict) -> list:
    """The ``generate`` block(s) of a seed: [{count, prefix, folders|nodes, tags, status, ...}]."""
    blocks = spec.get('generate') or []
    return [blocks] if isinstance(blocks, dict) else list(blocks)


def _numbered(prefix: str, names: list, pending: list) -> int:
    """How many names ``<prefix>-NNNN`` there are already (seeded, or pending in this seed): generated names go on."""
    return sum(1 for name in [*names, *(spec.get('name') or '' for spec in pending)] if name.startswith(prefix + '-'))


def seed_directory(store, spec: dict, now: float) -> dict:
    """``{"resource_directory": {...}}`` of /_admin/seed: made on the first seed, added to by the next ones.

    Keys: ``management_account`` (default: the default Alibaba account), ``management_name``, ``id``,
    ``root_folder_id``, ``created`` (ISO); ``folders``: [{"id"?, "name", "parent"? (a folder id or name; default
    Root), "created"?}]; ``accounts``: [{"id"?, "name"?, "folder"? (id or name; default Root), "status"?
    (CreateSuccess), "type"? (ResourceAccount), "join_method"? (created), "tags"? {k: v}, "joined"? ISO}];
    ``generate``: {"count", "prefix"? ("member"), "folders"? [ids or names, in turn], "tags"?, "status"?, "type"?,
    "join_method"?} or a list of them. Answers the ids made."""
    rd = store.resource_directory
    management = str(spec.get('management_account') or store.config['accounts']['alibaba'])
    if rd is None:
        root = spec.get('root_folder_id') or store.new_id('ecs', 'r-', 4)
        created = _parse_time(spec.get('created'), now - 86400 * 365)
        rd = store.resource_directory = {
            'id': spec.get('id') or store.new_id('ecs', 'rd-', 6),
            'root': root,
            'management': management,
            'management_name': spec.get('management_name') or 'management@example.com',
            'created': created,
            'folders': {root: {'id': root, 'name': 'Root', 'parent': None, 'created': created}},
            'accounts': {},
        }
    elif spec.get('management_account') and management != rd['management']:
        raise ValueError('the resource directory is managed by %s already' % rd['management'])
    out: dict = {'id': rd['id'], 'root_folder_id': rd['root'], 'folders': [], 'accounts': []}
    for folder in spec.get('folders', []):
        folder_id = folder.get('id') or store.new_id('ecs', 'fd-', 10)
        parent = _reference(rd['folders'], folder.get('parent'), rd['root'], 'folder')
        rd['folders'][folder_id] = {
            'id': folder_id,
            'name': str(folder.get('name') or folder_id),
            'parent': parent,
            'created': _parse_time(folder.get('created'), rd['created'] + len(rd['folders'])),  # made in turn
        }
        out['folders'].append(folder_id)
    specs = list(spec.get('accounts', []))
    for block in _generated(spec):
        folders = block.get('folders') or [None]
        prefix = block.get('prefix') or 'member'
        start = _numbered(prefix, [account['name'] for account in rd['accounts'].values()], specs)
        specs += [
            dict(
                {key: block[key] for key in ('tags', 'status', 'type', 'join_method') if key in block},
                name='%s-%04d' % (prefix, start + index + 1),
                folder=folders[index % len(folders)],
            )
            for index in range(int(block['count']))
        ]
    for account in specs:
        account_id = str(account.get('id') or '18%014d' % (len(rd['accounts']) + 1))
        joined = _parse_time(account.get('joined'), rd['created'] + len(rd['accounts']) + 1)
        rd['accounts'][account_id] = _directory_account(rd, account_id, account, joined)
        out['accounts'].append(account_id)
    if management not in rd['accounts']:
        # The management account is a member of its directory, in the Root folder (unverifiable, see above).
        invited = {
            'name': rd['management_name'],
            'status': 'InviteSuccess',
            'type': 'CloudAccount',
            'join_method': 'invited',
        }
        rd['accounts'][management] = _directory_account(rd, management, invited, rd['created'])
    return out


def _directory_account(rd: dict, account_id: str, account: dict, joined: float) -> dict:
    """A member of the directory, as a seed's account describes it (the model's words checked)."""
    return {
        'id': account_id,
        'name': str(account.get('name') or account_id),
        'folder': _reference(rd['folders'], account.get('folder'), rd['root'], 'folder'),
        'status': _one_of(account.get('status', 'CreateSuccess'), ACCOUNT_STATUSES, 'status'),
        'type': _one_of(account.get('type', 'ResourceAccount'), ACCOUNT_TYPES, 'type'),
        'join_method': _one_of(account.get('join_method', 'created'), JOIN_METHODS, 'join_method'),
        'tags': {str(key): str(value) for key, value in (account.get('tags') or {}).items()},
        'joined': joined,
        'modified': joined,
    }


_PAGED = ('PageNumber', 'PageSize')
_TAGS = ('Tag.N.Key', 'Tag.N.Value', 'IncludeTags')
RESOURCE_DIRECTORY_ACTIONS = {
    'ListAccounts': action(list_accounts, False, *_PAGED, *_TAGS),
    'ListAccountsForParent': action(list_accounts_for_parent, False, 'ParentFolderId', 'QueryKeyword', *_PAGED, *_TAGS),
    'ListFoldersForParent': action(list_folders_for_parent, False, 'ParentFolderId', 'QueryKeyword', *_PAGED),
    'GetResourceDirectory': action(get_resource_directory, False),
}


# ---------------------------------------------------------------------- Organization (Tencent)
# OrgMember's documented words (tencentcloud.organization.v20210331.models).
PERMISSION_STATUSES = ('Confirmed', 'UnConfirmed')
BIND_STATUSES = ('Unbound', 'Valid', 'Success', 'Failed')
MEMBER_TYPES = ('Invite', 'Create')
QUIT_WORDS = ('Allow', 'Denied')
LANGS = ('en', 'zh')
ORG_MAX_LIMIT = 50  # DescribeOrganizationMembersRequest.Limit "1~50", DescribeOrganizationNodesRequest.Limit "最大50"
ORG_DEFAULT_LIMIT = 10
ORG_MAX_TAGS = 10  # "成员标签搜索列表，最大10个", "部门标签搜索列表，最大10个"
POLICY_TYPE, POLICY_NAME = 'Financial', '财务管理'  # DescribeOrganizationResponse.OrgPolicyType: "财务管理：Financial"


def _bad(name: str, detail: str = '') -> CloudError:
    # InvalidParameter: the one parameter code client.go lists for the three actions.
    return CloudError('InvalidParameter', ('The parameter `%s` is invalid. %s' % (name, detail)).strip(), 200)


def _organization(call, manager_only: bool = True) -> dict:
    org = call.store.organization
    if org is None or (call.account != org['manager'] and call.account not in org['members']):
        raise CloudError('ResourceNotFound.OrganizationNotExist', 'The organization does not exist.', 200)
    if manager_only and call.account != org['manager']:
        raise CloudError(
            'InvalidParameter.OrganizationMemberNotManager', 'The member is not the manager of the organization.', 200
        )
    return org


def _integer(prm: dict, name: str, default: int, low: int, high: int | None = None) -> int:
    value = prm.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        raise _bad(name, 'Valid range: %s-%s.' % (low, high if high is not None else 'unbounded'))
    return value


def _text(prm: dict, name: str) -> str | None:
    value = prm.get(name)
    if value is not None and not isinstance(value, str):
        raise _bad(name)
    return value or None


def _tc_page(prm: dict, rows: list) -> list:
    limit = _integer(prm, 'Limit', ORG_DEFAULT_LIMIT, 1, ORG_MAX_LIMIT)
    offset = _integer(prm, 'Offset', 0, 0)
    if offset % limit:
        raise _bad('Offset', 'Offset must be a multiple of Limit.')  # "取值是limit的整数倍"
    return rows[offset : offset + limit]


def _tag_filter(prm: dict) -> list:
    tags = prm.get('Tags') or []
    if not isinstance(tags, list) or len(tags) > ORG_MAX_TAGS:
        raise _bad('Tags', 'At most %d tags.' % ORG_MAX_TAGS)
    wanted = []
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get('TagKey'), str) or not tag['TagKey']:
            raise _bad('Tags.TagKey')
        value = tag.get('TagValue')
        wanted.append((tag['TagKey'], value if value not in (None, '') else None))
    return wanted


def _lang(prm: dict) -> None:
    lang = _text(prm, 'Lang')
    if lang is not None and lang not in LANGS:
        raise _bad('Lang', 'en or zh.')  # "国际站：en，国内站：zh"


def _tags(tags: dict) -> list:
    return [{'TagKey': key, 'TagValue': value} for key, value in tags.items()]


def _render_member(org: dict, member: dict) -> dict:
    node = org['nodes'][member['node']]
    return {
        'MemberUin': int(member['uin']),
        'Name': member['name'],
        'MemberType': member['member_type'],
        'OrgPolicyType': POLICY_TYPE,
        'OrgPolicyName': POLICY_NAME,
        'OrgPermission': [],
        'NodeId': node['id'],
        'NodeName': node['name'],
        'Remark': member['remark'],
        'CreateTime': tc_time(member['created']),
        'UpdateTime': tc_time(member['created']),
        'IsAllowQuit': member['is_allow_quit'],
        'PayUin': '',
        'PayName': '',
        'OrgIdentity': [],
        'BindStatus': member['bind_status'],
        'PermissionStatus': member['permission_status'],
        'Tags': _tags(member['tags']),
        'NickName': member['name'],
    }


def describe_organization_members(call) -> dict:
    org = _organization(call)
    prm = call.params
    _lang(prm)
    wanted = _tag_filter(prm)
    search, node_name = _text(prm, 'SearchKey'), _text(prm, 'NodeName')
    node_id = prm.get('NodeId')
    if node_id is not None:
        if not isinstance(node_id, int) or isinstance(node_id, bool):
            raise _bad('NodeId')
        if node_id not in org['nodes']:
            raise CloudError('ResourceNotFound.OrganizationNodeNotExist', 'The organization node does not exist.', 200)
    rows = [
        member
        for member in sorted(org['members'].values(), key=lambda member: (member['created'], int(member['uin'])))
        if (node_id is None or member['node'] == node_id)
        and (node_name is None or org['nodes'][member['node']]['name'] == node_name)
        and match_tags(member['tags'], wanted)
        and _matches_keyword(search, member['name'], member['uin'])
    ]
    return {'Items': [_render_member(org, member) for member in _tc_page(prm, rows)], 'Total': len(rows)}


def describe_organization_nodes(call) -> dict:
    org = _organization(call)
    wanted = _tag_filter(call.params)
    rows = [
        node
        for node in sorted(org['nodes'].values(), key=lambda node: (node['created'], node['id']))
        if match_tags(node['tags'], wanted)
    ]
    items = [
        {
            'NodeId': node['id'],
            'Name': node['name'],
            'ParentNodeId': node['parent'] or 0,
            'Remark': node['remark'],
            'CreateTime': tc_time(node['created']),
            'UpdateTime': tc_time(node['created']),
            'Tags': _tags(node['tags']),
        }
        for node in _tc_page(call.params, rows)
    ]
    return {'Items': items, 'Total': len(rows)}


def describe_organization(call) -> dict:
    org = _organization(call, manager_only=False)
    _lang(call.params)
    member = org['members'].get(call.account) or {'created': org['created'], 'is_allow_quit': 'Denied'}
    return {
        'OrgId': org['id'],
        'HostUin': int(org['manager']),
        'NickName': org['manager_name'],
        'OrgType': 1,
        'IsManager': call.account == org['manager'],
        'OrgPolicyType': POLICY_TYPE,
        'OrgPolicyName': POLICY_NAME,
        'OrgPermission': [],
        'RootNodeId': org['root'],
        'CreateTime': tc_time(org['created']),
        'JoinTime': tc_time(member['created']),
        'IsAllowQuit': member['is_allow_quit'],
        'PayUin': '',
        'PayName': '',
        'IsAssignManager': False,
        'IsAuthManager': False,
    }


def seed_organization(store, spec: dict, now: float) -> dict:
    """``{"organization": {...}}`` of /_admin/seed: made on the first seed, added to by the next ones.

    Keys: ``management_uin`` (default: the default Tencent account), ``management_name``, ``id`` (OrgId),
    ``root_node_id``, ``created`` (ISO); ``nodes``: [{"id"?, "name", "parent"? (a node id or name; default Root),
    "tags"?, "created"?}]; ``members``: [{"uin"?, "name"?, "node"? (id or name; default Root), "member_type"?
    (Create), "permission_status"? (Confirmed), "bind_status"? (Success), "is_allow_quit"? (Allow), "remark"?,
    "tags"? {k: v}, "created"? ISO}]; ``generate``: {"count", "prefix"? ("member"), "nodes"? [ids or names, in
    turn], "tags"?, "permission_status"?, ...} or a list of them. Answers the ids made (node ids and uins are
    numbers)."""
    org = store.organization
    manager = str(spec.get('management_uin') or store.config['accounts']['tencent'])
    if org is None:
        created = _parse_time(spec.get('created'), now - 86400 * 365)
        root = int(spec.get('root_node_id') or 2000000)
        org = store.organization = {
            'id': int(spec.get('id') or 45000001),
            'root': root,
            'manager': manager,
            'manager_name': spec.get('management_name') or 'organization-manager',
            'created': created,
            'nodes': {root: {'id': root, 'name': 'Root', 'parent': None, 'remark': '', 'tags': {}, 'created': created}},
            'members': {},
        }
    elif spec.get('management_uin') and manager != org['manager']:
        raise ValueError('the organization is managed by %s already' % org['manager'])
    out: dict = {'id': org['id'], 'root_node_id': org['root'], 'nodes': [], 'members': []}
    for node in spec.get('nodes', []):
        node_id = int(node.get('id') or max(org['nodes']) + 1)
        org['nodes'][node_id] = {
            'id': node_id,
            'name': str(node.get('name') or node_id),
            'parent': _reference(org['nodes'], node.get('parent'), org['root'], 'node'),
            'remark': str(node.get('remark') or ''),
            'tags': {str(key): str(value) for key, value in (node.get('tags') or {}).items()},
            'created': _parse_time(node.get('created'), org['created'] + len(org['nodes'])),  # made in turn
        }
        out['nodes'].append(node_id)
    specs = list(spec.get('members', []))
    keys = ('tags', 'member_type', 'permission_status', 'bind_status', 'is_allow_quit')
    for block in _generated(spec):
        nodes = block.get('nodes') or [None]
        prefix = block.get('prefix') or 'member'
        start = _numbered(prefix, [member['name'] for member in org['members'].values()], specs)
        specs += [
            dict(
                {key: block[key] for key in keys if key in block},
                name='%s-%04d' % (prefix, start + index + 1),
                node=nodes[index % len(nodes)],
            )
            for index in range(int(block['count']))
        ]
    for member in specs:
        uin = str(member.get('uin') or 300000000000 + len(org['members']) + 1)
        created = _parse_time(member.get('created'), org['created'] + len(org['members']) + 1)
        org['members'][uin] = _organization_member(org, uin, member, created)
        out['members'].append(int(uin))
    if manager not in org['members']:
        # The manager is a member of its organisation, in the Root node (unverifiable, see above).
        org['members'][manager] = _organization_member(
            org, manager, {'name': org['manager_name'], 'is_allow_quit': 'Denied'}, org['created']
        )
    return out


def _organization_member(org: dict, uin: str, member: dict, created: float) -> dict:
    """A member of the organisation, as a seed's member describes it (the model's words checked)."""
    return {
        'uin': uin,
        'name': str(member.get('name') or uin),
        'node': _reference(org['nodes'], member.get('node'), org['root'], 'node'),
        'member_type': _one_of(member.get('member_type', 'Create'), MEMBER_TYPES, 'member_type'),
        'permission_status': _one_of(
            member.get('permission_status', 'Confirmed'), PERMISSION_STATUSES, 'permission_status'
        ),
        'bind_status': _one_of(member.get('bind_status', 'Success'), BIND_STATUSES, 'bind_status'),
        'is_allow_quit': _one_of(member.get('is_allow_quit', 'Allow'), QUIT_WORDS, 'is_allow_quit'),
        'remark': str(member.get('remark') or ''),
        'tags': {str(key): str(value) for key, value in (member.get('tags') or {}).items()},
        'created': created,
    }


_TC_TAGS = ('Tags', 'Tags.TagKey', 'Tags.TagValue')
ORGANIZATION_ACTIONS = {
    'DescribeOrganizationMembers': action(
        describe_organization_members,
        False,
        'Offset',
        'Limit',
        'Lang',
        'SearchKey',
        'NodeId',
        'NodeName',
        *_TC_TAGS,
    ),
    'DescribeOrganizationNodes': action(describe_organization_nodes, False, 'Offset', 'Limit', *_TC_TAGS),
    'DescribeOrganization': action(describe_organization, False, 'Lang'),
}

# /_admin/seed keys (seeding.apply_seed).
SEEDS = {'resource_directory': seed_directory, 'organization': seed_organization}
