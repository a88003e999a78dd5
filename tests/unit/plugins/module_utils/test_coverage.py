"""Issue 47's coverage: the disks of a scope's source region that its tag selector does not take are counted, near misses
named, exempt ones set apart and the collection's own disks left out, on every cloud through its real SDK (moto's server,
fakecloud), in one listing of the region; coverage fail fails the run naming them; a limited run and coverage off read
none. The rules of the split are held by Hypothesis to their definitions, written here apart from dr/coverage.py."""

from __future__ import annotations

import botocore
import pytest
from hypothesis import given, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.client import AwsClient
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws.ebs_dr import EbsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.coverage import near_miss, split_by_selector
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import ScopeProtection
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_call_budgets import (
    fakecloud_adapter,
    fakecloud_calls,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import cloud_with_disks, run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_account_aws import (
    KEYS,
    SOURCE_ACCOUNT,
    backends,
)

SELECTOR = {'backup': 'dr'}
EXEMPT = {'dr': 'skip'}


# ------------------------------------------------------------------------------------------------------------ the rules
def squeezed(text):
    return ''.join(text.split()).lower()


KEYS_DRAWN = st.sampled_from(['backup', 'Backup', 'BACKUP ', 'tier', 'dr', 'snapcopy:restore-test', 'app'])
VALUES_DRAWN = st.sampled_from(['dr', 'DR', ' dr', 'gold', 'skip', 'x'])
TAGS = st.dictionaries(KEYS_DRAWN, VALUES_DRAWN, max_size=3)
SELECTORS = st.dictionaries(st.sampled_from(['backup', 'tier']), st.one_of(st.none(), VALUES_DRAWN), min_size=1)


@given(
    disks=st.lists(st.tuples(TAGS, st.sampled_from([None, 'db', 'snapcopy-bridge-x'])), max_size=8),
    selector=SELECTORS,
    exempt=st.one_of(st.none(), st.just(EXEMPT)),
)
def test_every_disk_is_taken_exempt_own_or_not_covered_once(disks, selector, exempt):
    def carries(tags, wanted):
        return all(key in tags and (value is None or tags[key] == value) for key, value in wanted.items())

    region_disks = [Disk('d-%d' % index, 'r', name=name, tags=tags) for index, (tags, name) in enumerate(disks)]
    taken, coverage = split_by_selector(region_disks, selector, exempt)
    uncovered = {disk.disk_id: disk for disk in coverage.uncovered}
    for disk in region_disks:
        own = any(key.startswith('snapcopy:') for key in disk.tags) or (disk.name or '').startswith('snapcopy-')
        if carries(disk.tags, selector):
            assert disk in taken and disk.id not in uncovered  # the selector's disks are the scope's, even our own
        elif own or (exempt and carries(disk.tags, exempt)):
            assert disk not in taken and disk.id not in uncovered
        else:
            assert disk.id in uncovered and disk not in taken
            # A near miss: every key of the selector is there but for case or spaces, with its value but for the same.
            loosely = all(
                any(
                    squeezed(key) == squeezed(wanted) and (value is None or squeezed(tag) == squeezed(value))
                    for key, tag in disk.tags.items()
                )
                for wanted, value in selector.items()
            )
            assert bool(uncovered[disk.id].near_miss) == loosely, (disk.tags, selector)
    exempted = sum(
        1
        for disk in region_disks
        if exempt
        and not carries(disk.tags, selector)
        and carries(disk.tags, exempt)
        and not any(key.startswith('snapcopy:') for key in disk.tags)
        and not (disk.name or '').startswith('snapcopy-')
    )
    assert coverage.exempt == exempted


def test_a_near_miss_names_the_tags_it_carries():
    assert near_miss({'Backup': 'DR', 'app': 'db'}, SELECTOR) == ('Backup=DR',)
    assert near_miss({'backup ': 'dr'}, {'backup': None}) == ('backup =dr',)
    assert near_miss({'backup': 'gold'}, SELECTOR) == ()
    assert near_miss({'Backup': 'DR'}, {'backup': 'dr', 'tier': 'gold'}) == ()


# ------------------------------------------------------------------------------------------------------------ the clouds
# Each cloud's source region holds two disks the selector takes, one untagged for DR, one near miss, one exempt and one
# of the collection's own (a restore test's): 2 not covered, 1 near miss, 1 exempt.
TAKEN, UNTAGGED, NEAR, EXEMPTED = SELECTOR, {'app': 'web'}, {'Backup': 'DR'}, dict(EXEMPT, app='cache')
OWN = {'snapcopy:restore-test': '20261126T000000Z-abcdef'}
REGION_DISKS = (TAKEN, TAKEN, UNTAGGED, NEAR, EXEMPTED, OWN)
REGIONS = {
    'aws': ('ap-southeast-1', 'us-west-1'),  # a source region where no other test's moto state has disks
    'ecs': ('cn-hangzhou', 'cn-shanghai'),
    'ens': ('cn-hangzhou-26', 'cn-beijing-cmcc'),
    'cbs': ('ap-guangzhou', 'ap-shanghai'),
}
DISK_LISTINGS = {'aws': 'DescribeVolumes', 'ecs': 'DescribeDisks', 'ens': 'DescribeDisks', 'cbs': 'DescribeDisks'}


class Scope:
    """One cloud's source region seeded with REGION_DISKS, and check runs of its scope with the calls each made."""

    def __init__(self, request, provider):
        self.provider = provider
        self.source, self.dr_region = REGIONS[provider]
        if provider == 'aws':
            self.url, self.moto_calls = request.getfixturevalue('moto_url'), request.getfixturevalue('moto_calls')
            ec2 = backends(SOURCE_ACCOUNT, self.source)
            for tags in REGION_DISKS:
                volume = ec2.create_volume(size=2, zone_name=self.source + 'a')
                ec2.create_tags([volume.id], dict(tags))
                ec2.create_snapshot(volume.id, 'nightly')
            return
        self.cloud = request.getfixturevalue('fakecloud_clean')
        self.cloud.admin.seed(
            **{
                provider: {
                    'disks': [
                        {'region': self.source, 'size': 20, 'tags': dict(tags), 'snapshots': 1} for tags in REGION_DISKS
                    ]
                }
            }
        )

    def adapter(self):
        if self.provider == 'aws':
            return EbsAdapter(AwsClient(dict(KEYS, endpoint_url=self.url), botocore_module=botocore))
        return fakecloud_adapter(self.cloud, self.provider)

    def check_run(self, **options):
        """(a check run's report, the disk listings it made)."""
        if self.provider == 'aws':
            self.moto_calls.clear()
        else:
            self.cloud.admin.calls(reset=True)
        report = dr_run_with(
            self.adapter(),
            scope(self.provider, self.source, [self.dr_region], SELECTOR, **options),
            check_mode=True,
            clock=FakeClock(),
        )
        calls = dict(self.moto_calls) if self.provider == 'aws' else fakecloud_calls(self.cloud)
        return report, calls.get(DISK_LISTINGS[self.provider], 0)


@pytest.mark.parametrize('provider', sorted(REGIONS))
def test_each_cloud_counts_the_disks_its_selector_does_not_take_in_one_listing(request, provider):
    region = Scope(request, provider)
    report, listings = region.check_run(coverage_exempt=EXEMPT)
    protection = ScopeProtection.from_data(report['protection'])
    assert len(protection.disks) == 2 and report['totals']['not_covered'] == 2 == protection.not_covered
    assert protection.near_misses == 1 and protection.exempt == 1
    (near,) = [disk for disk in protection.uncovered if disk.near_miss]
    assert near.near_miss == ('Backup=DR',)
    assert any('carries Backup=DR, which tag_selector {backup: dr} does not match' in w for w in report['run_warnings'])
    assert 'of %s not covered (1 near miss)' % region.source in protection.summary()
    assert listings == 1 and not report['failures']

    # coverage fail: the run fails, naming the disks; the exempt one is not among them.
    failed, dummy = region.check_run(coverage='fail', coverage_exempt=EXEMPT)
    (problem,) = failed['failures']
    assert problem.startswith('2 disks in %s are not covered by tag_selector {backup: dr}: ' % region.source)
    assert near.disk_id in problem and failed['protection']['status'] == 'at risk'
    # Without the exemption, the cache disk is not covered too.
    unexempt, dummy = region.check_run()
    assert unexempt['totals']['not_covered'] == 3

    # coverage off and a limited run read no coverage; where the cloud filters by tag, off lists the selector's disks.
    for options in ({'coverage': 'off'}, {'disk_ids': [protection.disks[0].disk_id]}):
        read_none, dummy = region.check_run(**options)
        assert read_none['protection']['uncovered'] is None and read_none['totals']['not_covered'] == 0
        assert not any('does not match' in warning for warning in read_none['run_warnings'])


def test_coverage_fail_fails_nothing_when_every_disk_is_covered_or_exempt():
    cloud, clock = cloud_with_disks(count=2)  # disk-0, disk-1 (dr: yes) and disk-untagged (dr: no)
    cloud.add_disk(
        'test-disk', tags={'snapcopy:restore-test': 'run-1'}
    )  # a drill's: the collection's own, never counted
    failing = run(cloud, clock, check_mode=True, coverage='fail')
    assert failing['failures'] == [
        '1 disks in src-1 are not covered by tag_selector {dr: yes}: disk-untagged; tag them, or leave them out by '
        'choice with coverage_exempt'
    ]
    exempt = run(cloud, clock, check_mode=True, coverage='fail', coverage_exempt={'dr': 'no'})
    assert not exempt['failures'] and exempt['protection']['exempt'] == 1 and exempt['totals']['not_covered'] == 0
    assert exempt['protection']['status'] != 'protected'  # a plan, never protection
