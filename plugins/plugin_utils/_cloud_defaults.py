# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_defaults of the clouds' action groups, as the modules of every cloud take them (dr_sync, dr_posture_info).

Those modules are in the groups of all three clouds (meta/runtime.yml), so Ansible gives them the defaults of each group
a play sets, the group listed last winning a key they share: a play with group/snapcopy.cloud.aws and
group/snapcopy.cloud.alicloud, each with its endpoint_url, sent a DR run on AWS to the Alibaba endpoint. A module of
every cloud acts on one cloud, its provider's: it takes the defaults of that cloud's group (and of
group/snapcopy.cloud.all, and its own entry), never another cloud's. The action, which runs before the module, takes the
other clouds' values out again: what Ansible merged can be told apart, as module_defaults are known to the action and
the task's own arguments are in the task as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS

# The action group of each provider's cloud (meta/runtime.yml), as module_defaults names it.
CLOUD_GROUPS = {name: 'snapcopy.cloud.' + provider.action_group for name, provider in PROVIDERS.items()}
GROUP_PREFIX = 'group/'


def merged_module_defaults(task: Any, templar: Any) -> dict[str, Any]:
    """The task's module_defaults (play, blocks, task: the later win), templated, as Ansible merges them."""
    merged: dict[str, Any] = {}
    for layer in task.module_defaults or ():
        if isinstance(layer, Mapping):
            merged.update(layer)
    return templar.template(merged) if merged else {}


def task_own_keys(task: Any) -> set[str] | None:
    """The names of the arguments the task gives itself, as written (before module_defaults); None when they cannot be
    known (arguments given as one variable)."""
    try:
        from ansible.parsing.mod_args import ModuleArgsParser  # pylint: disable=import-outside-toplevel

        dummy, args, dummy = ModuleArgsParser(task_ds=task.get_ds(), collection_list=task.collections).parse(
            skip_action_validation=True
        )
    except Exception:  # pylint: disable=broad-except  # a task built without a data structure: compare values instead
        return None
    if not isinstance(args, Mapping) or '_variable_params' in args:
        return None
    return set(args)


def defaults_of(merged: Mapping[str, Any], groups: set[str], action: str) -> dict[str, Any]:
    """What module_defaults give ``action`` from ``groups`` and its own entry, in Ansible's order."""
    given: dict[str, Any] = {}
    for key, value in merged.items():
        if key.startswith(GROUP_PREFIX) and key[len(GROUP_PREFIX) :] in groups and isinstance(value, Mapping):
            given.update(value)
    own = merged.get(action)
    if isinstance(own, Mapping):
        given.update(own)
    return given


def own_cloud_arguments(task: Any, templar: Any, arguments: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(``arguments`` as the module is to get them, the keys taken out of other clouds' groups): the values that the
    module_defaults of another cloud's group gave are replaced by the provider's own group's, or taken out."""
    provider = arguments.get('provider')
    group = CLOUD_GROUPS.get(provider) if isinstance(provider, str) else None
    play = getattr(getattr(task, '_parent', None), '_play', None)
    action = getattr(task, 'resolved_action', None) or task.action
    groups = set((getattr(play, '_action_groups', None) or {}).get(action, ()))
    foreign = {name for name in groups if name in CLOUD_GROUPS.values() and name != group}
    if group is None or not foreign or not task.module_defaults:
        return arguments, []
    merged = merged_module_defaults(task, templar)
    if not any(GROUP_PREFIX + name in merged for name in foreign):
        return arguments, []
    every = defaults_of(merged, groups, action)
    mine = defaults_of(merged, groups - foreign, action)
    own = task_own_keys(task)
    fixed, dropped = dict(arguments), []
    for key, value in every.items():
        given_by_task = key in own if own is not None else fixed.get(key) != value
        if given_by_task or key not in fixed or (key in mine and mine[key] == value):
            continue
        if key in mine:
            fixed[key] = mine[key]
        else:
            del fixed[key]
        dropped.append(key)
    return fixed, sorted(dropped)


def dropped_words(module: str, arguments: Mapping[str, Any], dropped: list[str]) -> str:
    """A line for -vv: what the task did not take from module_defaults, and why."""
    return '%s with provider %s takes the module_defaults of %s: not %s from the group of another cloud' % (
        module,
        arguments.get('provider'),
        GROUP_PREFIX + CLOUD_GROUPS[arguments['provider']],
        ', '.join(dropped),
    )
