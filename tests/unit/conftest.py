"""Fixtures of the unit tests, for pytest (make units) and ansible-test units alike: the fakecloud
emulator (fakecloud, fakecloud_clean), and the markers the tests use."""
from __future__ import annotations

from ansible_collections.snapcopy.cloud.tests.fakecloud.pytest_plugin import fakecloud, fakecloud_clean  # noqa: F401  # pylint: disable=unused-import

MARKERS = {
    'pinned_sdk': 'holds a file or a request to the exact SDK release of tests/unit/requirements.txt (make units-oldest leaves it out)',
}


def pytest_configure(config):
    # ansible-test units runs pytest with its own configuration and --strict-markers: the markers are declared here.
    for name, text in MARKERS.items():
        config.addinivalue_line('markers', '%s: %s' % (name, text))
