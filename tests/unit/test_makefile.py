"""The Makefile keeps its promises: make help lists every target, make test runs every test leg, and the
ansible-core matrix says one thing everywhere: meta/runtime.yml's requires_ansible, the Makefile's CORES and
their legs, the requirements file of each core, and the README's supported versions."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        return handle.read()


def makefile_targets():
    """{target: its line} for the rules a person may run (not files, not variables, not patterns)."""
    with open(os.path.join(ROOT, 'Makefile'), encoding='utf-8') as handle:
        return {match.group(1): line for line in handle if (match := re.match(r'^([a-z][a-z0-9.-]*):(?!=)', line))}


def test_every_target_has_a_line_in_make_help():
    targets = makefile_targets()
    assert {'demo', 'test', 'help', 'mutation'} <= set(targets)
    assert [name for name, line in targets.items() if ' ## ' not in line] == []
    listed = subprocess.run(
        ['make', '--no-print-directory', '-C', ROOT, 'help'], check=True, capture_output=True, text=True
    ).stdout
    assert sorted(line.split()[1] for line in listed.splitlines()) == sorted(targets)


def make_variable(name):
    """The value of a variable of the Makefile, as make sees it."""
    return subprocess.run(
        ['make', '--no-print-directory', '-C', ROOT, '--eval', 'print-var: ; @echo $(%s)' % name, 'print-var'],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()


def test_make_test_runs_every_test_leg():
    text = read('Makefile')
    recipe = text[text.index('\ntest:') : text.index('\n\n', text.index('\ntest:'))]
    assert '--lanes $(TEST_LANES)' in recipe and recipe.rstrip().endswith('$(TEST_LEGS)')
    legs = make_variable('TEST_LEGS')
    wanted = (
        {
            'units',
            'units-ansible-test',
            'units-oldest',
            'chaos-short',
            'lint',
            'docs-test',
            'release-test',
            'awx-test',
            'release',
            'eda-test',
        }
        | {'core-%s' % core for core in make_variable('CORES')}
        | {'integration-%s' % group for group in make_variable('INTEGRATION_GROUPS')}
    )
    assert wanted <= set(legs), wanted - set(legs)
    assert len(legs) == len(set(legs)), 'a leg twice'
    # make mutation takes about 15 minutes and is run on its own (docs/reliability.md)
    assert 'mutation' not in legs


def test_the_legs_of_one_lane_never_remake_what_the_other_lane_uses():
    """Each leg's prerequisites that the set-up made are named with make -o, so a leg never rebuilds them."""
    made = set(make_variable('TEST_SETUP_MADE'))
    dry_run = subprocess.run(
        ['make', '--no-print-directory', '-C', ROOT, '-n', 'test'], check=True, capture_output=True, text=True
    ).stdout
    flags = dry_run[dry_run.index('--make-flags') :].split("'")[1].split()
    assert flags[0::2] == ['-o'] * len(made) and set(flags[1::2]) == made
    assert {'venv', 'pythons', 'pip-bootstrap', 'collection-link', 'docs-venv'} <= made


def cores():
    return make_variable('CORES')


def test_the_oldest_core_is_the_one_requires_ansible_names():
    requires = yaml.safe_load(read('meta/runtime.yml'))['requires_ansible']
    match = re.fullmatch(r'>=(\d+\.\d+)\.0', requires)
    assert match, 'requires_ansible %r: a lower bound only, as the matrix tests from it upwards' % requires
    assert cores()[0] == match.group(1)
    minors = [int(core.split('.')[1]) for core in cores()]
    assert minors == list(range(minors[0], minors[0] + len(minors))), 'a release left out of the matrix: %s' % cores()


def pinned_core(requirements):
    (version,) = re.findall(r'^ansible-core==(\S+)$', read(requirements), re.MULTILINE)
    return version


