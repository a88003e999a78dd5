"""The fleet lane of make bench: playbooks/dr_fleet.yml over many scopes, at several fork counts.

A scope is one provider, one account and one source region (docs/fleet.md). The lane makes a
fleet in the shape of playbooks/inventory/fleet.example.yml: a group per cloud, a host per scope,
each account reached by its cloud's assume-role from the job's one identity, which comes from the
environment. AWS runs on moto's server behind tests/bench/aws_proxy.py; Alibaba ECS and ENS and
Tencent CBS on fakecloud. Each scope's disks are seeded in its role's account.

For each fork count the emulators are reset and seeded again, then one ``ansible-playbook`` is
measured from start to end:

* wall time;
* CPU: user + system seconds of ``ansible-playbook`` and every process under it (its forks, the
  module processes they start), from ``wait4`` (a process's rusage includes its waited-for
  descendants); and of the emulators' processes over the same time, from /proc/PID/stat;
* memory: every ``SAMPLE_SECONDS`` the process tree is walked in /proc, and the peak of the summed
  RSS (shared pages counted once per process: an upper bound) and of the summed PSS (shared pages
  split between the processes that share them: what the tree takes from the machine) is kept;
* API calls by action, from the proxy's and fakecloud's counters, per scope of each cloud.

The floor and the speed-up are worked out from those figures by ``floors`` below.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import os
import signal
import subprocess
import threading
import time

from runs import BIN, ROOT, ansible_env, summarize_calls
from stacks import TAG_SELECTOR, with_emulators  # with_emulators: tests/utils, on the path stacks sets

PROVIDERS = ('aws', 'ecs', 'ens', 'cbs')
# The inventory group of each cloud, as in playbooks/inventory/fleet.example.yml.
GROUPS = {'aws': 'aws', 'ecs': 'alibaba_ecs', 'ens': 'alibaba_ens', 'cbs': 'tencent'}
# The source and DR region of an account's scopes, in turn. No two scopes of one account share a DR
# region: AWS allows 20 copies in flight per account and destination region, and a scope has 20 disks.
# Within the regions fakecloud knows (tests/fakecloud/config.py).
REGION_PAIRS = {
    'aws': [
        ('us-east-1', 'us-west-2'),
        ('us-east-2', 'us-west-1'),
        ('eu-west-1', 'eu-central-1'),
        ('ap-southeast-1', 'ap-northeast-1'),
        ('ca-central-1', 'sa-east-1'),
    ],
    'ecs': [
        ('cn-hangzhou', 'cn-shanghai'),
        ('cn-beijing', 'cn-shenzhen'),
        ('cn-chengdu', 'cn-hongkong'),
        ('ap-southeast-1', 'ap-northeast-1'),
        ('us-west-1', 'us-east-1'),
    ],
    'ens': [
        ('cn-hangzhou-26', 'cn-beijing-cmcc'),
        ('cn-hangzhou-27', 'cn-suzhou-telecom'),
        ('cn-chengdu-telecom', 'cn-shenzhen-cucc'),
        ('cn-wuhan-telecom', 'cn-beijing-cmcc'),
        ('cn-suzhou-telecom', 'cn-hangzhou-26'),
    ],
    'cbs': [
        ('ap-guangzhou', 'ap-shanghai'),
        ('ap-beijing', 'ap-nanjing'),
        ('ap-chengdu', 'ap-hongkong'),
        ('ap-singapore', 'ap-tokyo'),
        ('na-siliconvalley', 'eu-frankfurt'),
    ],
}
# Role ARNs in the shapes docs/fleet.md gives; ECS and ENS scopes share the Alibaba accounts.
ROLE_ARNS = {
    'aws': 'arn:aws:iam::%s:role/snapcopy-dr',
    'ecs': 'acs:ram::%s:role/snapcopy-dr',
    'ens': 'acs:ram::%s:role/snapcopy-dr',
    'cbs': 'qcs::cam::uin/%s:roleName/snapcopy-dr',
}
ACCOUNT_DIGITS = {'aws': 12, 'ecs': 16, 'ens': 16, 'cbs': 12}
# The assume-role options of each cloud (docs/fleet.md): the ARN on the scope, the session name on the group.
ARN_OPTION = {
    'aws': 'role_arn',
    'ecs': 'alicloud_assume_role_arn',
    'ens': 'alicloud_assume_role_arn',
    'cbs': 'role_arn',
}
SESSION_OPTION = {
    'aws': 'role_session_name',
    'ecs': 'alicloud_assume_role_session_name',
    'ens': 'alicloud_assume_role_session_name',
    'cbs': 'role_session_name',
}
# fakecloud's counters name STS per vendor: Alibaba's serves ECS and ENS scopes alike.
STS_CLOUDS = {'alibaba_sts': ('ecs', 'ens'), 'tencent_sts': ('cbs',)}
SAMPLE_SECONDS = 0.2
SEED_THREADS = 8
RUN_TIMEOUT = 1800


def account_id(provider, number):
    """The ``number``-th (from 1) bench account of a cloud, with as many digits as the cloud's ids have."""
    return '5' + str(number).zfill(ACCOUNT_DIGITS[provider] - 1)


