"""The actions' report templates are compiled when ansible-core's strategy imports the action, in the controller, and
each task's worker, forked from it, renders its reports without compiling them again (plugin_utils/_templates.py); so
is the role's argument spec read once, with libyaml's loader. Each action compiles only what it renders.

Checked in a fresh Python process (the tests of this worker may have rendered the templates already): it imports the
actions as the strategy does, counts Jinja2's compilations in the report environments, then forks a child that runs
dr_sync's and dr_fleet_summary's actions with report_dir, as a worker does, and counts again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.snapcopy.cloud.plugins.plugin_utils import _role_variables

CHILD = r'''
import json, os, sys
from types import SimpleNamespace

import jinja2

compiled = []
jinja2_compile = jinja2.Environment.compile


def counting_compile(self, source, name=None, *args, **kwargs):
    compiled.append((self, name))
    return jinja2_compile(self, source, name, *args, **kwargs)


jinja2.Environment.compile = counting_compile
PREFIX = 'ansible_collections.snapcopy.cloud.plugins.'
from ansible_collections.snapcopy.cloud.plugins.plugin_utils import (
    _report_history, _report_html, _report_markdown, _role_variables, _run_reports
)
REPORT_ENVIRONMENTS = {
    _report_html.ENVIRONMENT, _report_markdown.ENVIRONMENT, _run_reports.ENVIRONMENT, _report_history.ENVIRONMENT
}


def report_templates():
    """The report templates compiled since the last call."""
    names = sorted(name for environment, name in compiled if environment in REPORT_ENVIRONMENTS)
    del compiled[:]
    return names


found = {'before': report_templates(), 'role_cache': _role_variables.role_variables.cache_info().currsize}
import importlib
for action in ('dr_drill_finish', 'dr_sync', 'dr_fleet_summary'):
    importlib.import_module(PREFIX + 'action.' + action)
    found[action] = report_templates()
found['role_cache_after_import'] = _role_variables.role_variables.cache_info().currsize

from ansible_collections.snapcopy.cloud.plugins.action import dr_fleet_summary
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import REPORTED, action_running
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_fleet_report_files import report_at
found['helpers'] = report_templates()

folder = sys.argv[1]
reading, writing = os.pipe()
child = os.fork()
if child == 0:  # the worker: the strategy forked it after the import
    os.close(reading)
    misses = _role_variables.role_variables.cache_info().misses
    scope = action_running(REPORTED, report_dir=folder, report_name='scope').run(task_vars={})
    refused = action_running({'failed': True, 'msg': 'AccessDenied', 'error': {'code': 'AccessDenied'}},
                             report_dir=folder, report_name='scope').run(task_vars={})
    warnings = _role_variables.unknown_variable_warnings({'dr_copy_max_snapshot_age_hour': 1})
    task = SimpleNamespace(args={'report': report_at('2026-11-22T10:00:00Z'), 'report_dir': folder},
                           async_val=0, check_mode=False, action='snapcopy.cloud.dr_fleet_summary', module_defaults=[])
    dr_fleet_summary.display.display = lambda text, **kwargs: None
    fleet = dr_fleet_summary.ActionModule(task, SimpleNamespace(_shell=SimpleNamespace(tmpdir=None)), play_context=None,
                                          loader=None, templar=None, shared_loader_obj=None).run(task_vars={})
    os.write(writing, json.dumps({
        'compiled': report_templates(),
        'role_misses': _role_variables.role_variables.cache_info().misses - misses,
        'warnings': warnings,
        'files': sorted([*scope['report_files'].values(), scope['report_history'], *refused['report_files'].values(),
                         *fleet['report_files'].values()]),
    }).encode())
    os._exit(0)
os.close(writing)
with os.fdopen(reading) as stream:
    found['worker'] = json.loads(stream.read())
os.waitpid(child, 0)
print(json.dumps(found))
'''

DR_PAGE = ['dr', 'legend', 'page', 'plan']
DR_MARKDOWN = ['dr_report', 'table']


def test_each_action_compiles_its_reports_at_its_import_and_the_forked_worker_compiles_none(tmp_path):
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    finished = subprocess.run(
        [sys.executable, '-c', CHILD, str(tmp_path)], env=environment, capture_output=True, text=True, check=False
    )
    assert finished.returncode == 0, finished.stderr
    found = json.loads(finished.stdout.splitlines()[-1])
    # Nothing is compiled by importing the report modules; each action's import compiles what it renders, no more:
    # dr_drill_finish the run's page and Markdown; dr_sync besides them the files of a run without a report and the
    # history's index (a dr_sync-only playbook never compiles the fleet's); dr_fleet_summary the fleet's page and
    # Markdown (the index and what they share compiled already).
    assert found['before'] == [] and found['role_cache'] == 0
    assert found['dr_drill_finish'] == sorted(DR_PAGE + DR_MARKDOWN)
    assert found['dr_sync'] == ['html', 'index', 'md']
    assert found['dr_fleet_summary'] == ['fleet', 'fleet_plans', 'fleet_report']
    assert found['role_cache_after_import'] == 1
    assert found['helpers'] == []  # the child's count below is the imports' work alone
    worker = found['worker']
    # The worker wrote a scope's three files, its history, the files of a run that failed before its report and the
    # fleet's files, without compiling a template or reading the role's files again.
    assert worker['compiled'] == [] and worker['role_misses'] == 0
    assert all(os.path.exists(path) for path in worker['files']) and len(worker['files']) == 11
    assert worker['warnings'] == [
        'dr_copy_max_snapshot_age_hour is no variable of the dr_copy role, and does nothing: did you mean '
        'dr_copy_max_snapshot_age_hours?'
    ]


def test_the_role_is_read_with_libyaml_when_pyyaml_has_it_and_reads_as_with_the_pure_python_loader(monkeypatch):
    loaded = []

    class RecordingLoader(_role_variables.YAML_LOADER):  # type: ignore[misc,name-defined]
        def __init__(self, stream):
            loaded.append(stream.name)
            super().__init__(stream)

    monkeypatch.setattr(_role_variables, 'YAML_LOADER', RecordingLoader)
    path = os.path.join(_role_variables.ROLE_DIR, 'meta', 'argument_specs.yml')
    with open(path, encoding='utf-8') as stream:
        text = stream.read()
    assert yaml.__with_libyaml__, 'the venvs have PyYAML with libyaml'
    assert RecordingLoader.__mro__[1] is yaml.CSafeLoader
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text)
    settable, dummy = _role_variables.role_variables.__wrapped__(_role_variables.ROLE_DIR)
    assert loaded == [path]
    assert settable == frozenset(yaml.safe_load(text)['argument_specs']['main']['options'])


def test_a_role_that_cannot_be_read_ahead_is_left_to_the_run_that_needs_it(tmp_path):
    _role_variables.read_role_ahead(str(tmp_path))  # no meta/argument_specs.yml: the action's import goes on
    with pytest.raises(FileNotFoundError):  # and the role's run fails as it did before
        _role_variables.unknown_variable_warnings({'dr_copy_x': 1}, str(tmp_path))
