#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_posture_info
short_description: Read a DR scope's posture from the clouds - each disk's DR copies against the RPO, locks, and what runs left behind
version_added: 0.2.0
description:
  - Reads, for one scope of M(snapcopy.cloud.dr_sync) (the same O(provider), O(source_region), O(dr_regions), O(tag_selector),
    O(dr_account) and connection options), how each disk stands in each DR region now, from the clouds themselves -
    never from a report file or anything a past run wrote down. Works on all four clouds (AWS EBS, Alibaba Cloud ECS and ENS,
    Tencent Cloud CBS).
  - Read-only, as every C(_info) module - it sends no call that changes anything, in check mode or not, and always returns
    C(changed=false).
  - Per disk and DR region - the newest completed DR copy (its id, when it was made, its source snapshot), its recovery point
    (when its source snapshot was taken, as the source region lists that snapshot; null, never guessed, when the snapshot is
    gone) and its age, the copies in flight, the account that owns the copies, the lock where the cloud locks snapshots (AWS, ECS),
    and the standing the DR run's report uses (V(within_rpo), V(over_rpo), V(in_flight), V(no_copy)), by the same code as
    dr_sync's report. A disk stands by the newest of its copies in the region that is complete or in flight (ordered by
    recovery point), as a DR run stands by the copy of the disk's newest snapshot; failed copies and copies being deleted do
    not count.
  - Per DR region, the same counts as dr_sync's RV(posture) (the posture page's), and for the scope a RV(standing) summary and
    a RV(msg) line.
  - What DR runs left that should not be there - source snapshots still shared with the DR account (O(dr_account), AWS and
    ECS) that no copy in flight and no run under way needs, restore-drill test disks past their time, and on Tencent Cloud CBS
    with O(dr_account) the staged copies and bridge disks of DR copies that are complete. The next DR run clears them;
    this module only reports them.
  - A read the cloud refuses of a lock (C(DescribeLockedSnapshots)), the shares, test disks or staged copies is reported in
    RV(problems) with the cloud's code, message and request id, and leaves that part unknown - a copy whose lock could not be
    read has a lock of status V(unknown), never one in force. A refused read of the disks, their snapshots or the DR copies fails
    the task with the cloud's error.
author:
  - snapcopy.cloud developers (@snapcopy)
requirements:
  - The SDK of the chosen provider, as for its single-copy module.
