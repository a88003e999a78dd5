"""The DR posture page in a browser: two real DR runs on the emulator (dr_sync's module over fakecloud, then its
action's report files), the page opened in headless Chromium (`make docs-test`'s browser, SNAPCOPY_CHROMIUM), and
what the page shows held to the JSON report written beside it:

- from the DOM Chromium built (`--dump-dom`): each bar of the chart (disk, DR region, standing, hours, and the
  number printed beside it), each DR region's counts, the summary, the RPO, the drill's times;
- from a screenshot (`--screenshot`, decoded here): the bars counted by their colour, which must be the JSON's
  number of disks and DR regions of each standing. The PNG is kept in build/docsite/screenshots/.

The fleet page is checked the same way over two scopes, one of which failed.
"""

from __future__ import annotations

import html.parser
import json
import os
import struct
import zlib

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import write_reports
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    OVER_RPO,
    STANDINGS,
    WITHIN_RPO,
    of_report,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import summary_line
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import COLOURS, RUN_FAILED, fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.docs.helpers import dr_sync_in_process
from ansible_collections.snapcopy.cloud.tests.docs.test_docsite import CHROMIUM, SCREENSHOTS, chromium
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason='no Chromium at %s: run `make docs-test`' % CHROMIUM
)

HOUR = 3600
# Copies, snapshots and disks made in a fraction of a second on fakecloud's clock, where its defaults take seconds: the
# runs of the fixtures wait for them (issue 48: the docs leg green on a busy machine, and no slower than it needs to be).
FAST = {cloud: {'snapshot_seconds': 0.3, 'copy_seconds': 0.3, 'disk_seconds': 0.3} for cloud in ('ecs',)}


class PostureDom(html.parser.HTMLParser):
    """What the page shows: the chart's bars, the region table's cells, the drill's rows, the fleet's scope rows,
    and the text of elements with an id."""

    def __init__(self):
        super().__init__()
        self.bars = []  # {'disk', 'region', 'standing', 'hours', 'text'}
        self.region_bars = []  # the fleet page's: {'scope', 'region', 'standing'}
        self.cells = {}  # (region or scope, key) -> {'text', attributes}
        self.by_id = {}  # element id -> its text
        self._stack = []
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._stack.append((tag, attrs))
        if tag == 'g' and attrs.get('class') == 'bar':
            self.bars.append(
                {
                    'disk': attrs['data-disk'],
                    'region': attrs['data-region'],
                    'standing': attrs['data-standing'],
                    'hours': attrs['data-hours'],
                    'text': '',
                }
            )
        if tag == 'g' and attrs.get('class') == 'region':
            self.region_bars.append(
                {'scope': self._row, 'region': attrs['data-region'], 'standing': attrs['data-standing']}
            )
        if tag == 'tr':
            self._row = attrs.get('data-region') or attrs.get('data-scope') or attrs.get('data-lock')
        if tag == 'td' and self._row and attrs.get('data-key'):
            self.cells.setdefault((self._row, attrs['data-key']), {'text': '', **attrs})
        if attrs.get('id'):
            self.by_id.setdefault(attrs['id'], '')

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for tag, attrs in self._stack:
            if attrs.get('id') in self.by_id:
                self.by_id[attrs['id']] += data
        tags = [tag for tag, dummy in self._stack]
        if 'g' in tags and self.bars and tags[-1] in ('text', 'tspan') and not self._stack[-1][1].get('text-anchor'):
            self.bars[-1]['text'] += data
        if tags and tags[-1] == 'td' and self._row and self._stack[-1][1].get('data-key'):
            self.cells[(self._row, self._stack[-1][1]['data-key'])]['text'] += data


