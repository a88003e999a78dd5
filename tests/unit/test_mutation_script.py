"""make mutation's script (tests/utils/mutation.py): the mutants it makes, and a mutant killed, one surviving,
and the file put back, on a tiny project of its own."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location('snapcopy_mutation', os.path.join(ROOT, 'tests', 'utils', 'mutation.py'))
mutation = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(mutation)

SOURCE = textwrap.dedent('''\
    """A docstring is never mutated: 1 < 2."""
    LIMIT = 20


    def fits(count, limit=LIMIT):
        """Whether one more fits."""
        if count < limit and not count is None:
            print('fits', count * 2)
            return True
        return count == 0 or False
''')


def test_each_kind_of_mutant_is_made_once_where_it_applies_and_nowhere_else():
    changes = [(mutant.line, mutant.operator, mutant.change) for mutant in mutation.mutants_of('m.py', SOURCE)]
    assert changes == [
        (2, 'constant', '20 -> 21'),
        (7, 'comparison', '< -> <='),
        (7, 'boolean', 'and -> or'),
        (7, 'negation', 'condition negated'),
        (7, 'negation', 'not removed'),
        (7, 'comparison', 'is -> is not'),
        (8, 'deleted call', 'call deleted: print'),
        (8, 'arithmetic', '* -> /'),
        (8, 'constant', '2 -> 3'),
        (9, 'constant', 'True -> False'),
        (10, 'comparison', '== -> !='),
        (10, 'boolean', 'or -> and'),
        (10, 'constant', '0 -> 1'),
        (10, 'constant', 'False -> True'),
    ]


def test_only_lines_keeps_the_mutants_of_those_lines_and_no_other():
    every = mutation.mutants_of('m.py', SOURCE)
    line = SOURCE.splitlines()[9].strip()
    kept = mutation.mutants_of('m.py', SOURCE, only_lines={line})
    assert [mutant.key for mutant in kept] == [mutant.key for mutant in every if mutant.source_line == line]
    assert [mutant.change for mutant in kept] == ['== -> !=', 'or -> and', '0 -> 1', 'False -> True']


def test_a_mutant_changes_only_its_own_text():
    mutants = {mutant.change: mutant for mutant in mutation.mutants_of('m.py', SOURCE)}
    changed = mutation.apply(SOURCE, mutants['< -> <=']).splitlines()
    assert [line for line, before in zip(changed, SOURCE.splitlines()) if line != before] == [
        '    if (count <= limit) and not count is None:'
    ]
    assert (
        mutation.apply(SOURCE, mutants['condition negated']).splitlines()[6]
        == '    if not (count < limit and not count is None):'
    )
    assert mutation.apply(SOURCE, mutants['call deleted: print']).splitlines()[7] == '        pass'


def test_the_sample_is_the_same_for_the_same_seed_and_in_the_order_of_the_file():
    mutants = mutation.mutants_of('m.py', SOURCE)
    first = mutation.sample(mutants, 5, 19)
    assert [mutant.key for mutant in first] == [
        mutant.key for mutant in mutation.sample(mutation.mutants_of('m.py', SOURCE), 5, 19)
    ]
    assert first == sorted(first, key=mutants.index) and len(first) == 5
    assert mutation.sample(mutants, None, 19) == mutants


def test_a_mutant_the_tests_notice_is_killed_one_they_miss_survives_and_the_file_is_put_back(tmp_path):
    package = tmp_path / 'plugins' / 'module_utils'
    package.mkdir(parents=True)
    (package / 'm.py').write_text(SOURCE)
    (tmp_path / 'pytest.ini').write_text('[pytest]\npythonpath = plugins/module_utils\n')
    (tmp_path / 'test_m.py').write_text(
        'from m import fits\n\n\ndef test_fits():\n    assert fits(3) and not fits(25)\n'
    )
    mutants = {mutant.change: mutant for mutant in mutation.mutants_of('plugins/module_utils/m.py', SOURCE)}
    stages = [['test_m.py::test_fits']]
    assert mutation.run_mutant(mutants['< -> <='], str(tmp_path), stages, {}).status == 'survived'
    assert (
        mutation.run_mutant(mutants['20 -> 21'], str(tmp_path), stages, {}).status == 'survived'
    )  # fits(25) is False either way
    killed = mutation.run_mutant(mutants['True -> False'], str(tmp_path), stages, {})
    assert killed.status == 'killed' and 'test_fits' in killed.detail
    assert mutation.run_mutant(mutants['0 -> 1'], str(tmp_path), [], {}).detail == 'no unit test runs this line'
    assert (package / 'm.py').read_text() == SOURCE
    figures = mutation.summarize([mutants['< -> <='], killed], ['m.py'])
    assert figures['m.py'] == {
        'killed': 1,
        'survived': 1,
        'timed out': 0,
        'error': 0,
        'equivalent': 0,
        'total': 2,
        'score': 50.0,
    }


def test_a_stage_with_a_slow_test_gets_a_limit_above_that_test_not_the_default():
    # A test that takes 20 s of the baseline would time out at TEST_TIMEOUT in every mutant's run that reaches it, and a
    # mutant the tests miss would count as noticed.
    seconds = {'quick': 0.5, 'slow': 20.0}
    assert mutation.stage_timeout(['quick'], seconds) == mutation.TEST_TIMEOUT
    assert mutation.stage_timeout(['never measured'], seconds) == mutation.TEST_TIMEOUT
    assert mutation.stage_timeout(['quick', 'slow'], seconds) == mutation.SLOW_FACTOR * 20 > 20
    assert mutation.pytest_command(['t.py'], timeout=60)[-3:] == ['-o', 'timeout=60', 't.py']


def test_the_copy_runs_as_plain_pytest_whatever_plugins_and_options_the_surrounding_run_names(tmp_path, monkeypatch):
    # ansible-test units names its own plugins in PYTEST_PLUGINS; they refuse a test file outside the collection.
    monkeypatch.setenv('PYTEST_PLUGINS', 'no_such_plugin_of_the_surrounding_run')
    monkeypatch.setenv('PYTEST_ADDOPTS', '--no-such-option')
    (tmp_path / 'plugins' / 'module_utils').mkdir(parents=True)
    (tmp_path / 'plugins' / 'module_utils' / 'm.py').write_text(SOURCE)
    (tmp_path / 'pytest.ini').write_text('[pytest]\npythonpath = plugins/module_utils\n')
    (tmp_path / 'test_m.py').write_text('from m import fits\n\n\ndef test_fits():\n    assert fits(3)\n')
    mutants = {mutant.change: mutant for mutant in mutation.mutants_of('plugins/module_utils/m.py', SOURCE)}
    survivor = mutation.run_mutant(mutants['20 -> 21'], str(tmp_path), [['test_m.py::test_fits']], {})
    assert (survivor.status, survivor.detail) == ('survived', '')


def test_the_copy_lists_with_git_what_the_trees_git_lists(tmp_path):
    """Unit tests list the collection's files with git ls-files (test_cloud_homes.py, test_makefile.py): in a copy without
    a repository of its own, the baseline run failed, and make mutation stopped before its first mutant."""
    tree = tmp_path / 'tree'
    (tree / 'plugins').mkdir(parents=True)
    (tree / 'plugins' / 'committed.py').write_text('X = 1\n')
    (tree / '.gitignore').write_text('ignored.txt\n')
    subprocess.run(['git', 'init', '-q', str(tree)], check=True)
    subprocess.run(['git', 'add', '-A'], cwd=str(tree), check=True)
    (tree / 'plugins' / 'new.py').write_text('Y = 2\n')  # not committed yet: the working tree is what is mutated
    (tree / 'ignored.txt').write_text('not a file of the collection\n')
    copy = mutation.make_copy(str(tmp_path / 'copy'), root=str(tree))
    listed = subprocess.run(['git', 'ls-files'], cwd=copy, capture_output=True, text=True, check=True).stdout.split()
    assert listed == ['.gitignore', 'plugins/committed.py', 'plugins/new.py']
    assert os.path.islink(os.path.join(copy, 'build', 'collections', 'ansible_collections', 'snapcopy', 'cloud'))


# It makes the mutants of the lines EQUIVALENT names, each compiled as the script compiles it. Making every mutant of their
# files (thousands, each compiled) took 10 to 14 CPU seconds; a mutant's key holds its line as written, so one of another
# line could match no entry, and leaving it uncompiled drops nothing this test proves.
@pytest.mark.timeout(300)
def test_every_mutant_listed_as_equivalent_is_still_made_from_the_code():
    """EQUIVALENT names its mutants by the line as written: a line that was edited (annotated, renamed, moved to
    another file) would leave its entry matching nothing, and a mutant that is no longer equivalent would never be
    run again without a word. Each entry must be a mutant the script makes of today's file."""
    made = set()
    for name in {key[0] for key in mutation.EQUIVALENT}:
        path = os.path.join(ROOT, mutation.source_path(name))  # plugin_utils/ files are below plugins/
        listed = {line for file_name, line, dummy in mutation.EQUIVALENT if file_name == name}
        with open(path, encoding='utf-8') as handle:
            made.update(mutant.key for mutant in mutation.mutants_of(path, handle.read(), only_lines=listed))
    assert sorted(set(mutation.EQUIVALENT) - made) == []


