# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS copies made and owned by a separate DR account (dr_sync's ``dr_account``, docs/vault.md).

ECS has no share action of its own for snapshots (alibabacloud-ecs20140526 shares images only); the ECS guide "Share a
snapshot" shares them through Resource Sharing (alibabacloud-resourcesharing20200110): a *resource share* in the
snapshot's region holds resources (the snapshots, ResourceType ``Snapshot``) and targets (accounts). An account outside
the owner's resource directory gets an invitation, which it accepts (AcceptResourceShareInvitation: "valid for 7 days";
within a resource directory it is accepted for it). Then it may copy the snapshot across regions. So, as on AWS:

1. the source account keeps one resource share a DR account per region, named SHARE_NAME_PREFIX + the DR account's id,
   whose target is the DR account; found (Active, or Pending while its invitation waits) or made on first need, by one
   of the run's workers at a time;
2. each source snapshot is held by the run's lease (dr.leases.shares.ShareLeases, the rules written once) and associated with
   that resource share (AssociateResourceShare), then copied by the DR account (CopySnapshot, sent in the source region
   by the DR account's client: ECS copies from the source region). Whether the DR account may copy is its own view's
   (ListSharedResources, OtherAccounts); while it lacks the snapshot, share() completes the share: associates it unless
   it is, has the DR account accept a waiting invitation (the DR role does it), and answers BUSY until the association
   is Associated and the DR account sees it (the engine asks again each poll interval, to the run's deadline);
3. once no copy of it is in flight, it is disassociated again (DisassociateResourceShare). A share a person made
   (another resource share, or ours without a run's mark) is left as it is.

Refused before any share, per disk: a source without room for the tags a run writes on it while it is shared (ECS's 20
tags a resource), a source encrypted with the service key (alias ``alias/acs/ecs``, read with KMS ListAliasesByKeyId;
"Snapshots encrypted with service keys cannot be shared", the guide), and an encrypted source where no key of the DR
account's is named for the copy ("When you copy a shared encrypted snapshot [...], you must specify a different
encryption key", the guide), and an encrypted source when the disks' account has no RAM role
``AliyunECSShareEncryptSnapshotDefaultRole`` (read once a run with RAM GetRole: the guide's prerequisites). At most
64 accounts a snapshot and 1,024 snapshots an account: a refused association (AssociationStatus ``Failed``, its reason)
fails that disk's copy with the cloud's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ...core.errors import BUSY, INVALID, NOT_FOUND, CloudError, PreflightError
from ...core.model import PENDING
from ...core.tagging import SHARE_LEASE_TAG_PREFIX, SHARE_TAG, numbered_tags
from ...dr.leases.shares import ShareCalls
from ...engine.capabilities import id_batches
from .answers import listed
from .client import numbered
from .ecs_resource_share import (
    ASSOCIATED,
    ASSOCIATING,
    AVAILABLE,
    PAGE_SIZE,
    RESOURCES_PER_CALL,
    SNAPSHOT_TYPE,
    ResourceShare,
    numbered_resources,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import CopyRequest, Snapshot
    from .client import AlibabaClient

# The name of the resource share a DR account; 1-50 letters, digits, '.', '_' and '-' (CreateResourceShareRequest).
SHARE_NAME_PREFIX = 'snapcopy-dr-'
# The alias of ECS's service key ("Default Service CMK (aliased alias/acs/ecs)": the ECS guide "Grant access to KMS keys
# through RAM roles").
SERVICE_KEY_ALIAS = 'alias/acs/ecs'
# The RAM role the disks' account needs before it shares a snapshot encrypted with a key of its own (the ECS guide,
# "Share encrypted resources").
ENCRYPTED_SHARE_ROLE = 'AliyunECSShareEncryptSnapshotDefaultRole'
# ResourceId.N of TagResources and UntagResources: "Valid values of N: 1 to 50" (ecs-20140526 TagResourcesRequest).
TAG_RESOURCES_PER_CALL = 50
# "An ECS resource can have up to 20 tags" (the ECS API reference, TagResources: OperationDenied.QuotaExceed, "The quota
# of tags on resource is beyond permitted range", once a resource has 20).
MAX_TAGS_A_RESOURCE = 20


class SnapshotReads(Protocol):
    """What the DR account reads through the ECS adapter (EcsAdapter), which holds it: the adapter imports this file,
    not this file the adapter."""

    def describe(self, region: str, snapshot_ids: list[str]) -> dict[str, Snapshot]:
        """As EcsAdapter.describe does."""

    def snapshots_in(self, region: str) -> list[Snapshot]:
        """As EcsAdapter.snapshots_in does."""


class EcsDrAccount(ShareCalls):
    """The share side of an EcsAdapter with dr_account: the calls of dr.leases.shares.ShareCalls, and what ECS asks of a source
    before it is shared."""

    # pylint: disable-next=too-many-arguments
    def __init__(
        self, adapter: SnapshotReads, *, source: AlibabaClient, client: AlibabaClient, source_region: str, account: str
    ) -> None:
        self.adapter = adapter
        self.source = source  # the disks' account
        self.client = client  # the DR account
        self.source_region = source_region
        self.account = account
        self.share_name = SHARE_NAME_PREFIX + account
        self.resource_share = ResourceShare(source, client, account=account, share_name=self.share_name)
        # {source snapshot id: whether it is encrypted} as check_source saw it (a refused association's words).
        self._encrypted: dict[str, bool] = {}
        # {KMS key id: (why a snapshot under it cannot be shared, what to do); None: it can}.
        self._key_refusals: dict[str, tuple[str, str] | None] = {}
        # Whether the disks' account lacks ENCRYPTED_SHARE_ROLE: (why, what to do), None (it has it, or the run may not
        # read RAM), read once a run (RAM GetRole).
        self._role_refusal: list[tuple[str, str] | None] = []

    # ------------------------------------------------------------------ before a share
    def tag_room_refusal(
        self, source_region: str, snapshot_id: str, tags: Mapping[str, str], keys: Sequence[str]
    ) -> CloudError | None:
        """CloudError (kind INVALID) when the tags ``keys`` that a run writes on a shared source (its mark, its lease,
        its release tag) would not fit beside the source's ``tags`` under ECS's 20 tags a resource: a source shared that
        way could never be released (its release tag refused), and ECS does not delete a shared snapshot. Before any
        lease or share, so nothing is left to take back."""
        missing = [key for key in keys if key not in tags]
        if len(tags) + len(missing) <= MAX_TAGS_A_RESOURCE:
            return None
        return CloudError(
            'TagResources',
            'OperationDenied.QuotaExceed',
            'source snapshot %s has %d tags, and a DR run with dr_account '
            'writes %d more on it while the DR account %s copies it (%s); ECS allows %d tags a resource: remove at '
            'least %d of its tags, then run again (not shared, not copied: docs/vault.md)'
            % (
                snapshot_id,
                len(tags),
                len(missing),
                self.account,
                ', '.join(missing),
                MAX_TAGS_A_RESOURCE,
                len(tags) + len(missing) - MAX_TAGS_A_RESOURCE,
            ),
            kind=INVALID,
            region=self.source_region,
        )

    def check_source(self, request: CopyRequest, source: Snapshot) -> None:
        """PreflightError (naming the source, why, and what to do) for an encrypted source the DR account cannot
        copy: under the service key, without a key of the DR account's for the copy, or without the RAM role ECS shares
        such a snapshot with."""
        self._encrypted[source.id] = bool(source.encrypted)
        if not source.encrypted:
            return
        key = str(source.extra.get('kms_key_id') or '')
        refusal = self._key_refusal(source.region, key)
        if refusal is None and not request.options.get('kms_key_id'):
            refusal = (
                'the DR account %s copies a shared encrypted snapshot only with a key of its own' % self.account,
                'set kms_key_id (and encrypted) to a KMS key of the DR account in each DR region',
            )
        if refusal is None:
            refusal = self._missing_role(source.region)
        if refusal is not None:
            why, fix = refusal
            raise PreflightError(
                'AssociateResourceShare',
                'SnapshotNotShareable',
                'source snapshot %s: %s: %s (docs/vault.md)' % (source.id, why, fix),
                fix=fix,
                region=source.region,
            )

    def _key_refusal(self, region: str, key: str) -> tuple[str, str] | None:
        if key not in self._key_refusals:
            aliases: set[str] = set()
            if key:
                answer = self.source.call_service(
                    'kms', 'ListAliasesByKeyId', {'RegionId': region, 'KeyId': key, 'PageSize': PAGE_SIZE}, region
                )
                aliases = {str(alias.get('AliasName')) for alias in listed(answer, 'Aliases', 'Alias')}
            # No key named: ECS's default, the service key ("In other cases, the service key is used":
            # CreateDiskRequest.KMSKeyId).
            self._key_refusals[key] = (
                None
                if key and SERVICE_KEY_ALIAS not in aliases
                else (
                    'it is encrypted with the ECS service key (%s), and a snapshot encrypted with the service key cannot '
                    'be shared with another account' % SERVICE_KEY_ALIAS,
                    'encrypt the disk with a KMS key of your own',
                )
            )
        return self._key_refusals[key]

    def _missing_role(self, region: str) -> tuple[str, str] | None:
        """Why the disks' account cannot share a snapshot encrypted with a key of its own, and what to do, when it has
        no RAM role ENCRYPTED_SHARE_ROLE: "(For encrypted snapshots using a CMK) The
        AliyunECSShareEncryptSnapshotDefaultRole Resource Access Management (RAM) role created with required
        permissions" (the ECS guide "Share a snapshot", its prerequisites). Read once a run (RAM GetRole, "404
        EntityNotExist.Role: The role does not exist", GetRole's reference); a refused read refuses nothing (the
        association then says, with the role named: _encrypted_hint)."""
        if not self._role_refusal:
            refusal = None
            try:
                self.source.call_service('ram', 'GetRole', {'RoleName': ENCRYPTED_SHARE_ROLE}, region)
            except CloudError as error:
                if error.code == 'EntityNotExist.Role':
                    refusal = (
                        "the disks' account has no RAM role %s, without which ECS shares no snapshot encrypted with a "
                        'key of your own (the ECS guide, "Share a snapshot")' % ENCRYPTED_SHARE_ROLE,
                        "create the RAM role %s in the disks' account, as the ECS guide \"Share encrypted resources "
                        'across accounts" says' % ENCRYPTED_SHARE_ROLE,
                    )
            self._role_refusal.append(refusal)
        return self._role_refusal[0]

    # ------------------------------------------------------------------ the calls of a share (ShareCalls)
    # AssociateResourceShare and DisassociateResourceShare take 5 resources a call ("Valid values of N: 1 to 5",
    # resourcesharing-20200110 Associate/DisassociateResourceShareRequest.Resources); ListSharedResources' ResourceIds
    # is read in the same batches (its model names no bound).
    sources_per_call = RESOURCES_PER_CALL

    def shared_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> set[str]:
        # The DR account's own view (ResourceOwner OtherAccounts): the owner's shows an association whether or not the
        # DR account accepted its invitation, and while it is still Associating, when the DR account cannot copy yet.
        wanted = set(snapshot_ids)
        rows = self.resource_share.pages(
            'ListSharedResources',
            'SharedResources',
            source_region,
            {'ResourceOwner': 'OtherAccounts', 'ResourceType': SNAPSHOT_TYPE, **numbered('ResourceIds', snapshot_ids)},
            self.client,
        )
        return {
            str(row.get('ResourceId'))
            for row in rows
            if row.get('ResourceId') in wanted and row.get('ResourceStatus', AVAILABLE) == AVAILABLE
        }

    def share_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        """Associate the snapshots with our resource share (each unless it is, or is being: one read a source, as
        ListResourceShareAssociations takes one ResourceId), make sure the DR account accepted the share's invitation,
        and answer for each the DR account does not see yet BUSY (the engine asks again each poll interval, up to the
        run's deadline): AssociateResourceShare answers ``Associating``, and an association is done once ``Associated``
        (AssociateResourceShareResponseBody.AssociationStatus)."""
        share_id = self.resource_share.share_id(source_region)
        status = {
            snapshot_id: self.resource_share.association(source_region, share_id, snapshot_id).get('AssociationStatus')
            for snapshot_id in snapshot_ids
        }
        associating = [
            snapshot_id for snapshot_id in snapshot_ids if status[snapshot_id] not in (ASSOCIATING, ASSOCIATED)
        ]
        refused: dict[str, CloudError] = {}
        if associating:
            answer = self.source.call_service(
                'resourcesharing',
                'AssociateResourceShare',
                {
                    'RegionId': source_region,
                    'ResourceShareId': share_id,
                    **numbered_resources(associating),
                },
                source_region,
            )
            rows = {str(row.get('EntityId')): row for row in answer.get('ResourceShareAssociations') or []}
            for snapshot_id in associating:
                row = rows.get(snapshot_id, {})
                status[snapshot_id] = row.get('AssociationStatus')
                if status[snapshot_id] == 'Failed':
                    refused[snapshot_id] = CloudError(
                        'AssociateResourceShare',
                        'AssociationFailed',
                        'source snapshot %s could not be shared with the DR account %s: %s%s'
                        % (
                            snapshot_id,
                            self.account,
                            row.get('AssociationStatusMessage') or 'no reason given',
                            self._encrypted_hint(snapshot_id),
                        ),
                        request_id=answer.get('RequestId'),
                        kind=INVALID,
                        region=source_region,
                    )
        waiting = [snapshot_id for snapshot_id in snapshot_ids if snapshot_id not in refused]
        if not waiting:
            return refused
        self.resource_share.accept_once(source_region, share_id)
        seen = self.shared_batch(source_region, waiting)
        unseen = [snapshot_id for snapshot_id in waiting if snapshot_id not in seen]
        if unseen:
            self.resource_share.look_again(source_region, share_id)
            if any(status[snapshot_id] == ASSOCIATED for snapshot_id in unseen):
                # The owner sees the association done and the DR account does not: it may be no longer the share's
                # target.
                self.resource_share.target_again(source_region, share_id)
        for snapshot_id in unseen:
            refused[snapshot_id] = CloudError(
                'AssociateResourceShare',
                'ShareNotReady',
                'source snapshot %s is %s with resource share %s, and the DR account '
                '%s does not see it yet: the run copies it once it does'
                % (snapshot_id, (status[snapshot_id] or 'being associated').lower(), share_id, self.account),
                kind=BUSY,
                region=source_region,
            )
        return refused

    def _encrypted_hint(self, snapshot_id: str) -> str:
        if not self._encrypted.get(snapshot_id):
            return ''
        return (
            '; an encrypted snapshot is shared only once the disks\' account has the RAM role %s (the ECS guide, "Share '
            'encrypted resources"; docs/vault.md)' % ENCRYPTED_SHARE_ROLE
        )

    def unshare_batch(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, CloudError]:
        """Disassociate the snapshots from our resource shares (one call a share, for the batch's snapshots in it); a
        share of another resource share is a person's, and stays."""
        ours = set(self.resource_share.our_shares(source_region))
        in_share: dict[str, list[str]] = {}
        for row in self.resource_share.shared_rows(source_region, snapshot_ids):
            if row.get('ResourceShareId') in ours and row.get('ResourceId') in snapshot_ids:
                in_share.setdefault(str(row['ResourceShareId']), []).append(str(row['ResourceId']))
        refused: dict[str, CloudError] = {}
        for share_id, members in sorted(in_share.items()):
            try:
                self.source.call_service(
                    'resourcesharing',
                    'DisassociateResourceShare',
                    {'RegionId': source_region, 'ResourceShareId': share_id, **numbered_resources(sorted(members))},
                    source_region,
                )
            except CloudError as error:
                if error.kind != NOT_FOUND:
                    refused.update(dict.fromkeys(members, error))
        return refused

    # Tags of source snapshots (dr.leases.source_tags.SourceTagCalls): TagResources and UntagResources take 50 resources a call.
    sources_per_tag_call = TAG_RESOURCES_PER_CALL

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for batch in id_batches(snapshot_ids, TAG_RESOURCES_PER_CALL):
            params: dict[str, str] = {'RegionId': source_region, 'ResourceType': 'snapshot'}
            params.update(numbered('ResourceId', batch))
            params.update(numbered_tags(tags))
            self.source.call('TagResources', params, source_region)

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        return {
            snapshot_id: dict(snapshot.tags)
            for snapshot_id, snapshot in self.adapter.describe(source_region, list(snapshot_ids)).items()
        }

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        for batch in id_batches(snapshot_ids, TAG_RESOURCES_PER_CALL):
            params: dict[str, str] = {'RegionId': source_region, 'ResourceType': 'snapshot'}
            params.update(numbered('ResourceId', batch))
            params.update(numbered('TagKey', keys))
            self.source.call('UntagResources', params, source_region)

    def leased_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        # A listing of the region, filtered here: DescribeSnapshots' tag filter takes exact keys (a lease's key names
        # its run) and stops at 1,000 snapshots.
        return {
            snapshot.id: dict(snapshot.tags)
            for snapshot in self.adapter.snapshots_in(source_region)
            if SHARE_TAG in snapshot.tags or any(key.startswith(SHARE_LEASE_TAG_PREFIX) for key in snapshot.tags)
        }

    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        # The DR account's copies (its client: regions other than the source's) keep their source (SourceSnapshotId).
        wanted = set(snapshot_ids)
        return {
            str(copy.source_id)
            for region in regions
            for copy in self.adapter.snapshots_in(region)
            if copy.state == PENDING and copy.source_region == source_region and copy.source_id in wanted
        }
