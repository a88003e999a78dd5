"""Tests of the user-facing extras: AWX credential types and survey, the execution environment
example, the user guide, and the built HTML site.

They run modules and playbooks in subprocesses, call ansible-builder, and open pages in
Chromium, so they belong to `make docs-test`, which sets SNAPCOPY_DOCS_TESTS=1 (and
SNAPCOPY_DOCSITE to the built site). `make units` collects this folder too and skips it then.
"""
from __future__ import annotations

import os

if not os.environ.get('SNAPCOPY_DOCS_TESTS'):
    collect_ignore_glob = ['test_*.py']  # pylint: disable=invalid-name  # pytest's name
