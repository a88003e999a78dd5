"""Part o of make bench: the dr_scopes inventory (plugins/inventory/dr_scopes.py) over an organisation of many accounts.

1. Build time. An organisation of ``accounts`` member accounts (and its management account) on each cloud: moto's AWS
   Organizations behind tests/bench/aws_proxy.py (every call held LATENCY_MS, counted by action), reached through STS in
   a management account of its own, as the unit tests do; fakecloud's Alibaba Resource Directory and Tencent
   Organization, with fakecloud's latency at the same LATENCY_MS (FakecloudStack.configure). Then
   ``ansible-inventory -i <file>.dr_scopes.yml --list --export`` as AWX's inventory update runs it, the keys in the
   environment, over BUILD_REGIONS: its wall seconds, its CPU seconds (the children's rusage over it, nothing else
   running), the hosts it lists, the calls its record (``dr_organization_*``) counts and those the emulator answered.
   AWS twice: without tag rules (no call an account) and with one (a ListTagsForResource an account, as Organizations
   lists no tags with its accounts).
2. The fleet over it. An AWS organisation of ``fleet_accounts`` accounts, each with the fleet's tagged disks in one
   source region, and playbooks/dr_fleet.yml over its dr_scopes inventory (each scope assumes
   arn:aws:iam::{account}:role/bench) at the fleet's fork counts, and over the static inventory of the same scopes for
   comparison (fleet.py's lane, given ``OrgFleet``).
"""

from __future__ import annotations

import json
import os

from fleet import job_environment
from runs import BIN, ROOT, ansible_env, run_timed
from stacks import TAG_SELECTOR, with_emulators  # with_emulators: tests/utils, on the path stacks sets

# The source regions of each scope of the build (three, so every account is three hosts). fakecloud and moto take any
# name for the read; these are real ones.
BUILD_REGIONS = {
    'aws': ['us-east-1', 'eu-west-1', 'ap-south-1'],
    'ecs': ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
    'cbs': ['ap-guangzhou', 'ap-shanghai', 'ap-beijing'],
}
# Their DR region: one that is none of them (a scope never copies to its own region).
BUILD_DR_REGION = {'aws': 'us-west-2', 'ecs': 'cn-shenzhen', 'cbs': 'ap-nanjing'}
# Management accounts of the bench's own in moto (moto keeps one organisation an account).
BUILD_MANAGEMENT = '410000000001'
FLEET_MANAGEMENT = '410000000002'
MANAGEMENT_ROLE = 'arn:aws:iam::%s:role/bench-org-admin'
MEMBER_ROLE = 'arn:aws:iam::{account}:role/bench'
FLEET_REGIONS = ('us-east-1', 'us-west-2')
# Every member's tag, which the tag rule asks for (the management account has none: it is left out by the rule).
MEMBER_TAGS = {'owner': 'app'}


# ---------------------------------------------------------------- seeding


def aws_organization(moto_url, management, count):
    """An organisation in moto, managed by ``management`` (reached by a role in it), of ``count`` members tagged
    MEMBER_TAGS: (the management role, the members' ids in order). Straight to moto: seeding is neither timed nor
    counted."""
    import botocore.session  # pylint: disable=import-outside-toplevel  # the bench's venv has it; importing it costs time

    session = botocore.session.Session()
    kwargs = {'region_name': 'us-east-1', 'endpoint_url': moto_url}
    role = MANAGEMENT_ROLE % management
    keys = session.create_client(
        'sts',
        aws_access_key_id=with_emulators.AWS_ACCESS_KEY,
        aws_secret_access_key=with_emulators.AWS_SECRET_KEY,
        **kwargs,
    ).assume_role(RoleArn=role, RoleSessionName='bench-org')['Credentials']
    client = session.create_client(
        'organizations',
        aws_access_key_id=keys['AccessKeyId'],
        aws_secret_access_key=keys['SecretAccessKey'],
        aws_session_token=keys['SessionToken'],
        **kwargs,
    )
    client.create_organization(FeatureSet='ALL')
    tags = [{'Key': key, 'Value': value} for key, value in MEMBER_TAGS.items()]
    members = []
    # One after another: moto's Organizations keeps its accounts in a plain dict, and seeding is not timed.
    for number in range(count):
        made = client.create_account(Email='app%d@example.com' % number, AccountName='app-%d' % number, Tags=tags)
        status = client.describe_create_account_status(CreateAccountRequestId=made['CreateAccountStatus']['Id'])
        members.append(status['CreateAccountStatus']['AccountId'])
    return role, members


def fakecloud_organization(stack, provider, count):
    """The Resource Directory (``ecs``) or Tencent Organization (``cbs``) of fakecloud's default account with ``count``
    members tagged MEMBER_TAGS."""
    generate = {'count': count, 'prefix': 'app', 'tags': dict(MEMBER_TAGS)}
    kind = 'resource_directory' if provider == 'ecs' else 'organization'
    stack.admin.seed(**{kind: {'generate': [generate] if provider == 'ecs' else generate}})


