"""The user's checks written into a run's report files (plugin_utils/_drill_checks.py, dr_drill_finish's action): the
drill's validation, each held test's time to a known good disk, what became of the disks, and a failure the model counts
when the checks failed; the Markdown, the page and the text say it; a report of another run is left alone."""

from __future__ import annotations

import json

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import ScopeProtection
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import TOTALS
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._drill_checks import record_checks, with_checks
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import report_paths
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text

RUN = '20261126T190000Z-abcdef'


def held_report():
    """A finished run's report whose drill held one disk on i-drill for the checks."""
    protection = ScopeProtection(provider='aws', source_region='eu-west-1', dr_regions=('eu-central-1',))
    test = {
        'region': 'eu-central-1',
        'zone': 'eu-central-1a',
        'disk_id': 'vol-1',
        'copy_id': 'snap-2',
        'copy_created': None,
        'disk_type': 'gp3',
        'test_disk_id': 'vol-t',
        'result': 'passed',
        'seconds_to_usable': 12.0,
        'test_disk': None,
        'consistency_group': None,
        'set_id': None,
        'held': True,
        'attached_to': 'i-drill',
        'device': '/dev/sdf',
        'seconds_to_attached': 3.0,
        'error': None,
    }
    return {
        'run_state': 'finished',
        'msg': 'before',
        'changed': True,
        'check_mode': False,
        'provider': 'aws',
        'account': '111122223333',
        'dr_account': None,
        'locks': None,
        'api_retries': 0,
        'duration_seconds': 1.0,
        'source_region': 'eu-west-1',
        'dr_regions': ['eu-central-1'],
        'generated_at': '2026-11-26T19:00:00Z',
        'totals': dict.fromkeys(TOTALS, 0),
        'posture': protection.posture(),
        'disks': [],
        'failures': [],
        'run_warnings': [],
        'protection': protection.as_data(),
        'restore': {
            'run_id': RUN,
            'scope': 'abc',
            'disk_type': 'gp3',
            'count_per_region': 1,
            'regions': [{'region': 'eu-central-1', 'zone': 'eu-central-1a', 'plan': None, 'problem': None}],
            'totals': {'passed': 1, 'failed': 0, 'timed_out': 0, 'would_test': 0, 'leftovers_deleted': 0},
            'tests': [test],
            'sets': [],
            'held': [test],
            'validation': {'state': 'pending', 'instance_id': 'i-drill'},
            'leftovers': [],
            'warnings': [],
        },
    }


def finish(passed, **validation):
    return {
        'run_id': RUN,
        'test_disks': [{'region': 'eu-central-1', 'test_disk_id': 'vol-t', 'copy_id': 'snap-2', 'action': 'deleted'}],
        'validation': dict(
            {'state': 'passed' if passed else 'failed', 'failed_task': None, 'message': None, 'seconds': 4.5},
            **validation,
        ),
        'failures': [],
    }


def test_a_report_whose_disks_are_held_says_the_checks_are_to_come():
    report = held_report()
    assert 'Your checks on i-drill: not run yet (the disks are held for them).' in dr_report_markdown(report)
    assert 'data-state="pending"' in dr_report_html(report) and 'vol-1 -' in dr_report_html(report)
    assert 'Checks on i-drill: not run yet: the disks are held for them' in dr_report_text(report)


def test_checks_that_passed_add_their_time_to_a_known_good_disk():
    report = with_checks(held_report(), finish(True))
    (test,) = report['restore']['held']
    assert test['validation'] == 'passed' and test['seconds_to_validated'] == 12.0 + 3.0 + 4.5
    assert test['test_disk'] == {'action': 'deleted'}
    assert report['restore']['validation']['state'] == 'passed' and report['failures'] == []
    assert report['restore']['totals']['validated'] == 1
    assert report['protection']['status'] == 'not known'  # no disk: as before, the checks add no failure
    markdown = dr_report_markdown(report)
    assert 'Your checks on i-drill: passed in 4.5 s.' in markdown
    assert '| eu-central-1 | vol-1 | vol-t | /dev/sdf | 3.0 | passed | 19.5 | deleted |' in markdown
    assert 'data-state="passed"' in dr_report_html(report) and 'vol-1 19.5 s' in dr_report_html(report)
    assert 'Checks on i-drill: passed' in dr_report_text(report)


def test_checks_that_failed_are_a_failure_of_the_run_the_model_counts():
    report = with_checks(held_report(), finish(False, failed_task='Mount', message='bad superblock'))
    assert report['failures'] == ["restore test checks on i-drill failed at 'Mount': bad superblock"]
    assert report['protection']['failures'] == 1 and report['protection']['status'] == 'at risk'
    assert report['restore']['totals']['validated'] == 0
    assert 'at "Mount": bad superblock' in dr_report_markdown(report)
    assert "at 'Mount': bad superblock" in dr_report_text(report)


def test_failed_checks_come_first_among_the_finishs_failures_and_after_the_runs_own():
    """The checks' failure is what the drill found; a disk the finish could not delete follows it. Both come after the
    failures the run had, each counted once by the model."""
    report = held_report()
    report['failures'] = ['copy of vol-9 to eu-central-1 failed: IncorrectState']
    undeleted = 'test disk vol-t in eu-central-1 could not be deleted (the next run deletes it): busy'
    done = dict(finish(False, failed_task='Mount', message='bad superblock'), failures=[undeleted])
    report = with_checks(report, done)
    assert report['failures'] == [
        'copy of vol-9 to eu-central-1 failed: IncorrectState',
        "restore test checks on i-drill failed at 'Mount': bad superblock",
        undeleted,
    ]
    assert report['protection']['failures'] == 2


def test_the_report_files_of_the_run_are_rewritten_and_another_runs_are_left_alone(tmp_path):
    paths = report_paths(str(tmp_path), 'aws-eu-west-1')
    with open(paths['json'], 'w', encoding='utf-8') as stream:
        json.dump(held_report(), stream)
    written = record_checks(str(tmp_path), 'aws-eu-west-1', finish(True))
    assert written == paths
    with open(paths['json'], encoding='utf-8') as stream:
        assert json.load(stream)['restore']['validation']['state'] == 'passed'
    with open(paths['markdown'], encoding='utf-8') as stream:
        assert 'Your checks on i-drill: passed' in stream.read()
    with open(paths['html'], encoding='utf-8') as stream:
        assert 'data-state="passed"' in stream.read()
    other = dict(finish(False), run_id='20261126T200000Z-000000')
    assert record_checks(str(tmp_path), 'aws-eu-west-1', other) is None
    assert record_checks(str(tmp_path), 'aws-eu-west-1', finish(False), check_mode=True) is None
    with open(paths['json'], encoding='utf-8') as stream:
        assert json.load(stream)['restore']['validation']['state'] == 'passed'
