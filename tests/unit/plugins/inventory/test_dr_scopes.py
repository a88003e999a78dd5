"""The dr_scopes inventory against the clouds' organisations: moto's AWS Organizations (over real HTTP, into a management
account of its own through STS) and fakecloud's Resource Directory and Tencent Organization (held to the vendors'
models). Through ansible-inventory as a person and AWX run it (the credentials in the environment), and in process where
a test counts calls."""

from __future__ import annotations

import json
import re
import subprocess

import boto3
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import organization as alibaba_organization
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import organization as tencent_organization
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.organization import MemberAccount, OrganizationRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._dr_scopes import (
    ScopeSettingsError,
    needs_tags,
    plan_scopes,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._org_read import (
    OrganizationFound,
    ReadError,
    read_settings,
    read_the_organization,
)
from ansible_collections.snapcopy.cloud.tests.docs.helpers import ansible_bin, clean_environment
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake, organizations as fake_organizations
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import organizations_state

AWS_KEYS = {'AWS_ACCESS_KEY_ID': 'AKIAIOSFODNN7EXAMPLE', 'AWS_SECRET_ACCESS_KEY': 'moto-secret'}
ALIBABA_KEYS = {
    'ALICLOUD_ACCESS_KEY': fake.ALIBABA_ACCESS_KEY_ID,
    'ALICLOUD_SECRET_KEY': fake.ALIBABA_ACCESS_KEY_SECRET,
}
TENCENT_KEYS = {'TENCENTCLOUD_SECRET_ID': fake.TENCENT_SECRET_ID, 'TENCENTCLOUD_SECRET_KEY': fake.TENCENT_SECRET_KEY}
DEFAULTS = {
    'connection': {},
    'regions': None,
    'dr_regions': None,
    'role': None,
    'include': {},
    'exclude': {},
    'vars': {},
    'tag_vars': {},
    'host_name': '{provider}-{account}-{region}',
    'group': 'dr_scopes',
    'compose': {},
    'groups': {},
    'keyed_groups': [],
}


def settings(**given):
    return read_settings(dict(DEFAULTS, **given).get)


# ---------------------------------------------------------------------------------------------------------------- AWS
def aws_management(moto_url, account):
    """Organizations' client of ``account`` (moto's accounts are reached by assuming a role in them): a management
    account of the test's own, as moto keeps one organisation an account for the whole process."""
    kwargs = {'endpoint_url': moto_url, 'region_name': 'us-east-1'}
    keys = {
        'aws_access_key_id': AWS_KEYS['AWS_ACCESS_KEY_ID'],
        'aws_secret_access_key': AWS_KEYS['AWS_SECRET_ACCESS_KEY'],
    }
    role = 'arn:aws:iam::%s:role/org-admin' % account
    answer = boto3.client('sts', **kwargs, **keys).assume_role(RoleArn=role, RoleSessionName='test-org')
    credentials = answer['Credentials']
    return role, boto3.client(
        'organizations',
        aws_access_key_id=credentials['AccessKeyId'],
        aws_secret_access_key=credentials['SecretAccessKey'],
        aws_session_token=credentials['SessionToken'],
        **kwargs,
    )


def aws_organization(moto_url, account, members=5):
    """An organisation: ``members`` accounts named app-N (even ones tagged dr-regions), the third in OU Sandbox, the
    fourth closed. Answers (the role into the management account, {name: account id})."""
    role, client = aws_management(moto_url, account)
    client.create_organization(FeatureSet='ALL')
    root = client.list_roots()['Roots'][0]['Id']
    sandbox = client.create_organizational_unit(ParentId=root, Name='Sandbox')['OrganizationalUnit']['Id']
    ids = {}
    for number in range(members):
        tags = [{'Key': 'dr-regions', 'Value': 'eu-west-1 us-east-2'}] if number % 2 == 0 else []
        made = client.create_account(Email='app%d@example.com' % number, AccountName='app-%d' % number, Tags=tags)
        status = client.describe_create_account_status(CreateAccountRequestId=made['CreateAccountStatus']['Id'])
        ids['app-%d' % number] = status['CreateAccountStatus']['AccountId']
    if members > 3:
        client.move_account(AccountId=ids['app-2'], SourceParentId=root, DestinationParentId=sandbox)
        client.close_account(AccountId=ids['app-3'])
    return role, ids


def legacy_value(node):
    """ansible-inventory's JSON as Ansible reads it back: from ansible-core 2.19, a string from outside the playbook is
    written {"__ansible_unsafe": text} (the legacy inventory profile)."""
    return node['__ansible_unsafe'] if set(node) == {'__ansible_unsafe'} else node


def inventory(tmp_path, name, text, env):
    """``ansible-inventory -i <name> --list --export`` (as AWX's inventory update reads a source) and ``--graph`` with
    exactly ``env``: (the list as JSON, the graph)."""
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    runs = [
        subprocess.run(
            [ansible_bin('ansible-inventory'), '-i', str(path), *flags],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        for flags in (['--list', '--export'], ['--graph'])
    ]
    for run in runs:
        assert run.returncode == 0 and '[WARNING]' not in run.stderr, run.stdout + run.stderr
    return json.loads(runs[0].stdout, object_hook=legacy_value), runs[1].stdout


def test_aws_every_active_account_but_the_excluded_unit_is_a_scope_in_each_region_and_the_rest_are_said(
    moto_url, tmp_path
):
    management = '300000000001'
    role, ids = aws_organization(moto_url, management)
    text = '\n'.join(
        (
            'plugin: snapcopy.cloud.dr_scopes',
            'provider: aws',
            'connection: {endpoint_url: "%s", role_arn: "%s"}' % (moto_url, role),
            'regions: [us-east-1, eu-west-1]',
            'dr_regions: {us-east-1: [us-west-2], eu-west-1: [eu-central-1, eu-west-1]}',
            'role: arn:aws:iam::{account}:role/snapcopy-dr',
            'exclude: {units: [Sandbox]}',
            'vars: {dr_copy_tag_selector: {backup: dr}}',
            'tag_vars: {dr_copy_dr_regions: dr-regions}',
            'keyed_groups: [{key: dr_scope_account.name, prefix: account}]',
            # Ansible's constructed options, as a person adds them: a variable composed, a group by a condition.
            'compose: {dr_copy_report_name: "\'dr-\' ~ dr_fleet_account"}',
            'groups: {eu_scopes: "dr_copy_source_region == \'eu-west-1\'"}',
        )
    )
    listed, graph = inventory(tmp_path, 'org.dr_scopes.yml', text, clean_environment(tmp_path, **AWS_KEYS))
    kept = [ids['app-0'], ids['app-1'], ids['app-4'], management]
    hosts = {'aws-%s-%s' % (account, region) for account in kept for region in ('us-east-1', 'eu-west-1')}
    assert set(listed['dr_scopes']['children']) >= {'aws'} and set(listed['aws']['hosts']) == hosts
    assert '@dr_scopes:' in graph and all(host in graph for host in hosts)
    variables = listed['_meta']['hostvars']
    app1 = variables['aws-%s-eu-west-1' % ids['app-1']]
    assert app1['dr_copy_dr_regions'] == ['eu-central-1']  # a scope never copies to its own region
    assert app1['dr_copy_connection'] == {'role_arn': 'arn:aws:iam::%s:role/snapcopy-dr' % ids['app-1']}
    assert app1['dr_copy_tag_selector'] == {'backup': 'dr'} and app1['dr_fleet_account'] == ids['app-1']
    assert app1['dr_copy_report_name'] == 'dr-%s' % ids['app-1']
    assert set(listed['eu_scopes']['hosts']) == {'aws-%s-eu-west-1' % account for account in kept}
    # The account's tag is the role's text, which the role reads.
    assert variables['aws-%s-us-east-1' % ids['app-0']]['dr_copy_dr_regions'] == 'eu-west-1 us-east-2'
    assert set(listed['account_app_1']['hosts']) == {
        'aws-%s-%s' % (ids['app-1'], r) for r in ('us-east-1', 'eu-west-1')
    }
    record = listed['dr_scopes']['vars']['dr_organization_aws_%s' % management]
    left = {row['account']: row['left_out'] for row in record['accounts'] if row['left_out']}
    assert left == {ids['app-2']: 'excluded: in unit Sandbox', ids['app-3']: 'the organisation says it is SUSPENDED'}
    assert record['management_account'] == management and len(record['accounts']) == 6
    # One page of ListAccounts (6 accounts), the unit walk, and a tag read an account (Organizations lists none).
    assert record['calls']['ListAccounts'] == 1 and record['calls']['ListTagsForResource'] == 6


def test_aws_accounts_take_a_listing_of_pages_not_a_call_an_account(moto_url):
    """120 members and the management account in 7 pages of 20 (the last one short): without tag rules, no call an
    account. (500 accounts are make bench's part o: here, moto's making of them would be most of the test.)"""
    management = '300000000002'
    role, dummy = aws_organization(moto_url, management, members=120)
    found = read_the_organization(
        settings(
            provider='aws',
            connection={'endpoint_url': moto_url, 'role_arn': role, **lower(AWS_KEYS)},
            regions=['us-east-1', 'eu-west-1', 'ap-south-1'],
        )
    )
    scopes, record = plan_scopes(found.organization, settings(provider='aws', regions=found.regions), found.regions)
    assert len(record['accounts']) == 121 and len(scopes) == 3 * 120  # app-3 is closed
    assert record['calls'] == {'DescribeOrganization': 1, 'ListAccounts': 7}


def lower(keys):
    return {'access_key': keys['AWS_ACCESS_KEY_ID'], 'secret_key': keys['AWS_SECRET_ACCESS_KEY']}


def test_aws_a_refused_read_is_the_clouds_code_and_message_and_the_regions_are_read_when_not_given(moto_url, tmp_path):
    role, dummy = aws_management(moto_url, '300000000003')  # in no organisation
    with pytest.raises(ReadError) as refused:
        read_the_organization(
            settings(provider='aws', connection={'endpoint_url': moto_url, 'role_arn': role, **lower(AWS_KEYS)})
        )
    assert 'DescribeOrganization' in str(refused.value) and 'AWSOrganizationsNotInUseException' in str(refused.value)
    role, dummy = aws_organization(moto_url, '300000000004', members=1)
    found = read_the_organization(
        settings(provider='aws', connection={'endpoint_url': moto_url, 'role_arn': role, **lower(AWS_KEYS)})
    )
    assert 'us-east-1' in found.regions and len(found.regions) > 10 and found.organization.calls['DescribeRegions'] == 1
    # The same read as ansible-inventory reports it: the file and the cloud's words, no traceback.
    path = tmp_path / 'bad.dr_scopes.yml'
    path.write_text(
        'plugin: snapcopy.cloud.dr_scopes\nprovider: aws\nregions: [us-east-1]\nconnection: {endpoint_url: "%s", '
        'role_arn: "arn:aws:iam::300000000003:role/x"}\n' % moto_url,
        encoding='utf-8',
    )
    run = subprocess.run(
        [ansible_bin('ansible-inventory'), '-i', str(path), '--list'],
        env=clean_environment(tmp_path, **AWS_KEYS),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 'AWSOrganizationsNotInUseException' in run.stderr and 'Traceback' not in run.stderr + run.stdout
    assert AWS_KEYS['AWS_SECRET_ACCESS_KEY'] not in run.stderr + run.stdout


def stateless_model(folder):
    """botocore's Organizations model as releases before 1.40.27 have it (Account without State), in ``folder``, for
    AWS_DATA_PATH: whatever botocore runs the test, its client parses no State."""
    import botocore.loaders  # pylint: disable=import-outside-toplevel  # the oldest botocore is the test's, not a pin

    model = botocore.loaders.Loader().load_service_model('organizations', 'service-2')
    model['shapes']['Account']['members'].pop('State', None)
    path = folder / 'organizations' / model['metadata']['apiVersion']
    path.mkdir(parents=True)
    (path / 'service-2.json').write_text(json.dumps(model), encoding='utf-8')
    return folder


def test_aws_accounts_are_told_by_their_state_when_status_is_retired_and_botocore_models_no_state(
    moto_url, tmp_path, monkeypatch
):
    """Organizations answers State and no Status since September 9, 2026, and so does the emulator
    (organizations_state.py). A botocore whose model has no State (1.34.0, the oldest supported; here any release, its
    model cut through AWS_DATA_PATH) drops it from what it parses: the read takes it from the answer's JSON."""
    management = '300000000005'
    role, ids = aws_organization(moto_url, management)
    dummy, client = aws_management(moto_url, management)
    assert not [account for account in client.list_accounts()['Accounts'] if 'Status' in account]
    monkeypatch.setenv('AWS_DATA_PATH', str(stateless_model(tmp_path / 'models')))
    given = settings(
        provider='aws',
        connection={'endpoint_url': moto_url, 'role_arn': role, **lower(AWS_KEYS)},
        regions=['us-east-1'],
    )
    found = read_the_organization(given)
    states = {account.account: account.state for account in found.organization.accounts}
    assert states == {**dict.fromkeys((*ids.values(), management), 'active'), ids['app-3']: 'SUSPENDED'}
    scopes, record = plan_scopes(found.organization, given, found.regions)
    assert len(scopes) == 5 and [row['left_out'] for row in record['accounts'] if row['left_out']] == [
        'the organisation says it is SUSPENDED'
    ]


def test_aws_an_organisation_listed_without_any_account_state_fails_the_read_not_the_fleet(moto_url, monkeypatch):
    """Accounts answered with neither State nor Status (what a botocore without State parses of AWS's answer, had the
    read not taken it from the JSON): the read fails and says so, rather than leave every account out."""
    role, dummy = aws_organization(moto_url, '300000000006', members=1)
    monkeypatch.setattr(organizations_state, 'RETIRED', {'Status', 'State'})
    with pytest.raises(ReadError) as refused:
        read_the_organization(
            settings(
                provider='aws',
                connection={'endpoint_url': moto_url, 'role_arn': role, **lower(AWS_KEYS)},
                regions=['us-east-1'],
            )
        )
    words = str(refused.value)
    assert words.startswith('ListAccounts failed: AccountStateMissing: the organisation\'s 2 accounts are listed')
    assert 'the fleet would be empty' in words and 'from 1.40.27 on' in words


# ---------------------------------------------------------------------------------------------------------------- fakecloud
ORGANIZATIONS = {
    'ecs': (
        'resource_directory',
        ALIBABA_KEYS,
        'cn-hangzhou',
        'cn-shanghai',
        'acs:ram::{account}:role/snapcopy-dr',
        'alicloud_assume_role_arn',
    ),
    'cbs': (
        'organization',
        TENCENT_KEYS,
        'ap-guangzhou',
        'ap-shanghai',
        'qcs::cam::uin/{account}:roleName/snapcopy-dr',
        'role_arn',
    ),
}


def seed_units(cloud, provider, units, count, placed, **more):
    """Folders (Alibaba) or nodes (Tencent) ``units`` ([{"name", "parent"?}]), and ``count`` accounts app-NNNN placed
    in turn in the units ``placed`` names (None: the root), with ``more`` (tags); answers (the ids of the units made, in
    order, with the root's last; the accounts' ids, in order)."""
    kind = ORGANIZATIONS[provider][0]
    unit_kind, root = ('folders', 'root_folder_id') if kind == 'resource_directory' else ('nodes', 'root_node_id')
    generate = dict(more, count=count, prefix='app', **{unit_kind: placed})
    created = cloud.admin.seed(
        **{kind: {unit_kind: units, 'generate': [generate] if kind == 'resource_directory' else generate}}
    )[kind]
    made = created['accounts'] if kind == 'resource_directory' else created['members']
    return [str(unit) for unit in (*created[unit_kind], created[root])], [str(account) for account in made]


def seed_organization(cloud, provider, count=4):
    """Folders (nodes) prod and dev; ``count`` accounts app-NNNN in turn in prod, dev and the root, tagged
    owner=app and the even ones dr-regions; answers {name: account id}."""
    dummy, made = seed_units(
        cloud, provider, [{'name': 'prod'}, {'name': 'dev'}], count, ['prod', 'dev', None], tags={'owner': 'app'}
    )
    return {'app-%04d' % number: account for number, account in enumerate(made, 1)}


def organization_inventory(cloud, tmp_path, provider, *rules):
    """The dr_scopes inventory of the organisation seeded on fakecloud for ``provider`` (ORGANIZATIONS' regions and
    role), with ``rules`` (lines of the source: include, exclude); answers inventory's (list, graph)."""
    dummy, keys, region, dr_region, role, dummy_option = ORGANIZATIONS[provider]
    text = '\n'.join(
        (
            'plugin: snapcopy.cloud.dr_scopes',
            'provider: %s' % provider,
            'connection: {endpoint_url: "%s"}' % cloud.url,
            'regions: [%s]' % region,
            'dr_regions: [%s]' % dr_region,
            'role: "%s"' % role,
            *rules,
        )
    )
    return inventory(tmp_path, '%s.dr_scopes.yml' % provider, text, clean_environment(tmp_path, **keys))


@pytest.mark.parametrize('provider', sorted(ORGANIZATIONS))
def test_alibaba_and_tencent_each_folder_rule_and_tag_rule_keeps_its_accounts(fakecloud_clean, tmp_path, provider):
    dummy, dummy_keys, region, dr_region, role, role_option = ORGANIZATIONS[provider]
    ids = seed_organization(fakecloud_clean, provider)
    listed, graph = organization_inventory(
        fakecloud_clean,
        tmp_path,
        provider,
        'include: {units: [prod, dev], tags: {owner: app}}',
        'exclude: {units: [dev]}',
    )
    # app-0001 and app-0004 in prod, app-0002 in dev, app-0003 in the root folder.
    kept = {ids['app-0001'], ids['app-0004']}
    assert set(listed[provider]['hosts']) == {'%s-%s-%s' % (provider, account, region) for account in kept}
    assert all('%s-%s-%s' % (provider, account, region) in graph for account in kept)
    host = listed['_meta']['hostvars']['%s-%s-%s' % (provider, ids['app-0001'], region)]
    assert host['dr_copy_connection'] == {role_option: role.format(account=ids['app-0001'])}
    assert host['dr_copy_dr_regions'] == [dr_region] and host['dr_scope_account']['tags'] == {'owner': 'app'}
    (record,) = [value for key, value in listed['dr_scopes']['vars'].items() if key.startswith('dr_organization_')]
    left = {row['account']: row['left_out'] for row in record['accounts'] if row['left_out']}
    assert left[ids['app-0002']] == 'excluded: in unit dev'
    assert left[ids['app-0003']] == 'in none of the units included (prod, dev)'
    assert fakecloud_clean.admin.calls()['total_mutations'] == 0


def test_tencent_a_member_that_has_not_confirmed_its_permissions_gets_no_scope_and_the_record_says_why(fakecloud_clean):
    """OrgMember.PermissionStatus: Confirmed, or UnConfirmed ("待确认", waiting to be confirmed): only a Confirmed member
    is a scope. BindStatus (the member's security information) decides nothing."""
    made = fakecloud_clean.admin.seed(
        organization={
            'members': [
                {'name': 'unbound', 'bind_status': 'Unbound'},
                {
                    'name': 'waiting',
                    'member_type': 'Invite',
                    'permission_status': 'UnConfirmed',
                    'bind_status': 'Valid',
                },
            ]
        }
    )['organization']['members']
    unbound, waiting = (str(uin) for uin in made)
    given = settings(
        provider='cbs',
        connection={
            'endpoint_url': fakecloud_clean.url,
            'secret_id': TENCENT_KEYS['TENCENTCLOUD_SECRET_ID'],
            'secret_key': TENCENT_KEYS['TENCENTCLOUD_SECRET_KEY'],
        },
        regions=['ap-guangzhou'],
    )
    found = read_the_organization(given)
    scopes, record = plan_scopes(found.organization, given, found.regions)
    rows = {row['account']: row for row in record['accounts']}
    assert {name for name, dummy in scopes} == {'cbs-%s-ap-guangzhou' % uin for uin in (unbound, fake.TENCENT_UIN)}
    assert (rows[waiting]['state'], rows[waiting]['scopes']) == ('UnConfirmed', [])
    assert rows[waiting]['left_out'] == (
        'its PermissionStatus is UnConfirmed: the member has not confirmed the permissions the organisation holds over '
        'it (BindStatus Valid)'
    )
    assert rows[unbound]['state'] == 'active' and rows[unbound]['left_out'] is None


def test_tencent_member_states_are_the_models_words():
    """member_state's words are OrgMember.PermissionStatus's (fakecloud's, which test_fakecloud_organizations.py holds to
    the SDK's model); a member listed without one is unknown, and an organisation none of whose members has one fails
    the read."""
    assert fake_organizations.PERMISSION_STATUSES == (tencent_organization.CONFIRMED, 'UnConfirmed')
    assert tencent_organization.member_state({'PermissionStatus': 'Confirmed', 'BindStatus': 'Failed'}) == (
        'active',
        None,
    )
    state, why = tencent_organization.member_state({'MemberUin': 1})
    assert state == 'UNKNOWN' and why.startswith('DescribeOrganizationMembers answers no PermissionStatus')
    read = OrganizationRead('tencent-organization', '1')
    read.accounts.append(MemberAccount(account='1', name='one', state=state, why=why))
    with pytest.raises(CloudError, match="PermissionStatusMissing: the organisation's 1 accounts are listed without"):
        read.require_states('DescribeOrganizationMembers', 'PermissionStatusMissing', 'a PermissionStatus')


class ResourceDirectoryAnswers:
    """Resource Directory's answers as given, for the one rule read here (fakecloud answers every Status the model has)."""

    def __init__(self, accounts):
        self.accounts = accounts

    def call_service(self, dummy, action, params):
        if action == 'GetResourceDirectory':
            return {'ResourceDirectory': {'MasterAccountId': '1'}}
        assert action == 'ListAccounts' and params['PageNumber'] == 1
        return {'Accounts': {'Account': self.accounts}, 'TotalCount': len(self.accounts)}


def test_alibaba_an_organisation_listed_without_any_account_status_fails_the_read_not_the_fleet():
    """As on AWS and Tencent: a field no longer answered leaves every account unknown, and the read fails loudly."""
    rows = [{'AccountId': '2', 'DisplayName': 'two'}, {'AccountId': '3', 'DisplayName': 'three'}]
    with pytest.raises(
        CloudError, match="AccountStatusMissing: the organisation's 2 accounts are listed without a Status"
    ):
        alibaba_organization.read_organization(ResourceDirectoryAnswers(rows), with_units=False, with_tags=False)
    read = alibaba_organization.read_organization(
        ResourceDirectoryAnswers([*rows, {'AccountId': '4', 'Status': 'CreateSuccess'}]),
        with_units=False,
        with_tags=False,
    )
    states = {account.account: (account.state, account.why) for account in read.accounts}
    assert states['4'] == ('active', None) and states['2'] == ('UNKNOWN', 'ListAccounts answers no Status for it')


class OrganizationAnswers:
    """Tencent Organization's answers as given (fakecloud answers every field the model has): the manager's uin, and
    ``members`` in one page."""

    def __init__(self, members):
        self.members = members

    def call(self, service, dummy_region, action, params):
        assert service == 'organization'
        if action == 'DescribeOrganization':
            return {'HostUin': 100000000001, 'OrgId': 1, 'RequestId': 'R-1'}
        assert action == 'DescribeOrganizationMembers' and params['Offset'] == 0
        return {'Items': self.members, 'Total': len(self.members), 'RequestId': 'R-2'}


def test_tencent_an_organisation_listed_without_any_permission_status_fails_the_read_and_the_rest_is_read_as_given():
    """As on AWS and Alibaba: a field no longer answered leaves every member unknown, and the read fails loudly. A read
    that stands keeps the manager's uin as the management account, names a member without a Name by its uin, and leaves
    its units out when no rule asked for them, whatever node it is in."""
    rows = [{'MemberUin': 2, 'Name': 'two', 'NodeId': 5}, {'MemberUin': 3, 'NodeId': 5}]
    with pytest.raises(
        CloudError, match="PermissionStatusMissing: the organisation's 2 accounts are listed without a PermissionStatus"
    ):
        tencent_organization.read_organization(OrganizationAnswers(rows), with_units=False, with_tags=False)
    read = tencent_organization.read_organization(
        OrganizationAnswers([*rows, {'MemberUin': 4, 'Name': 'four', 'PermissionStatus': 'Confirmed', 'NodeId': 5}]),
        with_units=False,
        with_tags=False,
    )
    assert read.management_account == '100000000001'
    assert [(account.account, account.name, account.state, account.units) for account in read.accounts] == [
        ('2', 'two', 'UNKNOWN', ()),
        ('3', '3', 'UNKNOWN', ()),
        ('4', 'four', 'active', ()),
    ]


@pytest.mark.parametrize(
    ('provider', 'pages'),
    [
        ('ecs', {'GetResourceDirectory': 1, 'ListAccounts': 6}),
        ('ens', {'GetResourceDirectory': 1, 'ListAccounts': 6}),
        ('cbs', {'DescribeOrganization': 1, 'DescribeOrganizationMembers': 11}),
    ],
)
def test_500_accounts_in_full_pages_under_throttling_and_from_the_cache_without_a_call(
    fakecloud_clean, provider, pages
):
    organization = 'cbs' if provider == 'cbs' else 'ecs'
    dummy, keys, region, dummy, dummy, dummy = ORGANIZATIONS[organization]
    seed_organization(fakecloud_clean, organization, count=500)
    # The first three listings throttled: the read goes on (backing off without sleeping here), each page read once.
    listing = 'DescribeOrganizationMembers' if provider == 'cbs' else 'ListAccounts'
    fakecloud_clean.admin.faults(
        rules=[
            {
                'cloud': 'organization' if provider == 'cbs' else 'resourcemanager',
                'action': listing,
                'throttle_rate': 1.0,
                'count': 3,
            }
        ]
    )
    fakecloud_clean.admin.calls(reset=True)
    connection = dict(
        {'endpoint_url': fakecloud_clean.url},
        **(
            {'secret_id': keys['TENCENTCLOUD_SECRET_ID'], 'secret_key': keys['TENCENTCLOUD_SECRET_KEY']}
            if provider == 'cbs'
            else {
                'alicloud_access_key': keys['ALICLOUD_ACCESS_KEY'],
                'alicloud_secret_key': keys['ALICLOUD_SECRET_KEY'],
            }
        ),
    )
    given = settings(
        provider=provider,
        connection=connection,
        regions=[region, region + '-b', region + '-c'],
        include={'tags': {'owner': 'app'}},
    )
    retry = CallRetry(default_backoff(sleep=lambda seconds: None))
    found = read_the_organization(given, retry=retry)
    assert found.organization.calls == pages and retry.retries == 3
    answered = fakecloud_clean.admin.calls()['calls']
    assert (
        sum(counts['calls'] for actions in answered.values() for counts in actions.values()) == sum(pages.values()) + 3
    )
    scopes, record = plan_scopes(found.organization, given, found.regions)
    assert len(scopes) == 1500 and len(record['accounts']) == 501  # the management account has no owner tag
    # The inventory cache keeps the read as JSON: the same scopes from it.
    kept = json.loads(json.dumps(found.to_cache()))
    assert plan_scopes(OrganizationFound.from_cache(kept).organization, given, found.regions) == (scopes, record)


@pytest.mark.parametrize('provider', sorted(ORGANIZATIONS))
def test_a_member_account_is_refused_with_the_clouds_code_and_request_id(fakecloud_clean, provider):
    seed_organization(fakecloud_clean, provider, count=1)
    member = fake.TENCENT_DR_UIN if provider == 'cbs' else fake.ALIBABA_DR_ACCOUNT_ID
    kind = ORGANIZATIONS[provider][0]
    fakecloud_clean.admin.seed(
        **{kind: {'members': [{'uin': member}]} if provider == 'cbs' else {'accounts': [{'id': member}]}}
    )
    connection = {'endpoint_url': fakecloud_clean.url}
    if provider == 'cbs':
        connection.update(secret_id=fake.TENCENT_MEMBER_SECRET_ID, secret_key=fake.TENCENT_MEMBER_SECRET_KEY)
        expected = 'InvalidParameter.OrganizationMemberNotManager'
    else:
        connection.update(
            alicloud_access_key=fake.ALIBABA_MEMBER_ACCESS_KEY_ID,
            alicloud_secret_key=fake.ALIBABA_MEMBER_ACCESS_KEY_SECRET,
        )
        expected = 'EntityNotExists.ResourceDirectory'
    with pytest.raises(ReadError) as refused:
        read_the_organization(settings(provider=provider, connection=connection, regions=['somewhere']))
    assert expected in str(refused.value) and 'request id' in str(refused.value)


@pytest.mark.parametrize(
    ('given', 'words'),
    [
        ({'provider': 'ecs'}, 'regions is required with provider ecs'),
        ({'provider': 'aws', 'role': 'arn:aws:iam::1:role/x'}, 'role must name {account}'),
        ({'provider': 'aws', 'include': {'ou': ['x']}}, 'include takes accounts, units and tags, not ou'),
        ({'provider': 'aws', 'exclude': {'tags': ['x']}}, 'exclude.tags must be a mapping'),
        ({'provider': 'aws', 'host_name': '{account}'}, 'host_name must name {account} and {region}'),
        ({'provider': 'aws', 'dr_regions': {'us-east-1': 5}}, 'dr_regions.us-east-1 must be a list'),
        ({'provider': 'aws', 'tag_vars': {'dr_copy_dr_regions': ''}}, 'tag_vars must map each variable to a tag key'),
        (
            {'provider': 'cbs', 'regions': ['ap-guangzhou'], 'connection': {'alicloud_access_key': 'x'}},
            'connection takes the connection options of provider cbs',
        ),
    ],
)
def test_bad_settings_are_refused_in_a_few_words_naming_the_setting_before_any_call(fakecloud_clean, given, words):
    fakecloud_clean.admin.calls(reset=True)
    with pytest.raises(ScopeSettingsError, match=re.escape(words)):
        read_the_organization(
            settings(**dict(given, connection=dict(given.get('connection', {}), endpoint_url=fakecloud_clean.url)))
        )
    assert fakecloud_clean.admin.calls()['total_calls'] == 0


def test_tags_are_read_when_a_rule_a_variable_or_a_constructed_group_needs_them_and_only_then():
    """On AWS each account's tags are a call of their own: read only for what uses them."""
    plain = settings(provider='aws', keyed_groups=[{'key': 'dr_scope_account.name', 'prefix': 'account'}])
    assert not needs_tags(plain)
    assert needs_tags(settings(provider='aws', keyed_groups=[{'key': 'dr_scope_account.tags.team', 'prefix': 'team'}]))
    assert needs_tags(settings(provider='aws', compose={'team': "dr_scope_account.tags['team']"}))
    assert needs_tags(settings(provider='aws', include={'tags': {'dr': None}}))
    assert needs_tags(settings(provider='aws', tag_vars={'dr_copy_dr_regions': 'dr-regions'}))


@pytest.mark.parametrize('provider', sorted(ORGANIZATIONS))
def test_alibaba_and_tencent_a_unit_within_a_unit_is_walked_and_ruled_by_its_own_name(
    fakecloud_clean, tmp_path, provider
):
    """Folders (nodes) two deep: web in prod. An account in web is in prod too, so prod's rule takes it, and web's
    exclusion, which names the deeper unit, leaves it out; both need the walk to reach web and name it."""
    region = ORGANIZATIONS[provider][2]
    units = [{'name': 'prod'}, {'name': 'web', 'parent': 'prod'}, {'name': 'dev'}]
    (prod, dummy_web, dummy_dev, root), (in_web, in_prod, in_dev) = seed_units(
        fakecloud_clean, provider, units, 3, ['web', 'prod', 'dev']
    )
    listed, dummy_graph = organization_inventory(
        fakecloud_clean, tmp_path, provider, 'include: {units: [prod]}', 'exclude: {units: [web]}'
    )
    assert set(listed[provider]['hosts']) == {'%s-%s-%s' % (provider, in_prod, region)}
    host = listed['_meta']['hostvars']['%s-%s-%s' % (provider, in_prod, region)]
    assert host['dr_scope_account']['units'] == [prod, root], 'its own unit first, up to the root'
    (record,) = [value for key, value in listed['dr_scopes']['vars'].items() if key.startswith('dr_organization_')]
    left = {row['account']: row['left_out'] for row in record['accounts'] if row['left_out']}
    assert left[in_web] == 'excluded: in unit web'
    assert left[in_dev] == 'in none of the units included (prod)'


def test_alibaba_an_account_in_a_folder_made_during_the_read_is_in_the_folders_above_it(fakecloud_clean, tmp_path):
    """ListAccounts gives each account its ResourceDirectoryPath (directory/root/folders/account): a folder made after
    the walk of the folders (web, in prod: the walk's answers below are canned from before it was made) is named there
    with prod above it, so prod's rule takes the account. Its FolderId alone would name a folder the walk never saw."""
    region = ORGANIZATIONS['ecs'][2]
    units = [{'name': 'prod'}, {'name': 'web', 'parent': 'prod'}]
    (prod, dummy_web, root), (in_web,) = seed_units(fakecloud_clean, 'ecs', units, 1, ['web'])
    listed_before_web = {
        'RequestId': 'canned-before-web',
        'PageNumber': 1,
        'PageSize': 100,
        'TotalCount': 1,
        'Folders': {'Folder': [{'FolderId': prod, 'FolderName': 'prod', 'CreateTime': '2026-11-01T00:00:00Z'}]},
    }
    nothing_yet = dict(listed_before_web, TotalCount=0, Folders={'Folder': []})
    fakecloud_clean.admin.faults(
        answers=[
            {'cloud': 'resourcemanager', 'action': 'ListFoldersForParent', 'answer': listed_before_web, 'count': 1},
            {'cloud': 'resourcemanager', 'action': 'ListFoldersForParent', 'answer': nothing_yet},
        ]
    )
    listed, dummy_graph = organization_inventory(fakecloud_clean, tmp_path, 'ecs', 'include: {units: [prod]}')
    assert set(listed['ecs']['hosts']) == {'ecs-%s-%s' % (in_web, region)}
    units = listed['_meta']['hostvars']['ecs-%s-%s' % (in_web, region)]['dr_scope_account']['units']
    assert units[1:] == [prod, root], units
