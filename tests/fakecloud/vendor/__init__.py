"""The vendors' own API models, read at test time: the oracle for fakecloud's conformance tests.

- ``fakecloud.vendor.alibaba``: ECS 2014-05-26 and ENS 2017-11-10, from the Alibaba Cloud V2 SDK
  (alibabacloud-ecs20140526, alibabacloud-ens20171110: darabonba models and clients).
- ``fakecloud.vendor.tencent``: CBS 2017-03-12, Tag 2018-08-13 (and CVM 2017-03-12, STS), from tencentcloud-sdk-python
  (``AbstractModel`` classes and their docstrings).

Unlike the emulator itself (stdlib only), these modules import the vendor packages; see
tests/unit/requirements.txt. This module holds the answer checker both use.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable

SCALARS = (str, int, bool, float)


def _type_name(hint) -> str:
    if typing.get_origin(hint) in (list, dict):
        return f'{typing.get_origin(hint).__name__} of ' + ', '.join(map(_type_name, typing.get_args(hint)))
    return getattr(hint, '__name__', None) or str(hint).replace('typing.', '')


def check(value, hint, fields_of: Callable[[object], dict | None], path: str = '') -> list[str]:
    """Problems of decoded JSON ``value`` against the type ``hint``: str, int, bool, float, a list or
    dict type, a vendor model class, or ``Optional`` of one where null is allowed. ``fields_of(hint)``
    gives a model's ``{wire name: type}``, or None when ``hint`` is no model.

    Reported: keys a model does not have (``RequestId`` is allowed at the top), nulls where not
    Optional, and values of the wrong JSON type (an int is no bool; a float may be an int). Paths read
    like ``Disks.Disks[0].Tags.Tags[0].TagKey``. An empty list means conformant."""
    if typing.get_origin(hint) is typing.Union:  # Optional[...]: null allowed
        if value is None:
            return []
        hint = next(arg for arg in typing.get_args(hint) if arg is not types.NoneType)
    where, known = path or '(answer)', fields_of(hint)
    if value is None:
        return [f'{where}: null where the model says {_type_name(hint)}']
    if typing.get_origin(hint) is list:
        if not isinstance(value, list):
            return [f'{where}: {type(value).__name__} where the model says {_type_name(hint)}']
        inner = typing.get_args(hint)[0]
        return [
            problem
            for index, item in enumerate(value)
            for problem in check(item, inner, fields_of, f'{where}[{index}]')
        ]
    if known is not None or typing.get_origin(hint) is dict:
        if not isinstance(value, dict):
            return [f'{where}: {type(value).__name__} where the model says {_type_name(hint)}']
        problems = []
        for key, item in value.items() if known is not None else ():
            key_path = f'{path}.{key}' if path else key
            if key in known:
                problems += check(item, known[key], fields_of, key_path)
            elif not (key == 'RequestId' and not path):
                problems.append(f'{key_path}: not in {_type_name(hint)}')
        return problems
    if hint in SCALARS:
        accepted = (int, float) if hint is float else hint
        if not isinstance(value, accepted) or (hint is not bool and isinstance(value, bool)):
            return [f'{where}: {type(value).__name__} {value!r} where the model says {hint.__name__}']
    return []
