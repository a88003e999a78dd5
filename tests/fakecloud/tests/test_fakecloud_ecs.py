"""ECS 2014-05-26 through the real aliyun SDK (aliyunsdkecs + aliyunsdkcore)."""

from __future__ import annotations

import datetime
import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526 import (
    CreateSnapshotRequest,
    DeleteSnapshotRequest,
    DescribeDisksRequest,
    DescribeLockedSnapshotsRequest,
    DescribeRegionsRequest,
    DescribeSnapshotsRequest,
    ListTagResourcesRequest,
    LockSnapshotRequest,
    TagResourcesRequest,
    UntagResourcesRequest,
)

from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client, ecs_copy_request

REGION = 'cn-hangzhou'
DR = 'cn-beijing'


def call(fc, request, client=None):
    return alibaba_call(fc.endpoint, client or alibaba_client(REGION), request)


def error_of(fc, request, client=None) -> ServerException:
    with pytest.raises(ServerException) as info:
        call(fc, request, client)
    return info.value


def seed_one(fc, **disk) -> tuple:
    created = fc.admin.seed(ecs={'disks': [dict({'region': REGION, 'snapshots': 1}, **disk)]})['ecs']
    return created['disks'][0], created['snapshots'][0]


def describe(fc, **params) -> dict:
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    for key, value in params.items():
        getattr(req, 'set_' + key)(value)
    return call(fc, req)


def copy_request(snapshot_id: str, **params):
    """A CopySnapshot request with the name and description ECS requires (unless given, or None to leave out)."""
    return ecs_copy_request(snapshot_id, params.pop('DestinationRegionId', DR), **params)


def test_describe_regions(fc):
    regions = call(fc, DescribeRegionsRequest.DescribeRegionsRequest())['Regions']['Region']
    assert {'cn-hangzhou', 'cn-beijing'} <= {r['RegionId'] for r in regions}


def test_describe_disks_tags_and_both_paging_styles(fc):
    fc.admin.seed(ecs={'disks': [{'region': REGION, 'tags': {'dr': 'yes' if i % 2 else 'no'}} for i in range(30)]})
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_Tags([{'Key': 'dr', 'Value': 'yes'}])
    req.set_MaxResults(10)
    seen, token = [], None
    while True:
        if token:
            req.set_NextToken(token)
        answer = call(fc, req)
        seen += [d['DiskId'] for d in answer['Disks']['Disk']]
        token = answer['NextToken']
        if not token:
            break
    assert len(seen) == len(set(seen)) == 15
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_PageSize(20)
    req.set_PageNumber(2)
    answer = call(fc, req)
    assert answer['TotalCount'] == 30 and len(answer['Disks']['Disk']) == 10
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_DiskIds(json.dumps(seen[:3]))
    disks = call(fc, req)['Disks']['Disk']
    assert {d['DiskId'] for d in disks} == set(seen[:3]) and disks[0]['Tags']['Tag'] == [
        {'TagKey': 'dr', 'TagValue': 'yes'}
    ]


