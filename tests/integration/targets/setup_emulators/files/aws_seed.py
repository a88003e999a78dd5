"""Seed and inspect moto's EC2 for the integration targets (its Query API over HTTP, straight to the emulator).

aws_seed.py --endpoint URL --region R create [--count N] [--encrypted] [--size GiB]
    make N volumes with one completed snapshot each; prints {"snapshots": [...], "volumes": [...]}
aws_seed.py --endpoint URL --region R copies --source REGION/SNAPSHOT_ID
    prints {"copies": [...]}: the snapshots in R tagged as copies of that source
aws_seed.py --endpoint URL --region R count
    prints {"count": N}: all snapshots of the account in R
aws_seed.py --endpoint URL --region R volume [--name NAME] [--tag KEY=VALUE ...]
    make one volume without a snapshot; prints {"volume": ID}
aws_seed.py --endpoint URL --region R volumes [--tag-key KEY]
    prints {"volumes": [...]}: the volumes in R (with that tag key)
aws_seed.py --endpoint URL --region R organization [--count N] [--unit NAME] [--close]
    make an organisation of the caller's account (with --role-arn, a management account of the test's own: moto keeps
    one organisation an account) with N member accounts app-0...; with --unit, app-1 in a unit of that name; with
    --close, app-2 closed; prints {"management": ID, "accounts": {"app-0": ID, ...}}
--role-arn ARN (any action): act in the role's account, through STS AssumeRole with the keys given
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

# EC2 and STS by their Query API over plain HTTP, not boto3: the helper runs as a process of its own some 45 times in
# the integration legs, and boto3's import and EC2 client cost about 0.4 CPU s a start (the EC2 model alone is
# megabytes of JSON), against about 0.05 for this. What it seeds and reads is the test's set-up, not its subject (the
# modules under test use boto3). moto's server takes the service, region and access key from the Authorization
# header's credential scope (moto/core/responses.py, get_region_from_url and get_access_key) and checks no
# signature. The organisation (one target, once) still goes through boto3.
EC2_API_VERSION = '2016-11-15'
STS_API_VERSION = '2011-06-15'


class QueryClient:
    """One AWS service's Query API at the emulator: call(action, params) gives the answer's XML, namespaces dropped."""

    def __init__(self, endpoint, service, region, version, keys):
        self.endpoint, self.service, self.region, self.version, self.keys = endpoint, service, region, version, keys

    def call(self, action, params=None):
        body = urllib.parse.urlencode(dict(params or {}, Action=action, Version=self.version)).encode()
        headers = {
            'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
            'Authorization': 'AWS4-HMAC-SHA256 Credential=%s/20260101/%s/%s/aws4_request, SignedHeaders=host, '
            'Signature=0' % (self.keys['aws_access_key_id'], self.region, self.service),
        }
        if self.keys.get('aws_session_token'):
            headers['X-Amz-Security-Token'] = self.keys['aws_session_token']
        request = urllib.request.Request(self.endpoint.rstrip('/') + '/', data=body, headers=headers, method='POST')
        with urllib.request.urlopen(request, timeout=60) as answer:
            root = ET.fromstring(answer.read())
        for element in root.iter():
            element.tag = element.tag.rsplit('}', 1)[-1]
        return root


def text(element, path):
    """The text at path under element, or None."""
    found = element.find(path)
    return None if found is None else found.text


def tag_params(prefix, tags):
    """The Query API's form of a list of tags: prefix.N.Key, prefix.N.Value."""
    params = {}
    for index, (key, value) in enumerate(tags, start=1):
        params['%s.%d.Key' % (prefix, index)] = key
        params['%s.%d.Value' % (prefix, index)] = value
    return params


def create_volume(ec2, region, size, tags, encrypted=False):
    params = {'Size': size, 'AvailabilityZone': region + 'a', 'TagSpecification.1.ResourceType': 'volume'}
    if encrypted:
        params['Encrypted'] = 'true'
    params.update(tag_params('TagSpecification.1.Tag', tags))
    return text(ec2.call('CreateVolume', params), 'volumeId')


