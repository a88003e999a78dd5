"""The test venvs' cache of compiled zipped code (tests/utils/run_caches/snapcopy_zip_bytecode.py): a module imported
from a zip is compiled once, the next zip with the same source runs the kept code under its own file name, another
source is compiled anew, and "off" keeps nothing."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import zipfile

HOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils', 'run_caches')

# Imports "payload" from the zip named by argv[1] (after the hook, as the venv's .pth does) and prints what it gives
# and the file its failing function names in a traceback.
IMPORTER = '''
import sys, traceback
import snapcopy_zip_bytecode
sys.path.insert(0, sys.argv[1])
import payload
print(payload.VALUE)
try:
    payload.fail()
except RuntimeError:
    print(traceback.extract_tb(sys.exc_info()[2])[-1].filename)
'''


def payload_zip(folder, value):
    os.makedirs(folder)
    path = os.path.join(folder, 'ansible_x_payload.zip')
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('payload.py', 'VALUE = %r\n\ndef fail():\n    raise RuntimeError("from the zip")\n' % value)
    return path


def import_from(path, cache):
    done = subprocess.run(
        [sys.executable, '-c', IMPORTER, path],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=HOOK, SNAPCOPY_ZIP_BYTECODE=cache),
    )
    return done.stdout.splitlines()


def kept(cache):
    return sorted(name for dummy, dummy, names in os.walk(cache) for name in names)


def test_the_same_source_is_compiled_once_and_runs_under_its_own_zips_name(tmp_path):
    cache = str(tmp_path / 'cache')
    first = payload_zip(str(tmp_path / 'run-1'), 'one')
    assert import_from(first, cache) == ['one', os.path.join(first, 'payload.py')]
    (entry,) = kept(cache)
    second = payload_zip(str(tmp_path / 'run-2'), 'one')
    # The kept code, with the second zip's file name in its functions.
    assert import_from(second, cache) == ['one', os.path.join(second, 'payload.py')]
    assert kept(cache) == [entry]
    # The next run takes what is kept rather than compiling: kept code that says so is what runs.
    (path,) = [os.path.join(folder, name) for folder, dummy, names in os.walk(cache) for name in names]
    with open(path, 'wb') as stream:
        marshal.dump(compile('VALUE = "kept"\ndef fail():\n    raise RuntimeError\n', 'elsewhere.py', 'exec'), stream)
    third = payload_zip(str(tmp_path / 'run-kept'), 'one')
    assert import_from(third, cache) == ['kept', os.path.join(third, 'payload.py')]
    # Another source is another entry, never the kept code.
    assert import_from(payload_zip(str(tmp_path / 'run-3'), 'two'), cache)[0] == 'two'
    assert len(kept(cache)) == 2


def test_off_keeps_nothing(tmp_path):
    assert import_from(payload_zip(str(tmp_path / 'run'), 'one'), 'off')[0] == 'one'
    assert not os.path.exists(os.path.join(str(tmp_path), 'off')) and not os.path.exists('off')
