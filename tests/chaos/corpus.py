"""The bad-input corpus: each case one wrong thing, for a module or the DR role, and what its message must name.

All cases run in one ansible-playbook (tests/chaos/corpus.yml), one inventory host per case so
they run side by side, in one group per target (module or role) that the target's play runs on.
A case passes when the task fails, its message names the option (or the cloud's error code)
given in ``expect``, and nothing of a traceback shows. No case may reach a
mutating call: fakecloud's ledger and the AWS proxy's must stay at zero, and moto's snapshot
count must not change.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, 'corpus.yml')
SIGNS_OF_A_TRACEBACK = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr')


def closed_port():
    """A loopback port that nothing listens on (bound, then let go), for an endpoint that refuses connections."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def build_cases(ctx):
    """The cases. ``ctx`` holds the endpoints, credentials and the seeded source snapshots."""
    refused = 'http://127.0.0.1:%d' % closed_port()
    aws = {'endpoint_url': ctx['aws_url'], 'access_key': ctx['aws_access_key'], 'secret_key': ctx['aws_secret_key']}
    ali = {
        'endpoint_url': ctx['fakecloud_url'],
        'alicloud_access_key': ctx['alicloud_access_key'],
        'alicloud_secret_key': ctx['alicloud_secret_key'],
    }
    tencent = {
        'endpoint_url': ctx['fakecloud_url'],
        'secret_id': ctx['tencent_secret_id'],
        'secret_key': ctx['tencent_secret_key'],
    }
    ebs = dict(aws, source_snapshot_id=ctx['aws_snapshot'], source_region='us-east-1', destination_region='us-west-2')
    ecs = dict(
        ali, source_snapshot_id=ctx['ecs_snapshot'], source_region='cn-hangzhou', destination_region='cn-beijing'
    )
    ens = dict(
        ali,
        source_snapshot_id=ctx['ens_snapshot'],
        source_region='cn-hangzhou-26',
        destination_regions=['cn-beijing-cmcc'],
    )
    cbs = dict(
        tencent,
        source_snapshot_id=ctx['cbs_snapshot'],
        source_region='ap-guangzhou',
        destination_regions=['ap-shanghai'],
    )
    dr_base = {'tag_selector': {'dr': 'yes'}, 'wait': False}
    dr = {
        'aws': dict(dr_base, **aws, provider='aws', source_region='us-east-1', dr_regions=['us-west-2']),
        'ecs': dict(dr_base, **ali, provider='ecs', source_region='cn-hangzhou', dr_regions=['cn-beijing']),
        'ens': dict(dr_base, **ali, provider='ens', source_region='cn-hangzhou-26', dr_regions=['cn-beijing-cmcc']),
        'cbs': dict(dr_base, **tencent, provider='cbs', source_region='ap-guangzhou', dr_regions=['ap-shanghai']),
    }
    role_connection = {'aws': aws, 'ecs': ali, 'ens': ali, 'cbs': tencent}

    def role(cloud, **variables):
        base = {
            'dr_copy_provider': cloud,
            'dr_copy_source_region': dr[cloud]['source_region'],
            'dr_copy_dr_regions': dr[cloud]['dr_regions'],
            'dr_copy_tag_selector': {'dr': 'yes'},
            'dr_copy_connection': role_connection[cloud],
            'dr_copy_report_dir': ctx['report_dir'],
        }
        base.update(variables)
        return {key: value for key, value in base.items() if value is not None}

    def without(args, *names):
        return {key: value for key, value in args.items() if key not in names}

    tags_50 = {'k%d' % number: 'v' for number in range(50)}
    tags_20 = {'k%d' % number: 'v' for number in range(20)}
    other_outpost = 'arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0'
    rows = [
        # ---------------------------------------------------------------- ebs_snapshot_copy
        ('ebs-id-malformed', 'ebs', 'aws', dict(ebs, source_snapshot_id='snap-xyz'), ['source_snapshot_id']),
        ('ebs-id-volume', 'ebs', 'aws', dict(ebs, source_snapshot_id='vol-0123456789abcdef0'), ['source_snapshot_id']),
        (
            'ebs-id-unknown',
            'ebs',
            'aws',
            dict(ebs, source_snapshot_id='snap-0123456789abcdef0'),
            ['InvalidSnapshot.NotFound'],
        ),
        ('ebs-region-uppercase', 'ebs', 'aws', dict(ebs, source_region='US-EAST-1'), ['source_region']),
        ('ebs-region-unknown-shape', 'ebs', 'aws', dict(ebs, destination_region='mars-1'), ['destination_region']),
        ('ebs-region-missing', 'ebs', 'aws', without(ebs, 'destination_region'), ['destination_region']),
        ('ebs-description-long', 'ebs', 'aws', dict(ebs, description='d' * 256), ['description']),
        ('ebs-tag-reserved', 'ebs', 'aws', dict(ebs, tags={'aws:owner': 'me'}), ['tags']),
        ('ebs-tag-key-long', 'ebs', 'aws', dict(ebs, tags={'k' * 129: 'v'}), ['tags']),
        ('ebs-tag-value-long', 'ebs', 'aws', dict(ebs, tags={'k': 'v' * 257}), ['tags']),
        ('ebs-tags-too-many', 'ebs', 'aws', dict(ebs, tags=tags_50), ['tags']),
        ('ebs-tag-ours', 'ebs', 'aws', dict(ebs, tags={'snapcopy:source': 'x'}), ['tags']),
        ('ebs-kms-without-encryption', 'ebs', 'aws', dict(ebs, kms_key_id='alias/dr'), ['kms_key_id']),
        ('ebs-minutes-low', 'ebs', 'aws', dict(ebs, completion_duration_minutes=10), ['completion_duration_minutes']),
        (
            'ebs-minutes-high',
            'ebs',
            'aws',
            dict(ebs, completion_duration_minutes=2895),
            ['completion_duration_minutes'],
        ),
        (
            'ebs-outpost-malformed',
            'ebs',
            'aws',
            dict(ebs, destination_outpost_arn='op-123'),
            ['destination_outpost_arn'],
        ),
        (
            'ebs-outpost-other-region',
            'ebs',
            'aws',
            dict(ebs, destination_outpost_arn=other_outpost),
            ['destination_outpost_arn'],
        ),
        ('ebs-wait-timeout-zero', 'ebs', 'aws', dict(ebs, wait_timeout=0), ['wait_timeout']),
        ('ebs-poll-interval-zero', 'ebs', 'aws', dict(ebs, poll_interval=0), ['poll_interval']),
        ('ebs-encrypted-not-bool', 'ebs', 'aws', dict(ebs, encrypted='maybe'), ['encrypted']),
        ('ebs-unknown-option', 'ebs', 'aws', dict(ebs, destination_zone='us-west-2a'), ['destination_zone']),
        # Every copy module takes destination_region and destination_regions; never both.
        ('ebs-both-destinations', 'ebs', 'aws', dict(ebs, destination_regions=['eu-west-1']), ['destination_regions']),
        ('ebs-no-credentials', 'ebs', 'aws', without(ebs, 'access_key', 'secret_key'), ['NoCredentials']),
        (
            'ebs-unknown-profile',
            'ebs',
            'aws',
            dict(without(ebs, 'access_key', 'secret_key'), profile='nobody'),
            ['profile'],
        ),
        ('ebs-endpoint-refused', 'ebs', 'aws', dict(ebs, endpoint_url=refused), ['EndpointConnectionError']),
        # ---------------------------------------------------------------- ecs_snapshot_copy
        ('ecs-id-malformed', 'ecs', 'ecs', dict(ecs, source_snapshot_id='sp-abc'), ['source_snapshot_id']),
        (
            'ecs-id-unknown',
            'ecs',
            'ecs',
            dict(ecs, source_snapshot_id='s-doesnotexist0000000000'),
            ['InvalidSnapshotId.NotFound'],
        ),
        ('ecs-region-malformed', 'ecs', 'ecs', dict(ecs, source_region='Hangzhou'), ['source_region']),
        ('ecs-destination-malformed', 'ecs', 'ecs', dict(ecs, destination_region='cn_beijing'), ['destination_region']),
        (
            'ecs-destinations-twice',
            'ecs',
            'ecs',
            dict(without(ecs, 'destination_region'), destination_regions='cn-beijing, cn-beijing'),
            ['destination_regions'],
        ),
        ('ecs-name-short', 'ecs', 'ecs', dict(ecs, name='a'), ['name']),
        ('ecs-name-digit-first', 'ecs', 'ecs', dict(ecs, name='1abc'), ['name']),
        ('ecs-name-url', 'ecs', 'ecs', dict(ecs, name='http://abc'), ['name']),
        ('ecs-name-space', 'ecs', 'ecs', dict(ecs, name='ab c'), ['name']),
        ('ecs-name-long', 'ecs', 'ecs', dict(ecs, name='n' * 129), ['name']),
        ('ecs-description-short', 'ecs', 'ecs', dict(ecs, description='d'), ['description']),
        ('ecs-description-url', 'ecs', 'ecs', dict(ecs, description='https://x.example'), ['description']),
        ('ecs-description-long', 'ecs', 'ecs', dict(ecs, description='d' * 257), ['description']),
        ('ecs-retention-negative', 'ecs', 'ecs', dict(ecs, retention_days=-1), ['retention_days']),
        ('ecs-retention-high', 'ecs', 'ecs', dict(ecs, retention_days=65537), ['retention_days']),
        ('ecs-tag-reserved-key', 'ecs', 'ecs', dict(ecs, tags={'acs:k': 'v'}), ['tags']),
        ('ecs-tag-reserved-value', 'ecs', 'ecs', dict(ecs, tags={'k': 'aliyun-v'}), ['tags']),
        ('ecs-tag-url', 'ecs', 'ecs', dict(ecs, tags={'k': 'see http://x'}), ['tags']),
        ('ecs-tag-empty-key', 'ecs', 'ecs', dict(ecs, tags={'': 'v'}), ['tags']),
        ('ecs-tags-too-many', 'ecs', 'ecs', dict(ecs, tags=tags_20), ['tags']),
        ('ecs-kms-without-encryption', 'ecs', 'ecs', dict(ecs, kms_key_id='key-1'), ['kms_key_id']),
        ('ecs-endpoint-scheme', 'ecs', 'ecs', dict(ecs, endpoint_url='ftp://127.0.0.1'), ['endpoint_url']),
        ('ecs-endpoint-path', 'ecs', 'ecs', dict(ecs, endpoint_url=ctx['fakecloud_url'] + '/api'), ['endpoint_url']),
        (
            'ecs-no-credentials',
            'ecs',
            'ecs',
            without(ecs, 'alicloud_access_key', 'alicloud_secret_key'),
            ['alicloud_access_key'],
        ),
        ('ecs-endpoint-refused', 'ecs', 'ecs', dict(ecs, endpoint_url=refused), ['EndpointConnectionError']),
        ('ecs-wrong-secret', 'ecs', 'ecs', dict(ecs, alicloud_secret_key='not-the-secret'), ['InvalidAccessKeySecret']),
        (
            'ecs-unknown-key',
            'ecs',
            'ecs',
            dict(ecs, alicloud_access_key='LTAIunknown0000'),
            ['InvalidAccessKeyId.NotFound'],
        ),
        (
            'ecs-sts-without-token',
            'ecs',
            'ecs',
            dict(ecs, alicloud_access_key=ctx['alicloud_sts_key'], alicloud_secret_key=ctx['alicloud_sts_secret']),
            ['MissingSecurityToken'],
        ),
        ('ecs-read-timeout-zero', 'ecs', 'ecs', dict(ecs, read_timeout=0), ['read_timeout']),
        # ---------------------------------------------------------------- ens_snapshot_copy
        ('ens-id-malformed', 'ens', 'ens', dict(ens, source_snapshot_id='s-abc'), ['source_snapshot_id']),
        (
            'ens-id-unknown',
            'ens',
            'ens',
            dict(ens, source_snapshot_id='sp-doesnotexist000000000000'),
            ['InvalidSnapshotId.NotFound'],
        ),
        ('ens-no-destination', 'ens', 'ens', dict(ens, destination_regions=[]), ['destination_regions']),
        (
            'ens-destination-twice',
            'ens',
            'ens',
            dict(ens, destination_regions=['cn-beijing-cmcc', 'cn-beijing-cmcc']),
            ['destination_regions'],
        ),
        (
            'ens-destination-malformed',
            'ens',
            'ens',
            dict(ens, destination_regions=['Beijing']),
            ['destination_regions'],
        ),
        (
            'ens-too-many-nodes',
            'ens',
            'ens',
            dict(ens, destination_regions=['cn-node-%d' % number for number in range(101)]),
            ['destination_regions'],
        ),
        ('ens-name-period', 'ens', 'ens', dict(ens, name='edge.copy'), ['name']),
        ('ens-name-short', 'ens', 'ens', dict(ens, name='x'), ['name']),
        ('ens-description-url', 'ens', 'ens', dict(ens, description='http://x'), ['description']),
        (
            'ens-no-credentials',
            'ens',
            'ens',
            without(ens, 'alicloud_access_key', 'alicloud_secret_key'),
            ['alicloud_access_key'],
        ),
        ('ens-endpoint-refused', 'ens', 'ens', dict(ens, endpoint_url=refused), ['EndpointConnectionError']),
        ('ens-wrong-secret', 'ens', 'ens', dict(ens, alicloud_secret_key='not-the-secret'), ['InvalidAccessKeySecret']),
        # ---------------------------------------------------------------- cbs_snapshot_copy
        ('cbs-id-malformed', 'cbs', 'cbs', dict(cbs, source_snapshot_id='snap-TOOLONG123'), ['source_snapshot_id']),
        ('cbs-id-unknown', 'cbs', 'cbs', dict(cbs, source_snapshot_id='snap-00000000'), ['InvalidSnapshotId.NotFound']),
        (
            'cbs-destination-is-source',
            'cbs',
            'cbs',
            dict(cbs, destination_regions=['ap-guangzhou']),
            ['destination_regions'],
        ),
        ('cbs-no-destination', 'cbs', 'cbs', dict(cbs, destination_regions=[]), ['destination_regions']),
        (
            'cbs-destination-twice',
            'cbs',
            'cbs',
            dict(cbs, destination_regions=['ap-shanghai', 'ap-shanghai']),
            ['destination_regions'],
        ),
        ('cbs-destination-unknown', 'cbs', 'cbs', dict(cbs, destination_regions=['xx-nowhere']), ['UnsupportedRegion']),
        ('cbs-name-long', 'cbs', 'cbs', dict(cbs, name='n' * 61), ['name']),
        ('cbs-name-empty', 'cbs', 'cbs', dict(cbs, name=''), ['name']),
        ('cbs-tag-reserved', 'cbs', 'cbs', dict(cbs, tags={'qcloud:owner': 'me'}), ['tags']),
        ('cbs-tag-key-long', 'cbs', 'cbs', dict(cbs, tags={'k' * 128: 'v'}), ['tags']),
        ('cbs-tag-value-long', 'cbs', 'cbs', dict(cbs, tags={'k': 'v' * 256}), ['tags']),
        ('cbs-read-timeout-zero', 'cbs', 'cbs', dict(cbs, read_timeout=0), ['read_timeout']),
        # request_timeout, the option's name in 0.1.0, is an alias of read_timeout.
        ('cbs-request-timeout-zero', 'cbs', 'cbs', dict(cbs, request_timeout=0), ['read_timeout']),
        ('cbs-endpoint-scheme', 'cbs', 'cbs', dict(cbs, endpoint_url='ftp://127.0.0.1'), ['endpoint_url']),
        ('cbs-no-credentials', 'cbs', 'cbs', without(cbs, 'secret_id', 'secret_key'), ['secret_id']),
        ('cbs-endpoint-refused', 'cbs', 'cbs', dict(cbs, endpoint_url=refused), ['ConnectionFailed']),
        ('cbs-wrong-secret', 'cbs', 'cbs', dict(cbs, secret_key='not-the-secret'), ['AuthFailure.SignatureFailure']),
        (
            'cbs-unknown-secret-id',
            'cbs',
            'cbs',
            dict(cbs, secret_id='AKIDunknown000'),
            ['AuthFailure.SecretIdNotFound'],
        ),
        # ---------------------------------------------------------------- dr_sync
        ('dr-provider-unknown', 'dr_sync', 'ecs', dict(dr['ecs'], provider='gcp'), ['provider']),
        ('dr-no-dr-region', 'dr_sync', 'ecs', dict(dr['ecs'], dr_regions=[]), ['dr_regions']),
        (
            'dr-dr-region-twice',
            'dr_sync',
            'ecs',
            dict(dr['ecs'], dr_regions=['cn-beijing', 'cn-beijing']),
            ['dr_regions'],
        ),
        ('dr-source-as-dr-region', 'dr_sync', 'ecs', dict(dr['ecs'], dr_regions=['cn-hangzhou']), ['dr_regions']),
        (
            'dr-dr-region-unknown-key',
            'dr_sync',
            'ecs',
            dict(dr['ecs'], dr_regions=[{'region': 'cn-beijing', 'zone': 'a'}]),
            ['dr_regions'],
        ),
        ('dr-dr-region-malformed', 'dr_sync', 'aws', dict(dr['aws'], dr_regions=['west 2']), ['dr_regions']),
        ('dr-source-region-malformed', 'dr_sync', 'aws', dict(dr['aws'], source_region='useast1'), ['source_region']),
        ('dr-tag-selector-empty', 'dr_sync', 'ecs', dict(dr['ecs'], tag_selector={}), ['tag_selector']),
        ('dr-retention-on-aws', 'dr_sync', 'aws', dict(dr['aws'], retention_days=7), ['retention_days']),
        ('dr-name-template-on-aws', 'dr_sync', 'aws', dict(dr['aws'], name_template='dr-{disk_id}'), ['name_template']),
        ('dr-tags-on-ens', 'dr_sync', 'ens', dict(dr['ens'], tags={'a': 'b'}), ['tags']),
        (
            'dr-kms-in-region-on-cbs',
            'dr_sync',
            'cbs',
            dict(dr['cbs'], dr_regions=[{'region': 'ap-shanghai', 'kms_key_id': 'k'}]),
            ['dr_regions'],
        ),
        ('dr-prune-without-limits', 'dr_sync', 'ecs', dict(dr['ecs'], prune=True), ['prune']),
        ('dr-keep-negative', 'dr_sync', 'ecs', dict(dr['ecs'], prune=True, keep_copies=-1), ['keep_copies']),
        ('dr-in-flight-zero', 'dr_sync', 'cbs', dict(dr['cbs'], max_in_flight=0), ['max_in_flight']),
        ('dr-template-placeholder', 'dr_sync', 'ecs', dict(dr['ecs'], name_template='dr-{disk}'), ['name_template']),
        ('dr-template-bad-name', 'dr_sync', 'ecs', dict(dr['ecs'], name_template='1-{disk_id}'), ['name_template']),
        (
            'dr-template-bad-description',
            'dr_sync',
            'ecs',
            dict(dr['ecs'], description_template='http://{disk_id}'),
            ['description_template'],
        ),
        ('dr-tags-bad-on-cbs', 'dr_sync', 'cbs', dict(dr['cbs'], tags={'tencent:x': 'y'}), ['tags']),
        ('dr-wait-timeout-zero', 'dr_sync', 'ens', dict(dr['ens'], wait_timeout=0), ['wait_timeout']),
        ('dr-rpo-zero', 'dr_sync', 'ecs', dict(dr['ecs'], max_snapshot_age_hours=0), ['max_snapshot_age_hours']),
        (
            'dr-no-credentials',
            'dr_sync',
            'ecs',
            without(dr['ecs'], 'alicloud_access_key', 'alicloud_secret_key'),
            ['alicloud_access_key'],
        ),
        ('dr-endpoint-refused', 'dr_sync', 'aws', dict(dr['aws'], endpoint_url=refused), ['EndpointConnectionError']),
        (
            'dr-wrong-secret',
            'dr_sync',
            'cbs',
            dict(dr['cbs'], secret_key='not-the-secret'),
            ['AuthFailure.SignatureFailure'],
        ),
        # ---------------------------------------------------------------- the dr_copy role
        ('role-no-provider', 'role', 'ecs', role('ecs', dr_copy_provider=None), ['dr_copy_provider']),
        ('role-provider-unknown', 'role', 'ecs', role('ecs', dr_copy_provider='gcp'), ['dr_copy_provider']),
        ('role-no-dr-regions', 'role', 'ecs', role('ecs', dr_copy_dr_regions=None), ['dr_copy_dr_regions']),
        ('role-selector-not-dict', 'role', 'ecs', role('ecs', dr_copy_tag_selector=['dr']), ['dr_copy_tag_selector']),
        ('role-wait-not-bool', 'role', 'ecs', role('ecs', dr_copy_wait='perhaps'), ['dr_copy_wait']),
        ('role-timeout-not-int', 'role', 'ecs', role('ecs', dr_copy_wait_timeout='soon'), ['dr_copy_wait_timeout']),
        ('role-retention-negative', 'role', 'ecs', role('ecs', dr_copy_retention_days=-5), ['dr_copy_retention_days']),
        (
            'role-source-as-dr-region',
            'role',
            'cbs',
            role('cbs', dr_copy_dr_regions=['ap-guangzhou']),
            ['dr_copy_dr_regions'],
        ),
        (
            'role-template-placeholder',
            'role',
            'ens',
            role('ens', dr_copy_name_template='{nope}'),
            ['dr_copy_name_template'],
        ),
        (
            'role-prune-without-limits',
            'role',
            'aws',
            role('aws', dr_copy_prune=True),
            ['dr_copy_prune: needs dr_copy_keep_copies'],
        ),
        (
            'role-lock-on-cbs',
            'role',
            'cbs',
            role('cbs', dr_copy_lock={'mode': 'compliance', 'duration_days': 7}),
            ['dr_copy_lock: Tencent Cloud CBS has no API that locks a snapshot'],
        ),
        (
            'role-lock-governance-on-ecs',
            'role',
            'ecs',
            role('ecs', dr_copy_lock={'mode': 'governance', 'duration_days': 7}),
            ['dr_copy_lock', "mode 'governance' is not a lock of Alibaba Cloud ECS"],
        ),
        (
            'role-lock-duration-out-of-range',
            'role',
            'aws',
            role('aws', dr_copy_lock={'mode': 'compliance', 'duration_days': 40000}),
            ['dr_copy_lock', 'duration_days must be from 1 to 36500'],
        ),
        (
            'role-dr-account-on-ens',
            'role',
            'ens',
            role('ens', dr_copy_dr_account={'role_arn': 'acs:ram::1111111111111111:role/dr'}),
            ['dr_copy_dr_account', 'Alibaba Cloud ENS has no API that shares a snapshot with another account'],
        ),
        (
            'role-dr-account-bad-arn',
            'role',
            'aws',
            role('aws', dr_copy_dr_account={'role_arn': 'arn:aws:iam::12:role/dr'}),
            ['dr_copy_dr_account.role_arn: expected a role ARN'],
        ),
        (
            'role-selector-matches-nothing',
            'role',
            'ecs',
            role('ecs', dr_copy_tag_selector={'dr': 'a typo'}),
            ['dr_copy_tag_selector {dr: a typo} matches no disk'],
        ),
        (
            'role-no-credentials',
            'role',
            'aws',
            role('aws', dr_copy_connection={'endpoint_url': ctx['aws_url']}),
            ['NoCredentials'],
        ),
        (
            'role-endpoint-refused',
            'role',
            'ens',
            role('ens', dr_copy_connection=dict(ali, endpoint_url=refused)),
            ['EndpointConnectionError'],
        ),
        (
            'role-wrong-secret',
            'role',
            'cbs',
            role('cbs', dr_copy_connection=dict(tencent, secret_key='not-the-secret')),
            ['AuthFailure.SignatureFailure'],
        ),
    ]
    return [
        {'id': case_id, 'target': target, 'cloud': cloud, 'args': args, 'expect': expect}
        for case_id, target, cloud, args, expect in rows
    ]


