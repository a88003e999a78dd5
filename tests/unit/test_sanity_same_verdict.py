"""tests/utils/sanity_same_verdict.py: which sanity tests a core's run skips, as another run gives their verdict.

Each case builds two small ansible_test trees (the files the script compares) that differ in one thing only.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils'))

import sanity_same_verdict  # noqa: E402  # pylint: disable=wrong-import-position

RUNNER = """class SanityCodeSmellTest:
    def __init__(self):
        self.output = self.config.get('output')
        self.extensions = self.config.get('extensions')

    def filter(self, targets):
        return targets
"""
# What 2.21 changed in the runner: a setting read, and the files it leaves out (with a blank line).
RUNNER_2_21 = RUNNER.replace(
    "        self.extensions = self.config.get('extensions')\n",
    "        self.extensions = self.config.get('extensions')\n"
    "        self.exclude_extensions = self.config.get('exclude_extensions')\n",
).replace(
    '        return targets\n',
    '\n        if self.exclude_extensions:\n'
    '            targets = [target for target in targets if target not in self.exclude_extensions]\n'
    '        return targets\n',
)
PEP8_COMMAND = "cmd = ['--max-line-length', '160', '--config', '/dev/null']\n"


def write(root, relative, text):
    path = os.path.join(root, *relative.split('/'))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as stream:
        stream.write(text)


def ansible_test(root, runner=RUNNER, **changes):
    """A tree with the code-smell test line-endings, shellcheck and pep8; ``changes``: {relative path: new text}."""
    files = {
        '_internal/commands/sanity/__init__.py': runner,
        '_util/controller/sanity/code-smell/line-endings.py': 'print("CRLF")\n',
        '_util/controller/sanity/code-smell/line-endings.json': json.dumps({'output': 'path-message'}),
        '_internal/commands/sanity/shellcheck.py': 'shellcheck = 1\n',
        '_util/controller/sanity/shellcheck/exclude.txt': 'SC1090\n',
        '_internal/commands/sanity/pep8.py': PEP8_COMMAND,
        '_util/controller/sanity/pep8/current-ignore.txt': 'E402\nW503\n# a comment\nE701\n',
        '_data/requirements/sanity.pep8.txt': '# pinned\npycodestyle==2.14.0\n',
    }
    files.update({key.replace('__', '/'): value for key, value in changes.items()})
    for relative, text in files.items():
        if text is not None:
            write(str(root), relative, text)
    return str(root)


def test_a_test_the_same_byte_for_byte_is_skipped_by_the_older_core(tmp_path):
    older, newest = ansible_test(tmp_path / 'older'), ansible_test(tmp_path / 'newest')
    assert sanity_same_verdict.same_verdict(older, newest) == ['line-endings', 'pep8', 'shellcheck']


@pytest.mark.parametrize(
    'relative, text, still_skipped',
    [
        ('_util/controller/sanity/code-smell/line-endings.py', 'print("CR")\n', ['pep8', 'shellcheck']),
        ('_util/controller/sanity/code-smell/line-endings.json', '{"output": "path-line"}', ['pep8', 'shellcheck']),
        ('_data/requirements/sanity.line-endings.txt', 'chardet==5\n', ['pep8', 'shellcheck']),
        ('_util/controller/sanity/shellcheck/exclude.txt', 'SC1091\n', ['line-endings', 'pep8']),
        ('_data/requirements/sanity.pep8.txt', 'pycodestyle==2.13.0\n', ['line-endings', 'shellcheck']),
        ('_util/controller/sanity/pep8/current-ignore.txt', 'E402\n', ['line-endings', 'shellcheck']),
    ],
)
def test_a_test_that_differs_in_one_file_runs_with_every_core(tmp_path, relative, text, still_skipped):
    older = ansible_test(tmp_path / 'older', **{relative.replace('/', '__'): text})
    newest = ansible_test(tmp_path / 'newest')
    assert sanity_same_verdict.same_verdict(older, newest) == still_skipped


def test_a_runner_that_differs_elsewhere_skips_nothing(tmp_path):
    older = ansible_test(tmp_path / 'older', runner=RUNNER + '        self.files = []\n')
    assert sanity_same_verdict.same_verdict(older, ansible_test(tmp_path / 'newest')) == []


def test_a_setting_the_older_runner_never_reads_counts_only_for_the_tests_that_name_it(tmp_path):
    older = ansible_test(tmp_path / 'older')
    newest = ansible_test(tmp_path / 'newest', runner=RUNNER_2_21)
    assert sanity_same_verdict.same_verdict(older, newest) == ['line-endings', 'pep8', 'shellcheck']
    named = json.dumps({'output': 'path-message', 'exclude_extensions': ['.md']})
    older = ansible_test(tmp_path / 'older2', **{'_util__controller__sanity__code-smell__line-endings.json': named})
    newest = ansible_test(
        tmp_path / 'newest2', runner=RUNNER_2_21, **{'_util__controller__sanity__code-smell__line-endings.json': named}
    )
    assert sanity_same_verdict.same_verdict(older, newest) == ['pep8', 'shellcheck']


@pytest.mark.parametrize(
    'version, ignored, implied',
    [
        ('2.14.0', 'E402,W503', True),
        ('2.14.0', 'E402', True),
        # make lint ignores a code the core's pep8 does not: the core's fails a file make lint passes.
        ('2.14.0', 'E402,W503,E741', False),
        ('2.13.0', 'E402,W503', False),
    ],
)
def test_pep8_is_skipped_where_make_lints_implies_it(tmp_path, version, ignored, implied):
    assert sanity_same_verdict.implied_by_lint(version, ignored, ansible_test(tmp_path / 'core')) is implied


def test_the_command_line_prints_the_skips(tmp_path, capsys):
    older, newest = ansible_test(tmp_path / 'older'), ansible_test(tmp_path / 'newest')
    sanity_same_verdict.main(['--lint-pep8', '2.14.0', 'E402', newest])
    assert capsys.readouterr().out == '--skip-test pep8\n'
    sanity_same_verdict.main([older, newest])
    assert capsys.readouterr().out == '--skip-test line-endings --skip-test pep8 --skip-test shellcheck\n'
    sanity_same_verdict.main(['--lint-pep8', '2.13.0', 'E402', older, newest])
    assert capsys.readouterr().out == '--skip-test line-endings --skip-test pep8 --skip-test shellcheck\n'
