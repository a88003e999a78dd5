# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS EBS: the DR adapter's snapshot sets part (dr/capabilities.py SnapshotSetAdapter; consistency groups, issue 49,
dr/groups.py).

A set is the snapshots of one CreateSnapshots call. EC2 names no set: their StartTime is "the same for all snapshots
initiated by the same request" (ec2 2016-11-15 SnapshotInfo.StartTime), but the reverse does not hold: EBS dates
snapshots to the second, so snapshots taken one by one in one second with one description (our parallel fresh
snapshots, a DLM volume policy's) look the same (issue 61). A set counts only with evidence that one request made it: our
SET_TAG, given by TagSpecifications on CreateSnapshots from the snapshots' first moment; a DLM policy that targets
instances (GetLifecyclePolicy, PolicyDetails.ResourceTypes INSTANCE: "use INSTANCE to create multi-volume snapshots from
the volumes for an instance", dlm 2018-01-12) named by the snapshots' aws:dlm:lifecycle-policy-id, with one StartTime and
one instance; or the user's consistency_set_tag, a key whose value the snapshots of one set share and no other has.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...core.answers import answer_items
from ...core.dr_model import Disk
from ...core.errors import FATAL, NOT_FOUND, CloudError, InputError
from ...core.model import Snapshot
from ...core.tagging import SET_TAG
from ...dr.capabilities import LookAlikeSet, SetReading, SnapshotSetAdapter
from .ebs import snapshot_tag_specification
from .ebs_drill import volume_items

if TYPE_CHECKING:
    from .ebs_api import EbsCalls

# CreateSnapshots' ExcludeDataVolumeIds: "up to 40 volume IDs per request" (ec2 2016-11-15 InstanceSpecification).
MAX_EXCLUDED_VOLUMES = 40
# The tag DLM puts on the snapshots its policies make, naming the policy (DLM user guide, "Tag snapshots and AMIs":
# aws:dlm:lifecycle-policy-id), and PolicyDetails.ResourceTypes' value for multi-volume snapshots (dlm 2018-01-12).
DLM_POLICY_TAG = 'aws:dlm:lifecycle-policy-id'
DLM_INSTANCE = 'INSTANCE'
#: How a set of EBS snapshots is marked so that the run counts it (issue 61): every surface that calls snapshots no set
#: says so.
HOW_TO_MARK_A_SET = (
    'A set counts when made by CreateSnapshots with the run\'s set tag (snapcopy:set: max_snapshot_age_hours has the '
    'run make one), by a DLM policy whose resource type is INSTANCE, or by your own tooling with a tag whose key '
    'consistency_set_tag names and whose value the snapshots of one set share and no other has (TagSpecifications on '
    'CreateSnapshots)'
)


class EbsSets(SnapshotSetAdapter):
    """Sets of one instance's volumes (CreateSnapshots takes one instance), read from the evidence each snapshot
    carries."""

    sets_from_evidence = True

    def __init__(self, adapter: EbsCalls) -> None:
        self.adapter = adapter
        # Whether each DLM policy read targets instances, by (region, policy id): read once.
        self._dlm_policies: dict[tuple[str, str], bool] = {}
        self._dlm_lock = threading.Lock()

    def read_sets(
        self,
        region: str,
        disks: list[Disk],
        snapshots: Mapping[str, Sequence[Snapshot]],
        *,
        set_tag: str | None = None,
    ) -> SetReading:
        # The tags and start times are in what disk_snapshots read; a DLM policy is read once a run and region.
        sets: dict[str, str] = {}
        unproven: dict[tuple[str, str, str], list[str]] = {}
        for disk in disks:
            for snapshot in snapshots.get(disk.id, ()):
                set_id = self._evidence_set(region, disk, snapshot, set_tag)
                if set_id is not None:
                    sets[snapshot.id] = set_id
                elif snapshot.created and disk.instance_id:
                    key = (disk.instance_id, snapshot.created, snapshot.description or '')
                    unproven.setdefault(key, []).append(snapshot.id)
        return SetReading(
            sets=sets,
            look_alikes=tuple(
                LookAlikeSet(tuple(sorted(ids)), look_alike_why(ids, created))
                for (dummy, created, dummy_description), ids in sorted(unproven.items())
                if len(ids) > 1
            ),
        )

    def _evidence_set(self, region: str, disk: Disk, snapshot: Snapshot, set_tag: str | None) -> str | None:
        """The set ``snapshot`` is of by the evidence it carries (None: none)."""
        if snapshot.tags.get(SET_TAG):
            return own_set_id(region, snapshot.tags[SET_TAG])
        if set_tag and snapshot.tags.get(set_tag):
            digest = hashlib.sha256(('%s\0%s' % (set_tag, snapshot.tags[set_tag])).encode('utf-8')).hexdigest()[:16]
            return '%s/tag/%s' % (region, digest)
        policy_id = snapshot.tags.get(DLM_POLICY_TAG)
        if policy_id and snapshot.created and disk.instance_id and self._dlm_targets_instances(region, policy_id):
            return '%s/dlm/%s/%s/%s' % (region, policy_id, disk.instance_id, snapshot.created)
        return None

    def _dlm_targets_instances(self, region: str, policy_id: str) -> bool:
        """Whether the DLM policy ``policy_id`` snapshots instances (PolicyDetails.ResourceTypes holds INSTANCE:
        multi-volume snapshots, one CreateSnapshots a run of it); one read a policy. A policy gone (deleted since:
        ResourceNotFoundException) is no evidence."""
        key = (region, policy_id)
        with self._dlm_lock:
            known = self._dlm_policies.get(key)
        if known is not None:
            return known
        try:
            answer = self.adapter.client.call_service('dlm', region, 'GetLifecyclePolicy', PolicyId=policy_id)
        except CloudError as error:
            if error.kind != NOT_FOUND:
                raise
            answer = {}
        details = (answer.get('Policy') or {}).get('PolicyDetails') or {}
        targets = DLM_INSTANCE in (details.get('ResourceTypes') or [])
        with self._dlm_lock:
            self._dlm_policies[key] = targets
        return targets

    def create_snapshot_set(
        self, region: str, disks: list[Disk], name: str | None, description: str, tags: dict[str, str]
    ) -> tuple[str, list[Snapshot]]:
        instance_id = self.set_instance(disks) or ''  # never '': a set here is one instance's (or set_instance raises)
        # CreateSnapshots snapshots every volume attached to the instance but those it is told to leave out: the
        # instance's other volumes are read (DescribeVolumes), and the root volume among them (DescribeInstanceAttribute
        # rootDeviceName) only when there are others, for it is left out by ExcludeBootVolume alone ("If you specify
        # the ID of the root volume, the request fails", InstanceSpecification.ExcludeDataVolumeIds).
        devices = {
            str(item['VolumeId']): attachment.get('Device')
            for item in volume_items(
                self.adapter, region, {'Filters': [{'Name': 'attachment.instance-id', 'Values': [instance_id]}]}
            )
            for attachment in answer_items(item, 'Attachments')
            if attachment.get('InstanceId') == instance_id
        }
        wanted = {disk.id for disk in disks}
        if not wanted <= set(devices):
            raise InputError(
                'disks',
                'the volumes %s are not attached to the instance %s (any more): CreateSnapshots snapshots the volumes '
                'attached to one instance' % (', '.join(sorted(wanted - set(devices))), instance_id),
            )
        specification = self._specification(region, instance_id, devices, sorted(set(devices) - wanted))
        # The set's tag from its first moment (TagSpecifications): the evidence that one request made these snapshots.
        mark = 'snapcopy-%s' % uuid.uuid4().hex[:16]
        tags = dict(tags or {}, **{SET_TAG: mark})
        if name:
            tags['Name'] = name
        arguments: dict[str, Any] = {
            'InstanceSpecification': specification,
            'Description': description or '',
            'TagSpecifications': snapshot_tag_specification(tags),
        }
        answer = self.adapter.client.call(region, 'CreateSnapshots', **arguments)
        made = [self.adapter.snapshot(item, region) for item in answer_items(answer, 'Snapshots')]
        if not made or not made[0].created:
            raise CloudError(
                'CreateSnapshots',
                'InvalidResponse',
                'the answer names no snapshot with its start time',
                kind=FATAL,
                region=region,
            )
        return own_set_id(region, mark), made

    def _specification(
        self, region: str, instance_id: str, devices: Mapping[str, Any], others: Sequence[str]
    ) -> dict[str, Any]:
        """CreateSnapshots' InstanceSpecification: the instance, leaving out its ``others`` volumes."""
        specification: dict[str, Any] = {'InstanceId': instance_id}
        if others:
            answer = self.adapter.client.call(
                region, 'DescribeInstanceAttribute', InstanceId=instance_id, Attribute='rootDeviceName'
            )
            root = (answer.get('RootDeviceName') or {}).get('Value')
            data = [volume for volume in others if devices[volume] != root]
            if len(data) < len(others):
                specification['ExcludeBootVolume'] = True
            if len(data) > MAX_EXCLUDED_VOLUMES:
                raise InputError(
                    'disks',
                    'the instance %s has %d other data volumes attached; CreateSnapshots leaves out at most %d'
                    % (instance_id, len(data), MAX_EXCLUDED_VOLUMES),
                )
            if data:
                specification['ExcludeDataVolumeIds'] = data
        return specification


def own_set_id(region: str, mark: str) -> str:
    """The id of the set the collection made (CreateSnapshots with SET_TAG ``mark`` on every snapshot)."""
    return '%s/%s' % (region, mark)


def look_alike_why(snapshot_ids: Sequence[str], created: str) -> str:
    """Why snapshots of one instance sharing a start time and a description are no set, and how to mark one."""
    return (
        'snapshots %s share a start time (%s) and a description, but nothing says one request made them: EBS dates '
        'snapshots to the second, and snapshots taken one by one look the same, so they are no set. %s'
        % (', '.join(sorted(snapshot_ids)), created, HOW_TO_MARK_A_SET)
    )
