"""The suites' EBS direct layer over moto (ebs_direct.py), through botocore's own ``ebs`` and ``ec2`` clients: block data
for every EC2 snapshot, copied exactly by CopySnapshot, read by ListSnapshotBlocks, ListChangedBlocks and
GetSnapshotBlock as botocore's model of the ebs service (2019-11-02) and the EBS direct APIs' FAQ say (the layer's
docstring cites them)."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import tracemalloc
import urllib.request

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct, ebs_vault

ACCOUNT = '123456789012'  # moto's account of these keys
KEYS = ('AKIASNAPCOPYDIRECT01', 'snapcopy-ebs-direct-secret')
BLOCK_SIZE = 524288  # GetSnapshotBlockRequest.BlockIndex: units of 512 KiB
TOKEN = re.compile(r'[A-Za-z0-9+/=]{1,256}')  # shapes BlockToken and PageToken


def client(url, service, region, validate=True):
    session = botocore.session.Session()
    session.set_credentials(*KEYS)
    config = Config(parameter_validation=validate, retries={'max_attempts': 1})
    return session.create_client(service, region_name=region, endpoint_url=url, config=config)


@pytest.fixture
def layers():
    yield ebs_direct
    ebs_direct.DENIED.clear()
    ebs_vault.HELD_COPIES.discard((ACCOUNT, 'cn-north-1'))
    ebs_vault.CLOCK['offset'] = 0.0


def snapshot_of(url, region, size=1):
    """(volume id, snapshot id): a new volume of ``size`` GiB and its first snapshot."""
    ec2 = client(url, 'ec2', region)
    volume = ec2.create_volume(Size=size, AvailabilityZone=region + 'a')['VolumeId']
    return volume, ec2.create_snapshot(VolumeId=volume)['SnapshotId']


def all_blocks(ebs, snapshot_id, **kwargs) -> list:
    """Every Block of the snapshot, page after page; each page's fields checked."""
    blocks, token = [], None
    while True:
        page = ebs.list_snapshot_blocks(
            SnapshotId=snapshot_id, **dict(kwargs, **({'NextToken': token} if token else {}))
        )
        assert page['BlockSize'] == BLOCK_SIZE
        assert all(TOKEN.fullmatch(block['BlockToken']) for block in page['Blocks'])
        blocks += page['Blocks']
        token = page.get('NextToken')
        if not token:
            return blocks
        assert TOKEN.fullmatch(token)


def read(ebs, snapshot_id, block) -> tuple:
    """(data, checksum answered) of a Block; the answer's length and algorithm checked."""
    answer = ebs.get_snapshot_block(
        SnapshotId=snapshot_id, BlockIndex=block['BlockIndex'], BlockToken=block['BlockToken']
    )
    data = answer['BlockData'].read()
    assert answer['DataLength'] == len(data) == BLOCK_SIZE
    assert answer['ChecksumAlgorithm'] == 'SHA256'
    return data, answer['Checksum']


def sha256(data) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def error_of(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    assert response['ResponseMetadata']['RequestId'], 'every error names its request'
    return {
        'code': response['Error']['Code'],
        'reason': response.get('Reason'),
        'status': response['ResponseMetadata']['HTTPStatusCode'],
    }


def test_a_snapshots_blocks_are_listed_in_order_and_paged(moto_url, layers):
    region = 'us-gov-west-1'
    dummy_volume, snapshot = snapshot_of(moto_url, region, size=4)
    ebs = client(moto_url, 'ebs', region)
    paged = all_blocks(ebs, snapshot, MaxResults=100)
    whole = ebs.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=10000)
    assert whole['VolumeSize'] == 4 and 'NextToken' not in whole
    indexes = [block['BlockIndex'] for block in paged]
    assert indexes == [block['BlockIndex'] for block in whole['Blocks']]
    # "unique, and in numerical order" (the FAQ); a sparse subset of the 4 * 2,048 blocks, more than a page.
    assert indexes == sorted(set(indexes)) and 100 < len(indexes) < 4 * 2048 // 4
    assert all(0 <= index < 4 * 2048 for index in indexes)
    # StartingBlockIndex: "from this block index or the next valid block index".
    middle = indexes[150] - 1 if indexes[150] - 1 not in indexes else indexes[150]
    tail = ebs.list_snapshot_blocks(SnapshotId=snapshot, StartingBlockIndex=middle)['Blocks']
    assert [block['BlockIndex'] for block in tail] == indexes[150:]
    # ExpiryTime: block tokens are valid for seven days (the FAQ).
    assert 6.9 * 86400 < whole['ExpiryTime'].timestamp() - ebs_vault.cloud_time() <= 7 * 86400


