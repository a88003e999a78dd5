# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds: one record per provider, which everything else that names a cloud reads.

A record holds what dr_sync, the dr_copy role, the dr_scopes inventory and the packaging need of a cloud: its
connection options (as its single-copy module takes them), the rules of its assume-role options, the copy options its
copy call takes, its single-copy module and the action group that module is in, the SDK distributions it needs with
their oldest releases, its organisation and that organisation's reader, and how to load its adapter (only the chosen
cloud's code, and SDK, is loaded). tests/unit/.../test_providers.py holds meta/runtime.yml's action groups, the
role's argument specs, the dr_connection doc fragment (the provider choices of every module and plugin), the AWX
survey and the execution environment's requirements to these records, and tests/unit/test_cloud_homes.py counts the
shared files that name a cloud. Adding a cloud is one record here and its files (client, adapter, organisation
reader, copy module; docs/architecture.md); what the DR run asks of a cloud is on its adapter (dr/capabilities.py).

dr_sync takes the union of every cloud's connection options. Two names mean different things on two clouds
(``secret_key`` is AWS's and Tencent's, ``security_token`` Tencent's and an alias on the others), so the
environment variables are read for the chosen provider only, after the module has parsed its options:
AWS_SECRET_ACCESS_KEY never becomes Tencent's secret key, nor TENCENTCLOUD_SECRET_KEY AWS's.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..dr.account import DrAccountSupport
from .alibaba import prices as alibaba_prices
from .alibaba.client import (
    ALIBABA_CONNECTION_SPEC,
    ALIBABA_ROLE_RULES,
    ALIBABA_SDK_MINIMUMS,
    ENS_CONNECTION_SPEC,
)
from .aws import prices as aws_prices
from .aws.client import AWS_CONNECTION_SPEC, AWS_ROLE_RULES, AWS_SDK_MINIMUMS
from .tencent import prices as tencent_prices
from .tencent.client import TENCENT_CONNECTION_SPEC, TENCENT_ROLE_RULES, TENCENT_SDK_MINIMUMS

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import ModuleType

    from ..core.assume_role import RoleRules
    from ..dr.capabilities import DrAdapter
    from ..dr.plan import PlanFacts


@dataclass(frozen=True)
class Organization:
    """The organisation a cloud's accounts are in, as the dr_scopes inventory reads it."""

    #: Its name in the inventory's record of the organisation ('aws', 'alibaba', 'tencent').
    name: str
    #: The module below clouds/ of its reader (``read_organization(client, with_units=, with_tags=)``), by name: the
    #: inventory imports it on the controller (``organization_reader``), and no module's payload carries it.
    reader: str
    #: Whether the reader's module answers the account's enabled regions (``enabled_regions(client)``), read when the
    #: inventory file names none.
    lists_regions: bool = False


@dataclass(frozen=True)
class Provider:
    """One cloud, as dr_sync's ``provider`` names it."""

    name: str
    #: The single-copy module of this cloud, and its group in meta/runtime.yml (what module_defaults names).
    copy_module: str
    action_group: str
    #: The module's connection options, each with its environment variables (fallback).
    connection_spec: dict[str, Any]
    #: The names of its assume-role options and the shapes its STS accepts for them.
    role_rules: RoleRules
    #: The copy options its copy call takes (the names of its single-copy module).
    copy_options: tuple[str, ...]
    #: The Python distributions its client imports, each with its oldest release (meta/ee-requirements.txt, the
    #: modules' requirements, tests/requirements-oldest.txt).
    sdk_minimums: Mapping[str, str]
    #: Imports the adapter's file and answers its class: a function each, so that Ansible's module packer sees
    #: every import (it reads import statements; a name computed at run time would leave the file out).
    load_adapter: Callable[[], type[DrAdapter]]
    #: What it says of a separate DR account (dr_sync's dr_account): its AWX credential's variables, or why it refuses
    #: one.
    dr_account: DrAccountSupport
    organization: Organization
    #: Which of its copies are full, its limits on copies and its prices (clouds/<vendor>/prices.py): dr_sync's plan.
    plan: PlanFacts | None = None
    #: How the event source snapcopy.cloud.snapshots can be pushed this cloud's completed snapshots (its queue_url),
    #: or '' where it only polls.
    snapshot_queue: str = ''
    #: Whether its snapshots name no set they were taken in, so that dr_sync's consistency_set_tag (a tag the user's
    #: own tooling writes) is what marks a set (EC2); the others name their sets (snapshot groups), and refuse the tag.
    takes_a_set_tag: bool = False

    @property
    def sdk_distributions(self) -> tuple[str, ...]:
        return tuple(self.sdk_minimums)


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


def _alibaba_sdk(product: str) -> dict[str, str]:
    """The Alibaba distributions of a product's client: the core and the product's request classes."""
    return {name: ALIBABA_SDK_MINIMUMS[name] for name in ('aliyun-python-sdk-core', product)}


def dr_account_variables(prefix: str) -> DrAccountSupport:
    """The variables a cloud's DR account credential type injects: SNAPCOPY_<prefix>_DR_ROLE_ARN and the rest."""
    return DrAccountSupport(
        environment={
            'role_arn': 'SNAPCOPY_%s_DR_ROLE_ARN' % prefix,
            'role_session_name': 'SNAPCOPY_%s_DR_ROLE_SESSION_NAME' % prefix,
            'external_id': 'SNAPCOPY_%s_DR_EXTERNAL_ID' % prefix,
        }
    )


ALIBABA_ORGANIZATION = Organization('alibaba', 'alibaba.organization')

PROVIDERS = {
    provider.name: provider
    for provider in (
        Provider(
            name='aws',
            copy_module='ebs_snapshot_copy',
            action_group='aws',
            connection_spec=AWS_CONNECTION_SPEC,
            role_rules=AWS_ROLE_RULES,
            copy_options=('description', 'tags', 'encrypted', 'kms_key_id', 'completion_duration_minutes'),
            sdk_minimums=AWS_SDK_MINIMUMS,
            load_adapter=_ebs_adapter,
            dr_account=dr_account_variables('AWS'),
            organization=Organization('aws', 'aws.organization', lists_regions=True),
            plan=aws_prices.PLAN,
            snapshot_queue='EventBridge to SQS',
            takes_a_set_tag=True,
        ),
        Provider(
            name='ecs',
            copy_module='ecs_snapshot_copy',
            action_group='alicloud',
            connection_spec=ALIBABA_CONNECTION_SPEC,
            role_rules=ALIBABA_ROLE_RULES,
            copy_options=('name', 'description', 'tags', 'retention_days', 'encrypted', 'kms_key_id'),
            sdk_minimums=_alibaba_sdk('aliyun-python-sdk-ecs'),
            load_adapter=_ecs_adapter,
            dr_account=dr_account_variables('ALICLOUD'),
            organization=ALIBABA_ORGANIZATION,
            plan=alibaba_prices.ECS_PLAN,
        ),
        Provider(
            name='ens',
            copy_module='ens_snapshot_copy',
            action_group='alicloud',
            connection_spec=ENS_CONNECTION_SPEC,
            role_rules=ALIBABA_ROLE_RULES,
            copy_options=('name', 'description', 'instance_billing_cycle'),
            sdk_minimums=_alibaba_sdk('aliyun-python-sdk-ens'),
            load_adapter=_ens_adapter,
            dr_account=DrAccountSupport(
                refusal='Alibaba Cloud ENS has no API that shares a snapshot with another account, so DR copies '
                'cannot be made in a DR account there'
            ),
            organization=ALIBABA_ORGANIZATION,
            plan=alibaba_prices.ENS_PLAN,
        ),
        Provider(
            name='cbs',
            copy_module='cbs_snapshot_copy',
            action_group='tencentcloud',
            connection_spec=TENCENT_CONNECTION_SPEC,
            role_rules=TENCENT_ROLE_RULES,
            copy_options=('name', 'tags'),
            sdk_minimums=TENCENT_SDK_MINIMUMS,
            load_adapter=_cbs_adapter,
            dr_account=dr_account_variables('TENCENT'),
            organization=Organization('tencent', 'tencent.organization'),
            plan=tencent_prices.PLAN,
        ),
    )
}

#: Every cloud's SDK distributions with their oldest releases (make units-oldest installs exactly these).
SDK_MINIMUMS = {name: release for provider in PROVIDERS.values() for name, release in provider.sdk_minimums.items()}


def organization_reader(provider: str) -> ModuleType:
    """The module of ``provider``'s organisation reader (Organization.reader), imported now: the dr_scopes inventory's,
    on the controller."""
    return importlib.import_module('%s.%s' % (__package__, PROVIDERS[provider].organization.reader))


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
