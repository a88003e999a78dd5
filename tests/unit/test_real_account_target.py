"""The real-account integration target (tests/integration/targets/real_account), checked without network.

- the dry run of the example config makes exactly the expected calls for each cloud, every call's
  parameters are ones the vendor's model knows (fakecloud.vendor for Alibaba and Tencent, botocore's
  validator for AWS), and the dry run's placeholder answers conform to the vendors' answer models;
- the run-id filter of the cleanup never selects a resource without a run id at the start of a label;
- bad config fails naming the key, and never shows a secret;
- runme.sh refuses without a config, and without i_understand_this_costs_money: true; its dry run of
  the example config runs end to end.
"""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, strategies as st

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.path.join(REPO, 'tests', 'integration', 'targets', 'real_account')
EXAMPLE = os.path.join(TARGET, 'real-account.example.yml')
sys.path.insert(0, os.path.join(TARGET, 'files'))

# pylint: disable=wrong-import-position,import-error
import real_account
import real_account_api
import real_account_clouds
import real_account_config
from real_account_api import CallLog, DryRunClient
from real_account_config import ConfigError, Resource, leftovers, of_run, run_id_of

RUN = 'snapcopy-it-20250102T030405Z-a1b2c3'
EXAMPLE_SECRET = 'example-secret-that-is-never-printed'
CALL = re.compile(r'^would call (\w+) (\S+) (\w+) (\{.*\})$')

# What the dry run of each cloud of the example config calls: (region, action), in order.
SETUP = {
    'aws': [('us-east-1', 'CreateVolume'), ('us-east-1', 'DescribeVolumes'), ('us-east-1', 'CreateSnapshot'),
            ('us-east-1', 'DescribeSnapshots')],
    'ecs': [('cn-hangzhou', 'DescribeInstances'), ('cn-hangzhou', 'CreateDisk'), ('cn-hangzhou', 'DescribeDisks'),
            ('cn-hangzhou', 'AttachDisk'), ('cn-hangzhou', 'DescribeDisks'), ('cn-hangzhou', 'CreateSnapshot'),
            ('cn-hangzhou', 'DescribeSnapshots'), ('cn-hangzhou', 'DetachDisk'), ('cn-hangzhou', 'DescribeDisks')],
    'ens': [('cn-hangzhou-26', 'CreateDisk'), ('cn-hangzhou-26', 'DescribeDisks'), ('cn-hangzhou-26', 'CreateSnapshot'),
            ('cn-hangzhou-26', 'DescribeSnapshots')],
    'cbs': [('ap-guangzhou', 'DescribeDiskConfigQuota'), ('ap-guangzhou', 'CreateDisks'), ('ap-guangzhou', 'DescribeDisks'),
            ('ap-guangzhou', 'CreateSnapshot'), ('ap-guangzhou', 'DescribeSnapshots')],
}
# The cleanup lists the source and DR regions, then deletes the DR copy, the snapshot and the disk.
CLEANUP = {
    'aws': [('us-east-1', 'DescribeVolumes'), ('us-west-2', 'DescribeSnapshots'), ('us-east-1', 'DescribeSnapshots'),
            ('us-west-2', 'DeleteSnapshot'), ('us-east-1', 'DeleteSnapshot'), ('us-east-1', 'DeleteVolume')],
    'ecs': [('cn-hangzhou', 'DescribeDisks'), ('cn-shanghai', 'DescribeSnapshots'), ('cn-hangzhou', 'DescribeSnapshots'),
            ('cn-shanghai', 'DeleteSnapshot'), ('cn-hangzhou', 'DeleteSnapshot'), ('cn-hangzhou', 'DeleteDisk')],
    'ens': [('cn-hangzhou-26', 'DescribeDisks'), ('cn-beijing-cmcc', 'DescribeSnapshots'), ('cn-hangzhou-26', 'DescribeSnapshots'),
            ('cn-beijing-cmcc', 'DeleteSnapshot'), ('cn-hangzhou-26', 'DeleteSnapshot'), ('cn-hangzhou-26', 'DeleteDisk')],
    'cbs': [('ap-guangzhou', 'DescribeDisks'), ('ap-shanghai', 'DescribeSnapshots'), ('ap-guangzhou', 'DescribeSnapshots'),
            ('ap-shanghai', 'DeleteSnapshots'), ('ap-guangzhou', 'DeleteSnapshots'), ('ap-guangzhou', 'TerminateDisks')],
}
# The disk each setup makes: the smallest of a cheap category (the CBS size is the placeholder of
# DescribeDiskConfigQuota's answer; a real run takes the cloud's MinDiskSize).
DISKS = {
    'aws': ('CreateVolume', {'Size': 1, 'VolumeType': 'gp3', 'AvailabilityZone': 'us-east-1a'}),
    'ecs': ('CreateDisk', {'Size': 1, 'DiskCategory': 'cloud_essd', 'PerformanceLevel': 'PL0'}),
    'ens': ('CreateDisk', {'Size': '20', 'Category': 'cloud_efficiency', 'InstanceChargeType': 'PostPaid'}),
    'cbs': ('CreateDisks', {'DiskSize': 10, 'DiskType': 'CLOUD_PREMIUM', 'DiskChargeType': 'POSTPAID_BY_HOUR'}),
}


