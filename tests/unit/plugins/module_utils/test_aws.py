"""The AWS adapter and the engine, with botocore's Stubber: what moto's server cannot show.

moto completes every copy at once and never throttles, so pending copies, copies in error,
timeouts, throttling and lost answers are played here. The EC2 client is the adapter's own; only its HTTP
answers are stubbed, and the Stubber fails the test on any call that is not expected (a
second CopySnapshot above all).
"""

from __future__ import annotations

import datetime
import json

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import (
    AWS_SDK_MINIMUMS,
    BOTOCORE_PARAMETER_RELEASES,
    AwsClient,
    load_botocore,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import STATE_MAP
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ec2_model import (
    API_VERSION as EC2_API_VERSION,
    load_model as load_ec2_model,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    INVALID,
    RETRYABLE,
    CloudError,
    InputError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    COMPLETED,
    DELETING,
    PENDING,
    CopyRequest,
    Snapshot,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.sdk_versions import version_key
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    EXISTING,
    NOT_COPIED,
    EngineConfig,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import QuietHandler, serving

SOURCE = 'snap-0123456789abcdef0'
COPY = 'snap-0fedcba9876543210'
TAG = 'us-east-1/' + SOURCE


def snapshot(snapshot_id, state='completed', progress='100%', tags=None, message=None, **fields):
    item = {
        'SnapshotId': snapshot_id,
        'VolumeId': 'vol-0123456789abcdef0',
        'State': state,
        'Progress': progress,
        'VolumeSize': 8,
        'Encrypted': False,
        'OwnerId': '123456789012',
        'Description': '',
        'StartTime': datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
    }
    item.update(fields)
    if tags:
        item['Tags'] = [{'Key': key, 'Value': value} for key, value in tags.items()]
    if message:
        item['StateMessage'] = message
    return item


class StubbedAws:
    """An EbsAdapter whose own per-region EC2 clients (on the trimmed model) are behind Stubbers,
    which check each call's parameters against that model."""

    def __init__(self, retry=None):
        self.adapter = EbsAdapter(
            AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore, retry=retry)
        )
        self.clients = {region: self.adapter.client.ec2(region) for region in ('us-east-1', 'us-west-2')}
        self.stubbers = {region: Stubber(client) for region, client in self.clients.items()}

    def __enter__(self):
        for stubber in self.stubbers.values():
            stubber.activate()
        return self

    def __exit__(self, *exc):
        for stubber in self.stubbers.values():
            stubber.deactivate()

    def assert_all_used(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()

    def source_found(self, state='completed', progress='100%'):
        self.stubbers['us-east-1'].add_response(
            'describe_snapshots', {'Snapshots': [snapshot(SOURCE, state, progress)]}, {'SnapshotIds': [SOURCE]}
        )

    def copies_found(self, *items):
        self.stubbers['us-west-2'].add_response(
            'describe_snapshots',
            {'Snapshots': list(items)},
            {'Filters': [{'Name': 'tag:snapcopy:source', 'Values': [TAG]}], 'MaxResults': 1000, 'OwnerIds': ['self']},
        )

    def copy_made(self, snapshot_id=COPY, read_back=True):
        """CopySnapshot answers ``snapshot_id``; with ``read_back``, the engine's read of it follows (a copy counts once
        a read shows it), which shows it pending."""
        self.stubbers['us-west-2'].add_response(
            'copy_snapshot',
            {'SnapshotId': snapshot_id, 'Tags': [{'Key': 'snapcopy:source', 'Value': TAG}]},
            {'SourceRegion': 'us-east-1', 'SourceSnapshotId': SOURCE, 'TagSpecifications': ANY},
        )
        if read_back:
            self.copy_state('pending', '0%')

    def copy_state(self, state, progress, message=None):
        self.stubbers['us-west-2'].add_response(
            'describe_snapshots',
            {'Snapshots': [snapshot(COPY, state, progress, {'snapcopy:source': TAG}, message)]},
            {'Filters': [{'Name': 'snapshot-id', 'Values': [COPY]}], 'MaxResults': 1000, 'OwnerIds': ['self']},
        )


def run(aws, wait=False, timeout=600, **options):
    clock = FakeClock()
    engine = CopyEngine(
        aws.adapter, EngineConfig(wait=wait, timeout=timeout, poll_interval=5), clock=clock.clock, sleep=clock.sleep
    )
    outcome = engine.run([CopyRequest(SOURCE, 'us-east-1', ['us-west-2'], options)])[0]
    return outcome, outcome.destinations['us-west-2'], engine, clock


KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
KEY_ARN = 'arn:aws:kms:us-west-2:123456789012:key/' + KEY_ID


@pytest.mark.parametrize(
    'found, options, differing',
    [
        # Encrypted and KmsKeyId as DescribeSnapshots answers them (botocore's EC2 model).
        ({'Encrypted': False}, {'encrypted': True}, {'encrypted'}),
        ({'Encrypted': True, 'KmsKeyId': KEY_ARN}, {'encrypted': True, 'kms_key_id': KEY_ID}, set()),
        ({'Encrypted': True, 'KmsKeyId': KEY_ARN}, {'encrypted': True, 'kms_key_id': KEY_ARN}, set()),
        (
            {'Encrypted': True, 'KmsKeyId': KEY_ARN},
            {'encrypted': True, 'kms_key_id': 'ffffffff-12ab-34cd-56ef-1234567890ab'},
            {'kms_key_id'},
        ),
        # An alias is not resolved (that would take a KMS call): not held against the copy.
        ({'Encrypted': True, 'KmsKeyId': KEY_ARN}, {'encrypted': True, 'kms_key_id': 'alias/dr-key'}, set()),
        ({'Description': 'old words'}, {'description': 'DR copy'}, {'description'}),
        ({}, {'tags': {'team': 'db'}}, {'tags'}),
    ],
)
def test_a_copy_found_is_held_to_what_is_asked(found, options, differing):
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found(snapshot(COPY, tags={'snapcopy:source': TAG, 'team': 'web'}, **found))
        outcome, destination_outcome, _engine, _clock = run(aws, **options)
        aws.assert_all_used()  # and no CopySnapshot: the Stubber would have refused it
    if differing:
        assert outcome.failed and destination_outcome.error.code == 'ExistingCopyDiffers'
        assert (
            set(destination_outcome.mismatch['differences']) == differing
            and destination_outcome.mismatch['snapshot_id'] == COPY
        )
    else:
        assert not outcome.failed and destination_outcome.action == EXISTING and destination_outcome.mismatch is None


def test_pending_copy_is_waited_for_until_completed():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.copy_made()
        aws.copy_state('pending', '10%')
        aws.copy_state('pending', '60%')
        aws.copy_state('completed', '100%')
        outcome, destination_outcome, _engine, _clock = run(aws, wait=True)
        aws.assert_all_used()
    assert not outcome.failed
    assert destination_outcome.action == COPIED
    assert (
        destination_outcome.snapshot.id,
        destination_outcome.snapshot.cloud_state,
        destination_outcome.snapshot.progress,
    ) == (COPY, 'completed', 100)


def test_copy_in_error_fails_with_the_state_message():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.copy_made()
        aws.copy_state('error', '0%', message='KMS key is disabled')
        outcome, destination_outcome, _engine, _clock = run(aws, wait=True)
        aws.assert_all_used()
    assert outcome.failed
    assert 'KMS key is disabled' in outcome.failures()[0]
    assert destination_outcome.snapshot.id == COPY


def test_every_snapshot_state_of_the_ec2_model_has_its_meaning():
    """botocore's SnapshotState enum is the list: a state missing here would be read as pending, and a DR run would
    wait for a snapshot in the Recycle Bin ('recoverable') as if it were a copy on its way."""
    states = botocore.session.get_session().get_service_model('ec2').shape_for('SnapshotState').enum
    assert set(STATE_MAP) == set(states)
    assert STATE_MAP['recoverable'] == DELETING and STATE_MAP['recovering'] == PENDING


def test_existing_copy_in_the_recycle_bin_is_no_copy_and_a_new_one_is_made():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found(snapshot('snap-0000000000000bin', 'recoverable', '100%', {'snapcopy:source': TAG}))
        aws.copy_made()
        outcome, destination_outcome, _engine, _clock = run(aws)
        aws.assert_all_used()
    assert not outcome.failed and destination_outcome.action == COPIED and destination_outcome.snapshot.id == COPY


def test_existing_copy_in_error_is_reported_not_replaced():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found(snapshot(COPY, 'error', '0%', {'snapcopy:source': TAG}, 'internal error'))
        outcome, destination_outcome, _engine, _clock = run(aws)
        aws.assert_all_used()  # and no CopySnapshot: the Stubber would have refused it
    assert destination_outcome.action == EXISTING
    assert outcome.failed
    assert 'delete it, then run again' in outcome.failures()[0]


def test_timeout_fails_and_still_returns_the_copy_id():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.copy_made()
        for dummy in range(3):
            aws.copy_state('pending', '20%')
        outcome, destination_outcome, _engine, clock = run(aws, wait=True, timeout=10)
        aws.assert_all_used()
    assert outcome.failed
    assert destination_outcome.timed_out
    assert destination_outcome.snapshot.id == COPY
    assert clock.now == 10
    assert COPY in outcome.failures()[0]


@pytest.mark.parametrize('code', ['RequestLimitExceeded', 'Throttling', 'ResourceLimitExceeded'])
def test_throttled_copy_is_retried_after_a_look_up(code):
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.stubbers['us-west-2'].add_client_error('copy_snapshot', service_error_code=code, http_status_code=400)
        aws.copies_found()  # looked up again before the retry: CopySnapshot has no ClientToken
        aws.copy_made()
        outcome, destination_outcome, engine, _clock = run(aws)
        aws.assert_all_used()
    assert not outcome.failed
    assert destination_outcome.action == COPIED
    assert engine.retries == 1


def test_throttled_reads_are_retried():
    with StubbedAws() as aws:
        aws.stubbers['us-east-1'].add_client_error(
            'describe_snapshots', service_error_code='RequestLimitExceeded', http_status_code=503
        )
        aws.source_found()
        aws.copies_found()
        aws.copy_made()
        outcome, _place, engine, _clock = run(aws)
        aws.assert_all_used()
    assert not outcome.failed
    assert engine.retries == 1


def test_lost_answer_is_followed_by_a_look_up_that_finds_the_copy():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.copy_made(read_back=False)  # the look-up after the loss shows it

        def drop_answer(**kwargs):
            # EC2 made the copy (the stubbed answer was served), but the answer never arrived.
            raise botocore.exceptions.ConnectionClosedError(endpoint_url='https://ec2.us-west-2.amazonaws.com')

        aws.clients['us-west-2'].meta.events.register('after-call.ec2.CopySnapshot', drop_answer)
        aws.copies_found(snapshot(COPY, 'pending', '0%', {'snapcopy:source': TAG}))
        outcome, destination_outcome, engine, _clock = run(aws)
        aws.assert_all_used()  # exactly one look-up after the loss, and no second CopySnapshot
    assert not outcome.failed
    assert destination_outcome.action == COPIED
    assert destination_outcome.snapshot.id == COPY
    assert engine.retries == 1


def test_non_retryable_error_is_reported_with_code_and_request_id():
    with StubbedAws() as aws:
        aws.source_found()
        aws.copies_found()
        aws.stubbers['us-west-2'].add_client_error(
            'copy_snapshot',
            service_error_code='UnauthorizedOperation',
            service_message='You are not authorized',
            http_status_code=403,
            response_meta={'RequestId': 'req-42'},
        )
        outcome, destination_outcome, engine, _clock = run(aws)
        aws.assert_all_used()
    assert outcome.failed
    assert destination_outcome.error.code == 'UnauthorizedOperation'
    assert 'req-42' in outcome.failures()[0]
    assert engine.retries == 0


OUTPOST = 'arn:aws:outposts:us-east-1:123456789012:outpost/op-1234567890abcdef0'


@pytest.mark.parametrize(
    'extra, options, encrypted, code',
    [
        ({'destination_outpost_arn': OUTPOST}, {}, False, 'SourceOnOutpost'),
        ({}, {'destination_outpost_arn': OUTPOST}, False, 'EncryptionRequired'),
        ({}, {'destination_outpost_arn': OUTPOST, 'encrypted': True}, False, None),
        ({}, {'destination_outpost_arn': OUTPOST}, True, None),
        ({}, {}, False, None),
    ],
)
def test_a_source_the_ec2_model_says_cannot_be_copied_is_refused_before_the_copy_call(extra, options, encrypted, code):
    """EC2's model: an archived snapshot "must be restored before it can be used"; "If the source snapshot is on an
    Outpost, you can't copy it"; "Snapshots copied to an Outpost must be encrypted". Each is refused with what to do,
    before any copy call (the engine reports it as the source's error)."""
    adapter = EbsAdapter(AwsClient({'access_key': 'AKIATEST', 'secret_key': 'secret'}, botocore_module=botocore))
    source = Snapshot(SOURCE, 'us-east-1', COMPLETED, encrypted=encrypted, extra=extra)
    request = CopyRequest(SOURCE, 'us-east-1', ['us-west-2'], options)
    if code is None:
        adapter.check_source(request, source)
        return
    with pytest.raises(CloudError) as refused:
        adapter.check_source(request, source)
    assert (refused.value.code, refused.value.kind) == (code, INVALID) and SOURCE in refused.value.message


def test_pending_source_without_wait_is_a_clear_error_and_copies_nothing():
    with StubbedAws() as aws:
        aws.source_found('pending', '45%')
        outcome, _place, _engine, _clock = run(aws)
        aws.assert_all_used()
    assert outcome.failed
    assert 'wait: true' in outcome.failures()[0]


@pytest.mark.parametrize(
    'source, destinations, options, option',
    [
        ('snap-1', ['us-west-2'], {}, 'source_snapshot_id'),
        (SOURCE, ['uswest2'], {}, 'destination_region'),
        (SOURCE, ['us-west-2'], {'kms_key_id': 'alias/x'}, 'kms_key_id'),
        (SOURCE, ['us-west-2'], {'completion_duration_minutes': 14}, 'completion_duration_minutes'),
        (SOURCE, ['us-west-2'], {'tags': {'aws:x': '1'}}, 'tags'),
        (SOURCE, ['us-west-2'], {'tags': {'k%d' % n: 'v' for n in range(50)}}, 'tags'),
        (SOURCE, ['us-west-2'], {'description': 'x' * 256}, 'description'),
    ],
)
def test_validation_names_the_option(source, destinations, options, option):
    adapter = EbsAdapter(AwsClient({}, botocore_module=botocore))
    with pytest.raises(InputError) as error:
        adapter.validate(CopyRequest(source, 'us-east-1', destinations, options))
    assert error.value.option == option
    assert not adapter.client._clients  # pylint: disable=protected-access


def test_client_timeouts_are_options_checked_before_any_call():
    for option in ('connect_timeout', 'read_timeout'):
        with pytest.raises(InputError) as error:
            EbsAdapter.from_connection({option: 0})
        assert error.value.option == option
    adapter = EbsAdapter.from_connection({'access_key': 'AKIATEST', 'secret_key': 'secret', 'read_timeout': 7})
    config = adapter.client.ec2('us-east-1').meta.config
    assert (config.read_timeout, config.connect_timeout) == (7, 10)


def test_unknown_profile_names_the_option(monkeypatch, tmp_path):
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'credentials'))
    client = AwsClient({'profile': 'nobody'}, botocore_module=botocore)
    with pytest.raises(InputError) as error:
        client.ec2('us-east-1')
    assert error.value.option == 'profile'
    assert 'nobody' in str(error.value)
    # The region check, before any client, reads botocore's data through the same session: the same words.
    adapter = EbsAdapter(AwsClient({'profile': 'nobody'}, botocore_module=botocore))
    with pytest.raises(InputError) as error:
        adapter.region_warnings([('source_region', 'eu-west-1')])
    assert error.value.option == 'profile' and 'nobody' in str(error.value)


