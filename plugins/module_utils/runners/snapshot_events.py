# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source snapcopy.cloud.snapshots (extensions/eda/plugins/event_source/snapshots.py): one event for each
completed snapshot of a disk that a tag selector matches, for ansible-rulebook.

Two ways to learn of a snapshot. Polling, on every cloud: each poll reads the region's disks that carry the selector's
tags (DrAdapter.find_disks) and the region's completed snapshots (CompletedSnapshotsAdapter.completed_snapshots), two
paged listings whatever the number of disks. Push, on AWS: EventBridge's "EBS Snapshot Notification" routed to an SQS
queue; each message's snapshot is read back from EC2 (its disk and state) before it is believed.

The state file names every snapshot given, and is written (atomically) before its events are put on the queue: the
rulebook never holds an event that the file does not name, so a restart with ``replay_seconds: 0`` repeats none,
whenever the kill came. An event on the queue is in memory, as the rulebook's own are: a kill loses both alike, and a
restart gives again what it gave in the last ``replay_seconds`` (a start without an earlier state: what was made in that
time). An SQS message is deleted only once its event is on the queue. As a poll lists every completed snapshot and not
those of a time window, a restart with the same file misses none that completed while it was down. The copy engine makes
one copy of a snapshot however often the DR run is asked for it.

Nothing here imports Ansible's AnsibleModule: ansible-rulebook runs this in its own process.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ansible.module_utils.parsing.convert_bool import boolean

from ..clouds.registry import PROVIDERS, provider_connection
from ..core.errors import CloudError, InputError
from ..core.model import COMPLETED, parse_time
from ..core.retry import Backoff, CallRetry
from ..dr.capabilities import CompletedSnapshotsAdapter
from ..engine.copy_engine import default_backoff

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from ..core.model import Disk, Snapshot
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
STATE_VERSION = 1
# How long a given snapshot that a listing no longer shows (deleted, or its disk untagged) stays in the state file: a
# listing that missed it for a while (a disk untagged and tagged again) does not give it again within that time.
FORGET_AFTER = datetime.timedelta(days=7)
# EventBridge's EBS snapshot events (the EBS user guide, "Amazon EventBridge events for Amazon EBS", EBS snapshot
# events: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html#snapshot-events): createSnapshot
# and copySnapshot (a snapshot made, or copied into the region) come as an "EBS Snapshot Notification" naming the
# snapshot in detail.snapshot_id; a multi-volume set (CreateSnapshots) as an "EBS Multi-Volume Snapshots Completion
# Status" naming each of its snapshots in detail.snapshots[] (snapshot_id, source, status). Each snapshot_id is an ARN,
# in either form of snapshot_arn. The rule in docs/events.md sends both detail-types.
EBS_DETAIL_TYPE = 'EBS Snapshot Notification'
EBS_MULTI_VOLUME_DETAIL_TYPE = 'EBS Multi-Volume Snapshots Completion Status'
EBS_DONE_EVENTS = {
    EBS_DETAIL_TYPE: ('createSnapshot', 'copySnapshot'),
    EBS_MULTI_VOLUME_DETAIL_TYPE: ('createSnapshots',),
}
SNAPSHOT_ID = re.compile(r'snap-[0-9a-f]+\Z')
# A message the source does not understand is shown in its warning this far.
MESSAGE_EXCERPT = 300
# SQS's ReceiveMessage takes at most 10 messages and waits at most 20 s for one (the SQS API reference).
SQS_BATCH = 10
SQS_MAX_WAIT = 20


def now_text() -> str:
    """The time now, as the events write it (ISO 8601, UTC, seconds)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


# ------------------------------------------------------------------ arguments
@dataclass(frozen=True)
class SourceSettings:
    """The source's arguments, checked (source_settings)."""

    provider: str
    region: str
    tag_selector: Mapping[str, str | None]
    connection: Mapping[str, Any] = field(repr=False)  # secrets: never in a repr, a log or an event
    poll_interval: float = DEFAULT_POLL_INTERVAL
    state_file: str | None = None
    queue_url: str | None = None
    include_existing: bool = False
    replay_seconds: float = DEFAULT_REPLAY_SECONDS


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
    if queue_url is not None and provider != 'aws':
        raise InputError('queue_url', 'is for provider aws (EventBridge to SQS); the other clouds are polled')
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


