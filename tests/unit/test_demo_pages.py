"""Issue 47: make demo ends by saying where its pages are and how to put ansible-playbook on PATH, and the README and
the quickstart say the same, word for word (tests/utils/demo_pages.py). Before, ansible-playbook was in .venv/bin only
and no page said so, and nothing said where the demo's pages were."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))

import demo_pages  # noqa: E402  # pylint: disable=wrong-import-position


def read(*path):
    with open(os.path.join(ROOT, *path), encoding='utf-8') as handle:
        return handle.read()


def test_the_demo_ends_with_the_paths_of_its_pages_and_how_to_reach_ansible_playbook(tmp_path):
    build = tmp_path / 'build'
    (build / 'demo-reports' / 'history').mkdir(parents=True)
    (build / 'fleet-demo' / 'reports').mkdir(parents=True)
    for name in (
        'dr-report-aws-us-east-1.html',
        'dr-report-aws-us-east-1.history.html',
        'dr-report-aws-us-east-1.previous.html',
        'dr-report-ecs-cn-hangzhou.html',
        'dr-report-ecs-cn-hangzhou.json',
    ):
        (build / 'demo-reports' / name).write_text('x')
    (build / 'fleet-demo' / 'reports' / 'dr-fleet-report.html').write_text('x')
    write_features(build)
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tests', 'utils', 'demo_pages.py'), str(build), str(tmp_path / '.venv')],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    pages = [line.split('file://')[1] for line in lines if 'file://' in line]
    assert pages == [
        str(build / 'demo-reports' / 'dr-report-aws-us-east-1.html'),
        str(build / 'demo-reports' / 'dr-report-ecs-cn-hangzhou.html'),
        str(build / 'fleet-demo' / 'reports' / 'dr-fleet-report.html'),
    ]
    assert 'DR posture of aws us-east-1' in lines[1]
    assert '  ' + demo_pages.ACTIVATE in lines and '  ' + demo_pages.COLLECTIONS in lines
    assert str(tmp_path / '.venv' / 'bin') in done.stdout
    # Without pages, it says so, and fails.
    empty = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tests', 'utils', 'demo_pages.py'), str(tmp_path / 'none'), '.venv'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert empty.returncode == 1 and 'none found' in empty.stdout


# What the demo's reports hold of each feature (issue 62), as the DR runs and the fleet write them.
FEATURES = {
    ('demo-reports', 'dr-report-ecs-cn-hangzhou.json'): {
        'disks': [{'disk_id': 'd-data', 'consistency_group': {'name': 'i-db', 'set_id': 'ssg-1'}}],
        'restore': {'tests': [{'result': 'passed', 'validation': 'passed'}], 'validation': {'state': 'passed'}},
    },
    ('demo-reports', 'dr-report-aws-us-east-1.json'): {
        'protection': {
            'disks': [{'regions': [{'verified_copy_id': 'snap-1', 'suspect': True, 'doubt_copy_id': 'snap-2'}]}]
        }
    },
    ('fleet-demo', 'reports', 'dr-fleet-report.json'): {
        'scopes': [{'scope': 'aws-data-us-east-1', 'dr_account': '999999999999', 'locks': {'in_force': 3}}]
    },
}


def write_features(build, leave_out=()):
    for path, data in FEATURES.items():
        data = json.loads(json.dumps(data))
        for key in leave_out:
            data.pop(key, None)
        build.joinpath(*path).write_text(json.dumps(data))


def test_the_demo_fails_when_its_pages_miss_a_feature(tmp_path):
    """Its pages must show a consistency group, a verified and a suspect copy, a drill with checks, the DR account and
    locks (issue 62): each is read from the report beside its page; one missing is named, and the demo fails."""
    build = tmp_path / 'build'
    (build / 'demo-reports').mkdir(parents=True)
    (build / 'fleet-demo' / 'reports').mkdir(parents=True)
    for path in FEATURES:
        build.joinpath(*path).with_suffix('.html').write_text('x')
    write_features(build)
    assert all(page for dummy, page in demo_pages.features(str(build)))
    write_features(build, leave_out=('restore', 'protection'))
    missing = [what for what, page in demo_pages.features(str(build)) if page is None]
    assert missing == ['a verified copy', 'a suspect copy', 'a drill with its own checks']
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tests', 'utils', 'demo_pages.py'), str(build), str(tmp_path / '.venv')],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and 'a suspect copy' in done.stdout and 'MISSING' in done.stdout, done.stdout


def test_make_demo_prints_them_last():
    script = read('tests', 'utils', 'demo.sh').rstrip().splitlines()
    assert script[-1] == '"$bin/python" tests/utils/demo_pages.py "$build" "$(dirname "$bin")"'
    assert 'demo:' in read('Makefile') and "tests/utils/demo.sh '$(BIN)' '$(BUILD)'" in read('Makefile')


def test_the_readme_and_the_quickstart_say_where_the_pages_are_and_how_to_reach_ansible_playbook():
    for page in (read('README.md'), read('docs', 'quickstart.md')):
        assert demo_pages.ACTIVATE in page and demo_pages.COLLECTIONS in page
        assert (
            'build/demo-reports/dr-report-aws-us-east-1.html' in page
            and 'build/fleet-demo/reports/dr-fleet-report.html' in page
        )


def test_the_readme_says_how_long_a_newcomer_waits_from_git_clone_to_a_green_page():
    """Measured, with the date and the machine: a clone of the branch, make demo as the README says, the fleet page
    opened."""
    assert re.search(
        r'From `git clone` to the fleet\'s page open in a browser, green .* about \d+ minutes( \d+ seconds)?: measured on '
        r'\d{4}-\d\d-\d\d',
        read('README.md'),
        re.S,
    )
