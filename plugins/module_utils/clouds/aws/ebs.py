# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the adapter for the copy engine (the EC2 client is in clouds/aws/client.py; what the DR run adds is in
clouds/aws/ebs_dr.py, which a copy module neither imports nor carries).

How copies are found: EBS keeps no link from a copy to its source, so every copy carries
the tag ``snapcopy:source = <source region>/<source snapshot id>`` (set by CopySnapshot's
TagSpecifications, so it is there from the first moment), and the adapter looks for that
tag among the account's own snapshots in the destination. CopySnapshot has no ClientToken:
the engine looks the destination up again before any retry of it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import INVALID, CloudError, InputError
from ...core.inputs import task_destinations
from ...core.model import ARCHIVE, COMPLETED, DELETING, FAILED, LOCATION_OPTIONS, PENDING, CopyRequest, Snapshot
from ...core.tagging import COPY_TAG, DISK_TAG, SOURCE_TAG, TagRules, tag_dict, tag_list
from ...engine.capabilities import CopyAdapter
from . import ec2_copy_model
from .client import BOTOCORE_PARAMETER_RELEASES, AwsClient, listed_items
from .regions import KnownRegions

if TYPE_CHECKING:
    from typing import Self

    from ...core.retry import CallRetry

SNAPSHOT_ID = re.compile(r'^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})\Z')
# Every partition's region names (us-east-1, cn-north-1, us-isob-east-1, eusc-de-east-1; a test holds it to
# botocore's partitions.json).
REGION_NAME = r'[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}'
REGION = re.compile(r'^%s\Z' % REGION_NAME)
OUTPOST_ARN = re.compile(r'^arn:aws[a-z-]*:outposts:([a-z0-9-]+):\d{12}:outpost/op-[0-9a-f]{17}\Z')
# A Local Zone's name: its region's, then more parts (us-west-2-lax-1a, cn-north-1-pkx-1a: botocore's EC2 model,
# CopySnapshot's DestinationAvailabilityZone and Snapshot's AvailabilityZone). An Availability Zone's (us-west-2a) has
# no hyphen after the region's.
LOCAL_ZONE = re.compile(r'^(?P<region>%s)-[a-z0-9]+(?:-[a-z0-9]+)+\Z' % REGION_NAME)
# Every SnapshotState of botocore's EC2 model. 'recoverable': in the Recycle Bin, deleted unless someone restores
# it, so no copy to keep or count; 'recovering': being restored from it, completed again soon.
STATE_MAP: dict[str | None, str] = {
    'pending': PENDING,
    'completed': COMPLETED,
    'error': FAILED,
    'recoverable': DELETING,
    'recovering': PENDING,
}
# Filter values per DescribeSnapshots call: EC2 accepts up to 200 values per filter.
FILTER_CHUNK = 200
# MaxResults per page of DescribeSnapshots (5 to 1000: botocore's EC2 model).
SNAPSHOT_PAGE_SIZE = 1000
# The copy options that go into CopySnapshot as they are (encrypted goes in only when true).
COPY_PARAMETERS = {
    'description': 'Description',
    'kms_key_id': 'KmsKeyId',
    'completion_duration_minutes': 'CompletionDurationMinutes',
    'destination_outpost_arn': 'DestinationOutpostArn',
    'destination_availability_zone': 'DestinationAvailabilityZone',
}
# The rest of what start_copy sends to CopySnapshot, and nothing else: the source, the copy's tags (TagSpecifications,
# so they are there from its first moment) and Encrypted, only when true ("You cannot set this parameter to false":
# botocore's EC2 model). tests/unit/plugins/module_utils/test_copy_call_parameters.py holds these and COPY_PARAMETERS to
# that model.
COPY_CALL_PARAMETERS = ('SourceRegion', 'SourceSnapshotId', 'TagSpecifications', 'Encrypted')
# EC2 tag restrictions, the stricter of two sources. botocore's EC2 model (ec2 2016-11-15, Tag.Key and Tag.Value):
# keys "accept a maximum of 127 Unicode characters. May not begin with aws:", values "a maximum of 256 Unicode
# characters"; the EC2 user guide ("Tag restrictions"): 50 tags a resource, keys of 128 and values of 256 characters,
# aws: reserved in any case. So 50 tags, keys of 1 to 127 characters, values of up to 256.
TAG_RULES = TagRules('EBS', max_tags=50, key_length=127, value_length=256, reserved_prefixes=('aws:',))
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
        raise InputError(
            'destination_region',
            'is required (alias region, or the AWS_REGION / AWS_DEFAULT_REGION variable), or destination_regions',
        )
    return CopyRequest(params['source_snapshot_id'], params['source_region'], regions, options)


