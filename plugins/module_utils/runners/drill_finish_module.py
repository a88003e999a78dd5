# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_drill_finish's options and its work: once the user's checks on the disks a drill held for them
(restore_test_host) are over, detach and delete every test disk of that drill's run, and say how the checks went. The
scope and the connection are dr_sync's (its checks), so that the adapter and the DR account are the run's."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from ..clouds.registry import DR_CONNECTION_SPEC, assumed_account
from ..core.errors import InputError
from ..core.retry import CallRetry
from ..dr.capabilities import DrillHostAdapter, drill_part
from ..dr.drill import DELETE_FAILED, DELETE_GRACE_SECONDS, DELETED, DrillCleanup
from ..engine.copy_engine import default_backoff
from .copy_module import errors_end_the_task, withhold_external_ids
from .dr_module import DR_ARGUMENT_SPEC, RUN_ID, DrSyncModule, connect_the_dr_account, dr_settings, scope_adapter
from .posture_module import NOT_A_RUN

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ansible.module_utils.basic import AnsibleModule

    from ..core.retry import Backoff

# dr_sync's options that name the scope and where its DR copies are (the drill's disks are in its DR regions).
SCOPE_OPTIONS = ('provider', 'source_region', 'dr_regions', 'tag_selector', 'dr_account')
FINISH_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {name: DR_ARGUMENT_SPEC[name] for name in SCOPE_OPTIONS}
FINISH_ARGUMENT_SPEC.update(DR_CONNECTION_SPEC)
FINISH_ARGUMENT_SPEC.update(
    {
        'run_id': {'required': True},
        'validation': {
            'type': 'dict',
            'required': True,
            'options': {
                'passed': {'type': 'bool', 'required': True},
                'reason': {},
                'failed_task': {},
                'seconds': {'type': 'float'},
            },
        },
        # Used by the module's action on the controller (plugins/action/dr_drill_finish.py), not by the module.
        'report_dir': {'type': 'path'},
        'report_name': {},
    }
)


class FinishModule(DrSyncModule):
    """dr_drill_finish's AnsibleModule: dr_sync's (a blank optional dict, as AWX sends it, is not set)."""


def finish_module() -> FinishModule:
    return FinishModule(argument_spec=FINISH_ARGUMENT_SPEC, supports_check_mode=True)


def validation_record(value: Mapping[str, Any]) -> dict[str, Any]:
    """The user's checks as the report keeps them: passed or failed, what failed and why, and how long they took."""
    return {
        'state': 'passed' if value.get('passed') else 'failed',
        'failed_task': value.get('failed_task') or None,
        'message': value.get('reason') or None,
        'seconds': None if value.get('seconds') is None else round(float(value['seconds']), 1),
    }


def run_finish_module(module: AnsibleModule, *, backoff: Backoff | None = None) -> None:
    """Detach and delete every test disk of the drill ``run_id`` in the scope's DR regions; changed when one was
    deleted. A disk the cloud will not delete yet is a failure, which the next run's drill deletes (its time is up).
    ``backoff``: how the calls are retried, and on which clock (default_backoff's: the machine's)."""
    backoff = backoff or default_backoff()
    retry = CallRetry(backoff)
    params = withhold_external_ids(module)
    with errors_end_the_task(module):
        if not RUN_ID.match(str(params['run_id'])):
            raise InputError('run_id', 'is the id of a drill (restore.run_id of dr_sync), got %r' % params['run_id'])
        settings = dr_settings(dict(params, **NOT_A_RUN))
        adapter = scope_adapter(module, settings, retry, params)
        connect_the_dr_account(adapter, settings, params)
        warnings: list[str] = []
        drill = drill_part(adapter)
        if not isinstance(drill, DrillHostAdapter):
            raise InputError('provider', '%s holds no drill disks for checks: nothing to finish' % adapter.cloud)
        cleanup = DrillCleanup(
            drill,
            # Twice the time the drill gives its disks to be deleted: a slow detach may take that time, and the deletes
            # after it are still retried.
            retry.until(backoff.clock() + 2 * DELETE_GRACE_SECONDS),
            run=params['run_id'],
            now=datetime.datetime.now(datetime.timezone.utc),
            check_mode=module.check_mode,
            warnings=warnings,
        )
        disks = [record for region in settings.region_names for record in cleanup.delete_run(region)]
    failures = [
        'test disk %s in %s could not be deleted (the next run deletes it): %s'
        % (record['test_disk_id'], record['region'], (record.get('error') or {}).get('message'))
        for record in disks
        if record['action'] == DELETE_FAILED
    ]
    for warning in warnings:
        module.warn(warning)
    module.exit_json(
        changed=any(record['action'] == DELETED for record in disks),
        account=assumed_account(params['provider'], params),
        run_id=params['run_id'],
        test_disks=disks,
        validation=validation_record(params['validation']),
        failures=failures,
        api_retries=retry.retries,
    )
