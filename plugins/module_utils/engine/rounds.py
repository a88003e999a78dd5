# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy calls in rounds: under the run's leases (engine.leases), and within ``max_in_flight`` copies per destination.

A round first takes the leases of the jobs this run does not hold yet, or no longer long enough: one batched take, then
one look per destination for copies another run made and released before this run's take. With ``max_in_flight``, a
round starts the jobs whose destinations have a free slot (copies in flight are read in one batched call per region). A
job another run holds, or that finds no slot, waits for a later round, a poll interval on; a round that started jobs is
followed at once. What this run holds is released once its jobs are done: at the next take, or at the end."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..core.errors import BUSY, CloudError
from ..core.model import PENDING
from ..core.polling import AGAIN, DONE, STILL_GOING, TIMEOUT, poll
from .leases import leases_of
from .outcomes import fail_destination
from .reads import refresh

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .context import EngineRun
    from .leases import CopyLease, Leases
    from .outcomes import DestinationOutcome, Job


class CopyRounds:
    """One run of ``jobs`` in rounds (see the module docstring). ``in_flight``: the copies already in flight in the
    jobs' destinations, which take slots."""

    def __init__(self, engine: EngineRun, *, jobs: list[Job], in_flight: list[DestinationOutcome]) -> None:
        self.engine = engine
        self.limit = engine.config.max_in_flight
        self.pending = list(jobs)
        self.in_flight = in_flight
        self.held_elsewhere: dict[CopyLease, CloudError] = {}  # the leases another run holds, as the last take found
        self.taken: set[CopyLease] = set()  # the leases this run holds
        self.waited = False  # whether the last round started nothing

    def run(self) -> None:
        engine = self.engine
        try:
            # A slot taken by a job whose copy then fails is free again in the next round, which follows at once
            # (AGAIN).
            result = poll(
                self.one_round,
                lambda sent: DONE if not self.pending else AGAIN if sent else STILL_GOING,
                engine.deadline,
                engine.config.poll_interval,
                sleep=engine.sleep,
                clock=engine.clock,
                max_interval=engine.config.max_poll_interval,
            )
        finally:
            if engine.leases is not None and self.taken:
                engine.leases.release(sorted(self.taken))
        if result.status == TIMEOUT:
            for outcome, destinations in self.pending:
                for lease in leases_of((outcome, destinations)):
                    fail_destination(outcome, lease.destination, self.not_started(lease))

    def one_round(self) -> bool:
        """Start what may start now; whether a copy call was sent."""
        engine = self.engine
        if self.waited and self.limit is not None:
            refresh(engine, self.in_flight)
            self.in_flight = [place for place in self.in_flight if place.copy.state == PENDING]
        ready = self.pending
        if engine.leases is not None:
            ready = self.take_leases(engine.leases)
        chosen = ready if self.limit is None else jobs_that_fit(ready, self.in_flight, self.limit)
        deferred = engine.run_jobs(chosen)
        started = {id(job) for job in chosen}
        self.pending = [job for job in self.pending if id(job) not in started] + deferred
        self.in_flight.extend(
            place
            for outcome, destinations in chosen
            for destination in destinations
            for place in [outcome.destinations[destination]]
            if place.snapshot is not None and place.snapshot.state == PENDING
        )
        sent = len(chosen) > len(deferred)
        if self.pending and not sent and self.held_elsewhere:
            # Two runs that saw each other's leases both released theirs: a random part of a poll interval keeps them
            # out of step.
            engine.sleep(
                min(
                    random.random() * engine.config.poll_interval,
                    max(0.0, engine.deadline - engine.clock()),
                )
            )  # nosec B311
        self.waited = not sent
        return sent

    def take_leases(self, leases: Leases) -> list[Job]:
        """The pending jobs this run holds fresh leases on (Leases.fresh). The jobs it does not are leased in one
        batched take; a job's destinations another run holds are split off to wait, and those whose take failed fail
        with its error. Leases of jobs done since the last take are released first, in one batch."""
        engine = self.engine
        stale = [job for job in self.pending if not leases.fresh(leases_of(job))]
        if stale:
            done = self.taken - {lease for job in self.pending for lease in leases_of(job)}
            if done:
                leases.release(sorted(done))
                self.taken -= done
            asked = sorted({lease for job in stale for lease in leases_of(job)})
            try:
                # Sent again while the cloud throttles it (the run's retries, to its deadline), as a copy call is.
                refused = engine.call(leases.take, asked)
            except CloudError as error:
                # Still refused after those: these copies fail with its error (BUSY: they wait a round), the others go
                # on. A source the cloud refuses on its own (gone, at its tag limit) is no such error: the take answers
                # it, and only its copies fail. The batches written before the one that failed are taken off: nothing
                # the run wrote outlives it.
                refused = dict.fromkeys(asked, error)
                leases.release(asked)
                self.taken -= set(asked)
            self.held_elsewhere = {lease: error for lease, error in refused.items() if error.kind == BUSY}
            self.taken.update(lease for lease in asked if lease not in refused)
            stale_ids = {id(job) for job in stale}
            kept, won = [job for job in self.pending if id(job) not in stale_ids], []
            for outcome, destinations in stale:
                job_leases = leases_of((outcome, destinations))
                free = [lease.destination for lease in job_leases if lease not in refused]
                held = [lease.destination for lease in job_leases if lease in self.held_elsewhere]
                for lease in job_leases:
                    if lease in refused and lease not in self.held_elsewhere:
                        fail_destination(
                            outcome, lease.destination, refused[lease]
                        )  # a call for this source failed: not copied now
                if held:
                    kept.append((outcome, held))
                if free:
                    won.append((outcome, free))
            # Another run may have made its copy and released it since this run looked: look again, now that no run can.
            self.pending = kept + engine.look_for_copies(won)
        return [job for job in self.pending if leases.fresh(leases_of(job))]

    def not_started(self, lease: CopyLease) -> CloudError:
        """Why a copy was not started by the timeout: another run's lease, no free slot, or a lease this run could not
        keep."""
        held_elsewhere = self.held_elsewhere.get(lease)
        if held_elsewhere is not None:
            return held_elsewhere
        if self.limit is not None:
            return CloudError(
                'CopySnapshot',
                'NoFreeSlot',
                'not started: %d copies were still in flight to %s at the timeout' % (self.limit, lease.destination),
                region=lease.destination,
            )
        return CloudError(
            'CopySnapshot',
            'NotHeld',
            'not started: this run could not hold source snapshot %s long enough to copy '
            'it to %s before the timeout' % (lease.source_id, lease.destination),
            kind=BUSY,
            region=lease.destination,
        )


def jobs_that_fit(jobs: Iterable[Job], in_flight: Iterable[DestinationOutcome], limit: int) -> list[Job]:
    """The (outcome, destinations) jobs that may start now, in order: each of a job's destinations has
    fewer than ``limit`` copies in flight, counting ``in_flight`` (places) and the jobs chosen before it."""
    busy: dict[str, int] = {}
    for destination_outcome in in_flight:
        busy[destination_outcome.destination] = busy.get(destination_outcome.destination, 0) + 1
    chosen: list[Job] = []
    for job in jobs:
        if all(busy.get(destination, 0) < limit for destination in job[1]):
            chosen.append(job)
            for destination in job[1]:
                busy[destination] = busy.get(destination, 0) + 1
    return chosen
