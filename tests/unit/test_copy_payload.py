"""What a copy module's payload carries of the collection, held so that it cannot grow unseen (issue 63).

Ansible puts into a module's payload (AnsiballZ) every file of module_utils that an import names, followed file by file
(tests/unit/test_layers.py `packed` walks the imports as its packer does), and at every run the controller reads and
zips them and the module's Python unzips and compiles them. So each byte a copy module carries is paid at every ad hoc
run (docs/performance.md, part a). A copy that needs more may raise a budget: say why in the commit.
"""

from __future__ import annotations

import glob
import os

import pytest

from ansible_collections.snapcopy.cloud.tests.unit.test_layers import (
    COPY_MODULES,
    MODULE_UTILS,
    ROOT,
    packed,
    read_tree,
)

# Bytes of module_utils source each copy module carries, about 2 % over what the largest carried when this was set
# (2026-11-28: cbs 225,302, ebs 231,719, ecs 226,318, ens 222,496; 2026-11-27: cbs 237,559, ebs 243,253, ecs 240,003,
# ens 236,181, and ebs carried 314,353 with the DR run's EC2 model).
BUDGET_BYTES = 236_000
# What a copy never runs: the EC2 model of the DR run's twenty operations (84 KB; ebs_snapshot_copy calls three, in
# clouds/aws/ec2_copy_model), the engine's rounds under leases and in-flight caps, and the DR run's disks, locks and
# drill disks and hosts.
DR_ONLY = {'engine/rounds', 'core/dr_model'}
NOT_CARRIED = {
    'ebs_snapshot_copy': DR_ONLY | {'clouds/aws/ec2_model'},
    'ecs_snapshot_copy': DR_ONLY,
    'ens_snapshot_copy': DR_ONLY,
    'cbs_snapshot_copy': DR_ONLY,
}


def carried(path):
    """{module path below module_utils: its size in bytes} of what the copy module at ``path`` carries."""
    sources = read_tree(MODULE_UTILS)
    with open(path, encoding='utf-8') as handle:
        found = packed(handle.read(), sources, os.path.basename(path)[:-3])
    return {module: len(sources[module].encode('utf-8')) for module in found}


@pytest.mark.parametrize('path', COPY_MODULES, ids=os.path.basename)
def test_a_copy_module_carries_at_most_its_budget(path):
    sizes = carried(path)
    largest = ', '.join(
        '%s %d' % (module, size) for module, size in sorted(sizes.items(), key=lambda item: -item[1])[:8]
    )
    assert sum(sizes.values()) <= BUDGET_BYTES, 'carries %d bytes of module_utils (largest: %s)' % (
        sum(sizes.values()),
        largest,
    )
    assert not NOT_CARRIED[os.path.basename(path)[:-3]] & set(sizes)


def test_the_budget_counts_what_a_module_imports():
    """The walk sees the copy adapter's model and not the DR run's: the count is of what the module imports."""
    sizes = carried([path for path in COPY_MODULES if path.endswith('ebs_snapshot_copy.py')][0])
    assert 'clouds/aws/ec2_copy_model' in sizes
    assert 'clouds/aws/ec2_model' not in sizes
    assert sizes['clouds/aws/client'] > 10_000


MODULES = sorted(glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py')))


@pytest.mark.parametrize('path', MODULES, ids=os.path.basename)
def test_a_module_that_makes_aws_clients_carries_their_ec2_model(path):
    """clouds/aws/client.py imports the DR run's EC2 model by name (so that ebs_snapshot_copy does not carry it): every
    other module that makes AWS clients must carry it through an import of its own (clouds/aws/ebs_dr.py's), or its
    clients would fail at their first call."""
    sizes = carried(path)
    if 'clouds/aws/client' not in sizes:
        return
    model = 'clouds/aws/ec2_copy_model' if os.path.basename(path) == 'ebs_snapshot_copy.py' else 'clouds/aws/ec2_model'
    assert model in sizes


@pytest.mark.parametrize('path', MODULES, ids=os.path.basename)
def test_a_module_whose_engine_runs_in_rounds_carries_them(path):
    """The engine does not import its rounds (the DR run's copy phase gives it engine.rounds.CopyRounds, so that no
    copy module carries them): a module that runs that phase must carry them through the phase's own import."""
    sizes = carried(path)
    if 'dr/phases/copy' in sizes:
        assert 'engine/rounds' in sizes
