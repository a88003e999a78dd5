# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oldest SDK releases a cloud works with: how they are compared, and the warning below them.

Each cloud's oldest releases are on its ``Provider`` record (clouds/registry.py ``sdk_minimums``, from the cloud's
client). They are the releases that ``make units-oldest`` installs (tests/requirements-oldest.txt) and runs the unit tests
on; the modules' ``requirements`` and meta/ee-requirements.txt say the same (a unit test holds them together). Older
releases are not refused, as amazon.aws does not refuse an old botocore: the module warns, and what is missing fails with
a message naming the package.
"""

from __future__ import annotations

from collections.abc import Mapping


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


def version_warnings(installed: Mapping[str, str | None], minimums: Mapping[str, str]) -> list[str]:
    """Warnings for the packages of ``installed`` ({package: version or None}) older than their ``minimums``
    ({package: oldest release})."""
    warnings: list[str] = []
    for package, version in sorted(installed.items()):
        minimum = minimums.get(package)
        if version and minimum and version_key(version) < version_key(minimum):
            warnings.append(
                '%s %s is older than %s, the oldest release this collection is tested with; '
                'upgrade it if the module fails' % (package, version, minimum)
            )
    return warnings


def missing_feature(package: str, what: str, release: str | None) -> str:
    """The message for an SDK that lacks ``what``: which package, and from which release it has it (``release``: the
    package's minimum, or the release that brought ``what``)."""
    return '%s has no %s: upgrade it to %s or later' % (package, what, release or 'a newer release')
