"""Tags between the user's dict and each cloud's shapes (core.tagging), and the ENS description marker."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import (
    DISK_TAG,
    SOURCE_TAG,
    TagRules,
    marked_description,
    numbered_tags,
    source_tag_last,
    split_marker,
    string_tags,
    tag_dict,
    tag_list,
)

TAGS = st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=20), max_size=8)


@pytest.mark.parametrize(
    'answer',
    [
        [{'Key': 'env', 'Value': 'prod'}, {'Key': 'empty'}],  # EC2, CBS
        {'Tag': [{'TagKey': 'env', 'TagValue': 'prod'}, {'TagKey': 'empty', 'TagValue': None}]},  # ECS
        {'Tags': [{'Key': 'env', 'Value': 'prod'}, {'Key': 'empty', 'Value': ''}]},  # ENS DescribeDisks
    ],
)
def test_every_cloud_shape_reads_as_the_same_dict(answer):
    assert tag_dict(answer) == {'env': 'prod', 'empty': ''}


@pytest.mark.parametrize('answer', [None, [], {}, {'Tag': None}, ['not a pair', {'Value': 'no key'}]])
def test_no_tags_or_broken_pairs_read_as_no_tags(answer):
    assert tag_dict(answer) == {}


@given(TAGS)
def test_list_and_dict_are_inverse(tags):
    assert tag_dict(tag_list(tags)) == tags
    assert tag_dict(tag_list(tags, 'TagKey', 'TagValue')) == tags
    assert [pair['Key'] for pair in tag_list(tags)] == sorted(tags)


def test_numbered_tags_are_rpc_parameters_sorted_by_key():
    assert numbered_tags({'b': '2', 'a': '1'}) == {
        'Tag.1.Key': 'a',
        'Tag.1.Value': '1',
        'Tag.2.Key': 'b',
        'Tag.2.Value': '2',
    }
    assert numbered_tags({}) == {}


def test_a_numbered_tag_without_a_value_is_a_filter_on_its_key_alone():
    assert numbered_tags({'b': None, 'a': ''}) == {'Tag.1.Key': 'a', 'Tag.1.Value': '', 'Tag.2.Key': 'b'}


def test_pairs_keep_their_order_in_a_tag_list():
    pairs = source_tag_last({SOURCE_TAG: 'r/s', 'z': '1', 'a': '2'})
    assert tag_list(pairs, 'TagKey', 'TagValue') == [
        {'TagKey': 'a', 'TagValue': '2'},
        {'TagKey': 'z', 'TagValue': '1'},
        {'TagKey': SOURCE_TAG, 'TagValue': 'r/s'},
    ]


def test_string_tags_and_source_tag_last():
    assert string_tags({1: True, 'n': None, 'x': 2.5}) == {'1': 'True', 'n': '', 'x': '2.5'}
    pairs = source_tag_last({SOURCE_TAG: 'r/s', 'z': '1', 'a': '2'})
    assert pairs == [('a', '2'), ('z', '1'), (SOURCE_TAG, 'r/s')]


@given(st.one_of(st.none(), st.text(min_size=1, max_size=40).filter(lambda text: '[' not in text)))
def test_the_marker_comes_back_out_of_the_description(description):
    tags = {SOURCE_TAG: 'cn-a/sp-1', DISK_TAG: 'cn-a/d-1', 'other': 'not in the marker'}
    text = marked_description(description, tags)
    assert split_marker(text) == (
        (description.rstrip() or None) if description else None,
        {SOURCE_TAG: 'cn-a/sp-1', DISK_TAG: 'cn-a/d-1'},
    )


RULES = TagRules('Cloud X', max_tags=4, key_length=5, value_length=6, reserved_prefixes=('sys:',))


@pytest.mark.parametrize(
    'tags, words',
    [
        (
            {'d': '4', 'a': '1', 'b': '2', 'c': '3'},
            'Cloud X allows 4 tags on a snapshot and this collection needs 1 of them for its own (snapcopy:source), '
            'which leaves 3; over the limit: d',
        ),
        ({1: 'a', '1': 'b'}, "'1' is given twice"),
        ({SOURCE_TAG: 'x'}, 'set by this collection'),
        ({'': 'v'}, 'tag keys are 1 to 5 characters'),
        ({'kkkkkk': 'v'}, 'tag keys are 1 to 5 characters'),
        ({'SYS:a': 'v'}, 'reserved by Cloud X'),
        ({'k': 'v' * 7}, 'values are at most 6 characters'),
        (['k'], 'must be a dictionary'),
    ],
)
def test_rules_refuse_with_the_option_and_the_reason(tags, words):
    with pytest.raises(InputError) as refused:
        RULES.validate(tags, option='resource_tags')
    assert refused.value.option == 'resource_tags' and words in str(refused.value)


def test_rules_accept_the_limits_and_nothing():
    RULES.validate({'kkkkk': 'v' * 6, 'n': None, 2: 3})
    RULES.validate(None)
    RULES.validate({})
    TagRules(
        'Y', max_tags=4, key_length=5, value_length=6, reserved_prefixes=('sys:',), prefixes_ignore_case=False
    ).validate({'SYS:a': 'v'})
    with pytest.raises(InputError):
        TagRules('Y', max_tags=4, key_length=5, value_length=6, reserved_prefixes=('sys:',), values_too=True).validate(
            {'k': 'sys:v'}
        )
    with pytest.raises(InputError):
        TagRules(
            'Y', max_tags=4, key_length=9, value_length=9, reserved_prefixes=(), forbidden_inside=('http://',)
        ).validate({'a HTTP://b': ''})
