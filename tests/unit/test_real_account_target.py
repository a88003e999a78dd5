"""The real-account integration target (tests/integration/targets/real_account), checked without network.

- the dry run of the example config makes exactly the expected calls for each cloud, every call's
  parameters are ones the vendor's model knows (fakecloud.vendor for Alibaba and Tencent, botocore's
  validator for AWS), and the dry run's placeholder answers conform to the vendors' answer models;
- the probes (ECS DeleteSnapshot of a copy a disk was made from, ENS DescribeDisks' TotalCount) make
  exactly their expected calls in a dry run, none for real, and judge the live answers as they should;
- the run-id filter of the cleanup never selects a resource without a run id at the start of a label;
- bad config fails naming the key, and never shows a secret; a role's external id is accepted where
  the cloud's modules take it, and never appears in what a run prints;
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
EXTERNAL_ID = 'external-id-that-is-never-printed'
CALL = re.compile(r'^would call (\w+) (\S+) (\w+) (\{.*\})$')

# What the dry run of each cloud of the example config calls: (region, action), in order.
SETUP = {
    'aws': [
        ('us-east-1', 'CreateVolume'),
        ('us-east-1', 'DescribeVolumes'),
        ('us-east-1', 'CreateSnapshot'),
        ('us-east-1', 'DescribeSnapshots'),
    ],
    'ecs': [
        ('cn-hangzhou', 'DescribeInstances'),
        ('cn-hangzhou', 'CreateDisk'),
        ('cn-hangzhou', 'DescribeDisks'),
        ('cn-hangzhou', 'AttachDisk'),
        ('cn-hangzhou', 'DescribeDisks'),
        ('cn-hangzhou', 'CreateSnapshot'),
        ('cn-hangzhou', 'DescribeSnapshots'),
        ('cn-hangzhou', 'DetachDisk'),
        ('cn-hangzhou', 'DescribeDisks'),
    ],
    'ens': [
        ('cn-hangzhou-26', 'CreateDisk'),
        ('cn-hangzhou-26', 'DescribeDisks'),
        ('cn-hangzhou-26', 'CreateSnapshot'),
        ('cn-hangzhou-26', 'DescribeSnapshots'),
    ],
    'cbs': [
        ('ap-guangzhou', 'DescribeDiskConfigQuota'),
        ('ap-guangzhou', 'CreateDisks'),
        ('ap-guangzhou', 'DescribeDisks'),
        ('ap-guangzhou', 'CreateSnapshot'),
        ('ap-guangzhou', 'DescribeSnapshots'),
    ],
}
# The cleanup lists the source and DR regions, then deletes the DR copy, the snapshot and the disk; on ECS it lists
# the DR region's disks too, and deletes one made from the copy (the probe's, left by a run that died) before the copy.
CLEANUP = {
    'aws': [
        ('us-east-1', 'DescribeVolumes'),
        ('us-west-2', 'DescribeSnapshots'),
        ('us-east-1', 'DescribeSnapshots'),
        ('us-west-2', 'DeleteSnapshot'),
        ('us-east-1', 'DeleteSnapshot'),
        ('us-east-1', 'DeleteVolume'),
    ],
    'ecs': [
        ('cn-shanghai', 'DescribeDisks'),
        ('cn-hangzhou', 'DescribeDisks'),
        ('cn-shanghai', 'DescribeSnapshots'),
        ('cn-hangzhou', 'DescribeSnapshots'),
        ('cn-shanghai', 'DeleteDisk'),
        ('cn-shanghai', 'DeleteSnapshot'),
        ('cn-hangzhou', 'DeleteSnapshot'),
        ('cn-hangzhou', 'DeleteDisk'),
    ],
    'ens': [
        ('cn-hangzhou-26', 'DescribeDisks'),
        ('cn-beijing-cmcc', 'DescribeSnapshots'),
        ('cn-hangzhou-26', 'DescribeSnapshots'),
        ('cn-beijing-cmcc', 'DeleteSnapshot'),
        ('cn-hangzhou-26', 'DeleteSnapshot'),
        ('cn-hangzhou-26', 'DeleteDisk'),
    ],
    'cbs': [
        ('ap-guangzhou', 'DescribeDisks'),
        ('ap-shanghai', 'DescribeSnapshots'),
        ('ap-guangzhou', 'DescribeSnapshots'),
        ('ap-shanghai', 'DeleteSnapshots'),
        ('ap-guangzhou', 'DeleteSnapshots'),
        ('ap-guangzhou', 'TerminateDisks'),
    ],
}
# What each probe calls in a dry run, in order. ECS: a zone of the DR region, a disk made from the copy, waited for, the
# copy deleted without Force, read back, and the disk deleted and waited for. ENS: one page of 2 of the source node's
# disks.
PROBE = {
    'ecs': [
        ('cn-shanghai', 'DescribeZones'),
        ('cn-shanghai', 'CreateDisk'),
        ('cn-shanghai', 'DescribeDisks'),
        ('cn-shanghai', 'DeleteSnapshot'),
        ('cn-shanghai', 'DescribeSnapshots'),
        ('cn-shanghai', 'DeleteDisk'),
        ('cn-shanghai', 'DescribeDisks'),
    ],
    'ens': [('cn-hangzhou-26', 'DescribeDisks')],
}
PROBE_ARGS = ('--disk-id', 'd-run', '--copy-id', 's-copy')
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
    calls = [
        (m.group(1), m.group(2), m.group(3), json.loads(m.group(4)))
        for m in map(CALL.match, err.getvalue().splitlines())
        if m
    ]
    return code, calls, err.getvalue()


@pytest.fixture(name='dry_runs', scope='module')
def fixture_dry_runs():
    """Every call of the example config's dry run, per cloud and phase (setup, cleanup, and probe where the cloud has
    one)."""
    runs = {}
    for cloud in SETUP:
        for phase in ('setup', 'cleanup', 'probe'):
            if phase == 'probe' and cloud not in PROBE:
                continue
            code, calls, output = run_helper(
                phase,
                EXAMPLE,
                '--cloud',
                cloud,
                '--run-id',
                RUN,
                '--dry-run',
                *(PROBE_ARGS if phase == 'probe' else ()),
            )
            assert code == 0, output
            runs[cloud, phase] = calls
    return runs


def phases(cloud):
    return ('setup', 'cleanup', 'probe') if cloud in PROBE else ('setup', 'cleanup')


# ---------------------------------------------------------------------------------- the dry run
@pytest.mark.parametrize('cloud', sorted(SETUP))
def test_dry_run_makes_exactly_the_expected_calls(dry_runs, cloud):
    assert [(region, action) for dummy, region, action, dummy_params in dry_runs[cloud, 'setup']] == SETUP[cloud]
    assert [(region, action) for dummy, region, action, dummy_params in dry_runs[cloud, 'cleanup']] == CLEANUP[cloud]
    assert {
        called for called, dummy, dummy_action, dummy_params in dry_runs[cloud, 'setup'] + dry_runs[cloud, 'cleanup']
    } == {cloud}


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
    """Field names with nested ones as dotted paths without indices, as fakecloud.vendor.tencent.request_fields gives
    them."""
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
    for phase in phases(cloud):
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
    calls = [
        (action, params)
        for phase in ('setup', 'cleanup')
        for dummy, dummy_region, action, params in dry_runs['aws', phase]
    ]
    assert len(calls) > 1, 'the dry run made the calls of both phases'
    for action, params in calls:
        validate_parameters(params, model.operation_model(action).input_shape)  # raises on any problem


@pytest.mark.parametrize('cloud', ['ecs', 'ens', 'cbs'])
def test_the_placeholder_answers_conform_to_the_vendor_answer_models(dry_runs, cloud):
    from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, tencent  # pylint: disable=import-outside-toplevel

    client = DryRunClient(cloud, CallLog(True, stream=sys.stderr), RUN)
    for phase in phases(cloud):
        for dummy, region, action, params in dry_runs[cloud, phase]:
            answer = client.call(action, region, params)
            problems = (
                tencent.check_response('cbs', action, answer)
                if cloud == 'cbs'
                else alibaba.check_answer(cloud, action, answer)
            )
            assert problems == [], '%s %s: %s' % (cloud, action, problems)


# ---------------------------------------------------------------------------------- the probes
@pytest.mark.parametrize('cloud', sorted(PROBE))
def test_a_dry_run_of_a_probe_makes_exactly_its_calls_and_says_it_asked_nothing(dry_runs, cloud):
    assert [(region, action) for dummy, region, action, dummy_params in dry_runs[cloud, 'probe']] == PROBE[cloud]
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = real_account.main(['probe', EXAMPLE, '--cloud', cloud, '--run-id', RUN, '--dry-run', *PROBE_ARGS])
    assert code == 0
    assert re.search(r'^call ', err.getvalue(), re.M) is None  # nothing but dry calls
    finding = json.loads(out.getvalue())
    assert finding['cloud'] == cloud and finding['finding'].startswith('dry run:') and 'failure' not in finding
    assert '%s: finding: dry run:' % cloud in err.getvalue()


def test_the_ecs_probe_makes_its_disk_from_the_copy_like_the_runs_own_and_deletes_the_copy_without_force(dry_runs):
    calls = {action: params for dummy, dummy_region, action, params in dry_runs['ecs', 'probe']}
    assert {key: calls['CreateDisk'][key] for key in DISKS['ecs'][1]} == DISKS['ecs'][1]
    assert calls['CreateDisk']['SnapshotId'] == 's-copy' and calls['CreateDisk']['ZoneId'] == '<a zone of cn-shanghai>'
    assert calls['CreateDisk']['Tag.1.Key'] == real_account_config.RUN_TAG and calls['CreateDisk']['Tag.1.Value'] == RUN
    assert calls['CreateDisk']['DiskName'].startswith(RUN)
    assert calls['DeleteSnapshot'] == {'SnapshotId': 's-copy'}  # no Force, as the collection's pruning
    assert calls['DeleteDisk'] == {'DiskId': 'd-dryrun-from-copy'}


def test_the_ecs_probe_takes_the_configs_dr_zone_instead_of_asking(tmp_path):
    data = changed(('clouds', 'ecs', 'dr_zone'), 'cn-shanghai-b')
    path = tmp_path / 'config.yml'
    path.write_text(yaml.safe_dump(data))
    code, calls, output = run_helper('probe', str(path), '--cloud', 'ecs', '--run-id', RUN, '--dry-run', *PROBE_ARGS)
    assert code == 0, output
    assert [action for dummy, dummy_region, action, dummy_params in calls] == [
        action for dummy, action in PROBE['ecs'][1:]
    ]
    assert calls[0][3]['ZoneId'] == 'cn-shanghai-b'


class ScriptedClient:
    """A real (not dry-run) client for the probes: each action's answer, or the ApiError it raises; every call kept."""

    dry_run = False

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, action, region, params):
        self.calls.append((region, action, params))
        answer = self.answers[action]
        answer = answer(params) if callable(answer) else answer
        if isinstance(answer, Exception):
            raise answer
        return answer


