# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The arguments of dr_sync and dr_posture_info as their actions check them on the controller, before the module runs.

- A tag selector given as text (an AWX survey's answer, ``-e name=value``, the very form the reports print) is read as
  the mapping it stands for: YAML or JSON (``{backup: dr}``, ``{"backup": "dr", "tier": null}``) or KEY=VALUE pairs
  (``backup=dr tier=gold``). Text that is none of them is refused, saying what was given and what is taken.
- Every argument is checked against the module's argument spec (required, choices, types) in a few words per problem,
  naming the option as the user typed it: the dr_copy role's variable when the role runs the module. Ansible's own
  checks print the role's whole argument spec (14 KB) with each error; the role leaves them nothing to refuse
  (roles/dr_copy/meta/argument_specs.yml) and this check says it instead. Nothing is called before it passes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

import yaml
from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_dict,
    check_type_float,
    check_type_int,
    check_type_list,
)

SELECTOR_FORMS = (
    'a mapping of tags, or its text: YAML or JSON ({backup: dr}, {"backup": "dr", "tier": null}) or KEY=VALUE '
    'pairs (backup=dr tier=gold)'
)
# What a value of each type is, in the words of a message.
TYPE_WORDS = {
    'bool': 'true or false',
    'int': 'a whole number',
    'float': 'a number',
    'dict': 'a mapping',
    'list': 'a list (or its text: items separated by commas)',
}
TYPE_CHECKS = {
    'bool': check_type_bool,
    'int': check_type_int,
    'float': check_type_float,
    'dict': check_type_dict,
    'list': check_type_list,
}
# What the role sets for a variable it has no value of (its defaults): none given.
BLANKS: tuple[Any, ...] = (None, '', [], {})


def kind(value: object) -> str:
    """What ``value`` is, in a message's words: never a class name (ansible-core 2.19 and later tag the values they
    give)."""
    for types, words in (
        (bool, 'a boolean'),
        (str, 'text'),
        (Mapping, 'a dict'),
        ((list, tuple), 'a list'),
        ((int, float), 'a number'),
    ):
        if isinstance(value, types):
            return words
    return 'a %s' % type(value).__name__


def shown(value: object, limit: int = 80) -> str:
    """A value as a message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + '...'


def tag_selector_argument(value: Any, name: str) -> tuple[Any, str | None]:
    """(the selector as the module is to get it, None) or (None, why it is refused). Text is read as YAML (JSON is
    YAML), else as KEY=VALUE pairs; a mapping, or anything else, goes to the module as it is."""
    if not isinstance(value, str) or not value.strip():
        return value, None
    try:
        read = yaml.safe_load(value)
    except yaml.YAMLError as error:
        read, problem = None, 'is not YAML (%s)' % str(getattr(error, 'problem', None) or error).strip()
    else:
        problem = 'is %s, not a mapping' % kind(read)
    if isinstance(read, Mapping):
        return dict(read), None
    if '=' in value:
        try:
            return check_type_dict(value), None
        except TypeError:
            pass
    return None, '%s is %s; the text %s %s' % (name, SELECTOR_FORMS, shown(value), problem)


# The options of dr_sync and dr_posture_info that take a tag selector, which may come as text (an AWX survey, -e, the form
# the reports print).
SELECTOR_OPTIONS = ('tag_selector', 'coverage_exempt')


def selector_arguments(
    arguments: dict[str, Any], name_of: Callable[[str], str]
) -> tuple[dict[str, Any], list[str], tuple[str, ...]]:
    """(``arguments`` with each selector option's text read as its mapping, the problems, the options refused): each
    problem names the option by ``name_of(option)``."""
    problems: list[str] = []
    refused: list[str] = []
    for option in SELECTOR_OPTIONS:
        selector, problem = tag_selector_argument(arguments.get(option), name_of(option))
        if problem is not None:
            problems.append(problem)
            refused.append(option)
        elif selector is not arguments.get(option):
            arguments = dict(arguments, **{option: selector})
    return arguments, problems, tuple(refused)


def _value_problem(spec: Mapping[str, Any], value: Any) -> tuple[Any, str | None]:
    """(``value`` as its type makes it, what is wrong with it for an option of ``spec`` or None): its type and
    choices."""
    wanted = spec.get('type', 'str')
    if wanted in TYPE_CHECKS:
        try:
            value = TYPE_CHECKS[wanted](value)
        except (TypeError, ValueError):
            return value, 'is %s, got %s' % (TYPE_WORDS[wanted], '(not shown)' if spec.get('no_log') else shown(value))
    if spec.get('choices') and value not in spec['choices']:
        return value, 'is one of %s, got %s' % (', '.join(str(choice) for choice in spec['choices']), shown(value))
    return value, None


def argument_problems(
    arguments: Mapping[str, Any],
    spec: Mapping[str, Mapping[str, Any]],
    name_of: Callable[[str], str],
    skip: Collection[str] = (),
    unknown: Callable[[str], str] | None = None,
) -> list[str]:
    """The problems of ``arguments`` against the module's argument ``spec``, one line each, every option named by
    ``name_of(option)``. Options in ``skip`` are checked elsewhere. ``unknown(key)`` says what is wrong with a key that
    is no option (by default: no option of this module, and the nearest that is)."""
    names = {alias: option for option, option_spec in spec.items() for alias in option_spec.get('aliases', ())}
    names.update({option: option for option in spec})
    problems = [
        unknown(key) if unknown is not None else _no_option(key, names, name_of)
        for key in sorted(arguments)
        if key not in names and not key.startswith('_ansible')
    ]
    given = {names[key]: value for key, value in arguments.items() if key in names}
    for option, option_spec in spec.items():
        value = given.get(option)
        if option in skip:
            continue
        if option_spec.get('required') and value in BLANKS:
            choices = option_spec.get('choices')
            problems.append(
                '%s is required%s' % (name_of(option), ': one of %s' % ', '.join(choices) if choices else '')
            )
            continue
        # Blank is not set: the role passes '' for a variable it has no value of, and AWX a question left blank.
        if value in BLANKS or (
            isinstance(value, str) and not value.strip() and option_spec.get('type') in ('dict', 'list')
        ):
            continue
        value, problem = _value_problem(option_spec, value)
        if problem is None and isinstance(value, Mapping) and option_spec.get('options'):
            problems.extend(
                '%s %s' % (name_of('%s.%s' % (option, key)), sub_problem)
                for key, sub_problem in _sub_problems(option_spec['options'], value)
            )
        elif problem is not None:
            problems.append('%s %s' % (name_of(option), problem))
    return problems


def _no_option(key: str, names: Mapping[str, str], name_of: Callable[[str], str]) -> str:
    near = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
    return '%s is no option of this module%s' % (name_of(key), ': did you mean %s?' % name_of(near[0]) if near else '')


def _sub_problems(options: Mapping[str, Mapping[str, Any]], value: Mapping[Any, Any]) -> Iterator[tuple[Any, str]]:
    for key in sorted(set(value) - set(options), key=str):
        yield key, 'is no key of it (it takes %s)' % ', '.join(options)
    for key, sub_spec in options.items():
        if value.get(key) not in BLANKS:
            dummy, problem = _value_problem(sub_spec, value[key])
            if problem is not None:
                yield key, problem
