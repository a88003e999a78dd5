"""make emulators: keep the local emulators up for your own playbooks, until Ctrl-C (docs/quickstart.md).

Run under tests/utils/with_emulators.py, which starts moto's server and fakecloud, writes their
addresses and keys to the vars file named here, and stops them when this ends. This prints how to
use them, then waits.

  python tests/utils/with_emulators.py --config build/emulators.json -- python tests/utils/emulators_up.py build/emulators.json
"""

from __future__ import annotations

import json
import os
import signal
import sys

READY = 'emulators up'


def environment_lines(emulators):
    """The emulators as a shell's environment (build/emulators.env, for `. build/emulators.env`): the credentials where
    the modules and boto3 read them, AWS_ENDPOINT_URL for moto (botocore reads it, 1.31 on), FAKECLOUD_URL for the
    endpoint_url the other clouds take."""
    names = (
        ('AWS_ENDPOINT_URL', 'aws_endpoint_url'),
        ('AWS_ACCESS_KEY_ID', 'aws_access_key'),
        ('AWS_SECRET_ACCESS_KEY', 'aws_secret_key'),
        ('FAKECLOUD_URL', 'fakecloud_url'),
        ('ALICLOUD_ACCESS_KEY', 'alicloud_access_key'),
        ('ALICLOUD_SECRET_KEY', 'alicloud_secret_key'),
        ('TENCENTCLOUD_SECRET_ID', 'tencent_secret_id'),
        ('TENCENTCLOUD_SECRET_KEY', 'tencent_secret_key'),
    )
    return ['export %s=%s' % (variable, emulators[key]) for variable, key in names if emulators.get(key)]


def main(argv):
    config = os.path.abspath(argv[0])
    with open(config, encoding='utf-8') as stream:
        emulators = json.load(stream)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    collections = os.path.join(root, 'build', 'collections')
    print(
        '%s: AWS (moto) at %s, Alibaba Cloud and Tencent Cloud (fakecloud) at %s'
        % (READY, emulators['aws_endpoint_url'], emulators.get('fakecloud_url'))
    )
    print('Their addresses and keys, as Ansible variables: %s' % config)
    environment = os.path.splitext(config)[0] + '.env'
    with open(environment, 'w', encoding='utf-8') as stream:
        stream.write(
            '\n'.join(['# make emulators: their addresses and keys; . %s' % environment] + environment_lines(emulators))
            + '\n'
        )
    print('The same as environment variables, for a shell: . %s' % environment)
    print('Your playbook, in another terminal (ansible-playbook is in .venv/bin):')
    print('  . %s' % os.path.join(root, '.venv', 'bin', 'activate'))
    print('  ANSIBLE_COLLECTIONS_PATH=%s ansible-playbook my-dr.yml -e @%s' % (collections, config))
    print(
        'Seed disks: POST JSON to %s/_admin/seed (fakecloud), CreateVolume to moto (docs/quickstart.md).'
        % emulators.get('fakecloud_url')
    )
    print('Ctrl-C stops the emulators; what they hold is gone with them.', flush=True)
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        while True:
            signal.pause()
    finally:
        os.remove(environment)  # the emulators' addresses die with them (with_emulators.py removes the vars file)


if __name__ == '__main__':
    main(sys.argv[1:])
