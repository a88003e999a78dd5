"""make bench: the collection's speed and cost, measured side by side with the naive way and the floor.

a. One ad hoc copy per module against ``ansible localhost -m ping`` (interleaved rounds, alone on the machine).
b. The role (playbooks/dr_copy.yml) with N tagged disks per cloud, against emulators with 20 ms per
   call, copies of 5 s and each cloud's documented limits: wall time, the module's peak memory, API calls.
c. A loop of the single-copy module (tests/bench/loop.yml), one task per disk, at N = 10 and 100.
d. The restore drill (drill.py): the role at N = 100 per cloud with every copy in place, without and with
   dr_copy_restore_test: the wall seconds and API calls the drill adds.
e. Events (events.py): the rulebook extensions/eda/rulebooks/dr_on_snapshot.yml under ansible-rulebook, 200 snapshots
   completing over a minute per cloud, the source polling every 30 s, the rulebook killed and restarted half way: the
   time from a snapshot's completion to its copy being accepted (p50, p95, max), missed and duplicate copies, the calls
   per poll.
v. The vault (vault.py): the role's first run at N = 100 on AWS, ECS and CBS, without and with copies in a DR account
   (AWS, CBS) and locks (AWS, ECS), and their reruns: the wall seconds and API calls the vault adds.
g. Consistency groups (groups.py): the role's first run of 600 disks on 200 instances (three an instance, one set each)
   on AWS, ECS and CBS, each disk on its own and with dr_copy_consistency_groups: the wall seconds and API calls groups
   add.
p. The plan (plan.py): dr_sync's check run at N = 1,000 per cloud, without and with the plan (issue 64): the seconds and
   API calls the plan adds (the dry runs alone), and the plan phase's own seconds.
r. Verification (verify.py): a DR copy of an 8 GiB volume whose every block is written, verified with each sample size
   and full through the latency proxy: the seconds each takes more than a run without verify, per block read, and so
   per TiB.
f. The fleet (playbooks/dr_fleet.yml): 100 scopes of 20 tagged disks over the four clouds and several
   accounts each, at forks 1, 10 and 25: wall time, the CPU and peak memory of the whole
   ansible-playbook process tree, API calls per scope, and the floor this machine allows (fleet.py).
o. An organisation's inventory (org.py): the dr_scopes inventory of 500 accounts x 3 regions on AWS (without and with a
   tag rule), Alibaba and Tencent through ansible-inventory: wall and CPU seconds, hosts, calls; and the fleet over an
   AWS organisation's dr_scopes inventory at the fleet's fork counts, beside a static inventory of the same scopes.

Parts b and c run in lanes at the same time, each lane against emulators of its own, so that no
run shares limits or call counters with another: a loop of 100 waiting tasks alone takes about ten
minutes. Parts d, v, g and f run after them, alone. Prints Markdown tables and writes bench-results.json,
bench-results.png and bench-results-fleet.png.

Usage: python tests/bench/bench.py [--quick] [--out DIR] [--parts abcdevgprfo] [--fleet-scopes N] [--fleet-disks N]
[--fleet-forks 1,10,25] [--org-accounts N] [--org-fleet-accounts N]
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
import adhoc
import drill
import events
import fleet
import groups
import org
import plan as plan_part
import report
import vault
import verify
from runs import Runner
from stacks import AwsStack, FakecloudStack, fakecloud_credentials

LATENCY_MS = 20
COPY_SECONDS = 5
# The role and the loop poll at the copy time: the bench compresses a copy's minutes to seconds,
# so it compresses the poll interval with it (a user's 15 s against copies of many minutes).
POLL_INTERVAL = 5
# The fleet lane (part f) runs 100 scopes one after another at forks 1: with the copies of 5 s polled
# every 5 s above, that run alone would take about 15 minutes. Copies of 3 s polled every second keep
# a scope's wait near 4 s (docs/performance.md, "f. The fleet").
FLEET_COPY_SECONDS = 3
FLEET_POLL_INTERVAL = 1


class Bench:
    def __init__(self, work, settings):
        self.work = work
        self.settings = settings
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.records = []
        self.errors = []
        self.stacks = []
        self.log = open(os.path.join(work, 'emulators.log'), 'ab')  # noqa: SIM115  # pylint: disable=consider-using-with  # closed in close()

    def progress(self, text):
        with self.lock:
            print('[bench %4.0f s] %s' % (time.monotonic() - self.started, text), flush=True)

    def stack(self, kind, copy_seconds=COPY_SECONDS):
        made = AwsStack(self.log, LATENCY_MS, copy_seconds) if kind == 'aws' else FakecloudStack(self.log)
        with self.lock:
            self.stacks.append(made)
        return made

    def close_stacks(self):
        with self.lock:
            stacks, self.stacks = self.stacks, []
        for made in stacks:
            try:
                made.stop()
            except Exception:  # pylint: disable=broad-exception-caught  # stop the others whatever happens
                traceback.print_exc()

    def close(self):
        self.close_stacks()
        self.log.close()

    def lane(self, name, stack, runner, plan):
        """Run ``plan`` [(kind, provider, disks, number)] one after another; keep every record."""
        try:
            for kind, provider, disks, number in plan:
                record = getattr(runner, kind)(stack, provider, disks, number)
                record['lane'] = name
                with self.lock:
                    self.records.append(record)
                self.progress(
                    '%s %s N=%d #%d: %.1f s (floor %.0f s)%s'
                    % (
                        kind,
                        provider,
                        disks,
                        number,
                        record['wall_s'],
                        record['floor_s'],
                        '' if record['ok'] else ' FAILED (exit %s), see %s' % (record['exit_code'], record['log']),
                    )
                )
        except Exception:  # pylint: disable=broad-exception-caught  # one broken lane must not hide the others' results
            with self.lock:
                self.errors.append('%s: %s' % (name, traceback.format_exc()))
            self.progress('lane %s stopped by an error (see the JSON)' % name)


def machine():
    with open('/proc/meminfo', encoding='utf-8') as handle:
        memory_kib = int(next(line for line in handle if line.startswith('MemTotal')).split()[1])
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')
    core = subprocess.run(
        [ansible, '--version'], stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT
    ).stdout.splitlines()
    info = {
        'nproc': os.cpu_count(),
        'memory_gib': round(memory_kib / 1024.0 / 1024.0, 1),
        'python': platform.python_version(),
        'ansible_core': core[0].split('core ')[-1].rstrip(']') if core else 'unknown',
        'platform': platform.platform(),
        'load_average_at_start': [round(value, 2) for value in os.getloadavg()],
    }
    info['summary'] = '%d CPUs, %.0f GiB, Python %s, ansible-core %s' % (
        info['nproc'],
        info['memory_gib'],
        info['python'],
        info['ansible_core'],
    )
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
    lanes = [
        (
            'role-aws',
            'aws',
            [
                ('role', 'aws', disks, number)
                for disks in settings['sizes']
                for number in range(1, runs_for('aws', disks) + 1)
            ],
        ),
        (
            'role-alibaba-tencent',
            'fakecloud',
            [
                ('role', provider, disks, number)
                for disks in settings['sizes']
                for provider in ('ecs', 'ens', 'cbs')
                for number in range(1, runs_for(provider, disks) + 1)
            ],
        ),
    ]
    for disks in settings['loop_sizes']:
        for provider in ('aws', 'ecs', 'ens', 'cbs'):
            runs = settings['loop_runs'].get(disks, 1)
            lanes.append(
                (
                    'loop-%s-%d' % (provider, disks),
                    'aws' if provider == 'aws' else 'fakecloud',
                    [('loop', provider, disks, number) for number in range(1, runs + 1)],
                )
            )
    return lanes


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--quick', action='store_true', help='small sizes and single runs, to try the bench itself (about 4 minutes)'
    )
    parser.add_argument(
        '--out', default=ROOT, help='where bench-results.json and the plots go (default: the repo root)'
    )
    parser.add_argument(
        '--parts',
        default='abcdevgprfo',
        help='which parts to run: a (ad hoc), bc (role and loop), d (restore drill), '
        'e (events), v (vault), g (consistency groups), p (the plan), r (verification), f (fleet), o (an '
        'organisation\'s inventory); default abcdevgprfo',
    )
    parser.add_argument('--adhoc-rounds', type=int, help='rounds of part a (default 7, 2 with --quick)')
    parser.add_argument('--fleet-scopes', type=int, help='scopes of the fleet (default 100, 8 with --quick)')
    parser.add_argument('--fleet-disks', type=int, help='tagged disks per scope (default 20, 5 with --quick)')
    parser.add_argument(
        '--fleet-forks', help='fork counts, comma-separated, 1 first (default 1,10,25; 1,4 with --quick)'
    )
    parser.add_argument(
        '--org-accounts', type=int, help='member accounts of part o\'s builds (default 500, 50 with --quick)'
    )
    parser.add_argument(
        '--org-fleet-accounts', type=int, help='accounts of part o\'s fleet (default 50, 8 with --quick)'
    )
    return parser.parse_args(argv)


def bench_settings(args):
    if args.quick:
        settings = {
            'sizes': [10, 30],
            'loop_sizes': [10],
            'loop_runs': {10: 1},
            'adhoc_rounds': 2,
            'runs_for': lambda provider, disks: 1,
            'fleet': {'scopes': 8, 'disks': 5, 'forks': [1, 4]},
            'drill': {'disks': 10, 'runs': 1},
            'vault': {'disks': 10, 'runs': 1},
            'groups': {'disks': 30, 'runs': 1},
            'plan': {'disks': 100, 'runs': 1},
            'verify': {'gib': 1, 'samples': [16, 256, 'full']},
            'events': {'disks': 20},
            'org': {'accounts': 50, 'fleet_accounts': 8},
        }
    else:
        # Three runs where a run takes seconds or a minute; one where it takes minutes (AWS at
        # N = 1,000 is 250 s at its floor; a loop of 100 waiting tasks about ten minutes).
        settings = {
            'sizes': [10, 100, 1000],
            'loop_sizes': [10, 100],
            'loop_runs': {10: 3, 100: 1},
            'adhoc_rounds': 7,
            'runs_for': lambda provider, disks: 1 if provider == 'aws' and disks >= 1000 else 3,
            'fleet': {'scopes': 100, 'disks': 20, 'forks': [1, 10, 25]},
            'drill': {'disks': 100, 'runs': 2},
            'vault': {'disks': 100, 'runs': 2},
            'groups': {'disks': 600, 'runs': 1},
            'plan': {'disks': 1000, 'runs': 2},
            'verify': {'gib': 8, 'samples': [16, 256, 4096, 'full']},
            'events': {'disks': 200},
            # The fleet at 100 accounts, run over both inventories at three fork counts, takes more than 15 minutes
            # (docs/performance.md, part o): 50.
            'org': {'accounts': 500, 'fleet_accounts': 50},
        }
    if args.adhoc_rounds:
        settings['adhoc_rounds'] = args.adhoc_rounds
    if args.org_accounts:
        settings['org']['accounts'] = args.org_accounts
    if args.org_fleet_accounts:
        settings['org']['fleet_accounts'] = args.org_fleet_accounts
    fleet_settings = settings['fleet']
    if args.fleet_scopes:
        fleet_settings['scopes'] = args.fleet_scopes
    if args.fleet_disks:
        fleet_settings['disks'] = args.fleet_disks
    if args.fleet_forks:
        fleet_settings['forks'] = [int(value) for value in args.fleet_forks.split(',')]
    fleet_settings.update(
        copy_seconds=FLEET_COPY_SECONDS,
        poll_interval_s=FLEET_POLL_INTERVAL,
        latency_ms=LATENCY_MS,
        wait_timeout=fleet.RUN_TIMEOUT,
    )
    return settings


def run_parts_abc(bench, args, settings, work, results):
    """Part a alone, then parts b and c as lanes side by side."""
    launcher = write_launcher(work)
    lanes = (
        plans(settings) if 'b' in args.parts or 'c' in args.parts else plans(dict(settings, sizes=[], loop_sizes=[]))
    )
    bench.progress('starting %d emulator stacks' % len(lanes))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        stacks = list(pool.map(bench.stack, [kind for dummy, kind, dummy_plan in lanes]))
    if 'a' in args.parts:
        bench.progress('part a: ad hoc copies against ping, %d rounds' % settings['adhoc_rounds'])
        role_aws, role_fakecloud = stacks[0], stacks[1]
        results['adhoc'] = adhoc.measure(
            {'aws': role_aws, 'ecs': role_fakecloud, 'ens': role_fakecloud, 'cbs': role_fakecloud},
            sys.executable,
            settings['adhoc_rounds'],
            bench.progress,
        )
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
    # Their emulators go now: the fleet lane, after them, measures the machine's CPU.
    bench.close_stacks()


def run_drill(bench, settings, work):
    """Part d: the restore drill's cost per cloud, one cloud after another, on stacks of its own."""
    return run_with_and_without(
        bench,
        settings,
        work,
        'drill',
        'part d: the restore drill',
        drill.DrillRunner,
        ('aws', 'ecs', 'ens', 'cbs'),
        drill.summarize,
    )


