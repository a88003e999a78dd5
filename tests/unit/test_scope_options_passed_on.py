"""The role and the fleet playbook pass the scope options on (issue 61). The role gives dr_sync consistency_set_tag from
dr_copy_consistency_set_tag. The fleet playbook's posture-only read (playbooks/dr_fleet.yml, dr_posture_info) is given
every scope option that dr_posture_info takes, from the role's variables, so that a read counts what the scope's runs
count: a set marked by consistency_set_tag is no look-alike to a read that was given it."""

from __future__ import annotations

import pathlib

import yaml
from jinja2.nativetypes import NativeEnvironment

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.posture_module import SCOPE_OPTIONS

PLAYBOOK = pathlib.Path(__file__).parents[2] / 'playbooks' / 'dr_fleet.yml'


def tasks(items):
    for item in items or []:
        yield item
        for key in ('block', 'rescue', 'always'):
            yield from tasks(item.get(key))


def test_the_posture_read_is_given_every_scope_option_of_the_role():
    plays = yaml.safe_load(PLAYBOOK.read_text(encoding='utf-8'))
    (read,) = [
        task['snapcopy.cloud.dr_posture_info']
        for play in plays
        for task in tasks(play.get('tasks'))
        if 'snapcopy.cloud.dr_posture_info' in task
    ]
    assert set(read) == set(SCOPE_OPTIONS)
    for option in SCOPE_OPTIONS:
        assert 'dr_copy_%s' % option in read[option], option


def test_the_role_takes_consistency_set_tag_and_gives_it_to_dr_sync():
    """Issue 61, 1: dr_sync's consistency_set_tag is the role's dr_copy_consistency_set_tag: declared in the role's
    argument specs (a string, empty by default, as an AWX survey sends none), set in its defaults, in its README's table,
    and passed to dr_sync (left out when empty)."""
    role = PLAYBOOK.parents[1] / 'roles' / 'dr_copy'
    specs = yaml.safe_load((role / 'meta' / 'argument_specs.yml').read_text(encoding='utf-8'))
    option = specs['argument_specs']['main']['options']['dr_copy_consistency_set_tag']
    assert (option['type'], option.get('default')) == ('str', '')
    assert (
        yaml.safe_load((role / 'defaults' / 'main.yml').read_text(encoding='utf-8'))['dr_copy_consistency_set_tag']
        == ''
    )
    assert '| `dr_copy_consistency_set_tag` | `""` |' in (role / 'README.md').read_text(encoding='utf-8')
    (run,) = [
        task['snapcopy.cloud.dr_sync']
        for task in tasks(yaml.safe_load((role / 'tasks' / 'main.yml').read_text(encoding='utf-8')))
        if 'snapcopy.cloud.dr_sync' in task
    ]
    assert run['consistency_set_tag'] == '{{ dr_copy_consistency_set_tag or omit }}'


def test_the_fleet_gathers_the_groups_whose_snapshots_only_look_like_a_set():
    """The fleet page says which snapshots of a scope's groups only look like a set (issue 61, 1): the playbook gathers
    the groups that have look-alikes, from the run's disks or from the posture read's."""
    plays = yaml.safe_load(PLAYBOOK.read_text(encoding='utf-8'))
    facts = [
        task['ansible.builtin.set_fact']
        for play in plays
        for task in tasks(play.get('tasks'))
        if 'ansible.builtin.set_fact' in task
    ]
    (kept,) = [fact['dr_copy_result'] for fact in facts if 'dr_fleet_posture' in str(fact.get('dr_copy_result'))]
    (gathered,) = [fact['dr_fleet_scope'] for fact in facts if 'dr_fleet_scope' in fact]
    marked = {'name': 'i-db', 'disks': ['vol-1', 'vol-2'], 'look_alikes': [{'snapshots': ['snap-1'], 'why': 'no set'}]}
    disks = [
        {'consistency_group': None},
        {'consistency_group': dict(marked, look_alikes=[])},
        {'consistency_group': marked},
    ]
    environment = NativeEnvironment()
    from_read = environment.from_string(kept['look_alike_groups']).render(dr_fleet_posture={'disks': disks})
    assert from_read == [marked]
    for result in ({'disks': disks}, {'look_alike_groups': [marked]}):
        assert environment.from_string(gathered['look_alike_groups'].strip()).render(dr_copy_result=result) == [marked]
    assert environment.from_string(gathered['look_alike_groups'].strip()).render(dr_copy_result={}) == []