def fleet_scopes(count, regions_per_account=5, providers=PROVIDERS):
    """``count`` scopes, dealt round the clouds in turn; a cloud's scopes fill an account's regions, then the next
    account's."""
    scopes = []
    for index in range(count):
        provider = providers[index % len(providers)]
        within = index // len(providers)
        account = account_id(provider, within // regions_per_account + 1)
        source, destination = REGION_PAIRS[provider][within % regions_per_account]
        scopes.append(
            {
                'name': '%s-%s-%s' % (provider, account[-2:], source),
                'provider': provider,
                'account': account,
                'source_region': source,
                'dr_region': destination,
                'role_arn': ROLE_ARNS[provider] % account,
            }
        )
    return scopes


def inventory(scopes, endpoints, poll_interval, wait_timeout, report_dir):
    """The fleet as an inventory, in the shape of playbooks/inventory/fleet.example.yml (JSON, which the yaml plugin
    reads)."""
    children = {}
    for provider in PROVIDERS:
        hosts = {
            scope['name']: {
                'dr_copy_source_region': scope['source_region'],
                'dr_copy_dr_regions': [scope['dr_region']],
                'dr_copy_connection': {ARN_OPTION[provider]: scope['role_arn']},
            }
            for scope in scopes
            if scope['provider'] == provider
        }
        if hosts:
            children[GROUPS[provider]] = {
                'vars': {
                    'dr_copy_provider': provider,
                    'dr_copy_connection_defaults': {
                        'endpoint_url': endpoints[provider],
                        SESSION_OPTION[provider]: 'snapcopy-bench',
                    },
                },
                'hosts': hosts,
            }
    return {
        'all': {
            'children': {
                'dr_scopes': {
                    'vars': {
                        'dr_copy_tag_selector': TAG_SELECTOR,
                        'dr_copy_wait': True,
                        'dr_copy_wait_timeout': wait_timeout,
                        'dr_copy_poll_interval': poll_interval,
                        'dr_copy_report_dir': report_dir,
                    },
                    'children': children,
                }
            }
        }
    }


def job_environment(fakecloud_credentials):
    """The job's one identity, in the variables AWX's credentials set."""
    return {
        'AWS_ACCESS_KEY_ID': with_emulators.AWS_ACCESS_KEY,
        'AWS_SECRET_ACCESS_KEY': with_emulators.AWS_SECRET_KEY,
        'ALICLOUD_ACCESS_KEY': fakecloud_credentials.ALIBABA_ACCESS_KEY_ID,
        'ALICLOUD_SECRET_KEY': fakecloud_credentials.ALIBABA_ACCESS_KEY_SECRET,
        'TENCENTCLOUD_SECRET_ID': fakecloud_credentials.TENCENT_SECRET_ID,
        'TENCENTCLOUD_SECRET_KEY': fakecloud_credentials.TENCENT_SECRET_KEY,
    }


# ---------------------------------------------------------------- seeding


def seed_fakecloud(stack, scopes, disks, credentials):
    """The roles of the fleet's Alibaba and Tencent accounts (trusted by the job's identity), and each scope's tagged
    disks."""
    roles = {'alibaba': {}, 'tencent': {}}
    by_account = {}
    for scope in scopes:
        if scope['provider'] == 'aws':
            continue
        vendor = 'tencent' if scope['provider'] == 'cbs' else 'alibaba'
        trusting = credentials.TENCENT_UIN if vendor == 'tencent' else credentials.ALIBABA_ACCOUNT_ID
        roles[vendor][scope['role_arn']] = {'trusted': [trusting]}
        by_account.setdefault((scope['provider'], scope['account']), []).extend(
            {
                'region': scope['source_region'],
                'name': '%s-disk-%d' % (scope['name'], index),
                'size': 40,
                'tags': dict(TAG_SELECTOR),
                'snapshots': [{'status': 'done', 'age_seconds': 3600}],
            }
            for index in range(disks)
        )
    stack.admin.configure(roles=roles)
    for (provider, account), account_disks in sorted(by_account.items()):
        stack.admin.seed({provider: {'account': account, 'disks': account_disks}})


def seed_aws(stack, scopes, disks):
    """Each AWS scope's tagged volumes, each with a snapshot, made with its role's keys (moto keeps them in the role's
    account).

    Straight to moto, not through the proxy: seeding is neither timed nor counted."""
    import botocore.config  # pylint: disable=import-outside-toplevel  # the bench's venv has it; importing it costs time
    import botocore.session  # pylint: disable=import-outside-toplevel

    session = botocore.session.Session()
    config = botocore.config.Config(max_pool_connections=SEED_THREADS * 2)
    sts = session.create_client(
        'sts',
        region_name='us-east-1',
        endpoint_url=stack.moto_url,
        config=config,
        aws_access_key_id=with_emulators.AWS_ACCESS_KEY,
        aws_secret_access_key=with_emulators.AWS_SECRET_KEY,
    )
    work = []
    for scope in scopes:
        if scope['provider'] != 'aws':
            continue
        keys = sts.assume_role(RoleArn=scope['role_arn'], RoleSessionName='snapcopy-bench-seed')['Credentials']
        ec2 = session.create_client(
            'ec2',
            region_name=scope['source_region'],
            endpoint_url=stack.moto_url,
            config=config,
            aws_access_key_id=keys['AccessKeyId'],
            aws_secret_access_key=keys['SecretAccessKey'],
            aws_session_token=keys['SessionToken'],
        )
        work += [(ec2, scope, index) for index in range(disks)]

    def one(item):
        ec2, scope, index = item
        volume = ec2.create_volume(
            Size=8,
            AvailabilityZone=scope['source_region'] + 'a',
            TagSpecifications=[
                {
                    'ResourceType': 'volume',
                    'Tags': [{'Key': key, 'Value': value} for key, value in TAG_SELECTOR.items()]
                    + [{'Key': 'Name', 'Value': '%s-disk-%d' % (scope['name'], index)}],
                }
            ],
        )
        ec2.create_snapshot(VolumeId=volume['VolumeId'], Description='bench source')

    with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(one, work))


