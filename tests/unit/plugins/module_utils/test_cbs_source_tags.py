"""The CBS adapter's calls on the tags of source snapshots (dr.leases.source_tags.SourceTagCalls, what copy and share leases are
made of), driving the real Tencent SDK against fakecloud over HTTP: the Tag service writes and removes the tags a key
and 50 snapshots a call (AttachResourcesTag, DetachResourcesTag), DescribeSnapshots reads them back, always in the disks'
account."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs import RESOURCE_IDS_PER_CALL
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent.cbs_dr import CbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import NOT_FOUND, CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.lease import lease_for, leases_under
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.leases.source_tags import SourceTagCalls
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_cbs import make_client
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_cbs import (
    dr_adapter,
    run_settings,
)

SOURCE = 'ap-guangzhou'
COPY_CLAIM_PREFIX = 'snapcopy:copy-lease:'
UNTIL = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


@pytest.fixture
def cloud(fakecloud_clean):
    return fakecloud_clean


def seed_sources(cloud, count, tags=None, account=None):
    """``count`` snapshots in the source region, each with ``tags``: their ids."""
    spec = {'region': SOURCE, 'tags': dict(tags or {})}
    if account:
        spec['account'] = account
    return cloud.admin.seed(cbs={'snapshots': [dict(spec) for dummy in range(count)]})['cbs']['snapshots']


def lease(run_id, regions=('ap-shanghai',)):
    """A copy lease's tag, as a DR run writes it: (key, value)."""
    return lease_for(run_id, UNTIL, regions).tag(COPY_CLAIM_PREFIX)


def held_tags(cloud, snapshot_ids):
    """{id: tags} as fakecloud holds them (not through the adapter)."""
    snapshots = cloud.admin.state(cloud='cbs', region=SOURCE)['cbs'].get(SOURCE, {}).get('snapshots', [])
    return {snapshot['id']: snapshot['tags'] for snapshot in snapshots if snapshot['id'] in snapshot_ids}


def tag_calls(cloud, action):
    return [
        entry['params'] for entry in cloud.admin.calls()['log'] if entry['cloud'] == 'tag' and entry['action'] == action
    ]


def test_tags_written_on_two_sources_are_read_back(cloud):
    sources = seed_sources(cloud, 2, {'owner': 'team-a'})
    adapter = CbsAdapter(make_client(cloud))
    assert isinstance(adapter, SourceTagCalls)
    key, value = lease('run-a', ('ap-shanghai', 'ap-beijing'))
    adapter.tag_sources(SOURCE, sources, {key: value})
    assert held_tags(cloud, sources) == {source: {'owner': 'team-a', key: value} for source in sources}
    read = adapter.sources_tags(SOURCE, sources)
    assert read == {source: {'owner': 'team-a', key: value} for source in sources}
    # What a DR run reads back is the lease it wrote.
    assert leases_under(read[sources[0]], COPY_CLAIM_PREFIX) == {
        'run-a': lease_for('run-a', UNTIL, ['ap-beijing', 'ap-shanghai'])
    }
    (sent,) = tag_calls(cloud, 'AttachResourcesTag')
    assert sent == {
        'ServiceType': 'cvm',
        'ResourcePrefix': 'snapshot',
        'ResourceRegion': SOURCE,
        'ResourceIds': sorted(sources),
        'TagKey': key,
        'TagValue': value,
    }


def test_untag_removes_only_the_named_key_and_a_key_not_there_is_no_error(cloud):
    sources = seed_sources(cloud, 2, {'owner': 'team-a'})
    adapter = CbsAdapter(make_client(cloud))
    mine, theirs = lease('run-a'), lease('run-b')
    adapter.tag_sources(SOURCE, sources, dict([mine, theirs]))
    adapter.untag_sources(SOURCE, sources, [mine[0], COPY_CLAIM_PREFIX + 'never-there'])
    expected = {source: {'owner': 'team-a', theirs[0]: theirs[1]} for source in sources}
    assert adapter.sources_tags(SOURCE, sources) == expected
    assert held_tags(cloud, sources) == expected
    # Again: no snapshot carries the key now, and that is no error either.
    adapter.untag_sources(SOURCE, sources, [mine[0]])
    assert adapter.sources_tags(SOURCE, sources) == expected
    assert [sent['TagKey'] for sent in tag_calls(cloud, 'DetachResourcesTag')] == [
        *sorted([mine[0], COPY_CLAIM_PREFIX + 'never-there']),
        mine[0],
    ]


def test_a_snapshot_gone_is_left_out_untagged_without_error_and_refused_a_tag(cloud):
    present, gone = seed_sources(cloud, 2, {'owner': 'team-a'})
    adapter = CbsAdapter(make_client(cloud))
    key, value = lease('run-a')
    adapter.tag_sources(SOURCE, [present, gone], {key: value})
    adapter.delete_snapshot(SOURCE, gone)
    assert adapter.sources_tags(SOURCE, [present, gone]) == {present: {'owner': 'team-a', key: value}}
    # Removing a lease from a snapshot that is gone has nothing left to do (its tags are gone with it): DetachResourcesTag
    # refuses the whole batch for it, and the batch goes again as UnTagResources, whose answer names the one gone.
    adapter.untag_sources(SOURCE, [present, gone], [key])
    assert adapter.sources_tags(SOURCE, [present, gone]) == {present: {'owner': 'team-a'}}
    assert [sent['TagKeys'] for sent in tag_calls(cloud, 'UnTagResources')] == [[key]]
    # A lease cannot be written on it: AttachResourcesTag changes all of its snapshots or none, and names it.
    with pytest.raises(CloudError) as raised:
        adapter.tag_sources(SOURCE, [present, gone], {key: value})
    assert raised.value.kind == NOT_FOUND and raised.value.action == 'AttachResourcesTag'
    assert gone in raised.value.message and present not in raised.value.message
    assert adapter.sources_tags(SOURCE, [present, gone]) == {present: {'owner': 'team-a'}}


