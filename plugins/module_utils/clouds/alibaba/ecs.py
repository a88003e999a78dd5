# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the adapter for the copy engine (what the DR run adds is in clouds/alibaba/ecs_dr.py, which
a copy module neither imports nor carries).

How copies are found: CopySnapshot puts the tag ``snapcopy:source = <source region>/<source id>``
on every copy it makes (Tag.N, so it is there from the first moment), and ECS keeps
SourceSnapshotId and SourceRegionId on a copy (DescribeSnapshots cannot filter on those). A copy
of this source is a snapshot with our tag that the link confirms.

The copies of one source are looked up with DescribeSnapshots' tag filter (key and value: a
handful of snapshots). Many sources at once, and the DR run's listing of every copy, read the
destination's snapshots page by page instead and take the tags from the answers: a tag filter
returns at most 1,000 resources (ecs-20140526 DescribeSnapshotsRequest.Tag, DescribeDisksRequest.Tag),
so past that it would miss copies. The DR run finds its disks the same way, 500 a page.

CopySnapshot is sent in the source region with a ClientToken derived from the source, the
destination and the copy options: a resend after a lost answer, within the run or in a rerun,
gets ECS's first answer back instead of a second copy. ECS answers a token it has seen with that
first answer even once the copy it named is deleted ("How to ensure idempotence"): the engine reads
each copy back, and one that no read shows spends the token (token_spent), whose successor is
derived from the same request and the ids of the copies it named, so that two runs at once still
draw the same one. ECS requires a name and a description
for the copy (CopySnapshotRequest: DestinationSnapshotName, DestinationSnapshotDescription);
without the options, both say where the copy comes from. ECS refuses a destination equal to the
source region (InvalidOperation.NotSupportCopyInSameRegion): refused here before any call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import CloudError, InputError, PreflightError
from ...core.inputs import task_destinations
from ...core.model import COMPLETED, FAILED, PENDING, CopyRequest, Snapshot
from ...core.paging import token_pages
from ...core.tagging import SOURCE_TAG, numbered_tags, string_tags, tag_dict
from ...engine.capabilities import CopyAdapter
from .answers import links_to, listed
from .client import AlibabaClient
from .validate import (
    ECS_SNAPSHOT_ID,
    TAG_RULES,
    validate_description,
    validate_name,
    validate_region,
    validate_retention_days,
    validate_snapshot_id,
)

if TYPE_CHECKING:
    from typing import Self

    from ...core.retry import CallRetry

STATE_MAP: dict[str | None, str] = {'progressing': PENDING, 'accomplished': COMPLETED, 'failed': FAILED}
REQUEST_PACKAGE = 'aliyunsdkecs.request.v20140526'
# DescribeSnapshots takes up to 100 ids per call (ID_CHUNK), and MaxResults up to 100 (SNAPSHOT_PAGE_SIZE).
ID_CHUNK = 100
SNAPSHOT_PAGE_SIZE = 100
CLIENT_TOKEN_PREFIX = 'snapcopy-'
# CopySnapshot's request parameters that start_copy sends, and no others (None values are not sent; Tag: the repeat list
# Tag.N.Key / Tag.N.Value). test_copy_call_parameters.py (tests/unit/plugins/module_utils) holds them to the vendor's
# model (ecs-20140526 CopySnapshotRequest).
COPY_CALL_PARAMETERS = (
    'RegionId',
    'SnapshotId',
    'DestinationRegionId',
    'DestinationSnapshotName',
    'DestinationSnapshotDescription',
    'RetentionDays',
    'Encrypted',
    'KMSKeyId',
    'ClientToken',
    'Tag',
)
# The regions whose ECS endpoint is not ecs.<region>.aliyuncs.com (alibabacloud-ecs20140526
# Client._endpoint_map, its "regional" rule otherwise; a unit test holds them together).
ENDPOINT_EXCEPTIONS = {
    'ecs-cn-hangzhou.aliyuncs.com': (
        'cn-beijing-nu16-b01',
        'cn-fujian',
        'cn-haidian-cm12-c01',
        'cn-hangzhou',
        'cn-hangzhou-bj-b01',
        'cn-hangzhou-internal-prod-1',
        'cn-hangzhou-internal-test-1',
        'cn-hangzhou-internal-test-2',
        'cn-hangzhou-internal-test-3',
        'cn-hangzhou-test-306',
        'cn-shanghai-et15-b01',
        'cn-shanghai-et2-b01',
        'cn-shanghai-finance-1',
        'cn-shanghai-internal-test-1',
        'cn-shenzhen-finance-1',
        'cn-shenzhen-st4-d01',
        'cn-shenzhen-su18-b01',
        'cn-zhangbei-na61-b01',
    ),
    'ecs.aliyuncs.com': (
        'ap-northeast-2-pop',
        'cn-beijing-finance-pop',
        'cn-beijing-gov-1',
        'cn-hangzhou-finance',
        'cn-hongkong-finance-pop',
        'cn-north-2-gov-1',
        'cn-shanghai-inner',
        'cn-shenzhen-inner',
        'cn-wuhan',
        'cn-yushanfang',
        'cn-zhangbei',
        'rus-west-1-pop',
    ),
    'ecs.cn-qingdao-nebula.aliyuncs.com': ('cn-edge-1', 'cn-huhehaote-nebula-1', 'cn-zhengzhou-nebula-1'),
    'ecs.cn-zhangjiakou.aliyuncs.com': ('cn-zhangjiakou-na62-a01',),
    'ecs.cn-shenzhen-cloudstone.aliyuncs.com': ('eu-west-1-oxs',),
}


