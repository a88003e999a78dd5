"""fakecloud answers as the vendors' own API models say, and accepts only the parameters they list.

The oracle is the vendors' generated models, read by ``fakecloud.vendor``: Alibaba's V2 SDK
packages (alibabacloud-ecs20140526, alibabacloud-ens20171110) and the Tencent SDK's own models
(tencentcloud-sdk-python-cbs, -tag). For every action fakecloud emulates, a scenario drives it
through the real V1 SDK that the collection uses, over HTTP, and

* every answer is checked against ``<Action>ResponseBody`` / ``<Action>Response``: no key the
  model lacks, no value of the wrong type, nested list wrappers included;
* every parameter name fakecloud accepts for the action is one the vendor's request model has,
  and the scenarios send every one of them (so each is exercised, not only declared);
* an action added to fakecloud without a scenario fails ``test_every_action_has_a_scenario``.

``test_an_injected_shape_error_is_caught`` shows that the check is not vacuous: the same
scenarios against an emulator whose ENS disk tags (or CBS progress) are rendered the way 0.1.0
assumed them are reported, naming the path.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import threading
import typing

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import CommonRequest
from tencentcloud.cbs.v20170312 import cbs_client, errorcodes
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tag.v20180813 import tag_client

from ansible_collections.snapcopy.cloud.tests.fakecloud import (
    cbs,
    config,
    credentials as creds,
    cvm,
    ecs,
    ens,
    organizations,
    ram,
    resources,
    resourcesharing,
    sts,
    tag,
)
from ansible_collections.snapcopy.cloud.tests.fakecloud.actions import ALIBABA_PROTOCOL, alibaba_name, tencent_names
from ansible_collections.snapcopy.cloud.tests.fakecloud.clients import alibaba_client, tencent_client
from ansible_collections.snapcopy.cloud.tests.fakecloud.server import FakeCloudServer
from ansible_collections.snapcopy.cloud.tests.fakecloud.state import Store
from ansible_collections.snapcopy.cloud.tests.fakecloud.testing import AdminClient
from ansible_collections.snapcopy.cloud.tests.fakecloud.vendor import alibaba, tencent

ACTIONS = {
    'ecs': ecs.ACTIONS,
    'ens': ens.ACTIONS,
    'cbs': cbs.ACTIONS,
    'cvm': cvm.ACTIONS,
    'tag': tag.ACTIONS,
    'alibaba_sts': sts.ALIBABA_ACTIONS,
    'tencent_sts': sts.TENCENT_ACTIONS,
    'resourcesharing': resourcesharing.ACTIONS,
    'kms': resourcesharing.KMS_ACTIONS,
    'resourcemanager': organizations.RESOURCE_DIRECTORY_ACTIONS,
    'organization': organizations.ORGANIZATION_ACTIONS,
    'ram': ram.ACTIONS,
}
ALIBABA_REQUESTS = {'ecs': 'aliyunsdkecs.request.v20140526', 'ens': 'aliyunsdkens.request.v20171110'}
# The collection has no V1 product SDK for STS: its requests are the core SDK's CommonRequest.
ALIBABA_COMMON_REQUESTS = {
    'alibaba_sts': ('Sts', '2015-04-01'),
    'resourcesharing': ('ResourceSharing', '2020-01-10'),
    'kms': ('Kms', '2016-01-20'),
    'resourcemanager': ('ResourceManager', '2020-03-31'),
    'ram': ('Ram', '2015-05-01'),
}
ALIBABA_PRODUCTS = set(ALIBABA_REQUESTS) | set(ALIBABA_COMMON_REQUESTS)
# The Tencent services the collection calls through tencentcloud-sdk-python-common's CommonClient: (service, version).
COMMON_CLIENT_SERVICES = {
    'tencent_sts': ('sts', '2018-08-13'),
    'cvm': ('cvm', '2017-03-12'),
    'organization': ('organization', '2021-03-31'),
}
EXPECTED_ERROR = 'expected_error'


class Driver:
    """Sends an action's requests through the vendor's V1 SDK and collects what the conformance checks need."""

    def __init__(self, endpoint: str, product: str, action: str):
        self.endpoint = endpoint
        self.product = product
        self.action = action
        self.sent: set = set()
        self.problems: list = []
        self.answers = 0

    def __call__(self, params: dict, expected_error: str | None = None, region: str | None = None, client=None) -> dict:
        if self.product in ALIBABA_PRODUCTS:
            self.sent.update(alibaba_name(key) for key in params)
            answer, code = self._alibaba(params, client)
        else:
            self.sent.update(tencent_names(params))
            answer, code = self._tencent(params, region, client)
        if expected_error is not None:
            assert code == expected_error, '%s %s: expected %s, got %s' % (
                self.product,
                self.action,
                expected_error,
                code or answer,
            )
            return {}
        assert code is None, '%s %s %s failed: %s' % (self.product, self.action, params, code)
        self.answers += 1
        if self.product in ALIBABA_PRODUCTS:
            self.problems += alibaba.check_answer(self.product, self.action, answer)
        else:
            self.problems += tencent.check_response(self.product, self.action, answer)
        return answer

    def _alibaba(self, params: dict, client=None) -> tuple:
        return alibaba_send(self.endpoint, self.product, self.action, params, client)

    def _tencent(self, params: dict, region: str | None, client=None) -> tuple:
        if client is not None:
            pass  # the scenario's own (another account's) CommonClient
        elif self.product in COMMON_CLIENT_SERVICES:
            # No product SDK of the collection's: CommonClient, as the collection calls them.
            service, version = COMMON_CLIENT_SERVICES[self.product]
            profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=self.endpoint))
            client = CommonClient(
                service,
                version,
                Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY),
                region or 'ap-guangzhou',
                profile,
            )
        else:
            client_class = cbs_client.CbsClient if self.product == 'cbs' else tag_client.TagClient
            client = tencent_client(client_class, self.endpoint, region if self.product == 'cbs' else None)
        try:
            return client.call_json(self.action, params)['Response'], None
        except TencentCloudSDKException as error:
            return None, error.code


def alibaba_send(endpoint: str, product: str, action: str, params: dict, client=None) -> tuple:
    """(answer, None) or (None, error code) of one Alibaba request through the V1 SDK, by ``client`` (the default
    account's unless given)."""
    if product in ALIBABA_COMMON_REQUESTS:
        name, version = ALIBABA_COMMON_REQUESTS[product]
        request = CommonRequest(product=name, version=version, action_name=action)
    else:
        module = importlib.import_module('%s.%sRequest' % (ALIBABA_REQUESTS[product], action))
        request = getattr(module, '%sRequest' % action)()
    for key, value in params.items():
        request.add_query_param(key, value if isinstance(value, str) else json.dumps(value))
    request.set_endpoint(endpoint)
    request.set_protocol_type('http')
    request.set_accept_format('JSON')
    try:
        return json.loads((client or alibaba_client(auto_retry=False)).do_action_with_exception(request)), None
    except ServerException as error:
        return None, error.get_error_code()


def dr_account_client(endpoint: str):
    """An AcsClient of the DR account (its role assumed by the default account)."""
    answer, code = alibaba_send(
        endpoint, 'alibaba_sts', 'AssumeRole', {'RoleArn': creds.ALIBABA_DR_ROLE_ARN, 'RoleSessionName': 'conformance'}
    )
    assert code is None, code
    keys = answer['Credentials']
    return alibaba_client(
        access_key_id=keys['AccessKeyId'],
        secret=keys['AccessKeySecret'],
        security_token=keys['SecurityToken'],
        auto_retry=False,
    )


def _shared(endpoint: str, snapshot_id: str, target: str = creds.ALIBABA_DR_ACCOUNT_ID, client=None) -> str:
    """A resource share (of the default account, or ``client``'s) of ``snapshot_id`` with ``target``: its id."""
    answer, code = alibaba_send(
        endpoint,
        'resourcesharing',
        'CreateResourceShare',
        {
            'RegionId': HZ,
            'ResourceShareName': 'conf-setup',
            'AllowExternalTargets': 'true',
            'Resources.1.ResourceId': snapshot_id,
            'Resources.1.ResourceType': 'Snapshot',
            'Targets.1': target,
        },
        client,
    )
    assert code is None, code
    return answer['ResourceShare']['ResourceShareId']


# ---------------------------------------------------------------------- the scenarios, one per action
# Each takes the seeded ids and a Driver, and sends requests that together use every parameter the
# action accepts. Requests that must fail say so (EXPECTED_ERROR); the others must succeed.
HZ, BJ = 'cn-hangzhou', 'cn-beijing'
NODE, NODE_DR = 'cn-hangzhou-26', 'cn-beijing-cmcc'
GZ, SH = 'ap-guangzhou', 'ap-shanghai'
ECS_TAGS = {'Tag.1.Key': 'dr', 'Tag.1.Value': 'yes'}
# The instance of the two seeded disks that CreateSnapshotGroup's scenarios snapshot together.
ECS_INSTANCE = 'i-conf01'
CBS_INSTANCE = 'ins-conf01'
# Seconds that take an attach or detach to its end (seed configures them to last 60).
ATTACH_MOVE = 61
# The instances the attach scenarios use (seeded as instances, unlike the two above, which only disks name): a host
# that runs in the region's first zone, one stopped elsewhere (another zone, another node), and one that cannot take a
# disk (its state).
HOSTS = {
    'ecs': [
        {'region': HZ, 'id': 'i-confhost', 'name': 'drill-host', 'zone': HZ + '-a'},
        {'region': HZ, 'id': 'i-confother', 'name': 'other', 'zone': HZ + '-b', 'state': 'stopped'},
        {'region': HZ, 'id': 'i-confpending', 'name': 'pending', 'zone': HZ + '-a', 'state': 'Pending'},
    ],
    'ens': [
        {'region': NODE, 'id': 'i-confhost', 'name': 'drill-host'},
        {'region': NODE_DR, 'id': 'i-confother', 'name': 'other', 'state': 'stopped'},
        {'region': NODE, 'id': 'i-confexpired', 'name': 'expired', 'state': 'Expired'},
    ],
    'cbs': [
        {'region': GZ, 'id': 'ins-confhost', 'name': 'drill-host', 'zone': GZ + '-1'},
        {'region': GZ, 'id': 'ins-confothr', 'name': 'other', 'zone': GZ + '-2', 'state': 'stopped'},
        {'region': GZ, 'id': 'ins-confpend', 'name': 'pending', 'zone': GZ + '-1', 'state': 'PENDING'},
    ],
}


def seed(admin) -> dict:
    ecs_seed = admin.seed(
        ecs={
            'disks': [
                {
                    'region': HZ,
                    'name': 'conf-disk',
                    'instance_id': ECS_INSTANCE,
                    'tags': {'dr': 'yes'},
                    'snapshots': [{'name': 'older', 'tags': {'dr': 'yes'}}, {'name': 'newer'}],
                },
                {'region': HZ, 'encrypted': True, 'instance_id': ECS_INSTANCE, 'snapshots': 1},
            ]
            + [{'region': HZ} for dummy in range(11)]
        }
    )['ecs']
    ecs_copy = admin.seed(
        ecs={
            'snapshots': [
                {
                    'region': BJ,
                    'source_snapshot_id': ecs_seed['snapshots'][0],
                    'source_region': HZ,
                    'tags': {'snapcopy:source': 'x'},
                }
            ]
        }
    )['ecs']
    # A disk being made from the encrypted disk's snapshot, as CreateDisk leaves one; for an hour, so that it is still
    # being made when a scenario reads it on a busy machine (the default is two seconds).
    ecs_restoring = admin.seed(
        ecs={
            'disks': [
                {
                    'region': HZ,
                    'status': 'creating',
                    'seconds': 3600,
                    'name': 'restoring',
                    'source_snapshot_id': ecs_seed['snapshots'][2],
                }
            ]
        }
    )['ecs']['disks'][0]
    ens_seed = admin.seed(
        ens={
            'disks': [
                {'region': NODE, 'name': 'edge-disk', 'tags': {'dr': 'yes'}, 'snapshots': [{'name': 'edge-snap'}] * 12}
            ]
        }
    )['ens']
    cbs_seed = admin.seed(
        cbs={
            'disks': [
                {'region': GZ, 'name': 'cbs-disk', 'tags': {'dr': 'yes'}, 'snapshots': 12},
                {'region': GZ, 'snapshots': 1},
                # Two disks of one instance, for the snapshot group scenarios.
                {'region': GZ, 'instance_id': CBS_INSTANCE},
                {'region': GZ, 'instance_id': CBS_INSTANCE, 'type': 'system'},
            ]
        }
    )['cbs']
    cbs_copy = admin.seed(
        cbs={
            'snapshots': [
                {
                    'region': SH,
                    'source_snapshot_id': cbs_seed['snapshots'][0],
                    'source_region': GZ,
                    'status': 'copying_from_remote',
                }
            ]
        }
    )['cbs']
    ens_restoring = admin.seed(
        ens={
            'disks': [
                {
                    'region': NODE,
                    'status': 'creating',
                    'seconds': 3600,
                    'name': 'restoring',
                    'source_snapshot_id': ens_seed['snapshots'][0],
                }
            ]
        }
    )['ens']['disks'][0]
    cbs_shared = admin.seed(cbs={'snapshots': [{'region': GZ, 'shared_with': [creds.TENCENT_DR_UIN]}]})['cbs'][
        'snapshots'
    ][0]
    cbs_restoring = admin.seed(
        cbs={
            'disks': [
                {
                    'region': GZ,
                    'status': 'creating',
                    'seconds': 3600,
                    'name': 'restoring',
                    'source_snapshot_id': cbs_seed['snapshots'][0],
                }
            ]
        }
    )['cbs']['disks'][0]
    hosts = admin.seed({cloud: {'instances': instances} for cloud, instances in HOSTS.items()})
    # An attach or detach lasts a minute, not the default seconds: what a scenario reads right after one is the move
    # under way however slow the machine; a scenario moves the clock past it (ATTACH_MOVE).
    admin.configure(timings={cloud: {'attach_seconds': 60, 'detach_seconds': 60} for cloud in HOSTS})
    return {
        # Scenarios of asynchronous calls move the emulator's clock (advance).
        'admin': admin,
        'hosts': {cloud: hosts[cloud]['instances'] for cloud in HOSTS},
        'ecs': ecs_seed,
        'ecs_copy': ecs_copy['snapshots'][0],
        'ens': ens_seed,
        'cbs': cbs_seed,
        'cbs_copy': cbs_copy['snapshots'][0],
        'ecs_restoring': ecs_restoring,
        'ens_restoring': ens_restoring,
        'cbs_restoring': cbs_restoring,
        'cbs_shared': cbs_shared,
    }


def ecs_describe_disks(ids, send):
    first = send(
        dict(
            ECS_TAGS,
            RegionId=HZ,
            DiskIds=json.dumps(ids['ecs']['disks'][:1]),
            ZoneId=HZ + '-a',
            DiskName='conf-disk',
            Category='cloud_essd',
            DiskType='data',
            InstanceId='i-conf01',
            Encrypted='false',
            MaxResults='10',
        )
    )
    assert [disk['DiskId'] for disk in first['Disks']['Disk']] == ids['ecs']['disks'][:1]
    page = send({'RegionId': HZ, 'MaxResults': '10'})
    send({'RegionId': HZ, 'MaxResults': '10', 'NextToken': page['NextToken']})
    send({'RegionId': HZ, 'PageNumber': '2', 'PageSize': '5'})
    creating = send({'RegionId': HZ, 'SnapshotId': ids['ecs']['snapshots'][2], 'Status': 'Creating'})['Disks']['Disk']
    assert [(disk['DiskId'], disk['SourceSnapshotId']) for disk in creating] == [
        (ids['ecs_restoring'], ids['ecs']['snapshots'][2])
    ]
    send({'RegionId': HZ, 'Status': 'Deleted'}, expected_error='InvalidStatus.ValueNotSupported')


def ecs_describe_snapshots(ids, send):
    snapshots = ids['ecs']['snapshots']
    send(
        dict(
            ECS_TAGS,
            RegionId=HZ,
            SnapshotIds=json.dumps(snapshots),
            DiskId=ids['ecs']['disks'][0],
            Status='all',
            SnapshotName='older',
            Category='standard',
            Encrypted='false',
            SourceDiskType='data',
            MaxResults='1',
        )
    )
    page = send({'RegionId': HZ, 'MaxResults': '1'})
    send({'RegionId': HZ, 'MaxResults': '1', 'NextToken': page['NextToken']})
    send({'RegionId': BJ, 'PageNumber': '1', 'PageSize': '10'})


def ecs_create_snapshot(ids, send):
    send(
        dict(
            ECS_TAGS,
            DiskId=ids['ecs']['disks'][1],
            SnapshotName='made-here',
            Description='made by a test',
            RetentionDays='3',
            Category='standard',
            ClientToken='conformance-create-1',
        )
    )


def ecs_copy_snapshot(ids, send):
    send(
        dict(
            ECS_TAGS,
            RegionId=HZ,
            SnapshotId=ids['ecs']['snapshots'][2],
            DestinationRegionId=BJ,
            DestinationSnapshotName='conf-copy',
            DestinationSnapshotDescription='a copy',
            RetentionDays='5',
            Encrypted='true',
            KMSKeyId='key-1',
            ClientToken='conformance-copy-1',
        )
    )


def ecs_delete_snapshot(ids, send):
    send({'SnapshotId': ids['ecs']['snapshots'][-1], 'Force': 'true'})


def _ecs_lock(send, snapshot_id, **params):
    lock = dict(
        {
            'RegionId': HZ,
            'SnapshotId': snapshot_id,
            'LockMode': 'compliance',
            'LockDuration': '7',
            'CoolOffPeriod': '24',
        },
        **params,
    )
    return send(lock)['LockedSnapshotInfo']


def ecs_lock_snapshot(ids, send):
    snapshot_id = ids['ecs']['snapshots'][0]
    info = _ecs_lock(send, snapshot_id, ClientToken='conformance-lock-1')
    assert (info['SnapshotId'], info['LockStatus'], info['LockDuration'], info['CoolOffPeriod']) == (
        snapshot_id,
        'compliance-cooloff',
        7,
        24,
    )
    # During the cool-off, a lock is set again with new values.
    assert _ecs_lock(send, snapshot_id, LockDuration='30', CoolOffPeriod='0')['LockStatus'] == 'compliance'
    # Once in force, only a longer duration with CoolOffPeriod 0.
    send(
        {
            'RegionId': HZ,
            'SnapshotId': snapshot_id,
            'LockMode': 'compliance',
            'LockDuration': '10',
            'CoolOffPeriod': '0',
        },
        expected_error='InvalidOperation.CoolOffPeriodExpired',
    )
    assert _ecs_lock(send, snapshot_id, LockDuration='40', CoolOffPeriod='0')['LockDuration'] == 40
    # A locked snapshot is not deleted, Force or not.
    Driver(send.endpoint, 'ecs', 'DeleteSnapshot')(
        {'SnapshotId': snapshot_id, 'Force': 'true'}, expected_error='InvalidOperation.SnapshotLocked'
    )
    other = ids['ecs']['snapshots'][1]
    for params, code in (
        ({'LockMode': 'governance'}, 'InvalidParameter'),
        ({'CoolOffPeriod': '73'}, 'InvalidParameter'),
        ({'LockDuration': '0'}, 'InvalidParameter'),
        ({'LockDuration': '36501'}, 'InvalidParameter'),
        ({'RegionId': BJ}, 'InvalidSnapshotId.NotFound'),
    ):
        send(
            dict(
                {
                    'RegionId': HZ,
                    'SnapshotId': other,
                    'LockMode': 'compliance',
                    'LockDuration': '7',
                    'CoolOffPeriod': '1',
                },
                **params,
            ),
            expected_error=code,
        )
    send(
        {'RegionId': HZ, 'SnapshotId': other, 'LockMode': 'compliance', 'CoolOffPeriod': '1'},
        expected_error='MissingParameter',
    )
    send(
        {'RegionId': HZ, 'SnapshotId': other, 'LockMode': 'compliance', 'LockDuration': '7'},
        expected_error='MissingParameter',
    )


def ecs_describe_locked_snapshots(ids, send):
    lock = Driver(send.endpoint, 'ecs', 'LockSnapshot')
    first, second = ids['ecs']['snapshots'][:2]
    _ecs_lock(lock, first)
    _ecs_lock(lock, second, CoolOffPeriod='0')
    both = {'SnapshotIds.1': first, 'SnapshotIds.2': second}
    listed = send(dict(both, RegionId=HZ, MaxResults='1'))
    assert [info['SnapshotId'] for info in listed['LockedSnapshotsInfo']] == sorted([first, second])[:1]
    rest = send(dict(both, RegionId=HZ, MaxResults='1', NextToken=listed['NextToken']))
    assert [info['SnapshotId'] for info in rest['LockedSnapshotsInfo']] == sorted([first, second])[1:] and not rest[
        'NextToken'
    ]
    in_force = send({'RegionId': HZ, 'LockStatus': 'compliance'})['LockedSnapshotsInfo']
    assert [(info['SnapshotId'], info['LockStatus']) for info in in_force] == [(second, 'compliance')]
    assert send({'RegionId': BJ})['LockedSnapshotsInfo'] == []
    send({'RegionId': HZ, 'LockStatus': 'governance'}, expected_error='InvalidParameter')


def _ecs_group(send, **params) -> str:
    """A snapshot-consistent group of the seeded instance's disks (or of ``params``), made for a scenario: its id."""
    answer, code = alibaba_send(
        send.endpoint, 'ecs', 'CreateSnapshotGroup', dict({'RegionId': HZ, 'InstanceId': ECS_INSTANCE}, **params)
    )
    assert code is None, code
    return answer['SnapshotGroupId']


def ecs_create_snapshot_group(ids, send):
    disks = ids['ecs']['disks']
    made = send(
        dict(
            ECS_TAGS,
            RegionId=HZ,
            InstanceId=ECS_INSTANCE,
            Name='conf-group',
            Description='a group',
            ClientToken='conformance-group-1',
        )
    )
    assert made['SnapshotGroupId'].startswith('ssg-')
    send({'RegionId': HZ, 'InstanceId': ECS_INSTANCE, 'DiskId.1': disks[0]})
    send({'RegionId': HZ, 'DiskId.1': disks[0], 'DiskId.2': disks[1]})
    # Every disk of the instance left out: no group (unverifiable code).
    send(
        {'RegionId': HZ, 'InstanceId': ECS_INSTANCE, 'ExcludeDiskId.1': disks[0], 'ExcludeDiskId.2': disks[1]},
        expected_error='InvalidParameter',
    )
    send(
        {'RegionId': HZ, 'InstanceId': ECS_INSTANCE, 'DiskId.1': disks[0], 'ExcludeDiskId.1': disks[1]},
        expected_error='InvalidParameter.Conflict',
    )
    send({'RegionId': HZ, 'InstanceId': 'i-nowhere'}, expected_error='InvalidInstanceId.NotFound')


def ecs_describe_snapshot_groups(ids, send):
    first = _ecs_group(send, Name='conf-group', **ECS_TAGS)
    _ecs_group(send)
    (group,) = send(
        dict(
            ECS_TAGS,
            RegionId=HZ,
            InstanceId=ECS_INSTANCE,
            Name='conf-group',
            **{'SnapshotGroupId.1': first, 'Status.1': 'progressing', 'Status.2': 'accomplished'},
        )
    )['SnapshotGroups']['SnapshotGroup']
    assert (group['SnapshotGroupId'], group['Status']) == (first, 'progressing')
    assert [snap['SourceDiskId'] for snap in group['Snapshots']['Snapshot']] == sorted(ids['ecs']['disks'][:2])
    page = send({'RegionId': HZ, 'MaxResults': '1'})
    assert len(page['SnapshotGroups']['SnapshotGroup']) == 1 and page['NextToken']
    send({'RegionId': HZ, 'MaxResults': '1', 'NextToken': page['NextToken']})
    send({'RegionId': HZ, 'Status.1': 'done'}, expected_error='InvalidParameter')


def ecs_delete_snapshot_group(ids, send):
    group = _ecs_group(send)
    answer = send({'RegionId': HZ, 'SnapshotGroupId': group})
    assert [item['OperationStatus'] for item in answer['OperationProgressSet']['OperationProgress']] == [
        'Success',
        'Success',
    ]
    send({'RegionId': HZ, 'SnapshotGroupId': group}, expected_error='InvalidSnapshotGroupId.NotFound')


def ecs_describe_zones(ids, send):
    zones = send({'RegionId': HZ})['Zones']['Zone']
    assert [zone['ZoneId'] for zone in zones] == [HZ + '-a', HZ + '-b']
    assert 'cloud_essd' in zones[0]['AvailableDiskCategories']['DiskCategories']
    send({'RegionId': 'xx-nowhere'}, expected_error='InvalidRegionId.NotFound')


def ecs_create_disk(ids, send):
    params = dict(
        ECS_TAGS,
        RegionId=HZ,
        ZoneId=HZ + '-a',
        SnapshotId=ids['ecs']['snapshots'][2],
        DiskCategory='cloud_essd',
        PerformanceLevel='PL0',
        Size='50',
        DiskName='restore-drill',
        Description='made from a DR copy',
        Encrypted='true',
        KMSKeyId='key-1',
        ClientToken='conformance-disk-1',
    )
    first = send(params)
    assert send(params)['DiskId'] == first['DiskId']  # the ClientToken replays the first answer
    send(dict(params, ClientToken='conformance-disk-2', ZoneId=HZ + '-z'), expected_error='InvalidZoneId.NotFound')
    send({'RegionId': HZ, 'ZoneId': HZ + '-a', 'DiskCategory': 'cloud_essd'}, expected_error='MissingParameter')


def ecs_delete_disk(ids, send):
    send({'DiskId': ids['ecs']['disks'][2]})
    send({'DiskId': ids['ecs']['disks'][0]}, expected_error='IncorrectDiskStatus')  # attached
    send({'DiskId': ids['ecs_restoring']}, expected_error='IncorrectDiskStatus')  # still Creating


def ecs_tag_resources(ids, send):
    send(dict(ECS_TAGS, RegionId=HZ, ResourceType='snapshot', **{'ResourceId.1': ids['ecs']['snapshots'][1]}))


def ecs_untag_resources(ids, send):
    send({'RegionId': HZ, 'ResourceType': 'snapshot', 'ResourceId.1': ids['ecs']['snapshots'][0], 'TagKey.1': 'dr'})
    send({'RegionId': HZ, 'ResourceType': 'disk', 'ResourceId.1': ids['ecs']['disks'][0], 'All': 'true'})
    # Up to 20 keys a call (test_ecs_untagging_limits_are_the_models).
    many = {'TagKey.%d' % number: 'k%d' % number for number in range(1, ecs.MAX_UNTAG_KEYS + 2)}
    snapshot = {'RegionId': HZ, 'ResourceType': 'snapshot', 'ResourceId.1': ids['ecs']['snapshots'][0]}
    send(dict(snapshot, **many), expected_error='InvalidTagCount')


def ecs_list_tag_resources(ids, send):
    send(dict(ECS_TAGS, RegionId=HZ, ResourceType='disk', **{'ResourceId.1': ids['ecs']['disks'][0]}))
    send({'RegionId': HZ, 'ResourceType': 'snapshot', 'NextToken': ''})


def ens_describe_disks(ids, send):
    send(
        {
            'EnsRegionId': NODE,
            'EnsRegionIds': json.dumps([NODE]),
            'DiskIds': json.dumps(ids['ens']['disks']),
            'DiskId': ids['ens']['disks'][0],
            'DiskName': 'edge-disk',
            'Category': 'cloud_efficiency',
            'Type': 'data',
            'Status': 'Available',
            'PageNumber': '1',
            'PageSize': '50',
        }
    )
    creating = send({'SnapshotId': ids['ens']['snapshots'][0], 'Status': 'Creating'})['Disks']['Disks']
    assert [(disk['DiskId'], disk['SnapshotId']) for disk in creating] == [
        (ids['ens_restoring'], ids['ens']['snapshots'][0])
    ]
    send({'PageSize': '51'}, expected_error='InvalidPageSize')


def ens_create_disk(ids, send):
    answer = send(
        {
            'EnsRegionId': NODE,
            'Category': 'cloud_ssd',
            'Size': '60',
            'SnapshotId': ids['ens']['snapshots'][0],
            'InstanceChargeType': 'PostPaid',
            'InstanceBillingCycle': 'Month',
            'DiskName': 'restore-drill',
            'Encrypted': 'true',
            'KMSKeyId': 'key-1',
            'Tag.1.Key': 'drill',
            'Tag.1.Value': 'yes',
        }
    )
    assert len(answer['InstanceIds']) == 1 and answer['InstanceIds'][0].startswith('d-')
    send(
        {'EnsRegionId': NODE, 'Category': 'cloud_ssd', 'Size': '20', 'InstanceChargeType': 'PrePaid'},
        expected_error='InvalidInstanceChargeType',
    )


def ens_delete_disk(ids, send):
    send({'DiskId': ids['ens']['disks'][0]})
    send({'DiskId': ids['ens_restoring']}, expected_error='IncorrectDiskStatus')
    send({'DiskId': 'd-none'}, expected_error='InvalidDiskId.NotFound')


def ens_modify_snapshot_attribute(ids, send):
    send({'SnapshotId': ids['ens']['snapshots'][0], 'SnapshotName': 'edge-renamed', 'Description': 'snapcopy marker'})
    send(
        {'SnapshotId': ids['ens']['snapshots'][0], 'SnapshotName': 'edge.renamed'}, expected_error='InvalidSnapshotName'
    )


def ens_describe_snapshots(ids, send):
    snapshots = ids['ens']['snapshots']
    send(
        {
            'EnsRegionId': NODE,
            'SnapshotId': json.dumps(snapshots[:3]),
            'DiskId': ids['ens']['disks'][0],
            'SnapshotName': 'edge-snap',
            'PageNumber': '1',
            'PageSize': '2',
        }
    )
    send({'EnsRegionIds': json.dumps([NODE, NODE_DR]), 'SnapshotId': snapshots[0], 'PageNumber': '2', 'PageSize': '10'})


def ens_create_snapshot(ids, send):
    send(
        {'EnsRegionId': NODE, 'DiskId': ids['ens']['disks'][0], 'SnapshotName': 'edge-new', 'Description': 'by a test'}
    )


def ens_copy_snapshot(ids, send):
    send(
        {
            'SnapshotId': ids['ens']['snapshots'][0],
            'DestinationRegionIds': json.dumps([NODE_DR]),
            'DestinationSnapshotName': 'edge-copy',
            'DestinationSnapshotDescription': 'copied',
            'InstanceBillingCycle': 'Month',
        }
    )


def ens_delete_snapshot(ids, send):
    send({'SnapshotId': ids['ens']['snapshots'][-1]})


def ens_tag_resources(ids, send):
    # Instances only, and fakecloud emulates none: the model's parameters are refused for what they name.
    send(
        {'ResourceType': 'instance', 'ResourceId.1': 'i-none', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v'},
        expected_error='InvalidResourceId.NotFound',
    )
    send(
        {'ResourceType': 'snapshot', 'ResourceId.1': ids['ens']['snapshots'][0], 'Tag.1.Key': 'k', 'Tag.1.Value': 'v'},
        expected_error='InvalidResourceType',
    )


def ens_untag_resources(ids, send):
    send(
        {'ResourceType': 'instance', 'ResourceId.1': 'i-none', 'TagKey.1': 'k', 'All': 'false'},
        expected_error='InvalidResourceId.NotFound',
    )


def ens_list_tag_resources(ids, send):
    send({'ResourceType': 'instance', 'ResourceId.1': 'i-none', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v', 'NextToken': ''})
    send({'ResourceType': 'instance'}, expected_error='MissingParameter.ResourceIdsOrTags')


def regions_only(ids, send):
    send({})


def cbs_describe_disks(ids, send):
    disk = ids['cbs']['disks'][0]
    send({'DiskIds': [disk], 'Offset': 0, 'Limit': 10}, region=GZ)
    send(
        {
            'Filters': [
                {'Name': 'disk-id', 'Values': [disk]},
                {'Name': 'tag:dr', 'Values': ['yes']},
                {'Name': 'tag-key', 'Values': ['dr']},
                {'Name': 'tag-value', 'Values': ['yes']},
                {'Name': 'disk-usage', 'Values': ['DATA_DISK']},
                {'Name': 'zone', 'Values': ['ap-guangzhou-1']},
            ],
            'Order': 'ASC',
            'OrderField': 'CREATE_TIME',
        },
        region=GZ,
    )
    send({'Filters': [{'Name': 'encrypt', 'Values': ['TRUE']}]}, expected_error='InvalidFilter', region=GZ)
    send(
        {'DiskIds': [disk], 'Filters': [{'Name': 'disk-id', 'Values': [disk]}]},
        expected_error='InvalidParameter',
        region=GZ,
    )
    # A disk being made is not listed, even by its id.
    assert send({'DiskIds': [ids['cbs_restoring']]}, region=GZ)['DiskSet'] == []


def cbs_describe_disk_config_quota(ids, send):
    rows = send(
        {
            'InquiryType': 'INQUIRY_CBS_CONFIG',
            'DiskChargeType': 'POSTPAID_BY_HOUR',
            'DiskTypes': ['CLOUD_PREMIUM'],
            'DiskUsage': 'DATA_DISK',
            'Zones': ['ap-guangzhou-1'],
        },
        region=GZ,
    )['DiskConfigSet']
    assert [(row['Zone'], row['DiskType'], row['Available']) for row in rows] == [
        ('ap-guangzhou-1', 'CLOUD_PREMIUM', True)
    ]
    send({'InquiryType': 'INQUIRY_CVM_CONFIG', 'InstanceFamilies': ['S5']}, region=GZ)
    send(
        {'InquiryType': 'INQUIRY_CBS_CONFIG', 'Zones': ['ap-guangzhou-9']},
        expected_error='InvalidParameterValue',
        region=GZ,
    )


def cbs_create_disks(ids, send):
    params = {
        'Placement': {'Zone': 'ap-guangzhou-1', 'ProjectId': 0},
        'DiskChargeType': 'POSTPAID_BY_HOUR',
        'DiskType': 'CLOUD_PREMIUM',
        'DiskSize': 50,
        'SnapshotId': ids['cbs']['snapshots'][1],
        'DiskName': 'restore-drill',
        'DiskCount': 1,
        'Tags': [{'Key': 'drill', 'Value': 'yes'}],
        'ClientToken': 'conformance-disks-1',
        'Encrypt': 'ENCRYPT',
        'KmsKeyId': 'kms-1',
    }
    first = send(params, region=GZ)
    assert send(params, region=GZ)['DiskIdSet'] == first['DiskIdSet'] and len(first['DiskIdSet']) == 1
    send(
        dict(params, ClientToken='conformance-disks-2', DiskSize=30),
        expected_error='InvalidParameter.DiskSizeNotMatch',
        region=GZ,
    )


def cbs_terminate_disks(ids, send):
    send({'DiskIds': [ids['cbs']['disks'][1]], 'DeleteSnapshot': 0}, region=GZ)
    send({'DiskIds': [ids['cbs_restoring']]}, expected_error='ResourceBusy', region=GZ)
    send({'DiskIds': ['disk-none']}, expected_error='InvalidDiskId.NotFound', region=GZ)


def cbs_describe_snapshots(ids, send):
    snapshots = ids['cbs']['snapshots']
    send({'SnapshotIds': snapshots[:2], 'Limit': 100}, region=GZ)
    send(
        {
            'Filters': [
                {'Name': 'snapshot-name', 'Values': ['']},
                {'Name': 'disk-id', 'Values': [ids['cbs']['disks'][0]]},
                {'Name': 'snapshot-state', 'Values': ['NORMAL']},
            ],
            'Offset': 2,
            'Limit': 5,
            'Order': 'DESC',
            'OrderField': 'CREATE_TIME',
        },
        region=GZ,
    )
    copying = send({'SnapshotIds': [ids['cbs_copy']]}, region=SH)
    assert copying['SnapshotSet'][0]['SnapshotState'] == 'COPYING_FROM_REMOTE'
    send({'Filters': [{'Name': 'tag-key', 'Values': ['dr']}]}, expected_error='InvalidFilter', region=GZ)


def cbs_create_snapshot(ids, send):
    send({'DiskId': ids['cbs']['disks'][1], 'SnapshotName': 'cbs-new', 'Tags': [{'Key': 'k', 'Value': 'v'}]}, region=GZ)


def _cbs_group_disks(ids) -> list:
    return ids['cbs']['disks'][2:4]


def _cbs_group(send, ids, **params) -> str:
    """A snapshot group of the seeded instance's two disks, made for a scenario: its id."""
    client = tencent_client(cbs_client.CbsClient, send.endpoint, GZ)
    answer = client.call_json('CreateSnapshotGroup', dict({'DiskIds': _cbs_group_disks(ids)}, **params))
    return answer['Response']['SnapshotGroupId']


def cbs_create_snapshot_group(ids, send):
    made = send(
        {'DiskIds': _cbs_group_disks(ids), 'SnapshotGroupName': 'conf-group', 'Tags': [{'Key': 'k', 'Value': 'v'}]},
        region=GZ,
    )
    assert made['SnapshotGroupId'].startswith('csnap-')
    # A disk attached to no instance, and disks of two instances.
    send({'DiskIds': ids['cbs']['disks'][:1]}, expected_error='InvalidDisk.NotSupported', region=GZ)
    send({'DiskIds': ['disk-nowhere']}, expected_error='InvalidDiskId.NotFound', region=GZ)


def cbs_describe_snapshot_groups(ids, send):
    first = _cbs_group(send, ids, SnapshotGroupName='conf-group')
    _cbs_group(send, ids)
    member = send({'Filters': [{'Name': 'snapshot-group-id', 'Values': [first]}]}, region=GZ)['SnapshotGroupSet'][0][
        'SnapshotIdSet'
    ][1]
    (group,) = send(
        {
            'Filters': [
                {'Name': 'snapshot-group-name', 'Values': ['conf-group']},
                {'Name': 'snapshot-group-state', 'Values': ['CREATING']},
                {'Name': 'snapshot-id', 'Values': [member]},
            ],
            'Offset': 0,
            'Limit': 10,
        },
        region=GZ,
    )['SnapshotGroupSet']
    assert (group['SnapshotGroupId'], group['ContainRootSnapshot'], len(group['SnapshotIdSet'])) == (first, True, 2)
    assert send({'Offset': 1, 'Limit': 1}, region=GZ)['TotalCount'] == 2
    send(
        {'Filters': [{'Name': 'snapshot-group-type', 'Values': ['NORMAL']}]}, expected_error='InvalidFilter', region=GZ
    )


def cbs_delete_snapshot_group(ids, send):
    first, second = _cbs_group(send, ids), _cbs_group(send, ids)
    send({'SnapshotGroupId': first, 'DeleteBindImages': False}, region=GZ)
    send({'SnapshotGroupIds': [second]}, region=GZ)
    send({'SnapshotGroupId': first}, expected_error='ResourceNotFound.NotFound', region=GZ)


def cbs_copy_snapshot_cross_regions(ids, send):
    send(
        {
            'SnapshotId': ids['cbs']['snapshots'][1],
            'DestinationRegions': [SH, 'ap-beijing'],
            'SnapshotName': 'cbs-copy',
        },
        region=GZ,
    )


def cbs_delete_snapshots(ids, send):
    send({'SnapshotIds': [ids['cbs']['snapshots'][-1]]}, region=GZ)


def cbs_modify_snapshots_share_permission(ids, send):
    snapshot = ids['cbs']['snapshots'][3]
    send({'SnapshotIds': [snapshot], 'AccountIds': [creds.TENCENT_DR_UIN], 'Permission': 'SHARE'}, region=GZ)
    send(
        {'SnapshotIds': [snapshot], 'AccountIds': [creds.TENCENT_DR_UIN], 'Permission': 'LEND'},
        expected_error='InvalidParameterValue',
        region=GZ,
    )
    send({'SnapshotIds': [snapshot], 'AccountIds': [creds.TENCENT_DR_UIN], 'Permission': 'CANCEL'}, region=GZ)
    send(
        {'SnapshotIds': ['snap-none0000'], 'AccountIds': [creds.TENCENT_DR_UIN], 'Permission': 'SHARE'},
        expected_error='InvalidSnapshotId.NotFound',
        region=GZ,
    )


def cbs_describe_snapshot_share_permission(ids, send):
    assert send({'SnapshotId': ids['cbs']['snapshots'][4]}, region=GZ)['SharePermissionSet'] == []
    shares = send({'SnapshotId': ids['cbs_shared']}, region=GZ)['SharePermissionSet']
    assert [share['AccountId'] for share in shares] == [creds.TENCENT_DR_UIN]
    send({'SnapshotId': 'snap-none0000'}, expected_error='InvalidSnapshotId.NotFound', region=GZ)


def _cbs_resource(ids, index=0):
    return 'qcs::cvm:%s:uin/:snapshot/%s' % (GZ, ids['cbs']['snapshots'][index])


def _gone_resource():
    return 'qcs::cvm:%s:uin/:snapshot/snap-none0000' % GZ


def tag_tag_resources(ids, send):
    answer = send(
        {
            'ResourceList': [_cbs_resource(ids), _cbs_resource(ids, 1), _gone_resource()],
            'Tags': [{'TagKey': 'k', 'TagValue': 'v'}],
        }
    )
    # A resource that failed is named in a normal answer (its FailedResource checked against the model too).
    assert [row['Resource'] for row in answer['FailedResources']] == [_gone_resource()]
    many = [{'TagKey': 'k%d' % number, 'TagValue': 'v'} for number in range(tag.MAX_TAGS_PER_CALL + 1)]
    send({'ResourceList': [_cbs_resource(ids)], 'Tags': many}, expected_error='InvalidParameterValue')


def tag_untag_resources(ids, send):
    # A key the resource does not carry ('absent') is no failure; a gone resource is one, inside a normal answer.
    answer = send({'ResourceList': [_cbs_resource(ids), _gone_resource()], 'TagKeys': ['k', 'absent']})
    assert [row['Resource'] for row in answer['FailedResources']] == [_gone_resource()]
    many = ['k%d' % number for number in range(tag.MAX_KEYS_PER_CALL + 1)]
    send({'ResourceList': [_cbs_resource(ids)], 'TagKeys': many}, expected_error='InvalidParameterValue')


def _attach_params(ids, *indexes, **extra):
    return dict(
        {
            'ServiceType': 'cvm',
            'ResourcePrefix': 'snapshot',
            'ResourceRegion': GZ,
            'ResourceIds': [ids['cbs']['snapshots'][index] for index in indexes],
            'TagKey': 'lease',
        },
        **extra,
    )


def tag_attach_resources_tag(ids, send):
    send(_attach_params(ids, 0, 1, TagValue='until'))
    # All or none: the answer names no failed resource, so one not there fails the call.
    gone = dict(_attach_params(ids, 0, TagValue='v'), ResourceIds=[ids['cbs']['snapshots'][0], 'snap-none0000'])
    send(gone, expected_error='ResourceNotFound')
    many = dict(_attach_params(ids, 0, TagValue='v'), ResourceIds=['snap-%08d' % number for number in range(51)])
    send(many, expected_error='InvalidParameterValue')
    send(
        dict(_attach_params(ids, 0, TagValue='v'), ResourcePrefix='bucket'),
        expected_error='InvalidParameterValue.ResourcePrefixInvalid',
    )


def tag_detach_resources_tag(ids, send):
    # A key the resource does not carry is no failure.
    send(_attach_params(ids, 0, 1))
    send(_attach_params(ids, 2, TagKey='absent'))


def tag_modify_resource_tags(ids, send):
    send(
        {
            'Resource': _cbs_resource(ids, 2),
            'ReplaceTags': [{'TagKey': 'a', 'TagValue': 'b'}],
            'DeleteTags': [{'TagKey': 'c'}],
        }
    )


def tag_get_resources(ids, send):
    send({'ResourceList': [_cbs_resource(ids, 2)], 'MaxResults': 10})
    page = send({'TagFilters': [{'TagKey': 'dr', 'TagValue': ['yes']}], 'MaxResults': 1})
    send({'TagFilters': [{'TagKey': 'dr'}], 'MaxResults': 1, 'PaginationToken': page['PaginationToken']})


def alibaba_sts_assume_role(ids, send):
    send(
        {
            'RoleArn': creds.ALIBABA_DR_ROLE_ARN,
            'RoleSessionName': 'conformance',
            'DurationSeconds': '900',
            'Policy': '{"Version": "1", "Statement": []}',
            'ExternalId': 'abcdef',
            'SourceIdentity': 'conformance',
        }
    )
    send({'RoleArn': creds.ALIBABA_LOCKED_ROLE_ARN, 'RoleSessionName': 'conformance'}, expected_error='NoPermission')
    send({'RoleArn': creds.ALIBABA_DR_ROLE_ARN}, expected_error='MissingParameter')


def alibaba_sts_get_caller_identity(ids, send):
    assert send({})['AccountId'] == creds.ALIBABA_ACCOUNT_ID
    assert send({}, client=dr_account_client(send.endpoint))['AccountId'] == creds.ALIBABA_DR_ACCOUNT_ID


def rs_create_resource_share(ids, send):
    share = send(
        {
            'RegionId': HZ,
            'ResourceShareName': 'conf-share',
            'AllowExternalTargets': 'true',
            'Resources.1.ResourceId': ids['ecs']['snapshots'][0],
            'Resources.1.ResourceType': 'Snapshot',
            'Targets.1': creds.ALIBABA_DR_ACCOUNT_ID,
        }
    )
    # Pending while the DR account's invitation waits (CreateResourceShareResponseBody.ResourceShareStatus).
    assert share['ResourceShare']['ResourceShareStatus'] == 'Pending'
    send({'RegionId': HZ, 'ResourceShareName': 'not a name!'}, expected_error='InvalidParameter.ResourceShareName')


def rs_associate_resource_share(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    (row,) = send(
        {
            'RegionId': HZ,
            'ResourceShareId': share,
            'Resources.1.ResourceId': ids['ecs']['snapshots'][1],
            'Resources.1.ResourceType': 'Snapshot',
        }
    )['ResourceShareAssociations']
    assert row['AssociationStatus'] == 'Associated'
    # The encrypted disk's snapshot is under the service key: refused, as the models tell it (Failed).
    (row,) = send(
        {
            'RegionId': HZ,
            'ResourceShareId': share,
            'Resources.1.ResourceId': ids['ecs']['snapshots'][2],
            'Resources.1.ResourceType': 'Snapshot',
        }
    )['ResourceShareAssociations']
    assert row['AssociationStatus'] == 'Failed'
    send({'RegionId': HZ, 'ResourceShareId': share, 'Targets.1': '3456789012345678'})


def rs_disassociate_resource_share(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    send(
        {
            'RegionId': HZ,
            'ResourceShareId': share,
            'Resources.1.ResourceId': ids['ecs']['snapshots'][0],
            'Resources.1.ResourceType': 'Snapshot',
            'Targets.1': creds.ALIBABA_DR_ACCOUNT_ID,
        }
    )
    send({'RegionId': HZ, 'ResourceShareId': 'rs-unknown1'}, expected_error='EntityNotExist.ResourceShare')
    # A principal exits another account's share (ResourceOwner OtherAccounts), once: then it is no longer its target.
    exited = _shared(send.endpoint, ids['ecs']['snapshots'][1])
    exit_share = {'RegionId': HZ, 'ResourceOwner': 'OtherAccounts', 'ResourceShareId': exited}
    (row,) = send(exit_share, client=dr_account_client(send.endpoint))['ResourceShareAssociations']
    assert (row['AssociationType'], row['EntityId'], row['AssociationStatus']) == (
        'Target',
        creds.ALIBABA_DR_ACCOUNT_ID,
        'Disassociated',
    ), row
    send(exit_share, client=dr_account_client(send.endpoint), expected_error='EntityNotExist.ResourceShare')
    send(dict(exit_share, ResourceOwner='Others'), expected_error='InvalidParameter.ResourceOwner')


def rs_list_resource_shares(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    page = send(
        {
            'RegionId': HZ,
            'ResourceOwner': 'Self',
            'ResourceShareName': 'conf-setup',
            'ResourceShareStatus': 'Pending',
            'ResourceShareIds.1': share,
            'MaxResults': '1',
        }
    )
    assert [row['ResourceShareId'] for row in page['ResourceShares']] == [share]
    send({'RegionId': HZ, 'ResourceOwner': 'Self', 'NextToken': rp_token(1)})


def rp_token(offset: int) -> str:
    from ansible_collections.snapcopy.cloud.tests.fakecloud.rpc_params import encode_token  # pylint: disable=import-outside-toplevel

    return encode_token(offset)


def rs_list_shared_resources(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    rows = send(
        {
            'RegionId': HZ,
            'ResourceOwner': 'Self',
            'ResourceIds.1': ids['ecs']['snapshots'][0],
            'ResourceType': 'Snapshot',
            'Target': creds.ALIBABA_DR_ACCOUNT_ID,
            'ResourceShareIds.1': share,
            'MaxResults': '10',
        }
    )['SharedResources']
    assert [row['ResourceId'] for row in rows] == [ids['ecs']['snapshots'][0]]
    send({'RegionId': HZ, 'ResourceOwner': 'OtherAccounts', 'NextToken': rp_token(0)})


def rs_list_resource_share_invitations(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    dr = dr_account_client(send.endpoint)
    (row,) = send({'RegionId': HZ, 'ResourceShareIds.1': share, 'MaxResults': '10'}, client=dr)[
        'ResourceShareInvitations'
    ]
    assert row['Status'] == 'Pending' and row['ReceiverAccountId'] == creds.ALIBABA_DR_ACCOUNT_ID
    send(
        {'RegionId': HZ, 'ResourceShareInvitationIds.1': row['ResourceShareInvitationId'], 'NextToken': rp_token(0)},
        client=dr,
    )


def rs_accept_resource_share_invitation(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    dr = dr_account_client(send.endpoint)
    answer, code = alibaba_send(
        send.endpoint,
        'resourcesharing',
        'ListResourceShareInvitations',
        {'RegionId': HZ, 'ResourceShareIds.1': share},
        dr,
    )
    assert code is None, code
    (invitation,) = answer['ResourceShareInvitations']
    accepted = send({'RegionId': HZ, 'ResourceShareInvitationId': invitation['ResourceShareInvitationId']}, client=dr)
    assert accepted['ResourceShareInvitation']['Status'] == 'Accepted'
    send(
        {'RegionId': HZ, 'ResourceShareInvitationId': 'i-unknown00001'},
        client=dr,
        expected_error='EntityNotExist.ResourceShareInvitation',
    )


def rs_list_resource_share_associations(ids, send):
    share = _shared(send.endpoint, ids['ecs']['snapshots'][0])
    alibaba_send(
        send.endpoint,
        'resourcesharing',
        'AssociateResourceShare',
        {
            'RegionId': HZ,
            'ResourceShareId': share,
            'Resources.1.ResourceId': ids['ecs']['snapshots'][2],
            'Resources.1.ResourceType': 'Snapshot',
        },
    )
    rows = send({'RegionId': HZ, 'AssociationType': 'Resource', 'ResourceShareIds.1': share, 'MaxResults': '10'})[
        'ResourceShareAssociations'
    ]
    assert sorted(row['AssociationStatus'] for row in rows) == ['Associated', 'Failed']
    send(
        {
            'RegionId': HZ,
            'AssociationType': 'Resource',
            'ResourceId': ids['ecs']['snapshots'][0],
            'AssociationStatus': 'Associated',
            'NextToken': rp_token(0),
        }
    )
    send({'RegionId': HZ, 'AssociationType': 'Target', 'Target': creds.ALIBABA_DR_ACCOUNT_ID})


def kms_list_aliases_by_key_id(ids, send):
    aliases = send({'RegionId': HZ, 'KeyId': creds.ECS_SERVICE_KEY_ID, 'PageNumber': '1', 'PageSize': '10'})['Aliases'][
        'Alias'
    ]
    assert [alias['AliasName'] for alias in aliases] == ['alias/acs/ecs']
    send({'RegionId': HZ, 'KeyId': 'no-such-key'}, expected_error='Forbidden.KeyNotFound')


def ram_get_role(ids, send):
    role = send({'RoleName': 'AliyunECSShareEncryptSnapshotDefaultRole'})['Role']
    assert role['RoleName'] == 'AliyunECSShareEncryptSnapshotDefaultRole'
    assert role['Arn'] == 'acs:ram::%s:role/aliyunecsshareencryptsnapshotdefaultrole' % creds.ALIBABA_ACCOUNT_ID
    send({'RoleName': 'NoSuchRole'}, expected_error='EntityNotExist.Role')
    send({'RoleName': 'bad_name'}, expected_error='InvalidParameter.RoleName.InvalidChars')
    send({'RoleName': 'r' * 65}, expected_error='InvalidParameter.RoleName.Length')


def tencent_sts_assume_role(ids, send):
    send(
        {
            'RoleArn': creds.TENCENT_DR_ROLE_ARN,
            'RoleSessionName': 'conformance',
            'DurationSeconds': 900,
            'Policy': '{"version": "2.0", "statement": []}',
            'ExternalId': 'abcdef',
        }
    )
    send(
        {'RoleArn': creds.TENCENT_LOCKED_ROLE_ARN, 'RoleSessionName': 'conformance'},
        expected_error='UnauthorizedOperation',
    )


def tencent_sts_get_caller_identity(ids, send):
    assert send({})['AccountId'] == creds.TENCENT_UIN


# ---------------------------------------------------------------------- organisations (an inventory's member lists)
def _directory(admin) -> dict:
    """A resource directory of the default account: two folders (one inside the other), four members."""
    return admin.seed(
        resource_directory={
            'folders': [{'name': 'prod'}, {'name': 'eu', 'parent': 'prod'}],
            'accounts': [
                {'name': 'web', 'folder': 'prod', 'tags': {'env': 'prod'}},
                {'name': 'db', 'folder': 'eu', 'tags': {'env': 'prod', 'tier': 'data'}, 'status': 'PromoteVerifying'},
                {'name': 'sandbox', 'type': 'CloudAccount', 'join_method': 'invited', 'status': 'InviteSuccess'},
                # A member whose own key lists nothing: the directory's management account is the default one.
                {'id': creds.ALIBABA_DR_ACCOUNT_ID, 'name': 'dr'},
            ],
        }
    )['resource_directory']


def _member_client():
    """An AcsClient of a member account that does not manage the directory (the DR account's own key)."""
    return alibaba_client(
        access_key_id=creds.ALIBABA_MEMBER_ACCESS_KEY_ID,
        secret=creds.ALIBABA_MEMBER_ACCESS_KEY_SECRET,
        auto_retry=False,
    )


def rm_list_accounts(ids, send):
    rd = _directory(ids['admin'])
    web, db, sandbox, dummy = rd['accounts']
    first = send({'PageNumber': '1', 'PageSize': '2', 'IncludeTags': 'true'})
    assert (first['TotalCount'], first['PageNumber'], first['PageSize']) == (5, 1, 2)
    assert [row['Tags']['Tag'] for row in first['Accounts']['Account']][1:] == [[{'Key': 'env', 'Value': 'prod'}]]
    tagged = send({'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'tier'})['Accounts']['Account']
    assert [(row['AccountId'], row['Status'], 'Tags' in row) for row in tagged] == [(db, 'PromoteVerifying', False)]
    assert tagged[0]['ResourceDirectoryPath'] == '/'.join([rd['id'], rd['root_folder_id'], *rd['folders'], db])
    assert sandbox and web
    send({'PageSize': '101'}, expected_error='InvalidParameter')
    send({}, client=_member_client(), expected_error='EntityNotExists.ResourceDirectory')


def rm_list_accounts_for_parent(ids, send):
    rd = _directory(ids['admin'])
    prod, eu = rd['folders']
    rows = send({'ParentFolderId': prod, 'PageNumber': '1', 'PageSize': '10', 'IncludeTags': 'true'})
    assert [row['DisplayName'] for row in rows['Accounts']['Account']] == ['web']
    rows = send({'ParentFolderId': eu, 'QueryKeyword': 'D', 'Tag.1.Key': 'tier', 'Tag.1.Value': 'data'})
    assert [row['FolderId'] for row in rows['Accounts']['Account']] == [eu]
    assert send({})['TotalCount'] == 3  # the Root folder's: sandbox, dr and the management account
    send({'ParentFolderId': 'fd-unknown000'}, expected_error='EntityNotExists.Folder')
    send({'ParentFolderId': 'x-1'}, expected_error='InvalidParameter.ParentFolderId')
    send({'ParentFolderId': prod}, client=_member_client(), expected_error='EntityNotExists.ResourceDirectory')


def rm_list_folders_for_parent(ids, send):
    rd = _directory(ids['admin'])
    prod, eu = rd['folders']
    assert [row['FolderId'] for row in send({'PageNumber': '1', 'PageSize': '5'})['Folders']['Folder']] == [prod]
    assert [row['FolderName'] for row in send({'ParentFolderId': prod, 'QueryKeyword': 'E'})['Folders']['Folder']] == [
        'eu'
    ]
    assert send({'ParentFolderId': eu})['TotalCount'] == 0
    send({}, client=_member_client(), expected_error='EntityNotExists.ResourceDirectory')


def rm_get_resource_directory(ids, send):
    send({}, expected_error='ResourceDirectoryNotInUse')  # no directory yet
    rd = _directory(ids['admin'])
    answer = send({})['ResourceDirectory']
    assert (answer['RootFolderId'], answer['MasterAccountId']) == (rd['root_folder_id'], creds.ALIBABA_ACCOUNT_ID)
    # A member is told the directory it belongs to.
    assert send({}, client=_member_client())['ResourceDirectory']['ResourceDirectoryId'] == rd['id']


def _organization(admin) -> dict:
    """An organisation of the default Tencent account: two nodes (one inside the other), four members."""
    return admin.seed(
        organization={
            'nodes': [{'name': 'prod', 'tags': {'env': 'prod'}}, {'name': 'eu', 'parent': 'prod'}],
            'members': [
                {'name': 'web', 'node': 'prod', 'tags': {'env': 'prod'}},
                {
                    'name': 'db',
                    'node': 'eu',
                    'tags': {'env': 'prod', 'tier': 'data'},
                    'permission_status': 'UnConfirmed',
                },
                {'name': 'sandbox', 'member_type': 'Invite', 'bind_status': 'Unbound', 'is_allow_quit': 'Denied'},
                # A member whose own key lists nothing: the organisation's manager is the default account.
                {'uin': creds.TENCENT_DR_UIN, 'name': 'dr'},
            ],
        }
    )['organization']


def _tencent_member_client(endpoint: str):
    profile = ClientProfile(httpProfile=HttpProfile(protocol='http', endpoint=endpoint))
    return CommonClient(
        'organization',
        '2021-03-31',
        Credential(creds.TENCENT_MEMBER_SECRET_ID, creds.TENCENT_MEMBER_SECRET_KEY),
        'ap-guangzhou',
        profile,
    )


def org_describe_organization_members(ids, send):
    org = _organization(ids['admin'])
    web, db, sandbox, dummy = org['members']
    prod, eu = org['nodes']
    first = send({'Offset': 0, 'Limit': 2, 'Lang': 'en'})
    assert first['Total'] == 5 and [item['MemberUin'] for item in first['Items']] == [int(creds.TENCENT_UIN), web]
    (item,) = send({'Tags': [{'TagKey': 'env', 'TagValue': 'prod'}, {'TagKey': 'tier'}], 'NodeId': eu})['Items']
    assert (item['MemberUin'], item['NodeId'], item['PermissionStatus']) == (db, eu, 'UnConfirmed')
    assert [item['Name'] for item in send({'SearchKey': 'SAND', 'NodeName': 'Root'})['Items']] == ['sandbox']
    assert sandbox and prod
    send({'Offset': 1, 'Limit': 2}, expected_error='InvalidParameter')
    send({'Limit': 51}, expected_error='InvalidParameter')
    send({'NodeId': 1}, expected_error='ResourceNotFound.OrganizationNodeNotExist')
    send(
        {}, client=_tencent_member_client(send.endpoint), expected_error='InvalidParameter.OrganizationMemberNotManager'
    )


def org_describe_organization_nodes(ids, send):
    org = _organization(ids['admin'])
    prod, eu = org['nodes']
    answer = send({'Offset': 0, 'Limit': 50})
    assert [(item['NodeId'], item['ParentNodeId']) for item in answer['Items']] == [
        (org['root_node_id'], 0),
        (prod, org['root_node_id']),
        (eu, prod),
    ]
    assert [item['Name'] for item in send({'Tags': [{'TagKey': 'env', 'TagValue': 'prod'}]})['Items']] == ['prod']
    send({'Limit': 51}, expected_error='InvalidParameter')
    send(
        {}, client=_tencent_member_client(send.endpoint), expected_error='InvalidParameter.OrganizationMemberNotManager'
    )


def org_describe_organization(ids, send):
    send({}, expected_error='ResourceNotFound.OrganizationNotExist')
    org = _organization(ids['admin'])
    answer = send({'Lang': 'zh'})
    assert (answer['RootNodeId'], answer['IsManager'], answer['HostUin']) == (
        org['root_node_id'],
        True,
        int(creds.TENCENT_UIN),
    )
    assert send({}, client=_tencent_member_client(send.endpoint))['IsManager'] is False


# ---------------------------------------------------------------------- instances and attachments (the drill host)
def _disk(endpoint: str, product: str, disk_id: str) -> dict:
    """A disk as DescribeDisks answers it (ECS, ENS)."""
    params = {'RegionId': HZ, 'DiskIds': json.dumps([disk_id])} if product == 'ecs' else {'DiskId': disk_id}
    answer, code = alibaba_send(endpoint, product, 'DescribeDisks', params)
    assert code is None, code
    (disk,) = answer['Disks']['Disk' if product == 'ecs' else 'Disks']
    return disk


def _cbs_disk(endpoint: str, disk_id: str) -> dict:
    (disk,) = Driver(endpoint, 'cbs', 'DescribeDisks')({'DiskIds': [disk_id]}, region=GZ)['DiskSet']
    return disk


def _alibaba_attach(send, product: str, disk_id: str, instance_id: str, ids) -> None:
    """``disk_id`` attached to ``instance_id``, the attach over (the clock moved past it)."""
    answer, code = alibaba_send(send.endpoint, product, 'AttachDisk', {'InstanceId': instance_id, 'DiskId': disk_id})
    assert code is None, (code, answer)
    ids['admin'].advance_clock(ATTACH_MOVE)


def ecs_describe_instances(ids, send):
    host, other, pending = ids['hosts']['ecs']
    found = send(
        {
            'RegionId': HZ,
            'InstanceIds': json.dumps([host, other, 'i-none']),
            'ZoneId': HZ + '-a',
            'Status': 'Running',
            'InstanceName': 'drill-*',
            'MaxResults': '10',
        }
    )['Instances']['Instance']
    assert [(item['InstanceId'], item['ZoneId'], item['Status']) for item in found] == [(host, HZ + '-a', 'Running')]
    listed = [item['InstanceId'] for item in send({'RegionId': HZ, 'MaxResults': '10'})['Instances']['Instance']]
    assert sorted(listed) == sorted([host, other, pending])
    assert len(send({'RegionId': HZ, 'MaxResults': '10', 'NextToken': rp_token(1)})['Instances']['Instance']) == 2
    # An id the region does not hold is left out, not refused.
    assert send({'RegionId': HZ, 'InstanceIds': json.dumps(['i-none'])})['Instances']['Instance'] == []
    assert send({'RegionId': BJ})['Instances']['Instance'] == []
    send({'RegionId': HZ, 'Status': 'Deleted'}, expected_error='InvalidStatus.ValueNotSupported')


def ecs_attach_disk(ids, send):
    host, other, pending = ids['hosts']['ecs']
    disk, second, spare = ids['ecs']['disks'][2:5]
    for instance_id, disk_id, code in (
        ('i-none', disk, 'InvalidInstanceId.NotFound'),
        (host, 'd-none', 'InvalidDiskId.NotFound'),
        (pending, disk, 'IncorrectInstanceStatus'),
        (other, disk, 'ResourcesNotInSameZone'),
        (host, ids['ecs']['disks'][0], 'IncorrectDiskStatus'),  # attached (seeded)
        (host, ids['ecs_restoring'], 'IncorrectDiskStatus'),  # still Creating
    ):
        send({'InstanceId': instance_id, 'DiskId': disk_id}, expected_error=code)
    send({'InstanceId': host, 'DiskId': disk})
    seen = _disk(send.endpoint, 'ecs', disk)
    assert (seen['Status'], seen['InstanceId'], seen['Device']) == ('Attaching', host, '')
    send({'InstanceId': host, 'DiskId': disk}, expected_error='IncorrectDiskStatus')
    ids['admin'].advance_clock(ATTACH_MOVE)
    seen = _disk(send.endpoint, 'ecs', disk)
    assert (seen['Status'], seen['InstanceId'], seen['Device']) == ('In_use', host, '/dev/xvdb')
    # The next disk takes the next device name; a disk of the instance is not deleted.
    send({'InstanceId': host, 'DiskId': second})
    ids['admin'].advance_clock(ATTACH_MOVE)
    assert _disk(send.endpoint, 'ecs', second)['Device'] == '/dev/xvdc'
    Driver(send.endpoint, 'ecs', 'DeleteDisk')({'DiskId': second}, expected_error='IncorrectDiskStatus')
    assert _disk(send.endpoint, 'ecs', spare)['Device'] == ''


def ecs_detach_disk(ids, send):
    host, other, dummy = ids['hosts']['ecs']
    disk = ids['ecs']['disks'][2]
    send({'InstanceId': host, 'DiskId': disk}, expected_error='DependencyViolation')  # not attached
    _alibaba_attach(send, 'ecs', disk, host, ids)
    send({'InstanceId': other, 'DiskId': disk}, expected_error='DependencyViolation')
    send({'InstanceId': 'i-none', 'DiskId': disk}, expected_error='InvalidInstanceId.NotFound')
    send({'InstanceId': host, 'DiskId': 'd-none'}, expected_error='InvalidDiskId.NotFound')
    send({'InstanceId': host, 'DiskId': disk})
    assert _disk(send.endpoint, 'ecs', disk)['Status'] == 'Detaching'
    send({'InstanceId': host, 'DiskId': disk}, expected_error='IncorrectDiskStatus')
    Driver(send.endpoint, 'ecs', 'DeleteDisk')({'DiskId': disk}, expected_error='IncorrectDiskStatus')
    ids['admin'].advance_clock(ATTACH_MOVE)
    seen = _disk(send.endpoint, 'ecs', disk)
    assert (seen['Status'], seen['InstanceId'], seen['Device']) == ('Available', '', '')
    Driver(send.endpoint, 'ecs', 'DeleteDisk')({'DiskId': disk})


def ens_describe_instances(ids, send):
    host, other, expired = ids['hosts']['ens']
    found = send(
        {
            'EnsRegionId': NODE,
            'InstanceId': host,
            'InstanceIds': json.dumps([host, other, 'i-none']),
            'Status': 'Running',
            'PageNumber': '1',
            'PageSize': '10',
        }
    )['Instances']['Instance']
    assert [(item['InstanceId'], item['EnsRegionId'], item['Status']) for item in found] == [(host, NODE, 'Running')]
    assert sorted(item['InstanceId'] for item in send({})['Instances']['Instance']) == sorted([host, other, expired])
    assert send({'InstanceIds': json.dumps(['i-none'])})['Instances']['Instance'] == []
    send({'Status': 'Deleted'}, expected_error='InvalidStatus')


def ens_attach_disk(ids, send):
    host, other, expired = ids['hosts']['ens']
    disk = ids['ens']['disks'][0]
    for instance_id, disk_id, code in (
        ('i-none', disk, 'InvalidInstanceId.NotFound'),
        (host, 'd-none', 'InvalidDiskId.NotFound'),
        (expired, disk, 'IncorrectInstanceStatus'),
        (other, disk, 'ResourcesNotInSameZone'),  # another node
        (host, ids['ens_restoring'], 'IncorrectDiskStatus'),  # still Creating
    ):
        send({'InstanceId': instance_id, 'DiskId': disk_id}, expected_error=code)
    send({'InstanceId': host, 'DiskId': disk})
    assert (_disk(send.endpoint, 'ens', disk)['Status'], _disk(send.endpoint, 'ens', disk)['InstanceId']) == (
        'Attaching',
        host,
    )
    send({'InstanceId': host, 'DiskId': disk}, expected_error='IncorrectDiskStatus')
    ids['admin'].advance_clock(ATTACH_MOVE)
    assert (_disk(send.endpoint, 'ens', disk)['Status'], _disk(send.endpoint, 'ens', disk)['InstanceId']) == (
        'In-use',
        host,
    )
    Driver(send.endpoint, 'ens', 'DeleteDisk')({'DiskId': disk}, expected_error='IncorrectDiskStatus')


def ens_detach_disk(ids, send):
    host, other, dummy = ids['hosts']['ens']
    disk = ids['ens']['disks'][0]
    send({'InstanceId': host, 'DiskId': disk}, expected_error='DependencyViolation')  # not attached
    _alibaba_attach(send, 'ens', disk, host, ids)
    send({'InstanceId': other, 'DiskId': disk}, expected_error='DependencyViolation')
    send({'InstanceId': 'i-none', 'DiskId': disk}, expected_error='InvalidInstanceId.NotFound')
    send({'InstanceId': host, 'DiskId': 'd-none'}, expected_error='InvalidDiskId.NotFound')
    send({'InstanceId': host, 'DiskId': disk})
    assert _disk(send.endpoint, 'ens', disk)['Status'] == 'Detaching'
    send({'InstanceId': host, 'DiskId': disk}, expected_error='IncorrectDiskStatus')
    ids['admin'].advance_clock(ATTACH_MOVE)
    assert (_disk(send.endpoint, 'ens', disk)['Status'], _disk(send.endpoint, 'ens', disk)['InstanceId']) == (
        'Available',
        '',
    )
    Driver(send.endpoint, 'ens', 'DeleteDisk')({'DiskId': disk})


def cvm_describe_instances(ids, send):
    host, other, pending = ids['hosts']['cbs']
    found = send({'InstanceIds': [host, other, 'ins-none'], 'Offset': 0, 'Limit': 1}, region=GZ)
    assert found['TotalCount'] == 2 and [item['InstanceId'] for item in found['InstanceSet']] == [host]
    (item,) = send(
        {
            'Filters': [
                {'Name': 'zone', 'Values': [GZ + '-1']},
                {'Name': 'instance-state', 'Values': ['RUNNING']},
                {'Name': 'instance-name', 'Values': ['drill-*']},
                {'Name': 'instance-id', 'Values': [host, pending]},
            ]
        },
        region=GZ,
    )['InstanceSet']
    assert (item['InstanceId'], item['Placement']['Zone'], item['InstanceState']) == (host, GZ + '-1', 'RUNNING')
    assert send({'InstanceIds': ['ins-none']}, region=GZ)['InstanceSet'] == []
    assert send({}, region=SH)['InstanceSet'] == []
    send({'Filters': [{'Name': 'vpc-id', 'Values': ['vpc-1']}]}, expected_error='InvalidFilter', region=GZ)
    send(
        {'InstanceIds': [host], 'Filters': [{'Name': 'zone', 'Values': [GZ + '-1']}]},
        expected_error='InvalidParameter',
        region=GZ,
    )


def cbs_attach_disks(ids, send):
    host, other, pending = ids['hosts']['cbs']
    first, second = ids['cbs']['disks'][:2]
    for params, code in (
        ({'DiskIds': [first], 'InstanceId': 'ins-none'}, 'InvalidInstanceId.NotFound'),
        ({'DiskIds': [first, 'disk-none'], 'InstanceId': host}, 'InvalidDiskId.NotFound'),
        ({'DiskIds': [first], 'InstanceId': pending}, 'InvalidInstance.NotSupported'),
        ({'DiskIds': [first], 'InstanceId': other}, 'ResourceUnavailable.ZoneNotMatch'),
        ({'DiskIds': [first, ids['cbs']['disks'][2]], 'InstanceId': host}, 'ResourceUnavailable.Attached'),
        ({'DiskIds': ['disk-%08d' % n for n in range(11)], 'InstanceId': host}, 'InvalidParameterValue.LimitExceeded'),
    ):
        send(params, expected_error=code, region=GZ)
    # All or none: nothing of a refused call is attached.
    assert _cbs_disk(send.endpoint, first)['DiskState'] == 'UNATTACHED'
    send({'DiskIds': [first, second], 'InstanceId': host}, region=GZ)
    seen = _cbs_disk(send.endpoint, first)
    assert (seen['DiskState'], seen['Attached'], seen['InstanceId']) == ('ATTACHING', False, host)
    ids['admin'].advance_clock(ATTACH_MOVE)
    seen = _cbs_disk(send.endpoint, second)
    assert (seen['DiskState'], seen['Attached'], seen['InstanceId']) == ('ATTACHED', True, host)
    send({'DiskIds': [first], 'InstanceId': host}, expected_error='ResourceUnavailable.Attached', region=GZ)


def cbs_detach_disks(ids, send):
    host, other, dummy = ids['hosts']['cbs']
    first, second = ids['cbs']['disks'][:2]
    Driver(send.endpoint, 'cbs', 'AttachDisks')({'DiskIds': [first], 'InstanceId': host}, region=GZ)
    send({'DiskIds': [first]}, expected_error='ResourceUnavailable.NotSupported', region=GZ)  # still ATTACHING
    ids['admin'].advance_clock(ATTACH_MOVE)
    send({'DiskIds': [first], 'InstanceId': other}, expected_error='InvalidParameterValue', region=GZ)
    send({'DiskIds': [first, second]}, expected_error='ResourceUnavailable.NotSupported', region=GZ)
    send({'DiskIds': [first], 'InstanceId': 'ins-none'}, expected_error='InvalidInstanceId.NotFound', region=GZ)
    Driver(send.endpoint, 'cbs', 'TerminateDisks')(
        {'DiskIds': [first]}, expected_error='ResourceUnavailable.Attached', region=GZ
    )
    send({'DiskIds': [first], 'InstanceId': host}, region=GZ)
    seen = _cbs_disk(send.endpoint, first)
    assert (seen['DiskState'], seen['Attached'], seen['InstanceId']) == ('DETACHING', True, host)
    ids['admin'].advance_clock(ATTACH_MOVE)
    seen = _cbs_disk(send.endpoint, first)
    assert (seen['DiskState'], seen['Attached'], seen['InstanceId']) == ('UNATTACHED', False, '')
    Driver(send.endpoint, 'cbs', 'TerminateDisks')({'DiskIds': [first]}, region=GZ)


SCENARIOS = {
    ('ecs', 'DescribeRegions'): regions_only,
    ('ecs', 'DescribeZones'): ecs_describe_zones,
    ('ecs', 'CreateDisk'): ecs_create_disk,
    ('ecs', 'DeleteDisk'): ecs_delete_disk,
    ('ecs', 'DescribeInstances'): ecs_describe_instances,
    ('ecs', 'AttachDisk'): ecs_attach_disk,
    ('ecs', 'DetachDisk'): ecs_detach_disk,
    ('ecs', 'DescribeDisks'): ecs_describe_disks,
    ('ecs', 'DescribeSnapshots'): ecs_describe_snapshots,
    ('ecs', 'CreateSnapshot'): ecs_create_snapshot,
    ('ecs', 'CopySnapshot'): ecs_copy_snapshot,
    ('ecs', 'DeleteSnapshot'): ecs_delete_snapshot,
    ('ecs', 'LockSnapshot'): ecs_lock_snapshot,
    ('ecs', 'DescribeLockedSnapshots'): ecs_describe_locked_snapshots,
    ('ecs', 'CreateSnapshotGroup'): ecs_create_snapshot_group,
    ('ecs', 'DescribeSnapshotGroups'): ecs_describe_snapshot_groups,
    ('ecs', 'DeleteSnapshotGroup'): ecs_delete_snapshot_group,
    ('ecs', 'TagResources'): ecs_tag_resources,
    ('ecs', 'UntagResources'): ecs_untag_resources,
    ('ecs', 'ListTagResources'): ecs_list_tag_resources,
    ('ens', 'DescribeEnsRegions'): regions_only,
    ('ens', 'CreateDisk'): ens_create_disk,
    ('ens', 'DeleteDisk'): ens_delete_disk,
    ('ens', 'DescribeInstances'): ens_describe_instances,
    ('ens', 'AttachDisk'): ens_attach_disk,
    ('ens', 'DetachDisk'): ens_detach_disk,
    ('ens', 'ModifySnapshotAttribute'): ens_modify_snapshot_attribute,
    ('ens', 'DescribeDisks'): ens_describe_disks,
    ('ens', 'DescribeSnapshots'): ens_describe_snapshots,
    ('ens', 'CreateSnapshot'): ens_create_snapshot,
    ('ens', 'CopySnapshot'): ens_copy_snapshot,
    ('ens', 'DeleteSnapshot'): ens_delete_snapshot,
    ('ens', 'TagResources'): ens_tag_resources,
    ('ens', 'UntagResources'): ens_untag_resources,
    ('ens', 'ListTagResources'): ens_list_tag_resources,
    ('cbs', 'DescribeDisks'): cbs_describe_disks,
    ('cbs', 'DescribeDiskConfigQuota'): cbs_describe_disk_config_quota,
    ('cbs', 'CreateDisks'): cbs_create_disks,
    ('cbs', 'TerminateDisks'): cbs_terminate_disks,
    ('cbs', 'AttachDisks'): cbs_attach_disks,
    ('cbs', 'DetachDisks'): cbs_detach_disks,
    ('cvm', 'DescribeInstances'): cvm_describe_instances,
    ('cbs', 'DescribeSnapshots'): cbs_describe_snapshots,
    ('cbs', 'CreateSnapshot'): cbs_create_snapshot,
    ('cbs', 'CopySnapshotCrossRegions'): cbs_copy_snapshot_cross_regions,
    ('cbs', 'DeleteSnapshots'): cbs_delete_snapshots,
    ('cbs', 'CreateSnapshotGroup'): cbs_create_snapshot_group,
    ('cbs', 'DescribeSnapshotGroups'): cbs_describe_snapshot_groups,
    ('cbs', 'DeleteSnapshotGroup'): cbs_delete_snapshot_group,
    ('cbs', 'ModifySnapshotsSharePermission'): cbs_modify_snapshots_share_permission,
    ('cbs', 'DescribeSnapshotSharePermission'): cbs_describe_snapshot_share_permission,
    ('tag', 'TagResources'): tag_tag_resources,
    ('tag', 'UnTagResources'): tag_untag_resources,
    ('tag', 'AttachResourcesTag'): tag_attach_resources_tag,
    ('tag', 'DetachResourcesTag'): tag_detach_resources_tag,
    ('tag', 'ModifyResourceTags'): tag_modify_resource_tags,
    ('tag', 'GetResources'): tag_get_resources,
    ('alibaba_sts', 'AssumeRole'): alibaba_sts_assume_role,
    ('alibaba_sts', 'GetCallerIdentity'): alibaba_sts_get_caller_identity,
    ('resourcesharing', 'CreateResourceShare'): rs_create_resource_share,
    ('resourcesharing', 'AssociateResourceShare'): rs_associate_resource_share,
    ('resourcesharing', 'DisassociateResourceShare'): rs_disassociate_resource_share,
    ('resourcesharing', 'ListResourceShares'): rs_list_resource_shares,
    ('resourcesharing', 'ListSharedResources'): rs_list_shared_resources,
    ('resourcesharing', 'ListResourceShareInvitations'): rs_list_resource_share_invitations,
    ('resourcesharing', 'AcceptResourceShareInvitation'): rs_accept_resource_share_invitation,
    ('resourcesharing', 'ListResourceShareAssociations'): rs_list_resource_share_associations,
    ('kms', 'ListAliasesByKeyId'): kms_list_aliases_by_key_id,
    ('ram', 'GetRole'): ram_get_role,
    ('tencent_sts', 'AssumeRole'): tencent_sts_assume_role,
    ('tencent_sts', 'GetCallerIdentity'): tencent_sts_get_caller_identity,
    ('resourcemanager', 'ListAccounts'): rm_list_accounts,
    ('resourcemanager', 'ListAccountsForParent'): rm_list_accounts_for_parent,
    ('resourcemanager', 'ListFoldersForParent'): rm_list_folders_for_parent,
    ('resourcemanager', 'GetResourceDirectory'): rm_get_resource_directory,
    ('organization', 'DescribeOrganizationMembers'): org_describe_organization_members,
    ('organization', 'DescribeOrganizationNodes'): org_describe_organization_nodes,
    ('organization', 'DescribeOrganization'): org_describe_organization,
}


def run_scenario(endpoint: str, admin, product: str, action: str) -> Driver:
    driver = Driver(endpoint, product, action)
    SCENARIOS[(product, action)](seed(admin), driver)
    return driver


def vendor_parameters(product: str, action: str) -> set:
    if product in ALIBABA_PRODUCTS:
        return set(alibaba.wire_parameters(product, action))
    return tencent.request_fields(product, action)


# ---------------------------------------------------------------------- the tests
def test_every_action_has_a_scenario():
    emulated = {(product, action) for product, actions in ACTIONS.items() for action in actions}
    assert emulated == set(SCENARIOS)


@pytest.mark.parametrize('product, action', sorted(SCENARIOS))
def test_the_action_answers_as_the_vendor_model_says(fakecloud_clean, product, action):
    driver = run_scenario(fakecloud_clean.endpoint, fakecloud_clean.admin, product, action)
    assert driver.problems == []
    # Some actions can only be refused here (ENS tags instances, which fakecloud has none of).
    assert driver.answers or action in ('TagResources', 'UntagResources')


@pytest.mark.parametrize('product, action', sorted(SCENARIOS))
def test_every_parameter_accepted_is_the_vendors_and_is_sent(fakecloud_clean, product, action):
    declared = set(ACTIONS[product][action].parameters)
    vendor = vendor_parameters(product, action)
    assert declared - vendor == set(), 'fakecloud accepts parameters the vendor model of %s %s lacks' % (
        product,
        action,
    )
    driver = run_scenario(fakecloud_clean.endpoint, fakecloud_clean.admin, product, action)
    # RegionId goes with every Alibaba request (the V1 SDK adds it), so it cannot tell a scenario apart.
    assert driver.sent - ALIBABA_PROTOCOL == declared - ALIBABA_PROTOCOL, (
        'the scenario of %s %s does not send exactly what it accepts' % (product, action)
    )


def test_required_parameters_are_required(fakecloud_clean):
    """What the models mark required is refused when missing, where the collection relies on it."""
    ids = seed(fakecloud_clean.admin)
    assert {'DestinationSnapshotName', 'DestinationSnapshotDescription'} <= alibaba.required_parameters(
        'ecs', 'CopySnapshot'
    )
    send = Driver(fakecloud_clean.endpoint, 'ecs', 'CopySnapshot')
    for missing in ('DestinationSnapshotName', 'DestinationSnapshotDescription'):
        params = {
            'RegionId': HZ,
            'SnapshotId': ids['ecs']['snapshots'][2],
            'DestinationRegionId': BJ,
            'DestinationSnapshotName': 'x-copy',
            'DestinationSnapshotDescription': 'a copy',
        }
        del params[missing]
        send(params, expected_error='MissingParameter')


def test_required_disk_parameters_are_required(fakecloud_clean):
    assert alibaba.required_parameters('ens', 'CreateDisk') == {'EnsRegionId', 'Category', 'InstanceChargeType'}
    send = Driver(fakecloud_clean.endpoint, 'ens', 'CreateDisk')
    for missing in ('EnsRegionId', 'Category', 'InstanceChargeType'):
        params = {'EnsRegionId': NODE, 'Category': 'cloud_ssd', 'InstanceChargeType': 'PostPaid', 'Size': '20'}
        del params[missing]
        send(params, expected_error='MissingParameter')
    assert alibaba.required_parameters('ens', 'ModifySnapshotAttribute') == {'SnapshotId'}
    Driver(fakecloud_clean.endpoint, 'ens', 'ModifySnapshotAttribute')(
        {'Description': 'x-y'}, expected_error='MissingParameter'
    )


def test_disk_rules_are_the_models():
    """The disk categories, sizes, states and zone answer fakecloud uses are those the models document."""
    assert alibaba.documented_values('ecs', 'CreateDiskRequest', 'DiskCategory') == list(ecs.DISK_CATEGORIES)
    assert alibaba.documented_values('ecs', 'CreateDiskRequest', 'PerformanceLevel') == list(ecs.ESSD_SIZES)
    sizes = {}
    for line in alibaba.field_doc('ecs', 'CreateDiskRequest', 'Size').replace(',', '').splitlines():
        match = re.match(r'\s*-\s+(\w+): (\d+) to (\d+)\.', line)
        if match:
            sizes[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    assert sizes == dict(ecs.DISK_SIZES, **ecs.ESSD_SIZES)
    assert alibaba.documented_values('ecs', 'DescribeDisksRequest', 'Status') == [*ecs._DISK_STATUSES, 'All']  # pylint: disable=protected-access
    assert alibaba.documented_values('ens', 'DescribeDisksRequest', 'Status') == list(ens._DISK_STATUSES)  # pylint: disable=protected-access
    assert set(ens._DISK_CATEGORIES) <= set(alibaba.documented_values('ens', 'DescribeDisksRequest', 'Category'))  # pylint: disable=protected-access
    for hint in (
        alibaba.fields('ens', 'CreateDiskResponseBody')['InstanceIds'],
        alibaba.fields('ecs', 'DescribeZonesResponseBodyZonesZoneAvailableDiskCategories')['DiskCategories'],
    ):
        assert (typing.get_origin(hint), typing.get_args(hint)) == (list, (str,))  # lists of strings
    cbs_types = tencent.documented_values('cbs', 'CreateDisksRequest', 'DiskType')
    assert set(config.DISK_CATEGORIES['cbs']) <= set(cbs_types) <= set(cbs.DISK_SIZES)
    assert set(config.DISK_CATEGORIES['ecs']) <= set(ecs.DISK_CATEGORIES)
    assert {'UNATTACHED', 'ATTACHED', cbs.TORECYCLE} <= set(tencent.documented_values('cbs', 'Disk', 'DiskState'))
    assert cbs.TORECYCLE in tencent.documented_values('cbs', 'DescribeDisksRequest', 'Filters', 'disk-state')
    assert '100' in cbs_client.CbsClient.TerminateDisks.__doc__ and cbs._MAX_TERMINATE == 100  # pylint: disable=protected-access
    # Nothing in a CBS Disk names the snapshot it was made from (only counts and sizes of its own snapshots).
    assert {name for name in tencent.fields('cbs', 'Disk') if 'Snapshot' in name} == {
        'SnapshotCount',
        'SnapshotSize',
        'SnapshotAbility',
        'DeleteSnapshot',
        'AutoSnapshotPolicyIds',
    }


def test_every_cbs_error_code_is_the_sdks():
    """Each code fakecloud's CBS answers with by name is one the SDK's errorcodes.py lists (whether that action answers
    it is the comment's business: many are unverifiable)."""
    listed = {value for name, value in vars(errorcodes).items() if name.isupper()}
    named = set(re.findall(r"CloudError\('([A-Za-z.]+)'", inspect.getsource(cbs))) | {cbs.REPEAT_REFUND}
    assert named and named <= listed, sorted(named - listed)


def test_a_resource_takes_the_tag_services_50_tags_and_no_more(fakecloud_clean):
    """A resource carries at most 50 tags (the Tag usage limits, cloud.tencent.com/document/product/597/33355); the
    code past it is one the Tag SDK lists. AttachResourcesTag changes all of its resources or none."""
    from tencentcloud.tag.v20180813 import errorcodes as tag_errorcodes  # pylint: disable=import-outside-toplevel

    listed = {value for name, value in vars(tag_errorcodes).items() if name.isupper()}
    assert 'LimitExceeded.ResourceAttachedTags' in listed
    full = {'team-%02d' % number: 'x' for number in range(50)}
    seeded = fakecloud_clean.admin.seed(cbs={'snapshots': [{'region': GZ, 'tags': full}, {'region': GZ}]})
    ids = {'cbs': {'snapshots': seeded['cbs']['snapshots']}}
    attach = Driver(fakecloud_clean.endpoint, 'tag', 'AttachResourcesTag')
    attach(_attach_params(ids, 0, 1, TagValue='v'), expected_error='LimitExceeded.ResourceAttachedTags')
    attach(_attach_params(ids, 0, TagKey='team-00', TagValue='y'))  # a key it carries: no more tags
    attach(_attach_params(ids, 1, TagValue='v'))
    state = fakecloud_clean.admin.state(cloud='cbs', region=GZ)['cbs'][GZ]['snapshots']
    tags = {snapshot['id']: snapshot['tags'] for snapshot in state}
    first, second = seeded['cbs']['snapshots']
    assert len(tags[first]) == 50 and tags[first]['team-00'] == 'y' and tags[second] == {'lease': 'v'}
    tag_resources = Driver(fakecloud_clean.endpoint, 'tag', 'TagResources')
    answer = tag_resources({'ResourceList': [_cbs_resource(ids, 0)], 'Tags': [{'TagKey': 'lease', 'TagValue': 'v'}]})
    assert [row['Code'] for row in answer['FailedResources']] == ['LimitExceeded.ResourceAttachedTags']


def test_a_returned_disk_is_torecycle_for_a_while_then_gone(fakecloud_clean):
    """TerminateDisks takes a pay-as-you-go disk to TORECYCLE (timings.cbs.recycle_seconds); returning it again answers
    ResourceUnavailable.RepeatRefund, a snapshot of it is refused, and CreateDisks' ClientToken names it even once
    gone."""
    admin = fakecloud_clean.admin
    admin.configure(timings={'cbs': {'recycle_seconds': 60}})
    ids = seed(admin)
    made = Driver(fakecloud_clean.endpoint, 'cbs', 'CreateDisks')
    params = {
        'Placement': {'Zone': 'ap-guangzhou-1'},
        'DiskChargeType': 'POSTPAID_BY_HOUR',
        'DiskType': 'CLOUD_PREMIUM',
        'SnapshotId': ids['cbs']['snapshots'][1],
        'DiskCount': 1,
        'ClientToken': 'conformance-returned',
    }
    (disk,) = made(params, region=GZ)['DiskIdSet']
    admin.advance_clock(ATTACH_MOVE)
    terminate = Driver(fakecloud_clean.endpoint, 'cbs', 'TerminateDisks')
    terminate({'DiskIds': [disk]}, region=GZ)
    describe = Driver(fakecloud_clean.endpoint, 'cbs', 'DescribeDisks')
    (listed,) = describe({'Filters': [{'Name': 'disk-state', 'Values': [cbs.TORECYCLE]}]}, region=GZ)['DiskSet']
    assert (listed['DiskId'], listed['DiskState']) == (disk, cbs.TORECYCLE)
    assert describe.problems == []
    terminate({'DiskIds': [disk]}, expected_error=cbs.REPEAT_REFUND, region=GZ)
    # All or none: the other disk of the request stays.
    terminate({'DiskIds': [ids['cbs']['disks'][1], disk]}, expected_error=cbs.REPEAT_REFUND, region=GZ)
    assert describe({'DiskIds': [ids['cbs']['disks'][1]]}, region=GZ)['DiskSet'][0]['DiskState'] == 'UNATTACHED'
    snapshot = Driver(fakecloud_clean.endpoint, 'cbs', 'CreateSnapshot')
    snapshot({'DiskId': disk}, expected_error='UnsupportedOperation.StateError', region=GZ)
    admin.advance_clock(60)
    assert describe({'DiskIds': [disk]}, region=GZ)['DiskSet'] == []
    terminate({'DiskIds': [disk]}, expected_error='InvalidDiskId.NotFound', region=GZ)
    assert made(params, region=GZ)['DiskIdSet'] == [disk], 'the token names the disk it made, gone or not'


def test_unknown_parameters_are_refused(fakecloud_clean):
    send = Driver(fakecloud_clean.endpoint, 'cbs', 'DescribeSnapshots')
    send({'Limit': 10, 'Colour': 'red'}, expected_error='UnknownParameter', region=GZ)
    send(
        {'Filters': [{'Name': 'disk-id', 'Values': ['x'], 'Fuzzy': True}]}, expected_error='UnknownParameter', region=GZ
    )
    send = Driver(fakecloud_clean.endpoint, 'ens', 'DescribeDisks')
    send({'EnsRegionId': NODE, 'Tag.1.Key': 'dr'}, expected_error='InvalidParameter')


def test_documented_limits_and_states_are_the_models(fakecloud_clean):
    """The limits fakecloud enforces and the states it answers are those the models document."""
    assert alibaba.documented_maximum('ens', 'DescribeDisksRequest', 'PageSize') == 50
    assert alibaba.documented_maximum('ecs', 'DescribeDisksRequest', 'MaxResults') == 500
    assert alibaba.documented_maximum('ecs', 'DescribeSnapshotsRequest', 'MaxResults') == 100
    assert alibaba.documented_values('ens', 'DescribeSnapshotsResponseBodySnapshots', 'Status') == [
        'creating',
        'available',
        'deleting',
        'error',
    ]
    assert set(ens.STATUS_WORDS.values()) | {'deleting'} == {'creating', 'available', 'deleting', 'error'}
    # ECS snapshot-consistent groups: the states, and how many groups, disks and answers a call takes.
    assert alibaba.documented_values('ecs', 'DescribeSnapshotGroupsRequest', 'Status') == list(ecs.GROUP_STATUSES)
    assert set(ecs.GROUP_STATUSES) == set(ecs.STATUS_WORDS.values())
    assert alibaba.documented_maximum('ecs', 'DescribeSnapshotGroupsRequest', 'MaxResults') == 100
    assert alibaba.documented_maximum('ecs', 'DescribeSnapshotGroupsRequest', 'SnapshotGroupId') == 10
    assert alibaba.documented_maximum('ecs', 'CreateSnapshotGroupRequest', 'DiskId') == ecs.MAX_GROUP_DISKS
    assert (
        '256 TiB' in alibaba.field_doc('ecs', 'CreateSnapshotGroupRequest', 'DiskId')
        and ecs.MAX_GROUP_GIB == 256 * 1024
    )
    # fakecloud enforces the API reference's stricter 16 disks and 32 TiB (ecs.py quotes it), below the model's.
    assert (ecs.GROUP_DISK_LIMIT, ecs.GROUP_GIB_LIMIT) == (16, 32 * 1024) and ecs.GROUP_DISK_LIMIT < ecs.MAX_GROUP_DISKS
    # A disk's MultiAttach, which CreateSnapshotGroup refuses when enabled: the values DescribeDisks filters on.
    assert alibaba.documented_values('ecs', 'DescribeDisksRequest', 'MultiAttach') == [
        'Disabled',
        'Enabled',
        'LegacyShared',
    ]
    assert 'MultiAttach' in alibaba.fields('ecs', 'DescribeDisksResponseBodyDisksDisk')
    assert 'cannot be set at the same time' in alibaba.field_doc('ecs', 'CreateSnapshotGroupRequest', 'ExcludeDiskId')
    assert alibaba.required_parameters('ecs', 'DeleteSnapshotGroup') == {'RegionId', 'SnapshotGroupId'}
    # Nothing in DescribeSnapshots' snapshot names its group: members are read from DescribeSnapshotGroups.
    assert not [
        name
        for name in alibaba.fields('ecs', 'DescribeSnapshotsResponseBodySnapshotsSnapshot')
        if 'SnapshotGroup' in name
    ]
    # CBS snapshot groups: the states, the filters, the one type and how many answers a call takes.
    assert tencent.documented_values('cbs', 'SnapshotGroup', 'SnapshotGroupState') == list(cbs.GROUP_STATES)
    assert tencent.documented_filters('cbs', 'DescribeSnapshotGroups') == list(cbs._GROUP_FILTERS)  # pylint: disable=protected-access
    assert tencent.documented_maximum('cbs', 'DescribeSnapshotGroupsRequest', 'Limit') == 100
    assert 'NORMAL' in tencent.field_doc('cbs', 'SnapshotGroup', 'SnapshotGroupType')
    assert not [name for name in tencent.fields('cbs', 'Snapshot') if 'Group' in name]
    states = tencent.documented_values('cbs', 'DescribeSnapshotsRequest', 'Filters', 'snapshot-state')
    assert {'NORMAL', 'CREATING', 'COPYING_FROM_REMOTE', 'CHECKING_COPIED', 'TORECYCLE'} <= set(states)
    assert set(cbs._SNAPSHOT_FILTERS) <= set(tencent.documented_filters('cbs', 'DescribeSnapshots'))  # pylint: disable=protected-access
    disk_filters = tencent.documented_filters('cbs', 'DescribeDisks')
    assert {name.replace('tag:*', 'tag:tag-key') for name in cbs._DISK_FILTERS} <= set(disk_filters)  # pylint: disable=protected-access
    for action, field, limit in (
        ('TagResources', 'ResourceList', tag.MAX_RESOURCES_PER_CALL),
        ('TagResources', 'Tags', tag.MAX_TAGS_PER_CALL),
        ('UnTagResources', 'ResourceList', tag.MAX_RESOURCES_PER_CALL),
        ('UnTagResources', 'TagKeys', tag.MAX_KEYS_PER_CALL),
    ):
        assert tencent.documented_maximum('tag', action + 'Request', field) == limit, (action, field)


def test_ecs_untagging_limits_are_the_models():
    """UntagResources takes 50 resources and 20 keys a call (the DR run's untag_copies batches so), as the model's docs
    state them."""
    assert 'up to 50 resource IDs' in alibaba.field_doc('ecs', 'UntagResourcesRequest', 'ResourceId')
    assert 'up to %d tag keys' % ecs.MAX_UNTAG_KEYS in alibaba.field_doc('ecs', 'UntagResourcesRequest', 'TagKey')


def test_attachment_facts_are_the_models():
    """The instance states, disk states, limits and fields of the drill host's calls are those the models document."""
    # Instance states: ECS's and ENS's DescribeInstancesRequest.Status, CVM's InstanceStatus.InstanceState.
    assert alibaba.documented_values('ecs', 'DescribeInstancesRequest', 'Status') == list(ecs.INSTANCE_STATUSES)
    assert alibaba.documented_values('ens', 'DescribeInstancesRequest', 'Status') == list(ens.INSTANCE_STATUSES)
    assert tencent.documented_values('cvm', 'InstanceStatus', 'InstanceState') == list(resources.INSTANCE_STATES['cbs'])
    assert (resources.INSTANCE_STATES['ecs'], resources.INSTANCE_STATES['ens']) == (
        ecs.INSTANCE_STATUSES,
        ens.INSTANCE_STATUSES,
    )
    # Instance.InstanceState points to the table of states ("实例状态表") that InstanceStatus.InstanceState lists.
    assert '实例状态表' in tencent.field_doc('cvm', 'Instance', 'InstanceState')
    # A disk's states while an instance has it.
    assert {'In_use', 'Attaching', 'Detaching', 'Available'} <= set(ecs._DISK_STATUSES)  # pylint: disable=protected-access
    assert {'In-use', 'Attaching', 'Detaching', 'Available'} <= set(ens._DISK_STATUSES)  # pylint: disable=protected-access
    assert {'UNATTACHED', 'ATTACHING', 'ATTACHED', 'DETACHING'} <= set(
        tencent.documented_values('cbs', 'Disk', 'DiskState')
    )
    # One zone (ECS), one node (ENS); AttachDisk and DetachDisk take InstanceId and DiskId, both required.
    assert 'same zone' in alibaba.field_doc('ecs', 'AttachDiskRequest', 'DiskId')
    assert 'same node' in alibaba.field_doc('ens', 'AttachDiskRequest', 'DiskId')
    for product in ('ecs', 'ens'):
        for action in ('AttachDisk', 'DetachDisk'):
            assert alibaba.required_parameters(product, action) == {'InstanceId', 'DiskId'}, (product, action)
    # Only ECS names the device: ENS's and CBS's disks have no such field.
    assert 'Device' in alibaba.fields('ecs', 'DescribeDisksResponseBodyDisksDisk')
    assert 'Device' not in alibaba.fields('ens', 'DescribeDisksResponseBodyDisksDisks')
    assert not [name for name in tencent.fields('cbs', 'Disk') if 'Device' in name]
    # CBS: at most 10 disks a call; CVM: at most 100 ids and 100 answers a call.
    assert tencent.documented_maximum('cbs', 'AttachDisksRequest', 'DiskIds') == cbs._MAX_ATTACH  # pylint: disable=protected-access
    assert tencent.documented_maximum('cbs', 'DetachDisksRequest', 'DiskIds') == cbs._MAX_ATTACH  # pylint: disable=protected-access
    assert '上限为100' in tencent.field_doc('cvm', 'DescribeInstancesRequest', 'InstanceIds') and cvm.MAX_IDS == 100
    assert tencent.documented_maximum('cvm', 'DescribeInstancesRequest', 'Limit') == 100
    filters_doc = tencent.field_doc('cvm', 'DescribeInstancesRequest', 'Filters')
    assert all('<strong>%s</strong>' % name in filters_doc for name in cvm.FILTERS)
    # The ECS and ENS instance lists take JSON arrays of up to 100 ids.
    assert '100' in alibaba.field_doc('ecs', 'DescribeInstancesRequest', 'InstanceIds')
    assert '100' in alibaba.field_doc('ens', 'DescribeInstancesRequest', 'InstanceIds')
    # Every code the CBS attach calls answer is one the SDK lists.
    listed = {value for name, value in vars(errorcodes).items() if name.isupper()}
    assert {
        'ResourceUnavailable.Attached',
        'ResourceUnavailable.ZoneNotMatch',
        'ResourceUnavailable.NotSupported',
        'InvalidInstance.NotSupported',
        'InvalidInstanceId.NotFound',
    } <= listed


# ---------------------------------------------------------------------- the check is not vacuous
@pytest.fixture
def private_emulator():
    """An emulator in this process, so that a test can change how it renders an answer."""
    server = FakeCloudServer(('127.0.0.1', 0), Store())
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield '127.0.0.1:%d' % server.server_address[1], AdminClient('http://127.0.0.1:%d' % server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_an_injected_shape_error_is_caught(private_emulator, monkeypatch):
    endpoint, admin = private_emulator
    assert run_scenario(endpoint, admin, 'ens', 'DescribeDisks').problems == []
    rendered = ens.render_disk

    def as_0_1_0_assumed(disk, now):
        answer = rendered(disk, now)
        answer['Tags'] = {'Tag': [{'TagKey': key, 'TagValue': value} for key, value in disk['tags'].items()]}
        return answer

    monkeypatch.setattr(ens, 'render_disk', as_0_1_0_assumed)
    admin.reset()
    problems = run_scenario(endpoint, admin, 'ens', 'DescribeDisks').problems
    assert 'Disks.Disks[0].Tags.Tag: not in DescribeDisksResponseBodyDisksDisksTags' in problems

    entry = ens.ACTIONS['CreateSnapshot']
    monkeypatch.setitem(ens.ACTIONS, 'CreateSnapshot', entry._replace(handler=lambda call: {'SnapshotId': 'sp-made'}))
    admin.reset()
    problems = run_scenario(endpoint, admin, 'ens', 'CreateSnapshot').problems
    assert problems == ['SnapshotId: not in CreateSnapshotResponseBody']

    percent_as_text = cbs.render_snapshot
    monkeypatch.setattr(cbs, 'render_snapshot', lambda *args: dict(percent_as_text(*args), Percent='100'))
    admin.reset()
    problems = run_scenario(endpoint, admin, 'cbs', 'DescribeSnapshots').problems
    assert any(problem.startswith('SnapshotSet[0].Percent: str') for problem in problems)
