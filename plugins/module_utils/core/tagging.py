# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags: the one home for their shapes and their rules.

Users give tags as a dict. The clouds carry them as lists of pairs whose field names differ per
API (vendor models): EC2 and CBS ``[{Key, Value}]``; ECS answers ``{Tag: [{TagKey, TagValue}]}``
and ENS's DescribeDisks ``{Tags: [{Key, Value}]}``; Tencent's TagResources takes ``[{TagKey,
TagValue}]``; ECS's RPC requests take ``Tag.N.Key`` and ``Tag.N.Value``. What each cloud accepts
is a TagRules, with its source where it is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InputError

# The tag that names a copy's source on every cloud: "<source region>/<source snapshot id>".
# Adapters write it on each copy they make and look copies up by it; the DR role prunes only
# snapshots that carry it.
SOURCE_TAG = 'snapcopy:source'

# The tag that names the disk of a DR copy ("<source region>/<disk id>"), set by dr_sync so that
# pruning can keep and drop copies per disk even after the source snapshots are gone.
DISK_TAG = 'snapcopy:disk'

# On a DR copy of a disk of a consistency group (dr.groups): the group (its instance's id, or the value of its tag key)
# and the set its source snapshot is of, so that a later run, a person and dr_posture_info find the whole set.
GROUP_TAG = 'snapcopy:group'
SET_TAG = 'snapcopy:set'
# On a DR copy whose blocks a run read beside its source's and found the same (dr.verify): when, and the sample.
VERIFIED_TAG = 'snapcopy:verified'
# On a DR copy whose source a run compared with the source of the disk's copy before it (dr.verify's churn alarm): the
# share of the disk's blocks rewritten between the two (a decimal, 0 to 1), so that later runs know the disk's usual share.
CHURN_TAG = 'snapcopy:churn'
# On a DR copy whose source rewrote far more of the disk than usual (ransomware rewrites everything): why. The newest
# copy without it is the disk's last known good one, which pruning keeps; a person who finds the copy sound takes it off.
SUSPECT_TAG = 'snapcopy:suspect'
# CHURN_TAG's value on a DR copy whose rewrite could not be measured (a read refused, a source gone): in doubt as a
# suspect copy is (dr.points), until a later run measures it or a person takes the mark off.
UNMEASURED = 'unmeasured'
# On a DR copy whose blocks, or what its cloud states of it, a run found to differ from its source (dr.verify): why. Such a
# copy restores the wrong data: no surface counts it, later runs read the verdict here (dr.points), and pruning keeps the
# last good copy beside it; a person deletes it (the next run copies the source again) or takes the mark off.
DIFFERS_TAG = 'snapcopy:differs'
# On a DR copy: when its source snapshot was taken, as the source's cloud dates it ("2026-11-22T18:14:00Z"): the copy's
# recovery point, which orders a disk's copies (dr.points) even once a person has deleted the source.
POINT_TAG = 'snapcopy:point'


