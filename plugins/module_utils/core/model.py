# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the engine and the cloud adapters exchange: snapshots and copy requests (the adapters' interface is
engine/capabilities.py). What the DR run alone reads of the clouds (disks, locks, the drill's disks and hosts) is in
core/dr_model.py, which a copy module does not carry (issue 63)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .tagging import DISK_TAG, POINT_TAG, SOURCE_TAG, string_tags

if TYPE_CHECKING:
    from collections.abc import Iterable

# A snapshot's state, the same words for every cloud; each adapter maps its cloud's states.
PENDING = 'pending'
COMPLETED = 'completed'
FAILED = 'failed'
# On its way out (being deleted, or in a recycle bin): never adopted as a copy, never pruned,
# never waited for. A copy in this state does not stop a new copy from being made.
DELETING = 'deleting'
# A snapshot's storage tier where its cloud has one (Snapshot.archived): in an archive, whence a restore first brings
# it back, and against which EBS copies the next copy in full.
ARCHIVE = 'archive'


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_time(text: str | datetime.datetime | None) -> datetime.datetime | None:
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


def source_tag_value(source_region: str, source_id: str) -> str:
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
    #: What the cloud states the snapshot holds, in bytes (EBS and ECS FullSnapshotSizeInBytes: every block written to
    #: the disk when the snapshot was taken, not what it adds to the disk's snapshot before); None where it states none.
    full_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.cloud_state is None:
            self.cloud_state = self.state
        self.tags = self.tags or {}
        self.extra = self.extra or {}

    @property
    def archived(self) -> bool:
        """In its cloud's archive tier (extra's storage_tier: EBS)."""
        return self.extra.get('storage_tier') == ARCHIVE

    def age_hours(self, now: datetime.datetime) -> float:
        """Hours since the snapshot was made, at ``now`` (0 when the cloud did not say when)."""
        created = parse_time(self.created)
        return 0.0 if created is None else max(0.0, (now - created).total_seconds() / 3600)

    def age_order(self) -> tuple[datetime.datetime, str]:
        """Sorts snapshots oldest first (unknown times first), then by id."""
        return (parse_time(self.created) or EPOCH, self.id)

    def is_copy_of(self, source_region: str, source_id: str) -> bool:
        """True when this snapshot says it was copied from that source (by its link or our tag)."""
        if self.source_id is not None and self.source_id == source_id:
            return self.source_region is None or self.source_region == source_region
        return self.tags.get(SOURCE_TAG) == source_tag_value(source_region, source_id)

    def as_copy_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
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

    def as_source_result(self) -> dict[str, Any]:
        return {
            'id': self.id,
            'region': self.region,
            'state': self.cloud_state,
            'volume_id': self.volume_id,
            'size': self.size,
            'encrypted': self.encrypted,
            'progress': self.progress,
        }

    def __repr__(self) -> str:
        return 'Snapshot(%r, %r, %r)' % (self.id, self.region, self.cloud_state)


@dataclass(eq=False, repr=False)
class CopyRequest:
    """One source snapshot to copy to one or more destinations, with the cloud's copy options.

    ``options`` holds what the adapter passes to its copy call (name, description, tags,
    encryption, ...), already validated. ``not_compared`` names options that a copy found is not
    held to (the DR run's names made from a template with the date change from run to run). ``refreshed_tags`` names
    tag keys that a copy found is not held to either: the DR run's copy_tags, whose values follow the disk's and which
    the run brings up to date on the copies it finds (dr.copy_tags).
    """

    source_id: str
    source_region: str
    destinations: list[str]
    options: dict[str, Any] = field(default_factory=dict)
    not_compared: frozenset[str] = frozenset()
    refreshed_tags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Copies: the caller's list and dict stay the caller's.
        self.destinations = list(self.destinations)
        self.options = dict(self.options or {})
        self.not_compared = frozenset(self.not_compared)
        self.refreshed_tags = frozenset(self.refreshed_tags)

    @property
    def source_tag(self) -> str:
        return source_tag_value(self.source_region, self.source_id)

    def copy_tags(self) -> dict[str, str]:
        """The tags of a copy of this request: the user's, and SOURCE_TAG naming the source."""
        tags = string_tags(self.options.get('tags'))
        tags[SOURCE_TAG] = self.source_tag
        return tags

    def __repr__(self) -> str:
        return 'CopyRequest(%r, %r, %r)' % (self.source_id, self.source_region, self.destinations)


# Where in its region a copy is kept, when not in the region itself (EBS: on an Outpost, in a Local Zone), read back
# off the Snapshot's extra under the option's name.
LOCATION_OPTIONS = ('destination_outpost_arn', 'destination_availability_zone')
# The copy options that a copy found can contradict, read back off the Snapshot. Each adapter
# lists in Adapter.readable_options those its cloud's answers carry.
COMPARABLE_OPTIONS = ('encrypted', 'kms_key_id', 'tags', 'name', 'description', 'retention_days', *LOCATION_OPTIONS)


def copy_mismatches(request: CopyRequest, snapshot: Snapshot, readable: Iterable[str]) -> dict[str, dict[str, Any]]:
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
    differences: dict[str, dict[str, Any]] = {}
    if 'encrypted' in compared and options.get('encrypted') and snapshot.encrypted is False:
        differences['encrypted'] = {'asked': True, 'found': False}
    found_key = snapshot.extra.get('kms_key_id')
    if (
        'kms_key_id' in compared
        and options.get('kms_key_id')
        and found_key
        and not same_kms_key(options['kms_key_id'], found_key)
    ):
        differences['kms_key_id'] = {'asked': options['kms_key_id'], 'found': found_key}
    # A copy without our source tag is one whose tagging was cut short: it gets all its tags when found. The DR
    # runs' marker is not the user's ask: a copy module's copy, which lacks it, serves a DR run as it is (and stays the
    # person's, never pruned). Nor is its recovery point: a copy made before the point was written lacks it.
    if 'tags' in compared and SOURCE_TAG in snapshot.tags:
        asked = {
            key: value
            for key, value in string_tags(options.get('tags')).items()
            if key not in (DISK_TAG, POINT_TAG)
            and key not in request.refreshed_tags
            and snapshot.tags.get(key) != value
        }
        if asked:
            differences['tags'] = {'asked': asked, 'found': {key: snapshot.tags.get(key) for key in asked}}
    for option, found in (
        ('name', snapshot.name),
        ('description', snapshot.description),
        ('retention_days', snapshot.extra.get('retention_days')),
    ):
        if option in compared and options.get(option) is not None and found is not None and found != options[option]:
            differences[option] = {'asked': options[option], 'found': found}
    # Where a copy is kept is compared whether or not the task names a place: a copy on an Outpost is not one in the
    # region (a DR copy among them), nor one in the region a copy to a Local Zone (None: the region itself).
    for option in LOCATION_OPTIONS:
        if option in compared and options.get(option) != snapshot.extra.get(option):
            differences[option] = {'asked': options.get(option), 'found': snapshot.extra.get(option)}
    return differences


def same_kms_key(asked: str, found: str) -> bool:
    """Whether two names of a KMS key name the same key: the same text, or a key id and the ARN
    that ends with it. An alias cannot be resolved without calling KMS, so it is not held against a copy."""
    if asked == found or 'alias/' in asked or 'alias/' in found:
        return True
    return found.endswith('/' + asked) or asked.endswith('/' + found)
