# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR posture page: a DR run's report (dr_sync's action writes it beside the JSON and the Markdown) and the fleet
report (playbooks/dr_fleet.yml) as one self-contained HTML file each, for an auditor and the person on call.

What it answers at a glance, failures first: per disk and DR region, how old the newest completed copy's recovery point
is (when its source snapshot was taken) against the RPO (max_snapshot_age_hours), as an inline SVG chart; per DR region
the counts of each standing; the restore drill's times. It loads nothing (a Content-Security-Policy forbids it) and runs
no script: it opens the same from a mail attachment, an AWX artifact or a file share. Every number is the JSON report's,
and each carries it in a data- attribute too (tests/docs/test_posture_page.py holds the page to the JSON).
"""

from __future__ import annotations

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup, escape

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    AT_RISK,
    IN_FLIGHT,
    NO_COPY,
    NOT_KNOWN,
    OVER_RPO,
    PLANNED,
    PROTECTED,
    STANDING_WORDS as MODEL_WORDS,
    STANDINGS,
    WITHIN_RPO,
    of_report,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import (
    disk_label,
    dr_account_line,
    lock_rows,
    lock_summary,
    lock_words,
    summary_line,
)

# The chart's rows: every disk and DR region that is not within the RPO, then those that are, up to this many.
MAX_CHART_ROWS = 400
# What each standing is called, and its colour (a bar starts with it: the screenshot test counts bars by colour).
# The fleet page's bars of a scope whose run failed are RUN_FAILED whatever its counts say: its run read and did only part of
# what it was asked, so none of it is drawn as protected.
RUN_FAILED = 'run_failed'
STANDING_WORDS = dict(MODEL_WORDS, **{RUN_FAILED: 'run failed (not known)'})
# A status's class on the pages: protected in green, at risk in red, not known in grey; never a run's mechanics.
STATUS_CLASSES = {PROTECTED: 'status-protected', AT_RISK: 'status-at-risk', NOT_KNOWN: 'status-not-known'}
COLOURS = {
    WITHIN_RPO: '#2e7d32',
    OVER_RPO: '#e53935',
    IN_FLIGHT: '#f9a825',
    PLANNED: '#1565c0',
    NO_COPY: '#7f0000',
    RUN_FAILED: '#757575',
}
# The chart's order: what needs a person first.
WORST_FIRST = (NO_COPY, OVER_RPO, IN_FLIGHT, PLANNED, WITHIN_RPO)
# The chart's geometry, in pixels.
LABEL_WIDTH, BAR_LEFT, BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT, TOP = 430, 440, 440, 20, 14, 28

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1b1b; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: #555; margin: 0 0 8px; } .summary { font-weight: 600; }
.failures { border: 2px solid #c62828; background: #fdecea; padding: 4px 16px 8px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; } .bad { color: #b71c1c; font-weight: 600; }
.status-failed, .status-at-risk { color: #b71c1c; font-weight: 700; } .status-protected { color: #2e7d32; font-weight: 700; }
.status-not-known { color: #424242; font-weight: 700; } .status-ok { color: #2e7d32; font-weight: 700; }
.stale { border: 2px solid #616161; background: #eeeeee; padding: 4px 16px 8px; }
.legend span { display: inline-block; margin-right: 14px; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
svg text { font: 12px system-ui, sans-serif; } footer { margin-top: 24px; color: #555; }
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
<body>
{% block body %}{% endblock %}
</body>
</html>
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
<h2>Failures ({{ report.failures | length }})</h2>
<ul>{% for failure in report.failures %}<li>{{ failure }}</li>{% endfor %}</ul>
</section>
{% endif %}
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
<p>How old the data of each DR copy is: the age of the snapshot it was copied from, against the RPO.</p>
<p class="legend">{% for standing in standings %}<span><i class="swatch" style="background: {{ colours[standing] }}"></i>{{ words[standing] }}</span>
{% endfor %}</p>
{{ chart }}
{% if hidden %}<p>&hellip; and {{ hidden }} more disks and DR regions within the RPO, in the JSON report.</p>{% endif %}
</section>
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
<tr><th>disk</th><th>DR region</th><th>copy</th><th>mode</th><th>status</th><th>until</th><th>what the run did</th></tr>
{% for lock in locks %}
<tr data-lock="{{ lock.snapshot_id or '%s/%s' % (lock.disk_id, lock.region) }}">
<td>{{ lock.disk_id }}</td><td>{{ lock.region }}</td><td>{{ lock.snapshot_id or '-' }}</td>
<td data-key="mode">{{ lock.mode or '-' }}</td><td data-key="status">{{ lock.status or '-' }}</td><td data-key="expires">{{ lock.expires or '-' }}</td>
<td data-key="action" class="{{ 'bad' if lock.action in ('lock_failed', 'expired') else '' }}">{{ lock_words(lock) }}</td></tr>
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
<tr data-region="{{ test.region }}"><td>{{ test.region }}</td><td>{{ test.disk_id }}</td><td>{{ test.copy_id }}</td>
<td class="{{ 'status-ok' if test.result == 'passed' else 'status-failed' if test.result in ('failed', 'timed_out') else '' }}"
 data-key="result">{{ test.result }}</td>
<td class="number" data-key="seconds_to_usable" data-seconds="{{ test.seconds_to_usable | json_number }}">{{
 '%s s' % test.seconds_to_usable if test.seconds_to_usable is not none else '-' }}</td>
<td>{{ test.test_disk_id or '-' }}{% if test.test_disk %} ({{ test.test_disk.action }}){% endif %}
{%- if test.error %}: {{ test.error.message | default(test.error) }}{% endif %}</td></tr>
{% else %}<tr><td colspan="6">no test in this run</td></tr>
{% endfor %}
</table>
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
 {{ report.totals.at_risk_scopes }} at risk, {{ report.totals.not_known_scopes }} not known; {{ report.totals.failed_scopes }} runs failed;
 {{ report.totals.disks }} disks, {{ report.totals.without_dr_copy }} without a DR copy;
 {{ report.totals.over_rpo }} disk copies older than the RPO, {{ report.totals.no_copy }} without a copy</p>
</header>
{% if report.failed_scopes %}
<section id="failures" class="failures">
<h2>Failed scopes ({{ report.failed_scopes | length }})</h2>
<ul>{% for scope in report.scopes if scope.run == 'failed' %}<li><b>{{ scope.scope }}</b>: {{ scope.error or '%d problem(s)' % scope.failure_count }}
{% if scope.failures %}<ul>{% for failure in scope.failures %}<li>{{ failure }}</li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul>
</section>
{% endif %}
<section id="scopes">
<h2>Scopes</h2>
<p class="legend">Oldest recovery point per DR region: {% for standing in standings -%}
<span><i class="swatch" style="background: {{ colours[standing] }}"></i>{{ words[standing] }}</span>
{% endfor %}<span>dashed line: the scope's RPO</span></p>
<table>
<tr><th>scope</th><th>status</th><th>what</th><th>DR copies kept by</th><th>disks</th><th>RPO</th>
<th>oldest recovery point per DR region</th><th>older than the RPO</th>
<th>no copy</th><th>in flight</th><th>restore tests passed / failed</th><th>page</th></tr>
{% for scope in report.scopes %}
<tr data-scope="{{ scope.scope }}"><td>{{ scope.scope }}</td>
<td class="{{ status_classes[scope.status] }}" data-key="status">{{ scope.status }}{% if scope.run == 'failed' %} (run failed){% endif %}</td>
<td>{{ scope.provider or '-' }} {{ scope.source_region or '' }} &rarr; {{ scope.dr_regions | join(', ') }}</td>
<td data-key="dr_account">{{ 'DR account %s' % scope.dr_account if scope.get('dr_account')
 else "the disks' account" if scope.run != 'failed' else '-' }}
{%- if scope.get('locks') and scope.locks.in_force %}; {{ scope.locks.in_force }} locked
{%- if scope.locks.first_lock_ends %}, the first until {{ scope.locks.first_lock_ends }}{% endif %}{% endif %}</td>
<td class="number" data-key="disks">{{ scope.disks }}</td>
<td class="number" data-key="rpo_hours" data-hours="{{ scope.rpo_hours | json_number }}">{{ scope.rpo_hours | hours if scope.rpo_hours else 'none' }}</td>
<td>{{ scope_charts[scope.scope] }}</td>
<td class="number{% if scope.over_rpo %} bad{% endif %}" data-key="over_rpo">{{ scope.over_rpo }}</td>
<td class="number{% if scope.no_copy %} bad{% endif %}" data-key="no_copy">{{ scope.no_copy }}</td>
<td class="number" data-key="in_flight">{{ scope.in_flight }}</td>
<td class="number" data-key="restore">{{ scope.restore_passed }} / {{ scope.restore_failed }}</td>
<td>{% if scope.report_files and scope.report_files.html %}<a href="{{ scope.report_files.html | page_link }}">posture</a>{% else %}-{% endif %}</td>
</tr>
{% endfor %}
</table>
</section>
{% endblock %}"""


