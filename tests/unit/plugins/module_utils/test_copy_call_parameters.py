"""Each copy module's copy call against the vendor's model of its request (issue 25, point 6).

Every request parameter the model has is either sent by the collection (read from the adapter's own table of what its
copy call sends) or left out below, with why; every name sent or left out is one the model has, so neither list can rot.
A new parameter in a vendor's model fails here until someone exposes it or writes down why not. The models are the
oracle: botocore's EC2 model, the Alibaba V2 SDK's model classes, the Tencent SDK's models.py.
"""

from __future__ import annotations

import inspect

import botocore.session
import pytest
import yaml
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ens20171110 import models as ens_models
from tencentcloud.cbs.v20170312 import models as cbs_models

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import ecs as _ecs, ens as _ens
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import ebs as _ebs
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.registry import PROVIDERS
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import cbs as _cbs
from ansible_collections.snapcopy.cloud.plugins.modules import ebs_snapshot_copy

# EBS CopySnapshot (botocore's EC2 model, 2016-11-15): the parameters the module does not send, and why.
EBS_LEFT_OUT = {
    'DryRun': 'only checks the permissions ("without actually making the request"): never in a copy call. dr_sync\'s '
    'check mode sends a CopySnapshot of its own with it (EbsAdapter.dry_run_copies, the plan\'s preflight); the module\'s '
    'check mode makes no call, and says which destinations would get a copy, which DryRun cannot',
    'DestinationRegion': '"Deprecated." in the model; botocore sets it itself to the client\'s region (handlers.py, '
    'inject_presigned_url_ec2 on before-call.ec2.CopySnapshot), and the module calls CopySnapshot in the destination',
    'PresignedUrl': '"Deprecated." in the model; botocore signs it itself from SourceRegion (the same inject_presigned_url_ec2)',
}

# ECS CopySnapshot (alibabacloud-ecs20140526 CopySnapshotRequest): the parameters the module does not send, and why.
ECS_LEFT_OUT = {
    'Arn': 'the model: "This parameter is in invitational preview and is not supported."',
    'DestinationStorageLocationArn': 'the model: "This parameter is not available."',
    'ResourceGroupId': 'the model: "This parameter is not available."',
    'OwnerId': 'undocumented in the model: an account field of Alibaba\'s RPC APIs; the module acts as the account of its '
    'AccessKey or of the RAM role it assumes, and names no other',
    'ResourceOwnerAccount': 'undocumented in the model: an account field of Alibaba\'s RPC APIs, as OwnerId',
    'ResourceOwnerId': 'undocumented in the model: an account field of Alibaba\'s RPC APIs, as OwnerId',
}

# ENS CopySnapshot (alibabacloud-ens20171110 CopySnapshotRequest) and CBS CopySnapshotCrossRegions (the Tencent SDK's
# cbs v20170312 models.py): every parameter is sent.
ENS_LEFT_OUT: dict[str, str] = {}
CBS_LEFT_OUT: dict[str, str] = {}

# ebs_snapshot_copy's options that dr_sync (PROVIDERS['aws'].copy_options) does not take, and why; the other modules'
# are all taken.
DR_NOT_TAKEN = {
    'aws': {
        'destination_availability_zone': 'DR copies go to other regions; a copy to a Local Zone stays in the source\'s region',
        'destination_outpost_arn': 'DR copies go to other regions; a copy to an Outpost stays in the source\'s region',
    },
    'ecs': {},
    'ens': {},
    'cbs': {},
}


def ebs_model_parameters():
    return set(
        botocore.session.get_session().get_service_model('ec2').operation_model('CopySnapshot').input_shape.members
    )


def alibaba_model_parameters(request_class):
    """The API names of every constructor argument of an Alibaba V2 model class, as its to_map gives them."""
    arguments = {
        name: [] if 'List' in str(parameter.annotation) else 'x'
        for name, parameter in inspect.signature(request_class.__init__).parameters.items()
        if name != 'self'
    }
    request = request_class(**arguments)
    assert len(request.to_map()) == len(arguments), 'an argument without its API name'
    return set(request.to_map())


def tencent_model_parameters(request_class):
    """What a Tencent SDK request sets in __init__ (_Name for each parameter Name)."""
    return {name[1:] for name in vars(request_class()) if name.startswith('_')}


