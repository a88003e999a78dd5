"""The DR posture page as HTML (plugin_utils/_report_html.py), before any browser: self-contained, escaped, worst rows
first. tests/docs/test_posture_page.py opens it in Chromium and holds what it shows to the JSON."""

from __future__ import annotations

import copy
import re

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils import _report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html


def copy_record(region, standing, hours, snapshot_id='snap-1'):
    return {
        'region': region,
        'snapshot_id': snapshot_id,
        'state': 'completed',
        'action': 'existing',
        'standing': standing,
        'recovery_point_age_hours': hours,
        'completed': hours is not None,
    }


def disk(disk_id, name, *copies):
    return {'disk_id': disk_id, 'disk_name': name, 'copies': list(copies), 'missing_regions': [], 'problems': []}


def report(disks, rpo=24):
    regions = ['us-west-2', 'eu-west-1']
    data = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': regions,
        'account': None,
        'check_mode': False,
        'generated_at': '2026-11-23T10:00:00Z',
        'duration_seconds': 3.1,
        'failures': [],
        'restore': None,
        'totals': {
            'disks': len(disks),
            'copied': 0,
            'existing': 2,
            'would_copy': 0,
            'not_copied': 0,
            'fresh_snapshots': 0,
            'pruned': 0,
            'kept': 0,
            'without_dr_copy': 0,
        },
        'posture': {'rpo_hours': rpo},
        'disks': disks,
    }
    # The posture is the model's, as dr_sync's report carries it.
    data['posture'] = of_report(data).posture()
    return data


DISKS = [
    disk(
        'vol-1',
        'web <script>alert(1)</script>',
        copy_record('us-west-2', 'within_rpo', 2.0),
        copy_record('eu-west-1', 'over_rpo', 30.0),
    ),
    disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
]


def test_the_page_loads_nothing_and_runs_no_script():
    page = dr_report_html(report(copy.deepcopy(DISKS)))
    assert page.startswith('<!DOCTYPE html>') and "default-src 'none'" in page
    assert '<script' not in page.lower() and not re.search(r'\b(src|href)=', page)
    # The only address is SVG's namespace, which is a name, not a load.
    assert re.findall(r'https?://[^"\s<]+', page) == ['http://www.w3.org/2000/svg']
    assert 'web &lt;script&gt;alert(1)&lt;/script&gt;' in page


def test_the_chart_shows_the_worst_first_and_every_disk_without_a_copy():
    page = dr_report_html(report(copy.deepcopy(DISKS)))
    bars = re.findall(
        r'<g class="bar" data-disk="([^"]+)" data-region="([^"]+)" data-standing="([^"]+)" data-hours="([^"]*)">', page
    )
    assert bars == [
        ('vol-2', 'eu-west-1', 'no_copy', ''),
        ('vol-1', 'eu-west-1', 'over_rpo', '30.0'),
        ('vol-2', 'us-west-2', 'in_flight', ''),
        ('vol-1', 'us-west-2', 'within_rpo', '2.0'),
    ]
    assert 'RPO 24 h' in page


def test_a_long_chart_leaves_out_only_disks_within_the_rpo(monkeypatch):
    monkeypatch.setattr(_report_html, 'MAX_CHART_ROWS', 3)
    disks = [
        disk(
            'vol-%d' % index,
            None,
            copy_record('us-west-2', 'within_rpo', 1.0),
            copy_record('eu-west-1', 'within_rpo', 1.0),
        )
        for index in range(4)
    ] + [disk('vol-late', None, copy_record('us-west-2', 'over_rpo', 40.0))]
    page = dr_report_html(report(disks))
    standings = re.findall(r'data-standing="([a-z_]+)" data-hours', page)
    assert standings == ['no_copy', 'over_rpo', 'within_rpo']
    assert '7 more disks and DR regions within the RPO' in page


def test_the_fleet_page_has_every_scope_failed_first_and_links_each_scopes_page():
    good = report(copy.deepcopy(DISKS))
    scopes = [
        {
            'scope': 'a-prod',
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': good['dr_regions'],
            'totals': good['totals'],
            'posture': good['posture'],
            'protection': of_report(good).as_data(),
            'report_files': {'html': '/home/awx/dr-reports/dr-report-a-prod.html'},
        },
        {'scope': 'b-prod', 'provider': 'cbs', 'error': 'AuthFailure: the <key> is wrong', 'totals': {}},
    ]
    page = fleet_report_html(fleet_report(scopes, '2026-11-23T10:00:00Z'))
    assert page.index('id="failures"') < page.index('id="scopes"')
    assert 'AuthFailure: the &lt;key&gt; is wrong' in page
    assert re.findall(r'<tr data-scope="([^"]+)">', page) == ['b-prod', 'a-prod']
    assert '<a href="dr-report-a-prod.html">' in page
    assert re.findall(
        r'<g class="region" data-region="([^"]+)" data-hours="([^"]*)" data-standing="([^"]+)">', page
    ) == [('eu-west-1', '30.0', 'no_copy'), ('us-west-2', '2.0', 'in_flight')]
