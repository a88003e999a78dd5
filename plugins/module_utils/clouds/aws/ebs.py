# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the adapter for the copy engine (the EC2 client is in clouds/aws/client.py).

How copies are found: EBS keeps no link from a copy to its source, so every copy carries
the tag ``snapcopy:source = <source region>/<source snapshot id>`` (set by CopySnapshot's
TagSpecifications, so it is there from the first moment), and the adapter looks for that
tag among the account's own snapshots in the destination. CopySnapshot has no ClientToken:
the engine looks the destination up again before any retry of it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import INVALID, CloudError, InputError
from ...core.inputs import task_destinations
from ...core.model import (
    COMPLETED,
    COMPLIANCE,
    DELETING,
    FAILED,
    GOVERNANCE,
    LOCATION_OPTIONS,
    PENDING,
    USABLE,
    CopyRequest,
    Disk,
    DrillDisk,
    LockSettings,
    Snapshot,
    SnapshotLock,
)
from ...core.paging import token_pages
from ...core.sdk_versions import BOTOCORE_PARAMETER_RELEASES
from ...core.tagging import COPY_TAG, DISK_TAG, RESTORE_RUN_TAG, SHARE_CLAIM_TAG_PREFIX, SHARE_TAG, SOURCE_TAG, TagRules, tag_dict, tag_filters, tag_list
from ...dr.capabilities import DrAccountAdapter, DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter
from ...dr.shares import ClaimedShares, ShareCalls, SourceShares
from .client import AccountRouter, AwsClient

if TYPE_CHECKING:
    from ...core.retry import CallRetry
    from ...dr.claims import RunLease

SNAPSHOT_ID = re.compile(r'^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})\Z')
# Every partition's region names (us-east-1, cn-north-1, us-isob-east-1, eusc-de-east-1; a test holds it to
# botocore's partitions.json).
REGION_NAME = r'[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}'
REGION = re.compile(r'^%s\Z' % REGION_NAME)
OUTPOST_ARN = re.compile(r'^arn:aws[a-z-]*:outposts:([a-z0-9-]+):\d{12}:outpost/op-[0-9a-f]{17}\Z')
# A Local Zone's name: its region's, then more parts (us-west-2-lax-1a, cn-north-1-pkx-1a: botocore's EC2 model, CopySnapshot's
# DestinationAvailabilityZone and Snapshot's AvailabilityZone). An Availability Zone's (us-west-2a) has no hyphen after the region's.
LOCAL_ZONE = re.compile(r'^(?P<region>%s)-[a-z0-9]+(?:-[a-z0-9]+)+\Z' % REGION_NAME)
# Every SnapshotState of botocore's EC2 model. 'recoverable': in the Recycle Bin, deleted unless someone restores
# it, so no copy to keep or count; 'recovering': being restored from it, completed again soon.
STATE_MAP: dict[str | None, str] = {'pending': PENDING, 'completed': COMPLETED, 'error': FAILED, 'recoverable': DELETING, 'recovering': PENDING}
# Filter values per DescribeSnapshots call: EC2 accepts up to 200 values per filter.
FILTER_CHUNK = 200
# MaxResults per page of DescribeSnapshots and of DescribeVolumes (5 to 1000 for both: botocore's EC2 model).
SNAPSHOT_PAGE_SIZE = 1000
VOLUME_PAGE_SIZE = 500
# The copy options that go into CopySnapshot as they are (encrypted goes in only when true).
COPY_PARAMETERS = {'description': 'Description', 'kms_key_id': 'KmsKeyId', 'completion_duration_minutes': 'CompletionDurationMinutes',
                   'destination_outpost_arn': 'DestinationOutpostArn', 'destination_availability_zone': 'DestinationAvailabilityZone'}
