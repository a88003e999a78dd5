"""Issue 47: every surface says what the clouds hold, and the same. Hypothesis draws a cloud and a history of runs - disks
with snapshots of drawn ages, DR runs that copy (waiting or not), copies the cloud fails, DR copies people delete, time
passing, runs limited to some disks, check runs, runs that fail before they know - plays it through the real ECS adapter
and SDK against fakecloud and dr_sync's action (its files, its text), then holds every surface's numbers (the console's
summary and table, the JSON's totals and posture, the Markdown, the scope's page, the fleet report and page,
dr_posture_info, the AWX stats) to an oracle.

The oracle is written apart from the model: it reads fakecloud's own state (its snapshots, their phase, their source
snapshot and time) after each run, stands each disk in each DR region by the copies of its newest completed snapshot
there, and keeps, per disk, what the last run that read it found; it knows of a run only what was drawn (limited to which
disks, a check run, a failed one) and whether the run reported failures."""

from __future__ import annotations

import datetime
import json
import os
import re

import jinja2.nativetypes
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from ansible_collections.snapcopy.cloud.plugins.action import dr_sync as dr_sync_action
from ansible_collections.snapcopy.cloud.plugins.filter import dr_fleet as dr_fleet_filters
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba.ecs_dr import EcsAdapter
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.dr_model import Disk
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.errors import CloudError
from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import CopyRequest, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.posture import PostureRead
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import DiskFacts, dr_report
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import RequestOutcome
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import dr_settings
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.tests.unit.plugins.action.test_dr_sync_action import action_running
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import dr_run_with, scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_clock import CloudMovingClock, retry_on
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA

SOURCE, REGIONS, RPO = 'cn-hangzhou', ('cn-shanghai', 'cn-beijing'), 24
NAME = 'ecs-%s' % SOURCE
# Copies and snapshots take an hour of the cloud's time: they finish only when a run's fake clock or the test moves the
# cloud's clock on, never by the machine's speed.
TIMINGS = {'snapshot_seconds': 3600, 'copy_seconds': 3600, 'disk_seconds': 3600}
ROLE_VARS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'dr_copy', 'vars', 'main.yml')
WITHIN, OVER, IN_FLIGHT, PLANNED, NO_COPY = 'within_rpo', 'over_rpo', 'in_flight', 'planned', 'no_copy'

# ------------------------------------------------------------------------------------------------------------ drawing
# Ages in hours: never a whole number, so no age plus whole hours of waiting lands on the RPO itself.
AGES = st.sampled_from([1.5, 10.5, 30.5])
RUN = st.fixed_dictionaries(
    {
        'kind': st.sampled_from(['full', 'full', 'limited', 'check', 'failed']),
        'wait': st.booleans(),
        'failing': st.sampled_from([(), (REGIONS[1],)]),
        'pick': st.integers(0, 7),  # which disks a limited run names (a bit a disk)
        'delete': st.integers(0, 7),  # which disks lose their DR copy in the first region before the run (a bit a disk)
        'hours': st.sampled_from([0, 0, 20]),  # time passing before the run
    }
)


# The source region's other disks, which the selector {dr: yes} does not take: untagged for DR, or a near miss (equal but
# for case or spaces).
OTHERS = st.lists(st.sampled_from([{'app': 'web'}, {'DR': 'yes'}, {'dr': ' Yes'}, {'dr': 'no'}]), max_size=3)


def picked(disks, bits):
    return [disk for index, disk in enumerate(disks) if bits >> index & 1] or disks[:1]


# ------------------------------------------------------------------------------------------------------------ the world
def cloud_state(cloud):
    """(the cloud's time, its ECS regions): the runs, the reads and the oracle all take the cloud's time."""
    state = cloud.admin.state(cloud='ecs')
    return parse(state['now']), state['ecs']


