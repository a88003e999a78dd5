"""Turning a /_admin/seed payload into disk and snapshot records (fast enough for thousands)."""

from __future__ import annotations

import base64
import binascii
import calendar
import time

from .config import CLOUDS
from .organizations import SEEDS as ORGANIZATION_SEEDS
from .resources import make_disk, make_instance, make_snapshot
from .state import DONE, FAILED, RUNNING

# Seeds may use any cloud's own status words, or the neutral ones.
_STATUS_WORDS = {
    DONE: DONE,
    'accomplished': DONE,
    'available': DONE,
    'normal': DONE,
    RUNNING: RUNNING,
    'progressing': RUNNING,
    'creating': RUNNING,
    'copying_from_remote': RUNNING,
    'checking_copied': RUNNING,
    FAILED: FAILED,
    'error': FAILED,
}
# On their way out: ENS "deleting", CBS "TORECYCLE" (a done snapshot that is being deleted).
_DELETING_WORDS = ('deleting', 'torecycle')
_DISK_KEYS = (
    'account',
    'id',
    'zone',
    'name',
    'description',
    'size',
    'category',
    'type',
    'encrypted',
    'kms_key_id',
    'instance_id',
    'tags',
    'source_snapshot_id',
    'performance_level',
    'multi_attach',
    'written_bytes',
)
_SNAP_KEYS = (
    'account',
    'id',
    'name',
    'description',
    'category',
    'encrypted',
    'kms_key_id',
    'tags',
    'source_snapshot_id',
    'source_region',
    'retention_days',
    'is_copy',
)


_INSTANCE_KEYS = ('account', 'id', 'zone', 'name', 'state')


