"""Alibaba Resource Sharing as it fails, through the real SDK against fakecloud (tests/fakecloud/resourcesharing.py): a
share left Pending by a killed run, an invitation that expired or that the DR role may not accept, an association that
is Associating for a while, a DR account inside the owner's resource directory, and the run's parallel workers meeting
no share at once."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr_account import SHARE_NAME_PREFIX
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SHARE_TAG
from ansible_collections.snapcopy.cloud.tests.fakecloud.tests.test_conformance import alibaba_send, dr_account_client
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, retry_on
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_ecs import (
    DR_ACCOUNT,
    SOURCE,
    SOURCE_ACCOUNT,
    dr_copies,
    run_options,
    seed,
    shared,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA, calls

OUR_SHARE = SHARE_NAME_PREFIX + DR_ACCOUNT


@pytest.fixture
def cloud(fakecloud_clean):
    # Signatures are of the real clock, and these tests move the cloud's on.
    fakecloud_clean.admin.configure(
        timings={'ecs': {'snapshot_seconds': 0.2, 'copy_seconds': 0.4, 'disk_seconds': 0.2}},
        alibaba_timestamp_window_seconds=10**7,
    )
    return fakecloud_clean


def dr_run(cloud, clock=None, **options):
    # The run's waits (a share not ready yet among them) are its backoff's: on the run's clock.
    retry = retry_on(clock)
    connection = dict(ALIBABA, endpoint_url=cloud.url)
    adapter = EcsAdapter.from_connection(connection, retry=retry)
    return dr_run_with(adapter, run_options(**options), connection=connection, retry=retry, clock=clock)


def our_shares(cloud):
    """{share id: status} of the disks' account's resource shares named as the run names its own."""
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'ListResourceShares',
        {'RegionId': SOURCE, 'ResourceOwner': 'Self', 'ResourceShareName': OUR_SHARE, 'MaxResults': '100'},
    )
    assert code is None, code
    return {row['ResourceShareId']: row['ResourceShareStatus'] for row in answer['ResourceShares']}


def left_by_a_killed_run(cloud, snapshot_id):
    """What a run killed after it shared ``snapshot_id`` and before the DR account accepted leaves: its mark on the
    source, our resource share (Pending: the invitation waits) holding the snapshot. Answers the share's id."""
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': OUR_SHARE,
            'AllowExternalTargets': 'true',
            'Targets.1': DR_ACCOUNT,
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    assert code is None, code
    assert (
        alibaba_send(
            cloud.endpoint,
            'ecs',
            'TagResources',
            {
                'RegionId': SOURCE,
                'ResourceType': 'snapshot',
                'ResourceId.1': snapshot_id,
                'Tag.1.Key': SHARE_TAG,
                'Tag.1.Value': DR_ACCOUNT,
            },
        )[1]
        is None
    )
    return answer['ResourceShare']['ResourceShareId']


def invitations(cloud):
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'ListResourceShareInvitations',
        {'RegionId': SOURCE},
        dr_account_client(cloud.endpoint),
    )
    assert code is None, code
    return answer['ResourceShareInvitations']


def test_a_pending_share_a_killed_run_left_is_found_used_and_emptied(cloud):
    """The share is Pending while its invitation waits: the run finds it (not only Active ones), accepts the invitation,
    copies, and takes the source out of it; no second share is made, nothing stays shared."""
    (snapshot_id,) = seed(cloud)['snapshots']
    share_id = left_by_a_killed_run(cloud, snapshot_id)
    assert our_shares(cloud) == {share_id: 'Pending'}
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    assert our_shares(cloud) == {share_id: 'Active'}, 'the one share, its invitation accepted'
    assert len(dr_copies(cloud)) == 1 and report['dr_account']['released'] == [snapshot_id]
    assert shared(cloud, snapshot_id) == ([], {})


def test_an_association_the_dr_account_never_accepted_is_accepted_before_the_copy(cloud):
    """The owner's view shows the snapshot associated whether or not the DR account accepted: here its invitation
    expired (7 days on). The run reads the DR account's own view, sends the invitation again, accepts it and copies."""
    (snapshot_id,) = seed(cloud)['snapshots']
    share_id = left_by_a_killed_run(cloud, snapshot_id)
    cloud.admin.advance_clock(8 * 86400)
    assert [row['Status'] for row in invitations(cloud)] == ['Expired'] and our_shares(cloud) == {share_id: 'Active'}
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    assert len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})
    assert sorted(row['Status'] for row in invitations(cloud)) == ['Accepted', 'Expired']


