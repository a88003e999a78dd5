"""The AWX credential types in docs/awx/ are valid AWX credential types, and what they inject
is all a module needs to authenticate.

Structure: the schemas and extra rules AWX applies when a credential type is created
(CredentialTypeInputField and CredentialTypeInjectorField in awx/main/fields.py).
Authentication: the injectors are rendered the way AWX renders them when a job starts (only
the fields that have a value are defined; an undefined one renders as an empty string), and a
module runs with nothing but that environment, against fakecloud, which checks signatures.
AWS has a built-in credential type; AWX injects AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and,
for temporary credentials, AWS_SECURITY_TOKEN. ebs_snapshot_copy runs with exactly those
against a local endpoint that records and checks the request's signature.
"""

from __future__ import annotations

import os
import re

import pytest
import yaml
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import ENS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TENCENT_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.account import DR_ACCOUNT_OPTIONS
from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS, clean_environment, run_module, run_module_tasks
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake
from ansible_collections.snapcopy.cloud.tests.unit.conftest import moto_url  # noqa: F401  # pylint: disable=unused-import  # a fixture
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import QuietHandler, serving

jsonschema = pytest.importorskip('jsonschema')

# awx/main/fields.py: CredentialTypeInputField.schema
INPUTS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'fields': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'type': {'enum': ['string', 'boolean']},
                    'format': {'enum': ['ssh_private_key', 'url']},
                    'choices': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}, 'uniqueItems': True},
                    'id': {'type': 'string', 'pattern': '^[a-zA-Z_]+[a-zA-Z0-9_]*$'},
                    'label': {'type': 'string'},
                    'help_text': {'type': 'string'},
                    'multiline': {'type': 'boolean'},
                    'secret': {'type': 'boolean'},
                    'ask_at_runtime': {'type': 'boolean'},
                    'default': {},
                },
                'additionalProperties': False,
                'required': ['id', 'label'],
            },
        },
    },
}
# awx/main/fields.py: CredentialTypeInjectorField.schema
INJECTORS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'file': {
            'type': 'object',
            'patternProperties': {r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$': {'type': 'string'}},
            'additionalProperties': False,
        },
        'env': {
            'type': 'object',
            'patternProperties': {'^[a-zA-Z_]+[a-zA-Z0-9_]*$': {'type': 'string', 'pattern': '^[\x00-\x7f]*$'}},
            'additionalProperties': False,
        },
        'extra_vars': {
            'type': 'object',
            'patternProperties': {'^[a-zA-Z_]+[a-zA-Z0-9_]*$': {'type': 'string'}},
            'additionalProperties': False,
        },
    },
}
# Variables AWX refuses in env injectors besides ANSIBLE_* (awx/main/constants.py ENV_BLOCKLIST).
ENV_BLOCKLIST = {
    'VIRTUAL_ENV',
    'PATH',
    'PYTHONPATH',
    'JOB_ID',
    'INVENTORY_ID',
    'INVENTORY_SOURCE_ID',
    'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID',
    'REST_API_URL',
    'REST_API_TOKEN',
    'MAX_EVENT_RES',
    'CALLBACK_QUEUE',
    'CALLBACK_CONNECTION',
    'CACHE',
    'JOB_CALLBACK_DEBUG',
    'INVENTORY_HOSTVARS',
    'AWX_HOST',
    'PROJECT_REVISION',
    'SUPERVISOR_CONFIG_PATH',
}

