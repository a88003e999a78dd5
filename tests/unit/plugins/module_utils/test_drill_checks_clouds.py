"""The drill's disks held for the user's checks (restore_test_host, dr/drill_host.py) on ECS, ENS and CBS, through the real
SDKs against fakecloud, whose attaches and detaches take time on its clock: the disk is made where the host is, held
attached with the source's data in the device directory, and a run killed during the checks leaves it for the first run
after its time, which detaches and deletes it; dr_drill_finish's cleanup does the same at once."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.cloud_clock import parse_stamp
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import RESTORE_HOST_TAG, RESTORE_UNTIL_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import DrillCleanup
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, retry_on
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
    return adapter_class.from_connection(dict(connection, endpoint_url=cloud.url), retry=retry_on())


def run(cloud, provider, host, now=None, dr_role=None):
    """One DR run with the drill that holds its disk on ``host``; with ``dr_role``, in that DR account's."""
    dummy, connection, source, dr_region, dummy, dummy = CLOUDS[provider]
    options = {
        'wait_timeout': 120,
        'poll_interval': 1,
        'restore_test': True,
        'restore_test_timeout': 60,
        'restore_test_host': {'instance_id': host, 'validate_timeout': 300},
    }
    if dr_role is not None:
        options['dr_account'] = {'role_arn': dr_role}
    return dr_run_with(
        adapter_for(cloud, provider),
        scope(provider, source, [dr_region], {'checks': 'yes'}, **options),
        connection=dict(connection, endpoint_url=cloud.url),  # where the DR account's role is assumed from
        clock=CloudMovingClock(cloud),
        **({'now': now} if now is not None else {}),
    )


def finish_arguments(cloud, provider, report, validation, **more):
    """dr_drill_finish's arguments for the drill of ``report`` (a run of ``run``) on ``provider``."""
    dummy, dummy, source, dr_region, dummy, dummy = CLOUDS[provider]
    return dict(
        {
            'provider': provider,
            'source_region': source,
            'dr_regions': [dr_region],
            'tag_selector': {'checks': 'yes'},
            'endpoint_url': cloud.url,
            'run_id': report['restore']['run_id'],
            'validation': validation,
        },
        **more,
    )


def cloud_time(cloud):
    """fakecloud's clock now."""
    return datetime.datetime.fromtimestamp(cloud.admin.advance_clock(0)['now'], datetime.timezone.utc)


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
    # Its controller's clock is ten days behind the cloud's: the disk's time is written by the cloud's (issue 60).
    first = run(cloud, provider, host, now=cloud_time(cloud) - datetime.timedelta(days=10))
    assert not first['failures'], first['failures']
    (held,) = first['restore']['held']
    assert held['attached_to'] == host and held['zone'] == zone
    assert (cloud.devices / held['test_disk_id']).read_bytes() == DATA
    disk = drill_disks(cloud, provider)[held['test_disk_id']]
    until = parse_stamp(disk['tags'][RESTORE_UNTIL_TAG])
    assert disk['tags'][RESTORE_HOST_TAG] == host
    assert 300 <= (until - cloud_time(cloud)).total_seconds() < 3 * 3600

    # Killed during the checks: a run before the disk's time leaves it attached, the first after it removes it. Judged
    # by the cloud's clock (moved to 30 s before the disk's time, then 30 s after), on controllers a day off the other
    # way. The SDKs sign with this machine's clock: the cloud takes signatures as far off as it is moved.
    cloud.admin.configure(alibaba_timestamp_window_seconds=86400, tencent_timestamp_window_seconds=86400)
    cloud.admin.advance_clock((until - datetime.timedelta(seconds=30) - cloud_time(cloud)).total_seconds())
    soon = run(cloud, provider, host, now=until + datetime.timedelta(days=1))
    assert (held['test_disk_id'], 'left_until') in [
        (record['test_disk_id'], record['action']) for record in soon['restore']['leftovers']
    ]
    assert (cloud.devices / held['test_disk_id']).exists()
    cloud.admin.advance_clock((until + datetime.timedelta(seconds=30) - cloud_time(cloud)).total_seconds())
    later = run(cloud, provider, host, now=until - datetime.timedelta(days=1))
    gone = {record['test_disk_id']: record['action'] for record in later['restore']['leftovers']}
    assert gone[held['test_disk_id']] == 'deleted', later['restore']['leftovers']
    assert held['test_disk_id'] not in drill_disks(cloud, provider)
    assert not (cloud.devices / held['test_disk_id']).exists()

    # The later run held its own disk: dr_drill_finish's cleanup detaches and deletes it at once.
    (own,) = later['restore']['held']
    clock = CloudMovingClock(cloud)
    warnings = []
    cleanup = DrillCleanup(
        adapter_for(cloud, provider).drill,
        retry_on(clock).until(clock.clock() + 600),
        run=later['restore']['run_id'],
        now=datetime.datetime.now(datetime.timezone.utc),
        check_mode=False,
        warnings=warnings,
    )
    assert [record['action'] for record in cleanup.delete_run(dr_region)] == ['deleted']
    # The run before it held one too, within its time still: left to its own end.
    (soon_held,) = soon['restore']['held']
    assert set(drill_disks(cloud, provider)) == {soon_held['test_disk_id']} and not warnings
    assert not (cloud.devices / own['test_disk_id']).exists()


