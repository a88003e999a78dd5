"""dr_fleet_summary with report_dir writes the fleet report's files and keeps their history, as playbooks/dr_fleet.yml's
last task (where ten module runs of copy, file and find did it): each file whole, the newest report_history runs kept
with an index page newest first, a person's folder left with its mode, bad arguments refused before anything is written.
The playbook's own runs (test_reports_stay_true.py) read the files it writes."""

from __future__ import annotations

import json
import os
import stat
from types import SimpleNamespace

import pytest

from ansible_collections.snapcopy.cloud.plugins.action import dr_fleet_summary as dr_fleet_summary_action
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import fleet_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_fleet_report import scope


def run_action(monkeypatch, **arguments):
    """(result, printed texts) of dr_fleet_summary's action with ``arguments``, on the controller."""
    shown = []
    monkeypatch.setattr(dr_fleet_summary_action.display, 'display', lambda text, **kwargs: shown.append(text))
    task = SimpleNamespace(
        args=arguments, async_val=0, check_mode=False, action='snapcopy.cloud.dr_fleet_summary', module_defaults=[]
    )
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir=None))
    action = dr_fleet_summary_action.ActionModule(
        task, connection, play_context=None, loader=None, templar=None, shared_loader_obj=None
    )
    return action.run(task_vars={}), shown


def report_at(moment, *names):
    return fleet_report([scope(name) for name in names or ('scope-a',)], moment)


def test_the_files_are_written_whole_and_the_newest_runs_are_kept_with_their_index(monkeypatch, tmp_path):
    folder = tmp_path / 'reports'
    moments = ['2026-11-2%dT10:00:00Z' % day for day in range(1, 5)]
    for moment in moments:
        result, shown = run_action(
            monkeypatch,
            report=report_at(moment),
            report_dir=str(folder),
            report_name='dr-fleet-report',
            report_history=2,
        )
        assert not result.get('failed') and result['changed'] is False, result
    files = result['report_files']
    assert files == {
        'json': str(folder / 'dr-fleet-report.json'),
        'markdown': str(folder / 'dr-fleet-report.md'),
        'html': str(folder / 'dr-fleet-report.html'),
        'history': str(folder / 'dr-fleet-report.history.html'),
    }
    # The newest report at its name, the summary naming its files.
    with open(files['json'], encoding='utf-8') as stream:
        assert json.load(stream)['generated_at'] == moments[-1]
    assert shown == [fleet_report_text(report_at(moments[-1]), files)]
    assert '| scope-a |' in (folder / 'dr-fleet-report.md').read_text()
    assert 'data-scope="scope-a"' in (folder / 'dr-fleet-report.html').read_text()
    # The two newest runs kept, each with its three files; the older two deleted; no temporary file left.
    kept = sorted(os.listdir(folder / 'history' / 'dr-fleet-report'))
    assert kept == ['2026112%dT100000Z.%s' % (day, suffix) for day in (3, 4) for suffix in ('html', 'json', 'md')]
    assert sorted(os.listdir(folder)) == [
        'dr-fleet-report.history.html',
        'dr-fleet-report.html',
        'dr-fleet-report.json',
        'dr-fleet-report.md',
        'history',
    ]
    index = (folder / 'dr-fleet-report.history.html').read_text()
    assert index.index('20261124T100000Z') < index.index('20261123T100000Z') and '20261122T100000Z' not in index


def test_a_history_of_0_keeps_none_and_a_persons_folder_keeps_its_mode(monkeypatch, tmp_path):
    folder = tmp_path / 'private'
    folder.mkdir(mode=0o700)
    os.chmod(str(folder), 0o700)
    result, dummy = run_action(
        monkeypatch,
        report=report_at('2026-11-27T10:00:00Z'),
        report_dir=str(folder),
        report_name='dr-fleet-plan',
        report_history=0,
    )
    assert not result.get('failed'), result
    assert 'history' not in result['report_files']
    assert sorted(os.listdir(folder)) == ['dr-fleet-plan.html', 'dr-fleet-plan.json', 'dr-fleet-plan.md']
    # The playbook's file task forced 0755 on the folder each run, opening a private one.
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o700


