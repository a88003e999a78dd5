"""Issue 64, on every surface: the plan (dr_sync's ``plan``, made here by dr/plan.py's own functions over the clouds'
own price books) on the scope's page, Markdown and text, the fleet's report, page and text, and the AWX stats. Each
shows the plan's figures and computes none: the cost per DR region, full against incremental copies, the time with its
why, each preflight problem with its fix; a price not known is said not known, never $0; a real run's page says the same
figures as done."""

from __future__ import annotations

import html
import re

from ansible_collections.snapcopy.cloud.plugins.filter.dr_fleet import FilterModule
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import prices as alibaba
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices as aws
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import prices as tencent
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import (
    GIB,
    CopyFacts,
    copy_time,
    cost,
    cost_lines,
    planned_copy,
)
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.protection import of_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._fleet_report import fleet_report
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import plan_totals, stats_totals
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html, fleet_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import (
    dr_report_markdown,
    fleet_report_markdown,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text, fleet_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_html import (
    contrast,
    copy_record,
    disk,
    report,
    scope_record,
    text_colours,
    visible_text,
)

REGIONS = ['us-west-2', 'eu-west-1']
GENERATED = '2026-11-23T10:00:00Z'
KEY_PROBLEM = {
    'disk_id': 'vol-3',
    'region': 'eu-west-1',
    'problem': 'the source is encrypted with the AWS managed key aws/ebs, which cannot be shared with account 2222',
    'fix': 'copy it under a customer managed key first',
}


def make_plan(facts, copies, *, preflight=(), completion_minutes=None, books=None, api_reads=0):
    """dr_sync's plan section as dr/phases/plan.py makes it, for ``copies``: [(disk_id, region, disk GiB or None, an
    earlier copy in the region)], by ``facts`` (a cloud's PlanFacts)."""
    planned = [
        planned_copy(
            CopyFacts(
                disk_id=disk_id,
                region=region,
                snapshot_id='snap-%s' % disk_id,
                disk_bytes=None if size is None else size * GIB,
                earlier_copy=earlier,
            ),
            facts.rules,
        )
        for disk_id, region, size, earlier in copies
    ]
    regions = sorted({copy.region for copy in planned}) or REGIONS
    lines = cost_lines(
        planned,
        books or dict.fromkeys(regions, facts.book),
        completion_minutes=completion_minutes,
        api_reads=api_reads,
    )
    return {
        'preflight': list(preflight),
        'copies': [copy.as_result() for copy in planned],
        'full': sum(1 for copy in planned if copy.full),
        'incremental': sum(1 for copy in planned if not copy.full),
        'bytes': sum(copy.bytes or 0 for copy in planned),
        'cost': cost(lines),
        'time': copy_time(planned, facts.limits, completion_minutes=completion_minutes),
    }


AWS_COPIES = [
    ('vol-1', 'us-west-2', 100, False),
    ('vol-2', 'us-west-2', 100, True),
    ('vol-1', 'eu-west-1', 100, False),
    ('vol-2', 'eu-west-1', 50, False),
]


def scope_report(plan, check_mode=True, provider='aws', regions=None):
    data = report(
        [
            disk('vol-1', None, dict(copy_record('us-west-2', 'planned', None), action='would_copy')),
            disk('vol-2', None, dict(copy_record('eu-west-1', 'planned', None), action='would_copy')),
        ]
    )
    for record in data['disks']:
        record.update(source_snapshot=None, pruned=[])
        for copy in record['copies']:
            copy['region'] = (regions or REGIONS)[0]
    data['dr_regions'] = regions or REGIONS
    data.update(check_mode=check_mode, plan=plan, provider=provider)
    data['protection'] = of_report(data).as_data()
    return data


def test_a_plans_page_shows_each_regions_cost_its_full_and_incremental_copies_the_time_and_the_preflight():
    plan = make_plan(aws.PLAN, AWS_COPIES, preflight=[KEY_PROBLEM], completion_minutes=60)
    assert plan['cost']['complete'] and plan['full'] == 3 and plan['incremental'] == 1
    page = dr_report_html(scope_report(plan))
    section = re.search(r'<section id="plan".*?</section>', page, re.S).group(0)
    text = ' '.join(visible_text(section).split())
    assert text.startswith('The plan: what this run would copy, cost and take')
    # Each region's cost is the sum of its own lines of plan.cost.
    for region in REGIONS:
        row = re.search(r'<tr data-region="%s">.*?</tr>' % region, section, re.S).group(0)
        for per, key in (('month', 'monthly'), ('once', 'once')):
            expected = round(
                sum(
                    line['usd']
                    for line in plan['cost']['lines']
                    if line['per'] == per and line['what'].endswith(region)
                ),
                2,
            )
            assert expected > 0
            cell = re.search(r'data-key="%s" data-usd="([^"]*)" data-complete="true">([^<]*)<' % key, row)
            assert float(cell.group(1)) == expected and cell.group(2).strip() == f'${expected:,.2f}', row
    west = re.search(r'<tr data-region="us-west-2">.*?</tr>', section, re.S).group(0)
    assert re.search(r'data-key="full">1<', west) and re.search(r'data-key="incremental">1<', west)
    assert 'data-bytes="%d"' % (100 * GIB) in west and '100.0 GiB' in west
    assert '1: the first copy of the disk to the region' in west
    assert "the disk's size, an upper bound" in html.unescape(west)
    # The sums are plan.cost's; the time its hours and why.
    summary = ' '.join(visible_text(re.search(r'<p id="plan-summary">.*?</p>', section, re.S).group(0)).split())
    assert '${:,.2f} each month'.format(plan['cost']['monthly']) in summary
    assert '${:,.2f} once'.format(plan['cost']['once']) in summary
    assert '3 full, 1 incremental, 350.0 GiB' in summary
    assert 'time: %g h (%s)' % (plan['time']['hours'], plan['time']['why']) in summary
    # The preflight: each problem with its fix, in the red box.
    preflight = re.search(r'<section id="preflight" class="failures">.*?</section>', page, re.S).group(0)
    assert html.escape(KEY_PROBLEM['problem'], quote=False) in preflight and KEY_PROBLEM['fix'] in preflight
    assert 'a real run would fail these copies' in preflight


def test_a_price_not_known_is_said_not_known_never_zero():
    """Tencent publishes no price of its copies: the plan's lines have none. Alibaba's transfer is not in the table."""
    tencent_plan = make_plan(tencent.PLAN, [('disk-1', 'ap-shanghai', 100, False)])
    assert not tencent_plan['cost']['complete'] and tencent_plan['cost']['monthly'] == 0
    data = scope_report(tencent_plan, provider='cbs', regions=['ap-shanghai'])
    surfaces = {
        'page': visible_text(dr_report_html(data)),
        'markdown': dr_report_markdown(data),
        'text': dr_report_text(data),
    }
    for name, text in surfaces.items():
        flat = ' '.join(text.split())
        assert '$0' not in flat, (name, flat)
        assert 'not known each month' in flat and 'not known once' in flat, (name, flat)
        for what in tencent_plan['cost']['unpriced']:
            assert what in flat, (name, what)
    ecs_plan = make_plan(alibaba.ECS_PLAN, [('d-1', 'cn-shanghai', 1000, False)])
    data = scope_report(ecs_plan, provider='ecs', regions=['cn-shanghai'])
    for text in (visible_text(dr_report_html(data)), dr_report_markdown(data), dr_report_text(data)):
        flat = ' '.join(text.split())
        # The storage is priced (17.30 a month, the docs' worked example), the transfer is not: "at least" nowhere
        # but where a sum is partial.
        assert '$17.30 each month' in flat and 'not known once' in flat, flat
        assert 'at least $17.30' not in flat


def test_a_copy_of_unknown_size_makes_its_sums_partial():
    plan = make_plan(aws.PLAN, [('vol-1', 'us-west-2', 100, False), ('vol-2', 'us-west-2', None, False)])
    # The plan's cost counts no line for the copy of unknown size, and says it complete.
    assert plan['cost']['complete']
    totals = plan_totals(plan)
    assert not totals['complete'] and totals['unpriced'] == ['1 copy of unknown size']
    text = ' '.join(visible_text(dr_report_html(scope_report(plan))).split())
    assert 'at least $5.00 each month' in text and 'at least $2.00 once' in text
    assert '1 copy of unknown size' in text
    # Nor are its bytes in the total: at least, on every surface.
    words = '2 full, 0 incremental, at least 100.0 GiB (1 of unknown size)'
    assert words in text and words in dr_report_text(scope_report(plan))


def test_the_verify_reads_of_no_one_region_are_a_row_of_their_own_and_in_the_sums():
    """EBS direct API reads (verify) are priced once for the run, not per DR region: their own row, "every DR region",
    and the plan's sums hold them."""
    plan = make_plan(aws.PLAN, AWS_COPIES, api_reads=20000)
    reads = [line for line in plan['cost']['lines'] if not line['what'].endswith(tuple(REGIONS))]
    assert len(reads) == 1 and reads[0]['usd'] > 0
    page = dr_report_html(scope_report(plan))
    row = re.search(r'<tr data-region="every DR region">.*?</tr>', page, re.S).group(0)
    assert re.search(
        r'data-key="%s" data-usd="%s"' % ('monthly' if reads[0]['per'] == 'month' else 'once', reads[0]['usd']), row
    )
    table = re.search(r'<section id="plan".*?<table>(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r'data-key="(monthly|once)" data-usd="([^"]*)" data-complete', table)
    for key, total in (('monthly', plan['cost']['monthly']), ('once', plan['cost']['once'])):
        assert round(sum(float(usd) for name, usd in rows if name == key), 2) == total


