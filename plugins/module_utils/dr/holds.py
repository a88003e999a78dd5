# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR run holds on its sources before a round of copy calls (engine.copy_engine.CopyGuard): with dr_account on a
cloud whose DR account copies a shared source (AWS, ECS), the share, claimed for the run (dr.shares); where two runs'
copy calls could both make a copy (no idempotency token: AWS, CBS), the copy leases (dr.claims). Both are taken for a
whole round at once, in as few calls as the cloud allows, and a copy call goes out only while both are fresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.copy_engine import CopyGuard, Hold

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ..core.errors import CloudError
    from .claims import CopyLeases
    from .shares import SourceShares


class SourceHolds(CopyGuard):
    """A run's holds on its sources: its copy leases first, then its shares of the sources it holds a lease on, so that a
    run that shares does so under its lease (another run waits for it rather than sharing and copying beside it). A source
    whose share is refused is let go of (its leases). Shares are let go of by the run's release at its end, not after a
    round: the copies they serve are still in flight."""

    def __init__(self, *, leases: CopyLeases | None, shares: SourceShares | None) -> None:
        self.leases = leases
        self.shares = shares

    def take(self, holds: Sequence[Hold]) -> dict[Hold, CloudError]:
        refused: dict[Hold, CloudError] = self.leases.take(holds) if self.leases is not None else {}
        if self.shares is None:
            return refused
        for region in sorted({hold.source_region for hold in holds}):
            leased = [hold for hold in holds if hold.source_region == region and hold not in refused]
            not_shared = self.shares.hold_many(region, sorted({hold.source_id for hold in leased}))
            let_go = [hold for hold in leased if hold.source_id in not_shared]
            if let_go and self.leases is not None:
                self.leases.release(let_go)
            refused.update((hold, not_shared[hold.source_id]) for hold in let_go)
        return refused

    def fresh(self, holds: Iterable[Hold]) -> bool:
        holds = list(holds)
        return ((self.shares is None or self.shares.fresh(hold.source_id for hold in holds))
                and (self.leases is None or self.leases.fresh(holds)))

    def release(self, holds: Sequence[Hold]) -> None:
        if self.leases is not None:
            self.leases.release(holds)


def source_holds(*, leases: CopyLeases | None, shares: SourceShares | None) -> CopyGuard | None:
    """The run's holds: the guard of its copy calls, or None when it has nothing to hold (check mode, or a cloud whose copy
    call carries a token and whose DR copies need no share)."""
    if shares is None:
        return leases
    return SourceHolds(leases=leases, shares=shares)
