"""What make test's thousands of Ansible processes would each work out again from the same sources, kept once per venv.

A .pth file of each venv that runs modules imports this at every start of its Python (make test's venvs only). Three
pieces of work are kept, each keyed by the sources it stands for, so that a changed source is worked out anew:

- zip-bytecode: the compiled code of the files of a zipped module run (AnsiballZ). zipimport keeps no bytecode, so
  each run compiled ansible.module_utils.basic and the collection's module_utils from source again: about a quarter
  of a module run's CPU time (0.53 s, of which 0.12 s compiling). Keyed by the Python, the path in the zip and the
  source; the next run gets the code under its own file names.
- payload-cache: the module_utils of each module's AnsiballZ payload. Before a module runs, ansible-core parses the
  module and every module_utils file it reaches for their imports (module_common.recursive_finder), and keeps the
  result only for one process: 0.85 to 1.2 CPU s for dr_sync, 0.25 to 0.3 for a copy module, 0.18 to 0.25 for
  ansible.builtin.command, in every ansible and ansible-playbook process. Kept: the files put into the zip and what
  the search returned, keyed by ansible-core's release and place, the module's name and source, the module_utils
  folders searched, the module's collection folder and the compression; used only while every file of those folders
  (and the collection's package __init__ files it holds) is as it was. A payload with files of another collection is
  not kept, nor any while the debugger extension is on.
- yaml-cache: ansible-core's own YAML, read at every start of ansible, ansible-playbook, ansible-doc or
  ansible-inventory: its routing table (ansible_builtin_runtime.yml, 377 KB) and each collection's meta/runtime.yml,
  read by the collection loader's _meta_yml_to_dict (0.18 CPU s; ansible-core passes it a content id for other
  implementations to cache), and its configuration's definitions (config/base.yml, 0.06 CPU s). Kept by the YAML's
  bytes and ansible-core's release and place.

What runs is the same: the same code, the same payload bytes, the same readings. SNAPCOPY_ZIP_BYTECODE,
SNAPCOPY_PAYLOAD_CACHE and SNAPCOPY_YAML_CACHE each name another folder, or are "off": make bench turns them off,
as it measures what a user's run costs.
"""

import os
import sys

# Part of every key: a change in what an entry holds leaves the old entries unused.
_FORMAT = 'snapcopy-run-caches-1'


def _folder(variable, name):
    """The folder of one cache: the variable's value, <venv>/<name> when it is unset, None when it is "off"."""
    folder = os.environ.get(variable) or os.path.join(sys.prefix, name)
    return None if folder == 'off' else folder


def _entry_path(folder, key):
    return os.path.join(folder, key[:2], key)


def _read(path, serial):
    """What ``serial`` (marshal or pickle) reads from ``path``, or None when there is nothing readable there."""
    try:
        with open(path, 'rb') as stream:
            # loads of the whole file: marshal.load reads a file in as many small reads as the code has objects
            # (8 times the CPU of the code's 330 files in .venv)
            return serial.loads(stream.read())
    except Exception:  # pylint: disable=broad-exception-caught  # a missing, partial or foreign entry: work it out
        return None


