"""What the DR run's settings and the DR account's promise the layers that read them: values nobody changes once parsed
(dr.settings, dr.account, dr.leases), an external id Ansible itself is told is a secret, and a refusal that names where
else the value may come from."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr import account, settings
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases import lease
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC, tag_selector
from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync


@pytest.mark.parametrize('module', [settings, account, lease], ids=lambda module: module.__name__.rsplit('.', 1)[1])
def test_every_settings_dataclass_is_frozen(module):
    """Parsed once, read by the run, its engine workers, the drill and the report: a layer that could change a setting
    under the others would make two of them disagree about one run."""
    classes = [
        value
        for dummy, value in inspect.getmembers(module, inspect.isclass)
        if dataclasses.is_dataclass(value) and value.__module__ == module.__name__
    ]
    assert classes
    for value in classes:
        assert value.__dataclass_params__.frozen, value.__name__  # pylint: disable=no-member  # every dataclass has it


def test_ansible_itself_is_told_each_external_id_is_a_secret():
    """Besides the modules' own withholding (test_no_log_external_id.py): Ansible masks a no_log value in any output,
    a callback's or a warning's, that the module's withholding cannot reach."""
    result = ArgumentSpecValidator(DR_ARGUMENT_SPEC).validate(
        {
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': ['us-west-2'],
            'tag_selector': {'dr': 'yes'},
            'dr_account': {
                'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr',
                'external_id': 'vault-external-id-7',
            },
        }
    )
    assert not result.error_messages, result.error_messages
    assert 'vault-external-id-7' in result._no_log_values  # pylint: disable=protected-access  # what AnsibleModule masks


@pytest.mark.parametrize('provider', ['aws', 'ecs', 'cbs'])
def test_a_dr_account_without_a_role_names_the_environment_variable_that_can_give_it(provider):
    record = PROVIDERS[provider]
    with pytest.raises(InputError) as refused:
        account.dr_account_settings(
            {'external_id': 'x-1234'}, provider=provider, rules=record.role_rules, support=record.dr_account
        )
    assert refused.value.option == 'dr_account.role_arn'
    assert '(or the environment variable %s)' % record.dr_account.environment['role_arn'] in refused.value.message


def test_settings_made_without_a_concerns_options_are_the_safe_ones():
    """A DrSettings built without saying so prunes nothing, drills nothing, locks nothing, stays in the disks' account
    and does not wait: a caller that forgets a concern never deletes or makes disks by default."""
    made = settings.DrSettings('aws', 'us-east-1', (settings.DrRegion('us-west-2'),), {'dr': 'yes'})
    assert not made.prune.enabled and not made.prune.deletes
    assert not made.restore.enabled and made.lock is None and made.dr_account is None and not made.wait.wait
    assert not made.allow_no_disks, 'a selector that matches no disk fails the run unless the caller allows it'
    assert not settings.PrunePolicy(keep_copies=3).deletes, (
        'a policy not turned on deletes nothing, whatever its numbers'
    )


def test_the_settings_defaults_are_dr_syncs_documented_defaults():
    """One default a setting: a DrSettings made without dr_sync's options (the tests', a caller's) waits, polls and
    drills as dr_sync does when those options are left out."""
    defaults = {name: spec.get('default') for name, spec in DR_ARGUMENT_SPEC.items()}
    wait, restore = settings.WaitSettings(), settings.RestoreSettings()
    assert (wait.wait, wait.timeout, wait.poll_interval) == (
        defaults['wait'],
        defaults['wait_timeout'],
        defaults['poll_interval'],
    )
    assert (restore.enabled, restore.count, restore.timeout) == (
        defaults['restore_test'],
        defaults['restore_test_count'],
        defaults['restore_test_timeout'],
    )


@pytest.mark.parametrize('typed, words', [(True, 'the boolean True'), (1.1, 'the number 1.1')], ids=['yes', '1.10'])
def test_a_tag_value_yaml_made_a_boolean_or_a_number_is_named_as_what_it_became(typed, words):
    with pytest.raises(InputError) as refused:
        tag_selector({'backup': typed})
    assert (
        'the value of backup is %s' % words in refused.value.message and 'quote it (backup: "' in refused.value.message
    )


def test_dr_sync_documents_each_options_default_as_its_argument_spec_has_it():
    """What ansible-doc shows a user is what the module does when the option is left out (the options of the module's
    own documentation and of its fragments; the connection's are documented with each cloud's)."""
    doc = yaml.safe_load(dr_sync.DOCUMENTATION)
    documented = dict(doc['options'])
    for fragment in doc.get('extends_documentation_fragment', []):
        module = importlib.import_module(
            'ansible_collections.snapcopy.cloud.plugins.doc_fragments.' + fragment.rsplit('.', 1)[1]
        )
        documented.update(yaml.safe_load(module.ModuleDocFragment.DOCUMENTATION)['options'])
    checked = [name for name in DR_ARGUMENT_SPEC if name in documented]
    assert {'wait_timeout', 'restore_test_timeout', 'report_history', 'prune'} <= set(checked)
    for name in checked:
        assert documented[name].get('default') == DR_ARGUMENT_SPEC[name].get('default'), name
