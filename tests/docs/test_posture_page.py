"""The DR posture page in a browser: real DR runs on the emulator (dr_sync's module over fakecloud, then its action's
report files), the pages opened in headless Chromium (`make docs-test`'s browser, SNAPCOPY_CHROMIUM), and what they show
read as a person reads it and held to the model (of_report: the JSON report's protection):

- from the DOM Chromium built (`--dump-dom`): each chart's printed axis (0 h and its top, at their x), and with it the
  hours each bar stands for, which must be its recovery point's age; the marks of the disks and DR regions without a
  completed copy (their words, no bar, left of 0 h); the RPO line at the RPO's hours; each DR region's counts, the
  summary, the RPO, the drill's times;
- from a screenshot (`--screenshot`, decoded here): the bars counted by their colour and the marks by their fill, which
  must be the model's completed copies of each standing and its disks and DR regions without one. The PNGs are kept in
  build/docsite/screenshots/.

The fleet page is checked the same way over six scopes: one failed (a mark per DR region, no bar), one with a DR region
whose copies the cloud failed, two with the same RPO and different ages (their RPO lines at one x: one scale).
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import struct
import zlib

import pytest

from ansible_collections.snapcopy.cloud.plugins.action.dr_sync import write_reports
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import (
    IN_FLIGHT,
    NO_COPY,
    OVER_RPO,
    PLANNED,
    STANDINGS,
    WITHIN_RPO,
    of_report,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.report import summary_line
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import (
    AGE_NOT_KNOWN,
    COLOURS,
    RUN_FAILED,
    STANDING_WORDS,
    fleet_report_html,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.tests.docs.helpers import dr_sync_in_process
from ansible_collections.snapcopy.cloud.tests.docs.test_docsite import CHROMIUM, SCREENSHOTS, chromium
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason='no Chromium at %s: run `make docs-test`' % CHROMIUM
)

HOUR = 3600
# The DR region into which the failing scope's copies fail.
FAILING = 'cn-beijing'
# Copies, snapshots and disks made in a fraction of a second on fakecloud's clock, where its defaults take seconds: the
# runs of the fixtures wait for them (issue 48: the docs leg green on a busy machine, and no slower than it needs to be).
FAST = {cloud: {'snapshot_seconds': 0.3, 'copy_seconds': 0.3, 'disk_seconds': 0.3} for cloud in ('ecs',)}


class PostureDom(html.parser.HTMLParser):
    """What the page shows: each chart (an SVG: its axis, its RPO lines, its rows), the region table's cells, the drill's
    rows, the fleet's scope rows, and the text of elements with an id.

    A chart's row is the scope page's disk and DR region (``g.row``) or the fleet page's DR region of a scope
    (``g.region``): its attributes, its bar (``rect.age``: x and width), the hours printed beside it, and its marks
    (``g.mark``: standing, the badge's x and width, its words)."""

    def __init__(self):
        super().__init__()
        self.charts = []  # {'scope', 'ticks': [(x, text)], 'rpo': [x], 'rows': [...]}
        self.cells = {}  # (region or scope, key) -> {'text', attributes}
        self.by_id = {}  # element id -> its text
        self._stack = []
        self._row = self._scope = None

    @property
    def rows(self):
        return [row for chart in self.charts for row in chart['rows']]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get('class') or '').split()
        self._stack.append((tag, attrs))
        if tag == 'svg':
            self.charts.append({'scope': self._scope, 'ticks': [], 'rpo': [], 'rows': []})
        chart = self.charts[-1] if self.charts and any(tag == 'svg' for tag, dummy in self._stack) else None
        if chart is not None:
            if tag == 'g' and ('row' in classes or 'region' in classes):
                chart['rows'].append(
                    {
                        'scope': chart['scope'],
                        'disk': attrs.get('data-disk'),
                        'region': attrs['data-region'],
                        'standing': attrs['data-standing'],
                        'hours': attrs['data-hours'],
                        'bar': None,
                        'value': '',
                        'marks': [],
                    }
                )
            elif tag == 'g' and 'mark' in classes:
                chart['rows'][-1]['marks'].append({'standing': attrs['data-standing'], 'text': ''})
            elif tag == 'rect' and 'age' in classes:
                chart['rows'][-1]['bar'] = (float(attrs['x']), float(attrs['width']))
            elif tag == 'rect' and self._inside('mark'):
                chart['rows'][-1]['marks'][-1].update(x=float(attrs['x']), width=float(attrs['width']))
            elif tag == 'text' and 'tick-label' in classes:
                chart['ticks'].append([float(attrs['x']), ''])
            elif tag == 'line' and 'rpo' in classes:
                chart['rpo'].append(float(attrs['x1']))
        if tag == 'tr':
            self._row = (
                attrs.get('data-region')
                or attrs.get('data-scope')
                or attrs.get('data-lock')
                or attrs.get('data-disk')
                or attrs.get('data-account')
            )
            self._scope = attrs.get('data-scope')
        if tag == 'td' and self._row and attrs.get('data-key'):
            self.cells.setdefault((self._row, attrs['data-key']), {'text': '', **attrs})
        if attrs.get('id'):
            self.by_id.setdefault(attrs['id'], '')

    def _inside(self, cls):
        return any(cls in (attrs.get('class') or '').split() for dummy, attrs in self._stack)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for dummy, attrs in self._stack:
            if attrs.get('id') in self.by_id:
                self.by_id[attrs['id']] += data
        if self._stack and self._stack[-1][0] == 'text' and self.charts:
            chart, classes = self.charts[-1], (self._stack[-1][1].get('class') or '').split()
            if 'tick-label' in classes:
                chart['ticks'][-1][1] += data
            elif self._inside('mark'):
                chart['rows'][-1]['marks'][-1]['text'] += data
            elif 'value' in classes:
                chart['rows'][-1]['value'] += data
        # A cell's text, that of the elements inside it (an id kept on one line) too.
        cell = next((attrs for tag, attrs in reversed(self._stack) if tag == 'td'), None)
        if cell is not None and self._row and cell.get('data-key'):
            self.cells[(self._row, cell['data-key'])]['text'] += data


