"""Copy the collection's files to a build folder laid out as ansible_collections/snapcopy/cloud.

Why a copy and not a link: ansible-test insists that its working directory, as the kernel
reports it (os.getcwd), lies under .../ansible_collections/<namespace>/<name>/, and a
symlinked folder resolves to the repo itself. The repo stays where it is; this copies what
git tracks or would track (untracked files that are not ignored), so the staged tree is
exactly what a fresh clone plus the work in progress holds.

Usage: python tests/utils/stage_collection.py DEST
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def collection_files(root):
    listing = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=root,
        check=True,
        stdout=subprocess.PIPE,
    ).stdout.decode('utf-8')
    # --cached also lists files deleted in the work tree; those are not part of the change.
    return sorted(path for path in set(listing.split('\0')) if path and os.path.lexists(os.path.join(root, path)))


def main(argv):
    if len(argv) != 2:
        raise SystemExit('usage: stage_collection.py DEST')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dest = os.path.abspath(argv[1])
    if os.path.commonpath([root, dest]) == dest:
        raise SystemExit('stage_collection: refusing to replace %s, which holds the repo' % dest)
    # Keep ansible-test's own output folder from one run to the next: it caches there.
    output = os.path.join(dest, 'tests', 'output')
    kept_output = dest + '.output'
    if os.path.isdir(output):
        shutil.rmtree(kept_output, ignore_errors=True)
        os.rename(output, kept_output)
    shutil.rmtree(dest, ignore_errors=True)
    for path in collection_files(root):
        target = os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(root, path), target, follow_symlinks=False)
    if os.path.isdir(kept_output):
        os.makedirs(os.path.join(dest, 'tests'), exist_ok=True)
        os.rename(kept_output, output)
    # ansible-test lists a collection's files with git when it finds a repository at or above
    # the collection; above this copy it would find ours, where build/ is ignored. A repo of
    # the copy's own makes it list the copy, as it would in a fresh clone.
    for command in (['git', 'init', '--quiet'], ['git', 'add', '--all']):
        subprocess.run(command, cwd=dest, check=True, stdout=subprocess.DEVNULL)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
