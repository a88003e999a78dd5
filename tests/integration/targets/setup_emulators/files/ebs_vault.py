"""What moto's server lacks of EBS (moto 5.2.5), as a WSGI layer in front of it: snapshot locks (LockSnapshot,
DescribeLockedSnapshots, DeleteSnapshot's refusal of a locked snapshot), CopySnapshot of a snapshot that another
account shared (moto copies within one account only), and AttachVolume's refusals.

Copies across accounts, from the EC2 reference (CopySnapshot, ModifySnapshotAttribute) and the EBS user guide's "Share a
snapshot": the caller copies a snapshot of another account's when that account gave it createVolumePermission (its
UserIds, moto's create_volume_permission_userids, or the group all); the copy is the caller's. An encrypted snapshot can
be shared only when encrypted with a customer managed key that the key's account lets the caller use: the AWS managed
key (aws/ebs) can never be shared. What EC2 answers otherwise is not documented by code: a snapshot not shared is
answered as one that does not exist (InvalidSnapshot.NotFound), a key the caller may not use as KMS's refusal
(KMS.AccessDenied, the code is ours); the collection checks the key before it asks for a copy. And moto gives a snapshot
of a volume encrypted with a customer managed key no key: EBS encrypts it with the volume's ("snapshots of encrypted
volumes are automatically encrypted", with the same key), which this layer sets after moto's CreateSnapshot; and moto
makes the key aliased aws/ebs, which EBS uses when none is named, a customer managed key, where it is AWS managed (KMS
DescribeKey KeyManager AWS).

Held to botocore's EC2 model (2016-11-15, LockSnapshotRequest / LockSnapshotResult, DescribeLockedSnapshotsRequest /
LockedSnapshotsInfo) and the EBS user guide's "Lock a snapshot":
- LockMode compliance or governance (required); LockDuration 1-36,500 days or ExpirationDate, one of the two;
  CoolOffPeriod 1-72 hours, compliance only;
- LockState governance, compliance-cooloff (a compliance lock in its cool-off), compliance or expired;
- a governance lock, and a compliance lock in its cool-off, may be set anew at any time; once the cool-off is over, a
  compliance lock may only be lengthened;
- a locked snapshot cannot be deleted (the error's code is not documented: the collection reads the lock first and sends
  no delete for a locked snapshot, so nothing may rest on this answer);
- a snapshot can be locked while pending or completed, no other state (the EBS user guide's "Snapshot lock
  considerations", and its "Lock a snapshot": "You can lock a snapshot that is in the pending or completed state");
  locked while pending, it cannot be deleted while pending, and the lock's duration starts only once it is completed
  (LockedSnapshotsInfo.LockDurationStartTime): until then lockDurationStartTime and lockExpiresOn are not answered (the
  considerations page; an answer of the AWS CLI to a lock of a pending snapshot shows neither), while lockCreatedOn is
  and a compliance lock's cool-off counts from the lock ("a cooling-off period that starts immediately after you lock
  the snapshot", "Snapshot lock concepts"). A lock on a pending snapshot whose creation fails is cancelled
  (considerations). The refusal of a lock on a snapshot in another state is unverifiable in its code: IncorrectState,
  EC2's common client error for a resource in the wrong state;
- DescribeLockedSnapshots answers the locks of the caller's snapshots (SnapshotIds, the filter lock-state; MaxResults
  5-1,000 with NextToken).
The snapshot must exist in moto's EC2 backend of the caller's account and region (InvalidSnapshot.NotFound otherwise).

moto completes every snapshot and copy at once. A test that needs a copy in flight names its destination (account,
region) in HELD_COPIES: each CopySnapshot answered there leaves its copy pending until the test calls complete_snapshot
or fail_snapshot. A test that needs one volume's snapshot in flight (one member of a multi-volume set: a torn set) names
the volume (account, region, volume id) in HELD_VOLUMES: its snapshots made by CreateSnapshot or CreateSnapshots stay
pending the same way. TIMINGS['snapshot_seconds'] (0 by default: moto's at once) leaves every new snapshot and copy
pending that many seconds of the cloud's clock (CLOCK), as EC2's take time.

Multi-volume snapshots and snapshots in flight, as botocore's EC2 model (2016-11-15) and EC2's answers say, where moto
5.2.5 does otherwise:
- CreateSnapshots (CreateSnapshotsRequest, InstanceSpecification) snapshots the volumes attached to the instance, less
  the root volume with ExcludeBootVolume and the data volumes ExcludeDataVolumeId.N names (at most 40; the root volume's
  id there "the request fails", InvalidParameterValue, the code is ours); CopyTagsFromSource=volume copies each
  volume's tags to its snapshot ("Copies the tags from the specified volume to corresponding snapshot"), and the
  TagSpecifications' go on every snapshot (over a volume's tag of the same key: unverifiable). Every snapshot of the
  call has one StartTime: "This is the same for all snapshots initiated by the same request" (SnapshotInfo.StartTime),
  which is how a set is told from snapshots of the same volumes made apart.
- CopySnapshot and CreateVolume refuse a snapshot that is not completed: IncorrectState, "Snapshot '<id>' is not
  'completed'." (EC2's answer to CreateVolume of a pending snapshot, as quoted in tschellenbach/Snaptastic#17; the
  same for CopySnapshot, whose reference says a pending copy source fails: the message's wording for it is ours).
- A snapshot's progress is 100% only once completed (moto answers 100% always): a pending one answers 0% (the
  percentage in between is not emulated).
- A copy's VolumeId: "Snapshots created by a copy snapshot operation have an arbitrary volume ID that you should not use
  for any purpose" (Snapshot.VolumeId; CopySnapshot's reference), vol-ffffffff in the EBS user guide; moto keeps the
  source's. FIDELITY['copy_volume_id'] answers vol-ffffffff, on by default (SNAPCOPY_MOTO_COPY_VOLUME_ID=0 turns it
  off): no unit test of the collection on moto relies on moto's answer.

Time-based copies: moto 5.2.5 takes CopySnapshot's CompletionDurationMinutes and drops it. botocore's EC2 model
(2016-11-15, CopySnapshotRequest.CompletionDurationMinutes, an integer of 1 to 2880): "Specify a completion duration, in 15
minute increments, to initiate a time-based snapshot copy. Time-based snapshot copy operations complete within the
specified duration." The duration each copy was asked for is kept in TIMED_COPIES, what a test reads of the calls made
(the copy completes as any other: its duration is a promise of time, which moto's at-once copies keep).

CopySnapshot with DryRun is answered here, for every source: UnauthorizedOperation where DENIED names the caller's
account and the action, else DryRunOperation (HTTP 412, EC2's "Precondition Failed" for it: unverifiable in the model),
nothing copied.

A test that plays a lock the cloud answers but does not hold names (account, 'LockSnapshot') in HOLLOW: the call is
checked and answered as EC2 answers it, and nothing is kept.

Attaching volumes (a restore drill's disks on a drill host): moto 5.2.5 attaches whatever it is asked to, over an
attachment already there. Refused here as the EC2 API reference's "Error codes" name the refusals (the messages'
wording is ours, after what EC2 users quote: unverified):
- a volume attached already (to any instance): VolumeInUse;
- a volume in another availability zone than the instance: InvalidVolume.ZoneMismatch;
- a device name the instance uses already: InvalidParameterValue ("Attachment point ... is already in use").
An unknown volume or instance is moto's to answer (InvalidVolume.NotFound, InvalidInstanceID.NotFound). moto itself
refuses DeleteVolume of an attached volume (VolumeInUse), DetachVolume of one not attached (InvalidAttachment.NotFound),
and attaches and detaches at once: DescribeVolumes never shows attaching or detaching, though AttachVolume answers
attaching and DetachVolume detaching.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import io
import os
import re
import threading
import time
import uuid
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
CREDENTIAL_SCOPE = re.compile(r'Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/ec2/')
LOCK_MODES = ('compliance', 'governance')
# (account, region, snapshot id) -> {'mode', 'duration_days', 'cool_off_hours', 'locked_at', 'duration_start',
# 'expires_at'}; on a pending snapshot locked for a duration, duration_start and expires_at are None until it completes
# (complete_snapshot).
LOCKS: dict = {}
# (account, region) destinations whose copies stay pending until complete_snapshot or fail_snapshot (see the module's
# docstring).
HELD_COPIES: set = set()
# (account, region, volume id) whose snapshots (CreateSnapshot, CreateSnapshots) stay pending until complete_snapshot or
# fail_snapshot: one member of a multi-volume set held makes a torn set.
HELD_VOLUMES: set = set()
# Seconds of the cloud's clock a new snapshot or copy stays pending (0: completed at once, as moto makes them).
TIMINGS = {'snapshot_seconds': 0.0}
# (account, region, snapshot id) -> when it completes (cloud_time); None: held until complete_snapshot or fail_snapshot.
PENDING: dict = {}
# Fidelity a test may switch off, when it must meet moto's own answer:
# - copy_volume_id: a copy's VolumeId is vol-ffffffff (the module's docstring); moto answers the source's. On by
#   default: every unit test on moto passes with it (the AWS adapter reads VolumeId only of the source region's own
#   snapshots, plugins/module_utils/clouds/aws/ebs_dr.py disk_snapshots and completed_snapshots).
#   SNAPCOPY_MOTO_COPY_VOLUME_ID=0 in the environment switches it off for a whole run.
FIDELITY = {'copy_volume_id': os.environ.get('SNAPCOPY_MOTO_COPY_VOLUME_ID', '1') != '0'}
# What EBS answers as a copy's VolumeId (the EBS user guide, "Copy an Amazon EBS snapshot").
COPY_VOLUME_ID = 'vol-ffffffff'
# (account, region, copy id) -> the CompletionDurationMinutes of the CopySnapshot that made it, for each copy asked for
# with one (the module's docstring).
TIMED_COPIES: dict = {}
# (account, action) pairs answered and not carried out: LockSnapshot, a lock the cloud answers and does not hold.
HOLLOW: set = set()
# (account, action) pairs that the account's policy does not allow, answered as EC2 answers an IAM denial (its common
# client error UnauthorizedOperation, "You are not authorized to perform this operation.", HTTP 403): what tests set to
# play a policy that lacks a permission.
DENIED: set = set()
# Reads EC2 throttles past every retry: (action, {query parameter: value}) entries; a call of that action whose query
# holds every one of these parameters is answered RequestLimitExceeded, HTTP 503 (botocore's data/_retry.json, the ec2
# policy "request_limit_exceeded"; the message's words as EC2 users quote them: unverified). What a test sets to make
# one read of an action fail among others of it, where DENIED refuses the action whole.
THROTTLED: list = []
# The cloud's clock: this machine's moved on by CLOCK['offset'] seconds (a test moves it a day on). Every answer's Date
# header says it, as EC2's answers carry its own time (RFC 9110 section 6.6.1), which the DR run times its leases by;
# the locks count by it too.
CLOCK = {'offset': 0.0}
_GUARD = threading.Lock()


def cloud_time():
    return time.time() + CLOCK['offset']


def request_handler():
    """werkzeug's request handler, with every answer's Date header the cloud's time (cloud_time) rather than this
    machine's."""
    from werkzeug.serving import WSGIRequestHandler  # pylint: disable=import-outside-toplevel  # werkzeug comes with moto[server]

    class CloudClockHandler(WSGIRequestHandler):
        def date_time_string(self, timestamp=None):
            return super().date_time_string(cloud_time() if timestamp is None else timestamp)

    return CloudClockHandler


