"""The DR posture page as HTML (plugin_utils/_report_html.py), before any browser: self-contained, escaped, worst rows
first. tests/docs/test_posture_page.py opens it in Chromium and holds what it shows to the JSON."""

from __future__ import annotations

import copy
import dataclasses
import html
import html.parser
import importlib
import re

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.model import FAILED, PENDING, Snapshot
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.coverage import UncoveredDisk
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report
from ansible_collections.snapcopy.cloud.plugins.module_utils.engine.outcomes import DestinationOutcome
from ansible_collections.snapcopy.cloud.plugins.plugin_utils import _plain_words, _report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html


def copy_record(region, standing, hours, snapshot_id='snap-1'):
    return {
        'region': region,
        'snapshot_id': snapshot_id,
        'state': 'completed',
        'action': 'existing',
        'standing': standing,
        'recovery_point_age_hours': hours,
        'completed': hours is not None,
    }


def disk(disk_id, name, *copies):
    return {'disk_id': disk_id, 'disk_name': name, 'copies': list(copies), 'missing_regions': [], 'problems': []}


def report(disks, rpo=24):
    regions = ['us-west-2', 'eu-west-1']
    data = {
        'provider': 'aws',
        'source_region': 'us-east-1',
        'dr_regions': regions,
        'account': None,
        'check_mode': False,
        'generated_at': '2026-11-23T10:00:00Z',
        'duration_seconds': 3.1,
        'failures': [],
        'restore': None,
        'totals': {
            'disks': len(disks),
            'copied': 0,
            'existing': 2,
            'would_copy': 0,
            'not_copied': 0,
            'fresh_snapshots': 0,
            'pruned': 0,
            'kept': 0,
            'without_dr_copy': 0,
        },
        'posture': {'rpo_hours': rpo},
        'disks': disks,
    }
    # The posture is the model's, as dr_sync's report carries it.
    data['posture'] = of_report(data).posture()
    return data


DISKS = [
    disk(
        'vol-1',
        'web <script>alert(1)</script>',
        copy_record('us-west-2', 'within_rpo', 2.0),
        copy_record('eu-west-1', 'over_rpo', 30.0),
    ),
    disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
]


def test_the_page_loads_nothing_and_runs_no_script():
    page = dr_report_html(report(copy.deepcopy(DISKS)))
    assert page.startswith('<!DOCTYPE html>') and "default-src 'none'" in page
    assert '<script' not in page.lower() and not re.search(r'\b(src|href)=', page)
    # The only address is SVG's namespace, which is a name, not a load.
    assert re.findall(r'https?://[^"\s<]+', page) == ['http://www.w3.org/2000/svg']
    assert 'web &lt;script&gt;alert(1)&lt;/script&gt;' in page


def test_the_chart_shows_the_worst_first_and_every_disk_without_a_copy():
    page = dr_report_html(report(copy.deepcopy(DISKS)))
    bars = re.findall(
        r'<g class="row" data-disk="([^"]+)" data-region="([^"]+)" data-standing="([^"]+)" data-hours="([^"]*)">', page
    )
    assert bars == [
        ('vol-2', 'eu-west-1', 'no_copy', ''),
        ('vol-1', 'eu-west-1', 'over_rpo', '30.0'),
        ('vol-2', 'us-west-2', 'in_flight', ''),
        ('vol-1', 'us-west-2', 'within_rpo', '2.0'),
    ]
    assert 'RPO 24 h' in page


def test_a_long_chart_leaves_out_only_disks_within_the_rpo(monkeypatch):
    monkeypatch.setattr(_report_html, 'MAX_CHART_ROWS', 3)
    disks = [
        disk(
            'vol-%d' % index,
            None,
            copy_record('us-west-2', 'within_rpo', 1.0),
            copy_record('eu-west-1', 'within_rpo', 1.0),
        )
        for index in range(4)
    ] + [disk('vol-late', None, copy_record('us-west-2', 'over_rpo', 40.0))]
    page = dr_report_html(report(disks))
    standings = re.findall(r'data-standing="([a-z_]+)" data-hours', page)
    assert standings == ['no_copy', 'over_rpo', 'within_rpo']
    assert '7 more disks and DR regions within the RPO' in page


def test_the_fleet_page_has_every_scope_failed_first_and_links_each_scopes_page():
    good = report(copy.deepcopy(DISKS))
    scopes = [
        {
            'scope': 'a-prod',
            'provider': 'aws',
            'source_region': 'us-east-1',
            'dr_regions': good['dr_regions'],
            'totals': good['totals'],
            'posture': good['posture'],
            'protection': of_report(good).as_data(),
            'report_files': {'html': '/home/awx/dr-reports/dr-report-a-prod.html'},
        },
        {'scope': 'b-prod', 'provider': 'cbs', 'error': 'AuthFailure: the <key> is wrong', 'totals': {}},
    ]
    page = fleet_report_html(fleet_report(scopes, '2026-11-23T10:00:00Z'))
    assert page.index('id="failures"') < page.index('id="scopes"')
    assert 'AuthFailure: the &lt;key&gt; is wrong' in page
    assert re.findall(r'<tr data-scope="([^"]+)">', page) == ['b-prod', 'a-prod']
    # The scope's name is the link to its page: no column of links to cut off (issue 62).
    assert '<a class="scope-name" href="dr-report-a-prod.html">a-prod</a>' in page
    assert re.findall(
        r'<g class="region" data-region="([^"]+)" data-hours="([^"]*)" data-standing="([^"]+)">', page
    ) == [('eu-west-1', '30.0', 'no_copy'), ('us-west-2', '2.0', 'in_flight')]
    # The scope without a report has no bar; the other a bar per DR region with a completed copy.
    failed, good = page.split('<tr data-scope="a-prod">')
    assert 'class="age"' not in failed.split('id="scopes"')[1] and good.count('class="age"') == 2


# ---------------------------------------------------------------------------------------------- issue 47: at a glance
def scope_record(name, data, **facts):
    """A scope of the fleet as dr_fleet.yml gathers it from the scope's report."""
    return dict(
        {
            'scope': name,
            'provider': data['provider'],
            'source_region': data['source_region'],
            'dr_regions': data['dr_regions'],
            'totals': data['totals'],
            'posture': data['posture'],
            'protection': of_report(data).as_data(),
            'report_files': {'html': '/r/dr-report-%s.html' % name},
        },
        **facts,
    )


