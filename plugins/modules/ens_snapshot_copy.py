#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ens_snapshot_copy
short_description: Copy an Alibaba Cloud ENS snapshot to other edge nodes, once per node
version_added: 0.1.0
description:
  - Copies an Alibaba Cloud ENS (Edge Node Service) snapshot from the node O(source_region) to every node in
    O(destination_regions), idempotently, with one CopySnapshot call for all the nodes that still need a copy.
  - ENS keeps C(SourceSnapshotId) and C(SourceEnsRegionId) on every copy. Before copying, the module lists each
    destination node's snapshots and looks for a copy of this source there. A node that has one, being created or
    available, keeps it (RV(snapshots[].action=existing)); only the other nodes are copied to.
  - ENS snapshots carry no tags (ENS's tag API takes instances only), so every copy's description ends with a marker,
    C([snapcopy source=<source node>/<source snapshot id>]), written by the CopySnapshot call itself. It marks the copy as made
    by this collection. The DR role C(snapcopy.cloud.dr_copy) and M(snapcopy.cloud.dr_sync) prune only copies whose marker names
    the source that ENS's own link names, never a copy someone else made.
  - A copy of this source without the marker (made by hand, or by version 0.1.0 of this collection) is still found and
    reported as RV(snapshots[].action=existing), so no second copy is made; it is never pruned.
  - ENS's CopySnapshot has no idempotency token, so after an error that may have hidden a copy (a lost answer,
    throttling, a server error) the module looks the nodes up again before it calls again, and never makes a second copy.
  - When ENS copies to some nodes and not to others (C(BizStatusCode=PartSuccess), the others listed in C(UnAllocationId)),
    the task fails, names each node that got no copy, and returns the copies that were made.
    Run the task again (after fixing the cause, if it is on your side) and only the nodes still missing a copy are copied to.
  - A copy found in state C(error) is reported and the task fails; it is not replaced silently.
    Delete it (in the console or with DeleteSnapshot) and run the task again to make a new copy.
  - The source is checked first. A missing source fails with C(InvalidSnapshotId.NotFound); a source still being made
    fails with a clear message, or is waited for with O(wait=true).
  - Throttling, C(ServiceUnavailable), C(InternalError), other 5xx answers and network errors are retried with jittered
    exponential backoff within O(wait_timeout). Credential and permission errors fail at once, with what to check.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - aliyun-python-sdk-core >= 2.15.0
  - aliyun-python-sdk-ens >= 3.0.14
