#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cbs_snapshot_copy
short_description: Copy a Tencent Cloud CBS snapshot to other regions, once
version_added: 0.1.0
description:
  - Copies a Tencent Cloud CBS snapshot from O(source_region) to each region of O(destination_regions),
    idempotently, with one C(CopySnapshotCrossRegions) call for all the regions that still lack a copy.
  - How a copy is found again, since CBS keeps no link from a copy to its source.
    Each copy is named O(name), or by default C(snapcopy-<source region>-<source snapshot id>),
    and gets the tag C(snapcopy:source) with the value C(<source region>/<source snapshot id>)
    (set through the Tag service right after the copy call, with O(tags)).
    Before copying, the module looks in each destination for a snapshot copied from another region
    (C(CopyFromRemote)) with that name and no C(snapcopy:source) tag of another source, with DescribeSnapshots'
    C(snapshot-name) filter (CBS documents no tag filter for snapshots; the tags are read from the answer).
    When many sources are looked up at once (M(snapcopy.cloud.dr_sync)), the destination is listed instead and
    a copy with this tag is found whatever its name.
  - A copy in the recycle bin (C(TORECYCLE)) is no copy; a new one is made.
    A copy still in flight that was started some other way shows in the source's C(CopyingToRegions);
    it is recognised by its disk or by Tencent's default name C(Copied <source id> ...).
    A copy found in any of these ways, finished or in flight, is returned with RV(ignore:changed=false) and not made again.
  - A copy found without the C(snapcopy:source) tag (its tagging was interrupted) gets its tags now.
    Tags of copies that already carry C(snapcopy:source) are left as they are.
  - C(ResourceInUse.CopySnapshotConflict) (a copy to that region is under way) is not an error;
    the copy under way is looked up and reported.
  - A region whose copy could not be made (a C(Code) other than C(Success) in the answer, for example
    C(InsufficientSnapshotQuota)) fails the task with the region, code and message; the copies made in the other
    regions are returned, and a rerun copies only to the regions still missing a copy.
  - Tencent Cloud has no failed state for a copy; a copy that fails disappears from the destination.
    With O(wait=true) that is reported as a failure (state C(vanished)); run the task again to make a new copy.
  - Throttling (C(RequestLimitExceeded)), C(ResourceBusy), C(InternalError) and network errors are retried
    with jittered exponential backoff within O(wait_timeout). The module also keeps its own calls under
    the documented 20 requests per second per action.
author:
  - snapcopy.cloud developers (@snapcopy)
