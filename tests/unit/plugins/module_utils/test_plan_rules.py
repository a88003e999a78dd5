"""The plan's rules (dr/plan.py), searched by Hypothesis: a copy is full exactly where the cloud's rules make it so; its
bytes are the cloud's or measured figure, else the disk's size said to be an upper bound; the cost's sums are the sums of
its lines and a price nobody publishes is never a silent zero; more copies never take less time. These tests import
neither an SDK nor ansible-core."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import prices as alibaba
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices as aws
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import prices as tencent
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPLETED, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.plan import changed_bytes, key_changed
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import (
    CHANGED_BLOCKS,
    DISK_SIZE,
    EARLIER_ARCHIVED,
    FIRST_COPY,
    FULL_SNAPSHOT_SIZE,
    GIB,
    KEY_CHANGED,
    MONTH,
    ONCE,
    UNLISTED,
    CopyFacts,
    CopyLimits,
    CopyRules,
    Price,
    PriceBook,
    copy_time,
    cost,
    cost_lines,
    given_prices,
    planned_copy,
    priced_book,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.verify import BLOCK_BYTES

REGIONS = ('eu-west-1', 'us-west-2', 'ap-southeast-1')
SIZES = st.one_of(st.none(), st.integers(min_value=0, max_value=16 * 1024 * GIB))


def price(what, per, usd=0.05, note=None):
    return Price(
        what, 'GiB-month' if per == MONTH else 'GiB', usd, per, '2026-11-01', 'https://example.com/' + what, note
    )


BOOK = PriceBook(storage=price('storage', MONTH), transfer=price('transfer', ONCE, 0.02))
facts = st.builds(
    CopyFacts,
    disk_id=st.sampled_from(['vol-1', 'vol-2', 'vol-3']),
    region=st.sampled_from(REGIONS),
    snapshot_id=st.just('snap-1'),
    disk_bytes=SIZES,
    full_bytes=SIZES,
    changed_bytes=SIZES,
    earlier_copy=st.sampled_from([True, False, None]),
    key_changed=st.booleans(),
    earlier_archived=st.booleans(),
)
rules = st.builds(
    CopyRules,
    key_change_is_full=st.booleans(),
    archived_earlier_is_full=st.booleans(),
    always_full=st.sampled_from([None, 'not said to be incremental']),
)


@given(facts, rules)
def test_a_copy_is_full_exactly_where_the_clouds_rules_make_it_so(copy_facts, copy_rules):
    planned = planned_copy(copy_facts, copy_rules)
    key_full = copy_rules.key_change_is_full and copy_facts.key_changed
    archive_full = copy_rules.archived_earlier_is_full and copy_facts.earlier_archived
    should_be_full = not copy_facts.earlier_copy or key_full or archive_full or bool(copy_rules.always_full)
    assert planned.full is should_be_full
    assert (planned.why_full is None) is (not planned.full)
    if planned.full:
        expected = (
            UNLISTED
            if copy_facts.earlier_copy is None
            else FIRST_COPY
            if not copy_facts.earlier_copy
            else KEY_CHANGED
            if key_full
            else EARLIER_ARCHIVED
            if archive_full
            else copy_rules.always_full
        )
        assert planned.why_full == expected


@given(facts, rules)
def test_a_copys_bytes_are_the_clouds_or_measured_figure_else_the_disks_size_said_to_be_so(copy_facts, copy_rules):
    planned = planned_copy(copy_facts, copy_rules)
    if not planned.full and copy_facts.changed_bytes is not None:
        assert (planned.bytes, planned.bytes_from) == (copy_facts.changed_bytes, CHANGED_BLOCKS)
    elif copy_facts.full_bytes is not None:
        # A full copy's bytes; an incremental one's upper bound where its changes were not measured.
        assert (planned.bytes, planned.bytes_from) == (copy_facts.full_bytes, FULL_SNAPSHOT_SIZE)
    elif copy_facts.disk_bytes is not None:
        assert (planned.bytes, planned.bytes_from) == (copy_facts.disk_bytes, DISK_SIZE)
    else:
        assert (planned.bytes, planned.bytes_from) == (None, None)


@given(st.lists(st.tuples(facts, rules), max_size=12), st.integers(min_value=0, max_value=10**6), st.booleans())
def test_the_sums_are_the_sums_of_the_lines_and_an_unpublished_price_is_never_a_zero(copies, reads, unpublished):
    planned = [planned_copy(copy_facts, copy_rules) for copy_facts, copy_rules in copies]
    transfer = price('transfer', ONCE, None, 'not published') if unpublished else price('transfer', ONCE, 0.02)
    book = PriceBook(
        storage=price('storage', MONTH),
        transfer=transfer,
        api_reads=price('reads', ONCE, 0.0006),
        read_transfer=price('read transfer', ONCE, 0.09),
    )
    unsized = sum(1 for copy in planned if copy.bytes is None)
    books = {region: book for region in REGIONS}
    result = cost(cost_lines(planned, books, api_reads=reads, read_bytes=reads * 2**19), unsized=unsized)
    for per, total in ((MONTH, result['monthly']), (ONCE, result['once'])):
        assert abs(total - sum(line['usd'] for line in result['lines'] if line['per'] == per and line['usd'])) < 0.011
    unpriced = [line for line in result['lines'] if line['unit_price'] is None]
    assert all(line['usd'] is None and line['note'] for line in unpriced)
    # A copy of unknown size is in no line: the sums are then partial too, never whole by leaving it out.
    assert result['complete'] is (not unpriced and not unsized) and result['unsized'] == unsized
    assert result['unpriced'] == [line['what'] for line in unpriced]
    # Every region a copy goes to has its storage and its transfer priced (or said to be unpriced), each line naming its
    # region; the reads of verification, and the data transfer of the blocks they read, are of every region.
    regions = {copy.region for copy in planned}
    of_every_region = ('reads', 'read transfer')
    assert {line['region'] for line in result['lines'] if line['what'] not in of_every_region} == regions
    assert all(line['what'].endswith(line['region']) for line in result['lines'] if line['region'])
    assert all(line['region'] is None for line in result['lines'] if line['what'] in of_every_region)
    assert sum(1 for line in result['lines'] if line['what'] in of_every_region) == (2 if reads else 0)


@given(st.lists(st.tuples(facts, rules), min_size=1, max_size=30), st.integers(min_value=1, max_value=25))
def test_more_copies_never_take_less_time(copies, in_flight):
    planned = [planned_copy(copy_facts, copy_rules) for copy_facts, copy_rules in copies]
    planned = [copy for copy in planned if copy.bytes is not None]
    limits = CopyLimits(in_flight=in_flight, source='test', gib_per_hour=100.0)
    if not planned:
        assert copy_time(planned, limits) == {'hours': 0.0, 'why': 'no copy to make'}
        return
    whole = copy_time(planned, limits)['hours']
    assert copy_time(planned[:-1], limits)['hours'] <= whole if planned[:-1] else True
    # A copy alone takes its own bytes at the rate; nothing takes less than its largest copy.
    assert whole >= max(copy.bytes for copy in planned) / GIB / 100.0 - 0.01


def test_time_is_not_known_without_a_rate_the_cloud_promises():
    copy = planned_copy(CopyFacts('vol-1', 'eu-west-1', 'snap-1', disk_bytes=GIB), CopyRules())
    unknown = copy_time([copy], CopyLimits(in_flight=20, source='no rate published'))
    assert unknown['hours'] is None and 'no copy rate' in unknown['why']


@pytest.mark.parametrize('minutes', [None, 60])
def test_time_is_not_known_where_the_cloud_states_no_limit_of_copies_at_once(minutes):
    """A rate or a time-based copy, but no limit of copies at once (in_flight None): how the copies share the time is
    not stated, so neither a wave nor a sum is claimed."""
    copy = planned_copy(CopyFacts('vol-1', 'eu-west-1', 'snap-1', disk_bytes=GIB), CopyRules())
    limits = CopyLimits(source='a page', gib_per_hour=100.0, timed_copy_gib_per_hour=1.0, timed_pair_gib_per_hour=2.0)
    unknown = copy_time([copy], limits, completion_minutes=minutes)
    assert unknown == {'hours': None, 'why': 'the cloud states no limit of copies at once (a page)'}
    assert copy_time([], limits) == {'hours': 0.0, 'why': 'no copy to make'}


def test_a_timed_copy_is_priced_by_the_tier_at_or_above_its_duration():
    tiers = {minutes: price('timed %d' % minutes, ONCE, usd) for minutes, usd in ((15, 0.03), (60, 0.02), (2880, 0.01))}
    book = PriceBook(storage=price('storage', MONTH), transfer=price('transfer', ONCE), timed_copy=tiers)
    copy = planned_copy(CopyFacts('vol-1', 'eu-west-1', 'snap-1', full_bytes=10 * GIB), CopyRules())
    for minutes, expected in ((15, 0.03), (30, 0.02), (60, 0.02), (120, 0.01)):
        (timed,) = [
            line for line in cost_lines([copy], {'eu-west-1': book}, completion_minutes=minutes) if 'timed' in line.what
        ]
        assert timed.unit_price == expected and timed.quantity == 10


@given(st.lists(st.tuples(facts, rules), min_size=1, max_size=45), st.sampled_from([15, 60, 480, 2880]))
def test_a_time_based_copy_takes_its_duration_a_wave_unless_the_quotas_make_it_longer(copies, minutes):
    planned = [copy for copy in (planned_copy(*pair) for pair in copies) if copy.bytes is not None]
    limits = CopyLimits(in_flight=20, source='test', timed_copy_gib_per_hour=1757.8, timed_pair_gib_per_hour=7031.25)
    if not planned:
        return
    hours = copy_time(planned, limits, completion_minutes=minutes)['hours']
    for region in {copy.region for copy in planned}:
        sizes = [copy.bytes / GIB for copy in planned if copy.region == region]
        assert hours >= round(minutes / 60.0 * -(-len(sizes) // 20), 2) - 0.01
        assert hours >= round(sum(sizes) / 7031.25, 2) - 0.01 and hours >= round(max(sizes) / 1757.8, 2) - 0.01
    # Without a duration, the cloud promises no rate: not known, and the page says a time-based copy would give one.
    untimed = copy_time(planned, limits)
    assert untimed['hours'] is None and untimed['why'] == (
        'the cloud promises no copy rate (test); a time-based copy would give one'
    )


@given(
    st.lists(st.tuples(facts, rules), min_size=1, max_size=45),
    st.sampled_from([15, 60, 480]),
    st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
)
def test_time_based_copies_of_a_snapshot_to_several_regions_take_their_times_in_turn_at_the_runs_pace(
    copies, minutes, max_in_flight
):
    """ "If you initiate two time-based copy operations for the same snapshot or AMI, the second copy operation's
    completion duration starts only after the first copy operation completes" (EBS user guide, Time-based copies): each
    disk's snapshot goes to every DR region, so the regions' times add up. And the run starts at most ``max_in_flight``
    copies a region at once (20 on EBS when not set, and never more): its waves are the plan's."""
    planned = [copy for copy in (planned_copy(*pair) for pair in copies) if copy.bytes is not None]
    if not planned:
        return
    whole = copy_time(planned, aws.LIMITS, completion_minutes=minutes, max_in_flight=max_in_flight)
    at_once = min(max_in_flight or 20, 20)
    alone = {
        region: copy_time(
            [copy for copy in planned if copy.region == region],
            aws.LIMITS,
            completion_minutes=minutes,
            max_in_flight=max_in_flight,
        )['hours']
        for region in {copy.region for copy in planned}
    }
    assert whole['hours'] >= sum(alone.values()) - 0.01 * len(alone)
    assert whole['hours'] <= sum(alone.values()) + 0.01 * len(alone)
    for region, hours in alone.items():
        count = sum(1 for copy in planned if copy.region == region)
        assert hours >= minutes / 60.0 * -(-count // at_once) - 0.01
    if len(alone) > 1:
        assert 'one region after another' in whole['why']
    # A smaller pace never makes the copies take less time.
    assert whole['hours'] >= copy_time(planned, aws.LIMITS, completion_minutes=minutes)['hours'] - 0.01


def test_the_time_says_how_many_copies_go_at_once_and_in_how_many_waves():
    copies = [
        planned_copy(CopyFacts('vol-%d' % number, 'eu-west-1', 'snap-1', full_bytes=GIB), CopyRules())
        for number in range(10)
    ]
    assert copy_time(copies, aws.LIMITS, completion_minutes=60) == {
        'hours': 1.0,
        'why': 'eu-west-1: 10 copies, 20 at once: 1 wave, each within 60 minutes (%s)' % aws.LIMITS.source,
    }
    assert copy_time(copies, aws.LIMITS, completion_minutes=60, max_in_flight=4)['why'].startswith(
        'eu-west-1: 10 copies, 4 at once: 3 waves, each within 60 minutes'
    )
    # More than the cloud takes at once is the cloud's limit.
    assert copy_time(copies[:1], aws.LIMITS, completion_minutes=60, max_in_flight=50)['why'].startswith(
        'eu-west-1: 1 copy, 20 at once: 1 wave'
    )


@given(
    st.lists(st.tuples(facts, rules), min_size=1, max_size=45),
    st.sampled_from([15, 60, 480, 2880]),
    st.sets(st.sampled_from(REGIONS)),
)
def test_a_duration_per_region_is_each_region_s_own_and_one_for_all_is_the_same_as_each(copies, minutes, untimed):
    """Issue 64: a DR region's own completion_duration_minutes. The same duration for each region is the run's; a region
    without one has no time-based fee, and its copies' time is not known (the cloud promises no standard rate)."""
    planned = [copy for copy in (planned_copy(*pair) for pair in copies) if copy.bytes is not None]
    books = dict.fromkeys(REGIONS, aws.BOOK)
    each = dict.fromkeys(REGIONS, minutes)
    assert cost_lines(planned, books, completion_minutes=each) == cost_lines(planned, books, completion_minutes=minutes)
    assert copy_time(planned, aws.LIMITS, completion_minutes=each) == copy_time(
        planned, aws.LIMITS, completion_minutes=minutes
    )
    some = {region: None if region in untimed else minutes for region in REGIONS}
    fees = {line.region for line in cost_lines(planned, books, completion_minutes=some) if 'time-based' in line.what}
    assert fees == {copy.region for copy in planned} - untimed
    known = copy_time(planned, aws.LIMITS, completion_minutes=some)['hours'] is not None
    assert known == (not planned or not untimed & {copy.region for copy in planned})


def test_the_prices_option_sets_a_price_for_every_region_or_one_and_bad_input_names_itself():
    given = given_prices({'storage': '0.045', 'regions': {'us-west-2': {'transfer': 0.01}}}, ['eu-west-1', 'us-west-2'])
    assert given == {'eu-west-1': {'storage': 0.045}, 'us-west-2': {'storage': 0.045, 'transfer': 0.01}}
    book = priced_book(BOOK, given['us-west-2'])
    assert (book.storage.usd, book.storage.source, book.transfer.usd) == (0.045, 'the prices option', 0.01)
    assert priced_book(BOOK, None) is BOOK and given_prices(None, ['eu-west-1']) == {}
    for value, option, words in (
        ({'storage': -1}, 'prices.storage', '0 or more'),
        ({'storage': 'cheap'}, 'prices.storage', 'a number like 0.05'),
        ({'storage': float('nan')}, 'prices.storage', '0 or more'),
        ({'egress': 1}, 'prices', 'not egress'),
        ({'regions': {'ap-east-1': {'storage': 1}}}, 'prices.regions', 'ap-east-1, not a DR region'),
        (
            {'regions': {'us-west-2': {'storage': 1, 'fee': 2}}},
            'prices.regions.us-west-2',
            'takes storage and transfer',
        ),
        ({'regions': ['us-west-2']}, 'prices.regions', 'a mapping'),
    ):
        with pytest.raises(InputError) as refused:
            given_prices(value, ['eu-west-1', 'us-west-2'])
        assert refused.value.option == option and words in refused.value.message, (value, refused.value)


REPO = pathlib.Path(__file__).parents[4]


def cost_md_role_example(page):
    """The variables of docs/cost.md's dr_copy example of a time-based copy."""
    (example,) = [
        yaml.safe_load(block)
        for block in re.findall(r'```yaml\n(.*?)```', page, re.S)
        if 'dr_copy_completion_duration_minutes' in block
    ]
    return example[0]['roles'][0]['vars']


def test_the_worked_examples_of_docs_cost_md_are_the_models():
    """docs/cost.md's ten disks of 100 GiB, first copies to one region: its figures are the price books' own."""
    page = (pathlib.Path(__file__).parents[4] / 'docs' / 'cost.md').read_text(encoding='utf-8')
    rows = {line.split('|')[1].strip(): line for line in page.splitlines() if line.startswith('| ')}

    def plan(module, book, minutes=None):
        copies = [
            planned_copy(CopyFacts('d-%d' % number, 'dr-1', 's-%d' % number, disk_bytes=100 * GIB), module.RULES)
            for number in range(10)
        ]
        return copies, cost(cost_lines(copies, {'dr-1': book}, completion_minutes=minutes))

    copies, result = plan(aws, aws.BOOK)
    assert all(copy.full for copy in copies) and (result['monthly'], result['once']) == (50.0, 20.0)
    # The page's role example (issue 64; test_dr_timed_copies_aws.py runs its variables through dr_sync): its variables
    # are the role's, and its duration is the one worked out here.
    variables = cost_md_role_example(page)
    specs = yaml.safe_load((REPO / 'roles' / 'dr_copy' / 'meta' / 'argument_specs.yml').read_text(encoding='utf-8'))
    assert set(variables) <= set(specs['argument_specs']['main']['options'])
    minutes = variables['dr_copy_completion_duration_minutes']
    assert minutes == 60 and '`dr_copy_completion_duration_minutes: %d` (above)' % minutes in rows['AWS']
    timed_copies, timed = plan(aws, aws.BOOK, minutes=minutes)
    assert timed['once'] - result['once'] == 16.0
    assert copy_time(timed_copies, aws.LIMITS, completion_minutes=minutes)['hours'] == 1.0
    assert copy_time(copies, aws.LIMITS)['hours'] is None
    assert '| 10 full | 50.00 (1,000 GiB at 0.05) | 20.00 (1,000 GiB at 0.02) |' in rows['AWS']
    assert '1 h and 16.00 more once' in rows['AWS']
    dummy, ecs = plan(alibaba, alibaba.ECS_BOOK)
    assert ecs['monthly'] == 17.3 and not ecs['complete'] and '17.30 (1,000 GiB at 0.0173)' in rows['Alibaba ECS']
    later = planned_copy(CopyFacts('d-1', 'dr-1', 's-2', disk_bytes=GIB, earlier_copy=True), tencent.RULES)
    dummy, cbs = plan(tencent, tencent.BOOK)
    assert later.full and cbs['unpriced'] and cbs['monthly'] == 0 and 'every later copy full' in rows['Tencent CBS']

    # The same disks as the clouds state them: 30 GiB held each, 2 GiB rewritten a day.
    def stated(module, book, **facts):
        copies = [
            planned_copy(
                CopyFacts('d-%d' % number, 'dr-1', 's-%d' % number, disk_bytes=100 * GIB, **facts), module.RULES
            )
            for number in range(10)
        ]
        return copies, cost(cost_lines(copies, {'dr-1': book}))

    first, first_cost = stated(aws, aws.BOOK, full_bytes=30 * GIB)
    assert {copy.bytes_from for copy in first} == {FULL_SNAPSHOT_SIZE} and sum(
        copy.bytes for copy in first
    ) == 300 * GIB
    assert '15.00 monthly, 6.00 once' in rows['AWS, as stated'] and (first_cost['monthly'], first_cost['once']) == (
        15,
        6,
    )
    later_copies, later_cost = stated(aws, aws.BOOK, full_bytes=30 * GIB, changed_bytes=2 * GIB, earlier_copy=True)
    assert {copy.bytes_from for copy in later_copies} == {CHANGED_BLOCKS}
    assert (later_cost['monthly'], later_cost['once']) == (1.0, 0.4) and '1.00 monthly, 0.40 once' in rows[
        'AWS, as stated'
    ]
    dummy, ecs_later = stated(alibaba, alibaba.ECS_BOOK, full_bytes=30 * GIB, earlier_copy=True)
    assert ecs_later['monthly'] == 5.19 and '5.19 monthly at most' in rows['Alibaba ECS, as stated']
    cbs_later, dummy = stated(tencent, tencent.BOOK, earlier_copy=True)
    assert all(copy.full and copy.bytes_from == DISK_SIZE for copy in cbs_later)
    assert '10 full again, 1,000 GiB' in rows['Tencent CBS, as stated']


def test_an_incremental_copys_measured_changes_count_only_against_the_copy_before_it_in_its_region():
    """The churn alarm measures against the disk's copy of the newest earlier point in any DR region; EBS copies a new
    copy against the copy before it in its own region. Only where the two are one copy are the blocks its bytes."""
    earlier = Snapshot('snap-before', 'dr-1', COMPLETED)
    assert changed_bytes(('snap-before', 40), earlier) == 40 * BLOCK_BYTES == 40 * 512 * 1024
    assert changed_bytes(('snap-in-another-region', 40), earlier) is None
    assert changed_bytes(('snap-before', 40), None) is None  # the first copy there: full
    assert changed_bytes(None, earlier) is None  # nothing measured


def test_a_key_change_is_a_change_of_encryption_or_of_a_named_key_from_the_copy_before():
    """EBS copies a copy in full whose encryption or key differs from the copy before it in its region (KEY_CHANGED): a
    copy that will be encrypted where that one is not, or the reverse, or one whose named key is not that one's."""
    plain = Snapshot('snap-plain', 'dr-1', COMPLETED)
    sealed = Snapshot('snap-sealed', 'dr-1', COMPLETED, encrypted=True, extra={'kms_key_id': 'key-a'})
    source = Snapshot('snap-source', 'src-1', COMPLETED, encrypted=True)
    assert key_changed(None, source, {'encrypted': True}) is False  # no copy before: a first copy, full anyway
    assert key_changed(plain, None, {'encrypted': True}) is True
    assert key_changed(plain, source, {}) is True  # an encrypted source's copy is encrypted
    assert key_changed(sealed, None, {}) is True
    assert key_changed(plain, None, {}) is False
    assert key_changed(sealed, source, {}) is False  # no key named: the region's default for both
    assert key_changed(sealed, source, {'kms_key_id': 'key-a'}) is False
    assert key_changed(sealed, source, {'kms_key_id': 'key-b'}) is True
    # EBS states a copy's key by its ARN, and the option takes an id, an alias or an ARN: the copy phase's rule
    # (same_kms_key). An id is its ARN's; an alias only KMS resolves, and is taken for the copy's own key.
    arn = 'arn:aws:kms:eu-west-1:100012345678:key/1234abcd-12ab-34cd-56ef-1234567890ab'
    by_arn = Snapshot('snap-arn', 'dr-1', COMPLETED, encrypted=True, extra={'kms_key_id': arn})
    for named in (arn, '1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/dr'):
        assert key_changed(by_arn, source, {'encrypted': True, 'kms_key_id': named}) is False, named
    other = 'arn:aws:kms:eu-west-1:100012345678:key/99999999-12ab-34cd-56ef-1234567890ab'
    assert key_changed(by_arn, source, {'encrypted': True, 'kms_key_id': other}) is True
    assert key_changed(by_arn, source, {'encrypted': True, 'kms_key_id': '99999999-12ab-34cd-56ef-1234567890ab'})


def test_a_copy_after_an_archived_one_is_full_on_ebs_only():
    """EBS: "the copy is an incremental copy if ... The most recent snapshot copy has not been archived" (EBS user
    guide, Copy an Amazon EBS snapshot). The other clouds have no archive tier of copies."""
    facts = CopyFacts('vol-1', 'eu-west-1', 'snap-1', full_bytes=10 * GIB, earlier_copy=True, earlier_archived=True)
    assert planned_copy(facts, aws.RULES).why_full == EARLIER_ARCHIVED
    assert planned_copy(facts, aws.RULES).bytes_from == FULL_SNAPSHOT_SIZE
    assert not planned_copy(facts, alibaba.RULES).full


def test_each_clouds_rules_plan_a_copy_under_another_key_as_its_pages_say():
    """EBS: a copy under another key than the copy before it is full; ECS's page says every later copy is incremental and
    nothing of keys; Tencent's says no copy is incremental (clouds/*/prices.py, RULES)."""
    facts = CopyFacts('vol-1', 'eu-west-1', 'snap-1', full_bytes=10 * GIB, earlier_copy=True, key_changed=True)
    assert planned_copy(facts, aws.RULES).why_full == KEY_CHANGED
    assert not planned_copy(facts, alibaba.RULES).full
    assert planned_copy(facts, tencent.RULES).why_full == tencent.RULES.always_full
    same_key = CopyFacts('vol-1', 'eu-west-1', 'snap-1', full_bytes=10 * GIB, earlier_copy=True, key_changed=False)
    assert not planned_copy(same_key, aws.RULES).full
