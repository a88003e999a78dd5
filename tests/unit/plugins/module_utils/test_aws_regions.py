"""Issue 62, point 11: an AWS region (a copy module's, or the scope of dr_sync, dr_posture_info and
dr_drill_finish) that botocore's partition data does not know is refused before any call, naming it
and the nearest known regions; with an endpoint_url, or a region named like a partition's (newer than the installed
botocore), the run warns and goes on. The modules run in a process of their own, as Ansible runs them, with the
installed botocore's endpoints.json (clouds/aws/regions.py)."""

from __future__ import annotations

import botocore
import botocore.loaders  # noqa: F401  # pylint: disable=unused-import  # what of_botocore reads
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.regions import KnownRegions
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import InputError
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_no_log_external_id import run_module

KEYS = {'access_key': 'AKIASNAPCOPYREGIONS1', 'secret_key': 'snapcopy-regions-secret-0123456789'}
# Any call goes to a proxy where nothing answers: a run that called would fail with a connection error, not refuse.
NO_CALL = {'HTTPS_PROXY': 'http://127.0.0.1:9', 'HTTP_PROXY': 'http://127.0.0.1:9', 'AWS_ENDPOINT_URL': ''}
COPY = dict(KEYS, source_snapshot_id='snap-0123456789abcdef0', wait=False)
DR_RUN = dict(KEYS, provider='aws', tag_selector={'dr': 'yes'})


def known():
    return KnownRegions.of_botocore(botocore)


def test_the_regions_of_every_partition_are_known_and_a_typo_is_refused_naming_the_nearest(monkeypatch):
    monkeypatch.delenv('AWS_ENDPOINT_URL', raising=False)
    monkeypatch.delenv('AWS_ENDPOINT_URL_EC2', raising=False)
    regions = known()
    assert {'us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1'} <= set(regions.names)
    assert regions.check([('source_region', 'eu-west-1'), ('dr_regions', 'cn-north-1')], endpoint_url=None) == []
    with pytest.raises(InputError) as refused:
        regions.check([('source_region', 'eu-west-1'), ('dr_regions', 'ue-west-1')], endpoint_url=None)
    assert refused.value.option == 'dr_regions'
    assert refused.value.message.startswith(
        'ue-west-1 is no AWS region: botocore %s knows it in no partition' % (botocore.__version__)
    )
    nearest = refused.value.message.split('the nearest it knows: ')[1].split(', ')
    assert 'eu-west-1' in nearest and len(nearest) == 3, 'three, not every region a typo is near'


def test_a_region_named_like_a_partitions_or_with_an_endpoint_url_is_warned_of_and_taken(monkeypatch):
    monkeypatch.delenv('AWS_ENDPOINT_URL', raising=False)
    monkeypatch.delenv('AWS_ENDPOINT_URL_EC2', raising=False)
    regions = known()
    (newer,) = regions.check([('dr_regions', 'eu-west-9')], endpoint_url=None)
    assert 'AWS region eu-west-9 is not one botocore' in newer and 'newer than the installed botocore' in newer
    (emulator,) = regions.check([('source_region', 'ue-west-1')], endpoint_url='http://127.0.0.1:9')
    assert emulator.endswith('Going on, as endpoint_url is set') and 'eu-west-1' in emulator
    monkeypatch.setenv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9')  # botocore's own variable: the host is the user's too
    assert regions.check([('source_region', 'ue-west-1')], endpoint_url=None)


@pytest.mark.parametrize(
    'module, arguments, option',
    [
        ('ebs_snapshot_copy', dict(COPY, source_region='ue-west-1', destination_region='eu-west-2'), 'source_region'),
        (
            'ebs_snapshot_copy',
            dict(COPY, source_region='eu-west-1', destination_regions=['eu-west-2', 'eu-wset-2x']),
            None,
        ),
        ('dr_sync', dict(DR_RUN, source_region='eu-west-1', dr_regions=['eu-central-1', 'ue-central-1']), 'dr_regions'),
        ('dr_posture_info', dict(DR_RUN, source_region='ue-west-1', dr_regions=['eu-central-1']), 'source_region'),
        (
            'dr_drill_finish',
            dict(
                DR_RUN,
                source_region='eu-west-1',
                dr_regions=['ue-central-1'],
                run_id='20261127T104500Z-0a1b2c',
                validation={'passed': True, 'seconds': 1},
            ),
            'dr_regions',
        ),
    ],
)
def test_a_module_refuses_a_region_botocore_does_not_know_before_any_call(module, arguments, option):
    result = run_module(module, arguments, environ=NO_CALL)
    assert result['failed']
    if option is None:  # not named like a region at all: the format's own words
        assert "expected an AWS region name like us-east-1, got 'eu-wset-2x'" in result['msg'], result['msg']
        return
    assert result['msg'].startswith(
        '%s: %s is no AWS region'
        % (option, arguments.get('source_region') if option == 'source_region' else 'ue-central-1')
    ), result['msg']
    assert 'the nearest it knows: ' in result['msg'] and len(result['msg']) < 200, result['msg']


def test_with_an_endpoint_url_the_module_warns_and_goes_on_to_call():
    result = run_module(
        'dr_sync',
        dict(DR_RUN, source_region='eu-west-1', dr_regions=['ue-central-1'], endpoint_url='http://127.0.0.1:9'),
    )
    assert result['failed'] and 'EndpointConnectionError' in result['msg'], result['msg']  # it called
    assert any(
        'AWS region ue-central-1 is not one botocore' in warning and 'Going on, as endpoint_url is set' in warning
        for warning in warning_texts(result)
    ), result


def warning_texts(result):
    """The module's warnings as text: ansible-core 2.19 and later return each as a summary of an event."""
    return [warning['event']['msg'] if isinstance(warning, dict) else warning for warning in result.get('warnings', [])]
