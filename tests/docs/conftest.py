"""Tests of the user-facing extras: AWX credential types and survey, the execution environment
example, the user guide, the role's README and the built HTML site (make docs-test).

They run modules and playbooks in subprocesses, call ansible-builder and open pages in Chromium,
so they live outside tests/unit: ansible-test units and make units do not collect them.
"""

from __future__ import annotations

from ansible_collections.snapcopy.cloud.tests.docs import browser
from ansible_collections.snapcopy.cloud.tests.fakecloud.pytest_plugin import fakecloud, fakecloud_clean  # noqa: F401  # pylint: disable=unused-import


def pytest_sessionfinish():
    """The worker's browsers (tests/docs/browser.py) closed, each ending its own processes."""
    browser.close_all()
