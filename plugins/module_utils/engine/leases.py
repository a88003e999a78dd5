# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What keeps two runs from copying one source to one destination at the same time: the run's leases on its sources.

Each run looks for a copy before it makes one, and two runs at once may both find none. With ``leases`` (the DR run's
books of leases: dr.leases, whose docstring names the vocabulary), the engine takes the leases of a round of copy calls
in one batched take before they are sent, sends each call only while its leases have time left, and releases them once
the calls are done (engine.rounds). This is all the engine knows of them: what a copy call is sent under (CopyLease) and
a book that takes, checks and releases those (Leases)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ..core.errors import CloudError
    from .outcomes import Job


@dataclass(frozen=True, order=True)
class CopyLease:
    """A lease on a source snapshot for its copy into one destination: what Leases take and release."""

    source_region: str
    source_id: str
    destination: str


class Leases(ABC):
    """A run's leases on the sources it copies. Batched: the engine takes the leases of every copy call of a round at
    once, in as few calls as the cloud allows, and releases them together."""

    @abstractmethod
    def take(self, leases: Sequence[CopyLease]) -> dict[CopyLease, CloudError]:
        """Take ``leases`` for this run; answer {lease: why not} for those it does not hold (empty: it holds them all):
        a BUSY error while another run holds one (the engine asks again a poll interval on), another error when a call
        for it failed (that destination fails with it)."""

    @abstractmethod
    def fresh(self, leases: Iterable[CopyLease]) -> bool:
        """Whether this run holds each of ``leases`` with enough of its time left to send a copy call under it (no
        call)."""

    @abstractmethod
    def release(self, leases: Sequence[CopyLease]) -> None:
        """Release ``leases``, held or not: their copy calls were answered, or given up."""


def leases_of(job: Job) -> list[CopyLease]:
    """The leases a copy call of ``job`` is sent under: its source, for each of its destinations."""
    request = job[0].request
    return [CopyLease(request.source_region, request.source_id, destination) for destination in job[1]]


class LeaseRunningShort(Exception):
    """This run's lease on a job's source has too little time left to send a copy call under it (CopyEngine's
    copy_group)."""
