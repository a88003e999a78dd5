# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy tags (dr_sync's ``copy_tags``): the keys of a disk's tags that its DR copies carry too, with the disk's values,
so that a DR copy is billed where its disk is (cost-allocation tags).

The rules, written once for every cloud: the named keys are checked before any call (never the collection's own
``snapcopy:`` keys, never a key of the run's fixed ``tags``, and the cloud's key rules); a key the disk does not carry
is not set; a value the cloud would refuse is not set; and the copy tags are the first to give way to the cloud's tag
limit, after the tags the collection needs and room for the marks a later phase writes (COPY_TAG, the verification's,
the drill's): a copy tag that does not fit is reported, the copy is made all the same. A new copy gets its copy tags in
its copy call (phases.copy_requests); the copies found get them, brought up to date, from phases.copy_tags.

Each copy records the keys copy_tags set on it (COPY_TAGS_TAG), in the call that sets them: a later run takes off a
recorded key the copy should no longer carry (the disk no longer carries it, or copy_tags no longer names it), and no
other: a key a person put on the copy, or one of the run's ``tags``, is in no record.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..core.tagging import (
    CHURN_TAG,
    COPY_TAG,
    COPY_TAGS_TAG,
    DIFFERS_TAG,
    DISK_TAG,
    GROUP_TAG,
    POINT_TAG,
    RESTORE_TESTED_TAG,
    SET_TAG,
    SOURCE_TAG,
    SUSPECT_TAG,
    VERIFIED_TAG,
)
from .capabilities import block_part, drill_part

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

    from ..core.tagging import TagRules
    from .capabilities import DrAdapter
    from .settings import DrSettings

# The collection's own tag keys: every one starts so (core.tagging), and no user names one.
OWN_PREFIX = 'snapcopy:'
NOT_ON_DISK = 'the disk does not carry this tag'

# What the report says a run did about a copy's copy tags (its ``action``).
COPIED_WITH = 'copied_with'  # a copy this run made carries them, set in its copy call and read back
WOULD_COPY_WITH = 'would_copy_with'  # check mode: the copy a real run makes would get them in its copy call
TAGGED = (
    'tagged'  # a copy found had them missing or with other values: set; or carried keys no longer copied: taken off
)
WOULD_TAG = 'would_tag'  # check mode: a real run would set them, or take them off
UNCHANGED = 'unchanged'  # the copy carries them as the disk does (or none can be set)
TAG_FAILED = 'failed'  # the cloud refused the tagging (or untagging) call

# The record (COPY_TAGS_TAG's value): the keys, sorted, separated by a space, with a space or a '+' inside a key written
# '+20' or '+2B'. Tencent Cloud allows in a tag value only what it allows in a key (letters, digits, spaces and
# + - = . _ : / @: the Tag service's restrictions, cloud.tencent.com/document/product/651/13354), so no separator that
# a key cannot hold exists there: one is escaped.
_RECORD_ESCAPES = {'+': '+2B', ' ': '+20'}
_RECORD_ESCAPED = re.compile(r'\+(2B|20)')


def check_copy_tags(settings: DrSettings, adapter: DrAdapter) -> None:
    """The named keys, before any call: InputError naming copy_tags for a key no run may set."""
    keys = settings.copy.copy_tags
    for key in keys:
        if not key:
            raise InputError('copy_tags', 'tag keys are not empty')
        if key.lower().startswith(OWN_PREFIX):
            raise InputError(
                'copy_tags',
                'tag key %r: the keys that start with %s are this collection\'s own, set by its runs; they are never '
                'copied from a disk' % (key, OWN_PREFIX),
            )
        if key in (settings.copy.tags or {}):
            raise InputError(
                'copy_tags',
                'tag key %r is in tags too: a copy gets either the value tags gives or the disk\'s, name it in one'
                % key,
            )
    if len(set(keys)) != len(keys):
        raise InputError('copy_tags', 'a tag key is named twice')
    if adapter.copy_tag_rules is not None:
        # The cloud's rules for a key (its reserved prefixes, its length); not how many: a key names what a disk may
        # carry, and the cloud's limit is met per copy (fitting). The values are the disk's, checked per copy too.
        for key in keys:
            adapter.copy_tag_rules.validate_key(key, 'copy_tags')


def own_copy_tags(settings: DrSettings, adapter: DrAdapter) -> tuple[str, ...]:
    """The collection's own tag keys a DR copy of this run may carry: those of its copy call (SOURCE_TAG, DISK_TAG,
    POINT_TAG; with groups GROUP_TAG and SET_TAG; with copy_tags their record) and the marks later phases write."""
    keys = [SOURCE_TAG, DISK_TAG, POINT_TAG]
    if settings.groups.by is not None:
        keys.extend((GROUP_TAG, SET_TAG))
    if settings.copy.copy_tags:
        keys.append(COPY_TAGS_TAG)
    keys.extend(later_marks(adapter, settings.dr_account is not None))
    return tuple(dict.fromkeys(keys))


def check_tag_room(settings: DrSettings, adapter: DrAdapter) -> None:
    """The run's ``tags`` and the collection's own fit in the cloud's tags a snapshot, counted before any call (the copy
    tags give way to the limit per copy: fitting)."""
    rules = adapter.copy_tag_rules
    if rules is not None and settings.copy.tags:
        rules.check_room(settings.copy.tags, own_copy_tags(settings, adapter), 'tags')


def no_tags_reason(adapter: DrAdapter) -> str:
    return '%s keeps no tags on snapshots' % adapter.cloud


