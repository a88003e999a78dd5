# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_sync's options and its run: checks the options, runs DrRun, exits with the report."""

from __future__ import annotations

import contextlib
import re
import time
from typing import TYPE_CHECKING, Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.validation import check_type_int
from ansible.module_utils.parsing.convert_bool import boolean

from ..clouds.registry import DR_CONNECTION_SPEC, PROVIDERS, assumed_account, provider_connection
from ..core.assume_role import EXTERNAL_ID_NAMES
from ..core.dr_model import COMPLIANCE, GOVERNANCE
from ..core.errors import CloudError, InputError
from ..core.inputs import typed_places
from ..core.progress import DEFAULT_PROGRESS_INTERVAL, MAX_PROGRESS_INTERVAL, MIN_PROGRESS_INTERVAL, Progress
from ..core.retry import CallRetry
from ..dr.account import DR_ACCOUNT_OPTIONS, connect_dr_account, dr_account_settings
from ..dr.locks import lock_settings
from ..dr.plan import given_prices
from ..dr.protection import of_report
from ..dr.report import summary_line
from ..dr.run import DrRun
from ..dr.settings import (
    COVERAGE_MODES,
    COVERAGE_REPORT,
    GROUP_BY_INSTANCE,
    GROUP_BY_TAG,
    ChurnSettings,
    CopySettings,
    CoverageSettings,
    DrillHostSettings,
    DrRegion,
    DrSettings,
    FreshSnapshots,
    GroupSettings,
    PlanSettings,
    PrunePolicy,
    RestoreSettings,
    VerifySettings,
    WaitSettings,
)
from ..dr.verify import MAX_SAMPLE
from ..engine.copy_engine import default_backoff
from .copy_module import (
    EXISTING_COPY_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
    check_number,
    check_wait_options,
    errors_end_the_task,
    new_adapter,
    withhold_external_ids,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from ..dr.capabilities import DrAdapter

DR_REGION_KEYS = ('region', 'encrypted', 'kms_key_id', 'completion_duration_minutes')
# The copy options a DR region may set for its own copies (DrRegion.copy_options).
DR_REGION_OPTIONS = DR_REGION_KEYS[1:]
# A run's id as dr.drill.run_id makes it: it goes into tag keys and values, so nothing else is taken.
RUN_ID = re.compile(r'\d{8}T\d{6}Z-[0-9a-f]{6}\Z')

DR_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    'provider': {'required': True, 'choices': list(PROVIDERS)},
    'source_region': {'required': True},
    'dr_regions': {'required': True, 'type': 'list', 'elements': 'raw'},
    'tag_selector': {'required': True, 'type': 'dict'},
    'name_template': {},
    'description_template': {},
    'snapshot_name_template': {},
    'tags': {'type': 'dict'},
    # Keys of the disk's tags that its DR copies carry too (dr.copy_tags); checked by DrRun.validate.
    'copy_tags': {'type': 'list', 'elements': 'str', 'default': []},
    'encrypted': {'type': 'bool'},
    'kms_key_id': {'no_log': False},
    'retention_days': {'type': 'int'},
    'instance_billing_cycle': {'choices': ['Hour', 'Day', 'Month']},
    # EBS time-based copies (CopySnapshot's CompletionDurationMinutes), checked by the EBS adapter's validate.
    'completion_duration_minutes': {'type': 'int'},
    'max_snapshot_age_hours': {'type': 'float'},
    'prune': {'type': 'bool', 'default': False},
    'keep_copies': {'type': 'int'},
    'max_copy_age_days': {'type': 'float'},
    'max_in_flight': {'type': 'int'},
    # The DR account that makes and owns the copies (dr.account); its external id is a secret.
    'dr_account': {'type': 'dict', 'no_log': False, 'options': DR_ACCOUNT_OPTIONS},
    # The lock each DR copy gets once complete (dr.locks); checked against the cloud by DrRun.validate.
    'lock': {
        'type': 'dict',
        'options': {
            'mode': {'choices': [GOVERNANCE, COMPLIANCE]},
            'duration_days': {'type': 'int'},
            'cool_off_hours': {'type': 'int'},
        },
    },
    'fail_on_missing': {'type': 'bool', 'default': True},
    'allow_no_disks': {'type': 'bool', 'default': False},
    'coverage': {'choices': list(COVERAGE_MODES), 'default': COVERAGE_REPORT},
    'coverage_exempt': {'type': 'dict'},
    'disk_ids': {'type': 'list', 'elements': 'str'},
    'consistency_groups': {},
    'consistency_set_tag': {},
    'verify': {},
    'churn_alarm': {},
    'prices': {'type': 'dict'},
    'restore_test': {'type': 'bool', 'default': False},
    'restore_test_count': {'type': 'int', 'default': 1},
    'restore_test_zones': {'type': 'dict'},
    'restore_test_disk_type': {},
    'restore_test_timeout': {'type': 'int', 'default': 1800},
    # An instance of the user's in a DR region: the drill's disks there are attached to it for the user's own checks.
    'restore_test_host': {
        'type': 'dict',
        'options': {
            'instance_id': {'required': True},
            'region': {},
            'validate_timeout': {'type': 'int', 'default': 1800},
        },
    },
    # Used by the module's action on the controller (plugins/action/dr_sync.py), not by the module.
    'report_dir': {'type': 'path'},
    'report_name': {},
    'report_history': {'type': 'int', 'default': 30},
    'show_report': {'type': 'bool', 'default': False},
    # Read by the action, which shows the progress; checked here with the other options.
    'show_progress': {'type': 'bool'},
    'progress_interval': {'type': 'float', 'default': DEFAULT_PROGRESS_INTERVAL},
    'fleet_progress': {'type': 'bool', 'default': False},
    # The dr_copy role sets role: its users typed dr_copy_* variables, and errors name those.
    'option_names': {'choices': ['module', 'role'], 'default': 'module'},
    # Set by the action, which has named the run in the report files before the module starts.
    'run_id': {},
}
DR_ARGUMENT_SPEC.update(WAIT_ARGUMENT_SPEC)
DR_ARGUMENT_SPEC.update(EXISTING_COPY_ARGUMENT_SPEC)
DR_ARGUMENT_SPEC.update(DR_CONNECTION_SPEC)


