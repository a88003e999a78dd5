"""make bench's part p (tests/bench/plan.py): what the plan adds to a check run, per cloud; a run whose plan added any
call but the dry runs is not a result."""

from __future__ import annotations

import importlib
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'bench')
# The bench's modules import each other by their own names, from tests/bench.
sys.path.insert(0, BENCH)
plan = importlib.import_module('plan')


def record(provider, wall_without, added_s, added_calls, ok=True):
    return {
        'provider': provider,
        'disks': 1000,
        'ok': ok,
        'wall_without_s': wall_without,
        'wall_with_s': wall_without + added_s,
        'added_s': added_s,
        'plan_phase_s': 0.05,
        'copy_phase_without_s': 3.0,
        'copy_phase_with_s': 3.0 + added_s,
        'calls_without': 20,
        'added_calls': added_calls,
    }


def test_the_summary_and_table_say_what_the_plan_adds_and_a_failed_cloud_says_so():
    summary = plan.summarize(
        [
            record('aws', 10.0, 0.5, {'CopySnapshot (DryRun)': 1}),
            record('aws', 12.0, 0.3, {'CopySnapshot (DryRun)': 1}),
            record('ecs', 5.0, 0.1, {}, ok=False),
        ]
    )
    aws = summary['aws']
    assert aws['ok'] and aws['runs'] == 2 and aws['added_calls'] == 1 and aws['added_s'] == 0.4
    assert summary['ecs'] == {'ok': False, 'runs': 1}
    lines = plan.table(summary)
    assert any('CopySnapshot (DryRun) +1' in line and line.startswith('| aws | 1000 | 2 |') for line in lines)
    assert any(line.startswith('| ecs | - | 1 | failed') for line in lines)
    assert plan.DRY_RUN_ACTIONS == ('CopySnapshot (DryRun)',)
