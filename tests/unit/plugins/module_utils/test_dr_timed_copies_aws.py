"""Issue 64: dr_sync's time-based copies on EBS (completion_duration_minutes; role: dr_copy_completion_duration_minutes),
through botocore against moto's server and the suites' EBS layer (ebs_vault.py keeps the CompletionDurationMinutes each
CopySnapshot asked for, which moto drops). Check mode plans the copies' time from EBS's limits and prices the time-based
copy fee at the duration's tier; the real run asks each copy for the duration; a copy found is kept whatever the option
says. The option is refused before any call on the other clouds, and out of EBS's range, by the EBS adapter's one rule."""

from __future__ import annotations

import pytest

from ansible_collections.snapcopy.cloud.plugins.module_utils.clouds.aws import prices
from ansible_collections.snapcopy.cloud.plugins.module_utils.dr.plan import GIB
from ansible_collections.snapcopy.cloud.plugins.module_utils.runners.dr_module import (
    DR_ARGUMENT_SPEC,
    dr_settings,
    run_dr_module,
)
from ansible_collections.snapcopy.cloud.tests.integration.targets.setup_emulators.files import ebs_direct, ebs_vault
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.dr_runs import scope
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.fake_module import FakeModule, ModuleExit
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_assume_role_aws import ec2_with
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_plan_aws import aged
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_dr_verify_aws import ACCOUNT, KEYS, run
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_plan_rules import (
    REPO,
    cost_md_role_example,
)
from ansible_collections.snapcopy.cloud.tests.unit.plugins.module_utils.test_restore_fakecloud import ALIBABA

SOURCE, DR_REGION, OTHER_DR_REGION = 'eu-north-1', 'eu-west-3', 'ap-southeast-2'
DISK_GIB = 100


def written_disks(url, tag_value, count=2):
    """``count`` disks of DISK_GIB GiB, every block written (so each snapshot's FullSnapshotSizeInBytes is the disk's),
    tagged verify=``tag_value``, each with a completed snapshot 30 hours old: {volume id: snapshot id}."""
    client = ec2_with(url, KEYS, SOURCE)
    made = {}
    for dummy in range(count):
        volume = client.create_volume(
            Size=DISK_GIB,
            AvailabilityZone=SOURCE + 'a',
            TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'verify', 'Value': tag_value}]}],
        )['VolumeId']
        ebs_direct.write_range(volume)
        made[volume] = client.create_snapshot(VolumeId=volume, Description='nightly')['SnapshotId']
        aged(SOURCE, made[volume], 30)
    return made


def timed_copies(region):
    """{copy id: CompletionDurationMinutes} of the copies made in ``region``, as the EBS layer kept the calls."""
    return {
        copy_id: minutes
        for (account, where, copy_id), minutes in ebs_vault.TIMED_COPIES.items()
        if (account, where) == (ACCOUNT, region)
    }


def dr_copy_ids(report):
    return sorted(copy['snapshot_id'] for disk in report['disks'] for copy in disk['copies'])


def lines_by_kind(plan):
    return {line['what'].split(' (')[0].split(' in ')[0].split(' to ')[0]: line for line in plan['cost']['lines']}


