"""STS AssumeRole: Alibaba Cloud STS 2015-04-01 (RPC) and Tencent Cloud STS 2018-08-13 (API 3.0, service sts); Tencent's
GetCallerIdentity, and Alibaba's.

A role (``config['roles']``, see accounts.py) is assumed by a caller whose account its trust policy
names; the answer's temporary credentials belong to the role's account and stop working at the
expiry the answer gives (``store.sessions``; alibaba_auth and tencent_auth refuse them after it).
Fields and parameters: alibabacloud-sts20150401 AssumeRoleRequest / AssumeRoleResponseBody,
tencentcloud-sdk-python-sts v20180813 AssumeRoleRequest / AssumeRoleResponse (checked by
tests/fakecloud/tests/test_conformance.py).
"""

from __future__ import annotations

import re
import secrets

from . import rpc_params as rp, tc_params as tp
from .accounts import ROLE_ARN
from .actions import action
from .errors import CloudError
from .resources import iso_z

# Alibaba: DurationSeconds "minimum 900, maximum the role's MaxSessionDuration" (3600 unless the role
# says otherwise), default 3600; RoleSessionName 2-64 of letters, digits, . @ - _ (STS AssumeRole API
# reference). Unverifiable: the codes of a malformed RoleArn, RoleSessionName or DurationSeconds.
ALIBABA_DURATION = (900, 3600, 3600)  # low, default, high unless the role sets max_session_seconds
# "letters" are ASCII letters in both models (Tencent: 大小写字符, upper- and lower-case letters).
ALIBABA_SESSION_NAME = re.compile(r'^[\w.@-]{2,64}$', re.ASCII)
# Tencent: DurationSeconds default 7200, at most 43200; RoleSessionName 2-128 of [\w+=,.@_-]
# (AssumeRoleRequest docs). Codes from tencentcloud-sdk-python-sts errorcodes.py; unverifiable: which of
# them Tencent answers for each case (InvalidParameter.OverTimeError for a duration past the maximum,
# InvalidParameter.ParamError for a bad session name, InvalidParameter.ResouceError for a malformed RoleArn).
TENCENT_DURATION = (1, 7200, 43200)
TENCENT_SESSION_NAME = re.compile(r'^[\w+=,.@-]{2,128}$', re.ASCII)


def _role(call, vendor: str, arn: str) -> dict:
    """The role configured under ``arn``, after checking that the caller's account may assume it, with the
    external id its trust policy asks for (``role['external_id']``), if any.

    The trust policy's condition on the external id: "If no external ID is provided or the provided external ID
    is invalid, the call fails" (Alibaba RAM, "Use external IDs to prevent the confused deputy issue"; Tencent
    CAM's role external id likewise). Unverifiable: the code of that failure; fakecloud answers the code of a
    caller the trust policy does not name, since the policy is what refuses it.
    """
    roles = call.store.config['roles'].get(vendor) or {}
    role = roles.get(arn)
    if role is None:
        if vendor == 'alibaba':
            raise CloudError('EntityNotExist.Role', 'The role not exists: %s.' % arn, 404)
        raise CloudError('ResourceNotFound.RoleNotFound', 'The role `%s` does not exist.' % arn, 200)
    trusted = call.account in [str(account) for account in role.get('trusted', [])]
    external_id = call.params.get('ExternalId')
    if not trusted or ('external_id' in role and external_id != role['external_id']):
        if vendor == 'alibaba':
            raise CloudError(
                'NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.', 403
            )
        raise CloudError('UnauthorizedOperation', 'You are not authorized to assume the role `%s`.' % arn, 200)
    return role


def _issue(call, vendor: str, arn: str, seconds: int, key_prefix: str) -> dict:
    key_id = key_prefix + secrets.token_hex(12)
    session = {
        'secret': secrets.token_urlsafe(24),
        'token': secrets.token_urlsafe(48),
        'account': ROLE_ARN[vendor].match(arn).group('account'),
        'expires': float(int(call.now) + seconds),
        'role_arn': arn,
    }
    if vendor == 'alibaba':
        session.update(access_key_id=key_id, access_key_secret=session['secret'], security_token=session['token'])
    else:
        session.update(secret_id=key_id, secret_key=session['secret'])
    # Not a change of any resource: AssumeRole is no mutation in the call ledger (check mode may call it).
    call.store.sessions[(vendor, key_id)] = session
    return dict(session, key_id=key_id)


