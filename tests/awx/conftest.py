"""The fakecloud emulator's fixtures for the AWX job tests."""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.tests.fakecloud.pytest_plugin import fakecloud, fakecloud_clean  # noqa: F401  # pylint: disable=unused-import