def test_the_region_check_and_the_client_read_botocores_endpoints_once(monkeypatch):
    """endpoints.json is a megabyte of JSON: an ad hoc copy read it twice, once for the region check and once for the
    client's endpoint, a tenth of the module's CPU beyond Ansible's own."""
    reads = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def counted(self, file_path):
        reads.append(file_path)
        return load_file(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, 'load_file', counted)
    adapter = EbsAdapter.from_connection({'access_key': 'AKIATEST', 'secret_key': 'secret'})
    assert adapter.region_warnings([('source_region', 'eu-west-1'), ('dr_regions', 'us-west-2')]) == []
    adapter.client.ec2('eu-west-1')
    adapter.client.ec2('us-west-2')
    assert [path for path in reads if path.endswith('endpoints')] == [reads[0]], reads


class ProxyPage(QuietHandler):
    """What a proxy in front of the endpoint answers when the way is down: a web page, not AWS's XML, with the
    status the request's path names."""

    body = b'<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>'

    def do_POST(self):  # pylint: disable=invalid-name  # http.server's name
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.answer(int(self.path.strip('/')), 'text/html', self.body)


class ServerErrorPage(ProxyPage):
    """A web server's own error page, which is not XML at all (moto's server under load answered this one, werkzeug's):
    botocore cannot parse it and raises ResponseParserError, which is no BotoCoreError."""

    body = (
        b'<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n'
        b'<p>The server encountered an internal error and was unable to complete your request.</p>\n'
    )


