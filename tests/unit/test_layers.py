"""The layers of plugins/module_utils (docs/architecture.md): every import, typing-only and function-local too, runs
from a layer to itself or one below it; no two files import each other, however far round; the vendors' folders import
none of each other; only the DR run imports its phases (dr/phases/); only runners/ imports AnsibleModule; core/errors.py
imports nothing of ours; the two front doors at the top, runners/ and events/ (the event source), import none of each
other; a copy module carries nothing of the DR run (dr/, runners/dr_module.py) as Ansible's module
packer sees its imports. The rules are checked on the tree, and the checker itself on small trees that break each rule,
so that a checker that sees nothing cannot pass."""

from __future__ import annotations

import ast
import glob
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
PACKAGE = 'ansible_collections.snapcopy.cloud.plugins.module_utils'
# Bottom to top: a file may import from its own layer and those before it.
LAYERS = ('core', 'engine', 'dr', 'clouds', 'runners', 'events')
# The top layers stand side by side: the modules' runners and the event source (run by ansible-rulebook) each import the
# layers below them, never each other.
SIDE_BY_SIDE = ('runners', 'events')
VENDORS = ('aws', 'alibaba', 'tencent')
LEAVES = ('core/errors',)
# What of ansible.module_utils.basic a file below runners/ may import: a connection option's fallback to the
# environment.
BASIC_BELOW_RUNNERS = {'env_fallback'}
# Folders within a layer that are one file's parts: no other file outside the folder imports them. The DR run's phases
# are its sequencer's (docs/architecture.md).
PARTS = {'dr/phases': 'dr/run'}


def read_tree(folder):
    """{module path below module_utils without .py ('dr/run'): its source} of every Python file in ``folder``."""
    sources = {}
    for directory, dummy, names in os.walk(folder):
        for name in names:
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                key = os.path.relpath(path, folder)[:-3].replace(os.sep, '/')
                with open(path, encoding='utf-8') as handle:
                    sources[key] = handle.read()
    return sources