def test_a_real_runs_page_shows_the_same_figures_as_done():
    plan = make_plan(aws.PLAN, AWS_COPIES)
    planned = dr_report_html(scope_report(plan, check_mode=True))
    done = dr_report_html(scope_report(plan, check_mode=False))
    assert 'What this run copied, and its cost' in done and 'would copy' not in visible_text(done)

    def figures(page):
        section = re.search(r'<section id="plan".*?</section>', page, re.S).group(0)
        return re.findall(r'data-(?:usd|bytes|full|incremental|complete)="[^"]*"', section)

    assert figures(planned) == figures(done) and figures(done)
    markdown = dr_report_markdown(scope_report(plan, check_mode=False))
    assert '## What this run copied, and its cost' in markdown
    assert dr_report_text(scope_report(plan, check_mode=False)).count('  Copied: $') == 1


def test_the_markdown_and_the_text_show_the_plan_and_its_preflight():
    plan = make_plan(aws.PLAN, AWS_COPIES, preflight=[KEY_PROBLEM])
    markdown = dr_report_markdown(scope_report(plan))
    assert '## Plan: what this run would copy, cost and take' in markdown
    assert '| eu-west-1 | 2 | 0 | 150.0 GiB | 0.0 GiB | 2: the first copy of the disk to the region |' in markdown
    assert '| vol-3 | eu-west-1 | %s | %s |' % (KEY_PROBLEM['problem'], KEY_PROBLEM['fix']) in markdown
    text = dr_report_text(scope_report(plan))
    assert '  Plan: $17.50 each month, $7.00 once; copies: 3 full, 1 incremental, 350.0 GiB; time: not known' in text
    assert '  Preflight (1 copy the cloud would refuse):' in text
    assert '    - vol-3 in eu-west-1: %s Fix: %s' % (KEY_PROBLEM['problem'], KEY_PROBLEM['fix']) in text