def test_describe_snapshots_fields_filters_and_paging_past_one_page(fc):
    created = fc.admin.seed(ecs={'disks': [{'region': REGION, 'snapshots': 250, 'tags': {'k': 'v'}}]})['ecs']
    fc.admin.seed(
        ecs={
            'snapshots': [
                {'region': REGION, 'disk_id': created['disks'][0], 'status': 'progressing', 'tags': {'env': 'prod'}}
            ]
        }
    )
    ids, token = [], ''
    while True:
        answer = describe(fc, MaxResults=100, **({'NextToken': token} if token else {}))
        ids += [s['SnapshotId'] for s in answer['Snapshots']['Snapshot']]
        token = answer['NextToken']
        if not token:
            break
    assert len(ids) == len(set(ids)) == 251
    page3 = describe(fc, PageSize=100, PageNumber=3)
    assert page3['TotalCount'] == 251 and len(page3['Snapshots']['Snapshot']) == 51
    newest = describe(fc, SnapshotIds=json.dumps([created['snapshots'][-1]]))['Snapshots']['Snapshot'][0]
    assert newest['Status'] == 'accomplished' and newest['Progress'] == '100%'
    assert newest['SourceDiskId'] == created['disks'][0] and newest['Category'] == 'standard'
    assert newest['CreationTime'].endswith('Z') and newest['Encrypted'] is False
    for key in (
        'SnapshotName',
        'Description',
        'SourceDiskSize',
        'SourceDiskType',
        'KMSKeyId',
        'RetentionDays',
        'SourceSnapshotId',
        'SourceRegionId',
        'Tags',
    ):
        assert key in newest
    running = describe(fc, Status='progressing')['Snapshots']['Snapshot']
    assert len(running) == 1 and running[0]['Tags']['Tag'] == [{'TagKey': 'env', 'TagValue': 'prod'}]
    assert describe(fc, Tags=[{'Key': 'env', 'Value': 'prod'}])['TotalCount'] == 1
    assert describe(fc, Status='accomplished', DiskId=created['disks'][0])['TotalCount'] == 250
    with pytest.raises(ServerException):
        describe(fc, MaxResults=101)


def test_a_lock_keeps_a_snapshot_from_deletion_until_it_expires(fc):
    """LockSnapshot on a snapshot in progress: its duration counts from when the snapshot is accomplished; the snapshot
    cannot be deleted in the cool-off or the lock, and can once the lock has expired (LockSnapshotRequest's docs)."""
    # The clock moves a day here: the SDK's timestamps, taken from the real clock, must stay acceptable.
    fc.admin.configure(alibaba_timestamp_window_seconds=3 * 86400)
    disk_id, dummy = seed_one(fc)
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_DiskId(disk_id)
    snapshot_id = call(fc, req)['SnapshotId']
    req = LockSnapshotRequest.LockSnapshotRequest()
    req.set_SnapshotId(snapshot_id)
    req.set_LockMode('compliance')
    req.set_LockDuration(1)
    req.set_CoolOffPeriod(1)
    info = call(fc, req)['LockedSnapshotInfo']
    # Its duration has not begun: no start or expiry is answered until the snapshot is accomplished.
    assert info['LockStatus'] == 'compliance-cooloff' and info['LockCreationTime'] and info['CoolOffPeriodExpiredTime']
    assert 'LockDurationStartTime' not in info and 'LockExpiredTime' not in info

    def locked() -> dict:
        req = DescribeLockedSnapshotsRequest.DescribeLockedSnapshotsRequest()
        req.set_SnapshotIdss([snapshot_id])
        (found,) = call(fc, req)['LockedSnapshotsInfo']
        return found

    def lock_status() -> str:
        return locked()['LockStatus']

    def delete_error() -> str | None:
        req = DeleteSnapshotRequest.DeleteSnapshotRequest()
        req.set_SnapshotId(snapshot_id)
        req.set_Force(True)
        try:
            call(fc, req)
        except ServerException as error:
            return error.get_error_code()
        return None

    assert delete_error() == 'InvalidOperation.SnapshotLocked'
    fc.admin.advance_clock(3601)
    assert lock_status() == 'compliance' and delete_error() == 'InvalidOperation.SnapshotLocked'
    assert locked()['LockDurationStartTime'] > locked()['LockCreationTime']
    fc.admin.advance_clock(86400 - 3601)  # a day after locking, but not after the snapshot was accomplished
    assert lock_status() == 'compliance'
    fc.admin.advance_clock(60)
    assert lock_status() == 'expired' and delete_error() is None


def lock_request(snapshot_id: str, days: int, cool_off: int = 0, token: str | None = None):
    req = LockSnapshotRequest.LockSnapshotRequest()
    req.set_SnapshotId(snapshot_id)
    req.set_LockMode('compliance')
    req.set_LockDuration(days)
    req.set_CoolOffPeriod(cool_off)
    if token is not None:
        req.set_ClientToken(token)
    return req