def svg_attributes(element, page):
    """The attributes of each ``element`` (a tag, and a class: 'line class="rpo"') in ``page``, as dicts."""
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', found)) for found in re.findall(r'<%s([ />][^>]*)>' % element, page)]


def scope_cells(page):
    """{scope: its chart's SVG} of a fleet page."""
    return dict(re.findall(r'<tr data-scope="([^"]+)">.*?(<svg.*?</svg>|<span>-</span>)', page, re.S))


def test_the_fleet_draws_every_scope_on_one_scale_and_an_rpo_at_one_x():
    """Before, each scope had its own scale: the RPO mark moved from row to row, and a 70-hour bar of one scope was as
    long as a 30-hour bar of another."""
    young = report([disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0))])
    old = report([disk('vol-2', None, copy_record('us-west-2', 'over_rpo', 70.0))])
    other_rpo = report([disk('vol-3', None, copy_record('us-west-2', 'within_rpo', 5.0))], rpo=12)
    fleet = fleet_report(
        [scope_record('young', young), scope_record('old', old), scope_record('other', other_rpo)],
        '2026-11-23T10:00:00Z',
    )
    cells = scope_cells(fleet_report_html(fleet))
    rpo_x = {name: {line['x1'] for line in svg_attributes('line class="rpo"', cell)} for name, cell in cells.items()}
    assert rpo_x['young'] == rpo_x['old'] and len(rpo_x['young']) == 1 and rpo_x['other'] != rpo_x['young']
    bars = {
        name: [float(rect['width']) for rect in svg_attributes('rect class="age"', cell)]
        for name, cell in cells.items()
    }
    # Lengths in proportion to the ages across scopes, and the axis printed, the same in every cell.
    assert bars['old'][0] / bars['young'][0] == pytest.approx(70.0 / 2.0, rel=0.02)  # widths to 0.1 px
    assert bars['other'][0] / bars['young'][0] == pytest.approx(5.0 / 2.0, rel=0.01)
    axes = {
        re.search(r'<text class="tick-label"[^>]*text-anchor="end">([^<]+)<', cell).group(1) for cell in cells.values()
    }
    assert axes == {'72 h'}
    # Every bar ends inside the axis.
    for cell in cells.values():
        (left,) = {float(tick['x1']) for tick in svg_attributes('line class="tick"', cell)} - {
            max(float(tick['x1']) for tick in svg_attributes('line class="tick"', cell))
        }
        right = max(float(tick['x1']) for tick in svg_attributes('line class="tick"', cell))
        for rect in svg_attributes('rect class="age"', cell):
            assert float(rect['x']) == left and float(rect['x']) + float(rect['width']) <= right


def test_a_scope_page_draws_a_bar_only_for_a_completed_copy_and_a_mark_left_of_the_hours_for_the_rest():
    """Before, "no copy", "in flight" and "planned" were full-width bars across the RPO line, read as older than it."""
    disks = [
        disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0), copy_record('eu-west-1', 'over_rpo', 30.0)),
        disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
        disk(
            'vol-3', None, copy_record('us-west-2', 'over_rpo', None), dict(copy_record('eu-west-1', 'planned', None))
        ),
    ]
    page = dr_report_html(report(disks, rpo=1))
    rows = re.findall(r'<g class="row"([^>]*)>(.*?)</g>\n', page, re.S)
    assert len(rows) == 6
    (rpo,) = svg_attributes('line class="rpo"', page)
    left = min(float(tick['x1']) for tick in svg_attributes('line class="tick"', page))
    # With an RPO of one hour, the RPO line is just right of 0 h: no mark may reach it.
    assert left < float(rpo['x1']) < left + 20
    for attributes, body in rows:
        standing = re.search(r'data-standing="([^"]+)"', attributes).group(1)
        hours_attribute = re.search(r'data-hours="([^"]*)"', attributes).group(1)
        if standing in ('within_rpo', 'over_rpo') and hours_attribute:
            assert 'class="age"' in body and 'class="mark"' not in body, body
        else:
            assert 'class="age"' not in body and '<rect' in body, body
            (mark,) = svg_attributes('g class="mark"', body)
            (badge,) = svg_attributes('rect', body)
            assert float(badge['x']) + float(badge['width']) < left < float(rpo['x1'])
            expected = 'age_not_known' if standing == 'over_rpo' else standing
            assert mark['data-standing'] == expected
            word = _report_html.STANDING_WORDS[standing if standing != 'over_rpo' else 'age_not_known']
            assert word in re.sub(r'<[^>]+>', '', body)


class Style:
    """The page's style sheet as rules, and a mini cascade over it: enough for the selectors the pages use (a tag,
    classes, an id, a descendant), later rules winning."""

    def __init__(self, text):
        self.rules = []
        for selectors, body in re.findall(r'([^{}]+)\{([^{}]*)\}', text):
            declarations = {
                name.strip(): value.strip()
                for name, value in (part.split(':', 1) for part in body.split(';') if ':' in part)
            }
            for selector in selectors.split(','):
                self.rules.append(([self._compound(part) for part in selector.split()], declarations))

    @staticmethod
    def _compound(text):
        tag = re.match(r'[a-z0-9]*', text).group(0)
        return tag, set(re.findall(r'\.([\w-]+)', text)), set(re.findall(r'#([\w-]+)', text))

    @staticmethod
    def _matches(compound, element):
        tag, classes, ids = compound
        return (not tag or tag == element['tag']) and classes <= element['classes'] and ids <= element['ids']

    def declared(self, stack, name):
        """The value of property ``name`` the rules give the last element of ``stack`` (None if none)."""
        value = None
        for compounds, declarations in self.rules:
            if name not in declarations or not self._matches(compounds[-1], stack[-1]):
                continue
            ancestors = iter(reversed(stack[:-1]))
            if all(
                any(self._matches(compound, element) for element in ancestors) for compound in reversed(compounds[:-1])
            ):
                value = declarations[name]
        return value


def colour(value):
    found = re.search(r'#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b', value or '')
    if not found:
        return None
    digits = found.group(1).lower()
    return '#' + (''.join(digit * 2 for digit in digits) if len(digits) == 3 else digits)


