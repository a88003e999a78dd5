"""Copy claims on EBS (_dr_claims), through real botocore against moto's server: a run that finds another run's live claim on
a source makes no second copy and says whose claim it is; a claim that is over is taken for over and removed; a run leaves
no claim of its own behind."""
from __future__ import annotations

import datetime

from ansible_collections.snapcopy.cloud.plugins.module_utils._dr import DrRun
from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.module_utils._tagging import COPY_CLAIM_TAG_PREFIX, SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_ebs_restore import adapter, ec2, tagged_disk

NOW = datetime.datetime.now(datetime.timezone.utc)


def dr_run(url, tag_value):
    settings = {'provider': 'aws', 'source_region': 'us-east-1', 'dr_regions': ['eu-west-1', 'us-west-2'], 'tag_selector': {'drill': tag_value},
                'prune': False, 'wait': False, 'wait_timeout': 600, 'poll_interval': 1}
    clock = FakeClock()
    return DrRun(adapter(url), dr_settings(settings), now=NOW, clock=clock.clock, sleep=clock.sleep).run()


def source_of(url, volume_id):
    (snapshot,) = ec2(url, 'us-east-1').describe_snapshots(Filters=[{'Name': 'volume-id', 'Values': [volume_id]}])['Snapshots']
    return snapshot['SnapshotId'], {tag['Key']: tag['Value'] for tag in snapshot.get('Tags', [])}


def copies_in(url, region, snapshot_id):
    return ec2(url, region).describe_snapshots(OwnerIds=['self'], Filters=[{'Name': 'tag:' + SOURCE_TAG, 'Values': ['us-east-1/' + snapshot_id]}])['Snapshots']


def test_another_runs_live_claim_holds_its_region_and_a_claim_that_is_over_does_not(moto_url):
    volume_id = tagged_disk(moto_url, 'copy-claims')
    snapshot_id, dummy = source_of(moto_url, volume_id)
    stamp = (NOW + datetime.timedelta(hours=1)).strftime('%Y%m%dT%H%M%SZ')
    over = (NOW - datetime.timedelta(minutes=1)).strftime('%Y%m%dT%H%M%SZ')
    ec2(moto_url, 'us-east-1').create_tags(Resources=[snapshot_id], Tags=[
        {'Key': COPY_CLAIM_TAG_PREFIX + 'run-under-way', 'Value': stamp + ' eu-west-1'},
        {'Key': COPY_CLAIM_TAG_PREFIX + 'run-killed', 'Value': over + ' us-west-2'}])

    report = dr_run(moto_url, 'copy-claims')

    (disk,) = report['disks']
    by_region = {copy['region']: copy for copy in disk['copies']}
    assert by_region['eu-west-1']['action'] == 'not_copied' and by_region['eu-west-1']['error']['code'] == 'CopyClaimedByAnotherRun'
    assert 'run-under-way' in by_region['eu-west-1']['error']['message'] and disk['missing_regions'] == ['eu-west-1']
    assert not copies_in(moto_url, 'eu-west-1', snapshot_id)
    # The claim that is over holds nothing: copied, and the claim removed along with the run's own.
    assert by_region['us-west-2']['action'] == 'copied' and len(copies_in(moto_url, 'us-west-2', snapshot_id)) == 1
    dummy, tags = source_of(moto_url, volume_id)
    assert [key for key in tags if key.startswith(COPY_CLAIM_TAG_PREFIX)] == [COPY_CLAIM_TAG_PREFIX + 'run-under-way']

    # That run ends (its claim goes): the next run copies to eu-west-1, once, and leaves no claim.
    ec2(moto_url, 'us-east-1').delete_tags(Resources=[snapshot_id], Tags=[{'Key': COPY_CLAIM_TAG_PREFIX + 'run-under-way'}])
    report = dr_run(moto_url, 'copy-claims')
    actions = {copy['region']: copy['action'] for copy in report['disks'][0]['copies']}
    assert actions == {'eu-west-1': 'copied', 'us-west-2': 'existing'}
    assert len(copies_in(moto_url, 'eu-west-1', snapshot_id)) == 1
    dummy, tags = source_of(moto_url, volume_id)
    assert not [key for key in tags if key.startswith(COPY_CLAIM_TAG_PREFIX)]
