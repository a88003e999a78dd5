"""The drill's disks held for the user's checks (restore_test_host, dr/drill_host.py) on ECS, ENS and CBS, through the real
SDKs against fakecloud, whose attaches and detaches take time on its clock: the disk is made where the host is, held
attached with the source's data in the device directory, and a run killed during the checks leaves it for the first run
after its time, which detaches and deletes it; dr_drill_finish's cleanup does the same at once."""

from __future__ import annotations

import base64
import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_HOST_TAG, RESTORE_UNTIL_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.restore import DrillCleanup, _stamp_time
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import default_backoff
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_drill_host_clouds import (
    CLOUDS,
    TIMINGS,
    seed_host,
)

DATA = b'the known file, as the source disk held it'


@pytest.fixture
def cloud(fakecloud_clean, tmp_path):
    fakecloud_clean.admin.configure(
        device_dir=str(tmp_path), timings={name: dict(TIMINGS) for name in ('ecs', 'ens', 'cbs')}
    )
    fakecloud_clean.devices = tmp_path
    return fakecloud_clean


def adapter_for(cloud, provider):
    adapter_class, connection = CLOUDS[provider][:2]
    return adapter_class.from_connection(dict(connection, endpoint_url=cloud.url), retry=CallRetry(default_backoff()))


def run(cloud, provider, host, now=None):
    dummy, dummy, source, dr_region, dummy, dummy = CLOUDS[provider]
    options = {
        'wait_timeout': 120,
        'poll_interval': 1,
        'restore_test': True,
        'restore_test_timeout': 60,
        'restore_test_host': {'instance_id': host, 'validate_timeout': 300},
    }
    return dr_run_with(
        adapter_for(cloud, provider),
        scope(provider, source, [dr_region], {'checks': 'yes'}, **options),
        clock=CloudMovingClock(cloud),
        **({'now': now} if now is not None else {}),
    )


def drill_disks(cloud, provider):
    region = CLOUDS[provider][3]
    found = cloud.admin.state(cloud=provider, region=region)[provider].get(region, {}).get('disks', [])
    return {disk['id']: disk for disk in found if RESTORE_HOST_TAG in (disk.get('tags') or {})}


@pytest.mark.parametrize('provider', sorted(CLOUDS))
def test_a_held_disk_is_the_sources_data_and_a_killed_runs_disk_goes_after_its_time(cloud, provider):
    dummy, dummy, source, dr_region, zone, dummy = CLOUDS[provider]
    data = base64.b64encode(DATA).decode()
    cloud.admin.seed(
        {
            provider: {
                'disks': [
                    {
                        'region': source,
                        'size': 20,
                        'tags': {'checks': 'yes'},
                        'data': data,
                        'snapshots': [{'data': data}],
                    }
                ]
            }
        }
    )
    host = seed_host(cloud, provider)
    first = run(cloud, provider, host)
    assert not first['failures'], first['failures']
    (held,) = first['restore']['held']
    assert held['attached_to'] == host and held['zone'] == zone
    assert (cloud.devices / held['test_disk_id']).read_bytes() == DATA
    disk = drill_disks(cloud, provider)[held['test_disk_id']]
    until = _stamp_time(disk['tags'][RESTORE_UNTIL_TAG])
    assert disk['tags'][RESTORE_HOST_TAG] == host

    # Killed during the checks: a run before the disk's time leaves it attached, the first after it removes it.
    soon = run(cloud, provider, host, now=until - datetime.timedelta(seconds=30))
    assert (held['test_disk_id'], 'left_until') in [
        (record['test_disk_id'], record['action']) for record in soon['restore']['leftovers']
    ]
    assert (cloud.devices / held['test_disk_id']).exists()
    later = run(cloud, provider, host, now=until + datetime.timedelta(seconds=30))
    gone = {record['test_disk_id']: record['action'] for record in later['restore']['leftovers']}
    assert gone[held['test_disk_id']] == 'deleted', later['restore']['leftovers']
    assert held['test_disk_id'] not in drill_disks(cloud, provider)
    assert not (cloud.devices / held['test_disk_id']).exists()

    # The later run held its own disk: dr_drill_finish's cleanup detaches and deletes it at once.
    (own,) = later['restore']['held']
    clock = CloudMovingClock(cloud)
    warnings = []
    cleanup = DrillCleanup(
        adapter_for(cloud, provider),
        CallRetry(default_backoff()).until(clock.clock() + 600),
        run=later['restore']['run_id'],
        now=datetime.datetime.now(datetime.timezone.utc),
        check_mode=False,
        clock=clock.clock,
        sleep=clock.sleep,
        warnings=warnings,
    )
    assert [record['action'] for record in cleanup.delete_run(dr_region)] == ['deleted']
    # The run before it held one too, within its time still: left to its own end.
    (soon_held,) = soon['restore']['held']
    assert set(drill_disks(cloud, provider)) == {soon_held['test_disk_id']} and not warnings
    assert not (cloud.devices / own['test_disk_id']).exists()
