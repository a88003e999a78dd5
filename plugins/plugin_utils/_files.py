# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files the controller writes for dr_sync: the report files (its action) and a fleet's progress board."""

from __future__ import annotations

import os
import tempfile


def write_file(path, text, mode):
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
