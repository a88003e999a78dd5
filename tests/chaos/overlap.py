"""The chaos suite's overlap part: two scopes of one source region whose selectors meet, run at the same time with the
vault on (copies in a DR account; locked on AWS, governance, and ECS, compliance), killed with SIGKILL at random points,
then run to completion.

Scope A selects every tagged disk (``chaos: yes``) into the cloud's two DR regions; scope B selects half of them (a
second tag key, ``overlap: b``) into A's second DR region and a third. So in A's second DR region the two scopes' runs
copy the same snapshots at the same time, and both share the same sources with the DR account and take the shares back.
Each round starts both runs together (each with its report folder); in most rounds one of them or both are killed (the
vault part's kill modes: a random time after the first call, or a random number of mutating calls); before each later
round a third of the disks get a newer snapshot, and once more before both run to completion at the same time (then each
once more alone if a disk still lacks a copy). A share that a killed run's lease still holds then is held for a lease at
most (minutes): once the last such lease lapses, both scopes run again, and the shares are counted once more. Counted
from the emulators' state, never from the reports, each expected 0:

- sources left shared with the DR account (AWS: a createVolumePermission or the mark snapcopy:shared-with; ECS: a
  resource share's association or the mark; CBS: a staged copy shared) and, CBS, bridge disks and staged copies left;
- duplicates: two DR copies of one source snapshot in one region;
- copies that a scope's last report calls locked and that the cloud does not show locked when read back, and DR copies
  with no lock at all (AWS, ECS);
- missing: a disk of a scope without a copy of its newest snapshot in one of that scope's DR regions;
- copies in the disks' account (the DR account makes and keeps them).
"""

from __future__ import annotations

import datetime
import random
import threading
import time

import clouds  # pylint: disable=import-error  # tests/chaos is on the path (run.py)
import vault  # pylint: disable=import-error
from fakecloud import clients as fakecloud_clients  # pylint: disable=import-error  # tests/ is on the path (clouds)

CREDENTIALS = clouds.fakecloud_credentials
DR_ACCOUNTS = dict(vault.DR_ACCOUNTS, ecs=CREDENTIALS.ALIBABA_DR_ROLE_ARN)
CLOUDS = ('aws', 'ecs', 'cbs')
# Scope B: its selector (on every other tagged disk) and the DR region it adds to A's second.
SELECTOR_B = {'overlap': 'b'}
THIRD_REGION = {'aws': 'eu-central-1', 'ecs': 'cn-shenzhen', 'cbs': 'ap-beijing'}
SHARE_LEASE_TAG_PREFIX = 'snapcopy:share-claim:'  # plugins/module_utils/core/tagging.py
STAMP_FORMAT = '%Y%m%dT%H%M%SZ'  # plugins/module_utils/core/cloud_clock.py
# Who is killed, round after round.
VICTIMS = (('a',), ('b',), ('a', 'b'))


def scopes(target):
    """{scope: (its tag selector, its DR regions, its disks)}."""
    return {
        'a': (clouds.TAG_SELECTOR, list(target.dr_regions), list(target.disks)),
        'b': (SELECTOR_B, [target.dr_regions[1], THIRD_REGION[target.name]], target.disks[::2]),
    }


def needs(target):
    """{DR region: the disks that a scope copies there}."""
    wanted = {}
    for dummy_selector, regions, disks in scopes(target).values():
        for region in regions:
            wanted.setdefault(region, set()).update(disks)
    return wanted


def count_copies(newest, copies, wanted):
    """clouds.tally_copies over the DR regions, each with the disks that are copied there: ``newest`` {disk: newest
    snapshot}, ``copies`` {region: {copy: source}}, ``wanted`` {region: disks}."""
    figures = {'disks': len(newest), 'copies': 0, 'duplicates': 0, 'missing': 0}
    for region, disks in wanted.items():
        one = clouds.tally_copies({disk: newest[disk] for disk in disks}, {region: copies.get(region, {})}, {})
        for key in ('copies', 'duplicates', 'missing'):
            figures[key] += one[key]
    return figures


def live_leases(tags):
    """Whether a snapshot's tags hold a share lease whose run may still be under way (the time it names is to come)."""
    return latest_lease(tags) > now_stamp()


def latest_lease(tags):
    """The latest time a share lease among a snapshot's tags names ('' if none), as the leases write it."""
    return max(
        ((value or '').partition(' ')[0] for key, value in tags.items() if key.startswith(SHARE_LEASE_TAG_PREFIX)),
        default='',
    )


def now_stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime(STAMP_FORMAT)


