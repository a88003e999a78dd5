"""Which unit tests units-oldest runs: those that, together, make the oldest SDK releases and the oldest ansible-core do
all that every unit test importing an SDK or ansible-core makes them do (the Makefile's UNITS_OLDEST_TESTS says why).

What each test makes them do is measured, not guessed: sdk_core_calls/sdk_core_hooks.py writes it down in every process
of a run (the clients the collection's code makes, the requests it sends by SDK, service, operation, the names of the
parameters sent and the outcome; the ansible-core commands, plugins, roles, module_defaults groups, argument spec
validations and functions it drives). This tool:

* ``record``: runs the whole set (UNITS_OLDEST_ALL) with the hooks and stores what each test function makes in
  tests/utils/units_oldest_covers.json (five minutes on two workers); ``--log`` stores a run made by hand instead;
* ``choose``: writes to UNITS_OLDEST_TESTS the cheapest test functions that, with the files run whole
  (UNITS_OLDEST_ALWAYS), make every item of the measure (greedy by new items per second of the tests' durations, from
  a ``--durations=0`` output of the whole set, then each test dropped that the others cover);
* ``check``: after the leg's run with the hooks (make units-oldest), fails if the run no longer makes an item of the
  measure (a chosen test stopped making a request or driving a feature), or made one the measure lacks (the measure
  is stale: record it again, then choose).

    python3 tests/utils/oldest_selection.py record --python /work/main/.venv-oldest/bin/python -- --durations=0
    python3 tests/utils/oldest_selection.py choose --durations <that run's output>
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOOKS = os.path.join(ROOT, 'tests', 'utils', 'sdk_core_calls')
COVERS = os.path.join(ROOT, 'tests', 'utils', 'units_oldest_covers.json')
TESTS = os.path.join(ROOT, 'tests', 'utils', 'units_oldest_tests.txt')
LOG_VARIABLE = 'SNAPCOPY_SDK_CORE_LOG'
OUTSIDE = '(outside a test)'
# A test function's cost besides its durations (pytest's own per test), seconds.
TEST_COST = 0.05


def test_function(test):
    """``path::name`` of pytest's PYTEST_CURRENT_TEST (``path::name[parameters] (call)``): every case of a test function."""
    return test.rsplit(' (', 1)[0].split('[', 1)[0]


def read_log(folder):
    """{test function: {item}} of the records in ``folder`` (sdk_core_hooks.py's <pid>.jsonl files)."""
    covered = collections.defaultdict(set)
    for path in glob.glob(os.path.join(folder, '*.jsonl')):
        with open(path, encoding='utf-8') as stream:
            for line in stream:
                record = json.loads(line)
                covered[test_function(record['test']) if record['test'] else OUTSIDE].add(json.dumps(record['item']))
    return covered


def with_hooks(folder):
    """The environment of a run that records into ``folder``."""
    paths = [HOOKS] + [path for path in os.environ.get('PYTHONPATH', '').split(os.pathsep) if path]
    return dict(os.environ, **{LOG_VARIABLE: folder, 'PYTHONPATH': os.pathsep.join(paths)})


def make_variable(name):
    """The Makefile's variable ``name``, read as test_makefile.py reads it."""
    sys.path.insert(0, os.path.join(ROOT, 'tests', 'unit'))
    from test_makefile import make_variable as read  # pylint: disable=import-outside-toplevel,import-error

    return read(name)


def load_covers():
    """{test function: {item}} of the stored measure."""
    with open(COVERS, encoding='utf-8') as stream:
        stored = json.load(stream)
    items = stored['items']
    return {test: {items[index] for index in indices} for test, indices in stored['tests'].items()}


def always_run():
    """The test files the leg runs whole (the Makefile's UNITS_OLDEST_ALWAYS)."""
    return ['tests/unit/plugins/%s' % path for path in make_variable('UNITS_OLDEST_ALWAYS')]