# ---------------------------------------------------------------- measuring a process tree


def _proc_stat(pid):
    """(parent pid, CPU seconds of the process itself) from /proc/PID/stat, or None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii', errors='replace') as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name is in brackets and may hold spaces: the fields that follow it are counted from its end.
    fields = text[text.rindex(')') + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_seconds(pids):
    """User + system seconds so far of the processes ``pids`` (not their children)."""
    return sum((_proc_stat(pid) or (0, 0.0))[1] for pid in pids)


def descendants(root):
    """``root`` and every process under it, from one pass over /proc."""
    children = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            stat = _proc_stat(int(name))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def memory_kib(pid):
    """(RSS, PSS) of one process in KiB from /proc/PID/smaps_rollup, or None when it is gone."""
    values = {}
    try:
        with open('/proc/%d/smaps_rollup' % pid, encoding='ascii') as handle:
            for line in handle:
                key, dummy, rest = line.partition(':')
                if key in ('Rss', 'Pss'):
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError):
        return None
    return (values['Rss'], values['Pss']) if len(values) == 2 else None


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process tree until stopped and keeps the peaks; and the root's own CPU
    seconds (without its children's), as last seen before it ended."""

    def __init__(self, root, interval=SAMPLE_SECONDS):
        super().__init__(name='tree-memory', daemon=True)
        self.root, self.interval = root, interval
        self.halt = threading.Event()
        self.peak_rss_kib = self.peak_pss_kib = self.peak_processes = self.samples = 0
        self.root_cpu_s = 0.0

    def run(self):
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def sample(self):
        root = _proc_stat(self.root)
        if root is not None:
            self.root_cpu_s = root[1]
        measured = [value for value in (memory_kib(pid) for pid in descendants(self.root)) if value is not None]
        self.samples += 1
        self.peak_rss_kib = max(self.peak_rss_kib, sum(rss for rss, dummy in measured))
        self.peak_pss_kib = max(self.peak_pss_kib, sum(pss for dummy, pss in measured))
        self.peak_processes = max(self.peak_processes, len(measured))

    def stop(self):
        self.halt.set()
        self.join()