def test_a_run_with_completion_duration_minutes_is_timed_and_priced_and_asks_each_copy_for_it(moto_url):
    selector = {'verify': 'timed'}
    made = written_disks(moto_url, 'timed')
    before = timed_copies(DR_REGION)
    dummy, planned = run(
        moto_url, SOURCE, DR_REGION, check_mode=True, selector=selector, completion_duration_minutes=60
    )
    plan = planned['plan']
    assert (plan['full'], plan['bytes']) == (2, 2 * DISK_GIB * GIB), plan['copies']
    # Two copies to one region: one wave of EBS's 20 copies in flight, each within the hour asked; 200 GiB at the
    # region pair's 2,000 MiB/s would take 0.03 h, so the duration sets the time.
    assert plan['time'] == {
        'hours': 1.0,
        'why': '%s: 2 copies, 20 at once: 1 wave, each within 60 minutes (%s)' % (DR_REGION, prices.LIMITS.source),
    }
    lines = lines_by_kind(plan)
    timed = lines['time-based copy fee']
    # 60 minutes is in the tier "1 hour to 1 h 45": $0.016 per GiB copied (EBS user guide, Time-based copies).
    assert timed == dict(
        timed,
        what='time-based copy fee (1 hour to 1 h 45) to %s' % DR_REGION,
        quantity=200.0,
        unit='GiB',
        unit_price=prices.TIMED_COPY[105].usd,
        usd=3.2,
        per='once',
        region=DR_REGION,
    )
    assert prices.TIMED_COPY[105].usd == 0.016
    assert (plan['cost']['monthly'], plan['cost']['once']) == (10.0, 7.2)  # 200 GiB at 0.05; at 0.02 + 0.016
    assert timed_copies(DR_REGION) == before  # check mode copies nothing

    dummy, done = run(moto_url, SOURCE, DR_REGION, selector=selector, completion_duration_minutes=60)
    assert done['totals']['copied'] == 2, done['failures']
    copies = dr_copy_ids(done)
    assert {copy_id: timed_copies(DR_REGION).get(copy_id) for copy_id in copies} == dict.fromkeys(copies, 60)
    assert (done['plan']['cost'], done['plan']['time']) == (plan['cost'], plan['time'])

    # A rerun finds the copies and copies nothing, with the option, another duration or none: a duration says how
    # soon a copy is made, not what it holds.
    for minutes in (60, 120, None):
        options = {} if minutes is None else {'completion_duration_minutes': minutes}
        dummy, again = run(moto_url, SOURCE, DR_REGION, selector=selector, **options)
        assert (again['totals']['copied'], again['totals']['existing']) == (0, 2), (minutes, again['totals'])
        assert dr_copy_ids(again) == copies and not again['changed']
    assert set(timed_copies(DR_REGION)) - set(before) == set(copies)
    assert sorted(made.values()) == sorted(disk['source_snapshot']['id'] for disk in done['disks'])


def test_a_dr_region_s_own_duration_wins_and_a_region_without_one_copies_at_ebs_pace(moto_url):
    selector = {'verify': 'timed-regions'}
    written_disks(moto_url, 'timed-regions', count=1)
    regions = [{'region': DR_REGION, 'completion_duration_minutes': '15'}, OTHER_DR_REGION]
    dummy, planned = run(moto_url, SOURCE, DR_REGION, check_mode=True, selector=selector, dr_regions=regions)
    fees = [line for line in planned['plan']['cost']['lines'] if line['what'].startswith('time-based copy fee')]
    assert [(line['region'], line['unit_price']) for line in fees] == [(DR_REGION, prices.TIMED_COPY[15].usd)]
    # The other region's copy has no promised rate: the run's time is not known.
    assert planned['plan']['time']['hours'] is None and 'promises no copy rate' in planned['plan']['time']['why']

    dummy, done = run(moto_url, SOURCE, DR_REGION, selector=selector, dr_regions=regions)
    by_region = {copy['region']: copy['snapshot_id'] for disk in done['disks'] for copy in disk['copies']}
    assert timed_copies(DR_REGION).get(by_region[DR_REGION]) == 15
    assert by_region[OTHER_DR_REGION] not in timed_copies(OTHER_DR_REGION)


def test_two_timed_regions_take_their_times_in_turn_at_the_runs_max_in_flight(moto_url):
    """Each disk's snapshot goes to both DR regions, and "the second copy operation's completion duration starts only
    after the first copy operation completes" (EBS user guide, Time-based copies); max_in_flight is the run's pace."""
    selector = {'verify': 'timed-turns'}
    written_disks(moto_url, 'timed-turns', count=2)
    options = {'selector': selector, 'completion_duration_minutes': 60, 'dr_regions': [DR_REGION, OTHER_DR_REGION]}
    plan = run(moto_url, SOURCE, DR_REGION, check_mode=True, max_in_flight=1, **options)[1]['plan']
    # Each region: 2 copies, 1 at once, so 2 waves of an hour; the second region's after the first's.
    assert plan['time']['hours'] == 4.0, plan['time']
    assert plan['time']['why'].startswith(
        '%s: 2 copies, 1 at once: 2 waves, each within 60 minutes; %s: 2 copies, 1 at once: 2 waves'
        % tuple(sorted((DR_REGION, OTHER_DR_REGION)))
    )
    assert 'one region after another' in plan['time']['why']
    assert run(moto_url, SOURCE, DR_REGION, check_mode=True, **options)[1]['plan']['time']['hours'] == 2.0


def module_params(provider, source_region, dr_regions, connection, **options):
    """dr_sync's params as Ansible hands them to the module: every option of the spec at its default, then these."""
    params = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    params.update(scope(provider, source_region, dr_regions, {'verify': 'timed-refused'}, **connection), **options)
    return params


def refusal(params):
    with pytest.raises(ModuleExit) as ended:
        run_dr_module(FakeModule(params))
    assert ended.value.failed
    return ended.value.result['msg']