def typed_region(region: dict[str, Any]) -> dict[str, Any]:
    """One DR region's keys as their options type them: encrypted a boolean from what YAML or a survey gives (the
    text "false" is false, not a true non-empty string), completion_duration_minutes a whole number (text of one too),
    region and kms_key_id text."""
    typed = dict(region)
    if typed.get('encrypted') is not None:
        try:
            typed['encrypted'] = boolean(typed['encrypted'], strict=True)
        except TypeError:
            raise InputError(
                'dr_regions', 'encrypted of %s is true or false, got %r' % (typed['region'], typed['encrypted'])
            ) from None
    minutes = typed.get('completion_duration_minutes')
    if minutes is not None:
        try:
            if isinstance(minutes, bool):
                raise TypeError(minutes)
            typed['completion_duration_minutes'] = check_type_int(minutes)
        except TypeError:
            raise InputError(
                'dr_regions', 'completion_duration_minutes of %s is a whole number, got %r' % (typed['region'], minutes)
            ) from None
    for key in ('region', 'kms_key_id'):
        if typed.get(key) is not None and not isinstance(typed[key], str):
            raise InputError('dr_regions', '%s of %s is text, got %r' % (key, typed['region'], typed[key]))
    return typed


def dr_regions(value: Any, source_region: str, provider: str, allowed: tuple[str, ...]) -> list[dict[str, Any]]:
    """The DR regions as a list of dicts ({'region': name, ...}), each checked (InputError naming dr_regions)."""
    regions: list[dict[str, Any]] = []
    for item in typed_places(value):
        region = {'region': item} if isinstance(item, str) else item
        if not isinstance(region, dict) or not region.get('region'):
            raise InputError('dr_regions', 'each entry is a region name or a dict with a region key, got %r' % (item,))
        unknown = sorted(set(region) - set(DR_REGION_KEYS))
        if unknown:
            raise InputError(
                'dr_regions', 'unknown keys %s in %r; a DR region takes %s' % (unknown, item, ', '.join(DR_REGION_KEYS))
            )
        for option in DR_REGION_OPTIONS:
            if region.get(option) is not None and option not in allowed:
                raise InputError(
                    'dr_regions', '%s is not an option of provider %s%s' % (option, provider, taken_by(option))
                )
        regions.append(typed_region(region))
    if not regions:
        raise InputError('dr_regions', 'give at least one DR region')
    names = [region['region'] for region in regions]
    if len(set(names)) != len(names):
        raise InputError('dr_regions', 'a DR region is listed twice: %s' % names)
    if source_region in names:
        # AWS copies within a region, but such a copy shares every failure of its source: it is no DR copy.
        raise InputError('dr_regions', 'the source region %s cannot be a DR region' % source_region)
    return regions


