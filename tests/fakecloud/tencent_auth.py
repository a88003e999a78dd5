"""Tencent Cloud API 3.0 request checks (TC3-HMAC-SHA256), as the API gateway does them."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from .errors import CloudError

_AUTH_RE = re.compile(
    r'^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([\w-]+)/tc3_request, '
    r'SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})$'
)


def _failure() -> CloudError:
    return CloudError(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
        200,
    )


def signature(
    secret_key: str,
    date: str,
    service: str,
    method: str,
    uri: str,
    query: str,
    headers: dict,
    signed_headers: str,
    payload: bytes,
    timestamp: str,
    unsigned: bool = False,
) -> str:
    """The TC3 signature of one request (``headers`` keyed by lower-case name)."""
    names = signed_headers.split(';')
    canonical_headers = ''.join('%s:%s\n' % (name, headers.get(name, '').strip()) for name in names)
    payload_hash = hashlib.sha256(b'UNSIGNED-PAYLOAD' if unsigned else payload).hexdigest()
    canonical_request = '\n'.join((method, uri, query, canonical_headers, signed_headers, payload_hash))
    scope = '%s/%s/tc3_request' % (date, service)
    to_sign = '\n'.join(
        ('TC3-HMAC-SHA256', timestamp, scope, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest())
    )

    def _mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode('utf-8'), hashlib.sha256).digest()

    key = _mac(_mac(_mac(('TC3' + secret_key).encode('utf-8'), date), service), 'tc3_request')
    return hmac.new(key, to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def verify(store, service: str, method: str, uri: str, query: str, headers: dict, payload: bytes) -> str:
    """Check the Authorization header, timestamp and token; answer the account the SecretId belongs to.
    Caller holds the lock."""
    match = _AUTH_RE.match(headers.get('authorization', ''))
    if not match:
        raise _failure()
    secret_id, date, scope_service, signed_headers, given = match.groups()
    stamp = headers.get('x-tc-timestamp', '')
    if not stamp.isdigit():
        raise CloudError('MissingParameter', 'The request is missing a required parameter `Timestamp`.', 200)
    window = float(store.config['tencent_timestamp_window_seconds'])
    if abs(store.now() - int(stamp)) > window:
        raise CloudError(
            'AuthFailure.SignatureExpire',
            'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.',
            200,
        )
    entry = store.credential('tencent', secret_id)
    if entry is None:
        raise CloudError(
            'AuthFailure.SecretIdNotFound',
            'The SecretId is not found, please ensure that your SecretId is correct.',
            200,
        )
    if 'content-type' not in signed_headers.split(';') or 'host' not in signed_headers.split(';'):
        raise _failure()
    if scope_service != service or date != time.strftime('%Y-%m-%d', time.gmtime(int(stamp))):
        raise _failure()
    unsigned = headers.get('x-tc-content-sha256') == 'UNSIGNED-PAYLOAD'
    expected = signature(
        entry['secret_key'], date, service, method, uri, query, headers, signed_headers, payload, stamp, unsigned
    )
    if not hmac.compare_digest(expected, given):
        raise _failure()
    if entry.get('token') and headers.get('x-tc-token') != entry['token']:
        raise CloudError('AuthFailure.TokenFailure', 'Token verification failed.', 200)
    if entry.get('expires') is not None and store.now() >= entry['expires']:
        # Temporary credentials stop working at ExpiredTime (sts 2018-08-13 AssumeRoleResponse). Unverifiable:
        # the code; AuthFailure.TokenFailure is the common error for a token that does not pass.
        raise CloudError('AuthFailure.TokenFailure', 'The token has expired.', 200)
    return entry['account']