class Axis:
    """A chart's scale as the page prints it: the hours of its two tick labels ("0 h", "36 h") at their x."""

    def __init__(self, chart):
        (left, zero), (right, top) = sorted((x, float(text.strip().rstrip(' h'))) for x, text in chart['ticks'])
        assert zero == 0 and top > 0, chart['ticks']
        self.left, self.right, self.top = left, right, top
        self.pixels_per_hour = (right - left) / top

    def hours(self, x):
        return (x - self.left) / self.pixels_per_hour

    def bar_hours(self, drawn):
        """The hours a bar (x, width) stands for: it starts at 0 h, and its length is its age."""
        x, width = drawn
        assert x == self.left, (drawn, self.left)
        assert x + width <= self.right + 0.05, (drawn, self.right)
        return width / self.pixels_per_hour


def assert_is_an_age(axis, drawn, hours):
    """A bar (x, width) as long as ``hours`` on the page's own axis, give or take 2 px (a bar is never thinner than 2
    px)."""
    assert abs(axis.bar_hours(drawn) - hours) <= 2 / axis.pixels_per_hour, (drawn, hours, axis.pixels_per_hour)


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


def seed(cloud, name, ages_hours, tags=None):
    snapshots = [{'age_seconds': int(age * HOUR)} for age in ages_hours]
    return cloud.admin.seed(
        ecs={
            'disks': [
                {
                    'region': 'cn-hangzhou',
                    'name': name,
                    'size': 20,
                    'tags': tags or {'posture': 'yes'},
                    'snapshots': snapshots,
                }
            ]
        }
    )['ecs']['disks'][0]


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
    seed(fakecloud, 'recent', [4])
    seed(fakecloud, 'stale', [30])
    folder = tmp_path_factory.mktemp('reports')
    first = dr_run(fakecloud, wait=True, wait_timeout=300, restore_test=True, restore_test_timeout=120)
    assert not first['failures'], first['failures']
    seed(fakecloud, 'new', [1])
    seed(fakecloud, 'empty', [])
    # Two disks the selector does not take: one untagged for DR, one a near miss.
    seed(fakecloud, 'web', [1], tags={'app': 'web'})
    seed(fakecloud, 'db-log', [1], tags={'Posture': 'yes'})
    fakecloud.admin.configure(
        timings={'ecs': {'copy_seconds': HOUR}}
    )  # the new disk's copies in flight however slow the run
    second = dr_run(fakecloud, wait=False, max_snapshot_age_hours=24, fail_on_missing=False)
    return folder, written(first, folder, 'ecs-drill'), written(second, folder, 'ecs-posture')


