"""The record of the copy tags on a DR copy (dr.copy_tags, COPY_TAGS_TAG; issue 60): the keys copy_tags set, written in
the call that sets them, so that a later run takes off those the disk no longer carries and no other key."""

from __future__ import annotations

from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.validate import TAG_RULES as ECS_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import TAG_RULES as EBS_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import TAG_RULES as CBS_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import COPY_TAGS_TAG, DISK_TAG
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.copy_tags import (
    copy_call_tags,
    record_keys,
    record_value,
    recorded_keys,
    stale_keys,
)

# What Tencent Cloud allows in a tag key and value (letters, digits, spaces and + - = . _ : / @): the record must be
# written with these alone.
TENCENT_CHARACTERS = 'abcXYZ019 +-=._:/@'
KEYS = st.sets(st.text(alphabet=TENCENT_CHARACTERS, min_size=1, max_size=20), max_size=12)


@given(KEYS)
def test_a_record_lists_its_keys_back_whatever_they_hold(keys):
    value, left_out = record_value(keys, 10_000)
    assert left_out == () and recorded_keys(value) == keys
    assert all(char.isalnum() or char in ' +-=._:/@' for char in value) and value == value.strip()


@given(KEYS, st.sampled_from([EBS_RULES, ECS_RULES, CBS_RULES]))
def test_a_record_fits_the_clouds_value_and_names_the_keys_it_has_no_room_for(keys, rules):
    value, left_out = record_value(keys, rules.value_length)
    assert len(value) <= rules.value_length
    assert recorded_keys(value) | set(left_out) == keys and not recorded_keys(value) & set(left_out)
    assert record_value(keys, rules.value_length) == (value, left_out)  # the same on every run
    # A key is left out only when it has no room: beside the value as it ends, its word and a space pass the limit.
    for key in left_out:
        assert len(value) + 1 + len(record_value([key], 10_000)[0]) > rules.value_length, (key, value)


def test_keys_that_fill_the_value_exactly_are_all_recorded():
    keys = {'a' * 31, 'b' * 31, 'c' * 31, 'd' * 32}  # 31 * 3 + 32 and three spaces: ECS's 128 characters
    value, left_out = record_value(keys, ECS_RULES.value_length)
    assert left_out == () and len(value) == ECS_RULES.value_length and recorded_keys(value) == keys


def test_ecs_records_128_characters_of_keys_the_rest_is_set_but_not_recorded():
    keys = {'key-%02d-%s' % (number, 'x' * 20) for number in range(6)}  # 27 characters each
    value, left_out = record_value(keys, ECS_RULES.value_length)
    assert len(recorded_keys(value)) == 4 and len(left_out) == 2 and len(value) == 4 * 27 + 3


def test_only_recorded_keys_the_copy_carries_are_taken_off_never_the_tags_options_nor_the_collections():
    carried = {'team': 'a', 'hand': 'b', 'billing': 'c', 'fixed': 'd', DISK_TAG: 'r/d', 'owner': 'e'}
    recorded = {'team', 'gone', 'fixed', DISK_TAG, 'owner'}
    wanted = {'owner': 'e'}
    assert stale_keys(recorded, wanted, carried, kept={'fixed'}) == ('team',)
    assert record_keys(recorded, wanted, carried, kept={'fixed'}) == {'owner', 'team'}


def test_a_copy_call_carries_the_record_of_the_copy_tags_it_sets_and_none_without():
    tags = {DISK_TAG: 'r/d'}
    assert copy_call_tags({'team': 'a', 'cost center': 'b'}, tags, ECS_RULES, ()) == {
        'team': 'a',
        'cost center': 'b',
        COPY_TAGS_TAG: 'cost+20center team',
    }
    assert copy_call_tags({}, tags, ECS_RULES, ()) == {}
