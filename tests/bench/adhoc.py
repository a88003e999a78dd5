"""Part a: one ad hoc copy per module (``ansible localhost -m snapcopy.cloud.<module>``) against ``ansible localhost -m
ping``, and the AWS module against the module it replaces, community.aws's ``ec2_snapshot_copy`` (the collections of
the ``ansible`` package that make bench unpacks into build/bench-peer: PEER_COLLECTIONS), which copies again on every run.

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


# The peer: community.aws's module, with amazon.aws's connection options; no wait, as the copy that exists needs none.
PEER_MODULE = 'community.aws.ec2_snapshot_copy'
PEER_COLLECTIONS = os.path.join(ROOT, 'build', 'bench-peer', 'collections')


def peer_arguments(connection, snapshot_id):
    source, destination = REGIONS['aws']
    return {
        'source_snapshot_id': snapshot_id,
        'source_region': source,
        'region': destination,
        'endpoint_url': connection['endpoint_url'],
        'access_key': connection['access_key'],
        'secret_key': connection['secret_key'],
    }


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
    peer = os.path.isdir(PEER_COLLECTIONS)
    env = ansible_env(
        {'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join([os.path.join(ROOT, 'build', 'collections'), PEER_COLLECTIONS])}
        if peer
        else None
    )
    samples = {'ping': {'wall': [], 'cpu': []}, 'peer': {'wall': [], 'cpu': [], 'problems': []}}
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
        if peer:
            # The peer copies the snapshot again on every run (it has no way to find a copy that exists).
            command = adhoc_command(
                PEER_MODULE, peer_arguments(stacks['aws'].direct_connection(), sources['aws'][number]), python
            )
            wall, cpu, code, line = timed(command, env)
            if code != 0 or 'CHANGED' not in line:
                samples['peer']['problems'].append('round %d: exit %s, %r' % (number, code, line[:200]))
            elif counted:
                samples['peer']['wall'].append(wall)
                samples['peer']['cpu'].append(cpu)
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
    results['peer'] = peer_results(samples, results['modules'].get('aws'), ping) if peer else None
    return results


def peer_results(samples, ours, ping):
    """The peer's times, and our AWS module's (its copy exists) over the peer's, by median wall and CPU seconds."""
    sample = samples['peer']
    if not sample['wall']:
        return {'module': PEER_MODULE, 'problems': sample['problems']}
    wall = spread(sample['wall'])
    found = (ours or {}).get('existing') or {}
    result = {
        'module': PEER_MODULE,
        'wall_s': wall,
        'cpu_s': spread(sample['cpu']),
        'ratio': round(wall['median'] / ping['median'], 2),
        'problems': sample['problems'],
    }
    if 'wall_s' in found:
        result['ours_existing_over_peer'] = round(found['wall_s']['median'] / wall['median'], 2)
        result['ours_existing_over_peer_cpu'] = round(found['cpu_s']['median'] / statistics.median(sample['cpu']), 2)
    return result
