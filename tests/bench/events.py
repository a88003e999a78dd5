"""Part e of make bench: event-driven DR (docs/events.md), the rulebook extensions/eda/rulebooks/dr_on_snapshot.yml run
by ansible-rulebook (.venv-eda) on the bench's emulators, one cloud after another, each alone on the machine.

On each cloud: N tagged disks (200); the event source polls every 30 s. Over a minute the N disks' snapshots complete
(moto: one created every 60/N s; fakecloud: seeded together, each completing at its own time within the minute). Half
way through the burst the rulebook is killed (SIGKILL, its runs with it) and started again with the same state file.
Measured: for each snapshot, the time from its completion to its copy being accepted (the copy's start time, as the DR
region lists it): p50, p95, max; snapshots without a copy (missed) and with more than one (duplicates); the playbook
runs; and the calls of one poll of the source over the N disks and their snapshots once the burst is over (read from the
emulator's counters, the source run alone). On AWS a second run takes the push way: each snapshot's "EBS Snapshot
Notification", as EventBridge would route it, is sent to an SQS queue on moto as the snapshot completes, and the source
reads the queue.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import yaml
from stacks import REGIONS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_EDA = os.path.join(ROOT, '.venv-eda')
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
sys.path.insert(0, COLLECTIONS)

# pylint: disable-next=wrong-import-position  # after the path above
from ansible_collections.snapcopy.cloud.plugins.module_utils.events.source import run_source  # noqa: E402

SELECTOR = {'eda': 'bench'}
BURST_SECONDS = 60
POLL_INTERVAL = 30
# Generous: a run ends once every snapshot has its copy; this only stops a run that never will.
DRAIN_DEADLINE = 900
TARGET_P95_S = 60


def _percentile(values, share):
    """The nearest-rank percentile: the smallest value with at least ``share`` of the sample at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _epoch(text):
    if isinstance(text, datetime.datetime):
        value = text
    else:
        value = datetime.datetime.fromisoformat(str(text).replace('Z', '+00:00'))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


