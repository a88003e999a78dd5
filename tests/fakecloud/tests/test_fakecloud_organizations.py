"""The organisations' member lists (organizations.py) through the SDK calls the collection makes: aliyun-python-sdk-core's
CommonRequest (ResourceManager 2020-03-31) and tencentcloud-sdk-python-common's CommonClient (Organization 2021-03-31).

An inventory lists the 500 member accounts of an organisation: what it pays in calls, filters, the walk of folders and
nodes, the member that is not the management account, throttling, and signatures."""

from __future__ import annotations

import inspect
import re

import pytest
from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.request import CommonRequest
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.organization.v20210331 import errorcodes

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds, organizations
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminError
from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, tencent

MEMBERS = 500


# ---------------------------------------------------------------------- the SDK calls
def rd_call(fc, action: str, params: dict | None = None, client=None) -> dict:
    request = CommonRequest(product='ResourceManager', version='2020-03-31', action_name=action)
    request.set_method('POST')
    request.set_accept_format('JSON')
    for name, value in (params or {}).items():
        request.add_query_param(name, value)
    return alibaba_call(fc.endpoint, client or alibaba_client(auto_retry=False), request)


def rd_code(fc, action: str, params: dict | None = None, client=None) -> str:
    with pytest.raises(ServerException) as info:
        rd_call(fc, action, params, client)
    return info.value.get_error_code()


def member_client(**kwargs):
    return alibaba_client(
        access_key_id=creds.ALIBABA_MEMBER_ACCESS_KEY_ID,
        secret=creds.ALIBABA_MEMBER_ACCESS_KEY_SECRET,
        auto_retry=False,
        **kwargs,
    )


def org_client(fc, secret_id=creds.TENCENT_SECRET_ID, secret_key=creds.TENCENT_SECRET_KEY) -> CommonClient:
    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint))
    return CommonClient('organization', '2021-03-31', Credential(secret_id, secret_key), 'ap-guangzhou', profile)


def org_call(client: CommonClient, action: str, params: dict | None = None) -> dict:
    return client.call_json(action, params or {})['Response']


def org_code(client: CommonClient, action: str, params: dict | None = None) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        org_call(client, action, params)
    return info.value.get_code()


def calls(fc, cloud: str, action: str) -> int:
    return fc.admin.calls()['calls'].get(cloud, {}).get(action, {}).get('calls', 0)


# ---------------------------------------------------------------------- seeds
def seed_directory(fc) -> dict:
    """500 members over three folders (prod holds eu), a tenth of them tagged and not yet confirmed."""
    return fc.admin.seed(
        resource_directory={
            'folders': [{'name': 'prod'}, {'name': 'eu', 'parent': 'prod'}, {'name': 'dev'}],
            'generate': [
                {'count': 450, 'prefix': 'app', 'folders': ['prod', 'eu', 'dev', None], 'tags': {'owner': 'app'}},
                {
                    'count': 50,
                    'prefix': 'new',
                    'folders': ['dev'],
                    'tags': {'owner': 'lab'},
                    'status': 'PromoteVerifying',
                },
            ],
        }
    )['resource_directory']


def seed_organization(fc) -> dict:
    return fc.admin.seed(
        organization={
            'nodes': [{'name': 'prod'}, {'name': 'eu', 'parent': 'prod'}, {'name': 'dev'}],
            'generate': [
                {'count': 450, 'prefix': 'app', 'nodes': ['prod', 'eu', 'dev', None], 'tags': {'owner': 'app'}},
                {
                    'count': 50,
                    'prefix': 'new',
                    'nodes': ['dev'],
                    'tags': {'owner': 'lab'},
                    'permission_status': 'UnConfirmed',
                },
            ],
        }
    )['organization']


# ---------------------------------------------------------------------- Resource Directory
def list_all_accounts(fc, params: dict | None = None, size: int = 100) -> list:
    rows, number = [], 1
    while True:
        page = rd_call(fc, 'ListAccounts', dict(params or {}, PageNumber=str(number), PageSize=str(size)))
        rows += page['Accounts']['Account']
        if number * size >= page['TotalCount']:
            return rows
        number += 1


