"""Issue 62's pages in a browser: no false alarm, no false comfort (points 4 to 8). Real DR runs on the emulator
(dr_sync's module over fakecloud, a drill that holds its disk for the user's checks, then those checks failing as the
role records them), their pages and a fleet page over them opened in headless Chromium at 1280 and 1440 px wide, and
what a person sees there measured:

- a drill whose own checks failed is failed on every surface: no green "passed", "restore tests: 0 passed, 1 failed",
  no time to a disk known good;
- the fleet page lists the disks that no scope covers, near misses first, as many as its headline and its Markdown say;
- an organisation's deliberate exclusions ("excluded: in unit Sandbox", "dr=opt-out") are drawn neutral, not as a
  failure;
- the fleet table fits the window: no column cut off, no scope name broken inside, the DR-account and lock cells on at
  most two lines, one lock end said once.

Layout is read from the page as Chromium laid it out: a copy of the page with a script that writes each measured box into
the DOM (the pages themselves run no script), dumped with --dump-dom. The 1280 px screenshots are kept in
build/docsite/screenshots/issue-62-*.png (docs/screenshots/issue-62/ holds those of the fix and of main before it).
"""

from __future__ import annotations

import copy
import html.parser
import json
import os
import pathlib
import re

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.drill_finish_module import validation_record
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._drill_checks import record_checks
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import fleet_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text
from ansible_collections.snapcopy.cloud.tests.docs.test_docsite import CHROMIUM, SCREENSHOTS, chromium
from ansible_collections.snapcopy.cloud.tests.docs.test_posture_page import FAST, dom_of, dr_run, written
from ansible_collections.snapcopy.cloud.tests.fakecloud import credentials

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason='no Chromium at %s: run `make docs-test`' % CHROMIUM
)

HOUR = 3600
ACCOUNT = credentials.ALIBABA_ACCOUNT_ID
# Scope names as dr_scopes makes them ({provider}-{account}-{region}): long, and never to be broken inside.
SCOPE = 'ecs-%s-cn-hangzhou' % ACCOUNT
BATCH_SCOPE = 'ecs-%s-cn-hangzhou-batch' % ACCOUNT
VAULT_SCOPES = [
    'ecs-%s-%s' % (number * 4, region) for number, region in (('5555', 'cn-shanghai'), ('7777', 'cn-beijing'))
]
# A scope whose copies are still being made and one failed: its region's row carries two marks, the widest a row gets.
MARKED_SCOPE = 'ecs-888888888888-cn-hangzhou'
WIDTHS = (1280, 1440)
# What a check that failed leaves in the role's dr_copy_checks (roles/dr_copy/tasks/drill_checks.yml's rescue).
FAILED_CHECKS = {'passed': False, 'failed_task': 'Check the database', 'reason': 'pg_controldata: bad checksum'}


def disk(name, tags, ages_hours=(2,)):
    return {
        'region': 'cn-hangzhou',
        'name': name,
        'size': 20,
        'tags': tags,
        'snapshots': [{'age_seconds': int(age * HOUR)} for age in ages_hours],
    }


