"""make demo, its fleet part: playbooks/inventory/fleet.example.yml, as shipped, on the local emulators.

The example's scopes reach their accounts through roles. This script gives the emulators those
accounts: fakecloud learns the example's Alibaba and Tencent roles (trusted by the demo's own
credentials) and gets tagged disks in each scope's account and region; moto gets volumes in each
AWS scope's account, made with the role's own temporary keys. A second inventory, beside the
example, points each cloud's group at its emulator (dr_copy_connection_defaults: endpoint_url,
session names) and has the DR runs wait for their copies. The demo's credentials come from the
environment, as AWX's credentials inject them.

Then the fleet runs twice: the first run copies every scope's disks, the second changes nothing.

Usage: python tests/utils/fleet_demo.py --emulators build/emulators.json --work build/fleet-demo
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, 'playbooks', 'inventory', 'fleet.example.yml')
TAGGED_DISKS = 3
# The account in a role ARN, per provider (the shapes docs/fleet.md gives).
ROLE_ACCOUNT = {
    'aws': re.compile(r'^arn:aws:iam::(\d{12}):role/'),
    'ecs': re.compile(r'^acs:ram::(\d+):role/'),
    'ens': re.compile(r'^acs:ram::(\d+):role/'),
    'cbs': re.compile(r'^qcs::cam::uin/(\d+):roleName/'),
}
VENDOR = {'ecs': 'alibaba', 'ens': 'alibaba', 'cbs': 'tencent'}


def http_json(url, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=data, headers={'Content-Type': 'application/json'}, method='GET' if payload is None else 'POST'
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def scopes(python):
    """Every host of dr_scopes with its variables, as Ansible reads the example inventory."""
    listing = json.loads(
        subprocess.run(
            [python, '-m', 'ansible.cli.inventory', '-i', INVENTORY, '--list'],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    hostvars = listing['_meta']['hostvars']
    names, groups = [], ['dr_scopes']
    while groups:
        group = listing.get(groups.pop(), {})
        names += group.get('hosts', [])
        groups += group.get('children', [])
    return {name: hostvars[name] for name in sorted(set(names))}


def role_arn(variables):
    connection = variables.get('dr_copy_connection') or {}
    return connection.get('role_arn') or connection.get('alicloud_assume_role_arn')


def seed(emulators, fleet):
    """Roles and disks in each scope's account, on the emulators."""
    admin = emulators['fakecloud_url'] + '/_admin'
    trusting = http_json(admin + '/config')['config']['accounts']
    roles = {'alibaba': {}, 'tencent': {}}
    fakecloud_disks = {'ecs': [], 'ens': [], 'cbs': []}
    for name, variables in fleet.items():
        provider, region, arn = variables['dr_copy_provider'], variables['dr_copy_source_region'], role_arn(variables)
        account = ROLE_ACCOUNT[provider].match(arn).group(1)
        tags = [variables['dr_copy_tag_selector']] * TAGGED_DISKS + [{'team': 'untagged'}]
        if provider == 'aws':
            seed_aws(emulators, arn, region, tags, name)
            continue
        roles[VENDOR[provider]][arn] = {'trusted': [trusting[VENDOR[provider]]]}
        fakecloud_disks[provider] += [
            {
                'account': account,
                'region': region,
                'name': '%s-disk-%d' % (name, index),
                'size': 40,
                'tags': disk_tags,
                'snapshots': 1,
            }
            for index, disk_tags in enumerate(tags)
        ]
    http_json(admin + '/config', {'roles': roles})
    # One seed call per account: a cloud's seed names one account for its disks.
    for provider, disks in fakecloud_disks.items():
        for account in sorted({disk['account'] for disk in disks}):
            mine = [dict(disk) for disk in disks if disk['account'] == account]
            http_json(admin + '/seed', {provider: {'account': account, 'disks': mine}})
    print('seeded %d scopes: %d tagged disks each, in the account of its role' % (len(fleet), TAGGED_DISKS))


