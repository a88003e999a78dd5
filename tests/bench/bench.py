"""make bench: the collection's speed and cost, measured side by side with the naive way and the floor.

a. One ad hoc copy per module against ``ansible localhost -m ping`` (interleaved rounds, alone on the machine).
b. The role (playbooks/dr_copy.yml) with N tagged disks per cloud, against emulators with 20 ms per
   call, copies of 5 s and each cloud's documented limits: wall time, the module's peak memory, API calls.
c. A loop of the single-copy module (tests/bench/loop.yml), one task per disk, at N = 10 and 100.

Parts b and c run in lanes at the same time, each lane against emulators of its own, so that no
run shares limits or call counters with another: a loop of 100 waiting tasks alone takes about ten
minutes. Prints a Markdown table and writes bench-results.json and bench-results.png.

Usage: python tests/bench/bench.py [--quick] [--out DIR]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

# pylint: disable=wrong-import-position  # after the path above
import adhoc  # noqa: E402
import report  # noqa: E402
from runs import Runner  # noqa: E402
from stacks import AwsStack, FakecloudStack  # noqa: E402

LATENCY_MS = 20
COPY_SECONDS = 5
# The role and the loop poll at the copy time: the bench compresses a copy's minutes to seconds,
# so it compresses the poll interval with it (a user's 15 s against copies of many minutes).
POLL_INTERVAL = 5


class Bench:
    def __init__(self, work, settings):
        self.work = work
        self.settings = settings
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.records = []
        self.errors = []
        self.stacks = []
        self.log = open(os.path.join(work, 'emulators.log'), 'ab')  # pylint: disable=consider-using-with  # closed in close()

    def progress(self, text):
        with self.lock:
            print('[bench %4.0f s] %s' % (time.monotonic() - self.started, text), flush=True)

    def stack(self, kind):
        made = AwsStack(self.log, LATENCY_MS, COPY_SECONDS) if kind == 'aws' else FakecloudStack(self.log)
        with self.lock:
            self.stacks.append(made)
        return made

    def close(self):
        for made in self.stacks:
            try:
                made.stop()
            except Exception:  # pylint: disable=broad-exception-caught  # stop the others whatever happens
                traceback.print_exc()
        self.log.close()

    def lane(self, name, stack, runner, plan):
        """Run ``plan`` [(kind, provider, disks, number)] one after another; keep every record."""
        try:
            for kind, provider, disks, number in plan:
                record = getattr(runner, kind)(stack, provider, disks, number)
                record['lane'] = name
                with self.lock:
                    self.records.append(record)
                self.progress('%s %s N=%d #%d: %.1f s (floor %.0f s)%s' % (
                    kind, provider, disks, number, record['wall_s'], record['floor_s'],
                    '' if record['ok'] else ' FAILED (exit %s), see %s' % (record['exit_code'], record['log'])))
        except Exception:  # pylint: disable=broad-exception-caught  # one broken lane must not hide the others' results
            with self.lock:
                self.errors.append('%s: %s' % (name, traceback.format_exc()))
            self.progress('lane %s stopped by an error (see the JSON)' % name)


def machine():
    with open('/proc/meminfo', encoding='utf-8') as handle:
        memory_kib = int(next(line for line in handle if line.startswith('MemTotal')).split()[1])
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    core = subprocess.run([ansible, '--version'], stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT).stdout.splitlines()
    info = {
        'nproc': os.cpu_count(), 'memory_gib': round(memory_kib / 1024.0 / 1024.0, 1), 'python': platform.python_version(),
        'ansible_core': core[0].split('core ')[-1].rstrip(']') if core else 'unknown', 'platform': platform.platform(),
        'load_average_at_start': [round(value, 2) for value in os.getloadavg()],
    }
    info['summary'] = '%d CPUs, %.0f GiB, Python %s, ansible-core %s' % (info['nproc'], info['memory_gib'], info['python'], info['ansible_core'])
    return info


def write_launcher(work):
    """The interpreter the role and loop runs use: this Python, through the peak-memory wrapper."""
    path = os.path.join(work, 'python-rss')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, os.path.join(HERE, 'rss_interpreter.py')))
    os.chmod(path, 0o755)
    return path


def plans(settings):
    """The lanes: (name, stack kind, [(kind, provider, disks, run number)])."""
    runs_for = settings['runs_for']
    # Small sizes first, so that the runs at the largest size, which carry the targets, come after
    # the short loop lanes have ended and share the machine with fewer lanes.
    lanes = [('role-aws', 'aws', [('role', 'aws', disks, number) for disks in settings['sizes']
                                  for number in range(1, runs_for('aws', disks) + 1)]),
             ('role-alibaba-tencent', 'fakecloud', [('role', provider, disks, number) for disks in settings['sizes']
                                                    for provider in ('ecs', 'ens', 'cbs') for number in range(1, runs_for(provider, disks) + 1)])]
    for disks in settings['loop_sizes']:
        for provider in ('aws', 'ecs', 'ens', 'cbs'):
            runs = settings['loop_runs'].get(disks, 1)
            lanes.append(('loop-%s-%d' % (provider, disks), 'aws' if provider == 'aws' else 'fakecloud',
                          [('loop', provider, disks, number) for number in range(1, runs + 1)]))
    return lanes


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='small sizes and single runs, to try the bench itself (about 2 minutes)')
    parser.add_argument('--out', default=ROOT, help='where bench-results.json and bench-results.png go (default: the repo root)')
    parser.add_argument('--parts', default='abc', help='which parts to run: a (ad hoc), bc (role and loop); default abc')
    parser.add_argument('--adhoc-rounds', type=int, help='rounds of part a (default 7, 2 with --quick)')
    args = parser.parse_args(argv)
    if args.quick:
        settings = {'sizes': [10, 30], 'loop_sizes': [10], 'loop_runs': {10: 1}, 'adhoc_rounds': 2, 'runs_for': lambda provider, disks: 1}
    else:
        # Three runs where a run takes seconds or a minute; one where it takes minutes (AWS at
        # N = 1,000 is 250 s at its floor; a loop of 100 waiting tasks about ten minutes).
        settings = {'sizes': [10, 100, 1000], 'loop_sizes': [10, 100], 'loop_runs': {10: 3, 100: 1}, 'adhoc_rounds': 7,
                    'runs_for': lambda provider, disks: 1 if provider == 'aws' and disks >= 1000 else 3}
    if args.adhoc_rounds:
        settings['adhoc_rounds'] = args.adhoc_rounds
    work = os.path.join(ROOT, 'build', 'bench-runs')
    os.makedirs(work, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    bench = Bench(work, settings)
    results = {'started': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'), 'machine': machine(),
               'command': 'make bench' + (' BENCH_ARGS=--quick' if args.quick else ''),
               'settings': {'latency_ms': LATENCY_MS, 'copy_seconds': COPY_SECONDS, 'poll_interval_s': POLL_INTERVAL,
                            'dr_regions_per_run': 1, 'sizes': settings['sizes'], 'loop_sizes': settings['loop_sizes'],
                            'loop_runs': settings['loop_runs'], 'adhoc_rounds': settings['adhoc_rounds']}}
    try:
        launcher = write_launcher(work)
        lanes = plans(settings) if 'b' in args.parts or 'c' in args.parts else plans(dict(settings, sizes=[], loop_sizes=[]))
        bench.progress('starting %d emulator stacks' % len(lanes))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            stacks = list(pool.map(bench.stack, [kind for dummy, kind, dummy_plan in lanes]))
        if 'a' in args.parts:
            bench.progress('part a: ad hoc copies against ping, %d rounds' % settings['adhoc_rounds'])
            role_aws, role_fakecloud = stacks[0], stacks[1]
            results['adhoc'] = adhoc.measure({'aws': role_aws, 'ecs': role_fakecloud, 'ens': role_fakecloud, 'cbs': role_fakecloud},
                                             sys.executable, settings['adhoc_rounds'], bench.progress)
        for made in stacks:
            if isinstance(made, FakecloudStack):
                made.configure(LATENCY_MS, COPY_SECONDS)
        bench.progress('parts b and c: %d lanes at once' % len(lanes))
        threads = []
        for (name, dummy, plan), made in zip(lanes, stacks):
            runner = Runner(os.path.join(work, name), launcher, POLL_INTERVAL)
            thread = threading.Thread(target=bench.lane, args=(name, made, runner, plan), name=name)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
    finally:
        bench.close()
    results['machine']['load_average_at_end'] = [round(value, 2) for value in os.getloadavg()]
    results['duration_s'] = round(time.monotonic() - bench.started, 1)
    results['runs'] = sorted(bench.records, key=lambda record: (record['kind'], record['provider'], record['disks'], record['run']))
    results['summary'] = report.summarize(results['runs'])
    results['comparisons'] = report.comparisons(results['summary'])
    results['errors'] = bench.errors
    text = report.table(results)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'bench-results.json'), 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    if results['summary']:
        report.plot(results, os.path.join(args.out, 'bench-results.png'))
    print()
    print(text)
    print('Machine: %s. Took %.0f s. Wrote bench-results.json and bench-results.png.' % (results['machine']['summary'], results['duration_s']))
    failed = [record for record in bench.records if not record['ok']]
    for error in bench.errors:
        print(error, file=sys.stderr)
    return 1 if failed or bench.errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
