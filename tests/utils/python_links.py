"""Put a link to each installed Python 3.9-3.13 in one folder, for ansible-test's multi-version tests.

Why: ansible-test runs compile and import once per Python version that it finds on PATH as
`python3.X`. pyenv's shims answer to every name, even for a version that is not selected,
and then fail at run time, which ansible-test treats as fatal. So the Makefile runs
ansible-test with the shims left off PATH and this folder put first on it, holding only
interpreters that really start.

Usage: python tests/utils/python_links.py DEST_DIR   (prints the versions it linked)
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

VERSIONS = ('3.9', '3.10', '3.11', '3.12', '3.13')


def starts(interpreter, version):
    try:
        result = subprocess.run(
            [interpreter, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.decode().strip() == version


def candidates(version):
    """pyenv's full builds first (a distribution's python may lack venv), then PATH."""
    name = 'python' + version
    pyenv_root = os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv'))
    yield from sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', name)), reverse=True)
    for directory in os.environ.get('PATH', '').split(os.pathsep):
        if directory and 'pyenv/shims' not in directory:
            yield os.path.join(directory, name)


def main(argv):
    if len(argv) != 2:
        raise SystemExit('usage: python_links.py DEST_DIR')
    dest = argv[1]
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    found = []
    for version in VERSIONS:
        interpreter = next(
            (path for path in candidates(version) if os.path.isfile(path) and starts(path, version)), None
        )
        if interpreter:
            os.symlink(os.path.realpath(interpreter), os.path.join(dest, 'python' + version))
            found.append(version)
    print(' '.join(found))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