def held_lock(fc, snapshot_id: str) -> dict:
    req = DescribeLockedSnapshotsRequest.DescribeLockedSnapshotsRequest()
    req.set_SnapshotIdss([snapshot_id])
    (found,) = call(fc, req)['LockedSnapshotsInfo']
    return found


def test_a_lock_token_sent_again_once_the_lock_has_expired_is_answered_as_the_first_and_changes_nothing(fc):
    """ECS answers a ClientToken it has seen with the first answer, "no effect on server state" (How to ensure
    idempotence), and names no time after which it forgets one: a lock set again must carry a new token."""
    fc.admin.configure(alibaba_timestamp_window_seconds=3 * 86400)
    dummy, snapshot_id = seed_one(fc)
    first = call(fc, lock_request(snapshot_id, 1, token='lock-1'))['LockedSnapshotInfo']
    assert first['LockStatus'] == 'compliance'
    fc.admin.advance_clock(86400 + 60)
    assert held_lock(fc, snapshot_id)['LockStatus'] == 'expired'
    again = call(fc, lock_request(snapshot_id, 1, token='lock-1'))['LockedSnapshotInfo']
    assert again == first
    assert held_lock(fc, snapshot_id)['LockStatus'] == 'expired'
    assert fc.admin.calls()['calls']['ecs']['LockSnapshot'] == {'calls': 2, 'errors': 0, 'mutations': 1}
    assert call(fc, lock_request(snapshot_id, 1, token='lock-2'))['LockedSnapshotInfo']['LockStatus'] == 'compliance'
    assert held_lock(fc, snapshot_id)['LockStatus'] == 'compliance'
    # A token names one request of the account, whatever its action.
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_DiskId(dummy)
    req.set_ClientToken('lock-1')
    assert error_of(fc, req).get_error_code() == 'IdempotentParameterMismatch'


def test_a_lock_must_expire_on_or_before_the_snapshots_retention_ends(fc):
    """ "The lock must expire on or before the snapshot retention period" (the guide "Lock a snapshot"); the retention
    counts from the snapshot's creation, a lock from its start, on a snapshot in progress from its completion."""
    # Retention ends a day and a minute from now: a one-day lock fits, a two-day lock does not.
    dummy, snapshot_id = seed_one(fc, snapshots=[{'retention_days': 10, 'age_seconds': 9 * 86400 - 60}])
    assert error_of(fc, lock_request(snapshot_id, 2)).get_error_code() == 'InvalidParameter.LockDuration'
    assert not fc.admin.calls()['calls']['ecs']['LockSnapshot']['mutations']
    assert call(fc, lock_request(snapshot_id, 1))['LockedSnapshotInfo']['LockStatus'] == 'compliance'
    # A snapshot still in progress, done in two days and kept three from its creation: a lock counts from its
    # completion, so a two-day lock would outlast it, and a one-day lock ends with the retention, which is allowed.
    fc.admin.configure(timings={'ecs': {'snapshot_seconds': 2 * 86400}})
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_DiskId(dummy)
    req.set_RetentionDays(3)
    pending = call(fc, req)['SnapshotId']
    assert error_of(fc, lock_request(pending, 2)).get_error_code() == 'InvalidParameter.LockDuration'
    info = call(fc, lock_request(pending, 1, cool_off=1))['LockedSnapshotInfo']
    assert info['LockStatus'] == 'compliance-cooloff' and 'LockExpiredTime' not in info
    created = describe(fc, SnapshotIds=json.dumps([pending]))['Snapshots']['Snapshot'][0]['CreationTime']
    released = datetime.datetime.strptime(created, '%Y-%m-%dT%H:%M:%SZ') + datetime.timedelta(days=3)
    # Once the snapshot is accomplished, the lock answers its start and its expiry: the day the retention ends.
    fc.admin.configure(alibaba_timestamp_window_seconds=3 * 86400)
    fc.admin.advance_clock(2 * 86400 + 1)
    req = DescribeLockedSnapshotsRequest.DescribeLockedSnapshotsRequest()
    req.set_SnapshotIdss([pending])
    (info,) = call(fc, req)['LockedSnapshotsInfo']
    assert info['LockExpiredTime'] == released.strftime('%Y-%m-%dT%H:%M:%SZ')


