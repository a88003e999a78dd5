# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the adapter for the copy engine (CopySnapshotCrossRegions; what the DR run adds is in
clouds/tencent/cbs_dr.py, which a copy module neither imports nor carries).

How copies are found again: CBS keeps no link from a copy to its source, so

* every copy gets a name that says where it comes from: the ``name`` option, or by default
  ``snapcopy-<source region>-<source snapshot id>``;
* right after the copy call, the Tag service puts the user's tags and
  ``snapcopy:source = <source region>/<source snapshot id>`` on it (CBS cannot tag a copy
  itself). The source tag is written last, so a copy that has it has all its tags;
* in the destination, a snapshot with ``CopyFromRemote`` and our source tag, or with the name
  and no source tag of another snapshot, is a copy of this source. A copy found without the
  source tag (its tagging was interrupted) is tagged now, so a rerun finishes the job;
* the DR run's pruning (``list_copies``, cbs_dr.py) takes the copies with our source tag, and those with the default
  name and no source tag: a copy whose tagging was interrupted is found (and tagged) only while its source is a disk's
  newest snapshot, so afterwards its name alone says which snapshot it copies;
* a copy in flight that is not found that way (started by hand, under another name) still
  shows in the source's ``CopyingToRegions``; it is recognised among the destination's copies
  in flight by its disk, or by Tencent's default name ``Copied <source id> ...``.

CopySnapshotCrossRegions has no idempotency token: after a lost answer the engine looks the
destinations up before calling again. It answers per region; a ``Code`` other than
``Success`` is that region's error inside a normal answer.

Only the filters that the API documents are sent (tencentcloud-sdk-python-cbs,
DescribeSnapshotsRequest.Filters: snapshot-id, snapshot-name, snapshot-state, disk-usage,
project-id, disk-id, encrypt, snapshot-type; no tag filter, unlike DescribeDisks). A few
sources are looked up by their copies' names; many, and the DR run's listing of every copy this
collection made, read the destination's snapshots page by page and take the tags from the
answers. So a copy renamed by hand is found by a listing (or, in flight, through
CopyingToRegions), not by a look-up of its name.

CBS answers ``CreateTime`` in Beijing time without a zone ("2024-05-01 08:00:00" is 00:00 UTC); every Snapshot made
here carries it as ISO 8601 UTC, so ages compare across clouds.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.cloud_clock import iso_utc
from ...core.errors import ALREADY_EXISTS, NOT_FOUND, RETRYABLE, CloudError, InputError, untagged_copy_error
from ...core.inputs import task_destinations
from ...core.model import COMPLETED, DELETING, PENDING, CopyRequest, Snapshot
from ...core.paging import offset_pages
from ...core.tagging import DISK_TAG, SOURCE_TAG, TagRules, source_tag_last, tag_dict, tag_list, with_copy_mark
from ...engine.capabilities import CopyAdapter, describe_in_batches
from .client import SDK_PACKAGES, TencentClient, classify, cloud_error, load_sdk

if TYPE_CHECKING:
    from typing import Self

    from ...core.retry import CallRetry

