"""Issue 46 (9): dr_copy_dr_account given as a list (a survey's multiple choice) or as text that is no dict. Ansible's
no_log of external_id holds only for a dict, and the module echoes what it is given (its invocation, which ansible-playbook
shows at -vvv): dr_sync's action refuses it before the module runs. Run as a user runs it: ansible-playbook -vvv, the role."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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


# Each form a host of one ansible-playbook run (each refused by its own run of the role and action; three runs of their
# own cost about 2 CPU s more to start).
DR_ACCOUNTS = {
    'as-a-list-of-key-value-text': [
        'role_arn=arn:aws:iam::222233334444:role/snapcopy-dr',
        'external_id=' + EXTERNAL_ID,
    ],
    'as-a-list-of-a-dict': [{'role_arn': 'arn:aws:iam::222233334444:role/snapcopy-dr', 'external_id': EXTERNAL_ID}],
    # text, but no dict: the module, given it, echoed every option, secret_key too
    'as-text-that-is-no-dict': 'external_id: ' + EXTERNAL_ID,
}


def test_the_external_id_is_nowhere_in_a_vvv_run_given_no_dict(tmp_path):
    (tmp_path / 'dr.yml').write_text(PLAYBOOK.replace('hosts: localhost', 'hosts: all'))
    hosts = {
        form: {
            'ansible_connection': 'local',
            'ansible_python_interpreter': sys.executable,
            'dr_copy_dr_account': dr_account,
            'report_dir': str(tmp_path / form),
        }
        for form, dr_account in DR_ACCOUNTS.items()
    }
    (tmp_path / 'hosts.json').write_text(json.dumps({'all': {'hosts': hosts}}))
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
    )
    done = subprocess.run(
        [ansible_bin('ansible-playbook'), '-vvv', '-i', 'hosts.json', 'dr.yml'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    refused = 'dr_copy_dr_account is a dict of role_arn, role_session_name and external_id, or the text form of one'
    for form in DR_ACCOUNTS:
        (fatal,) = [part for part in output.split('\nfatal: [')[1:] if part.startswith(form + ']')]
        assert refused in fatal.split('\nPLAY RECAP')[0].split('\n\n')[0], (form, output)
        assert re.search(r'\n%s +: ok=\d+ +changed=0 +unreachable=0 +failed=1 ' % form, output), output
        # Refused before any call, of a scope that had no report: no file is left (one named after a typo would
        # outlive it).
        assert not list((tmp_path / form).glob('dr-report-*')) if (tmp_path / form).exists() else True
    assert EXTERNAL_ID not in output and SECRET_KEY not in output
