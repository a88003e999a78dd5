# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_scopes inventory's rules, the same for the three clouds: which accounts of an organisation become scopes, with
which regions and variables, and the record of those left out and why.

``plan_scopes`` takes an organisation as read (module_utils/core/organization.py) and the inventory file's settings, and
answers the scopes (inventory hosts and their variables) and the organisation's record (the accounts, each with its
scopes or why it has none), which the fleet report shows as the accounts DR does not cover.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.organization import (
    ACTIVE,
    MemberAccount,
    OrganizationRead,
)

FILTER_KEYS = ('accounts', 'units', 'tags')
HOST_NAME_FIELDS = ('provider', 'account', 'name', 'region')
DEFAULT_HOST_NAME = '{provider}-{account}-{region}'


class ScopeSettingsError(ValueError):
    """A setting of the inventory file that cannot be used, with the setting's name in its words."""


def _text_list(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, (str, int)) for item in value):
        raise ScopeSettingsError('%s must be a list of names, got %r' % (name, value))
    return [str(item) for item in value]


def check_filter(value: Any, name: str) -> dict[str, Any]:
    """An include or exclude setting: {accounts: [ids], units: [ids or names], tags: {key: value or None}}."""
    value = value or {}
    if not isinstance(value, Mapping):
        raise ScopeSettingsError('%s must be a mapping of accounts, units and tags, got %r' % (name, value))
    unknown = sorted(set(value) - set(FILTER_KEYS))
    if unknown:
        raise ScopeSettingsError('%s takes accounts, units and tags, not %s' % (name, ', '.join(unknown)))
    tags = value.get('tags') or {}
    if not isinstance(tags, Mapping):
        raise ScopeSettingsError('%s.tags must be a mapping of tag keys to values (~ for any value)' % name)
    return {
        'accounts': _text_list(value.get('accounts'), name + '.accounts'),
        'units': _text_list(value.get('units'), name + '.units'),
        'tags': {str(key): None if tag is None else str(tag) for key, tag in tags.items()},
    }


def check_dr_regions(value: object) -> dict[str | None, list[str]]:
    """dr_regions: one list for every source region (a scope never copies to its own region), or {source region: list}."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(region): _text_list(regions, 'dr_regions.%s' % region) for region, regions in value.items()}
    return {None: _text_list(value, 'dr_regions')}


def check_host_name(template: str) -> str:
    fields = {parsed[1] for parsed in string.Formatter().parse(template) if parsed[1] is not None}
    unknown = sorted(fields - set(HOST_NAME_FIELDS))
    if unknown or 'account' not in fields or 'region' not in fields:
        raise ScopeSettingsError(
            'host_name must name {account} and {region}, and may name {provider} and {name}; got %r' % template
        )
    return template


def needs_units(settings: Mapping[str, Any]) -> bool:
    return bool(settings['include']['units'] or settings['exclude']['units'])


def needs_tags(settings: Mapping[str, Any]) -> bool:
    return bool(
        settings['include']['tags']
        or settings['exclude']['tags']
        or settings['tag_vars']
        or settings.get('construct_tags')
    )


def _tags_match(wanted: Mapping[str, str | None], tags: Mapping[str, str]) -> bool:
    """Whether ``tags`` has every key of ``wanted`` with its value (None: any value)."""
    return all(key in tags and (value is None or tags[key] == value) for key, value in wanted.items())


def _unit_names(read: OrganizationRead, wanted: Iterable[str]) -> dict[str, str]:
    """{unit id: the name the setting gave} for every unit the names or ids of ``wanted`` find."""
    return {unit_id: name for name in wanted for unit_id in read.unit_ids(name)}


def why_left_out(account: MemberAccount, settings: Mapping[str, Any], read: OrganizationRead) -> str | None:
    """Why ``account`` has no scope (None: it has them). The account's state first, then exclude, then include."""
    if account.state != ACTIVE:
        return account.why or 'the organisation says it is %s' % account.state
    include, exclude = settings['include'], settings['exclude']
    tags = account.tags or {}
    if account.account in exclude['accounts']:
        return 'excluded by its id'
    excluded_units = _unit_names(read, exclude['units'])
    under = [excluded_units[unit] for unit in account.units if unit in excluded_units]
    if under:
        return 'excluded: in unit %s' % under[0]
    if exclude['tags'] and any(_tags_match({key: value}, tags) for key, value in exclude['tags'].items()):
        return 'excluded by its tags (%s)' % _tag_words(exclude['tags'])
    if include['accounts'] and account.account not in include['accounts']:
        return 'not among the accounts included'
    if include['units'] and not set(account.units) & set(_unit_names(read, include['units'])):
        return 'in none of the units included (%s)' % ', '.join(include['units'])
    if include['tags'] and not _tags_match(include['tags'], tags):
        return 'without the tags included (%s)' % _tag_words(include['tags'])
    return None


