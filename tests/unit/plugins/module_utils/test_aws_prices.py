"""The EBS prices a plan reads (clouds/aws/prices.py) are the ones docs/cost.md tells its readers, and each time-based
copy tier holds the durations its words name: every duration EBS takes, "between 15 minutes and 48 hours ... in 15 minute
increments" (EBS user guide, Time-based copies), is priced at exactly one tier, and a longer one never costs more."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import timed_copy_tier

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# EBS takes a completion duration of 15 minutes to 48 hours, in 15 minute increments.
DURATIONS = range(15, 48 * 60 + 1, 15)


def cost_page():
    with open(os.path.join(ROOT, 'docs', 'cost.md'), encoding='utf-8') as stream:
        return stream.read()


def minutes(words, unit=None):
    """Minutes in a tier's words: '45 minutes', '1 hour', '3 h 45' (or a bare number in ``unit``)."""
    found = re.fullmatch(r'(\d+)(?: (minutes?|hours?|h)(?: (\d+))?)?', words.strip())
    assert found, words
    number, said, extra = found.groups()
    unit = said or unit
    assert unit, words
    return int(number) * (1 if unit.startswith('minute') else 60) + int(extra or 0)


def tier_range(words):
    """(the shortest, the longest) duration in minutes that a tier's words name."""
    if words.endswith(' or more'):
        return minutes(words[: -len(' or more')]), max(DURATIONS)
    low, dummy, high = words.partition(' to ')
    if not high:
        return minutes(low), minutes(low)
    high_minutes = minutes(high)
    unit = re.search(r'(minutes?|hours?|h)', high).group(1)
    return minutes(low, unit), high_minutes


def tier_words(price):
    return re.fullmatch(r'time-based copy fee \((.+)\)', price.what).group(1)


def test_each_duration_is_priced_at_the_one_tier_whose_words_hold_it_and_longer_never_costs_more():
    ranges = {longest: tier_range(tier_words(price)) for longest, price in prices.TIMED_COPY.items()}
    assert all(longest == high for longest, (low, high) in ranges.items()), ranges
    last = None
    for duration in DURATIONS:
        (holding,) = [longest for longest, (low, high) in ranges.items() if low <= duration <= high]
        tier = timed_copy_tier(prices.BOOK, duration)
        assert tier is prices.TIMED_COPY[holding], duration
        assert last is None or tier.usd <= last, duration
        last = tier.usd
    assert timed_copy_tier(prices.BOOK, max(DURATIONS) + 15) is None


def test_the_time_based_copy_tiers_are_the_table_docs_cost_md_gives():
    rows = re.findall(r'^\| ([^|]+?) \| (0\.\d+) \|$', cost_page(), re.M)
    assert rows
    assert {words: float(usd) for words, usd in rows} == {
        tier_words(price): price.usd for price in prices.TIMED_COPY.values()
    }


@pytest.mark.parametrize(
    'price, words',
    [
        (prices.STORAGE, 'standard snapshot storage | 0.05 per GiB-month'),
        (prices.TRANSFER, 'data transfer between regions | 0.02 per GiB'),
        (prices.API_READS, 'EBS direct API reads (`verify`) | 0.003 per 1,000 reads'),
    ],
)
def test_each_ebs_price_is_the_one_docs_cost_md_gives_dated_and_citing_its_page(price, words):
    assert '| AWS | %s |' % words in cost_page()
    usd, unit = re.search(r'\| ([\d.]+) per (.+)$', words).groups()
    assert (price.usd, price.unit) == (float(usd), unit)
    assert price.as_of == prices.AS_OF and price.source.startswith('https://docs.aws.amazon.com/')


def test_the_time_based_copy_quotas_are_ebs_s_in_gib_an_hour():
    """500 MiB/s a copy and 2,000 MiB/s between two regions (EBS user guide, Time-based copies: Quotas), in GiB an hour
    (1 GiB is 1,024 MiB); 20 copies at once a destination (Copy an Amazon EBS snapshot)."""
    assert prices.LIMITS.timed_copy_gib_per_hour == 1757.8125 == 500 * 3600 / 1024
    assert prices.LIMITS.timed_pair_gib_per_hour == 7031.25 == 2000 * 3600 / 1024
    assert prices.LIMITS.in_flight == 20
