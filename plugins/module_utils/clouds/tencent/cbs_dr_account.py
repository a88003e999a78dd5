# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS copies made and owned by a separate DR account (dr_sync's ``dr_account``, docs/vault.md).

CBS shares a snapshot with another account only to be made into a disk, in the snapshot's own region, and a shared
snapshot cannot be copied (ModifySnapshotsSharePermission's reference; the SDK's errorcodes.py:
UnsupportedOperation.SnapshotNotSupportCopy). So a DR copy reaches the DR account in four steps, each found again by
its tags after a killed run:

1. the source account copies the source snapshot into the DR region, as without dr_account: the *staged copy*, with
   the copy's tags (CopySnapshotCrossRegions);
2. once it is complete, the source account marks it (SHARE_TAG, the DR account's id) and shares it with the DR account;
3. the DR account makes a *bridge disk* of it (CreateDisks, pay-as-you-go, tagged STAGED_FROM_TAG, with a ClientToken
   drawn from the staged copy's id and the time of the ask, which the staged copy carries: bridge_token, ASKED_TAG);
4. once the disk is made, the DR account snapshots it (CreateSnapshot with the copy's tags and STAGED_FROM_TAG): that
   snapshot is the DR copy, the DR account's own.

Once the DR copy is complete, a run (this one with ``wait``, else the next) terminates the bridge disk, cancels the share
and deletes the staged copy (find_shares, release_share): a staged copy is deleted only when it carries the run's mark
and the DR account holds a complete copy made from it. A bridge disk whose staged copy a person deleted is terminated
too, once no DR copy is being made from it; one a person terminated is made again (a new ask). The copy engine sees one
copy per destination: the staged copy, in flight until the DR copy exists, then the DR copy (describe answers the one for
the other), so ``wait`` waits for the whole way.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ...core.errors import BUSY, INVALID, NOT_FOUND, CloudError, is_retryable
from ...core.model import COMPLETED, DELETING, FAILED, PENDING, USABLE, Disk, Snapshot, parse_time
from ...core.tagging import COPY_LEASE_TAG_PREFIX, COPY_TAG, DISK_TAG, SHARE_TAG, SOURCE_TAG, STAGED_FROM_TAG, tag_dict
from ...engine.leases import CopyLease
from .cbs_api import DISK_IDS_PER_FILTER, SHARED_SNAPSHOT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from ...core.model import CopyRequest, DrillDisk
    from ...dr.leases import CopyLeases
    from .cbs_api import CbsCalls
    from .client import TencentClient

# The disk type of a bridge disk: the cheapest CreateDisks sells on its own (the restore drill's too).
BRIDGE_DISK_TYPE = 'CLOUD_PREMIUM'
# What the engine reads as a staged copy's state while the DR account makes its own.
STAGED = 'STAGED_FOR_DR_ACCOUNT'
# The steps of many staged copies go out side by side, as many at once as the DR run has copy workers (dr.run.COPY_WORKERS).
STEP_WORKERS = 16
# On a staged copy: when a run last asked CBS for its bridge disk (UTC, ISO 8601), the time its ClientToken is drawn from.
ASKED_TAG = 'snapcopy:bridge-asked'
# How long after an ask a bridge disk that CBS does not list is still taken as being made. CBS lists a disk only once it
# is made, how long that takes is not documented (unverifiable; seconds to a minute, seen), and a disk a person terminated
# may be listed no more (how long it stays TORECYCLE: unverifiable). Past this, the next look asks anew: too early costs a
# second disk for minutes (terminated with the first; the DR copy is made once all the same: _snapshot_bridge).
ASK_GRACE_SECONDS = 300


def bridge_token(staged_id: str, asked: datetime.datetime) -> str:
    """CreateDisks' ClientToken for the bridge disk of ``staged_id`` asked for at ``asked`` (ASKED_TAG; at most 64 ASCII
    characters): the same for a resend after a lost answer or a rerun after a kill, so neither makes a second disk; another
    for a new ask, since CBS answers a token it knows with the disk it made then, even once that disk is terminated and
    gone (how long it keeps a token: unverifiable), and an ask with the old token would name a dead disk."""
    return 'snapcopy-bridge-%s-%s' % (staged_id, asked.strftime('%Y%m%d%H%M%S'))


def bridge_name(staged_id: str) -> str:
    return 'snapcopy-bridge-%s' % staged_id


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class CbsDrAccount:
    """The DR account side of a CbsAdapter: its client, the staged copies it has seen and what it made of them."""

    def __init__(self, adapter: CbsCalls, *, client: TencentClient, source_region: str, account: str) -> None:
        self.adapter = adapter
        self.source = adapter.staging_client
        self.client = client
        self.source_region = source_region
        self.account = account
        # The staged copies this run found or made (their names and tags are the DR copies').
        self.staging: set[str] = set()
        # {staged copy id: the bridge disk CreateDisks named this run} (CBS lists a disk only once it is made).
        self.bridging: dict[str, str] = {}
        # {staged copy id: when this run asked for its bridge disk}: what ASKED_TAG says, should the tag read lag behind.
        self.asked: dict[str, datetime.datetime] = {}
        # The time of an ask (wall clock: an ask's time is read again by later runs); tests move it.
        self.now: Callable[[], datetime.datetime] = utc_now
        # What this run made in the DR account: bridge disks and DR copies.
        self.made: list[str] = []
        # The staged copies found complete, whose next step a run takes (check mode: would take).
        self.ready: set[str] = set()
        self._zones: dict[str, str] = {}
        self._zone_lock = threading.Lock()
        # What settle read of a region where it found nothing to do (find_shares reads no more).
        self._settled: dict[str, tuple[list[Snapshot], dict[str | None, Snapshot]]] = {}
        self._lock = threading.Lock()
        # The run's copy leases (start_dr_run): two runs at once snapshot a bridge disk once. None: no lease is taken.
        self.leases: CopyLeases | None = None

    def steps(self) -> tuple[list[str], list[str]]:
        """(made, would make): see DrAccountAdapter.dr_account_steps."""
        return list(self.made), sorted(self.ready) if self.adapter.check_mode else []

    # ------------------------------------------------------------------ finding copies
    def find_copies(self, destination: str, requests: Sequence[CopyRequest]) -> dict[str, list[Snapshot]]:
        """The DR account's copies of these sources in ``destination``; for a source it has none of, the source account's
        staged copy (in flight until the DR account has made its own)."""
        by_tag = {request.source_tag: request for request in requests}
        found: dict[str, list[Snapshot]] = {}
        for item in self._dr_copies(destination):
            tag = tag_dict(item.get('Tags')).get(SOURCE_TAG) or ''
            if tag in by_tag:
                found.setdefault(tag, []).append(self.adapter.snapshot(item, destination))
        missing = [request for request in requests if request.source_tag not in found]
        if missing:
            for tag, copies in self.adapter.find_copies_with(self.source, destination, missing).items():
                # A copy whose COPY_TAG names another snapshot is a person's copy of one of ours: never staged (shared, deleted).
                ours = [copy for copy in copies if copy.tags.get(COPY_TAG) in (None, copy.id)]
                if ours:
                    found[tag] = [self._as_staged(copy) for copy in ours]
        return found

    def staged(self, copy: Snapshot) -> None:
        """``copy`` (made by the source account in a DR region) is staged for the DR account."""
        with self._lock:
            self.staging.add(copy.id)

    def _as_staged(self, copy: Snapshot) -> Snapshot:
        """A staged copy as the engine sees it: in flight while the DR account has no copy of it."""
        if copy.id:
            self.staged(copy)
        if copy.state == COMPLETED:
            with self._lock:
                self.ready.add(copy.id)
            copy.state, copy.cloud_state = PENDING, STAGED
            copy.message = 'copied into %s by the source account; the DR account %s makes its own copy of it next' % (
                copy.region,
                self.account,
            )
        return copy

    def _dr_copies(self, region: str) -> list[dict[str, Any]]:
        """The DR account's own snapshots in ``region`` that carry our source tag (not those shared with it)."""
        items = self.adapter.list_snapshots(region, [], self.client)
        return [
            item
            for item in items.values()
            if item.get('SnapshotType') != SHARED_SNAPSHOT and SOURCE_TAG in tag_dict(item.get('Tags'))
        ]

    def _bridge_disks(self, region: str) -> dict[str, list[DrillDisk]]:
        """{staged copy id: the DR account's bridge disks of it} in ``region``, returned ones (TORECYCLE) too (a listing: see
        release_share)."""
        return self._bridges(region, [{'Name': 'tag-key', 'Values': [STAGED_FROM_TAG]}])

    def _bridges_of(self, region: str, staged_id: str) -> list[DrillDisk]:
        """The bridge disks of ``staged_id``, exactly (DescribeDisks' tag:<key> filter): a listing of many may skip one as disks
        are made."""
        return self._bridges(region, [{'Name': 'tag:' + STAGED_FROM_TAG, 'Values': [staged_id]}]).get(staged_id, [])

    def _bridges(self, region: str, filters: list[dict[str, Any]]) -> dict[str, list[DrillDisk]]:
        items = self.adapter.list_pages(region, 'DescribeDisks', 'DiskSet', 'DiskId', filters, client=self.client)
        disks: dict[str, list[DrillDisk]] = {}
        for item in items.values():
            disk = self.adapter.test_disk(item, region)
            staged_id = disk.tags.get(STAGED_FROM_TAG) or ''
            # Our tag and our name: a person's disk, whatever else it carries, is never taken for a bridge (nor terminated).
            if disk.name == bridge_name(staged_id):
                disks.setdefault(staged_id, []).append(disk)
        return disks

    # ------------------------------------------------------------------ the way into the DR account
    def describe(self, region: str, snapshot_ids: list[str], advance: bool = True) -> dict[str, Snapshot]:
        """describe for the engine: the DR account's copies as they are, and for each staged copy the step it has reached,
        taken one step further (outside check mode; not with ``advance`` false, a read that changes nothing): the staged
        copy in flight, or the DR account's copy once made."""
        staged = [snapshot_id for snapshot_id in snapshot_ids if snapshot_id in self.staging]
        found = self.adapter.describe_with(
            self.client, region, [snapshot_id for snapshot_id in snapshot_ids if snapshot_id not in self.staging]
        )
        if staged:
            copies = self.adapter.describe_with(self.source, region, staged)
            for snapshot_id, copy in copies.items():
                found[snapshot_id] = self._as_staged(copy)
            if advance and not self.adapter.check_mode:
                found.update(self.advance(region, list(copies.values())))
        return found

    def advance(self, region: str, copies: Iterable[Snapshot]) -> dict[str, Snapshot]:
        """Take each complete staged copy of ``copies`` one step into the DR account; answer {staged id: the DR account's
        copy} for those that have one now. Each step looks before it acts, so a resend or a rerun repeats none."""
        ready = [copy for copy in copies if copy.id in self.staging and copy.cloud_state == STAGED]
        if not ready:
            return {}
        finals = self._finals(region)
        disks = self._bridge_disks(region)

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
        """Ask CBS for the bridge disk of ``copy``, which has none listed, unless an ask is under way; ``returned``: its bridge
        disks CBS lists as terminated."""
        asked = max(filter(None, (self.asked.get(copy.id), _time(copy.tags.get(ASKED_TAG)))), default=None)
        if asked is not None and (self.now() - asked).total_seconds() < ASK_GRACE_SECONDS:
            named = self.bridging.get(copy.id)
            if named is None:
                # A killed run's ask, or a lost answer's: asked again with its token, CBS names the disk it made then, or makes it.
                zone = self._zone(region)  # first: where no disk can be made, nothing is shared
                self._share(copy)
                named = self._make_bridge(region, zone, copy, asked)
            if named not in returned:
                self._named(copy.id, named)
                return  # being made: CBS lists it once it is
        # No ask yet, or its disk is terminated (a person's doing), or not listed long past the ask: a new ask, a new token.
        now = self.now().replace(microsecond=0)
        if asked is not None and now <= asked:
            now = asked + datetime.timedelta(seconds=1)  # never the token of the ask whose disk is dead
        zone = self._zone(region)
        self._share(copy, {ASKED_TAG: now.strftime('%Y-%m-%dT%H:%M:%SZ')})
        with self._lock:
            self.asked[copy.id] = now
        self._named(copy.id, self._make_bridge(region, zone, copy, now))

    def _named(self, staged_id: str, disk_id: str) -> None:
        """CreateDisks named ``disk_id`` the bridge disk of ``staged_id``, and it is not known dead: made, as far as this run knows."""
        with self._lock:
            self.bridging[staged_id] = disk_id
            if disk_id not in self.made:
                self.made.append(disk_id)

    def _share(self, copy: Snapshot, marks: dict[str, str] | None = None) -> None:
        """Mark the staged copy (with its own id too, where a cut-short run left that out; and ``marks``), then share it with
        the DR account, unless it is shared already. Only a copy with the mark is ever deleted (release_share)."""
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
            zones = self.adapter.restore_zones(
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
        return self.adapter.create_test_disk(
            region,
            zone,
            copy,
            BRIDGE_DISK_TYPE,
            bridge_name(copy.id),
            {STAGED_FROM_TAG: copy.id},
            bridge_token(copy.id, asked),
        ).id

    def _snapshot_bridge(self, region: str, disk: DrillDisk, staged: Snapshot) -> Snapshot | None:
        """The DR copy: the DR account's snapshot of the bridge disk, named and tagged as the staged copy (but for the marks
        of the source account's copy), with STAGED_FROM_TAG, then marked with its own id. None: another run is making it."""

        # The snapshots of the staged copy's bridge disks first, exactly (a listing of the region, paged by offset while
        # copies are made, may skip one; and runs an hour apart may each have made a disk): one is the DR copy already.
        def look() -> Snapshot | None:
            return self._made_from(
                region, staged.id, {bridge.id for bridge in self._bridges_of(region, staged.id)} | {disk.id}
            )

        made = look()
        if made is not None:
            return made
        if self.leases is None:
            return self._make_final(region, disk, staged)
        # CreateSnapshot takes no ClientToken: of two runs that both found none, one snapshots the disk, under its lease on
        # the staged copy (the engine's copy leases, dr.leases); the other waits and finds that run's copy at its next look.
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
            # Unmarked on an error here, it is marked by the DR run (dr.phases.marks.mark_made_copies), as any copy the cloud left so.
            with contextlib.suppress(CloudError):
                self.adapter.tag_copy(final, {COPY_TAG: final.id})
        with self._lock:
            self.made.append(final.id)
        return final

    def settle(self, dr_regions: Sequence[str]) -> int:
        """Take every complete staged copy in ``dr_regions`` that the DR account has no complete copy of one step further,
        those of older source snapshots too (a killed run's, whose source is no longer a disk's newest); in check mode only
        count them (``would_make``). Answer how many are still on their way."""
        pending = 0
        for region in dr_regions:
            finals = self._finals(region)
            staged = self._staged_copies(region)
            waiting = []
            for copy in staged:
                final = finals.get(copy.id)
                if final is not None and final.state == COMPLETED:
                    continue
                pending += 1
                if final is None and copy.state == COMPLETED:
                    waiting.append(self._as_staged(copy))
            if waiting and not self.adapter.check_mode:
                # A staged copy the DR account cannot take (its failure, with the cloud's words) is not waited for.
                pending -= sum(1 for copy in self.advance(region, waiting).values() if copy.state == FAILED)
                self._settled.pop(region, None)
            else:
                self._settled[region] = (staged, finals)
        return pending

    def _made_from(self, region: str, staged_id: str, disk_ids: set[str]) -> Snapshot | None:
        """The DR copy made from one of these bridge disks of ``staged_id``, read exactly (DescribeSnapshots' disk-id filter)."""
        bridges = sorted(disk_ids)[:DISK_IDS_PER_FILTER]
        items = self.adapter.list_snapshots(region, [{'Name': 'disk-id', 'Values': bridges}], self.client)
        made = [item for item in items.values() if tag_dict(item.get('Tags')).get(STAGED_FROM_TAG) == staged_id]
        return self.adapter.snapshot(made[0], region) if made else None

    def _finals(self, region: str) -> dict[str | None, Snapshot]:
        """{staged copy id: the DR account's copy made from it} in ``region``."""
        return {
            tag_dict(item.get('Tags')).get(STAGED_FROM_TAG): self.adapter.snapshot(item, region)
            for item in self._dr_copies(region)
        }

    def _staged_copies(self, region: str) -> list[Snapshot]:
        """The source account's copies in ``region`` that a DR run staged: ours (a DR run's tags, and no COPY_TAG naming
        another snapshot), not a snapshot shared with it."""
        copies = []
        for item in self.adapter.list_snapshots(region, [], self.source).values():
            tags = tag_dict(item.get('Tags'))
            if (
                item.get('SnapshotType') != SHARED_SNAPSHOT
                and SOURCE_TAG in tags
                and DISK_TAG in tags
                and tags.get(COPY_TAG) in (None, item['SnapshotId'])
            ):
                copies.append(self.adapter.snapshot(item, region))
        return copies

    def staging_read(self, dr_regions: Sequence[str]) -> list[dict[str, Any]]:
        """The staged copies and bridge disks in ``dr_regions`` as they are now, each with its DR copy (reads only: see
        DrAccountAdapter.dr_account_staging)."""
        records: list[dict[str, Any]] = []
        for region in dr_regions:
            finals = self._finals(region)
            staged = sorted(self._staged_copies(region), key=lambda copy: copy.id)
            for copy in staged:
                final = finals.get(copy.id)
                records.append(
                    {
                        'region': region,
                        'kind': 'staged_copy',
                        'id': copy.id,
                        'state': copy.state,
                        'cloud_state': copy.cloud_state,
                        'created': copy.created,
                        'disk': copy.tags.get(DISK_TAG),
                        'source': copy.tags.get(SOURCE_TAG),
                        'shared': copy.tags.get(SHARE_TAG) == self.account,
                        'dr_copy_id': final.id if final is not None else None,
                        'dr_copy_complete': final is not None and final.state == COMPLETED,
                    }
                )
            for staged_id, disks in sorted(self._bridge_disks(region).items()):
                final = finals.get(staged_id)
                for disk in sorted(disks, key=lambda disk: disk.id):
                    if disk.state == DELETING:
                        continue  # returned: gone
                    records.append(
                        {
                            'region': region,
                            'kind': 'bridge_disk',
                            'id': disk.id,
                            'state': disk.state,
                            'cloud_state': disk.cloud_state,
                            'created': disk.created,
                            'staged_from': staged_id,
                            'staged_copy_exists': staged_id in {copy.id for copy in staged},
                            'dr_copy_id': final.id if final is not None else None,
                            'dr_copy_complete': final is not None and final.state == COMPLETED,
                        }
                    )
        return records

    # ------------------------------------------------------------------ after the DR copy: the bridge, the share, the staged copy
    def find_shares(self, dr_regions: Sequence[str]) -> tuple[list[str], list[str]]:
        """(to release, held) as '<region>/<staged copy id>': the staged copies a run shared with the DR account (SHARE_TAG)
        whose DR copy is complete, then those whose DR copy is not (reads only)."""
        release: list[str] = []
        held: list[str] = []
        for region in dr_regions:
            settled = self._settled.pop(region, None)
            staged, finals = settled if settled is not None else (self._staged_copies(region), self._finals(region))
            complete = {staged_id for staged_id, final in finals.items() if final.state == COMPLETED}
            for copy in sorted(staged, key=lambda copy: copy.id):
                if copy.tags.get(SHARE_TAG) == self.account:
                    (release if copy.id in complete else held).append('%s/%s' % (region, copy.id))
            orphans, making = self._orphans(region, {copy.id for copy in staged}, complete)
            release.extend('%s/%s' % (region, staged_id) for staged_id in orphans)
            held.extend('%s/%s' % (region, staged_id) for staged_id in making)
        return release, held

    def _orphans(self, region: str, staged: set[str], complete: set[str | None]) -> tuple[list[str], list[str]]:
        """(to release, held): the staged copies, gone, whose bridge disks are not: a run stopped between deleting the one and
        terminating the other, or a person deleted the staged copy. Released once no DR copy is being made from them (their
        DR copy is complete, or there is none: what a bridge disk holds reaches the DR account no more without its staged
        copy's name and tags; the next run stages the source again). A returned disk is gone: never released (again)."""
        live = {
            staged_id: disks
            for staged_id, disks in self._bridge_disks(region).items()
            if staged_id not in staged and any(disk.state != DELETING for disk in disks)
        }
        release = sorted(staged_id for staged_id in live if staged_id in complete)
        unsure = sorted(staged_id for staged_id in live if staged_id not in complete)
        held: list[str] = []
        # Exactly: a listing of the region may skip a staged copy (or a DR copy) while others are made.
        present = self.adapter.describe_with(self.source, region, unsure) if unsure else {}
        for staged_id in unsure:
            if staged_id in present:
                continue  # not gone: the next step takes it further
            made = self._made_from(region, staged_id, {disk.id for disk in live[staged_id]})
            if made is None or made.state == COMPLETED:
                release.append(staged_id)
            else:
                held.append(staged_id)  # its DR copy is being made from the disk
        return sorted(release), held

    def release_share(self, key: str) -> None:
        """Terminate the bridge disk of the staged copy ``key`` ('<region>/<id>'), cancel its share, delete it."""
        region, staged_id = key.split('/', 1)
        # One a call (TerminateDisks answers all or none); a disk returned already (TORECYCLE, or RepeatRefund: a person or a
        # run's lost answer) is gone, not a failure.
        for disk in sorted(self._bridges_of(region, staged_id), key=lambda disk: disk.id):
            if disk.state != DELETING:
                self._gone_is_done(functools.partial(self.adapter.terminate_disk, region, disk.id, self.client))
        self._gone_is_done(
            lambda: self.source.call(
                'cbs',
                region,
                'ModifySnapshotsSharePermission',
                {'SnapshotIds': [staged_id], 'AccountIds': [self.account], 'Permission': 'CANCEL'},
            )
        )
        self._gone_is_done(lambda: self.source.call('cbs', region, 'DeleteSnapshots', {'SnapshotIds': [staged_id]}))

    @staticmethod
    def _gone_is_done(call: Any) -> None:
        try:
            call()
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise


def _time(text: str | None) -> datetime.datetime | None:
    # A tag a person changed is no reason to fail a run: read as no ask (a new one is made).
    try:
        return parse_time(text)
    except (TypeError, ValueError):
        return None