def _tag_words(tags: Mapping[str, str | None]) -> str:
    return ', '.join(key if value is None else '%s=%s' % (key, value) for key, value in sorted(tags.items()))


def _host_name(settings: Mapping[str, Any], account: MemberAccount, region: str) -> str:
    name = re.sub(r'[^A-Za-z0-9_.-]+', '_', account.name).strip('_') or account.account
    template: str = settings['host_name']
    return template.format(provider=settings['provider'], account=account.account, name=name, region=region)


def scope_variables(settings: Mapping[str, Any], account: MemberAccount, region: str) -> dict[str, Any]:
    """The variables of the scope of ``account`` in ``region``: the file's vars, then the account's tags named in
    tag_vars (text, as an AWX survey sends it: the role reads it), then what the scope is."""
    provider = settings['provider']
    variables = dict(settings['vars'])
    dr_regions = settings['dr_regions'].get(region, settings['dr_regions'].get(None))
    if dr_regions is not None:
        variables['dr_copy_dr_regions'] = [name for name in dr_regions if name != region]
    for variable, key in settings['tag_vars'].items():
        if account.tags and key in account.tags:
            variables[variable] = account.tags[key]
    variables.update(
        dr_copy_provider=provider,
        dr_copy_source_region=region,
        dr_fleet_account=account.account,
        dr_scope_account={
            'id': account.account,
            'name': account.name,
            'units': list(account.units),
            'tags': account.tags,
        },
    )
    if settings['role']:
        connection = dict(variables.get('dr_copy_connection') or {})
        # The connection option that names the role to assume, as the cloud's assume-role rules name it.
        connection[PROVIDERS[provider].role_rules.arn_option] = settings['role'].format(account=account.account)
        variables['dr_copy_connection'] = connection
    return variables


def plan_scopes(
    read: OrganizationRead, settings: Mapping[str, Any], regions: Sequence[str]
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """(the scopes as [(host name, variables)], the organisation's record). ``regions``: the source regions, each
    included account has one scope in each."""
    scopes: list[tuple[str, dict[str, Any]]] = []
    records: list[dict[str, Any]] = []
    names: set[str] = set()
    for account in sorted(read.accounts, key=lambda member: member.account):
        reason = why_left_out(account, settings, read)
        hosts: list[str] = []
        if reason is None:
            for region in regions:
                name = _host_name(settings, account, region)
                if name in names:
                    raise ScopeSettingsError('host_name %r names two scopes %s' % (settings['host_name'], name))
                names.add(name)
                hosts.append(name)
                scopes.append((name, scope_variables(settings, account, region)))
        records.append(
            {
                'account': account.account,
                'name': account.name,
                'state': account.state,
                'scopes': hosts,
                'left_out': reason,
            }
        )
    record = {
        'organization': PROVIDERS[settings['provider']].organization.name,
        'source': read.source,
        'provider': settings['provider'],
        'management_account': read.management_account,
        'regions': list(regions),
        'accounts': records,
        'calls': dict(sorted(read.calls.items())),
    }
    return scopes, record


def record_variable(record: Mapping[str, Any]) -> str:
    """The name of the group variable that carries ``record``: one per provider and management account, so that several
    inventory sources (one per cloud) each keep their own."""
    return 'dr_organization_%s_%s' % (record['provider'], re.sub(r'\W', '_', record['management_account'] or 'unknown'))
