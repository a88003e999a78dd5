# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A copy module's run: its common options, the adapter and engine for it, and one result shape for all clouds."""

from __future__ import annotations

import contextlib
import copy
import math
from typing import TYPE_CHECKING, Any, Callable

from ansible.module_utils.basic import missing_required_lib

from ..core.assume_role import EXTERNAL_ID_NAMES
from ..core.errors import CloudError, InputError, SnapcopyError
from ..core.retry import CallRetry
from ..engine.copy_engine import CopyEngine, default_backoff
from ..engine.outcomes import COPIED, EXISTING, MISMATCH_CHOICES, MISMATCH_FAIL, WOULD_COPY, EngineConfig

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TypeVar

    from ansible.module_utils.basic import AnsibleModule

    from ..core.model import CopyRequest
    from ..engine.capabilities import CopyAdapter
    from ..engine.outcomes import RequestOutcome

    AdapterT = TypeVar('AdapterT', bound=CopyAdapter)

WAIT_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    'wait': {'type': 'bool', 'default': False},
    'wait_timeout': {'type': 'int', 'default': 600},
    'poll_interval': {'type': 'float', 'default': 15},
}

# What to do with a copy found that differs from what was asked (doc fragment existing_copy).
EXISTING_COPY_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    'on_mismatch': {'choices': list(MISMATCH_CHOICES), 'default': MISMATCH_FAIL},
}

# The source, named the same in every copy module (snapshot_id: community.aws's ec2_snapshot_copy's name).
SOURCE_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    'source_snapshot_id': {'required': True, 'aliases': ['snapshot_id']},
    'source_region': {'required': True},
}


# Where to copy, named the same in every copy module: one region (or ENS node) or a list of them, whichever reads
# better in the task (doc fragment destinations). A module may add aliases to destination_region.
DESTINATION_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    'destination_region': {},
    'destination_regions': {'type': 'list', 'elements': 'str'},
}


