"""Tencent Cloud Tag 2018-08-13 for CBS disks and snapshots (six-segment resource names)."""

from __future__ import annotations

from . import tc_params as p
from .actions import action
from .errors import CloudError, tc_invalid, tc_missing
from .rpc_params import decode_token, encode_token

# Reserved key prefixes, both sources': the SDK's error code InvalidParameterValue.ReservedTagKey ("系统预留标签键 qcloud、
# tencent和project 禁止创建", tag 2018-08-13 errorcodes.py) and the Tag service's use limits ("qcs:、project、项目开头的标签键
# 为系统预留标签键", cloud.tencent.com/document/product/651/13354). Compared without case (unverifiable: neither says).
_RESERVED_PREFIXES = ('qcloud', 'tencent', 'project', 'qcs:', '项目')


def check_tag(key: str, value) -> None:
    """A tag the Tag service takes (issue 61): a key not reserved, a value of 1 to 255 characters ("标签值必须最少为1，最多为
    255个 Unicode 字符", the use limits; InvalidParameterValue.TagValueEmpty "标签值不能为空值" and
    InvalidParameterValue.TagValueLengthExceeded, errorcodes.py)."""
    if key.lower().startswith(_RESERVED_PREFIXES):
        raise CloudError('InvalidParameterValue.ReservedTagKey', 'The tag key `%s` is reserved.' % key, 200)
    if value == '':
        raise CloudError('InvalidParameterValue.TagValueEmpty', 'The value of the tag `%s` is empty.' % key, 200)
    if not isinstance(value, str) or len(value) > 255:
        raise CloudError(
            'InvalidParameterValue.TagValueLengthExceeded', 'The value of the tag `%s` is too long.' % key, 200
        )


_TYPES = {'snapshot': 'snapshots', 'volume': 'disks'}
# "每个云资源允许的最大标签数是50" (a cloud resource carries at most 50 tags: cloud.tencent.com/document/product/597/33355,
# the Tag usage limits); past it, LimitExceeded.ResourceAttachedTags ("资源关联的标签数超过限制", tag 2018-08-13
# errorcodes.py), naming no resource (the message: unverifiable). test_conformance.py holds both.
_MAX_TAGS_PER_RESOURCE = 50
# Per call: ResourceList, Tags and TagKeys each "N from 0 to 9" (TAG-M TagResourcesRequest, UnTagResourcesRequest), read
# as at most 9, the harder reading for a client (test_conformance.py holds these to the models).
MAX_RESOURCES_PER_CALL = 9
MAX_TAGS_PER_CALL = 9
MAX_KEYS_PER_CALL = 9


def resource_name(store, kind: str, record: dict) -> str:
    return 'qcs::cvm:%s:uin/%s:%s/%s' % (record['region'], store.config['tencent_uin'], kind, record['id'])


def _bad_resource(resource) -> CloudError:
    return CloudError(
        'InvalidParameterValue.ResourceDescriptionError', 'The resource description `%s` is not valid.' % resource, 200
    )


def parse_resource(store, resource) -> tuple:
    """``qcs::cvm:REGION:uin/UIN:snapshot/ID`` -> (kind, record or None); the uin part may be empty."""
    parts = resource.split(':') if isinstance(resource, str) else []
    if len(parts) != 6 or parts[0] != 'qcs' or parts[2] not in ('cvm', 'cbs') or not parts[4].startswith('uin/'):
        raise _bad_resource(resource)
    kind, dummy, resource_id = parts[5].partition('/')
    if kind not in _TYPES or not resource_id:
        raise _bad_resource(resource)
    record = getattr(store, _TYPES[kind])['cbs'].get(resource_id)
    if record is not None and record['region'] != parts[3]:
        record = None
    return kind, record


def _tag_list(params: dict, name: str, need_value: bool = True) -> list:
    items = params.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        raise tc_invalid(name)
    result = []
    for item in items:
        key = item.get('TagKey') if isinstance(item, dict) else None
        if not key or len(key) > 127:
            raise tc_invalid(name + '.TagKey')
        value = item.get('TagValue', '')
        check_tag(key, value if need_value else 'any')
        result.append((key, value))
    return result