def contrast(first, second):
    """WCAG 2's contrast ratio of two sRGB colours (#rrggbb): (L1 + 0.05) / (L2 + 0.05) of their relative luminance."""

    def luminance(value):
        channels = [int(value[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class TextColours(html.parser.HTMLParser):
    """Each piece of text a page shows, with the colour it is drawn in and the colour behind it: CSS color and
    background (inline or the style sheet's, inherited; a link's is the browser's blue) in HTML; in SVG, fill (default
    black) on the fill of a rect it stands on, else on the HTML behind the SVG."""

    VOID = {'meta', 'br', 'hr', 'img', 'input', 'link'}

    def __init__(self, style):
        super().__init__()
        self.style = style
        self.stack = [
            {'tag': '', 'classes': set(), 'ids': set(), 'colour': '#000000', 'background': '#ffffff', 'rects': []}
        ]
        self.pairs = {}  # (text colour, background) -> a text shown so

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent = self.stack[-1]
        element = {
            'tag': tag,
            'classes': set((attrs.get('class') or '').split()),
            'ids': {attrs['id']} if attrs.get('id') else set(),
            'svg': parent.get('svg') or tag == 'svg',
            'rects': [],
            'x': attrs.get('x'),
            'y': attrs.get('y'),
        }
        stack = [*self.stack, element]
        inline = {
            name.strip(): value.strip()
            for name, value in (part.split(':', 1) for part in (attrs.get('style') or '').split(';') if ':' in part)
        }
        if element['svg'] and tag != 'svg':
            element['colour'] = colour(attrs.get('fill')) or parent['colour']
            element['background'] = parent['background']
            if tag == 'text':
                x, y = float(attrs['x']), float(attrs['y'])
                for rect in [rect for item in self.stack for rect in item['rects']]:
                    if rect['x'] <= x <= rect['x'] + rect['width'] and rect['y'] <= y <= rect['y'] + rect['height']:
                        element['background'] = rect['fill']
        else:
            declared = inline.get('color') or self.style.declared(stack, 'color') or ('#0000ee' if tag == 'a' else None)
            element['colour'] = colour(declared) or parent['colour']
            background = inline.get('background') or self.style.declared(stack, 'background')
            element['background'] = colour(background) or parent['background']
            if tag == 'svg':
                element['colour'] = colour(attrs.get('fill')) or '#000000'  # SVG text is drawn in fill, not color
        if tag == 'rect':
            parent['rects'].append(
                {
                    'x': float(attrs['x']),
                    'y': float(attrs['y']),
                    'width': float(attrs['width']),
                    'height': float(attrs['height']),
                    'fill': colour(attrs['fill']),
                }
            )
            return
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and tag != 'rect':
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while len(self.stack) > 1 and self.stack.pop()['tag'] != tag:
            pass

    def handle_data(self, data):
        if data.strip() and not any(element['tag'] in ('style', 'title') for element in self.stack):
            element = self.stack[-1]
            self.pairs.setdefault((element['colour'], element['background']), data.strip())


def text_colours(page):
    style = Style(re.search(r'<style>(.*?)</style>', page, re.S).group(1))
    parser = TextColours(style)
    parser.feed(page)
    return parser.pairs


def every_kind_of_page():
    """A scope page with every standing, failures, a stale and limited account, locks (one failed) and a drill (one
    failed); its plan (check mode); and a fleet page with a failed scope, one without a report and ones that are protected,
    at risk, not known, would be protected (a plan) and have nothing to protect."""
    locked = {
        'action': 'locked',
        'in_force': True,
        'mode': 'compliance',
        'status': 'compliance-cooloff',
        'cool_off_ends': None,
    }
    disks = [
        disk(
            'vol-1',
            'web',
            dict(copy_record('us-west-2', 'within_rpo', 2.0), lock=dict(locked, expires='2026-12-01T00:00:00Z')),
            dict(
                copy_record('eu-west-1', 'over_rpo', 30.0),
                lock=dict(locked, action='lock_failed', in_force=False, expires=None),
            ),
        ),
        disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
        disk('vol-3', None, copy_record('us-west-2', 'over_rpo', None)),
    ]
    data = report(disks)
    data['failures'] = ['disk vol-2: eu-west-1: the copy snap-2 is in state failed: the cloud says no']
    data['restore'] = {
        'totals': {'passed': 1, 'failed': 1, 'timed_out': 0, 'would_test': 0},
        'tests': [
            {'region': 'us-west-2', 'disk_id': 'vol-1', 'copy_id': 'snap-1', 'result': 'passed', 'seconds_to_usable': 9,
             'test_disk_id': 'vol-t1', 'test_disk': {'action': 'deleted'}, 'error': None},
            {'region': 'eu-west-1', 'disk_id': 'vol-1', 'copy_id': 'snap-1', 'result': 'failed', 'seconds_to_usable': None,
             'test_disk_id': 'vol-t2', 'test_disk': {'action': 'delete_failed'}, 'error': {'message': 'no'}},
        ],
    }  # fmt: skip
    protection = of_report(data)
    stale = dict(
        data, protection=dataclasses.replace(protection, stale='run 7 failed', limited_to=('vol-1',)).as_data()
    )
    plan = report([disk('vol-1', None, dict(copy_record('us-west-2', 'planned', None), action='would_copy'))])
    plan['check_mode'] = True
    # Issue 62: a scope of no disk that allow_no_disks expects: nothing to protect, a neutral mark.
    empty = report([])
    empty['protection'] = dataclasses.replace(of_report(empty), allow_no_disks=True).as_data()
    fleet = fleet_report(
        [
            scope_record('a-risk', data),
            scope_record('b-failed', data, failures=data['failures'], failure_count=1),
            scope_record('c-good', report([disk('vol-9', None, copy_record('us-west-2', 'within_rpo', 1.0))])),
            scope_record('d-plan', plan),
            scope_record('f-empty', empty),
            {'scope': 'e-none', 'provider': 'cbs', 'error': 'AuthFailure: the key is wrong', 'totals': {}},
        ],
        '2026-11-23T10:00:00Z',
    )
    return {
        'scope': dr_report_html(data),
        'stale': dr_report_html(stale),
        'plan': dr_report_html(plan),
        'fleet': fleet_report_html(fleet),
    }


def test_the_contrast_ratio_is_wcags():
    assert contrast('#ffffff', '#000000') == pytest.approx(21.0)
    assert contrast('#777777', '#ffffff') == pytest.approx(4.48, abs=0.01)
    # The old page's words on its amber and dark red bars.
    assert contrast('#ffffff', '#f9a825') < 2


def test_every_text_on_the_pages_passes_wcag_aa():
    """Before, the chart wrote white on amber (1.97:1). Every text on every page, with what is behind it, at least 4.5:1."""
    seen = {}
    for name, page in every_kind_of_page().items():
        for (text_colour, background), text in text_colours(page).items():
            seen[(text_colour, background)] = (name, text)
    failing = {pair: where for pair, where in seen.items() if contrast(*pair) < 4.5}
    assert not failing, failing
    # The checker saw the marks' words on their fills in the charts (not only in the legends), the failures box, the
    # stale box, the statuses and links.
    in_charts = set()
    for page in every_kind_of_page().values():
        in_charts.update(text_colours(re.sub(r'<p class="legend">.*?</p>', '', page, flags=re.S)))
    for kind, (dummy, fill, text_colour) in _report_html.MARKS.items():
        assert (text_colour, fill) in in_charts, kind
    assert ('#1b1b1b', '#fdecea') in seen and ('#1b1b1b', '#eeeeee') in seen
    assert {('#2e7d32', '#ffffff'), ('#b71c1c', '#ffffff'), ('#424242', '#ffffff'), ('#0000ee', '#ffffff')} <= set(seen)


def test_the_contrast_check_catches_white_on_amber():
    """The check itself: the old chart's words on an in-flight bar are found, and fail."""
    page = every_kind_of_page()['scope'].replace(
        '</svg>',
        '<rect x="0" y="0" width="90" height="20" fill="#f9a825"/><text x="5" y="14" fill="#fff">x</text></svg>',
    )
    assert contrast(*next(pair for pair in text_colours(page) if pair[1] == '#f9a825')) < 4.5


def visible_text(page):
    """What a person reads: the text of the page and its title, no tag, attribute or style."""
    body = re.sub(r'<style>.*?</style>', ' ', page, flags=re.S)
    return html.unescape(re.sub(r'<[^>]+>', ' ', body))


# The machine's words and each cloud's own names of snapshot states that are not plain words.
RAW = (
    'would_copy',
    'not_copied',
    'failed_before_report',
    'within_rpo',
    'over_rpo',
    'in_flight',
    'no_copy',
    'run_failed',
    'timed_out',
    'would_test',
    'delete_failed',
    'lock_failed',
    'accomplished',
    'progressing',
    'NORMAL',
    'COPYING_FROM_REMOTE',
    'CHECKING_COPIED',
    'compliance-cooloff',
)


def engine_failures():
    """The engine's own sentences of a copy the cloud failed and one in flight at the timeout, in each cloud's words."""
    failed = [('ecs', 'failed'), ('ebs', 'error'), ('ens', 'error')]
    in_flight = [('ecs', 'progressing'), ('cbs', 'COPYING_FROM_REMOTE'), ('cbs', 'CHECKING_COPIED'), ('ebs', 'pending')]
    sentences = [
        DestinationOutcome(
            destination='eu-west-1',
            action='existing',
            snapshot=Snapshot(id='snap-%s' % cloud, region='eu-west-1', state=FAILED, cloud_state=state, message='why'),
        ).failure()
        for cloud, state in failed
    ]
    sentences += [
        DestinationOutcome(
            destination='eu-west-1',
            action='copied',
            snapshot=Snapshot(id='snap-%s' % cloud, region='eu-west-1', state=PENDING, cloud_state=state, progress=40),
            timed_out=True,
        ).failure()
        for cloud, state in in_flight
    ]
    return sentences


def test_no_raw_word_of_the_machine_or_a_cloud_reaches_a_person():
    """Before, the pages printed would_copy, failed_before_report, a lock's and a drill's raw words, and each cloud's
    state names (the engine's failure sentences: "is still progressing (40%)")."""
    sentences = engine_failures()
    assert any('progressing' in sentence for sentence in sentences) and any('is in state' in s for s in sentences)
    lock = {
        'action': 'would_lock',
        'in_force': False,
        'mode': 'compliance',
        'status': 'compliance-cooloff',
        'expires': None,
        'cool_off_ends': None,
    }
    planned = dict(copy_record('us-west-2', 'planned', None, 'snap-new'), action='would_copy', state=None, lock=lock)
    cloud_states = [
        dict(copy_record('eu-west-1', 'within_rpo', 2.0, 'snap-%d' % index), state=state)
        for index, state in enumerate(('accomplished', 'NORMAL'))
    ]
    data = report(
        [
            disk('vol-1', None, planned, cloud_states[0]),
            disk(
                'vol-2', None, dict(copy_record('us-west-2', 'no_copy', None), action='not_copied', state='progressing')
            ),
            disk('vol-3', None, cloud_states[1]),
        ]
    )
    data['failures'] = [*sentences, 'run_state failed_before_report: not_copied, would_copy']
    data['restore'] = {
        'totals': {'passed': 0, 'failed': 0, 'timed_out': 1, 'would_test': 1},
        'tests': [
            {'region': 'us-west-2', 'disk_id': 'vol-1', 'copy_id': 'snap-1', 'result': 'timed_out',
             'seconds_to_usable': None, 'test_disk_id': 'vol-t', 'test_disk': {'action': 'delete_failed'},
             'error': {'message': 'the disk is still CREATING'}},
            {'region': 'eu-west-1', 'disk_id': 'vol-1', 'copy_id': 'snap-1', 'result': 'would_test',
             'seconds_to_usable': None, 'test_disk_id': None, 'test_disk': None, 'error': None},
        ],
    }  # fmt: skip
    fleet = fleet_report(
        [
            scope_record('a', data, failures=sentences, failure_count=len(sentences)),
            {'scope': 'b', 'provider': 'ecs', 'error': 'dr_sync: run_state failed_before_report', 'totals': {}},
        ],
        '2026-11-23T10:00:00Z',
    )
    for page in (dr_report_html(data), fleet_report_html(fleet)):
        text = visible_text(page)
        assert not [word for word in (*RAW, 'CREATING') if re.search(r'\b%s\b' % word, text)], text
        # What they say instead.
        assert 'is still being made (40%) at the timeout' in text and 'failed: why' in text
    text = visible_text(dr_report_html(data))
    assert 'timed out' in text and 'planned (check mode)' in text and 'delete failed' in text


def test_the_pages_know_every_clouds_state_names():
    """Each adapter's snapshot states: a plain English word, or in CLOUD_STATE_WORDS."""
    plain_words = {'pending', 'completed', 'error', 'failed', 'available', 'creating', 'deleting'}
    maps = [
        importlib.import_module('ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.%s' % name).STATE_MAP
        for name in ('aws.ebs', 'alibaba.ecs', 'alibaba.ens', 'tencent.cbs')
    ]
    states = {state for states in maps for state in states if state}
    assert len(states) > 10
    assert not states - plain_words - set(_plain_words.CLOUD_STATE_WORDS)


def test_failed_scopes_list_each_problem_once_whatever_the_error_repeats():
    """The role's error lists the problems, dr_posture_info's lists the first five, and a run may report one twice: the
    failures box says each problem once."""
    data = report(copy.deepcopy(DISKS))
    problems = ['disk vol-%d: the copy into eu-west-1 failed' % index for index in range(7)]
    posture_message = 'DR posture of aws us-east-1: 7 problems: ' + '; '.join(problems[:5])
    fleet = fleet_report(
        [
            scope_record('a', data, failures=problems + problems[:1], failure_count=8, error=posture_message),
            scope_record(
                'b', data, failures=problems[:2], failure_count=2, error='2 problem(s): ' + '; '.join(problems[:2])
            ),
        ],
        '2026-11-23T10:00:00Z',
    )
    page = fleet_report_html(fleet)
    box = visible_text(re.search(r'<section id="failures".*?</section>', page, re.S).group(0))
    # Each once under each scope that has it; the error that repeats them is not said, their number is.
    assert [box.count(problem) for problem in problems] == [2, 2, 1, 1, 1, 1, 1], box
    assert 'DR posture of' not in box and 'a : 7 problems' in box and 'b : 2 problems' in box


# ---------------------------------------------------------------------------------------------- the chart's scale and limits
def top_hours(page):
    """The hours printed at the right end of the (first) chart's axis."""
    return re.search(r'<text class="tick-label"[^>]*text-anchor="end">([^<]+)</text>', page).group(1)


def one_age(hours, rpo=None):
    return dr_report_html(report([disk('vol-1', None, copy_record('us-west-2', 'within_rpo', hours))], rpo=rpo))


# The round numbers of hours an axis ends on (docs/posture.md: "a round number of hours past every age and the RPO"):
# hours, then a quarter, half, three quarters of a day, then days, up to 30 days; past that, a multiple of 30 days.
ROUND_HOURS = (1, 2, 3, 4, 6, 8, 12, 18, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720)


def test_the_axis_ends_on_the_first_round_number_of_hours_at_or_past_every_age():
    assert top_hours(one_age(0.2)) == '1 h'  # never less than an hour
    for below, top in zip((0, *ROUND_HOURS), ROUND_HOURS):
        # An age on a round number ends the axis there; a little more, at the next.
        assert (top_hours(one_age(top)), top_hours(one_age(below + 0.01))) == ('%d h' % top, '%d h' % top)
    assert [top_hours(one_age(hours)) for hours in (720.5, 1440, 1500)] == ['1440 h', '1440 h', '2160 h']


def test_the_axis_ends_a_tenth_or_more_past_the_rpo_so_its_line_is_never_on_the_end():
    assert top_hours(one_age(2.0, rpo=24)) == '36 h'  # 26.4 h needed
    assert top_hours(one_age(2.0, rpo=20)) == '24 h'  # 22 h needed
    assert top_hours(one_age(30.0, rpo=20)) == '36 h'  # the age, past the RPO's tenth


def test_hours_are_printed_to_a_tenth():
    page = one_age(2.26)
    assert re.search(r'<text class="value"[^>]*>2.3 h</text>', page)


def chart_geometry(page):
    """The scope chart as numbers: the svg's box, the axis (0 h x, top x, its line's y), and per row its texts' (x, y),
    its bar's x, width and y (None without one), and the RPO line and label."""
    svg = re.search(r'<svg[^>]*>.*?</svg>', page, re.S).group(0)
    box = svg_attributes('svg', svg)[0]
    axis, *dummy = svg_attributes('line', svg)
    rows = []
    for body in re.findall(r'<g class="row"[^>]*>(.*?)</g>\n(?=<g class="row"|<line class="rpo"|</svg>)', svg, re.S):
        texts = [(float(text['x']), float(text['y'])) for text in svg_attributes('text', body)]
        bars = svg_attributes('rect class="age"', body)
        # 'badge': every rect of the row, its bar's or its mark's.
        rows.append({'texts': texts, 'bar': bars[0] if bars else None, 'badge': svg_attributes('rect', body)})
    rpo = svg_attributes('line class="rpo"', svg)
    label = svg_attributes('text class="rpo-label"', svg)
    return {
        'width': float(box['width']),
        'height': float(box['height']),
        'left': float(axis['x1']),
        'right': float(axis['x2']),
        'axis_y': float(axis['y1']),
        'rows': rows,
        'rpo': rpo[0] if rpo else None,
        'rpo_label': label[0] if label else None,
        'top': float(box['data-top-hours']),
    }


def test_a_bar_is_as_long_as_its_age_on_the_printed_axis_and_the_rpo_line_at_its_hours():
    disks = [
        disk('vol-1', 'db', copy_record('us-west-2', 'within_rpo', 6.0), copy_record('eu-west-1', 'over_rpo', 30.0)),
        disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
        disk('vol-3', None, copy_record('us-west-2', 'within_rpo', 0.01)),
    ]
    chart = chart_geometry(dr_report_html(report(disks, rpo=24)))
    span = chart['right'] - chart['left']
    assert chart['top'] == 36 and span > 0
    bars = [row['bar'] for row in chart['rows'] if row['bar']]
    widths = sorted(float(drawn['width']) for drawn in bars)
    assert all(float(drawn['x']) == chart['left'] for drawn in bars)
    # 30 h and 6 h on a 36-hour axis; minutes old is a sliver, never nothing, and no more than one.
    assert widths[1:] == [pytest.approx(span * 6 / 36), pytest.approx(span * 30 / 36)] and 0 < widths[0] <= 2
    assert float(chart['rpo']['x1']) == pytest.approx(chart['left'] + span * 24 / 36) == float(chart['rpo']['x2'])
    assert float(chart['rpo_label']['x']) == float(chart['rpo']['x1'])


def test_the_chart_is_drawn_inside_its_box_rows_apart_and_each_row_on_one_line():
    """What a person sees: the axis and its hours above the first row, the RPO's words between them, the RPO line from
    there past the last row; each row's label, value and bar on its own band, the next row below it; nothing cut off."""
    disks = [
        disk('vol-1', 'db', copy_record('us-west-2', 'within_rpo', 6.0), copy_record('eu-west-1', 'over_rpo', 70.0)),
        disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
    ]
    page = dr_report_html(report(disks, rpo=24))
    chart = chart_geometry(page)
    first_row = min(float(badge['y']) for row in chart['rows'] for badge in row['badge'])
    last_row = max(float(badge['y']) + float(badge['height']) for row in chart['rows'] for badge in row['badge'])
    tick_labels = [float(text['y']) for text in svg_attributes('text class="tick-label"', page)]
    assert all(0 < y < chart['axis_y'] for y in tick_labels)
    assert chart['axis_y'] < float(chart['rpo_label']['y']) < first_row
    assert float(chart['rpo']['y1']) < first_row and last_row <= float(chart['rpo']['y2']) <= chart['height']
    previous_bottom = chart['axis_y']
    for row in chart['rows']:
        label, *others = row['texts']
        (shape,) = row['badge']  # its bar, or its mark's badge
        top, bottom = float(shape['y']), float(shape['y']) + float(shape['height'])
        assert previous_bottom < top < label[1] <= bottom
        previous_bottom = bottom
        if row['bar'] is not None:
            (value,) = others
            # The value on the label's line, just right of its bar, inside the box.
            assert value[1] == label[1]
            assert float(row['bar']['x']) + float(row['bar']['width']) < value[0] < chart['width'] - 30
    assert previous_bottom < chart['height']


def test_a_long_disk_name_is_cut_in_the_charts_label():
    name = 'n' * 80
    page = dr_report_html(report([disk('vol-1', name, copy_record('us-west-2', 'within_rpo', 2.0))]))
    labels = re.findall(r'<text x="\d+" y="\d+" text-anchor="end">([^<]*)</text>', page)
    # The label's first 52 characters, then its DR region.
    assert 'vol-1 (%s  us-west-2' % name[: 52 - len('vol-1 (')] in labels


def test_a_long_chart_shows_400_rows_and_every_one_not_within_the_rpo():
    within = copy_record('us-west-2', 'within_rpo', 1.0), copy_record('eu-west-1', 'within_rpo', 1.0)
    page = dr_report_html(report([disk('vol-%03d' % n, None, *within) for n in range(201)]))
    assert page.count('<g class="row"') == 400 and '2 more disks and DR regions within the RPO' in page
    page = dr_report_html(report([disk('vol-%03d' % n, None, *within) for n in range(200)]))
    assert page.count('<g class="row"') == 400 and 'more disks and DR regions' not in page
    # More than 400 without a copy: all of them, and none within the RPO.
    page = dr_report_html(report([disk('vol-%03d' % n, None) for n in range(201)] + [disk('vol-ok', None, *within)]))
    assert (
        page.count('data-standing="no_copy" data-hours') == 402 and 'data-standing="within_rpo" data-hours' not in page
    )
    assert '2 more disks and DR regions within the RPO' in page


def with_uncovered(data, *disks):
    data['protection'] = dataclasses.replace(of_report(data), uncovered=tuple(disks)).as_data()
    return data


def test_the_disks_not_covered_are_listed_near_misses_first_up_to_200():
    page = dr_report_html(
        with_uncovered(report([]), UncoveredDisk('vol-u1'), UncoveredDisk('vol-u2', 'db2', ('Backup=DR',)))
    )
    assert re.findall(r'<tr data-disk="([^"]+)">', page) == ['vol-u2', 'vol-u1']
    assert '<td data-key="near_miss" class="bad">Backup=DR</td>' in page
    many = [UncoveredDisk('vol-u%03d' % n) for n in range(201)]
    page = dr_report_html(with_uncovered(report([]), *many))
    assert len(re.findall(r'<tr data-disk=', page)) == 200 and '&hellip; and 1 more, in the JSON report.' in page
    page = dr_report_html(with_uncovered(report([]), *many[:200]))
    assert len(re.findall(r'<tr data-disk=', page)) == 200 and 'more, in the JSON report' not in page


def test_a_lock_says_whether_it_holds_and_until_when_its_cool_off_lasts():
    lock = {'action': 'locked', 'in_force': True, 'mode': 'compliance', 'expires': '2026-12-01T00:00:00Z'}
    disks = [
        disk(
            'vol-1',
            None,
            dict(copy_record('us-west-2', 'within_rpo', 2.0), lock=dict(lock, cool_off_ends='2026-11-24T10:00:00Z')),
            dict(
                copy_record('eu-west-1', 'within_rpo', 2.0, 'snap-2'),
                lock=dict(lock, in_force=False, cool_off_ends=None),
            ),
        )
    ]
    page = dr_report_html(report(disks))
    states = dict(re.findall(r'<tr data-lock="([^"]+)">.*?data-key="status">([^<]*)</td>', page, re.S))
    assert states == {'snap-1': 'in force, cool-off until 2026-11-24T10:00:00Z', 'snap-2': 'not in force'}


# The layout the pages' screenshots were taken with (docs/posture.md), pixel for pixel: a change of it is a deliberate one
# (update these and look at build/docsite/screenshots/). How the numbers come about, on the scope page: labels end at
# x 430; badges start at 440, as wide as the widest mark's words (16 characters at 0.62 of 12 px: 120 px, and a font's
# width each side and 2 px: 146); 12 px on, 0 h (598) and 360 px of axis to its top (958, 36 h: a tenth past the 24-hour
# RPO); rows 20 px apart from y 40, bars 14 px high, each label and value on its bar's baseline (2 px above its foot),
# a value 6 px right of its bar; the axis 20 px above the first row, its hours 5 px above it, the RPO's words 8 px above
# the first row and its line from 6 px above it to 4 px above the foot; the box 60 px wider than the axis and 8 px below
# the last row.
SCOPE_CHART = """\
<svg xmlns="http://www.w3.org/2000/svg" width="1018" height="128" role="img" aria-label="recovery point of each DR copy" \
data-top-hours="36">
<g class="axis" fill="#1b1b1b"><line x1="598.0" y1="20" x2="958.0" y2="20" stroke="#767676"/>\
<line class="tick" x1="598.0" y1="20" x2="598.0" y2="124" stroke="#bdbdbd"/>\
<line class="tick" x1="958.0" y1="16" x2="958.0" y2="20" stroke="#767676"/>\
<text class="tick-label" x="598.0" y="15" font-size="12">0 h</text>\
<text class="tick-label" x="958.0" y="15" font-size="12" text-anchor="end">36 h</text></g>
<g class="row" data-disk="vol-2" data-region="eu-west-1" data-standing="no_copy" data-hours="">
<text x="430" y="52" text-anchor="end">vol-2  eu-west-1</text>
<g class="mark" data-standing="no_copy"><rect x="440.0" y="39" width="146" height="16" rx="3" fill="#fde0dc"/>\
<text x="446.0" y="51" font-size="12" fill="#8e0000">\u2715 no copy</text></g>
</g>
<g class="row" data-disk="vol-1" data-region="eu-west-1" data-standing="over_rpo" data-hours="30.0">
<text x="430" y="72" text-anchor="end">vol-1 (db)  eu-west-1</text>
<rect class="age" x="598.0" y="60" width="300.0" height="14" fill="#e53935"/><text class="value" x="904.0" y="72">30 h</text>
</g>
<g class="row" data-disk="vol-2" data-region="us-west-2" data-standing="in_flight" data-hours="">
<text x="430" y="92" text-anchor="end">vol-2  us-west-2</text>
<g class="mark" data-standing="in_flight"><rect x="440.0" y="79" width="146" height="16" rx="3" fill="#ffefc2"/>\
<text x="446.0" y="91" font-size="12" fill="#6b4700">\u25d4 copy in flight</text></g>
</g>
<g class="row" data-disk="vol-1" data-region="us-west-2" data-standing="within_rpo" data-hours="6.0">
<text x="430" y="112" text-anchor="end">vol-1 (db)  us-west-2</text>
<rect class="age" x="598.0" y="100" width="60.0" height="14" fill="#2e7d32"/><text class="value" x="664.0" y="112">6 h</text>
</g>
<line class="rpo" x1="838.0" y1="34" x2="838.0" y2="124" stroke="#000" stroke-dasharray="4 3"/>
<text class="rpo-label" x="838.0" y="32" text-anchor="middle">RPO 24 h</text>
</svg>"""

# The fleet's cells: region names at x 0 in 11 px; marks from x 88, 4 px apart, each as wide as its words and 24 px
# (the widest of the fleet, "1 in flight": 113), 0 h 6 px past the widest (211), 150 px of axis; rows 16 px apart below
# an axis at y 14 (none for a failed scope, whose rows start at 0), bars 11 px high 2 px into their row, the value 4 px
# right of its bar, the RPO line across each row that has a bar to draw; the box 44 px wider than the axis.
FLEET_CELLS = {
    'young': """\
<svg xmlns="http://www.w3.org/2000/svg" width="375" height="52" data-top-hours="36">
<g class="axis" fill="#1b1b1b"><line x1="211.0" y1="14" x2="331.0" y2="14" stroke="#767676"/>\
<line class="tick" x1="211.0" y1="14" x2="211.0" y2="52" stroke="#bdbdbd"/>\
<line class="tick" x1="331.0" y1="10" x2="331.0" y2="14" stroke="#767676"/>\
<text class="tick-label" x="211.0" y="9" font-size="10">0 h</text>\
<text class="tick-label" x="331.0" y="9" font-size="10" text-anchor="end">36 h</text></g>
<g class="region" data-region="eu-west-1" data-hours="" data-standing="in_flight"><text x="0" y="29" font-size="11">eu-west-1</text>
<g class="mark" data-standing="in_flight" data-count="1"><rect x="88.0" y="19" width="113" height="13" rx="3" fill="#ffefc2"/>\
<text x="93.5" y="29" font-size="11" fill="#6b4700">\u25d4 1 in flight</text></g>
</g>
<line class="rpo" x1="291.0" y1="18" x2="291.0" y2="33" stroke="#000" stroke-dasharray="2 2"/>
<g class="region" data-region="us-west-2" data-hours="2.0" data-standing="within_rpo"><text x="0" y="45" font-size="11">us-west-2</text>
<rect class="age" x="211.0" y="36" width="6.7" height="11" fill="#2e7d32"/>\
<text class="value" x="221.7" y="45" font-size="11">2 h</text>
</g>
<line class="rpo" x1="291.0" y1="34" x2="291.0" y2="49" stroke="#000" stroke-dasharray="2 2"/>
</svg>""",
    'failed': """\
<svg xmlns="http://www.w3.org/2000/svg" width="375" height="34" data-top-hours="36">
<g class="region" data-region="eu-west-1" data-hours="" data-standing="run_failed"><text x="0" y="11" font-size="11">eu-west-1</text>
<g class="mark" data-standing="run_failed"><rect x="88.0" y="1" width="106" height="13" rx="3" fill="#e2e2e2"/>\
<text x="93.5" y="11" font-size="11" fill="#333333">? run failed</text></g>
</g>
<g class="region" data-region="us-west-2" data-hours="" data-standing="run_failed"><text x="0" y="27" font-size="11">us-west-2</text>
<g class="mark" data-standing="run_failed"><rect x="88.0" y="17" width="106" height="13" rx="3" fill="#e2e2e2"/>\
<text x="93.5" y="27" font-size="11" fill="#333333">? run failed</text></g>
</g>
</svg>""",
}


def test_the_scope_chart_is_laid_out_as_designed():
    disks = [
        disk('vol-1', 'db', copy_record('us-west-2', 'within_rpo', 6.0), copy_record('eu-west-1', 'over_rpo', 30.0)),
        disk('vol-2', None, copy_record('us-west-2', 'in_flight', None)),
    ]
    page = dr_report_html(report(disks))
    assert re.search(r'<svg.*?</svg>', page, re.S).group(0) == SCOPE_CHART


def test_the_fleet_cells_are_laid_out_as_designed():
    young = report(
        [disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0), copy_record('eu-west-1', 'in_flight', None))]
    )
    old = report([disk('vol-2', None, copy_record('us-west-2', 'over_rpo', 30.0))])
    fleet = fleet_report(
        [scope_record('young', young), scope_record('failed', old, failures=['vol-2: copy failed'], failure_count=1)],
        '2026-11-23T10:00:00Z',
    )
    assert scope_cells(fleet_report_html(fleet)) == FLEET_CELLS


def failures_box(page):
    """{scope: what its item in the fleet's failures box says first}."""
    return dict(re.findall(r'<li data-scope="([^"]+)"><b>[^<]*</b>: ([^\n<]*)', page))


def test_the_failures_box_says_a_scopes_own_error_or_how_many_problems_it_had():
    data = report(copy.deepcopy(DISKS))
    listed = ['disk vol-%d: the copy failed' % index for index in range(20)]
    fleet = fleet_report(
        [
            # The fleet keeps the first 20 of 30: the box says 30, and that 20 follow.
            scope_record('many', data, failures=listed, failure_count=30, error='failed: ' + '; '.join(listed)),
            scope_record('two', data, failures=listed[:2], failure_count=2),
            # An error of its own is said first, whatever the problems.
            scope_record('auth', data, failures=listed[:1], failure_count=1, error='AuthFailure: the key is wrong'),
        ],
        '2026-11-23T10:00:00Z',
    )
    assert failures_box(fleet_report_html(fleet)) == {
        'many': '30 problems (the first 20 below)',
        'two': '2 problems',
        'auth': 'AuthFailure: the key is wrong',
    }


def test_each_number_is_in_a_data_attribute_too_and_a_missing_one_is_empty():
    """tests/docs/test_posture_page.py reads the numbers from the data- attributes: a number as itself, none as ''."""
    disks = [disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0))]
    page = dr_report_html(report(disks))
    hours = dict(
        re.findall(
            r'<tr data-region="([^"]+)">.*?data-key="oldest_recovery_point_hours"\s+data-hours="([^"]*)"', page, re.S
        )
    )
    assert hours == {'us-west-2': '2.0', 'eu-west-1': ''}
    assert '<span id="rpo" data-hours="24">24 h</span>' in page


