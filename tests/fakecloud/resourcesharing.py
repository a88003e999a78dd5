"""Alibaba Cloud Resource Sharing 2020-01-10 (ECS snapshots shared with other accounts), KMS 2016-01-20's
ListAliasesByKeyId (which key encrypts a snapshot).

ECS has no snapshot share action of its own (alibabacloud-ecs20140526 has ModifyImageSharePermission for images only);
the ECS guide "Share a snapshot" shares snapshots through Resource Sharing: the owner makes a resource share in the
snapshot's region, associates the snapshot (a resource) and the other account (a target) with it, and the other account
accepts the invitation ("You need to accept or reject a sharing invitation only when a resource is shared from outside a
resource directory", AcceptResourceShareInvitation's reference; "A sharing invitation is valid for 7 days"). Then the
other account may make disks of the snapshot and copy it across regions (the guide). Fields and parameters:
alibabacloud-resourcesharing20200110 ``<Action>Request``/``<Action>ResponseBody`` (checked by test_conformance.py).

From the guide: at most 64 accounts a snapshot, 1,024 snapshots an account shares; a snapshot encrypted with the service
key (alias ``alias/acs/ecs``: the ECS guide "Grant access to KMS keys through RAM roles") cannot be shared; a shared
snapshot cannot be deleted before it is unshared; copying a shared encrypted snapshot needs a key of the copier's own; a
snapshot encrypted with a key of the owner's own is shared only once the owner has the RAM role
``AliyunECSShareEncryptSnapshotDefaultRole`` (config ``ram_roles``, ram.py; refused as ``Unavailable``).
The models document how a refused association is told: AssociationStatus ``Failed`` with FailureReason ``LimitExceeded``
("the number of principals for the resource exceeds the upper limit") or ``Unavailable`` ("the resource cannot be
shared").

Modelled from the models' fields:
- a resource share is ``Pending`` while an invitation of it waits (CreateResourceShareResponseBody.ResourceShareStatus:
  "Pending: The resource share is associated with one or more resource sharing invitations that are waiting for
  confirmation"), ``Active`` otherwise; ListResourceShares' ResourceShareStatus filters on that;
- a resource's association is ``Associating`` ("The entity is being associated", AssociateResourceShareResponseBody
  .AssociationStatus) for config ``resource_sharing.association_seconds`` on the emulator's clock, then ``Associated``;
  only then may a target use it (how long it takes: unverifiable; 0 by default);
- accounts of one resource directory (config ``resource_sharing.directory``: the owner and the target both listed) share
  with no invitation ("You need to accept or reject a sharing invitation only when a resource is shared from outside a
  resource directory", AcceptResourceShareInvitation's reference), their target association ``External`` false
  (ListResourceShareAssociationsResponseBody.External: "whether the principal is outside the resource directory").

Unverifiable, chosen here: that a target's association is ``Associated`` at once; that ECS snapshots' ResourceType is
``Snapshot`` (the model points to a page "Services that work with Resource Sharing"); the
codes of DeleteSnapshot of a shared snapshot and of CopySnapshot of a shared encrypted one without KMSKeyId; that
disassociating what is not associated changes nothing and is no error; that a resource share's id is ``rs-`` and 8
characters, an invitation's ``i-`` and 12.
"""

from __future__ import annotations

from . import rpc_params as p
from .actions import action
from .errors import CloudError, missing
from .ram import roles_of
from .resources import iso_z

SNAPSHOT = 'Snapshot'
SHARE_NAME_CHARACTERS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-')
MAX_ACCOUNTS_A_SNAPSHOT = 64
MAX_SNAPSHOTS_AN_ACCOUNT = 1024
INVITATION_SECONDS = 7 * 86400
SERVICE_KEY_ALIAS = 'alias/acs/ecs'
# The RAM role the owner needs to share a snapshot encrypted with a key of its own (the ECS guide "Share a snapshot").
ENCRYPTED_SHARE_ROLE = 'AliyunECSShareEncryptSnapshotDefaultRole'
PENDING, ACCEPTED, EXPIRED = 'Pending', 'Accepted', 'Expired'
ASSOCIATING, ASSOCIATED = 'Associating', 'Associated'


