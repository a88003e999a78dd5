"""docs/awx/dr_copy_survey.json is a survey AWX accepts, and the answers it gives make a run of
playbooks/dr_copy.yml, as a job template launched from AWX would do it.

Structure: the checks of AWX's survey spec endpoint (JobTemplateSurveySpec._validate_spec_data
in awx/api/views). Run: the survey's answers become extra variables the way AWX passes them
(text answers as strings, integers as numbers), the Alibaba Cloud credential type gives the
only credentials, and the playbook runs against fakecloud.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import (
    DOCS,
    REPO,
    ansible_bin,
    clean_environment,
    run_module_tasks,
)
from ansible_collections.snapcopy.cloud.tests.docs.test_awx_credentials import load, render_injectors
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake

ALLOWED_TYPES = {
    'text': str,
    'textarea': str,
    'password': str,
    'multiplechoice': str,
    'multiselect': str,
    'integer': int,
    'float': float,
}


def survey():
    with open(os.path.join(DOCS, 'awx', 'dr_copy_survey.json'), encoding='utf-8') as stream:
        return json.load(stream)


def role_options():
    with open(os.path.join(REPO, 'roles', 'dr_copy', 'meta', 'argument_specs.yml'), encoding='utf-8') as stream:
        return yaml.safe_load(stream)['argument_specs']['main']['options']


def test_survey_passes_awx_validation():
    spec = survey()
    assert isinstance(spec['name'], str) and isinstance(spec['description'], str)
    assert isinstance(spec['spec'], list) and spec['spec']
    variables = set()
    for item in spec['spec']:
        for field in ('type', 'question_name', 'variable'):
            assert isinstance(item[field], str), field
        assert isinstance(item['required'], bool)
        assert item['variable'] not in variables, 'duplicated variable %s' % item['variable']
        variables.add(item['variable'])
        assert item['type'] in ALLOWED_TYPES
        if item.get('default', '') != '':
            assert isinstance(item['default'], ALLOWED_TYPES[item['type']]), item['variable']
        for key in ('min', 'max'):
            assert item.get(key) is None or isinstance(item[key], int)
        if item['type'] in ('multiplechoice', 'multiselect'):
            choices = item['choices'] if isinstance(item['choices'], list) else item['choices'].splitlines()
            defaults = item['default'].splitlines() if isinstance(item.get('default', ''), str) else item['default']
            assert all(default in choices for default in defaults), item['variable']
            if item['type'] == 'multiplechoice':
                assert len(defaults) <= 1


def test_survey_asks_for_what_the_role_needs():
    options = role_options()
    asked = {item['variable']: item for item in survey()['spec']}
    assert set(asked) <= set(options), 'every answer is a dr_copy option'
    required = {name for name, option in options.items() if option.get('required')}
    assert required <= {name for name, item in asked.items() if item['required']}
    for name, item in asked.items():
        if options[name].get('choices'):
            assert item['type'] == 'multiplechoice' and item['choices'] == options[name]['choices'], name
            assert item.get('default', options[name].get('default')) == options[name].get('default', item['default']), (
                name
            )
    for name, item in asked.items():
        if item['type'] == 'multiplechoice' and options[name]['type'] == 'bool':
            assert sorted(item['choices']) == ['false', 'true']


def awx_finds_fault(question, value):
    """Whether AWX refuses ``value`` as the answer to ``question``: its check of one survey element
    (awx/main/models/mixins.py, SurveyJobTemplateMixin._survey_element_validation), for a value that is given."""
    kind, low, high = question['type'], question.get('min'), question.get('max')
    low = None if low in ('', None) else low
    high = None if high in ('', None) else high
    if kind in ('text', 'textarea', 'password'):
        return (
            not isinstance(value, str)
            or (low is not None and len(value) < int(low))
            or (high is not None and len(value) > int(high))
        )
    if kind in ('integer', 'float'):
        if type(value) not in ((int,) if kind == 'integer' else (int, float)):  # pylint: disable=unidiomatic-typecheck  # AWX's own test
            return True
        number = int if kind == 'integer' else float
        return (low is not None and value < number(low)) or (high is not None and value > number(high))
    choices = (
        question['choices']
        if isinstance(question['choices'], list)
        else [line for line in question['choices'].splitlines() if line.strip()]
    )
    if kind == 'multiselect':
        return not isinstance(value, list) or any(item not in choices for item in value)
    return value not in choices


def answers(**given):
    """The extra variables of a job AWX launches from the survey with ``given`` answered and every other question
    left blank: each question's default that passes the question's own check, password questions included
    (awx/main/models/mixins.py, SurveyJobTemplateMixin._update_unified_job_kwargs), then the answers given. An optional
    text question whose default is "" (min 0) therefore sends "", as AWX does."""
    values = {
        item['variable']: item['default']
        for item in survey()['spec']
        if item.get('default') is not None and not awx_finds_fault(item, item['default'])
    }
    values.update(given)
    return values


def test_awx_sends_the_blank_default_of_each_optional_text_question():
    """What the runs below send for the questions left blank is what AWX sends: "" for the optional text questions
    (the lock, the DR account), nothing for a question whose default fails its own check."""
    sent = answers()
    blank = {
        item['variable']
        for item in survey()['spec']
        if item['type'] == 'text' and item.get('default') == '' and not item.get('min')
    }
    assert {'dr_copy_lock', 'dr_copy_dr_account'} <= blank
    assert all(sent[name] == '' for name in blank)
    # A required text question with a blank default (the source region, min 2) is not sent until answered.
    assert 'dr_copy_source_region' not in sent
    assert awx_finds_fault({'type': 'integer', 'min': 1, 'max': 50}, '') and not awx_finds_fault(
        {'type': 'integer', 'min': 1}, 3
    )


def job_environment(home):
    """A job's environment as AWX gives it: nothing of ours, and the keys the Alibaba Cloud credential type injects."""
    return clean_environment(
        home,
        **render_injectors(
            load('alicloud'), {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET}
        ),
    )