def ecs_probe(delete_answer, copy_listed_after):
    deleted_disks = []

    def describe_disks(params):
        disk_id = json.loads(params['DiskIds'])[0]
        return {'Disks': {'Disk': [] if disk_id in deleted_disks else [{'DiskId': disk_id, 'Status': 'Available'}]}}

    client = ScriptedClient(
        {
            'DescribeZones': {
                'Zones': {
                    'Zone': [
                        {
                            'ZoneId': 'cn-shanghai-a',
                            'AvailableDiskCategories': {'DiskCategories': ['cloud_efficiency']},
                        },
                        {'ZoneId': 'cn-shanghai-b', 'AvailableDiskCategories': {'DiskCategories': ['cloud_essd']}},
                    ]
                }
            },
            'CreateDisk': {'DiskId': 'd-fromcopy'},
            'DescribeDisks': describe_disks,
            'DeleteSnapshot': delete_answer,
            'DescribeSnapshots': {'Snapshots': {'Snapshot': [{'SnapshotId': 's-copy'}] if copy_listed_after else []}},
            'DeleteDisk': lambda params: deleted_disks.append(params['DiskId']) or {'RequestId': 'r-deldisk'},
        }
    )
    settings = real_account_config.parse(dict(example(), i_understand_this_costs_money=True)).clouds['ecs']
    return client, real_account_clouds.Ecs(settings, client, 60).probe(RUN, 'd-run', 's-copy')