def test_a_missing_folder_is_made_and_a_tilde_is_the_controllers_home(monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    result, dummy = run_action(monkeypatch, report=report_at('2026-11-27T10:00:00Z'), report_dir='~/dr-reports/fleet')
    assert result['report_files']['json'] == str(tmp_path / 'dr-reports' / 'fleet' / 'dr-fleet-report.json')
    assert os.path.exists(result['report_files']['history'])


@pytest.mark.parametrize(
    'arguments, words',
    [
        ({'report_history': -1}, 'report_history must be 0'),
        ({'report_files': {'json': '/x.json'}}, 'mutually exclusive'),
        ({'report_history': 'thirty'}, 'report_history'),
    ],
)
def test_bad_arguments_are_refused_before_any_file_is_written(monkeypatch, tmp_path, arguments, words):
    folder = tmp_path / 'reports'
    result, shown = run_action(
        monkeypatch, report=report_at('2026-11-27T10:00:00Z'), report_dir=str(folder), **arguments
    )
    assert result.get('failed') and words in result['msg'], result
    # A failed result, not an exception: ansible-core 2.18 shows a raised refusal as an exception, of none.
    assert 'exception' not in result
    assert not folder.exists() and shown == []


def test_a_report_name_stays_one_file_in_the_folder_as_a_scopes_does(monkeypatch, tmp_path):
    """A name given to the module directly (not through the playbook, which reduces its --limit part) is reduced as a
    scope's report name is: a ``/`` or a space writes no file outside report_dir nor in a folder of its own."""
    folder = tmp_path / 'reports'
    result, dummy = run_action(
        monkeypatch,
        report=report_at('2026-11-27T10:00:00Z'),
        report_dir=str(folder),
        report_name='../fleet east/1',
        report_history=0,
    )
    assert result['report_files']['json'] == str(folder / '.._fleet_east_1.json'), result
    assert sorted(os.listdir(tmp_path)) == ['reports']
    assert sorted(os.listdir(folder)) == ['.._fleet_east_1.html', '.._fleet_east_1.json', '.._fleet_east_1.md']


def test_the_fleets_json_is_written_as_a_scopes_is_the_same_report_the_same_bytes(tmp_path):
    """Keys sorted and four spaces, as Ansible's to_nice_json writes a scope's report: two runs that found the same
    differ in no line, whatever order the report's keys were made in."""
    from ansible.plugins.filter.core import to_nice_json  # pylint: disable=import-outside-toplevel

    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_files import (  # pylint: disable=import-outside-toplevel
        write_fleet_report,
    )

    report = report_at('2026-11-23T10:00:00Z', 'scope-a', 'scope-b')
    texts = []
    for made in (report, dict(reversed(list(report.items())))):
        files = write_fleet_report(made, report_dir=str(tmp_path), report_name='fleet', keep=0)
        with open(files['json'], encoding='utf-8') as stream:
            texts.append(stream.read())
    assert texts[0] == texts[1] == to_nice_json(report) + '\n'


def test_a_file_is_made_whole_beside_where_it_goes_not_in_the_working_folder(monkeypatch, tmp_path):
    """The report is written to a temporary file in its own folder, then renamed: a rename within one file system,
    which a reader sees whole. A working folder that is gone (or elsewhere) is never used."""
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import (  # pylint: disable=import-outside-toplevel
        write_file,
    )

    gone = tmp_path / 'gone'
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    (tmp_path / 'reports').mkdir()
    write_file(str(tmp_path / 'reports' / 'scope.json'), '{}\n', 0o644)
    assert os.listdir(tmp_path / 'reports') == ['scope.json']
