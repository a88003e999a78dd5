"""dr_sync's live progress on the controller (plugin_utils/_live_progress.py, the action's progress_settings): the lines
as a person reads them, a module run in a thread while lines are printed, and a fleet's board that prints one line for
all its scopes and clears itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import warnings

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import progress_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.progress import (
    PROGRESS_FILE_VARIABLE,
    WAITING,
    Progress,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._live_progress import (
    FAILED,
    OK,
    RUNNING,
    FleetBoard,
    LiveProgress,
    fleet_line,
    progress_line,
)


def counts(copies, done=0, already_there=0, in_flight=0, failed=0, not_started=0):
    return {
        'copies': copies,
        'done': done,
        'already_there': already_there,
        'in_flight': in_flight,
        'failed': failed,
        'not_started': not_started,
    }


STATE = {
    'phase': WAITING,
    'regions': {
        'us-west-2': counts(40, done=12, already_there=10, in_flight=26, failed=2),
        'eu-west-1': counts(40, done=40, already_there=40),
    },
    'slowest': {'region': 'us-west-2', 'snapshot_id': 'snap-0ab12', 'progress': 35},
}


class RecordingDisplay:
    def __init__(self):
        self.lines = []
        self.printed = threading.Condition()

    def display(self, text):
        with self.printed:
            self.lines.append(text)
            self.printed.notify_all()

    def wait_for_lines(self, count, timeout=30):
        """Whether ``count`` lines were printed within ``timeout`` seconds (a test fails on False, never hangs)."""
        with self.printed:
            return self.printed.wait_for(lambda: len(self.lines) >= count, timeout)


def test_a_line_says_the_phase_then_each_region_with_only_the_counts_that_are_not_zero_then_the_slowest_copy():
    assert progress_line('db-scope', 'aws us-east-1', STATE, 40.7) == (
        'progress [db-scope] aws us-east-1, 40 s, waiting for copies - eu-west-1 40 of 40 done (40 already there) - '
        'us-west-2 12 of 40 done (10 already there), 26 in flight, 2 failed - slowest snap-0ab12 in us-west-2 at 35%'
    )
    # Before the module has written anything.
    assert (
        progress_line('localhost', 'cbs ap-guangzhou', None, 1)
        == 'progress [localhost] cbs ap-guangzhou, 1 s, starting'
    )


def test_more_than_three_regions_are_counted_not_listed():
    state = {
        'phase': 'copying',
        'regions': {'r-%d' % index: counts(1, not_started=1) for index in range(5)},
        'slowest': None,
    }
    line = progress_line('s', 'ecs cn-hangzhou', state, 3)
    assert 'r-2 0 of 1 done, 1 not started - 2 more DR regions' in line and 'r-3' not in line


def test_the_module_runs_in_a_thread_while_a_line_is_printed_each_interval(tmp_path, monkeypatch):
    """The module runs until two lines were printed (no sleep that a busy machine could outlast or cut short); the
    clock the lines show stands still."""
    monkeypatch.setenv(PROGRESS_FILE_VARIABLE, 'an earlier value')
    display = RecordingDisplay()
    seen = {}

    def module():
        # As the module's process does: the file named in the environment it inherits.
        seen['path'] = os.environ[PROGRESS_FILE_VARIABLE]
        progress = Progress.from_environment()
        progress.enter(WAITING)
        progress.update_copies({'regions': {'dr-1': counts(2, in_flight=2)}, 'slowest': None}, force=True)
        # Two lines more than now: the second of them read the file after this wrote it (a tick reads, then prints).
        seen['lines while running'] = display.wait_for_lines(len(display.lines) + 2)
        return {'changed': True}

    assert LiveProgress(display, 'localhost', title='ecs cn-hangzhou', interval=0.01, clock=lambda: 100.0).run(
        module
    ) == {'changed': True}
    assert seen['lines while running'], 'no two progress lines while the module ran: %s' % display.lines
    assert display.lines[-1].startswith(
        'progress [localhost] ecs cn-hangzhou, 0 s, waiting for copies - dr-1 0 of 2 done, 2 in flight'
    )
    # The file is gone and the environment as it was; nothing is printed once the module has ended.
    assert not os.path.exists(seen['path']) and os.environ[PROGRESS_FILE_VARIABLE] == 'an earlier value'
    printed = len(display.lines)
    assert not display.wait_for_lines(printed + 1, timeout=0.05)


def test_a_short_run_prints_nothing_and_an_error_of_the_module_is_raised_in_the_action():
    display = RecordingDisplay()
    assert LiveProgress(display, 'localhost', title='aws us-east-1', interval=5).run(lambda: {'changed': False}) == {
        'changed': False
    }
    assert display.lines == []

    def broken():
        raise RuntimeError('the connection broke')

    with pytest.raises(RuntimeError, match='the connection broke'):
        LiveProgress(display, 'localhost', title='aws us-east-1', interval=5).run(broken)


def test_a_fleet_has_one_printer_at_a_time_and_the_last_scope_clears_the_board(tmp_path):
    folder = str(tmp_path / 'board')
    scopes = ['aws-prod', 'cbs-prod', 'ecs-prod']
    boards = {scope: FleetBoard(scope, scopes=scopes, title='title of ' + scope, folder=folder) for scope in scopes}
    for scope in scopes[:2]:
        boards[scope].write(
            RUNNING, {'phase': 'copying', 'regions': {'dr-1': counts(10, done=2 if scope == 'aws-prod' else 9)}}
        )
    assert boards['aws-prod'].may_print() and boards['aws-prod'].may_print()
    assert not boards['cbs-prod'].may_print()
    line = fleet_line(boards['cbs-prod'].records(), scopes, time.time())
    assert line.startswith(
        'fleet progress - 0 of 3 scopes done, 0 failed, 2 running, 1 not started; furthest behind aws-prod '
        '(title of aws-prod), 0 s, copying - dr-1 2 of 10 done'
    )
    # The printer's scope ends: another takes the lock.
    boards['aws-prod'].close(FAILED)
    assert boards['cbs-prod'].may_print()
    boards['cbs-prod'].close(OK)
    assert fleet_line(boards['ecs-prod'].records(), scopes, time.time()).startswith(
        'fleet progress - 1 of 3 scopes done, 1 failed, 0 running, 1 not started'
    )
    assert os.path.isdir(folder)
    boards['ecs-prod'].write(RUNNING)
    boards['ecs-prod'].close(OK)
    assert not os.path.exists(folder)


def test_boards_of_playbook_runs_that_are_gone_are_cleared(tmp_path):
    ended = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True, check=True
    )
    gone = tmp_path / ended.stdout.strip()
    gone.mkdir()
    (gone / 'scope.json').write_text(json.dumps({'scope': 'scope', 'state': RUNNING}), encoding='utf-8')
    alive = tmp_path / str(os.getpid())
    alive.mkdir()
    board = FleetBoard('scope', scopes=['scope'], title='title', folder=str(tmp_path / str(os.getppid())))
    board.sweep()
    assert not gone.exists() and alive.exists()


@pytest.mark.parametrize(
    'arguments, verbosity, expected',
    [
        ({}, 0, (True, False, 30)),
        ({'show_progress': '', 'progress_interval': 120}, 0, (True, False, 120)),
        ({'fleet_progress': True}, 0, (False, True, 30)),
        ({}, 1, (True, False, 5)),
        ({'show_progress': 'yes', 'progress_interval': '2.5'}, 0, (True, False, 2.5)),
        ({'show_progress': False}, 3, (False, False, 5)),
        ({'fleet_progress': 'true'}, 1, (False, True, 5)),
        ({'fleet_progress': True}, 2, (True, True, 5)),
        ({'show_progress': True, 'progress_interval': 0.2}, 0, (True, False, 1)),
        ({'show_progress': True, 'progress_interval': 'soon'}, 0, (True, False, 5)),
    ],
)
def test_progress_is_a_line_every_30_s_at_verbosity_0_and_every_interval_at_minus_v_unless_the_task_says_otherwise(
    arguments, verbosity, expected
):
    assert progress_settings(arguments, verbosity) == expected


def test_a_board_folder_that_is_a_link_is_neither_written_nor_swept(tmp_path):
    ended = subprocess.run(
        [sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True, check=True
    )
    elsewhere = tmp_path / 'elsewhere'
    (elsewhere / ended.stdout.strip()).mkdir(parents=True)  # named as a board of a process that is gone
    (tmp_path / 'link').symlink_to(elsewhere)
    board = FleetBoard('scope', scopes=['scope'], title='title', folder=str(tmp_path / 'link' / str(os.getpid())))
    board.sweep()
    board.write(RUNNING)
    assert sorted(path.name for path in elsewhere.iterdir()) == [ended.stdout.strip()]


def test_the_fleets_line_names_the_running_scope_with_the_most_copies_still_to_do():
    """Not the first running scope: the one furthest behind, by its copies not yet done over all its DR regions."""
    now = time.time()

    def running(title, *regions):
        return {
            'state': RUNNING,
            'title': title,
            'started': now,
            'progress': {'phase': 'copying', 'regions': dict(regions)},
        }

    records = {
        'aws-prod': running('first', ('dr-1', counts(10, done=9)), ('dr-2', counts(10, done=9))),
        'cbs-prod': running('second', ('dr-1', counts(10, done=3))),
        'ecs-prod': running('third', ('dr-1', counts(4, done=0)), ('dr-2', counts(4, done=0))),
    }
    assert '; furthest behind ecs-prod (third), ' in fleet_line(records, sorted(records), now)


def test_a_process_number_held_by_another_user_is_alive_and_its_board_is_kept():
    """os.kill(pid, 0) on another user's process is refused (PermissionError): the process is there, so its board is
    not swept. As root, which may signal any process, the check runs in a child that is not."""
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._live_progress import (  # pylint: disable=import-outside-toplevel
        process_alive,
    )

    if os.getuid() != 0:
        assert process_alive(1)
        return
    read, write = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns of fork in a process with threads (a worker's); the child takes no lock, and ends at once.
        warnings.simplefilter('ignore', DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and ends at once
        try:
            os.setuid(65534)
            os.write(write, b'alive' if process_alive(1) else b'gone')
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, 'rb') as answer:
        said = answer.read()
    os.waitpid(child, 0)
    assert said == b'alive'
