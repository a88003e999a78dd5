"""The safety contract of the CBS DR account's way (docs/safety.md, clouds.tencent.cbs_dr_account), searched by
hypothesis against fakecloud.

CBS's way into a DR account deletes: bridge disks, and the staged copies the source account made. The world: two tagged
disks that get new snapshots, two DR regions; DR runs with and without wait and pruning, killed between any two of their
calls (the run's clients stop at the N-th call, as a SIGKILL would stop them), with answers lost after the cloud carried
a call out, and with a whole other run of the scope between any two of a run's calls; a person's snapshot in a DR
region, which a person may share with the DR account; a person's copy of one of our staged copies, with our tags; a
person deleting a staged copy (cancelling its share first, as CBS requires), or terminating a bridge disk, which CBS
lists TORECYCLE for a while (drawn: not at all, a minute, two hours). The real adapter and SDK, over HTTP to fakecloud,
whose clock the runs' waits move.

After every move:
1. every disk that ever had a complete DR copy in a DR region still has one there, in the DR account;
2. no snapshot or disk that no DR run made (the disks' snapshots, a person's) is ever deleted, and a person's share
   stays;
3. a staged copy is deleted, and a bridge disk terminated, only once the DR account's copy made from it has been
   complete (or, for a bridge disk, once a person deleted its staged copy);
4. never two DR copies of one source snapshot in a DR region, nor two staged copies;
5. a run with wait that ends (not killed, no answers lost) fails no copy, names no disk CBS listed as terminated as
   made, and leaves no staged copy, share or bridge disk behind (but a copy whose tagging a kill cut short, which
   carries only the name a copy module gives too, and is left alone as ever); any run that ends (no answers lost) leaves
   no bridge disk whose staged copy is gone and no DR copy is being made from it.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from tencentcloud.cbs.v20170312 import cbs_client

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import client as _tencent
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_TAG,
    DISK_TAG,
    SOURCE_TAG,
    STAGED_FROM_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import connect_dr_account
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.run import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import tencent_client
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_cbs import person
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import TENCENT

SOURCE, DR_REGIONS = 'ap-guangzhou', ('ap-shanghai', 'ap-beijing')
SOURCE_UIN, DR_UIN = credentials.TENCENT_UIN, credentials.TENCENT_DR_UIN
EXAMPLES = int(os.environ.get('SNAPCOPY_CBS_VAULT_EXAMPLES', '25'))
# The runs' wall clock (the time of an ask for a bridge disk) at the world's start; it moves with the world's clock.
EPOCH = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


class RunKilled(BaseException):
    """The run's process is gone: nothing of it runs after this (a BaseException, as SIGKILL spares no handler)."""


class Killer:
    """Stops a run at its N-th call to the cloud, in any account; or, before its M-th call, lets a whole other run go
    (``meanwhile``), whose calls it neither counts nor stops: two runs interleaved at any call of the first."""

    def __init__(self) -> None:
        self.left: int | None = None
        self.meanwhile_in: int | None = None
        self.meanwhile: Callable[[], None] | None = None
        self.inside = False
        self.original = _tencent.TencentClient.call

    def __enter__(self) -> Killer:
        killer = self

        def call(client, *args, **kwargs):
            if not killer.inside:
                if killer.meanwhile_in is not None:
                    killer.meanwhile_in -= 1
                    if killer.meanwhile_in < 0 and killer.meanwhile is not None:
                        other, killer.meanwhile = killer.meanwhile, None
                        killer.inside = True
                        try:
                            other()
                        finally:
                            killer.inside = False
                if killer.left is not None:
                    if killer.left <= 0:
                        raise RunKilled()
                    killer.left -= 1
            return killer.original(client, *args, **kwargs)

        _tencent.TencentClient.call = call
        return self

    def __exit__(self, *exc_info) -> None:
        _tencent.TencentClient.call = self.original


