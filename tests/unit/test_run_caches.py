"""The test venvs' run caches (tests/utils/run_caches/snapcopy_run_caches.py), each in processes of its own as Ansible
runs them: what is kept is what the next process uses, only while its sources are as they were, and the result is
the one worked out without the cache; "off" keeps nothing.

- zip-bytecode: a module imported from a zip is compiled once, the next zip with the same source runs the kept code
  under its own file name, another source is compiled anew.
- payload-cache: a payload built with the cache carries the files of one built without it; a changed or added file of
  the collection is searched again; another collections folder gets its own files; a payload with files of another
  collection is not kept.
- yaml-cache: ansible-core's readings of its routing table, of a collection's meta/runtime.yml and of its
  configuration's definitions are kept by the YAML's bytes.
"""

from __future__ import annotations

import json
import marshal
import os
import pickle
import subprocess
import sys
import zipfile

HOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils', 'run_caches')

# Imports "payload" from the zip named by argv[1] (after the hook, as the venv's .pth does) and prints what it gives
# and the file its failing function names in a traceback.
IMPORTER = '''
import sys, traceback
import snapcopy_run_caches  # as the venv's .pth imports it (a no-op when it did)
sys.path.insert(0, sys.argv[1])
import payload
print(payload.VALUE)
try:
    payload.fail()
except RuntimeError:
    print(traceback.extract_tb(sys.exc_info()[2])[-1].filename)
'''


def payload_zip(folder, value):
    os.makedirs(folder)
    path = os.path.join(folder, 'ansible_x_payload.zip')
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('payload.py', 'VALUE = %r\n\ndef fail():\n    raise RuntimeError("from the zip")\n' % value)
    return path


def import_from(path, cache):
    done = subprocess.run(
        [sys.executable, '-c', IMPORTER, path],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=HOOK, SNAPCOPY_ZIP_BYTECODE=cache),
    )
    return done.stdout.splitlines()


def kept(cache):
    return sorted(os.path.join(folder, name) for folder, dummy, names in os.walk(cache) for name in names)


def test_zip_bytecode_the_same_source_is_compiled_once_and_runs_under_its_own_zips_name(tmp_path):
    cache = str(tmp_path / 'cache')
    first = payload_zip(str(tmp_path / 'run-1'), 'one')
    assert import_from(first, cache) == ['one', os.path.join(first, 'payload.py')]
    (entry,) = kept(cache)
    second = payload_zip(str(tmp_path / 'run-2'), 'one')
    # The kept code, with the second zip's file name in its functions.
    assert import_from(second, cache) == ['one', os.path.join(second, 'payload.py')]
    assert kept(cache) == [entry]
    # The next run takes what is kept rather than compiling: kept code that says so is what runs.
    with open(entry, 'wb') as stream:
        marshal.dump(compile('VALUE = "kept"\ndef fail():\n    raise RuntimeError\n', 'elsewhere.py', 'exec'), stream)
    third = payload_zip(str(tmp_path / 'run-kept'), 'one')
    assert import_from(third, cache) == ['kept', os.path.join(third, 'payload.py')]
    # Another source is another entry, never the kept code.
    assert import_from(payload_zip(str(tmp_path / 'run-3'), 'two'), cache)[0] == 'two'
    assert len(kept(cache)) == 2


def test_zip_bytecode_off_keeps_nothing(tmp_path):
    assert import_from(payload_zip(str(tmp_path / 'run'), 'one'), 'off')[0] == 'one'
    assert not os.path.exists(os.path.join(str(tmp_path), 'off')) and not os.path.exists('off')


# Builds the payload of the module argv[2] from the collections folder argv[1] as the controller does, and prints its
# zip's files: the collections' with their text, ansible-core's as a count.
BUILDER = '''
import base64, io, json, re, sys, zipfile
import snapcopy_run_caches  # as the venv's .pth imports it (a no-op when it did)
from ansible.plugins.loader import init_plugin_loader, module_loader
init_plugin_loader([sys.argv[1]])
from ansible.executor import module_common
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
found = module_loader.find_plugin_with_context(sys.argv[2])
options = dict(module_args={}, templar=Templar(loader=DataLoader()), module_compression='ZIP_DEFLATED',
               task_vars={'ansible_python_interpreter': sys.executable})
built = module_common.modify_module(module_name=sys.argv[2], module_path=found.plugin_resolved_path, **options)
wrapper = built[0] if isinstance(built, tuple) else built.b_module_data  # a tuple up to ansible-core 2.18
zipped = zipfile.ZipFile(io.BytesIO(base64.b64decode(max(re.findall(rb'[A-Za-z0-9+/=]{200,}', wrapper), key=len))))
files = {info.filename: zipped.read(info).decode() for info in zipped.infolist()}
print(json.dumps({
    'collections': {name: text for name, text in files.items() if name.startswith('ansible_collections/')},
    'ansible-core': len([name for name in files if name.startswith('ansible/')]),
}))
'''