class Ec2Error(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000Z')


def lock_state(lock, now):
    if lock['expires_at'] is not None and now >= lock['expires_at']:
        return 'expired'
    if lock['mode'] == 'governance':
        return 'governance'
    return 'compliance-cooloff' if now < lock['locked_at'] + lock['cool_off_hours'] * 3600 else 'compliance'


def lock_fields(snapshot_id, lock, now, owner=None):
    fields = [('ownerId', owner)] if owner else []
    fields += [
        ('snapshotId', snapshot_id),
        ('lockState', lock_state(lock, now)),
        ('lockDuration', lock['duration_days']),
        ('lockCreatedOn', iso(lock['locked_at'])),
    ]
    # Not answered until the snapshot completes, when a lock set while it was pending starts (see the module's
    # docstring).
    fields += [
        (name, iso(lock[key]))
        for name, key in (('lockDurationStartTime', 'duration_start'), ('lockExpiresOn', 'expires_at'))
        if lock[key] is not None
    ]
    if lock['cool_off_hours']:
        fields += [
            ('coolOffPeriod', lock['cool_off_hours']),
            ('coolOffPeriodExpiresOn', iso(lock['locked_at'] + lock['cool_off_hours'] * 3600)),
        ]
    return ''.join('<%s>%s</%s>' % (name, escape(str(value)), name) for name, value in fields if value is not None)


def _snapshots(account, region):
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel  # moto's state, in moto's process

    return ec2_backends[account][region].snapshots


def _integer(params, name, low, high):
    if name not in params:
        return None
    try:
        value = int(params[name])
    except ValueError:
        raise Ec2Error(
            'InvalidParameterValue', 'Value (%s) for parameter %s is invalid.' % (params[name], name)
        ) from None
    if not low <= value <= high:
        raise Ec2Error(
            'InvalidParameterValue',
            'Value (%d) for parameter %s is invalid. It must be from %d to %d.' % (value, name, low, high),
        )
    return value


def lock_snapshot(params, account, region, now):
    snapshot_id = params.get('SnapshotId')
    mode = params.get('LockMode')
    if not snapshot_id or not mode:
        raise Ec2Error(
            'MissingParameter',
            'The request must contain the parameter %s' % ('SnapshotId' if not snapshot_id else 'LockMode'),
        )
    if mode not in LOCK_MODES:
        raise Ec2Error('InvalidParameterValue', 'Value (%s) for parameter LockMode is invalid.' % mode)
    snapshot = _snapshots(account, region).get(snapshot_id)
    if snapshot is None:
        raise Ec2Error('InvalidSnapshot.NotFound', "The snapshot '%s' does not exist." % snapshot_id)
    if snapshot.status not in ('pending', 'completed'):
        raise Ec2Error(
            'IncorrectState',
            "Snapshot '%s' is in state '%s': only a pending or completed snapshot can be locked."
            % (snapshot_id, snapshot.status),
        )
    pending = snapshot.status == 'pending'
    duration = _integer(params, 'LockDuration', 1, 36500)
    expiration = params.get('ExpirationDate')
    if (duration is None) == (expiration is None):
        raise Ec2Error('InvalidParameterCombination', 'Specify either LockDuration or ExpirationDate, but not both.')
    cool_off = _integer(params, 'CoolOffPeriod', 1, 72) or 0
    if cool_off and mode != 'compliance':
        raise Ec2Error('InvalidParameterCombination', 'CoolOffPeriod can be specified for compliance mode only.')
    # A duration counts from the snapshot's completion: now, or (pending) once complete_snapshot sees it complete.
    start = None if pending and duration is not None else now
    expires_at = (
        (None if start is None else start + duration * 86400)
        if duration is not None
        else datetime.datetime.fromisoformat(expiration.replace('Z', '+00:00')).timestamp()
    )
    key = (account, region, snapshot_id)
    current = LOCKS.get(key)
    if (
        current is not None
        and lock_state(current, now) == 'compliance'
        and (mode != 'compliance' or _shorter(duration, expires_at, current))
    ):
        raise Ec2Error(
            'InvalidParameterCombination',
            "Snapshot '%s' is locked in compliance mode and its cool-off period has ended: "
            'the lock can only be extended.' % snapshot_id,
        )
    lock = {
        'mode': mode,
        'duration_days': duration if duration is not None else round((expires_at - now) / 86400),
        'cool_off_hours': cool_off,
        'locked_at': now,
        'duration_start': start,
        'expires_at': expires_at,
    }
    if current is not None and lock_state(current, now) == 'compliance':
        lock.update(locked_at=current['locked_at'], cool_off_hours=current['cool_off_hours'])
    if (account, 'LockSnapshot') not in HOLLOW:
        LOCKS[key] = lock
    return 'LockSnapshotResponse', lock_fields(snapshot_id, lock, now)


def _shorter(duration, expires_at, current):
    """Whether a lock of ``duration`` days (or until ``expires_at``) would end before ``current`` does."""
    if current['expires_at'] is None or expires_at is None:  # a pending snapshot's: its start is not known yet
        return duration is None or duration < current['duration_days']
    return expires_at < current['expires_at']


def complete_snapshot(account, region, snapshot_id, now=None):
    """A held snapshot or copy (HELD_COPIES, HELD_VOLUMES) completes: a lock set while it was pending starts its duration
    now."""
    now = cloud_time() if now is None else now
    with _GUARD:
        _complete(account, region, snapshot_id, now)


def _complete(account, region, snapshot_id, now):
    PENDING.pop((account, region, snapshot_id), None)
    _snapshots(account, region)[snapshot_id].status = 'completed'
    lock = LOCKS.get((account, region, snapshot_id))
    if lock is not None and lock['duration_start'] is None:
        lock['duration_start'] = now
        lock['expires_at'] = now + lock['duration_days'] * 86400


def fail_snapshot(account, region, snapshot_id):
    """A held snapshot or copy fails (state error): a lock set while it was pending is cancelled (the module's
    docstring)."""
    with _GUARD:
        PENDING.pop((account, region, snapshot_id), None)
        _snapshots(account, region)[snapshot_id].status = 'error'
        LOCKS.pop((account, region, snapshot_id), None)


def hold(account, region, snapshot_id, held=False):
    """Leave a new snapshot or copy pending: until complete_snapshot or fail_snapshot when ``held``, else for
    TIMINGS['snapshot_seconds'] (nothing when 0). Under _GUARD."""
    snapshot = _snapshots(account, region).get(snapshot_id)
    seconds = float(TIMINGS['snapshot_seconds'])
    if snapshot is None or not (held or seconds > 0):
        return
    snapshot.status = 'pending'
    PENDING[(account, region, snapshot_id)] = None if held else cloud_time() + seconds


def settle(now):
    """Complete the snapshots whose time (TIMINGS) has come: the cloud moves them on as its clock runs. Under _GUARD."""
    for (account, region, snapshot_id), due in list(PENDING.items()):
        if due is None or due > now:
            continue
        if snapshot_id in _snapshots(account, region) and _snapshots(account, region)[snapshot_id].status == 'pending':
            _complete(account, region, snapshot_id, due)
        else:
            PENDING.pop((account, region, snapshot_id), None)


def _snapshot_anywhere(region, snapshot_id):
    """The snapshot ``snapshot_id`` in ``region`` of whichever account (a shared source's is another's)."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    for owner in list(ec2_backends):
        snapshot = ec2_backends[owner][region].snapshots.get(snapshot_id)
        if snapshot is not None:
            return snapshot
    return None


def refuse_unfinished(params, region):
    """CopySnapshot's source and CreateVolume's snapshot must be completed (the module's docstring): IncorrectState."""
    snapshot_id = params.get('SourceSnapshotId') if params.get('Action') == 'CopySnapshot' else params.get('SnapshotId')
    where = params.get('SourceRegion') or region if params.get('Action') == 'CopySnapshot' else region
    if not snapshot_id:
        return
    snapshot = _snapshot_anywhere(where, snapshot_id)
    if snapshot is not None and snapshot.status != 'completed':
        raise Ec2Error('IncorrectState', "Snapshot '%s' is not 'completed'." % snapshot_id)


def refuse_attachment(params, account, region):
    """AttachVolume's refusals that moto lacks (the module's docstring)."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    backend = ec2_backends[account][region]
    volume = backend.volumes.get(params.get('VolumeId'))
    instance = backend.get_instance_by_id(params.get('InstanceId'))
    if volume is None or instance is None:
        return
    if volume.attachment is not None:
        raise Ec2Error('VolumeInUse', '%s is already attached to an instance' % volume.id)
    if volume.availability_zone != instance.availability_zone:
        raise Ec2Error(
            'InvalidVolume.ZoneMismatch',
            "The volume '%s' is not in the same availability zone as instance '%s'" % (volume.id, instance.id),
        )
    device = params.get('Device')
    if device in dict(instance.get_block_device_mapping):
        raise Ec2Error(
            'InvalidParameterValue',
            "Invalid value '%s' for unixDevice. Attachment point %s is already in use" % (device, device),
        )


def _indexed(params, pattern):
    """The values of the parameters whose names match ``pattern`` (a regex with one group, the index), by index."""
    found = {}
    for name, value in params.items():
        match = re.fullmatch(pattern, name)
        if match:
            found[int(match.group(1))] = value
    return [found[index] for index in sorted(found)]


def _snapshot_tags(params):
    """The tags of the TagSpecification.N whose ResourceType is snapshot (or names none): {key: value}."""
    tags = {}
    for name, key in sorted(params.items()):
        match = re.fullmatch(r'TagSpecification\.(\d+)\.Tag\.(\d+)\.Key', name)
        if match and params.get('TagSpecification.%s.ResourceType' % match.group(1), 'snapshot') == 'snapshot':
            tags[key] = params.get(name[: -len('Key')] + 'Value', '')
    return tags


def create_snapshots(params, account, region, now):
    """CreateSnapshots as EC2 makes a multi-volume set (the module's docstring)."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    backend = ec2_backends[account][region]
    instance_id = params.get('InstanceSpecification.InstanceId')
    if not instance_id:
        raise Ec2Error('MissingParameter', 'The request must contain the parameter InstanceSpecification.InstanceId')
    instance = next((i for i in backend.all_instances() if i.id == instance_id), None)
    if instance is None:
        raise Ec2Error('InvalidInstanceID.NotFound', "The instance ID '%s' does not exist" % instance_id)
    mapping = instance.get_block_device_mapping
    root = next((device.volume_id for name, device in mapping if name == instance.root_device_name), None)
    excluded = _indexed(params, r'InstanceSpecification\.ExcludeDataVolumeId\.(\d+)')
    if len(excluded) > 40:
        raise Ec2Error('InvalidParameterValue', 'You can specify up to 40 volume IDs in ExcludeDataVolumeIds.')
    if root is not None and root in excluded:
        raise Ec2Error(
            'InvalidParameterValue',
            'The root volume %s cannot be excluded with ExcludeDataVolumeIds: use ExcludeBootVolume.' % root,
        )
    exclude_boot = params.get('InstanceSpecification.ExcludeBootVolume', 'false').lower() == 'true'
    volumes = [
        device.volume_id
        for name, device in mapping
        if device.volume_id not in excluded and not (exclude_boot and name == instance.root_device_name)
    ]
    copy_tags = params.get('CopyTagsFromSource') == 'volume'
    tags = _snapshot_tags(params)
    # One StartTime, whole seconds as this answer's (iso); moto's times are naive UTC (moto.core.utils.utcnow).
    now = float(int(now))
    started = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).replace(tzinfo=None)
    items = []
    for volume_id in volumes:
        snapshot = backend.create_snapshot(volume_id, params.get('Description', ''))
        # One StartTime for the set (SnapshotInfo.StartTime), the cloud's clock's.
        snapshot.start_time = started
        wanted = dict(backend.tags.get(volume_id, {})) if copy_tags else {}
        wanted.update(tags)
        if wanted:
            backend.create_tags([snapshot.id], wanted)
        hold(account, region, snapshot.id, held=(account, region, volume_id) in HELD_VOLUMES)
        items.append(snapshot)
    body = ''.join('<item>%s</item>' % snapshot_info(backend, snapshot, now) for snapshot in items)
    return 'CreateSnapshotsResponse', '<snapshotSet>%s</snapshotSet>' % body


def snapshot_info(backend, snapshot, now):
    """A SnapshotInfo of CreateSnapshotsResult, its fields in EC2's XML (botocore's locationNames)."""
    fields = ''.join(
        '<%s>%s</%s>' % (name, escape(str(value)), name)
        for name, value in (
            ('snapshotId', snapshot.id),
            ('volumeId', snapshot.volume.id),
            ('state', snapshot.status),
            ('volumeSize', snapshot.volume.size),
            ('startTime', iso(now)),
            ('progress', progress(snapshot)),
            ('ownerId', snapshot.owner_id),
            ('description', snapshot.description),
            ('encrypted', str(bool(snapshot.encrypted)).lower()),
        )
    )
    tags = ''.join(
        '<item><key>%s</key><value>%s</value></item>' % (escape(key), escape(value))
        for key, value in backend.tags.get(snapshot.id, {}).items()
    )
    return fields + '<tagSet>%s</tagSet>' % tags


def progress(snapshot):
    """A snapshot's Progress: 100% once completed, 0% before (moto answers 100% always)."""
    return '100%' if snapshot.status == 'completed' else '0%'


def truer_snapshots():
    """moto's Snapshot with the progress and (FIDELITY['copy_volume_id']) the copy VolumeId EC2 answers; once."""
    from moto.ec2.models.elastic_block_store import Snapshot  # pylint: disable=import-outside-toplevel

    if getattr(Snapshot, 'vault', False):
        return
    Snapshot.progress = property(progress)
    Snapshot.volume_id = property(
        lambda self: (
            COPY_VOLUME_ID if FIDELITY['copy_volume_id'] and getattr(self, 'vault_copy', False) else self.volume.id
        )
    )
    filter_value = Snapshot.get_filter_value

    def get_filter_value(self, filter_name, method_name=None):
        if filter_name == 'volume-id':
            return self.volume_id
        return filter_value(self, filter_name, method_name)

    Snapshot.get_filter_value = get_filter_value
    Snapshot.vault = True


def describe_locked_snapshots(params, account, region, now):
    wanted = {value for name, value in params.items() if re.fullmatch(r'SnapshotId\.\d+', name)}
    states = {value for name, value in params.items() if re.fullmatch(r'Filter\.\d+\.Value\.\d+', name)}
    size = _integer(params, 'MaxResults', 5, 1000) or 1000
    start = int(params.get('NextToken') or 0)
    locked = sorted(
        (snapshot_id, lock)
        for (owner, where, snapshot_id), lock in LOCKS.items()
        if owner == account
        and where == region
        and (not wanted or snapshot_id in wanted)
        and (not states or lock_state(lock, now) in states)
        and snapshot_id in _snapshots(account, region)
    )
    page = locked[start : start + size]
    token = str(start + size) if start + size < len(locked) else None
    items = ''.join('<item>%s</item>' % lock_fields(snapshot_id, lock, now, account) for snapshot_id, lock in page)
    body = '<snapshotSet>%s</snapshotSet>' % items
    if token:
        body += '<nextToken>%s</nextToken>' % token
    return 'DescribeLockedSnapshotsResponse', body


def refuse_locked_delete(params, account, region, now):
    lock = LOCKS.get((account, region, params.get('SnapshotId')))
    if lock is not None and lock_state(lock, now) != 'expired':
        raise Ec2Error('SnapshotLocked', "The snapshot '%s' is locked and cannot be deleted." % params['SnapshotId'])


def shared_source(params, account):
    """(owner account, snapshot) of a CopySnapshot's source in another account; None when it is the caller's own (moto
    copies it)."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    region, snapshot_id = params.get('SourceRegion'), params.get('SourceSnapshotId')
    if snapshot_id in ec2_backends[account][region].snapshots:
        return None
    for owner in list(ec2_backends):
        snapshot = ec2_backends[owner][region].snapshots.get(snapshot_id)
        if snapshot is not None:
            return owner, snapshot
    raise Ec2Error('InvalidSnapshot.NotFound', "The snapshot '%s' does not exist." % snapshot_id)


def key_usable_by(owner, region, key_id, account):
    """Whether the customer managed key ``key_id`` of ``owner`` lets ``account`` use it (its policy names the
    account)."""
    from moto.kms.models import kms_backends  # pylint: disable=import-outside-toplevel

    backend = kms_backends[owner][region]
    key = backend.keys.get(backend.get_key_id(key_id)) if key_id else None
    if key is None or key.key_manager == 'AWS':
        return False
    return (':%s:' % account) in (key.policy or '') or ('"%s"' % account) in (key.policy or '')


def copy_shared_snapshot(params, account, region, now):  # pylint: disable=unused-argument  # as the other actions
    """CopySnapshot into the caller's account of a snapshot another account shared with it."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel
    from moto.ec2.models.elastic_block_store import Snapshot  # pylint: disable=import-outside-toplevel
    from moto.ec2.utils import random_snapshot_id  # pylint: disable=import-outside-toplevel

    owner, source = params['_shared']
    if account not in source.create_volume_permission_userids and 'all' not in source.create_volume_permission_groups:
        raise Ec2Error('InvalidSnapshot.NotFound', "The snapshot '%s' does not exist." % source.id)
    if source.encrypted and not key_usable_by(owner, params['SourceRegion'], source.kms_key_id, account):
        raise Ec2Error(
            'KMS.AccessDenied',
            'The KMS key %s of snapshot %s cannot be used by account %s.'
            % (source.kms_key_id or 'aws/ebs (AWS managed)', source.id, account),
        )
    backend = ec2_backends[account][region]
    encrypted = source.encrypted or params.get('Encrypted') == 'true'
    copy = Snapshot(
        backend,
        random_snapshot_id(),
        volume=source.volume,
        description=params.get('Description', ''),
        encrypted=encrypted,
        kms_key_id=params.get('KmsKeyId') if encrypted else None,
    )
    backend.snapshots[copy.id] = copy
    copy.vault_copy = True
    tags = {}
    for name, value in params.items():
        match = re.fullmatch(r'TagSpecification\.1\.Tag\.(\d+)\.Key', name)
        if match:
            tags[value] = params.get('TagSpecification.1.Tag.%s.Value' % match.group(1), '')
    if tags:
        backend.create_tags([copy.id], tags)
    return 'CopySnapshotResponse', '<snapshotId>%s</snapshotId>' % copy.id


ACTIONS = {
    'CreateSnapshots': create_snapshots,
    'LockSnapshot': lock_snapshot,
    'DescribeLockedSnapshots': describe_locked_snapshots,
    'CopySnapshot': copy_shared_snapshot,
}


def keep_volume_keys(environ):
    """Each snapshot of an encrypted volume in the caller's region has the volume's key, and aws/ebs is AWS managed (see
    the module's docstring)."""
    from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel
    from moto.kms.models import kms_backends  # pylint: disable=import-outside-toplevel

    scope = CREDENTIAL_SCOPE.search(environ['HTTP_AUTHORIZATION'])
    with _GUARD:
        kms = kms_backends[get_account_id_from(scope.group('key'))][scope.group('region')]
        if kms.alias_exists('alias/aws/ebs'):
            kms.describe_key('alias/aws/ebs').key_manager = 'AWS'
        for snapshot in list(_snapshots(get_account_id_from(scope.group('key')), scope.group('region')).values()):
            volume_key = getattr(snapshot.volume, 'kms_key_id', None)
            if snapshot.encrypted and snapshot.kms_key_id is None and volume_key:
                snapshot.kms_key_id = volume_key


def hold_copy(answer, account, region, params):
    """``answer`` (CopySnapshot's, as an iterable of bytes) as it is; its copy marked a copy (its VolumeId), its
    CompletionDurationMinutes kept in TIMED_COPIES, and left pending when (account, region) is in HELD_COPIES, or for
    TIMINGS['snapshot_seconds']."""
    body = b''.join(answer)
    match = re.search(rb'<snapshotId>([^<]+)</snapshotId>', body)
    copy = _snapshots(account, region).get(match.group(1).decode()) if match else None
    if copy is not None:
        copy.vault_copy = True
        if params.get('CompletionDurationMinutes') is not None:
            TIMED_COPIES[(account, region, copy.id)] = int(params['CompletionDurationMinutes'])
        hold(account, region, copy.id, held=(account, region) in HELD_COPIES)
    return [body]


def hold_snapshot(answer, account, region, params):
    """``answer`` (CreateSnapshot's) as it is; its snapshot left pending when its volume is in HELD_VOLUMES, or for
    TIMINGS['snapshot_seconds']."""
    body = b''.join(answer)
    match = re.search(rb'<snapshotId>([^<]+)</snapshotId>', body)
    if match:
        with _GUARD:
            hold(
                account, region, match.group(1).decode(), held=(account, region, params.get('VolumeId')) in HELD_VOLUMES
            )
        if _snapshots(account, region)[match.group(1).decode()].status != 'completed':
            # moto wrote its answer before the snapshot was held: the answer says what DescribeSnapshots will. Of the
            # same length (blanks between the elements): moto has sent its Content-Length, which clients hold it to.
            body = body.replace(b'<status>completed</status>', b'<status>pending</status>  ').replace(
                b'<progress>100%</progress>', b'<progress>0%</progress>  '
            )
    return [body]


# The reason phrases of the statuses the errors here answer with (RFC 9110 section 15).
REASONS = {403: 'Forbidden', 412: 'Precondition Failed', 503: 'Service Unavailable'}


def error_answer(start_response, error, request_id):
    """EC2's error envelope for ``error``."""
    answer = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error>'
        '</Errors><RequestID>%s</RequestID></Response>' % (error.code, escape(error.message), request_id)
    ).encode()
    start_response(
        '%d %s' % (error.status, REASONS.get(error.status, 'Bad Request')),
        [('Content-Type', 'text/xml'), ('Content-Length', str(len(answer)))],
    )
    return [answer]


def moto_modules_listed_once():
    """moto's server finds a request's service among moto's own packages (backends.list_of_moto_modules), which lists
    moto's folder and stats each of its 170-odd entries on every request: a twentieth of the CPU of each AWS call of
    test_call_budgets.py. The packages installed do not change while a server runs: listed once, the same names given
    after, in the same order."""
    from moto import backends  # pylint: disable=import-outside-toplevel  # moto comes with the server

    listed = backends.list_of_moto_modules
    if getattr(listed, 'once', False):
        return
    names = tuple(listed())

    def list_of_moto_modules():
        return iter(names)

    list_of_moto_modules.once = True
    backends.list_of_moto_modules = list_of_moto_modules


def serialized_names_found_once():
    """moto's serializer finds each member of an answer on its Python object by trying names (the member's own, the
    model's, shortened by the class's or the parent shape's name, each also in snake_case), which its value picker works
    out for every member of every object of the answer from six alias providers, then looks the member's path up in
    the response class's transformers: a DescribeSnapshots answer of a thousand snapshots does it 26,000 times for one
    class and a few shapes and paths. The providers read nothing but the member's name, its shape and the shape it is a
    member of, and the object's class, unless the object has a Meta (aliases of its own); the transformer found depends
    on the member's path only. Within one answer (one serializer), the names are worked out once for each (class,
    member, shape, parent shape) and the transformer once for each path, from the transformers as they are when the
    answer's first value is read; the value is read as moto's picker reads it, the first name the object has, in the
    same order, and transformed the same way. An object with a Meta, or a picker of another kind, is left to moto
    (test_unit_moto_server.py holds the answers equal, byte for byte)."""
    # pylint: disable-next=import-outside-toplevel  # moto comes with the server
    from moto.core import serialize
    from moto.core.utils import MISSING, get_value as value_by_name  # pylint: disable=import-outside-toplevel

    picked_by_moto = serialize.ResponseSerializer.get_value
    if getattr(picked_by_moto, 'once', False):
        return

    def get_value(self, value, key, shape):
        picker = self._value_picker  # pylint: disable=protected-access
        if (
            type(picker) is not serialize.XFormedAttributePicker  # pylint: disable=unidiomatic-typecheck
            or picker.alias_providers is not serialize.DEFAULT_ALIAS_PROVIDERS
            or getattr(value, 'Meta', None) is not None
        ):
            return picked_by_moto(self, value, key, shape)
        found_once = self.__dict__.get('_found_once')
        if found_once is None:
            found_once = self.__dict__['_found_once'] = ({}, {}, tuple(picker.response_transformers.items()))
        names, transforms, transformers = found_once
        path = '.'.join(self.path)
        member = (value.__class__, key, shape, getattr(shape, 'parent', None))
        tried = names.get(member)
        if tried is None:
            context = serialize.AttributePickerContext(
                obj=value,
                key=key,
                shape=shape,
                operation_model=self.operation_model,
                service_model=self.operation_model.service_model,
                key_path=path,
            )
            tried = names[member] = tuple(picker.get_possible_keys(context))
        for name in tried:
            found = value_by_name(value, name, MISSING)
            if found is not MISSING:
                break
        else:
            found = None
        key_path = '%s.%s' % (path, key)
        if key_path not in transforms:
            transforms[key_path] = next((how for end, how in transformers if key_path.endswith(end)), None)
        transform = transforms[key_path]
        return found if transform is None else transform(found)

    get_value.once = True
    get_value.moto = picked_by_moto
    serialize.ResponseSerializer.get_value = get_value


# What makes fnmatch's pattern more than the text itself (fnmatch.translate escapes every other character).
WILDCARDS = re.compile(r'[*?[]')


class _FilterValue:  # pylint: disable=too-few-public-methods
    """A resource's value of a filter, read once, for moto's own is_filter_matching."""

    def __init__(self, value):
        self.value = value

    def get_filter_value(self, *_ignored):
        return self.value


@functools.lru_cache(maxsize=64)
def _patterns(filter_values):
    """(the values that are text only, as a set; the patterns with a wildcard) of a filter's ``filter_values``; None
    when one of them is not text (moto's own function then)."""
    if not all(isinstance(value, str) for value in filter_values):
        return None
    return (
        frozenset(value for value in filter_values if not WILDCARDS.search(value)),
        tuple(value for value in filter_values if WILDCARDS.search(value)),
    )


def filters_matched_by_value():
    """moto's EC2 filters (utils.is_filter_matching) match a text value against each of the filter's values with fnmatch,
    one pattern after another: a DescribeSnapshots whose filter names 200 snapshot ids or tag values, over the thousands
    of snapshots a region of test_call_budgets.py holds, runs fnmatch hundreds of thousands of times, a third of the AWS
    runs' CPU time. A value without a wildcard (* ? [) matches as fnmatch matches it on POSIX, only the same text: those
    are looked up in a set, the others matched with fnmatch as moto does, and every value that is not text is left to
    moto's own function (test_unit_moto_server.py holds the two equal)."""
    from moto.ec2 import utils  # pylint: disable=import-outside-toplevel  # moto comes with the server

    matching = utils.is_filter_matching
    if getattr(matching, 'by_value', False):
        return

    def is_filter_matching(obj, _filter, filter_value):
        value = obj.get_filter_value(_filter)
        split = None
        if filter_value is not None and isinstance(value, str):
            split = _patterns(tuple(filter_value) if isinstance(filter_value, list) else (filter_value,))
        if split is None:
            return matching(_FilterValue(value), _filter, filter_value)
        texts, patterns = split
        return value in texts or any(fnmatch.fnmatch(value, pattern) for pattern in patterns)

    is_filter_matching.by_value = True
    is_filter_matching.moto = matching
    utils.is_filter_matching = is_filter_matching


def with_ebs_vault(app):
    """``app`` (moto's WSGI application) with the lock calls and copies of shared snapshots answered here, and locked
    snapshots kept from deletion."""

    truer_snapshots()
    moto_modules_listed_once()
    filters_matched_by_value()
    serialized_names_found_once()

    def serve(environ, start_response):
        # EC2's calls only, told by the credential scope: a signature's hex digits may spell "ec2" in any other
        # service's call.
        scope = CREDENTIAL_SCOPE.search(environ.get('HTTP_AUTHORIZATION', ''))
        if environ.get('REQUEST_METHOD') != 'POST' or scope is None:
            return app(environ, start_response)
        body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        environ['wsgi.input'] = io.BytesIO(body)
        params = {name: values[0] for name, values in parse_qs(body.decode('utf-8', 'replace')).items()}
        action = params.get('Action')
        if DENIED:
            from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

            if (get_account_id_from(scope.group('key')), action) in DENIED:
                return error_answer(
                    start_response,
                    Ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403),
                    str(uuid.uuid4()),
                )
        from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

        account, region = get_account_id_from(scope.group('key')), scope.group('region')
        request_id = str(uuid.uuid4())
        if any(
            action == throttled and all(params.get(name) == value for name, value in query.items())
            for throttled, query in THROTTLED
        ):
            return error_answer(
                start_response, Ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503), request_id
            )
        if PENDING:
            with _GUARD:
                settle(cloud_time())
        if action == 'CopySnapshot' and params.get('DryRun') == 'true':
            # "Checks whether you have the required permissions for the action, without actually making the request"
            # (botocore's EC2 model, CopySnapshotRequest.DryRun): the permission (DENIED above), nothing else, as moto
            # answers a DryRun of its own CopySnapshot (error_on_dryrun before any look-up); what more EC2 checks under
            # DryRun is not documented. Here too for a shared source, which this layer would otherwise copy.
            return error_answer(
                start_response,
                Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412),
                request_id,
            )
        if action == 'CreateVolume':
            try:
                refuse_unfinished(params, region)
            except Ec2Error as error:
                return error_answer(start_response, error, request_id)
        if action == 'AttachVolume':
            try:
                with _GUARD:  # checked and attached as one: of two attaches of a volume at once, one is refused
                    refuse_attachment(params, account, region)
                    return app(environ, start_response)
            except Ec2Error as error:
                return error_answer(start_response, error, request_id)
        if action in ('CreateSnapshot', 'CreateVolume'):
            answer = app(environ, start_response)
            keep_volume_keys(environ)
            return hold_snapshot(answer, account, region, params) if action == 'CreateSnapshot' else answer
        if action not in ACTIONS and action != 'DeleteSnapshot':
            return app(environ, start_response)
        try:
            with _GUARD:
                if action == 'CopySnapshot':
                    refuse_unfinished(params, region)
                if action == 'DeleteSnapshot':
                    refuse_locked_delete(params, account, region, cloud_time())
                    return app(environ, start_response)
                if action == 'CopySnapshot':
                    params['_shared'] = shared_source(params, account)
                    if params['_shared'] is None:
                        return hold_copy(app(environ, start_response), account, region, params)
                name, fields = ACTIONS[action](params, account, region, cloud_time())
                if action == 'CopySnapshot':
                    hold_copy([fields.encode()], account, region, params)
        except Ec2Error as error:
            return error_answer(start_response, error, request_id)
        answer = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s"><requestId>%s</requestId>%s</%s>'
            % (name, NAMESPACE, request_id, fields, name)
        ).encode()
        start_response('200 OK', [('Content-Type', 'text/xml'), ('Content-Length', str(len(answer)))])
        return [answer]

    return serve