class CbsVaultWorld(RuleBasedStateMachine):
    """One CBS scope whose copies the DR account makes and owns, and everything that may happen to it."""

    fakecloud = None  # the session's emulator, set by the test

    @initialize(recycle_seconds=st.sampled_from([0, 60, 7200]))
    def start(self, recycle_seconds):
        self.admin = self.fakecloud.admin
        self.admin.reset()
        # The world's time moves by days: the signatures' timestamps (the host's clock) are not held to it.
        self.admin.configure(
            timings={
                'cbs': {
                    'snapshot_seconds': 10,
                    'copy_seconds': 20,
                    'disk_seconds': 10,
                    'recycle_seconds': recycle_seconds,
                }
            },
            tencent_timestamp_window_seconds=10**9,
        )
        seeded = self.admin.seed(
            cbs={'disks': [{'region': SOURCE, 'size': 20, 'tags': {'vault': 'yes'}, 'snapshots': 1}] * 2}
        )['cbs']
        self.disks = seeded['disks']
        self.sources = set(seeded['snapshots'])
        self.clock = FakeClock(1000.0)
        # A person's snapshot in each DR region, in the disks' account (which a person may share with the DR account).
        self.persons_snapshots = dict(
            zip(
                DR_REGIONS,
                self.admin.seed(cbs={'snapshots': [{'region': region} for region in DR_REGIONS]})['cbs']['snapshots'],
            )
        )
        self.persons = set(self.persons_snapshots.values())
        self.state = {}
        self.persons_shares = set()
        self.ever_restorable = set()  # (disk, region) that had a complete DR copy in the DR account
        self.complete_finals = set()  # staged copy ids whose DR copy was seen complete
        self.staged_seen = set()
        self.bridges_seen = {}  # bridge disk id -> staged copy id
        self.persons_deletions = set()  # staged copies a person deleted
        self.persons_returns = set()  # bridge disks a person terminated

    # ------------------------------------------------------------------ the world's moves
    @rule(disk=st.integers(0, 1))
    def new_snapshot(self, disk):
        self.sources |= set(
            self.admin.seed(cbs={'snapshots': [{'region': SOURCE, 'disk_id': self.disks[disk], 'age_seconds': 0}]})[
                'cbs'
            ]['snapshots']
        )

    @rule(seconds=st.sampled_from([5, 30, 120, 3600, 86400]))
    def time_passes(self, seconds):
        self.admin.advance_clock(seconds)
        self.clock.now += seconds

    @rule(
        wait=st.booleans(),
        keep_copies=st.sampled_from([None, 1, 2]),
        killed_after=st.one_of(st.none(), st.integers(0, 60)),
        lost_answers=st.booleans(),
        another_run_in=st.one_of(st.none(), st.integers(0, 60)),
    )
    def dr_run(self, wait, keep_copies, killed_after, lost_answers, another_run_in):  # pylint: disable=too-many-arguments
        self.admin.faults(
            rules=[{'cloud': 'cbs', 'action': '*', 'lost_answer_rate': 0.15}] if lost_answers else [],
            seed=len(self.staged_seen),
        )
        options = {
            'provider': 'cbs',
            'source_region': SOURCE,
            'dr_regions': list(DR_REGIONS),
            'tag_selector': {'vault': 'yes'},
            'prune': bool(keep_copies),
            'keep_copies': keep_copies,
            'wait': wait,
            'wait_timeout': 600,
            'poll_interval': 5,
            'dr_account': {'role_arn': credentials.TENCENT_DR_ROLE_ARN},
        }
        settings_ = dr_settings(options)
        retry = CallRetry(default_backoff(sleep=self.sleep, clock=self.clock.clock))
        connection = dict(TENCENT, endpoint_url=self.fakecloud.url)
        report = None
        self.read_state()
        returned = {disk['id'] for region in DR_REGIONS for disk in self.bridge_disks(region, returned=True)}

        def one_run(run_settings):
            adapter = CbsAdapter.from_connection(connection, retry=retry)
            connect_dr_account(adapter, connection, run_settings.dr_account, SOURCE, DR_REGIONS[0])
            adapter.dr.bridge.now = lambda: EPOCH + datetime.timedelta(seconds=self.clock.now)
            return DrRun(adapter, run_settings, retry=retry, clock=self.clock.clock, sleep=self.sleep, workers=1).run()

        with Killer() as killer:
            killer.left = killed_after
            if another_run_in is not None:
                # Another run of the scope (a schedule beside a manual run), whole, before this run's N-th call.
                killer.meanwhile_in = another_run_in
                killer.meanwhile = lambda: one_run(
                    dr_settings(dict(options, wait=False, prune=False, keep_copies=None))
                )
            try:
                report = one_run(settings_)
            except RunKilled:
                pass
            finally:
                self.admin.faults(rules=[])
        self.read_state()
        self.check_dr_region()
        if report is not None and not lost_answers:
            orphans = self.orphan_bridges()
            assert not orphans, (
                'a run left bridge disks whose staged copy is gone and no DR copy is being made from: %s' % orphans
            )
        if report is not None and wait and not lost_answers:
            assert not report['failures'], report['failures']
            made = returned & set(report['dr_account']['made'])
            assert not made, 'a run named as made bridge disks CBS listed as terminated: %s' % sorted(made)
            staged, shares, bridges = self.left_behind()
            assert not (staged or shares or bridges), (
                'a run with wait left staged copies %s, shares %s, bridge disks %s' % (staged, shares, bridges)
            )

    def sleep(self, seconds):
        self.clock.sleep(seconds)
        self.admin.advance_clock(seconds)

    @rule(region=st.sampled_from(DR_REGIONS))
    def a_person_shares_a_snapshot_with_the_dr_account(self, region):
        snapshot_id = self.persons_snapshots[region]
        client = tencent_client(cbs_client.CbsClient, self.fakecloud.endpoint, region)
        client.call_json(
            'ModifySnapshotsSharePermission',
            {'SnapshotIds': [snapshot_id], 'AccountIds': [DR_UIN], 'Permission': 'SHARE'},
        )
        self.persons_shares.add(snapshot_id)

    @rule(pick=st.integers(0, 7))
    def a_person_deletes_a_staged_copy(self, pick):
        """One of the staged copies there are; shared, its share is cancelled first (CBS refuses to delete it else)."""
        self.read_state()
        staged = sorted(
            (snapshot['id'], region, snapshot['shared_with'])
            for region in DR_REGIONS
            for snapshot in self.snapshots(region)
            if snapshot['account'] == SOURCE_UIN
            and SOURCE_TAG in snapshot['tags']
            and snapshot['id'] not in self.persons
        )
        if not staged:
            return
        snapshot_id, region, shared_with = staged[pick % len(staged)]
        client = person(self.fakecloud, SOURCE_UIN, region)
        if shared_with:
            client.call_json(
                'ModifySnapshotsSharePermission',
                {'SnapshotIds': [snapshot_id], 'AccountIds': sorted(shared_with), 'Permission': 'CANCEL'},
            )
        client.call_json('DeleteSnapshots', {'SnapshotIds': [snapshot_id]})
        self.persons_deletions.add(snapshot_id)

    @rule(pick=st.integers(0, 7))
    def a_person_terminates_a_bridge_disk(self, pick):
        """One of the bridge disks CBS lists (the DR account's person, through the role as anyone of it)."""
        self.read_state()
        disks = sorted(
            (disk['id'], region) for region in DR_REGIONS for disk in self.bridge_disks(region) if disk['status']
        )
        if not disks:
            return
        disk_id, region = disks[pick % len(disks)]
        person(self.fakecloud, DR_UIN, region).call_json('TerminateDisks', {'DiskIds': [disk_id]})
        self.persons_returns.add(disk_id)

    @rule(pick=st.integers(0, 7))
    def a_person_copies_a_staged_copy_with_its_tags(self, pick):
        """One of the staged copies there are (drawn the same whatever there is, as hypothesis needs)."""
        self.read_state()
        staged = sorted(
            (snapshot['id'], region, snapshot['tags'])
            for region in DR_REGIONS
            for snapshot in self.snapshots(region)
            if snapshot['account'] == SOURCE_UIN
            and SOURCE_TAG in snapshot['tags']
            and snapshot['id'] not in self.persons
        )
        if not staged:
            return
        original, region, tags = staged[pick % len(staged)]
        tags = dict(tags, **{COPY_TAG: original})  # a copy of the staged copy: its mark names the original
        self.persons |= set(
            self.admin.seed(
                cbs={
                    'snapshots': [
                        {'region': region, 'tags': tags, 'source_snapshot_id': original, 'source_region': region}
                    ]
                }
            )['cbs']['snapshots']
        )

    # ------------------------------------------------------------------ what is where
    def read_state(self):
        """What fakecloud holds now, every region (one read)."""
        self.state = self.admin.state(cloud='cbs')['cbs']

    def snapshots(self, region):
        return self.state.get(region, {}).get('snapshots', [])

    def bridge_disks(self, region, returned=False):
        """The bridge disks in ``region``: those not returned (TerminateDisks), or (``returned``) those CBS lists as
        returned."""
        return [
            disk
            for disk in self.state.get(region, {}).get('disks', [])
            if STAGED_FROM_TAG in (disk.get('tags') or {}) and (disk['status'] == 'TORECYCLE') == returned
        ]

    def orphan_bridges(self):
        """Bridge disks CBS lists whose staged copy is gone and from which no DR copy is being made."""
        orphans = []
        for region in DR_REGIONS:
            snapshots = self.snapshots(region)
            ids = {snapshot['id'] for snapshot in snapshots}
            in_flight = {
                snapshot['disk_id']
                for snapshot in snapshots
                if snapshot['account'] == DR_UIN and snapshot['phase'] != 'done'
            }
            orphans += [
                disk['id']
                for disk in self.bridge_disks(region)
                if disk['status'] and disk['tags'][STAGED_FROM_TAG] not in ids and disk['id'] not in in_flight
            ]
        return orphans

    def left_behind(self):
        # A copy whose tagging a kill cut short carries only its name, which is also the copy module's: it is left
        # alone, as without dr_account (docs/safety.md), unless its source is a disk's newest again (then the run tags
        # and stages it).
        staged = [
            snapshot['id']
            for region in DR_REGIONS
            for snapshot in self.snapshots(region)
            if snapshot['account'] == SOURCE_UIN
            and snapshot['id'] not in self.persons
            and SOURCE_TAG in snapshot['tags']
        ]
        shares = [
            snapshot['id']
            for region in DR_REGIONS
            for snapshot in self.snapshots(region)
            if snapshot['shared_with'] and snapshot['id'] not in self.persons_shares
        ]
        bridges = [disk['id'] for region in DR_REGIONS for disk in self.bridge_disks(region)]
        return staged, shares, bridges

    def check_dr_region(self):
        """Invariants 1 to 4 over the state after a move."""
        all_snapshots = {region: self.snapshots(region) for region in DR_REGIONS}
        ids = {snapshot['id'] for snapshots in all_snapshots.values() for snapshot in snapshots}
        for region, snapshots in all_snapshots.items():
            finals = [
                snapshot
                for snapshot in snapshots
                if snapshot['account'] == DR_UIN and STAGED_FROM_TAG in snapshot['tags']
            ]
            for final in finals:
                if final['phase'] == 'done':
                    self.complete_finals.add(final['tags'][STAGED_FROM_TAG])
                    self.ever_restorable.add((final['tags'][DISK_TAG], region))
            restorable = {(final['tags'][DISK_TAG], region) for final in finals if final['phase'] == 'done'}
            lost = {key for key in self.ever_restorable if key[1] == region} - restorable
            assert not lost, 'no complete DR copy left of %s' % sorted(lost)
            by_source = {}
            for final in finals:
                by_source.setdefault(final['tags'][SOURCE_TAG], []).append(final['id'])
            assert all(len(copies) == 1 for copies in by_source.values()), 'two DR copies of one source in %s: %s' % (
                region,
                by_source,
            )
            staged = [
                snapshot
                for snapshot in snapshots
                if snapshot['account'] == SOURCE_UIN
                and SOURCE_TAG in snapshot['tags']
                and snapshot['tags'].get(COPY_TAG) in (None, snapshot['id'])
            ]
            by_source = {}
            for snapshot in staged:
                by_source.setdefault(snapshot['tags'][SOURCE_TAG], []).append(snapshot['id'])
                self.staged_seen.add(snapshot['id'])
            assert all(len(copies) == 1 for copies in by_source.values()), (
                'two staged copies of one source in %s: %s' % (region, by_source)
            )
            for disk in self.bridge_disks(region):
                self.bridges_seen[disk['id']] = disk['tags'][STAGED_FROM_TAG]
        gone = {snapshot_id for snapshot_id in self.staged_seen if snapshot_id not in ids} - self.persons_deletions
        assert gone <= self.complete_finals, 'staged copies deleted before the DR account had its copy: %s' % sorted(
            gone - self.complete_finals
        )
        disks_now = {disk['id'] for region in DR_REGIONS for disk in self.bridge_disks(region)}
        early = {
            disk_id
            for disk_id, staged_id in self.bridges_seen.items()
            if disk_id not in disks_now
            and staged_id not in self.complete_finals
            and disk_id not in self.persons_returns
            and staged_id not in self.persons_deletions
        }
        assert not early, 'bridge disks terminated before their DR copy was complete: %s' % sorted(early)
        assert self.persons <= ids, 'a person\'s snapshot was deleted: %s' % sorted(self.persons - ids)
        shared = {
            snapshot['id']
            for snapshots in all_snapshots.values()
            for snapshot in snapshots
            if DR_UIN in snapshot['shared_with']
        }
        assert self.persons_shares <= shared, 'a person\'s share was cancelled: %s' % sorted(
            self.persons_shares - shared
        )
        staged_persons = shared - self.persons_shares & self.persons
        assert not staged_persons, 'a person\'s snapshot was shared by a run: %s' % sorted(staged_persons)

    @invariant()
    def the_disks_snapshots_stay(self):
        self.read_state()
        self.check_dr_region()
        source_ids = {snapshot['id'] for snapshot in self.snapshots(SOURCE)}
        assert self.sources <= source_ids, 'a source snapshot was deleted: %s' % sorted(self.sources - source_ids)


@pytest.mark.timeout(900)
def test_the_cbs_dr_accounts_way_keeps_the_safety_contract(fakecloud):
    CbsVaultWorld.fakecloud = fakecloud
    run_state_machine_as_test(
        CbsVaultWorld,
        settings=settings(
            max_examples=EXAMPLES, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
