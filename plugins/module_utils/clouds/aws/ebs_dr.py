# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the adapter for the DR run (dr_sync, the dr_copy role): the copy adapter (clouds/aws/ebs.py) with the DR
run's calls (dr/capabilities.py DrAdapter: disks and their snapshots, pruning), composed of a part per further
capability: locks (ebs_locks.py), the restore drill and its hosts (ebs_drill.py), snapshot sets (ebs_sets.py), reading
blocks (ebs_blocks.py), and a separate DR account whose copies are made from source snapshots shared with it
(ebs_dr_account.py).

A DR copy is found as any copy is (the ``snapcopy:source`` tag); it also carries ``snapcopy:disk`` and, from the worker
that made it, its own id in ``snapcopy:copy`` (the copy adapter's start_copy), which pruning takes for proof that a DR
run made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ...core.answers import answer_items
from ...core.dr_model import Disk
from ...core.errors import CloudError, PreflightError
from ...core.model import COMPLETED, CopyRequest, Snapshot
from ...core.tagging import SOURCE_TAG, tag_dict, tag_filters, tag_list
from ...dr.capabilities import (
    CompletedSnapshotsAdapter,
    DrAdapter,
)
from . import ec2_model as full_ec2_model
from .client import AwsClient
from .ebs import FILTER_CHUNK, TAG_RULES, EbsCopyAdapter, copy_call_arguments, snapshot_tag_specification
from .ebs_blocks import EbsBlocks
from .ebs_dr_account import EbsDrAccount, EbsSourceShares
from .ebs_drill import EbsDrill, volume_items
from .ebs_locks import EbsLocks
from .ebs_sets import EbsSets


# pylint: disable-next=too-many-ancestors  # four bases; the others are the share calls' own
class EbsAdapter(EbsCopyAdapter, DrAdapter, CompletedSnapshotsAdapter, EbsSourceShares):
    """The DR run on EBS, its capabilities each a part (DrAdapter.locks, vault, drill, sets, blocks)."""

    # Every EC2 operation the DR run calls (the copy adapter's model has the copy's three).
    ec2_model = full_ec2_model
    # EBS refuses a 21st copy in flight to one region (ResourceLimitExceeded).
    max_copies_in_flight = 20
    copy_tag_rules = TAG_RULES
    # CreateTags takes many resources (the leases' batches too).
    copies_per_tag_call = FILTER_CHUNK
    locks: EbsLocks
    vault: EbsDrAccount
    drill: EbsDrill
    sets: EbsSets
    blocks: EbsBlocks

    def __init__(self, client: AwsClient) -> None:
        super().__init__(client)
        self.locks = EbsLocks(self)
        self.vault = EbsDrAccount(self)
        self.drill = EbsDrill(self)
        self.sets = EbsSets(self)
        self.blocks = EbsBlocks(self)

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """An archived source is refused (EbsCopyAdapter.check_source); with dr_account, an encrypted source must be one
        the DR account can copy (EbsDrAccount.key_refusal)."""
        super().check_source(request, source)
        if self.dr_account is not None and source.encrypted:
            self.vault.check_source(source)

    def dry_run_copies(self, copies: Sequence[tuple[CopyRequest, Snapshot | None, str]]) -> list[PreflightError | None]:
        """One CopySnapshot with DryRun a source region, DR region and key (the source's and the copy's), sent as the copy
        would be (in the DR region, by the account that copies): "Checks whether you have the required permissions for
        the action, without actually making the request, and provides an error response. If you have the required
        permissions, the error response is DryRunOperation. Otherwise, it is UnauthorizedOperation" (botocore's EC2
        model, CopySnapshotRequest.DryRun). UnauthorizedOperation refuses every copy of the group; any other answer
        refuses nothing."""
        groups: dict[tuple[str, str, str, str], list[int]] = {}
        for index, (request, source, destination) in enumerate(copies):
            source_key = str(source.extra.get('kms_key_id') or '') if source is not None and source.encrypted else ''
            key = (request.source_region, destination, source_key, str(request.options.get('kms_key_id') or ''))
            groups.setdefault(key, []).append(index)
        answers: list[PreflightError | None] = [None] * len(copies)
        for (source_region, destination, dummy, dummy_key), indexes in groups.items():
            request = copies[indexes[0]][0]
            try:
                self.client.call(destination, 'CopySnapshot', DryRun=True, **copy_call_arguments(request))
            except CloudError as error:
                if error.code != 'UnauthorizedOperation':
                    continue  # DryRunOperation: allowed; anything else is the real run's to tell
                who = "the DR account's role (%s)" % self.dr_account if self.dr_account else "the run's credentials"
                refusal = PreflightError(
                    'CopySnapshot',
                    'CopySnapshotNotAllowed',
                    'CopySnapshot with DryRun from %s to %s answered %s: %s may not copy there (%s). Allow them '
                    'ec2:CopySnapshot (and ec2:CreateTags on the copy, which its TagSpecifications need) in %s '
                    '(docs/vault.md)' % (source_region, destination, error.code, who, error.message, destination),
                    fix='allow %s ec2:CopySnapshot and ec2:CreateTags in %s' % (who, destination),
                    region=destination,
                )
                for index in indexes:
                    answers[index] = refusal
        return answers

    def tag_copies(self, copies: Sequence[Snapshot], tags: dict[str, str]) -> dict[str, CloudError]:
        region = copies[0].region
        self.client.call(region, 'CreateTags', Resources=[copy.id for copy in copies], Tags=tag_list(tags))
        for copy in copies:
            copy.tags.update(tags)
        return {}

    def untag_copies(self, copies: Sequence[Snapshot], keys: Sequence[str]) -> dict[str, CloudError]:
        # DeleteTags: up to 1,000 resources and 1,000 tags a call (EC2 2016-11-15 DeleteTagsRequest); a key without a
        # value goes whatever its value, and one a copy does not carry is no error.
        region = copies[0].region
        self.client.call(
            region, 'DeleteTags', Resources=[copy.id for copy in copies], Tags=[{'Key': key} for key in keys]
        )
        for copy in copies:
            for key in keys:
                copy.tags.pop(key, None)
        return {}

    # ------------------------------------------------------------------ for the DR run
    def find_disks(self, region: str, tag_selector: Mapping[str, str | None]) -> list[Disk]:
        disks = []
        for item in volume_items(self, region, {'Filters': tag_filters(tag_selector)}):
            tags = tag_dict(item.get('Tags'))
            attached = [attachment.get('InstanceId') for attachment in answer_items(item, 'Attachments')]
            disks.append(
                Disk(
                    item['VolumeId'],
                    region,
                    name=tags.get('Name'),
                    size=item.get('Size'),
                    tags=tags,
                    instance_id=next((instance for instance in attached if instance), None),
                )
            )
        return disks

    def disk_snapshots(self, region: str, disks: Iterable[Disk]) -> dict[str, list[Snapshot]]:
        found: dict[str, list[Snapshot]] = {}
        for snapshot in self._describe_by_filter(
            region, 'volume-id', sorted(disk.id for disk in disks), owned=True
        ).values():
            found.setdefault(snapshot.volume_id or '', []).append(snapshot)  # set: listed by volume-id
        return found

    def completed_snapshots(self, region: str, disks: list[Disk]) -> list[Snapshot]:
        # The account's completed snapshots of the region, 1,000 a page (DescribeSnapshots' status filter): the
        # volume-id filter would take a call per 200 disks.
        wanted = {disk.id for disk in disks}
        return [
            snapshot
            for snapshot in self._describe_by_filter(region, 'status', ['completed'], owned=True).values()
            if snapshot.volume_id in wanted and snapshot.state == COMPLETED
        ]

    def create_snapshot(
        self, region: str, disk: Disk, name: str | None, description: str | None, tags: Mapping[str, str] | None
    ) -> Snapshot:
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


# Transitional (issue 63): dr/posture.py asks the adapter itself about these capabilities (dr.capabilities).