class EventsLane:
    """Part e on one stack per cloud kind; logs and files under ``work``."""

    def __init__(self, work, disks, progress, copy_poll_interval):
        """``copy_poll_interval``: the role's dr_copy_poll_interval, compressed with the bench's copy times (runs.py):
        how often a run reads its copies in flight while it waits for a free slot (AWS's 20 copies per region)."""
        self.work = work
        self.disks = disks
        self.progress = progress
        self.copy_poll_interval = copy_poll_interval
        os.makedirs(work, exist_ok=True)

    # ---------------------------------------------------------------- the clouds
    def _aws_client(self, stack, region):
        import botocore.session  # pylint: disable=import-outside-toplevel

        session = botocore.session.Session()
        connection = stack.direct_connection()
        session.set_credentials(connection['access_key'], connection['secret_key'])
        return session.create_client('ec2', region_name=region, endpoint_url=connection['endpoint_url'])

    def seed_disks(self, stack, provider):
        source = REGIONS[provider][0]
        if provider == 'aws':
            client = self._aws_client(stack, source)
            return [
                client.create_volume(
                    Size=8,
                    AvailabilityZone=source + 'a',
                    TagSpecifications=[
                        {
                            'ResourceType': 'volume',
                            'Tags': [{'Key': key, 'Value': value} for key, value in SELECTOR.items()],
                        }
                    ],
                )['VolumeId']
                for dummy in range(self.disks)
            ]
        disks = [{'region': source, 'size': 40, 'tags': dict(SELECTOR)} for dummy in range(self.disks)]
        return stack.admin.seed({provider: {'disks': disks}})[provider]['disks']

    def _sqs_client(self, stack, region):
        import botocore.session  # pylint: disable=import-outside-toplevel

        session = botocore.session.Session()
        connection = stack.direct_connection()
        session.set_credentials(connection['access_key'], connection['secret_key'])
        return session.create_client('sqs', region_name=region, endpoint_url=connection['endpoint_url'])

    def burst(self, stack, provider, disks, queue_url=None):
        """The snapshots complete over BURST_SECONDS; answers {snapshot id: completion time (epoch s)} once all are
        started. With ``queue_url`` (AWS), each one's EventBridge event goes to that queue as it completes."""
        source = REGIONS[provider][0]
        step = BURST_SECONDS / float(len(disks))
        if provider != 'aws':
            started = time.time()
            specs = [
                {'disk_id': disk, 'region': source, 'status': 'progressing', 'seconds': round(index * step, 3)}
                for index, disk in enumerate(disks)
            ]
            made = stack.admin.seed({provider: {'snapshots': specs}})[provider]['snapshots']
            return {snapshot: started + index * step for index, snapshot in enumerate(made)}
        client = self._aws_client(stack, source)
        sqs = self._sqs_client(stack, source) if queue_url else None
        completed = {}
        begin = time.monotonic()
        for index, disk in enumerate(disks):
            pause = begin + index * step - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            answer = client.create_snapshot(VolumeId=disk)  # moto completes it at once
            completed[answer['SnapshotId']] = _epoch(answer['StartTime'])
            if sqs is not None:
                sqs.send_message(
                    QueueUrl=queue_url, MessageBody=ebs_event(answer['SnapshotId'], disk, source, answer['StartTime'])
                )
        return completed

    def copies(self, stack, provider):
        """{source snapshot id: [copy start times (epoch s)]} in the DR region."""
        source, destination = REGIONS[provider]
        found = {}
        if provider == 'aws':
            client = self._aws_client(stack, destination)
            for page in client.get_paginator('describe_snapshots').paginate(OwnerIds=['self']):
                for snapshot in page['Snapshots']:
                    tag = {item['Key']: item['Value'] for item in snapshot.get('Tags', [])}.get('snapcopy:source', '')
                    if tag.startswith(source + '/'):
                        found.setdefault(tag.split('/', 1)[1], []).append(_epoch(snapshot['StartTime']))
            return found
        state = stack.admin.state(cloud=provider, region=destination)[provider].get(destination, {})
        for snapshot in state.get('snapshots', []):
            if snapshot.get('source_snapshot_id'):
                found.setdefault(snapshot['source_snapshot_id'], []).append(_epoch(snapshot['created']))
        return found

    # ---------------------------------------------------------------- the source and the rulebook
    def source_args(self, stack, provider, state_file, queue_url=None):
        args = dict(
            {
                'provider': provider,
                'region': REGIONS[provider][0],
                'tag_selector': SELECTOR,
                'poll_interval': POLL_INTERVAL,
                'state_file': state_file,
            },
            **stack.connection(provider),
        )
        if queue_url:
            args['queue_url'] = queue_url
        return args

    def calls_per_poll(self, stack, provider):
        """The calls of one poll over the seeded disks: the source alone, counted by the emulator."""
        stack.forget_calls(provider)
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(
                run_source(
                    asyncio.Queue(), self.source_args(stack, provider, os.path.join(folder, 'state.json')), polls=1
                )
            )
        return {action: counts['calls'] for action, counts in stack.calls(provider)[0].items()}

    def write_files(self, stack, provider, folder, state_file, queue_url=None):
        args = self.source_args(stack, provider, state_file, queue_url)
        connection = stack.connection(provider)
        variables = {
            'snapcopy_provider': provider,
            'snapcopy_region': args['region'],
            'snapcopy_tag_selector': SELECTOR,
            'snapcopy_poll_interval': POLL_INTERVAL,
            'snapcopy_state_file': state_file,
            'snapcopy_endpoint_url': connection['endpoint_url'],
            'snapcopy_queue_url': queue_url or '',
        }
        variables.update({'snapcopy_' + key: value for key, value in connection.items() if key != 'endpoint_url'})
        with open(os.path.join(folder, 'vars.yml'), 'w', encoding='utf-8') as stream:
            yaml.safe_dump(variables, stream)
        inventory = {
            'all': {
                'hosts': {
                    'localhost': {
                        'ansible_connection': 'local',
                        'ansible_python_interpreter': os.path.join(VENV_EDA, 'bin', 'python'),
                        'dr_copy_dr_regions': [REGIONS[provider][1]],
                        'dr_copy_connection': connection,
                        'dr_copy_show_report': False,
                        'dr_copy_poll_interval': self.copy_poll_interval,
                        'dr_copy_report_dir': os.path.join(folder, 'reports'),
                        'dr_copy_show_progress': False,
                        'dr_copy_report_history': 0,
                    }
                }
            }
        }
        with open(os.path.join(folder, 'inventory.yml'), 'w', encoding='utf-8') as stream:
            yaml.safe_dump(inventory, stream)

    def start_rulebook(self, folder, life):
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
            ANSIBLE_NOCOLOR='1',
            PATH=os.path.join(VENV_EDA, 'bin') + os.pathsep + os.environ['PATH'],
        )
        with open(os.path.join(folder, 'rulebook-%d.log' % life), 'wb') as log:
            return subprocess.Popen(  # pylint: disable=consider-using-with  # ended by stop_rulebook
                [
                    os.path.join(VENV_EDA, 'bin', 'ansible-rulebook'),
                    '--rulebook',
                    'snapcopy.cloud.dr_on_snapshot',
                    '-i',
                    os.path.join(folder, 'inventory.yml'),
                    '--vars',
                    os.path.join(folder, 'vars.yml'),
                ],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @staticmethod
    def stop_rulebook(process, sig=signal.SIGKILL):
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=120)

    @staticmethod
    def runs(folder, lives):
        text = ''
        for life in range(1, lives + 1):
            with open(os.path.join(folder, 'rulebook-%d.log' % life), encoding='utf-8', errors='replace') as stream:
                text += stream.read()
        return text.count('PLAY [DR copies of the disks whose snapshots completed]'), text.count('PLAY RECAP'), text

    # ---------------------------------------------------------------- one cloud
    def measure(self, stack, provider, push=False):
        """One cloud's run; ``push`` (AWS): the source reads an SQS queue that the burst fills as EventBridge would."""
        label = provider + ('-sqs' if push else '')
        folder = os.path.join(self.work, label)
        os.makedirs(folder, exist_ok=True)
        state_file = os.path.join(folder, 'state.json')
        if os.path.exists(state_file):
            os.unlink(state_file)
        stack.reset(provider)
        disks = self.seed_disks(stack, provider)
        queue_url = None
        if push:
            queue_url = self._sqs_client(stack, REGIONS[provider][0]).create_queue(QueueName='snapcopy-bench-events')[
                'QueueUrl'
            ]
        self.write_files(stack, provider, folder, state_file, queue_url)
        process = self.start_rulebook(folder, 1)
        record = {
            'kind': 'events',
            'provider': provider,
            'label': label,
            'push': push,
            'disks': len(disks),
            'poll_interval_s': POLL_INTERVAL,
            'burst_s': BURST_SECONDS,
            'log': os.path.relpath(folder, ROOT),
        }
        try:
            deadline = time.monotonic() + 300
            while not os.path.exists(state_file):  # the first poll: what has completed is taken as given
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError('the rulebook of %s made no first poll (see %s)' % (provider, folder))
                time.sleep(0.5)
            burst_started = time.monotonic()
            completed = {}
            burst = threading.Thread(target=lambda: completed.update(self.burst(stack, provider, disks, queue_url)))
            burst.start()
            # Killed half way through the burst, and started again at once with the same state file.
            time.sleep(max(0.0, burst_started + BURST_SECONDS / 2.0 - time.monotonic()))
            self.stop_rulebook(process)
            killed_at = round(time.monotonic() - burst_started, 1)
            process = self.start_rulebook(folder, 2)
            burst.join()
            deadline = time.monotonic() + DRAIN_DEADLINE
            while True:
                found = self.copies(stack, provider)
                # Runs of this life: one the kill cut short never ends.
                started, ended = self.runs(folder, 2)[:2]
                started_before, ended_before = self.runs(folder, 1)[:2]
                if set(completed) <= set(found) and started - started_before == ended - ended_before:
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    break
                time.sleep(2)
            drained_s = round(time.monotonic() - burst_started, 1)
        finally:
            self.stop_rulebook(process, signal.SIGTERM)
        found = self.copies(stack, provider)
        # One poll over the disks and their snapshots as the burst left them (the source alone, the rulebook stopped).
        record['calls_per_poll'] = {} if push else self.calls_per_poll(stack, provider)
        latencies = [min(found[snapshot]) - completed[snapshot] for snapshot in completed if snapshot in found]
        started, ended, text = self.runs(folder, 2)
        record.update(
            {
                'snapshots': len(completed),
                'killed_at_s': killed_at,
                'drained_s': drained_s,
                'missed': sorted(set(completed) - set(found)),
                'duplicates': sorted(snapshot for snapshot in completed if len(found.get(snapshot, ())) > 1),
                'runs': started,
                'runs_ended': ended,
                'failed_runs': text.count('failed=1'),
                'latency_p50_s': _round(_percentile(latencies, 0.50)),
                'latency_p95_s': _round(_percentile(latencies, 0.95)),
                'latency_max_s': _round(max(latencies) if latencies else None),
            }
        )
        record['ok'] = (
            not record['missed']
            and not record['duplicates']
            and record['failed_runs'] == 0
            and record['latency_p95_s'] is not None
        )
        record['meets_target'] = record['ok'] and record['latency_p95_s'] <= TARGET_P95_S
        with open(os.path.join(folder, 'record.json'), 'w', encoding='utf-8') as stream:
            json.dump(record, stream, indent=1)
        return record


