"""Each host's outcome in a play of tests/chaos, written as JSON to $SNAPCOPY_CHAOS_OUTCOMES when the playbook ends.

Enabled only where a chaos playbook asks for it (ANSIBLE_CALLBACKS_ENABLED=chaos_outcomes). For each host:
``{'failed': true, 'result': <the task's result>}`` for the failure a block's rescue caught (what the rescue reads as
``ansible_failed_result``), ``{'failed': true, 'result': ...}`` too for a failure nothing caught, and
``{'failed': false}`` for a host whose tasks ran without failing. It replaces a ``set_fact`` per host in the rescue:
each of those was one more worker process per case (tests/chaos/corpus.yml).

A task registered under a name that starts with ``chaos_`` has its result kept too, under ``'registered'`` and that
name (the last that ran; a skipped task's is not kept): what the suite reads of a play's results
(tests/chaos/archive.yml, tls.yml), where writing them to a file took a task, a worker and two module runs a host.
"""

from __future__ import annotations

# pylint: disable=protected-access  # a callback reads a result through _host, _task and _result, as ansible-core's own do

import json
import os

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: chaos_outcomes
type: aggregate
short_description: each host's outcome, for the chaos suite
description: Writes each host's outcome as JSON to the file named by SNAPCOPY_CHAOS_OUTCOMES.
requirements: [enabled in ANSIBLE_CALLBACKS_ENABLED]
'''


def caught_inside(task, outer):
    """Whether a rescue nearer than ``outer`` (a block named so) catches a failure of ``task``: then it is not the
    host's outcome (the role's own rescue, around its drill checks, goes on after it)."""
    parent = getattr(task, '_parent', None)
    while parent is not None:
        if getattr(parent, 'rescue', None):
            return getattr(parent, 'name', None) != outer
        parent = getattr(parent, '_parent', None)
    return False


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'chaos_outcomes'
    CALLBACK_NEEDS_ENABLED = True
    # The block whose rescue records a host's failure (tests/chaos/corpus.yml).
    OUTER_BLOCK = 'Run the case'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    # The prefix of the registered names whose results are kept.
    KEPT = 'chaos_'

    def keep(self, result):
        name = result._task.register
        if name and name.startswith(self.KEPT):
            self.outcomes[result._host.get_name()].setdefault('registered', {})[name] = result._result

    def v2_runner_on_ok(self, result):
        self.outcomes.setdefault(result._host.get_name(), {'failed': False})
        self.keep(result)

    def v2_runner_on_skipped(self, result):
        self.outcomes.setdefault(result._host.get_name(), {'failed': False})

    def v2_runner_on_unreachable(self, result):
        self.outcomes[result._host.get_name()] = {'failed': False, 'unreachable': True}

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors or caught_inside(result._task, self.OUTER_BLOCK):
            self.outcomes.setdefault(result._host.get_name(), {'failed': False})
            self.keep(result)
            return
        outcome = self.outcomes.setdefault(result._host.get_name(), {})
        if not outcome.get('failed'):
            # The host's first failure is its outcome; what it registered before stays.
            kept = {'registered': outcome['registered']} if 'registered' in outcome else {}
            outcome.clear()
            outcome.update(failed=True, result=result._result, **kept)
        self.keep(result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['SNAPCOPY_CHAOS_OUTCOMES'], 'w', encoding='utf-8') as stream:
            json.dump(self.outcomes, stream, cls=AnsibleJSONEncoder)
