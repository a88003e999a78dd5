"""AWS assume-role through real botocore: moto's server for STS and accounts, and a small STS that refuses.

moto's STS never refuses (the role need not exist, the external id is stored, not checked), so the
refusals are played by ``RefusingSts``, an HTTP server that answers AssumeRole as AWS documents it.
moto runs in this process (``ThreadedMotoServer``, real HTTP on a loopback port), so a test can read
what its STS was asked (``sts_backends``) without a call of its own.
"""

from __future__ import annotations

import datetime
import urllib.parse

import botocore
import botocore.credentials
import botocore.session
import moto.sts.models
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient, load_botocore
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import FATAL, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.copy_engine import CopyEngine
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import COPIED, EXISTING
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.local_server import QuietHandler, serving

BASE_KEYS = {'access_key': 'AKIASNAPCOPYUNIT0001', 'secret_key': 'snapcopy-unit-secret-0001'}
BASE_ACCOUNT = '123456789012'  # moto's account for keys it did not hand out


def assumed(account, role_arn):
    """What moto's STS was asked for ``role_arn`` (it files each session under the role's account)."""
    return [role for role in moto.sts.models.sts_backends[account]['aws'].assumed_roles if role.role_arn == role_arn]


def ec2_with(url, keys, region='us-east-1'):
    session = botocore.session.Session()
    session.set_credentials(keys['access_key'], keys['secret_key'], keys.get('session_token'))
    return session.create_client('ec2', region_name=region, endpoint_url=url)


def role_keys(url, role_arn):
    """Temporary keys of ``role_arn``, asked of moto's STS with the base keys (to seed the role's account)."""
    session = botocore.session.Session()
    session.set_credentials(BASE_KEYS['access_key'], BASE_KEYS['secret_key'])
    answer = session.create_client('sts', region_name='us-east-1', endpoint_url=url).assume_role(
        RoleArn=role_arn, RoleSessionName='seed'
    )['Credentials']
    return {
        'access_key': answer['AccessKeyId'],
        'secret_key': answer['SecretAccessKey'],
        'session_token': answer['SessionToken'],
    }


def seed_snapshot(ec2):
    volume = ec2.create_volume(Size=8, AvailabilityZone='us-east-1a')
    return ec2.create_snapshot(VolumeId=volume['VolumeId'], Description='seed')['SnapshotId']


def own_snapshot_ids(ec2):
    return {item['SnapshotId'] for item in ec2.describe_snapshots(OwnerIds=['self'])['Snapshots']}


class MovableClock:
    """The time of the module and of moto's STS, moved together by the test: AwsClient's ``clock`` (the
    time fetcher of botocore's refreshable credentials), botocore's own clock (its assume-role fetcher
    keeps the last answer while that is valid by ``_local_now``), and moto's (it stamps each session's
    expiry from ``utcnow``)."""

    def __init__(self):
        self.offset = datetime.timedelta()

    def __call__(self):
        return datetime.datetime.now(datetime.timezone.utc) + self.offset

    def naive(self):
        return self().replace(tzinfo=None)


def test_a_copy_through_a_role_lands_in_the_roles_account_and_the_base_account_sees_nothing(moto_url):
    role_arn = 'arn:aws:iam::222233334444:role/snapcopy-dr'
    theirs = ec2_with(moto_url, role_keys(moto_url, role_arn))
    source = seed_snapshot(theirs)
    base = {region: ec2_with(moto_url, BASE_KEYS, region) for region in ('us-east-1', 'us-west-2')}
    base_before = {region: own_snapshot_ids(ec2) for region, ec2 in base.items()}
    assert source not in base_before['us-east-1']  # moto keeps the accounts apart: the test could fail

    connection = dict(
        BASE_KEYS, endpoint_url=moto_url, role_arn=role_arn, role_session_name='unit-test', external_id='dr-programme-7'
    )
    adapter = EbsAdapter(AwsClient(connection, botocore_module=load_botocore()))
    request = CopyRequest(source, 'us-east-1', ['us-west-2'], {})
    first = CopyEngine(adapter).run([request])[0].destinations['us-west-2']
    unanswered = (
        CopyEngine(EbsAdapter(AwsClient(connection, botocore_module=load_botocore())))
        .run([request])[0]
        .destinations['us-west-2']
    )

    assert first.action == COPIED and unanswered.action == EXISTING and unanswered.snapshot.id == first.snapshot.id
    assert first.snapshot.id in own_snapshot_ids(ec2_with(moto_url, role_keys(moto_url, role_arn), 'us-west-2'))
    assert {region: own_snapshot_ids(ec2) for region, ec2 in base.items()} == base_before
    sessions = [role for role in assumed('222233334444', role_arn) if role.session_name == 'unit-test']
    assert sessions and {role.external_id for role in sessions} == {'dr-programme-7'}


