# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_sync's action: runs the module (showing its progress while it works: plugin_utils/_live_progress.py), renders
its report as Markdown (report_markdown) from the data the module returned, writes the report files on the controller
when report_dir is set, and prints the report as plain text in the job's output when show_report is set.

The report files are written here, in the controller's worker, rather than by tasks of the file
and copy modules after the run: those are five more module processes (copy runs stat first), about
two CPU seconds per run, which a fleet of many scopes pays once per scope.

They never show an earlier run's state as this run's (plugin_utils/_run_reports.py): before the module starts, the files
say "run <id> started, not finished" (the last finished report kept beside them as .previous); a run that ends without a
report (bad input, a cloud error, the task's timeout, a crash) leaves files that say it failed before it could know, with
the error; a killed run leaves the marker. The run's id goes to the module (its run_id option), so the marker, the report,
the leases on shared snapshots and the test disks name one run.

A run holds its scope's turn on the controller while its module runs (plugin_utils/_scope_turn.py): a second run of the
scope waits for the first, up to its wait_timeout, and its result says how long it waited (scope_turn; scope_lock too,
for one release, as earlier releases named it). A check run
changes nothing and takes none; an async job's module runs after this action has returned, and takes none either.

dr_account is checked here before the module runs: Ansible's no_log of its external_id holds only for a dict, and the
module echoes what it was given (its invocation, shown at -vvv) when it refuses another type.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.common.validation import check_type_dict
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.filter.core import to_nice_json
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import DR_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import iso_utc
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.progress import (
    DEFAULT_PROGRESS_INTERVAL,
    MIN_PROGRESS_INTERVAL,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import run_id as new_run_id
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import ScopeProtection, of_report
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import REPORT_KEYS, summary_line
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import WAIT_ARGUMENT_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC, role_variable
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._cloud_defaults import dropped_words, own_cloud_arguments
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import file_mode, report_paths, write_file
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._live_progress import FAILED, FleetBoard, LiveProgress
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._module_arguments import (
    argument_problems,
    kind,
    selector_arguments,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_history import (
    DEFAULT_HISTORY,
    HISTORY_TEMPLATES,
    keep_run,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import DR_PAGE_TEMPLATES, dr_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import (
    DR_MARKDOWN_TEMPLATES,
    dr_report_markdown,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._role_variables import (
    connection_key_words,
    read_role_ahead,
    unknown_variable_warnings,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._run_reports import (
    FINISHED,
    RUN_STATE_TEMPLATES,
    RunReportFiles,
    error_record,
    last_known,
    run_record,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._scope_turn import (
    ScopeBusy,
    ScopeTurn,
    scope_identity,
    turn_path,
    turns_dir,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._templates import compile_templates

display = Display()
# The strategies import this module in the controller before they fork each task's worker, which keeps it: what is
# compiled and read here is done once a playbook, not once a run (plugin_utils/_templates.py). The reports of a run
# with report_dir, and the role's variables, which the role's runs check.
compile_templates(DR_PAGE_TEMPLATES, DR_MARKDOWN_TEMPLATES, RUN_STATE_TEMPLATES, HISTORY_TEMPLATES)
read_role_ahead()
DEFAULT_WAIT_TIMEOUT: int = WAIT_ARGUMENT_SPEC['wait_timeout']['default']


def report_json(result: Mapping[str, Any]) -> str:
    """The JSON report: the run's own data out of the task's result (REPORT_KEYS), as a registered variable holds it."""
    data = {key: result[key] for key in REPORT_KEYS if key in result}
    # Ansible adds this to every task's result after the action (TaskExecutor); a registered result has it.
    data.setdefault('failed', False)
    # A report says what its run did; the files of a run without one say started or failed_before_report (_run_reports).
    data['run_state'] = FINISHED
    text: str = to_nice_json(data)
    return text + '\n'


def has_report(result: Mapping[str, Any]) -> bool:
    """Whether the module's ``result`` holds a run's report: not after bad input or a cloud error that ended the run
    early, nor when an async job has only started."""
    return 'totals' in result and 'disks' in result


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def stamp(moment: datetime.datetime) -> str:
    """A time as the reports write it (generated_at)."""
    return iso_utc(moment)


def write_reports(result: dict[str, Any], report_dir: str, report_name: str) -> dict[str, str]:
    """Write the reports (JSON, Markdown, the HTML posture page); answers their paths. A folder that is missing is made; one that exists keeps its mode
    (a 0700 or sticky folder is the owner's choice). The files get the mode the umask gives (0644 with 022)."""
    paths = report_paths(report_dir, report_name, bool(result.get('check_mode')))
    folder = os.path.dirname(paths['json'])
    os.makedirs(folder, mode=0o777, exist_ok=True)  # the umask applies
    mode = file_mode()
    write_file(paths['json'], report_json(result), mode)
    write_file(paths['markdown'], result['report_markdown'], mode)
    write_file(paths['html'], dr_report_html(result, paths), mode)
    return paths


def option_name(arguments: Mapping[str, Any], option: str) -> str:
    """The name the user typed for dr_sync's ``option``: the dr_copy role's variable when the role runs it."""
    return 'dr_copy_' + option if arguments.get('option_names') == 'role' else option


def checked_arguments(
    arguments: dict[str, Any], connection_variables: Iterable[tuple[str, Any]] = ()
) -> tuple[dict[str, Any], list[str]]:
    """(the arguments as the module is to get them, their problems): the tag selectors' text read as the mapping it
    stands for, and every option checked against dr_sync's spec, each problem in a few words naming the option as the
    user typed it (plugin_utils/_module_arguments.py). dr_account is dr_account_argument's. With the role, a key that
    is no option came from its connection variables (``connection_variables``: (name, value) pairs, templated) and is
    named as a key of the one that holds it (plugin_utils/_role_variables.py)."""
    as_role = arguments.get('option_names') == 'role'

    def name(option: str) -> str:
        return role_variable(option) if as_role else option

    def unknown(key: str) -> str:
        return connection_key_words(key, connection_variables, CONNECTION_OPTIONS)

    arguments, problems, refused = selector_arguments(arguments, name)
    return arguments, problems + argument_problems(
        arguments, DR_ARGUMENT_SPEC, name, skip=('dr_account', *refused), unknown=unknown if as_role else None
    )


# The keys of the role's connection variables: dr_sync's connection options and their aliases.
CONNECTION_OPTIONS = sorted(
    {name for option, spec in DR_CONNECTION_SPEC.items() for name in (option, *spec.get('aliases', ()))}
)


# The role's variables that reach dr_sync as module_defaults (roles/dr_copy/tasks/main.yml), not as options.
ROLE_CONNECTION_VARIABLES = ('dr_copy_connection_defaults', 'dr_copy_connection')


def role_connection_problems(values: Iterable[Any]) -> list[str]:
    """The problems of the dr_copy role's connection variables (their ``values``, templated): each a dict, or blank."""
    return [
        '%s is a dict of connection options (endpoint_url, the credentials), got %s (not shown: it may hold a secret)'
        % (name, kind(value))
        for name, value in zip(ROLE_CONNECTION_VARIABLES, values)
        if not isinstance(value, Mapping) and value not in (None, '')
    ]


def dr_account_argument(arguments: Mapping[str, Any]) -> tuple[Any, str | None]:
    """(dr_account as the module is to get it, None) or (None, why it is refused). A dict, or its text form (key=value
    pairs, or JSON) made a dict here, so that the module's no_log of external_id holds; nothing else. The refusal never
    shows the value: it may hold the external id."""
    value = arguments.get('dr_account')
    # Blank is not set (AWX sends a question left blank): the module takes it so.
    if value is None or isinstance(value, Mapping) or (isinstance(value, str) and not value.strip()):
        return value, None
    name = option_name(arguments, 'dr_account')
    forms = (
        'is a dict of role_arn, role_session_name and external_id, or the text form of one '
        '("role_arn=<ARN> external_id=<id>", or JSON)'
    )
    if isinstance(value, str):
        try:
            return check_type_dict(value), None
        except TypeError:
            return None, '%s %s: the text given is neither (not shown: it may hold the external id)' % (name, forms)
    return None, (
        '%s %s, got a %s (a survey question of multiple choice answers with a list: make it a text question); not '
        'shown: it may hold the external id' % (name, forms, type(value).__name__)
    )


def wait_seconds(arguments: Mapping[str, Any]) -> int:
    """The task's wait_timeout as a number of seconds; the module's default where it is unset or not a number (the
    module refuses it then)."""
    try:
        given: Any = arguments.get('wait_timeout')
        return max(0, int(given))
    except (TypeError, ValueError):
        return DEFAULT_WAIT_TIMEOUT


# Seconds between two progress lines at verbosity 0 with show_progress unset: at least one line every 30 s (issue 62:
# a role run waiting on its copies printed nothing for 60 s, and looked hung).
QUIET_PROGRESS_INTERVAL = 30


def progress_settings(arguments: Mapping[str, Any], verbosity: int) -> tuple[bool, bool, float]:
    """(show a run's own lines, show the fleet's line, seconds between lines) from the task's options as typed (the
    module checks them again, and refuses a bad value). Unset, at verbosity 0 (AWX's default), a line every 30 s: a run
    that waits for copies for hours must not look hung; from -v on, a line every progress_interval."""
    fleet = boolean(arguments.get('fleet_progress') or False, strict=False)
    given = arguments.get('show_progress')
    show = True if given in (None, '') else boolean(given, strict=False)
    try:
        interval = max(MIN_PROGRESS_INTERVAL, float(arguments.get('progress_interval') or DEFAULT_PROGRESS_INTERVAL))
    except (TypeError, ValueError):
        interval = DEFAULT_PROGRESS_INTERVAL
    if given in (None, '') and verbosity < 1:
        interval = max(interval, QUIET_PROGRESS_INTERVAL)
    # A fleet prints its own line, one for all scopes; each scope's lines too only from -vv on.
    return show and (not fleet or verbosity >= 2), show and fleet, interval


def holder_words(holder: Mapping[str, Any] | None) -> str:
    """The run that holds a scope, in words, from what it wrote in the scope's file."""
    if not holder:
        return 'a run that has not said which yet'
    words = 'run %s' % holder['run_id'] if holder.get('run_id') else 'a run without report_dir'
    return '%s, process %s, since %s' % (words, holder.get('pid'), holder.get('since'))


def merge_limited(result: dict[str, Any], older: ScopeProtection | None) -> None:
    """A run limited to some disks (disk_ids: an event's run) merged into the scope's ``older`` account: its protection,
    posture, totals of disks and summary are then the scope's, with when each disk was read."""
    protection = of_report(result)
    if protection.limited_to is None:
        return
    merged = protection.merged_into(older)
    result['protection'] = merged.as_data()
    result['posture'] = merged.posture()
    result['totals'] = dict(result['totals'], **merged.totals())
    result['msg'] = summary_line(result['totals'], result.get('restore'), bool(result.get('check_mode')), merged)


def ended_on_the_board(live: LiveProgress | None) -> None:
    """A scope of a fleet whose module does not run says on the fleet's board that it ended, failed."""
    if live is not None and live.board is not None:
        live.board.close(FAILED)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True
    # Seconds between two tries of a scope that another run holds (a test's shorter).
    scope_turn_step = 1.0

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        # Bad input is refused here, in a few words, before any call and before the scope's files or turn are touched, as
        # Ansible's check of the role's arguments refused it.
        arguments, problems = self._arguments(task_vars)
        if problems:
            result.update(failed=True, changed=False, msg='bad input, nothing was done: %s' % '; '.join(problems))
            self._ended_before_its_run(arguments, task_vars)
            return result
        # As ansible.builtin.normal runs a module.
        wrap_async = self._task.async_val and not self._connection.has_native_async
        # Refused here, not by the module, which would echo the value: the run ends as one the module refused.
        dr_account, refusal = dr_account_argument(arguments)
        # An async job's result is read later, by async_status: this action writes no report for it, nor a marker.
        files = None if wrap_async else self._report_files(arguments)
        given: dict[str, Any] = {}
        if isinstance(arguments.get('dr_account'), str) and dr_account is not None:
            given['dr_account'] = dr_account  # its text form, as the dict it stands for
        if files is not None:
            given['run_id'] = files.run['run_id']
        module_args = dict(arguments, **given) if given or arguments is not self._task.args else None
        turn = None if wrap_async or self._check_mode() else self._scope_turn(arguments, files)
        try:
            if turn is not None:
                try:
                    # Refused input is not worth a wait: its files are written only if no other run holds the scope.
                    waited = turn.acquire(0 if refusal else wait_seconds(arguments))
                    result.update(self._turn_record(waited, turn.waited_for))
                except ScopeBusy as busy:
                    # The files are the other run's: left as they are.
                    result.update(
                        failed=True,
                        changed=False,
                        msg=refusal or self._busy_message(arguments, busy),
                        **self._turn_record(busy.waited, busy.holder),
                    )
                    self._ended_before_its_run(arguments, task_vars)
                    return result
                except OSError as error:
                    # A home that cannot be written: the run goes on unguarded rather than not at all, and says so.
                    turn = None
                    result.setdefault('warnings', []).append(
                        'could not take this scope\'s turn on the controller (%s), so '
                        'another run of it at once is not kept out: %s' % (turns_dir(), error)
                    )
            if files is not None:
                files.start()
            try:
                return self._run(result, arguments, task_vars, wrap_async, module_args, files, refusal)
            except BaseException as error:
                # The task's timeout (a BaseException), Ctrl-C, a crash of this action: the files say the run failed.
                if files is not None:
                    files.fail(
                        error_record({'msg': 'the run ended by %s: %s' % (type(error).__name__, error)}),
                        stamp(utc_now()),
                    )
                raise
        finally:
            if turn is not None:
                turn.release()

    def _arguments(self, task_vars: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(the task's arguments as the module is to get them, their problems): of module_defaults, the provider's
        cloud's group only (plugin_utils/_cloud_defaults.py), the selector's text read, each option checked."""
        arguments, dropped = own_cloud_arguments(self._task, self._templar, self._task.args)
        if dropped:
            display.vv(dropped_words('dr_sync', arguments, dropped))
        if arguments.get('option_names') != 'role':
            return checked_arguments(arguments)
        connections = self._templar.template([task_vars.get(name) for name in ROLE_CONNECTION_VARIABLES])
        arguments, problems = checked_arguments(arguments, list(zip(ROLE_CONNECTION_VARIABLES, connections)))
        # A misspelt variable does nothing: said at once, whatever the run then does.
        for warning in unknown_variable_warnings(task_vars):
            display.warning(warning)
        return arguments, role_connection_problems(connections) + problems

    def _check_mode(self) -> bool:
        return bool(self._play_context.check_mode if self._play_context is not None else self._task.check_mode)

    def _scope_turn(self, arguments: Mapping[str, Any], files: RunReportFiles | None) -> ScopeTurn:
        """The ScopeTurn of the task's scope, not yet held."""
        provider, region = to_text(arguments.get('provider')), to_text(arguments.get('source_region'))
        path = turn_path(provider, region, scope_identity(provider, arguments), turns_dir())
        holder = {
            'pid': os.getpid(),
            'since': stamp(utc_now()),
            'run_id': files.run['run_id'] if files is not None else None,
        }
        return ScopeTurn(path, holder, step=self.scope_turn_step, on_wait=self._scope_held)

    def _scope_held(self, holder: Mapping[str, Any]) -> None:
        """Called once when the scope is found held: say so, as the run may wait long."""
        display.display(
            '%s %s: another DR run of this scope is under way on this controller (%s); waiting for it to end, at most '
            '%d s'
            % (
                self._task.args.get('provider'),
                self._task.args.get('source_region'),
                holder_words(holder),
                wait_seconds(self._task.args),
            )
        )

    @staticmethod
    def _turn_record(waited: float, holder: dict[str, Any] | None) -> dict[str, Any]:
        """The result's scope_turn, and scope_lock, its name in earlier releases, kept for one release (deprecated)."""
        record = {'waited': holder is not None, 'waited_seconds': round(waited, 1), 'waited_for': holder}
        return {'scope_turn': record, 'scope_lock': dict(record)}

    @staticmethod
    def _busy_message(arguments: Mapping[str, Any], busy: ScopeBusy) -> str:
        return (
            'another DR run of %s %s held it on this controller (%s) for all of this run\'s %s of %d s: nothing was done. One '
            'run of a scope at a time (docs/vault.md): let that run end, or give this one a longer %s'
            % (
                arguments.get('provider'),
                arguments.get('source_region'),
                holder_words(busy.holder),
                option_name(arguments, 'wait_timeout'),
                wait_seconds(arguments),
                option_name(arguments, 'wait_timeout'),
            )
        )

    def _run(  # pylint: disable=too-many-arguments
        self,
        result: dict[str, Any],
        arguments: dict[str, Any],
        task_vars: dict[str, Any],
        wrap_async: bool,
        module_args: dict[str, Any] | None,
        files: RunReportFiles | None,
        refusal: str | None = None,
    ) -> dict[str, Any]:
        live = None if wrap_async else self._live_progress(arguments, task_vars)
        if refusal is not None:
            module_result = {'failed': True, 'changed': False, 'msg': refusal, 'input_refused': True}
            ended_on_the_board(live)
        elif live is None:
            module_result = self._execute_module(module_args=module_args, task_vars=task_vars, wrap_async=wrap_async)
        else:
            module_result = live.run(lambda: self._execute_module(module_args=module_args, task_vars=task_vars))
        result = merge_hash(result, module_result)
        if not wrap_async and refusal is None:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access  # as ansible.builtin.normal does
        # An async job just started: nothing to render or write.
        if not has_report(result):
            # A run that ended without a report (a cloud error, a crash): its files say it failed before it could know,
            # with the scope's last account, stale. A run whose input was refused before it read its scope (the module's
            # input_refused: a typo, a region the cloud does not know) leaves the scope's files as they were, byte for
            # byte, and a scope without files none (issue 62); so does any end without a cloud error of a scope that had
            # no file.
            if files is not None:
                result['failed'] = True  # not async: a result without a report is a run that ended early
                refused = result.get('input_refused') or not (isinstance(result.get('error'), Mapping) or files.existed)
                if refused and files.put_back():
                    return result
                if files.fail(error_record(result), stamp(utc_now())):
                    result['report_files'] = files.paths
                    self._keep_in_history(arguments, files, result)
                else:
                    result['msg'] = '%s; and could not write the report to %s on the controller: %s' % (
                        result.get('msg'),
                        arguments['report_dir'],
                        files.problem,
                    )
            return result
        # A run limited to some disks is put into the scope's last account, never in its place.
        merge_limited(result, last_known(files.previous) if files is not None else None)
        # The module returns its report as data only; the Markdown for people is made here, on the controller.
        result['report_markdown'] = dr_report_markdown(result)
        if files is not None:
            try:
                result['report_files'] = write_reports(
                    result, to_text(arguments['report_dir']), self._report_name(arguments)
                )
                files.finished = True
                self._keep_in_history(arguments, files, result)
            except OSError as error:
                result['failed'] = True
                result['msg'] = 'could not write the report to %s on the controller: %s' % (
                    arguments['report_dir'],
                    error,
                )
                files.fail(error_record(result), stamp(utc_now()))
        # The module has checked the option's type by now ('yes', 'true' and true alike).
        if boolean(arguments.get('show_report') or False, strict=False):
            display.display(dr_report_text(result, result.get('report_files')))
        return result

    @staticmethod
    def _report_name(arguments: Mapping[str, Any]) -> str:
        name: str = to_text(
            arguments.get('report_name') or '%s-%s' % (arguments.get('provider'), arguments.get('source_region'))
        )
        return name

    def _report_files(self, arguments: Mapping[str, Any]) -> RunReportFiles | None:
        """The report files of this run (RunReportFiles), or None without report_dir."""
        if not arguments.get('report_dir'):
            return None
        now = utc_now()
        name = self._report_name(arguments)
        run = run_record(
            new_run_id(now),
            stamp(now),
            name,
            arguments.get('provider'),
            arguments.get('source_region'),
            arguments.get('dr_regions'),
            self._check_mode(),
        )
        return RunReportFiles(
            report_paths(to_text(arguments['report_dir']), name, self._check_mode()), run, file_mode()
        )

    @staticmethod
    def _keep_in_history(arguments: Mapping[str, Any], files: RunReportFiles, result: dict[str, Any]) -> None:
        """Keep the run's files in its scope's history (report_history runs); the result's report_history is the index
        page's path. A history that cannot be written is a warning: the newest report, which it copies, is written."""
        try:
            keep = max(0, int(arguments.get('report_history', DEFAULT_HISTORY)))
        except (TypeError, ValueError):
            keep = DEFAULT_HISTORY  # the module refused it already, when it ran
        try:
            index = keep_run(files.paths, keep, files.mode)
        except OSError as error:
            result.setdefault('warnings', []).append(
                'could not keep this run\'s report in the history of %s: %s'
                % (os.path.dirname(files.paths['json']), error)
            )
            return
        if index is not None:
            result['report_history'] = index

    def _ended_before_its_run(self, arguments: Mapping[str, Any], task_vars: Mapping[str, Any]) -> None:
        """A scope of a fleet that ends before its module runs (bad input, a refusal, another run holding it) says so on
        the fleet's board: the fleet's line counts it failed, not still to start, and the last scope to end clears the
        board."""
        ended_on_the_board(None if self._task.async_val else self._live_progress(arguments, task_vars))

    def _live_progress(self, arguments: Mapping[str, Any], task_vars: Mapping[str, Any]) -> LiveProgress | None:
        """The LiveProgress that runs the module, or None: when no line is to be shown, or the module does not run on
        the controller (its progress file would be on another host)."""
        show_own, show_fleet, interval = progress_settings(arguments, display.verbosity)
        if not (show_own or show_fleet) or getattr(self._connection, 'transport', None) not in (
            'local',
            'ansible.builtin.local',
        ):
            return None
        scope = task_vars.get('inventory_hostname', 'localhost')
        title = '%s %s' % (arguments.get('provider'), arguments.get('source_region'))
        board = (
            FleetBoard(scope, scopes=task_vars.get('ansible_play_batch') or [scope], title=title)
            if show_fleet
            else None
        )
        return LiveProgress(display, scope, title=title, interval=interval, show_own=show_own, board=board)