def test_create_snapshot_progresses_with_the_clock(fc):
    disk_id, dummy = seed_one(fc)
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_DiskId(disk_id)
    req.set_SnapshotName('daily-1')
    req.set_Tags([{'Key': 'team', 'Value': 'a'}])
    snapshot_id = call(fc, req)['SnapshotId']
    first = describe(fc, SnapshotIds=json.dumps([snapshot_id]))['Snapshots']['Snapshot'][0]
    assert first['Status'] == 'progressing' and first['Progress'] == '0%'
    fc.admin.advance_clock(5)
    middle = describe(fc, SnapshotIds=json.dumps([snapshot_id]))['Snapshots']['Snapshot'][0]
    assert middle['Status'] == 'progressing' and 40 <= int(middle['Progress'].rstrip('%')) < 100
    fc.admin.advance_clock(6)
    done = describe(fc, SnapshotIds=json.dumps([snapshot_id]))['Snapshots']['Snapshot'][0]
    assert done['Status'] == 'accomplished' and done['Progress'] == '100%' and done['SnapshotName'] == 'daily-1'
    req = CreateSnapshotRequest.CreateSnapshotRequest()
    req.set_DiskId('d-doesnotexist')
    assert error_of(fc, req).get_error_code() == 'InvalidDiskId.NotFound'


def test_copy_snapshot_all_parameters_and_lifecycle(fc):
    dummy, source = seed_one(fc)
    req = copy_request(
        source,
        DestinationSnapshotName='dr-copy:1',
        DestinationSnapshotDescription='nightly copy',
        RetentionDays=7,
        Tags=[{'Key': 'snapcopy', 'Value': source}, {'Key': 'empty', 'Value': ''}],
        Encrypted=True,
        KMSKeyId='key-1',
    )
    copy_id = call(fc, req)['SnapshotId']
    assert copy_id.startswith('s-') and copy_id != source
    assert describe(fc)['TotalCount'] == 1  # nothing new in the source region
    client = alibaba_client(DR)
    req = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    req.set_SnapshotIds(json.dumps([copy_id]))
    snap = call(fc, req, client)['Snapshots']['Snapshot'][0]
    assert snap['Status'] == 'progressing' and snap['SourceSnapshotId'] == source and snap['SourceRegionId'] == REGION
    assert snap['SnapshotName'] == 'dr-copy:1' and snap['Description'] == 'nightly copy'
    assert snap['RetentionDays'] == 7 and snap['Encrypted'] is True and snap['KMSKeyId'] == 'key-1'
    assert {t['TagKey']: t['TagValue'] for t in snap['Tags']['Tag']} == {'snapcopy': source, 'empty': ''}
    fc.admin.advance_clock(21)
    snap = call(fc, req, client)['Snapshots']['Snapshot'][0]
    assert snap['Status'] == 'accomplished' and snap['Progress'] == '100%'


def test_a_parameter_fakecloud_does_not_emulate_is_refused_not_ignored(fc):
    """Vendor parameters that no handler reads (ResourceGroupId here) and invented ones alike."""
    dummy, source = seed_one(fc)
    for params in ({'ResourceGroupId': 'rg-1'}, {'OwnerId': 1}):
        err = error_of(fc, copy_request(source, **params))
        assert err.get_error_code() == 'InvalidParameter' and next(iter(params)) in err.get_error_msg()
    req = copy_request(source)
    req.add_query_param('DestinationSnapshotNmae', 'typo')
    assert 'DestinationSnapshotNmae' in error_of(fc, req).get_error_msg()
    assert fc.admin.calls()['total_mutations'] == 0