def assert_chart_is_the_model(page, protection):
    """A scope page's chart, read as a person reads it, against the model: a row per disk and DR region; a completed
    copy a bar whose length on the printed axis is its recovery point's age, with that age beside it; any other
    standing a mark with its words, no bar, left of 0 h; the RPO line at the RPO's hours."""
    (chart,) = page.charts
    axis = Axis(chart)
    cells = {
        (disk.disk_id, region): disk.region(region) for disk in protection.disks for region in protection.dr_regions
    }
    assert {(row['disk'], row['region']) for row in chart['rows']} == set(cells)
    for row in chart['rows']:
        cell = cells[(row['disk'], row['region'])]
        assert row['standing'] == cell.standing, row
        if cell.standing in (WITHIN_RPO, OVER_RPO) and cell.recovery_point_age_hours is not None:
            assert not row['marks'] and row['bar'] is not None, row
            assert_is_an_age(axis, row['bar'], cell.recovery_point_age_hours)
            assert float(row['value'].strip().rstrip(' h')) == round(cell.recovery_point_age_hours, 1), row
        else:
            # No bar: nothing whose width could be read as an age, and the mark ends before 0 h.
            (mark,) = row['marks']
            assert row['bar'] is None and not row['value'], row
            assert mark['x'] + mark['width'] < axis.left, (mark, axis.left)
            assert (
                STANDING_WORDS[cell.standing if cell.standing not in (WITHIN_RPO, OVER_RPO) else AGE_NOT_KNOWN]
                in mark['text']
            ), mark
    if protection.rpo_hours:
        (rpo,) = chart['rpo']
        assert abs(axis.hours(rpo) - protection.rpo_hours) <= 0.5 / axis.pixels_per_hour
    # The axis ends at or past every age: no bar is cut.
    assert axis.top >= max(
        [cell.recovery_point_age_hours or 0 for cell in cells.values()] + [protection.rpo_hours or 0]
    )
    return chart


def test_the_page_shows_the_json_reports_numbers(reports, tmp_path):
    dummy, dummy, (files, report) = reports
    page = dom_of(tmp_path, files['html'])
    protection = of_report(report)
    # The run is what the fixture meant: each standing that needs a person is there.
    standings = {copy['standing'] for disk in report['disks'] for copy in disk['copies']}
    assert {WITHIN_RPO, OVER_RPO, IN_FLIGHT} <= standings, standings
    assert protection.counts()[NO_COPY] > 0
    # A row per disk and DR region, as the model (the JSON's protection) has it, each drawn as it can be read.
    chart = assert_chart_is_the_model(page, protection)
    # Worst first: no disk within the RPO above one that is not.
    order = [row['standing'] == WITHIN_RPO for row in chart['rows']]
    assert order == sorted(order)
    # Each DR region's counts and oldest recovery point.
    for region, counts in report['posture']['regions'].items():
        for standing in STANDINGS:
            assert int(page.cells[(region, standing)]['text']) == counts[standing], (region, standing)
        oldest = page.cells[(region, 'oldest_recovery_point_hours')]['text']
        assert float(oldest.rstrip(' h')) == counts['oldest_recovery_point_hours']
    assert page.by_id['summary'].strip() == summary_line(
        report['totals'], report['restore'], report['check_mode'], protection, status=False
    )
    # The status beside it is the model's, in its own words.
    assert page.by_id['status'].strip() == protection.status
    assert float(page.by_id['rpo'].rstrip(' h')) == report['posture']['rpo_hours'] == 24
    # Failures first: the disk without a snapshot.
    assert 'empty' in page.by_id['failures'] and page.by_id['failures'].strip().startswith('Failures (1)')
    # The disks not covered, as the model has them: the near miss named with the tags it carries.
    assert protection.not_covered == 2 and protection.near_misses == 1
    assert ' '.join(page.by_id['coverage-line'].split()).startswith(protection.coverage_heading() + '.')
    for disk in protection.uncovered:
        assert page.cells[(disk.disk_id, 'near_miss')]['text'] == (', '.join(disk.near_miss) or '-')
    assert page.cells[(next(d for d in protection.uncovered if d.near_miss).disk_id, 'near_miss')]['text'] == (
        'Posture=yes'
    )


