"""In-memory resources of all emulated clouds, guarded by one lock, plus the call ledger.

Snapshots never move by themselves: each read derives status and progress from the clock
(``created`` + ``duration``), so there are no background threads to race with.
"""

from __future__ import annotations

import copy
import os
import random
import string
import sys
import threading
import time

from .accounts import VENDOR, default_account
from .config import CLOUDS, default_config, default_zones, merge
from .faults import FaultPlan

# Statuses the emulator keeps internally; each cloud module renders them in its own words.
RUNNING, DONE, FAILED = 'running', 'done', 'failed'

# Parameters that carry authentication, not intent; left out of the mutation log and idempotency checks.
COMMON_PARAMS = frozenset(
    (
        'Action',
        'Version',
        'Format',
        'AccessKeyId',
        'Signature',
        'SignatureMethod',
        'SignatureVersion',
        'SignatureType',
        'SignatureNonce',
        'Timestamp',
        'SecurityToken',
        'ClientToken',
    )
)

_ID_ALPHABET = string.ascii_lowercase + string.digits


# A disk's attachment (attachment()): free, being attached, attached, being detached.
FREE, ATTACHING, ATTACHED, DETACHING = '', 'attaching', 'attached', 'detaching'


def attachment(disk: dict, now: float) -> str:
    """FREE, ATTACHING, ATTACHED or DETACHING, from the clock: an attach or detach lasts its cloud's attach_seconds or
    detach_seconds (Store.start_attachment), then the disk is attached, or free."""
    moving = disk.get('attachment')
    if moving is not None and now < moving['until']:
        return moving['phase']
    if moving is not None and moving['phase'] == DETACHING:
        return FREE
    return ATTACHED if disk['instance_id'] else FREE


def disk_phase(disk: dict, now: float) -> str:
    """RUNNING while a disk is being made, then DONE, or FAILED for one that failed to be made."""
    if now < disk['created'] + disk['duration']:
        return RUNNING
    return FAILED if disk['will_fail'] else DONE