class EbsCopyAdapter(CopyAdapter):
    """What ebs_snapshot_copy and the copy engine use; the DR run's adapter (clouds/aws/ebs_dr.py) adds its
    capabilities."""

    cloud = 'AWS EBS'
    multi_destination = False
    copy_call_is_idempotent = False
    sample_snapshot_id = 'snap-0123456789abcdef0'
    readable_options = ('encrypted', 'kms_key_id', 'tags', 'description', *LOCATION_OPTIONS)
    ids_per_describe = FILTER_CHUNK
    sdk_packages = 'botocore (or boto3, which brings it)'
    # The EC2 operations its clients know: the three a copy calls (the DR run's adapter has its twenty).
    ec2_model = ec2_copy_model
    client: AwsClient

    def __init__(self, client: AwsClient) -> None:
        self.client = client
        # (region, id) of the sources read archived: refused at the copy call only, so that copies made before the
        # archiving are found as ever (check_source, start_copy).
        self.archived_sources: set[tuple[str, str]] = set()

    @classmethod
    def from_connection(
        cls,
        connection: Mapping[str, Any],
        *,
        check_mode: bool = False,  # pylint: disable=unused-argument
        retry: CallRetry | None = None,
    ) -> Self:
        return cls(AwsClient.from_connection(connection, retry, ec2_model=cls.ec2_model))

    # ------------------------------------------------------------------ validation (no calls)
    def region_warnings(self, regions: Sequence[tuple[str, str]]) -> list[str]:
        """A region no partition of botocore's data holds is refused; one it does not list is warned of with
        endpoint_url, or when named like a partition's (clouds/aws/regions.py). A name unlike any region is left to
        validate, which says what one looks like."""
        well_formed = [(option, region) for option, region in regions if REGION.match(region or '')]
        if not well_formed:
            return []
        known = KnownRegions.of_botocore(self.client.botocore, self.client.data_loader())
        return known.check(well_formed, endpoint_url=self.client.connection.get('endpoint_url'))

    def validate(self, request: CopyRequest) -> None:
        options = request.options
        if not SNAPSHOT_ID.match(request.source_id or ''):
            raise InputError(
                'source_snapshot_id',
                'expected an EBS snapshot id like snap-0123456789abcdef0, got %r' % (request.source_id,),
            )
        # The engine sends one CopySnapshot per destination; the DR run may group several in one request.
        for option, region in [('source_region', request.source_region)] + [
            ('destination_region', region) for region in request.destinations
        ]:
            if not REGION.match(region or ''):
                raise InputError(option, 'expected an AWS region name like us-east-1, got %r' % (region,))
        if options.get('kms_key_id') and not options.get('encrypted'):
            raise InputError('kms_key_id', 'is only used for an encrypted copy: set encrypted: true as well')
        minutes = options.get('completion_duration_minutes')
        if minutes is not None and not (15 <= minutes <= 2880 and minutes % 15 == 0):
            raise InputError(
                'completion_duration_minutes', 'must be a multiple of 15 from 15 to 2880, got %d' % minutes
            )
        outpost = options.get('destination_outpost_arn')
        if (outpost or options.get('destination_availability_zone')) and len(request.destinations) != 1:
            raise InputError(
                'destination_outpost_arn' if outpost else 'destination_availability_zone',
                'names one place, in one region: name that region alone, with destination_region',
            )
        if outpost:
            match = OUTPOST_ARN.match(outpost)
            if not match:
                raise InputError(
                    'destination_outpost_arn',
                    'expected arn:aws:outposts:REGION:ACCOUNT:outpost/op-..., got %r' % outpost,
                )
            if not match.group(1) == request.source_region == request.destinations[0]:
                raise InputError(
                    'destination_outpost_arn',
                    'a copy to an Outpost stays in the Outpost\'s region (%s): '
                    'source_region and destination_region must both be %s' % (match.group(1), match.group(1)),
                )
            if minutes is not None:
                raise InputError('completion_duration_minutes', 'cannot be used for a copy to an Outpost')
        self._validate_local_zone(request)
        description = options.get('description')
        if description is not None and len(description) > 255:
            raise InputError('description', 'is at most 255 characters, got %d' % len(description))
        TAG_RULES.validate(options.get('tags'))
        # Last, as it makes the destination's client (no call): the parameters botocore's own EC2 model may lack.
        newer = BOTOCORE_PARAMETER_RELEASES['CopySnapshot']
        asked = {
            option: parameter
            for option, parameter in COPY_PARAMETERS.items()
            if options.get(option) is not None and parameter in newer
        }
        if asked:
            self.client.require_parameters(request.destinations[0], 'CopySnapshot', asked)

    @staticmethod
    def _validate_local_zone(request: CopyRequest) -> None:
        """destination_availability_zone, as botocore's EC2 model documents CopySnapshot: "If the source snapshot is in
        a Region, you can copy it [...] to a Local Zone in that Region", or from a Local Zone to another of its zone
        group (a snapshot's region is the Local Zone's parent region); CompletionDurationMinutes is "Not supported when
        copying snapshots to or from Local Zones or Outposts"."""
        options = request.options
        zone = options.get('destination_availability_zone')
        if zone is None:
            return
        region = request.destinations[0]
        if local_zone_region(zone) != region:
            raise InputError(
                'destination_availability_zone',
                'expected a Local Zone of destination_region %s, like %s-lax-1a, got %r' % (region, region, zone),
            )
        if options.get('destination_outpost_arn'):
            raise InputError(
                'destination_availability_zone',
                'cannot be used with destination_outpost_arn: a copy goes to one Local Zone or one Outpost',
            )
        if request.source_region != region:
            raise InputError(
                'destination_availability_zone',
                'a copy to a Local Zone stays in the Local Zone\'s region (%s): '
                'source_region and destination_region must both be %s' % (region, region),
            )
        if options.get('completion_duration_minutes') is not None:
            raise InputError('completion_duration_minutes', 'cannot be used for a copy to a Local Zone')

    # ------------------------------------------------------------------ reads
    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """What the EC2 model says of a source, each with what to do: one on an Outpost ("If the source snapshot is on an
        Outpost, you can't copy it") and an unencrypted one to an Outpost without encrypted ("Snapshots copied to an
        Outpost must be encrypted", CopySnapshotRequest), refused before any copy is looked for (none can exist); an
        archived one ("archive indicates that the snapshot is currently archived and that it must be restored before it
        can be used", Snapshot.StorageTier), noted, and refused only where a copy is to be made (start_copy): a copy made
        before the archiving is found as ever."""
        if source.archived:
            self.archived_sources.add((request.source_region, source.id))
        if source.extra.get('destination_outpost_arn'):
            why = (
                'SourceOnOutpost',
                'is on an Outpost (%s), and EC2 copies no snapshot from an Outpost'
                % (source.extra['destination_outpost_arn']),
            )
        elif request.options.get('destination_outpost_arn') and not (
            request.options.get('encrypted') or source.encrypted
        ):
            why = 'EncryptionRequired', 'is not encrypted, and a copy to an Outpost must be: set encrypted: true'
        else:
            return
        raise CloudError(
            'DescribeSnapshots',
            why[0],
            'source snapshot %s %s' % (source.id, why[1]),
            kind=INVALID,
            region=request.source_region,
        )

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
            found.setdefault(snapshot.tags.get(SOURCE_TAG) or '', []).append(snapshot)
        return found

    def _describe_by_filter(self, region: str, name: str, values: Sequence[str], owned: bool) -> dict[str, Snapshot]:
        snapshots = {}
        for start in range(0, len(values), FILTER_CHUNK):
            arguments: dict[str, Any] = {
                'Filters': [{'Name': name, 'Values': list(values[start : start + FILTER_CHUNK])}]
            }
            if owned:
                arguments['OwnerIds'] = ['self']
            items = listed_items(
                self.client, region, 'DescribeSnapshots', arguments, key='Snapshots', page_size=SNAPSHOT_PAGE_SIZE
            )
            for item in items:
                snapshots[item['SnapshotId']] = self.snapshot(item, region)
        return snapshots

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        (destination,) = destinations
        if (request.source_region, request.source_id) in self.archived_sources:
            return {
                destination: CloudError(
                    'CopySnapshot',
                    'SourceArchived',
                    'source snapshot %s is archived (StorageTier archive): restore it first (RestoreSnapshotTier), '
                    'then copy it' % request.source_id,
                    kind=INVALID,
                    region=request.source_region,
                )
            }
        options = request.options
        tags = request.copy_tags()
        answer = self.client.call(destination, 'CopySnapshot', **copy_call_arguments(request))
        copy = Snapshot(
            answer['SnapshotId'],
            destination,
            PENDING,
            cloud_state='pending',
            progress=0,
            encrypted=True if options.get('encrypted') else None,
            tags=tag_dict(answer.get('Tags')) or tags,
            description=options.get('description'),
        )
        if DISK_TAG in tags:
            # A DR run's copy names itself at once (COPY_TAG, pruning's proof: docs/safety.md), from the worker that
            # made it. The copy is made whatever happens here: a failure leaves it to the DR run, which tries again.
            with contextlib.suppress(CloudError):
                self.tag_copy(copy, {COPY_TAG: copy.id})
        return {destination: copy}

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """Add ``tags`` to ``copy`` (start_copy's COPY_TAG on a copy that carries DISK_TAG; the DR run's other
        marks)."""
        self.client.call(copy.region, 'CreateTags', Resources=[copy.id], Tags=tag_list(tags))
        copy.tags.update(tags)

    @staticmethod
    def snapshot(item: Mapping[str, Any], region: str) -> Snapshot:
        progress = item.get('Progress') or ''
        return Snapshot(
            item['SnapshotId'],
            region,
            STATE_MAP.get(item.get('State'), PENDING),
            cloud_state=item.get('State'),
            progress=int(progress.rstrip('%')) if progress.rstrip('%').isdigit() else None,
            message=item.get('StateMessage'),
            encrypted=item.get('Encrypted'),
            tags=tag_dict(item.get('Tags')),
            size=item.get('VolumeSize'),
            volume_id=item.get('VolumeId'),
            description=item.get('Description'),
            created=item['StartTime'].isoformat()
            if hasattr(item.get('StartTime'), 'isoformat')
            else item.get('StartTime'),
            extra=snapshot_extra(item) or {},
            # "The full size of the snapshot, in bytes ... the size of all the blocks that were written to the source
            # volume at the time the snapshot was created" (ec2 2016-11-15, Snapshot.FullSnapshotSizeInBytes, Long).
            full_bytes=item.get('FullSnapshotSizeInBytes'),
        )