def test_500_accounts_in_six_calls_of_the_largest_page(fc):
    rd = seed_directory(fc)
    fc.admin.calls(reset=True)
    rows = list_all_accounts(fc)
    # The management account is a member too: 501 rows, six pages of at most 100 (ListAccountsRequest.PageSize).
    assert len(rows) == MEMBERS + 1 and len({row['AccountId'] for row in rows}) == MEMBERS + 1
    assert set(rd['accounts']) | {creds.ALIBABA_ACCOUNT_ID} == {row['AccountId'] for row in rows}
    assert calls(fc, 'resourcemanager', 'ListAccounts') == 6
    assert rd_code(fc, 'ListAccounts', {'PageSize': '101'}) == 'InvalidParameter'
    assert rd_code(fc, 'ListAccounts', {'PageNumber': '0'}) == 'InvalidParameter'
    # The default page is 10 (ListAccountsRequest.PageSize), a page past the end is empty.
    page = rd_call(fc, 'ListAccounts')
    assert (len(page['Accounts']['Account']), page['PageSize'], page['TotalCount']) == (10, 10, MEMBERS + 1)
    assert rd_call(fc, 'ListAccounts', {'PageNumber': '7', 'PageSize': '100'})['Accounts']['Account'] == []


def test_tag_filters_and_tags_on_request(fc):
    seed_directory(fc)
    lab = list_all_accounts(fc, {'Tag.1.Key': 'owner', 'Tag.1.Value': 'lab', 'IncludeTags': 'true'})
    assert len(lab) == 50 and {row['Status'] for row in lab} == {'PromoteVerifying'}
    assert {tuple(tag.items()) for row in lab for tag in row['Tags']['Tag']} == {(('Key', 'owner'), ('Value', 'lab'))}
    # A key alone matches any value; tags are answered only when asked for.
    tagged = list_all_accounts(fc, {'Tag.1.Key': 'owner'})
    assert len(tagged) == MEMBERS and not any('Tags' in row for row in tagged)
    # Several tags must all match.
    assert list_all_accounts(fc, {'Tag.1.Key': 'owner', 'Tag.1.Value': 'lab', 'Tag.2.Key': 'other'}) == []


def walk(fc, folder_id: str) -> list:
    """Every account under ``folder_id``, its sub-folders' too: ListAccountsForParent and ListFoldersForParent."""
    found, number = [], 1
    while True:
        page = rd_call(
            fc, 'ListAccountsForParent', {'ParentFolderId': folder_id, 'PageNumber': str(number), 'PageSize': '100'}
        )
        found += page['Accounts']['Account']
        if number * 100 >= page['TotalCount']:
            break
        number += 1
    folders = rd_call(fc, 'ListFoldersForParent', {'ParentFolderId': folder_id, 'PageSize': '100'})['Folders']
    for folder in folders['Folder']:
        found += walk(fc, folder['FolderId'])
    return found


def test_the_folder_walk_finds_every_account_once(fc):
    rd = seed_directory(fc)
    root = rd_call(fc, 'GetResourceDirectory')['ResourceDirectory']
    assert (root['RootFolderId'], root['ResourceDirectoryId']) == (rd['root_folder_id'], rd['id'])
    found = walk(fc, root['RootFolderId'])
    assert sorted(row['AccountId'] for row in found) == sorted([*rd['accounts'], creds.ALIBABA_ACCOUNT_ID])
    prod, eu, dev = rd['folders']
    by_folder = {folder: sum(1 for row in found if row['FolderId'] == folder) for folder in rd['folders']}
    # 450 in turn over prod, eu, dev and Root; the 50 new ones in dev.
    assert by_folder == {prod: 113, eu: 113, dev: 112 + 50}
    names = rd_call(fc, 'ListFoldersForParent')['Folders']['Folder']  # no ParentFolderId: the Root's children
    assert [folder['FolderName'] for folder in names] == ['prod', 'dev']
    assert rd_call(fc, 'ListAccountsForParent', {'ParentFolderId': dev, 'QueryKeyword': 'NEW-000'})['TotalCount'] == 9


def test_only_the_management_account_lists(fc):
    rd = seed_directory(fc)
    # Not a member at all: nothing of the directory.
    for action in ('ListAccounts', 'ListAccountsForParent', 'ListFoldersForParent'):
        assert rd_code(fc, action, client=member_client()) == 'EntityNotExists.ResourceDirectory'
    assert rd_code(fc, 'GetResourceDirectory', client=member_client()) == 'ResourceDirectoryNotInUse'
    # A member: it sees its directory, and may list nothing.
    fc.admin.seed(resource_directory={'accounts': [{'id': creds.ALIBABA_DR_ACCOUNT_ID, 'name': 'dr', 'folder': 'dev'}]})
    got = rd_call(fc, 'GetResourceDirectory', client=member_client())['ResourceDirectory']
    assert (got['ResourceDirectoryId'], got['MasterAccountId']) == (rd['id'], creds.ALIBABA_ACCOUNT_ID)
    for action in ('ListAccounts', 'ListAccountsForParent', 'ListFoldersForParent'):
        assert rd_code(fc, action, client=member_client()) == 'EntityNotExists.ResourceDirectory'
    # No directory at all: the management account's own calls are refused the same way.
    fc.admin.reset(keep_config=True)
    assert rd_code(fc, 'ListAccounts') == 'EntityNotExists.ResourceDirectory'
    assert rd_code(fc, 'GetResourceDirectory') == 'ResourceDirectoryNotInUse'