# The rest of what start_copy sends to CopySnapshot, and nothing else: the source, the copy's tags (TagSpecifications, so they are
# there from its first moment) and Encrypted, only when true ("You cannot set this parameter to false": botocore's EC2 model).
# tests/unit/plugins/module_utils/test_copy_call_parameters.py holds these and COPY_PARAMETERS to that model.
COPY_CALL_PARAMETERS = ('SourceRegion', 'SourceSnapshotId', 'TagSpecifications', 'Encrypted')
# EC2 tag restrictions (Tag's model and the EC2 user guide): 50 per resource, keys of 1 to 128 characters,
# values of up to 256, the aws: prefix reserved in any case.
TAG_RULES = TagRules('EBS', max_tags=50, key_length=128, value_length=256, reserved_prefixes=('aws:',))
# A volume's State (ec2 2016-11-15, VolumeState); in-use: someone attached the test disk, it was usable.
VOLUME_STATE_MAP: dict[str | None, str] = {'creating': PENDING, 'available': USABLE, 'in-use': USABLE, 'deleting': DELETING, 'deleted': DELETING,
                                           'error': FAILED}
# The volume types CreateVolume makes without provisioned IOPS, and the smallest size of each in GiB
# (EBS user guide, "Amazon EBS volume types"); a volume from a snapshot is at least the snapshot's size.
VOLUME_MINIMUM_GIB = {'gp3': 1, 'gp2': 1, 'standard': 1, 'st1': 125, 'sc1': 125}
# Where ebs_snapshot_copy copies to when a task names no region, as AWS's tools read it (and community.aws's module).
REGION_VARIABLES = ('AWS_REGION', 'AWS_DEFAULT_REGION', 'EC2_REGION')


def build_ebs_request(params: Mapping[str, Any]) -> CopyRequest:
    """The CopyRequest for ebs_snapshot_copy's options (validated later by the adapter)."""
    options = {
        'description': params.get('description'),
        'tags': params.get('tags') or {},  # as given: the tag rules see keys that would become the same text
        'encrypted': params.get('encrypted'),
        'kms_key_id': params.get('kms_key_id'),
        'completion_duration_minutes': params.get('completion_duration_minutes'),
        'destination_outpost_arn': params.get('destination_outpost_arn'),
        'destination_availability_zone': params.get('destination_availability_zone'),
    }
    regions = task_destinations(params, REGION_VARIABLES)
    if not regions:
        raise InputError('destination_region', 'is required (alias region, or the AWS_REGION / AWS_DEFAULT_REGION variable), '
                         'or destination_regions')
    return CopyRequest(params['source_snapshot_id'], params['source_region'], regions, options)


