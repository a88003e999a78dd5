"""The fleet playbook's posture-only read (playbooks/dr_fleet.yml, dr_posture_info) is given every scope option that
dr_posture_info takes from the role's variables, so that a read counts what the scope's runs count: a set marked by
consistency_set_tag (issue 61) is no look-alike to a read that was given it."""

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
