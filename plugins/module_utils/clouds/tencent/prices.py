# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a CBS copy costs, for dr_sync's plan (dr/plan.py): Tencent Cloud publishes no price of a cross-region copy, and
its snapshot storage price per region only on its price overview, which this table did not read: both are lines that
say so until dr_sync's ``prices`` option sets them.
"""

from __future__ import annotations

from ...dr.plan import MONTH, ONCE, CopyLimits, CopyRules, PlanFacts, Price, PriceBook

AS_OF = '2026-11-27'

# "You are charged according to the total storage size of your snapshots. Each region is charged separately" and
# "Pricing for snapshots varies by region. For more information, see Price Overview" (CBS Billing Overview).
STORAGE = Price(
    'snapshot storage',
    'GiB-month',
    None,
    MONTH,
    AS_OF,
    'https://www.tencentcloud.com/document/product/362/32415',
    note='Tencent Cloud prices snapshot storage per region on its CBS price overview: set prices.storage',
)
# "This API is used to perform snapshot cross-region replication, which will generate cross-region traffic. Commercial
# billing for this feature is expected in Q3 2025" (CopySnapshotCrossRegions, API reference).
TRANSFER = Price(
    'cross-region snapshot copy',
    'GiB',
    None,
    ONCE,
    AS_OF,
    'https://www.tencentcloud.com/document/product/362/45941',
    note='not published: Tencent Cloud says its billing of cross-region copies is to come',
)
# With dr_account, each copy goes through a bridge disk in the disks' account, billed by the hour while its snapshot is
# made, and a staged copy kept until the DR account's copy exists (docs/vault.md): CBS's prices of a disk and of
# snapshot storage, per region, which this table did not read either.
STAGING = Price(
    'bridge disk and staged copy for the DR account',
    'copy',
    None,
    ONCE,
    AS_OF,
    'https://www.tencentcloud.com/document/product/362/32415',
    note='a bridge disk billed by the hour until its snapshot is made, and the staged copy stored until the DR '
    "account's copy exists, at the region's CBS prices",
)
BOOK = PriceBook(storage=STORAGE, transfer=TRANSFER, staging=STAGING)

# Tencent Cloud says its snapshots of one disk are incremental ("除了首个快照是全量快照以外", Snapshot principles) but
# nothing of its cross-region copies: each copy is planned full, an upper bound.
RULES = CopyRules(always_full='Tencent Cloud does not say that a cross-region copy is incremental')
# "A maximum of 20 requests can be initiated per second for this API" (CopySnapshotCrossRegions); neither a copy rate nor
# a limit of copies at once is stated.
LIMITS = CopyLimits(source='Tencent Cloud states no copy rate')

# What dr_sync's plan is made of on CBS (its Provider record's plan).
PLAN = PlanFacts(RULES, LIMITS, BOOK)
