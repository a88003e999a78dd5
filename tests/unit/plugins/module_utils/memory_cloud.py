"""An in-memory cloud behind the adapter interface (engine.capabilities.DrAdapter and RestoreDrillAdapter), for the
engine's and the DR run's unit tests.

The adapters have their own tests against the real SDKs; this model keeps disks, snapshots
and copies, can fail, throttle or lose answers, and counts calls, so that the rules written
once in the engine and the DR run are shown for any adapter.
"""

from __future__ import annotations

import datetime
import email.utils
import threading
import types

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import tell_date
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import USABLE, Disk, DrillDisk, SnapshotLock
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    FATAL,
    INVALID,
    NOT_FOUND,
    RETRYABLE,
    CloudError,
    InputError,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, FAILED, PENDING, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_TAG,
    DISK_TAG,
    SHARE_LEASE_TAG_PREFIX,
    SHARE_TAG,
    SOURCE_TAG,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import (
    DrAccountAdapter,
    DrAdapter,
    RestoreDrillAdapter,
    SetReading,
    SnapshotLockAdapter,
    SnapshotSetAdapter,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.shares import (
    OneSourceShareCalls,
    ShareLeases,
)

EPOCH = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


class RunKilled(BaseException):
    """The process of the run was killed (SIGKILL): no call of it reaches the cloud any more, and nothing catches
    this."""


class Turnstile:
    """Two or more DR runs at once on one cloud, interleaved call by call: each run's thread stops before each of its
    calls until the turnstile lets it through, one call at a time, in the order ``order`` (thread names) says, then in
    turn. So a test states the interleaving it wants, and hypothesis searches them, with no thread left to the machine's
    speed: only one thread moves at a time."""

    WAIT_SECONDS = 30  # a run that does not reach its next call in this long is a bug of the test, not a slow machine

    def __init__(self, order):
        self.order = list(order)
        self.changed = threading.Condition()
        self.turn = None  # the thread let through to make its next call
        self.parked = set()  # threads stopped before a call
        self.done = set()  # threads whose run has ended
        self.outcomes = {}  # thread name -> (the run's answer or None, the exception it ended with or None)
        self.names = (
            set()
        )  # the runs' threads; a call from any other thread (the test's own reads) goes straight through

    def before_call(self):
        """Called by the cloud before each call of a run's thread: wait for that thread's turn."""
        name = threading.current_thread().name
        if name not in self.names:
            return
        with self.changed:
            self.parked.add(name)
            self.changed.notify_all()
            if not self.changed.wait_for(lambda: self.turn == name, timeout=self.WAIT_SECONDS):
                raise AssertionError('run %s was never let through' % name)
            self.turn = None
            self.parked.discard(name)

    def run(self, runs):
        """Run ``runs`` ({thread name: callable}) interleaved; answer {name: (answer, exception)}."""
        self.names = set(runs)
        threads = [
            threading.Thread(target=self._body, args=(name, call), name=name, daemon=True)
            for name, call in runs.items()
        ]
        for thread in threads:
            thread.start()
        turns = list(self.order)
        rotation = 0
        while True:
            with self.changed:
                if not self.changed.wait_for(
                    lambda: self.turn is None and all(name in self.parked or name in self.done for name in runs),
                    timeout=self.WAIT_SECONDS,
                ):
                    raise AssertionError('a run neither reached a call nor ended')
                waiting = sorted(name for name in runs if name in self.parked)
                if not waiting:
                    break
                wanted = turns.pop(0) if turns else waiting[rotation % len(waiting)]
                rotation += 1
                self.turn = wanted if wanted in waiting else waiting[0]
                self.changed.notify_all()
        for thread in threads:
            thread.join(self.WAIT_SECONDS)
        return self.outcomes

    def _body(self, name, call):
        answer, error = None, None
        try:
            answer = call()
        except BaseException as exception:  # pylint: disable=broad-exception-caught  # the test reads it
            error = exception
        with self.changed:
            self.outcomes[name] = (answer, error)
            self.done.add(name)
            self.changed.notify_all()


class MemoryCloud(DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter, DrAccountAdapter, OneSourceShareCalls):
    """Copies finish ``copy_seconds`` after they start; every call is counted.

    Times: ``clock.now`` seconds after EPOCH is "now" for snapshots' creation times.
    """

    cloud = 'memory'
    sample_snapshot_id = 'snap-000'
    readable_options = ('encrypted', 'tags')
    # Locks as EBS has them (the instance's lock_modes = () makes a cloud without locks): a copy in flight can be
    # locked, its lock's duration counting from its completion, and a failed copy's lock is cancelled (the EBS guide's
    # "Snapshot lock considerations"); the instance's locks_pending = False makes a cloud that locks only completed
    # copies.
    lock_modes = ('governance', 'compliance')
    cool_off_modes = ('compliance',)
    locks_pending = True

    def __init__(self, clock, multi_destination=False, copy_seconds=10, in_flight_limit=None, snapshot_tags=True):
        self.clock = clock
        # False: a cloud that keeps no tags on snapshots (ENS): a fresh snapshot is told by its time.
        self.snapshot_tags = snapshot_tags
        self.multi_destination = multi_destination
        self.copy_seconds = copy_seconds
        self.in_flight_limit = in_flight_limit
        self.copies = {}  # id -> {'region', 'tags', 'started'}
        self.disks = {}  # id -> Disk
        self.snapshots = {}  # id -> {'disk', 'region', 'created', 'state'}
        self.calls = {}
        self.copy_errors = []  # errors raised by the next start_copy calls
        self.per_destination = {}  # destination -> CloudError returned for it
        self.lose_next_answer = False
        self.peak_in_flight = {}
        self.deleted = []
        # The restore drill's disks: id -> {'region', 'zone', 'copy', 'name', 'tags', 'started', 'fails'}.
        self.test_disks = {}
        self.disk_seconds = 5  # a test disk is usable this long after it was asked for
        self.zones = {}  # region -> zones that make disks (default: '<region>a', '<region>b')
        self.failing_disks = 0  # how many of the next test disks fail while being made
        self.lose_next_disk_answer = False
        self.create_disk_errors = []  # errors raised by the next create_test_disk calls
        self.deleted_disks = []
        self.refused = {}  # copy id -> why it cannot be made into a disk
        self.restore_disk_type = 'standard'
        self.restore_disk_types = ('standard', 'fast')
        self.fail_next_copies = 0  # how many of the next copies fail in the cloud once they have run
        # After this many more lease tag calls (tag_sources), the next is refused whole, for no source of its own (a
        # bad request: what a take that still fails after its retries is to the run); None: none is.
        self.refuse_tag_call_after = None
        self.hang_next_copies = 0  # how many of the next copies never complete
        self.kill_after_calls = None  # the run is killed when it makes this many more calls
        self.kill_thread_after = {}  # runs at once (Turnstile): thread name -> the calls after which that run is killed
        self.deleted_disk_times = {}  # test disk id -> clock.now when it was deleted
        self.max_description = 255  # as EC2's CopySnapshot
        # snapshot id -> {'mode', 'days', 'until' (clock.now seconds; None while its copy is in flight),
        # 'cool_off_hours'}
        self.locks = {}
        self.lock_errors = []  # errors raised by the next lock_snapshot calls
        self.lose_next_lock_answer = False
        self.hollow_locks = 0  # how many of the next lock_snapshot calls answer a lock in force and set nothing
        self.persons_deletes = []  # copies in flight a person deleted (not the runs' deletes: those are ``deleted``)
        # deletes sent for a snapshot whose lock was in force and readable (the cloud refuses them)
        self.refused_locked_deletes = []
        self.lock_reads_refused = (
            False  # a policy without the lock read: describe_locks is refused (UnauthorizedOperation)
        )
        self.dr_account = None  # with use_dr_account: copies are the DR account's, their sources shared with it
        self.granted = set()  # source snapshot ids the DR account may copy (shared by a DR run or a person)
        self.released = []  # shares a run removed (unshare), in order
        self.released_in_flight = []  # shares removed while a copy of their snapshot was in flight (it would fail)
        self.run_shares = {}  # with a DR account, each run's ShareLeases (start_dr_run), by its thread
        self.turnstile = None  # runs at once, interleaved call by call (Turnstile)
        self.started = set()  # the copies start_copy made
        # Its answers' Date headers, as a client tells them (core.cloud_clock): the cloud's time, whatever a run's clock
        # says.
        self.client = types.SimpleNamespace(date_observers=[])
        # True: the copy call carries a token, and the cloud answers a token it has seen with the copy first made under
        # it, deleted since or not (ECS: "How to ensure idempotence"). The token is (source, destination, the copies
        # spent). Set copy_call_is_idempotent with it: the engine's resends and the DR run's leases follow that.
        self.copy_tokens = False
        # True: a copy that fails leaves the destination at the cloud's next call (CBS), where the others keep it as
        # failed; ``dropped`` the copies it dropped.
        self.drops_failed_copies = False
        self.dropped = []
        self.token_copies = {}  # token -> the copy first made under it
        self.spent = {}  # (source tag, destination) -> the copies its tokens named that no read showed

    @property
    def source_shares(self):
        """The ShareLeases of the run of this thread."""
        return self.run_shares.get(threading.current_thread().name)

    def _count(self, name):
        if self.turnstile is not None:
            self.turnstile.before_call()
        thread = threading.current_thread().name
        if thread in self.kill_thread_after:
            self.kill_thread_after[thread] -= 1
            if self.kill_thread_after[thread] < 0:
                raise RunKilled(name)
        if self.kill_after_calls is not None:
            self.kill_after_calls -= 1
            if self.kill_after_calls < 0:
                raise RunKilled(name)
        self.calls[name] = self.calls.get(name, 0) + 1
        tell_date(
            getattr(self.client, 'date_observers', []),
            email.utils.format_datetime(EPOCH + datetime.timedelta(seconds=self.clock.now), usegmt=True),
        )

    @property
    def snapshot_ids_used(self):
        """Every snapshot id this cloud gave, deleted since or not: a new snapshot takes none of them."""
        return self.__dict__.setdefault('_snapshot_ids_used', set())

    def when(self, seconds):
        return (EPOCH + datetime.timedelta(seconds=seconds)).isoformat()

    # ------------------------------------------------------------------ seeding
    def add_disk(self, disk_id, region='src-1', tags=None, snapshot_ages_hours=(1,)):
        self.disks[disk_id] = Disk(disk_id, region, name='name-' + disk_id, tags=tags or {})
        for index, age in enumerate(snapshot_ages_hours):
            self.snapshot_ids_used.add('%s-snap-%d' % (disk_id, index))
            self.snapshots['%s-snap-%d' % (disk_id, index)] = {
                'disk': disk_id,
                'region': region,
                'created': self.clock.now - age * 3600,
                'state': COMPLETED,
            }

    # pylint: disable-next=too-many-arguments
    def add_copy(
        self,
        copy_id,
        region,
        tags,
        started,
        encrypted=False,
        name=None,
        source=None,
        fails=False,
        hangs=False,
        marked=True,
    ):
        """``source`` is (region, snapshot id): the cloud's own link to what the copy was made from (ECS, ENS). Without
        one, a copy with the DR runs' DISK_TAG is seeded as a DR run leaves it, marked with its own id (unless
        ``marked`` is false, or the tags already name a copy: a person's copy of a DR copy, tags and all)."""
        tags = dict(tags)
        if marked and source is None and DISK_TAG in tags:
            tags.setdefault(COPY_TAG, copy_id)
        self.copies[copy_id] = {
            'region': region,
            'tags': tags,
            'started': started,
            'encrypted': encrypted,
            'name': name,
            'source': source,
            'fails': fails,
            'hangs': hangs,
        }

    # ------------------------------------------------------------------ the copy interface
    def validate(self, request):
        description = request.options.get('description')
        if description is not None and len(description) > self.max_description:
            raise InputError(
                'description', 'is at most %d characters, got %d' % (self.max_description, len(description))
            )

    def _copy_snapshot(self, copy_id):
        copy = self.copies[copy_id]
        done = self.clock.now - copy['started'] >= self.copy_seconds and not copy.get('hangs')
        state = (FAILED if copy.get('fails') else COMPLETED) if done else PENDING
        source_region, source_id = copy.get('source') or (None, None)
        return Snapshot(
            copy_id,
            copy['region'],
            state,
            tags=dict(copy['tags']),
            progress=100 if done else 50,
            created=self.when(copy['started']),
            encrypted=copy['encrypted'],
            name=copy['name'],
            source_region=source_region,
            source_id=source_id,
        )

    def _source_snapshot(self, snapshot_id):
        record = self.snapshots[snapshot_id]
        # A snapshot held pending (a set's member that never completes, or one a test ends by hand) keeps its state.
        held = record.get('hangs') or record.get('stays')
        if record['state'] == PENDING and not held and self.clock.now - record['created'] >= self.copy_seconds:
            record['state'] = COMPLETED
        return Snapshot(
            snapshot_id,
            record['region'],
            record['state'],
            volume_id=record['disk'],
            created=self.when(record['created']),
            progress=100,
            tags=dict(record.get('tags') or {}),
        )

    def in_flight(self, region):
        return sum(
            1
            for copy_id, copy in self.copies.items()
            if copy['region'] == region and self._copy_snapshot(copy_id).state == PENDING
        )

    def get_sources(self, region, snapshot_ids):
        self._count('get_sources')
        return {
            snapshot_id: self._source_snapshot(snapshot_id)
            if snapshot_id in self.snapshots
            else Snapshot(snapshot_id, region, COMPLETED, progress=100)
            for snapshot_id in snapshot_ids
        }

    def find_copies(self, destination, requests):
        self._count('find_copies')
        wanted = {request.source_tag for request in requests}
        found = {}
        for copy_id, copy in self.copies.items():
            if copy['region'] == destination and copy['tags'].get(SOURCE_TAG) in wanted:
                found.setdefault(copy['tags'][SOURCE_TAG], []).append(self._copy_snapshot(copy_id))
        return found

    def token_spent(self, request, destination, copy_id):
        if not self.copy_tokens:
            return False
        spent = self.spent.get((request.source_tag, destination), ())
        if copy_id in spent:
            return False
        self.spent[(request.source_tag, destination)] = spent + (copy_id,)
        return True

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
            if self.dr_account is not None:
                # The share, as the adapters hold it (dr.leases.shares): a lease first; a person's share stays theirs.
                self.source_shares.take(request.source_region, request.source_id)
            # The copy call itself, one step (no other call of the cloud in between, as the cloud checks its token): the
            # token the cloud has seen gets the first answer, whether that copy is still there or not.
            token = (request.source_tag, destination, self.spent.get((request.source_tag, destination), ()))
            if self.copy_tokens and token in self.token_copies:
                copy_id = self.token_copies[token]
                results[destination] = (
                    self._copy_snapshot(copy_id)
                    if copy_id in self.copies
                    else Snapshot(copy_id, destination, PENDING, progress=0, tags={SOURCE_TAG: request.source_tag})
                )
                continue
            copy_id = 'copy-%d' % (
                len(self.copies) + len(self.deleted) + len(self.persons_deletes) + len(self.dropped)
            )  # never an id given before
            tags = dict(request.options.get('tags') or {})
            tags[SOURCE_TAG] = request.source_tag
            self.add_copy(
                copy_id,
                destination,
                tags,
                self.clock.now,
                encrypted=bool(request.options.get('encrypted')),
                name=request.options.get('name'),
                fails=self.fail_next_copies > 0,
                hangs=self.hang_next_copies > 0,
                source=(request.source_region, request.source_id) if self.records_copy_source else None,
                marked=False,
            )
            self.started.add(copy_id)
            if self.copy_tokens:
                self.token_copies[token] = copy_id
            self.fail_next_copies = max(0, self.fail_next_copies - 1)
            self.hang_next_copies = max(0, self.hang_next_copies - 1)
            self.peak_in_flight[destination] = max(self.peak_in_flight.get(destination, 0), self.in_flight(destination))
            results[destination] = self._copy_snapshot(copy_id)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise CloudError('CopySnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)
        return results

    def describe(self, region, snapshot_ids):
        self._count('describe')
        found = {
            snapshot_id: self._copy_snapshot(snapshot_id) for snapshot_id in snapshot_ids if snapshot_id in self.copies
        }
        found.update(
            {
                snapshot_id: self._source_snapshot(snapshot_id)
                for snapshot_id in snapshot_ids
                if snapshot_id in self.snapshots
            }
        )
        return found

    def describe_ids(self, region, snapshot_ids):
        # Its describe reads any number of ids in one (counted) call: no batches to make.
        return self.describe(region, snapshot_ids)

    @classmethod
    def from_connection(cls, connection, *, check_mode=False, retry=None):
        raise TypeError('a MemoryCloud is made by the tests, with a clock, not from connection options')

    # ------------------------------------------------------------------ the DR interface
    def find_disks(self, region, tag_selector):
        self._count('find_disks')
        return [
            disk
            for disk in self.disks.values()
            if disk.region == region
            and all(
                key in disk.tags and (value is None or disk.tags[key] == value) for key, value in tag_selector.items()
            )
        ]

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
        number = len(self.snapshots)
        # A cloud never gives a new snapshot the id of one deleted: its copies and shares name that one alone.
        while (
            '%s-snap-%d' % (disk.id, number) in self.snapshots
            or '%s-snap-%d' % (disk.id, number) in self.snapshot_ids_used
        ):
            number += 1
        snapshot_id = '%s-snap-%d' % (disk.id, number)
        self.snapshot_ids_used.add(snapshot_id)
        self.snapshots[snapshot_id] = {
            'disk': disk.id,
            'region': region,
            'created': self.clock.now,
            'state': PENDING,
            'tags': dict(tags) if self.snapshot_tags else {},
        }
        return self._source_snapshot(snapshot_id)

    def list_copies(self, destination):
        self._count('list_copies')
        return [
            self._copy_snapshot(copy_id)
            for copy_id, copy in self.copies.items()
            if copy['region'] == destination and SOURCE_TAG in copy['tags']
        ]

    def a_person_deletes(self, snapshot_id):
        """A person who holds the account deletes ``snapshot_id``: True when the cloud lets them (no lock in force)."""
        lock = self._lock(snapshot_id)
        if lock is not None and lock.in_force:
            return False
        del self.copies[snapshot_id]
        self.persons_deletes.append(snapshot_id)
        return True

    def delete_snapshot(self, region, snapshot_id):
        self._count('delete_snapshot')
        if self._lock(snapshot_id) is not None and self._lock(snapshot_id).in_force:
            if not self.lock_reads_refused:
                self.refused_locked_deletes.append(snapshot_id)
            raise CloudError('DeleteSnapshot', 'SnapshotLocked', 'snapshot %s is locked' % snapshot_id, kind=INVALID)
        if self.copies.pop(snapshot_id, None) is None:
            raise CloudError(
                'DeleteSnapshot', 'InvalidSnapshot.NotFound', 'no snapshot %s' % snapshot_id, kind=NOT_FOUND
            )
        self.deleted.append(snapshot_id)

    # ------------------------------------------------------------------ a DR account
    def use_dr_account(self, connection, source_region, account):
        self.dr_account = account

    def start_dr_run(self, terms):
        self.run_shares[threading.current_thread().name] = ShareLeases(self, account=self.dr_account, terms=terms)

    def find_shares(self, source_region, dr_regions):
        return self.source_shares.find(source_region)

    def release_share(self, source_region, snapshot_id):
        return self.source_shares.release(source_region, snapshot_id)

    # The calls of a share (dr.leases.shares.OneSourceShareCalls), each counted: a kill may fall between any two.
    def is_shared(self, source_region, snapshot_id):
        self._count('is_shared')
        return snapshot_id in self.granted

    def share(self, source_region, snapshot_id):
        self._count('share')
        self.granted.add(snapshot_id)

    def unshare(self, source_region, snapshot_id):
        self._count('unshare')
        if snapshot_id in self.granted:
            self.granted.discard(snapshot_id)
            self.released.append(snapshot_id)
            # Only a copy made from the source reads it: a person's copy of a DR copy carries the same tags, but not
            # this need.
            if snapshot_id in self._pending_sources(
                {copy['region'] for copy in self.copies.values()}, [snapshot_id], made_here=True
            ):
                self.released_in_flight.append(snapshot_id)

    def sources_tags(self, source_region, snapshot_ids):
        self._count('sources_tags')
        return {
            snapshot_id: dict(self.snapshots[snapshot_id].get('tags') or {})
            for snapshot_id in snapshot_ids
            if snapshot_id in self.snapshots
        }

    def tag_sources(self, source_region, snapshot_ids, tags):
        self._count('tag_sources')
        for snapshot_id in snapshot_ids:
            self.snapshots[snapshot_id].setdefault('tags', {}).update(tags)

    def untag_sources(self, source_region, snapshot_ids, keys):
        self._count('untag_sources')
        for snapshot_id in snapshot_ids:
            for key in keys:
                self.snapshots[snapshot_id].get('tags', {}).pop(key, None)

    def leased_sources(self, source_region):
        self._count('leased_sources')
        return {
            snapshot_id: dict(record['tags'])
            for snapshot_id, record in self.snapshots.items()
            if any(key == SHARE_TAG or key.startswith(SHARE_LEASE_TAG_PREFIX) for key in record.get('tags') or {})
        }

    def copies_in_flight(self, source_region, regions, snapshot_ids):
        self._count('copies_in_flight')
        return self._pending_sources(regions, snapshot_ids)

    def _pending_sources(self, regions, snapshot_ids, made_here=False):
        """Those of ``snapshot_ids`` with a copy in flight in ``regions``; ``made_here``: copies made by start_copy
        only."""
        return {
            copy['tags'].get(SOURCE_TAG, '').partition('/')[2]
            for copy_id, copy in self.copies.items()
            if copy['region'] in regions
            and self._copy_snapshot(copy_id).state == PENDING
            and (not made_here or copy_id in self.started)
        } & set(snapshot_ids)

    # ------------------------------------------------------------------ locks
    def can_lock(self, snapshot_id):
        """Whether the cloud takes a lock on ``snapshot_id`` now: completed, or in flight where it locks such copies."""
        state = self._copy_snapshot(snapshot_id).state if snapshot_id in self.copies else COMPLETED
        return state == COMPLETED or (state == PENDING and self.locks_pending)

    def add_lock(self, snapshot_id, mode='compliance', days=7, cool_off_hours=0):
        """A lock as a person, or an earlier run, put it on ``snapshot_id`` now; on a copy in flight, its duration
        counts from the copy's completion."""
        assert self.can_lock(snapshot_id), '%s cannot be locked in its state' % snapshot_id
        pending = snapshot_id in self.copies and self._copy_snapshot(snapshot_id).state == PENDING
        self.locks[snapshot_id] = {
            'mode': mode,
            'days': days,
            'until': None if pending else self.clock.now + days * 86400,
            'cool_off_hours': cool_off_hours,
        }

    def _lock(self, snapshot_id):
        record = self.locks.get(snapshot_id)
        if record is None:
            return None
        if record['until'] is None:
            copy = self._copy_snapshot(snapshot_id)
            if copy.state == FAILED:  # the lock of a copy that failed in flight is cancelled
                del self.locks[snapshot_id]
                return None
            if copy.state == PENDING:
                return SnapshotLock(record['mode'], True, expires=None, cloud_status=record['mode'])
            record['until'] = self.copies[snapshot_id]['started'] + self.copy_seconds + record['days'] * 86400
        return SnapshotLock(
            record['mode'],
            self.clock.now < record['until'],
            expires=self.when(record['until']),
            cloud_status=record['mode'] if self.clock.now < record['until'] else 'expired',
        )

    def describe_locks(self, region, snapshot_ids):
        self._count('describe_locks')
        if self.lock_reads_refused:
            raise CloudError(
                'DescribeLockedSnapshots',
                'UnauthorizedOperation',
                'You are not authorized to perform this operation.',
                kind=FATAL,
            )
        assert len(snapshot_ids) <= self.ids_per_lock_describe
        locks = {
            snapshot_id: self._lock(snapshot_id)
            for snapshot_id in snapshot_ids
            if snapshot_id in self.locks and self.copies.get(snapshot_id, {}).get('region') == region
        }
        return {snapshot_id: lock for snapshot_id, lock in locks.items() if lock is not None}

    def lock_snapshot(self, region, snapshot_id, lock):
        self._count('lock_snapshot')
        if self.lock_errors:
            raise self.lock_errors.pop(0)
        if snapshot_id not in self.copies:
            # Deleted since the run read it (another run's pruning, at once with this one): EC2 answers its not-found.
            raise CloudError('LockSnapshot', 'InvalidSnapshot.NotFound', 'no snapshot %s' % snapshot_id, kind=NOT_FOUND)
        state = self._copy_snapshot(snapshot_id).state
        # A run sends a lock only for a copy the cloud can lock (completed, or in flight where it locks such copies);
        # one that failed since the run last saw it is refused, as EBS refuses it.
        assert self.copies[snapshot_id]['region'] == region and (state != PENDING or self.locks_pending), (
            snapshot_id,
            state,
        )
        if state == FAILED:
            raise CloudError(
                'LockSnapshot', 'IncorrectState', 'snapshot %s is in state error' % snapshot_id, kind=INVALID
            )
        if self.hollow_locks:
            self.hollow_locks -= 1
            return SnapshotLock(lock.mode, True, expires=None, cloud_status=lock.mode)
        self.add_lock(snapshot_id, lock.mode, lock.duration_days, lock.cool_off_hours)
        if self.lose_next_lock_answer:
            self.lose_next_lock_answer = False
            raise CloudError('LockSnapshot', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)
        return self._lock(snapshot_id)

    # ------------------------------------------------------------------ the restore drill's interface
    def add_test_disk(self, disk_id, region, name, tags, started, copy='copy-x'):
        """A disk as an earlier drill (or someone else) left it; usable by now."""
        self.test_disks[disk_id] = {
            'region': region,
            'zone': region + 'a',
            'copy': copy,
            'name': name,
            'tags': dict(tags),
            'started': started,
            'fails': False,
        }

    def _test_disk(self, disk_id):
        record = self.test_disks[disk_id]
        made = self.clock.now - record['started'] >= self.disk_seconds
        state = (FAILED if record['fails'] else USABLE) if made else PENDING
        return DrillDisk(
            disk_id,
            record['region'],
            state,
            cloud_state={USABLE: 'ready', PENDING: 'making', FAILED: 'broken'}[state],
            zone=record['zone'],
            name=record['name'],
            tags=dict(record['tags']),
            created=self.when(record['started']),
            snapshot_id=record['copy'],
            message='no room' if state == FAILED else None,
        )

    def restore_zones(self, region, disk_type):
        self._count('restore_zones')
        return sorted(self.zones.get(region, [region + 'b', region + 'a']))

    def restore_refusal(self, copy):
        return self.refused.get(copy.id)

    def create_test_disk(self, region, zone, copy, disk_type, name, tags, token):  # pylint: disable=too-many-arguments
        self._count('create_test_disk')
        if self.create_disk_errors:
            raise self.create_disk_errors.pop(0)
        disk_id = 'test-disk-%d' % (len(self.test_disks) + len(self.deleted_disks))  # never an id given before
        self.test_disks[disk_id] = {
            'region': region,
            'zone': zone,
            'copy': copy.id,
            'name': name,
            'tags': dict(tags),
            'started': self.clock.now,
            'fails': self.failing_disks > 0,
            'type': disk_type,
            'token': token,
        }
        self.failing_disks = max(0, self.failing_disks - 1)
        if self.lose_next_disk_answer:
            self.lose_next_disk_answer = False
            raise CloudError('CreateDisk', 'ConnectionClosed', 'no answer', kind=RETRYABLE, uncertain=True)
        return self._test_disk(disk_id)

    def describe_test_disks(self, region, disk_ids):
        self._count('describe_test_disks')
        return {
            disk_id: self._test_disk(disk_id)
            for disk_id in disk_ids
            if disk_id in self.test_disks and self.test_disks[disk_id]['region'] == region
        }

    def find_test_disks(self, region):
        self._count('find_test_disks')
        return [
            self._test_disk(disk_id)
            for disk_id, record in self.test_disks.items()
            if record['region'] == region and 'snapcopy:restore-test' in record['tags']
        ]

    def delete_test_disk(self, region, disk_id):
        self._count('delete_test_disk')
        if disk_id not in self.test_disks:
            raise CloudError('DeleteDisk', 'InvalidDiskId.NotFound', 'no disk %s' % disk_id, kind=NOT_FOUND)
        if self._test_disk(disk_id).state == PENDING:
            raise CloudError('DeleteDisk', 'IncorrectDiskStatus', 'disk %s is being made' % disk_id, kind=INVALID)
        del self.test_disks[disk_id]
        self.deleted_disks.append(disk_id)
        self.deleted_disk_times[disk_id] = self.clock.now

    def tag_copy(self, copy, tags):
        self._count('tag_copy')
        self.copies[copy.id]['tags'].update(tags)
        copy.tags.update(tags)

    def untag_copies(self, copies, keys):
        self._count('untag_copies')
        for copy in copies:
            for key in keys:
                self.copies[copy.id]['tags'].pop(key, None)
                copy.tags.pop(key, None)
        return {}

    # ------------------------------------------------------------------ issue 60, item 10: one source's failure
    # A source at its tag limit (tag_limits: snapshot id -> the most tags it takes) and a source a person deletes in the
    # middle of a run (delete_source_after: (calls, snapshot id), deleted once that many more calls were made). Tag calls
    # take sources_per_tag_call snapshots each and go all or none, as EC2's CreateTags: a snapshot gone fails the call
    # with InvalidSnapshot.NotFound naming it, one with no room with TagLimitExceeded naming none; a copy call of a source
    # gone fails with InvalidSnapshot.NotFound.
    sources_per_tag_call = 2

    @property
    def tag_limits(self):
        return self.__dict__.setdefault('_tag_limits', {})

    @property
    def deleted_sources(self):
        """The source snapshots deleted by delete_source_after: id -> the record they had."""
        return self.__dict__.setdefault('_deleted_sources', {})

    _count_any_call = _count

    def _count(self, name):
        self._count_any_call(name)
        if self.drops_failed_copies:
            # Tencent Cloud keeps no failed copy: one that fails leaves the destination, and no read shows it again.
            for copy_id in [copy_id for copy_id in self.copies if self._copy_snapshot(copy_id).state == FAILED]:
                del self.copies[copy_id]
                self.dropped.append(copy_id)
        pending = self.__dict__.get('delete_source_after')
        if pending is not None:
            calls, snapshot_id = pending
            self.delete_source_after = (calls - 1, snapshot_id) if calls > 0 else None
            if calls <= 0 and snapshot_id in self.snapshots:
                self.deleted_sources[snapshot_id] = self.snapshots.pop(snapshot_id)
                self.granted.discard(snapshot_id)  # a share goes with its snapshot

    def _tag_batches(self, name, snapshot_ids):
        """The batches of a tag call, each counted; a batch naming a snapshot gone fails whole, naming it."""
        for start in range(0, len(snapshot_ids), self.sources_per_tag_call):
            batch = list(snapshot_ids[start : start + self.sources_per_tag_call])
            self._count(name)
            if name == 'tag_sources' and self.refuse_tag_call_after is not None:
                self.refuse_tag_call_after -= 1
                if self.refuse_tag_call_after < 0:
                    self.refuse_tag_call_after = None
                    raise CloudError(
                        'CreateTags', 'InvalidParameterValue', 'The request was refused whole.', kind=INVALID
                    )
            gone = [snapshot_id for snapshot_id in batch if snapshot_id not in self.snapshots]
            if gone:
                raise CloudError(
                    'CreateTags',
                    'InvalidSnapshot.NotFound',
                    "The snapshot '%s' does not exist." % gone[0],
                    kind=NOT_FOUND,
                )
            yield batch

    def tag_sources(self, source_region, snapshot_ids, tags):
        for batch in self._tag_batches('tag_sources', snapshot_ids):
            for snapshot_id in batch:
                held = self.snapshots[snapshot_id].get('tags') or {}
                if len(set(held) | set(tags)) > self.tag_limits.get(snapshot_id, float('inf')):
                    raise CloudError(
                        'CreateTags',
                        'TagLimitExceeded',
                        'The maximum number of Tags for a resource has been reached.',
                        kind=INVALID,
                    )
            for snapshot_id in batch:
                self.snapshots[snapshot_id].setdefault('tags', {}).update(tags)

    def untag_sources(self, source_region, snapshot_ids, keys):
        for batch in self._tag_batches('untag_sources', snapshot_ids):
            for snapshot_id in batch:
                for key in keys:
                    self.snapshots[snapshot_id].get('tags', {}).pop(key, None)

    _share_a_source_there = share

    def share(self, source_region, snapshot_id):
        if snapshot_id not in self.deleted_sources:
            self._share_a_source_there(source_region, snapshot_id)
        if snapshot_id in self.deleted_sources:  # deleted before the call, or as it was made
            self.granted.discard(snapshot_id)
            raise CloudError(
                'ModifySnapshotAttribute',
                'InvalidSnapshot.NotFound',
                "The snapshot '%s' does not exist." % snapshot_id,
                kind=NOT_FOUND,
            )

    _start_copy_of_a_source_there = start_copy

    def start_copy(self, request, destinations):
        if request.source_id not in self.snapshots and request.source_id in self.deleted_sources:
            self._count('start_copy')
            raise CloudError(
                'CopySnapshot',
                'InvalidSnapshot.NotFound',
                "The snapshot '%s' does not exist." % request.source_id,
                kind=NOT_FOUND,
            )
        return self._start_copy_of_a_source_there(request, destinations)


class MemorySetCloud(MemoryCloud, SnapshotSetAdapter):
    """A MemoryCloud with snapshot sets (consistency groups), as ECS and CBS name them: a set's id on each of its
    snapshots; a fresh set's snapshots complete ``copy_seconds`` after it starts, each member as the next of
    ``set_outcomes`` says (FAILED, or PENDING for one that never completes; COMPLETED once they run out)."""

    def __init__(self, clock, **kwargs):
        super().__init__(clock, **kwargs)
        self.set_outcomes = []  # {disk id: FAILED or PENDING} for each of the next fresh sets' members
        self.sets_made = 0

    def add_instance_disk(self, disk_id, instance_id, tags=None):
        """A disk attached to ``instance_id``, with no snapshot yet."""
        self.disks[disk_id] = Disk(
            disk_id, 'src-1', name='name-' + disk_id, tags=tags or {'dr': 'yes'}, instance_id=instance_id
        )

    def add_set(self, set_id, age_hours, disks, states=None):
        """A set of ``disks``' snapshots taken ``age_hours`` ago; ``states``: {disk id: the member's state} where it is
        not COMPLETED (a member left out of ``disks`` is missing from the set)."""
        for disk_id in disks:
            self.snapshots['%s-%s' % (disk_id, set_id)] = {
                'disk': disk_id,
                'region': 'src-1',
                'created': self.clock.now - age_hours * 3600,
                'state': (states or {}).get(disk_id, COMPLETED),
                'set': set_id,
                'stays': True,  # a seeded member keeps its state as the clock moves
            }

    def read_sets(self, region, disks, snapshots, *, set_tag=None):  # pylint: disable=unused-argument
        self._count('snapshot_sets')
        members = {}
        for found in snapshots.values():
            for snapshot in found:
                set_id = self.snapshots.get(snapshot.id, {}).get('set')
                if set_id:
                    members.setdefault(set_id, []).append(snapshot.id)
        return SetReading(
            sets={snapshot_id: set_id for set_id, ids in members.items() if len(ids) > 1 for snapshot_id in ids}
        )

    def create_snapshot_set(self, region, disks, name, description, tags):
        self._count('create_snapshot_set')
        self.sets_made += 1
        set_id = 'set-fresh-%d' % self.sets_made
        outcomes = self.set_outcomes.pop(0) if self.set_outcomes else {}
        made = []
        for disk in disks:
            snapshot_id = '%s-%s' % (disk.id, set_id)
            outcome = outcomes.get(disk.id)
            self.snapshots[snapshot_id] = {
                'disk': disk.id,
                'region': region,
                'created': self.clock.now,
                'state': FAILED if outcome == FAILED else PENDING,
                'set': set_id,
                'tags': dict(tags),
                'hangs': outcome is not None,
            }
            made.append(self._source_snapshot(snapshot_id))
        return set_id, made
