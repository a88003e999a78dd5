# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ENS (edge nodes): the adapter for the copy engine.

How copies are found: ENS keeps SourceSnapshotId and SourceEnsRegionId on every copy, so the
adapter lists each destination node's snapshots (DescribeSnapshots cannot filter on the
source) and picks those that point at the source. ENS's CopySnapshot takes no ClientToken:
one call covers every node still missing a copy, and before any retry of it the engine looks
the nodes up again, so a lost answer never turns into a second copy.

How copies are told from other people's: CopySnapshot takes no tags either, so right after it
one TagResources call (per 50 copies and 20 tags) puts the copy options' tags and
``snapcopy:source = <source node>/<source id>`` on the copies it made; the source tag goes in
the last call, so a copy that has it has all its tags. A copy found by its source link without
our source tag (someone else's copy of the same source, or a run whose tagging was interrupted)
is tagged when found, except in check mode, and is ours from then on. ``list_copies``, what the
DR run may prune, returns only copies that carry our source tag, and a tag that the link
contradicts is not believed. Tags are read in batches with ListTagResources: DescribeSnapshots
answers none.

The answer lists the nodes that got a copy (AllocationId) and those that did not
(UnAllocationId, with BizStatusCode PartSuccess). A node that did not is reported as failed
for that node only; a rerun finds the copies made and copies only to the nodes still missing.
"""

from __future__ import annotations

import json
import time

from ._alibaba import AlibabaClient, client_from_module, links_to, listed, numbered_pages, tag_dict
from ._alibaba_validate import ENS_SNAPSHOT_ID, validate_description, validate_ens_name, validate_region, validate_snapshot_id, validate_tags
from ._errors import INVALID, NOT_FOUND, RETRYABLE, CloudError, InputError, untagged_copy_error
from ._model import COMPLETED, FAILED, PENDING, SOURCE_TAG, Adapter, CopyRequest, Disk, Snapshot, source_tag_last

STATE_MAP = {'creating': PENDING, 'available': COMPLETED, 'error': FAILED, 'failed': FAILED}
REQUEST_PACKAGE = 'aliyunsdkens.request.v20171110'
# The SDK has no endpoint map for ENS outside cn-hangzhou; the API has one central endpoint.
ENS_ENDPOINT = 'ens.aliyuncs.com'
ID_CHUNK = 100
PAGE_SIZE = 100
# Up to this many disks, their snapshots are read disk by disk; beyond, the node is listed once.
PER_DISK_READS = 10
NODE_ID = 'an ENS node id like cn-hangzhou-26'
# TagResources and ListTagResources take up to 50 resource ids a call; TagResources up to 20 tags.
TAG_IDS_PER_CALL = 50
TAGS_PER_CALL = 20
SNAPSHOT_RESOURCE_TYPE = 'snapshot'


def ens_endpoint(region):  # pylint: disable=unused-argument  # one endpoint for every node
    return ENS_ENDPOINT


def build_ens_request(params):
    """The CopyRequest for ens_snapshot_copy's options (validated by the adapter)."""
    options = {
        'name': params.get('name'),
        'description': params.get('description'),
        'instance_billing_cycle': params.get('instance_billing_cycle'),
    }
    return CopyRequest(params['source_snapshot_id'], params['source_region'], params.get('destination_regions') or [], options)


class EnsAdapter(Adapter):
    cloud = 'Alibaba Cloud ENS'
    multi_destination = True
    copy_call_is_idempotent = False
    done_state = 'available'
    sample_snapshot_id = 'sp-bp1c0doj0taqyzzlexample'

    def __init__(self, client, check_mode=None):
        """``check_mode`` None means the caller did not say: copies found without our tag are then
        left as they are, since tagging them would be a write in check mode."""
        self.client = client
        self.check_mode = check_mode
        # Copies that start_copy made but could not tag: tagged when the engine looks them up
        # again (start_copy runs only outside check mode, so these may always be tagged).
        self._made_untagged = set()
        # The tags this adapter set or read, by snapshot id: DescribeSnapshots answers none, and
        # the copies read again while waiting keep their tags in the results.
        self._known_tags = {}

    @classmethod
    def from_module(cls, module):
        return cls(client_from_module(module, 'ens', ens_endpoint, REQUEST_PACKAGE, 'aliyun-python-sdk-ens'),
                   check_mode=module.check_mode)

    @classmethod
    def from_connection(cls, connection, sdk=None, check_mode=None):
        return cls(AlibabaClient('ens', connection, ens_endpoint, REQUEST_PACKAGE, sdk), check_mode=check_mode)

    # ------------------------------------------------------------------ validation (no calls)
    def validate(self, request):
        options = request.options
        validate_snapshot_id(request.source_id, ENS_SNAPSHOT_ID, 'sp-bp1c0doj0taqyzzlexample')
        validate_region(request.source_region, 'source_region', NODE_ID)
        if not request.destinations:
            raise InputError('destination_regions', 'name at least one destination node')
        seen = set()
        for node in request.destinations:
            validate_region(node, 'destination_regions', NODE_ID)
            if node in seen:
                raise InputError('destination_regions', 'node %s is listed twice' % node)
            seen.add(node)
        if len(request.destinations) > ID_CHUNK:
            raise InputError('destination_regions', 'at most %d nodes per task, got %d' % (ID_CHUNK, len(request.destinations)))
        validate_ens_name(options.get('name'))
        validate_description(options.get('description'))
        validate_tags(options.get('tags'))

    # ------------------------------------------------------------------ reads
    def _describe(self, node, params):
        def call(page_params):
            return self.client.call('DescribeSnapshots', dict(page_params, EnsRegionId=node), node)
        items = numbered_pages(call, params, lambda answer: listed(answer, 'Snapshots', 'Snapshot'), PAGE_SIZE)
        return [self.snapshot(item, node) for item in items]

    def _by_ids(self, node, snapshot_ids):
        found = {}
        ids = sorted(set(snapshot_ids))
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start:start + ID_CHUNK]
            # One id as itself, several as a JSON array (ENS takes both in SnapshotId).
            for snapshot in self._describe(node, {'SnapshotId': json.dumps(chunk) if len(chunk) > 1 else chunk[0]}):
                if snapshot.region == node:
                    if not snapshot.tags and snapshot.id in self._known_tags:
                        snapshot.tags = dict(self._known_tags[snapshot.id])
                    found[snapshot.id] = snapshot
        return found

    def get_sources(self, region, snapshot_ids):
        found = self._by_ids(region, snapshot_ids)
        if len(snapshot_ids) == 1 and snapshot_ids[0] not in found:
            raise CloudError('DescribeSnapshots', 'InvalidSnapshotId.NotFound', 'The specified snapshot %s does not '
                             'exist on node %s' % (snapshot_ids[0], region), kind=NOT_FOUND, region=region)
        return found

    def describe(self, region, snapshot_ids):
        return self._by_ids(region, snapshot_ids)

    def find_copies(self, destination, requests):
        found = {}
        snapshots = self._describe(destination, {})
        for request in requests:
            copies = [snapshot for snapshot in snapshots if links_to(snapshot, request)]
            if copies:
                found[request.source_tag] = copies
        if found:
            self._load_tags([copy for copies in found.values() for copy in copies], destination)
            self._finish_tagging(requests, found)
        return found

    def _finish_tagging(self, requests, found):
        """Tag the copies found without our source tag. Outside check mode every one of them;
        otherwise only those this adapter made (their tagging failed a moment ago)."""
        failures = {}
        for request in requests:
            untagged = [copy for copy in found.get(request.source_tag, ())
                        if copy.tags.get(SOURCE_TAG) != request.source_tag
                        and (self.check_mode is False or copy.id in self._made_untagged)]
            if untagged:
                failures.update(self._set_tags(untagged, request.copy_tags()))
        self._made_untagged -= {copy.id for copies in found.values() for copy in copies if copy.id not in failures}
        if failures:
            error = next(iter(failures.values()))
            raise CloudError(error.action, error.code, '%s. Found the copies %s by their source link but could not set their '
                             'tags; fix the cause and run again' % (error.message.rstrip('.'), ', '.join(sorted(failures))),
                             error.request_id, kind=error.kind, region=error.region)

    # ------------------------------------------------------------------ the copy
    def start_copy(self, request, destinations):
        options = request.options
        params = {
            'SnapshotId': request.source_id,
            'DestinationRegionIds': json.dumps(list(destinations)),
            'DestinationSnapshotName': options.get('name'),
            'DestinationSnapshotDescription': options.get('description'),
            'InstanceBillingCycle': options.get('instance_billing_cycle'),
        }
        answer = self.client.call('CopySnapshot', params, request.source_region)
        results = {}
        for allocation in answer.get('AllocationId') or []:
            node = allocation.get('EnsRegionId')
            ids = allocation.get('InstanceId') or []
            if isinstance(ids, str):
                ids = [ids]
            if node in destinations and ids:
                results[node] = Snapshot(ids[0], node, PENDING, cloud_state='creating', name=options.get('name'),
                                         description=options.get('description'), source_id=request.source_id,
                                         source_region=request.source_region)
        status = answer.get('BizStatusCode') or 'PartSuccess'
        for refusal in answer.get('UnAllocationId') or []:
            node = refusal.get('EnsRegionId')
            if node in destinations and node not in results:
                results[node] = CloudError(
                    'CopySnapshot', status, 'ENS did not copy snapshot %s to node %s (it is listed in UnAllocationId); '
                    'the copies to the other nodes were made. Check the node (quota, stock, sales restrictions) and '
                    'run again: only the nodes still missing a copy are copied to' % (request.source_id, node),
                    answer.get('RequestId'), kind=INVALID, region=node)
        made = [result for result in results.values() if isinstance(result, Snapshot)]
        if made:
            for snapshot_id, error in self._set_tags(made, request.copy_tags()).items():
                copy = next(snapshot for snapshot in made if snapshot.id == snapshot_id)
                self._made_untagged.add(copy.id)
                # A copy made a moment ago may be unknown to the tag API yet: that may pass too.
                may_pass = error.kind in (RETRYABLE, NOT_FOUND) or error.code.endswith('.NotFound')
                results[copy.region] = untagged_copy_error(copy, error, may_pass)
        # A node in neither list is left out: the engine looks it up before trying it again.
        return results

    # ------------------------------------------------------------------ tags
    def _set_tags(self, snapshots, tags):
        """Put ``tags`` on ``snapshots`` with TagResources; answer {snapshot id: CloudError} for those not tagged.

        The source tag goes in the last call, so its presence on a copy means all tags are there.
        """
        pairs = source_tag_last(tags)
        failures = {}
        for start in range(0, len(snapshots), TAG_IDS_PER_CALL):
            group = snapshots[start:start + TAG_IDS_PER_CALL]
            resources = {'ResourceType': SNAPSHOT_RESOURCE_TYPE}
            for number, snapshot in enumerate(group, start=1):
                resources['ResourceId.%d' % number] = snapshot.id
            for tag_start in range(0, len(pairs), TAGS_PER_CALL):
                params = dict(resources)
                for number, (key, value) in enumerate(pairs[tag_start:tag_start + TAGS_PER_CALL], start=1):
                    params['Tag.%d.Key' % number] = key
                    params['Tag.%d.Value' % number] = value
                try:
                    self.client.call('TagResources', params)
                except CloudError as error:
                    failures.update((snapshot.id, error) for snapshot in group)
                    break
        for snapshot in snapshots:
            if snapshot.id not in failures:
                snapshot.tags.update(tags)
                self._known_tags[snapshot.id] = dict(snapshot.tags)
        return failures

    def _read_tags(self, node, snapshot_ids):
        """{snapshot id: {key: value}} with ListTagResources, 50 ids a call, every page."""
        tags = {}
        ids = sorted(set(snapshot_ids))
        for start in range(0, len(ids), TAG_IDS_PER_CALL):
            params = {'ResourceType': SNAPSHOT_RESOURCE_TYPE}
            for number, snapshot_id in enumerate(ids[start:start + TAG_IDS_PER_CALL], start=1):
                params['ResourceId.%d' % number] = snapshot_id
            while True:
                answer = self.client.call('ListTagResources', params, node)
                for row in listed(answer, 'TagResources', 'TagResource'):
                    tags.setdefault(row.get('ResourceId'), {})[row.get('TagKey')] = row.get('TagValue') or ''
                if not answer.get('NextToken'):
                    break
                params = dict(params, NextToken=answer['NextToken'])
        return tags

    def _load_tags(self, snapshots, node):
        """Set each snapshot's tags from the tag API (what DescribeSnapshots said is replaced)."""
        tags = self._read_tags(node, [snapshot.id for snapshot in snapshots])
        for snapshot in snapshots:
            snapshot.tags = tags.get(snapshot.id, {})
            self._known_tags[snapshot.id] = dict(snapshot.tags)

    # ------------------------------------------------------------------ for the DR run (dr_sync)
    def find_disks(self, region, tag_selector):
        def call(page_params):
            return self.client.call('DescribeDisks', dict(page_params, EnsRegionId=region), region)
        disks = []
        # ENS's DescribeDisks has no tag filter: the node's disks are filtered here.
        for item in numbered_pages(call, {}, lambda answer: listed(answer, 'Disks', 'Disks'), PAGE_SIZE):
            tags = tag_dict(item.get('Tags'))
            if all(key in tags and (value is None or tags[key] == str(value)) for key, value in tag_selector.items()):
                size = str(item.get('Size') or '')
                disks.append(Disk(item['DiskId'], item.get('EnsRegionId') or region, name=item.get('DiskName') or None,
                                  size=int(size) // 1024 if size.isdigit() else None, tags=tags))
        return disks

    def disk_snapshots(self, region, disks):
        wanted = {disk.id for disk in disks}
        if len(wanted) <= PER_DISK_READS:
            snapshots = [snapshot for disk_id in sorted(wanted) for snapshot in self._describe(region, {'DiskId': disk_id})]
        else:
            # Many disks: one paged listing of the node beats one listing per disk.
            snapshots = self._describe(region, {})
        found = {}
        for snapshot in snapshots:
            if snapshot.volume_id in wanted:
                found.setdefault(snapshot.volume_id, []).append(snapshot)
        return found

    def create_snapshot(self, region, disk, name, description, tags):  # pylint: disable=unused-argument
        # ENS's CreateSnapshot takes no tags, and tagging afterwards would be a second call
        # that can fail on its own; the DR run recognises its snapshots without them.
        answer = self.client.call('CreateSnapshot', {'EnsRegionId': region, 'DiskId': disk.id, 'SnapshotName': name,
                                                     'Description': description}, region)
        return Snapshot(answer['SnapshotId'], region, PENDING, cloud_state='creating', volume_id=disk.id, name=name,
                        description=description, size=disk.size, created=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))

    def list_copies(self, destination):
        """The copies on the node that carry our source tag, naming the source their link names:
        a copy someone else made, untagged, is never returned, so never pruned."""
        copies = [snapshot for snapshot in self._describe(destination, {}) if snapshot.source_id is not None]
        if copies:
            self._load_tags(copies, destination)
        return [copy for copy in copies if _tag_agrees_with_link(copy)]

    def delete_snapshot(self, region, snapshot_id):
        try:
            self.client.call('DeleteSnapshot', {'SnapshotId': snapshot_id}, region)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise

    @staticmethod
    def snapshot(item, node):
        size = str(item.get('Size') or '')
        return Snapshot(
            item['SnapshotId'], item.get('EnsRegionId') or node, STATE_MAP.get(str(item.get('Status')).lower(), PENDING),
            cloud_state=item.get('Status'), progress=None, tags=tag_dict(item.get('Tags')),
            # ENS gives the size in MiB.
            size=int(size) // 1024 if size.isdigit() else None, volume_id=item.get('SourceDiskId') or None,
            created=item.get('CreationTime'), name=item.get('SnapshotName') or None,
            description=item.get('Description') or None, source_id=item.get('SourceSnapshotId') or None,
            source_region=item.get('SourceEnsRegionId') or None)


def _tag_agrees_with_link(snapshot):
    """True when the snapshot's source tag names the source that ENS's own link names."""
    region, dummy, source_id = (snapshot.tags.get(SOURCE_TAG) or '').rpartition('/')
    return bool(region) and source_id == snapshot.source_id and snapshot.source_region in (None, region)
