"""Issue 64: the plan's preflight on AWS, CopySnapshot with DryRun, through botocore against moto's server with the
suites' layer (ebs_vault.py: DENIED plays a policy without the action, as EC2 answers it, UnauthorizedOperation; a DryRun
is answered DryRunOperation, nothing copied). A check run sends one dry run a source region, DR region and key, not one
a disk; a refusal is each disk's preflight problem with its fix, before any mutating call; a real run sends none."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_vault
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import writes
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    DR_ACCOUNT,
    SOURCE_ACCOUNT,
    backends,
    dr_run,
    tagged_disk,
)

DR_REGION = 'eu-west-1'
DISKS = 3


@pytest.fixture
def denied():
    """ebs_vault.DENIED for the test, emptied after it."""
    yield ebs_vault.DENIED
    ebs_vault.DENIED.clear()


def dr_region_snapshots():
    """How many snapshots each account holds in the DR region."""
    return {account: len(backends(account, DR_REGION).snapshots) for account in (SOURCE_ACCOUNT, DR_ACCOUNT)}


def changes(counted):
    """The mutating calls of ``counted`` but STS's AssumeRole (the DR account's credentials), which changes nothing."""
    return set(writes(dict(counted))) - {'AssumeRole'}


@pytest.mark.parametrize('dr_account', [False, True])
def test_a_check_run_finds_copy_snapshot_refused_with_one_dry_run_and_names_the_fix(
    moto_url, moto_calls, denied, dr_account
):
    tag = 'dry-run-refused-%s' % dr_account
    for dummy in range(DISKS):
        tagged_disk(moto_url, tag)
    before = dr_region_snapshots()
    denied.add((DR_ACCOUNT if dr_account else SOURCE_ACCOUNT, 'CopySnapshot'))
    options = {} if dr_account else {'dr_account': None}
    moto_calls.clear()
    planned = dr_run(moto_url, tag, check_mode=True, **options)
    # One dry run for the three disks (one source region, DR region and key), and no call that changes anything.
    assert moto_calls['CopySnapshot'] == 1, dict(moto_calls)
    assert changes(moto_calls) == {'CopySnapshot'}, dict(moto_calls)
    problems = planned['plan']['preflight']
    assert sorted(problem['disk_id'] for problem in problems) == sorted(disk['disk_id'] for disk in planned['disks'])
    assert all(problem['region'] == DR_REGION for problem in problems) and len(problems) == DISKS
    who = "the DR account's role (%s)" % DR_ACCOUNT if dr_account else "the run's credentials"
    assert all('ec2:CopySnapshot' in problem['fix'] and who in problem['fix'] for problem in problems), problems
    assert all('UnauthorizedOperation' in problem['problem'] for problem in problems)
    # The check run fails, as the real run would, having written its plan.
    assert len(planned['failures']) == DISKS and planned['plan']['copies'] == []
    assert {copy['action'] for disk in planned['disks'] for copy in disk['copies']} == {'not_copied'}
    assert dr_region_snapshots() == before


def test_a_check_run_whose_copies_are_allowed_sends_one_dry_run_and_a_real_run_sends_none(moto_url, moto_calls):
    tag = 'dry-run-allowed'
    for dummy in range(DISKS):
        tagged_disk(moto_url, tag)
    before = dr_region_snapshots()
    moto_calls.clear()
    planned = dr_run(moto_url, tag, check_mode=True, dr_account=None)
    assert planned['plan']['preflight'] == [] and not planned['failures']
    assert len(planned['plan']['copies']) == DISKS
    assert moto_calls['CopySnapshot'] == 1 and changes(moto_calls) == {'CopySnapshot'}, dict(moto_calls)
    assert dr_region_snapshots() == before
    moto_calls.clear()
    report = dr_run(moto_url, tag, dr_account=None)
    # One CopySnapshot a copy, none of them a dry run.
    assert report['totals']['copied'] == DISKS and moto_calls['CopySnapshot'] == DISKS, dict(moto_calls)
    assert report['plan']['preflight'] == []


def test_a_check_run_sends_one_dry_run_a_key_not_one_a_disk(moto_url, moto_calls):
    """Four disks under three keys (two customer keys, and none): three dry runs, each as its copy would be sent."""
    from moto.kms.models import kms_backends  # pylint: disable=import-outside-toplevel  # moto's state, in this process

    kms = kms_backends[SOURCE_ACCOUNT]['us-east-1']
    first, second = (
        kms.create_key(None, 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', 'dry run', None).id for dummy in (1, 2)
    )
    tag = 'dry-run-keys'
    for volume in ({'Encrypted': True, 'KmsKeyId': first},) * 2 + ({'Encrypted': True, 'KmsKeyId': second}, {}):
        tagged_disk(moto_url, tag, **volume)
    moto_calls.clear()
    planned = dr_run(moto_url, tag, check_mode=True, dr_account=None)
    assert planned['plan']['preflight'] == [] and len(planned['plan']['copies']) == 4
    assert moto_calls['CopySnapshot'] == 3 and changes(moto_calls) == {'CopySnapshot'}, dict(moto_calls)
