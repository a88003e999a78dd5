"""Issue 64, the plan's page in a browser: real DR runs on the emulator (dr_sync's module over fakecloud, then its action's
report files), a check run's plan (dr-plan-<name>.html) and the real run's page after it, opened in headless Chromium
1280 px wide and read as a person reads them:

- the plan fits the window (no horizontal scroll);
- per DR region, its full and incremental copies, their bytes and what they cost each month and once are the JSON
  report's plan (its copies, and the cost lines of the region), and a price Alibaba Cloud's table does not hold (its
  copies' transfer) is "not known", never $0, with the line named;
- the preflight's problem (a local snapshot, which ECS does not copy) is in the red box with what to do;
- the real run's page shows the same figures as what it copied: the plan held against what happened;
- the fleet page adds the scopes' plans up, says a partial sum "at least" and names a scope without a plan, and fits.

The 1280 px screenshots are kept as build/docsite/screenshots/issue-64-*.png.
"""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import fleet_report_html
from ansible_collections.snapcopy.cloud.tests.docs.test_docsite import CHROMIUM, SCREENSHOTS, chromium
from ansible_collections.snapcopy.cloud.tests.docs.test_pages_without_false_alarms import measured, scope_facts
from ansible_collections.snapcopy.cloud.tests.docs.test_posture_page import FAST, PostureDom, dom_of, dr_run, written

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason='no Chromium at %s: run `make docs-test`' % CHROMIUM
)

HOUR = 3600
GIB = 2**30
REGIONS = ['cn-shanghai', 'cn-beijing']
SELECTOR = {'plan-page': 'yes'}


def seeded_disk(name, size, category='standard'):
    return {
        'region': 'cn-hangzhou',
        'name': name,
        'size': size,
        'tags': SELECTOR,
        'snapshots': [{'age_seconds': 2 * HOUR, 'category': category}],
    }


@pytest.fixture(scope='module')
def pages(fakecloud, tmp_path_factory):
    """Two disks of 20 and 40 GiB and one whose only snapshot is local: planned in check mode, then copied for real.
    Answers each run's files and report."""
    fakecloud.admin.reset()
    fakecloud.admin.configure(timings=FAST)
    fakecloud.admin.seed(
        ecs={'disks': [seeded_disk('plan-a', 20), seeded_disk('plan-b', 40), seeded_disk('plan-local', 10, 'flash')]}
    )
    folder = tmp_path_factory.mktemp('issue-64-pages')
    options = {'tag_selector': SELECTOR, 'dr_regions': REGIONS, 'fail_on_missing': False}
    planned = dr_run(fakecloud, check_mode=True, **options)
    done = dr_run(fakecloud, wait=True, wait_timeout=300, **options)
    return written(planned, folder, 'ecs-plan'), written(done, folder, 'ecs-plan')


