"""A share taken back by one run while another leases it, their calls interleaved in every order hypothesis finds: no
copy starts on a share being taken back, and a copy that starts has its share (dr.leases.shares, docs/vault.md)."""

from __future__ import annotations

import datetime

from hypothesis import given, settings, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import BUSY, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SHARE_TAG, SOURCE_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.lease import LeaseTerms
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.shares import ShareLeases
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.memory_cloud import MemoryCloud, Turnstile

ACCOUNT = '222233334444'
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


def world():
    """A source snapshot an earlier run shared and marked, its copy done: the next run to end takes the share back."""
    clock = FakeClock(30 * 86400)
    cloud = MemoryCloud(clock)
    cloud.add_disk('disk-0', tags={'dr': 'yes'})
    cloud.use_dr_account({}, 'src-1', ACCOUNT)
    cloud.granted.add('disk-0-snap-0')
    cloud.snapshots['disk-0-snap-0']['tags'] = {SHARE_TAG: ACCOUNT}
    return cloud


@settings(max_examples=300, deadline=None)
@given(order=st.lists(st.sampled_from(['copier', 'releaser']), max_size=14))
def test_no_copy_starts_on_a_share_being_taken_back(order):
    cloud = world()
    copier = ShareLeases(cloud, account=ACCOUNT, terms=LeaseTerms('copier', ('dr-1',), 3600, lambda: NOW, [].append))
    releaser = ShareLeases(
        cloud, account=ACCOUNT, terms=LeaseTerms('releaser', ('dr-2',), 3600, lambda: NOW, [].append)
    )

    def copy():
        """The copier's start_copy: the share held, then the copy in flight; refused while the share is being taken
        back."""
        try:
            copier.take('src-1', 'disk-0-snap-0')
        except CloudError as error:
            assert error.kind == BUSY
            return 'waits'
        cloud.add_copy('copy-x', 'dr-1', {SOURCE_TAG: 'src-1/disk-0-snap-0'}, cloud.clock.now)
        cloud.started.add('copy-x')
        return 'copied'

    cloud.turnstile = Turnstile(order)
    outcomes = cloud.turnstile.run({'copier': copy, 'releaser': lambda: releaser.release('src-1', 'disk-0-snap-0')})
    assert all(error is None for dummy, error in outcomes.values()), outcomes
    assert not cloud.released_in_flight, 'the share was taken back under a copy in flight'
    if outcomes['copier'][0] == 'copied':
        assert 'disk-0-snap-0' in cloud.granted, 'a copy started without its share'
