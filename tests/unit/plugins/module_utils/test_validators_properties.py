"""Property tests: each validator of names, descriptions and tags accepts exactly what the rules allow.

The rules are written here from the seed documents (/work/shared/seeds: the CopySnapshot pages of
ECS and ENS, CBS's CopySnapshotCrossRegions) and, where those say nothing, from the clouds' own
limits that the modules document (EBS descriptions and tags, CBS names and tags). Each rule is an
oracle of its own, by Unicode category rather than by the str methods the validators use, and
hypothesis looks for any text where oracle and validator disagree.

test_alibaba.py already has properties for the ECS name, the description and the ECS tags of
clouds.alibaba.validate; this file adds the ECS name by Unicode category, the ENS name, retention days,
and the EBS and CBS rules.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import validate as alibaba
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import TAG_RULES as EBS_TAG_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import TAG_RULES as CBS_TAG_RULES
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.tagging import SOURCE_TAG
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.input_rules import accepted

URL_STARTS = ('http://', 'https://')
# Characters from every corner: letters of many scripts, digits of several, numbers that are no
# digits (superscripts, fractions, Roman numerals), marks, punctuation, spaces, symbols.
ANY_CHARACTER = st.characters(blacklist_categories=('Cs',))
TRICKY = st.sampled_from(list('aZé数字ª٣²½Ⅷ:_.-/ @#\u0301\u200b\t'))
TEXT = st.text(st.one_of(ANY_CHARACTER, TRICKY), max_size=140)


def letter(char):
    """A letter of any script (Unicode category L*): what "a letter or a Chinese character" means."""
    return unicodedata.category(char).startswith('L')


def digit(char):
    """A decimal digit (Unicode category Nd), of any script. '²', '½' or 'Ⅷ' are numbers, not digits."""
    return unicodedata.category(char) == 'Nd'


# ---------------------------------------------------------------------------- Alibaba names
def alibaba_name_rule(name, punctuation):
    """ECS (seed 001) and ENS (seed 002) CopySnapshot: 2 to 128 characters, a letter first, then letters,
    digits and the punctuation listed; never http:// or https:// at the start (in any case: refusing
    HTTP:// too is the safe reading)."""
    return (
        2 <= len(name) <= 128
        and letter(name[0])
        and not name.lower().startswith(URL_STARTS)
        and all(letter(char) or digit(char) or char in punctuation for char in name)
    )


@given(TEXT)
@example('a²')
@example('aⅧ')
@example('a٣')
@example('数据')
@settings(max_examples=400)
def test_ecs_name_validator_agrees_with_the_rule(name):
    assert accepted(alibaba.validate_name, name) == alibaba_name_rule(name, ':_.-')


@given(TEXT)
@example('edge.copy')
@example('a½')
@settings(max_examples=400)
def test_ens_name_validator_agrees_with_the_rule(name):
    """ENS lists no period among the characters a name may contain."""
    assert accepted(alibaba.validate_ens_name, name) == alibaba_name_rule(name, ':_-')


NAME_REST = st.lists(
    st.one_of(st.characters(whitelist_categories=('Lu', 'Ll', 'Lo', 'Nd')), st.sampled_from(list(':_-'))),
    min_size=1,
    max_size=127,
)


@given(first=st.characters(whitelist_categories=('Lu', 'Ll', 'Lo')), rest=NAME_REST)
def test_ens_names_built_by_the_rule_are_accepted(first, rest):
    name = first + ''.join(rest)
    assert accepted(alibaba.validate_ens_name, name) == (not name.lower().startswith(URL_STARTS))


@given(
    st.one_of(st.integers(min_value=-10, max_value=70000), st.booleans(), st.none(), st.text(max_size=5), st.floats())
)
def test_retention_days_validator_agrees_with_the_rule(days):
    """ECS RetentionDays (seed 001): a whole number of days from 1 to 65536; no value means none."""
    rule = days is None or (isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= 65536)
    assert accepted(alibaba.validate_retention_days, days) == rule


@given(
    st.one_of(
        st.integers(),
        st.lists(st.text(max_size=3), max_size=2),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3)),
    )
)
def test_alibaba_validators_refuse_what_is_not_text_with_an_input_error(value):
    for validate in (alibaba.validate_name, alibaba.validate_ens_name, alibaba.validate_description):
        assert not accepted(validate, value)


# ---------------------------------------------------------------------------- EBS
def aws_validate(**options):
    request = CopyRequest('snap-0123456789abcdef0', 'us-east-1', ['us-west-2'], options)
    EbsAdapter(client=None).validate(request)