# ------------------------------------------------------------------ what has been given
class GivenSnapshots:
    """The snapshots already put on the queue, kept in the state file (None: in memory only).

    The file is JSON: the provider and region it is for, per snapshot id when it was given (``given``: the replay window
    counts from it) and, where the event said otherwise, its ``completed_at`` (a replay repeats the event as first
    given). Files written before ``completed_at`` was kept read as though each snapshot completed when it was given. It
    is written to a temporary file beside it and renamed over it, so that a kill leaves the old file or the new one,
    never half of one.
    """

    def __init__(self, path: str | None, provider: str, region: str) -> None:
        self.path = path
        self.provider = provider
        self.region = region
        self.given: dict[str, str] = {}
        self.completed: dict[str, str] = {}
        self.existed = False
        if path is not None and os.path.exists(path):
            self.existed = True
            self._load(path)

    def _load(self, path: str) -> None:
        try:
            with open(path, encoding='utf-8') as stream:
                data = json.load(stream)
        except (OSError, ValueError) as error:
            raise InputError('state_file', 'cannot be read (%s): move it away to start afresh' % error) from None
        if (
            not isinstance(data, dict)
            or data.get('version') != STATE_VERSION
            or not isinstance(data.get('given'), dict)
        ):
            raise InputError('state_file', '%s is not a state file of snapcopy.cloud.snapshots' % path)
        if (data.get('provider'), data.get('region')) != (self.provider, self.region):
            raise InputError(
                'state_file',
                '%s is the state of provider %s, region %s: give each source a file of its own'
                % (path, data.get('provider'), data.get('region')),
            )
        self.given = {str(key): str(value) for key, value in data['given'].items()}
        completed = data.get('completed_at')
        self.completed = (
            {str(key): str(value) for key, value in completed.items() if key in self.given}
            if isinstance(completed, dict)
            else {}
        )

    def __contains__(self, snapshot_id: object) -> bool:
        return snapshot_id in self.given

    def add(self, snapshot_ids: Iterable[str], when: str, completed_at: str | None = None) -> None:
        """Name ``snapshot_ids`` as given at ``when``, their events saying ``completed_at`` (default: ``when``)."""
        for snapshot_id in snapshot_ids:
            if snapshot_id not in self.given:
                self.given[snapshot_id] = when
                if completed_at is not None and completed_at != when:
                    self.completed[snapshot_id] = completed_at

    def completed_at(self, snapshot_id: str) -> str | None:
        """The completed_at of the event given for ``snapshot_id`` (None: not given)."""
        return self.completed.get(snapshot_id) or self.given.get(snapshot_id)

    def snapshot(self) -> tuple[dict[str, str], dict[str, str]]:
        """What is given now, to restore (``restore``) when a change cannot be written."""
        return dict(self.given), dict(self.completed)

    def restore(self, state: tuple[dict[str, str], dict[str, str]]) -> None:
        self.given, self.completed = dict(state[0]), dict(state[1])

    def given_since(self, cut: datetime.datetime) -> set[str]:
        """The snapshots given at ``cut`` or later."""
        return {key for key, value in self.given.items() if (parse_time(value) or cut) >= cut}

    def forget_unlisted(self, snapshot_ids: Iterable[str], now: datetime.datetime) -> None:
        """Forget the snapshots given more than FORGET_AFTER ago that a complete listing no longer shows (deleted, or of
        a disk no longer tagged): the file does not grow for ever. One that shows again later is given again: at least
        once."""
        listed = set(snapshot_ids)
        cut = now - FORGET_AFTER
        self.given = {
            key: value for key, value in self.given.items() if key in listed or (parse_time(value) or now) > cut
        }
        self.completed = {key: value for key, value in self.completed.items() if key in self.given}

    def save(self) -> None:
        if self.path is None:
            return
        folder = os.path.dirname(self.path)
        data = {
            'version': STATE_VERSION,
            'provider': self.provider,
            'region': self.region,
            'given': dict(sorted(self.given.items())),
            'completed_at': dict(sorted(self.completed.items())),
        }
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(self.path), dir=folder)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                json.dump(data, stream, indent=0)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


# ------------------------------------------------------------------ the events
def snapshot_event(provider: str, region: str, disk_id: str, snapshot_id: str, completed_at: str) -> dict[str, Any]:
    """One event, as the rulebook reads it: ``event.snapcopy``."""
    return {
        'snapcopy': {
            'provider': provider,
            'region': region,
            'disk_id': disk_id,
            'snapshot_id': snapshot_id,
            'completed_at': completed_at,
        }
    }