def test_a_block_reads_with_its_checksum_and_the_same_every_time(moto_url, layers):
    region = 'us-gov-west-1'
    dummy_volume, snapshot = snapshot_of(moto_url, region)
    ebs = client(moto_url, 'ebs', region)
    first, *dummy, last = all_blocks(ebs, snapshot)
    data, checksum = read(ebs, snapshot, first)
    assert checksum == sha256(data)
    assert read(ebs, snapshot, first) == (data, checksum), 'deterministic'
    assert read(ebs, snapshot, last)[1] != checksum, 'two blocks, two contents'


def test_a_copy_in_another_region_lists_the_same_blocks_with_the_same_data(moto_url, layers):
    source_region, region = 'us-gov-west-1', 'us-gov-east-1'
    volume, snapshot = snapshot_of(moto_url, source_region)
    source_ebs, copy_ebs = client(moto_url, 'ebs', source_region), client(moto_url, 'ebs', region)
    source_blocks = all_blocks(source_ebs, snapshot)
    # The volume is written after its snapshot: the copy is of the snapshot, not of the volume as it is now.
    layers.write_blocks(volume, [b['BlockIndex'] for b in source_blocks[:10]] + [2047])
    copy = client(moto_url, 'ec2', region).copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=source_region)[
        'SnapshotId'
    ]
    copy_blocks = all_blocks(copy_ebs, copy)
    assert [b['BlockIndex'] for b in copy_blocks] == [b['BlockIndex'] for b in source_blocks]
    for source_block, copy_block in zip(source_blocks, copy_blocks):
        assert read(copy_ebs, copy, copy_block) == read(source_ebs, snapshot, source_block)
    # A copy of the copy, back in the first region, is exact too; a snapshot is read in its own region only.
    again = client(moto_url, 'ec2', source_region).copy_snapshot(SourceSnapshotId=copy, SourceRegion=region)[
        'SnapshotId'
    ]
    assert [b['BlockIndex'] for b in all_blocks(source_ebs, again)] == [b['BlockIndex'] for b in source_blocks]
    assert error_of(lambda: copy_ebs.list_snapshot_blocks(SnapshotId=snapshot))['code'] == 'ResourceNotFoundException'