def test_a_failing_regions_page_draws_no_bar_where_no_copy_is(failing_reports, tmp_path):
    dummy, (files, report) = failing_reports
    page = dom_of(tmp_path, files['html'])
    protection = of_report(report)
    counts = protection.posture()['regions']
    assert (
        counts[FAILING]['no_copy'] == 2
        and counts['cn-shanghai']['within_rpo'] == counts['cn-shanghai']['over_rpo'] == 1
    )
    chart = assert_chart_is_the_model(page, protection)
    assert [row['bar'] for row in chart['rows'] if row['region'] == FAILING] == [None, None]
    # Each copy the cloud failed is a failure, said once, in people's words.
    failures = page.by_id['failures']
    assert failures.strip().startswith('Failures (%d)' % len(set(report['failures']))) and 'failed' in failures
    assert not re.search(r'\bin state\b|\bfailed_before_report\b|\bnot_copied\b', failures), failures
    shoot(tmp_path, files['html'], 'failing-region-page.png', '1200,1000')


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


def shoot(tmp_path, path, name, size):
    """A screenshot of the page at ``path``, kept in build/docsite/screenshots/ as ``name``."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    target = os.path.join(SCREENSHOTS, name)
    if os.path.exists(target):
        os.remove(target)
    chromium(tmp_path, '--hide-scrollbars', '--window-size=%s' % size, '--screenshot=%s' % target, 'file://%s' % path)
    return target


# bars_by_colour tells a bar from text by a run of 20 pixels: a bar shorter than this is not counted in a screenshot, and
# none may be near that length (the fixtures' ages are chosen so).
SEEN_BAR, UNSURE_BARS = 24, (14, 24)


def seen(counts, standing, hours, axis):
    """Count a bar of ``hours`` in ``standing``'s colour if a screenshot shows it as one."""
    pixels = hours * axis.pixels_per_hour
    assert not UNSURE_BARS[0] <= pixels < UNSURE_BARS[1], 'a bar of %.1f px: pick other ages' % pixels
    counts[standing] += 1 if pixels >= SEEN_BAR else 0


def drawn(protection, axis):
    """{standing or mark: how many a chart of ``protection`` on ``axis`` shows}: a bar per completed copy with an age,
    a mark per disk and DR region without one."""
    counts = dict.fromkeys(COLOURS, 0)
    for cell in protection.cells():
        if cell.standing in (WITHIN_RPO, OVER_RPO) and cell.recovery_point_age_hours is not None:
            seen(counts, cell.standing, cell.recovery_point_age_hours, axis)
        elif cell.standing in (WITHIN_RPO, OVER_RPO):
            counts[AGE_NOT_KNOWN] += 1
        else:
            counts[cell.standing] += 1
    return counts


def test_a_screenshot_shows_a_bar_per_completed_copy_and_a_mark_per_disk_and_region_without_one(reports, tmp_path):
    """In the pixels Chromium drew: the bars counted by colour are the completed copies of each standing, the marks
    counted by their fill the others. Before, every disk and DR region had a bar, "no copy" one across the RPO."""
    dummy, dummy, (files, report) = reports
    (chart,) = dom_of(tmp_path, files['html']).charts
    counted = bars_by_colour(shoot(tmp_path, files['html'], 'posture-page.png', '1200,1400'))
    expected = drawn(of_report(report), Axis(chart))
    assert counted == expected, (counted, expected)
    assert expected[IN_FLIGHT] and expected[NO_COPY] and expected[OVER_RPO] and expected[WITHIN_RPO]
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


def fleet_drawn(fleet, axis):
    """{standing or mark: how many the fleet page shows}: per DR region of a scope whose run went through, a bar for its
    oldest recovery point (older than the RPO when a copy there is) and a mark per other standing there; a failed
    scope's regions a "run failed" mark each."""
    counts = dict.fromkeys(COLOURS, 0)
    for scope in fleet['scopes']:
        for region in ((scope.get('posture') or {}).get('regions') or {}).values():
            if scope['run'] == 'failed':
                counts[RUN_FAILED] += 1
                continue
            if region['oldest_recovery_point_hours'] is not None:
                seen(counts, OVER_RPO if region[OVER_RPO] else WITHIN_RPO, region['oldest_recovery_point_hours'], axis)
            for kind in (NO_COPY, IN_FLIGHT, PLANNED):
                counts[kind] += 1 if region[kind] else 0
    return counts


