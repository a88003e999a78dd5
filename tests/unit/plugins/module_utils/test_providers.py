"""Every place outside the code that names the clouds says what the provider registry (clouds.registry.PROVIDERS) says:
meta/runtime.yml's action groups, dr_sync's documentation, the dr_copy role's argument specs, the AWX survey, the
execution environment's requirements and the oldest SDK releases. A cloud added to the registry and forgotten in one
of them fails here."""

from __future__ import annotations

import importlib
import json
import os
import re

import pytest
import yaml

from ansible_collections.snapcopy.cloud.plugins.doc_fragments.dr_connection import ModuleDocFragment as DrConnection
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds import registry as _providers
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.assume_role import EXTERNAL_ID_NAMES
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import DrAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.capabilities import CopyAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC
from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync

PROVIDERS = _providers.PROVIDERS
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding='utf-8') as handle:
        return handle.read()


def test_the_registry_names_each_cloud_once():
    assert list(PROVIDERS) == ['aws', 'ecs', 'ens', 'cbs']
    assert all(name == provider.name for name, provider in PROVIDERS.items())
    assert len({provider.copy_module for provider in PROVIDERS.values()}) == len(PROVIDERS)


def test_runtime_action_groups_hold_each_copy_module_and_the_dr_modules_in_its_clouds_group():
    groups = yaml.safe_load(read('meta', 'runtime.yml'))['action_groups']
    wanted = {}
    for provider in PROVIDERS.values():
        wanted.setdefault(provider.action_group, {'dr_sync', 'dr_posture_info', 'dr_drill_finish'}).add(
            provider.copy_module
        )
    assert {name: set(members) for name, members in groups.items() if name != 'all'} == wanted
    assert set(groups['all'][0]['metadata']['extend_group']) == set(wanted)


def test_dr_sync_documents_and_takes_the_registrys_providers():
    # The provider option is documented once, in the dr_connection fragment, which dr_sync extends.
    assert 'snapcopy.cloud.dr_connection' in yaml.safe_load(dr_sync.DOCUMENTATION)['extends_documentation_fragment']
    documented = yaml.safe_load(DrConnection.DOCUMENTATION)['options']['provider']
    assert documented['choices'] == list(PROVIDERS) == DR_ARGUMENT_SPEC['provider']['choices']
    assert yaml.safe_load(DrConnection.PROVIDER)['options']['provider'] == documented


def test_the_fragment_names_the_action_groups_vendors_as_the_platforms():
    platforms = yaml.safe_load(DrConnection.DOCUMENTATION)['attributes']['platform']['platforms']
    assert platforms.split(', ') == list(dict.fromkeys(provider.action_group for provider in PROVIDERS.values()))


def plugins_taking_a_provider():
    """{path: DOCUMENTATION} of each module and inventory plugin with a provider option, its own or its fragments'."""
    found = {}
    for folder in ('modules', 'inventory'):
        for name in sorted(os.listdir(os.path.join(ROOT, 'plugins', folder))):
            if not name.endswith('.py'):
                continue
            doc = yaml.safe_load(
                importlib.import_module(
                    'ansible_collections.snapcopy.cloud.plugins.%s.%s' % (folder, name[:-3])
                ).DOCUMENTATION
            )
            fragments = doc.get('extends_documentation_fragment') or []
            if 'provider' in (doc.get('options') or {}) or any('dr_connection' in fragment for fragment in fragments):
                found['plugins/%s/%s' % (folder, name)] = doc
    return found


def test_every_plugin_that_takes_a_provider_has_its_choices_from_the_one_fragment():
    found = plugins_taking_a_provider()
    assert set(found) == {
        'plugins/modules/dr_sync.py',
        'plugins/modules/dr_posture_info.py',
        'plugins/modules/dr_drill_finish.py',
        'plugins/inventory/dr_scopes.py',
    }
    for path, doc in found.items():
        own = (doc.get('options') or {}).get('provider') or {}
        assert 'choices' not in own, path
        assert 'platform' not in (doc.get('attributes') or {}), path
        assert {'snapcopy.cloud.dr_connection', 'snapcopy.cloud.dr_connection.provider'} & set(
            doc['extends_documentation_fragment']
        ), path


def test_the_role_and_the_awx_survey_offer_the_registrys_providers():
    specs = yaml.safe_load(read('roles', 'dr_copy', 'meta', 'argument_specs.yml'))
    # The role names them (dr_sync's action checks the variable against its own choices, which are the registry's).
    described = specs['argument_specs']['main']['options']['dr_copy_provider']['description']
    assert re.findall(r'V\((\w+)\)', described) == list(PROVIDERS) == DR_ARGUMENT_SPEC['provider']['choices']
    survey = json.loads(read('docs', 'awx', 'dr_copy_survey.json'))
    (question,) = [question for question in survey['spec'] if question['variable'] == 'dr_copy_provider']
    assert question['choices'] == list(PROVIDERS)