CREDENTIAL_TYPES = {
    'alicloud': {
        'file': 'credential_type_alicloud.yml',
        'env': {
            'access_key': 'ALICLOUD_ACCESS_KEY',
            'secret_key': 'ALICLOUD_SECRET_KEY',
            'security_token': 'ALICLOUD_SECURITY_TOKEN',
            'region': 'ALICLOUD_REGION',
            'assume_role_arn': 'ALICLOUD_ASSUME_ROLE_ARN',
            'assume_role_session_name': 'ALICLOUD_ASSUME_ROLE_SESSION_NAME',
            'assume_role_external_id': 'ALICLOUD_ASSUME_ROLE_EXTERNAL_ID',
        },
        'module_options': {
            'access_key': 'alicloud_access_key',
            'secret_key': 'alicloud_secret_key',
            'security_token': 'alicloud_security_token',
            'region': 'alicloud_region',
            'assume_role_arn': 'alicloud_assume_role_arn',
            'assume_role_session_name': 'alicloud_assume_role_session_name',
            'assume_role_external_id': 'alicloud_assume_role_external_id',
        },
        'spec': ENS_CONNECTION_SPEC,
        'secrets': {'secret_key', 'security_token', 'assume_role_external_id'},
        'required': ['access_key', 'secret_key'],
    },
    'tencentcloud': {
        'file': 'credential_type_tencentcloud.yml',
        'env': {
            'secret_id': 'TENCENTCLOUD_SECRET_ID',
            'secret_key': 'TENCENTCLOUD_SECRET_KEY',
            'security_token': 'TENCENTCLOUD_SECURITY_TOKEN',
            'role_arn': 'TENCENTCLOUD_ASSUME_ROLE_ARN',
            'role_session_name': 'TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME',
            'external_id': 'TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID',
        },
        'module_options': {
            'secret_id': 'secret_id',
            'secret_key': 'secret_key',
            'security_token': 'security_token',
            'role_arn': 'role_arn',
            'role_session_name': 'role_session_name',
            'external_id': 'external_id',
        },
        'spec': TENCENT_CONNECTION_SPEC,
        'secrets': {'secret_key', 'security_token', 'external_id'},
        'required': ['secret_id', 'secret_key'],
    },
}


# The DR account's credential type: dr_sync reads its variables itself (the registry's DrAccountSupport), for
# dr_account's options.
DR_ACCOUNT_TYPES = {
    'dr_account_aws': {'file': 'credential_type_dr_account_aws.yml', 'provider': 'aws', 'required': ['role_arn']},
    'dr_account_alicloud': {
        'file': 'credential_type_dr_account_alicloud.yml',
        'provider': 'ecs',
        'required': ['role_arn'],
    },
    'dr_account_tencentcloud': {
        'file': 'credential_type_dr_account_tencentcloud.yml',
        'provider': 'cbs',
        'required': ['role_arn'],
    },
}
FILES = dict(
    {cloud: expected['file'] for cloud, expected in CREDENTIAL_TYPES.items()},
    **{name: expected['file'] for name, expected in DR_ACCOUNT_TYPES.items()},
)


def load(cloud):
    with open(os.path.join(DOCS, 'awx', FILES[cloud]), encoding='utf-8') as stream:
        return yaml.safe_load(stream)


def render_injectors(credential_type, inputs):
    """The environment AWX injects for a credential with ``inputs`` (CredentialType.inject_credential)."""
    namespace = {name: value for name, value in inputs.items() if value not in (None, '')}
    sandbox = ImmutableSandboxedEnvironment()
    return {
        name: sandbox.from_string(template).render(**namespace)
        for name, template in credential_type['injectors'].get('env', {}).items()
    }


# ---------------------------------------------------------------------------------- structure
@pytest.mark.parametrize('cloud', sorted(FILES))
def test_credential_type_passes_awx_validation(cloud):
    credential_type = load(cloud)
    assert set(credential_type) <= {'name', 'description', 'kind', 'inputs', 'injectors'}, (
        'awx.awx.credential_type takes these keys'
    )
    assert credential_type['name'] and credential_type['kind'] == 'cloud'
    jsonschema.Draft4Validator(INPUTS_SCHEMA).validate(credential_type['inputs'])
    jsonschema.Draft4Validator(INJECTORS_SCHEMA).validate(credential_type['injectors'])

    fields = credential_type['inputs']['fields']
    ids = [field['id'] for field in fields]
    assert len(ids) == len(set(ids)), 'field ids are unique'
    assert 'tower' not in ids, '"tower" is reserved'
    assert len({field['label'] for field in fields}) == len(fields), 'labels are unique'
    assert set(credential_type['inputs'].get('required', [])) <= set(ids)
    assert 'dependencies' not in credential_type['inputs'], 'not supported for custom credential types'
    for field in fields:
        if field.get('type', 'string') != 'string':
            assert not {'choices', 'multiline', 'format', 'secret'} & set(field), field['id']

    # Every template renders with the defined fields only (AWX uses StrictUndefined here).
    valid_namespace = {field_id: 'EXAMPLE' for field_id in ids}
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, injector in credential_type['injectors'].items():
        for key, template in injector.items():
            if kind == 'env':
                assert not key.startswith('ANSIBLE_') and key not in ENV_BLOCKLIST, key
            try:
                strict.from_string(template).render(valid_namespace)
            except UndefinedError as error:
                pytest.fail('%s %s uses an undefined field: %s' % (kind, key, error))


