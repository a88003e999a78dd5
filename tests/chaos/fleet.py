"""The fleet part of the chaos suite: playbooks/dr_fleet.yml over many scopes, under faults and SIGKILL.

A scope is one provider, one account and one source region (docs/fleet.md), an inventory host of the group dr_scopes.
The fleet below has the four clouds, three accounts per cloud (ECS and ENS share Alibaba Cloud's), each reached by its
role (STS AssumeRole on moto and on fakecloud), scopes of one account that share a DR region, and two pairs that share
even the account and the source region (told apart by their tag selector's value). Every scope prunes its DR copies to
KEEP_COPIES per disk and region. The job's own keys come from the environment, as AWX injects them; the inventory holds
none.

The run:

1. every scope's tagged disks (two snapshots each; on fakecloud every tenth disk has only stale
   ones, so the run takes a fresh snapshot first) and an untagged disk, in the scope's account;
2. the load part's faults switched on (throttling, 5xx, lost answers, answers slower than the
   client's timeout; run.py's FAULTS, on fakecloud and on the proxy in front of moto);
3. the fleet run (ansible-playbook dr_fleet.yml --forks) killed with SIGKILL, its whole process
   group, --kill-rounds times, at a random time after its first API call or after a random number
   of mutating calls; before each later round a third of every scope's disks get a newer snapshot;
4. the fleet run again until a run passes (every scope ok), at most --max-runs times.

Then, counted from the emulators' state in each account (fakecloud's /_admin/state, moto's
snapshots listed with each account's role, matched to their source by the proxy's ledger of the
CopySnapshot calls moto carried out): every scope has exactly one copy of each disk's newest
snapshot in each of its DR regions, at most one fresh snapshot per stale disk and at most
KEEP_COPIES copies per disk and region; no copy anywhere is one no scope should have made
(another account, another region, an untagged disk); the last run's fleet report lists every
scope, each ok; every scope assumed its role; and no run's output shows a traceback or a secret
(the job's keys, or the temporary keys that STS handed out).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.request

import clouds  # pylint: disable=import-error  # tests/chaos is on the path (run.py)
from corpus import SIGNS_OF_A_TRACEBACK  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLAYBOOK = os.path.join(REPO, 'playbooks', 'dr_fleet.yml')

# The accounts of the fleet, and the role in each that the job's identity may assume.
ROLE_ARN = {
    'aws': 'arn:aws:iam::%s:role/snapcopy-dr',
    'ecs': 'acs:ram::%s:role/snapcopy-dr',
    'ens': 'acs:ram::%s:role/snapcopy-dr',
    'cbs': 'qcs::cam::uin/%s:roleName/snapcopy-dr',
}
AWS_SHOP, AWS_DATA, AWS_WEB = '111111111111', '222222222222', '333333333333'
ALI_SHOP, ALI_PAY, ALI_CRM = '1111111111111111', '2222222222222222', '3333333333333333'
TC_GAME, TC_ADS, TC_SHOP = '100000000001', '100000000002', '100000000003'
# The second tag selector of the scopes that share an account and a source region with another.
LOGS_SELECTOR = {'chaos': 'logs'}
# Every scope prunes its DR copies down to this many per disk and region, as fleets do; in a DR
# region that scopes share, each may prune only its own disks' copies.
KEEP_COPIES = 2

# (scope, provider, account, source region, DR regions, tag selector). The first six are the fleet
# of chaos-short (--fleet-scopes 6): the four clouds, two AWS accounts with the same regions, ECS and
# ENS in one Alibaba Cloud account, two CBS scopes of one account that share a DR region.
SCOPES = [
    ('aws-shop-us-east-1', 'aws', AWS_SHOP, 'us-east-1', ['us-west-2', 'eu-west-1'], None),
    ('aws-data-us-east-1', 'aws', AWS_DATA, 'us-east-1', ['us-west-2'], None),
    ('ecs-shop-cn-hangzhou', 'ecs', ALI_SHOP, 'cn-hangzhou', ['cn-shanghai', 'cn-beijing'], None),
    ('ens-edge-cn-hangzhou-26', 'ens', ALI_SHOP, 'cn-hangzhou-26', ['cn-beijing-cmcc'], None),
    ('cbs-game-ap-guangzhou', 'cbs', TC_GAME, 'ap-guangzhou', ['ap-shanghai', 'ap-nanjing'], None),
    ('cbs-game-ap-beijing', 'cbs', TC_GAME, 'ap-beijing', ['ap-shanghai'], None),
    ('aws-shop-us-east-2', 'aws', AWS_SHOP, 'us-east-2', ['us-west-2'], None),
    ('ecs-pay-cn-hangzhou', 'ecs', ALI_PAY, 'cn-hangzhou', ['cn-shanghai'], None),
    ('ecs-shop-cn-shenzhen', 'ecs', ALI_SHOP, 'cn-shenzhen', ['cn-shanghai'], None),
    ('ens-edge-cn-hangzhou-27', 'ens', ALI_SHOP, 'cn-hangzhou-27', ['cn-beijing-cmcc'], None),
    ('cbs-ads-ap-guangzhou', 'cbs', TC_ADS, 'ap-guangzhou', ['ap-singapore'], None),
    ('aws-shop-eu-west-1', 'aws', AWS_SHOP, 'eu-west-1', ['eu-central-1'], None),
    ('ecs-shop-cn-chengdu', 'ecs', ALI_SHOP, 'cn-chengdu', ['cn-shanghai'], None),
    ('ens-edge-cn-wuhan-telecom', 'ens', ALI_SHOP, 'cn-wuhan-telecom', ['cn-shenzhen-cucc'], None),
    ('cbs-game-ap-chengdu', 'cbs', TC_GAME, 'ap-chengdu', ['ap-shanghai'], None),
    ('aws-data-ap-northeast-1', 'aws', AWS_DATA, 'ap-northeast-1', ['ap-southeast-1', 'us-west-2'], None),
    ('ecs-pay-ap-southeast-1', 'ecs', ALI_PAY, 'ap-southeast-1', ['cn-hongkong'], None),
    ('ens-video-cn-hangzhou-26', 'ens', ALI_PAY, 'cn-hangzhou-26', ['cn-chengdu-telecom'], None),
    ('cbs-ads-ap-hongkong', 'cbs', TC_ADS, 'ap-hongkong', ['ap-singapore'], None),
    ('aws-web-us-east-1', 'aws', AWS_WEB, 'us-east-1', ['us-west-2'], None),
    ('ecs-crm-cn-hangzhou', 'ecs', ALI_CRM, 'cn-hangzhou', ['cn-beijing'], None),
    ('ecs-crm-cn-hangzhou-logs', 'ecs', ALI_CRM, 'cn-hangzhou', ['cn-beijing'], LOGS_SELECTOR),
    ('ens-video-cn-shenzhen-cucc', 'ens', ALI_PAY, 'cn-shenzhen-cucc', ['cn-chengdu-telecom'], None),
    ('cbs-ads-ap-guangzhou-logs', 'cbs', TC_ADS, 'ap-guangzhou', ['ap-singapore'], LOGS_SELECTOR),
    ('aws-web-eu-west-1', 'aws', AWS_WEB, 'eu-west-1', ['eu-central-1', 'us-west-2'], None),
    ('ecs-crm-us-west-1', 'ecs', ALI_CRM, 'us-west-1', ['us-east-1'], None),
    ('ens-cdn-cn-suzhou-telecom', 'ens', ALI_CRM, 'cn-suzhou-telecom', ['cn-beijing-cmcc'], None),
    ('cbs-shop-ap-tokyo', 'cbs', TC_SHOP, 'ap-tokyo', ['ap-singapore'], None),
    # Its DR region is the source region of aws-web-us-east-1, in the same account.
    ('aws-web-sa-east-1', 'aws', AWS_WEB, 'sa-east-1', ['us-east-1'], None),
    ('cbs-shop-na-siliconvalley', 'cbs', TC_SHOP, 'na-siliconvalley', ['eu-frankfurt'], None),
]
# The inventory group of each provider's scopes, and the options its connection shares.
GROUPS = {'aws': 'aws', 'ecs': 'alibaba_ecs', 'ens': 'alibaba_ens', 'cbs': 'tencent'}
ROLE_OPTION = {
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
VENDOR = {'aws': 'aws', 'ecs': 'alibaba', 'ens': 'alibaba', 'cbs': 'tencent'}
SESSION_NAME = 'snapcopy-chaos'
# How often the kill loop reads the call counters at most (each read copies fakecloud's whole ledger).
CALLS_READ_SECONDS = 0.2
# After a kill, the emulators may still answer the killed run's calls that were held back (a slow
# answer is held 3.5 s): the next round starts once they are in, so that its first call is its own.
SETTLE_SECONDS = 4.0


class Scope:
    """One scope: its place in the fleet, and the disks and snapshots seeded for it."""

    def __init__(self, name, provider, account, source_region, dr_regions, selector):
        self.name, self.provider, self.account = name, provider, account
        self.source_region, self.dr_regions = source_region, list(dr_regions)
        self.selector = dict(selector or clouds.TAG_SELECTOR)
        self.disks, self.stale, self.seeded = [], set(), set()

    @property
    def role_arn(self):
        return ROLE_ARN[self.provider] % self.account

    @property
    def rpo_hours(self):
        # moto dates every snapshot now: on AWS no disk can have only stale snapshots.
        return None if self.provider == 'aws' else clouds.RPO_HOURS

    def host_vars(self):
        variables = {
            'dr_copy_source_region': self.source_region,
            'dr_copy_dr_regions': self.dr_regions,
            'dr_copy_connection': {ROLE_OPTION[self.provider]: self.role_arn},
        }
        if self.selector != clouds.TAG_SELECTOR:
            variables['dr_copy_tag_selector'] = self.selector
        return variables


def fleet_scopes(count, providers):
    return [Scope(*row) for row in SCOPES if row[1] in providers][:count]


# ---------------------------------------------------------------------- the count, from the clouds' state
def tally(scopes, snapshots, keep_copies=None):
    """Per-scope figures and the copies no scope accounts for.

    ``snapshots``: every snapshot of the fleet's accounts, in every region they use, as dicts of
    provider, account, region, id, disk, source (the source snapshot's id for a copy, else None),
    done (completed) and created. A copy belongs to the scope whose disk its source is a snapshot
    of, and counts for it only in that scope's account and DR regions; any other copy is stray.
    With ``keep_copies``, ``over_kept`` counts the copies of a disk in a region beyond that many.
    """
    owner = {}  # (provider, source snapshot id) -> (scope, disk)
    figures, copies, newest, made_fresh = {}, {}, {}, {}
    for scope in scopes:
        copies[scope.name] = {region: {} for region in scope.dr_regions}
        newest[scope.name], made_fresh[scope.name] = {}, {}
    disk_owner = {
        (scope.provider, scope.account, scope.source_region, disk): scope for scope in scopes for disk in scope.disks
    }
    for item in snapshots:
        if item['source']:
            continue
        scope = disk_owner.get((item['provider'], item['account'], item['region'], item['disk']))
        if scope is None:
            continue
        owner[(scope.provider, item['id'])] = (scope, item['disk'])
        if item['id'] not in scope.seeded:
            made_fresh[scope.name][item['disk']] = made_fresh[scope.name].get(item['disk'], 0) + 1
        key = clouds.newest_key(item['created'], item['id'])
        if item['done'] and (item['disk'] not in newest[scope.name] or key > newest[scope.name][item['disk']]):
            newest[scope.name][item['disk']] = key
    stray, per_disk = [], {}
    for item in snapshots:
        if not item['source']:
            continue
        scope, disk = owner.get((item['provider'], item['source']), (None, None))
        if scope is None or item['account'] != scope.account or item['region'] not in scope.dr_regions:
            stray.append(
                '%s %s/%s/%s (source %s)'
                % (item['provider'], item['account'], item['region'], item['id'], item['source'])
            )
            continue
        copies[scope.name][item['region']][item['id']] = item['source']
        per_disk[scope.name, item['region'], disk] = per_disk.get((scope.name, item['region'], disk), 0) + 1
    for scope in scopes:
        disks_newest = {disk: newest[scope.name].get(disk, (None, None))[1] for disk in scope.disks}
        figures[scope.name] = clouds.tally_copies(disks_newest, copies[scope.name], made_fresh[scope.name])
        figures[scope.name]['stale_disks'] = len(scope.stale)
        figures[scope.name]['over_kept'] = (
            sum(
                max(0, count - keep_copies)
                for (name, dummy, dummy_disk), count in per_disk.items()
                if name == scope.name
            )
            if keep_copies
            else 0
        )
    return figures, stray


class FakeCloudFleet:
    """The fleet's ECS, ENS and CBS scopes on fakecloud: roles, seeds, and their snapshots as fakecloud holds them."""

    def __init__(self, admin, scopes):
        self.admin = admin
        self.scopes = [scope for scope in scopes if scope.provider != 'aws']

    def seed(self, disks_per_scope):
        from fakecloud import credentials  # pylint: disable=import-outside-toplevel,import-error

        roles = {
            'alibaba': dict(credentials.default_roles()['alibaba']),
            'tencent': dict(credentials.default_roles()['tencent']),
        }
        for scope in self.scopes:
            vendor, trusting = (
                ('tencent', credentials.TENCENT_UIN)
                if scope.provider == 'cbs'
                else ('alibaba', credentials.ALIBABA_ACCOUNT_ID)
            )
            roles[vendor][scope.role_arn] = {'trusted': [trusting]}
        self.admin.configure({'roles': roles})
        for scope in self.scopes:
            disks = []
            for index in range(disks_per_scope):
                base = 3 * 86400 if index % clouds.STALE_EVERY == 0 else 0
                disks.append(
                    {
                        'region': scope.source_region,
                        'name': '%s-%d' % (scope.name, index),
                        'size': 20,
                        'tags': dict(scope.selector, app='db'),
                        'snapshots': [{'age_seconds': base + 7200}, {'age_seconds': base + 3600}],
                    }
                )
            disks.append(
                {
                    'region': scope.source_region,
                    'name': '%s-untagged' % scope.name,
                    'tags': {'app': 'web'},
                    'snapshots': 1,
                }
            )
            created = self.admin.seed({scope.provider: {'account': scope.account, 'disks': disks}})[scope.provider]
            scope.disks = created['disks'][:disks_per_scope]
            scope.stale = {disk for index, disk in enumerate(scope.disks) if index % clouds.STALE_EVERY == 0}
            scope.seeded = set(created['snapshots'])

    def add_newest(self, scope, disk_ids):
        created = self.admin.seed(
            {
                scope.provider: {
                    'account': scope.account,
                    'snapshots': [
                        {'region': scope.source_region, 'disk_id': disk, 'age_seconds': 0} for disk in disk_ids
                    ],
                }
            }
        )[scope.provider]
        scope.seeded.update(created['snapshots'])

    def snapshots(self):
        out = []
        for provider in sorted({scope.provider for scope in self.scopes}):
            state = self.admin.state(cloud=provider)[provider]
            for region, held in state.items():
                out += [
                    {
                        'provider': provider,
                        'account': item['account'],
                        'region': region,
                        'id': item['id'],
                        'disk': item['disk_id'],
                        'source': item['source_snapshot_id'] or None,
                        'done': item['phase'] == 'done',
                        'created': item['created'],
                    }
                    for item in held.get('snapshots', [])
                ]
        return out

    def sessions(self):
        """(the temporary secrets and tokens fakecloud's STS handed out, the roles they were for)."""
        sessions = self.admin.request('GET', 'sessions')['sessions']
        return [value for session in sessions for value in (session['secret'], session['token'])], {
            session['role_arn'] for session in sessions
        }


class AwsFleet:
    """The fleet's AWS scopes on moto: each account reached, as the collection does, by its role (here at
    moto directly, not through the fault proxy), and the copies told by the proxy's ledger."""

    def __init__(self, moto_url, proxy, access_key, secret_key, scopes):
        import boto3  # pylint: disable=import-outside-toplevel  # only the driver needs it

        self.boto3 = boto3
        self.moto_url, self.proxy = moto_url, proxy
        self.access_key, self.secret_key = access_key, secret_key
        self.scopes = [scope for scope in scopes if scope.provider == 'aws']
        self._keys, self._clients = {}, {}

    def ec2(self, account, region):
        if account not in self._keys:
            sts = self.boto3.client(
                'sts',
                region_name='us-east-1',
                endpoint_url=self.moto_url,
                aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
            )
            self._keys[account] = sts.assume_role(RoleArn=ROLE_ARN['aws'] % account, RoleSessionName='chaos-count')[
                'Credentials'
            ]
        if (account, region) not in self._clients:
            keys = self._keys[account]
            self._clients[account, region] = self.boto3.client(
                'ec2',
                region_name=region,
                endpoint_url=self.moto_url,
                aws_access_key_id=keys['AccessKeyId'],
                aws_secret_access_key=keys['SecretAccessKey'],
                aws_session_token=keys['SessionToken'],
            )
        return self._clients[account, region]

    def seed(self, disks_per_scope):
        for scope in self.scopes:
            scope.disks, scope.seeded = clouds.seed_ec2_disks(
                self.ec2(scope.account, scope.source_region),
                scope.source_region + 'a',
                scope.selector,
                scope.name,
                disks_per_scope,
                1,
            )

    def add_newest(self, scope, disk_ids):
        ec2 = self.ec2(scope.account, scope.source_region)
        for disk in disk_ids:
            scope.seeded.add(ec2.create_snapshot(VolumeId=disk)['SnapshotId'])

    def snapshots(self):
        """Every snapshot of the AWS accounts in the regions their scopes use. A snapshot is a copy when a
        CopySnapshot through the proxy made it; one that neither the seed nor such a call made is
        answered apart (unaccounted): nothing else may make snapshots on AWS (no stale disks there)."""
        ledger = self.proxy.faults.report()['copies']
        seeded = set().union(*(scope.seeded for scope in self.scopes)) if self.scopes else set()
        regions = {}
        for scope in self.scopes:
            regions.setdefault(scope.account, set()).update([scope.source_region, *scope.dr_regions])
        out, unaccounted = [], []
        for account, names in sorted(regions.items()):
            for region in sorted(names):
                pages = self.ec2(account, region).get_paginator('describe_snapshots').paginate(OwnerIds=['self'])
                for item in (item for page in pages for item in page['Snapshots']):
                    made = ledger.get(item['SnapshotId'])
                    if made is None and item['SnapshotId'] not in seeded:
                        unaccounted.append('aws %s/%s/%s' % (account, region, item['SnapshotId']))
                    out.append(
                        {
                            'provider': 'aws',
                            'account': account,
                            'region': region,
                            'id': item['SnapshotId'],
                            'disk': item['VolumeId'],
                            'source': made[2] if made else None,
                            'done': item['State'] == 'completed',
                            'created': item['StartTime'],
                        }
                    )
        return out, unaccounted

    def sessions(self):
        """(the temporary secrets and tokens moto's STS handed out, the roles the collection's runs assumed)."""
        request = urllib.request.Request(
            self.moto_url + '/snapcopy-test/sts-sessions'
        )  # with_emulators' moto_server.py
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=60) as answer:
            sessions = json.loads(answer.read())['sessions']
        return (
            [
                value
                for session in sessions
                for value in (session.get('secret_access_key'), session.get('session_token'))
                if value
            ],
            {session.get('role_arn') for session in sessions if session.get('session_name') == SESSION_NAME},
        )