def _keep(path, value, serial):
    """Writes ``value`` to ``path`` whole or not at all (processes read it while others write)."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = '%s.%d' % (path, os.getpid())
        with open(temporary, 'wb') as stream:
            serial.dump(value, stream)
        os.replace(temporary, path)
    except Exception:  # pylint: disable=broad-exception-caught  # a cache that cannot keep changes nothing that runs
        pass


def _sha256(*parts):
    import hashlib  # pylint: disable=import-outside-toplevel  # only in a process that uses a cache

    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode('utf-8', 'surrogateescape'))
        digest.update(b'\0')
    return digest.hexdigest()


def _digest(place):
    """A digest of the file ``place``, or of every file under the folder ``place`` (names and bytes); None if neither."""
    if os.path.isfile(place):
        with open(place, 'rb') as stream:
            return _sha256(stream.read())
    if not os.path.isdir(place):
        return None
    parts = []
    for here, folders, names in os.walk(place):
        folders[:] = sorted(name for name in folders if name != '__pycache__')
        for name in sorted(names):
            path = os.path.join(here, name)
            with open(path, 'rb') as stream:
                parts += [os.path.relpath(path, place), stream.read()]
    return _sha256(*parts)


# ---------------------------------------------------------------- zip-bytecode


def _keep_zip_bytecode(folder):
    import marshal  # pylint: disable=import-outside-toplevel  # loaded at every start already
    import zipimport  # pylint: disable=import-outside-toplevel  # one of Python's path hooks: loaded already

    if not hasattr(zipimport, '_compile_source'):  # a Python whose zipimport compiles elsewhere: nothing is kept
        return
    compile_source = zipimport._compile_source  # pylint: disable=protected-access  # the one place zipimport compiles
    tag = sys.implementation.cache_tag

    def relocate(code, filename):
        """``code`` with ``filename`` as its file, in it and in every function it holds (tracebacks, warnings)."""
        consts = tuple(
            relocate(const, filename) if isinstance(const, type(code)) else const for const in code.co_consts
        )
        return code.replace(co_filename=filename, co_consts=consts)

    def kept_compile(pathname, source):
        inside = pathname.split('.zip' + os.sep, 1)[-1]
        path = _entry_path(folder, _sha256(tag, inside, bytes(source)))
        code = _read(path, marshal)
        if isinstance(code, type(kept_compile.__code__)):
            return relocate(code, pathname)
        code = compile_source(pathname, source)
        _keep(path, code, marshal)
        return code

    zipimport._compile_source = kept_compile  # pylint: disable=protected-access


# ---------------------------------------------------------------- payload-cache


def _payload_sources(files, folders, module_fqn, own_collection):
    """The digests an entry is used under: of ``folders``, and of each file of the zip that comes from the module's
    collection outside its module_utils (a package's __init__.py, or None where ansible-core made it up). None when a
    file comes from anywhere else: such a payload is not kept."""
    sources = {folder: _digest(folder) for folder in folders}
    own_prefix = '/'.join(module_fqn.split('.')[:3]) + '/'
    for filename, dummy in files:
        if filename.startswith('ansible/') or (
            own_collection and filename.startswith(own_prefix + 'plugins/module_utils/')
        ):
            continue  # ansible-core's (in the key) or in a folder above; custom module_utils folders are among them
        # the collection's own files, and the __init__.py of the packages above it
        from_own = filename.startswith(own_prefix) or own_prefix.startswith(filename.rsplit('/', 1)[0] + '/')
        if not own_collection or not from_own:
            return None
        collections_root = os.path.dirname(os.path.dirname(os.path.dirname(own_collection)))
        place = os.path.join(collections_root, *filename.split('/'))
        sources[place] = _digest(place)
    return sources


def _keep_payloads(folder, module_common):
    import pickle  # pylint: disable=import-outside-toplevel

    find_module_utils = module_common.recursive_finder
    ansible_place = os.path.dirname(os.path.dirname(os.path.abspath(module_common.__file__)))
    core_module_utils = os.path.realpath(os.path.join(ansible_place, 'ansible', 'module_utils'))
    release = getattr(module_common, '__version__', '')

    def collection_folder(module_fqn):
        """The folder of the collection the module comes from (as this process's collection loader found it)."""
        parts = module_fqn.split('.')
        if parts[0] != 'ansible_collections' or len(parts) < 3:
            return None
        package = sys.modules.get('.'.join(parts[:3]))
        paths = list(getattr(package, '__path__', None) or [])
        return paths[0] if len(paths) == 1 else None

    def kept_payload(*args, **kwargs):
        # ansible-core 2.18: (name, module_fqn, module_data, zf, date_time); 2.19 on: and extension_manager.
        name, module_fqn, module_data, zipped = args[:4]
        date_time = args[4] if len(args) > 4 else kwargs.get('date_time')
        extensions = args[5] if len(args) > 5 else kwargs.get('extension_manager')
        if getattr(extensions, 'debugger_enabled', False):  # the search also fills the debugger's source map
            return find_module_utils(*args, **kwargs)
        searched = [
            path
            for path in module_common.module_utils_loader._get_paths(subdirs=False)  # pylint: disable=protected-access
            if os.path.isdir(path)
        ]
        own_collection = collection_folder(module_fqn)
        extension_names = tuple(getattr(extensions, 'module_names', None) or ())
        path = _entry_path(
            folder,
            _sha256(
                _FORMAT, release, ansible_place, name, module_fqn, own_collection, searched, extension_names,
                zipped.compression, bytes(module_data),
            ),
        )  # fmt: skip
        # Where the payload's files may come from, besides ansible-core's own (in the key): the module_utils folders
        # searched, and the collection's. An entry adds the other files of the collection it holds.
        folders = [searched_path for searched_path in searched if os.path.realpath(searched_path) != core_module_utils]
        if own_collection:
            folders.append(os.path.join(own_collection, 'plugins', 'module_utils'))
        entry = _read(path, pickle)
        if isinstance(entry, dict) and all(_digest(place) == digest for place, digest in entry['sources'].items()):
            for filename, data in entry['files']:
                zipped.writestr(module_common._make_zinfo(filename, date_time, zf=zipped), data)  # pylint: disable=protected-access
            return entry['found']

        files = []
        write = zipped.writestr

        def write_and_keep(zinfo_or_arcname, data, *more, **options):
            write(zinfo_or_arcname, data, *more, **options)
            filename = getattr(zinfo_or_arcname, 'filename', zinfo_or_arcname)
            files.append((filename, data.encode('utf-8') if isinstance(data, str) else bytes(data)))

        zipped.writestr = write_and_keep
        try:
            found = find_module_utils(*args, **kwargs)
        finally:
            del zipped.writestr
        sources = _payload_sources(files, folders, module_fqn, own_collection)
        if sources is not None:
            _keep(path, {'sources': sources, 'files': files, 'found': found}, pickle)
        return found

    module_common.recursive_finder = kept_payload


# ---------------------------------------------------------------- yaml-cache


def _kept_reading(folder, read, data):
    """What ``read()`` gives for the YAML ``data`` (bytes), kept by those bytes and ansible-core's release and place."""
    import pickle  # pylint: disable=import-outside-toplevel

    import ansible  # pylint: disable=import-outside-toplevel  # imported already: the caller is ansible-core's

    try:
        import ansible.release  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-test units' module_utils run: an ansible package without its release; not kept
        return read()
    path = _entry_path(folder, _sha256(_FORMAT, ansible.release.__version__, os.path.dirname(ansible.__file__), data))
    reading = _read(path, pickle)
    if isinstance(reading, dict):
        return reading
    reading = read()
    _keep(path, reading, pickle)
    return reading


def _keep_routing(folder, collection_finder):
    read_routing = collection_finder._meta_yml_to_dict  # pylint: disable=protected-access
    if read_routing is None:  # a collection loader without YAML (ansible-test's import sanity test): nothing is kept
        return

    def kept_routing(yaml_string_data, content_id):
        data = yaml_string_data.encode('utf-8') if isinstance(yaml_string_data, str) else bytes(yaml_string_data)
        return _kept_reading(folder, lambda: read_routing(yaml_string_data, content_id), data)

    collection_finder._meta_yml_to_dict = kept_routing  # pylint: disable=protected-access


def _keep_config_definitions(folder, config_manager):
    manager = config_manager.ConfigManager
    read_definitions = manager._read_config_yaml_file  # pylint: disable=protected-access

    def kept_definitions(self, yml_file):
        try:
            with open(yml_file, 'rb') as stream:
                data = stream.read()
        except (OSError, TypeError):  # a missing file: ansible-core's own error
            return read_definitions(self, yml_file)
        return _kept_reading(folder, lambda: read_definitions(self, yml_file), data)

    manager._read_config_yaml_file = kept_definitions  # pylint: disable=protected-access


# ---------------------------------------------------------------- patching ansible-core as it is imported


class _PatchOnImport:
    """Finds nothing itself: wraps the loader of each module named in ``patches`` so that, once the module has run,
    its patch runs on it."""

    def __init__(self, patches):
        self.patches = dict(patches)

    def find_spec(self, fullname, path=None, target=None):
        patch = self.patches.pop(fullname, None)  # once: the import system is iterating over sys.meta_path
        if patch is None:
            return None
        from importlib.machinery import PathFinder  # pylint: disable=import-outside-toplevel

        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def _install():
    zip_bytecode = _folder('SNAPCOPY_ZIP_BYTECODE', 'zip-bytecode')
    if zip_bytecode:
        _keep_zip_bytecode(zip_bytecode)
    patches = {}
    payloads = _folder('SNAPCOPY_PAYLOAD_CACHE', 'payload-cache')
    if payloads:
        patches['ansible.executor.module_common'] = lambda module: _keep_payloads(payloads, module)
    readings = _folder('SNAPCOPY_YAML_CACHE', 'yaml-cache')
    if readings:
        patches['ansible.utils.collection_loader._collection_finder'] = lambda module: _keep_routing(readings, module)
        patches['ansible.config.manager'] = lambda module: _keep_config_definitions(readings, module)
    if patches:
        sys.meta_path.insert(0, _PatchOnImport(patches))


_install()