@pytest.mark.parametrize('cloud', sorted(CREDENTIAL_TYPES))
def test_credential_type_injects_what_the_modules_read(cloud):
    expected = CREDENTIAL_TYPES[cloud]
    credential_type = load(cloud)
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert set(fields) == set(expected['env'])
    assert {field_id for field_id, field in fields.items() if field.get('secret')} == expected['secrets']
    assert credential_type['inputs']['required'] == expected['required']
    env = credential_type['injectors']['env']
    assert env == {variable: '{{ %s }}' % field_id for field_id, variable in expected['env'].items()}
    for field_id, variable in expected['env'].items():
        option = expected['spec'][expected['module_options'][field_id]]
        assert variable in option['fallback'][1], '%s reads %s' % (expected['module_options'][field_id], variable)
        assert bool(option.get('no_log')) is (field_id in expected['secrets'])


@pytest.mark.parametrize('name', sorted(DR_ACCOUNT_TYPES))
def test_dr_account_credential_type_injects_what_dr_sync_reads(name):
    expected = DR_ACCOUNT_TYPES[name]
    credential_type = load(name)
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert set(fields) == set(DR_ACCOUNT_OPTIONS), 'a field for each of dr_account\'s options'
    assert {field_id for field_id, field in fields.items() if field.get('secret')} == {
        option for option, spec in DR_ACCOUNT_OPTIONS.items() if spec.get('no_log')
    }
    assert credential_type['inputs']['required'] == expected['required']
    assert credential_type['injectors']['env'] == {
        variable: '{{ %s }}' % option
        for option, variable in PROVIDERS[expected['provider']].dr_account.environment.items()
    }


def test_rendering_like_awx_leaves_an_unset_token_empty():
    env = render_injectors(load('alicloud'), {'access_key': 'LTAIexample', 'secret_key': 'secret'})
    assert env == {
        'ALICLOUD_ACCESS_KEY': 'LTAIexample',
        'ALICLOUD_SECRET_KEY': 'secret',
        'ALICLOUD_SECURITY_TOKEN': '',
        'ALICLOUD_REGION': '',
        'ALICLOUD_ASSUME_ROLE_ARN': '',
        'ALICLOUD_ASSUME_ROLE_SESSION_NAME': '',
        'ALICLOUD_ASSUME_ROLE_EXTERNAL_ID': '',
    }


def test_the_builtin_aws_credential_variables_are_read_by_the_aws_modules():
    """What AWX's "Amazon Web Services" credential injects (awx builtin_injectors.aws)."""
    assert 'AWS_ACCESS_KEY_ID' in AWS_CONNECTION_SPEC['access_key']['fallback'][1]
    assert 'AWS_SECRET_ACCESS_KEY' in AWS_CONNECTION_SPEC['secret_key']['fallback'][1]
    assert 'AWS_SECURITY_TOKEN' in AWS_CONNECTION_SPEC['session_token']['fallback'][1]


# ---------------------------------------------------------------------------------- authentication
ECS_ARGS = {'source_region': 'cn-hangzhou', 'destination_region': 'cn-shanghai'}