# ---------------------------------------------------------------------- what ECS asks of the shares
def _shares(store) -> dict:
    return store.resource_shares


def _settings(store) -> dict:
    return store.config.get('resource_sharing') or {}


def in_directory(store, *accounts: str) -> bool:
    """Whether ``accounts`` are all members of the one resource directory (config ``resource_sharing.directory``)."""
    members = {str(account) for account in _settings(store).get('directory') or ()}
    return all(str(account) in members for account in accounts)


def association_status(store, since: float, now: float) -> str:
    """A resource's association made at ``since``: Associating for ``resource_sharing.association_seconds``, then
    Associated."""
    return ASSOCIATING if now < since + float(_settings(store).get('association_seconds') or 0) else ASSOCIATED


def associated_shares(store, snap: dict) -> list:
    """The resource shares of the snapshot's owner that hold the snapshot (being associated too)."""
    return [
        share
        for share in _shares(store).values()
        if share['owner'] == snap.get('account')
        and share['region'] == snap['region']
        and snap['id'] in share['resources']
    ]


def accepted(store, share: dict, account: str, now: float) -> bool:
    """Whether ``account`` has the share: its invitation accepted, or no invitation needed (one resource directory)."""
    return in_directory(store, share['owner'], account) or any(
        invitation['share_id'] == share['id']
        and invitation['receiver'] == account
        and _invitation_status(invitation, now) == ACCEPTED
        for invitation in store.invitations.values()
    )


def shared_with(store, snap: dict, account: str, now: float) -> bool:
    """Whether ``account`` may use another account's snapshot now: a share holds it (associated, no longer being
    associated) and the account, invitation accepted."""
    return any(
        account in share['targets']
        and accepted(store, share, account, now)
        and association_status(store, share['resources'][snap['id']], now) == ASSOCIATED
        for share in associated_shares(store, snap)
    )


def share_status(store, share: dict, now: float) -> str:
    """Pending while an invitation of the share waits (CreateResourceShareResponseBody.ResourceShareStatus), else
    Active."""
    waiting = any(
        invitation['share_id'] == share['id'] and _invitation_status(invitation, now) == PENDING
        for invitation in store.invitations.values()
    )
    return PENDING if waiting else 'Active'


def service_key(store, snap: dict) -> bool:
    """Whether an encrypted snapshot is under ECS's service key: its key's alias, or no key named (ECS's default)."""
    if not snap.get('encrypted'):
        return False
    key = store.config['kms_keys'].get(snap.get('kms_key_id') or '')
    return key is None or SERVICE_KEY_ALIAS in key.get('aliases', ())


# ---------------------------------------------------------------------- Resource Sharing
def _region(call) -> str:
    region = p.text(call.params, 'RegionId', required=True)
    if not call.store.known_region('ecs', region):
        raise CloudError('InvalidRegionId.NotFound', 'The specified RegionId does not exist.', 404)
    return region


def _own_share(call, region: str) -> dict:
    share_id = p.text(call.params, 'ResourceShareId', required=True)
    share = _shares(call.store).get(share_id)
    if share is None or share['owner'] != call.account or share['region'] != region:
        # Unverifiable code: the models name none for an unknown resource share.
        raise CloudError('EntityNotExist.ResourceShare', 'The specified resource share does not exist.', 404)
    return share


def _resources(call) -> list:
    resources = p.repeat_list(call.params, 'Resources', ('ResourceId', 'ResourceType'))
    if len(resources) > 5:  # "Valid values of N: 1 to 5"
        raise CloudError('InvalidParameter.Resources', 'At most 5 resources can be specified at a time.')
    for resource in resources:
        if not resource.get('ResourceId') or not resource.get('ResourceType'):
            raise missing('Resources.N.ResourceId and Resources.N.ResourceType')  # "must be used in pairs"
    return resources