def test_copy_snapshot_client_token_is_idempotent(fc):
    dummy, source = seed_one(fc)
    first = call(fc, copy_request(source, ClientToken='token-123'))
    again = call(fc, copy_request(source, ClientToken='token-123'))
    assert first['SnapshotId'] == again['SnapshotId'] and first['RequestId'] != again['RequestId']
    assert len(fc.admin.state('ecs', DR)['ecs'][DR]['snapshots']) == 1
    calls = fc.admin.calls()
    assert calls['calls']['ecs']['CopySnapshot'] == {'calls': 2, 'errors': 0, 'mutations': 1}
    assert (
        error_of(fc, copy_request(source, ClientToken='token-123', DestinationRegionId='cn-shanghai')).get_error_code()
        == 'IdempotentParameterMismatch'
    )


@pytest.mark.parametrize(
    'params, code',
    [
        ({'DestinationSnapshotName': '1starts-with-digit'}, 'InvalidSnapshotName.Malformed'),
        ({'DestinationSnapshotName': 'http://x'}, 'InvalidSnapshotName.Malformed'),
        ({'DestinationSnapshotName': 'a'}, 'InvalidSnapshotName.Malformed'),
        ({'DestinationSnapshotName': 'x' * 129}, 'InvalidSnapshotName.Malformed'),
        ({'DestinationSnapshotDescription': 'd'}, 'InvalidDescription.Malformed'),
        ({'DestinationSnapshotDescription': 'https://example'}, 'InvalidDescription.Malformed'),
        ({'Tags': [{'Key': 'acs:x', 'Value': 'v'}]}, 'InvalidTagKey.Malformed'),
        ({'Tags': [{'Key': 'aliyunx', 'Value': 'v'}]}, 'InvalidTagKey.Malformed'),
        ({'Tags': [{'Key': 'k', 'Value': 'http://v'}]}, 'InvalidTagValue.Malformed'),
        # CopySnapshotRequest.Tag.Value: "cannot start with aliyun or acs:".
        ({'Tags': [{'Key': 'k', 'Value': 'acs:v'}]}, 'InvalidTagValue.Malformed'),
        ({'Tags': [{'Key': 'k', 'Value': 'aliyun-v'}]}, 'InvalidTagValue.Malformed'),
        ({'Tags': [{'Key': 'k', 'Value': '1'}, {'Key': 'k', 'Value': '2'}]}, 'Duplicate.TagKey'),
        ({'RetentionDays': 0}, 'InvalidRetentionDays'),
        ({'RetentionDays': 65537}, 'InvalidRetentionDays'),
        ({'DestinationRegionId': 'xx-nowhere-1'}, 'InvalidRegionId.NotFound'),
        # Required by ecs-20140526 CopySnapshotRequest.
        ({'DestinationSnapshotName': None}, 'MissingParameter'),
        ({'DestinationSnapshotDescription': None}, 'MissingParameter'),
        # ECS error codes: no copy within one region.
        ({'DestinationRegionId': REGION}, 'InvalidOperation.NotSupportCopyInSameRegion'),
    ],
)
def test_copy_snapshot_input_rules(fc, params, code):
    dummy, source = seed_one(fc)
    err = error_of(fc, copy_request(source, **params))
    assert err.get_error_code() == code and err.get_http_status() in (400, 404)
    assert fc.admin.calls()['total_mutations'] == 0


