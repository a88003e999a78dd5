# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR run leases on its sources before a round of copy calls (engine.leases.Leases): with dr_account on a
cloud whose DR account copies a shared source (AWS, ECS), its share leases (shares); where two runs' copy calls
could both make a copy (no idempotency token: AWS, CBS), its copy leases (copies). Both are taken for a
whole round at once, in as few calls as the cloud allows, and a copy call goes out only while both are fresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.leases import CopyLease, Leases

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ...core.errors import CloudError
    from .copies import CopyLeases
    from .shares import ShareLeases


class CopyAndShareLeases(Leases):
    """A run's leases on its sources: its copy leases first, then its shares of the sources it holds a copy lease on, so
    that a run that shares does so under its lease (another run waits for it rather than sharing and copying beside it).
    A source whose share is refused has its copy leases released. Shares are released by the run's release at its end,
    not after a round: the copies they serve are still in flight."""

    def __init__(self, *, copy_leases: CopyLeases | None, shares: ShareLeases | None) -> None:
        self.copy_leases = copy_leases
        self.shares = shares

    def take(self, leases: Sequence[CopyLease]) -> dict[CopyLease, CloudError]:
        refused: dict[CopyLease, CloudError] = self.copy_leases.take(leases) if self.copy_leases is not None else {}
        if self.shares is None:
            return refused
        for region in sorted({lease.source_region for lease in leases}):
            leased = [lease for lease in leases if lease.source_region == region and lease not in refused]
            not_shared = self.shares.take_many(region, sorted({lease.source_id for lease in leased}))
            let_go = [lease for lease in leased if lease.source_id in not_shared]
            if let_go and self.copy_leases is not None:
                self.copy_leases.release(let_go)
            refused.update((lease, not_shared[lease.source_id]) for lease in let_go)
        return refused

    def fresh(self, leases: Iterable[CopyLease]) -> bool:
        leases = list(leases)
        return (self.shares is None or self.shares.fresh(lease.source_id for lease in leases)) and (
            self.copy_leases is None or self.copy_leases.fresh(leases)
        )

    def release(self, leases: Sequence[CopyLease]) -> None:
        if self.copy_leases is not None:
            self.copy_leases.release(leases)


def combined_leases(*, copy_leases: CopyLeases | None, shares: ShareLeases | None) -> Leases | None:
    """The run's leases around its copy calls, or None when it has nothing to lease (check mode, or a cloud whose copy
    call carries a token and whose DR copies need no share)."""
    if shares is None:
        return copy_leases
    return CopyAndShareLeases(copy_leases=copy_leases, shares=shares)