def reported_locks(reports):
    """{region: copies that a report calls locked (a lock in force)} over the scopes' last reports."""
    locked = {}
    for report in reports:
        for disk in report.get('disks') or []:
            for copy in disk.get('copies') or []:
                if copy.get('snapshot_id') and (copy.get('lock') or {}).get('in_force'):
                    locked.setdefault(copy['region'], set()).add(copy['snapshot_id'])
    return locked


def lock_figures(figures, copies, locked, reports):
    """unlocked (DR copies without a lock in force when read back) and reported_locked_not_locked."""
    figures['unlocked'] = sum(len(set(items) - locked.get(region, set())) for region, items in copies.items())
    said = reported_locks(reports)
    figures['reported_locked'] = sum(len(items) for items in said.values())
    figures['reported_locked_not_locked'] = sum(
        len(items - locked.get(region, set())) for region, items in said.items()
    )


# ---------------------------------------------------------------------- AWS
def aws_tally(target, reports):
    import boto3  # pylint: disable=import-outside-toplevel  # only the driver needs it

    wanted = needs(target)
    account = vault.VaultAccount(target, sorted(wanted))
    copies, locked = {}, {}
    for region in wanted:
        items = account.copies(region)
        copies[region] = {
            item['SnapshotId']: {tag['Key']: tag['Value'] for tag in item.get('Tags', [])}.get(
                vault.SOURCE_TAG, '/'
            ).partition('/')[2]
            for item in items
        }
        ids = sorted(set(copies[region]) | reported_locks(reports).get(region, set()))
        locked[region] = account.locked(region, ids) if ids else set()
    newest, dummy_made_fresh = target.newest()
    figures = count_copies(newest, copies, wanted)
    lock_figures(figures, copies, locked, reports)
    # Every snapshot of the disks, not only the newest: a share a killed run left on a snapshot made old since counts
    # too.
    source = target._clients[target.source_region]  # pylint: disable=protected-access
    disks = set(target.disks)
    left, held, latest = 0, 0, ''
    for item in target._snapshots(target.source_region):  # pylint: disable=protected-access
        if item.get('VolumeId') not in disks:
            continue
        tags = {tag['Key']: tag['Value'] for tag in item.get('Tags', [])}
        permissions = source.describe_snapshot_attribute(
            SnapshotId=item['SnapshotId'], Attribute='createVolumePermission'
        )
        if vault.SHARE_TAG in tags or any(
            entry.get('UserId') == vault.VAULT_ACCOUNT for entry in permissions['CreateVolumePermissions']
        ):
            left += 1
            held += live_leases(tags)
            latest = max(latest, latest_lease(tags))
    theirs = 0
    for region in wanted:
        ec2 = boto3.client(
            'ec2',
            region_name=region,
            endpoint_url=target.moto_url,
            aws_access_key_id=target.access_key,
            aws_secret_access_key=target.secret_key,
        )
        theirs += sum(
            len(page['Snapshots']) for page in ec2.get_paginator('describe_snapshots').paginate(OwnerIds=['self'])
        )
    figures.update(
        shares_left=left, shares_left_under_a_live_lease=held, latest_lease=latest, copies_in_the_disks_account=theirs
    )
    return figures


# ---------------------------------------------------------------------- ECS, through its API (locks, resource shares)
def alibaba(target, client, product, version, action, params):
    from aliyunsdkcore.request import CommonRequest  # pylint: disable=import-outside-toplevel  # only the driver needs it

    request = CommonRequest(product=product, version=version, action_name=action)
    for key, value in params.items():
        request.add_query_param(key, value)
    request.set_accept_format('JSON')
    return fakecloud_clients.alibaba_call(target.url.partition('://')[2], client, request)


def alibaba_pages(target, client, product, version, action, params, key):
    rows, token = [], None
    while True:
        answer = alibaba(
            target,
            client,
            product,
            version,
            action,
            dict(params, MaxResults='100', **({'NextToken': token} if token else {})),
        )
        rows += answer.get(key) or []
        token = answer.get('NextToken')
        if not token:
            return rows


