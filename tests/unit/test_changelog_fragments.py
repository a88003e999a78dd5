"""The changelog is for the collection's users: the sections of its fragments that users read (all but ``trivial``) say
what a user sees, never how the collection is tested. What changes in the test tooling (the emulators, the legs of make
test, chaos, bench, mutation, lint) is kept in docs/contributing.md's "The test tooling, by date"."""

from __future__ import annotations

import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAGMENTS = os.path.join(ROOT, 'changelogs', 'fragments')

# Words that name the test tooling, not what a user runs. "test" alone is the restore drill's word (restore tests, test
# disks), so only the kinds of test that are the suite's are named.
TOOLING = re.compile(
    r'''
    \bmake\ (test|chaos|chaos-short|bench|mutation|lint|units[a-z-]*|under-load|integration[a-z-]*|docs-test|awx-test
             |eda-test|release-test|core-[0-9.]+)\b
    | \b(fakecloud|moto|pytest[a-z-]*|hypothesis|ansible-test|mutants?|ruff|mypy|pylint|yamllint|ansible-lint)\b
    | \b(unit|integration|conformance|property|smoke)\ tests?\b
    | \b(a|the)\ tests?\ (holds?|walks?|checks?|pins?)\b
    | \btests/ | \bchaos\ (part|suite)\b
''',
    re.IGNORECASE | re.VERBOSE,
)


def names_test_tooling(entry):
    return bool(TOOLING.search(entry)) or entry.lstrip().lower().startswith(('tests -', 'make '))


def user_entries():
    """(fragment, section, entry) of every section users read."""
    for name in sorted(os.listdir(FRAGMENTS)):
        if not name.endswith(('.yml', '.yaml')):
            continue
        with open(os.path.join(FRAGMENTS, name), encoding='utf-8') as stream:
            fragment = yaml.safe_load(stream) or {}
        for section, entries in fragment.items():
            if section == 'trivial':
                continue
            for entry in entries if isinstance(entries, list) else [entries]:
                yield name, section, entry


def test_no_fragment_tells_users_about_the_test_tooling():
    found = [
        '%s (%s): %s' % (name, section, ' '.join(entry.split())[:120])
        for name, section, entry in user_entries()
        if names_test_tooling(entry)
    ]
    assert found == [], 'test tooling belongs in docs/contributing.md ("The test tooling, by date"):\n' + '\n'.join(
        found
    )


@pytest.mark.parametrize(
    'entry, tooling',
    [
        ('tests - fakecloud is checked against the vendors\' API models.', True),
        ('make test - new leg C(eda-test) runs the rulebook.', True),
        ('dr_sync - a bug (found by C(make chaos)).', True),
        ('dr_sync - refused before any call; a test holds the checks to botocore\'s list.', True),
        ('dr_sync - the restore drill\'s test disks are deleted; a restore test that fails fails the role.', False),
        ('dr_sync - a C(dr_copy_restore_test_timeout) of a minute.', False),
    ],
)
def test_the_check_tells_tooling_from_what_users_see(entry, tooling):
    assert names_test_tooling(entry) is tooling