def test_the_fleet_page_shows_every_scope_with_the_json_numbers(reports, vault_reports, failing_reports, tmp_path):
    folder, (drill_files, drill), (files, report) = reports
    dummy, dummy, (vault_files, vault) = vault_reports
    dummy, (failing_files, failing) = failing_reports
    (problem,) = report['failures']
    scopes = [
        # The role's last task fails with the run's problems, which the fleet keeps as the scope's error too.
        dict(scope_facts('ecs-prod', files, report), error='1 problem(s), see the report x.md: %s' % problem),
        scope_facts('ecs-drill', drill_files, drill),
        scope_facts('ecs-vault', vault_files, vault),
        # What dr_fleet_posture_only gives the fleet: the read, with no failure of a run.
        dict(scope_facts('ecs-read', files, report), failures=[], failure_count=0),
        dict(scope_facts('ecs-failing', failing_files, failing), failures=[], failure_count=0),
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
        # The disks of its region that no scope of the fleet covers (issue 62: those another scope takes are covered).
        shown = page.cells[(row['scope'], 'not_covered')]['text'].split(' (')[0]
        assert shown == ('-' if row['uncovered'] is None else str(row['not_covered_by_any'])), (row['scope'], shown)
    # Per account, the disks by status and those no scope covers, as the fleet report counts them.
    for account in fleet['accounts']:
        key = '%s/%s' % (account['provider'], account['account'])
        for name in ('scopes', 'protected_disks', 'at_risk_disks', 'not_known_disks'):
            assert int(page.cells[(key, name)]['text']) == account[name], (key, name)
        shown = page.cells[(key, 'not_covered')]['text']
        assert shown == ('-' if account['not_covered'] is None else str(account['not_covered'])), (key, shown)

    assert fleet['scopes'][0]['scope'] == 'cbs-prod' and 'AuthFailure' in page.by_id['failures']
    # Each problem once, though the scope's error says it again.
    assert page.by_id['failures'].count(problem) == 1, page.by_id['failures']
    ecs = next(row for row in fleet['scopes'] if row['scope'] == 'ecs-prod')
    assert ecs['over_rpo'] == sum(counts['over_rpo'] for counts in report['posture']['regions'].values()) > 0
    assert float(page.cells[('ecs-prod', 'rpo_hours')]['text'].rstrip(' h')) == 24
    assert (ecs['run'], ecs['status']) == ('failed', 'at risk') and sum(
        counts[WITHIN_RPO] for counts in report['posture']['regions'].values()
    ) > 0

    charts = {chart['scope']: chart for chart in page.charts}
    assert set(charts) == {row['scope'] for row in fleet['scopes'] if row['posture']}
    # A failed scope is never drawn as protected, nor as an age, though some of its disks have copies within the RPO:
    # a "run failed" mark per DR region, no bar and no RPO.
    assert not charts['ecs-prod']['rpo'] and not charts['ecs-prod']['ticks']
    for row in charts['ecs-prod']['rows']:
        assert row['bar'] is None and [mark['standing'] for mark in row['marks']] == [RUN_FAILED], row
        assert STANDING_WORDS[RUN_FAILED].split(' (', maxsplit=1)[0] in row['marks'][0]['text']
    # One scale for every scope that is drawn: the same printed axis at the same place.
    drawn_charts = [chart for scope, chart in charts.items() if scope != 'ecs-prod']
    axes = {(axis.left, axis.right, axis.top) for axis in (Axis(chart) for chart in drawn_charts)}
    assert len(axes) == 1, axes
    axis = Axis(drawn_charts[0])
    # Two scopes with the same RPO and different ages (30 h, 50 h): their RPO lines at one x, the RPO's hours on it.
    assert fleet_row(fleet, 'ecs-read')['rpo_hours'] == fleet_row(fleet, 'ecs-failing')['rpo_hours'] == 24
    assert report['posture']['regions']['cn-beijing']['oldest_recovery_point_hours'] != max(
        counts['oldest_recovery_point_hours'] or 0 for counts in failing['posture']['regions'].values()
    )
    rpo_lines = set(charts['ecs-read']['rpo'] + charts['ecs-failing']['rpo'])
    assert len(rpo_lines) == 1 and abs(axis.hours(rpo_lines.pop()) - 24) <= 0.5 / axis.pixels_per_hour
    # Each region as the model counts it: its oldest recovery point a bar of that age, each standing without an age a
    # mark with its count.
    for chart in drawn_charts:
        regions = fleet_row(fleet, chart['scope'])['posture']['regions']
        assert sorted(row['region'] for row in chart['rows']) == sorted(regions)
        for row in chart['rows']:
            counts = regions[row['region']]
            if counts['oldest_recovery_point_hours'] is None:
                assert row['bar'] is None, row
            else:
                assert_is_an_age(axis, row['bar'], counts['oldest_recovery_point_hours'])
                assert float(row['value'].strip().rstrip(' h')) == round(counts['oldest_recovery_point_hours'], 1)
            marks = {mark['standing']: mark for mark in row['marks']}
            assert set(marks) == {kind for kind in (NO_COPY, IN_FLIGHT, PLANNED) if counts[kind]}, row
            for kind, mark in marks.items():
                assert int(re.search(r'(\d+)', mark['text']).group(1)) == counts[kind], mark
                assert mark['x'] + mark['width'] < axis.left
    # The failing region: its disks have no copy there, and nothing in its cell encodes an age.
    (beijing,) = [row for row in charts['ecs-failing']['rows'] if row['region'] == FAILING]
    assert beijing['bar'] is None and not beijing['value'] and [m['standing'] for m in beijing['marks']] == [NO_COPY]
    # The vault: who keeps each scope's DR copies.
    assert vault['locks']['in_force'] == 2 and vault['locks']['by_this_run'] == 2
    assert page.cells[('ecs-vault', 'dr_account')]['text'] == '%s; 2 locked, the first to %s' % (
        credentials.ALIBABA_DR_ACCOUNT_ID,
        vault['locks']['first_lock_ends'][:10],
    )
    assert page.cells[('ecs-drill', 'dr_account')]['text'] == "the disks' account"
    assert page.cells[('ecs-prod', 'dr_account')]['text'] == '-'
    # In the pixels: a bar per region with a completed copy, in its colour, and the marks by their fill.
    counted = bars_by_colour(shoot(tmp_path, path, 'fleet-page.png', '1500,1300'))
    expected = fleet_drawn(fleet, axis)
    assert counted == expected, (counted, expected)
    assert expected[WITHIN_RPO] and expected[OVER_RPO] and expected[NO_COPY] and expected[RUN_FAILED]


def fleet_row(fleet, name):
    return next(row for row in fleet['scopes'] if row['scope'] == name)


@pytest.fixture(scope='module')
def failing_reports(fakecloud, tmp_path_factory):
    """A scope whose copies into one DR region (FAILING) the cloud fails: two disks, one recent, one older than the
    RPO of a day. Answers the report folder and the run's files and report."""
    fakecloud.admin.configure(timings=FAST)
    for name, age in (('failing-recent', 3), ('failing-old', 50)):
        fakecloud.admin.seed(
            ecs={
                'disks': [
                    {
                        'region': 'cn-hangzhou',
                        'name': name,
                        'size': 20,
                        'tags': {'failing-page': 'yes'},
                        'snapshots': [{'age_seconds': age * HOUR}],
                    }
                ]
            }
        )
    fakecloud.admin.faults({'failing_copies': {'ecs': {'regions': [FAILING], 'rate': 0.0}}})
    options = {'tag_selector': {'failing-page': 'yes'}, 'fail_on_missing': False}
    try:
        # Copies made and waited for (those into FAILING fail); then, with an RPO of a day and without waiting, the old
        # disk's copy older than it (its fresh snapshot not copied yet) and the failed copies found again.
        dr_run(fakecloud, wait=True, wait_timeout=300, **options)
        fakecloud.admin.configure(timings={'ecs': {'copy_seconds': HOUR}})
        result = dr_run(fakecloud, wait=False, max_snapshot_age_hours=24, **options)
    finally:
        fakecloud.admin.faults({})
        fakecloud.admin.configure(timings=FAST)
    folder = tmp_path_factory.mktemp('failing-reports')
    return folder, written(result, folder, 'ecs-failing')


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
    assert {row['standing'] for row in page.rows} == {'planned'}
    assert all(row['bar'] is None and row['marks'][0]['standing'] == 'planned' for row in page.rows)
    planned = [copy for disk in report['disks'] for copy in disk['copies']]
    assert len(planned) == 2 and all(copy['lock']['action'] == 'would_lock' for copy in planned)
    assert [cell['text'] for (row, key), cell in page.cells.items() if key == 'action'] == ['would be locked'] * 2
