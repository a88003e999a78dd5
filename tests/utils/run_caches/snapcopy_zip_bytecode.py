"""Compiled code for the zipped modules of the test runs, kept as Python keeps a file's (make test's venvs only).

Every module run of Ansible is a zip (AnsiballZ) that Python imports with zipimport, which keeps no bytecode: each
run compiles ansible.module_utils.basic and the collection's module_utils from source again, about a quarter of a
module run's CPU time (0.53 s, of which 0.12 s is compiling). make test runs some thousand modules with the same
sources. A .pth file of the venv imports this at every start of its Python; it keeps each compiled source in
<venv>/zip-bytecode, keyed by the Python, the path in the zip and the source's SHA-256, and gives it to the next run
with the run's own file names. The code that runs is the same; only the compiling is not repeated.

SNAPCOPY_ZIP_BYTECODE names another folder, or is "off": make bench turns it off, as it measures what a user's
module run costs.
"""

import os
import sys

_FOLDER = os.environ.get('SNAPCOPY_ZIP_BYTECODE') or os.path.join(sys.prefix, 'zip-bytecode')


def _install(folder):
    # Both are loaded at every start already (zipimport is one of Python's path hooks); hashlib only when compiling.
    import marshal  # pylint: disable=import-outside-toplevel
    import zipimport  # pylint: disable=import-outside-toplevel

    if not hasattr(zipimport, '_compile_source'):  # a Python whose zipimport compiles elsewhere: nothing is cached
        return
    compile_source = zipimport._compile_source  # pylint: disable=protected-access  # the one place zipimport compiles
    tag = sys.implementation.cache_tag

    def relocate(code, filename):
        """``code`` with ``filename`` as its file, in it and in every function it holds (tracebacks, warnings)."""
        consts = tuple(
            relocate(const, filename) if isinstance(const, type(code)) else const for const in code.co_consts
        )
        return code.replace(co_filename=filename, co_consts=consts)

    def cached_compile(pathname, source):
        import hashlib  # pylint: disable=import-outside-toplevel  # only in a process that imports from a zip

        inside = pathname.split('.zip' + os.sep, 1)[-1]
        key = hashlib.sha256(('%s\0%s\0' % (tag, inside)).encode() + bytes(source)).hexdigest()
        path = os.path.join(folder, key[:2], key)
        try:
            with open(path, 'rb') as stream:
                return relocate(marshal.load(stream), pathname)
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = compile_source(pathname, source)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = '%s.%d' % (path, os.getpid())
            with open(temporary, 'wb') as stream:
                marshal.dump(code, stream)
            os.replace(temporary, path)
        except OSError:
            pass
        return code

    zipimport._compile_source = cached_compile  # pylint: disable=protected-access


if _FOLDER != 'off':
    _install(_FOLDER)
