"""The bugs of issue 47 that a person reads, each on the emulator through the real SDK: the summary line against its own
page, the fleet page's word for a scope with disks without a copy, the console's age of a copy, failed scopes' problems."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    OVER_RPO,
    WITHIN_RPO,
    DiskProtection,
    RegionProtection,
    ScopeProtection,
    copy_standing,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import fleet_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA

SOURCE, GOOD, BAD = 'cn-hangzhou', 'cn-shanghai', 'cn-beijing'
FAST = {'snapshot_seconds': 0.2, 'copy_seconds': 0.2, 'disk_seconds': 0.2}


@pytest.fixture
def cloud(fakecloud_clean):
    fakecloud_clean.admin.configure(timings={'ecs': dict(FAST)})
    return fakecloud_clean


def run(cloud, **options):
    retry = CallRetry(default_backoff())
    adapter = EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url), check_mode=False, retry=retry)
    # The account and the run's time are what dr_sync's runner adds to the run's report.
    return dict(
        dr_run_with(
            adapter,
            scope(
                'ecs', SOURCE, [GOOD, BAD], {'dr': 'yes'}, **dict({'wait_timeout': 60, 'poll_interval': 0.2}, **options)
            ),
            retry=retry,
        ),
        account=None,
        duration_seconds=1,
    )


def seed(cloud, disks=4, age_hours=1):
    cloud.admin.seed(
        ecs={
            'disks': [
                {'region': SOURCE, 'size': 20, 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': age_hours * 3600}]}
            ]
            * disks
        }
    )


def without_copy(text):
    return int(re.search(r'(\d+) disks? without a DR copy', text).group(1))


def test_a_failed_copy_counts_as_a_disk_without_a_dr_copy_in_the_summary_and_everywhere(cloud):
    seed(cloud)
    cloud.admin.faults({'failing_copies': {'ecs': {'regions': [BAD], 'rate': 0.0}}})
    first = run(cloud, wait=False)
    cloud.admin.advance_clock(5)
    # The rerun finds the copies: 4 completed in one region, 4 the cloud failed in the other.
    report = run(cloud)
    html, text = dr_report_html(report), dr_report_text(report)
    assert report['posture']['regions'][BAD]['no_copy'] == 4, (first['totals'], report['disks'])
    assert report['posture']['regions'][GOOD]['within_rpo'] == 4 and report['totals']['existing'] == 8
    assert report['totals']['without_dr_copy'] == 4
    assert without_copy(text) == 4
    assert without_copy(re.search(r'id="summary">([^<]*)<', html).group(1)) == 4


def test_the_console_prints_the_age_of_the_data_not_of_the_copy(cloud):
    seed(cloud, disks=1, age_hours=50)
    report = run(cloud)
    text = dr_report_text(report)
    assert not re.search(r'(?<![\d.])0\.0 h old', text), text
    assert 'data 50.0 h old' in text


def scope_record(name, report):
    return {
        'scope': name,
        'provider': report['provider'],
        'source_region': report['source_region'],
        'dr_regions': report['dr_regions'],
        'totals': report['totals'],
        'failures': report['failures'],
        'failure_count': len(report['failures']),
        'posture': report['posture'],
        'protection': report.get('protection'),
        'missing_copies': sum(len(disk['missing_regions']) for disk in report['disks']),
    }


def test_the_fleet_page_never_calls_a_scope_with_disks_without_a_copy_ok_or_green(cloud):
    seed(cloud, disks=2)
    cloud.admin.faults({'failing_copies': {'ecs': {'regions': [BAD], 'rate': 0.0}}})
    report = run(cloud)
    # What dr_posture_only gives the fleet: the read, with no failure of the run itself.
    record = dict(scope_record('ecs-hangzhou', report), failures=[], failure_count=0)
    fleet = fleet_report([record], '2026-01-01T00:00:00Z')
    (row,) = fleet['scopes']
    assert row['status'] not in ('ok', 'protected')
    html = fleet_report_html(fleet)
    cell = re.search(r'<td class="([^"]*)" data-key="status">([^<]*)<', html)
    assert cell.group(2) not in ('ok', 'protected') and 'ok' not in cell.group(1)


def test_failed_scopes_print_each_problem_once():
    problems = ['disk d-1: the copy into cn-beijing failed', 'disk d-2: the copy into cn-beijing failed']
    # The role's last task fails with its problems, which the fleet keeps as the scope's error.
    error = '2 problem(s), see the report /r/dr-report-ecs-cn-hangzhou.md: ' + '; '.join(problems)
    record = {
        'scope': 'ecs-hangzhou',
        'provider': 'ecs',
        'source_region': SOURCE,
        'dr_regions': [GOOD, BAD],
        'totals': {'disks': 2, 'without_dr_copy': 2},
        'failures': problems,
        'failure_count': 2,
        'error': error,
    }
    fleet = fleet_report([record], '2026-01-01T00:00:00Z')
    for page in (fleet_report_html(fleet), fleet_report_markdown(fleet)):
        for problem in problems:
            assert page.count(problem) == 1, page


# ------------------------------------------------------------------------------------------------ the model's own rules
def test_a_recovery_point_as_old_as_the_rpo_is_within_it_and_one_a_tenth_older_is_not():
    """docs/posture.md: within the RPO is "no older than the RPO"."""
    assert copy_standing(True, False, 24.0, 24) == (WITHIN_RPO, 24.0)
    assert copy_standing(True, False, 24.1, 24) == (OVER_RPO, 24.1)
    assert copy_standing(True, False, None, 24) == (OVER_RPO, None)  # a source gone: never shown within an RPO
    assert copy_standing(True, False, None, None) == (WITHIN_RPO, None)


@pytest.mark.parametrize(
    'model',
    [
        RegionProtection(region='r', standing=WITHIN_RPO),
        DiskProtection(disk_id='d'),
        ScopeProtection(provider='ecs', source_region='s', dr_regions=('r',)),
    ],
)
def test_the_model_is_frozen_and_built_by_keywords_only(model):
    """A surface renders the model; none may change it, or build one by the order of its fields."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.stale = 'changed'  # type: ignore[misc]
    with pytest.raises(TypeError):
        type(model)(*dataclasses.astuple(model)[:1])


def test_the_console_says_a_failed_copy_failed_and_stands_for_no_copy(cloud):
    seed(cloud, disks=1)
    cloud.admin.faults({'failing_copies': {'ecs': {'regions': [BAD], 'rate': 0.0}}})
    text = dr_report_text(run(cloud))
    (row,) = [line for line in text.splitlines() if line.startswith('  d-')]
    assert re.search(r' failed: NO COPY', row) and 'within the RPO, data 1.0 h old' in row, row
