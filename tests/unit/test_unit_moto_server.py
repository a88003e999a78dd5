"""The unit tests' moto server (conftest.moto_url) answers as moto does: a resource reads its tags by its id
(conftest.ec2_tags_by_id), the same entries, in the same order, as moto's own scan of every tag (describe_tags filtered on
the resource id); a response class's methods are listed once (conftest.method_names_once), as moto lists them; moto's
packages are listed once (ebs_vault.moto_modules_listed_once), as moto lists them; an EC2 filter matches what moto's own
matching matches (ebs_vault.filters_matched_by_value); an answer is serialized as moto's own value picker serializes it
(ebs_vault.serialized_names_found_once)."""

from __future__ import annotations

import datetime
import os

import moto
import pytest
from moto import backends
from moto.core import responses, serialize, utils
from moto.ec2 import utils as ec2_utils
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.responses import EC2Response
from moto.ec2.responses._base_response import EC2BaseResponse


def test_a_resource_reads_its_tags_as_moto_scans_them(
    moto_url,
):  # moto_url: the unit tests' server, which reads them by id
    assert moto_url and TaggedEC2Resource.get_tags.__qualname__ == 'ec2_tags_by_id.<locals>.get_tags'
    os.environ.setdefault('MOTO_EC2_LOAD_DEFAULT_AMIS', 'false')
    ec2 = ec2_backends['123456789012']['sa-east-1']
    volumes = [ec2.create_volume(size=1, zone_name='sa-east-1a') for dummy in range(3)]
    ec2.create_tags([volumes[0].id, volumes[1].id], {'b': '2', 'a': '1'})
    ec2.create_tags([volumes[0].id], {'c': ''})
    snapshot = ec2.create_snapshot(volumes[0].id, 'the first volume')
    ec2.create_tags([snapshot.id], {'dr': 'yes'})
    ec2.delete_tags([volumes[1].id], {'a': None})
    # volumes[2]: never tagged; volumes[1]: a tag taken off
    for resource in [*volumes, snapshot]:
        assert resource.get_tags() == ec2.describe_tags(filters={'resource-id': [resource.id]})
    assert [tag['key'] for tag in volumes[0].get_tags()] == ['b', 'a', 'c'] and volumes[2].get_tags() == []
    assert snapshot.get_tags() == [
        {'resource_id': snapshot.id, 'key': 'dr', 'value': 'yes', 'resource_type': 'snapshot'}
    ]


def test_a_response_class_lists_the_methods_moto_lists(moto_url):
    assert moto_url and responses.method_names_from_class is not utils.method_names_from_class
    listed = responses.method_names_from_class(EC2Response)
    assert listed == utils.method_names_from_class(EC2Response) and 'describe_snapshots' in listed
    listed.append('changed by a caller')
    assert responses.method_names_from_class(EC2Response) == utils.method_names_from_class(EC2Response)


def test_moto_lists_its_packages_once_and_the_same_names(moto_url):
    assert (
        moto_url
        and backends.list_of_moto_modules.__qualname__ == 'moto_modules_listed_once.<locals>.list_of_moto_modules'
    )
    listed = list(backends.list_of_moto_modules())
    assert listed == list(backends.list_of_moto_modules()) and 'ec2' in listed and 'sts' in listed
    folder = os.path.dirname(moto.__file__)
    assert listed == [
        name
        for name in sorted(os.listdir(folder))
        if os.path.isdir(os.path.join(folder, name)) and not name.startswith('__')
    ]


class Resource:  # pylint: disable=too-few-public-methods
    def __init__(self, value):
        self.value = value

    def get_filter_value(self, *_ignored):
        return self.value


@pytest.mark.parametrize(
    'value',
    [
        'snap-0123',
        'snap-9',
        'Snap-0123',
        'a*b',
        'a?b',
        'vol-[1]',
        '',
        'snap-0123 ',
        True,
        False,
        42,
        datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc),
        ['dr', 'yes'],
        {'dr': 'yes'}.keys(),
        None,
    ],
    ids=repr,
)
@pytest.mark.parametrize(
    'filter_value',
    [
        ['snap-0123'],
        ['snap-0123', 'snap-9', 'vol-1'],
        'snap-0123',
        ['snap-*'],
        ['snap-?'],
        ['snap-[0-9]*', 'vol-1'],
        ['a[*]b', 'a[?]b', 'vol-[[]1]'],
        ['*'],
        [''],
        [],
        ['true', '42', 'dr'],
        ['dr', 'yes'],
        ['2026-11-26T12:00:00.000Z'],
        None,
    ],
    ids=repr,
)
def test_an_ec2_filter_matches_what_motos_own_matching_matches(moto_url, value, filter_value):
    assert (
        moto_url and ec2_utils.is_filter_matching.__qualname__ == 'filters_matched_by_value.<locals>.is_filter_matching'
    )
    own = ec2_utils.is_filter_matching.moto
    try:
        expected = own(Resource(value), 'a-filter', filter_value)
    except TypeError as error:
        with pytest.raises(TypeError):
            ec2_utils.is_filter_matching(Resource(value), 'a-filter', filter_value)
        assert error
        return
    assert ec2_utils.is_filter_matching(Resource(value), 'a-filter', filter_value) == expected


def test_an_answer_is_serialized_as_motos_own_picker_serializes_it(moto_url, monkeypatch):
    """ebs_vault.serialized_names_found_once: the answers of DescribeSnapshots, DescribeVolumes and DescribeTags over
    the same objects, with EC2's transformers of values by path and without, and with one that matches, byte for byte
    what moto's own value picker makes of them."""
    assert moto_url and serialize.ResponseSerializer.get_value.__qualname__ == (
        'serialized_names_found_once.<locals>.get_value'
    )
    os.environ.setdefault('MOTO_EC2_LOAD_DEFAULT_AMIS', 'false')
    ec2 = ec2_backends['123456789012']['me-central-1']
    volumes = [ec2.create_volume(size=size, zone_name='me-central-1a') for size in (1, 2, 3)]
    ec2.create_tags([volumes[0].id, volumes[1].id], {'dr': 'yes', 'b': ''})
    snapshots = [ec2.create_snapshot(volume.id, 'of %s' % volume.id) for volume in volumes]
    ec2.create_tags([snapshots[0].id], {'dr': 'yes'})
    answers = {
        'DescribeSnapshots': {'Snapshots': snapshots},
        'DescribeVolumes': {'Volumes': volumes},
        'DescribeTags': {'Tags': ec2.describe_tags(filters={})},
    }
    model = utils.get_service_model('ec2')
    transformers = [
        None,
        EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
        dict(EC2BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER, **{'.VolumeSize': lambda size: size * 100}),
    ]

    def bodies():
        return [
            serialize.get_serializer_class('ec2', model.protocol)(
                operation_model=model.operation_model(operation),
                context=serialize.SerializationContext('the-request'),
                value_picker=serialize.XFormedAttributePicker(response_transformers=transformed),
            ).serialize(result)['body']
            for operation, result in answers.items()
            for transformed in transformers
        ]

    ours = bodies()
    by_moto = serialize.ResponseSerializer.get_value.moto  # pylint: disable=no-member  # set by ebs_vault
    monkeypatch.setattr(serialize.ResponseSerializer, 'get_value', by_moto)
    assert ours == bodies()
    snapshots_answer = ours[1]
    assert snapshots_answer.count('<snapshotId>') == 3 and '<key>dr</key>' in snapshots_answer
    assert '<volumeSize>300</volumeSize>' in ours[2] and '<volumeSize>300</volumeSize>' not in snapshots_answer