def ecs_endpoint(region: str | None) -> str:
    """ECS's endpoint for a region, as the vendor's V2 SDK chooses it: ENDPOINT_EXCEPTIONS, else
    ecs.<region>.aliyuncs.com. Not the installed V1 SDK's map, which older releases fill differently (4.24.0 sends
    Singapore to ecs-cn-hangzhou)."""
    for endpoint, regions in ENDPOINT_EXCEPTIONS.items():
        if region in regions:
            return endpoint
    return 'ecs.%s.aliyuncs.com' % region


def build_ecs_request(params: Mapping[str, Any]) -> CopyRequest:
    """The CopyRequest for ecs_snapshot_copy's options (validated by the adapter)."""
    options = {
        'name': params.get('name'),
        'description': params.get('description'),
        # 0 keeps the copy until it is deleted, as leaving the option out does (and as the role's 0 does):
        # CopySnapshot takes 1 to 65536, and without RetentionDays the copy is never released.
        'retention_days': params.get('retention_days') or None,
        'tags': params.get('tags') or {},
        'encrypted': bool(params.get('encrypted')),
        'kms_key_id': params.get('kms_key_id'),
    }
    return CopyRequest(params['source_snapshot_id'], params['source_region'], task_destinations(params), options)


def copy_name(request: CopyRequest) -> str:
    """The copy's name: the ``name`` option, or one that says what it is a copy of (ECS requires one)."""
    return request.options.get('name') or 'snapcopy-%s' % request.source_id


def copy_description(request: CopyRequest) -> str:
    """The copy's description: the ``description`` option, or where the copy comes from (ECS requires one)."""
    return request.options.get('description') or 'Copy of %s from %s, by snapcopy.cloud' % (
        request.source_id,
        request.source_region,
    )


def client_token(request: CopyRequest, destination: str, spent: Sequence[str] = ()) -> str:
    """The same request to the same destination always gets the same token (64 ASCII characters at most); ``spent`` are
    the copies earlier tokens of it named that the cloud no longer holds, each of which draws the next token."""
    options = request.options
    identity = [
        request.source_region,
        request.source_id,
        destination,
        options.get('name'),
        options.get('description'),
        options.get('retention_days'),
        sorted(string_tags(options.get('tags')).items()),
        bool(options.get('encrypted')),
        options.get('kms_key_id'),
    ]
    if spent:
        identity.append(list(spent))
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode('utf-8')).hexdigest()
    return CLIENT_TOKEN_PREFIX + digest[:48]


