"""The filters are the fleet report's functions, under the names the playbook uses."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.plugins.filter.dr_fleet import FilterModule


def test_filters_make_and_render_the_report():
    filters = FilterModule().filters()
    report = filters['dr_fleet_report'](
        [{'scope': 'one', 'totals': {'disks': 1, 'copied': 1}}], '2026-11-22T10:00:00Z', limit='one'
    )
    assert report['scopes_covered'] == ['one'] and report['limit'] == 'one'
    assert filters['dr_fleet_markdown'](report).startswith('# DR fleet report\n')


def test_a_report_made_without_check_mode_is_a_runs_not_a_plans():
    """The playbook passes ansible_check_mode; a person's own template that leaves it out gets a run's report."""
    report = FilterModule().filters()['dr_fleet_report'](
        [{'scope': 'one', 'totals': {'disks': 1}}], '2026-11-22T10:00:00Z'
    )
    assert report['check_mode'] is False
