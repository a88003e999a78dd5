"""Helpers of the docs tests: where things are, running a module the way AWX runs a job, and a DR run in this process
for a test's set-up."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import DR_ARGUMENT_SPEC, run_dr_module
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
DOCS = os.path.join(REPO, 'docs')
COLLECTIONS = os.path.join(REPO, 'build', 'collections')


def ansible_bin(name):
    """An Ansible command of the Python that runs the tests (its venv), else the one on PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else shutil.which(name)


def on_localhost(command, *arguments):
    """The Ansible ``command`` (ansible, ansible-playbook) with ``arguments``, on localhost over the local connection with
    the Python that runs the tests: no interpreter discovery."""
    return [
        ansible_bin(command),
        *arguments,
        '-i',
        'localhost,',
        '-c',
        'local',
        '-e',
        'ansible_python_interpreter=%s' % sys.executable,
    ]


def clean_environment(home, **extra):
    """An environment with no cloud credentials, proxies or Ansible settings of the caller's:
    only what a job in AWX would have before its credentials are injected."""
    env = {
        'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '/usr/bin:/bin'),
        'HOME': str(home),
        'LANG': 'C.UTF-8',
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
        'ANSIBLE_LOCAL_TEMP': os.path.join(str(home), '.ansible', 'tmp'),
        'ANSIBLE_NOCOLOR': '1',
        # No AWS configuration files and no instance metadata: boto3 sees only what we give it.
        'AWS_CONFIG_FILE': os.path.join(str(home), 'no-aws-config'),
        'AWS_SHARED_CREDENTIALS_FILE': os.path.join(str(home), 'no-aws-credentials'),
        'AWS_EC2_METADATA_DISABLED': 'true',
    }
    env.update(extra)
    return env


def run_module(module, args, env, check=False, timeout=120, output=None):
    """``ansible localhost -m snapcopy.cloud.<module>`` with ``args`` (a dict) and exactly ``env``;
    answers the module's result as a dict. With ``output`` (a list), at -vvvv, whose whole output it gets."""
    command = on_localhost('ansible', 'localhost', '-m', 'snapcopy.cloud.%s' % module, '-a', json.dumps(args))
    if check:
        command.append('--check')
    if output is not None:
        command.append('-vvvv')
    # The minimal callback prints "localhost | STATUS => {the result as JSON}".
    env = dict(env, ANSIBLE_LOAD_CALLBACK_PLUGINS='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.minimal')
    done = subprocess.run(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout, check=False
    )
    if output is not None:
        output.append(done.stdout + done.stderr)
    try:
        # At -vvvv the connection's lines come first.
        status, result = done.stdout[re.search(r'^localhost \| ', done.stdout, re.M).start() :].split(' => ', 1)
        result = json.loads(result)
    except (ValueError, AttributeError):
        raise AssertionError(
            'ansible gave no result (exit %s)\nstdout: %s\nstderr: %s'
            % (done.returncode, done.stdout[-3000:], done.stderr[-3000:])
        ) from None
    # The callback leaves "failed" out of the result; the status word says it.
    result['failed'] = status.rsplit('|', 1)[-1].strip().startswith(('FAILED', 'UNREACHABLE'))
    return result


def run_module_tasks(calls, env, home, check=False, timeout=300):
    """Each of ``calls`` (``(module, args, task_env)``: a snapcopy.cloud module, its arguments as a dict, the variables
    a credential type injects) a task of one ``ansible-playbook`` run with ``env`` (``--check`` with ``check``); answers
    each task's result, in order.
    One run for many cases, where ``run_module`` would start Ansible once a case (about 0.7 CPU s a start): each module
    still runs in a process of its own whose environment is ``env`` and the task's variables (the task's
    ``environment``), which is what it reads its credentials from, as in an AWX job's."""
    results = os.path.join(str(home), 'results.json')
    if os.path.exists(results):
        os.remove(results)
    tasks = [
        {
            'name': 'case %d' % index,
            'snapcopy.cloud.%s' % module: args,
            'environment': task_env,
            'register': 'case_%d' % index,
            'ignore_errors': True,
        }
        for index, (module, args, task_env) in enumerate(calls)
    ]
    tasks.append(
        {
            'name': 'The results',
            'check_mode': False,  # written under --check too
            'ansible.builtin.copy': {
                'content': '{{ [%s] | to_json }}' % ', '.join('case_%d' % index for index in range(len(calls))),
                'dest': results,
            },
        }
    )
    playbook = os.path.join(str(home), 'cases.yml')
    with open(playbook, 'w', encoding='utf-8') as stream:
        json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], stream)
    command = on_localhost('ansible-playbook', playbook)
    if check:
        command.append('--check')
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0 and os.path.exists(results), (done.stdout + done.stderr)[-4000:]
    with open(results, encoding='utf-8') as stream:
        return json.load(stream)


def dr_sync_in_process(check_mode=False, **params):
    """The result of dr_sync's module (its defaults, then ``params``) run in this process: what a test sets up with,
    where an ``ansible-playbook`` run would only add seconds of CPU (a busy machine makes them minutes) and prove
    nothing more."""
    params = dict({option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}, **params)
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(FakeModule(params, check_mode=check_mode))
    return ended.value.result


# ------------------------------------------------------ the pages' commands (test_page_commands.py, test_quickstart.py)
Command = collections.namedtuple('Command', 'page text claim')


def block_commands(page, body):
    """The commands of a ``sh`` block: a line each, with its continuation lines and its here-document; the comment
    after it is what the page says it does."""
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        while line.endswith('\\') and index < len(lines):
            line = line[:-1].rstrip() + ' ' + lines[index].strip()
            index += 1
        here = re.search(r"<<'?(\w+)'?", line)
        if here:
            end = lines.index(here.group(1), index)
            line, index = '\n'.join([line] + lines[index : end + 1]), end + 1
        command, dummy, claim = line.partition('  #')
        yield Command(page, command.strip(), claim.strip(' #'))


def shell(commands, cwd, env, substitutions=None):
    """``commands`` (a list of the pages' commands) run by bash one after another in one shell, each with the reader's
    ``substitutions`` ({what the page prints: what the reader puts}); the output of each, in order."""
    outputs = []
    setup = []
    for command in commands:
        text = command.text
        for placeholder, value in (substitutions or {}).items():
            text = text.replace(placeholder, value)
        if text.startswith(('export ', '. ')):
            setup.append(text)
            continue
        done = subprocess.run(
            ['bash', '-c', '\n'.join(['set -e'] + setup + [text])],
            cwd=str(cwd),
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, '%s: %s\n%s' % (command.page, text, (done.stdout + done.stderr)[-4000:])
        outputs.append(done.stdout)
    return outputs


def recap_changed(output):
    (changed,) = re.findall(r'^localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0', output, re.M)
    return int(changed)
