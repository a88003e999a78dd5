"""The Makefile keeps its promises: make help lists every target, and make test runs every test leg."""
from __future__ import annotations

import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def makefile_targets():
    """{target: its line} for the rules a person may run (not files, not variables, not patterns)."""
    with open(os.path.join(ROOT, 'Makefile'), encoding='utf-8') as handle:
        return {match.group(1): line for line in handle
                if (match := re.match(r'^([a-z][a-z0-9-]*):(?!=)', line))}


def test_every_target_has_a_line_in_make_help():
    targets = makefile_targets()
    assert {'demo', 'test', 'help', 'mutation'} <= set(targets)
    assert [name for name, line in targets.items() if ' ## ' not in line] == []
    listed = subprocess.run(['make', '--no-print-directory', '-C', ROOT, 'help'], check=True, capture_output=True, text=True).stdout
    assert sorted(line.split()[1] for line in listed.splitlines()) == sorted(targets)


def test_make_test_runs_every_test_leg():
    with open(os.path.join(ROOT, 'Makefile'), encoding='utf-8') as handle:
        text = handle.read()
    recipe = text[text.index('\ntest:'):text.index('\n\n', text.index('\ntest:'))]
    legs = set(re.findall(r'\$\(call timed,([a-z0-9-]+)\)', recipe))
    wanted = {'sanity', 'units', 'units-ansible-test', 'units-oldest', 'integration', 'chaos-short', 'lint', 'docs-test',
              'release-test', 'awx-test', 'galaxy-import', 'sanity-newest', 'units-newest'}
    assert wanted <= legs, wanted - legs
    # make mutation takes about 15 minutes and is run on its own (docs/reliability.md)
    assert 'mutation' not in legs
