"""TLS: certificate verification is on by default for every module, and off only when asked.

* every module's ``validate_certs`` defaults to true, in its argument spec and in its documentation;
* against an HTTPS endpoint with a self-signed certificate (a small TLS proxy in front of moto's server and fakecloud,
  its certificate made with the cryptography package by local_server.self_signed_certificate), every module fails with
  ``SSLError`` by default, and works with ``validate_certs: false`` (all three SDKs allow turning verification off).

Needs the emulators: run it under tests/utils/with_emulators.py (make chaos-short does).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys

import pytest
import yaml

from ansible_collections.snapcopy.cloud.plugins.doc_fragments import alicloud, aws, dr_connection, tencentcloud
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import ALIBABA_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import DR_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TENCENT_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.modules import dr_posture_info, dr_sync
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import self_signed_certificate

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clouds  # pylint: disable=wrong-import-position
from corpus import outcomes_environment  # pylint: disable=wrong-import-position
from proxy import ProxyServer  # pylint: disable=wrong-import-position
from run import ansible_environment  # pylint: disable=wrong-import-position

TARGETS = [
    'ebs_snapshot_copy',
    'ecs_snapshot_copy',
    'ens_snapshot_copy',
    'cbs_snapshot_copy',
    'dr_sync aws',
    'dr_sync ecs',
    'dr_sync ens',
    'dr_sync cbs',
]
# The name tls.yml registers each target's results under, after chaos_.
REGISTERED = dict(zip(TARGETS, ['ebs', 'ecs', 'ens', 'cbs', 'dr_aws', 'dr_ecs', 'dr_ens', 'dr_cbs']))
EMULATORS = pytest.mark.skipif(
    'SNAPCOPY_TEST_FAKECLOUD_URL' not in os.environ, reason='needs the emulators (tests/utils/with_emulators.py)'
)


# ---------------------------------------------------------------------------- the defaults
@pytest.mark.parametrize(
    'spec',
    [AWS_CONNECTION_SPEC, ALIBABA_CONNECTION_SPEC, TENCENT_CONNECTION_SPEC, DR_CONNECTION_SPEC],
    ids=['aws', 'alicloud', 'tencentcloud', 'dr_sync'],
)
def test_validate_certs_defaults_to_true_in_every_argument_spec(spec):
    assert spec['validate_certs']['type'] == 'bool' and spec['validate_certs']['default'] is True


@pytest.mark.parametrize(
    'documentation',
    [
        aws.ModuleDocFragment.DOCUMENTATION,
        alicloud.ModuleDocFragment.DOCUMENTATION,
        tencentcloud.ModuleDocFragment.DOCUMENTATION,
        dr_connection.ModuleDocFragment.DOCUMENTATION,
    ],
    ids=['aws', 'alicloud', 'tencentcloud', 'dr_sync and dr_posture_info'],
)
def test_validate_certs_is_documented_as_true_and_how_to_turn_it_off(documentation):
    # dr_sync and dr_posture_info document every cloud's connection options through one fragment.
    for module in (dr_sync, dr_posture_info):
        assert 'snapcopy.cloud.dr_connection' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']
    option = yaml.safe_load(documentation)['options']['validate_certs']
    assert option['default'] is True and option['type'] == 'bool'
    assert 'certificate' in ' '.join(option['description'])


# ---------------------------------------------------------------------------- a self-signed endpoint
@pytest.fixture(scope='module')
def outcomes(tmp_path_factory):
    """Run tests/chaos/tls.yml once against the HTTPS proxies; answer {target: [default result, validate_certs false
    result]}."""
    from fakecloud import credentials  # pylint: disable=import-outside-toplevel

    folder = str(tmp_path_factory.mktemp('tls'))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate(folder))
    fakecloud_url, moto_url = os.environ['SNAPCOPY_TEST_FAKECLOUD_URL'], os.environ['SNAPCOPY_TEST_AWS_ENDPOINT_URL']
    proxies = [
        ProxyServer(fakecloud_url, ssl_context=context).start(),
        ProxyServer(moto_url, ssl_context=context).start(),
    ]
    try:
        admin = clouds.AdminClient(fakecloud_url)
        created = admin.seed(
            {
                'ecs': {'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]},
                'ens': {'disks': [{'region': 'cn-hangzhou-26', 'snapshots': 1}]},
                'cbs': {'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]},
            }
        )
        aws_target = clouds.AwsTarget(
            moto_url, None, os.environ['SNAPCOPY_TEST_AWS_ACCESS_KEY'], os.environ['SNAPCOPY_TEST_AWS_SECRET_KEY']
        )
        aws_target.seed(1)
        variables = {
            'fakecloud_https': proxies[0].url,
            'aws_https': proxies[1].url,
            'aws_access_key': aws_target.access_key,
            'aws_secret_key': aws_target.secret_key,
            'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
            'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
            'tencent_secret_id': credentials.TENCENT_SECRET_ID,
            'tencent_secret_key': credentials.TENCENT_SECRET_KEY,
            'aws_snapshot': sorted(aws_target.seeded)[0],
            'ecs_snapshot': created['ecs']['snapshots'][0],
            'ens_snapshot': created['ens']['snapshots'][0],
            'cbs_snapshot': created['cbs']['snapshots'][0],
        }
        with open(os.path.join(folder, 'vars.json'), 'w', encoding='utf-8') as stream:
            json.dump(variables, stream)
        # Each task's results, kept by the chaos_outcomes callback under its register (chaos_ebs, ..., chaos_dr_cbs).
        outcomes_file = os.path.join(folder, 'outcomes.json')
        env = outcomes_environment(ansible_environment(folder), outcomes_file)
        done = subprocess.run(
            [
                os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                os.path.join(HERE, 'tls.yml'),
                '-e',
                '@' + os.path.join(folder, 'vars.json'),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:]
        with open(outcomes_file, encoding='utf-8') as stream:
            registered = json.load(stream)['localhost']['registered']
        return {target: registered['chaos_' + REGISTERED[target]]['results'] for target in TARGETS}
    finally:
        for proxy in proxies:
            proxy.stop()


@EMULATORS
@pytest.mark.parametrize('target', TARGETS)
def test_a_self_signed_endpoint_is_refused_by_default(outcomes, target):
    default = outcomes[target][0]
    assert default['item'] is None  # validate_certs was left out
    assert default['failed']
    assert 'SSLError' in default['msg'], default['msg']
    assert 'Traceback' not in json.dumps(default)


@EMULATORS
@pytest.mark.parametrize('target', TARGETS)
def test_a_self_signed_endpoint_is_accepted_with_validate_certs_false(outcomes, target):
    unverified = outcomes[target][1]
    assert unverified['item'] is False
    assert not unverified.get('failed'), unverified.get('msg')
    if not target.startswith('dr_sync'):
        assert unverified['changed'] and unverified['snapshots'][0]['snapshot_id']
