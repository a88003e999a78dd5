"""Seed and inspect moto's EC2 for the integration targets (boto3, straight to the emulator).

  aws_seed.py --endpoint URL --region R create [--count N] [--encrypted] [--size GiB]
      make N volumes with one completed snapshot each; prints {"snapshots": [...], "volumes": [...]}
  aws_seed.py --endpoint URL --region R copies --source REGION/SNAPSHOT_ID
      prints {"copies": [...]}: the snapshots in R tagged as copies of that source
  aws_seed.py --endpoint URL --region R count
      prints {"count": N}: all snapshots of the account in R
"""
from __future__ import annotations

import argparse
import json

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--endpoint', required=True)
    parser.add_argument('--region', required=True)
    parser.add_argument('--access-key', default='AKIASNAPCOPYTEST0001')
    parser.add_argument('--secret-key', default='snapcopy-moto-secret-key-0001')
    parser.add_argument('action', choices=['create', 'copies', 'count'])
    parser.add_argument('--count', type=int, default=1)
    parser.add_argument('--size', type=int, default=8)
    parser.add_argument('--encrypted', action='store_true')
    parser.add_argument('--source')
    parser.add_argument('--tag', action='append', default=[], help='KEY=VALUE for the volumes made by create')
    args = parser.parse_args()
    ec2 = boto3.client('ec2', region_name=args.region, endpoint_url=args.endpoint,
                       aws_access_key_id=args.access_key, aws_secret_access_key=args.secret_key)
    if args.action == 'create':
        volumes, snapshots = [], []
        for index in range(args.count):
            tags = [{'Key': 'Name', 'Value': 'seed-%d' % index}] + [
                {'Key': key, 'Value': value} for key, value in (tag.split('=', 1) for tag in args.tag)]
            volume = ec2.create_volume(Size=args.size, AvailabilityZone=args.region + 'a', Encrypted=args.encrypted,
                                       TagSpecifications=[{'ResourceType': 'volume', 'Tags': tags}])
            snapshot = ec2.create_snapshot(VolumeId=volume['VolumeId'], Description='seed snapshot %d' % index)
            volumes.append(volume['VolumeId'])
            snapshots.append(snapshot['SnapshotId'])
        print(json.dumps({'volumes': volumes, 'snapshots': snapshots}))
    elif args.action == 'copies':
        answer = ec2.describe_snapshots(OwnerIds=['self'], Filters=[{'Name': 'tag:snapcopy:source', 'Values': [args.source]}])
        print(json.dumps({'copies': [
            {'id': item['SnapshotId'], 'state': item['State'], 'encrypted': item.get('Encrypted'), 'kms_key_id': item.get('KmsKeyId'),
             'description': item.get('Description'), 'tags': {tag['Key']: tag['Value'] for tag in item.get('Tags', [])}}
            for item in answer['Snapshots']]}))
    else:
        print(json.dumps({'count': len(ec2.describe_snapshots(OwnerIds=['self'])['Snapshots'])}))


if __name__ == '__main__':
    main()
