"""Facts about Tencent Cloud CBS and CVM (2017-03-12), Tag and STS (2018-08-13) APIs, read from tencentcloud-sdk-python.

Where each fact comes from (``tencentcloud.<service>.<version>.models``):

- models: ``<Action>Request`` and ``<Action>Response`` (``AbstractModel`` subclasses; the Response class
  describes the content of the answer's ``Response`` object, RequestId included).
- fields and their types: the model's properties, in order, and the ``:rtype:`` line of each property's
  docstring (``str``, ``int``, ``bool``, ``float``, ``list of str``, ``list of Filter``,
  ``:class:`tencentcloud.cbs.v20170312.models.Placement```).
- field docs: the rest of that docstring (HTML). Filter names are the ``<li>snapshot-id<ul>`` or
  ``<li>tag-key - Array of String - ...`` items of a Filters doc; documented values are its
  ``<code>VALUE</code>``, ``<li>VALUE</li>`` and "VALUE: meaning" items (the colon is often full-width);
  limits are "最大值为100" style text; nulls are allowed where the doc says "此字段可能返回 null".
- there are no required flags: the Tencent models do not say which parameters are required.

CVM 2017-03-12 (``tencentcloud-sdk-python-cvm``) is read for DescribeInstances alone, the drill host's look-up.
"""

from __future__ import annotations

import functools
import importlib
import re
import typing

from . import SCALARS, check

VERSIONS = {
    'cbs': 'v20170312',
    'cvm': 'v20170312',
    'tag': 'v20180813',
    'tencent_sts': 'v20180813',
    'organization': 'v20210331',
}
# The SDK's package of each product fakecloud names otherwise (tencentcloud-sdk-python-sts: tencentcloud.sts).
PACKAGES = {'tencent_sts': 'sts'}
NULLABLE = '此字段可能返回 null'  # the doc's note on fields an answer may give as null
_SCALAR_NAMES = {cls.__name__: cls for cls in SCALARS}


@functools.cache
def _models(service: str):
    return importlib.import_module(f'tencentcloud.{PACKAGES.get(service, service)}.{VERSIONS[service]}.models')


def model(service: str, name: str) -> type:
    """The model class ``name`` (e.g. 'Snapshot') of ``service`` ('cbs' or 'tag')."""
    return getattr(_models(service), name)


def request_model(service: str, action: str) -> type:
    """``<Action>Request`` of ``service``."""
    return model(service, action + 'Request')


def response_model(service: str, action: str) -> type:
    """``<Action>Response`` of ``service``: the content of the answer's ``Response`` object."""
    return model(service, action + 'Response')


def _model_class(service: str, cls) -> type:
    return model(service, cls) if isinstance(cls, str) else cls


def _type(service: str, rtype: str):
    """The type an ``:rtype:`` text names: a scalar class, ``list[...]`` or a model class; ``object`` (any value) for a
    field whose docstring names none (cvm Instance.DisasterRecoverGroupId has no docstring at all)."""
    if not rtype:
        return object
    if rtype.startswith('list of '):
        return list[_type(service, rtype[len('list of ') :])]
    name = re.sub(r'^:class:`[\w.]*?(\w+)`$', r'\1', rtype).split()[0]  # 'int non-negative' -> 'int'
    return _SCALAR_NAMES.get(name) or model(service, name)


@functools.cache
def _fields(service: str, cls: type) -> dict[str, tuple[object, str]]:
    """Field name -> (type, doc) of a model class, from its properties' docstrings."""
    out = {}
    for name, prop in vars(cls).items():
        if isinstance(prop, property) and not name.startswith('_'):
            doc, dummy, rtype = (prop.__doc__ or '').partition(':rtype:')
            out[name] = (_type(service, rtype.strip()), doc.strip())
    return out


def fields(service: str, model_name) -> dict[str, object]:
    """Field name -> type (scalar class, ``list[...]`` or model class) of a model (a name or the class)."""
    return {name: hint for name, (hint, dummy) in _fields(service, _model_class(service, model_name)).items()}


def _is_model(hint) -> bool:
    return isinstance(hint, type) and hint not in SCALARS and hasattr(hint, '_deserialize')


