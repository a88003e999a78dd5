"""The clouds of the chaos suite: seeding tagged disks, the role's variables, and counting DR copies.

Every count comes from the emulator's own state, never from what the collection reports:
fakecloud's /_admin/state knows each copy's source (``source_snapshot_id``) whatever tags the
copy carries; for AWS, moto's snapshots are listed with boto3 and each copy is matched to its
source by the fault proxy's ledger of the CopySnapshot calls that moto carried out.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for fakecloud

from fakecloud import credentials as fakecloud_credentials  # pylint: disable=wrong-import-position
from fakecloud.testing import AdminClient  # pylint: disable=wrong-import-position

TAG_SELECTOR = {'chaos': 'yes'}
# The tag of the restore drill's test disks (plugins/module_utils/core/tagging.py RESTORE_RUN_TAG): none may be left
# once the time of RESTORE_UNTIL_TAG has passed. Before it, the run that made the disk may still be under way (a killed
# run cannot be told from a live one), and no other run may delete it: those are counted apart, as awaiting their time.
RESTORE_RUN_TAG = 'snapcopy:restore-test'
RESTORE_UNTIL_TAG = 'snapcopy:restore-until'


def clear_report_files(report_dir):
    """Remove the report files a past run left in ``report_dir``, so that what is read next is the next run's.

    The history/ folder of kept reports stays: its copies are named by run and never read as the newest.
    """
    for name in os.listdir(report_dir) if os.path.isdir(report_dir) else []:
        path = os.path.join(report_dir, name)
        if os.path.isfile(path):
            os.remove(path)


def count_test_disks(tag_sets):
    """(left, awaiting): test disks whose run is over and still there, and those whose run may not be over yet."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    tests = [tags for tags in tag_sets if RESTORE_RUN_TAG in tags]
    awaiting = sum(1 for tags in tests if tags.get(RESTORE_UNTIL_TAG, '') > now)
    return len(tests) - awaiting, awaiting


# Every STALE_EVERY-th disk has only snapshots older than the RPO, so the run takes a fresh one first.
STALE_EVERY = 10
RPO_HOURS = 24
FAKECLOUD_REGIONS = {
    'ecs': ('cn-hangzhou', ['cn-shanghai', 'cn-beijing']),
    'ens': ('cn-hangzhou-26', ['cn-beijing-cmcc', 'cn-suzhou-telecom']),
    'cbs': ('ap-guangzhou', ['ap-shanghai', 'ap-singapore']),
}
AWS_REGIONS = ('us-east-1', ['us-west-2', 'eu-west-1'])
# What each cloud answers when it throttles (the fault rules name them, so the figures can too).
THROTTLE_CODES = {
    'aws': 'RequestLimitExceeded',
    'ecs': 'Throttling.User',
    'ens': 'Throttling.User',
    'cbs': 'RequestLimitExceeded',
}


def newest_key(created, snapshot_id):
    """The order in which the DR run picks a disk's newest snapshot: creation time, then id."""
    if isinstance(created, str):
        created = datetime.datetime.fromisoformat(created.replace('Z', '+00:00'))
    return (created, snapshot_id)


def tally_copies(disks_newest, copies_by_region, made_fresh):
    """The figures of one cloud: ``disks_newest`` {disk: newest snapshot id}, ``copies_by_region``
    {region: {copy id: source id}}, ``made_fresh`` {disk: snapshots the runs took of it}."""
    duplicates = missing = copies = 0
    for region, copies_here in copies_by_region.items():
        per_source = {}
        for source in copies_here.values():
            per_source[source] = per_source.get(source, 0) + 1
        copies += len(copies_here)
        duplicates += sum(count - 1 for count in per_source.values() if count > 1)
        missing += sum(1 for newest in disks_newest.values() if per_source.get(newest, 0) == 0)
        del region
    return {
        'disks': len(disks_newest),
        'copies': copies,
        'duplicates': duplicates,
        'missing': missing,
        'fresh_snapshots': sum(made_fresh.values()),
        'fresh_duplicates': sum(count - 1 for count in made_fresh.values() if count > 1),
    }


