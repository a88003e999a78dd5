"""Copies in a separate DR account on Alibaba Cloud ECS, through the real SDK against fakecloud: the source account
shares each source snapshot through Resource Sharing (AssociateResourceShare), the DR account accepts the invitation and
copies it, and the share is taken back (DisassociateResourceShare) once no copy of it is in flight; the leases of
dr.leases.shares hold the share for another run's copy, a person's share is left alone, and a DR role of the disks' own account
is refused."""

from __future__ import annotations

import datetime
import threading

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.fakecloud.tests.test_conformance import alibaba_send, dr_account_client
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA, calls

SOURCE, DR_REGION, OTHER_DR_REGION = 'cn-hangzhou', 'cn-shanghai', 'cn-beijing'
SOURCE_ACCOUNT, DR_ACCOUNT = credentials.ALIBABA_ACCOUNT_ID, credentials.ALIBABA_DR_ACCOUNT_ID
DR_ROLE = {'role_arn': credentials.ALIBABA_DR_ROLE_ARN}
DR_KEY = 'dr-account-key-0001'  # a KMS key of the DR account's, for encrypted copies
MUTATING = (
    'CreateResourceShare',
    'AssociateResourceShare',
    'DisassociateResourceShare',
    'AcceptResourceShareInvitation',
)


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(
        timings={'ecs': {'snapshot_seconds': 0.2, 'copy_seconds': 0.4, 'disk_seconds': 0.2}}
    )
    return fakecloud_clean


def run_options(**options):
    return scope(
        'ecs',
        SOURCE,
        [DR_REGION],
        {'vault': 'yes'},
        **dict({'wait_timeout': 120, 'poll_interval': 0.2, 'dr_account': DR_ROLE}, **options),
    )


def run_settings(**options):
    return dr_settings(run_options(**options))


def dr_run(cloud, check_mode=False, now=None, **options):
    retry = CallRetry(default_backoff())
    connection = dict(ALIBABA, endpoint_url=cloud.url)
    adapter = EcsAdapter.from_connection(connection, check_mode=check_mode, retry=retry)
    return dr_run_with(
        adapter, run_options(**options), connection=connection, check_mode=check_mode, retry=retry, now=now
    )


def seed(cloud, tag='yes', **disk):
    return cloud.admin.seed(
        ecs={'disks': [dict({'region': SOURCE, 'size': 20, 'tags': {'vault': tag}, 'snapshots': 1}, **disk)]}
    )['ecs']


def shared(cloud, snapshot_id):
    """(the accounts ``snapshot_id`` is shared with by any resource share, the snapshot's tags of a DR run)."""
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'ListSharedResources',
        {'RegionId': SOURCE, 'ResourceOwner': 'Self', 'ResourceIds.1': snapshot_id, 'MaxResults': '100'},
    )
    assert code is None, code
    targets = set()
    for row in answer['SharedResources']:
        rows, code = alibaba_send(
            cloud.endpoint,
            'resourcesharing',
            'ListResourceShareAssociations',
            {'RegionId': SOURCE, 'AssociationType': 'Target', 'ResourceShareIds.1': row['ResourceShareId']},
        )
        targets |= {target['EntityId'] for target in rows['ResourceShareAssociations']}
    (snapshot,) = [
        item
        for item in cloud.admin.state(cloud='ecs', region=SOURCE)['ecs'][SOURCE]['snapshots']
        if item['id'] == snapshot_id
    ]
    return sorted(targets), {
        key: value
        for key, value in snapshot['tags'].items()
        if key == SHARE_TAG or key.startswith(SHARE_LEASE_TAG_PREFIX)
    }


def dr_copies(cloud, region=DR_REGION):
    return [
        item
        for item in cloud.admin.state(cloud='ecs', region=region)['ecs'].get(region, {}).get('snapshots', [])
        if item['account'] == DR_ACCOUNT
    ]


def mutations(cloud):
    counts = cloud.admin.calls()['calls']
    return {
        (service, action): entry['mutations']
        for service, actions in counts.items()
        for action, entry in actions.items()
        if entry['mutations']
    }


