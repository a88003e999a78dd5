"""EBS sets from evidence (issue 61), in DR runs through botocore against moto's server and the suites' EBS layers
(ebs_vault.py: CreateSnapshots as EC2 makes it; ebs_dlm.py: Data Lifecycle Manager's policies). EC2 promises one
direction only: the snapshots of one CreateSnapshots request share a StartTime. Snapshots taken one by one in one second
with one description share it too, and are no set; a set counts by our set tag, a DLM policy of instances, or the
user's consistency_set_tag."""

from __future__ import annotations

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SET_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import PROTECTED
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with

ACCOUNT = '123456789012'  # moto's account of these keys
KEYS = {'access_key': 'AKIASNAPCOPYEVIDENCE', 'secret_key': 'snapcopy-evidence-secret'}
# Regions other tests use too (moto keeps one state per process): each test's disks carry a tag of its own.
SOURCE, DR_REGION = 'ap-northeast-3', 'ap-southeast-2'
ROLE = 'arn:aws:iam::%s:role/AWSDataLifecycleManagerDefaultRole' % ACCOUNT


@pytest.fixture
def layers():
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_dlm, ebs_vault

    yield ebs_vault, ebs_dlm
    ebs_vault.CLOCK['offset'] = 0.0


def database(url, selector, volumes=3):
    """(instance id, [volume id]): an instance with ``volumes`` data volumes tagged ``selector``; the instance is tagged
    too (a DLM instance policy targets instances by tag)."""
    client = ec2_with(url, KEYS, SOURCE)
    zone = SOURCE + 'a'
    tags = [{'Key': key, 'Value': value} for key, value in selector.items()]
    (instance,) = client.run_instances(
        ImageId='ami-12345678',
        MinCount=1,
        MaxCount=1,
        Placement={'AvailabilityZone': zone},
        TagSpecifications=[{'ResourceType': 'instance', 'Tags': tags}],
    )['Instances']
    ids = []
    for device in ('/dev/sdf', '/dev/sdg', '/dev/sdh')[:volumes]:
        volume = client.create_volume(
            Size=2, AvailabilityZone=zone, TagSpecifications=[{'ResourceType': 'volume', 'Tags': tags}]
        )['VolumeId']
        client.attach_volume(VolumeId=volume, InstanceId=instance['InstanceId'], Device=device)
        ids.append(volume)
    return instance['InstanceId'], ids


def run(url, selector, **options):
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=url), botocore_module=botocore))
    report = dr_run_with(
        adapter,
        scope('aws', SOURCE, [DR_REGION], selector, consistency_groups='instance', **options),
        connection=dict(KEYS, endpoint_url=url),
        clock=FakeClock(),
    )
    return report, report['disks'][0]['consistency_group']


def test_moto_dates_snapshots_to_the_second_as_ec2_does(moto_url):
    """What makes look-alikes common (issue 61, 1): EC2 dates a snapshot's StartTime to the second (the AWS CLI
    reference's describe-snapshots example: "StartTime": "2019-02-28T21:28:32.000Z"; botocore's SnapshotInfo.StartTime
    says only that it "is the same for all snapshots initiated by the same request"). The emulator the tests run
    against answers so: CreateSnapshot and CreateSnapshots alike (ebs_vault.py, ebs_dlm.py)."""
    selector = {'sets61': 'seconds'}
    instance, volumes = database(moto_url, selector, volumes=2)
    client = ec2_with(moto_url, KEYS, SOURCE)
    alone = client.create_snapshot(VolumeId=volumes[0], Description='nightly')
    together = client.create_snapshots(
        InstanceSpecification={'InstanceId': instance, 'ExcludeBootVolume': True}, Description='nightly'
    )['Snapshots']
    listed = client.describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': volumes}])['Snapshots']
    times = [alone['StartTime']] + [item['StartTime'] for item in together + listed]
    assert len(times) == 6 and all(time.microsecond == 0 for time in times)
    assert len({item['StartTime'] for item in together}) == 1