def hours(value):
    """A number of hours as the page shows it: '3.2 h'; '-' for none."""
    return '-' if value is None else '%g h' % round(float(value), 1)


def json_number(value):
    return '' if value is None else value


def page_link(path):
    """A scope's page as the fleet page links it: by its name, as both are written in the same report folder."""
    return str(path).rsplit('/', 1)[-1]


def _environment():
    environment = Environment(
        loader=DictLoader({'page': PAGE_TEMPLATE, 'dr': DR_TEMPLATE, 'fleet': FLEET_TEMPLATE}),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(hours=hours, json_number=json_number, page_link=page_link)
    return environment


ENVIRONMENT = _environment()


def chart_rows(protection):
    """(rows shown, how many within the RPO are left out): a row per disk and DR region of the model, worst standing
    first, then the oldest recovery point first."""
    rows = []
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


def _svg_text(text):
    return str(escape(text))


def chart_svg(rows, rpo):
    """The chart: a bar per row as long as its recovery point's age, coloured by its standing, with the RPO as a line.
    A row without a completed copy has a full bar of its colour and says why."""
    top_hours = max([rpo * 1.25 if rpo else 0] + [row['hours'] or 0 for row in rows] + [1])
    height = TOP + ROW_HEIGHT * len(rows) + 8
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="recovery point of each DR copy">'
        % (BAR_LEFT + BAR_WIDTH + 120, height),
        '<text x="%d" y="14">0 h</text><text x="%d" y="14" text-anchor="end">%s</text>'
        % (BAR_LEFT, BAR_LEFT + BAR_WIDTH, _svg_text(hours(top_hours))),
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        if row['hours'] is not None:
            width, value = max(2.0, BAR_WIDTH * row['hours'] / top_hours), hours(row['hours'])
        else:
            width, value = BAR_WIDTH, STANDING_WORDS[row['standing']]
        parts.append(
            '<g class="bar" data-disk="%s" data-region="%s" data-standing="%s" data-hours="%s">'
            % (
                _svg_text(row['disk_id']),
                _svg_text(row['region']),
                row['standing'],
                '' if row['hours'] is None else row['hours'],
            )
        )
        parts.append(
            '<text x="%d" y="%d" text-anchor="end">%s</text>'
            % (LABEL_WIDTH, y + BAR_HEIGHT - 2, _svg_text('%s  %s' % (row['label'][:52], row['region'])))
        )
        parts.append(
            '<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
            % (BAR_LEFT, y, width, BAR_HEIGHT, COLOURS[row['standing']])
        )
        parts.append(
            '<text x="%.1f" y="%d">%s</text></g>'
            % (
                BAR_LEFT + width + 6 if row['hours'] is not None else BAR_LEFT + 6,
                y + BAR_HEIGHT - 2,
                _svg_text(value) if row['hours'] is not None else '<tspan fill="#fff">%s</tspan>' % _svg_text(value),
            )
        )
    if rpo:
        x = BAR_LEFT + BAR_WIDTH * rpo / top_hours
        parts.append(
            '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>'
            % (x, TOP - 6, x, height - 4)
        )
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">RPO %s</text>' % (x, TOP - 8, _svg_text(hours(rpo))))
    parts.append('</svg>')
    return '\n'.join(parts)


def region_bars_svg(posture, failed=False):
    """A scope's oldest recovery point per DR region, as small bars against its RPO (for the fleet page); a ``failed``
    scope's bars are RUN_FAILED."""
    regions = sorted(((posture or {}).get('regions') or {}).items())
    if not regions:
        return '<span>-</span>'
    rpo = posture.get('rpo_hours')
    oldest = [counts.get('oldest_recovery_point_hours') for dummy, counts in regions]
    top_hours = max([rpo * 1.25 if rpo else 0] + [age or 0 for age in oldest] + [1])
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="330" height="%d">' % (16 * len(regions) + 2)]
    for index, (region, counts) in enumerate(regions):
        age = counts.get('oldest_recovery_point_hours')
        # A region where no disk stands at all (a selector that matched nothing) protects nothing: never drawn as protected.
        worst = RUN_FAILED if failed else next((standing for standing in WORST_FIRST if counts.get(standing)), NO_COPY)
        width = 140 if age is None else max(2.0, 140 * age / top_hours)
        parts.append(
            '<g class="region" data-region="%s" data-hours="%s" data-standing="%s"><text x="0" y="%d">%s</text>'
            '<rect x="110" y="%d" width="%.1f" height="11" fill="%s"/><text x="%.1f" y="%d">%s</text></g>'
            % (
                _svg_text(region),
                '' if age is None else age,
                worst,
                16 * index + 12,
                _svg_text(region[:16]),
                16 * index + 2,
                width,
                COLOURS[worst],
                110 + width + 4,
                16 * index + 12,
                _svg_text(hours(age)),
            )
        )
        if rpo:
            x = 110 + 140 * rpo / top_hours
            parts.append(
                '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="2 2"/>'
                % (x, 16 * index, x, 16 * index + 15)
            )
    parts.append('</svg>')
    return '\n'.join(parts)


def dr_report_html(report, report_files=None):
    """A DR run's report (dr_sync's return values) as its posture page: every number the model's (dr.protection)."""
    protection = of_report(report)
    rows, hidden = chart_rows(protection)
    rpo = protection.rpo_hours
    title = 'DR posture: %s %s \u2192 %s' % (
        report['provider'],
        report['source_region'],
        ', '.join(protection.dr_regions),
    )
    return ENVIRONMENT.get_template('dr').render(
        title=title,
        style=STYLE,
        report=report,
        rpo=rpo,
        protection=protection,
        posture=protection.posture(),
        status_class=STATUS_CLASSES[protection.status],
        summary=summary_line(report['totals'], report.get('restore'), report['check_mode'], protection, status=False),
        standings=STANDINGS,
        words=STANDING_WORDS,
        colours=COLOURS,
        within=WITHIN_RPO,
        planned=PLANNED,
        chart=Markup(chart_svg(rows, rpo)),
        hidden=hidden,
        report_files=report_files,
        vault_account=dr_account_line(report),
        vault_locks=lock_summary(report),
        locks=lock_rows(report),
        lock_words=lock_words,
    )


def fleet_report_html(report):
    """The fleet report (the dr_fleet_report filter's) as one page with every scope, failed scopes first."""
    return ENVIRONMENT.get_template('fleet').render(
        title='DR posture of the fleet',
        style=STYLE,
        report=report,
        standings=(*WORST_FIRST, RUN_FAILED),
        words=STANDING_WORDS,
        colours=COLOURS,
        status_classes=STATUS_CLASSES,
        scope_charts={
            scope['scope']: Markup(region_bars_svg(scope.get('posture'), failed=scope['run'] == 'failed'))
            for scope in report['scopes']
        },
    )
