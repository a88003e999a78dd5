"""Tencent Cloud CVM 2017-03-12: DescribeInstances, the one CVM call the restore drill makes (its drill host: the zone an
instance is in, and whether it runs). Instances are seeded only (``/_admin/seed`` ``cbs.instances``); fakecloud keeps
them beside the CBS disks they are attached to (store.instances['cbs']), as CBS's AttachDisks names them.

CVM shares its API version with CBS: server.py tells them apart by the service the request is signed for (the TC3
credential scope, ``cvm``), as Tag and STS. The model: tencentcloud-sdk-python-cvm, tencentcloud.cvm.v20170312.models
(CVM-M in the README)."""

from __future__ import annotations

import fnmatch

from . import tc_params as p
from .actions import action
from .errors import CloudError, tc_invalid
from .resources import iso_z

# The instances' table: Tencent's instances are kept with the CBS disks (resources.INSTANCE_ID_STYLE).
TABLE = 'cbs'
# The filters handled, among those DescribeInstancesRequest.Filters documents (each a <strong>name</strong> item of its
# doc); any other is InvalidFilter, a code the SDK lists.
FILTERS = ('zone', 'instance-id', 'instance-name', 'instance-state')
# InstanceIds: "每次请求的实例的上限为100" (at most 100 a request); Limit: "最大值为100" (CVM-M
# DescribeInstancesRequest).
MAX_IDS = 100


def render_instance(instance: dict) -> dict:
    """CVM-M Instance: what the drill reads (Placement.Zone, InstanceState) and a few fields around it. A pay-as-you-go
    instance in the default project, untagged (Instance.InstanceChargeType POSTPAID_BY_HOUR, Placement.ProjectId 0,
    RestrictState NORMAL); what fakecloud does not emulate is left out, which the model allows."""
    return {
        'Placement': {'Zone': instance['zone'], 'ProjectId': 0},
        'InstanceId': instance['id'],
        'InstanceName': instance['name'],
        'InstanceState': instance['state'],
        'InstanceChargeType': 'POSTPAID_BY_HOUR',
        'RestrictState': 'NORMAL',
        'CreatedTime': iso_z(instance['created']),
        'Tags': [],
    }


def _matches(instance: dict, name: str, values: list) -> bool:
    if name == 'instance-name':
        # Instance names are matched as written; "*" is a wildcard, as ECS's InstanceName (unverifiable for CVM).
        return any(fnmatch.fnmatchcase(instance['name'], value) for value in values)
    field = {'zone': instance['zone'], 'instance-id': instance['id'], 'instance-state': instance['state']}[name]
    return field in values


def describe_instances(call) -> dict:
    """The region's instances, by InstanceIds (at most 100) or Filters, never both ("参数不支持同时指定InstanceIds和Filters";
    the code InvalidParameter is among the codes the Go SDK lists for the action, unverifiable that it answers this);
    Offset, Limit (default 20, at most 100). An id the region does not hold is left out of the answer, not refused
    (unverifiable: the docstring says nothing of it; the collection reads an empty answer as not found)."""
    prm = call.params
    ids = p.str_list(prm, 'InstanceIds', limit=MAX_IDS)
    flt = p.filters(prm, FILTERS)
    if ids is not None and flt:
        raise CloudError('InvalidParameter', 'InstanceIds and Filters cannot be specified at the same time.', 200)
    offset = p.integer(prm, 'Offset', 0, 0)
    limit = p.integer(prm, 'Limit', 20, 1, 100)
    if any(not values for dummy, values in flt):
        raise tc_invalid('Filters.Values')
    found = sorted(
        (
            instance
            for instance in call.store.instances[TABLE].values()
            if instance['region'] == call.region
            and (ids is None or instance['id'] in ids)
            and all(_matches(instance, name, values) for name, values in flt)
        ),
        key=lambda instance: (instance['created'], instance['id']),
    )
    return {'TotalCount': len(found), 'InstanceSet': [render_instance(i) for i in found[offset : offset + limit]]}


# Each action: its handler, whether it can change state, and the parameters it accepts (the fields of the SDK's request
# model, cvm 2017-03-12; checked by tests/fakecloud/tests/test_conformance.py).
ACTIONS = {
    'DescribeInstances': action(
        describe_instances, False, 'InstanceIds', 'Filters', 'Filters.Name', 'Filters.Values', 'Offset', 'Limit'
    ),
}
