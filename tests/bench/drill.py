"""Part d of make bench: what the restore drill adds to a DR run (dr_copy_restore_test), at N disks per cloud.

For each cloud: N tagged disks are seeded and copied (not measured); then the role runs again with every
copy in place, once without the drill and once with it (one disk tested per DR region), and the
difference is the drill's: wall seconds, and API calls by action. The clouds' copy and disk times are
the bench's compressed ones (a disk from a snapshot usable after the copy time on fakecloud; moto
makes a volume available at once, behind the proxy's latency).
"""

from __future__ import annotations

import json
import os

from runs import BIN, RUN_TIMEOUT, ansible_env, run_timed
from stacks import REGIONS, TAG_SELECTOR

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOK = os.path.join(ROOT, 'playbooks', 'dr_copy.yml')


def added_calls(without, with_drill):
    """{action: calls} that the run with the drill made beyond the run without it (actions only it made too)."""
    actions = set(without) | set(with_drill)
    added = {
        action: with_drill.get(action, {}).get('calls', 0) - without.get(action, {}).get('calls', 0)
        for action in actions
    }
    return {action: count for action, count in sorted(added.items()) if count}


class DrillRunner:
    """The drill's runs of one cloud on one stack, logs and reports under ``work``."""

    def __init__(self, work, poll_interval):
        self.work = work
        self.poll_interval = poll_interval
        for name in ('logs', 'vars', 'reports'):
            os.makedirs(os.path.join(work, name), exist_ok=True)

    def role(self, stack, provider, label, restore_test, extra=None):
        """One run of the role (dr_copy_restore_test as ``restore_test``, and ``extra`` variables): (wall seconds, exit
        code, the report)."""
        source, destination = REGIONS[provider]
        report_dir = os.path.join(self.work, 'reports', label)
        variables = {
            'dr_copy_provider': provider,
            'dr_copy_source_region': source,
            'dr_copy_dr_regions': [destination],
            'dr_copy_tag_selector': TAG_SELECTOR,
            'dr_copy_wait': True,
            'dr_copy_wait_timeout': RUN_TIMEOUT,
            'dr_copy_poll_interval': self.poll_interval,
            'dr_copy_report_dir': report_dir,
            'dr_copy_connection': stack.connection(provider),
            'dr_copy_restore_test': restore_test,
        }
        variables.update(extra or {})
        vars_path = os.path.join(self.work, 'vars', label + '.json')
        with open(vars_path, 'w', encoding='utf-8') as handle:
            json.dump(variables, handle)
        wall, code, dummy = run_timed(
            [os.path.join(BIN, 'ansible-playbook'), PLAYBOOK, '-e', '@' + vars_path],
            os.path.join(self.work, 'logs', label + '.log'),
            ansible_env(),
        )
        try:
            with open(
                os.path.join(report_dir, 'dr-report-%s-%s.json' % (provider, source)), encoding='utf-8'
            ) as handle:
                report = json.load(handle)
        except (OSError, ValueError):
            report = {}
        return wall, code, report

    def measure(self, stack, provider, disks, number):
        label = 'drill-%s-%d-%d' % (provider, disks, number)
        stack.reset(provider)
        stack.seed(provider, disks)
        dummy, code, dummy_report = self.role(stack, provider, label + '-copies', False)
        record = {
            'kind': 'drill',
            'provider': provider,
            'disks': disks,
            'run': number,
            'ok': code == 0,
            'log': os.path.relpath(os.path.join(self.work, 'logs', label + '-copies.log'), ROOT),
        }
        if code != 0:
            return record
        runs = {}
        for restore_test in (False, True):
            stack.forget_calls(provider)
            wall, code, report = self.role(
                stack, provider, '%s-%s' % (label, 'with' if restore_test else 'without'), restore_test
            )
            runs[restore_test] = {
                'wall_s': round(wall, 2),
                'ok': code == 0,
                'calls': stack.calls(provider)[0],
                'report': report,
            }
        drill = runs[True]['report'].get('restore') or {}
        tests = drill.get('tests') or []
        record.update(
            {
                'ok': runs[False]['ok']
                and runs[True]['ok']
                and (drill.get('totals') or {}).get('passed') == len(tests) > 0,
                'wall_without_s': runs[False]['wall_s'],
                'wall_with_s': runs[True]['wall_s'],
                'added_s': round(runs[True]['wall_s'] - runs[False]['wall_s'], 2),
                'calls_without': sum(counts['calls'] for counts in runs[False]['calls'].values()),
                'calls_with': sum(counts['calls'] for counts in runs[True]['calls'].values()),
                'added_calls': added_calls(runs[False]['calls'], runs[True]['calls']),
                'seconds_to_usable': [test.get('seconds_to_usable') for test in tests],
                'tests': len(tests),
                'log': os.path.relpath(os.path.join(self.work, 'logs', label + '-with.log'), ROOT),
            }
        )
        return record


def by_provider(records, summary_of):
    """Per cloud: ``summary_of(records)`` over its runs that went through ({'ok': True, 'runs': N, 'disks': N} with it),
    or {'ok': False, 'runs': N} when none did."""
    grouped = {}
    for record in records:
        grouped.setdefault(record['provider'], []).append(record)
    summary = {}
    for provider, group in sorted(grouped.items()):
        done = [record for record in group if record.get('ok')]
        summary[provider] = (
            dict({'ok': True, 'runs': len(done), 'disks': done[0]['disks']}, **summary_of(done))
            if done
            else {'ok': False, 'runs': len(group)}
        )
    return summary


def added_medians(done):
    """The medians over ``done`` (one cloud's runs) of the wall seconds without and with the feature, and of what it
    added (seconds, API calls); the first run's added calls by action."""
    return {
        'wall_without_s': _median([record['wall_without_s'] for record in done]),
        'wall_with_s': _median([record['wall_with_s'] for record in done]),
        'added_s': _median([record['added_s'] for record in done]),
        'added_calls': _median([sum(record['added_calls'].values()) for record in done]),
        'added_calls_by_action': done[0]['added_calls'],
    }


def summarize(records):
    """Per cloud: the median of the runs' added seconds and calls, and the runs themselves."""
    return by_provider(
        records,
        lambda done: dict(
            added_medians(done),
            seconds_to_usable=_median(
                [value for record in done for value in record['seconds_to_usable'] if value is not None]
            ),
        ),
    )


def table(summary):
    """Part d as a Markdown table."""
    lines = [
        '### d. The restore drill: the role at N disks with every copy in place, without and with dr_copy_restore_test',
        '',
        '| cloud | N | runs | wall without (s) | wall with (s) | added (s) | seconds to usable | added API calls | by action (first run) |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for provider, entry in summary.items():
        if not entry['ok']:
            lines.append('| %s | - | %d | failed | - | - | - | - | - |' % (provider, entry['runs']))
            continue
        actions = ', '.join('%s %+d' % (action, count) for action, count in entry['added_calls_by_action'].items())
        lines.append(
            '| %s | %d | %d | %.1f | %.1f | %+.1f | %s | %+g | %s |'
            % (
                provider,
                entry['disks'],
                entry['runs'],
                entry['wall_without_s'],
                entry['wall_with_s'],
                entry['added_s'],
                '-' if entry['seconds_to_usable'] is None else '%.1f' % entry['seconds_to_usable'],
                entry['added_calls'],
                actions,
            )
        )
    return [*lines, '']


def _median(values):
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else round((values[middle - 1] + values[middle]) / 2.0, 2)