def test_no_raw_word_of_the_plan_reaches_a_person():
    plan = make_plan(aws.PLAN, AWS_COPIES)
    text = visible_text(dr_report_html(scope_report(plan))) + dr_report_markdown(scope_report(plan))
    # Where the sizes come from, in people's words.
    assert text.count("the disk's size, an upper bound") == 4
    assert not re.search(r'\b(full_snapshot_size|changed_blocks|disk_size|bytes_from|why_full)\b', text)


def test_every_text_of_the_plan_passes_wcag_aa():
    """The plan's sections, the preflight's red box and the fleet's plans, each text against what is behind it."""
    plan = make_plan(aws.PLAN, AWS_COPIES, preflight=[KEY_PROBLEM])
    unpriced = make_plan(tencent.PLAN, [('disk-1', 'us-west-2', 100, False)])
    fleet = fleet_report(
        [fleet_scope('a', plan), fleet_scope('b', unpriced), scope_record('c', scope_report(None))], GENERATED
    )
    pages = [dr_report_html(scope_report(plan)), dr_report_html(scope_report(unpriced)), fleet_report_html(fleet)]
    seen = {}
    for page in pages:
        style = re.search(r'<style>.*?</style>', page, re.S).group(0)
        sections = re.findall(r'<section id="(?:plan|plans|preflight)".*?</section>', page, re.S)
        seen.update(text_colours('%s<body>%s</body>' % (style, ''.join(sections))))
    assert not {pair: text for pair, text in seen.items() if contrast(*pair) < 4.5}, seen
    # The checker saw the preflight's words in its red box, the plans' numbers and a neutral "no plan".
    assert ('#1b1b1b', '#fdecea') in seen and ('#1b1b1b', '#ffffff') in seen and ('#424242', '#ffffff') in seen


# ---------------------------------------------------------------------------------------------------- the fleet
def fleet_scope(name, plan, account='111111111111'):
    data = scope_report(plan)
    return scope_record(name, data, account=account, plan=plan)


