"""What the module front doors (run_copy_module, run_dr_module, new_adapter) use of an AnsibleModule."""

from __future__ import annotations


class ModuleExit(Exception):
    """How a FakeModule ends: ``failed`` for fail_json, the result as the module would return it,
    and the warnings it gave."""

    def __init__(self, failed, result, warnings=()):
        super().__init__(result.get('msg'))
        self.failed = failed
        self.result = result
        self.warnings = list(warnings)


class FakeModule:
    """params, check mode, diff, warn(), no_log_values, and fail_json/exit_json raising ModuleExit."""

    def __init__(self, params, check_mode=False, diff=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []
        self.no_log_values = set()

    def warn(self, warning):
        self.warnings.append(warning)

    def fail_json(self, **result):
        raise ModuleExit(True, result, self.warnings)

    def exit_json(self, **result):
        raise ModuleExit(False, result, self.warnings)
