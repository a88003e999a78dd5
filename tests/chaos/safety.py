"""The chaos suite's safety part: the moves of the safety contract's state machine, on the emulators and for real.

Per cloud, on tagged disks whose DR copies are pruned to one per disk and region (``dr_copy_keep_copies: 1``):

1. archive copies of a third of the disks' newest snapshots, made with the cloud's copy module into the first DR
   region before any DR run (the DR runs then use them as those disks' copies);
2. a DR run under the load part's faults, run to completion;
3. people's copies of a third of the DR copies (the same region and the other), every tag and the description
   copied along, and on the clouds that record a copy's source, the cloud's link to the DR copy;
4. rounds: every disk gets a newer snapshot, and a DR run under faults, with a fifth of the copies failing in the
   cloud (fakecloud; moto's copies cannot fail), is killed (SIGKILL of its process group) after a random number of
   mutating calls, with ``dr_copy_wait`` true and false in turn;
5. a newer snapshot of every disk (a run never replaces a failed copy: docs/failed-copies.md), no copy failing
   from here on, and two DR runs of the scope at once (a schedule and a person's run), each to its end;
6. runs to completion.

After every run, killed or not, and from the emulators' own state (never from what the collection reports):
- no archive copy and no person's copy was deleted;
- every disk that had a completed copy in a DR region still has one there (a copy of one of its snapshots, or of
  such a copy);
and at the end: no disk without a copy of its newest snapshot, and copies pruned. Duplicates and copies kept beyond
``keep_copies`` are counted, not failed: two runs at once can both copy where the cloud takes no idempotency token
(the load and kill parts hold single runs to none), and a copy no run could prove its own is kept on purpose.
"""

from __future__ import annotations

import json
import os
import random
import subprocess

import clouds

ARCHIVE_PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'archive.yml')
# The DR runs' mark on EBS and CBS (plugins/module_utils/core/tagging.py): the copy's own id.
COPY_TAG = 'snapcopy:copy'
KEEP_COPIES = 1
# The share of fakecloud's copies that end failed during the rounds.
FAILING_COPIES = 0.2


