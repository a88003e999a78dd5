"""tests/utils/check_tarball.sh (make release, make release-test) refuses a tarball that lacks the LICENSE, holds
another text under that name, or carries a cache; it passes one that has what an upload needs."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, 'tests', 'utils', 'check_tarball.sh')
NEEDED = (
    'MANIFEST.json',
    'FILES.json',
    'meta/runtime.yml',
    'meta/execution-environment.yml',
    'CHANGELOG.rst',
    'playbooks/demo.yml',
    'playbooks/dr_copy.yml',
    'playbooks/dr_alert.yml',
    'playbooks/dr_fleet.yml',
    'playbooks/inventory/fleet.example.yml',
    'plugins/filter/dr_fleet.py',
    'roles/dr_copy/meta/argument_specs.yml',
    'roles/dr_copy/README.md',
    'plugins/modules/dr_sync.py',
    'docs/README.md',
    'docs/awx/execution-environment.yml',
    'playbooks/dr_on_snapshot.yml',
    'meta/extensions.yml',
    'extensions/eda/plugins/event_source/snapshots.py',
    'extensions/eda/rulebooks/dr_on_snapshot.yml',
)


def license_text():
    with open(os.path.join(ROOT, 'LICENSE'), 'rb') as handle:
        return handle.read()


def tarball(path, files):
    with tarfile.open(path, 'w:gz') as archive:
        for name, data in files.items():
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))
    return str(path)


def check(path):
    return subprocess.run(['bash', CHECK, path], capture_output=True, text=True, check=False)


def test_the_repository_license_is_the_gpl_galaxy_yml_names():
    text = license_text().decode()
    assert text.lstrip().startswith('GNU GENERAL PUBLIC LICENSE') and 'Version 3, 29 June 2007' in text


def test_a_tarball_with_what_an_upload_needs_passes(tmp_path):
    done = check(tarball(tmp_path / 'good.tar.gz', {'LICENSE': license_text(), **{name: b'x' for name in NEEDED}}))
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'LICENSE among them' in done.stdout


@pytest.mark.parametrize(
    'files, says',
    [
        ({name: b'x' for name in NEEDED}, 'lacks LICENSE'),
        ({'LICENSE': b'All rights reserved.\n', **{name: b'x' for name in NEEDED}}, 'is not the repository'),
        (
            {
                'LICENSE': None,
                'plugins/module_utils/dr/__pycache__/run.cpython-312.pyc': b'x',
                **{name: b'x' for name in NEEDED},
            },
            'caches or test tools',
        ),
        ({'LICENSE': None, **{name: b'x' for name in NEEDED if name != 'meta/runtime.yml'}}, 'lacks meta/runtime.yml'),
    ],
    ids=['no-license', 'another-text', 'a-cache', 'no-runtime-metadata'],
)
def test_a_tarball_that_is_not_fit_to_upload_is_refused_saying_why(tmp_path, files, says):
    files = {name: license_text() if data is None else data for name, data in files.items()}
    done = check(tarball(tmp_path / 'bad.tar.gz', files))
    assert done.returncode != 0
    assert 'FAIL' in done.stdout and says in done.stdout, done.stdout
