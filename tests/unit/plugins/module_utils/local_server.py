"""A local HTTP server for the tests that need a peer answering what no emulator answers (a refusing STS, a
proxy's page, scripted answers): one place that starts it on a free loopback port and always stops it."""
from __future__ import annotations

import contextlib
import http.server
import threading


@contextlib.contextmanager
def serving(handler):
    """``handler`` (an http.server request handler class) answering on a free loopback port; yields its URL."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
