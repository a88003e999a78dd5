# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report filters of playbooks/dr_fleet.yml (documented in dr_fleet_report.yml, dr_fleet_markdown.yml,
dr_fleet_html.yml, dr_fleet_history_html.yml), and the plan's totals of the AWX stats (dr_plan_stats.yml)."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import stats_totals
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_history import DEFAULT_HISTORY, fleet_history_page
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import fleet_report_markdown


def dr_fleet_report(
    scopes: list[dict[str, Any]],
    generated_at: str,
    limit: int | None = None,
    check_mode: bool = False,
    organizations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return fleet_report(scopes, generated_at, limit=limit, check_mode=check_mode, organizations=organizations)


def dr_fleet_markdown(report: dict[str, Any]) -> str:
    return fleet_report_markdown(report)


def dr_fleet_html(report: dict[str, Any]) -> str:
    return fleet_report_html(report)


def dr_fleet_history_html(reports: list[dict[str, Any]], name: str, keep: int | str = DEFAULT_HISTORY) -> str:
    return fleet_history_page(reports, name, int(keep))


def dr_plan_stats(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    return stats_totals(plan)


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            'dr_fleet_report': dr_fleet_report,
            'dr_fleet_markdown': dr_fleet_markdown,
            'dr_fleet_html': dr_fleet_html,
            'dr_fleet_history_html': dr_fleet_history_html,
            'dr_plan_stats': dr_plan_stats,
        }
