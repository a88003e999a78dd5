# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DR run's report: the data dr_sync returns (totals, one record per disk, failures), and the
same as a Markdown document for people (report_markdown, the dr_copy role's report file)."""

from __future__ import annotations

from ._engine import COPIED, EXISTING, NOT_COPIED, WOULD_COPY

TOTALS = ('disks', 'copied', 'existing', 'would_copy', 'not_copied', 'fresh_snapshots', 'pruned', 'kept', 'without_dr_copy')
# What a report file holds: the run's own data as dr_sync returns it. Never the whole task result, whose
# warnings, deprecations and invocation the core adds (as objects from ansible-core 2.19 on, not JSON).
REPORT_KEYS = ('msg', 'changed', 'failed', 'check_mode', 'provider', 'account', 'source_region', 'dr_regions', 'generated_at',
               'duration_seconds', 'totals', 'disks', 'restore', 'failures', 'run_warnings', 'api_retries')
# The total each copy action counts in.
ACTION_TOTALS = {COPIED: 'copied', EXISTING: 'existing', WOULD_COPY: 'would_copy', NOT_COPIED: 'not_copied'}


def dr_report(entries, settings, now, check_mode, restore=None, run_problems=()):
    """The report of a run over ``entries`` (the run's DiskEntry list), without api_retries and run_warnings,
    which the run adds. Problems found here (a disk without a source snapshot) join the entries'.
    ``restore`` is the restore drill's section (None without one); ``run_problems`` are the failures of the
    run as a whole (a selector that matches no disk) and of its drill."""
    totals = dict.fromkeys(TOTALS, 0)
    totals['disks'] = len(entries)
    dr_regions = [region['region'] for region in settings['dr_regions']]
    disks, failures = [], []
    for entry in entries:
        record = disk_record(entry, set(dr_regions), now, check_mode, waits=bool(settings.get('wait')))
        for copy in record['copies']:
            if copy['action'] in ACTION_TOTALS:
                totals[ACTION_TOTALS[copy['action']]] += 1
        totals['without_dr_copy'] += 1 if record['missing_regions'] else 0
        totals['fresh_snapshots'] += 1 if entry.fresh_action in ('created', 'would_create') else 0
        totals['pruned'] += sum(1 for pruned in entry.pruned if pruned['action'] in ('deleted', 'would_delete'))
        totals['kept'] += len(entry.kept)
        disks.append(record)
        failures.extend('%s: %s' % (entry.disk.id, problem) for problem in entry.problems)
    failures.extend(run_problems)
    # A drill leaves nothing behind: only deleting the leftovers of earlier drills is a change.
    leftovers_deleted = restore['totals']['leftovers_deleted'] if restore else 0
    return {
        'changed': bool(totals['copied'] or totals['would_copy'] or totals['fresh_snapshots'] or totals['pruned'] or leftovers_deleted),
        'check_mode': check_mode,
        'provider': settings['provider'],
        'source_region': settings['source_region'],
        'dr_regions': dr_regions,
        'generated_at': now.strftime('%Y-%m-%dT%H:%M:%SZ'),
        'totals': totals,
        'disks': disks,
        'restore': restore,
        'failures': failures,
    }


def disk_record(entry, dr_regions, now, check_mode, waits=False):
    """One disk of the report: its source and fresh snapshots, its copies, the DR regions it still lacks.

    In check mode, a disk that would first get a fresh snapshot is planned as the real run would go: one that
    ``waits`` copies that snapshot once it has completed; one that does not has nothing to copy yet.
    """
    copies = []
    for outcome in entry.outcomes:
        for place in outcome.destinations.values():
            copy = place.as_result()
            copy['age_hours'] = round(place.snapshot.age_hours(now), 1) if place.snapshot is not None else None
            copies.append(copy)
        entry.problems.extend(outcome.failures())
    fresh_to_copy = check_mode and waits and entry.fresh_action == 'would_create'
    if entry.source is None and not entry.problems and not fresh_to_copy:
        being_made = entry.fresh is not None or entry.fresh_action == 'would_create'
        entry.problems.append('no completed snapshot to copy' + (' yet (a fresh one is being made)' if being_made else ''))
    covered = {copy['region'] for copy in copies if copy['snapshot_id'] and copy.get('state') and not copy.get('error')
               and copy['action'] != NOT_COPIED}
    if check_mode:
        covered |= {copy['region'] for copy in copies if copy['action'] == WOULD_COPY}
    if fresh_to_copy:
        covered = set(dr_regions)
    source, fresh = entry.source, entry.fresh
    return {
        'disk_id': entry.disk.id,
        'disk_name': entry.disk.name,
        'source_snapshot': None if source is None else {
            'id': source.id, 'state': source.cloud_state, 'created': source.created, 'age_hours': round(source.age_hours(now), 1)},
        'fresh_snapshot': None if entry.fresh_action is None else {
            'action': entry.fresh_action, 'id': fresh.id if fresh is not None else None,
            'state': fresh.cloud_state if fresh is not None else None},
        'copies': copies,
        'missing_regions': sorted(dr_regions - covered),
        'pruned': entry.pruned,
        'kept': entry.kept,
        'problems': entry.problems,
    }


def markdown_report(report):
    """The report as a Markdown document: a header, totals, one table row per disk and region, pruning, failures."""
    lines = ['# DR copy report: %s %s -> %s' % (report['provider'], report['source_region'], ', '.join(report['dr_regions'])), '',
             'Generated %s%s.' % (report['generated_at'], ' (check mode: nothing was changed)' if report['check_mode'] else ''), '',
             '| ' + ' | '.join('%s' % key.replace('_', ' ') for key in report['totals']) + ' |',
             '|' + '---|' * len(report['totals']),
             '| ' + ' | '.join(str(value) for value in report['totals'].values()) + ' |', '',
             '| disk | name | source snapshot | age (h) | DR region | DR copy | state | action | copy age (h) |',
             '|---|---|---|---|---|---|---|---|---|']
    for disk in report['disks']:
        source = disk['source_snapshot'] or {}
        copies = disk['copies'] or [{'region': region, 'snapshot_id': None, 'state': None, 'action': 'none', 'age_hours': None}
                                    for region in report['dr_regions']]
        for copy in copies:
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % tuple(text(cell) for cell in (
                disk['disk_id'], disk['disk_name'] or '', source.get('id'), _number(source.get('age_hours')),
                copy['region'], copy['snapshot_id'], copy.get('state'), _action_text(copy), _number(copy.get('age_hours')))))
    pruned = [(disk['disk_id'], record) for disk in report['disks'] for record in disk['pruned']]
    if pruned:
        lines += ['', '## Pruned', '', '| disk | DR region | copy | age (h) | action |', '|---|---|---|---|---|']
        lines += ['| %s | %s | %s | %s | %s |' % tuple(text(cell) for cell in (
            disk_id, record['region'], record['snapshot_id'], _number(record['age_hours']), record['action']))
            for disk_id, record in pruned]
    if report.get('restore'):
        lines += restore_markdown(report['restore'])
    if report['failures']:
        lines += ['', '## Failures', ''] + ['- %s' % text(failure) for failure in report['failures']]
    return '\n'.join(lines) + '\n'


