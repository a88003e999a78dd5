"""Issue 46 (9): dr_copy_dr_account given as a list (a survey's multiple choice) or as text that is no dict. Ansible's
no_log of external_id holds only for a dict, and the module echoes what it is given (its invocation, which ansible-playbook
shows at -vvv): dr_sync's action refuses it before the module runs. Run as a user runs it: ansible-playbook -vvv, the role."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync
from ansible_collections.snapcopy.cloud.tests.docs.helpers import ansible_bin

COLLECTIONS_ROOT = Path(dr_sync.__file__).parents[5]
EXTERNAL_ID = 'ext-46-never-shown'
SECRET_KEY = 'snapcopy-edges-secret-46-0123456789'
PLAYBOOK = (
    """
- hosts: localhost
  gather_facts: false
  roles:
    - role: snapcopy.cloud.dr_copy
      vars:
        dr_copy_provider: aws
        dr_copy_source_region: us-east-1
        dr_copy_dr_regions: [us-west-2]
        dr_copy_tag_selector: {dr: 'yes'}
        dr_copy_connection: {endpoint_url: 'http://127.0.0.1:9', access_key: AKIASNAPCOPYEDGES046, secret_key: '%s'}
        dr_copy_report_dir: '{{ report_dir }}'
"""
    % SECRET_KEY
)


@pytest.mark.parametrize(
    'dr_account',
    [
        ['role_arn=arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id=' + EXTERNAL_ID],
        [{'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id': EXTERNAL_ID}],
        'external_id: ' + EXTERNAL_ID,  # text, but no dict: the module, given it, echoed every option, secret_key too
    ],
)
def test_the_external_id_is_nowhere_in_a_vvv_run_given_no_dict(tmp_path, dr_account):
    (tmp_path / 'dr.yml').write_text(PLAYBOOK)
    (tmp_path / 'vars.json').write_text(
        json.dumps(
            {
                'dr_copy_dr_account': dr_account,
                'report_dir': str(tmp_path / 'reports'),
                'ansible_python_interpreter': sys.executable,
            }
        )
    )
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
    )
    done = subprocess.run(
        [ansible_bin('ansible-playbook'), '-vvv', '-i', 'localhost,', '-c', 'local', 'dr.yml', '-e', '@vars.json'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert (
        'dr_copy_dr_account is a dict of role_arn, role_session_name and external_id, or the text form of one' in output
    )
    assert EXTERNAL_ID not in output and SECRET_KEY not in output
    # Refused before any call, of a scope that had no report: no file is left (one named after a typo would outlive it).
    assert not list((tmp_path / 'reports').glob('dr-report-*')) if (tmp_path / 'reports').exists() else True
