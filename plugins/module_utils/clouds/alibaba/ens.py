"""Alibaba Cloud ENS (edge nodes): the adapter for the copy engine (what the DR run adds is in
clouds/alibaba/ens_dr.py, which a copy module neither imports nor carries).

How copies are found: ENS keeps SourceSnapshotId and SourceEnsRegionId on every copy, so the
adapter lists each destination node's snapshots (DescribeSnapshots cannot filter on the
source) and picks those that point at the source. ENS's CopySnapshot takes no ClientToken:
one call covers every node still missing a copy, and before any retry of it the engine looks
the nodes up again, so a lost answer never turns into a second copy.

How copies are told from other people's: ENS snapshots carry no tags (the ENS tag API takes
ResourceType ``instance`` only, and DescribeSnapshots answers none: ens-20171110
TagResourcesRequest, DescribeSnapshotsResponseBody). So CopySnapshot writes a marker at the end
of each copy's description, ``[snapcopy source=<node>/<id> disk=<node>/<disk id>]`` (see
core.tagging.description_marker): it is there from the first moment, with no second call that could
fail. ``list_copies`` (ens_dr.py), what the DR run may prune, returns only copies whose marker names the
source that ENS's own link names. A copy of the source without the marker (made by hand, or by
0.1.0, which tried to tag snapshots) is still found, so no second copy is made, but it is never
pruned.

The answer lists the nodes that got a copy (AllocationId) and those that did not
(UnAllocationId, with BizStatusCode PartSuccess). A node that did not is reported as failed
for that node only; a rerun finds the copies made and copies only to the nodes still missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import INVALID, CloudError, InputError
from ...core.inputs import task_destinations
from ...core.model import COMPLETED, DELETING, FAILED, PENDING, CopyRequest, Snapshot
from ...core.paging import numbered_pages
from ...core.tagging import MARKER_KEYS, description_marker, marked_description, split_marker
from ...engine.capabilities import CopyAdapter
from .answers import links_to, listed
from .client import AlibabaClient
from .validate import (
    ENS_SNAPSHOT_ID,
    REGION_ID,
    TAG_RULES,
    validate_description,
    validate_ens_name,
    validate_region,
    validate_snapshot_id,
)

if TYPE_CHECKING:
    from typing import Self

    from ...core.retry import CallRetry

# Snapshot Status values (ens-20171110 DescribeSnapshotsResponseBodySnapshotsSnapshot.Status).
STATE_MAP: dict[str | None, str] = {'creating': PENDING, 'available': COMPLETED, 'error': FAILED, 'deleting': DELETING}
REQUEST_PACKAGE = 'aliyunsdkens.request.v20171110'
# The ENS API's endpoint, chosen as the vendor's V2 SDK chooses it (alibabacloud-ens20171110,
# Client._endpoint_map and its "regional" rule): ens.aliyuncs.com for these regions of the China
# site, ens.<region>.aliyuncs.com for the others (international accounts: ap-southeast-1). The
# API region is not the node: every node is reached through the account's one ENS endpoint.
CHINA_SITE_ENDPOINT = 'ens.aliyuncs.com'
CHINA_SITE_REGIONS = (
    'cn-beijing',
    'cn-chengdu',
    'cn-hangzhou',
    'cn-heyuan',
    'cn-shanghai',
    'cn-wulanchabu',
    'cn-zhangjiakou',
)
# DescribeSnapshots' SnapshotId takes up to 100 ids (a JSON array); its PageSize has no documented maximum.
ID_CHUNK = 100
SNAPSHOT_PAGE_SIZE = 100
NODE_ID = 'an ENS node id like cn-hangzhou-26'
# CopySnapshot's InstanceBillingCycle (ens-20171110 CopySnapshotRequest).
BILLING_CYCLES = ('Hour', 'Day', 'Month')
MAX_DESCRIPTION = 256
# CopySnapshot's request parameters that start_copy sends, and no others (None values are not sent).
# test_copy_call_parameters.py (tests/unit/plugins/module_utils) holds them to the vendor's model (ens-20171110
# CopySnapshotRequest).
COPY_CALL_PARAMETERS = (
    'SnapshotId',
    'DestinationRegionIds',
    'DestinationSnapshotName',
    'DestinationSnapshotDescription',
    'InstanceBillingCycle',
)


def ens_endpoint(api_region: str | None = None) -> str:
    """The ENS endpoint for ``alicloud_region`` (None: the China site's)."""
    if not api_region or api_region in CHINA_SITE_REGIONS:
        return CHINA_SITE_ENDPOINT
    return 'ens.%s.aliyuncs.com' % api_region


def ens_client(
    connection: Mapping[str, Any], sdk: dict[str, Any] | None = None, retry: CallRetry | None = None
) -> AlibabaClient:
    api_region = connection.get('alicloud_region') or None  # an AWX credential injects '' when the field is empty
    # The client first: a missing SDK or credentials are said before a bad alicloud_region.
    client = AlibabaClient(
        'ens',
        connection,
        default_endpoint=lambda node: ens_endpoint(api_region),
        request_package=REQUEST_PACKAGE,
        sdk=sdk,
        retry=retry,
    )
    if api_region is not None and not REGION_ID.match(api_region):
        raise InputError(
            'alicloud_region', 'expected an Alibaba Cloud region like ap-southeast-1, got %r' % (api_region,)
        )
    return client


def build_ens_request(params: Mapping[str, Any]) -> CopyRequest:
    """The CopyRequest for ens_snapshot_copy's options (validated by the adapter)."""
    options = {
        'name': params.get('name'),
        'description': params.get('description'),
        'instance_billing_cycle': params.get('instance_billing_cycle'),
    }
    return CopyRequest(params['source_snapshot_id'], params['source_region'], task_destinations(params), options)


def copy_marker_tags(request: CopyRequest) -> dict[str, str]:
    """What the description marker of a copy of ``request`` holds (the source, and the disk in a DR run)."""
    tags = request.copy_tags()
    return {key: tags[key] for key in MARKER_KEYS if key in tags}


class EnsCopyAdapter(CopyAdapter):
    """What ens_snapshot_copy and the copy engine use; the DR run's adapter (clouds/alibaba/ens_dr.py) adds its
    capabilities."""

    cloud = 'Alibaba Cloud ENS'
    multi_destination = True
    copy_call_is_idempotent = False
    done_state = 'available'
    sample_snapshot_id = 'sp-bp1c0doj0taqyzzlexample'
    readable_options = ('name', 'description')
    ids_per_describe = ID_CHUNK
    region_word = 'node'

    sdk_packages = 'aliyun-python-sdk-core and aliyun-python-sdk-ens'
    client: AlibabaClient

    def __init__(self, client: AlibabaClient) -> None:
        self.client = client

    @classmethod
    def from_connection(
        cls,
        connection: Mapping[str, Any],
        *,
        check_mode: bool = False,  # pylint: disable=unused-argument
        retry: CallRetry | None = None,
        sdk: dict[str, Any] | None = None,
    ) -> Self:
        return cls(ens_client(connection, sdk, retry))

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request: CopyRequest) -> None:
        options = request.options
        validate_snapshot_id(request.source_id, ENS_SNAPSHOT_ID, 'sp-bp1c0doj0taqyzzlexample')
        validate_region(request.source_region, 'source_region', NODE_ID)
        if not request.destinations:
            raise InputError('destination_regions', 'name at least one destination node')
        for node in request.destinations:
            validate_region(node, 'destination_regions', NODE_ID)
        if len(request.destinations) > ID_CHUNK:
            raise InputError(
                'destination_regions', 'at most %d nodes per task, got %d' % (ID_CHUNK, len(request.destinations))
            )
        validate_ens_name(options.get('name'))
        validate_description(options.get('description'))
        TAG_RULES.validate(options.get('tags'))
        marker = description_marker(copy_marker_tags(request))
        room = MAX_DESCRIPTION - len(marker) - 1
        if options.get('description') and len(options['description']) > room:
            raise InputError(
                'description',
                'at most %d characters here, got %d: the rest of the 256 that ENS allows holds '
                'the marker %s, by which this collection finds its copies'
                % (room, len(options['description']), marker),
            )
        cycle = options.get('instance_billing_cycle')
        if cycle is not None and cycle not in BILLING_CYCLES:
            raise InputError(
                'instance_billing_cycle', 'expected one of %s, got %r' % (', '.join(BILLING_CYCLES), cycle)
            )

    # ------------------------------------------------------------------ reads
    def _describe(self, node: str, params: Mapping[str, Any], at_most: int | None = None) -> list[Snapshot]:
        def call(page_params: dict[str, Any]) -> dict[str, Any]:
            return self.client.call('DescribeSnapshots', dict(page_params, EnsRegionId=node), node)

        items = numbered_pages(
            call, params, lambda answer: listed(answer, 'Snapshots', 'Snapshot'), SNAPSHOT_PAGE_SIZE, at_most
        )
        return [self.snapshot(item, node) for item in items]

    def describe_ids(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        # One id as itself, several as a JSON array (ENS takes both in SnapshotId); a page of them all is the last.
        ids = json.dumps(snapshot_ids) if len(snapshot_ids) > 1 else snapshot_ids[0]
        return {
            snapshot.id: snapshot
            for snapshot in self._describe(region, {'SnapshotId': ids}, len(snapshot_ids))
            if snapshot.region == region
        }

    def find_copies(self, destination: str, requests: Iterable[CopyRequest]) -> dict[str, list[Snapshot]]:
        """Every copy of each source on the node, by ENS's link (with our marker or not: no second copy)."""
        found: dict[str, list[Snapshot]] = {}
        snapshots = self._describe(destination, {})
        for request in requests:
            copies = [snapshot for snapshot in snapshots if links_to(snapshot, request)]
            if copies:
                found[request.source_tag] = copies
        return found

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        options = request.options
        marker_tags = copy_marker_tags(request)
        values = {
            'SnapshotId': request.source_id,
            'DestinationRegionIds': json.dumps(list(destinations)),
            'DestinationSnapshotName': options.get('name'),
            'DestinationSnapshotDescription': marked_description(options.get('description'), marker_tags),
            'InstanceBillingCycle': options.get('instance_billing_cycle'),
        }
        params = {name: values[name] for name in COPY_CALL_PARAMETERS}
        answer = self.client.call('CopySnapshot', params, request.source_region)
        results: dict[str, Snapshot | CloudError] = {}
        for allocation in answer.get('AllocationId') or []:
            node = allocation.get('EnsRegionId')
            ids = allocation.get('InstanceId') or []
            if isinstance(ids, str):
                ids = [ids]
            if node in destinations and ids:
                results[node] = Snapshot(
                    ids[0],
                    node,
                    PENDING,
                    cloud_state='creating',
                    name=options.get('name'),
                    description=options.get('description'),
                    tags=dict(marker_tags),
                    source_id=request.source_id,
                    source_region=request.source_region,
                )
        status = answer.get('BizStatusCode') or 'PartSuccess'
        for refusal in answer.get('UnAllocationId') or []:
            node = refusal.get('EnsRegionId')
            if node in destinations and node not in results:
                results[node] = CloudError(
                    'CopySnapshot',
                    status,
                    'ENS did not copy snapshot %s to node %s (it is listed in UnAllocationId); '
                    'the copies to the other nodes were made. Check the node (quota, stock, sales restrictions) and '
                    'run again: only the nodes still missing a copy are copied to' % (request.source_id, node),
                    request_id=answer.get('RequestId'),
                    kind=INVALID,
                    region=node,
                )
        # A node in neither list is left out: the engine looks it up before trying it again.
        return results

    @staticmethod
    def snapshot(item: Mapping[str, Any], node: str) -> Snapshot:
        description, marker_tags = split_marker(item.get('Description'))
        return Snapshot(
            item['SnapshotId'],
            item.get('EnsRegionId') or node,
            STATE_MAP.get(str(item.get('Status')).lower(), PENDING),
            cloud_state=item.get('Status'),
            progress=None,
            tags=marker_tags,
            # "The disk capacity. Unit: MiB." (ens-20171110 DescribeSnapshotsResponseBodySnapshots.Size): no field
            # states what the snapshot holds, so dr_sync's plan takes the disk's size, an upper bound (dr.plan).
            size=size_gib(item.get('Size')),
            volume_id=item.get('SourceDiskId') or None,
            created=item.get('CreationTime'),
            name=item.get('SnapshotName') or None,
            description=description,
            source_id=item.get('SourceSnapshotId') or None,
            source_region=item.get('SourceEnsRegionId') or None,
        )


def size_gib(size: object) -> int | None:
    """ENS sizes are in MiB (text in DescribeSnapshots, a number in DescribeDisks): whole GiB, or None."""
    text = str(size if size is not None else '')
    return int(text) // 1024 if text.isdigit() else None
