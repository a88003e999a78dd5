"""Each run's report kept (plugin_utils/_report_history.py through dr_sync's action): the newest at the path the docs
name, every run's files under history/, an index page newest first, a retention, and a run that failed before its
report kept as what it was."""

from __future__ import annotations

import datetime
import html.parser
import json
import os

import pytest

from ansible_collections.snapcopy.cloud.plugins.action import dr_sync as dr_sync_action
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import REPORTED, action_running
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_run_state import NAME, REFUSED, TASK


class IndexRows(html.parser.HTMLParser):
    """The index page's rows: (run file stem, {data-key: text})."""

    def __init__(self):
        super().__init__()
        self.rows, self._key = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'tr' and 'data-run' in attrs:
            self.rows.append((attrs['data-run'], {}))
        self._key = attrs.get('data-key') if tag == 'td' else None

    def handle_data(self, data):
        if self._key and self.rows:
            self.rows[-1][1][self._key] = self.rows[-1][1].get(self._key, '') + data.strip()


@pytest.fixture(autouse=True)
def a_run_a_minute(monkeypatch):
    """Each run starts a minute after the one before (a run's id starts with the second it started)."""
    moments = (
        datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=number)
        for number in range(100)
    )
    monkeypatch.setattr(dr_sync_action, 'utc_now', lambda: next(moments))


def run_with(tmp_path, module_result, **arguments):
    def answer(module_args):
        return dict(module_result, run_id=module_args['run_id']) if 'totals' in module_result else dict(module_result)

    return action_running(answer, report_dir=str(tmp_path), **dict(TASK, **arguments)).run(task_vars={})


def index_rows(path):
    page = IndexRows()
    with open(path, encoding='utf-8') as handle:
        page.feed(handle.read())
    return page.rows


def test_every_run_is_kept_newest_first_and_the_newest_stays_where_the_docs_say(tmp_path):
    results = [
        run_with(tmp_path, REPORTED),
        run_with(tmp_path, REFUSED),
        run_with(tmp_path, dict(REPORTED, failures=[])),
    ]
    newest = results[-1]
    assert newest['report_files']['json'] == str(tmp_path / ('dr-report-%s.json' % NAME))
    assert newest['report_history'] == str(tmp_path / ('dr-report-%s.history.html' % NAME))
    with open(newest['report_files']['json'], encoding='utf-8') as handle:
        assert json.load(handle)['failures'] == []
    kept = sorted(os.listdir(tmp_path / 'history' / ('dr-report-%s' % NAME)))
    assert len(kept) == 9 and {name.rsplit('.', 1)[1] for name in kept} == {'json', 'md', 'html'}
    rows = index_rows(newest['report_history'])
    # Newest first: the clean run, the run refused before its report, the first run with its failure.
    assert [row['state'] for dummy, row in rows] == [
        'finished',
        'failed before it could know',
        'finished with failures',
    ]
    assert [stem for stem, dummy in rows] == sorted((stem for stem, dummy in rows), reverse=True)
    for stem, row in rows:
        for suffix in ('json', 'md', 'html'):
            assert os.path.exists(tmp_path / 'history' / ('dr-report-%s' % NAME) / ('%s.%s' % (stem, suffix)))
    assert rows[0][1]['disks'] == str(REPORTED['totals']['disks']) and rows[1][1]['disks'] == '-'


def test_the_history_keeps_the_newest_runs_it_is_told_to_and_none_with_0(tmp_path):
    for dummy in range(4):
        result = run_with(tmp_path, REPORTED, report_history=2)
    assert len(index_rows(result['report_history'])) == 2
    assert len(os.listdir(tmp_path / 'history' / ('dr-report-%s' % NAME))) == 6
    other = tmp_path / 'other'
    result = run_with(other, REPORTED, report_history=0)
    assert 'report_history' not in result and not (other / 'history').exists()


@pytest.mark.parametrize(
    'times, shown',
    [
        ({'started_at': '2026-11-25T10:00:00Z', 'generated_at': '2026-11-25T10:07:00Z'}, '2026-11-25T10:00:00Z'),
        ({'generated_at': '2026-11-25T10:07:00Z'}, '2026-11-25T10:07:00Z'),
        ({}, '-'),
    ],
)
def test_a_kept_runs_row_says_when_it_started_else_when_its_report_was_written(times, shown):
    """The files of a run that has not finished, or failed before its report, say when it started, and that is what the
    index shows; a finished report says when it was written."""
    from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_history import (  # pylint: disable=import-outside-toplevel
        run_row,
    )

    assert run_row(dict(times, run_state='finished', totals={}), 'stem', 'scope')['started'] == shown
