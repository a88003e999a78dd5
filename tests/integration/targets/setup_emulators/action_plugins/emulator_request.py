"""emulator_request: one HTTP request to an emulator's test pages (fakecloud's /_admin/, moto's /moto-api/ and
/snapcopy-test/), made on the controller.

The targets read and set the emulators' state about 140 times a leg. ansible.builtin.uri does it in a module process
of its own (about 0.35 CPU s each, with its AnsiballZ start); this action does it in the task's worker. It speaks
with the standard library's urllib: ansible.module_utils.urls' import alone costs a worker about 0.075 CPU s (each
task's worker imports it again), urllib.request's 0.005 (the emulators speak plain HTTP on the loopback).
The emulators run beside the controller (tests/utils/with_emulators.py), so where the request is made changes nothing.

Options, as uri's: url; method (GET); body (sent as JSON when given); status_code (200, or a list). Returns status,
content and json (the answer decoded, when it is JSON), and fails as uri does when the status is not an expected one.
Every role that depends on setup_emulators has it (a role's action_plugins/); the playbook targets set
ANSIBLE_ACTION_PLUGINS to this folder.
"""

from __future__ import annotations

import contextlib
import json
from urllib.error import HTTPError
from urllib.request import ProxyHandler, Request, build_opener

from ansible.plugins.action import ActionBase

ARGUMENTS = {
    'url': {'type': 'str', 'required': True},
    'method': {'type': 'str', 'default': 'GET'},
    'body': {'type': 'raw'},
    'status_code': {'type': 'list', 'elements': 'int', 'default': [200]},
    'timeout': {'type': 'int', 'default': 60},
}


class ActionModule(ActionBase):
    """The request, on the controller; the answer in uri's shape (status, content, json)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self.validate_argument_spec(argument_spec=ARGUMENTS)[1]
        data = None
        headers = {}
        if args['body'] is not None:
            data = json.dumps(args['body']).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        request = Request(args['url'], data=data, headers=headers, method=args['method'])
        # No proxy: the emulators are on the loopback, whatever the environment's *_proxy say.
        opener = build_opener(ProxyHandler({}))
        try:
            answer = opener.open(request, timeout=args['timeout'])
            status = answer.status
        except HTTPError as error:
            answer = error
            status = error.code
        content = answer.read().decode('utf-8')
        result.update(changed=False, status=status, url=args['url'], content=content)
        # moto's /moto-api/ answers HTML: no json then, as uri.
        with contextlib.suppress(ValueError):
            result['json'] = json.loads(content)
        if status not in args['status_code']:
            result.update(failed=True, msg=f'Status code was {status} and not {args["status_code"]}: {content[:500]}')
        return result
