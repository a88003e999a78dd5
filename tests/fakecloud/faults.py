"""Fault injection: latency, throttling, rate limits, 5xx, lost answers, broken regions, failing copies and disks.

All chance decisions come from one seeded ``random.Random`` so a fault run can be replayed.
"""

from __future__ import annotations

import collections
import copy
import fnmatch
import random
import time

from .errors import CloudError

ALIBABA = ('ecs', 'ens', 'alibaba_sts', 'resourcesharing', 'kms', 'resourcemanager')
TENCENT = ('cbs', 'cvm', 'tag')

# What each cloud answers when it throttles or fails on its side.
_THROTTLE = {
    'alibaba': ('Throttling.User', 'Request was denied due to user flow control.', 400),
    'tencent': ('RequestLimitExceeded', 'The number of requests exceeds the frequency limit.', 200),
}
_SERVER_ERRORS = {
    'ServiceUnavailable': ('The request has failed due to a temporary failure of the server.', 503),
    'InternalError': ('The request processing has failed due to some unknown error, exception or failure.', 500),
    'UnknownError': ('The server encountered an unknown error.', 500),
    # A RAM policy that lacks the action (a refused read): Alibaba's common code; its words and status, unverifiable.
    'Forbidden.RAM': (
        'User not authorized to operate on the specified resource, or this API does not support RAM.',
        403,
    ),
}
_TENCENT_SERVER_ERRORS = {
    'InternalError': 'An internal error has occurred. Retry your request.',
    'ResourceBusy': 'The resource is busy. Try again later.',
    'ResourceUnavailable': 'The resource is unavailable.',
}

RULE_KEYS = (
    'cloud',
    'action',
    'latency_ms',
    'latency_rate',
    'throttle_rate',
    'throttle_code',
    'error_rate',
    'error_code',
    'lost_answer_rate',
    'count',
    'params',
)


def family(cloud: str) -> str:
    """'alibaba' for ECS/ENS, 'tencent' for CBS/Tag."""
    return 'alibaba' if cloud in ALIBABA else 'tencent'


def empty_faults() -> dict:
    """The fault settings with nothing switched on."""
    return {
        'seed': 0,
        'rules': [],
        'broken_regions': {'ecs': [], 'ens': [], 'cbs': []},
        'failing_copies': {
            'ecs': {'regions': [], 'rate': 0.0},
            'ens': {'regions': [], 'rate': 0.0},
            'cbs': {'regions': [], 'rate': 0.0},
        },
        # Disks made by CreateDisk(s) in these regions (ENS nodes), or a random fraction, fail to be made.
        'failing_disks': {
            'ecs': {'regions': [], 'rate': 0.0},
            'ens': {'regions': [], 'rate': 0.0},
            'cbs': {'regions': [], 'rate': 0.0},
        },
        # Torn snapshot groups: {cloud: {"member": index (default -1, the last), "outcome": "pending" (default) or
        # "failed", "seconds": how much longer a pending member takes (default 3600), "count": groups to tear (default
        # every one)}}. Each group CreateSnapshotGroup makes on that cloud while it holds has that one member left
        # pending for longer than the others, or failing (ECS failed; CBS, which has no failed state, gone), so a test
        # can make the torn set a DR run must not call a recovery point.
        'torn_groups': {},
        'rate_limits': [],
        'tencent_rate_limit': False,
        # Canned answers: [{"cloud", "action", "answer", "count"?}]; a matching call (signature and
        # parameters checked as usual) gets ``answer`` instead of the emulator's own, so a test can feed a
        # client an answer built from the vendor's model rather than from fakecloud's code.
        'answers': [],
    }