def test_a_server_error_page_that_is_not_xml_is_retried_then_a_cloud_error_not_a_traceback():
    """Seen in make chaos (the overlap part, 2026-11-25): moto's server answered a 500 with werkzeug's page, and the
    module ended in a traceback (MODULE FAILURE) instead of retrying."""
    with serving(ServerErrorPage) as url:
        retry = CallRetry(Backoff(is_retryable, max_attempts=3, sleep=lambda seconds: None))
        client = AwsClient(
            {'access_key': 'AKIAEXAMPLE', 'secret_key': 'example', 'read_timeout': 5, 'endpoint_url': '%s/500' % url},
            botocore_module=load_botocore(),
            retry=retry,
        )
        with pytest.raises(CloudError) as info:
            client.call('us-east-1', 'DescribeSnapshots', SnapshotIds=['snap-0123456789abcdef0'])
    error = info.value
    assert (error.action, error.code, error.kind) == ('DescribeSnapshots', 'ResponseParserError', RETRYABLE)
    assert error.uncertain and retry.retries == 2, 'retried as any answer that may come right'
    assert 'invalid XML received' in error.message and len(error.message) <= 300


@pytest.mark.parametrize('status', [500, 502, 200])
def test_a_page_that_is_not_awss_answer_is_a_cloud_error_not_a_traceback(status):
    """Issue 24: an HTML 500 from a proxy ended in a botocore traceback."""
    with serving(ProxyPage) as url:
        client = AwsClient(
            {
                'access_key': 'AKIAEXAMPLE',
                'secret_key': 'example',
                'read_timeout': 5,
                'endpoint_url': '%s/%d' % (url, status),
            },
            botocore_module=load_botocore(),
        )
        with pytest.raises(CloudError) as info:
            client.call('us-east-1', 'DescribeSnapshots', SnapshotIds=['snap-0123456789abcdef0'])
    error = info.value
    # A 5xx is AWS's way to say "try again": retried, with the status as code. A page with 200 is no answer at all,
    # though botocore reads it as one with no snapshot in it (and a look-up before a copy would then copy again).
    assert (error.action, error.code, error.kind) == (
        'DescribeSnapshots',
        str(status) if status >= 500 else 'NotAnAwsAnswer',
        RETRYABLE,
    )
    assert status >= 500 or 'text/html' in error.message