def dom_of(tmp_path, path):
    page = PostureDom()
    page.feed(chromium(tmp_path, '--dump-dom', 'file://' + str(path)))
    return page


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    with open(path, 'rb') as stream:
        data = stream.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    position, chunks = 8, {}
    while position < len(data):
        length, kind = struct.unpack('>I4s', data[position : position + 8])
        chunks.setdefault(kind, []).append(data[position + 8 : position + 8 + length])
        position += 12 + length
    width, height, depth, colour_type, dummy, dummy, interlace = struct.unpack('>IIBBBBB', chunks[b'IHDR'][0])
    assert depth == 8 and colour_type in (2, 6) and not interlace, (depth, colour_type, interlace)
    channels = 4 if colour_type == 6 else 3
    raw = zlib.decompress(b''.join(chunks[b'IDAT']))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for index in range(height):
        kind, line = raw[index * (stride + 1)], bytearray(raw[index * (stride + 1) + 1 : (index + 1) * (stride + 1)])
        for byte in range(stride):
            left = line[byte - channels] if byte >= channels else 0
            up, up_left = previous[byte], previous[byte - channels] if byte >= channels else 0
            if kind == 1:
                line[byte] = (line[byte] + left) & 0xFF
            elif kind == 2:
                line[byte] = (line[byte] + up) & 0xFF
            elif kind == 3:
                line[byte] = (line[byte] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                nearest = min(
                    (abs(estimate - left), 0, left), (abs(estimate - up), 1, up), (abs(estimate - up_left), 2, up_left)
                )[2]
                line[byte] = (line[byte] + nearest) & 0xFF
        rows.append([tuple(line[pixel : pixel + 3]) for pixel in range(0, stride, channels)])
        previous = line
    return width, height, rows


def bars_by_colour(path, min_run=20):
    """{colour: how many bars} in a screenshot: a bar is a band of pixel rows each with a run of at least ``min_run``
    pixels of exactly that colour (the legend's swatches and the text are narrower)."""
    dummy, dummy, rows = png_pixels(path)
    wanted = {
        tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5)): standing
        for standing, colour in COLOURS.items()
    }
    counts = dict.fromkeys(COLOURS, 0)
    inside = dict.fromkeys(COLOURS, False)
    for row in rows:
        seen, run, last = set(), 0, None
        for pixel in row:
            run = run + 1 if pixel == last else 1
            last = pixel
            if run == min_run and pixel in wanted:
                seen.add(wanted[pixel])
        for standing in COLOURS:
            if standing in seen and not inside[standing]:
                counts[standing] += 1
            inside[standing] = standing in seen
    return counts


def dr_run(cloud, check_mode=False, **options):
    return dr_sync_in_process(
        check_mode,
        **dict(
            {
                'provider': 'ecs',
                'source_region': 'cn-hangzhou',
                'dr_regions': ['cn-shanghai', 'cn-beijing'],
                'tag_selector': {'posture': 'yes'},
                'endpoint_url': cloud.url,
                'alicloud_access_key': credentials.ALIBABA_ACCESS_KEY_ID,
                'alicloud_secret_key': credentials.ALIBABA_ACCESS_KEY_SECRET,
                'poll_interval': 0.3,
            },
            **options,
        ),
    )


def seed(cloud, name, ages_hours):
    snapshots = [{'age_seconds': int(age * HOUR)} for age in ages_hours]
    cloud.admin.seed(
        ecs={
            'disks': [
                {'region': 'cn-hangzhou', 'name': name, 'size': 20, 'tags': {'posture': 'yes'}, 'snapshots': snapshots}
            ]
        }
    )


def written(result, folder, name):
    """The report files of a run, as dr_sync's action writes them, and the report as the JSON file holds it."""
    files = write_reports(dict(result, report_markdown=dr_report_markdown(result)), str(folder), name)
    with open(files['json'], encoding='utf-8') as stream:
        return files, json.load(stream)


