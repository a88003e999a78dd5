"""A local HTTP server for the tests that need a peer answering what no emulator answers (a refusing STS, a
proxy's page, scripted answers, a recording endpoint): one place that starts it on a free loopback port and
always stops it, and the request handler those peers build on. Also a self-signed certificate, and a proxy that
carries requests for the clouds' own host names to an emulator (``tunnel_to``)."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import http.server
import ipaddress
import os
import ssl
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


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


def self_signed_certificate(folder):
    """A key and a certificate for 127.0.0.1 that no CA signed; answers (certificate file, key file)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = os.path.join(folder, 'cert.pem'), os.path.join(folder, 'key.pem')
    with open(cert_file, 'wb') as stream:
        stream.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_file, 'wb') as stream:
        stream.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
            )
        )
    return cert_file, key_file


class _Forward(QuietHandler):
    """Inside a tunnel: each request goes to the emulator as it came, its Host header (the cloud's name) kept."""

    protocol_version = 'HTTP/1.1'

    def _forward(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        upstream = http.client.HTTPConnection(*self.server.emulator, timeout=30)
        try:
            upstream.request(
                self.command,
                self.path,
                body,
                {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in ('connection', 'proxy-connection')
                },
            )
            answer = upstream.getresponse()
            payload = answer.read()
            self.server.hosts.append(self.headers.get('Host'))
            self.answer(answer.status, answer.getheader('Content-Type') or 'application/json', payload)
        finally:
            upstream.close()

    do_GET = do_POST = _forward


class _Tunnel(QuietHandler):
    """An HTTPS proxy's CONNECT: the tunnel is TLS with a self-signed certificate, ended here."""

    def do_CONNECT(self):  # pylint: disable=invalid-name  # http.server's name
        self.send_response(200, 'Connection established')
        self.end_headers()
        tls = self.server.context.wrap_socket(self.connection, server_side=True)
        try:
            _Forward(tls, self.client_address, self.server)
        finally:
            self.close_connection = True


@contextlib.contextmanager
def tunnel_to(emulator_url, folder):
    """An HTTPS proxy on a free loopback port that carries every tunnelled request to the emulator at
    ``emulator_url`` (http://HOST:PORT), Host header kept, so a client that calls a cloud's own endpoints
    (cbs.tencentcloudapi.com, ecs.cn-hangzhou.aliyuncs.com) reaches the emulator under those names. Its certificate
    is self-signed: clients must not verify it (validate_certs false). Yields (proxy URL, the Host of each request)."""
    host, port = emulator_url.split('//', 1)[1].rsplit(':', 1)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Tunnel)
    server.daemon_threads = True
    server.emulator, server.hosts = (host, int(port)), []
    server.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.context.load_cert_chain(*self_signed_certificate(folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1], server.hosts
    finally:
        server.shutdown()
        server.server_close()
