"""A local HTTP server for the tests that need a peer answering what no emulator answers (a refusing STS, a
proxy's page, scripted answers, a recording endpoint): one place that starts it on a free loopback port and
always stops it, and the request handler those peers build on."""
from __future__ import annotations

import contextlib
import http.server
import threading


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that keeps http.server's request log off the test output, and answers in one call."""

    def answer(self, status, content_type, body):
        """Send ``body`` (bytes) with ``status`` and ``content_type``."""
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin  # http.server's signature
        pass


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
