"""Emulator settings: defaults, loading a YAML/JSON file, and merging updates from /_admin/config."""
from __future__ import annotations

import copy
import json

from .credentials import TENCENT_UIN, default_credentials

CLOUDS = ('ecs', 'ens', 'cbs')

DEFAULT_REGIONS = {
    'ecs': ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-chengdu', 'cn-hongkong',
            'ap-southeast-1', 'ap-northeast-1', 'us-west-1', 'us-east-1', 'eu-central-1'],
    'ens': ['cn-hangzhou-26', 'cn-hangzhou-27', 'cn-beijing-cmcc', 'cn-suzhou-telecom', 'cn-chengdu-telecom',
            'cn-shenzhen-cucc', 'cn-wuhan-telecom'],
    'cbs': ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-chengdu', 'ap-nanjing', 'ap-hongkong',
            'ap-singapore', 'ap-tokyo', 'na-siliconvalley', 'eu-frankfurt'],
}


def default_config() -> dict:
    """A fresh copy of the built-in settings."""
    return {
        'credentials': default_credentials(),
        'tencent_uin': TENCENT_UIN,
        # How long a new snapshot / a copy stays in flight; status is derived from the clock on each read.
        'timings': {cloud: {'snapshot_seconds': 2.0, 'copy_seconds': 4.0} for cloud in CLOUDS},
        # CBS: snapshots allowed per region before copies into it answer InsufficientSnapshotQuota.
        'quotas': {'cbs': {'snapshots_per_region': 100000}},
        'regions': copy.deepcopy(DEFAULT_REGIONS),
        # Alibaba: accepted Timestamp skew; Tencent: accepted X-TC-Timestamp skew.
        'alibaba_timestamp_window_seconds': 900,
        'tencent_timestamp_window_seconds': 300,
    }


def load_file(path: str) -> dict:
    """Read a config file; YAML when PyYAML is present, otherwise JSON."""
    with open(path, 'r', encoding='utf-8') as handle:
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