options:
  source_snapshot_id:
    description:
      - The ID of the snapshot to copy, for example V(snap-0abc1234).
      - Its alias O(snapshot_id) names this same snapshot, the one to copy. The copy's ID comes back as RV(copy_snapshot_id)
        (and as RV(snapshot_id), the name community.aws's C(ec2_snapshot_copy) returns it under).
    type: str
    required: true
    aliases: [snapshot_id]
  source_region:
    description:
      - The region that holds the source snapshot, for example V(ap-guangzhou).
    type: str
    required: true
  destination_regions:
    description:
      - The regions to copy to, for example V([ap-beijing, ap-shanghai]). The source region cannot be one of them.
      - One of O(destination_regions) and O(destination_region) is required.
    type: list
    elements: str
  destination_region:
    description:
      - One region to copy to, for example V(ap-beijing); as the EBS and ECS modules take it. Give this or
        O(destination_regions), not both.
    type: str
  name:
    description:
      - The name of the copies, 1 to 60 characters.
      - If not set, C(snapcopy-<source region>-<source snapshot id>), so that a rerun finds the copies by name too.
    type: str
  tags:
    description:
      - Tags to put on each copy, besides the C(snapcopy:source) tag that the module sets itself.
      - At most 49; keys are 1 to 127 characters and may not start with C(qcloud), C(tencent) or C(project); values at most 255.
    type: dict
extends_documentation_fragment:
  - snapcopy.cloud.tencentcloud
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode is supported and makes no mutating call; diff mode shows which copy each destination holds before and after.
  - Needs C(cbs:DescribeSnapshots) in the source and destination regions, C(cbs:CopySnapshotCrossRegions)
    in the source region, and C(tag:TagResources).
  - Cross-region copies are billed by Tencent Cloud as cross-region traffic.
attributes:
  check_mode:
    support: full
    description: Reports what would be copied without copying.
  diff_mode:
    support: full
    description: Shows the copy of the source that each destination holds before and after.
  platform:
    support: full
    platforms: tencentcloud
    description: Talks to the Tencent Cloud CBS and Tag APIs.
'''

EXAMPLES = r'''
- name: Copy a snapshot to two DR regions, once
  snapcopy.cloud.cbs_snapshot_copy:
    source_snapshot_id: snap-0abc1234
    source_region: ap-guangzhou
    destination_regions:
      - ap-beijing
      - ap-shanghai
    tags:
      purpose: dr
  register: copy

- name: Wait until the copies are NORMAL, with credentials from the environment (TENCENTCLOUD_*)
  snapcopy.cloud.cbs_snapshot_copy:
    source_snapshot_id: snap-0abc1234
    source_region: ap-guangzhou
    destination_regions: [ap-singapore]
    name: db-volume-dr
    wait: true
    wait_timeout: 7200
    poll_interval: 30
'''

RETURN = r'''
snapshot_id:
  description:
    - The ID of the copy in the destination (made now, or found from an earlier run), under the name community.aws's
      C(ec2_snapshot_copy) returns it; the same as RV(copy_snapshot_id). Null in check mode when a copy would be made.
      Only when O(destination_regions) has one region; see RV(snapshots) for several.
  returned: when O(destination_regions) has one region
  type: str
  sample: snap-1def5678
copy_snapshot_id:
  description:
    - The ID of the copy, the same as RV(snapshot_id), under a name that cannot be taken for the source's
      (O(snapshot_id) is an alias of O(source_snapshot_id), the snapshot to copy). Only when O(destination_regions) has
      one region; see RV(snapshots) for several.
  returned: when O(destination_regions) has one region
  type: str
  sample: snap-1def5678
snapshots:
  description: One entry per destination region, in the order of O(destination_regions).
  returned: always
  type: list
  elements: dict
  contains:
    region:
      description: The destination region.
      type: str
      sample: ap-beijing
    snapshot_id:
      description: >-
        The copy's ID; null when no copy exists there (check mode, or the copy could not be made),
        or when a copy under way is known only from the source's C(CopyingToRegions) (check mode).
      type: str
      sample: snap-1def5678
    name:
      description: The copy's name.
      type: str
      sample: snapcopy-ap-guangzhou-snap-0abc1234
    state:
      description: >-
        The copy's state as CBS reports it (C(COPYING_FROM_REMOTE), C(CHECKING_COPIED), C(NORMAL)),
        or C(vanished) for a copy that disappeared while waiting.
      type: str
      sample: COPYING_FROM_REMOTE
    progress:
      description: The copy's progress in percent (CBS C(Percent)), when known.
      type: int
      sample: 40
    encrypted:
      description: Whether the copy is encrypted, when known.
      type: bool
    tags:
      description: The copy's tags, including C(snapcopy:source).
      type: dict
      sample: {"snapcopy:source": "ap-guangzhou/snap-0abc1234", "purpose": "dr"}
    action:
      description: >-
        What the task did here: C(copied) (a new copy), C(existing) (a copy was already there or under way),
        C(would_copy) (check mode), C(not_copied) (the copy could not be made; see RV(snapshots[].error)).
      type: str
      sample: copied
    changed:
      description: Whether this destination changed (or would change, in check mode).
      type: bool
    mismatch:
      description:
        - Present when a copy of the source found there differs from what the task asks (see O(on_mismatch)).
          C(snapshot_id) is that copy, C(differences) maps each option that differs to what was C(asked) and what was C(found).
        - With O(on_mismatch=fail) the entry has RV(snapshots[].action=not_copied) and an C(error); with V(warn) the copy
          found is the entry's own (RV(snapshots[].action=existing)); with V(new_copy) the entry is the new copy.
      type: dict
      returned: when a copy found differs from what was asked
      sample: {"snapshot_id": "snap-0ldc0py1", "differences": {"tags": {"asked": {"team": "db"}, "found": {"team": null}}}}
    message:
      description: Why a copy failed, or a note on a copy under way.
      type: str
      returned: when there is one
    error:
      description: >-
        The cloud's error for this region, with C(action), C(code), C(message) and C(request_id);
        with C(snapshot_id) too when the copy was made but its tags could not be set.
      type: dict
      returned: when the copy could not be made
      sample: {"action": "CopySnapshotCrossRegions", "code": "InsufficientSnapshotQuota", "message": "...", "request_id": "..."}
source_snapshot:
  description: The source snapshot.
  returned: always
  type: dict
  contains:
    id:
      description: Its ID.
      type: str
    region:
      description: Its region.
      type: str
    state:
      description: Its state (C(NORMAL) when it can be copied).
      type: str
    volume_id:
      description: The disk it was taken of.
      type: str
    size:
      description: The disk size in GiB.
      type: int
    encrypted:
      description: Whether it is encrypted.
      type: bool
    progress:
      description: Its progress in percent.
      type: int
api_retries:
  description: How many calls were retried after throttling or a transient error.
  returned: always
  type: int
  sample: 0
error:
  description: The cloud's error that ended the task, with C(action), C(code), C(message) and C(request_id).
  returned: on a cloud error
  type: dict
  sample: {"action": "DescribeSnapshots", "code": "AuthFailure.SignatureFailure", "message": "...", "request_id": "..."}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import CbsCopyAdapter, build_cbs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import TENCENT_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    copy_module_spec,
    run_copy_module,
)


def main():
    copy_options = {
        'name': {},
        'tags': {'type': 'dict'},
    }
    module = AnsibleModule(
        argument_spec=copy_module_spec(copy_options, TENCENT_CONNECTION_SPEC), supports_check_mode=True
    )
    run_copy_module(module, build_cbs_request, CbsCopyAdapter)


if __name__ == '__main__':
    main()
