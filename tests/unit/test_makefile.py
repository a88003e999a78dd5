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


def make_variable(name):
    """The value of a variable of the Makefile, as make sees it."""
    return subprocess.run(['make', '--no-print-directory', '-C', ROOT, '--eval', 'print-var: ; @echo $(%s)' % name, 'print-var'],
                          check=True, capture_output=True, text=True).stdout.split()


def test_make_test_runs_every_test_leg():
    with open(os.path.join(ROOT, 'Makefile'), encoding='utf-8') as handle:
        text = handle.read()
    recipe = text[text.index('\ntest:'):text.index('\n\n', text.index('\ntest:'))]
    assert "'$(TEST_LANE_1)' '$(TEST_LANE_2)'" in recipe
    lanes = make_variable('TEST_LANE_1'), make_variable('TEST_LANE_2')
    legs = lanes[0] + lanes[1]
    wanted = {'sanity', 'units', 'units-ansible-test', 'units-oldest', 'integration', 'chaos-short', 'lint', 'docs-test',
              'release-test', 'awx-test', 'galaxy-import'}
    if make_variable('NEWEST_PYTHON'):
        wanted |= {'sanity-newest', 'units-newest'}
    assert wanted <= set(legs), wanted - set(legs)
    assert len(legs) == len(set(legs)), 'a leg in two lanes'
    # make mutation takes about 15 minutes and is run on its own (docs/reliability.md)
    assert 'mutation' not in legs


def test_the_legs_of_one_lane_never_remake_what_the_other_lane_uses():
    """Each leg's prerequisites that the set-up made are named with make -o, so a leg never rebuilds them."""
    made = set(make_variable('TEST_SETUP_MADE'))
    dry_run = subprocess.run(['make', '--no-print-directory', '-C', ROOT, '-n', 'test'], check=True, capture_output=True, text=True).stdout
    flags = dry_run[dry_run.index('--make-flags'):].split("'")[1].split()
    assert flags[0::2] == ['-o'] * len(made) and set(flags[1::2]) == made
    assert {'venv', 'pythons', 'pip-bootstrap', 'collection-link', 'docs-venv'} <= made