MODULE = '''from ansible.module_utils.basic import AnsibleModule
from ansible_collections.{imports}.plugins.module_utils.{util} import VALUE


def main():
    AnsibleModule(argument_spec={{}}).exit_json(value=VALUE)


if __name__ == '__main__':
    main()
'''


def collection(root, name, files):
    """The collection ``name`` ('ns.coll') under the collections folder ``root``, with ``files`` (path: text)."""
    folder = os.path.join(root, 'ansible_collections', *name.split('.'))
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(folder, path)), exist_ok=True)
        with open(os.path.join(folder, path), 'w', encoding='utf-8') as stream:
            stream.write(text)
    return folder


def two_collections(root, value='one'):
    """ns1.coll: a module whose util is its own (m) and one whose util is ns2.lib's (other)."""
    own = collection(
        root,
        'ns1.coll',
        {
            'plugins/modules/m.py': MODULE.format(imports='ns1.coll', util='helper'),
            'plugins/modules/other.py': MODULE.format(imports='ns2.lib', util='shared'),
            'plugins/module_utils/helper.py': 'VALUE = %r\n' % value,
        },
    )
    collection(root, 'ns2.lib', {'plugins/module_utils/shared.py': 'VALUE = "shared"\n'})
    return own


def build(root, module, cache, tmp_path):
    done = subprocess.run(
        [sys.executable, '-c', BUILDER, root, module],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=HOOK, SNAPCOPY_PAYLOAD_CACHE=cache, ANSIBLE_LOCAL_TEMP=str(tmp_path / 'local')),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def helper_text(payload):
    return payload['collections']['ansible_collections/ns1/coll/plugins/module_utils/helper.py']


def test_payload_a_kept_payload_is_the_one_built_without_the_cache_and_is_what_the_next_build_carries(tmp_path):
    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    two_collections(root)
    built_alone = build(root, 'ns1.coll.m', 'off', tmp_path)
    assert helper_text(built_alone) == "VALUE = 'one'\n" and built_alone['ansible-core'] > 5
    assert build(root, 'ns1.coll.m', cache, tmp_path) == built_alone
    (entry,) = kept(cache)
    assert build(root, 'ns1.coll.m', cache, tmp_path) == built_alone
    assert kept(cache) == [entry]
    # The next build takes what is kept rather than searching: a kept file that says so is what it carries.
    with open(entry, 'rb') as stream:
        kept_entry = pickle.load(stream)
    kept_entry['files'] = [
        (name, b'VALUE = "kept"\n' if name.endswith('/helper.py') else data) for name, data in kept_entry['files']
    ]
    with open(entry, 'wb') as stream:
        pickle.dump(kept_entry, stream)
    assert helper_text(build(root, 'ns1.coll.m', cache, tmp_path)) == 'VALUE = "kept"\n'


def test_payload_a_changed_or_added_file_of_the_collection_is_searched_again(tmp_path):
    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    own = two_collections(root)
    build(root, 'ns1.coll.m', cache, tmp_path)
    helper = os.path.join(own, 'plugins', 'module_utils', 'helper.py')
    with open(helper, 'w', encoding='utf-8') as stream:
        stream.write('VALUE = "two"\n')
    assert helper_text(build(root, 'ns1.coll.m', cache, tmp_path)) == 'VALUE = "two"\n'
    # A file added beside it changes no kept byte, but the kept entry is not used: the search runs again.
    (entry,) = kept(cache)
    with open(entry, 'rb') as stream:
        kept_entry = pickle.load(stream)
    kept_entry['files'] = [
        (name, b'VALUE = "stale"\n' if name.endswith('/helper.py') else data) for name, data in kept_entry['files']
    ]
    with open(entry, 'wb') as stream:
        pickle.dump(kept_entry, stream)
    with open(os.path.join(own, 'plugins', 'module_utils', 'added.py'), 'w', encoding='utf-8') as stream:
        stream.write('VALUE = "added"\n')
    assert helper_text(build(root, 'ns1.coll.m', cache, tmp_path)) == 'VALUE = "two"\n'


