"""docs/fleet.md's posture-only fleet run, as a reader runs it: `ansible-playbook snapcopy.cloud.dr_fleet -e
dr_fleet_posture_only=true` reads every scope's posture from the clouds (dr_posture_info), sends no call that changes
anything, and writes the fleet report of those reads; a scope whose read fails is a failed scope there, never drawn as
protected."""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import (
    DOCS,
    ansible_bin,
    clean_environment,
    dr_sync_in_process,
)
from ansible_collections.snapcopy.cloud.tests.docs.test_awx_credentials import load, render_injectors
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as fake


def fleet(inventory, env, tmp_path, *extra):
    command = [ansible_bin('ansible-playbook'), 'snapcopy.cloud.dr_fleet', '-i', str(inventory), *extra]
    return subprocess.run(command, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)


def test_a_posture_only_fleet_run_reads_each_scope_and_changes_nothing(fakecloud_clean, tmp_path):
    with open(os.path.join(DOCS, 'fleet.md'), encoding='utf-8') as handle:
        assert '-e dr_fleet_posture_only=true' in handle.read()
    fakecloud_clean.admin.configure(timings={'ecs': {'copy_seconds': 0.3, 'snapshot_seconds': 0.3}})
    # Two data disks of one instance, restored together (consistency_groups: instance): the run makes their group
    # snapshot and copies the set.
    fakecloud_clean.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'instance_id': 'i-shop01', 'size': 40, 'tags': {'backup': 'dr'}}] * 2}
    )
    # The DR copies the read finds: dr_sync's run in this process (a fleet run of ansible-playbook would make the same
    # copies, with seconds of CPU that a busy machine makes a minute). The run under test is the read below.
    made = dr_sync_in_process(
        provider='ecs',
        source_region='cn-hangzhou',
        dr_regions=['cn-shanghai'],
        tag_selector={'backup': 'dr'},
        consistency_groups='instance',
        max_snapshot_age_hours=24,
        wait=True,
        poll_interval=0.3,
        endpoint_url=fakecloud_clean.url,
        alicloud_access_key=fake.ALIBABA_ACCESS_KEY_ID,
        alicloud_secret_key=fake.ALIBABA_ACCESS_KEY_SECRET,
    )
    assert made['totals']['copied'] == 2 and not made['failures'], made['failures']
    reports = tmp_path / 'reports'
    inventory = tmp_path / 'fleet.yml'
    inventory.write_text(
        yaml.safe_dump(
            {
                'all': {
                    'children': {
                        'dr_scopes': {
                            'vars': {
                                'dr_copy_tag_selector': {'backup': 'dr'},
                                'dr_copy_report_dir': str(reports),
                                'dr_copy_connection_defaults': {'endpoint_url': fakecloud_clean.url},
                            },
                            'hosts': {
                                'ecs-shop': {
                                    'dr_copy_provider': 'ecs',
                                    'dr_copy_source_region': 'cn-hangzhou',
                                    'dr_copy_dr_regions': ['cn-shanghai'],
                                    'dr_copy_consistency_groups': 'instance',
                                },
                                # ENS has no way to share a snapshot with another account: its read is refused before any call.
                                'ens-edge': {
                                    'dr_copy_provider': 'ens',
                                    'dr_copy_source_region': 'cn-hangzhou-26',
                                    'dr_copy_dr_regions': ['cn-beijing-cmcc'],
                                    'dr_copy_dr_account': {'role_arn': fake.ALIBABA_DR_ROLE_ARN},
                                },
                            },
                        }
                    }
                }
            }
        ),
        encoding='utf-8',
    )
    env = clean_environment(
        tmp_path,
        **render_injectors(
            load('alicloud'), {'access_key': fake.ALIBABA_ACCESS_KEY_ID, 'secret_key': fake.ALIBABA_ACCESS_KEY_SECRET}
        ),
    )
    fakecloud_clean.admin.calls(reset=True)
    read = fleet(inventory, env, tmp_path, '-e', 'dr_fleet_posture_only=true')
    assert read.returncode != 0, read.stdout[-4000:]  # the ENS scope fails, after the fleet report
    assert fakecloud_clean.admin.calls()['total_mutations'] == 0
    assert 'Read the scope\'s DR posture' in read.stdout and 'The DR role' not in read.stdout
    with open(reports / 'dr-fleet-report.json', encoding='utf-8') as handle:
        report = json.load(handle)
    scopes = {scope['scope']: scope for scope in report['scopes']}
    assert report['failed_scopes'] == ['ens-edge'] and 'dr_account' in scopes['ens-edge']['error']
    shop = scopes['ecs-shop']
    assert shop['status'] == 'protected' and shop['run'] == 'finished' and shop['disks'] == 2
    assert shop['posture']['regions']['cn-shanghai']['within_rpo'] == 2 and shop['no_copy'] == 0
    # The read takes the scope's groups as its runs do: each disk stands by its group's set.
    assert [group['name'] for group in shop['groups']] == [made['disks'][0]['consistency_group']['name']], shop
