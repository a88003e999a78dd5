"""AWS Organizations' accounts as AWS answers them since September 9, 2026: with State, without Status, as a WSGI layer in
front of moto's server (moto 5.2.5 answers both).

botocore's organizations model (2016-11-28), Account.Status: "The Status parameter in the Account object will be retired
on September 9, 2026. Although both the account State and account Status parameters are currently available in the
Organizations APIs (DescribeAccount, ListAccounts, ListAccountsForParent), we recommend that you update your scripts or
other code to use the State parameter instead of Status before September 9, 2026." This layer takes Status out of the
Account objects of those three answers; nothing else of moto's answers changes.

RETIRED is the set of fields taken out: a test may add State to it, for an answer that says no account's state at all
(what a botocore without State in its model would parse of AWS's answer, had the collection not read the JSON itself).
"""

from __future__ import annotations

import json

# The JSON protocol's target prefix of Organizations 2016-11-28 (botocore's model, metadata.targetPrefix).
TARGET_PREFIX = 'AWSOrganizationsV20161128.'
# The answers with Account objects: {action: the key that holds them}.
ACCOUNT_ANSWERS = {'ListAccounts': 'Accounts', 'ListAccountsForParent': 'Accounts', 'DescribeAccount': 'Account'}
RETIRED = {'Status'}


def without_retired(answer: dict, key: str) -> dict:
    """``answer`` with the RETIRED fields taken out of its Account objects (``answer[key]``: a list or one)."""
    accounts = answer.get(key)
    for account in accounts if isinstance(accounts, list) else [accounts] if isinstance(accounts, dict) else []:
        for field in RETIRED:
            account.pop(field, None)
    return answer


def with_organizations_state(app):
    """``app`` (moto's WSGI application) whose Organizations accounts are answered without the RETIRED fields."""

    def serve(environ, start_response):
        target = environ.get('HTTP_X_AMZ_TARGET', '')
        action = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else None
        if action not in ACCOUNT_ANSWERS:
            return app(environ, start_response)
        answered = {}

        def keep(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return lambda data: None

        body = b''.join(app(environ, keep))
        if answered['status'].startswith('200'):
            body = json.dumps(without_retired(json.loads(body), ACCOUNT_ANSWERS[action])).encode()
        headers = [(name, value) for name, value in answered['headers'] if name.lower() != 'content-length']
        start_response(answered['status'], [*headers, ('Content-Length', str(len(body)))])
        return [body]

    return serve
