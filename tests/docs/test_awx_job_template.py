"""Issue 46 (5): in AWX, a scope's schedule and its rulebook launch one job template that never runs two jobs at once.
Each job runs in a pod of its own, where dr_sync's lock of the scope on the controller reaches no other job; on ENS two
runs of one scope at once can copy a snapshot twice. The shipped template, the rulebook's action and the guides name one
template."""

from __future__ import annotations

import os
import re

import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS


def read(name):
    with open(os.path.join(DOCS, name), encoding='utf-8') as stream:
        return stream.read()


def yaml_blocks(text):
    return [yaml.safe_load(block) for block in re.findall(r'^ *```yaml\n(.*?)^ *```', text, re.S | re.M)]


def test_the_scope_template_runs_one_job_at_a_time_and_is_the_one_the_rulebook_launches():
    template = yaml.safe_load(read('awx/job_template_dr_scope.yml'))
    assert template['allow_simultaneous'] is False and template['ask_variables_on_launch'] is True
    assert template['playbook'] == 'dr_scope.yml'
    events = read('events.md')
    launched = [
        block['action']['run_job_template']['name']
        for block in yaml_blocks(events)
        if isinstance(block, dict) and 'run_job_template' in (block.get('action') or {})
    ]
    assert launched == [template['name']]
    assert 'awx/job_template_dr_scope.yml' in events and 'allow_simultaneous: false' in events


def test_the_project_playbook_runs_the_schedules_run_or_the_events_run():
    (playbook,) = [
        block
        for block in yaml_blocks(read('awx.md'))
        if isinstance(block, list)
        and any(play.get('ansible.builtin.import_playbook') == 'snapcopy.cloud.dr_on_snapshot' for play in block)
    ]
    assert [(play['ansible.builtin.import_playbook'], play.get('when')) for play in playbook] == [
        ('snapcopy.cloud.dr_copy', 'ansible_eda is not defined'),
        ('snapcopy.cloud.dr_on_snapshot', None),
    ]


def test_every_job_template_of_the_awx_guide_runs_one_job_at_a_time():
    awx = read('awx.md')
    (setup,) = [
        block
        for block in yaml_blocks(awx)
        if isinstance(block, list) and block and block[0].get('name') == 'Configure AWX for snapcopy.cloud'
    ]
    templates = [task['awx.awx.job_template'] for task in setup[0]['tasks'] if 'awx.awx.job_template' in task]
    dr_copy = [template for template in templates if isinstance(template, dict) and template.get('name') == 'DR copy']
    assert dr_copy and dr_copy[0]['allow_simultaneous'] is False
    assert "lookup('ansible.builtin.file', 'docs/awx/job_template_dr_scope.yml') | from_yaml" in str(templates)
    assert '| Concurrent jobs | off (`allow_simultaneous: false`)' in awx