def taken_by(option: str) -> str:
    """'; provider aws takes it' for a copy option some providers take: where a refusal of it sends the user."""
    takers = [name for name, provider in PROVIDERS.items() if option in provider.copy_options]
    if not takers:
        return ''
    return '; provider%s %s take%s it' % (
        's' if len(takers) > 1 else '',
        ' and '.join(takers),
        '' if len(takers) > 1 else 's',
    )


def tag_selector(value: dict[Any, Any] | None, option: str = 'tag_selector') -> dict[str, str | None]:
    """``tag_selector`` as tags hold it: text keys and values, None for any value; InputError naming it otherwise.

    A tag holds text. YAML reads an unquoted yes, true or on as a boolean, and 1.10 as the number 1.1: such a
    value would be compared as 'True' or '1.1' and match no disk, so it is refused, naming the key and how to
    quote it. A whole number is text as written (1 is '1').
    """
    if not value:
        raise InputError(option, 'give at least one tag: the run looks after the disks that carry all of them')
    selector: dict[str, str | None] = {}
    for key, tag_value in value.items():
        if not isinstance(key, str) or not key.strip():
            raise InputError(option, 'a tag key is text that is not empty, got %r' % (key,))
        if isinstance(tag_value, (bool, float)):
            raise InputError(
                option,
                'the value of %s is the %s %r, which YAML made of what was typed; a tag holds text: '
                'quote it (%s: "%s")'
                % (
                    key,
                    'boolean' if isinstance(tag_value, bool) else 'number',
                    tag_value,
                    key,
                    'yes' if tag_value is True else 'no' if tag_value is False else tag_value,
                ),
            )
        if tag_value is not None and not isinstance(tag_value, (str, int)):
            raise InputError(option, 'the value of %s is text, or null for any value, got %r' % (key, tag_value))
        selector[key] = None if tag_value is None else str(tag_value)
    return selector


def disk_ids(value: Any) -> tuple[str, ...] | None:
    """``disk_ids`` as a run takes it: the ids, each once, in the order given; None (every disk) when none is given, as
    an AWX survey question left blank sends it ("", or [""] once Ansible has split it)."""
    ids = typed_places(value)
    for item in ids:
        if not isinstance(item, str):
            raise InputError('disk_ids', 'each entry is a disk id (text), got %r' % (item,))
    return tuple(dict.fromkeys(ids)) or None


def consistency_groups(value: Any, *, set_tag: Any = None, provider: str = 'aws') -> GroupSettings:
    """``consistency_groups`` as a run takes it: ``instance``, ``tag:<key>``, or none (unset, ``none`` or blank, as an
    AWX survey question left blank sends it); with ``consistency_set_tag`` (``set_tag``: blank is unset), the tag key
    that marks the sets the user's own tooling made, on AWS only, where the cloud names no set."""
    text = '' if value is None else str(value).strip()
    tag = '' if set_tag is None else str(set_tag).strip()
    if tag and not PROVIDERS[provider].takes_a_set_tag:
        raise InputError(
            'consistency_set_tag',
            'is for AWS, whose snapshots name no set; provider %s names its sets (snapshot groups): leave it unset'
            % provider,
        )
    if tag and text.lower() in ('', 'none'):
        raise InputError('consistency_set_tag', 'marks the sets of consistency groups: set consistency_groups too')
    if text.lower() in ('', 'none'):
        return GroupSettings()
    if text == GROUP_BY_INSTANCE:
        return GroupSettings(by=GROUP_BY_INSTANCE, set_tag=tag or None)
    kind, colon, key = text.partition(':')
    if kind == GROUP_BY_TAG and colon and key.strip():
        return GroupSettings(by=GROUP_BY_TAG, tag_key=key.strip(), set_tag=tag or None)
    raise InputError(
        'consistency_groups',
        'is instance (the disks attached to one instance form a group), tag:<key> (the disks that share that tag\'s '
        'value form a group) or none, got %r' % (value,),
    )