def test_the_dr_account_copies_the_shared_source_the_share_goes_and_the_rerun_changes_nothing(cloud):
    (snapshot_id,) = seed(cloud)['snapshots']
    report = dr_run(cloud)
    assert not report['failures'], report['failures']
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['action'] == 'copied'
    (owned,) = dr_copies(cloud)
    assert owned['id'] == copy['snapshot_id'] and owned['source_snapshot_id'] == snapshot_id
    assert owned['tags'][SOURCE_TAG] == '%s/%s' % (SOURCE, snapshot_id)
    assert report['dr_account'] == {
        'account': DR_ACCOUNT,
        'released': [snapshot_id],
        'would_release': [],
        'held': [],
        'release_failed': [],
        'made': [],
        'would_make': [],
    }
    assert shared(cloud, snapshot_id) == ([], {}), 'the share and every mark are gone'
    assert (
        calls(cloud, 'resourcesharing', 'AcceptResourceShareInvitation') == 1
    )  # the DR account accepted the invitation
    before = mutations(cloud)
    again = dr_run(cloud)
    assert not again['changed'] and again['totals']['existing'] == 1 and not again['failures']
    assert mutations(cloud) == before, 'a rerun changes nothing'
    assert len(dr_copies(cloud)) == 1
    assert calls(cloud, 'alibaba_sts', 'GetCallerIdentity') == 4  # each run asks once who each account is


def test_check_mode_plans_the_copy_and_changes_nothing(cloud):
    (snapshot_id,) = seed(cloud)['snapshots']
    report = dr_run(cloud, check_mode=True)
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['action'] == 'would_copy' and not report['failures']
    assert mutations(cloud) == {} and dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {})


def test_a_share_another_runs_copy_needs_is_held_until_that_copy_is_complete(cloud):
    """Scope B (wait: false) leaves its copy in flight in cn-shanghai; scope A, another disk and another DR region,
    releases its own share and holds B's, also once B's run is over, until B's copy is complete."""
    (theirs,) = seed(cloud, tag='b')['snapshots']
    (ours,) = seed(cloud, tag='a')['snapshots']
    cloud.admin.configure(timings={'ecs': {'copy_seconds': 3600}})
    scope_b = dr_run(cloud, wait=False, tag_selector={'vault': 'b'})
    assert scope_b['dr_account']['held'] == [theirs] and shared(cloud, theirs)[0] == [DR_ACCOUNT]
    cloud.admin.configure(timings={'ecs': {'copy_seconds': 0.4}})
    scope_a = dr_run(cloud, tag_selector={'vault': 'a'}, dr_regions=[OTHER_DR_REGION])
    assert scope_a['dr_account']['released'] == [ours] and theirs in scope_a['dr_account']['held']
    assert shared(cloud, theirs)[0] == [DR_ACCOUNT] and shared(cloud, ours) == ([], {})
    tomorrow = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    later = dr_run(cloud, tag_selector={'vault': 'a'}, dr_regions=[OTHER_DR_REGION], now=tomorrow)
    assert later['dr_account']['held'] == [theirs] and shared(cloud, theirs)[0] == [DR_ACCOUNT]
    cloud.admin.configure(
        alibaba_timestamp_window_seconds=10**6
    )  # signatures of the real clock, the cloud's an hour on
    cloud.admin.advance_clock(3700)  # B's copy is complete
    done = dr_run(cloud, tag_selector={'vault': 'a'}, dr_regions=[OTHER_DR_REGION], now=tomorrow)
    assert done['dr_account']['released'] == [theirs] and shared(cloud, theirs) == ([], {})