def seed_ec2_disks(ec2, zone, selector, name, tagged_count, untagged_count):
    """Volumes in ``zone`` through moto: ``tagged_count`` carrying ``selector`` (and a Name) with two
    snapshots each, then ``untagged_count`` without it with one. Returns the tagged volumes' ids and every
    snapshot id made (the seed's, which no copy may be taken for)."""
    disks, seeded = [], set()
    for index in range(tagged_count + untagged_count):
        tagged = index < tagged_count
        tags = dict(selector, Name='%s-%d' % (name, index)) if tagged else {'app': 'web'}
        volume = ec2.create_volume(
            Size=8,
            AvailabilityZone=zone,
            TagSpecifications=[
                {'ResourceType': 'volume', 'Tags': [{'Key': key, 'Value': value} for key, value in tags.items()]}
            ],
        )
        for dummy in range(2 if tagged else 1):
            seeded.add(ec2.create_snapshot(VolumeId=volume['VolumeId'])['SnapshotId'])
        if tagged:
            disks.append(volume['VolumeId'])
    return disks, seeded


class CallLedger:
    """fakecloud's call ledger (/_admin/calls), read for every target on one fakecloud.

    Each read copies the whole ledger, every mutating call with its parameters and answer, on both sides (about 16 ms
    of CPU at 300 calls), and the kill loops of a part's clouds ask every 50 ms side by side: a read that started no
    earlier than a caller's ``not_before`` serves them all. One read at a time: a caller that finds one under way waits
    for it, then takes it if it started late enough.
    """

    def __init__(self, admin):
        self.admin = admin
        self.lock = threading.Lock()
        self.report, self.read_at = None, None

    def read(self, not_before=None):
        """The ledger as a read that started at or after ``not_before`` (time.monotonic()) saw it; None: a new read."""
        with self.lock:
            if self.report is None or not_before is None or self.read_at < not_before:
                started = time.monotonic()
                self.report, self.read_at = self.admin.calls(), started
            return self.report


