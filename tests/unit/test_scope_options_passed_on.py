"""The role and the fleet playbook pass the scope options on (issue 61). The role gives dr_sync consistency_set_tag from
dr_copy_consistency_set_tag. The fleet playbook's posture-only read (playbooks/dr_fleet.yml, dr_posture_info) is given
every scope option that dr_posture_info takes, from the role's variables, so that a read counts what the scope's runs
count: a set marked by consistency_set_tag is no look-alike to a read that was given it."""

from __future__ import annotations

import pathlib

import yaml

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
