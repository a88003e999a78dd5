# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified recovery points (issue 50): a DR copy holds its source's data, proved by reading blocks of both.

On EBS the direct APIs read a snapshot's blocks (botocore ebs 2019-11-02): ListSnapshotBlocks lists the indexes of the
blocks a snapshot holds, 10,000 a page at most, each with a token; GetSnapshotBlock answers one block of 512 KiB with
its SHA-256 (x-amz-Checksum). A copy is verified when it lists the same indexes as its source and the checksums of a
sample of them (every block with ``full``) agree, both sides read. The sample is drawn from the copy's id, so that a
rerun reads the same blocks and two copies of one source other ones. The costs are the clouds' (EBS direct APIs
pricing): a List request $0.0006 per 1,000, a GetSnapshotBlock $0.003 per 1,000 blocks; and the data transfer of the
blocks read from outside their region (VerifyCost.transfer_usd).

On a cloud whose APIs read no block (ECS, ENS, CBS: none in their models), verify checks what the cloud states of a
completed copy against its source: the same size, encrypted where the source is, and the source the cloud links the copy
to where it links one (no model has a checksum of a snapshot). A copy that agrees is ``stated``, never verified: its data
were not read, and the restore drill with the user's checks is the proof.

The churn alarm: ListChangedBlocks between a new copy's source and the source of the disk's copy before it (of the
newest earlier point, in any DR region) gives the share of the disk rewritten in between. Ransomware rewrites most of a
disk at once; a disk's own work rewrites about the same share each time. A share of at least the alarm's percent and at
least SUSPECT_FACTOR times the disk's usual share (the median of its last sources' shares, CHURN_TAG, in every region)
marks the copy suspect (SUSPECT_TAG). What that mark keeps, and what a copy that differs (DIFFERS_TAG) or could not be
measured keeps, is dr.points' rule.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.tagging import CHURN_TAG, SOURCE_TAG
from .points import own_point, point_order

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from ..core.model import Snapshot
    from .settings import ChurnSettings, VerifySettings

#: Blocks a ListSnapshotBlocks page lists at most (ListSnapshotBlocksRequest.MaxResults: 100 to 10,000).
BLOCKS_PER_PAGE = 10000
#: A block's bytes (ListSnapshotBlocksResponse.BlockSize on every EBS snapshot).
BLOCK_BYTES = 524288
#: The largest sample the option takes: 10,000 blocks, 5 GiB read a side.
MAX_SAMPLE = 10000
#: USD per request: ListSnapshotBlocks per 1,000, GetSnapshotBlock per 1,000 blocks (EBS direct APIs pricing).
LIST_PRICE, GET_PRICE = 0.0006 / 1000, 0.003 / 1000
#: USD per GB (2**30 bytes) of the blocks read that leave their region (issue 61, 7). "Data transferred directly between
#: EBS direct APIs and Amazon EC2 instances in the same AWS Region is free when using non-FIPS endpoints" (EBS user guide,
#: "Pricing for EBS direct APIs"): a block read from anywhere else is billed data transfer out of its region, at the
#: Amazon EC2 On-Demand pricing page's rates (Data Transfer, US East (N. Virginia)): to another AWS region "$0.02 per
#: GB", to the internet "$0.09 per GB" (the first 10 TB a month; other regions and tiers differ). A run reads both sides
#: from one place: on EC2 in one of the two regions, the other side's blocks cross regions; outside AWS, every block
#: leaves AWS. NAT gateways, PrivateLink and Transit Gateway on the way bill their own processing, not counted here.
OTHER_REGION_PRICE_PER_GB, INTERNET_PRICE_PER_GB = 0.02, 0.09
GB = 1 << 30


