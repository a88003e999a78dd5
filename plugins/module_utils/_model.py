# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the engine and the cloud adapters exchange: snapshots, copy requests, the adapter interface."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ._errors import NOT_FOUND, CloudError
from ._tagging import DISK_TAG, SOURCE_TAG, string_tags

# A snapshot's state, the same words for every cloud; each adapter maps its cloud's states.
PENDING = 'pending'
COMPLETED = 'completed'
FAILED = 'failed'
# On its way out (being deleted, or in a recycle bin): never adopted as a copy, never pruned,
# never waited for. A copy in this state does not stop a new copy from being made.
DELETING = 'deleting'
# A disk made by the restore drill that can be attached and used (its other states: PENDING while
# it is made, FAILED, DELETING).
USABLE = 'usable'


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


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


def source_tag_value(source_region, source_id):
    return '%s/%s' % (source_region, source_id)


@dataclass(eq=False, repr=False)  # one snapshot is one object: compared and hashed by identity, as before
class Snapshot:  # pylint: disable=too-many-instance-attributes  # what the clouds' answers say of a snapshot
    """A snapshot as the engine sees it. ``cloud_state`` keeps the cloud's own word for the state (``state`` when
    not given); ``extra`` what a cloud says beyond these fields (read back into the copy's result)."""

    id: str  # pylint: disable=invalid-name  # the cloud's snapshot id, as every answer names it
    region: str
    state: str
    cloud_state: str | None = None
    progress: str | int | None = None
    message: str | None = None
    encrypted: bool | None = None
    tags: dict[str, str] = field(default_factory=dict)
    size: int | None = None
    volume_id: str | None = None
    created: str | None = None
    name: str | None = None
    description: str | None = None
    source_id: str | None = None
    source_region: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.cloud_state is None:
            self.cloud_state = self.state
        self.tags = self.tags or {}
        self.extra = self.extra or {}

    def age_hours(self, now):
        """Hours since the snapshot was made, at ``now`` (0 when the cloud did not say when)."""
        created = parse_time(self.created)
        return 0.0 if created is None else max(0.0, (now - created).total_seconds() / 3600)

    def age_order(self):
        """Sorts snapshots oldest first (unknown times first), then by id."""
        return (parse_time(self.created) or EPOCH, self.id)

    def is_copy_of(self, source_region, source_id):
        """True when this snapshot says it was copied from that source (by its link or our tag)."""
        if self.source_id is not None and self.source_id == source_id:
            return self.source_region is None or self.source_region == source_region
        return self.tags.get(SOURCE_TAG) == source_tag_value(source_region, source_id)

    def as_copy_result(self):
        result = {
            'region': self.region,
            'snapshot_id': self.id,
            'state': self.cloud_state,
            'progress': self.progress,
            'encrypted': self.encrypted,
            'tags': dict(self.tags),
        }
        if self.name is not None:
            result['name'] = self.name
        if self.message:
            result['message'] = self.message
        result.update(self.extra)
        return result

    def as_source_result(self):
        return {
            'id': self.id,
            'region': self.region,
            'state': self.cloud_state,
            'volume_id': self.volume_id,
            'size': self.size,
            'encrypted': self.encrypted,
            'progress': self.progress,
        }

    def __repr__(self):
        return 'Snapshot(%r, %r, %r)' % (self.id, self.region, self.cloud_state)


@dataclass(eq=False, repr=False)
class Disk:
    """A disk (volume) that the DR run looks after."""

    id: str  # pylint: disable=invalid-name  # the cloud's disk id
    region: str
    name: str | None = None
    size: int | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.tags = self.tags or {}

    def __repr__(self):
        return 'Disk(%r, %r)' % (self.id, self.region)


@dataclass(eq=False, repr=False)
class TestDisk:  # pylint: disable=too-many-instance-attributes  # what the clouds' answers say of a disk
    """A disk the restore drill makes from a DR copy (see _dr_restore), as the cloud describes it.
    ``state`` is USABLE, PENDING, FAILED or DELETING; ``cloud_state`` the cloud's own word."""

    id: str  # pylint: disable=invalid-name  # the cloud's disk id
    region: str
    state: str
    cloud_state: str | None = None
    zone: str | None = None
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created: str | None = None
    snapshot_id: str | None = None
    size: int | None = None
    message: str | None = None

    def __post_init__(self):
        if self.cloud_state is None:
            self.cloud_state = self.state
        self.tags = self.tags or {}

    def __repr__(self):
        return 'TestDisk(%r, %r, %r)' % (self.id, self.region, self.cloud_state)


