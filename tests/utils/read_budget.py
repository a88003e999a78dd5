"""How many reads a first DR run of N disks into one DR region may send: written once for the unit tests that hold each
cloud to it on the emulators (tests/unit/plugins/module_utils/test_call_budgets.py) and for make bench's part b, which
measures it through Ansible (tests/bench/report.py).

3 reads per 100 disks in each region the run reads (the source region and the DR region), and what a cloud's own limits
add (EXTRA_READS): EBS copies at most 20 snapshots at once into a region, so a run learns that a slot is free by a read
of the copies in flight, one a wave of 20 (1,000 copies: 50 waves); ENS lists disks 50 a page (ens-20171110
DescribeDisksRequest: PageSize "Maximum value: 50"), one more page per 100 disks; CBS looks again under its leases at
the sources' CopyingToRegions, where it finds copies in flight (one more read per 100 sources).
"""

from __future__ import annotations

import math

READS_PER_100_DISKS_PER_REGION = 3
REGIONS_PER_RUN = 2  # the source region and one DR region
READ_PREFIXES = ('Describe', 'Get', 'List')
EXTRA_READS = {
    'aws': lambda disks: math.ceil(disks / 20),
    'ecs': lambda disks: 0,
    'ens': lambda disks: math.ceil(disks / 100) + 1,
    'cbs': lambda disks: math.ceil(disks / 100),
}


def read_budget(provider: str, disks: int) -> float:
    """The most reads a first run of ``disks`` disks of ``provider`` into one DR region may send."""
    return REGIONS_PER_RUN * READS_PER_100_DISKS_PER_REGION * disks / 100 + EXTRA_READS[provider](disks)
