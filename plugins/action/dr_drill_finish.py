# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_drill_finish's action: runs the module with the module_defaults of its provider's cloud only, as dr_sync's action
does, then writes the user's checks into the run's report files (plugin_utils/_drill_checks.py), so that the report,
its Markdown and its page say how the checks went and what the drill's disks became."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._cloud_defaults import dropped_words, own_cloud_arguments
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._drill_checks import record_checks
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._module_arguments import selector_arguments
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import DR_PAGE_TEMPLATES
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import DR_MARKDOWN_TEMPLATES
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._run_reports import read_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._templates import compile_templates

display = Display()
# The run's page and Markdown, which record_checks renders again: compiled once a playbook, in the controller, before
# the strategy forks the task's worker (plugin_utils/_templates.py); dr_sync's import compiled them already.
compile_templates(DR_PAGE_TEMPLATES, DR_MARKDOWN_TEMPLATES)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        arguments, dropped = own_cloud_arguments(self._task, self._templar, self._task.args)
        if dropped:
            display.vv(dropped_words('dr_drill_finish', arguments, dropped))
        arguments, problems, dummy = selector_arguments(arguments, lambda option: option)
        if problems:
            result = merge_hash(result, {'failed': True, 'changed': False, 'msg': '; '.join(problems)})
            return result
        result = merge_hash(result, self._execute_module(module_args=arguments, task_vars=task_vars))
        self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access  # as ansible.builtin.normal does
        result['report_files'] = None
        if 'validation' in result and arguments.get('report_dir') and arguments.get('report_name'):
            result['report_files'] = record_checks(
                arguments['report_dir'], arguments['report_name'], result, check_mode=self._task.check_mode
            )
            if result['report_files']:
                # The drill as the checks left it (a test whose checks failed is failed, and the run at risk): the role
                # keeps both in its result, which the fleet report and the stats count.
                checked = read_report(result['report_files']['json']) or {}
                result['restore'] = checked.get('restore')
                result['protection'] = checked.get('protection')
        return result
