"""An in-memory cloud behind the Adapter interface, for the engine's and the DR run's unit tests.

The adapters have their own tests against the real SDKs; this model keeps disks, snapshots
and copies, can fail, throttle or lose answers, and counts calls, so that the rules written
once in the engine and the DR run are shown for any adapter.
"""
from __future__ import annotations

import datetime

from ansible_collections.snapcopy.cloud.plugins.module_utils._errors import NOT_FOUND, RETRYABLE, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import COMPLETED, PENDING, Adapter, Disk, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils._tagging import SOURCE_TAG

EPOCH = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


class MemoryCloud(Adapter):
    """Copies finish ``copy_seconds`` after they start; every call is counted.

    Times: ``clock.now`` seconds after EPOCH is "now" for snapshots' creation times.
    """

    cloud = 'memory'
    sample_snapshot_id = 'snap-000'
    readable_options = ('encrypted', 'tags')

    def __init__(self, clock, multi_destination=False, copy_seconds=10, in_flight_limit=None):
        self.clock = clock
        self.multi_destination = multi_destination
        self.copy_seconds = copy_seconds
        self.in_flight_limit = in_flight_limit
        self.copies = {}      # id -> {'region', 'tags', 'started'}
        self.disks = {}       # id -> Disk
        self.snapshots = {}   # id -> {'disk', 'region', 'created', 'state'}
        self.calls = {}
        self.copy_errors = []      # errors raised by the next start_copy calls
        self.per_destination = {}  # destination -> CloudError returned for it
        self.lose_next_answer = False
        self.peak_in_flight = {}
        self.deleted = []

    def _count(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1

    def when(self, seconds):
        return (EPOCH + datetime.timedelta(seconds=seconds)).isoformat()

    # ------------------------------------------------------------------ seeding
    def add_disk(self, disk_id, region='src-1', tags=None, snapshot_ages_hours=(1,)):
        self.disks[disk_id] = Disk(disk_id, region, name='name-' + disk_id, tags=tags or {})
        for index, age in enumerate(snapshot_ages_hours):
            self.snapshots['%s-snap-%d' % (disk_id, index)] = {
                'disk': disk_id, 'region': region, 'created': self.clock.now - age * 3600, 'state': COMPLETED}

    def add_copy(self, copy_id, region, tags, started, encrypted=False, name=None):
        self.copies[copy_id] = {'region': region, 'tags': dict(tags), 'started': started, 'encrypted': encrypted, 'name': name}

    # ------------------------------------------------------------------ the copy interface
    def _copy_snapshot(self, copy_id):
        copy = self.copies[copy_id]
        done = self.clock.now - copy['started'] >= self.copy_seconds
        return Snapshot(copy_id, copy['region'], COMPLETED if done else PENDING, tags=copy['tags'],
                        progress=100 if done else 50, created=self.when(copy['started']), encrypted=copy['encrypted'],
                        name=copy['name'])

    def _source_snapshot(self, snapshot_id):
        record = self.snapshots[snapshot_id]
        if record['state'] == PENDING and self.clock.now - record['created'] >= self.copy_seconds:
            record['state'] = COMPLETED
        return Snapshot(snapshot_id, record['region'], record['state'], volume_id=record['disk'],
                        created=self.when(record['created']), progress=100)

    def in_flight(self, region):
        return sum(1 for copy_id, copy in self.copies.items()
                   if copy['region'] == region and self._copy_snapshot(copy_id).state == PENDING)

    def get_sources(self, region, snapshot_ids):
        self._count('get_sources')
        return {snapshot_id: self._source_snapshot(snapshot_id) if snapshot_id in self.snapshots
                else Snapshot(snapshot_id, region, COMPLETED, progress=100) for snapshot_id in snapshot_ids}

    def find_copies(self, destination, requests):
        self._count('find_copies')
        wanted = {request.source_tag for request in requests}
        found = {}
        for copy_id, copy in self.copies.items():
            if copy['region'] == destination and copy['tags'].get(SOURCE_TAG) in wanted:
                found.setdefault(copy['tags'][SOURCE_TAG], []).append(self._copy_snapshot(copy_id))
        return found

    def start_copy(self, request, destinations):
        self._count('start_copy')
        if self.copy_errors:
            raise self.copy_errors.pop(0)
        results = {}
        for destination in destinations:
            if destination in self.per_destination:
                results[destination] = self.per_destination[destination]
                continue
            if self.in_flight_limit is not None and self.in_flight(destination) >= self.in_flight_limit:
                raise CloudError('CopySnapshot', 'ResourceLimitExceeded', 'too many copies in flight', kind=RETRYABLE)
            copy_id = 'copy-%d' % len(self.copies)
            tags = dict(request.options.get('tags') or {})
            tags[SOURCE_TAG] = request.source_tag
            self.add_copy(copy_id, destination, tags, self.clock.now, encrypted=bool(request.options.get('encrypted')),
                          name=request.options.get('name'))
            self.peak_in_flight[destination] = max(self.peak_in_flight.get(destination, 0), self.in_flight(destination))
            results[destination] = self._copy_snapshot(copy_id)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise CloudError('CopySnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)
        return results

    def describe(self, region, snapshot_ids):
        self._count('describe')
        found = {snapshot_id: self._copy_snapshot(snapshot_id) for snapshot_id in snapshot_ids if snapshot_id in self.copies}
        found.update({snapshot_id: self._source_snapshot(snapshot_id) for snapshot_id in snapshot_ids if snapshot_id in self.snapshots})
        return found

    # ------------------------------------------------------------------ the DR interface
    def find_disks(self, region, tag_selector):
        self._count('find_disks')
        return [disk for disk in self.disks.values() if disk.region == region and all(
            key in disk.tags and (value is None or disk.tags[key] == value) for key, value in tag_selector.items())]

    def disk_snapshots(self, region, disks):
        self._count('disk_snapshots')
        wanted = {disk.id for disk in disks}
        found = {}
        for snapshot_id, record in self.snapshots.items():
            if record['disk'] in wanted:
                found.setdefault(record['disk'], []).append(self._source_snapshot(snapshot_id))
        return found

    def create_snapshot(self, region, disk, name, description, tags):
        self._count('create_snapshot')
        snapshot_id = '%s-snap-%d' % (disk.id, len(self.snapshots))
        self.snapshots[snapshot_id] = {'disk': disk.id, 'region': region, 'created': self.clock.now, 'state': PENDING}
        return self._source_snapshot(snapshot_id)

    def list_copies(self, destination):
        self._count('list_copies')
        return [self._copy_snapshot(copy_id) for copy_id, copy in self.copies.items()
                if copy['region'] == destination and SOURCE_TAG in copy['tags']]

    def delete_snapshot(self, region, snapshot_id):
        self._count('delete_snapshot')
        if self.copies.pop(snapshot_id, None) is None:
            raise CloudError('DeleteSnapshot', 'InvalidSnapshot.NotFound', 'no snapshot %s' % snapshot_id, kind=NOT_FOUND)
        self.deleted.append(snapshot_id)
