"""Run a command with the local cloud emulators up: moto's server (AWS) and fakecloud (Alibaba, Tencent).

Each emulator listens on a free loopback port. Their addresses and test credentials go to the
command as environment variables (SNAPCOPY_TEST_*) and, with --config, as an Ansible vars
file (the integration_config.yml that ansible-test hands to every target). Whatever happens to
the command, the emulators this script started, and only those, are stopped afterwards, and the vars
file it wrote is removed with them.

Usage: python tests/utils/with_emulators.py [--config FILE] [--no-fakecloud] -- COMMAND ...
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
# A hang guard: each wait ends as soon as its emulator answers (a second or two alone), and a busy two-core machine
# makes that many times longer.
READY_TIMEOUT = 300
# moto's server, with a read-only answer of the sessions its STS handed out (see the file).
MOTO_SERVER = os.path.join(TESTS, 'integration', 'targets', 'setup_emulators', 'files', 'moto_server.py')

# moto accepts any credentials; these only need to look like AWS's.
AWS_ACCESS_KEY = 'AKIASNAPCOPYTEST0001'
AWS_SECRET_KEY = 'snapcopy-moto-secret-key-0001'


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_for_http(url, process, name):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit('with_emulators: %s exited with %s before it was ready' % (name, process.returncode))
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit('with_emulators: %s was not ready within %d s' % (name, READY_TIMEOUT))


def start_moto(log):
    port = free_port()
    env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS='false')
    process = subprocess.Popen(
        [sys.executable, MOTO_SERVER, '-H', '127.0.0.1', '-p', str(port)], env=env, stdout=log, stderr=log
    )
    url = 'http://127.0.0.1:%d' % port
    wait_for_http(url + '/moto-api/', process, 'moto server')
    return process, url


def start_fakecloud(log):
    env = dict(os.environ, PYTHONPATH=TESTS + os.pathsep + os.environ.get('PYTHONPATH', ''))
    process = subprocess.Popen(
        [sys.executable, '-m', 'fakecloud', '--port', '0'], env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise SystemExit('with_emulators: fakecloud exited with %s before it was ready' % process.wait())
        if line.startswith('FAKECLOUD_READY '):
            return process, line.split()[1]
    raise SystemExit('with_emulators: fakecloud was not ready within %d s' % READY_TIMEOUT)


def fakecloud_credentials():
    sys.path.insert(0, TESTS)
    from fakecloud import credentials  # pylint: disable=import-outside-toplevel

    return credentials


def stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', help='write the emulators\' addresses and credentials to this Ansible vars file')
    parser.add_argument('--no-fakecloud', action='store_true', help='start moto\'s server only')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given')

    # A TERM (CI cancelling, make interrupted) must still stop the emulators: make it an exit.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    # Ctrl-C reaches the whole process group: the command decides what it means (make emulators ends cleanly),
    # and its end stops the emulators here. A handler, not SIG_IGN: the command must not inherit the ignoring.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    os.makedirs(os.path.join(TESTS, 'output'), exist_ok=True)
    processes = []
    written = False
    with open(os.path.join(TESTS, 'output', 'emulators.log'), 'ab') as log:
        try:
            moto, aws_url = start_moto(log)
            processes.append(moto)
            config = {
                'aws_endpoint_url': aws_url,
                'aws_access_key': AWS_ACCESS_KEY,
                'aws_secret_key': AWS_SECRET_KEY,
            }
            if not args.no_fakecloud and os.path.exists(os.path.join(TESTS, 'fakecloud', '__main__.py')):
                fakecloud, fakecloud_url = start_fakecloud(log)
                processes.append(fakecloud)
                credentials = fakecloud_credentials()
                config.update(
                    {
                        'fakecloud_url': fakecloud_url,
                        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
                        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
                        'tencent_secret_id': credentials.TENCENT_SECRET_ID,
                        'tencent_secret_key': credentials.TENCENT_SECRET_KEY,
                    }
                )
            if args.config:
                os.makedirs(os.path.dirname(os.path.abspath(args.config)), exist_ok=True)
                with open(args.config, 'w', encoding='utf-8') as config_file:
                    json.dump(config, config_file, indent=2)  # JSON is YAML: Ansible reads it as a vars file
                written = True
            env = dict(os.environ, **{'SNAPCOPY_TEST_' + key.upper(): value for key, value in config.items()})
            return subprocess.call(command, env=env)
        finally:
            stop(processes)
            # Its addresses are dead once the emulators are: a playbook given the file would fail to connect, where
            # with none it fails saying the file is missing.
            if written:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(args.config)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