def run_measured(command, log_path, env, emulator_pids, timeout=RUN_TIMEOUT):
    """Run ``command`` (its output to ``log_path``) and measure it and its process tree; see the module's docstring."""
    emulators_before = cpu_seconds(emulator_pids)
    start = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        # A session of its own, so that a run past its time is ended with everything it started, and nothing else.
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,  # pylint: disable=consider-using-with
            start_new_session=True,
        )
        sampler = TreeMemory(process.pid)
        sampler.start()
        timer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        timer.start()
        try:
            dummy, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    return {
        'wall_s': round(wall, 2),
        'exit_code': process.returncode,
        'cpu_user_s': round(usage.ru_utime, 2),
        'cpu_system_s': round(usage.ru_stime, 2),
        'cpu_s': round(usage.ru_utime + usage.ru_stime, 2),
        # Of which the controller's main process (the strategy's loop, templating, the callback's output).
        'controller_cpu_s': round(sampler.root_cpu_s, 2),
        'emulators_cpu_s': round(cpu_seconds(emulator_pids) - emulators_before, 2),
        # wait4's ru_maxrss: the largest peak of any one process of the tree (the controller, a fork or a module).
        'largest_process_rss_mib': round(usage.ru_maxrss / 1024.0, 1),
        'peak_rss_sum_mib': round(sampler.peak_rss_kib / 1024.0, 1),
        'peak_pss_sum_mib': round(sampler.peak_pss_kib / 1024.0, 1),
        'peak_processes': sampler.peak_processes,
        'memory_samples': sampler.samples,
    }


# ---------------------------------------------------------------- the calls, per scope


def calls_by_provider(aws_stack, fakecloud_stack):
    """{provider: {action: counts}}, with STS AssumeRole as 'sts:AssumeRole' (Alibaba's split between ECS and ENS
    below)."""
    result = {}
    if aws_stack is not None:
        result['aws'] = aws_stack.calls('aws')[0]
    if fakecloud_stack is not None:
        report = fakecloud_stack.admin.calls()['calls']
        for provider in ('ecs', 'ens', 'cbs'):
            result[provider] = fakecloud_stack.calls(provider)[0]
        for cloud, providers in STS_CLOUDS.items():
            for action, counts in report.get(cloud, {}).items():
                result.setdefault('|'.join(providers), {})['sts:' + action] = {
                    'calls': counts['calls'],
                    'errors': counts['errors'],
                }
    return result


def per_scope(calls, scopes):
    """Calls per scope of each cloud: reads, copy calls, other writes and AssumeRole; STS shared by clouds is split by
    their scopes."""
    counts = {provider: sum(1 for scope in scopes if scope['provider'] == provider) for provider in PROVIDERS}
    result = {}
    for key, by_action in calls.items():
        providers = [provider for provider in key.split('|') if counts.get(provider)]
        if not providers:
            continue
        scope_count = sum(counts[provider] for provider in providers)
        sts = {
            action: entry for action, entry in by_action.items() if action.startswith('sts:') or action == 'AssumeRole'
        }
        rest = {action: entry for action, entry in by_action.items() if action not in sts}
        summary = summarize_calls(rest) if rest else {}
        entry = {name: round(value / scope_count, 2) for name, value in summary.items()}
        sts_calls = sum(value['calls'] for value in sts.values())
        for provider in providers:
            target = result.setdefault(provider, {})
            target.update(entry)
            if sts_calls:
                target['assume_role'] = round(sts_calls / scope_count, 2)
    return result


# ---------------------------------------------------------------- the floor


