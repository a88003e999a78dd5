# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every cloud's client does the same on the network: its connection options (connection_spec), the timeouts (one
set of names, defaults and checks, documented once in the ``timeouts`` doc fragment) and quiet TLS warnings."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import Any

from .errors import InputError

CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60

# request_timeout was the Tencent modules' name for read_timeout in 0.1.0.
TIMEOUT_SPEC: dict[str, dict[str, Any]] = {
    'connect_timeout': {'type': 'int', 'default': CONNECT_TIMEOUT},
    'read_timeout': {'type': 'int', 'default': READ_TIMEOUT, 'aliases': ['request_timeout']},
}


def connection_spec(
    credentials: Mapping[str, dict[str, Any]],
    *,
    assume_role: Mapping[str, dict[str, Any]],
    endpoint_url: dict[str, Any] | None = None,
    certificates: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """A cloud client's connection options, as its copy module and the DR modules take them: its ``credentials`` (keys,
    token, profile) and ``assume_role`` options, under the names and variables of the cloud's own tools, then
    endpoint_url (``endpoint_url``: the option with the cloud's aliases and variables), validate_certs with the
    cloud's ``certificates`` options, and the timeouts."""
    return {
        **credentials,
        **assume_role,
        'endpoint_url': endpoint_url or {},
        'validate_certs': {'type': 'bool', 'default': True},
        **(certificates or {}),
        **TIMEOUT_SPEC,
    }


# The reason urllib3 (and the socket under it) gives for a connection that failed, as its text holds it, twice: in the
# pool's words ("HTTPConnectionPool(host=..., port=9): Max retries exceeded with url: / (Caused by NewConnectionError(
# '...: Failed to establish a new connection: [Errno 111] Connection refused'))").
ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
# The longest a reason without an errno is kept: an error says what failed and the fix in a few lines.
MAX_REASON = 160


def connection_reason(message: str) -> str:
    """Why a connection failed, in a few words, out of the network layer's ``message``: the socket's reason
    (``Connection refused``, ``Name or service not known``), else the message, cut short."""
    found = ERRNO_REASON.findall(message)
    if found:
        return str(found[-1]).strip().rstrip('.')
    return message if len(message) <= MAX_REASON else message[: MAX_REASON - 3] + '...'


def connection_timeouts(connection: Mapping[str, Any]) -> tuple[int, int]:
    """(connect, read) seconds of ``connection``, the defaults where unset. A value below 1 is refused:
    the SDKs would take 0 for "no timeout" or for their own default, silently."""
    for option in TIMEOUT_SPEC:
        if connection.get(option) is not None and connection[option] < 1:
            raise InputError(option, 'must be at least 1 second, got %s' % connection[option])
    return connection.get('connect_timeout') or CONNECT_TIMEOUT, connection.get('read_timeout') or READ_TIMEOUT


def quiet_insecure_warnings(urllib3_module: str = 'urllib3') -> None:
    """With validate_certs off, urllib3 warns on every request (on the module's stderr): the user chose it.
    ``urllib3_module`` is the urllib3 the SDK sends with (Alibaba's core SDK has its own copy)."""
    try:
        urllib3 = importlib.import_module(urllib3_module)
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except (ImportError, AttributeError):
        pass
