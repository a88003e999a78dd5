# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds: one record per provider, which everything else that names a cloud reads.

A record holds what dr_sync, the dr_copy role and the packaging need of a cloud: its connection options
(as its single-copy module takes them), the rules of its assume-role options, the copy options its copy
call takes, its single-copy module and the action group that module is in, the SDK distributions it needs,
and how to load its adapter (only the chosen cloud's code, and SDK, is loaded). tests/unit/.../test_providers.py
holds meta/runtime.yml's action groups, the role's argument specs, dr_sync's documentation, the AWX survey
and the execution environment's requirements to these records. Adding a cloud is one record here and its
files (client, adapter, copy module); what the DR run asks of a cloud is on its adapter (engine/capabilities.py).

dr_sync takes the union of every cloud's connection options. Two names mean different things on two clouds
(``secret_key`` is AWS's and Tencent's, ``security_token`` Tencent's and an alias on the others), so the
environment variables are read for the chosen provider only, after the module has parsed its options:
AWS_SECRET_ACCESS_KEY never becomes Tencent's secret key, nor TENCENTCLOUD_SECRET_KEY AWS's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..core.assume_role import ALIBABA_ROLE_RULES, AWS_ROLE_RULES, TENCENT_ROLE_RULES, RoleRules
from ..dr.account import DrAccountSupport
from .alibaba.client import ALIBABA_CONNECTION_SPEC, ENS_CONNECTION_SPEC
from .aws.client import AWS_CONNECTION_SPEC
from .tencent.client import TENCENT_CONNECTION_SPEC

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..dr.capabilities import DrAdapter


@dataclass(frozen=True)
class Provider:
    """One cloud, as dr_sync's ``provider`` names it."""

    name: str
    #: The single-copy module of this cloud, and its group in meta/runtime.yml (what module_defaults names).
    copy_module: str
    action_group: str
    #: The module's connection options, each with its environment variables (fallback).
    connection_spec: dict[str, Any]
    role_rules: RoleRules
    #: The copy options its copy call takes (the names of its single-copy module).
    copy_options: tuple[str, ...]
    #: The Python distributions its client imports (meta/ee-requirements.txt, core.sdk_versions.MINIMUM_VERSIONS).
    sdk_distributions: tuple[str, ...]
    #: Imports the adapter's file and answers its class: a function each, so that Ansible's module packer sees
    #: every import (it reads import statements; a name computed at run time would leave the file out).
    load_adapter: Callable[[], type[DrAdapter]]
    #: What it says of a separate DR account (dr_sync's dr_account): its AWX credential's variables, or why it refuses
    #: one.
    dr_account: DrAccountSupport
    #: How the event source snapcopy.cloud.snapshots can be pushed this cloud's completed snapshots (its queue_url),
    #: or '' where it only polls.
    snapshot_queue: str = ''


# pylint: disable=import-outside-toplevel
def _ebs_adapter() -> type[DrAdapter]:
    from .aws.ebs_dr import EbsAdapter

    return EbsAdapter


def _ecs_adapter() -> type[DrAdapter]:
    from .alibaba.ecs_dr import EcsAdapter

    return EcsAdapter


def _ens_adapter() -> type[DrAdapter]:
    from .alibaba.ens_dr import EnsAdapter

    return EnsAdapter


def _cbs_adapter() -> type[DrAdapter]:
    from .tencent.cbs_dr import CbsAdapter

    return CbsAdapter


# pylint: enable=import-outside-toplevel


ALIBABA_SDK = ('aliyun-python-sdk-core',)
TENCENT_SDK = ('tencentcloud-sdk-python-common', 'tencentcloud-sdk-python-cbs', 'tencentcloud-sdk-python-tag')


def dr_account_variables(prefix: str) -> DrAccountSupport:
    """The variables a cloud's DR account credential type injects: SNAPCOPY_<prefix>_DR_ROLE_ARN and the rest."""
    return DrAccountSupport(
        environment={
            'role_arn': 'SNAPCOPY_%s_DR_ROLE_ARN' % prefix,
            'role_session_name': 'SNAPCOPY_%s_DR_ROLE_SESSION_NAME' % prefix,
            'external_id': 'SNAPCOPY_%s_DR_EXTERNAL_ID' % prefix,
        }
    )


PROVIDERS = {
    provider.name: provider
    for provider in (
        Provider(
            'aws',
            'ebs_snapshot_copy',
            'aws',
            AWS_CONNECTION_SPEC,
            AWS_ROLE_RULES,
            ('description', 'tags', 'encrypted', 'kms_key_id'),
            ('botocore',),
            _ebs_adapter,
            dr_account_variables('AWS'),
            snapshot_queue='EventBridge to SQS',
        ),
        Provider(
            'ecs',
            'ecs_snapshot_copy',
            'alicloud',
            ALIBABA_CONNECTION_SPEC,
            ALIBABA_ROLE_RULES,
            ('name', 'description', 'tags', 'retention_days', 'encrypted', 'kms_key_id'),
            (*ALIBABA_SDK, 'aliyun-python-sdk-ecs'),
            _ecs_adapter,
            dr_account_variables('ALICLOUD'),
        ),
        Provider(
            'ens',
            'ens_snapshot_copy',
            'alicloud',
            ENS_CONNECTION_SPEC,
            ALIBABA_ROLE_RULES,
            ('name', 'description', 'instance_billing_cycle'),
            (*ALIBABA_SDK, 'aliyun-python-sdk-ens'),
            _ens_adapter,
            DrAccountSupport(
                refusal='Alibaba Cloud ENS has no API that shares a snapshot with another account, so DR copies '
                'cannot be made in a DR account there'
            ),
        ),
        Provider(
            'cbs',
            'cbs_snapshot_copy',
            'tencentcloud',
            TENCENT_CONNECTION_SPEC,
            TENCENT_ROLE_RULES,
            ('name', 'tags'),
            TENCENT_SDK,
            _cbs_adapter,
            dr_account_variables('TENCENT'),
        ),
    )
}


def _union_spec() -> dict[str, dict[str, Any]]:
    """Every cloud's connection options, each once, with every alias that names one option only.

    An alias that two clouds give to different options (``security_token``: Tencent's option, AWS's
    and Alibaba's alias of their own token) is left out, as is one that is another option's name
    (``access_key``, ``secret_key``). Every other alias a copy module takes is taken here too: one
    left out would be refused as unknown, and AnsibleModule would echo the secret in invocation.
    """
    spec: dict[str, dict[str, Any]] = {}
    aliases: dict[str, set[str]] = {}
    for provider in PROVIDERS.values():
        for name, option in provider.connection_spec.items():
            merged = {key: value for key, value in option.items() if key not in ('fallback', 'aliases')}
            if name in spec:
                merged['no_log'] = spec[name].get('no_log', False) or option.get('no_log', False)
            spec[name] = merged
            for alias in option.get('aliases', ()):
                aliases.setdefault(alias, set()).add(name)
    for alias, names in sorted(aliases.items()):
        if len(names) == 1 and alias not in spec:
            spec[next(iter(names))].setdefault('aliases', []).append(alias)
    return spec


DR_CONNECTION_SPEC = _union_spec()


def provider_connection(
    provider: str, params: dict[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The connection options for ``provider`` out of dr_sync's params, with that cloud's environment variables."""
    environ = os.environ if environ is None else environ
    connection: dict[str, Any] = {}
    for name, option in PROVIDERS[provider].connection_spec.items():
        value = params.get(name)
        if value is None and 'fallback' in option:
            value = next((environ[variable] for variable in option['fallback'][1] if environ.get(variable)), None)
        if value is None:
            value = option.get('default')
        connection[name] = value
    return connection


def assumed_account(provider: str, params: dict[str, Any], environ: Mapping[str, str] | None = None) -> str | None:
    """The account id of the role the run assumes (from its ARN), or None without a role."""
    rules = PROVIDERS[provider].role_rules
    arn = rules.check(provider_connection(provider, params, environ))
    return rules.account(arn) if arn else None
