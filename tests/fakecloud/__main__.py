"""Command line: ``python -m fakecloud --port N [--config FILE] [--exit-with-parent]``; prints FAKECLOUD_READY <url>
when up."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from .config import load_file
from .seeding import apply_seed
from .server import FakeCloudServer
from .state import Store


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog='fakecloud', description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
    parser.add_argument('--config', help='YAML/JSON file: credentials, timings, quotas, regions, faults, seed')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    parser.add_argument(
        '--exit-with-parent',
        action='store_true',
        help='end when the process that started this one is gone (a test process that ends without its teardown)',
    )
    args = parser.parse_args(argv)

    settings = load_file(args.config) if args.config else {}
    store = Store(settings)
    if settings.get('seed'):
        apply_seed(store, settings['seed'])
    server = FakeCloudServer((args.host, args.port), store, settings, args.verbose)
    # A plain SIGTERM should end the process cleanly (and quickly) rather than with a traceback.
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    if args.exit_with_parent:
        threading.Thread(target=_exit_with_parent, args=(os.getppid(), server), daemon=True).start()
    print('FAKECLOUD_READY http://%s:%d' % (args.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


def _exit_with_parent(parent: int, server) -> None:
    """Stop serving once ``parent`` is gone (this process is then handed to another parent)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    server.shutdown()


if __name__ == '__main__':
    sys.exit(main())