def run_events(bench, settings, work):
    """Part e: the rulebook on each cloud, one after another, alone on the machine (the latencies are its own)."""
    disks = settings['events']['disks']
    bench.progress(
        'part e: events, %d snapshots per cloud over %d s, polls every %d s, a kill half way'
        % (disks, events.BURST_SECONDS, events.POLL_INTERVAL)
    )
    aws_stack = bench.stack('aws')
    fakecloud_stack = bench.stack('fakecloud')
    fakecloud_stack.configure(LATENCY_MS, COPY_SECONDS)
    lane = events.EventsLane(os.path.join(work, 'events'), disks, bench.progress, POLL_INTERVAL)
    records = []
    # AWS twice: polling, then the push way (EventBridge to SQS).
    for provider, push in (('aws', False), ('ecs', False), ('ens', False), ('cbs', False), ('aws', True)):
        try:
            record = lane.measure(aws_stack if provider == 'aws' else fakecloud_stack, provider, push=push)
        except Exception:  # pylint: disable=broad-exception-caught  # the other clouds' results must still be written
            bench.errors.append('events %s: %s' % (provider, traceback.format_exc()))
            continue
        records.append(record)
        bench.progress(
            'events %s: p50 %s s, p95 %s s, max %s s, %d missed, %d duplicates, %d runs%s'
            % (
                record['label'],
                record['latency_p50_s'],
                record['latency_p95_s'],
                record['latency_max_s'],
                len(record['missed']),
                len(record['duplicates']),
                record['runs'],
                '' if record['ok'] else ' FAILED, see %s' % record['log'],
            )
        )
    bench.close_stacks()
    return {
        'settings': dict(
            settings['events'],
            burst_s=events.BURST_SECONDS,
            poll_interval_s=events.POLL_INTERVAL,
            copy_seconds=COPY_SECONDS,
            copy_poll_interval_s=POLL_INTERVAL,
            latency_ms=LATENCY_MS,
        ),
        'runs': records,
        'summary': events.summarize(records),
    }