def test_the_files_own_tests_run_against_every_mutant_of_it_first(monkeypatch):
    """Coverage does not see a line run in another process (the inventory's), and may name for it only tests that cannot
    tell (a line also run in-process by another file's test): the file's own tests (OWN_TESTS) run against each of its
    mutants, first; for a line run only at import, the tests that run the file too. A mutant run against no test
    'survives' whatever it breaks."""
    monkeypatch.setitem(mutation.OWN_TESTS, 'core/organization.py', ('test_dr_scopes.py',))
    own = 'tests/unit/plugins/inventory/test_dr_scopes.py::test_units'
    other = 'tests/unit/plugins/module_utils/test_other.py::test_x'
    seconds = {own: 2.0, other: 1.0}
    (mutant,) = [
        mutant
        for mutant in mutation.mutants_of('plugins/module_utils/core/organization.py', 'A = 1\nB = 2\n')
        if mutant.line == 2
    ]
    assert mutation.tests_for(mutant, {}, seconds) == [[own]], 'no line of the file seen run'
    assert mutation.tests_for(mutant, {1: {other}, 2: set()}, seconds) == [[own], [other]], 'run at import'
    assert mutation.tests_for(mutant, {2: {other}}, seconds) == [[own], [other]], 'seen run by another test: both'