class SnapshotPoller:
    """One poll of a region: the completed snapshots of its tagged disks not given yet, as events. Blocking (the SDKs
    are): the source runs it in a thread."""

    def __init__(
        self,
        settings: SourceSettings,
        adapter: DrAdapter,
        *,
        given: GivenSnapshots,
        clock: Callable[[], str] = now_text,
    ) -> None:
        if not isinstance(adapter, CompletedSnapshotsAdapter):
            raise InputError('provider', '%s cannot list completed snapshots' % settings.provider)
        self.settings = settings
        self.adapter = adapter
        self.given = given
        self.clock = clock
        # Without a state file from an earlier run, what has completed already is taken as given (the schedule's
        # business), unless include_existing, or it was made in the last replay_seconds (baseline_events).
        self.baseline = not given.existed and not settings.include_existing
        # What an earlier life of the source gave lately, given again at the first poll (DEFAULT_REPLAY_SECONDS).
        self.replay = replay_at_start(given, settings, parse_time(clock()))

    def read(self) -> list[Snapshot]:
        """The completed snapshots of the tagged disks, as the cloud lists them now (two paged listings)."""
        disks: list[Disk] = self.adapter.find_disks(self.settings.region, dict(self.settings.tag_selector))
        if not disks:
            return []
        return cast('CompletedSnapshotsAdapter', self.adapter).completed_snapshots(self.settings.region, disks)

    def poll(self) -> list[dict[str, Any]]:
        """The events of the snapshots completed since the last poll (not yet given); the given ones a complete listing
        no longer shows are forgotten."""
        snapshots = sorted(self.read(), key=lambda snapshot: snapshot.age_order())
        when = self.clock()
        self.given.forget_unlisted(
            (snapshot.id for snapshot in snapshots), parse_time(when) or datetime.datetime.now(datetime.timezone.utc)
        )
        if self.baseline:
            events = self.baseline_events(snapshots, when)
            self.baseline = False  # once the state is written: a poll that could not write it takes the baseline again
            return events
        replay, self.replay = self.replay, set()
        return [
            snapshot_event(
                self.settings.provider,
                self.settings.region,
                cast(str, snapshot.volume_id),
                snapshot.id,
                self.given.completed_at(snapshot.id) or when,
            )
            for snapshot in snapshots
            if snapshot.id not in self.given or snapshot.id in replay
        ]

    def baseline_events(self, snapshots: list[Snapshot], when: str) -> list[dict[str, Any]]:
        """The first poll without an earlier state: the snapshots made in the last ``replay_seconds`` are given (they
        may have completed while the source was down, and no state file says what it gave), the older ones are taken as
        given. The cloud lists when a snapshot was made, not when it completed: a window counts from the making."""
        cut = (parse_time(when) or datetime.datetime.now(datetime.timezone.utc)) - datetime.timedelta(
            seconds=self.settings.replay_seconds
        )
        # A snapshot whose making time the cloud does not say is given: a repeat costs a run that finds its copy, a loss
        # a copy.
        recent = [
            snapshot
            for snapshot in snapshots
            if self.settings.replay_seconds and (parse_time(snapshot.created) or cut) >= cut
        ]
        recent_ids = {snapshot.id for snapshot in recent}
        self.given.add((snapshot.id for snapshot in snapshots if snapshot.id not in recent_ids), when)
        self.given.save()
        LOG.info(
            '%s %s: no earlier state; of the %d completed snapshot(s) of tagged disks found at start, %d made in the last '
            '%g s (replay_seconds) are given, the others taken as given (include_existing: false); snapshots completing from '
            'now on are reported',
            self.settings.provider,
            self.settings.region,
            len(snapshots),
            len(recent),
            self.settings.replay_seconds,
        )
        return [
            snapshot_event(
                self.settings.provider, self.settings.region, cast(str, snapshot.volume_id), snapshot.id, when
            )
            for snapshot in recent
        ]


def replay_at_start(given: GivenSnapshots, settings: SourceSettings, now: datetime.datetime | None = None) -> set[str]:
    """The snapshots an earlier life of the source gave in the last ``replay_seconds`` before ``now``: given again at
    the start. (Without an earlier state there is nothing to give again: SnapshotPoller.baseline_events reads the cloud
    instead.)"""
    if not given.existed or not settings.replay_seconds:
        return set()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    replay = given.given_since(now - datetime.timedelta(seconds=settings.replay_seconds))
    if replay:
        LOG.info(
            '%s %s: %d snapshot(s) given in the last %g s before this start are given again (replay_seconds): the '
            'rulebook may have lost them',
            settings.provider,
            settings.region,
            len(replay),
            settings.replay_seconds,
        )
    return replay


