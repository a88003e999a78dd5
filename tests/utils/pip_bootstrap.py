"""Give ansible-test its pip bootstrap script from the package registry alone.

Why: ansible-test builds a virtual environment for each sanity test and Python version and
bootstraps pip into it with a get-pip script downloaded from ci-files.testing.ansible.com.
Our machines reach only the package registries, so that download fails. ansible-test looks
in its cache (~/.ansible/test/cache/get_pip_<version>.py) before downloading, so we put a
script there that does the same job from PyPI: it carries the pip wheel of exactly the
version ansible-test pins (fetched with `pip download`) and runs that pip to install the
requested packages, as get-pip does. Nothing is skipped: ansible-test still creates every
environment and runs every test.

Idempotent: a script that we wrote for the same wheel is left alone.

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

# The script that ansible-test runs as `python <cache>/get_pip_X_Y.py <pip options> <packages>`.
# Like get-pip, it accepts --no-setuptools / --no-wheel, and otherwise adds those packages.
SCRIPT_TEMPLATE = '''#!/usr/bin/env python
{marker}{sha256}
"""pip {version} bootstrap for ansible-test, built from the registry's pip wheel (tests/utils/pip_bootstrap.py)."""
import base64
import os
import sys
import tempfile

WHEEL = {wheel!r}


def main():
    args = sys.argv[1:]
    extras = [name for name, flag in (('setuptools', '--no-setuptools'), ('wheel', '--no-wheel')) if flag not in args]
    args = [arg for arg in args if arg not in ('--no-setuptools', '--no-wheel')] + extras
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = os.path.join(tmp, {wheel_name!r})
        with open(wheel_path, 'wb') as wheel_file:
            wheel_file.write(base64.b64decode(WHEEL))
        sys.path.insert(0, wheel_path)
        from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
        return pip_main(['install', '--upgrade', '--force-reinstall'] + args)


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
            if MARKER in existing.read(4096):
                print('pip_bootstrap: pip %s bootstrap already in place: %s' % (version, cache_path))
                return 0
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = download_wheel(version, tmp)
        with open(wheel_path, 'rb') as wheel_file:
            wheel = wheel_file.read()
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    script = SCRIPT_TEMPLATE.format(
        marker=MARKER,
        sha256=hashlib.sha256(wheel).hexdigest(),
        version=version,
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
