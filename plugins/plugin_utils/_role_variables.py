# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dr_copy role's variables as a play sets them, checked by dr_sync's action when the role runs it.

- A ``dr_copy_*`` variable the role does not know does nothing: each is warned of, naming the nearest variable the role
  takes (``dr_copy_max_snapshot_age_hour``: did you mean dr_copy_max_snapshot_age_hours?). The role's variables are the
  options of its meta/argument_specs.yml; what the role sets and registers itself (its tasks and vars files) is known
  too.
- A key of dr_copy_connection (or dr_copy_connection_defaults) that is no connection option is named as the user wrote
  it, ``dr_copy_connection.endpoint``, never as an option of dr_sync.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

ROLE_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'dr_copy'
)
ROLE_PREFIX = 'dr_copy_'
ROLE_NAME = re.compile(r'\bdr_copy_\w+')
# The role's files whose dr_copy_* names the role itself sets or reads (registered results, facts, stats): besides
# these, every file of its tasks folder (main.yml includes drill_checks.yml).
OWN_FILES = (('vars', 'main.yml'), ('defaults', 'main.yml'))
DOCS = 'docs/roles/dr_copy.md'
# libyaml's loader where PyYAML has it: the same mapping of the role's 24 KB argument spec as the pure-Python SafeLoader
# gives, in a tenth of the CPU (0.005 s against 0.05).
YAML_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


@functools.lru_cache(maxsize=4)
def role_variables(role_dir: str = ROLE_DIR) -> tuple[frozenset[str], frozenset[str]]:
    """(the variables a user sets: the options of the role's argument spec, every dr_copy_* name the role knows)."""
    with open(os.path.join(role_dir, 'meta', 'argument_specs.yml'), encoding='utf-8') as stream:
        settable = frozenset(yaml.load(stream, Loader=YAML_LOADER)['argument_specs']['main']['options'])
    known = set(settable)
    tasks = sorted(('tasks', name) for name in os.listdir(os.path.join(role_dir, 'tasks')) if name.endswith('.yml'))
    for parts in (*tasks, *OWN_FILES):
        with open(os.path.join(role_dir, *parts), encoding='utf-8') as stream:
            known.update(ROLE_NAME.findall(stream.read()))
    return settable, frozenset(known)


def read_role_ahead(role_dir: str = ROLE_DIR) -> None:
    """Fill role_variables' cache for ``role_dir`` now, as unknown_variable_warnings would at its first call (dr_sync's
    action, at its import: plugin_utils/_templates.py says why). A role that cannot be read is left to that call, which
    then fails as it always did."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
        role_variables(role_dir)


def nearest(name: str, names: Iterable[str]) -> str | None:
    """The name of ``names`` nearest to ``name`` (difflib's ratio), or None when none is near."""
    found = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_variable_warnings(variables: Iterable[Any], role_dir: str = ROLE_DIR) -> list[str]:
    """A warning for each dr_copy_* name of ``variables`` (the task's variables) that the role does not know."""
    settable, known = role_variables(role_dir)
    warnings: list[str] = []
    for name in sorted(key for key in variables if isinstance(key, str) and key.startswith(ROLE_PREFIX)):
        if name in known:
            continue
        # Compared without the prefix all share, which would make any name near any other.
        near = nearest(name[len(ROLE_PREFIX) :], [option[len(ROLE_PREFIX) :] for option in settable])
        near = ROLE_PREFIX + near if near else None
        warnings.append(
            '%s is no variable of the dr_copy role, and does nothing: %s'
            % (name, 'did you mean %s?' % near if near else 'its variables are in %s' % DOCS)
        )
    return warnings


def connection_key_words(
    key: object, connection_variables: Iterable[tuple[str, Any]], connection_options: Iterable[str]
) -> str:
    """What is wrong with ``key``, a connection key no option takes, in the role's words: the variable that holds it
    (``connection_variables``: (name, templated value) pairs), and the nearest of ``connection_options``."""
    holder = next(
        (variable for variable, value in connection_variables if isinstance(value, Mapping) and key in value), None
    )
    near = nearest(str(key), connection_options)
    if holder is None:  # the play's own module_defaults for dr_sync
        where, fix = '%s (of the module_defaults of dr_sync)' % key, near
    else:
        where, fix = '%s.%s' % (holder, key), near and '%s.%s' % (holder, near)
    return '%s is no connection option of the dr_copy role%s' % (
        where,
        ': did you mean %s?' % fix if fix else ' (its options: %s)' % DOCS,
    )
