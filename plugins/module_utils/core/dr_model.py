# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the DR run reads of the clouds beside snapshots: the disks it looks after, snapshot locks, and the disks and
hosts of the restore drill. Apart from core/model.py (snapshots and copy requests, what a copy needs), so that a copy
module's payload does not carry them: Ansible sends every file a module imports, and its Python compiles and runs them
at each task (issue 63, docs/performance.md part a)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A disk made by the restore drill that can be attached and used (its other states: PENDING while
# it is made, FAILED, DELETING).
USABLE = 'usable'


@dataclass(eq=False, repr=False)
class Disk:
    """A disk (volume) that the DR run looks after."""

    id: str  # pylint: disable=invalid-name  # the cloud's disk id
    region: str
    name: str | None = None
    size: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    #: The instance the disk is attached to, as the cloud says (None: not attached); a volume EBS attaches to several
    #: instances (Multi-Attach) names the first of its attachments.
    instance_id: str | None = None
    #: The disk's category as the cloud names it (ECS DescribeDisks' Category, ``cloud_essd``...; None where unread).
    category: str | None = None
    #: Whether the cloud attaches the disk to several instances at once (ECS DescribeDisks' MultiAttach ``Enabled``).
    multi_attach: bool = False

    def __post_init__(self) -> None:
        self.tags = self.tags or {}

    def __repr__(self) -> str:
        return 'Disk(%r, %r)' % (self.id, self.region)


# The modes of a snapshot lock (EBS: both; ECS: compliance). Governance: a person with the permission may unlock it;
# compliance: nobody can, once its cool-off (the hours in which it may still be changed or removed) has passed.
GOVERNANCE, COMPLIANCE = 'governance', 'compliance'


@dataclass(frozen=True)
class LockSettings:
    """The lock a DR run puts on each DR copy once the cloud has named it (dr_sync's ``lock``), checked by dr.locks."""

    mode: str
    duration_days: int
    cool_off_hours: int = 0


@dataclass(frozen=True)
class SnapshotLock:
    """A snapshot's lock as its cloud answers it. ``expires`` is None while the lock's duration has not begun (ECS
    counts it from when a snapshot in progress completes)."""

    mode: str | None  # None where the cloud does not tell it (EBS: an expired lock)
    in_force: bool  # False once it has expired: the snapshot can be deleted again
    expires: str | None = None
    cool_off_ends: str | None = None
    cloud_status: str | None = None

    def as_result(self) -> dict[str, Any]:
        return {
            'mode': self.mode,
            'status': self.cloud_status,
            'in_force': self.in_force,
            'expires': self.expires,
            'cool_off_ends': self.cool_off_ends,
        }


@dataclass(eq=False, repr=False)
class DrillDisk:  # pylint: disable=too-many-instance-attributes  # what the clouds' answers say of a disk
    """A disk the restore drill makes from a DR copy (see dr.drill), as the cloud describes it.
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
    #: The instance the disk is attached to (or being attached to or detached from); None when it is free.
    attached_to: str | None = None
    #: ATTACHING, ATTACHED or DETACHING while attached_to is set (the cloud's word maps to one of them).
    attachment: str | None = None
    #: The device name the cloud gives the attachment (EC2's Device, ECS's Device), where it gives one.
    device: str | None = None

    def __post_init__(self) -> None:
        if self.cloud_state is None:
            self.cloud_state = self.state
        self.tags = self.tags or {}

    def __repr__(self) -> str:
        return 'DrillDisk(%r, %r, %r)' % (self.id, self.region, self.cloud_state)


# A drill disk's attachment, in every cloud's words (DrillDisk.attachment).
ATTACHING, ATTACHED, DETACHING = 'attaching', 'attached', 'detaching'


@dataclass(frozen=True)
class DrillHost:
    """An instance of the user's in a DR region that the drill attaches its disks to, for the user's own checks
    (restore_test_validate). ``running`` is True when the cloud says the instance runs (a disk can be attached)."""

    id: str  # pylint: disable=invalid-name  # the cloud's instance id
    region: str
    zone: str | None
    running: bool
    cloud_state: str
    name: str | None = None