def alibaba_assume_role(call) -> dict:
    prm = call.params
    arn = rp.text(prm, 'RoleArn', required=True)
    name = rp.text(prm, 'RoleSessionName', required=True)
    if not ROLE_ARN['alibaba'].match(arn):
        raise CloudError('InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.')
    if not ALIBABA_SESSION_NAME.match(name):
        raise CloudError('InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.')
    role = _role(call, 'alibaba', arn)
    low, default, high = ALIBABA_DURATION
    high = int(role.get('max_session_seconds', high))
    try:
        seconds = rp.integer(prm, 'DurationSeconds', default, low, high)
    except CloudError:
        raise CloudError(
            'InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is %d/%d seconds.' % (low, high)
        ) from None
    session = _issue(call, 'alibaba', arn, seconds, 'STS.')
    role_id = sum(ord(char) * 31**index for index, char in enumerate(arn)) % 10**17
    return {
        'AssumedRoleUser': {'Arn': '%s/%s' % (arn, name), 'AssumedRoleId': '3%017d:%s' % (role_id, name)},
        'Credentials': {
            'AccessKeyId': session['key_id'],
            'AccessKeySecret': session['secret'],
            'SecurityToken': session['token'],
            'Expiration': iso_z(session['expires']),
        },
        'SourceIdentity': rp.text(prm, 'SourceIdentity') or '',
    }


def tencent_assume_role(call) -> dict:
    prm = call.params
    arn = tp.text(prm, 'RoleArn', required=True)
    name = tp.text(prm, 'RoleSessionName', required=True)
    if not ROLE_ARN['tencent'].match(arn):
        raise CloudError('InvalidParameter.ResouceError', 'The RoleArn `%s` is not a valid role resource.' % arn, 200)
    if not TENCENT_SESSION_NAME.match(name):
        raise CloudError('InvalidParameter.ParamError', 'The RoleSessionName is not valid.', 200)
    low, default, high = TENCENT_DURATION
    seconds = prm.get('DurationSeconds', default)
    if not isinstance(seconds, int) or seconds < low:
        raise CloudError('InvalidParameter.ParamError', 'The DurationSeconds is not valid.', 200)
    if seconds > high:
        raise CloudError('InvalidParameter.OverTimeError', 'The DurationSeconds is over %d.' % high, 200)
    _role(call, 'tencent', arn)
    session = _issue(call, 'tencent', arn, seconds, 'AKID')
    return {
        'Credentials': {'Token': session['token'], 'TmpSecretId': session['key_id'], 'TmpSecretKey': session['secret']},
        'ExpiredTime': int(session['expires']),
        'Expiration': iso_z(session['expires']),
    }


def tencent_get_caller_identity(call) -> dict:
    """Who the caller is: tencentcloud-sdk-python-sts v20180813 GetCallerIdentityRequest (no parameters) and
    GetCallerIdentityResponse (Arn, AccountId: "the root account UIN of the current caller", UserId, PrincipalId, Type).
    AccountId is the account the caller's key acts in: a role's session, the role's account. Unverifiable: Arn and Type
    for an account's own key (the reference's one example is a sub-user's: CAMUser); fakecloud answers every caller as
    its account's own key, a role's session too (UserId and PrincipalId would be the role's and the asker's)."""
    account = call.account
    return {
        'Arn': 'qcs::cam::uin/%s:uin/%s' % (account, account),
        'AccountId': account,
        'UserId': account,
        'PrincipalId': account,
        'Type': 'CAMUser',
    }


def alibaba_get_caller_identity(call) -> dict:
    """Who the caller is (alibabacloud-sts20150401 GetCallerIdentityResponseBody: AccountId, Arn, IdentityType,
    PrincipalId, UserId, RoleId). AccountId is the account the caller's key acts in (a role's session: the role's).
    Unverifiable: the other fields' words; fakecloud answers every caller as its account's own key (the collection reads
    AccountId only)."""
    account = call.account
    return {
        'AccountId': account,
        'Arn': 'acs:ram::%s:root' % account,
        'IdentityType': 'Account',
        'PrincipalId': account,
        'UserId': account,
        'RoleId': '',
    }


# Each action: its handler, whether it can change state, and the parameters it accepts (the vendor's
# request model's names; checked by tests/fakecloud/tests/test_conformance.py).
ALIBABA_ACTIONS = {
    'AssumeRole': action(
        alibaba_assume_role,
        False,
        'RoleArn',
        'RoleSessionName',
        'DurationSeconds',
        'Policy',
        'ExternalId',
        'SourceIdentity',
    ),
    'GetCallerIdentity': action(alibaba_get_caller_identity, False),
}
TENCENT_ACTIONS = {
    'AssumeRole': action(
        tencent_assume_role, False, 'RoleArn', 'RoleSessionName', 'DurationSeconds', 'Policy', 'ExternalId'
    ),
    'GetCallerIdentity': action(tencent_get_caller_identity, False),
}