# On a DR copy where the cloud records no link to the copy's source (EBS, CBS): the copy's own id, written by the DR
# run once the cloud has named the copy. Our other tags can be copied along with a copy; this one then names another
# id, so a person's copy of a DR copy is never taken for a DR copy (and never pruned).
COPY_TAG = 'snapcopy:copy'
# On a DR copy, the keys of its disk's tags that dr_sync's copy_tags set on it (dr.copy_tags writes and reads the list):
# a later run takes off those the disk no longer carries, and only those. Without it a run could not tell a key it set
# from one a person or the ``tags`` option put on the copy, and a disk's tag renamed would stay on its copies for good.
COPY_TAGS_TAG = 'snapcopy:copy-tags'
# On a source snapshot a DR run shared with its DR account (dr_account), the account's id: the run that finds it with no
# copy of the snapshot in flight removes the share and the tag. A share a person made carries no such tag, and stays.
SHARE_TAG = 'snapcopy:shared-with'
# The three kinds of a run's lease on a source snapshot, one tag a run (the prefix, then the run's id), whose value
# names until when (core.cloud_clock.stamp); their vocabulary is dr.leases'. The keys are those of earlier releases,
# whose runs read them alone and must see this release's leases.
# The share lease, on such a source, per DR run that needs the share: the time by which that run is over and its DR
# regions (dr.leases.shares). The share goes only when no lease of a run that may still be under way is left. Its
# key says "claim", the word of the release that made it.
SHARE_LEASE_TAG_PREFIX = 'snapcopy:share-claim:'
# The release tag, on such a source while a run takes its share back: a run that leases the share meanwhile waits for it
# to go before it copies (dr.leases.shares).
RELEASE_TAG_PREFIX = 'snapcopy:share-release:'
# The copy lease, around each copy call, one tag a run and DR region (dr.leases.copies).
COPY_LEASE_TAG_PREFIX = 'snapcopy:copy-lease:'
# Tencent Cloud CBS with dr_account (clouds.tencent.cbs_dr_account): on the DR account's bridge disk, made from a staged
# copy shared with it, and on the DR account's copy, a snapshot of that disk, the staged copy's id. It links the three
# across a killed run.
STAGED_FROM_TAG = 'snapcopy:staged-from'


def with_copy_mark(tags: dict[str, str], copy_id: str) -> dict[str, str]:
    """The tags to write on the copy ``copy_id``: a DR run's copy (it carries DISK_TAG) names itself in COPY_TAG."""
    return dict(tags, **{COPY_TAG: copy_id}) if DISK_TAG in tags else tags


# The restore drill's marks (see dr.drill): on a test disk, the drill's id, its DR scope and the copy it
# is made from; on a DR copy, when a drill last restored it ("20261122T181400Z", core.cloud_clock.stamp).
RESTORE_RUN_TAG = 'snapcopy:restore-test'
RESTORE_SCOPE_TAG = 'snapcopy:restore-scope'
RESTORE_COPY_TAG = 'snapcopy:restore-copy'
RESTORE_TESTED_TAG = 'snapcopy:restore-tested'
# On a test disk: the time ("20261122T191400Z", core.cloud_clock.stamp) by which the run that made it is over, whatever
# it waits for. Until
# then no other run deletes it as a leftover: two runs of one scope at once leave each other's disks alone.
RESTORE_UNTIL_TAG = 'snapcopy:restore-until'
# On a test disk the drill attaches for the user's checks (restore_test_host): the instance's id, the one instance the
# drill ever detaches it from (dr.drill_host).
RESTORE_HOST_TAG = 'snapcopy:restore-host'

# Where a cloud keeps no tags on a snapshot (ENS), the copy's description carries them instead,
# at its end: "[snapcopy source=<region>/<id> disk=<region>/<disk id> tested=<time>]".
MARKER_KEYS = {SOURCE_TAG: 'source', DISK_TAG: 'disk', RESTORE_TESTED_TAG: 'tested'}
_MARKER = re.compile(r'\s*\[snapcopy((?: [a-z]+=[^\s\[\]]+)+)\]\s*$')


def description_marker(tags: Mapping[str, str]) -> str:
    """The marker for the description of a copy with ``tags`` (only the MARKER_KEYS go in it)."""
    fields = ['%s=%s' % (word, tags[key]) for key, word in MARKER_KEYS.items() if tags.get(key)]
    return '[snapcopy %s]' % ' '.join(fields)


def marked_description(description: str | None, tags: Mapping[str, str]) -> str:
    """``description`` (may be None) with the marker of ``tags`` after it."""
    marker = description_marker(tags)
    return '%s %s' % (description, marker) if description else marker


def split_marker(description: str | None) -> tuple[str | None, dict[str, str]]:
    """(the description without its marker or None, {tag key: value} of the marker; {} when it has none)."""
    text = description or ''
    match = _MARKER.search(text)
    if match is None:
        return text or None, {}
    words = {word: key for key, word in MARKER_KEYS.items()}
    tags: dict[str, str] = {}
    for field in match.group(1).split():
        word, dummy, value = field.partition('=')
        if word in words:
            tags[words[word]] = value
    return text[: match.start()] or None, tags