def test_two_runs_at_once_leave_no_share_and_one_copy(cloud):
    """Run X's AssociateResourceShare is slow; run Y, of the same scope, copies and releases meanwhile. Y holds the
    share for X; X's copy replays Y's (ECS's ClientToken): after both, one copy, nothing shared, no lease or mark."""
    (snapshot_id,) = seed(cloud)['snapshots']
    dr_run(cloud, check_mode=True)  # nothing: a warm-up of the SDK's imports outside the race
    cloud.admin.faults(
        rules=[{'cloud': 'resourcesharing', 'action': 'AssociateResourceShare', 'latency_ms': 4000, 'count': 1}]
    )
    reports = {}
    run_x = threading.Thread(target=lambda: reports.setdefault('x', dr_run(cloud)))
    run_x.start()
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=30)
    while not calls(cloud, 'resourcesharing', 'CreateResourceShare') and datetime.datetime.now() < deadline:
        threading.Event().wait(0.05)
    reports['y'] = dr_run(cloud)
    run_x.join()  # however slow the machine: pytest's time limit catches a hang
    assert not reports['x']['failures'] and not reports['y']['failures'], (
        reports['x']['failures'],
        reports['y']['failures'],
    )
    assert snapshot_id in reports['y']['dr_account']['held'] + reports['y']['dr_account']['released']
    assert len(dr_copies(cloud)) == 1, 'never two DR copies of one snapshot'
    assert shared(cloud, snapshot_id) == ([], {}) or snapshot_id in reports['x']['dr_account']['held']
    final = dr_run(cloud)
    assert shared(cloud, snapshot_id) == ([], {}) and not final['changed']


def test_a_persons_share_with_the_dr_account_is_left_alone(cloud):
    (snapshot_id,) = seed(cloud)['snapshots']
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': 'a-persons-share',
            'AllowExternalTargets': 'true',
            'Targets.1': DR_ACCOUNT,
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    assert code is None, code
    dr = dr_account_client(cloud.endpoint)
    invitations, code = alibaba_send(
        cloud.endpoint, 'resourcesharing', 'ListResourceShareInvitations', {'RegionId': SOURCE}, dr
    )
    (invitation,) = invitations['ResourceShareInvitations']
    alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'AcceptResourceShareInvitation',
        {'RegionId': SOURCE, 'ResourceShareInvitationId': invitation['ResourceShareInvitationId']},
        dr,
    )
    report = dr_run(cloud)
    assert not report['failures'] and len(dr_copies(cloud)) == 1
    assert report['dr_account']['released'] == [] and report['dr_account']['held'] == []
    assert shared(cloud, snapshot_id) == ([DR_ACCOUNT], {}), (
        "a person's share stays, and no run's mark is written on it"
    )
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 0


def test_a_source_under_the_service_key_is_named_and_never_shared(cloud):
    (snapshot_id,) = seed(cloud, encrypted=True, kms_key_id=credentials.ECS_SERVICE_KEY_ID)['snapshots']
    report = dr_run(cloud, encrypted=True, kms_key_id=DR_KEY)
    (failure,) = report['failures']
    assert snapshot_id in failure and 'service key' in failure and 'alias/acs/ecs' in failure
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 0 and shared(cloud, snapshot_id) == ([], {})
    assert dr_copies(cloud) == []


def test_an_encrypted_source_under_a_key_of_its_own_copies_with_the_dr_accounts_key_and_is_refused_without_one(cloud):
    (snapshot_id,) = seed(cloud, encrypted=True, kms_key_id=credentials.ECS_CUSTOMER_KEY_ID)['snapshots']
    refused = dr_run(cloud)
    (failure,) = refused['failures']
    assert snapshot_id in failure and 'kms_key_id' in failure and shared(cloud, snapshot_id) == ([], {})
    report = dr_run(cloud, encrypted=True, kms_key_id=DR_KEY)
    assert not report['failures'], report['failures']
    (owned,) = dr_copies(cloud)
    assert owned['encrypted'] and shared(cloud, snapshot_id) == ([], {})