@pytest.fixture(scope='module')
def reports(fakecloud, tmp_path_factory):
    """Two runs: copies of a recent and a stale disk made and waited for, with a restore drill; then, with an RPO of a
    day and without waiting, the stale disk's copies older than it, a new disk's copies in flight and a disk without a
    snapshot. Answers the report folder, then each run's files and report."""
    fakecloud.admin.reset()
    fakecloud.admin.configure(timings=FAST)
    seed(fakecloud, 'recent', [2])
    seed(fakecloud, 'stale', [30])
    folder = tmp_path_factory.mktemp('reports')
    first = dr_run(fakecloud, wait=True, wait_timeout=300, restore_test=True, restore_test_timeout=120)
    assert not first['failures'], first['failures']
    seed(fakecloud, 'new', [1])
    seed(fakecloud, 'empty', [])
    fakecloud.admin.configure(
        timings={'ecs': {'copy_seconds': HOUR}}
    )  # the new disk's copies in flight however slow the run
    second = dr_run(fakecloud, wait=False, max_snapshot_age_hours=24, fail_on_missing=False)
    return folder, written(first, folder, 'ecs-drill'), written(second, folder, 'ecs-posture')


def test_the_page_shows_the_json_reports_numbers(reports, tmp_path):
    dummy, dummy, (files, report) = reports
    page = dom_of(tmp_path, files['html'])
    # The run is what the fixture meant: each standing that needs a person is there.
    standings = {copy['standing'] for disk in report['disks'] for copy in disk['copies']}
    assert {WITHIN_RPO, OVER_RPO, 'in_flight'} <= standings, standings
    # A bar per disk and DR region, each as the JSON has it, the hours printed beside it.
    expected = {}
    for disk in report['disks']:
        for region in report['dr_regions']:
            copies = [copy for copy in disk['copies'] if copy['region'] == region]
            copy = min(copies, key=lambda item: STANDINGS.index(item['standing'])) if copies else None
            expected[(disk['disk_id'], region)] = (
                copy['standing'] if copy else 'no_copy',
                copy['recovery_point_age_hours'] if copy else None,
            )
    shown = {
        (chart_bar['disk'], chart_bar['region']): (
            chart_bar['standing'],
            float(chart_bar['hours']) if chart_bar['hours'] else None,
        )
        for chart_bar in page.bars
    }
    assert shown == expected
    for chart_bar in page.bars:
        if chart_bar['hours']:
            assert float(chart_bar['text'].strip().rstrip(' h')) == float(chart_bar['hours']), chart_bar
    # Worst first: no disk within the RPO above one that is not.
    order = [chart_bar['standing'] == WITHIN_RPO for chart_bar in page.bars]
    assert order == sorted(order)
    # Each DR region's counts and oldest recovery point.
    for region, counts in report['posture']['regions'].items():
        for standing in STANDINGS:
            assert int(page.cells[(region, standing)]['text']) == counts[standing], (region, standing)
        oldest = page.cells[(region, 'oldest_recovery_point_hours')]['text']
        assert float(oldest.rstrip(' h')) == counts['oldest_recovery_point_hours']
    assert page.by_id['summary'].strip() == summary_line(
        report['totals'], report['restore'], report['check_mode'], of_report(report), status=False
    )
    # The status beside it is the model's, in its own words.
    assert page.by_id['status'].strip() == of_report(report).status
    assert float(page.by_id['rpo'].rstrip(' h')) == report['posture']['rpo_hours'] == 24
    # Failures first: the disk without a snapshot.
    assert 'empty' in page.by_id['failures'] and page.by_id['failures'].strip().startswith('Failures (1)')


def test_the_drill_page_shows_each_tests_time_to_a_usable_disk(reports, tmp_path):
    dummy, (files, report), dummy = reports
    page = dom_of(tmp_path, files['html'])
    assert 'failures' not in page.by_id and 'rpo' not in page.by_id
    tests = report['restore']['tests']
    assert [test['result'] for test in tests] == ['passed'] * len(report['dr_regions'])
    for test in tests:
        assert page.cells[(test['region'], 'result')]['text'] == test['result']
        assert (
            float(page.cells[(test['region'], 'seconds_to_usable')]['text'].rstrip(' s')) == test['seconds_to_usable']
        )


