"""What every adapter declares, held to the adapter interface (engine.capabilities: CopyAdapter, DrAdapter,
RestoreDrillAdapter)."""

from __future__ import annotations

import inspect
import sys

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import COMPARABLE_OPTIONS
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.capabilities import DrAdapter, RestoreDrillAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.capabilities import CopyAdapter

ADAPTERS = [provider.load_adapter() for provider in PROVIDERS.values()]


@pytest.mark.parametrize('adapter', ADAPTERS, ids=lambda adapter: adapter.__name__)
def test_every_adapter_has_every_capability_the_dr_run_and_its_drill_use(adapter):
    assert issubclass(adapter, DrAdapter) and issubclass(drill_part_class(adapter), RestoreDrillAdapter)
    assert not inspect.isabstract(adapter), sorted(adapter.__abstractmethods__)
    assert not inspect.isabstract(drill_part_class(adapter)), sorted(drill_part_class(adapter).__abstractmethods__)


@pytest.mark.parametrize('adapter', ADAPTERS, ids=lambda adapter: adapter.__name__)
def test_every_adapter_declares_what_the_engine_reads_of_it(adapter):
    """The class attributes have defaults in the bases, which no adapter may keep."""
    assert set(adapter.readable_options) <= set(COMPARABLE_OPTIONS)
    assert adapter.sdk_packages and adapter.sample_snapshot_id and adapter.cloud != CopyAdapter.cloud
    assert adapter.ids_per_describe > 0
    drill = drill_part_class(adapter)
    assert drill.restore_disk_type in drill.restore_disk_types


def drill_part_class(adapter):
    """The class of the adapter's restore drill part (its annotation of DrAdapter.drill, a name of its module)."""
    return part_class(adapter, 'drill')


def part_class(adapter, part):
    """The class of the adapter's ``part`` (DrAdapter.locks, vault, drill, sets, blocks: its own annotation, a name of
    its module), None where the adapter has none."""
    name = adapter.__dict__.get('__annotations__', {}).get(part)
    return None if name is None else getattr(sys.modules[adapter.__module__], name)


@pytest.mark.parametrize(
    'base, missing',
    [(CopyAdapter, 'start_copy'), (DrAdapter, 'delete_snapshot'), (RestoreDrillAdapter, 'delete_test_disk')],
)
def test_an_adapter_without_a_method_of_its_capability_cannot_be_made(base, missing):
    """The loss of a method fails when the adapter is made, not when a run first reaches it."""
    methods = {name: (lambda self, *args, **kwargs: None) for name in base.__abstractmethods__ if name != missing}
    if 'from_connection' in methods:
        methods['from_connection'] = classmethod(lambda cls, connection, **kwargs: cls())
    incomplete = type('Incomplete', (base,), methods)
    with pytest.raises(TypeError, match=missing):
        incomplete()
    complete = type('Complete', (incomplete,), {missing: lambda self, *args: None})
    assert isinstance(complete(), base)


def test_a_copy_module_needs_no_more_than_copying():
    """A new cloud can ship its copy module on a CopyAdapter before it has the DR run's methods."""
    assert CopyAdapter.__abstractmethods__ == {
        'from_connection',
        'validate',
        'find_copies',
        'start_copy',
        'describe_ids',
    }
    assert DrAdapter.__abstractmethods__ - CopyAdapter.__abstractmethods__ == {
        'find_disks',
        'disk_snapshots',
        'create_snapshot',
        'list_copies',
        'tag_copy',
        'untag_copies',
        'delete_snapshot',
    }
    assert RestoreDrillAdapter.__abstractmethods__ == {
        'restore_zones',
        'create_test_disk',
        'describe_test_disks',
        'find_test_disks',
        'delete_test_disk',
        'tag_copy',
    }