class FleetCalls:
    """The calls of the whole fleet, over the four clouds, in the shape Suite.kill_at reads (``calls()``).
    Suite.kill_at asks every 50 ms; the ledgers are read at most every CALLS_READ_SECONDS."""

    def __init__(self, emulators):
        self.emulators = emulators
        self._last, self._read_at = None, 0.0

    def calls(self, fresh=False, not_before=None):  # pylint: disable=unused-argument  # read every CALLS_READ_SECONDS
        if fresh or self._last is None or time.monotonic() - self._read_at >= CALLS_READ_SECONDS:
            totals = {'calls': 0, 'errors': 0, 'mutations': 0, 'lost_answers': 0}
            # The fakecloud targets' counts come from one read of its ledger (clouds.CallLedger).
            started = time.monotonic()
            for target in self.emulators.targets.values():
                for key, value in target.calls(not_before=started).items():
                    totals[key] += value
            self._last, self._read_at = totals, time.monotonic()
        return dict(self._last)


# ---------------------------------------------------------------------- the part
class FleetPart:
    """The fleet part on one set of emulators (run.py's Emulators), for one Suite."""

    def __init__(self, suite, emulators, client_timeout):
        self.suite, self.emulators, self.args = suite, emulators, suite.args
        self.client_timeout = client_timeout
        self.scopes = fleet_scopes(self.args.fleet_scopes, set(emulators.targets))
        self.fakecloud = FakeCloudFleet(emulators.admin, self.scopes)
        self.aws = AwsFleet(
            emulators.moto_url, emulators.proxy, emulators.aws_access_key, emulators.aws_secret_key, self.scopes
        )
        self.report_dir = os.path.join(suite.work, 'reports', 'fleet')
        self.inventory = os.path.join(suite.work, 'fleet-inventory.json')
        self.logs = []
        self.disks_per_scope = self.args.fleet_disks or max(2, self.args.disks // 30)
        self.env, self.job_secrets = self.job_identity()

    # ------------------------------------------------------------------ the inventory and the runs
    def write_inventory(self):
        """The fleet's inventory: shared settings on groups, each scope's region and role on its host, no keys."""
        timeout = self.client_timeout
        children = {}
        for scope in self.scopes:
            group = children.setdefault(GROUPS[scope.provider], {'vars': {}, 'hosts': {}})
            group['hosts'][scope.name] = scope.host_vars()
            if group['vars']:
                continue
            endpoint = self.emulators.proxy.url if scope.provider == 'aws' else self.emulators.fakecloud_url
            connection = {
                'endpoint_url': endpoint,
                SESSION_OPTION[scope.provider]: SESSION_NAME,
                'read_timeout': timeout,
            }
            if scope.provider != 'aws':
                connection['connect_timeout'] = timeout
            group['vars'] = {'dr_copy_provider': scope.provider, 'dr_copy_connection_defaults': connection}
            if scope.rpo_hours:
                group['vars']['dr_copy_max_snapshot_age_hours'] = scope.rpo_hours
            if scope.provider != 'ens':  # ENS copies carry no tags
                group['vars']['dr_copy_tags'] = {'purpose': 'chaos'}
        shared = {
            'dr_copy_tag_selector': clouds.TAG_SELECTOR,
            'dr_copy_wait': True,
            'dr_copy_wait_timeout': 1800,
            'dr_copy_poll_interval': 1,
            'dr_copy_report_dir': self.report_dir,
            'dr_copy_prune': True,
            'dr_copy_keep_copies': KEEP_COPIES,
        }
        with open(self.inventory, 'w', encoding='utf-8') as stream:
            json.dump({'all': {'children': {'dr_scopes': {'vars': shared, 'children': children}}}}, stream, indent=1)

    def job_identity(self):
        """(environment, secrets): the job's one identity, in the environment as AWX's credential types inject it."""
        from fakecloud import credentials  # pylint: disable=import-outside-toplevel,import-error

        env = dict(
            self.suite.env,
            AWS_ACCESS_KEY_ID=self.emulators.aws_access_key,
            AWS_SECRET_ACCESS_KEY=self.emulators.aws_secret_key,
            ALICLOUD_ACCESS_KEY=credentials.ALIBABA_ACCESS_KEY_ID,
            ALICLOUD_SECRET_KEY=credentials.ALIBABA_ACCESS_KEY_SECRET,
            TENCENTCLOUD_SECRET_ID=credentials.TENCENT_SECRET_ID,
            TENCENTCLOUD_SECRET_KEY=credentials.TENCENT_SECRET_KEY,
        )
        return env, [
            self.emulators.aws_secret_key,
            credentials.ALIBABA_ACCESS_KEY_SECRET,
            credentials.TENCENT_SECRET_KEY,
        ]

    def start(self, run):
        clouds.clear_report_files(self.report_dir)
        path = os.path.join(self.suite.work, 'logs', 'fleet-%d.log' % run)
        self.logs.append(path)
        log = open(path, 'w', encoding='utf-8')  # noqa: SIM115  # pylint: disable=consider-using-with  # closed by the caller
        process = subprocess.Popen(  # pylint: disable=consider-using-with  # waited for, or killed, by the caller
            [
                os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                PLAYBOOK,
                '-i',
                self.inventory,
                '--forks',
                str(self.args.fleet_forks),
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process, log

    def fleet_report(self):
        try:
            with open(os.path.join(self.report_dir, 'dr-fleet-report.json'), encoding='utf-8') as stream:
                return json.load(stream)
        except (OSError, ValueError):
            return {}

    def count(self):
        fakecloud = self.fakecloud.snapshots()
        aws, unaccounted = self.aws.snapshots()
        figures, stray = tally(self.scopes, fakecloud + aws, KEEP_COPIES)
        return figures, stray, unaccounted

    def add_newest(self, rng):
        for scope in self.scopes:
            chosen = rng.sample(scope.disks, max(1, len(scope.disks) // 3))
            (self.aws if scope.provider == 'aws' else self.fakecloud).add_newest(scope, chosen)

    # ------------------------------------------------------------------ the part itself
    def run(self):
        started = time.monotonic()
        rng = random.Random('%s-fleet' % self.args.seed)
        self.fakecloud.seed(self.disks_per_scope)
        self.aws.seed(self.disks_per_scope)
        self.write_inventory()
        self.emulators.faults_on(self.args.seed)
        self.emulators.admin.calls(reset=True)
        self.emulators.proxy.faults.reset_ledger()
        fleet_calls = FleetCalls(self.emulators)
        kills, attempts, run, killed_at = [], 0, 0, 0.0
        # When to kill: a guess that grows with the fleet's disks, narrowed to what a run took
        # whenever one ends before its kill.
        longest = 3.0 + len(self.scopes) * self.disks_per_scope / 15.0
        while len(kills) < self.args.kill_rounds and attempts < 3 * self.args.kill_rounds:
            attempts += 1
            run += 1
            if run > 1:
                self.add_newest(rng)
            time.sleep(max(0.0, killed_at + SETTLE_SECONDS - time.monotonic()))
            before = fleet_calls.calls(fresh=True)
            pending = sum(row['missing'] for row in self.count()[0].values())
            mode = 'mutations' if len(kills) % 2 else 'time'
            point = rng.randint(1, max(1, pending)) if mode == 'mutations' else round(rng.uniform(0.0, longest), 2)
            process, log = self.start(run)
            killed, working = self.suite.kill_at(process, fleet_calls, mode, point, before)
            log.close()
            if not killed:
                longest = max(0.5, 0.9 * working)
                continue
            killed_at = time.monotonic()
            after = fleet_calls.calls(fresh=True)
            kills.append(
                {
                    'run': run,
                    'mode': mode,
                    'point': point,
                    'seconds_after_first_call': round(working, 1),
                    'calls_before_kill': after['calls'] - before['calls'],
                    'mutations_before_kill': after['mutations'] - before['mutations'],
                    'group_gone': self.suite.group_gone(process.pid),
                }
            )
        runs = []
        for number in range(run + 1, run + 1 + self.args.max_runs):
            run_started = time.monotonic()
            process, log = self.start(number)
            code = process.wait()
            log.close()
            report = self.fleet_report()
            runs.append(
                {
                    'run': number,
                    'rc': code,
                    'seconds': round(time.monotonic() - run_started, 1),
                    'failed_scopes': report.get('failed_scopes'),
                    'totals': report.get('totals'),
                }
            )
            if code == 0:
                break
        self.emulators.faults_off()
        return self.judge(kills, runs, round(time.monotonic() - started, 1))

    # ------------------------------------------------------------------ checks and figures
    def judge(self, kills, runs, seconds):
        figures, stray, unaccounted = self.count()
        report = self.fleet_report()
        names = sorted(scope.name for scope in self.scopes)
        rows = {row.get('scope'): row for row in report.get('scopes', [])}
        calls = FleetCalls(self.emulators).calls()
        problem = self.suite.problem
        converged = bool(runs) and runs[-1]['rc'] == 0
        if not converged:
            problem(
                'fleet',
                'fleet',
                'no fleet run passed in %d runs (see %s)' % (len(runs), self.logs[-1] if self.logs else '-'),
            )
        for scope in self.scopes:
            row = figures[scope.name]
            for key in ('duplicates', 'missing', 'fresh_duplicates', 'over_kept'):
                if row[key]:
                    problem(scope.name, 'fleet', '%d %s' % (row[key], key.replace('_', ' ')))
        for text in stray[:20]:
            problem('fleet', 'fleet', 'a copy no scope should have made: ' + text)
        for text in unaccounted[:20]:
            problem('fleet', 'fleet', 'a snapshot that neither the seed nor a CopySnapshot made: ' + text)
        if report.get('scopes_covered') != names:
            problem(
                'fleet',
                'fleet',
                'the fleet report covers %s, not the %d scopes' % (report.get('scopes_covered'), len(names)),
            )
        # Once the fleet has converged, every scope's run finished and every disk has a copy within the RPO.
        not_protected = sorted(name for name in names if not protected(rows.get(name) or {}))
        if not_protected:
            problem('fleet', 'fleet', 'scopes not protected in the fleet report: %s' % ', '.join(not_protected))
        missing_reports = sorted(
            name for name in names if not os.path.exists(os.path.join(self.report_dir, 'dr-report-%s.json' % name))
        )
        if missing_reports:
            problem('fleet', 'fleet', 'scopes without a report of their own: %s' % ', '.join(missing_reports))
        if len(kills) < self.args.kill_rounds:
            problem(
                'fleet',
                'fleet',
                'only %d of %d fleet runs could be killed before they ended' % (len(kills), self.args.kill_rounds),
            )
        if not all(kill['group_gone'] for kill in kills):
            problem('fleet', 'fleet', 'a process of a killed fleet run outlived the SIGKILL of its group')
        for finding in self.output_findings():
            problem('fleet', 'fleet', finding)
        scopes = {}
        for scope in self.scopes:
            row = dict(
                figures[scope.name],
                provider=scope.provider,
                account=scope.account,
                source_region=scope.source_region,
                dr_regions=scope.dr_regions,
                report_status=(rows.get(scope.name) or {}).get('status'),
                report_seconds=(rows.get(scope.name) or {}).get('duration_seconds'),
            )
            scopes[scope.name] = row
        totals = {
            key: sum(row[key] for row in figures.values())
            for key in (
                'disks',
                'copies',
                'duplicates',
                'missing',
                'fresh_snapshots',
                'fresh_duplicates',
                'stale_disks',
                'over_kept',
            )
        }
        totals.update(
            scopes=len(self.scopes),
            accounts=len({(VENDOR[scope.provider], scope.account) for scope in self.scopes}),
            stray_copies=len(stray),
            unaccounted=len(unaccounted),
            kills=len(kills),
            runs_to_converge=len(runs),
            pruned_by_the_last_run=((runs[-1].get('totals') or {}).get('pruned') if runs else None),
            converged=converged,
            report_scopes=len(report.get('scopes_covered') or []),
            report_protected=sum(1 for name in names if protected(rows.get(name) or {})),
        )
        return {
            'forks': self.args.fleet_forks,
            'disks_per_scope': self.disks_per_scope,
            'keep_copies': KEEP_COPIES,
            'seconds': seconds,
            'totals': totals,
            'calls': calls,
            'kills': kills,
            'runs': runs,
            'scopes': scopes,
            'stray': stray[:20],
            'unaccounted': unaccounted[:20],
        }

    def output_findings(self):
        """A scope whose role was never assumed; a traceback, or a secret of the job or of the sessions STS
        handed out, in any fleet run's output."""
        fakecloud_secrets, fakecloud_roles = self.fakecloud.sessions()
        aws_secrets, aws_roles = self.aws.sessions()
        findings = [
            'scope %s never assumed its role %s' % (scope.name, scope.role_arn)
            for scope in self.scopes
            if scope.role_arn not in (aws_roles if scope.provider == 'aws' else fakecloud_roles)
        ]
        secrets = [value for value in self.job_secrets + fakecloud_secrets + aws_secrets if len(value) >= 8]
        for path in self.logs:
            with open(path, encoding='utf-8', errors='replace') as stream:
                text = stream.read()
            for sign in SIGNS_OF_A_TRACEBACK:
                if sign in text:
                    findings.append('%s shows %r' % (os.path.basename(path), sign))
            leaked = sum(1 for value in secrets if value in text)
            if leaked:
                findings.append(
                    '%s shows %d secret(s) (the job\'s keys or STS sessions\')' % (os.path.basename(path), leaked)
                )
        return findings


def run(suite, emulators, client_timeout):
    """The fleet part's figures (problems go to suite.problem); ``client_timeout`` (seconds) is every client's read
    timeout."""
    return FleetPart(suite, emulators, client_timeout).run()


def markdown(fleet):
    """The fleet's figures as Markdown: the totals, then one row per scope."""
    totals = fleet['totals']
    points = ', '.join(
        '%s s' % kill['seconds_after_first_call']
        if kill['mode'] == 'time'
        else '%d mutating calls' % kill['mutations_before_kill']
        for kill in fleet['kills']
    )
    lines = [
        'Fleet: %d scopes in %d accounts, %d tagged disks each, playbooks/dr_fleet.yml with --forks %d, under the load '
        'part\'s faults; %d SIGKILLs of the whole run (%s), then %d run(s) to converge; %s s in all.'
        % (
            totals['scopes'],
            totals['accounts'],
            fleet['disks_per_scope'],
            fleet['forks'],
            totals['kills'],
            points or '-',
            totals['runs_to_converge'],
            fleet['seconds'],
        ),
        '',
        '| scope | provider | account | source region | DR regions | disks | copies | duplicates | missing | '
        'fresh snapshots (stale disks) |',
        '|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, row in sorted(fleet['scopes'].items()):
        lines.append(
            '| %s | %s | %s | %s | %s | %d | %d | %d | %d | %d (%d) |'
            % (
                name,
                row['provider'],
                row['account'],
                row['source_region'],
                ', '.join(row['dr_regions']),
                row['disks'],
                row['copies'],
                row['duplicates'],
                row['missing'],
                row['fresh_snapshots'],
                row['stale_disks'],
            )
        )
    lines.append(
        '| **all %d scopes** | | | | | %d | %d | %d | %d | %d (%d) |'
        % (
            totals['scopes'],
            totals['disks'],
            totals['copies'],
            totals['duplicates'],
            totals['missing'],
            totals['fresh_snapshots'],
            totals['stale_disks'],
        )
    )
    lines += [
        '',
        'Stray copies: %d; unaccounted AWS snapshots: %d; copies kept beyond %d per disk and region: %d (the last '
        'run pruned %s); the last fleet report lists %d of %d scopes, %d protected. Calls: %d, faults answered: %d, answers lost: %d.'
        % (
            totals['stray_copies'],
            totals['unaccounted'],
            fleet['keep_copies'],
            totals['over_kept'],
            totals['pruned_by_the_last_run'],
            totals['report_scopes'],
            totals['scopes'],
            totals['report_protected'],
            fleet['calls']['calls'],
            fleet['calls']['errors'],
            fleet['calls']['lost_answers'],
        ),
        '',
    ]
    return '\n'.join(lines)


def protected(row):
    """Whether a fleet report's row says its scope is protected, by a run that finished."""
    return row.get('status') == 'protected' and row.get('run') == 'finished'