def run_helper(*argv):
    """real_account.py's main, in this process: (exit code, [(cloud, region, action, params)], stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = real_account.main(list(argv))
    calls = [(m.group(1), m.group(2), m.group(3), json.loads(m.group(4))) for m in map(CALL.match, err.getvalue().splitlines()) if m]
    return code, calls, err.getvalue()


@pytest.fixture(name='dry_runs', scope='module')
def fixture_dry_runs():
    """Every call of the example config's dry run, per cloud and phase (setup, cleanup)."""
    runs = {}
    for cloud in SETUP:
        for phase in ('setup', 'cleanup'):
            code, calls, output = run_helper(phase, EXAMPLE, '--cloud', cloud, '--run-id', RUN, '--dry-run')
            assert code == 0, output
            runs[cloud, phase] = calls
    return runs


# ---------------------------------------------------------------------------------- the dry run
@pytest.mark.parametrize('cloud', sorted(SETUP))
def test_dry_run_makes_exactly_the_expected_calls(dry_runs, cloud):
    assert [(region, action) for dummy, region, action, dummy_params in dry_runs[cloud, 'setup']] == SETUP[cloud]
    assert [(region, action) for dummy, region, action, dummy_params in dry_runs[cloud, 'cleanup']] == CLEANUP[cloud]
    assert {called for called, dummy, dummy_action, dummy_params in dry_runs[cloud, 'setup'] + dry_runs[cloud, 'cleanup']} == {cloud}


@pytest.mark.parametrize('cloud', sorted(SETUP))
def test_the_disk_is_the_smallest_of_a_cheap_category_and_everything_made_carries_the_run_id(dry_runs, cloud):
    calls = dry_runs[cloud, 'setup']
    action, wanted = DISKS[cloud]
    created = next(params for dummy, dummy_region, called, params in calls if called == action)
    assert {key: created[key] for key in wanted} == wanted
    for dummy, dummy_region, called, params in calls:
        if called.startswith('Create'):
            assert RUN in json.dumps(params), '%s %s does not name the run' % (cloud, called)


def flat_alibaba_names(params):
    """Wire names with repeat indices written N, as fakecloud.vendor.alibaba.wire_parameters gives them."""
    return {re.sub(r'(?<=\.)\d+(?=\.|$)', 'N', name) for name in params}


