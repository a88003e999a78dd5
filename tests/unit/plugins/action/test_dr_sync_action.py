"""dr_sync's action: the report files it writes on the controller, as the role's file and copy tasks wrote them."""
from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import report_json, report_paths, write_reports

RESULT = {
    'changed': True, 'provider': 'aws', 'source_region': 'us-east-1', 'totals': {'disks': 1, 'copied': 1},
    'report_markdown': '# DR report\n\n| disk |\n', 'invocation': {'module_args': {'provider': 'aws'}},
    '_ansible_no_log': False, 'msg': '1 disks: 1 copied',
}


def test_paths_expand_the_home_folder_and_keep_names_to_file_name_characters(monkeypatch):
    monkeypatch.setenv('HOME', '/home/awx')
    assert report_paths('~/dr-reports', 'aws-shop/us east 1') == {
        'json': '/home/awx/dr-reports/dr-report-aws-shop_us_east_1.json', 'markdown': '/home/awx/dr-reports/dr-report-aws-shop_us_east_1.md'}


class CoreDeprecation:
    """What ansible-core 2.19 and later put in a task result's deprecations and warnings: an object, not JSON."""


def test_json_holds_the_runs_own_data_never_what_the_core_adds():
    # The core's keys: on 2.19 and later their values are objects that no JSON encoder takes (issue 23).
    core_added = {'warnings': [CoreDeprecation()], 'deprecations': [CoreDeprecation()], 'exception': CoreDeprecation(),
                  '_ansible_verbose_always': True}
    data = json.loads(report_json(dict(RESULT, run_warnings=['a copy differs'], **core_added)))
    assert data['run_warnings'] == ['a copy differs'] and not set(core_added) & set(data)


def test_json_is_the_registered_result_less_the_markdown_the_invocation_and_ansible_keys():
    text = report_json(RESULT)
    # to_nice_json's shape, as the role's copy task wrote it, and a new line at the end.
    assert text.endswith('}\n') and text.startswith('{\n    "changed": true,\n')
    assert json.loads(text) == {'changed': True, 'provider': 'aws', 'source_region': 'us-east-1', 'totals': {'disks': 1, 'copied': 1},
                                'msg': '1 disks: 1 copied', 'failed': False}
    # A failed run keeps its failed.
    assert json.loads(report_json(dict(RESULT, failed=True)))['failed'] is True


def test_the_folder_is_made_and_both_files_written_with_their_modes(tmp_path):
    folder = tmp_path / 'a' / 'reports'
    old_umask = os.umask(0o022)
    try:
        paths = write_reports(RESULT, str(folder), 'aws-us-east-1')
    finally:
        os.umask(old_umask)
    assert paths == {'json': '%s/dr-report-aws-us-east-1.json' % folder, 'markdown': '%s/dr-report-aws-us-east-1.md' % folder}
    assert json.loads((folder / 'dr-report-aws-us-east-1.json').read_text())['totals'] == {'disks': 1, 'copied': 1}
    assert (folder / 'dr-report-aws-us-east-1.md').read_text() == RESULT['report_markdown']
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(paths['json']).st_mode) == 0o644 and stat.S_IMODE(os.stat(paths['markdown']).st_mode) == 0o644
    # A second run replaces the files, and leaves no temporary file behind.
    write_reports(dict(RESULT, report_markdown='# again\n'), str(folder), 'aws-us-east-1')
    assert (folder / 'dr-report-aws-us-east-1.md').read_text() == '# again\n'
    assert sorted(os.listdir(folder)) == ['dr-report-aws-us-east-1.json', 'dr-report-aws-us-east-1.md']


def test_a_folder_that_cannot_be_written_raises_and_leaves_nothing(tmp_path):
    folder = tmp_path / 'locked'
    folder.mkdir()
    (folder / 'dr-report-x.json').mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_reports(RESULT, str(folder), 'x')
    assert sorted(os.listdir(folder)) == ['dr-report-x.json']


@pytest.mark.parametrize('folder_mode', [0o700, 0o1777])
def test_an_existing_folder_keeps_its_mode_and_new_files_honour_the_umask(tmp_path, folder_mode):
    """Issue 24: the report folder was forced to 0755, loosening a private (0700) or sticky folder."""
    folder = tmp_path / 'reports'
    folder.mkdir()
    os.chmod(folder, folder_mode)
    old_umask = os.umask(0o077)
    try:
        paths = write_reports(RESULT, str(folder), 'x')
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(folder).st_mode) == folder_mode
    assert stat.S_IMODE(os.stat(paths['json']).st_mode) == 0o600 and stat.S_IMODE(os.stat(paths['markdown']).st_mode) == 0o600
