# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The arguments of the event source snapcopy.cloud.snapshots (source.py), checked before any cloud call, and the
adapter they name. The connection options are each cloud's copy module's (clouds/registry.py)."""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ansible.module_utils.parsing.convert_bool import boolean

from ..clouds.registry import PROVIDERS, provider_connection
from ..core.cloud_clock import iso_utc
from ..core.errors import InputError
from ..core.retry import CallRetry
from ..engine.copy_engine import default_backoff

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..dr.capabilities import DrAdapter

LOG = logging.getLogger('snapcopy.cloud.snapshots')

# The source's own options; the connection options are each provider's (clouds/registry.py).
OWN_OPTIONS = (
    'provider',
    'region',
    'tag_selector',
    'poll_interval',
    'state_file',
    'queue_url',
    'include_existing',
    'replay_seconds',
)
DEFAULT_POLL_INTERVAL = 60.0
# A restart gives again what was given this long before: a rulebook killed with events in its throttle window, or with
# runs waiting for the one in progress, has lost them (ansible-rulebook keeps events in memory only). A repeat makes no
# second copy (the copy engine's look-up); a loss would leave a snapshot to the next scheduled run.
DEFAULT_REPLAY_SECONDS = 900.0
MIN_POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = 86400.0


def now_text() -> str:
    """The time now, as the events write it (ISO 8601, UTC, seconds)."""
    return iso_utc(datetime.datetime.now(datetime.timezone.utc))


# ------------------------------------------------------------------ arguments
@dataclass(frozen=True)
class SourceSettings:
    """The source's arguments, checked (source_settings)."""

    provider: str
    region: str
    tag_selector: Mapping[str, str | None]
    connection: Mapping[str, Any] = field(repr=False)  # secrets: never in a repr, a log or an event
    # No defaults here: source_settings gives each (the event source's page says them, and a test holds the two alike).
    poll_interval: float
    state_file: str | None
    queue_url: str | None
    include_existing: bool
    replay_seconds: float


def _connection_names(provider: str) -> dict[str, str]:
    """{name or alias: option} for the connection options of ``provider``, as its copy module takes them."""
    names: dict[str, str] = {}
    for option, spec in PROVIDERS[provider].connection_spec.items():
        names[option] = option
        for alias in spec.get('aliases', ()):
            names[alias] = option
    return names


def _typed(option: str, spec: Mapping[str, Any], value: Any) -> Any:
    """``value`` as the connection option's type says (a rulebook's variables may come as text)."""
    kind = spec.get('type', 'str')
    try:
        if kind == 'bool':
            return boolean(value, strict=True)
        if kind == 'int':
            return int(value)
        if kind == 'float':
            return float(value)
    except (TypeError, ValueError):
        raise InputError(option, 'is a %s' % kind) from None  # the value is not shown: it may be a secret's
    if kind == 'path':
        return os.path.expanduser(str(value))
    return value if value is None else str(value)


