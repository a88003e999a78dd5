"""One measured run: the role (playbooks/dr_copy.yml), the loop (tests/bench/loop.yml), or an ad hoc command.

A run is timed from the start of the ansible command to its end. Around it: the stack is reset
and seeded (not timed), and afterwards the API calls of the run are read by action, the peak
memory of the module process is read from the interpreter wrapper's log, and the floor that
the clouds' limits allow for the same work is put next to it.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time

from stacks import REGIONS, TAG_SELECTOR

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The ansible commands of the Python running the bench (the project's .venv).
BIN = os.path.dirname(sys.executable)

COPY_ACTIONS = ('CopySnapshot', 'CopySnapshotCrossRegions')
# The bench's copy time and the documented limits, as the stacks enforce them (see stacks.py).
COPY_SECONDS = 5
AWS_IN_FLIGHT = 20
ALIBABA_COPIES_PER_MINUTE = 1000
TENCENT_REQUESTS_PER_SECOND = 20
MODULES = {
    'aws': 'ebs_snapshot_copy',
    'ecs': 'ecs_snapshot_copy',
    'ens': 'ens_snapshot_copy',
    'cbs': 'cbs_snapshot_copy',
}
RUN_TIMEOUT = 900


def floor_seconds(provider, disks, copy_seconds=COPY_SECONDS):
    """The least time the limits allow for copying ``disks`` snapshots to one DR region and seeing them done.

    AWS: 20 copies in flight per region, each ``copy_seconds``: ceil(N / 20) waves.
    Alibaba (ECS, ENS): 1,000 CopySnapshot calls in any 60 s; call k can go at floor(k / 1000) minutes,
    and the last copy then takes ``copy_seconds``.
    Tencent (CBS): 20 CopySnapshotCrossRegions a second; call k can go at floor(k / 20) s, then its copy.
    Latency, reads and Ansible's own start-up are not in the floor: calls can overlap, and the target's
    10 s are for the rest.
    """
    if disks <= 0:
        return 0.0
    if provider == 'aws':
        return math.ceil(disks / AWS_IN_FLIGHT) * copy_seconds
    if provider in ('ecs', 'ens'):
        return (disks - 1) // ALIBABA_COPIES_PER_MINUTE * 60.0 + copy_seconds
    return (disks - 1) // TENCENT_REQUESTS_PER_SECOND * 1.0 + copy_seconds


def summarize_calls(by_action):
    """Reads, copy calls (and how many of them were refused), and other writes, out of {action: counts}."""
    reads = sum(
        counts['calls']
        for action, counts in by_action.items()
        if action.split(':')[-1].startswith(('Describe', 'List', 'Get'))
    )
    copies = sum(counts['calls'] for action, counts in by_action.items() if action in COPY_ACTIONS)
    refused = sum(counts['errors'] for action, counts in by_action.items() if action in COPY_ACTIONS)
    writes = sum(counts['calls'] for action, counts in by_action.items()) - reads - copies
    return {'reads': reads, 'copy_calls': copies, 'copy_calls_refused': refused, 'other_writes': writes}


def ansible_env(extra=None):
    env = {
        key: value for key, value in os.environ.items() if key.lower() not in ('http_proxy', 'https_proxy', 'all_proxy')
    }
    env.update({'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_STDOUT_CALLBACK': 'default', 'PYTHONWARNINGS': 'ignore'})
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, 'build', 'collections'))
    env.update(extra or {})
    return env


def run_timed(command, log_path, env):
    """(wall seconds, exit code, children's CPU seconds) of ``command``, its output in ``log_path``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        try:
            code = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, timeout=RUN_TIMEOUT, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            code = 'timeout'
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Children's CPU is summed over all lanes' processes that ended meanwhile: a hint, not a measure.
    return wall, code, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def module_processes(rss_log, module):
    """(largest peak memory in MiB, summed wall seconds) of the processes of ``module`` in the wrapper's log."""
    if not os.path.exists(rss_log):
        return None, None
    peaks, seconds = [], 0.0
    with open(rss_log, encoding='utf-8') as handle:
        for line in handle:
            record = json.loads(line)
            if record['module'] == module:
                peaks.append(record['max_rss_kib'] / 1024.0)
                seconds += record['seconds']
    return (round(max(peaks), 1), round(seconds, 2)) if peaks else (None, None)


class Runner:
    """Runs the role and the loop for one lane, writing logs, vars and reports under ``work``."""

    def __init__(self, work, interpreter, poll_interval):
        self.work = work
        self.interpreter = interpreter
        self.poll_interval = poll_interval

    def _paths(self, label):
        for name in ('logs', 'vars', 'rss', 'reports'):
            os.makedirs(os.path.join(self.work, name), exist_ok=True)
        return (
            os.path.join(self.work, 'logs', label + '.log'),
            os.path.join(self.work, 'vars', label + '.json'),
            os.path.join(self.work, 'rss', label + '.jsonl'),
            os.path.join(self.work, 'reports', label),
        )

    def _measure(self, kind, stack, provider, disks, number, playbook, variables, module):
        label = '%s-%s-%d-%d' % (kind, provider, disks, number)
        log_path, vars_path, rss_log, report_dir = self._paths(label)
        stack.reset(provider)
        snapshots = stack.seed(provider, disks)
        variables = dict(variables(snapshots, report_dir), ansible_python_interpreter=self.interpreter)
        with open(vars_path, 'w', encoding='utf-8') as handle:
            json.dump(variables, handle)
        if os.path.exists(rss_log):
            os.remove(rss_log)
        load = os.getloadavg()[0]
        wall, code, cpu = run_timed(
            [os.path.join(BIN, 'ansible-playbook'), playbook, '-e', '@' + vars_path],
            log_path,
            ansible_env({'SNAPCOPY_BENCH_RSS_LOG': rss_log}),
        )
        by_action, by_region = stack.calls(provider)
        peak, module_seconds = module_processes(rss_log, module)
        record = {
            'kind': kind,
            'provider': provider,
            'disks': disks,
            'run': number,
            'ok': code == 0,
            'exit_code': code,
            'wall_s': round(wall, 2),
            'floor_s': floor_seconds(provider, disks),
            'peak_rss_mib': peak,
            'module_s': module_seconds,
            'calls': by_action,
            'load_at_start': round(load, 2),
            'cpu_s_hint': round(cpu, 2),
            'log': os.path.relpath(log_path, ROOT),
        }
        if by_region is not None:
            record['calls_by_region'] = by_region
        record.update(summarize_calls(by_action))
        if kind == 'role' and code == 0:
            record['report_totals'] = read_report_totals(report_dir, provider)
        return record

    def role(self, stack, provider, disks, number):
        source, destination = REGIONS[provider]

        def variables(snapshots, report_dir):  # pylint: disable=unused-argument  # the role finds them itself
            return {
                'dr_copy_provider': provider,
                'dr_copy_source_region': source,
                'dr_copy_dr_regions': [destination],
                'dr_copy_tag_selector': TAG_SELECTOR,
                'dr_copy_wait': True,
                'dr_copy_wait_timeout': RUN_TIMEOUT,
                'dr_copy_poll_interval': self.poll_interval,
                'dr_copy_report_dir': report_dir,
                'dr_copy_connection': stack.connection(provider),
            }

        return self._measure(
            'role', stack, provider, disks, number, os.path.join(ROOT, 'playbooks', 'dr_copy.yml'), variables, 'dr_sync'
        )

    def loop(self, stack, provider, disks, number):
        source, destination = REGIONS[provider]

        def variables(snapshots, report_dir):  # pylint: disable=unused-argument  # the loop writes no report
            return {
                'bench_provider': provider,
                'bench_snapshots': snapshots,
                'bench_source_region': source,
                'bench_dr_region': destination,
                'bench_poll_interval': self.poll_interval,
                'bench_connection': stack.connection(provider),
            }

        return self._measure(
            'loop', stack, provider, disks, number, os.path.join(HERE, 'loop.yml'), variables, MODULES[provider]
        )


def read_report_totals(report_dir, provider):
    path = os.path.join(report_dir, 'dr-report-%s-%s.json' % (provider, REGIONS[provider][0]))
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle).get('totals')
    except (OSError, ValueError):
        return None


def adhoc_command(module, arguments, python):
    """``ansible localhost -m MODULE -a 'k=v ...'`` with the bench's interpreter."""
    command = [os.path.join(BIN, 'ansible'), 'localhost', '-m', module, '-e', 'ansible_python_interpreter=' + python]
    if arguments:
        command += ['-a', ' '.join('%s=%s' % (key, value) for key, value in arguments.items())]
    return command