def string_tags(tags: Mapping[Any, Any] | None) -> dict[str, str]:
    """Tags as the clouds store them: text keys and values (YAML may give numbers, booleans or null)."""
    return {str(key): '' if value is None else str(value) for key, value in (tags or {}).items()}


def tag_list(
    tags: dict[str, str] | Iterable[tuple[str, str]], key: str = 'Key', value: str = 'Value'
) -> list[dict[str, str]]:
    """``{key: value}`` as the cloud's list of pairs, sorted by key (requests are then the same on every run);
    (key, value) pairs (source_tag_last's) keep their order."""
    pairs = sorted(tags.items()) if isinstance(tags, dict) else tags
    return [{key: tag_key, value: tag_value} for tag_key, tag_value in pairs]


def numbered_tags(tags: Mapping[str, str | None], prefix: str = 'Tag') -> dict[str, str]:
    """``{key: value}`` as RPC parameters ``Tag.1.Key``, ``Tag.1.Value``, ... sorted by key. A value of None, as in
    a tag selector, matches any value: only the key is sent (a filter on the key alone)."""
    params: dict[str, str] = {}
    for number, (tag_key, tag_value) in enumerate(sorted(tags.items()), start=1):
        params['%s.%d.Key' % (prefix, number)] = tag_key
        if tag_value is not None:
            params['%s.%d.Value' % (prefix, number)] = tag_value
    return params


def tag_dict(tags: Any) -> dict[str, str]:
    """A cloud's tags as ``{key: value}``: a list of ``{Key, Value}`` or ``{TagKey, TagValue}`` pairs, or
    that list inside Alibaba's wrapper (``{Tag: [...]}`` or ``{Tags: [...]}``). A missing value is ''."""
    if isinstance(tags, dict):
        tags = tags.get('Tag') or tags.get('Tags') or []
    result: dict[str, str] = {}
    for tag in tags or []:
        if not isinstance(tag, dict):
            continue
        tag_key = tag.get('Key', tag.get('TagKey'))
        if tag_key is not None:
            result[tag_key] = tag.get('Value', tag.get('TagValue')) or ''
    return result


def matches_selector(tags: Mapping[str, str], selector: Mapping[str, str | None]) -> bool:
    """Whether ``tags`` carry every key of ``selector`` with its value (a value of None: any value)."""
    return all(key in tags and (value is None or tags[key] == str(value)) for key, value in selector.items())