# ---------------------------------------------------------------- the inventory files


def build_source(provider, endpoint, regions, tag_rule, management_role=None):
    """The dr_scopes file of the build: every account a scope in each of ``regions``; with ``tag_rule``, only those
    tagged MEMBER_TAGS (a tag read an account on AWS)."""
    connection = {'endpoint_url': endpoint}
    if management_role:
        connection['role_arn'] = management_role
    source = {
        'plugin': 'snapcopy.cloud.dr_scopes',
        'provider': provider,
        'connection': connection,
        'regions': list(regions),
        'dr_regions': [BUILD_DR_REGION[provider]],
        'vars': {'dr_copy_tag_selector': dict(TAG_SELECTOR)},
    }
    if tag_rule:
        source['include'] = {'tags': dict(MEMBER_TAGS)}
    return source


def fleet_source(endpoint, management, settings, report_dir):
    """The dr_scopes file of the fleet: each member a scope in FLEET_REGIONS[0] copying to FLEET_REGIONS[1] through its
    role, as the static fleet's scopes are set (fleet.inventory); the management account, which has no disks, left
    out."""
    return {
        'plugin': 'snapcopy.cloud.dr_scopes',
        'provider': 'aws',
        'connection': {'endpoint_url': endpoint, 'role_arn': MANAGEMENT_ROLE % management},
        'regions': [FLEET_REGIONS[0]],
        'dr_regions': [FLEET_REGIONS[1]],
        'role': MEMBER_ROLE,
        'exclude': {'accounts': [management]},
        'vars': {
            'dr_copy_tag_selector': dict(TAG_SELECTOR),
            'dr_copy_wait': True,
            'dr_copy_wait_timeout': settings['wait_timeout'],
            'dr_copy_poll_interval': settings['poll_interval_s'],
            'dr_copy_report_dir': report_dir,
            'dr_copy_connection_defaults': {'endpoint_url': endpoint, 'role_session_name': 'snapcopy-bench'},
        },
    }


def write_source(path, source):
    """JSON is YAML: the plugin reads the file as the yaml of a .dr_scopes.yml."""
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(source, handle, indent=1)


# ---------------------------------------------------------------- reading ansible-inventory's answer


def unwrap(node):
    """ansible-inventory's JSON as Ansible reads it back: from ansible-core 2.19 a string from outside the playbook is
    written {"__ansible_unsafe": text}."""
    return node['__ansible_unsafe'] if set(node) == {'__ansible_unsafe'} else node


def read_listing(text):
    """(hosts, the organisation's record) of ``ansible-inventory --list --export``'s JSON."""
    listed = json.loads(text, object_hook=unwrap)
    hosts = set(listed.get('_meta', {}).get('hostvars', {}))
    for name, group in listed.items():
        if name != '_meta' and isinstance(group, dict):
            hosts.update(group.get('hosts', []))
    records = [
        value
        for group in listed.values()
        if isinstance(group, dict)
        for key, value in (group.get('vars') or {}).items()
        if key.startswith('dr_organization_')
    ]
    return len(hosts), records[0] if records else None


def emulator_calls(stack, provider):
    """{action: calls} the emulator answered since it last forgot, over its services (Organizations and STS on AWS,
    ResourceManager or Organization and STS on fakecloud)."""
    if provider == 'aws':
        by_action = stack.calls('aws')[0]
        return {action: counts['calls'] for action, counts in sorted(by_action.items())}
    answered = stack.admin.calls()['calls']
    return {
        '%s:%s' % (cloud, action): counts['calls']
        for cloud, actions in sorted(answered.items())
        for action, counts in sorted(actions.items())
    }


def run_inventory(path, output_path, env):
    """``ansible-inventory -i path --list --export``: (wall seconds, CPU seconds, exit code), its JSON in
    ``output_path`` and its warnings in ``output_path``.log. The CPU is the children's over the run: nothing else of the
    bench runs then."""
    command = [os.path.join(BIN, 'ansible-inventory'), '-i', path, '--list', '--export', '--output', output_path]
    wall, code, cpu = run_timed(command, output_path + '.log', env)
    return wall, cpu, code


def expected_hosts(accounts, tag_rule, regions=3):
    """Hosts the build should list: every member in each region, and the management account too without the tag
    rule."""
    return regions * (accounts + (0 if tag_rule else 1))