def judge(case, outcome):
    """Why this case's outcome is wrong, or None when it failed as it should."""
    if outcome is None:
        return 'no outcome recorded (the playbook stopped before it)'
    if not outcome.get('failed'):
        return 'did not fail'
    result = outcome.get('result') or {}
    message = str(result.get('msg', ''))
    text = json.dumps(result)
    if any(sign in text for sign in SIGNS_OF_A_TRACEBACK) or 'exception' in result:
        return 'a traceback shows: %.300s' % message
    if not any(expected in message for expected in case['expect']):
        return 'the message names none of %s: %.300s' % (case['expect'], message)
    return None


def seed(emulators):
    """One source snapshot per cloud, so that each case has one thing wrong only."""
    regions = (('ecs', 'cn-hangzhou'), ('ens', 'cn-hangzhou-26'), ('cbs', 'ap-guangzhou'))
    created = emulators.admin.seed(
        {cloud: {'disks': [{'region': region, 'tags': {'dr': 'yes'}, 'snapshots': 1}]} for cloud, region in regions}
    )
    snapshots = {cloud: created[cloud]['snapshots'][0] for cloud in created}
    aws = emulators.targets.get('aws')
    if aws is not None:
        aws.seed(1)
        snapshots['aws'] = sorted(aws.seeded)[0]
    return snapshots