def test_a_corrupted_block_of_a_copy_differs_in_data_and_checksum(moto_url, layers):
    source_region, region = 'us-gov-east-1', 'us-gov-west-1'
    dummy_volume, snapshot = snapshot_of(moto_url, source_region)
    copy = client(moto_url, 'ec2', region).copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=source_region)[
        'SnapshotId'
    ]
    source_ebs, copy_ebs = client(moto_url, 'ebs', source_region), client(moto_url, 'ebs', region)
    source_blocks = all_blocks(source_ebs, snapshot)
    bad, other = source_blocks[3]['BlockIndex'], source_blocks[-1]['BlockIndex']
    layers.corrupt_block(copy, bad)
    # The same over HTTP, for suites whose moto runs as a process.
    request = urllib.request.Request(
        moto_url + ebs_direct.ADMIN_PATH,
        data=json.dumps({'corrupt': {'snapshot_id': copy, 'index': other}}).encode(),
        method='POST',
        headers={'Content-Type': 'application/json'},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
    copy_blocks = {b['BlockIndex']: b for b in all_blocks(copy_ebs, copy)}
    assert sorted(copy_blocks) == [b['BlockIndex'] for b in source_blocks], 'the same blocks listed'
    for block in source_blocks:
        source_data, source_sum = read(source_ebs, snapshot, block)
        copy_data, copy_sum = read(copy_ebs, copy, copy_blocks[block['BlockIndex']])
        assert copy_sum == sha256(copy_data), 'the checksum is of the data answered'
        if block['BlockIndex'] in (bad, other):
            assert copy_data != source_data and copy_sum != source_sum
        else:
            assert (copy_data, copy_sum) == (source_data, source_sum)


def changed(ebs, first, second, **kwargs) -> list:
    blocks, token = [], None
    while True:
        page = ebs.list_changed_blocks(
            FirstSnapshotId=first, SecondSnapshotId=second, **dict(kwargs, **({'NextToken': token} if token else {}))
        )
        blocks += page['ChangedBlocks']
        token = page.get('NextToken')
        if not token:
            return blocks


def test_changed_blocks_are_exactly_those_written_between_two_snapshots(moto_url, layers):
    region, dr_region = 'cn-northwest-1', 'cn-north-1'
    ec2, ebs = client(moto_url, 'ec2', region), client(moto_url, 'ebs', region)
    volume, first = snapshot_of(moto_url, region, size=2)
    written = {b['BlockIndex'] for b in all_blocks(ebs, first)}
    churn = sorted(written)[:5] + [index for index in range(4000, 4096) if index not in written][:3]
    layers.write_blocks(volume, churn)
    second = ec2.create_snapshot(VolumeId=volume)['SnapshotId']
    found = changed(ebs, first, second, MaxResults=100)
    assert [b['BlockIndex'] for b in found] == sorted(churn)
    for block in found:
        # "FirstBlockToken ... is absent if the first snapshot does not have the changed block" (ChangedBlock).
        assert ('FirstBlockToken' in block) == (block['BlockIndex'] in written)
        new, dummy = read(ebs, second, {'BlockIndex': block['BlockIndex'], 'BlockToken': block['SecondBlockToken']})
        if 'FirstBlockToken' in block:
            old, dummy = read(ebs, first, {'BlockIndex': block['BlockIndex'], 'BlockToken': block['FirstBlockToken']})
            assert old != new
    # The second snapshot lists the first's blocks and the new ones; the unchanged read the same in both.
    second_blocks = {b['BlockIndex']: b for b in all_blocks(ebs, second)}
    assert set(second_blocks) == written | set(churn)
    first_blocks = {b['BlockIndex']: b for b in all_blocks(ebs, first)}
    kept = sorted(written - set(churn))[0]
    assert read(ebs, first, first_blocks[kept]) == read(ebs, second, second_blocks[kept])
    # The volume's first copy in the DR region is a full copy, a lineage of its own; the copies after it are incremental
    # copies of one lineage, and name the same changes as their sources. ListChangedBlocks between two copies works only
    # when both are incremental copies (issue 61, 6).
    dr, dr_ebs = client(moto_url, 'ec2', dr_region), client(moto_url, 'ebs', dr_region)
    full = dr.copy_snapshot(SourceSnapshotId=first, SourceRegion=region)['SnapshotId']
    copies = [dr.copy_snapshot(SourceSnapshotId=s, SourceRegion=region)['SnapshotId'] for s in (first, second)]
    assert [b['BlockIndex'] for b in changed(dr_ebs, *copies)] == sorted(churn)
    assert error_of(lambda: dr_ebs.list_changed_blocks(FirstSnapshotId=full, SecondSnapshotId=copies[1])) == {
        'code': 'ValidationException',
        'reason': 'UNRELATED_SNAPSHOTS',
        'status': 400,
    }
    # A full copy lists and reads as its source all the same.
    assert [b['BlockIndex'] for b in all_blocks(dr_ebs, full)] == sorted(written)
    # Ransomware rewrites the whole disk: every block of it changes.
    layers.write_range(volume)
    third = ec2.create_snapshot(VolumeId=volume)['SnapshotId']
    assert len(changed(ebs, second, third, MaxResults=10000)) == 2 * 2048
    # Snapshots of two volumes are of two lineages.
    dummy_volume, stranger = snapshot_of(moto_url, region)
    refused = error_of(lambda: ebs.list_changed_blocks(FirstSnapshotId=first, SecondSnapshotId=stranger))
    assert refused == {'code': 'ValidationException', 'reason': 'UNRELATED_SNAPSHOTS', 'status': 400}


def test_what_the_ebs_direct_apis_refuse(moto_url, layers):
    region, other_region = 'us-gov-west-1', 'us-gov-east-1'
    # 13 GiB: 104 chunks of one to sixteen written blocks each, so always more than a page of 100 (the API's least
    # MaxResults) and a NextToken below, whatever volume id moto draws; 2 GiB held 16 to 256, and now and then no page.
    dummy_volume, snapshot = snapshot_of(moto_url, region, size=13)
    ebs, loose = client(moto_url, 'ebs', region), client(moto_url, 'ebs', region, validate=False)
    blocks = all_blocks(ebs, snapshot)
    copy = client(moto_url, 'ec2', other_region).copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=region)[
        'SnapshotId'
    ]
    copy_block = all_blocks(client(moto_url, 'ebs', other_region), copy)[0]
    invalid_token = {'code': 'ValidationException', 'reason': 'INVALID_BLOCK_TOKEN', 'status': 400}
    for index, token in (
        (blocks[0]['BlockIndex'], blocks[1]['BlockToken']),  # another block's
        (blocks[0]['BlockIndex'], copy_block['BlockToken']),  # the same block's, of another snapshot (the copy)
        (blocks[0]['BlockIndex'], 'AAAA'),
    ):
        call = functools.partial(ebs.get_snapshot_block, SnapshotId=snapshot, BlockIndex=index, BlockToken=token)
        assert error_of(call) == invalid_token
    unknown = 'snap-0123456789abcdef0'
    assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=unknown)) == {
        'code': 'ResourceNotFoundException',
        'reason': 'SNAPSHOT_NOT_FOUND',
        'status': 404,
    }
    assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId='snap-NOTHEX'))['reason'] == 'INVALID_SNAPSHOT_ID'
    assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=snapshot, NextToken='bm90LWEtdG9rZW4='))['reason'] == (
        'INVALID_PAGE_TOKEN'
    )
    # A page token of one snapshot's list does not page another's.
    token = ebs.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=100)['NextToken']
    dummy_volume, another = snapshot_of(moto_url, region)
    assert (
        error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=another, NextToken=token))['reason']
        == 'INVALID_PAGE_TOKEN'
    )
    # MaxResults 100-10,000: botocore refuses under 100 from the model; the service, sent it, answers at least 100 (the
    # FAQ); over 10,000 it refuses.
    with pytest.raises(ParamValidationError):
        ebs.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=99)
    assert len(loose.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=10)['Blocks']) == 100
    assert error_of(lambda: loose.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=10001)) == {
        'code': 'ValidationException',
        'reason': 'INVALID_PARAMETER_VALUE',
        'status': 400,
    }
    # An IAM denial.
    layers.DENIED.add((ACCOUNT, 'GetSnapshotBlock'))
    denied = error_of(
        lambda: ebs.get_snapshot_block(
            SnapshotId=snapshot, BlockIndex=blocks[0]['BlockIndex'], BlockToken=blocks[0]['BlockToken']
        )
    )
    assert denied == {'code': 'AccessDeniedException', 'reason': 'UNAUTHORIZED_ACCOUNT', 'status': 403}


