"""Reading Tencent API 3.0 parameters (JSON bodies) and their Filters/paging conventions."""

from __future__ import annotations

from .errors import CloudError, tc_invalid, tc_missing


def text(params: dict, name: str, required: bool = False, default=None):
    value = params.get(name)
    if value in (None, ''):
        if required:
            raise tc_missing(name)
        return default
    if not isinstance(value, str):
        raise tc_invalid(name)
    return value


def str_list(params: dict, name: str, required: bool = False, limit: int = 100):
    value = params.get(name)
    if value in (None, []):
        if required:
            raise tc_missing(name)
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tc_invalid(name)
    if len(value) > limit:
        raise tc_invalid(name, 'At most %d items.' % limit)
    return value


def integer(params: dict, name: str, default: int, low: int, high: int | None = None) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise tc_invalid(name) from None
    if number < low or (high is not None and number > high):
        raise tc_invalid(name, 'Valid range: %s-%s.' % (low, high if high is not None else 'unbounded'))
    return number


def filters(params: dict, supported: tuple) -> list:
    """Filters as (name, values); ``supported`` lists the action's filter names, ``tag:*`` standing for
    ``tag:<any key>``. Any other name is refused with InvalidFilter, as the API does."""
    result = []
    for item in params.get('Filters') or []:
        if not isinstance(item, dict) or not isinstance(item.get('Name'), str):
            raise tc_invalid('Filters')
        name, values = item['Name'], item.get('Values') or []
        if not isinstance(values, list):
            raise tc_invalid('Filters.Values')
        if name not in supported and not (name.startswith('tag:') and len(name) > 4 and 'tag:*' in supported):
            raise CloudError('InvalidFilter', 'The filter `%s` is not supported.' % name, 200)
        result.append((name, [str(v) for v in values]))
    return result


def tag_filter_ok(tags: dict, name: str, values: list):
    """Answer for the tag filters (None if ``name`` is not a tag filter)."""
    if name == 'tag-key':
        return any(v in tags for v in values)
    if name == 'tag-value':
        return any(v in tags.values() for v in values)
    if name.startswith('tag:'):
        key = name[4:]
        return key in tags and (not values or tags[key] in values)
    return None


def page(params: dict, records: list, default_limit: int = 20) -> list:
    """Offset/Limit (<= 100) after Order/OrderField (only CREATE_TIME) sorting."""
    order = text(params, 'Order', default='DESC')
    if order not in ('ASC', 'DESC'):
        raise tc_invalid('Order')
    field = text(params, 'OrderField', default='CREATE_TIME')
    if field not in ('CREATE_TIME', 'DEADLINE'):
        raise tc_invalid('OrderField')
    ordered = sorted(records, key=lambda r: (r['created'], r['id']), reverse=(order == 'DESC'))
    offset = integer(params, 'Offset', 0, 0)
    limit = integer(params, 'Limit', default_limit, 1, 100)
    return ordered[offset : offset + limit]
