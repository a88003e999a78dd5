"""The test venvs' cache of the module_utils of AnsiballZ payloads (tests/utils/run_caches/snapcopy_payload_cache.py):
a payload built with the cache carries the same files as one built without it; what is kept is what the next build
carries, and only while every source it came from is as it was; a payload with files from another collection is not
kept; "off" keeps nothing. Each build is a process of its own, as each ansible-playbook is."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

HOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils', 'run_caches')

# Builds the payload of the module argv[2] from the collections folder argv[1] as the controller does, and prints its
# zip's files: the collections' with their text, ansible-core's as a count.
BUILDER = '''
import base64, io, json, re, sys, zipfile
import snapcopy_payload_cache  # as the venv's .pth imports it (a no-op when it did)
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


def kept(cache):
    return sorted(os.path.join(folder, name) for folder, dummy, names in os.walk(cache) for name in names)


def helper_text(payload):
    return payload['collections']['ansible_collections/ns1/coll/plugins/module_utils/helper.py']


def test_a_kept_payload_is_the_one_built_without_the_cache_and_is_what_the_next_build_carries(tmp_path):
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


def test_a_changed_or_added_file_of_the_collection_is_searched_again(tmp_path):
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


def test_the_same_module_in_another_collections_folder_carries_that_folders_files(tmp_path):
    cache = str(tmp_path / 'cache')
    first, second = str(tmp_path / 'first'), str(tmp_path / 'second')
    two_collections(first, value='first')
    two_collections(second, value='second')
    assert helper_text(build(first, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'first'\n"
    assert helper_text(build(second, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'second'\n"
    assert helper_text(build(first, 'ns1.coll.m', cache, tmp_path)) == "VALUE = 'first'\n"
    assert len(kept(cache)) == 2


def test_a_payload_with_files_of_another_collection_is_not_kept(tmp_path):
    root, cache = str(tmp_path / 'collections'), str(tmp_path / 'cache')
    two_collections(root)
    payload = build(root, 'ns1.coll.other', cache, tmp_path)
    assert payload['collections']['ansible_collections/ns2/lib/plugins/module_utils/shared.py'] == 'VALUE = "shared"\n'
    assert kept(cache) == []


def test_off_keeps_nothing(tmp_path):
    root = str(tmp_path / 'collections')
    two_collections(root)
    build(root, 'ns1.coll.m', 'off', tmp_path)
    assert not os.path.exists(os.path.join(str(tmp_path), 'off')) and not os.path.exists('off')
