"""Print a Python 3.11+ that another user can run, for the execution environment of tests/awx.

Why: tests/awx runs ansible-runner the way an execution environment does, as a user that is not
root. When the tests run as root, that user is a throwaway one, and it must be able to start the
venv's Python: a venv links to the Python it was made from, and pyenv's live under /root, which
no other user may enter. So .venv-awx is made from the first interpreter that any user can run:
this one, a python3.1X on PATH (without pyenv's shims), or the system's /usr/bin/python3.
Not root: this Python, which the tests' own user can run.

Usage: python tests/utils/job_user_python.py   (prints the interpreter's path; exit 1 if none)
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

MINIMUM = (3, 11)  # ansible-core 2.18, the oldest the collection supports


def others_can_run(path):
    """The file and every folder above it are open to users other than the owner and group."""
    path = os.path.realpath(path)
    if not os.stat(path).st_mode & stat.S_IXOTH:
        return False
    folder = os.path.dirname(path)
    while True:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
        if folder == os.path.dirname(folder):
            return True
        folder = os.path.dirname(folder)


def describe(interpreter):
    """(version, prefix of its standard library) of an interpreter that starts, else None."""
    try:
        done = subprocess.run(
            [interpreter, '-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2]); print(sys.base_prefix)'],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    version, prefix = done.stdout.split()
    return tuple(int(part) for part in version.split('.')), prefix


def candidates():
    yield sys.executable
    for directory in os.environ.get('PATH', '').split(os.pathsep):
        if directory and 'pyenv' not in directory:
            for minor in (13, 12, 11):
                yield os.path.join(directory, 'python3.%d' % minor)
    yield '/usr/bin/python3'


def main():
    for interpreter in candidates():
        if not os.path.exists(interpreter):
            continue
        found = describe(interpreter)
        if not found or found[0] < MINIMUM:
            continue
        if os.geteuid() != 0 or (others_can_run(interpreter) and others_can_run(os.path.join(found[1], 'lib'))):
            print(os.path.realpath(interpreter))
            return 0
    sys.stderr.write(
        'job_user_python: no Python %d.%d or newer that a user other than root can run; install one outside '
        '/root (on Debian: apt-get install python3 python3-venv)\n' % MINIMUM
    )
    return 1


if __name__ == '__main__':
    sys.exit(main())
