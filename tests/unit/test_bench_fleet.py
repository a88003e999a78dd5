"""make bench's fleet lane (tests/bench/fleet.py) and its table (report.py): the fleet it makes, the inventory as
Ansible reads it, the calls per scope, the floor and speed-up, and the measuring of a real process tree."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
fleet = importlib.import_module('fleet')
report = importlib.import_module('report')

ARN_SHAPES = {
    'aws': r'^arn:aws:iam::(\d{12}):role/',
    'ecs': r'^acs:ram::(\d{16}):role/',
    'ens': r'^acs:ram::(\d{16}):role/',
    'cbs': r'^qcs::cam::uin/(\d{12}):roleName/',
}


def test_a_hundred_scopes_are_25_per_cloud_over_5_accounts_of_5_regions():
    scopes = fleet.fleet_scopes(100)
    assert len({scope['name'] for scope in scopes}) == 100
    for provider in fleet.PROVIDERS:
        mine = [scope for scope in scopes if scope['provider'] == provider]
        assert len(mine) == 25 and len({scope['account'] for scope in mine}) == 5
        assert len({(scope['account'], scope['source_region']) for scope in mine}) == 25
        # No two scopes of an account copy to one region: AWS's 20 copies in flight are per account and region.
        assert len({(scope['account'], scope['dr_region']) for scope in mine}) == 25 or provider == 'ens'
        for scope in mine:
            assert re.match(ARN_SHAPES[provider], scope['role_arn']).group(1) == scope['account']
            assert scope['source_region'] != scope['dr_region']


def test_a_small_fleet_deals_its_scopes_round_the_clouds():
    assert [scope['provider'] for scope in fleet.fleet_scopes(6)] == ['aws', 'ecs', 'ens', 'cbs', 'aws', 'ecs']
    assert [scope['name'] for scope in fleet.fleet_scopes(5)][::4] == ['aws-01-us-east-1', 'aws-01-us-east-2']


def test_ansible_reads_the_inventory_as_the_example_fleet_is_shaped(tmp_path):
    scopes = fleet.fleet_scopes(8)
    endpoints = {
        'aws': 'http://127.0.0.1:1',
        'ecs': 'http://127.0.0.1:2',
        'ens': 'http://127.0.0.1:2',
        'cbs': 'http://127.0.0.1:2',
    }
    path = tmp_path / 'fleet.json'
    path.write_text(json.dumps(fleet.inventory(scopes, endpoints, 1, 600, '/tmp/reports')))
    listing = json.loads(
        subprocess.run(
            [sys.executable, '-m', 'ansible.cli.inventory', '-i', str(path), '--list'],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert sorted(listing['dr_scopes']['children']) == ['alibaba_ecs', 'alibaba_ens', 'aws', 'tencent']
    host = listing['_meta']['hostvars']['cbs-01-ap-guangzhou']
    assert host['dr_copy_provider'] == 'cbs' and host['dr_copy_dr_regions'] == ['ap-shanghai']
    assert host['dr_copy_connection'] == {'role_arn': 'qcs::cam::uin/500000000001:roleName/snapcopy-dr'}
    assert host['dr_copy_connection_defaults'] == {
        'endpoint_url': 'http://127.0.0.1:2',
        'role_session_name': 'snapcopy-bench',
    }
    assert host['dr_copy_wait'] is True and host['dr_copy_poll_interval'] == 1
    ecs = listing['_meta']['hostvars']['ecs-01-cn-hangzhou']
    assert ecs['dr_copy_connection'] == {'alicloud_assume_role_arn': 'acs:ram::5000000000000001:role/snapcopy-dr'}


def test_calls_per_scope_split_a_vendor_s_sts_between_its_clouds():
    scopes = fleet.fleet_scopes(8)  # two scopes per cloud
    calls = {
        'aws': {
            'DescribeVolumes': {'calls': 2, 'errors': 0},
            'DescribeSnapshots': {'calls': 8, 'errors': 0},
            'CopySnapshot': {'calls': 42, 'errors': 2},
            'AssumeRole': {'calls': 2, 'errors': 0},
        },
        'ecs': {'DescribeDisks': {'calls': 2, 'errors': 0}, 'CopySnapshot': {'calls': 40, 'errors': 0}},
        'ens': {'DescribeDisks': {'calls': 4, 'errors': 0}, 'CopySnapshot': {'calls': 40, 'errors': 0}},
        # Tencent's STS serves CBS alone: its calls come in CBS's entry.
        'cbs': {
            'CopySnapshotCrossRegions': {'calls': 40, 'errors': 0},
            'tag:TagResources': {'calls': 40, 'errors': 0},
            'sts:AssumeRole': {'calls': 2, 'errors': 0},
        },
        'ecs|ens': {'sts:AssumeRole': {'calls': 4, 'errors': 0}},
    }
    per_scope = fleet.per_scope(calls, scopes)
    assert per_scope['aws'] == {
        'reads': 5.0,
        'copy_calls': 21.0,
        'copy_calls_refused': 1.0,
        'other_writes': 0.0,
        'assume_role': 1.0,
    }
    assert per_scope['ecs']['assume_role'] == 1.0 and per_scope['ens']['assume_role'] == 1.0
    assert per_scope['ens']['reads'] == 2.0 and per_scope['ecs']['reads'] == 1.0
    assert per_scope['cbs'] == {
        'reads': 0.0,
        'copy_calls': 20.0,
        'copy_calls_refused': 0.0,
        'other_writes': 20.0,
        'assume_role': 1.0,
    }


def run(forks, wall, cpu, emulators=0.0, scopes=100):
    return {'forks': forks, 'scopes': scopes, 'wall_s': wall, 'cpu_s': cpu, 'emulators_cpu_s': emulators}


def test_the_floor_is_the_cpu_the_cores_allow_or_the_scopes_waits_side_by_side():
    # Forks 1: 400 s, 100 + 20 CPU s: a scope needs 4 s alone and 1.2 CPU s; 2 cores do 120 CPU s in 60 s.
    rows = fleet.floors([run(25, 70.0, 130.0, 20.0), run(1, 400.0, 100.0, 20.0), run(10, 80.0, 125.0, 20.0)], cores=2)
    assert [row['forks'] for row in rows] == [1, 10, 25]
    first, ten, twenty_five = rows
    assert (first['floor_s'], first['bound_by'], first['speed_up'], first['best_speed_up']) == (
        400.0,
        'waiting',
        1.0,
        1.0,
    )
    assert (ten['cpu_bound_s'], ten['wait_bound_s'], ten['floor_s'], ten['bound_by']) == (60.0, 40.0, 60.0, 'CPU')
    assert (ten['speed_up'], ten['best_speed_up'], ten['wall_over_floor']) == (5.0, 6.67, 1.33)
    assert ten['cpu_per_scope_s'] == 1.45 and ten['ansible_cpu_per_scope_s'] == 1.25
    assert twenty_five['wait_bound_s'] == 16.0 and twenty_five['floor_s'] == 60.0


def test_the_wait_bound_counts_whole_rounds_of_forks():
    rows = fleet.floors([run(1, 300.0, 10.0), run(30, 50.0, 10.0)], cores=2)
    assert rows[1]['wait_bound_s'] == 12.0 and rows[1]['bound_by'] == 'waiting'  # ceil(100 / 30) = 4 rounds of 3 s


def test_the_cpu_a_scope_needs_is_the_least_any_run_spent():
    # The controller polls its workers while it waits: the long run at forks 1 spent more CPU on the same work.
    rows = fleet.floors([run(1, 400.0, 160.0), run(10, 90.0, 110.0, 10.0)], cores=2)
    assert rows[1]['cpu_bound_s'] == 60.0 and rows[0]['cpu_per_scope_s'] == 1.6


def test_no_floor_without_a_run_at_forks_1():
    assert not fleet.floors([run(10, 80.0, 120.0)], cores=2)


@pytest.mark.parametrize('wall_at_10, met', [(66.0, True), (67.0, False)])
def test_the_target_is_forks_10_six_times_as_fast_as_forks_1(wall_at_10, met):
    records = [
        dict(run(1, 400.0, 100.0), ok=True),
        dict(run(10, wall_at_10, 100.0), ok=True),
        dict(run(25, 10.0, 1.0), ok=False),
    ]
    summary = fleet.summarize(records, 2, {'scopes': 100})
    assert summary['target_met'] is met and [row['forks'] for row in summary['floors']] == [1, 10]


def test_the_table_shows_each_fork_count_the_target_and_the_calls_per_scope():
    base = {
        'scopes': 8,
        'disks_per_scope': 5,
        'providers': ['aws', 'cbs'],
        'accounts': 2,
        'scopes_by_provider': {'aws': 4, 'cbs': 4},
        'exit_code': 0,
        'ok': True,
        'controller_cpu_s': 3.0,
        'emulators_cpu_s': 1.0,
        'peak_pss_sum_mib': 200.0,
        'peak_rss_sum_mib': 400.0,
        'peak_processes': 12,
        'largest_process_rss_mib': 65.0,
        'load_at_start': [1.5, 1.0, 1.0],
        'calls_per_scope': {
            'aws': {
                'reads': 5.0,
                'copy_calls': 5.0,
                'copy_calls_refused': 0.0,
                'other_writes': 0.0,
                'assume_role': 1.0,
            },
            'cbs': {
                'reads': 6.0,
                'copy_calls': 5.0,
                'copy_calls_refused': 0.5,
                'other_writes': 5.0,
                'assume_role': 1.0,
            },
        },
    }
    runs = [dict(base, forks=1, wall_s=80.0, cpu_s=16.0), dict(base, forks=4, wall_s=20.0, cpu_s=15.0)]
    summary = fleet.summarize(
        runs, 2, {'scopes': 8, 'disks': 5, 'copy_seconds': 3, 'poll_interval_s': 1, 'latency_ms': 20}
    )
    text = '\n'.join(report.fleet_table(summary))
    assert '8 scopes of 5 tagged disks (AWS EBS, Tencent CBS; 2 accounts), copies of 3 s, polled every 1 s' in text
    assert '| 1 | 80.0 | 1.0x | 80.0 (waiting) | 1.0x | 1.00 | 16 (3) + 1 | 2.12 | 200 / 400 (12) | 65 | 1.50 |' in text
    assert '| 4 | 20.0 | 4.0x | 20.0 (waiting) | 4.0x | 1.00 | 15 (3) + 1 | 2.00 |' in text
    assert 'Target' not in text  # no run at forks 10
    assert '| Tencent CBS | 4 | 6 / 6 | 5 / 5 | 0.5 / 0.5 | 5 / 5 | 1 / 1 |' in text


def test_a_process_tree_is_measured_whole(tmp_path):
    # A parent that starts a child; both burn some CPU and hold some memory; the child is waited for.
    script = (
        'import subprocess, sys\n'
        'child = subprocess.Popen([sys.executable, "-c", "b = bytearray(30 * 1024 * 1024); sum(range(3000000)); '
        'import time; time.sleep(0.6)"])\n'
        'sum(range(3000000))\n'
        'sys.exit(child.wait() + 3)\n'
    )
    measured = fleet.run_measured(
        [sys.executable, '-c', script], str(tmp_path / 'log'), dict(os.environ), [os.getpid()]
    )
    assert measured['exit_code'] == 3
    assert measured['cpu_s'] > measured['controller_cpu_s'] > 0  # the child's CPU is the tree's, not the root's
    assert measured['peak_processes'] >= 2 and measured['memory_samples'] >= 2
    assert measured['peak_rss_sum_mib'] >= measured['peak_pss_sum_mib'] > 30
    assert measured['largest_process_rss_mib'] > 30
    assert measured['emulators_cpu_s'] >= 0