def verify_settings(value: Any) -> VerifySettings:
    """``verify`` as a run takes it: ``full``, a number of blocks to sample per copy (1 to MAX_SAMPLE), or off (unset,
    0, ``off``, ``false``, blank as an AWX survey sends it)."""
    text = '' if value is None or value is False else str(value).strip().lower()
    if text in ('', '0', 'off', 'false', 'no'):
        return VerifySettings()
    if text == 'full':
        return VerifySettings(full=True)
    try:
        sample = int(text)
    except ValueError:
        sample = -1
    if not 1 <= sample <= MAX_SAMPLE:
        raise InputError(
            'verify',
            'is a number of blocks to read of each DR copy and its source (1 to %d), full (every block) or off, got %r'
            % (MAX_SAMPLE, value),
        )
    return VerifySettings(sample=sample)


def drill_host_settings(
    value: Mapping[str, Any] | None, regions: Sequence[str], *, restore_test: bool
) -> DrillHostSettings | None:
    """``restore_test_host`` as a run takes it: its region the DR region named, or the one DR region there is; only with
    ``restore_test`` (a host without a drill would be ignored, and the user's checks would check nothing)."""
    if not value:
        return None
    if not restore_test:
        raise InputError('restore_test_host', 'holds the disks of the restore drill: set restore_test too')
    instance_id = str(value.get('instance_id') or '').strip()
    if not instance_id:
        raise InputError('restore_test_host', 'needs instance_id, the instance the drill attaches its disks to')
    region = value.get('region') or (regions[0] if len(regions) == 1 else None)
    if region not in regions:
        raise InputError(
            'restore_test_host',
            'needs region, the DR region of instance %s, one of %s, got %r' % (instance_id, ', '.join(regions), region),
        )
    timeout = value.get('validate_timeout')
    return DrillHostSettings(
        instance_id=instance_id, region=str(region), validate_timeout=1800 if timeout is None else timeout
    )


def churn_settings(value: Any) -> ChurnSettings:
    """``churn_alarm`` as a run takes it: the percent of a disk rewritten (1 to 100, a decimal too) from which a new copy
    can be suspect, or off (unset, 0, ``off``, ``false``, blank as an AWX survey sends it). A trailing % is taken."""
    text = '' if value is None or value is False else str(value).strip().lower().rstrip('%').strip()
    if text in ('', '0', 'off', 'false', 'no'):
        return ChurnSettings()
    try:
        percent = float(text)
    except ValueError:
        percent = -1.0
    if not 1 <= percent <= 100:
        raise InputError(
            'churn_alarm',
            'is the percent of a disk rewritten since its last DR copy from which a new copy is suspect (1 to 100), '
            'or off, got %r' % (value,),
        )
    return ChurnSettings(percent=percent)


def check_limits(params: dict[str, Any]) -> None:
    """The numbers of the run (pruning, slots, the RPO, progress) are in range, and pruning knows what to prune."""
    for option, high, unit in (
        ('keep_copies', 10000, 'copies'),
        ('max_in_flight', 10000, 'copies'),
        ('max_snapshot_age_hours', 100 * 8766, 'hours'),
        ('max_copy_age_days', 100 * 366, 'days'),
    ):
        if params.get(option) is not None:
            check_number(option, params[option], 0, high, unit)
    # The action has shown progress by these already; a bad value is still refused, as every other.
    if params.get('progress_interval') is not None:
        check_number(
            'progress_interval', params['progress_interval'], MIN_PROGRESS_INTERVAL, MAX_PROGRESS_INTERVAL, 'seconds'
        )
    if params['prune'] and not params.get('keep_copies') and not params.get('max_copy_age_days'):
        raise InputError('prune', 'needs keep_copies and/or max_copy_age_days to know what to prune')


