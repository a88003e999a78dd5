# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drill's disks on an instance of the user's (dr_sync's ``restore_test_host``): once usable, the test disks of the
instance's DR region are attached to it and left there for the user's own checks (mount, fsck, a database's check), which
the dr_copy role runs on that host; dr_drill_finish then detaches and deletes them.

A test disk to be attached carries RESTORE_HOST_TAG, the instance's id, from its creation. A disk is only ever detached
from that instance: a test disk a person attached elsewhere (to read it, say) is left where it is, and reported. A run
killed while the user's checks run leaves its disks attached; their RESTORE_UNTIL_TAG counts the checks' time too, and
the first run after it detaches and deletes them (dr.drill.DrillCleanup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from ..core.dr_model import ATTACHED
from ..core.errors import INVALID, CloudError
from ..core.polling import DONE, STILL_GOING, poll
from ..core.tagging import RESTORE_HOST_TAG
from .capabilities import DrillHostAdapter, host_part

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..core.dr_model import DrillDisk, DrillHost
    from ..core.retry import PhaseRetry
    from .capabilities import RestoreDrillAdapter
    from .settings import DrillHostSettings


class HeldTest(Protocol):
    """What attaching needs of one of the drill's tests (dr.drill.DrillTest): its usable disk, and where to note how
    the attach went."""

    disk: DrillDisk | None
    held: bool
    seconds_to_attached: float | None

    @property
    def made(self) -> DrillDisk:
        """The test's disk, once made."""

    def fail(self, why: CloudError | str) -> None:
        """The test failed, for ``why``."""


# Reading an attachment's state every few seconds: attaching takes seconds to a minute on the clouds.
FIRST_POLL_SECONDS = 1
MAX_POLL_SECONDS = 15


def drill_hosts(adapter: object) -> DrillHostAdapter:
    """The drill's part that attaches its disks to an instance (dr.capabilities.host_part): restore_test_host is refused
    before any call on a cloud without one (restore.check_restore_settings)."""
    hosts = host_part(adapter)
    if hosts is None:
        raise TypeError('%s attaches no test disk to an instance' % type(adapter).__name__)  # a bug of ours
    return hosts


def host_for_drill(adapter: DrillHostAdapter, calls: PhaseRetry, settings: DrillHostSettings) -> DrillHost:
    """The user's instance, read: a CloudError (INVALID) when it does not run, as no disk can be attached to it then."""
    host = calls.call(adapter.drill_host, settings.region, settings.instance_id)
    if not host.running:
        raise CloudError(
            'DescribeInstances',
            'IncorrectInstanceState',
            'restore_test_host: instance %s in %s is %s: start it, so that the drill can attach its disks for your '
            'checks' % (host.id, host.region, host.cloud_state),
            kind=INVALID,
            region=host.region,
        )
    return host


# pylint: disable-next=too-many-arguments
def attach_for_checks(
    adapter: RestoreDrillAdapter,
    calls: PhaseRetry,
    host: DrillHost,
    tests: Sequence[HeldTest],
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    """Attach each test's usable disk to ``host`` and wait until the cloud says it is attached there: each test then
    holds its disk for the user's checks (``held``, its ``device`` and ``seconds_to_attached``); one whose attach
    failed or did not finish by ``deadline`` fails, and its disk is deleted with the others."""
    started = clock()
    waiting = []
    for test in tests:
        disk = test.made
        try:
            calls.call(drill_hosts(adapter).attach_test_disk, host.region, disk.id, host.id)
        except CloudError as error:
            test.fail('could not attach test disk %s to %s: %s' % (disk.id, host.id, error))
            continue
        waiting.append(test)

    def read() -> list[HeldTest]:
        pending = [test for test in waiting if not test.held]
        if pending:
            latest = calls.call(
                adapter.describe_test_disks,
                host.region,
                sorted(test.made.id for test in pending),
            )
            for test in pending:
                disk = latest.get(test.made.id)
                if disk is not None and disk.attached_to == host.id and disk.attachment == ATTACHED:
                    test.disk, test.held = disk, True
                    test.seconds_to_attached = clock() - started
        return waiting

    poll(
        read,
        lambda found: DONE if all(test.held for test in found) else STILL_GOING,
        deadline,
        FIRST_POLL_SECONDS,
        sleep=sleep,
        clock=clock,
        max_interval=MAX_POLL_SECONDS,
    )
    for test in waiting:
        if not test.held:
            test.fail(
                'test disk %s was not attached to %s by the end of restore_test_timeout' % (test.made.id, host.id)
            )


# pylint: disable-next=too-many-arguments
def detach_ours(
    adapter: RestoreDrillAdapter,
    calls: PhaseRetry,
    region: str,
    disks: Sequence[DrillDisk],
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    warnings: list[str],
) -> set[str]:
    """Detach the test disks of ``disks`` that are attached to the instance their RESTORE_HOST_TAG names, and wait
    until they are free; answers the ids of those still attached (to another instance, or not detached in time),
    which are not to be deleted now."""
    attached = [disk for disk in disks if disk.attached_to]
    if not attached:
        return set()
    hosts = host_part(adapter)
    ours = [disk for disk in attached if hosts is not None and disk.tags.get(RESTORE_HOST_TAG) == disk.attached_to]
    stuck = {disk.id for disk in attached if disk not in ours}
    for disk in attached:
        if disk.id in stuck:
            warnings.append(
                'test disk %s in %s is attached to %s, not by the drill: left there (detach it, and the next run '
                'deletes it)' % (disk.id, region, disk.attached_to)
            )
    detaching = []
    for disk in ours:
        try:
            calls.call(drill_hosts(adapter).detach_test_disk, region, disk.id, disk.attached_to or '')
            detaching.append(disk.id)
        except CloudError as error:
            stuck.add(disk.id)
            warnings.append('could not detach test disk %s from %s: %s' % (disk.id, disk.attached_to, error))
    if detaching:
        describe = adapter.describe_test_disks

        def read() -> dict[str, DrillDisk]:
            try:
                return calls.call(describe, region, detaching)
            except CloudError:
                return {}

        result = poll(
            read,
            lambda found: STILL_GOING if any(disk.attached_to for disk in found.values()) else DONE,
            deadline,
            FIRST_POLL_SECONDS,
            sleep=sleep,
            clock=clock,
            max_interval=MAX_POLL_SECONDS,
        )
        stuck |= {disk_id for disk_id, disk in cast('dict[str, DrillDisk]', result.last).items() if disk.attached_to}
    return stuck
