# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A staged copy's way into the DR account (cbs_dr_account, steps 2 to 4): the share, the bridge disk, the DR copy. Each
step looks before it acts, so a resend or a rerun repeats none."""

from __future__ import annotations

import contextlib
import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ...core.cloud_clock import iso_utc
from ...core.dr_model import USABLE, Disk
from ...core.errors import BUSY, INVALID, CloudError, is_retryable
from ...core.model import DELETING, FAILED, Snapshot, parse_time
from ...core.tagging import COPY_LEASE_TAG_PREFIX, COPY_TAG, DISK_TAG, SHARE_TAG, STAGED_FROM_TAG
from ...engine.leases import CopyLease
from .cbs_dr_reads import bridge_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ...core.dr_model import DrillDisk
    from ...dr.leases.copies import CopyLeases
    from .cbs_api import CbsCalls
    from .cbs_dr_reads import CbsDrReads

# The disk type of a bridge disk: the cheapest CreateDisks sells on its own (the restore drill's too).
BRIDGE_DISK_TYPE = 'CLOUD_PREMIUM'
# What the engine reads as a staged copy's state while the DR account makes its own.
STAGED = 'STAGED_FOR_DR_ACCOUNT'
# The steps of many staged copies go out side by side, as many at once as the DR run has copy workers
# (dr.run.COPY_WORKERS).
STEP_WORKERS = 16
# On a staged copy: when a run last asked CBS for its bridge disk (UTC, ISO 8601), the time its ClientToken is drawn
# from.
ASKED_TAG = 'snapcopy:bridge-asked'
# How long after an ask a bridge disk that CBS does not list is still taken as being made. CBS lists a disk only once it
# is made, how long that takes is not documented (unverifiable; seconds to a minute, seen), and a disk a person
# terminated may be listed no more (how long it stays TORECYCLE: unverifiable). Past this, the next look asks anew: too
# early costs a second disk for minutes (terminated with the first; the DR copy is made once all the same:
# _snapshot_bridge).
ASK_GRACE_SECONDS = 300


def bridge_token(staged_id: str, asked: datetime.datetime) -> str:
    """CreateDisks' ClientToken for the bridge disk of ``staged_id`` asked for at ``asked`` (ASKED_TAG; at most 64 ASCII
    characters): the same for a resend after a lost answer or a rerun after a kill, so neither makes a second disk;
    another for a new ask, since CBS answers a token it knows with the disk it made then, even once that disk is
    terminated and gone (how long it keeps a token: unverifiable), and an ask with the old token would name a dead
    disk."""
    return 'snapcopy-bridge-%s-%s' % (staged_id, asked.strftime('%Y%m%d%H%M%S'))


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class BridgePath:
    """The steps that take a CbsDrAccount's complete staged copies into the DR account ``account``, and what they
    made."""

    def __init__(self, adapter: CbsCalls, reads: CbsDrReads, *, account: str, staging: set[str]) -> None:
        """``staging``: the DR account's staged copies (CbsDrAccount.staging, which it fills as it finds or makes
        them)."""
        self.adapter = adapter
        self.reads = reads
        self.source = adapter.staging_client
        self.account = account
        self.staging = staging
        # {staged copy id: the bridge disk CreateDisks named this run} (CBS lists a disk only once it is made).
        self.bridging: dict[str, str] = {}
        # {staged copy id: when this run asked for its bridge disk}: what ASKED_TAG says, should the tag read lag
        # behind.
        self.asked: dict[str, datetime.datetime] = {}
        # The time of an ask (wall clock: an ask's time is read again by later runs); tests move it.
        self.now: Callable[[], datetime.datetime] = utc_now
        # What this run made in the DR account: bridge disks and DR copies.
        self.made: list[str] = []
        self._zones: dict[str, str] = {}
        self._zone_lock = threading.Lock()
        self._lock = threading.Lock()
        # The run's copy leases (start_dr_run): two runs at once snapshot a bridge disk once. None: no lease is taken.
        self.leases: CopyLeases | None = None

    def advance(self, region: str, copies: Iterable[Snapshot]) -> dict[str, Snapshot]:
        """Take each complete staged copy of ``copies`` one step into the DR account; answer {staged id: the DR
        account's copy} for those that have one now. Each step looks before it acts, so a resend or a rerun repeats
        none."""
        ready = [copy for copy in copies if copy.id in self.staging and copy.cloud_state == STAGED]
        if not ready:
            return {}
        finals = self.reads.finals(region)
        disks = self.reads.bridge_disks(region)

        def step(copy: Snapshot) -> Snapshot | None:
            if copy.id in finals:
                return finals[copy.id]
            bridges = disks.get(copy.id, [])
            live = [disk for disk in bridges if disk.state != DELETING]
            usable = [disk for disk in live if disk.state == USABLE]
            try:
                if usable:
                    return self._snapshot_bridge(region, usable[0], copy)
                if not live:  # none made yet, or those made were terminated (a returned disk is listed a while)
                    self._bridge(region, copy, {disk.id for disk in bridges})
            except CloudError as error:
                if is_retryable(error) or error.kind == BUSY:
                    return None  # the next look takes this step again
                # This copy's failure, the others go on: the engine reports it for its disk and DR region.
                return Snapshot(
                    copy.id,
                    region,
                    FAILED,
                    cloud_state='NOT_MADE_IN_DR_ACCOUNT',
                    message='the DR account %s could not '
                    'make its copy of the staged copy %s: %s' % (self.account, copy.id, error),
                )
            return None

        # A step is a call or three per copy, at tens of milliseconds each: side by side, as the engine's copy calls.
        if len(ready) == 1:
            results = [step(ready[0])]
        else:
            with ThreadPoolExecutor(
                max_workers=min(STEP_WORKERS, len(ready)), thread_name_prefix='snapcopy-dr-account'
            ) as pool:
                results = list(pool.map(step, ready))
        return {copy.id: result for copy, result in zip(ready, results) if result is not None}

    def _bridge(self, region: str, copy: Snapshot, returned: set[str]) -> None:
        """Ask CBS for the bridge disk of ``copy``, which has none listed, unless an ask is under way; ``returned``: its
        bridge disks CBS lists as terminated."""
        asked = max(filter(None, (self.asked.get(copy.id), _time(copy.tags.get(ASKED_TAG)))), default=None)
        if asked is not None and (self.now() - asked).total_seconds() < ASK_GRACE_SECONDS:
            named = self.bridging.get(copy.id)
            if named is None:
                # A killed run's ask, or a lost answer's: asked again with its token, CBS names the disk it made then,
                # or makes it.
                zone = self._zone(region)  # first: where no disk can be made, nothing is shared
                self._share(copy)
                named = self._make_bridge(region, zone, copy, asked)
            if named not in returned:
                self._named(copy.id, named)
                return  # being made: CBS lists it once it is
        # No ask yet, or its disk is terminated (a person's doing), or not listed long past the ask: a new ask, a new
        # token.
        now = self.now().replace(microsecond=0)
        if asked is not None and now <= asked:
            now = asked + datetime.timedelta(seconds=1)  # never the token of the ask whose disk is dead
        zone = self._zone(region)
        self._share(copy, {ASKED_TAG: iso_utc(now)})
        with self._lock:
            self.asked[copy.id] = now
        self._named(copy.id, self._make_bridge(region, zone, copy, now))

    def _named(self, staged_id: str, disk_id: str) -> None:
        """CreateDisks named ``disk_id`` the bridge disk of ``staged_id``, and it is not known dead: made, as far as
        this run knows."""
        with self._lock:
            self.bridging[staged_id] = disk_id
            if disk_id not in self.made:
                self.made.append(disk_id)

    def _share(self, copy: Snapshot, marks: dict[str, str] | None = None) -> None:
        """Mark the staged copy (with its own id too, where a cut-short run left that out; and ``marks``), then share it
        with the DR account, unless it is shared already. Only a copy with the mark is ever deleted (release_share)."""
        marks = dict(marks or {}, **{SHARE_TAG: self.account})
        if DISK_TAG in copy.tags:
            marks[COPY_TAG] = copy.id
        resumed = copy.tags.get(SHARE_TAG) == self.account
        if any(copy.tags.get(key) != value for key, value in marks.items()):
            self.adapter.tag_staged(copy, marks)
            copy.tags.update(marks)
        # Marked before: a run (maybe killed) got this far, and may have shared it already. Unmarked: no run shared it.
        shared = resumed and self.account in {
            share.get('AccountId')
            for share in self.source.call(
                'cbs', copy.region, 'DescribeSnapshotSharePermission', {'SnapshotId': copy.id}
            ).get('SharePermissionSet')
            or []
        }
        if not shared:
            self.source.call(
                'cbs',
                copy.region,
                'ModifySnapshotsSharePermission',
                {'SnapshotIds': [copy.id], 'AccountIds': [self.account], 'Permission': 'SHARE'},
            )

    def _zone(self, region: str) -> str:
        """The region's first zone that sells the bridge disk type to the DR account (read once a run, by one step)."""
        with self._zone_lock:
            return self._read_zone(region)

    def _read_zone(self, region: str) -> str:
        if region not in self._zones:
            zones = self.adapter.drill.restore_zones(
                region, BRIDGE_DISK_TYPE
            )  # in the DR account: the adapter's client routes it
            if not zones:
                raise CloudError(
                    'DescribeDiskConfigQuota',
                    'NoZone',
                    'no zone of %s sells %s disks to the DR account %s, which '
                    'makes its copies through one' % (region, BRIDGE_DISK_TYPE, self.account),
                    kind=INVALID,
                    region=region,
                )
            self._zones[region] = zones[0]
        return self._zones[region]

    def _make_bridge(self, region: str, zone: str, copy: Snapshot, asked: datetime.datetime) -> str:
        """The DR account's disk of the shared staged copy, in ``zone``, for the ask of ``asked``: its id."""
        return self.adapter.drill.create_test_disk(
            region,
            zone,
            copy,
            BRIDGE_DISK_TYPE,
            bridge_name(copy.id),
            {STAGED_FROM_TAG: copy.id},
            bridge_token(copy.id, asked),
        ).id

    def _snapshot_bridge(self, region: str, disk: DrillDisk, staged: Snapshot) -> Snapshot | None:
        """The DR copy: the DR account's snapshot of the bridge disk, named and tagged as the staged copy (but for the
        marks of the source account's copy), with STAGED_FROM_TAG, then marked with its own id. None: another run is
        making it."""

        # The snapshots of the staged copy's bridge disks first, exactly (a listing of the region, paged by offset while
        # copies are made, may skip one; and runs an hour apart may each have made a disk): one is the DR copy already.
        def look() -> Snapshot | None:
            return self.reads.made_from(
                region, staged.id, {bridge.id for bridge in self.reads.bridges_of(region, staged.id)} | {disk.id}
            )

        made = look()
        if made is not None:
            return made
        if self.leases is None:
            return self._make_final(region, disk, staged)
        # CreateSnapshot takes no ClientToken: of two runs that both found none, one snapshots the disk, under its lease
        # on the staged copy (the engine's copy leases, dr.leases); the other waits and finds that run's copy at its
        # next look.
        hold = [CopyLease(region, staged.id, region)]
        if self.leases.take(hold):
            return None
        try:
            # Looked again under the lease: a run that snapshotted the disk and let go before this one took it.
            made = look()
            return made if made is not None else self._make_final(region, disk, staged)
        finally:
            self.leases.release(hold)

    def _make_final(self, region: str, disk: DrillDisk, staged: Snapshot) -> Snapshot:
        """Snapshot the bridge disk ``disk`` of ``staged``: the DR copy."""
        tags = {
            key: value
            for key, value in staged.tags.items()
            if key not in (SHARE_TAG, COPY_TAG, ASKED_TAG) and not key.startswith(COPY_LEASE_TAG_PREFIX)
        }
        tags[STAGED_FROM_TAG] = staged.id
        final = self.adapter.create_snapshot(region, Disk(disk.id, region, size=disk.size), staged.name, None, tags)
        if DISK_TAG in tags:  # a DR run's copy names itself (COPY_TAG), as the adapter marks the copies it makes
            # Unmarked on an error here, it is marked by the DR run (dr.phases.marks.mark_made_copies), as any copy the
            # cloud left so.
            with contextlib.suppress(CloudError):
                self.adapter.tag_copy(final, {COPY_TAG: final.id})
        with self._lock:
            self.made.append(final.id)
        return final


def _time(text: str | None) -> datetime.datetime | None:
    # A tag a person changed is no reason to fail a run: read as no ask (a new one is made).
    try:
        return parse_time(text)
    except (TypeError, ValueError):
        return None