def run_playbook(extra_vars, env, tmp_path, check=False):
    path = tmp_path / 'extra_vars.json'
    path.write_text(json.dumps(extra_vars), encoding='utf-8')
    command = [ansible_bin('ansible-playbook'), os.path.join(REPO, 'playbooks', 'dr_copy.yml'), '-e', '@%s' % path]
    if check:
        command.append('--check')
    done = subprocess.run(
        command,
        env=env,
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout


# The real run of the same answers (the regions typed with a space, prune) is awx-test's: tests/awx/test_awx_job.py's
# test_run_job_copies_writes_the_reports_in_home_and_publishes_the_totals runs this playbook (the project's import of
# it) on the same disks with the same answers (answers() here) and the same credential type's injectors, and holds it
# to the same six copies, the report and no secret in the output; its check job holds the regions typed with a space
# to cn-shanghai and cn-beijing and the disks to 3. What stays here is the check run of the regions typed without one.
@pytest.mark.parametrize('check, typed_regions', [(True, 'cn-shanghai,cn-beijing')], ids=['check mode'])
def test_survey_answers_run_the_dr_playbook(check, typed_regions, fakecloud_clean, tmp_path):
    fakecloud_clean.admin.seed(
        ecs={
            'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 2}] * 3
            + [{'region': 'cn-hangzhou', 'tags': {'backup': 'no'}, 'snapshots': 1}]
        }
    )
    env = job_environment(tmp_path)
    report_dir = tmp_path / 'reports'
    extra_vars = answers(
        dr_copy_provider='ecs',
        dr_copy_source_region='cn-hangzhou',
        dr_copy_dr_regions=typed_regions,
        dr_copy_prune='true',
    )
    # Outside the survey: the emulator's address, and where the report goes (extra variables of the job template).
    extra_vars.update(dr_copy_connection={'endpoint_url': fakecloud_clean.url}, dr_copy_report_dir=str(report_dir))
    code, output = run_playbook(extra_vars, env, tmp_path, check=check)
    assert code == 0, output[-4000:]
    # A check run writes a plan (dr-plan-<scope>), never the scope's report.
    with open(
        report_dir / ('dr-plan-ecs-cn-hangzhou.json' if check else 'dr-report-ecs-cn-hangzhou.json'), encoding='utf-8'
    ) as stream:
        report = json.load(stream)
    assert report['dr_regions'] == ['cn-shanghai', 'cn-beijing']
    assert report['totals']['disks'] == 3
    assert report['totals']['would_copy' if check else 'copied'] == 6
    assert report['check_mode'] is check
    assert fake.ALIBABA_ACCESS_KEY_SECRET not in output


def test_the_survey_s_restore_drill_answers_run_a_drill(fakecloud_clean, tmp_path):
    """The drill as the survey turns it on: 'true' as text, the count as a number."""
    fakecloud_clean.admin.configure(
        timings={'ecs': {'snapshot_seconds': 0.5, 'copy_seconds': 0.5, 'disk_seconds': 0.5}}
    )
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 1}] * 2})
    env = job_environment(tmp_path)
    report_dir = tmp_path / 'reports'
    extra_vars = answers(
        dr_copy_provider='ecs',
        dr_copy_source_region='cn-hangzhou',
        dr_copy_dr_regions='cn-shanghai',
        dr_copy_wait='true',
        dr_copy_restore_test='true',
        dr_copy_restore_test_count=2,
    )
    extra_vars.update(
        dr_copy_connection={'endpoint_url': fakecloud_clean.url},
        dr_copy_report_dir=str(report_dir),
        dr_copy_poll_interval=0.3,
    )
    code, output = run_playbook(extra_vars, env, tmp_path)
    assert code == 0, output[-4000:]
    with open(report_dir / 'dr-report-ecs-cn-hangzhou.json', encoding='utf-8') as stream:
        restore = json.load(stream)['restore']
    assert restore['totals']['passed'] == 2 and restore['count_per_region'] == 2
    disks = fakecloud_clean.admin.state(cloud='ecs', region='cn-shanghai')['ecs']['cn-shanghai'].get('disks', [])
    assert [disk for disk in disks if 'snapcopy:restore-test' in disk['tags']] == []