def _targets(call) -> list:
    targets = p.repeat_list(call.params, 'Targets')
    if any(not target.isdigit() for target in targets):
        raise CloudError('InvalidParameter.Targets', 'The specified Targets are not valid account ids.')
    return targets


def _render_share(share: dict, status: str) -> dict:
    return {
        'ResourceShareId': share['id'],
        'ResourceShareName': share['name'],
        'ResourceShareOwner': share['owner'],
        'ResourceShareStatus': status,
        'AllowExternalTargets': share['external'],
        'CreateTime': iso_z(share['created']),
        'UpdateTime': iso_z(share['updated']),
    }


def _association(
    share: dict, kind: str, entity: str, entity_type: str, status: str, now: float, message: str = ''
) -> dict:
    return {
        'ResourceShareId': share['id'],
        'ResourceShareName': share['name'],
        'AssociationType': kind,
        'EntityId': entity,
        'EntityType': entity_type,
        'AssociationStatus': status,
        'AssociationStatusMessage': message,
        'CreateTime': iso_z(now),
        'UpdateTime': iso_z(now),
    }


def _associate(call, share: dict, resources: list, targets: list) -> list:
    """Add resources and targets to ``share``; answer the associations, a refused one Failed with the model's reason."""
    store, now = call.store, call.now
    out = []
    for resource in resources:
        snapshot_id, kind = resource['ResourceId'], resource['ResourceType']
        snap = store.snapshots['ecs'].get(snapshot_id)  # the caller's own only (AccountStore)
        reason = None
        if kind != SNAPSHOT or snap is None or snap['region'] != share['region']:
            reason = ('Unavailable', 'The resource does not exist.')
        elif service_key(store, snap):
            reason = ('Unavailable', 'The snapshot is encrypted with the service key and cannot be shared.')
        elif snap.get('encrypted') and ENCRYPTED_SHARE_ROLE not in roles_of(call.store, call.account):
            # The ECS guide "Share a snapshot", its prerequisites (ram.py); the reason's words: unverifiable.
            reason = ('Unavailable', 'The RAM role %s is needed to share an encrypted snapshot.' % ENCRYPTED_SHARE_ROLE)
        elif (
            len(
                set(share['targets'])
                | {account for other in associated_shares(store, snap) for account in other['targets']}
            )
            > MAX_ACCOUNTS_A_SNAPSHOT
        ):
            reason = ('LimitExceeded', 'A snapshot can be shared with at most %d accounts.' % MAX_ACCOUNTS_A_SNAPSHOT)
        elif (
            snapshot_id not in _shared_ids(store, call.account)
            and len(_shared_ids(store, call.account)) >= MAX_SNAPSHOTS_AN_ACCOUNT
        ):
            reason = ('LimitExceeded', 'An account can share at most %d snapshots.' % MAX_SNAPSHOTS_AN_ACCOUNT)
        if reason is None:
            share['failed'].pop(snapshot_id, None)
            since = share['resources'].setdefault(snapshot_id, now)
            out.append(_association(share, 'Resource', snapshot_id, kind, association_status(store, since, now), now))
        else:
            share['failed'][snapshot_id] = (kind, reason)
            out.append(_association(share, 'Resource', snapshot_id, kind, 'Failed', now, reason[1]))
    for target in targets:
        if target == call.account:
            raise CloudError('InvalidParameter.Targets', 'A resource cannot be shared with its own account.')
        share['targets'].setdefault(target, now)
        invited = any(
            invitation['share_id'] == share['id']
            and invitation['receiver'] == target
            and _invitation_status(invitation, now) in (PENDING, ACCEPTED)
            for invitation in store.invitations.values()
        )
        if not invited and not in_directory(store, call.account, target):
            invitation_id = 'i-' + store.new_id('ecs', '', 12)
            store.invitations[invitation_id] = {
                'id': invitation_id,
                'share_id': share['id'],
                'sender': call.account,
                'receiver': target,
                'status': PENDING,
                'created': now,
                'region': share['region'],
            }
        out.append(_association(share, 'Target', target, 'Account', 'Associated', now))
    share['updated'] = now
    call.changed(share['region'])
    return out


