"""Part a: one ad hoc copy per module (``ansible localhost -m snapcopy.cloud.<module>``) against ``ansible localhost -m
ping``.

Rounds are interleaved (ping, then each module's new copy and the same copy again, which then
exists), so that a slow moment of the machine falls on all commands alike. The emulators add no
latency here: this measures what a module costs on top of Ansible's own start-up.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time

from runs import MODULES, adhoc_command, ansible_env
from stacks import REGIONS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def module_arguments(provider, connection, snapshot_id):
    source, destination = REGIONS[provider]
    arguments = {'source_snapshot_id': snapshot_id, 'source_region': source}
    if provider in ('aws', 'ecs'):
        arguments['destination_region'] = destination
    else:
        arguments['destination_regions'] = destination
    arguments.update(connection)
    return arguments


def timed(command, env):
    """(wall s, CPU s of the command and its children, first line of output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, check=False, text=True
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    first = (done.stdout.splitlines() or [''])[0]
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done.returncode, first


def spread(values):
    return {
        'median': round(statistics.median(values), 3),
        'min': round(min(values), 3),
        'max': round(max(values), 3),
        'runs': len(values),
    }


def measure(stacks, python, rounds, progress):
    """Median, min and max of each command over ``rounds`` rounds, after one warm-up round that is not counted."""
    sources = {provider: stacks[provider].seed(provider, rounds + 1) for provider in MODULES}
    env = ansible_env()
    samples = {'ping': {'wall': [], 'cpu': []}}
    for provider in MODULES:
        for state in ('new', 'existing'):
            samples['%s/%s' % (provider, state)] = {'wall': [], 'cpu': [], 'problems': []}
    for number in range(rounds + 1):
        counted = number > 0
        wall, cpu, code, dummy_line = timed(adhoc_command('ping', None, python), env)
        if counted and code == 0:
            samples['ping']['wall'].append(wall)
            samples['ping']['cpu'].append(cpu)
        for provider, module in MODULES.items():
            connection = (
                stacks[provider].direct_connection() if provider == 'aws' else stacks[provider].connection(provider)
            )
            command = adhoc_command(
                'snapcopy.cloud.' + module, module_arguments(provider, connection, sources[provider][number]), python
            )
            for state, expected in (('new', 'CHANGED'), ('existing', 'SUCCESS')):
                wall, cpu, code, line = timed(command, env)
                entry = samples['%s/%s' % (provider, state)]
                if code != 0 or expected not in line:
                    entry['problems'].append('round %d: exit %s, %r' % (number, code, line[:200]))
                elif counted:
                    entry['wall'].append(wall)
                    entry['cpu'].append(cpu)
        progress('ad hoc round %d/%d done' % (number, rounds))
    ping = spread(samples['ping']['wall'])
    results = {'ping': {'wall_s': ping, 'cpu_s': spread(samples['ping']['cpu'])}, 'modules': {}}
    for provider, module in MODULES.items():
        entry = {'module': module}
        for state in ('new', 'existing'):
            sample = samples['%s/%s' % (provider, state)]
            if not sample['wall']:
                entry[state] = {'problems': sample['problems']}
                continue
            wall = spread(sample['wall'])
            entry[state] = {
                'wall_s': wall,
                'cpu_s': spread(sample['cpu']),
                'ratio': round(wall['median'] / ping['median'], 2),
                'cpu_ratio': round(statistics.median(sample['cpu']) / statistics.median(samples['ping']['cpu']), 2),
                'problems': sample['problems'],
            }
        results['modules'][provider] = entry
    return results
