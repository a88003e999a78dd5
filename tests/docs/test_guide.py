"""The user guide in docs/ is complete and its examples are real.

- every module and role has its page, and the guide's index links each page;
- every relative link (and #anchor, with GitHub's heading slugs) points at something that exists;
- every YAML block parses, and every task in it that calls a module of this collection uses only
  options the module documents (names or aliases) and sets its required ones; every use of the
  dr_copy role sets only variables of its argument spec, and the required ones.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess

import pytest
import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import DOCS, REPO, ansible_bin, clean_environment

PAGES = sorted(
    os.path.join(root, name) for root, _dirs, names in os.walk(DOCS) for name in names if name.endswith('.md')
)
MODULES = sorted(
    name[:-3]
    for name in os.listdir(os.path.join(REPO, 'plugins', 'modules'))
    if name.endswith('.py') and name != '__init__.py'
)
ROLES = sorted(os.listdir(os.path.join(REPO, 'roles')))
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
FENCE = re.compile(r'^```(\w*)\n(.*?)^```', re.S | re.M)


def relative(path):
    return os.path.relpath(path, REPO)


def slug(heading):
    """GitHub's anchor for a Markdown heading (MyST's default slugs match it)."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower().replace('`', ''))
    return text.replace(' ', '-')


def anchors(path):
    with open(path, encoding='utf-8') as stream:
        text = FENCE.sub('', stream.read())
    return {slug(line.lstrip('#')) for line in text.splitlines() if line.startswith('#')}


def read(path):
    with open(path, encoding='utf-8') as stream:
        return stream.read()


def test_every_module_and_role_has_a_page_linked_from_the_index():
    index = read(os.path.join(DOCS, 'README.md'))
    for module in MODULES:
        assert os.path.isfile(os.path.join(DOCS, 'modules', module + '.md')), module
        assert '(modules/%s.md)' % module in index, module
    for role in ROLES:
        assert os.path.isfile(os.path.join(DOCS, 'roles', role + '.md')), role
        assert '(roles/%s.md)' % role in index, role
    for page in (
        'quickstart.md',
        'credentials.md',
        'idempotency.md',
        'failed-copies.md',
        'restore.md',
        'awx.md',
        'events.md',
    ):
        assert '(%s)' % page in index, page


@pytest.mark.parametrize('page', PAGES, ids=relative)
def test_relative_links_resolve(page):
    for target in LINK.findall(FENCE.sub('', read(page))):
        if re.match(r'^[a-z]+:', target):
            continue
        path, _sep, anchor = target.partition('#')
        path = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        assert os.path.exists(path), '%s links to %s, which does not exist' % (relative(page), target)
        if anchor:
            assert anchor in anchors(path), '%s links to %s: no such heading in %s' % (
                relative(page),
                target,
                relative(path),
            )


def test_awx_guide_names_every_file_of_docs_awx():
    guide = read(os.path.join(DOCS, 'awx.md'))
    for name in os.listdir(os.path.join(DOCS, 'awx')):
        assert name in guide, name


# ---------------------------------------------------------------------------------- examples
def yaml_blocks():
    for page in PAGES:
        for language, body in FENCE.findall(read(page)):
            if language == 'yaml':
                yield page, body


@pytest.fixture(scope='module')
def module_docs(tmp_path_factory):
    """Options (with aliases) and required options of every module, as ansible-doc gives them."""
    home = tmp_path_factory.mktemp('home')
    done = subprocess.run(
        [ansible_bin('ansible-doc'), '--json'] + ['snapcopy.cloud.%s' % name for name in MODULES],
        env=clean_environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=True,
    )
    docs = {}
    for name, entry in json.loads(done.stdout).items():
        options = entry['doc']['options']
        names = set(options)
        for option in options.values():
            names.update(option.get('aliases') or [])
        docs[name] = {
            'names': names,
            'required': {key for key, option in options.items() if option.get('required')},
            'aliases': {alias: key for key, option in options.items() for alias in option.get('aliases') or []},
        }
    return docs


