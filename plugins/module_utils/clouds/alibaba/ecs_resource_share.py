# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud Resource Sharing for an ECS DR account (ecs_dr_account): the source account's resource share a DR
account and region, found or made once, its associations, and the DR account's invitation to it, accepted."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ...core.errors import INVALID, CloudError
from ...core.paging import token_pages
from .client import numbered

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .client import AlibabaClient

# Resources.N.ResourceType of an ECS snapshot (the Resource Sharing guide's "Services that work with Resource Sharing").
SNAPSHOT_TYPE = 'Snapshot'
# AssociationStatus of an entity (AssociateResourceShareResponseBody): Associating, Associated, Failed, Disassociating,
# Disassociated.
ASSOCIATING, ASSOCIATED = 'Associating', 'Associated'
# A resource share in use: Active, or Pending while an invitation of it waits
# (ListResourceSharesRequest.ResourceShareStatus and CreateResourceShareResponseBody: Active, Pending, Deleting,
# Deleted).
SHARE_IN_USE = ('Active', 'Pending')
# ResourceStatus of a resource shared with the DR account (ListSharedResourcesResponseBody; returned only to the
# target).
AVAILABLE = 'Available'
# MaxResults of the Resource Sharing listings: 1-100 (their request models).
PAGE_SIZE = 100
# Resources.N of AssociateResourceShare and DisassociateResourceShare: "Valid values of N: 1 to 5" (their request
# models, resourcesharing-20200110).
RESOURCES_PER_CALL = 5


def numbered_resources(snapshot_ids: Sequence[str]) -> dict[str, str]:
    """Resources.N of a snapshot each (ResourceId and ResourceType, which "must be used in pairs")."""
    params: dict[str, str] = {}
    for number, snapshot_id in enumerate(snapshot_ids, start=1):
        params['Resources.%d.ResourceId' % number] = snapshot_id
        params['Resources.%d.ResourceType' % number] = SNAPSHOT_TYPE
    return params