def test_copy_snapshot_refusals(fc):
    err = error_of(fc, copy_request('s-missing'))
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidSnapshotId.NotFound', 403)
    created = fc.admin.seed(
        ecs={
            'disks': [
                {'region': REGION, 'snapshots': [{'status': 'progressing'}]},
                {'region': REGION, 'snapshots': [{'category': 'flash'}]},
            ]
        }
    )['ecs']['snapshots']
    expected = [('InvalidSnapshotId.NotReady', 403), ('OperationDenied.LocalSnapshot', 403)]
    for snapshot_id, want in zip(created, expected):
        err = error_of(fc, copy_request(snapshot_id))
        assert (err.get_error_code(), err.get_http_status()) == want


def test_an_encrypted_snapshot_is_copied_encrypted(fc):
    """CopySnapshot "copies a standard or encrypted snapshot" (ecs-20140526)."""
    dummy, source = seed_one(fc, encrypted=True, kms_key_id='key-src')
    copy_id = call(fc, copy_request(source))['SnapshotId']
    snap = fc.admin.state('ecs', DR)['ecs'][DR]['snapshots'][0]
    assert snap['id'] == copy_id and snap['encrypted'] is True


def test_a_second_copy_of_a_disk_to_a_region_waits_for_the_first(fc):
    """InvalidOperation.DiskHasUnfinishedSnapshotCopy while a copy of the same disk to the same region runs."""
    disk_id, older = seed_one(fc)
    newer = fc.admin.seed(ecs={'snapshots': [{'region': REGION, 'disk_id': disk_id}]})['ecs']['snapshots'][0]
    call(fc, copy_request(older))
    err = error_of(fc, copy_request(newer, DestinationSnapshotName='copy-2'))
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidOperation.DiskHasUnfinishedSnapshotCopy', 403)
    call(fc, copy_request(newer, DestinationRegionId='cn-shanghai'))  # another region is free
    fc.admin.advance_clock(21)
    call(fc, copy_request(newer, DestinationSnapshotName='copy-2'))


def test_tag_filters_stop_at_a_thousand_resources(fc):
    """DescribeSnapshots' and DescribeDisks' Tag.N return at most 1,000 resources; ListTagResources all."""
    fc.admin.seed(
        ecs={
            'disks': [
                {'region': REGION, 'tags': {'dr': 'yes'}, 'snapshots': [{'tags': {'dr': 'yes'}}]}
                for dummy in range(1100)
            ]
        }
    )
    assert describe(fc, Tags=[{'Key': 'dr', 'Value': 'yes'}], MaxResults=100)['TotalCount'] == 1000
    assert describe(fc, MaxResults=100)['TotalCount'] == 1100
    req = DescribeDisksRequest.DescribeDisksRequest()
    req.set_Tags([{'Key': 'dr'}])
    req.set_MaxResults(500)
    answer = call(fc, req)
    assert answer['TotalCount'] == 1000 and len(answer['Disks']['Disk']) == 500


def test_delete_snapshot(fc):
    dummy, source = seed_one(fc)
    req = DeleteSnapshotRequest.DeleteSnapshotRequest()
    req.set_SnapshotId(source)
    call(fc, req)
    assert describe(fc)['TotalCount'] == 0
    err = error_of(fc, req)
    assert (err.get_error_code(), err.get_http_status()) == ('InvalidSnapshotId.NotFound', 404)