def test_a_dr_role_that_may_not_accept_fails_the_disk_naming_the_invitation_and_leaves_nothing_shared(cloud):
    seeded = seed(cloud)
    (snapshot_id,), (disk_id,) = seeded['snapshots'], seeded['disks']
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'resourcesharing',
                'action': 'AcceptResourceShareInvitation',
                'error_rate': 1.0,
                'error_code': 'Forbidden.RAM',
            }
        ]
    )
    report = dr_run(cloud)
    (failure,) = report['failures']
    (invitation,) = invitations(cloud)
    assert (
        disk_id in failure
        and invitation['ResourceShareInvitationId'] in failure
        and invitation['ResourceShareId'] in failure
    ), failure
    assert 'Forbidden.RAM' in failure and 'request id' in failure and DR_ACCOUNT in failure, failure
    assert dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {})
    cloud.admin.faults(rules=[])
    again = dr_run(cloud)
    assert not again['failures'] and len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})


def test_an_association_is_copied_from_once_it_is_associated(cloud):
    """AssociateResourceShare answers Associating; the DR account cannot copy before Associated (10 s on the cloud's
    clock here). The run waits on its own clock, a fake one that moves the cloud's: it copies once, with no real wait.
    (How long it waited on that clock is not asserted: fakecloud's clock counts real time too, which a busy machine
    spends.)"""
    (snapshot_id,) = seed(cloud)['snapshots']
    cloud.admin.configure(resource_sharing={'association_seconds': 10})
    clock = CloudMovingClock(cloud)
    report = dr_run(cloud, clock=clock, poll_interval=5)
    assert not report['failures'], report['failures']
    assert len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})
    assert calls(cloud, 'ecs', 'CopySnapshot') == 1, 'no copy call before the DR account sees the snapshot'


def test_an_association_that_is_not_done_by_the_deadline_fails_the_disk_and_is_taken_back(cloud):
    seeded = seed(cloud)
    (snapshot_id,), (disk_id,) = seeded['snapshots'], seeded['disks']
    cloud.admin.configure(resource_sharing={'association_seconds': 10**5})
    clock = CloudMovingClock(cloud)
    # Asked again every 10 s of the run's clock: a dozen rounds to the deadline, not hundreds.
    report = dr_run(cloud, clock=clock, wait_timeout=120, poll_interval=10)
    (failure,) = report['failures']
    assert disk_id in failure and 'ShareNotReady' in failure and 'associating' in failure and DR_ACCOUNT in failure, (
        failure
    )
    assert clock.now - 1000.0 < 200, 'given up at the run\'s deadline'
    assert calls(cloud, 'ecs', 'CopySnapshot') == 0 and dr_copies(cloud) == []
    assert shared(cloud, snapshot_id) == ([], {}), 'the association is taken back'


def test_a_dr_account_in_the_owners_resource_directory_needs_no_invitation(cloud):
    (snapshot_id,) = seed(cloud)['snapshots']
    cloud.admin.configure(resource_sharing={'directory': [SOURCE_ACCOUNT, DR_ACCOUNT]})
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    assert invitations(cloud) == [] and calls(cloud, 'resourcesharing', 'AcceptResourceShareInvitation') == 0
    assert len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})
    assert list(our_shares(cloud).values()) == ['Active']


def test_the_runs_parallel_workers_make_one_share_a_region(cloud):
    """Three disks copied by the run's workers side by side, CreateResourceShare slow: the workers that meet no share
    wait for the one being made instead of each making one (the docs: one share a DR account and region)."""
    seed(cloud)
    seed(cloud)
    seed(cloud)
    cloud.admin.faults(
        rules=[{'cloud': 'resourcesharing', 'action': 'CreateResourceShare', 'latency_ms': 1500, 'count': 1}]
    )
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    assert len(our_shares(cloud)) == 1 and calls(cloud, 'resourcesharing', 'CreateResourceShare') == 1
    assert len(dr_copies(cloud)) == 3


