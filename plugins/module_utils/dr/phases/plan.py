# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan phase: the copies the run made (or in check mode would make), each full or incremental by the cloud's
rules, their bytes, what they cost and how long they take (dr.plan), as the report's ``plan``. It sends no call: what
it needs, the copy phase read (the disks' copies in each region it copied to, as NewerPoints listed them, and the
sources' sizes as the cloud states them), the churn alarm measured (the blocks changed since the copy before) and
verification counted (its EBS direct API calls, made or planned)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.errors import PreflightError
from ...core.model import same_kms_key
from ...engine.outcomes import COPIED, WOULD_COPY
from ..plan import GIB, CopyFacts, copy_time, cost, cost_lines, planned_copy, priced_book
from ..verify import BLOCK_BYTES
from .context import PhaseResult

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ...core.model import Snapshot
    from .context import DiskPlan, PhaseContext
    from .copy import Copies


@dataclass(frozen=True)
class Planning(PhaseResult):
    """The plan (None where the cloud has no plan facts): the preflight, copies, cost, time."""

    section: Mapping[str, Any] | None = None


def plan_copies(
    ctx: PhaseContext,
    plans: Sequence[DiskPlan],
    copies: Copies,
    *,
    changed: Mapping[tuple[str, str], tuple[str, int]] | None = None,
    verify_reads: int = 0,
    verify_bytes: int = 0,
) -> Planning:
    """The plan of the copies the run made or would make; ``changed``: the blocks the churn alarm measured as changed
    since each copy's predecessor (Verification.changed), an incremental copy's bytes where that predecessor is the copy
    before it in its region (the one EBS copies it against); ``verify_reads``: the EBS direct API calls verification
    made, or in check mode would make (Verification.reads), and ``verify_bytes`` the blocks they return."""
    settings = ctx.settings
    facts = settings.plan.facts
    if facts is None:
        return Planning()
    # Each DR region's copy options: its own over the run's, as its copy requests are made (copy_requests).
    options = {region.region: region.options(settings.copy.options) for region in settings.dr_regions}
    planned = []
    for plan in plans:
        for outcome in copies.outcomes.get(plan.key, ()):
            for region, destination in outcome.destinations.items():
                if destination.action not in (COPIED, WOULD_COPY):
                    continue
                earlier = copies.earlier.get((plan.key, region))
                listed = (plan.key, region) not in copies.unlisted
                source = outcome.source
                planned.append(
                    planned_copy(
                        CopyFacts(
                            disk_id=plan.disk.id,
                            region=region,
                            snapshot_id=outcome.request.source_id,
                            disk_bytes=plan.disk.size * GIB if plan.disk.size else None,
                            full_bytes=source.full_bytes if source is not None else None,
                            changed_bytes=changed_bytes((changed or {}).get((plan.key, region)), earlier),
                            earlier_copy=(earlier is not None) if listed else None,
                            key_changed=key_changed(earlier, source, options[region]),
                            earlier_archived=earlier is not None and earlier.archived,
                        ),
                        facts.rules,
                    )
                )
    books = {region: priced_book(facts.book, settings.plan.prices.get(region)) for region in settings.region_names}
    minutes = {region: region_options.get('completion_duration_minutes') for region, region_options in options.items()}
    lines = cost_lines(
        planned,
        books,
        api_reads=verify_reads,
        read_bytes=verify_bytes,
        completion_minutes=minutes,
        staged=settings.dr_account is not None,
    )
    return Planning(
        section={
            'preflight': preflight(plans, copies),
            'copies': [copy.as_result() for copy in planned],
            'full': sum(1 for copy in planned if copy.full),
            'incremental': sum(1 for copy in planned if not copy.full),
            'bytes': sum(copy.bytes or 0 for copy in planned),
            'cost': cost(lines, unsized=sum(1 for copy in planned if copy.bytes is None)),
            'time': copy_time(
                planned, facts.limits, completion_minutes=minutes, max_in_flight=settings.copy.max_in_flight
            ),
        }
    )


def preflight(plans: Sequence[DiskPlan], copies: Copies) -> list[dict[str, Any]]:
    """plan.preflight: each copy the cloud would refuse, as the run found before any copy call (a key the DR account
    cannot use, a kind of snapshot the cloud does not copy, a copy the cloud's dry run refused: PreflightError), with
    what to do."""
    found: list[dict[str, Any]] = []
    for plan in plans:
        for outcome in copies.outcomes.get(plan.key, ()):
            for region, destination in outcome.destinations.items():
                error = outcome.error if outcome.error is not None else destination.error
                if isinstance(error, PreflightError):
                    found.append(
                        {'disk_id': plan.disk.id, 'region': region, 'problem': error.message, 'fix': error.fix}
                    )
    return found


def changed_bytes(measured: tuple[str, int] | None, earlier: Snapshot | None) -> int | None:
    """The bytes of the blocks ``measured`` (the churn alarm's: the copy it compared with, the blocks changed) where it
    compared with ``earlier``, the copy before this one in its region; None otherwise (it compared with a copy in another
    region, or measured nothing)."""
    if measured is None or earlier is None or measured[0] != earlier.id:
        return None
    return measured[1] * BLOCK_BYTES


def key_changed(earlier: Snapshot | None, source: Snapshot | None, options: Mapping[str, Any]) -> bool:
    """Whether the copy is encrypted otherwise than the copy before it in its region: encrypted where that one is not or
    the reverse, or with another key named (the copy options' kms_key_id against the copy's). A key not named is the
    region's default for both, as far as the run can tell. Named keys are compared as the copy phase compares them
    (same_kms_key): a key's id is its ARN's, and an alias, which only KMS resolves, is taken for the key of the copy
    before it."""
    if earlier is None:
        return False
    encrypted = bool(options.get('encrypted')) or bool(source is not None and source.encrypted)
    if encrypted != bool(earlier.encrypted):
        return True
    key = options.get('kms_key_id')
    earlier_key = earlier.extra.get('kms_key_id')
    return bool(key and earlier_key and not same_kms_key(key, earlier_key))