def seed_ecs(cloud, account=None):
    """A snapshot in ``account`` (the default credentials' account if None)."""
    seed = {'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]}
    return cloud.admin.seed(ecs=dict(seed, account=account) if account else seed)['ecs']['snapshots'][0]


ALIBABA_CASES = {
    'access key pair, token left empty': (
        {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET},
        None,
    ),
    'STS triple': (
        {
            'access_key': fake.ALIBABA_STS_ACCESS_KEY_ID,
            'secret_key': fake.ALIBABA_STS_ACCESS_KEY_SECRET,
            'security_token': fake.ALIBABA_STS_SECURITY_TOKEN,
        },
        None,
    ),
    'STS pair without its token': (
        {'access_key': fake.ALIBABA_STS_ACCESS_KEY_ID, 'secret_key': fake.ALIBABA_STS_ACCESS_KEY_SECRET},
        'token',
    ),
    'wrong secret': (
        {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': 'not-the-secret'},
        'InvalidAccessKeySecret',
    ),
    # A role ARN with the session name left empty, and a role whose trust asks for an external id, without it.
    'role, session name left empty': (
        {
            'access_key': fake.ALIBABA_ACCESS_KEY_ID,
            'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET,
            'assume_role_arn': fake.ALIBABA_DR_ROLE_ARN,
        },
        None,
    ),
    'role with its external id': (
        {
            'access_key': fake.ALIBABA_ACCESS_KEY_ID,
            'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET,
            'assume_role_arn': fake.ALIBABA_EXTERNAL_ROLE_ARN,
            'assume_role_session_name': 'awx-job-42',
            'assume_role_external_id': fake.ROLE_EXTERNAL_ID,
        },
        None,
    ),
    'role without its external id': (
        {
            'access_key': fake.ALIBABA_ACCESS_KEY_ID,
            'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET,
            'assume_role_arn': fake.ALIBABA_EXTERNAL_ROLE_ARN,
        },
        'NoPermission',
    ),
}


TENCENT_CASES = {
    'API key, token left empty': ({'secret_id': fake.TENCENT_SECRET_ID, 'secret_key': fake.TENCENT_SECRET_KEY}, None),
    'temporary triple': (
        {
            'secret_id': fake.TENCENT_TMP_SECRET_ID,
            'secret_key': fake.TENCENT_TMP_SECRET_KEY,
            'security_token': fake.TENCENT_TMP_TOKEN,
        },
        None,
    ),
    'temporary pair without its token': (
        {'secret_id': fake.TENCENT_TMP_SECRET_ID, 'secret_key': fake.TENCENT_TMP_SECRET_KEY},
        'AuthFailure',
    ),
    'wrong secret': (
        {'secret_id': fake.TENCENT_SECRET_ID, 'secret_key': 'not-the-secret'},
        'AuthFailure.SignatureFailure',
    ),
    'role with its external id': (
        {
            'secret_id': fake.TENCENT_SECRET_ID,
            'secret_key': fake.TENCENT_SECRET_KEY,
            'role_arn': fake.TENCENT_EXTERNAL_ROLE_ARN,
            'external_id': fake.ROLE_EXTERNAL_ID,
        },
        None,
    ),
    'role without its external id': (
        {
            'secret_id': fake.TENCENT_SECRET_ID,
            'secret_key': fake.TENCENT_SECRET_KEY,
            'role_arn': fake.TENCENT_EXTERNAL_ROLE_ARN,
        },
        'UnauthorizedOperation',
    ),
}


def module_cases(cloud, refused):
    """The cases of ALIBABA_CASES (ecs_snapshot_copy), the ENS one and TENCENT_CASES (cbs_snapshot_copy) that
    authenticate (``refused`` False) or that the cloud refuses: (name, its inputs, the failure it expects, the task),
    each case's source snapshot seeded in ``cloud`` (fakecloud), in the account its credentials reach."""
    cases = []
    for name, (inputs, failure) in sorted(ALIBABA_CASES.items()):
        if (failure is not None) == refused:
            source = seed_ecs(cloud, fake.ALIBABA_DR_ACCOUNT_ID if inputs.get('assume_role_arn') else None)
            args = dict(ECS_ARGS, source_snapshot_id=source, endpoint_url=cloud.url)
            cases.append(('ecs: ' + name, inputs, failure, ('ecs_snapshot_copy', args, load('alicloud'))))
    if not refused:
        inputs = {
            'access_key': fake.ALIBABA_STS_ACCESS_KEY_ID,
            'secret_key': fake.ALIBABA_STS_ACCESS_KEY_SECRET,
            'security_token': fake.ALIBABA_STS_SECURITY_TOKEN,
        }
        source = cloud.admin.seed(ens={'disks': [{'region': 'cn-hangzhou-26', 'snapshots': 1}]})['ens']['snapshots'][0]
        args = {
            'source_snapshot_id': source,
            'source_region': 'cn-hangzhou-26',
            'destination_regions': ['cn-beijing-cmcc'],
            'endpoint_url': cloud.url,
        }
        cases.append(('ens: STS triple', inputs, None, ('ens_snapshot_copy', args, load('alicloud'))))
    for name, (inputs, failure) in sorted(TENCENT_CASES.items()):
        if (failure is not None) == refused:
            seed = {'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]}
            if inputs.get('role_arn'):
                seed['account'] = fake.TENCENT_DR_UIN
            args = {
                'source_snapshot_id': cloud.admin.seed(cbs=seed)['cbs']['snapshots'][0],
                'source_region': 'ap-guangzhou',
                'destination_regions': ['ap-shanghai'],
                'endpoint_url': cloud.url,
            }
            cases.append(('cbs: ' + name, inputs, failure, ('cbs_snapshot_copy', args, load('tencentcloud'))))
    # Each task's environment: what its credential type injects with its case's inputs (rendered as AWX renders it).
    return [
        (name, inputs, failure, (module, args, render_injectors(credential, inputs)))
        for name, inputs, failure, (module, args, credential) in cases
    ]


# Each case once a task of one ansible-playbook run (helpers.run_module_tasks), the cases that authenticate in one run
# and those refused in another (where no case may change anything): 14 starts of Ansible were 2.
def test_each_copy_module_authenticates_with_its_credential_type_alone(fakecloud_clean, tmp_path):
    """ecs_snapshot_copy with each case of ALIBABA_CASES that authenticates, ens_snapshot_copy with an STS triple,
    cbs_snapshot_copy with each such case of TENCENT_CASES: each copies, given its credential type's variables alone."""
    cases = module_cases(fakecloud_clean, refused=False)
    results = run_module_tasks([task for dummy, dummy, dummy, task in cases], clean_environment(tmp_path), tmp_path)
    assert len(results) == len(cases) == 8
    for (name, inputs, dummy, (module, dummy, dummy)), result in zip(cases, results):
        assert not result.get('failed'), (name, result.get('msg'))
        if module == 'ens_snapshot_copy':
            assert result['changed'] and result['snapshots'][0]['action'] == 'copied', name
        else:
            assert result['changed'] and result['snapshot_id'].startswith(
                's-' if module == 'ecs_snapshot_copy' else 'snap-'
            ), name
        assert inputs['secret_key'] not in str(result), name
        assert fake.ROLE_EXTERNAL_ID not in str(result), name


def test_each_copy_module_is_refused_what_its_credential_type_does_not_allow(fakecloud_clean, tmp_path):
    """The cases of ALIBABA_CASES and TENCENT_CASES that the cloud refuses: each fails with its cloud's error, and none
    changes anything."""
    cases = module_cases(fakecloud_clean, refused=True)
    results = run_module_tasks([task for dummy, dummy, dummy, task in cases], clean_environment(tmp_path), tmp_path)
    assert len(results) == len(cases) == 6
    for (name, inputs, failure, dummy), result in zip(cases, results):
        assert result.get('failed') and failure.lower() in result['msg'].lower(), (name, result.get('msg'))
        if name.startswith('cbs: '):
            assert failure in result['msg'], (name, result['msg'])
        assert inputs['secret_key'] not in str(result), name
        assert fake.ROLE_EXTERNAL_ID not in str(result), name
    assert fakecloud_clean.admin.calls()['total_mutations'] == 0


def test_dr_sync_plans_with_the_tencentcloud_credential_alone(fakecloud_clean, tmp_path):
    inputs = {'secret_id': fake.TENCENT_SECRET_ID, 'secret_key': fake.TENCENT_SECRET_KEY}
    env = clean_environment(tmp_path, **render_injectors(load('tencentcloud'), inputs))
    fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    result = run_module(
        'dr_sync',
        {
            'provider': 'cbs',
            'source_region': 'ap-guangzhou',
            'dr_regions': ['ap-singapore'],
            'tag_selector': {'dr': 'yes'},
            'endpoint_url': fakecloud_clean.url,
        },
        env,
        check=True,
    )
    assert not result.get('failed'), result.get('msg')
    assert result['totals']['disks'] == 1 and result['totals']['would_copy'] == 1


# ---------------------------------------------------------------------------------- AWS: the built-in credential
class RecordingEc2(QuietHandler):
    """Records each request and answers like EC2 refusing it, so the module stops at once."""

    requests: list = []

    def do_POST(self):  # pylint: disable=invalid-name  # http.server's name
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.requests.append({'path': self.path, 'headers': dict(self.headers.items()), 'body': body})
        answer = (
            b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>AuthFailure</Code>'
            b'<Message>recorded by the test endpoint</Message></Error></Errors><RequestID>test-0001</RequestID></Response>'
        )
        self.answer(401, 'text/xml;charset=UTF-8', answer)


@pytest.fixture
def recording_ec2():
    RecordingEc2.requests = []
    with serving(RecordingEc2) as url:
        yield url, RecordingEc2.requests


def signature_is_valid(request, url, access_key, secret_key, token):
    """Recompute the request's SigV4 signature with the credentials AWX injected."""
    from botocore.auth import SigV4Auth  # pylint: disable=import-outside-toplevel
    from botocore.awsrequest import AWSRequest  # pylint: disable=import-outside-toplevel
    from botocore.credentials import Credentials  # pylint: disable=import-outside-toplevel

    headers = {name.lower(): value for name, value in request['headers'].items()}
    match = re.match(
        r'AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=(\w+)',
        headers['authorization'],
    )
    key_id, _day, region, service, signed, signature = match.groups()
    signed_headers = {name: headers[name] for name in signed.split(';')}
    replay = AWSRequest(method='POST', url=url + request['path'], data=request['body'], headers=signed_headers)
    replay.context['timestamp'] = headers['x-amz-date']
    auth = SigV4Auth(Credentials(access_key, secret_key, token), service, region)
    expected = auth.signature(auth.string_to_sign(replay, auth.canonical_request(replay)), replay)
    return key_id == access_key and expected == signature


@pytest.mark.parametrize('with_token', [True, False], ids=['temporary credentials', 'access key pair'])
def test_ebs_module_uses_what_the_builtin_aws_credential_injects(with_token, recording_ec2, tmp_path):
    url, requests = recording_ec2
    access_key, secret_key, token = (
        'ASIASNAPCOPYAWXTEST1',
        'snapcopy-awx-secret-key-0001',
        'snapcopy-awx-sts-token-0001',
    )
    injected = {'AWS_ACCESS_KEY_ID': access_key, 'AWS_SECRET_ACCESS_KEY': secret_key}
    if with_token:
        injected['AWS_SECURITY_TOKEN'] = token
    result = run_module(
        'ebs_snapshot_copy',
        {
            'source_snapshot_id': 'snap-0123456789abcdef0',
            'source_region': 'us-east-1',
            'destination_region': 'us-west-2',
            'endpoint_url': url,
        },
        clean_environment(tmp_path, **injected),
    )
    assert result.get('failed') and 'recorded by the test endpoint' in result['msg'], result.get('msg')
    assert requests, 'the module sent no request'
    headers = {name.lower(): value for name, value in requests[0]['headers'].items()}
    assert headers['authorization'].startswith('AWS4-HMAC-SHA256 Credential=%s/' % access_key)
    if with_token:
        assert headers['x-amz-security-token'] == token
        assert 'x-amz-security-token' in headers['authorization'].split('SignedHeaders=')[1]
    else:
        assert 'x-amz-security-token' not in headers
    assert signature_is_valid(requests[0], url, access_key, secret_key, token if with_token else None)
    assert secret_key not in str(result) and token not in str(result)


# ---------------------------------------------------------------------------------- the DR account's credential
def dr_account_env(tmp_path, **inputs):
    """The environment of a job with the built-in AWS credential and the AWS DR account credential (``inputs``)."""
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import KEYS  # pylint: disable=import-outside-toplevel

    return clean_environment(
        tmp_path,
        AWS_ACCESS_KEY_ID=KEYS['access_key'],
        AWS_SECRET_ACCESS_KEY=KEYS['secret_key'],
        **render_injectors(load('dr_account_aws'), inputs),
    )


def test_dr_sync_copies_into_the_dr_account_of_the_credential_alone(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    """A job whose playbook says nothing of a DR account: the credential makes the DR account make and own the copy, the
    share is removed, and the external id is in no result and no -vvvv line."""
    # pylint: disable-next=import-outside-toplevel  # moto's backends, in this process
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
        DR_ACCOUNT,
        DR_ROLE,
        backends,
        shares_of,
        tagged_disk,
    )

    _disk, snapshot_id = tagged_disk(moto_url, 'awx-credential')
    env = dr_account_env(tmp_path, role_arn=DR_ROLE['role_arn'], external_id=DR_ROLE['external_id'])
    args = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': ['eu-west-1'],
        'tag_selector': {'vault': 'awx-credential'},
        'wait': True,
        'wait_timeout': 120,
        'poll_interval': 1,
        'endpoint_url': moto_url,
    }
    output = []
    result = run_module('dr_sync', args, env, output=output)
    assert not result.get('failed'), result.get('msg')
    (copy,) = result['disks'][0]['copies']
    assert copy['action'] == 'copied'
    assert backends(DR_ACCOUNT, 'eu-west-1').snapshots[copy['snapshot_id']].owner_id == DR_ACCOUNT
    assert result['dr_account']['account'] == DR_ACCOUNT and result['dr_account']['released'] == [snapshot_id]
    assert shares_of(snapshot_id) == ([], {})
    assert 'ESTABLISH LOCAL CONNECTION' in output[0], 'the output is at -vvvv'
    assert DR_ROLE['external_id'] not in output[0]
    again = run_module('dr_sync', args, env)
    assert not again.get('failed') and not again['changed'] and again['totals']['existing'] == 1


def test_a_dr_account_credential_without_its_role_is_refused_before_any_call(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    env = dr_account_env(tmp_path, external_id='only-the-external-id')
    result = run_module(
        'dr_sync',
        {
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': ['eu-west-1'],
            'tag_selector': {'vault': 'no-role'},
            'endpoint_url': moto_url,
        },
        env,
    )
    assert result.get('failed') and 'SNAPCOPY_AWS_DR_ROLE_ARN' in result['msg'], result.get('msg')
    assert 'only-the-external-id' not in str(result)


def test_the_aws_dr_account_credential_leaves_other_clouds_in_their_own_accounts(fakecloud_clean, tmp_path):
    """A fleet job with the AWS DR account credential: its ECS scope neither refuses nor uses a DR account."""
    env = dict(
        dr_account_env(tmp_path, role_arn='arn:aws:iam::222233334444:role/snapcopy-dr'),
        **render_injectors(
            load('alicloud'), {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET}
        ),
    )
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    result = run_module(
        'dr_sync',
        {
            'provider': 'ecs',
            'source_region': 'cn-hangzhou',
            'dr_regions': ['cn-shanghai'],
            'tag_selector': {'dr': 'yes'},
            'endpoint_url': fakecloud_clean.url,
        },
        env,
        check=True,
    )
    assert not result.get('failed'), result.get('msg')
    assert result['dr_account'] is None and result['totals']['would_copy'] == 1


def test_dr_sync_copies_into_the_tencent_dr_account_of_the_credential_alone(fakecloud_clean, tmp_path):
    """The Tencent Cloud credential and the Tencent Cloud DR account credential: the DR account owns the CBS copy, and
    nothing of the way there (staged copy, share, bridge disk) is left."""
    fakecloud_clean.admin.configure(
        timings={'cbs': {'snapshot_seconds': 0.2, 'copy_seconds': 0.2, 'disk_seconds': 0.2}}
    )
    fakecloud_clean.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    tencent = render_injectors(
        load('tencentcloud'), {'secret_id': fake.TENCENT_SECRET_ID, 'secret_key': fake.TENCENT_SECRET_KEY}
    )
    dr_inputs = {'role_arn': fake.TENCENT_EXTERNAL_ROLE_ARN, 'external_id': fake.ROLE_EXTERNAL_ID}
    dr_account = render_injectors(load('dr_account_tencentcloud'), dr_inputs)
    env = clean_environment(tmp_path, **tencent, **dr_account)
    output = []
    result = run_module(
        'dr_sync',
        {
            'provider': 'cbs',
            'source_region': 'ap-guangzhou',
            'dr_regions': ['ap-shanghai'],
            'tag_selector': {'dr': 'yes'},
            'wait': True,
            'wait_timeout': 60,
            'poll_interval': 0.2,
            'endpoint_url': fakecloud_clean.url,
        },
        env,
        output=output,
    )
    assert not result.get('failed'), result.get('msg')
    (copy,) = result['disks'][0]['copies']
    state = fakecloud_clean.admin.state(cloud='cbs', region='ap-shanghai')['cbs']['ap-shanghai']
    assert [(snapshot['id'], snapshot['account']) for snapshot in state['snapshots']] == [
        (copy['snapshot_id'], fake.TENCENT_DR_UIN)
    ]
    assert state.get('disks', []) == [] and result['dr_account']['account'] == fake.TENCENT_DR_UIN
    assert fake.ROLE_EXTERNAL_ID not in output[0]