# ------------------------------------------------------------------ destination_availability_zone (issue 25, point 6)
# CopySnapshot's DestinationAvailabilityZone (botocore's EC2 model): a copy to a Local Zone of the source's region.
ZONE = 'us-west-2-lax-1a'
IN_REGION_TAG = 'us-west-2/' + SOURCE
OUTPOST = 'arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0'


def run_in_region(aws, copies=(), copy_arguments=None, **options):
    """A copy of SOURCE in us-west-2 to us-west-2 (to a Local Zone or an Outpost of it): the source and the copies
    found there are read, and CopySnapshot is expected with exactly ``copy_arguments`` (the Stubber checks them against
    the model) when it is given."""
    west = aws.stubbers['us-west-2']
    # Encrypted: "Snapshots copied to an Outpost must be encrypted" (CopySnapshotRequest), and a zone takes one as well.
    west.add_response(
        'describe_snapshots', {'Snapshots': [snapshot(SOURCE, Encrypted=True)]}, {'SnapshotIds': [SOURCE]}
    )
    west.add_response(
        'describe_snapshots',
        {'Snapshots': list(copies)},
        {
            'Filters': [{'Name': 'tag:snapcopy:source', 'Values': [IN_REGION_TAG]}],
            'MaxResults': 1000,
            'OwnerIds': ['self'],
        },
    )
    if copy_arguments is not None:
        west.add_response(
            'copy_snapshot',
            {'SnapshotId': COPY, 'Tags': [{'Key': 'snapcopy:source', 'Value': IN_REGION_TAG}]},
            copy_arguments,
        )
        # The read back of the copy made (a copy counts once a read shows it).
        west.add_response(
            'describe_snapshots',
            {'Snapshots': [snapshot(COPY, 'pending', '0%', {'snapcopy:source': IN_REGION_TAG})]},
            {'Filters': [{'Name': 'snapshot-id', 'Values': [COPY]}], 'MaxResults': 1000, 'OwnerIds': ['self']},
        )
    clock = FakeClock()
    engine = CopyEngine(aws.adapter, EngineConfig(poll_interval=5), clock=clock.clock, sleep=clock.sleep)
    outcome = engine.run([CopyRequest(SOURCE, 'us-west-2', ['us-west-2'], options)])[0]
    return outcome, outcome.destinations['us-west-2']