def _shared_ids(store, account: str) -> set:
    return {
        snapshot_id
        for share in _shares(store).values()
        if share['owner'] == account
        for snapshot_id in share['resources']
    }


def create_resource_share(call) -> dict:
    region = _region(call)
    name = p.text(call.params, 'ResourceShareName', required=True)
    if not 1 <= len(name) <= 50 or set(name) - SHARE_NAME_CHARACTERS:
        raise CloudError(
            'InvalidParameter.ResourceShareName',
            'The name is 1 to 50 letters, digits, periods, underscores and hyphens.',
        )
    resources, targets = _resources(call), _targets(call)
    share_id = 'rs-' + call.store.new_id('ecs', '', 8)
    share = {
        'id': share_id,
        'name': name,
        'owner': call.account,
        'region': region,
        'external': p.boolean(call.params, 'AllowExternalTargets'),
        'targets': {},
        'resources': {},
        'failed': {},
        'created': call.now,
        'updated': call.now,
    }
    _shares(call.store)[share_id] = share
    _associate(call, share, resources, targets)
    return {'ResourceShare': _render_share(share, share_status(call.store, share, call.now))}


def associate_resource_share(call) -> dict:
    region = _region(call)
    share = _own_share(call, region)
    return {'ResourceShareAssociations': _associate(call, share, _resources(call), _targets(call))}


def disassociate_resource_share(call) -> dict:
    region = _region(call)
    owner = p.text(call.params, 'ResourceOwner') or 'Self'
    if owner not in ('Self', 'OtherAccounts'):
        raise CloudError('InvalidParameter.ResourceOwner', 'ResourceOwner is Self or OtherAccounts.')
    if owner == 'OtherAccounts':
        return {'ResourceShareAssociations': _exit_share(call, region)}
    share = _own_share(call, region)
    out = []
    for resource in _resources(call):
        share['resources'].pop(resource['ResourceId'], None)
        share['failed'].pop(resource['ResourceId'], None)
        out.append(
            _association(share, 'Resource', resource['ResourceId'], resource['ResourceType'], 'Disassociated', call.now)
        )
    for target in _targets(call):
        share['targets'].pop(target, None)
        out.append(_association(share, 'Target', target, 'Account', 'Disassociated', call.now))
    call.changed(region)
    return {'ResourceShareAssociations': out}


def _exit_share(call, region: str) -> list:
    """A principal leaves another account's resource share ("if you are a principal and you want to exit a resource
    share, set this parameter to OtherAccounts", DisassociateResourceShareRequest.ResourceOwner). Unverifiable, chosen
    here: that it names itself as the target and no resource, and that its invitation stays as it was."""
    share_id = p.text(call.params, 'ResourceShareId', required=True)
    share = _shares(call.store).get(share_id)
    if share is None or share['region'] != region or call.account not in share['targets']:
        raise CloudError('EntityNotExist.ResourceShare', 'The specified resource share does not exist.', 404)
    if _resources(call) or _targets(call) not in ([], [call.account]):
        raise CloudError('InvalidParameter', 'A principal exits a resource share as its own target, with no resource.')
    share['targets'].pop(call.account)
    share['updated'] = call.now
    call.changed(region)
    return [_association(share, 'Target', call.account, 'Account', 'Disassociated', call.now)]


