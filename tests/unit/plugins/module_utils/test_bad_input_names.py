"""Bad input that the chaos suite's corpus (tests/chaos/corpus.py) found slipping through or misnamed.

* a client timeout of 0 became the default (60 s) instead of an error;
* dr_sync's errors named the single-copy modules' options (name, description, destination_region)
  instead of the ones its user set (name_template, description_template, dr_regions);
* the dr_copy role's errors named dr_sync's options instead of the dr_copy_* variables its user set.
"""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import (
    ALIBABA_CONNECTION_SPEC,
    AlibabaClient,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import (
    REQUEST_PACKAGE,
    build_ecs_request,
    ecs_endpoint,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import build_ebs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import DR_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import build_cbs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    TENCENT_CONNECTION_SPEC,
    TencentClient,
    load_sdk,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import check_wait_options
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import (
    RoleWordsError,
    dr_settings,
    in_role_words,
    role_variable,
    run_dr_module,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import new_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import params

ALIBABA = {
    'alicloud_access_key': 'LTAIexample',
    'alicloud_secret_key': 'example-secret',
    'endpoint_url': 'http://127.0.0.1:9',
}


@pytest.mark.parametrize('option', ['connect_timeout', 'read_timeout'])
def test_an_alibaba_timeout_of_zero_is_refused(option):
    with pytest.raises(InputError) as info:
        AlibabaClient(
            'ecs', dict(ALIBABA, **{option: 0}), default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE
        )
    assert info.value.option == option


def test_alibaba_timeouts_left_unset_take_the_defaults():
    client = AlibabaClient(
        'ecs',
        dict(ALIBABA, connect_timeout=None, read_timeout=None),
        default_endpoint=ecs_endpoint,
        request_package=REQUEST_PACKAGE,
    )
    assert (client.connect_timeout, client.read_timeout) == (CONNECT_TIMEOUT, READ_TIMEOUT)


@pytest.mark.parametrize('option', ['connect_timeout', 'read_timeout'])
def test_a_tencent_timeout_of_zero_is_refused(option):
    with pytest.raises(InputError) as info:
        TencentClient({'secret_id': 'AKIDexample', 'secret_key': 'example', option: 0}, load_sdk())
    assert info.value.option == option
    TencentClient({'secret_id': 'AKIDexample', 'secret_key': 'example', option: None}, load_sdk())


def test_every_cloud_takes_the_same_timeout_names():
    """connect_timeout and read_timeout everywhere; request_timeout stays as the Tencent alias it was in 0.1.0."""
    for spec in (AWS_CONNECTION_SPEC, ALIBABA_CONNECTION_SPEC, TENCENT_CONNECTION_SPEC, DR_CONNECTION_SPEC):
        assert (spec['connect_timeout']['type'], spec['connect_timeout']['default']) == ('int', 10)
        assert (spec['read_timeout']['type'], spec['read_timeout']['default']) == ('int', 60)
    assert all(
        spec['read_timeout']['aliases'] == ['request_timeout']
        for spec in (AWS_CONNECTION_SPEC, ALIBABA_CONNECTION_SPEC, TENCENT_CONNECTION_SPEC, DR_CONNECTION_SPEC)
    )


@pytest.mark.parametrize(
    'make_request, adapter',
    [
        (
            lambda tags: build_ebs_request(
                {
                    'source_snapshot_id': 'snap-0123456789abcdef0',
                    'source_region': 'us-east-1',
                    'destination_region': 'us-west-2',
                    'tags': tags,
                }
            ),
            EbsAdapter(client=None),
        ),
        (
            lambda tags: build_cbs_request(
                {
                    'source_snapshot_id': 'snap-0abc1234',
                    'source_region': 'ap-guangzhou',
                    'destination_regions': ['ap-shanghai'],
                    'tags': tags,
                }
            ),
            CbsAdapter(None),
        ),
        (
            lambda tags: build_ecs_request(
                {
                    'source_snapshot_id': 's-bp67acfmxazb4p0example',
                    'source_region': 'cn-hangzhou',
                    'destination_region': 'cn-shanghai',
                    'tags': tags,
                }
            ),
            EcsAdapter(None),
        ),
    ],
)
def test_tag_keys_that_become_the_same_text_are_refused_not_merged(make_request, adapter):
    with pytest.raises(InputError) as info:
        adapter.validate(make_request({1: 'from a number', '1': 'from text'}))
    assert info.value.option == 'tags' and 'given twice' in info.value.message


@pytest.mark.parametrize(
    'build, adapter, request_params, options',
    [
        (
            build_ebs_request,
            EbsAdapter(client=None),
            {
                'source_snapshot_id': 'snap-0123456789abcdef0',
                'source_region': 'us-east-1',
                'destination_region': 'us-west-2',
            },
            ('source_snapshot_id', 'source_region', 'destination_region'),
        ),
        (
            build_cbs_request,
            CbsAdapter(None),
            {
                'source_snapshot_id': 'snap-0abc1234',
                'source_region': 'ap-guangzhou',
                'destination_regions': ['ap-shanghai'],
            },
            ('source_snapshot_id', 'source_region'),
        ),
        (
            build_ecs_request,
            EcsAdapter(None),
            {
                'source_snapshot_id': 's-bp67acfmxazb4p0example',
                'source_region': 'cn-hangzhou',
                'destination_region': 'cn-shanghai',
            },
            ('source_snapshot_id', 'source_region', 'destination_region'),
        ),
    ],
)
def test_an_id_or_region_ending_in_a_new_line_is_refused(build, adapter, request_params, options):
    """Issue 37: the patterns ended in $, which matches before a final new line: 'snap-...\\n' passed and reached the
    cloud. (destination_regions is a list that text may give, split on white space: typed_places.)"""
    adapter.validate(build(request_params))
    for option in options:
        bad = dict(request_params, **{option: request_params[option] + '\n'})
        with pytest.raises(InputError):
            adapter.validate(build(bad))


def test_dr_sync_refuses_tag_keys_that_become_the_same_text():
    with pytest.raises(InputError) as info:
        dr_run(EcsAdapter(None), provider='ecs', tags={1: 'a', '1': 'b'}).validate()
    assert info.value.option == 'tags'


def dr_run(adapter, **overrides):
    return new_dr_run(adapter, params(**overrides))


@pytest.mark.parametrize(
    'overrides, option',
    [
        ({'name_template': '1-{disk_id}'}, 'name_template'),
        ({'name_template': 'x'}, 'name_template'),
        ({'description_template': 'http://{disk_id}'}, 'description_template'),
        ({'dr_regions': ['cn_beijing']}, 'dr_regions'),
        ({'retention_days': 70000}, 'retention_days'),
    ],
)
def test_dr_sync_names_its_own_options_for_what_the_ecs_adapter_refuses(overrides, option):
    adapter = EcsAdapter.from_connection(ALIBABA)
    settings = dict(
        {'provider': 'ecs', 'source_region': 'cn-hangzhou', 'dr_regions': ['cn-beijing'], 'tags': None}, **overrides
    )
    with pytest.raises(InputError) as info:
        dr_run(adapter, **settings).validate()
    assert info.value.option == option
    assert str(info.value).startswith(option + ': ')


def test_dr_sync_names_dr_regions_for_a_malformed_aws_region():
    with pytest.raises(InputError) as info:
        dr_run(EbsAdapter(client=None), source_region='us-east-1', dr_regions=['us-west-2, west']).validate()
    assert info.value.option == 'dr_regions'
    # Commas and spaces separate regions (what a person types in a survey): the wrong one is named.
    assert "got 'west'" in str(info.value)


@pytest.mark.parametrize(
    'option, value',
    [
        ('wait_timeout', 10**12),
        ('wait_timeout', 0),
        ('poll_interval', float('nan')),
        ('poll_interval', float('inf')),
        ('poll_interval', 0.0),
        ('poll_interval', 10**9),
        ('max_snapshot_age_hours', float('nan')),
        ('max_copy_age_days', float('nan')),
        ('keep_copies', 10**12),
    ],
)
def test_numbers_that_are_no_numbers_or_past_any_use_are_refused_naming_the_option(option, value):
    """Issue 24: NaN and 10 ** 12 were accepted, or ended in a traceback deep in the run."""
    overrides = {option: value}
    if option in ('keep_copies', 'max_copy_age_days'):
        overrides['prune'] = True
    with pytest.raises(InputError) as info:
        check_wait_options(params(**overrides))
        dr_settings(params(**overrides))
    assert info.value.option == option


def test_dr_sync_takes_every_name_the_copy_modules_take_for_a_connection_option_and_hides_the_secrets():
    """Issue 24: dr_sync refused community.aws's aws_secret_access_key as an unknown option, and AnsibleModule then
    printed the secret in invocation at -vvv. Only an alias that two clouds give to different options is left out."""
    from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS

    taken = {name: name for name in DR_CONNECTION_SPEC}
    taken.update((alias, name) for name, option in DR_CONNECTION_SPEC.items() for alias in option.get('aliases', ()))
    ambiguous = {'security_token', 'access_key', 'secret_key'}  # Tencent's option / AWS's and Alibaba's aliases
    for provider in PROVIDERS.values():
        for name, option in provider.connection_spec.items():
            for alias in [name, *option.get('aliases', ())]:
                if alias in ambiguous and alias != name:
                    continue
                assert alias in taken, alias
                assert DR_CONNECTION_SPEC[taken[alias]].get('no_log', False) >= option.get('no_log', False), alias
    assert taken['aws_secret_access_key'] == 'secret_key' and DR_CONNECTION_SPEC['secret_key']['no_log']


# ---------------------------------------------------------------------- the role's words
def role_module(**overrides):
    """dr_sync as the dr_copy role calls it: option_names role, every option of the spec given its default."""
    from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC  # pylint: disable=import-outside-toplevel

    module_params = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    module_params.update(
        params(provider='ecs', source_region='cn-hangzhou', dr_regions=['cn-shanghai'], tags=None, **ALIBABA),
        option_names='role',
        fail_on_missing=True,
    )
    module_params.update(overrides)
    return FakeModule(module_params)


@pytest.mark.parametrize(
    'overrides, named, also',
    [
        ({'prune': True}, 'dr_copy_prune', 'needs dr_copy_keep_copies and/or dr_copy_max_copy_age_days'),
        ({'wait_timeout': 0}, 'dr_copy_wait_timeout', None),
        ({'tag_selector': {}}, 'dr_copy_tag_selector', None),
        ({'name_template': '{nope}'}, 'dr_copy_name_template', None),
        ({'dr_regions': ['cn-hangzhou']}, 'dr_copy_dr_regions', None),
        ({'read_timeout': 0}, 'dr_copy_connection.read_timeout', None),
        ({'restore_test': True, 'wait': False}, 'dr_copy_restore_test', 'dr_copy_wait'),
    ],
)
def test_the_role_s_errors_name_the_variables_its_user_set(overrides, named, also):
    """Issue 24: the role's errors named dr_sync's options (keep_copies, tag_selector), which its user never typed."""
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(role_module(**overrides))
    message = ended.value.result['msg']
    assert ended.value.failed and message.startswith(named + ':'), message
    assert also is None or also in message, message


def test_the_same_errors_name_dr_sync_s_options_for_its_own_users():
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(role_module(prune=True, option_names='module'))
    assert ended.value.result['msg'] == 'prune: needs keep_copies and/or max_copy_age_days to know what to prune'


def test_the_drill_hosts_time_for_the_checks_is_named_as_the_role_takes_it():
    """The role takes the checks' settings as dr_copy_restore_test_validate, whose key for validate_timeout is timeout."""
    error = RoleWordsError(InputError('restore_test_host.validate_timeout', 'must be from 10 to 21600 seconds, got 5'))
    assert str(error) == 'dr_copy_restore_test_validate.timeout: must be from 10 to 21600 seconds, got 5'
    assert role_variable('restore_test_host.instance_id') == 'dr_copy_restore_test_validate.instance_id'


def test_the_role_s_run_names_the_checks_timeout_as_its_variable():
    """The role sets restore_test_host from dr_copy_restore_test_validate (timeout: the module's validate_timeout)."""
    host = {'instance_id': 'i-0123456789abcdef0', 'region': None, 'validate_timeout': 5}
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(role_module(restore_test=True, wait=True, restore_test_host=host))
    assert ended.value.result['msg'] == 'dr_copy_restore_test_validate.timeout: must be from 10 to 21600 seconds, got 5'


def test_a_word_of_a_message_is_a_role_variable_only_where_it_names_an_option():
    assert in_role_words('tag_selector {dr: yes} matches no disk: tags are case-sensitive; set allow_no_disks') == (
        'dr_copy_tag_selector {dr: yes} matches no disk: tags are case-sensitive; set dr_copy_allow_no_disks'
    )
    assert in_role_words('dr_copy_keep_copies stays; report_name and aws_secret_access_key move') == (
        'dr_copy_keep_copies stays; dr_copy_run_name and dr_copy_connection.aws_secret_access_key move'
    )


AWS_RUN = {
    'provider': 'aws',
    'source_region': 'us-east-1',
    'dr_regions': ['us-west-2'],
    'access_key': 'AKIASNAPCOPYEDGES001',
    'secret_key': 'snapcopy-edges-secret',
    'endpoint_url': 'http://127.0.0.1:9',
}  # nothing answers there: no call is made


@pytest.mark.parametrize(
    'dr_account, field, says',
    [
        ({'external_id': 'ext-id-only'}, 'role_arn', 'is needed'),
        ({'role_arn': 'arn:aws:iam::12:role/x'}, 'role_arn', 'expected a role ARN'),
        ({'role_arn': 'arn:aws:iam::222233334444:role/dr\n'}, 'role_arn', 'expected a role ARN'),
        (
            {'role_arn': 'arn:aws:iam::222233334444:role/dr', 'role_session_name': 'a b'},
            'role_session_name',
            'must be 2 to 64',
        ),
        ({'role_arn': 'arn:aws:iam::222233334444:role/dr', 'external_id': 'e'}, 'external_id', 'must be 2 to 1224'),
    ],
)
@pytest.mark.parametrize('as_role', [True, False])
def test_errors_about_dr_account_name_its_key_in_the_words_of_who_set_it(dr_account, field, says, as_role):
    """Issue 37: through the role, errors about dr_copy_dr_account's keys named dr_copy_connection.role_arn (the run's
    own role) instead; a role ARN ending in a new line is one of them, before any call."""
    overrides = dict(AWS_RUN, dr_account=dr_account, option_names='role' if as_role else 'module')
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(role_module(**overrides))
    message = ended.value.result['msg']
    named = ('dr_copy_dr_account.' if as_role else 'dr_account.') + field
    assert ended.value.failed and message.startswith(named + ': ' + says), message
    assert 'dr_copy_connection' not in message and 'error' not in ended.value.result, message


def test_a_dotted_key_of_a_dict_option_is_one_name_in_the_role_s_words():
    assert in_role_words('dr_account.role_arn names the DR account; role_arn is the run\'s own; lock.mode is set') == (
        'dr_copy_dr_account.role_arn names the DR account; dr_copy_connection.role_arn is the run\'s own; dr_copy_lock.mode is set'
    )


def test_bad_input_fails_before_the_dr_account_s_accounts_are_asked_who_they_are():
    """connect_dr_account asks STS (GetCallerIdentity) before the run starts; a bad template is still found first,
    before any call (nothing answers at AWS_RUN's endpoint: a call would fail with EndpointConnectionError instead)."""
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(
            role_module(
                **dict(
                    AWS_RUN,
                    dr_account={'role_arn': 'arn:aws:iam::222233334444:role/dr'},
                    option_names='module',
                    description_template='{nope}',
                )
            )
        )
    assert ended.value.result['msg'].startswith('description_template: unknown placeholder {nope}'), ended.value.result[
        'msg'
    ]
