"""roles/dr_copy/README.md, the page Galaxy and Automation Hub show for the role (their importer
refuses a collection whose role has none), agrees with the role's argument spec: one row per
variable with its default, and an example that sets only variables of the role, the required
ones included."""

from __future__ import annotations

import os
import re

import yaml

from ansible_collections.snapcopy.cloud.tests.docs.helpers import REPO

ROLE = os.path.join(REPO, 'roles', 'dr_copy')
ROW = re.compile(r'^\| `(dr_copy_\w+)` \| ([^|]+) \|', re.M)


def readme():
    with open(os.path.join(ROLE, 'README.md'), encoding='utf-8') as stream:
        return stream.read()


def options():
    with open(os.path.join(ROLE, 'meta', 'argument_specs.yml'), encoding='utf-8') as stream:
        return yaml.safe_load(stream)['argument_specs']['main']['options']


def test_every_variable_has_a_row_with_its_default():
    rows = dict(ROW.findall(readme()))
    spec = options()
    assert set(rows) == set(spec), sorted(set(rows) ^ set(spec))
    for name, option in spec.items():
        if option.get('required'):
            assert rows[name].strip() == 'required', name
        else:
            shown = re.match(r'`([^`]*)`', rows[name].strip())
            # No default in the spec is null, as Ansible reads it.
            assert shown and yaml.safe_load(shown.group(1)) == option.get('default'), (
                name,
                rows[name],
                option.get('default'),
            )


def test_example_sets_the_roles_variables():
    spec = options()
    required = {name for name, option in spec.items() if option.get('required')}
    blocks = re.findall(r'^```yaml\n(.*?)^```', readme(), re.S | re.M)
    assert blocks
    for block in blocks:
        for play in yaml.safe_load(block):
            for role in play['roles']:
                assert role['role'] == 'snapcopy.cloud.dr_copy'
                assert set(role['vars']) <= set(spec), sorted(set(role['vars']) - set(spec))
                assert required <= set(role['vars']), sorted(required - set(role['vars']))