def list_resource_shares(call) -> dict:
    region = _region(call)
    prm = call.params
    owner = p.text(prm, 'ResourceOwner', required=True)
    if owner not in ('Self', 'OtherAccounts'):
        raise CloudError('InvalidParameter.ResourceOwner', 'ResourceOwner is Self or OtherAccounts.')
    ids = p.repeat_list(prm, 'ResourceShareIds')
    name, status = p.text(prm, 'ResourceShareName'), p.text(prm, 'ResourceShareStatus')
    found = []
    for share in _shares(call.store).values():
        mine = share['owner'] == call.account
        if share['region'] != region or mine != (owner == 'Self'):
            continue
        if not mine and not accepted(call.store, share, call.account, call.now):
            continue
        current = share_status(call.store, share, call.now)
        if (ids and share['id'] not in ids) or (name and share['name'] != name) or (status and status != current):
            continue
        found.append(dict(_render_share(share, current), Tags=[]))
    chunk, extra = p.page(
        prm, sorted(found, key=lambda share: share['ResourceShareId']), default_size=20, max_results=(1, 100)
    )
    return {'ResourceShares': chunk, 'NextToken': extra['NextToken']}


def list_shared_resources(call) -> dict:
    """The resources the caller shares (ResourceOwner Self; Target: with that account) or is shared (OtherAccounts;
    Target: by that account, and only once it accepted the invitation)."""
    region = _region(call)
    prm = call.params
    owner = p.text(prm, 'ResourceOwner', required=True)
    if owner not in ('Self', 'OtherAccounts'):
        raise CloudError('InvalidParameter.ResourceOwner', 'ResourceOwner is Self or OtherAccounts.')
    ids, share_ids = p.repeat_list(prm, 'ResourceIds'), p.repeat_list(prm, 'ResourceShareIds')
    kind, target = p.text(prm, 'ResourceType'), p.text(prm, 'Target')
    found = []
    for share in _shares(call.store).values():
        if share['region'] != region or (share_ids and share['id'] not in share_ids):
            continue
        if owner == 'Self':
            if share['owner'] != call.account or (target and target not in share['targets']):
                continue
        elif (
            share['owner'] == call.account
            or (target and share['owner'] != target)
            or not (call.account in share['targets'] and accepted(call.store, share, call.account, call.now))
        ):
            continue
        for snapshot_id, since in share['resources'].items():
            if (ids and snapshot_id not in ids) or (kind and kind != SNAPSHOT):
                continue
            if owner == 'OtherAccounts' and association_status(call.store, since, call.now) != ASSOCIATED:
                continue  # not the target's before it is associated
            row = {
                'ResourceShareId': share['id'],
                'ResourceId': snapshot_id,
                'ResourceType': SNAPSHOT,
                'CreateTime': iso_z(since),
                'UpdateTime': iso_z(since),
            }
            if owner == 'OtherAccounts':
                row.update(ResourceStatus='Available', ResourceStatusMessage='')
            found.append(row)
    chunk, extra = p.page(
        prm,
        sorted(found, key=lambda row: (row['ResourceShareId'], row['ResourceId'])),
        default_size=20,
        max_results=(1, 100),
    )
    return {'SharedResources': chunk, 'NextToken': extra['NextToken']}


def _invitation_status(invitation: dict, now: float) -> str:
    if invitation['status'] == PENDING and now - invitation['created'] > INVITATION_SECONDS:
        return EXPIRED
    return invitation['status']


def _render_invitation(invitation: dict, share: dict, now: float) -> dict:
    return {
        'ResourceShareInvitationId': invitation['id'],
        'ResourceShareId': share['id'],
        'ResourceShareName': share['name'],
        'SenderAccountId': invitation['sender'],
        'ReceiverAccountId': invitation['receiver'],
        'Status': _invitation_status(invitation, now),
        'CreateTime': iso_z(invitation['created']),
    }