def test_a_shared_snapshot_cannot_be_deleted_and_the_dr_account_sees_only_what_was_shared(cloud):
    """fakecloud as the guide says: the DR account copies a snapshot only once it is shared and the invitation accepted;
    a shared snapshot is not deleted before it is unshared."""
    (snapshot_id,) = seed(cloud)['snapshots']
    dr = dr_account_client(cloud.endpoint)
    copy = {
        'RegionId': SOURCE,
        'SnapshotId': snapshot_id,
        'DestinationRegionId': DR_REGION,
        'DestinationSnapshotName': 'dr-copy',
        'DestinationSnapshotDescription': 'a DR copy',
    }
    assert alibaba_send(cloud.endpoint, 'ecs', 'CopySnapshot', copy, dr)[1] == 'InvalidSnapshotId.NotFound'
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': 'share',
            'AllowExternalTargets': 'true',
            'Targets.1': DR_ACCOUNT,
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    assert alibaba_send(cloud.endpoint, 'ecs', 'CopySnapshot', copy, dr)[1] == 'InvalidSnapshotId.NotFound', (
        'not before it accepts'
    )
    invitations, code = alibaba_send(
        cloud.endpoint, 'resourcesharing', 'ListResourceShareInvitations', {'RegionId': SOURCE}, dr
    )
    alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'AcceptResourceShareInvitation',
        {
            'RegionId': SOURCE,
            'ResourceShareInvitationId': invitations['ResourceShareInvitations'][0]['ResourceShareInvitationId'],
        },
        dr,
    )
    made, code = alibaba_send(cloud.endpoint, 'ecs', 'CopySnapshot', copy, dr)
    assert code is None and [item['id'] for item in dr_copies(cloud)] == [made['SnapshotId']]
    delete = {'RegionId': SOURCE, 'SnapshotId': snapshot_id}
    assert alibaba_send(cloud.endpoint, 'ecs', 'DeleteSnapshot', delete)[1] == 'OperationDenied.SnapshotShared'
    alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'DisassociateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareId': answer['ResourceShare']['ResourceShareId'],
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    assert alibaba_send(cloud.endpoint, 'ecs', 'DeleteSnapshot', delete)[1] is None


def test_a_snapshot_is_shared_with_at_most_64_accounts(cloud):
    (snapshot_id,) = seed(cloud)['snapshots']
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': 'many',
            'AllowExternalTargets': 'true',
            **{'Targets.%d' % number: '9%015d' % number for number in range(1, 65)},
        },
    )
    share_id = answer['ResourceShare']['ResourceShareId']
    (row,) = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'AssociateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareId': share_id,
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )[0]['ResourceShareAssociations']
    assert row['AssociationStatus'] == 'Associated'
    alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'AssociateResourceShare',
        {'RegionId': SOURCE, 'ResourceShareId': share_id, 'Targets.1': DR_ACCOUNT},
    )
    other, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': 'one-more',
            'AllowExternalTargets': 'true',
            'Targets.1': '3456789012345678',
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    rows, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'ListResourceShareAssociations',
        {
            'RegionId': SOURCE,
            'AssociationType': 'Resource',
            'ResourceShareIds.1': other['ResourceShare']['ResourceShareId'],
        },
    )
    (row,) = rows['ResourceShareAssociations']
    assert (
        row['AssociationStatus'] == 'Failed' and row['AssociationFailedDetails'][0]['FailureReason'] == 'LimitExceeded'
    )


def test_sources_are_shared_five_a_call_and_a_refused_one_fails_alone(cloud):
    """AssociateResourceShare and DisassociateResourceShare take 5 resources a call: 7 sources go in 2 calls each way.
    One of them is shared with 64 accounts already (another resource share, a person's), so ECS refuses its
    association (Failed, LimitExceeded): that disk fails with the cloud's reason, and the other six are copied and
    released."""
    seeded = cloud.admin.seed(
        ecs={
            'disks': [
                {'region': SOURCE, 'size': 20, 'tags': {'vault': 'yes'}, 'snapshots': 1, 'name': 'disk-%d' % number}
                for number in range(7)
            ]
        }
    )['ecs']
    full = sorted(seeded['snapshots'])[3]
    answer, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': SOURCE,
            'ResourceShareName': 'someone-elses',
            'AllowExternalTargets': 'true',
            'Resources.1.ResourceId': full,
            'Resources.1.ResourceType': 'Snapshot',
            **{'Targets.%d' % number: '9%015d' % number for number in range(1, 65)},
        },
    )
    assert code is None, code
    report = dr_run(cloud)
    (failure,) = report['failures']
    assert 'AssociationFailed' in failure and 'at most 64 accounts' in failure and full in failure, failure
    copied = sorted(copy['source_snapshot_id'] for copy in dr_copies(cloud))
    assert copied == sorted(set(seeded['snapshots']) - {full})
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 2
    assert calls(cloud, 'resourcesharing', 'DisassociateResourceShare') == 2
    # The refused source's lease and mark go too; the resource share a person made stays as it was.
    assert sorted(report['dr_account']['released']) == sorted(seeded['snapshots'])
    for snapshot_id in copied:
        assert shared(cloud, snapshot_id) == ([], {}), snapshot_id
    assert shared(cloud, full)[1] == {}
    rows, code = alibaba_send(
        cloud.endpoint,
        'resourcesharing',
        'ListSharedResources',
        {'RegionId': SOURCE, 'ResourceOwner': 'Self', 'ResourceIds.1': full},
    )
    assert [row['ResourceShareId'] for row in rows['SharedResources']] == [answer['ResourceShare']['ResourceShareId']]


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_dr_role_of_the_disks_own_account_fails_the_run_before_any_change(cloud, check_mode):
    seed(cloud)
    with pytest.raises(InputError) as raised:
        dr_run(cloud, check_mode=check_mode, dr_account={'role_arn': credentials.ALIBABA_OWN_ROLE_ARN})
    assert raised.value.option == 'dr_account.role_arn'
    assert (
        raised.value.message.count(SOURCE_ACCOUNT) == 2
        and "the disks' account %s" % SOURCE_ACCOUNT in raised.value.message
    )
    assert mutations(cloud) == {}


