# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report phase: the phases' results put together per disk (dr.report.DiskFacts), then the report as data (dr.report)
with what the run as a whole adds: its retries, the DR account, its warnings."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ...core.model import parse_time
from ..lock import EXPIRED, IN_FORCE, LOCKED
from ..report import dr_report

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping, Sequence

    from ..report import DiskFacts
    from .context import PhaseContext
    from .drill import Drill
    from .release import Shares


# pylint: disable-next=too-many-arguments
def run_report(ctx: PhaseContext, disks: Sequence[DiskFacts], *, drill: Drill, shares: Shares, problems: Sequence[str],
               warnings: Sequence[str], retries: int, wall_now: datetime.datetime) -> dict[str, Any]:
    """The run's report over ``disks``. ``problems`` are the failures of the run as a whole (before the drill's),
    ``warnings`` the run's (after the engine's, before the drill's); ``wall_now`` the time now, by which a lock read in
    force may have expired."""
    disks, lapsed = lapsed_locks(disks, wall_now)
    report = dr_report(disks, ctx.settings, ctx.now, ctx.check_mode, drill.section, list(problems) + list(drill.problems))
    report['api_retries'] = retries
    report['dr_account'] = shares.section
    report['changed'] = report['changed'] or shares.changed
    report['run_warnings'] = list(warnings) + lapsed + list(drill.warnings)
    return report


def lapsed_locks(disks: Sequence[DiskFacts], now: datetime.datetime) -> tuple[list[DiskFacts], list[str]]:
    """``disks`` with each lock read in force whose expiry has passed by ``now`` (the run waited, pruned, drilled after it
    read it) in force no more: the report says so (EXPIRED) and warns, instead of calling the copy locked. The next run
    with ``lock`` locks it again (dr.lock's rules)."""
    warnings: list[str] = []

    def as_now(region: Any, copy_id: Any, record: dict[str, Any]) -> dict[str, Any]:
        expires = parse_time(record.get('expires'))
        if record.get('in_force') and record.get('action') in (LOCKED, IN_FORCE) and expires is not None and expires <= now:
            warnings.append('the lock of %s in %s expired at %s, while this run went on: the copy is not locked '
                            'now; the next run with lock locks it again' % (copy_id, region, record['expires']))
            return dict(record, action=EXPIRED, in_force=False)
        return record

    def current(locks: Mapping[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {key: as_now(key[0], key[1], record) for key, record in locks.items()}
    return [dataclasses.replace(disk, locks=current(disk.locks),
                                other_locks=tuple(as_now(record.get('region'), record.get('snapshot_id'), record) for record in disk.other_locks))
            for disk in disks], warnings
