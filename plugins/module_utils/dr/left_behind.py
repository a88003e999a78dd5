# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What DR runs leave behind, as a posture read finds it (dr.posture): source snapshots still shared with the DR account
and the leases on them (dr.leases.shares), restore-drill test disks past their time (dr.drill), and on CBS the staged
copies and bridge disks on their way into the DR account. A read the cloud refuses here is a problem of the read and
leaves that part unknown."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from ..core.cloud_clock import iso_utc
from ..core.errors import CloudError
from ..core.model import DELETING, FAILED
from ..core.network import CONNECT_TIMEOUT, READ_TIMEOUT
from ..core.tagging import RESTORE_SCOPE_TAG, RESTORE_UNTIL_TAG, SHARE_LEASE_TAG_PREFIX
from .capabilities import drill_part, vault_part
from .drill import LEFTOVER, leftover_record, leftover_state, run_id, scope_key
from .leases.lease import LeaseTerms, lease_seconds, leases_under
from .leases.shares import SharesHeldByLeases

if TYPE_CHECKING:
    from collections.abc import Callable

    from .capabilities import DrAdapter
    from .settings import DrSettings


class LeftBehind:
    """The reads of what runs leave behind for one posture read: ``now`` its time by the cloud's clock, ``call`` its
    retried call, ``problem`` where a refused read goes (region, what, the error)."""

    def __init__(
        self,
        adapter: DrAdapter,
        settings: DrSettings,
        *,
        now: Callable[[], datetime.datetime],
        call: Callable[..., Any],
        problem: Callable[[str | None, str, CloudError], None],
    ) -> None:
        self.adapter = adapter
        self.settings = settings
        self._now = now
        self._call = call
        self._problem = problem

    @property
    def now(self) -> datetime.datetime:
        return self._now()

    def shares(self) -> list[dict[str, Any]]:
        """The source snapshots a DR run shared with the DR account, with the leases on them: each ``leftover`` when no
        copy in flight needs it and no run that may still be under way leases it (the next DR run releases it)."""
        dr_account = self.settings.dr_account
        vault = vault_part(self.adapter)
        if dr_account is None or vault is None or not isinstance(self.adapter, SharesHeldByLeases):
            return []
        source_region = self.settings.source_region
        client = self.adapter.client
        lease = LeaseTerms(
            run_id(self.now),
            tuple(sorted(self.settings.region_names)),
            lease_seconds(
                getattr(client, 'connect_timeout', CONNECT_TIMEOUT), getattr(client, 'read_timeout', READ_TIMEOUT)
            ),
            lambda: self.now,
            lambda text: None,
        )
        vault.start_dr_run(lease)  # no call: the run's shares (SharesHeldByLeases.shares), read only
        source_shares = self.adapter.shares
        if source_shares is None:
            return []
        try:
            leased, in_flight = self._call(source_shares.holdings, source_region)
        except CloudError as error:
            self._problem(
                source_region,
                'reading the source snapshots shared with the DR account %s' % dr_account['account'],
                error,
            )
            return []
        shares = []
        for snapshot_id, tags in sorted(leased.items()):
            leases = leases_under(tags, SHARE_LEASE_TAG_PREFIX)
            live = any(lease.live(self.now) for lease in leases.values())
            needed_by = 'copy_in_flight' if snapshot_id in in_flight else 'live_lease' if live else None
            shares.append(
                {
                    'region': source_region,
                    'snapshot_id': snapshot_id,
                    'account': dr_account['account'],
                    'leases': [
                        {
                            'run_id': lease.run_id,
                            'until': iso_utc(lease.until) if lease.until is not None else None,
                            'regions': list(lease.regions),
                            'live': lease.live(self.now),
                        }
                        for lease in leases.values()
                    ],
                    'needed_by': needed_by,
                    'leftover': needed_by is None,
                }
            )
        return shares

    def test_disks(self, regions: list[str]) -> list[dict[str, Any]]:
        """The restore drill's test disks in the DR regions whose run is over (dr.drill.leftover_state), which the next
        drill deletes."""
        drill = drill_part(self.adapter)
        if drill is None:
            return []
        scope = scope_key(self.settings.source_region, self.settings.tag_selector)
        found = []
        for region in regions:
            try:
                disks = self._call(drill.find_test_disks, region)
            except CloudError as error:
                self._problem(region, 'reading the restore drill\'s test disks in %s' % region, error)
                continue
            for disk in sorted(disks, key=lambda disk: disk.id):
                if disk.state != DELETING and leftover_state(disk, '', self.now) == LEFTOVER:
                    found.append(
                        dict(
                            leftover_record(region, disk),
                            scope=disk.tags.get(RESTORE_SCOPE_TAG),
                            this_scope=disk.tags.get(RESTORE_SCOPE_TAG) == scope,
                            until=disk.tags.get(RESTORE_UNTIL_TAG),
                        )
                    )
        return found

    def staging(self, regions: list[str]) -> list[dict[str, Any]] | None:
        """What runs left on the way into the DR account (CBS: staged copies, bridge disks); None when it could not be read."""
        vault = vault_part(self.adapter)
        if self.settings.dr_account is None or vault is None:
            return []
        try:
            return cast('list[dict[str, Any]]', self._call(vault.dr_account_staging, regions))
        except CloudError as error:
            self._problem(
                None,
                'reading the copies on their way into the DR account %s' % self.settings.dr_account['account'],
                error,
            )
            return None


def staged_in_flight(staging: list[dict[str, Any]] | None, region: str) -> dict[str, list[dict[str, Any]]]:
    """{disk key: staged copies in ``region`` whose DR copy the DR account has not completed}: copies in flight."""
    found: dict[str, list[dict[str, Any]]] = {}
    for record in staging or []:
        if (
            record['region'] == region
            and record['kind'] == 'staged_copy'
            and record.get('disk')
            and not record['dr_copy_complete']
            and record['state'] != FAILED
        ):
            found.setdefault(record['disk'], []).append(record)
    return found


def staging_leftovers(staging: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each staged copy and bridge disk, ``leftover`` once the DR copy made of it is complete (or, for a bridge disk, its
    staged copy is gone): the next DR run terminates, cancels and deletes it."""
    records = []
    for record in staging or []:
        done = record['dr_copy_complete'] or (record['kind'] == 'bridge_disk' and not record.get('staged_copy_exists'))
        records.append(dict(record, leftover=bool(done)))
    return records
