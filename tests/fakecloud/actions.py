"""What an emulated action is: its handler, and the request parameters it accepts.

Each action declares the parameters it accepts, by the names the vendor's API model gives them
(Alibaba: ``Tag.N.Key``, repeat indices written N; Tencent: ``Filters.Name``, nested fields after
a dot). The server refuses any other parameter, so a client that sends a misspelt or invented one
fails a test instead of being quietly ignored; the conformance test
(tests/fakecloud/tests/test_conformance.py) checks every declared name against the vendor's
request model.

Unverifiable: what Alibaba's RPC API does with an unknown parameter (fakecloud refuses it with
InvalidParameter). Tencent's API 3.0 answers UnknownParameter, as fakecloud does.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

from .errors import CloudError

# What every Alibaba RPC request carries besides the action's own parameters (signature and
# protocol fields). The V1 core SDK also sends RegionId (its client's region) with every request,
# an action's own parameter or not.
ALIBABA_PROTOCOL = frozenset(
    (
        'Action',
        'Version',
        'Format',
        'AccessKeyId',
        'Signature',
        'SignatureMethod',
        'SignatureVersion',
        'SignatureType',
        'SignatureNonce',
        'Timestamp',
        'SecurityToken',
        'RegionId',
    )
)
_INDEX = re.compile(r'\.\d+(?=\.|$)')


class Action(NamedTuple):
    """``handler(call) -> answer``; ``mutating``: whether it can change state; ``parameters``: the names it accepts."""

    handler: Callable
    mutating: bool
    parameters: frozenset


def action(handler: Callable, mutating: bool, *parameters: str) -> Action:
    return Action(handler, mutating, frozenset(parameters))


def alibaba_name(key: str) -> str:
    """``Tag.3.Key`` -> ``Tag.N.Key``: a parameter as the vendor's request model names it."""
    return _INDEX.sub('.N', key)


def check_alibaba_parameters(params: dict, entry: Action) -> None:
    unknown = sorted(key for key in params if key not in ALIBABA_PROTOCOL and alibaba_name(key) not in entry.parameters)
    if unknown:
        raise CloudError(
            'InvalidParameter',
            'The parameter "%s" is not a parameter of this action '
            '(fakecloud accepts only what the vendor\'s API model lists).' % unknown[0],
        )


def tencent_names(params: dict) -> set:
    """The parameter names of a decoded Tencent request: top level, and ``Field.Sub`` inside lists of objects."""
    names = set()
    for key, value in params.items():
        names.add(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                names.update('%s.%s' % (key, sub) for sub in item)
    return names


def check_tencent_parameters(params: dict, entry: Action) -> None:
    unknown = sorted(tencent_names(params) - entry.parameters)
    if unknown:
        raise CloudError('UnknownParameter', 'The parameter `%s` is not recognized.' % unknown[0], 200)