def test_a_completed_copy_whose_age_is_not_known_is_a_mark_that_says_so():
    disks = [disk('vol-1', None, copy_record('us-west-2', 'over_rpo', None))]
    marks = re.findall(
        r'<g class="mark" data-standing="age_not_known">.*?<text[^>]*>([^<]*)</text>', dr_report_html(report(disks))
    )
    assert marks == ['! older than the RPO: age not known']
    # Without an RPO such a copy is within it: its mark says only that its age is not known.
    disks = [disk('vol-1', None, copy_record('us-west-2', 'within_rpo', None))]
    marks = re.findall(
        r'<g class="mark" data-standing="age_not_known">.*?<text[^>]*>([^<]*)</text>',
        dr_report_html(report(disks, rpo=None)),
    )
    assert marks == ['! age not known']


def test_the_summary_beside_the_status_does_not_say_the_status_again():
    page = dr_report_html(report(copy.deepcopy(DISKS)))
    assert re.search(r'id="status"[^>]*>at risk</span>:\s*<span id="summary">2 disks; ', page)


def zero_hours_x(svg):
    return float(svg_attributes('line class="tick"', svg)[0]['x1'])


def test_without_any_mark_the_bars_start_right_of_the_labels_and_the_fleets_rpos_set_its_scale():
    """A chart with nothing but bars keeps no room for marks: 0 h 12 px past where they would start (440), and on the
    fleet 6 px past them (88). The fleet's scale reaches a tenth past its scopes' RPOs, as a scope page's does."""
    disks = [
        disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0), copy_record('eu-west-1', 'within_rpo', 2.0))
    ]
    data = report(disks)
    assert zero_hours_x(dr_report_html(data)) == 452.0
    cells = scope_cells(fleet_report_html(fleet_report([scope_record('a', data)], '2026-11-23T10:00:00Z')))
    assert zero_hours_x(cells['a']) == 94.0 and top_hours(cells['a']) == '36 h'