def test_the_role_names_the_registrys_action_groups():
    # The role's argument specs cannot use a doc fragment: the groups of its connection variable are held here.
    text = read('roles', 'dr_copy', 'meta', 'argument_specs.yml')
    named = re.findall(r'C\(group/snapcopy\.cloud\.(\w+)\)', text)
    assert named == list(dict.fromkeys(provider.action_group for provider in PROVIDERS.values()))


def test_the_execution_environment_installs_every_clouds_sdk_and_no_other():
    requirements = {
        line.split('>=')[0]
        for line in read('meta', 'ee-requirements.txt').splitlines()
        if line.strip() and not line.startswith('#')
    }
    distributions = {name for provider in PROVIDERS.values() for name in provider.sdk_distributions}
    # boto3 brings botocore and is what AWS users install; the modules import botocore only.
    assert requirements == distributions | {'boto3'}


@pytest.mark.parametrize('name', list(PROVIDERS))
def test_each_record_is_its_copy_modules_cloud(name):
    """The copy module of the record is built on the copy adapter that the record's adapter extends (a copy module
    carries nothing of the DR run: test_layers.py), and on the record's connection options."""
    provider = PROVIDERS[name]
    adapter = provider.load_adapter()
    module = importlib.import_module('ansible_collections.snapcopy.cloud.plugins.modules.' + provider.copy_module)
    (copy_adapter,) = [
        value for value in vars(module).values() if isinstance(value, type) and issubclass(value, CopyAdapter)
    ]
    assert issubclass(adapter, copy_adapter) and not issubclass(copy_adapter, DrAdapter)
    (spec_name,) = [key for key, value in vars(_providers).items() if value is provider.connection_spec]
    assert getattr(module, spec_name) is provider.connection_spec
    assert set(provider.copy_options) <= set(yaml.safe_load(module.DOCUMENTATION)['options'])


def test_every_clouds_external_id_and_only_it_is_named_as_core_knows_external_ids():
    """core.assume_role.EXTERNAL_ID_NAMES knows the external ids by their names (core cannot read the records): every
    cloud's no_log role option, aliases too, is one, and no other option of any cloud is."""
    for provider in PROVIDERS.values():
        rules = provider.role_rules
        for name, option in provider.connection_spec.items():
            names = (name, *option.get('aliases', ()))
            secret_role_option = name == rules.external_id_option
            assert all((alias in EXTERNAL_ID_NAMES) == secret_role_option for alias in names), (provider.name, name)
            if secret_role_option:
                assert option.get('no_log') is True


@pytest.mark.parametrize('name', list(PROVIDERS))
def test_each_record_names_its_organisation_reader(name):
    organization = PROVIDERS[name].organization
    reader = _providers.organization_reader(name)
    assert reader.__name__.endswith('.clouds.' + organization.reader)
    assert callable(reader.read_organization)
    assert callable(getattr(reader, 'enabled_regions', None)) == organization.lists_regions


def walk_options(spec, where=()):
    """(path, names, option) for every option of an argument spec, suboptions too; names are the option's and its
    aliases."""
    for name, option in spec.items():
        yield (*where, name), (name, *option.get('aliases', ())), option
        yield from walk_options(option.get('options') or {}, (*where, name))


def is_secret(name):
    """What the vendors say is secret: the secret half of a key (not Tencent's secret_id, its key's id), a security or
    session token, an external id."""
    return ('secret' in name and not name.endswith('_id')) or 'token' in name or name in EXTERNAL_ID_NAMES


@pytest.mark.parametrize('spec_name', [*PROVIDERS, 'dr_sync'])
def test_the_secret_options_and_only_they_are_no_log_and_every_name_like_one_says_whether_it_is(spec_name):
    """Ansible masks only no_log options' values: a secret option without it shows its value in the invocation (-vvv)
    and in every result. A no_log option that holds no secret is as bad the other way: Ansible then masks its value
    wherever it occurs in the output (validate_certs' "True", an endpoint). validate-modules asks each option whose name
    looks like a secret's to say no_log either way. All held here for every cloud's connection options and for dr_sync's,
    which unites them (aliases and suboptions included)."""
    spec = DR_ARGUMENT_SPEC if spec_name == 'dr_sync' else PROVIDERS[spec_name].connection_spec
    looks_secret = re.compile(r'pass(?!ive)|secret|token|key', re.IGNORECASE)
    secrets = 0
    for path, names, option in walk_options(spec):
        secret = any(is_secret(name) for name in names)
        secrets += secret
        assert option.get('no_log', False) is secret, path
        if any(looks_secret.search(name) for name in names):
            assert 'no_log' in option, path
    assert secrets >= 3, 'a key\'s secret, a token and an external id at least'
