# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR run: for every tagged disk, a copy of its newest snapshot in each DR region.

One run serves one provider, one source region and its DR regions, for any number of disks,
with the same engine and adapters as the single-copy modules. Every read is batched and
paged by the adapter; copies go through CopyEngine (safe retries, bounded copies in flight,
batched waiting); pruning deletes only copies this collection made, never a disk's newest.
"""

from __future__ import annotations

import datetime
import string
import time

from ._backoff import Backoff, CallRetry
from ._engine import COPIED, EXISTING, MAX_ATTEMPTS, MISMATCH_FAIL, NOT_COPIED, WOULD_COPY, CopyEngine, default_backoff
from ._errors import NOT_FOUND, CloudError, InputError, is_retryable
from ._model import COMPLETED, DELETING, FAILED, PENDING, CopyRequest
from ._poller import DONE, PENDING as POLL_PENDING, poll
from ._tagging import DISK_TAG, SOURCE_TAG

TEMPLATE_FIELDS = ('disk_id', 'disk_name', 'source_id', 'source_region', 'date')
FRESH_TAG = 'snapcopy:fresh'
# The adapters check requests with the single-copy modules' option names; dr_sync's user set these.
DR_OPTION_NAMES = {'destination_region': 'dr_regions', 'destination_regions': 'dr_regions',
                   'name': 'name_template', 'description': 'description_template'}
# Copy calls in the air at once. One after another, 1,000 copies at 20 ms a round trip cost 20 s
# before the first can finish; a few threads bring that near what the clouds' limits allow.
COPY_WORKERS = 16


def parse_time(text):
    """An ISO 8601 time from any of the clouds, as an aware UTC datetime (None if unknown)."""
    if not text:
        return None
    if isinstance(text, datetime.datetime):
        value = text
    else:
        value = datetime.datetime.fromisoformat(str(text).strip().replace('Z', '+00:00').replace(' ', 'T'))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def dr_input_error(error):
    """An adapter's InputError, which names a single-copy module's option, in the words of dr_sync's options."""
    return InputError(DR_OPTION_NAMES.get(error.option, error.option), error.message)


def render(template, fields, option):
    """Fill a name or description template; unknown placeholders are bad input."""
    if template is None:
        return None
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as error:
        raise InputError(option, 'cannot fill the template %r (%s); placeholders are %s'
                         % (template, error, ', '.join('{%s}' % field for field in TEMPLATE_FIELDS))) from None