def test_a_dr_role_sts_refuses_ends_the_run_before_any_change_with_sts_s_words(cloud):
    seed(cloud)
    with pytest.raises(CloudError) as raised:
        dr_run(cloud, dr_account={'role_arn': credentials.ALIBABA_LOCKED_ROLE_ARN})
    assert raised.value.code == 'NoPermission' and raised.value.request_id
    # What to check names the DR account's role too, not only the connection's.
    assert 'dr_account.role_arn' in raised.value.message and 'dr_account.external_id' in raised.value.message
    assert mutations(cloud) == {}


def test_a_refused_share_read_fails_the_disk_with_the_clouds_words_and_leaves_nothing_shared(cloud):
    seeded = seed(cloud)
    (snapshot_id,), (disk_id,) = seeded['snapshots'], seeded['disks']
    cloud.admin.faults(
        rules=[
            {
                'cloud': 'resourcesharing',
                'action': 'ListSharedResources',
                'error_rate': 1.0,
                'error_code': 'Forbidden.RAM',
            }
        ]
    )
    report = dr_run(cloud)
    (failure,) = report['failures']
    assert (
        disk_id in failure
        and 'ListSharedResources' in failure
        and 'Forbidden.RAM' in failure
        and 'request id' in failure
    ), failure
    assert dr_copies(cloud) == [] and calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 0
    cloud.admin.faults(rules=[])
    assert shared(cloud, snapshot_id) == ([], {})


def test_a_source_without_room_for_the_shares_tags_is_named_and_never_shared(cloud):
    """ECS keeps at most 20 tags a resource: a source with 18 has room for the run's mark and lease, not for its release
    tag, and would stay shared for good (ECS does not delete a shared snapshot). It is left unshared and uncopied, and
    the disk's problem says how many tags it has, how many the run needs, and what to do; with two tags fewer it
    copies."""
    seeded = seed(cloud, snapshots=[{'tags': {'team-%02d' % number: 'x' for number in range(18)}}])
    (snapshot_id,), (disk_id,) = seeded['snapshots'], seeded['disks']
    report = dr_run(cloud)
    (failure,) = report['failures']
    assert disk_id in failure and snapshot_id in failure and 'has 18 tags' in failure and '3 more' in failure, failure
    assert '20 tags a resource' in failure and 'remove at least 1 of its tags' in failure, failure
    assert dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {})
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 0 and calls(cloud, 'ecs', 'TagResources') == 0
    assert report['dr_account']['release_failed'] == []
    untag = {'RegionId': SOURCE, 'ResourceType': 'snapshot', 'ResourceId.1': snapshot_id, 'TagKey.1': 'team-00'}
    assert alibaba_send(cloud.endpoint, 'ecs', 'UntagResources', untag)[1] is None
    again = dr_run(cloud)
    assert not again['failures'] and len(dr_copies(cloud)) == 1 and again['dr_account']['released'] == [snapshot_id]
    assert shared(cloud, snapshot_id) == ([], {})
