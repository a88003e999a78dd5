# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR posture page: a DR run's report (dr_sync's action writes it beside the JSON and the Markdown) and the fleet
report (playbooks/dr_fleet.yml) as one self-contained HTML file each, for an auditor and the person on call.

What it answers at a glance, failures first: per disk and DR region, how old the newest completed copy's recovery point
is (when its source snapshot was taken) against the RPO (max_snapshot_age_hours), as an inline SVG chart; per DR region
the counts of each standing; the restore drill's times. A chart has one scale, printed (the fleet page one for every
scope); only a completed copy has a bar, as long as its age, and every other standing is a mark with its words that no
one can read as an age; every text passes WCAG AA against what is behind it; no machine's or cloud's raw word is shown.
It loads nothing (a Content-Security-Policy forbids it) and runs no script: it opens the same from a mail attachment, an
AWX artifact or a file share. Every number is the model's (the JSON report's protection), and each carries it in a data-
attribute too (tests/docs/test_posture_page.py reads the page as a person does and holds it to the model).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup, escape

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    AT_RISK,
    IN_FLIGHT,
    NO_COPY,
    NOT_KNOWN,
    NOTHING_TO_PROTECT,
    OVER_RPO,
    PLANNED,
    PROTECTED,
    STANDING_WORDS as MODEL_WORDS,
    STANDINGS,
    WITHIN_RPO,
    WOULD_BE_PROTECTED,
    ScopeProtection,
    counted,
    of_report,
    point_rows,
    scope_groups,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import (
    disk_label,
    dr_account_line,
    lock_rows,
    lock_summary,
    lock_words,
    look_alike_lines,
    not_crash_consistent_line,
    summary_line,
    verified_points_line,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plain_words import plain
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import (
    copies_words,
    gib,
    plan_totals,
    region_rows,
    time_words,
    usd,
    why_full_words,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_html import (
    FLEET_PLANS_TEMPLATE,
    MAX_UNPRICED,
    PLAN_TEMPLATE,
)

# The chart's rows: every disk and DR region that is not within the RPO, then those that are, up to this many.
MAX_CHART_ROWS = 400
# The fleet page's cells of a scope whose run failed are RUN_FAILED whatever its counts say: its run read and did only part
# of what it was asked, so none of it is drawn, neither as protected nor as an age.
RUN_FAILED = 'run_failed'
# The most disks not covered a page lists (a region of thousands of untagged disks); the JSON report has them all.
MAX_UNCOVERED_ROWS = 200
# A completed copy whose recovery point is not known (its source snapshot is gone): no age to draw.
AGE_NOT_KNOWN = 'age_not_known'
# The DR regions of a scope that has nothing to protect (no disk, as allow_no_disks expects): a neutral mark, no alarm.
NO_DISK = 'no_disk'
STANDING_WORDS = dict(
    MODEL_WORDS,
    **{RUN_FAILED: 'run failed (not known)', AGE_NOT_KNOWN: 'age not known', NO_DISK: NOTHING_TO_PROTECT},
)
# A status's class on the pages: protected in green, at risk in red, not known in grey, and the neutral ones (nothing
# to protect, a plan's "would be protected") in grey too; never a run's mechanics.
STATUS_CLASSES = {
    PROTECTED: 'status-protected',
    AT_RISK: 'status-at-risk',
    NOT_KNOWN: 'status-not-known',
    NOTHING_TO_PROTECT: 'status-neutral',
    WOULD_BE_PROTECTED: 'status-neutral',
}
# Only a completed copy has a bar, as long as its recovery point's age, in its standing's colour (the screenshot test
# counts bars by colour). Bars are graphics, not text: WCAG asks 3:1 against the page, which both have.
BAR_COLOURS = {WITHIN_RPO: '#2e7d32', OVER_RPO: '#e53935'}
# Every other standing is a mark, never a bar: a symbol and its words in a badge, left of the chart's hours, so that it
# cannot be read as an age nor cross the RPO line. (symbol, fill, text): each fill is used by nothing else on the pages
# (the screenshot test counts marks by it) and each text colour passes WCAG AA (4.5:1) on it (test_report_html.py).
MARKS = {
    NO_COPY: ('\u2715', '#fde0dc', '#8e0000'),
    IN_FLIGHT: ('\u25d4', '#ffefc2', '#6b4700'),
    PLANNED: ('\u25cb', '#dfe9fb', '#0d3c8c'),
    RUN_FAILED: ('?', '#e2e2e2', '#333333'),
    AGE_NOT_KNOWN: ('!', '#ffe6d5', '#7a1f00'),
    NO_DISK: ('\u2013', '#ecf0f4', '#37474f'),
}
# The colour each standing is drawn in: its bar's, or its mark's fill.
COLOURS = dict(BAR_COLOURS, **{kind: fill for kind, (dummy, fill, dummy) in MARKS.items()})
# The chart's order: what needs a person first.
WORST_FIRST = (NO_COPY, OVER_RPO, IN_FLIGHT, PLANNED, WITHIN_RPO)
# The round numbers of hours an axis ends on: the first at or above every age and a tenth above every RPO.
AXIS_HOURS = (1, 2, 3, 4, 6, 8, 12, 18, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720)
# The scope page's chart, in pixels: labels end at LABEL_RIGHT, marks start at MARK_LEFT, then the bars' BAR_WIDTH.
LABEL_RIGHT, MARK_LEFT, BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT, TOP, FONT = 430, 440, 360, 20, 14, 40, 12
# The fleet page's cells: the region's name, then its marks, then its bar (one layout and one scale for every scope).
FLEET_MARK_LEFT, FLEET_BAR_WIDTH, FLEET_ROW, FLEET_TOP, FLEET_FONT = 88, 120, 16, 18, 11
AXIS_COLOUR, GRID_COLOUR = '#767676', '#bdbdbd'
# A fleet cell's marks in short (its legend and column headers say them in full), and a chart row's mark of a completed
# copy older than the RPO whose age is not known.
SHORT_WORDS = dict(STANDING_WORDS, **{IN_FLIGHT: 'in flight', PLANNED: 'planned', RUN_FAILED: 'run failed'})
OVER_AGE_NOT_KNOWN = '%s: %s' % (STANDING_WORDS[OVER_RPO], STANDING_WORDS[AGE_NOT_KNOWN])


def lock_state(lock: Mapping[str, Any]) -> str:
    """A lock as people read it: whether it holds, and its cool-off (never the cloud's own status word)."""
    words = 'in force' if lock.get('in_force') else 'not in force'
    return words + (', cool-off until %s' % lock['cool_off_ends'] if lock.get('cool_off_ends') else '')


def failed_scope_problems(scope: Mapping[str, Any]) -> tuple[str | None, list[str | None]]:
    """(what to say first, the problems) of a failed scope in the fleet's failures box, each problem once: its error
    unless that says its problems again (the role's last task fails with them, dr_posture_info's message lists the
    first five), else how many problems it had."""
    problems = list(dict.fromkeys(scope.get('failures') or []))
    error = scope.get('error')
    if error and any(problem in error for problem in problems):
        error = None
    failures = scope.get('failures') or []
    # The run's count, less the repeats left out (more than listed: the fleet keeps the first 20).
    count = max(int(scope.get('failure_count') or 0) - (len(failures) - len(problems)), len(problems))
    if error:
        return plain(error), [plain(problem) for problem in problems]
    first = counted(count, 'problem') + (' (the first %d below)' % len(problems) if count > len(problems) else '')
    return first, [plain(problem) for problem in problems]


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1b1b; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: #555; margin: 0 0 8px; } .summary { font-weight: 600; }
.failures { border: 2px solid #c62828; background: #fdecea; padding: 4px 16px 8px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; } .bad { color: #b71c1c; font-weight: 600; }
.status-failed, .status-at-risk { color: #b71c1c; font-weight: 700; } .status-protected { color: #2e7d32; font-weight: 700; }
.status-not-known, .status-neutral { color: #424242; font-weight: 700; } .status-ok { color: #2e7d32; font-weight: 700; }
.stale { border: 2px solid #616161; background: #eeeeee; padding: 4px 16px 8px; }
.legend span { display: inline-block; margin-right: 14px; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
.mark { display: inline-block; min-width: 14px; padding: 0 1px; margin-right: 4px; border-radius: 3px; text-align: center;
 font-style: normal; font-size: 12px; line-height: 16px; }
td.what { min-width: 11em; } svg { font: 12px system-ui, sans-serif; } footer { margin-top: 24px; color: #555; }
.neutral { color: #424242; font-weight: 400; }
body.fleet { max-width: none; margin: 16px; } body.fleet > header, body.fleet section > p, body.fleet .failures { max-width: 1100px; }
table.fleet th { font-size: 12px; vertical-align: bottom; padding: 3px 4px; } table.fleet td { padding: 3px 4px; }
table.fleet td.scope { white-space: nowrap; font-size: 13px; } table.fleet .what { display: block; color: #555; font-size: 12px; white-space: normal; }
table.fleet td.kept { font-size: 12px; max-width: 11em; } .id { white-space: nowrap; } .locks { white-space: nowrap; }
#plan td.number, #plans td.number { white-space: nowrap; }
"""

PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ style }}</style>
</head>
<body{% if body_class %} class="{{ body_class }}"{% endif %}>
{% block body %}{% endblock %}
</body>
</html>
"""

# The legend of the chart (the scope page) and of the bars (the fleet page): the bars' colours, the marks, the RPO line.
LEGEND_TEMPLATE = """<p class="legend">Bars: {% for standing in bar_colours %}<span><i class="swatch" style="background: {{
 bar_colours[standing] }}"></i>{{ words[standing] }}</span>
{% endfor %}<span>dashed line: {{ rpo_words }}</span></p>
<p class="legend">Marks, no age: {% for kind in mark_kinds %}<span><i class="mark" style="background: {{ marks[kind][1] }}; color: {{
 marks[kind][2] }}">{{ marks[kind][0] }}</i>{{ words[kind] }}</span>
{% endfor %}</p>
"""

DR_TEMPLATE = """{% extends 'page' %}{% block body %}
<header>
<h1>{{ title }}</h1>
<p class="meta">Generated {{ report.generated_at }}{% if report.account %} &middot; account {{ report.account }}{% endif %}
 &middot; {% if rpo %}RPO <span id="rpo" data-hours="{{ rpo }}">{{ rpo | hours }}</span> (max_snapshot_age_hours){% else %}no RPO set
 (max_snapshot_age_hours): every completed copy counts as within it{% endif %}{% if report.check_mode %} &middot; check mode: a plan{% endif %}</p>
<p class="summary"><span id="status" class="{{ status_class }}" data-status="{{ protection.status }}">{{ protection.status }}</span>:
 <span id="summary">{{ summary }}</span></p>
{% if protection.stale %}<p id="stale" class="stale">Stale: {{ protection.stale }}. What follows is the last account known, read
 {{ protection.read_at }}.</p>{% endif %}
{% if protection.limited_to is not none %}<p id="limited">The newest run was limited to {{ protection.limited_to | length }} disk(s)
 ({{ protection.limited_to | join(', ') }}); {% if protection.complete %}the other disks are as last read (below, with when){% else %}no run
 has read the scope's other disks yet: not known{% endif %}.</p>{% endif %}
{% if vault_account %}<p id="dr-account">{{ vault_account }}</p>{% endif %}
{% if vault_locks %}<p id="lock-summary">{{ vault_locks }}</p>{% endif %}
</header>
{% if report.failures %}
<section id="failures" class="failures">
<h2>Failures ({{ failures | length }})</h2>
<ul>{% for failure in failures %}<li>{{ failure | plain }}</li>{% endfor %}</ul>
</section>
{% endif %}
{% if report.check_mode %}{% include 'plan' %}{% endif %}
<section id="regions">
<h2>DR regions</h2>
<table>
<tr><th>DR region</th>{% for standing in standings %}<th>{{ words[standing] }}</th>{% endfor %}<th>oldest recovery point</th></tr>
{% for region in protection.dr_regions %}{% set counts = posture.regions[region] %}
<tr data-region="{{ region }}"><td>{{ region }}</td>
{% for standing in standings %}
<td class="number{% if counts[standing] and standing not in (within, planned) %} bad{% endif %}" data-key="{{ standing }}">{{ counts[standing] }}</td>
{% endfor %}
<td class="number" data-key="oldest_recovery_point_hours"
 data-hours="{{ counts.oldest_recovery_point_hours | json_number }}">{{ counts.oldest_recovery_point_hours | hours }}</td></tr>
{% endfor %}
</table>
</section>
<section id="chart">
<h2>Recovery point of each disk's DR copy</h2>
<p>How old the data of each DR copy is: the age of the snapshot it was copied from, against the RPO. A completed
 copy is a bar from 0 h as long as that age, on one scale for every row; a disk and DR region without one has a mark
 instead, and no bar.</p>
{% include 'legend' %}
{{ chart }}
{% if hidden %}<p>&hellip; and {{ hidden }} more disks and DR regions within the RPO, in the JSON report.</p>{% endif %}
</section>
{% if not report.check_mode %}{% include 'plan' %}{% endif %}
{% if groups %}
<section id="groups">
<h2>Consistency groups</h2>
<p>Each group's disks are copied from one set of snapshots the cloud made at one moment, and stand in a DR region only
 together: with every member's copy there completed and of one set.</p>
{% if consistency_line %}<p class="neutral" id="not-crash-consistent">{{ consistency_line }}.</p>{% endif %}
{% for line in look_alikes %}<p class="bad" data-key="look-alike">{{ line }}.</p>{% endfor %}
<table>
<tr><th>group</th><th>disks</th>{% for region in protection.dr_regions %}<th>{{ region }}</th>{% endfor %}</tr>
{% for name, members in groups.items() %}<tr data-group="{{ name }}"><td>{{ name }}</td>
<td data-key="disks">{{ members | map(attribute='disk_id') | join(', ') }}</td>
{% for region in protection.dr_regions %}{% set cell = members[0].region(region) %}
<td data-region="{{ region }}" data-set="{{ cell.set_id or '' }}" class="{{ '' if cell.standing in (within, planned) else 'bad' }}">
{{ words[cell.standing] }}{% if cell.set_id %} (set {{ cell.set_id }}){% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>
</section>
{% endif %}
{% if points_line %}
<section id="points">
<h2>Recovery points</h2>
<p id="points-line" data-verified="{{ point_rows | selectattr('verified_copy_id') | list | length }}"
 data-suspect="{{ point_rows | selectattr('suspect') | list | length }}"
 data-doubt="{{ point_rows | selectattr('doubt') | list | length }}">{{ points_line }}. A verified copy's blocks were
 read beside its source's; where the newest copy is in doubt (it differs from its source, is suspect or unmeasured), the
 disk stands by its last known good copy, which pruning keeps.</p>
{% if point_rows %}<table>
<tr><th>disk</th><th>DR region</th><th>newest copy</th><th>newest verified</th><th>last known good</th></tr>
{% for point in point_rows %}<tr data-disk="{{ point.disk_id }}" data-region="{{ point.region }}">
<td>{{ point.disk_id }}</td><td>{{ point.region }}</td>
<td data-key="copy" class="{{ 'bad' if point.doubt else '' }}">{{ point.copy_id or '-' }}
{%- if point.recovery_point %} (data from {{ point.recovery_point }}){% endif %}{% if point.doubt %}; newest copy
 {{ point.doubt_copy_id }} {{ point.doubt }}{% endif %}</td>
<td data-key="verified">{{ point.verified_copy_id or '-' }}
{%- if point.verified_point %} (data from {{ point.verified_point }}){% endif %}</td>
<td data-key="last_known_good">{{ point.last_known_good or '-' }}
{%- if point.last_known_good_point %} (data from {{ point.last_known_good_point }}){% endif %}</td></tr>
{% endfor %}</table>{% endif %}
</section>
{% endif %}
{% if protection.uncovered is not none %}
<section id="coverage">
<h2>Not covered</h2>
<p id="coverage-line" data-not-covered="{{ protection.not_covered }}" data-near-misses="{{ protection.near_misses }}"
 data-exempt="{{ protection.exempt }}">{{ protection.coverage_heading() }}. No run copies these disks; a near miss carries the
 selector's tags but for case or spaces, and is almost always meant to be covered.</p>
{% if uncovered %}<table>
<tr><th>disk</th><th>name</th><th>near miss</th></tr>
{% for disk in uncovered %}<tr data-disk="{{ disk.disk_id }}"><td>{{ disk.disk_id }}</td><td>{{ disk.name or '-' }}</td>
<td data-key="near_miss" class="{{ 'bad' if disk.near_miss else '' }}">{{ disk.near_miss | join(', ') or '-' }}</td></tr>
{% endfor %}</table>
{% if more_uncovered %}<p>&hellip; and {{ more_uncovered }} more, in the JSON report.</p>{% endif %}{% endif %}
</section>
{% endif %}
{% if protection.limited_to is not none %}
<section id="disks">
<h2>When each disk was read</h2>
<table><tr><th>disk</th><th>read</th>{% for region in protection.dr_regions %}<th>{{ region }}</th>{% endfor %}</tr>
{% for disk in protection.disks %}<tr data-disk="{{ disk.disk_id }}"><td>{{ disk.disk_id }}</td><td data-key="read_at">{{ disk.read_at }}</td>
{% for region in protection.dr_regions %}<td data-region="{{ region }}">{{ words[disk.region(region).standing] }}</td>{% endfor %}</tr>
{% endfor %}</table>
</section>
{% endif %}
{% if locks %}
<section id="locks">
<h2>Locks</h2>
<table>
<tr><th>disk</th><th>DR region</th><th>copy</th><th>mode</th><th>in force</th><th>until</th><th>what the run did</th></tr>
{% for lock in locks %}
<tr data-lock="{{ lock.snapshot_id or '%s/%s' % (lock.disk_id, lock.region) }}">
<td>{{ lock.disk_id }}</td><td>{{ lock.region }}</td><td>{{ lock.snapshot_id or '-' }}</td>
<td data-key="mode">{{ lock.mode or '-' }}</td><td data-key="status">{{ lock_state(lock) }}</td><td data-key="expires">{{ lock.expires or '-' }}</td>
<td data-key="action" class="{{ 'bad' if lock.action in ('lock_failed', 'expired') else '' }}">{{ lock_words(lock) | plain }}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}
{% if report.restore %}
<section id="drill">
<h2>Restore drill</h2>
<table>
<tr><th>DR region</th><th>disk</th><th>copy</th><th>result</th><th>usable after</th><th>test disk</th></tr>
{% for test in report.restore.tests %}
<tr data-region="{{ test.region }}"><td class="id">{{ test.region }}</td><td class="id">{{ test.disk_id }}</td><td class="id">{{ test.copy_id }}</td>
<td class="{{ 'status-ok' if test.result == 'passed' else 'status-failed' if test.result in ('failed', 'timed_out') else '' }}"
 data-key="result">{{ test.result | plain }}</td>
<td class="number" data-key="seconds_to_usable" data-seconds="{{ test.seconds_to_usable | json_number }}">{{
 '%s s' % test.seconds_to_usable if test.seconds_to_usable is not none else '-' }}</td>
<td>{{ test.test_disk_id or '-' }}{% if test.test_disk %} ({{ test.test_disk.action | plain }}){% endif %}
{%- if test.error %}: {{ test.error.message | default(test.error) | plain }}{% endif %}</td></tr>
{% else %}<tr><td colspan="6">no test in this run</td></tr>
{% endfor %}
</table>
{% if report.restore.get('validation') %}{% set checks = report.restore.validation %}
<p id="checks" data-state="{{ checks.state }}">Your checks on {{ checks.instance_id }}: {{ checks.state
 | replace('pending', 'not run yet (the disks are held for them)') }}{% if checks.get('seconds') is not none %} in {{ checks.seconds }} s{% endif %}
{%- if checks.state == 'failed' %}, at &ldquo;{{ checks.failed_task }}&rdquo;: {{ checks.message }}{% endif %}.
{% if checks.state == 'failed' %} The drill failed: no disk known good.
{% else %}{% for test in report.restore.get('held') or [] %}{% if loop.first %}Time to a disk known good:{% endif %}
 {{ test.disk_id }} {{ '%s s' % test.seconds_to_validated if test.get('seconds_to_validated') is not none else '-' }}{% if not loop.last %};{% endif %}
{% endfor %}{% endif %}</p>{% endif %}
</section>
{% endif %}
<footer>{{ report.provider }} {{ report.source_region }}: {{ protection.disks | length }} disks, run took {{ report.duration_seconds | default('-') }} s.
{% if report_files %} Report files: {{ report_files.json }}, {{ report_files.markdown }}.{% endif %}</footer>
{% endblock %}"""

FLEET_TEMPLATE = """{% extends 'page' %}{% block body %}
<header>
<h1>{{ title }}</h1>
<p class="meta">Generated {{ report.generated_at }}{% if report.limit %} &middot; slice --limit {{ report.limit }}{% endif %}
{%- if report.check_mode %} &middot; check mode: a plan{% endif %}</p>
<p class="summary" id="summary">{{ report.totals.scopes }} scopes: {{ report.totals.protected_scopes }} protected,
 {{ report.totals.at_risk_scopes }} at risk, {{ report.totals.not_known_scopes }} not known
{%- if report.totals.get('would_be_protected_scopes') %}, {{ report.totals.would_be_protected_scopes }} would be protected{% endif %}
{%- if report.totals.get('nothing_to_protect_scopes') %}, {{ report.totals.nothing_to_protect_scopes }} with nothing to protect
{%- endif %}; {{ report.totals.failed_scopes }} runs failed;
 {{ report.totals.disks }} disks, {{ report.totals.without_dr_copy }} without a DR copy;
 {{ report.totals.over_rpo }} disk copies older than the RPO, {{ report.totals.no_copy }} without a copy
{%- if report.totals.not_covered is not none %}; <span id="not-covered" data-count="{{ report.totals.not_covered }}">{{
 report.totals.not_covered }} disks that no scope covers</span>{% endif %}
{%- if report.totals.accounts_without_scope is not none %}; <span id="accounts-without-scope"
 data-count="{{ report.totals.accounts_without_scope }}">{{ report.totals.accounts_without_scope }} accounts of the organisation
 without a scope</span>{% endif %}</p>
</header>
{% if report.failed_scopes %}
<section id="failures" class="failures">
<h2>Failed scopes ({{ report.failed_scopes | length }})</h2>
<ul>{% for scope in report.scopes if scope.run == 'failed' %}{% set first, problems = failed_scope_problems(scope) %}
<li data-scope="{{ scope.scope }}"><b>{{ scope.scope }}</b>: {{ first }}
{% if problems %}<ul>{% for problem in problems %}<li>{{ problem }}</li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul>
</section>
{% endif %}
<section id="scopes">
<h2>Scopes</h2>
<p>Per DR region, the oldest recovery point of its completed copies as a bar from 0 h, every scope on one scale; the
 disks with no age to draw as marks, with how many.</p>
{% include 'legend' %}
<table class="fleet">
<tr><th>scope: its page, and what it copies</th><th>status</th><th>DR copies kept by: account, locks</th><th>disks</th><th>RPO</th>
<th>oldest recovery point per DR region</th><th>copies older than the RPO</th>
<th>no copy</th><th>in flight</th><th>not covered</th><th>restore tests passed / failed</th></tr>
{% for scope in report.scopes %}
<tr data-scope="{{ scope.scope }}"><td class="scope">{% if scope.report_files and scope.report_files.html
 %}<a class="scope-name" href="{{ scope.report_files.html | page_link }}">{{ scope.scope }}</a>{% else
 %}<span class="scope-name">{{ scope.scope }}</span>{% endif %}
<span class="what">{{ scope.provider or '-' }} {{ scope.source_region or '' }} &rarr; {{ scope.dr_regions | join(', ') }}</span></td>
<td class="{{ status_classes[scope.status] }}" data-key="status">{{ scope.status }}{% if scope.run == 'failed' %} (run failed){% endif %}</td>
<td class="kept" data-key="dr_account">{% if scope.get('dr_account') %}<span class="id">{{ scope.dr_account }}</span>
{%- elif scope.run != 'failed' %}the disks' account{% else %}-{% endif %}
{%- if scope.get('locks') and scope.locks.in_force %}; <span class="locks">{{ scope.locks.in_force }} locked
{%- if scope.locks.first_lock_ends and not shared_lock_day %}, the first to <span class="id" title="{{ scope.locks.first_lock_ends }}">{{
 scope.locks.first_lock_ends[:10] }}</span>{% endif %}</span>{% endif %}</td>
<td class="number" data-key="disks">{{ scope.disks }}</td>
<td class="number" data-key="rpo_hours" data-hours="{{ scope.rpo_hours | json_number }}">{{ scope.rpo_hours | hours if scope.rpo_hours else 'none' }}</td>
<td>{{ scope_charts[scope.scope] }}</td>
<td class="number{% if scope.over_rpo %} bad{% endif %}" data-key="over_rpo">{{ scope.over_rpo }}</td>
<td class="number{% if scope.no_copy %} bad{% endif %}" data-key="no_copy">{{ scope.no_copy }}</td>
<td class="number" data-key="in_flight">{{ scope.in_flight }}</td>
<td class="number{% if scope.near_misses_by_any %} bad{% endif %}" data-key="not_covered">{{ '-' if scope.get('not_covered_by_any') is none
 else scope.not_covered_by_any }}{% if scope.near_misses_by_any %} ({{ scope.near_misses_by_any }} near){% endif %}</td>
<td class="number{% if scope.restore_failed %} bad{% endif %}" data-key="restore">{{ scope.restore_passed }} / {{ scope.restore_failed }}</td>
</tr>
{% endfor %}
</table>
{% if shared_lock_day %}<p id="lock-ends">Locks: the first lock of each scope that locks ends on {{ shared_lock_day }} (UTC).</p>{% endif %}
</section>
{% include 'fleet_plans' %}
{% if report.get('not_covered_disks') %}
<section id="not-covered-disks">
<h2>Not covered ({{ report.not_covered_disks | length }})</h2>
<p>The disks of the scopes' source regions that no scope covers, near misses first: a near miss carries a selector's
 tags but for case or spaces, and is almost always meant to be covered. A disk one scope leaves and another takes is
 covered.</p>
<table>
<tr><th>source region</th><th>account</th><th>disk</th><th>name</th><th>near miss</th><th>left by</th></tr>
{% for disk in report.not_covered_disks[:max_uncovered] %}
<tr data-disk="{{ disk.disk_id }}"><td class="id">{{ disk.source_region or '-' }}</td><td class="id">{{ disk.account or 'not known' }}</td>
<td class="id">{{ disk.disk_id }}</td><td>{{ disk.name or '-' }}</td>
<td data-key="near_miss" class="{{ 'bad' if disk.near_miss else '' }}">{{ disk.near_miss | join(', ') or '-' }}</td>
<td data-key="scopes">{% for name in disk.scopes %}<span class="id">{{ name }}</span>{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}
</table>
{% if report.not_covered_disks | length > max_uncovered %}<p>&hellip; and {{ report.not_covered_disks | length - max_uncovered }} more, in
 the JSON report.</p>{% endif %}
</section>
{% endif %}
{% set suspect = report.scopes | selectattr('suspect') | list %}
{% if suspect %}
<section id="suspect">
<h2>Copies in doubt</h2>
<p>A copy in doubt is no proof of its disk's data: it differs from its source, its source rewrote far more of the disk
 than usual (suspect, as ransomware does), or that rewrite could not be measured. The disk stands by its last known good
 copy, which pruning keeps until a person deletes the differing copy or takes the tag off.</p>
<table>
<tr><th>scope</th><th>disk</th><th>DR region</th><th>copy in doubt</th><th>last known good copy</th></tr>
{% for scope in suspect %}{% for point in scope.suspect %}
<tr data-scope="{{ scope.scope }}" data-disk="{{ point.disk_id }}" data-region="{{ point.region }}"><td>{{ scope.scope }}</td>
<td>{{ point.disk_id }}</td><td>{{ point.region }}</td><td class="bad" data-key="copy">{{ point.doubt_copy_id or '-' }}
 {{ point.doubt }}</td>
<td data-key="last_known_good">{{ point.last_known_good or 'none' }}{% if point.last_known_good_point %} (data from
 {{ point.last_known_good_point }}){% endif %}</td></tr>
{% endfor %}{% endfor %}
</table>
</section>
{% endif %}
{% set grouped = report.scopes | selectattr('groups') | list %}
{% if grouped %}
<section id="groups">
<h2>Consistency groups</h2>
<p>Disks copied and counted as one set of snapshots made at one moment: a group stands in a DR region only with every
 member's copy there completed and of one set.</p>
<table>
<tr><th>scope</th><th>group</th><th>disks</th><th>status</th><th>per DR region: set (recovery point age)</th></tr>
{% for scope in grouped %}{% for group in scope.groups %}
<tr data-scope="{{ scope.scope }}" data-group="{{ group.name }}"><td>{{ scope.scope }}</td><td>{{ group.name }}</td>
<td data-key="disks">{{ group.disks | join(', ') }}</td>
<td class="{{ status_classes[group.status] }}" data-key="status">{{ group.status }}</td>
<td data-key="regions">{% for cell in group.regions %}{{ cell.region }}: {{ words[cell.standing] }}{% if cell.set_id %}, set {{ cell.set_id }}
 ({{ cell.recovery_point_age_hours | hours }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}</td></tr>
{% endfor %}{% endfor %}
</table>
{% for scope in grouped %}{% for line in scope.look_alikes | default([]) %}
<p class="bad" data-scope="{{ scope.scope }}" data-key="look-alike">{{ scope.scope }}: {{ line }}.</p>
{% endfor %}{% endfor %}
</section>
{% endif %}
{% for organization in report.organizations or [] %}
<section class="organization" data-organization="{{ organization.provider }}/{{ organization.management_account }}">
<h2>Accounts without a DR scope: {{ organization.provider }} organisation of {{ organization.management_account }}</h2>
<p>{{ organization.accounts }} accounts, {{ organization.with_scopes }} with scopes
{%- if organization.not_in_report %}; <span class="bad" data-key="not_in_report">{{ organization.not_in_report | length }} of those
 have no scope in this report</span> (--limit, or scopes that never reported){% endif %}.</p>
{% if organization.without_scope %}
<table>
<tr><th>account</th><th>name</th><th>why it has no scope</th></tr>
{% for account in organization.without_scope %}
<tr data-account="{{ account.account }}"><td>{{ account.account }}</td><td>{{ account.name }}</td><td class="neutral" data-key="why">{{ account.why }}</td></tr>
{% endfor %}
</table>
{% endif %}
</section>
{% endfor %}
{% if report.accounts %}
<section id="accounts">
<h2>Accounts</h2>
<p>Per account, the disks of its scopes by status, and the disks of their source regions that no scope takes.</p>
<table>
<tr><th>provider</th><th>account</th><th>scopes</th><th>protected</th><th>at risk</th><th>not known</th>
{%- if report.check_mode %}<th>would be protected</th>{% endif %}<th>not covered</th></tr>
{% for account in report.accounts %}
<tr data-account="{{ account.provider }}/{{ account.account }}"><td>{{ account.provider or '-' }}</td><td>{{ account.account or 'not known' }}</td>
<td class="number" data-key="scopes">{{ account.scopes }}</td>
<td class="number" data-key="protected_disks">{{ account.protected_disks }}</td>
<td class="number{% if account.at_risk_disks %} bad{% endif %}" data-key="at_risk_disks">{{ account.at_risk_disks }}</td>
<td class="number" data-key="not_known_disks">{{ account.not_known_disks }}</td>
{%- if report.check_mode %}<td class="number" data-key="would_be_protected_disks">{{ account.would_be_protected_disks }}</td>{% endif %}
<td class="number{% if account.not_covered %} bad{% endif %}" data-key="not_covered">{{ '-' if account.not_covered is none
 else account.not_covered }}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}
{% endblock %}"""


def hours(value: float | None) -> str:
    """A number of hours as the page shows it: '3.2 h'; '-' for none."""
    return '-' if value is None else '%g h' % round(float(value), 1)


def json_number(value: object) -> object:
    return '' if value is None else value


def page_link(path: object) -> str:
    """A scope's page as the fleet page links it: by its name, as both are written in the same report folder."""
    return str(path).rsplit('/', 1)[-1]


def _environment() -> Environment:
    environment = Environment(
        loader=DictLoader(
            {
                'page': PAGE_TEMPLATE,
                'legend': LEGEND_TEMPLATE,
                'plan': PLAN_TEMPLATE,
                'fleet_plans': FLEET_PLANS_TEMPLATE,
                'dr': DR_TEMPLATE,
                'fleet': FLEET_TEMPLATE,
            }
        ),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(hours=hours, json_number=json_number, page_link=page_link, plain=plain)
    environment.globals.update(
        usd=usd, gib=gib, copies_words=copies_words, time_words=time_words, why_full_words=why_full_words
    )
    return environment


ENVIRONMENT = _environment()
# The templates each page's rendering reaches (the actions compile them ahead: plugin_utils/_templates.py).
DR_PAGE_TEMPLATES = (ENVIRONMENT, ('dr', 'page', 'legend', 'plan'))
FLEET_PAGE_TEMPLATES = (ENVIRONMENT, ('fleet', 'page', 'legend', 'fleet_plans'))


def chart_rows(protection: ScopeProtection) -> tuple[list[dict[str, Any]], int]:
    """(rows shown, how many within the RPO are left out): a row per disk and DR region of the model, worst standing
    first, then the oldest recovery point first."""
    rows: list[dict[str, Any]] = []
    for disk in protection.disks:
        for region in protection.dr_regions:
            cell = disk.region(region)
            rows.append(
                {
                    'disk_id': disk.disk_id,
                    'label': disk_label(disk.disk_id, disk.name),
                    'region': region,
                    'standing': cell.standing,
                    'hours': cell.recovery_point_age_hours,
                    'snapshot_id': cell.copy_id,
                }
            )
    rows.sort(key=lambda row: (WORST_FIRST.index(row['standing']), -(row['hours'] or 0), row['label'], row['region']))
    shown = [row for row in rows if row['standing'] != WITHIN_RPO]
    shown += [row for row in rows if row['standing'] == WITHIN_RPO][: max(0, MAX_CHART_ROWS - len(shown))]
    return shown, len(rows) - len(shown)


def _svg_text(text: object) -> str:
    return str(escape(text))


def axis_top(ages: Iterable[float | None], rpos: Iterable[float | None]) -> float:
    """The hours at a chart's right end: the first round number of AXIS_HOURS at or above every age and a tenth above
    every RPO (so that the RPO line never sits on the end), past them a multiple of 30 days."""
    need = max([age for age in ages if age is not None] + [rpo * 1.1 for rpo in rpos if rpo] + [1])
    return next((top for top in AXIS_HOURS if top >= need), AXIS_HOURS[-1] * math.ceil(need / AXIS_HOURS[-1]))


class Scale:
    """Hours along a chart: 0 h at ``left``, ``top`` hours ``width`` pixels to its right."""

    def __init__(self, top: float, left: float, width: float) -> None:
        self.top, self.left, self.width = top, left, width

    @property
    def right(self) -> float:
        return self.left + self.width

    def x(self, age: float) -> float:
        return self.left + self.width * age / self.top

    def bar_width(self, age: float) -> float:
        # A recovery point minutes old still shows as a sliver, never as nothing.
        return max(2.0, self.width * age / self.top)

    def axis(self, y: int, bottom: int, font: int) -> str:
        """The hours printed: a line from 0 h to the top with a tick and its hours at each end, and a grid line at 0 h
        down to ``bottom`` where the bars start."""
        return (
            '<g class="axis" fill="#1b1b1b"><line x1="%(left).1f" y1="%(y)d" x2="%(right).1f" y2="%(y)d" stroke="%(axis)s"/>'
            '<line class="tick" x1="%(left).1f" y1="%(y)d" x2="%(left).1f" y2="%(bottom)d" stroke="%(grid)s"/>'
            '<line class="tick" x1="%(right).1f" y1="%(tick)d" x2="%(right).1f" y2="%(y)d" stroke="%(axis)s"/>'
            '<text class="tick-label" x="%(left).1f" y="%(text)d" font-size="%(font)d">0 h</text>'
            '<text class="tick-label" x="%(right).1f" y="%(text)d" font-size="%(font)d" text-anchor="end">%(top)s</text></g>'
            % {
                'left': self.left,
                'right': self.right,
                'y': y,
                'tick': y - 4,
                'text': y - 5,
                'bottom': bottom,
                'font': font,
                'axis': AXIS_COLOUR,
                'grid': GRID_COLOUR,
                'top': _svg_text(hours(self.top)),
            }
        )


def text_width(text: str, font: int) -> int:
    """A generous guess of the pixels ``text`` takes at ``font`` pixels (DejaVu Sans averages well under 0.62 em)."""
    return math.ceil(len(text) * font * 0.62)


def mark_text(kind: str, count: int | None = None, words: str | None = None) -> str:
    """A mark's symbol, its count (the fleet's), and its words."""
    return '%s %s%s' % (MARKS[kind][0], '' if count is None else '%d ' % count, words or STANDING_WORDS[kind])


def fleet_mark_text(kind: str, count: int | None) -> str:
    """A fleet cell's mark: how many disks stand so there (none for a failed scope's), in short; a region where no disk
    stands at all says so."""
    if kind == NO_DISK:
        return mark_text(kind)
    if count == 0:
        return mark_text(kind, words='%s (no disk)' % SHORT_WORDS[kind])
    return mark_text(kind, count, SHORT_WORDS[kind])


def mark_width(text: str, font: int) -> int:
    # Room on the right of the words, so that a badge is a badge in a screenshot too (a band of its fill on every row).
    return text_width(text, font) + 2 * font + 2


def mark_svg(
    kind: str,
    text: str,
    x: float,
    y: int,
    width: float,
    height: int,
    font: int,
    count: int | None = None,
    title: str | None = None,
) -> str:
    """A mark: its words on its fill, a badge (never a bar: it stands left of the hours and has no length); a ``title``
    other than its words is what a pointer over it shows."""
    dummy, fill, colour = MARKS[kind]
    return (
        '<g class="mark" data-standing="%s"%s>%s<rect x="%.1f" y="%d" width="%d" height="%d" rx="3" fill="%s"/>'
        '<text x="%.1f" y="%d" font-size="%d" fill="%s">%s</text></g>'
        % (
            kind,
            '' if count is None else ' data-count="%d"' % count,
            '<title>%s</title>' % _svg_text(title) if title and title != text else '',
            x,
            y,
            width,
            height,
            fill,
            x + font / 2,
            y + height - (height - font) / 2 - 2,
            font,
            colour,
            _svg_text(text),
        )
    )


def row_mark(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """(mark, its words) of a chart row that has no age to draw; None for a completed copy with one."""
    if row['standing'] not in (WITHIN_RPO, OVER_RPO):
        return row['standing'], mark_text(row['standing'])
    if row['hours'] is None:
        return AGE_NOT_KNOWN, mark_text(
            AGE_NOT_KNOWN, words=OVER_AGE_NOT_KNOWN if row['standing'] == OVER_RPO else None
        )
    return None


def chart_svg(rows: Sequence[Mapping[str, Any]], rpo: float | None) -> str:
    """The chart: a row per disk and DR region; a completed copy a bar from 0 h as long as its recovery point's age,
    coloured by its standing; any other standing a mark beside the label and no bar. One scale for every row, printed
    (0 h and the top), with the RPO as a dashed line."""
    marks = [row_mark(row) for row in rows]
    marks_width = max([mark_width(mark[1], FONT) for mark in marks if mark] + [0])
    scale = Scale(axis_top([row['hours'] for row in rows], [rpo]), MARK_LEFT + marks_width + 12, BAR_WIDTH)
    height = TOP + ROW_HEIGHT * len(rows) + 8
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="recovery point of each DR copy"'
        ' data-top-hours="%g">' % (scale.right + 60, height, scale.top),
        scale.axis(TOP - 20, height - 4, FONT),
    ]
    for index, (row, mark) in enumerate(zip(rows, marks)):
        y = TOP + index * ROW_HEIGHT
        parts.append(
            '<g class="row" data-disk="%s" data-region="%s" data-standing="%s" data-hours="%s">'
            % (
                _svg_text(row['disk_id']),
                _svg_text(row['region']),
                row['standing'],
                '' if row['hours'] is None else row['hours'],
            )
        )
        parts.append(
            '<text x="%d" y="%d" text-anchor="end">%s</text>'
            % (LABEL_RIGHT, y + BAR_HEIGHT - 2, _svg_text('%s  %s' % (row['label'][:52], row['region'])))
        )
        if mark:
            parts.append(mark_svg(mark[0], mark[1], MARK_LEFT, y - 1, marks_width, BAR_HEIGHT + 2, FONT))
        else:
            width = scale.bar_width(row['hours'])
            parts.append(
                '<rect class="age" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                '<text class="value" x="%.1f" y="%d">%s</text>'
                % (
                    scale.left,
                    y,
                    width,
                    BAR_HEIGHT,
                    BAR_COLOURS[row['standing']],
                    scale.left + width + 6,
                    y + BAR_HEIGHT - 2,
                    _svg_text(hours(row['hours'])),
                )
            )
        parts.append('</g>')
    if rpo:
        x = scale.x(rpo)
        parts.append(
            '<line class="rpo" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>'
            % (x, TOP - 6, x, height - 4)
        )
        parts.append(
            '<text class="rpo-label" x="%.1f" y="%d" text-anchor="middle">RPO %s</text>'
            % (x, TOP - 8, _svg_text(hours(rpo)))
        )
    parts.append('</svg>')
    return '\n'.join(parts)


def region_marks(
    counts: Mapping[str, Any], failed: bool, nothing_to_protect: bool = False
) -> list[tuple[str, int | None]]:
    """[(kind, count)] of one DR region of the fleet: a failed scope's one mark; else a mark for each standing with no
    age that some disk has there, and for a region where no disk stands NO_COPY (a selector that matched nothing), or
    the neutral NO_DISK when the scope has ``nothing_to_protect`` (the model's status: allow_no_disks expects none)."""
    if failed:
        return [(RUN_FAILED, None)]
    if not any(counts.get(standing) for standing in WORST_FIRST):
        return [(NO_DISK, 0) if nothing_to_protect else (NO_COPY, 0)]
    return [(kind, counts[kind]) for kind in (NO_COPY, IN_FLIGHT, PLANNED) if counts.get(kind)]


def fleet_marks(
    counts: Mapping[str, Any], failed: bool, nothing_to_protect: bool = False
) -> list[tuple[str, int | None, str]]:
    """[(kind, count, text)] of one DR region of the fleet (region_marks), each with the words its mark says: where a
    region carries several marks, each says its symbol and count only (the legend and the row's own columns, no copy and
    in flight, name them), so that the row fits a 1280 px window; its words stay in its title."""
    marks = region_marks(counts, failed, nothing_to_protect)
    return [
        (kind, count, fleet_mark_text(kind, count) if len(marks) == 1 else mark_text(kind, words=str(count)))
        for kind, count in marks
    ]


def fleet_layout(scopes: Iterable[Mapping[str, Any]]) -> Scale:
    """One scale and one place for the bars for every scope of the fleet: the RPO of two scopes with the same RPO is at
    the same x, and a longer bar is an older recovery point whichever row it is in."""
    ages: list[float | None] = []
    rpos: list[float | None] = []
    widths = [0]
    for scope in scopes:
        posture = scope.get('posture') or {}
        rpos.append(posture.get('rpo_hours'))
        for counts in (posture.get('regions') or {}).values():
            ages.append(counts.get('oldest_recovery_point_hours'))
            # A failed scope has no bar: its mark may stand where bars are, and takes no room from every row's bars.
            if scope['run'] == 'failed':
                continue
            marks = fleet_marks(counts, False, scope['status'] == NOTHING_TO_PROTECT)
            widths.append(sum(mark_width(mark[2], FLEET_FONT) + 4 for mark in marks))
    return Scale(axis_top(ages, rpos), FLEET_MARK_LEFT + max(widths) + 6, FLEET_BAR_WIDTH)


def region_bars_svg(posture: Mapping[str, Any] | None, scale: Scale, *, failed: bool, nothing_to_protect: bool) -> str:
    """A scope's DR regions for the fleet page, on the fleet's ``scale``: each region's oldest recovery point of its
    completed copies as a bar (red when a copy there is older than the RPO), its other standings as marks with their
    counts, and the scope's RPO as a dashed line. A ``failed`` scope's regions are a RUN_FAILED mark each, no bar."""
    regions = sorted(((posture or {}).get('regions') or {}).items())
    if not regions:
        return '<span>-</span>'
    rpo = (posture or {}).get('rpo_hours')
    # A failed scope's marks may be wider than the room the fleet's scale leaves them (fleet_layout): its svg fits them.
    marks_right = max(
        [FLEET_MARK_LEFT]
        + [
            FLEET_MARK_LEFT
            + sum(mark_width(mark[2], FLEET_FONT) + 4 for mark in fleet_marks(counts, failed, nothing_to_protect))
            for dummy, counts in regions
        ]
    )
    # A failed scope has no bar, hence no hours to print.
    top = 0 if failed else FLEET_TOP
    height = top + FLEET_ROW * len(regions) + 2
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" data-top-hours="%g">'
        % (max(scale.right + 44, marks_right), height, scale.top)
    ]
    if not failed:
        parts.append(scale.axis(FLEET_TOP - 4, height, FLEET_FONT - 1))
    for index, (region, counts) in enumerate(regions):
        y = top + FLEET_ROW * index
        age = None if failed else counts.get('oldest_recovery_point_hours')
        empty = NO_DISK if nothing_to_protect else NO_COPY
        worst = RUN_FAILED if failed else next((standing for standing in WORST_FIRST if counts.get(standing)), empty)
        parts.append(
            '<g class="region" data-region="%s" data-hours="%s" data-standing="%s"><text x="0" y="%d" font-size="%d">%s</text>'
            % (_svg_text(region), '' if age is None else age, worst, y + 11, FLEET_FONT, _svg_text(region[:15]))
        )
        x: float = FLEET_MARK_LEFT
        for kind, count, text in fleet_marks(counts, failed, nothing_to_protect):
            width: float = mark_width(text, FLEET_FONT)
            parts.append(
                mark_svg(
                    kind,
                    text,
                    x,
                    y + 1,
                    width,
                    FLEET_ROW - 3,
                    FLEET_FONT,
                    count=count,
                    title=fleet_mark_text(kind, count),
                )
            )
            x += width + 4
        if age is not None:
            width = scale.bar_width(age)
            parts.append(
                '<rect class="age" x="%.1f" y="%d" width="%.1f" height="11" fill="%s"/>'
                '<text class="value" x="%.1f" y="%d" font-size="%d">%s</text>'
                % (
                    scale.left,
                    y + 2,
                    width,
                    BAR_COLOURS[OVER_RPO if counts.get(OVER_RPO) else WITHIN_RPO],
                    scale.left + width + 4,
                    y + 11,
                    FLEET_FONT,
                    _svg_text(hours(age)),
                )
            )
        parts.append('</g>')
        if rpo and not failed:
            x = scale.x(rpo)
            parts.append(
                '<line class="rpo" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="2 2"/>'
                % (x, y, x, y + FLEET_ROW - 1)
            )
    parts.append('</svg>')
    return '\n'.join(parts)


def dr_report_html(report: dict[str, Any], report_files: Mapping[str, str] | None = None) -> str:
    """A DR run's report (dr_sync's return values) as its posture page: every number the model's (dr.protection)."""
    protection = of_report(report)
    rows, hidden = chart_rows(protection)
    uncovered = protection.uncovered_near_misses_first()
    rpo = protection.rpo_hours
    title = 'DR posture: %s %s \u2192 %s' % (
        report['provider'],
        report['source_region'],
        ', '.join(protection.dr_regions),
    )
    return ENVIRONMENT.get_template('dr').render(
        title=title,
        style=STYLE,
        body_class=None,
        report=report,
        rpo=rpo,
        protection=protection,
        posture=protection.posture(),
        status_class=STATUS_CLASSES[protection.status],
        summary=summary_line(report['totals'], report.get('restore'), report['check_mode'], protection, status=False),
        standings=STANDINGS,
        words=STANDING_WORDS,
        bar_colours=BAR_COLOURS,
        marks=MARKS,
        mark_kinds=(NO_COPY, IN_FLIGHT, PLANNED, AGE_NOT_KNOWN),
        rpo_words='the RPO',
        failures=list(dict.fromkeys(report['failures'])),
        within=WITHIN_RPO,
        planned=PLANNED,
        chart=Markup(chart_svg(rows, rpo)),
        hidden=hidden,
        report_files=report_files,
        vault_account=dr_account_line(report),
        vault_locks=lock_summary(report),
        locks=lock_rows(report),
        lock_words=lock_words,
        lock_state=lock_state,
        uncovered=uncovered[:MAX_UNCOVERED_ROWS],
        more_uncovered=max(0, len(uncovered) - MAX_UNCOVERED_ROWS),
        groups=scope_groups(protection),
        consistency_line=not_crash_consistent_line(report),
        look_alikes=look_alike_lines(report),
        points_line=verified_points_line(report, protection),
        point_rows=point_rows(protection),
        plan=plan_totals(report.get('plan')),
        plan_rows=region_rows(report['plan'], protection.dr_regions) if report.get('plan') else [],
        preflight=(report.get('plan') or {}).get('preflight') or [],
    )


def fleet_report_html(report: Mapping[str, Any]) -> str:
    """The fleet report (the dr_fleet_report filter's) as one page with every scope, failed scopes first."""
    scale = fleet_layout(report['scopes'])
    # The day the first lock of every scope that locks ends, when it is one day: said once under the table, not in each row.
    lock_days = {
        scope['locks']['first_lock_ends'][:10]
        for scope in report['scopes']
        if scope.get('locks') and scope['locks'].get('in_force') and scope['locks'].get('first_lock_ends')
    }
    locked = sum(1 for scope in report['scopes'] if scope.get('locks') and scope['locks'].get('in_force'))
    return ENVIRONMENT.get_template('fleet').render(
        title='DR posture of the fleet',
        style=STYLE,
        max_unpriced=MAX_UNPRICED,
        body_class='fleet',
        shared_lock_day=lock_days.pop() if len(lock_days) == 1 and locked > 1 else None,
        max_uncovered=MAX_UNCOVERED_ROWS,
        report=report,
        words=STANDING_WORDS,
        bar_colours=BAR_COLOURS,
        marks=MARKS,
        mark_kinds=(NO_COPY, IN_FLIGHT, PLANNED, RUN_FAILED)
        + ((NO_DISK,) if any(scope['status'] == NOTHING_TO_PROTECT for scope in report['scopes']) else ()),
        rpo_words="the scope's RPO",
        status_classes=STATUS_CLASSES,
        failed_scope_problems=failed_scope_problems,
        scope_charts={
            scope['scope']: Markup(
                region_bars_svg(
                    scope.get('posture'),
                    scale,
                    failed=scope['run'] == 'failed',
                    nothing_to_protect=scope['status'] == NOTHING_TO_PROTECT,
                )
            )
            for scope in report['scopes']
        },
    )
