# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assume-role credentials: each cloud's options, their checks, and temporary keys refreshed before they expire.

Every cloud takes a role to act in another account through STS AssumeRole, called with the
connection's own keys. The options and their checks are here, once; the clients (clouds.aws.client,
clouds.alibaba.client, clouds.tencent.client) make the STS call through their SDK.

AWS uses botocore's own assume-role fetcher and refreshable credentials. The Alibaba and
Tencent SDKs have providers of their own (aliyunsdkcore's RamRoleArnSigner, tencentcloud's
STSAssumeRoleCredential), but both send AssumeRole over HTTPS to the public STS host whatever
the client is given: RamRoleArnSigner sets protocol 'https' and the product endpoint itself,
STSAssumeRoleCredential builds a default ClientProfile (HTTPS, no timeouts, proxy or
certificate setting), and the endpoint argument it has from some release on is missing at the
oldest release supported. endpoint_url (a private endpoint, the local emulator) and
validate_certs would not reach the STS call. So for those two clouds, ``TemporaryCredentials``
below keeps the keys and refreshes them, and the STS call itself is made with the SDK's own
client, on the connection's endpoint, timeouts and retries.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

from ansible.module_utils.basic import env_fallback

from .errors import InputError

# amazon.aws's names (sts_assume_role). No environment variables: AWS_ROLE_ARN belongs to
# botocore's web identity provider (EKS sets it for the pod's own role).
AWS_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'role_arn': {},
    'role_session_name': {},
    'external_id': {'no_log': True},
}

# alibaba.alicloud's names, aliases and variables, and those of Alibaba's own credential chain.
ALIBABA_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'alicloud_assume_role_arn': {
        'aliases': ['assume_role_arn'],
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_ARN', 'ALIBABA_CLOUD_ROLE_ARN']),
    },
    'alicloud_assume_role_session_name': {
        'aliases': ['assume_role_session_name'],
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_SESSION_NAME', 'ALIBABA_CLOUD_ROLE_SESSION_NAME']),
    },
    # Named as its two siblings; the variable is ours (alibaba.alicloud has no external id).
    'alicloud_assume_role_external_id': {
        'aliases': ['assume_role_external_id'],
        'no_log': True,
        'fallback': (env_fallback, ['ALICLOUD_ASSUME_ROLE_EXTERNAL_ID']),
    },
}

# The names and variables of the Tencent Cloud Terraform provider's assume_role block.
TENCENT_ASSUME_ROLE_SPEC: dict[str, dict[str, Any]] = {
    'role_arn': {'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_ARN'])},
    'role_session_name': {'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME'])},
    'external_id': {'no_log': True, 'fallback': (env_fallback, ['TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID'])},
}

# Every cloud's external id option, with its aliases (the one secret of these options: a person chooses it, as short as
# the clouds allow; runners.copy_module.withhold_external_ids).
EXTERNAL_ID_NAMES = frozenset(
    name
    for spec in (AWS_ASSUME_ROLE_SPEC, ALIBABA_ASSUME_ROLE_SPEC, TENCENT_ASSUME_ROLE_SPEC)
    for option, settings in spec.items()
    if settings.get('no_log')
    for name in (option, *settings.get('aliases', ()))
)


class RoleRules:
    """One cloud's option names and the shapes STS accepts for them (from the vendor's API reference)."""

    def __init__(
        self,
        *,
        arn_option: str,
        session_option: str,
        arn_pattern: str,
        arn_example: str,
        session_pattern: str,
        session_rule: str,
        external_id_option: str | None = None,
        external_id_pattern: str | None = None,
        external_id_rule: str | None = None,
    ) -> None:
        self.arn_option = arn_option
        self.session_option = session_option
        # ASCII: the vendors' "letters" are A-Z and a-z (Python's \w would take any script's letters, which STS
        # refuses).
        self.arn_pattern = re.compile(arn_pattern, re.ASCII)
        self.arn_example = arn_example
        self.session_pattern = re.compile(session_pattern, re.ASCII)
        self.session_rule = session_rule
        self.external_id_option = external_id_option
        self.external_id_pattern = re.compile(external_id_pattern, re.ASCII) if external_id_pattern else None
        self.external_id_rule = external_id_rule

    def options(self) -> list[str]:
        return [name for name in (self.arn_option, self.session_option, self.external_id_option) if name]

    def check(self, connection: Mapping[str, Any]) -> str | None:
        """InputError naming the option for a role ARN, session name or external id STS would refuse, or
        a session name or external id without a role ARN. Answers the role ARN or None."""
        arn: str | None = connection.get(self.arn_option)
        if not arn:
            for option in (self.session_option, self.external_id_option):
                if option and connection.get(option):
                    raise InputError(option, 'is only used with %s, which is not set' % self.arn_option)
            return None
        if not self.arn_pattern.match(arn):
            raise InputError(self.arn_option, 'expected a role ARN like %s, got %r' % (self.arn_example, arn))
        # Empty is not set: an AWX credential injects an empty variable for a field left empty.
        session = connection.get(self.session_option)
        if session and not self.session_pattern.match(session):
            raise InputError(self.session_option, '%s, got %r' % (self.session_rule, session))
        external_id = connection.get(self.external_id_option) if self.external_id_option else None
        # external_id is read only when external_id_option is set, which comes with its pattern and rule.
        if external_id and not cast('re.Pattern[str]', self.external_id_pattern).match(external_id):
            # The value is no_log: the message does not repeat it.
            raise InputError(cast(str, self.external_id_option), cast(str, self.external_id_rule))
        return arn

    def account(self, arn: str) -> str:
        """The account id in a role ARN that passed ``check``."""
        return cast('re.Match[str]', self.arn_pattern.match(arn)).group('account')


