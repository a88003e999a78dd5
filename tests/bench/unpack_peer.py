"""Unpack the collections of part a's peer (amazon.aws and community.aws, as the ``ansible`` package ships them) from
its wheel into a collections folder: part a runs community.aws's ec2_snapshot_copy beside ebs_snapshot_copy.

Usage: python tests/bench/unpack_peer.py WHEEL_FOLDER DEST (DEST/ansible_collections/{amazon,community}/aws)
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import zipfile

PEER = ('ansible_collections/amazon/aws/', 'ansible_collections/community/aws/')


def main(argv):
    wheel_folder, dest = argv
    (wheel,) = glob.glob(os.path.join(wheel_folder, 'ansible-*.whl'))
    shutil.rmtree(dest, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if name.startswith(PEER)]
        archive.extractall(dest, names)
    print('unpacked %d files of %s into %s' % (len(names), os.path.basename(wheel), dest))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