SNAPSHOT_ID = re.compile(r'^snap-[0-9a-z]{8}\Z')
REGION = re.compile(r'^[a-z]{2,}(?:-[a-z0-9]+)+\Z')
# SnapshotState values (DescribeSnapshotsRequest.Filters, snapshot-state); TORECYCLE: in the recycle bin.
STATE_MAP: dict[str | None, str] = {
    'NORMAL': COMPLETED,
    'ROLLBACKING': COMPLETED,
    'CREATING': PENDING,
    'COPYING_FROM_REMOTE': PENDING,
    'CHECKING_COPIED': PENDING,
    'TORECYCLE': DELETING,
}
IN_FLIGHT_STATES = ['COPYING_FROM_REMOTE', 'CHECKING_COPIED']
CONFLICT = 'ResourceInUse.CopySnapshotConflict'
MAX_NAME = 60
# CopySnapshotCrossRegions' request parameters that start_copy sends, and no others. test_copy_call_parameters.py
# (tests/unit/plugins/module_utils) holds them to the vendor's model (the Tencent SDK's cbs v20170312 models.py).
COPY_CALL_PARAMETERS = ('SnapshotId', 'DestinationRegions', 'SnapshotName')
# Tencent Cloud's tag restrictions, the stricter of two sources. The Tag service's use limits
# (cloud.tencent.com/document/product/651/13354): "1个资源最多可以绑定50个标签" (50 a resource), "qcs:、project、项目开头的
# 标签键为系统预留标签键" (keys starting with qcs:, project or 项目 are reserved), keys of 1 to 127 and values of "最少为1, 最多
# 为255个 Unicode 字符" (1 to 255). The SDK's error codes (tencentcloud tag v20180813 errorcodes.py,
# InvalidParameterValue.ReservedTagKey): "系统预留标签键 qcloud、tencent和project 禁止创建", and
# InvalidParameterValue.TagValueEmpty "标签值不能为空值". Every prefix of both is reserved, in any case; no empty value.
TAG_RULES = TagRules(
    'Tencent Cloud',
    max_tags=50,
    key_length=127,
    value_length=255,
    min_value_length=1,
    reserved_prefixes=('qcloud', 'tencent', 'project', 'qcs:', '项目'),
)
PAGE_SIZE = 100
IDS_PER_CALL = 100
# Values per filter: small on purpose, since several Tencent APIs refuse more than 5.
FILTER_VALUES = 5
# From this many disk-id calls on, a look at the region's size may show that listing it is cheaper.
# Past this many sources, one paged listing of the destination (100 snapshots a call) costs
# fewer calls than looking up each source's copy names (5 values a filter).
LISTING_THRESHOLD = 10
# TagResources and UnTagResources take at most 9 resources, and 9 tags or tag keys, a call: the tag 2018-08-13 models
# give "N from 0 to 9" for ResourceList, Tags and TagKeys alike, read as at most 9 (as fakecloud's conformance test
# reads it).
TAG_RESOURCES_PER_CALL = 9
TAGS_PER_CALL = 9
# AttachResourcesTag and DetachResourcesTag: one tag key and "up to 50 resources" a call (ResourceIds.N), named by the
# parts of their six-segment names: service type, prefix and region (tag 2018-08-13 AttachResourcesTagRequest).
RESOURCE_IDS_PER_CALL = 50
SNAPSHOT_SERVICE_TYPE, SNAPSHOT_RESOURCE_PREFIX = 'cvm', 'snapshot'
# CBS gives times in China Standard Time, which has no daylight saving.
CHINA_STANDARD_TIME = datetime.timezone(datetime.timedelta(hours=8), 'CST')


def build_cbs_request(params: Mapping[str, Any]) -> CopyRequest:
    """The CopyRequest for cbs_snapshot_copy's options (validated later by the adapter)."""
    options = {'name': params.get('name'), 'tags': params.get('tags') or {}}  # as given: the tag rules see duplicates
    return CopyRequest(params['source_snapshot_id'], params['source_region'], task_destinations(params), options)


def copy_name(request: CopyRequest) -> str:
    """The copy's name: the one asked for, or one derived from the source, so a rerun finds it."""
    return request.options.get('name') or default_copy_name(request.source_region, request.source_id)


def default_copy_name(source_region: str, source_id: str) -> str:
    return ('snapcopy-%s-%s' % (source_region, source_id))[:MAX_NAME]


def utc_time(text: object) -> str | None:
    """A CBS time ("YYYY-MM-DD HH:MM:SS" in China Standard Time) as ISO 8601 UTC; None when absent or unreadable.

    A time that already names its zone is converted from that zone.
    """
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(str(text).strip().replace(' ', 'T').replace('Z', '+00:00'))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_STANDARD_TIME)
    return iso_utc(value)


def utc_now() -> str:
    """Now, as ISO 8601 UTC: the creation time of a snapshot this process just asked for."""
    return iso_utc(datetime.datetime.now(datetime.timezone.utc))


def resource_name(snapshot: Snapshot) -> str:
    return snapshot_resource_name(snapshot.region, snapshot.id)


def snapshot_resource_name(region: str, snapshot_id: str) -> str:
    """The Tag service's six-segment name of a CBS snapshot (the account id may be left empty)."""
    return 'qcs::%s:%s:uin/:%s/%s' % (SNAPSHOT_SERVICE_TYPE, region, SNAPSHOT_RESOURCE_PREFIX, snapshot_id)