@dataclass(frozen=True)
class VerifyCost:
    """What verifying one copy takes: calls of each API, the blocks read on each side, and the bytes read."""

    list_calls: int
    source_gets: int
    copy_gets: int

    @property
    def get_calls(self) -> int:
        return self.source_gets + self.copy_gets

    @property
    def bytes_read(self) -> int:
        return self.get_calls * BLOCK_BYTES

    @property
    def usd(self) -> float:
        """The requests' charges."""
        return round(self.list_calls * LIST_PRICE + self.get_calls * GET_PRICE, 6)

    def transfer_usd(self) -> dict[str, float]:
        """The data transfer the blocks read are billed, beside the requests' charges, by where the run reads from:
        an EC2 instance in the source region (the copy's blocks cross regions), in the DR region (the source's), or
        outside AWS (all of them leave AWS). The block lists' answers are left out (at most about 300 bytes a block)."""
        return {
            'in_source_region': round(self.copy_gets * BLOCK_BYTES / GB * OTHER_REGION_PRICE_PER_GB, 6),
            'in_dr_region': round(self.source_gets * BLOCK_BYTES / GB * OTHER_REGION_PRICE_PER_GB, 6),
            'outside_aws': round(self.bytes_read / GB * INTERNET_PRICE_PER_GB, 6),
        }

    def as_result(self) -> dict[str, object]:
        return {
            'list_calls': self.list_calls,
            'get_calls': self.get_calls,
            'bytes_read': self.bytes_read,
            'usd': self.usd,
            'transfer_usd': self.transfer_usd(),
        }


def sample_size(settings: VerifySettings, blocks: int) -> int:
    """How many of a copy's ``blocks`` are read: all with full, else the sample (at most every block)."""
    return blocks if settings.full else min(settings.sample or 0, blocks)


def list_pages(blocks: int) -> int:
    """ListSnapshotBlocks calls that list ``blocks`` blocks: a page per 10,000, one for none."""
    return max(1, math.ceil(blocks / BLOCKS_PER_PAGE))


def verify_cost(settings: VerifySettings, blocks: int) -> VerifyCost:
    """The calls verifying a copy of a source of ``blocks`` blocks takes: both sides listed and the sample read on
    both (a block listed on one side only adds a read, which no plan can know before the copy is listed)."""
    sample = sample_size(settings, blocks)
    return VerifyCost(list_calls=2 * list_pages(blocks), source_gets=sample, copy_gets=sample)


def sample_blocks(indexes: Collection[int], settings: VerifySettings, seed: str) -> list[int]:
    """The block indexes to read of ``indexes``, in order: every one with full, else a sample drawn from ``seed`` (the
    copy's id: a rerun reads the same blocks)."""
    ordered = sorted(indexes)
    size = sample_size(settings, len(ordered))
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


#: The checksum (SHA-256, base64, as GetSnapshotBlockResponse.Checksum) of a block of zeros: what a block that one side
#: lists and the other does not must read as. Nothing in the vendor's texts says a copy lists exactly its source's
#: blocks: ListSnapshotBlocks answers "the blocks in an Amazon Elastic Block Store snapshot" (ebs 2019-11-02), and
#: CopySnapshot "creates an exact copy" of the snapshot's data (EC2 API reference), not of its list. A block a side does
#: not list reads as zeros on a restored volume, so the side that lists it must hold zeros there (issue 61, 8).
ZERO_BLOCK_CHECKSUM = base64.b64encode(hashlib.sha256(bytes(BLOCK_BYTES)).digest()).decode('ascii')


def one_sided_blocks(source: Collection[int], copy: Collection[int]) -> list[tuple[int, str]]:
    """(index, 'source' or 'copy': the side that lists it) of every block one of ``source`` and ``copy`` lists and the
    other does not, in order: each is read on its side and compared with zeros."""
    copy_set, source_set = set(copy), set(source)
    return sorted(
        [(index, 'source') for index in source_set - copy_set] + [(index, 'copy') for index in copy_set - source_set]
    )