class PlansDom(PostureDom):
    """The page as PostureDom reads it, and the rows of the fleet's plans (``tr data-plan``: a scope, an account's total,
    the total) keyed by that name."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if tag == 'tr' and dict(attrs).get('data-plan'):
            self._row = dict(attrs)['data-plan']


def shoot(tmp_path, path, name, height=1100):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    target = os.path.join(SCREENSHOTS, 'issue-64-%s.png' % name)
    if os.path.exists(target):
        os.remove(target)
    chromium(
        tmp_path, '--hide-scrollbars', '--window-size=1280,%d' % height, '--screenshot=%s' % target, 'file://%s' % path
    )
    assert os.path.getsize(target) > 0


def region_cells(page, region):
    """{data-key: the cell's text and attributes} of a DR region's row in the plan's table (the region table's cells
    have other keys: full, incremental, ... are the plan's alone)."""
    return {
        key: cell
        for (row, key), cell in page.cells.items()
        if row == region and key in ('full', 'incremental', 'full_bytes', 'incremental_bytes', 'monthly', 'once')
    }


def expected_region(plan, region):
    """A DR region's figures straight from the JSON report's plan: its copies, and its cost lines' dollars."""
    copies = [copy for copy in plan['copies'] if copy['region'] == region]
    lines = [line for line in plan['cost']['lines'] if line['what'].endswith(region)]
    return {
        'full': sum(1 for copy in copies if copy['full']),
        'incremental': sum(1 for copy in copies if not copy['full']),
        'full_bytes': sum(copy['bytes'] for copy in copies if copy['full']),
        'monthly': round(sum(line['usd'] for line in lines if line['per'] == 'month'), 2),
        'once_priced': all(line['usd'] is not None for line in lines if line['per'] == 'once'),
    }


def test_the_plans_page_fits_1280_and_shows_the_json_plans_figures(pages, tmp_path):
    (files, report), dummy = pages
    assert report['check_mode'] and files['html'].endswith('dr-plan-ecs-plan.html')
    plan = report['plan']
    # What the fixture meant: two disks copied in full to two regions, one local snapshot found before any copy.
    assert plan['full'] == 4 and plan['incremental'] == 0 and plan['bytes'] == 2 * (20 + 40) * GIB
    (problem,) = {(item['disk_id'], item['problem'], item['fix']) for item in plan['preflight']}
    assert not plan['cost']['complete']

    looks = measured(tmp_path, files['html'], 1280, [('plan', '#plan table'), ('preflight', '#preflight table')])
    assert looks['scroll_width'] <= looks['viewport'] == 1280, looks['scroll_width']
    for name in ('plan', 'preflight'):
        (table,) = looks['by_key'][name]
        assert table['right'] <= 1280, (name, table)
    shoot(tmp_path, files['html'], 'plan')

    page = dom_of(tmp_path, files['html'])
    for region in REGIONS:
        cells, expected = region_cells(page, region), expected_region(plan, region)
        assert int(cells['full']['text']) == expected['full'] == 2
        assert int(cells['incremental']['text']) == expected['incremental'] == 0
        assert int(cells['full_bytes']['data-bytes']) == expected['full_bytes'] == 60 * GIB
        assert cells['full_bytes']['text'].strip() == '60.0 GiB'
        assert float(cells['monthly']['data-usd']) == expected['monthly'] > 0
        assert cells['monthly']['text'].strip() == f"${expected['monthly']:,.2f}"
        # Alibaba's transfer is not in the collection's table: not known, and never $0.
        assert not expected['once_priced']
        assert cells['once']['text'].strip() == 'not known' and cells['once']['data-complete'] == 'false'
    summary = ' '.join(page.by_id['plan-summary'].split())
    assert summary.startswith(f"${plan['cost']['monthly']:,.2f} each month the copies are kept, not known once")
    assert '4 full, 0 incremental, 120.0 GiB' in summary and 'time: not known' in summary
    unpriced = ' '.join(page.by_id['plan-unpriced'].split())
    assert all(what in unpriced for what in plan['cost']['unpriced'])
    assert '$0' not in ' '.join(page.by_id['plan'].split())
    # The preflight's problem in the red box, with what to do.
    preflight = ' '.join(page.by_id['preflight'].split())
    assert preflight.startswith('Preflight: 2 copies the cloud would refuse')
    disk_id, text, fix = problem
    assert disk_id in preflight and text in preflight and fix in preflight
    assert 'Local snapshots cannot be copied' in text


def test_the_runs_page_shows_what_it_copied_as_the_plan_said(pages, tmp_path):
    (plan_files, planned), (files, report) = pages
    assert not report['check_mode'] and files['html'].endswith('dr-report-ecs-plan.html')
    looks = measured(tmp_path, files['html'], 1280, [('plan', '#plan table')])
    assert looks['scroll_width'] <= looks['viewport'] == 1280
    shoot(tmp_path, files['html'], 'run')
    before, after = dom_of(tmp_path, plan_files['html']), dom_of(tmp_path, files['html'])
    assert re.sub(r'\s+', ' ', after.by_id['plan']).strip().startswith('What this run copied, and its cost')
    # The copies made are the copies planned: the same figures, region by region.
    assert report['totals']['copied'] == planned['totals']['would_copy'] == 4
    for region in REGIONS:
        was, now = region_cells(before, region), region_cells(after, region)
        assert {key: cell['text'] for key, cell in was.items()} == {key: cell['text'] for key, cell in now.items()}
        assert expected_region(report['plan'], region) == expected_region(planned['plan'], region)


def test_the_fleet_page_sums_the_plans_and_fits_1280(pages, tmp_path):
    """The fleet page over three scopes of dr_scopes' long names: the plan, the run and one that failed before it
    planned. Its plans' total is the scopes' plans added up, partial (a price not known, a scope without a plan)."""
    (plan_files, planned), (files, report) = pages
    account = '1234567890123456'
    names = ['ecs-%s-cn-hangzhou-%s' % (account, kind) for kind in ('plan', 'run', 'failed')]
    scopes = [
        # What dr_fleet.yml gathers of each scope, its plan included.
        {**scope_facts(names[0], plan_files, planned), 'account': account, 'plan': planned['plan']},
        {**scope_facts(names[1], files, report), 'account': account, 'plan': report['plan']},
        {
            'scope': names[2],
            'provider': 'ecs',
            'account': account,
            'error': 'AuthFailure: the key is wrong',
            'totals': {},
        },
    ]
    fleet = fleet_report(scopes, '2026-11-27T10:00:00Z', check_mode=True)
    path = tmp_path / 'dr-fleet-plan.html'
    path.write_text(fleet_report_html(fleet), encoding='utf-8')
    looks = measured(tmp_path, path, 1280, [('plans', '#plans table')])
    assert looks['scroll_width'] <= looks['viewport'] == 1280, looks['scroll_width']
    shoot(tmp_path, path, 'fleet', height=1300)
    page = PlansDom()
    page.feed(chromium(tmp_path, '--dump-dom', 'file://%s' % path))
    monthly = round(planned['plan']['cost']['monthly'] + report['plan']['cost']['monthly'], 2)
    total = {key: cell for (row, key), cell in page.cells.items() if row == 'total'}
    assert (
        float(total['monthly']['data-usd']) == monthly
        and total['monthly']['text'].strip() == f'at least ${monthly:,.2f}'
    )
    assert total['once']['text'].strip() == 'not known'
    assert int(total['full']['text']) == planned['plan']['full'] + report['plan']['full'] == 8
    assert int(total['bytes']['data-bytes']) == planned['plan']['bytes'] + report['plan']['bytes']
    unpriced = ' '.join(page.by_id['plans-unpriced'].split())
    assert '%s: no plan' % names[2] in unpriced
    assert page.cells[(names[2], 'monthly')]['text'].strip() == 'no plan: not known'
