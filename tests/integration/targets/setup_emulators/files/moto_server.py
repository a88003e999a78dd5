"""moto's server, as `moto_server` runs it, with what moto lacks of EBS (ebs_vault.py: snapshot locks, copies of a
snapshot another account shared, AttachVolume's refusals; ebs_direct.py outside it: the EBS direct read APIs, each
snapshot's block data, and attached volumes as files with SNAPCOPY_DEVICE_DIR set), Organizations' accounts without the
retired Status (organizations_state.py) and one read-only addition for the tests: the STS sessions.

GET /snapcopy-test/sts-sessions answers, as JSON, every session moto's STS handed out (role ARN,
session name, external id, access key id, secret and token). The tests that prove that no temporary
secret shows in any output need those secrets; /moto-api/data.json has them too, but serialises every
resource moto holds to get there, which took 15 CPU seconds (and grew with each test before it).

tests/utils/with_emulators.py starts moto with this, and so does every suite that starts emulators of
its own; it lives here so that the integration targets that start a moto of their own have it too.

Usage: python tests/integration/targets/setup_emulators/files/moto_server.py [-H HOST] [-p PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from ebs_direct import with_ebs_direct  # beside this file, which is run as a script
from ebs_dlm import with_ebs_dlm  # beside this file, which is run as a script
from ebs_vault import with_ebs_vault  # beside this file, which is run as a script
from organizations_state import with_organizations_state  # beside this file, which is run as a script
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.sts.models import sts_backends
from werkzeug.serving import run_simple

SESSIONS_PATH = '/snapcopy-test/sts-sessions'
SESSION_FIELDS = ('role_arn', 'session_name', 'external_id', 'access_key_id', 'secret_access_key', 'session_token')


def sts_sessions():
    """Every session of every account's STS, oldest first within an account."""
    return [
        {field: getattr(role, field, None) for field in SESSION_FIELDS}
        for partitions in list(sts_backends.values())
        for backend in list(partitions.values())
        for role in list(backend.assumed_roles)
    ]


def with_sessions(app):
    def serve(environ, start_response):
        if environ.get('PATH_INFO') == SESSIONS_PATH and environ.get('REQUEST_METHOD') == 'GET':
            body = json.dumps({'sessions': sts_sessions()}).encode()
            start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
            return [body]
        return app(environ, start_response)

    return serve


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-H', '--host', default='127.0.0.1')
    parser.add_argument('-p', '--port', type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault('MOTO_PORT', str(args.port))  # as moto_server does: moto builds some URLs from it
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        with_sessions(with_organizations_state(with_ebs_dlm(with_ebs_direct(with_ebs_vault(app))))),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == '__main__':
    main(sys.argv[1:])