def ecs_tally(target, reports):
    source_client = fakecloud_clients.alibaba_client(auto_retry=False)
    keys = alibaba(
        target,
        source_client,
        'Sts',
        '2015-04-01',
        'AssumeRole',
        {'RoleArn': CREDENTIALS.ALIBABA_DR_ROLE_ARN, 'RoleSessionName': 'chaos-overlap-count'},
    )['Credentials']
    dr_client = fakecloud_clients.alibaba_client(
        access_key_id=keys['AccessKeyId'],
        secret=keys['AccessKeySecret'],
        security_token=keys['SecurityToken'],
        auto_retry=False,
    )
    state = target.admin.state(cloud='ecs')['ecs']
    wanted = needs(target)
    copies, locked, theirs = {}, {}, 0
    for region in wanted:
        snapshots = state.get(region, {}).get('snapshots', [])
        copies[region] = {
            snapshot['id']: snapshot['source_snapshot_id']
            for snapshot in snapshots
            if snapshot['account'] == CREDENTIALS.ALIBABA_DR_ACCOUNT_ID and snapshot['source_snapshot_id']
        }
        theirs += sum(
            1
            for snapshot in snapshots
            if snapshot['account'] != CREDENTIALS.ALIBABA_DR_ACCOUNT_ID and snapshot['source_snapshot_id']
        )
        locks = alibaba_pages(
            target,
            dr_client,
            'Ecs',
            '2014-05-26',
            'DescribeLockedSnapshots',
            {'RegionId': region},
            'LockedSnapshotsInfo',
        )
        locked[region] = {lock['SnapshotId'] for lock in locks if lock['LockStatus'] != 'expired'}
    newest, dummy_made_fresh = target.newest(state)
    figures = count_copies(newest, copies, wanted)
    lock_figures(figures, copies, locked, reports)
    shared = {
        row['ResourceId']
        for row in alibaba_pages(
            target,
            source_client,
            'ResourceSharing',
            '2020-01-10',
            'ListSharedResources',
            {'RegionId': target.source_region, 'ResourceOwner': 'Self', 'Target': CREDENTIALS.ALIBABA_DR_ACCOUNT_ID},
            'SharedResources',
        )
    }
    sources = {
        snapshot['id']: snapshot['tags'] for snapshot in state.get(target.source_region, {}).get('snapshots', [])
    }
    left = shared | {snapshot_id for snapshot_id, tags in sources.items() if vault.SHARE_TAG in tags}
    figures.update(
        shares_left=len(left),
        shares_left_under_a_live_lease=sum(1 for snapshot_id in left if live_leases(sources.get(snapshot_id, {}))),
        latest_lease=max((latest_lease(sources.get(snapshot_id, {})) for snapshot_id in left), default=''),
        copies_in_the_disks_account=theirs,
    )
    return figures


# ---------------------------------------------------------------------- CBS
def cbs_tally(target):
    """As vault.cbs_tally, over the DR regions of both scopes."""
    state = target.admin.state(cloud='cbs')['cbs']
    wanted = needs(target)
    copies, staged, untagged, shared, bridges = {}, 0, 0, 0, 0
    for region in wanted:
        snapshots = state.get(region, {}).get('snapshots', [])
        copies[region] = {
            snapshot['id']: snapshot['tags'].get(vault.SOURCE_TAG, '/').partition('/')[2]
            for snapshot in snapshots
            if snapshot['account'] == CREDENTIALS.TENCENT_DR_UIN and vault.STAGED_FROM_TAG in snapshot['tags']
        }
        theirs = [snapshot for snapshot in snapshots if snapshot['account'] != CREDENTIALS.TENCENT_DR_UIN]
        # A copy whose tagging a kill cut short is left alone, as in the vault part: counted apart.
        untagged += sum(1 for snapshot in theirs if vault.SOURCE_TAG not in snapshot['tags'])
        staged += sum(1 for snapshot in theirs if vault.SOURCE_TAG in snapshot['tags'])
        shared += sum(1 for snapshot in snapshots if snapshot['shared_with'])
        bridges += sum(
            1 for disk in state.get(region, {}).get('disks', []) if vault.STAGED_FROM_TAG in (disk.get('tags') or {})
        )
    newest, dummy_made_fresh = target.newest(state)
    figures = count_copies(newest, copies, wanted)
    figures.update(
        shares_left=shared, copies_in_the_disks_account=staged, bridge_disks_left=bridges, untagged_copies_left=untagged
    )
    return figures


