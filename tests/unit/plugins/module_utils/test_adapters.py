"""What every adapter declares, held to the Adapter interface (_model.Adapter)."""
from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils._cbs import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._ebs import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._ecs import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._ens import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils._model import COMPARABLE_OPTIONS, Adapter

ADAPTERS = [EbsAdapter, EcsAdapter, EnsAdapter, CbsAdapter]


@pytest.mark.parametrize('adapter', ADAPTERS, ids=lambda adapter: adapter.__name__)
def test_every_adapter_fills_in_the_interface(adapter):
    assert set(adapter.readable_options) <= set(COMPARABLE_OPTIONS)
    assert adapter.sdk_packages and adapter.sample_snapshot_id and adapter.cloud != Adapter.cloud
    assert adapter.ids_per_describe > 0
    assert adapter.from_connection.__func__ is not Adapter.from_connection.__func__
    for method in ('validate', 'find_copies', 'start_copy', 'find_disks', 'disk_snapshots', 'create_snapshot',
                   'list_copies', 'delete_snapshot', 'tag_copy'):
        assert getattr(adapter, method) is not getattr(Adapter, method), method
    # Reads by id: the default describe needs describe_ids, or the adapter reads its own way.
    assert adapter.describe_ids is not Adapter.describe_ids or adapter.describe is not Adapter.describe