def record(arguments):
    files = make_variable('UNITS_OLDEST_ALL')
    if arguments.log:
        covered = read_log(arguments.log)
    else:
        with tempfile.TemporaryDirectory() as folder:
            command = [
                arguments.python,
                '-m',
                'pytest',
                '-q',
                '-n',
                *make_variable('UNIT_WORKERS'),
                '-m',
                'not pinned_sdk',
                *files,
                *arguments.pytest,
            ]
            done = subprocess.run(command, cwd=ROOT, env=dict(with_hooks(folder), **leg_environment()), check=False)
            if done.returncode:
                sys.exit('the whole leg failed (%d): nothing stored' % done.returncode)
            covered = read_log(folder)
    outside = covered.pop(OUTSIDE, set())
    if outside:
        print('not counted, made outside any test: %s' % ' '.join(sorted(outside)))
    items = sorted(set().union(*covered.values()))
    index = {item: number for number, item in enumerate(items)}
    stored = {
        'about': 'What each test function of units-oldest makes the oldest SDKs and ansible-core do (tests/utils/'
        "oldest_selection.py record): the Makefile's UNITS_OLDEST.",
        'files': sorted(files),
        'items': items,
        'tests': {test: sorted(index[item] for item in covered[test]) for test in sorted(covered) if covered[test]},
    }
    with open(COVERS, 'w', encoding='utf-8') as stream:
        json.dump(stored, stream, indent=0, separators=(',', ':'))
        stream.write('\n')
    print('%d items from %d test functions of %d files' % (len(items), len(stored['tests']), len(files)))


def leg_environment():
    """The leg's settings (the Makefile's UNITS_OLDEST_SETTINGS), each one the environment gives winning (to measure at
    another budget size, say)."""
    settings = dict(setting.split('=', 1) for setting in make_variable('UNITS_OLDEST_SETTINGS'))
    return {name: os.environ.get(name, value) for name, value in settings.items()}


def durations(path):
    """{test function: seconds} of a ``pytest --durations=0`` output."""
    spent = collections.Counter()
    with open(path, encoding='utf-8') as stream:
        for line in stream:
            match = re.match(r'^([\d.]+)s (?:setup|call|teardown)\s+(\S+)$', line.strip())
            if match:
                spent[test_function(match.group(2))] += float(match.group(1))
    return spent


def choose_tests(covers, cost, given=frozenset()):
    """The cheapest tests (by ``cost``) that, with the items ``given`` covered already, cover all ``covers`` holds:
    greedy by new items per second, then each dropped that the others cover."""
    wanted = set().union(*covers.values())
    chosen, held = [], set(given)
    while not held >= wanted:
        best = max(
            (test for test in covers if covers[test] - held),
            key=lambda test: (len(covers[test] - held) / cost(test), test),
        )
        chosen.append(best)
        held |= covers[best]
    for test in sorted(chosen, key=cost, reverse=True):
        if set(given).union(*(covers[other] for other in chosen if other != test)) >= wanted:
            chosen.remove(test)
    return sorted(chosen)


def choose(arguments):
    covers = load_covers()
    spent = durations(arguments.durations)
    whole = always_run()
    held = set().union(*(items for test, items in covers.items() if test.split('::')[0] in whole))
    rest = {test: items for test, items in covers.items() if test.split('::')[0] not in whole}
    chosen = choose_tests(rest, lambda test: spent.get(test, 0) + TEST_COST, held)
    kept = sum(seconds for test, seconds in spent.items() if test in chosen or test.split('::')[0] in whole)
    print(
        '%d test functions and %d files of %.0f s by the durations, of %.0f'
        % (len(chosen), len(whole), kept, sum(spent.values()))
    )
    with open(TESTS, 'w', encoding='utf-8') as stream:
        stream.write(''.join(test + '\n' for test in chosen))


def check(arguments):
    covers = load_covers()
    wanted = set().union(*covers.values())
    ran = read_log(arguments.log)
    ran.pop(OUTSIDE, None)
    made = set().union(*ran.values()) if ran else set()
    lost = sorted(wanted - made)
    new = sorted(made - wanted)
    for item in lost:
        print('not made any more: %s' % item)
    for item in new:
        print('not in %s (record it again: %s record): %s' % (os.path.relpath(COVERS, ROOT), sys.argv[0], item))
    if lost or new:
        sys.exit(1)
    print(
        'units-oldest: %d test functions made the %d requests and core features of the whole leg'
        % (len(ran), len(wanted))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    recording = commands.add_parser(
        'record', help='run the whole leg with the hooks and store what each test function makes'
    )
    recording.add_argument('--python', default=os.path.join(ROOT, '.venv-oldest', 'bin', 'python'))
    recording.add_argument('--log', help='store the records of a run already made with the hooks, rather than run it')
    recording.add_argument('pytest', nargs='*', help="pytest's own options")
    choosing = commands.add_parser('choose', help='the cheapest test functions that make it all')
    choosing.add_argument('--durations', required=True, help='a --durations=0 output of the whole leg')
    checking = commands.add_parser('check', help="a run's records against the stored map")
    checking.add_argument('--log', required=True, help="the run's SNAPCOPY_SDK_CORE_LOG folder")
    arguments = parser.parse_args()
    {'record': record, 'choose': choose, 'check': check}[arguments.command](arguments)


if __name__ == '__main__':
    main()
