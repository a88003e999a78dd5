# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a person types for places to copy to, as a list: the copy modules' destinations and dr_sync's dr_regions."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping


def typed_places(value: Any) -> list[Any]:
    """A list of regions (or nodes) as a person types it in YAML or a survey: a list, or text.

    Text may separate names with commas, spaces or new lines, or be a JSON or YAML flow list
    (``[a, b]``). Ansible has split text on commas before a module gets it ("a, b" comes as
    ["a", " b"]), so each piece of text is split again on white space, and the brackets and
    quotes of a flow list are taken off. Other entries (dr_regions' dicts) are kept as they are;
    what is left is checked as a region later. dr_sync's dr_regions and the copy modules'
    destination_regions are read by this.
    """
    items = [value] if isinstance(value, str) else list(value or [])
    entries: list[Any] = []
    for item in items:
        if isinstance(item, str):
            entries.extend(word.strip('[]"\'') for word in item.replace(',', ' ').split() if word.strip('[]"\''))
        else:
            entries.append(item)
    return entries


def task_destinations(params: Mapping[str, Any], variables: tuple[str, ...] = ()) -> list[str]:
    """Where a copy module's task copies to: ``destination_regions``, or ``destination_region`` as a list of one, or,
    when the task names neither, the first of the environment ``variables`` that is set (AWS_REGION, as AWS's tools
    do). Naming both, or one place twice, is an InputError; naming none leaves [] for the adapter to refuse in its
    cloud's words."""
    one, several = params.get('destination_region'), typed_places(params.get('destination_regions'))
    if one and several:
        raise InputError(
            'destination_regions',
            'and destination_region both say where to copy: give one of them '
            '(destination_regions takes a list, destination_region one region)',
        )
    if several:
        duplicates = sorted({place for place in several if several.count(place) > 1})
        if duplicates:
            raise InputError('destination_regions', 'lists %s more than once' % ', '.join(duplicates))
        return several
    if one:
        return [one]
    return [os.environ[variable] for variable in variables if os.environ.get(variable)][:1]