# ------------------------------------------------------------------ AWS: EventBridge to SQS
@dataclass
class SqsMessage:
    """One SQS message: its handle (to delete it), the completed snapshots of the region it names ({id: completed_at}),
    and what is wrong with it when the source cannot read it as an EBS snapshot event (the warning said when it is
    deleted)."""

    receipt: str
    message_id: str
    snapshots: dict[str, str | None] = field(default_factory=dict)
    problem: str | None = None


def snapshot_arn(arn: Any, event_region: Any = None) -> tuple[str | None, str] | None:
    """(region, snapshot id) of an EBS snapshot's ARN, or None when ``arn`` is not one. AWS's EBS events write the
    region in the ARN's region field (arn:aws:ec2:us-west-2::snapshot/snap-01234567) or in its account field
    (arn:aws:ec2::us-east-1:snapshot/snap-01234567), both in the EBS user guide's examples: the ARN is split at
    ``snapshot/`` (as AWS's own sample Lambda does), the region taken from whichever field holds one (an account field
    of digits is an account), else from the event's ``region``."""
    if not isinstance(arn, str):
        return None
    head, found, snapshot_id = arn.strip().partition(':snapshot/')
    fields = head.split(':')
    is_ec2 = len(fields) == 5 and fields[0] == 'arn' and fields[1].startswith('aws') and fields[2] == 'ec2'
    if not found or not is_ec2 or not SNAPSHOT_ID.match(snapshot_id):
        return None
    region = (
        fields[3]
        or ('' if fields[4].isdigit() else fields[4])
        or (event_region if isinstance(event_region, str) else '')
    )
    return region or None, snapshot_id


def _event_time(*values: Any) -> str | None:
    """The first of ``values`` that is a time (EventBridge's endTime, then the event's time): kept in the state file,
    which must read it back."""
    for value in values:
        try:
            if isinstance(value, str) and parse_time(value) is not None:
                return value
        except ValueError:
            continue
    return None


def _excerpt(text: Any) -> str:
    text = str(text)
    return repr(text if len(text) <= MESSAGE_EXCERPT else text[:MESSAGE_EXCERPT] + '...')


def parse_ebs_message(message: Mapping[str, Any], region: str) -> SqsMessage:
    """An SQS message as EventBridge sends an EBS snapshot event: the snapshots of ``region`` that a succeeded
    createSnapshot, copySnapshot or createSnapshots (multi-volume) names as completed. Another EBS snapshot event
    (deleteSnapshot, a failed one) names none; a message that is no EBS snapshot event, or names a snapshot the source
    cannot read or of another region, gets a ``problem``: the reader warns, saying what it was, before it deletes it."""
    parsed = SqsMessage(receipt=str(message.get('ReceiptHandle')), message_id=str(message.get('MessageId')))
    text = message.get('Body') or ''
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    detail = body.get('detail') if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(detail, dict):
        parsed.problem = 'not an EventBridge event: %s' % _excerpt(text)
        return parsed
    detail_type = body.get('detail-type')
    if body.get('source') != 'aws.ec2' or detail_type not in EBS_DONE_EVENTS:
        parsed.problem = (
            'not an EBS snapshot event (source %s, detail-type %s): the rule of docs/events.md sends only those'
            % (_excerpt(body.get('source')), _excerpt(detail_type))
        )
        return parsed
    if detail.get('event') not in EBS_DONE_EVENTS[detail_type] or detail.get('result') != 'succeeded':
        return parsed  # another EBS snapshot event, or a failed one: no completed snapshot to give
    if detail_type == EBS_MULTI_VOLUME_DETAIL_TYPE:
        members = detail.get('snapshots')
        named = (
            [(member.get('snapshot_id'), member.get('status')) for member in members if isinstance(member, dict)]
            if isinstance(members, list)
            else []
        )
    else:
        named = [(detail.get('snapshot_id'), 'completed')]
    completed_at = _event_time(detail.get('endTime'), body.get('time'))
    problems = [] if named else ['%s %s names no snapshot: %s' % (detail_type, detail.get('event'), _excerpt(text))]
    for arn, status in named:
        where = snapshot_arn(arn, body.get('region'))
        if where is None:
            problems.append(
                '%s %s names a snapshot as %s, which is not a snapshot\'s ARN'
                % (detail_type, detail.get('event'), _excerpt(arn))
            )
        elif where[0] != region:
            problems.append(
                '%s %s names snapshot %s of region %s; this source reads region %s (is the queue fed by another '
                'region\'s rule?)' % (detail_type, detail.get('event'), where[1], where[0], region)
            )
        elif status == 'completed':
            parsed.snapshots[where[1]] = completed_at
    if problems:
        parsed.problem = '; '.join(problems)
    return parsed


