"""An interpreter wrapper for ansible_python_interpreter that records each module process's peak memory.

Ansible runs a module as ``INTERPRETER /path/AnsiballZ_<module>.py``. This runs the same Python
with the same arguments as a child, then appends one JSON line to $SNAPCOPY_BENCH_RSS_LOG:
the module's name, the child's peak resident memory (its max RSS, from getrusage) and its wall
time. Only that child is measured, never ansible-playbook itself. The bench points
ansible_python_interpreter at a two-line shell launcher of this file (bench.py writes it).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def module_name(argv):
    for argument in argv:
        base = os.path.basename(argument)
        if base.startswith('AnsiballZ_') and base.endswith('.py'):
            return base[len('AnsiballZ_') : -len('.py')]
    return '(other)'


def main(argv):
    start = time.monotonic()
    code = subprocess.call([sys.executable, *argv])
    seconds = time.monotonic() - start
    log = os.environ.get('SNAPCOPY_BENCH_RSS_LOG')
    if log:
        # ru_maxrss is in KiB on Linux: the largest of our children, and this is the only one.
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with open(log, 'a', encoding='utf-8') as handle:
            handle.write(
                json.dumps(
                    {
                        'module': module_name(argv),
                        'max_rss_kib': peak_kib,
                        'seconds': round(seconds, 3),
                        'exit_code': code,
                    }
                )
                + '\n'
            )
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