def _not_found(resource: str) -> dict:
    return {'Resource': resource, 'Code': 'ResourceNotFound', 'Message': 'The resource does not exist.'}


def tag_resources(call) -> dict:
    resources = p.str_list(call.params, 'ResourceList', required=True, limit=MAX_RESOURCES_PER_CALL)
    tags = _tag_list(call.params, 'Tags')
    if not tags:
        raise tc_missing('Tags')
    if len(tags) > MAX_TAGS_PER_CALL:
        raise tc_invalid('Tags', 'At most %d items.' % MAX_TAGS_PER_CALL)
    failed = []
    for resource in resources:
        dummy, record = parse_resource(call.store, resource)
        if record is None:
            failed.append(_not_found(resource))
            continue
        if len(set(record['tags']) | {k for k, dummy in tags}) > _MAX_TAGS_PER_RESOURCE:
            failed.append(
                {
                    'Resource': resource,
                    'Code': 'LimitExceeded.ResourceAttachedTags',
                    'Message': 'The resource has too many tags.',
                }
            )
            continue
        record['tags'].update(tags)
        call.changed(record['region'])
    return {'FailedResources': failed}


def untag_resources(call) -> dict:
    resources = p.str_list(call.params, 'ResourceList', required=True, limit=MAX_RESOURCES_PER_CALL)
    # A key the resource does not carry is no failure (unverifiable: neither the model nor the API page says).
    keys = p.str_list(call.params, 'TagKeys', required=True, limit=MAX_KEYS_PER_CALL)
    failed = []
    for resource in resources:
        dummy, record = parse_resource(call.store, resource)
        if record is None:
            failed.append(_not_found(resource))
            continue
        for key in keys:
            record['tags'].pop(key, None)
        call.changed(record['region'])
    return {'FailedResources': failed}


# AttachResourcesTag, DetachResourcesTag: "ResourceIds.N ... up to 50 resources" of one service, prefix and region, and one
# tag key (tag 2018-08-13 AttachResourcesTagRequest, DetachResourcesTagRequest).
MAX_RESOURCE_IDS_PER_CALL = 50


def _resources_by_id(call) -> tuple[list, str]:
    """The records ResourceIds names (ServiceType, ResourcePrefix and ResourceRegion say which), and the tag key. The
    call changes all or none of them: its answer has no FailedResources (AttachResourcesTagResponse is a RequestId), so
    an id that is not there fails the call (the code: unverifiable, the Tag service's ResourceNotFound)."""
    params = call.params
    service = p.text(params, 'ServiceType', required=True)
    ids = p.str_list(params, 'ResourceIds', required=True, limit=MAX_RESOURCE_IDS_PER_CALL)
    key = p.text(params, 'TagKey', required=True)
    prefix = p.text(params, 'ResourcePrefix', required=True)
    region = p.text(params, 'ResourceRegion', required=True)
    if service not in ('cvm', 'cbs'):
        raise tc_invalid('ServiceType')
    if prefix not in _TYPES:
        raise CloudError(
            'InvalidParameterValue.ResourcePrefixInvalid', 'The resource prefix `%s` is not valid.' % prefix, 200
        )
    check_tag(key, 'any')
    records = []
    for resource_id in ids:
        record = getattr(call.store, _TYPES[prefix])['cbs'].get(resource_id)
        if record is None or record['region'] != region:
            raise CloudError('ResourceNotFound', 'The resource `%s` does not exist.' % resource_id, 200)
        records.append(record)
    return records, key


def attach_resources_tag(call) -> dict:
    records, key = _resources_by_id(call)
    value = p.text(call.params, 'TagValue', required=True)
    check_tag(key, value)
    for record in records:
        if len(set(record['tags']) | {key}) > _MAX_TAGS_PER_RESOURCE:
            raise CloudError('LimitExceeded.ResourceAttachedTags', 'The resource has too many tags.', 200)
    for record in records:
        record['tags'][key] = value
        call.changed(record['region'])
    return {}