options:
  source_region:
    description:
      - The region (ENS, the node) of the disks and their snapshots.
    type: str
    required: true
  dr_regions:
    description:
      - The DR regions (ENS, nodes), each a name or a dict with C(region) (and the copy options M(snapcopy.cloud.dr_sync) takes,
        checked as it checks them and otherwise unused), exactly as given to M(snapcopy.cloud.dr_sync).
      - Never the source region.
    type: list
    elements: raw
    required: true
  tag_selector:
    description:
      - The tags a disk must carry, all of them, as M(snapcopy.cloud.dr_sync) takes them. A null value matches any value of that key.
      - A value that YAML typed as a boolean or a decimal number is refused, naming the key and how to quote it.
    type: dict
    required: true
  allow_no_disks:
    description:
      - A selector that matches no disk is expected, as M(snapcopy.cloud.dr_sync) takes it - a read of no disk is then
        V(nothing to protect) (neutral) in RV(standing) and RV(protection), not V(not known).
      - By default a read of no disk is V(not known), as a typo in a tag would leave it. Set it as the scope's runs set it
        (the role's C(dr_copy_allow_no_disks), which the fleet's posture-only run passes).
    type: bool
    default: false
    version_added: 0.2.0
  max_snapshot_age_hours:
    description:
      - The recovery point objective (RPO), as M(snapcopy.cloud.dr_sync) takes it. A completed copy whose recovery point is older
        is V(over_rpo); so is one whose recovery point is unknown (its source snapshot is gone), which nothing shows within it.
      - Unset, every completed copy is V(within_rpo).
    type: float
  coverage:
    description:
      - Whether the read lists every disk of O(source_region) to count those O(tag_selector) does not take, as
        M(snapcopy.cloud.dr_sync) does (RV(standing)'s C(not_covered) and C(near_misses), RV(protection)'s C(uncovered)); each near
        miss (tags equal to the selector's but for case or spaces) is also shown as a warning.
      - V(fail) reads as V(report) does, so that a scope's settings serve both modules; a read reports and never fails on what it
        finds. V(off) reads the selector's disks alone.
    type: str
    choices: [report, fail, 'off']
    default: report
  coverage_exempt:
    description:
      - Disks that carry every tag of this selector are left out of the coverage by choice, as M(snapcopy.cloud.dr_sync) takes it.
    type: dict
  consistency_groups:
    description:
      - The disks restored together, grouped as M(snapcopy.cloud.dr_sync) groups them (V(instance), V(tag:<key>) or V(none)). A
        disk of a group stands in a DR region only by its copy of the group's newest set whose every member's copy there is
        completed (the copies' tag C(snapcopy:set)); without such a set, no member is protected there. Each disk has
        C(consistency_group) (its C(name) and C(disks); null for a disk on its own), and each of its regions the C(set_id)
        it stands by. Alibaba Cloud ENS refuses it.
      - AWS - the group's source snapshots are read for sets as M(snapcopy.cloud.dr_sync) reads them - with evidence that
        one C(CreateSnapshots) call made them. Snapshots that share only a start time and a description are no set - the
        disk's C(consistency_group.look_alikes) lists them, each with C(why) (and how to mark a set), and a warning says
        so (C(docs/consistency.md)).
    type: str
    version_added: 0.2.0
  consistency_set_tag:
    description:
      - AWS - the tag key that marks the sets of snapshots your own tooling made, as M(snapcopy.cloud.dr_sync) takes it.
        Give the run's value, so that the read counts the same sets as the run.
      - Refused without O(consistency_groups), and on the other providers, whose snapshot groups name their sets.
    type: str
    version_added: 0.2.0
  dr_account:
    description:
      - The DR account that owns the DR copies, as M(snapcopy.cloud.dr_sync) takes it (AWS, Alibaba Cloud ECS, Tencent Cloud CBS;
        Alibaba Cloud ENS refuses it before any call, with dr_sync's message). The copies are read in the DR account, by assuming
        O(dr_account.role_arn) with the connection's credentials; the same STS checks as dr_sync's are made first (C(GetCallerIdentity),
        reads), and fail the task, naming both accounts, when the role's account is the disks' own.
      - Each suboption left out is read from that cloud's environment variables (C(SNAPCOPY_AWS_DR_*), C(SNAPCOPY_ALICLOUD_DR_*),
        C(SNAPCOPY_TENCENT_DR_*)), as dr_sync reads them. Leave it unset, or give an empty dict, for copies in the disks' account.
    type: dict
    suboptions:
      role_arn:
        description:
          - The role in the DR account that owns the copies.
        type: str
      role_session_name:
        description:
          - The session name of the assumed role.
        type: str
      external_id:
        description:
          - The external id the role's trust policy asks for. Never shown in results or logs.
        type: str
  connect_timeout:
    description:
      - Seconds to wait for the connection to the cloud's endpoint to open.
    type: int
    default: 10
  read_timeout:
    description:
      - Seconds to wait for an answer to one API request. A request without an answer in time is retried, as a throttled one
        is, for up to ten minutes of the read.
      - The alias O(request_timeout) is the name of this option in the Tencent Cloud module of version 0.1.0.
    type: int
    default: 60
    aliases: [request_timeout]
extends_documentation_fragment:
  - snapcopy.cloud.dr_connection
notes:
  - Sends only reads - C(Describe*) and C(List*) calls, and STS C(GetCallerIdentity) (and C(AssumeRole) with a role), in
    check mode and not. The module's tests count every mutating call the emulators receive, and find none.
  - An optional dict option (O(dr_account)) given as an empty string is not set, as if left out, as for M(snapcopy.cloud.dr_sync).
seealso:
  - module: snapcopy.cloud.dr_sync
attributes:
  check_mode:
    support: full
    description: Reads the same in check mode; it never changes anything.
  diff_mode:
    support: none
    description: Nothing changes.
'''

EXAMPLES = r'''
- name: How the disks tagged backup=dr stand in their DR regions, against a 24-hour RPO
  snapcopy.cloud.dr_posture_info:
    provider: aws
    source_region: us-east-1
    dr_regions: [us-west-2, eu-west-1]
    tag_selector:
      backup: dr
    max_snapshot_age_hours: 24
  register: posture

- name: Fail when a disk has no DR copy, or one older than the RPO
  ansible.builtin.assert:
    that:
      - posture.standing.no_copy == 0
      - posture.standing.over_rpo == 0
    fail_msg: "{{ posture.msg }}"

- name: Copies in a DR account, on Tencent Cloud
  snapcopy.cloud.dr_posture_info:
    provider: cbs
    source_region: ap-guangzhou
    dr_regions: [ap-shanghai]
    tag_selector:
      dr: null
    dr_account:
      role_arn: qcs::cam::uin/100012345678:roleName/snapcopy-dr
'''

RETURN = r'''
changed:
  description: Always false - nothing is changed.
  returned: always
  type: bool
msg:
  description: The read in one line - the scope, its disks, how many disk copies stand how, locks, what was left behind, problems.
  returned: always
  type: str
  sample: "DR posture of aws us-east-1 -> us-west-2: 4 disks; disk copies by DR region: 2 within the RPO, 1 older than the RPO,
    1 in flight, 0 without a copy"
provider:
  description: The provider.
  returned: always
  type: str
source_region:
  description: The source region.
  returned: always
  type: str
dr_regions:
  description: The DR regions' names.
  returned: always
  type: list
  elements: str
account:
  description:
    - The account that owns the DR copies - the DR account's id with O(dr_account), else the account of the role the connection
      assumes (as M(snapcopy.cloud.dr_sync) reports RV(snapcopy.cloud.dr_sync#module:account)), else the credentials' own, as STS
      C(GetCallerIdentity) answers (null, with a problem, when STS refuses).
  returned: always
  type: str
  sample: '123456789012'
dr_account:
  description: The DR account's id with O(dr_account); null without.
  returned: always
  type: str
generated_at:
  description: When the clouds were read (UTC); the ages are counted to then.
  returned: always
  type: str
rpo_hours:
  description: O(max_snapshot_age_hours), null when not set.
  returned: always
  type: float
disks:
  description:
    - One entry per disk of the scope - C(disk_id), C(disk_name), C(newest_snapshot) (its newest completed snapshot in the source
      region - C(id), C(created), C(age_hours); null without one) and C(copies), one per DR region.
    - Each of C(copies) has C(region), C(account) (as RV(account)), C(standing) (V(within_rpo), V(over_rpo), V(in_flight),
      V(no_copy); V(planned) never, a read plans nothing), C(recovery_point_age_hours) (of the copy it stands by; null in flight,
      without a copy, or when unknown), C(copy) (the newest completed DR copy - C(id), C(created), C(state), C(age_hours),
      C(source_snapshot_id), C(recovery_point) (when the source snapshot was taken; null when the source region lists it no
      more), C(recovery_point_age_hours); null without one), C(in_flight) (the copies still being made, newest first, each with
      C(id), C(created), C(state), C(source_snapshot_id), C(recovery_point), and its C(lock); on CBS with O(dr_account) a staged
      copy whose DR copy is not made yet has C(staged_for_dr_account=true)) and C(lock) (of C(copy) - C(mode), C(status), the
      cloud's word, C(in_force), C(expires), C(cool_off_ends); C(status=unknown) and C(in_force=null), with the cloud's C(error),
      when the read was refused; null where the cloud has no locks (CBS, ENS) or without a completed copy), and C(points) - the
      newest copy whose blocks a DR run read beside its source's (C(verified_copy_id), C(verified_point), null for none),
      the doubt of the newest copy, read from the verdicts DR runs wrote on the copies (C(doubt) V(differing), V(suspect) or
      V(unmeasured), null when it stands; C(doubt_copy_id); C(suspect) when it is the churn alarm's), and then the last
      known good copy (C(last_known_good), C(last_known_good_point), C(last_known_good_age_hours)), by which the disk then
      stands, at risk (docs/safety.md's rule). C(copy) is that standing copy, never one in doubt but a suspect or
      unmeasured copy with no good one before it.
  returned: always
  type: list
  elements: dict
posture:
  description:
    - Per DR region, as M(snapcopy.cloud.dr_sync)'s RV(snapcopy.cloud.dr_sync#module:posture) and by the same code - how many
      disks stand how (C(planned) is always 0 here), and C(oldest_recovery_point_hours) of the copies the disks stand by;
      C(verified) and C(suspect) count the disks whose newest verified copy is there and those whose copy stands suspect.
  returned: always
  type: dict
  sample:
    rpo_hours: 24
    regions:
      us-west-2: {"within_rpo": 2, "over_rpo": 1, "in_flight": 1, "planned": 0, "no_copy": 0, "oldest_recovery_point_hours": 30.2}
protection:
  description:
    - The read as the scope's protection model, the same as M(snapcopy.cloud.dr_sync)'s
      RV(snapcopy.cloud.dr_sync#module:protection); RV(posture) and RV(standing) are its numbers.
  returned: always
  type: dict
  version_added: 0.2.0
standing:
  description:
    - The scope in counts, of RV(protection) - C(disks), C(without_dr_copy), and over every disk and DR region C(within_rpo),
      C(over_rpo), C(in_flight), C(no_copy); C(status) (V(protected), V(at risk), V(not known), V(nothing to protect) with
      O(allow_no_disks)); C(worst), the worst standing
      found (V(no_copy) for a scope without disks); C(locked) (completed copies whose lock is in force), C(locks_unknown),
      C(leftovers) (what RV(leftovers) marks as left over) and C(problems).
    - C(not_covered) counts the disks of O(source_region) that O(tag_selector) does not take (null with O(coverage=off)), and
      C(near_misses) those of them whose tags equal the selector's but for case or spaces.
  returned: always
  type: dict
  sample: {"disks": 4, "without_dr_copy": 0, "not_covered": 2, "near_misses": 1, "within_rpo": 2, "over_rpo": 1, "in_flight": 1,
           "no_copy": 0, "status": "at risk", "worst": "in_flight", "locked": 3, "locks_unknown": 0, "leftovers": 1, "problems": 0}
leftovers:
  description:
    - What DR runs left behind. C(shares) (O(dr_account), AWS and ECS) - each source snapshot a DR run shared with the DR account,
      with C(snapshot_id), C(region), C(account), its runs' C(leases) (C(run_id), C(until), C(regions), C(live)), C(needed_by)
      (V(copy_in_flight), V(live_lease), or null) and C(leftover) (true when nothing needs it - a killed run's; the next DR run
      removes it).
    - C(test_disks) - restore-drill test disks in the DR regions whose run is over, which the next drill deletes - C(region),
      C(test_disk_id), C(run), C(state), C(created), C(until), C(scope) and C(this_scope).
    - C(dr_account_staging) (CBS with O(dr_account)) - each staged copy (C(kind=staged_copy), C(disk), C(source), C(shared)) and
      bridge disk (C(kind=bridge_disk), C(staged_from), C(staged_copy_exists)), with C(region), C(id), C(state), C(cloud_state),
      C(created), C(dr_copy_id), C(dr_copy_complete) and C(leftover) (its DR copy is complete, or a bridge disk's staged copy is
      gone; the next DR run clears it). One whose DR copy is still being made is in flight, and counts so for its disk.
  returned: always
  type: dict
  sample: {"shares": [], "test_disks": [], "dr_account_staging": []}
problems:
  description:
    - The reads the cloud refused that the read went on without, each with C(region), C(what), C(message) and the cloud's
      C(error) (C(action), C(code), C(message), C(request_id)). Each is also shown as a warning.
  returned: always
  type: list
  elements: dict
api_retries:
  description: Calls retried after throttling or a transient error.
  returned: always
  type: int
error:
  description: The cloud's error that ended the read, with C(action), C(code), C(message) and C(request_id).
  returned: on such an error
  type: dict
'''

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.posture_module import (
    posture_module,
    run_posture_module,
)


def main():
    run_posture_module(posture_module())


if __name__ == '__main__':
    main()
