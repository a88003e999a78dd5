"""Facts about Alibaba Cloud ECS (2014-05-26), ENS (2017-11-10) and STS (2015-04-01) APIs, read from the vendor's V2
SDK.

Where each fact comes from (packages alibabacloud_ecs20140526, alibabacloud_ens20171110 and alibabacloud_sts20150401):

- models: ``<pkg>.models.<Action>Request`` and ``<Action>ResponseBody`` (darabonba models).
- field types: the type hints of each model's ``__init__`` (str, int, bool, float, List[...], nested model).
- wire names: each model's ``to_map()``; a field's name is the key that changes when only that field is set.
- field docs: the ``#`` comment lines just above each ``self.<field> = <field>`` line of ``__init__``.
- request parameters: the V2 client's ``<action>_with_options`` run on a request with every field set,
  with ``call_api`` replaced by a capture (no network), its query and body flattened with the SDK's
  own ``Utils.query`` (``Tag.1.Key``); repeat indices are then written ``N``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import typing

from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from . import check

PACKAGES = {
    'ecs': 'alibabacloud_ecs20140526',
    'ens': 'alibabacloud_ens20171110',
    'alibaba_sts': 'alibabacloud_sts20150401',
    'resourcesharing': 'alibabacloud_resourcesharing20200110',
    'kms': 'alibabacloud_kms20160120',
    'resourcemanager': 'alibabacloud_resourcemanager20200331',
    'ram': 'alibabacloud_ram20150501',
}
REQUIRED = 'This parameter is required.'


@functools.cache
def _models(product: str):
    return importlib.import_module(PACKAGES[product] + '.models')


def model(product: str, name: str) -> type:
    """The model class ``name`` (e.g. 'DescribeDisksResponseBodyDisksDisks') of ``product``."""
    return getattr(_models(product), name)


def request_model(product: str, action: str) -> type:
    """``<Action>Request`` of ``product`` ('ecs' or 'ens')."""
    return model(product, action + 'Request')


def response_model(product: str, action: str) -> type:
    """``<Action>ResponseBody`` of ``product``: ``response_model(...)(field=...).to_map()`` builds an answer."""
    return model(product, action + 'ResponseBody')


def _is_model(hint) -> bool:
    return inspect.isclass(hint) and hasattr(hint, 'to_map') and hasattr(hint, 'from_map')


def _sample(hint):
    """A shallow value of type ``hint``: enough for to_map() to write the field."""
    if typing.get_origin(hint) is list:
        return [_sample(typing.get_args(hint)[0])]
    if typing.get_origin(hint) is dict:
        return {'k': 'v'}
    if _is_model(hint):
        return hint()
    return {bool: True, int: 1, float: 1.5}.get(hint, 'x')


@functools.cache
def _fields(cls: type) -> dict[str, tuple[str, object]]:
    """Wire name -> (attribute name, type hint) of a darabonba model class."""
    hints = typing.get_type_hints(cls.__init__)
    hints.pop('return', None)
    empty = cls().to_map()
    out = {}
    for attr, hint in hints.items():
        obj = cls()
        setattr(obj, attr, _sample(hint))
        changed = [key for key, value in obj.to_map().items() if key not in empty or empty[key] != value]
        if len(changed) != 1:
            raise LookupError(f'{cls.__name__}.{attr}: to_map() writes {changed}')
        out[changed[0]] = (attr, hint)
    return out


@functools.cache
def _docs(cls: type) -> dict[str, str]:
    """Attribute name -> the comment text above its assignment in ``__init__``."""
    docs, lines = {}, []
    for line in inspect.getsource(cls.__init__).splitlines():
        text = line.strip()
        if text.startswith('#'):
            lines.append(text[2:] if text.startswith('# ') else text[1:])
        elif match := re.match(r'self\.(\w+) = ', text):
            docs[match.group(1)] = '\n'.join(lines).strip()
            lines = []
    return docs


def _model_class(product: str, cls) -> type:
    return model(product, cls) if isinstance(cls, str) else cls


def fields(product: str, model_name) -> dict[str, object]:
    """Wire name -> type hint (str, int, bool, float, List[...], a model class) of a model (a name or the class)."""
    return {wire: hint for wire, (dummy, hint) in _fields(_model_class(product, model_name)).items()}


def field_doc(product: str, model_name, wire_name: str) -> str:
    """The doc comment of field ``wire_name`` of model ``model_name`` (a name or the class); '' if none."""
    cls = _model_class(product, model_name)
    return _docs(cls).get(_fields(cls)[wire_name][0], '')


def documented_values(product: str, model_name, wire_name: str) -> list[str]:
    """The values a field's doc lists as ``- value: meaning`` (or ``- **value**: ...``, ``- value``) items."""
    item = re.compile(r'^\s*[-*]\s+\**`?([\w.\-/]+)`?\**\s*(?:\(default\))?\s*(?:[:(]|$)')
    found = (item.match(line) for line in field_doc(product, model_name, wire_name).splitlines())
    return list(dict.fromkeys(match.group(1) for match in found if match))


