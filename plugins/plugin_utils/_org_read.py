# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_scopes inventory's settings, checked before any call, and its one read of the organisation: the cloud's client
as the modules make it (connection options and their environment variables, retries under throttling), then the cloud's
reader (module_utils/clouds/<vendor>/organization.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import (
    PROVIDERS,
    organization_reader,
    provider_connection,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, SnapcopyError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.organization import (
    MemberAccount,
    OrganizationRead,
    Unit,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._dr_scopes import (
    ScopeSettingsError,
    check_dr_regions,
    check_filter,
    check_host_name,
    needs_tags,
    needs_units,
)


class ReadError(Exception):
    """The organisation could not be read: the cloud's code, message and request id, or what is missing."""


def _names(value: object, setting: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ScopeSettingsError('%s must be a mapping of names, got %r' % (setting, value))
    return dict(value)


def read_settings(get_option: Callable[[str], Any]) -> dict[str, Any]:
    """The inventory file's settings, each checked: a ScopeSettingsError naming the setting, before any call."""
    provider = get_option('provider')
    role = get_option('role') or None
    if role is not None and '{account}' not in role:
        raise ScopeSettingsError('role must name {account}, where each account id goes; got %r' % role)
    regions = list(get_option('regions') or [])
    if not regions and not (provider in PROVIDERS and PROVIDERS[provider].organization.lists_regions):
        raise ScopeSettingsError(
            'regions is required with provider %s (only with provider %s are they read from the cloud)'
            % (provider, ' or '.join(name for name, cloud in PROVIDERS.items() if cloud.organization.lists_regions))
        )
    tag_vars = _names(get_option('tag_vars') or {}, 'tag_vars')
    if not all(isinstance(key, str) and key for key in tag_vars.values()):
        raise ScopeSettingsError('tag_vars must map each variable to a tag key, got %r' % tag_vars)
    return {
        'provider': provider,
        'connection': _names(get_option('connection') or {}, 'connection'),
        'regions': regions,
        'dr_regions': check_dr_regions(get_option('dr_regions')),
        'role': role,
        'include': check_filter(get_option('include'), 'include'),
        'exclude': check_filter(get_option('exclude'), 'exclude'),
        'vars': _names(get_option('vars') or {}, 'vars'),
        'tag_vars': tag_vars,
        'host_name': check_host_name(get_option('host_name')),
        'group': get_option('group'),
        # compose, groups or keyed_groups that read dr_scope_account.tags need the tags read (on AWS, a call an account).
        'construct_tags': 'dr_scope_account.tags'
        in json.dumps([get_option(name) for name in ('compose', 'groups', 'keyed_groups')], default=str),
    }


def connection_of(provider: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's connection options from ``given`` (its names or aliases), each unset one from its environment
    variables, as the modules read them."""
    spec = PROVIDERS[provider].connection_spec
    names = {alias: name for name, option in spec.items() for alias in (name, *option.get('aliases', ()))}
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ScopeSettingsError(
            'connection takes the connection options of provider %s (%s), not %s'
            % (provider, ', '.join(sorted(spec)), ', '.join(unknown))
        )
    return provider_connection(provider, {names[key]: value for key, value in given.items()})


@dataclasses.dataclass
class OrganizationFound:
    """One read: the organisation and the source regions of its scopes."""

    organization: OrganizationRead
    regions: list[str]

    def to_cache(self) -> dict[str, Any]:
        return {'organization': dataclasses.asdict(self.organization), 'regions': list(self.regions)}

    @classmethod
    def from_cache(cls, kept: Mapping[str, Any]) -> OrganizationFound:
        organization = dict(kept['organization'])
        organization['accounts'] = [
            MemberAccount(**dict(account, units=tuple(account['units']))) for account in organization['accounts']
        ]
        organization['units'] = {key: Unit(**unit) for key, unit in organization['units'].items()}
        return cls(OrganizationRead(**organization), list(kept['regions']))


def read_the_organization(settings: Mapping[str, Any], retry: CallRetry | None = None) -> OrganizationFound:
    """The organisation of the management account the connection reaches, and the source regions (read on AWS when the
    file names none). ``retry``: how the reads are retried (by default as the modules' are)."""
    provider = settings['provider']
    connection = connection_of(provider, settings['connection'])
    try:
        adapter = (
            PROVIDERS[provider].load_adapter().from_connection(connection, retry=retry or CallRetry(default_backoff()))
        )
        client = adapter.client
        reader = organization_reader(provider)
        organization = reader.read_organization(
            client, with_units=needs_units(settings), with_tags=needs_tags(settings)
        )
        regions = settings['regions']
        if not regions:
            organization.count('DescribeRegions')
            regions = reader.enabled_regions(client)
    except ImportError as error:
        raise ReadError(
            'the SDK of provider %s is missing (%s): install %s'
            % (provider, error, ', '.join(PROVIDERS[provider].sdk_distributions))
        ) from None
    except CloudError as error:
        raise ReadError(error.describe()) from None
    except SnapcopyError as error:
        raise ReadError(str(error)) from None
    return OrganizationFound(organization, regions)
