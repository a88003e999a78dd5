# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan's sections of the pages (_report_html.py renders them, with its style and filters): a scope's plan, its
preflight, and the fleet's plans added up. Every figure is _plan_figures' reading of the report's plan, and each
carries it in a data- attribute too."""

from __future__ import annotations

# The most parts left out of the fleet's plan sums its page names (a line of each scope of thousands); the JSON has them all.
MAX_UNPRICED = 20

# The plan (dr_sync's plan): on a check run's page, first after the failures, as what the run would copy, cost and take;
# on a run's page, after the chart, the same figures as what the run copied, so that a plan can be held against it.
PLAN_TEMPLATE = """{% if plan %}
<section id="plan" data-monthly="{{ plan.monthly }}" data-once="{{ plan.once }}" data-complete="{{ plan.complete | lower }}">
<h2>{{ 'The plan: what this run would copy, cost and take' if report.check_mode else 'What this run copied, and its cost' }}</h2>
<p id="plan-summary"><span data-key="monthly" data-usd="{{ plan.monthly }}" data-complete="{{ plan.monthly_complete | lower }}">{{
 usd(plan.monthly, plan.monthly_complete) }}</span> each month the copies are kept, <span data-key="once" data-usd="{{ plan.once }}"
 data-complete="{{ plan.once_complete | lower }}">{{ usd(plan.once, plan.once_complete) }}</span> once; copies: <span data-key="copies"
 data-full="{{ plan.full }}" data-incremental="{{ plan.incremental }}" data-bytes="{{ plan.bytes }}">{{ copies_words(plan) }}</span>;
 time: <span data-key="time" data-hours="{{ plan.hours | json_number }}">{{ time_words(plan) }}</span>.</p>
{% if plan.unpriced %}<p id="plan-unpriced">Not in these sums, so they are the least it costs: {{ plan.unpriced | join('; ') }}.
 A price nobody publishes, or one the collection's table does not hold, is never counted as free: set your own with
 dr_copy_prices (dr_sync's prices).</p>{% endif %}
<table>
<tr><th>DR region</th><th>full copies</th><th>incremental copies</th><th>full, bytes</th><th>incremental, bytes</th>
<th>why full</th><th>sizes from</th><th>each month</th><th>once</th></tr>
{% for row in plan_rows %}
<tr data-region="{{ row.region }}"><td class="id">{{ row.region }}</td>
<td class="number" data-key="full">{{ row.full }}</td><td class="number" data-key="incremental">{{ row.incremental }}</td>
<td class="number" data-key="full_bytes" data-bytes="{{ row.full_bytes }}">{{ gib(row.full_bytes) }}</td>
<td class="number" data-key="incremental_bytes" data-bytes="{{ row.incremental_bytes }}">{{ gib(row.incremental_bytes) }}</td>
<td data-key="why_full">{{ why_full_words(row) }}</td>
<td data-key="bytes_from">{{ row.bytes_from | map('plain') | join(', ') or '-' }}</td>
<td class="number" data-key="monthly" data-usd="{{ row.monthly }}" data-complete="{{ row.monthly_complete | lower }}">{{
 usd(row.monthly, row.monthly_complete) }}</td>
<td class="number" data-key="once" data-usd="{{ row.once }}" data-complete="{{ row.once_complete | lower }}">{{
 usd(row.once, row.once_complete) }}</td></tr>
{% endfor %}
</table>
<p class="meta">Prices as of {{ plan.prices_as_of or '-' }}, each with its page in the JSON report (plan.cost.lines); what
 the figures leave out (taxes, discounts, the source's own snapshots) is in the collection's docs/cost.md.</p>
</section>
{% endif %}
{% if preflight %}
<section id="preflight" class="failures">
<h2>Preflight: {{ preflight | length }} {{ 'copy' if preflight | length == 1 else 'copies' }} the cloud would refuse</h2>
<p>Found before any copy call{% if report.check_mode %}: a real run would fail these copies{% endif %}.</p>
<table>
<tr><th>disk</th><th>DR region</th><th>problem</th><th>what to do</th></tr>
{% for problem in preflight %}<tr data-disk="{{ problem.disk_id }}"><td class="id">{{ problem.disk_id }}</td><td class="id">{{ problem.region }}</td>
<td data-key="problem">{{ problem.problem | plain }}</td><td data-key="fix">{{ problem.fix | plain or '-' }}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}"""

# The fleet's plans: each scope's, each account's and the fleet's sums (_fleet_report's, of _plan_figures.summed),
# each row's cells written once (plan_cells).
FLEET_PLANS_TEMPLATE = """{% macro plan_cells(plan) -%}
<td class="number" data-key="monthly" data-usd="{{ plan.monthly }}" data-complete="{{ plan.monthly_complete | lower }}">{{
 usd(plan.monthly, plan.monthly_complete) }}</td>
<td class="number" data-key="once" data-usd="{{ plan.once }}" data-complete="{{ plan.once_complete | lower }}">{{
 usd(plan.once, plan.once_complete) }}</td>
<td class="number" data-key="full">{{ plan.full }}</td><td class="number" data-key="incremental">{{ plan.incremental }}</td>
<td class="number" data-key="bytes" data-bytes="{{ plan.bytes }}">{{ gib(plan.bytes) }}</td>
<td class="number{% if plan.preflight %} bad{% endif %}" data-key="preflight">{{ plan.preflight }}</td>
{%- endmacro %}
{%- if report.get('plan') %}{% set total = report.plan %}
<section id="plans" data-monthly="{{ total.monthly }}" data-once="{{ total.once }}" data-complete="{{ total.complete | lower }}">
<h2>{{ 'Plans: what the scopes would copy and cost' if report.check_mode else 'What the scopes copied, and its cost' }}</h2>
<p id="plans-summary">Every scope's plan added up: {{ usd(total.monthly, total.monthly_complete) }} each month,
 {{ usd(total.once, total.once_complete) }} once; {{ total.full }} full copies and {{ total.incremental }} incremental,
 {{ gib(total.bytes) }}; {{ total.preflight }} preflight {{ 'problem' if total.preflight == 1 else 'problems' }}.</p>
{% if total.unpriced %}<p id="plans-unpriced">Not in these sums, so they are the least it costs:
 {% for what in total.unpriced[:max_unpriced] %}{{ what }}{% if not loop.last %}; {% endif %}{% endfor %}
 {%- if total.unpriced | length > max_unpriced %}; and {{ total.unpriced | length - max_unpriced }} more, in the JSON report{% endif %}.</p>{% endif %}
<table>
<tr><th>scope</th><th>account</th><th>each month</th><th>once</th><th>full copies</th><th>incremental copies</th><th>bytes</th>
<th>preflight problems</th></tr>
{% for scope in report.scopes %}{% set plan = scope.plan %}
<tr data-plan="{{ scope.scope }}"><td class="id">{{ scope.scope }}</td><td class="id">{{ scope.account or 'not known' }}</td>
{% if plan %}
{{ plan_cells(plan) }}
{% else %}<td colspan="6" class="neutral" data-key="monthly">no plan: not known</td>{% endif %}</tr>
{% endfor %}
{% for account in report.accounts if account.plan %}{% set plan = account.plan %}
<tr data-plan="account {{ account.provider }}/{{ account.account }}"><td>account total</td><td class="id">{{ account.account or 'not known' }}</td>
{{ plan_cells(plan) }}</tr>
{% endfor %}
<tr data-plan="total"><td><b>total</b></td><td>-</td>
{{ plan_cells(total) }}</tr>
</table>
</section>
{% endif %}
"""
