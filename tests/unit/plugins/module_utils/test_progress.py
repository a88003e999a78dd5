"""A DR run's progress as the module publishes it for the action's live progress lines (module_utils/core/progress.py
and the engine's copy_progress): the phases in order, the copies per DR region as they start and end, a file that is
always whole, and a run that goes on when the file cannot be written."""

from __future__ import annotations

import json

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError, InputError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import (
    PENDING,
    CopyRequest,
    Snapshot,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.progress import (
    PROGRESS_FILE_VARIABLE,
    WAITING,
    Progress,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.phases.sequence import PHASES
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import (
    COPIED,
    NOT_COPIED,
    RequestOutcome,
    copy_progress,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import memory_dr_run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import FakeClock
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr import cloud_with_disks, params

# The progress line's label of each phase (dr.phases.sequence.PHASES).
LABELS = {phase.name: phase.label for phase in PHASES}
READING, COPYING, RESTORE_TEST, PRUNING = LABELS['read'], LABELS['copy'], LABELS['drill'], LABELS['prune']


class RecordedProgress(Progress):
    """Progress that also keeps each state it wrote, and what the file held then."""

    def __init__(self, path, clock):
        super().__init__(path, clock)
        self.written = []

    def _write(self, state):
        super()._write(state)
        with open(self.path, encoding='utf-8') as stream:
            self.written.append(json.load(stream))


def dr_run(cloud, clock, progress, check_mode=False, **overrides):
    return memory_dr_run(cloud, clock, params(**overrides), check_mode=check_mode, progress=progress).run()


def test_a_run_publishes_its_phases_in_order_and_its_copies_as_they_start_and_end(tmp_path):
    cloud, clock = cloud_with_disks(3, copy_seconds=30)
    progress = RecordedProgress(str(tmp_path / 'progress.json'), clock.clock)
    report = dr_run(cloud, clock, progress, wait=True, restore_test=True, prune=True, keep_copies=2)
    assert report['totals']['copied'] == 6
    phases = [state['phase'] for state in progress.written]
    assert [phase for index, phase in enumerate(phases) if index == 0 or phase != phases[index - 1]] == [
        READING,
        COPYING,
        WAITING,
        RESTORE_TEST,
        PRUNING,
    ]
    waiting = [state for state in progress.written if state['phase'] == WAITING]
    # All six copies in flight once started, each region's three; at the end all done, none failed.
    assert waiting[0]['regions'] == {
        region: {'copies': 3, 'done': 0, 'already_there': 0, 'in_flight': 3, 'failed': 0, 'not_started': 0}
        for region in ('dr-1', 'dr-2')
    }
    assert waiting[0]['slowest']['progress'] == 50 and waiting[0]['slowest']['region'] in ('dr-1', 'dr-2')
    assert waiting[-1]['regions']['dr-1'] == {
        'copies': 3,
        'done': 3,
        'already_there': 0,
        'in_flight': 0,
        'failed': 0,
        'not_started': 0,
    }
    assert waiting[-1]['slowest'] is None
    # The file holds the last state written.
    assert json.loads((tmp_path / 'progress.json').read_text(encoding='utf-8')) == progress.written[-1]

    rerun = RecordedProgress(str(tmp_path / 'rerun.json'), clock.clock)
    dr_run(cloud, clock, rerun, wait=True)
    assert rerun.written[-1]['regions']['dr-2'] == {
        'copies': 3,
        'done': 3,
        'already_there': 3,
        'in_flight': 0,
        'failed': 0,
        'not_started': 0,
    }


def test_check_mode_counts_the_copies_it_would_make_as_not_started(tmp_path):
    cloud, clock = cloud_with_disks(2)
    progress = RecordedProgress(str(tmp_path / 'progress.json'), clock.clock)
    dr_run(cloud, clock, progress, check_mode=True, wait=True)
    assert progress.written[-1]['regions']['dr-1'] == {
        'copies': 2,
        'done': 0,
        'already_there': 0,
        'in_flight': 0,
        'failed': 0,
        'not_started': 2,
    }
    assert WAITING not in [state['phase'] for state in progress.written]


def test_failed_copies_are_counted_failed(tmp_path):
    cloud, clock = cloud_with_disks(1)
    cloud.fail_next_copies = 1
    progress = RecordedProgress(str(tmp_path / 'progress.json'), clock.clock)
    dr_run(cloud, clock, progress, wait=True)
    regions = progress.written[-1]['regions']
    assert sorted((counts['done'], counts['failed']) for counts in regions.values()) == [(0, 1), (1, 0)]


def test_a_copy_refused_and_a_source_not_found_are_counted_failed():
    refused = RequestOutcome(CopyRequest('snap-1', 'src-1', ['dr-1', 'dr-2']))
    refused.destinations['dr-1'].action = NOT_COPIED
    no_source = RequestOutcome(CopyRequest('snap-2', 'src-1', ['dr-1']))
    no_source.error = CloudError('DescribeSnapshots', 'NotFound', 'no such snapshot')
    regions = copy_progress([refused, no_source])['regions']
    assert (regions['dr-1']['failed'], regions['dr-2']['not_started']) == (2, 1)


def test_copies_are_written_at_most_once_a_second_and_a_phase_at_once(tmp_path):
    clock = FakeClock()
    progress = RecordedProgress(str(tmp_path / 'progress.json'), clock.clock)
    progress.enter(COPYING)
    for count in range(10):
        progress.update_copies({'regions': {'dr-1': {'copies': 10, 'done': count}}})
        clock.sleep(0.25)
    # At 0 (the phase), then at 1.0 and 2.0: what came between waits for the next write, or a forced one.
    assert [state['regions']['dr-1']['done'] if state.get('regions') else None for state in progress.written] == [
        None,
        4,
        8,
    ]
    progress.update_copies({'regions': {'dr-1': {'copies': 10, 'done': 10}}}, force=True)
    assert progress.written[-1]['regions']['dr-1']['done'] == 10
    assert not [path for path in tmp_path.iterdir() if path.name.endswith('.tmp')]


def test_without_a_file_or_with_one_it_cannot_write_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.delenv(PROGRESS_FILE_VARIABLE, raising=False)
    assert Progress.from_environment().path is None
    monkeypatch.setenv(PROGRESS_FILE_VARIABLE, str(tmp_path / 'missing-folder' / 'progress.json'))
    progress = Progress.from_environment()
    progress.enter(READING)
    assert progress.path is None and progress.phase == READING
    cloud, clock = cloud_with_disks(1)
    assert dr_run(cloud, clock, progress)['totals']['copied'] == 2


@pytest.mark.parametrize('interval', [0.5, 0, -1, 3601, float('nan')])
def test_an_interval_out_of_range_is_refused_before_any_call(interval):
    with pytest.raises(InputError, match=r'^progress_interval: must be from 1 to 3600 seconds'):
        dr_settings(params(progress_interval=interval))


def test_copies_are_counted_only_when_they_would_be_written(tmp_path):
    clock = FakeClock()
    assert not Progress(None, clock.clock).due(force=True)
    progress = Progress(str(tmp_path / 'progress.json'), clock.clock)
    assert progress.due()
    progress.enter(COPYING)
    assert not progress.due() and progress.due(force=True)
    clock.sleep(1)
    assert progress.due()


def test_the_slowest_copy_is_the_least_far_along_of_those_whose_progress_the_cloud_gives():
    def in_flight(source, progress):
        outcome = RequestOutcome(CopyRequest(source, 'src-1', ['dr-1']))
        destination_outcome = outcome.destinations['dr-1']
        destination_outcome.action, destination_outcome.snapshot = (
            COPIED,
            Snapshot('copy-' + source, 'dr-1', PENDING, progress=progress),
        )
        return outcome

    assert copy_progress([in_flight('a', 60), in_flight('b', 25), in_flight('c', None)])['slowest'] == {
        'progress': 25,
        'region': 'dr-1',
        'snapshot_id': 'copy-b',
    }
    # ENS gives no progress: no copy is named.
    progress = copy_progress([in_flight('c', None)])
    assert progress['slowest'] is None and progress['regions']['dr-1']['in_flight'] == 1