class DrRun:
    """Plans and carries out one DR run. ``settings`` are dr_sync's options, validated by the module."""

    # pylint: disable-next=too-many-arguments
    def __init__(self, adapter, settings, check_mode=False, now=None, clock=time.monotonic, sleep=time.sleep, workers=COPY_WORKERS,
                 retry=None):
        """``retry`` (a CallRetry) is the run's, shared with the adapter's client and the copy engine."""
        self.adapter = adapter
        self.workers = workers
        self.settings = settings
        self.check_mode = check_mode
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.clock = clock
        self.sleep = sleep
        self.deadline = clock() + settings['wait_timeout']
        self.retry = retry if retry is not None else CallRetry(default_backoff(sleep=sleep, clock=clock))
        self.retry.deadline = self.deadline
        self.engine = None

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self):
        """Check templates, regions and copy options with the adapter's rules, before any call."""
        fields = {'disk_id': 'disk', 'disk_name': 'name', 'source_id': 'snapshot', 'source_region': 'region', 'date': '2026-01-01'}
        for option in ('name_template', 'description_template'):
            if self.settings.get(option):
                for dummy, field, dummy_spec, dummy_conversion in string.Formatter().parse(self.settings[option]):
                    if field is not None and field not in TEMPLATE_FIELDS:
                        raise InputError(option, 'unknown placeholder {%s}; placeholders are %s'
                                         % (field, ', '.join('{%s}' % name for name in TEMPLATE_FIELDS)))
                render(self.settings[option], fields, option)
        for request in self._requests_for(self.adapter.sample_snapshot_id, {'id': 'disk', 'name': 'name'}):
            try:
                self.adapter.validate(request)
            except InputError as error:
                raise dr_input_error(error) from None

    def _requests_for(self, source_id, disk):
        """One CopyRequest per group of DR regions that share copy options."""
        settings = self.settings
        fields = {'disk_id': disk['id'], 'disk_name': disk.get('name') or disk['id'], 'source_id': source_id,
                  'source_region': settings['source_region'], 'date': self.now.strftime('%Y-%m-%d')}
        tags = dict(settings.get('tags') or {})
        tags[DISK_TAG] = '%s/%s' % (settings['source_region'], disk['id'])
        common = {
            'name': render(settings.get('name_template'), fields, 'name_template'),
            'description': render(settings.get('description_template'), fields, 'description_template'),
            'tags': tags,
        }
        common.update(settings.get('copy_options') or {})
        groups = {}
        for region in settings['dr_regions']:
            options = dict(common)
            options.update({key: value for key, value in region.items() if key != 'region' and value is not None})
            key = tuple(sorted((name, repr(value)) for name, value in options.items()))
            groups.setdefault(key, (options, []))[1].append(region['region'])
        # A name or description made from a template with the date changes from run to run: a copy
        # made on another day is not held to today's.
        not_compared = [option for option in ('name', 'description') if '{date}' in (settings.get(option + '_template') or '')]
        return [CopyRequest(source_id, settings['source_region'], regions, options, not_compared)
                for options, regions in groups.values()]

    # ------------------------------------------------------------------ the run
    def run(self):
        self.validate()
        settings = self.settings
        region = settings['source_region']
        disks = sorted(self._call(self.adapter.find_disks, region, settings['tag_selector']), key=lambda disk: disk.id)
        snapshots = self._call(self.adapter.disk_snapshots, region, disks) if disks else {}
        entries = [self._plan_source(disk, snapshots.get(disk.id, [])) for disk in disks]
        self._refresh_stale(entries)
        self._copy(entries)
        if settings.get('prune'):
            self._prune(entries, snapshots)
        return self._report(entries)

    def _call(self, method, *args):
        return self.retry.call(method, *args)

    def _plan_source(self, disk, snapshots):
        completed = sorted((snapshot for snapshot in snapshots if snapshot.state == COMPLETED), key=_created_key)
        pending = sorted((snapshot for snapshot in snapshots if snapshot.state == PENDING), key=_created_key)
        entry = {'disk': disk, 'source': completed[-1] if completed else None, 'fresh': None, 'fresh_action': None,
                 'outcomes': [], 'pruned': [], 'kept': [], 'problems': [], 'snapshots': snapshots}
        max_age = self.settings.get('max_snapshot_age_hours')
        if max_age:
            newest = entry['source']
            if newest is None or self._age_hours(newest) > max_age:
                if pending:
                    # A snapshot is already being made (by an earlier run or someone else): use it, make no other.
                    entry['fresh'], entry['fresh_action'] = pending[-1], 'existing'
                else:
                    entry['fresh_action'] = 'create'
        return entry

    def _refresh_stale(self, entries):
        """Take a fresh snapshot of each disk whose newest is older than the RPO, and wait for it if asked."""
        for entry in entries:
            if entry['fresh_action'] != 'create':
                continue
            if self.check_mode:
                entry['fresh_action'] = 'would_create'
                continue
            disk = entry['disk']
            fields = {'disk_id': disk.id, 'disk_name': disk.name or disk.id, 'source_id': '', 'source_region': disk.region,
                      'date': self.now.strftime('%Y-%m-%d')}
            name = render(self.settings.get('snapshot_name_template'), fields, 'snapshot_name_template')
            try:
                entry['fresh'] = self._create_fresh_snapshot(disk, name)
                entry['fresh_action'] = 'created'
            except CloudError as error:
                entry['fresh_action'] = 'failed'
                entry['problems'].append('fresh snapshot of %s: %s' % (disk.id, error))
        waiting = [entry for entry in entries if entry['fresh'] is not None and entry['fresh'].state == PENDING]
        if waiting and self.settings.get('wait') and not self.check_mode:
            def read():
                latest = self._call(self.adapter.describe, self.settings['source_region'], sorted(entry['fresh'].id for entry in waiting))
                for entry in waiting:
                    entry['fresh'] = latest.get(entry['fresh'].id, entry['fresh'])
                return waiting

            poll(read, lambda group: POLL_PENDING if any(entry['fresh'].state == PENDING for entry in group) else DONE,
                 self.deadline, self.settings['poll_interval'], sleep=self.sleep, clock=self.clock, max_interval=60)
        for entry in entries:
            fresh = entry['fresh']
            if fresh is not None and fresh.state == COMPLETED:
                entry['source'] = fresh
            elif fresh is not None and fresh.state == FAILED:
                entry['problems'].append('fresh snapshot %s of %s failed: %s' % (fresh.id, entry['disk'].id, fresh.message or fresh.cloud_state))

    def _create_fresh_snapshot(self, disk, name):
        """Start a snapshot of ``disk``. Never twice: CreateSnapshot has no idempotency token on
        most clouds, so an answer lost in transit is followed by a look-up, not by a second call."""
        stamp = self.now.strftime('%Y-%m-%dT%H:%M:%SZ')
        # With an idempotency token, resending after a lost answer gets the first answer back.
        resend_uncertain = self.adapter.create_call_is_idempotent
        no_blind_retry = Backoff(lambda error: is_retryable(error) and (resend_uncertain or not error.uncertain),
                                 max_attempts=MAX_ATTEMPTS, sleep=self.sleep, clock=self.clock)
        try:
            return no_blind_retry.call(lambda: self.adapter.create_snapshot(
                disk.region, disk, name, 'Fresh snapshot for DR by snapcopy.cloud', {FRESH_TAG: stamp}), self.deadline)
        except CloudError as error:
            if not error.uncertain:
                raise
            if error.settle_seconds:
                # A call that timed out may still be carried out: let it land before looking.
                if self.clock() + error.settle_seconds > self.deadline:
                    raise
                self.sleep(error.settle_seconds)
            snapshots = self._call(self.adapter.disk_snapshots, disk.region, [disk]).get(disk.id, [])
            # Ours carries this run's stamp; where the cloud keeps no tags, it is the one made since the run began.
            made = [snapshot for snapshot in snapshots if snapshot.tags.get(FRESH_TAG) == stamp] or [
                snapshot for snapshot in snapshots if (parse_time(snapshot.created) or self.now) >= self.now - datetime.timedelta(minutes=5)
                and snapshot.state != FAILED]
            if not made:
                raise
            return sorted(made, key=_created_key)[-1]

    def _copy(self, entries):
        requests, owners, sources = [], [], {}
        for entry in entries:
            if entry['source'] is None:
                continue
            disk = entry['disk']
            # The run has just listed the disks' snapshots: the engine need not read the sources again.
            sources[(self.settings['source_region'], entry['source'].id)] = entry['source']
            for request in self._requests_for(entry['source'].id, {'id': disk.id, 'name': disk.name}):
                requests.append(request)
                owners.append(entry)
        settings = self.settings
        self.engine = CopyEngine(
            self.adapter, check_mode=self.check_mode, wait=settings.get('wait', False),
            timeout=max(1, self.deadline - self.clock()), poll_interval=settings['poll_interval'], max_poll_interval=60,
            max_in_flight=settings.get('max_in_flight') or self.adapter.max_copies_in_flight,
            clock=self.clock, sleep=self.sleep, workers=self.workers, on_mismatch=settings.get('on_mismatch') or MISMATCH_FAIL,
            retry=self.retry)
        try:
            outcomes = self.engine.run(requests, sources) if requests else []
        except InputError as error:
            raise dr_input_error(error) from None
        for entry, outcome in zip(owners, outcomes):
            entry['outcomes'].append(outcome)

    # ------------------------------------------------------------------ pruning
    def _prune(self, entries, snapshots):
        keep = self.settings.get('keep_copies')
        max_age_days = self.settings.get('max_copy_age_days')
        if not keep and not max_age_days:
            return
        by_disk = {'%s/%s' % (entry['disk'].region, entry['disk'].id): entry for entry in entries}
        source_to_disk = {}
        for disk_id, disk_snapshots in snapshots.items():
            for snapshot in disk_snapshots:
                source_to_disk['%s/%s' % (self.settings['source_region'], snapshot.id)] = '%s/%s' % (self.settings['source_region'], disk_id)
        current = {place.snapshot.id for entry in entries for outcome in entry['outcomes']
                   for place in outcome.destinations.values() if place.snapshot is not None}
        for destination in [region['region'] for region in self.settings['dr_regions']]:
            copies = self._call(self.adapter.list_copies, destination)
            groups = {}
            # A copy on its way out is neither kept nor pruned again.
            for copy in (copy for copy in copies if copy.state != DELETING):
                disk_key = copy.tags.get(DISK_TAG) or source_to_disk.get(copy.tags.get(SOURCE_TAG) or '%s/%s' % (copy.source_region, copy.source_id))
                if disk_key in by_disk:  # never touch copies of disks this run does not look after
                    groups.setdefault(disk_key, []).append(copy)
            for disk_key, group in groups.items():
                entry = by_disk[disk_key]
                ordered = sorted(group, key=_created_key, reverse=True)
                # In check mode, a copy that a real run would make first is counted as the newest,
                # so that the plan prunes what the real run would.
                would_copy = any(outcome.destinations.get(destination) is not None and
                                 outcome.destinations[destination].action == WOULD_COPY for outcome in entry['outcomes'])
                for index, copy in enumerate(ordered, start=1 if would_copy else 0):
                    too_many = keep is not None and 0 < keep <= index
                    too_old = max_age_days and self._age_hours(copy) > max_age_days * 24
                    protected = index == 0 or copy.id in current or copy.state == PENDING
                    if (too_many or too_old) and not protected:
                        entry['pruned'].append(self._delete(destination, copy, entry))
                    else:
                        entry['kept'].append({'region': destination, 'snapshot_id': copy.id, 'created': copy.created})

    def _delete(self, destination, copy, entry):
        record = {'region': destination, 'snapshot_id': copy.id, 'created': copy.created,
                  'age_hours': round(self._age_hours(copy), 1), 'action': 'would_delete' if self.check_mode else 'deleted'}
        if not self.check_mode:
            try:
                self._call(self.adapter.delete_snapshot, destination, copy.id)
            except CloudError as error:
                if error.kind != NOT_FOUND:  # already gone is as good as deleted
                    record['action'] = 'delete_failed'
                    record['error'] = error.as_result()
                    entry['problems'].append('pruning %s in %s: %s' % (copy.id, destination, error))
        return record

    # ------------------------------------------------------------------ report
    def _age_hours(self, snapshot):
        created = parse_time(snapshot.created)
        if created is None:
            return 0.0
        return max(0.0, (self.now - created).total_seconds() / 3600)

    def _report(self, entries):
        disks, failures = [], []
        totals = {'disks': len(entries), 'copied': 0, 'existing': 0, 'would_copy': 0, 'not_copied': 0,
                  'fresh_snapshots': 0, 'pruned': 0, 'kept': 0, 'without_dr_copy': 0}
        for entry in entries:
            disk = entry['disk']
            copies = []
            for outcome in entry['outcomes']:
                for place in outcome.destinations.values():
                    result = place.as_result()
                    result['age_hours'] = round(self._age_hours(place.snapshot), 1) if place.snapshot is not None else None
                    copies.append(result)
                    key = {COPIED: 'copied', EXISTING: 'existing', WOULD_COPY: 'would_copy', NOT_COPIED: 'not_copied'}.get(place.action)
                    if key:
                        totals[key] += 1
                entry['problems'].extend(outcome.failures())
            if entry['source'] is None and not entry['problems']:
                entry['problems'].append('no completed snapshot to copy' + (
                    ' yet (a fresh one is being made)' if entry['fresh'] is not None else ''))
            covered = {copy['region'] for copy in copies if copy['snapshot_id'] and copy.get('state') and not copy.get('error')
                       and copy['action'] != NOT_COPIED}
            wanted = {region['region'] for region in self.settings['dr_regions']}
            if self.check_mode:
                covered |= {copy['region'] for copy in copies if copy['action'] == WOULD_COPY}
            missing = sorted(wanted - covered)
            if missing:
                totals['without_dr_copy'] += 1
            if entry['fresh_action'] in ('created', 'would_create'):
                totals['fresh_snapshots'] += 1
            totals['pruned'] += sum(1 for record in entry['pruned'] if record['action'] in ('deleted', 'would_delete'))
            totals['kept'] += len(entry['kept'])
            source = entry['source']
            disks.append({
                'disk_id': disk.id,
                'disk_name': disk.name,
                'source_snapshot': None if source is None else {
                    'id': source.id, 'state': source.cloud_state, 'created': source.created,
                    'age_hours': round(self._age_hours(source), 1)},
                'fresh_snapshot': None if entry['fresh_action'] is None else {
                    'action': entry['fresh_action'], 'id': entry['fresh'].id if entry['fresh'] is not None else None,
                    'state': entry['fresh'].cloud_state if entry['fresh'] is not None else None},
                'copies': copies,
                'missing_regions': missing,
                'pruned': entry['pruned'],
                'kept': entry['kept'],
                'problems': entry['problems'],
            })
            failures.extend('%s: %s' % (disk.id, problem) for problem in entry['problems'])
        changed = bool(totals['copied'] or totals['would_copy'] or totals['fresh_snapshots'] or totals['pruned'])
        return {
            'changed': changed,
            'check_mode': self.check_mode,
            'provider': self.settings['provider'],
            'source_region': self.settings['source_region'],
            'dr_regions': [region['region'] for region in self.settings['dr_regions']],
            'generated_at': self.now.strftime('%Y-%m-%dT%H:%M:%SZ'),
            'totals': totals,
            'disks': disks,
            'failures': failures,
            'api_retries': self.retry.retries,
            'warnings': list(self.engine.warnings) if self.engine is not None else [],
        }