def later_marks(adapter: DrAdapter, dr_account: bool = False) -> tuple[str, ...]:
    """The tags a DR run may add to a copy after its copy call (``dr_account``: and its DR account's steps): room is kept
    for them beside the copy tags."""
    marks: list[str] = list(adapter.dr_account_copy_marks) if dr_account else []
    if not adapter.records_copy_source:
        marks.append(COPY_TAG)
    # verify's verdict on a copy that differs from its source, on every cloud (phases.verify).
    marks.append(DIFFERS_TAG)
    if block_part(adapter) is not None:
        marks.extend((VERIFIED_TAG, CHURN_TAG, SUSPECT_TAG))
    if drill_part(adapter) is not None:
        marks.append(RESTORE_TESTED_TAG)
    return tuple(marks)


def disk_copy_tags(named: Sequence[str], disk_tags: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """({key: the disk's value} of the named keys the disk carries, {key: why not set} of those it does not)."""
    return (
        {key: disk_tags[key] for key in named if key in disk_tags},
        {key: NOT_ON_DISK for key in named if key not in disk_tags},
    )


def fitting(
    wanted: Mapping[str, str], present: Mapping[str, Any], rules: TagRules, marks: Sequence[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """({key: value} of ``wanted`` that a snapshot carrying ``present`` takes, {key: why not} of the others): a value
    the cloud refuses is left out, and a new key only while the cloud's limit leaves room beside ``present``, the
    later ``marks`` and the record of the copy tags (COPY_TAGS_TAG). A key already there takes no more room; keys are
    taken in order, the same on every run."""
    own = set(present) | set(marks) | {COPY_TAGS_TAG}
    room = rules.max_tags - len(own)
    fit: dict[str, str] = {}
    left_out: dict[str, str] = {}
    for key in sorted(wanted):
        try:
            rules.validate({key: wanted[key]}, 'copy_tags')
        except InputError as error:
            left_out[key] = 'the disk\'s value cannot be set on a snapshot: %s' % error.message
            continue
        if key in present:
            fit[key] = wanted[key]
        elif room > 0:
            fit[key] = wanted[key]
            room -= 1
        else:
            left_out[key] = (
                'no room: %s allows %d tags on a snapshot, and the copy carries or keeps room for %d of its own'
                % (rules.cloud, rules.max_tags, len(own))
            )
    return fit, left_out


def copy_call_tags(
    wanted: Mapping[str, str], tags: Mapping[str, str], rules: TagRules, marks: Sequence[str]
) -> dict[str, str]:
    """The copy tags a new copy's call carries beside its ``tags`` (``wanted`` as fitting takes them), and with them
    their record (COPY_TAGS_TAG): one call sets both."""
    fit = fitting(wanted, tags, rules, marks)[0]
    value = record_value(fit, rules.value_length)[0]
    return dict(fit, **{COPY_TAGS_TAG: value}) if value else fit


def record_value(keys: Iterable[str], limit: int) -> tuple[str, tuple[str, ...]]:
    """(COPY_TAGS_TAG's value listing ``keys``, at most ``limit`` characters (the cloud's longest tag value: EC2 256,
    ECS 128, Tencent 255); the keys it has no room for). Keys are taken in order, the same on every run; a key left out
    is still set, but no later run takes it off."""
    words: list[str] = []
    left_out: list[str] = []
    length = -1  # no separator before the first
    for key in sorted(set(keys)):
        word = ''.join(_RECORD_ESCAPES.get(char, char) for char in key)
        if length + 1 + len(word) <= limit:
            words.append(word)
            length += 1 + len(word)
        else:
            left_out.append(key)
    return ' '.join(words), tuple(left_out)


def recorded_keys(value: str | None) -> set[str]:
    """The keys a copy's COPY_TAGS_TAG value lists (record_value's), none without one."""
    return {
        _RECORD_ESCAPED.sub(lambda match: ' ' if match.group(1) == '20' else '+', word)
        for word in (value or '').split(' ')
        if word
    }


def _ours_to_take_off(key: str, kept: Collection[str]) -> bool:
    # Never a key of the run's fixed tags (the tags option sets it now), nor one of the collection's own.
    return key not in kept and not key.lower().startswith(OWN_PREFIX)


def stale_keys(
    recorded: Collection[str], wanted: Mapping[str, str], carried: Mapping[str, str], kept: Collection[str]
) -> tuple[str, ...]:
    """The keys to take off a copy that carries ``carried``: those a run set on it earlier (``recorded``) that are copy
    tags no more (not in ``wanted``: the disk no longer carries them, or copy_tags no longer names them), never a key of
    ``kept`` (the run's ``tags``) nor one of the collection's own."""
    return tuple(
        sorted(key for key in recorded if key in carried and key not in wanted and _ours_to_take_off(key, kept))
    )


def record_keys(
    recorded: Collection[str], wanted: Mapping[str, str], carried: Mapping[str, str], kept: Collection[str]
) -> set[str]:
    """The keys a copy's record lists once it carries ``carried``: the copy tags it carries with the disk's value, and
    the keys recorded before that it still carries (a value the cloud refuses, a key whose taking off failed)."""
    return {key for key, value in wanted.items() if carried.get(key) == value} | {
        key for key in recorded if key in carried and _ours_to_take_off(key, kept)
    }


def copy_tag_record(
    action: str, tags: Mapping[str, str], not_set: Mapping[str, str], removed: Iterable[str] = ()
) -> dict[str, Any]:
    """A copy's copy tags as the report shows them: what the run did, the tags it set (or would set, or found set by
    its copy call), {key: why not set}, the keys it took off (or would) and {key: why not taken off}."""
    return {
        'action': action,
        'set': dict(sorted(tags.items())),
        'not_set': dict(sorted(not_set.items())),
        'removed': sorted(removed),
        'not_removed': {},
    }