def content(spec: dict) -> bytes | None:
    """The ``data`` of a seed (base64), as bytes; None when it names none."""
    if spec.get('data') is None:
        return None
    try:
        return base64.b64decode(str(spec['data']), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError('data must be base64, got %r' % (spec['data'],)) from None


def _created(spec: dict, now: float, default_age: float) -> float:
    if spec.get('created'):
        return float(calendar.timegm(time.strptime(spec['created'].rstrip('Z')[:19], '%Y-%m-%dT%H:%M:%S')))
    return now - float(spec.get('age_seconds', default_age))


def _snapshot(store, cloud: str, spec: dict, disk: dict | None, now: float, default_age: float) -> dict:
    region = spec.get('region') or (disk or {}).get('region')
    if not region:
        raise ValueError('snapshot %r needs a region (or a disk)' % spec)
    if disk is None and spec.get('disk_id'):
        disk = store.disks[cloud].get(spec['disk_id']) or {'id': spec['disk_id']}
    word = str(spec.get('status', DONE)).lower()
    status = DONE if word in _DELETING_WORDS else _STATUS_WORDS.get(word)
    if status is None:
        raise ValueError('unknown snapshot status %r' % spec.get('status'))
    fields = {key: spec[key] for key in _SNAP_KEYS if key in spec}
    if spec.get('shared_with'):
        # CBS: the accounts the snapshot is shared with (ModifySnapshotsSharePermission), shared at its creation.
        fields['shared_with'] = {str(account): _created(spec, now, default_age) for account in spec['shared_with']}
    if 'account' not in fields and (disk or {}).get('account'):
        fields['account'] = disk['account']  # a disk's snapshots are in its account
    created = _created(spec, now, default_age)
    duration = 0.0
    if status == RUNNING:
        # In flight "now": it finishes one configured duration (or the spec's own "seconds") after the seed.
        kind = 'copy_seconds' if spec.get('is_copy') or spec.get('source_snapshot_id') else 'snapshot_seconds'
        duration = float(spec['seconds']) if spec.get('seconds') is not None else store.timing(cloud, kind)
        created = now
    if spec.get('source_snapshot_id'):
        fields['is_copy'] = True
    if content(spec) is not None:
        fields['data'] = content(spec)
    elif spec.get('source_snapshot_id') and spec['source_snapshot_id'] in store.snapshots[cloud]:
        fields['data'] = store.snapshots[cloud][spec['source_snapshot_id']].get('data')  # a copy holds its source's
    record = make_snapshot(
        store,
        cloud,
        region,
        created,
        disk,
        duration=duration,
        will_fail=(status == FAILED),
        deleting=word in _DELETING_WORDS,
        **fields,
    )
    return store.add_snapshot(cloud, record)


def _seeded_snapshots(store, cloud: str, disk: dict) -> list:
    """The ids of a disk's own snapshots in its region (no copies), oldest first."""
    own = [
        snap
        for snap in store.snapshots[cloud].values()
        if snap.get('disk_id') == disk['id'] and snap['region'] == disk['region'] and not snap.get('is_copy')
    ]
    return [snap['id'] for snap in sorted(own, key=lambda snap: (snap['created'], snap['id']))]


def apply_seed(store, payload: dict) -> dict:
    """Add the payload's resources; answer the ids created, per cloud."""
    now = store.now()
    created = {}
    for cloud, spec in payload.items():
        if cloud in ORGANIZATION_SEEDS:
            # An organisation's accounts, not a cloud's disks (organizations.py).
            created[cloud] = ORGANIZATION_SEEDS[cloud](store, spec, now)
            continue
        if cloud not in CLOUDS:
            raise ValueError(
                'unknown cloud %r (expected one of %s)' % (cloud, ', '.join((*CLOUDS, *ORGANIZATION_SEEDS)))
            )
        out = created.setdefault(cloud, {'disks': [], 'snapshots': []})
        for region in spec.get('regions', []):
            store.add_region(cloud, region)
        # An account for the cloud's disks and snapshots (each may name its own); else the default one.
        account = {'account': str(spec['account'])} if spec.get('account') else {}
        for given in spec.get('instances', []):
            _seed_instance(store, cloud, dict(account, **given), now, out.setdefault('instances', []))
        for given in spec.get('disks', []):
            disk_spec = dict(account, **given) if account else given
            if not disk_spec.get('region'):
                raise ValueError('disk %r needs a region' % disk_spec)
            if disk_spec.get('id') and disk_spec['id'] in store.disks[cloud]:
                # Seeded before: a seed that names its disk is made once, however often it is sent (a playbook that
                # seeds the emulator and is run again, in check mode first). The answer names the disk and its
                # snapshots.
                out['disks'].append(disk_spec['id'])
                out['snapshots'].extend(_seeded_snapshots(store, cloud, store.disks[cloud][disk_spec['id']]))
                continue
            fields = {key: disk_spec[key] for key in _DISK_KEYS if key in disk_spec}
            if content(disk_spec) is not None:
                fields['data'] = content(disk_spec)
            elif disk_spec.get('source_snapshot_id') in store.snapshots[cloud]:
                fields['data'] = store.snapshots[cloud][disk_spec['source_snapshot_id']].get('data')
            # A month old unless the seed says when (created, age_seconds), as for snapshots.
            made_at = _created(disk_spec, now, 86400 * 30)
            if str(disk_spec.get('status', 'available')).lower() == 'creating':
                # Being made "now": ready one configured duration (or the spec's own "seconds") after the seed.
                made_at = now
                fields['duration'] = (
                    float(disk_spec['seconds'])
                    if disk_spec.get('seconds') is not None
                    else store.timing(cloud, 'disk_seconds')
                )
            elif str(disk_spec.get('status', 'available')).lower() not in ('available', 'done'):
                raise ValueError('unknown disk status %r (creating or available)' % disk_spec['status'])
            disk = store.add_disk(cloud, make_disk(store, cloud, disk_spec['region'], made_at, **fields))
            out['disks'].append(disk['id'])
            snaps = disk_spec.get('snapshots', [])
            if isinstance(snaps, int):
                snaps = [{} for dummy in range(snaps)]
            for index, snap_spec in enumerate(snaps):
                # Older first: the last snapshot listed is the newest one.
                age = 3600.0 * (len(snaps) - index)
                out['snapshots'].append(_snapshot(store, cloud, dict(snap_spec), disk, now, age)['id'])
        for snap_spec in spec.get('snapshots', []):
            out['snapshots'].append(_snapshot(store, cloud, dict(account, **snap_spec), None, now, 3600.0)['id'])
    return created


def _seed_instance(store, cloud: str, spec: dict, now: float, out: list) -> None:
    """An instance of ``spec``; one whose ``id`` exists already is not made again (as disks)."""
    if not spec.get('region'):
        raise ValueError('instance %r needs a region' % spec)
    if not (spec.get('id') and spec['id'] in store.instances[cloud]):
        fields = {key: spec[key] for key in _INSTANCE_KEYS if key in spec}
        spec = store.add_instance(
            cloud, make_instance(store, cloud, spec['region'], _created(spec, now, 86400), **fields)
        )
    out.append(spec['id'])