def test_a_copy_to_a_local_zone_sends_destination_availability_zone():
    with StubbedAws() as aws:
        outcome, destination_outcome = run_in_region(
            aws,
            copy_arguments={
                'SourceRegion': 'us-west-2',
                'SourceSnapshotId': SOURCE,
                'DestinationAvailabilityZone': ZONE,
                'TagSpecifications': [
                    {'ResourceType': 'snapshot', 'Tags': [{'Key': 'snapcopy:source', 'Value': IN_REGION_TAG}]}
                ],
            },
            destination_availability_zone=ZONE,
        )
        aws.assert_all_used()
    assert not outcome.failed and destination_outcome.action == COPIED and destination_outcome.snapshot.id == COPY


@pytest.mark.parametrize(
    'options, found, differs',
    [
        (
            {'destination_availability_zone': ZONE},
            {},
            {'destination_availability_zone': {'asked': ZONE, 'found': None}},
        ),
        ({'destination_outpost_arn': OUTPOST}, {}, {'destination_outpost_arn': {'asked': OUTPOST, 'found': None}}),
        ({}, {'OutpostArn': OUTPOST}, {'destination_outpost_arn': {'asked': None, 'found': OUTPOST}}),
        ({}, {'AvailabilityZone': ZONE}, {'destination_availability_zone': {'asked': None, 'found': ZONE}}),
        (
            {'destination_availability_zone': ZONE},
            {'AvailabilityZone': 'us-west-2-den-1a'},
            {'destination_availability_zone': {'asked': ZONE, 'found': 'us-west-2-den-1a'}},
        ),
    ],
    ids=[
        'zone-asked-region-found',
        'outpost-asked-region-found',
        'region-asked-outpost-found',
        'region-asked-zone-found',
        'another-zone-found',
    ],
)
def test_a_copy_kept_elsewhere_than_asked_is_not_adopted(options, found, differs):
    """Where a copy is kept (DescribeSnapshots' OutpostArn, and AvailabilityZone for a Local Zone) is compared whether
    or not the task names a place: a copy on an Outpost is not a copy in the region, nor one in the region a copy to a
    Local Zone. The task fails (on_mismatch's default), naming the copy and where it is; nothing is copied."""
    with StubbedAws() as aws:
        outcome, destination_outcome = run_in_region(
            aws, [snapshot(COPY, tags={'snapcopy:source': IN_REGION_TAG}, **found)], **options
        )
        aws.assert_all_used()  # and no CopySnapshot: the Stubber would have refused it
    assert outcome.failed and destination_outcome.action == NOT_COPIED
    assert destination_outcome.mismatch == {'snapshot_id': COPY, 'differences': differs}


