# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud ECS: the DR adapter's DR account part (dr/capabilities.py DrAccountAdapter): the share side
(clouds/alibaba/ecs_dr_account.py) made, and the adapter's calls routed to the account that holds each region's
snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...dr.capabilities import HeldSharesAccount
from .client import AlibabaAccountRouter, AlibabaClient
from .ecs import REQUEST_PACKAGE, ecs_endpoint
from .ecs_dr_account import EcsDrAccount

if TYPE_CHECKING:
    from .ecs_api import EcsCalls


class EcsVault(HeldSharesAccount):
    """The ECS adapter's DR account part: the share side made (EcsDrAccount, the adapter's ``dr``) and the adapter's
    calls routed to the account that holds each region's snapshots; the run's shares are the adapter's
    (dr.leases.shares.SharesHeldByLeases)."""

    def __init__(self, adapter: EcsCalls) -> None:
        super().__init__(adapter)
        self.adapter = adapter

    def use_dr_account(self, connection: dict[str, Any], source_region: str, account: str) -> None:
        # dr_account's options under the names an Alibaba connection takes them (ALIBABA_ASSUME_ROLE_SPEC).
        dr_connection = dict(
            connection,
            alicloud_assume_role_arn=connection.get('role_arn'),
            alicloud_assume_role_session_name=connection.get('role_session_name'),
            alicloud_assume_role_external_id=connection.get('external_id'),
        )
        for key in ('role_arn', 'role_session_name', 'external_id'):
            dr_connection.pop(key, None)
        source = self.adapter.client
        dr_client = AlibabaClient(
            'ecs',
            dr_connection,
            default_endpoint=ecs_endpoint,
            request_package=REQUEST_PACKAGE,
            sdk=source.sdk,
            retry=source.retry,
        )
        self.adapter.dr = EcsDrAccount(
            self.adapter, source=source, client=dr_client, source_region=source_region, account=account
        )
        # The same calls, each sent to the account that holds the region's snapshots (AlibabaAccountRouter).
        self.adapter.client = AlibabaAccountRouter(source, dr_client, source_region)  # type: ignore[assignment]  # the same calls
