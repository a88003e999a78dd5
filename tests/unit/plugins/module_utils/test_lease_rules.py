"""The rules of leases, copy leases (dr.leases) and share leases (dr.leases.shares) on tags kept in memory: when a lease is
over, what a run that finds another run's live lease or lease leaves on the source, what it takes off, and when it sends
nothing. The clouds' own tag calls are tested with the
adapters (test_copy_leases_aws.py, test_copy_leases_cbs.py); these are the rules those tests rest on."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import STAMP_FORMAT
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_LEASE_TAG_PREFIX,
    RELEASE_TAG_PREFIX,
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.copies import (
    CopyLeases,
    lease_key,
    leases_in,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.lease import Lease, LeaseTerms, lease_for
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.shares import (
    OneSourceShareCalls,
    ShareLeases,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.source_tags import SourceTagCalls
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.leases import CopyLease

NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.timezone.utc)
SNAPSHOT = 'snap-1'
OTHER_RUN = '20261125T115900Z-0abcde'
THIS_RUN = '20261125T120000Z-1bcdef'


class MemoryTags(SourceTagCalls):
    """The tags of source snapshots, as a cloud keeps them; every call is recorded."""

    def __init__(self):
        self.tags = {SNAPSHOT: {}}
        self.calls = []

    def tag_sources(self, source_region, snapshot_ids, tags):
        self.calls.append(('tag', dict(tags)))
        for snapshot_id in snapshot_ids:
            self.tags[snapshot_id].update(tags)

    def sources_tags(self, source_region, snapshot_ids):
        return {snapshot_id: dict(self.tags[snapshot_id]) for snapshot_id in snapshot_ids}

    def untag_sources(self, source_region, snapshot_ids, keys):
        self.calls.append(('untag', sorted(keys)))
        for snapshot_id in snapshot_ids:
            for key in keys:
                self.tags[snapshot_id].pop(key, None)


def leases(store, seconds=150):
    return CopyLeases(store, terms=LeaseTerms(THIS_RUN, ('eu-west-1',), seconds, lambda: NOW, pytest.fail))


def test_the_lease_tag_keys_are_the_last_releases():
    """A run of the last release reads these keys alone: were one renamed, it would not see this release's leases (a copy
    twice, a share taken back under a copy), so the code's words changed and the keys did not (dr/leases/__init__.py)."""
    assert (COPY_LEASE_TAG_PREFIX, SHARE_LEASE_TAG_PREFIX, RELEASE_TAG_PREFIX) == (
        'snapcopy:copy-lease:',
        'snapcopy:share-claim:',
        'snapcopy:share-release:',
    )


def test_a_lease_holds_until_the_second_it_names_and_not_at_it():
    lease = lease_for('r', NOW, ['eu-west-1'])
    assert lease.live(NOW - datetime.timedelta(seconds=1))
    assert not lease.live(NOW), 'a lease is over at the time it names'
    assert not Lease('r', None, ()).live(NOW), 'a lease whose time cannot be read is taken for over'


