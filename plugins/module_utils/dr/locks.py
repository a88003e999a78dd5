# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Locked DR copies (dr_sync's ``lock``, docs/vault.md): the lock asked for, checked before any call; what the
run records of each copy's lock; and the locks pruning reads before it deletes.

A lock is put on a DR copy as soon as the cloud has named it, where the cloud locks a snapshot still being made (EBS and
ECS: SnapshotLockAdapter.locks_pending; the lock's duration then counts from the copy's completion), else once the copy
is complete (a copy in flight is then locked by the run that finds it complete); and again only once it has expired: a
lock in force is never changed (a compliance lock past its cool-off could only be lengthened, and a shorter one asked
for today is no reason to). Pruning never sends a delete for a copy whose lock is in force, whoever set it.

A lock must expire on or before the copy's retention ends (ECS, the guide "Lock a snapshot"): checked before any call
for the lock asked (check_lock) and before each lock call for the copy at hand (retention_refusal). What a lock call
set is what the cloud holds when read back (held_lock), not what it answered, on every cloud.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from ..core.cloud_clock import iso_utc
from ..core.dr_model import LockSettings
from ..core.errors import INVALID, CloudError, InputError
from ..core.model import parse_time
from ..engine.capabilities import id_batches
from .capabilities import lock_part

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..core.dr_model import SnapshotLock
    from ..engine.capabilities import CopyAdapter

# What the run did about a copy's lock (the report's copies[].lock.action).
LOCKED = 'locked'  # this run locked it
IN_FORCE = 'in_force'  # it was locked already (by an earlier run, or a person)
EXPIRED = 'expired'  # read in force, its expiry passed while the run went on: not locked now
WOULD_LOCK = 'would_lock'  # check mode
# in flight on a cloud that locks only completed snapshots: the run that finds it complete locks it
WHEN_COMPLETED = 'when_completed'
LOCK_FAILED = 'lock_failed'  # the cloud refused the lock: a failure of the disk
# A copy pruning chose but kept: its lock is in force (the report's kept[].reason).
KEPT_LOCKED = 'locked'
# The codes of a lock_failed that the collection found, not the cloud (the report's lock.error.code).
LOCK_OUTLASTS_RETENTION = 'LockOutlastsRetention'  # no lock call was sent
NOT_LOCKED_WHEN_READ_BACK = 'NotLockedWhenReadBack'  # the call was answered, the lock is not there
DAY = 86400


def lock_settings(value: Mapping[str, Any] | None) -> LockSettings | None:
    """dr_sync's ``lock`` (its suboptions typed by the argument spec) as LockSettings; None when unset or empty (the
    role passes {} for no lock)."""
    if not value or not any(value.get(key) not in (None, '') for key in ('mode', 'duration_days', 'cool_off_hours')):
        return None
    for key in ('mode', 'duration_days'):
        if value.get(key) in (None, ''):
            raise InputError(
                'lock',
                'needs %s: a lock is a mode and a duration_days (and a cool_off_hours where the mode has one)' % key,
            )
    return LockSettings(
        str(value['mode']), _whole(value, 'duration_days', 'days'), _whole(value, 'cool_off_hours', 'hours')
    )


def _whole(value: Mapping[str, Any], key: str, unit: str) -> int:
    """``value[key]`` as a whole number (0 when unset); InputError for anything else."""
    given = value.get(key)
    # YAML reads true, yes, false and no as booleans, which the argument spec's int lets through and Python counts as 1
    # and 0: `duration_days: yes` would lock for one day.
    if isinstance(given, bool):
        raise InputError(
            'lock',
            '%s is a number of %s, got the boolean %s (YAML reads an unquoted yes, no, true or false '
            'so): give the number' % (key, unit, str(given).lower()),
        )
    if given in (None, ''):
        return 0
    if isinstance(given, int):
        return given
    if isinstance(given, str) and given.strip().isdigit():  # a survey's answer is text
        return int(given)
    raise InputError('lock', '%s is a whole number of %s, got %r' % (key, unit, given))


