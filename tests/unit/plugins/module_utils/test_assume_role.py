"""Assume-role credentials: the checks before any call, and STS through the real SDKs against fakecloud,
refreshed across an expiry."""

from __future__ import annotations

import json
import os

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import (
    ALIBABA_ROLE_RULES,
    AlibabaClient,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import REQUEST_PACKAGE, ecs_endpoint
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_ROLE_RULES, AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import assumed_account
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    TENCENT_ROLE_RULES,
    TencentClient,
    load_sdk,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.assume_role import TemporaryCredentials
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials as creds

ALIBABA = {'alicloud_access_key': creds.ALIBABA_ACCESS_KEY_ID, 'alicloud_secret_key': creds.ALIBABA_ACCESS_KEY_SECRET}
TENCENT = {'secret_id': creds.TENCENT_SECRET_ID, 'secret_key': creds.TENCENT_SECRET_KEY}


@pytest.mark.parametrize(
    'rules, arn, account',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/dr-copy', '123456789012'),
        (AWS_ROLE_RULES, 'arn:aws-cn:iam::123456789012:role/path/to/dr_copy', '123456789012'),
        (AWS_ROLE_RULES, 'arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g', '123456789012'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/dr-copy', '1234567890123456'),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/dr-copy', '100012345678'),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:role/4611686018427397919', '100012345678'),
        (
            TENCENT_ROLE_RULES,
            'qcs::cam::uin/100012345678:role/tencentcloudServiceRole/4611686018427397920',
            '100012345678',
        ),
    ],
)
def test_role_arns_of_the_vendors_shapes_pass_and_name_their_account(rules, arn, account):
    assert rules.check({rules.arn_option: arn}) == arn
    assert rules.account(arn) == account


@pytest.mark.parametrize(
    'rules, arn',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::12345678901:role/dr-copy'),  # 11 digits
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:user/dr-copy'),  # a user, not a role
        (AWS_ROLE_RULES, 'arn:aws:sts::123456789012:role/dr-copy'),
        (AWS_ROLE_RULES, 'acs:ram::1234567890123456:role/dr-copy'),  # another cloud's
        (ALIBABA_ROLE_RULES, 'arn:aws:iam::123456789012:role/dr-copy'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/dr_copy'),  # '_' is not in RAM role names
        (ALIBABA_ROLE_RULES, 'acs:ram:cn-hangzhou:1234567890123456:role/dr-copy'),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/abc:roleName/dr-copy'),
        (TENCENT_ROLE_RULES, 'qcs::cam::100012345678:roleName/dr-copy'),
        (TENCENT_ROLE_RULES, 'arn:aws:iam::123456789012:role/dr-copy'),
    ],
)
def test_a_role_arn_of_the_wrong_shape_is_refused_naming_the_option(rules, arn):
    with pytest.raises(InputError) as info:
        rules.check({rules.arn_option: arn})
    assert info.value.option == rules.arn_option and arn in info.value.message


@pytest.mark.parametrize(
    'rules, arn, name',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/r', 'a'),
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/r', 'x' * 65),
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/r', 'with space'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/r', 'a=b'),  # '=' is AWS's and Tencent's, not Alibaba's
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/r', 'x' * 129),
    ],
)
def test_a_session_name_out_of_the_rules_is_refused(rules, arn, name):
    with pytest.raises(InputError) as info:
        rules.check({rules.arn_option: arn, rules.session_option: name})
    assert info.value.option == rules.session_option


@pytest.mark.parametrize(
    'rules, option',
    [
        (AWS_ROLE_RULES, 'role_session_name'),
        (AWS_ROLE_RULES, 'external_id'),
        (ALIBABA_ROLE_RULES, 'alicloud_assume_role_session_name'),
        (ALIBABA_ROLE_RULES, 'alicloud_assume_role_external_id'),
        (TENCENT_ROLE_RULES, 'role_session_name'),
        (TENCENT_ROLE_RULES, 'external_id'),
    ],
)
def test_a_session_name_or_external_id_without_a_role_is_refused(rules, option):
    with pytest.raises(InputError) as info:
        rules.check({option: 'some-value'})
    assert info.value.option == option and rules.arn_option in info.value.message


