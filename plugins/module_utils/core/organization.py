# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An organisation's member accounts as each cloud lists them (AWS Organizations, Alibaba Cloud Resource Directory,
Tencent Cloud Organization), in one shape: what the dr_scopes inventory makes its scopes of.

Each cloud's reader (clouds/<vendor>/organization.py) answers an ``OrganizationRead``; the rules that turn it into
scopes (which accounts, which regions, which variables) are the inventory's (plugin_utils/_dr_scopes.py), once for the
three clouds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import FATAL, CloudError

#: An account that can hold disks and be protected. Any other state is the cloud's word for why not (suspended, closed,
#: still being made), said in the inventory's record of the accounts it left out.
ACTIVE = 'active'
#: An account listed without a state: left out, and a read in which every account is so fails (``require_states``).
UNKNOWN = 'UNKNOWN'


@dataclass(frozen=True)
class Unit:
    """An organisational unit (AWS OU, Resource Directory folder, Tencent node)."""

    unit_id: str
    name: str
    parent_id: str | None


@dataclass(frozen=True)
class MemberAccount:
    """One account of the organisation."""

    account: str
    name: str
    #: ACTIVE, or the cloud's own word for the account's state (SUSPENDED, CLOSED, PENDING_ACTIVATION, ...).
    state: str
    #: The ids of the units the account is in, its own first, then each unit above it (the root last); () when the
    #: read did not ask (no rule names a unit).
    units: tuple[str, ...] = ()
    #: The account's tags; None when the read did not ask (no rule or variable names a tag).
    tags: dict[str, str] | None = None
    #: Why an account that is not ACTIVE is not, in words, when its state alone does not say it (a Tencent member that
    #: has not confirmed its permissions, an AWS account listed without a state); None: the state says it.
    why: str | None = None


@dataclass
class OrganizationRead:
    """What one read of an organisation found, and what it cost."""

    #: 'aws-organizations', 'alibaba-resource-directory', 'tencent-organization'.
    source: str
    management_account: str
    accounts: list[MemberAccount] = field(default_factory=list)
    #: {unit id: Unit} of every unit the read walked; {} when it walked none.
    units: dict[str, Unit] = field(default_factory=dict)
    #: {action: calls} the read made.
    calls: dict[str, int] = field(default_factory=dict)

    def require_states(self, action: str, code: str, missing: str, hint: str = '') -> None:
        """CloudError ``code`` of ``action`` when the read listed accounts and none with a state: a field the cloud no
        longer answers (or an SDK that no longer parses it) would otherwise leave every account out, and the fleet
        would shrink to nothing without a word. ``missing``: the field, in words; ``hint``: what to look at."""
        if self.accounts and all(account.state == UNKNOWN for account in self.accounts):
            raise CloudError(
                action,
                code,
                "the organisation's %d accounts are listed without %s: none can be told active, and the fleet would "
                'be empty%s' % (len(self.accounts), missing, '. ' + hint if hint else ''),
                kind=FATAL,
            )

    def count(self, action: str) -> None:
        self.calls[action] = self.calls.get(action, 0) + 1

    def unit_ids(self, wanted: str) -> set[str]:
        """The ids of the units ``wanted`` names: its id, or its name (every unit of that name)."""
        return {unit.unit_id for unit in self.units.values() if wanted in (unit.unit_id, unit.name)}

    def ancestors(self, unit_id: str | None) -> tuple[str, ...]:
        """``unit_id`` and every unit above it, up to the root; a unit the read did not see ends the path."""
        path: list[str] = []
        while unit_id and unit_id not in path:
            path.append(unit_id)
            unit = self.units.get(unit_id)
            unit_id = unit.parent_id if unit is not None else None
        return tuple(path)
