# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the restore drill parts of ECS, ENS and CBS share (dr.capabilities RestoreDrillAdapter and DrillHostAdapter):
the drill host read from the instances a DescribeInstances by id lists, its disks attached and detached one call each,
a missing instance not found alike in all three, and a create-disk answer that names no disk. Each cloud's calls and
words stay in its own part (clouds/alibaba/ecs_drill.py, ens_drill.py, clouds/tencent/cbs_disks.py); EBS reads its
instances by reservation and chooses a device name, and has a part of its own (clouds/aws/ebs_drill.py)."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import NOT_FOUND, CloudError
from .capabilities import DrillHostAdapter, RestoreDrillAdapter

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ..core.dr_model import DrillHost
    from ..core.model import Snapshot


class DrillCalls(Protocol):
    """What a drill part calls on its DR adapter, which composes it."""

    cloud: str

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        """As DrAdapter.tag_copy does."""


class ListedHostDrill(RestoreDrillAdapter, DrillHostAdapter):
    """A drill part whose host is one of the instances a DescribeInstances by id lists (an id the cloud does not hold is
    left out of the answer, not refused), and whose attach and detach calls each name the disk and the instance."""

    #: The cloud's calls that attach and detach a disk.
    attach_call: str
    detach_call: str
    #: The cloud's code of an instance it does not hold: not found, from drill_host and from an attach or detach alike.
    instance_not_found: str
    #: drill_host's message for a host the cloud does not list, of the instance's id and the region.
    no_host = 'no instance %s in %s'

    def __init__(self, adapter: DrillCalls) -> None:
        self.adapter = adapter
        self.cloud = adapter.cloud

    @abstractmethod
    def _instances(self, region: str, instance_id: str) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
        """The cloud's DescribeInstances of ``instance_id``: (its answer, the instances it lists)."""

    @abstractmethod
    def _host(self, instance: Mapping[str, Any], region: str) -> DrillHost:
        """The DrillHost of one listed instance."""

    @abstractmethod
    def _send_attachment(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        """The cloud's ``action`` (attach_call or detach_call) of ``disk_id`` and ``instance_id``."""

    def drill_host(self, region: str, instance_id: str) -> DrillHost:
        answer, instances = self._instances(region, instance_id)
        found = [item for item in instances if item.get('InstanceId') == instance_id]
        if not found:
            raise CloudError(
                'DescribeInstances',
                self.instance_not_found,
                self.no_host % (instance_id, region),
                request_id=answer.get('RequestId'),
                kind=NOT_FOUND,
                region=region,
            )
        return self._host(found[0], region)

    def attach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment(self.attach_call, region, disk_id, instance_id)

    def detach_test_disk(self, region: str, disk_id: str, instance_id: str) -> None:
        self._attachment(self.detach_call, region, disk_id, instance_id)

    def _attachment(self, action: str, region: str, disk_id: str, instance_id: str) -> None:
        try:
            self._send_attachment(action, region, disk_id, instance_id)
        except CloudError as error:
            if error.code == self.instance_not_found:  # as drill_host says a missing instance
                error.kind = NOT_FOUND
            raise

    def tag_copy(self, copy: Snapshot, tags: dict[str, str]) -> None:
        self.adapter.tag_copy(copy, tags)


def no_disk_named(answer: Mapping[str, Any], *, action: str, field: str, made: object, region: str) -> CloudError:
    """The error of a create-disk answer whose ``field`` (``made``) names no disk. The disk may have been made: the drill
    looks for it by its tags before asking again."""
    return CloudError.maybe_done(
        action,
        'InvalidResponse',
        'the answer names no disk (%s is %r)' % (field, made),
        request_id=answer.get('RequestId'),
        region=region,
    )
