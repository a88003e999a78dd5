# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_fleet_summary's action: prints a fleet report (the dr_fleet_report filter's) as plain text in the job's output,
on the controller, as dr_sync's action prints a scope's report: one line per scope and the fleet's totals, where a
debug task would print a JSON list of Markdown table rows. Nothing runs on a host and nothing changes."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import fleet_report_text, fleet_totals_lines

display = Display()

ARGUMENT_SPEC = {
    'report': {'type': 'dict', 'required': True},
    'report_files': {
        'type': 'dict',
        'options': {'json': {'type': 'str'}, 'markdown': {'type': 'str'}, 'html': {'type': 'str'}},
    },
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        dummy, arguments = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        report = arguments['report']
        display.display(fleet_report_text(report, arguments.get('report_files')))
        # At -v the result shows the totals in one line as well; the lines above are the summary.
        result.update(changed=False, msg='; '.join(fleet_totals_lines(report['totals'])))
        return result
