"""Issue 47, the first hour: the dr_copy role's arguments as a newcomer gives them, run by ansible-playbook against the
emulators (moto's server, fakecloud), the real SDKs over HTTP.

- A tag selector given as text, in the form the reports print it ({backup: dr}) or JSON or KEY=VALUE, is read as the
  mapping it stands for; text that is no mapping is refused, saying so (plugin_utils/_module_arguments.py).
- Each argument error is a few words naming the variable, before any call: not Ansible's check of the role's arguments,
  which printed the whole argument spec (14 KB on one line) with each.
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
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC
from ansible_collections.snapcopy.cloud.plugins.modules import dr_sync
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._cloud_defaults import own_cloud_arguments
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._module_arguments import (
    argument_problems,
    tag_selector_argument,
)
from ansible_collections.snapcopy.cloud.tests.docs.helpers import ansible_bin
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.conftest import moto_calls, moto_url  # noqa: F401  # pylint: disable=unused-import  # fixtures

COLLECTIONS_ROOT = Path(dr_sync.__file__).parents[5]
ALIBABA = {
    'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
    'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
}
AWS = {'access_key': 'AKIASNAPCOPYFIRST047', 'secret_key': 'snapcopy-first-hour-secret'}
# A region of this module's own in moto's server, which keeps every test module's volumes in one process.
AWS_SOURCE, AWS_DR = 'eu-north-1', 'eu-south-1'
# The longest a line of the output may be, and the most lines a failed task may take: a few, naming the variable.
LONGEST_LINE = 800


def playbook(tmp_path, text, variables, check=False, verbosity=0):
    """``ansible-playbook`` on the play ``text``, with the JSON ``variables`` as extra variables: (exit code,
    output)."""
    (tmp_path / 'play.yml').write_text(text)
    (tmp_path / 'vars.json').write_text(json.dumps(dict(variables, ansible_python_interpreter=sys.executable)))
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
        ANSIBLE_FORCE_COLOR='0',
    )
    command = [ansible_bin('ansible-playbook'), '-i', 'localhost,', '-c', 'local', 'play.yml', '-e', '@vars.json']
    done = subprocess.run(
        command + (['--check'] if check else []) + (['-' + 'v' * verbosity] if verbosity else []),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
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


# ------------------------------------------------------------------------------------------------ the selector's text
@pytest.mark.parametrize(
    'text, read',
    [
        ('{backup: dr}', {'backup': 'dr'}),
        ('{"backup": "dr", "tier": null}', {'backup': 'dr', 'tier': None}),
        ('backup: dr', {'backup': 'dr'}),
        ('backup=dr tier=gold', {'backup': 'dr', 'tier': 'gold'}),
        ('backup=dr,tier=gold', {'backup': 'dr', 'tier': 'gold'}),
        ({'backup': 'dr'}, {'backup': 'dr'}),
    ],
)
def test_a_selector_as_text_is_read_as_the_mapping_it_stands_for(text, read):
    assert tag_selector_argument(text, 'dr_copy_tag_selector') == (read, None)


@pytest.mark.parametrize(
    'text, why',
    [
        ('[backup, dr]', 'is a list, not a mapping'),
        ('backup', 'is text, not a mapping'),
        ('{backup: dr', 'is not YAML'),
        ('42', 'is a number, not a mapping'),
    ],
)
def test_text_that_is_no_mapping_is_refused_naming_the_variable_and_the_forms(text, why):
    value, problem = tag_selector_argument(text, 'dr_copy_tag_selector')
    assert value is None and problem.startswith('dr_copy_tag_selector is a mapping of tags, or its text: YAML or JSON')
    assert why in problem and repr(text) in problem


def test_every_problem_is_one_line_naming_the_option_and_the_role_gives_nothing_else_to_refuse():
    name = 'dr_copy_{}'.format
    problems = argument_problems(
        {
            'provider': 'aws2',
            'source_region': '',
            'dr_regions': ['us-west-2'],
            'tag_selector': {'a': 'b'},
            'wait': 'maybe',
            'keep_copies': 'seven',
            'poll_interval': 'often',
            'tags': '',
            'lock': {'mode': 'x'},
            'secret_key': None,
            'typo_option': 1,
        },
        DR_ARGUMENT_SPEC,
        name,
    )
    assert problems == [
        "dr_copy_typo_option is no option of this module",
        "dr_copy_provider is one of aws, ecs, ens, cbs, got 'aws2'",
        'dr_copy_source_region is required',
        "dr_copy_keep_copies is a whole number, got 'seven'",
        "dr_copy_lock.mode is one of governance, compliance, got 'x'",
        "dr_copy_wait is true or false, got 'maybe'",
        "dr_copy_poll_interval is a number, got 'often'",
    ]
    # The role's blanks (its defaults for what is not given), and a dict or list of spaces alone, are not given.
    assert (
        argument_problems(
            {
                'provider': 'ecs',
                'source_region': 'cn-hangzhou',
                'dr_regions': 'cn-beijing',
                'tag_selector': {'a': None},
                'tags': {},
                'lock': '',
                'disk_ids': '',
                'dr_account': '  ',  # a survey's answer of spaces alone
                'retention_days': 0,
                'encrypted': 'no',
            },
            DR_ARGUMENT_SPEC,
            name,
        )
        == []
    )


def test_the_role_takes_its_selector_as_text_in_every_form_counts_the_disks_it_leaves_and_warns_of_near_misses(
    fakecloud_clean, tmp_path
):
    """Check runs of the role on ECS, in one ansible-playbook (a run of its own for each part cost about 2 CPU s more):
    each form of the selector as text plans the copy of the one tagged disk; then coverage, as a newcomer sets it: the
    exemption as text (an AWX survey's), a near miss warned of, and with dr_copy_coverage fail the run fails naming the
    disk, after its plan is written. (The list refused: test_each_argument_error_is_a_few_words_naming_the_variable.)"""
    seeded = fakecloud_clean.admin.seed(
        ecs={
            'disks': [
                {'region': 'cn-hangzhou', 'tags': tags, 'snapshots': 1}
                for tags in ({'backup': 'dr'}, {'Backup': 'DR'}, {'scratch': 'yes'})
            ]
        }
    )
    near = seeded['ecs']['disks'][1]
    selected = {
        'dr_copy_provider': 'ecs',
        'dr_copy_source_region': 'cn-hangzhou',
        'dr_copy_dr_regions': 'cn-beijing',
        'dr_copy_connection': dict(ALIBABA, endpoint_url=fakecloud_clean.url),
    }
    forms = ['{backup: dr}', '{"backup": "dr"}', 'backup=dr']
    common = dict(
        selected,
        dr_copy_tag_selector='{backup: dr}',
        dr_copy_coverage_exempt='scratch=yes',
        dr_copy_report_dir=str(tmp_path / 'reports'),
    )
    tasks = [
        *(
            role_task(
                'selector %s' % form,
                dict(
                    selected,
                    dr_copy_tag_selector=form,
                    dr_copy_report_dir=str(tmp_path / str(index)),
                    dr_copy_show_report=False,
                ),
            )
            for index, form in enumerate(forms)
        ),
        role_task('report', common),
        {'name': 'Counted', 'ansible.builtin.debug': {'var': 'dr_copy_result.totals.not_covered'}},
        role_task('fail', dict(common, dr_copy_coverage='fail'), rescued=True),
    ]
    code, output = playbook(tmp_path, play(tasks), {}, check=True)
    assert code == 0, output[-3000:]
    for index in range(len(forms)):
        # A check run writes a plan (dr-plan-<scope>), never the scope's report.
        report = json.loads((tmp_path / str(index) / 'dr-plan-ecs-cn-hangzhou.json').read_text())
        assert report['totals']['would_copy'] == 1, report['totals']
    # The role's words: its variables, not dr_sync's options.
    warning = 'disk %s in cn-hangzhou carries Backup=DR, which dr_copy_tag_selector {backup: dr} does not match' % near
    assert warning in ' '.join(output.split()), output
    # (A number, which older cores' debug prints quoted.)
    assert re.search(r'"dr_copy_result.totals.not_covered": "?1"?\n', output), output
    (fatal,) = fatal_lines(output)
    assert '1 disks in cn-hangzhou are not covered by dr_copy_tag_selector {backup: dr}: %s' % near in fatal
    assert 'with dr_copy_coverage_exempt' in fatal
    plan = json.loads((tmp_path / 'reports' / 'dr-plan-ecs-cn-hangzhou.json').read_text())
    assert plan['protection']['exempt'] == 1 and [disk['disk_id'] for disk in plan['protection']['uncovered']] == [near]


# ------------------------------------------------------------------------------------------------ argument errors
BAD = [
    ('dr_copy_provider', {'dr_copy_provider': 'aws2'}, "dr_copy_provider is one of aws, ecs, ens, cbs, got 'aws2'"),
    ('dr_copy_tag_selector', {'dr_copy_tag_selector': None}, 'dr_copy_tag_selector is required'),
    (
        'dr_copy_tag_selector',
        {'dr_copy_tag_selector': '[backup, dr]'},
        "dr_copy_tag_selector is a mapping of tags, or its text",
    ),
    ('dr_copy_wait', {'dr_copy_wait': 'maybe'}, "dr_copy_wait is true or false, got 'maybe'"),
    (
        'dr_copy_keep_copies',
        {'dr_copy_prune': True, 'dr_copy_keep_copies': 'seven'},
        "dr_copy_keep_copies is a whole number, got 'seven'",
    ),
    (
        'dr_copy_on_mismatch',
        {'dr_copy_on_mismatch': 'ignore'},
        "dr_copy_on_mismatch is one of fail, warn, new_copy, got 'ignore'",
    ),
    ('dr_copy_dr_regions', {'dr_copy_dr_regions': {'region': 'cn-beijing'}}, 'dr_copy_dr_regions is a list'),
    ('dr_copy_coverage', {'dr_copy_coverage': 'strict'}, "dr_copy_coverage is one of report, fail, off, got 'strict'"),
    (
        'dr_copy_coverage_exempt',
        {'dr_copy_coverage_exempt': '[scratch]'},
        'dr_copy_coverage_exempt is a mapping of tags, or its text',
    ),
    (
        'dr_copy_connection',
        {'dr_copy_connection': 'endpoint_url=x secret_key=never-shown'},
        'dr_copy_connection is a dict of connection options (endpoint_url, the credentials), got text (not shown',
    ),
]


def test_each_argument_error_is_a_few_words_naming_the_variable_before_any_call(fakecloud_clean, tmp_path):
    """One playbook run, the role once per bad variable: each fails alone (rescued), in a line of a few words."""
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    fakecloud_clean.admin.calls(reset=True)
    good = {
        'dr_copy_provider': 'ecs',
        'dr_copy_source_region': 'cn-hangzhou',
        'dr_copy_dr_regions': ['cn-beijing'],
        'dr_copy_tag_selector': {'backup': 'dr'},
        'dr_copy_connection': dict(ALIBABA, endpoint_url=fakecloud_clean.url),
        'dr_copy_report_dir': str(tmp_path / 'reports'),
    }
    tasks = [role_task(variable, dict(good, **bad), rescued=True) for variable, bad, dummy in BAD]
    code, output = playbook(tmp_path, play(tasks), {})
    assert code == 0, output[-3000:]
    fatal = fatal_lines(output)
    assert len(fatal) == len(BAD), output[-5000:]
    for line, (variable, dummy, words) in zip(fatal, BAD):
        assert words in line and len(line) < LONGEST_LINE, line[:3000]
        assert 'argument_spec' not in line and 'never-shown' not in line
    # The selector's text that is no mapping: refused saying what it is.
    assert "'[backup, dr]' is a list, not a mapping" in fatal[2], fatal[2]
    # Nothing asked the cloud, and no scope's report says a run failed that never started.
    assert fakecloud_clean.admin.calls()['total_calls'] == 0
    assert not (tmp_path / 'reports').exists()


# ------------------------------------------------------------------------------------------------ module_defaults
def test_module_defaults_of_two_clouds_each_reach_their_own_clouds_modules(
    fakecloud_clean, moto_url, moto_calls, tmp_path
):  # noqa: F811  # pylint: disable=redefined-outer-name
    """The play sets group/snapcopy.cloud.aws and group/snapcopy.cloud.alicloud, each with its endpoint and keys, and
    runs the role on AWS and on ECS, and dr_posture_info on each: every run calls its own cloud's emulator only."""
    ec2 = boto3.client(
        'ec2',
        region_name=AWS_SOURCE,
        endpoint_url=moto_url,
        aws_access_key_id=AWS['access_key'],
        aws_secret_access_key=AWS['secret_key'],
    )
    volume = ec2.create_volume(
        Size=1,
        AvailabilityZone=AWS_SOURCE + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'backup', 'Value': 'first-hour'}]}],
    )
    ec2.create_snapshot(VolumeId=volume['VolumeId'])
    fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'first-hour'}, 'snapshots': 1}]}
    )
    fakecloud_clean.admin.calls(reset=True)
    moto_calls.clear()
    # Either order sent one provider's calls to the other's emulator: each group listed last once.
    groups = {'aws': dict(AWS, endpoint_url=moto_url), 'alicloud': dict(ALIBABA, endpoint_url=fakecloud_clean.url)}
    scopes = {'aws': (AWS_SOURCE, AWS_DR), 'ecs': ('cn-hangzhou', 'cn-beijing')}
    # One play for each order, in one ansible-playbook run (a run of its own for each cost 1.5 CPU s more to start).
    plays = []
    for order in (('aws', 'alicloud'), ('alicloud', 'aws')):
        tasks = []
        for provider, (source, dr_region) in scopes.items():
            scope = {
                'provider': provider,
                'source_region': source,
                'dr_regions': [dr_region],
                'tag_selector': {'backup': 'first-hour'},
            }
            tasks.append(role_task('role %s' % provider, {'dr_copy_' + key: value for key, value in scope.items()}))
            tasks.append({'name': 'posture %s' % provider, 'snapcopy.cloud.dr_posture_info': scope})
        defaults = {'group/snapcopy.cloud.%s' % group: groups[group] for group in order}
        plays.append(dict(json.loads(play(tasks, defaults))[0], name='groups in the order %s' % ', '.join(order)))
    code, output = playbook(tmp_path, json.dumps(plays), {}, check=True, verbosity=2)
    assert code == 0, output[-4000:]
    assert re.search(r'localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0', output), output[-3000:]
    # Each play ran, in its order, and -vv says in each what was not taken, and from where.
    sections = re.split(r'^PLAY \[', output, flags=re.MULTILINE)[1:]
    assert [section.split(']', 1)[0] for section in sections[:2]] == [
        'groups in the order aws, alicloud',
        'groups in the order alicloud, aws',
    ], output[-3000:]
    for section in sections[:2]:
        assert (
            'dr_sync with provider aws takes the module_defaults of group/snapcopy.cloud.aws: not alicloud_access_key, '
            in section
        ), section[-3000:]
    calls = fakecloud_clean.admin.calls()['calls']
    assert set(calls) <= {'ecs', 'alibaba_sts'} and 'DescribeDisks' in calls['ecs'], calls
    assert moto_calls['DescribeVolumes'] >= 4 and not {action for action in moto_calls if 'Disks' in action}


