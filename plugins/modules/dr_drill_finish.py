#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_drill_finish
short_description: End a restore drill whose disks were held for your own checks - detach and delete them, and record the checks
version_added: 0.2.0
description:
  - M(snapcopy.cloud.dr_sync) with O(snapcopy.cloud.dr_sync#module:restore_test_host) makes its test disks of that DR region from
    DR copies, attaches them to your instance, and leaves them there for your own checks (mount, fsck, a database's check, the
    checksum of a known file). This module ends that drill - it detaches every test disk of the drill O(run_id) from the instance
    the drill attached it to, deletes it, and returns how your checks went (O(validation)).
  - The C(snapcopy.cloud.dr_copy) role runs it after your tasks (C(dr_copy_restore_test_validate)), whether they passed or failed,
    and its action writes the checks into the run's report files (O(report_dir), O(report_name)) - the drill's C(validation), each
    held test's C(seconds_to_validated) (the time to a usable disk, to attach it, and your checks - the drill's RTO), and a
    failure when the checks failed.
  - Only test disks are touched - disks that carry both marks of the drill's disks and the run's id. A test disk attached to
    another instance than the one the drill attached it to is left there and reported. A drill killed before this module ran
    leaves its disks attached; the first DR run after their time (the tag C(snapcopy:restore-until)) detaches and deletes them.
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
  run_id:
    description:
      - The drill to end - C(restore.run_id) in the result of the M(snapcopy.cloud.dr_sync) run that held the disks.
    type: str
    required: true
  validation:
    description:
      - How your checks went.
    type: dict
    required: true
    suboptions:
      passed:
        description:
          - Whether every check passed.
        type: bool
        required: true
      failed_task:
        description:
          - The name of the check that failed.
        type: str
      reason:
        description:
          - Why it failed, as the check said.
        type: str
      seconds:
        description:
          - How long the checks took.
        type: float
  report_dir:
    description:
      - The folder of the run's report files, as given to M(snapcopy.cloud.dr_sync). With O(report_name), the action writes the
        checks into the report of the run O(run_id) there (a report of another run is left as it is).
    type: path
  report_name:
    description:
      - The run's report name, as given to M(snapcopy.cloud.dr_sync).
    type: str
extends_documentation_fragment:
  - snapcopy.cloud.dr_connection
notes:
  - Sends C(Describe*) calls, then a detach and a delete per test disk. In check mode it only reads, and says what it would
    delete.
seealso:
  - module: snapcopy.cloud.dr_sync
attributes:
  check_mode:
    support: full
    description: Reads the drill's disks and says what it would delete; deletes nothing.
  diff_mode:
    support: none
    description: No diff; RV(test_disks) says what became of each disk.
'''

EXAMPLES = r'''
- name: Hold the drill's disks on the drill host for the checks
  snapcopy.cloud.dr_sync:
    provider: aws
    source_region: eu-west-1
    dr_regions: [eu-central-1]
    tag_selector: {backup: dr}
    restore_test: true
    restore_test_host:
      instance_id: i-0123456789abcdef0
  register: dr

- name: Check the data on the drill host
  block:
    - name: Mount and read a known file
      ansible.builtin.command: /usr/local/bin/check-restored-disks
      delegate_to: drill-host
      changed_when: false
  always:
    - name: Detach and delete the drill's disks, and record the checks
      snapcopy.cloud.dr_drill_finish:
        provider: aws
        source_region: eu-west-1
        dr_regions: [eu-central-1]
        tag_selector: {backup: dr}
        run_id: "{{ dr.restore.run_id }}"
        validation:
          passed: "{{ ansible_failed_task is not defined }}"
'''

RETURN = r'''
account:
  description:
    - The account whose test disks the drill made - the role's, with a role to assume; null when the connection names none.
      With O(dr_account), the disks are in the DR account.
  returned: always
  type: str
run_id:
  description: The drill ended.
  returned: always
  type: str
test_disks:
  description:
    - Each test disk of the drill found, with C(region), C(test_disk_id), C(copy_id) and C(action) - V(deleted),
      V(already_deleted), V(would_delete) (check mode) or V(delete_failed) (with C(error); the next DR run deletes it).
  returned: always
  type: list
  elements: dict
validation:
  description: The checks as the report keeps them - C(state) (V(passed) or V(failed)), C(failed_task), C(message) (O(validation.reason)), C(seconds).
  returned: always
  type: dict
failures:
  description: The test disks that could not be deleted, in words.
  returned: always
  type: list
  elements: str
report_files:
  description: The report files the action wrote the checks into (C(json), C(markdown), C(html)); null when none was.
  returned: always
  type: dict
restore:
  description: The run's restore drill as the report now holds it, its checks counted (a test whose checks failed is failed).
  returned: when the action wrote the checks into the report files
  type: dict
protection:
  description:
    - The run's model of protection as the report now holds it, the checks' failure counted (its C(status) is then
      V(at risk)). The dr_copy role keeps it in its result, which its stats summarise.
  returned: when the action wrote the checks into the report files
  type: dict
api_retries:
  description: Calls retried after throttling or a transient error.
  returned: always
  type: int
error:
  description: The cloud's error that ended the task, with C(action), C(code), C(message) and C(request_id).
  returned: on such an error
  type: dict
'''

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.drill_finish_module import (
    finish_module,
    run_finish_module,
)


def main():
    run_finish_module(finish_module())


if __name__ == '__main__':
    main()
