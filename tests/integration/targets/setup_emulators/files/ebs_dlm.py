"""Amazon Data Lifecycle Manager (DLM), which moto 5.2.5's server does not serve, as a WSGI layer in front of it
(``with_ebs_dlm(app)``): the policies a DR run reads to tell a DLM policy's multi-volume sets (issue 61), and the
snapshots a policy's schedule makes.

The oracle is botocore's model of the ``dlm`` service (data/dlm/2018-01-12/service-2.json: protocol rest-json, signing
name ``dlm``):
- CreateLifecyclePolicy: POST /policies, a JSON body; ExecutionRoleArn, Description and State required
  (CreateLifecyclePolicyRequest), Description [0-9A-Za-z _-]{0,500} (PolicyDescription), State ENABLED or DISABLED
  (SettablePolicyStateValues), ExecutionRoleArn arn:aws(-[a-z]{1,3}){0,2}:iam::\\d+:role/.* (ExecutionRoleArn);
  PolicyDetails.ResourceTypes one of VOLUME, INSTANCE (ResourceTypeValuesList: min 1, max 1), "Use VOLUME to create
  snapshots of individual volumes or use INSTANCE to create multi-volume snapshots from the volumes for an instance"
  (PolicyDetails.ResourceTypes). Answers {PolicyId} (policy-[a-f0-9]+, PolicyId).
- GetLifecyclePolicy: GET /policies/{policyId}; answers {Policy: LifecyclePolicy} (PolicyId, Description, State,
  ExecutionRoleArn, DateCreated, DateModified, PolicyDetails, Tags, PolicyArn, DefaultPolicy). An unknown id:
  ResourceNotFoundException, HTTP 404 (its error shape), with Message, Code, ResourceType and ResourceIds.
- Errors: rest-json, the code in x-amzn-ErrorType, the request id in x-amzn-RequestId, the body {"Message", "Code"}.
  A bad request: InvalidRequestException, HTTP 400 (with RequiredParameters where one is missing).
Policies are kept per account (moto's, of the access key) and region.

A policy's run (``run_policy(account, region, policy_id)``, a test hook: DLM runs on its own schedule) snapshots the
volumes the policy's TargetTags name as DLM does, tagging each snapshot aws:dlm:lifecycle-policy-id and
aws:dlm:lifecycle-schedule-name (the EBS user guide's "Amazon Data Lifecycle Manager": "Amazon Data Lifecycle Manager
applies AWS tags to the snapshots" it creates), described "Created for policy: <id> schedule: <name>" (the description
DLM gives, as users quote it: unverified), all at one start time in whole seconds (as EC2 dates snapshots: the AWS CLI
reference's describe-snapshots example answers "StartTime": "2019-02-28T21:28:32.000Z"; a schedule starts its snapshots
together): INSTANCE, one CreateSnapshots a targeted instance (its volumes, "multi-volume snapshots");
VOLUME, one CreateSnapshot a targeted volume. EC2 refuses tags whose key begins aws: from users (EBS user guide, "Tag
restrictions"), so the snapshots are tagged in moto's backend directly, as DLM's service does.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
import uuid

CREDENTIAL = re.compile(r'Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/')
POLICY_PATH = re.compile(r'^/policies/(?P<policy_id>[^/]+)$')
DESCRIPTION = re.compile(r'[0-9A-Za-z _-]{0,500}')
ROLE_ARN = re.compile(r'arn:aws(-[a-z]{1,3}){0,2}:iam::\d+:role/.*')
RESOURCE_TYPES = ('VOLUME', 'INSTANCE')
POLICY_TAG = 'aws:dlm:lifecycle-policy-id'
SCHEDULE_TAG = 'aws:dlm:lifecycle-schedule-name'

#: {(account, region): {policy id: LifecyclePolicy}}
POLICIES: dict[tuple[str, str], dict[str, dict]] = {}
#: The DLM calls answered, by operation.
DLM_CALLS: dict[str, int] = {}
_GUARD = threading.Lock()


class DlmError(Exception):
    STATUS = {'InvalidRequestException': 400, 'ResourceNotFoundException': 404}

    def __init__(self, code, message, **fields):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields


def with_ebs_dlm(app):
    """``app`` (moto's WSGI application, with the other EBS layers) with the DLM calls answered here."""

    def serve(environ, start_response):
        scope = CREDENTIAL.search(environ.get('HTTP_AUTHORIZATION', ''))
        if scope is None or scope.group('service') != 'dlm':
            return app(environ, start_response)
        from moto.iam.models import get_account_id_from  # pylint: disable=import-outside-toplevel

        where = (get_account_id_from(scope.group('key')), scope.group('region'))
        try:
            status, answer = _answer(environ, where)
        except DlmError as error:
            status, answer = error.STATUS[error.code], dict(error.fields, Message=error.message, Code=error.code)
            headers = {'x-amzn-ErrorType': error.code}
        else:
            headers = {}
        body = json.dumps(answer).encode()
        headers.update(
            {
                'Content-Type': 'application/json',
                'x-amzn-RequestId': str(uuid.uuid4()),
                'Content-Length': str(len(body)),
            }
        )
        start_response('%d %s' % (status, 'OK' if status == 200 else 'Error'), list(headers.items()))
        return [body]

    return serve


def _answer(environ, where):
    method, path = environ.get('REQUEST_METHOD'), environ.get('PATH_INFO', '')
    if method == 'POST' and path == '/policies':
        body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        _count('CreateLifecyclePolicy')
        return 200, create_policy(where, json.loads(body or b'{}'))
    match = POLICY_PATH.match(path)
    if method == 'GET' and match:
        _count('GetLifecyclePolicy')
        with _GUARD:
            policy = POLICIES.get(where, {}).get(match.group('policy_id'))
        if policy is None:
            raise DlmError(
                'ResourceNotFoundException',
                'Lifecycle policy with ID %s not found.' % match.group('policy_id'),
                ResourceType='LifecyclePolicy',
                ResourceIds=[match.group('policy_id')],
            )
        return 200, {'Policy': policy}
    raise DlmError('InvalidRequestException', 'This emulator serves CreateLifecyclePolicy and GetLifecyclePolicy only.')


def _count(operation):
    with _GUARD:
        DLM_CALLS[operation] = DLM_CALLS.get(operation, 0) + 1


def create_policy(where, request):
    """CreateLifecyclePolicy: the request checked against the model, the policy kept; {PolicyId}."""
    missing = [name for name in ('ExecutionRoleArn', 'Description', 'State') if name not in request]
    if missing:
        raise DlmError('InvalidRequestException', 'Missing required parameters.', RequiredParameters=missing)
    if not DESCRIPTION.fullmatch(str(request['Description'])):
        raise DlmError('InvalidRequestException', 'Description must match [0-9A-Za-z _-]{0,500}.')
    if request['State'] not in ('ENABLED', 'DISABLED'):
        raise DlmError('InvalidRequestException', 'State must be ENABLED or DISABLED.')
    if not ROLE_ARN.fullmatch(str(request['ExecutionRoleArn'])):
        raise DlmError('InvalidRequestException', 'ExecutionRoleArn is not an IAM role ARN.')
    details = request.get('PolicyDetails') or {}
    types = details.get('ResourceTypes')
    if types is not None and (len(types) != 1 or types[0] not in RESOURCE_TYPES):
        raise DlmError('InvalidRequestException', 'ResourceTypes holds one of VOLUME, INSTANCE.')
    policy_id = 'policy-%s' % uuid.uuid4().hex[:17]
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    account, region = where
    policy = {
        'PolicyId': policy_id,
        'Description': request['Description'],
        'State': request['State'],
        'ExecutionRoleArn': request['ExecutionRoleArn'],
        'DateCreated': now,
        'DateModified': now,
        'PolicyDetails': details,
        'Tags': request.get('Tags') or {},
        'PolicyArn': 'arn:aws:dlm:%s:%s:policy/%s' % (region, account, policy_id),
        'DefaultPolicy': False,
    }
    with _GUARD:
        POLICIES.setdefault(where, {})[policy_id] = policy
    return {'PolicyId': policy_id}


def run_policy(account, region, policy_id, epoch=None):
    """One run of the policy's first schedule (the module's docstring): [snapshot id] made, at ``epoch`` (the cloud's
    clock by default) in whole seconds."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    with _GUARD:
        policy = POLICIES[(account, region)][policy_id]
    details = policy['PolicyDetails']
    schedule = ((details.get('Schedules') or [{}])[0]).get('Name') or 'schedule'
    targets = {tag['Key']: tag['Value'] for tag in details.get('TargetTags') or []}
    backend = ec2_backends[account][region]
    started = datetime.datetime.fromtimestamp(
        float(int(time.time() if epoch is None else epoch)), datetime.timezone.utc
    ).replace(tzinfo=None)
    description = 'Created for policy: %s schedule: %s' % (policy_id, schedule)

    def targeted(resource_id):
        tags = backend.tags.get(resource_id, {})
        return all(tags.get(key) == value for key, value in targets.items())

    if details.get('ResourceTypes') == ['INSTANCE']:
        volumes = [
            device.volume_id
            for instance in backend.all_instances()
            if targeted(instance.id)
            for dummy, device in instance.get_block_device_mapping
        ]
    else:
        volumes = [volume.id for volume in backend.volumes.values() if targeted(volume.id)]
    made = []
    for volume_id in volumes:
        snapshot = backend.create_snapshot(volume_id, description)
        snapshot.start_time = started
        backend.create_tags([snapshot.id], {POLICY_TAG: policy_id, SCHEDULE_TAG: schedule})
        made.append(snapshot.id)
    return made