def test_a_pending_snapshot_is_not_read_and_tokens_expire(moto_url, layers):
    """ "Can a snapshot be accessed using the EBS direct APIs if it has a pending status? No." and block tokens are valid
    for seven days (the FAQ); the code of the first refusal is the layer's choice."""
    region, dr_region = 'cn-northwest-1', 'cn-north-1'
    dr, ebs = client(moto_url, 'ec2', dr_region), client(moto_url, 'ebs', dr_region)
    dummy_volume, done = snapshot_of(moto_url, region)
    # The volume's first copy there is a full copy: the incremental ones after it compare with each other.
    dr.copy_snapshot(SourceSnapshotId=done, SourceRegion=region)
    first = dr.copy_snapshot(SourceSnapshotId=done, SourceRegion=region)['SnapshotId']
    # A copy held in flight (ebs_vault's HELD_COPIES; a held CreateSnapshot's answer is rewritten by ebs_vault under
    # moto's Content-Length, which the oldest SDKs' stack refuses).
    ebs_vault.HELD_COPIES.add((ACCOUNT, dr_region))
    pending = dr.copy_snapshot(SourceSnapshotId=done, SourceRegion=region)['SnapshotId']
    ebs_vault.HELD_COPIES.discard((ACCOUNT, dr_region))
    assert dr.describe_snapshots(SnapshotIds=[pending])['Snapshots'][0]['State'] == 'pending'
    assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=pending))['code'] == 'ValidationException'
    assert error_of(lambda: ebs.list_changed_blocks(FirstSnapshotId=first, SecondSnapshotId=pending))['code'] == (
        'ValidationException'
    )
    ebs_vault.complete_snapshot(ACCOUNT, dr_region, pending)
    assert ebs.list_snapshot_blocks(SnapshotId=pending)['Blocks']
    assert changed(ebs, first, pending) == [], 'two copies of one snapshot'
    block = all_blocks(ebs, first)[0]
    ebs_vault.CLOCK['offset'] += 7 * 86400 + 1
    assert (
        error_of(
            lambda: ebs.get_snapshot_block(
                SnapshotId=first, BlockIndex=block['BlockIndex'], BlockToken=block['BlockToken']
            )
        )['reason']
        == 'INVALID_BLOCK_TOKEN'
    )