def run_vault(bench, settings, work):
    """Part v: what a DR account (AWS, CBS) and locks (AWS, ECS) add to the role's runs, on stacks of their own."""
    return run_with_and_without(
        bench, settings, work, 'vault', 'part v: the vault', vault.VaultRunner, ('aws', 'ecs', 'cbs'), vault.summarize
    )


# pylint: disable-next=too-many-arguments
def run_with_and_without(bench, settings, work, part, title, runner_class, providers, summarize):
    """A part that runs the role without and with a feature (``runner_class``'s measure), per cloud of ``providers`` one
    after another, ``settings[part]['runs']`` times at ``settings[part]['disks']`` disks, on stacks of its own."""
    part_settings = settings[part]
    bench.progress('%s at N = %d, %d run(s) per cloud' % (title, part_settings['disks'], part_settings['runs']))
    aws_stack = bench.stack('aws')
    fakecloud_stack = bench.stack('fakecloud')
    fakecloud_stack.configure(LATENCY_MS, COPY_SECONDS)
    runner = runner_class(os.path.join(work, part), POLL_INTERVAL)
    records = []
    for provider in providers:
        for number in range(1, part_settings['runs'] + 1):
            try:
                record = runner.measure(
                    aws_stack if provider == 'aws' else fakecloud_stack, provider, part_settings['disks'], number
                )
            except Exception:  # pylint: disable=broad-exception-caught  # the other clouds' results must still be written
                bench.errors.append('%s %s: %s' % (part, provider, traceback.format_exc()))
                continue
            records.append(record)
            bench.progress(
                '%s %s N=%d #%d: %s'
                % (
                    part,
                    provider,
                    part_settings['disks'],
                    number,
                    '%+.1f s, %+d calls' % (record['added_s'], sum(record['added_calls'].values()))
                    if record['ok']
                    else 'FAILED, see %s' % record['log'],
                )
            )
    bench.close_stacks()
    return {
        'settings': dict(
            part_settings, copy_seconds=COPY_SECONDS, poll_interval_s=POLL_INTERVAL, latency_ms=LATENCY_MS
        ),
        'runs': records,
        'summary': summarize(records),
    }