def test_payload_the_same_module_in_another_collections_folder_carries_that_folders_files(tmp_path):
    cache = str(tmp_path / 'cache')
    first, second = str(tmp_path / 'first'), str(tmp_path / 'second')
    two_collections(first, value='first')
    two_collections(second, value='second')
    assert helper_text(build(first, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'first'\n"
    assert helper_text(build(second, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'second'\n"
    assert helper_text(build(first, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'first'\n"
    assert len(kept(cache)) == 2


def test_payload_with_files_of_another_collection_is_not_kept(tmp_path):
    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    two_collections(root)
    payload = build(root, 'ns1.coll.other', cache, tmp_path)
    assert payload['collections']['ansible_collections/ns2/lib/plugins/module_utils/shared.py'] == 'VALUE = "shared"\n'
    assert kept(cache) == []


def test_payload_off_keeps_nothing(tmp_path):
    root = str(tmp_path / 'collections')
    two_collections(root)
    build(root, 'ns1.coll.m', 'off', tmp_path)
    assert not os.path.exists(os.path.join(str(tmp_path), 'off')) and not os.path.exists('off')


# Resolves the plugin argv[2] through the collections folder argv[1] (and ansible.builtin.ping, which reads
# ansible-core's own routing table), and prints where its routing led and the forks of ansible-core's configuration.
ROUTER = '''
import json, sys
import snapcopy_run_caches  # as the venv's .pth imports it (a no-op when it did)
from ansible.plugins.loader import init_plugin_loader, module_loader
init_plugin_loader([sys.argv[1]])
found = module_loader.find_plugin_with_context(sys.argv[2])
assert module_loader.find_plugin_with_context('ansible.builtin.ping').resolved  # reads ansible-core's table too
from ansible import constants
print(json.dumps([found.resolved_fqcn, constants.DEFAULT_FORKS]))
'''

RUNTIME = '''---
requires_ansible: ">=2.18.0"
plugin_routing:
  modules:
    old:
      redirect: ns1.coll.{target}
'''


def resolve(root, plugin, cache, tmp_path):
    """[where the routing of ``plugin`` led, ansible-core's forks] in a process of its own, in an empty folder."""
    env = {name: value for name, value in os.environ.items() if name not in ('ANSIBLE_CONFIG', 'ANSIBLE_FORKS')}
    done = subprocess.run(
        [sys.executable, '-c', ROUTER, root, plugin],
        capture_output=True,
        text=True,
        check=False,
        cwd=str(tmp_path),
        env=dict(env, PYTHONPATH=HOOK, SNAPCOPY_YAML_CACHE=cache, ANSIBLE_LOCAL_TEMP=str(tmp_path / 'local')),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def routed(root, target):
    """The two collections, ns1.coll's module "old" redirected to ``target``."""
    two_collections(root)
    collection(root, 'ns1.coll', {'meta/runtime.yml': RUNTIME.format(target=target)})


def kept_readings(cache):
    """The kept readings, by path."""
    readings = {}
    for path in kept(cache):
        with open(path, 'rb') as stream:
            readings[path] = pickle.load(stream)
    return readings


def test_yaml_kept_readings_are_ansible_cores_own_and_are_what_the_next_start_follows(tmp_path):
    # ansible-core's own readings, which the hook leaves as they are (it patches their callers' names)
    from ansible.module_utils.common.yaml import yaml_load
    from ansible.utils.collection_loader import _collection_meta

    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    routed(root, 'm')
    assert resolve(root, 'ns1.coll.old', 'off', tmp_path) == ['ns1.coll.m', 5]
    assert resolve(root, 'ns1.coll.old', cache, tmp_path) == ['ns1.coll.m', 5]
    readings = kept_readings(cache)
    ansible_folder = os.path.dirname(os.path.dirname(os.path.dirname(_collection_meta.__file__)))
    with open(os.path.join(ansible_folder, 'config', 'ansible_builtin_runtime.yml'), 'rb') as stream:
        table = _collection_meta._meta_yml_to_dict(stream.read(), ('ansible.builtin', 'runtime.yml'))
    with open(os.path.join(ansible_folder, 'config', 'base.yml'), 'rb') as stream:
        definitions = yaml_load(stream)
    (ours,) = [
        path for path, reading in readings.items() if 'old' in reading.get('plugin_routing', {}).get('modules', {})
    ]
    (kept_definitions,) = [path for path, reading in readings.items() if 'DEFAULT_FORKS' in reading]
    assert readings[kept_definitions] == definitions
    assert table in readings.values()
    assert len(readings) == 3
    # The next start follows what is kept rather than reading: kept readings that say so are what it follows.
    readings[ours]['plugin_routing']['modules']['old']['redirect'] = 'ns1.coll.other'
    readings[kept_definitions]['DEFAULT_FORKS']['default'] = 7
    for path in (ours, kept_definitions):
        with open(path, 'wb') as stream:
            pickle.dump(readings[path], stream)
    assert resolve(root, 'ns1.coll.old', cache, tmp_path) == ['ns1.coll.other', 7]
    assert sorted(kept_readings(cache)) == sorted(readings)


def test_yaml_a_changed_runtime_yml_is_read_again(tmp_path):
    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    routed(root, 'm')
    assert resolve(root, 'ns1.coll.old', cache, tmp_path)[0] == 'ns1.coll.m'
    routed(root, 'other')
    assert resolve(root, 'ns1.coll.old', cache, tmp_path)[0] == 'ns1.coll.other'


def test_yaml_off_keeps_nothing(tmp_path):
    root = str(tmp_path / 'collections')
    routed(root, 'm')
    assert resolve(root, 'ns1.coll.old', 'off', tmp_path)[0] == 'ns1.coll.m'
    assert not os.path.exists(os.path.join(str(tmp_path), 'off')) and not os.path.exists('off')
