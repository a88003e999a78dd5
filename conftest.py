"""Root conftest: the fakecloud emulator's fixtures (fakecloud, fakecloud_clean) for every test."""
from __future__ import annotations

pytest_plugins = ['fakecloud.pytest_plugin']
