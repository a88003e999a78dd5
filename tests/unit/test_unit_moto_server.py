"""The unit tests' moto server (conftest.moto_url) answers as moto does: a resource reads its tags by its id
(conftest.ec2_tags_by_id), the same entries, in the same order, as moto's own scan of every tag (describe_tags filtered on
the resource id); a response class's methods are listed once (conftest.method_names_once), as moto lists them."""

from __future__ import annotations

import os

from moto.core import responses, utils
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.responses import EC2Response


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