def floors(runs, cores):
    """The least wall time the machine allows at each fork count, and the speed-ups, from the measured runs.

    ``runs``: the good runs of one fleet, each with ``forks``, ``scopes``, ``wall_s``, ``cpu_s`` and
    ``emulators_cpu_s``. What a scope needs:
    * CPU: the ansible tree's and the emulators' seconds per scope, the least of any run (the
      controller's main process polls its workers while it waits, so a longer run spends more CPU on
      the same work). All of it shares the ``cores``: no fork count can finish the fleet in less than
      scopes x CPU per scope / cores.
    * wall: the run at forks 1 over the scopes, each scope alone (its waits for the emulators' copies,
      latency and polls included). With ``forks`` side by side, a scope cannot take less than that: no
      fork count can take less than ceil(scopes / forks) x that. (The play's fixed part, its start and
      the fleet report, is spread over the scopes here, so this bound is a little low.)
    The floor is the larger of the two. Speed-up: forks 1's wall over this run's; the best possible
    speed-up is forks 1's wall over the floor. Empty when there is no good run at forks 1.
    """
    base = next((run for run in runs if run['forks'] == 1), None)
    if base is None or not base['scopes']:
        return []
    cpu_per_scope = min((run['cpu_s'] + run['emulators_cpu_s']) / run['scopes'] for run in runs)
    wall_per_scope = base['wall_s'] / base['scopes']
    result = []
    for run in sorted(runs, key=lambda item: item['forks']):
        cpu_bound = cpu_per_scope * run['scopes'] / cores
        wait_bound = math.ceil(run['scopes'] / run['forks']) * wall_per_scope
        floor = max(cpu_bound, wait_bound)
        result.append(
            {
                'forks': run['forks'],
                'wall_s': run['wall_s'],
                'floor_s': round(floor, 1),
                'cpu_bound_s': round(cpu_bound, 1),
                'wait_bound_s': round(wait_bound, 1),
                'bound_by': 'CPU' if cpu_bound >= wait_bound else 'waiting',
                'speed_up': round(base['wall_s'] / run['wall_s'], 2),
                'best_speed_up': round(base['wall_s'] / floor, 2),
                'wall_over_floor': round(run['wall_s'] / floor, 2),
                'cpu_per_scope_s': round((run['cpu_s'] + run['emulators_cpu_s']) / run['scopes'], 2),
                'ansible_cpu_per_scope_s': round(run['cpu_s'] / run['scopes'], 2),
            }
        )
    return result


# ---------------------------------------------------------------- the lane