@dataclass(eq=False, repr=False)
class CopyRequest:
    """One source snapshot to copy to one or more destinations, with the cloud's copy options.

    ``options`` holds what the adapter passes to its copy call (name, description, tags,
    encryption, ...), already validated. ``not_compared`` names options that a copy found is not
    held to (the DR run's names made from a template with the date change from run to run).
    """

    source_id: str
    source_region: str
    destinations: list[str]
    options: dict[str, Any] = field(default_factory=dict)
    not_compared: frozenset[str] = frozenset()

    def __post_init__(self):
        # Copies: the caller's list and dict stay the caller's.
        self.destinations = list(self.destinations)
        self.options = dict(self.options or {})
        self.not_compared = frozenset(self.not_compared)

    @property
    def source_tag(self):
        return source_tag_value(self.source_region, self.source_id)

    def copy_tags(self):
        """The tags of a copy of this request: the user's, and SOURCE_TAG naming the source."""
        tags = string_tags(self.options.get('tags'))
        tags[SOURCE_TAG] = self.source_tag
        return tags

    def __repr__(self):
        return 'CopyRequest(%r, %r, %r)' % (self.source_id, self.source_region, self.destinations)


# Where in its region a copy is kept, when not in the region itself (EBS: on an Outpost, in a Local Zone), read back
# off the Snapshot's extra under the option's name.
LOCATION_OPTIONS = ('destination_outpost_arn', 'destination_availability_zone')
# The copy options that a copy found can contradict, read back off the Snapshot. Each adapter
# lists in Adapter.readable_options those its cloud's answers carry.
COMPARABLE_OPTIONS = ('encrypted', 'kms_key_id', 'tags', 'name', 'description', 'retention_days', *LOCATION_OPTIONS)


def copy_mismatches(request, snapshot, readable):
    """What a copy found of the request's source says otherwise than the request asks.

    Returns {option: {'asked': ..., 'found': ...}}, empty when the copy is as asked. Only the
    options the request sets and the cloud lets us read (``readable``) are compared, and where the copy is kept
    (LOCATION_OPTIONS): asking for
    no encryption is no contradiction of an encrypted copy (a copy of an encrypted source is
    encrypted), and of the tags only those asked for count (a copy may carry more), on a copy that
    carries our source tag.
    """
    options = request.options
    compared = [option for option in readable if option in COMPARABLE_OPTIONS and option not in request.not_compared]
    differences = {}
    if 'encrypted' in compared and options.get('encrypted') and snapshot.encrypted is False:
        differences['encrypted'] = {'asked': True, 'found': False}
    found_key = snapshot.extra.get('kms_key_id')
    if 'kms_key_id' in compared and options.get('kms_key_id') and found_key and not same_kms_key(options['kms_key_id'], found_key):
        differences['kms_key_id'] = {'asked': options['kms_key_id'], 'found': found_key}
    # A copy without our source tag is one whose tagging was cut short: it gets all its tags when found. The DR
    # runs' marker is not the user's ask: a copy module's copy, which lacks it, serves a DR run as it is (and
    # stays the person's, never pruned).
    if 'tags' in compared and SOURCE_TAG in snapshot.tags:
        asked = {key: value for key, value in string_tags(options.get('tags')).items()
                 if key != DISK_TAG and snapshot.tags.get(key) != value}
        if asked:
            differences['tags'] = {'asked': asked, 'found': {key: snapshot.tags.get(key) for key in asked}}
    for option, found in (('name', snapshot.name), ('description', snapshot.description),
                          ('retention_days', snapshot.extra.get('retention_days'))):
        if option in compared and options.get(option) is not None and found is not None and found != options[option]:
            differences[option] = {'asked': options[option], 'found': found}
    # Where a copy is kept is compared whether or not the task names a place: a copy on an Outpost is not one in the
    # region (a DR copy among them), nor one in the region a copy to a Local Zone (None: the region itself).
    for option in LOCATION_OPTIONS:
        if option in compared and options.get(option) != snapshot.extra.get(option):
            differences[option] = {'asked': options.get(option), 'found': snapshot.extra.get(option)}
    return differences


