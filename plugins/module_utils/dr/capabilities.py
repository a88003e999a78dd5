# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a cloud implements for the DR run, by capability, on top of copying (engine.capabilities.CopyAdapter): the run
itself (DrAdapter: finding disks, their snapshots, DR copies, pruning), the restore drill (RestoreDrillAdapter), locks
against deletion (SnapshotLockAdapter) and copies in a separate DR account (DrAccountAdapter). Abstract base classes, as
CopyAdapter is: an adapter that lacks a method cannot be made.

A DR adapter is composed of parts: each optional capability is an object of its own, which the adapter holds as an
attribute (DrAdapter.locks, vault, drill, sets, blocks; None where the cloud lacks it), and which the run reaches through
lock_part, vault_part, drill_part, set_part and block_part (dr.phases.context.PhaseContext's attributes)."""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..core.cloud_clock import iso_utc
from ..core.errors import CloudError, InputError
from ..core.model import PENDING, Snapshot
from ..engine.capabilities import CopyAdapter

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ..core.dr_model import Disk, DrillDisk, DrillHost, LockSettings, SnapshotLock
    from ..core.errors import PreflightError
    from ..core.model import CopyRequest
    from ..core.tagging import TagRules
    from .leases.lease import LeaseTerms


# pylint: disable-next=too-many-arguments
def begun_snapshot(
    snapshot_id: str,
    region: str,
    disk: Disk,
    *,
    cloud_state: str,
    progress: int | None = None,
    tags: Mapping[str, str] | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Snapshot:
    """What DrAdapter.create_snapshot returns where the cloud's answer names the new snapshot alone (ECS, ENS, CBS): the
    snapshot ``snapshot_id`` just begun of ``disk``, pending (the cloud's word ``cloud_state``), of the disk's size and
    made now."""
    return Snapshot(
        snapshot_id,
        region,
        PENDING,
        cloud_state=cloud_state,
        progress=progress,
        tags=dict(tags or {}),
        volume_id=disk.id,
        name=name,
        description=description,
        size=disk.size,
        created=iso_utc(datetime.datetime.now(datetime.timezone.utc)),
    )


class DrAdapter(CopyAdapter):
    """The DR run (dr_sync, the dr_copy role): tagged disks, their snapshots, fresh snapshots, the DR copies and
    their pruning, on top of copying."""

    #: The same as copy_call_is_idempotent for the call that takes a new snapshot of a disk (fresh snapshots).
    create_call_is_idempotent = False
    #: How many copies may be in flight to one destination at once (None: no limit known).
    max_copies_in_flight: int | None = None
    #: True when the cloud records on each copy the snapshot it was copied from (ECS, ENS): pruning checks that record.
    #: Where it does not (EBS, CBS), the DR run tags each copy it makes with its own id (COPY_TAG, through tag_copy).
    records_copy_source = False
    #: What the cloud accepts as a snapshot's tags, for the disk's tags that a DR run carries onto its copies
    #: (dr.copy_tags, dr_sync's copy_tags). None where the cloud keeps no tags on snapshots (ENS).
    copy_tag_rules: TagRules | None = None
    #: The tags a separate DR account's steps add to a copy beside the run's (CBS: its staged copy's share and request
    #: time, the DR account's copy's link to it): room is kept for them beside the copy tags.
    dr_account_copy_marks: tuple[str, ...] = ()
    #: How many DR copies of one region one tag_copies or untag_copies call takes (the cloud's tagging and untagging
    #: calls take as many on EC2, ECS and Tencent's Tag service).
    copies_per_tag_call = 1
    #: The optional capabilities, each a part of its own (None where the cloud lacks it): locks against deletion, the
    #: separate DR account, the restore drill (with its drill hosts where the part is a DrillHostAdapter too), snapshot
    #: sets, and reading a snapshot's blocks. Read through lock_part, vault_part, drill_part, set_part, block_part.
    locks: SnapshotLockAdapter | None = None
    vault: DrAccountAdapter | None = None
    drill: RestoreDrillAdapter | None = None
    sets: SnapshotSetAdapter | None = None
    blocks: BlockReadAdapter | None = None

    @abstractmethod
    def find_disks(self, region: str, tag_selector: dict[str, str | None]) -> list[Disk]:
        """Return [Disk]: the disks in ``region`` that carry every tag of ``tag_selector``.

        A selector value of None matches any value of that key. Paged; filtered by the
        server where the API can, here otherwise.
        """

    @abstractmethod
    def disk_snapshots(self, region: str, disks: list[Disk]) -> dict[str, list[Snapshot]]:
        """Return {disk id: [Snapshot]}: the snapshots of these disks in ``region`` (any state).

        Each Snapshot has ``volume_id`` (the disk id) and ``created`` (ISO 8601) set.
        """

    @abstractmethod
    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str, tags: dict[str, str]
    ) -> Snapshot:
        """Start a new snapshot of ``disk``, named ``name`` (None: the cloud's default name); return it (usually
        pending)."""

    @abstractmethod
    def list_copies(self, destination: str) -> list[Snapshot]:
        """Return [Snapshot]: every copy in ``destination`` that this collection made.

        Each has ``created`` set and its source known (``source_id``/``source_region``, or the
        SOURCE_TAG); DR copies also carry DISK_TAG when the cloud keeps tags on copies.
        """

    @abstractmethod
    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """Add ``tags`` to a DR ``copy``: the DR run's COPY_TAG, the restore drill's RESTORE_TESTED_TAG (where the
        cloud keeps no tags on snapshots, the description's marker holds them)."""

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        """Add ``tags`` to ``copies``, DR copies of one region, at most ``copies_per_tag_call``: {copy id: the cloud's
        refusal} of those it answers were not tagged; an error of the whole call is raised. By default a tag_copy each."""
        for copy in copies:
            self.tag_copy(copy, tags)
        return {}

    @abstractmethod
    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        """Take the tags ``keys`` off ``copies``, DR copies of one region, at most ``copies_per_tag_call``, in one call
        where the cloud's untagging call takes the keys (dr.copy_tags: the copy tags a disk no longer carries); each
        copy's ``tags`` then lacks them. {copy id: the cloud's refusal} of those it answers were not untagged; a key a
        copy does not carry is no failure; an error of the whole call is raised."""

    @abstractmethod
    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        """Delete one snapshot. One already gone raises the cloud's not-found error (kind NOT_FOUND),
        which the caller takes for done."""

    def dry_run_copies(  # pylint: disable=unused-argument  # a hook most clouds leave empty
        self, copies: Sequence[tuple[CopyRequest, Snapshot | None, str]]
    ) -> list[PreflightError | None]:
        """Check mode only: ask the cloud, without copying, whether it would take each of ``copies`` (a request, its
        source as read, a destination) from the run's credentials. One answer a copy: a PreflightError where the cloud
        says the caller may not, else None (an answer of any other kind refuses nothing: a real run tells). Most clouds
        have no such dry run: nothing asked."""
        return [None] * len(copies)


class CompletedSnapshotsAdapter(ABC):
    """What the event source (extensions/eda snapcopy.cloud.snapshots) reads at each poll besides DrAdapter.find_disks:
    a DR adapter's capability on every cloud. Its cost must not grow with the disks: one paged listing of the region's
    snapshots."""

    @abstractmethod
    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        """The completed snapshots of ``disks`` in ``region`` (``volume_id`` set), from one paged listing of the
        region's snapshots, filtered by state where the cloud can, here otherwise; never a call per disk."""


@dataclass(frozen=True)
class LookAlikeSet:
    """Snapshots of several disks that look like one set, and are in none: nothing says one request made them (EBS:
    one start time and one description, which snapshots taken one by one in one second share too). ``why`` says so, and
    how a set is marked that the run counts."""

    snapshot_ids: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class SetReading:
    """What a cloud says of a group's snapshots: ``sets`` {snapshot id: set id} of those made as one set; ``look_alikes``,
    snapshots that look like a set without evidence (in no set); ``not_crash_consistent`` {set id: why the cloud does
    not call the set crash-consistent} (a CBS group of SnapshotGroupType NORMAL)."""

    sets: Mapping[str, str] = field(default_factory=dict)
    look_alikes: tuple[LookAlikeSet, ...] = ()
    not_crash_consistent: Mapping[str, str] = field(default_factory=dict)


class SnapshotSetAdapter(ABC):
    """Consistency groups (dr.groups, dr_sync's ``consistency_groups``): which snapshots the cloud made together as one
    set, and a fresh set of a group's disks at one moment through the cloud's group API (EBS CreateSnapshots, an ECS or
    CBS snapshot group). A cloud without a group API (ENS) lacks this capability, and the run refuses groups there."""

    #: Whether one set may hold disks of different instances (EBS CreateSnapshots takes one instance's disks, and ECS
    #: CreateSnapshotGroup with the InstanceId the collection sends; without it, the disks of one zone).
    sets_span_instances = False
    #: The most disks one set may hold (None: no limit known).
    max_set_disks: int | None = None
    #: Whether the cloud names no set and sets are told from the evidence snapshots carry (EBS: clouds/aws/ebs_sets.py),
    #: so that snapshots may look like a set and be in none (SetReading.look_alikes); read without a call then, but for
    #: a DLM policy named by a snapshot, once.
    sets_from_evidence = False

    @abstractmethod
    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        """Which of ``snapshots`` (by disk id, as disk_snapshots read them for ``disks``) the cloud made as one set (on
        ECS and CBS a snapshot group, whatever is left of it; on EBS one CreateSnapshots call, where evidence says so:
        clouds/aws/ebs_sets.py), and what else the cloud says of them (SetReading); a snapshot made on its own is in
        none. ``set_tag``: dr_sync's consistency_set_tag, the tag key whose value marks the snapshots of one set the
        user's own tooling made (EBS; the other clouds name their sets). Paged, a listing an instance at most where the
        cloud names sets apart from snapshots."""

    @abstractmethod
    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        """Start one snapshot of each of ``disks`` at one moment in one call of the cloud's group API, each tagged with
        ``tags`` where the cloud takes tags; return (the set's id, [Snapshot], usually pending, with ``volume_id``)."""

    # pylint: disable-next=useless-return  # a default that the clouds with rules of their own override
    def members_refusal(self, disks: Sequence[Disk]) -> str | None:
        """Why the cloud's group API would refuse a set of ``disks`` beyond how many and which instances (their kinds,
        their total size), naming the disks; None where it would take them. Asked before any call."""
        del disks
        return None

    def set_instance(self, disks: Sequence[Disk]) -> str | None:
        """The one instance that ``disks`` are attached to, where a set cannot span instances (None where it can); an
        InputError naming each disk's instance, before any call, when they are not all attached to one."""
        if self.sets_span_instances:
            return None
        instances = {disk.instance_id for disk in disks}
        if len(instances) != 1 or None in instances:
            raise InputError(
                'disks',
                'a snapshot set here takes disks attached to one instance; these are attached to: %s'
                % (', '.join('%s %s' % (disk.id, disk.instance_id or '(none)') for disk in disks) or 'no disk'),
            )
        return instances.pop()


class BlockReadAdapter(ABC):
    """Reading a snapshot's blocks (dr.verify, dr_sync's ``verify``): EBS's direct APIs. A cloud without them verifies
    no copy block by block."""

    @abstractmethod
    def snapshot_blocks(self, region: str, snapshot_id: str) -> dict[int, str]:
        """{block index: its token} of every block the snapshot holds, all pages."""

    @abstractmethod
    def block_checksum(self, region: str, snapshot_id: str, index: int, token: str) -> str:
        """The SHA-256 (base64) of one block's data as read, checked against the checksum the cloud sent with it (a
        CloudError when they differ)."""

    @abstractmethod
    def changed_blocks(self, region: str, first_id: str, second_id: str) -> tuple[int, int]:
        """(blocks that differ between two snapshots of one disk's lineage in ``region``, blocks of the disk), all
        pages. A snapshot no longer there raises the cloud's not-found error (kind NOT_FOUND)."""


class DrillHostAdapter(ABC):
    """The drill's disks attached to an instance of the user's, where the user's own tasks check the data
    (restore_test_validate). A restore drill adapter's further capability: ``class XAdapter(DrAdapter,
    RestoreDrillAdapter, DrillHostAdapter)``. describe_test_disks and find_test_disks fill DrillDisk's attached_to,
    attachment and device."""

    @abstractmethod
    def drill_host(self, region: str, instance_id: str) -> DrillHost:
        """The instance ``instance_id`` in ``region`` (a read): its zone and whether it runs. One the cloud does not
        list raises the cloud's not-found error (kind NOT_FOUND)."""

    @abstractmethod
    def attach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        """Start attaching the test disk ``disk_id`` to ``instance_id`` (both in ``region``, one zone); the drill
        waits for DrillDisk.attachment ATTACHED."""

    @abstractmethod
    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        """Start detaching the test disk ``disk_id`` from ``instance_id``; the drill waits for attached_to None before
        it deletes the disk (an attached disk cannot be deleted on any of the clouds)."""


class SnapshotLockAdapter(ABC):
    """Locking DR copies against deletion (dr_sync's ``lock``), and reading the locks before pruning: a DR adapter's
    third capability, on the clouds that lock a snapshot (EBS, ECS). A cloud without it refuses ``lock``, and its
    pruning has no lock to read."""

    #: The lock modes this cloud has (core.model.GOVERNANCE, COMPLIANCE).
    lock_modes: tuple[str, ...] = ()
    #: The modes that take a cool-off period, and the hours it may last (``cool_off_hours``).
    cool_off_modes: tuple[str, ...] = ()
    cool_off_hours_range = (0, 72)
    #: True when the cool-off counts in the lock's duration, and so cannot outlast it (ECS).
    cool_off_within_duration = False
    #: The lock's duration in days, as the cloud takes it.
    lock_days_range = (1, 36500)
    #: True when the lock call takes a snapshot still being made (its duration counting from completion): a DR run then
    #: locks each copy as soon as the cloud has named it; False: a copy is locked once complete (by the run that finds
    #: it so).
    locks_pending = False
    #: True when the lock call carries an idempotency token; without one, a lock is read back before a resend.
    lock_call_is_idempotent = False
    #: How many snapshot ids one describe_locks call takes.
    ids_per_lock_describe = 100

    @abstractmethod
    def describe_locks(self, region: str, snapshot_ids: list[str]) -> dict[str, SnapshotLock]:
        """{id: SnapshotLock} for the snapshots of ``snapshot_ids`` (at most ids_per_lock_describe) that carry a lock,
        expired ones too; a snapshot never locked is left out."""

    @abstractmethod
    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        """Lock one snapshot (completed, or in flight where locks_pending) as ``lock`` says; answer its lock as the
        call's answer tells it. The run reads the lock back before it calls the copy locked (dr.locks.held_lock)."""


class DrAccountAdapter(ABC):
    """Copies made and owned in a separate DR account (dr_sync's ``dr_account``, docs/vault.md): the source account
    shares each source snapshot with the DR account, which copies it into its DR regions, and the share is removed once
    no copy of it is in flight. A DR adapter's fourth capability; a cloud without a cross-account path refuses
    ``dr_account``."""

    @abstractmethod
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        """From now on, calls outside ``source_region`` go to the DR account ``account``, reached with ``connection``
        (the run's connection with the DR account's role); no call yet."""

    @abstractmethod
    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:
        """(to release, held): the source snapshots a DR run shared with the DR account (SHARE_TAG), those with no copy
        in flight in any of ``dr_regions`` first, then those whose copy still needs the share (reads only)."""

    @abstractmethod
    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        """Remove the DR account's permission on one source snapshot, then its SHARE_TAG; True when it is gone, False
        when another run that may still be under way holds it (dr.leases.shares)."""

    def release_shares(self, source_region: str, snapshot_ids: list[str]) -> dict[str, bool | CloudError]:
        """release_share for each of ``snapshot_ids``: {id: its answer, or the error of its call}. One at a time by
        default; a cloud whose shares are held by leases releases a batch in as few tag calls as it can
        (dr.leases.shares.SharesHeldByLeases)."""
        answers: dict[str, bool | CloudError] = {}
        for snapshot_id in snapshot_ids:
            try:
                answers[snapshot_id] = self.release_share(source_region, snapshot_id)
            except CloudError as error:
                answers[snapshot_id] = error
        return answers

    def start_dr_run(self, terms: LeaseTerms) -> None:  # pylint: disable=unused-argument  # a hook, as check_source
        """Before a DR run's first call: ``lease`` is the run's, whose leases it leaves on each share it needs
        (dr.leases.shares). Where shares are not held by leases (CBS shares its staged copies), nothing."""
        return None

    def settle_dr_account(self, dr_regions: list[str]) -> int:  # pylint: disable=unused-argument  # a hook, as check_source
        """Take what is on its way into the DR account in ``dr_regions`` one step further (in check mode, count it),
        those of earlier runs too; answer how many are still on their way. Where the DR account copies in one call
        (AWS), nothing is."""
        return 0

    def dr_account_staging(self, dr_regions: list[str]) -> list[dict[str, Any]]:  # pylint: disable=unused-argument  # a hook
        """What DR runs left on the way into the DR account in ``dr_regions`` besides shares of source snapshots, read
        as it is now (reads only; dr.posture): one dict each, with ``region``, ``kind``, ``id``, ``state`` (core.model's
        word) and ``cloud_state``, ``created``, and what ties it to its disk and DR copy (CBS: the staged copies,
        ``kind`` ``staged_copy`` with ``disk`` and ``source`` (the DISK_TAG and SOURCE_TAG), ``shared`` and
        ``dr_copy_id`` / ``dr_copy_complete``; and the bridge disks, ``bridge_disk`` with ``staged_from`` and
        ``dr_copy_complete``). Where the DR account copies in one call (AWS, ECS), nothing."""
        return []

    def dr_account_steps(self) -> tuple[list[str], list[str]]:
        """(made, would make): what this run made in the DR account on the way to its copies besides the copy calls
        (CBS: bridge disks and the DR account's snapshots of them), and in check mode the staged copies a run would take
        further. Where the DR account copies in one call (AWS), nothing."""
        return [], []


class ShareHolder(Protocol):
    """Where a DR run's shares of source snapshots are held (dr.leases.shares.SharesHeldByLeases on the adapter: the copy phase and
    PostureRead reach them there, beside the leases of copies)."""

    def start_dr_run(self, terms: LeaseTerms) -> None:
        """As DrAccountAdapter.start_dr_run does."""

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:
        """As DrAccountAdapter.find_shares does."""

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        """As DrAccountAdapter.release_share does."""

    def release_shares(self, source_region: str, snapshot_ids: list[str]) -> dict[str, bool | CloudError]:
        """As DrAccountAdapter.release_shares does."""


class HeldSharesAccount(DrAccountAdapter):  # pylint: disable=abstract-method  # use_dr_account: the cloud's
    """A DR account part whose shares its adapter holds (``holder``, ShareHolder): the run's shares are found, released
    and started there (AWS, ECS)."""

    def __init__(self, holder: ShareHolder) -> None:
        self.holder = holder

    def start_dr_run(self, terms: LeaseTerms) -> None:
        self.holder.start_dr_run(terms)

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:
        return self.holder.find_shares(source_region, dr_regions)

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        return self.holder.release_share(source_region, snapshot_id)

    def release_shares(self, source_region: str, snapshot_ids: list[str]) -> dict[str, bool | CloudError]:
        return self.holder.release_shares(source_region, snapshot_ids)


class RestoreDrillAdapter(ABC):
    """The restore drill (dr.restore): disks made from DR copies, timed and deleted. A DR adapter's second
    capability: ``class XAdapter(DrAdapter, RestoreDrillAdapter)``."""

    #: The cloud's name and its word for a region, in the drill's messages: its adapter's (CopyAdapter.cloud, region_word).
    cloud = 'cloud'
    region_word = 'region'
    #: The disk type of a test disk unless the user names one: the cheapest this cloud makes from a snapshot.
    restore_disk_type: str | None = None
    #: The disk types this cloud's create-disk call takes (what restore_test_disk_type is checked against).
    restore_disk_types: tuple[str, ...] = ()
    #: True when the create-disk call carries an idempotency token (a resend after a lost answer makes no second disk).
    create_disk_call_is_idempotent = False
    #: True when a test disk is made in a zone of the region (False: on the node itself, ENS).
    restore_needs_zone = True
    #: Disk types that span a region's zones, made with no zone named (ECS cloud_regional_disk_auto).
    regional_disk_types: tuple[str, ...] = ()

    def zone_needed(self, disk_type: str | None) -> bool:
        """True when a test disk of ``disk_type`` is made in a zone that the drill chooses."""
        return self.restore_needs_zone and disk_type not in self.regional_disk_types

    @abstractmethod
    def restore_zones(self, region: str, disk_type: str) -> list[str]:
        """The zones of ``region`` where a disk of ``disk_type`` can be made now, sorted (a read)."""

    def restore_refusal(self, copy: Snapshot) -> str | None:  # pylint: disable=unused-argument  # every copy can, on most clouds
        """Why ``copy`` cannot be made into a disk on this cloud (None when it can)."""
        return None

    # pylint: disable-next=too-many-arguments
    @abstractmethod
    def create_test_disk(
        self, region: str, zone: str | None, copy: Snapshot, disk_type: str, name: str, tags: dict[str, str], token: str
    ) -> DrillDisk:
        """Start making a disk of ``disk_type`` from ``copy`` in ``zone``, as small as the cloud allows for the
        copy's size, named ``name`` and carrying ``tags``; ``token`` is the idempotency token where the call takes
        one. Returns the DrillDisk (usually PENDING)."""

    @abstractmethod
    def describe_test_disks(self, region: str, disk_ids: list[str]) -> dict[str, DrillDisk]:
        """{id: DrillDisk} for these disks in ``region``; disks not (or no longer, or not yet) listed are left out."""

    @abstractmethod
    def find_test_disks(self, region: str) -> list[DrillDisk]:
        """Every disk in ``region`` that carries the restore drill's run tag (dr.restore.RESTORE_RUN_TAG),
        filtered by the cloud where it can. The drill checks both of its marks again before deleting one."""

    @abstractmethod
    def delete_test_disk(self, region: str, disk_id: str) -> None:
        """Delete one test disk. One already gone raises the cloud's not-found error (kind NOT_FOUND)."""

    @abstractmethod
    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """Mark a DR copy the drill restored (RESTORE_TESTED_TAG): its DR adapter's DrAdapter.tag_copy."""


def _candidates(adapter: object, name: str) -> tuple[object, object]:
    """The adapter's part ``name``, then the adapter itself (one that has the capability on its own: the tests'
    in-memory cloud)."""
    return getattr(adapter, name, None), adapter


def lock_part(adapter: object) -> SnapshotLockAdapter | None:
    """The adapter's part that locks snapshots (DrAdapter.locks); None where the cloud has none."""
    return next((found for found in _candidates(adapter, 'locks') if isinstance(found, SnapshotLockAdapter)), None)


def vault_part(adapter: object) -> DrAccountAdapter | None:
    """The adapter's part for a separate DR account (DrAdapter.vault); None where the cloud has none."""
    return next((found for found in _candidates(adapter, 'vault') if isinstance(found, DrAccountAdapter)), None)


def drill_part(adapter: object) -> RestoreDrillAdapter | None:
    """The adapter's part for the restore drill (DrAdapter.drill); None where the cloud has none."""
    return next((found for found in _candidates(adapter, 'drill') if isinstance(found, RestoreDrillAdapter)), None)


def host_part(adapter: object) -> DrillHostAdapter | None:
    """The adapter's part that attaches the drill's disks to an instance (its drill part, DrAdapter.drill); None where
    the cloud has none."""
    return next((found for found in _candidates(adapter, 'drill') if isinstance(found, DrillHostAdapter)), None)


def set_part(adapter: object) -> SnapshotSetAdapter | None:
    """The adapter's part for snapshot sets (DrAdapter.sets); None where the cloud has none."""
    return next((found for found in _candidates(adapter, 'sets') if isinstance(found, SnapshotSetAdapter)), None)


def block_part(adapter: object) -> BlockReadAdapter | None:
    """The adapter's part that reads snapshots' blocks (DrAdapter.blocks); None where the cloud has none."""
    return next((found for found in _candidates(adapter, 'blocks') if isinstance(found, BlockReadAdapter)), None)
