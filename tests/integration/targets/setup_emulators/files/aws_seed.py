"""Seed and inspect moto's EC2 for the integration targets (boto3, straight to the emulator).

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

import boto3


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
        sts = boto3.client('sts', region_name=args.region, endpoint_url=args.endpoint, **keys)
        role = sts.assume_role(RoleArn=args.role_arn, RoleSessionName='aws-seed')['Credentials']
        keys = {
            'aws_access_key_id': role['AccessKeyId'],
            'aws_secret_access_key': role['SecretAccessKey'],
            'aws_session_token': role['SessionToken'],
        }
    if args.action == 'organization':
        print(
            json.dumps(
                organization(
                    boto3.client('organizations', region_name=args.region, endpoint_url=args.endpoint, **keys), args
                )
            )
        )
        return
    ec2 = boto3.client('ec2', region_name=args.region, endpoint_url=args.endpoint, **keys)
    if args.action == 'create':
        volumes, snapshots = [], []
        for index in range(args.count):
            tags = [{'Key': 'Name', 'Value': 'seed-%d' % index}] + [
                {'Key': key, 'Value': value} for key, value in (tag.split('=', 1) for tag in args.tag)
            ]
            volume = ec2.create_volume(
                Size=args.size,
                AvailabilityZone=args.region + 'a',
                Encrypted=args.encrypted,
                TagSpecifications=[{'ResourceType': 'volume', 'Tags': tags}],
            )
            snapshot = ec2.create_snapshot(VolumeId=volume['VolumeId'], Description='seed snapshot %d' % index)
            volumes.append(volume['VolumeId'])
            snapshots.append(snapshot['SnapshotId'])
        print(json.dumps({'volumes': volumes, 'snapshots': snapshots}))
    elif args.action == 'copies':
        answer = ec2.describe_snapshots(
            OwnerIds=['self'], Filters=[{'Name': 'tag:snapcopy:source', 'Values': [args.source]}]
        )
        print(
            json.dumps(
                {
                    'copies': [
                        {
                            'id': item['SnapshotId'],
                            'state': item['State'],
                            'encrypted': item.get('Encrypted'),
                            'kms_key_id': item.get('KmsKeyId'),
                            'description': item.get('Description'),
                            'tags': {tag['Key']: tag['Value'] for tag in item.get('Tags', [])},
                        }
                        for item in answer['Snapshots']
                    ]
                }
            )
        )
    elif args.action == 'volume':
        # One volume without a snapshot, e.g. a test disk as a killed restore drill leaves it.
        tags = [{'Key': 'Name', 'Value': args.name or 'seed'}] + [
            {'Key': key, 'Value': value} for key, value in (tag.split('=', 1) for tag in args.tag)
        ]
        volume = ec2.create_volume(
            Size=args.size,
            AvailabilityZone=args.region + 'a',
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': tags}],
        )
        print(json.dumps({'volume': volume['VolumeId']}))
    elif args.action == 'instance':
        made = ec2.run_instances(
            ImageId='ami-0123456789abcdef0',
            MinCount=1,
            MaxCount=1,
            InstanceType='t3.micro',
            Placement={'AvailabilityZone': args.zone or args.region + 'a'},
        )
        print(json.dumps({'instance': made['Instances'][0]['InstanceId']}))
    elif args.action == 'volumes':
        filters = [{'Name': 'tag-key', 'Values': [args.tag_key]}] if args.tag_key else []
        print(
            json.dumps(
                {'volumes': sorted(item['VolumeId'] for item in ec2.describe_volumes(Filters=filters)['Volumes'])}
            )
        )
    else:
        print(json.dumps({'count': len(ec2.describe_snapshots(OwnerIds=['self'])['Snapshots'])}))


if __name__ == '__main__':
    main()