def copy_call_arguments(request: CopyRequest) -> dict[str, Any]:
    """What CopySnapshot is sent for ``request``: its copy options (COPY_PARAMETERS) and COPY_CALL_PARAMETERS."""
    options = request.options
    arguments = {
        parameter: options[option] for option, parameter in COPY_PARAMETERS.items() if options.get(option) is not None
    }
    values = {
        'SourceRegion': request.source_region,
        'SourceSnapshotId': request.source_id,
        'TagSpecifications': snapshot_tag_specification(request.copy_tags()),
        'Encrypted': True if options.get('encrypted') else None,
    }
    arguments.update({name: values[name] for name in COPY_CALL_PARAMETERS if values[name] is not None})
    return arguments


def local_zone_region(zone: str | None) -> str | None:
    """The region of the Local Zone named ``zone``; None for any other name (an Availability Zone's among them)."""
    match = LOCAL_ZONE.match(zone or '')
    return match.group('region') if match else None


def snapshot_extra(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """What else a DescribeSnapshots item says that a copy is compared on: its KMS key, and where it is kept when not in
    the region itself (OutpostArn; AvailabilityZone when a Local Zone: a zone of the region proper is the region's);
    and, for the plan, its storage tier when archived ("The most recent snapshot copy has not been archived" is a
    condition of an incremental copy: EBS user guide, Copy an Amazon EBS snapshot)."""
    extra = {'kms_key_id': item.get('KmsKeyId'), 'destination_outpost_arn': item.get('OutpostArn')}
    if item.get('StorageTier') == ARCHIVE:
        extra['storage_tier'] = ARCHIVE
    if local_zone_region(item.get('AvailabilityZone')):
        extra['destination_availability_zone'] = item['AvailabilityZone']
    return {key: value for key, value in extra.items() if value} or None


def snapshot_tag_specification(tags: dict[str, str]) -> list[dict[str, Any]]:
    """EC2's TagSpecifications for a new snapshot: the tags are there from its first moment."""
    return [{'ResourceType': 'snapshot', 'Tags': tag_list(tags)}]
