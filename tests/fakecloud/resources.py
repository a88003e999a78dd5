"""Building disk and snapshot records, shared by the seeding code and the cloud handlers."""

from __future__ import annotations

import time

from .config import default_zones

# Each cloud's id shapes: (disk prefix, snapshot prefix, random part length).
ID_STYLE = {
    'ecs': ('d-', 's-', 20),
    'ens': ('d-', 'sp-', 24),
    'cbs': ('disk-', 'snap-', 8),
}
DEFAULT_DISK_CATEGORY = {'ecs': 'cloud_essd', 'ens': 'cloud_efficiency', 'cbs': 'CLOUD_PREMIUM'}
# Instance ids (prefix, random part length): ECS i-bp67acfmxazb4p****, ENS i-5n6q..., CVM ins-xxxxxxxx (the models'
# examples). Tencent's instances are CVM's; fakecloud keeps them beside the CBS disks (the cloud key cbs).
INSTANCE_ID_STYLE = {'ecs': ('i-', 20), 'ens': ('i-', 24), 'cbs': ('ins-', 8)}
# The states an instance can be in, in each cloud's words: ECS-M DescribeInstancesRequest.Status, ENS-M
# DescribeInstancesRequest.Status, and CVM's InstanceStatus.InstanceState (tencentcloud-sdk-python-cvm; its
# Instance.InstanceState points to that table).
INSTANCE_STATES = {
    'ecs': ('Pending', 'Running', 'Starting', 'Stopping', 'Stopped'),
    'ens': ('Running', 'Stopped', 'Expired'),
    'cbs': (
        'PENDING',
        'LAUNCH_FAILED',
        'RUNNING',
        'STOPPED',
        'STARTING',
        'STOPPING',
        'REBOOTING',
        'SHUTDOWN',
        'TERMINATING',
        'ENTER_RESCUE_MODE',
        'RESCUE_MODE',
        'EXIT_RESCUE_MODE',
        'ENTER_SERVICE_LIVE_MIGRATE',
        'SERVICE_LIVE_MIGRATE',
        'EXIT_SERVICE_LIVE_MIGRATE',
    ),
}


def default_zone(cloud: str, region: str) -> str:
    return default_zones(cloud, region)[0]


def iso_z(epoch: float) -> str:
    """Alibaba's time format: ISO 8601 UTC with a Z, no fraction."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def tc_time(epoch: float) -> str:
    """Tencent's time format (Beijing time, as the API shows it)."""
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(epoch + 8 * 3600))


def make_disk(store, cloud: str, region: str, now: float, **fields) -> dict:
    """A disk record with the cloud's defaults; ``fields`` override them. A disk is being made from ``created``
    for ``duration`` seconds, then ready, or gone if it ``will_fail`` (state.disk_phase)."""
    disk_prefix, dummy, length = ID_STYLE[cloud]
    record = {
        'id': fields.pop('id', None) or store.new_id(cloud, disk_prefix, length),
        'cloud': cloud,
        'region': region,
        'zone': fields.pop('zone', None) or store.zones(cloud, region)[0]['id'],
        'name': '',
        'description': '',
        'size': 40,
        'category': DEFAULT_DISK_CATEGORY[cloud],
        'type': 'data',
        'encrypted': False,
        'kms_key_id': '',
        'instance_id': '',
        'created': now,
        'duration': 0.0,
        'will_fail': False,
        # The snapshot the disk was made from (CreateDisk(s) SnapshotId), '' for a blank one.
        'source_snapshot_id': '',
        # ESSD performance level (ECS); '' for other categories and clouds.
        'performance_level': '',
        # ECS's MultiAttach: Disabled, Enabled or LegacyShared (ecs-20140526 DescribeDisksRequest.MultiAttach).
        'multi_attach': 'Disabled',
        'tags': {},
        # What the disk holds (bytes, small: seeded, or from the snapshot it was made from); None for a blank disk.
        'data': None,
        # How much data it holds (None: the whole disk), and the bytes rewritten since it was made (meter.py).
        'written_bytes': None,
        'rewritten_bytes': 0,
        # The device name an attachment has (ECS /dev/xvdb...); '' for none, and on clouds that answer none.
        'device': '',
        # An attach or detach under way: {'phase': 'attaching' or 'detaching', 'until': epoch} (state.attachment).
        'attachment': None,
    }
    record.update(fields)
    record['tags'] = dict(record['tags'] or {})
    return record


def instance_state(cloud: str, word: str) -> str:
    """The cloud's own word for ``word`` (its own, or running/stopped in any case); ValueError for another."""
    for state in INSTANCE_STATES[cloud]:
        if state.lower() == str(word).lower():
            return state
    raise ValueError('unknown %s instance state %r (one of %s)' % (cloud, word, ', '.join(INSTANCE_STATES[cloud])))


def make_instance(store, cloud: str, region: str, now: float, **fields) -> dict:
    """An instance record (seeded only: fakecloud neither creates nor starts nor stops one), running by default, in
    the region's first zone (an ENS instance: on its node)."""
    prefix, length = INSTANCE_ID_STYLE[cloud]
    record = {
        'id': fields.pop('id', None) or store.new_id(cloud, prefix, length),
        'cloud': cloud,
        'region': region,
        'zone': fields.pop('zone', None) or store.zones(cloud, region)[0]['id'],
        'name': '',
        'state': instance_state(cloud, fields.pop('state', None) or 'running'),
        'created': now,
    }
    record.update(fields)
    return record


def make_snapshot(store, cloud: str, region: str, now: float, disk: dict | None = None, **fields) -> dict:
    """A snapshot record; by default it inherits size, type and encryption from ``disk``."""
    dummy, snap_prefix, length = ID_STYLE[cloud]
    disk = disk or {}
    record = {
        'id': fields.pop('id', None) or store.new_id(cloud, snap_prefix, length),
        'cloud': cloud,
        'region': region,
        'zone': disk.get('zone') or default_zone(cloud, region),
        'disk_id': disk.get('id', ''),
        'disk_size': disk.get('size', 40),
        'disk_category': disk.get('category', DEFAULT_DISK_CATEGORY[cloud]),
        'disk_type': disk.get('type', 'data'),
        'name': '',
        'description': '',
        'category': 'standard',
        'encrypted': bool(disk.get('encrypted', False)),
        'kms_key_id': disk.get('kms_key_id', ''),
        'created': now,
        'duration': 0.0,
        'will_fail': False,
        'tags': {},
        'source_snapshot_id': '',
        'source_region': '',
        'retention_days': None,
        'is_copy': False,
        # The snapshot group (ECS, CBS CreateSnapshotGroup) that made it, '' for none.
        'group_id': '',
        # Being deleted (ENS "deleting") or in the recycle bin (CBS "TORECYCLE"); only seeds set it.
        'deleting': False,
        # What the disk held when the snapshot was made (a copy: its source's); None for no content.
        'data': disk.get('data'),
        # How much data the disk held then (None: the whole disk) and the bytes it had rewritten (meter.py).
        'written_bytes': disk.get('written_bytes'),
        'rewritten_bytes': disk.get('rewritten_bytes') or 0,
    }
    record.update(fields)
    record['tags'] = dict(record['tags'] or {})
    return record


def match_tags(resource_tags: dict, wanted: list) -> bool:
    """Tag filters as the clouds apply them: every (key, value) must match; a None value means "has the key"."""
    for key, value in wanted:
        if key not in resource_tags:
            return False
        if value is not None and resource_tags[key] != value:
            return False
    return True