# pylint: disable-next=abstract-method  # a base: CbsCopyAdapter makes the copies
class CbsSnapshots(CopyAdapter):
    """CBS snapshots read, listed and tagged, in the account of a client: what the copy adapter (CbsCopyAdapter) and the
    DR run's adapter build on."""

    client: TencentClient

    def __init__(self, client: TencentClient, check_mode: bool = False) -> None:
        """``check_mode``: a copy under way that cannot be told apart is reported without an id (no
        copy call may be made to learn more), instead of left to the copy call's conflict answer."""
        self.client = client
        # The account whose copies are made and tagged here (the source account's; with dr_account, the DR run's adapter
        # routes ``client`` by region, and its copies are staged in the DR regions with this one).
        self.staging_client = client
        self.check_mode = check_mode
        # The source snapshots as last read, for telling a copy of them from a copy of another.
        self._sources: dict[tuple[str, str], dict[str, Any]] = {}

    def describe_ids(self, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        return self.describe_ids_with(self.client, region, snapshot_ids)

    def describe_with(self, client: TencentClient, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        """describe in the account of ``client``."""
        return describe_in_batches(
            functools.partial(self.describe_ids_with, client, region), snapshot_ids, self.ids_per_describe
        )

    def describe_ids_with(self, client: TencentClient, region: str, snapshot_ids: Sequence[str]) -> dict[str, Snapshot]:
        """describe_ids in the account of ``client``."""
        # DescribeSnapshots answers an empty set for an unknown id (the base get_sources says it),
        # but refuses a batch in which one id is malformed or gone for good: then they are asked one by one.
        try:
            answer = client.call(
                'cbs', region, 'DescribeSnapshots', {'SnapshotIds': list(snapshot_ids), 'Limit': PAGE_SIZE}
            )
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            if len(snapshot_ids) == 1:
                return {}
            found: dict[str, Snapshot] = {}
            for snapshot_id in snapshot_ids:
                found.update(self.describe_ids_with(client, region, [snapshot_id]))
            return found
        found = {}
        for item in answer.get('SnapshotSet') or []:
            # The whole answer is kept: find_copies reads a source's DiskId and CopyingToRegions.
            self._sources[(region, item['SnapshotId'])] = item
            found[item['SnapshotId']] = self.snapshot(item, region)
        return found

    def _describe_items(self, region: str, snapshot_ids: list[str]) -> dict[str, dict[str, Any]]:
        """{id: DescribeSnapshots item} for those ids, read now (describe_ids keeps them); unknown ones are left out."""
        found = self.describe(region, snapshot_ids)
        return {snapshot_id: self._sources[(region, snapshot_id)] for snapshot_id in found}

    def list_snapshots(
        self, region: str, filters: Sequence[Mapping[str, Any]], client: TencentClient | None = None
    ) -> dict[str, dict[str, Any]]:
        """Every snapshot in ``region`` matching ``filters``, all pages (``client``: the account's, by default the
        adapter's)."""
        return self.list_pages(region, 'DescribeSnapshots', 'SnapshotSet', 'SnapshotId', filters, client=client)

    # pylint: disable-next=too-many-arguments
    def list_pages(
        self,
        region: str,
        action: str,
        set_name: str,
        id_name: str,
        filters: Sequence[Mapping[str, Any]],
        first: dict[str, Any] | None = None,
        client: TencentClient | None = None,
    ) -> dict[str, dict[str, Any]]:
        """{id: item} for every item of a Describe action matching ``filters``, all pages; ``first``: the answer
        for the first page, when it is read already."""
        caller = client or self.client
        items = offset_pages(
            lambda page: caller.call('cbs', region, action, page),
            {'Filters': filters} if filters else {},
            lambda answer: answer.get(set_name) or [],
            PAGE_SIZE,
            first=first,
        )
        return {item[id_name]: item for item in items}

    def _tag_made(self, made: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        """Tag the copies one copy call made: in one go, or, for a DR run, each with its own id too (COPY_TAG), in the
        same TagResources call, so that marking a DR copy costs no call of its own."""
        if DISK_TAG not in tags:
            return self._set_tags(made, tags)
        failures: dict[str, CloudError] = {}
        for copy in made:
            failures.update(self._set_tags([copy], with_copy_mark(tags, copy.id)))
        return failures

    def _set_tags(
        self, snapshots: Sequence[Snapshot], tags: dict[str, str], client: TencentClient | None = None
    ) -> dict[str, CloudError]:
        """Put ``tags`` on ``snapshots`` with TagResources; answer {snapshot id: CloudError} for those that failed.
        ``client``: the account that holds them, by default the source account (the Tag service has no region).

        The source tag goes in the last call, so its presence on a copy means all tags are there.
        """
        caller = client or self.staging_client
        pairs = source_tag_last(tags)
        failures: dict[str, CloudError] = {}
        for start in range(0, len(snapshots), TAG_RESOURCES_PER_CALL):
            group = {
                resource_name(snapshot): snapshot for snapshot in snapshots[start : start + TAG_RESOURCES_PER_CALL]
            }
            for tag_start in range(0, len(pairs), TAGS_PER_CALL):
                pending = [resource for resource, snapshot in group.items() if snapshot.id not in failures]
                if not pending:
                    break
                chunk = tag_list(pairs[tag_start : tag_start + TAGS_PER_CALL], 'TagKey', 'TagValue')
                try:
                    answer = caller.call('tag', None, 'TagResources', {'ResourceList': pending, 'Tags': chunk})
                except CloudError as error:
                    for resource in pending:
                        failures[group[resource].id] = error
                    continue
                for failed in answer.get('FailedResources') or []:
                    snapshot = group.get(failed.get('Resource'))
                    if snapshot is not None:
                        failures[snapshot.id] = tag_error(snapshot, failed, answer.get('RequestId'))
        for snapshot in snapshots:
            if snapshot.id not in failures:
                snapshot.tags.update(tags)
        return failures

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        state = item.get('SnapshotState')
        percent = item.get('Percent')
        return Snapshot(
            item['SnapshotId'],
            region,
            STATE_MAP.get(state, PENDING),
            cloud_state=state,
            progress=percent if isinstance(percent, int) else None,
            encrypted=item.get('Encrypt'),
            tags=tag_dict(item.get('Tags')),
            # "创建此快照的云硬盘大小" (the size of the disk the snapshot was made of), in GiB (cbs 2017-03-12
            # Snapshot.DiskSize): no field states what the snapshot holds, so dr_sync's plan takes the disk's size, an
            # upper bound (dr.plan).
            size=item.get('DiskSize'),
            volume_id=item.get('DiskId') or None,
            created=utc_time(item.get('CreateTime')),
            name=item.get('SnapshotName'),
        )


class CbsCopyAdapter(CbsSnapshots):
    """What cbs_snapshot_copy and the copy engine use; the DR run's adapter (clouds/tencent/cbs_dr.py) adds its
    capabilities."""

    cloud = 'Tencent Cloud CBS'
    multi_destination = True
    copy_call_is_idempotent = False
    done_state = 'NORMAL'
    sample_snapshot_id = 'snap-0abc1234'
    readable_options = ('tags', 'name')

    ids_per_describe = IDS_PER_CALL
    sdk_packages = SDK_PACKAGES

    @classmethod
    def from_connection(
        cls,
        connection: Mapping[str, Any],
        *,
        check_mode: bool = False,
        retry: CallRetry | None = None,
        sdk: dict[str, Any] | None = None,
    ) -> Self:
        return cls(TencentClient(connection, sdk or load_sdk(), retry=retry), check_mode=check_mode)

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request: CopyRequest) -> None:
        if not SNAPSHOT_ID.match(request.source_id or ''):
            raise InputError(
                'source_snapshot_id', 'expected a CBS snapshot id like snap-0abc1234, got %r' % (request.source_id,)
            )
        if not REGION.match(request.source_region or ''):
            raise InputError(
                'source_region', 'expected a Tencent Cloud region like ap-guangzhou, got %r' % (request.source_region,)
            )
        if not request.destinations:
            raise InputError('destination_regions', 'name at least one region to copy to')
        for region in request.destinations:
            if not REGION.match(region or ''):
                raise InputError(
                    'destination_regions', 'expected Tencent Cloud regions like ap-beijing, got %r' % (region,)
                )
        if request.source_region in request.destinations:
            raise InputError(
                'destination_regions',
                'cannot include the source region %s: '
                'CopySnapshotCrossRegions copies to other regions only' % request.source_region,
            )
        name = request.options.get('name')
        if name is not None and not 1 <= len(name) <= MAX_NAME:
            raise InputError('name', 'is 1 to %d characters, got %d' % (MAX_NAME, len(name)))
        TAG_RULES.validate(request.options.get('tags'))

    # ------------------------------------------------------------------ finding copies
    def find_copies(self, destination: str, requests: Sequence[CopyRequest]) -> dict[str, list[Snapshot]]:
        return self.find_copies_with(self.client, destination, requests)

    def find_copies_with(
        self, client: TencentClient, destination: str, requests: Sequence[CopyRequest]
    ) -> dict[str, list[Snapshot]]:
        """find_copies in the account of ``client``."""
        by_tag = {request.source_tag: request for request in requests}
        by_name: dict[str, list[CopyRequest]] = {}
        for request in requests:
            for name in sorted({copy_name(request), default_copy_name(request.source_region, request.source_id)}):
                by_name.setdefault(name, []).append(request)
        items: dict[str, dict[str, Any]] = {}
        if len(requests) > LISTING_THRESHOLD:
            items = self.list_snapshots(destination, [], client)
        else:
            names = sorted(by_name)
            for start in range(0, len(names), FILTER_VALUES):
                items.update(
                    self.list_snapshots(
                        destination, [{'Name': 'snapshot-name', 'Values': names[start : start + FILTER_VALUES]}], client
                    )
                )
        found: dict[str, list[Snapshot]] = {}
        for item in items.values():
            owner = self._owner(item, by_tag, by_name) if item.get('CopyFromRemote') else None
            if owner is not None:
                found.setdefault(owner.source_tag, []).append(self.snapshot(item, destination))
        missing = [request for request in requests if request.source_tag not in found]
        if missing:
            self._find_in_flight(client, destination, missing, found)
        return found

    def complete_copies(  # pylint: disable=unused-argument
        self, destination: str, requests: Sequence[CopyRequest], found: Mapping[str, Sequence[Snapshot]]
    ) -> None:
        """Tag the copies found without our source tag (a run before was cut short while tagging)."""
        self._finish_tagging(requests, found)

    def _owner(
        self, item: Mapping[str, Any], by_tag: Mapping[str, CopyRequest], by_name: Mapping[str, Sequence[CopyRequest]]
    ) -> CopyRequest | None:
        """The request whose source ``item`` (a copy in the destination) was copied from, if any."""
        tag = tag_dict(item.get('Tags')).get(SOURCE_TAG)
        if tag:
            return by_tag.get(tag)
        for request in by_name.get(item.get('SnapshotName') or '', ()):
            if not self._other_disk(request, item):
                return request
        return None

    def _other_disk(self, request: CopyRequest, item: Mapping[str, Any]) -> bool:
        """True when ``item`` is clearly a copy of another disk than the source's."""
        source = self._sources.get((request.source_region, request.source_id)) or {}
        return any(
            source.get(field) and item.get(field) and source[field] != item[field] for field in ('DiskId', 'DiskSize')
        )

    def _find_in_flight(
        self, client: TencentClient, destination: str, requests: Sequence[CopyRequest], found: dict[str, list[Snapshot]]
    ) -> None:
        """Copies under way that the source lists in CopyingToRegions but no name or tag gave away."""
        busy: list[CopyRequest] = []
        for region in sorted({request.source_region for request in requests}):
            group = [request for request in requests if request.source_region == region]
            sources = self._describe_items(region, sorted({request.source_id for request in group}))
            busy.extend(
                request
                for request in group
                if destination in (sources.get(request.source_id, {}).get('CopyingToRegions') or ())
            )
        if not busy:
            return
        in_flight = self.list_snapshots(destination, [{'Name': 'snapshot-state', 'Values': IN_FLIGHT_STATES}], client)
        for request in busy:
            source = self._sources.get((request.source_region, request.source_id)) or {}
            matches = [
                item
                for item in in_flight.values()
                if item.get('CopyFromRemote')
                and not tag_dict(item.get('Tags')).get(SOURCE_TAG)
                and (
                    str(item.get('SnapshotName') or '').startswith('Copied %s' % request.source_id)
                    or (
                        source.get('DiskId')
                        and item.get('DiskId') == source['DiskId']
                        and not self._other_disk(request, item)
                    )
                )
            ]
            if len(matches) == 1:
                found[request.source_tag] = [self.snapshot(matches[0], destination)]
            elif self.check_mode:
                # No copy call may be made to learn more: report the copy under way, without an id (None, which
                # core.model's Snapshot.id, typed str, does not allow for).
                found[request.source_tag] = [
                    Snapshot(
                        None,  # type: ignore[arg-type]
                        destination,
                        PENDING,
                        cloud_state='COPYING_FROM_REMOTE',
                        created=utc_now(),
                        message='a copy to %s is under way (the source lists it in CopyingToRegions), '
                        'but it cannot be told apart from other copies yet' % destination,
                    )
                ]
            # Otherwise the copy call answers ResourceInUse.CopySnapshotConflict, and the engine
            # looks again after a pause.

    def _finish_tagging(self, requests: Sequence[CopyRequest], found: Mapping[str, Sequence[Snapshot]]) -> None:
        """Tag the copies found without our source tag (a run before was interrupted)."""
        for request in requests:
            untagged = [
                snapshot
                for snapshot in found.get(request.source_tag, ())
                if snapshot.id and snapshot.tags.get(SOURCE_TAG) != request.source_tag
            ]
            if not untagged:
                continue
            failures = self._set_tags(untagged, request.copy_tags(), self.staging_client)
            if failures:
                ids = ', '.join(sorted(failures))
                error = next(iter(failures.values()))
                raise CloudError(
                    error.action,
                    error.code,
                    '%s. Found the copies %s of %s but could not set their tags; '
                    'fix the cause and run again' % (error.message.rstrip('.'), ids, request.source_tag),
                    request_id=error.request_id,
                    kind=error.kind,
                    region=error.region,
                )

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request: CopyRequest, destinations: Sequence[str]) -> dict[str, Snapshot | CloudError]:
        name = copy_name(request)
        results: dict[str, Snapshot | CloudError] = {}
        try:
            answer = self._copy_call(request, destinations, name)
        except CloudError as error:
            if error.code != CONFLICT:
                raise
            # One busy region refuses the whole call: copy to the others, and let the engine look
            # the busy ones up again (the copy under way there is found and reported).
            sources = self._describe_items(request.source_region, [request.source_id])
            busy = set(sources.get(request.source_id, {}).get('CopyingToRegions') or ()) & set(destinations)
            free = [destination for destination in destinations if destination not in busy]
            if not busy or not free:
                raise
            for destination in busy:
                results[destination] = CloudError(
                    error.action,
                    error.code,
                    'a copy of %s to %s is already under way' % (request.source_id, destination),
                    request_id=error.request_id,
                    kind=ALREADY_EXISTS,
                    region=destination,
                )
            answer = self._copy_call(request, free, name)
        made: list[Snapshot] = []
        for item in answer.get('SnapshotCopyResultSet') or []:
            region = item.get('DestinationRegion')
            if region not in destinations or region in results:
                continue
            if item.get('Code') == 'Success' and item.get('SnapshotId'):
                copy = Snapshot(
                    item['SnapshotId'],
                    region,
                    PENDING,
                    cloud_state='COPYING_FROM_REMOTE',
                    progress=0,
                    name=name,
                    created=utc_now(),
                )
                results[region] = copy
                made.append(copy)
            else:
                results[region] = cloud_error(
                    'CopySnapshotCrossRegions',
                    region,
                    item.get('Code') or 'Unknown',
                    item.get('Message'),
                    answer.get('RequestId'),
                )
        if made:
            for snapshot_id, tagging_error in self._tag_made(made, request.copy_tags()).items():
                copy = next(snapshot for snapshot in made if snapshot.id == snapshot_id)
                results[copy.region] = untagged_copy_error(
                    copy.id, copy.region, tagging_error, may_pass=tagging_error.kind == RETRYABLE
                )
            self._copies_made(made)
        return results

    def _copies_made(self, made: Sequence[Snapshot]) -> None:
        """After the copies one copy call made are tagged: nothing more here. With dr_account, each is the source
        account's, staged for the DR account (cbs_dr.CbsAdapter)."""

    def _copy_call(self, request: CopyRequest, destinations: Sequence[str], name: str) -> dict[str, Any]:
        values = {'SnapshotId': request.source_id, 'DestinationRegions': list(destinations), 'SnapshotName': name}
        return self.client.call(
            'cbs',
            request.source_region,
            'CopySnapshotCrossRegions',
            {parameter: values[parameter] for parameter in COPY_CALL_PARAMETERS},
        )


def tag_error(snapshot: Snapshot, failed: Mapping[str, Any], request_id: str | None) -> CloudError:
    """The CloudError for one resource in TagResources' FailedResources."""
    code = failed.get('Code') or 'Unknown'
    error = cloud_error('TagResources', snapshot.region, code, failed.get('Message'), request_id)
    if classify(code) == NOT_FOUND:
        # A copy made a moment ago may not be known to the Tag service yet.
        error.kind = RETRYABLE
    return error
