# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grouping of items by a key, for batched calls (one call per region, per destination, per set of tags)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

T = TypeVar('T')
K = TypeVar('K')


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """{key: the items with that key, in their order}, the keys in the order first met."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
