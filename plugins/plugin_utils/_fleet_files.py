# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's files on the controller (playbooks/dr_fleet.yml's last task, dr_fleet_summary's action): the JSON,
the Markdown and the posture page, each written at once, and their history with its index page, kept as a scope's runs
are (_report_history). In Python on the controller, where it took ten module runs of copy, file and find."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._files import file_mode, file_name_part, write_file
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_history import keep_fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import fleet_report_markdown


def fleet_report_paths(report_dir: str, report_name: str) -> dict[str, str]:
    """The fleet report's files: ``report_dir`` with ``~`` expanded / ``report_name`` with only file-name characters, as
    report_paths makes a scope's. The action's ``path`` option has expanded the folder, and its variables, already: a
    variable's value is not expanded twice."""
    stem = os.path.join(os.path.expanduser(report_dir), file_name_part(report_name))
    return {'json': stem + '.json', 'markdown': stem + '.md', 'html': stem + '.html'}


def write_fleet_report(report: Mapping[str, Any], *, report_dir: str, report_name: str, keep: int) -> dict[str, str]:
    """Write ``report`` (the dr_fleet_report filter's) as ``report_name``.{json,md,html} in ``report_dir``, made when
    missing, and keep it in the history (the newest ``keep``; 0: none). Answers the files' paths, with ``history``, the
    index page, when kept. The JSON comes last: a reader that finds it finds the pages it names."""
    paths = fleet_report_paths(report_dir, report_name)
    os.makedirs(os.path.dirname(paths['json']), mode=0o777, exist_ok=True)  # the umask applies, as to a scope's
    mode = file_mode()
    write_file(paths['markdown'], fleet_report_markdown(dict(report)), mode)
    write_file(paths['html'], fleet_report_html(report), mode)
    write_file(paths['json'], json.dumps(report, indent=4, sort_keys=True, separators=(',', ': ')) + '\n', mode)
    index = keep_fleet_report(paths, keep, mode)
    return dict(paths, history=index) if index else paths