def test_a_snapshot_moto_holds_that_the_layer_did_not_see_made_has_data_too(moto_url, layers):
    """A snapshot seeded in moto's backend directly is taken up at its first read."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    region = 'us-gov-east-1'
    volume = client(moto_url, 'ec2', region).create_volume(Size=1, AvailabilityZone=region + 'a')['VolumeId']
    seeded = ec2_backends[ACCOUNT][region].create_snapshot(volume, 'seeded')
    ebs = client(moto_url, 'ebs', region)
    block = all_blocks(ebs, seeded.id)[0]
    data, checksum = read(ebs, seeded.id, block)
    assert checksum == sha256(data)


def test_a_16_tib_volume_keeps_memory_small(moto_url, layers):
    """Nothing is materialized until read: a page of 10,000 blocks from anywhere on a 16 TiB disk (33,554,432 blocks), a
    block read and a rewrite of the whole disk all fit in a few MiB."""
    region = 'cn-northwest-1'
    ec2, ebs = client(moto_url, 'ec2', region), client(moto_url, 'ebs', region)
    volume, snapshot = snapshot_of(moto_url, region, size=16384)
    tracemalloc.start()
    try:
        page = ebs.list_snapshot_blocks(SnapshotId=snapshot, MaxResults=10000)
        assert page['VolumeSize'] == 16384 and len(page['Blocks']) == 10000 and page['NextToken']
        near_end = ebs.list_snapshot_blocks(SnapshotId=snapshot, StartingBlockIndex=16384 * 2048 - 3000)['Blocks']
        assert near_end and near_end[-1]['BlockIndex'] < 16384 * 2048
        read(ebs, snapshot, near_end[-1])
        layers.write_range(volume, 0, 16384 * 2048 * 9 // 10)  # ransomware: 90 % of the disk
        second = ec2.create_snapshot(VolumeId=volume)['SnapshotId']
        assert len(ebs.list_changed_blocks(FirstSnapshotId=snapshot, SecondSnapshotId=second)['ChangedBlocks']) == 10000
        dummy, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, 'peak %d bytes' % peak


def test_every_answer_and_refusal_is_named_in_botocores_ebs_model(moto_url, layers):
    """The fields the layer answers are members of the operations' output shapes, its errors the model's exception
    shapes, and their reasons values of the model's enums (botocore's data/ebs/2019-11-02/service-2.json): botocore's
    parser would drop a misspelt field without a word."""
    model = botocore.session.Session().get_service_model('ebs', api_version='2019-11-02')
    # rest-json, signed as ebs (no signingName: the endpointPrefix is the signing name).
    assert (model.metadata['protocol'], model.metadata['endpointPrefix']) == ('rest-json', 'ebs')
    assert 'signingName' not in model.metadata
    region = 'us-gov-east-1'
    ec2 = client(moto_url, 'ec2', region)
    volume, first = snapshot_of(moto_url, region, size=1)
    layers.write_blocks(volume, [0, 1])
    second = ec2.create_snapshot(VolumeId=volume)['SnapshotId']
    now = ebs_vault.cloud_time()
    with ebs_direct._LOCK:  # pylint: disable=protected-access  # as a request holds it
        answers = {
            'ListSnapshotBlocks': ebs_direct.list_snapshot_blocks(first, {'maxResults': '100'}, ACCOUNT, region, now),
            'ListChangedBlocks': ebs_direct.list_changed_blocks(
                second, {'firstSnapshotId': first, 'maxResults': '100'}, ACCOUNT, region, now
            ),
        }
        block = json.loads(answers['ListSnapshotBlocks'][2])['Blocks'][0]
        answers['GetSnapshotBlock'] = ebs_direct.get_snapshot_block(
            first, str(block['BlockIndex']), {'blockToken': block['BlockToken']}, ACCOUNT, region, now
        )
    for name in ('ListSnapshotBlocks', 'ListChangedBlocks'):
        output = model.operation_model(name).output_shape
        body = json.loads(answers[name][2])
        assert set(body) <= set(output.members), name
        field = 'Blocks' if name == 'ListSnapshotBlocks' else 'ChangedBlocks'
        assert body[field] and all(set(item) <= set(output.members[field].member.members) for item in body[field])
    get = model.operation_model('GetSnapshotBlock').output_shape
    headers = {
        get.members[m].serialization['name'] for m in get.members if get.members[m].serialization.get('location')
    }
    assert headers == {'x-amz-Data-Length', 'x-amz-Checksum', 'x-amz-Checksum-Algorithm'}
    assert headers <= set(answers['GetSnapshotBlock'][1])
    assert answers['GetSnapshotBlock'][1]['x-amz-Checksum-Algorithm'] in get.members['ChecksumAlgorithm'].enum
    # Every refusal in the layer's source: an exception shape of the model, with a reason of its enum.
    with open(ebs_direct.__file__, encoding='utf-8') as source:
        refusals = set(re.findall(r"'(\w+Exception)',\s*'([A-Z_]+)'", source.read()))
    assert {code for code, dummy in refusals} == {
        'ValidationException',
        'ResourceNotFoundException',
        'AccessDeniedException',
    }
    for code, reason in refusals:
        shape = model.shape_for(code)
        assert (
            shape.metadata['exception']
            and shape.metadata['error']['httpStatusCode'] == ebs_direct.EbsError.STATUS[code]
        )
        assert reason in shape.members['Reason'].enum, (code, reason)


def test_the_fault_plan_answers_only_what_the_model_lists_for_the_read_calls(moto_url, layers):
    """Issue 61, 5: the EBS direct APIs throttle; the layer's fault plan answers the read calls' errors of botocore's ebs
    model (each operation's "errors"), with the status and a reason of the model, and botocore parses each as that
    exception with its Reason."""
    model = botocore.session.Session().get_service_model('ebs', api_version='2019-11-02')
    for name in ('ListSnapshotBlocks', 'ListChangedBlocks', 'GetSnapshotBlock'):
        listed = {shape.name for shape in model.operation_model(name).error_shapes}
        assert set(ebs_direct.FAULT_REASONS) <= listed, name
        assert 'ConcurrentLimitExceededException' not in listed  # StartSnapshot's only
    for code, reasons in ebs_direct.FAULT_REASONS.items():
        shape = model.shape_for(code)
        assert shape.metadata['error']['httpStatusCode'] == ebs_direct.EbsError.STATUS[code]
        enum = shape.members['Reason'].enum if 'Reason' in shape.members else [None]
        assert set(reasons) <= set(enum), code
    with pytest.raises(ValueError):
        layers.fault('ListSnapshotBlocks', 'ConcurrentLimitExceededException')
    with pytest.raises(ValueError):
        layers.fault('ListSnapshotBlocks', 'RequestThrottledException', 'SLOW_DOWN')
    region = 'us-gov-west-1'
    dummy_volume, snapshot = snapshot_of(moto_url, region)
    # Sent once: botocore's own rules retry RequestThrottledException (data/_retry.json), which max_attempts 1 allows.
    session = botocore.session.Session()
    session.set_credentials(*KEYS)
    ebs = session.create_client(
        'ebs', region_name=region, endpoint_url=moto_url, config=Config(retries={'total_max_attempts': 1})
    )
    try:
        layers.fault('ListSnapshotBlocks', 'RequestThrottledException', 'ACCOUNT_THROTTLED')
        layers.fault('ListSnapshotBlocks', 'ServiceQuotaExceededException', 'DEPENDENCY_SERVICE_QUOTA_EXCEEDED')
        assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=snapshot)) == {
            'code': 'RequestThrottledException',
            'reason': 'ACCOUNT_THROTTLED',
            'status': 400,
        }
        assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=snapshot)) == {
            'code': 'ServiceQuotaExceededException',
            'reason': 'DEPENDENCY_SERVICE_QUOTA_EXCEEDED',
            'status': 402,
        }
        assert ebs.list_snapshot_blocks(SnapshotId=snapshot)['Blocks'], 'the plan is spent'
        # Over HTTP, for suites whose moto runs as a process; a plan of every call until it is taken off.
        for order in (
            {'fault': {'operation': 'ListSnapshotBlocks', 'code': 'InternalServerException', 'count': None}},
            None,
            None,
            {'fault': None},
        ):
            if order is None:
                assert error_of(lambda: ebs.list_snapshot_blocks(SnapshotId=snapshot))['status'] == 500
                continue
            request = urllib.request.Request(
                moto_url + ebs_direct.ADMIN_PATH,
                data=json.dumps(order).encode(),
                method='POST',
                headers={'Content-Type': 'application/json'},
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 200
        assert ebs.list_snapshot_blocks(SnapshotId=snapshot)['Blocks']
    finally:
        layers.FAULTS.clear()


def test_describe_snapshots_answers_what_a_snapshot_holds_and_the_meter_follows_ebs_copy_rules(moto_url, layers):
    """FullSnapshotSizeInBytes: "the size of all the blocks that were written to the source volume at the time the
    snapshot was created" (ec2 2016-11-15, Snapshot). A copy is full the first time a volume's snapshot is copied to a
    region and when its key differs from the copy before it's; else incremental, of the blocks that differ."""
    source, dr_region = 'ap-southeast-4', 'il-central-1'
    volume, first = snapshot_of(moto_url, source)
    ec2 = client(moto_url, 'ec2', source)
    dr_ec2 = client(moto_url, 'ec2', dr_region)
    written = len(all_blocks(client(moto_url, 'ebs', source), first))
    assert layers.full_snapshot_bytes(first, ACCOUNT, source) == written * BLOCK_SIZE
    if 'FullSnapshotSizeInBytes' in ec2.meta.service_model.shape_for('Snapshot').members:  # botocore 1.34 lacks it
        (described,) = ec2.describe_snapshots(SnapshotIds=[first])['Snapshots']
        assert described['FullSnapshotSizeInBytes'] == written * BLOCK_SIZE
    before = layers.meter(ACCOUNT).get(dr_region, {})
    dr_ec2.copy_snapshot(SourceSnapshotId=first, SourceRegion=source)
    layers.write_blocks(volume, range(7))
    second = ec2.create_snapshot(VolumeId=volume)['SnapshotId']
    dr_ec2.copy_snapshot(SourceSnapshotId=second, SourceRegion=source)
    key = client(moto_url, 'kms', dr_region).create_key()['KeyMetadata']['KeyId']
    dr_ec2.copy_snapshot(SourceSnapshotId=second, SourceRegion=source, Encrypted=True, KmsKeyId=key)
    after = layers.meter(ACCOUNT)[dr_region]
    moved = after['bytes_moved'] - before.get('bytes_moved', 0)
    changed = 7 * BLOCK_SIZE
    assert (after['full'] - before.get('full', 0), after['incremental'] - before.get('incremental', 0)) == (2, 1)
    # The first copy and the one under another key hold every written block; the incremental one the 7 rewritten.
    assert moved == written * BLOCK_SIZE + changed + layers.full_snapshot_bytes(second, ACCOUNT, source)