class Store:
    """Everything the emulator knows; hold ``lock`` while reading or changing any of it."""

    def __init__(self, settings: dict | None = None):
        self.lock = threading.RLock()
        self.config = default_config()
        self.faults = FaultPlan()
        self.clock_offset = 0.0
        # Wall time the clock stopped at (POST /_admin/clock {"freeze": true}); None while it runs.
        self.frozen_at = None
        self._ids = random.Random()
        self._serial = 0
        self.disks: dict = {}
        self.snapshots: dict = {}
        self.snapshot_groups: dict = {}
        self.instances: dict = {}
        # (cloud, disk id) of the disks being attached or detached (settle), and the device files written.
        self.moving: set = set()
        self.device_files: set = set()
        self.tokens: dict = {}
        self.nonces: dict = {}
        self.sessions: dict = {}
        self.resource_shares: dict = {}
        self.invitations: dict = {}
        self.resource_directory: dict | None = None
        self.organization: dict | None = None
        self.calls: dict = {}
        self.mutations: list = []
        # Cloud calls being carried out now (a slow one sleeps its latency): a test waits for 0 rather than a while.
        self.calls_in_progress = 0
        self.reset()
        if settings:
            self.configure(settings)

    # -- lifecycle ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget all resources, calls, tokens and nonces (config and faults stay)."""
        self.disks = {cloud: {} for cloud in CLOUDS}
        self.snapshots = {cloud: {} for cloud in CLOUDS}
        # Snapshot groups (ECS CreateSnapshotGroup, CBS CreateSnapshotGroup): id -> group; see group_phase.
        self.snapshot_groups = {cloud: {} for cloud in CLOUDS}
        # Instances (seeded only; Tencent's CVM instances under cbs): id -> record (resources.make_instance).
        self.instances = {cloud: {} for cloud in CLOUDS}
        self.moving = set()
        for path in self.device_files:
            _remove(path)
        self.device_files = set()
        self.tokens = {}
        self.nonces = {}
        # Temporary credentials STS handed out: key id -> {secret, token, account, expires}.
        self.sessions = {}
        # Resource Sharing (resourcesharing.py): resource share id -> share, invitation id -> invitation.
        self.resource_shares = {}
        self.invitations = {}
        # The organisations whose members an inventory lists (organizations.py), seeded only.
        self.resource_directory = None
        self.organization = None
        self.calls = {}
        self.mutations = []
        # Each copy made, full or incremental, with its bytes (meter.py).
        self.copy_meter = []
        self.clock_offset = 0.0
        self.frozen_at = None

    def configure(self, settings: dict) -> dict:
        """Merge config settings; ``faults`` inside them replace the fault plan."""
        settings = dict(settings)
        faults = settings.pop('faults', None)
        settings.pop('seed', None)
        if 'credentials' in settings:
            # Credential lists replace rather than merge, so a key can be revoked.
            self.config['credentials'].update(copy.deepcopy(settings.pop('credentials')))
        if 'roles' in settings:
            # Likewise the roles of a vendor, so a role can be removed.
            self.config['roles'].update(copy.deepcopy(settings.pop('roles')))
        merge(self.config, settings)
        if faults is not None:
            self.faults.configure(faults, replace=True)
        return self.config

    def now(self) -> float:
        """The emulator's clock: wall time (or the time it was frozen at) plus what /_admin/clock advanced it by."""
        return (time.time() if self.frozen_at is None else self.frozen_at) + self.clock_offset

    # -- ids ---------------------------------------------------------------------------------------
    def new_number(self) -> int:
        """A fresh serial number (ENS order ids)."""
        self._serial += 1
        return 208000000000 + self._serial

    def new_id(self, cloud: str, prefix: str, length: int) -> str:
        """A fresh resource id in the cloud's style, unique across disks and snapshots."""
        while True:
            candidate = prefix + ''.join(self._ids.choice(_ID_ALPHABET) for dummy in range(length))
            taken = (self.disks[cloud], self.snapshots[cloud], self.instances[cloud])
            if all(candidate not in table for table in taken):
                return candidate

    # -- regions -----------------------------------------------------------------------------------
    def regions(self, cloud: str) -> list:
        return self.config['regions'][cloud]

    def known_region(self, cloud: str, region: str) -> bool:
        return region in self.config['regions'][cloud]

    def add_region(self, cloud: str, region: str) -> None:
        if region and region not in self.config['regions'][cloud]:
            self.config['regions'][cloud].append(region)

    # -- zones (ECS, CBS) ---------------------------------------------------------------------------
    def zones(self, cloud: str, region: str) -> list:
        """The zones of a region as ``[{'id', 'disk_categories'}]``: config's, else default_zones()."""
        listed = self.config['zones'].get(cloud, {}).get(region) or default_zones(cloud, region)
        offered = self.config['disk_categories'].get(cloud, [])
        out = []
        for entry in listed:
            zone = {'id': entry} if isinstance(entry, str) else entry
            out.append({'id': zone['id'], 'disk_categories': list(zone.get('disk_categories') or offered)})
        return out

    def zone(self, cloud: str, region: str, zone_id: str) -> dict | None:
        return next((zone for zone in self.zones(cloud, region) if zone['id'] == zone_id), None)

    def add_zone(self, cloud: str, region: str, zone_id: str) -> None:
        """Make a zone a seed names known to its region (as add_region does for regions)."""
        if cloud not in self.config['zones'] or self.zone(cloud, region, zone_id) is not None:
            return
        current = self.config['zones'][cloud].get(region) or default_zones(cloud, region)
        self.config['zones'][cloud][region] = [*current, zone_id]

    # -- resources ---------------------------------------------------------------------------------
    def timing(self, cloud: str, key: str) -> float:
        return float(self.config['timings'][cloud][key])

    def add_snapshot(self, cloud: str, record: dict) -> dict:
        record.setdefault('account', default_account(self.config, VENDOR[cloud]))
        self.snapshots[cloud][record['id']] = record
        self.add_region(cloud, record['region'])
        return record

    def add_disk(self, cloud: str, record: dict) -> dict:
        record.setdefault('account', default_account(self.config, VENDOR[cloud]))
        self.disks[cloud][record['id']] = record
        self.add_region(cloud, record['region'])
        self.add_zone(cloud, record['region'], record['zone'])
        return record

    def add_instance(self, cloud: str, record: dict) -> dict:
        record.setdefault('account', default_account(self.config, VENDOR[cloud]))
        self.instances[cloud][record['id']] = record
        self.add_region(cloud, record['region'])
        self.add_zone(cloud, record['region'], record['zone'])
        return record

    # -- attachments ---------------------------------------------------------------------------------
    def start_attachment(self, cloud: str, disk: dict, instance_id: str, now: float, device: str = '') -> None:
        """Begin attaching ``disk`` to ``instance_id``: ATTACHING for timings.<cloud>.attach_seconds, then ATTACHED."""
        disk['instance_id'], disk['device'] = instance_id, device
        disk['attachment'] = {'phase': ATTACHING, 'until': now + self.timing(cloud, 'attach_seconds')}
        self.moving.add((cloud, disk['id']))

    def start_detachment(self, cloud: str, disk: dict, now: float) -> None:
        """Begin detaching ``disk``: DETACHING for timings.<cloud>.detach_seconds, then free."""
        disk['attachment'] = {'phase': DETACHING, 'until': now + self.timing(cloud, 'detach_seconds')}
        self.moving.add((cloud, disk['id']))

    def settle(self, now: float) -> None:
        """Carry out the attaches and detaches that are over by ``now``: a detached disk names no instance any more, and
        with ``device_dir`` set an attach writes the disk's content to <device_dir>/<disk id>, a detach removes that file.
        Run before every call and admin read, so that what an answer shows is what the files show."""
        for cloud, disk_id in sorted(self.moving):
            disk = self.disks[cloud].get(disk_id)
            if disk is None:
                self.moving.discard((cloud, disk_id))
                continue
            moving = disk['attachment']
            if moving is None or now < moving['until']:
                continue
            self.moving.discard((cloud, disk_id))
            disk['attachment'] = None
            if moving['phase'] == DETACHING:
                disk['instance_id'], disk['device'] = '', ''
                self._device_file(disk_id, None)
            else:
                self._device_file(disk_id, disk.get('data') or b'')

    def _device_file(self, disk_id: str, data: bytes | None) -> None:
        """Write (``data``) or remove (None) the device file of ``disk_id``, when config names a device_dir."""
        folder = self.config.get('device_dir')
        if not folder:
            return
        path = os.path.join(folder, disk_id)
        if data is None:
            _remove(path)
            self.device_files.discard(path)
            return
        try:
            os.makedirs(folder, exist_ok=True)
            with open(path, 'wb') as handle:
                handle.write(data)
        except OSError as error:  # the emulator keeps answering; the test that reads the file sees it missing
            sys.stderr.write('fakecloud: cannot write device file %s: %s\n' % (path, error))
            return
        self.device_files.add(path)

    def drop_failed_disks(self, cloud: str, now: float) -> None:
        """A disk that failed to be made is gone (no cloud documents a failed disk state)."""
        gone = [did for did, disk in self.disks[cloud].items() if disk_phase(disk, now) == FAILED]
        for did in gone:
            del self.disks[cloud][did]

    def phase(self, snap: dict, now: float) -> tuple:
        """(status, percent) of a snapshot at ``now``; a failing one stops at half way."""
        duration = snap['duration']
        fraction = 1.0 if duration <= 0 else max(0.0, (now - snap['created']) / duration)
        if snap['will_fail'] and fraction >= 0.5:
            return FAILED, 50
        if fraction >= 1.0:
            return DONE, 100
        return RUNNING, min(99, int(fraction * 100))

    def group_members(self, cloud: str, group: dict) -> list:
        """The snapshots of ``group`` that still exist, in the order the group made them."""
        table = self.snapshots[cloud]
        return [table[sid] for sid in group['members'] if sid in table]

    def group_phase(self, cloud: str, group: dict, now: float) -> tuple:
        """(phase, percent) of a snapshot group from its members: FAILED once any member failed, RUNNING while any
        member runs, else DONE; the percent is the least advanced member's (unverifiable: the models document a group's
        states, not how its progress adds up)."""
        phases = [self.phase(snap, now) for snap in self.group_members(cloud, group)]
        percent = min((pct for dummy, pct in phases), default=100)
        if any(phase == FAILED for phase, dummy in phases):
            return FAILED, percent
        if any(phase == RUNNING for phase, dummy in phases):
            return RUNNING, percent
        return DONE, percent

    def copies_of(self, cloud: str, source_id: str) -> list:
        return [snap for snap in self.snapshots[cloud].values() if snap.get('source_snapshot_id') == source_id]

    def drop_failed(self, cloud: str, now: float) -> None:
        """Tencent has no failed state: a copy that failed simply disappears."""
        gone = [sid for sid, snap in self.snapshots[cloud].items() if self.phase(snap, now)[0] == FAILED]
        for sid in gone:
            del self.snapshots[cloud][sid]

    # -- credentials -------------------------------------------------------------------------------
    def credential(self, vendor: str, key_id: str) -> dict | None:
        """The configured or STS-issued credential with this key id, with its account; None when unknown."""
        id_field = 'access_key_id' if vendor == 'alibaba' else 'secret_id'
        entry = next((c for c in self.config['credentials'][vendor] if c[id_field] == key_id), None)
        if entry is not None:
            return dict(entry, account=entry.get('account') or default_account(self.config, vendor))
        session = self.sessions.get((vendor, key_id))
        return dict(session) if session else None

    # -- idempotency, nonces -----------------------------------------------------------------------
    def remember_token(self, key: tuple, fingerprint, answer: dict) -> None:
        self.tokens[key] = (fingerprint, copy.deepcopy(answer))

    def recall_token(self, key: tuple):
        return self.tokens.get(key)

    def nonce_used(self, key: tuple, now: float, window: float) -> bool:
        """Record a signature nonce; True if it was already seen inside the window."""
        if len(self.nonces) > 100000:
            # Expired nonces can never collide again (their timestamps would be refused), so prune them.
            self.nonces = {k: t for k, t in self.nonces.items() if t > now - window}
        if key in self.nonces and self.nonces[key] > now - window:
            return True
        self.nonces[key] = now
        return False

    # -- call ledger -------------------------------------------------------------------------------
    def record_call(
        self,
        cloud: str,
        action: str,
        ok: bool,
        mutated: bool,
        region: str | None = None,
        params: dict | None = None,
        answer_lost: bool = False,
        result: dict | None = None,
    ) -> None:
        """Count a call; log the parameters of every call that changed state."""
        counts = self.calls.setdefault(cloud, {}).setdefault(action, {'calls': 0, 'errors': 0, 'mutations': 0})
        counts['calls'] += 1
        if not ok:
            counts['errors'] += 1
        if mutated:
            counts['mutations'] += 1
            clean = {k: v for k, v in (params or {}).items() if k not in COMMON_PARAMS}
            self.mutations.append(
                {
                    'seq': len(self.mutations) + 1,
                    'time': self.now(),
                    'cloud': cloud,
                    'action': action,
                    'region': region,
                    'params': clean,
                    'answer_lost': answer_lost,
                    'result': result or {},
                }
            )

    def calls_report(self) -> dict:
        mutating = {
            cloud: {action: c['mutations'] for action, c in actions.items() if c['mutations']}
            for cloud, actions in self.calls.items()
        }
        return {
            'calls': copy.deepcopy(self.calls),
            'mutating': {cloud: actions for cloud, actions in mutating.items() if actions},
            'total_calls': sum(c['calls'] for actions in self.calls.values() for c in actions.values()),
            'total_mutations': len(self.mutations),
            'in_progress': self.calls_in_progress,
            'log': copy.deepcopy(self.mutations),
        }


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        sys.stderr.write('fakecloud: cannot remove device file %s: %s\n' % (path, error))
