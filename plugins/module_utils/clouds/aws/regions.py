# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS regions the installed botocore knows, to refuse one that no partition holds before any call (EC2 would be
asked at a host that does not exist; moto answers an HTML 500 page after 49 s of retries).

botocore's data/endpoints.json lists each partition's regions ("partitions": [{"partition": "aws", "regionRegex":
"^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", "regions": {"us-east-1": {...}, ...}}, ...]). A region that is in no
list but matches a partition's regionRegex is taken as newer than the installed botocore: the run warns and goes on, as
botocore itself resolves such a region's endpoint by the partition's hostname. With endpoint_url (an emulator, a VPC
endpoint, a proxy) the host is the user's: an unknown region is warned of, never refused.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...core.errors import InputError

# The nearest known regions a message names.
NEAREST = 3


class KnownRegions:
    """The regions of botocore's partitions (``endpoints``: its endpoints.json, read), and their patterns."""

    def __init__(self, endpoints: Mapping[str, Any], version: str | None = None) -> None:
        self.version = version
        self.names: list[str] = sorted(
            {region for partition in endpoints.get('partitions') or () for region in partition.get('regions') or {}}
        )
        self.patterns = [
            re.compile(partition['regionRegex'])
            for partition in endpoints.get('partitions') or ()
            if partition.get('regionRegex')
        ]

    @classmethod
    def of_botocore(cls, botocore_module: Any, loader: Any = None) -> KnownRegions:
        """The regions of the installed botocore (``botocore_module``: botocore, imported), read by ``loader`` (a
        client's data loader, which keeps what it read for the client's own endpoint resolution; else a new one)."""
        if loader is None:
            loader = importlib.import_module(botocore_module.__name__ + '.loaders').create_loader()
        return cls(loader.load_data('endpoints'), getattr(botocore_module, '__version__', None))

    def nearest(self, region: str) -> list[str]:
        return difflib.get_close_matches(region, self.names, n=NEAREST, cutoff=0.5)

    def check(self, regions: Iterable[tuple[str, str]], *, endpoint_url: str | None) -> list[str]:
        """Warnings for ``regions`` ((option, region) pairs) that botocore does not list; InputError for the first that
        no partition can hold, when no endpoint_url is set."""
        # botocore reads these itself (its "service-specific endpoints", 1.31 on): the host is the user's then too.
        endpoint_url = endpoint_url or os.environ.get('AWS_ENDPOINT_URL_EC2') or os.environ.get('AWS_ENDPOINT_URL')
        warnings: list[str] = []
        botocore = 'botocore %s' % self.version if self.version else 'the installed botocore'
        for option, region in regions:
            if not region or region in self.names:
                continue
            near = self.nearest(region)
            nearest = '; the nearest it knows: %s' % ', '.join(near) if near else ''  # did you mean
            if endpoint_url:
                warnings.append(
                    '%s: AWS region %s is not one %s knows%s. Going on, as endpoint_url is set'
                    % (option, region, botocore, nearest)
                )
            elif any(pattern.match(region) for pattern in self.patterns):
                warnings.append(
                    '%s: AWS region %s is not one %s knows%s. Going on, as it is named like a region of a partition '
                    '(newer than the installed botocore?); a newer botocore lists it'
                    % (option, region, botocore, nearest)
                )
            else:
                raise InputError(
                    option,
                    '%s is no AWS region: %s knows it in no partition%s' % (region, botocore, nearest),
                )
        return warnings
