"""Run make test's legs in lanes side by side: each lane takes the next leg of the list when it is free.

Why: most legs wait far more than they compute (on emulators' copy times, on subprocesses,
on pip), so on CI's two CPUs a few lanes take little more than the longest leg alone. The legs
are given longest first, and a lane that is free takes the next one, so the lanes end about
together whatever each leg takes on the day (a fixed split into lanes left one lane idle). Each
leg's output goes to a log file of its own, so that lanes do not interleave; a leg that fails
has its log's end printed at once and in full at the end, and the run fails. The other legs
still run: one failure does not hide the next.

Each leg is `make LEG` with MAKE_FLAGS (make test passes -o for the set-up it did first, so
that no lane redoes it under another's feet) and ANSIBLE_TEST_ROOT set to a folder of the
leg's own, for the legs that run ansible-test in a staged copy. With --setup TARGET, `make TARGET`
runs first, alone, its output on the console; the legs run only if it passed.

Each leg's time is its wall time and its CPU time: user and system seconds of the leg's whole tree
of processes (os.wait4 on its make, which waits for all it starts). At the end, a table gives both
for the set-up and every leg, the most CPU first, and their sums: on CI's two CPUs, the legs cannot
take less wall time than half their CPU time, so the CPU column is where time is won.

Usage: python tests/utils/run_legs.py --log-dir DIR [--lanes N] [--make-flags FLAGS] [--setup TARGET] LEG LEG ...
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time

TAIL_LINES = 150


class Leg:
    def __init__(self, name):
        self.name = name
        self.lane = None
        self.log = None
        self.returncode = None
        self.wall = 0.0
        self.cpu = 0.0


def run_leg(leg, args, print_lock, running):
    make = os.environ.get('MAKE', 'make')
    command = [
        make,
        '--no-print-directory',
        *shlex.split(args.make_flags),
        leg.name,
        'ANSIBLE_TEST_ROOT=%s' % os.path.join(args.build, 'ansible-test-' + leg.name),
    ]
    leg.log = os.path.join(args.log_dir, leg.name + '.log')
    start = time.monotonic()
    with open(leg.log, 'wb') as log:
        log.write(('$ %s\n' % ' '.join(command)).encode())
        log.flush()
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        running[leg.name] = process
        # wait4 gives the CPU time of the leg's whole tree: make and everything it waited for.
        status, usage = os.wait4(process.pid, 0)[1:]
        del running[leg.name]
    leg.wall = time.monotonic() - start
    leg.cpu = usage.ru_utime + usage.ru_stime
    leg.returncode = os.waitstatus_to_exitcode(status)
    with print_lock:
        print(
            '== %s took %d s (CPU %d s, lane %d)%s'
            % (
                leg.name,
                leg.wall,
                leg.cpu,
                leg.lane,
                '' if leg.returncode == 0 else ': FAILED, exit code %d' % leg.returncode,
            ),
            flush=True,
        )
        if leg.returncode != 0:
            print_tail(leg)


def run_setup(leg):
    """``make`` of the set-up target ``leg`` in the foreground, its output on the console, timed as a leg is."""
    make = os.environ.get('MAKE', 'make')
    start = time.monotonic()
    process = subprocess.Popen([make, '--no-print-directory', leg.name], stdin=subprocess.DEVNULL)
    status, usage = os.wait4(process.pid, 0)[1:]
    leg.wall = time.monotonic() - start
    leg.cpu = usage.ru_utime + usage.ru_stime
    leg.returncode = os.waitstatus_to_exitcode(status)
    failed = '' if leg.returncode == 0 else ': FAILED, exit code %d' % leg.returncode
    print('== %s took %d s (CPU %d s)%s' % (leg.name, leg.wall, leg.cpu, failed), flush=True)


def print_table(setup, legs, wall):
    """Each leg's wall and CPU seconds, the most CPU first, after the set-up; then the sums."""
    print('== wall and CPU seconds (CPU: user + system of the leg\'s processes), the most CPU first:')
    print('   %-22s %5s %8s %8s' % ('leg', 'lane', 'wall s', 'CPU s'))
    for leg in ([setup] if setup else []) + sorted(legs, key=lambda leg: -leg.cpu):
        print(
            '   %-22s %5s %8d %8d%s'
            % (leg.name, leg.lane or '-', leg.wall, leg.cpu, '' if leg.returncode == 0 else '  FAILED')
        )
    cpu = sum(leg.cpu for leg in legs) + (setup.cpu if setup else 0)
    print('   %-22s %5s %8d %8d  (half the CPU: %d s)' % ('all', '', wall, cpu, cpu / 2), flush=True)


def print_tail(leg, lines=TAIL_LINES):
    """The last ``lines`` lines of the leg's log, or all of it with ``lines=None``."""
    with open(leg.log, 'rb') as log:
        text = log.read().decode('utf-8', 'replace').splitlines()
    shown = text if lines is None else text[-lines:]
    print(
        '---- %s: %s of %d lines of %s'
        % (leg.name, 'all' if lines is None else 'the last %d' % len(shown), len(text), leg.log)
    )
    print('\n'.join(shown))
    print('---- end of %s' % leg.name, flush=True)


def run_lane(number, waiting, args, print_lock, running):
    """Lane ``number``: the next leg of ``waiting`` until none is left."""
    while True:
        try:
            leg = waiting.get_nowait()
        except queue.Empty:
            return
        leg.lane = number
        run_leg(leg, args, print_lock, running)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--log-dir', required=True)
    parser.add_argument('--build', default='build', help='where the legs\' ansible-test folders go')
    parser.add_argument('--make-flags', default='')
    parser.add_argument('--lanes', type=int, default=2, help='how many legs run at once')
    parser.add_argument('--setup', help='a make target to run first, alone (the legs run only if it passes)')
    parser.add_argument('legs', nargs='+', help='the legs, longest first (a leg may also be several, space-separated)')
    args = parser.parse_args(argv)
    args.build = os.path.abspath(args.build)
    os.makedirs(args.log_dir, exist_ok=True)

    start = time.monotonic()
    setup = None
    if args.setup:
        setup = Leg(args.setup)
        run_setup(setup)
        if setup.returncode != 0:
            return 1
    legs = [Leg(name) for item in args.legs for name in item.split()]
    waiting = queue.Queue()
    for leg in legs:
        waiting.put(leg)
    print(
        '== %d lanes side by side, each taking the next of: %s' % (args.lanes, ' '.join(leg.name for leg in legs)),
        flush=True,
    )
    print_lock = threading.Lock()
    running = {}
    threads = [
        threading.Thread(target=run_lane, args=(number, waiting, args, print_lock, running), daemon=True)
        for number in range(1, args.lanes + 1)
    ]
    legs_start = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except KeyboardInterrupt:
        for process in list(running.values()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        raise

    failed = [leg for leg in legs if leg.returncode != 0]
    for leg in failed:
        print_tail(leg, lines=None)
    print_table(setup, legs, time.monotonic() - start)
    print(
        '== %d legs in %d lanes took %d s (CPU %d s)%s'
        % (
            len(legs),
            args.lanes,
            time.monotonic() - legs_start,
            sum(leg.cpu for leg in legs),
            ': FAILED: %s' % ' '.join(leg.name for leg in failed) if failed else '',
        ),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
