#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_fleet_summary
short_description: Print a DR fleet report's summary in the job's output - one plain line per scope, then the fleet's totals
version_added: 0.2.0
description:
  - Prints the fleet report that the P(snapcopy.cloud.dr_fleet_report#filter) filter makes as plain text, at the default verbosity,
    where a person reads it - a terminal or AWX's job output. C(playbooks/dr_fleet.yml) ends with it.
  - A title (the report's time, which scopes it covers, a plan in check mode), then one line per scope, worst first as the
    report orders them - its status (V(at risk), V(not known), V(would be protected), V(protected), V(nothing to protect);
    a scope whose run failed says so), its name, its disks, the oldest recovery point of each DR region against its RPO, and
    what is at risk (disks without a DR copy, copies older than the RPO or in doubt, failed restore tests, disks no scope
    covers, the problems of a failed run). Then the fleet's totals - its scopes and its disks by status - the failed scopes'
    errors, and O(report_files).
  - At most 100 scopes are listed, worst first; the report files hold every one.
  - An action on the controller - nothing runs on a host, nothing is read from a cloud, nothing changes.
author:
  - snapcopy.cloud developers (@snapcopy)
options:
  report:
    description:
      - The fleet report, as the P(snapcopy.cloud.dr_fleet_report#filter) filter makes it (docs/fleet.md describes its fields).
    type: dict
    required: true
  report_files:
    description:
      - Where the fleet report was written, printed last - one stem with its extensions when the files share it.
    type: dict
    suboptions:
      json:
        description: The JSON file.
        type: str
      markdown:
        description: The Markdown file.
        type: str
      html:
        description: The posture page.
        type: str
seealso:
  - module: snapcopy.cloud.dr_sync
attributes:
  check_mode:
    support: full
    description: Prints the same in check mode, where the report is the fleet's plan.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only.
'''

EXAMPLES = r'''
- name: Show the fleet report
  snapcopy.cloud.dr_fleet_summary:
    report: "{{ dr_fleet_report }}"
    report_files:
      json: /var/lib/dr-reports/dr-fleet-report.json
      markdown: /var/lib/dr-reports/dr-fleet-report.md
      html: /var/lib/dr-reports/dr-fleet-report.html
  run_once: true
  delegate_to: localhost
'''

RETURN = r'''
changed:
  description: Always false - nothing is changed.
  returned: always
  type: bool
msg:
  description: The fleet's totals - its scopes and its disks by status - as the printed summary ends with them.
  returned: always
  type: str
  sample: "Scopes: 2 (1 protected, 1 nothing to protect); Disks: 1 (1 protected); 0 disks without a DR copy"
'''