@pytest.fixture(scope='module')
def pages(fakecloud, tmp_path_factory):
    """Two scopes of one region: the first (dr=yes) with a drill whose disk is held for the user's checks, which fail;
    the second (team=batch) a vault (the DR account, locks). Between them one disk is covered by neither and one is a
    near miss. Answers the report folder, each run's files and report (the first after its checks), and the fleet."""
    fakecloud.admin.reset()
    fakecloud.admin.configure(timings=dict(FAST, ecs=dict(FAST['ecs'], attach_seconds=0.3, detach_seconds=0.3)))
    seeded = fakecloud.admin.seed(
        ecs={
            'disks': [
                disk('orders-db', {'dr': 'yes'}),
                disk('orders-web', {'dr': 'yes'}),
                disk('batch-1', {'team': 'batch'}),
                disk('scratch', {'team': 'scratch'}),
                disk('orders-log', {'DR': 'yes'}),  # a near miss of dr=yes
            ],
            'instances': [{'region': 'cn-shanghai', 'zone': 'cn-shanghai-a', 'name': 'drill-host'}],
        }
    )
    host = seeded['ecs']['instances'][0]
    folder = tmp_path_factory.mktemp('issue-62-pages')
    drill = dr_run(
        fakecloud,
        tag_selector={'dr': 'yes'},
        dr_regions=['cn-shanghai'],
        wait=True,
        wait_timeout=300,
        restore_test=True,
        restore_test_timeout=120,
        restore_test_host={'instance_id': host, 'validate_timeout': 300},
    )
    assert not drill['failures'], drill['failures']
    (held,) = drill['restore']['held']
    files, dummy = written(drill, folder, SCOPE)
    # The checks failed; dr_drill_finish then detached and deleted the disk, and its action wrote the checks.
    finish = {
        'run_id': drill['restore']['run_id'],
        'test_disks': [dict(held, action='deleted')],
        'validation': validation_record(dict(FAILED_CHECKS, seconds=7.5)),
        'failures': [],
    }
    assert record_checks(str(folder), SCOPE, finish) == files
    with open(files['json'], encoding='utf-8') as stream:
        checked = json.load(stream)
    vault = dr_run(
        fakecloud,
        tag_selector={'team': 'batch'},
        dr_regions=['cn-shanghai'],
        wait=True,
        wait_timeout=300,
        dr_account={'role_arn': credentials.ALIBABA_DR_ROLE_ARN},
        lock={'mode': 'compliance', 'duration_days': 7, 'cool_off_hours': 1},
    )
    assert not vault['failures'], vault['failures']
    vault_files, vault = written(vault, folder, BATCH_SCOPE)
    scopes = [scope_facts(SCOPE, files, checked), scope_facts(BATCH_SCOPE, vault_files, vault)]
    # Two more vaults of other accounts, with locks that end when the batch scope's do: one date, said once.
    for name in VAULT_SCOPES:
        other = scope_facts(name, vault_files, vault)
        other.update(
            account=name.split('-')[1],
            source_region=name.split('-', 2)[2],
            protection=dict(vault['protection'], uncovered=None),
        )
        scopes.append(other)
    scopes.append(marked_scope(vault_files, vault))
    organization = {
        'organization': 'alibaba',
        'provider': 'ecs',
        'management_account': ACCOUNT,
        'accounts': [
            {'account': ACCOUNT, 'name': 'orders', 'scopes': [SCOPE], 'left_out': None},
            {'account': '3333444455556666', 'name': 'sandbox', 'scopes': [], 'left_out': 'excluded: in unit Sandbox'},
            {
                'account': '4444555566667777',
                'name': 'labs',
                'scopes': [],
                'left_out': 'excluded by its tags (dr=opt-out)',
            },
        ],
    }
    fleet = fleet_report(scopes, '2026-11-23T10:00:00Z', organizations=[organization])
    fleet_path = folder / 'dr-fleet-report.html'
    fleet_path.write_text(fleet_report_html(fleet), encoding='utf-8')
    return {
        'folder': folder,
        'files': files,
        'report': checked,
        'vault': vault,
        'fleet': fleet,
        'fleet_path': fleet_path,
        'fleet_markdown': fleet_report_markdown(fleet),
    }


def marked_scope(files, report):
    """MARKED_SCOPE: ``report``'s scope with two disks in each DR region, one copy in flight and one that failed."""
    facts = scope_facts(MARKED_SCOPE, files, report)
    protection = copy.deepcopy(report['protection'])
    (disk,) = protection['disks']
    unread = {'copy_id': None, 'recovery_point': None, 'recovery_point_age_hours': None, 'locked': None}
    protection['disks'] = [
        dict(
            disk,
            disk_id='d-%s%d' % (standing[:2], number),
            regions=[
                dict(
                    region, standing=standing, in_flight=['s-%d' % number] if standing == 'in_flight' else [], **unread
                )
                for region in disk['regions']
            ],
        )
        for number, standing in enumerate(('in_flight', 'no_copy'))
    ]
    facts.update(account='888888888888', protection=dict(protection, uncovered=None), locks=None, dr_account=None)
    return facts