class SqsReader:
    """The AWS push way: messages of an SQS queue that EventBridge fills with EBS snapshot events. Each snapshot named
    is read back from EC2 (one DescribeSnapshots per batch of 10 messages) for its disk and state; its disk must be one
    the selector matches (the tagged disks, listed again at most once a poll interval). Blocking: run in a thread."""

    def __init__(
        self,
        settings: SourceSettings,
        adapter: DrAdapter,
        *,
        given: GivenSnapshots,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], str] = now_text,
    ) -> None:
        self.settings = settings
        self.adapter = adapter
        self.given = given
        self.queue_url = cast(str, settings.queue_url)
        self._monotonic = monotonic
        self.clock = clock
        self._disks: set[str] = set()
        self._disks_read_at: float | None = None
        # Without an earlier state nothing is given again: the queue keeps what came while the source was down.
        self.replay = replay_at_start(given, settings, parse_time(clock()))
        read_timeout = int(settings.connection.get('read_timeout') or 60)
        # Long polling within the client's read timeout, and no longer than a poll interval.
        self.wait_seconds = max(0, min(SQS_MAX_WAIT, int(settings.poll_interval), read_timeout - 5))

    def _sqs(self, action: str, **arguments: Any) -> dict[str, Any]:
        return cast(
            'dict[str, Any]', self.adapter.client.call_service('sqs', self.settings.region, action, **arguments)
        )

    def tagged_disks(self) -> set[str]:
        now = self._monotonic()
        if self._disks_read_at is None or now - self._disks_read_at >= self.settings.poll_interval:
            self._disks = {
                disk.id for disk in self.adapter.find_disks(self.settings.region, dict(self.settings.tag_selector))
            }
            self._disks_read_at = now
        return self._disks

    def receive(self) -> tuple[list[dict[str, Any]], list[SqsMessage]]:
        """(events, messages): the events of the messages received (those not given yet), and every message received, to
        delete once the events are on the queue."""
        answer = self._sqs(
            'ReceiveMessage', QueueUrl=self.queue_url, MaxNumberOfMessages=SQS_BATCH, WaitTimeSeconds=self.wait_seconds
        )
        messages = [parse_ebs_message(message, self.settings.region) for message in answer.get('Messages') or []]
        for message in messages:
            if message.problem:
                # Never deleted unsaid: a message the source cannot read may be an event it should have understood.
                LOG.warning(
                    '%s %s: SQS message %s gives no event and is deleted: %s',
                    self.settings.provider,
                    self.settings.region,
                    message.message_id,
                    message.problem,
                )
        named = sorted(
            {snapshot_id for message in messages for snapshot_id in message.snapshots if snapshot_id not in self.given}
            | self.replay
        )
        self.replay = set()
        if not named:
            return [], messages
        snapshots = self.adapter.describe(self.settings.region, named)
        disks = self.tagged_disks()
        if any(snapshot.volume_id not in disks for snapshot in snapshots.values()):
            # A disk tagged since the last listing would be missed: read the disks again once.
            self._disks_read_at = None
            disks = self.tagged_disks()
        completed_at = {snapshot_id: when for message in messages for snapshot_id, when in message.snapshots.items()}
        events = []
        for snapshot_id in named:
            snapshot = snapshots.get(snapshot_id)
            if snapshot is None or snapshot.state != COMPLETED or snapshot.volume_id not in disks:
                LOG.debug(
                    '%s %s: snapshot %s of the queue is not a completed snapshot of a tagged disk: no event',
                    self.settings.provider,
                    self.settings.region,
                    snapshot_id,
                )
                continue
            events.append(
                snapshot_event(
                    self.settings.provider,
                    self.settings.region,
                    snapshot.volume_id,
                    snapshot_id,
                    completed_at.get(snapshot_id) or self.given.completed_at(snapshot_id) or self.clock(),
                )
            )
        return events, messages

    def delete(self, messages: list[SqsMessage]) -> None:
        if not messages:
            return
        answer = self._sqs(
            'DeleteMessageBatch',
            QueueUrl=self.queue_url,
            Entries=[{'Id': str(index), 'ReceiptHandle': message.receipt} for index, message in enumerate(messages)],
        )
        for failure in answer.get('Failed') or []:
            # The message comes back after its visibility timeout; the state file keeps its event from repeating.
            LOG.warning(
                '%s %s: SQS did not delete a message (%s: %s); it will be received again, and given no second event',
                self.settings.provider,
                self.settings.region,
                failure.get('Code'),
                failure.get('Message'),
            )


