"""The real-account test's config file, its run ids, and which cloud resources belong to which run.

No SDK and no network here: this is what decides, before any call, whether a run may start, and,
before any delete, whether a resource may go. The rule for the latter is the safety net of the
whole test: a resource belongs to a run only if one of its labels (a tag value, a name, a
description) *starts with* that run's id, ``snapcopy-it-<UTC time>-<6 hex digits>``. Anything
without such a label is never selected, whatever else it carries.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import secrets

RUN_PREFIX = 'snapcopy-it'
# The tag key every taggable thing of a run carries, with the run id as its value.
RUN_TAG = 'snapcopy-it-run'
RUN_ID = re.compile(r'(%s-(\d{8}T\d{6}Z)-[0-9a-f]{6})(?![0-9A-Za-z])' % RUN_PREFIX)
RUN_TIME_FORMAT = '%Y%m%dT%H%M%SZ'

ACKNOWLEDGEMENT = 'i_understand_this_costs_money'
DEFAULTS = {'leftovers_older_than_hours': 6, 'wait_timeout_minutes': 60}
TOP_LEVEL_KEYS = ('clouds', ACKNOWLEDGEMENT, *DEFAULTS)

# Per cloud: the keys of its section (ENS names nodes, not regions), and the credential sets the
# collection's modules take, by the same option names, so the playbook passes them on unchanged.
CLOUD_KEYS = {
    'aws': {'required': ('credentials', 'source_region', 'dr_region', 'zone'), 'optional': ()},
    'ecs': {'required': ('credentials', 'source_region', 'dr_region', 'instance_id'), 'optional': ('dr_zone',)},
    'ens': {'required': ('credentials', 'source_node', 'dr_node'), 'optional': ('alicloud_region',)},
    'cbs': {'required': ('credentials', 'source_region', 'dr_region', 'zone'), 'optional': ()},
}
# The role options of Alibaba and Tencent (the collection's core/assume_role.py), by the modules' names: role ARN,
# session name, external id. The modules assume the role with the keys; the helper assumes it too, so that
# what it makes and deletes is in the account the modules act in. Only with the role ARN, as in the modules.
ROLE_OPTIONS = {
    'ecs': ('alicloud_assume_role_arn', 'alicloud_assume_role_session_name', 'alicloud_assume_role_external_id'),
    'ens': ('alicloud_assume_role_arn', 'alicloud_assume_role_session_name', 'alicloud_assume_role_external_id'),
    'cbs': ('role_arn', 'role_session_name', 'external_id'),
}
CREDENTIAL_SETS = {
    'aws': ((('access_key', 'secret_key'), ('session_token',)), (('profile',), ())),
    'ecs': ((('alicloud_access_key', 'alicloud_secret_key'), ('alicloud_security_token', *ROLE_OPTIONS['ecs'])),),
    'ens': ((('alicloud_access_key', 'alicloud_secret_key'), ('alicloud_security_token', *ROLE_OPTIONS['ens'])),),
    'cbs': ((('secret_id', 'secret_key'), ('security_token', *ROLE_OPTIONS['cbs'])),),
}
USE_ENVIRONMENT = 'environment'
# The environment variables the modules read (the collection's doc fragments and core/assume_role.py), in their order.
ENVIRONMENT = {
    'alicloud_access_key': ('ALICLOUD_ACCESS_KEY', 'ALICLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_ID'),
    'alicloud_secret_key': ('ALICLOUD_SECRET_KEY', 'ALICLOUD_SECRET_ACCESS_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    'alicloud_security_token': ('ALICLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_SECURITY_TOKEN'),
    'alicloud_region': ('ALICLOUD_REGION', 'ALICLOUD_REGION_ID', 'ALIBABA_CLOUD_REGION_ID'),
    'alicloud_assume_role_arn': ('ALICLOUD_ASSUME_ROLE_ARN', 'ALIBABA_CLOUD_ROLE_ARN'),
    'alicloud_assume_role_session_name': ('ALICLOUD_ASSUME_ROLE_SESSION_NAME', 'ALIBABA_CLOUD_ROLE_SESSION_NAME'),
    'alicloud_assume_role_external_id': ('ALICLOUD_ASSUME_ROLE_EXTERNAL_ID',),
    'secret_id': ('TENCENTCLOUD_SECRET_ID',),
    'secret_key': ('TENCENTCLOUD_SECRET_KEY',),
    'security_token': ('TENCENTCLOUD_SECURITY_TOKEN',),
    'role_arn': ('TENCENTCLOUD_ASSUME_ROLE_ARN',),
    'role_session_name': ('TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME',),
    'external_id': ('TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID',),
}
REGION = re.compile(r'^[a-z]{2}(-[a-z0-9]+)+$')
ECS_INSTANCE = re.compile(r'^i-[0-9a-z]+$')


class ConfigError(Exception):
    """Bad config: the message names the key."""

    def __init__(self, key, message):
        super().__init__('%s: %s' % (key, message))
        self.key = key


@dataclasses.dataclass(frozen=True)
class CloudSettings:
    """One cloud's section, with ENS's nodes in the region fields. ``credentials`` None: the environment."""

    name: str
    source_region: str
    dr_region: str
    credentials: dict | None
    zone: str | None = None
    instance_id: str | None = None
    alicloud_region: str | None = None
    dr_zone: str | None = None  # ECS: where the disk made from the DR copy goes (else a zone DescribeZones gives)


@dataclasses.dataclass(frozen=True)
class Role:
    """A role to assume (Alibaba, Tencent): its ARN, and the session name and external id when given."""

    arn: str
    session_name: str | None = None
    external_id: str | None = None


@dataclasses.dataclass(frozen=True)
class Config:
    clouds: dict
    acknowledged: bool
    leftovers_older_than_hours: float
    wait_timeout_minutes: int


@dataclasses.dataclass(frozen=True)
class Resource:
    """A disk or snapshot found in a cloud, with the labels that may name its run."""

    cloud: str
    kind: str  # 'disk' or 'snapshot'
    id: str
    region: str
    labels: tuple = ()
    state: str = ''
    attached_to: str | None = None  # ECS: the instance a disk is attached to


# ------------------------------------------------------------------ run ids and ownership
def new_run_id(now=None, token=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return '%s-%s-%s' % (RUN_PREFIX, now.strftime(RUN_TIME_FORMAT), token or secrets.token_hex(3))


def run_id_of(label):
    """The run id a label starts with, or None."""
    match = RUN_ID.match(label) if isinstance(label, str) else None
    return match.group(1) if match else None


def run_started(run_id):
    stamp = RUN_ID.match(run_id).group(2)
    return datetime.datetime.strptime(stamp, RUN_TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)


def run_ids(resource):
    return {run_id for run_id in map(run_id_of, resource.labels) if run_id}


def of_run(resources, run_id):
    """The resources of run ``run_id``: one of their labels starts with it."""
    if run_id_of(run_id) != run_id:
        raise ValueError('not a run id: %r' % (run_id,))
    return [resource for resource in resources if run_id in run_ids(resource)]


def leftovers(resources, now, older_than_hours, current_run=None):
    """The resources of earlier runs: labelled only with run ids older than ``older_than_hours``."""
    cutoff = now - datetime.timedelta(hours=older_than_hours)
    found = []
    for resource in resources:
        ids = run_ids(resource)
        if ids and current_run not in ids and all(run_started(run_id) <= cutoff for run_id in ids):
            found.append(resource)
    return found


# ------------------------------------------------------------------ the config file
def load(path, dry_run=False):
    """The config at ``path``, checked. A real run needs ``i_understand_this_costs_money: true``."""
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise ConfigError(
            path, 'reading the config needs PyYAML, which this Python lacks: run with the Python that runs ansible'
        ) from None
    if not os.path.isfile(path):
        raise ConfigError(path, 'no such file')
    with open(path, encoding='utf-8') as stream:
        try:
            data = yaml.safe_load(stream)
        except yaml.YAMLError as error:
            raise ConfigError(path, 'not valid YAML: %s' % error) from None
    config = parse(data, dry_run)
    if not dry_run:
        # Credentials said to be in the environment must be there before the first call of any cloud.
        for settings in config.clouds.values():
            if settings.name != 'aws':
                from_environment(settings.name, settings)
    return config


def parse(data, dry_run=False):
    if not isinstance(data, dict):
        raise ConfigError('(top level)', 'expected a mapping with the keys %s' % ', '.join(TOP_LEVEL_KEYS))
    _no_unknown_keys(data, TOP_LEVEL_KEYS, '')
    acknowledged = data.get(ACKNOWLEDGEMENT, False)
    if not isinstance(acknowledged, bool):
        raise ConfigError(ACKNOWLEDGEMENT, 'must be true or false, got %r' % (acknowledged,))
    if not acknowledged and not dry_run:
        raise ConfigError(
            ACKNOWLEDGEMENT,
            'must be true for a real run: it creates disks, snapshots and cross-region '
            'copies that your account pays for (a dry run needs no such line)',
        )
    hours = _positive(data, 'leftovers_older_than_hours', (int, float))
    minutes = _positive(data, 'wait_timeout_minutes', (int,))
    clouds = data.get('clouds')
    if not isinstance(clouds, dict) or not clouds:
        raise ConfigError('clouds', 'expected a mapping with at least one of %s' % ', '.join(CLOUD_KEYS))
    _no_unknown_keys(clouds, tuple(CLOUD_KEYS), 'clouds.')
    settings = {name: _cloud(name, section) for name, section in clouds.items()}
    return Config(settings, acknowledged, hours, minutes)


def _positive(data, key, types):
    value = data.get(key, DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, types) or value <= 0:
        raise ConfigError(
            key, 'expected a positive %s, got %r' % ('whole number' if types == (int,) else 'number', value)
        )
    return value


def _no_unknown_keys(mapping, known, where):
    for key in mapping:
        if key not in known:
            raise ConfigError(where + str(key), 'unknown key; expected one of %s' % ', '.join(known))


def _text(section, key, where, pattern=None, example=None):
    value = section.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where + key, 'required, a non-empty string' + (' like %s' % example if example else ''))
    if pattern is not None and not pattern.match(value):
        raise ConfigError(where + key, 'expected something like %s, got %r' % (example, value))
    return value


def _cloud(name, section):
    where = 'clouds.%s.' % name
    if not isinstance(section, dict):
        raise ConfigError(where.rstrip('.'), 'expected a mapping')
    keys = CLOUD_KEYS[name]
    _no_unknown_keys(section, keys['required'] + keys['optional'], where)
    if name == 'ens':
        source = _text(section, 'source_node', where, REGION, 'cn-hangzhou-26')
        dr_key, dr = 'dr_node', _text(section, 'dr_node', where, REGION, 'cn-beijing-cmcc')
    else:
        example = {'aws': 'us-east-1', 'ecs': 'cn-hangzhou', 'cbs': 'ap-guangzhou'}[name]
        source = _text(section, 'source_region', where, REGION, example)
        dr_key, dr = 'dr_region', _text(section, 'dr_region', where, REGION, example)
    if dr == source:
        raise ConfigError(where + dr_key, 'must differ from the source, %s' % source)
    extra = {}
    if name in ('aws', 'cbs'):
        zone = _text(section, 'zone', where, example='%s-3' % source if name == 'cbs' else '%sa' % source)
        if not zone.startswith(source):
            raise ConfigError(where + 'zone', 'must be a zone of %s, got %r' % (source, zone))
        extra['zone'] = zone
    if name == 'ecs':
        extra['instance_id'] = _text(section, 'instance_id', where, ECS_INSTANCE, 'i-bp1a2b3c4d5e6f7g8h9i')
        if section.get('dr_zone') is not None:
            extra['dr_zone'] = _text(section, 'dr_zone', where, example='%s-b' % dr)
            if not extra['dr_zone'].startswith(dr):
                raise ConfigError(where + 'dr_zone', 'must be a zone of %s, got %r' % (dr, extra['dr_zone']))
    if section.get('alicloud_region') is not None:
        extra['alicloud_region'] = _text(section, 'alicloud_region', where, REGION, 'ap-southeast-1')
    return CloudSettings(
        name, source, dr, _credentials(name, section.get('credentials'), where + 'credentials'), **extra
    )


def _credentials(cloud, value, key):
    if value == USE_ENVIRONMENT:
        return None
    forms = CREDENTIAL_SETS[cloud]
    expected = ' or '.join(
        '{%s}' % ', '.join(required + tuple('[%s]' % name for name in optional)) for required, optional in forms
    )
    if not isinstance(value, dict):
        raise ConfigError(key, 'expected %r or a mapping %s' % (USE_ENVIRONMENT, expected))
    for required, optional in forms:
        if set(required) <= set(value) and set(value) <= set(required + optional):
            for name in value:
                if not isinstance(value[name], str) or not value[name]:
                    # The value itself is never shown: it may be a secret.
                    raise ConfigError('%s.%s' % (key, name), 'must be a non-empty string')
            role_options = ROLE_OPTIONS.get(cloud, ())
            for name in role_options[1:]:
                if name in value and role_options[0] not in value:
                    # As the modules refuse it (core.assume_role.RoleRules.check): nothing to use it with.
                    raise ConfigError(
                        '%s.%s' % (key, name), 'is only used with %s, which is not given' % role_options[0]
                    )
            return dict(value)
    raise ConfigError(
        key,
        'expected %r or a mapping %s; got the keys %s'
        % (USE_ENVIRONMENT, expected, ', '.join(sorted(map(str, value)))),
    )


def from_environment(cloud, settings):
    """The credentials of ``settings`` (None: from the environment variables the modules read), for the
    Alibaba and Tencent helpers. AWS is left to boto3's own chain, as the modules leave it."""
    if settings.credentials is not None:
        return dict(settings.credentials)
    required, optional = CREDENTIAL_SETS[cloud][0]
    found = {}
    for name in required + optional:
        value = _variable(name)
        if value:
            found[name] = value
    missing = [name for name in required if name not in found]
    if missing:
        raise ConfigError(
            'clouds.%s.credentials' % cloud,
            '%r, but none of %s is set (ansible-test passes no environment '
            'variables to a target: give the credentials in the config there)'
            % (USE_ENVIRONMENT, ', '.join(ENVIRONMENT[missing[0]])),
        )
    return found


def alicloud_region(settings):
    """ENS's API region: the config's, else the variables the modules read."""
    if settings.alicloud_region:
        return settings.alicloud_region
    return _variable('alicloud_region')


def role(cloud, credentials):
    """The Role of a credentials mapping (the modules' option names), or None: no role ARN, or a cloud without roles
    here."""
    names = ROLE_OPTIONS.get(cloud)
    if not names or not credentials.get(names[0]):
        return None
    return Role(*(credentials.get(name) or None for name in names))


def role_of(settings):
    """The Role of ``settings`` for a dry run, which needs no keys: the config's, else the variables the modules
    read."""
    if settings.credentials is not None:
        return role(settings.name, settings.credentials)
    return role(settings.name, {name: _variable(name) for name in ROLE_OPTIONS.get(settings.name, ())})


def _variable(name):
    """The first of the variables the modules read for option ``name`` that is set, or None."""
    return next((os.environ[variable] for variable in ENVIRONMENT[name] if os.environ.get(variable)), None)