def scope_facts(name, files, report):
    """What dr_fleet.yml gathers of a scope from its role's result."""
    return {
        'scope': name,
        'provider': 'ecs',
        'account': report.get('account') or ACCOUNT,
        'source_region': report['source_region'],
        'dr_regions': report['dr_regions'],
        'totals': report['totals'],
        'failures': report['failures'],
        'failure_count': len(report['failures']),
        'posture': report['posture'],
        'protection': report['protection'],
        'report_files': files,
        'restore_tests': (report.get('restore') or {}).get('tests') or [],
        'dr_account': (report.get('dr_account') or {}).get('account'),
        'locks': report.get('locks'),
    }


# ------------------------------------------------------------------------------------------------ measuring the layout
MEASURE = """<script>
(function () {
  var facts = {viewport: document.documentElement.clientWidth, scroll_width: document.documentElement.scrollWidth,
               elements: []};
  document.querySelectorAll('[data-measure]').forEach(function (element) {
    // The box of the element, and the height of its text (a cell is as tall as its row; its text is not).
    var box = element.getBoundingClientRect(), style = getComputedStyle(element), range = document.createRange();
    range.selectNodeContents(element);
    var text = range.getBoundingClientRect();
    element.getAttribute('data-measure').split(' ').forEach(function (key) {
      facts.elements.push({key: key, text: element.textContent.trim(),
                           left: box.left, right: box.right, height: text.height,
                           line_height: parseFloat(style.lineHeight) || 1.45 * parseFloat(style.fontSize),
                           color: style.color, font_weight: style.fontWeight, classes: element.className});
    });
  });
  var out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = JSON.stringify(facts);
  document.body.appendChild(out);
})();
</script>"""


def measured(tmp_path, path, width, marks):
    """The page at ``path`` laid out by Chromium ``width`` px wide: its viewport, its scroll width, and the box, line
    height, colour and weight of each element that ``marks`` (a list of (name, CSS selector)) selects. The page runs no
    script and forbids one: a copy of it without its Content-Security-Policy is measured, with a script that marks the
    elements and writes what it measured into the DOM."""
    path = pathlib.Path(path)
    page = path.read_text(encoding='utf-8')
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', '', page)
    marking = ''.join(
        "document.querySelectorAll(%s).forEach(function (e) {"
        " e.setAttribute('data-measure', ((e.getAttribute('data-measure') || '') + ' ' + %s).trim()); });"
        % (json.dumps(selector), json.dumps(name))
        for name, selector in marks
    )
    page = page.replace('</body>', '<script>%s</script>%s</body>' % (marking, MEASURE))
    copy = tmp_path / ('measured-%d-%s' % (width, path.name))
    copy.write_text(page, encoding='utf-8')
    dom = chromium(tmp_path, '--hide-scrollbars', '--window-size=%d,900' % width, '--dump-dom', 'file://%s' % copy)
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    facts = json.loads(html.unescape(found.group(1)))
    facts['by_key'] = {}
    for element in facts['elements']:
        facts['by_key'].setdefault(element['key'], []).append(element)
    return facts


def lines(element):
    """How many lines of text an element's box holds."""
    return round(element['height'] / element['line_height'])


def shoot(tmp_path, path, name, height=1300, fragment=''):
    """A 1280 px screenshot of the page, kept as build/docsite/screenshots/issue-62-``name``.png."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    target = os.path.join(SCREENSHOTS, 'issue-62-%s.png' % name)
    if os.path.exists(target):
        os.remove(target)
    chromium(
        tmp_path,
        '--hide-scrollbars',
        '--window-size=1280,%d' % height,
        '--screenshot=%s' % target,
        'file://%s%s' % (path, fragment),
    )
    assert os.path.getsize(target) > 0
    return target


def drill_only(folder, path):
    """A copy of a scope's page with its header and its drill section only: the drill as a screenshot shows it."""
    page = pathlib.Path(path).read_text(encoding='utf-8')
    head, body = page.split('<body>', 1)
    header = body.split('</header>', 1)[0] + '</header>'
    drill = re.search(r'<section id="drill">.*?</section>', body, re.S).group(0)
    copy = folder / ('drill-of-%s' % os.path.basename(path))
    copy.write_text('%s<body>%s%s</body></html>' % (head, header, drill), encoding='utf-8')
    return copy