def test_dr_drill_finish_runs_as_ansible_runs_it_plans_in_check_mode_and_changes_nothing_twice(cloud, tmp_path):
    """The module through ``ansible -m`` (its action, AnsibleModule, the SDK): check mode deletes nothing, the run
    detaches and deletes the held disk, a second run finds nothing and is not changed, and a run id that is no drill's
    fails before any call; the secret is in no result."""
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import (  # pylint: disable=import-outside-toplevel
        clean_environment,
        run_module,
    )
    from ansible_collections.snapcopy.cloud.tests.fakecloud import (  # pylint: disable=import-outside-toplevel
        credentials as fake,
    )

    source = CLOUDS['ecs'][2]
    cloud.admin.seed({'ecs': {'disks': [{'region': source, 'size': 20, 'tags': {'checks': 'yes'}, 'snapshots': 1}]}})
    report = run(cloud, 'ecs', seed_host(cloud, 'ecs'))
    (held,) = report['restore']['held']
    env = clean_environment(
        tmp_path, ALICLOUD_ACCESS_KEY=fake.ALIBABA_ACCESS_KEY_ID, ALICLOUD_SECRET_KEY=fake.ALIBABA_ACCESS_KEY_SECRET
    )
    args = finish_arguments(cloud, 'ecs', report, {'passed': True, 'seconds': 2.5})
    cloud.admin.calls(reset=True)
    planned = run_module('dr_drill_finish', args, env, check=True)
    assert not planned['failed'] and [disk['action'] for disk in planned['test_disks']] == ['would_delete']
    assert cloud.admin.calls()['total_mutations'] == 0 and held['test_disk_id'] in drill_disks(cloud, 'ecs')
    # fakecloud's detach and delete take their time on its clock: moved on as the module waits for them.
    cloud.admin.configure(timings={'ecs': dict(TIMINGS, attach_seconds=0, detach_seconds=0)})
    done = run_module('dr_drill_finish', args, env)
    assert done['changed'] is True and [disk['action'] for disk in done['test_disks']] == ['deleted'], done
    assert done['validation'] == {'state': 'passed', 'failed_task': None, 'message': None, 'seconds': 2.5}
    assert drill_disks(cloud, 'ecs') == {}
    again = run_module('dr_drill_finish', args, env)
    assert again['changed'] is False and again['test_disks'] == [] and not again['failed']
    cloud.admin.calls(reset=True)
    refused = run_module('dr_drill_finish', dict(args, run_id='yesterday'), env)
    assert refused['failed'] and 'run_id' in refused['msg'] and cloud.admin.calls()['total_calls'] == 0
    assert fake.ALIBABA_ACCESS_KEY_SECRET not in str([planned, done, again, refused])


def dr_accounts():
    """provider: (the DR account's role, its id, the disks' account's keys in the environment), for each drill cloud that
    takes a DR account (ENS refuses dr_account)."""
    from ansible_collections.snapcopy.cloud.tests.fakecloud import (  # pylint: disable=import-outside-toplevel
        credentials as fake,
    )

    return {
        'ecs': (
            fake.ALIBABA_DR_ROLE_ARN,
            fake.ALIBABA_DR_ACCOUNT_ID,
            {'ALICLOUD_ACCESS_KEY': fake.ALIBABA_ACCESS_KEY_ID, 'ALICLOUD_SECRET_KEY': fake.ALIBABA_ACCESS_KEY_SECRET},
        ),
        'cbs': (
            fake.TENCENT_DR_ROLE_ARN,
            fake.TENCENT_DR_UIN,
            {'TENCENTCLOUD_SECRET_ID': fake.TENCENT_SECRET_ID, 'TENCENTCLOUD_SECRET_KEY': fake.TENCENT_SECRET_KEY},
        ),
    }


