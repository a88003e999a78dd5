"""Issue 37 (f), end to end: dr_sync run by `ansible` against fakecloud, as a user runs it. A run that finished, one
that a cloud error ended before its report, and one killed with SIGKILL while it waits for the cloud: the report files
say what happened in each, and never show the earlier run's report as the current one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from ansible_collections.snapcopy.cloud.tests.docs.helpers import clean_environment, on_localhost
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

REGION = 'cn-hangzhou'


def command(cloud, report_dir, secret=credentials.ALIBABA_ACCESS_KEY_SECRET):
    args = {
        'provider': 'ecs',
        'source_region': REGION,
        'dr_regions': ['cn-shanghai'],
        'tag_selector': {'dr': 'yes'},
        'endpoint_url': cloud.url,
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': secret,
        'report_dir': report_dir,
        'report_name': 'shop',
        'wait': False,
    }
    return on_localhost('ansible', 'localhost', '-m', 'snapcopy.cloud.dr_sync', '-a', json.dumps(args))


def report(report_dir, previous=False):
    try:
        with open(
            os.path.join(report_dir, 'dr-report-shop%s.json' % ('.previous' if previous else '')), encoding='utf-8'
        ) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def test_finished_failed_and_killed_runs_each_leave_files_that_say_so(fakecloud_clean, tmp_path):
    fakecloud_clean.admin.seed(ecs={'disks': [{'region': REGION, 'tags': {'dr': 'yes'}, 'snapshots': 1}]})
    report_dir = str(tmp_path / 'reports')
    env = clean_environment(tmp_path)

    # 1. A run that finishes: its report.
    done = subprocess.run(
        command(fakecloud_clean, report_dir), env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:]
    finished = report(report_dir)
    assert finished['run_state'] == 'finished' and finished['totals']['copied'] == 1 and finished['run_id']

    # 2. A cloud error ends the next run before its report (a key the cloud refuses).
    done = subprocess.run(
        command(fakecloud_clean, report_dir, secret='not-the-secret'),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    failed = report(report_dir)
    assert failed['run_state'] == 'failed_before_report' and failed['run_id'] != finished['run_id']
    assert failed['error']['code'] and failed['error']['request_id'] and 'not-the-secret' not in json.dumps(failed)
    assert 'totals' not in failed and 'disks' not in failed
    assert report(report_dir, previous=True)['run_id'] == finished['run_id']

    # 3. A run killed (SIGKILL, no handler runs) while the cloud is slow to answer: its marker stays.
    fakecloud_clean.admin.faults(
        {'rules': [{'cloud': 'ecs', 'action': 'DescribeDisks', 'latency_ms': 60000, 'latency_rate': 1.0}]}
    )
    process = subprocess.Popen(
        command(fakecloud_clean, report_dir),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while (report(report_dir) or {}).get('run_state') != 'started':
            assert process.poll() is None and time.monotonic() < deadline, 'the run never wrote its marker'
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    fakecloud_clean.admin.faults({'rules': []})
    killed = report(report_dir)
    assert killed['run_state'] == 'started' and killed['run_id'] not in (finished['run_id'], failed['run_id'])
    assert 'has not finished' in killed['msg'] and 'totals' not in killed
    # The last finished report is still the history beside it: the failed run's files did not push it out.
    assert report(report_dir, previous=True)['run_id'] == finished['run_id'] == killed['previous_report']['run_id']
    with open(os.path.join(report_dir, 'dr-report-shop.html'), encoding='utf-8') as stream:
        assert 'data-run-state="started"' in stream.read()