def dr_settings(params: dict[str, Any]) -> DrSettings:
    """dr_sync's options as DrRun settings; bad input raises InputError naming the option."""
    provider = params['provider']
    allowed = PROVIDERS[provider].copy_options
    regions = dr_regions(params['dr_regions'], params['source_region'], provider, allowed)
    selector = tag_selector(params['tag_selector'])
    copy_options: dict[str, Any] = {}
    for option in (
        'encrypted',
        'kms_key_id',
        'retention_days',
        'instance_billing_cycle',
        'completion_duration_minutes',
    ):
        # Unset is unset in every form a playbook or survey gives it (the role passes 0 and '' as it documents them):
        # false, 0 (retention_days: kept until deleted) and '' are not given. 0 == False in Python: `in` covers both.
        if params.get(option) not in (None, False, ''):
            if option not in allowed:
                raise InputError(
                    option,
                    'is not an option of provider %s (it takes %s)%s'
                    % (provider, ', '.join(allowed), taken_by(option)),
                )
            copy_options[option] = params[option]
    check_limits(params)
    templates = {
        'name_template': params.get('name_template'),
        'description_template': params.get('description_template'),
    }
    for option, template in templates.items():
        field = option.split('_', maxsplit=1)[0]
        if template and field not in allowed:
            raise InputError(option, 'provider %s cannot set a copy\'s %s' % (provider, field))
    if params.get('tags') and 'tags' not in allowed:
        raise InputError('tags', 'provider %s cannot put tags on a copy' % provider)
    return DrSettings(
        provider=provider,
        source_region=params['source_region'],
        dr_regions=tuple(
            DrRegion(region['region'], **{option: region.get(option) for option in DR_REGION_OPTIONS})
            for region in regions
        ),
        tag_selector=selector,
        allow_no_disks=bool(params.get('allow_no_disks')),
        disk_ids=disk_ids(params.get('disk_ids')),
        copy=CopySettings(
            name_template=templates['name_template'],
            description_template=templates['description_template'],
            tags=dict(params.get('tags') or {})
            if 'tags' in allowed
            else None,  # as given: the tag rules see duplicates
            options=copy_options,
            on_mismatch=params.get('on_mismatch'),
            max_in_flight=params.get('max_in_flight'),
            # As text (an AWX survey), 'a, b' gives ' b': the spaces around a comma are not the key's.
            copy_tags=tuple(str(key).strip() for key in params.get('copy_tags') or () if str(key).strip()),
        ),
        fresh=FreshSnapshots(
            max_age_hours=params.get('max_snapshot_age_hours'), name_template=params.get('snapshot_name_template')
        ),
        prune=PrunePolicy(
            enabled=bool(params['prune']),
            keep_copies=params.get('keep_copies'),
            max_copy_age_days=params.get('max_copy_age_days'),
        ),
        lock=lock_settings(params.get('lock')),
        dr_account=dr_account_settings(
            params.get('dr_account'),
            provider=provider,
            rules=PROVIDERS[provider].role_rules,
            support=PROVIDERS[provider].dr_account,
        ),
        wait=WaitSettings(
            wait=bool(params['wait']), timeout=params['wait_timeout'], poll_interval=params['poll_interval']
        ),
        coverage=CoverageSettings(
            mode=params.get('coverage') or COVERAGE_REPORT,
            exempt=tag_selector(params['coverage_exempt'], 'coverage_exempt')
            if params.get('coverage_exempt')
            else None,
        ),
        groups=consistency_groups(
            params.get('consistency_groups'), set_tag=params.get('consistency_set_tag'), provider=provider
        ),
        verify=verify_settings(params.get('verify')),
        churn=churn_settings(params.get('churn_alarm')),
        plan=PlanSettings(
            facts=PROVIDERS[provider].plan,
            prices=given_prices(params.get('prices'), [region['region'] for region in regions]),
        ),
        restore=RestoreSettings(
            enabled=bool(params.get('restore_test')),
            count=params.get('restore_test_count', 1),
            zones=dict(params.get('restore_test_zones') or {}),
            disk_type=params.get('restore_test_disk_type'),
            timeout=params.get('restore_test_timeout', 1800),
            host=drill_host_settings(
                params.get('restore_test_host'),
                [region['region'] for region in regions],
                restore_test=bool(params.get('restore_test')),
            ),
        ),
    )


# The role's variable for each of dr_sync's options, where it is not dr_copy_<option>; run_id is the action's, no variable's;
# restore_test_host is made from the checks' settings.
ROLE_VARIABLES: dict[str, str] = {
    'report_name': 'dr_copy_run_name',
    'run_id': 'run_id',
    'restore_test_host': 'dr_copy_restore_test_validate',
    # The checks' settings name the drill host's time for the checks "timeout" (roles/dr_copy/tasks/main.yml).
    'restore_test_host.validate_timeout': 'dr_copy_restore_test_validate.timeout',
}