@pytest.mark.parametrize(
    'options, found',
    [
        ({'destination_availability_zone': ZONE}, {'AvailabilityZone': ZONE}),
        ({'destination_outpost_arn': OUTPOST}, {'OutpostArn': OUTPOST}),
        ({}, {'AvailabilityZone': 'us-west-2a'}),
    ],
    ids=['same-local-zone', 'same-outpost', 'a-zone-of-the-region-is-the-region'],
)
def test_a_copy_kept_where_asked_is_used(options, found):
    with StubbedAws() as aws:
        outcome, destination_outcome = run_in_region(
            aws, [snapshot(COPY, tags={'snapcopy:source': IN_REGION_TAG}, **found)], **options
        )
        aws.assert_all_used()
    assert (
        not outcome.failed
        and destination_outcome.action == EXISTING
        and destination_outcome.snapshot.id == COPY
        and destination_outcome.mismatch is None
    )


@pytest.mark.parametrize(
    'source_region, zone, options, option, words',
    [
        (
            'us-west-2',
            'us-west-2a',
            {},
            'destination_availability_zone',
            'expected a Local Zone of destination_region us-west-2',
        ),
        (
            'us-west-2',
            'us-east-1-bos-1a',
            {},
            'destination_availability_zone',
            'expected a Local Zone of destination_region us-west-2',
        ),
        ('us-west-2', 'us-west-2-LAX-1a', {}, 'destination_availability_zone', "got 'us-west-2-LAX-1a'"),
        ('us-west-2', '', {}, 'destination_availability_zone', "got ''"),
        (
            'us-east-1',
            ZONE,
            {},
            'destination_availability_zone',
            'source_region and destination_region must both be us-west-2',
        ),
        (
            'us-west-2',
            ZONE,
            {'destination_outpost_arn': OUTPOST},
            'destination_availability_zone',
            'cannot be used with destination_outpost_arn',
        ),
        (
            'us-west-2',
            ZONE,
            {'completion_duration_minutes': 60},
            'completion_duration_minutes',
            'cannot be used for a copy to a Local Zone',
        ),
    ],
    ids=['availability-zone', 'other-region', 'capitals', 'empty', 'source-elsewhere', 'with-outpost', 'time-based'],
)
def test_a_local_zone_copy_is_checked_before_any_call(source_region, zone, options, option, words):
    adapter = EbsAdapter(AwsClient({}, botocore_module=botocore))
    with pytest.raises(InputError) as error:
        adapter.validate(
            CopyRequest(SOURCE, source_region, ['us-west-2'], dict(options, destination_availability_zone=zone))
        )
    assert error.value.option == option and words in error.value.message
    assert not adapter.client._clients  # pylint: disable=protected-access


