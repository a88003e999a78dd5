"""Run a command with every core kept busy, a number of times: does a test suite stay green on a loaded machine?

    python tests/utils/under_load.py [--hogs N] [--rounds R] [--label NAME] -- COMMAND...

Starts N processes (default: one per core) that each spin on a core at the normal priority, as the other jobs of a
busy CI machine do, then runs COMMAND R times (default 1), one after another, and says how each round ended, how
long it took and the machine's load average at its end. Exits with the first failing round's code, 0 if every round
passed. The tests that rely on threads meeting or on time passing, and the legs that start playbooks, must be green
here every time (docs/architecture.md, "Tests on a busy machine"; make units-under-load, make under-load).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time


def spin():
    """Keep one core busy until killed."""
    while True:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--hogs', type=int, default=os.cpu_count() or 1, help='busy processes (default: one per core)')
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--label', default='', help='what COMMAND is, in the line each round prints (a leg of make)')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('name the command to run, after --')
    hogs = [multiprocessing.Process(target=spin, daemon=True) for dummy in range(args.hogs)]
    for hog in hogs:
        hog.start()
    failed = 0
    try:
        for round_number in range(1, args.rounds + 1):
            started = time.monotonic()
            code = subprocess.call(command)
            print(
                '== under load (%d busy processes): %sround %d of %d %s in %.0f s (load average %.1f)'
                % (
                    args.hogs,
                    args.label + ', ' if args.label else '',
                    round_number,
                    args.rounds,
                    'passed' if code == 0 else 'FAILED (exit %d)' % code,
                    time.monotonic() - started,
                    os.getloadavg()[0],
                ),
                flush=True,
            )
            failed = failed or code
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.join()  # reaped: their CPU counts in the leg's CPU seconds
    return failed


if __name__ == '__main__':
    sys.exit(main())
