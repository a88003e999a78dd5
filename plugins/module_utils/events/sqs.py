# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The push way of the event source, on AWS: EventBridge's EBS snapshot events routed to an SQS queue; each message's
snapshot is read back from EC2 (its disk and state) before it is believed."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..core.model import COMPLETED, parse_time
from .given import replay_at_start, snapshot_event
from .settings import now_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..dr.capabilities import DrAdapter
    from .given import GivenSnapshots
    from .settings import SourceSettings

LOG = logging.getLogger('snapcopy.cloud.snapshots')

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
