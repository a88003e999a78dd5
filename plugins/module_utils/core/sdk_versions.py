# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oldest SDK releases the collection works with, and the warning below them.

These are the releases that ``make units-oldest`` installs (tests/requirements-oldest.txt) and
runs the unit tests on; the modules' ``requirements`` and meta/ee-requirements.txt say the same
(a unit test holds them together). Each is the first release with what the modules use:
aliyun-python-sdk-core 2.15.0 the connect_timeout of AcsClient; aliyun-python-sdk-ens 3.0.14 the
snapshot actions (DescribeSnapshots, CopySnapshot, CreateSnapshot, DeleteSnapshot); the Tencent SDK
3.0.1113 ClientProfile's request_client (3.0.1100 cannot be installed: its common package was never
published). Older releases are not refused, as amazon.aws does not refuse an old botocore: the
module warns, and what is missing fails with a message naming the package.
"""

from __future__ import annotations

from collections.abc import Mapping

MINIMUM_VERSIONS = {
    'botocore': '1.34.0',
    'aliyun-python-sdk-core': '2.15.0',
    'aliyun-python-sdk-ecs': '4.24.0',
    'aliyun-python-sdk-ens': '3.0.14',
    'tencentcloud-sdk-python-common': '3.0.1113',
    'tencentcloud-sdk-python-cbs': '3.0.1113',
    'tencentcloud-sdk-python-tag': '3.0.1113',
}

# The first botocore release whose own EC2 model has each request parameter that the minimum's lacks, per operation
# (boto/botocore: git log -S on botocore/data/ec2/2016-11-15/service-2.json, and CHANGELOG.rst: 1.35.70 "Time-based Copy
# for EBS Snapshots", 1.40.20 "copying Amazon EBS snapshot and AMIs to and from Local Zones"). The EC2 clients load the
# trimmed model of clouds.aws.ec2_model, which has them on any botocore: botocore's own model counts only with
# AWS_DATA_PATH set.
BOTOCORE_PARAMETER_RELEASES = {
    'CopySnapshot': {'CompletionDurationMinutes': '1.35.70', 'DestinationAvailabilityZone': '1.40.20'},
}


def version_key(text: object) -> tuple[int, ...]:
    """``'3.0.1113'`` as (3, 0, 1113): the leading numbers of each part ('2rc1' counts as 2)."""
    key: list[int] = []
    for part in str(text).split('.'):
        digits = ''
        for char in part:
            if not char.isdigit():
                break
            digits += char
        key.append(int(digits or 0))
    return tuple(key)


def version_warnings(installed: Mapping[str, str | None]) -> list[str]:
    """Warnings for the packages of ``installed`` ({package: version or None}) older than their minimum."""
    warnings: list[str] = []
    for package, version in sorted(installed.items()):
        minimum = MINIMUM_VERSIONS.get(package)
        if version and minimum and version_key(version) < version_key(minimum):
            warnings.append(
                '%s %s is older than %s, the oldest release this collection is tested with; '
                'upgrade it if the module fails' % (package, version, minimum)
            )
    return warnings


def missing_feature(package: str, what: str, release: str | None = None) -> str:
    """The message for an SDK that lacks ``what``: which package, and from which release it has it (``release``; by
    default the package's minimum)."""
    return '%s has no %s: upgrade it to %s or later' % (
        package,
        what,
        release or MINIMUM_VERSIONS.get(package, 'a newer release'),
    )