def test_each_core_has_its_venv_pinned_to_it():
    assert pinned_core('tests/requirements.txt').startswith(cores()[0] + '.')
    for core in cores()[1:]:
        assert pinned_core('tests/requirements-%s.txt' % core).startswith(core + '.')
    # make units-oldest runs the oldest SDK releases with the oldest core
    assert pinned_core('tests/requirements-oldest.txt') == pinned_core('tests/requirements.txt')


def test_each_core_is_a_leg_of_make_test_with_the_python_a_plain_install_picks():
    targets = makefile_targets()
    legs = make_variable('TEST_LEGS')
    python_3_11 = make_variable('PYTHON_3_11_CORES')
    for core in cores():
        assert 'core-%s' % core in targets and 'core-%s' % core in legs
        python = '3.11' if core in python_3_11 else '3.12'
        assert 'ansible-core %s on Python %s' % (core, python) in targets['core-%s' % core]
    # 2.19 is the newest core a Python 3.11 controller can run; 2.20 and 2.21 need 3.12.
    assert python_3_11 == [core for core in cores() if core in ('2.18', '2.19')]
    # sanity and the smoke run in the core legs only: once per core
    assert not {'sanity', 'sanity-newest', 'units-newest', 'smoke'} & set(legs)


def test_the_readme_names_every_core_and_its_python():
    readme = read('README.md')
    section = readme[readme.index('## Supported versions') :]
    section = section[: section.index('\n## ', 1)]
    python_3_11 = make_variable('PYTHON_3_11_CORES')
    rows = dict(re.findall(r'^ *\| (2\.\d+) \| Python (3\.\d+) \|', section, re.MULTILINE))
    assert rows == {core: '3.11' if core in python_3_11 else '3.12' for core in cores()}
    assert 'requires_ansible: \'>=%s.0\'' % cores()[0] in section


def test_the_core_venvs_get_every_sdk_the_modules_run_with_pinned_as_the_unit_tests_pin_it():
    packages = set(make_variable('SDK_PACKAGES'))
    needed = {
        re.split(r'[<>=]', line)[0]
        for line in read('meta/ee-requirements.txt').splitlines()
        if line and not line.startswith('#')
    }
    # boto3 is for the execution environment's users; the modules import botocore alone.
    assert needed - {'boto3'} <= packages
    pinned = dict(re.findall(r'^([A-Za-z0-9_.-]+)==(\S+)$', read('tests/unit/requirements.txt'), re.MULTILINE))
    assert packages <= set(pinned), packages - set(pinned)


def test_every_integration_target_that_runs_is_in_one_group_of_make_test():
    """make test runs the integration targets group by group: a target in no group (or in two) would be
    skipped (or run twice) without a word. Hidden targets are run by the ones that need them; unsupported
    ones (the real account's) never in CI."""
    groups = make_variable('INTEGRATION_GROUPS')
    targets = os.path.join(ROOT, 'tests', 'integration', 'targets')
    membership = {}
    for target in sorted(os.listdir(targets)):
        aliases = read(os.path.join('tests', 'integration', 'targets', target, 'aliases')).split()
        if {'hidden', 'unsupported'} & set(aliases):
            continue
        membership[target] = [alias for alias in aliases if alias.startswith('group/')]
    assert len(membership) >= 15
    assert {target: found for target, found in membership.items() if len(found) != 1} == {}
    assert {found[0] for found in membership.values()} == {'group/%s' % group for group in groups}


def test_contributing_names_every_leg_of_make_test_in_its_table():
    """docs/contributing.md's table of the legs says what each leg of TEST_LEGS does: none is left out."""
    table = [line for line in read('docs/contributing.md').splitlines() if line.startswith('| `')]
    named = {name for line in table for name in re.findall(r'`([a-z0-9.-]+)`', line.split('|')[1])}
    assert set(make_variable('TEST_LEGS')) - named == set()


