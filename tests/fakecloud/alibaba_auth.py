"""Alibaba Cloud RPC signature checks (HMAC-SHA1, SignatureVersion 1.0), as the POP gateway does them."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import time
import urllib.parse

from .errors import CloudError, missing


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as they are; space is %20."""
    return urllib.parse.quote(value, safe='~')


def string_to_sign(method: str, params: dict) -> str:
    """METHOD&%2F&percentEncode(sorted k=v pairs of every parameter but Signature)."""
    pairs = sorted((k, v) for k, v in params.items() if k != 'Signature')
    canonical = '&'.join('%s=%s' % (percent_encode(k), percent_encode(v)) for k, v in pairs)
    return '%s&%s&%s' % (method.upper(), percent_encode('/'), percent_encode(canonical))


def sign(method: str, params: dict, secret: str) -> str:
    digest = hmac.new(
        (secret + '&').encode('utf-8'), string_to_sign(method, params).encode('utf-8'), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode('ascii')


def _parse_timestamp(value: str) -> float:
    for fmt in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ'):
        try:
            return float(calendar.timegm(time.strptime(value, fmt)))
        except ValueError:
            continue
    raise CloudError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.')


def verify(store, method: str, params: dict) -> str:
    """Check credentials, timestamp, nonce and signature; answer the account the AccessKeyId belongs to.
    Caller holds the lock."""
    for name in ('AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce'):
        if not params.get(name):
            raise missing(name)
    if 'Timestamp' not in params:
        raise CloudError(
            'IllegalTimestamp',
            'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
        )
    if params['SignatureMethod'] != 'HMAC-SHA1':
        raise CloudError('InvalidSignatureMethod', 'Specified signature method is not supported.')
    if params['SignatureVersion'] != '1.0':
        raise CloudError('InvalidSignatureVersion', 'Specified signature version is not supported.')
    now = store.now()
    window = float(store.config['alibaba_timestamp_window_seconds'])
    if abs(now - _parse_timestamp(params['Timestamp'])) > window:
        raise CloudError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')

    key_id = params['AccessKeyId']
    entry = store.credential('alibaba', key_id)
    if entry is None:
        raise CloudError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404)

    expected = sign(method, params, entry['access_key_secret'])
    if not hmac.compare_digest(expected, params['Signature']):
        # The real message ends with the server's string to sign; the SDK compares it with its own
        # and, when they agree (only the secret was wrong), reports InvalidAccessKeySecret.
        raise CloudError(
            'SignatureDoesNotMatch',
            'Specified signature is not matched with our calculation. '
            'server string to sign is:' + string_to_sign(method, params),
        )

    if key_id.startswith('STS.') or entry.get('security_token'):
        token = params.get('SecurityToken')
        if not token:
            raise CloudError('MissingSecurityToken', 'SecurityToken is mandatory for this action.')
        if token != entry.get('security_token'):
            raise CloudError(
                'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.'
            )
        if entry.get('expires') is not None and now >= entry['expires']:
            # Temporary credentials from STS AssumeRole stop working at their Expiration (STS API reference).
            raise CloudError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')

    if store.nonce_used((key_id, params['SignatureNonce']), now, window):
        raise CloudError('SignatureNonceUsed', 'Specified signature nonce was used already.')
    return entry['account']
