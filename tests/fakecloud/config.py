"""Emulator settings: defaults, loading a YAML/JSON file, and merging updates from /_admin/config."""

from __future__ import annotations

import copy
import json

from .credentials import (
    ALIBABA_ACCOUNT_ID,
    ECS_CUSTOMER_KEY_ID,
    ECS_SERVICE_KEY_ID,
    TENCENT_UIN,
    default_credentials,
    default_roles,
)

CLOUDS = ('ecs', 'ens', 'cbs')

DEFAULT_REGIONS = {
    'ecs': [
        'cn-hangzhou',
        'cn-shanghai',
        'cn-beijing',
        'cn-shenzhen',
        'cn-chengdu',
        'cn-hongkong',
        'ap-southeast-1',
        'ap-northeast-1',
        'us-west-1',
        'us-east-1',
        'eu-central-1',
    ],
    'ens': [
        'cn-hangzhou-26',
        'cn-hangzhou-27',
        'cn-beijing-cmcc',
        'cn-suzhou-telecom',
        'cn-chengdu-telecom',
        'cn-shenzhen-cucc',
        'cn-wuhan-telecom',
    ],
    'cbs': [
        'ap-guangzhou',
        'ap-shanghai',
        'ap-beijing',
        'ap-chengdu',
        'ap-nanjing',
        'ap-hongkong',
        'ap-singapore',
        'ap-tokyo',
        'na-siliconvalley',
        'eu-frankfurt',
    ],
}


# What a zone offers unless config says otherwise: the categories of ecs-20140526 CreateDiskRequest.DiskCategory
# and the types of cbs CreateDisksRequest.DiskType that a pay-as-you-go data disk can have today. Not offered:
# ECS `cloud` (the model's default category, retired from new zones), regional and ephemeral disks; CBS
# CLOUD_BASIC and CLOUD_TSSD ("only with some instance types, not on its own"). Which categories real zones
# offer: unverifiable, it varies by zone.
DISK_CATEGORIES = {
    'ecs': ['cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'],
    'cbs': ['CLOUD_PREMIUM', 'CLOUD_BSSD', 'CLOUD_SSD', 'CLOUD_HSSD'],
}


def default_zones(cloud: str, region: str) -> list:
    """Two zones a region has unless config names its own. ECS zone ids add a letter to the region, after a
    dash unless the region ends in a digit (cn-hangzhou-a, ap-southeast-1a, as ECS names them); CBS zone ids
    add a number (ap-guangzhou-1); an ENS node is its own zone. Which letters or numbers a real region has:
    unverifiable, it varies."""
    if cloud == 'ecs':
        dash = '' if region[-1:].isdigit() else '-'
        return [region + dash + 'a', region + dash + 'b']
    if cloud == 'cbs':
        return [region + '-1', region + '-2']
    return [region]


def default_config() -> dict:
    """A fresh copy of the built-in settings."""
    return {
        'credentials': default_credentials(),
        'tencent_uin': TENCENT_UIN,
        # The account of credentials that name none, and of resources seeded without one.
        'accounts': {'alibaba': ALIBABA_ACCOUNT_ID, 'tencent': TENCENT_UIN},
        # STS AssumeRole: role ARN -> {'trusted': [accounts that may assume it]} (see accounts.py).
        'roles': default_roles(),
        # How long a new snapshot / a copy / a disk made by CreateDisk(s) stays in flight, and how long a disk takes to
        # be attached to or detached from an instance; status is derived from the clock on each read.
        'timings': {
            cloud: {
                'snapshot_seconds': 2.0,
                'copy_seconds': 4.0,
                'disk_seconds': 2.0,
                'attach_seconds': 2.0,
                'detach_seconds': 2.0,
            }
            for cloud in CLOUDS
        },
        # A folder where an attach that completes writes the file <device_dir>/<disk id> holding the disk's content,
        # and a detach that completes removes it (state.Store.settle): what a drill host would read on the device.
        # None: no files.
        'device_dir': None,
        # ECS and CBS zones: region -> [zone id, or {"id": zone id, "disk_categories": [...]}]. A region not
        # listed has default_zones(); a zone that names no categories offers DISK_CATEGORIES of its cloud.
        'zones': {'ecs': {}, 'cbs': {}},
        'disk_categories': copy.deepcopy(DISK_CATEGORIES),
        # CBS: snapshots allowed per region before copies into it answer InsufficientSnapshotQuota.
        'quotas': {'cbs': {'snapshots_per_region': 100000}},
        # CBS snapshot groups are "in a limited beta testing phase" (the CBS guide, "Creating Snapshot Group"): the
        # accounts (uins) admitted to it; None admits every account. Another account's CreateSnapshotGroup is refused
        # (cbs.create_snapshot_group).
        'snapshot_group_beta': {'cbs': None},
        'regions': copy.deepcopy(DEFAULT_REGIONS),
        # KMS keys (resourcesharing.list_aliases_by_key_id): key id -> {'aliases': [...], 'account': its account}. The
        # service key's alias is alias/acs/ecs (ECS guide, "Grant access to KMS keys through RAM roles").
        'kms_keys': {
            ECS_SERVICE_KEY_ID: {'aliases': ['alias/acs/ecs'], 'account': ALIBABA_ACCOUNT_ID},
            ECS_CUSTOMER_KEY_ID: {'aliases': ['alias/snapcopy-source'], 'account': ALIBABA_ACCOUNT_ID},
        },
        # RAM roles (ram.py, GetRole): account -> [role names]. The default account has the role ECS needs to share a
        # snapshot encrypted with a key of its own (the ECS guide "Share a snapshot"); a test takes it away.
        'ram_roles': {ALIBABA_ACCOUNT_ID: ['AliyunECSShareEncryptSnapshotDefaultRole']},
        # Resource Sharing (resourcesharing.py): how long a resource's association stays Associating, on the emulator's
        # clock; the accounts of the one resource directory (shares among them need no invitation).
        'resource_sharing': {'association_seconds': 0.0, 'directory': []},
        # Alibaba: accepted Timestamp skew; Tencent: accepted X-TC-Timestamp skew.
        'alibaba_timestamp_window_seconds': 900,
        'tencent_timestamp_window_seconds': 300,
    }


def load_file(path: str) -> dict:
    """Read a config file; YAML when PyYAML is present, otherwise JSON."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    try:
        import yaml  # pylint: disable=import-outside-toplevel  # optional: stdlib-only runs use JSON
    except ImportError:
        return json.loads(text) or {}
    return yaml.safe_load(text) or {}


def merge(base: dict, update: dict) -> dict:
    """Deep-merge ``update`` into ``base`` (dicts merge, everything else replaces) and return base."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base
