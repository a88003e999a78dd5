# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed reads of the clouds' JSON answers: what the SDKs hand back is untyped (Any), and each read here says once what
shape it takes, where a cast at each call would paper over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def answer_items(answer: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The list of objects under ``key`` in an answer; [] when the answer leaves it out or gives null."""
    value = answer.get(key)
    return value if isinstance(value, list) else []


def answer_object(value: Any) -> dict[str, Any]:
    """A JSON answer (decoded body, or an SDK's parsed answer) as the object it must be; a TypeError naming what came
    instead otherwise."""
    if not isinstance(value, dict):
        raise TypeError('the answer is not a JSON object: %s' % type(value).__name__)
    return value
