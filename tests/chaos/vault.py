"""The chaos suite's vault part: the DR role with its copies in a separate DR account (AWS, CBS; dr_copy_dr_account) and
locked (AWS governance, ECS compliance; dr_copy_lock), under SIGKILLs at random points, then run to completion.

Then, per cloud:
- one DR copy of each disk's newest snapshot per DR region, none missing, every one of them owned by the DR account
  (AWS, CBS: none in the disks' account) and locked (AWS, ECS);
- no share with the DR account left (AWS: no snapshot marked snapcopy:shared-with, and no createVolumePermission for the
  DR account on any of the disks' snapshots; CBS: no snapshot shared, no staged copy and no bridge disk left);
- a rerun reports changed=false;
- after a newer snapshot of a third of the disks, a pruning run (keep_copies 1) sends no delete for a locked copy (AWS,
  ECS): it keeps each, reason locked, and fails nothing (a delete sent would be refused by the cloud, and named as a
  failure); on CBS, which has no lock, it deletes the older DR copies in the DR account, fails nothing, and leaves each
  disk its copy.
"""

from __future__ import annotations

import random
import time

import clouds  # pylint: disable=import-error  # tests/chaos is on the path (run.py)

VAULT_ACCOUNT = '999988887777'
VAULT_ROLE = 'arn:aws:iam::%s:role/snapcopy-vault' % VAULT_ACCOUNT
SHARE_TAG = 'snapcopy:shared-with'  # plugins/module_utils/core/tagging.py
SOURCE_TAG = 'snapcopy:source'
STAGED_FROM_TAG = 'snapcopy:staged-from'
LOCKS = {
    'aws': {'mode': 'governance', 'duration_days': 1},
    'ecs': {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 1},
}
# The clouds whose copies the DR account makes, and its role there.
DR_ACCOUNTS = {'aws': VAULT_ROLE, 'cbs': clouds.fakecloud_credentials.TENCENT_DR_ROLE_ARN}
CLOUDS = set(LOCKS) | set(DR_ACCOUNTS)


class VaultAccount:
    """The DR account's EC2 in ``regions`` (the target's DR regions by default), read with its own role's keys from moto
    directly (not through the fault proxy)."""

    def __init__(self, target, regions=None):
        import boto3  # pylint: disable=import-outside-toplevel  # only the driver needs it

        sts = boto3.client(
            'sts',
            region_name='us-east-1',
            endpoint_url=target.moto_url,
            aws_access_key_id=target.access_key,
            aws_secret_access_key=target.secret_key,
        )
        keys = sts.assume_role(RoleArn=VAULT_ROLE, RoleSessionName='chaos-vault-count')['Credentials']
        self.clients = {
            region: boto3.client(
                'ec2',
                region_name=region,
                endpoint_url=target.moto_url,
                aws_access_key_id=keys['AccessKeyId'],
                aws_secret_access_key=keys['SecretAccessKey'],
                aws_session_token=keys['SessionToken'],
            )
            for region in regions or target.dr_regions
        }

    def copies(self, region):
        pages = self.clients[region].get_paginator('describe_snapshots').paginate(OwnerIds=['self'])
        return [item for page in pages for item in page['Snapshots']]

    def locked(self, region, snapshot_ids):
        locked = set()
        for start in range(0, len(snapshot_ids), 200):
            answer = self.clients[region].describe_locked_snapshots(SnapshotIds=snapshot_ids[start : start + 200])
            locked |= {item['SnapshotId'] for item in answer['Snapshots'] if item['LockState'] != 'expired'}
        return locked