def documented_maximum(product: str, model_name, wire_name: str) -> int | None:
    """The upper bound a field's doc states ("Maximum value: **50**", "Valid values: 10 to 500",
    "Valid values of N: 1 to 50", "Array length: 1 to 100"); None if it states none."""
    doc = field_doc(product, model_name, wire_name).replace(',', '')
    match = re.search(r'Maximum value:?\s*\**\s*(\d+)', doc) or re.search(
        r'(?:Valid values(?: of N)?|Value range|Array length|Valid range):\s*\**\d+\**\s*(?:to|-|~)\s*\**(\d+)',
        doc,
        re.IGNORECASE,
    )
    return int(match.group(1)) if match else None


def _filled(hint, depth: int = 0):
    """A value of type ``hint`` with every field set, recursively (lists hold one item)."""
    if typing.get_origin(hint) is list:
        return [_filled(typing.get_args(hint)[0], depth)]
    if _is_model(hint) and depth < 5:
        obj = hint()
        for attr, sub in _fields(hint).values():
            setattr(obj, attr, _filled(sub, depth + 1))
        return obj
    return _sample(hint)


@functools.cache
def wire_parameters(product: str, action: str) -> frozenset[str]:
    """Every request parameter name the vendor's V2 SDK can send for ``action``, indices written N (none for an action
    whose model has no request, STS GetCallerIdentity)."""
    if not hasattr(_models(product), action + 'Request'):
        return frozenset()
    client = importlib.import_module(PACKAGES[product] + '.client').Client(
        Config(
            access_key_id='dummy', access_key_secret='dummy', region_id='cn-hangzhou', endpoint='vendor-model.invalid'
        )
    )
    wanted = action.lower() + 'withoptions'
    method = next(getattr(client, name) for name in dir(client) if name.replace('_', '') == wanted)
    captured = []
    client.call_api = lambda params, req, runtime: captured.append(req) or {}
    method(_filled(request_model(product, action)), RuntimeOptions())
    if not captured:
        raise LookupError(f'{product} {action}: the client called no call_api')
    names = set()
    for req in captured:
        for part in (req.query, req.body):
            names.update(Utils.query(part) if isinstance(part, dict) else {})
    return frozenset(re.sub(r'(?<=\.)\d+(?=\.|$)', 'N', name) for name in names)


def _required_paths(cls: type, prefix: str, depth: int = 0):
    docs = _docs(cls)
    for wire, (attr, hint) in _fields(cls).items():
        if REQUIRED not in docs.get(attr, ''):
            continue
        is_list = typing.get_origin(hint) is list
        inner = typing.get_args(hint)[0] if is_list else hint
        name = prefix + wire + ('.N' if is_list else '')
        yield name
        if _is_model(inner) and depth < 5:
            yield from _required_paths(inner, name + '.', depth + 1)


@functools.cache
def required_parameters(product: str, action: str) -> frozenset[str]:
    """Wire names whose field doc says "This parameter is required." (a nested name such as
    ``Tag.N.Key`` only when every field it sits in is required too). A field the SDK sends as a
    JSON string (ENS ``DestinationRegionIds``) is named once, without its nested names."""
    sent, required = wire_parameters(product, action), set()
    for path in _required_paths(request_model(product, action), ''):
        name = path
        while name not in sent and '.' in name:  # sent as a JSON string: 'Tag.N.Key' -> 'Tag'
            name = name.rsplit('.', 1)[0]
        if name in sent:
            required.add(name)
    return frozenset(required)


def _field_types(hint) -> dict | None:
    return {wire: sub for wire, (dummy, sub) in _fields(hint).items()} if _is_model(hint) else None


def check_answer(product: str, action: str, answer: dict) -> list[str]:
    """Problems of a decoded JSON answer of ``action`` against ``<Action>ResponseBody``: keys the model
    does not have and values of the wrong JSON type (null included), with paths like
    ``Disks.Disks[0].Tags.Tags[0].TagKey``. An empty list means the answer conforms."""
    return check(answer, response_model(product, action), _field_types)