def test_the_fleet_sums_the_plans_per_scope_account_and_in_all_and_names_what_is_not_priced():
    aws_plan = make_plan(aws.PLAN, AWS_COPIES, preflight=[KEY_PROBLEM])
    ecs_plan = make_plan(alibaba.ECS_PLAN, [('d-1', 'cn-shanghai', 1000, False)])
    fleet = fleet_report(
        [
            fleet_scope('a-aws', aws_plan),
            fleet_scope('b-aws', aws_plan),
            fleet_scope('c-ecs', ecs_plan, account='222222222222'),
            scope_record('d-failed', scope_report(None), account='222222222222', error='AuthFailure'),
        ],
        GENERATED,
        check_mode=True,
    )
    total = fleet['plan']
    assert total['monthly'] == round(2 * aws_plan['cost']['monthly'] + ecs_plan['cost']['monthly'], 2)
    assert total['once'] == round(2 * aws_plan['cost']['once'] + ecs_plan['cost']['once'], 2)
    assert total['full'] == 2 * aws_plan['full'] + ecs_plan['full'] and total['preflight'] == 2
    assert total['bytes'] == 2 * aws_plan['bytes'] + ecs_plan['bytes']
    # Alibaba's transfer and the failed scope's missing plan make the sums partial, and are named.
    assert not total['complete'] and not total['once_complete'] and not total['monthly_complete']
    assert 'd-failed: no plan' in total['unpriced'] and any(what.startswith('c-ecs: ') for what in total['unpriced'])
    accounts = {account['account']: account['plan'] for account in fleet['accounts']}
    assert accounts['111111111111']['monthly'] == round(2 * aws_plan['cost']['monthly'], 2)
    assert accounts['111111111111']['complete'] and not accounts['222222222222']['complete']
    page = fleet_report_html(fleet)
    section = re.search(r'<section id="plans".*?</section>', page, re.S).group(0)
    total_row = re.search(r'<tr data-plan="total">.*?</tr>', section, re.S).group(0)
    assert 'at least ${:,.2f}'.format(total['monthly']) in total_row
    assert 'd-failed: no plan' in section and 'no plan: not known' in section
    assert 'account total' in section
    markdown = fleet_report_markdown(fleet)
    assert '## Plans: what the scopes would copy and cost' in markdown
    assert '| **total** | - | at least ${:,.2f} |'.format(total['monthly']) in markdown
    text = fleet_report_text(fleet)
    assert '  Plans: at least ${:,.2f} each month'.format(total['monthly']) in text
    assert 'Not priced, so the sums are the least they cost: ' in text


def test_a_scope_or_a_fleet_without_any_plan_shows_none():
    data = scope_report(None)
    assert 'id="plan"' not in dr_report_html(data) and 'Plan' not in dr_report_markdown(data)
    assert plan_totals(None) is None and stats_totals(None) is None
    fleet = fleet_report([scope_record('a', scope_report(None))], GENERATED)
    assert fleet['plan'] is None
    assert 'id="plans"' not in fleet_report_html(fleet) and '## Plans' not in fleet_report_markdown(fleet)


# ---------------------------------------------------------------------------------------------------- AWX stats
def test_the_stats_carry_the_plans_monthly_once_full_copies_and_preflight():
    plan = make_plan(aws.PLAN, AWS_COPIES, preflight=[KEY_PROBLEM])
    stats = FilterModule().filters()['dr_plan_stats'](plan)
    assert stats == {
        'monthly': plan['cost']['monthly'],
        'once': plan['cost']['once'],
        'complete': True,
        'monthly_complete': True,
        'once_complete': True,
        'full': 3,
        'preflight': 1,
    }
    fleet = fleet_report([fleet_scope('a', plan), fleet_scope('b', plan)], GENERATED)
    assert FilterModule().filters()['dr_plan_stats'](fleet['plan']) == dict(
        stats, monthly=2 * stats['monthly'], once=2 * stats['once'], full=6, preflight=2
    )


def test_the_fleets_page_lists_twenty_parts_not_priced_and_counts_the_rest():
    """A fleet of many failed scopes would make the plans' note longer than the table: twenty are named, the rest
    counted, and all of them are in the JSON report."""
    plan = make_plan(aws.PLAN, AWS_COPIES)
    failed = [scope_record('s%02d' % number, scope_report(None), error='AuthFailure') for number in range(25)]
    fleet = fleet_report([fleet_scope('a-aws', plan), *failed], GENERATED, check_mode=True)
    assert len(fleet['plan']['unpriced']) == 25
    note = re.search(r'<p id="plans-unpriced">(.*?)</p>', fleet_report_html(fleet), re.S).group(1)
    assert [name for name in ('s%02d: no plan' % number for number in range(25)) if name in note] == [
        's%02d: no plan' % number for number in range(20)
    ]
    assert note.endswith('; and 5 more, in the JSON report.')