def list_resource_share_invitations(call) -> dict:
    """The invitations the caller received (a resource share's targets are invited; its owner lists its shares)."""
    region = _region(call)
    prm = call.params
    ids, share_ids = p.repeat_list(prm, 'ResourceShareInvitationIds'), p.repeat_list(prm, 'ResourceShareIds')
    found = []
    for invitation in call.store.invitations.values():
        share = _shares(call.store).get(invitation['share_id'])
        if share is None or invitation['receiver'] != call.account or invitation['region'] != region:
            continue
        if (ids and invitation['id'] not in ids) or (share_ids and share['id'] not in share_ids):
            continue
        found.append(dict(_render_invitation(invitation, share, call.now), InvitationFailedDetails=[]))
    chunk, extra = p.page(
        prm, sorted(found, key=lambda row: row['ResourceShareInvitationId']), default_size=20, max_results=(1, 100)
    )
    return {'ResourceShareInvitations': chunk, 'NextToken': extra['NextToken']}


def accept_resource_share_invitation(call) -> dict:
    region = _region(call)
    invitation_id = p.text(call.params, 'ResourceShareInvitationId', required=True)
    invitation = call.store.invitations.get(invitation_id)
    if invitation is None or invitation['receiver'] != call.account or invitation['region'] != region:
        # Unverifiable code: the models name none for an unknown invitation.
        raise CloudError('EntityNotExist.ResourceShareInvitation', 'The specified invitation does not exist.', 404)
    status = _invitation_status(invitation, call.now)
    if status not in (PENDING, ACCEPTED):
        # "A sharing invitation is valid for 7 days" (AcceptResourceShareInvitation); unverifiable code.
        raise CloudError(
            'InvalidStatus.ResourceShareInvitation', 'The invitation is %s and cannot be accepted.' % status, 400
        )
    if status == PENDING:
        invitation['status'] = ACCEPTED
        call.changed(region)
    share = _shares(call.store)[invitation['share_id']]
    return {
        'ResourceShareInvitation': dict(
            _render_invitation(invitation, share, call.now), AcceptInvitationFailedDetails=[]
        )
    }


def list_resource_share_associations(call) -> dict:
    """The caller's resource shares' associations, those refused with their failure details."""
    region = _region(call)
    prm = call.params
    kind = p.text(prm, 'AssociationType', required=True)
    if kind not in ('Resource', 'Target'):
        raise CloudError('InvalidParameter.AssociationType', 'AssociationType is Resource or Target.')
    share_ids, resource_id, target = (
        p.repeat_list(prm, 'ResourceShareIds'),
        p.text(prm, 'ResourceId'),
        p.text(prm, 'Target'),
    )
    status = p.text(prm, 'AssociationStatus')
    found = []
    for share in _shares(call.store).values():
        if share['owner'] != call.account or share['region'] != region or (share_ids and share['id'] not in share_ids):
            continue
        rows = []
        if kind == 'Resource':
            # Only the rows the filters below keep are made (a DR run asks for one ResourceId a call, of shares that
            # hold a thousand): the same rows, in the same order.
            rows += [
                _association(share, kind, snapshot_id, SNAPSHOT, association_status(call.store, since, call.now), since)
                for snapshot_id, since in share['resources'].items()
                if (not resource_id or snapshot_id == resource_id) and (not target or snapshot_id == target)
            ]
            for snapshot_id, (resource_type, (reason, description)) in share['failed'].items():
                row = _association(share, kind, snapshot_id, resource_type, 'Failed', share['updated'], description)
                row['AssociationFailedDetails'] = [
                    {
                        'EntityId': snapshot_id,
                        'EntityType': resource_type,
                        'FailureReason': reason,
                        'FailureDescription': description,
                        'OperationType': 'Associate',
                    }
                ]
                rows.append(row)
        else:
            rows += [
                dict(
                    _association(share, kind, account, 'Account', 'Associated', since),
                    External=not in_directory(call.store, share['owner'], account),
                )
                for account, since in share['targets'].items()
            ]
        found += [
            row
            for row in rows
            if (not resource_id or row['EntityId'] == resource_id)
            and (not target or row['EntityId'] == target)
            and (not status or row['AssociationStatus'] == status)
        ]
    chunk, extra = p.page(
        prm,
        sorted(found, key=lambda row: (row['ResourceShareId'], row['EntityId'])),
        default_size=20,
        max_results=(1, 100),
    )
    return {'ResourceShareAssociations': chunk, 'NextToken': extra['NextToken']}