def _created_key(snapshot):
    created = parse_time(snapshot.created)
    return (created or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc), snapshot.id)


def markdown_report(report):
    """The report as a Markdown document: a header, totals, one table row per disk and region, failures."""
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
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                disk['disk_id'], disk['disk_name'] or '', source.get('id') or '-', _num(source.get('age_hours')),
                copy['region'], copy['snapshot_id'] or '-', copy.get('state') or '-', _action_text(copy), _num(copy.get('age_hours'))))
    pruned = [(disk['disk_id'], record) for disk in report['disks'] for record in disk['pruned']]
    if pruned:
        lines += ['', '## Pruned', '', '| disk | DR region | copy | age (h) | action |', '|---|---|---|---|---|']
        lines += ['| %s | %s | %s | %s | %s |' % (disk_id, record['region'], record['snapshot_id'], _num(record['age_hours']), record['action'])
                  for disk_id, record in pruned]
    if report['failures']:
        lines += ['', '## Failures', ''] + ['- %s' % failure for failure in report['failures']]
    return '\n'.join(lines) + '\n'


def _action_text(copy):
    """The action of a copy in the Markdown table, saying when the copy found differs from what was asked."""
    action = copy.get('action') or '-'
    if copy.get('mismatch'):
        action += ' (%s differs: %s)' % (copy['mismatch']['snapshot_id'], ', '.join(sorted(copy['mismatch']['differences'])))
    return action


def _num(value):
    return '-' if value is None else '%s' % value