def copy_module_spec(
    copy_options: dict[str, dict[str, Any]], connection_spec: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """A copy module's argument spec: the source, the destinations, the module's own ``copy_options``
    (which may add to a destination option), the cloud's connection options, waiting and on_mismatch."""
    destination_specs = {
        option: dict(spec, **copy_options.get(option, {})) for option, spec in DESTINATION_ARGUMENT_SPEC.items()
    }
    own_options = {option: spec for option, spec in copy_options.items() if option not in DESTINATION_ARGUMENT_SPEC}
    return {
        **SOURCE_ARGUMENT_SPEC,
        **destination_specs,
        **own_options,
        **connection_spec,
        **WAIT_ARGUMENT_SPEC,
        **EXISTING_COPY_ARGUMENT_SPEC,
    }


# The longest wait anyone means (a copy of many TiB across the world takes a day or two); more is a typo, and a
# number past what a clock can add (10 ** 12 seconds) ends in an overflow deep in the run.
MAX_WAIT_SECONDS = 30 * 86400
MAX_POLL_SECONDS = 3600


def check_number(option: str, value: float, low: float, high: float, unit: str) -> None:
    """``value`` is a real number (not NaN nor infinite) from ``low`` (excluded when it is 0) to ``high``, or
    InputError."""
    if not math.isfinite(value) or value > high or (value <= low if low == 0 else value < low):
        raise InputError(
            option, 'must be %s %s to %s %s, got %s' % ('more than' if low == 0 else 'from', low, high, unit, value)
        )


def check_wait_options(params: dict[str, Any]) -> None:
    """Refuse nonsense wait options (InputError)."""
    check_number('wait_timeout', params['wait_timeout'], 1, MAX_WAIT_SECONDS, 'seconds')
    check_number('poll_interval', params['poll_interval'], 0, MAX_POLL_SECONDS, 'seconds')


# What Ansible shows in place of a no_log option's value in the options a module returns (its invocation).
NO_LOG_PLACEHOLDER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def withhold_external_ids(module: AnsibleModule) -> dict[str, Any]:
    """The module's options to run with, external ids included. In module.params (what the module returns as its
    invocation) each external id becomes Ansible's placeholder, and its value leaves Ansible's masking.

    Ansible hides a no_log value by masking its text wherever it occurs in the output. An external id is chosen by a
    person and may be short (two characters pass the clouds' rules, one is a typo): masked, it shows through the words
    it is cut out of ('********xt********rnal_id' for 'e'), at any length where it is part of a word of the output. No
    message or result of the collection holds an external id (tests look for them), so nothing is left to mask. A value
    that another option also holds (a secret key, a tag) stays masked: that option shows it otherwise.
    """
    params: dict[str, Any] = copy.deepcopy(module.params)
    withheld: set[str] = set()

    def withhold(options: dict[str, Any]) -> dict[str, Any]:
        secret = {
            name for name, value in options.items() if name in EXTERNAL_ID_NAMES and isinstance(value, str) and value
        }
        withheld.update(options[name] for name in secret)
        return dict(options, **dict.fromkeys(secret, NO_LOG_PLACEHOLDER))

    # The options, and those of each dict option (dr_sync's dr_account), as new dicts: the caller's stay as they are.
    module.params = withhold(
        {name: withhold(value) if isinstance(value, dict) else value for name, value in module.params.items()}
    )
    shown = {
        value
        for options in [module.params, *(value for value in module.params.values() if isinstance(value, dict))]
        for value in options.values()
        if isinstance(value, str)
    }
    module.no_log_values.difference_update(withheld - shown)
    return params


@contextlib.contextmanager
def errors_end_the_task(module: AnsibleModule) -> Iterator[None]:
    """Bad options and cloud errors end the task with a message (and the cloud's code, message and
    request id), never a traceback."""
    try:
        yield
    except CloudError as error:
        module.fail_json(msg=str(error), error=error.as_result())
    except SnapcopyError as error:
        module.fail_json(msg=str(error))


def new_adapter(
    module: AnsibleModule, adapter_class: type[AdapterT], connection: dict[str, Any], retry: CallRetry
) -> AdapterT:
    """``adapter_class`` for ``connection`` (no call yet); the module fails naming the packages when its SDK is
    missing."""
    try:
        adapter = adapter_class.from_connection(connection, check_mode=module.check_mode, retry=retry)
    except ImportError as error:
        module.fail_json(msg=missing_required_lib(adapter_class.sdk_packages), exception=str(error))
        raise  # not reached: fail_json exits
    for warning in adapter.sdk_warnings():
        module.warn(warning)
    return adapter


def build_engine(module: AnsibleModule, adapter: CopyAdapter, retry: CallRetry) -> CopyEngine:
    params = module.params
    config = EngineConfig(
        check_mode=module.check_mode,
        wait=params['wait'],
        timeout=params['wait_timeout'],
        poll_interval=params['poll_interval'],
        max_poll_interval=max(params['poll_interval'], 60),
        on_mismatch=params.get('on_mismatch') or MISMATCH_FAIL,
    )
    return CopyEngine(adapter, config, retry=retry)


def run_copy_module(
    module: AnsibleModule, make_request: Callable[[dict[str, Any]], CopyRequest], adapter_class: type[CopyAdapter]
) -> None:
    """Run one copy request for a module and exit it with the shared result shape.

    ``make_request(params)`` validates the module's own options and returns a CopyRequest (its destinations
    from ``task_destinations(params)``);
    ``adapter_class`` is the cloud's Adapter, made from the module's options. Errors from
    either, and from the cloud, end the task with a message, never a traceback.
    """
    retry = CallRetry(default_backoff())
    params = withhold_external_ids(module)
    with errors_end_the_task(module):
        check_wait_options(params)
        request = make_request(params)
        adapter = new_adapter(module, adapter_class, params, retry)
        destination_option = 'destination_regions' if params.get('destination_regions') else 'destination_region'
        for warning in adapter.region_warnings(
            [('source_region', request.source_region)] + [(destination_option, place) for place in request.destinations]
        ):
            module.warn(warning)
        engine = build_engine(module, adapter, retry)
        outcome = engine.run([request])[0]
    for warning in engine.warnings:
        module.warn(warning)
    result = copy_result(outcome, adapter, engine)
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = copy_diff(outcome)
    if outcome.failed:
        module.fail_json(**result)
    module.exit_json(**result)


def copy_result(outcome: RequestOutcome, adapter: CopyAdapter, engine: CopyEngine) -> dict[str, Any]:
    request = outcome.request
    snapshots = [outcome.destinations[destination].as_result() for destination in request.destinations]
    result: dict[str, Any] = {
        'changed': outcome.changed,
        'snapshots': snapshots,
        'source_snapshot': outcome.source.as_source_result()
        if outcome.source is not None
        else {'id': request.source_id, 'region': request.source_region},
        'api_retries': engine.retries,
    }
    if len(snapshots) == 1:
        # snapshot_id is the name community.aws's ec2_snapshot_copy returns the copy under;
        # copy_snapshot_id cannot be taken for the source (snapshot_id is also the source option's alias).
        result['snapshot_id'] = result['copy_snapshot_id'] = snapshots[0]['snapshot_id']
    result['msg'] = _message(outcome, adapter, engine)
    if outcome.error is not None and isinstance(outcome.error, CloudError):
        result['error'] = outcome.error.as_result()
    return result


def _message(outcome: RequestOutcome, adapter: CopyAdapter, engine: CopyEngine) -> str:
    request = outcome.request
    source = '%s snapshot %s in %s' % (adapter.cloud, request.source_id, request.source_region)
    failures = outcome.failures()
    if failures:
        return 'Copy of %s failed: %s' % (source, '; '.join(failures))
    parts: list[str] = []
    for destination, destination_outcome in outcome.destinations.items():
        snapshot_id = destination_outcome.snapshot.id if destination_outcome.snapshot is not None else None
        if destination_outcome.action == WOULD_COPY:
            parts.append('%s: would copy' % destination)
        elif destination_outcome.action == COPIED:
            parts.append('%s: copied to %s (%s)' % (destination, snapshot_id, destination_outcome.copy.cloud_state))
        elif destination_outcome.action == EXISTING:
            parts.append(
                '%s: copy %s already exists (%s)' % (destination, snapshot_id, destination_outcome.copy.cloud_state)
            )
    prefix = 'Check mode, nothing changed. ' if engine.config.check_mode else ''
    return '%s%s: %s' % (prefix, source, '; '.join(parts))


def copy_diff(outcome: RequestOutcome) -> dict[str, Any]:
    """Before and after: which destination holds which copy of the source."""
    before: dict[str, str | None] = {}
    after: dict[str, str | None] = {}
    for destination, destination_outcome in outcome.destinations.items():
        # What was there: the copy used as it is, or the one found that differs from what was asked.
        found = destination_outcome.mismatch['snapshot_id'] if destination_outcome.mismatch else None
        before[destination] = (
            destination_outcome.snapshot.id
            if destination_outcome.action == EXISTING and destination_outcome.snapshot is not None
            else found
        )
        if destination_outcome.action == WOULD_COPY:
            after[destination] = '(new copy)'
        elif destination_outcome.action in (COPIED, EXISTING) and destination_outcome.snapshot is not None:
            after[destination] = destination_outcome.snapshot.id
        else:
            after[destination] = before[destination]  # nothing was copied
    header = '%s/%s' % (outcome.request.source_region, outcome.request.source_id)
    return {
        'before': {'source': header, 'copies': before},
        'after': {'source': header, 'copies': after},
    }
