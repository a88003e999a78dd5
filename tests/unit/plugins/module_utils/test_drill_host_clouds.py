"""The drill host on Alibaba Cloud ECS and ENS and on Tencent Cloud CBS (DrillHostAdapter): the instance a restore drill
attaches its test disk to, through the real SDKs against fakecloud. What the drill relies on: drill_host's zone and
whether it runs, a missing instance not found, an attach that shows ATTACHED with its instance once the cloud's clock has
moved, a disk the cloud refuses to delete while attached, and a detach after which it is deleted; and on fakecloud's
device files, that the attached disk holds what the source disk held, through its snapshot, a copy in another region
and a disk made from the copy, or not, when the copy was corrupted on the way."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import ATTACHED, ATTACHING, DETACHING, USABLE
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_RUN_TAG
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

ALIBABA = {
    'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
    'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
    'connect_timeout': 5,
    'read_timeout': 10,
}
TENCENT = {
    'secret_id': credentials.TENCENT_SECRET_ID,
    'secret_key': credentials.TENCENT_SECRET_KEY,
    'connect_timeout': 5,
    'read_timeout': 10,
}
# provider: (adapter, connection, source region, DR region, the DR region's zone (None: an ENS node), test disk type)
CLOUDS = {
    'ecs': (EcsAdapter, ALIBABA, 'cn-hangzhou', 'cn-shanghai', 'cn-shanghai-a', 'cloud_essd'),
    'ens': (EnsAdapter, ALIBABA, 'cn-hangzhou-26', 'cn-beijing-cmcc', None, 'cloud_efficiency'),
    'cbs': (CbsAdapter, TENCENT, 'ap-guangzhou', 'ap-shanghai', 'ap-shanghai-1', 'CLOUD_PREMIUM'),
}
# What each cloud answers a delete of an attached disk (fakecloud's README: ECS-D DeleteDisk, ENS's, CBS-E).
REFUSED_WHILE_ATTACHED = {
    'ecs': 'IncorrectDiskStatus',
    'ens': 'IncorrectDiskStatus',
    'cbs': 'ResourceUnavailable.Attached',
}
# The device name a cloud gives an attachment: ECS's first (/dev/xvdb); ENS and CBS name none.
FIRST_DEVICE = {'ecs': '/dev/xvdb', 'ens': None, 'cbs': None}
# Seconds on fakecloud's clock; every move is made by advancing it, far inside the signatures' time windows.
TIMINGS = {
    'snapshot_seconds': 1,
    'copy_seconds': 2,
    'disk_seconds': 2,
    'attach_seconds': 3,
    'detach_seconds': 4,
    'recycle_seconds': 0,
}
DATA = b'what the source disk held \x00\xff'


@pytest.fixture
def cloud(fakecloud_clean, tmp_path):
    fakecloud_clean.admin.configure(
        device_dir=str(tmp_path), timings={name: dict(TIMINGS) for name in ('ecs', 'ens', 'cbs')}
    )
    fakecloud_clean.devices = tmp_path
    return fakecloud_clean


def adapter_for(cloud, provider):
    adapter_class, connection = CLOUDS[provider][:2]
    return adapter_class.from_connection(dict(connection, endpoint_url=cloud.url))


def seed_host(cloud, provider, **instance) -> str:
    dummy, dummy, dummy, dr_region, zone, dummy = CLOUDS[provider]
    spec = dict({'region': dr_region, 'name': 'drill-host'}, **({'zone': zone} if zone else {}))
    return cloud.admin.seed({provider: {'instances': [dict(spec, **instance)]}})[provider]['instances'][0]


def copied_snapshot(cloud, adapter, provider) -> str:
    """A snapshot of a disk holding DATA, copied to the DR region by the cloud's copy call (the adapter's client): the
    copy's id, once it is done."""
    dummy, dummy, source, dr_region, dummy, dummy = CLOUDS[provider]
    seeded = cloud.admin.seed(
        {provider: {'disks': [{'region': source, 'size': 20, 'data': base64.b64encode(DATA).decode(), 'snapshots': 1}]}}
    )
    (snapshot,) = seeded[provider]['snapshots']
    if provider == 'ecs':
        params = {
            'RegionId': source,
            'SnapshotId': snapshot,
            'DestinationRegionId': dr_region,
            'DestinationSnapshotName': 'drill-copy',
            'DestinationSnapshotDescription': 'a copy',
        }
        copy = adapter.client.call('CopySnapshot', params, source)['SnapshotId']
    elif provider == 'ens':
        params = {
            'SnapshotId': snapshot,
            'DestinationRegionIds': json.dumps([dr_region]),
            'DestinationSnapshotName': 'drill-copy',
            'DestinationSnapshotDescription': 'a copy',
        }
        copy = adapter.client.call('CopySnapshot', params, source)['AllocationId'][0]['InstanceId'][0]
    else:
        params = {'SnapshotId': snapshot, 'DestinationRegions': [dr_region]}
        answer = adapter.client.call('cbs', source, 'CopySnapshotCrossRegions', params)
        copy = answer['SnapshotCopyResultSet'][0]['SnapshotId']
    cloud.admin.advance_clock(TIMINGS['copy_seconds'] + 1)
    return copy


