"""pytest fixtures: one emulator per test session, wiped before each test that asks for it.

Import the fixtures into a conftest.py (tests/unit/conftest.py, tests/fakecloud/tests/conftest.py).
Tests get ``fakecloud`` (the shared process) or ``fakecloud_clean`` (the same process, reset to its
start-up state first).
"""

from __future__ import annotations

import os

import pytest

from .testing import FakeCloudProcess


@pytest.fixture(scope='session')
def fakecloud():
    """The running emulator (``FakeCloudProcess``); ``FAKECLOUD_CONFIG`` names an optional config file."""
    with FakeCloudProcess(config_path=os.environ.get('FAKECLOUD_CONFIG')) as process:
        yield process


@pytest.fixture
def fakecloud_clean(fakecloud):  # pylint: disable=redefined-outer-name  # pytest fixture chaining
    """The session emulator with resources, calls, faults and config reset before the test."""
    fakecloud.admin.reset()
    yield fakecloud
