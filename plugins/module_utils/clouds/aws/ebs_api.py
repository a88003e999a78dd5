# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the EBS DR adapter's parts (ebs_locks, ebs_drill, ebs_sets, ebs_blocks, ebs_dr_account) call on the adapter
(clouds/aws/ebs_dr.py EbsAdapter), which imports them: they know it only as EbsCalls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...dr.capabilities import ShareHolder

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ...core.model import Snapshot
    from .client import AwsClient


class EbsCalls(ShareHolder, Protocol):
    """The adapter's client (the two accounts' router once it has a DR account), its cloud's name, the DR account's id
    (None without one), and the calls the parts share with it; the run's shares (ShareHolder) are the adapter's."""

    client: AwsClient
    cloud: str
    dr_account: str | None

    def snapshot(self, item: Mapping[str, Any], region: str) -> Snapshot:
        """As EbsCopyAdapter.snapshot does."""

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """As EbsCopyAdapter.tag_copy does."""
