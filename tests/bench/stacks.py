"""The emulators a bench lane runs against: moto's server behind tests/bench/aws_proxy.py, or fakecloud.

Each stack is started on free loopback ports, seeded with N tagged disks that each have one
completed snapshot, reset between runs, and asked for the API calls of the last run by action.
The bench starts several stacks so that independent lanes do not share limits or counters.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, 'utils'))
sys.path.insert(0, TESTS)

# pylint: disable=wrong-import-position  # after the paths above
import with_emulators
from fakecloud import credentials as fakecloud_credentials
from fakecloud.testing import FakeCloudProcess

# Where each provider's disks live and where their copies go (one DR region each, see docs/performance.md).
REGIONS = {
    'aws': ('us-east-1', 'us-west-2'),
    'ecs': ('cn-hangzhou', 'cn-shanghai'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc'),
    'cbs': ('ap-guangzhou', 'ap-shanghai'),
}
TAG_SELECTOR = {'dr': 'yes'}
SEED_THREADS = 8
# No proxy for the emulators, whatever the environment says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(url, payload=None):
    data = json.dumps(payload).encode('utf-8') if payload is not None else None
    request = urllib.request.Request(
        url, data=data, method='POST' if data is not None else 'GET', headers={'Content-Type': 'application/json'}
    )
    with OPENER.open(request, timeout=120) as answer:
        body = answer.read()
    return json.loads(body) if body.strip() else {}


class AwsStack:
    """moto's server and, in front of it, the proxy that adds copy time, the in-flight limit and latency."""

    provider_names = ('aws',)

    def __init__(self, log, latency_ms=20, copy_seconds=5, max_in_flight=20):
        self.moto, self.moto_url = with_emulators.start_moto(log)
        self.proxy = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped in stop()
            [
                sys.executable,
                os.path.join(HERE, 'aws_proxy.py'),
                self.moto_url,
                '--latency-ms',
                str(latency_ms),
                '--copy-seconds',
                str(copy_seconds),
                '--max-in-flight',
                str(max_in_flight),
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        line = self.proxy.stdout.readline()
        if not line.startswith('AWS_PROXY_READY '):
            self.stop()
            raise RuntimeError('the AWS proxy did not start: %r' % line)
        self.url = line.split()[1]
        self._client = None

    def connection(self, provider):  # pylint: disable=unused-argument
        return {
            'endpoint_url': self.url,
            'access_key': with_emulators.AWS_ACCESS_KEY,
            'secret_key': with_emulators.AWS_SECRET_KEY,
        }

    def direct_connection(self):
        """moto itself, without the proxy: for the ad hoc runs, which measure our overhead."""
        return {
            'endpoint_url': self.moto_url,
            'access_key': with_emulators.AWS_ACCESS_KEY,
            'secret_key': with_emulators.AWS_SECRET_KEY,
        }

    def client(self):
        """An EC2 client straight to moto, for seeding (not counted, no latency)."""
        if self._client is None:
            import botocore.config  # pylint: disable=import-outside-toplevel
            import botocore.session  # pylint: disable=import-outside-toplevel

            session = botocore.session.Session()
            session.set_credentials(with_emulators.AWS_ACCESS_KEY, with_emulators.AWS_SECRET_KEY)
            config = botocore.config.Config(max_pool_connections=SEED_THREADS * 2)
            self._client = session.create_client(
                'ec2', region_name=REGIONS['aws'][0], endpoint_url=self.moto_url, config=config
            )
        return self._client

    def reset(self, provider):  # pylint: disable=unused-argument
        http_json(self.moto_url + '/moto-api/reset', {})
        http_json(self.url + '/_bench/reset', {})

    def seed(self, provider, count):  # pylint: disable=unused-argument
        """``count`` tagged volumes with one completed snapshot each; returns the snapshot ids in disk order."""
        client = self.client()

        def one(index):
            volume = client.create_volume(
                Size=8,
                AvailabilityZone=REGIONS['aws'][0] + 'a',
                TagSpecifications=[
                    {
                        'ResourceType': 'volume',
                        'Tags': [{'Key': 'dr', 'Value': 'yes'}, {'Key': 'Name', 'Value': 'bench-disk-%d' % index}],
                    }
                ],
            )
            return client.create_snapshot(VolumeId=volume['VolumeId'], Description='bench source')['SnapshotId']

        with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
            return list(pool.map(one, range(count)))

    def calls(self, provider):  # pylint: disable=unused-argument
        """{action: {'calls', 'errors'}} over every region, and the per-region detail."""
        answer = http_json(self.url + '/_bench/calls')
        total = {}
        for actions in answer['calls'].values():
            for action, counts in actions.items():
                entry = total.setdefault(action, {'calls': 0, 'errors': 0})
                entry['calls'] += counts['calls']
                entry['errors'] += counts['errors']
        return total, answer['calls']

    def forget_calls(self, provider):  # pylint: disable=unused-argument
        """Count from now on, keeping moto's state (the proxy also forgets its copies in flight, done by then)."""
        http_json(self.url + '/_bench/reset', {})

    def stop(self):
        with_emulators.stop([process for process in (getattr(self, 'proxy', None), self.moto) if process is not None])


class FakecloudStack:
    """fakecloud (Alibaba ECS and ENS, Tencent CBS and Tag) with the bench's timings, latency and limits."""

    provider_names = ('ecs', 'ens', 'cbs')

    def __init__(self, log):  # pylint: disable=unused-argument  # fakecloud logs nothing by default
        self.process = FakeCloudProcess().start()
        self.url = self.process.url
        self.admin = self.process.admin
        self.faults = {}

    def connection(self, provider):
        if provider == 'cbs':
            return {
                'endpoint_url': self.url,
                'secret_id': fakecloud_credentials.TENCENT_SECRET_ID,
                'secret_key': fakecloud_credentials.TENCENT_SECRET_KEY,
            }
        return {
            'endpoint_url': self.url,
            'alicloud_access_key': fakecloud_credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': fakecloud_credentials.ALIBABA_ACCESS_KEY_SECRET,
        }

    def configure(self, latency_ms, copy_seconds, limits=True):
        """Copy and snapshot times, latency on every call, and each cloud's documented limits."""
        # A disk made from a snapshot (the restore drill's) is usable after the copy time too: minutes for both on a
        # cloud.
        self.admin.configure(
            timings={
                cloud: {'snapshot_seconds': copy_seconds, 'copy_seconds': copy_seconds, 'disk_seconds': copy_seconds}
                for cloud in ('ecs', 'ens', 'cbs')
            }
        )
        self.faults = {
            'seed': 1,
            'rules': [{'cloud': '*', 'action': '*', 'latency_ms': latency_ms}] if latency_ms else [],
        }
        if limits:
            # Alibaba: CopySnapshot 1,000 calls a minute (applied to ENS's CopySnapshot too);
            # Tencent: 20 requests a second per action, for CBS and the Tag service alike.
            self.faults['rate_limits'] = [
                {'cloud': cloud, 'action': 'CopySnapshot', 'limit': 1000, 'per_seconds': 60} for cloud in ('ecs', 'ens')
            ]
            self.faults['tencent_rate_limit'] = 20
        self.admin.faults(self.faults)

    def reset(self, provider):  # pylint: disable=unused-argument
        self.admin.reset(keep_config=True)
        # Setting the faults again empties the rate limits' windows: no run inherits another's calls.
        self.admin.faults(self.faults)

    def seed(self, provider, count):
        region = REGIONS[provider][0]
        disks = [
            {
                'region': region,
                'name': 'bench-disk-%d' % index,
                'size': 40,
                'tags': dict(TAG_SELECTOR),
                'snapshots': [{'status': 'done', 'age_seconds': 3600}],
            }
            for index in range(count)
        ]
        return self.admin.seed({provider: {'disks': disks}})[provider]['snapshots']

    def calls(self, provider):
        """{action: {'calls', 'errors'}} of ``provider`` (CBS includes the Tag service's calls)."""
        report = self.admin.calls()['calls']
        clouds = ('cbs', 'tag') if provider == 'cbs' else (provider,)
        total = {}
        for cloud in clouds:
            for action, counts in report.get(cloud, {}).items():
                name = action if cloud != 'tag' else 'tag:' + action
                total[name] = {'calls': counts['calls'], 'errors': counts['errors']}
        return total, None

    def forget_calls(self, provider):  # pylint: disable=unused-argument
        """Count from now on, keeping the emulator's state."""
        self.admin.calls(reset=True)

    def stop(self):
        self.process.stop()