def seed_aws(emulators, arn, region, tags, name):
    """Volumes and snapshots in the role's account: moto keeps an assumed role's resources in its account."""
    sts = boto3.client(
        'sts',
        region_name=region,
        endpoint_url=emulators['aws_endpoint_url'],
        aws_access_key_id=emulators['aws_access_key'],
        aws_secret_access_key=emulators['aws_secret_key'],
    )
    keys = sts.assume_role(RoleArn=arn, RoleSessionName='fleet-demo-seed')['Credentials']
    ec2 = boto3.client(
        'ec2',
        region_name=region,
        endpoint_url=emulators['aws_endpoint_url'],
        aws_access_key_id=keys['AccessKeyId'],
        aws_secret_access_key=keys['SecretAccessKey'],
        aws_session_token=keys['SessionToken'],
    )
    for index, disk_tags in enumerate(tags):
        volume = ec2.create_volume(
            Size=8,
            AvailabilityZone=region + 'a',
            TagSpecifications=[
                {
                    'ResourceType': 'volume',
                    'Tags': [{'Key': 'Name', 'Value': '%s-disk-%d' % (name, index)}]
                    + [{'Key': key, 'Value': value} for key, value in disk_tags.items()],
                }
            ],
        )
        ec2.create_snapshot(VolumeId=volume['VolumeId'], Description='fleet demo source')


def overlay(emulators, path, report_dir):
    """The second inventory: each cloud's group of the example, pointed at its emulator."""
    groups = {
        'aws': {'endpoint_url': emulators['aws_endpoint_url'], 'role_session_name': 'snapcopy-dr'},
        'alibaba_ecs': {'endpoint_url': emulators['fakecloud_url'], 'alicloud_assume_role_session_name': 'snapcopy-dr'},
        'alibaba_ens': {'endpoint_url': emulators['fakecloud_url'], 'alicloud_assume_role_session_name': 'snapcopy-dr'},
        'tencent': {'endpoint_url': emulators['fakecloud_url'], 'role_session_name': 'snapcopy-dr'},
    }
    children = {group: {'vars': {'dr_copy_connection_defaults': connection}} for group, connection in groups.items()}
    children['dr_scopes'] = {
        'vars': {
            'dr_copy_wait': True,
            'dr_copy_wait_timeout': 300,
            'dr_copy_poll_interval': 1,
            'dr_copy_report_dir': report_dir,
        }
    }
    with open(path, 'w', encoding='utf-8') as stream:
        json.dump({'all': {'children': children}}, stream, indent=2)


def run_fleet(python, emulators, overlay_path, log_path):
    """ansible-playbook snapcopy.cloud.dr_fleet over the example and the overlay, with the demo's keys in the
    environment."""
    env = dict(
        os.environ,
        ANSIBLE_FORCE_COLOR='0',
        AWS_ACCESS_KEY_ID=emulators['aws_access_key'],
        AWS_SECRET_ACCESS_KEY=emulators['aws_secret_key'],
        ALICLOUD_ACCESS_KEY=emulators['alicloud_access_key'],
        ALICLOUD_SECRET_KEY=emulators['alicloud_secret_key'],
        TENCENTCLOUD_SECRET_ID=emulators['tencent_secret_id'],
        TENCENTCLOUD_SECRET_KEY=emulators['tencent_secret_key'],
    )
    command = [
        python,
        '-m',
        'ansible.cli.playbook',
        'snapcopy.cloud.dr_fleet',
        '-i',
        INVENTORY,
        '-i',
        overlay_path,
        '--forks',
        '8',
    ]
    with open(log_path, 'w', encoding='utf-8') as log:
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    with open(log_path, encoding='utf-8') as log:
        output = log.read()
    return done.returncode, output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--emulators', required=True, help='the vars file of tests/utils/with_emulators.py --config')
    parser.add_argument('--work', required=True, help='a folder for the overlay inventory, logs and reports')
    args = parser.parse_args(argv)
    with open(args.emulators, encoding='utf-8') as stream:
        emulators = json.load(stream)
    os.makedirs(args.work, exist_ok=True)
    fleet = scopes(sys.executable)
    seed(emulators, fleet)
    overlay_path = os.path.join(args.work, 'emulators.inventory.json')
    overlay(emulators, overlay_path, os.path.join(args.work, 'reports'))
    for run in ('first', 'second'):
        code, output = run_fleet(sys.executable, emulators, overlay_path, os.path.join(args.work, run + '-run.log'))
        # The fleet's summary as the job prints it (plain lines, dr_fleet_summary): from its task's banner to its ok line.
        task = output[output.find('TASK [Write the fleet report and show it]') :].splitlines()[1:]
        report = '\n'.join(task[: next((index for index, line in enumerate(task) if line.startswith('ok: [')), 0)])
        print(
            '== demo fleet, %s run (%s): rc %d'
            % (run, 'copies every scope' if run == 'first' else 'nothing changes', code)
        )
        print(report)
        print(output[output.find('PLAY RECAP') :])
        if code != 0:
            return 1
        if run == 'second' and re.search(r'changed=[1-9]', output[output.find('PLAY RECAP') :]):
            print('FAIL: the second run of the fleet changed something')
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
