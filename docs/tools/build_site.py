# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finish the Sphinx site that `antsibull-docs sphinx-init` started (used by `make docs`).

After `antsibull-docs collection` has written the collection's reference pages into
SITE/rst/collections/, this adds what the generated site lacks:

- the user guide (docs/*.md, docs/modules/*.md, docs/roles/*.md) under SITE/rst/guide/,
  rendered by MyST, with the front page listing it next to the reference;
- an intersphinx inventory of the few labels of the Ansible documentation that the generated
  pages link to, written locally, so the site builds without network access and its links
  still point at docs.ansible.com;
- conf.py settings for both.

Usage: python docs/tools/build_site.py SITE_DIR
"""

from __future__ import annotations

import os
import shutil
import sys
import zlib

DOCS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUIDE_FOLDERS = ('', 'modules', 'roles')
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
# Labels of the Ansible docs that antsibull-docs' pages refer to: (label, page and anchor, title).
ANSIBLE_LABELS = (
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings', 'Ansible Configuration Settings'),
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    ('list_of_collections', 'collections/index.html#list-of-collections', 'Collection Index'),
    ('module_defaults', 'playbook_guide/playbooks_module_defaults.html#module-defaults', 'Module defaults'),
    ('check_mode_dry', 'playbook_guide/playbooks_checkmode.html#check-mode-dry', 'Validating tasks: check mode and diff mode'),
    # The note on a module that has an action plugin (dr_sync).
    ('action_plugins', 'plugins/action.html#action-plugins', 'Action plugins'),
)

# Ansible's environment variables that the generated pages name (the inventory cache options of the dr_scopes
# inventory): the config page's entry of each.
ANSIBLE_ENVVARS = (
    'ANSIBLE_INVENTORY_CACHE',
    'ANSIBLE_INVENTORY_CACHE_PLUGIN',
    'ANSIBLE_INVENTORY_CACHE_CONNECTION',
    'ANSIBLE_INVENTORY_CACHE_PLUGIN_PREFIX',
    'ANSIBLE_INVENTORY_CACHE_TIMEOUT',
    'ANSIBLE_CACHE_PLUGIN',
    'ANSIBLE_CACHE_PLUGIN_CONNECTION',
    'ANSIBLE_CACHE_PLUGIN_PREFIX',
    'ANSIBLE_CACHE_PLUGIN_TIMEOUT',
    'ANSIBLE_INVENTORY_USE_EXTRA_VARS',
)

INDEX = '''.. _docsite_root_index:

snapcopy.cloud
==============

Idempotent cross-region disk snapshot copies on AWS EBS, Alibaba Cloud ECS and ENS, and Tencent
Cloud CBS, with a disaster-recovery role that keeps a DR region supplied.

.. toctree::
   :maxdepth: 1
   :caption: User guide:

   guide/README
   guide/quickstart
   guide/credentials
   guide/idempotency
   guide/safety
   guide/consistency
   guide/verify
   guide/vault
   guide/posture
   guide/failed-copies
   guide/restore
   guide/fleet
   guide/awx
   guide/events

.. toctree::
   :maxdepth: 1
   :caption: Modules and role, with examples:
   :glob:

   guide/modules/*
   guide/roles/*

.. toctree::
   :maxdepth: 2
   :caption: Reference:

   collections/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes:
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes:

   collections/environment_variables
'''

CONF = '''

# ---- added by docs/tools/build_site.py
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
# Offline: the Ansible docs' labels come from a local inventory; no other inventories.
intersphinx_mapping = {'ansible_devel': (%r, %r)}
'''


def copy_guide(site):
    target = os.path.join(site, 'rst', 'guide')
    shutil.rmtree(target, ignore_errors=True)
    for folder in GUIDE_FOLDERS:
        source = os.path.join(DOCS, folder)
        os.makedirs(os.path.join(target, folder), exist_ok=True)
        for name in sorted(os.listdir(source)):
            if name.endswith('.md'):
                shutil.copy2(os.path.join(source, name), os.path.join(target, folder, name))


def write_inventory(path):
    lines = ''.join('%s std:label -1 %s %s\n' % entry for entry in ANSIBLE_LABELS)
    lines += ''.join(
        '%s std:envvar -1 reference_appendices/config.html#envvar-%s -\n' % (name, name) for name in ANSIBLE_ENVVARS
    )
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    with open(path, 'wb') as stream:
        stream.write(header.encode('utf-8') + zlib.compress(lines.encode('utf-8')))


def main(argv):
    if len(argv) != 2:
        raise SystemExit('usage: build_site.py SITE_DIR')
    site = os.path.abspath(argv[1])
    if not os.path.isfile(os.path.join(site, 'conf.py')):
        raise SystemExit('build_site.py: %s has no conf.py; run antsibull-docs sphinx-init first' % site)
    copy_guide(site)
    with open(os.path.join(site, 'rst', 'index.rst'), 'w', encoding='utf-8') as stream:
        stream.write(INDEX)
    inventory = os.path.join(site, 'ansible_devel.inv')
    write_inventory(inventory)
    with open(os.path.join(site, 'conf.py'), 'a', encoding='utf-8') as stream:
        stream.write(CONF % (ANSIBLE_DOCS, inventory))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