def detach_resources_tag(call) -> dict:
    # A key the resource does not carry is no failure (unverifiable, as for UnTagResources).
    records, key = _resources_by_id(call)
    for record in records:
        record['tags'].pop(key, None)
        call.changed(record['region'])
    return {}


def modify_resource_tags(call) -> dict:
    resource = p.text(call.params, 'Resource', required=True)
    replace = _tag_list(call.params, 'ReplaceTags')
    delete = _tag_list(call.params, 'DeleteTags', need_value=False)
    if not replace and not delete:
        raise tc_missing('ReplaceTags')
    dummy, record = parse_resource(call.store, resource)
    if record is None:
        raise CloudError('ResourceNotFound', 'The resource `%s` does not exist.' % resource, 200)
    record['tags'].update(replace)
    for key, dummy in delete:
        record['tags'].pop(key, None)
    call.changed(record['region'])
    return {}


def get_resources(call) -> dict:
    store = call.store
    resources = p.str_list(call.params, 'ResourceList', limit=200)
    filters = []
    for item in call.params.get('TagFilters') or []:
        if not isinstance(item, dict) or not item.get('TagKey'):
            raise tc_invalid('TagFilters')
        filters.append((item['TagKey'], item.get('TagValue') or []))
    if len(filters) > 6:
        raise tc_invalid('TagFilters', 'At most 6 tag filters.')
    limit = p.integer(call.params, 'MaxResults', 50, 1, 200)
    token = p.text(call.params, 'PaginationToken')
    start = decode_token(token, 'PaginationToken') if token else 0
    if resources is not None:
        candidates = []
        for resource in resources:
            kind, record = parse_resource(store, resource)
            if record is not None:
                candidates.append((kind, record))
    else:
        # Only tagged resources are known to the Tag service.
        candidates = [
            (kind, r)
            for kind, table in (('volume', store.disks['cbs']), ('snapshot', store.snapshots['cbs']))
            for r in table.values()
            if r['tags']
        ]
    matched = [
        (kind, r)
        for kind, r in candidates
        if all(key in r['tags'] and (not values or r['tags'][key] in values) for key, values in filters)
    ]
    chunk = matched[start : start + limit]
    return {
        'PaginationToken': encode_token(start + limit) if start + limit < len(matched) else '',
        'ResourceTagMappingList': [
            {
                'Resource': resource_name(store, kind, r),
                'Tags': [{'TagKey': k, 'TagValue': v, 'Category': 'Custom'} for k, v in r['tags'].items()],
            }
            for kind, r in chunk
        ],
    }


# Each action: its handler, whether it can change state, and the parameters it accepts (the fields
# of the SDK's request model, tag 2018-08-13; checked by tests/fakecloud/tests/test_conformance.py).
ACTIONS = {
    'TagResources': action(tag_resources, True, 'ResourceList', 'Tags', 'Tags.TagKey', 'Tags.TagValue'),
    'UnTagResources': action(untag_resources, True, 'ResourceList', 'TagKeys'),
    'AttachResourcesTag': action(
        attach_resources_tag,
        True,
        'ServiceType',
        'ResourceIds',
        'TagKey',
        'TagValue',
        'ResourceRegion',
        'ResourcePrefix',
    ),
    'DetachResourcesTag': action(
        detach_resources_tag, True, 'ServiceType', 'ResourceIds', 'TagKey', 'ResourceRegion', 'ResourcePrefix'
    ),
    'ModifyResourceTags': action(
        modify_resource_tags,
        True,
        'Resource',
        'ReplaceTags',
        'ReplaceTags.TagKey',
        'ReplaceTags.TagValue',
        'DeleteTags',
        'DeleteTags.TagKey',
    ),
    'GetResources': action(
        get_resources,
        False,
        'ResourceList',
        'TagFilters',
        'TagFilters.TagKey',
        'TagFilters.TagValue',
        'PaginationToken',
        'MaxResults',
    ),
}
