# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud CBS: the DR adapter's DR account part (dr/capabilities.py DrAccountAdapter): what makes each staged
copy the DR account's (clouds/tencent/cbs_dr_account.py) made, and the adapter's calls routed to the account that holds
each region's snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...dr.capabilities import DrAccountAdapter
from .cbs_api import CbsCalls
from .cbs_dr_account import CbsDrAccount
from .client import TencentAccountRouter, TencentClient

if TYPE_CHECKING:
    from ...dr.leases.lease import LeaseTerms


class CbsVaultCalls(CbsCalls, Protocol):
    """What the DR account part calls on the CBS adapter (clouds/tencent/cbs_dr.py CbsAdapter), which imports this file:
    its client (set to the two accounts' router) and its ``dr``, set here."""

    client: TencentClient
    dr: CbsDrAccount | None

    def start_dr_run(self, terms: LeaseTerms) -> None:
        """As CbsAdapter.start_dr_run does."""


class CbsVault(DrAccountAdapter):
    """The CBS adapter's DR account part: the adapter's ``dr`` (CbsDrAccount) made, and its calls routed to the account
    that holds each region's snapshots; the shares are staged copies, released by CbsDrAccount."""

    def __init__(self, adapter: CbsVaultCalls) -> None:
        self.adapter = adapter

    def _account(self) -> CbsDrAccount:
        if self.adapter.dr is None:
            raise RuntimeError('a DR run with dr_account starts with use_dr_account')  # a bug of ours, not the user's
        return self.adapter.dr

    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        adapter = self.adapter
        dr_client = TencentClient(connection, adapter.client.sdk, retry=adapter.client.retry)
        adapter.dr = CbsDrAccount(adapter, client=dr_client, source_region=source_region, account=account)
        adapter.client = TencentAccountRouter(adapter.staging_client, dr_client, source_region)  # type: ignore[assignment]  # the same calls

    def start_dr_run(self, terms: LeaseTerms) -> None:
        self.adapter.start_dr_run(terms)

    def find_shares(self, source_region: str, dr_regions: list[str]) -> tuple[list[str], list[str]]:
        return self._account().find_shares(dr_regions)

    def release_share(self, source_region: str, snapshot_id: str) -> bool:
        self._account().release_share(snapshot_id)
        return True

    def dr_account_steps(self) -> tuple[list[str], list[str]]:
        return self._account().steps()

    def dr_account_staging(self, dr_regions: list[str]) -> list[dict[str, Any]]:
        return self._account().staging_read(dr_regions)

    def settle_dr_account(self, dr_regions: list[str]) -> int:
        return self._account().settle(dr_regions)