def run_groups(bench, settings, work):
    """Part g: what consistency groups add to the role's runs (AWS, ECS, CBS; ENS has no sets), on stacks of their
    own."""
    return run_with_and_without(
        bench,
        settings,
        work,
        'groups',
        'part g: consistency groups',
        groups.GroupsRunner,
        ('aws', 'ecs', 'cbs'),
        groups.summarize,
    )


def run_plan(bench, settings, work):
    """Part p: what the plan adds to a check run (tests/bench/plan.py), on stacks of its own."""
    return run_with_and_without(
        bench,
        settings,
        work,
        'plan',
        'part p: the plan',
        plan_part.PlanRunner,
        plan_part.PROVIDERS,
        plan_part.summarize,
    )


def run_verify(bench, settings):
    """Part r: the time verifying a copy takes at each sample size, and so per TiB (tests/bench/verify.py)."""
    part = settings['verify']
    bench.progress(
        'part r: verification of a %d GiB copy, every block written, samples %s' % (part['gib'], part['samples'])
    )
    try:
        records = verify.verify_runs(bench, part['samples'], part['gib'])
    finally:
        bench.close_stacks()
    return {'gib': part['gib'], 'latency_ms': LATENCY_MS, 'runs': records, 'seconds_per_tib': verify.per_tib(records)}


