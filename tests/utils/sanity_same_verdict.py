"""The sanity tests a core's ansible-test sanity need not run, as another run gives their verdict: run them once.

  python tests/utils/sanity_same_verdict.py [--lint-pep8 PYCODESTYLE_VERSION IGNORED_CODES] ANSIBLE_TEST [NEWEST_ANSIBLE_TEST]

prints ``--skip-test NAME`` for each sanity test that the core whose ansible_test package is the folder ANSIBLE_TEST
need not run:

* with NEWEST_ANSIBLE_TEST (the newest core's package; ANSIBLE_TEST is an older core's), each test that gives the same
  verdict with both, which the newest core's sanity runs (on all the collection). A test gives the same verdict when
  what decides it is the same byte for byte in both: its own code and settings, the tool versions ansible-test pins
  for it (_data/requirements/sanity.NAME.txt), and the sanity runner that picks its files. A test that runs
  ansible-core's own code (pylint's plugins, validate-modules, ansible-doc, import, runtime-metadata's version
  checks), or whose files or pins differ in the least, is not listed: it runs with every core. The runner
  (_internal/commands/sanity/__init__.py) is compared without its blank lines and the lines that read a code-smell
  setting the older runner does not read (2.21 added exclude_extensions): such a setting narrows the files only of a
  test whose settings name it, and such a test is not listed.
* with --lint-pep8, pep8 when make lint's pep8 implies the core's: ansible-test pins the same pycodestyle for it
  (sanity.pep8.txt), ignores every code make lint ignores (current-ignore.txt; make lint may ignore fewer) and allows
  lines of 160 characters as make lint does. make lint checks every Python file of the collection (PEP8_FILES).
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import sys

SANITY = os.path.join('_internal', 'commands', 'sanity')
CONTROLLER = os.path.join('_util', 'controller', 'sanity')
CODE_SMELL = os.path.join(CONTROLLER, 'code-smell')
REQUIREMENTS = os.path.join('_data', 'requirements')
# The tests with code of their own in ansible-test (not code-smell scripts) that run a tool on the files alone, with
# what decides their verdict. shellcheck runs the machine's shellcheck, the same for every core.
TOOL_TESTS = {
    'shellcheck': [os.path.join(SANITY, 'shellcheck.py'), os.path.join(CONTROLLER, 'shellcheck')],
    'pep8': [os.path.join(SANITY, 'pep8.py'), os.path.join(CONTROLLER, 'pep8')],
    'yamllint': [os.path.join(SANITY, 'yamllint.py'), os.path.join(CONTROLLER, 'yamllint')],
}


def read(path):
    with open(path, 'rb') as stream:
        return stream.read()


def same_path(older, newest, relative):
    """Whether ``relative`` is the same in both (a file byte for byte, a folder file for file; absent in both)."""
    first, second = os.path.join(older, relative), os.path.join(newest, relative)
    if not os.path.exists(first) or not os.path.exists(second):
        return not os.path.exists(first) and not os.path.exists(second)
    if os.path.isfile(first) or os.path.isfile(second):
        return os.path.isfile(first) and os.path.isfile(second) and read(first) == read(second)
    return same_folder(first, second)


def same_folder(first, second):
    compared = filecmp.dircmp(first, second, ignore=['__pycache__'])
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    dummy, mismatch, errors = filecmp.cmpfiles(first, second, compared.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_folder(os.path.join(first, name), os.path.join(second, name)) for name in compared.common_dirs)


def runner_lines(root, unknown_settings):
    """The runner's source without its blank lines and the lines that name a setting in ``unknown_settings``."""
    with open(os.path.join(root, SANITY, '__init__.py'), encoding='utf-8') as stream:
        return [line for line in stream if line.strip() and not any(setting in line for setting in unknown_settings)]


def settings_read(root):
    """The code-smell settings the runner of ``root`` reads (self.config.get('NAME'))."""
    with open(os.path.join(root, SANITY, '__init__.py'), encoding='utf-8') as stream:
        return set(re.findall(r"self\.config\.get\('(\w+)'", stream.read()))


def code_smell_settings(root):
    """{test: its settings' keys} of the code-smell tests of ``root``."""
    folder = os.path.join(root, CODE_SMELL)
    settings = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith('.json'):
            with open(os.path.join(folder, name), encoding='utf-8') as stream:
                settings[name[: -len('.json')]] = set(json.load(stream))
    return settings


def same_verdict(older, newest):
    """The names of the sanity tests that give the same verdict with the ansible_test packages ``older`` and
    ``newest``."""
    # The code-smell settings the newest runner reads and the older does not.
    unknown = sorted(settings_read(newest) - settings_read(older))
    newest_settings = code_smell_settings(newest)
    if runner_lines(older, unknown) != runner_lines(newest, unknown):
        return []
    names = []
    for test, keys in newest_settings.items():
        if keys & set(unknown):
            continue
        script = os.path.join(CODE_SMELL, test + '.py')
        if all(
            same_path(older, newest, relative)
            for relative in (
                script,
                os.path.join(CODE_SMELL, test + '.json'),
                os.path.join(CODE_SMELL, test),
                os.path.join(REQUIREMENTS, 'sanity.%s.txt' % test),
                os.path.join(REQUIREMENTS, 'sanity.%s.in' % test),
            )
        ) and os.path.exists(os.path.join(newest, script)):
            names.append(test)
    for test, paths in TOOL_TESTS.items():
        requirements = [os.path.join(REQUIREMENTS, 'sanity.%s.%s' % (test, kind)) for kind in ('txt', 'in')]
        if os.path.exists(os.path.join(newest, paths[0])) and all(
            same_path(older, newest, relative) for relative in paths + requirements
        ):
            names.append(test)
    return sorted(names)


def implied_by_lint(version, ignored, root):
    """Whether make lint's pep8 (pycodestyle ``version``, ignoring the codes ``ignored``, lines of 160) fails every file
    that the pep8 test of the ansible_test package ``root`` fails."""
    with open(os.path.join(root, REQUIREMENTS, 'sanity.pep8.txt'), encoding='utf-8') as stream:
        pins = [line.strip() for line in stream if line.strip() and not line.startswith('#')]
    with open(os.path.join(root, CONTROLLER, 'pep8', 'current-ignore.txt'), encoding='utf-8') as stream:
        current_ignore = {line.strip() for line in stream if line.strip() and not line.startswith('#')}
    with open(os.path.join(root, SANITY, 'pep8.py'), encoding='utf-8') as stream:
        command = stream.read()
    return (
        pins == ['pycodestyle==%s' % version]
        and set(ignored.split(',')) <= current_ignore
        and "'--max-line-length', '160'" in command
    )


def main(argv):
    lint = None
    if argv[:1] == ['--lint-pep8'] and len(argv) >= 3:
        lint, argv = argv[1:3], argv[3:]
    if len(argv) not in (1, 2):
        sys.exit(__doc__)
    names = set(same_verdict(*argv)) if len(argv) == 2 else set()
    if lint and implied_by_lint(*lint, argv[0]):
        names.add('pep8')
    print(' '.join('--skip-test %s' % name for name in sorted(names)))


if __name__ == '__main__':
    main(sys.argv[1:])