@pytest.mark.parametrize(
    'rules, arn, external_id',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/r', 'secret value!'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/r', 'secret value!'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/r', 'secret' * 205),  # 1,230: past 1,224
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/r', 'secret' * 22),  # 132: past 128
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/r', 'secret-\u00e9t\u00e9'),
    ],
)
def test_a_bad_external_id_is_refused_without_repeating_it(rules, arn, external_id):
    """Each vendor's model: AWS and Alibaba 2 to 1,224, Tencent 2 to 128, of [A-Za-z0-9_+=,.@:/-]."""
    with pytest.raises(InputError) as info:
        rules.check({rules.arn_option: arn, rules.external_id_option: external_id})
    assert info.value.option == rules.external_id_option and 'secret' not in str(info.value)


@pytest.mark.parametrize(
    'rules, arn, longest',
    [
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/r', 1224),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/r', 128),
    ],
)
def test_the_longest_external_id_a_vendor_takes_passes(rules, arn, longest):
    assert (
        rules.check({rules.arn_option: arn, rules.external_id_option: 'a=b,c.d@e:f/g-h_i+' + 'x' * (longest - 18)})
        == arn
    )


def test_the_clients_check_before_any_call():
    # No endpoint answers at 127.0.0.1:9: a call would fail otherwise than with InputError.
    with pytest.raises(InputError, match='^alicloud_assume_role_arn'):
        AlibabaClient(
            'ecs',
            dict(ALIBABA, endpoint_url='http://127.0.0.1:9', alicloud_assume_role_arn='acs:ram::1:user/x'),
            default_endpoint=ecs_endpoint,
            request_package=REQUEST_PACKAGE,
        )
    with pytest.raises(InputError, match='^role_session_name'):
        TencentClient(dict(TENCENT, endpoint_url='http://127.0.0.1:9', role_session_name='s1'), load_sdk())
    with pytest.raises(InputError, match='^role_arn'):
        AwsClient({'role_arn': 'arn:aws:iam::1:role/x', 'endpoint_url': 'http://127.0.0.1:9'})


def test_dr_sync_reads_the_account_of_the_chosen_providers_role_only():
    params = {'role_arn': 'qcs::cam::uin/200012345678:roleName/dr', 'alicloud_assume_role_arn': None}
    assert assumed_account('cbs', params, environ={}) == '200012345678'
    # On AWS the same option must be an IAM role: a Tencent one is refused.
    with pytest.raises(InputError, match='^role_arn'):
        assumed_account('aws', params, environ={})
    assert (
        assumed_account('ecs', {}, environ={'ALICLOUD_ASSUME_ROLE_ARN': creds.ALIBABA_DR_ROLE_ARN})
        == creds.ALIBABA_DR_ACCOUNT_ID
    )
    # TENCENTCLOUD_ASSUME_ROLE_ARN is Tencent's: AWS does not read it.
    assert assumed_account('aws', {}, environ={'TENCENTCLOUD_ASSUME_ROLE_ARN': creds.TENCENT_DR_ROLE_ARN}) is None


# ---------------------------------------------------------------------- through STS, against fakecloud
class EmulatorClock:
    """The module's clock, kept with the emulator's (which /_admin/clock moves); ``behind`` seconds slow, as a
    controller whose clock is off the cloud's."""

    def __init__(self, admin, behind=0.0):
        self.admin = admin
        self.behind = behind

    def __call__(self):
        return self.admin.request('GET', 'clock')['now'] - self.behind