# Every pattern ends in \Z, not $: $ also matches before a final newline, and the value with its newline would reach
# STS.

# AWS: IAM ARNs in any partition (aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, ... as botocore's
# partitions.json lists them; a test holds the pattern to it), role names with an optional path; STS
# AssumeRole's RoleSessionName 2-64 of [\w+=,.@-], ExternalId 2-1224 of [\w+=,.@:/-] (AWS STS API
# reference, AssumeRole; IAM identifiers).
AWS_ROLE_RULES = RoleRules(
    arn_option='role_arn',
    session_option='role_session_name',
    arn_pattern=r'^arn:aws(-[a-z]+)*:iam::(?P<account>\d{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}\Z',
    arn_example='arn:aws:iam::123456789012:role/dr-copy',
    session_pattern=r'^[\w+=,.@-]{2,64}\Z',
    session_rule='must be 2 to 64 letters, digits or any of +=,.@_-',
    external_id_option='external_id',
    external_id_pattern=r'^[\w+=,.@:/-]{2,1224}\Z',
    external_id_rule='must be 2 to 1224 letters, digits or any of +=,.@:/_-',
)

# Alibaba: acs:ram::<account uid>:role/<role name>, role names 1-64 of letters, digits, '.' and '-';
# RoleSessionName 2-64 of letters, digits, '.', '@', '-' and '_'; ExternalId 2-1,224 of [\w+=,.@:/-]
# (alibabacloud-sts20150401 AssumeRoleRequest; RAM CreateRole).
ALIBABA_ROLE_RULES = RoleRules(
    arn_option='alicloud_assume_role_arn',
    session_option='alicloud_assume_role_session_name',
    arn_pattern=r'^acs:ram::(?P<account>\d+):role/[A-Za-z0-9.-]{1,64}\Z',
    arn_example='acs:ram::1234567890123456:role/dr-copy',
    session_pattern=r'^[\w.@-]{2,64}\Z',
    session_rule='must be 2 to 64 letters, digits or any of .@_-',
    external_id_option='alicloud_assume_role_external_id',
    external_id_pattern=r'^[\w+=,.@:/-]{2,1224}\Z',
    external_id_rule='must be 2 to 1224 letters, digits or any of +=,.@:/_-',
)

# Tencent: qcs::cam::uin/<uin>:roleName/<name> or :role/<role id>, service roles with a
# tencentcloudServiceRole(Name) part; RoleSessionName 2-128 of [\w+=,.@-], ExternalId 2-128 of
# [\w+=,.@:/-] (sts 2018-08-13 AssumeRoleRequest, tencentcloud-sdk-python-sts models).
TENCENT_ROLE_RULES = RoleRules(
    arn_option='role_arn',
    session_option='role_session_name',
    arn_pattern=r'^qcs::cam::uin/(?P<account>\d+):(roleName|role)/([\w+=,.@-]+/)?[\w+=,.@-]{1,128}\Z',
    arn_example='qcs::cam::uin/100012345678:roleName/dr-copy',
    session_pattern=r'^[\w+=,.@-]{2,128}\Z',
    session_rule='must be 2 to 128 letters, digits or any of +=,.@_-',
    external_id_option='external_id',
    external_id_pattern=r'^[\w+=,.@:/-]{2,128}\Z',
    external_id_rule='must be 2 to 128 letters, digits or any of +=,.@:/_-',
)


def default_session_name() -> str:
    """The session name when none is given: the collection's name and the time, as CloudTrail and
    ActionTrail show it."""
    return 'snapcopy-%d' % int(time.time())


class TemporaryCredentials:
    """Temporary keys from STS, fetched when first needed and again shortly before they expire.

    ``fetch()`` answers ``(key_id, secret, token, expires_at)`` (epoch seconds); it is called under a
    lock, so threads of one run share one session. ``clock`` is the time source (tests move it).
    """

    # Refresh this long before the expiry STS gave (botocore uses 10 to 15 minutes for its own).
    REFRESH_MARGIN = 300

    def __init__(
        self, fetch: Callable[[], tuple[str, str, str, float]], clock: Callable[[], float] = time.time
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._current: tuple[str, str, str, float] | None = None
        self.fetches = 0

    def get(self) -> tuple[str, str, str]:
        """The current ``(key_id, secret, token)``, refreshed first when they expire within the margin."""
        with self._lock:
            if self._current is None or self._clock() >= self._current[3] - self.REFRESH_MARGIN:
                self._current = self._fetch()
                self.fetches += 1
            return self._current[:3]