def aws_tally(target, vault):
    copies, unlocked = {}, 0
    for region in target.dr_regions:
        items = vault.copies(region)
        copies[region] = {
            item['SnapshotId']: {tag['Key']: tag['Value'] for tag in item.get('Tags', [])}.get(
                SOURCE_TAG, '/'
            ).partition('/')[2]
            for item in items
        }
        unlocked += len(set(copies[region]) - vault.locked(region, sorted(copies[region])))
    newest, dummy_made_fresh = target.newest()
    figures = clouds.tally_copies(newest, copies, {})
    source = target._clients[target.source_region]  # pylint: disable=protected-access
    marked = source.describe_snapshots(OwnerIds=['self'], Filters=[{'Name': 'tag-key', 'Values': [SHARE_TAG]}])[
        'Snapshots'
    ]
    shared = sum(
        1
        for snapshot_id in sorted({value for value in newest.values() if value})
        if any(
            permission.get('UserId') == VAULT_ACCOUNT
            for permission in source.describe_snapshot_attribute(
                SnapshotId=snapshot_id, Attribute='createVolumePermission'
            )['CreateVolumePermissions']
        )
    )
    figures.update(
        unlocked=unlocked,
        shares_left=len(marked) + shared,
        copies_in_the_disks_account=sum(len(target._snapshots(region)) for region in target.dr_regions),
    )  # pylint: disable=protected-access
    return figures


def cbs_tally(target):
    """The CBS DR account's copies (made of bridge disks, STAGED_FROM_TAG), and what the way there may leave: staged
    copies in the disks' account, shares, bridge disks. Read from fakecloud's state, which shows every account."""
    state = target.admin.state(cloud='cbs')['cbs']
    source = (
        target.admin.state(cloud='cbs', region=target.source_region)['cbs']
        .get(target.source_region, {})
        .get('snapshots', [])
    )
    wanted = set(target.disks)
    newest = {}
    for snapshot in source:
        if (
            snapshot['disk_id'] in wanted
            and snapshot['phase'] == 'done'
            and (
                snapshot['disk_id'] not in newest
                or clouds.newest_key(snapshot['created'], snapshot['id'])
                > clouds.newest_key(*newest[snapshot['disk_id']])
            )
        ):
            newest[snapshot['disk_id']] = (snapshot['created'], snapshot['id'])
    copies, staged, untagged, shared, bridges, details = {}, 0, 0, 0, 0, []
    for region in target.dr_regions:
        snapshots = state.get(region, {}).get('snapshots', [])
        copies[region] = {
            snapshot['id']: snapshot['tags'].get(SOURCE_TAG, '/').partition('/')[2]
            for snapshot in snapshots
            if snapshot['account'] == clouds.fakecloud_credentials.TENCENT_DR_UIN
            and STAGED_FROM_TAG in snapshot['tags']
        }
        theirs = [
            snapshot for snapshot in snapshots if snapshot['account'] != clouds.fakecloud_credentials.TENCENT_DR_UIN
        ]
        # A copy whose tagging a kill cut short carries only its name, which a copy module gives too: left alone, as
        # without dr_account (docs/vault.md), unless its source is a disk's newest again. Counted apart.
        untagged += sum(1 for snapshot in theirs if SOURCE_TAG not in snapshot['tags'])
        staged += sum(1 for snapshot in theirs if SOURCE_TAG in snapshot['tags'])
        shared += sum(1 for snapshot in snapshots if snapshot['shared_with'])
        left = [disk for disk in state.get(region, {}).get('disks', []) if STAGED_FROM_TAG in (disk.get('tags') or {})]
        bridges += len(left)
        by_id = {snapshot['id']: snapshot for snapshot in snapshots}
        finals_from = {
            snapshot['tags'].get(STAGED_FROM_TAG): snapshot
            for snapshot in snapshots
            if STAGED_FROM_TAG in snapshot['tags']
        }
        details += [
            {
                'disk': disk['id'],
                'status': disk.get('status'),
                'staged': disk['tags'][STAGED_FROM_TAG],
                'staged_left': bool(by_id.get(disk['tags'][STAGED_FROM_TAG])),
                'staged_tags': (by_id.get(disk['tags'][STAGED_FROM_TAG]) or {}).get('tags'),
                'final': (finals_from.get(disk['tags'][STAGED_FROM_TAG]) or {}).get('id'),
                'final_phase': (finals_from.get(disk['tags'][STAGED_FROM_TAG]) or {}).get('phase'),
            }
            for disk in left
        ]
    figures = clouds.tally_copies({disk: newest.get(disk, (None, None))[1] for disk in target.disks}, copies, {})
    figures.update(
        shares_left=shared + bridges,
        copies_in_the_disks_account=staged,
        bridge_disks_left=bridges,
        untagged_copies_left=untagged,
        bridge_disks_left_detail=details[:6],
    )
    return figures


