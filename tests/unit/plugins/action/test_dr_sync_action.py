"""dr_sync's action: the Markdown report it renders from the module's data, and the report files it writes on the
controller, as the role's file and copy tasks wrote them."""

from __future__ import annotations

import copy
import json
import os
import stat
import tempfile
from types import SimpleNamespace

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import (
    ActionModule,
    report_json,
    report_paths,
    write_reports,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC, run_dr_module
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown, escape_cell
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_markdown import cells

RESULT = {
    'changed': True,
    'provider': 'aws',
    'source_region': 'us-east-1',
    'totals': {'disks': 1, 'copied': 1},
    'report_markdown': '# DR report\n\n| disk |\n',
    'invocation': {'module_args': {'provider': 'aws'}},
    '_ansible_no_log': False,
    'msg': '1 disks: 1 copied',
}


def test_paths_expand_the_home_folder_and_keep_names_to_file_name_characters(monkeypatch):
    monkeypatch.setenv('HOME', '/home/awx')
    assert report_paths('~/dr-reports', 'aws-shop/us east 1') == {
        'json': '/home/awx/dr-reports/dr-report-aws-shop_us_east_1.json',
        'markdown': '/home/awx/dr-reports/dr-report-aws-shop_us_east_1.md',
        'html': '/home/awx/dr-reports/dr-report-aws-shop_us_east_1.html',
    }


class CoreDeprecation:
    """What ansible-core 2.19 and later put in a task result's deprecations and warnings: an object, not JSON."""


def test_json_holds_the_runs_own_data_never_what_the_core_adds():
    # The core's keys: on 2.19 and later their values are objects that no JSON encoder takes (issue 23).
    core_added = {
        'warnings': [CoreDeprecation()],
        'deprecations': [CoreDeprecation()],
        'exception': CoreDeprecation(),
        '_ansible_verbose_always': True,
    }
    data = json.loads(report_json(dict(RESULT, run_warnings=['a copy differs'], **core_added)))
    assert data['run_warnings'] == ['a copy differs'] and not set(core_added) & set(data)


def test_json_is_the_registered_result_less_the_markdown_the_invocation_and_ansible_keys():
    text = report_json(RESULT)
    # to_nice_json's shape, as the role's copy task wrote it, and a new line at the end.
    assert text.endswith('}\n') and text.startswith('{\n    "changed": true,\n')
    assert json.loads(text) == {
        'changed': True,
        'provider': 'aws',
        'source_region': 'us-east-1',
        'totals': {'disks': 1, 'copied': 1},
        'msg': '1 disks: 1 copied',
        'failed': False,
        'run_state': 'finished',
    }
    # A failed run keeps its failed.
    assert json.loads(report_json(dict(RESULT, failed=True)))['failed'] is True


def test_the_folder_is_made_and_the_three_files_written_with_their_modes(tmp_path):
    folder = tmp_path / 'a' / 'reports'
    old_umask = os.umask(0o022)
    result = dict(REPORTED, report_markdown=RESULT['report_markdown'])
    try:
        paths = write_reports(result, str(folder), 'aws-us-east-1')
    finally:
        os.umask(old_umask)
    assert paths == {
        kind: '%s/dr-report-aws-us-east-1.%s' % (folder, suffix)
        for kind, suffix in (('json', 'json'), ('markdown', 'md'), ('html', 'html'))
    }
    assert json.loads((folder / 'dr-report-aws-us-east-1.json').read_text())['totals'] == REPORTED['totals']
    assert (folder / 'dr-report-aws-us-east-1.md').read_text() == RESULT['report_markdown']
    assert (folder / 'dr-report-aws-us-east-1.html').read_text().startswith('<!DOCTYPE html>')
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
    assert all(stat.S_IMODE(os.stat(path).st_mode) == 0o644 for path in paths.values())
    # A second run replaces the files, and leaves no temporary file behind.
    write_reports(dict(result, report_markdown='# again\n'), str(folder), 'aws-us-east-1')
    assert (folder / 'dr-report-aws-us-east-1.md').read_text() == '# again\n'
    assert reports_in(folder) == ['dr-report-aws-us-east-1.%s' % suffix for suffix in ('html', 'json', 'md')]


def test_a_folder_that_cannot_be_written_raises_and_leaves_nothing(tmp_path):
    folder = tmp_path / 'locked'
    folder.mkdir()
    (folder / 'dr-report-x.json').mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_reports(RESULT, str(folder), 'x')
    assert reports_in(folder) == ['dr-report-x.json']


@pytest.mark.parametrize('folder_mode', [0o700, 0o1777])
def test_an_existing_folder_keeps_its_mode_and_new_files_honour_the_umask(tmp_path, folder_mode):
    """Issue 24: the report folder was forced to 0755, loosening a private (0700) or sticky folder."""
    folder = tmp_path / 'reports'
    folder.mkdir()
    os.chmod(folder, folder_mode)
    old_umask = os.umask(0o077)
    try:
        paths = write_reports(dict(REPORTED, report_markdown=RESULT['report_markdown']), str(folder), 'x')
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(folder).st_mode) == folder_mode
    assert (
        stat.S_IMODE(os.stat(paths['json']).st_mode) == 0o600
        and stat.S_IMODE(os.stat(paths['markdown']).st_mode) == 0o600
    )


