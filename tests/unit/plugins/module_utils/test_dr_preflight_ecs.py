"""Issue 64: the plan's preflight on Alibaba Cloud ECS with dr_account, through the real SDK against fakecloud (its RAM
GetRole held to alibabacloud-ram20150501 by test_conformance.py): a source encrypted with a key of the account's own is
shared only once the disks' account has the RAM role AliyunECSShareEncryptSnapshotDefaultRole (the ECS guide "Share a
snapshot"). A check run reads the role once (GetRole) and, without it, names the problem and its fix before any
mutating call; with it, plans the copy."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr_account import ENCRYPTED_SHARE_ROLE
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

# pylint: disable-next=unused-import  # cloud: the fixture, as test_dr_account_ecs has it
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_ecs import (
    DR_KEY,
    DR_REGION,
    SOURCE_ACCOUNT,
    cloud,  # noqa: F401
    dr_copies,
    dr_run,
    mutations,
    seed,
    shared,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import calls


def test_without_the_ram_role_a_check_run_names_it_and_its_fix_before_any_change(cloud):  # noqa: F811
    cloud.admin.configure(ram_roles={SOURCE_ACCOUNT: []})
    (snapshot_id,) = seed(cloud, encrypted=True, kms_key_id=credentials.ECS_CUSTOMER_KEY_ID)['snapshots']
    planned = dr_run(cloud, check_mode=True, encrypted=True, kms_key_id=DR_KEY)
    (problem,) = planned['plan']['preflight']
    assert problem['region'] == DR_REGION and problem['disk_id']
    assert problem['fix'] == (
        'create the RAM role %s in the disks\' account, as the ECS guide "Share encrypted resources across accounts" '
        'says' % ENCRYPTED_SHARE_ROLE
    )
    assert snapshot_id in problem['problem'] and problem['problem'].endswith(problem['fix'] + ' (docs/vault.md)')
    assert "no RAM role %s" % ENCRYPTED_SHARE_ROLE in problem['problem']
    (failure,) = planned['failures']
    assert 'SnapshotNotShareable' in failure
    assert calls(cloud, 'ram', 'GetRole') == 1 and mutations(cloud) == {}
    assert dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {})


def test_with_the_ram_role_a_check_run_plans_the_copy(cloud):  # noqa: F811
    seed(cloud, encrypted=True, kms_key_id=credentials.ECS_CUSTOMER_KEY_ID)
    planned = dr_run(cloud, check_mode=True, encrypted=True, kms_key_id=DR_KEY)
    assert planned['plan']['preflight'] == [] and not planned['failures']
    assert len(planned['plan']['copies']) == 1 and calls(cloud, 'ram', 'GetRole') == 1 and mutations(cloud) == {}


def test_a_service_key_refusal_carries_its_fix_beside_its_words(cloud):  # noqa: F811
    seed(cloud, encrypted=True, kms_key_id=credentials.ECS_SERVICE_KEY_ID)
    planned = dr_run(cloud, check_mode=True, encrypted=True, kms_key_id=DR_KEY)
    (problem,) = planned['plan']['preflight']
    assert problem['fix'] == 'encrypt the disk with a KMS key of your own'
    assert 'alias/acs/ecs' in problem['problem'] and calls(cloud, 'ram', 'GetRole') == 0


def test_without_the_ram_role_a_real_run_refuses_the_source_before_any_share(cloud):  # noqa: F811
    cloud.admin.configure(ram_roles={SOURCE_ACCOUNT: []})
    (snapshot_id,) = seed(cloud, encrypted=True, kms_key_id=credentials.ECS_CUSTOMER_KEY_ID)['snapshots']
    report = dr_run(cloud, encrypted=True, kms_key_id=DR_KEY)
    (failure,) = report['failures']
    assert ENCRYPTED_SHARE_ROLE in failure and snapshot_id in failure
    # It was ECS's refusal of the association, after the run had leased and marked the source.
    assert calls(cloud, 'resourcesharing', 'AssociateResourceShare') == 0 and calls(cloud, 'ecs', 'TagResources') == 0
    assert dr_copies(cloud) == [] and shared(cloud, snapshot_id) == ([], {})