@pytest.mark.parametrize('behind', [0, 600], ids=['in_time', 'ten_minutes_slow'])
def test_alibaba_copies_through_a_role_see_its_account_and_keep_working_across_an_expiry(fakecloud_clean, behind):
    """The keys are fetched again before STS's expiry, though the controller's clock be ten minutes slow (Alibaba
    takes requests stamped up to 15 minutes off; Tencent refuses those 5 minutes off, inside the refresh margin): their
    life is counted on the controller's clock from when it asked."""
    fc = fakecloud_clean
    fc.admin.configure(alibaba_timestamp_window_seconds=100000)  # the SDK stamps requests with the local time
    theirs = fc.admin.seed(
        ecs={'account': creds.ALIBABA_DR_ACCOUNT_ID, 'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]}
    )['ecs']['snapshots']
    fc.admin.seed(ecs={'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]})
    connection = dict(
        ALIBABA,
        endpoint_url='http://' + fc.endpoint,
        alicloud_assume_role_arn=creds.ALIBABA_DR_ROLE_ARN,
        alicloud_assume_role_session_name='unit-test',
    )
    client = AlibabaClient(
        'ecs',
        connection,
        default_endpoint=ecs_endpoint,
        request_package=REQUEST_PACKAGE,
        clock=EmulatorClock(fc.admin, behind),
    )

    def listed():
        answer = client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
        return [s['SnapshotId'] for s in answer['Snapshots']['Snapshot']]

    assert listed() == theirs
    fc.admin.advance_clock(3601)  # past the one-hour session
    assert listed() == theirs
    assert fc.admin.calls()['calls']['alibaba_sts']['AssumeRole']['calls'] == 2


def test_without_a_refresh_the_emulator_refuses_expired_keys(fakecloud_clean):
    """The expiry test above could not fail if fakecloud took expired keys: it does not."""
    fc = fakecloud_clean
    fc.admin.configure(alibaba_timestamp_window_seconds=100000)
    connection = dict(ALIBABA, endpoint_url='http://' + fc.endpoint, alicloud_assume_role_arn=creds.ALIBABA_DR_ROLE_ARN)
    client = AlibabaClient(
        'ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE, clock=lambda: 0.0
    )  # a clock that stands still
    client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    fc.admin.advance_clock(3601)
    with pytest.raises(CloudError) as info:
        client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert info.value.code == 'InvalidSecurityToken.Expired'


@pytest.mark.parametrize(
    'arn, code',
    [(creds.ALIBABA_LOCKED_ROLE_ARN, 'NoPermission'), ('acs:ram::2345678901234567:role/nobody', 'EntityNotExist.Role')],
)
def test_an_alibaba_sts_refusal_is_a_cloud_error_with_code_and_request_id(fakecloud_clean, arn, code):
    connection = dict(ALIBABA, endpoint_url='http://' + fakecloud_clean.endpoint, alicloud_assume_role_arn=arn)
    client = AlibabaClient('ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE)
    with pytest.raises(CloudError) as info:
        client.call('DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou')
    assert (info.value.action, info.value.code) == ('AssumeRole', code) and info.value.request_id
    assert creds.ALIBABA_ACCESS_KEY_SECRET not in str(info.value)


def tencent_connection(fc, arn):
    return dict(TENCENT, endpoint_url='http://' + fc.endpoint, role_arn=arn, role_session_name='unit-test')


def test_tencent_calls_through_a_role_see_its_account_and_keep_working_across_an_expiry(fakecloud_clean):
    fc = fakecloud_clean
    fc.admin.configure(tencent_timestamp_window_seconds=100000)
    theirs = fc.admin.seed(
        cbs={'account': creds.TENCENT_DR_UIN, 'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]}
    )['cbs']['snapshots']
    fc.admin.seed(cbs={'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]})
    client = TencentClient(tencent_connection(fc, creds.TENCENT_DR_ROLE_ARN), load_sdk(), clock=EmulatorClock(fc.admin))

    def listed():
        return [s['SnapshotId'] for s in client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})['SnapshotSet']]

    assert listed() == theirs
    fc.admin.advance_clock(7201)  # past the two-hour session
    assert listed() == theirs
    assert fc.admin.calls()['calls']['tencent_sts']['AssumeRole']['calls'] == 2


@pytest.mark.parametrize(
    'arn, code',
    [
        (creds.TENCENT_LOCKED_ROLE_ARN, 'UnauthorizedOperation'),
        ('qcs::cam::uin/200012345678:roleName/nobody', 'ResourceNotFound.RoleNotFound'),
    ],
)
def test_a_tencent_sts_refusal_is_a_cloud_error_with_code_and_request_id(fakecloud_clean, arn, code):
    client = TencentClient(tencent_connection(fakecloud_clean, arn), load_sdk())
    with pytest.raises(CloudError) as info:
        client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})
    assert (info.value.action, info.value.code) == ('AssumeRole', code) and info.value.request_id


def botocore_partitions():
    with open(os.path.join(os.path.dirname(botocore.__file__), 'data', 'partitions.json'), encoding='utf-8') as handle:
        return json.load(handle)['partitions']


def test_every_partition_botocore_knows_takes_role_arns_and_region_names():
    """aws-eusc and the aws-iso* partitions are as real as aws-us-gov: an IAM role ARN in any partition botocore
    knows passes, and so does each of its regions' names as a copy's source and destination."""
    partitions = botocore_partitions()
    assert {'aws', 'aws-cn', 'aws-us-gov'} <= {partition['id'] for partition in partitions}
    # The newer ones, named here too: the oldest botocore supported (1.34.0) knows neither aws-eusc nor its region.
    partitions.append({'id': 'aws-eusc', 'regions': {'eusc-de-east-1': {}}})
    partitions.append({'id': 'aws-iso-b', 'regions': {'us-isob-east-1': {}}})
    for partition in partitions:
        arn = 'arn:%s:iam::123456789012:role/dr-copy' % partition['id']
        assert AWS_ROLE_RULES.check({'role_arn': arn}) == arn
        for region in partition['regions']:
            if region.endswith('-global'):
                continue  # a signing name for global services, not a region a snapshot lives in
            EbsAdapter.__new__(EbsAdapter).validate(CopyRequest('snap-0123456789abcdef0', region, [region], {}))


@pytest.mark.parametrize(
    'rules, arn, name',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/r', 'dr-kopie-\u00e9t\u00e9'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/r', '\u707e\u5907-dr'),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/r', 'r\u00e9plica'),
    ],
)
def test_a_session_name_with_letters_beyond_ascii_is_refused(rules, arn, name):
    """The vendors' models say letters, meaning A-Z and a-z (Tencent: 大小写字符); Python's \\w takes any script's."""
    with pytest.raises(InputError) as info:
        rules.check({rules.arn_option: arn, rules.session_option: name})
    assert info.value.option == rules.session_option


def alibaba_listing(fc, external_id):
    """The snapshot ids ECS lists through the Alibaba role whose trust asks for an external id, sent as given."""
    connection = dict(
        ALIBABA,
        endpoint_url='http://' + fc.endpoint,
        alicloud_assume_role_arn=creds.ALIBABA_EXTERNAL_ROLE_ARN,
        alicloud_assume_role_external_id=external_id,
    )
    answer = AlibabaClient('ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE).call(
        'DescribeSnapshots', {'RegionId': 'cn-hangzhou'}, 'cn-hangzhou'
    )
    return [s['SnapshotId'] for s in answer['Snapshots']['Snapshot']]


def tencent_listing(fc, external_id):
    """The snapshot ids CBS lists through the Tencent role whose trust asks for an external id, sent as given."""
    client = TencentClient(
        dict(tencent_connection(fc, creds.TENCENT_EXTERNAL_ROLE_ARN), external_id=external_id), load_sdk()
    )
    return [s['SnapshotId'] for s in client.call('cbs', 'ap-guangzhou', 'DescribeSnapshots', {})['SnapshotSet']]


# cloud: (its listing through the role, the seed of a snapshot in the role's account, STS's refusal, the option)
EXTERNAL_ID_CLOUDS = {
    'alibaba': (
        alibaba_listing,
        {'ecs': {'account': creds.ALIBABA_DR_ACCOUNT_ID, 'disks': [{'region': 'cn-hangzhou', 'snapshots': 1}]}},
        'NoPermission',
        'alicloud_assume_role_external_id',
    ),
    'tencent': (
        tencent_listing,
        {'cbs': {'account': creds.TENCENT_DR_UIN, 'disks': [{'region': 'ap-guangzhou', 'snapshots': 1}]}},
        'UnauthorizedOperation',
        'external_id',
    ),
}


@pytest.mark.parametrize('external_id', [None, 'snapcopy-external-0002'])
@pytest.mark.parametrize('cloud', sorted(EXTERNAL_ID_CLOUDS))
def test_a_role_asking_for_an_external_id_refuses_a_call_without_the_right_one(fakecloud_clean, cloud, external_id):
    listing, dummy, code, option = EXTERNAL_ID_CLOUDS[cloud]
    with pytest.raises(CloudError) as info:
        listing(fakecloud_clean, external_id)
    assert (info.value.action, info.value.code) == ('AssumeRole', code)
    assert option in str(info.value) and 'snapcopy-external' not in str(info.value)


@pytest.mark.parametrize('cloud', sorted(EXTERNAL_ID_CLOUDS))
def test_a_role_is_assumed_with_the_external_id_its_trust_policy_asks_for(fakecloud_clean, cloud):
    listing, seed, dummy, dummy = EXTERNAL_ID_CLOUDS[cloud]
    (service,) = seed
    theirs = fakecloud_clean.admin.seed(**seed)[service]['snapshots']
    assert listing(fakecloud_clean, creds.ROLE_EXTERNAL_ID) == theirs


@pytest.mark.parametrize(
    'provider, params, environ, option',
    [
        (
            'ecs',
            {'alicloud_assume_role_arn': creds.ALIBABA_EXTERNAL_ROLE_ARN},
            {'ALICLOUD_ASSUME_ROLE_EXTERNAL_ID': 'x'},
            'alicloud_assume_role_external_id',
        ),
        (
            'cbs',
            {'role_arn': creds.TENCENT_EXTERNAL_ROLE_ARN},
            {'TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID': 'x'},
            'external_id',
        ),
    ],
)
def test_dr_sync_reads_each_clouds_external_id_variable(provider, params, environ, option):
    """dr_sync takes the external id from each cloud's variable, and checks it as the option (one character: too
    short)."""
    with pytest.raises(InputError) as info:
        assumed_account(provider, params, environ=environ)
    assert info.value.option == option


@pytest.mark.parametrize(
    'rules, arn',
    [
        (AWS_ROLE_RULES, 'arn:aws:iam::123456789012:role/dr-copy'),
        (ALIBABA_ROLE_RULES, 'acs:ram::1234567890123456:role/dr-copy'),
        (TENCENT_ROLE_RULES, 'qcs::cam::uin/100012345678:roleName/dr-copy'),
    ],
)
def test_a_value_ending_in_a_new_line_is_refused(rules, arn):
    """Issue 37: $ matches before a final new line, so 'ARN\\n' passed the check and reached STS."""
    for option, value in (
        (rules.arn_option, arn + '\n'),
        (rules.session_option, 'dr-run\n'),
        (rules.external_id_option, 'ext-id\n'),
    ):
        connection = {rules.arn_option: arn, option: value}
        with pytest.raises(InputError) as info:
            rules.check(connection)
        assert info.value.option == option


@pytest.mark.parametrize(
    'skew, refreshed_after',
    [
        (0, 3300),  # the session's hour less the margin
        (-600, 3300),  # a clock ten minutes slow: the hour asked for, not the 70 minutes its clock would make of it
        (600, 2700),  # ten minutes fast: the 50 minutes its clock sees, so sooner
    ],
)
def test_keys_are_fetched_again_by_their_life_on_the_controllers_clock(skew, refreshed_after):
    """STS gives the keys' expiry on the cloud's clock; the controller's is ``skew`` seconds off it."""
    now = [1_000_000.0]
    fetched = []

    def fetch():
        fetched.append(now[0])
        cloud_now = now[0] - skew
        return 'id', 'secret', 'token-%d' % len(fetched), cloud_now + 3600

    keys = TemporaryCredentials(fetch, session_seconds=3600, clock=lambda: now[0])
    assert keys.get() == ('id', 'secret', 'token-1')
    now[0] += refreshed_after - 1
    assert keys.get()[2] == 'token-1'
    now[0] += 1
    assert keys.get()[2] == 'token-2' and len(fetched) == 2
