"""dr_sync's runner (runners/dr_module.py) as the module runs it: its AnsibleModule with AWX's blank answers, the bounds
of its numbers, the role's words in every problem, the report's duration and message, and the secrets it hides."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    NO_LOG_PLACEHOLDER,
    withhold_external_ids,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import (
    DR_ARGUMENT_SPEC,
    DrSyncModule,
    dr_settings,
    make_adapter,
    run_dr_module,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.drill_finish_module import finish_module
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit

SCOPE = {
    'provider': 'ecs',
    'source_region': 'cn-hangzhou',
    'dr_regions': ['cn-shanghai'],
    'tag_selector': {'runner': 'yes'},
}


def params(**given):
    values = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    values.update(SCOPE)
    values.update(given)
    return values


def module_arguments(arguments):
    """What Ansible hands a module as its arguments: from ansible-core 2.19 with the serialization profile that
    AnsibleModule asks for (ansible.module_utils.testing), before it as the bare JSON."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core 2.18
        return mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': arguments})))
    return patch_module_args(arguments)


def test_dr_syncs_module_takes_a_blank_optional_dict_or_list_as_not_set_and_keeps_the_rest():
    arguments = dict(SCOPE, lock='', tags='  ', dr_account='', restore_test_zones='', disk_ids='', prune='yes')
    with module_arguments(arguments):
        module = DrSyncModule(argument_spec=DR_ARGUMENT_SPEC, supports_check_mode=True)
    assert (
        module.params['lock'],
        module.params['tags'],
        module.params['dr_account'],
        module.params['restore_test_zones'],
        module.params['disk_ids'],
    ) == (None,) * 5
    assert module.params['prune'] is True and module.params['dr_regions'] == ['cn-shanghai']


@pytest.mark.parametrize('given, keys', [('cost-center, team', ('cost-center', 'team')), ('', ()), ([], ())])
def test_copy_tags_as_text_are_keys_separated_by_commas_and_a_blank_is_none(given, keys):
    """copy_tags from an AWX survey or -e: text, keys separated by commas (a tag key may hold a space, so not by spaces)."""
    with module_arguments(dict(SCOPE, copy_tags=given)):
        module = DrSyncModule(argument_spec=DR_ARGUMENT_SPEC, supports_check_mode=True)
    assert dr_settings(module.params).copy.copy_tags == keys


@pytest.mark.parametrize(
    'option, lowest, highest',
    [
        ('keep_copies', 1, 10000),
        ('max_in_flight', 1, 10000),
        ('max_snapshot_age_hours', 0.5, 876600),
        ('max_copy_age_days', 0.5, 36600),
    ],
)
def test_each_number_is_taken_above_0_up_to_its_highest_and_refused_past_either(option, lowest, highest):
    """0 is refused (the role leaves an option out rather than pass 0); half an hour or a day is a number of them."""
    given = {'prune': True, 'keep_copies': 1} if option == 'max_copy_age_days' else {}
    for value in (lowest, highest):
        dr_settings(params(**dict(given, **{option: value})))
    for value in (0, highest + 1):
        with pytest.raises(InputError) as refused:
            dr_settings(params(**dict(given, **{option: value})))
        assert refused.value.option == option


def run(cloud, **given):
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(
            FakeModule(
                params(
                    endpoint_url=cloud.url,
                    alicloud_access_key=credentials.ALIBABA_ACCESS_KEY_ID,
                    alicloud_secret_key=credentials.ALIBABA_ACCESS_KEY_SECRET,
                    **given,
                )
            )
        )
    return ended.value


def test_the_roles_run_names_its_variables_in_every_problem_and_says_how_long_it_took(fakecloud_clean):
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'runner': 'yes'}, 'snapshots': 0}]})
    ended = run(fakecloud_clean, option_names='role', fail_on_missing=False)
    (disk,) = ended.result['disks']
    assert disk['problems'] and all('dr_copy_max_snapshot_age_hours' in problem for problem in disk['problems'])
    assert ended.result['failures'] and 'dr_copy_max_snapshot_age_hours' in ended.result['failures'][0]
    assert 0 <= ended.result['duration_seconds'] < 120


def test_a_failed_runs_message_names_its_first_twenty_failures(fakecloud_clean):
    fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'runner': 'yes'}, 'snapshots': 0}] * 21}
    )
    ended = run(fakecloud_clean)
    assert ended.failed and len(ended.result['failures']) == 21
    assert ended.result['msg'].split('. Failures: ', 1)[1] == '; '.join(ended.result['failures'][:20])


def test_the_connections_secrets_are_hidden_and_an_external_id_is_withheld_not_masked(monkeypatch):
    """A secret read from the environment was not seen by AnsibleModule: the runner hides it. An external id is never in
    the output to hide, and masking would show a short one through the words it was cut from."""
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'secret-from-the-environment')
    module = FakeModule(
        params(
            provider='aws',
            source_region='us-east-1',
            dr_regions=['us-west-2'],
            access_key='AKIAEXAMPLE',
            external_id='ext-1',
            role_arn='arn:aws:iam::123456789012:role/dr',
        )
    )
    module.no_log_values.add('ext-1')  # as AnsibleModule holds the value of each no_log option
    given = withhold_external_ids(module)  # as the runner does first
    make_adapter(module, 'aws', CallRetry(default_backoff()), given)
    assert 'secret-from-the-environment' in module.no_log_values and 'ext-1' not in module.no_log_values
    # The module's invocation shows the placeholder; the run has the value.
    assert module.params['external_id'] == NO_LOG_PLACEHOLDER and given['external_id'] == 'ext-1'


FINISH = dict(SCOPE, run_id='20261129T063000Z-0a1b2c', validation={'passed': True})


@pytest.mark.parametrize(
    'arguments, named',
    [
        ({key: value for key, value in FINISH.items() if key != 'run_id'}, 'run_id'),
        ({key: value for key, value in FINISH.items() if key != 'validation'}, 'validation'),
        (dict(FINISH, validation={'reason': 'the file differs'}), 'passed'),
    ],
)
def test_dr_drill_finish_needs_the_drill_and_whether_its_checks_passed_before_any_call(capsys, arguments, named):
    """The run of the drill and whether the checks passed are what the module is for: left out, AnsibleModule refuses
    the task naming the option, before the module makes an adapter."""
    with module_arguments(arguments), pytest.raises(SystemExit):
        finish_module()
    failed = json.loads(capsys.readouterr().out)
    assert failed['failed'] and 'missing required arguments: %s' % named in failed['msg'], failed
