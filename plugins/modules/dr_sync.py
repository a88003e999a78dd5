#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_sync
short_description: Keep DR regions supplied with copies of the newest snapshot of every tagged disk
version_added: 0.1.0
description:
  - The bulk module behind the role C(snapcopy.cloud.dr_copy), for any of the four clouds in one call
    (AWS EBS, Alibaba Cloud ECS and ENS, Tencent Cloud CBS).
  - Finds the disks in O(source_region) that carry every tag of O(tag_selector), picks each disk's newest completed snapshot,
    and makes sure a copy of it exists in each of O(dr_regions), the way the single-copy modules do
    (M(snapcopy.cloud.ebs_snapshot_copy), M(snapcopy.cloud.ecs_snapshot_copy), M(snapcopy.cloud.ens_snapshot_copy),
    M(snapcopy.cloud.cbs_snapshot_copy)). A copy already there, done or in flight, is reported and not made again.
  - With O(max_snapshot_age_hours), a disk whose newest completed snapshot is older than that gets a fresh snapshot first,
    so that the DR copy is never staler than the recovery point objective. With O(wait), the fresh snapshot is waited for and copied;
    without it, the newest completed one is copied now and the fresh one on the next run.
  - With O(prune), DR copies of each disk beyond O(keep_copies) or older than O(max_copy_age_days) are deleted.
    Only copies that this collection made (those with the C(snapcopy:source) tag, or the cloud's link to the source where it keeps no tags)
    and only those of the disks this run looks after; never a disk's newest copy, never a copy in flight, never in check mode.
  - Built for scale. Reads are batched and paged, copies are started with at most O(max_in_flight) in flight per DR region
    (20 on AWS, its limit), and while waiting every copy in flight is read in one batched call per region and round.
  - Returns a report (for each disk the source snapshot, DR copy per region, state, action, age; pruned copies; failures)
    as data and as Markdown.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - The SDK of the chosen provider, as for its single-copy module.
options:
  provider:
    description:
      - The cloud. V(aws) is EBS, V(ecs) Alibaba Cloud ECS, V(ens) Alibaba Cloud ENS edge nodes, V(cbs) Tencent Cloud CBS.
    type: str
    required: true
    choices: [aws, ecs, ens, cbs]
  source_region:
    description:
      - The region (ENS, the node) of the disks and their snapshots.
    type: str
    required: true
  dr_regions:
    description:
      - The DR regions (ENS, nodes), each a name or a dict with C(region) and, where the provider takes them,
        C(encrypted) and C(kms_key_id) for the copies in that region.
    type: list
    elements: raw
    required: true
  tag_selector:
    description:
      - The tags a disk must carry, all of them, to be looked after. A null value matches any value of that key.
    type: dict
    required: true
  name_template:
    description:
      - The name of each copy (ECS, ENS, CBS), a Python format string with C({disk_id}), C({disk_name}), C({source_id}),
        C({source_region}) and C({date}). Each cloud's default when not set (on CBS, a name derived from the source).
    type: str
  description_template:
    description:
      - The description of each copy (AWS, ECS, ENS), with the same placeholders as O(name_template).
    type: str
  snapshot_name_template:
    description:
      - The name of a fresh snapshot (see O(max_snapshot_age_hours)), with C({disk_id}), C({disk_name}) and C({date}).
    type: str
  tags:
    description:
      - Tags to put on each copy (AWS, ECS, CBS), besides C(snapcopy:source) and C(snapcopy:disk) that the module sets.
    type: dict
  encrypted:
    description:
      - Encrypt the copies (AWS, ECS). A DR region's own C(encrypted) wins.
    type: bool
  kms_key_id:
    description:
      - The KMS key of encrypted copies (AWS, ECS). A DR region's own C(kms_key_id) wins.
    type: str
  retention_days:
    description:
      - ECS only. The copies are released by Alibaba Cloud after this many days (1 to 65536).
    type: int
  instance_billing_cycle:
    description:
      - ENS only. The billing cycle of the copies.
    type: str
    choices: [Hour, Day, Month]
  max_snapshot_age_hours:
    description:
      - The recovery point objective. A disk whose newest completed snapshot is older than this gets a fresh snapshot first.
      - A snapshot already being made is used instead of making another.
    type: float
  prune:
    description:
      - Delete old DR copies, by O(keep_copies) and/or O(max_copy_age_days). Off unless asked for.
    type: bool
    default: false
  keep_copies:
    description:
      - With O(prune), how many DR copies of each disk to keep in each DR region (newest first).
    type: int
  max_copy_age_days:
    description:
      - With O(prune), delete DR copies older than this many days (but never a disk's newest).
      - With O(keep_copies) as well, a copy goes when either says so (it is beyond the newest O(keep_copies), or older).
    type: float
  max_in_flight:
    description:
      - At most this many copies in flight per DR region; new copies wait for a free slot.
      - Defaults to the cloud's limit where it has one (20 on AWS) and no limit otherwise.
    type: int
  fail_on_missing:
    description:
      - Fail the task when any disk ended without a DR copy in some DR region, or anything else failed.
      - The role sets it to V(false), writes its report, and fails afterwards.
    type: bool
    default: true
  access_key:
    description:
      - AWS access key ID (provider V(aws)); environment E(AWS_ACCESS_KEY_ID), E(AWS_ACCESS_KEY), E(EC2_ACCESS_KEY).
    type: str
    aliases: [aws_access_key_id, aws_access_key, ec2_access_key]
  secret_key:
    description:
      - The secret key of provider V(aws) (environment E(AWS_SECRET_ACCESS_KEY), E(AWS_SECRET_KEY), E(EC2_SECRET_KEY))
        or of provider V(cbs) (environment E(TENCENTCLOUD_SECRET_KEY)). The environment of the chosen provider only is read.
    type: str
  session_token:
    description:
      - AWS session token (provider V(aws)); environment E(AWS_SESSION_TOKEN), E(AWS_SECURITY_TOKEN), E(EC2_SECURITY_TOKEN).
    type: str
    aliases: [aws_session_token, aws_security_token]
  profile:
    description:
      - AWS profile (provider V(aws)); environment E(AWS_PROFILE), E(AWS_DEFAULT_PROFILE).
    type: str
    aliases: [aws_profile]
  aws_ca_bundle:
    description:
      - CA bundle for AWS endpoints (provider V(aws)); environment E(AWS_CA_BUNDLE).
    type: path
  alicloud_access_key:
    description:
      - Alibaba Cloud access key ID (providers V(ecs), V(ens)); environment E(ALICLOUD_ACCESS_KEY), E(ALICLOUD_ACCESS_KEY_ID),
        E(ALIBABA_CLOUD_ACCESS_KEY_ID).
    type: str
  alicloud_secret_key:
    description:
      - Alibaba Cloud access key secret (providers V(ecs), V(ens)); environment E(ALICLOUD_SECRET_KEY),
        E(ALICLOUD_SECRET_ACCESS_KEY), E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    type: str
  alicloud_security_token:
    description:
      - Alibaba Cloud STS token (providers V(ecs), V(ens)); environment E(ALICLOUD_SECURITY_TOKEN), E(ALIBABA_CLOUD_SECURITY_TOKEN).
    type: str
  alicloud_region:
    description:
      - The Alibaba Cloud region whose ENS API endpoint to use (provider V(ens)). Unset or a China-site region means
        C(ens.aliyuncs.com), any other C(ens.<region>.aliyuncs.com); international accounts set V(ap-southeast-1).
        Environment E(ALICLOUD_REGION), E(ALICLOUD_REGION_ID), E(ALIBABA_CLOUD_REGION_ID).
    type: str
  secret_id:
    description:
      - Tencent Cloud secret ID (provider V(cbs)); environment E(TENCENTCLOUD_SECRET_ID).
    type: str
  security_token:
    description:
      - Tencent Cloud temporary token (provider V(cbs)); environment E(TENCENTCLOUD_SECURITY_TOKEN).
    type: str
  endpoint_url:
    description:
      - The API endpoint to use instead of the cloud's own, for example a private endpoint or a local emulator.
      - For provider V(aws), the environment variables E(AWS_URL) and E(EC2_URL) are read too.
    type: str
  validate_certs:
    description:
      - Verify the endpoint's TLS certificate. Turn it off only for a test endpoint.
    type: bool
    default: true
extends_documentation_fragment:
  - snapcopy.cloud.timeouts
  - snapcopy.cloud.wait
  - snapcopy.cloud.existing_copy
notes:
  - Check mode returns the plan (what would be copied, snapshotted and pruned) and makes no mutating call.
  - Every call of the run uses the same retries and idempotency rules as the single-copy modules.
attributes:
  check_mode:
    support: full
    description: Returns the plan without changing anything.
  diff_mode:
    support: none
    description: The report says per disk what changed.
  platform:
    support: full
    platforms: aws, alicloud, tencentcloud
    description: Talks to the chosen cloud's API.
'''

EXAMPLES = r'''
- name: Keep two DR regions supplied for the disks tagged backup=dr
  snapcopy.cloud.dr_sync:
    provider: aws
    source_region: us-east-1
    dr_regions:
      - us-west-2
      - region: eu-west-1
        encrypted: true
        kms_key_id: alias/dr
    tag_selector:
      backup: dr
    max_snapshot_age_hours: 24
    prune: true
    keep_copies: 7
    wait: true
    wait_timeout: 7200
  register: dr

- name: Show the report
  ansible.builtin.debug:
    msg: "{{ dr.report_markdown.splitlines() }}"

- name: Plan only, on Tencent Cloud
  snapcopy.cloud.dr_sync:
    provider: cbs
    source_region: ap-guangzhou
    dr_regions: [ap-shanghai]
    tag_selector:
      dr: null
  check_mode: true
'''

RETURN = r'''
totals:
  description: Counts over the run.
  returned: always
  type: dict
  sample: {"disks": 3, "copied": 2, "existing": 4, "would_copy": 0, "not_copied": 0, "fresh_snapshots": 0, "pruned": 1, "kept": 6, "without_dr_copy": 0}
disks:
  description: One entry per disk looked after, with C(disk_id), C(disk_name), C(source_snapshot), C(fresh_snapshot),
    C(copies) (one per DR region, as the single-copy modules return them, plus C(age_hours); C(mismatch) when the copy found
    differs from what was asked, see O(on_mismatch)), C(missing_regions), C(pruned), C(kept), C(problems).
  returned: always
  type: list
  elements: dict
failures:
  description: Everything that went wrong, one sentence each, naming the disk.
  returned: always
  type: list
  elements: str
report_markdown:
  description: The report as Markdown (totals, one row per disk and DR region, pruned copies, failures).
  returned: always
  type: str
provider:
  description: The provider.
  returned: always
  type: str
source_region:
  description: The source region.
  returned: always
  type: str
dr_regions:
  description: The DR regions.
  returned: always
  type: list
  elements: str
generated_at:
  description: When the run looked at the snapshots (UTC).
  returned: always
  type: str
check_mode:
  description: Whether this was a plan only.
  returned: always
  type: bool
api_retries:
  description: Calls retried after throttling or a transient error.
  returned: always
  type: int
error:
  description: The cloud's error that ended the run before any report, with C(action), C(code), C(message) and C(request_id).
  returned: on such an error
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.snapcopy.cloud.plugins.module_utils._dr_module import DR_ARGUMENT_SPEC, run_dr_module


def main():
    module = AnsibleModule(argument_spec=DR_ARGUMENT_SPEC, supports_check_mode=True)
    run_dr_module(module)


if __name__ == '__main__':
    main()
