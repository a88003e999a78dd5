"""What each phase of a DR run costs in calls (dr/phases: each phase counts its own), held against the in-memory cloud's
own count of the calls it was sent while that phase ran."""

from __future__ import annotations

import dataclasses
import pathlib

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import (
    INVALID,
    RETRYABLE,
    CloudError,
    is_retryable,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.retry import Backoff, CallRetry
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr import run as run_module
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.context import PhaseResult
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.copy import Copies
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases import sequence
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.sequence import Phase
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.prune import dr_copies_by_disk
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import (
    add_old_copies,
    cloud_with_disks,
    newer_snapshot,
    params,
)

# A phase counts what it sends by the adapter method, or by the engine's step that sends it: the engine's ``copy`` sends
# start_copy, and the in-memory cloud's read_back is its describe. complete_copies is a hook the in-memory cloud leaves
# as CopyAdapter has it: it sends nothing.
CLOUD_NAMES = {'copy': 'start_copy', 'read_back': 'describe'}
SENDS_NOTHING = {'complete_copies'}


def as_the_cloud_counts(counts):
    sent = {}
    for name, count in counts.items():
        if name not in SENDS_NOTHING:
            sent[CLOUD_NAMES.get(name, name)] = sent.get(CLOUD_NAMES.get(name, name), 0) + count
    return sent


def add(*counts):
    total = {}
    for count in counts:
        for name, number in count.items():
            total[name] = total.get(name, 0) + number
    return total


@pytest.fixture(name='sent_in')
def fixture_sent_in(monkeypatch):
    """{phase: {call: how many}} as the in-memory cloud counted what it was sent while each phase ran: each phase
    DrRun runs (dr.phases.sequence.PHASES), wrapped to read the cloud's count before and after it."""
    sent = {}

    def watched(cloud, phase, function):
        def phase_run(*args, **kwargs):
            before = dict(cloud.calls)
            try:
                return function(*args, **kwargs)
            finally:
                sent[phase] = {
                    name: count - before.get(name, 0)
                    for name, count in cloud.calls.items()
                    if count != before.get(name, 0)
                }

        return phase_run

    def watch(cloud):
        watched_phases = tuple(
            dataclasses.replace(phase, runs=watched(cloud, phase.name, phase.runs)) for phase in run_module.PHASES
        )
        monkeypatch.setattr(run_module, 'PHASES', watched_phases)
        return sent

    return watch


def dr_run(cloud, clock, retry=None, **options):
    return memory_dr_run(cloud, clock, params(**options), retry=retry)


def test_each_phase_counts_the_calls_it_sends(sent_in):
    """Two disks whose snapshots are too old, one DR region, pruning to two copies: each phase's count is what the cloud
    was sent while it ran, call by call."""
    cloud, clock = cloud_with_disks(count=2)
    add_old_copies(cloud, clock)
    sent = sent_in(cloud)
    run = dr_run(cloud, clock, dr_regions=['dr-1'], max_snapshot_age_hours=1, wait=True, prune=True, keep_copies=2)
    report = run.run()
    assert report['totals']['copied'] == 2 and report['totals']['pruned'] == 2 and not report['failures']
    calls = run.phases.calls()
    assert list(calls) == [
        'read',
        'fresh',
        'copy',
        'marks',
        'listing',
        'copy_tags',
        'locks',
        'shares',
        'verify',
        'drill',
        'prune',
        'plan',
    ]
    for phase, counts in calls.items():
        assert as_the_cloud_counts(counts) == sent.get(phase, {}), phase
    # What each phase asks for: one batched read of the disks and of their snapshots; a fresh snapshot, a copy and a
    # mark for each disk; one listing of the DR region; a read of the locks of the copies pruning chose, then their
    # deletes.
    assert calls['read'] == {'disk_snapshots': 1, 'find_disks': 1}
    assert calls['fresh']['create_snapshot'] == 2 and calls['copy']['copy'] == 2 and calls['marks'] == {'tag_copy': 2}
    assert calls['listing'] == {'list_copies': 1} and calls['prune'] == {'delete_snapshot': 2, 'describe_locks': 1}
    assert calls['locks'] == calls['shares'] == calls['verify'] == calls['drill'] == calls['plan'] == {}


def test_the_lock_pass_before_the_wait_counts_as_the_locks(sent_in):
    """With lock and wait on a cloud that locks a copy in flight, the copies are locked while the copy phase runs
    (before its wait): those calls are the locks' phase's, not the copies'."""
    cloud, clock = cloud_with_disks(count=2)
    add_old_copies(cloud, clock)  # one never locked: the run locks it too
    sent = sent_in(cloud)
    run = dr_run(cloud, clock, lock={'mode': 'governance', 'duration_days': 7}, wait=True)
    report = run.run()
    assert report['totals']['copied'] == 4 and not report['failures']
    calls = run.phases.calls()
    assert calls['locks']['lock_snapshot'] == report['totals']['locked'] == 4 + 3
    assert 'lock_snapshot' not in calls['copy'] and 'describe_locks' not in calls['copy']
    assert add(as_the_cloud_counts(calls['copy']), as_the_cloud_counts(calls['locks'])) == add(
        sent['copy'], sent['locks']
    )
    assert as_the_cloud_counts(run.phases.of(Copies).locked_before_waiting.calls) == {
        'describe_locks': 4,
        'lock_snapshot': 4,
    }  # a read and a read-back per region


def test_a_call_sent_again_counts_again(sent_in):
    """A throttled call that is sent again costs two calls: the phase counts each try."""
    cloud, clock = cloud_with_disks(count=1)
    sent = sent_in(cloud)
    errors = [CloudError('DescribeSnapshots', 'Throttling', 'slow down', kind=RETRYABLE)]
    list_snapshots = cloud.disk_snapshots

    def disk_snapshots(*args):  # the method it stands for, throttled once: phases count by the method's name
        if errors:
            raise errors.pop()
        return list_snapshots(*args)

    cloud.disk_snapshots = disk_snapshots
    retry = CallRetry(Backoff(is_retryable, max_attempts=10, rng=lambda: 1.0, sleep=clock.sleep, clock=clock.clock))
    run = dr_run(cloud, clock, retry=retry, dr_regions=['dr-1'])
    report = run.run()
    assert report['api_retries'] == 1 and not report['failures']
    assert run.phases.calls()['read'] == {'disk_snapshots': 2, 'find_disks': 1}
    assert sent['read'] == {
        'disk_snapshots': 1,
        'find_disks': 1,
    }  # the refused try never reached the in-memory cloud's count


@dataclasses.dataclass(frozen=True)
class Census(PhaseResult):
    """docs/architecture.md's example phase: how many DR copies each disk has, as listed."""

    copies: dict = dataclasses.field(default_factory=dict)


def count_copies(ctx, plans, listed):
    ctx.enter()
    calls = ctx.counted()
    calls.call(ctx.adapter.list_copies, 'dr-1')  # a call of its own, to be counted as the phase's
    by_disk = dr_copies_by_disk((copy for copies in listed.values() for copy in copies), {plan.key for plan in plans})
    problems = {key: ('no DR copy',) for key in (plan.key for plan in plans) if key not in by_disk}
    return Census(
        copies={key: len(copies) for key, copies in by_disk.items()},
        problems=problems,
        warnings=('counted',),
        calls=calls.cost.counts(),
    )


def test_a_phase_is_one_file_and_one_entry(monkeypatch):
    """docs/architecture.md's recipe, worked: a phase added to PHASES alone is run in its turn, shows its label, counts
    its calls under its name, fails the disks its problems name and adds its warnings to the run's."""
    cloud, clock = cloud_with_disks(count=2)
    labels = []
    census = Phase('census', lambda ctx, run: count_copies(ctx, run.plans, run.listed), label='counting copies')
    monkeypatch.setattr(run_module, 'PHASES', run_module.PHASES + (census,))
    add_old_copies(cloud, clock)  # disk-0's
    cloud.per_destination['dr-1'] = CloudError('CopySnapshot', 'QuotaExceeded', 'no room', kind=INVALID, region='dr-1')
    run = dr_run(cloud, clock, dr_regions=['dr-1'], prune=True, keep_copies=5)
    monkeypatch.setattr(run.context.progress, 'enter', labels.append)
    report = run.run()
    assert list(run.phases.calls())[-1] == 'census' and run.phases.calls()['census'] == {'list_copies': 1}
    assert labels[-1] == 'counting copies'
    assert run.phases.of(Census).copies == {'src-1/disk-0': 3}
    assert [text for text in report['failures'] if 'no DR copy' in text] == ['disk disk-1 (name-disk-1): no DR copy']
    assert 'counted' in report['run_warnings']


def test_a_found_copy_is_marked_once_for_the_locks_and_pruning():
    """The DR copies are listed once and the copies a DR run left unmarked marked once, for the locks and pruning both:
    where the cloud refuses the mark, it is sent and warned of once a copy, not once by the locks and again by
    pruning."""
    cloud, clock = cloud_with_disks(count=1)
    refused = []

    def tag_copy(copy, tags):  # the method it stands for, refused: phases count by the method's name
        refused.append(copy.id)
        raise CloudError('CreateTags', 'UnauthorizedOperation', 'not allowed to tag %s' % copy.id)

    cloud.tag_copy = tag_copy
    dr_run(cloud, clock, dr_regions=['dr-1'], wait=True).run()
    [first] = refused  # the copy the run made, left unmarked
    newer_snapshot(cloud, clock)
    refused.clear()
    run = dr_run(
        cloud,
        clock,
        dr_regions=['dr-1'],
        wait=True,
        prune=True,
        keep_copies=1,
        lock={'mode': 'governance', 'duration_days': 7},
    )
    report = run.run()
    [second] = [copy_id for copy_id in cloud.copies if copy_id != first]
    # The mark of the copy this run made, then one of each copy found unmarked: the first run's and this one's.
    assert sorted(refused) == sorted([second, first, second])
    assert [warning for warning in report['run_warnings'] if first in warning and 'could not be marked' in warning] == [
        'copy %s of disk disk-0 in dr-1 could not be marked as a DR run\'s (%s): it is not pruned until a later run '
        'marks it' % (first, 'CreateTags failed: UnauthorizedOperation: not allowed to tag %s' % first)
    ]
    assert run.phases.calls()['listing']['tag_copy'] == 2
    assert 'tag_copy' not in run.phases.calls()['locks'] and 'tag_copy' not in run.phases.calls()['prune']


def test_each_phase_file_is_named_as_its_phase_and_its_rules_twin():
    """A phase's file in dr/phases/ bears its phase's name in PHASES, which its rules' file in dr/ bears too (locks,
    drill, prune, verify, copy_tags, plan; the shares' rules in dr/leases/): one name for one idea."""
    phases_dir = pathlib.Path(sequence.__file__).parent
    helpers = {'__init__', 'context', 'sequence', 'report', 'copy_requests'}
    files = {path.stem for path in phases_dir.glob('*.py')} - helpers
    assert files <= {phase.name for phase in sequence.PHASES}, sorted(files - {phase.name for phase in sequence.PHASES})
    rules = {path.stem for path in phases_dir.parent.glob('*.py')} | {
        path.stem for path in (phases_dir.parent / 'leases').glob('*.py')
    }
    assert {'locks', 'drill', 'prune', 'verify', 'copy_tags', 'plan', 'shares'} <= rules & files
