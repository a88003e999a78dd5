"""What a DR run costs in calls, by action, at N = 1,000 tagged disks on each cloud: the first run of a scope (every
disk copied to one DR region), through the real SDKs against moto's server (AWS) and fakecloud (ECS, ENS, CBS), plain
and with the vault (at 600 disks, 201 on AWS: VAULT_DISKS says why). Each cloud throttles its API per account and
region, mutating calls more tightly than reads, and the buckets are shared with every other tool of the account: a run's
cost is held here by counts, never by a wall clock.

The budgets, per run of N disks into one DR region (docs/performance.md, "Calls per run", says where each comes from):

* copy calls: one per copy (CBS: one per source, for all its DR regions);
* the copy leases (dr.leases.copies.CopyLeases): written, and taken off, a batch of sources a call, as many as the cloud's tag
  call takes (EC2 CreateTags/DeleteTags: 1,000 resources, FILTER_CHUNK a call here; ECS TagResources/UntagResources: 50;
  Tencent AttachResourcesTag/DetachResourcesTag: 50, a key a call, the tag 2018-08-13 models' "up to 50 resources");
* what the cloud makes us write on each copy, and only where it must: the copy's own id on AWS and CBS copies
  (docs/safety.md, "Where the cloud records no source"); nothing on ECS and ENS;
* reads: 3 per 100 disks in each region the run reads, and what a cloud's own limits add (tests/utils/read_budget.py).
"""

from __future__ import annotations

import math
import os