def parse(text):
    return datetime.datetime.strptime(text[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)


def oracle_cells(cloud, disks):
    """{(disk, region): standing} from fakecloud's own records: by the copies of the disk's newest completed snapshot."""
    now, regions = cloud_state(cloud)
    sources = [snapshot for snapshot in regions[SOURCE]['snapshots'] if not snapshot.get('is_copy')]
    cells = {}
    for disk in disks:
        done = sorted(
            (snapshot for snapshot in sources if snapshot['disk_id'] == disk and snapshot['phase'] == 'done'),
            key=lambda snapshot: snapshot['created'],
        )
        for region in REGIONS:
            if not done:
                cells[disk, region] = NO_COPY
                continue
            newest = done[-1]
            copies = [
                copy
                for copy in regions.get(region, {}).get('snapshots', [])
                if copy.get('source_snapshot_id') == newest['id']
            ]
            phases = {copy['phase'] for copy in copies}
            hours = (now - parse(newest['created'])).total_seconds() / 3600
            cells[disk, region] = (
                (WITHIN if hours <= RPO else OVER)
                if 'done' in phases
                else IN_FLIGHT
                if 'running' in phases
                else NO_COPY
            )
    return cells


def oracle_coverage(cloud):
    """(disks of the source region not covered, near misses of them), from fakecloud's own records of its disks."""
    dummy, regions = cloud_state(cloud)
    others = [disk for disk in regions[SOURCE]['disks'] if (disk.get('tags') or {}).get('dr') != 'yes']

    def near(tags):
        return any(key.strip().lower() == 'dr' and value.strip().lower() == 'yes' for key, value in tags.items())

    return len(others), sum(1 for disk in others if near(disk.get('tags') or {}))


def oracle_status(cells, *, failures, stale=False, plan=False, whole=True, allow_no_disks=False):
    if any(word != WITHIN for word in cells.values()) or failures:
        return 'at risk'
    if stale or not whole:
        return 'not known'
    if not cells:
        # Issue 62: a scope of no disk is neutral where allow_no_disks expects it, never red nor green.
        return 'nothing to protect' if allow_no_disks else 'not known'
    # Issue 62: a plan with every copy in place speaks in its own words, claiming nothing as done.
    return 'would be protected' if plan else 'protected'


def numbers(cells, coverage=None):
    """What every surface counts: disks, disks without a DR copy, and per DR region the disks of each standing; the
    disks not covered and the near misses (None: no run read them)."""
    disks = sorted({disk for disk, dummy in cells})
    return {
        'coverage': coverage,
        'disks': len(disks),
        'without': sum(1 for disk in disks if any(cells[disk, region] == NO_COPY for region in REGIONS)),
        'regions': {
            region: {
                word: sum(1 for disk in disks if cells[disk, region] == word)
                for word in (WITHIN, OVER, IN_FLIGHT, NO_COPY)
            }
            for region in REGIONS
        },
    }


# ------------------------------------------------------------------------------------------------------------ the runs
def adapter(cloud, check_mode=False, clock=None):
    # A run's time and waits are its backoff's: on ``clock`` when one is given.
    retry = retry_on(clock)
    return EcsAdapter.from_connection(dict(ALIBABA, endpoint_url=cloud.url), check_mode=check_mode, retry=retry), retry


def options(**changes):
    return scope(
        'ecs',
        SOURCE,
        list(REGIONS),
        {'dr': 'yes'},
        **dict({'max_snapshot_age_hours': RPO, 'wait_timeout': 4 * 3600, 'poll_interval': 900}, **changes),
    )


def module_result(cloud, run, disks):
    """What dr_sync's module returns for ``run`` (the DR run itself, on a fake clock that moves the cloud's)."""
    clock = CloudMovingClock(cloud)
    ecs, retry = adapter(cloud, check_mode=run['kind'] == 'check', clock=clock)
    limited = {'disk_ids': picked(disks, run['pick'])} if run['kind'] == 'limited' else {}
    report = dr_run_with(
        ecs,
        options(wait=run['wait'], **limited),
        check_mode=run['kind'] == 'check',
        retry=retry,
        clock=clock,
        now=cloud_state(cloud)[0],
    )
    # What dr_sync's runner adds.
    report.update(account=None, run_id='20261126T000000Z-%06x' % (id(report) % 0xFFFFFF), duration_seconds=1.0)
    report['protection']['account'] = None
    return report


def through_the_action(result, folder, check_mode=False):
    """dr_sync's action on ``result``: the files it writes, the text it prints, its result."""
    shown = []
    action = action_running(
        result,
        report_dir=str(folder),
        provider='ecs',
        source_region=SOURCE,
        dr_regions=list(REGIONS),
        report_name=NAME,
        show_report=True,
    )
    action._task.check_mode = check_mode  # pylint: disable=protected-access
    display = dr_sync_action.display.display
    dr_sync_action.display.display = lambda text, *args, **kwargs: shown.append(text)
    try:
        return action.run(task_vars={}), '\n'.join(shown)
    finally:
        dr_sync_action.display.display = display


def files(folder, kind='report'):
    paths = {
        suffix: os.path.join(str(folder), 'dr-%s-%s.%s' % (kind, NAME, suffix)) for suffix in ('json', 'md', 'html')
    }
    if not os.path.exists(paths['json']):
        return None
    texts = {}
    for suffix, path in paths.items():
        with open(path, encoding='utf-8') as stream:
            texts[suffix] = stream.read()
    texts['data'] = json.loads(texts['json'])
    return texts


def awx_stats(result):
    """The role's dr_copy_summary (the AWX stats) for ``result``, rendered as Ansible renders the role's variable."""
    with open(ROLE_VARS, encoding='utf-8') as stream:
        role_vars = yaml.safe_load(stream)
    environment = jinja2.nativetypes.NativeEnvironment()
    # The collection's filters under the names the role's expression calls them by (the plan's stats).
    environment.filters.update(
        ('snapcopy.cloud.%s' % name, function) for name, function in dr_fleet_filters.FilterModule().filters().items()
    )
    # The run's failures as the role counts them (no drill checks here), which the summary reads.
    failures = environment.from_string(role_vars['dr_copy_all_failures']).render(dr_copy_result=result)
    return environment.from_string(role_vars['dr_copy_summary']).render(
        dr_copy_result=result, dr_copy_report_files=result.get('report_files'), dr_copy_all_failures=failures
    )


# ------------------------------------------------------------------------------------------------------------ the surfaces
def check_summary(line, expected, *, stale=False, partial=False):
    """The words of a summary beyond its numbers: copies older than the RPO, a stale account, a part of the scope."""
    over = sum(counts[OVER] for counts in expected['regions'].values())
    assert ('%s older than the RPO' % counted(over, 'disk copy', 'disk copies') in line) == bool(over), line
    assert ('STALE: ' in line) == stale and ('no run read the others yet' in line) == partial, line


def check_scope_files(texts, expected, status, partial=False):
    data, markdown, html = texts['data'], texts['md'], texts['html']
    assert data['protection']['status'] == status, (data['protection'], expected)
    finished = data.get('run_state') == 'finished'
    line = next(
        line for line in markdown.splitlines() if line.startswith('**%s**: ' % status if finished else '**Stale: ')
    )
    check_summary(
        line.split(': ', 1)[1] if finished else line.split('): ', 1)[1], expected, stale=not finished, partial=partial
    )
    if data.get('run_state') == 'finished':
        assert (data['totals']['disks'], data['totals']['without_dr_copy']) == (expected['disks'], expected['without'])
        check_coverage_text(markdown, expected)
        not_covered, near = expected['coverage'] or (0, 0)
        assert data['totals']['not_covered'] == not_covered
        uncovered = data['protection']['uncovered']
        assert (uncovered is None) == (expected['coverage'] is None)
        assert sum(1 for disk in uncovered or () if disk['near_miss']) == near
        for region, counts in expected['regions'].items():
            assert {word: data['posture']['regions'][region][word] for word in counts} == counts, region
        # Markdown: the status and the totals row.
        assert '**%s**: %s' % (status, counted(expected['disks'], 'disk')) in markdown
        lines = markdown.splitlines()
        head = next(index for index, line in enumerate(lines) if line.startswith('| disks |'))
        cells = dict(
            zip(
                (cell.strip() for cell in lines[head].strip('|').split('|')),
                (cell.strip() for cell in lines[head + 2].strip('|').split('|')),
            )
        )
        assert (int(cells['disks']), int(cells['without dr copy'])) == (expected['disks'], expected['without'])
        # The page: its status, its summary, its disks not covered and each DR region's counts.
        assert 'data-status="%s"' % status in html
        if expected['coverage'] is None:
            assert 'id="coverage-line"' not in html
        else:
            line = re.search(r'data-not-covered="(\d+)" data-near-misses="(\d+)"', html)
            assert (int(line.group(1)), int(line.group(2))) == expected['coverage']
            near_rows = re.findall(r'data-key="near_miss" class="bad">', html)
            assert len(near_rows) == expected['coverage'][1]
        summary = re.search(r'<span id="summary">([^<]*)</span>', html).group(1)
        assert summary_numbers(summary) == (expected['disks'], expected['without'])
        for region, counts in expected['regions'].items():
            row_html = html.split('<tr data-region="%s">' % region)[1].split('</tr>')[0]
            for word, number in counts.items():
                assert re.search(r'data-key="%s">%d<' % (word, number), row_html), (region, word, row_html)
    else:  # a stale account: the last one known, said so
        assert (
            data['protection']['stale'] and 'data-status="%s"' % status in html and '**Stale: %s**' % status in markdown
        )
        known = data['protection']
        assert len(known['disks']) == expected['disks']


def check_coverage_text(text, expected):
    """The text (Markdown, console) says how many disks are not covered, and names each near miss, or nothing when
    coverage was never read."""
    if expected['coverage'] is None:
        assert 'Not covered in' not in text, text
        return
    not_covered, near = expected['coverage']
    assert 'Not covered in %s: %s that the selector does not take' % (SOURCE, counted(not_covered, 'disk')) in text, (
        text
    )
    if text.startswith('# '):  # Markdown: the table's rows whose near miss is not '-'
        rows = text.split('## Not covered', 1)[1].split('\n## ', 1)[0].splitlines()
        marked = [row for row in rows if row.startswith('| ') and not row.endswith('| - |')]
        assert len(marked[1:]) == near, text  # the first is the table's head
    else:
        assert text.count('near miss, carries') == near, text


def counted(number, unit, plural=None):
    return '%d %s' % (number, unit if number == 1 else plural or unit + 's')


def summary_numbers(line):
    return (
        int(re.search(r'(\d+) disks?(?: |;|$)', line).group(1)),
        int(re.search(r'(\d+) disks? without a DR copy', line).group(1)),
    )


def check_console(text, expected, status):
    lines = text.splitlines()
    summary = lines[next(index for index, line in enumerate(lines) if line.startswith('DR copies of')) + 1]
    assert status.upper() + ':' in summary and summary_numbers(summary) == (expected['disks'], expected['without']), (
        summary
    )
    check_coverage_text(text, expected)
    # The table: the age of the data, never a copy's own.
    assert not re.search(r'(?<![\d.])(?<!data )\d+\.\d h old', text), text


def check_fleet(result, status, expected):
    record = {
        'scope': NAME,
        'provider': 'ecs',
        'source_region': SOURCE,
        'dr_regions': list(REGIONS),
        'totals': result.get('totals') or {},
        'failures': result.get('failures') or [],
        'failure_count': len(result.get('failures') or []),
        'error': None if 'totals' in result else result.get('msg'),
        'posture': result.get('posture'),
        'protection': result.get('protection'),
        'report_files': result.get('report_files'),
    }
    report = fleet_report([record], '2026-11-26T00:00:00Z')
    (row,) = report['scopes']
    if row['run'] == 'finished':
        assert row['status'] == status
        assert (row['disks'], row['without_dr_copy']) == (expected['disks'], expected['without'])
        assert row['no_copy'] == sum(counts[NO_COPY] for counts in expected['regions'].values())
        assert row['over_rpo'] == sum(counts[OVER] for counts in expected['regions'].values())
        not_covered = expected['coverage'][0] if expected['coverage'] is not None else None
        assert report['accounts'][0]['not_covered'] == not_covered == report['totals']['not_covered']
        assert row['not_covered'] == (not_covered or 0)
    else:
        assert row['status'] != 'protected'
    page = fleet_report_html(report)
    assert 'data-key="status">%s' % row['status'] in page
    if row['run'] == 'finished':
        cell = re.search(r'data-key="not_covered">([^<(]*)', page.split('<tr data-scope=')[1]).group(1).strip()
        assert cell == ('-' if expected['coverage'] is None else str(expected['coverage'][0])), cell
    if row['status'] != 'protected':
        assert 'status-protected' not in page.split('</style>')[1]
    if row['status'] == 'nothing to protect':
        # Neutral: no "no copy" mark, nothing counted as without a copy, no red.
        body = page.split('</style>')[1]
        assert 'data-standing="no_copy"' not in body and 'data-standing="no_disk"' in body, body
        assert row['no_copy'] == row['missing_copies'] == 0 and 'status-at-risk' not in body


def check_posture_info(cloud, disks):
    """dr_posture_info's read against the oracle of the cloud as it is now, every disk."""
    ecs, retry = adapter(cloud)
    read = PostureRead(ecs, dr_settings(options()), now=cloud_state(cloud)[0], retry=retry).read()
    cells = oracle_cells(cloud, disks)
    expected = numbers(cells)
    standing = read['standing']
    assert (standing['disks'], standing['without_dr_copy']) == (expected['disks'], expected['without'])
    for word in (WITHIN, OVER, IN_FLIGHT, NO_COPY):
        assert standing[word] == sum(counts[word] for counts in expected['regions'].values()), word
    assert standing['status'] == oracle_status(cells, failures=0)
    assert (standing['not_covered'], standing['near_misses']) == oracle_coverage(cloud)
    assert summary_numbers(
        read['msg'].replace('PROTECTED, ', '').replace('AT RISK, ', '').replace('NOT KNOWN, ', '')
    ) == (expected['disks'], expected['without'])


# ------------------------------------------------------------------------------------------------------------ the test
@pytest.fixture(scope='module')
def emulator(fakecloud):
    return fakecloud


@settings(
    # Fewer in make mutation's runs, each under a short time limit (tests/utils/mutation.py).
    max_examples=int(
        os.environ.get(
            'SNAPCOPY_SURFACES_EXAMPLES', '4' if os.environ.get('SNAPCOPY_HYPOTHESIS') == 'mutation' else '8'
        )
    ),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ages=st.lists(AGES, min_size=1, max_size=3), others=OTHERS, runs=st.lists(RUN, min_size=1, max_size=3))
def test_every_surface_says_what_the_clouds_hold(emulator, tmp_path_factory, ages, others, runs):
    cloud = emulator
    cloud.admin.reset()
    # Hours pass on the cloud's clock: its window for the SDK's signed timestamps is as wide as the test's time.
    cloud.admin.configure(timings={'ecs': dict(TIMINGS)}, alibaba_timestamp_window_seconds=30 * 86400)
    seeded = cloud.admin.seed(
        ecs={
            'disks': [
                {'region': SOURCE, 'size': 20, 'tags': {'dr': 'yes'}, 'snapshots': [{'age_seconds': int(age * 3600)}]}
                for age in ages
            ]
            + [{'region': SOURCE, 'size': 20, 'tags': tags} for tags in others]
        }
    )
    disks = sorted(seeded['ecs']['disks'][: len(ages)])
    folder = tmp_path_factory.mktemp('reports')
    # The oracle's account of the scope: per disk, its cells as last read; whether a full run ever read them all.
    known, whole, stale_failures = {}, False, 0
    # The oracle's coverage of the scope: read by a whole run (a limited one reads none), kept after.
    coverage = None
    for run in runs:
        event('run: %s%s' % (run['kind'], ', failing' if run['failing'] else ''))
        if run['hours']:
            cloud.admin.advance_clock(run['hours'] * 3600)
        dummy, regions = cloud_state(cloud)
        copies = [copy for copy in regions.get(REGIONS[0], {}).get('snapshots', []) if copy['phase'] == 'done']
        gone = set(picked(disks, run['delete'])) if run['delete'] else set()
        ecs, dummy = adapter(cloud)
        for copy in copies:
            if copy.get('source_snapshot_id') and any(
                copy['source_snapshot_id'] == source['id'] and source['disk_id'] in gone
                for source in regions[SOURCE]['snapshots']
            ):
                ecs.delete_snapshot(REGIONS[0], copy['id'])
        cloud.admin.faults({'failing_copies': {'ecs': {'regions': list(run['failing']), 'rate': 0.0}}})
        before = files(folder)
        if run['kind'] == 'failed':
            result, text = through_the_action(
                {
                    'failed': True,
                    'msg': 'InvalidAccessKeyId.NotFound: Specified access key is not found.',
                    'error': {
                        'code': 'InvalidAccessKeyId.NotFound',
                        'message': 'not found',
                        'action': 'DescribeDisks',
                        'request_id': 'r-1',
                    },
                },
                folder,
            )
            after = files(folder)
            if not known:  # no run ever reported: nothing known to keep
                assert (
                    after is not None
                    and after['data']['run_state'] == 'failed_before_report'
                    and 'protection' not in after['data']
                )
                continue
            cells = dict(known)
            status = oracle_status(cells, failures=stale_failures, stale=True)
            check_scope_files(after, numbers(cells, coverage), status, partial=not whole)
            check_fleet(result, status, numbers(cells, coverage))
            continue
        result = module_result(cloud, run, disks)
        failures = len(result['failures'])
        if run['kind'] == 'check':
            result, text = through_the_action(result, folder, check_mode=True)
            # The scope's own files are as they were: a plan is written beside them, never in their place.
            assert files(folder) == before
            plan = files(folder, 'plan')
            assert plan['data']['protection']['status'] != 'protected' and plan['data']['check_mode']
            assert 'data-status="protected"' not in plan['html']
            check_posture_info(cloud, disks)
            continue
        read = picked(disks, run['pick']) if run['kind'] == 'limited' else disks
        now_cells = oracle_cells(cloud, read)
        if run['kind'] == 'full':
            known, whole = {}, True
            coverage = oracle_coverage(cloud)
            # Each near miss is warned of.
            assert (
                sum('does not match (tags are case-sensitive)' in line for line in result['run_warnings'])
                == coverage[1]
            )
        known.update(now_cells)
        stale_failures = failures
        result, text = through_the_action(result, folder)
        cells = dict(known)
        status = oracle_status(cells, failures=failures, whole=whole)
        expected = numbers(cells, coverage)
        check_scope_files(files(folder), expected, status, partial=not whole)
        check_console(text, expected, status)
        check_fleet(result, status, expected)
        stats = awx_stats(result)
        assert stats['status'] == status and stats['totals']['disks'] == expected['disks']
        assert stats['totals']['without_dr_copy'] == expected['without']
        assert stats['totals']['not_covered'] == (coverage[0] if coverage is not None else 0)
        check_posture_info(cloud, disks)


# ------------------------------------------------------------------------------------------------------------ run outcomes
# What the engine may answer for one destination, drawn whole: the emulator's runs above give what today's engine does;
# these give every combination, so that a rule of the model that only holds by the engine's habits (an error always
# with not_copied) is held to what it says.
DESTINATION = st.fixed_dictionaries(
    {
        'action': st.sampled_from(['copied', 'existing', 'not_copied']),
        'state': st.sampled_from(['completed', 'pending', 'failed', None]),
        'error': st.booleans(),
        'mismatch': st.booleans(),
    }
)
DISK = st.fixed_dictionaries(
    {'age': st.sampled_from([1.5, 24.0, 30.5, None]), 'regions': st.tuples(DESTINATION, DESTINATION)}
)


def drawn_facts(disks, check_mode, now):
    """The run's DiskFacts of the drawn ``disks``, with the engine's own outcome classes."""
    facts = []
    for index, disk in enumerate(disks):
        created = (
            None
            if disk['age'] is None
            else (now - datetime.timedelta(hours=disk['age'])).strftime('%Y-%m-%dT%H:%M:%SZ')
        )
        source = None if created is None else Snapshot('snap-%d' % index, SOURCE, 'completed', created=created)
        outcomes = ()
        if source is not None:
            outcome = RequestOutcome(CopyRequest(source.id, SOURCE, list(REGIONS)))
            outcome.source = source
            for region, drawn in zip(REGIONS, disk['regions']):
                destination = outcome.destinations[region]
                destination.action = 'would_copy' if check_mode and drawn['action'] == 'copied' else drawn['action']
                if drawn['state'] is not None:
                    destination.snapshot = Snapshot(
                        'copy-%d-%s' % (index, region), region, drawn['state'], created=created
                    )
                if drawn['error']:
                    destination.error = CloudError('CopySnapshot', 'Refused', 'refused', region=region)
                if drawn['mismatch'] and destination.snapshot is not None:
                    destination.mismatch = {
                        'snapshot_id': destination.snapshot.id,
                        'differences': {'encrypted': [True, False]},
                    }
            outcomes = (outcome,)
        facts.append(DiskFacts(Disk('disk-%d' % index, SOURCE), source=source, outcomes=outcomes))
    return facts


def drawn_facts_of_cells(disks, check_mode):
    """The oracle's facts of each drawn disk and DR region beyond its standing: the copy it stands by and its data's age,
    the copies in flight, failed (with an id) and differing."""
    cells = drawn_cells(disks, check_mode)
    facts = {}
    for index, disk in enumerate(disks):
        for region, drawn in zip(REGIONS, disk['regions']):
            key = 'disk-%d' % index, region
            copy = 'copy-%d-%s' % (index, region) if disk['age'] is not None and drawn['state'] is not None else None
            word = cells[key]
            differs = copy is not None and drawn['mismatch']
            facts[key] = {
                'copy_id': copy if word in (WITHIN, OVER) else None,
                'recovery_point_age_hours': disk['age'] if word in (WITHIN, OVER) else None,
                'in_flight': [copy] if word == IN_FLIGHT else [],
                'failed': [copy] if word == NO_COPY and copy is not None and not differs else [],
                'differing': [copy] if differs else [],
            }
    return facts


def drawn_cells(disks, check_mode):
    """The oracle: how each drawn disk stands in each DR region, from the drawn facts alone."""
    cells = {}
    for index, disk in enumerate(disks):
        for region, drawn in zip(REGIONS, disk['regions']):
            if disk['age'] is None:
                word = NO_COPY  # nothing to copy: no copy
            elif check_mode and drawn['action'] == 'copied':
                word = PLANNED
            elif drawn['action'] == 'not_copied' or drawn['error'] or drawn['state'] in (None, 'failed'):
                word = NO_COPY  # the run said it failed, or no read shows a usable copy
            elif drawn['state'] == 'pending':
                word = IN_FLIGHT
            else:
                word = WITHIN if disk['age'] <= RPO else OVER
            cells['disk-%d' % index, region] = word
    return cells


@settings(
    max_examples=int(os.environ.get('SNAPCOPY_SURFACES_EXAMPLES', '12')) * 5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(disks=st.lists(DISK, min_size=0, max_size=3), check_mode=st.booleans())
# Issue 62, always tried: a scope of no disk that allow_no_disks expects (nothing to protect), and a plan with every copy
# in place (would be protected).
@example(disks=[], check_mode=False)
@example(disks=[], check_mode=True)
@example(
    disks=[
        {'age': 1.5, 'regions': ({'action': 'existing', 'state': 'completed', 'error': False, 'mismatch': False},) * 2}
    ],
    check_mode=True,
)
def test_every_surface_says_what_the_run_read_back(tmp_path_factory, disks, check_mode):
    now = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)
    settings_ = dr_settings(options(allow_no_disks=True))
    report = dr_report(drawn_facts(disks, check_mode, now), settings_, now, check_mode)
    report.update(
        account=None,
        run_id='20261126T120000Z-000001',
        duration_seconds=1.0,
        run_warnings=[],
        api_retries=0,
        dr_account=None,
    )
    cells = drawn_cells(disks, check_mode)
    nothing = {
        'coverage': None,
        'disks': 0,
        'without': 0,
        'regions': {region: dict.fromkeys((WITHIN, OVER, IN_FLIGHT, NO_COPY), 0) for region in REGIONS},
    }
    expected = numbers(dict(cells)) if disks else nothing
    for region in REGIONS:
        expected['regions'][region][PLANNED] = sum(
            1 for (dummy, where), word in cells.items() if where == region and word == PLANNED
        )
    expected['without'] = len({disk for (disk, dummy), word in cells.items() if word == NO_COPY})
    status = oracle_status(cells, failures=len(report['failures']), plan=check_mode, allow_no_disks=True)
    folder = tmp_path_factory.mktemp('outcomes')
    result, text = through_the_action(report, folder, check_mode=check_mode)
    written = files(folder, 'plan' if check_mode else 'report')
    check_scope_files(written, expected, status)
    # The model's facts of each disk and DR region, as the JSON carries them.
    found = {
        (disk['disk_id'], region['region']): {
            key: region[key] for key in ('copy_id', 'recovery_point_age_hours', 'in_flight', 'failed', 'differing')
        }
        for disk in written['data']['protection']['disks']
        for region in disk['regions']
    }
    assert found == drawn_facts_of_cells(disks, check_mode)
    check_console(text, expected, status)
    check_fleet(result, status, expected)
    stats = awx_stats(result)
    assert (stats['status'], stats['totals']['disks'], stats['totals']['without_dr_copy']) == (
        status,
        expected['disks'],
        expected['without'],
    )