def test_the_survey_s_lock_and_copy_tags_answers_lock_and_tag_each_dr_copy(fakecloud_clean, tmp_path):
    """The lock as a survey gives it, text of key=value pairs, typed by the role and dr_sync; a rerun locks nothing
    more. Copy tags as the survey gives them, keys separated by commas (a space after one): each DR copy carries its
    disk's values, and the report says so. Both answers in one job, as a survey sends them: each is held to what it
    does on its own (a lock and a copy's tags touch different fields of the copy), for one playbook run fewer."""
    fakecloud_clean.admin.configure(timings={'ecs': {'snapshot_seconds': 0.3, 'copy_seconds': 0.3}})
    fakecloud_clean.admin.seed(
        ecs={
            'disks': [
                {'region': 'cn-hangzhou', 'tags': {'backup': 'dr', 'cost-center': 'cc-%d' % number}, 'snapshots': 1}
                for number in range(2)
            ]
        }
    )
    env = job_environment(tmp_path)
    report_dir = tmp_path / 'reports'
    extra_vars = answers(
        dr_copy_provider='ecs',
        dr_copy_source_region='cn-hangzhou',
        dr_copy_dr_regions='cn-shanghai',
        dr_copy_wait='true',
        dr_copy_lock='mode=compliance duration_days=7 cool_off_hours=1',
        dr_copy_copy_tags='cost-center, team',
    )
    extra_vars.update(
        dr_copy_connection={'endpoint_url': fakecloud_clean.url},
        dr_copy_report_dir=str(report_dir),
        dr_copy_poll_interval=0.3,
    )
    for run, locked in ((1, 2), (2, 0)):
        code, output = run_playbook(extra_vars, env, tmp_path)
        assert code == 0, output[-4000:]
        with open(report_dir / 'dr-report-ecs-cn-hangzhou.json', encoding='utf-8') as stream:
            report = json.load(stream)
        assert report['totals']['locked'] == locked, run
        assert {copy['lock']['action'] for disk in report['disks'] for copy in disk['copies']} == {
            'locked' if run == 1 else 'in_force'
        }
        if run == 1:
            records = [copy['copy_tags'] for disk in report['disks'] for copy in disk['copies']]
            assert sorted(record['set']['cost-center'] for record in records) == ['cc-0', 'cc-1']
            assert all(record['action'] == 'copied_with' and list(record['not_set']) == ['team'] for record in records)
            snapshots = fakecloud_clean.admin.state(cloud='ecs', region='cn-shanghai')['ecs']['cn-shanghai'][
                'snapshots'
            ]
            assert sorted(snapshot['tags'].get('cost-center') for snapshot in snapshots) == ['cc-0', 'cc-1']


def test_dr_sync_takes_a_blank_optional_dict_as_not_set(fakecloud_clean, tmp_path):
    """dr_sync called with AWX's blank answers passed on (tags, dr_account, lock, restore_test_zones as "", then as
    spaces) runs as if they were left out; a blank required one (the selector) is still refused, by Ansible, before any
    call. Both blanks' check runs are the tasks of one playbook run, both refusals those of another (each task dr_sync's
    own action and module, with the job's environment), where each blank was once an ansible run of its own."""
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'tags': {'backup': 'dr'}, 'snapshots': 1}]})
    env = job_environment(tmp_path)
    blanks = ['', '  ']
    args = {
        blank: {
            'provider': 'ecs',
            'source_region': 'cn-hangzhou',
            'dr_regions': ['cn-shanghai'],
            'tag_selector': {'backup': 'dr'},
            'endpoint_url': fakecloud_clean.url,
            'tags': blank,
            'dr_account': blank,
            'lock': blank,
            'restore_test_zones': blank,
        }
        for blank in blanks
    }
    fakecloud_clean.admin.calls(reset=True)
    results = run_module_tasks([('dr_sync', args[blank], {}) for blank in blanks], env, tmp_path, check=True)
    for blank, result in zip(blanks, results):
        assert not result['failed'], (blank, result)
        assert result['totals']['would_copy'] == 1 and result['totals']['locked'] == 0, blank
    assert len(results) == 2 and fakecloud_clean.admin.calls(reset=True)['total_mutations'] == 0
    refusals = run_module_tasks(
        [('dr_sync', dict(args[blank], tag_selector=blank), {}) for blank in blanks], env, tmp_path, check=True
    )
    for blank, refused in zip(blanks, refusals):
        assert refused['failed'] and 'tag_selector' in refused['msg'], (blank, refused)
    assert len(refusals) == 2 and fakecloud_clean.admin.calls()['total_calls'] == 0