def parse_selector(value: Any) -> dict[str, str | None]:
    """``tag_selector`` as a dict of text (None: any value); JSON text is taken too (a rulebook variable)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InputError('tag_selector', 'is a dict of tags, or JSON text of one, got %r' % value) from None
    if not isinstance(value, dict) or not value:
        raise InputError(
            'tag_selector',
            'give at least one tag: the source reports the snapshots of the disks that carry all of them',
        )
    selector: dict[str, str | None] = {}
    for key, tag_value in value.items():
        if not isinstance(key, str) or not key.strip():
            raise InputError('tag_selector', 'a tag key is text that is not empty, got %r' % (key,))
        if isinstance(tag_value, (bool, float)) or (tag_value is not None and not isinstance(tag_value, (str, int))):
            raise InputError(
                'tag_selector', 'the value of %s is text (quote it), or null for any value, got %r' % (key, tag_value)
            )
        selector[key] = None if tag_value is None else str(tag_value)
    return selector


def _connection(
    provider: str, args: Mapping[str, Any], names: Mapping[str, str], environ: Mapping[str, str] | None
) -> dict[str, Any]:
    """The connection options of ``provider`` among ``args`` (by name or alias, typed), with its environment
    variables."""
    spec = PROVIDERS[provider].connection_spec
    given: dict[str, Any] = {}
    for name, value in args.items():
        if name in names and value is not None and value != '':
            option = names[name]
            if option in given:
                raise InputError(name, 'and another name of %s are both given' % option)
            given[option] = _typed(name, spec[option], value)
    connection = provider_connection(provider, given, environ)
    PROVIDERS[provider].role_rules.check(connection)  # the role options' rules, as the modules check them
    return connection


def source_settings(args: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> SourceSettings:
    """The source's arguments, checked before any cloud call; InputError naming the argument (never its value when it
    may be a secret). The connection options are each cloud's copy module's, names and aliases, with its environment
    variables."""
    provider = args.get('provider')
    if provider not in PROVIDERS:
        raise InputError('provider', 'is one of %s, got %r' % (', '.join(PROVIDERS), provider))
    names = _connection_names(provider)
    # An empty value is no value: a rulebook passes every cloud's credential variables, '' for those not set.
    unknown = sorted(
        str(name)
        for name, value in args.items()
        if name not in OWN_OPTIONS and name not in names and value not in (None, '')
    )
    if unknown:
        raise InputError(
            unknown[0],
            'is not an argument of snapcopy.cloud.snapshots for provider %s (it takes %s and the '
            'connection options of %s)' % (provider, ', '.join(OWN_OPTIONS), PROVIDERS[provider].copy_module),
        )
    region = args.get('region')
    if not isinstance(region, str) or not region.strip():
        raise InputError('region', 'names the region (ENS: the node) of the disks')
    connection = _connection(provider, args, names, environ)
    try:
        poll_interval = float(args.get('poll_interval', DEFAULT_POLL_INTERVAL))
    except (TypeError, ValueError):
        raise InputError('poll_interval', 'is a number of seconds, got %r' % (args.get('poll_interval'),)) from None
    if not MIN_POLL_INTERVAL <= poll_interval <= MAX_POLL_INTERVAL:
        raise InputError(
            'poll_interval', 'is %s to %s seconds, got %s' % (MIN_POLL_INTERVAL, int(MAX_POLL_INTERVAL), poll_interval)
        )
    queue_url = args.get('queue_url') or None
    if queue_url is not None and not PROVIDERS[provider].snapshot_queue:
        pushed = ', '.join(
            '%s (%s)' % (name, cloud.snapshot_queue) for name, cloud in PROVIDERS.items() if cloud.snapshot_queue
        )
        raise InputError('queue_url', 'is for provider %s; the other clouds are polled' % pushed)
    if queue_url is not None and not re.match(r'https?://\S+\Z', str(queue_url)):
        raise InputError(
            'queue_url', 'is the queue\'s URL, as SQS answers it (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)'
        )
    state_file = args.get('state_file') or None
    if state_file is not None:
        state_file = os.path.abspath(os.path.expanduser(str(state_file)))
        if not os.path.isdir(os.path.dirname(state_file)):
            raise InputError('state_file', 'is in a folder that does not exist: %s' % os.path.dirname(state_file))
    try:
        include_existing = boolean(args.get('include_existing', False), strict=True)
    except TypeError:
        raise InputError('include_existing', 'is true or false') from None
    try:
        replay_seconds = float(args.get('replay_seconds', DEFAULT_REPLAY_SECONDS))
    except (TypeError, ValueError):
        replay_seconds = -1.0
    if not 0 <= replay_seconds <= MAX_POLL_INTERVAL:
        raise InputError(
            'replay_seconds', 'is 0 to %d seconds, got %r' % (MAX_POLL_INTERVAL, args.get('replay_seconds'))
        )
    return SourceSettings(
        provider=provider,
        region=region.strip(),
        tag_selector=parse_selector(args.get('tag_selector')),
        connection=connection,
        poll_interval=poll_interval,
        state_file=state_file,
        queue_url=None if queue_url is None else str(queue_url),
        include_existing=include_existing,
        replay_seconds=replay_seconds,
    )


def new_adapter(settings: SourceSettings, retry: CallRetry | None = None) -> DrAdapter:
    """The DR adapter of the settings' cloud, its calls retried with the collection's backoff (no call yet)."""
    adapter = (
        PROVIDERS[settings.provider]
        .load_adapter()
        .from_connection(dict(settings.connection), retry=retry or CallRetry(default_backoff()))
    )
    for warning in adapter.sdk_warnings():
        LOG.warning(warning)
    return adapter
