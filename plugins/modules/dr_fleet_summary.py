#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: dr_fleet_summary
short_description: Write a DR fleet report's files and print its summary - one plain line per scope, then the fleet's totals
version_added: 0.2.0
description:
  - With O(report_dir), first writes the fleet report as O(report_name).json, .md (Markdown) and .html (a DR posture page) in that
    folder, on the controller, each file at once (a temporary file, then a rename), and keeps each run's files in
    C(history/<report_name>/) with an index page, C(<report_name>.history.html), newest first, as a scope's reports are kept.
  - Prints the fleet report that the P(snapcopy.cloud.dr_fleet_report#filter) filter makes as plain text, at the default verbosity,
    where a person reads it - a terminal or AWX's job output. C(playbooks/dr_fleet.yml) ends with it.
  - A title (the report's time, which scopes it covers, a plan in check mode), then one line per scope, worst first as the
    report orders them - its status (V(at risk), V(not known), V(would be protected), V(protected), V(nothing to protect);
    a scope whose run failed says so), its name, its disks, the oldest recovery point of each DR region against its RPO, and
    what is at risk (disks without a DR copy, copies older than the RPO or in doubt, failed restore tests, disks no scope
    covers, the problems of a failed run). Then the fleet's totals - its scopes and its disks by status - the failed scopes'
    errors, and O(report_files).
  - At most 100 scopes are listed, worst first; the report files hold every one.
  - An action on the controller - nothing runs on a host, nothing is read from a cloud or changed there. The report's files are the
    job's output, as a scope's are M(snapcopy.cloud.dr_sync)'s, so the task is never V(changed). The folder is made when missing
    (the umask applies); an existing folder keeps its mode. The files take the mode the umask gives, as a scope's do.
author:
  - snapcopy.cloud developers (@snapcopy)
options:
  report:
    description:
      - The fleet report, as the P(snapcopy.cloud.dr_fleet_report#filter) filter makes it (docs/fleet.md describes its fields).
    type: dict
    required: true
  report_dir:
    description:
      - The folder to write the fleet report's files in (V(~) is expanded). Without it, nothing is written and O(report_files)
        says where the files are.
      - C(playbooks/dr_fleet.yml) passes the role's C(dr_copy_report_dir), else E(SNAPCOPY_DR_REPORT_DIR), else V(~/dr-reports).
    type: path
  report_name:
    description:
      - The files' name without extension. C(playbooks/dr_fleet.yml) passes V(dr-fleet-report), V(dr-fleet-plan) in check mode
        (a plan is written in check mode too, never over the report), with a slice's C(--limit) added.
      - Each character but letters, digits, V(_), V(.) and V(-) becomes V(_), as in a scope's report name, so the files stay in
        O(report_dir).
    type: str
    default: dr-fleet-report
  report_history:
    description:
      - How many runs' files to keep in C(history/<report_name>/) beside the newest, listed newest first in
        C(<report_name>.history.html); older ones are deleted. V(0) keeps none. Only with O(report_dir).
    type: int
    default: 30
  report_files:
    description:
      - Where the fleet report was written, printed last - one stem with its extensions when the files share it.
      - Mutually exclusive with O(report_dir), which prints the files it writes.
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
    description: Prints the same in check mode, where the report is the fleet's plan, and writes its files under the plan's name.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only.
'''

EXAMPLES = r'''
- name: Write the fleet report and show it
  snapcopy.cloud.dr_fleet_summary:
    report: "{{ dr_fleet_report }}"
    report_dir: /var/lib/dr-reports
    report_name: dr-fleet-report
    report_history: 30
  run_once: true
  delegate_to: localhost
  register: dr_fleet_written

- name: Show a fleet report written before
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
report_files:
  description: The files written, with O(report_dir).
  returned: when O(report_dir) is set
  type: dict
  contains:
    json:
      description: The JSON file.
      type: str
      sample: /var/lib/dr-reports/dr-fleet-report.json
    markdown:
      description: The Markdown file.
      type: str
      sample: /var/lib/dr-reports/dr-fleet-report.md
    html:
      description: The posture page.
      type: str
      sample: /var/lib/dr-reports/dr-fleet-report.html
    history:
      description: The history's index page, when O(report_history) keeps any.
      type: str
      sample: /var/lib/dr-reports/dr-fleet-report.history.html
msg:
  description: The fleet's totals - its scopes and its disks by status - as the printed summary ends with them.
  returned: always
  type: str
  sample: "Scopes: 2 (1 protected, 1 nothing to protect); Disks: 1 (1 protected); 0 disks without a DR copy"
'''
