# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A separate DR account (dr_sync's ``dr_account``, docs/vault.md): the option, which clouds refuse it and why, and the
DR account's connection: the run's own, with the DR account's role to assume.

On AWS the source account shares each source snapshot with the DR account (ModifySnapshotAttribute), the DR account copies
it into its DR regions, and a run removes every share it made once no copy of that snapshot is in flight (the adapter,
clouds/aws/ebs.py). ECS does the same through Resource Sharing (AssociateResourceShare, clouds.alibaba.ecs_dr_account). ENS has no way to share a
snapshot: it refuses the option. Tencent Cloud CBS shares a snapshot (ModifySnapshotsSharePermission) only to be made into a disk in its own
region: the source account's copy in the DR region is shared, and the DR account makes a disk of it and its own snapshot
of that disk (clouds.tencent.cbs_dr_account).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import InputError
from .capabilities import DrAccountAdapter

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..core.assume_role import RoleRules
    from ..engine.capabilities import CopyAdapter

# The assume-role options of AWS and Tencent Cloud, under the names their connections take them.
DR_ACCOUNT_OPTIONS = {'role_arn': {}, 'role_session_name': {}, 'external_id': {'no_log': True}}

# Where a DR run reads the DR account's options that dr_account leaves out: what the DR account credential types of AWX
# inject (docs/awx/credential_type_dr_account_aws.yml, credential_type_dr_account_tencentcloud.yml). Per cloud, so that
# a fleet job with one cloud's DR account credential leaves its other clouds' scopes in their own accounts.
DR_ACCOUNT_ENV = {
    'aws': {'role_arn': 'SNAPCOPY_AWS_DR_ROLE_ARN', 'role_session_name': 'SNAPCOPY_AWS_DR_ROLE_SESSION_NAME',
            'external_id': 'SNAPCOPY_AWS_DR_EXTERNAL_ID'},
    'ecs': {'role_arn': 'SNAPCOPY_ALICLOUD_DR_ROLE_ARN', 'role_session_name': 'SNAPCOPY_ALICLOUD_DR_ROLE_SESSION_NAME',
            'external_id': 'SNAPCOPY_ALICLOUD_DR_EXTERNAL_ID'},
    'cbs': {'role_arn': 'SNAPCOPY_TENCENT_DR_ROLE_ARN', 'role_session_name': 'SNAPCOPY_TENCENT_DR_ROLE_SESSION_NAME',
            'external_id': 'SNAPCOPY_TENCENT_DR_EXTERNAL_ID'},
}

# Why a cloud refuses dr_account (the provider's name: the reason, in the API's words).
REFUSALS = {
    'ens': 'Alibaba Cloud ENS has no API that shares a snapshot with another account, so DR copies cannot be made in a DR '
           'account there',
}


def dr_account_options(value: Mapping[str, Any] | None, provider: str) -> dict[str, Any]:
    """The DR account's assume-role options: those of ``value`` (dr_sync's ``dr_account``), each one it leaves empty from
    the provider's environment variables (DR_ACCOUNT_ENV), else None."""
    value = value or {}
    variables = DR_ACCOUNT_ENV.get(provider, {})
    return {key: value.get(key) or os.environ.get(variables.get(key, '')) or None for key in DR_ACCOUNT_OPTIONS}


def dr_account_settings(value: Mapping[str, Any] | None, provider: str, rules: RoleRules) -> dict[str, Any] | None:
    """dr_sync's ``dr_account`` (with DR_ACCOUNT_ENV) as the DR account's assume-role options and its account id; None when
    unset or empty. InputError for a cloud that has no cross-account path, or a role ARN its rules refuse; no call."""
    options = dr_account_options(value, provider)
    if not any(options.values()):
        return None
    if provider in REFUSALS:
        raise InputError('dr_account', '%s: leave dr_account unset for provider %s (docs/vault.md)' % (REFUSALS[provider], provider))
    if not options['role_arn']:
        variable = DR_ACCOUNT_ENV.get(provider, {}).get('role_arn')
        raise InputError('dr_account.role_arn', 'is needed%s: the role in the DR account that the run assumes to make and own the copies'
                         % (' (or the environment variable %s)' % variable if variable else ''))
    # Checked under the names the cloud's connection gives them (Alibaba: alicloud_assume_role_arn, ...), named back as keys
    # of dr_account: the connection's own option of that name is another setting.
    names = dict(zip(rules.options(), DR_ACCOUNT_OPTIONS))
    try:
        arn = rules.check({name: options[key] for name, key in names.items()})
    except InputError as error:
        raise InputError('dr_account.' + names.get(error.option, error.option), error.message) from None
    return dict(options, account=rules.account(cast('str', arn)))  # role_arn is set: check answers it


def connect_dr_account(adapter: CopyAdapter, connection: Mapping[str, Any], dr_account: Mapping[str, Any], source_region: str,
                       dr_region: str) -> None:
    """Send ``adapter``'s calls outside ``source_region`` to the DR account: ``connection`` (the run's, with its own keys)
    with the DR account's role. Then ask the cloud who each side is (STS GetCallerIdentity, one read each, ``dr_region``
    the DR account's side), before anything changes: a DR account that is the disks' own protects nothing against that
    account's loss, and the role's ARN alone does not tell, when the run's own keys are plain keys. A refused read (the DR
    role refused, say) ends the run here with the cloud's code, message and request id."""
    if not isinstance(adapter, DrAccountAdapter):
        raise InputError('dr_account', '%s cannot make copies in another account' % adapter.cloud)
    dr_connection = dict(connection)
    dr_connection.update({key: dr_account[key] for key in DR_ACCOUNT_OPTIONS})
    adapter.use_dr_account(dr_connection, source_region, dr_account['account'])
    # Each DR adapter's client is a router of the two accounts' clients from now on (clouds.aws.client.AccountRouter,
    # clouds.alibaba.client.AlibabaAccountRouter, clouds.tencent.client.TencentAccountRouter).
    disks_account = adapter.client.caller_account(source_region)
    if disks_account == dr_account['account']:
        raise InputError('dr_account.role_arn', "names a role of account %s, and the run's credentials act in the disks' account %s "
                         "(STS GetCallerIdentity): the DR account must be another account, out of reach of the disks' account "
                         "(docs/vault.md)" % (dr_account['account'], disks_account))
    role_account = adapter.client.caller_account(dr_region)
    if role_account != dr_account['account']:
        raise InputError('dr_account.role_arn', "names a role of account %s, and its credentials act in account %s (STS "
                         "GetCallerIdentity); the disks' account is %s" % (dr_account['account'], role_account, disks_account))