def test_screenshots_of_the_scope_page_the_fleet_page_and_the_drill(pages, tmp_path):
    shoot(tmp_path, pages['files']['html'], 'scope', height=1100)
    shoot(tmp_path, pages['fleet_path'], 'fleet', height=1300)
    shoot(tmp_path, drill_only(pages['folder'], pages['files']['html']), 'drill', height=420)


# ------------------------------------------------------------------------------------- point 4: a drill whose checks failed
def test_a_drill_whose_own_checks_failed_is_failed_on_every_surface(pages, tmp_path):
    report = pages['report']
    (test,) = report['restore']['tests']
    assert report['restore']['validation']['state'] == 'failed'
    # The report: the test failed, counted so, and no disk known good.
    assert test['result'] == 'failed' and test['seconds_to_validated'] is None
    assert report['restore']['totals']['passed'] == 0 and report['restore']['totals']['failed'] == 1
    assert 'restore tests: 0 passed, 1 failed' in report['msg']
    # The page: no green "passed"; the summary counts it failed; no time to a disk known good.
    page = dom_of(tmp_path, pages['files']['html'])
    cell = page.cells[(test['region'], 'result')]
    assert cell['text'].strip() == 'failed' and 'status-failed' in cell['class'], cell
    assert 'restore tests: 0 passed, 1 failed' in page.by_id['summary']
    assert 'Time to a disk known good' not in page.by_id['checks'], page.by_id['checks']
    assert 'no disk known good' in page.by_id['checks']
    looks = measured(tmp_path, pages['files']['html'], 1280, [('result', '#drill td[data-key="result"]')])
    (shown,) = looks['by_key']['result']
    assert shown['color'] != 'rgb(46, 125, 50)', shown  # never the green of "passed"
    # The Markdown and the text say the same.
    with open(pages['files']['markdown'], encoding='utf-8') as stream:
        markdown = stream.read()
    assert '0 passed, 1 failed' in markdown and '| passed |' not in markdown
    text = dr_report_text(report)
    assert 'Restore test in %s: failed' % test['region'] in text and 'restore tests: 0 passed, 1 failed' in text
    # The fleet: a failed restore test.
    row = next(row for row in pages['fleet']['scopes'] if row['scope'] == SCOPE)
    assert (row['restore_passed'], row['restore_failed']) == (0, 1)
    assert dom_of(tmp_path, pages['fleet_path']).cells[(SCOPE, 'restore')]['text'].strip() == '0 / 1'


# ------------------------------------------------------------------------------------- point 6: the disks not covered
def test_the_fleet_page_lists_the_disks_no_scope_covers_near_misses_first(pages, tmp_path):
    fleet = pages['fleet']
    listed = fleet['not_covered_disks']
    # Neither scope takes scratch nor the near miss; each takes a disk the other leaves.
    names = {disk['name'] for disk in listed}
    assert names == {'scratch', 'orders-log'}, listed
    assert fleet['totals']['not_covered'] == len(listed) == 2
    page = dom_of(tmp_path, pages['fleet_path'])
    assert int(page.by_id['not-covered'].split()[0]) == len(listed)
    rows = [
        (key, cell['text'].strip())
        for (key, name), cell in page.cells.items()
        if name == 'near_miss' and key in {disk['disk_id'] for disk in listed}
    ]
    assert [key for key, dummy in rows] == [disk['disk_id'] for disk in listed]
    # Near misses first, with the tags they carry.
    assert rows[0][1] == 'DR=yes' and rows[1][1] == '-'
    # The Markdown lists the same disks, no more.
    markdown = pages['fleet_markdown'].split('## Not covered', 1)[1].split('\n## ', 1)[0]
    table = [line for line in markdown.splitlines() if line.startswith('| ') and not line.startswith('| source region')]
    assert [line.split(' | ')[2] for line in table] == [disk['disk_id'] for disk in listed]
    # Each scope's count is of those disks: the table and the headline agree.
    for scope in (SCOPE, BATCH_SCOPE):
        assert page.cells[(scope, 'not_covered')]['text'].strip().startswith('2'), scope