def _inner(hint):
    return hint.__args__[0] if getattr(hint, '__origin__', None) is list else hint


def request_fields(service: str, action: str) -> set[str]:
    """Field names of ``<Action>Request``, with the fields of structured ones as dotted paths without
    indices (``Filters``, ``Filters.Name``, ``Filters.Values``, ``Tags.Key``)."""

    def walk(cls, prefix, depth):
        for name, hint in fields(service, cls).items():
            yield prefix + name
            if _is_model(_inner(hint)) and depth < 5:
                yield from walk(_inner(hint), f'{prefix}{name}.', depth + 1)

    return set(walk(request_model(service, action), '', 0))


def _response_fields(service: str, hint) -> dict | None:
    if not _is_model(hint):
        return None
    return {
        name: typing.Optional[sub] if NULLABLE in doc else sub for name, (sub, doc) in _fields(service, hint).items()
    }


def check_response(service: str, action: str, response: dict) -> list[str]:
    """Problems of the content of an answer's ``Response`` object against ``<Action>Response``: unknown
    keys (recursively), values of the wrong JSON type and nulls (except where the field's doc says
    "此字段可能返回 null"), with paths like ``SnapshotSet[0].Percent``. An empty list means conformant."""
    return check(response, response_model(service, action), functools.partial(_response_fields, service))


def field_doc(service: str, model_name, field: str) -> str:
    """The docstring text of a model's field, without its ``:rtype:`` line."""
    return _fields(service, _model_class(service, model_name))[field][1]


_FILTER = re.compile(r'<li>\s*([a-z][a-z0-9:._-]*)(?:<ul>|\s+-\s)')


def documented_filters(service: str, action: str) -> list[str]:
    """The filter names the doc of ``<Action>Request.Filters`` lists, in order (``tag:tag-key`` stands
    for ``tag:<any key>``)."""
    return list(dict.fromkeys(_FILTER.findall(field_doc(service, request_model(service, action), 'Filters'))))


def _section(doc: str, filter_name: str | None) -> str:
    """The part of a Filters doc about one filter (the whole doc when ``filter_name`` is None)."""
    if filter_name is None:
        return doc
    starts = [(match.group(1), match.start()) for match in _FILTER.finditer(doc)] + [('', len(doc))]
    for (name, start), (dummy, end) in zip(starts, starts[1:]):
        if name == filter_name:
            return doc[start:end]
    raise KeyError(filter_name)


_VALUE = re.compile(
    r'<code>([\w.-]+)</code>'  # <code>NORMAL</code>
    r'|[(|>\s]\s*([A-Za-z0-9_.-]+)\s*\uff1a'  # NORMAL followed by a full-width colon
    r'|<li>\s*([A-Za-z0-9_.-]+)\s*(?::(?![/A-Za-z-])|</li>)'
)  # <li>true:..., <li>CVM</li>, not <li>tag:tag-key


def documented_values(service: str, model_name, field: str, filter_name: str | None = None) -> list[str]:
    """The values a field's doc lists, in order: ``<code>VALUE</code>``, VALUE followed by a full-width
    colon, ``<li>VALUE:`` and ``<li>VALUE</li>`` items. With ``filter_name``, only those in that
    filter's part of a Filters doc."""
    text = _section(field_doc(service, model_name, field), filter_name)
    return list(dict.fromkeys(next(group for group in found if group) for found in _VALUE.findall(text)))


def documented_maximum(service: str, model_name, field: str, filter_name: str | None = None) -> int | None:
    """The upper bound a field's doc states ("最大值为100", "最多支持6组", "不超过10个", a "取值范围" of
    0~9); None if it states none. With ``filter_name``, only that filter's part of a Filters doc."""
    doc = _section(field_doc(service, model_name, field), filter_name)
    match = re.search(r'(?:最大|最多|不超过)[^\d\uff0c\u3002<]{0,4}(\d+)', doc) or re.search(
        r'取值范围(?:为|是|\uff1a|:)?\s*\[?\d+\s*[~\uff5e-]\s*(\d+)', doc
    )
    return int(match.group(1)) if match else None
