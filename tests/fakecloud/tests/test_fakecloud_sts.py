"""STS AssumeRole (Alibaba 2015-04-01, Tencent 2018-08-13) and accounts, through the real SDKs."""

from __future__ import annotations

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest
from tencentcloud.cbs.v20170312 import cbs_client, models
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_call, alibaba_client, tencent_client


def alibaba_assume_role(fc, arn, key=creds.ALIBABA_ACCESS_KEY_ID, secret=creds.ALIBABA_ACCESS_KEY_SECRET, **params):
    request = CommonRequest(product='Sts', version='2015-04-01', action_name='AssumeRole')
    request.set_method('POST')
    request.add_query_param('RoleArn', arn)
    for name, value in dict({'RoleSessionName': 'test-session'}, **params).items():
        request.add_query_param(name, value)
    request.set_accept_format('JSON')
    return alibaba_call(fc.endpoint, alibaba_client(access_key_id=key, secret=secret, auto_retry=False), request)


def alibaba_code(fc, arn, **params):
    with pytest.raises(ServerException) as info:
        alibaba_assume_role(fc, arn, **params)
    return info.value.get_error_code()


def ecs_snapshots(fc, credentials, region='cn-hangzhou'):
    client = alibaba_client(
        access_key_id=credentials['AccessKeyId'],
        secret=credentials['AccessKeySecret'],
        security_token=credentials['SecurityToken'],
        auto_retry=False,
    )
    request = DescribeSnapshotsRequest()
    return [s['SnapshotId'] for s in alibaba_call(fc.endpoint, client, request)['Snapshots']['Snapshot']]


def tencent_sts(fc, secret_id=creds.TENCENT_SECRET_ID, secret_key=creds.TENCENT_SECRET_KEY):
    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=fc.endpoint))
    return CommonClient('sts', '2018-08-13', Credential(secret_id, secret_key), 'ap-guangzhou', profile)


def tencent_code(client, params):
    with pytest.raises(TencentCloudSDKException) as info:
        client.call_json('AssumeRole', params)
    return info.value.get_code()