# ------------------------------------------------------------------------------------- point 7: deliberate exclusions
def test_an_organisations_deliberate_exclusions_are_neutral(pages, tmp_path):
    looks = measured(tmp_path, pages['fleet_path'], 1280, [('why', '.organization td[data-key="why"]')])
    shown = {element['text']: element for element in looks['by_key']['why']}
    assert set(shown) == {'excluded: in unit Sandbox', 'excluded by its tags (dr=opt-out)'}
    for element in shown.values():
        assert 'neutral' in element['classes'].split() and 'bad' not in element['classes'].split(), element
        red, green, dummy = (int(value) for value in re.findall(r'\d+', element['color'])[:3])
        assert not red > green + 60, element  # not a red
        assert int(element['font_weight']) < 600, element  # not bold


# ------------------------------------------------------------------------------------- point 8: the fleet table fits
@pytest.mark.parametrize('width', WIDTHS)
def test_the_fleet_table_fits_the_window(pages, tmp_path, width):
    looks = measured(
        tmp_path,
        pages['fleet_path'],
        width,
        [
            ('table', '#scopes table'),
            ('scope', '#scopes tr[data-scope] td:first-child'),
            ('name', '#scopes tr[data-scope] td:first-child .scope-name'),
            ('link', '#scopes tr[data-scope] a'),
            ('cell', '#scopes tr[data-scope] td'),
            ('account', '#scopes td[data-key="dr_account"]'),
        ],
    )
    viewport = looks['viewport']
    (marked,) = [row for row in pages['fleet']['scopes'] if row['scope'] == MARKED_SCOPE]
    assert marked['in_flight'] == 1 and marked['no_copy'] == 1, marked  # the row with two marks is measured too
    # Its marks say symbol and count; their words are the legend's, the columns' and each mark's title.
    page = pages['fleet_path'].read_text(encoding='utf-8')
    assert '<title>\u2715 1 no copy</title>' in page and '<title>\u25d4 1 in flight</title>' in page
    assert viewport == width and looks['scroll_width'] <= viewport, (looks['scroll_width'], viewport)
    (table,) = looks['by_key']['table']
    assert table['right'] <= viewport, (table, viewport)
    for cell in looks['by_key']['cell']:
        assert cell['right'] <= viewport, cell
    # Each scope's page is linked, where one can see it.
    links = looks['by_key'].get('link') or []
    assert len(links) == len(pages['fleet']['scopes'])
    for link in links:
        assert link['left'] >= 0 and link['right'] <= viewport, link
    # A scope name is one line, whole.
    names = looks['by_key'].get('name') or []
    assert {name['text'] for name in names} == {row['scope'] for row in pages['fleet']['scopes']}
    for name in names:
        assert lines(name) == 1, name
    # The DR account and the locks: compact, an account id never broken, one lock end said once in the table.
    for cell in looks['by_key']['account']:
        assert lines(cell) <= 2, cell
    ends = pages['vault']['locks']['first_lock_ends']
    assert ends and sum(cell['text'].count(ends[:10]) for cell in looks['by_key']['cell']) <= 1
    for row in pages['fleet']['scopes']:
        if row['dr_account']:
            assert any(re.search(r'\b%s\b' % row['dr_account'], cell['text']) for cell in looks['by_key']['account']), (
                row
            )


def test_the_scope_page_fits_1280(pages, tmp_path):
    looks = measured(tmp_path, pages['files']['html'], 1280, [('table', 'table')])
    assert looks['scroll_width'] <= looks['viewport'] == 1280
    assert of_report(pages['report']).status == 'at risk'  # a failed drill's checks are a failure of the run
