# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every cloud's client does the same on the network: the timeouts (one set of names, defaults
and checks, documented once in the ``timeouts`` doc fragment) and quiet TLS warnings."""

from __future__ import annotations

import importlib
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
