# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an ECS or ENS copy costs, for dr_sync's plan (dr/plan.py): each price dated and quoting its page. Alibaba Cloud
publishes its prices on the ECS product page's pricing tab, which this table did not read: what its help pages state
is here, the rest is a line that says so until dr_sync's ``prices`` option sets it.
"""

from __future__ import annotations

from ...dr.plan import MONTH, ONCE, CopyLimits, CopyRules, PlanFacts, Price, PriceBook

AS_OF = '2026-11-27'
BILLING = 'https://www.alibabacloud.com/help/en/ecs/snapshots-1'
PRICE_TAB = 'the Pricing tab of the Elastic Compute Service product page'

# "If you have 100 GB of snapshots in the China (Hangzhou) region and the unit price for snapshot storage is USD 0.0173
# per GB-month ..." (Snapshot billing, a billing example: "The prices used in this example are provided only for
# reference").
ECS_STORAGE = Price(
    'standard snapshot storage',
    'GiB-month',
    0.0173,
    MONTH,
    AS_OF,
    BILLING,
    note='the billing example of China (Hangzhou); other regions differ: see %s' % PRICE_TAB,
)
# "you incur a snapshot replication data transfer fee and a standard snapshot storage fee in the destination region"
# (Snapshot billing): the fee's price is on the pricing tab only.
ECS_TRANSFER = Price(
    'snapshot replication data transfer',
    'GiB',
    None,
    ONCE,
    AS_OF,
    BILLING,
    note='Alibaba Cloud states this fee on %s, which this table does not hold: set prices.transfer' % PRICE_TAB,
)
ECS_BOOK = PriceBook(storage=ECS_STORAGE, transfer=ECS_TRANSFER)
# ENS prices its edge nodes' storage per node and contract; none of its help pages read states a snapshot's.
ENS_NOTE = 'ENS prices edge storage per node; no page this table read states it: set prices.%s'
ENS_BOOK = PriceBook(
    storage=Price('edge snapshot storage', 'GiB-month', None, MONTH, AS_OF, BILLING, note=ENS_NOTE % 'storage'),
    transfer=Price('edge snapshot copy', 'GiB', None, ONCE, AS_OF, BILLING, note=ENS_NOTE % 'transfer'),
)

# "The first time a disk snapshot is copied, all data stored in the disk is copied. All subsequent copies of the
# snapshot in the same region are incremental copies" (ECS user guide, Copy a snapshot).
RULES = CopyRules()
# Neither the copy's rate nor a limit of copies at once is stated by the pages read: the time is not known.
LIMITS = CopyLimits(source='Alibaba Cloud states no copy rate')

# What dr_sync's plan is made of on ECS and on ENS (their Provider records' plan).
ECS_PLAN = PlanFacts(RULES, LIMITS, ECS_BOOK)
ENS_PLAN = PlanFacts(RULES, LIMITS, ENS_BOOK)