def test_leases_are_values_that_nobody_changes_in_place():
    """A lease or a run's lease settings are read by the engine's workers at once: none of them can be changed under
    them."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        lease_for('r', NOW, ['eu-west-1']).until = NOW  # type: ignore[misc]
    lease = LeaseTerms(THIS_RUN, ('eu-west-1',), 150, lambda: NOW, pytest.fail)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lease.seconds = 1  # type: ignore[misc]


def holds(*regions, snapshot=SNAPSHOT):
    return [CopyLease('us-east-1', snapshot, region) for region in regions]


def test_a_run_that_finds_another_runs_live_lease_takes_its_own_off_for_that_region_at_once():
    """It keeps its lease where it copies, and leaves none where it waits: the other run, writing its lease again before
    its next call, must not find this one's and let go as well."""
    store = MemoryTags()
    store.tags[SNAPSHOT][lease_key(OTHER_RUN, 'eu-west-1')] = (NOW + datetime.timedelta(minutes=2)).strftime(
        STAMP_FORMAT
    )
    lease = leases(store)
    held = lease.take(holds('eu-west-1', 'us-west-2'))
    (refusal,) = held.values()
    assert list(held) == holds('eu-west-1') and refusal.code == 'CopyHeldByAnotherRun' and refusal.kind == 'busy'
    assert OTHER_RUN in str(refusal) and 'until 2026-11-25 12:02:00 UTC' in str(refusal)
    mine = {region for dummy, region, lease_read in leases_in(store.tags[SNAPSHOT]) if lease_read.run_id == THIS_RUN}
    assert mine == {'us-west-2'}
    assert ('untag', [lease_key(THIS_RUN, 'eu-west-1')]) in store.calls
    assert lease.fresh(holds('us-west-2')) and not lease.fresh(holds('eu-west-1')), (
        'a copy goes out only under a lease of its own'
    )


def test_a_run_that_finds_only_lapsed_leases_takes_them_off_and_holds_every_region():
    store = MemoryTags()
    store.tags[SNAPSHOT][lease_key(OTHER_RUN, 'eu-west-1')] = NOW.strftime(STAMP_FORMAT)  # over at this very second
    assert leases(store).take(holds('eu-west-1')) == {}
    assert [lease.run_id for dummy, dummy_region, lease in leases_in(store.tags[SNAPSHOT])] == [THIS_RUN]


def test_a_lapsed_lease_goes_only_from_the_sources_where_it_lapsed():
    """A run writes its lease again on the sources it still needs: its key may have lapsed on one source and be live on
    another. Another run takes it off where it lapsed, and leaves the live one."""
    store = MemoryTags()
    store.tags['snap-2'] = {}
    key = lease_key(OTHER_RUN, 'eu-west-1')
    store.tags[SNAPSHOT][key] = NOW.strftime(STAMP_FORMAT)
    store.tags['snap-2'][key] = (NOW + datetime.timedelta(minutes=2)).strftime(STAMP_FORMAT)
    held = leases(store).take(holds('us-west-2') + holds('us-west-2', snapshot='snap-2'))
    assert held == {} and key not in store.tags[SNAPSHOT] and key in store.tags['snap-2']


def test_a_batch_of_sources_is_leased_in_one_call_read_in_one_and_let_go_of_in_one():
    """The cost the lease exists to keep small: a round of copy calls over many sources, each for the same DR
    regions."""

    class CountingTags(MemoryTags):
        reads = 0

        def sources_tags(self, source_region, snapshot_ids):
            self.reads += 1
            return super().sources_tags(source_region, snapshot_ids)

    store = CountingTags()
    sources = ['snap-%03d' % number for number in range(200)]
    store.tags.update({snapshot_id: {} for snapshot_id in sources})
    lease = leases(store)
    asked = [hold for snapshot_id in sources for hold in holds('eu-west-1', 'us-west-2', snapshot=snapshot_id)]
    assert lease.take(asked) == {} and lease.fresh(asked)
    assert [call[0] for call in store.calls] == ['tag'] and store.reads == 1
    lease.release(asked)
    assert [call[0] for call in store.calls] == ['tag', 'untag'] and not lease.fresh(asked[:1])
    assert not any(leases_in(store.tags[snapshot_id]) for snapshot_id in sources)


