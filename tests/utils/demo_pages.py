"""The end of make demo: where the pages it wrote are, and how to put ansible-playbook on PATH (issue 47).

make demo installs Ansible into .venv and runs it from there, so after it `ansible-playbook` is on no PATH, and the
collection is found only through build/collections: a newcomer who follows the pages needs both said.

Usage: python tests/utils/demo_pages.py BUILD VENV
"""

from __future__ import annotations

import glob
import os
import sys

# What the README and the quickstart tell a reader to type, word for word (tests/unit/test_demo_pages.py holds them to
# it).
ACTIVATE = '. .venv/bin/activate'
COLLECTIONS = 'export ANSIBLE_COLLECTIONS_PATH=$PWD/build/collections'


def pages(build):
    """(what, path) of each page the demo wrote: each scope's DR posture page, then the fleet's."""
    found = [
        ('DR posture of %s' % os.path.basename(path)[len('dr-report-') : -len('.html')].replace('-', ' ', 1), path)
        for path in sorted(glob.glob(os.path.join(build, 'demo-reports', 'dr-report-*.html')))
        if not path.endswith(('.history.html', '.previous.html'))
    ]
    fleet = os.path.join(build, 'fleet-demo', 'reports', 'dr-fleet-report.html')
    if os.path.exists(fleet):
        found.append(('the fleet of playbooks/inventory/fleet.example.yml, every scope', fleet))
    return found


def main(argv):
    build, venv = (os.path.abspath(path) for path in argv)
    found = pages(build)
    print('== make demo is done. Its pages, to open in a browser:')
    width = max((len(what) for what, dummy in found), default=0)
    for what, path in found:
        print('  %s  file://%s' % (what.ljust(width), path))
    if not found:
        print('  (none found in %s: the demo did not get as far as its reports)' % build)
    print('  Each page keeps the runs before it: <page>.history.html beside it.')
    print(
        '== ansible-playbook is in %s, on no PATH yet. In this folder, put it and the collection on yours:'
        % os.path.join(venv, 'bin')
    )
    print('  ' + ACTIVATE)
    print('  ' + COLLECTIONS)
    print(
        '  Then: ansible-doc snapcopy.cloud.dr_sync; your own playbook on the emulators: make emulators (docs/quickstart.md).'
    )
    return 0 if found else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
