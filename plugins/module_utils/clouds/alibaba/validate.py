# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input rules of Alibaba Cloud's CopySnapshot (ECS and ENS), checked before any call.

Each validator takes a value and the option's name, returns nothing, and raises InputError
naming the option. They are pure functions, so property tests can drive them directly.

Rules, from the CopySnapshot references:
* name: 2 to 128 characters; starts with a letter (Chinese characters count as letters);
  then letters, digits, colons, underscores, hyphens, and on ECS also periods; never
  ``http://`` or ``https://`` at the start. ENS does not list periods, so they are refused.
* description: 2 to 256 characters, not starting with ``http://`` or ``https://``.
* tags (ECS): keys 1 to 128 characters, not starting with ``acs:`` or ``aliyun``, not
  containing ``http://`` or ``https://``; values up to 128 characters (may be empty), with
  the same rules. Keys are case-sensitive on Alibaba Cloud, so ``Env`` and ``env`` are two
  keys; two keys that become the same text (``1`` and ``"1"`` in YAML) are duplicates.
  At most 20 tags on a snapshot, one of which is ``snapcopy:source``.
* retention_days (ECS): 1 to 65536.
"""

from __future__ import annotations

import re

from ...core.errors import InputError
from ...core.tagging import TagRules

URL_PREFIXES = ('http://', 'https://')
# Tag rules of ECS's CopySnapshot and TagResources references (see this docstring); ENS follows them.
TAG_RULES = TagRules(
    'Alibaba Cloud',
    max_tags=20,
    key_length=128,
    value_length=128,
    reserved_prefixes=('acs:', 'aliyun'),
    prefixes_ignore_case=False,
    values_too=True,
    forbidden_inside=URL_PREFIXES,
)
ECS_NAME_EXTRA = ':_.-'
ENS_NAME_EXTRA = ':_-'
ECS_SNAPSHOT_ID = re.compile(r'^s-[0-9a-zA-Z]+\Z')
ENS_SNAPSHOT_ID = re.compile(r'^sp-[0-9a-zA-Z]+\Z')
REGION_ID = re.compile(r'^[a-z]{2,}(?:-[a-z0-9]+)+\Z')


def validate_name(value: object, option: str = 'name', allowed_punctuation: str = ECS_NAME_EXTRA) -> None:
    """A snapshot name: see the module docstring. ``allowed_punctuation`` differs between ECS and ENS."""
    if value is None:
        return
    if not isinstance(value, str):
        raise InputError(option, 'must be text, got %r' % (value,))
    if value.lower().startswith(URL_PREFIXES):
        raise InputError(option, 'must not start with http:// or https://, got %r' % value)
    if not 2 <= len(value) <= 128:
        raise InputError(option, 'must be 2 to 128 characters long, got %d' % len(value))
    if not value[0].isalpha():
        raise InputError(option, 'must start with a letter, got %r' % value)
    # Digits are decimal digits: isalnum() would also let through numbers like '²', '½' or 'Ⅷ'.
    bad = sorted({char for char in value if not (char.isalpha() or char.isdecimal() or char in allowed_punctuation)})
    if bad:
        raise InputError(
            option,
            'may contain only letters, digits and %s; %r has %s'
            % (' '.join(allowed_punctuation), value, ' '.join(repr(char) for char in bad)),
        )


def validate_ens_name(value: object, option: str = 'name') -> None:
    validate_name(value, option, ENS_NAME_EXTRA)


def validate_description(value: object, option: str = 'description') -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InputError(option, 'must be text, got %r' % (value,))
    if not 2 <= len(value) <= 256:
        raise InputError(option, 'must be 2 to 256 characters long, got %d' % len(value))
    if value.lower().startswith(URL_PREFIXES):
        raise InputError(option, 'must not start with http:// or https://')


def validate_retention_days(value: object, option: str = 'retention_days') -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65536:
        raise InputError(option, 'must be a whole number of days from 1 to 65536, got %r' % (value,))


def validate_snapshot_id(
    value: object, pattern: re.Pattern[str], example: str, option: str = 'source_snapshot_id'
) -> None:
    if not isinstance(value, str) or not pattern.match(value):
        raise InputError(option, 'expected a snapshot id like %s, got %r' % (example, value))


def validate_region(value: object, option: str, what: str = 'a region id like cn-hangzhou') -> None:
    if not isinstance(value, str) or not REGION_ID.match(value):
        raise InputError(option, 'expected %s, got %r' % (what, value))
