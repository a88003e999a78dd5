"""Give ansible-test its pip bootstrap script from the package registry alone.

Why: ansible-test builds a virtual environment for each sanity test and Python version and
bootstraps pip into it with a get-pip script downloaded from ci-files.testing.ansible.com.
Our machines reach only the package registries, so that download fails. ansible-test looks
in its cache (~/.ansible/test/cache/get_pip_<version>.py) before downloading, so we put a
script there that does the same job from PyPI: it carries the pip wheel of exactly the
version ansible-test pins (fetched with `pip download`) and runs that pip to install the
requested packages, as get-pip does. Nothing is skipped: ansible-test still creates every
environment and runs every test.

The script unpacks the wheel once, into a folder beside it, and runs pip from there, where each
Python keeps its compiled code: run from the zip, as get-pip runs it, pip was compiled anew in
every environment (1.3 of the 2.8 CPU seconds a bootstrap took; a fresh machine's make test makes
some fifty of these environments). When all it is asked for is pip itself, it installs the
wheel it carries, without asking the index.

Idempotent: a script that we wrote for the same wheel, in the same layout, is left alone.

Usage: python tests/utils/pip_bootstrap.py   (run with the Python that has ansible-test)
"""

from __future__ import annotations

import base64
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile

MARKER = '# snapcopy local pip bootstrap, wheel sha256 '
# The script's layout: a script of an older layout (pip run from the zip) is written again.
LAYOUT = '# layout 2: pip unpacked beside the script'

# The script that ansible-test runs as `python <cache>/get_pip_X_Y.py <pip options> <packages>`.
# Like get-pip, it accepts --no-setuptools / --no-wheel, and otherwise adds those packages.
SCRIPT_TEMPLATE = '''#!/usr/bin/env python
{marker}{sha256}
{layout}
"""pip {version} bootstrap for ansible-test, built from the registry's pip wheel (tests/utils/pip_bootstrap.py).

pip runs from the wheel unpacked once into a folder beside this script, where each Python keeps its compiled code."""
import base64
import os
import shutil
import sys
import tempfile
import zipfile

WHEEL = {wheel!r}
WHEEL_NAME = {wheel_name!r}
FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_{version_name}_{sha256_start}')


def unpacked():
    """FOLDER, with the wheel in it and pip's code unpacked under code/, made by the first run (made whole aside, then
    renamed into place: a run beside it that loses the race uses the one that won)."""
    if not os.path.isdir(os.path.join(FOLDER, 'code')):
        temporary = tempfile.mkdtemp(prefix='.unpacking-', dir=os.path.dirname(FOLDER))
        try:
            with open(os.path.join(temporary, WHEEL_NAME), 'wb') as wheel_file:
                wheel_file.write(base64.b64decode(WHEEL))
            with zipfile.ZipFile(os.path.join(temporary, WHEEL_NAME)) as wheel:
                # Without its .dist-info, for pip not to take itself for an installed pip that it must replace.
                wheel.extractall(os.path.join(temporary, 'code'), [name for name in wheel.namelist() if '.dist-info/' not in name])
            os.rename(temporary, FOLDER)
        except OSError:
            if not os.path.isdir(os.path.join(FOLDER, 'code')):
                raise
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    return FOLDER


def main():
    args = sys.argv[1:]
    extras = [name for name, flag in (('setuptools', '--no-setuptools'), ('wheel', '--no-wheel')) if flag not in args]
    args = [arg for arg in args if arg not in ('--no-setuptools', '--no-wheel')] + extras
    folder = unpacked()
    sys.dont_write_bytecode = False  # pip's compiled code is kept beside it, for the next environment
    sys.path.insert(0, os.path.join(folder, 'code'))
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    # pip itself, from the wheel in the folder: no index needed. Anything else comes from the index, as with get-pip.
    local = ['--no-index', '--find-links', folder] if all(arg.startswith('-') or arg == 'pip=={version}' for arg in args) else []
    return pip_main(['install', '--upgrade', '--force-reinstall'] + local + args)


if __name__ == '__main__':
    sys.exit(main())
'''


def pinned_pip_version() -> str:
    """The pip version that the installed ansible-test bootstraps into its environments."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    source_path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source_path, encoding='utf-8') as source:
        match = re.search(r"default_packages = dict\(\s*pip='([^']+)'", source.read())
    if not match:
        raise SystemExit('pip_bootstrap: cannot find the pinned pip version in %s' % source_path)
    return match.group(1)


def download_wheel(version: str, directory: str) -> str:
    """Fetch pip's wheel of this version from the package registry."""
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'download',
            '--quiet',
            '--no-deps',
            '--only-binary=:all:',
            '--dest',
            directory,
            'pip==%s' % version,
        ],
        check=True,
    )
    wheels = glob.glob(os.path.join(directory, 'pip-%s-*.whl' % version))
    if len(wheels) != 1:
        raise SystemExit('pip_bootstrap: expected one pip %s wheel, found %s' % (version, wheels))
    return wheels[0]


def main() -> int:
    version = pinned_pip_version()
    cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))
    if os.path.exists(cache_path):
        with open(cache_path, encoding='utf-8') as existing:
            head = existing.read(4096)
            if MARKER in head and LAYOUT in head:
                print('pip_bootstrap: pip %s bootstrap already in place: %s' % (version, cache_path))
                return 0
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = download_wheel(version, tmp)
        with open(wheel_path, 'rb') as wheel_file:
            wheel = wheel_file.read()
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    sha256 = hashlib.sha256(wheel).hexdigest()
    script = SCRIPT_TEMPLATE.format(
        marker=MARKER,
        sha256=sha256,
        layout=LAYOUT,
        version=version,
        version_name=version.replace('.', '_'),
        sha256_start=sha256[:12],
        wheel=base64.b64encode(wheel).decode('ascii'),
        wheel_name=os.path.basename(wheel_path),
    )
    temp_path = cache_path + '.tmp'
    with open(temp_path, 'w', encoding='utf-8') as script_file:
        script_file.write(script)
    os.replace(temp_path, cache_path)
    print('pip_bootstrap: wrote pip %s bootstrap from the registry: %s' % (version, cache_path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