class World:
    """One cloud's side of the safety part: its foreign copies, and what the emulator holds, read afresh."""

    def __init__(self, suite, emulators, target, client_timeout):
        self.suite, self.emulators, self.target = suite, emulators, target
        self.client_timeout = client_timeout
        self.foreign = {}  # copy id -> 'archive' or 'person'
        self.foreign_deleted = set()
        self.dr_copies_seen = set()  # the DR runs' copies every check saw: those gone since were pruned
        self.restorable = set()  # (disk, region) that had a completed copy
        self.runs = []
        self.kills = 0
        self.rng = random.Random('%s-safety-%s' % (suite.args.seed, target.name))

    # ------------------------------------------------------------------ what the emulator holds
    def snapshots(self):
        """[{'id', 'region', 'source', 'done', 'tags'}] of every snapshot in the source and DR regions; ``source`` is
        what it was copied from (None for a disk's own snapshot), ``disk`` the disk of a disk's own snapshot."""
        target = self.target
        if target.name == 'aws':
            ledger = target.proxy.faults.report()['copies']
            items = []
            for region in [target.source_region, *target.dr_regions]:
                for item in target._snapshots(region):  # pylint: disable=protected-access  # the suite's own helper
                    made = ledger.get(item['SnapshotId'])
                    items.append(
                        {
                            'id': item['SnapshotId'],
                            'region': region,
                            'source': made[2] if made else None,
                            'disk': None if made else item['VolumeId'],
                            'done': item['State'] == 'completed',
                            'created': item['StartTime'],
                            'failed': item['State'] == 'error',
                            'tags': {tag['Key']: tag['Value'] for tag in item.get('Tags', [])},
                        }
                    )
            return items
        state = self.emulators.admin.state(cloud=target.name)[target.name]
        return [
            {
                'id': snapshot['id'],
                'region': region,
                'source': snapshot['source_snapshot_id'] or None,
                'disk': None if snapshot['source_snapshot_id'] else snapshot['disk_id'],
                'done': snapshot['phase'] == 'done',
                'created': snapshot['created'],
                'failed': snapshot['phase'] == 'failed',
                'tags': snapshot.get('tags') or {},
                'description': snapshot.get('description') or '',
            }
            for region in [target.source_region, *target.dr_regions]
            for snapshot in state.get(region, {}).get('snapshots', [])
        ]

    def disk_of(self, snapshots):
        """{snapshot id: disk} through the chain of sources: a copy of a copy is still a copy of the disk."""
        by_id = {item['id']: item for item in snapshots}
        disks = {}
        for item in snapshots:
            seen, current = set(), item
            while current is not None and current['disk'] is None and current['id'] not in seen:
                seen.add(current['id'])
                current = by_id.get(current['source'])
            if current is not None and current['disk'] in self.target.disks:
                disks[item['id']] = current['disk']
        return disks

    def check(self, when):
        """The contract after a run: no foreign copy gone, no disk without the completed copy it had in a region."""
        snapshots = self.snapshots()
        present = {item['id'] for item in snapshots}
        for copy_id, kind in sorted(self.foreign.items()):
            if copy_id not in present and copy_id not in self.foreign_deleted:
                self.foreign_deleted.add(copy_id)
                self.suite.problem(self.target.name, 'safety', '%s: the %s copy %s was deleted' % (when, kind, copy_id))
        disks = self.disk_of(snapshots)
        self.dr_copies_seen |= {
            item['id']
            for item in snapshots
            if item['region'] in self.target.dr_regions and item['id'] in disks and item['id'] not in self.foreign
        }
        now = {
            (disks[item['id']], item['region'])
            for item in snapshots
            if item['done'] and item['region'] in self.target.dr_regions and item['id'] in disks
        }
        for disk, region in sorted(self.restorable - now):
            self.suite.problem(
                self.target.name, 'safety', '%s: disk %s has no restorable copy left in %s' % (when, disk, region)
            )
        self.restorable |= now
        return snapshots

    # ------------------------------------------------------------------ the world's moves
    def archive_vars(self):
        """archive.yml's variables for this cloud's host: copies of the newest snapshots of the first third of the
        disks, made with the copy module."""
        target = self.target
        newest = self.newest_snapshots(self.snapshots())
        jobs = [
            {'source': newest[disk], 'destination': target.dr_regions[0]}
            for disk in target.disks[: len(target.disks) // 3]
        ]
        return {
            'archive_provider': target.provider,
            'archive_source_region': target.source_region,
            'archive_connection': target.connection(),
            'archive_copies': jobs,
        }

    def archived(self, outcome, failed, log):
        """Take the archive copies archive.yml made for this cloud (``outcome``: its host's, from the chaos_outcomes
        callback) as foreign copies."""
        if failed:
            self.suite.problem(self.target.name, 'safety', 'the archive copies failed (see %s)' % log)
            return
        made = outcome['registered']['chaos_archived_%s' % self.target.provider]['results']
        self.foreign.update((item['snapshots'][0]['snapshot_id'], 'archive') for item in made)

    def newest_snapshots(self, snapshots):
        """{disk: its newest completed snapshot} among ``snapshots``, in the order the DR run picks it."""
        disks_own = [item for item in snapshots if item['disk'] in self.target.disks and item['done']]
        newest = {}
        for item in sorted(disks_own, key=lambda item: clouds.newest_key(item['created'], item['id'])):
            newest[item['disk']] = item['id']
        return newest

    def people_copy(self, snapshots):
        """A person copies a third of the DR copies (the middle third of the disks) into each DR region, with every
        tag, and the description, copied along."""
        target = self.target
        disks = self.disk_of(snapshots)
        wanted = set(target.disks[len(target.disks) // 3 : 2 * len(target.disks) // 3])
        originals = [
            item
            for item in snapshots
            if item['region'] == target.dr_regions[0]
            and item['done']
            and item['id'] not in self.foreign
            and disks.get(item['id']) in wanted
            and item['source'] is not None
        ]
        for original in originals:
            for region in target.dr_regions:
                self.foreign[self.copy_by_hand(original, region)] = 'person'

    def copy_by_hand(self, original, region):
        target = self.target
        if target.name == 'aws':
            import boto3  # pylint: disable=import-outside-toplevel  # the suite's driver has it

            ec2 = boto3.client(
                'ec2',
                region_name=region,
                endpoint_url=target.proxy.url,
                aws_access_key_id=target.access_key,
                aws_secret_access_key=target.secret_key,
            )
            return ec2.copy_snapshot(
                SourceRegion=original['region'],
                SourceSnapshotId=original['id'],
                Description='my own copy',
                TagSpecifications=[
                    {
                        'ResourceType': 'snapshot',
                        'Tags': [{'Key': key, 'Value': value} for key, value in original['tags'].items()],
                    }
                ],
            )['SnapshotId']
        spec = {
            'region': region,
            'is_copy': True,
            'source_snapshot_id': original['id'],
            'source_region': original['region'],
            'name': 'my own copy',
            'description': original.get('description') or 'my own copy',
            'tags': dict(original['tags']),
        }
        return self.emulators.admin.seed({target.name: {'snapshots': [spec]}})[target.name]['snapshots'][0]

    # ------------------------------------------------------------------ DR runs
    def role_vars(self):
        variables = self.suite.role_vars(self.target, 'safety', self.client_timeout)
        # An archive copy differs from what the role asks (its tags, its description): the run uses it, and says so.
        variables.update(
            dr_copy_restore_test=False, dr_copy_prune=True, dr_copy_keep_copies=KEEP_COPIES, dr_copy_on_mismatch='warn'
        )
        return variables

    def killed_run(self, label, wait):
        """A DR run killed after a random number of mutating calls (or left to end, when it makes fewer)."""
        before = self.target.calls()
        point = self.rng.randint(1, 2 * len(self.target.disks) * len(self.target.dr_regions))
        process, log = self.suite.start_role(
            self.target, 'safety', len(self.runs) + 1, dict(self.role_vars(), dr_copy_wait=wait)
        )
        killed, dummy = self.suite.kill_at(process, self.target, 'mutations', point, before)
        log.close()
        self.runs.append(
            {'run': len(self.runs) + 1, 'killed_after_mutations': point if killed else None, 'rc': process.returncode}
        )
        self.kills += bool(killed)
        self.check(label)

    # ------------------------------------------------------------------ the end
    def figures(self, snapshots):
        """The end's figures, from the emulator's state: copies that ended failed are kept by every run (the user
        reads why, then deletes them: docs/failed-copies.md), so they count apart."""
        target = self.target
        disks = self.disk_of(snapshots)
        newest = self.newest_snapshots(snapshots)
        dr_copies, per_source, unmarked, failed = {}, {}, 0, 0
        for item in snapshots:
            if item['region'] not in target.dr_regions or item['id'] not in disks:
                continue
            if item['failed']:
                failed += 1
                continue
            per_source.setdefault((item['region'], item['source']), []).append(item['id'])
            if item['id'] in self.foreign:
                continue
            if target.name in ('aws', 'cbs') and item['tags'].get(COPY_TAG) != item['id']:
                unmarked += 1  # kept on purpose: no run could prove it its own
                continue
            key = (disks[item['id']], item['region'])
            dr_copies[key] = dr_copies.get(key, 0) + 1
        return {
            'disks': len(target.disks),
            'runs': len(self.runs),
            'kills': self.kills,
            'archive_copies': sum(1 for kind in self.foreign.values() if kind == 'archive'),
            'person_copies': sum(1 for kind in self.foreign.values() if kind == 'person'),
            'foreign_deleted': len(self.foreign_deleted),
            'restorable': len(self.restorable),
            'duplicates': sum(len(ids) - 1 for ids in per_source.values()),
            'missing': sum(
                1
                for disk in target.disks
                for region in target.dr_regions
                if (region, newest.get(disk)) not in per_source
            ),
            'over_kept': sum(max(0, count - KEEP_COPIES) for count in dr_copies.values()),
            'unmarked_kept': unmarked,
            'failed_kept': failed,
            'pruned': len(self.dr_copies_seen - {item['id'] for item in snapshots}),
        }


def archive(suite, worlds):
    """Every cloud's archive copies, made with its copy module (archive.yml, one host per cloud: one playbook start
    for them all)."""
    variables = {name: world.archive_vars() for name, world in worlds.items()}
    command, env, outcomes_file = suite.hosts_playbook(ARCHIVE_PLAYBOOK, 'safety-archive', variables)
    log = os.path.join(suite.work, 'logs', 'safety-archive.log')
    with open(log, 'w', encoding='utf-8') as stream:
        subprocess.call(command, env=env, stdout=stream, stderr=subprocess.STDOUT)
    codes = suite.host_codes(outcomes_file, list(worlds))
    outcomes = {}
    if os.path.exists(outcomes_file):
        with open(outcomes_file, encoding='utf-8') as stream:
            outcomes = json.load(stream)
    for name, world in worlds.items():
        world.archived(outcomes.get(name), codes[name], log)


def runs_to_completion(suite, worlds, label):
    """A DR run of every cloud (one playbook a round, Suite.runs_to_completion), run until each succeeds; then the
    contract's check on each."""
    records = suite.runs_to_completion(
        [world.target for world in worlds.values()],
        'safety',
        {name: world.role_vars() for name, world in worlds.items()},
        {name: len(world.runs) + 1 for name, world in worlds.items()},
    )
    snapshots = {}
    for name, world in worlds.items():
        world.runs += records[name]
        if records[name][-1]['rc'] != 0:
            suite.problem(name, 'safety', '%s: no run succeeded in %d runs' % (label, len(records[name])))
        snapshots[name] = world.check(label)
    return snapshots


def runs_at_once(suite, worlds, label):
    """Two DR runs of each cloud's scope at once, one waiting for its copies and one not, each from a controller of its
    own; each goes to its end. The clouds' runs that wait share one playbook, those that do not another."""
    started = []
    for wait in (True, False):
        variables, numbers = {}, {}
        for name, world in worlds.items():
            variables[name] = dict(
                world.role_vars(),
                dr_copy_wait=wait,
                dr_copy_report_dir=os.path.join(suite.work, 'reports', 'safety-at-once-%s' % wait, name),
            )
            numbers[name] = len(world.runs) + 1
            world.runs.append({'run': numbers[name], 'at_once': True})
        targets = [world.target for world in worlds.values()]
        started.append(suite.start_roles(targets, 'safety', numbers, variables, controller='wait-%s' % wait))
    for number, (process, log, outcomes_file) in enumerate(started):
        process.wait()
        log.close()
        codes = suite.host_codes(outcomes_file, list(worlds))
        for name, world in worlds.items():
            world.runs[number - 2]['rc'] = codes[name]
    for world in worlds.values():
        world.check(label)


def each_group(suite, worlds, move, *args):
    """``move(suite, group, *args)`` on all the clouds at once, or, with --serial, on one cloud at a time; answers
    the merged {cloud: result} of the moves that answer one."""
    groups = [worlds] if suite.args.parallel else [{name: world} for name, world in worlds.items()]
    merged = {}
    for group in groups:
        merged.update(move(suite, group, *args) or {})
    return merged


def run(suite, emulators, rounds, client_timeout):
    """The safety part on every cloud of ``emulators``; answers {cloud: figures}."""
    worlds = {name: World(suite, emulators, target, client_timeout) for name, target in emulators.targets.items()}
    for world in worlds.values():
        world.target.seed(max(6, suite.args.disks // 5))
    each_group(suite, worlds, archive)
    emulators.faults_on(suite.args.seed)
    each_group(suite, worlds, runs_to_completion, 'the first DR run')
    emulators.faults_off()
    suite.each_target(emulators, lambda target: worlds[target.name].people_copy(worlds[target.name].snapshots()))
    emulators.faults_on(suite.args.seed + 1, failing_copies=FAILING_COPIES)
    for number in range(1, rounds + 1):
        for world in worlds.values():
            world.target.add_newest(world.target.disks)
        # Each cloud's run is killed at its own point: one playbook per cloud.
        suite.each_target(
            emulators,
            lambda target, number=number: worlds[target.name].killed_run(
                'killed run %d' % number, wait=bool(number % 2)
            ),
        )
    # A failed copy is never replaced by a run (docs/failed-copies.md): the runs after the rounds copy a newer snapshot,
    # with no copy failing.
    emulators.faults_on(suite.args.seed + 2)
    for world in worlds.values():
        world.target.add_newest(world.target.disks)
    each_group(suite, worlds, runs_at_once, 'two runs at once')
    results = {}
    snapshots = each_group(suite, worlds, runs_to_completion, 'the run after the kills')

    def last(target):
        world = worlds[target.name]
        results[target.name] = world.figures(snapshots[target.name])
        # Duplicates and copies kept beyond keep_copies cost money, not protection: two runs at once on a cloud without
        # an idempotency token can both copy (the load and kill parts hold single runs to 0 duplicates).
        for key in ('missing',):
            if results[target.name][key]:
                suite.problem(target.name, 'safety', '%d %s' % (results[target.name][key], key.replace('_', ' ')))
        if not results[target.name]['pruned']:
            suite.problem(target.name, 'safety', 'no DR copy was pruned: the part proved nothing about pruning')

    suite.each_target(emulators, last)
    emulators.faults_off()
    return results


def markdown(results):
    lines = [
        'Safety: archive copies made with the copy modules, people\'s copies of DR copies with every tag, DR runs '
        'pruning to %d copy per disk and region under the load part\'s faults, %d %% of copies failing, SIGKILLs and '
        'two runs at once.' % (KEEP_COPIES, 100 * FAILING_COPIES),
        '',
        '| cloud | disks | runs | kills | archive copies | people\'s copies | foreign copies deleted | disks and regions '
        'that kept a restorable copy | pruned | duplicates | missing | over kept | unmarked, kept | failed, kept |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, row in sorted(results.items()):
        lines.append(
            '| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |'
            % (
                name,
                row['disks'],
                row['runs'],
                row['kills'],
                row['archive_copies'],
                row['person_copies'],
                row['foreign_deleted'],
                row['restorable'],
                row['pruned'],
                row['duplicates'],
                row['missing'],
                row['over_kept'],
                row['unmarked_kept'],
                row['failed_kept'],
            )
        )
    return '\n'.join(lines) + '\n'
