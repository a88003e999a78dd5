"""The meter (issue 64): what each snapshot copy moves and adds, per cloud and region, by the rule each cloud states for
full and incremental copies, so that a test can hold dr_sync's plan to what the copies did (``GET /_admin/meter``).

A disk holds ``written_bytes`` of data (seeded, or the whole disk when not seeded) and counts the bytes rewritten since
it was made (``rewritten_bytes``: ``POST /_admin/write``); a snapshot keeps both as they were when it was made, and a copy
its source's. A copy is:
- ECS: full when no copy of the disk stands in the region before it, else incremental: "The first time a disk snapshot
  is copied, all data stored in the disk is copied. All subsequent copies of the snapshot in the same region are
  incremental copies" (the ECS console guide, ../shared/seeds/004_*).
- ENS: as ECS (no ENS page says otherwise; **unverifiable**).
- CBS: full, every one: Tencent Cloud says its snapshots of a disk are incremental but nothing of its cross-region
  copies (CopySnapshotCrossRegions, ../shared/seeds/003_*), the reading that costs most (**unverifiable**).
A full copy moves and adds what its source holds (``written_bytes``); an incremental one the bytes rewritten between the
source of the copy before it and its own source (at most what its source holds). A copy that fails moved its bytes and
keeps none. How a cloud bills the blocks of a deleted copy that a later one shares is **unverifiable**: a deleted copy's
bytes leave the region's ``bytes_stored`` with it.
"""

from __future__ import annotations

from .state import FAILED

GIB = 2**30
INCREMENTAL_CLOUDS = ('ecs', 'ens')


def written(record: dict) -> int:
    """The bytes a disk or a snapshot holds: its own figure, else its whole disk."""
    if record.get('written_bytes') is not None:
        return int(record['written_bytes'])
    return int(record.get('disk_size') or record.get('size') or 0) * GIB


def carried(source: dict) -> dict:
    """What a copy keeps of its source's data, for make_snapshot."""
    return {'written_bytes': written(source), 'rewritten_bytes': int(source.get('rewritten_bytes') or 0)}


def record_copy(store, cloud: str, copy: dict) -> None:
    """Meter ``copy`` (its record, as added to the store): full or incremental, and its bytes."""
    before = None
    if cloud in INCREMENTAL_CLOUDS and copy['disk_id']:
        for snap in store.snapshots[cloud].values():
            if (
                snap is not copy
                and snap['is_copy']
                and snap['region'] == copy['region']
                and snap['account'] == copy['account']
                and snap['disk_id'] == copy['disk_id']
                and store.phase(snap, copy['created'])[0] != FAILED
            ):
                before = snap  # the store keeps insertion order: the last is the newest
    full = before is None
    moved = (
        written(copy)
        if full
        else min(written(copy), abs(int(copy['rewritten_bytes'] or 0) - int(before['rewritten_bytes'] or 0)))
    )
    store.copy_meter.append(
        {
            'cloud': cloud,
            'account': copy['account'],
            'region': copy['region'],
            'snapshot_id': copy['id'],
            'disk_id': copy['disk_id'],
            'full': full,
            'bytes': moved,
        }
    )


def report(store, query: dict) -> dict:
    """{cloud: {region: {full, incremental, bytes_moved, bytes_stored}}} of the copies metered (?cloud=&account=):
    ``bytes_stored`` counts the copies still there that did not fail."""
    now = store.now()
    out: dict = {}
    for entry in store.copy_meter:
        if query.get('cloud') and entry['cloud'] != query['cloud']:
            continue
        if query.get('account') and entry['account'] != query['account']:
            continue
        region = out.setdefault(entry['cloud'], {}).setdefault(
            entry['region'], {'full': 0, 'incremental': 0, 'bytes_moved': 0, 'bytes_stored': 0}
        )
        region['full' if entry['full'] else 'incremental'] += 1
        region['bytes_moved'] += entry['bytes']
        snap = store.snapshots[entry['cloud']].get(entry['snapshot_id'])
        if snap is not None and store.phase(snap, now)[0] != FAILED:
            region['bytes_stored'] += entry['bytes']
    return out


def write(store, data: dict) -> dict:
    """``{"cloud", "disk_id", "bytes"}``: the disk rewrites ``bytes`` of its data (its next snapshots hold them), and
    with ``"written_bytes"`` holds that much data from now on."""
    cloud, disk_id = data['cloud'], data['disk_id']
    disk = store.disks[cloud].get(disk_id)
    if disk is None:
        raise KeyError('no %s disk %s' % (cloud, disk_id))
    rewritten = int(data.get('bytes', 0))
    if rewritten < 0:
        raise ValueError('bytes must be >= 0')
    disk['rewritten_bytes'] = int(disk.get('rewritten_bytes') or 0) + rewritten
    if data.get('written_bytes') is not None:
        disk['written_bytes'] = int(data['written_bytes'])
    return {'disk_id': disk_id, 'written_bytes': written(disk), 'rewritten_bytes': disk['rewritten_bytes']}
