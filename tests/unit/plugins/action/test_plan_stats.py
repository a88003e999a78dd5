"""Issue 64, AWX: the plan's totals in the stats the jobs publish (AWX keeps them as the job's artifacts and hands them to
a workflow's next nodes). The fleet playbook (snapcopy.cloud.dr_fleet), in check mode, by ansible-playbook as a job runs
it against fakecloud (the real SDKs over HTTP), over two scopes: one that plans its copies and one that fails before it
could plan. Each scope's dr_copy_runs entry carries its report's plan in short, and dr_fleet the fleet report's sums: a
sum with a price not known, or a scope without a plan, says it is not complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import plan_totals
from ansible_collections.snapcopy.cloud.tests.docs.helpers import ansible_bin
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_role_arguments import COLLECTIONS_ROOT

GIB = 2**30


def fleet_inventory(url, reports):
    alibaba = {
        'endpoint_url': url,
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
    }
    return {
        'all': {
            'vars': {'ansible_python_interpreter': sys.executable},
            'children': {
                'dr_scopes': {
                    'vars': {
                        'dr_copy_provider': 'ecs',
                        'dr_copy_source_region': 'cn-hangzhou',
                        'dr_copy_tag_selector': {'plan-stats': 'yes'},
                        'dr_copy_connection_defaults': alibaba,
                        'dr_copy_report_dir': reports,
                        'dr_copy_show_report': False,
                    },
                    'hosts': {
                        'ecs-plan': {'dr_copy_dr_regions': ['cn-shanghai', 'cn-beijing']},
                        # dr_regions missing: the scope fails before it plans.
                        'ecs-broken': {},
                    },
                }
            },
        }
    }


def test_the_stats_carry_each_scopes_plan_and_the_fleets_sums(fakecloud_clean, tmp_path):
    fakecloud_clean.admin.seed(
        ecs={
            'disks': [
                {'region': 'cn-hangzhou', 'size': size, 'tags': {'plan-stats': 'yes'}, 'snapshots': 1}
                for size in (20, 40)
            ]
        }
    )
    reports = tmp_path / 'reports'
    (tmp_path / 'fleet.json').write_text(json.dumps(fleet_inventory(fakecloud_clean.url, str(reports))))
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
        ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default',
        ANSIBLE_CALLBACK_RESULT_FORMAT='json',
        ANSIBLE_SHOW_CUSTOM_STATS='1',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
    )
    done = subprocess.run(
        [ansible_bin('ansible-playbook'), 'snapcopy.cloud.dr_fleet', '-i', 'fleet.json', '--check'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    # The broken scope fails the play, after the fleet report and its stats.
    assert done.returncode == 2, output[-4000:]
    (line,) = [line for line in done.stdout.splitlines() if line.strip().startswith('RUN: ')]
    stats = json.loads(line.strip()[len('RUN: ') :])

    report = json.loads((reports / 'dr-plan-ecs-plan.json').read_text())
    plan = plan_totals(report['plan'])
    # Two disks, each copied in full to two regions: 120 GiB; Alibaba's transfer has no price in the collection.
    assert (plan['full'], plan['bytes']) == (4, 120 * GIB) and plan['monthly'] > 0 and not plan['once_complete']
    expected = {
        key: plan[key] for key in ('monthly', 'complete', 'monthly_complete', 'once_complete', 'full', 'preflight')
    }
    # Its once has nothing priced: not known, null, never 0.
    expected['once'] = None
    assert stats['dr_copy_runs']['ecs-plan']['plan'] == expected
    assert 'ecs-broken' not in stats['dr_copy_runs']

    fleet = json.loads((reports / 'dr-fleet-plan.json').read_text())
    assert fleet['plan']['without_plan'] == ['ecs-broken']
    # The fleet's sums are the one plan's, and not complete: a scope has no plan and a price is not known.
    assert stats['dr_fleet']['plan'] == dict(expected, complete=False, monthly_complete=False, once_complete=False)
    assert fleet['plan']['monthly'] == plan['monthly'] and 'ecs-broken: no plan' in fleet['plan']['unpriced']
