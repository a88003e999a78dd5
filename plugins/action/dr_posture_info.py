# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_posture_info's action: runs the module with the module_defaults of its provider's cloud only
(plugin_utils/_cloud_defaults.py), as dr_sync's action does, and its tag selectors given as text read as the mapping it
stands for (plugin_utils/_module_arguments.py)."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._cloud_defaults import dropped_words, own_cloud_arguments
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._module_arguments import selector_arguments

display = Display()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        arguments, dropped = own_cloud_arguments(self._task, self._templar, self._task.args)
        if dropped:
            display.vv(dropped_words('dr_posture_info', arguments, dropped))
        arguments, problems, dummy = selector_arguments(arguments, lambda option: option)
        if problems:
            result = merge_hash(result, {'failed': True, 'changed': False, 'msg': '; '.join(problems)})
            return result
        # As ansible.builtin.normal runs a module.
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(
            result, self._execute_module(module_args=arguments, task_vars=task_vars, wrap_async=wrap_async)
        )
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access  # as ansible.builtin.normal does
        return result