def run_fleet(bench, settings, work):
    """Part f: the fleet at each fork count, alone on the machine (it is bound by the controller's CPU)."""
    fleet_settings = settings['fleet']
    bench.progress(
        'part f: the fleet, %d scopes x %d disks, forks %s'
        % (
            fleet_settings['scopes'],
            fleet_settings['disks'],
            ', '.join(str(forks) for forks in fleet_settings['forks']),
        )
    )
    aws_stack = bench.stack('aws', FLEET_COPY_SECONDS)
    fakecloud_stack = bench.stack('fakecloud')
    fakecloud_stack.configure(LATENCY_MS, FLEET_COPY_SECONDS)
    lane = fleet.FleetLane(
        os.path.join(work, 'fleet'), aws_stack, fakecloud_stack, fakecloud_credentials, fleet_settings, bench.progress
    )
    try:
        records = lane.measure()
    except Exception:  # pylint: disable=broad-exception-caught  # the other parts' results must still be written
        bench.errors.append('fleet: %s' % traceback.format_exc())
        records = []
    return fleet.summarize(records, os.cpu_count(), dict(fleet_settings))


def run_org(bench, settings, work):
    """Part o: the dr_scopes inventory's build on each cloud, then the fleet over an AWS organisation's, alone on the
    machine (the build's CPU is the children's rusage over it)."""
    part = settings['org']
    fleet_settings = dict(settings['fleet'], scopes=part['fleet_accounts'])
    bench.progress(
        'part o: the dr_scopes inventory of %d accounts x %d regions per cloud; the fleet over %d accounts x %d disks, '
        'forks %s'
        % (
            part['accounts'],
            len(org.BUILD_REGIONS['aws']),
            part['fleet_accounts'],
            fleet_settings['disks'],
            ', '.join(str(forks) for forks in fleet_settings['forks']),
        )
    )
    folder = os.path.join(work, 'org')
    os.makedirs(folder, exist_ok=True)
    aws_stack = bench.stack('aws', FLEET_COPY_SECONDS)
    fakecloud_stack = bench.stack('fakecloud')
    fakecloud_stack.configure(LATENCY_MS, COPY_SECONDS)
    builds, fleet_runs = [], []
    try:
        role, dummy = org.aws_organization(aws_stack.moto_url, org.BUILD_MANAGEMENT, part['accounts'])
        plan = [('aws', False, aws_stack, role), ('aws', True, aws_stack, role)]
        plan += [(provider, False, fakecloud_stack, None) for provider in ('ecs', 'cbs')]
        for provider, tag_rule, stack, management_role in plan:
            if provider != 'aws':
                org.fakecloud_organization(stack, provider, part['accounts'])
            record = org.measure_build(
                folder, stack, provider, part['accounts'], tag_rule, fakecloud_credentials, management_role
            )
            builds.append(record)
            bench.progress(
                'org build %s%s, %d accounts: %.1f s, CPU %.1f s, %d hosts, %d calls (emulator %d)%s'
                % (
                    provider,
                    ' with a tag rule' if tag_rule else '',
                    part['accounts'],
                    record['wall_s'],
                    record['cpu_s'],
                    record['hosts'],
                    record['record_calls'],
                    record['emulator_calls_total'],
                    '' if record['ok'] else ' FAILED (exit %s), see %s' % (record['exit_code'], record['log']),
                )
            )
        lanes = [
            fleet.FleetLane(
                os.path.join(folder, 'fleet'),
                aws_stack,
                None,
                fakecloud_credentials,
                fleet_settings,
                bench.progress,
                organization=org.OrgFleet(part['fleet_accounts'], static),
            )
            for static in (False, True)
        ]
        # Each fork count's two runs one after the other: a shared machine's load moves both alike.
        for forks in fleet_settings['forks']:
            for lane in lanes:
                fleet_runs += lane.measure([forks])
    except Exception:  # pylint: disable=broad-exception-caught  # the other parts' results must still be written
        bench.errors.append('org: %s' % traceback.format_exc())
    finally:
        bench.close_stacks()
    return {
        'settings': dict(part, regions=org.BUILD_REGIONS, disks=fleet_settings['disks'], forks=fleet_settings['forks']),
        'latency_ms': LATENCY_MS,
        'builds': builds,
        'fleet_runs': fleet_runs,
        'fleet_rows': org.fleet_rows(fleet_runs),
    }