def role_variable(option: str) -> str:
    """The dr_copy role's variable that sets dr_sync's ``option``: connection options are keys of dr_copy_connection; a key
    of a dict option (dr_account.role_arn) is that key of the option's variable (dr_copy_dr_account.role_arn)."""
    if option in ROLE_VARIABLES:
        return ROLE_VARIABLES[option]
    option, dot, key = option.partition('.')
    if dot:
        return role_variable(option) + '.' + key
    if option in DR_CONNECTION_SPEC or any(option in spec.get('aliases', ()) for spec in DR_CONNECTION_SPEC.values()):
        return 'dr_copy_connection.' + option
    return ROLE_VARIABLES.get(option, 'dr_copy_' + option)


# The options whose names cannot be taken for plain words in a message (they hold an underscore), and the keys of the dict
# options as dotted names, longest first: dr_account.role_arn is one name (dr_copy_dr_account.role_arn), not dr_account
# and the connection's role_arn.
_OPTION_WORDS = re.compile(
    r'\b(%s)\b'
    % '|'.join(
        re.escape(word)
        for word in sorted(
            {option for option in DR_ARGUMENT_SPEC if '_' in option}
            | {alias for spec in DR_ARGUMENT_SPEC.values() for alias in spec.get('aliases', ()) if '_' in alias}
            | {
                '%s.%s' % (option, key)
                for option, spec in DR_ARGUMENT_SPEC.items()
                for key in spec.get('options') or ()
            },
            key=len,
            reverse=True,
        )
    )
)


def in_role_words(text: str) -> str:
    """``text`` (an error or warning of dr_sync's) with each option it names as the role's variable."""
    return _OPTION_WORDS.sub(lambda match: role_variable(match.group(1)), text)


class RoleWordsError(InputError):
    """An InputError as the role's user reads it: the option named as the role's variable, here and in the message."""

    def __init__(self, error: InputError) -> None:
        super().__init__(role_variable(error.option), in_role_words(error.message))


@contextlib.contextmanager
def input_errors_in_role_words(as_role: bool) -> Iterator[None]:
    """With the role (``as_role``), bad input is reported in the words of the role's variables."""
    try:
        yield
    except InputError as error:
        if not as_role or isinstance(error, RoleWordsError):
            raise
        raise RoleWordsError(error) from None
    except CloudError as error:
        # Its fix names an option too ("Check endpoint_url and the network"): the variable the user set.
        if as_role:
            error.message = in_role_words(error.message)
            error.args = (error.describe(),)
        raise


@contextlib.contextmanager
def input_refusals_said(module: AnsibleModule) -> Iterator[None]:
    """Bad input ends the task saying that it was refused (``input_refused``): dr_sync's action then leaves the scope's
    report files as they were, and writes none named after the input (issue 62)."""
    try:
        yield
    except InputError as error:
        module.fail_json(msg=str(error), input_refused=True)


def given_run_id(value: Any) -> str:
    """``run_id`` as the action gives it; InputError otherwise."""
    if not isinstance(value, str) or not RUN_ID.match(value):
        raise InputError(
            'run_id',
            'is <UTC time>Z-<6 hex digits>, as 20261122T181400Z-3f9a1c; got %r (leave it unset: the action '
            'sets it)' % (value,),
        )
    return value


class DrSyncModule(AnsibleModule):  # type: ignore[misc]  # AnsibleModule is untyped on some ansible-core releases
    """dr_sync's AnsibleModule: an optional dict or list option given as a blank string is not set.

    AWX adds to a job's variables the default of every survey question that passes the question's own
    validation, so an optional text question left blank (default "", min 0) arrives as "" (awx/main/models/mixins.py,
    SurveyJobTemplateMixin._update_unified_job_kwargs); a playbook passing such a variable on does the same. Ansible
    would refuse "" for a dict ("dictionary requested") and make [""] of it for a list.
    """

    def _load_params(self) -> None:
        super()._load_params()
        for name, spec in self.argument_spec.items():
            value = self.params.get(name)
            if (
                spec.get('type') in ('dict', 'list')
                and not spec.get('required')
                and isinstance(value, str)
                and not value.strip()
            ):
                del self.params[name]


