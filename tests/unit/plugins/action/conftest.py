"""dr_sync's action takes a lock per scope on the controller (plugin_utils/_scope_lock.py): in these tests, in a folder
of the test's own, not in the home of the user running them."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._scope_lock import LOCK_DIR_VARIABLE


@pytest.fixture(autouse=True)
def scope_lock_dir(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp('scope-locks')
    monkeypatch.setenv(LOCK_DIR_VARIABLE, str(folder))
    return folder
