"""The /_admin/ endpoints: seed, state, sessions, calls, reset, config, faults, clock, corrupt, meter, write (JSON, no
auth)."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse

from . import cbs, ecs, ens, meter
from .config import CLOUDS, default_config
from .resources import iso_z
from .seeding import apply_seed
from .state import attachment, disk_phase


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode('ascii')


def _status_word(store, cloud: str, snap: dict, now: float) -> str:
    if cloud == 'cbs':
        return cbs.snapshot_state(store, snap, now)[0]
    if cloud == 'ens':
        return ens.status_word(store, snap, now)
    return ecs.STATUS_WORDS[store.phase(snap, now)[0]]


def _snapshot_view(store, cloud: str, snap: dict, now: float) -> dict:
    phase, progress = store.phase(snap, now)
    view = {
        key: snap[key]
        for key in (
            'account',
            'id',
            'disk_id',
            'name',
            'description',
            'category',
            'encrypted',
            'tags',
            'source_snapshot_id',
            'source_region',
            'is_copy',
            'retention_days',
            'group_id',
        )
    }
    view.update(
        status=_status_word(store, cloud, snap, now),
        phase=phase,
        progress=progress,
        created=iso_z(snap['created']),
        shared_with=sorted(snap.get('shared_with') or ()),
        data=_b64(snap.get('data')),
    )
    return view


def _disk_status(cloud: str, disk: dict, now: float) -> str:
    """What the cloud's DescribeDisks shows; '' for a CBS disk being made, which it does not list."""
    if cloud == 'ecs':
        return ecs.disk_status(disk, now)
    if cloud == 'ens':
        return ens.disk_status(disk, now)
    if not cbs.listed(disk, now):
        return ''
    return cbs.disk_state(disk, now)


def _disk_view(cloud: str, disk: dict, now: float) -> dict:
    view = {
        key: disk[key]
        for key in (
            'account',
            'id',
            'zone',
            'name',
            'description',
            'size',
            'category',
            'type',
            'encrypted',
            'tags',
            'instance_id',
            'source_snapshot_id',
            'performance_level',
        )
    }
    view.update(
        status=_disk_status(cloud, disk, now),
        phase=disk_phase(disk, now),
        listed=cloud != 'cbs' or cbs.listed(disk, now),
        created=iso_z(disk['created']),
        ready=iso_z(disk['created'] + disk['duration']),
        attachment=attachment(disk, now),
        device=disk['device'],
        data=_b64(disk.get('data')),
    )
    return view


def _instance_view(instance: dict) -> dict:
    view = {key: instance[key] for key in ('account', 'id', 'zone', 'name', 'state')}
    view['created'] = iso_z(instance['created'])
    return view


def dump_state(store, query: dict) -> dict:
    """All resources per cloud and region (optionally ?cloud=ecs&region=cn-hangzhou&account=ID)."""
    now = store.now()
    store.settle(now)
    store.drop_failed('cbs', now)
    out: dict = {'now': iso_z(now), 'clock_offset': store.clock_offset}
    for cloud in CLOUDS:
        if query.get('cloud') and query['cloud'] != cloud:
            continue
        store.drop_failed_disks(cloud, now)
        if cloud == 'cbs':
            cbs.drop_recycled(store, now)
        regions: dict = {}
        for disk in store.disks[cloud].values():
            if query.get('account') and disk['account'] != query['account']:
                continue
            if not query.get('region') or disk['region'] == query['region']:
                regions.setdefault(disk['region'], {'disks': [], 'snapshots': []})['disks'].append(
                    _disk_view(cloud, disk, now)
                )
        for snap in store.snapshots[cloud].values():
            if query.get('account') and snap['account'] != query['account']:
                continue
            if not query.get('region') or snap['region'] == query['region']:
                regions.setdefault(snap['region'], {'disks': [], 'snapshots': []})['snapshots'].append(
                    _snapshot_view(store, cloud, snap, now)
                )
        for instance in store.instances[cloud].values():
            if query.get('account') and instance['account'] != query['account']:
                continue
            if not query.get('region') or instance['region'] == query['region']:
                regions.setdefault(instance['region'], {'disks': [], 'snapshots': []}).setdefault(
                    'instances', []
                ).append(_instance_view(instance))
        out[cloud] = regions
    return out