def test_more_sources_than_one_call_takes_go_in_batches_a_key_a_call(cloud):
    sources = seed_sources(cloud, RESOURCE_IDS_PER_CALL + 3)
    adapter = CbsAdapter(make_client(cloud))
    tags = dict(lease('run-%02d' % number) for number in range(2))
    adapter.tag_sources(SOURCE, sources, tags)
    assert adapter.sources_tags(SOURCE, sources) == {source: tags for source in sources}
    sent = tag_calls(cloud, 'AttachResourcesTag')
    assert len(sent) == 4  # two batches of snapshots, each with two keys
    assert sorted((call['TagKey'], len(call['ResourceIds'])) for call in sent) == sorted(
        (key, size) for key in tags for size in (RESOURCE_IDS_PER_CALL, 3)
    )
    assert cloud.admin.calls()['calls']['cbs']['DescribeSnapshots']['calls'] == 1  # 100 ids a read
    adapter.untag_sources(SOURCE, sources, sorted(tags))
    assert adapter.sources_tags(SOURCE, sources) == {source: {} for source in sources}
    removed = tag_calls(cloud, 'DetachResourcesTag')
    assert len(removed) == 4 and all(len(call['ResourceIds']) <= RESOURCE_IDS_PER_CALL for call in removed)
    assert not tag_calls(cloud, 'TagResources') and not tag_calls(cloud, 'UnTagResources')


def test_with_a_dr_account_the_calls_go_to_the_disks_account(cloud):
    sources = seed_sources(cloud, 2, {'owner': 'team-a'})
    # A snapshot of the DR account in the source region: not the disks' account's, so never one of its sources.
    (foreign,) = seed_sources(cloud, 1, {'owner': 'dr'}, account=credentials.TENCENT_DR_UIN)
    adapter = dr_adapter(cloud, run_settings().dr_account)
    assert adapter.dr is not None
    key, value = lease('run-a')
    adapter.tag_sources(SOURCE, sources, {key: value})
    snapshots = cloud.admin.state(cloud='cbs', region=SOURCE)['cbs'][SOURCE]['snapshots']
    assert {snapshot['id']: (snapshot['account'], snapshot['tags']) for snapshot in snapshots} == dict(
        {source: (credentials.TENCENT_UIN, {'owner': 'team-a', key: value}) for source in sources},
        **{foreign: (credentials.TENCENT_DR_UIN, {'owner': 'dr'})},
    )
    assert adapter.sources_tags(SOURCE, [*sources, foreign]) == {
        source: {'owner': 'team-a', key: value} for source in sources
    }
    adapter.untag_sources(SOURCE, sources, [key])
    assert held_tags(cloud, sources) == {source: {'owner': 'team-a'} for source in sources}


def test_a_policy_without_the_calls_a_key_a_call_keeps_its_leases_through_tagresources(cloud):
    """A CAM policy written for the release before this one allows tag:TagResources and tag:UnTagResources, not
    tag:AttachResourcesTag and tag:DetachResourcesTag: the leases are written and taken off as before (9 snapshots a
    call), and each refused action is asked once a run, not once a batch."""
    sources = seed_sources(cloud, RESOURCE_IDS_PER_CALL + 3, {'owner': 'team-a'})
    refused = ('AttachResourcesTag', 'DetachResourcesTag')
    cloud.admin.faults(
        rules=[
            {'cloud': 'tag', 'action': action, 'error_rate': 1.0, 'error_code': 'UnauthorizedOperation'}
            for action in refused
        ]
    )
    adapter = CbsAdapter(make_client(cloud))
    mine, theirs = lease('run-a'), lease('run-b')
    adapter.tag_sources(SOURCE, sources, dict([mine, theirs]))
    assert held_tags(cloud, sources) == {source: {'owner': 'team-a', **dict([mine, theirs])} for source in sources}
    adapter.untag_sources(SOURCE, sources, [mine[0]])
    assert held_tags(cloud, sources) == {source: {'owner': 'team-a', theirs[0]: theirs[1]} for source in sources}
    counted = cloud.admin.calls()['calls']['tag']
    assert [counted[action]['calls'] for action in refused] == [1, 1], counted
    written = tag_calls(cloud, 'TagResources')
    assert len(written) == 2 * 6 and all(len(call['ResourceList']) <= 9 for call in written)  # 53 sources, 9 a call
    assert len(tag_calls(cloud, 'UnTagResources')) == 6


def test_through_tagresources_a_snapshot_gone_still_fails_its_lease_and_is_named(cloud):
    """Where the policy sends the leases through TagResources, whose answer names each snapshot it could not tag, a
    snapshot gone is a failure to write its lease (not, as for taking a lease off, nothing left to do): the others'
    leases are written, and the error names the one gone."""
    present, gone = seed_sources(cloud, 2, {'owner': 'team-a'})
    adapter = CbsAdapter(make_client(cloud))
    adapter.delete_snapshot(SOURCE, gone)
    cloud.admin.faults(
        rules=[
            {'cloud': 'tag', 'action': 'AttachResourcesTag', 'error_rate': 1.0, 'error_code': 'UnauthorizedOperation'}
        ]
    )
    key, value = lease('run-a')
    with pytest.raises(CloudError) as raised:
        adapter.tag_sources(SOURCE, [present, gone], {key: value})
    assert raised.value.kind == NOT_FOUND and raised.value.action == 'TagResources'
    assert gone in raised.value.message and present not in raised.value.message
    assert held_tags(cloud, [present]) == {present: {'owner': 'team-a', key: value}}