def test_throttling_of_the_account_list(fc):
    seed_directory(fc)
    fc.admin.faults(rules=[{'cloud': 'resourcemanager', 'action': 'ListAccounts', 'throttle_rate': 1.0, 'count': 1}])
    with pytest.raises(ServerException) as info:
        rd_call(fc, 'ListAccounts')
    assert (info.value.get_error_code(), info.value.get_http_status()) == ('Throttling.User', 400)
    assert rd_call(fc, 'ListAccounts')['TotalCount'] == MEMBERS + 1
    # Throttling (the code the SDK's retry policy knows) on every list, once.
    fc.admin.faults(
        rules=[
            {
                'cloud': 'resourcemanager',
                'action': 'List*',
                'throttle_rate': 1.0,
                'throttle_code': 'Throttling',
                'count': 1,
            }
        ]
    )
    assert rd_code(fc, 'ListFoldersForParent') == 'Throttling'
    assert rd_call(fc, 'ListFoldersForParent')['TotalCount'] == 2
    counts = fc.admin.calls()['calls']['resourcemanager']
    assert (counts['ListAccounts']['errors'], counts['ListFoldersForParent']['errors']) == (1, 1)


def test_a_wrong_signature_is_refused(fc):
    seed_directory(fc)
    wrong = alibaba_client(access_key_id=creds.ALIBABA_ACCESS_KEY_ID, secret='not-the-secret', auto_retry=False)
    with pytest.raises((ServerException, ClientException)) as info:
        rd_call(fc, 'ListAccounts', client=wrong)
    # The SDK turns SignatureDoesNotMatch into InvalidAccessKeySecret when only the secret differs.
    assert info.value.get_error_code() in ('SignatureDoesNotMatch', 'InvalidAccessKeySecret')
    unknown = alibaba_client(access_key_id='LTAInobody', secret='x', auto_retry=False)
    assert rd_code(fc, 'ListAccounts', client=unknown) == 'InvalidAccessKeyId.NotFound'


# ---------------------------------------------------------------------- Tencent Organization
def list_all_members(fc, client, params: dict | None = None, limit: int = 50) -> list:
    rows, offset = [], 0
    while True:
        page = org_call(client, 'DescribeOrganizationMembers', dict(params or {}, Offset=offset, Limit=limit))
        rows += page['Items']
        offset += limit
        if offset >= page['Total']:
            return rows


def test_500_members_in_eleven_calls_of_the_largest_page(fc):
    org = seed_organization(fc)
    client = org_client(fc)
    fc.admin.calls(reset=True)
    rows = list_all_members(fc, client)
    assert len(rows) == MEMBERS + 1 and {row['MemberUin'] for row in rows} == {*org['members'], int(creds.TENCENT_UIN)}
    assert calls(fc, 'organization', 'DescribeOrganizationMembers') == 11  # 501 rows, 50 a page
    assert org_code(client, 'DescribeOrganizationMembers', {'Limit': 51}) == 'InvalidParameter'
    assert org_code(client, 'DescribeOrganizationMembers', {'Limit': 50, 'Offset': 25}) == 'InvalidParameter'
    assert len(org_call(client, 'DescribeOrganizationMembers')['Items']) == 10  # the default Limit