def aws_tags_rule(tags):
    """EC2 tags: keys of 1 to 127 characters (botocore's Tag.Key; the guide's 128 is the looser), not starting with aws:
    (in any case), values of up to 256; 50 tags on a snapshot, one of them the collection's own snapcopy:source."""
    return (
        len(tags) <= 49
        and SOURCE_TAG not in tags
        and all(
            1 <= len(key) <= 127 and not key.lower().startswith('aws:') and len(value) <= 256
            for key, value in tags.items()
        )
    )


TAG_TEXT = st.text(st.one_of(ANY_CHARACTER, TRICKY), max_size=260)
TAG_KEYS = st.one_of(
    st.text(st.one_of(ANY_CHARACTER, TRICKY), max_size=130),
    st.sampled_from(['aws:x', 'AWS:Name', SOURCE_TAG, 'qcloud', '']),
)


@given(st.dictionaries(TAG_KEYS, TAG_TEXT, max_size=52))
@example({'k%d' % number: 'v' for number in range(49)})
@example({'k%d' % number: 'v' for number in range(50)})
@example({'k' * 127: 'v'})
@example({'k' * 128: 'v'})
def test_aws_tag_validator_agrees_with_the_rule(tags):
    assert accepted(EBS_TAG_RULES.validate, tags) == aws_tags_rule(tags)


@given(st.text(st.one_of(ANY_CHARACTER, TRICKY), max_size=300))
@example('d' * 255)
@example('d' * 256)
def test_aws_description_agrees_with_the_rule(description):
    """An EBS snapshot description: at most 255 characters (any of them)."""
    assert accepted(lambda: aws_validate(description=description)) == (len(description) <= 255)


# ---------------------------------------------------------------------------- CBS
def cbs_validate(**options):
    request = CopyRequest('snap-0abc1234', 'ap-guangzhou', ['ap-shanghai'], options)
    CbsAdapter(None).validate(request)


def tencent_tags_rule(tags):
    """Tencent Cloud tags: keys of 1 to 127 characters, not starting with qcloud, tencent, project (the SDK's error codes),
    qcs: or 项目 (the Tag service's use limits), in any case; values of 1 to 255; 50 tags on a resource, one of them
    snapcopy:source."""
    return (
        len(tags) <= 49
        and SOURCE_TAG not in tags
        and all(
            1 <= len(key) <= 127
            and not key.lower().startswith(('qcloud', 'tencent', 'project', 'qcs:', '项目'))
            and 1 <= len(value) <= 255
            for key, value in tags.items()
        )
    )


@given(
    st.dictionaries(
        st.one_of(TAG_KEYS, st.sampled_from(['Tencent-x', 'PROJECT', 'qcloud:a', 'QCS:x', '项目组'])),
        TAG_TEXT,
        max_size=52,
    )
)
@example({'k' * 127: 'v' * 255})
@example({'k': ''})
@example({'k' * 128: 'v'})
def test_tencent_tag_validator_agrees_with_the_rule(tags):
    assert accepted(CBS_TAG_RULES.validate, tags) == tencent_tags_rule(tags)
    assert accepted(lambda: cbs_validate(tags=tags)) == tencent_tags_rule(tags)


@given(st.text(st.one_of(ANY_CHARACTER, TRICKY), max_size=70))
@example('n' * 60)
@example('n' * 61)
def test_cbs_name_agrees_with_the_rule(name):
    """A CBS snapshot name (CopySnapshotCrossRegions' SnapshotName, as CreateSnapshot limits it): 1 to 60 characters."""
    assert accepted(lambda: cbs_validate(name=name)) == (1 <= len(name) <= 60)


# ---------------------------------------------------------------------------- what a refusal says
@pytest.mark.parametrize(
    'validate, value, option',
    [
        (alibaba.validate_name, '1x', 'name'),
        (alibaba.validate_ens_name, 'x.y', 'name'),
        (alibaba.validate_description, 'd', 'description'),
        (alibaba.TAG_RULES.validate, {'acs:x': 'y'}, 'tags'),
        (alibaba.validate_retention_days, 0, 'retention_days'),
        (EBS_TAG_RULES.validate, {'aws:x': 'y'}, 'tags'),
        (CBS_TAG_RULES.validate, {'qcloud': 'y'}, 'tags'),
    ],
)
def test_every_refusal_names_its_option(validate, value, option):
    with pytest.raises(InputError) as info:
        validate(value)
    assert info.value.option == option and str(info.value).startswith(option + ': ')