class FakeCloudTarget:
    """ECS, ENS or CBS on fakecloud; ``ledger``, the CallLedger of the targets on the same fakecloud."""

    def __init__(self, cloud, url, ledger=None):
        self.name = self.provider = cloud
        self.url = url
        self.admin = AdminClient(url, timeout=120)
        self.ledger = ledger or CallLedger(self.admin)
        self.source_region, self.dr_regions = FAKECLOUD_REGIONS[cloud]
        self.disks, self.stale, self.seeded = [], set(), set()

    def connection(self, read_timeout=None):
        """dr_copy_connection for the role; ``read_timeout`` (seconds) lowers the client's timeouts."""
        if self.name == 'cbs':
            connection = {
                'endpoint_url': self.url,
                'secret_id': fakecloud_credentials.TENCENT_SECRET_ID,
                'secret_key': fakecloud_credentials.TENCENT_SECRET_KEY,
            }
            if read_timeout:
                connection.update(read_timeout=read_timeout, connect_timeout=read_timeout)
        else:
            connection = {
                'endpoint_url': self.url,
                'alicloud_access_key': fakecloud_credentials.ALIBABA_ACCESS_KEY_ID,
                'alicloud_secret_key': fakecloud_credentials.ALIBABA_ACCESS_KEY_SECRET,
            }
            if read_timeout:
                connection.update(read_timeout=read_timeout, connect_timeout=read_timeout)
        return connection

    @property
    def rpo_hours(self):
        return RPO_HOURS

    def seed(self, count, more_tags=None):
        """``count`` tagged disks with two snapshots each (every STALE_EVERY-th only stale ones), and a few untagged;
        ``more_tags`` {index: tags} adds tags to some of the tagged disks (a second scope's selector)."""
        disks = []
        for index in range(count):
            base = 3 * 86400 if index % STALE_EVERY == 0 else 0
            disks.append(
                {
                    'region': self.source_region,
                    'name': 'chaos-%d' % index,
                    'size': 20,
                    'tags': dict(TAG_SELECTOR, app='db', **(more_tags or {}).get(index, {})),
                    'snapshots': [{'age_seconds': base + 7200}, {'age_seconds': base + 3600}],
                }
            )
        disks += [
            {'region': self.source_region, 'name': 'other-%d' % index, 'tags': {'app': 'web'}, 'snapshots': 1}
            for index in range(max(1, count // 10))
        ]
        created = self.admin.seed({self.name: {'disks': disks}})[self.name]
        self.disks = created['disks'][:count]
        self.stale = {disk for index, disk in enumerate(self.disks) if index % STALE_EVERY == 0}
        self.seeded = set(created['snapshots'])

    def add_newest(self, disk_ids):
        """A new completed snapshot of each of these disks, now their newest."""
        created = self.admin.seed(
            {
                self.name: {
                    'snapshots': [
                        {'region': self.source_region, 'disk_id': disk, 'age_seconds': 0} for disk in disk_ids
                    ]
                }
            }
        )[self.name]
        self.seeded.update(created['snapshots'])

    def newest(self, state):
        """({disk: its newest completed snapshot's id, or None}, {disk: snapshots the runs took of it}) in ``state``
        (/_admin/state of this cloud)."""
        wanted = set(self.disks)
        newest, made_fresh = {}, {}
        for snapshot in state.get(self.source_region, {}).get('snapshots', []):
            disk = snapshot['disk_id']
            if disk not in wanted or snapshot['is_copy']:
                continue
            if snapshot['id'] not in self.seeded:
                made_fresh[disk] = made_fresh.get(disk, 0) + 1
            if snapshot['phase'] == 'done' and (
                disk not in newest or newest_key(snapshot['created'], snapshot['id']) > newest_key(*newest[disk])
            ):
                newest[disk] = (snapshot['created'], snapshot['id'])
        return {disk: newest.get(disk, (None, None))[1] for disk in self.disks}, made_fresh

    def tally(self):
        state = self.admin.state(cloud=self.name)[self.name]
        newest, made_fresh = self.newest(state)
        copies = {
            region: {
                snapshot['id']: snapshot['source_snapshot_id']
                for snapshot in state.get(region, {}).get('snapshots', [])
                if snapshot['source_snapshot_id']
            }
            for region in self.dr_regions
        }
        figures = tally_copies(newest, copies, made_fresh)
        figures['test_disks_left'], figures['test_disks_awaiting_their_time'] = count_test_disks(
            disk.get('tags') or {} for region in self.dr_regions for disk in state.get(region, {}).get('disks', [])
        )
        return figures

    def dr_snapshot_ids(self):
        """The ids of every snapshot in the DR regions, any account's (/_admin/state)."""
        state = self.admin.state(cloud=self.name)[self.name]
        return {snapshot['id'] for region in self.dr_regions for snapshot in state.get(region, {}).get('snapshots', [])}

    def calls(self, not_before=None):
        """{'calls', 'errors', 'mutations', 'lost_answers'} on this cloud (and, for CBS, its Tag service) since the last
        reset; ``not_before``: as CallLedger.read's (None: read now)."""
        report = self.ledger.read(not_before)
        clouds = (self.name, 'tag') if self.name == 'cbs' else (self.name,)
        counts = [entry for cloud in clouds for entry in report['calls'].get(cloud, {}).values()]
        return {
            'calls': sum(entry['calls'] for entry in counts),
            'errors': sum(entry['errors'] for entry in counts),
            'mutations': sum(entry['mutations'] for entry in counts),
            'lost_answers': sum(1 for entry in report['log'] if entry['cloud'] in clouds and entry['answer_lost']),
        }

    def fault_rules(self, throttle, server_error, slow, slow_ms, lost):
        """fakecloud's rules for this cloud: each fault at its share of all calls (5xx only on calls not throttled)."""
        return [
            {
                'cloud': cloud,
                'action': '*',
                'throttle_rate': throttle,
                'error_rate': server_error / (1.0 - throttle) if server_error else 0.0,
                'lost_answer_rate': lost,
                'latency_ms': slow_ms,
                'latency_rate': slow,
            }
            for cloud in ((self.name, 'tag') if self.name == 'cbs' else (self.name,))
        ]


class AwsTarget:
    """EBS on moto's server, reached through the fault proxy (tests/chaos/proxy.py)."""

    name = provider = 'aws'

    def __init__(self, moto_url, proxy, access_key, secret_key):
        import boto3  # pylint: disable=import-outside-toplevel  # only the driver needs it, not the module tests

        self.moto_url = moto_url
        self.proxy = proxy
        self.access_key, self.secret_key = access_key, secret_key
        self.source_region, self.dr_regions = AWS_REGIONS
        self.disks, self.stale, self.seeded = [], set(), set()
        self._clients = {
            region: boto3.client(
                'ec2',
                region_name=region,
                endpoint_url=moto_url,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
            )
            for region in [self.source_region, *self.dr_regions]
        }

    def connection(self, read_timeout=None):
        """dr_copy_connection for the role; ``read_timeout`` (seconds) lowers the client's timeout."""
        connection = {'endpoint_url': self.proxy.url, 'access_key': self.access_key, 'secret_key': self.secret_key}
        if read_timeout:
            connection['read_timeout'] = read_timeout
        return connection

    @property
    def rpo_hours(self):
        # moto dates every snapshot now: no disk can have only stale snapshots.
        return None

    def reset(self):
        request = urllib.request.Request(self.moto_url + '/moto-api/reset', data=b'', method='POST')
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30):
            pass
        self.proxy.faults.reset_ledger()

    def seed(self, count, more_tags=None):
        """As FakeCloudTarget.seed, on moto."""
        ec2 = self._clients[self.source_region]
        self.disks, self.seeded = seed_ec2_disks(
            ec2, self.source_region + 'a', TAG_SELECTOR, 'chaos', count, max(1, count // 10)
        )
        for index, tags in sorted((more_tags or {}).items()):
            ec2.create_tags(
                Resources=[self.disks[index]], Tags=[{'Key': key, 'Value': value} for key, value in tags.items()]
            )

    def add_newest(self, disk_ids):
        ec2 = self._clients[self.source_region]
        for disk in disk_ids:
            self.seeded.add(ec2.create_snapshot(VolumeId=disk)['SnapshotId'])

    def _snapshots(self, region):
        pages = self._clients[region].get_paginator('describe_snapshots').paginate(OwnerIds=['self'])
        return [item for page in pages for item in page['Snapshots']]

    def newest(self):
        """({disk: its newest completed snapshot's id, or None}, {disk: snapshots the runs took of it})."""
        wanted = set(self.disks)
        newest, made_fresh = {}, {}
        for item in self._snapshots(self.source_region):
            disk = item['VolumeId']
            if disk not in wanted:
                continue
            if item['SnapshotId'] not in self.seeded:
                made_fresh[disk] = made_fresh.get(disk, 0) + 1
            key = newest_key(item['StartTime'], item['SnapshotId'])
            if item['State'] == 'completed' and (disk not in newest or key > newest[disk]):
                newest[disk] = key
        return {disk: newest.get(disk, (None, None))[1] for disk in self.disks}, made_fresh

    def tally(self):
        newest, made_fresh = self.newest()
        ledger = self.proxy.faults.report()['copies']
        copies, unaccounted = {}, 0
        for region in self.dr_regions:
            copies[region] = {}
            for item in self._snapshots(region):
                made = ledger.get(item['SnapshotId'])
                if made is None:
                    unaccounted += 1  # a snapshot no CopySnapshot through the proxy made
                else:
                    copies[region][item['SnapshotId']] = made[2]
        figures = tally_copies(newest, copies, made_fresh)
        figures['unaccounted'] = unaccounted
        figures['test_disks_left'], figures['test_disks_awaiting_their_time'] = count_test_disks(
            {tag['Key']: tag['Value'] for tag in volume.get('Tags', [])}
            for region in self.dr_regions
            for volume in self._clients[region].describe_volumes(
                Filters=[{'Name': 'tag-key', 'Values': [RESTORE_RUN_TAG]}]
            )['Volumes']
        )
        return figures

    def dr_snapshot_ids(self):
        """The ids of the account's snapshots in the DR regions (moto's own answers, not through the proxy)."""
        return {item['SnapshotId'] for region in self.dr_regions for item in self._snapshots(region)}

    def calls(self, not_before=None):  # pylint: disable=unused-argument  # the proxy's ledger is in this process
        report = self.proxy.faults.report()
        outcomes = {}
        for entry in report['calls'].values():
            for outcome, count in entry.items():
                outcomes[outcome] = outcomes.get(outcome, 0) + count
        return {
            'calls': sum(outcomes.values()),
            'errors': outcomes.get('throttled', 0) + outcomes.get('server_error', 0) + outcomes.get('failed', 0),
            'mutations': report['mutations'],
            'lost_answers': outcomes.get('lost', 0),
        }

    def snapshot_count(self):
        return sum(len(self._snapshots(region)) for region in [self.source_region, *self.dr_regions])


def dump(data):
    return json.dumps(data, indent=2, sort_keys=True)