def test_a_run_across_the_sessions_expiry_assumes_the_role_again_and_keeps_working(moto_url, monkeypatch):
    role_arn = 'arn:aws:iam::333344445555:role/snapcopy-dr'
    source = seed_snapshot(ec2_with(moto_url, role_keys(moto_url, role_arn)))
    clock = MovableClock()
    monkeypatch.setattr(moto.sts.models, 'utcnow', clock.naive)
    monkeypatch.setattr(botocore.credentials, '_local_now', clock)
    client = AwsClient(
        dict(BASE_KEYS, endpoint_url=moto_url, role_arn=role_arn, role_session_name='long-run'),
        botocore_module=load_botocore(),
        clock=clock,
    )

    def sessions():
        return [role for role in assumed('333344445555', role_arn) if role.session_name == 'long-run']

    def source_found():
        return [
            item['SnapshotId']
            for item in client.call('us-east-1', 'DescribeSnapshots', SnapshotIds=[source])['Snapshots']
        ]

    assert source_found() == [source]
    assert source_found() == [source]
    assert len(sessions()) == 1  # the keys are kept while they last
    clock.offset = datetime.timedelta(minutes=61)  # past the hour moto's sessions last (DurationSeconds' default)
    assert sessions()[0].expiration < clock.naive()
    assert source_found() == [source]
    assert source_found() == [source]
    assert len(sessions()) == 2  # one more session, kept while it lasts
    assert sessions()[0].access_key_id != sessions()[1].access_key_id


# ---------------------------------------------------------------------- STS refusals
# AWS STS answers a refused AssumeRole with HTTP 403 and the Query API's error document: ErrorResponse
# with Error (Type Sender, Code AccessDenied, Message) and RequestId (AWS STS API Reference, AssumeRole
# and Common Errors; the query protocol of botocore's STS model). A wrong or missing external id is
# refused the same way: the trust policy's sts:ExternalId condition does not match (IAM User Guide,
# "Access to AWS accounts owned by third parties").
ACCESS_DENIED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
    '  <Error>\n'
    '    <Type>Sender</Type>\n'
    '    <Code>AccessDenied</Code>\n'
    '    <Message>User: arn:aws:iam::123456789012:user/snapcopy is not authorized to perform: sts:AssumeRole on '
    'resource: %s</Message>\n'
    '  </Error>\n'
    '  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n'
    '</ErrorResponse>\n'
)


class RefusingSts(QuietHandler):
    """Refuses every AssumeRole and records each request's form (any other call is a test failure)."""

    requests: list = []

    def do_POST(self):  # the name http.server calls
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers['Content-Length'])).decode()))
        self.requests.append(form)
        if form.get('Action') != 'AssumeRole':
            self.send_response(500)
            self.end_headers()
            return
        self.answer(403, 'text/xml', (ACCESS_DENIED % form.get('RoleArn')).encode())


@pytest.fixture
def refusing_sts():
    RefusingSts.requests = []
    with serving(RefusingSts) as url:
        yield url, RefusingSts.requests


@pytest.mark.parametrize('external_id', [None, 'a-wrong-external-id'])
def test_an_sts_refusal_is_a_cloud_error_with_awss_code_and_request_id_and_no_ec2_call(refusing_sts, external_id):
    url, requests = refusing_sts
    role_arn = 'arn:aws:iam::444455556666:role/snapcopy-dr'
    connection = dict(BASE_KEYS, endpoint_url=url, role_arn=role_arn, role_session_name='refused')
    if external_id:
        connection['external_id'] = external_id
    client = AwsClient(connection, botocore_module=load_botocore())
    with pytest.raises(CloudError) as info:
        client.call('us-east-1', 'DescribeSnapshots', SnapshotIds=['snap-0123456789abcdef0'])
    error = info.value
    assert (error.action, error.code, error.kind) == ('AssumeRole', 'AccessDenied', FATAL)
    assert error.request_id == 'c6104cbe-af31-11e0-8154-cbc7ccf896c7'
    assert role_arn in error.message
    # Sent once (a refusal is not retried), with the options given; nothing else was asked.
    assert [
        (form['Action'], form['RoleArn'], form['RoleSessionName'], form.get('ExternalId')) for form in requests
    ] == [('AssumeRole', role_arn, 'refused', external_id)]
    for secret in (BASE_KEYS['secret_key'], external_id):
        assert not secret or secret not in str(error)


def test_the_refusal_reaches_a_copy_as_its_failure(refusing_sts):
    url, requests = refusing_sts
    connection = dict(BASE_KEYS, endpoint_url=url, role_arn='arn:aws:iam::444455556666:role/snapcopy-dr')
    outcome = CopyEngine(EbsAdapter(AwsClient(connection, botocore_module=load_botocore()))).run(
        [CopyRequest('snap-0123456789abcdef0', 'us-east-1', ['us-west-2'], {})]
    )[0]
    assert outcome.failed and outcome.error.code == 'AccessDenied' and outcome.error.action == 'AssumeRole'
    assert {form['Action'] for form in requests} == {'AssumeRole'}