def test_the_ecs_probe_reports_the_refusal_the_reference_documents():
    refused = real_account_api.ApiError(
        'ecs',
        'DeleteSnapshot',
        'cn-shanghai',
        'SnapshotCreatedDisk',
        'The snapshot has been used to create disk.',
        'R-1',
    )
    client, finding = ecs_probe(refused, copy_listed_after=True)
    assert finding['answer'] == {
        'code': 'SnapshotCreatedDisk',
        'message': 'The snapshot has been used to create disk.',
        'request_id': 'R-1',
    }
    assert finding['zone'] == 'cn-shanghai-b' and not finding['snapshot_deleted'] and 'failure' not in finding
    assert (
        'SnapshotCreatedDisk' in finding['finding']
        and 'R-1' in finding['finding']
        and 'as the reference says' in finding['finding']
    )
    assert [action for dummy, action, dummy_params in client.calls][-2:] == ['DeleteDisk', 'DescribeDisks']


def test_the_ecs_probe_reports_another_refusal_without_failing():
    refused = real_account_api.ApiError(
        'ecs', 'DeleteSnapshot', 'cn-shanghai', 'IncorrectSnapshotStatus', 'busy', 'R-2'
    )
    dummy_client, finding = ecs_probe(refused, copy_listed_after=True)
    assert 'failure' not in finding and 'not with SnapshotCreatedDisk' in finding['finding']