def restore_markdown(restore):
    """The restore drill's section of the Markdown report: one row per test, then the leftovers deleted."""
    totals = restore['totals']
    lines = ['', '## Restore test', '',
             'Run %s: a disk of type %s made from the newest completed DR copy of %d disk(s) per DR region, timed, and deleted. '
             '%d passed, %d failed, %d timed out%s.' % (
                 restore['run_id'], restore['disk_type'], restore['count_per_region'], totals['passed'], totals['failed'],
                 totals['timed_out'], ', %d planned (check mode)' % totals['would_test'] if totals['would_test'] else ''), '',
             '| DR region | zone | disk | DR copy | test disk | seconds to usable | result | test disk afterwards |',
             '|---|---|---|---|---|---|---|---|']
    for test in restore['tests']:
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % tuple(text(cell) for cell in (
            test['region'], test['zone'], test['disk_id'], test['copy_id'], test['test_disk_id'],
            _number(test['seconds_to_usable']), test['result'], (test['test_disk'] or {}).get('action'))))
    for region in restore['regions']:
        if region['plan']:
            lines.append('| %s | %s | - | - | - | - | %s | - |' % (text(region['region']), text(region['zone']), text(region['plan'])))
    if restore['leftovers']:
        lines += ['', 'Leftovers of earlier drills:', '', '| DR region | test disk | run | action |', '|---|---|---|---|']
        lines += ['| %s | %s | %s | %s |' % tuple(text(cell) for cell in (
            record['region'], record['test_disk_id'], record['run'], record['action']
            + (' %s (its run may still be under way)' % record['until'] if record.get('until') else '')))
            for record in restore['leftovers']]
    return lines


def text(value):
    """Text from the cloud (a disk's name, a message) as Markdown shows it and nothing more: one line, no table cell
    break (|), no HTML (a renderer that passes HTML through would run a name's <script>). None is '-'."""
    if value is None:
        return '-'
    escaped = str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('|', '\\|')
    return ' '.join(escaped.split()) or '-'


def _action_text(copy):
    """The action of a copy in the Markdown table, saying when the copy found differs from what was asked."""
    action = copy.get('action') or '-'
    if copy.get('mismatch'):
        action += ' (%s differs: %s)' % (copy['mismatch']['snapshot_id'], ', '.join(sorted(copy['mismatch']['differences'])))
    return action


def _number(value):
    return '-' if value is None else '%s' % value
