"""Issue 64: the fleet's plans are the scopes' plans added up, and nothing else (docs/cost.md, "Where each figure comes
from"). Searched by Hypothesis over fleets of scopes whose plans are priced (AWS), partly priced (Alibaba ECS: no
transfer price), unpriced (Tencent CBS), empty (nothing to copy), with copies of unknown size, or missing (a scope that
failed before it planned), through the filters playbooks/dr_fleet.yml calls: the fleet's sums, per scope, per account
and in all, are the sums of the reports' plan figures, and no surface (the fleet's JSON, page, Markdown, text and stats)
prints a number for a partial sum without saying it is partial."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.snapcopy.cloud.plugins.filter.dr_fleet import FilterModule
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.alibaba import prices as alibaba
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices as aws
from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.tencent import prices as tencent
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._plan_figures import plan_totals, region_rows
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_html import dr_report_html
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_markdown import dr_report_markdown
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._report_text import dr_report_text, fleet_report_text
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_plan_surfaces import (
    KEY_PROBLEM,
    make_plan,
    scope_report,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.plugin_utils.test_report_html import (
    scope_record,
    visible_text,
)

FILTERS = FilterModule().filters()
CLOUDS = {'aws': aws.PLAN, 'ecs': alibaba.ECS_PLAN, 'cbs': tencent.PLAN}
REGIONS = ('us-west-2', 'eu-west-1')

copies = st.lists(
    st.tuples(
        st.sampled_from(['vol-1', 'vol-2', 'vol-3']),
        st.sampled_from(REGIONS),
        st.one_of(st.none(), st.integers(min_value=1, max_value=4096)),
        st.booleans(),
    ),
    max_size=5,
)
plans = st.one_of(
    st.none(),
    st.builds(
        lambda cloud, chosen, problems: make_plan(CLOUDS[cloud], chosen, preflight=[KEY_PROBLEM] * problems),
        st.sampled_from(sorted(CLOUDS)),
        copies,
        st.integers(min_value=0, max_value=2),
    ),
)
scopes = st.lists(st.tuples(plans, st.sampled_from(['111111111111', '222222222222'])), min_size=1, max_size=5)


def whole(plan, per):
    """Whether a plan's sum of ``per`` is whole: each of its lines of that kind priced, each copy's size known."""
    lines = plan['cost']['lines']
    return all(line['usd'] is not None for line in lines if line['per'] == per) and all(
        copy['bytes'] is not None for copy in plan['copies']
    )


def expected_sums(chosen):
    """The sums of the plans ``chosen`` (a list of plans or None), from their reports' own figures."""
    planned = [plan for plan in chosen if plan]
    return {
        'monthly': round(sum(plan['cost']['monthly'] for plan in planned), 2),
        'once': round(sum(plan['cost']['once'] for plan in planned), 2),
        'full': sum(plan['full'] for plan in planned),
        'incremental': sum(plan['incremental'] for plan in planned),
        'bytes': sum(plan['bytes'] for plan in planned),
        'preflight': sum(len(plan['preflight']) for plan in planned),
        'monthly_complete': all(plan and whole(plan, 'month') for plan in chosen),
        'once_complete': all(plan and whole(plan, 'once') for plan in chosen),
    }


def fleet_of(chosen):
    records = []
    for index, (plan, account) in enumerate(chosen):
        name = 'scope-%d' % index
        records.append(scope_record(name, scope_report(plan), account=account, plan=plan))
    return FILTERS['dr_fleet_report'](records, '2026-11-23T10:00:00Z', check_mode=True)


def dollars_said_partial(text, partial_amounts, whole_amounts):
    """Each dollar amount ``text`` prints without "at least" before it is one of ``whole_amounts``; and no amount of
    ``partial_amounts`` that is not also whole is printed bare."""
    flat = ' '.join(text.split())
    bare = {found.group(2) for found in re.finditer(r'(at least )?(\$[\d,]+\.\d\d)', flat) if not found.group(1)}
    assert bare <= whole_amounts, (bare - whole_amounts, flat)
    assert not (bare & (partial_amounts - whole_amounts)), flat


def money(amount):
    return f'${amount:,.2f}'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scopes)
