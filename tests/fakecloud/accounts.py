"""Accounts: every credential belongs to one, and a caller sees and changes only its own account's resources.

The handlers keep reading ``call.store.disks[cloud]`` and ``call.store.snapshots[cloud]``: during a
call, ``call.store`` is an ``AccountStore``, whose tables hold only the caller's account's records and
which stamps that account on every record it adds. Resource ids stay unique across accounts, as the
clouds' are.

Roles (``config['roles'][vendor]``): role ARN -> ``{'trusted': [account ids]}``, the accounts whose
credentials may assume it (the role's trust policy, reduced to its principals). The role's own
account is read from its ARN.
"""

from __future__ import annotations

import collections
import collections.abc
import re

# Vendor of each emulated cloud (accounts are the vendor's: one Alibaba account serves ECS and ENS).
VENDOR = {
    'ecs': 'alibaba',
    'ens': 'alibaba',
    'alibaba_sts': 'alibaba',
    'resourcesharing': 'alibaba',
    'kms': 'alibaba',
    'resourcemanager': 'alibaba',
    'ram': 'alibaba',
    'cbs': 'tencent',
    'cvm': 'tencent',
    'tag': 'tencent',
    'tencent_sts': 'tencent',
    'organization': 'tencent',
}

# The shapes the vendors give role ARNs (STS 2015-04-01 AssumeRole RoleArn; sts 2018-08-13
# AssumeRoleRequest.RoleArn doc in tencentcloud-sdk-python-sts).
ROLE_ARN = {
    'alibaba': re.compile(r'^acs:ram::(?P<account>\d+):role/(?P<name>[A-Za-z0-9.-]{1,64})$'),
    'tencent': re.compile(
        r'^qcs::cam::uin/(?P<account>\d+):(roleName|role)/(?P<name>([\w+=,.@-]+/)?[\w+=,.@-]{1,128})$'
    ),
}


def default_account(config: dict, vendor: str) -> str:
    return config['accounts'][vendor]


def role_account(vendor: str, arn: str) -> str | None:
    match = ROLE_ARN[vendor].match(arn or '')
    return match.group('account') if match else None


class AccountTable(collections.abc.MutableMapping):
    """One cloud's disks or snapshots, as one account sees them."""

    def __init__(self, table: dict, account: str):
        self._table = table
        self._account = account

    def __getitem__(self, key):
        record = self._table[key]
        if record.get('account') != self._account:
            raise KeyError(key)
        return record

    def __setitem__(self, key, record):
        record['account'] = self._account
        self._table[key] = record

    def __delitem__(self, key):
        self[key]  # pylint: disable=pointless-statement  # KeyError for another account's record
        del self._table[key]

    def __iter__(self):
        return (key for key, record in list(self._table.items()) if record.get('account') == self._account)

    def __len__(self):
        return sum(1 for dummy in self)


class AccountStore:
    """The store as one account's call sees it: its own tables; everything else is the store's."""

    def __init__(self, store, account: str, vendor: str):
        self._store = store
        self.account = account
        self.disks = {cloud: AccountTable(table, account) for cloud, table in store.disks.items()}
        self.snapshots = {cloud: AccountTable(table, account) for cloud, table in store.snapshots.items()}
        self.snapshot_groups = {cloud: AccountTable(table, account) for cloud, table in store.snapshot_groups.items()}
        self.instances = {cloud: AccountTable(table, account) for cloud, table in store.instances.items()}
        # Tencent resource names carry the account's uin (qcs::cvm:REGION:uin/UIN:snapshot/ID).
        self.config = (
            collections.ChainMap({'tencent_uin': account}, store.config) if vendor == 'tencent' else store.config
        )

    def __getattr__(self, name):
        return getattr(self._store, name)

    def add_snapshot(self, cloud: str, record: dict) -> dict:
        record['account'] = self.account
        return self._store.add_snapshot(cloud, record)

    def add_disk(self, cloud: str, record: dict) -> dict:
        record['account'] = self.account
        return self._store.add_disk(cloud, record)

    def drop_failed(self, cloud: str, now: float) -> None:
        self._store.drop_failed(cloud, now)

    def group_members(self, cloud: str, group: dict) -> list:
        return [self.snapshots[cloud][sid] for sid in group['members'] if sid in self.snapshots[cloud]]

    def group_phase(self, cloud: str, group: dict, now: float) -> tuple:
        return type(self._store).group_phase(self, cloud, group, now)

    def any_snapshot(self, cloud: str, snapshot_id: str) -> dict | None:
        """The snapshot ``snapshot_id`` of whichever account (ECS: to see whether it is shared with this one)."""
        return self._store.snapshots[cloud].get(snapshot_id)

    def shared_snapshots(self, cloud: str) -> dict:
        """{id: record} of the other accounts' snapshots shared with this one (CBS ModifySnapshotsSharePermission)."""
        return {
            key: record
            for key, record in self._store.snapshots[cloud].items()
            if record.get('account') != self.account and self.account in (record.get('shared_with') or {})
        }