@pytest.mark.parametrize('taken_out_by', ['owner', 'dr_account'])
def test_a_dr_account_taken_out_of_our_share_is_put_back_and_the_source_copied(cloud, taken_out_by):
    """The DR account was taken out of our resource share, by a person of the disks' account or by the DR account leaving
    it (DisassociateResourceShare, ResourceOwner OtherAccounts): its invitation stays Accepted, and it no longer sees
    what the share holds. The run makes it the share's target again and copies, rather than waiting out its deadline for
    a source the DR account would never see."""
    (snapshot_id,) = seed(cloud)['snapshots']
    share_id = left_by_a_killed_run(cloud, snapshot_id)
    (invitation,) = invitations(cloud)
    dr_account = dr_account_client(cloud.endpoint)
    accept = {'RegionId': SOURCE, 'ResourceShareInvitationId': invitation['ResourceShareInvitationId']}
    assert (
        alibaba_send(cloud.endpoint, 'resourcesharing', 'AcceptResourceShareInvitation', accept, dr_account)[1] is None
    )
    taken_out = {'RegionId': SOURCE, 'ResourceShareId': share_id}
    if taken_out_by == 'owner':
        taken_out['Targets.1'], client = DR_ACCOUNT, None
    else:
        taken_out['ResourceOwner'], client = 'OtherAccounts', dr_account
    assert alibaba_send(cloud.endpoint, 'resourcesharing', 'DisassociateResourceShare', taken_out, client)[1] is None
    clock = CloudMovingClock(cloud)
    report = dr_run(cloud, clock=clock, wait_timeout=120, poll_interval=10)
    assert not report['failures'], report['failures']
    assert len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})
    assert [row['Status'] for row in invitations(cloud)] == ['Accepted'] and list(our_shares(cloud)) == [share_id]
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 1, 'the target put back, nothing else'


def taken_out_of_our_share(cloud):
    """A source the last run left in our share, the DR account's invitation Accepted, and the DR account then taken out
    of the share by a person of the disks' account. Answers (snapshot id, disk id)."""
    seeded = seed(cloud)
    (snapshot_id,), (disk_id,) = seeded['snapshots'], seeded['disks']
    share_id = left_by_a_killed_run(cloud, snapshot_id)
    (invitation,) = invitations(cloud)
    accept = {'RegionId': SOURCE, 'ResourceShareInvitationId': invitation['ResourceShareInvitationId']}
    dr_account = dr_account_client(cloud.endpoint)
    assert (
        alibaba_send(cloud.endpoint, 'resourcesharing', 'AcceptResourceShareInvitation', accept, dr_account)[1] is None
    )
    taken_out = {'RegionId': SOURCE, 'ResourceShareId': share_id, 'Targets.1': DR_ACCOUNT}
    assert alibaba_send(cloud.endpoint, 'resourcesharing', 'DisassociateResourceShare', taken_out)[1] is None
    return snapshot_id, disk_id


TARGET_READ = {
    'cloud': 'resourcesharing',
    'action': 'ListResourceShareAssociations',
    'params': {'AssociationType': 'Target'},
}


def test_a_refused_read_of_the_shares_targets_fails_the_disk_with_the_clouds_words_at_once(cloud):
    """The disks' account may read its share's resources but not its targets (a RAM policy that refuses the Target
    read): the disk fails with the cloud's code and request id in the first round, not with ShareNotReady at the
    run's deadline; nothing stays shared, and a run with the read allowed puts the target back and copies."""
    snapshot_id, disk_id = taken_out_of_our_share(cloud)
    cloud.admin.faults(rules=[dict(TARGET_READ, error_rate=1.0, error_code='Forbidden.RAM')])
    clock = CloudMovingClock(cloud)
    # A deadline within the DR role's hour-long session, which the moved cloud clock would otherwise run out.
    report = dr_run(cloud, clock=clock, wait_timeout=1800, poll_interval=10)
    (failure,) = report['failures']
    assert disk_id in failure and 'Forbidden.RAM' in failure and 'request id' in failure, failure
    assert 'ShareNotReady' not in failure, failure
    assert clock.now - 1000.0 < 600, 'failed at once, not at the run\'s deadline'
    cloud.admin.faults(rules=[])
    assert dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {}), 'nothing copied, nothing left shared'
    again = dr_run(cloud, clock=CloudMovingClock(cloud), wait_timeout=120, poll_interval=10)
    assert not again['failures'] and len(dr_copies(cloud)) == 1 and shared(cloud, snapshot_id) == ([], {})