def test_the_fleets_sums_are_the_sums_of_the_reports_plans_and_a_partial_one_says_so(chosen):
    fleet = fleet_of(chosen)
    plans_chosen = [plan for plan, dummy in chosen]
    if not any(plans_chosen):
        assert fleet['plan'] is None and FILTERS['dr_plan_stats'](fleet['plan']) is None
        return
    expected = expected_sums(plans_chosen)
    total = fleet['plan']
    for key, value in expected.items():
        assert total[key] == value, (key, total[key], value)
    assert total['complete'] == (expected['monthly_complete'] and expected['once_complete'])
    # Each part left out is named, by its scope: a line with no price, copies of unknown size, no plan at all.
    for index, plan in enumerate(plans_chosen):
        named = [what for what in total['unpriced'] if what.startswith('scope-%d: ' % index)]
        if plan is None:
            assert named == ['scope-%d: no plan' % index]
        else:
            assert len(named) == len(plan['cost']['unpriced']) + any(c['bytes'] is None for c in plan['copies'])
    # Per scope, the report's own figures; per account, its scopes' sums.
    for row, (plan, dummy) in zip(sorted(fleet['scopes'], key=lambda row: int(row['scope'].split('-')[1])), chosen):
        if plan is None:
            assert row['plan'] is None
        else:
            assert (row['plan']['monthly'], row['plan']['once']) == (plan['cost']['monthly'], plan['cost']['once'])
    for account in fleet['accounts']:
        own = [plan for plan, number in chosen if number == account['account']]
        if not any(own):
            assert account['plan'] is None
            continue
        for key, value in expected_sums(own).items():
            assert account['plan'][key] == value, (account['account'], key)
    # The stats: the same sums, and complete only where every sum is.
    # A partial sum with nothing priced is null there, as the pages say "not known": never a 0 read as free.
    assert FILTERS['dr_plan_stats'](total) == {
        'monthly': None if not total['monthly_complete'] and not expected['monthly'] else expected['monthly'],
        'once': None if not total['once_complete'] and not expected['once'] else expected['once'],
        'complete': total['complete'],
        'monthly_complete': total['monthly_complete'],
        'once_complete': total['once_complete'],
        'full': expected['full'],
        'preflight': expected['preflight'],
    }
    # Every surface: a partial sum is never printed as a bare number.
    sums = [total] + [row['plan'] for row in fleet['scopes'] if row['plan']]
    sums += [account['plan'] for account in fleet['accounts'] if account['plan']]
    whole_amounts = {money(s[key]) for s in sums for key in ('monthly', 'once') if s[key + '_complete']}
    partial_amounts = {money(s[key]) for s in sums for key in ('monthly', 'once') if not s[key + '_complete']}
    page = FILTERS['dr_fleet_html'](fleet)
    plans_section = re.search(r'<section id="plans".*?</section>', page, re.S).group(0)
    for text in (visible_text(plans_section), FILTERS['dr_fleet_markdown'](fleet), fleet_report_text(fleet)):
        dollars_said_partial(text, partial_amounts, whole_amounts)
    total_row = visible_text(re.search(r'<tr data-plan="total">.*?</tr>', plans_section, re.S).group(0)).split()
    assert ('at least' in ' '.join(total_row) or 'not known' in ' '.join(total_row)) is not total['complete']


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans.filter(bool))
def test_a_scopes_surfaces_never_print_a_partial_sum_bare(plan):
    data = scope_report(plan)
    totals = plan_totals(plan)
    # The scope's own sums are its report's.
    assert (totals['monthly'], totals['once']) == (plan['cost']['monthly'], plan['cost']['once'])
    assert totals['monthly_complete'] == whole(plan, 'month') and totals['once_complete'] == whole(plan, 'once')
    sums = [totals, *region_rows(plan, data['dr_regions'])]
    whole_amounts = {money(s[key]) for s in sums for key in ('monthly', 'once') if s[key + '_complete']}
    partial_amounts = {money(s[key]) for s in sums for key in ('monthly', 'once') if not s[key + '_complete']}
    section = re.search(r'<section id="plan".*?</section>', dr_report_html(data), re.S).group(0)
    for text in (visible_text(section), dr_report_markdown(data), dr_report_text(data)):
        dollars_said_partial(text, partial_amounts, whole_amounts)
