# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DR account's shares of source snapshots (dr_sync's ``dr_account``, docs/vault.md), released once no copy in
flight needs them: this run's, and those a killed run left. Those still needed are held until a later run finds their
copies complete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.errors import CloudError
from ...core.polling import DONE, STILL_GOING, poll
from .context import RUN, PhaseResult

if TYPE_CHECKING:
    from .context import PhaseContext


@dataclass(frozen=True)
class Releasing(PhaseResult):
    """What the phase did: the report's dr_account section (None without a DR account), the failures of the run it
    found, and the calls it cost."""

    section: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        """Whether the run released or made anything in the DR account (or would, in check mode)."""
        return bool(
            self.section and any(self.section[key] for key in ('released', 'would_release', 'made', 'would_make'))
        )


def release_shares(ctx: PhaseContext) -> Releasing:
    """Remove every share of a source snapshot with the DR account that no copy in flight needs any more."""
    dr_account = ctx.settings.dr_account
    vault = ctx.vault
    if (
        dr_account is None or vault is None
    ):  # connect_dr_account let the run start with a DR account only on such a cloud
        return Releasing()
    calls = ctx.counted()
    dr_regions = ctx.settings.region_names
    source_region = ctx.settings.source_region

    # What a cloud makes in steps (CBS) and a killed run left on its way: taken further, and with wait to the end.
    def settle() -> int:
        return calls.call(vault.settle_dr_account, dr_regions)

    if ctx.settings.wait.wait and not ctx.check_mode:
        poll(
            settle,
            lambda left: STILL_GOING if left else DONE,
            ctx.deadline,
            ctx.settings.wait.poll_interval,
            sleep=ctx.sleep,
            clock=ctx.clock,
            max_interval=60,
        )
    else:
        settle()
    release, held = calls.call(vault.find_shares, source_region, dr_regions)

    answers: dict[str, bool | CloudError] = {}
    if release and not ctx.check_mode:
        try:
            answers = calls.call(vault.release_shares, source_region, release)
        except CloudError as error:  # a call for the whole batch (its tags) failed: none is released
            answers = dict.fromkeys(release, error)
    released, failed, problems = [], [], []
    for snapshot_id, answer in answers.items():
        if answer is True:
            released.append(snapshot_id)
        elif answer is False:  # another run that may still be under way holds it: that run, or the next, releases it
            held.append(snapshot_id)
        else:
            failed.append(snapshot_id)
            problems.append('removing the DR account\'s share of source snapshot %s: %s' % (snapshot_id, answer))
    made, would_make = vault.dr_account_steps()
    section = {
        'account': dr_account['account'],
        'released': released,
        'would_release': release if ctx.check_mode else [],
        'held': held,
        'release_failed': failed,
        'made': made,
        'would_make': would_make,
    }
    return Releasing(section=section, problems={RUN: tuple(problems)} if problems else {}, calls=calls.cost.counts())
