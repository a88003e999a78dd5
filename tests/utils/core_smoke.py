"""make test's smoke of one ansible-core: what the collection's controller side touches, on the emulators.

Every ansible-core that meta/runtime.yml admits gets this run (the core-* legs), with the Python a
plain `pip install ansible-core` picks for it. It seeds the emulators, then runs with that core's
ansible-playbook, in one run (one start of the core; each playbook's part of the output checked on its own):

- tests/smoke/smoke.yml: each copy module once, and the dr_copy role on ECS and ENS with report
  files, a restore drill and (on ECS) a copy that differs from what the role asks, taken with a
  warning.
- playbooks/dr_fleet.yml over the two scopes of tests/smoke/fleet.yml (AWS and CBS, the role with a
  restore drill).

In each first run, only the collection's own tasks (the copy modules', dr_sync's) may report a change: every
other task (ansible-core's modules and actions, the role's and dr_fleet.yml's changed_when) must say ok on that
core. With --runs 2, each playbook runs a second time, with every copy in place, and must change nothing. What
that second run adds is the collection's own finding of its copies, from the same arguments the first run shows
the core passes and with the core's tasks held unchanged by the first run, which the integration targets' reruns
prove on the oldest core: make test runs each playbook once (the Makefile's SMOKE_RERUN_CORES).

Every run must end green, print no deprecation warning, no error and no traceback, print each role run's report
as plain text (its title, its summary with units, its files), and the report files must hold what the runs did.
While each role run works it must print progress lines (live progress, at verbosity 0 as the smoke asks), and the
fleet one line for all its scopes, seen in the output before the run ends. Run it under
tests/utils/with_emulators.py, which passes the emulators' addresses and keys in SNAPCOPY_TEST_* variables:

  python tests/utils/with_emulators.py -- python tests/utils/core_smoke.py --ansible-bin VENV/bin --core 2.19 --work DIR [--runs 2]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

import boto3
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for fakecloud
sys.path.insert(0, os.path.join(ROOT, 'build', 'collections'))  # the collection (make collection-link)

# pylint: disable=wrong-import-position
from fakecloud.testing import AdminClient

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import REPORT_KEYS

SMOKE = os.path.join(ROOT, 'tests', 'smoke')
EMULATOR_KEYS = (
    'aws_endpoint_url',
    'aws_access_key',
    'aws_secret_key',
    'fakecloud_url',
    'alicloud_access_key',
    'alicloud_secret_key',
    'tencent_secret_id',
    'tencent_secret_key',
)
SOURCE_REGIONS = {'aws': 'us-east-1', 'ecs': 'cn-hangzhou', 'ens': 'cn-hangzhou-26', 'cbs': 'ap-guangzhou'}
SMOKE_DISKS = 2
# The report files the runs write, with the number of disks each looks after; the ECS run meets a differing copy.
ROLE_REPORTS = {'ecs-cn-hangzhou': SMOKE_DISKS, 'ens-cn-hangzhou-26': SMOKE_DISKS}
FLEET_REPORTS = {'smoke-aws-us-east-1': 1, 'smoke-cbs-ap-guangzhou': 1}
WARNED = 'ecs-cn-hangzhou'
# What no run may print, on any core.
FORBIDDEN = {
    'a deprecation warning': re.compile(r'\[DEPRECATION WARNING\]'),
    'an error': re.compile(r'^\[ERROR\]|^ERROR!', re.MULTILINE),
    'a traceback': re.compile(r'Traceback \(most recent call last\)'),
}
RECAP = re.compile(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)
TASK_BANNER = re.compile(r'^TASK \[(.*)\] \*+$')


class SmokeFailure(Exception):
    pass


def emulators():
    config = {key: os.environ.get('SNAPCOPY_TEST_' + key.upper()) for key in EMULATOR_KEYS}
    missing = [key for key, value in config.items() if not value]
    if missing:
        raise SmokeFailure('run me under tests/utils/with_emulators.py (no %s)' % ', '.join(missing))
    return config


def seed_aws(config):
    """In us-east-1: an untagged volume (the copy module copies its snapshot) and one tagged fleet=smoke."""
    ec2 = boto3.client(
        'ec2',
        region_name='us-east-1',
        endpoint_url=config['aws_endpoint_url'],
        aws_access_key_id=config['aws_access_key'],
        aws_secret_access_key=config['aws_secret_key'],
    )
    snapshots = []
    for index, selector in enumerate([{'app': 'web'}, {'fleet': 'smoke'}]):
        tags = dict(selector, Name='smoke-%d' % index)
        volume = ec2.create_volume(
            Size=8,
            AvailabilityZone='us-east-1a',
            TagSpecifications=[
                {'ResourceType': 'volume', 'Tags': [{'Key': key, 'Value': value} for key, value in tags.items()]}
            ],
        )
        snapshots.append(ec2.create_snapshot(VolumeId=volume['VolumeId'])['SnapshotId'])
    return {'untagged_source': snapshots[0]}


def seed_fakecloud(config):
    """ECS and ENS: two disks tagged smoke=yes (the ECS copy module copies the first one's snapshot, which the role then
    finds as differing) and an untagged one; CBS: an untagged disk and a fleet disk."""
    admin = AdminClient(config['fakecloud_url'])
    sources = {}
    for cloud in ('ecs', 'ens', 'cbs'):
        region = SOURCE_REGIONS[cloud]

        def disk(name, tags, region=region):
            return {'region': region, 'name': name, 'size': 20, 'tags': tags, 'snapshots': [{'age_seconds': 3600}]}

        seeded = {}
        if cloud in ('ecs', 'ens'):
            for index in range(SMOKE_DISKS):
                seeded.setdefault(
                    'smoke', admin.seed({cloud: {'disks': [disk('smoke-%d' % index, {'smoke': 'yes'})]}})[cloud]
                )
        else:
            admin.seed({cloud: {'disks': [disk('fleet-0', {'fleet': 'smoke'})]}})
        untagged = admin.seed({cloud: {'disks': [disk('untagged', {'app': 'web'})]}})[cloud]
        sources[cloud] = {'untagged_source': untagged['snapshots'][0]}
        if 'smoke' in seeded:
            sources[cloud]['differing_source'] = seeded['smoke']['snapshots'][0]
    return sources


def run_playbook(ansible_bin, arguments, log_path):
    """ansible-playbook with ``arguments``; answers its output, and when each line came (seconds since the start: [(time,
    line)]), after checking it for what no run may print."""
    command = [os.path.join(ansible_bin, 'ansible-playbook'), *arguments]
    started = time.monotonic()
    timed_lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT) as process:
        for line in process.stdout:
            timed_lines.append((time.monotonic() - started, line))
    output = ''.join(line for dummy, line in timed_lines)
    with open(log_path, 'w', encoding='utf-8') as log:
        log.write('$ %s\n%s' % (' '.join(command), ''.join('%7.2f %s' % item for item in timed_lines)))
    if process.returncode != 0:
        raise SmokeFailure('%s ended with exit code %d:\n%s' % (' '.join(command), process.returncode, output[-6000:]))
    for what, pattern in FORBIDDEN.items():
        match = pattern.search(output)
        if match:
            line = output[output.rfind('\n', 0, match.start()) + 1 : output.find('\n', match.end())]
            raise SmokeFailure('%s printed %s (%s): %s' % (os.path.basename(log_path), what, log_path, line))
    return output, timed_lines


def first_time(timed_lines, pattern, after=0.0):
    """When the first line matching ``pattern`` came, from ``after`` on (None if none did)."""
    return next((when for when, line in timed_lines if when >= after and re.search(pattern, line)), None)


def check_live_progress(timed_lines, name):
    """The DR run ``name`` (provider-source region) printed a progress line while it worked: at least half a second
    before its report, which the action prints once the module has ended."""
    provider, source_region = name.split('-', 1)
    title = r'%s %s' % (re.escape(provider), re.escape(source_region))
    report = first_time(timed_lines, r'^DR copies of %s -> ' % title)
    progress = first_time(timed_lines, r'^progress \[localhost\] %s, \d+ s, \w' % title)
    if report is None or progress is None or progress > report - 0.5:
        raise SmokeFailure(
            'the %s run showed no progress line while it worked (a progress line at %s s, the report at %s s)'
            % (name, progress, report)
        )


def check_fleet_progress(timed_lines, scopes):
    """The fleet printed one progress line for all its scopes while they ran (before its next task began), and no
    scope printed lines of its own."""
    recorded = first_time(timed_lines, r'^TASK \[Gather the scope')
    running = first_time(timed_lines, r'^fleet progress - \d+ of %d scopes done, \d+ failed, [1-9]\d* running' % scopes)
    if recorded is None or running is None or running > recorded - 0.5:
        raise SmokeFailure(
            'the fleet showed no progress line while its scopes ran (at %s s, its next task at %s s)'
            % (running, recorded)
        )
    if first_time(timed_lines, r'^progress \[') is not None:
        raise SmokeFailure('a scope of the fleet printed its own progress lines at verbosity 0')


def collection_task_names():
    """The names, as ansible-playbook prints them, of the tasks of the smoke's playbooks that run a module or action of
    this collection (the copy modules' tasks of tests/smoke/smoke.yml, the dr_copy role's dr_sync, dr_fleet.yml's
    dr_posture_info): the only tasks a run may report changed."""
    names = set()

    def walk(tasks, prefix):
        for task in tasks or []:
            for key in ('block', 'rescue', 'always'):
                walk(task.get(key), prefix)
            if 'name' in task and any(key.startswith('snapcopy.cloud.') for key in task):
                names.add(prefix + task['name'])

    for path, prefix in (
        (os.path.join(SMOKE, 'smoke.yml'), ''),
        (os.path.join(ROOT, 'playbooks', 'dr_fleet.yml'), ''),
        (os.path.join(ROOT, 'roles', 'dr_copy', 'tasks', 'main.yml'), 'snapcopy.cloud.dr_copy : '),
    ):
        with open(path, encoding='utf-8') as stream:
            document = yaml.safe_load(stream)
        for item in document:
            if 'hosts' in item:
                walk(item.get('tasks'), prefix)
            else:
                walk([item], prefix)
    return names


def check_only_the_collection_changed(output, name):
    """Every task that reported a change in ``output`` runs a module or action of this collection: the core's own
    tasks (and those whose changed_when says false) said ok."""
    allowed = collection_task_names()
    task = None
    for line in output.splitlines():
        banner = TASK_BANNER.match(line)
        if banner:
            task = banner.group(1)
        elif line.startswith('changed: [') and task not in allowed:
            raise SmokeFailure('%s: the task %r, none of the collection\'s, reported a change' % (name, task))


def recap(output):
    """{host: changed} from the play recap; every host must have failed=0 and unreachable=0."""
    hosts = {}
    for host, changed, unreachable, failed in RECAP.findall(output):
        if int(unreachable) or int(failed):
            raise SmokeFailure('%s: unreachable=%s failed=%s' % (host, unreachable, failed))
        hosts[host] = int(changed)
    if not hosts:
        raise SmokeFailure('no play recap in the output')
    return hosts


def read_json(path):
    with open(path, encoding='utf-8') as stream:
        return json.load(stream)


def check_reports(report_dir, reports, rerun):
    """The role's report files: plain JSON with the run's own data; every disk has its DR copy, restored once."""
    for name, disks in reports.items():
        report = read_json(os.path.join(report_dir, 'dr-report-%s.json' % name))
        # The file adds run_state (plugins/plugin_utils/_run_reports.py) to the run's own keys.
        unexpected = sorted(set(report) - set(REPORT_KEYS) - {'run_state'})
        if unexpected:
            raise SmokeFailure('the %s report holds keys that are not the run\'s own: %s' % (name, unexpected))
        totals = report['totals']
        if totals['disks'] != disks or totals['without_dr_copy'] or report['failures']:
            raise SmokeFailure('the %s report: %s, failures %s' % (name, totals, report['failures']))
        if rerun and totals['copied']:
            raise SmokeFailure('the %s rerun copied again: %s' % (name, totals))
        if report['restore']['totals']['passed'] != 1:
            raise SmokeFailure('the %s restore drill: %s' % (name, report['restore']['totals']))
        if not os.path.exists(os.path.join(report_dir, 'dr-report-%s.html' % name)):
            raise SmokeFailure('the %s run wrote no posture page' % name)
        warned = [text for text in report['run_warnings'] if 'on_mismatch: warn' in text]
        if (name == WARNED) != bool(warned) or not all(isinstance(text, str) for text in report['run_warnings']):
            raise SmokeFailure('the %s report\'s run_warnings: %r' % (name, report['run_warnings']))


def check_text_reports(output, names, report_dir):
    """Each run of the role printed its report as plain text (dr_sync's show_report, from a worker of this core):
    the title, the summary with its units, and the report files."""
    for name in names:
        provider, source_region = name.split('-', 1)
        title = re.search(
            r'^DR copies of %s %s -> .*$' % (re.escape(provider), re.escape(source_region)), output, re.MULTILINE
        )
        files = 'Report files: %s' % os.path.join(report_dir, 'dr-report-%s.json' % name)
        if title is None or files not in output:
            raise SmokeFailure('the %s run printed no plain-text report (its title, or %r)' % (name, files))
        summary = output[title.end() :].lstrip('\n').splitlines()[0]
        # The scope's status (the model's: PROTECTED, AT RISK, NOT KNOWN, NOTHING TO PROTECT, WOULD BE PROTECTED), then its
        # disks, what else the model says (the disks of the region it does not cover, copies in flight), and the run's
        # copies.
        if not re.match(
            r'\s+(PROTECTED|AT RISK|NOT KNOWN|NOTHING TO PROTECT|WOULD BE PROTECTED): \d+ disks?; '
            r'\d+ disks? without a DR copy(; [^;]+)*?; '
            r'copies: \d+ made, \d+ already there',
            summary,
        ):
            raise SmokeFailure('the %s run\'s summary line: %r' % (name, summary))


def core_version(ansible_bin):
    """The ansible-core release installed in the venv of ``ansible_bin``, read from its package metadata (no process)."""
    found = glob.glob(
        os.path.join(ansible_bin, os.pardir, 'lib', 'python3*', 'site-packages', 'ansible_core-*.dist-info')
    )
    if len(found) != 1:
        raise SmokeFailure('%s: not one ansible-core in its venv (%s)' % (ansible_bin, found))
    return os.path.basename(found[0])[len('ansible_core-') : -len('.dist-info')]


def fleet_play_banner():
    """The banner ansible-playbook prints when dr_fleet.yml's play starts: where the fleet's part of a run's output
    begins."""
    with open(os.path.join(ROOT, 'playbooks', 'dr_fleet.yml'), encoding='utf-8') as stream:
        (play,) = yaml.safe_load(stream)
    return re.compile(r'^PLAY \[%s\] \*+$' % re.escape(play['name']))


def split_at_fleet(timed_lines):
    """The run's timed lines before dr_fleet.yml's play and from it on."""
    banner = fleet_play_banner()
    start = next((index for index, (dummy, line) in enumerate(timed_lines) if banner.match(line)), None)
    if start is None:
        raise SmokeFailure('the run never started dr_fleet.yml\'s play')
    return timed_lines[:start], timed_lines[start:]


def check_smoke_part(number, timed_lines, changed, report_dir):
    """tests/smoke/smoke.yml's part of run ``number``: the copy modules and the role on ECS and ENS."""
    output = ''.join(line for dummy, line in timed_lines)
    if (number == 1) != bool(changed):
        raise SmokeFailure('run %d of smoke.yml: changed=%d' % (number, changed))
    # A core may wrap a long warning over lines (2.18 does): read it as one.
    if not re.search(r'\[WARNING\]: [^[]*?on_mismatch: warn', ' '.join(output.split())):
        raise SmokeFailure('run %d of smoke.yml showed no warning for the differing ECS copy' % number)
    check_reports(report_dir, ROLE_REPORTS, rerun=number == 2)
    check_text_reports(output, ROLE_REPORTS, report_dir)
    for name in ROLE_REPORTS:
        check_live_progress(timed_lines, name)
    print(
        'smoke.yml, run %d: changed=%d, reports of %s checked' % (number, changed, ', '.join(ROLE_REPORTS)),
        flush=True,
    )


def check_fleet_part(number, timed_lines, hosts, report_dir):
    """playbooks/dr_fleet.yml's part of run ``number``: the fleet of tests/smoke/fleet.yml's two scopes."""
    if len(hosts) != 2 or (number == 1) != any(hosts.values()) or (number == 2 and any(hosts.values())):
        raise SmokeFailure('run %d of dr_fleet: %s' % (number, hosts))
    (fleet_file,) = glob.glob(os.path.join(report_dir, 'dr-fleet-report*.json'))
    # The fleet's posture page, made by this core's templating (the dr_fleet_html filter).
    fleet_page = fleet_file[: -len('.json')] + '.html'
    with open(fleet_page, encoding='utf-8') as stream:
        page = stream.read()
    if not all('data-scope="%s"' % scope in page for scope in FLEET_REPORTS):
        raise SmokeFailure('the fleet posture page lacks a scope: %s' % fleet_page)
    fleet = read_json(fleet_file)
    failed = [scope['scope'] for scope in fleet['scopes'] if scope['run'] != 'finished']
    if len(fleet['scopes']) != 2 or failed:
        raise SmokeFailure('the fleet report: %d scopes, failed %s' % (len(fleet['scopes']), failed))
    check_reports(report_dir, FLEET_REPORTS, rerun=number == 2)
    check_fleet_progress(timed_lines, len(FLEET_REPORTS))
    print(
        'dr_fleet, run %d: %s' % (number, ', '.join('%s changed=%d' % item for item in sorted(hosts.items()))),
        flush=True,
    )


def smoke(args):
    config = emulators()
    release = core_version(args.ansible_bin)
    version = 'ansible-core %s' % release
    if not release.startswith(args.core + '.'):
        raise SmokeFailure('asked for ansible-core %s, %s has %s' % (args.core, args.ansible_bin, version))
    print('== smoke of %s' % version, flush=True)
    os.makedirs(args.work, exist_ok=True)
    report_dir = os.path.join(args.work, 'reports')
    extra_vars = os.path.join(args.work, 'smoke-vars.json')
    with open(extra_vars, 'w', encoding='utf-8') as stream:
        json.dump(
            dict(config, smoke_report_dir=report_dir, smoke=dict(seed_fakecloud(config), aws=seed_aws(config))), stream
        )

    # smoke.yml (on localhost) and then dr_fleet.yml (on fleet.yml's scopes) in one ansible-playbook: one start of the
    # core and one build of each module's payload for both, where two runs made them twice. Each playbook's part of
    # the output and its hosts are checked as when each ran alone.
    for number in range(1, args.runs + 1):
        output, timed_lines = run_playbook(
            args.ansible_bin,
            [
                '-i',
                'localhost,',
                '-i',
                os.path.join(SMOKE, 'fleet.yml'),
                os.path.join(SMOKE, 'smoke.yml'),
                os.path.join(ROOT, 'playbooks', 'dr_fleet.yml'),
                '-e',
                '@' + extra_vars,
            ],
            os.path.join(args.work, 'smoke-%d.log' % number),
        )
        hosts = recap(output)
        check_only_the_collection_changed(output, 'run %d' % number)
        smoke_lines, fleet_lines = split_at_fleet(timed_lines)
        if 'localhost' not in hosts:
            raise SmokeFailure('run %d: smoke.yml\'s host localhost is not in the recap: %s' % (number, hosts))
        check_smoke_part(number, smoke_lines, hosts.pop('localhost'), report_dir)
        check_fleet_part(number, fleet_lines, hosts, report_dir)
    print(
        '== the smoke of %s passed: no deprecation warning, no error, only the collection\'s tasks changed%s'
        % (version, ', reruns changed nothing' if args.runs > 1 else ''),
        flush=True,
    )


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--ansible-bin', required=True, help='the bin folder of the venv with the ansible-core to smoke'
    )
    parser.add_argument('--core', required=True, help='the ansible-core release it must be (2.19, ...)')
    parser.add_argument('--work', required=True, help='a folder for the logs and report files')
    parser.add_argument(
        '--runs',
        type=int,
        choices=(1, 2),
        default=2,
        help='runs of each playbook: with 2, the second must change nothing (make test runs each once)',
    )
    args = parser.parse_args(argv)
    try:
        smoke(args)
    except SmokeFailure as failure:
        print('FAIL: smoke of ansible-core %s: %s' % (args.core, failure), flush=True)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