# ---------------------------------------------------------------------- the action's run
# A report as the module returns it: data only.
REPORTED = {
    'changed': False,
    'check_mode': False,
    'provider': 'aws',
    'account': None,
    'source_region': 'us-east-1',
    'dr_regions': ['us-west-2'],
    'generated_at': '2026-11-22T10:00:00Z',
    'duration_seconds': 0.4,
    'run_warnings': [],
    'api_retries': 0,
    'restore': None,
    'totals': {
        'disks': 1,
        'copied': 0,
        'existing': 0,
        'would_copy': 0,
        'not_copied': 0,
        'fresh_snapshots': 0,
        'pruned': 0,
        'kept': 0,
        'without_dr_copy': 1,
    },
    'posture': {
        'rpo_hours': None,
        'regions': {
            'us-west-2': {
                'within_rpo': 0,
                'over_rpo': 0,
                'in_flight': 0,
                'planned': 0,
                'no_copy': 1,
                'oldest_recovery_point_hours': None,
            }
        },
    },
    'disks': [
        {
            'disk_id': 'vol-1',
            'disk_name': None,
            'source_snapshot': None,
            'fresh_snapshot': None,
            'copies': [],
            'missing_regions': ['us-west-2'],
            'pruned': [],
            'kept': [],
            'problems': ['no completed snapshot to copy'],
        }
    ],
    'failures': ['vol-1: no completed snapshot to copy'],
}


def reports_in(folder):
    """The report files in ``folder``, sorted; not the history (tests/unit/plugins/action/test_report_history.py)."""
    return sorted(name for name in os.listdir(folder) if name != 'history' and not name.endswith('.history.html'))


# What every task of dr_sync gives (its required options), unless a test gives its own.
REQUIRED = {'provider': 'aws', 'source_region': 'us-east-1', 'dr_regions': ['us-west-2'], 'tag_selector': {'dr': 'yes'}}


def action_running(module_result, async_val=0, **arguments):
    """dr_sync's action for a task with ``arguments``, whose module answers ``module_result``."""
    task = SimpleNamespace(
        args=dict(REQUIRED, **arguments),
        async_val=async_val,
        check_mode=False,
        action='snapcopy.cloud.dr_sync',
        module_defaults=[],
    )
    connection = SimpleNamespace(has_native_async=False, _shell=SimpleNamespace(tmpdir=None))
    templar = SimpleNamespace(template=lambda value: value)  # the task's values, templated already
    action = ActionModule(task, connection, play_context=None, loader=None, templar=templar, shared_loader_obj=None)
    action.sent = []  # the module's arguments, each time it runs

    def execute_module(module_args=None, task_vars=None, wrap_async=False):
        action.sent.append(module_args)
        return copy.deepcopy(module_result) if not callable(module_result) else module_result(module_args)

    action._execute_module = execute_module
    action._remove_tmp_path = lambda path: None
    return action


def dr_sync_module_result(cloud, disk_name, fails=False, **extra):
    """What dr_sync's module returns for an ECS disk named ``disk_name``, copied to cn-shanghai on the emulator."""
    cloud.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'name': disk_name, 'tags': {'dr': 'yes'}, 'snapshots': 1}]}
    )
    params = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    params.update(
        provider='ecs',
        source_region='cn-hangzhou',
        dr_regions=['cn-shanghai'],
        tag_selector={'dr': 'yes'},
        endpoint_url=cloud.url,
        alicloud_access_key=credentials.ALIBABA_ACCESS_KEY_ID,
        alicloud_secret_key=credentials.ALIBABA_ACCESS_KEY_SECRET,
    )
    params.update(extra)
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(FakeModule(params))
    assert ended.value.failed == fails, ended.value.result['msg']
    return ended.value.result


def test_the_module_names_its_run_by_the_actions_run_id_and_takes_no_other_form(fakecloud_clean):
    """The id the report files named when the run started is the report's (and the leases' and test disks')."""
    assert (
        dr_sync_module_result(fakecloud_clean, 'web', run_id='20261122T181400Z-3f9a1c')['run_id']
        == '20261122T181400Z-3f9a1c'
    )
    own = dr_sync_module_result(fakecloud_clean, 'web')['run_id']
    assert own != '20261122T181400Z-3f9a1c' and len(own) == 23
    # It goes into tag keys: nothing but the form the action makes.
    fakecloud_clean.admin.calls(reset=True)
    refused = dr_sync_module_result(fakecloud_clean, 'web', fails=True, run_id='20261122T181400Z-3f9a1c\nx')
    assert (
        refused['msg'].startswith('run_id: is <UTC time>Z-<6 hex digits>')
        and not fakecloud_clean.admin.calls()['mutating']
    )