@pytest.mark.parametrize('copy_listed_after', [False, True])
def test_the_ecs_probe_fails_when_the_copy_is_deleted_and_still_deletes_its_disk(copy_listed_after):
    client, finding = ecs_probe({'RequestId': 'R-3'}, copy_listed_after)
    assert finding['snapshot_deleted'] is not copy_listed_after
    assert 'Force' in finding['failure'] and 'SnapshotCreatedDisk' in finding['failure'] and 'R-3' in finding['failure']
    assert ('cn-shanghai', 'DeleteDisk', {'DiskId': 'd-fromcopy'}) in client.calls


def test_a_failed_ecs_probe_exits_1_naming_the_danger(monkeypatch):
    monkeypatch.setattr(
        real_account_clouds.Ecs,
        'probe',
        lambda self, run_id, disk_id, copy_id: {
            'cloud': 'ecs',
            'finding': 'ECS deleted the copy',
            'failure': 'ECS deleted the copy: pruning would delete copies that disks were made from',
        },
    )
    code, dummy_calls, output = run_helper(
        'probe', EXAMPLE, '--cloud', 'ecs', '--run-id', RUN, '--dry-run', *PROBE_ARGS
    )
    assert code == 1
    assert 'real_account: probe failed: ECS deleted the copy: pruning would delete' in output


def ens_probe(disks, total_count, page_size=None):
    def describe_disks(params):
        first = (params['PageNumber'] - 1) * params['PageSize']
        page = [{'DiskId': disk} for disk in disks[first : first + params['PageSize']]]
        return {'Disks': {'Disks': page}, 'TotalCount': total_count, 'PageSize': page_size or params['PageSize']}

    client = ScriptedClient({'DescribeDisks': describe_disks})
    settings = real_account_config.parse(dict(example(), i_understand_this_costs_money=True)).clouds['ens']
    return client, real_account_clouds.Ens(settings, client, 60).probe(RUN, 'd-run', 'sp-copy')


