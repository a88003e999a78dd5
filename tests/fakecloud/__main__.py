"""Command line: ``python -m fakecloud --port N [--config FILE]``; prints FAKECLOUD_READY <url> when up."""
from __future__ import annotations

import argparse
import signal
import sys

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
    args = parser.parse_args(argv)

    settings = load_file(args.config) if args.config else {}
    store = Store(settings)
    if settings.get('seed'):
        apply_seed(store, settings['seed'])
    server = FakeCloudServer((args.host, args.port), store, settings, args.verbose)
    # A plain SIGTERM should end the process cleanly (and quickly) rather than with a traceback.
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    print('FAKECLOUD_READY http://%s:%d' % (args.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
