"""Part p of make bench: what the plan (issue 64) adds to a check run of dr_sync at N tagged disks.

For each cloud: N tagged disks are seeded, each with one completed snapshot and no copy yet, and dr_sync's run
(dr.run.DrRun, in this process, through the real SDKs against the bench's emulators, 20 ms a call) plans them in check
mode, each way once a run, one after the other: without the plan (the plan phase answering none, which the report
reads, and the adapter's dry run of the copies, DrAdapter.dry_run_copies, the no-call default), then as it is. The
difference is the plan's: wall seconds, and API calls by action, which must be the dry runs alone (on AWS, one
CopySnapshot with DryRun a source region, DR region and key: one here). The plan phase's own seconds are measured inside
the run too (it sends no call).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import types

from drill import _median, added_calls, by_provider
from stacks import REGIONS, TAG_SELECTOR

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
PROVIDERS = ('aws', 'ecs', 'ens', 'cbs')
# The calls a plan may add: the dry runs (aws_proxy.py counts a CopySnapshot with DryRun apart).
DRY_RUN_ACTIONS = ('CopySnapshot (DryRun)',)


def collection():
    """The collection's modules, as make collection-link lays them (build/collections)."""
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    # pylint: disable=import-outside-toplevel  # the collection is importable only once the path above is set
    from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS as REGISTRY
    from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
    from ansible_collections.snapcopy.cloud.plugins.module_utils.dr import run as dr_run
    from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import DrAdapter
    from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.plan import Planning
    from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
    from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings

    return types.SimpleNamespace(
        registry=REGISTRY,
        CallRetry=CallRetry,
        dr_run=dr_run,
        DrAdapter=DrAdapter,
        Planning=Planning,
        default_backoff=default_backoff,
        dr_settings=dr_settings,
    )


def without_plan(phase, planning):
    """The plan phase answering no plan, at no cost (the report reads its result)."""
    return dataclasses.replace(phase, runs=lambda ctx, run: planning())


class PlanRunner:
    """The check runs of one cloud on one stack, with and without the plan."""

    def __init__(self, work, poll_interval):
        self.work = work
        self.poll_interval = poll_interval
        self.code = collection()

    def check_run(self, stack, provider, with_plan):
        """(wall seconds, {phase: seconds}, the report) of one check run of the scope, with or without the plan."""
        code = self.code
        source, destination = REGIONS[provider]
        retry = code.CallRetry(code.default_backoff())
        adapter = (
            code.registry[provider]
            .load_adapter()
            .from_connection(stack.connection(provider), check_mode=True, retry=retry)
        )
        settings = code.dr_settings(
            {
                'provider': provider,
                'source_region': source,
                'dr_regions': [destination],
                'tag_selector': dict(TAG_SELECTOR),
                'prune': False,
                'wait': False,
                'wait_timeout': 900,
                'poll_interval': self.poll_interval,
            }
        )
        seconds = {}

        def timed(phase):
            def runs(ctx, run):
                start = time.monotonic()
                try:
                    return phase.runs(ctx, run)
                finally:
                    seconds[phase.name] = round(time.monotonic() - start, 3)

            return dataclasses.replace(phase, runs=runs)

        phases = code.dr_run.PHASES
        if not with_plan:
            adapter.dry_run_copies = types.MethodType(code.DrAdapter.dry_run_copies, adapter)
        code.dr_run.PHASES = tuple(
            timed(phase if with_plan or phase.name != 'plan' else without_plan(phase, code.Planning))
            for phase in phases
        )
        try:
            start = time.monotonic()
            report = code.dr_run.DrRun(adapter, settings, check_mode=True, retry=retry).run()
            wall = time.monotonic() - start
        finally:
            code.dr_run.PHASES = phases
        return wall, seconds, report

    def measure(self, stack, provider, disks, number):
        stack.reset(provider)
        stack.seed(provider, disks)
        runs = {}
        for with_plan in (False, True):
            stack.forget_calls(provider)
            wall, seconds, report = self.check_run(stack, provider, with_plan)
            runs[with_plan] = {
                'wall_s': round(wall, 2),
                'phase_s': seconds,
                'calls': stack.calls(provider)[0],
                'report': report,
            }
        plan = runs[True]['report'].get('plan') or {}
        added = added_calls(runs[False]['calls'], runs[True]['calls'])
        return {
            'kind': 'plan',
            'provider': provider,
            'disks': disks,
            'run': number,
            'ok': set(added) <= set(DRY_RUN_ACTIONS)
            and len(plan.get('copies') or ()) == disks
            and not runs[True]['report']['failures']
            and runs[False]['report'].get('plan') is None,
            'wall_without_s': runs[False]['wall_s'],
            'wall_with_s': runs[True]['wall_s'],
            'added_s': round(runs[True]['wall_s'] - runs[False]['wall_s'], 2),
            'plan_phase_s': runs[True]['phase_s'].get('plan'),
            'copy_phase_without_s': runs[False]['phase_s'].get('copy'),
            'copy_phase_with_s': runs[True]['phase_s'].get('copy'),
            'calls_without': sum(entry['calls'] for entry in runs[False]['calls'].values()),
            'calls_with': sum(entry['calls'] for entry in runs[True]['calls'].values()),
            'added_calls': added,
            'planned_copies': len(plan.get('copies') or ()),
            'preflight_problems': len(plan.get('preflight') or ()),
            'monthly_usd': (plan.get('cost') or {}).get('monthly'),
        }


def summarize(records):
    """Per cloud: the medians of its runs."""
    return by_provider(
        records,
        lambda done: {
            'wall_without_s': _median([record['wall_without_s'] for record in done]),
            'wall_with_s': _median([record['wall_with_s'] for record in done]),
            'added_s': _median([record['added_s'] for record in done]),
            'plan_phase_s': _median([record['plan_phase_s'] for record in done]),
            'copy_phase_added_s': _median(
                [round(record['copy_phase_with_s'] - record['copy_phase_without_s'], 3) for record in done]
            ),
            'calls_without': _median([record['calls_without'] for record in done]),
            'added_calls': _median([sum(record['added_calls'].values()) for record in done]),
            'added_calls_by_action': done[0]['added_calls'],
        },
    )


def table(summary):
    lines = [
        '### p. The plan: a check run at N disks, one DR region, 20 ms a call, without and with the plan',
        '',
        '| cloud | N | runs | check run without (s) | with (s) | added (s) | plan phase (s) | copy phase added (s) '
        '| calls without | added calls | by action |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for provider, entry in summary.items():
        if not entry['ok']:
            lines.append('| %s | - | %d | failed | - | - | - | - | - | - | - |' % (provider, entry['runs']))
            continue
        actions = ', '.join('%s %+d' % item for item in entry['added_calls_by_action'].items()) or 'none'
        lines.append(
            '| %s | %d | %d | %.2f | %.2f | %+.2f | %.3f | %+.3f | %d | %+g | %s |'
            % (
                provider,
                entry['disks'],
                entry['runs'],
                entry['wall_without_s'],
                entry['wall_with_s'],
                entry['added_s'],
                entry['plan_phase_s'],
                entry['copy_phase_added_s'],
                entry['calls_without'],
                entry['added_calls'],
                actions,
            )
        )
    return [*lines, '']