@pytest.mark.parametrize('elapsed, fresh', [(74, True), (75, False)], ids=['more than half left', 'half left'])
def test_a_lease_with_half_of_it_gone_is_not_fresh_for_a_copy_call(elapsed, fresh):
    """Reads or retries (throttled) eat the lease: with half of it left or less, no copy call is sent under it (the
    engine takes it again first), so that a copy call goes out under a lease that outlasts the call."""
    store = MemoryTags()
    times = iter([NOW, NOW, NOW + datetime.timedelta(seconds=elapsed)])
    lease = CopyLeases(store, terms=LeaseTerms(THIS_RUN, ('eu-west-1',), 150, lambda: next(times), pytest.fail))
    assert lease.take(holds('eu-west-1')) == {}
    assert store.tags[SNAPSHOT] == {
        lease_key(THIS_RUN, 'eu-west-1'): (NOW + datetime.timedelta(seconds=150)).strftime(STAMP_FORMAT)
    }
    assert lease.fresh(holds('eu-west-1')) is fresh


def test_a_run_refused_the_tag_calls_copies_without_leases_says_so_once_and_asks_no_more():
    class Refused(MemoryTags):
        def tag_sources(self, source_region, snapshot_ids, tags):
            self.calls.append(('tag', dict(tags)))
            raise CloudError(
                'CreateTags',
                'UnauthorizedOperation',
                'You are not authorized to perform this operation.',
                request_id='req-1',
            )

    store, warnings = Refused(), []
    lease = CopyLeases(store, terms=LeaseTerms(THIS_RUN, ('eu-west-1',), 150, lambda: NOW, warnings.append))
    assert lease.take(holds('eu-west-1')) == {} and lease.disabled and lease.fresh(holds('eu-west-1'))
    assert lease.take(holds('us-west-2')) == {}
    lease.release(holds('eu-west-1'))
    assert len(store.calls) == 1, 'one refused call, then none'
    assert len(warnings) == 1 and 'UnauthorizedOperation' in warnings[0]


class MemoryShares(MemoryTags, OneSourceShareCalls):
    """MemoryTags, and which snapshots are shared with the DR account."""

    def __init__(self):
        super().__init__()
        self.shared = set()

    def is_shared(self, source_region, snapshot_id):
        self.calls.append(('is_shared', snapshot_id))
        return snapshot_id in self.shared

    def share(self, source_region, snapshot_id):
        self.calls.append(('share', snapshot_id))
        self.shared.add(snapshot_id)

    def unshare(self, source_region, snapshot_id):
        self.calls.append(('unshare', snapshot_id))
        self.shared.discard(snapshot_id)

    def leased_sources(self, source_region):
        return {key: dict(tags) for key, tags in self.tags.items() if tags}

    def copies_in_flight(self, source_region, regions, snapshot_ids):
        return set()


def shares_at(store, clock, run_id=THIS_RUN):
    terms = LeaseTerms(run_id, ('eu-west-1',), 150, lambda: clock[0], pytest.fail)
    return ShareLeases(store, account='222233334444', terms=terms)


def test_a_share_lease_written_less_than_half_its_time_ago_holds_with_no_call_and_is_written_again_after():
    store, clock = MemoryShares(), [NOW]
    shares = shares_at(store, clock)
    shares.take('us-east-1', SNAPSHOT)
    assert ('share', SNAPSHOT) in store.calls and store.tags[SNAPSHOT][SHARE_TAG] == '222233334444'
    store.calls.clear()
    clock[0] = NOW + datetime.timedelta(seconds=74)
    shares.take('us-east-1', SNAPSHOT)
    assert store.calls == [], 'a lease with more than half its time left is not written again'
    clock[0] = NOW + datetime.timedelta(seconds=75)
    shares.take('us-east-1', SNAPSHOT)
    assert (
        'tag',
        {SHARE_TAG: '222233334444', SHARE_LEASE_TAG_PREFIX + THIS_RUN: '20261125T120345Z eu-west-1'},
    ) in store.calls


def test_a_persons_share_is_looked_at_once_and_then_left_alone():
    store, clock = MemoryShares(), [NOW]
    store.shared.add(SNAPSHOT)  # shared by a person: no lease, no mark
    shares = shares_at(store, clock)
    shares.take('us-east-1', SNAPSHOT)
    assert [call[0] for call in store.calls] == ['is_shared', 'is_shared'] and store.tags[SNAPSHOT] == {}
    store.calls.clear()
    shares.take('us-east-1', SNAPSHOT)
    assert store.calls == []