import botocore
import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_resource_share import RESOURCES_PER_CALL
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ens_dr import EnsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.client import (
    RateLimiter,
    TencentClient,
    load_sdk,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    KEYS,
    SOURCE_ACCOUNT,
    backends,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA, TENCENT
from ansible_collections.snapcopy.cloud.tests.utils.read_budget import READ_PREFIXES, read_budget

# make units-oldest runs these at 600 disks (SNAPCOPY_BUDGET_DISKS): what the oldest SDKs could change is a request more or
# less per call, which 600 disks show as 1,000 do, crossing every page and batch the run of 1,000 crosses (DescribeVolumes'
# pages of 500, the filters' 200 values, the tag calls' batches, the lock reads' 100 and 200); the budgets' arithmetic at
# 1,000 is the collection's own, held by make units. Not 501, past the pages of 500: there CBS's plain run reads 39 times,
# over its budget of 36 (its few reads that do not grow with the disks).
DISKS = int(os.environ.get('SNAPCOPY_BUDGET_DISKS', '1000'))
# The runs with the vault (locks, a DR account) take 600 disks on fakecloud: their own calls (the locks, read back 100 or 200
# a read; the shares and their leases, 5, 50 or 200 a call) cross every page and batch at 600 that they cross at 1,000, and
# the rest of such a run is the plain run's, whose budget the plain tests hold at DISKS (1,000).
VAULT_DISKS = min(DISKS, 600)
# On AWS (moto's server, where these runs spend their CPU: 10 to 11 CPU s each at 600 and 400 disks in make units), the
# vault's and the copy tags' runs take one disk more than the largest batch of their own calls (the locks read back 200 a
# read, the shares' leases and the copy tags 200 a call, the copies listed 100 a page): each of those calls is held to a
# count per batch or page, which 201 disks cross as 600 did: a run that sent them in batches of half the size fails here
# (checked: docs/performance.md). Not on fakecloud: there the runs' few reads that do not grow with the disks (the DR
# account's, the copy tags' listing) pass the budget of 3 reads per 100 disks at 300 or 600 disks but not at 201.
AWS_PAST_EVERY_BATCH = min(DISKS, 201)
SELECTOR = {'budget': 'yes'}

# What each cloud's calls are: the copy call, the calls that write or take off tags, and the other mutating calls.
COPY_CALL = {'aws': 'CopySnapshot', 'ecs': 'CopySnapshot', 'ens': 'CopySnapshot', 'cbs': 'CopySnapshotCrossRegions'}
TAG_CALLS = {
    'aws': ('CreateTags', 'DeleteTags'),
    'ecs': ('TagResources', 'UntagResources'),
    'ens': (),
    'cbs': ('TagResources', 'UnTagResources', 'AttachResourcesTag', 'DetachResourcesTag'),
}
# How many resources one tag call takes (see the module docstring); CopyLeases writes and takes off that many at once.
TAGGED_PER_CALL = {'aws': 200, 'ecs': 50, 'cbs': 50}
# How many snapshots' locks one DescribeLockedSnapshots reads here (EbsAdapter and EcsAdapter.ids_per_lock_describe).
LOCKS_PER_READ = {'aws': 200, 'ecs': 100}
# With dr_account, the sources' tags are read three times more, 100 or more a read: before the run's leases, after them
# (another run's release under way), and at the release (dr.leases.shares).
SHARE_READS = 3
# A lease lasts twice the client's timeouts and half a minute (dr.leases.lease.lease_seconds), and is taken again once half of
# it has gone: a run that takes longer than that (85 s with the default timeouts) pays one more tag call and one more
# read per batch each time. The emulators' clocks are this machine's, so on a busy machine a run here could take that
# long: with a read timeout of an hour the leases outlast any run pytest-timeout lets finish, and the counts do not
# depend on the machine's speed (test_lease_rules.py holds the leases taken again).
LEASES_OUTLAST_THE_RUN = {'read_timeout': 3600}
# (source region, DR region) of each cloud's runs.
REGIONS = {
    'aws': ('ap-south-1', 'ap-northeast-1'),
    'ecs': ('cn-hangzhou', 'cn-shanghai'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc'),
    'cbs': ('ap-guangzhou', 'ap-shanghai'),
}


def fakecloud_run(cloud, provider, disks=DISKS, disk_tags=None, check_mode=False, **options):
    """{action: calls} of the first DR run of a scope of ``disks`` disks on ``provider`` (fakecloud), and its report; with
    dr_account in ``options``, the DR account connected from the run's own connection. The disks carry ``disk_tags``
    besides the selector's; none given, the scope is seeded already (a second run)."""
    source, dr_region = REGIONS[provider]
    if disk_tags is not False:
        cloud.admin.configure(timings={provider: {'snapshot_seconds': 0, 'copy_seconds': 0, 'disk_seconds': 0}})
        tags = dict(SELECTOR, **(disk_tags or {}))
        cloud.admin.seed(
            **{provider: {'disks': [{'region': source, 'size': 20, 'tags': tags, 'snapshots': 1}] * disks}}
        )
    cloud.admin.calls(reset=True)
    report = dr_run_with(
        fakecloud_adapter(cloud, provider, **LEASES_OUTLAST_THE_RUN),
        scope(provider, source, [dr_region], SELECTOR, **options),
        clock=FakeClock(),
        connection=dict(ALIBABA, endpoint_url=cloud.url, **LEASES_OUTLAST_THE_RUN),
        check_mode=check_mode,
    )
    return fakecloud_calls(cloud), report


def fakecloud_adapter(cloud, provider, **connection):
    """The DR adapter of ``provider`` (ecs, ens, cbs) against fakecloud, through its real SDK, with ``connection``'s
    options."""
    if provider == 'cbs':  # Tencent's 20 calls a second per action, which its own tests hold, would make this a minute
        return CbsAdapter(
            TencentClient(
                dict(TENCENT, endpoint_url=cloud.url, **connection), load_sdk(), limiter=RateLimiter(per_second=1000)
            )
        )
    return {'ecs': EcsAdapter, 'ens': EnsAdapter}[provider].from_connection(
        dict(ALIBABA, endpoint_url=cloud.url, **connection)
    )


def fakecloud_calls(cloud):
    """{action: calls} fakecloud answered since its ledger was last reset."""
    return {
        action: counts['calls']
        for actions in cloud.admin.calls()['calls'].values()
        for action, counts in actions.items()
    }


def aws_run(url, moto_calls, regions=REGIONS['aws'], disks=DISKS, disk_tags=None, check_mode=False, **options):
    """fakecloud_run, on AWS through moto's server: the disks and their snapshots made in moto's backend directly
    (fast), the run's calls counted as moto's server answers them (``moto_calls``). moto's server lives as long as the
    test module: each test runs in ``regions`` of its own."""
    source, dr_region = regions
    ec2 = backends(SOURCE_ACCOUNT, source)
    for dummy in range(disks if disk_tags is not False else 0):
        volume = ec2.create_volume(size=2, zone_name=source + 'a')
        ec2.create_tags([volume.id], dict(SELECTOR, **(disk_tags or {})))
        ec2.create_snapshot(volume.id, 'nightly')
    moto_calls.clear()
    connection = dict(KEYS, endpoint_url=url, **LEASES_OUTLAST_THE_RUN)
    report = dr_run_with(
        EbsAdapter(AwsClient(connection, botocore_module=botocore)),
        scope('aws', source, [dr_region], SELECTOR, **options),
        connection=connection,
        clock=FakeClock(),
        check_mode=check_mode,
    )
    return dict(moto_calls), report


def held_to_budget(provider, counted, report, locked=False, disks=DISKS):
    """Assert the budgets of the module docstring on ``counted``, the calls of a first run of ``disks`` disks
    (``locked``: with dr_sync's lock, whose calls are taken out of ``counted`` and held to their own budget first)."""
    assert report['totals']['copied'] == disks and not report['failures'], report['failures'][:3]
    if locked:
        assert report['totals']['locked'] == disks
        # No cloud locks several snapshots in one call; the locks are read three times a region, each read as many
        # copies as the cloud's call takes: before the locks, the locks set read back, after the wait.
        assert counted.pop('LockSnapshot') == disks, counted
        assert counted.pop('DescribeLockedSnapshots') <= 3 * math.ceil(disks / LOCKS_PER_READ[provider]), counted
    copy_call = COPY_CALL[provider]
    assert counted.get(copy_call) == disks, counted
    tag_calls = sum(counted.get(action, 0) for action in TAG_CALLS[provider])
    marks = (
        disks if provider in ('aws', 'cbs') else 0
    )  # a copy's own id, one call a copy where the cloud records no source
    leases = (
        2 * math.ceil(disks / TAGGED_PER_CALL[provider]) if provider in TAGGED_PER_CALL else 0
    )  # written, taken off
    assert tag_calls <= marks + leases, counted
    mutating = sum(calls for action, calls in counted.items() if not action.startswith(READ_PREFIXES))
    assert mutating == counted[copy_call] + tag_calls, 'no other mutating call: %s' % counted
    reads = sum(calls for action, calls in counted.items() if action.startswith(READ_PREFIXES))
    assert reads <= read_budget(provider, disks), counted


def test_a_plain_aws_run_of_1000_disks_costs_a_copy_call_and_a_mark_a_copy(moto_url, moto_calls):
    held_to_budget('aws', *aws_run(moto_url, moto_calls))


@pytest.mark.parametrize('provider', ['ecs', 'ens', 'cbs'])
def test_a_plain_run_of_1000_disks_costs_a_copy_call_a_copy_and_batched_leases(fakecloud_clean, provider):
    held_to_budget(provider, *fakecloud_run(fakecloud_clean, provider))


@pytest.mark.parametrize(
    'provider, lock',
    [
        ('aws', {'mode': 'governance', 'duration_days': 1}),
        ('ecs', {'mode': 'compliance', 'duration_days': 1, 'cool_off_hours': 1}),
    ],
    ids=['aws', 'ecs'],
)
def test_a_locked_run_adds_a_lock_call_a_copy_and_reads_them_back_together(request, provider, lock):
    """The vault's locks (docs/vault.md): one LockSnapshot a copy, and the locks read back in batches, never one read a
    copy; at VAULT_DISKS disks (AWS: AWS_PAST_EVERY_BATCH)."""
    disks = AWS_PAST_EVERY_BATCH if provider == 'aws' else VAULT_DISKS
    if provider == 'aws':
        counted, report = aws_run(
            request.getfixturevalue('moto_url'),
            request.getfixturevalue('moto_calls'),
            ('ap-east-1', 'eu-south-2'),
            disks,
            lock=lock,
        )
    else:
        counted, report = fakecloud_run(request.getfixturevalue('fakecloud_clean'), provider, disks, lock=lock)
    held_to_budget(provider, counted, report, locked=True, disks=disks)


def test_an_aws_run_with_a_dr_account_leases_and_releases_its_shares_in_batches(moto_url, moto_calls):
    """With dr_account (docs/vault.md), each source is shared with the DR account and taken back: EC2's
    ModifySnapshotAttribute and DescribeSnapshotAttribute take one snapshot a call, so those are two a source each (the
    permission read before the lease and again before the share); the run's leases on the sources, its release tags and
    their removal are batches, as the copy leases are. At AWS_PAST_EVERY_BATCH disks, past one batch of 200: moto's
    server takes a minute for the 5,000 calls of 1,000 (the ECS test below runs 600)."""
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import DR_ROLE  # pylint: disable=import-outside-toplevel

    disks = AWS_PAST_EVERY_BATCH
    counted, report = aws_run(moto_url, moto_calls, ('me-central-1', 'ap-northeast-2'), disks, dr_account=DR_ROLE)
    assert report['totals']['copied'] == disks and not report['failures'], report['failures'][:3]
    assert len(report['dr_account']['released']) == disks and not report['dr_account']['held']
    assert (
        counted.pop('ModifySnapshotAttribute') == 2 * disks and counted.pop('DescribeSnapshotAttribute') <= 2 * disks
    ), counted
    batches = math.ceil(disks / TAGGED_PER_CALL['aws'])
    assert counted.pop('CreateTags') <= disks + 3 * batches, counted  # marks; leases, release tags and leases
    assert counted.pop('DeleteTags') <= 2 * batches, counted  # the leases; the leases, release tags and marks
    for action in ('AssumeRole', 'GetCallerIdentity'):  # the DR account's role, and whose keys are whose: once a run
        assert counted.pop(action) <= 2, counted
    reads = sum(calls for action, calls in counted.items() if action.startswith(READ_PREFIXES))
    assert reads <= read_budget('aws', disks) + SHARE_READS * math.ceil(disks / 100), counted
    assert counted['CopySnapshot'] == disks and set(counted) == {
        'CopySnapshot',
        'DescribeSnapshots',
        'DescribeVolumes',
    }, counted


def test_an_ecs_run_with_a_dr_account_claims_and_releases_its_shares_in_batches(fakecloud_clean):
    """With dr_account on ECS, a source is shared through Resource Sharing: associated and disassociated 5 sources a
    call (the most the calls take), and looked up 5 at a time (whether the DR account sees it, before the lease and
    before the copy; the shares it is in, when taken back), but for its association, which ListResourceShareAssociations
    reads a source a call; the leases, release tags and their removal are batches of 50; the DR account's invitation is
    accepted once. At VAULT_DISKS disks."""
    from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_ecs import DR_ROLE  # pylint: disable=import-outside-toplevel

    disks = VAULT_DISKS
    counted, report = fakecloud_run(fakecloud_clean, 'ecs', disks, dr_account=DR_ROLE)
    assert (
        report['totals']['copied'] == disks
        and not report['failures']
        and len(report['dr_account']['released']) == disks
    )
    shares = math.ceil(disks / RESOURCES_PER_CALL)
    assert (
        counted['CopySnapshot'] == disks
        and counted['AssociateResourceShare'] == counted['DisassociateResourceShare'] == shares
    ), counted
    batches = math.ceil(disks / TAGGED_PER_CALL['ecs'])
    assert counted['TagResources'] <= 2 * batches and counted['UntagResources'] <= batches, counted
    assert counted['ListSharedResources'] <= 4 * shares and counted['ListResourceShares'] <= shares + 1, counted
    assert counted['ListResourceShareAssociations'] == disks, counted
    # The DR account's invitation is looked at once a run and resource share, not once a source.
    assert counted['ListResourceShareInvitations'] <= 5 and counted['AcceptResourceShareInvitation'] <= 2, counted
    reads = counted['DescribeSnapshots'] + counted['DescribeDisks']
    assert reads <= read_budget('ecs', disks) + SHARE_READS * math.ceil(disks / 100), counted


# Copy tags (dr_sync's copy_tags) at a few hundred disks (AWS: AWS_PAST_EVERY_BATCH): every page and batch of the listing
# crossed.
COPY_TAG_DISKS = {'aws': AWS_PAST_EVERY_BATCH, 'ecs': min(DISKS, 300), 'cbs': min(DISKS, 300)}
# How many DR copies one tagging call takes (the adapters' copies_per_tag_call): EC2 CreateTags, ECS TagResources'
# ResourceId.N, Tencent's TagResources' ResourceList.
COPIES_PER_TAG_CALL = {'aws': 200, 'ecs': 50, 'cbs': 9}
# The scope of the copy tags' test on AWS: regions the oldest botocore knows (units-oldest).
COPY_TAG_REGIONS_AWS = ('us-east-2', 'ap-southeast-2')


def retagged(request, provider, disks, tags, removed=()):
    """Every disk of a first run's scope given ``tags`` and with the keys ``removed`` taken off, as a person does it,
    through the cloud's own calls."""
    if provider == 'aws':
        ec2 = backends(SOURCE_ACCOUNT, COPY_TAG_REGIONS_AWS[0])
        ids = [volume.id for volume in ec2.describe_volumes()]
        assert len(ids) == disks
        ec2.create_tags(ids, tags)
        if removed:
            ec2.delete_tags(ids, dict.fromkeys(removed))
        return
    cloud = request.getfixturevalue('fakecloud_clean')
    adapter = fakecloud_adapter(cloud, provider)
    source = REGIONS[provider][0]
    ids = [disk.id for disk in adapter.find_disks(source, dict(SELECTOR))]
    assert len(ids) == disks
    size = 50 if provider == 'ecs' else 9
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        if provider == 'ecs':
            numbered = [('ResourceId.%d' % number, disk_id) for number, disk_id in enumerate(chunk, start=1)]
            tagged = {'RegionId': source, 'ResourceType': 'disk', **dict(numbered)}
            for number, (key, value) in enumerate(sorted(tags.items()), start=1):
                tagged.update({'Tag.%d.Key' % number: key, 'Tag.%d.Value' % number: value})
            adapter.client.call('TagResources', tagged, source)
            if removed:
                untagged = {'RegionId': source, 'ResourceType': 'disk', **dict(numbered)}
                untagged.update(('TagKey.%d' % number, key) for number, key in enumerate(removed, start=1))
                adapter.client.call('UntagResources', untagged, source)
        else:
            resources = ['qcs::cvm:%s:uin/:volume/%s' % (source, disk_id) for disk_id in chunk]
            adapter.client.call(
                'tag',
                None,
                'TagResources',
                {
                    'ResourceList': resources,
                    'Tags': [{'TagKey': key, 'TagValue': value} for key, value in tags.items()],
                },
            )
            if removed:
                adapter.client.call(
                    'tag', None, 'UnTagResources', {'ResourceList': resources, 'TagKeys': list(removed)}
                )


def copy_tags_run(request, provider, copy_tags, disk_tags=False, check_mode=False):
    """({action: calls}, report) of a DR run of the copy tags' scope of COPY_TAG_DISKS[provider] disks with ``copy_tags``; with
    ``disk_tags``, its first run, on disks made with those tags."""
    named = {'copy_tags': copy_tags}
    if provider == 'aws':
        url, moto_calls = request.getfixturevalue('moto_url'), request.getfixturevalue('moto_calls')
        return aws_run(
            url,
            moto_calls,
            COPY_TAG_REGIONS_AWS,
            COPY_TAG_DISKS['aws'],
            disk_tags=disk_tags,
            check_mode=check_mode,
            **named,
        )
    cloud = request.getfixturevalue('fakecloud_clean')
    return fakecloud_run(cloud, provider, COPY_TAG_DISKS[provider], disk_tags=disk_tags, check_mode=check_mode, **named)


def writes(counted):
    """{action: calls} of the mutating calls of ``counted``."""
    return {action: calls for action, calls in counted.items() if not action.startswith(READ_PREFIXES)}


# One scope a cloud, run after run as a person changes its disks' tags: each step's runs start from the world the step
# before left, as a scope's runs do. The three steps were three tests that each made their own scope and ran its first
# run again; that first run is the first step's, held to the same budget, once.
@pytest.mark.parametrize('provider', ['aws', 'ecs', 'cbs'])
def test_copy_tags_cost_no_call_a_copy_and_a_renamed_tag_or_key_reaches_every_copy_in_batched_calls(request, provider):
    """1. A first run with copy_tags puts them in the copy call (CBS: in the TagResources that marks the copy): the
    plain run's budget, plus the listing that reads them back (one paged read of the DR region). A second run, with
    nothing changed on the disks, writes nothing at all: no tagging call a copy.
    2. A team renamed on every disk of the scope: the next run sets the new value on every DR copy, the copies of a region
    that need the same tags together, as many a call as the cloud's tagging call takes: never a call a copy.
    3. team renamed to owner on every disk (issue 60): the next run sets owner, with the copies' records, and takes team
    off every DR copy, each in as many calls as the cloud's call takes copies (no cloud sets and takes off tags of many
    resources in one call); a check run before it calls nothing that writes, and a rerun after it calls nothing."""
    named = ['cost-center', 'team']
    tags = {'cost-center': 'cc-42', 'team': 'storage'}
    disks = COPY_TAG_DISKS[provider]

    # 1. The first run and a second one with nothing changed.
    counted, report = copy_tags_run(request, provider, named, disk_tags=tags)
    again, rerun = copy_tags_run(request, provider, named)
    records = [copy['copy_tags'] for disk in report['disks'] for copy in disk['copies']]
    assert all(record['action'] == 'copied_with' and record['set'] == tags for record in records), records[:3]
    # The listing: 100 copies a page at most (ECS's MaxResults; CBS's Limit), on top of the plain run's reads.
    listing_reads = math.ceil(disks / 100)
    reads = sum(calls for action, calls in counted.items() if action.startswith(READ_PREFIXES))
    assert reads <= read_budget(provider, disks) + listing_reads, counted
    # The rest, the plain run's budget: a copy call a copy, the marks and leases, no other mutating call (the reads, above).
    held_to_budget(provider, writes(counted), report, disks=disks)
    assert rerun['totals']['existing'] == disks and not rerun['changed'], rerun['failures'][:3]
    assert all(copy['copy_tags']['action'] == 'unchanged' for disk in rerun['disks'] for copy in disk['copies'])
    assert writes(again) == {}, again
    assert sum(again.values()) <= read_budget(provider, disks) + listing_reads, again

    # 2. The team renamed on every disk.
    retagged(request, provider, disks, {'team': 'databases'})
    counted, report = copy_tags_run(request, provider, named)
    records = [copy['copy_tags'] for disk in report['disks'] for copy in disk['copies']]
    assert len(records) == disks and not report['failures'], report['failures'][:3]
    changed = {'action': 'tagged', 'set': {'team': 'databases'}, 'not_set': {}, 'removed': [], 'not_removed': {}}
    assert all(record == changed for record in records)
    tag_calls = sum(counted.get(action, 0) for action in TAG_CALLS[provider])
    assert tag_calls == math.ceil(disks / COPIES_PER_TAG_CALL[provider]), counted
    assert sum(writes(counted).values()) == tag_calls, counted

    # 3. The key team renamed to owner on every disk, and owner copied too.
    named = ['cost-center', 'team', 'owner']
    retagged(request, provider, disks, {'owner': 'storage'}, removed=('team',))
    planned_calls, planned = copy_tags_run(request, provider, named, check_mode=True)
    assert planned['changed'] and all(
        copy['copy_tags']['removed'] == ['team'] for disk in planned['disks'] for copy in disk['copies']
    )
    assert writes(planned_calls) == {}, planned_calls
    counted, report = copy_tags_run(request, provider, named)
    records = [copy['copy_tags'] for disk in report['disks'] for copy in disk['copies']]
    assert len(records) == disks and not report['failures'], report['failures'][:3]
    off = {'team': 'the disk does not carry this tag'}
    changed = {'action': 'tagged', 'set': {'owner': 'storage'}, 'not_set': off, 'removed': ['team'], 'not_removed': {}}
    assert all(record == changed for record in records), records[:3]
    batches = math.ceil(disks / COPIES_PER_TAG_CALL[provider])
    setting, taking_off = TAG_CALLS[provider][:2]
    assert counted.get(setting) == batches and counted.get(taking_off) == batches, counted
    assert sum(writes(counted).values()) == 2 * batches, counted
    again, rerun = copy_tags_run(request, provider, named)
    assert not rerun['changed'], rerun['disks'][:1]
    assert writes(again) == {}, again
