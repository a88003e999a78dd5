"""Issue 47, the first hour: the dr_copy role's arguments as a newcomer gives them, run by ansible-playbook against the
emulators (moto's server, fakecloud), the real SDKs over HTTP.

- module_defaults for two clouds' groups, each with its endpoint_url: dr_sync and dr_posture_info take their provider's
  cloud's group only, where they took the group listed last (EC2 calls sent to fakecloud: 80 s of retries, then a parser
  error) (plugin_utils/_cloud_defaults.py).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3

from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._cloud_defaults import own_cloud_arguments
from ansible_collections.snapcopy.cloud.tests.docs.helpers import ansible_bin
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.conftest import moto_calls, moto_url  # noqa: F401  # pylint: disable=unused-import  # fixtures

COLLECTIONS_ROOT = Path(dr_sync.__file__).parents[5]
ALIBABA = {'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID, 'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET}
AWS = {'access_key': 'AKIASNAPCOPYFIRST047', 'secret_key': 'snapcopy-first-hour-secret'}
# A region of this module's own in moto's server, which keeps every test module's volumes in one process.
AWS_SOURCE, AWS_DR = 'eu-north-1', 'eu-south-1'
# The longest a line of the output may be, and the most lines a failed task may take: a few, naming the variable.
LONGEST_LINE = 800


def playbook(tmp_path, text, variables, check=False, verbosity=0):
    """``ansible-playbook`` on the play ``text``, with the JSON ``variables`` as extra variables: (exit code, output)."""
    (tmp_path / 'play.yml').write_text(text)
    (tmp_path / 'vars.json').write_text(json.dumps(dict(variables, ansible_python_interpreter=sys.executable)))
    env = dict(os.environ, HOME=str(tmp_path), ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_FORCE_COLOR='0')
    command = [ansible_bin('ansible-playbook'), '-i', 'localhost,', '-c', 'local', 'play.yml', '-e', '@vars.json']
    done = subprocess.run(command + (['--check'] if check else []) + (['-' + 'v' * verbosity] if verbosity else []),
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    return done.returncode, done.stdout + done.stderr


def role_task(name, variables, rescued=False):
    """The role with ``variables``; ``rescued``: its failure is rescued, so that the play goes on to the next."""
    task = {'name': name, 'ansible.builtin.include_role': {'name': 'snapcopy.cloud.dr_copy'}, 'vars': variables}
    if rescued:
        return {'name': name, 'block': [task], 'rescue': [{'name': 'Rescued', 'ansible.builtin.meta': 'noop'}]}
    return task


def play(tasks, module_defaults=None):
    text = {'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}
    if module_defaults:
        text['module_defaults'] = module_defaults
    return json.dumps([text])


def fatal_lines(output):
    return [line for line in output.splitlines() if line.startswith('fatal: ')]


# ------------------------------------------------------------------------------------------------ module_defaults
def test_module_defaults_of_two_clouds_each_reach_their_own_clouds_modules(fakecloud_clean, moto_url, moto_calls, tmp_path):  # noqa: F811  # pylint: disable=redefined-outer-name
    """The play sets group/snapcopy.cloud.aws and group/snapcopy.cloud.alicloud, each with its endpoint and keys, and runs
    the role on AWS and on ECS, and dr_posture_info on each: every run calls its own cloud's emulator only."""
    ec2 = boto3.client('ec2', region_name=AWS_SOURCE, endpoint_url=moto_url, aws_access_key_id=AWS['access_key'],
                       aws_secret_access_key=AWS['secret_key'])
    volume = ec2.create_volume(Size=1, AvailabilityZone=AWS_SOURCE + 'a', TagSpecifications=[
        {'ResourceType': 'volume', 'Tags': [{'Key': 'backup', 'Value': 'first-hour'}]}])
    ec2.create_snapshot(VolumeId=volume['VolumeId'])
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'first-hour'}, 'snapshots': 1}]})
    fakecloud_clean.admin.calls(reset=True)
    moto_calls.clear()
    # Either order sent one provider's calls to the other's emulator: each group listed last once.
    groups = {'aws': dict(AWS, endpoint_url=moto_url), 'alicloud': dict(ALIBABA, endpoint_url=fakecloud_clean.url)}
    scopes = {'aws': (AWS_SOURCE, AWS_DR), 'ecs': ('cn-hangzhou', 'cn-beijing')}
    for order in (('aws', 'alicloud'), ('alicloud', 'aws')):
        defaults = {'group/snapcopy.cloud.%s' % group: groups[group] for group in order}
        tasks = []
        for provider, (source, dr_region) in scopes.items():
            scope = {'provider': provider, 'source_region': source, 'dr_regions': [dr_region], 'tag_selector': {'backup': 'first-hour'}}
            tasks.append(role_task('role %s' % provider, {'dr_copy_' + key: value for key, value in scope.items()}))
            tasks.append({'name': 'posture %s' % provider, 'snapcopy.cloud.dr_posture_info': scope})
        code, output = playbook(tmp_path, play(tasks, defaults), {}, check=True, verbosity=2)
        assert code == 0, output[-4000:]
        assert re.search(r'localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0', output), output[-3000:]
        # The -vv line: what was not taken, and from where.
        assert 'dr_sync with provider aws takes the module_defaults of group/snapcopy.cloud.aws: not alicloud_access_key, ' in output
    calls = fakecloud_clean.admin.calls()['calls']
    assert set(calls) <= {'ecs', 'alibaba_sts'} and 'DescribeDisks' in calls['ecs'], calls
    assert moto_calls['DescribeVolumes'] >= 4 and not {action for action in moto_calls if 'Disks' in action}


def test_the_task_own_arguments_win_over_every_group():
    class Templar:
        @staticmethod
        def template(value):
            return value

    class Task:  # what own_cloud_arguments reads of a task: its groups, module_defaults and arguments as written
        action = resolved_action = 'snapcopy.cloud.dr_sync'
        collections = []
        module_defaults = [{'group/snapcopy.cloud.aws': {'endpoint_url': 'aws'},
                            'group/snapcopy.cloud.tencentcloud': {'endpoint_url': 'tc', 'secret_key': 'tc'}}]
        _parent = type('Block', (), {'_play': type('Play', (), {'_action_groups': {'snapcopy.cloud.dr_sync': [
            'snapcopy.cloud.aws', 'snapcopy.cloud.alicloud', 'snapcopy.cloud.tencentcloud', 'snapcopy.cloud.all']}})})

        @staticmethod
        def get_ds():
            return {'snapcopy.cloud.dr_sync': {'provider': 'aws', 'secret_key': 'tc'}}

    merged = {'provider': 'aws', 'endpoint_url': 'tc', 'secret_key': 'tc'}
    # The task's own secret_key stays, though the Tencent group gives the same; the endpoint is the AWS group's.
    assert own_cloud_arguments(Task(), Templar(), merged) == ({'provider': 'aws', 'endpoint_url': 'aws', 'secret_key': 'tc'}, ['endpoint_url'])