# What no test that units-oldest leaves out as importing neither an SDK nor ansible-core may import (the SDKs the modules run
# with, moto's and boto3 for the emulated AWS, and ansible-core itself).
SDKS_AND_CORE = (
    'ansible',
    'botocore',
    'boto3',
    'moto',
    'aliyunsdkcore',
    'aliyunsdkecs',
    'aliyunsdkens',
    'tencentcloud',
)
RUNS_AND_NAMES_IMPORTS = '''
import sys, pytest
code = pytest.main(['-q', '-p', 'no:cacheprovider', '-p', 'no:xdist', *sys.argv[2:]])
print('imported: ' + ' '.join(sorted(name for name in sys.argv[1].split(',') if name in sys.modules)))
sys.exit(code)
'''


def test_what_units_oldest_leaves_out_as_neither_sdk_nor_core_imports_neither():
    """units-oldest leaves out the tests of UNITS_NO_SDK_NO_CORE, since no release of an SDK or of ansible-core can change
    their verdict: they run, here, without importing any."""
    paths = ['tests/unit/plugins/%s' % path for path in make_variable('UNITS_NO_SDK_NO_CORE')]
    assert paths and all(os.path.isfile(os.path.join(ROOT, path)) for path in paths)
    done = subprocess.run(
        [sys.executable, '-c', RUNS_AND_NAMES_IMPORTS, ','.join(SDKS_AND_CORE), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.splitlines()[-1].rstrip() == 'imported:', done.stdout[-3000:]


COLLECTION_PACKAGE = 'ansible_collections.snapcopy.cloud.'


def repo_imports(path):
    """The files of this repo (relative to ROOT) that the Python file ``path`` imports through the collection's package,
    and those they import in turn, at any depth (imports inside functions too)."""
    found, seen, todo = set(), set(), [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        with open(os.path.join(ROOT, current), encoding='utf-8') as stream:
            tree = ast.parse(stream.read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + ['%s.%s' % (node.module, alias.name) for alias in node.names]
            for name in names:
                if not name.startswith(COLLECTION_PACKAGE):
                    continue
                relative = name[len(COLLECTION_PACKAGE) :].replace('.', '/')
                for candidate in (relative + '.py', relative + '/__init__.py'):
                    if os.path.isfile(os.path.join(ROOT, candidate)):
                        found.add(candidate)
                        todo.append(candidate)
    return found


def test_what_units_oldest_leaves_out_as_the_emulators_own_tests_runs_none_of_the_collection():
    """units-oldest leaves out UNITS_EMULATORS_ONLY, the tests of the emulators' own layers, because they run none of the
    collection's code: neither they nor what they import reach plugins/."""
    paths = ['tests/unit/plugins/%s' % path for path in make_variable('UNITS_EMULATORS_ONLY')]
    assert paths and all(os.path.isfile(os.path.join(ROOT, path)) for path in paths)
    for path in paths:
        reached = repo_imports(path)
        assert reached and not [name for name in reached if name.startswith('plugins/')], (path, sorted(reached))


def test_make_lints_pep8_checks_every_python_file_that_sanitys_would():
    """The core legs' sanity skips pep8 where make lint's implies it (tests/utils/sanity_same_verdict.py): only while make
    lint checks every Python file of the collection, as ansible-test sanity's pep8 does (git ls-files, in bin/ too)."""
    trees = make_variable('PEP8_FILES')
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    python = [path for path in files if path.endswith('.py') or path.startswith('bin/') or '/bin/' in path]
    assert python
    assert [path for path in python if not any(path.startswith(tree) for tree in trees)] == []


# What each test function of units-oldest makes the oldest SDKs and ansible-core do, measured (tests/utils/oldest_selection.py).
COVERS = 'tests/utils/units_oldest_covers.json'
# The SDKs a test file may use itself, outside the collection's requests.
SDK_PACKAGES = ('botocore', 'boto3', 'aliyunsdkcore', 'aliyunsdkecs', 'aliyunsdkens', 'tencentcloud', 'alibabacloud_')


def top_level_imports_and_tests(path):
    """The top-level packages ``path`` imports, and the names of its test functions."""
    with open(os.path.join(ROOT, path), encoding='utf-8') as stream:
        tree = ast.parse(stream.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith('test')}
    return {name.split('.')[0] for name in imported}, tests


def test_units_oldest_runs_tests_that_make_all_the_whole_leg_makes_the_oldest_releases_do():
    """units-oldest runs the test functions of UNITS_OLDEST_TESTS and the files of UNITS_OLDEST_ALWAYS, not every test file
    that imports an SDK or ansible-core (UNITS_OLDEST_ALL): only while the stored measure names every file of the whole
    leg (a new test file is measured before the leg may leave it out: oldest_selection.py record), each test listed is
    one of those files' test functions, and together they make every request and drive every core feature the whole
    leg's tests do. The leg checks its own run against the same measure (oldest_selection.py check)."""
    with open(os.path.join(ROOT, COVERS), encoding='utf-8') as stream:
        covers = json.load(stream)
    whole = make_variable('UNITS_OLDEST_ALL')
    always = ['tests/unit/plugins/%s' % path for path in make_variable('UNITS_OLDEST_ALWAYS')]
    (listing,) = make_variable('UNITS_OLDEST_TESTS')
    with open(os.path.join(ROOT, listing), encoding='utf-8') as stream:
        listed = stream.read().split()
    assert whole and all(os.path.isfile(os.path.join(ROOT, path)) for path in whole)
    assert covers['files'] == sorted(whole), 'measure it again: python3 tests/utils/oldest_selection.py record'
    assert always and set(always) <= set(whole)
    assert listed and len(set(listed)) == len(listed)
    for test in listed:
        path, name = test.split('::')
        assert path in whole and path not in always and name in top_level_imports_and_tests(path)[1], test
    run = set(listed) | {test for test in covers['tests'] if test.split('::')[0] in always}
    made = set().union(*(covers['tests'][test] for test in run if test in covers['tests']))
    assert [item for index, item in enumerate(covers['items']) if index not in made] == []


def test_units_oldest_runs_whole_each_file_that_uses_an_sdk_itself_and_makes_no_request():
    """A test that uses an SDK's own objects outside a request (its version, its models, its protocol object) proves
    something of the release that the measure of requests does not show: its file is in UNITS_OLDEST_ALWAYS."""
    with open(os.path.join(ROOT, COVERS), encoding='utf-8') as stream:
        covers = json.load(stream)
    always = {'tests/unit/plugins/%s' % path for path in make_variable('UNITS_OLDEST_ALWAYS')}
    measured = {test.split('::')[0] for test in covers['tests']}
    using = [
        path
        for path in covers['files']
        if path not in measured and any(name.startswith(SDK_PACKAGES) for name in top_level_imports_and_tests(path)[0])
    ]
    assert using and set(using) <= always, sorted(set(using) - always)


def plugins_core_imports():
    """{module: {name}} of what plugins/ imports from ansible-core."""
    found = {}
    for folder, _folders, files in os.walk(os.path.join(ROOT, 'plugins')):  # noqa: B007
        for name in files:
            if name.endswith('.py'):
                with open(os.path.join(folder, name), encoding='utf-8') as stream:
                    tree = ast.parse(stream.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        assert not [alias.name for alias in node.names if alias.name.split('.')[0] == 'ansible']
                    elif isinstance(node, ast.ImportFrom) and node.module and node.module.split('.')[0] == 'ansible':
                        found.setdefault(node.module, set()).update(alias.name for alias in node.names)
    return found


def test_the_measure_of_units_oldest_hooks_every_name_the_collection_imports_from_ansible_core():
    """sdk_core_hooks.py records each ansible-core function and class the collection calls, by the names plugins/
    imports: a name imported and not hooked would go unmeasured, and units-oldest could leave out its only test."""
    spec = importlib.util.spec_from_file_location(
        'sdk_core_hooks', os.path.join(ROOT, 'tests', 'utils', 'sdk_core_calls', 'sdk_core_hooks.py')
    )
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    assert {module: set(names) for module, names in hooks.CORE_NAMES.items()} == plugins_core_imports()