options:
  source_snapshot_id:
    description:
      - The ID of the snapshot to copy, for example V(sp-bp1c0doj0taqyzzlexample).
      - Its alias O(snapshot_id) names this same snapshot, the one to copy. The copy's ID comes back as RV(copy_snapshot_id)
        (and as RV(snapshot_id), the name community.aws's C(ec2_snapshot_copy) returns it under).
    type: str
    required: true
    aliases: [snapshot_id]
  source_region:
    description:
      - The ENS node that holds the source snapshot, for example V(cn-hangzhou-26).
    type: str
    required: true
  destination_regions:
    description:
      - The ENS nodes to copy to, for example V([cn-beijing-cmcc, cn-suzhou-telecom]). Each node once; at most 100.
      - One of O(destination_regions) and O(destination_region) is required.
    type: list
    elements: str
  destination_region:
    description:
      - One ENS node to copy to, for example V(cn-beijing-cmcc); as the EBS and ECS modules take a region. Give this or
        O(destination_regions), not both.
    type: str
  name:
    description:
      - The name of each copy. 2 to 128 characters, starting with a letter or a Chinese character;
        letters, digits, colons, underscores and hyphens; not starting with V(http://) or V(https://).
    type: str
  description:
    description:
      - The description of each copy, not starting with V(http://) or V(https://). The marker
        C([snapcopy source=<node>/<id>]) is added after it, and the whole must fit in ENS's 256 characters,
        so the text given here may be about 200 characters long; a longer one is refused before any call, with the exact limit.
    type: str
  instance_billing_cycle:
    description:
      - The billing cycle of the copies, passed to CopySnapshot as C(InstanceBillingCycle).
    type: str
    choices: [Hour, Day, Month]
  alicloud_region:
    description:
      - The Alibaba Cloud region whose ENS API endpoint to use. ENS has one endpoint per site, not one per node.
      - Unset, or a region of the China site (V(cn-hangzhou), V(cn-beijing), ...), means C(ens.aliyuncs.com);
        any other region means C(ens.<region>.aliyuncs.com). Accounts of the international site set V(ap-southeast-1).
        This is how Alibaba's own V2 SDK picks the endpoint.
      - If not set, the environment variables E(ALICLOUD_REGION), E(ALICLOUD_REGION_ID) or E(ALIBABA_CLOUD_REGION_ID) are used.
      - Ignored when O(endpoint_url) is set.
    type: str
extends_documentation_fragment:
  - snapcopy.cloud.alicloud
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode is supported and makes no mutating call; diff mode shows which copy each node holds before and after.
  - Needs C(ens:DescribeSnapshots) and C(ens:CopySnapshot).
  - Copies are done when ENS reports C(available); a copy that ends in C(error) while waiting fails the task.
    ENS reports no progress, so RV(snapshots[].progress) is always null.
  - Copies are found by their source link (C(SourceSnapshotId) and C(SourceEnsRegionId)); the marker at the end of the
    description tells the copies this collection made from those made by anyone else.
attributes:
  check_mode:
    support: full
    description: Reports which nodes would get a copy without copying.
  diff_mode:
    support: full
    description: Shows the copy of the source that each node holds before and after.
  platform:
    support: full
    platforms: alicloud
    description: Talks to the ENS API.
'''

EXAMPLES = r'''
- name: Copy a snapshot to two edge nodes, once per node
  snapcopy.cloud.ens_snapshot_copy:
    source_snapshot_id: sp-bp1c0doj0taqyzzlexample
    source_region: cn-hangzhou-26
    destination_regions:
      - cn-beijing-cmcc
      - cn-suzhou-telecom
    name: edge-dr-copy
    description: DR copy of the edge disk
  register: copy

- name: Wait until every copy is available
  snapcopy.cloud.ens_snapshot_copy:
    source_snapshot_id: sp-bp1c0doj0taqyzzlexample
    source_region: cn-hangzhou-26
    destination_regions: [cn-beijing-cmcc, cn-suzhou-telecom]
    wait: true
    wait_timeout: 3600

- name: Show which nodes got no copy when some did
  ansible.builtin.debug:
    msg: "{{ copy.snapshots | selectattr('action', 'equalto', 'not_copied') | map(attribute='region') | list }}"
  when: copy is failed
'''

RETURN = r'''
snapshot_id:
  description:
    - The ID of the copy in the node (made now, or found from an earlier run), under the name community.aws's
      C(ec2_snapshot_copy) returns it; the same as RV(copy_snapshot_id). Null in check mode when a copy would be made.
      Only when O(destination_regions) names one node; see RV(snapshots) for several.
  returned: when O(destination_regions) names one node
  type: str
  sample: sp-5vbexample0copy0000000001
copy_snapshot_id:
  description:
    - The ID of the copy, the same as RV(snapshot_id), under a name that cannot be taken for the source's
      (O(snapshot_id) is an alias of O(source_snapshot_id), the snapshot to copy). Only when O(destination_regions)
      names one node; see RV(snapshots) for several.
  returned: when O(destination_regions) names one node
  type: str
  sample: sp-5vbexample0copy0000000001
snapshots:
  description: One entry per destination node, in the order of O(destination_regions).
  returned: always
  type: list
  elements: dict
  contains:
    region:
      description: The destination node.
      type: str
      sample: cn-beijing-cmcc
    snapshot_id:
      description: The copy's ID; null when no copy exists there (check mode, or the copy could not be made).
      type: str
      sample: sp-5vbexample0copy0000000001
    state:
      description: The copy's state as ENS reports it (C(creating), C(available), C(error)).
      type: str
      sample: creating
    progress:
      description: Always null; ENS reports no progress.
      type: int
    name:
      description: The copy's name, when it has one.
      type: str
      returned: when set
    encrypted:
      description: Null; ENS does not report it for snapshots.
      type: bool
    tags:
      description: The copy's tags, among them C(snapcopy:source) (C(<source node>/<source snapshot id>)).
      type: dict
      sample: {"snapcopy:source": "cn-hangzhou-26/sp-bp1c0doj0taqyzzlexample"}
    action:
      description: >-
        What the task did here: C(copied) (a new copy), C(existing) (a copy was already there),
        C(would_copy) (check mode), C(not_copied) (the copy could not be made; see RV(snapshots[].error)).
      type: str
      sample: copied
    changed:
      description: Whether this node changed (or would change, in check mode).
      type: bool
    mismatch:
      description:
        - Present when a copy of the source found there differs from what the task asks (see O(on_mismatch)).
          C(snapshot_id) is that copy, C(differences) maps each option that differs to what was C(asked) and what was C(found).
        - With O(on_mismatch=fail) the entry has RV(snapshots[].action=not_copied) and an C(error); with V(warn) the copy
          found is the entry's own (RV(snapshots[].action=existing)); with V(new_copy) the entry is the new copy.
      type: dict
      returned: when a copy found differs from what was asked
      sample: {"snapshot_id": "sp-oldcopy000000000000001", "differences": {"name": {"asked": "edge-copy", "found": "edge-copy-old"}}}
    error:
      description: >-
        Why this node got no copy, with C(action), C(code) (the C(BizStatusCode) for a node listed in C(UnAllocationId),
        or the cloud's error code), C(message) and C(request_id); and C(snapshot_id) when the copy was made but its
        tags could not be set.
      type: dict
      returned: when the copy could not be made, or made but not tagged
source_snapshot:
  description: The source snapshot.
  returned: always
  type: dict
  contains:
    id:
      description: Its ID.
      type: str
    region:
      description: Its node.
      type: str
    state:
      description: Its state (C(creating), C(available), C(error)).
      type: str
    volume_id:
      description: The disk it was taken of.
      type: str
    size:
      description: The disk size in GiB.
      type: int
    encrypted:
      description: Null; ENS does not report it.
      type: bool
    progress:
      description: Always null.
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

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.client import ENS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens import EnsCopyAdapter, build_ens_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    copy_module_spec,
    run_copy_module,
)


def main():
    copy_options = {
        'name': {},
        'description': {},
        'instance_billing_cycle': {'choices': ['Hour', 'Day', 'Month']},
    }
    module = AnsibleModule(argument_spec=copy_module_spec(copy_options, ENS_CONNECTION_SPEC), supports_check_mode=True)
    run_copy_module(module, build_ens_request, EnsCopyAdapter)


if __name__ == '__main__':
    main()