# ---------------------------------------------------------------------- KMS
def list_aliases_by_key_id(call) -> dict:
    """A key's aliases (alibabacloud-kms20160120 ListAliasesByKeyIdResponseBody: Aliases.Alias[] of KeyId, AliasName,
    AliasArn). The keys are config['kms_keys'] (key id -> {'aliases', 'account'}); an unknown one answers KMS's
    Forbidden.KeyNotFound (unverifiable: its HTTP status)."""
    key_id = p.text(call.params, 'KeyId', required=True)
    key = call.store.config['kms_keys'].get(key_id)
    if key is None or str(key.get('account', call.account)) != call.account:
        raise CloudError('Forbidden.KeyNotFound', 'The specified Key is not found.', 404)
    region = call.params.get('RegionId') or 'cn-hangzhou'
    aliases = [
        {'KeyId': key_id, 'AliasName': alias, 'AliasArn': 'acs:kms:%s:%s:%s' % (region, call.account, alias)}
        for alias in key.get('aliases', ())
    ]
    chunk, extra = p.page(call.params, aliases, default_size=10, max_size=100)
    return {
        'Aliases': {'Alias': chunk},
        'PageNumber': extra['PageNumber'],
        'PageSize': extra['PageSize'],
        'TotalCount': extra['TotalCount'],
    }


RESOURCE_LIST = ('ResourceShareIds.N',)
ACTIONS = {
    'CreateResourceShare': action(
        create_resource_share,
        True,
        'ResourceShareName',
        'AllowExternalTargets',
        'Resources.N.ResourceId',
        'Resources.N.ResourceType',
        'Targets.N',
    ),
    'AssociateResourceShare': action(
        associate_resource_share,
        True,
        'ResourceShareId',
        'Resources.N.ResourceId',
        'Resources.N.ResourceType',
        'Targets.N',
    ),
    'DisassociateResourceShare': action(
        disassociate_resource_share,
        True,
        'ResourceOwner',
        'ResourceShareId',
        'Resources.N.ResourceId',
        'Resources.N.ResourceType',
        'Targets.N',
    ),
    'ListResourceShares': action(
        list_resource_shares,
        False,
        'ResourceOwner',
        'ResourceShareName',
        'ResourceShareStatus',
        'MaxResults',
        'NextToken',
        *RESOURCE_LIST,
    ),
    'ListSharedResources': action(
        list_shared_resources,
        False,
        'ResourceOwner',
        'ResourceIds.N',
        'ResourceType',
        'Target',
        'MaxResults',
        'NextToken',
        *RESOURCE_LIST,
    ),
    'ListResourceShareInvitations': action(
        list_resource_share_invitations,
        False,
        'ResourceShareInvitationIds.N',
        'MaxResults',
        'NextToken',
        *RESOURCE_LIST,
    ),
    'AcceptResourceShareInvitation': action(accept_resource_share_invitation, True, 'ResourceShareInvitationId'),
    'ListResourceShareAssociations': action(
        list_resource_share_associations,
        False,
        'AssociationType',
        'AssociationStatus',
        'ResourceId',
        'Target',
        'MaxResults',
        'NextToken',
        *RESOURCE_LIST,
    ),
}
KMS_ACTIONS = {
    'ListAliasesByKeyId': action(list_aliases_by_key_id, False, 'KeyId', 'PageNumber', 'PageSize'),
}
