# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One module for every cloud (dr_sync): its connection options and the adapter of each provider.

The single-copy modules take their cloud's options under that cloud's usual names, each with
its environment variables. dr_sync takes the union of them. Two names mean different things
on two clouds (``secret_key`` is AWS's and Tencent's, ``security_token`` Tencent's and an
alias on the others), so here the environment variables are read for the chosen provider
only, after the module has parsed its options: AWS_SECRET_ACCESS_KEY never becomes Tencent's
secret key, nor TENCENTCLOUD_SECRET_KEY AWS's.
"""

from __future__ import annotations

import os

from ._alibaba import ALIBABA_CONNECTION_SPEC, ENS_CONNECTION_SPEC
from ._assume_role import ALIBABA_ROLE_RULES, AWS_ROLE_RULES, TENCENT_ROLE_RULES
from ._aws import AWS_CONNECTION_SPEC
from ._copy_module import new_adapter
from ._tencent import TENCENT_CONNECTION_SPEC

PROVIDER_SPECS = {
    'aws': AWS_CONNECTION_SPEC,
    'ecs': ALIBABA_CONNECTION_SPEC,
    'ens': ENS_CONNECTION_SPEC,
    'cbs': TENCENT_CONNECTION_SPEC,
}

ROLE_RULES = {'aws': AWS_ROLE_RULES, 'ecs': ALIBABA_ROLE_RULES, 'ens': ALIBABA_ROLE_RULES, 'cbs': TENCENT_ROLE_RULES}


# The copy options each provider's copy call takes (the names of its single-copy module).
COPY_OPTIONS = {
    'aws': ('description', 'tags', 'encrypted', 'kms_key_id'),
    'ecs': ('name', 'description', 'tags', 'retention_days', 'encrypted', 'kms_key_id'),
    'ens': ('name', 'description', 'instance_billing_cycle'),
    'cbs': ('name', 'tags'),
}


def _union_spec():
    """Every cloud's connection options, each once, with every alias that names one option only.

    An alias that two clouds give to different options (``security_token``: Tencent's option, AWS's
    and Alibaba's alias of their own token) is left out, as is one that is another option's name
    (``access_key``, ``secret_key``). Every other alias a copy module takes is taken here too: one
    left out would be refused as unknown, and AnsibleModule would echo the secret in invocation.
    """
    spec, aliases = {}, {}
    for provider_spec in (AWS_CONNECTION_SPEC, ALIBABA_CONNECTION_SPEC, ENS_CONNECTION_SPEC, TENCENT_CONNECTION_SPEC):
        for name, option in provider_spec.items():
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


def provider_connection(provider, params, environ=None):
    """The connection options for ``provider`` out of dr_sync's params, with that cloud's environment variables."""
    environ = os.environ if environ is None else environ
    connection = {}
    for name, option in PROVIDER_SPECS[provider].items():
        value = params.get(name)
        if value is None and 'fallback' in option:
            value = next((environ[variable] for variable in option['fallback'][1] if environ.get(variable)), None)
        if value is None:
            value = option.get('default')
        connection[name] = value
    return connection


def assumed_account(provider, params, environ=None):
    """The account id of the role the run assumes (from its ARN), or None without a role."""
    rules = ROLE_RULES[provider]
    arn = rules.check(provider_connection(provider, params, environ))
    return rules.account(arn) if arn else None


def adapter_class(provider):
    """The adapter class of ``provider``; only the chosen cloud's code, and SDK, is loaded."""
    # pylint: disable=import-outside-toplevel
    if provider == 'aws':
        from ._ebs import EbsAdapter
        return EbsAdapter
    if provider == 'ecs':
        from ._ecs import EcsAdapter
        return EcsAdapter
    if provider == 'ens':
        from ._ens import EnsAdapter
        return EnsAdapter
    from ._cbs import CbsAdapter
    return CbsAdapter


def make_adapter(module, provider, retry):
    """The adapter of ``provider``, built from dr_sync's options (no API call yet)."""
    connection = provider_connection(provider, module.params)
    for name, option in PROVIDER_SPECS[provider].items():
        if option.get('no_log') and connection.get(name):
            # Values from the environment were not seen by AnsibleModule: hide them too.
            module.no_log_values.add(connection[name])
    return new_adapter(module, adapter_class(provider), connection, retry)
