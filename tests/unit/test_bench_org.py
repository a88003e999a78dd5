"""make bench's part o (tests/bench/org.py): the dr_scopes files it writes, how it reads ansible-inventory's answer, the
static scopes it compares with, and its table."""

from __future__ import annotations

import importlib
import json
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
org = importlib.import_module('org')
fleet = importlib.import_module('fleet')

FLEET_SETTINGS = {'wait_timeout': 600, 'poll_interval_s': 1, 'disks': 20}


def test_the_build_reads_three_regions_and_only_the_tag_rule_asks_for_tags():
    plain = org.build_source('aws', 'http://127.0.0.1:1', org.BUILD_REGIONS['aws'], False, 'arn:aws:iam::1:role/x')
    tagged = org.build_source('aws', 'http://127.0.0.1:1', org.BUILD_REGIONS['aws'], True, 'arn:aws:iam::1:role/x')
    assert plain['plugin'] == 'snapcopy.cloud.dr_scopes' and len(plain['regions']) == 3
    assert plain['connection'] == {'endpoint_url': 'http://127.0.0.1:1', 'role_arn': 'arn:aws:iam::1:role/x'}
    assert 'include' not in plain and tagged['include'] == {'tags': org.MEMBER_TAGS}
    for provider, regions in org.BUILD_REGIONS.items():
        source = org.build_source(provider, 'http://x', regions, False)
        # A scope never copies to its own region: the DR region is none of the sources.
        assert source['dr_regions'][0] not in regions and 'role_arn' not in source['connection']
    # The management account has no tag: the rule leaves it out.
    assert org.expected_hosts(500, False) == 1503 and org.expected_hosts(500, True) == 1500


def test_the_fleet_file_reaches_each_member_by_its_role_and_leaves_the_management_account_out(tmp_path):
    source = org.fleet_source('http://127.0.0.1:9', org.FLEET_MANAGEMENT, FLEET_SETTINGS, str(tmp_path))
    assert source['role'] == 'arn:aws:iam::{account}:role/bench'
    assert source['exclude'] == {'accounts': [org.FLEET_MANAGEMENT]}
    assert source['connection']['role_arn'] == 'arn:aws:iam::%s:role/bench-org-admin' % org.FLEET_MANAGEMENT
    assert source['vars']['dr_copy_report_dir'] == str(tmp_path)
    assert source['vars']['dr_copy_connection_defaults']['endpoint_url'] == 'http://127.0.0.1:9'
    path = tmp_path / 'org.dr_scopes.yml'
    org.write_source(str(path), source)
    assert json.loads(path.read_text()) == source


def test_the_static_scopes_are_named_as_the_plugin_names_its_hosts_and_set_as_its_are():
    scopes = org.fleet_scopes_of(['111111111111', '222222222222'])
    assert [scope['name'] for scope in scopes] == ['aws-111111111111-us-east-1', 'aws-222222222222-us-east-1']
    listing = fleet.inventory(scopes, {'aws': 'http://x'}, 1, 600, '/tmp/r')
    hosts = listing['all']['children']['dr_scopes']['children']['aws']['hosts']
    assert hosts['aws-111111111111-us-east-1'] == {
        'dr_copy_source_region': 'us-east-1',
        'dr_copy_dr_regions': ['us-west-2'],
        'dr_copy_connection': {'role_arn': 'arn:aws:iam::111111111111:role/bench'},
    }


def test_the_listing_counts_each_host_once_and_finds_the_record_however_its_strings_are_wrapped():
    text = json.dumps(
        {
            '_meta': {'hostvars': {'aws-1-a': {}, 'aws-1-b': {}}},
            'all': {'children': ['dr_scopes', 'ungrouped']},
            'dr_scopes': {
                'children': ['aws'],
                'vars': {
                    'dr_organization_aws_1': {
                        'management_account': {'__ansible_unsafe': '1'},
                        'calls': {'ListAccounts': 26},
                    }
                },
            },
            'aws': {'hosts': ['aws-1-a', 'aws-1-b', 'aws-2-a']},
        }
    )
    hosts, record = org.read_listing(text)
    assert hosts == 3 and record == {'management_account': '1', 'calls': {'ListAccounts': 26}}
    assert org.read_listing('{"_meta": {"hostvars": {}}}') == (0, None)


def test_the_fleet_rows_put_each_fork_count_s_inventories_side_by_side():
    records = [
        {'kind': 'org-dr-scopes', 'forks': 1, 'wall_s': 300.0, 'ok': True},
        {'kind': 'org-static', 'forks': 1, 'wall_s': 298.5, 'ok': True},
        {'kind': 'org-dr-scopes', 'forks': 10, 'wall_s': 50.0, 'ok': False},
        {'kind': 'org-static', 'forks': 10, 'wall_s': 45.0, 'ok': True},
    ]
    rows = org.fleet_rows(records)
    assert rows == {1: {'org-dr-scopes': 300.0, 'org-static': 298.5, 'added_s': 1.5}, 10: {'org-static': 45.0}}
    part = {
        'latency_ms': 20,
        'settings': {'fleet_accounts': 50, 'disks': 20},
        'builds': [
            {
                'provider': 'aws',
                'accounts': 500,
                'regions': 3,
                'tag_rule': True,
                'hosts': 1500,
                'wall_s': 40.0,
                'cpu_s': 3.0,
                'calls': {'ListAccounts': 26, 'ListTagsForResource': 501},
                'emulator_calls_total': 529,
                'ok': True,
                'log': 'x',
            }
        ],
        'fleet_rows': rows,
    }
    text = '\n'.join(org.table(part, [{'forks': 1, 'wall_s': 599.4, 'scopes': 100, 'ok': True}]))
    assert '| aws | 500 x 3 | yes | 1500 | 40.0 | 3.0 | ListAccounts 26, ListTagsForResource 501 | 529 |' in text
    assert '| 1 | 300.0 | 298.5 | 1.5 | 599.4 (100 scopes) |' in text and '| 10 | - | 45.0 | - | - |' in text
