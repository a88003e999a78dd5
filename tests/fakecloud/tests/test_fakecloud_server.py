"""The server as a whole: start-up, admin API, seeding speed, many concurrent SDK clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from aliyunsdkecs.request.v20140526 import DescribeSnapshotsRequest
from tencentcloud.cbs.v20170312 import cbs_client, models

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import (
    alibaba_call,
    alibaba_client,
    ecs_copy_request,
    tencent_client,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminError, FakeCloudProcess

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_cli_prints_exactly_one_ready_line():
    env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    proc = subprocess.Popen(
        [sys.executable, '-m', 'fakecloud', '--port', '0'], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith('FAKECLOUD_READY http://127.0.0.1:') and line.endswith('\n')
        assert int(line.rsplit(':', 1)[1]) > 0
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ''
        proc.stdout.close()


def test_process_with_config_file_and_cleanup_on_error(tmp_path):
    config = tmp_path / 'fakecloud.yml'
    config.write_text(
        'credentials:\n'
        '  alibaba:\n'
        '    - {access_key_id: LTAIfromfile, access_key_secret: file-secret}\n'
        'timings:\n'
        '  ecs: {snapshot_seconds: 1, copy_seconds: 1}\n'
        'faults:\n'
        '  seed: 3\n'
        '  broken_regions: {ens: [cn-wuhan-telecom]}\n'
        'seed:\n'
        '  ecs:\n'
        '    disks: [{region: cn-hangzhou, snapshots: 2}]\n',
        encoding='utf-8',
    )
    with pytest.raises(ZeroDivisionError), FakeCloudProcess(config_path=str(config)) as cloud:
        proc = cloud.process
        client = alibaba_client(access_key_id='LTAIfromfile', secret='file-secret')
        answer = alibaba_call(cloud.endpoint, client, DescribeSnapshotsRequest.DescribeSnapshotsRequest())
        assert answer['TotalCount'] == 2
        assert cloud.admin.config()['timings']['ecs']['copy_seconds'] == 1
        assert cloud.admin.faults()['broken_regions']['ens'] == ['cn-wuhan-telecom']
        cloud.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou'}]})
        cloud.admin.reset()  # back to the file's seed, not empty
        assert sum(len(r['snapshots']) for r in cloud.admin.state('ecs')['ecs'].values()) == 2
        raise ZeroDivisionError('the test body fails')
    assert proc.poll() is not None and cloud.process is None


def test_admin_endpoints(fc):
    admin = fc.admin
    assert admin.health() == {'ok': True}
    admin.seed({'ens': {'disks': [{'region': 'cn-hangzhou-26', 'snapshots': 1}]}})
    state = admin.state()
    assert set(state) >= {'ecs', 'ens', 'cbs', 'now'}
    assert state['ens']['cn-hangzhou-26']['snapshots'][0]['status'] == 'available'
    assert admin.faults(rules=[{'cloud': 'ecs', 'action': 'Describe*', 'latency_ms': 1}])['rules']
    assert admin.faults({'seed': 9}, merge=True)['rules']  # merge keeps the rules
    assert admin.faults({})['rules'] == []
    with pytest.raises(AdminError):
        admin.faults(rules=[{'cloud': 'ecs', 'bogus': 1}])
    with pytest.raises(AdminError):
        admin.seed(ecs={'disks': [{'snapshots': 1}]})  # no region
    with pytest.raises(AdminError):
        admin.request('GET', 'nothing-here')
    frozen = admin.request('GET', 'clock')
    assert frozen['frozen'] and admin.request('GET', 'clock')['now'] == frozen['now']
    assert admin.advance_clock(5)['now'] == frozen['now'] + 5
    assert not admin.freeze_clock(False)['frozen']
    admin.reset(keep_config=True)
    assert admin.config()['timings']['ecs']['snapshot_seconds'] == 10
    assert not admin.request('GET', 'clock')['frozen']  # a reset starts the clock again
    admin.reset()
    assert admin.config()['timings']['ecs']['snapshot_seconds'] == 2.0
    assert admin.state()['ens'] == {}


def test_calls_report_counts_and_mutation_log(fc):
    source = fc.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]})['ecs']['snapshots'][0]
    client = alibaba_client()
    alibaba_call(fc.endpoint, client, DescribeSnapshotsRequest.DescribeSnapshotsRequest())
    req = ecs_copy_request(source, 'cn-shanghai')
    copy_id = alibaba_call(fc.endpoint, client, req)['SnapshotId']
    report = fc.admin.calls()
    assert report['calls']['ecs']['DescribeSnapshots'] == {'calls': 1, 'errors': 0, 'mutations': 0}
    assert report['mutating'] == {'ecs': {'CopySnapshot': 1}} and report['total_calls'] == 2
    entry = report['log'][0]
    assert entry['action'] == 'CopySnapshot' and entry['region'] == 'cn-shanghai'
    assert entry['params']['SnapshotId'] == source and 'Signature' not in entry['params']
    assert entry['result'] == {'SnapshotId': copy_id} and entry['answer_lost'] is False
    assert fc.admin.calls(reset=True)['total_calls'] == 0


def cpu_seconds(pid):
    """The CPU time (user and system) of process ``pid`` so far: what a busy machine's other work does not add to."""
    with open('/proc/%d/stat' % pid, encoding='ascii') as stream:
        fields = stream.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def test_seeding_a_thousand_disks_is_fast(fc):
    """Timed in the emulator's CPU time, not the wall clock: on a busy machine seeding waits for a CPU (issue 39)."""
    disks = [{'region': 'cn-hangzhou', 'tags': {'dr': 'yes', 'n': str(i)}, 'snapshots': 2} for i in range(1000)]
    started = cpu_seconds(fc.process.pid)
    created = fc.admin.seed(ecs={'disks': disks})
    spent = cpu_seconds(fc.process.pid) - started
    assert len(created['ecs']['disks']) == 1000 and len(created['ecs']['snapshots']) == 2000
    assert spent < 1.0, 'seeding took %.2f CPU s' % spent
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    req.set_MaxResults(100)
    assert alibaba_call(fc.endpoint, alibaba_client(), req)['TotalCount'] == 2000