def check_lock(lock: LockSettings, adapter: CopyAdapter, copy_options: Mapping[str, Any]) -> None:
    """InputError for a lock that ``adapter``'s cloud cannot put on a copy made with ``copy_options``; no call."""
    locks = lock_part(adapter)
    if locks is None or not locks.lock_modes:
        # The option is named by the error itself (dr_sync's lock, or the role's dr_copy_lock: RoleWordsError), not
        # here.
        raise InputError(
            'lock',
            '%s has no API that locks a snapshot against deletion, so its DR copies cannot be locked: leave '
            'this option unset for this provider (docs/vault.md)' % adapter.cloud,
        )
    if lock.mode not in locks.lock_modes:
        raise InputError(
            'lock',
            'mode %r is not a lock of %s, which has %s' % (lock.mode, adapter.cloud, ', '.join(locks.lock_modes)),
        )
    low, high = locks.lock_days_range
    if not low <= lock.duration_days <= high:
        raise InputError(
            'lock',
            'duration_days must be from %d to %d days on %s, got %d' % (low, high, adapter.cloud, lock.duration_days),
        )
    if lock.mode in locks.cool_off_modes:
        low, high = locks.cool_off_hours_range
        if not low <= lock.cool_off_hours <= high:
            raise InputError(
                'lock',
                'cool_off_hours must be from %d to %d hours on %s, got %d'
                % (low, high, adapter.cloud, lock.cool_off_hours),
            )
        # ECS counts the cool-off in the lock's duration ("Lock a snapshot": "included in the total lock duration"): a
        # 1-day lock with 48 h of cool-off passed the ranges above, and LockSnapshot refused it for each copy.
        if locks.cool_off_within_duration and lock.cool_off_hours > lock.duration_days * 24:
            raise InputError(
                'lock',
                'cool_off_hours %d is longer than the lock of %d day%s (%d hours): on %s the cool-off period is '
                'part of the lock\'s duration and cannot exceed it; lock for at least %d days, or shorten the cool-off'
                % (
                    lock.cool_off_hours,
                    lock.duration_days,
                    '' if lock.duration_days == 1 else 's',
                    lock.duration_days * 24,
                    adapter.cloud,
                    -(-lock.cool_off_hours // 24),
                ),
            )
    elif lock.cool_off_hours:
        raise InputError(
            'lock',
            'a %s lock of %s has no cool-off period: leave cool_off_hours unset or 0' % (lock.mode, adapter.cloud),
        )
    retention = copy_options.get('retention_days')
    # A lock must expire on or before the copy's retention ends ("Lock a snapshot"). The retention counts from the
    # copy's creation (ModifySnapshotAttributeRequest.RetentionDays), the lock from its completion or later
    # (LockDurationStartTime): only a lock shorter than the retention can fit, and a D-day lock fits a copy locked
    # within R - D days of its creation (retention_refusal checks each copy).
    if retention and lock.duration_days >= retention:
        raise InputError(
            'lock',
            'duration_days %d is not shorter than retention_days %d: a lock must expire on or before the '
            'copy\'s retention ends, which counts from the copy\'s creation, and the lock from its completion or '
            'later; lock for fewer days than retention_days, or keep copies longer' % (lock.duration_days, retention),
        )


def retention_refusal(
    lock: LockSettings, snapshot_id: str, region: str, created: str | None, retention_days: int | None, now: float
) -> CloudError | None:
    """Why ``lock``, set at ``now`` (epoch seconds) on a completed copy, would expire after the copy's retention ends
    (``retention_days`` from ``created``): the lock_failed of that copy, no call sent. None when it fits, or the copy is
    kept until deleted. The lock is refused, not shortened: a shorter lock than asked is a promise the user did not
    make. On a copy in flight the lock starts once it completes, not ``now``: this is then the earliest it could
    start."""
    start = parse_time(created)
    if not retention_days or start is None:
        return None
    released = start.timestamp() + retention_days * DAY
    expires = now + lock.duration_days * DAY
    if expires <= released:
        return None
    room = int((released - now) // DAY)
    advice = (
        ('lock it for at most %d day%s' % (room, '' if room == 1 else 's'))
        if room >= 1
        else 'its retention ends in less than a day'
    )
    return CloudError(
        'LockSnapshot',
        LOCK_OUTLASTS_RETENTION,
        '%s is released when its retention of %d days ends, on %s, before a '
        '%d-day lock set now would expire, on %s; a lock must expire on or before the retention ends, so it is not '
        'locked (checked before locking: no call sent). Extend its retention, or %s'
        % (snapshot_id, retention_days, _iso_of_epoch(released), lock.duration_days, _iso_of_epoch(expires), advice),
        kind=INVALID,
        region=region,
    )


def held_lock(snapshot_id: str, region: str, found: SnapshotLock | None) -> SnapshotLock:
    """``found``, the lock read back right after a lock call, when it is in force; else the lock_failed that says what
    the cloud holds instead. An answer is not proof, on any cloud: ECS answers a ClientToken it has seen with the first
    answer, and sets nothing; EBS cancels the lock of a pending snapshot whose creation fails."""
    if found is not None and found.in_force:
        return found
    holds = (
        'no lock'
        if found is None
        else 'a lock not in force (status %s, expiry %s)' % (found.cloud_status, found.expires)
    )
    raise CloudError(
        'LockSnapshot',
        NOT_LOCKED_WHEN_READ_BACK,
        'the cloud answered the lock of %s, but holds %s when read back: the copy is not locked' % (snapshot_id, holds),
        kind=INVALID,
        region=region,
    )


def _iso_of_epoch(epoch: float) -> str:
    """``epoch`` (seconds) as core.cloud_clock.iso_utc writes it."""
    return iso_utc(datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc))


class LockRecord(TypedDict, total=False):
    """A copy's lock as the report shows it (lock_record): what the run did (``action``), and the lock where there is
    one (SnapshotLock.as_result's fields); the cloud's error where the lock failed; an older copy's also names it
    (``region``, ``snapshot_id``)."""

    action: str
    mode: str | None
    status: str | None
    in_force: bool
    expires: str | None
    cool_off_ends: str | None
    error: dict[str, Any]
    region: str
    snapshot_id: str


def lock_record(action: str, lock: SnapshotLock | None = None, error: dict[str, Any] | None = None) -> LockRecord:
    """A copy's lock as the report shows it: what the run did, and the lock (mode, status, expiry) where there is
    one."""
    record: LockRecord = {
        'action': action,
        'mode': lock.mode if lock is not None else None,
        'status': lock.cloud_status if lock is not None else None,
        'in_force': lock.in_force if lock is not None else False,
        'expires': lock.expires if lock is not None else None,
        'cool_off_ends': lock.cool_off_ends if lock is not None else None,
    }
    if error is not None:
        record['error'] = error
    return record


def read_locks(
    adapter: CopyAdapter, call: Callable[..., Any], region: str, snapshot_ids: list[str]
) -> dict[str, SnapshotLock]:
    """{id: SnapshotLock} of those snapshots in ``region`` that carry a lock, in as few calls as the cloud allows; {} on
    a cloud that has no lock (no call)."""
    part = lock_part(adapter)
    if part is None or not part.lock_modes:
        return {}
    locks: dict[str, SnapshotLock] = {}
    for batch in id_batches(snapshot_ids, part.ids_per_lock_describe):
        locks.update(call(part.describe_locks, region, batch))
    return locks