class FleetLane:
    """Runs the fleet at each fork count against its own emulators and keeps one record per run.

    By default over the static inventory of ``fleet_scopes``. Part o (org.py) gives ``organization``, an object with
    ``seed(aws_stack)`` (the organisation made again after each reset, as moto's reset forgets it: answers the scopes,
    whose account ids are new each time) and ``write_inventory(path, endpoints, settings, report_dir)`` (its
    dr_scopes file, or None for the static inventory of the scopes), and ``kind``, the records' label."""

    def __init__(self, work, aws_stack, fakecloud_stack, credentials, settings, progress, organization=None):
        self.work = work
        self.aws, self.fakecloud = aws_stack, fakecloud_stack
        self.credentials = credentials
        self.settings = settings
        self.progress = progress
        self.organization = organization
        self.kind = organization.kind if organization is not None else 'fleet'
        self.scopes = fleet_scopes(settings['scopes']) if organization is None else []
        for name in ('logs', 'reports'):
            os.makedirs(os.path.join(work, name), exist_ok=True)

    def endpoints(self):
        fakecloud = self.fakecloud.url if self.fakecloud is not None else None
        return {'aws': self.aws.url, 'ecs': fakecloud, 'ens': fakecloud, 'cbs': fakecloud}

    def emulator_pids(self):
        processes = [self.aws.moto, self.aws.proxy, self.fakecloud.process.process if self.fakecloud else None]
        return [process.pid for process in processes if process is not None]

    def prepare(self):
        """Fresh emulators with every scope's disks (neither timed nor counted)."""
        self.aws.reset('aws')
        if self.organization is not None:
            self.scopes = self.organization.seed(self.aws)
        if self.fakecloud is not None:
            self.fakecloud.reset(None)
        seed_aws(self.aws, self.scopes, self.settings['disks'])
        if self.fakecloud is not None:
            seed_fakecloud(self.fakecloud, self.scopes, self.settings['disks'], self.credentials)

    def write_inventory(self, label, report_dir):
        """The run's inventory file: the organisation's dr_scopes file, or the scopes' static inventory."""
        if self.organization is not None:
            path = os.path.join(self.work, label + '.dr_scopes.yml')
            if self.organization.write_inventory(path, self.endpoints(), self.settings, report_dir):
                return path
        path = os.path.join(self.work, label + '.inventory.json')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(
                inventory(
                    self.scopes,
                    self.endpoints(),
                    self.settings['poll_interval_s'],
                    self.settings['wait_timeout'],
                    report_dir,
                ),
                handle,
                indent=1,
            )
        return path

    def run(self, forks):
        self.prepare()
        label = '%s-%d-forks-%d' % (self.kind, len(self.scopes), forks)
        report_dir = os.path.join(self.work, 'reports', label)
        inventory_path = self.write_inventory(label, report_dir)
        log_path = os.path.join(self.work, 'logs', label + '.log')
        command = [
            os.path.join(BIN, 'ansible-playbook'),
            os.path.join(ROOT, 'playbooks', 'dr_fleet.yml'),
            '-i',
            inventory_path,
            '--forks',
            str(forks),
        ]
        load_at_start = os.getloadavg()
        # An inventory that does not parse fails the run rather than leaving an empty fleet.
        environment = dict(job_environment(self.credentials), ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='1')
        measured = run_measured(command, log_path, ansible_env(environment), self.emulator_pids())
        calls = calls_by_provider(self.aws, self.fakecloud)
        record = dict(
            measured,
            kind=self.kind,
            forks=forks,
            scopes=len(self.scopes),
            disks_per_scope=self.settings['disks'],
            providers=sorted({scope['provider'] for scope in self.scopes}, key=PROVIDERS.index),
            accounts=len({(scope['provider'], scope['account']) for scope in self.scopes}),
            scopes_by_provider={
                provider: sum(1 for scope in self.scopes if scope['provider'] == provider) for provider in PROVIDERS
            },
            load_at_start=[round(value, 2) for value in load_at_start],
            load_at_end=[round(value, 2) for value in os.getloadavg()],
            calls=calls,
            calls_per_scope=per_scope(calls, self.scopes),
            log=os.path.relpath(log_path, ROOT),
            command='ansible-playbook playbooks/dr_fleet.yml -i %s --forks %d'
            % (os.path.relpath(inventory_path, ROOT), forks),
        )
        record['report_totals'] = read_fleet_totals(report_dir)
        expected = len(self.scopes) * self.settings['disks']
        totals = record['report_totals'] or {}
        record['ok'] = (
            record['exit_code'] == 0 and totals.get('failed_scopes') == 0 and totals.get('copied') == expected
        )
        return record

    def measure(self, forks_counts=None):
        """A run at each of ``forks_counts`` (default: the settings' fork counts)."""
        records = []
        for forks in forks_counts or self.settings['forks']:
            record = self.run(forks)
            records.append(record)
            self.progress(
                '%s %d scopes x %d disks, forks %d: %.1f s, CPU %.0f s (+ emulators %.0f s), peak PSS %.0f MiB%s'
                % (
                    self.kind,
                    record['scopes'],
                    record['disks_per_scope'],
                    forks,
                    record['wall_s'],
                    record['cpu_s'],
                    record['emulators_cpu_s'],
                    record['peak_pss_sum_mib'],
                    '' if record['ok'] else ' FAILED (exit %s), see %s' % (record['exit_code'], record['log']),
                )
            )
        return records


def read_fleet_totals(report_dir):
    try:
        with open(os.path.join(report_dir, 'dr-fleet-report.json'), encoding='utf-8') as handle:
            return json.load(handle).get('totals')
    except (OSError, ValueError):
        return None


def summarize(records, cores, settings):
    """The fleet part of bench-results.json: the runs, the floors and speed-ups, the target."""
    good = [record for record in records if record['ok']]
    table = floors(good, cores)
    at_ten = next((row for row in table if row['forks'] == 10), None)
    return {
        'settings': settings,
        'cores': cores,
        'runs': records,
        'floors': table,
        'speed_up_target': SPEED_UP_TARGET,
        'speed_up_at_10': at_ten['speed_up'] if at_ten else None,
        'target_met': at_ten['speed_up'] >= SPEED_UP_TARGET if at_ten else None,
    }


# Issue 15: forks 10 at least 6 times as fast as forks 1.
SPEED_UP_TARGET = 6.0
