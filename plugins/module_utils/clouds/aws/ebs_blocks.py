# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the DR adapter's block reading part (dr/capabilities.py BlockReadAdapter, issue 50, dr/verify.py): the EBS
direct APIs (ebs 2019-11-02)."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from ...core.answers import answer_items
from ...core.errors import FATAL, CloudError
from ...core.paging import token_pages
from ...dr.capabilities import BlockReadAdapter
from ...dr.verify import BLOCK_BYTES, BLOCKS_PER_PAGE
from .client import listed_items

if TYPE_CHECKING:
    from .ebs_api import EbsCalls


class EbsBlocks(BlockReadAdapter):
    """ListSnapshotBlocks, GetSnapshotBlock and ListChangedBlocks, 10,000 blocks a page."""

    def __init__(self, adapter: EbsCalls) -> None:
        self.adapter = adapter

    def snapshot_blocks(self, region: str, snapshot_id: str) -> dict[int, str]:
        """ListSnapshotBlocks of the EBS direct APIs (ebs 2019-11-02), 10,000 blocks a page."""
        blocks = listed_items(
            self.adapter.client,
            region,
            'ListSnapshotBlocks',
            {'SnapshotId': snapshot_id},
            key='Blocks',
            page_size=BLOCKS_PER_PAGE,
            service='ebs',
        )
        return {int(block['BlockIndex']): str(block['BlockToken']) for block in blocks}

    def block_checksum(self, region: str, snapshot_id: str, index: int, token: str) -> str:
        """GetSnapshotBlock: the block's data hashed here, and held to the x-amz-Checksum EBS sent (SHA256, base64:
        GetSnapshotBlockResponse.Checksum)."""
        answer = self.adapter.client.call_service(
            'ebs', region, 'GetSnapshotBlock', SnapshotId=snapshot_id, BlockIndex=index, BlockToken=token
        )
        data = answer['BlockData'].read()
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode('ascii')
        if answer.get('Checksum') and answer['Checksum'] != checksum:
            raise CloudError(
                'GetSnapshotBlock',
                'ChecksumMismatch',
                'block %d of %s: the data read does not match the checksum EBS sent with it' % (index, snapshot_id),
                kind=FATAL,
                region=region,
            )
        return checksum

    def changed_blocks(self, region: str, first_id: str, second_id: str) -> tuple[int, int]:
        """ListChangedBlocks of the EBS direct APIs, 10,000 blocks a page; the disk's blocks from VolumeSize (GiB) and
        BlockSize, which every page carries."""
        sizes: list[int] = []

        def changed(answer: dict[str, Any]) -> list[dict[str, Any]]:
            sizes.append(int(answer.get('VolumeSize') or 0) * (1 << 30) // int(answer.get('BlockSize') or BLOCK_BYTES))
            return answer_items(answer, 'ChangedBlocks')

        count = sum(
            1
            for dummy in token_pages(
                lambda page: self.adapter.client.call_service('ebs', region, 'ListChangedBlocks', **page),
                {'FirstSnapshotId': first_id, 'SecondSnapshotId': second_id},
                changed,
                BLOCKS_PER_PAGE,
                action='ListChangedBlocks',
                region=region,
            )
        )
        return count, max(sizes, default=0)
