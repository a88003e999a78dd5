# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files the controller writes for dr_sync: the report files (its action) and a fleet's progress board."""

from __future__ import annotations

import os
import re
import tempfile


def write_file(path: str, text: str, mode: int) -> None:
    """``text`` to ``path`` at once (a temporary file in the same folder, then a rename), with ``mode``: a reader never
    sees half a file."""
    folder = os.path.dirname(path) or '.'
    handle, temporary = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', dir=folder)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def file_name_part(text: str) -> str:
    """``text`` with each character but letters, digits, ``_``, ``.`` and ``-`` made ``_``: a name that stays one file
    in its folder (no ``/``), whatever a scope or a task calls it."""
    return re.sub(r'[^A-Za-z0-9_.-]', '_', text)


def report_paths(report_dir: str, report_name: str, check_mode: bool = False) -> dict[str, str]:
    """The report files: ``report_dir`` with ``~`` expanded, ``report_name`` with only file-name characters. A check run
    writes a plan (dr-plan-<name>), never the scope's own report and page."""
    folder = os.path.expanduser(report_dir)
    name = file_name_part(report_name)
    what = 'plan' if check_mode else 'report'
    return {
        'json': '%s/dr-%s-%s.json' % (folder, what, name),
        'markdown': '%s/dr-%s-%s.md' % (folder, what, name),
        'html': '%s/dr-%s-%s.html' % (folder, what, name),
    }


def current_umask() -> int:
    """The process's umask (read by setting it, then putting it back)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def file_mode() -> int:
    """The mode of the report files: what the umask gives (0644 with 022)."""
    return 0o666 & ~current_umask()
