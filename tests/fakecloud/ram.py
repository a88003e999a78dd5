"""Alibaba Cloud RAM 2015-05-01's GetRole: whether the caller's account has a RAM role (the collection reads
``AliyunECSShareEncryptSnapshotDefaultRole``, which ECS needs before it shares a snapshot encrypted with a key of the
account's own: the ECS guide "Share a snapshot", its prerequisites).

The roles are ``config['ram_roles']`` (account -> [role names]); the default account has that one. Fields and
parameters: alibabacloud-ram20150501 GetRoleRequest (RoleName: "1 to 64 characters in length and can contain letters,
digits, periods (.), and hyphens (-)") and GetRoleResponseBody / GetRoleResponseBodyRole (checked by
tests/fakecloud/tests/test_conformance.py). The error codes: GetRole's reference (help.aliyun.com
api-resourcemanager-2020-03-31-getrole-rg, the same RAM roles read through Resource Management: 404
``EntityNotExist.Role`` "The role does not exist.", 400 ``InvalidParameter.RoleName.InvalidChars`` and
``InvalidParameter.RoleName.Length``); RAM 2015-05-01's own reference lists none, so that they are RAM's too is
unverifiable. Unverifiable too, and chosen here: a role's id, dates and trust policy (the model's fields; a service role
trusts ECS).
"""

from __future__ import annotations

import hashlib
import json
import re

from .actions import action
from .errors import CloudError

ROLE_NAME = re.compile(r'^[A-Za-z0-9.-]+$')
ROLE_NAME_LENGTH = 64
# When fakecloud's roles were made: one date for all (unverifiable, see the module's docstring).
ROLE_DATE = '2026-01-01T00:00:00Z'


def roles_of(store, account: str) -> list:
    """The RAM roles ``account`` has (config ``ram_roles``)."""
    return [str(name) for name in (store.config.get('ram_roles') or {}).get(str(account)) or ()]


def get_role(call) -> dict:
    name = call.params.get('RoleName') or ''
    if len(name) > ROLE_NAME_LENGTH:
        raise CloudError('InvalidParameter.RoleName.Length', 'The maximum length of the role name is exceeded.', 400)
    if not ROLE_NAME.match(name):
        raise CloudError(
            'InvalidParameter.RoleName.InvalidChars', 'The specified role name contains invalid characters.', 400
        )
    if name not in roles_of(call.store, call.account):
        raise CloudError('EntityNotExist.Role', 'The role does not exist.', 404)
    trust = {
        'Statement': [{'Action': 'sts:AssumeRole', 'Effect': 'Allow', 'Principal': {'Service': ['ecs.aliyuncs.com']}}],
        'Version': '1',
    }
    return {
        'Role': {
            'RoleId': str(int(hashlib.sha256(('%s/%s' % (call.account, name)).encode()).hexdigest()[:15], 16)),
            'RoleName': name,
            'Arn': 'acs:ram::%s:role/%s' % (call.account, name.lower()),
            'Description': '',
            'AssumeRolePolicyDocument': json.dumps(trust),
            'CreateDate': ROLE_DATE,
            'UpdateDate': ROLE_DATE,
            'MaxSessionDuration': 3600,
            'IsServiceLinkedRole': False,
            'RolePrincipalName': '%s@role.%s.onaliyunservice.com' % (name, call.account),
        }
    }


ACTIONS = {'GetRole': action(get_role, False, 'RoleName')}
