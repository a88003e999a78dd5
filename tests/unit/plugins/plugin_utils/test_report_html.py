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
    assert '<a href="dr-report-a-prod.html">' in page
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
    assert bars['old'][0] / bars['young'][0] == pytest.approx(70.0 / 2.0, rel=0.01)
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
    at risk and not known."""
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
    fleet = fleet_report(
        [
            scope_record('a-risk', data),
            scope_record('b-failed', data, failures=data['failures'], failure_count=1),
            scope_record('c-good', report([disk('vol-9', None, copy_record('us-west-2', 'within_rpo', 1.0))])),
            scope_record('d-plan', plan),
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
