"""The module_utils of each AnsiballZ payload, found once for all the test runs of a venv (make test's venvs only).

Before a module runs, ansible-core builds its payload in the controller: it parses the module and every module_utils
file it reaches for their imports (module_common.recursive_finder) and zips them. Nearly all of the build is that
search: 0.85 to 1.2 CPU s for dr_sync (175 files), 0.25 to 0.3 for a copy module, 0.18 to 0.25 for
ansible.builtin.command. ansible-core keeps the result only for the one ansible or ansible-playbook process (in its
own local tmp folder), and make test starts some hundreds of them on the same sources.

A .pth file of the venv imports this at every start of its Python. When ansible.executor.module_common is imported,
its recursive_finder is wrapped: the files it put into the zip (name and bytes) and what it returned are kept in
<venv>/payload-cache, keyed by ansible-core's release and place, the module's name and source, the module_utils
folders searched, the module's own collection folder, and the zip's compression. An entry also holds a digest of
every file of the folders the payload's files came from (that collection's plugins/module_utils, any other
module_utils folder searched), and is used only when those folders are as they were: the next build writes the same
files into its own zip, with its own date, and returns what the search returned. A payload that takes files from
anywhere else (another collection) is not kept. The payload's bytes are the same; only the search is not repeated.

SNAPCOPY_PAYLOAD_CACHE names another folder, or is "off": make bench turns it off, as it measures what a user's
module run costs.
"""

import os
import sys

_FOLDER = os.environ.get('SNAPCOPY_PAYLOAD_CACHE') or os.path.join(sys.prefix, 'payload-cache')
_PATCHED = 'ansible.executor.module_common'
# Part of every key: a change in what an entry holds makes the old entries unused.
_FORMAT = 'payload-cache-1'


class _PatchOnImport:
    """Finds nothing itself: wraps the loader of module_common so that the module is patched once it has run."""

    def __init__(self, patch):
        self.patch = patch
        self.done = False

    def find_spec(self, fullname, path=None, target=None):
        if self.done or fullname != _PATCHED:
            return None
        self.done = True  # not removed from sys.meta_path here: the import system is iterating over it
        from importlib.machinery import PathFinder  # pylint: disable=import-outside-toplevel

        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
            return spec
        run_module = spec.loader.exec_module
        patch = self.patch

        def exec_module(module):
            run_module(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def _digest(place):
    """A digest of the file ``place``, or of every file under the folder ``place`` (names and bytes); None if neither."""
    import hashlib  # pylint: disable=import-outside-toplevel

    digest = hashlib.sha256()
    if os.path.isfile(place):
        with open(place, 'rb') as stream:
            digest.update(stream.read())
        return digest.hexdigest()
    folder = place
    if not os.path.isdir(folder):
        return None
    for here, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if name != '__pycache__')
        for name in sorted(names):
            path = os.path.join(here, name)
            digest.update(os.path.relpath(path, folder).encode('utf-8', 'surrogateescape') + b'\0')
            with open(path, 'rb') as stream:
                digest.update(stream.read())
            digest.update(b'\0')
    return digest.hexdigest()


def _sources(files, folders, module_fqn, own_collection):
    """The digests an entry is used under: of ``folders``, and of each file of the zip that comes from the module's
    collection outside its module_utils (a package's __init__.py, or None where ansible-core made it up). None when a
    file comes from anywhere else: such a payload is not kept."""
    sources = {folder: _digest(folder) for folder in folders}
    own_prefix = '/'.join(module_fqn.split('.')[:3]) + '/'
    for filename, dummy in files:
        if filename.startswith('ansible/') or (
            own_collection and filename.startswith(own_prefix + 'plugins/module_utils/')
        ):
            continue  # ansible-core's (in the key) or a folder above; custom module_utils folders are among them
        # the collection's own files, and the __init__.py of the packages above it
        from_own = filename.startswith(own_prefix) or own_prefix.startswith(filename.rsplit('/', 1)[0] + '/')
        if not own_collection or not from_own:
            return None
        collections_root = os.path.dirname(os.path.dirname(os.path.dirname(own_collection)))
        place = os.path.join(collections_root, *filename.split('/'))
        sources[place] = _digest(place)
    return sources


def _patch(module_common):
    import hashlib  # pylint: disable=import-outside-toplevel
    import pickle  # pylint: disable=import-outside-toplevel

    find_module_utils = module_common.recursive_finder
    ansible_place = os.path.dirname(os.path.dirname(os.path.abspath(module_common.__file__)))
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
        if getattr(extensions, 'debugger_enabled', False):  # the build also fills the debugger's source map
            return find_module_utils(*args, **kwargs)
        searched = [
            path
            for path in module_common.module_utils_loader._get_paths(subdirs=False)  # pylint: disable=protected-access
            if os.path.isdir(path)
        ]
        own_collection = collection_folder(module_fqn)
        key = hashlib.sha256(
            repr(
                (
                    _FORMAT,
                    release,
                    ansible_place,
                    name,
                    module_fqn,
                    own_collection,
                    searched,
                    tuple(getattr(extensions, 'module_names', None) or ()),
                    zipped.compression,
                )
            ).encode('utf-8', 'surrogateescape')
            + bytes(module_data)
        ).hexdigest()
        entry_path = os.path.join(_FOLDER, key[:2], key)
        # Where the payload's files may come from, besides ansible-core's own (part of the key): the module_utils
        # folders searched, and the collection's. An entry adds the other files of the collection it holds.
        folders = [
            path
            for path in searched
            if os.path.realpath(path) != os.path.realpath(os.path.join(ansible_place, 'ansible', 'module_utils'))
        ]
        if own_collection:
            folders.append(os.path.join(own_collection, 'plugins', 'module_utils'))
        try:
            with open(entry_path, 'rb') as stream:
                entry = pickle.load(stream)
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
            entry = None
        if entry is not None and all(_digest(place) == digest for place, digest in entry['sources'].items()):
            for filename, data in entry['files']:
                zipped.writestr(module_common._make_zinfo(filename, date_time, zf=zipped), data)  # pylint: disable=protected-access
            return entry['found']

        files = []
        write = zipped.writestr

        def write_and_keep(zinfo_or_arcname, data, *more, **options):
            write(zinfo_or_arcname, data, *more, **options)
            files.append(
                (
                    getattr(zinfo_or_arcname, 'filename', zinfo_or_arcname),
                    data.encode('utf-8') if isinstance(data, str) else bytes(data),
                )
            )

        zipped.writestr = write_and_keep
        try:
            found = find_module_utils(*args, **kwargs)
        finally:
            del zipped.writestr
        sources = _sources(files, folders, module_fqn, own_collection)
        if sources is not None:
            try:
                entry = {'sources': sources, 'files': files, 'found': found}
                os.makedirs(os.path.dirname(entry_path), exist_ok=True)
                temporary = '%s.%d' % (entry_path, os.getpid())
                with open(temporary, 'wb') as stream:
                    pickle.dump(entry, stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, entry_path)
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                pass
        return found

    module_common.recursive_finder = kept_payload


if _FOLDER != 'off':
    sys.meta_path.insert(0, _PatchOnImport(_patch))