@pytest.mark.parametrize('provider', ['cbs', 'ecs'])
def test_dr_drill_finish_deletes_the_held_disk_in_the_dr_account_and_leaves_the_disks_account_alone(
    cloud, tmp_path, provider
):
    """With ``dr_account``, the drill's disk is made in the DR account, where the copies and the host are. The module
    finishes the drill there, with the same role, and leaves the disks' own account alone: a disk there with the same
    run's name and tags (a person's, made as they saw the drill make its disk) stays. The keys are in no result."""
    from ansible_collections.snapcopy.cloud.tests.docs.helpers import (  # pylint: disable=import-outside-toplevel
        clean_environment,
        run_module,
    )

    role_arn, dr_account, secrets = dr_accounts()[provider]
    dummy, dummy, source, dr_region, dummy, dummy = CLOUDS[provider]
    cloud.admin.seed({provider: {'disks': [{'region': source, 'size': 20, 'tags': {'checks': 'yes'}, 'snapshots': 1}]}})
    report = run(cloud, provider, seed_host(cloud, provider, account=dr_account), dr_role=role_arn)
    assert not report['failures'], report['failures']
    (held,) = report['restore']['held']
    held_disk = drill_disks(cloud, provider)[held['test_disk_id']]
    assert held_disk['account'] == str(dr_account) and len(drill_disks(cloud, provider)) == 1
    person = {'region': dr_region, 'size': 20, 'name': held_disk['name'], 'tags': held_disk['tags']}
    theirs = cloud.admin.seed({provider: {'disks': [person]}})
    (theirs,) = theirs[provider]['disks']

    env = clean_environment(tmp_path, **secrets)
    validation = {'passed': False, 'reason': 'the file differs', 'failed_task': 'compare'}
    args = finish_arguments(cloud, provider, report, validation, dr_account={'role_arn': role_arn})
    # fakecloud's detach and delete take their time on its clock, which no one moves while the module waits.
    cloud.admin.configure(timings={provider: dict(TIMINGS, attach_seconds=0, detach_seconds=0)})
    planned = run_module('dr_drill_finish', args, env, check=True)
    assert [(disk['test_disk_id'], disk['action']) for disk in planned['test_disks']] == [
        (held['test_disk_id'], 'would_delete')
    ], planned
    assert set(drill_disks(cloud, provider)) == {held['test_disk_id'], theirs}
    done = run_module('dr_drill_finish', args, env)
    assert done['changed'] is True and [(disk['test_disk_id'], disk['action']) for disk in done['test_disks']] == [
        (held['test_disk_id'], 'deleted')
    ], done
    assert done['validation'] == {
        'state': 'failed',
        'failed_task': 'compare',
        'message': 'the file differs',
        'seconds': None,
    }
    assert set(drill_disks(cloud, provider)) == {theirs}
    assert not any(secret in str([planned, done]) for secret in secrets.values())


def test_dr_drill_finish_still_retries_a_throttled_delete_after_a_detach_that_took_most_of_the_grace(
    cloud, monkeypatch, capsys
):
    """dr_drill_finish retries its calls for twice the time the drill gives its disks to be deleted: a detach may take
    most of that time, and a delete the cloud throttles after it is still sent again until the cloud takes it. The module
    runs in this process, its backoff on a clock that moves fakecloud's, its jitter at its top (the longest waits)."""
    from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.drill import (  # pylint: disable=import-outside-toplevel
        DELETE_GRACE_SECONDS,
    )
    from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.drill_finish_module import (  # pylint: disable=import-outside-toplevel
        finish_module,
        run_finish_module,
    )
    from ansible_collections.snapcopy.cloud.tests.fakecloud import (  # pylint: disable=import-outside-toplevel
        credentials as fake,
    )
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_module_runner import (  # pylint: disable=import-outside-toplevel
        module_arguments,
    )

    source = CLOUDS['ecs'][2]
    cloud.admin.seed({'ecs': {'disks': [{'region': source, 'size': 20, 'tags': {'checks': 'yes'}, 'snapshots': 1}]}})
    report = run(cloud, 'ecs', seed_host(cloud, 'ecs'))
    (held,) = report['restore']['held']
    detach_seconds = 200
    cloud.admin.configure(timings={'ecs': dict(TIMINGS, detach_seconds=detach_seconds)})
    # Nine refusals: the tenth try, the backoff's last, is taken.
    cloud.admin.faults({'rules': [{'cloud': 'ecs', 'action': 'DeleteDisk', 'throttle_rate': 1.0, 'count': 9}]})
    monkeypatch.setenv('ALICLOUD_ACCESS_KEY', fake.ALIBABA_ACCESS_KEY_ID)
    monkeypatch.setenv('ALICLOUD_SECRET_KEY', fake.ALIBABA_ACCESS_KEY_SECRET)
    clock = CloudMovingClock(cloud)
    backoff = clock.backoff()
    backoff.rng = lambda: 1.0
    started = clock.now
    args = finish_arguments(cloud, 'ecs', report, {'passed': True})
    with module_arguments(args), pytest.raises(SystemExit):
        run_finish_module(finish_module(), backoff=backoff)
    result = json.loads(capsys.readouterr().out)
    assert [(disk['test_disk_id'], disk['action']) for disk in result['test_disks']] == [
        (held['test_disk_id'], 'deleted')
    ], result
    assert result['changed'] is True and result['failures'] == [] and result['api_retries'] == 9
    # The waits: the detach, then the delete's nine backoffs at their longest, past one grace and within two.
    waited = clock.now - started
    assert detach_seconds + 111 <= waited <= 2 * DELETE_GRACE_SECONDS and waited > DELETE_GRACE_SECONDS, clock.sleeps
    assert drill_disks(cloud, 'ecs') == {}
