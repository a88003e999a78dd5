"""make bench's part e (tests/bench/events.py): its percentiles, its table and what makes a cloud's run good."""

from __future__ import annotations

import importlib
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
events = importlib.import_module('events')


def test_percentiles_are_values_of_the_sample_nearest_rank():
    values = [float(number) for number in range(1, 101)]
    assert events._percentile(values, 0.50) == 50.0 and events._percentile(values, 0.95) == 95.0  # pylint: disable=protected-access
    assert events._percentile([7.0], 0.95) == 7.0 and events._percentile([], 0.5) is None  # pylint: disable=protected-access


def test_the_table_says_whether_p95_meets_the_target_and_counts_misses_and_duplicates():
    record = {
        'provider': 'ecs',
        'disks': 200,
        'snapshots': 200,
        'latency_p50_s': 31.0,
        'latency_p95_s': 58.2,
        'latency_max_s': 70.1,
        'meets_target': True,
        'missed': [],
        'duplicates': ['s-1'],
        'runs': 5,
        'calls_per_poll': {'DescribeSnapshots': 3, 'DescribeDisks': 1},
    }
    text = '\n'.join(events.table(events.summarize([record])))
    assert '| ecs | 200 | 31.0 / 58.2 / 70.1 | yes | 0 | 1 | 5 | DescribeDisks 1, DescribeSnapshots 3 |' in text
    assert '200 snapshots completing over 60 s' in text
