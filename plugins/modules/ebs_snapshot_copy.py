#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ebs_snapshot_copy
short_description: Copy an EBS snapshot to another AWS region, once
version_added: 0.1.0
description:
  - Copies an Amazon EBS snapshot from O(source_region) to O(destination_region) (or to an Outpost or a Local Zone), idempotently.
  - Every copy carries the tag C(snapcopy:source) with the value C(<source region>/<source snapshot id>).
    Before copying, the module looks in the destination for a snapshot of this account with that tag.
    If one is there, pending or completed, it is returned with RV(ignore:changed=false) and nothing is copied.
    A rerun, a rerun after a timeout, and a retry after a lost answer never make a second copy.
  - A copy found in state C(error) is reported and the task fails; it is not replaced silently.
    Delete it (for example with C(amazon.aws.ec2_snapshot) O(ignore:state=absent)) and run the task again to make a new copy.
  - Throttling (C(RequestLimitExceeded), C(Throttling)) and C(ResourceLimitExceeded) (too many copies in flight to one region)
    are retried with jittered exponential backoff within O(wait_timeout).
  - Accepts the option names of C(community.aws.ec2_snapshot_copy), so tasks written for it run unchanged.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
options:
  source_snapshot_id:
    description:
      - The ID of the snapshot to copy, for example V(snap-0123456789abcdef0).
      - Its alias O(snapshot_id) names this same snapshot, the one to copy. The copy's ID comes back as RV(copy_snapshot_id)
        (and as RV(snapshot_id), the name community.aws's C(ec2_snapshot_copy) returns it under).
    type: str
    required: true
    aliases: [snapshot_id]
  source_region:
    description:
      - The region that holds the source snapshot.
    type: str
    required: true
  destination_region:
    description:
      - The region to copy to. CopySnapshot is called there.
      - If neither this nor O(destination_regions) is set, the environment variables E(AWS_REGION), E(AWS_DEFAULT_REGION)
        or E(EC2_REGION) are used.
      - The alias O(region) keeps tasks written for C(community.aws.ec2_snapshot_copy) working.
    type: str
    aliases: [region, aws_region, ec2_region]
  destination_regions:
    description:
      - The regions to copy to, one copy in each, for example V([us-west-2, eu-west-1]); as the CBS and ENS modules take them.
        Give this or O(destination_region), not both. Each region once.
      - With several regions, RV(snapshots) has one entry per region and RV(snapshot_id) is not returned.
      - A copy to an Outpost or a Local Zone names one region.
    type: list
    elements: str
  description:
    description:
      - The description of the copy, at most 255 characters. AWS writes its own when this is not set.
    type: str
  tags:
    description:
      - Tags to put on the copy, besides the C(snapcopy:source) tag that the module sets itself.
      - The alias O(resource_tags) is the name community.aws's C(ec2_snapshot_copy) documents.
    type: dict
    aliases: [resource_tags]
  encrypted:
    description:
      - Encrypt the copy. Copies of encrypted snapshots are always encrypted.
    type: bool
    default: false
  kms_key_id:
    description:
      - The KMS key to encrypt the copy with (ID, alias or ARN). Needs O(encrypted=true).
      - If not set, an encrypted copy uses the account's default EBS key of the destination region.
    type: str
  completion_duration_minutes:
    description:
      - Ask for a time-based copy that completes within this many minutes.
      - A multiple of 15, from 15 to 2880. Not for copies to an Outpost or a Local Zone.
    type: int
  destination_outpost_arn:
    description:
      - Copy to this Outpost instead of a region. The Outpost must belong to the source region,
        so O(source_region) and O(destination_region) must both be that region.
      - The copy must be encrypted (EC2 - "Snapshots copied to an Outpost must be encrypted"), so an unencrypted source
        needs O(encrypted=true), or its destination fails before the copy call, saying so. A source on an Outpost cannot be
        copied.
    type: str
  destination_availability_zone:
    description:
      - Copy to this Local Zone, for example V(us-west-2-lax-1a), instead of the region itself (CopySnapshot's C(DestinationAvailabilityZone)).
      - The Local Zone must belong to the source region, so O(source_region) and O(destination_region) must both be that region
        (AWS copies a snapshot of a region to a Local Zone of that region, and one of a Local Zone to another Local Zone of its zone group).
      - Not with O(destination_outpost_arn) nor O(completion_duration_minutes) (AWS makes no time-based copy to or from a Local Zone).
      - A copy of the source found in the region is used only when it is kept where the task asks (this Local Zone, this
        Outpost, or the region itself when the task names neither); one kept elsewhere differs from the task (see O(on_mismatch)).
      - Works on any botocore the module supports, which is given the module's own description of the EC2 calls it makes.
        With E(AWS_DATA_PATH) set, botocore's own models are used, and those of botocore before 1.40.20 lack the parameter;
        the task then fails before any call, naming that release.
    type: str
    version_added: 0.2.0
extends_documentation_fragment:
  - snapcopy.cloud.aws
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode is supported and makes no mutating call; diff mode shows which copy each destination holds before and after.
  - Needs C(ec2:DescribeSnapshots), C(ec2:CopySnapshot) and C(ec2:CreateTags) in the destination region,
    and C(ec2:DescribeSnapshots) in the source region.
  - An archived source (EBS snapshots archive) "must be restored before it can be used" (EC2), so where a copy is to be
    made the task fails before the copy call, naming C(RestoreSnapshotTier); a copy made before the archiving is still
    found.
attributes:
  check_mode:
    support: full
    description: Reports what would be copied without copying.
  diff_mode:
    support: full
    description: Shows the copy of the source that the destination holds before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the EC2 API.
'''

EXAMPLES = r'''
- name: Copy a snapshot to the DR region, once
  snapcopy.cloud.ebs_snapshot_copy:
    source_snapshot_id: snap-0123456789abcdef0
    source_region: us-east-1
    destination_region: us-west-2
    description: DR copy of the database volume
    tags:
      purpose: dr
  register: copy

- name: Encrypt the copy with a given key and wait until it is complete
  snapcopy.cloud.ebs_snapshot_copy:
    source_snapshot_id: snap-0123456789abcdef0
    source_region: us-east-1
    destination_region: eu-west-1
    encrypted: true
    kms_key_id: alias/dr-snapshots
    wait: true
    wait_timeout: 3600

- name: Copy to a Local Zone of the source region
  snapcopy.cloud.ebs_snapshot_copy:
    source_snapshot_id: snap-0123456789abcdef0
    source_region: us-west-2
    destination_region: us-west-2
    destination_availability_zone: us-west-2-lax-1a

- name: A task written for community.aws.ec2_snapshot_copy runs unchanged
  snapcopy.cloud.ebs_snapshot_copy:
    source_region: eu-central-1
    region: eu-west-1
    source_snapshot_id: snap-0123456789abcdef0
    wait: true
'''

RETURN = r'''
snapshot_id:
  description:
    - The ID of the copy in the destination (made now, or found from an earlier run), under the name community.aws's
      C(ec2_snapshot_copy) returns it; the same as RV(copy_snapshot_id). Null in check mode when a copy would be made.
      Only for one destination region; see RV(snapshots) for several (O(destination_regions)).
  returned: when the task copies to one region
  type: str
  sample: snap-0abcdef1234567890
copy_snapshot_id:
  description:
    - The ID of the copy, the same as RV(snapshot_id), under a name that cannot be taken for the source's
      (O(snapshot_id) is an alias of O(source_snapshot_id), the snapshot to copy). Only for one destination region.
  returned: when the task copies to one region
  type: str
  sample: snap-0abcdef1234567890
snapshots:
  description: One entry per destination.
  returned: always
  type: list
  elements: dict
  contains:
    region:
      description: The destination region.
      type: str
      sample: us-west-2
    snapshot_id:
      description: The copy's ID; null when no copy exists there (check mode, or the copy could not be made).
      type: str
      sample: snap-0abcdef1234567890
    state:
      description: The copy's state as AWS reports it (C(pending), C(completed), C(error)).
      type: str
      sample: pending
    progress:
      description: The copy's progress in percent, when known.
      type: int
      sample: 40
    encrypted:
      description: Whether the copy is encrypted, when known.
      type: bool
    kms_key_id:
      description: The KMS key of an encrypted copy, when AWS reports it.
      type: str
      returned: when known
    storage_tier:
      description:
        - V(archive) for a copy found in EBS's archive tier, from which a restore first brings it back; and the next
          copy of the source's disk to the region is a full one.
      type: str
      returned: when the copy is archived
      sample: archive
    tags:
      description: The copy's tags, including C(snapcopy:source).
      type: dict
      sample: {"snapcopy:source": "us-east-1/snap-0123456789abcdef0", "purpose": "dr"}
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
      sample: {"snapshot_id": "snap-0123456789abcdef0", "differences": {"encrypted": {"asked": true, "found": false}}}
    message:
      description: The cloud's message for a copy in state C(error).
      type: str
      returned: when the copy failed
    error:
      description: The cloud's error for this destination, with C(code), C(message), C(request_id).
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
      description: Its state.
      type: str
    volume_id:
      description: The volume it was taken of.
      type: str
    size:
      description: The volume size in GiB.
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
  sample: {"action": "DescribeSnapshots", "code": "InvalidSnapshot.NotFound", "message": "...", "request_id": "..."}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AWS_CONNECTION_SPEC
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import EbsCopyAdapter, build_ebs_request
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.copy_module import (
    copy_module_spec,
    run_copy_module,
)


def main():
    copy_options = {
        'destination_region': {'aliases': ['region', 'aws_region', 'ec2_region']},
        'description': {},
        'tags': {'type': 'dict', 'aliases': ['resource_tags']},
        'encrypted': {'type': 'bool', 'default': False},
        'kms_key_id': {'no_log': False},
        'completion_duration_minutes': {'type': 'int'},
        'destination_outpost_arn': {},
        'destination_availability_zone': {},
    }
    module = AnsibleModule(argument_spec=copy_module_spec(copy_options, AWS_CONNECTION_SPEC), supports_check_mode=True)
    run_copy_module(module, build_ebs_request, EbsCopyAdapter)


if __name__ == '__main__':
    main()