def measure_build(work, stack, provider, accounts, tag_rule, credentials, management_role=None):
    """One build of part o: the record of ``ansible-inventory`` over the organisation already seeded in ``stack``."""
    regions = BUILD_REGIONS[provider]
    label = 'org-build-%s-%d%s' % (provider, accounts, '-tags' if tag_rule else '')
    path = os.path.join(work, label + '.dr_scopes.yml')
    write_source(path, build_source(provider, stack.url, regions, tag_rule, management_role))
    output = os.path.join(work, label + '.json')
    stack.forget_calls(provider)
    env = ansible_env(dict(job_environment(credentials), ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='1'))
    wall, cpu, code = run_inventory(path, output, env)
    hosts, record = (0, None)
    if code == 0:
        with open(output, encoding='utf-8') as handle:
            hosts, record = read_listing(handle.read())
    answered = emulator_calls(stack, provider)
    calls = dict((record or {}).get('calls') or {})
    expected = expected_hosts(accounts, tag_rule, len(regions))
    return {
        'kind': 'build',
        'provider': provider,
        'accounts': accounts,
        'regions': len(regions),
        'tag_rule': tag_rule,
        'ok': code == 0 and hosts == expected,
        'exit_code': code,
        'wall_s': round(wall, 2),
        'cpu_s': round(cpu, 2),
        'hosts': hosts,
        'expected_hosts': expected,
        'accounts_in_record': len((record or {}).get('accounts') or []),
        'calls': calls,
        'record_calls': sum(calls.values()),
        'emulator_calls': answered,
        'emulator_calls_total': sum(answered.values()),
        'log': os.path.relpath(output + '.log', ROOT),
        'command': 'ansible-inventory -i %s --list --export' % os.path.relpath(path, ROOT),
    }


# ---------------------------------------------------------------- the fleet over the organisation


class OrgFleet:
    """fleet.FleetLane's organisation: made again at each reset; the dr_scopes file, or (``static``) the static
    inventory of the same scopes."""

    def __init__(self, accounts, static):
        self.accounts = accounts
        self.static = static
        self.kind = 'org-static' if static else 'org-dr-scopes'

    def seed(self, aws_stack):
        dummy, members = aws_organization(aws_stack.moto_url, FLEET_MANAGEMENT, self.accounts)
        return fleet_scopes_of(members)

    def write_inventory(self, path, endpoints, settings, report_dir):
        if self.static:
            return False
        write_source(path, fleet_source(endpoints['aws'], FLEET_MANAGEMENT, settings, report_dir))
        return True


def fleet_scopes_of(members):
    """fleet.py's scopes of the members, named as the dr_scopes plugin names its hosts (provider-account-region)."""
    source, destination = FLEET_REGIONS
    return [
        {
            'name': 'aws-%s-%s' % (account, source),
            'provider': 'aws',
            'account': account,
            'source_region': source,
            'dr_region': destination,
            'role_arn': MEMBER_ROLE.format(account=account),
        }
        for account in members
    ]


def fleet_rows(records):
    """{forks: {kind: wall seconds}} of the good fleet runs, and the dr_scopes run's seconds over the static one's."""
    rows = {}
    for record in records:
        if record['ok']:
            rows.setdefault(record['forks'], {})[record['kind']] = record['wall_s']
    for row in rows.values():
        if 'org-static' in row and 'org-dr-scopes' in row:
            row['added_s'] = round(row['org-dr-scopes'] - row['org-static'], 2)
    return dict(sorted(rows.items()))


def table(part, static_fleet=None):
    """Part o's Markdown tables (lines), for the bench's printout; ``static_fleet``: part f's records, when it ran."""
    lines = [
        "### o. An organisation's inventory: ansible-inventory --list --export, %d ms a call" % part['latency_ms'],
        '',
        '| cloud | accounts x regions | tag rule | hosts | wall s | CPU s | calls (record) | calls (emulator) |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for run in part.get('builds', []):
        lines.append(
            '| %s | %d x %d | %s | %d | %.1f | %.1f | %s | %d |%s'
            % (
                run['provider'],
                run['accounts'],
                run['regions'],
                'yes' if run['tag_rule'] else 'no',
                run['hosts'],
                run['wall_s'],
                run['cpu_s'],
                ', '.join('%s %d' % item for item in sorted(run['calls'].items())) or '-',
                run['emulator_calls_total'],
                '' if run['ok'] else ' FAILED, see %s' % run['log'],
            )
        )
    rows = part.get('fleet_rows') or {}
    if rows:
        part_f = {
            record['forks']: '%s (%d scopes)' % (record['wall_s'], record['scopes'])
            for record in static_fleet or []
            if record['ok']
        }
        lines += [
            '',
            'The fleet over an organisation of %d accounts x %d disks (AWS):'
            % (part['settings']['fleet_accounts'], part['settings']['disks']),
            '',
            '| forks | dr_scopes inventory wall s | static inventory wall s | added s | part f wall s |',
            '|---|---|---|---|---|',
        ]
        for forks, row in rows.items():
            lines.append(
                '| %s | %s | %s | %s | %s |'
                % (
                    forks,
                    row.get('org-dr-scopes', '-'),
                    row.get('org-static', '-'),
                    row.get('added_s', '-'),
                    part_f.get(forks, '-'),
                )
            )
    return [*lines, '']