def corrupt(store, data: dict) -> dict:
    """Flip bytes of a snapshot's content (XOR 0xFF), for the tests of a restore that must notice: ``{"cloud",
    "snapshot_id", "offset"? (0), "length"? (1)}``. Content shorter than offset + length is padded with zeros first, so
    a corrupted snapshot always differs from what it held. Disks made from it later hold the corrupted content."""
    cloud, snapshot_id = data['cloud'], data['snapshot_id']
    snap = store.snapshots[cloud].get(snapshot_id)
    if snap is None:
        raise KeyError('no %s snapshot %s' % (cloud, snapshot_id))
    offset, length = int(data.get('offset', 0)), int(data.get('length', 1))
    if offset < 0 or length < 1:
        raise ValueError('offset must be >= 0 and length >= 1')
    content = bytearray(snap.get('data') or b'')
    content.extend(bytes(max(0, offset + length - len(content))))
    for index in range(offset, offset + length):
        content[index] ^= 0xFF
    snap['data'] = bytes(content)
    return {'snapshot_id': snapshot_id, 'data': _b64(snap['data'])}


def restore(server) -> None:
    """Back to how the server started: its config file's settings, faults and seed."""
    store = server.store
    store.config = default_config()
    store.faults.configure({}, replace=True)
    store.reset()
    store.configure(server.initial_settings)
    if server.initial_settings.get('seed'):
        apply_seed(store, server.initial_settings['seed'])


def _route(server, method: str, name: str, query: dict, data: dict) -> tuple:
    store = server.store
    if name == 'health':
        return 200, {'ok': True}
    if name == 'seed' and method == 'POST':
        return 200, {'created': apply_seed(store, data)}
    if name == 'state':
        return 200, dump_state(store, query)
    if name == 'sessions':
        # The temporary credentials STS handed out, so that tests can look for them where they must not be.
        return 200, {
            'sessions': [
                dict(session, vendor=vendor, key_id=key_id) for (vendor, key_id), session in store.sessions.items()
            ]
        }
    if name == 'calls':
        if method in ('POST', 'DELETE') and (method == 'DELETE' or data.get('reset')):
            store.calls, store.mutations = {}, []
        return 200, store.calls_report()
    if name == 'reset' and method == 'POST':
        if data.get('keep_config'):
            store.reset()
        else:
            restore(server)
        return 200, {'ok': True}
    if name == 'config':
        if method == 'POST':
            store.configure(data)
        return 200, {'config': store.config}
    if name == 'faults':
        if method == 'POST':
            store.faults.configure(data, replace=not data.pop('merge', False))
        return 200, {'faults': store.faults.settings}
    if name == 'clock':
        if method == 'POST':
            if 'freeze' in data:
                # A frozen clock moves only when told to: a test's answers never depend on the machine's speed.
                store.frozen_at = (store.frozen_at or time.time()) if data['freeze'] else None
            if 'offset' in data:
                store.clock_offset = float(data['offset'])
            store.clock_offset += float(data.get('advance', 0))
            store.settle(store.now())  # the device files of what the move completed are there when it answers
        return 200, {'now': store.now(), 'offset': store.clock_offset, 'frozen': store.frozen_at is not None}
    if name == 'corrupt' and method == 'POST':
        return 200, corrupt(store, data)
    if name == 'meter':
        return 200, {'meter': meter.report(store, query)}
    if name == 'write' and method == 'POST':
        return 200, meter.write(store, data)
    return 404, {'error': 'unknown admin endpoint %s %s' % (method, name)}


def handle(server, method: str, path: str, query_string: str, body: bytes) -> tuple:
    """Answer (HTTP status, JSON payload) for one admin request."""
    try:
        data = json.loads(body.decode('utf-8') or '{}') if body else {}
    except ValueError:
        return 400, {'error': 'the request body is not JSON'}
    if not isinstance(data, dict):
        return 400, {'error': 'the request body must be a JSON object'}
    query = dict(urllib.parse.parse_qsl(query_string))
    name = path[len('/_admin/') :].strip('/')
    with server.store.lock:
        try:
            return _route(server, method, name, query, data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # A malformed payload (a string where an object belongs, ...) is the caller's error: say so.
            return 400, {'error': '%s: %s' % (type(exc).__name__, exc)}