def test_member_filters_and_the_node_walk(fc):
    org = seed_organization(fc)
    client = org_client(fc)
    lab = list_all_members(fc, client, {'Tags': [{'TagKey': 'owner', 'TagValue': 'lab'}]})
    assert len(lab) == 50 and {row['PermissionStatus'] for row in lab} == {'UnConfirmed'}
    assert {(tag['TagKey'], tag['TagValue']) for row in lab for tag in row['Tags']} == {('owner', 'lab')}
    assert len(list_all_members(fc, client, {'SearchKey': 'new-000'})) == 9
    tags = [{'TagKey': 'k%d' % index} for index in range(11)]
    assert org_code(client, 'DescribeOrganizationMembers', {'Tags': tags}) == 'InvalidParameter'
    # The walk: every node (DescribeOrganizationNodes), its own members (NodeId).
    nodes = org_call(client, 'DescribeOrganizationNodes', {'Limit': 50})['Items']
    root = org_call(client, 'DescribeOrganization')['RootNodeId']
    assert [node['NodeId'] for node in nodes] == [root, *org['nodes']]
    assert [node['ParentNodeId'] for node in nodes] == [0, root, org['nodes'][0], root]
    found = [row for node in nodes for row in list_all_members(fc, client, {'NodeId': node['NodeId']})]
    assert sorted(row['MemberUin'] for row in found) == sorted([*org['members'], int(creds.TENCENT_UIN)])
    prod, eu, dev = org['nodes']
    assert [len(list_all_members(fc, client, {'NodeId': node})) for node in (prod, eu, dev)] == [113, 113, 162]
    assert len(list_all_members(fc, client, {'NodeName': 'eu'})) == 113
    assert org_code(client, 'DescribeOrganizationMembers', {'NodeId': 1}) == 'ResourceNotFound.OrganizationNodeNotExist'


def test_only_the_manager_lists_its_members(fc):
    seed_organization(fc)
    member = org_client(fc, creds.TENCENT_MEMBER_SECRET_ID, creds.TENCENT_MEMBER_SECRET_KEY)
    for action in ('DescribeOrganizationMembers', 'DescribeOrganizationNodes', 'DescribeOrganization'):
        assert org_code(member, action) == 'ResourceNotFound.OrganizationNotExist'
    fc.admin.seed(organization={'members': [{'uin': creds.TENCENT_DR_UIN, 'name': 'dr', 'node': 'dev'}]})
    assert org_call(member, 'DescribeOrganization')['IsManager'] is False
    for action in ('DescribeOrganizationMembers', 'DescribeOrganizationNodes'):
        assert org_code(member, action) == 'InvalidParameter.OrganizationMemberNotManager'
    assert org_call(org_client(fc), 'DescribeOrganization')['IsManager'] is True


def test_throttling_of_the_member_list(fc):
    seed_organization(fc)
    client = org_client(fc)
    fc.admin.faults(rules=[{'cloud': 'organization', 'action': 'Describe*', 'throttle_rate': 1.0, 'count': 2}])
    assert org_code(client, 'DescribeOrganizationMembers') == 'RequestLimitExceeded'
    assert org_code(client, 'DescribeOrganizationNodes') == 'RequestLimitExceeded'
    assert org_call(client, 'DescribeOrganizationMembers')['Total'] == MEMBERS + 1
    counts = fc.admin.calls()['calls']['organization']['DescribeOrganizationMembers']
    assert (counts['calls'], counts['errors']) == (2, 1)


def test_a_wrong_tencent_signature_is_refused(fc):
    seed_organization(fc)
    assert org_code(org_client(fc, secret_key='not-the-key'), 'DescribeOrganizationMembers') == (
        'AuthFailure.SignatureFailure'
    )
    assert org_code(org_client(fc, secret_id='AKIDnobody'), 'DescribeOrganization') == 'AuthFailure.SecretIdNotFound'
    # Signed for another service (the TC3 credential scope names cbs) than the version's: refused.
    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint))
    cbs = CommonClient(
        'cbs', '2021-03-31', Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY), 'ap-guangzhou', profile
    )
    assert org_code(cbs, 'DescribeOrganizationMembers') == 'AuthFailure.SignatureFailure'


# ---------------------------------------------------------------------- seeds, and the models behind them
def test_seeds_are_checked_and_add_up(fc):
    first = fc.admin.seed(resource_directory={'accounts': [{'name': 'a'}]})['resource_directory']
    second = fc.admin.seed(resource_directory={'generate': {'count': 3}})['resource_directory']
    assert first['id'] == second['id'] and len(second['accounts']) == 3
    assert rd_call(fc, 'ListAccounts')['TotalCount'] == 5  # a, three generated, the management account
    for bad in (
        {'resource_directory': {'management_account': creds.ALIBABA_DR_ACCOUNT_ID}},
        {'resource_directory': {'accounts': [{'status': 'Suspended'}]}},
        {'resource_directory': {'accounts': [{'folder': 'nowhere'}]}},
        {'organization': {'members': [{'permission_status': 'Closed'}]}},
    ):
        with pytest.raises(AdminError):
            fc.admin.seed(bad)


