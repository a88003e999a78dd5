"""The dr_scopes inventory's rules (plugin_utils/_dr_scopes.py) over organisations Hypothesis makes: every account is
said once, with its scopes or why it has none; an account that is not active, or that a rule excludes, never gets a
scope; one that gets them meets every include rule; a scope never copies to its own region and assumes its own account's
role; the file's variables never change what a scope is."""

from __future__ import annotations

from hypothesis import given, settings as hypothesis_settings, strategies as st

from ansible_collections.snapcopy.cloud.plugins.module_utils.core.organization import (
    ACTIVE,
    MemberAccount,
    OrganizationRead,
    Unit,
)
from ansible_collections.snapcopy.cloud.plugins.plugin_utils._dr_scopes import (
    check_dr_regions,
    check_filter,
    plan_scopes,
)

UNITS = {
    'r-root': Unit('r-root', 'Root', None),
    'ou-a': Unit('ou-a', 'prod', 'r-root'),
    'ou-b': Unit('ou-b', 'eu', 'ou-a'),
    'ou-c': Unit('ou-c', 'dev', 'r-root'),
}
REGIONS = ['r1', 'r2', 'r3']
TAGS = st.dictionaries(st.sampled_from(['dr', 'team', 'env']), st.sampled_from(['yes', 'no', 'a']), max_size=3)


@st.composite
def organizations(draw):
    read = OrganizationRead('aws-organizations', '111111111111', units=dict(UNITS))
    for number in range(draw(st.integers(0, 12))):
        unit = draw(st.sampled_from(sorted(UNITS)))
        read.accounts.append(
            MemberAccount(
                account='%012d' % (number + 1),
                name=draw(st.sampled_from(['app', 'App 1', 'db', '***'])),
                state=draw(st.sampled_from([ACTIVE, ACTIVE, 'SUSPENDED', 'CLOSED'])),
                units=read.ancestors(unit),
                tags=draw(TAGS),
            )
        )
    return read


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        'accounts': st.lists(st.sampled_from(['%012d' % n for n in range(1, 13)]), max_size=4),
        'units': st.lists(st.sampled_from(['ou-a', 'eu', 'dev', 'r-root', 'nowhere']), max_size=2),
        'tags': st.dictionaries(st.sampled_from(['dr', 'team']), st.sampled_from(['yes', 'a', None]), max_size=2),
    },
)


@st.composite
def file_settings(draw):
    dr_regions = draw(
        st.one_of(
            st.lists(st.sampled_from(REGIONS), max_size=3),
            st.dictionaries(st.sampled_from(REGIONS), st.lists(st.sampled_from([*REGIONS, 'x']))),
        )
    )
    return {
        'provider': draw(st.sampled_from(['aws', 'ecs', 'ens', 'cbs'])),
        'regions': draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True)),
        'dr_regions': check_dr_regions(dr_regions),
        'role': draw(st.sampled_from([None, 'arn:aws:iam::{account}:role/dr'])),
        'include': check_filter(draw(FILTERS), 'include'),
        'exclude': check_filter(draw(FILTERS), 'exclude'),
        # The file trying to set what a scope is: it must not win.
        'vars': {'dr_copy_provider': 'nope', 'dr_copy_source_region': 'nope', 'dr_fleet_account': 'nope', 'x': 1},
        'tag_vars': draw(
            st.dictionaries(
                st.sampled_from(['dr_copy_dr_regions', 'dr_copy_tag_selector']),
                st.sampled_from(['dr', 'team']),
                max_size=2,
            )
        ),
        'host_name': draw(st.sampled_from(['{provider}-{account}-{region}', '{name}-{account}-{region}'])),
        'group': 'dr_scopes',
    }


def under(read, account, names):
    return any(set(account.units) & read.unit_ids(name) for name in names)


@hypothesis_settings(max_examples=200, deadline=None, derandomize=True)
@given(organizations(), file_settings())
def test_every_account_is_said_once_and_no_rule_lets_a_scope_through_that_it_should_not(read, settings):
    scopes, record = plan_scopes(read, settings, settings['regions'])
    by_account = {row['account']: row for row in record['accounts']}
    assert sorted(by_account) == sorted(account.account for account in read.accounts)
    names = [name for name, dummy in scopes]
    assert len(names) == len(set(names))
    include, exclude = settings['include'], settings['exclude']
    for account in read.accounts:
        row = by_account[account.account]
        assert (row['left_out'] is None) == bool(row['scopes'])
        if row['left_out'] is not None:
            continue
        tags = account.tags or {}
        assert len(row['scopes']) == len(settings['regions'])
        assert account.state == ACTIVE
        assert account.account not in exclude['accounts'] and not under(read, account, exclude['units'])
        assert not any(key in tags and value in (None, tags[key]) for key, value in exclude['tags'].items())
        assert not include['accounts'] or account.account in include['accounts']
        assert not include['units'] or under(read, account, include['units'])
        assert all(key in tags and value in (None, tags[key]) for key, value in include['tags'].items())
    for name, variables in scopes:
        region, account = variables['dr_copy_source_region'], variables['dr_fleet_account']
        assert name in by_account[account]['scopes'] and region in settings['regions']
        assert variables['dr_copy_provider'] == settings['provider'] and variables['x'] == 1
        regions = variables.get('dr_copy_dr_regions')
        assert regions is None or isinstance(regions, str) or region not in regions
        if settings['role']:
            assert set(variables['dr_copy_connection'].values()) == {settings['role'].format(account=account)}
