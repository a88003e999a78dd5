"""The README's example, as a reader copies it: the playbook runs against moto's server with nothing but the AWS
environment variables a user sets (and EC2_URL, for the emulator), plans in check mode, copies, and a rerun copies
nothing more."""

from __future__ import annotations

import json
import os
import re
import subprocess

import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import REPO, ansible_bin, clean_environment
from ansible_collections.snapcopy.cloud.tests.unit.conftest import moto_url  # noqa: F401  # pylint: disable=unused-import  # a fixture
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import KEYS, client


def readme_playbook():
    with open(os.path.join(REPO, 'README.md'), encoding='utf-8') as handle:
        text = handle.read()
    (block,) = re.findall(r'^```yaml\n(.*?)^```', text, re.S | re.M)
    return block


def test_the_readmes_example_is_ten_lines_or_so_and_a_playbook_of_the_role():
    block = readme_playbook()
    assert len(block.splitlines()) <= 12
    (play,) = yaml.safe_load(block)
    assert play['roles'][0]['role'] == 'snapcopy.cloud.dr_copy'


def test_the_readmes_example_plans_copies_and_then_finds_its_copies(moto_url, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    source = client(moto_url, 'ec2', 'us-east-1')
    for number in range(2):
        disk = source.create_volume(
            Size=1,
            AvailabilityZone='us-east-1a',
            TagSpecifications=[
                {
                    'ResourceType': 'volume',
                    'Tags': [{'Key': 'backup', 'Value': 'dr'}, {'Key': 'Name', 'Value': 'readme-%d' % number}],
                }
            ],
        )
        source.create_snapshot(VolumeId=disk['VolumeId'])
    playbook = tmp_path / 'dr.yml'
    playbook.write_text(readme_playbook(), encoding='utf-8')
    env = clean_environment(
        tmp_path, AWS_ACCESS_KEY_ID=KEYS['access_key'], AWS_SECRET_ACCESS_KEY=KEYS['secret_key'], EC2_URL=moto_url
    )
    report_path = tmp_path / 'dr-reports' / 'dr-report-aws-us-east-1.json'
    totals = []
    for check in (True, False, False):
        command = [ansible_bin('ansible-playbook'), str(playbook)] + (['--check'] if check else [])
        done = subprocess.run(
            command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        # A check run writes its plan beside the scope's report, never in its place (issue 47).
        path = report_path.with_name('dr-plan-aws-us-east-1.json') if check else report_path
        with open(path, encoding='utf-8') as handle:
            totals.append(json.load(handle)['totals'])
    # Other tests' disks in moto may carry backup=dr too: the counts are of this scope as the cloud holds it.
    planned, copied, again = totals
    assert planned['would_copy'] == copied['copied'] >= 4 and planned['copied'] == 0
    assert again['copied'] == 0 and again['existing'] == copied['copied'] + copied['existing']
