#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ecs_snapshot_copy
short_description: Copy an Alibaba Cloud ECS snapshot to another region, once
version_added: 0.1.0
description:
  - Copies an Alibaba Cloud ECS snapshot from O(source_region) to O(destination_region), idempotently.
  - Every copy carries the tag C(snapcopy:source) with the value C(<source region>/<source snapshot id>).
    Before copying, the module looks in the destination for snapshots with that tag and confirms each one by the
    C(SourceSnapshotId) and C(SourceRegionId) that ECS keeps on a copy.
    If a copy is there, in progress or accomplished, it is returned with RV(ignore:changed=false) and nothing is copied.
  - The DR run (M(snapcopy.cloud.dr_sync)), which looks for the copies of many sources at once, lists the destination's
    snapshots page by page instead and reads the tags from the answer, because ECS's tag filter returns at most 1,000 snapshots.
  - CopySnapshot is sent with a C(ClientToken) derived from the source, the destination and the copy options,
    so a retry after a lost answer gets ECS's first answer back and never makes a second copy.
  - A copy found in state C(failed) is reported and the task fails; it is not replaced silently.
    Delete it (in the console or with DeleteSnapshot) and run the task again to make a new copy.
  - A copy counts only once a read shows it. ECS answers a ClientToken it has seen with its first answer,
    even once that copy is deleted; a copy the answer names that no read shows for two minutes spends
    the token, and the module sends CopySnapshot again with a new one (with a warning naming the deleted copy).
  - The source is checked first. A missing source fails with ECS's C(InvalidSnapshotId.NotFound).
    A source still being made fails with a clear message, or is waited for with O(wait=true).
    Encrypted snapshots are copied (the copy stays encrypted); local snapshots (category C(flash)) cannot be copied,
    and the module says so before calling CopySnapshot.
  - ECS copies a disk's snapshots into a region one after the other. While a copy of another snapshot of the same disk
    to the same region is still running, CopySnapshot answers C(InvalidOperation.DiskHasUnfinishedSnapshotCopy); the module
    asks again every O(poll_interval) until O(wait_timeout), and fails with what to do if that copy is still running then.
  - Throttling (C(Throttling), C(Throttling.User)), C(ServiceUnavailable), C(InternalError), other 5xx answers and
    network errors are retried with jittered exponential backoff within O(wait_timeout).
    Credential and permission errors fail at once, with what to check.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - aliyun-python-sdk-core >= 2.15.0
  - aliyun-python-sdk-ecs >= 4.24.0
