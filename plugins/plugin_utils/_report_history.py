# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The history of a scope's reports: each run's files kept under ``history/<report name>/`` beside the newest, and an
index page, ``<report name>.history.html``, newest first.

dr_sync's action writes a run's files at the paths the docs name (report_paths) and then, with ``report_history`` N (the
role's ``dr_copy_report_history``; 0 turns it off), copies them to ``history/<name>/<run id>.{json,md,html}``,
keeps the newest N runs there and rewrites the index. A run that ended before its report is kept too, as what it was
(its files say it failed before it could know what it did): the history is of runs, not only of good news.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import write_file
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._run_reports import (
    FAILED_BEFORE_REPORT,
    FINISHED,
    STARTED,
    SUFFIXES,
    read_report,
)

# A run's state as people read it: a run that never wrote its report is still running, or was stopped.
STATE_WORDS = {STARTED: 'still running, or stopped', FAILED_BEFORE_REPORT: 'failed before it could know'}

DEFAULT_HISTORY = 30
HISTORY_FOLDER = 'history'
# A kept run's files: <run id>.<suffix>. A run's id starts with when it started (dr.drill.run_id), so names sort as
# runs do.
KEPT = re.compile(r'^(\d{8}T\d{6}Z-[0-9A-Za-z-]+)\.(json|md|html)$')
# A kept fleet report's files: <when the report was made>.<suffix> (compact's).
FLEET_KEPT = re.compile(r'^(\d{8}T\d{6}Z)\.(json|md|html)$')

INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ title }}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1b1b; max-width: 1100px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
td.number { text-align: right; } .failed { color: #b71c1c; font-weight: 700; } .ok { color: #2e7d32; font-weight: 700; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p>The {{ runs | length }} newest runs (at most {{ keep }}), newest first. The newest report is also at
<a href="{{ newest }}">{{ newest }}</a>.</p>
<table>
<tr><th>started</th><th>run</th><th>state</th><th>mode</th>{% for key, word in counts %}<th>{{ word }}</th>{% endfor %}
<th>failures</th><th>files</th></tr>
{% for run in runs %}
<tr data-run="{{ run.stem }}"><td>{{ run.started }}</td><td>{{ run.run_id }}</td>
<td class="{{ 'ok' if run.ok else 'failed' }}" data-key="state">{{ run.state }}</td><td data-key="mode">{{ run.mode }}</td>
{% for key, word in counts %}<td class="number" data-key="{{ key }}">{{ run.totals[key] | default('-') }}</td>{% endfor %}
<td class="number" data-key="failures">{{ run.failures }}</td>
<td><a href="{{ run.link }}.html">page</a> <a href="{{ run.link }}.md">md</a> <a href="{{ run.link }}.json">json</a></td></tr>
{% endfor %}
</table>
</body>
</html>
"""

ENVIRONMENT = Environment(loader=DictLoader({'index': INDEX_TEMPLATE}), undefined=StrictUndefined, autoescape=True)
# The history's index page (the actions compile it ahead: plugin_utils/_templates.py).
HISTORY_TEMPLATES = (ENVIRONMENT, ('index',))


def history_paths(paths: Mapping[str, str]) -> tuple[str, str]:
    """(the folder of a scope's kept runs, its index page) for a run's report ``paths`` (report_paths')."""
    folder, name = os.path.split(paths['json'][: -len('.json')])
    return os.path.join(folder, HISTORY_FOLDER, name), os.path.join(folder, name + '.history.html')


def compact(moment: str | None) -> str:
    """'2026-11-25T17:30:00Z' as '20261125T173000Z' (a file name's start)."""
    return re.sub(r'[-:]', '', moment or '')[:16] or 'unknown'


def keep_run(paths: Mapping[str, str], keep: int, mode: int) -> str | None:
    """Copy the run's files at ``paths`` into its scope's history, keep the newest ``keep`` runs there and write the
    index page; answers the index's path (None when ``keep`` is 0, or the run wrote no JSON file)."""
    report = read_report(paths['json'])
    if not keep or report is None:
        return None
    folder, index = history_paths(paths)
    stem = report.get('run_id') or '%s-run' % compact(report.get('started_at') or report.get('generated_at'))
    stems = _keep_files(paths, folder, stem, keep, mode, KEPT)
    runs = [
        run_row(read_report(os.path.join(folder, stem + '.json')) or {}, stem, os.path.basename(folder))
        for stem in stems
    ]
    write_file(index, history_page(os.path.basename(folder), runs, keep, os.path.basename(paths['html'])), mode)
    return index


def keep_fleet_report(paths: Mapping[str, str], keep: int, mode: int) -> str | None:
    """As keep_run, for a fleet report's files at ``paths``: kept as ``<its time>.{json,md,html}``."""
    report = read_report(paths['json'])
    if not keep or report is None:
        return None
    folder, index = history_paths(paths)
    stems = _keep_files(paths, folder, compact(report.get('generated_at')), keep, mode, FLEET_KEPT)
    reports = [read_report(os.path.join(folder, stem + '.json')) or {} for stem in stems]
    write_file(index, fleet_history_page(reports, os.path.basename(folder), keep), mode)
    return index


def _keep_files(
    paths: Mapping[str, str], folder: str, stem: str, keep: int, mode: int, kept: re.Pattern[str]
) -> list[str]:
    """Copy the files at ``paths`` into ``folder`` as ``stem``.<suffix>, delete the kept files beyond the newest
    ``keep`` (names ``kept`` matches sort as their runs do); answers the kept stems, newest first."""
    os.makedirs(folder, mode=0o777, exist_ok=True)  # the umask applies, as to the report folder
    for kind, path in paths.items():
        if os.path.exists(path):
            copy = os.path.join(folder, '%s.%s' % (stem, SUFFIXES[kind]))
            shutil.copyfile(path, copy + '.part')
            os.chmod(copy + '.part', mode)
            os.replace(copy + '.part', copy)
    stems = sorted({match.group(1) for match in map(kept.match, os.listdir(folder)) if match}, reverse=True)
    for old in stems[keep:]:
        for suffix in SUFFIXES.values():
            path = os.path.join(folder, '%s.%s' % (old, suffix))
            if os.path.exists(path):
                os.unlink(path)
    return stems[:keep]


# The counts of a run's row: a scope's (dr_sync's totals), a fleet's (the fleet report's).
SCOPE_COUNTS = (
    ('disks', 'disks'),
    ('copied', 'copied'),
    ('existing', 'already there'),
    ('without_dr_copy', 'without a DR copy'),
)
FLEET_COUNTS = (
    ('scopes', 'scopes'),
    ('failed_scopes', 'failed scopes'),
    ('disks', 'disks'),
    ('over_rpo', 'older than the RPO'),
    ('no_copy', 'without a copy'),
)


def history_page(
    name: str,
    runs: list[dict[str, Any]],
    keep: int,
    newest: str,
    counts: Sequence[tuple[str, str]] = SCOPE_COUNTS,
) -> str:
    """The index page of a history: ``runs`` (run_row's) newest first, their ``counts``."""
    return ENVIRONMENT.get_template('index').render(
        title='DR report history: %s' % name, runs=runs, keep=keep, newest=newest, counts=counts
    )


def fleet_history_page(reports: Iterable[Mapping[str, Any]], name: str, keep: int) -> str:
    """The index page of a fleet's history from its kept reports (the fleet report's JSON documents, in any order)."""
    runs = sorted((fleet_row(report, name) for report in reports), key=lambda run: run['stem'], reverse=True)[:keep]
    return history_page(name, runs, keep, name + '.html', FLEET_COUNTS)


def fleet_row(report: Mapping[str, Any], name: str) -> dict[str, Any]:
    """One kept fleet report as the index shows it."""
    stem = compact(report.get('generated_at'))
    failed = (report.get('totals') or {}).get('failed_scopes')
    return {
        'stem': stem,
        'run_id': report.get('limit') or 'every scope',
        'started': report.get('generated_at') or '-',
        'state': 'finished' if not failed else 'finished with failed scopes',
        'ok': not failed,
        'mode': 'check (a plan)' if report.get('check_mode') else 'run',
        'totals': report.get('totals') or {},
        'failures': failed if failed is not None else '-',
        'link': '%s/%s/%s' % (HISTORY_FOLDER, name, stem),
    }


def run_row(report: Mapping[str, Any], stem: str, name: str) -> dict[str, Any]:
    """One kept run of a scope (its JSON ``report``, kept as ``stem``) as the index shows it."""
    state = report.get('run_state') or (FINISHED if 'totals' in report else 'unknown')
    failures = len(report.get('failures') or []) if state == FINISHED else '-'
    ok = state == FINISHED and not report.get('failures') and not report.get('failed')
    return {
        'stem': stem,
        'run_id': report.get('run_id') or '-',
        'started': report.get('started_at') or report.get('generated_at') or '-',
        'state': STATE_WORDS.get(state, state)
        if state != FINISHED
        else ('finished' if ok else 'finished with failures'),
        'ok': ok,
        'mode': 'check (a plan)' if report.get('check_mode') else 'run',
        'totals': report.get('totals') or {},
        'failures': failures,
        'link': '%s/%s/%s' % (HISTORY_FOLDER, name, stem),
    }