def main(argv):
    args = parse_arguments(argv)
    settings = bench_settings(args)
    work = os.path.join(ROOT, 'build', 'bench-runs')
    os.makedirs(work, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    bench = Bench(work, settings)
    results = {
        'started': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'machine': machine(),
        'command': 'make bench' + (" BENCH_ARGS='%s'" % ' '.join(argv) if argv else ''),
        'parts': args.parts,
        'settings': {
            'latency_ms': LATENCY_MS,
            'copy_seconds': COPY_SECONDS,
            'poll_interval_s': POLL_INTERVAL,
            'dr_regions_per_run': 1,
            'sizes': settings['sizes'],
            'loop_sizes': settings['loop_sizes'],
            'loop_runs': settings['loop_runs'],
            'adhoc_rounds': settings['adhoc_rounds'],
        },
    }
    try:
        if set('abc') & set(args.parts):
            run_parts_abc(bench, args, settings, work, results)
        if 'd' in args.parts:
            results['drill'] = run_drill(bench, settings, work)
        if 'e' in args.parts:
            results['events'] = run_events(bench, settings, work)
        if 'v' in args.parts:
            results['vault'] = run_vault(bench, settings, work)
        if 'g' in args.parts:
            results['groups'] = run_groups(bench, settings, work)
        if 'p' in args.parts:
            results['plan'] = run_plan(bench, settings, work)
        if 'r' in args.parts:
            results['verify'] = run_verify(bench, settings)
        if 'f' in args.parts:
            results['fleet'] = run_fleet(bench, settings, work)
        if 'o' in args.parts:
            results['org'] = run_org(bench, settings, work)
    finally:
        bench.close()
    results['machine']['load_average_at_end'] = [round(value, 2) for value in os.getloadavg()]
    results['duration_s'] = round(time.monotonic() - bench.started, 1)
    results['runs'] = sorted(
        bench.records, key=lambda record: (record['kind'], record['provider'], record['disks'], record['run'])
    )
    results['summary'] = report.summarize(results['runs'])
    results['comparisons'] = report.comparisons(results['summary'])
    results['errors'] = bench.errors
    text = report.table(results)
    os.makedirs(args.out, exist_ok=True)
    written = ['bench-results.json']
    with open(os.path.join(args.out, 'bench-results.json'), 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    if results['summary']:
        report.plot(results, os.path.join(args.out, 'bench-results.png'))
        written.append('bench-results.png')
    if results.get('fleet', {}).get('floors'):
        report.plot_fleet(results, os.path.join(args.out, 'bench-results-fleet.png'))
        written.append('bench-results-fleet.png')
    print()
    print(text)
    print(
        'Machine: %s. Took %.0f s. Wrote %s.'
        % (results['machine']['summary'], results['duration_s'], ', '.join(written))
    )
    failed = [record for record in bench.records if not record['ok']] + [
        record
        for record in results.get('fleet', {}).get('runs', [])
        + results.get('events', {}).get('runs', [])
        + results.get('groups', {}).get('runs', [])
        + results.get('plan', {}).get('runs', [])
        + results.get('org', {}).get('builds', [])
        + results.get('org', {}).get('fleet_runs', [])
        if not record['ok']
    ]
    for error in bench.errors:
        print(error, file=sys.stderr)
    return 1 if failed or bench.errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
