# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assume-role credentials: each cloud's options, their checks, and temporary keys refreshed before they expire.

Every cloud takes a role to act in another account through STS AssumeRole, called with the
connection's own keys. How the options are checked is here, once (``RoleRules``); each cloud's option names and the
shapes its STS accepts are in its folder (clouds/<vendor>/client.py, on its ``Provider`` record), and its client makes
the STS call through its SDK.

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

from .errors import InputError


def is_external_id(option: str) -> bool:
    """Whether ``option`` is an assume-role external id: each cloud names its own ``external_id`` or ``..._external_id``,
    aliases too (test_providers holds every cloud's role options to it). It is the one secret of these options: a
    person chooses it, as short as the clouds allow (runners.copy_module.withhold_external_ids)."""
    return option == 'external_id' or option.endswith('_external_id')


class _ExternalIdNames:
    """``name in EXTERNAL_ID_NAMES``: every cloud's external id option, by ``is_external_id``."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and is_external_id(name)


EXTERNAL_ID_NAMES = _ExternalIdNames()


class NameRule:
    """A name STS takes (a role session name, an external id): ``low`` to ``high`` letters, digits, '_', '-' and the
    punctuation ``others`` (from the vendor's API reference; no ']', '\\' or '^'), as a pattern and in the words of the
    error that refuses another name: the two are written from one rule, so they cannot disagree."""

    def __init__(self, others: str, low: int, high: int) -> None:
        # ASCII: the vendors' "letters" are A-Z and a-z (Python's \w would take any script's letters, which STS
        # refuses). \Z, not $: $ also matches before a final newline, and the value with its newline would reach STS.
        self.pattern = re.compile(r'^[\w%s-]{%d,%d}\Z' % (others, low, high), re.ASCII)
        self.words = 'must be %d to %d letters, digits or any of %s_-' % (low, high, others)


class RoleRules:
    """One cloud's option names and the shapes STS accepts for them (from the vendor's API reference)."""

    def __init__(
        self,
        *,
        arn_option: str,
        session_option: str,
        arn_pattern: str,
        arn_example: str,
        session: NameRule,
        external_id_option: str | None = None,
        external_id: NameRule | None = None,
    ) -> None:
        self.arn_option = arn_option
        self.session_option = session_option
        # ASCII, as NameRule's.
        self.arn_pattern = re.compile(arn_pattern, re.ASCII)
        self.arn_example = arn_example
        self.session = session
        self.external_id_option = external_id_option
        self.external_id = external_id

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
        if session and not self.session.pattern.match(session):
            raise InputError(self.session_option, '%s, got %r' % (self.session.words, session))
        option, rule = self.external_id_option, self.external_id
        external_id = connection.get(option) if option else None
        if option and rule is not None and external_id and not rule.pattern.match(external_id):
            # The value is no_log: the message does not repeat it.
            raise InputError(option, rule.words)
        return arn

    def account(self, arn: str) -> str:
        """The account id in a role ARN that passed ``check``."""
        return cast('re.Match[str]', self.arn_pattern.match(arn)).group('account')


def default_session_name() -> str:
    """The session name when none is given: the collection's name and the time, as CloudTrail and
    ActionTrail show it."""
    return 'snapcopy-%d' % int(time.time())


class TemporaryCredentials:
    """Temporary keys from STS, fetched when first needed and again shortly before they expire.

    ``fetch()`` answers ``(key_id, secret, token, expires_at)`` (epoch seconds, by the cloud's clock) for a session of
    ``session_seconds`` asked for; it is called under a lock, so threads of one run share one session. ``clock`` is the
    controller's clock in epoch seconds (tests move it).

    The expiry is the cloud's time, which the controller's clock may not keep: one ten minutes slow (Alibaba takes
    requests stamped up to 15 minutes off) would use the keys past it. So their life is counted on the controller's
    clock from the moment it asked for them (they were issued no sooner), and is never longer than the session asked
    for; a controller whose clock is fast counts less of it, and fetches sooner.
    """

    # Refresh this long before the keys' end (botocore uses 10 to 15 minutes for its own).
    REFRESH_MARGIN = 300

    def __init__(
        self,
        fetch: Callable[[], tuple[str, str, str, float]],
        *,
        session_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._session_seconds = session_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._current: tuple[str, str, str] | None = None
        self._refresh_at = 0.0

    def get(self) -> tuple[str, str, str]:
        """The current ``(key_id, secret, token)``, refreshed first when they end within the margin."""
        with self._lock:
            now = self._clock()
            if self._current is None or now >= self._refresh_at:
                key_id, secret, token, expires_at = self._fetch()
                life = min(expires_at - now, self._session_seconds)
                self._current, self._refresh_at = (key_id, secret, token), now + life - self.REFRESH_MARGIN
            return self._current