def test_organisation_facts_are_the_models():
    """The page sizes, words and codes organizations.py uses are the ones the models document."""
    for request in ('ListAccountsRequest', 'ListAccountsForParentRequest', 'ListFoldersForParentRequest'):
        assert alibaba.documented_maximum('resourcemanager', request, 'PageSize') == organizations.RD_MAX_PAGE_SIZE
        assert 'Default value: 10' in alibaba.field_doc('resourcemanager', request, 'PageSize')
    account = 'GetAccountResponseBodyAccount'
    assert alibaba.documented_values('resourcemanager', account, 'Status') == list(organizations.ACCOUNT_STATUSES)
    assert alibaba.documented_values('resourcemanager', account, 'Type') == list(organizations.ACCOUNT_TYPES)
    assert alibaba.documented_values('resourcemanager', account, 'JoinMethod') == list(organizations.JOIN_METHODS)
    # The account lists' rows have no more fields than GetAccount's account has documented.
    listed = set(alibaba.fields('resourcemanager', 'ListAccountsResponseBodyAccountsAccount'))
    assert listed - set(alibaba.fields('resourcemanager', account)) == set()
    assert 'Root folder' in alibaba.field_doc('resourcemanager', 'ListFoldersForParentRequest', 'ParentFolderId')
    for request in ('DescribeOrganizationMembersRequest', 'DescribeOrganizationNodesRequest'):
        assert tencent.documented_maximum('organization', request, 'Limit') == organizations.ORG_MAX_LIMIT
        assert tencent.documented_maximum('organization', request, 'Tags') == organizations.ORG_MAX_TAGS
        assert 'limit的整数倍' in tencent.field_doc('organization', request, 'Offset')
    assert '默认值：10' in tencent.field_doc('organization', 'DescribeOrganizationMembersRequest', 'Limit')
    words = {
        field: re.findall(r'\uff1a\s*(\w+)', tencent.field_doc('organization', 'OrgMember', field))
        for field in ('PermissionStatus', 'BindStatus', 'MemberType', 'IsAllowQuit')
    }
    assert words == {
        'PermissionStatus': list(organizations.PERMISSION_STATUSES),
        'BindStatus': list(organizations.BIND_STATUSES),
        'MemberType': ['Invite', 'Create'],
        'IsAllowQuit': list(organizations.QUIT_WORDS),
    }
    assert 'Financial' in tencent.field_doc('organization', 'DescribeOrganizationResponse', 'OrgPolicyType')
    # Every Tencent code organizations.py answers is one the SDK lists.
    listed_codes = {value for name, value in vars(errorcodes).items() if name.isupper()}
    source = inspect.getsource(organizations).rsplit('Organization (Tencent)', maxsplit=1)[-1]
    named = set(re.findall(r"CloudError\(\s*'((?:ResourceNotFound|InvalidParameter)[A-Za-z.]*)'", source))
    assert {'InvalidParameter', 'ResourceNotFound.OrganizationNotExist'} <= named <= listed_codes


def test_a_wrong_shape_is_caught(fc):
    """The conformance check is not vacuous for these answers: an unknown field or a wrong type fails it."""
    seed_directory(fc)
    seed_organization(fc)
    answer = rd_call(fc, 'ListAccounts', {'IncludeTags': 'true', 'PageSize': '2'})
    assert alibaba.check_answer('resourcemanager', 'ListAccounts', answer) == []
    answer['Accounts']['Account'][1]['Tags'] = [{'Key': 'owner', 'Value': 'app'}]  # a list where the model nests Tag
    answer['Accounts']['Account'][0]['Email'] = 'x@example.com'
    assert alibaba.check_answer('resourcemanager', 'ListAccounts', answer) == [
        'Accounts.Account[0].Email: not in ListAccountsResponseBodyAccountsAccount',
        'Accounts.Account[1].Tags: list where the model says ListAccountsResponseBodyAccountsAccountTags',
    ]
    response = org_call(org_client(fc), 'DescribeOrganizationMembers', {'Limit': 1})
    assert tencent.check_response('organization', 'DescribeOrganizationMembers', response) == []
    response['Items'][0]['MemberUin'] = str(response['Items'][0]['MemberUin'])
    response['Items'][0]['Status'] = 'Active'
    assert tencent.check_response('organization', 'DescribeOrganizationMembers', response) == [
        "Items[0].MemberUin: str '%s' where the model says int" % creds.TENCENT_UIN,
        'Items[0].Status: not in OrgMember',
    ]