def test_a_screenshot_shows_a_bar_of_each_standings_colour_per_disk_and_region(reports, tmp_path):
    dummy, dummy, (files, report) = reports
    os.makedirs(SCREENSHOTS, exist_ok=True)
    target = os.path.join(SCREENSHOTS, 'posture-page.png')
    if os.path.exists(target):
        os.remove(target)
    chromium(
        tmp_path, '--hide-scrollbars', '--window-size=1200,1400', '--screenshot=%s' % target, 'file://' + files['html']
    )
    counted = bars_by_colour(target)
    expected = {
        standing: sum(counts[standing] for counts in report['posture']['regions'].values()) for standing in STANDINGS
    }
    assert counted == dict(expected, **{RUN_FAILED: 0}), (counted, expected)
    assert sum(counted.values()) == len(report['disks']) * len(report['dr_regions'])


def scope_facts(name, files, report):
    return {
        'scope': name,
        'provider': 'ecs',
        'source_region': report['source_region'],
        'dr_regions': report['dr_regions'],
        'totals': report['totals'],
        'failures': report['failures'],
        'failure_count': len(report['failures']),
        'posture': report['posture'],
        'protection': report['protection'],
        'report_files': files,
        'restore_tests': [],
        'dr_account': (report.get('dr_account') or {}).get('account'),
        'locks': report.get('locks'),
    }


def test_the_fleet_page_shows_every_scope_with_the_json_numbers(reports, vault_reports, tmp_path):
    folder, (drill_files, drill), (files, report) = reports
    dummy, dummy, (vault_files, vault) = vault_reports
    scopes = [
        scope_facts('ecs-prod', files, report),
        scope_facts('ecs-drill', drill_files, drill),
        scope_facts('ecs-vault', vault_files, vault),
        {
            'scope': 'cbs-prod',
            'provider': 'cbs',
            'source_region': 'ap-guangzhou',
            'error': 'AuthFailure: the key is wrong',
            'totals': {},
        },
    ]
    fleet = fleet_report(scopes, '2026-11-23T10:00:00Z')
    path = folder / 'dr-fleet-report.html'
    path.write_text(fleet_report_html(fleet), encoding='utf-8')
    page = dom_of(tmp_path, path)
    for row in fleet['scopes']:
        run = ' (run failed)' if row['run'] == 'failed' else ''
        assert page.cells[(row['scope'], 'status')]['text'] == row['status'] + run
        for key in ('disks', 'over_rpo', 'no_copy', 'in_flight'):
            assert int(page.cells[(row['scope'], key)]['text']) == row[key], (row['scope'], key)
    assert fleet['scopes'][0]['scope'] == 'cbs-prod' and 'AuthFailure' in page.by_id['failures']
    ecs = next(row for row in fleet['scopes'] if row['scope'] == 'ecs-prod')
    assert ecs['over_rpo'] == sum(counts['over_rpo'] for counts in report['posture']['regions'].values()) > 0
    assert float(page.cells[('ecs-prod', 'rpo_hours')]['text'].rstrip(' h')) == 24
    # A failed scope is never drawn as protected, though some of its disks have copies within the RPO; a scope whose run
    # went through is drawn as its copies stand.
    assert (ecs['run'], ecs['status']) == ('failed', 'at risk') and sum(
        counts[WITHIN_RPO] for counts in report['posture']['regions'].values()
    ) > 0
    drawn = {(drawn_bar['scope'], drawn_bar['region']): drawn_bar['standing'] for drawn_bar in page.region_bars}
    assert drawn == {
        **{('ecs-prod', region): RUN_FAILED for region in report['dr_regions']},
        **{('ecs-drill', region): WITHIN_RPO for region in drill['dr_regions']},
        **{('ecs-vault', region): WITHIN_RPO for region in vault['dr_regions']},
    }
    # The vault: who keeps each scope's DR copies.
    assert vault['locks']['in_force'] == 2 and vault['locks']['by_this_run'] == 2
    assert page.cells[('ecs-vault', 'dr_account')]['text'] == 'DR account %s; 2 locked, the first until %s' % (
        credentials.ALIBABA_DR_ACCOUNT_ID,
        vault['locks']['first_lock_ends'],
    )
    assert page.cells[('ecs-drill', 'dr_account')]['text'] == "the disks' account"
    assert page.cells[('ecs-prod', 'dr_account')]['text'] == '-'
    target = os.path.join(SCREENSHOTS, 'fleet-page.png')
    os.makedirs(SCREENSHOTS, exist_ok=True)
    chromium(
        tmp_path, '--hide-scrollbars', '--window-size=1400,1000', '--screenshot=%s' % target, 'file://' + str(path)
    )
    counted = bars_by_colour(target)
    assert counted[WITHIN_RPO] == len(drill['dr_regions']) + len(vault['dr_regions']) and counted[RUN_FAILED] == len(
        report['dr_regions']
    ), counted


