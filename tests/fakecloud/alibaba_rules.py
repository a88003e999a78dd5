"""Input rules shared by ECS and ENS: names, descriptions, tags, ClientToken replays."""

from __future__ import annotations

import functools
import re

from .errors import CloudError
from .rpc_params import repeat_list, text
from .state import COMMON_PARAMS

# 2-128 characters, a letter (any script) first, then letters, digits, ':', '_', '.', '-'.
_NAME_RE = re.compile(r'^[^\W\d_][\w:.\-]{1,127}$')
# ENS names: the same without '.' ("It can contain digits, colons (:), underscores (_), or hyphens (-)",
# ens-20171110 CreateSnapshotRequest.SnapshotName, CopySnapshotRequest.DestinationSnapshotName,
# ModifySnapshotAttributeRequest.SnapshotName).
_ENS_NAME_RE = re.compile(r'^[^\W\d_][\w:\-]{1,127}$')
_URL_PREFIXES = ('http://', 'https://')


def check_name(
    value: str | None,
    code: str = 'InvalidSnapshotName.Malformed',
    message: str = 'Specified snapshot name is not valid.',
    ens: bool = False,
) -> None:
    if value is None:
        return
    if not (_ENS_NAME_RE if ens else _NAME_RE).match(value) or value.startswith(_URL_PREFIXES):
        raise CloudError(code, message)


def check_description(
    value: str | None, code: str = 'InvalidDescription.Malformed', message: str = 'Specified description is not valid.'
) -> None:
    if value is None:
        return
    if not 2 <= len(value) <= 256 or value.startswith(_URL_PREFIXES):
        raise CloudError(code, message)


def parse_tags(params: dict, limit: int = 20, value_reserved: tuple = ('acs:',)) -> dict:
    """Tag.N.Key/Tag.N.Value to be set on a resource, checked as ECS checks them; ``value_reserved``: the prefixes the
    action's model forbids in a value (CopySnapshotRequest.Tag.Value: "cannot start with aliyun or acs:")."""
    tags = repeat_list(params, 'Tag', ('Key', 'Value'))
    if len(tags) > limit:
        raise CloudError('InvalidTagCount', 'The number of tags exceeds %d.' % limit)
    result: dict = {}
    for tag in tags:
        key, value = tag.get('Key'), tag.get('Value', '')
        if not key or len(key) > 128 or key.startswith(('acs:', 'aliyun')) or any(p in key for p in _URL_PREFIXES):
            raise CloudError('InvalidTagKey.Malformed', 'The specified Tag.n.Key is not valid.')
        if len(value) > 128 or value.startswith(value_reserved) or any(p in value for p in _URL_PREFIXES):
            raise CloudError('InvalidTagValue.Malformed', 'The specified Tag.n.Value is not valid.')
        if key in result:
            raise CloudError('Duplicate.TagKey', 'The Tag.N.Key contain duplicate key.')
        result[key] = value
    return result


def fingerprint(params: dict, action: str = '') -> tuple:
    """What must be identical for a ClientToken replay to count as the same request: the action and its parameters."""
    return (action,) + tuple(sorted((k, v) for k, v in params.items() if k not in COMMON_PARAMS))


def replay(call, token: str | None):
    """The stored answer of an earlier call with this ClientToken, or None if it is new.

    A token names one request of its account: "unique among different requests" (LockSnapshotRequest.ClientToken and
    the ECS page "How to ensure idempotence"), which says nothing of actions, so the same token on another action is
    that other request (IdempotentParameterMismatch), as on other parameters. How long ECS keeps a token: unverifiable
    (the page names no time). It is kept as long as the store, the reading under which a token sent again for a new
    operation (a lock set again once the last has expired) gets the first answer and changes nothing ("no effect on
    server state"): the client must draw a new one."""
    if not token:
        return None
    if len(token) > 64 or not token.isascii():
        raise CloudError('InvalidClientToken.Malformed', 'The specified parameter "ClientToken" is not valid.')
    seen = call.store.recall_token(_token_key(call, token))
    if seen is None:
        return None
    if seen[0] != fingerprint(call.params, call.action):
        raise CloudError(
            'IdempotentParameterMismatch',
            'Request uses a client token in a previous request but is not identical to that request.',
        )
    return dict(seen[1])


def remember(call, token: str | None, answer: dict) -> None:
    if token:
        call.store.remember_token(_token_key(call, token), fingerprint(call.params, call.action), answer)


def idempotent(handler):
    """A handler of an action that takes a ClientToken: a call with a token seen before gets that call's answer (replay)
    before anything is checked or made; a new one is carried out and its answer kept for the token (remember)."""

    @functools.wraps(handler)
    def answer(call) -> dict:
        token = text(call.params, 'ClientToken')
        earlier = replay(call, token)
        if earlier is not None:
            return earlier
        result = handler(call)
        remember(call, token, result)
        return result

    return answer


def _token_key(call, token: str) -> tuple:
    # A token is the caller's: another account using the same one makes a request of its own.
    return (call.cloud, call.account, token)