def flat_tencent_names(params, prefix=''):
    """Field names with nested ones as dotted paths without indices, as fakecloud.vendor.tencent.request_fields gives them."""
    names = set()
    for name, value in params.items():
        names.add(prefix + name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                names |= flat_tencent_names(item, prefix + name + '.')
    return names


@pytest.mark.parametrize('cloud', ['ecs', 'ens', 'cbs'])
def test_every_parameter_is_in_the_vendor_model(dry_runs, cloud):
    for phase in ('setup', 'cleanup'):
        for dummy, dummy_region, action, params in dry_runs[cloud, phase]:
            if cloud == 'cbs':
                from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import tencent  # pylint: disable=import-outside-toplevel
                unknown = flat_tencent_names(params) - tencent.request_fields('cbs', action)
                missing = set()
            else:
                from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba  # pylint: disable=import-outside-toplevel
                names = flat_alibaba_names(params)
                unknown = names - alibaba.wire_parameters(cloud, action)
                missing = alibaba.required_parameters(cloud, action) - names
            assert not unknown, '%s %s: not in the vendor model: %s' % (cloud, action, sorted(unknown))
            assert not missing, '%s %s: the vendor model requires %s' % (cloud, action, sorted(missing))


def test_every_aws_call_validates_against_botocores_ec2_model(dry_runs):
    import botocore.session  # pylint: disable=import-outside-toplevel
    from botocore.validate import validate_parameters  # pylint: disable=import-outside-toplevel
    model = botocore.session.get_session().get_service_model('ec2')
    for phase in ('setup', 'cleanup'):
        for dummy, dummy_region, action, params in dry_runs['aws', phase]:
            validate_parameters(params, model.operation_model(action).input_shape)  # raises on any problem


@pytest.mark.parametrize('cloud', ['ecs', 'ens', 'cbs'])
def test_the_placeholder_answers_conform_to_the_vendor_answer_models(dry_runs, cloud):
    from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, tencent  # pylint: disable=import-outside-toplevel
    client = DryRunClient(cloud, CallLog(True, stream=sys.stderr), RUN)
    for phase in ('setup', 'cleanup'):
        for dummy, region, action, params in dry_runs[cloud, phase]:
            answer = client.call(action, region, params)
            problems = tencent.check_response('cbs', action, answer) if cloud == 'cbs' else alibaba.check_answer(cloud, action, answer)
            assert problems == [], '%s %s: %s' % (cloud, action, problems)


def test_a_dry_run_of_the_leftovers_only_lists():
    code, calls, dummy = run_helper('cleanup-leftovers', EXAMPLE, '--dry-run')
    assert code == 0
    assert calls and all(action.startswith('Describe') for dummy_cloud, dummy_region, action, dummy_params in calls)


@pytest.mark.parametrize('api_region, endpoint', [(None, 'ens.aliyuncs.com'), ('cn-hangzhou', 'ens.aliyuncs.com'),
                                                  ('ap-southeast-1', 'ens.ap-southeast-1.aliyuncs.com')])
def test_the_ens_endpoint_is_the_sites_as_the_vendors_v2_sdk_picks_it(monkeypatch, api_region, endpoint):
    for variable in real_account_config.ENVIRONMENT['alicloud_region']:
        monkeypatch.delenv(variable, raising=False)
    settings = real_account_config.CloudSettings('ens', 'cn-hangzhou-26', 'cn-beijing-cmcc', {
        'alicloud_access_key': 'LTAI5tEXAMPLE', 'alicloud_secret_key': 'secret'}, alicloud_region=api_region)
    client = real_account_api.make_client(settings, CallLog(False, stream=sys.stderr), dry_run=False)
    assert client.endpoint('cn-beijing-cmcc') == endpoint


def test_secrets_are_masked():
    code, dummy_calls, output = run_helper('check', EXAMPLE, '--dry-run')
    assert code == 0
    assert EXAMPLE_SECRET not in output
    assert 'alicloud_secret_key=****' in output and 'alicloud_access_key=****0001' in output


# ---------------------------------------------------------------------------------- the run-id filter
def resource(*labels):
    return Resource('aws', 'snapshot', 'snap-1', 'us-east-1', labels)


def test_of_run_selects_only_labels_that_start_with_the_run_id():
    mine = [resource(RUN), resource(RUN + '-disk'), resource(RUN + ' DR copy'), resource('', None, RUN + '-copy')]
    others = [resource(RUN + '0'), resource(RUN[:-1]), resource('x' + RUN), resource(' ' + RUN), resource(RUN.upper()),
              resource('snapcopy-it-20250102T030405Z-a1b2c4'), resource('my-disk', 'DR copy of ' + RUN), resource()]
    assert of_run(mine + others, RUN) == mine


def test_of_run_refuses_what_is_not_a_run_id():
    for bad in ('', 'snapcopy-it', 'snapcopy-it-', RUN + 'x', 'snapcopy-it-2025-a1b2c3'):
        with pytest.raises(ValueError):
            of_run([resource(bad)], bad)


def test_leftovers_are_runs_older_than_the_limit_and_never_the_current_run():
    now = datetime.datetime(2025, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)
    old = 'snapcopy-it-20250101T000000Z-000001'
    young = 'snapcopy-it-20250102T110000Z-000002'
    found = [resource(old + '-disk'), resource(young), resource('snapcopy-it-20250101T000000Z'), resource('old-' + old),
             resource(RUN), resource(old, young)]
    assert leftovers(found, now, 6) == [found[0], found[4]]
    assert leftovers(found, now, 6, current_run=RUN) == [found[0]]
    assert leftovers(found, now, 48) == []


NEAR_MISSES = st.sampled_from(['', ' ', 'x', 'snapcopy-it', 'snapcopy-it-', 'Snapcopy-it-', 'snapcopy_it-', 'snapcopy-it-2025',
                               'snapcopy-it-20250102T030405Z-', 'snapcopy-it-20250102T030405-a1b2c3'])


@given(st.lists(st.one_of(st.none(), st.text(), st.builds(lambda head, tail: head + tail, NEAR_MISSES, st.text())), max_size=4))
def test_nothing_without_a_run_id_at_the_start_of_a_label_is_ever_selected(labels):
    found = [Resource('cbs', 'disk', 'disk-1', 'ap-guangzhou', tuple(labels))]
    now = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    if not any(run_id_of(label) for label in labels):
        assert of_run(found, RUN) == []
        assert leftovers(found, now, 0.001) == []
    for chosen in of_run(found, RUN) + leftovers(found, now, 0.001):
        assert any(isinstance(label, str) and label.startswith('snapcopy-it-') for label in chosen.labels)


def test_the_cleanup_deletes_only_the_runs_resources(monkeypatch):
    current = real_account_config.new_run_id()
    older = 'snapcopy-it-20200101T000000Z-0000aa'
    listed = [Resource('aws', 'disk', 'vol-mine', 'us-east-1', (current,)),
              Resource('aws', 'snapshot', 'snap-mine', 'us-west-2', (current, current + ' DR copy')),
              Resource('aws', 'snapshot', 'snap-older', 'us-east-1', (older,)),
              Resource('aws', 'snapshot', 'snap-foreign', 'us-east-1', ('backup of ' + older, 'prod')),
              Resource('aws', 'disk', 'vol-foreign', 'us-east-1', ())]
    monkeypatch.setattr(real_account_clouds.Aws, 'resources', lambda self: listed)
    code, calls, dummy = run_helper('cleanup', EXAMPLE, '--cloud', 'aws', '--run-id', current, '--dry-run')
    assert code == 0
    assert [(action, params) for dummy, dummy_region, action, params in calls] == [
        ('DeleteSnapshot', {'SnapshotId': 'snap-mine'}), ('DeleteVolume', {'VolumeId': 'vol-mine'})]
    code, calls, dummy = run_helper('cleanup-leftovers', EXAMPLE, '--dry-run')
    assert code == 0
    assert [(action, params) for cloud, dummy_region, action, params in calls if cloud == 'aws'] == [
        ('DeleteSnapshot', {'SnapshotId': 'snap-older'})]


def test_an_attached_ecs_disk_is_detached_before_it_is_deleted(monkeypatch):
    attached = Resource('ecs', 'disk', 'd-mine', 'cn-hangzhou', (RUN,), 'In_use', 'i-bp1exampleinstance0')
    monkeypatch.setattr(real_account_clouds.Ecs, 'resources', lambda self: [attached])
    code, calls, dummy = run_helper('cleanup', EXAMPLE, '--cloud', 'ecs', '--run-id', RUN, '--dry-run')
    assert code == 0
    assert [action for dummy, dummy_region, action, dummy_params in calls] == ['DetachDisk', 'DescribeDisks', 'DeleteDisk']
    assert calls[0][3] == {'InstanceId': 'i-bp1exampleinstance0', 'DiskId': 'd-mine'}


# ---------------------------------------------------------------------------------- the config
def example():
    with open(EXAMPLE, encoding='utf-8') as stream:
        return yaml.safe_load(stream)


def changed(path, value):
    data = example()
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize('path, value, key', [
    (('i_understand_this_costs_money',), False, 'i_understand_this_costs_money'),
    (('i_understand_this_costs_money',), None, 'i_understand_this_costs_money'),
    (('i_understand_this_costs_money',), 'yes', 'i_understand_this_costs_money'),
    (('i_understand_this_cost_money',), True, 'i_understand_this_cost_money'),
    (('clouds',), {}, 'clouds'),
    (('clouds', 'gce'), {}, 'clouds.gce'),
    (('clouds', 'aws', 'zone'), 'us-west-2a', 'clouds.aws.zone'),
    (('clouds', 'aws', 'dr_region'), 'us-east-1', 'clouds.aws.dr_region'),
    (('clouds', 'ecs', 'instance_id'), None, 'clouds.ecs.instance_id'),
    (('clouds', 'ens', 'source_region'), 'cn-hangzhou', 'clouds.ens.source_region'),
    (('clouds', 'cbs', 'zone'), None, 'clouds.cbs.zone'),
    (('clouds', 'ecs', 'credentials'), {'alicloud_access_key': 'LTAI5t0000', 'secret_key': EXAMPLE_SECRET}, 'clouds.ecs.credentials'),
    (('clouds', 'ecs', 'credentials', 'alicloud_secret_key'), '', 'clouds.ecs.credentials.alicloud_secret_key'),
    (('wait_timeout_minutes',), 0, 'wait_timeout_minutes'),
])
def test_bad_config_fails_naming_the_key_and_never_the_secret(path, value, key):
    data = changed(path, value)
    if key != 'i_understand_this_costs_money':
        data['i_understand_this_costs_money'] = True
    with pytest.raises(ConfigError) as raised:
        real_account_config.parse(data)
    assert raised.value.key == key
    assert EXAMPLE_SECRET not in str(raised.value)


def test_credentials_said_to_be_in_the_environment_must_be_there(tmp_path, monkeypatch):
    for variable in real_account_config.ENVIRONMENT['secret_id'] + real_account_config.ENVIRONMENT['secret_key']:
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / 'config.yml'
    path.write_text(yaml.safe_dump({'i_understand_this_costs_money': True, 'clouds': {'cbs': example()['clouds']['cbs']}}))
    with pytest.raises(ConfigError) as raised:
        real_account_config.load(str(path))
    assert raised.value.key == 'clouds.cbs.credentials' and 'TENCENTCLOUD_SECRET_ID' in str(raised.value)
    monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', 'AKIDexample')
    monkeypatch.setenv('TENCENTCLOUD_SECRET_KEY', 'secret')
    assert real_account_config.load(str(path)).clouds['cbs'].zone == 'ap-guangzhou-3'


# ---------------------------------------------------------------------------------- runme.sh
def runme_environment(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(('SNAPCOPY_', 'ANSIBLE_'))}
    env['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), env.get('PATH', os.defpath)])
    env.update(extra)
    return env


def run_runme(script, **extra):
    return subprocess.run([script], env=runme_environment(**extra), capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(name='target_copy')
def fixture_target_copy(tmp_path):
    """The target in a tree of its own, so no integration_config.yml of the checkout is found."""
    copy = tmp_path / 'tests' / 'integration' / 'targets' / 'real_account'
    shutil.copytree(TARGET, copy)
    return copy


def test_runme_without_a_config_does_nothing_and_says_how_to_opt_in(target_copy):
    done = run_runme(str(target_copy / 'runme.sh'))
    assert done.returncode == 0
    assert done.stdout == ''
    assert done.stderr.count('\n') == 1 and 'SNAPCOPY_REAL_ACCOUNT_CONFIG' in done.stderr and 'not opted in' in done.stderr


@pytest.mark.parametrize('acknowledgement', [False, None])
def test_runme_refuses_a_real_run_without_the_acknowledgement(target_copy, tmp_path, acknowledgement):
    config = tmp_path / 'config.yml'
    config.write_text(yaml.safe_dump(changed(('i_understand_this_costs_money',), acknowledgement)))
    done = run_runme(str(target_copy / 'runme.sh'), SNAPCOPY_REAL_ACCOUNT_CONFIG=str(config))
    assert done.returncode == 2
    assert 'i_understand_this_costs_money: must be true' in done.stderr
    assert 'call ' not in done.stderr and 'PLAY' not in done.stdout


def test_runme_reads_the_opt_in_from_ansible_tests_integration_config(target_copy):
    (target_copy.parent.parent / 'integration_config.yml').write_text('snapcopy_real_account_config: %s\n' % EXAMPLE)
    done = run_runme(str(target_copy / 'runme.sh'))
    assert done.returncode == 2
    assert 'i_understand_this_costs_money: must be true' in done.stderr


def test_runme_dry_run_of_the_example_runs_end_to_end():
    done = run_runme(os.path.join(TARGET, 'runme.sh'), SNAPCOPY_REAL_ACCOUNT_CONFIG=EXAMPLE, SNAPCOPY_REAL_ACCOUNT_DRY_RUN='1')
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert re.search(r'localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0', done.stdout), done.stdout[-2000:]
    assert done.stdout.count('dry run: the module tasks are skipped') == 4
    assert 'would call aws us-east-1 CreateVolume' in done.stdout and 'would call cbs ap-guangzhou TerminateDisks' in done.stdout
    assert EXAMPLE_SECRET not in output
    assert re.search(r'^(?:call|deleted) ', output, re.M) is None  # nothing but dry calls