@pytest.fixture(scope='module')
def vault_reports(fakecloud, tmp_path_factory):
    """A vault scope (copies made by the DR account, locked in compliance mode for a week), planned in check mode and then
    run; answers the report folder and each run's files and report."""
    fakecloud.admin.configure(timings=FAST)
    fakecloud.admin.seed(
        ecs={
            'disks': [
                {
                    'region': 'cn-hangzhou',
                    'name': 'vault-%d' % number,
                    'size': 20,
                    'tags': {'vault-page': 'yes'},
                    'snapshots': [{'age_seconds': HOUR}],
                }
                for number in range(2)
            ]
        }
    )
    folder = tmp_path_factory.mktemp('vault-reports')
    options = {
        'tag_selector': {'vault-page': 'yes'},
        'dr_regions': ['cn-shanghai'],
        'wait': True,
        'wait_timeout': 300,
        'dr_account': {'role_arn': credentials.ALIBABA_DR_ROLE_ARN},
        'lock': {'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 1},
    }
    planned = dr_run(fakecloud, check_mode=True, **options)
    done = dr_run(fakecloud, **options)
    assert not done['failures'], done['failures']
    return folder, written(planned, folder, 'ecs-vault-plan'), written(done, folder, 'ecs-vault')


def test_a_vault_scopes_page_names_the_dr_account_and_each_copys_lock(vault_reports, tmp_path):
    dummy, dummy, (files, report) = vault_reports
    page = dom_of(tmp_path, files['html'])
    assert (
        page.by_id['dr-account'].strip()
        == 'DR copies in account %s; source shares released: 2' % credentials.ALIBABA_DR_ACCOUNT_ID
    )
    locks = {copy['snapshot_id']: copy['lock'] for disk in report['disks'] for copy in disk['copies']}
    assert len(locks) == 2 and all(lock['action'] == 'locked' and lock['in_force'] for lock in locks.values())
    for snapshot_id, lock in locks.items():
        assert page.cells[(snapshot_id, 'mode')]['text'] == lock['mode'] == 'compliance'
        assert page.cells[(snapshot_id, 'expires')]['text'] == lock['expires']
        assert page.cells[(snapshot_id, 'action')]['text'] == 'locked compliance until %s' % lock['expires']
    first_end = min(lock['expires'] for lock in locks.values())
    assert (
        page.by_id['lock-summary'].strip()
        == 'Locks: 2 DR copies locked against deletion, the first lock ends %s (2 by this run)' % first_end
    )


def test_a_check_runs_page_says_would_and_draws_no_copy_as_made(vault_reports, tmp_path):
    dummy, (files, report), dummy = vault_reports
    assert report['check_mode']
    page = dom_of(tmp_path, files['html'])
    summary = page.by_id['summary'].strip()
    assert summary.startswith('Check mode: ') and '2 would be made' in summary and '0 made' in summary
    assert (
        'would be locked' in page.by_id['lock-summary'] and 'locked against deletion' not in page.by_id['lock-summary']
    )
    assert 'that would be released' in page.by_id['dr-account']
    assert {drawn_bar['standing'] for drawn_bar in page.bars} == {'planned'}
    planned = [copy for disk in report['disks'] for copy in disk['copies']]
    assert len(planned) == 2 and all(copy['lock']['action'] == 'would_lock' for copy in planned)
    assert [cell['text'] for (row, key), cell in page.cells.items() if key == 'action'] == ['would be locked'] * 2
