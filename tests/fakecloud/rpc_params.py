"""Reading Alibaba RPC parameters: flat strings, Name.N repeat lists, JSON-array strings, paging."""

from __future__ import annotations

import base64
import json
import re

from .errors import CloudError, invalid, missing

_INDEXED = re.compile(r'^([A-Za-z]+)\.(\d+)(?:\.([A-Za-z]+))?$')


def text(params: dict, name: str, required: bool = False, default: str | None = None) -> str | None:
    value = params.get(name)
    if value in (None, ''):
        if required:
            raise missing(name)
        return default
    return value


def integer(
    params: dict, name: str, default: int | None = None, low: int | None = None, high: int | None = None
) -> int | None:
    value = params.get(name)
    if value in (None, ''):
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(name) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise invalid(name, 'Valid range: %s-%s.' % (low, high))
    return number


def boolean(params: dict, name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value in (None, ''):
        return default
    if str(value).lower() not in ('true', 'false'):
        raise invalid(name)
    return str(value).lower() == 'true'


def json_list(params: dict, name: str, limit: int = 100) -> list | None:
    """A parameter holding a JSON array of strings, such as DiskIds or DestinationRegionIds."""
    value = params.get(name)
    if value in (None, ''):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        raise CloudError('Invalid%s.Malformed' % name, 'The specified parameter "%s" is not valid.' % name) from None
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items) or len(items) > limit:
        raise CloudError('Invalid%s.Malformed' % name, 'The specified parameter "%s" is not valid.' % name)
    return items


def repeat_list(params: dict, prefix: str, fields: tuple = ()) -> list:
    """``Prefix.N`` scalars, or ``Prefix.N.Field`` dicts when ``fields`` are given, ordered by N."""
    found: dict = {}
    for key, value in params.items():
        match = _INDEXED.match(key)
        if not match or match.group(1) != prefix:
            continue
        index, field = int(match.group(2)), match.group(3)
        if fields and field in fields:
            found.setdefault(index, {})[field] = value
        elif not fields and field is None:
            found[index] = value
    return [found[index] for index in sorted(found)]


def tag_filters(params: dict) -> list:
    """Tag.N.Key / Tag.N.Value filter pairs; a key without a value matches any value."""
    return [(tag['Key'], tag.get('Value')) for tag in repeat_list(params, 'Tag', ('Key', 'Value')) if tag.get('Key')]


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(('fakecloud:%d' % offset).encode()).decode().rstrip('=')


def decode_token(token: str, name: str = 'NextToken') -> int:
    try:
        raw = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode()
        prefix, offset = raw.split(':')
        if prefix != 'fakecloud':
            raise ValueError(raw)
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise CloudError('InvalidParameter.%s' % name, 'The specified parameter "%s" is not valid.' % name) from None


def page(
    params: dict, items: list, default_size: int = 10, max_size: int = 100, max_results: tuple = (1, 100)
) -> tuple:
    """ECS paging: MaxResults + NextToken when either is sent, else PageNumber/PageSize (at most ``max_size``).

    ``max_results`` is the documented range of MaxResults (DescribeDisks: 10 to 500). Answers (items of
    this page, extra answer fields).
    """
    if params.get('NextToken') or params.get('MaxResults'):
        size = integer(params, 'MaxResults', max(default_size, max_results[0]), max_results[0], max_results[1])
        start = decode_token(params['NextToken']) if params.get('NextToken') else 0
        chunk = items[start : start + size]
        more = start + size < len(items)
        return chunk, {'NextToken': encode_token(start + size) if more else '', 'TotalCount': len(items)}
    number = integer(params, 'PageNumber', 1, 1)
    size = integer(params, 'PageSize', default_size, 1, max_size)
    start = (number - 1) * size
    return items[start : start + size], {
        'PageNumber': number,
        'PageSize': size,
        'TotalCount': len(items),
        'NextToken': '',
    }