@pytest.mark.parametrize('written', ['snapcopy.cloud.dr_sync', 'dr_sync'])
def test_the_task_own_arguments_win_over_every_group(written):
    """Whether the task names the module in full or by its short name (the play's ``collections``), the groups are
    the resolved module's."""

    class Templar:
        @staticmethod
        def template(value):
            return value

    class Task:  # what own_cloud_arguments reads of a task: its groups, module_defaults and arguments as written
        action = written
        resolved_action = 'snapcopy.cloud.dr_sync'
        collections = ['snapcopy.cloud']
        module_defaults = [
            {
                'group/snapcopy.cloud.aws': {'endpoint_url': 'aws'},
                'group/snapcopy.cloud.tencentcloud': {'endpoint_url': 'tc', 'secret_key': 'tc'},
            }
        ]
        _parent = type(
            'Block',
            (),
            {
                '_play': type(
                    'Play',
                    (),
                    {
                        '_action_groups': {
                            'snapcopy.cloud.dr_sync': [
                                'snapcopy.cloud.aws',
                                'snapcopy.cloud.alicloud',
                                'snapcopy.cloud.tencentcloud',
                                'snapcopy.cloud.all',
                            ]
                        }
                    },
                )
            },
        )

        @staticmethod
        def get_ds():
            return {written: {'provider': 'aws', 'secret_key': 'tc'}}

    merged = {'provider': 'aws', 'endpoint_url': 'tc', 'secret_key': 'tc'}
    # The task's own secret_key stays, though the Tencent group gives the same; the endpoint is the AWS group's.
    assert own_cloud_arguments(Task(), Templar(), merged) == (
        {'provider': 'aws', 'endpoint_url': 'aws', 'secret_key': 'tc'},
        ['endpoint_url'],
    )
