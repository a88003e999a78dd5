# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_posture_info's options and its read: checks the options as dr_sync does (its own functions), makes the DR adapter
and connects the DR account as dr_sync does, reads the posture (dr.posture), exits with it, never changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..clouds.registry import DR_CONNECTION_SPEC, assumed_account
from ..core.retry import CallRetry
from ..dr.posture import PostureRead
from ..engine.copy_engine import default_backoff
from .copy_module import errors_end_the_task, withhold_external_ids
from .dr_module import DR_ARGUMENT_SPEC, DrSyncModule, connect_the_dr_account, dr_settings, scope_adapter

if TYPE_CHECKING:
    from ansible.module_utils.basic import AnsibleModule

# dr_sync's options that say which scope to read, as dr_sync takes them (the same checks), and its connection.
SCOPE_OPTIONS = (
    'provider',
    'source_region',
    'dr_regions',
    'tag_selector',
    'allow_no_disks',
    'max_snapshot_age_hours',
    'dr_account',
    'coverage',
    'coverage_exempt',
    'consistency_groups',
    'consistency_set_tag',
)
POSTURE_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {name: DR_ARGUMENT_SPEC[name] for name in SCOPE_OPTIONS}
POSTURE_ARGUMENT_SPEC.update(DR_CONNECTION_SPEC)
# What dr_settings reads of the options a read does not take: no copy is made, waited for or pruned.
NOT_A_RUN = {'prune': False, 'wait': False, 'wait_timeout': 600, 'poll_interval': 15}


class PostureModule(DrSyncModule):
    """dr_posture_info's AnsibleModule: dr_sync's (a blank optional dict, as AWX sends it, is not set)."""


def posture_module() -> PostureModule:
    return PostureModule(argument_spec=POSTURE_ARGUMENT_SPEC, supports_check_mode=True)


def run_posture_module(module: AnsibleModule) -> None:
    """Read one scope's DR posture and exit with it; never changed, in check mode or not. Bad input fails before any
    call; a cloud error that ends the read fails with the cloud's code, message and request id."""
    retry = CallRetry(default_backoff())
    # The external ids, dr_account's too, are in params only (also one read from the environment: an AWX credential).
    params = withhold_external_ids(module)
    with errors_end_the_task(module):
        settings = dr_settings(dict(params, **NOT_A_RUN))
        adapter = scope_adapter(module, settings, retry, params)
        account = assumed_account(settings.provider, params)
        connect_the_dr_account(adapter, settings, params)
        read = PostureRead(adapter, settings, account=account, retry=retry)
        result = read.read()
    result['api_retries'] = retry.retries
    for warning in read.warnings:
        module.warn(warning)
    for problem in result['problems']:
        module.warn(problem['message'])
    module.exit_json(**result)