def test_tag_untag_and_list_tag_resources(fc):
    disk_id, source = seed_one(fc)
    req = TagResourcesRequest.TagResourcesRequest()
    req.set_ResourceType('snapshot')
    req.set_ResourceIds([source])
    req.set_Tags([{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
    call(fc, req)
    req = UntagResourcesRequest.UntagResourcesRequest()
    req.set_ResourceType('snapshot')
    req.set_ResourceIds([source])
    req.set_TagKeys(['b'])
    call(fc, req)
    req = ListTagResourcesRequest.ListTagResourcesRequest()
    req.set_ResourceType('snapshot')
    req.set_Tags([{'Key': 'a', 'Value': '1'}])
    rows = call(fc, req)['TagResources']['TagResource']
    assert rows == [{'ResourceId': source, 'ResourceType': 'snapshot', 'TagKey': 'a', 'TagValue': '1'}]
    assert describe(fc, Tags=[{'Key': 'a'}])['TotalCount'] == 1
    req = TagResourcesRequest.TagResourcesRequest()
    req.set_ResourceType('disk')
    req.set_ResourceIds([disk_id, 'd-missing'])
    req.set_Tags([{'Key': 'a', 'Value': '1'}])
    assert error_of(fc, req).get_error_code() == 'InvalidResourceId.NotFound'


def test_a_resource_carries_at_most_20_tags(fc):
    """TagResources past 20 tags on a resource: OperationDenied.QuotaExceed, HTTP 400, nothing added (the ECS API
    reference's TagResources); more than 20 Tag.N in one call: InvalidTagCount. A key already there is no new tag."""
    dummy, source = seed_one(fc, snapshots=[{'tags': {'k%02d' % number: 'v' for number in range(18)}}])
    req = TagResourcesRequest.TagResourcesRequest()
    req.set_ResourceType('snapshot')
    req.set_ResourceIds([source])
    req.set_Tags([{'Key': 'k00', 'Value': 'again'}, {'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
    call(fc, req)  # 20 tags
    req.set_Tags([{'Key': 'c', 'Value': '3'}])
    error = error_of(fc, req)
    assert (error.get_error_code(), error.get_http_status()) == ('OperationDenied.QuotaExceed', 400)
    (snapshot,) = describe(fc, SnapshotIds=json.dumps([source]))['Snapshots']['Snapshot']
    assert len(snapshot['Tags']['Tag']) == 20 and 'c' not in {tag['TagKey'] for tag in snapshot['Tags']['Tag']}
    req.set_Tags([{'Key': 'n%02d' % number, 'Value': 'v'} for number in range(21)])
    assert error_of(fc, req).get_error_code() == 'InvalidTagCount'


def test_a_snapshot_a_disk_was_made_from_is_deleted_only_with_force(fc):
    """ECS DeleteSnapshot: "If the snapshot has been used to create disks and Force is not specified or is set to
    false, the snapshot cannot be deleted directly" (403 SnapshotCreatedDisk, the reference's error table)."""
    dummy, snapshot = seed_one(fc)
    fc.admin.seed(ecs={'disks': [{'region': REGION, 'source_snapshot_id': snapshot}]})
    req = DeleteSnapshotRequest.DeleteSnapshotRequest()
    req.set_SnapshotId(snapshot)
    error = error_of(fc, req)
    assert (error.get_error_code(), error.get_http_status()) == ('SnapshotCreatedDisk', 403)
    assert snapshot in [
        s['SnapshotId'] for s in describe(fc, SnapshotIds=json.dumps([snapshot]))['Snapshots']['Snapshot']
    ]
    req.set_Force(True)
    call(fc, req)
    assert describe(fc, SnapshotIds=json.dumps([snapshot]))['Snapshots']['Snapshot'] == []


def test_a_cool_off_longer_than_the_lock_is_refused(fc):
    """The cool-off is "included in the total lock duration" (the guide "Lock a snapshot", Cooling-off period): a
    one-day lock takes at most 24 hours of it."""
    dummy, snapshot_id = seed_one(fc)
    assert error_of(fc, lock_request(snapshot_id, 1, cool_off=48)).get_error_code() == 'InvalidParameter.CoolOffPeriod'
    assert error_of(fc, lock_request(snapshot_id, 2, cool_off=49)).get_error_code() == 'InvalidParameter.CoolOffPeriod'
    assert not fc.admin.calls()['calls']['ecs']['LockSnapshot']['mutations']
    assert (
        call(fc, lock_request(snapshot_id, 1, cool_off=24))['LockedSnapshotInfo']['LockStatus'] == 'compliance-cooloff'
    )