# ------------------------------------------------------------------ the source's loop
async def put_all(queue: asyncio.Queue[Any], events: list[dict[str, Any]]) -> None:
    for event in events:
        await queue.put(event)


def record_given(given: GivenSnapshots, events: list[dict[str, Any]], when: str) -> None:
    """Name the events' snapshots in the state file as given at ``when``, each with its completed_at (a replay after a
    restart repeats the same event). If the file cannot be written, they are taken out again: the next poll gives
    them."""
    before = given.snapshot()
    for event in events:
        given.add((event['snapcopy']['snapshot_id'],), when, event['snapcopy']['completed_at'])
    try:
        given.save()
    except BaseException:
        given.restore(before)
        raise


async def run_source(
    queue: asyncio.Queue[Any],
    args: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    adapter: DrAdapter | None = None,
    polls: int | None = None,
    backoff: Backoff | None = None,
    clock: Callable[[], str] | None = None,
) -> None:
    """The event source: check the arguments, then poll (or read SQS) for ever, putting one event per completed snapshot
    on ``queue``. A failing cloud call (retried with the collection's backoff first) is logged with the cloud's code,
    message and request id, and the next poll comes as usual: it never ends the source. ``polls`` (tests) stops it after
    that many rounds; ``adapter``, ``backoff`` and ``clock`` (the time now, as now_text writes it) replace those the
    arguments make (tests)."""
    settings = source_settings(args, environ)
    given = GivenSnapshots(settings.state_file, settings.provider, settings.region)
    backoff = backoff or default_backoff()
    adapter = adapter or new_adapter(settings, CallRetry(backoff))
    clock = clock or now_text
    reader: SqsReader | None = None
    poller: SnapshotPoller | None = None
    if settings.queue_url:
        reader = SqsReader(settings, adapter, given=given, clock=clock)
    else:
        poller = SnapshotPoller(settings, adapter, given=given, clock=clock)
    LOG.info(
        'snapcopy.cloud.snapshots: %s %s, tag selector %s, %s',
        settings.provider,
        settings.region,
        json.dumps(dict(settings.tag_selector), sort_keys=True),
        'SQS queue %s' % settings.queue_url if reader else 'polling every %g s' % settings.poll_interval,
    )
    failures = 0
    rounds = 0
    while polls is None or rounds < polls:
        rounds += 1
        wait = settings.poll_interval
        try:
            if reader is not None:
                events, messages = await asyncio.to_thread(reader.receive)
                wait = 0  # ReceiveMessage waited already
            else:
                events, messages = await asyncio.to_thread(cast(SnapshotPoller, poller).poll), []
            # The state file first, then the queue: once the rulebook can see an event, the file names it, and a restart
            # with replay_seconds 0 cannot repeat it however late the kill comes. A kill between the two loses the
            # events as one a moment later would have (ansible-rulebook keeps them in memory): replay_seconds gives them
            # again.
            replayed = {event['snapcopy']['snapshot_id'] for event in events} & set(given.given)
            try:
                await asyncio.to_thread(record_given, given, events, clock())
            except OSError:
                # Not written (a full disk): the new ones are not given (record_given took them out), the replays are
                # due again.
                for source in (reader, poller):
                    if source is not None:
                        source.replay |= replayed
                raise
            await put_all(queue, events)
            if reader is not None:
                await asyncio.to_thread(reader.delete, messages)
            if events:
                LOG.info(
                    '%s %s: %d snapshot(s) completed: %s',
                    settings.provider,
                    settings.region,
                    len(events),
                    ', '.join(event['snapcopy']['snapshot_id'] for event in events[:20]),
                )
            failures = 0
        except (CloudError, OSError) as error:
            # OSError: the state file could not be written (a full disk): its events were not given, the next poll gives
            # them.
            failures += 1
            # The call was retried already; a poll that still fails is tried again after the backoff's delay, at least a
            # poll interval.
            wait = max(settings.poll_interval, backoff.delay(failures - 1))
            LOG.warning('%s %s: %s; trying again in %.1f s', settings.provider, settings.region, error, wait)
        if polls is None or rounds < polls:
            await asyncio.sleep(wait)