def test_a_release_takes_off_its_own_lease_and_lapsed_ones_but_keeps_another_runs_live_lease_and_the_share():
    store, clock = MemoryShares(), [NOW]
    shares_at(store, clock).take('us-east-1', SNAPSHOT)
    lapsed = '20261125T100000Z-0aaaaa'
    store.tags[SNAPSHOT][SHARE_LEASE_TAG_PREFIX + lapsed] = '20261125T110000Z eu-west-1'
    store.tags[SNAPSHOT][SHARE_LEASE_TAG_PREFIX + OTHER_RUN] = '20261125T121000Z eu-west-1'
    assert shares_at(store, clock).release('us-east-1', SNAPSHOT) is False
    leases = {key for key in store.tags[SNAPSHOT] if key.startswith(SHARE_LEASE_TAG_PREFIX)}
    assert leases == {SHARE_LEASE_TAG_PREFIX + OTHER_RUN} and SNAPSHOT in store.shared


def test_a_run_that_released_a_share_shares_it_again_for_its_next_copy():
    store, clock = MemoryShares(), [NOW]
    shares = shares_at(store, clock)
    shares.take('us-east-1', SNAPSHOT)
    assert shares.release('us-east-1', SNAPSHOT) is True and SNAPSHOT not in store.shared
    clock[0] = NOW + datetime.timedelta(seconds=1)
    shares.take('us-east-1', SNAPSHOT)
    assert SNAPSHOT in store.shared, 'the release let go of the lease: the next hold shares again'


def test_a_release_takes_off_a_lapsed_release_tag_and_leaves_another_runs_live_one():
    """A run that was killed while releasing leaves its release tag: the next release takes it off once it has lapsed; a
    live one is another run's release under way, and stays."""
    store, clock = MemoryShares(), [NOW]
    shares_at(store, clock).take('us-east-1', SNAPSHOT)
    killed, releasing = '20261125T100000Z-0bbbbb', '20261125T115959Z-0ccccc'
    store.tags[SNAPSHOT][RELEASE_TAG_PREFIX + killed] = '20261125T110000Z eu-west-1'
    store.tags[SNAPSHOT][RELEASE_TAG_PREFIX + releasing] = '20261125T121000Z eu-west-1'
    shares_at(store, clock).release('us-east-1', SNAPSHOT)
    assert {key for key in store.tags[SNAPSHOT] if key.startswith(RELEASE_TAG_PREFIX)} == {
        RELEASE_TAG_PREFIX + releasing
    }


def test_two_runs_releasing_one_share_at_once_leave_it_shared_with_nobody():
    """Each run's release reads the other's lease before that run took it off (the interleaving a busy machine gave in
    test_dr_account_ecs.py's two runs at once): the one that reads last finds no live lease but its own gone, and
    releases. Before, both left the share to the other, and it stayed shared after both ended."""
    store, clock = MemoryShares(), [NOW]
    this, other = shares_at(store, clock), shares_at(store, clock, run_id=OTHER_RUN)
    this.take('us-east-1', SNAPSHOT)
    other.take('us-east-1', SNAPSHOT)
    answers = {}
    untag = store.untag_sources

    def other_releases_between_this_runs_read_and_untag(source_region, snapshot_ids, keys):
        if not answers:
            answers['other'] = None  # the other run's own calls go straight through
            answers['other'] = other.release(source_region, SNAPSHOT)
        untag(source_region, snapshot_ids, keys)

    store.untag_sources = other_releases_between_this_runs_read_and_untag
    answers['this'] = this.release('us-east-1', SNAPSHOT)
    assert sorted(answers.values()) == [False, True], answers
    assert SNAPSHOT not in store.shared and store.tags[SNAPSHOT] == {}, store.tags[SNAPSHOT]