def role_spec():
    with open(os.path.join(REPO, 'roles', 'dr_copy', 'meta', 'argument_specs.yml'), encoding='utf-8') as stream:
        options = yaml.safe_load(stream)['argument_specs']['main']['options']
    return set(options), {name for name, option in options.items() if option.get('required')}


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_yaml_examples_parse():
    count = 0
    for page, body in yaml_blocks():
        try:
            yaml.safe_load(body)
        except yaml.YAMLError as error:
            pytest.fail('%s: a YAML example does not parse: %s' % (relative(page), error))
        count += 1
    assert count >= 30


# The collection's event sources (extensions/eda): what a rulebook's source takes, from each one's DOCUMENTATION, and
# the connection options of the provider it names (as its copy module names them).
EVENT_SOURCES = {
    'snapcopy.cloud.snapshots': os.path.join(REPO, 'extensions', 'eda', 'plugins', 'event_source', 'snapshots.py')
}


def event_source_options(path):
    with open(path, encoding='utf-8') as stream:
        tree = ast.parse(stream.read())
    text = next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(getattr(target, 'id', None) == 'DOCUMENTATION' for target in node.targets)
    )
    options = yaml.safe_load(text)['options']
    return set(options), {name for name, option in options.items() if option.get('required')}


def check_event_source(page, key, args):
    from ansible_collections.snapcopy.cloud.plugins.module_utils.events.settings import _connection_names  # pylint: disable=import-outside-toplevel

    names, required = event_source_options(EVENT_SOURCES[key])
    unknown = set(args) - names - set(_connection_names(args.get('provider')))
    assert not unknown, '%s: %s has no argument %s' % (relative(page), key, ', '.join(sorted(unknown)))
    assert required <= set(args), '%s: %s needs %s' % (relative(page), key, ', '.join(sorted(required - set(args))))


def test_module_examples_use_documented_options(module_docs):
    used = set()
    for page, body in yaml_blocks():
        for node in walk(yaml.safe_load(body)):
            for key, args in node.items():
                if not (isinstance(key, str) and key.startswith('snapcopy.cloud.')) or key in ('module_defaults',):
                    continue
                if key in EVENT_SOURCES:
                    check_event_source(page, key, args)
                    continue
                assert key in module_docs, '%s: %s is not a module of the collection' % (relative(page), key)
                assert isinstance(args, dict), '%s: %s takes its options as a dict' % (relative(page), key)
                unknown = set(args) - module_docs[key]['names']
                assert not unknown, '%s: %s has no option %s' % (relative(page), key, ', '.join(sorted(unknown)))
                given = {module_docs[key]['aliases'].get(name, name) for name in args}
                missing = module_docs[key]['required'] - given
                assert not missing, '%s: %s needs %s' % (relative(page), key, ', '.join(sorted(missing)))
                used.add(key)
    assert used == {'snapcopy.cloud.%s' % name for name in MODULES}, 'every module has an example in the guide'


def test_role_examples_use_the_roles_variables():
    known, required = role_spec()
    uses = 0
    for page, body in yaml_blocks():
        for node in walk(yaml.safe_load(body)):
            role = None
            if isinstance(node.get('ansible.builtin.include_role'), dict):
                role = node['ansible.builtin.include_role'].get('name')
            elif isinstance(node.get('role'), str):
                role = node['role']
            if role != 'snapcopy.cloud.dr_copy':
                continue
            variables = {name for name in node.get('vars', {}) if name.startswith('dr_copy_')}
            assert variables <= known, '%s: unknown role variables %s' % (relative(page), sorted(variables - known))
            assert required <= set(node.get('vars', {})), '%s: the role needs %s' % (
                relative(page),
                sorted(required - variables),
            )
            uses += 1
    assert uses >= 3
