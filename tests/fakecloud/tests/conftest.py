"""Fixtures for the emulator's own tests (the shared ones come from its pytest_plugin)."""

from __future__ import annotations

import pytest

# Re-exported so pytest finds them here; pytest_plugins may only be set in a root conftest.
from ansible_collections.snapcopy.cloud.tests.fakecloud.pytest_plugin import fakecloud, fakecloud_clean  # noqa: F401  # pylint: disable=unused-import


@pytest.fixture
def fc(fakecloud_clean):  # noqa: F811  # pylint: disable=redefined-outer-name  # pytest fixture chaining
    """A freshly reset emulator with short, predictable timings (a frozen clock that only advances when told)."""
    fakecloud_clean.admin.configure(
        timings={
            cloud: {'snapshot_seconds': 10, 'copy_seconds': 20, 'disk_seconds': 10} for cloud in ('ecs', 'ens', 'cbs')
        }
    )
    fakecloud_clean.admin.freeze_clock()
    return fakecloud_clean
