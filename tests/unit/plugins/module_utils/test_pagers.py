"""The three pagers (core.paging), each driven by a fake call (a plain callable, no SDK) that answers pages the way its
style of cloud does and records what was asked: where each stops, and what each sends."""

from __future__ import annotations

import ast
import os

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import FATAL, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.paging import (
    numbered_pages,
    offset_page,
    offset_pages,
    token_pages,
)

MODULE_UTILS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)).split(os.sep + 'tests' + os.sep)[0], 'plugins', 'module_utils'
)
PAGE_SIZE = 3
FILTER = {'Filter': 'x'}


def items_of(answer):
    return answer['Items']


class FakeCloud:
    """A listing of ``items`` answered page by page, every request kept in ``sent``."""

    def __init__(self, items):
        self.items = items
        self.sent = []

    def __call__(self, params):
        self.sent.append(dict(params))
        return self.answer(params)

    def answer(self, params):
        raise NotImplementedError


class TokenCloud(FakeCloud):
    """MaxResults/NextToken; ``token_after_last``: a token after a last full page too (then an empty page), as some
    APIs answer; ``stuck_at``: from that offset on, the same token over and over."""

    def __init__(self, items, token_after_last=False, stuck_at=None):
        super().__init__(items)
        self.token_after_last, self.stuck_at = token_after_last, stuck_at

    def answer(self, params):
        start = int(params.get('NextToken', 0))
        end = start + params['MaxResults']
        answer = {'Items': self.items[start:end]}
        if self.stuck_at is not None and end >= self.stuck_at:
            answer['NextToken'] = str(self.stuck_at)
        elif end < len(self.items) or (self.token_after_last and end == len(self.items)):
            answer['NextToken'] = str(end)
        return answer