def test_disk(cloud, adapter, provider, copy_id: str) -> str:
    """A test disk made from the copy by the adapter, once the cloud has made it: its id."""
    dummy, dummy, dummy, dr_region, zone, disk_type = CLOUDS[provider]
    copy = Snapshot(copy_id, dr_region, COMPLETED, size=20)
    disk = adapter.drill.create_test_disk(
        dr_region, zone, copy, disk_type, 'snapcopy-drill-test', {RESTORE_RUN_TAG: 'run-1'}, 'drill-host-token-1'
    )
    cloud.admin.advance_clock(TIMINGS['disk_seconds'] + 1)
    (made,) = adapter.drill.describe_test_disks(dr_region, [disk.id]).values()
    assert made.state == USABLE and (made.attached_to, made.attachment, made.device) == (None, None, None)
    return disk.id


test_disk.__test__ = False  # a helper, not a test


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_the_drill_host_is_its_zone_and_whether_it_runs(cloud, provider):
    adapter = adapter_for(cloud, provider)
    dr_region, zone = CLOUDS[provider][3:5]
    running = seed_host(cloud, provider)
    stopped = seed_host(cloud, provider, name='stopped', state='stopped')
    host = adapter.drill.drill_host(dr_region, running)
    assert (host.id, host.region, host.zone, host.running, host.name) == (running, dr_region, zone, True, 'drill-host')
    assert host.cloud_state == {'cbs': 'RUNNING'}.get(provider, 'Running')
    host = adapter.drill.drill_host(dr_region, stopped)
    assert (host.running, host.cloud_state) == (False, {'cbs': 'STOPPED'}.get(provider, 'Stopped'))


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_missing_instance_is_not_found(cloud, provider):
    adapter = adapter_for(cloud, provider)
    source, dr_region = CLOUDS[provider][2:4]
    elsewhere = seed_host(cloud, provider, region=source, zone=None) if provider == 'ens' else None
    for instance_id in ('i-nowhere1' if provider != 'cbs' else 'ins-nowhere', elsewhere):
        if instance_id is None:
            continue
        with pytest.raises(CloudError) as info:
            adapter.drill.drill_host(dr_region, instance_id)
        assert (info.value.kind, info.value.code, info.value.region) == (
            NOT_FOUND,
            'InvalidInstanceId.NotFound',
            dr_region,
        )
    # An attach to it is not found too.
    disk = test_disk(cloud, adapter, provider, copied_snapshot(cloud, adapter, provider))
    with pytest.raises(CloudError) as info:
        adapter.drill.attach_test_disk(dr_region, disk, 'i-nowhere1' if provider != 'cbs' else 'ins-nowhere')
    assert (info.value.kind, info.value.code) == (NOT_FOUND, 'InvalidInstanceId.NotFound')


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_attach_shows_the_instance_delete_waits_for_the_detach(cloud, provider):
    adapter = adapter_for(cloud, provider)
    dr_region = CLOUDS[provider][3]
    host = seed_host(cloud, provider)
    disk = test_disk(cloud, adapter, provider, copied_snapshot(cloud, adapter, provider))
    adapter.drill.attach_test_disk(dr_region, disk, host)
    (seen,) = adapter.drill.describe_test_disks(dr_region, [disk]).values()
    assert (seen.attached_to, seen.attachment) == (host, ATTACHING)
    cloud.admin.advance_clock(TIMINGS['attach_seconds'] + 1)
    (seen,) = adapter.drill.describe_test_disks(dr_region, [disk]).values()
    assert (seen.attached_to, seen.attachment, seen.device, seen.state) == (
        host,
        ATTACHED,
        FIRST_DEVICE[provider],
        USABLE,
    )
    # find_test_disks (the drill's leftovers) says the same.
    (found,) = [item for item in adapter.drill.find_test_disks(dr_region) if item.id == disk]
    assert (found.attached_to, found.attachment, found.device) == (host, ATTACHED, FIRST_DEVICE[provider])
    with pytest.raises(CloudError) as info:
        adapter.drill.delete_test_disk(dr_region, disk)
    assert info.value.code == REFUSED_WHILE_ATTACHED[provider]
    adapter.drill.detach_test_disk(dr_region, disk, host)
    (seen,) = adapter.drill.describe_test_disks(dr_region, [disk]).values()
    assert (seen.attached_to, seen.attachment) == (host, DETACHING)
    with pytest.raises(CloudError) as info:
        adapter.drill.delete_test_disk(dr_region, disk)
    assert info.value.code == REFUSED_WHILE_ATTACHED[provider]
    cloud.admin.advance_clock(TIMINGS['detach_seconds'] + 1)
    (seen,) = adapter.drill.describe_test_disks(dr_region, [disk]).values()
    assert (seen.attached_to, seen.attachment, seen.device) == (None, None, None)
    adapter.drill.delete_test_disk(dr_region, disk)
    assert disk not in adapter.drill.describe_test_disks(dr_region, [disk])
    assert not [item for item in adapter.drill.find_test_disks(dr_region) if item.id == disk]


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_the_attached_disk_holds_what_the_source_disk_held_until_it_is_detached(cloud, provider):
    adapter = adapter_for(cloud, provider)
    dr_region = CLOUDS[provider][3]
    host = seed_host(cloud, provider)
    disk = test_disk(cloud, adapter, provider, copied_snapshot(cloud, adapter, provider))
    device = cloud.devices / disk
    adapter.drill.attach_test_disk(dr_region, disk, host)
    assert not device.exists(), 'no file before the attach is over'
    cloud.admin.advance_clock(TIMINGS['attach_seconds'] + 1)
    assert device.read_bytes() == DATA
    adapter.drill.detach_test_disk(dr_region, disk, host)
    cloud.admin.advance_clock(TIMINGS['detach_seconds'] + 1)
    assert adapter.drill.describe_test_disks(dr_region, [disk])[disk].attachment is None
    assert not device.exists()


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_disk_made_from_a_corrupted_copy_holds_something_else(cloud, provider):
    adapter = adapter_for(cloud, provider)
    dr_region = CLOUDS[provider][3]
    host = seed_host(cloud, provider)
    copy = copied_snapshot(cloud, adapter, provider)
    cloud.admin.request('POST', 'corrupt', {'cloud': provider, 'snapshot_id': copy, 'offset': 3, 'length': 4})
    disk = test_disk(cloud, adapter, provider, copy)
    adapter.drill.attach_test_disk(dr_region, disk, host)
    cloud.admin.advance_clock(TIMINGS['attach_seconds'] + 1)
    held = (cloud.devices / disk).read_bytes()
    assert held != DATA and len(held) == len(DATA) and held[:3] == DATA[:3] and held[7:] == DATA[7:]