options:
  source_snapshot_id:
    description:
      - The ID of the snapshot to copy, for example V(s-bp67acfmxazb4p0example).
      - Its alias O(snapshot_id) names this same snapshot, the one to copy. The copy's ID comes back as RV(copy_snapshot_id)
        (and as RV(snapshot_id), the name community.aws's C(ec2_snapshot_copy) returns it under).
    type: str
    required: true
    aliases: [snapshot_id]
  source_region:
    description:
      - The region that holds the source snapshot, for example V(cn-hangzhou). CopySnapshot is called there.
    type: str
    required: true
  destination_region:
    description:
      - The region to copy to, for example V(cn-beijing). It must not be the source region, which ECS refuses
        (C(InvalidOperation.NotSupportCopyInSameRegion)); the module refuses it before any call.
      - One of O(destination_region) and O(destination_regions) is required.
    type: str
  destination_regions:
    description:
      - The regions to copy to, one copy in each, for example V([cn-beijing, cn-shanghai]); as the CBS and ENS modules
        take them. Give this or O(destination_region), not both. Each region once, and not the source region.
      - With several regions, RV(snapshots) has one entry per region and RV(snapshot_id) is not returned.
    type: list
    elements: str
  name:
    description:
      - The name of the copy. 2 to 128 characters, starting with a letter (Chinese characters count as letters);
        letters, digits, colons, underscores, periods and hyphens; not starting with V(http://) or V(https://).
      - ECS requires a name for every copy. If not set, the copy is named C(snapcopy-<source snapshot id>).
    type: str
  description:
    description:
      - The description of the copy. 2 to 256 characters, not starting with V(http://) or V(https://).
      - ECS requires a description for every copy. If not set, it is C(Copy of <source snapshot id> from <source region>, by snapcopy.cloud).
    type: str
  retention_days:
    description:
      - Release the copy automatically after this many days, 1 to 65536. V(0), or leaving it out, keeps the copy until it is deleted.
    type: int
  tags:
    description:
      - Tags to put on the copy, besides the C(snapcopy:source) tag that the module sets itself. At most 19.
      - Keys are 1 to 128 characters, must not start with C(acs:) or C(aliyun), and must not contain V(http://) or V(https://).
        Values are up to 128 characters with the same rules. Keys are case-sensitive.
    type: dict
  encrypted:
    description:
      - Encrypt the copy.
    type: bool
    default: false
  kms_key_id:
    description:
      - The KMS key to encrypt the copy with. Needs O(encrypted=true). If not set, ECS uses the account's default key.
    type: str
extends_documentation_fragment:
  - snapcopy.cloud.alicloud
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode is supported and makes no mutating call; diff mode shows which copy the destination holds before and after.
  - Needs C(ecs:DescribeSnapshots) in both regions and C(ecs:CopySnapshot) (with tagging) in the source region.
  - Copies are accomplished when ECS reports C(accomplished); a copy that becomes C(failed) while waiting fails the task.
attributes:
  check_mode:
    support: full
    description: Reports what would be copied without copying.
  diff_mode:
    support: full
    description: Shows the copy of the source that the destination holds before and after.
  platform:
    support: full
    platforms: alicloud
    description: Talks to the ECS API.
'''

EXAMPLES = r'''
- name: Copy a snapshot to the DR region, once
  snapcopy.cloud.ecs_snapshot_copy:
    source_snapshot_id: s-bp67acfmxazb4p0example
    source_region: cn-hangzhou
    destination_region: cn-beijing
    name: db-dr-copy
    description: DR copy of the database disk
    retention_days: 30
    tags:
      purpose: dr
  register: copy

- name: Encrypt the copy and wait until it is accomplished
  snapcopy.cloud.ecs_snapshot_copy:
    source_snapshot_id: s-bp67acfmxazb4p0example
    source_region: cn-hangzhou
    destination_region: ap-southeast-1
    encrypted: true
    kms_key_id: 0e478b7a-4262-4802-b8cb-00d3fb40example
    wait: true
    wait_timeout: 7200

- name: Credentials for a whole play, as with alibaba.alicloud
  module_defaults:
    group/snapcopy.cloud.alicloud:
      alicloud_access_key: "{{ vault_alicloud_access_key }}"
      alicloud_secret_key: "{{ vault_alicloud_secret_key }}"
  block:
    - name: Copy
      snapcopy.cloud.ecs_snapshot_copy:
        source_snapshot_id: s-bp67acfmxazb4p0example
        source_region: cn-hangzhou
        destination_region: cn-shanghai
'''

RETURN = r'''
snapshot_id:
  description:
    - The ID of the copy in the destination (made now, or found from an earlier run), under the name community.aws's
      C(ec2_snapshot_copy) returns it; the same as RV(copy_snapshot_id). Null in check mode when a copy would be made.
      Only for one destination region; see RV(snapshots) for several (O(destination_regions)).
  returned: when the task copies to one region
  type: str
  sample: s-2zeexample0copy000001
copy_snapshot_id:
  description:
    - The ID of the copy, the same as RV(snapshot_id), under a name that cannot be taken for the source's
      (O(snapshot_id) is an alias of O(source_snapshot_id), the snapshot to copy). Only for one destination region.
  returned: when the task copies to one region
  type: str
  sample: s-2zeexample0copy000001
snapshots:
  description: One entry per destination.
  returned: always
  type: list
  elements: dict
  contains:
    region:
      description: The destination region.
      type: str
      sample: cn-beijing
    snapshot_id:
      description: The copy's ID; null when no copy exists there (check mode, or the copy could not be made).
      type: str
      sample: s-2zeexample0copy000001
    state:
      description: The copy's state as ECS reports it (C(progressing), C(accomplished), C(failed)).
      type: str
      sample: progressing
    progress:
      description: The copy's progress in percent.
      type: int
      sample: 40
    name:
      description: The copy's name, when it has one.
      type: str
      returned: when set
    encrypted:
      description: Whether the copy is encrypted, when known.
      type: bool
    kms_key_id:
      description: The KMS key of an encrypted copy, when ECS reports it.
      type: str
      returned: when known
    retention_days:
      description: The copy's retention period in days, when it has one.
      type: int
      returned: when set
    tags:
      description: The copy's tags, including C(snapcopy:source).
      type: dict
      sample: {"snapcopy:source": "cn-hangzhou/s-bp67acfmxazb4p0example", "purpose": "dr"}
    action:
      description: >-
        What the task did here: C(copied) (a new copy), C(existing) (a copy was already there),
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
      sample: {"snapshot_id": "s-bp1oldcopy0000000001", "differences": {"encrypted": {"asked": true, "found": false}}}
    error:
      description: The cloud's error for this destination, with C(action), C(code), C(message), C(request_id).
      type: dict
      returned: when the copy could not be made
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
      description: Its state (C(progressing), C(accomplished), C(failed)).
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
  sample: {"action": "DescribeSnapshots", "code": "InvalidSnapshotId.NotFound", "message": "...", "request_id": null}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import ALIBABA_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs import EcsCopyAdapter, build_ecs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    copy_module_spec,
    run_copy_module,
)


def main():
    copy_options = {
        'name': {},
        'description': {},
        'retention_days': {'type': 'int'},
        'tags': {'type': 'dict'},
        'encrypted': {'type': 'bool', 'default': False},
        'kms_key_id': {'no_log': False},
    }
    module = AnsibleModule(
        argument_spec=copy_module_spec(copy_options, ALIBABA_CONNECTION_SPEC), supports_check_mode=True
    )
    run_copy_module(module, build_ecs_request, EcsCopyAdapter)


if __name__ == '__main__':
    main()
