# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Markdown reports for people, rendered on the controller from Jinja2 templates: a DR run's (dr_sync's
report_markdown and the dr_copy role's report file, from the data the module returned) and the fleet's (the
dr_fleet_markdown filter). Every table row of both is written by one macro, whose cells go through one function,
escape_cell, as do the failures and errors listed under the tables.

The templates are Python strings rather than files: the collection's packaging and ansible-test sanity then see
nothing but a Python file, and Jinja2 is on every controller (ansible-core requires it)."""

from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    ACTION_WORDS,
    STANDING_WORDS,
    of_report,
    point_rows,
    scope_groups,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import (
    TOTALS,
    dr_account_line,
    lock_rows,
    lock_summary,
    look_alike_lines,
    not_crash_consistent_line,
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

# In check mode the totals of what the run would do are headed so: a plan is never read as done.
CHECK_MODE_TOTALS = {'fresh_snapshots': 'would_snapshot', 'pruned': 'would_prune', 'locked': 'would_lock'}


def escape_cell(value: object) -> str:
    """``value`` as one Markdown table cell shows it, and nothing more: one line (any run of white space, new lines
    included, is one space), a backslash and a | as themselves rather than an escape or the end of the cell, no HTML (a
    renderer that passes HTML through would run a name's <script>). None and empty text are '-'."""
    if value is None:
        return '-'
    # The backslash first: the escapes added after it are the only backslashes the renderer should read as escapes.
    escaped = (
        str(value)
        .replace('\\', '\\\\')
        .replace('&', '&amp;')
        .replace('<', '&lt;')
        .replace('>', '&gt;')
        .replace('|', '\\|')
    )
    return ' '.join(escaped.split()) or '-'


# What both reports share: a row of cells, a table's head, the totals as a one-row table.
TABLE_TEMPLATE = """\
{% macro row(cells) %}| {{ cells | map('escape_cell') | join(' | ') }} |{% endmacro %}
{% macro head(names) %}{{ row(names) }}
|{% for name in names %}---|{% endfor %}{% endmacro %}
{% macro totals(counts) %}{{ head(counts | map('replace', '_', ' ') | list) }}
{{ row(counts.values() | list) }}{% endmacro %}
"""

DR_REPORT_TEMPLATE = """\
{% from 'table' import row, head, totals %}
{% macro copy_action(copy) %}
{{ action_words.get(copy.get('action')) or copy.get('action') | plain or '-' }}
{%- if copy.get('mismatch') %} ({{ copy['mismatch']['snapshot_id'] }} differs: \
{{ copy['mismatch']['differences'] | sort(case_sensitive=true) | join(', ') }}){% endif %}
{% endmacro %}
# DR copy report: {{ report['provider'] }} {{ report['source_region'] }} -> {{ report['dr_regions'] | join(', ') }}

Generated {{ report['generated_at'] }}{{ ' (check mode: nothing was changed)' if report['check_mode'] else '' }}.

**{{ protection.status | escape_cell }}**: {{ protection.summary() | escape_cell }}

{{ totals(shown_totals) }}
{% for line in vault_lines %}

{{ line | escape_cell }}
{% endfor %}

{{ head(['disk', 'name', 'source snapshot', 'age (h)', 'DR region', 'DR copy', 'state', 'action', 'data age (h)']) }}
{% for disk in report['disks'] %}
{% set source = disk['source_snapshot'] or {} %}
{% for copy in disk['copies'] %}
{{ row([disk['disk_id'], disk['disk_name'], source.get('id'), source.get('age_hours'),
        copy['region'], copy['snapshot_id'], copy.get('state') | plain, copy_action(copy), copy.get('recovery_point_age_hours')]) }}
{% else %}
{# A disk without a copy (nothing to copy yet): a row per DR region all the same. #}
{% for region in report['dr_regions'] %}
{{ row([disk['disk_id'], disk['disk_name'], source.get('id'), source.get('age_hours'), region, none, none, 'none', none]) }}
{% endfor %}
{% endfor %}
{% endfor %}
{% if plan %}

## {{ 'Plan: what this run would copy, cost and take' if report['check_mode'] else 'What this run copied, and its cost' }}

{{ usd(plan['monthly'], plan['monthly_complete']) }} each month the copies are kept, \
{{ usd(plan['once'], plan['once_complete']) }} once; copies: {{ copies_words(plan) }}; time: {{ time_words(plan) | escape_cell }}.
{% if plan['unpriced'] %}

Not in these sums, so they are the least it costs: {{ plan['unpriced'] | join('; ') | escape_cell }}. A price nobody \
publishes is never counted as free: set your own with dr_copy_prices (dr_sync's prices).
{% endif %}

{{ head(['DR region', 'full copies', 'incremental copies', 'full, bytes', 'incremental, bytes', 'why full', 'sizes from',
         'each month', 'once']) }}
{% for region in plan_rows %}
{{ row([region['region'], region['full'], region['incremental'], gib(region['full_bytes']), gib(region['incremental_bytes']),
        why_full_words(region),
        region['bytes_from'] | map('plain') | join(', ') or none,
        usd(region['monthly'], region['monthly_complete']), usd(region['once'], region['once_complete'])]) }}
{% endfor %}

Prices as of {{ plan['prices_as_of'] or '-' }}, each with its page in the JSON report (plan.cost.lines).
{% endif %}
{% if preflight %}

## Preflight: copies the cloud would refuse

Found before any copy call{{ ': a real run would fail these copies' if report['check_mode'] else '' }}.

{{ head(['disk', 'DR region', 'problem', 'what to do']) }}
{% for problem in preflight %}
{{ row([problem['disk_id'], problem['region'], problem['problem'] | plain, problem['fix'] | plain]) }}
{% endfor %}
{% endif %}
{% if groups %}

## Consistency groups

Each group's disks are copied from one set of snapshots made at one moment, and stand in a DR region only together.
{% if consistency_line %}
{{ consistency_line }}.
{% endif %}
{% for line in look_alikes %}

{{ line }}.
{% endfor %}

{{ head(['group', 'disks', 'DR region', 'set', 'standing', 'data age (h)', 'newer sets']) }}
{% for name, members in groups.items() %}
{% for region in report['dr_regions'] %}
{% set cell = members[0].region(region) %}
{{ row([name, members | map(attribute='disk_id') | join(', '), region, cell.set_id, standing_words[cell.standing],
        cell.recovery_point_age_hours, newer_sets.get(name)]) }}
{% endfor %}
{% endfor %}
{% endif %}
{% if points_line %}

## Recovery points

{{ points_line | escape_cell }}. A verified copy's blocks were read beside its source's; where the newest copy is in doubt
(it differs from its source, is suspect or unmeasured), the disk stands by its last known good copy.
{% if point_rows %}

{{ head(['disk', 'DR region', 'standing copy', 'data from', 'newest verified', 'data from', 'in doubt', 'last known good',
         'data from']) }}
{% for point in point_rows %}
{{ row([point.disk_id, point.region, point.copy_id, point.recovery_point, point.verified_copy_id, point.verified_point,
        (point.doubt_copy_id ~ ' ' ~ point.doubt) if point.doubt else 'no', point.last_known_good,
        point.last_known_good_point]) }}
{% endfor %}
{% endif %}
{% endif %}
{% if coverage_heading %}

## Not covered

{{ coverage_heading | escape_cell }}.
{% if uncovered %}

{{ head(['disk', 'name', 'near miss']) }}
{% for disk in uncovered %}
{{ row([disk.disk_id, disk.name, disk.near_miss | join(', ') or none]) }}
{% endfor %}
{% endif %}
{% endif %}
{% if report['disks'] | map(attribute='pruned') | select | list %}

## Pruned

{{ head(['disk', 'DR region', 'copy', 'age (h)', 'action']) }}
{% for disk in report['disks'] %}
{% for record in disk['pruned'] %}
{{ row([disk['disk_id'], record['region'], record['snapshot_id'], record['age_hours'], record['action'] | plain]) }}
{% endfor %}
{% endfor %}
{% endif %}
{% if locks %}

## Locks

{{ head(['disk', 'DR region', 'copy', 'mode', 'status', 'expires', 'action']) }}
{% for lock in locks %}
{{ row([lock['disk_id'], lock['region'], lock['snapshot_id'], lock['mode'], lock['status'], lock['expires'], lock['action'] | plain]) }}
{% endfor %}
{% endif %}
{% if report.get('restore') %}
{% set restore = report['restore'] %}
{% set drill = restore['totals'] %}

## Restore test

Run {{ restore['run_id'] }}: a disk of type {{ restore['disk_type'] }} made from the newest completed DR copy of \
{{ restore['count_per_region'] }} disk(s) per DR region, timed, and deleted. {{ drill['passed'] }} passed, \
{{ drill['failed'] }} failed, {{ drill['timed_out'] }} timed out\
{{ ', %d planned (check mode)' % drill['would_test'] if drill['would_test'] else '' }}.

{{ head(['DR region', 'zone', 'disk', 'DR copy', 'test disk', 'seconds to usable', 'result', 'test disk afterwards']) }}
{% for test in restore['tests'] %}
{{ row([test['region'], test['zone'], test['disk_id'], test['copy_id'], test['test_disk_id'], test['seconds_to_usable'],
        test['result'] | plain, (test['test_disk'] or {}).get('action') | plain]) }}
{% endfor %}
{% for region in restore['regions'] if region['plan'] %}
{{ row([region['region'], region['zone'], '-', '-', '-', '-', region['plan'] | plain, '-']) }}
{% endfor %}
{% if restore.get('validation') %}
{% set checks = restore['validation'] %}

Your checks on {{ checks['instance_id'] }}: {{ checks['state'] | replace('pending', 'not run yet (the disks are held for them)') }}\
{{ ' in %s s' % checks['seconds'] if checks.get('seconds') is not none else '' }}\
{{ ', at "%s": %s' % (checks['failed_task'], checks['message']) if checks['state'] == 'failed' else '' }}.

{{ head(['DR region', 'disk', 'test disk', 'device', 'seconds to attached', 'checks', 'seconds to known good', 'test disk afterwards']) }}
{% for test in restore.get('held') or [] %}
{{ row([test['region'], test['disk_id'], test['test_disk_id'], test.get('device'), test.get('seconds_to_attached'),
        test.get('validation') or checks['state'], test.get('seconds_to_validated'), (test['test_disk'] or {}).get('action') | plain]) }}
{% endfor %}
{% endif %}
{% if restore['leftovers'] %}

Leftovers of earlier drills:

{{ head(['DR region', 'test disk', 'run', 'action']) }}
{% for record in restore['leftovers'] %}
{{ row([record['region'], record['test_disk_id'], record['run'],
        'left until %s (its run may still be under way)' % record['until'] if record.get('until') else record['action'] | plain]) }}
{% endfor %}
{% endif %}
{% endif %}
{% if report['failures'] %}

## Failures

{% for failure in report['failures'] | unique %}
- {{ failure | plain | escape_cell }}
{% endfor %}
{% endif %}
"""

FLEET_REPORT_TEMPLATE = """\
{% from 'table' import row, head, totals %}
# DR fleet report

Generated {{ report['generated_at'] }} over \
{{ 'scopes matching --limit %s' % report['limit'] if report.get('limit') else 'every scope of dr_scopes' }} \
({{ report['totals']['scopes'] }}).{{ ' Check mode: nothing was changed.' if report['check_mode'] else '' }}

{{ totals(report['totals']) }}

{{ head(['scope', 'status', 'run', 'provider', 'account', 'DR account', 'source region', 'disks', 'without a DR copy', 'not covered',
         'copied', 'existing', 'would copy', 'missing copies', 'failures', 'seconds']) }}
{% for scope in report['scopes'] %}
{# A scope that failed without a problem of its own (its error) counts as one failure. #}
{{ row([scope['scope'], scope['status'], scope['run'], scope['provider'], scope['account'], scope.get('dr_account'), scope['source_region'],
        scope['disks'], scope['without_dr_copy'], scope.get('not_covered_by_any'), scope['copied'],
        scope['existing'], scope['would_copy'], scope['missing_copies'],
        scope['failure_count'] + (1 if scope['error'] and not scope['failure_count'] else 0), scope['duration_seconds']]) }}
{% endfor %}
{% if report['accounts'] %}

## Accounts

Disks by status in each account's scopes, and the disks of their source regions that no scope's selector takes.

{{ head(['provider', 'account', 'scopes', 'protected', 'at risk', 'not known']
        + (['would be protected'] if report['check_mode'] else []) + ['not covered']) }}
{% for account in report['accounts'] %}
{{ row([account['provider'], account['account'], account['scopes'], account['protected_disks'], account['at_risk_disks'],
        account['not_known_disks']] + ([account['would_be_protected_disks']] if report['check_mode'] else [])
       + [account['not_covered']]) }}
{% endfor %}
{% endif %}
{% if report.get('plan') %}
{% set total = report['plan'] %}

## {{ 'Plans: what the scopes would copy and cost' if report['check_mode'] else 'What the scopes copied, and its cost' }}

Every scope's plan added up: {{ usd(total['monthly'], total['monthly_complete']) }} each month, \
{{ usd(total['once'], total['once_complete']) }} once; {{ total['full'] }} full copies and {{ total['incremental'] }} \
incremental, {{ gib(total['bytes']) }}; {{ total['preflight'] }} preflight problem(s).
{% if total['unpriced'] %}

Not in these sums, so they are the least it costs: {{ total['unpriced'] | join('; ') | escape_cell }}.
{% endif %}

{{ head(['scope', 'account', 'each month', 'once', 'full copies', 'incremental copies', 'bytes', 'preflight problems']) }}
{% for scope in report['scopes'] %}
{% set plan = scope['plan'] %}
{% if plan %}
{{ row([scope['scope'], scope['account'], usd(plan['monthly'], plan['monthly_complete']), usd(plan['once'], plan['once_complete']),
        plan['full'], plan['incremental'], gib(plan['bytes']), plan['preflight']]) }}
{% else %}
{{ row([scope['scope'], scope['account'], 'no plan: not known', 'not known', '-', '-', '-', '-']) }}
{% endif %}
{% endfor %}
{% for account in report['accounts'] if account['plan'] %}
{% set plan = account['plan'] %}
{{ row(['account total', account['account'], usd(plan['monthly'], plan['monthly_complete']), usd(plan['once'], plan['once_complete']),
        plan['full'], plan['incremental'], gib(plan['bytes']), plan['preflight']]) }}
{% endfor %}
{{ row(['**total**', '-', usd(total['monthly'], total['monthly_complete']), usd(total['once'], total['once_complete']),
        total['full'], total['incremental'], gib(total['bytes']), total['preflight']]) }}
{% endif %}
{% for organization in report.get('organizations') or [] %}

## Accounts without a DR scope: {{ organization['provider'] }} organisation of {{ organization['management_account'] }}

{{ organization['accounts'] }} accounts, {{ organization['with_scopes'] }} with scopes\
{{ '; %d of those have no scope in this report (--limit, or scopes that never reported): %s' % (organization['not_in_report'] | length,
   organization['not_in_report'][:20] | join(', ')) if organization['not_in_report'] else '' }}.
{% if organization['without_scope'] %}

{{ head(['account', 'name', 'why it has no scope']) }}
{% for account in organization['without_scope'] %}
{{ row([account['account'], account['name'], account['why']]) }}
{% endfor %}
{% endif %}
{% endfor %}
{% set grouped = report['scopes'] | selectattr('groups', 'defined') | selectattr('groups') | list %}
{% if grouped %}

## Consistency groups

Each group's disks are copied from one set of snapshots made at one moment, and stand in a DR region only together:
with every member's copy there completed and of one set.
{% for scope in grouped %}
{% for line in scope.get('look_alikes') or [] %}

{{ scope['scope'] | escape_cell }}: {{ line | escape_cell }}.
{% endfor %}
{% endfor %}

{{ head(['scope', 'group', 'disks', 'status', 'DR region', 'set', 'standing', 'data age (h)']) }}
{% for scope in grouped %}
{% for group in scope['groups'] %}
{% for cell in group['regions'] %}
{{ row([scope['scope'], group['name'], group['disks'] | join(', '), group['status'], cell['region'], cell['set_id'],
        standing_words[cell['standing']], cell['recovery_point_age_hours']]) }}
{% endfor %}
{% endfor %}
{% endfor %}
{% endif %}
{% if report.get('not_covered_disks') %}

## Not covered

{{ report['not_covered_disks'] | length }} disks that no scope covers, near misses first: a near miss carries a selector's \
tags but for case or spaces, and is almost always meant to be covered.

{{ head(['source region', 'account', 'disk', 'name', 'near miss', 'left by']) }}
{% for disk in report['not_covered_disks'] %}
{{ row([disk['source_region'], disk['account'], disk['disk_id'], disk['name'], disk['near_miss'] | join(', ') or none,
        disk['scopes'] | join(', ')]) }}
{% endfor %}
{% endif %}
{% if report['scopes'] | map(attribute='suspect', default=[]) | select | list %}

## Copies in doubt

A copy in doubt is no proof of its disk's data: it differs from its source, or its source rewrote far more of the disk
than usual (suspect, as ransomware does), or that rewrite could not be measured. Its disk stands by the last known good
copy, which pruning keeps until a person deletes the differing copy or takes the tag snapcopy:suspect (or
snapcopy:churn) off.

{{ head(['scope', 'disk', 'DR region', 'copy in doubt', 'why', 'last known good copy', 'data from']) }}
{% for scope in report['scopes'] %}
{% for point in scope.get('suspect') or [] %}
{{ row([scope['scope'], point['disk_id'], point['region'], point['doubt_copy_id'], point['doubt'],
        point['last_known_good'] or 'none', point['last_known_good_point']]) }}
{% endfor %}
{% endfor %}
{% endif %}
{% if report['scopes'] | map(attribute='restore_tests', default=[]) | select | list %}

## Restore tests

{{ head(['scope', 'DR region', 'disk', 'DR copy', 'test disk', 'seconds to usable', 'result', 'error']) }}
{% for scope in report['scopes'] %}
{% for test in scope.get('restore_tests') or [] %}
{{ row([scope['scope'], test.get('region'), test.get('disk_id'), test.get('copy_id'), test.get('test_disk_id'),
        test.get('seconds_to_usable'), test.get('result') | plain, (test.get('error') or {}).get('code')]) }}
{% endfor %}
{% endfor %}
{% endif %}
{% set failed = report['scopes'] | selectattr('run', 'equalto', 'failed') | list %}
{% if failed %}

## Failed scopes

{% for scope in failed %}
- **{{ scope['scope'] | escape_cell }}**: {{ (scope['error'] or '%d problem(s)' % scope['failure_count']) | plain | escape_cell }}
{% for failure in scope['failures'] | unique %}
  - {{ failure | plain | escape_cell }}
{% endfor %}
{% endfor %}
{% endif %}
"""


def _environment() -> Environment:
    # Markdown, not HTML: escape_cell is the escaping, so Jinja2's HTML autoescape stays off. A key a template
    # reads and the report lacks fails the rendering rather than printing an empty cell.
    environment = Environment(
        loader=DictLoader(
            {'table': TABLE_TEMPLATE, 'dr_report': DR_REPORT_TEMPLATE, 'fleet_report': FLEET_REPORT_TEMPLATE}
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters['escape_cell'] = escape_cell
    environment.filters['plain'] = plain
    environment.globals['action_words'] = ACTION_WORDS
    environment.globals['standing_words'] = STANDING_WORDS
    environment.globals.update(
        usd=usd, gib=gib, copies_words=copies_words, time_words=time_words, why_full_words=why_full_words
    )
    return environment


ENVIRONMENT = _environment()
# The templates each document's rendering reaches (the actions compile them ahead: plugin_utils/_templates.py).
DR_MARKDOWN_TEMPLATES = (ENVIRONMENT, ('dr_report', 'table'))
FLEET_MARKDOWN_TEMPLATES = (ENVIRONMENT, ('fleet_report', 'table'))


def dr_report_markdown(report: dict[str, Any]) -> str:
    """A DR run's report (dr_sync's return values) as a Markdown document: a header, the totals, one table row per
    disk and DR region, the disks not covered, pruning, the restore drill, failures."""
    protection = of_report(report)
    # The scope's numbers are the model's; the rest are what the run did. In the run's order (TOTALS), whatever the
    # order of the report's keys: the JSON file's are sorted, and a report read back from it (dr_drill_finish's) is shown
    # as the run showed it.
    counts = dict(report['totals'], **protection.totals())
    totals = {key: counts[key] for key in TOTALS if key in counts}
    totals.update((key, value) for key, value in counts.items() if key not in totals)
    if report['check_mode']:
        totals = {CHECK_MODE_TOTALS.get(key, key): value for key, value in totals.items()}
    return ENVIRONMENT.get_template('dr_report').render(
        report=report,
        shown_totals=totals,
        locks=lock_rows(report),
        protection=protection,
        coverage_heading=protection.coverage_heading(),
        uncovered=protection.uncovered_near_misses_first(),
        vault_lines=[line for line in (dr_account_line(report), lock_summary(report)) if line],
        groups=scope_groups(protection),
        consistency_line=not_crash_consistent_line(report),
        look_alikes=look_alike_lines(report),
        newer_sets=newer_sets(report),
        points_line=verified_points_line(report, protection),
        point_rows=point_rows(protection),
        plan=plan_totals(report.get('plan')),
        plan_rows=region_rows(report['plan'], report['dr_regions']) if report.get('plan') else [],
        preflight=(report.get('plan') or {}).get('preflight') or [],
    )


def newer_sets(report: dict[str, Any]) -> dict[str, str]:
    """{consistency group: its sets newer than its recovery point, in words} (a set in flight or torn)."""
    words: dict[str, str] = {}
    for disk in report['disks']:
        group = disk.get('consistency_group')
        if group and group.get('newer_sets'):
            words[group['name']] = ', '.join(
                '%s %s' % (found['set_id'], found['state'].replace('_', ' ')) for found in group['newer_sets']
            )
    return words


def fleet_report_markdown(report: dict[str, Any]) -> str:
    """The fleet report (the dr_fleet_report filter's) as a Markdown document: the totals, one table row per scope,
    the accounts, the disks not covered, the restore drills' tests, then each failed scope with its problems."""
    return ENVIRONMENT.get_template('fleet_report').render(report=report)