def test_snapshots_taken_one_by_one_in_one_second_with_one_description_are_no_set(moto_url):
    selector = {'sets61': 'one-by-one'}
    dummy, volumes = database(moto_url, selector)
    client = ec2_with(moto_url, KEYS, SOURCE)
    made = [client.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'] for volume in volumes]
    # EBS (and moto) date a snapshot to the second: the three are put in one second here, whatever the machine's speed,
    # as a busy scheduler's are.
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    backend = ec2_backends[ACCOUNT][SOURCE]
    for snapshot_id in made:
        backend.snapshots[snapshot_id].start_time = backend.snapshots[made[0]].start_time
    report, group = run(moto_url, selector)
    assert report['protection']['status'] != PROTECTED
    assert group['set_id'] is None and report['totals']['copied'] == 0
    (look_alike,) = group['look_alikes']
    assert sorted(look_alike['snapshots']) == sorted(made)
    for surface in (look_alike['why'], ' '.join(report['run_warnings']), ' '.join(report['failures'])):
        assert 'share a start time' in surface and 'nothing says one request made them' in surface
        assert 'consistency_set_tag' in surface and 'INSTANCE' in surface and 'snapcopy:set' in surface


def test_every_surface_says_why_look_alikes_are_no_set_and_how_to_mark_one(moto_url):
    """Issue 61, 1: snapshots that share only a start time and a description are no set, and every surface says why and
    how to mark one: the run's report (above), its HTML page and Markdown, and dr_posture_info's read of the scope (its
    group records and warnings), which reads the source snapshots as the run does."""
    selector = {'sets61': 'surfaces'}
    dummy, volumes = database(moto_url, selector, volumes=2)
    made = one_second_snapshots(moto_url, volumes)
    report, dummy = run(moto_url, selector)
    # The group's failure says it (the failures on each page); the groups section says it too, failure or not.
    html = dr_report_html(dict(report, account=None))
    markdown = dr_report_markdown(dict(report, account=None))
    groups_section = (
        html.split('<section id="groups">')[1].split('</section>')[0],
        markdown.split('## Consistency groups')[1].split('\n## ')[0],
    )
    for section in groups_section:
        assert section.count('nothing says one request made them') == 1, section
        assert all(snapshot_id in section for snapshot_id in made)
        assert 'consistency_set_tag' in section and 'INSTANCE' in section
    assert 'data-key="look-alike"' in groups_section[0]
    adapter = EbsAdapter(AwsClient(dict(KEYS, endpoint_url=moto_url), botocore_module=botocore))
    settings = dr_settings(scope('aws', SOURCE, [DR_REGION], selector, consistency_groups='instance'))
    reader = PostureRead(adapter, settings)
    posture = reader.read()
    for disk in posture['disks']:
        (look_alike,) = disk['consistency_group']['look_alikes']
        assert sorted(look_alike['snapshots']) == sorted(made)
        assert 'share a start time' in look_alike['why'] and 'consistency_set_tag' in look_alike['why']
    assert [warning for warning in reader.warnings if 'nothing says one request made them' in warning]
    assert not posture['problems']
    # The fleet page of that read (the fields playbooks/dr_fleet.yml gathers of a scope): its groups section says it.
    fleet = fleet_report(
        [
            {
                'scope': 'aws-db',
                'provider': 'aws',
                'totals': {'disks': len(posture['disks'])},
                'protection': posture['protection'],
                'look_alike_groups': [disk['consistency_group'] for disk in posture['disks']],
            }
        ],
        '2026-11-27T00:00:00Z',
    )
    (row,) = fleet['scopes']
    assert len(row['look_alikes']) == 1 and 'nothing says one request made them' in row['look_alikes'][0]
    page = fleet_report_html(fleet).split('<section id="groups">')[1].split('</section>')[0]
    assert page.count('data-key="look-alike"') == 1 and 'consistency_set_tag' in page
    # Marked by the user's tooling (consistency_set_tag, as a run is given it), they are a set to the read too.
    ec2_with(moto_url, KEYS, SOURCE).create_tags(Resources=made, Tags=[{'Key': 'backup-set', 'Value': 'b-0001'}])
    marked = dr_settings(
        scope('aws', SOURCE, [DR_REGION], selector, consistency_groups='instance', consistency_set_tag='backup-set')
    )
    reader = PostureRead(adapter, marked)
    assert all(disk['consistency_group']['look_alikes'] == [] for disk in reader.read()['disks'])
    assert not [warning for warning in reader.warnings if 'nothing says one request made them' in warning]


def one_second_snapshots(url, volumes):
    """[snapshot id]: one CreateSnapshot a volume with one description, put in one second as EBS dates them."""
    client = ec2_with(url, KEYS, SOURCE)
    made = [client.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId'] for volume in volumes]
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    backend = ec2_backends[ACCOUNT][SOURCE]
    for snapshot_id in made:
        backend.snapshots[snapshot_id].start_time = backend.snapshots[made[0]].start_time
    return made


def test_a_create_snapshots_set_the_run_makes_carries_its_set_tag_and_counts(moto_url, moto_calls):
    selector = {'sets61': 'ours'}
    dummy, volumes = database(moto_url, selector)
    moto_calls.clear()
    report, group = run(moto_url, selector, max_snapshot_age_hours=24)
    assert moto_calls.get('CreateSnapshots') == 1 and 'CreateSnapshot' not in moto_calls
    assert report['protection']['status'] == PROTECTED, report['failures']
    client = ec2_with(moto_url, KEYS, SOURCE)
    snapshots = client.describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': volumes}])['Snapshots']
    marks = {tag['Value'] for snapshot in snapshots for tag in snapshot.get('Tags', []) if tag['Key'] == SET_TAG}
    assert len(snapshots) == 3 and len(marks) == 1
    assert group['set_id'] == '%s/%s' % (SOURCE, marks.pop()) and group['look_alikes'] == []
    # A rerun counts the set by its tag: nothing made or copied again.
    again, dummy = run(moto_url, selector, max_snapshot_age_hours=24)
    assert again['protection']['status'] == PROTECTED, again['failures']
    assert again['totals']['fresh_snapshots'] == 0 and again['totals']['copied'] == 0


def test_a_dlm_instance_policy_makes_sets_and_a_volume_policy_does_not(moto_url, layers):
    dummy, dlm = layers
    selector = {'sets61': 'dlm'}
    instance, volumes = database(moto_url, selector)
    session = botocore.session.Session()
    session.set_credentials(KEYS['access_key'], KEYS['secret_key'])
    client = session.create_client('dlm', region_name=SOURCE, endpoint_url=moto_url)
    policies = {
        kind: client.create_lifecycle_policy(
            ExecutionRoleArn=ROLE,
            Description='nightly %s' % kind.lower(),
            State='ENABLED',
            PolicyDetails={
                'ResourceTypes': [kind],
                'TargetTags': [{'Key': 'sets61', 'Value': 'dlm'}],
                'Schedules': [{'Name': 'nightly'}],
            },
        )['PolicyId']
        for kind in ('VOLUME', 'INSTANCE')
    }
    # The volume policy's snapshots: one a volume, in one second, one description: no set.
    by_volume = dlm.run_policy(ACCOUNT, SOURCE, policies['VOLUME'], epoch=1_700_000_000)
    dlm.DLM_CALLS.clear()
    report, group = run(moto_url, selector)
    assert report['protection']['status'] != PROTECTED and group['set_id'] is None
    assert sorted(group['look_alikes'][0]['snapshots']) == sorted(by_volume)
    assert dlm.DLM_CALLS == {'GetLifecyclePolicy': 1}
    # The instance policy's run, a second later: a set of the instance's volumes, read by its policy.
    by_instance = dlm.run_policy(ACCOUNT, SOURCE, policies['INSTANCE'], epoch=1_700_000_001)
    report, group = run(moto_url, selector)
    assert report['protection']['status'] == PROTECTED, report['failures']
    assert group['set_id'].startswith('%s/dlm/%s/%s/' % (SOURCE, policies['INSTANCE'], instance))
    # The set holds the root volume's snapshot too, which is not tagged for DR.
    assert {disk['source_snapshot']['id'] for disk in report['disks']} < set(by_instance)
    assert len(by_instance) == len(volumes) + 1


def test_a_set_marked_by_the_users_own_tag_counts(moto_url):
    selector = {'sets61': 'user-tag'}
    dummy, volumes = database(moto_url, selector, volumes=2)
    client = ec2_with(moto_url, KEYS, SOURCE)
    # The user's tooling: one snapshot a volume (after freezing the file systems, say), the set named by a tag.
    for number, volume in enumerate(volumes):
        client.create_snapshot(
            VolumeId=volume,
            Description='app backup part %d' % number,
            TagSpecifications=[{'ResourceType': 'snapshot', 'Tags': [{'Key': 'backup-set', 'Value': 'b-0001'}]}],
        )
    report, group = run(moto_url, selector)
    assert report['protection']['status'] != PROTECTED  # without the option: no evidence
    report, group = run(moto_url, selector, consistency_set_tag='backup-set')
    assert report['protection']['status'] == PROTECTED, report['failures']
    # The set's id, which its copies carry (SET_TAG) and the next release must read the same: the region, then the
    # first 16 hex digits of the SHA-256 of the tag's key and value.
    assert group['set_id'] == SOURCE + '/tag/185490c8f0479da2', group['set_id']


def test_consistency_set_tag_is_refused_without_groups_and_off_aws():
    base = scope('aws', SOURCE, [DR_REGION], {'a': 'b'}, consistency_set_tag='backup-set')
    with pytest.raises(InputError, match='set consistency_groups too') as refused:
        dr_settings(base)
    assert refused.value.option == 'consistency_set_tag'
    tencent = scope(
        'cbs',
        'ap-guangzhou',
        ['ap-shanghai'],
        {'a': 'b'},
        consistency_groups='instance',
        consistency_set_tag='backup-set',
    )
    with pytest.raises(InputError, match='names its sets'):
        dr_settings(tencent)
    assert dr_settings(dict(base, consistency_groups='instance')).groups.set_tag == 'backup-set'