@pytest.mark.parametrize(
    'path, name',
    [
        ('plugins/module_utils/dr/run.py', 'dr/run.py'),
        ('/tmp/copy/ansible_collections/snapcopy/cloud/plugins/module_utils/dr/run.py', 'dr/run.py'),
        ('dr/run.py', 'dr/run.py'),
        ('plugins/plugin_utils/_files.py', 'plugin_utils/_files.py'),
        ('/tmp/copy/ansible_collections/snapcopy/cloud/plugins/plugin_utils/_files.py', 'plugin_utils/_files.py'),
        ('plugins/action/dr_sync.py', 'action/dr_sync.py'),
        ('/tmp/copy/ansible_collections/snapcopy/cloud/plugins/inventory/dr_scopes.py', 'inventory/dr_scopes.py'),
        ('filter/dr_fleet.py', 'filter/dr_fleet.py'),
    ],
)
def test_a_file_has_one_name_from_the_tree_from_a_copy_and_as_files_names_it(path, name):
    """A mutant's path (the tree's), coverage's (a copy's) and FILES's name one file alike, or its own tests and its
    lines are not found for it (every controller plugin's mutant 'survived' so, run against no test)."""
    assert mutation.files_name(path) == name
    assert mutation.files_name(mutation.source_path(name)) == name