def _round(value):
    return None if value is None else round(value, 1)


def ebs_event(snapshot_id, volume_id, region, completed):
    """The message EventBridge puts on the queue for a snapshot that completed (an "EBS Snapshot Notification")."""
    when = completed.strftime('%Y-%m-%dT%H:%M:%SZ') if isinstance(completed, datetime.datetime) else str(completed)
    return json.dumps(
        {
            'version': '0',
            'detail-type': 'EBS Snapshot Notification',
            'source': 'aws.ec2',
            'region': region,
            'time': when,
            'resources': ['arn:aws:ec2:%s::snapshot/%s' % (region, snapshot_id)],
            'detail': {
                'event': 'createSnapshot',
                'result': 'succeeded',
                'cause': '',
                'snapshot_id': 'arn:aws:ec2:%s::snapshot/%s' % (region, snapshot_id),
                'source': 'arn:aws:ec2:%s::volume/%s' % (region, volume_id),
                'startTime': when,
                'endTime': when,
            },
        }
    )


def summarize(records):
    return {record.get('label', record['provider']): record for record in records}


def table(summary):
    lines = [
        '### e. Events: %d snapshots completing over %d s per cloud, the source polling every %d s, the rulebook killed and '
        'restarted half way' % (next(iter(summary.values()))['disks'] if summary else 0, BURST_SECONDS, POLL_INTERVAL),
        '',
        '| cloud | snapshots | completed -> copy accepted: p50 / p95 / max (s) | p95 <= %d s | missed | duplicates | runs | '
        'calls per poll |' % TARGET_P95_S,
        '|---|---|---|---|---|---|---|---|',
    ]
    for name, entry in summary.items():
        calls = ', '.join('%s %d' % item for item in sorted(entry['calls_per_poll'].items())) or '- (SQS)'
        lines.append(
            '| %s | %d | %s / %s / %s | %s | %d | %d | %d | %s |'
            % (
                name.replace('-sqs', ' (SQS)'),
                entry['snapshots'],
                entry['latency_p50_s'],
                entry['latency_p95_s'],
                entry['latency_max_s'],
                'yes' if entry['meets_target'] else 'no',
                len(entry['missed']),
                len(entry['duplicates']),
                entry['runs'],
                calls,
            )
        )
    return [*lines, '']
