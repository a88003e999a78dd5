# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Organizations (2016-11-28): the member accounts of the caller's organisation, for the dr_scopes inventory.

The calls are the management account's (or a delegated administrator's): DescribeOrganization, ListAccounts (20 a
page, the most its MaxResults takes). Units only when a rule names one: ListRoots, then ListOrganizationalUnitsForParent
and ListAccountsForParent down the tree, as no listing answers an account's parent. Tags only when a rule or a
variable names one: ListTagsForResource, one call an account, as no listing of Organizations answers tags.

An account's state is its State. Organizations retired Status (botocore's organizations 2016-11-28 model,
Account.Status: "The Status parameter in the Account object will be retired on September 9, 2026 ... we recommend that
you update your scripts or other code to use the State parameter instead of Status"), and botocore models State from
1.40.27 on (Account.State, AccountState: PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED). An older
botocore parses only what its model has, and would drop State from every answer: every account would read as unknown
and the fleet would shrink to nothing. So ListAccounts' State is read from the answer's own JSON where botocore dropped
it, and an organisation none of whose accounts has a state fails the read.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ...core.organization import ACTIVE, UNKNOWN, MemberAccount, OrganizationRead, Unit
from ...core.paging import token_pages

if TYPE_CHECKING:
    from .client import AwsClient

SOURCE = 'aws-organizations'
# Organizations is one endpoint, in us-east-1 (the AWS partition's), whatever region a caller names.
REGION = 'us-east-1'
# ListAccounts', ListAccountsForParent's and ListOrganizationalUnitsForParent's MaxResults: 1 to 20.
PAGE = 20
# The tag reads (a call an account) sent at once: 500 accounts one after another were 35 s at 69 ms a call (make bench
# part o); a few at a time keep well inside Organizations' request rate, and a throttled one is retried.
TAG_WORKERS = 8
# The first botocore whose organizations model has Account.State (boto/botocore: git log -S AccountState on
# botocore/data/organizations/2016-11-28/service-2.json; 1.40.26's Account has Status alone).
STATE_MODELLED_FROM = '1.40.27'


_COUNTING = threading.Lock()


def _pages(
    client: AwsClient, read: OrganizationRead, action: str, key: str, *, size: int | None = PAGE, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a paged Organizations listing (NextToken; ``size`` items a page, None where the action takes no
    MaxResults)."""

    def call(page: dict[str, Any]) -> dict[str, Any]:
        with _COUNTING:
            read.count(action)
        return client.call_service('organizations', REGION, action, **page)

    return list(token_pages(call, params, lambda answer: answer.get(key) or [], size, action=action, region=REGION))


def account_state(account: dict[str, Any]) -> str:
    """ACTIVE, or the account's state as Organizations says it: State (PENDING_ACTIVATION, ACTIVE, SUSPENDED,
    PENDING_CLOSURE, CLOSED), else Status (ACTIVE, SUSPENDED, PENDING_CLOSURE; retired on September 9, 2026), else
    UNKNOWN."""
    state = account.get('State') or account.get('Status') or UNKNOWN
    return ACTIVE if state == 'ACTIVE' else state


def keep_account_states(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
    """botocore's after-call handler of ListAccounts: each account's State from the answer's JSON (Organizations answers
    JSON, its awsJson1_1 protocol) where the parsed answer has none, as a botocore older than STATE_MODELLED_FROM drops
    it. The parsed answer is the one the call returns: the accounts are completed in place."""
    accounts = parsed.get('Accounts') if isinstance(parsed, dict) else None
    if not accounts or all('State' in account for account in accounts):
        return
    try:
        answer = json.loads(http_response.content)
    except (AttributeError, TypeError, ValueError):
        return
    rows = answer.get('Accounts') if isinstance(answer, dict) else None
    states = {row.get('Id'): row.get('State') for row in rows or [] if isinstance(row, dict)}
    for account in accounts:
        state = states.get(account.get('Id'))
        if 'State' not in account and isinstance(state, str):
            account['State'] = state


def _read_states_of(client: AwsClient) -> None:
    """Have ``client``'s Organizations client keep ListAccounts' State (once a client: its unique id)."""
    events = client.ec2(REGION, 'organizations').meta.events
    events.register(
        'after-call.organizations.ListAccounts', keep_account_states, unique_id='snapcopy-organizations-account-state'
    )


def _walk_units(client: AwsClient, read: OrganizationRead) -> dict[str, str]:
    """Read the tree of units into ``read.units``; answer {account id: the id of the unit it is in}."""
    parent_of: dict[str, str] = {}
    read.count('ListRoots')
    pending = []
    for root in client.call_service('organizations', REGION, 'ListRoots').get('Roots') or []:
        read.units[root['Id']] = Unit(root['Id'], root.get('Name') or 'Root', None)
        pending.append(root['Id'])
    while pending:
        parent = pending.pop()
        for unit in _pages(client, read, 'ListOrganizationalUnitsForParent', 'OrganizationalUnits', ParentId=parent):
            read.units[unit['Id']] = Unit(unit['Id'], unit.get('Name') or unit['Id'], parent)
            pending.append(unit['Id'])
        for account in _pages(client, read, 'ListAccountsForParent', 'Accounts', ParentId=parent):
            parent_of[account['Id']] = parent
    return parent_of


def _tags(client: AwsClient, read: OrganizationRead, account_id: str) -> dict[str, str]:
    tags = _pages(client, read, 'ListTagsForResource', 'Tags', size=None, ResourceId=account_id)
    return {tag['Key']: tag.get('Value', '') for tag in tags}


def read_organization(client: AwsClient, *, with_units: bool, with_tags: bool) -> OrganizationRead:
    """The organisation of ``client``'s account: every account, with the units above it (``with_units``) and its tags
    (``with_tags``)."""
    read = OrganizationRead(SOURCE, '')
    read.count('DescribeOrganization')
    organization = client.call_service('organizations', REGION, 'DescribeOrganization').get('Organization') or {}
    read.management_account = organization.get('MasterAccountId') or ''
    _read_states_of(client)
    listed = _pages(client, read, 'ListAccounts', 'Accounts')
    parent_of = _walk_units(client, read) if with_units else {}
    tags: list[dict[str, str] | None] = [None] * len(listed)
    if with_tags and listed:
        with ThreadPoolExecutor(max_workers=min(TAG_WORKERS, len(listed))) as workers:
            tags = list(workers.map(lambda account: _tags(client, read, account['Id']), listed))
    for account, account_tags in zip(listed, tags):
        account_id = account['Id']
        state = account_state(account)
        read.accounts.append(
            MemberAccount(
                account=account_id,
                name=account.get('Name') or account_id,
                state=state,
                units=read.ancestors(parent_of.get(account_id)),
                tags=account_tags,
                why='ListAccounts answers no State for it' if state == UNKNOWN else None,
            )
        )
    read.require_states(
        'ListAccounts',
        'AccountStateMissing',
        'a State (nor the Status that Organizations retired on September 9, 2026)',
        'botocore %s models State from %s on, and before that it is read from the answer itself: is endpoint_url an '
        'AWS Organizations endpoint?' % (getattr(client.botocore, '__version__', '?'), STATE_MODELLED_FROM),
    )
    return read


def enabled_regions(client: AwsClient) -> list[str]:
    """The regions enabled for the caller's account (EC2 DescribeRegions, opted-in ones included)."""
    answer = client.call(REGION, 'DescribeRegions')
    return sorted(region['RegionName'] for region in answer.get('Regions') or [])
