"""make bench's part g (tests/bench/groups.py): what consistency groups add, per cloud, as shares of the run alone."""

from __future__ import annotations

import importlib
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
groups = importlib.import_module('groups')


def record(provider, wall_without, added_s, calls_without, added_calls, ok=True):
    return {
        'provider': provider,
        'disks': 600,
        'groups': 200,
        'ok': ok,
        'wall_without_s': wall_without,
        'wall_with_s': wall_without + added_s,
        'added_s': added_s,
        'calls_without': calls_without,
        'calls_with': calls_without + sum(added_calls.values()),
        'added_calls': added_calls,
    }


def test_the_summary_gives_what_groups_add_as_a_share_of_the_run_alone():
    summary = groups.summarize(
        [
            record('ecs', 40.0, 2.0, 700, {'DescribeSnapshotGroups': 2}),
            record('ecs', 44.0, 4.0, 700, {'DescribeSnapshotGroups': 2}),
            record('aws', 300.0, 0.0, 800, {}),
            record('cbs', 70.0, 1.0, 900, {}, ok=False),
        ]
    )
    ecs = summary['ecs']
    assert ecs['ok'] and ecs['runs'] == 2 and ecs['groups'] == 200
    assert (ecs['added_s'], ecs['added_pct']) == (3.0, 7.1)  # 3 s of the median 42 s
    assert (ecs['added_calls'], ecs['added_calls_pct']) == (2, 0.3)
    assert summary['aws']['added_pct'] == 0.0
    assert summary['cbs'] == {'ok': False, 'runs': 1}
    table = '\n'.join(groups.table(summary))
    assert '| ecs | 600 | 200 | 2 | 42.0 | 45.0 | +3.0 (+7.1 %) | +2 (+0.3 %) | DescribeSnapshotGroups +2 |' in table
    assert '| aws | 600 | 200 | 1 | 300.0 | 300.0 | +0.0 (+0.0 %) | +0 (+0.0 %) | none |' in table
    assert '| cbs | - | - | 1 | failed |' in table