class NumberedCloud(FakeCloud):
    """PageNumber/PageSize, TotalCount counting pages as ENS's DescribeDisks answers it; ``size``: the page size the
    cloud uses whatever is asked (the answer says it)."""

    def __init__(self, items, size=None):
        super().__init__(items)
        self.size = size

    def answer(self, params):
        size = self.size or params['PageSize']
        start = (params['PageNumber'] - 1) * size
        return {'Items': self.items[start : start + size], 'PageSize': size, 'TotalCount': -(-len(self.items) // size)}


class OffsetCloud(FakeCloud):
    """Offset/Limit, TotalCount counting items; ``total``: what TotalCount says instead."""

    def __init__(self, items, total=None):
        super().__init__(items)
        self.total = total

    def answer(self, params):
        start = params['Offset']
        return {
            'Items': self.items[start : start + params['Limit']],
            'TotalCount': len(self.items) if self.total is None else self.total,
        }


def items(count):
    return ['item-%d' % number for number in range(count)]


LISTINGS = {
    'token': (
        TokenCloud,
        lambda cloud: token_pages(cloud, FILTER, items_of, PAGE_SIZE, action='DescribeThings', region='r-1'),
        lambda params: params.get('NextToken'),
    ),
    'numbered': (
        NumberedCloud,
        lambda cloud: numbered_pages(cloud, FILTER, items_of, PAGE_SIZE),
        lambda params: params['PageNumber'],
    ),
    'offset': (
        OffsetCloud,
        lambda cloud: offset_pages(cloud, FILTER, items_of, PAGE_SIZE),
        lambda params: params['Offset'],
    ),
}


@pytest.mark.parametrize(
    'style, count, pages',
    [
        pytest.param('token', 0, [None], id='token, an empty first page'),
        pytest.param(
            'token', 6, [None, '3'], id='token, an exact multiple of the page size: no token after the last page'
        ),
        pytest.param('token', 7, [None, '3', '6'], id='token, a short last page'),
        # TotalCount cannot tell where the listing ends (ENS counts pages with it in one call, items in another).
        pytest.param('numbered', 0, [1], id='numbered, an empty first page'),
        pytest.param('numbered', 6, [1, 2, 3], id='numbered, an exact multiple of the page size: one empty page more'),
        pytest.param('numbered', 7, [1, 2, 3], id='numbered, a short last page'),
        pytest.param('offset', 0, [0], id='offset, an empty first page'),
        pytest.param('offset', 6, [0, 3], id='offset, an exact multiple of the page size: the total is reached'),
        pytest.param('offset', 7, [0, 3, 6], id='offset, a short last page'),
    ],
)
def test_each_pager_reads_every_item_and_stops_where_its_cloud_says(style, count, pages):
    make_cloud, listing, page_of = LISTINGS[style]
    cloud = make_cloud(items(count))
    assert list(listing(cloud)) == items(count)
    assert [page_of(params) for params in cloud.sent] == pages


def test_each_pager_adds_its_paging_parameters_to_the_listings_own():
    requests = {}
    for style, (make_cloud, listing, dummy) in LISTINGS.items():
        cloud = make_cloud(items(4))
        list(listing(cloud))
        requests[style] = cloud.sent
    assert requests == {
        'token': [{'Filter': 'x', 'MaxResults': PAGE_SIZE}, {'Filter': 'x', 'MaxResults': PAGE_SIZE, 'NextToken': '3'}],
        'numbered': [
            {'Filter': 'x', 'PageNumber': 1, 'PageSize': PAGE_SIZE},
            {'Filter': 'x', 'PageNumber': 2, 'PageSize': PAGE_SIZE},
        ],
        'offset': [{'Offset': 0, 'Limit': PAGE_SIZE, 'Filter': 'x'}, {'Offset': 3, 'Limit': PAGE_SIZE, 'Filter': 'x'}],
    }


@pytest.mark.parametrize('style', sorted(LISTINGS))
def test_a_page_is_asked_for_only_when_its_items_are_wanted(style):
    make_cloud, listing = LISTINGS[style][:2]
    cloud = make_cloud(items(7))
    pages = listing(cloud)
    assert [next(pages) for dummy in range(PAGE_SIZE)] == items(PAGE_SIZE)
    assert len(cloud.sent) == 1


# ---------------------------------------------------------------------------- token (EC2, ECS)
def test_token_a_token_after_the_last_full_page_costs_one_empty_page():
    cloud = TokenCloud(items(6), token_after_last=True)
    assert list(LISTINGS['token'][1](cloud)) == items(6)
    assert [params.get('NextToken') for params in cloud.sent] == [None, '3', '6']


def test_token_a_repeated_token_is_an_error_not_an_endless_listing():
    # Before core.paging, EBS's and ECS's loops sent the same token for ever.
    cloud = TokenCloud(items(10), stuck_at=3)
    with pytest.raises(CloudError) as raised:
        list(LISTINGS['token'][1](cloud))
    assert (raised.value.action, raised.value.code, raised.value.kind, raised.value.region) == (
        'DescribeThings',
        'InvalidResponse',
        FATAL,
        'r-1',
    )
    assert "'3' a second time" in raised.value.message
    assert [params.get('NextToken') for params in cloud.sent] == [None, '3']


# ---------------------------------------------------------------------------- numbered (ENS)
def test_numbered_a_page_is_short_by_the_size_the_answer_says_it_used():
    # The cloud pages by 2 whatever is asked: full pages of 2 are not the end.
    cloud = NumberedCloud(items(5), size=2)
    assert list(numbered_pages(cloud, {}, items_of, PAGE_SIZE)) == items(5)
    assert [params['PageNumber'] for params in cloud.sent] == [1, 2, 3]


# ---------------------------------------------------------------------------- offset (CBS)
def test_offset_an_empty_page_ends_the_listing_whatever_the_total_says():
    # Snapshots deleted while the listing is read: the total is larger than what is left.
    cloud = OffsetCloud(items(4), total=9)
    assert list(offset_pages(cloud, {}, items_of, PAGE_SIZE)) == items(4)
    assert [params['Offset'] for params in cloud.sent] == [0, 3, 4]


def test_offset_a_first_page_read_already_is_not_asked_for_again():
    cloud = OffsetCloud(items(7))
    first = cloud(offset_page({}, 0, PAGE_SIZE))
    assert list(offset_pages(cloud, {}, items_of, PAGE_SIZE, first=first)) == items(7)
    assert [params['Offset'] for params in cloud.sent] == [0, 3, 6]
    one_page = OffsetCloud(items(2))
    assert list(
        offset_pages(one_page, {}, items_of, PAGE_SIZE, first=one_page(offset_page({}, 0, PAGE_SIZE)))
    ) == items(2)
    assert len(one_page.sent) == 1


# ---------------------------------------------------------------------------- the organisation readers' listings
def test_token_without_a_page_size_sends_no_max_results():
    # Organizations' ListTagsForResource takes no MaxResults: the cloud pages as it chooses.
    class ChosenPages(TokenCloud):
        def answer(self, params):
            assert 'MaxResults' not in params
            return TokenCloud.answer(self, dict(params, MaxResults=2))

    cloud = ChosenPages(items(5))
    assert list(token_pages(cloud, FILTER, items_of, None, action='ListTagsForResource')) == items(5)
    assert cloud.sent == [{'Filter': 'x'}, {'Filter': 'x', 'NextToken': '2'}, {'Filter': 'x', 'NextToken': '4'}]


def test_numbered_with_a_total_of_items_a_full_last_page_is_the_last_one_read():
    # Resource Directory's TotalCount counts the entries (ListAccountsResponseBody.TotalCount): no empty page after a
    # full last one, as ENS's listings need.
    class CountedItems(NumberedCloud):
        def answer(self, params):
            return dict(NumberedCloud.answer(self, params), TotalCount=len(self.items))

    cloud = CountedItems(items(6))
    assert list(numbered_pages(cloud, {}, items_of, PAGE_SIZE, total_field='TotalCount')) == items(6)
    assert [params['PageNumber'] for params in cloud.sent] == [1, 2]


def test_offset_reads_the_total_from_the_field_its_cloud_answers():
    # Tencent Organization answers Total (DescribeOrganizationMembersResponse.Total), CBS TotalCount.
    class TotalCloud(OffsetCloud):
        def answer(self, params):
            answer = OffsetCloud.answer(self, params)
            return {'Items': answer['Items'], 'Total': answer['TotalCount']}

    cloud = TotalCloud(items(6))
    assert list(offset_pages(cloud, {}, items_of, PAGE_SIZE, total_field='Total')) == items(6)
    assert [params['Offset'] for params in cloud.sent] == [0, 3]


PAGING_PARAMETERS = {'MaxResults', 'NextToken', 'PageNumber', 'PageSize', 'Offset', 'Limit'}


@pytest.mark.parametrize('vendor', ['aws', 'alibaba', 'tencent'])
def test_the_organisation_readers_page_through_core_paging(vendor):
    """One paging loop per paging style: the readers send no paging parameter of their own (as a string or a keyword
    in their code; their comments may name them)."""
    path = os.path.join(MODULE_UTILS, 'clouds', vendor, 'organization.py')
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    named = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    named |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.keyword)}
    assert not named & PAGING_PARAMETERS
    assert any(isinstance(node, ast.ImportFrom) and node.module == 'core.paging' for node in ast.walk(tree))