def listed_on_both(source: Collection[int], copy: Collection[int]) -> list[int]:
    """The block indexes both ``source`` and ``copy`` list, in order: the sample is drawn from them."""
    return sorted(set(source) & set(copy))


def checksum_mismatches(source: Mapping[int, str], copy: Mapping[int, str]) -> list[int]:
    """The sampled block indexes whose checksums differ between ``source`` and ``copy``, in order."""
    return sorted(index for index in source if copy.get(index) != source[index])


#: How many times its usual share a disk's rewrite must be to be suspect (with at least the alarm's percent).
SUSPECT_FACTOR = 2
#: How many of a disk's last shares make its usual one (their median).
USUAL_OF = 10


def churn_share(changed: int, blocks: int) -> float:
    """The share (0 to 1) of a disk of ``blocks`` blocks that ``changed`` blocks are, to four places."""
    return round(min(1.0, changed / blocks), 4) if blocks else 0.0


def usual_share(copies: Iterable[Snapshot]) -> float | None:
    """The median share of the last USUAL_OF sources of ``copies`` (one disk's, in every DR region: one share a source)
    that carry a share: the disk's usual rewrite between two copies; None before any. Suspect ones count too: a disk
    whose own work rewrites it all each time learns that rhythm and is not suspect for ever (issue 60); one rewrite
    among ten moves a median little."""
    shares: list[float] = []
    seen: set[str] = set()
    for copy in sorted(copies, key=lambda copy: point_order(copy, own_point(copy)), reverse=True):
        text = copy.tags.get(CHURN_TAG)
        source = copy.tags.get(SOURCE_TAG) or copy.id
        if not text or source in seen:
            continue
        try:
            shares.append(float(text))
        except ValueError:  # unmeasured, or a person's edit: not a share
            continue
        seen.add(source)
        if len(shares) == USUAL_OF:
            break
    if not shares:
        return None
    shares.sort()
    middle = len(shares) // 2
    return shares[middle] if len(shares) % 2 else round((shares[middle - 1] + shares[middle]) / 2, 4)


def is_suspect(share: float, usual: float | None, settings: ChurnSettings) -> bool:
    """Whether a rewrite of ``share`` of a disk whose usual share is ``usual`` (None: not known yet) sets off the
    alarm."""
    if settings.percent is None or share * 100 < settings.percent:
        return False
    return usual is None or share >= SUSPECT_FACTOR * usual


def suspect_why(share: float, usual: float | None) -> str:
    """SUSPECT_TAG's text: the share rewritten and the usual one."""
    return 'rewrote %.1f%% of the disk (usual %s)' % (
        share * 100,
        'not known yet' if usual is None else '%.1f%%' % (usual * 100),
    )


def stated_differences(copy: Snapshot, source: Snapshot | None, source_id: str) -> list[str]:
    """What the cloud states of ``copy`` that does not agree with its source (``source``: the snapshot copied, as read;
    ``source_id`` its id), in words: none when it agrees."""
    differences = []
    if source is not None and source.size and copy.size and source.size != copy.size:
        differences.append('its size is %s GiB, its source\'s %s GiB' % (copy.size, source.size))
    if source is not None and source.encrypted and copy.encrypted is False:
        differences.append('it is not encrypted, and its source is')
    if copy.source_id is not None and copy.source_id != source_id:
        differences.append('the cloud links it to the snapshot %s, not to %s' % (copy.source_id, source_id))
    return differences


def mark_covers(mark: str, settings: VerifySettings) -> bool:
    """Whether a copy's VERIFIED_TAG (``'<when> sample=<n or full>'``) proves as much as ``settings`` ask: a mark of
    ``full`` covers every sample, one of n blocks a sample of at most n; a run that asks more reads the copy again."""
    found = mark.rpartition('sample=')[2].strip()
    if found == 'full':
        return True
    if settings.full:
        return False
    try:
        return int(found) >= (settings.sample or 0)
    except ValueError:  # a mark this release cannot read: read again
        return False