@pytest.mark.parametrize(
    'minutes, words',
    [
        (10, 'must be a multiple of 15 from 15 to 2880, got 10'),
        (3000, 'must be a multiple of 15 from 15 to 2880, got 3000'),
        (50, 'must be a multiple of 15 from 15 to 2880, got 50'),
    ],
)
@pytest.mark.parametrize('where', ['run', 'dr_region'])
def test_a_duration_ebs_does_not_take_is_refused_before_any_call(moto_url, moto_calls, minutes, words, where):
    connection = dict(KEYS, endpoint_url=moto_url)
    if where == 'run':
        params = module_params('aws', SOURCE, [DR_REGION], connection, completion_duration_minutes=minutes)
    else:
        params = module_params(
            'aws', SOURCE, [{'region': DR_REGION, 'completion_duration_minutes': minutes}], connection
        )
    assert refusal(params) == 'completion_duration_minutes: ' + words
    assert sum(moto_calls.values()) == 0, moto_calls
    # The role's user reads the variable they set.
    if where == 'run':
        assert refusal(dict(params, option_names='role')) == 'dr_copy_completion_duration_minutes: ' + words


@pytest.mark.parametrize('where', ['run', 'dr_region'])
def test_another_cloud_refuses_completion_duration_minutes_before_any_call_and_names_aws(fakecloud_clean, where):
    connection = dict(ALIBABA, endpoint_url=fakecloud_clean.url)
    fakecloud_clean.admin.calls(reset=True)
    if where == 'run':
        params = module_params('ecs', 'cn-hangzhou', ['cn-shanghai'], connection, completion_duration_minutes=60)
        named = 'completion_duration_minutes: is not an option of provider ecs'
    else:
        params = module_params(
            'ecs', 'cn-hangzhou', [{'region': 'cn-shanghai', 'completion_duration_minutes': 60}], connection
        )
        named = 'dr_regions: completion_duration_minutes is not an option of provider ecs'
    message = refusal(params)
    assert message.startswith(named) and message.endswith('; provider aws takes it'), message
    assert fakecloud_clean.admin.calls()['calls'] == {}


def test_the_role_example_of_docs_cost_md_asks_dr_sync_for_its_duration():
    """docs/cost.md's dr_copy example (test_plan_rules.py works out its figures): the role's variables as its tasks pass
    them on (dr_copy_X is dr_sync's X) make a run whose copies are asked for the example's duration."""
    page = (REPO / 'docs' / 'cost.md').read_text(encoding='utf-8')
    variables = cost_md_role_example(page)
    tasks = (REPO / 'roles' / 'dr_copy' / 'tasks' / 'main.yml').read_text(encoding='utf-8')
    assert 'completion_duration_minutes: "{{ dr_copy_completion_duration_minutes or omit }}"' in tasks
    params = {option: spec.get('default') for option, spec in DR_ARGUMENT_SPEC.items()}
    params.update({name[len('dr_copy_') :]: value for name, value in variables.items()}, option_names='role')
    settings = dr_settings(params)
    assert settings.copy.options['completion_duration_minutes'] == variables['dr_copy_completion_duration_minutes']


def test_a_dr_region_s_duration_of_zero_copies_at_ebs_pace_there_whatever_the_run_s(moto_url):
    """V(0) for a DR region is what it is for the run, a standard copy: one region stays at EBS's pace while the run's
    other regions are timed. It was refused as out of EBS's range."""
    selector = {'verify': 'timed-zero'}
    written_disks(moto_url, 'timed-zero', count=1)
    regions = [DR_REGION, {'region': OTHER_DR_REGION, 'completion_duration_minutes': 0}]
    dummy, planned = run(
        moto_url,
        SOURCE,
        DR_REGION,
        check_mode=True,
        selector=selector,
        dr_regions=regions,
        completion_duration_minutes=60,
    )
    fees = [line for line in planned['plan']['cost']['lines'] if line['what'].startswith('time-based copy fee')]
    assert [line['region'] for line in fees] == [DR_REGION]
    dummy, done = run(
        moto_url, SOURCE, DR_REGION, selector=selector, dr_regions=regions, completion_duration_minutes=60
    )
    by_region = {copy['region']: copy['snapshot_id'] for disk in done['disks'] for copy in disk['copies']}
    assert timed_copies(DR_REGION).get(by_region[DR_REGION]) == 60
    assert by_region[OTHER_DR_REGION] not in timed_copies(OTHER_DR_REGION)