def run_dr_module(module: AnsibleModule) -> None:
    retry = CallRetry(default_backoff())
    started = time.monotonic()
    # The external ids, dr_account's too, are in params only (also one read from the environment: an AWX credential).
    params = withhold_external_ids(module)
    as_role = params.get('option_names') == 'role'
    with errors_end_the_task(module), input_refusals_said(module), input_errors_in_role_words(as_role):
        check_wait_options(params)
        settings = dr_settings(params)
        adapter = scope_adapter(module, settings, retry, params, as_role=as_role)
        account = assumed_account(settings.provider, params)
        run = DrRun(adapter, settings, check_mode=module.check_mode, retry=retry, progress=Progress.from_environment())
        if params.get('run_id'):
            # The id the action wrote in the report files when the run started: the files, the report, the leases and
            # the test disks then name one run.
            run.run_id = given_run_id(params['run_id'])
        if settings.dr_account is not None:
            run.validate()  # bad input fails before the accounts are asked who they are, as before any call
        connect_the_dr_account(adapter, settings, params)
        report = run.run()
    report['account'] = account
    # The account that holds the DR copies: the DR account's, else the disks' own.
    report['protection']['account'] = settings.dr_account['account'] if settings.dr_account is not None else account
    report['run_id'] = run.run_id
    if as_role:
        report['failures'] = [in_role_words(text) for text in report['failures']]
        report['run_warnings'] = [in_role_words(text) for text in report['run_warnings']]
        for disk in report['disks']:
            disk['problems'] = [in_role_words(text) for text in disk.get('problems') or ()]
    # The fleet report's per-scope duration: in a play, a host's tasks wait for the other hosts.
    report['duration_seconds'] = round(time.monotonic() - started, 1)
    report['msg'] = summary_line(report['totals'], report['restore'], module.check_mode, of_report(report))
    # Shown through module.warn: a 'warnings' key passed to exit_json is deprecated from ansible-core 2.19 on, and
    # the core's own warnings and deprecations are objects that no report file should carry (see REPORT_KEYS).
    for warning in report['run_warnings']:
        module.warn(warning)
    if report['failures'] and params['fail_on_missing']:
        report['msg'] += '. Failures: ' + '; '.join(report['failures'][:20])
        module.fail_json(**report)
    module.exit_json(**report)


def connect_the_dr_account(adapter: DrAdapter, settings: DrSettings, params: dict[str, Any]) -> None:
    """Send ``adapter``'s DR calls to the DR account that ``settings`` names, its role assumed from the run's own
    connection options in ``params`` (dr.account.connect_dr_account); nothing when they name none."""
    if settings.dr_account is not None:
        connect_dr_account(
            adapter,
            provider_connection(settings.provider, params),
            settings.dr_account,
            settings.source_region,
            settings.dr_regions[0].region,
        )


def scope_adapter(
    module: AnsibleModule, settings: DrSettings, retry: CallRetry, params: dict[str, Any], *, as_role: bool = False
) -> DrAdapter:
    """The adapter of the scope ``settings`` names, its regions checked before any call (a region the cloud cannot hold
    is refused, naming it; one it may hold is warned of): dr_sync, dr_posture_info and dr_drill_finish alike."""
    adapter = make_adapter(module, settings.provider, retry, params)
    for warning in adapter.region_warnings(
        [('source_region', settings.source_region)] + [('dr_regions', region) for region in settings.region_names]
    ):
        module.warn(in_role_words(warning) if as_role else warning)
    return adapter


def make_adapter(module: AnsibleModule, provider: str, retry: CallRetry, params: dict[str, Any]) -> DrAdapter:
    """The adapter of ``provider``, built from dr_sync's options ``params`` (no API call yet)."""
    connection = provider_connection(provider, params)
    for name, option in PROVIDERS[provider].connection_spec.items():
        # Values from the environment were not seen by AnsibleModule: hide them too. An external id is never in the output
        # to hide, and masking would show a short one (runners.copy_module.withhold_external_ids).
        if option.get('no_log') and connection.get(name) and name not in EXTERNAL_ID_NAMES:
            module.no_log_values.add(connection[name])
    return new_adapter(module, PROVIDERS[provider].load_adapter(), connection, retry)