class FaultPlan:
    """The current fault settings plus the state they need (random generator, rate windows).

    Callers hold the emulator's state lock around every method, so no lock of its own.
    """

    def __init__(self, settings: dict | None = None):
        self.settings = empty_faults()
        self.rng = random.Random(0)
        self.windows: dict = collections.defaultdict(collections.deque)
        self.configure(settings or {}, replace=True)

    def configure(self, settings: dict, replace: bool = False) -> dict:
        """Replace (or update key by key) the settings; a given ``seed`` restarts the generator."""
        if replace:
            self.settings = empty_faults()
        for key, value in settings.items():
            if key not in self.settings:
                raise ValueError('unknown fault setting %r' % key)
            if key in ('broken_regions', 'failing_copies', 'failing_disks'):
                self.settings[key].update(copy.deepcopy(value))
            else:
                self.settings[key] = copy.deepcopy(value)
        for rule in self.settings['rules']:
            unknown = set(rule) - set(RULE_KEYS)
            if unknown:
                raise ValueError('unknown fault rule keys %s' % sorted(unknown))
        for cloud, spec in self.settings['torn_groups'].items():
            if cloud not in ('ecs', 'cbs') or set(spec) - {'member', 'outcome', 'seconds', 'count'}:
                raise ValueError('torn_groups: ecs or cbs, each with member, outcome, seconds, count; not %r' % spec)
            if spec.get('outcome', 'pending') not in ('pending', 'failed'):
                raise ValueError('torn_groups outcome must be pending or failed, not %r' % spec['outcome'])
        if replace or 'seed' in settings:
            self.rng = random.Random(self.settings['seed'])
        self.windows.clear()
        return self.settings

    def _rules_for(self, cloud: str, action: str, params: dict | None = None):
        for rule in self.settings['rules']:
            if fnmatch.fnmatchcase(cloud, rule.get('cloud', '*')) and fnmatch.fnmatchcase(
                action, rule.get('action', '*')
            ):
                if rule.get('count') is not None and rule['count'] <= 0:
                    continue
                # ``params``: only the calls that send each of these parameters with this value (one kind of a read,
                # such as ListResourceShareAssociations of the Target type and not of the Resource type).
                if any((params or {}).get(key) != value for key, value in (rule.get('params') or {}).items()):
                    continue
                yield rule

    def _fire(self, rule: dict, rate_key: str) -> bool:
        """Roll the dice for one fault of a rule; a rule with ``count`` fires at most that often."""
        rate = float(rule.get(rate_key) or 0.0)
        if rate <= 0 or self.rng.random() >= rate:
            return False
        if rule.get('count') is not None:
            rule['count'] -= 1
        return True

    def latency(self, cloud: str, action: str) -> float:
        """Seconds to wait before answering (the largest latency of the matching rules). A rule with
        ``latency_rate`` slows down only that fraction of the calls; without it, every call."""
        delays = [
            float(rule['latency_ms'])
            for rule in self._rules_for(cloud, action)
            if rule.get('latency_ms') and (rule.get('latency_rate') is None or self._fire(rule, 'latency_rate'))
        ]
        return max(delays, default=0.0) / 1000.0

    def check_limits(self, cloud: str, action: str, now: float | None = None, account: str | None = None) -> None:
        """Raise the cloud's throttling error if a real per-action rate limit is exceeded.

        Each account (the caller's, after STS) has windows of its own, so that the scopes of several
        accounts (a fleet) do not share one budget: Alibaba's throttling code is ``Throttling.User``
        ("user flow control"); that Tencent counts per account too is **unverifiable**."""
        now = time.monotonic() if now is None else now
        limits = [dict(limit) for limit in self.settings['rate_limits']]
        tc_limit = self.settings['tencent_rate_limit']
        if cloud in TENCENT and tc_limit:
            # Tencent documents 20 requests per second per action (per account).
            per_second = 20 if tc_limit is True else int(tc_limit)
            limits.append({'cloud': cloud, 'action': action, 'limit': per_second, 'per_seconds': 1})
        for index, limit in enumerate(limits):
            if not (
                fnmatch.fnmatchcase(cloud, limit.get('cloud', '*'))
                and fnmatch.fnmatchcase(action, limit.get('action', '*'))
            ):
                continue
            window = self.windows[(index, cloud, action, limit['limit'], limit.get('per_seconds', 1), account)]
            span = float(limit.get('per_seconds', 1))
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= int(limit['limit']):
                raise throttle_error(cloud, None, len(window) + 1, int(limit['limit']))
            window.append(now)

    def injected_error(self, cloud: str, action: str, params: dict | None = None) -> CloudError | None:
        """A throttling or server error chosen by the matching rules, if any fires."""
        for rule in self._rules_for(cloud, action, params):
            if self._fire(rule, 'throttle_rate'):
                return throttle_error(cloud, rule.get('throttle_code'))
            if self._fire(rule, 'error_rate'):
                return server_error(cloud, rule.get('error_code'))
        return None

    def canned_answer(self, cloud: str, action: str) -> dict | None:
        """The first canned answer for this call, if any (a ``count`` caps how often it is given)."""
        for canned in self.settings['answers']:
            if fnmatch.fnmatchcase(cloud, canned.get('cloud', '*')) and fnmatch.fnmatchcase(
                action, canned.get('action', '*')
            ):
                if canned.get('count') is not None:
                    if canned['count'] <= 0:
                        continue
                    canned['count'] -= 1
                return copy.deepcopy(canned['answer'])
        return None

    def lose_answer(self, cloud: str, action: str) -> bool:
        """Whether to drop the connection after a mutating call was applied."""
        return any(self._fire(rule, 'lost_answer_rate') for rule in self._rules_for(cloud, action))

    def torn_member(self, cloud: str, size: int) -> tuple | None:
        """(member index, outcome, extra seconds) for a new snapshot group of ``size`` members on ``cloud``, when
        torn_groups holds for it; None otherwise."""
        spec = self.settings['torn_groups'].get(cloud)
        if not spec or size < 1:
            return None
        if spec.get('count') is not None:
            if spec['count'] <= 0:
                return None
            spec['count'] -= 1
        return int(spec.get('member', -1)) % size, spec.get('outcome', 'pending'), float(spec.get('seconds', 3600))

    def region_broken(self, cloud: str, region: str) -> bool:
        """A destination region (or ENS node) that refuses new copies."""
        return region in self.settings['broken_regions'].get(cloud, [])

    def copy_fails(self, cloud: str, region: str) -> bool:
        """Whether a copy accepted into ``region`` is to end in failure."""
        return self._fails('failing_copies', cloud, region)

    def disk_fails(self, cloud: str, region: str) -> bool:
        """Whether a disk CreateDisk(s) accepted in ``region`` is to fail to be made."""
        return self._fails('failing_disks', cloud, region)

    def _fails(self, setting: str, cloud: str, region: str) -> bool:
        spec = self.settings[setting].get(cloud) or {}
        if region in (spec.get('regions') or []):
            return True
        rate = float(spec.get('rate') or 0.0)
        return rate > 0 and self.rng.random() < rate


def throttle_error(cloud: str, code: str | None = None, count: int | None = None, limit: int | None = None):
    """The cloud's own throttling error."""
    fam = family(cloud)
    default_code, message, status = _THROTTLE[fam]
    if fam == 'tencent' and count is not None:
        message = (
            'Your current request times equals to `%d` in a second, which exceeds the frequency limit '
            '`%d` for a second. Please reduce the frequency of calls.' % (count, limit)
        )
    if code == 'Throttling':
        message = 'Request was denied due to request throttling.'
    return CloudError(code or default_code, message, status)


def server_error(cloud: str, code: str | None = None) -> CloudError:
    """A 5xx-class failure in the cloud's own words (Tencent answers these with HTTP 200)."""
    if family(cloud) == 'tencent':
        code = code or 'InternalError'
        return CloudError(code, _TENCENT_SERVER_ERRORS.get(code, 'An internal error has occurred.'), 200)
    code = code or 'ServiceUnavailable'
    message, status = _SERVER_ERRORS.get(
        code, ('The request has failed due to a temporary failure of the server.', 503)
    )
    return CloudError(code, message, status)