def wait_for_the_leases(latest):
    """Sleep until the time ``latest`` (a lease's stamp) has passed."""
    until = datetime.datetime.strptime(latest, STAMP_FORMAT).replace(tzinfo=datetime.timezone.utc)
    time.sleep(max(0.0, (until - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1.0)


def tally(target, reports):
    if target.name == 'aws':
        return aws_tally(target, reports)
    return ecs_tally(target, reports) if target.name == 'ecs' else cbs_tally(target)


# ---------------------------------------------------------------------- the runs
def scope_variables(suite, target):
    variables = {}
    for name, (selector, regions, dummy_disks) in scopes(target).items():
        one = suite.role_vars(target, 'overlap-' + name)
        one.update(
            dr_copy_tag_selector=selector,
            dr_copy_dr_regions=regions,
            dr_copy_dr_account={'role_arn': DR_ACCOUNTS[target.name]},
        )
        if target.name in vault.LOCKS:
            one['dr_copy_lock'] = vault.LOCKS[target.name]
        variables[name] = one
    return variables


def both(work, names):
    """``work(name)`` for each scope at the same time."""
    threads = [threading.Thread(target=work, args=(name,), name='overlap-' + name) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def kill_round(suite, target, variables, run_number, plan):
    """One round: both scopes' runs started together; ``plan`` {scope: (mode, point)} kills those. Answers {scope:
    outcome}."""
    before = target.calls()
    # Each scope's run on a controller of its own: on one, they would wait for each other (dr_sync's scope lock).
    started = {
        name: suite.start_role(target, 'overlap-' + name, run_number, variables[name], controller=name)
        for name in variables
    }
    outcome = {}

    def watch(name):
        process, log = started[name]
        if name in plan:
            mode, point = plan[name]
            killed, working = suite.kill_at(process, target, mode, point, before)
            outcome[name] = {
                'killed': killed,
                'mode': mode,
                'point': point,
                'seconds_into_the_module': round(working, 1),
                'rc': None if killed else process.returncode,
                'group_gone': suite.group_gone(process.pid) if killed else True,
            }
        else:
            outcome[name] = {'killed': False, 'rc': process.wait()}
        log.close()

    both(watch, sorted(started))
    return outcome


def run(suite, emulators, kill_rounds):
    targets = [target for name, target in emulators.targets.items() if name in CLOUDS]
    for target in targets:
        target.seed(suite.args.disks, more_tags=dict.fromkeys(range(0, suite.args.disks, 2), SELECTOR_B))
    results = {}

    def one(target):
        rng = random.Random('%s-overlap-%s' % (suite.args.seed, target.name))
        variables = scope_variables(suite, target)
        rounds, run_number, kills, longest = [], 0, 0, 2.0 + suite.args.disks / 30.0
        while len(rounds) < kill_rounds and run_number < 3 * kill_rounds:
            run_number += 1
            if run_number > 1:
                # Give the next runs work to do, as the vault part does: a newer snapshot of a third of the disks.
                target.add_newest(rng.sample(target.disks, max(1, len(target.disks) // 3)))
            plan = {}
            for name in VICTIMS[len(rounds) % len(VICTIMS)]:
                mode = 'mutations' if kills % 2 else 'time'
                kills += 1
                # Both runs' mutating calls count: a point within a third of the disks' work.
                plan[name] = (
                    mode,
                    rng.randint(1, max(1, len(target.disks) // 3))
                    if mode == 'mutations'
                    else round(rng.uniform(0.0, longest), 2),
                )
            outcome = kill_round(suite, target, variables, run_number, plan)
            if any(item['killed'] for item in outcome.values()):
                rounds.append(outcome)
            else:
                longest = max(
                    0.2,
                    0.9
                    * max(
                        item['seconds_into_the_module']
                        for item in outcome.values()
                        if 'seconds_into_the_module' in item
                    ),
                )
        # The finale has work of the same kind for both at once: a newer snapshot of a third of the disks, half of them
        # B's.
        target.add_newest(rng.sample(target.disks, max(1, len(target.disks) // 3)))
        started = time.monotonic()
        together = {}

        def finish(name):
            together[name] = suite.run_to_completion(target, 'overlap-' + name, variables[name], first_run=100)

        both(finish, sorted(variables))
        after_together = tally(target, [suite.read_report(variables[name], target) for name in sorted(variables)])
        alone = {}
        if after_together['missing'] or any(runs[-1]['rc'] for runs in together.values()):
            # What the two left: a fresh snapshot one scope took after the other had copied (the disks both select),
            # say.
            for name in sorted(variables):
                alone[name] = suite.run_to_completion(target, 'overlap-' + name, variables[name], first_run=200)
        figures = tally(target, [suite.read_report(variables[name], target) for name in sorted(variables)])
        if figures.get('shares_left_under_a_live_lease'):
            # A killed run's lease holds its share until the lease lapses (minutes: a lease); the next runs then take it
            # back.
            wait_for_the_leases(figures['latest_lease'])
            both(
                lambda name: alone.setdefault(name, []).extend(
                    suite.run_to_completion(target, 'overlap-' + name, variables[name], first_run=300)
                ),
                sorted(variables),
            )
            lapsed = tally(target, [suite.read_report(variables[name], target) for name in sorted(variables)])
            figures.update(
                shares_left_before_the_leases_lapsed=figures['shares_left'],
                shares_left=lapsed['shares_left'],
                shares_left_under_a_live_lease=lapsed['shares_left_under_a_live_lease'],
            )
        last = {name: (alone.get(name) or together[name])[-1] for name in variables}
        figures.update(
            rounds=rounds,
            kills=sum(1 for outcome in rounds for item in outcome.values() if item['killed']),
            rounds_with_a_kill=len(rounds),
            runs_beside_a_kill_that_failed=sum(
                1 for outcome in rounds for item in outcome.values() if not item['killed'] and item['rc']
            ),
            runs_together=sum(len(runs) for runs in together.values()),
            runs_alone=sum(len(runs) for runs in alone.values()),
            converged=all(record['rc'] == 0 for record in last.values()),
            seconds_to_converge=round(time.monotonic() - started, 1),
            after_together={key: after_together.get(key) for key in ('copies', 'duplicates', 'missing', 'shares_left')},
            disks_b=len(scopes(target)['b'][2]),
            run_log={name: together[name] + alone.get(name, []) for name in variables},
            group_gone=all(item.get('group_gone', True) for outcome in rounds for item in outcome.values()),
        )
        results[target.name] = figures
        check(suite, target, figures)

    suite.on_each(one, targets, 'overlap')
    return results


PROBLEMS = (
    ('shares_left', 'sources left shared with the DR account'),
    ('duplicates', 'duplicate DR copies (two of one snapshot in a region)'),
    ('reported_locked_not_locked', 'copies the report calls locked that are not locked when read back'),
    ('unlocked', 'DR copies without a lock'),
    ('bridge_disks_left', 'bridge disks left'),
    ('copies_in_the_disks_account', 'copies in the disks\' account (CBS: staged copies left)'),
    ('missing', 'missing DR copies'),
)


def check(suite, target, figures):
    suite.check(target.name, 'overlap', figures)
    problems = []
    for key, text in PROBLEMS:
        # suite.check names duplicates and missing already.
        if figures.get(key) and key not in ('duplicates', 'missing'):
            problems.append('%s %s' % (figures[key], text))
    if target.name in vault.LOCKS and not figures['reported_locked']:
        problems.append('the reports call no copy locked')
    if figures['rounds_with_a_kill'] < suite.args.kill_rounds:
        problems.append(
            'only %d of %d rounds could be killed before their runs ended'
            % (figures['rounds_with_a_kill'], suite.args.kill_rounds)
        )
    if not figures['group_gone']:
        problems.append('a process of a killed run outlived the SIGKILL of its group')
    for text in problems:
        suite.problem(target.name, 'overlap', text)


def markdown(results):
    lines = [
        'Two scopes at once, their selectors meeting (A: every disk into two DR regions; B: half of them into A\'s second and a '
        'third), copies in a DR account, locked (AWS governance, ECS compliance); SIGKILL of one run or both at random points, '
        'then runs to completion.',
        '',
        '| cloud | disks (B) | kills (rounds) | runs to complete (together, alone) | copies | duplicates | missing | '
        'locked in the reports, not locked read back | unlocked | shares left (under a live lease) | bridge disks left | '
        'copies in the disks\' account |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, row in sorted(results.items()):
        locks = name in vault.LOCKS
        lines.append(
            '| %s | %d (%d) | %d (%d) | %d, %d | %d | %d | %d | %s | %s | %s | %s | %s |'
            % (
                name,
                row['disks'],
                row['disks_b'],
                row['kills'],
                row['rounds_with_a_kill'],
                row['runs_together'],
                row['runs_alone'],
                row['copies'],
                row['duplicates'],
                row['missing'],
                '%d, %d' % (row['reported_locked'], row['reported_locked_not_locked']) if locks else '-',
                row['unlocked'] if locks else '-',
                '%d%s'
                % (
                    row['shares_left'],
                    ' (%d)' % row['shares_left_under_a_live_lease'] if 'shares_left_under_a_live_lease' in row else '',
                )
                + (
                    '; %d before the killed runs\' leases lapsed' % row['shares_left_before_the_leases_lapsed']
                    if 'shares_left_before_the_leases_lapsed' in row
                    else ''
                ),
                row.get('bridge_disks_left', '-'),
                '%d%s'
                % (
                    row['copies_in_the_disks_account'],
                    ' (and %d a kill left untagged)' % row['untagged_copies_left']
                    if row.get('untagged_copies_left')
                    else '',
                ),
            )
        )
    return '\n'.join(lines) + '\n'
