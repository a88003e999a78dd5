# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's report files while it has no report: they never show an earlier run's copies, locks and shares as current.

dr_sync's action (plugins/action/dr_sync.py) writes a run's report files (JSON, Markdown, HTML: report_dir, report_name)
in three states, each file at once (a temporary file, then a rename):

- ``started``: when the run starts, before the module makes any call. The files say "run <id> started at <time>, not
  finished". A run that is killed (SIGKILL, a lost controller) leaves exactly that, the truth, rather than the last run's
  claims. Before it is written, a finished report found at those paths (one with ``run_state`` finished, or of a release
  before run_state, which has ``totals``) is kept beside it as ``dr-report-<name>.previous.{json,md,html}``: it is the
  history of what the last run that knew did, named as the past. A marker (started, failed) is not kept: it says nothing
  about the cloud, and keeping it would push the last finished report out.
- ``failed_before_report``: when the run ends without a report (bad input, a cloud error the run cannot go on from, the
  task's timeout, the module crashed, Ctrl-C): what the run was (its id, start, scope), that it failed before it could
  know what it did, and the error (the cloud's code, message and request id where there are). Nothing in it is a copy,
  a lock or a share; it names the previous report's files.
- ``finished``: the run's report (dr.report, as before), with ``run_state: finished`` and the run's id.

Readers (a monitor, an auditor's script) look at ``run_state`` first: only ``finished`` describes the cloud.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    STANDING_WORDS,
    ScopeProtection,
    of_report,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import write_file
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import escape_cell

STARTED, FAILED_BEFORE_REPORT, FINISHED = 'started', 'failed_before_report', 'finished'
# The kinds of report file, each with its suffix.
SUFFIXES = {'json': 'json', 'markdown': 'md', 'html': 'html'}
# The longest error message a report file keeps (a module's crash can be long).
MAX_MESSAGE = 2000


def previous_paths(paths: Mapping[str, str]) -> dict[str, str]:
    """Where the last finished report is kept while a run has none: beside it, ``.previous`` before the suffix."""
    return {kind: path[: -len(SUFFIXES[kind])] + 'previous.' + SUFFIXES[kind] for kind, path in paths.items()}


def read_report(path: str) -> dict[str, Any] | None:
    """The JSON report at ``path``, or None when there is none or it is not JSON."""
    try:
        with open(path, encoding='utf-8') as stream:
            data = json.load(stream)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_finished(data: Mapping[str, Any] | None) -> bool:
    """Whether a JSON report says what a run did: run_state finished, or a report of a release before run_state."""
    if data is None:
        return False
    return data.get('run_state') == FINISHED or ('run_state' not in data and 'totals' in data)


def keep_previous(paths: Mapping[str, str]) -> dict[str, Any] | None:
    """Before a run writes its marker: a finished report at ``paths`` becomes the previous one (renamed, each file that
    exists). Answers the previous report's record for the marker (None when there is none)."""
    kept = previous_paths(paths)
    if is_finished(read_report(paths['json'])):
        for kind, path in paths.items():
            if os.path.exists(path):
                os.replace(path, kept[kind])
            elif os.path.exists(kept[kind]):
                os.unlink(kept[kind])  # never a previous file of another run beside this one's
    data = read_report(kept['json'])
    if data is None or not is_finished(data):
        return None
    return {
        'generated_at': data.get('generated_at'),
        'run_id': data.get('run_id'),
        'failed': data.get('failed'),
        'files': {kind: path for kind, path in kept.items() if os.path.exists(path)},
    }


def region_names(value: object) -> list[str]:
    """The DR regions as the task gave them (names, dicts with a region, or one text with commas), as names."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(',') if part.strip()]
    names: list[str] = []
    for item in value if isinstance(value, (list, tuple)) else []:
        name = item.get('region') if isinstance(item, dict) else item
        if name is not None:
            names.append(str(name))
    return names


def run_record(
    run_id: str,
    started_at: str,
    scope: str,
    provider: str | None,
    source_region: str | None,
    dr_regions: object,
    check_mode: bool,
    account: str | None = None,
) -> dict[str, Any]:
    """What a run is before it knows anything: its id, its start, its scope (the report's name) and what it covers."""
    return {
        'run_id': run_id,
        'started_at': started_at,
        'scope': scope,
        'provider': provider,
        'source_region': source_region,
        'dr_regions': region_names(dr_regions),
        'account': account,
        'check_mode': bool(check_mode),
    }


def started_report(run: Mapping[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The marker a run writes when it starts (``run`` a run_record)."""
    return dict(
        run,
        run_state=STARTED,
        generated_at=run['started_at'],
        failed=True,
        previous_report=previous,
        msg='run %s started at %s and has not finished: while it runs it makes copies, locks and shares that no report '
        'file names yet; if no run is under way, it was stopped before it could write its report (killed). Nothing '
        'here says what the cloud holds.' % (run['run_id'], run['started_at']),
    )


def error_record(result: Mapping[str, Any]) -> dict[str, Any]:
    """The error that ended a run without a report, from the task's result: the cloud's code, message and request id
    where there are (CloudError.as_result), else the message; never the module's output or traceback."""
    error: dict[str, Any] = result['error'] if isinstance(result.get('error'), dict) else {}
    message = str(result.get('msg') or error.get('message') or 'the run failed without a message')
    return {
        'msg': message[:MAX_MESSAGE],
        'action': error.get('action'),
        'code': error.get('code'),
        'message': error.get('message'),
        'request_id': error.get('request_id'),
    }


def failed_report(
    run: Mapping[str, Any],
    previous: dict[str, Any] | None,
    ended_at: str,
    error: Mapping[str, Any],
    known: ScopeProtection | None = None,
) -> dict[str, Any]:
    """The report of a run that ended before it had one (``error`` an error_record). ``known`` is the scope's last
    account (the previous finished report's protection model): kept, marked stale, so that a run that could not know
    never replaces what was known with nothing, nor shows it as current."""
    msg = 'run %s (started %s) failed before it could know what it did: %s' % (
        run['run_id'],
        run['started_at'],
        error['msg'],
    )
    report = dict(
        run,
        run_state=FAILED_BEFORE_REPORT,
        generated_at=ended_at,
        ended_at=ended_at,
        failed=True,
        previous_report=previous,
        error=error,
        msg=msg,
    )
    if known is not None:
        why = 'run %s failed before it could know (%s); the account is the last known, read %s' % (
            run['run_id'],
            ' '.join(error['msg'].split())[:200],
            known.read_at,
        )
        report['protection'] = known.as_stale(why).as_data()
    return report


def last_known(previous: Mapping[str, Any] | None) -> ScopeProtection | None:
    """The scope's last account (its protection model) in the previous finished report (keep_previous's record), or None."""
    data = read_report(previous['files']['json']) if previous and previous.get('files', {}).get('json') else None
    return of_report(data) if data is not None and is_finished(data) else None


MARKDOWN_TEMPLATE = """\
# DR copy report: {{ r.provider or '-' }} {{ r.source_region or '-' }} -> {{ r.dr_regions | join(', ') or '-' }}

{% if r.run_state == 'started' %}
**Not finished.** Run {{ r.run_id }} of {{ r.scope }} started at {{ r.started_at }} and has not written its report.
While it runs it may make copies, locks and shares that no report names yet. If no run is under way, it was stopped
before it could write its report (killed): run it again.
{% else %}
**Failed before it could know what it did.** Run {{ r.run_id }} of {{ r.scope }} started at {{ r.started_at }} and ended
at {{ r.ended_at }} without a report.

Error: {{ r.error.msg | md }}
{% if r.error.code %}

| action | code | message | request id |
|---|---|---|---|
| {{ r.error.action | md }} | {{ r.error.code | md }} | {{ r.error.message | md }} | {{ r.error.request_id | md }} |
{% endif %}
{% endif %}

Nothing here says what the cloud holds: no copy, lock or share is listed as current.{{ ' (check mode)' if r.check_mode else '' }}
{% if known %}

**Stale: {{ known.status | md }}** (the last account known, read {{ known.read_at | md }}): {{ known.summary() | md }}
{% endif %}
{% if r.previous_report %}
The last finished report (generated {{ r.previous_report.generated_at or '-' }}, run {{ r.previous_report.run_id or '-' }}) is
kept as history: {{ r.previous_report.files.values() | list | join(', ') }}.
{% endif %}
"""

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1b1b; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #555; }
.state { border: 2px solid {{ colour }}; background: {{ background }}; padding: 4px 16px 8px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
</style>
</head>
<body data-run-state="{{ r.run_state }}" data-run-id="{{ r.run_id }}">
<header>
<h1>{{ title }}</h1>
<p class="meta">Run {{ r.run_id }} of {{ r.scope }}, started {{ r.started_at }}{% if r.get('ended_at') %}, ended {{ r.ended_at }}{% endif %}
{%- if r.check_mode %} &middot; check mode{% endif %}</p>
</header>
<section id="state" class="state">
{% if r.run_state == 'started' %}
<h2 id="summary" class="status-unknown">Not finished</h2>
<p>This run has not written its report. While it runs it may make copies, locks and shares that no report names yet.
If no run is under way, it was stopped before it could write its report (killed): run it again.</p>
{% else %}
<h2 id="summary" class="status-failed">Failed before it could know what it did</h2>
<p id="error">{{ r.error.msg }}</p>
{% if r.error.code %}
<table><tr><th>action</th><th>code</th><th>message</th><th>request id</th></tr>
<tr><td>{{ r.error.action or '-' }}</td><td data-key="code">{{ r.error.code }}</td><td>{{ r.error.message or '-' }}</td>
<td data-key="request_id">{{ r.error.request_id or '-' }}</td></tr></table>
{% endif %}
{% endif %}
<p>Nothing on this page says what the cloud holds: no copy, lock or share is shown as current.</p>
</section>
{% if known %}
<section id="last-known" class="stale">
<h2>The last account known, now stale</h2>
<p><span id="status" class="status-{{ known.status | replace(' ', '-') }}" data-status="{{ known.status }}">{{ known.status }}</span>
 (stale, read {{ known.read_at }}): <span id="stale-summary">{{ known.summary() }}</span></p>
<table><tr><th>DR region</th>{% for word in words.values() %}<th>{{ word }}</th>{% endfor %}</tr>
{% for region, counts in known.posture().regions.items() %}<tr data-region="{{ region }}"><td>{{ region }}</td>
{% for standing in words %}<td data-key="{{ standing }}">{{ counts[standing] }}</td>{% endfor %}</tr>
{% endfor %}</table>
</section>
{% endif %}
{% if r.previous_report %}
<p id="previous">The last finished report (generated {{ r.previous_report.generated_at or '-' }}) is kept as history:
{% if r.previous_report.files.get('html') %}<a href="{{ r.previous_report.files.html | page_link }}">{{ r.previous_report.files.html | page_link }}</a>
{% else %}{{ r.previous_report.files.values() | list | join(', ') }}{% endif %}.</p>
{% endif %}
</body>
</html>
"""


def _page_link(path: object) -> str:
    return str(path).rsplit('/', 1)[-1]


def _environment() -> Environment:
    environment = Environment(
        loader=DictLoader({'md': MARKDOWN_TEMPLATE, 'html': HTML_TEMPLATE}),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=lambda name: name == 'html',
    )
    environment.filters.update(md=escape_cell, page_link=_page_link)
    return environment


ENVIRONMENT = _environment()
# The templates of a run without a report (dr_sync's action compiles them ahead: plugin_utils/_templates.py).
RUN_STATE_TEMPLATES = (ENVIRONMENT, ('md', 'html'))


def _known(report: Mapping[str, Any]) -> ScopeProtection | None:
    return ScopeProtection.from_data(report['protection']) if report.get('protection') else None


def state_markdown(report: Mapping[str, Any]) -> str:
    return ENVIRONMENT.get_template('md').render(r=report, known=_known(report))


def state_html(report: Mapping[str, Any]) -> str:
    """The page of a run without a report: red when it failed, amber while not finished; never a bar or a green."""
    failed = report['run_state'] == FAILED_BEFORE_REPORT
    title = 'DR posture: %s %s \u2192 %s: %s' % (
        report.get('provider') or '-',
        report.get('source_region') or '-',
        ', '.join(report['dr_regions']) or '-',
        'run failed' if failed else 'run not finished',
    )
    colours = ('#c62828', '#fdecea') if failed else ('#f9a825', '#fff8e1')
    return ENVIRONMENT.get_template('html').render(
        r=report, title=title, colour=colours[0], background=colours[1], known=_known(report), words=STANDING_WORDS
    )


def _file_state(path: str) -> tuple[bytes, int] | None:
    """(its bytes, its mode) of the file at ``path``; None when there is none."""
    try:
        with open(path, 'rb') as stream:
            return stream.read(), os.stat(path).st_mode & 0o7777
    except OSError:
        return None


def write_bytes(path: str, data: bytes, mode: int) -> None:
    """``data`` to ``path`` at once (a temporary file beside it, then a rename), with ``mode``."""
    temporary = '%s.%d.put-back' % (path, os.getpid())
    with open(temporary, 'wb') as stream:
        stream.write(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def write_state(paths: Mapping[str, str], report: Mapping[str, Any], mode: int) -> None:
    """The three files of a run without a report (``report`` started_report's or failed_report's), each at once. The JSON,
    which readers look at first, comes last: a run killed between two files leaves no JSON ahead of its pages."""
    write_file(paths['markdown'], state_markdown(report), mode)
    write_file(paths['html'], state_html(report), mode)
    write_file(paths['json'], json.dumps(report, indent=4, sort_keys=False, default=str) + '\n', mode)


class RunReportFiles:
    """The report files of one run of dr_sync's action (``paths`` report_paths'), from its start to its end.

    Writing them never stops the run: an OSError is kept (``problem``) and the action fails the task at its end, as it
    does when the finished report cannot be written; the copies come first."""

    def __init__(self, paths: dict[str, str], run: dict[str, Any], mode: int) -> None:
        self.paths = paths
        self.run = run
        self.mode = mode
        self.previous: dict[str, Any] | None = None
        # The scope's files (and the previous report's) as they were before the run, byte for byte (None: none), put
        # back when the run's input is refused: a typo never rewrites what the last run that knew wrote (issue 62).
        self.before = {path: _file_state(path) for path in (*paths.values(), *previous_paths(paths).values())}
        # Whether any file of this scope was there before the run: a run refused before it knew anything of a scope
        # that has none leaves none (a file named after a typo, dr-report-aws-.html, would outlive the typo).
        self.existed = any(self.before[path] is not None for path in paths.values())
        self.problem: OSError | None = None
        self.written = False
        # Set once the run's own report is written: nothing may then say it failed before it knew.
        self.finished = False

    def start(self) -> None:
        """Keep the last finished report as the previous one and write the marker of this run."""
        try:
            os.makedirs(os.path.dirname(self.paths['json']), mode=0o777, exist_ok=True)  # the umask applies
            self.previous = keep_previous(self.paths)
            write_state(self.paths, started_report(self.run, self.previous), self.mode)
            self.written = True
        except OSError as error:
            self.problem = error

    def put_back(self) -> bool:
        """The run's input was refused before it read its scope: every file of the scope as it was before the run (the
        marker removed, the previous report where it was), none where there was none. Answers whether they are."""
        if self.finished:
            return False
        try:
            for path, state in self.before.items():
                if state is None:
                    if os.path.exists(path):
                        os.unlink(path)
                else:
                    write_bytes(path, *state)
        except OSError as problem:
            self.problem = problem
            return False
        return True

    def fail(self, error: Mapping[str, Any], ended_at: str) -> bool:
        """The run ended without a report: the files say so (``error`` an error_record), with the scope's last account
        marked stale. Answers whether they do."""
        if self.finished:
            return True
        try:
            os.makedirs(os.path.dirname(self.paths['json']), mode=0o777, exist_ok=True)
            write_state(
                self.paths,
                failed_report(self.run, self.previous, ended_at, error, last_known(self.previous)),
                self.mode,
            )
        except OSError as problem:
            self.problem = problem
            return False
        self.written = True
        return True