def test_the_module_returns_data_and_the_action_renders_its_markdown_on_the_controller(fakecloud_clean, tmp_path):
    module_result = dr_sync_module_result(fakecloud_clean, 'web | db\nprimary')
    assert 'report_markdown' not in module_result  # nothing of the Markdown is built on the managed host
    result = action_running(module_result, report_dir=str(tmp_path), provider='ecs', source_region='cn-hangzhou').run(
        task_vars={}
    )
    markdown = result['report_markdown']
    assert markdown == dr_report_markdown(module_result)
    assert markdown.startswith('# DR copy report: ecs cn-hangzhou -> cn-shanghai\n')
    (row,) = [line for line in markdown.splitlines() if line.startswith('| d-')]
    # The shape the integration targets look for, and the disk's name in one cell.
    assert '| cn-shanghai | s-' in row and len(cells(row)) == 9 and cells(row)[1] == escape_cell('web | db\nprimary')
    assert (tmp_path / 'dr-report-ecs-cn-hangzhou.md').read_text() == markdown
    assert 'report_markdown' not in json.loads((tmp_path / 'dr-report-ecs-cn-hangzhou.json').read_text())


def test_a_failed_run_with_its_report_still_has_its_markdown_and_files(tmp_path):
    """fail_on_missing fails the task after the report: the role writes its report files, then fails."""
    module_result = dict(REPORTED, failed=True, msg='1 disks: ... Failures: vol-1: no completed snapshot to copy')
    result = action_running(module_result, report_dir=str(tmp_path), report_name='x').run(task_vars={})
    assert result['failed'] and result['report_markdown'] == dr_report_markdown(module_result)
    assert reports_in(tmp_path) == ['dr-report-x.html', 'dr-report-x.json', 'dr-report-x.md']


def test_an_async_job_just_started_has_no_markdown_and_no_file(tmp_path):
    module_result = {'ansible_job_id': 'j1.1', 'started': 1, 'finished': 0, 'results_file': '/tmp/j1.1'}
    action = action_running(module_result, async_val=60, report_dir=str(tmp_path))
    result = action.run(task_vars={})
    assert 'report_markdown' not in result and 'report_files' not in result
    # No marker either: nothing would ever finish it (async_status reads the result).
    assert not os.listdir(tmp_path) and action.sent == [None]


@pytest.mark.parametrize(
    'transport, arguments, expected',
    [
        ('local', {'show_progress': True}, 'own lines'),
        ('ansible.builtin.local', {'show_progress': 'yes', 'fleet_progress': 'yes'}, 'fleet line'),
        ('local', {'show_progress': False}, None),
        ('local', {}, 'a line every 30 s'),  # verbosity 0, unset: AWX's default (issue 62: not 60 s of silence)
        ('ssh', {'show_progress': True}, None),  # the module's progress file would be on the other host
    ],
)
def test_live_progress_unless_turned_off_when_the_module_runs_on_the_controller(transport, arguments, expected):
    action = action_running(REPORTED, provider='aws', source_region='us-east-1', **arguments)
    action._connection.transport = transport
    live = action._live_progress(
        action._task.args, {'inventory_hostname': 'aws-prod', 'ansible_play_batch': ['aws-prod', 'cbs-prod']}
    )
    if expected is None:
        assert live is None
    else:
        assert (live.scope, live.title, live.show_own) == ('aws-prod', 'aws us-east-1', expected != 'fleet line')
        assert live.interval == (30 if expected == 'a line every 30 s' else 5)
        assert (live.board is not None) == (expected == 'fleet line')
        if live.board is not None:
            assert live.board.scopes == ['aws-prod', 'cbs-prod']


def test_a_fleet_scope_refused_before_its_run_ends_on_the_board_and_the_last_clears_it(tmp_path, monkeypatch):
    """A scope whose input is refused before its module runs counts as ended on the fleet's board, not as one still to
    start: the fleet's line says so, and the last scope to end removes the board's folder."""
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    scopes = ['aws-prod', 'cbs-prod']
    board = tmp_path / ('snapcopy-fleet-%d' % os.getuid()) / str(os.getppid())
    for scope in scopes:
        action = action_running(
            REPORTED, provider='aws', source_region='us-east-1', fleet_progress=True, max_in_flight='many'
        )
        action._connection.transport = 'local'
        result = action.run(task_vars={'inventory_hostname': scope, 'ansible_play_batch': scopes})
        assert result['failed'] and result['msg'].startswith('bad input') and action.sent == []
        if scope == scopes[0]:
            assert json.loads((board / 'aws-prod.json').read_text())['state'] == 'failed'
    assert not board.exists()


def test_an_async_task_runs_the_module_without_live_progress(tmp_path):
    action = action_running({'ansible_job_id': 'j1.1', 'started': 1, 'finished': 0}, async_val=60, show_progress=True)
    action._connection.transport = 'local'
    action._live_progress = None  # called, it would fail the test
    assert action.run(task_vars={})['ansible_job_id'] == 'j1.1'
