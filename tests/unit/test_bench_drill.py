"""make bench's part d (tests/bench/drill.py): the calls the drill adds, the summary per cloud and its table."""

from __future__ import annotations

import importlib
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
drill = importlib.import_module('drill')
report = importlib.import_module('report')


def test_the_calls_added_are_those_the_run_with_the_drill_made_beyond_the_other():
    without = {'DescribeSnapshots': {'calls': 4, 'errors': 0}, 'DescribeDisks': {'calls': 1, 'errors': 0}}
    with_drill = {
        'DescribeSnapshots': {'calls': 5, 'errors': 0},
        'DescribeDisks': {'calls': 4, 'errors': 0},
        'CreateDisk': {'calls': 1, 'errors': 0},
        'DeleteDisk': {'calls': 1, 'errors': 1},
    }
    assert drill.added_calls(without, with_drill) == {
        'CreateDisk': 1,
        'DeleteDisk': 1,
        'DescribeDisks': 3,
        'DescribeSnapshots': 1,
    }
    assert drill.added_calls(without, without) == {}


def record(provider, added_s, ok=True, calls=None, usable=(5.1,)):
    return {
        'provider': provider,
        'disks': 100,
        'ok': ok,
        'wall_without_s': 10.0,
        'wall_with_s': 10.0 + added_s,
        'added_s': added_s,
        'added_calls': calls or {'CreateDisk': 1, 'DeleteDisk': 1, 'DescribeDisks': 4},
        'seconds_to_usable': list(usable),
    }


def test_the_summary_takes_the_median_of_the_runs_that_passed_and_says_when_none_did():
    summary = drill.summarize(
        [record('ecs', 7.0), record('ecs', 9.0), record('ecs', 50.0, ok=False), record('cbs', 1.0, ok=False)]
    )
    assert summary['ecs']['runs'] == 2 and summary['ecs']['added_s'] == 8.0 and summary['ecs']['added_calls'] == 6
    assert summary['ecs']['seconds_to_usable'] == 5.1 and summary['ecs']['wall_with_s'] == 18.0
    assert summary['cbs'] == {'ok': False, 'runs': 1}


def test_the_table_has_a_row_per_cloud_with_the_added_time_and_calls():
    summary = drill.summarize(
        [record('aws', 2.5, calls={'CreateVolume': 1, 'DeleteVolume': 1}, usable=(2.0,)), record('ens', 1.0, ok=False)]
    )
    lines = report.table({'summary': [], 'drill': {'summary': summary}}).splitlines()
    assert '| aws | 100 | 1 | 10.0 | 12.5 | +2.5 | 2.0 | +2 | CreateVolume +1, DeleteVolume +1 |' in lines
    assert '| ens | - | 1 | failed | - | - | - | - | - |' in lines