def older_botocore_models(folder, parameter):
    """A data folder for AWS_DATA_PATH whose EC2 model is a botocore's before ``parameter``: the trimmed one without
    it."""
    model = load_ec2_model()
    del model['shapes']['CopySnapshotRequest']['members'][parameter]
    path = folder / 'ec2' / EC2_API_VERSION
    path.mkdir(parents=True)
    (path / 'service-2.json').write_text(json.dumps(model), encoding='utf-8')
    return str(folder)


@pytest.mark.parametrize(
    'source_region, options, parameter, release',
    [
        ('us-west-2', {'destination_availability_zone': ZONE}, 'DestinationAvailabilityZone', '1.40.20'),
        ('us-east-1', {'completion_duration_minutes': 60}, 'CompletionDurationMinutes', '1.35.70'),
    ],
)
def test_a_botocore_model_without_the_parameter_fails_naming_the_release_that_has_it(
    source_region, options, parameter, release, monkeypatch, tmp_path
):
    """With AWS_DATA_PATH set, botocore's own EC2 model is used; botocore 1.34.0 (the oldest supported) lacks both."""
    request = CopyRequest(SOURCE, source_region, ['us-west-2'], options)
    EbsAdapter(AwsClient({}, botocore_module=botocore)).validate(
        request
    )  # the collection's own model has them, whatever the botocore
    monkeypatch.setenv('AWS_DATA_PATH', older_botocore_models(tmp_path, parameter))
    with pytest.raises(InputError) as error:
        EbsAdapter(AwsClient({}, botocore_module=botocore)).validate(request)
    (option,) = options
    assert error.value.option == option
    assert error.value.message == (
        'botocore %s has no CopySnapshot parameter %s in the EC2 model it loaded (with AWS_DATA_PATH set, '
        "botocore's models are used): upgrade it to %s or later" % (botocore.__version__, parameter, release)
    )
    assert BOTOCORE_PARAMETER_RELEASES['CopySnapshot'][parameter] == release


def test_the_releases_named_are_newer_than_the_oldest_supported_and_their_models_have_the_parameter():
    """The botocore releases named are newer than the oldest supported, and the installed botocore's model has each
    parameter."""
    members = (
        botocore.session.get_session().get_service_model('ec2').operation_model('CopySnapshot').input_shape.members
    )
    for parameter, release in BOTOCORE_PARAMETER_RELEASES['CopySnapshot'].items():
        assert version_key(AWS_SDK_MINIMUMS['botocore']) < version_key(release)
        assert parameter in members or version_key(botocore.__version__) < version_key(release)