def outcomes_environment(env, outcomes_file):
    """``env`` with the chaos_outcomes callback on (callback_plugins/), writing each host's outcome to
    ``outcomes_file``."""
    return dict(
        env,
        ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
        ANSIBLE_CALLBACKS_ENABLED='chaos_outcomes',
        SNAPCOPY_CHAOS_OUTCOMES=outcomes_file,
    )


def run(suite, emulators):
    """Run the corpus through ansible-playbook; answer the figures and the cases that went wrong."""
    from fakecloud import credentials  # pylint: disable=import-outside-toplevel

    snapshots = seed(emulators)
    aws = emulators.targets.get('aws')
    ctx = {
        'aws_url': emulators.proxy.url,
        'fakecloud_url': emulators.fakecloud_url,
        'aws_access_key': emulators.aws_access_key,
        'aws_secret_key': emulators.aws_secret_key,
        'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
        'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
        'alicloud_sts_key': credentials.ALIBABA_STS_ACCESS_KEY_ID,
        'alicloud_sts_secret': credentials.ALIBABA_STS_ACCESS_KEY_SECRET,
        'tencent_secret_id': credentials.TENCENT_SECRET_ID,
        'tencent_secret_key': credentials.TENCENT_SECRET_KEY,
        'aws_snapshot': snapshots.get('aws', 'snap-0123456789abcdef0'),
        'ecs_snapshot': snapshots['ecs'],
        'ens_snapshot': snapshots['ens'],
        'cbs_snapshot': snapshots['cbs'],
        'report_dir': os.path.join(suite.work, 'reports', 'inputs'),
    }
    cases = [case for case in build_cases(ctx) if case['cloud'] in emulators.targets]
    groups = {}
    for number, case in enumerate(cases):
        host = {
            'ansible_connection': 'local',
            'ansible_python_interpreter': sys.executable,
            'case': {
                'id': case['id'],
                'target': case['target'],
                'args': case['args'] if case['target'] != 'role' else {},
            },
        }
        if case['target'] == 'role':
            host.update(case['args'])
        # One group per target: corpus.yml's play for a target runs on its group only.
        groups.setdefault('target_' + case['target'], {'hosts': {}})['hosts']['case-%03d' % number] = host
    inventory = os.path.join(suite.work, 'corpus-inventory.json')
    outcomes_file = os.path.join(suite.work, 'corpus-outcomes.json')
    with open(inventory, 'w', encoding='utf-8') as stream:
        json.dump({'all': {'children': groups}}, stream)
    if os.path.exists(outcomes_file):
        os.remove(outcomes_file)  # an earlier run's outcomes are no outcome of this one
    emulators.admin.calls(reset=True)
    emulators.proxy.faults.reset_ledger()
    snapshots_before = aws.snapshot_count() if aws is not None else 0
    with open(os.path.join(suite.work, 'logs', 'corpus.log'), 'w', encoding='utf-8') as log:
        code = subprocess.call(
            [
                os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                PLAYBOOK,
                '-i',
                inventory,
                '-f',
                '12',
            ],
            cwd=HERE,
            env=outcomes_environment(suite.env, outcomes_file),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with open(outcomes_file, encoding='utf-8') as stream:
            outcomes = json.load(stream)
    except (OSError, ValueError):
        outcomes = {}
    failures = []
    for number, case in enumerate(cases):
        why = judge(case, outcomes.get('case-%03d' % number))
        if why:
            failures.append({'id': case['id'], 'cloud': case['cloud'], 'why': why})
    calls = emulators.admin.calls()
    mutations = {cloud: count for cloud, actions in calls['mutating'].items() for count in [sum(actions.values())]}
    if aws is not None:
        mutations['aws'] = emulators.proxy.faults.report()['mutations']
        mutations['aws_snapshots_added'] = aws.snapshot_count() - snapshots_before
    by_target = {}
    for case in cases:
        by_target[case['target']] = by_target.get(case['target'], 0) + 1
    return {
        'cases': len(cases),
        'passed': len(cases) - len(failures),
        'failures': failures,
        'playbook_rc': code,
        'by_target': by_target,
        'mutations': {key: value for key, value in mutations.items() if value},
    }