def tag_filters(selector: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """A tag selector as EC2's and CBS's describe filters: tag:KEY for a value, tag-key for any value."""
    return [
        {'Name': 'tag:%s' % key, 'Values': [str(value)]} if value is not None else {'Name': 'tag-key', 'Values': [key]}
        for key, value in sorted(selector.items())
    ]


def source_tag_last(tags: Mapping[str, str]) -> list[tuple[str, str]]:
    """``tags`` as (key, value) pairs, SOURCE_TAG last: a cloud that tags in several calls writes it
    last, so that a copy carrying it carries all its tags."""
    pairs = sorted((key, value) for key, value in tags.items() if key != SOURCE_TAG)
    if SOURCE_TAG in tags:
        pairs.append((SOURCE_TAG, tags[SOURCE_TAG]))
    return pairs


class TagRules:
    """What one cloud accepts as the tags of a snapshot, checked before any call.

    One of the cloud's ``max_tags`` is the collection's SOURCE_TAG, which users may not set (a DR run needs more of
    them: check_room). Keys (and with ``values_too`` values) must not start with ``reserved_prefixes`` (compared
    without case when ``prefixes_ignore_case``) nor contain ``forbidden_inside`` (never with case). Values are
    ``min_value_length`` to ``value_length`` characters. Keys that become the same text (``1`` and ``"1"`` in YAML)
    are refused as given twice.
    """

    # pylint: disable-next=too-many-arguments
    def __init__(
        self,
        cloud: str,
        *,
        max_tags: int,
        key_length: int,
        value_length: int,
        reserved_prefixes: Iterable[str],
        prefixes_ignore_case: bool = True,
        values_too: bool = False,
        forbidden_inside: Iterable[str] = (),
        min_value_length: int = 0,
    ) -> None:
        self.cloud = cloud
        self.max_tags = max_tags
        self.key_length = key_length
        self.value_length = value_length
        self.min_value_length = min_value_length
        self.reserved_prefixes = tuple(reserved_prefixes)
        self.prefixes_ignore_case = prefixes_ignore_case
        self.values_too = values_too
        self.forbidden_inside = tuple(forbidden_inside)

    def validate(self, tags: object, option: str = 'tags') -> None:
        """``tags`` as the user gave them (a dict; keys and values may be numbers or booleans from YAML)."""
        if not tags:
            return
        if not isinstance(tags, dict):
            raise InputError(option, 'must be a dictionary of tag keys and values')
        self.check_room(tags, (SOURCE_TAG,), option)
        seen: set[str] = set()
        for raw_key, raw_value in tags.items():
            key = str(raw_key)
            if key in seen:
                raise InputError(option, 'tag key %r is given twice' % key)
            seen.add(key)
            if key == SOURCE_TAG:
                raise InputError(
                    option, 'tag key %s is set by this collection to name the source; do not set it' % SOURCE_TAG
                )
            self.validate_key(key, option)
            value = '' if raw_value is None else str(raw_value)
            if not self.min_value_length <= len(value) <= self.value_length:
                if self.min_value_length:
                    raise InputError(
                        option,
                        'tag %r: values are %d to %d characters on %s, got %d'
                        % (key, self.min_value_length, self.value_length, self.cloud, len(value)),
                    )
                raise InputError(option, 'tag %r: values are at most %d characters' % (key, self.value_length))
            if self.values_too:
                self._check_text(option, 'value of %r' % key, value)

    def validate_key(self, key: str, option: str = 'tags') -> None:
        """A key alone: its length and what it must not start with or contain."""
        if not key or len(key) > self.key_length:
            raise InputError(option, 'tag keys are 1 to %d characters, got %r' % (self.key_length, key))
        self._check_text(option, 'key', key)

    def check_room(self, tags: Mapping[Any, Any], own: Iterable[str], option: str = 'tags') -> None:
        """That ``tags`` fit beside the collection's ``own`` tag keys in the cloud's ``max_tags`` a resource, counted
        before any call: an InputError naming the tags over the limit (the last ones in key order: requests send tags
        sorted by key) and how many the collection needs for itself."""
        needed = sorted(set(own))
        room = self.max_tags - len(needed)
        if len(tags) <= room:
            return
        keys = sorted(str(key) for key in tags)
        over = keys[max(room, 0) :]
        raise InputError(
            option,
            '%d tags given, %d too many: %s allows %d tags on a snapshot and this collection needs %d of them for its '
            'own (%s), which leaves %d; over the limit: %s'
            % (
                len(keys),
                len(over),
                self.cloud,
                self.max_tags,
                len(needed),
                ', '.join(needed),
                max(room, 0),
                ', '.join(over),
            ),
        )

    def _check_text(self, option: str, what: str, text: str) -> None:
        start = text.lower() if self.prefixes_ignore_case else text
        if start.startswith(self.reserved_prefixes):
            raise InputError(
                option,
                'tag %s %r: %s at the start are reserved by %s'
                % (what, text, ' and '.join(self.reserved_prefixes), self.cloud),
            )
        if any(forbidden in text.lower() for forbidden in self.forbidden_inside):
            raise InputError(option, 'tag %s %r must not contain %s' % (what, text, ' or '.join(self.forbidden_inside)))