class EcsCopyAdapter(CopyAdapter):
    """What ecs_snapshot_copy and the copy engine use; the DR run's adapter (clouds/alibaba/ecs_dr.py) adds its
    capabilities."""

    cloud = 'Alibaba Cloud ECS'
    multi_destination = False
    copy_call_is_idempotent = True
    done_state = 'accomplished'
    sample_snapshot_id = 's-bp67acfmxazb4p0example'
    readable_options = (
        'encrypted',
        'kms_key_id',
        'tags',
        'name',
        'description',
        'retention_days',
    )  # an ECS copy answers all but where it is kept
    ids_per_describe = ID_CHUNK

    sdk_packages = 'aliyun-python-sdk-core and aliyun-python-sdk-ecs'
    client: AlibabaClient

    def __init__(self, client: AlibabaClient) -> None:
        self.client = client
        self._categories: dict[str, str | None] = {}
        # {(source tag, destination): the copies its tokens named that no read showed}, in the order met (token_spent).
        self._spent: dict[tuple[str | None, str], tuple[str, ...]] = {}

    @classmethod
    def from_connection(
        cls,
        connection: Mapping[str, Any],
        *,
        check_mode: bool = False,  # pylint: disable=unused-argument
        retry: CallRetry | None = None,
        sdk: dict[str, Any] | None = None,
    ) -> Self:
        return cls(
            AlibabaClient(
                'ecs', connection, default_endpoint=ecs_endpoint, request_package=REQUEST_PACKAGE, sdk=sdk, retry=retry
            )
        )

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request: CopyRequest) -> None:
        options = request.options
        validate_snapshot_id(request.source_id, ECS_SNAPSHOT_ID, 's-bp67acfmxazb4p0example')
        validate_region(request.source_region, 'source_region')
        if not request.destinations:
            raise InputError('destination_region', 'is required')
        # The engine sends one CopySnapshot per destination; the DR run may group several.
        for destination in request.destinations:
            validate_region(destination, 'destination_region')
            if destination == request.source_region:
                raise InputError(
                    'destination_region',
                    'cannot be the source region %s: ECS copies a snapshot to another region '
                    'only (it answers InvalidOperation.NotSupportCopyInSameRegion)' % destination,
                )
        validate_name(options.get('name'))
        validate_description(options.get('description'))
        validate_retention_days(options.get('retention_days'))
        TAG_RULES.validate(options.get('tags'))
        if options.get('kms_key_id') and not options.get('encrypted'):
            raise InputError('kms_key_id', 'is only used for an encrypted copy: set encrypted: true as well')

    # ------------------------------------------------------------------ reads
    def listing(
        self, region: str, action: str, params: Mapping[str, Any], items: tuple[str, str], size: int, **fixed: Any
    ) -> Iterator[dict[str, Any]]:
        """Every item that ``action`` lists in ``region`` for ``params``, all pages (NextToken): ``items`` are the keys of
        its answer's list, ``fixed`` what every page sends besides."""
        return token_pages(
            lambda page: self.client.call(action, dict(page, RegionId=region, **fixed), region),
            params,
            lambda answer: listed(answer, *items),
            size,
            action=action,
            region=region,
        )

    def _describe(self, region: str, params: Mapping[str, Any]) -> list[Snapshot]:
        items = self.listing(
            region, 'DescribeSnapshots', params, ('Snapshots', 'Snapshot'), SNAPSHOT_PAGE_SIZE, Status='all'
        )
        return [self.snapshot(item, region) for item in items]

    def describe_ids(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        # ECS answers an unknown id with an empty list, not an error (the base get_sources says it).
        return {snapshot.id: snapshot for snapshot in self._describe(region, {'SnapshotIds': json.dumps(snapshot_ids)})}

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        # Encrypted snapshots can be copied ("copies a standard or encrypted snapshot": CopySnapshot); local ones
        # cannot.
        if self._categories.get(source.id) == 'flash':
            raise PreflightError(
                'CopySnapshot',
                'OperationDenied.LocalSnapshot',
                'Local snapshots cannot be copied: '
                'source snapshot %s is a local snapshot (Category flash; checked before copying)' % source.id,
                fix='copy a standard snapshot of the disk: ECS copies no local snapshot',
                region=source.region,
            )

    def find_copies(self, destination: str, requests: Iterable[CopyRequest]) -> dict[str, list[Snapshot]]:
        wanted: dict[str | None, CopyRequest] = {request.source_tag: request for request in requests}
        if len(wanted) == 1:
            (tag,) = wanted
            snapshots = self._describe(destination, numbered_tags({SOURCE_TAG: tag}))
        else:
            # Many sources: one listing of the destination instead of one look-up per source.
            snapshots = self._describe(destination, {})
        found: dict[str, list[Snapshot]] = {}
        for snapshot in snapshots:
            request = wanted.get(snapshot.tags.get(SOURCE_TAG))
            if request is not None and links_to(snapshot, request):
                found.setdefault(request.source_tag, []).append(snapshot)
        return found

    # ------------------------------------------------------------------ the copy
    def token_spent(self, request: CopyRequest, destination: str, copy_id: str) -> bool:
        key = (request.source_tag, destination)
        spent = self._spent.get(key, ())
        if copy_id in spent:
            return False  # the new token named it too: not a replay, the copy is gone for another reason
        self._spent[key] = (*spent, copy_id)
        return True

    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        (destination,) = destinations
        options = request.options
        tags = request.copy_tags()
        values: dict[str, Any] = {
            'SnapshotId': request.source_id,
            'DestinationRegionId': destination,
            'DestinationSnapshotName': copy_name(request),
            'DestinationSnapshotDescription': copy_description(request),
            'RetentionDays': options.get('retention_days'),
            'KMSKeyId': options.get('kms_key_id'),
            'ClientToken': client_token(request, destination, self._spent.get((request.source_tag, destination), ())),
            'RegionId': request.source_region,
            'Encrypted': True if options.get('encrypted') else None,  # None: not sent
            'Tag': numbered_tags(tags),
        }
        params: dict[str, Any] = {}
        for name in COPY_CALL_PARAMETERS:
            params.update(values[name] if name == 'Tag' else {name: values[name]})
        answer = self._copy_client(request).call('CopySnapshot', params, request.source_region)
        return {
            destination: Snapshot(
                answer['SnapshotId'],
                destination,
                PENDING,
                cloud_state='progressing',
                progress=0,
                encrypted=True if options.get('encrypted') else None,
                tags=tags,
                name=values['DestinationSnapshotName'],
                description=values['DestinationSnapshotDescription'],
                source_id=request.source_id,
                source_region=request.source_region,
            )
        }

    def _copy_client(self, request: CopyRequest) -> AlibabaClient:  # pylint: disable=unused-argument  # a hook
        """The client that sends the CopySnapshot of ``request``: the adapter's. With dr_account, the DR account's
        (ecs_dr.EcsAdapter), which copies the source the DR run shared with it (dr.leases.combined)."""
        return self.client

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        self._categories[item['SnapshotId']] = item.get('Category')
        progress = str(item.get('Progress') or '').rstrip('%')
        extra: dict[str, Any] = {}
        if item.get('KMSKeyId'):
            extra['kms_key_id'] = item['KMSKeyId']
        if item.get('RetentionDays'):
            extra['retention_days'] = int(item['RetentionDays'])
        size: Any = item.get('SourceDiskSize')
        # ecs-20140526 DescribeSnapshotsResponseBodySnapshotsSnapshot.FullSnapshotSizeInBytes (int): the model gives the
        # field no words; read as EC2's field of the same name: what the snapshot holds, in bytes.
        full: Any = item.get('FullSnapshotSizeInBytes')
        return Snapshot(
            item['SnapshotId'],
            item.get('RegionId') or region,
            STATE_MAP.get(item.get('Status'), PENDING),
            cloud_state=item.get('Status'),
            progress=int(progress) if progress.isdigit() else None,
            encrypted=item.get('Encrypted'),
            tags=tag_dict(item.get('Tags')),
            size=int(size) if str(size or '').isdigit() else None,
            volume_id=item.get('SourceDiskId') or None,
            created=item.get('CreationTime'),
            name=item.get('SnapshotName') or None,
            description=item.get('Description') or None,
            source_id=item.get('SourceSnapshotId') or None,
            source_region=item.get('SourceRegionId') or None,
            extra=extra,
            full_bytes=int(full) if str(full or '').isdigit() else None,
        )
