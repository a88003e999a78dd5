"""Copies in a separate DR account on AWS, through real botocore against moto's server with the suites' layer for what
moto lacks (ebs_vault.py: a copy of a snapshot another account shared). The source account shares, the DR account copies
and owns, the share is removed; keys that cannot be shared are named; the clouds without a cross-account path refuse."""

from __future__ import annotations

import datetime
import json
import threading

import botocore
import botocore.session
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_ROLE_RULES, AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr_account import (
    KEY_ACTIONS,
    missing_key_actions,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import dr_account_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import DrAccountAdapter
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_adapters import part_class

KEYS = {'access_key': 'AKIASNAPCOPYVAULT001', 'secret_key': 'snapcopy-vault-secret'}
SOURCE_ACCOUNT = '123456789012'  # moto's account for keys it does not know
DR_ACCOUNT = '222233334444'
DR_ROLE = {'role_arn': 'arn:aws:iam::%s:role/snapcopy-dr' % DR_ACCOUNT, 'external_id': 'vault-external-id'}


def client(url, service, region):
    session = botocore.session.Session()
    session.set_credentials(KEYS['access_key'], KEYS['secret_key'])
    return session.create_client(service, region_name=region, endpoint_url=url)


def backends(account, region):
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel  # moto's state, in this process

    return ec2_backends[account][region]


def tagged_disk(url, tag_value, **volume):
    source = client(url, 'ec2', 'us-east-1')
    disk = source.create_volume(
        Size=2,
        AvailabilityZone='us-east-1a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'vault', 'Value': tag_value}]}],
        **volume,
    )['VolumeId']
    snapshot = source.create_snapshot(VolumeId=disk, Description='nightly')['SnapshotId']
    return disk, snapshot


def dr_run(url, tag_value, clock=None, check_mode=False, now=None, **options):
    connection = dict(KEYS, endpoint_url=url)
    return dr_run_with(
        EbsAdapter(AwsClient(connection, botocore_module=botocore)),
        scope('aws', 'us-east-1', ['eu-west-1'], {'vault': tag_value}, **dict({'dr_account': DR_ROLE}, **options)),
        connection=connection,
        check_mode=check_mode,
        now=now,
        clock=clock or FakeClock(),
    )


def copies_of(account, region, snapshot_id):
    """The account's snapshots in ``region`` that our tags name copies of ``snapshot_id`` (moto's state)."""
    return [
        snap
        for snap in backends(account, region).snapshots.values()
        if any(tag['key'] == SOURCE_TAG and tag['value'].endswith('/' + snapshot_id) for tag in snap.get_tags())
    ]


def shares_of(snapshot_id):
    snapshot = backends(SOURCE_ACCOUNT, 'us-east-1').snapshots[snapshot_id]
    tags = backends(SOURCE_ACCOUNT, 'us-east-1').describe_tags(filters={'resource-id': [snapshot_id]})
    return sorted(snapshot.create_volume_permission_userids), {tag['key']: tag['value'] for tag in tags}


def test_the_dr_account_makes_and_owns_the_copy_the_share_is_removed_and_the_rerun_changes_nothing(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'owned')
    report = dr_run(moto_url, 'owned')
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['action'] == 'copied' and not report['failures']
    assert copy['snapshot_id'] in backends(DR_ACCOUNT, 'eu-west-1').snapshots
    assert backends(DR_ACCOUNT, 'eu-west-1').snapshots[copy['snapshot_id']].owner_id == DR_ACCOUNT
    assert copy['snapshot_id'] not in backends(SOURCE_ACCOUNT, 'eu-west-1').snapshots
    assert shares_of(snapshot_id) == ([], {})
    assert report['dr_account']['account'] == DR_ACCOUNT and report['dr_account']['released'] == [snapshot_id]
    again = dr_run(moto_url, 'owned')
    assert not again['changed'] and again['totals']['existing'] == 1 and again['dr_account']['released'] == []
    assert (
        len(
            [
                snap
                for snap in backends(DR_ACCOUNT, 'eu-west-1').snapshots.values()
                if snap.volume.id == copy_volume(copy)
            ]
        )
        == 1
    )


def copy_volume(copy):
    return backends(DR_ACCOUNT, 'eu-west-1').snapshots[copy['snapshot_id']].volume.id


def test_a_share_a_killed_run_left_is_removed_by_the_next_run_and_a_persons_share_stays(moto_url):
    dummy, left = tagged_disk(moto_url, 'left')
    dummy, persons = tagged_disk(moto_url, 'persons')
    east = client(moto_url, 'ec2', 'us-east-1')
    # What a run killed between its share and its copy leaves: the mark, then the share.
    east.create_tags(Resources=[left], Tags=[{'Key': SHARE_TAG, 'Value': DR_ACCOUNT}])
    east.modify_snapshot_attribute(
        SnapshotId=left, Attribute='createVolumePermission', OperationType='add', UserIds=[DR_ACCOUNT]
    )
    # A person shares another snapshot with the DR account, without our mark.
    east.modify_snapshot_attribute(
        SnapshotId=persons, Attribute='createVolumePermission', OperationType='add', UserIds=[DR_ACCOUNT]
    )
    plan = dr_run(moto_url, 'left', check_mode=True)
    assert plan['dr_account']['would_release'] == [left] and shares_of(left)[0] == [DR_ACCOUNT]
    report = dr_run(moto_url, 'left')
    assert report['totals']['copied'] == 1 and shares_of(left) == ([], {})
    assert shares_of(persons)[0] == [DR_ACCOUNT] and SHARE_TAG not in shares_of(persons)[1]


def test_a_snapshot_a_person_shared_with_the_dr_account_is_copied_and_stays_shared(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'person-shared')
    client(moto_url, 'ec2', 'us-east-1').modify_snapshot_attribute(
        SnapshotId=snapshot_id, Attribute='createVolumePermission', OperationType='add', UserIds=[DR_ACCOUNT]
    )
    report = dr_run(moto_url, 'person-shared', dr_regions=['eu-west-1', 'eu-central-1'])
    assert report['totals']['copied'] == 2 and not report['failures']
    assert shares_of(snapshot_id) == ([DR_ACCOUNT], {}) and report['dr_account']['released'] == []


def test_a_source_under_the_aws_managed_key_is_named_and_never_shared(moto_url):
    dummy, snapshot_id = tagged_disk(moto_url, 'managed-key', Encrypted=True)
    report = dr_run(moto_url, 'managed-key')
    (failure,) = report['failures']
    assert 'AwsManagedKeyNotShareable' in failure and 'aws/ebs' in failure and DR_ACCOUNT in failure
    assert shares_of(snapshot_id) == ([], {})


@pytest.mark.parametrize('key_shared', [True, False])
def test_a_source_under_a_customer_key_copies_when_the_key_is_shared_and_says_why_not_when_it_is_not(
    moto_url, key_shared
):
    kms = client(moto_url, 'kms', 'us-east-1')
    principals = [SOURCE_ACCOUNT, DR_ACCOUNT] if key_shared else [SOURCE_ACCOUNT]
    policy = {
        'Version': '2012-10-17',
        'Statement': [
            {
                'Effect': 'Allow',
                'Action': 'kms:*',
                'Resource': '*',
                'Principal': {'AWS': ['arn:aws:iam::%s:root' % account for account in principals]},
            }
        ],
    }
    key = kms.create_key(Policy=json.dumps(policy))['KeyMetadata']['Arn']
    tag = 'cmk-%s' % key_shared
    dummy, snapshot_id = tagged_disk(moto_url, tag, Encrypted=True, KmsKeyId=key)
    # Check mode finds what the run would meet before any call that changes anything: the plan's preflight.
    planned = dr_run(moto_url, tag, check_mode=True)
    report = dr_run(moto_url, tag)
    if key_shared:
        assert not report['failures'] and report['totals']['copied'] == 1
        assert planned['plan']['preflight'] == [] and report['plan']['preflight'] == []
    else:
        # The key's policy read before any share: the DR account is not let use it (it was the DR account's copy
        # that failed, KMS.AccessDenied, after the share).
        (failure,) = report['failures']
        assert 'KeyPolicyRefusesDrAccount' in failure and snapshot_id in failure and DR_ACCOUNT in failure
        (problem,) = planned['plan']['preflight']
        assert problem['disk_id'] and problem['region'] == 'eu-west-1' and 'kms:CreateGrant' in problem['fix']
        assert problem['problem'] in failure
    # Copied or refused, the share does not outlive the run.
    assert shares_of(snapshot_id) == ([], {})


@pytest.mark.parametrize(
    'statement, missing',
    [
        ({'Principal': {'AWS': 'arn:aws:iam::%s:root' % DR_ACCOUNT}, 'Action': 'kms:*'}, []),
        (
            {
                'Principal': '*',
                'Action': ['kms:Describe*', 'kms:CreateGrant', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:Decrypt'],
            },
            [],
        ),
        (
            {'Principal': {'AWS': DR_ACCOUNT}, 'Action': ['kms:Decrypt', 'kms:DescribeKey']},
            ['kms:CreateGrant', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
        ),
        ({'Principal': {'AWS': 'arn:aws:iam::%s:root' % SOURCE_ACCOUNT}, 'Action': 'kms:*'}, list(KEY_ACTIONS)),
        (
            {'Principal': {'AWS': 'arn:aws:iam::%s:role/dr' % DR_ACCOUNT}, 'Action': 'kms:*', 'Effect': 'Deny'},
            list(KEY_ACTIONS),
        ),
    ],
)
def test_the_key_policy_check_finds_what_no_statement_allows_the_dr_account(statement, missing):
    policy = {'Version': '2012-10-17', 'Statement': [dict({'Effect': 'Allow', 'Resource': '*'}, **statement)]}
    assert missing_key_actions(json.dumps(policy), DR_ACCOUNT) == missing
    assert missing_key_actions('not json', DR_ACCOUNT) == []


@pytest.mark.parametrize('provider', ['ens'])
def test_a_cloud_without_a_cross_account_copy_refuses_dr_account_saying_why(provider):
    with pytest.raises(InputError) as raised:
        dr_account_settings(
            DR_ROLE, provider=provider, rules=PROVIDERS[provider].role_rules, support=PROVIDERS[provider].dr_account
        )
    assert (
        raised.value.option == 'dr_account'
        and 'leave dr_account unset for provider %s' % provider in raised.value.message
    )
    assert (
        dr_account_settings(
            {}, provider=provider, rules=PROVIDERS[provider].role_rules, support=PROVIDERS[provider].dr_account
        )
        is None
    )


def test_every_cloud_but_ens_has_the_dr_account_capability_and_ens_says_why_not():
    """The registry says which clouds take dr_account; an adapter without the capability must be refused there, by
    name."""
    for name, provider in PROVIDERS.items():
        vault = part_class(provider.load_adapter(), 'vault')
        takes = vault is not None and issubclass(vault, DrAccountAdapter)
        assert takes == (provider.dr_account.refusal is None), name
        assert takes == bool(provider.dr_account.environment), name


def test_dr_account_needs_a_role_arn_the_rules_accept():
    with pytest.raises(InputError) as raised:
        dr_account_settings(
            {'external_id': 'x-only'}, provider='aws', rules=AWS_ROLE_RULES, support=PROVIDERS['aws'].dr_account
        )
    assert raised.value.option == 'dr_account.role_arn' and 'is needed' in raised.value.message
    with pytest.raises(InputError) as raised:
        dr_account_settings(
            {'role_arn': 'arn:aws:iam::12:role/x'},
            provider='aws',
            rules=AWS_ROLE_RULES,
            support=PROVIDERS['aws'].dr_account,
        )
    assert raised.value.option == 'dr_account.role_arn' and 'expected a role ARN' in raised.value.message


def mutations(region):
    """What a run could have changed in the disks' account: shares of its snapshots, tags on them, snapshots in
    ``region``."""
    east = backends(SOURCE_ACCOUNT, 'us-east-1')
    return (
        {
            snapshot_id: sorted(snapshot.create_volume_permission_userids)
            for snapshot_id, snapshot in east.snapshots.items()
        },
        sorted((tag['resource_id'], tag['key']) for tag in east.describe_tags(filters={})),
        sorted(backends(SOURCE_ACCOUNT, region).snapshots) + sorted(backends(DR_ACCOUNT, region).snapshots),
    )


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_dr_account_that_is_the_disks_own_fails_the_run_before_any_change_naming_both_accounts(moto_url, check_mode):
    """Issue 37: with plain keys (no role of the run's own), nothing compared the DR role's account with the disks': a
    role of the disks' own account made a green run, reporting that account as the DR account, that protected nothing
    against its loss. STS GetCallerIdentity says whose the run's keys are."""
    dummy, snapshot_id = tagged_disk(moto_url, 'own-account')
    before = mutations('eu-west-1')
    own_role = {'role_arn': 'arn:aws:iam::%s:role/snapcopy-dr' % SOURCE_ACCOUNT}
    with pytest.raises(InputError) as raised:
        dr_run(moto_url, 'own-account', check_mode=check_mode, dr_account=own_role)
    assert raised.value.option == 'dr_account.role_arn', raised.value
    assert (
        raised.value.message.count(SOURCE_ACCOUNT) == 2
        and "the disks' account %s" % SOURCE_ACCOUNT in raised.value.message
    )
    assert mutations('eu-west-1') == before and shares_of(snapshot_id) == ([], {})


@pytest.fixture
def dr_copies_stay_pending(monkeypatch):
    """While the set it yields holds True, each copy the DR account makes stays in flight (moto completes copies at
    once)."""
    from moto.ec2.models.elastic_block_store import Snapshot  # pylint: disable=import-outside-toplevel  # moto's state, in this process

    pending = {'on': False}
    made = Snapshot.__init__

    def __init__(self, *args, **kwargs):
        made(self, *args, **kwargs)
        if pending['on'] and self.owner_id == DR_ACCOUNT:
            self.status = 'pending'

    monkeypatch.setattr(Snapshot, '__init__', __init__)
    return pending


def test_a_share_another_scopes_copy_needs_is_held_until_that_copy_is_complete(moto_url, dr_copies_stay_pending):
    """Scope B (wait: false) leaves its copy in flight in eu-west-1; scope A, other disks and another DR region, must
    not take B's share away: not while B's run may be under way, nor after, while B's copy is in flight."""
    dummy, theirs = tagged_disk(moto_url, 'scope-b')
    dummy, ours = tagged_disk(moto_url, 'scope-a')
    dr_copies_stay_pending['on'] = True
    scope_b = dr_run(moto_url, 'scope-b', wait=False)
    dr_copies_stay_pending['on'] = False
    assert scope_b['dr_account']['held'] == [theirs] and shares_of(theirs)[0] == [DR_ACCOUNT]
    scope_a = dr_run(moto_url, 'scope-a', dr_regions=['us-west-2'])
    assert scope_a['dr_account']['released'] == [ours] and theirs in scope_a['dr_account']['held']
    assert shares_of(theirs)[0] == [DR_ACCOUNT] and shares_of(ours) == ([], {})
    # A day on by the cloud's clock (which leases are timed by), B's run is over, and its copy is still in flight in a
    # region scope A does not copy to.
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import CLOCK  # pylint: disable=import-outside-toplevel

    tomorrow = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    CLOCK['offset'] = 86400
    try:
        later = dr_run(moto_url, 'scope-a', dr_regions=['us-west-2'], now=tomorrow)
        assert later['dr_account']['held'] == [theirs] and shares_of(theirs)[0] == [DR_ACCOUNT]
        (copy,) = [copy for disk in scope_b['disks'] for copy in disk['copies']]
        backends(DR_ACCOUNT, 'eu-west-1').snapshots[copy['snapshot_id']].status = 'completed'
        done = dr_run(moto_url, 'scope-a', dr_regions=['us-west-2'], now=tomorrow)
        assert done['dr_account']['released'] == [theirs] and shares_of(theirs) == ([], {})
    finally:
        CLOCK['offset'] = 0.0


def test_two_runs_at_once_leave_no_share_when_one_shares_while_the_other_releases(moto_url, monkeypatch):
    """Run X's share reaches EC2 late (it is held in the emulator); run Y, of the same scope, runs and ends in the
    meantime. Y makes no copy while X's copy lease is live (its run ends first: a wait_timeout shorter than the lease)
    and leaves X's share alone. X's share then lands: once both have ended, one copy, nothing is shared and no lease or
    mark is left."""
    from moto.ec2.models.elastic_block_store import EBSBackend  # pylint: disable=import-outside-toplevel

    dummy, snapshot_id = tagged_disk(moto_url, 'race')
    arrived, go = threading.Event(), threading.Event()
    add = EBSBackend.add_create_volume_permission

    def slow_first_add(self, *args, **kwargs):
        if not arrived.is_set():
            arrived.set()
            assert go.wait(60)
        return add(self, *args, **kwargs)

    monkeypatch.setattr(EBSBackend, 'add_create_volume_permission', slow_first_add)
    reports = {}
    run_x = threading.Thread(target=lambda: reports.setdefault('x', dr_run(moto_url, 'race')))
    run_x.start()
    assert arrived.wait(60)
    reports['y'] = dr_run(moto_url, 'race', wait_timeout=60)
    assert snapshot_id in reports['y']['dr_account']['held'], 'Y took X\'s share away while X was about to copy'
    (copy_y,) = [copy for disk in reports['y']['disks'] for copy in disk['copies']]
    assert copy_y['action'] == 'not_copied' and copy_y['error']['code'] == 'CopyHeldByAnotherRun'
    go.set()
    run_x.join()  # however slow the machine: pytest's time limit catches a hang
    assert not reports['x']['failures'] and reports['x']['dr_account']['released'] == [snapshot_id]
    assert len(copies_of(DR_ACCOUNT, 'eu-west-1', snapshot_id)) == 1, 'one DR copy of the snapshot'
    permissions, tags = shares_of(snapshot_id)
    assert permissions == [] and not [key for key in tags if key == SHARE_TAG or key.startswith(SHARE_LEASE_TAG_PREFIX)]


def test_a_refused_lock_read_fails_the_disk_and_still_releases_the_share_and_reports(moto_url):
    """The DR account's policy lacks ec2:DescribeLockedSnapshots (an upgrade's): the copy is made, its lock is named as
    failed with EC2's refusal, the share goes, and the run ends with its report instead of an error."""
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files.ebs_vault import DENIED  # pylint: disable=import-outside-toplevel

    dummy, snapshot_id = tagged_disk(moto_url, 'lock-unread')
    DENIED.add((DR_ACCOUNT, 'DescribeLockedSnapshots'))
    try:
        report = dr_run(moto_url, 'lock-unread', lock={'mode': 'governance', 'duration_days': 1})
    finally:
        DENIED.clear()
    (copy,) = [copy for disk in report['disks'] for copy in disk['copies']]
    assert copy['action'] == 'copied' and copy['lock']['action'] == 'lock_failed'
    assert copy['lock']['error']['code'] == 'UnauthorizedOperation'
    (failure,) = report['failures']
    assert 'could not be read' in failure and 'UnauthorizedOperation' in failure
    assert report['dr_account']['released'] == [snapshot_id] and shares_of(snapshot_id) == ([], {})
