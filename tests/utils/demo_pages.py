"""The end of make demo: where the pages it wrote are, and how to put ansible-playbook on PATH (issue 47).

make demo installs Ansible into .venv and runs it from there, so after it `ansible-playbook` is on no PATH, and the
collection is found only through build/collections: a newcomer who follows the pages needs both said.

Usage: python tests/utils/demo_pages.py BUILD VENV
"""

from __future__ import annotations

import glob
import json
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


def _json(path):
    try:
        with open(path, encoding='utf-8') as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return {}


def _regions(report):
    return [region for disk in (report.get('protection') or {}).get('disks') or [] for region in disk['regions']]


def features(build):
    """(feature, the page that shows it, or None) for each feature the demo's pages must show (issue 62), read from the
    reports' JSON beside the pages."""
    reports = os.path.join(build, 'demo-reports')
    aws = os.path.join(reports, 'dr-report-aws-us-east-1')
    ecs = os.path.join(reports, 'dr-report-ecs-cn-hangzhou')
    fleet = os.path.join(build, 'fleet-demo', 'reports', 'dr-fleet-report')
    aws_report, ecs_report, fleet_report = _json(aws + '.json'), _json(ecs + '.json'), _json(fleet + '.json')
    restore = ecs_report.get('restore') or {}
    rows = fleet_report.get('scopes') or []
    found = [
        (
            'a consistency group',
            any((disk.get('consistency_group') or {}).get('set_id') for disk in ecs_report.get('disks') or []),
            ecs,
        ),
        ('a verified copy', any(region.get('verified_copy_id') for region in _regions(aws_report)), aws),
        ('a suspect copy', any(region.get('suspect') for region in _regions(aws_report)), aws),
        (
            'a drill with its own checks',
            (restore.get('validation') or {}).get('state') == 'passed' and bool(restore.get('tests')),
            ecs,
        ),
        ('a DR account', any(row.get('dr_account') for row in rows), fleet),
        ('locks', any((row.get('locks') or {}).get('in_force') for row in rows), fleet),
    ]
    return [(what, path + '.html' if shown else None) for what, shown, path in found]


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
    shown = features(build)
    print('== What they show:')
    for what, page in shown:
        print('  %s  %s' % (what.ljust(28), os.path.basename(page) if page else 'MISSING: on none of the pages'))
    print(
        '== ansible-playbook is in %s, on no PATH yet. In this folder, put it and the collection on yours:'
        % os.path.join(venv, 'bin')
    )
    print('  ' + ACTIVATE)
    print('  ' + COLLECTIONS)
    print(
        '  Then: ansible-doc snapcopy.cloud.dr_sync; your own playbook on the emulators: make emulators (docs/quickstart.md).'
    )
    return 0 if found and all(page for dummy, page in shown) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