CALLS = {
    'EBS CopySnapshot': (
        ebs_model_parameters,
        lambda: set(_ebs.COPY_PARAMETERS.values()) | set(_ebs.COPY_CALL_PARAMETERS),
        EBS_LEFT_OUT,
    ),
    'ECS CopySnapshot': (
        lambda: alibaba_model_parameters(ecs_models.CopySnapshotRequest),
        lambda: set(_ecs.COPY_CALL_PARAMETERS),
        ECS_LEFT_OUT,
    ),
    'ENS CopySnapshot': (
        lambda: alibaba_model_parameters(ens_models.CopySnapshotRequest),
        lambda: set(_ens.COPY_CALL_PARAMETERS),
        ENS_LEFT_OUT,
    ),
    'CBS CopySnapshotCrossRegions': (
        lambda: tencent_model_parameters(cbs_models.CopySnapshotCrossRegionsRequest),
        lambda: set(_cbs.COPY_CALL_PARAMETERS),
        CBS_LEFT_OUT,
    ),
}


def call_problems(call):
    model_parameters, sent_parameters, left_out = CALLS[call]
    model, sent = model_parameters(), sent_parameters()
    problems = [
        '%s is in the model, neither sent nor in LEFT_OUT with why' % name
        for name in sorted(model - sent - set(left_out))
    ]
    problems += ['%s is sent, and the model has no such parameter' % name for name in sorted(sent - model)]
    problems += [
        '%s is in LEFT_OUT, and the model has no such parameter' % name for name in sorted(set(left_out) - model)
    ]
    problems += ['%s is both sent and in LEFT_OUT' % name for name in sorted(sent & set(left_out))]
    problems += ['%s is in LEFT_OUT without a why' % name for name, why in sorted(left_out.items()) if not why.strip()]
    return problems


@pytest.mark.parametrize(
    'call',
    [
        # botocore 1.34.0 (make units-oldest) is older than CompletionDurationMinutes (1.35.70) and
        # DestinationAvailabilityZone (1.40.20).
        pytest.param('EBS CopySnapshot', marks=pytest.mark.pinned_sdk),
        'ECS CopySnapshot',
        'ENS CopySnapshot',
        'CBS CopySnapshotCrossRegions',
    ],
)
def test_every_request_parameter_of_the_copy_call_is_sent_or_left_out_with_why(call):
    problems = call_problems(call)
    assert not problems, '%s:\n  %s' % (call, '\n  '.join(problems))


def test_every_ebs_copy_parameter_is_an_option_of_the_module():
    options = yaml.safe_load(ebs_snapshot_copy.DOCUMENTATION)['options']
    assert set(_ebs.COPY_PARAMETERS) <= set(options), sorted(set(_ebs.COPY_PARAMETERS) - set(options))


def module_copy_options(provider):
    """The copy options of a copy module's request (what its build_*_request passes to the adapter)."""
    source = {'source_snapshot_id': 'snap-0', 'source_region': 'r1', 'destination_regions': ['r2']}
    build = {
        'aws': _ebs.build_ebs_request,
        'ecs': _ecs.build_ecs_request,
        'ens': _ens.build_ens_request,
        'cbs': _cbs.build_cbs_request,
    }
    return set(build[provider](source).options)


@pytest.mark.parametrize('provider', sorted(PROVIDERS))
def test_dr_sync_takes_every_copy_option_of_the_module_or_says_why_not(provider):
    options, taken, not_taken = (
        module_copy_options(provider),
        set(PROVIDERS[provider].copy_options),
        DR_NOT_TAKEN[provider],
    )
    assert options - taken == set(not_taken), (
        'neither in copy_options nor in DR_NOT_TAKEN: %s; in DR_NOT_TAKEN but taken or no option: %s'
        % (sorted(options - taken - set(not_taken)), sorted(set(not_taken) - (options - taken)))
    )
    assert taken <= options, sorted(taken - options)
    assert all(why.strip() for why in not_taken.values())


def test_a_new_parameter_of_the_model_is_named(monkeypatch):
    """The check itself: a parameter the model gains, and one the adapter sends that the model lacks, are both named."""
    monkeypatch.setitem(
        CALLS,
        'CBS CopySnapshotCrossRegions',
        (
            lambda: {'SnapshotId', 'DestinationRegions', 'SnapshotName', 'NewThing'},
            lambda: set(_cbs.COPY_CALL_PARAMETERS) | {'OldThing'},
            {},
        ),
    )
    assert call_problems('CBS CopySnapshotCrossRegions') == [
        'NewThing is in the model, neither sent nor in LEFT_OUT with why',
        'OldThing is sent, and the model has no such parameter',
    ]