def test_a_fleet_region_shows_each_mark_beside_the_last_and_one_where_no_disk_stands():
    data = report([disk('vol-1', None, copy_record('us-west-2', 'in_flight', None))])
    nothing = report([])
    cells = scope_cells(
        fleet_report_html(
            fleet_report([scope_record('a', data), scope_record('empty', nothing)], '2026-11-23T10:00:00Z')
        )
    )
    # eu-west-1 of vol-1: no copy; us-west-2: in flight.
    badges = svg_attributes('rect', cells['a'].split('data-region="us-west-2"')[0])
    (first,) = badges
    assert re.findall(r'<text x="[^"]+" y="[^"]+" font-size="11" fill="[^"]+">([^<]*)</text>', cells['empty']) == [
        '\u2715 no copy (no disk)',
        '\u2715 no copy (no disk)',
    ]
    assert float(first['x']) == 88.0
    two = report(
        [
            disk('vol-1', None, copy_record('us-west-2', 'in_flight', None)),
            disk('vol-2', None, copy_record('us-west-2', 'within_rpo', 2.0)),
            disk('vol-3', None),
        ]
    )
    cell = scope_cells(fleet_report_html(fleet_report([scope_record('b', two)], '2026-11-23T10:00:00Z')))['b']
    no_copy, in_flight = svg_attributes('rect', cell.split('data-region="us-west-2"')[1])[:2]
    assert float(in_flight['x']) == float(no_copy['x']) + float(no_copy['width']) + 4


def test_a_long_region_name_is_cut_to_15_characters_on_the_fleet_page():
    data = report([disk('vol-1', None, copy_record('us-west-2', 'within_rpo', 2.0))])
    data['dr_regions'] = ['us-west-2-local-zone']
    data['disks'][0]['copies'][0]['region'] = 'us-west-2-local-zone'
    data['posture'] = of_report(data).posture()
    cell = scope_cells(fleet_report_html(fleet_report([scope_record('a', data)], '2026-11-23T10:00:00Z')))['a']
    assert '<text x="0" y="29" font-size="11">us-west-2-local</text>' in cell