def organization(client, args):
    """An organisation of the caller's account: {"management": its id, "accounts": {name: id}}."""
    made = client.create_organization(FeatureSet='ALL')['Organization']
    root = client.list_roots()['Roots'][0]['Id']
    accounts = {}
    for index in range(args.count):
        request = client.create_account(Email='app-%d@example.com' % index, AccountName='app-%d' % index)
        status = client.describe_create_account_status(CreateAccountRequestId=request['CreateAccountStatus']['Id'])
        accounts['app-%d' % index] = status['CreateAccountStatus']['AccountId']
    if args.unit and 'app-1' in accounts:
        unit = client.create_organizational_unit(ParentId=root, Name=args.unit)['OrganizationalUnit']['Id']
        client.move_account(AccountId=accounts['app-1'], SourceParentId=root, DestinationParentId=unit)
    if args.close and 'app-2' in accounts:
        client.close_account(AccountId=accounts['app-2'])
    return {'management': made['MasterAccountId'], 'accounts': accounts}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--endpoint', required=True)
    parser.add_argument('--region', required=True)
    parser.add_argument('--access-key', default='AKIASNAPCOPYTEST0001')
    parser.add_argument('--secret-key', default='snapcopy-moto-secret-key-0001')
    parser.add_argument(
        'action', choices=['create', 'copies', 'count', 'volume', 'volumes', 'instance', 'organization']
    )
    parser.add_argument('--unit', help='organization: the unit app-1 is moved to')
    parser.add_argument('--close', action='store_true', help='organization: close app-2')
    parser.add_argument('--zone', help='instance: its zone (moto takes any image id)')
    parser.add_argument('--count', type=int, default=1)
    parser.add_argument('--size', type=int, default=8)
    parser.add_argument('--encrypted', action='store_true')
    parser.add_argument('--source')
    parser.add_argument('--tag', action='append', default=[], help='KEY=VALUE for the volumes made by create or volume')
    parser.add_argument('--name', help='the Name of the volume made by volume (create names them seed-N)')
    parser.add_argument('--tag-key', help='volumes: only those with this tag key')
    parser.add_argument('--role-arn', help='act in this role\'s account (moto: the account in the ARN)')
    args = parser.parse_args()
    keys = {'aws_access_key_id': args.access_key, 'aws_secret_access_key': args.secret_key}
    if args.role_arn:
        sts = QueryClient(args.endpoint, 'sts', args.region, STS_API_VERSION, keys)
        role = sts.call('AssumeRole', {'RoleArn': args.role_arn, 'RoleSessionName': 'aws-seed'}).find('.//Credentials')
        keys = {
            'aws_access_key_id': text(role, 'AccessKeyId'),
            'aws_secret_access_key': text(role, 'SecretAccessKey'),
            'aws_session_token': text(role, 'SessionToken'),
        }
    if args.action == 'organization':
        import boto3  # pylint: disable=import-outside-toplevel  # only here: see QueryClient

        print(
            json.dumps(
                organization(
                    boto3.client('organizations', region_name=args.region, endpoint_url=args.endpoint, **keys), args
                )
            )
        )
        return
    ec2 = QueryClient(args.endpoint, 'ec2', args.region, EC2_API_VERSION, keys)
    given_tags = [tuple(tag.split('=', 1)) for tag in args.tag]
    if args.action == 'create':
        volumes, snapshots = [], []
        for index in range(args.count):
            volume = create_volume(
                ec2, args.region, args.size, [('Name', 'seed-%d' % index), *given_tags], encrypted=args.encrypted
            )
            snapshot = text(
                ec2.call('CreateSnapshot', {'VolumeId': volume, 'Description': 'seed snapshot %d' % index}),
                'snapshotId',
            )
            volumes.append(volume)
            snapshots.append(snapshot)
        print(json.dumps({'volumes': volumes, 'snapshots': snapshots}))
    elif args.action == 'copies':
        answer = ec2.call(
            'DescribeSnapshots',
            {'Owner.1': 'self', 'Filter.1.Name': 'tag:snapcopy:source', 'Filter.1.Value.1': args.source},
        )
        print(
            json.dumps(
                {
                    'copies': [
                        {
                            'id': text(item, 'snapshotId'),
                            'state': text(item, 'status'),
                            'encrypted': text(item, 'encrypted') == 'true' if text(item, 'encrypted') else None,
                            'kms_key_id': text(item, 'kmsKeyId'),
                            'description': text(item, 'description'),
                            'tags': {text(tag, 'key'): text(tag, 'value') or '' for tag in item.findall('tagSet/item')},
                        }
                        for item in answer.findall('snapshotSet/item')
                    ]
                }
            )
        )
    elif args.action == 'volume':
        # One volume without a snapshot, e.g. a test disk as a killed restore drill leaves it.
        volume = create_volume(ec2, args.region, args.size, [('Name', args.name or 'seed'), *given_tags])
        print(json.dumps({'volume': volume}))
    elif args.action == 'instance':
        made = ec2.call(
            'RunInstances',
            {
                'ImageId': 'ami-0123456789abcdef0',
                'MinCount': 1,
                'MaxCount': 1,
                'InstanceType': 't3.micro',
                'Placement.AvailabilityZone': args.zone or args.region + 'a',
            },
        )
        print(json.dumps({'instance': text(made, 'instancesSet/item/instanceId')}))
    elif args.action == 'volumes':
        filters = {'Filter.1.Name': 'tag-key', 'Filter.1.Value.1': args.tag_key} if args.tag_key else {}
        answer = ec2.call('DescribeVolumes', filters)
        print(json.dumps({'volumes': sorted(text(item, 'volumeId') for item in answer.findall('volumeSet/item'))}))
    else:
        answer = ec2.call('DescribeSnapshots', {'Owner.1': 'self'})
        print(json.dumps({'count': len(answer.findall('snapshotSet/item'))}))


if __name__ == '__main__':
    main()