def report_locks(report):
    """(copies whose lock the report shows in force, copies without) over the report's copies."""
    copies = [copy for disk in report.get('disks') or [] for copy in disk['copies'] if copy.get('snapshot_id')]
    locked = sum(1 for copy in copies if (copy.get('lock') or {}).get('in_force'))
    return locked, len(copies) - locked


def run(suite, emulators, kill_rounds):
    targets = [target for name, target in emulators.targets.items() if name in CLOUDS]
    for target in targets:
        target.seed(suite.args.disks)
    results = {}

    def one(target):
        rng = random.Random('%s-vault-%s' % (suite.args.seed, target.name))
        variables = suite.role_vars(target, 'vault')
        if target.name in LOCKS:
            variables['dr_copy_lock'] = LOCKS[target.name]
        if target.name in DR_ACCOUNTS:
            variables['dr_copy_dr_account'] = {'role_arn': DR_ACCOUNTS[target.name]}
        rounds, run_number, longest = [], 0, 2.0 + suite.args.disks / 30.0
        while len(rounds) < kill_rounds and run_number < 3 * kill_rounds:
            run_number += 1
            if run_number > 1:
                # Give the next run work to do, as the kill part does: a newer snapshot of a third of the disks.
                target.add_newest(rng.sample(target.disks, max(1, len(target.disks) // 3)))
            before = target.calls()
            mode = 'mutations' if len(rounds) % 2 else 'time'
            # A copy, its lock and (AWS) a share are each a mutating call or more: a point within a third of the disks'
            # work.
            point = (
                rng.randint(1, max(1, len(target.disks) // 3))
                if mode == 'mutations'
                else round(rng.uniform(0.0, longest), 2)
            )
            process, log = suite.start_role(target, 'vault', run_number, variables)
            killed, working = suite.kill_at(process, target, mode, point, before)
            log.close()
            if killed:
                rounds.append({'mode': mode, 'point': point, 'seconds_into_the_module': round(working, 1)})
            else:
                longest = max(0.2, 0.9 * working)
        started = time.monotonic()
        runs = suite.run_to_completion(target, 'vault', variables, first_run=run_number + 1)
        figures = tally(target)
        completed = suite.read_report(variables, target)
        figures['locked_in_report'], figures['unlocked_in_report'] = report_locks(completed)
        # The rerun: nothing to do.
        rerun = suite.run_to_completion(target, 'vault-rerun', variables, first_run=100)
        rerun_report = suite.read_report(variables, target)
        figures['rerun_changed'] = rerun_report.get('changed')
        # Pruning after newer snapshots of a third of the disks: every older copy is locked, none may be sent a delete.
        target.add_newest(rng.sample(target.disks, max(1, len(target.disks) // 3)))
        pruning = dict(variables, dr_copy_prune=True, dr_copy_keep_copies=1)
        prune_runs = suite.run_to_completion(target, 'vault-prune', pruning, first_run=200)
        prune_report = suite.read_report(pruning, target)
        disks = prune_report.get('disks') or []
        figures.update(
            kills=len(rounds),
            rounds=rounds,
            runs_after_kills=len(runs),
            converged=runs[-1]['rc'] == 0 and rerun[-1]['rc'] == 0,
            seconds_to_converge=round(time.monotonic() - started, 1),
            run_log=runs + rerun + prune_runs,
            pruning_kept_locked=sum(1 for disk in disks for kept in disk['kept'] if kept.get('reason') == 'locked'),
            pruning_deleted=sum(1 for disk in disks for pruned in disk['pruned'] if pruned['action'] == 'deleted'),
            pruning_failures=len(prune_report.get('failures') or []) + (0 if prune_runs[-1]['rc'] == 0 else 1),
            account=(completed.get('dr_account') or {}).get('account'),
        )
        if target.name in DR_ACCOUNTS:
            after = tally(target)
            figures.update(shares_left_after_pruning=after['shares_left'], missing_after_pruning=after['missing'])
        results[target.name] = figures
        check(suite, target, figures)

    suite.on_each(one, targets, 'vault')
    return results


def tally(target):
    if target.name == 'aws':
        return aws_tally(target, VaultAccount(target))
    return cbs_tally(target) if target.name == 'cbs' else target.tally()


def check(suite, target, figures):
    suite.check(target.name, 'vault', figures)
    problems = []
    if target.name in LOCKS and (figures.get('unlocked') or figures['unlocked_in_report']):
        problems.append('%s DR copies without a lock' % (figures.get('unlocked') or figures['unlocked_in_report']))
    if figures.get('shares_left') or figures.get('shares_left_after_pruning'):
        problems.append(
            '%s shares with the DR account left'
            % (figures.get('shares_left') or figures.get('shares_left_after_pruning'))
        )
    if figures.get('copies_in_the_disks_account'):
        problems.append('%d copies in the disks\' account, not the DR account' % figures['copies_in_the_disks_account'])
    if figures['rerun_changed'] is not False:
        problems.append('the rerun reported changed=%r' % figures['rerun_changed'])
    if target.name in LOCKS and (
        figures['pruning_deleted'] or figures['pruning_failures'] or not figures['pruning_kept_locked']
    ):
        problems.append(
            'pruning deleted %d and failed %d times, kept %d locked copies'
            % (figures['pruning_deleted'], figures['pruning_failures'], figures['pruning_kept_locked'])
        )
    if target.name not in LOCKS and (
        figures['pruning_failures'] or not figures['pruning_deleted'] or figures.get('missing_after_pruning')
    ):
        problems.append(
            'pruning deleted %d and failed %d times; %d disks left without a copy'
            % (figures['pruning_deleted'], figures['pruning_failures'], figures.get('missing_after_pruning') or 0)
        )
    expected_account = {'aws': VAULT_ACCOUNT, 'cbs': clouds.fakecloud_credentials.TENCENT_DR_UIN}.get(target.name)
    if expected_account and figures['account'] != expected_account:
        problems.append('the report names the DR account %r' % figures['account'])
    if figures['kills'] < suite.args.kill_rounds:
        problems.append(
            'only %d of %d runs could be killed before they ended' % (figures['kills'], suite.args.kill_rounds)
        )
    for text in problems:
        suite.problem(target.name, 'vault', text)


def markdown(results):
    lines = [
        'Copies in a DR account (AWS, CBS) and locked (AWS governance, ECS compliance), SIGKILL at random points, then runs '
        'to completion, a rerun, and a pruning run after newer snapshots of a third of the disks.',
        '',
        '| cloud | kills | runs to complete | copies | duplicates | missing | unlocked | shares left (CBS: and bridge disks) | '
        'copies in the disks\' account | rerun changed | pruning: kept locked, deleted, failures |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, row in sorted(results.items()):
        lines.append(
            '| %s | %d | %d | %d | %d | %d | %s | %s | %s | %s | %d, %d, %d |'
            % (
                name,
                row['kills'],
                row['runs_after_kills'],
                row['copies'],
                row['duplicates'],
                row['missing'],
                row.get('unlocked', row['unlocked_in_report']) if name in LOCKS else '-',
                row.get('shares_left', '-'),
                '%s%s'
                % (
                    row.get('copies_in_the_disks_account', '-'),
                    ' (and %d a kill left untagged)' % row['untagged_copies_left']
                    if row.get('untagged_copies_left')
                    else '',
                ),
                row['rerun_changed'],
                row['pruning_kept_locked'],
                row['pruning_deleted'],
                row['pruning_failures'],
            )
        )
    return '\n'.join(lines) + '\n'
