# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_fleet_summary's action: writes a fleet report (the dr_fleet_report filter's) as files on the controller when
given a report_dir, with their history, and prints it as plain text in the job's output, as dr_sync's action prints a
scope's report: one line per scope and the fleet's totals, where a debug task would print a JSON list of Markdown table
rows. Nothing runs on a host and no cloud is read or changed."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_files import write_fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_history import DEFAULT_HISTORY, HISTORY_TEMPLATES
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import FLEET_PAGE_TEMPLATES
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import FLEET_MARKDOWN_TEMPLATES
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import fleet_report_text, fleet_totals_lines
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._templates import compile_templates

display = Display()
# The fleet report's files: compiled in the controller before the strategy forks the task's worker
# (plugin_utils/_templates.py).
compile_templates(FLEET_PAGE_TEMPLATES, FLEET_MARKDOWN_TEMPLATES, HISTORY_TEMPLATES)

ARGUMENT_SPEC = {
    'report': {'type': 'dict', 'required': True},
    'report_files': {
        'type': 'dict',
        'options': {'json': {'type': 'str'}, 'markdown': {'type': 'str'}, 'html': {'type': 'str'}},
    },
    'report_dir': {'type': 'path'},
    'report_name': {'type': 'str', 'default': 'dr-fleet-report'},
    'report_history': {'type': 'int', 'default': DEFAULT_HISTORY},
}
MUTUALLY_EXCLUSIVE = [('report_dir', 'report_files')]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        try:
            dummy, arguments = self.validate_argument_spec(
                argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE
            )
        except AnsibleActionFail as error:
            # Returned as the failed result it is: raised, ansible-core 2.18 gives it the traceback of no exception
            # ("NoneType: None"), shown as "An exception occurred during task execution".
            return dict(result, failed=True, msg=error.message)
        report = arguments['report']
        files = arguments.get('report_files')
        if arguments['report_dir']:
            if arguments['report_history'] < 0:
                return dict(result, failed=True, msg='report_history must be 0 (keep no history) or more')
            # Written in check mode too: the report is then the plan, which its name says (never the report's files).
            files = write_fleet_report(
                report,
                report_dir=arguments['report_dir'],
                report_name=arguments['report_name'],
                keep=arguments['report_history'],
            )
            result['report_files'] = files
        display.display(fleet_report_text(report, files))
        # At -v the result shows the totals in one line as well; the lines above are the summary. The report's files
        # are the job's output, as a scope's are dr_sync's: not a change of the managed system.
        result.update(changed=False, msg='; '.join(fleet_totals_lines(report['totals'])))
        return result