def test_fifty_concurrent_clients(fc):
    created = fc.admin.seed(
        ecs={'disks': [{'region': 'cn-hangzhou', 'snapshots': 1} for dummy in range(50)]},
        cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1} for dummy in range(50)]},
    )
    errors, copies = [], []
    barrier = threading.Barrier(50)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            if index % 2:
                client = alibaba_client()
                for dummy in range(3):
                    alibaba_call(fc.endpoint, client, DescribeSnapshotsRequest.DescribeSnapshotsRequest())
                req = ecs_copy_request(created['ecs']['snapshots'][index], 'cn-beijing')
                copies.append(alibaba_call(fc.endpoint, client, req)['SnapshotId'])
            else:
                client = tencent_client(cbs_client.CbsClient, fc.endpoint, 'ap-guangzhou')
                for dummy in range(3):
                    client.DescribeSnapshots(models.DescribeSnapshotsRequest())
                req = models.CopySnapshotCrossRegionsRequest()
                req.SnapshotId = created['cbs']['snapshots'][index]
                req.DestinationRegions = ['ap-beijing']
                copies.append(client.CopySnapshotCrossRegions(req).SnapshotCopyResultSet[0].SnapshotId)
        except Exception as exc:  # pylint: disable=broad-except  # collected and asserted on below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(set(copies)) == 50
    report = fc.admin.calls()
    assert report['total_calls'] == 200 and report['total_mutations'] == 50
    assert json.dumps(report['mutating'], sort_keys=True) == json.dumps(
        {'cbs': {'CopySnapshotCrossRegions': 25}, 'ecs': {'CopySnapshot': 25}}, sort_keys=True
    )


def test_a_seed_that_names_its_disk_makes_it_once(fakecloud_clean):
    """docs/quickstart.md's playbook seeds its disk by id at every run, --check first: the second seed makes nothing and
    answers the disk and its snapshot as the first did, so the rerun finds its copies and changes nothing."""
    disk = {'id': 'd-quickstart0000000001', 'region': 'cn-hangzhou', 'tags': {'dr': 'yes'}, 'snapshots': 1}
    first = fakecloud_clean.admin.seed(ecs={'disks': [disk]})
    fakecloud_clean.admin.seed(ecs={'snapshots': [{'region': 'cn-shanghai', 'disk_id': disk['id'], 'is_copy': True}]})
    again = fakecloud_clean.admin.seed(ecs={'disks': [disk]})
    assert again == first and first['ecs']['disks'] == [disk['id']] and len(first['ecs']['snapshots']) == 1
    state = fakecloud_clean.admin.state(cloud='ecs')['ecs']
    assert [item['id'] for item in state['cn-hangzhou']['disks']] == [disk['id']]
    assert len(state['cn-hangzhou']['snapshots']) == 1


def test_malformed_seed_is_refused_with_400(fakecloud_clean):
    request = urllib.request.Request(
        fakecloud_clean.url + '/_admin/seed',
        data=json.dumps({'ecs': {'disks': ['not-a-disk']}}).encode(),
        headers={'Content-Type': 'application/json'},
        method='POST',
    )
    try:
        urllib.request.urlopen(request, timeout=10)  # pylint: disable=consider-using-with
        raise AssertionError('a malformed seed was accepted')
    except urllib.error.HTTPError as error:
        assert error.code == 400
        assert 'AttributeError' in json.loads(error.read())['error']


def test_an_emulator_started_for_a_process_ends_when_that_process_ends_without_stopping_it(tmp_path):
    """As under ansible-test units, whose forked test processes end without the session fixture's teardown."""
    pid_file = tmp_path / 'pid'
    script = (
        'import os, sys\nsys.path.insert(0, %r)\nfrom fakecloud.testing import FakeCloudProcess\n'
        'cloud = FakeCloudProcess().start()\nopen(%r, "w").write(str(cloud.process.pid))\nos._exit(0)\n'
        % (TESTS_DIR, str(pid_file))
    )
    subprocess.run([sys.executable, '-c', script], check=True, timeout=60)
    emulator = int(pid_file.read_text())
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with open('/proc/%d/stat' % emulator, encoding='utf-8') as stat:
                if stat.read().split(') ')[-1].startswith('Z'):
                    break  # a zombie: it has ended
        except FileNotFoundError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError('fakecloud (pid %d) outlived the process that started it' % emulator)
