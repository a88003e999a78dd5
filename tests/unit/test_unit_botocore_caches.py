"""The unit tests' botocore (tests/unit/conftest.py) makes clients as botocore does: a client class is shared only by
clients of the very same model with botocore's own class handlers (conftest.one_client_class_a_model), a loader of
botocore's own data folders lists the services botocore lists (conftest.services_listed_once), and a session still
refuses a handler without **kwargs and aliases events as botocore does (conftest.sessions_register_handlers_faster)."""

from __future__ import annotations

import botocore.session
import pytest
from botocore import hooks, loaders

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.tests.unit import conftest

KEYS = {'aws_access_key_id': 'AKIASNAPCOPYCACHES01', 'aws_secret_access_key': 'snapcopy-caches-secret'}


@pytest.fixture(autouse=True)
def caches_on():
    conftest.botocore_models_read_once()  # as the AWS tests' collection does
    assert getattr(loaders.Loader.list_available_services, 'once', False)


def ec2_client(session):
    return session.create_client('ec2', region_name='eu-west-1', **KEYS)


def test_two_sessions_share_ec2_s_class_and_a_handler_of_a_session_s_own_gets_a_class_of_its_own():
    first, second = ec2_client(botocore.session.Session()), ec2_client(botocore.session.Session())
    assert type(first) is type(second) and first.meta is not second.meta and first.meta.events is not second.meta.events

    def add_a_method(class_attributes, **kwargs):  # pylint: disable=unused-argument  # botocore's handler signature
        class_attributes['added_by_a_test'] = lambda self: 'added'

    session = botocore.session.Session()
    session.register('creating-client-class.ec2', add_a_method)
    own = ec2_client(session)
    assert type(own) is not type(first) and own.added_by_a_test() == 'added'
    assert not hasattr(first, 'added_by_a_test') and not hasattr(
        ec2_client(botocore.session.Session()), 'added_by_a_test'
    )


def test_a_model_decoded_anew_gets_a_class_of_its_own():
    connection = {'access_key': 'a', 'secret_key': 'b', 'endpoint_url': 'http://127.0.0.1:9'}
    trimmed = [AwsClient.from_connection(connection).ec2('eu-west-1') for dummy in range(2)]
    assert type(trimmed[0]) is not type(trimmed[1])  # each AwsClient's trimmed model is decoded anew: a dict of its own
    assert not hasattr(trimmed[0], 'describe_vpcs') and hasattr(ec2_client(botocore.session.Session()), 'describe_vpcs')


def test_the_services_listed_are_those_botocore_lists():
    class OwnFileLoader(loaders.JSONFileLoader):
        """Another file loader: the list is made anew, by botocore's own code."""

    shared = loaders.Loader().list_available_services('service-2')
    assert shared == loaders.Loader(file_loader=OwnFileLoader()).list_available_services('service-2')
    assert 'ec2' in shared and 'sts' in shared
    shared.append('changed by a caller')
    assert 'changed by a caller' not in loaders.Loader().list_available_services('service-2')


def test_a_session_refuses_a_handler_without_kwargs_and_aliases_event_names_as_botocore_does():
    session = botocore.session.Session()
    with pytest.raises(ValueError, match='must accept keyword arguments'):
        session.register('before-call.ec2', lambda params: None)
    session.register('before-call.ec2', lambda **kwargs: None)
    fresh = hooks.EventAliaser(hooks.HierarchicalEmitter(), dict(hooks.EVENT_ALIASES))  # a cache of its own
    for name in ['before-call.apigateway.GetRestApi', 'creating-client-class.elasticloadbalancing', 'after-call.ec2']:
        aliased = session.get_component('event_emitter')._alias_event_name(name)  # pylint: disable=protected-access
        assert aliased == fresh._alias_event_name(name)  # pylint: disable=protected-access
