"""An external id never shows, whatever its length: the modules run as Ansible runs them (a real AnsibleModule, in a
process of their own), and their output is read as Ansible would print it.

Issue 37: Ansible masks a no_log value wherever its text occurs in the output, so a one-letter external id showed
through the words it was cut out of ('dr_account: ********xt********rnal_id must b******** 2 to 1224 ...' for 'e').
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import NO_LOG_PLACEHOLDER
from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync

# The folder that holds ansible_collections/, for the module's own process.
COLLECTIONS_ROOT = Path(dr_sync.__file__).parents[5]  # not resolved: the collection may be a link to a checkout
AWS = {
    'access_key': 'AKIASNAPCOPYEDGES001',
    'secret_key': 'snapcopy-edges-secret-0123456789',
    'source_region': 'us-east-1',
    'endpoint_url': 'http://127.0.0.1:9',
}  # nothing answers there
DR_RUN = dict(AWS, provider='aws', dr_regions=['us-west-2'], tag_selector={'dr': 'yes'})
ROLE_ARN = 'arn:aws:iam::222233334444:role/snapcopy-dr'


def run_module(name, args, environ=None):
    """The module's result, as it prints it for Ansible (invocation included, as at -vvv)."""
    # The cores that return the invocation only when asked (2.19 and later) know the flag; the older return it always.
    asked = {'_ansible_inject_invocation': True} if 'inject_invocation' in PASS_VARS else {}
    arguments = {'ANSIBLE_MODULE_ARGS': dict(args, **asked)}
    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS_ROOT), **(environ or {}))
    done = subprocess.run(
        [sys.executable, '-m', 'ansible_collections.snapcopy.cloud.plugins.modules.' + name],
        input=json.dumps(arguments),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def texts(value):
    """Every text in a result, its keys too."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key, *texts(item)]]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return [value] if isinstance(value, str) else []


def assert_never_shown(result):
    assert not any('*' in text for text in texts(result)), result  # nothing was masked: nothing could show through


# 'ec' passes the rules, and is part of words of the error that ends the run (EndpointConnectionError, connect).
@pytest.mark.parametrize('external_id', ['e', 'ec'])
def test_dr_account_s_external_id_never_shows_refused_or_sent(external_id):
    result = run_module('dr_sync', dict(DR_RUN, dr_account={'role_arn': ROLE_ARN, 'external_id': external_id}))
    assert result['failed']
    if len(external_id) == 1:
        assert result['msg'] == 'dr_account.external_id: must be 2 to 1224 letters, digits or any of +=,.@:/_-'
    else:
        assert 'EndpointConnectionError' in result['msg']  # past the checks, on its way to the cloud
    assert_never_shown(result)
    assert result['invocation']['module_args']['dr_account']['external_id'] == NO_LOG_PLACEHOLDER


def test_an_external_id_from_the_dr_account_credential_never_shows():
    """The DR account credential of AWX gives the external id as a variable, which AnsibleModule never sees."""
    result = run_module(
        'dr_sync', dict(DR_RUN, dr_account={'role_arn': ROLE_ARN}), environ={'SNAPCOPY_AWS_DR_EXTERNAL_ID': 'ec'}
    )
    assert 'EndpointConnectionError' in result['msg']
    assert_never_shown(result)


def test_a_copy_module_s_external_id_never_shows():
    result = run_module(
        'ebs_snapshot_copy',
        dict(
            AWS,
            source_snapshot_id='snap-0123456789abcdef0',
            destination_region='us-west-2',
            role_arn=ROLE_ARN,
            external_id='e',
        ),
    )
    assert result['msg'] == 'external_id: must be 2 to 1224 letters, digits or any of +=,.@:/_-'
    assert_never_shown(result)
    assert result['invocation']['module_args']['external_id'] == NO_LOG_PLACEHOLDER


def test_an_external_id_that_another_option_also_holds_stays_masked():
    """The secret key's value is hidden wherever it is; an external id of the same text does not undo that."""
    result = run_module(
        'ebs_snapshot_copy',
        dict(
            AWS,
            source_snapshot_id='snap-0123456789abcdef0',
            destination_region='us-west-2',
            role_arn=ROLE_ARN,
            external_id=AWS['secret_key'],
        ),
    )
    assert AWS['secret_key'] not in json.dumps(result)