class ResourceShare:
    """The resource share named ``share_name`` of the source account (``source``) with the DR account ``account`` (whose
    client is ``client``), in each region it is needed in."""

    def __init__(self, source: AlibabaClient, client: AlibabaClient, *, account: str, share_name: str) -> None:
        self.source = source  # the disks' account
        self.client = client  # the DR account
        self.account = account
        self.share_name = share_name
        # {region: our resource share's id}, once made or found; the engine's workers find or make it one at a time.
        self._share_ids: dict[str, str] = {}
        self._share_lock = threading.Lock()
        # The resource shares whose invitation the DR account has accepted in this run: not listed again for each
        # source, until a source associated with one is not seen by the DR account (then it is looked at again).
        self._accepted: set[tuple[str, str]] = set()
        self._accept_lock = threading.Lock()

    def accept_once(self, region: str, share_id: str) -> None:
        """Make sure the DR account accepted the invitation to ``share_id``: looked at once a run, by one of its
        workers."""
        with self._accept_lock:  # the run's workers share sources side by side: one of them looks at the invitation
            if (region, share_id) not in self._accepted:
                self._accept(region, share_id)
                self._accepted.add((region, share_id))

    def look_again(self, region: str, share_id: str) -> None:
        """A source associated with ``share_id`` is not seen by the DR account: its invitation is looked at again."""
        with self._accept_lock:
            self._accepted.discard((region, share_id))

    def target_again(self, region: str, share_id: str) -> None:
        """The DR account made ``share_id``'s target again if it is no longer (a person took it out of the share): its
        invitation may stay Accepted while it no longer sees what the share holds. A target associated anew may be
        invited anew, which the next look at the invitation (look_again) accepts."""
        rows = self.pages(
            'ListResourceShareAssociations',
            'ResourceShareAssociations',
            region,
            {'AssociationType': 'Target', 'ResourceShareIds.1': share_id, 'Target': self.account},
        )
        if not any(
            row.get('EntityId') == self.account and row.get('AssociationStatus') in (ASSOCIATING, ASSOCIATED)
            for row in rows
        ):
            self._associate_target(region, share_id)

    def _associate_target(self, region: str, share_id: str) -> None:
        self.source.call_service(
            'resourcesharing',
            'AssociateResourceShare',
            {'RegionId': region, 'ResourceShareId': share_id, 'Targets.1': self.account},
            region,
        )

    def association(self, region: str, share_id: str, snapshot_id: str) -> dict[str, Any]:
        """The snapshot's association with ``share_id`` as the owner sees it ({} for none)."""
        rows = self.pages(
            'ListResourceShareAssociations',
            'ResourceShareAssociations',
            region,
            {'AssociationType': 'Resource', 'ResourceShareIds.1': share_id, 'ResourceId': snapshot_id},
        )
        return next((row for row in rows if row.get('EntityId') == snapshot_id), {})

    def shared_rows(self, region: str, snapshot_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The source account's shares of ``snapshot_ids`` (at most RESOURCES_PER_CALL) with the DR account, whoever
        made them (ListSharedResources)."""
        return self.pages(
            'ListSharedResources',
            'SharedResources',
            region,
            {
                'ResourceOwner': 'Self',
                'ResourceType': SNAPSHOT_TYPE,
                **numbered('ResourceIds', snapshot_ids),
                'Target': self.account,
            },
        )

    def our_shares(self, region: str) -> list[str]:
        """The ids of the source account's resource shares named as ours (two runs that met none may each have made
        one): Active, or Pending while an invitation of theirs waits
        (CreateResourceShareResponseBody.ResourceShareStatus), as one a killed run made before the DR account accepted
        it is."""
        rows = self.pages(
            'ListResourceShares',
            'ResourceShares',
            region,
            {'ResourceOwner': 'Self', 'ResourceShareName': self.share_name},
        )
        return sorted(
            str(row['ResourceShareId'])
            for row in rows
            if row.get('ResourceShareName') == self.share_name and row.get('ResourceShareStatus') in SHARE_IN_USE
        )

    def share_id(self, region: str) -> str:
        """Our resource share in ``region``, found or made once: the run's workers share the look-up (one share a
        region)."""
        with self._share_lock:
            if region not in self._share_ids:
                ours = self.our_shares(region)
                if ours:
                    share_id = ours[0]
                else:
                    answer = self.source.call_service(
                        'resourcesharing',
                        'CreateResourceShare',
                        {
                            'RegionId': region,
                            'ResourceShareName': self.share_name,
                            'AllowExternalTargets': True,
                            'Targets.1': self.account,
                        },
                        region,
                    )
                    share_id = str(answer['ResourceShare']['ResourceShareId'])
                self._share_ids[region] = share_id
            return self._share_ids[region]

    def _accept(self, region: str, share_id: str) -> None:
        """The DR account accepts its invitation to ``share_id`` if one waits. Within a resource directory there is none
        ("You need to accept or reject a sharing invitation only when a resource is shared from outside a resource
        directory": AcceptResourceShareInvitation). An invitation that expired, was rejected or cancelled is sent again
        (the target associated anew) once, then accepted; a DR account left without an accepted invitation is an error
        that names the invitation."""
        for attempt in range(2):
            invitations = self.pages(
                'ListResourceShareInvitations',
                'ResourceShareInvitations',
                region,
                {'ResourceShareIds.1': share_id},
                self.client,
            )
            pending = [row for row in invitations if row.get('Status') == 'Pending']
            for row in pending:
                self._accept_one(region, share_id, row)
            if (
                pending
                or any(row.get('Status') == 'Accepted' for row in invitations)
                or self._target_in_directory(region, share_id)
            ):
                return
            if attempt == 0:
                self._associate_target(region, share_id)
        last = max(invitations, key=lambda row: str(row.get('CreateTime') or ''), default=None)
        raise CloudError(
            'AcceptResourceShareInvitation',
            'InvitationNotAccepted',
            'the DR account %s has no accepted invitation to resource '
            'share %s (%s) in %s%s: it cannot copy what the share holds. Accept it as the DR account, or let the DR role '
            'accept it (resourcesharing:AcceptResourceShareInvitation; docs/vault.md)'
            % (
                self.account,
                share_id,
                self.share_name,
                region,
                ''
                if last is None
                else ': its invitation %s is %s' % (last.get('ResourceShareInvitationId'), last.get('Status')),
            ),
            kind=INVALID,
            region=region,
        )

    def _accept_one(self, region: str, share_id: str, invitation: Mapping[str, Any]) -> None:
        invitation_id = str(invitation['ResourceShareInvitationId'])
        try:
            answer = self.client.call_service(
                'resourcesharing',
                'AcceptResourceShareInvitation',
                {'RegionId': region, 'ResourceShareInvitationId': invitation_id},
                region,
            )
        except CloudError as error:
            raise CloudError(
                error.action,
                error.code,
                'the DR account %s could not accept invitation %s to resource share %s (%s): %s'
                % (self.account, invitation_id, share_id, self.share_name, error.message),
                request_id=error.request_id,
                kind=error.kind,
                uncertain=error.uncertain,
                region=region,
            ) from None
        accepted = answer.get('ResourceShareInvitation') or {}
        if accepted.get('Status') not in (None, 'Accepted'):
            details = '; '.join(
                '%s: %s' % (row.get('FailureReason'), row.get('FailureDescription'))
                for row in accepted.get('AcceptInvitationFailedDetails') or []
            )
            why = (
                self.account,
                invitation_id,
                share_id,
                self.share_name,
                accepted.get('Status'),
                details or 'no reason given',
            )
            raise CloudError(
                'AcceptResourceShareInvitation',
                'InvitationNotAccepted',
                'the DR account %s accepted invitation %s to resource share %s (%s), and it is %s: %s' % why,
                request_id=answer.get('RequestId'),
                kind=INVALID,
                region=region,
            )

    def _target_in_directory(self, region: str, share_id: str) -> bool:
        """Whether the DR account is a target of ``share_id`` inside the owner's resource directory (External false)."""
        rows = self.pages(
            'ListResourceShareAssociations',
            'ResourceShareAssociations',
            region,
            {'AssociationType': 'Target', 'ResourceShareIds.1': share_id, 'Target': self.account},
        )
        return any(row.get('AssociationStatus') == ASSOCIATED and row.get('External') is False for row in rows)

    def pages(
        self, action: str, key: str, region: str, params: dict[str, Any], client: AlibabaClient | None = None
    ) -> list[dict[str, Any]]:
        sender = client or self.source

        def call(page: dict[str, Any]) -> dict[str, Any]:
            return sender.call_service('resourcesharing', action, dict(page, RegionId=region), region)

        return list(
            token_pages(call, params, lambda answer: answer.get(key) or [], PAGE_SIZE, action=action, region=region)
        )
