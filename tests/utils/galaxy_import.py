"""Run galaxy-importer on the collection tarball, as Galaxy and Automation Hub do on upload.

The importer (tests/requirements-galaxy.txt, in .venv-galaxy: its pins would fight ours) reads
a config file named by GALAXY_IMPORTER_CONFIG. This script writes one that keeps it off
containers and the network, and as strict as Automation Hub:
- RUN_ANSIBLE_TEST = False: that step runs ansible-test sanity in a container (make sanity
  runs it here, on more Python versions);
- OFFLINE_ANSIBLE_LINT = True: ansible-lint installs nothing from Galaxy;
- RUN_ANSIBLE_DOC, RUN_ANSIBLE_LINT, CHECK_CHANGELOG, CHECK_REQUIRED_TAGS = True: the documentation,
  lint, changelog and tag checks of an upload;
- ANSIBLE_LOCAL_TMP, TMP_ROOT_DIR: a temporary folder of this run.

The import fails when the importer fails, or logs an error or a warning (ansible-lint's
findings come as warnings, and Galaxy shows them on the collection's page), or does not find
every role with its README and every module with its documentation.

Usage: .venv-galaxy/bin/python tests/utils/galaxy_import.py TARBALL
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

CONFIG = """[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
LOG_LEVEL_MAIN = INFO
ANSIBLE_LOCAL_TMP = {tmp}/ansible
TMP_ROOT_DIR = {tmp}/import
"""
DONE = 'Importer processing completed successfully'


def problems(output, result, tarball):
    found = [
        line
        for line in output.splitlines()
        if line.startswith(('ERROR:', 'WARNING:', 'CRITICAL:')) or 'No role readme' in line
    ]
    if DONE not in output:
        found.append('the importer did not end with "%s"' % DONE)
    if result is None:
        return found + ['the importer wrote no importer_result.json']
    contents = {(item['content_type'], item['content_name']): item for item in result['docs_blob']['contents']}
    listing = subprocess.run(['tar', 'tzf', tarball], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    roles = {match.group(1) for match in map(re.compile(r'^roles/([^/]+)/').match, listing) if match}
    modules = {
        match.group(1)
        for match in map(re.compile(r'^plugins/modules/(\w+)\.py$').match, listing)
        if match and match.group(1) != '__init__'
    }
    for role in sorted(roles):
        if not (contents.get(('role', role)) or {}).get('readme_html'):
            found.append('role %s: no README in the import' % role)
    for module in sorted(modules):
        if not (contents.get(('module', module)) or {}).get('doc_strings'):
            found.append('module %s: no documentation in the import' % module)
    return found


def main(argv):
    if len(argv) != 2:
        raise SystemExit('usage: galaxy_import.py TARBALL')
    tarball = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory(prefix='galaxy-import-') as tmp:
        for folder in ('ansible', 'import', 'work'):
            os.makedirs(os.path.join(tmp, folder))
        config = os.path.join(tmp, 'galaxy-importer.cfg')
        with open(config, 'w', encoding='utf-8') as stream:
            stream.write(CONFIG.format(tmp=tmp))
        # The venv's bin first: the importer runs ansible-doc and ansible-lint from PATH.
        env = dict(
            os.environ,
            GALAXY_IMPORTER_CONFIG=config,
            HOME=tmp,
            PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '/usr/bin:/bin'),
        )
        env.pop('ANSIBLE_COLLECTIONS_PATH', None)
        done = subprocess.run(
            [sys.executable, '-m', 'galaxy_importer.main', tarball],
            cwd=os.path.join(tmp, 'work'),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        print(done.stdout.rstrip())
        result_path = os.path.join(tmp, 'work', 'importer_result.json')
        result = None
        if os.path.exists(result_path):
            with open(result_path, encoding='utf-8') as stream:
                result = json.load(stream)
        found = problems(done.stdout, result, tarball)
        if done.returncode != 0:
            found.insert(0, 'galaxy-importer exited with %d' % done.returncode)
    if found:
        print('FAIL: Galaxy would refuse or flag the collection:\n  ' + '\n  '.join(found))
        return 1
    print('galaxy-importer: %s imports cleanly (%d contents)' % (os.path.basename(tarball), len(result['contents'])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