def test_an_alibaba_role_gives_keys_of_its_account_that_see_only_that_account(fakecloud_clean):
    fc = fakecloud_clean
    own = fc.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]})['ecs']['snapshots']
    other = fc.admin.seed(
        ecs={'account': creds.ALIBABA_DR_ACCOUNT_ID, 'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]}
    )['ecs']['snapshots']
    answer = alibaba_assume_role(fc, creds.ALIBABA_DR_ROLE_ARN, DurationSeconds='900')
    credentials = answer['Credentials']
    assert credentials['AccessKeyId'].startswith('STS.') and credentials['SecurityToken']
    assert answer['AssumedRoleUser']['Arn'] == creds.ALIBABA_DR_ROLE_ARN + '/test-session'
    assert ecs_snapshots(fc, credentials) == other
    # The default account's own keys still see only their own.
    plain = alibaba_client(auto_retry=False)
    listed = alibaba_call(fc.endpoint, plain, DescribeSnapshotsRequest())['Snapshots']['Snapshot']
    assert [s['SnapshotId'] for s in listed] == own
    state = fc.admin.state('ecs')['ecs']['cn-hangzhou']['snapshots']
    assert {s['id']: s['account'] for s in state} == {
        own[0]: creds.ALIBABA_ACCOUNT_ID,
        other[0]: creds.ALIBABA_DR_ACCOUNT_ID,
    }


def test_a_client_token_is_the_accounts_own(fakecloud_clean):
    """The same ClientToken from two accounts makes two requests, not a replay of the other's answer."""
    fc = fakecloud_clean
    own = fc.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou'}]})['ecs']['disks'][0]
    other = fc.admin.seed(ecs={'account': creds.ALIBABA_DR_ACCOUNT_ID, 'disks': [{'region': 'cn-hangzhou'}]})['ecs'][
        'disks'
    ][0]
    credentials = alibaba_assume_role(fc, creds.ALIBABA_DR_ROLE_ARN)['Credentials']
    dr = alibaba_client(
        access_key_id=credentials['AccessKeyId'],
        secret=credentials['AccessKeySecret'],
        security_token=credentials['SecurityToken'],
        auto_retry=False,
    )
    made = []
    for client, disk_id in ((alibaba_client(auto_retry=False), own), (dr, other)):
        request = CreateSnapshotRequest()
        request.set_DiskId(disk_id)
        request.set_ClientToken('shared-token')
        made.append(alibaba_call(fc.endpoint, client, request)['SnapshotId'])
    accounts = {s['id']: s['account'] for s in fc.admin.state('ecs')['ecs']['cn-hangzhou']['snapshots']}
    assert accounts == {made[0]: creds.ALIBABA_ACCOUNT_ID, made[1]: creds.ALIBABA_DR_ACCOUNT_ID}


def test_alibaba_temporary_keys_expire_when_the_answer_says(fakecloud_clean):
    fc = fakecloud_clean
    credentials = alibaba_assume_role(fc, creds.ALIBABA_DR_ROLE_ARN, DurationSeconds='900')['Credentials']
    assert ecs_snapshots(fc, credentials) == []
    fc.admin.advance_clock(901)
    # The SDK signs with the local time: the emulator's window follows its own clock, so widen it.
    fc.admin.configure(alibaba_timestamp_window_seconds=2000)
    with pytest.raises(ServerException) as info:
        ecs_snapshots(fc, credentials)
    assert info.value.get_error_code() == 'InvalidSecurityToken.Expired'


@pytest.mark.parametrize(
    'arn, params, code',
    [
        ('acs:ram::2345678901234567:role/nobody', {}, 'EntityNotExist.Role'),
        (creds.ALIBABA_LOCKED_ROLE_ARN, {}, 'NoPermission'),
        ('acs:ram::x:role/bad', {}, 'InvalidParameter.RoleArn'),
        (creds.ALIBABA_DR_ROLE_ARN, {'RoleSessionName': 'a b'}, 'InvalidParameter.RoleSessionName'),
        (
            creds.ALIBABA_DR_ROLE_ARN,
            {'RoleSessionName': 'r\u00e9plica'},
            'InvalidParameter.RoleSessionName',
        ),  # letters: A-Z, a-z
        (creds.ALIBABA_DR_ROLE_ARN, {'DurationSeconds': '899'}, 'InvalidParameter.DurationSeconds'),
        (creds.ALIBABA_DR_ROLE_ARN, {'DurationSeconds': '3601'}, 'InvalidParameter.DurationSeconds'),
        # A trust policy that asks for an external id: without it, or with another (RAM's external-id guide).
        (creds.ALIBABA_EXTERNAL_ROLE_ARN, {}, 'NoPermission'),
        (creds.ALIBABA_EXTERNAL_ROLE_ARN, {'ExternalId': 'snapcopy-external-0002'}, 'NoPermission'),
    ],
)
def test_alibaba_refusals_have_the_vendors_codes(fakecloud_clean, arn, params, code):
    assert alibaba_code(fakecloud_clean, arn, **params) == code


def test_a_role_whose_trust_asks_for_an_external_id_is_assumed_with_it(fakecloud_clean):
    fc = fakecloud_clean
    alibaba = alibaba_assume_role(fc, creds.ALIBABA_EXTERNAL_ROLE_ARN, ExternalId=creds.ROLE_EXTERNAL_ID)
    tencent = tencent_sts(fc).call_json(
        'AssumeRole',
        {'RoleArn': creds.TENCENT_EXTERNAL_ROLE_ARN, 'RoleSessionName': 'test', 'ExternalId': creds.ROLE_EXTERNAL_ID},
    )['Response']
    assert alibaba['Credentials']['AccessKeyId'].startswith('STS.') and tencent['Credentials']['TmpSecretId']


def test_a_tencent_role_gives_keys_of_its_account_that_see_only_that_account(fakecloud_clean):
    fc = fakecloud_clean
    fc.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})
    other = fc.admin.seed(cbs={'account': creds.TENCENT_DR_UIN, 'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})[
        'cbs'
    ]['snapshots']
    answer = tencent_sts(fc).call_json(
        'AssumeRole', {'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'test', 'DurationSeconds': 1800}
    )['Response']
    temporary = answer['Credentials']
    assert answer['ExpiredTime'] == pytest.approx(fc.admin.request('GET', 'clock')['now'] + 1800, abs=5)
    client = tencent_client(
        cbs_client.CbsClient,
        fc.endpoint,
        'ap-guangzhou',
        secret_id=temporary['TmpSecretId'],
        secret_key=temporary['TmpSecretKey'],
        token=temporary['Token'],
    )
    listed = client.DescribeSnapshots(models.DescribeSnapshotsRequest())
    assert [s.SnapshotId for s in listed.SnapshotSet] == other
    fc.admin.advance_clock(1801)
    fc.admin.configure(tencent_timestamp_window_seconds=4000)
    with pytest.raises(TencentCloudSDKException) as info:
        client.DescribeSnapshots(models.DescribeSnapshotsRequest())
    assert info.value.get_code() == 'AuthFailure.TokenFailure'


@pytest.mark.parametrize(
    'params, code',
    [
        ({'RoleArn': 'qcs::cam::uin/200012345678:roleName/nobody'}, 'ResourceNotFound.RoleNotFound'),
        ({'RoleArn': creds.TENCENT_LOCKED_ROLE_ARN}, 'UnauthorizedOperation'),
        ({'RoleArn': 'qcs::cam::uin/x:roleName/bad'}, 'InvalidParameter.ResouceError'),
        ({'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'DurationSeconds': 43201}, 'InvalidParameter.OverTimeError'),
        ({'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'a b'}, 'InvalidParameter.ParamError'),
        (
            {'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'r\u00e9plica'},
            'InvalidParameter.ParamError',
        ),  # 大小写字符
        ({'RoleArn': creds.TENCENT_EXTERNAL_ROLE_ARN}, 'UnauthorizedOperation'),
        ({'RoleArn': creds.TENCENT_EXTERNAL_ROLE_ARN, 'ExternalId': 'snapcopy-external-0002'}, 'UnauthorizedOperation'),
    ],
)
def test_tencent_refusals_have_the_vendors_codes(fakecloud_clean, params, code):
    assert tencent_code(tencent_sts(fakecloud_clean), dict({'RoleSessionName': 'test'}, **params)) == code


def test_admin_sessions_lists_the_temporary_credentials_handed_out(fakecloud_clean):
    fc = fakecloud_clean
    alibaba = alibaba_assume_role(fc, creds.ALIBABA_DR_ROLE_ARN)['Credentials']
    tencent = tencent_sts(fc).call_json(
        'AssumeRole', {'RoleArn': creds.TENCENT_DR_ROLE_ARN, 'RoleSessionName': 'test-session'}
    )['Response']['Credentials']
    listed = {session['key_id']: session for session in fc.admin.request('GET', 'sessions')['sessions']}
    assert (listed[alibaba['AccessKeyId']]['secret'], listed[alibaba['AccessKeyId']]['token']) == (
        alibaba['AccessKeySecret'],
        alibaba['SecurityToken'],
    )
    assert (listed[tencent['TmpSecretId']]['secret'], listed[tencent['TmpSecretId']]['token']) == (
        tencent['TmpSecretKey'],
        tencent['Token'],
    )
    assert {session['account'] for session in listed.values()} == {creds.ALIBABA_DR_ACCOUNT_ID, creds.TENCENT_DR_UIN}
