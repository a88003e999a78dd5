"""A cloud's facts have one home, its Provider record (plugins/module_utils/clouds/registry.py), beside its own files:
this counts the shared files that name a cloud, which a new cloud would have to touch, and names them.

A cloud's own files are its vendor's folder (plugins/module_utils/clouds/<vendor>/) and the files named after it or
its vendor's other clouds (their copy modules, the vendor's doc fragment). A shared file names a cloud when, outside
comments and docstrings:

- it lists the clouds: a line names every provider (``choices: [aws, ecs, ens, cbs]``, V(aws) ... V(cbs)) or every
  action group (``platforms: aws, alicloud, tencentcloud``);
- its code names the cloud: a string that is the provider's name, its copy module's, its action group's or one of its
  SDK distributions, or an import from its vendor's folder;
- its configuration names the cloud: a YAML key or list item that is one of those names, or an SDK distribution.

Prose that says what one cloud does is documentation, and is not counted; nor are tests, docs (docs/, *.md, *.rst, the
changelog, the example playbooks), the Makefile (the test venvs' and the demo's plumbing, held to
meta/ee-requirements.txt by test_makefile.py) and Galaxy's catalogue entry (galaxy.yml: description and search tags).

Issue 63 counted about 16 before the record became a cloud's only home (this count: 13 for each of ecs, ens and cbs
at 8caefaf); the goal is at most 5, each held to the record by a test where it cannot be generated from it
(test_providers.py).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOT_COUNTED = ('tests/', 'docs/', 'changelogs/', 'playbooks/', 'Makefile', 'galaxy.yml')
TEXT_SUFFIXES = ('.py', '.yml', '.yaml', '.txt', '.cfg', '.ini', '.toml', '.json', '.j2')
# Each provider's vendor folder below plugins/module_utils/clouds/: its organisation reader's ('<vendor>.organization').
VENDORS = {name: provider.organization.reader.split('.')[0] for name, provider in PROVIDERS.items()}
# The shared files of every cloud: the record, and the files that cannot read it, each held to it by a test.
SHARED = [
    'meta/ee-requirements.txt',
    'meta/runtime.yml',
    'plugins/doc_fragments/dr_connection.py',
    'plugins/module_utils/clouds/registry.py',
    'roles/dr_copy/meta/argument_specs.yml',
]
# The clouds whose names are words of their own: 'aws' is also a word of every AWS option and of amazon.aws, so its
# single names cannot be told from prose; AWS is counted by the lists of the clouds alone.
COUNTED = ['ecs', 'ens', 'cbs']


def names_of(name):
    """The single names that say cloud ``name`` in code and configuration."""
    provider = PROVIDERS[name]
    return {name, provider.copy_module, provider.action_group, 'snapcopy.cloud.' + provider.action_group} | set(
        provider.sdk_distributions
    )


def lists_the_clouds(line):
    every_provider = all(re.search(r'\b%s\b' % name, line) for name in PROVIDERS)
    groups = {provider.action_group for provider in PROVIDERS.values()}
    return every_provider or all(re.search(r'\b%s\b' % group, line) for group in groups)


def code_names(source, name):
    """Whether a Python file names cloud ``name``: a list of the clouds in a string, a string that is one of its names,
    or an import from its vendor's folder (docstrings and comments are not read)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    names, folder = names_of(name), 'clouds.' + VENDORS[name]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in names or any(lists_the_clouds(line) for line in node.value.splitlines()):
                return True
        elif isinstance(node, ast.ImportFrom):
            module = '.' * node.level + (node.module or '')
            imported = [module] + ['%s.%s' % (module, alias.name) for alias in node.names]
            if any(re.search(r'(^|\.)%s(\.|$)' % re.escape(folder), path) for path in imported):
                return True
            if node.level and any(path.lstrip('.').startswith(VENDORS[name] + '.') for path in imported):
                return True
    return False


def configuration_names(source, name):
    """Whether a YAML or text file names cloud ``name``: a list of the clouds, or a key, list item or requirement that
    is one of its names (comment lines are not read)."""
    names = names_of(name)
    for line in source.splitlines():
        if line.lstrip().startswith('#'):
            continue
        word = re.match(r'^\s*(?:-\s*)?([A-Za-z0-9_.-]+)\s*(?::|>=|==|$)', line)
        if lists_the_clouds(line) or (word and word.group(1) in names):
            return True
    return False


def own_files(name):
    """A cloud's own files: its vendor's folder, and the files named after its vendor's clouds."""
    vendor = VENDORS[name]
    siblings = [PROVIDERS[other] for other, its_vendor in VENDORS.items() if its_vendor == vendor]
    named = {'%s.py' % provider.copy_module for provider in siblings} | {
        '%s.py' % provider.action_group for provider in siblings
    }
    return lambda path: path.startswith('plugins/module_utils/clouds/%s/' % vendor) or os.path.basename(path) in named


def shared_files_naming(name, root=ROOT):
    """The shared files of the repository at ``root`` that name cloud ``name``."""
    listed = subprocess.run(['git', 'ls-files'], cwd=root, capture_output=True, text=True, check=True).stdout
    own = own_files(name)
    found = []
    for path in listed.splitlines():
        if path.startswith(NOT_COUNTED) or own(path):
            continue
        if not (path.endswith(TEXT_SUFFIXES) or os.path.basename(path) == 'Makefile'):
            continue
        with open(os.path.join(root, path), encoding='utf-8') as handle:
            source = handle.read()
        if (code_names if path.endswith('.py') else configuration_names)(source, name):
            found.append(path)
    return sorted(found)


@pytest.mark.parametrize('name', COUNTED)
def test_a_cloud_is_named_in_at_most_five_shared_files(name):
    found = shared_files_naming(name)
    assert found == SHARED, 'the shared files that name %s: %s' % (name, ', '.join(found))
    assert len(found) <= 5


def test_the_count_sees_a_cloud_named_in_a_shared_file(tmp_path):
    """The counter is not blind: a new file naming 'cbs' in code, in a list of the clouds, by importing the Tencent folder
    or as a key of its configuration is counted; one naming it in a comment, a docstring or prose is not."""
    subprocess.run(['git', 'init', '-q', str(tmp_path)], check=True)
    files = {
        'plugins/action/code.py': "GROUPS = {'cbs': 1}\n",
        'plugins/modules/documented.py': "DOCUMENTATION = '''\noptions:\n  provider:\n    choices: [aws, ecs, ens, cbs]\n'''\n",
        'plugins/modules/prose.py': "DOCUMENTATION = '''\ndescription: On V(cbs), a CBS snapshot group.\n'''\n",
        'plugins/plugin_utils/imports.py': 'from ..module_utils.clouds.tencent import client\n',
        'meta/runtime.yml': 'action_groups:\n  tencentcloud:\n    - cbs_snapshot_copy\n',
        'plugins/module_utils/commented.py': '"""On CBS, cbs."""\n# the cbs provider\nX = 1\n',
        'plugins/module_utils/clouds/tencent/own.py': "PROVIDER = 'cbs'\n",
        'tests/unit/test_x.py': "PROVIDER = 'cbs'\n",
    }
    for path, text in files.items():
        os.makedirs(os.path.dirname(str(tmp_path / path)), exist_ok=True)
        (tmp_path / path).write_text(text, encoding='utf-8')
    subprocess.run(['git', 'add', '.'], cwd=str(tmp_path), check=True)
    assert shared_files_naming('cbs', str(tmp_path)) == [
        'meta/runtime.yml',
        'plugins/action/code.py',
        'plugins/modules/documented.py',
        'plugins/plugin_utils/imports.py',
    ]
