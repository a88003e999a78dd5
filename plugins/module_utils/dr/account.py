# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A separate DR account (dr_sync's ``dr_account``, docs/vault.md): the option, which clouds refuse it and why, and the
DR account's connection: the run's own, with the DR account's role to assume.

On AWS the source account shares each source snapshot with the DR account (ModifySnapshotAttribute), the DR account
copies it into its DR regions, and a run removes every share it made once no copy of that snapshot is in flight (the
adapter, clouds/aws/ebs_dr.py). ECS does the same through Resource Sharing (AssociateResourceShare,
clouds.alibaba.ecs_dr_account). ENS has no way to share a snapshot: it refuses the option. Tencent Cloud CBS shares a
snapshot (ModifySnapshotsSharePermission) only to be made into a disk in its own region: the source account's copy in
the DR region is shared, and the DR account makes a disk of it and its own snapshot of that disk
(clouds.tencent.cbs_dr_account).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from .capabilities import vault_part

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..core.assume_role import RoleRules
    from ..engine.capabilities import CopyAdapter

# The assume-role options of AWS and Tencent Cloud, under the names their connections take them.
DR_ACCOUNT_OPTIONS = {'role_arn': {}, 'role_session_name': {}, 'external_id': {'no_log': True}}


@dataclass(frozen=True)
class DrAccountSupport:
    """What a cloud says of a separate DR account (its record in clouds/registry.py carries one): the environment
    variables a DR run reads the options from that dr_account leaves out, which the DR account credential types of AWX
    inject (docs/awx/credential_type_dr_account_*.yml), one set per cloud, so that a fleet job with one cloud's DR
    account credential leaves its other clouds' scopes in their own accounts; or why the cloud refuses dr_account, in
    its API's words."""

    environment: Mapping[str, str] = field(default_factory=dict)
    refusal: str | None = None


def dr_account_options(value: Mapping[str, Any] | None, support: DrAccountSupport) -> dict[str, Any]:
    """The DR account's assume-role options: those of ``value`` (dr_sync's ``dr_account``), each one it leaves empty
    from the cloud's environment variables (``support.environment``), else None."""
    value = value or {}
    return {
        key: value.get(key) or os.environ.get(support.environment.get(key, '')) or None for key in DR_ACCOUNT_OPTIONS
    }


def dr_account_settings(
    value: Mapping[str, Any] | None, *, provider: str, rules: RoleRules, support: DrAccountSupport
) -> dict[str, Any] | None:
    """dr_sync's ``dr_account`` (with the cloud's environment variables) as the DR account's assume-role options and its
    account id; None when unset or empty. InputError for a cloud that refuses it, or a role ARN its rules refuse; no
    call."""
    options = dr_account_options(value, support)
    if not any(options.values()):
        return None
    if support.refusal is not None:
        raise InputError(
            'dr_account', '%s: leave dr_account unset for provider %s (docs/vault.md)' % (support.refusal, provider)
        )
    if not options['role_arn']:
        variable = support.environment.get('role_arn')
        raise InputError(
            'dr_account.role_arn',
            'is needed%s: the role in the DR account that the run assumes to make and own the copies'
            % (' (or the environment variable %s)' % variable if variable else ''),
        )
    # Checked under the names the cloud's connection gives them (Alibaba: alicloud_assume_role_arn, ...), named back as
    # keys of dr_account: the connection's own option of that name is another setting.
    names = dict(zip(rules.options(), DR_ACCOUNT_OPTIONS))
    try:
        arn = rules.check({name: options[key] for name, key in names.items()})
    except InputError as error:
        raise InputError('dr_account.' + names.get(error.option, error.option), error.message) from None
    return dict(options, account=rules.account(arn or ''))  # role_arn is set: check answers it


def connect_dr_account(
    adapter: CopyAdapter,
    connection: Mapping[str, Any],
    dr_account: Mapping[str, Any],
    source_region: str,
    dr_region: str,
) -> None:
    """Send ``adapter``'s calls outside ``source_region`` to the DR account: ``connection`` (the run's, with its own
    keys) with the DR account's role. Then ask the cloud who each side is (STS GetCallerIdentity, one read each,
    ``dr_region`` the DR account's side), before anything changes: a DR account that is the disks' own protects nothing
    against that account's loss, and the role's ARN alone does not tell, when the run's own keys are plain keys. A
    refused read (the DR role refused, say) ends the run here with the cloud's code, message and request id."""
    vault = vault_part(adapter)
    if vault is None:
        # A cloud without the capability refuses dr_account in its registry record (DrAccountSupport.refusal), before
        # this.
        raise TypeError(
            '%s has no DrAccountAdapter: its registry record must refuse dr_account' % type(adapter).__name__
        )
    dr_connection = dict(connection)
    dr_connection.update({key: dr_account[key] for key in DR_ACCOUNT_OPTIONS})
    vault.use_dr_account(dr_connection, source_region, dr_account['account'])
    # Each DR adapter's client is a router of the two accounts' clients from now on (clouds.aws.client.AccountRouter,
    # clouds.alibaba.client.AlibabaAccountRouter, clouds.tencent.client.TencentAccountRouter).
    disks_account = adapter.client.caller_account(source_region)
    if disks_account == dr_account['account']:
        raise InputError(
            'dr_account.role_arn',
            "names a role of account %s, and the run's credentials act in the disks' account %s "
            "(STS GetCallerIdentity): the DR account must be another account, out of reach of the disks' account "
            "(docs/vault.md)" % (dr_account['account'], disks_account),
        )
    role_account = adapter.client.caller_account(dr_region)
    if role_account != dr_account['account']:
        raise InputError(
            'dr_account.role_arn',
            "names a role of account %s, and its credentials act in account %s (STS "
            "GetCallerIdentity); the disks' account is %s" % (dr_account['account'], role_account, disks_account),
        )
