# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds' three ways of paging a listing, each read in one place.

Each pager takes ``call(params)``, which sends the request for one page and answers the decoded
answer, the listing's own ``params``, ``items_of(answer)``, which picks the items out of an
answer, and the page size; it adds the paging parameters and yields every item of every page, in
order. A page is asked for only once the items before it are taken.

- token: MaxResults/NextToken (EC2's Describe calls, ECS, AWS Organizations);
- numbered: PageNumber/PageSize (ENS, Alibaba Resource Directory);
- offset: Offset/Limit (CBS, Tencent Organization).

Each stops where its cloud's model says the listing ends (see the comment at each stop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .errors import CloudError


def token_pages(
    call: Callable[[dict[str, Any]], dict[str, Any]],
    params: Mapping[str, Any],
    items_of: Callable[[dict[str, Any]], Iterable[dict[str, Any]]],
    page_size: int | None,
    *,
    action: str,
    region: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item of a MaxResults/NextToken listing; ``action`` and ``region`` name the call in an error. ``page_size``
    None: the action takes no MaxResults (Organizations' ListTagsForResource), and the cloud chooses.

    A token answered a second time would make the listing go round for ever: that is a CloudError
    (InvalidResponse) rather than an endless loop.
    """
    params = dict(params) if page_size is None else dict(params, MaxResults=page_size)
    sent: set[str] = set()
    while True:
        answer = call(params)
        yield from items_of(answer)
        token = answer.get('NextToken')
        # The last page has no token: EC2's is "null when there are no more results to return" (DescribeSnapshotsResult,
        # DescribeVolumesResult), and ECS's TotalCount "is invalid" with NextToken paging (ecs-20140526
        # DescribeSnapshotsResponseBody).
        if not token:
            return
        if token in sent:
            raise CloudError(
                action,
                'InvalidResponse',
                'the cloud answered the NextToken %r a second time: the listing would never end' % (token,),
                region=region,
            )
        sent.add(token)
        params = dict(params, NextToken=token)


def numbered_pages(
    call: Callable[[dict[str, Any]], dict[str, Any]],
    params: Mapping[str, Any],
    items_of: Callable[[dict[str, Any]], Iterable[dict[str, Any]]],
    page_size: int,
    at_most: int | None = None,
    total_field: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item of a PageNumber/PageSize listing, from page 1; ``at_most``: the listing cannot hold more items (it
    names that many ids), so that a full page of them is the last one read; ``total_field``: the answer's field that
    counts the listing's items, where the model says it does, so that a full last page is the last one read."""
    number, seen = 1, 0
    while True:
        answer = call(dict(params, PageNumber=number, PageSize=page_size))
        items = list(items_of(answer))
        seen += len(items)
        yield from items
        # Read until a page comes back shorter than the size the answer says it used: TotalCount cannot tell, as the
        # ens-20171110 models count pages with it for DescribeDisks and snapshots for DescribeSnapshots.
        if len(items) < int(answer.get('PageSize') or page_size) or (at_most is not None and seen >= at_most):
            return
        # resourcemanager-20200331's ListAccountsResponseBody.TotalCount and ListFoldersForParentResponseBody.TotalCount:
        # "The total number of entries".
        if total_field is not None and seen >= int(answer.get(total_field) or 0):
            return
        number += 1


def offset_page(params: Mapping[str, Any], offset: int, page_size: int) -> dict[str, Any]:
    """The request for the page at ``offset`` of an Offset/Limit listing."""
    return {'Offset': offset, 'Limit': page_size, **params}


def offset_pages(
    call: Callable[[dict[str, Any]], dict[str, Any]],
    params: Mapping[str, Any],
    items_of: Callable[[dict[str, Any]], Iterable[dict[str, Any]]],
    page_size: int,
    first: dict[str, Any] | None = None,
    total_field: str = 'TotalCount',
) -> Iterator[dict[str, Any]]:
    """Every item of an Offset/Limit listing, from offset 0; ``first``: the answer for offset 0 when the caller
    has read it already (to see whether the listing is worth reading), which is then not asked for again;
    ``total_field``: the answer's field that counts the listing's items."""
    offset = 0
    answer = first
    while True:
        if answer is None:
            answer = call(offset_page(params, offset, page_size))
        items = list(items_of(answer))
        yield from items
        offset += len(items)
        # TotalCount counts the listing's items (cbs 2017-03-12: DescribeSnapshotsResponse.TotalCount the snapshots,
        # DescribeDisksResponse.TotalCount the disks that match; organization 2021-03-31's Total,
        # DescribeOrganizationMembersResponse.Total "总数目", the total number): read until the offset reaches it, or a
        # page is empty.
        if not items or offset >= int(answer.get(total_field) or 0):
            return
        answer = None
