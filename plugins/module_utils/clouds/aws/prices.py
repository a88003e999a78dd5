# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an EBS copy costs and how long it takes, for dr_sync's plan (dr/plan.py): each price dated and quoting its page.
The EBS user guide states the snapshot prices of one region (it names none: US East, N. Virginia, by AWS's custom);
other regions differ, and dr_sync's ``prices`` option sets a region's own.
"""

from __future__ import annotations

from ...dr.plan import MONTH, ONCE, CopyLimits, CopyRules, PlanFacts, Price, PriceBook
from ...dr.verify import INTERNET_PRICE_PER_GB, OTHER_REGION_PRICE_PER_GB

AS_OF = '2026-11-27'
GUIDE = 'https://docs.aws.amazon.com/ebs/latest/userguide/'

# "the snapshot is billed at the standard rate for snapshots of $0.05 per GB-month" (EBS user guide, Pricing and billing
# for archiving Amazon EBS snapshots). AWS bills EBS by GiB and writes GB.
STORAGE = Price('standard snapshot storage', 'GiB-month', 0.05, MONTH, AS_OF, GUIDE + 'snapshot-archive-pricing.html')
# "An Amazon EBS snapshot copy is charged for the data transferred between Regions" (AWS Storage Services Overview,
# Cost model); the rate is the EC2 data transfer page's for the region pair, which no page this table read states: the
# common rate between regions, $0.02 per GB, as cost guides give it. Set your pair's with ``prices``.
TRANSFER = Price(
    'data transfer between regions',
    'GiB',
    0.02,
    ONCE,
    AS_OF,
    'https://docs.aws.amazon.com/whitepapers/latest/aws-storage-services-overview/cost-model-3.html',
    note='the common rate between regions; AWS prices each region pair on its EC2 data transfer page',
)
# "ListChangedBlocks and ListSnapshotBlocks APIs are charged per request ... $0.0006 per 1,000 requests"; GetSnapshotBlock
# "$0.003 per 1,000 blocks returned" (EBS user guide, Pricing for EBS direct APIs). Verification lists a copy's and its
# source's blocks and reads its sample of blocks from both: priced per 1,000 of either.
API_READS = Price(
    'EBS direct API reads of verification',
    '1,000 reads',
    0.003,
    ONCE,
    AS_OF,
    GUIDE + 'ebsapi-pricing.html',
    note='GetSnapshotBlock, $0.003 per 1,000 blocks; the listings, $0.0006 per 1,000 requests, are priced at it too',
)
# The blocks those reads return are billed data transfer out of their region unless read from EC2 in their own region
# (dr/verify.py says where each figure comes from). Where the run reads from, the plan cannot know: it prices the most,
# every block read from outside AWS, and says so.
READ_TRANSFER = Price(
    'data transfer of the blocks verification reads',
    'GiB',
    INTERNET_PRICE_PER_GB,
    ONCE,
    AS_OF,
    GUIDE + 'ebsapi-pricing.html',
    note='the most: read from outside AWS; from EC2 in the source or DR region, only the other side\'s blocks leave '
    'their region, at $%.2f a GiB' % OTHER_REGION_PRICE_PER_GB,
)
# "Time-based copy operations are charged at a rate that is based on the requested completion duration, per GiB of
# snapshot data copied" (EBS user guide, Time-based copies): each tier keyed by the longest duration it holds, minutes.
TIMED_COPY = {
    longest: Price('time-based copy fee (%s)' % words, 'GiB', usd, ONCE, AS_OF, GUIDE + 'time-based-copies.html')
    for longest, words, usd in (
        (15, '15 minutes', 0.020),
        (45, '30 to 45 minutes', 0.018),
        (105, '1 hour to 1 h 45', 0.016),
        (225, '2 hours to 3 h 45', 0.014),
        (465, '4 hours to 7 h 45', 0.012),
        (945, '8 hours to 15 h 45', 0.010),
        (2880, '16 hours or more', 0.005),
    )
}
BOOK = PriceBook(
    storage=STORAGE, transfer=TRANSFER, api_reads=API_READS, read_transfer=READ_TRANSFER, timed_copy=TIMED_COPY
)

# "If you copy a snapshot to a new Region, a full (non-incremental) copy is created"; "if you encrypt the snapshot copy
# using a different KMS key, the copy is a full copy"; across regions, a copy is incremental only if "The most recent
# snapshot copy has not been archived" (EBS user guide, Copy an Amazon EBS snapshot).
RULES = CopyRules(key_change_is_full=True, archived_earlier_is_full=True)
# "There is a limit of 20 concurrent snapshot copy requests per destination" (Copy an Amazon EBS snapshot); a standard
# copy's rate is promised nowhere. Time-based copies: "Snapshot copy operation throughput quota ... 500 MiB/s", and
# "Cumulative snapshot copy throughput quota ... between a source and destination Region ... 2,000 MiB/s" (Time-based
# copies), in GiB an hour.
MIB_PER_SECOND = 3600 / 1024
LIMITS = CopyLimits(
    in_flight=20,
    source='EBS user guide: 20 copies at once a destination; time-based copies 500 MiB/s, 2,000 MiB/s a region pair',
    timed_copy_gib_per_hour=500 * MIB_PER_SECOND,
    timed_pair_gib_per_hour=2000 * MIB_PER_SECOND,
)

# What dr_sync's plan is made of on EBS (its Provider record's plan).
PLAN = PlanFacts(RULES, LIMITS, BOOK)
