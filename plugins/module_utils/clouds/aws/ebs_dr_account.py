# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: a separate DR account (dr_sync's dr_account, docs/vault.md), whose copies are made from source snapshots
shared with it (createVolumePermission), held by the run's leases (dr/leases/shares.py).

Two halves: EbsSourceShares, the source account's calls on its snapshots' tags and shares, which the EBS adapter is
(the copy phase takes copy and share leases through the adapter itself), and EbsDrAccount, the adapter's DR account
part (dr/capabilities.py DrAccountAdapter)."""

from __future__ import annotations

import fnmatch
import json
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ...core.errors import CloudError, PreflightError
from ...core.model import PENDING, Snapshot
from ...core.tagging import SHARE_LEASE_TAG_PREFIX, SHARE_TAG, SOURCE_TAG, tag_list
from ...dr.capabilities import HeldSharesAccount
from ...dr.leases.shares import OneSourceShareCalls, ShareLeases, SharesHeldByLeases
from .client import AccountRouter, AwsClient
from .ebs import FILTER_CHUNK

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms
    from .ebs_api import EbsCalls


class EbsSourceShares(SharesHeldByLeases, OneSourceShareCalls):
    """The calls of a share (dr.leases.shares.OneSourceShareCalls) and of the tags of source snapshots (dr.leases.source_tags.
    SourceTagCalls: copy and share leases), in the source account but for copies_in_flight (AccountRouter), and the
    run's shares (SharesHeldByLeases)."""

    client: AwsClient
    #: With dr_account, the DR account's id (EbsDrAccount.use_dr_account).
    dr_account: str | None = None
    # Tags of source snapshots, a batch a call.
    sources_per_tag_call = FILTER_CHUNK

    @abstractmethod
    def _describe_by_filter(self, region: str, name: str, values: Sequence[str], owned: bool) -> dict[str, Snapshot]:
        """The copy adapter's (clouds/aws/ebs.py)."""

    def start_dr_run(self, terms: LeaseTerms) -> None:
        self.shares = ShareLeases(self, account=self.dr_account or '', terms=terms)

    def is_shared(self, source_region: str, snapshot_id: str) -> bool:
        answer = self.client.call(
            source_region, 'DescribeSnapshotAttribute', SnapshotId=snapshot_id, Attribute='createVolumePermission'
        )
        return self.dr_account in {permission.get('UserId') for permission in answer.get('CreateVolumePermissions', [])}

    def share(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'add')

    def unshare(self, source_region: str, snapshot_id: str) -> None:
        self._modify_share(source_region, snapshot_id, 'remove')

    def _modify_share(self, source_region: str, snapshot_id: str, operation: str) -> None:
        self.client.call(
            source_region,
            'ModifySnapshotAttribute',
            SnapshotId=snapshot_id,
            Attribute='createVolumePermission',
            OperationType=operation,
            UserIds=[self.dr_account],
        )

    def tag_sources(self, source_region: str, snapshot_ids: Sequence[str], tags: Mapping[str, str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(
                source_region,
                'CreateTags',
                Resources=list(snapshot_ids[start : start + FILTER_CHUNK]),
                Tags=tag_list(dict(tags)),
            )

    def sources_tags(self, source_region: str, snapshot_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        found = self._describe_by_filter(source_region, 'snapshot-id', snapshot_ids, owned=True)
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def untag_sources(self, source_region: str, snapshot_ids: Sequence[str], keys: Sequence[str]) -> None:
        for start in range(0, len(snapshot_ids), FILTER_CHUNK):
            self.client.call(
                source_region,
                'DeleteTags',
                Resources=list(snapshot_ids[start : start + FILTER_CHUNK]),
                Tags=[{'Key': key} for key in keys],
            )

    def leased_sources(self, source_region: str) -> dict[str, dict[str, str]]:
        # EC2's filter values take wildcards ("*" matches any characters: EC2 user guide, "Filter resources"). One value
        # a listing: moto 5.2, which the tests run against, takes several values of a tag-key filter as a set, not
        # any-of.
        found: dict[str, Snapshot] = {}
        for key in (SHARE_TAG, SHARE_LEASE_TAG_PREFIX + '*'):
            found.update(self._describe_by_filter(source_region, 'tag-key', [key], owned=True))
        return {snapshot_id: dict(snapshot.tags) for snapshot_id, snapshot in found.items()}

    def copies_in_flight(self, source_region: str, regions: Sequence[str], snapshot_ids: Sequence[str]) -> set[str]:
        in_flight: set[str] = set()
        for region in regions:
            copies = self._describe_by_filter(
                region,
                'tag:' + SOURCE_TAG,
                ['%s/%s' % (source_region, snapshot_id) for snapshot_id in snapshot_ids],
                owned=True,
            )
            in_flight |= {copy.tags[SOURCE_TAG].partition('/')[2] for copy in copies.values() if copy.state == PENDING}
        return in_flight


class EbsDrAccount(HeldSharesAccount):
    """The DR account part: the adapter's calls routed to the account that holds each region's snapshots, and each
    source's KMS key checked once; the run's shares are the adapter's (EbsSourceShares)."""

    def __init__(self, adapter: EbsCalls) -> None:
        super().__init__(adapter)
        self.adapter = adapter
        # Each source's KMS key checked once (None: shareable, else why not).
        self._key_refusals: dict[str, PreflightError | None] = {}

    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # The same calls, each sent to the account that holds the region's snapshots (AccountRouter, an AwsClient in
        # all but name).
        client = self.adapter.client
        router = AccountRouter(
            client,
            AwsClient(connection, botocore_module=client.botocore, retry=client.retry, ec2_model=client.ec2_model),
            source_region,
        )
        self.adapter.client = cast('AwsClient', router)
        self.adapter.dr_account = account

    def key_refusal(self, source: Snapshot) -> PreflightError | None:
        """With dr_account, an encrypted source must be encrypted with a customer managed key that the DR account may
        use: the AWS managed key (aws/ebs) cannot be shared with another account ("You can't share snapshots that are
        encrypted with the default AWS managed key", EBS user guide, Share a snapshot), and "Users of your shared
        customer managed key who are accessing encrypted snapshots must be granted permissions to perform the following
        actions on the key: kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext,
        kms:ReEncrypt, kms:Decrypt" (Share the KMS key used to encrypt a shared snapshot). Read once per key (KMS
        DescribeKey, GetKeyPolicy): a policy the run may not read refuses nothing (the DR account's copy says)."""
        key = source.extra.get('kms_key_id') or ''
        if key not in self._key_refusals:
            manager = (
                self.adapter.client.call_service('kms', source.region, 'DescribeKey', KeyId=key)['KeyMetadata'].get(
                    'KeyManager'
                )
                if key
                else 'AWS'
            )
            if manager != 'CUSTOMER':
                self._key_refusals[key] = PreflightError(
                    'CopySnapshot',
                    'AwsManagedKeyNotShareable',
                    'source snapshot %s is encrypted with the AWS managed key %s (alias aws/ebs), which cannot be shared '
                    'with another account: the DR account %s cannot copy it. Encrypt the disk with a customer managed '
                    'key whose policy lets the DR account use it (docs/vault.md)'
                    % (source.id, key or 'of EBS', self.adapter.dr_account),
                    fix='encrypt the disk with a customer managed key whose policy lets the DR account use it',
                    region=source.region,
                )
            else:
                self._key_refusals[key] = self._policy_refusal(key, source)
        return self._key_refusals[key]

    def _policy_refusal(self, key: str, source: Snapshot) -> PreflightError | None:
        try:
            answer = self.adapter.client.call_service(
                'kms', source.region, 'GetKeyPolicy', KeyId=key, PolicyName='default'
            )
        except CloudError:
            return None  # not the run's to read: the DR account's copy tells
        missing = missing_key_actions(answer.get('Policy') or '', self.adapter.dr_account or '')
        if not missing:
            return None
        return PreflightError(
            'CopySnapshot',
            'KeyPolicyRefusesDrAccount',
            'source snapshot %s is encrypted with the customer managed key %s, whose policy does not allow the DR account '
            '%s %s: the DR account cannot copy it. Allow it %s in the key\'s policy (docs/vault.md)'
            % (source.id, key, self.adapter.dr_account, ', '.join(missing), ', '.join(KEY_ACTIONS)),
            fix="allow the DR account %s in the key's policy" % ', '.join(KEY_ACTIONS),
            region=source.region,
        )

    def check_source(self, source: Snapshot) -> None:
        """PreflightError for a source the DR account cannot copy (key_refusal)."""
        refusal = self.key_refusal(source)
        if refusal is not None:
            raise refusal


# What the DR account must be allowed on the source's key, as the EBS user guide lists it.
KEY_ACTIONS = (
    'kms:DescribeKey',
    'kms:CreateGrant',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ReEncrypt*',
    'kms:Decrypt',
)


def missing_key_actions(policy_text: str, account: str) -> list[str]:
    """The actions of KEY_ACTIONS that no Allow statement of the key policy ``policy_text`` gives ``account`` (its root,
    a principal of it, or anyone); a policy that cannot be read as JSON misses none (the copy tells). Conditions and Deny
    statements are not weighed: the check refuses only what no statement allows."""
    try:
        policy = json.loads(policy_text)
    except ValueError:
        return []
    allowed: list[str] = []
    for statement in as_list(policy.get('Statement') if isinstance(policy, dict) else None):
        if (
            isinstance(statement, dict)
            and statement.get('Effect') == 'Allow'
            and names_account(statement.get('Principal'), account)
        ):
            allowed.extend(str(action).lower() for action in as_list(statement.get('Action')))
    return [
        action
        for action in KEY_ACTIONS
        if not any(
            fnmatch.fnmatchcase(action.lower().rstrip('*'), given) or fnmatch.fnmatchcase(given, action.lower())
            for given in allowed
        )
    ]


def names_account(principal: Any, account: str) -> bool:
    """Whether a statement's Principal takes in ``account``: '*', its id, its root, or an ARN of it."""
    if principal == '*':
        return True
    names = as_list(principal.get('AWS')) if isinstance(principal, dict) else as_list(principal)
    return any(name in ('*', account) or str(name).startswith('arn:aws:iam::%s:' % account) for name in names)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]