def same_kms_key(asked, found):
    """Whether two names of a KMS key name the same key: the same text, or a key id and the ARN
    that ends with it. An alias cannot be resolved without calling KMS, so it is not held against a copy."""
    if asked == found or 'alias/' in asked or 'alias/' in found:
        return True
    return found.endswith('/' + asked) or asked.endswith('/' + found)


class Adapter:  # pylint: disable=too-many-public-methods  # one method per API need, as the engine and the DR run batch them
    """What each cloud implements. Its client sends every call through the run's CallRetry.

    Batched on purpose: the bulk module hands the engine hundreds of requests, and each
    method here serves many of them with as few API calls as the cloud allows.
    """

    #: The cloud's name in messages ("AWS", "Alibaba Cloud ECS", ...).
    cloud = 'cloud'
    #: True when one copy call serves several destinations (ENS, CBS).
    multi_destination = False
    #: True when the copy call carries an idempotency token, so that resending it after a lost
    #: answer cannot make a second copy. Without one, the engine looks up before each retry.
    copy_call_is_idempotent = False
    #: The same for the call that takes a new snapshot of a disk (the DR run's fresh snapshots).
    create_call_is_idempotent = False
    #: The state words of this cloud, for the documentation of results.
    done_state = 'completed'
    #: A well-formed snapshot id of this cloud, to check options before any call.
    sample_snapshot_id: str | None = None
    #: The copy options (of COMPARABLE_OPTIONS) that this cloud's answers let us read back off a
    #: copy, so that a copy found is checked against what was asked (copy_mismatches).
    readable_options: tuple = ()
    #: The SDK's packages, named when they are missing.
    sdk_packages = ''
    #: The cloud's client (_aws, _alibaba, _tencent), which knows the SDK it was made with.
    client = None
    #: What the cloud calls the place of a snapshot, in messages ("region"; ENS: "node").
    region_word = 'region'
    #: How many snapshot ids one describe call takes (describe_ids).
    ids_per_describe = 100

    @classmethod
    def from_connection(cls, connection, *, check_mode=False, retry=None):
        """The adapter for ``connection`` (the module's connection options; no call yet). ``retry`` is the
        run's CallRetry. ImportError when the SDK is missing; InputError for a bad connection option."""
        raise NotImplementedError

    def sdk_warnings(self):
        """Warnings about the SDK release the client runs on (older than the collection is tested with)."""
        return list(getattr(self.client, 'sdk_warnings', ()))

    def validate(self, request):
        """Raise InputError for anything the cloud would refuse. No API call here."""

    def get_sources(self, region, snapshot_ids):
        """Return {id: Snapshot} for the source snapshots in ``region``.

        For a single id, an unknown snapshot raises a not-found error. By default from ``describe``,
        with the error the cloud's own DescribeSnapshots would give if it did not answer an empty list.
        """
        found = self.describe(region, snapshot_ids)
        if len(snapshot_ids) == 1 and snapshot_ids[0] not in found:
            raise CloudError('DescribeSnapshots', 'InvalidSnapshotId.NotFound', 'The specified snapshot %s does not exist in %s %s'
                             % (snapshot_ids[0], self.region_word, region), kind=NOT_FOUND, region=region)
        return found

    def check_source(self, request, source):
        """Raise CloudError/InputError when this source cannot be copied (before copying)."""

    def find_copies(self, destination, requests):
        """Return {request.source_tag: [Snapshot, ...]}: copies of each source found in ``destination``."""
        raise NotImplementedError

    def complete_copies(self, destination, requests, found):
        """Finish what the copies ``find_copies`` found need before they serve (CBS: tag a copy whose
        tagging was cut short). The engine calls it outside check mode only: reads do not write."""

    def start_copy(self, request, destinations):
        """Start copies; return {destination: Snapshot or CloudError}.

        Called with one destination unless ``multi_destination``. An error that concerns
        the whole call is raised, one that concerns one destination is returned for it.
        """
        raise NotImplementedError

    def describe(self, region, snapshot_ids):
        """Return {id: Snapshot} for those ids in ``region``; unknown ids are left out, not raised.

        By default ``describe_ids`` with at most ``ids_per_describe`` ids at a time."""
        ids = sorted({snapshot_id for snapshot_id in snapshot_ids if snapshot_id})
        found = {}
        for start in range(0, len(ids), self.ids_per_describe):
            found.update(self.describe_ids(region, ids[start:start + self.ids_per_describe]))
        return found

    def describe_ids(self, region, snapshot_ids):
        """Return {id: Snapshot} for these ids (at most ``ids_per_describe``): one call, unknown ids left out."""
        raise NotImplementedError

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    #: How many copies may be in flight to one destination at once (None: no limit known).
    max_copies_in_flight: int | None = None

    def find_disks(self, region, tag_selector):
        """Return [Disk]: the disks in ``region`` that carry every tag of ``tag_selector``.

        A selector value of None matches any value of that key. Paged; filtered by the
        server where the API can, here otherwise.
        """
        raise NotImplementedError

    def disk_snapshots(self, region, disks):
        """Return {disk id: [Snapshot]}: the snapshots of these disks in ``region`` (any state).

        Each Snapshot has ``volume_id`` (the disk id) and ``created`` (ISO 8601) set.
        """
        raise NotImplementedError

    def create_snapshot(self, region, disk, name, description, tags):
        """Start a new snapshot of ``disk``; return it (usually pending)."""
        raise NotImplementedError

    def list_copies(self, destination):
        """Return [Snapshot]: every copy in ``destination`` that this collection made.

        Each has ``created`` set and its source known (``source_id``/``source_region``, or the
        SOURCE_TAG); DR copies also carry DISK_TAG when the cloud keeps tags on copies.
        """
        raise NotImplementedError

    #: True when the cloud records on each copy the snapshot it was copied from (ECS, ENS): pruning checks that record.
    #: Where it does not (EBS, CBS), the DR run tags each copy it makes with its own id (COPY_TAG, through tag_copy).
    records_copy_source = False

    def tag_copy(self, copy, tags):
        """Add ``tags`` to a DR ``copy``: the DR run's COPY_TAG, the restore drill's RESTORE_TESTED_TAG (where the
        cloud keeps no tags on snapshots, the description's marker holds them)."""
        raise NotImplementedError

    def delete_snapshot(self, region, snapshot_id):
        """Delete one snapshot. One already gone raises the cloud's not-found error (kind NOT_FOUND),
        which the caller takes for done."""
        raise NotImplementedError

    # ------------------------------------------------------------------ for the restore drill (_dr_restore)
    #: The disk type of a test disk unless the user names one: the cheapest this cloud makes from a snapshot.
    restore_disk_type: str | None = None
    #: The disk types this cloud's create-disk call takes (what restore_test_disk_type is checked against).
    restore_disk_types: tuple = ()
    #: True when the create-disk call carries an idempotency token (a resend after a lost answer makes no second disk).
    create_disk_call_is_idempotent = False
    #: True when a test disk is made in a zone of the region (False: on the node itself, ENS).
    restore_needs_zone = True
    #: Disk types that span a region's zones, made with no zone named (ECS cloud_regional_disk_auto).
    regional_disk_types: tuple = ()

    def zone_needed(self, disk_type):
        """True when a test disk of ``disk_type`` is made in a zone that the drill chooses."""
        return self.restore_needs_zone and disk_type not in self.regional_disk_types

    def restore_zones(self, region, disk_type):
        """The zones of ``region`` where a disk of ``disk_type`` can be made now, sorted (a read)."""
        raise NotImplementedError

    def restore_refusal(self, copy):  # pylint: disable=unused-argument  # every copy can, on most clouds
        """Why ``copy`` cannot be made into a disk on this cloud (None when it can)."""
        return None

    # pylint: disable-next=too-many-arguments
    def create_test_disk(self, region, zone, copy, disk_type, name, tags, token):
        """Start making a disk of ``disk_type`` from ``copy`` in ``zone``, as small as the cloud allows for the
        copy's size, named ``name`` and carrying ``tags``; ``token`` is the idempotency token where the call takes
        one. Returns the TestDisk (usually PENDING)."""
        raise NotImplementedError

    def describe_test_disks(self, region, disk_ids):
        """{id: TestDisk} for these disks in ``region``; disks not (or no longer, or not yet) listed are left out."""
        raise NotImplementedError

    def find_test_disks(self, region):
        """Every disk in ``region`` that carries the restore drill's run tag (_dr_restore.RESTORE_RUN_TAG),
        filtered by the cloud where it can. The drill checks both of its marks again before deleting one."""
        raise NotImplementedError

    def delete_test_disk(self, region, disk_id):
        """Delete one test disk. One already gone raises the cloud's not-found error (kind NOT_FOUND)."""
        raise NotImplementedError