def resolve(module, node):
    """The module paths below module_utils that an import node names, from ``module`` ('dr/run'); [] for others'."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level:
        package = module.split('/')[:-1]
        base = package[: len(package) - (node.level - 1)]
        target = base + (node.module.split('.') if node.module else [])
        # "from . import x" and "from .pkg import module": each name may be a module of its own.
        return ['/'.join(target + [alias.name]) for alias in node.names] + ['/'.join(target)]
    else:
        names = [node.module or '']
        names += ['%s.%s' % (node.module, alias.name) for alias in node.names]
    return [name[len(PACKAGE) + 1 :].replace('.', '/') for name in names if name.startswith(PACKAGE + '.')]


def imports_of(sources):
    """{module: {imported module}} over every import anywhere in each file (under TYPE_CHECKING, in functions)."""
    graph = {}
    for module, source in sources.items():
        found = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.update(target for target in resolve(module, node) if target in sources and target != module)
        graph[module] = found
    return graph


def layer_of(module):
    return module.split('/')[0]


def direction_breaks(graph):
    """'a -> b: why' for each import against the direction."""
    breaks = []
    for module, targets in sorted(graph.items()):
        if module.endswith('__init__'):
            continue
        for target in sorted(targets):
            if target.endswith('__init__'):
                continue
            here, there = layer_of(module), layer_of(target)
            if here not in LAYERS or there not in LAYERS:
                breaks.append('%s -> %s: outside the layers %s' % (module, target, ', '.join(LAYERS)))
            elif here != there and here in SIDE_BY_SIDE and there in SIDE_BY_SIDE:
                breaks.append('%s -> %s: %s and %s stand side by side' % (module, target, here, there))
            elif LAYERS.index(there) > LAYERS.index(here):
                breaks.append('%s -> %s: %s is above %s' % (module, target, there, here))
            elif here == there == 'clouds':
                mine, theirs = module.split('/')[1], target.split('/')[1]
                if mine in VENDORS and theirs != mine:
                    breaks.append('%s -> %s: a vendor\'s folder imports only its own files' % (module, target))
            if module in LEAVES:
                breaks.append('%s -> %s: %s is a leaf' % (module, target, module))
    return breaks


def part_breaks(graph):
    """'a -> b: why' for each import of a file in one of PARTS' folders from outside it, by another file than its
    owner."""
    breaks = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            for folder, owner in PARTS.items():
                inside = folder + '/'
                if target.startswith(inside) and not module.startswith(inside) and module != owner:
                    breaks.append('%s -> %s: only %s imports %s/' % (module, target, owner, folder))
    return breaks


def circles(graph):
    """Each import circle, as 'a -> b -> a', found once (the strongly connected parts of the graph, Tarjan's way)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(' -> '.join(sorted(part) + [sorted(part)[0]]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def ansible_module_breaks(sources):
    """Files below runners/ that import AnsibleModule, or more of ansible.module_utils.basic than
    BASIC_BELOW_RUNNERS."""
    breaks = []
    for module, source in sorted(sources.items()):
        if layer_of(module) == 'runners':
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == 'ansible.module_utils.basic':
                extra = {alias.name for alias in node.names} - BASIC_BELOW_RUNNERS
                if extra:
                    breaks.append('%s imports %s from ansible.module_utils.basic' % (module, ', '.join(sorted(extra))))
            elif isinstance(node, ast.Import) and any(
                alias.name == 'ansible.module_utils.basic' for alias in node.names
            ):
                breaks.append('%s imports ansible.module_utils.basic' % module)
    return breaks


def test_the_tree_has_its_layers_and_every_file_is_in_one():
    sources = read_tree(MODULE_UTILS)
    assert {layer_of(module) for module in sources if '/' in module} == set(LAYERS)
    assert [module for module in sources if '/' not in module] == [], 'a file of module_utils outside the layers'
    assert {
        module.split('/')[1] for module in sources if layer_of(module) == 'clouds' and module.count('/') == 2
    } == set(VENDORS)


def test_every_import_runs_down_the_layers():
    assert direction_breaks(imports_of(read_tree(MODULE_UTILS))) == []


def test_only_the_dr_run_imports_its_phases():
    assert part_breaks(imports_of(read_tree(MODULE_UTILS))) == []


def test_no_import_circle():
    assert circles(imports_of(read_tree(MODULE_UTILS))) == []


def test_only_the_runners_know_ansible_module():
    assert ansible_module_breaks(read_tree(MODULE_UTILS)) == []


def test_the_walk_sees_imports_under_type_checking_and_in_functions():
    """The tree's own files: imports that only a full walk sees are counted (the registry loads adapters in
    functions)."""
    graph = imports_of(read_tree(MODULE_UTILS))
    assert 'clouds/aws/ebs_dr' in graph['clouds/registry'], 'a function-local import'
    assert 'dr/leases/lease' in graph['dr/capabilities'], 'an import under TYPE_CHECKING'
    assert 'core/errors' in graph['clouds/tencent/cbs'], 'a relative import two folders up'


# ---------------------------------------------------------------------- the checker on trees that break each rule
FAKE = {
    'core/errors': '',
    'core/model': 'from .errors import CloudError\n',
    'engine/copy_engine': 'from ..core.model import Snapshot\n',
    'dr/run': 'from ..engine.copy_engine import CopyEngine\n',
    'clouds/aws/ebs': 'from ...dr.run import DrRun\nfrom . import client\n',
    'clouds/aws/client': 'from ansible.module_utils.basic import env_fallback\n',
    'clouds/tencent/client': '',
    'clouds/registry': 'def load():\n    from .aws.ebs import EbsAdapter\n',
    'runners/dr_module': 'from ansible.module_utils.basic import AnsibleModule\nfrom ..clouds.registry import load\n',
    'events/source': 'from ..clouds.registry import load\n',
}


@pytest.mark.parametrize(
    'module, text, expected',
    [
        (
            'engine/copy_engine',
            'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..dr.run import DrRun\n',
            'engine/copy_engine -> dr/run: dr is above engine',
        ),
        (
            'core/model',
            'def f():\n    from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import ebs\n',
            'core/model -> clouds/aws/ebs: clouds is above core',
        ),
        (
            'clouds/aws/ebs',
            'from ..tencent.client import TencentClient\n',
            'clouds/aws/ebs -> clouds/tencent/client: a vendor\'s folder imports only its own files',
        ),
        ('core/errors', 'from .model import Snapshot\n', 'core/errors -> core/model: core/errors is a leaf'),
        (
            'events/source',
            'from ..runners.dr_module import run\n',
            'events/source -> runners/dr_module: events and runners stand side by side',
        ),
        (
            'runners/dr_module',
            'def f():\n    from ..events import source\n',
            'runners/dr_module -> events/source: runners and events stand side by side',
        ),
    ],
)
def test_the_checker_names_an_import_against_the_direction(module, text, expected):
    tree = dict(FAKE, **{module: FAKE[module] + text})
    assert direction_breaks(imports_of(FAKE)) == []
    assert expected in direction_breaks(imports_of(tree))


def test_the_checker_names_an_import_of_the_phases_from_outside_the_run():
    tree = dict(
        FAKE,
        **{
            'dr/phases/prune': 'from ..prune import choose\n',
            'dr/prune': '',
            'dr/run': FAKE['dr/run'] + 'from .phases.prune import prune_copies\n',
        },
    )
    assert part_breaks(imports_of(tree)) == []
    tree['runners/dr_module'] += 'from ..dr.phases import prune\n'
    assert part_breaks(imports_of(tree)) == ['runners/dr_module -> dr/phases/prune: only dr/run imports dr/phases/']


def test_the_checker_finds_a_circle_through_a_typing_only_import():
    tree = dict(
        FAKE,
        **{'core/errors': 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .model import Snapshot\n'},
    )
    assert circles(imports_of(FAKE)) == []
    assert circles(imports_of(tree)) == ['core/errors -> core/model -> core/errors']


def test_the_checker_names_ansible_module_below_the_runners():
    tree = dict(
        FAKE, **{'dr/run': FAKE['dr/run'] + 'from ansible.module_utils.basic import AnsibleModule, env_fallback\n'}
    )
    assert ansible_module_breaks(FAKE) == []
    assert ansible_module_breaks(tree) == ['dr/run imports AnsibleModule from ansible.module_utils.basic']


# ---------------------------------------------------------------------- what a copy module carries
# Ansible's module packer (ansible.executor.module_common.recursive_finder) puts into a module's payload every file of
# module_utils that an import names, read from the source and followed file by file: any import anywhere in a file,
# under `if TYPE_CHECKING:` and inside functions too, each `from x import y` read as module x.y where there is one, else
# x, and every package on the way. A copy module needs the engine, not the DR run.
COPY_MODULES = sorted(glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*_snapshot_copy.py')))
MODULES_PACKAGE = 'ansible_collections.snapcopy.cloud.plugins.modules'


def dr_part(module):
    """True for the DR run's files: dr/ and the dr_sync module's run."""
    return layer_of(module) == 'dr' or module == 'runners/dr_module'


def imported_names(fqn, is_package, source):
    """Every dotted name that an import anywhere in ``source`` (the module ``fqn``) names: a module, or a module and a
    name in it (which may be a module of its own)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ''
            if node.level:
                package = fqn.split('.') if is_package else fqn.split('.')[:-1]
                module = '.'.join(package[: len(package) - (node.level - 1)] + ([node.module] if node.module else []))
            names.add(module)
            names.update('%s.%s' % (module, alias.name) for alias in node.names)
    return names


def packed(module_source, sources, name='module'):
    """{module path below module_utils ('dr/run'): the file whose import brought it in} for every file of ``sources``
    (read_tree's) that the packer puts beside a module with ``module_source``."""
    found, todo = {}, [(MODULES_PACKAGE + '.' + name, False, module_source, name)]
    while todo:
        fqn, is_package, source, importer = todo.pop()
        for dotted in sorted(imported_names(fqn, is_package, source)):
            if not dotted.startswith(PACKAGE + '.'):
                continue
            parts = dotted[len(PACKAGE) + 1 :].split('.')
            for depth in range(1, len(parts) + 1):
                path = '/'.join(parts[:depth])
                for key, package in ((path, False), (path + '/__init__', True)):
                    if key in sources and key not in found:
                        found[key] = importer
                        todo.append((PACKAGE + '.' + path.replace('/', '.'), package, sources[key], key))
    return found


def dr_carried(module_source, sources, name='module'):
    """'dr/shares <- clouds/aws/ebs <- module' for each file of the DR run that a module with ``module_source``
    carries."""
    found = packed(module_source, sources, name)
    chains = []
    for module in sorted(found):
        if dr_part(module):
            chain = [module]
            while chain[-1] in found:
                chain.append(found[chain[-1]])
            chains.append(' <- '.join(chain))
    return chains


def test_there_are_the_four_copy_modules():
    assert [os.path.basename(path) for path in COPY_MODULES] == [
        'cbs_snapshot_copy.py',
        'ebs_snapshot_copy.py',
        'ecs_snapshot_copy.py',
        'ens_snapshot_copy.py',
    ]


@pytest.mark.parametrize('path', COPY_MODULES, ids=os.path.basename)
def test_a_copy_module_carries_nothing_of_the_dr_run(path):
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    name = os.path.basename(path)[:-3]
    found = packed(source, read_tree(MODULE_UTILS), name)
    # The walk reaches what a copy runs on: the engine, the module's run and the cloud's adapter.
    assert {
        'engine/copy_engine',
        'runners/copy_module',
        'clouds/%s' % {'ebs': 'aws/ebs', 'ecs': 'alibaba/ecs', 'ens': 'alibaba/ens', 'cbs': 'tencent/cbs'}[name[:3]],
    } <= set(found)
    assert dr_carried(source, read_tree(MODULE_UTILS), name) == []


COPY_MODULE = 'from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs import EbsCopyAdapter\n'
PACKED_FAKE = dict(
    FAKE,
    **{
        'clouds/aws/ebs': 'from . import client\n',
        'clouds/aws/ebs_dr': 'from ...dr.run import DrRun\n',
        'clouds/registry': 'def load():\n    from .aws.ebs_dr import EbsAdapter\n',
        'clouds/aws/__init__': '',
        'dr/__init__': '',
    },
)


@pytest.mark.parametrize(
    'module, text, expected',
    [
        (
            'clouds/aws/ebs',
            'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ...dr.run import DrRun\n',
            'dr/run <- clouds/aws/ebs <- module',
        ),
        (
            'clouds/aws/client',
            'def f():\n    from ..registry import load\n',
            'dr/run <- clouds/aws/ebs_dr <- clouds/registry <- clouds/aws/client',
        ),
        (
            'clouds/aws/client',
            'def f():\n    from ansible_collections.snapcopy.cloud.plugins.module_utils import dr\n',
            'dr/__init__ <- clouds/aws/client <- clouds/aws/ebs <- module',
        ),
        ('clouds/aws/ebs', 'from .ebs_dr import DrRun\n', 'dr/run <- clouds/aws/ebs_dr <- clouds/aws/ebs <- module'),
        (
            'clouds/aws/ebs',
            'def f():\n    from ...runners import dr_module\n',
            'runners/dr_module <- clouds/aws/ebs <- module',
        ),
    ],
)
def test_the_packers_walk_sees_imports_under_type_checking_and_in_functions(module, text, expected):
    assert dr_carried(COPY_MODULE, PACKED_FAKE) == []
    assert set(packed(COPY_MODULE, PACKED_FAKE)) == {'clouds/aws/__init__', 'clouds/aws/ebs', 'clouds/aws/client'}
    found = dr_carried(COPY_MODULE, dict(PACKED_FAKE, **{module: PACKED_FAKE[module] + text}))
    assert any(chain.startswith(expected) for chain in found), found


# The event source (extensions/eda) is a front door run by ansible-rulebook, not by Ansible: neither it nor any file of
# module_utils it carries may import AnsibleModule (runners/dr_module and copy_module do: it must not reach them).
EVENT_SOURCE = os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'snapshots.py')


def ansible_module_importers(found, sources):
    return sorted(
        module
        for module in found
        if any(
            isinstance(node, ast.ImportFrom)
            and node.module == 'ansible.module_utils.basic'
            and any(alias.name == 'AnsibleModule' for alias in node.names)
            for node in ast.walk(ast.parse(sources[module]))
        )
    )


def test_the_event_source_carries_no_ansible_module():
    with open(EVENT_SOURCE, encoding='utf-8') as handle:
        source = handle.read()
    sources = read_tree(MODULE_UTILS)
    found = packed(source, sources, 'snapshots')
    assert {'events/source', 'events/settings', 'clouds/registry', 'core/retry'} <= set(found)
    assert ansible_module_importers(found, sources) == []
    # The check sees a runner that imports AnsibleModule.
    assert ansible_module_importers(
        packed(
            'from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import x\n',
            sources,
            'snapshots',
        ),
        sources,
    ) == ['runners/copy_module', 'runners/dr_module']