# One public method per call of its capabilities, one abstract class per capability (engine/capabilities.py), each small.
class EbsAdapter(  # pylint: disable=too-many-public-methods,too-many-ancestors
        ClaimedShares, DrAdapter, RestoreDrillAdapter, SnapshotLockAdapter, DrAccountAdapter, ShareCalls):
    cloud = 'AWS EBS'
    multi_destination = False
    copy_call_is_idempotent = False
    sample_snapshot_id = 'snap-0123456789abcdef0'
    readable_options = ('encrypted', 'kms_key_id', 'tags', 'description', *LOCATION_OPTIONS)
    ids_per_describe = FILTER_CHUNK
    sdk_packages = 'botocore (or boto3, which brings it)'
    # EBS refuses a 21st copy in flight to one region (ResourceLimitExceeded).
    max_copies_in_flight = 20
    # The restore drill: gp3 costs least per GiB of the SSD types and is sold in every region.
    restore_disk_type = 'gp3'
    restore_disk_types = tuple(VOLUME_MINIMUM_GIB)
    # CreateVolume takes a ClientToken.
    create_disk_call_is_idempotent = True
    # LockSnapshot (EC2 model): governance or compliance, LockDuration 1-36,500 days; CoolOffPeriod 1-72 h, compliance only
    # (0 here: not sent). No ClientToken: after a lost answer the run reads the lock back first. DescribeLockedSnapshots'
    # MaxResults is 5-1,000. A pending snapshot can be locked, its lock's duration starting once it is completed
    # (LockedSnapshotsInfo.LockDurationStartTime; the EBS guide's "Lock a snapshot": "pending or completed state").
    lock_modes = (GOVERNANCE, COMPLIANCE)
    locks_pending = True
    cool_off_modes = (COMPLIANCE,)
    ids_per_lock_describe = FILTER_CHUNK
    client: AwsClient

    def __init__(self, client: AwsClient) -> None:
        self.client = client
        # With dr_account: the DR account's id, and each source's KMS key checked once (None: shareable, else why not).
        self.dr_account: str | None = None
        self._key_refusals: dict[str, str | None] = {}

    @classmethod
    def from_connection(cls, connection: Mapping[str, Any], *, check_mode: bool = False,  # pylint: disable=unused-argument
                        retry: CallRetry | None = None) -> EbsAdapter:
        return cls(AwsClient.from_connection(connection, retry))

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request: CopyRequest) -> None:
        options = request.options
        if not SNAPSHOT_ID.match(request.source_id or ''):
            raise InputError('source_snapshot_id', 'expected an EBS snapshot id like snap-0123456789abcdef0, got %r' % (request.source_id,))
        # The engine sends one CopySnapshot per destination; the DR run may group several in one request.
        for option, region in [('source_region', request.source_region)] + [('destination_region', region) for region in request.destinations]:
            if not REGION.match(region or ''):
                raise InputError(option, 'expected an AWS region name like us-east-1, got %r' % (region,))
        if options.get('kms_key_id') and not options.get('encrypted'):
            raise InputError('kms_key_id', 'is only used for an encrypted copy: set encrypted: true as well')
        minutes = options.get('completion_duration_minutes')
        if minutes is not None and not (15 <= minutes <= 2880 and minutes % 15 == 0):
            raise InputError('completion_duration_minutes', 'must be a multiple of 15 from 15 to 2880, got %d' % minutes)
        outpost = options.get('destination_outpost_arn')
        if (outpost or options.get('destination_availability_zone')) and len(request.destinations) != 1:
            raise InputError('destination_outpost_arn' if outpost else 'destination_availability_zone',
                             'names one place, in one region: name that region alone, with destination_region')
        if outpost:
            match = OUTPOST_ARN.match(outpost)
            if not match:
                raise InputError('destination_outpost_arn', 'expected arn:aws:outposts:REGION:ACCOUNT:outpost/op-..., got %r' % outpost)
            if not match.group(1) == request.source_region == request.destinations[0]:
                raise InputError('destination_outpost_arn', 'a copy to an Outpost stays in the Outpost\'s region (%s): '
                                 'source_region and destination_region must both be %s' % (match.group(1), match.group(1)))
            if minutes is not None:
                raise InputError('completion_duration_minutes', 'cannot be used for a copy to an Outpost')
        self._validate_local_zone(request)
        description = options.get('description')
        if description is not None and len(description) > 255:
            raise InputError('description', 'is at most 255 characters, got %d' % len(description))
        TAG_RULES.validate(options.get('tags'))
        # Last, as it makes the destination's client (no call): the parameters botocore's own EC2 model may lack.
        newer = BOTOCORE_PARAMETER_RELEASES['CopySnapshot']
        asked = {option: parameter for option, parameter in COPY_PARAMETERS.items() if options.get(option) is not None and parameter in newer}
        if asked:
            self.client.require_parameters(request.destinations[0], 'CopySnapshot', asked)

    @staticmethod
    def _validate_local_zone(request: CopyRequest) -> None:
        """destination_availability_zone, as botocore's EC2 model documents CopySnapshot: "If the source snapshot is in a Region,
        you can copy it [...] to a Local Zone in that Region", or from a Local Zone to another of its zone group (a snapshot's
        region is the Local Zone's parent region); CompletionDurationMinutes is "Not supported when copying snapshots to or from
        Local Zones or Outposts"."""
        options = request.options
        zone = options.get('destination_availability_zone')
        if zone is None:
            return
        region = request.destinations[0]
        if local_zone_region(zone) != region:
            raise InputError('destination_availability_zone', 'expected a Local Zone of destination_region %s, like %s-lax-1a, got %r'
                             % (region, region, zone))
        if options.get('destination_outpost_arn'):
            raise InputError('destination_availability_zone', 'cannot be used with destination_outpost_arn: a copy goes to one '
                             'Local Zone or one Outpost')
        if request.source_region != region:
            raise InputError('destination_availability_zone', 'a copy to a Local Zone stays in the Local Zone\'s region (%s): '
                             'source_region and destination_region must both be %s' % (region, region))
        if options.get('completion_duration_minutes') is not None:
            raise InputError('completion_duration_minutes', 'cannot be used for a copy to a Local Zone')

    # ------------------------------------------------------------------ reads
    def get_sources(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        if len(snapshot_ids) == 1:
            # By id, so that a missing snapshot gives AWS's own InvalidSnapshot.NotFound.
            answer = self.client.call(region, 'DescribeSnapshots', SnapshotIds=list(snapshot_ids))
            return {item['SnapshotId']: self.snapshot(item, region) for item in answer.get('Snapshots', [])}
        return self._describe_by_filter(region, 'snapshot-id', snapshot_ids, owned=False)

    def describe_ids(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        return self._describe_by_filter(region, 'snapshot-id', snapshot_ids, owned=True)

    def find_copies(self, destination: str, requests: Iterable[CopyRequest]) -> dict[str, list[Snapshot]]:
        found: dict[str, list[Snapshot]] = {}
        values = sorted({request.source_tag for request in requests})
        for snapshot in self._describe_by_filter(destination, 'tag:' + SOURCE_TAG, values, owned=True).values():
            found.setdefault(cast(str, snapshot.tags.get(SOURCE_TAG)), []).append(snapshot)
        return found

    def _describe_by_filter(self, region: str, name: str, values: Sequence[str], owned: bool) -> dict[str, Snapshot]:
        snapshots = {}
        for start in range(0, len(values), FILTER_CHUNK):
            arguments: dict[str, Any] = {'Filters': [{'Name': name, 'Values': list(values[start:start + FILTER_CHUNK])}]}
            if owned:
                arguments['OwnerIds'] = ['self']
            items = token_pages(lambda page: self.client.call(region, 'DescribeSnapshots', **page), arguments,
                                lambda answer: answer.get('Snapshots', []), SNAPSHOT_PAGE_SIZE, action='DescribeSnapshots', region=region)
            for item in items:
                snapshots[item['SnapshotId']] = self.snapshot(item, region)
        return snapshots

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        (destination,) = destinations
        options = request.options
        tags = request.copy_tags()
        arguments = {parameter: options[option] for option, parameter in COPY_PARAMETERS.items() if options.get(option) is not None}
        values = {'SourceRegion': request.source_region, 'SourceSnapshotId': request.source_id,
                  'TagSpecifications': snapshot_tag_specification(tags), 'Encrypted': True if options.get('encrypted') else None}
        arguments.update({name: values[name] for name in COPY_CALL_PARAMETERS if values[name] is not None})
        if self.dr_account is not None:
            self._source_shares().hold(request.source_region, request.source_id)
        answer = self.client.call(destination, 'CopySnapshot', **arguments)
        copy = Snapshot(answer['SnapshotId'], destination, PENDING, cloud_state='pending', progress=0,
                        encrypted=True if options.get('encrypted') else None, tags=tag_dict(answer.get('Tags')) or tags,
                        description=options.get('description'))
        if DISK_TAG in tags:
            # A DR run's copy names itself at once (COPY_TAG, pruning's proof: docs/safety.md), from the worker that
            # made it. The copy is made whatever happens here: a failure leaves it to the DR run, which tries again.
            with contextlib.suppress(CloudError):
                self.tag_copy(copy, {COPY_TAG: copy.id})
        return {destination: copy}

    # ------------------------------------------------------------------ a separate DR account (dr_account)
    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # The same calls, each sent to the account that holds the region's snapshots (AccountRouter).
        self.client = cast('AwsClient', AccountRouter(self.client, AwsClient(connection, self.client.botocore, self.client.retry),
                                                      source_region))
        self.dr_account = account

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """With dr_account, an encrypted source must be encrypted with a customer managed key: the AWS managed key
        (aws/ebs) cannot be shared with another account ("Share a snapshot", EBS user guide). Read once per key
        (KMS DescribeKey); whether the key's policy lets the DR account use it shows when the DR account copies."""
        if self.dr_account is None or not source.encrypted:
            return
        key = cast('str | None', source.extra.get('kms_key_id'))
        if key not in self._key_refusals:
            manager = self.client.call_service('kms', source.region, 'DescribeKey', KeyId=key)['KeyMetadata'].get('KeyManager') if key else 'AWS'
            self._key_refusals[cast('str', key)] = None if manager == 'CUSTOMER' else (
                'source snapshot %s is encrypted with the AWS managed key %s (alias aws/ebs), which cannot be shared with another '
                'account: the DR account %s cannot copy it. Encrypt the disk with a customer managed key whose policy lets the DR '
                'account use it (docs/vault.md)' % (source.id, key or 'of EBS', self.dr_account))
        refusal = self._key_refusals[cast('str', key)]
        if refusal:
            raise CloudError('CopySnapshot', 'AwsManagedKeyNotShareable', refusal, kind=INVALID, region=source.region)

    def start_dr_run(self, lease: RunLease) -> None:
        self.shares = SourceShares(self, account=cast('str', self.dr_account), lease=lease)

    # The calls of a share (dr.shares.ShareCalls), in the source account but for copies_in_flight (AccountRouter).
    def is_shared(self, source_region: str, snapshot_id: str) -> bool:
        answer = self.client.call(source_region, 'DescribeSnapshotAttribute', SnapshotId=snapshot_id, Attribute='createVolumePermission')
        return self.dr_account in {permission.get('UserId') for permission in answer.get('CreateVolumePermissions', [])}

    def share(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'add')

    def unshare(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'remove')

    def _modify_share(self, source_region: str, snapshot_id: str, operation: str) -> None:
        self.client.call(source_region, 'ModifySnapshotAttribute', SnapshotId=snapshot_id, Attribute='createVolumePermission',
                         OperationType=operation, UserIds=[self.dr_account])

    # Tags of source snapshots (dr.claims.SourceTagCalls: copy and share claims), a batch a call.
    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(source_region, 'CreateTags', Resources=list(snapshot_ids[start:start + FILTER_CHUNK]), Tags=tag_list(dict(tags)))

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        found = self._describe_by_filter(source_region, 'snapshot-id', snapshot_ids, owned=True)
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(source_region, 'DeleteTags', Resources=list(snapshot_ids[start:start + FILTER_CHUNK]), Tags=[{'Key': key} for key in keys])

    def claimed_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        # EC2's filter values take wildcards ("*" matches any characters: EC2 user guide, "Filter resources"). One value a
        # listing: moto 5.2, which the tests run against, takes several values of a tag-key filter as a set, not any-of.
        found: dict[str, Snapshot] = {}
        for key in (SHARE_TAG, SHARE_CLAIM_TAG_PREFIX + '*'):
            found.update(self._describe_by_filter(source_region, 'tag-key', [key], owned=True))
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        in_flight: set[str] = set()
        for region in regions:
            copies = self._describe_by_filter(region, 'tag:' + SOURCE_TAG, ['%s/%s' % (source_region, snapshot_id) for snapshot_id in snapshot_ids],
                                              owned=True)
            in_flight |= {copy.tags[SOURCE_TAG].partition('/')[2] for copy in copies.values() if copy.state == PENDING}
        return in_flight

    # ------------------------------------------------------------------ for the DR run
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        disks = []
        for item in self._volume_items(region, {'Filters': tag_filters(tag_selector)}):
            tags = tag_dict(item.get('Tags'))
            disks.append(Disk(item['VolumeId'], region, name=tags.get('Name'), size=item.get('Size'), tags=tags))
        return disks

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        found: dict[str, list[Snapshot]] = {}
        for snapshot in self._describe_by_filter(region, 'volume-id', sorted(disk.id for disk in disks), owned=True).values():
            found.setdefault(cast(str, snapshot.volume_id), []).append(snapshot)
        return found

    def create_snapshot(self, region: str, disk: Disk, name: str | None, description: str | None,
                        tags: Mapping[str, str] | None) -> Snapshot:
        tags = dict(tags or {})
        if name:
            tags['Name'] = name
        arguments: dict[str, Any] = {'VolumeId': disk.id, 'Description': description or ''}
        if tags:
            arguments['TagSpecifications'] = snapshot_tag_specification(tags)
        return self.snapshot(self.client.call(region, 'CreateSnapshot', **arguments), region)

    def list_copies(self, destination: str) -> list[Snapshot]:
        return list(self._describe_by_filter(destination, 'tag-key', [SOURCE_TAG], owned=True).values())

    def delete_snapshot(self, region: str, snapshot_id: str) -> None:
        self.client.call(region, 'DeleteSnapshot', SnapshotId=snapshot_id)

    # ------------------------------------------------------------------ for the restore drill
    def restore_zones(self, region: str, disk_type: str) -> list[str]:  # pylint: disable=unused-argument  # every zone makes every type
        # Availability zones only: Local Zones and Wavelength Zones are opted into and sell fewer volume types.
        answer = self.client.call(region, 'DescribeAvailabilityZones')
        return sorted(zone['ZoneName'] for zone in answer.get('AvailabilityZones', [])
                      if zone.get('State', 'available') == 'available' and zone.get('ZoneType', 'availability-zone') == 'availability-zone')

    # pylint: disable-next=too-many-arguments
    def create_test_disk(self, region: str, zone: str | None, copy: Snapshot, disk_type: str, name: str, tags: Mapping[str, str],
                         token: str) -> DrillDisk:
        arguments: dict[str, Any] = {'AvailabilityZone': zone, 'SnapshotId': copy.id, 'VolumeType': disk_type, 'ClientToken': token,
                                     'TagSpecifications': [{'ResourceType': 'volume', 'Tags': tag_list(dict(tags, Name=name))}]}
        # Without Size the volume has the snapshot's size, the smallest it can have, unless the type asks for more.
        minimum = VOLUME_MINIMUM_GIB[disk_type]
        if copy.size is None or copy.size < minimum:
            arguments['Size'] = max(minimum, copy.size or 0)
        return self.test_disk(self.client.call(region, 'CreateVolume', **arguments), region)

    def describe_test_disks(self, region: str, disk_ids: Iterable[str]) -> dict[str, DrillDisk]:
        # By filter, not VolumeIds: an id that is not (yet, or any more) there is left out instead of failing the call.
        return {disk.id: disk for disk in self._volumes(region, 'volume-id', sorted(disk_ids))}

    def find_test_disks(self, region: str) -> list[DrillDisk]:
        return self._volumes(region, 'tag-key', [RESTORE_RUN_TAG])

    def _volumes(self, region: str, name: str, values: Sequence[str]) -> list[DrillDisk]:
        volumes: list[DrillDisk] = []
        for start in range(0, len(values), FILTER_CHUNK):
            arguments: dict[str, Any] = {'Filters': [{'Name': name, 'Values': list(values[start:start + FILTER_CHUNK])}]}
            volumes.extend(self.test_disk(item, region) for item in self._volume_items(region, arguments))
        return volumes

    def _volume_items(self, region: str, arguments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every DescribeVolumes item in ``region`` for ``arguments``, all pages."""
        return token_pages(lambda page: self.client.call(region, 'DescribeVolumes', **page), arguments,
                           lambda answer: answer.get('Volumes', []), VOLUME_PAGE_SIZE, action='DescribeVolumes', region=region)

    def delete_test_disk(self, region: str, disk_id: str) -> None:
        self.client.call(region, 'DeleteVolume', VolumeId=disk_id)

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        self.client.call(copy.region, 'CreateTags', Resources=[copy.id], Tags=tag_list(tags))
        copy.tags.update(tags)

    # ------------------------------------------------------------------ locks
    def describe_locks(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, SnapshotLock]:
        # By ids, without MaxResults (DescribeSnapshots refuses the two together; the lock call's reference is silent),
        # following a NextToken should EC2 page all the same.
        locks: dict[str, SnapshotLock] = {}
        arguments: dict[str, Any] = {'SnapshotIds': list(snapshot_ids)}
        while True:
            answer = self.client.call(region, 'DescribeLockedSnapshots', **arguments)
            locks.update((item['SnapshotId'], ebs_lock(item)) for item in answer.get('Snapshots', []))
            if not answer.get('NextToken') or answer['NextToken'] == arguments.get('NextToken'):
                return locks
            arguments['NextToken'] = answer['NextToken']

    def lock_snapshot(self, region: str, snapshot_id: str, lock: LockSettings) -> SnapshotLock:
        arguments: dict[str, Any] = {'SnapshotId': snapshot_id, 'LockMode': lock.mode, 'LockDuration': lock.duration_days}
        if lock.cool_off_hours:
            arguments['CoolOffPeriod'] = lock.cool_off_hours
        return ebs_lock(self.client.call(region, 'LockSnapshot', **arguments))

    @staticmethod
    def test_disk(item: Mapping[str, Any], region: str) -> DrillDisk:
        tags = tag_dict(item.get('Tags'))
        created: Any = item.get('CreateTime')
        return DrillDisk(item['VolumeId'], region, VOLUME_STATE_MAP.get(item.get('State'), PENDING), cloud_state=item.get('State'),
                         zone=item.get('AvailabilityZone'), name=tags.get('Name'), tags=tags, snapshot_id=item.get('SnapshotId') or None,
                         size=item.get('Size'), created=created.isoformat() if hasattr(created, 'isoformat') else created)

    @staticmethod
    def snapshot(item: Mapping[str, Any], region: str) -> Snapshot:
        progress = item.get('Progress') or ''
        return Snapshot(
            item['SnapshotId'], region, STATE_MAP.get(item.get('State'), PENDING), cloud_state=item.get('State'),
            progress=int(progress.rstrip('%')) if progress.rstrip('%').isdigit() else None,
            message=item.get('StateMessage'), encrypted=item.get('Encrypted'), tags=tag_dict(item.get('Tags')),
            size=item.get('VolumeSize'), volume_id=item.get('VolumeId'), description=item.get('Description'),
            created=item['StartTime'].isoformat() if hasattr(item.get('StartTime'), 'isoformat') else item.get('StartTime'),
            extra=cast('dict[str, Any]', snapshot_extra(item)),  # None: Snapshot makes it {}
        )


def iso_time(value: Any) -> str | None:
    """A time botocore parsed (a datetime) as ISO 8601 text; text and None as they are."""
    return str(value.isoformat()) if hasattr(value, 'isoformat') else None if value is None else str(value)


def ebs_lock(item: Mapping[str, Any]) -> SnapshotLock:
    """A lock as LockSnapshot and DescribeLockedSnapshots answer it (LockState governance, compliance, compliance-cooloff or
    expired); the mode of a compliance lock in its cool-off is compliance, and an expired lock's is not told."""
    state = item.get('LockState')
    mode = GOVERNANCE if state == GOVERNANCE else COMPLIANCE if state in (COMPLIANCE, 'compliance-cooloff') else None
    return SnapshotLock(mode, state != 'expired', expires=iso_time(item.get('LockExpiresOn')),
                        cool_off_ends=iso_time(item.get('CoolOffPeriodExpiresOn')), cloud_status=state)


def local_zone_region(zone: str | None) -> str | None:
    """The region of the Local Zone named ``zone``; None for any other name (an Availability Zone's among them)."""
    match = LOCAL_ZONE.match(zone or '')
    return match.group('region') if match else None


def snapshot_extra(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """What else a DescribeSnapshots item says that a copy is compared on: its KMS key, and where it is kept when not in
    the region itself (OutpostArn; AvailabilityZone when a Local Zone: a zone of the region proper is the region's)."""
    extra = {'kms_key_id': item.get('KmsKeyId'), 'destination_outpost_arn': item.get('OutpostArn')}
    if local_zone_region(item.get('AvailabilityZone')):
        extra['destination_availability_zone'] = item['AvailabilityZone']
    return {key: value for key, value in extra.items() if value} or None


def snapshot_tag_specification(tags: dict[str, str]) -> list[dict[str, Any]]:
    """EC2's TagSpecifications for a new snapshot: the tags are there from its first moment."""
    return [{'ResourceType': 'snapshot', 'Tags': tag_list(tags)}]
