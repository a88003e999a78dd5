"""Copy tags (dr_sync's copy_tags, dr.copy_tags; issue 51): the source disk's tags that the user names are carried onto its
DR copies, through the real SDKs against moto's server (AWS) and fakecloud (ECS, ENS, CBS). A new copy gets them in its
copy call (EC2 CopySnapshot's TagSpecifications, ECS CopySnapshot's Tag.N, CBS's TagResources after its copy call); a
copy found gets what changed on the disk since, in one tagging call, and nothing when nothing changed; check mode calls
nothing that writes; the collection's own keys are refused before any call; the cloud's tag limit is reported, never a
failed copy. ENS keeps no tags on snapshots: its copies are made and say so."""

from __future__ import annotations

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr_bridge import ASKED_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    COPY_TAGS_TAG,
    DISK_TAG,
    SHARE_TAG,
    STAGED_FROM_TAG,
    VERIFIED_TAG,
    numbered_tags,
    tag_list,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.copy_tags import NOT_ON_DISK, TAG_FAILED, later_marks
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)

SELECTOR = {'dr': 'yes'}
COST = {'cost-center': 'cc-42', 'team': 'storage'}
NAMED = ['cost-center', 'team', 'billing-code']  # billing-code: on no disk until a test sets it
REGIONS = {
    'ecs': ('cn-hangzhou', 'cn-shanghai'),
    'cbs': ('ap-guangzhou', 'ap-shanghai'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc'),
}
# The calls that write tags on each cloud (test_call_budgets.TAG_CALLS) and those that write anything.
TAG_CALLS = {'ecs': ('TagResources',), 'cbs': ('TagResources',), 'aws': ('CreateTags',)}
COPY_CALL = {'ecs': 'CopySnapshot', 'ens': 'CopySnapshot', 'cbs': 'CopySnapshotCrossRegions', 'aws': 'CopySnapshot'}
# A copy's record of the keys taken off it, when none are.
NOTHING_OFF = {'removed': [], 'not_removed': {}}


def seed(cloud, provider, disks=2, tags=None):
    """``disks`` tagged disks with a snapshot each, carrying ``tags`` (COST by default) besides the selector's."""
    source = REGIONS[provider][0]
    disk_tags = dict(SELECTOR, **(COST if tags is None else tags))
    cloud.admin.configure(timings={provider: {'snapshot_seconds': 0, 'copy_seconds': 0, 'disk_seconds': 0}})
    cloud.admin.seed(
        **{provider: {'disks': [{'region': source, 'size': 20, 'tags': disk_tags, 'snapshots': 1}] * disks}}
    )
    adapter = fakecloud_adapter(cloud, provider)
    return adapter, adapter.find_disks(source, dict(SELECTOR))


def run(cloud, provider, adapter, check_mode=False, named=None, **options):
    source, dr_region = REGIONS[provider]
    cloud.admin.calls(reset=True)
    report = dr_run_with(
        adapter,
        scope(provider, source, [dr_region], SELECTOR, copy_tags=NAMED if named is None else named, **options),
        clock=CloudMovingClock(cloud),
        check_mode=check_mode,
    )
    return report, fakecloud_calls(cloud)


def dr_copies(adapter, region):
    """{disk key: [copy tags dict]} of the DR copies in ``region``."""
    found = {}
    for copy in adapter.list_copies(region):
        found.setdefault(copy.tags.get(DISK_TAG), []).append(copy.tags)
    return found


def set_disk_tags(adapter, provider, disk, tags):
    """Change a disk's tags as a person does, through the cloud's own tag call."""
    if provider == 'ecs':
        params = {'RegionId': disk.region, 'ResourceType': 'disk', 'ResourceId.1': disk.id}
        params.update(numbered_tags(tags))
        adapter.client.call('TagResources', params, disk.region)
    else:
        resource = 'qcs::cvm:%s:uin/:volume/%s' % (disk.region, disk.id)
        adapter.client.call(
            'tag', None, 'TagResources', {'ResourceList': [resource], 'Tags': tag_list(tags, 'TagKey', 'TagValue')}
        )


def untag_disk(adapter, provider, disk, keys):
    """Take tags off a disk as a person does, through the cloud's own untagging call."""
    if provider == 'ecs':
        params = {'RegionId': disk.region, 'ResourceType': 'disk', 'ResourceId.1': disk.id}
        params.update(('TagKey.%d' % number, key) for number, key in enumerate(keys, start=1))
        adapter.client.call('UntagResources', params, disk.region)
    else:
        resource = 'qcs::cvm:%s:uin/:volume/%s' % (disk.region, disk.id)
        adapter.client.call('tag', None, 'UnTagResources', {'ResourceList': [resource], 'TagKeys': list(keys)})


def copy_records(report):
    return [copy['copy_tags'] for disk in report['disks'] for copy in disk['copies']]


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_new_copy_carries_the_named_tags_of_its_disk(fakecloud_clean, provider):
    cloud = fakecloud_clean
    adapter, disks = seed(cloud, provider)
    report, calls = run(cloud, provider, adapter)
    assert report['totals']['copied'] == 2 and not report['failures'], report['failures']
    for record in copy_records(report):
        assert record['action'] == 'copied_with'
        assert record['set'] == COST
        assert record['not_set'] == {'billing-code': NOT_ON_DISK}
    copies = dr_copies(adapter, REGIONS[provider][1])
    for disk in disks:
        (tags,) = copies['%s/%s' % (disk.region, disk.id)]
        assert {key: tags.get(key) for key in COST} == COST
        assert 'billing-code' not in tags
    if provider == 'ecs':
        # In the copy call itself: no tagging call of its own.
        assert 'TagResources' not in calls, calls


def aws_disk(moto_url, keys, source, tags, size=2):
    """A volume of ``size`` GiB in ``source`` tagged ``tags``, with a snapshot: (the region's EC2 client, the volume's id,
    an EbsAdapter of ``keys``)."""
    client = ec2_with(moto_url, keys, source)
    volume = client.create_volume(
        Size=size,
        AvailabilityZone=source + 'a',
        TagSpecifications=[{'ResourceType': 'volume', 'Tags': tag_list(tags)}],
    )['VolumeId']
    client.create_snapshot(VolumeId=volume)
    return client, volume, EbsAdapter(AwsClient(dict(keys, endpoint_url=moto_url), botocore_module=botocore))


def test_a_new_aws_copy_carries_the_named_tags_in_its_copy_call(moto_url, moto_calls):
    source, dr_region = 'eu-west-3', 'eu-central-1'
    keys = {'access_key': 'AKIASNAPCOPYTAGS0001', 'secret_key': 'snapcopy-copy-tags'}
    client, volume, adapter = aws_disk(moto_url, keys, source, dict(SELECTOR, **COST))
    options = scope('aws', source, [dr_region], SELECTOR, copy_tags=NAMED)
    moto_calls.clear()
    report = dr_run_with(adapter, options, clock=FakeClock())
    assert report['totals']['copied'] == 1 and not report['failures'], report['failures']
    (record,) = copy_records(report)
    assert record == dict(NOTHING_OFF, action='copied_with', set=COST, not_set={'billing-code': NOT_ON_DISK})
    copy_id = report['disks'][0]['copies'][0]['snapshot_id']
    (snapshot,) = ec2_with(moto_url, keys, dr_region).describe_snapshots(SnapshotIds=[copy_id])['Snapshots']
    tags = {tag['Key']: tag['Value'] for tag in snapshot['Tags']}
    assert {key: tags.get(key) for key in COST} == COST
    # The copy tags came with CopySnapshot: CreateTags only for the run's copy lease on the source and the copy's own
    # mark (COPY_TAG), as without copy_tags.
    assert moto_calls.get('CreateTags') == 2, moto_calls

    # A cost center moved: the copy follows in one CreateTags; a rerun then writes nothing.
    client.create_tags(Resources=[volume], Tags=[{'Key': 'cost-center', 'Value': 'cc-7'}])
    moto_calls.clear()
    again = dr_run_with(adapter, options, clock=FakeClock())
    (record,) = copy_records(again)
    assert record['action'] == 'tagged' and record['set'] == {'cost-center': 'cc-7'}
    assert again['changed'] and again['totals']['copied'] == 0
    assert moto_calls.get('CreateTags') == 1 and 'CopySnapshot' not in moto_calls, moto_calls
    moto_calls.clear()
    third = dr_run_with(adapter, options, clock=FakeClock())
    assert not third['changed'] and copy_records(third)[0]['action'] == 'unchanged'
    assert 'CreateTags' not in moto_calls, moto_calls


def test_an_ebs_copy_full_of_copy_tags_keeps_room_for_the_marks_verification_writes_later(moto_url):
    """EC2 keeps 50 tags on a snapshot. A disk with 48 tags, all named in copy_tags: its copy takes only as many as leave
    room for the marks a run writes after the copy call (verification's, the churn alarm's), and verification then marks
    it, within the limit (make mutation: the room for those three marks, dropped, passed every test)."""
    source, dr_region = 'sa-east-1', 'me-south-1'
    keys = {'access_key': 'AKIASNAPCOPYTAGS0002', 'secret_key': 'snapcopy-copy-tags'}
    many = {'k%02d' % number: 'v%02d' % number for number in range(48)}
    dummy, dummy, adapter = aws_disk(moto_url, keys, source, dict(SELECTOR, **many), size=1)
    options = scope('aws', source, [dr_region], SELECTOR, copy_tags=sorted(many), verify=8, churn_alarm=50)
    report = dr_run_with(adapter, options, clock=FakeClock())
    assert report['totals']['copied'] == 1 and not report['failures'], report['failures']
    (record,) = copy_records(report)
    assert record['not_set'] and all('no room' in why for why in record['not_set'].values()), record
    (copy,) = report['disks'][0]['copies']
    assert copy['verification']['action'] == 'verified' and 'mark_error' not in copy['verification'], copy[
        'verification'
    ]
    (snapshot,) = ec2_with(moto_url, keys, dr_region).describe_snapshots(SnapshotIds=[copy['snapshot_id']])['Snapshots']
    tags = {tag['Key']: tag['Value'] for tag in snapshot['Tags']}
    assert tags.get(VERIFIED_TAG) == copy['verification']['mark'] and len(tags) <= 50, len(tags)
    # Room is left for the churn alarm's two marks too, which its later runs write.
    assert len(tags) + 2 <= 50, len(tags)


def test_ens_copies_are_made_and_say_that_ens_keeps_no_tags(fakecloud_clean):
    cloud = fakecloud_clean
    adapter, dummy = seed(cloud, 'ens')
    report, calls = run(cloud, 'ens', adapter)
    assert report['totals']['copied'] == 2 and not report['failures'], report['failures']
    for record in copy_records(report):
        assert record['action'] == 'unchanged' and record['set'] == {}
        assert set(record['not_set']) == set(NAMED)
        assert all('keeps no tags on snapshots' in reason for reason in record['not_set'].values())
    assert any('copy_tags' in warning for warning in report['run_warnings'])
    assert calls.get('CopySnapshot') == 2  # the copies are made all the same


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_changed_disk_tag_reaches_every_copy_then_a_rerun_changes_nothing(fakecloud_clean, provider):
    cloud = fakecloud_clean
    adapter, disks = seed(cloud, provider, disks=1)
    run(cloud, provider, adapter)
    # A second copy of the disk: a newer snapshot, copied by the next run.
    adapter.create_snapshot(disks[0].region, disks[0], 'newer', 'newer', {})
    cloud.admin.advance_clock(5)
    run(cloud, provider, adapter)
    set_disk_tags(adapter, provider, disks[0], {'cost-center': 'cc-9', 'billing-code': 'p1'})
    report, calls = run(cloud, provider, adapter)
    assert report['changed'] and report['totals']['copied'] == 0
    (record,) = copy_records(report)
    assert record['action'] == 'tagged'
    assert record['set'] == {'cost-center': 'cc-9', 'billing-code': 'p1'} and record['not_set'] == {}
    (older,) = report['disks'][0]['other_copy_tags']
    assert older['action'] == 'tagged' and older['set'] == record['set']
    # Both copies need the same tags, in one region: one tagging call for the two.
    assert sum(calls.get(action, 0) for action in TAG_CALLS[provider]) == 1, calls
    (tags_a, tags_b) = dr_copies(adapter, REGIONS[provider][1])['%s/%s' % (disks[0].region, disks[0].id)]
    for tags in (tags_a, tags_b):
        assert (tags['cost-center'], tags['billing-code'], tags['team']) == ('cc-9', 'p1', 'storage')
    again, calls = run(cloud, provider, adapter)
    assert not again['changed'], again['disks'][0]
    assert copy_records(again)[0]['action'] == 'unchanged' and again['disks'][0]['other_copy_tags'] == []
    assert not any(calls.get(action) for action in TAG_CALLS[provider]), calls


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_check_mode_says_what_it_would_tag_and_writes_nothing(fakecloud_clean, provider):
    cloud = fakecloud_clean
    adapter, disks = seed(cloud, provider, disks=1)
    planned, calls = run(cloud, provider, adapter, check_mode=True)
    (record,) = copy_records(planned)
    assert record == dict(NOTHING_OFF, action='would_copy_with', set=COST, not_set={'billing-code': NOT_ON_DISK})
    assert COPY_CALL[provider] not in calls
    run(cloud, provider, adapter)
    set_disk_tags(adapter, provider, disks[0], {'team': 'databases'})
    planned, calls = run(cloud, provider, adapter, check_mode=True)
    (record,) = copy_records(planned)
    assert record['action'] == 'would_tag' and record['set'] == {'team': 'databases'}
    assert planned['changed']
    assert not any(calls.get(action) for action in TAG_CALLS[provider]), calls
    (tags,) = dr_copies(adapter, REGIONS[provider][1])['%s/%s' % (disks[0].region, disks[0].id)]
    assert tags['team'] == 'storage'


@pytest.mark.parametrize(
    'named, words',
    [
        (['snapcopy:disk'], "this collection's own"),
        (['SnapCopy:Source'], "this collection's own"),
        (['team', 'team'], 'named twice'),
        (['acs:owner'], 'reserved'),
    ],
)
def test_keys_no_run_may_set_are_refused_before_any_call(fakecloud_clean, named, words):
    cloud = fakecloud_clean
    adapter, dummy = seed(cloud, 'ecs', disks=1)
    cloud.admin.calls(reset=True)
    source, dr_region = REGIONS['ecs']
    with pytest.raises(InputError, match=words) as refused:
        dr_run_with(adapter, scope('ecs', source, [dr_region], SELECTOR, copy_tags=named), clock=FakeClock())
    assert refused.value.option == 'copy_tags'
    assert fakecloud_calls(cloud) == {}


def test_a_key_also_in_tags_is_refused(fakecloud_clean):
    adapter, dummy = seed(fakecloud_clean, 'ecs', disks=1)
    source, dr_region = REGIONS['ecs']
    options = scope('ecs', source, [dr_region], SELECTOR, copy_tags=['team'], tags={'team': 'dr'})
    with pytest.raises(InputError, match='in tags too'):
        dr_run_with(adapter, options, clock=FakeClock())


def test_the_tag_limit_leaves_copy_tags_out_and_says_so_the_copy_is_made(fakecloud_clean):
    """ECS: 20 tags a snapshot. The copy call carries SOURCE_TAG, DISK_TAG, POINT_TAG, 2 of the run's fixed tags and the
    record of the copy tags (COPY_TAGS_TAG), and room is kept for verify's verdict and the restore drill's mark: 12 for
    copy tags, of 20 the disk carries; the 8 left out are reported, the copy is made, and a rerun neither fails nor
    writes."""
    cloud = fakecloud_clean
    many = {'c%02d' % number: 'v%d' % number for number in range(19)}  # with the selector's key, the disk's 20
    adapter, disks = seed(cloud, 'ecs', disks=1, tags=many)
    named = [*sorted(many), 'dr']
    source, dr_region = REGIONS['ecs']
    options = scope('ecs', source, [dr_region], SELECTOR, copy_tags=named, tags={'owner': 'dr', 'tier': 'gold'})
    cloud.admin.calls(reset=True)
    report = dr_run_with(adapter, options, clock=CloudMovingClock(cloud))
    assert report['totals']['copied'] == 1 and not report['failures'], report['failures']
    (record,) = copy_records(report)
    assert record['action'] == 'copied_with' and len(record['set']) == 12
    assert len(record['not_set']) == 8 and all('no room' in reason for reason in record['not_set'].values())
    (tags,) = dr_copies(adapter, dr_region)['%s/%s' % (disks[0].region, disks[0].id)]
    assert len(tags) == 18
    again = dr_run_with(adapter, options, clock=CloudMovingClock(cloud))
    (record,) = copy_records(again)
    assert record['action'] == 'unchanged' and len(record['not_set']) == 8 and not again['failures']
    assert not again['changed']


def test_a_found_copy_with_no_room_gets_new_values_of_its_keys_but_no_new_key(fakecloud_clean):
    """CBS: 50 tags a snapshot. A DR copy that a person filled to the limit (room kept for the drill's mark) still gets a
    changed value of a key it carries; a key new to it is reported, never a failed run."""
    cloud = fakecloud_clean
    adapter, disks = seed(cloud, 'cbs', disks=1)
    run(cloud, 'cbs', adapter)
    dr_region = REGIONS['cbs'][1]
    (copy,) = adapter.list_copies(dr_region)
    # SOURCE_TAG, DISK_TAG, POINT_TAG, COPY_TAG, the 2 copy tags and their record, room for verify's verdict and the
    # drill's mark: 41 more make 50.
    adapter.tag_copy(copy, {'person-%02d' % number: 'x' for number in range(41)})
    set_disk_tags(adapter, 'cbs', disks[0], {'team': 'databases', 'billing-code': 'b7'})
    report, calls = run(cloud, 'cbs', adapter)
    assert not report['failures'], report['failures']
    (record,) = copy_records(report)
    assert record['action'] == 'tagged' and record['set'] == {'team': 'databases'}
    assert (
        'no room' in record['not_set']['billing-code']
        and 'Tencent Cloud allows 50' in record['not_set']['billing-code']
    )
    assert calls.get('TagResources') == 1, calls
    (tags,) = list(dr_copies(adapter, dr_region).values())
    assert tags[0]['team'] == 'databases' and 'billing-code' not in tags[0] and len(tags[0]) == 48


def test_with_a_dr_account_cbs_keeps_room_for_its_staging_marks(fakecloud_clean):
    """CBS's DR account stages each copy (its share and request time on it) and snapshots a bridge disk (the link to the
    staged copy on the DR account's copy): the copy tags leave room for those too, only with a DR account."""
    adapter = fakecloud_adapter(fakecloud_clean, 'cbs')
    extra = set(later_marks(adapter, dr_account=True)) - set(later_marks(adapter))
    assert extra == {SHARE_TAG, ASKED_TAG, STAGED_FROM_TAG}
    assert later_marks(fakecloud_adapter(fakecloud_clean, 'ecs'), dr_account=True) == later_marks(
        fakecloud_adapter(fakecloud_clean, 'ecs')
    )


# Issue 60: a disk's tag renamed (team to owner) no longer leaves the old key on its copies beside the new one.
UNTAG_CALLS = {'ecs': 'UntagResources', 'cbs': 'UnTagResources', 'aws': 'DeleteTags'}
RENAMING = ['cost-center', 'team', 'owner', 'billing-code']
OFF_DISK = {'billing-code': NOT_ON_DISK, 'team': NOT_ON_DISK}


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_renamed_disk_tag_is_taken_off_the_copies_and_a_key_set_by_hand_stays(fakecloud_clean, provider):
    cloud = fakecloud_clean
    adapter, (disk,) = seed(cloud, provider, disks=1)
    dr_region = REGIONS[provider][1]
    first, dummy = run(cloud, provider, adapter, named=RENAMING)
    assert first['totals']['copied'] == 1 and not first['failures'], first['failures']
    (copy,) = adapter.list_copies(dr_region)
    assert copy.tags[COPY_TAGS_TAG] == 'cost-center team'  # written in the copy call (CBS: its TagResources)
    # A person's keys on the copy: one copy_tags does not name, and one it names that the disk does not carry.
    adapter.tag_copy(copy, {'hand': 'made', 'billing-code': 'p-7'})
    set_disk_tags(adapter, provider, disk, {'owner': 'storage'})
    untag_disk(adapter, provider, disk, ['team'])

    planned, calls = run(cloud, provider, adapter, check_mode=True, named=RENAMING)
    (record,) = copy_records(planned)
    assert record['action'] == 'would_tag' and record['removed'] == ['team'] and planned['changed']
    assert record['set'] == {'owner': 'storage'}
    assert not calls.get('TagResources') and not calls.get(UNTAG_CALLS[provider]), calls
    (tags,) = list(dr_copies(adapter, dr_region).values())
    assert tags[0]['team'] == 'storage'

    report, calls = run(cloud, provider, adapter, named=RENAMING)
    (record,) = copy_records(report)
    assert record == dict(action='tagged', set={'owner': 'storage'}, not_set=OFF_DISK, removed=['team'], not_removed={})
    # One call sets the new key and the record; one takes the old key off.
    assert calls.get('TagResources') == 1 and calls.get(UNTAG_CALLS[provider]) == 1, calls
    ((tags,),) = list(dr_copies(adapter, dr_region).values())
    assert 'team' not in tags and tags['owner'] == 'storage' and tags['cost-center'] == 'cc-42'
    assert tags['hand'] == 'made' and tags['billing-code'] == 'p-7'
    assert tags[COPY_TAGS_TAG] == 'cost-center owner'

    again, calls = run(cloud, provider, adapter, named=RENAMING)
    assert not again['changed'] and copy_records(again)[0]['action'] == 'unchanged'
    assert not calls.get('TagResources') and not calls.get(UNTAG_CALLS[provider]), calls


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_tag_the_disk_drops_goes_with_its_record_once_no_copy_tag_is_left(fakecloud_clean, provider):
    """The disk's only copy tag removed: the key and the record go in one untagging call, with no tagging call."""
    cloud = fakecloud_clean
    adapter, (disk,) = seed(cloud, provider, disks=1, tags={'team': 'storage'})
    run(cloud, provider, adapter, named=['team'])
    untag_disk(adapter, provider, disk, ['team'])
    report, calls = run(cloud, provider, adapter, named=['team'])
    (record,) = copy_records(report)
    assert record['action'] == 'tagged' and record['removed'] == ['team'] and record['set'] == {}
    assert calls.get(UNTAG_CALLS[provider]) == 1 and not calls.get('TagResources'), calls
    ((tags,),) = list(dr_copies(adapter, REGIONS[provider][1]).values())
    assert 'team' not in tags and COPY_TAGS_TAG not in tags


# A refusal of the tagging and untagging calls: (the fault rule's cloud, its code) on each cloud. ECS: a RAM policy that
# lacks the action; CBS's tags are Tencent's tag service's, whose common code for an action not allowed is this one.
REFUSED_TAGGING = {'ecs': ('ecs', 'Forbidden.RAM'), 'cbs': ('tag', 'AuthFailure.UnauthorizedOperation')}


@pytest.mark.parametrize('provider', ['ecs', 'cbs'])
def test_a_refused_tagging_call_fails_the_copy_tags_never_the_copy_and_the_next_run_catches_up(
    fakecloud_clean, provider
):
    """The cloud refuses both the tagging and the untagging of a found copy: its copy tags are failed, with the cloud's
    words, in its record and a warning; the copy stands (no failure, nothing copied again); the next run tags it."""
    cloud = fakecloud_clean
    adapter, (disk,) = seed(cloud, provider, disks=1)
    dr_region = REGIONS[provider][1]
    run(cloud, provider, adapter)
    set_disk_tags(adapter, provider, disk, {'cost-center': 'cc-9'})
    untag_disk(adapter, provider, disk, ['team'])
    fault_cloud, code = REFUSED_TAGGING[provider]
    cloud.admin.faults(
        rules=[
            {'cloud': fault_cloud, 'action': action, 'error_rate': 1.0, 'error_code': code}
            for action in ('TagResources', UNTAG_CALLS[provider])
        ]
    )
    try:
        refused, dummy = run(cloud, provider, adapter)
    finally:
        cloud.admin.faults(rules=[])
    (record,) = copy_records(refused)
    (copy,) = adapter.list_copies(dr_region)
    assert record['action'] == TAG_FAILED and record['set'] == {} and record['removed'] == [], record
    assert code in record['not_set']['cost-center'] and code in record['not_removed']['team'], record
    assert not refused['failures'] and refused['totals']['copied'] == 0, refused['failures']
    warnings = [
        warning for warning in refused['run_warnings'] if 'copy tags of %s in %s' % (copy.id, dr_region) in warning
    ]
    assert len(warnings) == 2 and all(code in warning for warning in warnings), refused['run_warnings']
    assert (copy.tags['cost-center'], copy.tags['team']) == ('cc-42', 'storage')

    caught_up, dummy = run(cloud, provider, adapter)
    (record,) = copy_records(caught_up)
    assert record['action'] == 'tagged' and record['set'] == {'cost-center': 'cc-9'} and record['removed'] == ['team']
    ((tags,),) = list(dr_copies(adapter, dr_region).values())
    assert tags['cost-center'] == 'cc-9' and 'team' not in tags


def test_a_key_once_copied_that_the_tags_option_now_sets_stays(fakecloud_clean):
    """team moved from copy_tags to the run's fixed tags (with the same value): no run takes it off, and the record
    stops naming it, in one tagging call; then nothing."""
    cloud = fakecloud_clean
    adapter, dummy = seed(cloud, 'ecs', disks=1)
    run(cloud, 'ecs', adapter, named=['cost-center', 'team'])
    report, calls = run(cloud, 'ecs', adapter, named=['cost-center'], tags={'team': 'storage'})
    assert not report['failures'], report['failures']
    (record,) = copy_records(report)
    assert record['removed'] == [] and record['action'] == 'unchanged'
    assert not calls.get('UntagResources') and calls.get('TagResources') == 1, calls
    ((tags,),) = list(dr_copies(adapter, REGIONS['ecs'][1]).values())
    assert tags['team'] == 'storage' and tags[COPY_TAGS_TAG] == 'cost-center'
    again, calls = run(cloud, 'ecs', adapter, named=['cost-center'], tags={'team': 'storage'})
    assert not again['changed'] and not calls.get('TagResources') and not calls.get('UntagResources'), calls


def test_an_aws_copy_loses_a_renamed_tag_and_keeps_a_key_set_by_hand(moto_url, moto_calls):
    source, dr_region = 'eu-west-3', 'eu-north-1'
    keys = {'access_key': 'AKIASNAPCOPYTAGS0002', 'secret_key': 'snapcopy-copy-tags'}
    # moto keeps one state per process, and another test of this file tags disks dr=yes in this region: a value of its own.
    selector = {'dr': 'renamed'}
    client, volume, adapter = aws_disk(moto_url, keys, source, dict(selector, **COST))
    options = scope('aws', source, [dr_region], selector, copy_tags=RENAMING)
    first = dr_run_with(adapter, options, clock=FakeClock())
    copy_id = first['disks'][0]['copies'][0]['snapshot_id']
    dr_client = ec2_with(moto_url, keys, dr_region)
    dr_client.create_tags(Resources=[copy_id], Tags=tag_list({'hand': 'made', 'billing-code': 'p-7'}))
    client.create_tags(Resources=[volume], Tags=[{'Key': 'owner', 'Value': 'storage'}])
    client.delete_tags(Resources=[volume], Tags=[{'Key': 'team'}])

    def copy_tags():
        (snapshot,) = dr_client.describe_snapshots(SnapshotIds=[copy_id])['Snapshots']
        return {tag['Key']: tag['Value'] for tag in snapshot['Tags']}

    moto_calls.clear()
    planned = dr_run_with(adapter, options, clock=FakeClock(), check_mode=True)
    (record,) = copy_records(planned)
    assert record['action'] == 'would_tag' and record['removed'] == ['team']
    assert 'CreateTags' not in moto_calls and 'DeleteTags' not in moto_calls, moto_calls
    assert copy_tags()['team'] == 'storage'
    moto_calls.clear()
    report = dr_run_with(adapter, options, clock=FakeClock())
    (record,) = copy_records(report)
    assert record == dict(action='tagged', set={'owner': 'storage'}, not_set=OFF_DISK, removed=['team'], not_removed={})
    assert moto_calls.get('CreateTags') == 1 and moto_calls.get('DeleteTags') == 1, moto_calls
    tags = copy_tags()
    assert 'team' not in tags and tags['owner'] == 'storage' and tags['hand'] == 'made'
    assert tags['billing-code'] == 'p-7' and tags[COPY_TAGS_TAG] == 'cost-center owner'
    moto_calls.clear()
    again = dr_run_with(adapter, options, clock=FakeClock())
    assert not again['changed'] and 'CreateTags' not in moto_calls and 'DeleteTags' not in moto_calls, moto_calls