@pytest.mark.parametrize(
    'count, total_count, counts',
    [
        (5, 3, 'pages'),
        (4, 2, 'pages'),
        (5, 5, 'disks'),
        (2, 2, 'disks'),
        (2, 1, 'pages'),
        (5, 7, 'neither (5 disks in 3 pages)'),
        (1, 1, 'cannot tell (one disk on the node)'),
        (3, None, 'cannot tell (no TotalCount in the answer)'),
    ],
)
def test_the_ens_probe_reads_until_a_short_page_and_says_what_total_count_counts(count, total_count, counts):
    disks = ['d-run'] + ['d-other%d' % number for number in range(count - 1)]
    client, finding = ens_probe(disks, total_count)
    assert (
        finding['counts'] == counts
        and finding['disks'] == count
        and finding['run_disk_found']
        and not finding['capped']
    )
    assert finding['finding'].startswith(
        'ENS DescribeDisks on cn-hangzhou-26: TotalCount = %s for %d disks' % (total_count, count)
    )
    assert 'it counts %s' % counts in finding['finding'] and 'failure' not in finding
    assert [params['PageNumber'] for dummy, dummy_action, params in client.calls] == list(range(1, count // 2 + 2))
    assert {params['PageSize'] for dummy, dummy_action, params in client.calls} == {2}


def test_the_ens_probe_stops_at_its_cap_and_says_so():
    # 150 disks in pages of 2: 75 pages, 60 of them read. 75 cannot count the 120 disks read; 150 may count either.
    disks = ['d-other%d' % number for number in range(150)]
    client, finding = ens_probe(disks, 75)
    assert len(client.calls) == real_account_clouds.Ens.PROBE_PAGES and finding['capped']
    assert (
        finding['counts'] == 'pages' and 'at least 120 disks' in finding['finding'] and 'the cap' in finding['finding']
    )
    assert not finding['run_disk_found'] and 'was NOT among them' in finding['finding']
    dummy_client, finding = ens_probe(disks, 150)
    assert finding['counts'].startswith('cannot tell')


def test_the_ens_probe_takes_the_page_size_the_answer_gives():
    # A page shorter than the PageSize the answer says it used is the last, as the collection reads it
    # (core.paging.numbered_pages).
    client, finding = ens_probe(['d-run', 'd-other'], 1, page_size=10)
    assert len(client.calls) == 1 and finding['page_size'] == 10 and finding['counts'] == 'pages'


def test_the_cleanups_ens_listing_reads_until_a_short_page_whatever_total_count_says():
    disks = [{'DiskId': 'd-%d' % number} for number in range(120)]

    def describe_disks(params):
        first = (params['PageNumber'] - 1) * params['PageSize']
        return {
            'Disks': {'Disks': disks[first : first + params['PageSize']]},
            'TotalCount': 3,
            'PageSize': params['PageSize'],
        }

    client = ScriptedClient({'DescribeDisks': describe_disks, 'DescribeSnapshots': {'Snapshots': [], 'PageSize': 100}})
    settings = real_account_config.parse(dict(example(), i_understand_this_costs_money=True)).clouds['ens']
    found = real_account_clouds.Ens(settings, client, 60).resources()
    assert len([resource for resource in found if resource.kind == 'disk']) == 120


def test_a_dry_run_of_the_leftovers_only_lists():
    code, calls, dummy = run_helper('cleanup-leftovers', EXAMPLE, '--dry-run')
    assert code == 0
    assert calls and all(action.startswith('Describe') for dummy_cloud, dummy_region, action, dummy_params in calls)


@pytest.mark.parametrize(
    'api_region, endpoint',
    [
        (None, 'ens.aliyuncs.com'),
        ('cn-hangzhou', 'ens.aliyuncs.com'),
        ('ap-southeast-1', 'ens.ap-southeast-1.aliyuncs.com'),
    ],
)
def test_the_ens_endpoint_is_the_sites_as_the_vendors_v2_sdk_picks_it(monkeypatch, api_region, endpoint):
    for variable in real_account_config.ENVIRONMENT['alicloud_region']:
        monkeypatch.delenv(variable, raising=False)
    settings = real_account_config.CloudSettings(
        'ens',
        'cn-hangzhou-26',
        'cn-beijing-cmcc',
        {'alicloud_access_key': 'LTAI5tEXAMPLE', 'alicloud_secret_key': 'secret'},
        alicloud_region=api_region,
    )
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
    others = [
        resource(RUN + '0'),
        resource(RUN[:-1]),
        resource('x' + RUN),
        resource(' ' + RUN),
        resource(RUN.upper()),
        resource('snapcopy-it-20250102T030405Z-a1b2c4'),
        resource('my-disk', 'DR copy of ' + RUN),
        resource(),
    ]
    assert of_run(mine + others, RUN) == mine


def test_of_run_refuses_what_is_not_a_run_id():
    for bad in ('', 'snapcopy-it', 'snapcopy-it-', RUN + 'x', 'snapcopy-it-2025-a1b2c3'):
        with pytest.raises(ValueError):
            of_run([resource(bad)], bad)


def test_leftovers_are_runs_older_than_the_limit_and_never_the_current_run():
    now = datetime.datetime(2025, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)
    old = 'snapcopy-it-20250101T000000Z-000001'
    young = 'snapcopy-it-20250102T110000Z-000002'
    found = [
        resource(old + '-disk'),
        resource(young),
        resource('snapcopy-it-20250101T000000Z'),
        resource('old-' + old),
        resource(RUN),
        resource(old, young),
    ]
    assert leftovers(found, now, 6) == [found[0], found[4]]
    assert leftovers(found, now, 6, current_run=RUN) == [found[0]]
    assert leftovers(found, now, 48) == []


NEAR_MISSES = st.sampled_from(
    [
        '',
        ' ',
        'x',
        'snapcopy-it',
        'snapcopy-it-',
        'Snapcopy-it-',
        'snapcopy_it-',
        'snapcopy-it-2025',
        'snapcopy-it-20250102T030405Z-',
        'snapcopy-it-20250102T030405-a1b2c3',
    ]
)


@given(
    st.lists(
        st.one_of(st.none(), st.text(), st.builds(lambda head, tail: head + tail, NEAR_MISSES, st.text())), max_size=4
    )
)
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
    listed = [
        Resource('aws', 'disk', 'vol-mine', 'us-east-1', (current,)),
        Resource('aws', 'snapshot', 'snap-mine', 'us-west-2', (current, current + ' DR copy')),
        Resource('aws', 'snapshot', 'snap-older', 'us-east-1', (older,)),
        Resource('aws', 'snapshot', 'snap-foreign', 'us-east-1', ('backup of ' + older, 'prod')),
        Resource('aws', 'disk', 'vol-foreign', 'us-east-1', ()),
    ]
    monkeypatch.setattr(real_account_clouds.Aws, 'resources', lambda self: listed)
    code, calls, dummy = run_helper('cleanup', EXAMPLE, '--cloud', 'aws', '--run-id', current, '--dry-run')
    assert code == 0
    assert [(action, params) for dummy, dummy_region, action, params in calls] == [
        ('DeleteSnapshot', {'SnapshotId': 'snap-mine'}),
        ('DeleteVolume', {'VolumeId': 'vol-mine'}),
    ]
    code, calls, dummy = run_helper('cleanup-leftovers', EXAMPLE, '--dry-run')
    assert code == 0
    assert [(action, params) for cloud, dummy_region, action, params in calls if cloud == 'aws'] == [
        ('DeleteSnapshot', {'SnapshotId': 'snap-older'})
    ]


def test_an_attached_ecs_disk_is_detached_before_it_is_deleted(monkeypatch):
    attached = Resource('ecs', 'disk', 'd-mine', 'cn-hangzhou', (RUN,), 'In_use', 'i-bp1exampleinstance0')
    monkeypatch.setattr(real_account_clouds.Ecs, 'resources', lambda self: [attached])
    code, calls, dummy = run_helper('cleanup', EXAMPLE, '--cloud', 'ecs', '--run-id', RUN, '--dry-run')
    assert code == 0
    assert [action for dummy, dummy_region, action, dummy_params in calls] == [
        'DetachDisk',
        'DescribeDisks',
        'DeleteDisk',
    ]
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


@pytest.mark.parametrize(
    'path, value, key',
    [
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
        (
            ('clouds', 'ecs', 'credentials'),
            {'alicloud_access_key': 'LTAI5t0000', 'secret_key': EXAMPLE_SECRET},
            'clouds.ecs.credentials',
        ),
        (('clouds', 'ecs', 'credentials', 'alicloud_secret_key'), '', 'clouds.ecs.credentials.alicloud_secret_key'),
        # A role's options belong to their cloud: Alibaba's names under ecs and ens, Tencent's under cbs, none under
        # aws.
        (
            ('clouds', 'cbs', 'credentials'),
            {
                'secret_id': 'AKID0000',
                'secret_key': EXAMPLE_SECRET,
                'role_arn': 'qcs::cam::uin/1:roleName/r',
                'alicloud_assume_role_external_id': EXTERNAL_ID,
            },
            'clouds.cbs.credentials',
        ),
        (('clouds', 'ecs', 'credentials', 'external_id'), EXTERNAL_ID, 'clouds.ecs.credentials'),
        (('clouds', 'ecs', 'credentials', 'assume_role_external_id'), EXTERNAL_ID, 'clouds.ecs.credentials'),
        (('clouds', 'aws', 'credentials'), {'profile': 'p', 'external_id': EXTERNAL_ID}, 'clouds.aws.credentials'),
        (
            ('clouds', 'ecs', 'credentials', 'alicloud_assume_role_external_id'),
            EXTERNAL_ID,
            'clouds.ecs.credentials.alicloud_assume_role_external_id',
        ),  # without the role ARN
        (
            ('clouds', 'ecs', 'credentials', 'alicloud_assume_role_arn'),
            '',
            'clouds.ecs.credentials.alicloud_assume_role_arn',
        ),
        (('clouds', 'ecs', 'dr_zone'), 'cn-hangzhou-b', 'clouds.ecs.dr_zone'),
        (('wait_timeout_minutes',), 0, 'wait_timeout_minutes'),
    ],
)
def test_bad_config_fails_naming_the_key_and_never_the_secret(path, value, key):
    data = changed(path, value)
    if key != 'i_understand_this_costs_money':
        data['i_understand_this_costs_money'] = True
    with pytest.raises(ConfigError) as raised:
        real_account_config.parse(data)
    assert raised.value.key == key
    assert EXAMPLE_SECRET not in str(raised.value) and EXTERNAL_ID not in str(raised.value)


def test_credentials_said_to_be_in_the_environment_must_be_there(tmp_path, monkeypatch):
    for variable in real_account_config.ENVIRONMENT['secret_id'] + real_account_config.ENVIRONMENT['secret_key']:
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / 'config.yml'
    path.write_text(
        yaml.safe_dump({'i_understand_this_costs_money': True, 'clouds': {'cbs': example()['clouds']['cbs']}})
    )
    with pytest.raises(ConfigError) as raised:
        real_account_config.load(str(path))
    assert raised.value.key == 'clouds.cbs.credentials' and 'TENCENTCLOUD_SECRET_ID' in str(raised.value)
    monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', 'AKIDexample')
    monkeypatch.setenv('TENCENTCLOUD_SECRET_KEY', 'secret')
    assert real_account_config.load(str(path)).clouds['cbs'].zone == 'ap-guangzhou-3'


ROLES = {
    'ecs': {
        'alicloud_assume_role_arn': 'acs:ram::1234567890123456:role/snapcopy-test',
        'alicloud_assume_role_external_id': EXTERNAL_ID,
    },
    'ens': {
        'alicloud_assume_role_arn': 'acs:ram::1234567890123456:role/snapcopy-test',
        'alicloud_assume_role_session_name': 'snapcopy-test',
        'alicloud_assume_role_external_id': EXTERNAL_ID + '-ens',
    },
    'cbs': {'role_arn': 'qcs::cam::uin/100012345678:roleName/snapcopy-test', 'external_id': EXTERNAL_ID + '-cbs'},
}
ROLE_KEYS = {
    'ecs': {'alicloud_access_key': 'LTAI5tEXAMPLEKEYID0001', 'alicloud_secret_key': EXAMPLE_SECRET},
    'cbs': {'secret_id': 'AKIDEXAMPLE0001', 'secret_key': EXAMPLE_SECRET},
}


@pytest.fixture(name='role_config')
def fixture_role_config(tmp_path):
    """The example config with a role and its external id in every cloud that takes one."""
    data = example()
    for cloud, options in ROLES.items():
        data['clouds'][cloud]['credentials'] = dict(ROLE_KEYS['cbs' if cloud == 'cbs' else 'ecs'], **options)
    path = tmp_path / 'config.yml'
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_the_config_takes_each_clouds_role_options(role_config):
    config = real_account_config.load(role_config, dry_run=True)
    for cloud, options in ROLES.items():
        assert real_account_config.role_of(config.clouds[cloud]) == real_account_config.Role(
            *(options.get(name) for name in real_account_config.ROLE_OPTIONS[cloud])
        )


@pytest.mark.parametrize('cloud', sorted(ROLES))
def test_a_role_is_assumed_first_with_its_external_id_masked(role_config, cloud):
    from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, tencent  # pylint: disable=import-outside-toplevel

    code, calls, output = run_helper('setup', role_config, '--cloud', cloud, '--run-id', RUN, '--dry-run')
    assert code == 0, output
    dummy, region, action, params = calls[0]
    assert (
        action == 'AssumeRole'
        and region == real_account_api.STS[cloud]
        and [call[2] for call in calls[1:]] == [a for dummy, a in SETUP[cloud]]
    )
    options = dict(
        zip(
            ('arn', 'session', 'external_id'),
            (ROLES[cloud].get(name) for name in real_account_config.ROLE_OPTIONS[cloud]),
        )
    )
    assert params == {
        'RoleArn': options['arn'],
        'RoleSessionName': options['session'] or RUN,
        'DurationSeconds': 3600,
        'ExternalId': '****',
    }
    # As the vendor's STS model has them, and a placeholder answer in its answer model.
    answer = DryRunClient(cloud, CallLog(True, stream=io.StringIO())).call(action, region, params)
    if cloud == 'cbs':
        assert not flat_tencent_names(params) - tencent.request_fields('tencent_sts', 'AssumeRole')
        assert tencent.check_response('tencent_sts', 'AssumeRole', answer) == []
    else:
        assert not flat_alibaba_names(params) - alibaba.wire_parameters('alibaba_sts', 'AssumeRole')
        assert not alibaba.required_parameters('alibaba_sts', 'AssumeRole') - set(params)
        assert alibaba.check_answer('alibaba_sts', 'AssumeRole', answer) == []


def test_the_external_id_never_appears_in_what_a_dry_run_prints(role_config):
    printed = []
    for argv in (
        ['check', role_config],
        ['cleanup-leftovers', role_config],
        *(['setup', role_config, '--cloud', cloud, '--run-id', RUN] for cloud in SETUP),
        *(['cleanup', role_config, '--cloud', cloud, '--run-id', RUN] for cloud in SETUP),
        *(['probe', role_config, '--cloud', cloud, '--run-id', RUN, *PROBE_ARGS] for cloud in PROBE),
    ):
        out = io.StringIO()
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            assert real_account.main([*argv, '--dry-run']) == 0, err.getvalue()
        printed.append(out.getvalue() + err.getvalue())
    printed = '\n'.join(printed)
    assert EXTERNAL_ID not in printed and EXAMPLE_SECRET not in printed
    assert printed.count('"ExternalId": "****"') > 0
    assert 'alicloud_assume_role_external_id=****' in printed and 'external_id=****' in printed
    assert 'alicloud_assume_role_arn=acs:ram::1234567890123456:role/snapcopy-test' in printed


def test_a_role_in_the_environment_is_assumed_as_the_modules_read_it(monkeypatch):
    for name in real_account_config.ROLE_OPTIONS['cbs']:
        for variable in real_account_config.ENVIRONMENT[name]:
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv('TENCENTCLOUD_ASSUME_ROLE_ARN', 'qcs::cam::uin/100012345678:roleName/snapcopy-test')
    monkeypatch.setenv('TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID', EXTERNAL_ID)
    code, calls, output = run_helper('setup', EXAMPLE, '--cloud', 'cbs', '--run-id', RUN, '--dry-run')
    assert code == 0
    assert calls[0][2:] == (
        'AssumeRole',
        {
            'RoleArn': 'qcs::cam::uin/100012345678:roleName/snapcopy-test',
            'RoleSessionName': RUN,
            'DurationSeconds': 3600,
            'ExternalId': '****',
        },
    )
    assert EXTERNAL_ID not in output


# ---------------------------------------------------------------------------------- runme.sh
def runme_environment(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(('SNAPCOPY_', 'ANSIBLE_'))}
    env['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), env.get('PATH', os.defpath)])
    env.update(extra)
    return env


def run_runme(script, **extra):
    return subprocess.run(
        [script], env=runme_environment(**extra), capture_output=True, text=True, timeout=300, check=False
    )


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
    assert (
        done.stderr.count('\n') == 1 and 'SNAPCOPY_REAL_ACCOUNT_CONFIG' in done.stderr and 'not opted in' in done.stderr
    )


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
    done = run_runme(
        os.path.join(TARGET, 'runme.sh'), SNAPCOPY_REAL_ACCOUNT_CONFIG=EXAMPLE, SNAPCOPY_REAL_ACCOUNT_DRY_RUN='1'
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert re.search(r'localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0', done.stdout), done.stdout[-2000:]
    assert done.stdout.count('dry run: the module tasks are skipped') == 4
    assert (
        'would call aws us-east-1 CreateVolume' in done.stdout
        and 'would call cbs ap-guangzhou TerminateDisks' in done.stdout
    )
    # The probes' calls, on a placeholder for the copy, and no finding kept.
    assert 'would call ecs cn-shanghai DeleteSnapshot' in done.stdout and 'ecs: finding: dry run' in done.stdout
    assert (
        'would call ens cn-hangzhou-26 DescribeDisks {\\"EnsRegionId\\": \\"cn-hangzhou-26\\", \\"PageNumber\\": 1, \\"PageSize\\": 2}'
        in done.stdout
    )
    assert re.search(r'\(the findings of the run\)\] \*+\nskipping', done.stdout), done.stdout[-2000:]
    assert EXAMPLE_SECRET not in output
    assert re.search(r'^(?:call|deleted) ', output, re.M) is None  # nothing but dry calls
