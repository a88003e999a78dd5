# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verified recovery points (issue 50): a DR copy holds its source's data, proved by reading blocks of both.

On EBS the direct APIs read a snapshot's blocks (botocore ebs 2019-11-02): ListSnapshotBlocks lists the indexes of the
blocks a snapshot holds, 10,000 a page at most, each with a token; GetSnapshotBlock answers one block of 512 KiB with
its SHA-256 (x-amz-Checksum). A copy is verified when it lists the same indexes as its source and the checksums of a
sample of them (every block with ``full``) agree, both sides read. The sample is drawn from the copy's id, so that a
rerun reads the same blocks and two copies of one source other ones. The costs are the clouds' (EBS direct APIs
pricing): a List request $0.0006 per 1,000, a GetSnapshotBlock $0.003 per 1,000 blocks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from .settings import VerifySettings

#: Blocks a ListSnapshotBlocks page lists at most (ListSnapshotBlocksRequest.MaxResults: 100 to 10,000).
BLOCKS_PER_PAGE = 10000
#: A block's bytes (ListSnapshotBlocksResponse.BlockSize on every EBS snapshot).
BLOCK_BYTES = 524288
#: The largest sample the option takes: 10,000 blocks, 5 GiB read a side.
MAX_SAMPLE = 10000
#: USD per request: ListSnapshotBlocks per 1,000, GetSnapshotBlock per 1,000 blocks (EBS direct APIs pricing).
LIST_PRICE, GET_PRICE = 0.0006 / 1000, 0.003 / 1000


@dataclass(frozen=True)
class VerifyCost:
    """What verifying one copy takes: calls of each API, both sides, and the bytes read."""

    list_calls: int
    get_calls: int

    @property
    def bytes_read(self) -> int:
        return self.get_calls * BLOCK_BYTES

    @property
    def usd(self) -> float:
        return round(self.list_calls * LIST_PRICE + self.get_calls * GET_PRICE, 6)

    def as_result(self) -> dict[str, float | int]:
        return {
            'list_calls': self.list_calls,
            'get_calls': self.get_calls,
            'bytes_read': self.bytes_read,
            'usd': self.usd,
        }


def sample_size(settings: VerifySettings, blocks: int) -> int:
    """How many of a copy's ``blocks`` are read: all with full, else the sample (at most every block)."""
    return blocks if settings.full else min(settings.sample or 0, blocks)


def verify_cost(settings: VerifySettings, blocks: int) -> VerifyCost:
    """The calls verifying a copy of a source of ``blocks`` blocks takes: both sides listed (a page per 10,000 blocks,
    one for none) and the sample read on both."""
    pages = max(1, math.ceil(blocks / BLOCKS_PER_PAGE))
    return VerifyCost(list_calls=2 * pages, get_calls=2 * sample_size(settings, blocks))


def sample_blocks(indexes: Collection[int], settings: VerifySettings, seed: str) -> list[int]:
    """The block indexes to read of ``indexes``, in order: every one with full, else a sample drawn from ``seed`` (the
    copy's id: a rerun reads the same blocks)."""
    ordered = sorted(indexes)
    size = sample_size(settings, len(ordered))
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def differing_blocks(source: Collection[int], copy: Collection[int]) -> list[int]:
    """The block indexes one of ``source`` and ``copy`` lists and the other does not, at most ten, in order."""
    return sorted(set(source) ^ set(copy))[:10]


def checksum_mismatches(source: Mapping[int, str], copy: Mapping[int, str]) -> list[int]:
    """The sampled block indexes whose checksums differ between ``source`` and ``copy``, in order."""
    return sorted(index for index in source if copy.get(index) != source[index])
